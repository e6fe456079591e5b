"""Write ``tests/vectors/sealing.json``: sealing vectors shared by Python and the widget.

Python (``hushbook.sealing``) is the reference: it seals every case with a
pinned HPKE ephemeral key, and the browser port (``plugins/widget/src/sealing.js``)
must reproduce each blob byte for byte, open each one, and refuse each
``must_fail`` case with the same message. Deterministic: every key is the
SHA-256 of a label, so rerunning gives the same file.

    .venv/bin/python tests/vectors/make_sealing_vectors.py

Run it after a deliberate format change; ``tests/test_widget_sealing.py`` fails
while the committed file differs from what this script produces.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from Crypto.Protocol import HPKE
from Crypto.Protocol.DH import import_x25519_private_key

from hushbook import sealing

PATH = Path(__file__).with_name("sealing.json")

# The same recipient as the fixed vectors in tests/test_sealing.py.
RECIPIENT_SEED = hashlib.sha256(b"hushbook test recipient").digest()
CLIENT_A = "0b9f5a3e-7c1d-4e2a-9f60-2d8e5b1c4a77"
CLIENT_B = "5d2c8e41-93b0-4f7a-8c15-e6a0b7d93f12"
CLIENT_C = "e3a1c0de-2b7f-4c99-b1d4-77f0a5e6c3b8"
TEST_SEALING_NAME_BLOB = (  # VECTOR_NAME_BLOB in tests/test_sealing.py
    "ATmtOYCTKu7PWv3wPWMtm33PHWUwUbAlmGRk4PrXc-0yimprM0wKQKoanZb-PdgHDXbtqCC_"
    "LjUeyMbokEhVclY1VPCFPdbQDBPeJlNF-2QT"
)
MAX_SAFE = 2**53 - 1  # the largest tenant id a JavaScript number holds exactly


def seed(label: str) -> bytes:
    if label == "umlauts":  # the fixed vector of tests/test_sealing.py: both suites pin it
        return hashlib.sha256(b"hushbook test ephemeral").digest()
    return hashlib.sha256(b"hushbook vector ephemeral " + label.encode()).digest()


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


def fit(text: str, length: int) -> str:
    """``text`` filled with dots to exactly ``length`` UTF-8 bytes (padding edge cases)."""
    fill = length - len(text.encode())
    assert fill >= 0, (text, length)
    return text + "." * fill


# (case name, purpose, tenant id, record kind, record id, field, plaintext)
SEAL_CASES: list[tuple[str, str, int, str, int | str, str, str]] = [
    ("ascii name", "client-field", 7, "client", CLIENT_A, "name", "Anna Schmidt"),
    ("umlauts", "client-field", 7, "client", CLIENT_A, "name", "Anna Müller"),
    (
        "eszett and umlauts",
        "client-field",
        1,
        "client",
        CLIENT_B,
        "name",
        "Jürgen Weiß-Größe, Öhringer Straße",
    ),
    (
        "emoji",
        "client-field",
        1,
        "client",
        CLIENT_B,
        "notes",
        "Färben 💇\u200d♀️ bitte ohne Ammoniak 🙂🌈",
    ),
    ("0 bytes", "client-field", 3, "client", CLIENT_C, "notes", ""),
    (
        "31 bytes",
        "client-field",
        3,
        "client",
        CLIENT_C,
        "email",
        fit("anna.mueller@example.de", 31),
    ),
    ("32 bytes", "client-field", 3, "client", CLIENT_C, "email", fit("zoë@müller-straße.de", 32)),
    ("33 bytes", "client-field", 3, "client", CLIENT_C, "phone", fit("+49 170 9876543 ☎", 33)),
    (
        "100 bytes",
        "client-field",
        3,
        "client",
        CLIENT_C,
        "notes",
        fit("Allergisch gegen PPD; dienstags früh, 🙂", 100),
    ),
    ("tenant 0", "client-field", 0, "client", CLIENT_A, "birthday", "1987-03-14"),
    ("largest safe tenant id", "client-field", MAX_SAFE, "client", CLIENT_A, "name", "Zoë"),
    ("integer record id", "client-field", 12, "appointment", 42, "notes", "Strähnchen, 90 min"),
    ("non-ascii record id", "client-field", 12, "client", "kundin-ä-7", "name", "Ärzte-Tag"),
    ("delivery purpose", "delivery-contact", 7, "reminder", 9, "email", "anna@example.de"),
]

PROFILES: list[tuple[str, int, str, dict[str, str]]] = [
    (
        "full profile",
        3,
        CLIENT_A,
        {
            "name": "Zoë Kowalczyk-Brandt",
            "email": "zoe.kb+salon@example.org",
            "phone": "+49 170 9876543",
            "notes": "Allergisch gegen PPD; dienstags früh 🙂 — Straße & Weiß",
            "birthday": "1987-03-14",
        },
    ),
    ("other tenant and client", 12, CLIENT_B, {"name": "Jürgen Groß", "phone": "0170 1234567"}),
    ("empty value", 7, CLIENT_C, {"name": "Émile", "notes": ""}),
]


def _case(purpose: str, tenant: int, kind: str, record: int | str, field: str) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "tenant_id": tenant,
        "record_kind": kind,
        "record_id": record,
        "field": field,
    }


def _aad(case: dict[str, Any]) -> bytes:
    return sealing.aad(case["tenant_id"], case["record_kind"], case["record_id"], case["field"])


def _seal(public: Any, plaintext: bytes, case: dict[str, Any], ephemeral: bytes) -> bytes:
    with pinned([ephemeral]):
        return sealing.seal(public, plaintext, _aad(case), purpose=case["purpose"])


def _raw_hpke(public: Any, padded: bytes, case: dict[str, Any], ephemeral: bytes) -> bytes:
    """Format 1 around a plaintext that skips ``_pad``: authentic, badly padded."""
    info = b"hushbook/v1/" + case["purpose"].encode()
    with pinned([ephemeral]):
        context = HPKE.new(receiver_key=public, aead_id=HPKE.AEAD.AES256_GCM, info=info)
        return b"\x01" + context.enc + context.seal(padded, _aad(case))


def _flip(blob: bytes, index: int, bit: int = 0x01) -> bytes:
    out = bytearray(blob)
    out[index] ^= bit
    return bytes(out)


def build() -> dict[str, Any]:
    recipient = sealing.import_private_key(RECIPIENT_SEED)
    public = recipient.public_key()
    b64 = sealing.b64e

    aads = []
    for args in [
        (7, "client", CLIENT_A, "name"),  # pinned in tests/test_sealing.py as well
        (0, "client", "a", "x"),
        (MAX_SAFE, "appointment", 42, "notes"),
        (12, "client", "kundin-ä-7", "first_name_2"),
    ]:
        aads.append({**_case("client-field", *args), "hex": sealing.aad(*args).hex()})
    for entry in aads:
        del entry["purpose"]

    seals = []
    for name, purpose, tenant, kind, record, field, text in SEAL_CASES:
        case = _case(purpose, tenant, kind, record, field)
        ephemeral = seed(name)
        blob = _seal(public, text.encode(), case, ephemeral)
        assert sealing.open_sealed(recipient, blob, _aad(case), purpose=purpose) == text.encode()
        if name == "umlauts":
            assert b64(blob) == TEST_SEALING_NAME_BLOB
        seals.append(
            {
                "name": name,
                **case,
                "plaintext": text,
                "utf8_length": len(text.encode()),
                "ephemeral_seed": b64(ephemeral),
                "blob": b64(blob),
            }
        )
    profiles = []
    for name, tenant, client_key, profile in PROFILES:
        seeds = {field: seed(f"{name}/{field}") for field in profile}
        with pinned(list(seeds.values())):  # seal_profile seals fields in dict order
            sealed = sealing.seal_profile(public, tenant, client_key, profile)
        assert sealing.open_profile(recipient, tenant, client_key, sealed) == profile
        profiles.append(
            {
                "name": name,
                "tenant_id": tenant,
                "client_key": client_key,
                "profile": profile,
                "ephemeral_seeds": {field: b64(s) for field, s in seeds.items()},
                "sealed": sealed,
            }
        )

    # Must-fail cases: a good blob opened in the wrong context, or a bad blob.
    base = _case("client-field", 3, "client", CLIENT_A, "email")
    good = _seal(public, b"zoe.kb+salon@example.org", base, seed("must fail base"))
    other = sealing.import_public_key(
        sealing.export_public_key(sealing.import_private_key(hashlib.sha256(b"other").digest()))
    )
    failures: list[tuple[str, bytes, dict[str, Any]]] = [
        ("tampered ciphertext byte", _flip(good, 40), base),
        ("tampered tag byte", _flip(good, len(good) - 1), base),
        ("tampered enc byte", _flip(good, 5), base),
        # X25519 ignores the top bit of a u-coordinate, so only the kem_context catches this one.
        ("enc top bit flipped", _flip(good, 32, 0x80), base),
        ("wrong field in aad", good, {**base, "field": "phone"}),
        ("wrong tenant", good, {**base, "tenant_id": 4}),
        ("wrong client key", good, {**base, "record_id": CLIENT_B}),
        ("wrong record kind", good, {**base, "record_kind": "staff"}),
        ("wrong purpose", good, {**base, "purpose": "delivery-contact"}),
        ("truncated by one byte", good[:-1], base),
        ("truncated to version and enc", good[:33], base),
        ("extended by one block", good + bytes(32), base),
        ("wrong version byte 0x02", b"\x02" + good[1:], base),
        ("wrong version byte 0x00", b"\x00" + good[1:], base),
        ("empty", b"", base),
        ("low-order enc (all zero)", good[:1] + bytes(32) + good[33:], base),
        ("sealed to another recipient", _seal(other, b"zoe", base, seed("other recipient")), base),
        (
            "authentic but no padding marker",
            _raw_hpke(public, bytes(32), base, seed("bad pad 1")),
            base,
        ),
        (
            "authentic but padding byte is 0x81",
            _raw_hpke(public, b"zoe\x81" + bytes(28), base, seed("bad pad 2")),
            base,
        ),
    ]
    must_fail = []
    for name, blob, case in failures:
        try:
            sealing.open_sealed(recipient, blob, _aad(case), purpose=case["purpose"])
        except sealing.SealError as exc:
            error = str(exc)
        else:
            raise AssertionError(f"must-fail case {name!r} opened")
        must_fail.append({"name": name, **case, "blob": b64(blob), "error": error})

    return {
        "about": (
            "Shared sealing vectors (envelope format 1, see sdk/hushbook/sealing.py). "
            "Generated by tests/vectors/make_sealing_vectors.py from the Python "
            "implementation with pinned ephemeral keys; do not edit by hand."
        ),
        "format": sealing.ENVELOPE_V1,
        "recipient": {
            "seed": b64(RECIPIENT_SEED),
            "public_key": b64(sealing.export_public_key(public)),
        },
        "aad": aads,
        "seal": seals,
        "profiles": profiles,
        "must_fail": must_fail,
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
