"""Adding a client to the client book: the profile sealed (or taken sealed), the
contacts indexed, the consent recorded. One path for staff and online bookings."""

from __future__ import annotations

from hushbook_service import audit
from hushbook_service.db import utcnow
from hushbook_service.errors import field_error
from hushbook_service.models import Client, Tenant
from hushbook_service.privacy import clientbook, profiles


def _allowed_fields(tenant: Tenant, names, field: str) -> None:
    """Data-minimal: only the fields the salon chose to collect."""
    allowed = set(tenant.profile_fields.split())
    extra = sorted(set(names) - allowed)
    if extra:
        field_error(field, f"This salon does not collect: {', '.join(extra)}.")


def fill_profile(client: Client, tenant: Tenant, data: dict) -> dict[str, str]:
    """Seal plain fields, or take fields sealed on the writer's side. Returns the
    contacts to index once the row exists."""
    if "profile" in data:
        _allowed_fields(tenant, data["profile"], "profile")
        profiles.seal_plain(client, tenant, data["profile"])
        contacts = {k: data["profile"][k] for k in clientbook.INDEXED if k in data["profile"]}
    else:
        _allowed_fields(tenant, data["sealed_profile"], "sealed_profile")
        profiles.require_vault(tenant)
        profiles.require_current_key(tenant, data.get("key_version"))
        client.client_key = data["client_key"]
        profiles.store_sealed(client, data["sealed_profile"])
        contacts = data.get("contacts", {})
    if "birthday_month" in data:
        client.birthday_month = data["birthday_month"]
    return contacts


def create_client(
    tenant: Tenant, data: dict, source: str, pending: bool = False, notice_checked: bool = False
) -> Client:
    """Inside the caller's write transaction. ``pending``: made by an unconfirmed
    online booking (erased with it if nobody confirms). ``notice_checked``: the
    caller ran :func:`clientbook.require_notice` on this consent already."""
    if "consent" in data and not notice_checked:
        clientbook.require_notice(tenant.id, data["consent"])
    client = Client(tenant=tenant.id, pending=pending)
    contacts = fill_profile(client, tenant, data)
    client.save()
    clientbook.index(client, contacts)
    if "consent" in data:
        c = data["consent"]
        clientbook.record_consent(client, c["notice_version"], c["locale"], c["purposes"], source)
    audit.record(tenant.id, "client.create", "client", client.id)
    return client


def replace_profile(client: Client, tenant: Tenant, data: dict) -> Client:
    """A profile changed and sealed again on the writer's side replaces the stored one.

    Inside the caller's write transaction, with the client's and the tenant's rows
    locked (a rotation re-seals every profile under the tenant's lock). The new
    profile comes with a new ``client_key``: blobs of the old version are bound to
    the old key, so they cannot be mixed into the new one. ``contacts``, if given,
    replace the lookup digests (``{}``: the client can no longer be looked up).
    """
    _allowed_fields(tenant, data["sealed_profile"], "sealed_profile")
    profiles.require_vault(tenant)
    profiles.require_current_key(tenant, data["key_version"])
    if data["client_key"] == client.client_key:
        field_error("client_key", "Seal the changed profile with a new client_key.")
    client.client_key = data["client_key"]
    profiles.store_sealed(client, data["sealed_profile"])
    client.last_activity_at = utcnow()
    # Only these columns: the figures are counted elsewhere and must not be
    # written back from this read.
    client.save(only=[Client.client_key, Client.profile, Client.last_activity_at])
    if "contacts" in data:
        clientbook.reindex(client, data["contacts"])
    audit.record(
        tenant.id,
        "client.update",
        "client",
        client.id,
        fields=sorted(data["sealed_profile"]),
        contacts="contacts" in data,
    )
    return client
