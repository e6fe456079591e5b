"""The message ledger: what goes out when, exactly once.

One row per (appointment, kind, channel) in the main database. Lifecycle
events (:func:`on_booked_online`, :func:`on_confirmed`, …) arm and revoke
rows; the sweeper (:func:`claim_due`) hands due rows to the queue; the sender
(:func:`deliver`) claims a row before it sends and records the result after.

Why a ledger and not just Huey tasks: Huey loses a task a killed worker had
taken, and skips periodic runs it missed. Here the database says what is
owed, so a restarted worker delivers everything due; the claim (a lease in
wall-clock seconds) keeps two workers from sending the same row, and the
version check keeps a re-armed reminder (after a reschedule) from being
marked sent by a sender of the old one.

Leases are short (30 s by default) because a worker renews the leases of the
rows it is sending every third of a lease (:func:`renew_leases`, the worker's
heartbeat): a slow send keeps its row, while the row of a killed worker is
free again within one lease. A row taken for the queue goes back to pending
at once if the queue cannot take it (:func:`release`).

The one window left: a worker killed after the SMTP server accepted a message
and before the ledger recorded it. Its lease runs out and the message is sent
again. The window is the time of one database write (docs/messages.md).

Job payloads carry message ids only; contacts are opened (from the delivery
key) at the moment of sending and never written anywhere.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

import peewee
from flask import g, has_app_context

from hushbook import sealing
from hushbook_service import config
from hushbook_service.db import database, prepared_rows, utcnow, write_transaction
from hushbook_service.messaging import channels, rules
from hushbook_service.messaging import texts as templates
from hushbook_service.models import Appointment, Message, Staff, Tenant
from hushbook_service.privacy import delivery

log = logging.getLogger("hushbook.messages")

REMINDERS = ("reminder_1", "reminder_2", "reminder_3")
# A queued or claimed row nobody finished is re-queued after this many seconds.
# A send may take longer (each network step of SMTP up to 20 s, a webhook 10 s):
# its worker renews the lease every HEARTBEAT_SECONDS while it sends.
LEASE_SECONDS = config.message_lease_seconds()
HEARTBEAT_SECONDS = LEASE_SECONDS / 3
MAX_ATTEMPTS = 8
BACKOFF = (30, 60, 120, 300, 600, 1200, 1800)  # seconds after attempt 1, 2, …


OUTCOME_AFTER = timedelta(minutes=30)  # ask the team member this long after the end


# --- arming and revoking -----------------------------------------------------------------


def _due_now(message_id: int) -> None:
    """Remember a row due now: sent as soon as the request's transaction is over
    (:func:`take_due_now`), not at the next sweep."""
    if has_app_context():
        g.setdefault("hushbook_due_now", []).append(message_id)


def take_due_now() -> list[int]:
    """The rows armed due now in this request (and forget them)."""
    if not has_app_context():
        return []
    return g.pop("hushbook_due_now", [])


def _arm_one(
    appointment: Appointment,
    kind: str,
    channel: str,
    recipient: int,
    due_at: datetime,
    rearm: bool,
) -> None:
    now = utcnow()
    found = prepared_rows(
        "ledger.arm_lookup",
        lambda: Message.select(Message.id, Message.state).where(
            Message.appointment == appointment.id,
            Message.kind == kind,
            Message.channel == channel,
            Message.recipient == recipient,
        ),
        [appointment.id, kind, channel, recipient],
    )
    if not found:
        try:
            with database.atomic():  # savepoint: a racing insert fails alone
                message_id = _insert(appointment, kind, channel, recipient, due_at)
        except peewee.IntegrityError:
            return
    elif rearm or found[0][1] in ("revoked",):
        message_id = found[0][0]
        Message.update(
            state="pending",
            due_at=due_at,
            version=Message.version + 1,
            attempts=0,
            lease_until=0,
            last_error="",
            provider_id="",
            sent_at=None,
            updated_at=now,
        ).where(Message.id == message_id).execute()
    else:
        return
    if due_at <= now:
        _due_now(message_id)


def _insert(
    appointment: Appointment, kind: str, channel: str, recipient: int, due_at: datetime
) -> int:
    """A new owed message row; its id."""
    return Message.create(
        tenant=appointment.tenant_id,
        appointment=appointment.id,
        kind=kind,
        channel=channel,
        recipient=recipient,
        due_at=due_at,
    ).id


def _arm(appointment: Appointment, kind: str, due_at: datetime, rearm: bool = False) -> None:
    """Owe message ``kind`` to whoever :func:`rules.owed` names."""
    for channel, recipient in rules.owed(appointment, kind):
        _arm_one(appointment, kind, channel, recipient, due_at, rearm)


def _revoke(appointment: Appointment, kinds: tuple[str, ...] | None = None) -> int:
    """Stop what is still owed of ``kinds``; None: everything but the team's news
    (what happened stays told, in order: a cancellation does not unsay the booking)."""
    if kinds is None:
        kinds = tuple(k for k in rules.RULES if rules.audience(k) != "team")
    return (
        Message.update(state="revoked", updated_at=utcnow())
        .where(
            Message.appointment == appointment.id,
            Message.state.in_(("pending", "queued")),
            Message.kind.in_(kinds),
        )
        .execute()
    )


def reminder_times(appointment: Appointment, tenant: Tenant) -> list[datetime]:
    """When the reminders are due, earliest first; none inside its window."""
    hours = sorted({int(h) for h in tenant.reminder_hours.split()}, reverse=True)[: len(REMINDERS)]
    return [appointment.start_at - timedelta(hours=h) for h in hours]


def _arm_reminders(appointment: Appointment, rearm: bool) -> None:
    tenant = Tenant.get_by_id(appointment.tenant_id)
    now = utcnow()
    due = reminder_times(appointment, tenant)
    _revoke(appointment, REMINDERS)
    for kind, when in zip(REMINDERS, due, strict=False):
        if when > now:  # booked inside a reminder's window: that reminder is not sent
            _arm(appointment, kind, when, rearm=rearm)


def _next_sequence(appointment: Appointment) -> None:
    """The customer's calendar entry changes: its SEQUENCE grows by one."""
    Appointment.update(ics_sequence=Appointment.ics_sequence + 1).where(
        Appointment.id == appointment.id
    ).execute()
    appointment.ics_sequence += 1


def on_booked_online(appointment: Appointment) -> None:
    """Double opt-in: the confirmation request (link and code), now; the team told.

    The appointment was inserted in this very transaction: it has no message
    yet, none failed, and no other writer can see it, so each row is inserted
    without the look-up and savepoint of :func:`_arm_one` (the public booking
    path's cost, bench/http_paths.py), and the salon's channels are read once."""
    now = utcnow()
    enabled = rules.enabled_channels(appointment.tenant_id)
    for kind in ("confirm_request", "team_booked"):
        for channel, recipient in rules.owed(appointment, kind, enabled=enabled, fresh=True):
            _due_now(_insert(appointment, kind, channel, recipient, now))


def on_confirmed(appointment: Appointment) -> None:
    """Confirmed (by the customer, or booked by the salon with a contact)."""
    _revoke(appointment, ("confirm_request",))
    _arm(appointment, "confirmed", utcnow())
    _arm_reminders(appointment, rearm=False)
    _arm(appointment, "mark_outcome", appointment.end_at + OUTCOME_AFTER)
    if appointment.source == "online":
        _arm(appointment, "team_confirmed", utcnow())


def on_rescheduled(appointment: Appointment) -> None:
    if appointment.status != "confirmed":
        return
    _next_sequence(appointment)
    _arm(appointment, "rescheduled", utcnow(), rearm=True)
    _arm_reminders(appointment, rearm=True)
    _revoke(appointment, ("mark_outcome",))  # re-armed below if the salon still wants it
    _arm(appointment, "mark_outcome", appointment.end_at + OUTCOME_AFTER, rearm=True)
    _arm(appointment, "team_rescheduled", utcnow(), rearm=True)


def on_cancelled(appointment: Appointment, was: str) -> None:
    """Nothing pending goes out any more; a customer who knew of it is told, and the team."""
    _revoke(appointment)
    if was == "confirmed":
        _next_sequence(appointment)
        _arm(appointment, "cancelled", utcnow())
    _arm(appointment, "team_cancelled", utcnow())


def on_expired(appointment: Appointment) -> None:
    _revoke(appointment)


def on_consent_changed(client_id: int) -> None:
    """The client's consent changed: reminders of their upcoming appointments are
    revoked (withdrawn) or armed (given). Inside the caller's write transaction."""
    upcoming = Appointment.select().where(
        Appointment.client == client_id,
        Appointment.status == "confirmed",
        Appointment.start_at > utcnow(),
    )
    for appointment in upcoming:
        if not rules.wants_reminders(appointment):
            _revoke(appointment, REMINDERS)
            continue
        tenant = Tenant.get_by_id(appointment.tenant_id)
        for kind, when in zip(REMINDERS, reminder_times(appointment, tenant), strict=False):
            if when > utcnow():
                _arm(appointment, kind, when)


def _fall_back(row: Message, appointment: Appointment) -> None:
    """The customer's channel failed for good: the same message on their next one."""
    if rules.audience(row.kind) == "customer":
        _arm(appointment, row.kind, utcnow())


# --- sweeping and sending ----------------------------------------------------------------


def claim_due(limit: int = 1000) -> list[int]:
    """Rows to put on the queue now: due and pending, or queued/claimed by someone
    who did not finish (lease over). Each is marked queued with a fresh lease."""
    now, wall = utcnow(), time.time()
    candidates = (
        Message.select(Message.id, Message.state, Message.lease_until)
        .where(
            ((Message.state == "pending") & (Message.due_at <= now))
            | (Message.state.in_(("queued", "sending")) & (Message.lease_until < wall))
        )
        .order_by(Message.due_at)
        .limit(limit)
    )
    taken = []
    for row in list(candidates):
        won = (
            Message.update(state="queued", lease_until=wall + LEASE_SECONDS)
            .where(
                Message.id == row.id,
                Message.state == row.state,
                Message.lease_until == row.lease_until,
            )
            .execute()
        )
        if won:
            taken.append(row.id)
    return taken


def claim_ids(ids: list[int]) -> list[int]:
    """Those of ``ids`` that are pending and due, marked queued with a fresh lease
    (what the sweeper does, for rows just armed: see ``jobs.dispatch_due_now``)."""
    if not ids:
        return []
    now, wall = utcnow(), time.time()
    taken = []
    for message_id in dict.fromkeys(ids):
        won = (
            Message.update(state="queued", lease_until=wall + LEASE_SECONDS)
            .where(Message.id == message_id, Message.state == "pending", Message.due_at <= now)
            .execute()
        )
        if won:
            taken.append(message_id)
    return taken


def release(ids: list[int]) -> None:
    """Rows queued by :func:`claim_ids` whose task never reached the queue: back to
    pending, for the next sweep."""
    if ids:
        Message.update(state="pending", lease_until=0).where(
            Message.id.in_(ids), Message.state == "queued"
        ).execute()


# The rows this process is sending: message id -> attempts of its claim (a row
# claimed again by another worker after a lost lease has more attempts).
_held: dict[int, int] = {}
_held_lock = threading.Lock()


def renew_leases() -> int:
    """The heartbeat: a fresh lease for every row this process is sending."""
    with _held_lock:
        held = list(_held.items())
    until = time.time() + LEASE_SECONDS
    renewed = 0
    for message_id, attempts in held:
        renewed += (
            Message.update(lease_until=until)
            .where(
                Message.id == message_id,
                Message.state == "sending",
                Message.attempts == attempts,
            )
            .execute()
        )
    return renewed


def _claim(message_id: int) -> Message | None:
    wall = time.time()
    with write_transaction():
        won = (
            Message.update(
                state="sending",
                lease_until=wall + LEASE_SECONDS,
                attempts=Message.attempts + 1,
                updated_at=utcnow(),
            )
            .where(
                Message.id == message_id,
                Message.state == "queued",
                Message.due_at <= utcnow(),
            )
            .execute()
        )
    return Message.get_by_id(message_id) if won else None


def _finish(row: Message, **changes) -> bool:
    """Record the outcome, unless the row was re-armed meanwhile (version)."""
    changes.setdefault("updated_at", utcnow())
    return bool(
        Message.update(**changes)
        .where(Message.id == row.id, Message.version == row.version, Message.state == "sending")
        .execute()
    )


def _stale(row: Message, appointment: Appointment) -> bool:
    now = utcnow()
    if row.kind == "confirm_request":
        return appointment.status != "pending" or (
            appointment.pending_until is not None and appointment.pending_until <= now
        )
    if row.kind in REMINDERS or row.kind in ("confirmed", "rescheduled"):
        return appointment.status != "confirmed" or appointment.start_at <= now
    if row.kind == "mark_outcome":  # already marked (or cancelled): nothing to ask
        return appointment.status != "confirmed"
    return False


def _recipient(row: Message, appointment: Appointment) -> str | None:
    if row.channel == "staff":
        staff = appointment.staff if row.recipient == 0 else Staff.get_by_id(row.recipient)
        return staff.email if staff.active else None
    contact = delivery.open_contact(appointment) or {}
    if row.channel == "email":
        return contact.get("email")
    phone = contact.get("phone")
    if not phone:
        return None
    country = Tenant.get_by_id(appointment.tenant_id).phone_country_code
    try:  # gateways want international numbers: "0170 …" is read with the tenant's code
        digits = sealing.normalize_phone(phone, default_country_code=country)
    except ValueError:
        return phone
    return digits if digits.startswith("+") else f"+{digits}"


def _failed(row: Message, appointment: Appointment, code: str) -> str:
    """Failed for good; a customer's message goes out on their other channel, if any."""
    if _finish(row, state="failed", last_error=code):
        _fall_back(row, appointment)
    return "failed"


def deliver(message_id: int, transports: channels.Transports | None = None) -> str:
    """Send one queued message if it is still owed. Returns the row's new state."""
    row = _claim(message_id)
    if row is None:
        return "not_claimed"
    with _held_lock:
        _held[row.id] = row.attempts
    try:
        return _deliver(row, transports)
    finally:
        with _held_lock:
            _held.pop(row.id, None)


def _deliver(row: Message, transports: channels.Transports | None) -> str:
    appointment = Appointment.get_or_none(Appointment.id == row.appointment_id)
    if appointment is None or _stale(row, appointment):
        _finish(row, state="skipped", last_error="stale")
        return "skipped"
    refusal = rules.refusal(appointment, row.kind, row.recipient)
    if refusal is not None:  # consent withdrawn, or the team member turned it off
        _finish(row, state="skipped", last_error=refusal)
        return "skipped"
    try:
        recipient = _recipient(row, appointment)
        if not recipient:
            return _failed(row, appointment, "no_contact")  # shredded, or never given
        content = templates.render(row, appointment)
        transports = transports or channels.configured()
    except channels.PermanentFailure as exc:
        return _failed(row, appointment, exc.code)
    except Exception as exc:  # a bug or bad data before sending: fail visibly, never loop
        log.error("message %s: %s before sending", row.id, type(exc).__name__)
        return _failed(row, appointment, "internal_error")
    try:
        provider_id = transports.send(row.channel, recipient, content)
    except channels.PermanentFailure as exc:
        log.warning("message %s failed permanently: %s", row.id, exc.code)
        return _failed(row, appointment, exc.code)
    except channels.TransientFailure as exc:
        if row.attempts >= MAX_ATTEMPTS:
            return _failed(row, appointment, exc.code)
        delay = BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
        _finish(
            row,
            state="pending",
            due_at=utcnow() + timedelta(seconds=delay),
            lease_until=0,
            last_error=exc.code,
        )
        log.info("message %s: transient %s, retry in %s s", row.id, exc.code, delay)
        return "pending"
    _finish(row, state="sent", sent_at=utcnow(), provider_id=provider_id[:200], last_error="")
    return "sent"
