"""What messages carry to act on a booking: the confirmation link and code, the
manage link, and the public address they point at.

Each link is a single-purpose signed token (:mod:`hushbook_service.accounts.tokens`);
the six-digit code is derived from the appointment, never stored.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from hushbook_service import keys
from hushbook_service.accounts.principals import key_ring
from hushbook_service.config import public_url
from hushbook_service.db import utcnow
from hushbook_service.models import Appointment


def confirmation_code(appointment: Appointment) -> str:
    """The six digits sent with the confirmation request (derivable, not stored)."""
    mac = hmac.new(
        keys.instance_key("confirm-code", str(appointment.tenant_id)),
        f"{appointment.id}|{appointment.created_at.isoformat()}".encode(),
        "sha256",
    ).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 1_000_000:06d}"


def confirmation_link_token(appointment: Appointment) -> str:
    ttl = max(timedelta(seconds=1), appointment.pending_until - utcnow())
    claims = {"tid": appointment.tenant_id, "sub": str(appointment.id)}
    return key_ring().issue("confirm", claims, ttl)


def manage_token(appointment: Appointment) -> str:
    """Signed, expires when the appointment starts."""
    ttl = max(timedelta(seconds=1), appointment.start_at - utcnow())
    claims = {"tid": appointment.tenant_id, "sub": str(appointment.id)}
    return key_ring().issue("manage", claims, ttl)


def confirm_link(appointment: Appointment) -> str:
    return f"{public_url()}/v1/public/bookings/confirm/{confirmation_link_token(appointment)}"


def manage_link(appointment: Appointment) -> str:
    return f"{public_url()}/v1/public/manage/{manage_token(appointment)}"
