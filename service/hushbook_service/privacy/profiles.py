"""The one boundary for clients' personal fields (name, e-mail, phone, notes…).

The service only ever *seals*: with the tenant's public key, each field bound
to tenant, client key and field name (:mod:`hushbook.sealing`). It holds no
private key, so it cannot open what it stores. Callers either send fields
already sealed on their side, or plaintext that is sealed here on arrival and
never written anywhere in the clear.
"""

from __future__ import annotations

import json

from hushbook import sealing
from hushbook_service.errors import abort
from hushbook_service.models import Client, Tenant

PROFILE_FIELDS = ("name", "email", "phone", "birthday", "notes")


def require_vault(tenant: Tenant) -> sealing.EccKey:
    if not tenant.public_key:
        abort(
            409,
            "Set up the client vault first (the owner creates the tenant key).",
            reason="vault_not_set_up",
        )
    return sealing.import_public_key(tenant.public_key)


def require_current_key(tenant: Tenant, key_version: int | None) -> None:
    """A profile sealed on the caller's side to a key rotated out meanwhile would be
    stored unreadable: refuse it (callers that name the version they sealed to)."""
    if key_version is not None and key_version != tenant.key_version:
        abort(
            409,
            "The business key was rotated; seal the profile again with the current key.",
            reason="stale_key_version",
        )


def seal_plain(client: Client, tenant: Tenant, profile: dict[str, str]) -> None:
    """Seal plaintext fields for ``client`` (new client key); nothing is kept in the clear."""
    public_key = require_vault(tenant)
    client.client_key = sealing.new_client_key()
    clean = {k: v for k, v in profile.items() if v}
    store_sealed(client, sealing.seal_profile(public_key, tenant.id, client.client_key, clean))


def store_sealed(client: Client, sealed: dict[str, str]) -> None:
    client.profile = json.dumps(sealed, sort_keys=True).encode()


def sealed_profile(client: Client) -> dict[str, str]:
    """The sealed fields as stored: field name -> base64url blob. Never plaintext."""
    if not client.profile:
        return {}
    return json.loads(bytes(client.profile).decode())
