"""The appointment write path: validation and the no-double-booking rule.

Every write that occupies a staff member's time goes through
:func:`occupy`, which serialises per staff member in the database itself —
SQLite ``BEGIN IMMEDIATE`` (one writer at a time), PostgreSQL ``SELECT … FOR
UPDATE`` on the staff row — and checks for overlap inside that lock.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import peewee

from hushbook_service.db import (
    database,
    is_sqlite,
    lock_row,
    prepared_execute,
    prepared_models,
    prepared_rows,
    utcnow,
    write_transaction,
)
from hushbook_service.errors import abort, field_error
from hushbook_service.messaging import ledger as messages
from hushbook_service.models import (
    ACTIVE_STATES,
    Appointment,
    Client,
    Closure,
    ScheduleException,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
    TimeOff,
    WorkingHours,
)
from hushbook_service.privacy import blocklist, clientbook, delivery
from hushbook_service.scheduling import slots

# No block lasts longer: a service at most 12 h, each buffer at most 4 h
# (resources/services.py, resources/tenant.py). It bounds the index range of
# busy blocks from below, so a salon's years of past appointments are not read.
LONGEST_BLOCK = timedelta(days=1)

TRANSITIONS = {
    "confirm": ({"pending"}, "confirmed"),
    "cancel": ({"pending", "confirmed"}, "cancelled"),
    "complete": ({"confirmed"}, "completed"),
    "no_show": ({"confirmed"}, "no_show"),
}


def buffers(service: Service, tenant: Tenant) -> tuple[timedelta, timedelta]:
    before = service.buffer_before_min
    after = service.buffer_after_min
    return (
        timedelta(minutes=tenant.buffer_before_min if before is None else before),
        timedelta(minutes=tenant.buffer_after_min if after is None else after),
    )


def closures_between(tenant_id: int, first_day: date, last_day: date) -> list[Closure]:
    """The salon's closures touching local dates ``first_day .. last_day``."""
    return prepared_models(
        "booking.closures",
        Closure,
        lambda: (
            Closure.select()
            .where(
                Closure.tenant == tenant_id,
                Closure.date_from <= last_day,
                Closure.date_to >= first_day,
            )
            .order_by(Closure.date_from, Closure.id)
        ),
        [tenant_id, Closure.date_from.db_value(last_day), Closure.date_to.db_value(first_day)],
    )


def closure_interval(closure: Closure, tz: ZoneInfo) -> slots.Interval:
    """A closure's whole local days as instants."""
    return slots.Interval(
        slots.day_start(closure.date_from, tz),
        slots.day_start(closure.date_to + timedelta(days=1), tz),
    )


def closed_times(tenant: Tenant, start: datetime, end: datetime) -> list[slots.Interval]:
    """The salon's closures near two instants: time off for every team member."""
    tz = ZoneInfo(tenant.timezone)
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    return [closure_interval(c, tz) for c in closures_between(tenant.id, first, last)]


def time_off_between(staff: Staff, start: datetime, end: datetime):
    """``staff``'s own time off overlapping ``[start, end)``, in order."""
    return (
        TimeOff.select()
        .where(
            TimeOff.tenant == staff.tenant_id,
            TimeOff.staff == staff.id,
            TimeOff.start_at < end,
            TimeOff.end_at > start,
        )
        .order_by(TimeOff.start_at, TimeOff.id)
    )


def load_schedule(
    staff: Staff,
    start: datetime,
    end: datetime,
    busy: bool = True,
    *,
    closed: list[slots.Interval] | None = None,
) -> slots.StaffSchedule:
    """Everything the slot engine needs for ``staff`` between two instants.

    Time off is the member's own and the salon's closures (``closed``, from
    :func:`closed_times`; read here when not given)."""
    if closed is None:
        closed = closed_times(staff.tenant, start, end)
    (schedule,) = load_schedules(staff.tenant_id, [staff.id], start, end, busy, closed=closed)
    return schedule


def load_schedules(
    tenant_id: int,
    staff_ids: Sequence[int],
    start: datetime,
    end: datetime,
    busy: bool = True,
    *,
    closed: list[slots.Interval],
) -> list[slots.StaffSchedule]:
    """:func:`load_schedule` for several team members (in ``staff_ids``' order):
    one query per kind of row for all of them, whatever the team's size."""
    weekly: dict[int, dict[int, list[slots.LocalRange]]] = {i: {} for i in staff_ids}
    breaks: dict[int, dict[int, list[slots.LocalRange]]] = {i: {} for i in staff_ids}
    exceptions: dict[int, dict[date, list[slots.LocalRange]]] = {i: {} for i in staff_ids}
    time_off: dict[int, list[slots.Interval]] = {i: [] for i in staff_ids}
    if staff_ids:
        n = len(staff_ids)  # the SQL is built once per team size (prepared_rows)
        team = [tenant_id, *staff_ids]
        rules = prepared_rows(
            f"booking.hours.{n}",
            lambda: WorkingHours.select(
                WorkingHours.staff,
                WorkingHours.kind,
                WorkingHours.weekday,
                WorkingHours.start,
                WorkingHours.end,
            ).where(WorkingHours.tenant == tenant_id, WorkingHours.staff.in_(staff_ids)),
            team,
        )
        for sid, kind, weekday, s, e in rules:
            target = weekly if kind == "shift" else breaks
            target[sid].setdefault(weekday, []).append(_wall_range(s, e))
        pad = timedelta(days=1)  # local dates around the window, whatever the zone
        X = ScheduleException
        dated = prepared_rows(
            f"booking.exceptions.{n}",
            lambda: X.select(X.staff, X.date, X.start, X.end).where(
                X.tenant == tenant_id,
                X.staff.in_(staff_ids),
                X.date >= (start - pad).date(),
                X.date <= (end + pad).date(),
            ),
            [*team, X.date.db_value((start - pad).date()), X.date.db_value((end + pad).date())],
        )
        for sid, day, s, e in dated:  # each column as peewee would convert it
            ranges = exceptions[sid].setdefault(X.date.python_value(day), [])
            if s is not None and e is not None:
                ranges.append(slots.LocalRange(X.start.python_value(s), X.end.python_value(e)))
        away = prepared_rows(
            f"booking.time_off.{n}",
            lambda: TimeOff.select(TimeOff.staff, TimeOff.start_at, TimeOff.end_at).where(
                TimeOff.tenant == tenant_id,
                TimeOff.staff.in_(staff_ids),
                TimeOff.start_at < end,
                TimeOff.end_at > start,
            ),
            [*team, TimeOff.start_at.db_value(end), TimeOff.end_at.db_value(start)],
        )
        for sid, s, e in away:
            time_off[sid].append(
                slots.Interval(TimeOff.start_at.python_value(s), TimeOff.end_at.python_value(e))
            )
    occupied = busy_seconds(tenant_id, staff_ids, start, end) if busy else {}
    return [
        slots.StaffSchedule(
            staff_id=i,
            weekly=weekly[i],
            breaks=breaks[i],
            exceptions=exceptions[i],
            time_off=[*time_off[i], *closed],
            busy_seconds=occupied.get(i, ((), ())),
        )
        for i in staff_ids
    ]


@lru_cache(maxsize=4096)
def _wall_range(start: time | str, end: time | str) -> slots.LocalRange:
    """A rule's range from a raw row (SQLite hands times over as text); the
    same few ranges recur across a team, so each is parsed once."""
    return slots.LocalRange(
        *(t if isinstance(t, time) else time.fromisoformat(t) for t in (start, end))
    )


def _epoch(column: peewee.Field, up: bool = False) -> peewee.Node:
    """A UTC datetime column as whole epoch seconds, rounded down (or ``up``)."""
    if is_sqlite():  # both truncate; SQLite keeps milliseconds
        args = (column, "+0.999 seconds") if up else (column,)
        if sqlite3.sqlite_version_info >= (3, 38):
            return peewee.fn.unixepoch(*args)  # no string per value: faster
        return peewee.fn.strftime("%s", *args).cast("INTEGER")
    seconds = peewee.fn.date_part("epoch", column)  # a naive timestamp: UTC
    return (peewee.fn.ceil(seconds) if up else peewee.fn.floor(seconds)).cast("BIGINT")


def busy_seconds(
    tenant_id: int, staff_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, tuple[Sequence[int], Sequence[int]]]:
    """Occupied blocks of ``staff_ids`` overlapping ``[start, end)`` in one
    query, as the slot engine's integer form (``StaffSchedule.busy_seconds``):
    per member, block starts and block ends in epoch seconds."""
    if not staff_ids:
        return {}
    # Joined from the team so that SQLite too walks the (staff, block_start)
    # index member by member; a bare "staff_id IN (…)" made it scan an index on
    # status or tenant instead (every appointment ever made).
    query = (
        Staff.select(
            Staff.id,
            _epoch(Appointment.block_start),
            _epoch(Appointment.block_end, up=True),
        )
        .join(Appointment, on=Appointment.staff == Staff.id)
        .where(
            Staff.tenant == tenant_id,
            Staff.id.in_(staff_ids),
            occupying(),
            Appointment.block_start < end,
            Appointment.block_start > start - LONGEST_BLOCK,
            Appointment.block_end > start,
        )
        .order_by(Staff.id)
    )
    rows = database.execute(query).fetchall()  # plain tuples: no peewee per row
    if not rows:
        return {}
    members, starts, ends = zip(*rows, strict=True)
    out: dict[int, tuple[Sequence[int], Sequence[int]]] = {}
    for i in staff_ids:
        lo = bisect_left(members, i)
        hi = bisect_right(members, i, lo)
        out[i] = (starts[lo:hi], ends[lo:hi])
    return out


def occupying(now: datetime | None = None):
    """The one rule for what holds time: confirmed, or pending and not expired
    (an unconfirmed online booking frees its slot at ``pending_until`` even
    before the expiry job has marked it)."""
    now = now or utcnow()
    return Appointment.status.in_(ACTIVE_STATES) & (
        (Appointment.status != "pending")
        | Appointment.pending_until.is_null()
        | (Appointment.pending_until > now)
    )


def _clashes(staff_id: int, start: datetime, end: datetime, exclude: int | None = None) -> bool:
    """Whether a block that holds time overlaps ``[start, end)`` for ``staff_id``
    (other than the appointment ``exclude``)."""
    now = utcnow()
    A = Appointment

    def build():
        query = A.select(A.id).where(
            A.staff == staff_id, occupying(now), A.block_start < end, A.block_end > start
        )
        if exclude is not None:
            query = query.where(A.id != exclude)
        return query.limit(1)

    params = [
        staff_id,
        *ACTIVE_STATES,
        "pending",
        A.pending_until.db_value(now),
        A.block_start.db_value(end),
        A.block_end.db_value(start),
        *([] if exclude is None else [exclude]),
        1,
    ]
    name = "booking.clashes" if exclude is None else "booking.clashes.other"
    return bool(prepared_rows(name, build, params))


def _within_working_time(
    staff: Staff,
    tenant: Tenant,
    start: datetime,
    end: datetime,
    schedule: slots.StaffSchedule | None = None,
) -> bool:
    if schedule is None:
        closed = closed_times(tenant, start, end)
        schedule = load_schedule(staff, start, end, busy=False, closed=closed)
    tz = ZoneInfo(tenant.timezone)
    day = timedelta(days=1)
    local_start = start.astimezone(tz).date() - day
    local_end = end.astimezone(tz).date() + day
    return any(
        iv.start <= start and end <= iv.end
        for iv in slots.working_intervals(schedule, tz, local_start, local_end)
    )


def free_times(
    tenant: Tenant, service: Service, team: list[Staff], start: datetime, end: datetime
) -> dict[int, slots.Availability]:
    """Where ``service`` fits for each of ``team`` between two instants.

    For the salon's own people (reception booking a caller): the minimum
    notice and the public booking horizon do not apply; the past does.
    """
    before, after = buffers(service, tenant)
    query = slots.SlotQuery(
        duration=timedelta(minutes=service.duration_min),
        granularity=timedelta(minutes=tenant.slot_granularity_min),
        earliest=max(start, utcnow()),
        latest=end,
        buffer_before=before,
        buffer_after=after,
    )
    pad = before + after + timedelta(minutes=service.duration_min)
    closed = closed_times(tenant, start - pad, end + pad)  # the same for the whole team
    ids = [member.id for member in team]
    schedules = load_schedules(tenant.id, ids, start - pad, end + pad, closed=closed)
    return slots.search(schedules, query, ZoneInfo(tenant.timezone))


def check_bookable_pair(staff: Staff, service: Service) -> None:
    if not staff.active or not staff.bookable:
        field_error("staff_id", "This team member cannot be booked.")
    if not service.active:
        field_error("service_id", "This service is archived.")
    offers = prepared_rows(
        "booking.offers_pair",
        lambda: (
            ServiceStaff.select(ServiceStaff.id)
            .where(
                ServiceStaff.tenant == service.tenant_id,
                ServiceStaff.service == service.id,
                ServiceStaff.staff == staff.id,
            )
            .limit(1)
        ),
        [service.tenant_id, service.id, staff.id, 1],
    )
    if not offers:
        field_error("staff_id", "This team member does not offer this service.")


def check_placement(
    *,
    tenant: Tenant,
    staff: Staff,
    service: Service,
    start: datetime,
    allow_outside_hours: bool,
    schedule: slots.StaffSchedule | None = None,
) -> None:
    """What :func:`occupy` refuses before it takes the lock: a pair that cannot
    be booked, a time outside the team member's working time (422).

    ``schedule``: ``staff``'s working time as :func:`load_schedules` gives it
    (``busy=False``) for a window that holds the whole appointment, if the
    caller has read it already; else it is read here."""
    check_bookable_pair(staff, service)
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=service.duration_min)
    if not allow_outside_hours and not _within_working_time(staff, tenant, start, end, schedule):
        field_error("start", "Outside this team member's working time.")


def occupy(
    appointment: Appointment,
    *,
    tenant: Tenant,
    staff: Staff,
    service: Service,
    start: datetime,
    allow_outside_hours: bool = False,
    placed: bool = False,
) -> Appointment:
    """Place (or move) ``appointment`` at ``start`` with ``staff``, or 409.

    ``placed``: the caller ran :func:`check_placement` for these arguments
    already, before a lock of its own (its reads need not wait in that lock)."""
    start = start.replace(second=0, microsecond=0)
    if not placed:
        check_placement(
            tenant=tenant,
            staff=staff,
            service=service,
            start=start,
            allow_outside_hours=allow_outside_hours,
        )
    before, after = buffers(service, tenant)
    end = start + timedelta(minutes=service.duration_min)
    # Refusals come before the first write: nested, no savepoint is needed.
    with write_transaction(savepoint=False):
        # Concurrent bookings for the same person queue here; others run in parallel.
        lock_row(Staff, staff.id)
        if _clashes(staff.id, start - before, end + after, exclude=appointment.id):
            abort(409, "This time is no longer available.", reason="slot_taken")
        appointment.tenant = tenant.id
        appointment.staff = staff.id
        appointment.service = service.id
        appointment.start_at = start
        appointment.end_at = end
        appointment.block_start = start - before
        appointment.block_end = end + after
        appointment.updated_at = utcnow()
        appointment.save()
        now = utcnow()
        if appointment.client_id is not None:  # retention counts from the last activity
            prepared_execute(
                "booking.client_activity",
                lambda: Client.update(last_activity_at=now).where(
                    Client.id == appointment.client_id
                ),
                [Client.last_activity_at.db_value(now), appointment.client_id],
            )
    return appointment


def move(
    appointment: Appointment,
    *,
    tenant: Tenant,
    staff: Staff,
    service: Service,
    start: datetime,
    allow_outside_hours: bool = False,
) -> Appointment:
    """The one move path (staff API and the customer's manage link): re-place the
    appointment, carry its delivery contact to the new month, and tell the
    customer when the time changed."""
    old_start = appointment.start_at
    with write_transaction():
        occupy(
            appointment,
            tenant=tenant,
            staff=staff,
            service=service,
            start=start,
            allow_outside_hours=allow_outside_hours,
        )
        delivery.move(appointment, old_start)
        if appointment.start_at != old_start:
            messages.on_rescheduled(appointment)
    return appointment


def transition(appointment: Appointment, action: str) -> Appointment:
    allowed_from, target = TRANSITIONS[action]
    if appointment.status not in allowed_from:
        abort(
            409,
            f"Cannot {action.replace('_', '-')} an appointment that is {appointment.status}.",
            reason="invalid_transition",
        )
    if action in ("complete", "no_show") and appointment.start_at > utcnow():
        abort(409, "The appointment has not started yet.", reason="not_started")
    updated = (
        Appointment.update(status=target, updated_at=utcnow())
        .where(Appointment.id == appointment.id, Appointment.status == appointment.status)
        .execute()
    )
    if not updated:
        abort(409, "The appointment was changed meanwhile; reload it.", reason="concurrent_change")
    was, appointment.status = appointment.status, target
    if target == "confirmed":
        messages.on_confirmed(appointment)
    elif target == "cancelled":
        messages.on_cancelled(appointment, was)
    if target in ("completed", "no_show"):
        clientbook.count_visit(appointment, target)
    if target == "no_show":
        blocklist.after_no_show(appointment)  # the owner's auto-block rule
    return appointment
