"""Probes (issue 19): online bookings a new contact confirms and then does not
keep — cancelled soon after confirming, or missed (no-show). A walk of the
calendar with a mailbox of its own looks like that; past ``probe_threshold``
probes the contact, address or network books by phone.

The record of a probe is the booking's own holds (keyed hashes of contact,
address and network, :class:`~hushbook_service.models.PendingHold`): kept when
the booking ends as a probe, dropped when it ends otherwise, forgotten after
:data:`~hushbook_service.stealth.PROBE_MEMORY`. Counted from the bookings
themselves, a probe is counted once however often it is looked at, and stops
counting if the booking's status ever changes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import cast

from peewee import fn

from hushbook_service import audit, stealth
from hushbook_service.db import utcnow, write_transaction
from hushbook_service.errors import abort
from hushbook_service.models import Appointment, Client, PendingHold, Tenant

# What a probe counts against (a visitor session is cheap to renew).
KINDS = ("contact", "ip", "subnet")
# The statuses a booking that ended as a probe has.
ENDED = ("cancelled", "no_show")


def cancelled_soon(appointment: Appointment) -> bool:
    """Confirmed, then cancelled within ``PROBE_WINDOW`` of confirming."""
    confirmed = appointment.confirmed_at
    return (
        confirmed is not None
        and (appointment.updated_at - confirmed).total_seconds() <= stealth.PROBE_WINDOW
    )


def is_probe(appointment: Appointment) -> bool:
    """An online booking of a new contact, confirmed, that just ended unkept: a
    no-show whatever the time since confirming (nobody came), a cancellation
    only soon after confirming. A contact that kept an appointment meanwhile is
    no longer new (its misses are the no-show rule's, ``block_after_no_shows``)."""
    if appointment.source != "online" or not appointment.new_contact:
        return False
    if appointment.confirmed_at is None:  # never confirmed: the pending caps' matter
        return False
    if appointment.status == "cancelled" and not cancelled_soon(appointment):
        return False
    if appointment.status not in ENDED:
        return False
    kept = Client.select().where(Client.id == appointment.client_id, Client.visits > 0)
    return not kept.exists()


def settle(appointment: Appointment, by_customer: bool = True) -> bool:
    """After a booking's status changed: a probe keeps its holds against its
    contact, address and network (the count); any other end drops them all (so
    does a cancellation by the salon: not the customer's doing). Still pending
    or confirmed, nothing changes. Returns whether it is a probe."""
    if appointment.status in ("pending", "confirmed"):
        return False
    probe = by_customer and is_probe(appointment)
    with write_transaction():
        dropped = PendingHold.appointment == appointment.id
        if probe:
            dropped &= PendingHold.kind.not_in(KINDS)
            _forget_old(appointment.tenant_id)
        PendingHold.delete().where(dropped).execute()
    return probe


def _forget_old(tenant_id: int) -> None:
    """Probes older than ``PROBE_MEMORY`` no longer count: their records go."""
    old = Appointment.select(Appointment.id).where(
        Appointment.tenant == tenant_id,
        Appointment.status.in_(ENDED),
        Appointment.updated_at < utcnow() - timedelta(seconds=stealth.PROBE_MEMORY),
    )
    PendingHold.delete().where(
        PendingHold.tenant == tenant_id, PendingHold.appointment.in_(old)
    ).execute()


def counts(tenant_id: int, holds: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Probes of the last ``PROBE_MEMORY`` per (kind, keyed hash) of ``holds``."""
    wanted = [(k, d) for k, d in holds if k in KINDS]
    if not wanted:
        return {}
    rows = (
        PendingHold.select(
            PendingHold.kind, PendingHold.digest, fn.COUNT(fn.DISTINCT(PendingHold.appointment))
        )
        .join(Appointment)
        .where(
            PendingHold.tenant == tenant_id,
            PendingHold.digest.in_([d for _, d in wanted]),
            Appointment.status.in_(ENDED),
            Appointment.updated_at >= utcnow() - timedelta(seconds=stealth.PROBE_MEMORY),
        )
        .group_by(PendingHold.kind, PendingHold.digest)
        .tuples()
    )
    found = {(k, d): n for k, d, n in cast(Iterable[tuple[str, str, int]], rows)}
    return {pair: found[pair] for pair in wanted if pair in found}


def refuse_probers(tenant: Tenant, holds: list[tuple[str, str]]) -> None:
    """Past ``probe_threshold`` probes, this contact, address or network books by
    phone: the reason is the salon's (audit trail), the prober hears what a
    blocked contact hears."""
    threshold = stealth.settings_of(tenant)["probe_threshold"]
    if not threshold or not holds:
        return
    if max(counts(tenant.id, holds).values(), default=0) < threshold:
        return
    audit.record(tenant.id, "public.booking_refused", actor=("anonymous", None), reason="probes")
    abort(
        403,
        "Online booking is not available for this contact. Please call the business.",
        reason="contact_blocked",
    )
