"""Hushbook SDK. ``pip install hushbook`` installs this alone (no server parts)."""

from ._client import DEFAULT_TIMEOUT, Client
from ._errors import (
    AuthenticationError,
    Conflict,
    ConnectionError,
    HushbookError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    ServerError,
    ValidationError,
)
from .vault import Vault, VaultLocked

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_TIMEOUT",
    "AuthenticationError",
    "Client",
    "Conflict",
    "ConnectionError",
    "HushbookError",
    "NotFound",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimited",
    "ServerError",
    "ValidationError",
    "Vault",
    "VaultLocked",
]
