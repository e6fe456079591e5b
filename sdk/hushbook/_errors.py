"""One error hierarchy, mapped from the API's problem documents in one place."""

from __future__ import annotations

from typing import Any


class HushbookError(Exception):
    def __init__(self, message: str, status: int | None = None, body: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.body = body or {}
        self.reason: str | None = self.body.get("reason")
        self.errors: dict[str, Any] = self.body.get("errors") or {}


class AuthenticationError(HushbookError):
    pass


class PermissionDenied(HushbookError):
    pass


class NotFound(HushbookError):
    pass


class Conflict(HushbookError):
    pass


class PreconditionFailed(HushbookError):
    """The resource changed since you read it (stale or missing If-Match)."""


class ValidationError(HushbookError):
    pass


class RateLimited(HushbookError):
    def __init__(self, message: str, status: int, body: dict[str, Any], retry_after: float):
        super().__init__(message, status, body)
        self.retry_after = retry_after


class ServerError(HushbookError):
    pass


class ConnectionError(HushbookError):  # noqa: A001 - the SDK's own, by design
    pass


_BY_STATUS: dict[int, type[HushbookError]] = {
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    428: PreconditionFailed,
    400: ValidationError,
    413: ValidationError,
    422: ValidationError,
}


def error_from_response(
    status: int, body: dict[str, Any], headers: dict[str, str]
) -> HushbookError:
    message = str(body.get("message") or body.get("status") or f"HTTP {status}")
    if status == 429:
        try:
            retry_after = float(headers.get("Retry-After", "1"))
        except ValueError:
            retry_after = 1.0
        return RateLimited(message, status, body, retry_after)
    if status >= 500:
        return ServerError(message, status, body)
    return _BY_STATUS.get(status, HushbookError)(message, status, body)
