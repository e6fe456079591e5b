"""Who may not book online: throw-away mail domains and the salon's blocklist
(contacts known by their blind-index digests), plus the owner's rule that
blocks a client after repeated no-shows."""

from __future__ import annotations

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS

from hushbook_service import stealth
from hushbook_service.db import prepared_rows
from hushbook_service.models import Appointment, BlockedContact, Client, Tenant
from hushbook_service.privacy import clientbook


def is_disposable(email: str) -> bool:
    """Whether the domain (or a parent domain) is a known throw-away mail service."""
    domain = email.rpartition("@")[2].strip().rstrip(".").lower()
    parts = domain.split(".")
    return any(".".join(parts[i:]) in DISPOSABLE_DOMAINS for i in range(len(parts) - 1))


def blocked(tenant_id: int, contacts: dict[str, str]) -> bool:
    for kind, digest in clientbook.digests(tenant_id, contacts):
        found = prepared_rows(
            "blocklist.blocked",
            lambda kind=kind, digest=digest: (
                BlockedContact.select(BlockedContact.id)
                .where(
                    BlockedContact.tenant == tenant_id,
                    BlockedContact.kind == kind,
                    BlockedContact.digest == digest,
                )
                .limit(1)
            ),
            [tenant_id, kind, digest, 1],
        )
        if found:
            return True
    return False


def block_client(client: Client, reason: str) -> int:
    """Block the contacts a client is known by (their digests); returns how many."""
    added = 0
    for entry in client.index_entries:
        _, created = BlockedContact.get_or_create(
            tenant=client.tenant_id,
            kind=entry.kind,
            digest=entry.digest,
            defaults={"reason": reason},
        )
        added += created
    return added


def after_no_show(appointment: Appointment) -> None:
    """The owner's rule: block a client's contacts after repeated no-shows."""
    if appointment.client_id is None:
        return
    tenant = Tenant.get_by_id(appointment.tenant_id)
    limit = stealth.settings_of(tenant)["block_after_no_shows"]
    client = Client.get_or_none(Client.id == appointment.client_id)
    if limit and client is not None and client.no_shows >= limit:
        block_client(client, "no_shows")
