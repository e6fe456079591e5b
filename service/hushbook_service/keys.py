"""Keys derived from the instance secret: the one helper every purpose calls.

The instance secret (``HUSHBOOK_INDEX_KEY`` or the instance's ``secrets.json``)
never lives in the database. Each purpose gets its own key through HKDF-SHA256
(:meth:`hushbook_service.config.Settings.instance_key`), so a key leaked for
one purpose opens nothing else. The labels below are part of stored data
(blind-index digests, audit chains, message ids): never change one.
"""

from __future__ import annotations

from flask import current_app

PURPOSES = frozenset(
    {
        "audit",  # the audit trail's hash chain (context "audit-chain")
        "booking-ref",  # opaque appointment references in public tokens
        "confirm-code",  # six-digit confirmation codes (per tenant)
        "idempotency",  # sealing a stored answer (per caller and key)
        "idempotency-id",  # looking an answer up by its key
        "index",  # the blind index of returning clients (per tenant)
        "login",  # login-throttle subjects (context "login-subject")
        "message-ids",  # opaque Message-IDs and calendar UIDs
        "meter",  # metering bucket keys
        "offers",  # the stealth showcase's keyed choice (per tenant)
        "pending-hold",  # what a pending booking counts against (per tenant)
        "short-link",  # short codes in messages, and the stored hash of each
        "staff-pseudonym",  # staff pseudonyms in offer tokens (per tenant)
    }
)


def instance_key(purpose: str, context: str | bytes = b"") -> bytes:
    """The 32-byte key of ``purpose`` (one of :data:`PURPOSES`) for ``context``."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}")
    if isinstance(context, str):
        context = context.encode()
    settings = current_app.config["HUSHBOOK"]
    return settings.instance_key(f"hushbook-{purpose}-v1".encode(), context)
