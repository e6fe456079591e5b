"""Free times from the database at engine speed (issue 18).

``booking.free_times`` reads a whole team with one query per kind of row and
hands the busy times to the slot engine as plain epoch seconds; the staff
availability answer is written without marshmallow. These tests hold both to
what the slower, obvious way gives: the same schedules as one ``Interval`` per
appointment read row by row, the same bytes as the schema's dump.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hushbook_service.db import database
from hushbook_service.models import (
    Appointment,
    ScheduleException,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
    TimeOff,
    WorkingHours,
)
from hushbook_service.resources.availability import StaffAvailabilitySchema
from hushbook_service.scheduling import booking, slots
from support.api import BERLIN, next_local_day

LR = slots.LocalRange


def local(day, hh, mm=0, ss=0, us=0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss, us), BERLIN).astimezone(UTC)


@pytest.fixture
def salon(app, make_tenant):
    """Three team members with different hours, breaks, days off, time off and
    appointments in every state; another salon's appointments beside them."""
    mine, theirs = make_tenant("salon-a", vault=False), make_tenant("salon-b", vault=False)
    monday = next_local_day(14)
    monday -= timedelta(days=monday.weekday())
    with app.app_context(), database.connection_context():
        service = Service.create(tenant=mine.tenant.id, name="Cut", duration_min=45)
        team = []
        for n in range(3):
            member = Staff.create(
                tenant=mine.tenant.id, email=f"m{n}@a.test", display_name=f"M{n}", role="staff"
            )
            ServiceStaff.create(tenant=mine.tenant.id, service=service, staff=member)
            for wd in range(6 - n):
                WorkingHours.create(
                    tenant=mine.tenant.id, staff=member, weekday=wd, start=time(8 + n), end=time(18)
                )
                WorkingHours.create(
                    tenant=mine.tenant.id,
                    staff=member,
                    weekday=wd,
                    kind="break",
                    start=time(12),
                    end=time(12, 30 + 10 * n),
                )
            team.append(member)
        m0, m1, m2 = team
        ScheduleException.create(tenant=mine.tenant.id, staff=m1, date=monday + timedelta(1))
        ScheduleException.create(
            tenant=mine.tenant.id,
            staff=m2,
            date=monday + timedelta(2),
            start=time(14),
            end=time(16),
        )
        TimeOff.create(
            tenant=mine.tenant.id,
            staff=m0,
            start_at=local(monday + timedelta(3), 10),
            end_at=local(monday + timedelta(3), 15),
        )
        now = datetime.now(UTC).replace(microsecond=0)
        rows = [
            (m0, local(monday, 9), local(monday, 10), "confirmed", None),
            (m0, local(monday, 13), local(monday, 13, 40, 30), "confirmed", None),  # :30 s
            (m0, local(monday, 15), local(monday, 15, 30, 0, 500_000), "confirmed", None),
            (m1, local(monday, 10), local(monday, 11), "pending", now + timedelta(hours=1)),
            # began the day before (a 12-hour service, 4-hour buffers) and still runs
            (m1, local(monday - timedelta(1), 13, 15), local(monday, 9, 15), "confirmed", None),
            (
                m1,
                local(monday - timedelta(400), 9),
                local(monday - timedelta(400), 10),
                "confirmed",
                None,
            ),
            (m1, local(monday, 14), local(monday, 15), "pending", now - timedelta(hours=1)),
            (m1, local(monday, 16), local(monday, 17), "cancelled", None),
            (
                m2,
                local(monday + timedelta(4), 9),
                local(monday + timedelta(4), 17),
                "confirmed",
                None,
            ),
        ]
        rows += [(m2, local(monday, h), local(monday, h, 45), "confirmed", None) for h in (9, 11)]
        for member, s, e, status, until in rows:
            Appointment.create(
                tenant=mine.tenant.id,
                staff=member,
                service=service,
                status=status,
                pending_until=until,
                start_at=s,
                end_at=e,
                block_start=s,
                block_end=e,
            )
        stranger = Staff.create(
            tenant=theirs.tenant.id, email="x@b.test", display_name="X", role="staff"
        )
        other = Service.create(tenant=theirs.tenant.id, name="Cut", duration_min=45)
        Appointment.create(
            tenant=theirs.tenant.id,
            staff=stranger,
            service=other,
            start_at=local(monday, 8),
            end_at=local(monday, 18),
            block_start=local(monday, 8),
            block_end=local(monday, 18),
        )
    return mine, service, team, monday


def reference(tenant: Tenant, member: Staff, start, end) -> slots.StaffSchedule:
    """One member's schedule read the obvious way: rows as objects, one
    ``Interval`` per appointment."""
    weekly: dict = {}
    breaks: dict = {}
    for rule in WorkingHours.select().where(WorkingHours.staff == member.id):
        target = weekly if rule.kind == "shift" else breaks
        target.setdefault(rule.weekday, []).append(LR(rule.start, rule.end))
    exceptions: dict = {}
    for row in ScheduleException.select().where(ScheduleException.staff == member.id):
        day = exceptions.setdefault(row.date, [])
        if row.start is not None:
            day.append(LR(row.start, row.end))
    away = TimeOff.select().where(TimeOff.staff == member.id)
    busy = Appointment.select().where(Appointment.staff == member.id, booking.occupying())
    return slots.StaffSchedule(
        staff_id=member.id,
        weekly=weekly,
        breaks=breaks,
        exceptions=exceptions,
        time_off=[slots.Interval(t.start_at, t.end_at) for t in away],
        busy=[slots.Interval(a.block_start, a.block_end) for a in busy],
    )


def test_batched_schedules_answer_like_row_by_row(app, salon):
    t, service, team, monday = salon
    start, end = local(monday, 0), local(monday + timedelta(days=7), 0)
    query = slots.SlotQuery(
        duration=timedelta(minutes=45),
        granularity=timedelta(minutes=5),  # fine enough to see a second's rounding
        earliest=start,
        latest=end,
    )
    with app.app_context(), database.connection_context():
        tenant = Tenant.get_by_id(t.tenant.id)
        ids = [m.id for m in team]
        batched = booking.load_schedules(tenant.id, ids, start, end, closed=[])
        single = [booking.load_schedule(m, start, end) for m in team]
        expected = [reference(tenant, m, start, end) for m in team]
    assert [s.staff_id for s in batched] == ids
    got = slots.search(batched, query, BERLIN)
    want = slots.search(expected, query, BERLIN)
    assert got.keys() == want.keys()
    for sid in ids:
        assert got[sid].windows() == want[sid].windows()
        assert slots.free_windows(single[ids.index(sid)], query, BERLIN).windows() == (
            want[sid].windows()
        )
    # The half second after 15:30 rounds up: 15:30 itself cannot start; the
    # pending appointment still held blocks m1, the expired one does not.
    m0, m1, _ = ids
    assert not slots.is_bookable(batched[0], query, BERLIN, local(monday, 15, 30))
    assert slots.is_bookable(batched[0], query, BERLIN, local(monday, 15, 35))
    assert not slots.is_bookable(batched[1], query, BERLIN, local(monday, 10))
    assert not slots.is_bookable(batched[1], query, BERLIN, local(monday, 9))  # the long one
    assert slots.is_bookable(batched[1], query, BERLIN, local(monday, 9, 15))
    assert slots.is_bookable(batched[1], query, BERLIN, local(monday, 14))


def test_one_query_per_kind_of_row_whatever_the_team(app, salon, caplog):
    t, service, team, monday = salon
    start, end = local(monday, 0), local(monday + timedelta(days=30), 0)

    def queries(members) -> int:
        with app.app_context(), database.connection_context():
            tenant = Tenant.get_by_id(t.tenant.id)
            svc = Service.get_by_id(service.id)
            caplog.clear()
            with caplog.at_level(logging.DEBUG, logger="peewee"):
                answer = booking.free_times(tenant, svc, members, start, end)
            assert sorted(answer) == sorted(m.id for m in members)
            return sum(1 for r in caplog.records if r.name == "peewee")

    assert queries(team[:1]) == queries(team) <= 6


def test_fast_answer_is_the_schemas_dump_byte_for_byte(app, client, salon):
    t, service, team, monday = salon
    with app.app_context(), database.connection_context():
        ServiceStaff.create(tenant=t.tenant.id, service=service.id, staff=t.owner.staff.id)
        Staff.update(bookable=True).where(Staff.id == t.owner.staff.id).execute()
    q = {
        "service_id": service.id,
        "from": f"{monday}T00:00:00",
        "to": f"{monday + timedelta(days=6)}T23:59:00",
    }
    res = client.get("/v1/availability", query_string=q, headers=t.owner.headers)
    assert res.status_code == 200 and res.mimetype == "application/json"
    with app.app_context(), database.connection_context():
        tenant = Tenant.get_by_id(t.tenant.id)
        members = [*team, Staff.get_by_id(t.owner.staff.id)]
        members.sort(key=lambda m: m.id)
        tz = ZoneInfo(tenant.timezone)
        start = datetime.combine(monday, time(0), tz).astimezone(UTC)
        end = datetime.combine(monday + timedelta(days=6), time(23, 59), tz).astimezone(UTC)
        answer = booking.free_times(tenant, Service.get_by_id(service.id), members, start, end)
        rows = [
            {
                "staff_id": sid,
                "step_min": tenant.slot_granularity_min,
                "count": found.count(),
                "windows": [{"first": w.first, "last": w.last} for w in found.windows()],
            }
            for sid, found in sorted(answer.items())
        ]
        dumped = StaffAvailabilitySchema(many=True).dump(rows)
        assert res.get_data() == app.json.response(dumped).get_data()
    assert res.json == dumped
    assert [m["staff_id"] for m in res.json] == [m.id for m in members]
    owner = next(m for m in res.json if m["staff_id"] == t.owner.staff.id)
    assert owner["windows"] == [] and owner["count"] == 0  # no hours: no windows
    assert sum(m["count"] for m in res.json) > 100


def test_busy_seconds_are_the_same_as_intervals():
    day = datetime(2030, 6, 4, tzinfo=UTC)
    blocks = [(day + timedelta(hours=h), day + timedelta(hours=h, minutes=50)) for h in (9, 13, 11)]
    week = {1: [LR(time(8), time(18))]}
    as_intervals = slots.StaffSchedule(1, weekly=week, busy=[slots.Interval(*b) for b in blocks])
    as_seconds = slots.StaffSchedule(
        1,
        weekly=week,
        busy_seconds=(
            [int(s.timestamp()) for s, _ in blocks],
            [int(e.timestamp()) for _, e in blocks],
        ),
    )
    q = slots.SlotQuery(
        duration=timedelta(minutes=30),
        granularity=timedelta(minutes=15),
        earliest=day,
        latest=day + timedelta(days=1),
    )
    utc = ZoneInfo("UTC")
    assert slots.free_windows(as_seconds, q, utc).windows() == (
        slots.free_windows(as_intervals, q, utc).windows()
    )
    runs = slots.free_windows(as_seconds, q, utc)
    assert [
        (datetime.fromtimestamp(f, UTC), datetime.fromtimestamp(la, UTC))
        for f, la in runs.run_seconds()
    ] == [(w.first, w.last) for w in runs.windows()]
    for minute in range(8 * 60, 18 * 60, 5):
        at = day + timedelta(minutes=minute)
        assert slots.is_bookable(as_seconds, q, utc, at) == slots.is_bookable(
            as_intervals, q, utc, at
        )
    with pytest.raises(ValueError, match="as many ends"):
        slots.StaffSchedule(1, busy_seconds=([1, 2], [3]))
    with pytest.raises(TypeError, match="whole seconds"):
        slots.StaffSchedule(1, busy_seconds=([1.5], [3]))
    with pytest.raises(ValueError, match="start < its end"):
        slots.StaffSchedule(1, busy_seconds=([5], [5]))
