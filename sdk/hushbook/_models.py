"""Typed results. Every object keeps the answer it was made from in ``raw``
(fields the SDK does not model yet are there), and single resources that can
be changed keep their ``etag`` for the next ``update``.

Times come back as aware :class:`datetime.datetime` objects in UTC; weekly
hours as :class:`datetime.time`; dates as :class:`datetime.date`.
"""

from __future__ import annotations

import dataclasses
import email.utils
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol, TypeVar, Union

from ._errors import VaultLocked

__all__ = [
    "Appointment",
    "AuditEvent",
    "BlockedContact",
    "Catalog",
    "CatalogService",
    "Challenge",
    "ClientExport",
    "ConfirmedBooking",
    "Consent",
    "ExportedAppointment",
    "Figures",
    "FreeTimes",
    "FreeWindow",
    "IntegrationKey",
    "ManagedBooking",
    "Message",
    "Model",
    "Offer",
    "PendingBooking",
    "PrivacyNotice",
    "ProfileOpener",
    "SalonClient",
    "ScheduleException",
    "Service",
    "Staff",
    "StaffRef",
    "Tenant",
    "TimeOff",
    "TokenPair",
    "VaultMember",
    "WorkingHoursRule",
    "parse",
]

M = TypeVar("M", bound="Model")


@dataclass
class Model:
    """Base of every result: ``raw`` is the JSON object as the service sent it."""

    raw: dict[str, Any] = field(default_factory=dict, kw_only=True, repr=False, compare=False)
    etag: str | None = field(default=None, kw_only=True, repr=False, compare=False)

    @classmethod
    def from_json(cls: type[M], data: Mapping[str, Any], *, etag: str | None = None) -> M:
        return parse(cls, data, etag=etag)


# --- auth ------------------------------------------------------------------------------


@dataclass
class TokenPair(Model):
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int | None = None
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    password_change_required: bool = False
    totp_setup_required: bool = False


# --- tenant ----------------------------------------------------------------------------


@dataclass
class Tenant(Model):
    id: int
    slug: str
    name: str
    timezone: str
    locale: str
    slot_granularity_min: int | None = None
    min_notice_min: int | None = None
    max_advance_days: int | None = None
    buffer_before_min: int | None = None
    buffer_after_min: int | None = None
    stealth_mode: bool | None = None
    show_staff_names: bool | None = None
    stealth_settings: dict[str, int] = field(default_factory=dict)
    require_totp: bool | None = None
    profile_fields: list[str] = field(default_factory=list)
    retention_months: int | None = None
    phone_country_code: str | None = None
    reminder_hours: list[int] = field(default_factory=list)
    message_channels: list[str] = field(default_factory=list)
    regular_after_visits: int | None = None
    vip_after_spent_cents: int | None = None


@dataclass
class PrivacyNotice(Model):
    version: int
    locale: str
    text: str
    created_at: datetime | None = None


# --- staff and schedules ---------------------------------------------------------------


@dataclass
class Staff(Model):
    id: int
    email: str
    display_name: str
    role: str
    public_name: str | None = None
    bookable: bool = True
    active: bool = True
    must_change_password: bool = False
    created_at: datetime | None = None
    one_time_password: str | None = field(default=None, repr=False)
    """Only in the answer to ``create`` and ``reactivate``: shown once."""


@dataclass
class WorkingHoursRule(Model):
    """A weekly shift or break, wall-clock time of the business (0 = Monday)."""

    weekday: int
    start: time
    end: time
    kind: str = "shift"

    def to_json(self) -> dict[str, Any]:
        return {
            "weekday": self.weekday,
            "kind": self.kind,
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
        }


@dataclass
class ScheduleException(Model):
    """One-off hours for a date; ``start``/``end`` ``None`` means a day off."""

    id: int
    date: date
    start: time | None = None
    end: time | None = None


@dataclass
class TimeOff(Model):
    id: int
    start_at: datetime
    end_at: datetime
    kind: str = "other"
    """``vacation``, ``sick``, ``training``, ``other``; ``away`` for roles that may not see why."""


# --- services, availability ------------------------------------------------------------


@dataclass
class Service(Model):
    id: int
    name: str
    duration_min: int
    description: str = ""
    price_cents: int = 0
    buffer_before_min: int | None = None
    buffer_after_min: int | None = None
    active: bool = True
    staff_ids: list[int] = field(default_factory=list)


@dataclass
class FreeWindow(Model):
    first: datetime
    last: datetime


@dataclass
class FreeTimes(Model):
    """Free starts of one team member: every ``step_min`` from ``first`` to ``last``."""

    staff_id: int
    step_min: int
    count: int
    windows: list[FreeWindow] = field(default_factory=list)


# --- clients ---------------------------------------------------------------------------


@dataclass
class Figures(Model):
    visits: int = 0
    no_shows: int = 0
    total_spent_cents: int = 0
    average_ticket_cents: int = 0
    category: str = "new"
    first_visit: datetime | None = None
    last_visit: datetime | None = None
    birthday_month: int | None = None


class ProfileOpener(Protocol):
    """What opens a sealed profile here: :class:`hushbook.Vault` is one.

    The service objects of :class:`hushbook.Client` attach the client's vault to
    every :class:`SalonClient` they return; the models never import the vault.
    """

    def open_client(self, client_row: Mapping[str, Any]) -> dict[str, str]: ...


@dataclass
class SalonClient(Model):
    """A client of the salon: sealed profile plus readable figures.

    ``profile`` opens the sealed fields locally with the client's vault
    (``client.vault.unlock(passphrase)`` first); the service cannot open them.
    """

    id: int | None
    client_key: str | None = None
    sealed_profile: dict[str, str] = field(default_factory=dict, repr=False)
    figures: Figures | None = None
    created_at: datetime | None = None
    _vault: ProfileOpener | None = field(default=None, init=False, repr=False, compare=False)
    _opened: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def profile(self) -> dict[str, str]:
        """The opened profile (name, e-mail, phone, …), opened in this process."""
        if self._opened is None:
            if self._vault is None:
                raise VaultLocked("this client was not fetched through a hushbook.Client")
            self._opened = self._vault.open_client(
                {"client_key": self.client_key, "sealed_profile": self.sealed_profile}
            )
        return dict(self._opened)


@dataclass
class Consent(Model):
    notice_version: int
    locale: str
    purposes: list[str]
    given_at: datetime | None = None
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "notice_version": self.notice_version,
            "locale": self.locale,
            "purposes": list(self.purposes),
        }


@dataclass
class ExportedAppointment(Model):
    id: int
    start: datetime
    end: datetime
    service_id: int | None = None
    staff_id: int | None = None
    status: str = ""
    source: str = ""
    price_cents: int = 0


@dataclass
class ClientExport(Model):
    """Everything the service holds about one client (Art. 15/20), profile sealed."""

    client: SalonClient
    figures: Figures | None = None
    consents: list[Consent] = field(default_factory=list)
    appointments: list[ExportedAppointment] = field(default_factory=list)
    delivery_contacts: list[dict[str, Any]] = field(default_factory=list)
    blind_index: list[dict[str, Any]] = field(default_factory=list)

    @property
    def profile(self) -> dict[str, str]:
        """The client's profile, opened locally (needs an unlocked vault with a grant)."""
        return self.client.profile

    def opened(self) -> dict[str, Any]:
        """The export as JSON-ready data with the profile opened: what to hand the client."""
        out = dict(self.raw)
        client = {k: v for k, v in dict(out.get("client") or {}).items() if k != "sealed_profile"}
        client["profile"] = self.profile
        out["client"] = client
        return out


# --- appointments, messages ------------------------------------------------------------


@dataclass
class Appointment(Model):
    id: int
    staff_id: int
    service_id: int
    status: str
    start: datetime
    end: datetime
    source: str = ""
    price_cents: int = 0
    client_id: int | None = None
    client: SalonClient | None = None
    """The client, sealed; ``None`` for roles without ``clients:identity``."""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class Message(Model):
    id: int
    appointment_id: int | None
    kind: str
    channel: str
    state: str
    due_at: datetime | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str = ""
    provider_id: str = ""
    recipient: int = 0
    """Channel ``staff``: the team member told (``team_*`` kinds); otherwise 0."""
    updated_at: datetime | None = None


@dataclass
class AuditEvent(Model):
    seq: int
    at: datetime
    action: str
    actor_kind: str = ""
    actor_id: int | None = None
    target_kind: str | None = None
    target_id: int | None = None
    ip: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    hash: str = ""


@dataclass
class IntegrationKey(Model):
    id: int
    name: str
    scopes: list[str]
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    key: str | None = field(default=None, repr=False)
    """Only in the answer to ``create``: shown once, store it safely."""


@dataclass
class BlockedContact(Model):
    id: int
    kind: str
    reason: str = ""
    created_at: datetime | None = None


@dataclass
class VaultMember(Model):
    staff_id: int
    display_name: str
    role: str
    public_key: str | None = None
    granted: bool = False


# --- public booking --------------------------------------------------------------------


@dataclass
class StaffRef(Model):
    id: int
    name: str


@dataclass
class CatalogService(Model):
    id: int
    name: str
    duration_min: int
    description: str = ""
    price_cents: int = 0
    staff_ids: list[int] | None = None


@dataclass
class Catalog(Model):
    name: str
    slug: str
    locale: str
    timezone: str
    stealth_mode: bool
    offer_count: int
    max_window_days: int = 14
    services: list[CatalogService] = field(default_factory=list)
    staff: list[StaffRef] = field(default_factory=list)
    privacy_notices: list[PrivacyNotice] = field(default_factory=list)
    profile_fields: list[str] = field(default_factory=list)
    public_key: str | None = None
    key_version: int | None = None
    tenant_id: int | None = None
    """Bound into sealed fields; ``None`` while the service does not publish it."""

    def notice(self, locale: str | None = None) -> PrivacyNotice:
        """The latest privacy notice in ``locale`` (default: the salon's language)."""
        wanted = locale or self.locale
        for notice in self.privacy_notices:
            if notice.locale == wanted:
                return notice
        raise LookupError(f"no privacy notice in {wanted!r}")


@dataclass
class Challenge(Model):
    session: str = field(repr=False)
    required: bool
    challenge: str | None = None
    challenge_id: str | None = None
    bits: int | None = None
    expires_at: datetime | None = None


@dataclass
class Offer(Model):
    start: datetime
    end: datetime
    token: str = field(repr=False)
    fits_wish: bool = True
    staff: StaffRef | None = None
    expires_at: datetime | None = None


@dataclass
class PendingBooking(Model):
    status: str
    booking: str = field(repr=False)
    """The reference to confirm with the six-digit code."""
    confirm_by: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass
class ManagedBooking(Model):
    business: str
    service: str
    status: str
    start: datetime
    end: datetime
    staff: str | None = None
    can_cancel: bool = False
    can_reschedule: bool = False


@dataclass
class ConfirmedBooking(ManagedBooking):
    manage_token: str | None = field(default=None, repr=False)


# --- parsing ---------------------------------------------------------------------------


def parse(cls: type[M], data: Mapping[str, Any], *, etag: str | None = None) -> M:
    """Build ``cls`` from a JSON object, converting by the field types.

    Unknown keys stay in ``raw`` only; keys the service left out take the
    field's default (or ``None``).
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"{cls.__name__}: expected a JSON object, got {type(data).__name__}")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.name in ("raw", "etag"):
            continue
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            kwargs[f.name] = None
    return cls(**kwargs, raw=dict(data), etag=etag)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return [_convert(item, v) for v in value] if isinstance(value, list) else value
    if origin is dict:
        return dict(value) if isinstance(value, Mapping) else value
    if hint is datetime:
        return _datetime(value)
    if hint is date:
        return date.fromisoformat(value) if isinstance(value, str) else value
    if hint is time:
        return time.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(hint, type) and issubclass(hint, Model) and isinstance(value, Mapping):
        return parse(hint, value)
    return value


def _datetime(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return email.utils.parsedate_to_datetime(value)  # an HTTP date (older exports)
