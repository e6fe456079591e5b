"""Write ``tests/vectors/console.json``: vault vectors for the staff console's vault.js.

Python (``hushbook.sealing`` and ``hushbook.vault``) is the reference: it makes a
tenant key pair, wraps two members' keys under known passphrases (one at a low
scrypt cost for speed, one at the SDK's production cost), seals a grant to each,
seals several client profiles to the tenant key, and builds must-fail cases
(wrong passphrase, a wrapped key or grant moved to another member, blobs moved
between fields and clients, tampering, downgraded scrypt parameters). The
browser port (``plugins/console/src/vault.js``) must open every good case and
refuse every must-fail case with Python's message.

Deterministic: keys, salts, nonces and HPKE ephemeral keys are SHA-256 of a
label, so rerunning gives the same file.

    .venv/bin/python tests/vectors/make_console_vectors.py

Run it after a deliberate format change; ``tests/test_console_crypto.py`` fails
while the committed file differs from what this script produces.
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from Crypto.Protocol import HPKE
from Crypto.Protocol.DH import import_x25519_private_key

from hushbook import sealing
from hushbook.vault import PRODUCTION_LOG_N

PATH = Path(__file__).with_name("console.json")

TENANT_ID = 41
KEY_VERSION = 3
LOW_LOG_N = 10  # test-only cost (tests/support/config.py VAULT_LOG_N); the floor is 16
# (label, staff id, passphrase, scrypt log_n)
MEMBERS: list[tuple[str, int, str, int]] = [
    ("low cost", 7, "Kölner Dom, 🙂 correct horse battery", LOW_LOG_N),
    ("production cost", 8, "owner's long vault passphrase", PRODUCTION_LOG_N),
]
CLIENT_A = "3f0c2a9e-51d4-4b8e-a6f7-0c9d1e2b3a41"
CLIENT_B = "8a7e6d5c-4b3a-4291-8f0e-1d2c3b4a5968"
CLIENT_C = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
CLIENT_D = "0f1e2d3c-4b5a-4697-a8b9-cadbecfd0e1f"
CLIENTS: list[tuple[str, int, str, dict[str, str]]] = [
    (
        "full profile",
        101,
        CLIENT_A,
        {
            "name": "Zoë Kowalczyk-Brandt",
            "email": "zoe.kb+salon@example.org",
            "phone": "+49 170 9876543",
            "birthday": "1987-03-14",
            "notes": "Allergisch gegen PPD; dienstags früh 🙂 — Straße & Weiß",
        },
    ),
    (
        "long notes",
        102,
        CLIENT_B,
        {
            "name": "Jürgen Weiß-Größe",
            "notes": "Färben 💇\u200d♀️ ohne Ammoniak; dienstags früh 🙂 " * 4,
        },
    ),
    ("empty value", 103, CLIENT_C, {"name": "Émile", "notes": ""}),
    ("one field", 104, CLIENT_D, {"name": "A"}),
]


FIGURES = {  # the visible figures of a client row (the vault does not read them)
    "first_visit": "2026-03-02T10:00:00+00:00",
    "last_visit": "2026-05-11T15:30:00+00:00",
    "visits": 4,
    "no_shows": 0,
    "total_spent_cents": 24800,
    "average_ticket_cents": 6200,
    "category": "regular",
    "birthday_month": None,
}


def det(label: str, length: int = 32) -> bytes:
    """Fixed bytes named by ``label`` (keys, salts, nonces, ephemeral keys)."""
    return hashlib.sha256(b"hushbook console vector " + label.encode()).digest()[:length]


@contextmanager
def pinned(seeds: list[bytes]) -> Iterator[None]:
    """HPKE uses these ephemeral keys, in order, one per seal (pycryptodome has no hook)."""
    keys = iter([import_x25519_private_key(s) for s in seeds])
    original = HPKE.HPKE_Cipher._encap

    def encap(receiver_key, kem_id, hashmod, sender_key=None, eph_key=None):  # type: ignore[no-untyped-def]
        return original(receiver_key, kem_id, hashmod, sender_key, next(keys))

    with mock.patch.object(HPKE.HPKE_Cipher, "_encap", staticmethod(encap)):
        yield
    if next(keys, None) is not None:
        raise AssertionError("not every pinned ephemeral key was used")


def _wrap(key: Any, passphrase: str, tenant: int, member: int, log_n: int, label: str) -> dict:
    """``wrap_private_key`` with the salt and nonce it draws pinned."""
    drawn = [det(f"{label}/salt", 16), det(f"{label}/nonce", 12)]
    with mock.patch.object(sealing.secrets, "token_bytes", side_effect=drawn):
        wrapped = sealing.wrap_private_key(
            key,
            passphrase,
            context=sealing.vault_context(tenant, member),
            log_n=log_n,
            min_log_n=min(log_n, sealing.MIN_LOG_N),
        )
    return dict(wrapped)


def _grant(member_public: Any, tenant_key: Any, tenant: int, member: int, label: str) -> str:
    with pinned([det(f"{label}/ephemeral")]):
        return sealing.seal_grant(member_public, tenant_key, tenant, member)


def _flip(text: str, index: int, bit: int = 0x01) -> str:
    raw = bytearray(sealing.b64d(text))
    raw[index] ^= bit
    return sealing.b64e(bytes(raw))


def _error(call: Any) -> str:
    """The SealError message of a call that must fail."""
    try:
        call()
    except sealing.SealError as exc:
        return str(exc)
    raise AssertionError("a must-fail case opened")


def build() -> dict[str, Any]:
    b64 = sealing.b64e
    tenant_key = sealing.import_private_key(det("tenant"))
    tenant_public = b64(sealing.export_public_key(tenant_key))
    other_tenant_key = sealing.import_private_key(det("other tenant"))

    members = []
    keys = {}
    for label, staff_id, passphrase, log_n in MEMBERS:
        key = sealing.import_private_key(det(f"member {label}"))
        keys[label] = key
        wrapped = _wrap(key, passphrase, TENANT_ID, staff_id, log_n, label)
        grant = _grant(key.public_key(), tenant_key, TENANT_ID, staff_id, f"grant {label}")
        context = sealing.vault_context(TENANT_ID, staff_id)
        min_log_n = min(log_n, sealing.MIN_LOG_N)
        unwrapped = sealing.unwrap_private_key(
            wrapped, passphrase, context=context, min_log_n=min_log_n
        )
        assert sealing.export_private_key(unwrapped) == sealing.export_private_key(key)
        opened = sealing.open_grant(unwrapped, grant, TENANT_ID, staff_id)
        assert sealing.export_private_key(opened) == sealing.export_private_key(tenant_key)
        nfd = unicodedata.normalize("NFD", passphrase)
        if nfd != passphrase:  # the same passphrase typed on macOS
            sealing.unwrap_private_key(wrapped, nfd, context=context, min_log_n=min_log_n)
        public = b64(sealing.export_public_key(key))
        members.append(
            {
                "name": label,
                "passphrase": passphrase,
                "passphrase_nfd": nfd,
                "min_log_n": min_log_n,
                "seed": b64(det(f"member {label}")),
                "state": {  # GET /v1/vault, as the service answers it
                    "tenant_id": TENANT_ID,
                    "staff_id": staff_id,
                    "public_key": tenant_public,
                    "key_version": KEY_VERSION,
                    "member": {"public_key": public, "wrapped_private_key": wrapped},
                    "grant": {
                        "staff_id": staff_id,
                        "key_version": KEY_VERSION,
                        "sealed_tenant_key": grant,
                    },
                },
            }
        )

    clients = []
    rows = {}
    for label, client_id, client_key, profile in CLIENTS:
        seeds = [det(f"client {label}/{field}") for field in profile]
        with pinned(seeds):  # seal_profile seals fields in dict order
            sealed = sealing.seal_profile(tenant_key.public_key(), TENANT_ID, client_key, profile)
        assert sealing.open_profile(tenant_key, TENANT_ID, client_key, sealed) == profile
        row = {  # a row of GET /v1/clients, as the service sends it
            "id": client_id,
            "client_key": client_key,
            "sealed_profile": sealed,
            "figures": FIGURES,
            "created_at": "2026-03-01T09:30:00+00:00",
        }
        rows[label] = row
        clients.append({"name": label, "row": row, "profile": profile})

    # --- must fail: unwrapping (low-cost member, so each try is cheap) -----------------
    low = members[0]
    low_wrapped = low["state"]["member"]["wrapped_private_key"]
    staff = low["state"]["staff_id"]
    unwrap_cases: list[tuple[str, Any, str | None, int | None, int | None, int]] = [
        # (name, wrapped, passphrase, tenant, staff, min_log_n); None: the good one
        (
            "wrong passphrase",
            low_wrapped,
            "Kölner Dom, 🙂 correct horse batterY",
            TENANT_ID,
            staff,
            10,
        ),
        ("empty passphrase", low_wrapped, "", TENANT_ID, staff, 10),
        ("moved to another member", low_wrapped, low["passphrase"], TENANT_ID, 8, 10),
        ("moved to another tenant", low_wrapped, low["passphrase"], 42, staff, 10),
        ("tampered ct", {**low_wrapped, "ct": _flip(low_wrapped["ct"], 3)}, None, None, None, 10),
        ("tampered tag", {**low_wrapped, "ct": _flip(low_wrapped["ct"], 47)}, None, None, None, 10),
        (
            "tampered nonce",
            {**low_wrapped, "nonce": _flip(low_wrapped["nonce"], 0)},
            None,
            None,
            None,
            10,
        ),
        (
            "tampered salt",
            {**low_wrapped, "salt": _flip(low_wrapped["salt"], 15)},
            None,
            None,
            None,
            10,
        ),
        ("log_n edited upwards", {**low_wrapped, "log_n": 11}, None, None, None, 10),
        ("r edited", {**low_wrapped, "r": 9}, None, None, None, 10),
        ("p edited", {**low_wrapped, "p": 2}, None, None, None, 10),
        ("downgrade below the floor", low_wrapped, None, None, None, sealing.MIN_LOG_N),
        ("r below the floor", {**low_wrapped, "r": 4}, None, None, None, 10),
        ("p zero", {**low_wrapped, "p": 0}, None, None, None, 10),
        ("log_n above the ceiling", {**low_wrapped, "log_n": 21}, None, None, None, 10),
        ("log_n huge", {**low_wrapped, "log_n": 1000}, None, None, None, 10),
        ("memory above the ceiling", {**low_wrapped, "log_n": 20, "r": 16}, None, None, None, 10),
        ("p above the ceiling", {**low_wrapped, "p": 5}, None, None, None, 10),
        ("format 2", {**low_wrapped, "v": 2}, None, None, None, 10),
        ("other kdf", {**low_wrapped, "kdf": "argon2id"}, None, None, None, 10),
        ("log_n as text", {**low_wrapped, "log_n": "10"}, None, None, None, 10),
        ("log_n as a fraction", {**low_wrapped, "log_n": 10.5}, None, None, None, 10),
        ("salt too short", {**low_wrapped, "salt": b64(bytes(15))}, None, None, None, 10),
        ("salt too long", {**low_wrapped, "salt": b64(bytes(65))}, None, None, None, 10),
        (
            "salt not base64url",
            {**low_wrapped, "salt": low_wrapped["salt"] + "="},
            None,
            None,
            None,
            10,
        ),
        ("nonce too long", {**low_wrapped, "nonce": b64(bytes(16))}, None, None, None, 10),
        (
            "ct truncated",
            {**low_wrapped, "ct": b64(sealing.b64d(low_wrapped["ct"])[:47])},
            None,
            None,
            None,
            10,
        ),
        (
            "nonce missing",
            {k: v for k, v in low_wrapped.items() if k != "nonce"},
            None,
            None,
            None,
            10,
        ),
        ("not an object", [low_wrapped], None, None, None, 10),
    ]
    unwrap_must_fail = []
    for name, wrapped, passphrase, tenant, member, min_log_n in unwrap_cases:
        passphrase = low["passphrase"] if passphrase is None else passphrase
        tenant = TENANT_ID if tenant is None else tenant
        member = staff if member is None else member
        context = sealing.vault_context(tenant, member)
        error = _error(
            lambda w=wrapped, pp=passphrase, c=context, m=min_log_n: sealing.unwrap_private_key(
                w, pp, context=c, min_log_n=m
            )
        )
        unwrap_must_fail.append(
            {
                "name": name,
                "wrapped": wrapped,
                "passphrase": passphrase,
                "tenant_id": tenant,
                "staff_id": member,
                "min_log_n": min_log_n,
                "error": error,
            }
        )

    # --- must fail: grants, opened with the low-cost member's key -------------------------
    member_key = keys["low cost"]
    member_public = member_key.public_key()
    good_grant = low["state"]["grant"]["sealed_tenant_key"]
    with pinned([det("grant not a key/ephemeral")]):
        short = sealing.seal(
            member_public,
            det("tenant")[:31],
            sealing.aad(TENANT_ID, "grant", staff, "tenant_key"),
            purpose=sealing.PURPOSE_GRANT,
        )
    with pinned([det("grant wrong purpose/ephemeral")]):
        wrong_purpose = sealing.seal(
            member_public,
            det("tenant"),
            sealing.aad(TENANT_ID, "grant", staff, "tenant_key"),
            purpose=sealing.PURPOSE_FIELD,
        )
    grant_cases: list[tuple[str, str, int, int]] = [
        (
            "made for another member",
            _grant(member_public, tenant_key, TENANT_ID, 8, "grant for member 8"),
            TENANT_ID,
            staff,
        ),
        (
            "made in another tenant",
            _grant(member_public, tenant_key, 42, staff, "grant in tenant 42"),
            TENANT_ID,
            staff,
        ),
        ("opened as another member", good_grant, TENANT_ID, 8),
        (
            "sealed to another member's key",
            members[1]["state"]["grant"]["sealed_tenant_key"],
            TENANT_ID,
            8,
        ),
        ("tampered", _flip(good_grant, 40), TENANT_ID, staff),
        ("truncated", b64(sealing.b64d(good_grant)[:-1]), TENANT_ID, staff),
        ("wrong purpose", b64(wrong_purpose), TENANT_ID, staff),
        ("not a 32-byte key inside", b64(short), TENANT_ID, staff),
        ("not base64url", good_grant + "=", TENANT_ID, staff),
    ]
    grant_must_fail = []
    for name, grant, tenant, member in grant_cases:
        error = _error(lambda g=grant, t=tenant, m=member: sealing.open_grant(member_key, g, t, m))
        grant_must_fail.append(
            {
                "name": name,
                "sealed_tenant_key": grant,
                "tenant_id": tenant,
                "staff_id": member,
                "error": error,
            }
        )

    # --- must fail: client profiles, opened with the tenant key ------------------------
    full, other = rows["full profile"], rows["long notes"]
    fs = full["sealed_profile"]
    with pinned([det("client other tenant key/name")]):
        foreign = sealing.seal_profile(
            other_tenant_key.public_key(), TENANT_ID, CLIENT_A, {"name": "X"}
        )
    with pinned([det("client other tenant id/name")]):
        tenant_42 = sealing.seal_profile(tenant_key.public_key(), 42, CLIENT_A, {"name": "X"})
    profile_cases: list[tuple[str, dict[str, Any]]] = [
        (
            "field blob moved to another field",
            {**full, "sealed_profile": {**fs, "phone": fs["email"]}},
        ),
        (
            "two fields swapped",
            {**full, "sealed_profile": {**fs, "name": fs["email"], "email": fs["name"]}},
        ),
        (
            "field blob moved from another client",
            {**full, "sealed_profile": {**fs, "name": other["sealed_profile"]["name"]}},
        ),
        ("row relabelled with another client key", {**full, "client_key": CLIENT_B}),
        ("whole profile moved to another client", {**other, "sealed_profile": fs}),
        ("tampered blob", {**full, "sealed_profile": {**fs, "notes": _flip(fs["notes"], 60)}}),
        ("tampered enc", {**full, "sealed_profile": {**fs, "email": _flip(fs["email"], 7)}}),
        (
            "truncated blob",
            {**full, "sealed_profile": {**fs, "phone": b64(sealing.b64d(fs["phone"])[:-1])}},
        ),
        (
            "envelope version 2",
            {**full, "sealed_profile": {**fs, "name": b64(b"\x02" + sealing.b64d(fs["name"])[1:])}},
        ),
        (
            "sealed to another tenant key",
            {**full, "sealed_profile": {**fs, "name": foreign["name"]}},
        ),
        ("sealed in another tenant", {**full, "sealed_profile": {**fs, "name": tenant_42["name"]}}),
        ("not base64url", {**full, "sealed_profile": {**fs, "birthday": fs["birthday"] + "="}}),
    ]
    profile_must_fail = []
    for name, row in profile_cases:
        error = _error(
            lambda r=row: sealing.open_profile(
                tenant_key, TENANT_ID, r["client_key"], r["sealed_profile"]
            )
        )
        profile_must_fail.append({"name": name, "row": row, "error": error})

    return {
        "about": (
            "Console vault vectors (sdk/hushbook/vault.py and sealing.py). Generated by "
            "tests/vectors/make_console_vectors.py from the Python SDK with pinned salts, "
            "nonces and ephemeral keys; do not edit by hand."
        ),
        "tenant": {
            "tenant_id": TENANT_ID,
            "key_version": KEY_VERSION,
            "seed": b64(det("tenant")),
            "public_key": tenant_public,
        },
        "members": members,
        "clients": clients,
        "unwrap_must_fail": unwrap_must_fail,
        "grant_must_fail": grant_must_fail,
        "profile_must_fail": profile_must_fail,
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
