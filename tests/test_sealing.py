"""hushbook.sealing: HPKE envelope, aad binding, vault wrapping, blind index.

Fast by design: every vault test uses the explicit low-cost scrypt argument
(log_n=10) except ``test_production_parameters_are_what_the_module_says``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import unicodedata

import pytest
from Crypto.Protocol import HPKE
from Crypto.Protocol.DH import import_x25519_private_key
from Crypto.PublicKey import ECC
from hypothesis import given, settings
from hypothesis import strategies as st

from hushbook import sealing
from hushbook.sealing import SealError

LOW = {"log_n": 10, "min_log_n": 10}  # test-only scrypt cost, passed explicitly
CLIENT_A = "0b9f5a3e-7c1d-4e2a-9f60-2d8e5b1c4a77"
CLIENT_B = "5d2c8e41-93b0-4f7a-8c15-e6a0b7d93f12"
PROFILE = {
    "name": "Zoë Kowalczyk-Brandt",
    "email": "zoe.kb+salon@example.org",
    "phone": "+49 170 9876543",
    "birthday": "1987-03-14",
    "notes": "Allergic to PPD; prefers Tuesday mornings, 🙂",
}

# Field names: the schema alphabet sealing.aad accepts.
field_names = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
profiles = st.dictionaries(field_names, st.text(max_size=200), max_size=6)


@pytest.fixture(scope="module")
def tenant() -> sealing.KeyPair:
    return sealing.generate_keypair()


@pytest.fixture(scope="module")
def other() -> sealing.KeyPair:
    return sealing.generate_keypair()


def pin_ephemeral(monkeypatch: pytest.MonkeyPatch, seed: bytes) -> None:
    """Make HPKE use a fixed ephemeral key (pycryptodome has no public hook for it)."""
    ephemeral = import_x25519_private_key(seed)
    original = HPKE.HPKE_Cipher._encap

    def encap(receiver_key, kem_id, hashmod, sender_key=None, eph_key=None):
        return original(receiver_key, kem_id, hashmod, sender_key, ephemeral)

    monkeypatch.setattr(HPKE.HPKE_Cipher, "_encap", staticmethod(encap))


def flip(data: bytes, index: int, bit: int = 0x01) -> bytes:
    out = bytearray(data)
    out[index] ^= bit
    return bytes(out)


# --- keys ---------------------------------------------------------------------


def test_key_export_import_round_trips(tenant):
    raw_pub = sealing.export_public_key(tenant.public_key)
    assert len(raw_pub) == 32
    assert sealing.export_public_key(sealing.import_public_key(raw_pub)) == raw_pub
    assert sealing.export_public_key(sealing.import_public_key(sealing.b64e(raw_pub))) == raw_pub
    # The private key's public half is the same key.
    assert sealing.export_public_key(tenant.private_key) == raw_pub

    raw = sealing.export_private_key(tenant.private_key)
    pkcs8 = sealing.export_private_key(tenant.private_key, format="pkcs8")
    assert len(raw) == 32 and pkcs8 != raw and pkcs8.endswith(raw)
    for data in (raw, pkcs8):
        key = sealing.import_private_key(data)
        assert sealing.export_private_key(key) == raw
        assert sealing.export_public_key(key) == raw_pub


def test_key_import_rejects_the_wrong_things(tenant):
    with pytest.raises(ValueError):
        sealing.import_public_key(b"\x01" * 31)
    with pytest.raises(ValueError):
        sealing.import_public_key("not base64url!")
    with pytest.raises(ValueError):
        sealing.import_private_key(b"garbage that is not a key")
    p256 = ECC.generate(curve="P-256").export_key(format="DER")
    with pytest.raises(ValueError):
        sealing.import_private_key(p256)
    with pytest.raises(TypeError):  # needs the private half
        sealing.export_private_key(tenant.public_key)


def test_keypair_repr_does_not_leak_the_private_key(tenant):
    seed = sealing.export_private_key(tenant.private_key)
    text = repr(tenant) + str(tenant)
    assert seed.hex() not in text and sealing.b64e(seed) not in text
    assert sealing.b64e(sealing.export_public_key(tenant.public_key)) in text


# --- envelope -----------------------------------------------------------------


def test_seal_open_round_trip_and_randomised(tenant):
    blob = sealing.seal(tenant.public_key, b"Anna", b"ctx")
    assert blob[0] == sealing.ENVELOPE_V1
    assert sealing.open_sealed(tenant.private_key, blob, b"ctx") == b"Anna"
    # Fresh ephemeral key each time: equal plaintexts do not give equal blobs.
    assert sealing.seal(tenant.public_key, b"Anna", b"ctx") != blob


@pytest.mark.parametrize("length", [0, 1, 30, 31, 32, 63, 64, 100])
def test_padding_hides_length_within_32_byte_buckets(tenant, length):
    blob = sealing.seal(tenant.public_key, b"x" * length, b"")
    padded = (length // 32 + 1) * 32
    assert len(blob) == 1 + 32 + padded + 16
    assert sealing.open_sealed(tenant.private_key, blob, b"") == b"x" * length


def test_wrong_key_fails(tenant, other):
    blob = sealing.seal(tenant.public_key, b"secret", b"ctx")
    with pytest.raises(SealError):
        sealing.open_sealed(other.private_key, blob, b"ctx")


def test_every_single_bit_flip_fails(tenant):
    # Version byte, every byte of enc, of the ciphertext and of the tag.
    blob = sealing.seal(tenant.public_key, b"Zoe", b"ctx")
    for index in range(len(blob)):
        for bit in (0x01, 0x80):
            with pytest.raises(SealError):
                sealing.open_sealed(tenant.private_key, flip(blob, index, bit), b"ctx")


def test_truncated_extended_or_empty_blob_fails(tenant):
    blob = sealing.seal(tenant.public_key, b"Zoe", b"ctx")
    for bad in (b"", blob[:1], blob[:33], blob[:-1], blob + b"\x00", blob + bytes(32)):
        with pytest.raises(SealError):
            sealing.open_sealed(tenant.private_key, bad, b"ctx")


def test_unknown_version_is_refused_with_a_clear_reason(tenant):
    blob = sealing.seal(tenant.public_key, b"Zoe", b"ctx")
    with pytest.raises(SealError, match="version"):
        sealing.open_sealed(tenant.private_key, b"\x02" + blob[1:], b"ctx")


def test_wrong_aad_or_purpose_fails(tenant):
    blob = sealing.seal(tenant.public_key, b"Zoe", b"ctx")
    for aad in (b"", b"ctx2", b"CTX"):
        with pytest.raises(SealError):
            sealing.open_sealed(tenant.private_key, blob, aad)
    with pytest.raises(SealError):
        sealing.open_sealed(tenant.private_key, blob, b"ctx", purpose=sealing.PURPOSE_DELIVERY)
    delivery = sealing.seal(tenant.public_key, b"Zoe", b"ctx", purpose=sealing.PURPOSE_DELIVERY)
    assert (
        sealing.open_sealed(tenant.private_key, delivery, b"ctx", purpose=sealing.PURPOSE_DELIVERY)
        == b"Zoe"
    )


def test_wrong_key_types_are_programming_errors(tenant):
    blob = sealing.seal(tenant.public_key, b"Zoe", b"ctx")
    with pytest.raises(TypeError):
        sealing.open_sealed(tenant.public_key, blob, b"ctx")
    with pytest.raises(TypeError):
        sealing.seal(ECC.generate(curve="P-256").public_key(), b"Zoe", b"ctx")


# --- associated data ----------------------------------------------------------


def test_aad_is_length_prefixed_and_pinned():
    # Pinned bytes: the browser implementation must produce exactly these.
    expected = (
        "0000000f68757368626f6f6b2f76312f61616400000001370000000663"
        "6c69656e740000002430623966356133652d376331642d346532612d39"
        "6636302d326438653562316334613737000000046e616d65"
    )
    assert sealing.aad(7, "client", CLIENT_A, "name").hex() == expected
    # Naive concatenation would make these equal.
    assert sealing.aad(1, "client", "ab", "c") != sealing.aad(1, "client", "a", "bc")
    assert sealing.aad(12, "client", "3", "x") != sealing.aad(1, "client", "23", "x")
    # Integer ids are their decimal text (ids travel as strings in JSON).
    assert sealing.aad(1, "appointment", 42, "notes") == sealing.aad(
        1, "appointment", "42", "notes"
    )


@given(
    a=st.tuples(st.integers(0, 10**6), field_names, st.text(min_size=1, max_size=30), field_names),
    b=st.tuples(st.integers(0, 10**6), field_names, st.text(min_size=1, max_size=30), field_names),
)
def test_aad_is_injective(a, b):
    assert (sealing.aad(*a) == sealing.aad(*b)) == (a == b)


@pytest.mark.parametrize(
    "args",
    [
        (True, "client", "k", "name"),  # bool is not a tenant id
        (-1, "client", "k", "name"),
        ("1", "client", "k", "name"),
        (1, "Client", "k", "name"),
        (1, "client", "k", ""),
        (1, "client", "k", "first name"),
        (1, "client", "", "name"),
        (1, "client", -5, "name"),
        (1, "client", "x" * 300, "name"),
    ],
)
def test_aad_rejects_bad_parts(args):
    with pytest.raises(ValueError):
        sealing.aad(*args)


# --- profiles -----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(profile=profiles)
def test_profile_round_trip(tenant, profile):
    sealed = sealing.seal_profile(tenant.public_key, 3, CLIENT_A, profile)
    assert set(sealed) == set(profile)  # field names stay visible
    assert all(isinstance(v, str) and v.isascii() for v in sealed.values())
    assert sealing.open_profile(tenant.private_key, 3, CLIENT_A, sealed) == profile


def test_profile_is_bound_to_tenant_record_and_field(tenant):
    sealed = sealing.seal_profile(tenant.public_key, 3, CLIENT_A, PROFILE)
    assert sealing.open_profile(tenant.private_key, 3, CLIENT_A, sealed) == PROFILE
    with pytest.raises(SealError):
        sealing.open_profile(tenant.private_key, 4, CLIENT_A, sealed)  # other tenant
    with pytest.raises(SealError):
        sealing.open_profile(tenant.private_key, 3, CLIENT_B, sealed)  # other record
    moved = {"phone": sealed["email"]}  # a blob moved to another field
    with pytest.raises(SealError, match="'phone'"):
        sealing.open_profile(tenant.private_key, 3, CLIENT_A, moved)


def test_swapping_two_clients_blobs_fails(tenant):
    a = sealing.seal_profile(tenant.public_key, 3, CLIENT_A, {"name": "Anna", "phone": "0170 1"})
    b = sealing.seal_profile(tenant.public_key, 3, CLIENT_B, {"name": "Bert", "phone": "0170 2"})
    # Whole profiles swapped between rows, and one field mixed in from the other client.
    for client_key, sealed in (
        (CLIENT_A, b),
        (CLIENT_B, a),
        (CLIENT_A, {**a, "phone": b["phone"]}),
    ):
        with pytest.raises(SealError):
            sealing.open_profile(tenant.private_key, 3, client_key, sealed)


def test_open_profile_rejects_garbage_as_seal_error(tenant):
    for bad in ("", "!!!", "AAAA", sealing.b64e(b"\x01" + bytes(80))):
        with pytest.raises(SealError):
            sealing.open_profile(tenant.private_key, 3, CLIENT_A, {"name": bad})


def test_profile_values_must_be_text(tenant):
    with pytest.raises(TypeError):
        sealing.seal_profile(tenant.public_key, 3, CLIENT_A, {"name": b"Anna"})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        sealing.seal_profile(tenant.public_key, 3, CLIENT_A, {"name": "\ud800"})  # lone surrogate


def _encodings(text: str) -> list[bytes]:
    forms = {text, unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)}
    return [f.encode(enc) for f in forms for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def test_plaintext_never_appears_in_sealed_output(tenant):
    sealed = sealing.seal_profile(tenant.public_key, 3, CLIENT_A, PROFILE)
    stored = json.dumps(sealed).encode()  # what the database holds
    haystacks = [stored, stored.decode().encode("utf-16-le")]
    haystacks += [sealing.b64d(blob) for blob in sealed.values()]
    for value in PROFILE.values():
        # The value and every word of it of 4+ characters, in each encoding.
        needles = [value] + [w for w in value.replace(";", " ").split() if len(w) >= 4]
        for needle in needles:
            for encoded in _encodings(needle):
                assert not any(encoded in hay for hay in haystacks), needle


# --- vault ----------------------------------------------------------------------

PASSPHRASE = "korrekt Pferd Batterie Heftklammer"


def test_vault_round_trip_and_wrong_passphrase(tenant):
    ctx = sealing.vault_context(3, 17)
    wrapped = sealing.wrap_private_key(tenant.private_key, PASSPHRASE, context=ctx, **LOW)
    assert json.loads(json.dumps(wrapped)) == wrapped  # plain JSON
    key = sealing.unwrap_private_key(wrapped, PASSPHRASE, context=ctx, min_log_n=10)
    assert sealing.export_private_key(key) == sealing.export_private_key(tenant.private_key)
    for wrong in ("korrekt Pferd Batterie Heftklammer ", "Korrekt Pferd Batterie Heftklammer", ""):
        with pytest.raises(SealError):
            sealing.unwrap_private_key(wrapped, wrong, context=ctx, min_log_n=10)


def test_vault_copy_moved_to_another_member_or_tenant_fails(tenant):
    wrapped = sealing.wrap_private_key(
        tenant.private_key, PASSPHRASE, context=sealing.vault_context(3, 17), **LOW
    )
    for ctx in (sealing.vault_context(3, 18), sealing.vault_context(4, 17)):
        with pytest.raises(SealError):
            sealing.unwrap_private_key(wrapped, PASSPHRASE, context=ctx, min_log_n=10)
    # The context encoding is unambiguous too.
    assert sealing.vault_context(1, 23) != sealing.vault_context(12, 3)


def test_vault_passphrase_is_nfc_normalised(tenant):
    ctx = sealing.vault_context(3, 17)
    nfd = unicodedata.normalize("NFD", "Grüße aus Köln, Straße 12")
    nfc = unicodedata.normalize("NFC", nfd)
    assert nfd != nfc
    wrapped = sealing.wrap_private_key(tenant.private_key, nfd, context=ctx, **LOW)
    sealing.unwrap_private_key(wrapped, nfc, context=ctx, min_log_n=10)


def test_vault_does_not_contain_the_key_or_passphrase(tenant):
    ctx = sealing.vault_context(3, 17)
    wrapped = sealing.wrap_private_key(tenant.private_key, PASSPHRASE, context=ctx, **LOW)
    text = json.dumps(wrapped)
    seed = sealing.export_private_key(tenant.private_key)
    assert PASSPHRASE not in text and "Pferd" not in text
    assert seed.hex() not in text and sealing.b64e(seed) not in text
    assert seed not in sealing.b64d(wrapped["ct"])


def test_vault_downgraded_parameters_are_refused(tenant):
    ctx = sealing.vault_context(3, 17)
    wrapped = sealing.wrap_private_key(tenant.private_key, PASSPHRASE, context=ctx, **LOW)
    # log_n=10 is below the production floor: refused before any derivation.
    with pytest.raises(SealError, match="floor"):
        sealing.unwrap_private_key(wrapped, PASSPHRASE, context=ctx)
    # A blob claiming production cost but edited down (r, p) is refused too.
    for edit in ({"r": 1}, {"r": 4}, {"p": 0}, {"log_n": 15}):
        with pytest.raises(SealError, match="floor"):
            sealing.unwrap_private_key({**wrapped, **edit}, PASSPHRASE, context=ctx)
    # The parameters are authenticated: raising them in the blob does not open either.
    with pytest.raises(SealError):
        sealing.unwrap_private_key({**wrapped, "log_n": 11}, PASSPHRASE, context=ctx, min_log_n=10)
    # Wrapping itself refuses a cost below the floor unless the floor is lowered explicitly.
    with pytest.raises(ValueError):
        sealing.wrap_private_key(tenant.private_key, PASSPHRASE, context=ctx, log_n=10)


def test_vault_absurd_or_malformed_blobs_are_refused(tenant):
    ctx = sealing.vault_context(3, 17)
    wrapped = sealing.wrap_private_key(tenant.private_key, PASSPHRASE, context=ctx, **LOW)
    bad_blobs = [
        {**wrapped, "log_n": 30},  # 128 GiB: would exhaust the reader's memory
        {**wrapped, "r": 64},
        {**wrapped, "p": 1000},
        {**wrapped, "v": 2},
        {**wrapped, "kdf": "pbkdf2"},
        {**wrapped, "log_n": "10"},
        {**wrapped, "log_n": True},
        {**wrapped, "salt": "short"},
        {**wrapped, "nonce": wrapped["salt"]},
        {**wrapped, "ct": wrapped["ct"][:-4]},
        {**wrapped, "ct": "!" * 64},
        {k: v for k, v in wrapped.items() if k != "salt"},
        [],
    ]
    for blob in bad_blobs:
        with pytest.raises(SealError):
            sealing.unwrap_private_key(blob, PASSPHRASE, context=ctx, min_log_n=10)  # type: ignore[arg-type]
    # Tampered ciphertext, tag or nonce.
    for name in ("ct", "nonce", "salt"):
        raw = sealing.b64d(wrapped[name])
        tampered = {**wrapped, name: sealing.b64e(flip(raw, len(raw) - 1))}
        with pytest.raises(SealError):
            sealing.unwrap_private_key(tampered, PASSPHRASE, context=ctx, min_log_n=10)


def test_production_parameters_are_what_the_module_says(tenant):
    # The one test that pays the production cost (about 0.9 s here: one wrap, one unwrap).
    assert (sealing.DEFAULT_LOG_N, sealing.SCRYPT_R, sealing.SCRYPT_P) == (17, 8, 1)
    assert (sealing.MIN_LOG_N, sealing.MAX_LOG_N) == (16, 20)
    ctx = sealing.vault_context(3, 17)
    wrapped = sealing.wrap_private_key(tenant.private_key, PASSPHRASE, context=ctx)
    assert (wrapped["v"], wrapped["kdf"], wrapped["log_n"], wrapped["r"], wrapped["p"]) == (
        1,
        "scrypt",
        17,
        8,
        1,
    )
    assert len(sealing.b64d(wrapped["salt"])) == 16
    key = sealing.unwrap_private_key(wrapped, PASSPHRASE, context=ctx)
    assert sealing.export_private_key(key) == sealing.export_private_key(tenant.private_key)


# --- blind index ----------------------------------------------------------------

INDEX_KEY = bytes(range(32))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Anna.Mueller+Salon@Example.COM\n", "anna.mueller+salon@example.com"),
        ("ANNA@EXAMPLE.DE", "anna@example.de"),
        ("e\u0301lise@example.fr", "\u00e9lise@example.fr"),  # NFD -> NFC
    ],
)
def test_normalize_email(raw, expected):
    assert sealing.normalize_email(raw) == expected


def test_email_dots_and_plus_tags_are_kept():
    index = lambda v: sealing.blind_index(INDEX_KEY, "email", v)  # noqa: E731
    assert index("anna.mueller@example.com") != index("annamueller@example.com")
    assert index("anna+salon@example.com") != index("anna@example.com")
    assert index(" ANNA@example.com ") == index("anna@EXAMPLE.com")


@pytest.mark.parametrize("bad", ["", "anna", "@example.com", "anna@", "   "])
def test_normalize_email_rejects_non_addresses(bad):
    with pytest.raises(ValueError):
        sealing.normalize_email(bad)


@pytest.mark.parametrize(
    "raw",
    [
        "0170 1234567",
        "0170-1234567",
        "0170/123 45 67",
        "(0170) 1234567",
        "+49 170 1234567",
        "+49 (0)170 1234567",
        "+49-170-123.45.67",
        "0049 170 1234567",
        "\uff10\uff11\uff17\uff10 1234567",  # full-width digits
        "\u00a00170\u00a01234567 ",  # no-break spaces
    ],
)
def test_normalize_phone_german_forms(raw):
    assert sealing.normalize_phone(raw, "49") == "+491701234567"
    assert sealing.normalize_phone(raw, "+49") == "+491701234567"


def test_normalize_phone_other_cases():
    # Without a default country code a national number stays digits only.
    assert sealing.normalize_phone("0170 1234567") == "01701234567"
    # A 0 after a country code is kept (Italy dials it).
    assert sealing.normalize_phone("+39 06 1234 5678", "49") == "+390612345678"
    # An explicit country code wins over the default.
    assert sealing.normalize_phone("+43 664 1234567", "49") == "+436641234567"
    # No prefix at all: digits, no +.
    assert sealing.normalize_phone("1234567", "49") == "1234567"
    for bad in ("", "+", "0170 CALL-ME", "12", "+49 170 1234567 ext 5", "1" * 16):
        with pytest.raises(ValueError):
            sealing.normalize_phone(bad, "49")
    for bad_cc in ("049", "abc", "", "1234"):
        with pytest.raises(ValueError):
            sealing.normalize_phone("0170 1234567", bad_cc)


@given(
    # A national number after the trunk 0 never starts with 0 ("00" is the
    # international prefix).
    digits=st.from_regex(r"[1-9][0-9]{5,10}", fullmatch=True),
    separators=st.lists(st.sampled_from([" ", "-", "/", ".", ""]), min_size=12, max_size=12),
)
def test_phone_separators_never_change_the_index(digits, separators):
    spaced = "0" + "".join(d + s for d, s in zip(digits, separators, strict=False))
    plain = "+49" + digits
    assert sealing.blind_index(
        INDEX_KEY, "phone", spaced, default_country_code="49"
    ) == sealing.blind_index(INDEX_KEY, "phone", plain)


def test_blind_index_is_keyed_truncated_and_pinned():
    value = "0170 1234567"
    ours = sealing.blind_index(INDEX_KEY, "phone", value, default_country_code="49")
    # Pinned: the browser implementation must produce exactly this.
    assert ours == "4ff091f3abd11a0394279672e02c2b71"
    assert len(ours) == 2 * sealing.BLIND_INDEX_BYTES and int(ours, 16) >= 0
    message = b"".join(
        struct.pack(">I", len(x)) + x
        for x in (b"hushbook/v1/blind-index", b"phone", b"+491701234567")
    )
    assert ours == hmac.new(INDEX_KEY, message, hashlib.sha256).hexdigest()[:32]
    other_tenant = sealing.blind_index(
        sealing.new_index_key(), "phone", value, default_country_code="49"
    )
    assert other_tenant != ours
    assert (
        sealing.blind_index(INDEX_KEY, "email", " Anna.Mueller+salon@Example.COM ")
        == "53fe3d5706f417b54730f30595f66650"
    )


def test_blind_index_rejects_weak_keys_and_unknown_kinds():
    with pytest.raises(ValueError):
        sealing.blind_index(b"short", "email", "a@b.c")
    with pytest.raises(ValueError):
        sealing.blind_index(INDEX_KEY, "name", "Anna")  # type: ignore[arg-type]


# --- vectors ----------------------------------------------------------------------


def _derive_x25519(ikm: bytes) -> bytes:
    """RFC 9180 §7.1.3 DeriveKeyPair for DHKEM(X25519, HKDF-SHA256), from first principles."""
    suite = b"KEM\x00\x20"
    prk = hmac.new(bytes(32), b"HPKE-v1" + suite + b"dkp_prk" + ikm, hashlib.sha256).digest()
    info = struct.pack(">H", 32) + b"HPKE-v1" + suite + b"sk"
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_rfc9180_vector_x25519_sha256_aes256gcm_base(monkeypatch):
    """The official vector for suite (0x0020, 0x0001, 0x0002), mode_base: the CFRG
    test-vectors.json published with RFC 9180 (that suite is in the JSON, not in the
    RFC's appendix text). Proves pycryptodome's HPKE -- with the AEAD id sealing.py
    uses -- is RFC 9180 byte for byte."""
    info = bytes.fromhex("4f6465206f6e2061204772656369616e2055726e")  # "Ode on a Grecian Urn"
    ikm_e = bytes.fromhex("2cd7c601cefb3d42a62b04b7a9041494c06c7843818e0ce28a8f704ae7ab20f9")
    ikm_r = bytes.fromhex("dac33b0e9db1b59dbbea58d59a14e7b5896e9bdf98fad6891e99d1686492b9ee")
    sk_rm = "497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d"
    pk_rm = "430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c"
    enc = "6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256"
    pt = bytes.fromhex("4265617574792069732074727574682c20747275746820626561757479")
    aad0 = bytes.fromhex("436f756e742d30")  # "Count-0"
    ct0 = (
        "e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a"
    )
    export_empty = "ded6cffafaea6b812cbf3e241e88332adbc077aca81512914213810ee291770a"
    export_test = "7c5ded445732c14fe09727d29b4251c0fd38455fe8440571e687f0886aac94d2"

    assert _derive_x25519(ikm_r).hex() == sk_rm
    receiver = import_x25519_private_key(bytes.fromhex(sk_rm))
    assert sealing.export_public_key(receiver).hex() == pk_rm

    pin_ephemeral(monkeypatch, _derive_x25519(ikm_e))
    aead = sealing._AEAD
    assert aead == HPKE.AEAD.AES256_GCM == 0x0002
    sender = HPKE.new(receiver_key=receiver.public_key(), aead_id=aead, info=info)
    assert sender.enc.hex() == enc
    assert sender.seal(pt, aad0).hex() == ct0
    assert sender.export(b"", 32).hex() == export_empty
    assert sender.export(b"TestContext", 32).hex() == export_test

    recipient = HPKE.new(receiver_key=receiver, aead_id=aead, info=info, enc=bytes.fromhex(enc))
    assert recipient.unseal(bytes.fromhex(ct0), aad0) == pt


# Hushbook's own fixed vectors: they pin the envelope, aad, padding and vault
# formats, so any change to them fails here (and a browser port checks against them).
VECTOR_RECIPIENT_SEED = hashlib.sha256(b"hushbook test recipient").digest()
VECTOR_EPHEMERAL_SEED = hashlib.sha256(b"hushbook test ephemeral").digest()
VECTOR_PUBLIC_KEY = "ksEM65GBvYKHLf-6GKUoeSeRTEbdAuvY5RMOeE4oOVs"
VECTOR_NAME_BLOB = (
    "ATmtOYCTKu7PWv3wPWMtm33PHWUwUbAlmGRk4PrXc-0yimprM0wKQKoanZb-PdgHDXbtqCC_"
    "LjUeyMbokEhVclY1VPCFPdbQDBPeJlNF-2QT"
)
VECTOR_WRAPPED = {
    "v": 1,
    "kdf": "scrypt",
    "log_n": 10,
    "r": 8,
    "p": 1,
    "salt": "WRfkTpVjVqfOHlY_dyOE8A",
    "nonce": "311qF3PUEohVO2z7",
    "ct": "0-D2WMGdUmseWzHKq3s9Qos3dfT8Ht8T7R0K7xi1NUhpq3MBn9EaBp1sbsnbaAeY",
}


def test_fixed_profile_vector_opens_and_reseals_byte_exact(monkeypatch):
    recipient = sealing.import_private_key(VECTOR_RECIPIENT_SEED)
    assert sealing.b64e(sealing.export_public_key(recipient)) == VECTOR_PUBLIC_KEY
    stored = {"name": VECTOR_NAME_BLOB}
    assert sealing.open_profile(recipient, 7, CLIENT_A, stored) == {"name": "Anna Müller"}
    pin_ephemeral(monkeypatch, VECTOR_EPHEMERAL_SEED)
    public = sealing.import_public_key(VECTOR_PUBLIC_KEY)
    assert sealing.seal_profile(public, 7, CLIENT_A, {"name": "Anna Müller"}) == stored


def test_fixed_vault_vector_unwraps():
    ctx = sealing.vault_context(7, 3)
    assert ctx.hex() == (
        "0000001968757368626f6f6b2f76312f7661756c742d636f6e7465787400000001370000000133"
    )
    key = sealing.unwrap_private_key(
        VECTOR_WRAPPED, "korrekt Pferd Batterie Heftklammer", context=ctx, min_log_n=10
    )
    assert sealing.export_private_key(key) == VECTOR_RECIPIENT_SEED


def test_only_canonical_encodings_are_read():
    """One value, one text: base64url with unused bits set and X25519 public keys
    in a non-canonical encoding are refused (as the browser side refuses them)."""
    assert sealing.b64d("AA") == b"\x00"
    with pytest.raises(ValueError):
        sealing.b64d("AB")
    key = sealing.export_public_key(sealing.generate_keypair().public_key)
    high_bit = key[:31] + bytes([key[31] | 0x80])
    too_big = (2**255 - 19 + 1).to_bytes(32, "little")
    for raw in (high_bit, too_big):
        with pytest.raises(ValueError, match="not a valid X25519 public key"):
            sealing.import_public_key(raw)
    assert sealing.export_public_key(sealing.import_public_key(key)) == key
