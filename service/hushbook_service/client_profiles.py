"""The one boundary for clients' personal fields (name, phone, e-mail, notes).

Nothing else reads or writes ``Client.profile``. Today the profile is stored
as a JSON blob; sealing it to the tenant's key (zero-access, DESIGN §5)
replaces these two functions without touching their callers.
"""

from __future__ import annotations

import json

from .models import Client

PROFILE_FIELDS = ("name", "email", "phone", "notes")


def write_profile(client: Client, profile: dict[str, str]) -> None:
    clean = {k: v for k, v in profile.items() if k in PROFILE_FIELDS and v}
    client.profile = json.dumps(clean, ensure_ascii=False).encode()


def read_profile(client: Client) -> dict[str, str]:
    if not client.profile:
        return {}
    return json.loads(bytes(client.profile).decode())
