"""Online bookings: a pending appointment from an offer, double opt-in, the
manage link (view, cancel, reschedule), and expiry of what nobody confirmed.

The anti-fake rules a booking passes (disposable addresses, the blocklist)
live in :mod:`hushbook_service.privacy.blocklist`; the write itself is the
booking path's (:mod:`hushbook_service.scheduling.booking`), so a public booking
and a staff booking can never take the same time.
"""

from __future__ import annotations

import hmac
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from peewee import fn

from hushbook_service import audit, keys, observability, stealth
from hushbook_service.accounts.principals import key_ring
from hushbook_service.db import (
    database,
    lock_row,
    prepared_models,
    prepared_rows,
    utcnow,
    write_transaction,
)
from hushbook_service.errors import DomainError, abort, field_error
from hushbook_service.messaging import ledger as messages
from hushbook_service.messaging import links, texts
from hushbook_service.messaging.links import confirmation_code
from hushbook_service.models import (
    Appointment,
    Client,
    Consent,
    PendingHold,
    SpentToken,
    Tenant,
)
from hushbook_service.privacy import blocklist, clientbook, delivery, profiles
from hushbook_service.privacy.clients import create_client
from hushbook_service.public import capacity, metering, probes
from hushbook_service.public.asks import offer_claims
from hushbook_service.public.visitors import (
    INVALID,
    Visitor,
    client_ip,
    spend,
    verify,
    walk_buckets,
)
from hushbook_service.scheduling import booking, slots

# Wrong or right, confirmation codes tried from one address in an hour (each
# booking has its own five tries on top).
CODE_TRIES_PER_IP_HOUR = 30


def _holds(tenant: Tenant, who: Visitor, contacts: dict[str, str]) -> list[tuple[str, str]]:
    """(kind, keyed hash) a pending booking counts against."""
    key = keys.instance_key("pending-hold", str(tenant.id))

    def mac(value: str) -> str:
        return hmac.new(key, value.encode(), "sha256").hexdigest()[:40]

    subnet = next(v for k, v in stealth.network_keys(who.ip) if k == "subnet")
    holds = [("session", mac(who.tag)), ("ip", mac(who.ip)), ("subnet", mac(subnet))]
    # One mailbox, one cap: name+tag@…, dots at Gmail and case do not make a new one.
    holds += [("contact", mac(f"{k}|{v}")) for k, v in clientbook.mailboxes(tenant.id, contacts)]
    return holds


def _too_many_pending(config: dict[str, int]) -> None:
    abort(
        429,
        "Too many unconfirmed bookings. Confirm one first, or try again later.",
        reason="too_many_pending",
        headers={"Retry-After": str(config["pending_expiry_min"] * 60)},
    )


def holding(now: datetime):
    """What counts against the caps: unconfirmed online bookings not expired, and
    confirmed ones of new contacts until they begin (a mailbox that confirms
    does not buy unlimited holds)."""
    unconfirmed = (Appointment.status == "pending") & (Appointment.pending_until > now)
    unkept = (
        (Appointment.status == "confirmed") & Appointment.new_contact & (Appointment.start_at > now)
    )
    return unconfirmed | unkept


def _check_pending_caps(tenant: Tenant, holds: list[tuple[str, str]]) -> None:
    if not holds:
        return
    config = stealth.settings_of(tenant)
    # one prebuilt query for all of them (it runs under the booking lock)
    digests = [digest for _, digest in holds]
    at = utcnow()
    now = Appointment.pending_until.db_value(at)
    rows = prepared_rows(
        f"bookings.pending_caps.{len(digests)}",
        lambda: (
            PendingHold.select(PendingHold.kind, PendingHold.digest, fn.COUNT(PendingHold.id))
            .join(Appointment)
            .where(
                PendingHold.tenant == tenant.id,
                PendingHold.digest.in_(digests),
                holding(at),
            )
            .group_by(PendingHold.kind, PendingHold.digest)
        ),
        [tenant.id, *digests, "pending", now, "confirmed", now],
    )
    counts = {(kind, digest): n for kind, digest, n in rows}
    for kind, digest in holds:
        if counts.get((kind, digest), 0) >= config[f"pending_per_{kind}"]:
            _too_many_pending(config)


def _local_day(tenant: Tenant, start: datetime) -> tuple[date, datetime, datetime]:
    """The salon's local date of ``start`` and the instants it begins and ends."""
    tz = ZoneInfo(tenant.timezone)
    day = start.astimezone(tz).date()
    return day, slots.day_start(day, tz), slots.day_start(day + timedelta(days=1), tz)


def _bookable_day(tenant: Tenant, day: date) -> tuple[float, dict[int, slots.StaffSchedule]]:
    """Local ``day``'s bookable minutes (:func:`capacity.bookable_minutes`), and the
    working time it counts by team member."""
    minutes, schedules = capacity.bookable(tenant, day, day)
    return minutes[day], schedules


def _check_day_shares(
    tenant: Tenant,
    start: datetime,
    minutes: float,
    capacity: float,
    new_contact: bool,
    now: datetime,
) -> None:
    """Two shares of a local day's bookable time (``capacity`` minutes), the first
    booking always may; under the tenant lock, so parallel bookings cannot
    overshoot. All unconfirmed online bookings together hold at most
    ``pending_salon_share_pct``; for a new contact's booking, the online bookings
    of new contacts (unconfirmed, confirmed and not yet kept, and the probes
    among the cancelled) at most ``new_contact_share_pct``."""
    config = stealth.settings_of(tenant)
    _, first, last = _local_day(tenant, start)
    A = Appointment
    # one prebuilt query for both: the day's online bookings either share counts
    rows = prepared_models(
        "bookings.day_shares",
        A,
        lambda: A.select().where(
            A.tenant == tenant.id,
            A.source == "online",
            A.start_at >= first,
            A.start_at < last,
            holding(now) | (A.new_contact & (A.status == "cancelled")),
        ),
        [
            tenant.id,
            "online",
            A.start_at.db_value(first),
            A.start_at.db_value(last),
            "pending",
            A.pending_until.db_value(now),
            "confirmed",
            A.start_at.db_value(now),
            "cancelled",
        ],
    )

    def held(counted) -> float:
        return sum((a.end_at - a.start_at).total_seconds() / 60 for a in rows if counted(a))

    # a pending one here is not expired (holding)
    pending = held(lambda a: a.status == "pending")
    if pending and pending + minutes > capacity * config["pending_salon_share_pct"] / 100:
        _day_full(config)
    if not new_contact:
        return
    new = held(lambda a: a.new_contact and (a.status != "cancelled" or _was_probe(a)))
    if new and new + minutes > capacity * config["new_contact_share_pct"] / 100:
        _day_full(config)


def _day_full(config: dict[str, int]) -> None:
    abort(
        429,
        "Many bookings for this day are waiting to be confirmed. "
        "Please try again later or choose another day.",
        reason="pending_day_full",
        headers={"Retry-After": str(config["pending_expiry_min"] * 60)},
    )


# What a probe is, counting one and refusing probers: public/probes.py.
_was_probe = probes.cancelled_soon
_refuse_probers = probes.refuse_probers


def _count_dropped(tenant: Tenant, who: Visitor, config: dict[str, int]) -> None:
    """A dropped booking keeps nothing, so no pending cap would ever stop the bot
    that sent it: it is counted instead against buckets as large as those caps
    (429 ``too_many_pending`` alike), so reaching a cap tells it nothing either."""
    period = config["pending_expiry_min"] * 60
    subnet = next(v for k, v in stealth.network_keys(who.ip) if k == "subnet")
    buckets = [
        metering.Bucket("dropped_session", who.tag, config["pending_per_session"], period),
        metering.Bucket("dropped_ip", who.ip, config["pending_per_ip"], period),
        metering.Bucket("dropped_subnet", subnet, config["pending_per_subnet"], period),
    ]
    try:
        metering.take(tenant.id, buckets)
    except DomainError:
        _too_many_pending(config)


class _Dropped(Exception):
    """Undoes a booking's writes (see :func:`book`)."""


def _language(data: dict) -> str:
    """The booking's language: the widget's, if the service speaks it, else the
    consent's (the privacy notice the customer read)."""
    wanted = data.get("locale")
    return wanted if wanted in texts.LANGS else data["consent"]["locale"]


def book(tenant: Tenant, who: Visitor, data: dict) -> dict:
    """A pending online appointment from an offer; the customer confirms it."""
    config = stealth.settings_of(tenant)
    claims, service, staff = offer_claims(tenant, who, data["offer"])
    if "sealed_profile" in data:  # also for a returning client, whose profile is kept
        profiles.require_vault(tenant)
        profiles.require_current_key(tenant, data.get("key_version"))
    contacts = {k: v for k, v in data["contact"].items() if v}
    # The honeypot, a field people never see: whoever fills it goes the whole way
    # (every check, every write, the same answer) and then nothing is kept.
    dropped = tenant.stealth_mode and bool(data.get("website"))
    if tenant.stealth_mode:
        # From the visitor's first interaction (the session's start), not from the
        # details screen: a browser's autofill is fast, a person's whole visit is not.
        filled = (utcnow() - datetime.fromtimestamp(who.started, UTC)).total_seconds()
        if filled < config["min_fill_seconds"]:
            abort(
                422,
                "That was very fast. Please check your details and send again.",
                reason="too_fast",
                headers={"Retry-After": str(config["min_fill_seconds"])},
            )
    if "email" in contacts and blocklist.is_disposable(contacts["email"]):
        field_error("contact", "Please use a permanent e-mail address.")
    if blocklist.blocked(tenant.id, contacts):
        abort(
            403,
            "Online booking is not available for this contact. Please call the business.",
            reason="contact_blocked",
        )
    consent = data["consent"]
    if "booking" not in consent["purposes"]:
        field_error("consent", "Booking needs your consent to process your details for it.")
    clientbook.require_notice(tenant.id, consent)
    holds = _holds(tenant, who, contacts) if tenant.stealth_mode else []
    _refuse_probers(tenant, holds)
    start = datetime.fromtimestamp(int(claims["st"]), UTC)
    day, _, midnight = _local_day(tenant, start)
    # The day's bookable time changes seldom: read before the lock.
    capacity, working = _bookable_day(tenant, day) if holds else (0.0, {})
    # Read-only checks of the time (pair, working hours) before the lock, on the
    # day's working time just read if it holds the whole appointment.
    ends = start + timedelta(minutes=service.duration_min)
    booking.check_placement(
        tenant=tenant,
        staff=staff,
        service=service,
        start=start,
        allow_outside_hours=False,
        schedule=working.get(staff.id) if ends <= midnight else None,
    )
    until = utcnow() + timedelta(minutes=config["pending_expiry_min"])
    appointment = Appointment(
        status="pending",
        source="online",
        price_cents=service.price_cents,
        pending_until=until,
        locale=_language(data),  # the customer's, for messages and pages
    )
    with write_transaction():  # all or nothing; the offer is spent exactly once
        # One public booking of this business at a time (PostgreSQL; SQLite has the
        # whole database): the pending caps are counted and kept under this lock.
        lock_row(Tenant, tenant.id)
        if not spend(claims["jti"], "offer", claims["exp"]):
            abort(409, "This offer was already used; ask for new offers.", reason="offer_spent")
        # Looked up once, under the lock: no parallel booking makes this contact's
        # client meanwhile.
        client = clientbook.find_returning(tenant.id, contacts)
        # Nobody kept an appointment with this contact yet: its bookings count against
        # the caps until kept, and against the day's share for new contacts.
        new_contact = appointment.new_contact = client is None or client.visits == 0
        _check_pending_caps(tenant, holds)
        if holds:
            minutes = service.duration_min
            _check_day_shares(tenant, start, minutes, capacity, new_contact, utcnow())
            # a hold made: counted against the address and network (walk detection)
            # (overdrawable: it never refuses, so it needs no savepoint of its own)
            metering.take(tenant.id, walk_buckets(tenant, who, 1.0), savepoint=False)
        if dropped:
            _count_dropped(tenant, who, config)
        # A savepoint undoes a dropped booking's writes (only then: its path is longer
        # anyway, by the dropped counts).
        undo = database.atomic() if dropped else nullcontext()
        try:
            with undo:
                if client is None:
                    client_data = {
                        k: data[k]
                        for k in ("sealed_profile", "client_key", "key_version")
                        if k in data
                    }
                    if "profile" in data:  # plain: sealed on arrival, with the contact in it
                        client_data["profile"] = {**data["profile"], **contacts}
                    client_data["contacts"] = contacts
                    client_data["consent"] = data["consent"]
                    client = create_client(
                        tenant, client_data, source="online", pending=True, notice_checked=True
                    )
                appointment.client = client
                booking.occupy(
                    appointment,
                    tenant=tenant,
                    staff=staff,
                    service=service,
                    start=start,
                    placed=True,
                )
                if not client.pending:  # returning: this booking's consent, kept if confirmed
                    clientbook.record_consent(
                        client,
                        consent["notice_version"],
                        consent["locale"],
                        consent["purposes"],
                        "online",
                        appointment_id=appointment.id,
                    )
                if holds:
                    PendingHold.insert_many(
                        [
                            {
                                "tenant": tenant.id,
                                "appointment": appointment.id,
                                "kind": k,
                                "digest": d,
                            }
                            for k, d in holds
                        ]
                    ).execute()
                # inserted just now: no contact of its own to replace
                delivery.seal_contact(
                    appointment, contacts, prefer=data.get("channel"), replace=False
                )
                messages.on_booked_online(appointment)
                audit.record(
                    tenant.id,
                    "public.booking",
                    "appointment",
                    appointment.id,
                    actor=("anonymous", None),
                    tenant_locked=True,  # at the top of this transaction
                )
                if dropped:
                    raise _Dropped
        except _Dropped:
            audit.record(
                tenant.id, "public.booking_dropped", actor=("anonymous", None), reason="honeypot"
            )
    observability.ONLINE_BOOKINGS.labels("honeypot" if dropped else "pending").inc()
    ref = links.random_reference() if dropped else links.reference(appointment)
    return {
        "status": "pending",
        "booking": key_ring().issue(
            "booking", {"tid": tenant.id, "ref": ref, "vis": who.tag}, until - utcnow()
        ),
        "confirm_by": until,
        "start": appointment.start_at,
        "end": appointment.end_at,
    }


def _lookup(claims: dict) -> Appointment | None:
    """The online appointment a public token names, or None (also for a dropped
    booking's reference, which names nothing)."""
    tenant_id = claims.get("tid")
    if "ref" in claims:
        appointment_id = links.appointment_id(tenant_id, claims["ref"])
    else:  # issued before references were opaque: the id itself, still signed
        sub = claims.get("sub")
        appointment_id = None
        if isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 9:
            appointment_id = int(sub)
    if appointment_id is None:
        return None
    appointment = Appointment.get_or_none(
        Appointment.id == appointment_id, Appointment.tenant == tenant_id
    )
    if appointment is None or appointment.source != "online":
        return None
    return appointment


def _appointment(claims: dict, field: str) -> Appointment:
    appointment = _lookup(claims)
    if appointment is None:
        field_error(field, INVALID[field])
    return appointment


def to_confirm(token: str) -> Appointment:
    """The appointment a confirmation link is for (changes nothing)."""
    return _appointment(verify("confirm", token, None, "token"), "token")


def confirm_by_link(token: str) -> Appointment:
    return _confirm(_appointment(verify("confirm", token, None, "token"), "token"))


def confirm_by_code(booking_ref: str, code: str) -> Appointment:
    claims = verify("booking", booking_ref, None, "booking")
    tenant = Tenant.get_or_none(Tenant.id == claims.get("tid"))
    if tenant is None:
        field_error("booking", INVALID["booking"])
    expiry = stealth.settings_of(tenant)["pending_expiry_min"] * 60
    # Five tries per booking: six digits cannot be guessed in the time it is pending;
    # and a budget per address, so that many bookings do not add up. Both are paid
    # before the code is looked at (in one transaction: parallel tries queue).
    name = str(claims.get("ref") or claims.get("sub"))
    metering.take(
        tenant.id,
        [
            metering.Bucket("code", name, 5, expiry),
            metering.Bucket("code_ip", client_ip(tenant), CODE_TRIES_PER_IP_HOUR, 3600),
        ],
    )
    appointment = _lookup(claims)
    # A dropped booking's reference names nothing: it answers like a wrong code.
    if appointment is None or not hmac.compare_digest(confirmation_code(appointment), code):
        field_error("code", "This code is not right.")
    return _confirm(appointment)


def _confirm(appointment: Appointment) -> Appointment:
    if appointment.status == "confirmed":
        return appointment  # a second click on the link changes nothing
    if appointment.status != "pending" or appointment.pending_until <= utcnow():
        abort(409, "This booking has expired; please book again.", reason="booking_expired")
    with write_transaction():
        updated = (
            Appointment.update(
                status="confirmed", pending_until=None, updated_at=utcnow(), confirmed_at=utcnow()
            )
            .where(Appointment.id == appointment.id, Appointment.status == "pending")
            .execute()
        )
        if not updated:
            abort(409, "This booking was changed meanwhile.", reason="concurrent_change")
        if not appointment.new_contact:  # a new contact's keeps counting until kept
            PendingHold.delete().where(PendingHold.appointment == appointment.id).execute()
        if appointment.client_id is not None:
            Client.update(pending=False).where(Client.id == appointment.client_id).execute()
        appointment.status = "confirmed"
        messages.on_confirmed(appointment)
        audit.record(
            appointment.tenant_id,
            "public.confirm",
            "appointment",
            appointment.id,
            actor=("anonymous", None),
        )
    return Appointment.get_by_id(appointment.id)


def managed(token: str) -> Appointment:
    return _appointment(verify("manage", token, None, "token"), "token")


def changes_until(appointment: Appointment, tenant: Tenant | None = None) -> datetime:
    """Until when the customer may cancel or move online: the salon's
    ``manage_deadline_hours`` before the start (later, they call the salon)."""
    tenant = tenant or Tenant.get_by_id(appointment.tenant_id)
    return appointment.start_at - timedelta(hours=tenant.manage_deadline_hours)


def _require_before_deadline(appointment: Appointment) -> None:
    if utcnow() >= changes_until(appointment):
        abort(
            409,
            "Too close to the appointment to change it online. Please call the business.",
            reason="manage_deadline",
        )


def cancel(appointment: Appointment) -> Appointment:
    if appointment.status not in ("pending", "confirmed") or appointment.start_at <= utcnow():
        abort(
            409, "This appointment can no longer be cancelled online.", reason="invalid_transition"
        )
    _require_before_deadline(appointment)
    with write_transaction():
        booking.transition(appointment, "cancel")
        appointment.updated_at = utcnow()
        # a probe stays counted against its contact, address and network (a month)
        probe = probes.settle(appointment)
        audit.record(
            appointment.tenant_id,
            "public.cancel",
            "appointment",
            appointment.id,
            actor=("anonymous", None),
            **cast(dict[str, Any], {"reason": "probe"} if probe else {}),
        )
    return appointment


def reschedule(appointment: Appointment, who: Visitor, offer_token: str) -> Appointment:
    """Move a confirmed appointment to a new offer (asked for under this manage link)."""
    tenant = Tenant.get_by_id(appointment.tenant_id)
    if appointment.status != "confirmed" or appointment.start_at <= utcnow():
        abort(409, "This appointment can no longer be moved online.", reason="invalid_transition")
    _require_before_deadline(appointment)
    claims, service, staff = offer_claims(tenant, who, offer_token)
    if service.id != appointment.service_id:
        field_error("offer", INVALID["offer"])
    with write_transaction():
        if not spend(claims["jti"], "offer", claims["exp"]):
            abort(409, "This offer was already used; ask for new offers.", reason="offer_spent")
        booking.move(
            appointment,
            tenant=tenant,
            staff=staff,
            service=service,
            start=datetime.fromtimestamp(int(claims["st"]), UTC),
        )
        audit.record(
            tenant.id, "public.reschedule", "appointment", appointment.id, actor=("anonymous", None)
        )
    return appointment


def require_movable(appointment: Appointment) -> None:
    """Asking for offers to move to: only a confirmed booking, before the deadline."""
    if appointment.status != "confirmed":
        field_error("token", "Only a confirmed booking can be moved.", 409)
    _require_before_deadline(appointment)


def set_reminders(appointment: Appointment, wanted: bool) -> bool:
    """The customer turns reminders on or off under their manage link (withdrawing
    is as easy as giving, GDPR Art. 7(3)): a new consent like their current one,
    to the same notice, with or without ``reminders``; armed reminders follow."""
    client = Client.get_or_none(Client.id == appointment.client_id)
    last = (
        Consent.select().where(Consent.client == client.id).order_by(Consent.id.desc()).first()
        if client is not None
        else None
    )
    if client is None or last is None:
        abort(409, "There is no consent to change for this booking.", reason="no_consent")
    purposes = set(clientbook.current_purposes(client.id)) - {"reminders"}
    if wanted:
        purposes.add("reminders")
    consent = {"notice_version": last.notice_version, "locale": last.locale}
    with write_transaction():
        lock_row(Client, client.id)
        clientbook.give_consent(client, {**consent, "purposes": sorted(purposes)}, "online")
        messages.on_consent_changed(client.id)
    return wanted


def manage_visitor(appointment: Appointment) -> Visitor:
    """Under a manage link the link itself is the session (offers bind to it);
    a client who kept an appointment before has proved the contact."""
    tenant = Tenant.get_by_id(appointment.tenant_id)
    client = Client.get_or_none(Client.id == appointment.client_id)
    proven = client is not None and client.visits > 0
    return Visitor(f"manage|{links.reference(appointment)}", client_ip(tenant), proven=proven)


def expire_pending(now: datetime | None = None) -> int:
    """Mark unconfirmed online bookings expired; erase clients they created.

    Their slots are already free (``booking.occupying``); this tidies up."""
    now = now or utcnow()
    rows = list(
        Appointment.select().where(
            Appointment.status == "pending", Appointment.pending_until <= now
        )
    )
    for appointment in rows:
        with write_transaction():
            done = (
                Appointment.update(status="expired", updated_at=now)
                .where(Appointment.id == appointment.id, Appointment.status == "pending")
                .execute()
            )
            if not done:
                continue
            PendingHold.delete().where(PendingHold.appointment == appointment.id).execute()
            messages.on_expired(appointment)
            delivery.forget(appointment)
            Consent.delete().where(Consent.appointment == appointment.id).execute()
            client = Client.get_or_none(Client.id == appointment.client_id)
            others = Appointment.select().where(
                Appointment.client == appointment.client_id,
                Appointment.id != appointment.id,
                Appointment.status != "expired",
            )
            if client is not None and client.pending and not others.exists():
                # Created by unconfirmed bookings only: nobody vouched for these details.
                Appointment.update(client=None).where(Appointment.client == client.id).execute()
                client.delete_instance(recursive=False)
    return len(rows)


def purge_spent(now: datetime | None = None) -> int:
    return SpentToken.delete().where(SpentToken.expires_at < (now or utcnow())).execute()
