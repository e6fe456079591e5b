"""The audit trail: who did what, when, from where — append-only, hash-chained.

Each tenant has its own chain: every event stores the keyed hash (HMAC, key
outside the database) of itself and the one before, so changing or deleting a
stored event breaks every later hash, and
``hushbook audit verify`` names the first event that no longer fits.
Details carry ids and field names, never personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from flask import has_request_context, request

from hushbook_service import keys
from hushbook_service.db import lock_row, utcnow, write_transaction
from hushbook_service.models import AuditEvent, Tenant

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "tenant": event.tenant_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "action": event.action,
        "target_kind": event.target_kind,
        "target_id": event.target_id,
        "ip": event.ip,
        "details": json.loads(event.details),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _chain_key() -> bytes:
    # Keyed (HMAC) with a secret outside the database: whoever can only write to
    # the database cannot forge a consistent chain after editing an event.
    return keys.instance_key("audit", "audit-chain")


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    message = prev_hash.encode() + b"\n" + _canonical(event)
    return hmac.new(_chain_key(), message, hashlib.sha256).hexdigest()


def _actor() -> tuple[str, int | None]:
    from flask import g

    who = g.get("principal") if has_request_context() else None
    if who is None:
        return ("system" if not has_request_context() else "anonymous"), None
    if who.staff_id is not None:
        return "staff", who.staff_id
    return "integration", who.key_id


def record(
    tenant_id: int,
    action: str,
    target_kind: str | None = None,
    target_id: int | None = None,
    actor: tuple[str, int | None] | None = None,
    tenant_locked: bool = False,
    **details: object,
) -> AuditEvent:
    """Append one event to the tenant's chain (inside the caller's write, if any).
    ``tenant_locked``: the caller holds :func:`lock_row` on the tenant in this
    transaction, outside any savepoint (the chain's appenders queue there)."""
    actor_kind, actor_id = actor or _actor()
    ip = (request.remote_addr or "") if has_request_context() else ""
    # No savepoint when nested: nothing here refuses, and a failed insert fails
    # the caller's whole transaction anyway (two round trips less per event).
    with write_transaction(savepoint=False):
        if not tenant_locked:
            lock_row(Tenant, tenant_id)  # one appender per chain at a time
        last = (
            AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.tenant == tenant_id)
            .order_by(AuditEvent.seq.desc())
            .first()
        )
        event = AuditEvent(
            tenant=tenant_id,
            seq=(last.seq + 1) if last else 1,
            at=utcnow(),
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            ip=ip[:45],
            details=json.dumps(details, sort_keys=True, default=str),
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = chain_hash(event.prev_hash, event)
        event.save(force_insert=True)
    return event


@dataclass
class Verdict:
    tenant_id: int
    events: int
    broken_at: AuditEvent | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(tenant_id: int) -> Verdict:
    """Recompute the chain; report the first event that does not fit."""
    prev, expected_seq, count = GENESIS, 1, 0
    query = AuditEvent.select().where(AuditEvent.tenant == tenant_id).order_by(AuditEvent.seq)
    for event in query.iterator():
        count += 1
        if event.seq != expected_seq:
            return Verdict(tenant_id, count, event, f"sequence gap before seq {event.seq}")
        if event.prev_hash != prev:
            return Verdict(tenant_id, count, event, "does not follow the event before it")
        if chain_hash(prev, event) != event.hash:
            return Verdict(tenant_id, count, event, "content was changed after it was written")
        prev, expected_seq = event.hash, expected_seq + 1
    return Verdict(tenant_id, count)
