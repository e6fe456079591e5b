"""Hushbook SDK. ``pip install hushbook`` installs this alone (no server parts).

>>> import hushbook
>>> client = hushbook.Client.login("https://book.example", "salon-rosa", "rosa@…", "…")
>>> client.vault.unlock("my vault passphrase")
>>> for appointment in client.appointments.on(staff_id=3):
...     print(appointment.start, appointment.client and appointment.client.profile["name"])

See ``sdk/README.md`` and ``docs/sdk.md``.
"""

from ._client import Client
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
    error_from_response,
)
from ._models import (
    Appointment,
    AuditEvent,
    BlockedContact,
    Catalog,
    CatalogService,
    Challenge,
    ClientExport,
    ConfirmedBooking,
    Consent,
    ExportedAppointment,
    Figures,
    FreeTimes,
    FreeWindow,
    IntegrationKey,
    ManagedBooking,
    Message,
    Model,
    Offer,
    PendingBooking,
    PrivacyNotice,
    SalonClient,
    ScheduleException,
    Service,
    Staff,
    StaffRef,
    Tenant,
    TimeOff,
    TokenPair,
    VaultMember,
    WorkingHoursRule,
)
from ._paging import ListIterator
from ._transport import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RETRY_AFTER,
    VERSION,
    Response,
    Transport,
)
from .public import PublicBooking, solve_pow
from .vault import Vault, VaultLocked

__version__ = VERSION
__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "MAX_RETRY_AFTER",
    "Appointment",
    "AuditEvent",
    "AuthenticationError",
    "BlockedContact",
    "Catalog",
    "CatalogService",
    "Challenge",
    "Client",
    "ClientExport",
    "ConfirmedBooking",
    "Conflict",
    "ConnectionError",
    "Consent",
    "ExportedAppointment",
    "Figures",
    "FreeTimes",
    "FreeWindow",
    "HushbookError",
    "IntegrationKey",
    "ListIterator",
    "ManagedBooking",
    "Message",
    "Model",
    "NotFound",
    "Offer",
    "PendingBooking",
    "PermissionDenied",
    "PreconditionFailed",
    "PrivacyNotice",
    "PublicBooking",
    "RateLimited",
    "Response",
    "SalonClient",
    "ScheduleException",
    "ServerError",
    "Service",
    "Staff",
    "StaffRef",
    "Tenant",
    "TimeOff",
    "TokenPair",
    "Transport",
    "ValidationError",
    "Vault",
    "VaultLocked",
    "VaultMember",
    "WorkingHoursRule",
    "error_from_response",
    "solve_pow",
]
