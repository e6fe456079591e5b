"""One error hierarchy, mapped from the API's problem documents in one place.

Every error answer of the service is one JSON envelope (``code``, ``status``,
``message``, ``errors``?, ``reason``?); :func:`error_from_response` turns it
into the matching exception. Network failures raise :class:`ConnectionError`.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

from requests.structures import CaseInsensitiveDict

__all__ = [
    "AuthenticationError",
    "Conflict",
    "ConnectionError",
    "HushbookError",
    "NotFound",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimited",
    "ServerError",
    "ValidationError",
    "VaultLocked",
    "error_from_response",
    "parse_retry_after",
]


class HushbookError(Exception):
    """The root of every error the SDK raises (except :class:`hushbook.sealing.SealError`).

    ``status`` is the HTTP status (``None`` when no answer came), ``reason`` the
    envelope's stable slug (e.g. ``"slot_taken"``), ``errors`` the field errors
    by location, ``body`` the whole envelope, ``headers`` the response headers.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body: dict[str, Any] = dict(body or {})
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(headers or {})
        self.response: Any = None  # the hushbook Response, when one came
        reason = self.body.get("reason")
        self.reason: str | None = reason if isinstance(reason, str) else None
        errors = self.body.get("errors")
        self.errors: dict[str, Any] = errors if isinstance(errors, dict) else {}

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Messages per field, whatever the location (``json``, ``query``…)."""
        out: dict[str, list[str]] = {}
        for location in self.errors.values():
            if not isinstance(location, dict):
                continue
            for name, messages in location.items():
                if isinstance(messages, list):
                    out.setdefault(str(name), []).extend(str(m) for m in messages)
                else:  # nested schemas give a dict per field
                    out.setdefault(str(name), []).append(str(messages))
        return out

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"(HTTP {self.status}{', ' + self.reason if self.reason else ''})")
        return " ".join(parts)


class AuthenticationError(HushbookError):
    """401: no, wrong, expired or revoked credentials (``reason`` tells which, if known)."""


class PermissionDenied(HushbookError):
    """403: the role or integration key may not do this."""


class NotFound(HushbookError):
    """404: no such row (also for another business's rows)."""


class Conflict(HushbookError):
    """409: e.g. ``slot_taken``, ``email_taken``, ``vault_not_set_up``."""


class PreconditionFailed(HushbookError):
    """412/428: the resource changed since you read it (stale or missing If-Match)."""


class ValidationError(HushbookError):
    """400, 413, 422: invalid input. ``field_errors`` names the offending fields."""


class RateLimited(HushbookError):
    """429: past a budget. ``retry_after`` is the service's wait in seconds."""

    def __init__(
        self,
        message: str,
        status: int | None = 429,
        body: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message, status, body, headers)
        self.retry_after: float = 1.0 if retry_after is None else retry_after


class ServerError(HushbookError):
    """5xx: the service failed (the message carries no details)."""


class ConnectionError(HushbookError):  # noqa: A001 - the SDK's own, by design
    """No answer: connection refused or dropped, DNS, TLS, or a timeout."""


class VaultLocked(HushbookError):
    """Unlock the vault (or set it up, or ask the owner for a grant) first.

    Raised on this side, never mapped from an answer; :mod:`hushbook.vault`
    re-exports it.
    """


_BY_STATUS: dict[int, type[HushbookError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: ValidationError,
    422: ValidationError,
    428: PreconditionFailed,
}


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date); ``None`` if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_from_response(
    status: int, body: Mapping[str, Any] | None, headers: Mapping[str, str]
) -> HushbookError:
    """The exception for an error answer: the one place statuses become classes."""
    envelope: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    message = str(envelope.get("message") or envelope.get("status") or f"HTTP {status}")
    retry_after = parse_retry_after(CaseInsensitiveDict(headers).get("Retry-After"))
    if status == 429:
        return RateLimited(message, status, envelope, retry_after, headers)
    if status >= 500:
        return ServerError(message, status, envelope, headers)
    return _BY_STATUS.get(status, HushbookError)(message, status, envelope, headers)
