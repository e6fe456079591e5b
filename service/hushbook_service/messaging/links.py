"""What messages carry to act on a booking: the confirmation link and code, the
manage link, and the public address they point at.

Each link is a single-purpose signed token (:mod:`hushbook_service.accounts.tokens`);
the six-digit code is derived from the appointment, never stored. Messages carry
a short code instead of the long token (``{PUBLIC_URL}/m/AB12CD34``: an SMS stays
short and GSM-7): :func:`confirm_link` and :func:`manage_link` make it, and
:func:`resolve` turns it back into the token when it is opened. The code expires
with the token it stands for; only a keyed hash of it is stored.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import struct
from datetime import datetime, timedelta

import peewee
from Crypto.Cipher import AES

from hushbook_service import keys
from hushbook_service.accounts.principals import key_ring
from hushbook_service.config import public_url
from hushbook_service.db import database, utcnow
from hushbook_service.models import Appointment, ShortLink

# Crockford's base32: no I, L, O or U (nothing to misread); 8 characters = 40 bits.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
CODE_RE = re.compile(rf"[{ALPHABET}]{{{CODE_LENGTH}}}")
_MISREAD = str.maketrans("OIL", "011")
PURPOSES = ("confirm", "manage")
REFERENCE_RE = re.compile(r"[A-Za-z0-9_-]{21}[AQgw]")  # 16 bytes in base64url, unpadded
MAX_ID = 2**31 - 1  # what an id column holds on both databases


def confirmation_code(appointment: Appointment) -> str:
    """The six digits sent with the confirmation request (derivable, not stored)."""
    mac = hmac.new(
        keys.instance_key("confirm-code", str(appointment.tenant_id)),
        f"{appointment.id}|{appointment.created_at.isoformat()}".encode(),
        "sha256",
    ).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 1_000_000:06d}"


# --- references: the appointment's name in public tokens ------------------------------


def _cipher():
    return AES.new(keys.instance_key("booking-ref"), AES.MODE_ECB)


def reference(appointment: Appointment) -> str:
    """The appointment's name in public tokens (the booking reference, the
    confirmation and manage links): salon and id enciphered as one AES block
    under an instance key, 22 characters that look random and say nothing about
    how many bookings came before (a sequential id would count them)."""
    block = struct.pack(">QQ", appointment.tenant_id, appointment.id)
    return base64.urlsafe_b64encode(_cipher().encrypt(block)).decode().rstrip("=")


def random_reference() -> str:
    """A reference naming nothing, indistinguishable from a real one (what a
    booking that was dropped, e.g. by the honeypot, is given)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")


def appointment_id(tenant_id: object, ref: object) -> int | None:
    """The appointment ``ref`` names in salon ``tenant_id``, or None (not a
    reference, another salon's, or one naming nothing)."""
    if not isinstance(ref, str) or not REFERENCE_RE.fullmatch(ref):
        return None
    raw = base64.urlsafe_b64decode(ref + "==")
    tid, aid = struct.unpack(">QQ", _cipher().decrypt(raw))
    return aid if tid == tenant_id and 0 < aid <= MAX_ID else None


def token_claims(appointment: Appointment) -> dict[str, object]:
    """What a public token of ``appointment`` says: the salon and the reference."""
    return {"tid": appointment.tenant_id, "ref": reference(appointment)}


def confirmation_link_token(appointment: Appointment) -> str:
    ttl = max(timedelta(seconds=1), appointment.pending_until - utcnow())
    return key_ring().issue("confirm", token_claims(appointment), ttl)


def manage_token(appointment: Appointment) -> str:
    """Signed, expires when the appointment starts."""
    ttl = max(timedelta(seconds=1), appointment.start_at - utcnow())
    return key_ring().issue("manage", token_claims(appointment), ttl)


def confirm_path(token: str) -> str:
    return f"/v1/public/bookings/confirm/{token}"


def manage_path(token: str) -> str:
    return f"/v1/public/manage/{token}"


def confirm_link(appointment: Appointment) -> str:
    """The confirmation link in a message: short, valid while the booking is pending."""
    return short_link(appointment, "confirm", appointment.pending_until)


def manage_link(appointment: Appointment) -> str:
    """The manage link in a message: short, valid until the appointment starts."""
    return short_link(appointment, "manage", appointment.start_at)


# --- short codes ----------------------------------------------------------------------


def _code(purpose: str, appointment_id: int, expires_at: datetime, attempt: int) -> str:
    mac = hmac.new(
        keys.instance_key("short-link", "code"),
        f"{purpose}|{appointment_id}|{int(expires_at.timestamp())}|{attempt}".encode(),
        "sha256",
    ).digest()
    n = int.from_bytes(mac[:5], "big")
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def _digest(code: str) -> str:
    return hmac.new(keys.instance_key("short-link", "digest"), code.encode(), "sha256").hexdigest()


def short_link(appointment: Appointment, purpose: str, expires_at: datetime) -> str:
    """``{PUBLIC_URL}/m/<code>`` for ``purpose`` of ``appointment`` until ``expires_at``.

    The code is derived (the same message rendered twice carries the same code);
    a code already standing for something else is skipped for the next one."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    for attempt in range(8):
        code = _code(purpose, appointment.id, expires_at, attempt)
        digest = _digest(code)
        row = ShortLink.get_or_none(ShortLink.digest == digest)
        if row is None:
            try:
                with database.atomic():  # a savepoint: a unique-key race fails alone
                    ShortLink.create(
                        tenant=appointment.tenant_id,
                        appointment=appointment.id,
                        purpose=purpose,
                        digest=digest,
                        expires_at=expires_at,
                    )
            except peewee.IntegrityError:
                row = ShortLink.get_or_none(ShortLink.digest == digest)
            else:
                return f"{public_url()}/m/{code}"
        if row is not None and (row.appointment_id, row.purpose) == (appointment.id, purpose):
            return f"{public_url()}/m/{code}"
    raise RuntimeError("no free short code")  # 8 collisions in a row: 2^-320 or a bug


def normalise_code(code: str) -> str | None:
    """A code as typed or copied (any case, O for 0, I or L for 1), or None."""
    code = code.strip().upper().translate(_MISREAD)
    return code if CODE_RE.fullmatch(code) else None


def resolve(code: str) -> str | None:
    """The path a short code stands for now (a fresh token), or None when the code
    is unknown or expired (or its appointment is gone)."""
    code = normalise_code(code) or ""
    if not code:
        return None
    row = ShortLink.get_or_none(ShortLink.digest == _digest(code))
    if row is None or row.expires_at <= utcnow():
        return None
    appointment = Appointment.get_or_none(Appointment.id == row.appointment_id)
    if appointment is None:
        return None
    if row.purpose == "confirm":  # valid as long as the code (confirming twice is harmless)
        ttl = row.expires_at - utcnow()
        return confirm_path(key_ring().issue("confirm", token_claims(appointment), ttl))
    return manage_path(manage_token(appointment))


def purge(now: datetime | None = None) -> int:
    """Forget expired codes."""
    return ShortLink.delete().where(ShortLink.expires_at < (now or utcnow())).execute()
