"""Sealing of client data: the cryptographic core of zero-access (docs/threat-model.md).

Pure module (standard library + pycryptodome). It ships in the SDK and the
service imports it from here, so there is exactly one implementation of every
format below. A browser implementation must follow this docstring byte for
byte; the fixed vectors in ``tests/test_sealing.py`` pin it.

What it provides
----------------
* X25519 key pairs for tenants (and for reminder delivery keys).
* ``seal`` / ``open_sealed``: HPKE (RFC 9180) base mode, suite
  DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM, i.e. suite ids
  (0x0020, 0x0001, 0x0002), in a versioned envelope.
* ``aad``: associated data binding a ciphertext to tenant, record and field.
* ``seal_profile`` / ``open_profile``: one sealed blob per profile field.
* ``wrap_private_key`` / ``unwrap_private_key``: the tenant private key
  wrapped under a staff member's vault passphrase (scrypt + AES-256-GCM).
* ``blind_index``: keyed, truncated HMAC of a normalised e-mail or phone
  number, for "is this client already known?" without storing the contact.

Envelope, format 1 (the output of ``seal``)
-------------------------------------------
::

    blob = 0x01 || enc || ct
    0x01    1 byte, format version; it fixes the suite above, base mode, and
            the padding rule below. Any other first byte is refused.
    enc     32 bytes, HPKE encapsulated key (the sender's ephemeral X25519
            public key, RFC 7748 encoding).
    ct      HPKE ``Seal`` of the padded plaintext at sequence number 0, i.e.
            AES-256-GCM ciphertext || 16-byte tag.
    info    b"hushbook/v1/" + purpose (ASCII), e.g. b"hushbook/v1/client-field".
    aad     the caller's associated data, passed to HPKE unchanged.
    padded  plaintext || 0x80 || 0x00 * k, with the smallest k >= 0 that makes
            the length a multiple of 32 (ISO/IEC 7816-4 padding). Why: the
            length of a name or an e-mail address says something about it;
            padding to 32-byte buckets hides it for every short field and
            coarsens it for notes.

So a sealed value is 49 bytes + the padded plaintext (at least 32 bytes):
81 bytes for anything up to 31 bytes of UTF-8. In JSON and in the database,
blobs are base64url without padding ("=").

Associated data (``aad``)
-------------------------
::

    aad = LP("hushbook/v1/aad") || LP(decimal(tenant_id)) || LP(record_kind)
          || LP(record_id) || LP(field)
    LP(s) = uint32_be(len(utf8(s))) || utf8(s)

Length prefixes make the encoding injective: ("ab", "c") and ("a", "bc")
cannot collide, which naive concatenation with a separator cannot promise
once values may contain the separator. An integer record id is written in
decimal, so 5 and "5" name the same record (ids travel through JSON and
URLs as strings). ``record_kind`` and field names are schema names
(``[a-z][a-z0-9_]{0,63}``), never data: they stay visible in the database.

Record id: a sealer-chosen client key
-------------------------------------
A client's database id does not exist before the row is inserted, and the
party that seals (the booking widget in a customer's browser, or a staff
member's SDK) is not the party that inserts (the service). So the record id
bound into the aad is a random *client key* (``new_client_key()``, a UUID4
string) chosen by the sealer, sent along with the sealed profile and stored
in the client row (unique per tenant). Sealing needs no round trip and no
second write after the insert, and the service never chooses what the
ciphertexts are bound to. Every field of one client is bound to the same key,
so the service cannot combine the name of one client with the phone number of
another, nor move a blob to another field or tenant.

Not covered by the aad: the service can hand back an *older* blob of the same
field of the same client (rollback), or relabel whole rows (swap the client
key together with all its blobs); readers who care compare what they open
against the row's visible figures.

Vault (``wrap_private_key``), format 1
--------------------------------------
A JSON object::

    {"v": 1, "kdf": "scrypt", "log_n": 17, "r": 8, "p": 1,
     "salt": b64url(16 bytes), "nonce": b64url(12 bytes),
     "ct": b64url(AES-256-GCM(raw 32-byte X25519 private key) || tag)}

    key = scrypt(utf8(NFC(passphrase)), salt, N = 2**log_n, r, p, dkLen = 32)
    aad = LP("hushbook/v1/vault-key") || LP("1") || LP("scrypt")
          || LP(decimal(log_n)) || LP(decimal(r)) || LP(decimal(p)) || LP(context)

``context`` names the tenant and the member (``vault_context``), so a wrapped
copy moved to another member's row does not open. The parameters are read
from the blob, so they can be raised later, but unwrapping refuses anything
below a floor (N = 2**16, r = 8: downgrade protection, because the blob comes
from the server, which is not trusted) and above a ceiling (N = 2**20,
1 GiB of memory: a hostile blob must not exhaust a phone). The production
default N = 2**17, r = 8, p = 1 (128 MiB) costs about 0.4 s per unwrap on the
reference machine (``bench/sealing.py`` prints the figure). The passphrase is
NFC-normalised first so that the same passphrase typed on macOS (NFD) and
elsewhere gives the same key.

Blind index
-----------
``blind_index(key, kind, value)`` = hex(first 16 bytes of HMAC-SHA256(key,
LP("hushbook/v1/blind-index") || LP(kind) || LP(normalised value))), 32 hex
characters (hex, not base64, so a case-insensitive database collation cannot
merge two indexes). Normalisation:

* e-mail: Unicode NFC, trimmed, lower-cased. Dots and "+tags" are kept:
  whether they matter is up to each provider (Gmail ignores dots, most
  providers do not), and merging two different people's mailboxes would link
  their records -- a worse failure than missing a returning client.
* phone: NFKC (full-width digits become ASCII), trimmed, separators
  (space, ``-``, ``.``, ``/``, brackets) removed, ``+49 (0)170`` written
  trunk prefix dropped; ``+`` or ``00`` starts an international number;
  a single leading ``0`` is a national trunk prefix and, given
  ``default_country_code``, becomes ``+<cc>`` (``0170 1234567`` with "49" ->
  ``+491701234567``); anything else stays digits only. No per-country rules
  beyond that (Italian numbers keep their 0 after +39, so a ``0`` after a
  country code is never dropped).

What it leaks: within one tenant, which rows share a contact (equal
normalised values give equal indexes) and how many clients share one. Across
tenants nothing: each tenant has its own index key. Whoever holds the index
key can test guesses, and phone numbers are few enough (~10^10 per country)
to enumerate, so the index key deserves the same protection as the tenant
private key. 128 bits keep accidental collisions out of reach (2^64 values
before a birthday collision).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, TypedDict

from Crypto.Cipher import AES
from Crypto.Protocol import HPKE
from Crypto.Protocol.DH import import_x25519_private_key, import_x25519_public_key
from Crypto.PublicKey import ECC
from Crypto.PublicKey.ECC import EccKey

__all__ = [
    "BLIND_INDEX_BYTES",
    "DEFAULT_LOG_N",
    "ENVELOPE_V1",
    "MAX_LOG_N",
    "MIN_LOG_N",
    "PAD_BLOCK",
    "PROFILE_RECORD_KIND",
    "PURPOSE_DELIVERY",
    "PURPOSE_FIELD",
    "SCRYPT_P",
    "SCRYPT_R",
    "KeyPair",
    "SealError",
    "WrappedKey",
    "aad",
    "b64d",
    "b64e",
    "blind_index",
    "export_private_key",
    "export_public_key",
    "generate_keypair",
    "import_private_key",
    "import_public_key",
    "new_client_key",
    "new_index_key",
    "normalize_email",
    "normalize_phone",
    "open_profile",
    "open_sealed",
    "seal",
    "seal_profile",
    "unwrap_private_key",
    "vault_context",
    "wrap_private_key",
]

CURVE: Final = "Curve25519"
KEY_LEN: Final = 32

ENVELOPE_V1: Final = 0x01
_AEAD: Final = HPKE.AEAD.AES256_GCM
_TAG_LEN: Final = 16
PAD_BLOCK: Final = 32
_MIN_BLOB: Final = 1 + KEY_LEN + PAD_BLOCK + _TAG_LEN

PURPOSE_FIELD: Final = "client-field"
PURPOSE_DELIVERY: Final = "delivery-contact"
PROFILE_RECORD_KIND: Final = "client"
PURPOSE_GRANT: Final = "tenant-key-grant"

VAULT_FORMAT: Final = 1
DEFAULT_LOG_N: Final = 17
MIN_LOG_N: Final = 16
MAX_LOG_N: Final = 20
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
_MAX_R: Final = 16
_MAX_P: Final = 4
_MAX_SCRYPT_MEMORY: Final = 1 << 30
_SALT_LEN: Final = 16
_NONCE_LEN: Final = 12

BLIND_INDEX_BYTES: Final = 16
_MIN_INDEX_KEY: Final = 32

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_PURPOSE = re.compile(r"[a-z][a-z0-9-]{0,31}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_PHONE_SEPARATORS = re.compile(r"[\s\-./()]")
_MAX_RECORD_ID = 256


class SealError(Exception):
    """Opening failed: wrong key or passphrase, tampered, truncated or misplaced data.

    One type for every failure, so callers handle one thing. A wrong key, a
    wrong context and tampering all read the same (no oracle); only facts that
    are visible in the blob anyway (version, length, parameters) get their own
    message. Messages never carry plaintext.
    """


# --- encoding helpers ---------------------------------------------------------


def b64e(data: bytes) -> str:
    """base64url without padding: the form of every blob and key in JSON."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Strict inverse of :func:`b64e` (the lenient stdlib decoder skips junk)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if b64e(raw) != text:  # unused trailing bits set: "AB" would read as "AA"
        raise ValueError("not base64url")
    return raw


def _lp(*items: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(item)) + item for item in items)


def _utf8(text: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} is not valid Unicode text") from None


def _check_id(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer")


# --- keys ---------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class KeyPair:
    """A tenant's (or a delivery) X25519 key pair."""

    private_key: EccKey
    public_key: EccKey

    def __repr__(self) -> str:
        # EccKey's own repr prints the private seed; keep it out of logs.
        return f"KeyPair(public_key={b64e(export_public_key(self.public_key))!r})"


def _require_x25519(key: object, *, private: bool = False) -> EccKey:
    if not isinstance(key, EccKey) or key.curve != CURVE:
        raise TypeError("expected an X25519 key (Crypto.PublicKey.ECC, curve Curve25519)")
    if private and not key.has_private():
        raise TypeError("expected the private key")
    return key


def generate_keypair() -> KeyPair:
    private = ECC.generate(curve=CURVE)
    return KeyPair(private_key=private, public_key=private.public_key())


def export_public_key(key: EccKey) -> bytes:
    """The raw 32-byte public key (RFC 7748); ``b64e`` of it goes into JSON."""
    return _require_x25519(key).public_key().export_key(format="raw")


def import_public_key(data: bytes | str) -> EccKey:
    """From raw 32 bytes, or their base64url text."""
    raw = b64d(data) if isinstance(data, str) else bytes(data)
    if len(raw) != KEY_LEN:
        raise ValueError("an X25519 public key is 32 bytes")
    # Canonical encodings only (top bit clear, u < 2**255 - 19): HPKE binds the key's
    # bytes into its key schedule, so a re-encoded key would not interoperate with
    # implementations that use the bytes as given (the browser's refuses them).
    if int.from_bytes(raw, "little") >= 2**255 - 19:
        raise ValueError("not a valid X25519 public key")
    try:
        return import_x25519_public_key(raw)
    except ValueError:
        raise ValueError("not a valid X25519 public key") from None


def export_private_key(key: EccKey, *, format: Literal["raw", "pkcs8"] = "raw") -> bytes:
    """Raw 32 bytes (RFC 7748, what the vault wraps) or PKCS#8 DER."""
    key = _require_x25519(key, private=True)
    if format == "raw":
        return bytes(key.seed)
    if format == "pkcs8":
        return key.export_key(format="DER")
    raise ValueError("format must be 'raw' or 'pkcs8'")


def import_private_key(data: bytes) -> EccKey:
    """From raw 32 bytes or unencrypted PKCS#8 DER."""
    data = bytes(data)
    try:
        key = import_x25519_private_key(data) if len(data) == KEY_LEN else ECC.import_key(data)
    except (ValueError, IndexError, TypeError):
        raise ValueError("not an X25519 private key") from None
    if key.curve != CURVE or not key.has_private():
        raise ValueError("not an X25519 private key")
    return key


# --- envelope -----------------------------------------------------------------


def _info(purpose: str) -> bytes:
    if not isinstance(purpose, str) or not _PURPOSE.fullmatch(purpose):
        raise ValueError("purpose must match [a-z][a-z0-9-]{0,31}")
    return b"hushbook/v1/" + purpose.encode("ascii")


def _pad(data: bytes) -> bytes:
    total = -(-(len(data) + 1) // PAD_BLOCK) * PAD_BLOCK
    return data + b"\x80" + bytes(total - len(data) - 1)


def _unpad(padded: bytes) -> bytes:
    # Runs only on authenticated plaintext, so it is no padding oracle.
    body = padded.rstrip(b"\x00")
    if not body or body[-1] != 0x80:
        raise SealError("sealed value has invalid padding")
    return body[:-1]


def seal(
    public_key: EccKey, plaintext: bytes, aad: bytes, *, purpose: str = PURPOSE_FIELD
) -> bytes:
    """Seal ``plaintext`` to ``public_key``, bound to ``aad``: envelope format 1."""
    receiver = _require_x25519(public_key).public_key()  # a private key seals to its public half
    context = HPKE.new(receiver_key=receiver, aead_id=_AEAD, info=_info(purpose))
    # One HPKE context per value (sequence 0 only): every field opens on its
    # own and can be re-sealed without touching the others.
    ciphertext = context.seal(_pad(bytes(plaintext)), bytes(aad))
    return bytes([ENVELOPE_V1]) + context.enc + ciphertext


def open_sealed(
    private_key: EccKey, blob: bytes, aad: bytes, *, purpose: str = PURPOSE_FIELD
) -> bytes:
    """Open a blob from :func:`seal`; :class:`SealError` on any failure."""
    key = _require_x25519(private_key, private=True)
    info = _info(purpose)
    blob = bytes(blob)
    if len(blob) < 1:
        raise SealError("sealed value is empty")
    if blob[0] != ENVELOPE_V1:
        raise SealError("unsupported envelope version")
    if len(blob) < _MIN_BLOB or (len(blob) - _MIN_BLOB) % PAD_BLOCK:
        raise SealError("sealed value has the wrong length")
    enc, ciphertext = blob[1 : 1 + KEY_LEN], blob[1 + KEY_LEN :]
    try:
        context = HPKE.new(receiver_key=key, aead_id=_AEAD, info=info, enc=enc)
        padded = context.unseal(ciphertext, bytes(aad))
    except ValueError:  # HPKE.DeserializeError is a ValueError too
        raise SealError("cannot open sealed value (wrong key, wrong context or tampered)") from None
    return _unpad(padded)


# --- associated data and profiles ---------------------------------------------


def aad(tenant_id: int, record_kind: str, record_id: int | str, field: str) -> bytes:
    """Associated data binding a ciphertext to tenant, record and field (see module doc)."""
    _check_id(tenant_id, "tenant_id")
    for name, what in ((record_kind, "record_kind"), (field, "field")):
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(f"{what} must match [a-z][a-z0-9_]{{0,63}}")
    if isinstance(record_id, int):
        _check_id(record_id, "record_id")
        rid = str(record_id).encode("ascii")
    elif isinstance(record_id, str) and record_id:
        rid = _utf8(record_id, "record_id")
    else:
        raise ValueError("record_id must be a non-negative integer or a non-empty string")
    if len(rid) > _MAX_RECORD_ID:
        raise ValueError("record_id is too long")
    return _lp(
        b"hushbook/v1/aad",
        str(tenant_id).encode("ascii"),
        record_kind.encode("ascii"),
        rid,
        field.encode("ascii"),
    )


def new_client_key() -> str:
    """A fresh random client key (UUID4 text): the record id sealed profiles bind to."""
    return str(uuid.uuid4())


def seal_profile(
    public_key: EccKey, tenant_id: int, client_key: int | str, profile: Mapping[str, str]
) -> dict[str, str]:
    """Seal each field separately: field names stay visible, values become base64url blobs."""
    sealed: dict[str, str] = {}
    for field, value in profile.items():
        if not isinstance(value, str):
            raise TypeError(f"profile field {field!r} must be text")
        binding = aad(tenant_id, PROFILE_RECORD_KIND, client_key, field)
        sealed[field] = b64e(seal(public_key, _utf8(value, f"profile field {field!r}"), binding))
    return sealed


def open_profile(
    private_key: EccKey, tenant_id: int, client_key: int | str, sealed: Mapping[str, str]
) -> dict[str, str]:
    """Inverse of :func:`seal_profile`; :class:`SealError` naming the field on any failure."""
    profile: dict[str, str] = {}
    for field, text in sealed.items():
        binding = aad(tenant_id, PROFILE_RECORD_KIND, client_key, field)
        try:
            plaintext = open_sealed(private_key, b64d(text), binding)
            profile[field] = plaintext.decode("utf-8")
        except (SealError, ValueError, UnicodeDecodeError):
            # Field names are schema names, never data: safe in a message.
            raise SealError(f"cannot open profile field {field!r}") from None
    return profile


# --- grants: the tenant key sealed to one member ----------------------------------


def seal_grant(
    member_public_key: EccKey, tenant_private_key: EccKey, tenant_id: int, member_id: int
) -> str:
    """The tenant private key sealed to a member's public key (base64url): a read grant.
    Bound to tenant and member, so a grant row cannot be handed to someone else."""
    binding = aad(tenant_id, "grant", member_id, "tenant_key")
    raw = export_private_key(tenant_private_key)
    return b64e(seal(member_public_key, raw, binding, purpose=PURPOSE_GRANT))


def open_grant(member_private_key: EccKey, sealed: str, tenant_id: int, member_id: int) -> EccKey:
    binding = aad(tenant_id, "grant", member_id, "tenant_key")
    try:
        raw = open_sealed(member_private_key, b64d(sealed), binding, purpose=PURPOSE_GRANT)
        return import_private_key(raw)
    except (SealError, ValueError):
        raise SealError("cannot open the grant") from None


# --- vault: the private key wrapped under a member's passphrase ----------------


class WrappedKey(TypedDict):
    v: int
    kdf: str
    log_n: int
    r: int
    p: int
    salt: str
    nonce: str
    ct: str


def vault_context(tenant_id: int, member_id: int | str) -> bytes:
    """The ``context`` for a member's wrapped copy: tenant and member, unambiguously."""
    _check_id(tenant_id, "tenant_id")
    if isinstance(member_id, int):
        _check_id(member_id, "member_id")
    elif not isinstance(member_id, str) or not member_id:
        raise ValueError("member_id must be a non-negative integer or a non-empty string")
    return _lp(
        b"hushbook/v1/vault-context",
        str(tenant_id).encode("ascii"),
        _utf8(str(member_id), "member_id"),
    )


def _scrypt(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    secret = _utf8(unicodedata.normalize("NFC", passphrase), "passphrase")
    n = 1 << log_n
    return hashlib.scrypt(
        secret, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=128 * r * (n + p) + (1 << 24)
    )


def _vault_aad(log_n: int, r: int, p: int, context: bytes) -> bytes:
    # The parameters are authenticated as well as the context: a blob whose
    # numbers were edited fails as a whole rather than deriving some other key.
    def dec(x: int) -> bytes:
        return str(x).encode("ascii")

    return _lp(
        b"hushbook/v1/vault-key", dec(VAULT_FORMAT), b"scrypt", dec(log_n), dec(r), dec(p), context
    )


def _check_context(context: object) -> bytes:
    if not isinstance(context, bytes | bytearray) or not context:
        raise ValueError("context must be non-empty bytes naming tenant and member")
    return bytes(context)


def wrap_private_key(
    private_key: EccKey,
    passphrase: str,
    *,
    context: bytes,
    log_n: int = DEFAULT_LOG_N,
    min_log_n: int = MIN_LOG_N,
) -> WrappedKey:
    """Wrap the private key for one member (format in the module doc).

    ``log_n`` and ``min_log_n`` below the defaults are for tests only.
    """
    seed = export_private_key(private_key)
    context = _check_context(context)
    if not isinstance(passphrase, str) or not passphrase:
        raise ValueError("passphrase must be a non-empty string")
    if not min_log_n <= log_n <= MAX_LOG_N:
        raise ValueError(f"log_n must be between {min_log_n} and {MAX_LOG_N}")
    salt = secrets.token_bytes(_SALT_LEN)
    nonce = secrets.token_bytes(_NONCE_LEN)
    key = _scrypt(passphrase, salt, log_n, SCRYPT_R, SCRYPT_P)
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=_TAG_LEN)
    cipher.update(_vault_aad(log_n, SCRYPT_R, SCRYPT_P, context))
    ciphertext, tag = cipher.encrypt_and_digest(seed)
    return WrappedKey(
        v=VAULT_FORMAT,
        kdf="scrypt",
        log_n=log_n,
        r=SCRYPT_R,
        p=SCRYPT_P,
        salt=b64e(salt),
        nonce=b64e(nonce),
        ct=b64e(ciphertext + tag),
    )


def _int_field(wrapped: Mapping[str, object], name: str) -> int:
    value = wrapped.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SealError(f"wrapped key: {name} must be an integer")
    return value


def _bytes_field(wrapped: Mapping[str, object], name: str, lengths: range) -> bytes:
    value = wrapped.get(name)
    try:
        raw = b64d(value)  # type: ignore[arg-type]  # b64d rejects non-strings
    except ValueError:
        raise SealError(f"wrapped key: {name} is not base64url") from None
    if len(raw) not in lengths:
        raise SealError(f"wrapped key: {name} has the wrong length")
    return raw


def unwrap_private_key(
    wrapped: Mapping[str, object],
    passphrase: str,
    *,
    context: bytes,
    min_log_n: int = MIN_LOG_N,
) -> EccKey:
    """Unwrap a member's copy (format in the module doc).

    :class:`SealError` on a wrong passphrase or context, a tampered blob, or
    parameters outside the floor and ceiling. ``min_log_n`` lower: tests only.
    """
    context = _check_context(context)
    if not isinstance(wrapped, Mapping):
        raise SealError("wrapped key must be a JSON object")
    if wrapped.get("v") != VAULT_FORMAT or wrapped.get("kdf") != "scrypt":
        raise SealError("unsupported wrapped-key format")
    log_n, r, p = (_int_field(wrapped, name) for name in ("log_n", "r", "p"))
    # The blob comes from the server: refuse a cheapened derivation (downgrade)
    # and one so expensive that it would exhaust the reader's memory.
    if log_n < min_log_n or r < SCRYPT_R or p < 1:
        raise SealError("wrapped key: scrypt parameters below the floor (refused)")
    if log_n > MAX_LOG_N or r > _MAX_R or p > _MAX_P or 128 * r * (1 << log_n) > _MAX_SCRYPT_MEMORY:
        raise SealError("wrapped key: scrypt parameters above the limit (refused)")
    salt = _bytes_field(wrapped, "salt", range(_SALT_LEN, 65))
    nonce = _bytes_field(wrapped, "nonce", range(_NONCE_LEN, _NONCE_LEN + 1))
    sealed = _bytes_field(wrapped, "ct", range(KEY_LEN + _TAG_LEN, KEY_LEN + _TAG_LEN + 1))
    if not isinstance(passphrase, str):
        raise TypeError("passphrase must be a string")
    key = _scrypt(passphrase, salt, log_n, r, p)
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=_TAG_LEN)
    cipher.update(_vault_aad(log_n, r, p, context))
    try:
        seed = cipher.decrypt_and_verify(sealed[:KEY_LEN], sealed[KEY_LEN:])
    except ValueError:
        raise SealError("cannot unwrap: wrong passphrase, other member, or tampered") from None
    return import_x25519_private_key(seed)


# --- blind index ----------------------------------------------------------------


def new_index_key() -> bytes:
    """A fresh per-tenant blind-index key (32 random bytes)."""
    return secrets.token_bytes(32)


def normalize_email(value: str) -> str:
    """NFC, trimmed, lower-cased; dots and +tags kept (see module doc for why)."""
    text = unicodedata.normalize("NFC", value).strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise ValueError("not an e-mail address")
    return text


def _country_code(code: str) -> str:
    digits = code.strip().removeprefix("+")
    if not (digits.isascii() and digits.isdigit() and 1 <= len(digits) <= 3) or digits[0] == "0":
        raise ValueError("default_country_code must be 1-3 digits, e.g. '49'")
    return digits


def normalize_phone(value: str, default_country_code: str | None = None) -> str:
    """Digits, with a leading ``+`` when the number is international (see module doc)."""
    text = unicodedata.normalize("NFKC", value).strip()
    if text.startswith("+"):
        # "+49 (0)170 …": the bracketed trunk prefix is never dialled after a country code.
        text = text.replace("(0)", "", 1)
    compact = _PHONE_SEPARATORS.sub("", text)
    if compact.startswith("+"):
        plus, digits = True, compact[1:]
    elif compact.startswith("00"):
        plus, digits = True, compact[2:]
    elif compact.startswith("0") and default_country_code is not None:
        plus, digits = True, _country_code(default_country_code) + compact[1:]
    else:
        plus, digits = False, compact
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("a phone number holds only digits, separators and a leading +")
    if not 3 <= len(digits) <= 15:  # E.164: at most 15 digits
        raise ValueError("a phone number has 3 to 15 digits")
    return ("+" if plus else "") + digits


def blind_index(
    key: bytes,
    kind: Literal["email", "phone"],
    value: str,
    *,
    default_country_code: str | None = None,
) -> str:
    """Keyed, truncated HMAC of the normalised contact: 32 hex characters."""
    if not isinstance(key, bytes | bytearray) or len(key) < _MIN_INDEX_KEY:
        raise ValueError(f"the index key must be at least {_MIN_INDEX_KEY} bytes")
    if kind == "email":
        normalised = normalize_email(value)
    elif kind == "phone":
        normalised = normalize_phone(value, default_country_code)
    else:
        raise ValueError("kind must be 'email' or 'phone'")
    message = _lp(b"hushbook/v1/blind-index", kind.encode("ascii"), _utf8(normalised, kind))
    return hmac.new(bytes(key), message, hashlib.sha256).digest()[:BLIND_INDEX_BYTES].hex()
