"""Second factor: RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30-second steps).

The functions that compute and check codes are pure: the caller passes the
time, so tests control the clock without patching it globally. The service's
clock is ``app.extensions["hushbook_clock"]`` (default :func:`time.time`).

The shared secret is sealed with AES-256-GCM under a key derived with HKDF from
the instance's token master key (per ``kid``, context ``totp-secret``) — a key
that never lives in the database — and bound to its account (tenant and staff
id as associated data), so a sealed secret copied to another row does not
open. Stored as one base64url string::

    version (1) | len(kid) (1) | kid | nonce (12) | ciphertext | GCM tag (16)

After a key rotation a secret is re-sealed under the current key at its next
successful use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from flask import current_app

from hushbook_service.models import Staff

log = logging.getLogger("hushbook")

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # accept the step before and after the current one
SECRET_BYTES = 20  # 160 bits, the RFC 4226 recommendation for HMAC-SHA1
ISSUER = "Hushbook"
SEAL_VERSION = 1
_NONCE, _TAG = 12, 16


# --- RFC 4226 / RFC 6238 -------------------------------------------------------------


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def time_step(now: float, step: int = STEP_SECONDS) -> int:
    return int(now // step)


def totp(
    key: bytes, now: float, digits: int = DIGITS, step: int = STEP_SECONDS, digest=hashlib.sha1
) -> str:
    return hotp(key, time_step(now, step), digits, digest)


def match_step(
    key: bytes, code: str, now: float, after: int = 0, drift: int = DRIFT_STEPS
) -> int | None:
    """The time step ``code`` belongs to, if it is within ``drift`` steps of
    ``now`` and later than ``after`` (the last step used), else None."""
    if not (isinstance(code, str) and len(code) == DIGITS and code.isascii() and code.isdigit()):
        return None
    current = time_step(now)
    found = None
    for step in range(current - drift, current + drift + 1):  # no early exit
        if hmac.compare_digest(hotp(key, step), code) and step > after and found is None:
            found = step
    return found


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def b32(secret: bytes) -> str:
    """The form authenticator apps take (RFC 4648 base32, no padding)."""
    return base64.b32encode(secret).decode().rstrip("=")


def otpauth_uri(secret: bytes, account: str, issuer: str = ISSUER) -> str:
    """``otpauth://`` URI for a QR code (Google Authenticator key URI format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": b32(secret),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def clock() -> float:
    return current_app.extensions.get("hushbook_clock", time.time)()


# --- the sealed secret ---------------------------------------------------------------


class SealError(ValueError):
    """A sealed secret that does not open (tampered, moved, or its key retired)."""


def _settings():
    return current_app.config["HUSHBOOK"]


def _key(kid: str) -> bytes:
    master = _settings().token_keys.get(kid)
    if master is None:
        raise SealError("unknown key")
    return HKDF(master, 32, b"hushbook-totp-v1", SHA256, context=b"totp-secret")


def _aad(header: bytes, tenant_id: int, staff_id: int) -> bytes:
    return header + f"\0hushbook-totp\0tenant={tenant_id}\0staff={staff_id}".encode()


def seal(secret: bytes, tenant_id: int, staff_id: int) -> str:
    kid = _settings().current_kid.encode()
    if not 0 < len(kid) < 256:
        raise ValueError("kid too long to seal under")
    header = bytes([SEAL_VERSION, len(kid)]) + kid
    nonce = secrets.token_bytes(_NONCE)
    cipher = AES.new(_key(kid.decode()), AES.MODE_GCM, nonce=nonce)
    cipher.update(_aad(header, tenant_id, staff_id))
    ciphertext, tag = cipher.encrypt_and_digest(secret)
    blob = header + nonce + ciphertext + tag
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def open_sealed(sealed: str, tenant_id: int, staff_id: int) -> tuple[bytes, str]:
    """The secret and the kid it was sealed under."""
    try:
        blob = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        version, kid_len = blob[0], blob[1]
        kid = blob[2 : 2 + kid_len].decode()
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise SealError("malformed") from exc
    if version != SEAL_VERSION or len(blob) < 2 + kid_len + _NONCE + _TAG + 1:
        raise SealError("malformed")
    header, rest = blob[: 2 + kid_len], blob[2 + kid_len :]
    nonce, ciphertext, tag = rest[:_NONCE], rest[_NONCE:-_TAG], rest[-_TAG:]
    cipher = AES.new(_key(kid), AES.MODE_GCM, nonce=nonce)
    cipher.update(_aad(header, tenant_id, staff_id))
    try:
        return cipher.decrypt_and_verify(ciphertext, tag), kid
    except ValueError as exc:
        raise SealError("does not open") from exc


def secret_of(staff: Staff) -> tuple[bytes, str] | None:
    if not staff.totp_secret:
        return None
    try:
        return open_sealed(staff.totp_secret, staff.tenant_id, staff.id)
    except SealError:
        # Ids only: never the sealed value. Likely cause: its token key was retired.
        log.warning("TOTP secret of staff %s does not open", staff.id)
        return None


def consume(staff: Staff, code: str, now: float | None = None) -> bool:
    """Check ``code`` against the account's enrolled secret and spend its time
    step: a code (or an older one) is never accepted twice, even by two
    concurrent requests — the conditional update lets one of them win."""
    opened = secret_of(staff)
    if opened is None:
        return False
    secret, kid = opened
    step = match_step(secret, code, clock() if now is None else now, after=staff.totp_last_step)
    if step is None:
        return False
    changes: dict = {Staff.totp_last_step: step}
    if kid != _settings().current_kid:  # rotated: re-seal under the signing key
        changes[Staff.totp_secret] = seal(secret, staff.tenant_id, staff.id)
    won = Staff.update(changes).where(Staff.id == staff.id, Staff.totp_last_step < step).execute()
    if won:
        staff.totp_last_step = step
    return bool(won)
