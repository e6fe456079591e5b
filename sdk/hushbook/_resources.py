"""One service object per resource, reached as attributes of :class:`hushbook.Client`.

Methods take ids (or the objects they returned), return typed objects
(:mod:`hushbook._models`), and raise the errors of :mod:`hushbook._errors`.
Paginated lists come back as lazy :class:`hushbook.ListIterator` objects;
short lists (schedules, keys, notices) as plain lists.

Changing a tenant, team member, service or appointment needs the ETag you
read (``If-Match``): pass the object you fetched, or ``if_match="…"``. With
neither, the SDK reads the current ETag just before the change, which
protects against nothing: someone else's change a moment earlier is then
overwritten.

The service objects know nothing of :class:`hushbook.Client`: each is given
the transport to send through and a callable returning the vault to seal and
open profiles with (``client.vault`` can be replaced at any time); the few
that need more get it the same way (the token keeper, sibling services).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._errors import Conflict
from ._models import (
    Appointment,
    AuditEvent,
    BlockedContact,
    ClientExport,
    Consent,
    FreeTimes,
    IntegrationKey,
    Message,
    Model,
    PrivacyNotice,
    SalonClient,
    ScheduleException,
    Service,
    Staff,
    Tenant,
    TimeOff,
    TokenPair,
    WorkingHoursRule,
)
from ._paging import DEFAULT_PAGE_SIZE, ListIterator
from ._transport import Transport
from .vault import Vault

__all__ = [
    "AppointmentsService",
    "AuditEventsService",
    "AuthService",
    "AvailabilityService",
    "BlockedContactsService",
    "ClientsService",
    "IntegrationKeysService",
    "MessagesService",
    "ServicesService",
    "StaffService",
    "TenantService",
    "TimeOffService",
    "WorkingHoursService",
]

M = TypeVar("M", bound=Model)
Ref = int | Model
"""An id, or an object with an ``id`` that a call returned."""
Instant = datetime | date | str
"""An ISO 8601 instant; without an offset (or a bare date: its midnight) the
service reads it in the business's time zone."""


# --- small conversions -----------------------------------------------------------------


def _id(ref: Ref) -> int:
    if isinstance(ref, Model):
        value = getattr(ref, "id", None)
        if not isinstance(value, int):
            raise ValueError(f"{type(ref).__name__} has no id")
        return value
    if isinstance(ref, bool) or not isinstance(ref, int):
        raise TypeError(f"expected an id or a result object, got {type(ref).__name__}")
    return ref


def _instant(value: Instant | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return datetime.combine(value, time()).isoformat()


def _date(value: date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _hhmm(value: time | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.strftime("%H:%M")


def _consent(value: Consent | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Consent):
        return value.to_json()
    return dict(value)


def _without_none(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


VaultSource = Callable[[], Vault]
"""Returns the vault in use now (read on every call, as it may be replaced)."""


class _Resource:
    def __init__(self, transport: Transport, vault: VaultSource):
        self._transport = transport
        self._vault = vault

    def _one(
        self,
        cls: type[M],
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> M:
        response = self._transport.send(
            method, path, json=json, params=params, headers=headers, idempotency_key=idempotency_key
        )
        return self._bind(cls.from_json(response.body, etag=response.etag))

    def _many(self, cls: type[M], path: str, params: Mapping[str, Any] | None = None) -> list[M]:
        rows = self._transport.send("GET", path, params=params).body or []
        return [self._bind(cls.from_json(row)) for row in rows]

    def _list(
        self, cls: type[M], path: str, params: Mapping[str, Any], page_size: int
    ) -> ListIterator[M]:
        def parse(row: Any) -> M:
            return self._bind(cls.from_json(row))

        return ListIterator(self._transport, path, params, parse, page_size=page_size)

    def _bind(self, obj: M) -> M:
        """Attach the client's vault to every sealed client inside ``obj``."""
        if isinstance(obj, SalonClient):
            obj._vault = self._vault()
        elif isinstance(obj, Appointment) and obj.client is not None:
            obj.client._vault = self._vault()
        elif isinstance(obj, ClientExport):
            obj.client._vault = self._vault()
        return obj

    def _etag(self, path: str, if_match: str | Model | None) -> str:
        if isinstance(if_match, str):
            return if_match
        if isinstance(if_match, Model) and if_match.etag:
            return if_match.etag
        current = self._transport.send("GET", path).etag
        if not current:
            raise ValueError(f"{path} has no ETag")
        return current

    def _patch(
        self, cls: type[M], path: str, if_match: str | Model | None, changes: Mapping[str, Any]
    ) -> M:
        return self._one(
            cls, "PATCH", path, json=dict(changes), headers={"If-Match": self._etag(path, if_match)}
        )


# --- auth ------------------------------------------------------------------------------


class AuthService(_Resource):
    """Your own account: password and second factor (login lives on ``Client.login``).

    ``keep`` takes a token-pair answer and makes the client use it (``Client._keep``).
    """

    def __init__(
        self, transport: Transport, vault: VaultSource, *, keep: Callable[[Any], TokenPair]
    ):
        super().__init__(transport, vault)
        self._keep = keep

    def change_password(self, current_password: str, new_password: str) -> TokenPair:
        """Change your password; the client keeps the new token pair it answers with."""
        answer = self._transport.send(
            "POST",
            "/v1/auth/password",
            json={"current_password": current_password, "new_password": new_password},
        ).body
        return self._keep(answer)

    def totp_setup(self) -> dict[str, str]:
        """Start the second factor: ``{"secret", "otpauth_uri"}`` (shown once)."""
        answer: dict[str, str] = self._transport.send("POST", "/v1/auth/totp/setup").body
        return answer

    def totp_enable(self, code: str) -> TokenPair:
        """Turn the second factor on with a first code (older tokens stop working)."""
        answer = self._transport.send("POST", "/v1/auth/totp/enable", json={"code": code}).body
        return self._keep(answer)

    def totp_disable(self, password: str, code: str) -> None:
        self._transport.send(
            "POST", "/v1/auth/totp/disable", json={"password": password, "code": code}
        )


# --- tenant ----------------------------------------------------------------------------


class TenantService(_Resource):
    """The business's own settings (``/v1/tenant``)."""

    def get(self) -> Tenant:
        return self._one(Tenant, "GET", "/v1/tenant")

    def update(self, *, if_match: str | Tenant | None = None, **changes: Any) -> Tenant:
        """Change settings, e.g. ``update(locale="en", stealth_settings={"offer_count": 2})``."""
        return self._patch(Tenant, "/v1/tenant", if_match, changes)

    def privacy_notices(self) -> list[PrivacyNotice]:
        return self._many(PrivacyNotice, "/v1/tenant/privacy-notices")

    def publish_privacy_notice(
        self, locale: str, text: str, *, idempotency_key: str | None = None
    ) -> PrivacyNotice:
        """A new version of the notice in ``locale`` (older versions stay)."""
        return self._one(
            PrivacyNotice,
            "POST",
            "/v1/tenant/privacy-notices",
            json={"locale": locale, "text": text},
            idempotency_key=idempotency_key,
        )


# --- staff and schedules ---------------------------------------------------------------


class StaffService(_Resource):
    """Team members (``/v1/staff``)."""

    def list(
        self,
        *,
        active: bool | None = None,
        role: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> ListIterator[Staff]:
        return self._list(Staff, "/v1/staff", {"active": active, "role": role}, page_size)

    def get(self, staff: Ref) -> Staff:
        return self._one(Staff, "GET", f"/v1/staff/{_id(staff)}")

    def create(
        self,
        email: str,
        display_name: str,
        role: str,
        *,
        public_name: str | None = None,
        bookable: bool = True,
        idempotency_key: str | None = None,
    ) -> Staff:
        """Invite a team member; ``one_time_password`` of the answer is shown once."""
        body = _without_none(
            email=email,
            display_name=display_name,
            role=role,
            public_name=public_name,
            bookable=bookable,
        )
        return self._one(Staff, "POST", "/v1/staff", json=body, idempotency_key=idempotency_key)

    def update(self, staff: Ref, *, if_match: str | None = None, **changes: Any) -> Staff:
        """Change ``display_name``, ``public_name``, ``role`` or ``bookable``."""
        tag: str | Model | None = if_match or (staff if isinstance(staff, Model) else None)
        return self._patch(Staff, f"/v1/staff/{_id(staff)}", tag, changes)

    def deactivate(self, staff: Ref) -> Staff:
        """Every token of the account stops working; its vault access goes too."""
        return self._one(Staff, "POST", f"/v1/staff/{_id(staff)}/deactivate")

    def reactivate(self, staff: Ref) -> Staff:
        """Back with a fresh one-time password (``one_time_password``, shown once)."""
        return self._one(Staff, "POST", f"/v1/staff/{_id(staff)}/reactivate")


class WorkingHoursService(_Resource):
    """Weekly hours and one-off exceptions of a team member (wall-clock time)."""

    def get(self, staff: Ref) -> list[WorkingHoursRule]:
        body = self._transport.send("GET", f"/v1/staff/{_id(staff)}/working-hours").body
        return [WorkingHoursRule.from_json(rule) for rule in body["rules"]]

    def set(
        self, staff: Ref, rules: Iterable[WorkingHoursRule | Mapping[str, Any]]
    ) -> list[WorkingHoursRule]:
        """Replace the whole weekly pattern, e.g.
        ``[{"weekday": 0, "start": "09:00", "end": "18:00"}]`` (0 = Monday)."""
        payload = []
        for rule in rules:
            if isinstance(rule, WorkingHoursRule):
                payload.append(rule.to_json())
            else:
                item = dict(rule)
                item["start"] = _hhmm(item.get("start"))
                item["end"] = _hhmm(item.get("end"))
                payload.append(item)
        body = self._transport.send(
            "PUT", f"/v1/staff/{_id(staff)}/working-hours", json={"rules": payload}
        ).body
        return [WorkingHoursRule.from_json(rule) for rule in body["rules"]]

    def exceptions(
        self, staff: Ref, *, date_from: date | str | None = None, date_to: date | str | None = None
    ) -> list[ScheduleException]:
        return self._many(
            ScheduleException,
            f"/v1/staff/{_id(staff)}/exceptions",
            {"from": _date(date_from), "to": _date(date_to)},
        )

    def add_exception(
        self,
        staff: Ref,
        day: date | str,
        start: time | str | None = None,
        end: time | str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> ScheduleException:
        """Other hours on ``day``; without ``start``/``end`` a day off."""
        return self._one(
            ScheduleException,
            "POST",
            f"/v1/staff/{_id(staff)}/exceptions",
            json={"date": _date(day), "start": _hhmm(start), "end": _hhmm(end)},
            idempotency_key=idempotency_key,
        )

    def delete_exception(self, staff: Ref, exception: Ref) -> None:
        self._transport.send("DELETE", f"/v1/staff/{_id(staff)}/exceptions/{_id(exception)}")


class TimeOffService(_Resource):
    """Vacation, sick leave, training (``kind`` reads ``away`` for most roles)."""

    def list(self, staff: Ref) -> list[TimeOff]:
        return self._many(TimeOff, f"/v1/staff/{_id(staff)}/time-off")

    def create(
        self,
        staff: Ref,
        start_at: Instant,
        end_at: Instant,
        kind: str = "other",
        *,
        idempotency_key: str | None = None,
    ) -> TimeOff:
        return self._one(
            TimeOff,
            "POST",
            f"/v1/staff/{_id(staff)}/time-off",
            json={"start_at": _instant(start_at), "end_at": _instant(end_at), "kind": kind},
            idempotency_key=idempotency_key,
        )

    def delete(self, staff: Ref, time_off: Ref) -> None:
        self._transport.send("DELETE", f"/v1/staff/{_id(staff)}/time-off/{_id(time_off)}")


# --- services, availability ------------------------------------------------------------


class ServicesService(_Resource):
    """What the business offers (``/v1/services``)."""

    def list(
        self, *, active: bool | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> ListIterator[Service]:
        return self._list(Service, "/v1/services", {"active": active}, page_size)

    def get(self, service: Ref) -> Service:
        return self._one(Service, "GET", f"/v1/services/{_id(service)}")

    def create(
        self,
        name: str,
        duration_min: int,
        staff_ids: Iterable[Ref],
        *,
        description: str | None = None,
        price_cents: int | None = None,
        buffer_before_min: int | None = None,
        buffer_after_min: int | None = None,
        active: bool | None = None,
        idempotency_key: str | None = None,
    ) -> Service:
        body = _without_none(
            name=name,
            duration_min=duration_min,
            staff_ids=[_id(s) for s in staff_ids],
            description=description,
            price_cents=price_cents,
            buffer_before_min=buffer_before_min,
            buffer_after_min=buffer_after_min,
            active=active,
        )
        return self._one(
            Service, "POST", "/v1/services", json=body, idempotency_key=idempotency_key
        )

    def update(self, service: Ref, *, if_match: str | None = None, **changes: Any) -> Service:
        if "staff_ids" in changes:
            changes["staff_ids"] = [_id(s) for s in changes["staff_ids"]]
        tag: str | Model | None = if_match or (service if isinstance(service, Model) else None)
        return self._patch(Service, f"/v1/services/{_id(service)}", tag, changes)

    def archive(self, service: Ref) -> None:
        """Archive (past appointments keep pointing to it)."""
        self._transport.send("DELETE", f"/v1/services/{_id(service)}")


class AvailabilityService(_Resource):
    """Free times for staff-side booking (never public)."""

    def get(
        self,
        service: Ref,
        date_from: Instant,
        date_to: Instant,
        *,
        staff_id: Ref | None = None,
    ) -> list[FreeTimes]:
        params = {
            "service_id": _id(service),
            "from": _instant(date_from),
            "to": _instant(date_to),
            "staff_id": None if staff_id is None else _id(staff_id),
        }
        return self._many(FreeTimes, "/v1/availability", params)


# --- appointments ----------------------------------------------------------------------


class AppointmentsService(_Resource):
    """The team's bookings (``/v1/appointments``).

    ``tenant`` gives ``on()`` the business's time zone; ``clients`` builds the
    (sealed) body of a new client booked along with an appointment.
    """

    def __init__(
        self,
        transport: Transport,
        vault: VaultSource,
        *,
        tenant: TenantService,
        clients: ClientsService,
    ):
        super().__init__(transport, vault)
        self._tenant = tenant
        self._clients = clients

    def list(
        self,
        *,
        date_from: Instant | None = None,
        date_to: Instant | None = None,
        staff_id: Ref | None = None,
        status: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> ListIterator[Appointment]:
        """Appointments overlapping ``[date_from, date_to)``, by start."""
        params = {
            "from": _instant(date_from),
            "to": _instant(date_to),
            "staff_id": None if staff_id is None else _id(staff_id),
            "status": status,
        }
        return self._list(Appointment, "/v1/appointments", params, page_size)

    def on(
        self,
        day: date | None = None,
        *,
        staff_id: Ref | None = None,
        status: str | None = None,
    ) -> ListIterator[Appointment]:
        """One local day of the business (default: today where the business is)."""
        if day is None:
            zone = self._tenant.get().timezone
            try:
                day = datetime.now(ZoneInfo(zone)).date()
            except ZoneInfoNotFoundError:  # no time zone data on this machine
                day = date.today()
        return self.list(
            date_from=day, date_to=day + timedelta(days=1), staff_id=staff_id, status=status
        )

    def get(self, appointment: Ref) -> Appointment:
        return self._one(Appointment, "GET", f"/v1/appointments/{_id(appointment)}")

    def create(
        self,
        service_id: Ref,
        staff_id: Ref,
        start: Instant,
        *,
        client_id: Ref | None = None,
        new_client: Mapping[str, str] | None = None,
        contacts: Mapping[str, str] | None = None,
        consent: Consent | Mapping[str, Any] | None = None,
        source: str = "phone",
        allow_outside_hours: bool = False,
        notify: Mapping[str, str] | None = None,
        seal: bool = True,
        idempotency_key: str | None = None,
    ) -> Appointment:
        """Book a caller or walk-in (confirmed at once).

        ``new_client`` is a profile (``{"name": …, "phone": …}``) sealed here
        before it is sent (``seal=False``: sent plain, sealed by the service);
        ``contacts`` and ``consent`` go with it. ``notify`` (``email``/``phone``)
        is where confirmations and reminders go. ``Conflict`` with
        ``reason == "slot_taken"`` when the time has just been taken.
        """
        body: dict[str, Any] = {
            "service_id": _id(service_id),
            "staff_id": _id(staff_id),
            "start": _instant(start),
            "source": source,
            "allow_outside_hours": allow_outside_hours,
        }
        if client_id is not None:
            body["client_id"] = _id(client_id)
        if new_client is not None:
            body["client"] = self._clients._body(new_client, contacts, consent, None, seal)
        if notify is not None:
            body["notify"] = dict(notify)
        return self._one(
            Appointment, "POST", "/v1/appointments", json=body, idempotency_key=idempotency_key
        )

    def move(
        self,
        appointment: Ref,
        *,
        start: Instant | None = None,
        staff_id: Ref | None = None,
        allow_outside_hours: bool = False,
        if_match: str | None = None,
    ) -> Appointment:
        """Another time and/or team member (``PreconditionFailed`` if it changed since
        you read it: pass the appointment you read, or ``if_match``)."""
        changes: dict[str, Any] = {"allow_outside_hours": allow_outside_hours}
        if start is not None:
            changes["start"] = _instant(start)
        if staff_id is not None:
            changes["staff_id"] = _id(staff_id)
        tag: str | Model | None = if_match or (
            appointment if isinstance(appointment, Model) else None
        )
        return self._patch(Appointment, f"/v1/appointments/{_id(appointment)}", tag, changes)

    def _transition(self, appointment: Ref, action: str) -> Appointment:
        return self._one(Appointment, "POST", f"/v1/appointments/{_id(appointment)}/{action}")

    def confirm(self, appointment: Ref) -> Appointment:
        return self._transition(appointment, "confirm")

    def cancel(self, appointment: Ref) -> Appointment:
        """Cancel (frees the time)."""
        return self._transition(appointment, "cancel")

    def complete(self, appointment: Ref) -> Appointment:
        return self._transition(appointment, "complete")

    def no_show(self, appointment: Ref) -> Appointment:
        return self._transition(appointment, "no-show")


# --- clients ---------------------------------------------------------------------------


class ClientsService(_Resource):
    """The client book (``/v1/clients``): profiles sealed, figures readable.

    ``get(id).profile`` opens a profile here once ``client.vault`` is unlocked.
    """

    def list(
        self,
        *,
        category: str | None = None,
        min_visits: int | None = None,
        min_spent_cents: int | None = None,
        last_visit_before: datetime | str | None = None,
        last_visit_after: datetime | str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> ListIterator[SalonClient]:
        """Clients by id. ``last_visit_*`` must carry a UTC offset."""
        params = {
            "category": category,
            "min_visits": min_visits,
            "min_spent_cents": min_spent_cents,
            "last_visit_before": _instant(last_visit_before),
            "last_visit_after": _instant(last_visit_after),
        }
        return self._list(SalonClient, "/v1/clients", params, page_size)

    def get(self, client: Ref) -> SalonClient:
        return self._one(SalonClient, "GET", f"/v1/clients/{_id(client)}")

    def _body(
        self,
        profile: Mapping[str, str],
        contacts: Mapping[str, str] | None,
        consent: Consent | Mapping[str, Any] | None,
        birthday_month: int | None,
        seal: bool,
    ) -> dict[str, Any]:
        clean = {k: v for k, v in profile.items() if v not in (None, "")}
        if seal:
            body = self._vault().seal_profile(clean)
            if contacts:
                body["contacts"] = dict(contacts)
        else:
            body = {"profile": clean}
        if consent is not None:
            body["consent"] = _consent(consent)
        if birthday_month is not None:
            body["birthday_month"] = birthday_month
        return body

    def create(
        self,
        profile: Mapping[str, str],
        *,
        contacts: Mapping[str, str] | None = None,
        consent: Consent | Mapping[str, Any] | None = None,
        birthday_month: int | None = None,
        seal: bool = True,
        idempotency_key: str | None = None,
    ) -> SalonClient:
        """Add a client. The profile is sealed here to the business key (public
        half only: no unlock needed) and the service never sees it; ``contacts``
        (``email``/``phone``, plain) make the client findable by ``lookup``. With
        ``seal=False`` the profile goes plain and the service seals it on arrival."""
        body = self._body(profile, contacts, consent, birthday_month, seal)
        try:
            return self._one(
                SalonClient, "POST", "/v1/clients", json=body, idempotency_key=idempotency_key
            )
        except Conflict as exc:
            if exc.reason != "stale_key_version" or not seal:
                raise
        # The business key was rotated since it was read: seal again, once.
        self._vault().forget_sealing_key()
        body = self._body(profile, contacts, consent, birthday_month, seal)
        return self._one(SalonClient, "POST", "/v1/clients", json=body)

    def update_profile(
        self,
        client: Ref,
        profile: Mapping[str, str],
        *,
        contacts: Mapping[str, str] | None = None,
        if_match: str | None = None,
    ) -> SalonClient:
        """Replace the client's profile with ``profile`` (every field it should have
        now; fields left out are gone), sealed here to the business key with a new
        client key — the service never sees it. ``contacts`` (``email``/``phone``,
        plain) replace the lookup digests when they changed (``{}`` removes them);
        without, the digests stay. Pass the client you fetched (or ``if_match``):
        if someone changed it since, :class:`hushbook.PreconditionFailed`. With a
        bare id the current ETag is read just before, which protects against nothing.
        """
        path = f"/v1/clients/{_id(client)}"
        read = client if isinstance(client, Model) else None
        etag = self._etag(path, if_match if if_match is not None else read)
        clean = {k: v for k, v in profile.items() if v not in (None, "")}

        def send() -> SalonClient:
            body = self._vault().seal_profile(clean)
            if contacts is not None:
                body["contacts"] = dict(contacts)
            return self._one(
                SalonClient, "PUT", path + "/profile", json=body, headers={"If-Match": etag}
            )

        try:
            return send()
        except Conflict as exc:
            if exc.reason != "stale_key_version":
                raise
        # The business key was rotated since it was read: seal again, once.
        self._vault().forget_sealing_key()
        return send()

    def lookup(self, *, email: str | None = None, phone: str | None = None) -> SalonClient | None:
        """A returning client by e-mail or phone (hashed by the service, never stored)."""
        rows = self._transport.send(
            "POST", "/v1/clients/lookup", json=_without_none(email=email, phone=phone)
        ).body
        return self._bind(SalonClient.from_json(rows[0])) if rows else None

    def export(self, client: Ref) -> ClientExport:
        """Everything held about the client (Art. 15/20); ``.profile`` opens locally."""
        return self._one(ClientExport, "GET", f"/v1/clients/{_id(client)}/export")

    def erase(self, client: Ref) -> None:
        """Erase (Art. 17): profile, index, consents and contacts go; appointments
        stay, anonymous. Cannot be undone."""
        self._transport.send("DELETE", f"/v1/clients/{_id(client)}")


# --- ledgers and keys ------------------------------------------------------------------


class MessagesService(_Resource):
    """What was sent to clients and when (no contact data)."""

    def list(
        self,
        *,
        appointment_id: Ref | None = None,
        state: str | None = None,
        kind: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> ListIterator[Message]:
        params = {
            "appointment_id": None if appointment_id is None else _id(appointment_id),
            "state": state,
            "kind": kind,
        }
        return self._list(Message, "/v1/messages", params, page_size)


class AuditEventsService(_Resource):
    """The tamper-evident audit trail, newest first (owner only)."""

    def list(
        self,
        *,
        action: str | None = None,
        actor_id: int | None = None,
        date_from: Instant | None = None,
        date_to: Instant | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> ListIterator[AuditEvent]:
        params = {
            "action": action,
            "actor_id": actor_id,
            "from": _instant(date_from),
            "to": _instant(date_to),
        }
        return self._list(AuditEvent, "/v1/audit-events", params, page_size)


class IntegrationKeysService(_Resource):
    """Long-lived, scoped, revocable keys for scripts and plugins (owner only)."""

    def list(self) -> list[IntegrationKey]:
        return self._many(IntegrationKey, "/v1/integration-keys")

    def create(
        self, name: str, scopes: Iterable[str], *, idempotency_key: str | None = None
    ) -> IntegrationKey:
        """Issue a key; its secret (``key``) is in this answer only."""
        return self._one(
            IntegrationKey,
            "POST",
            "/v1/integration-keys",
            json={"name": name, "scopes": list(scopes)},
            idempotency_key=idempotency_key,
        )

    def revoke(self, key: Ref) -> None:
        """The key stops working at once."""
        self._transport.send("DELETE", f"/v1/integration-keys/{_id(key)}")


class BlockedContactsService(_Resource):
    """Contacts refused for online booking (kept as keyed hashes only)."""

    def list(self) -> list[BlockedContact]:
        return self._many(BlockedContact, "/v1/blocked-contacts")

    def block(
        self, *, email: str | None = None, phone: str | None = None
    ) -> builtins.list[BlockedContact]:
        rows = self._transport.send(
            "POST", "/v1/blocked-contacts", json=_without_none(email=email, phone=phone)
        ).body
        return [BlockedContact.from_json(row) for row in rows]

    def unblock(self, blocked: Ref) -> None:
        self._transport.send("DELETE", f"/v1/blocked-contacts/{_id(blocked)}")
