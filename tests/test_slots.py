"""Tests for the slot engine (hushbook_service.scheduling.slots): examples, DST, properties."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hushbook_service.scheduling import slots

BERLIN = ZoneInfo("Europe/Berlin")
MIN = timedelta(minutes=1)
LR = slots.LocalRange


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=tz, fold=fold).astimezone(UTC)


def hm(h: int, m: int = 0) -> time:
    return time(h, m)


def query(
    earliest: datetime,
    latest: datetime,
    minutes: int = 45,
    grid: int = 15,
    before: int = 0,
    after: int = 0,
) -> slots.SlotQuery:
    return slots.SlotQuery(
        duration=timedelta(minutes=minutes),
        granularity=timedelta(minutes=grid),
        earliest=earliest,
        latest=latest,
        buffer_before=timedelta(minutes=before),
        buffer_after=timedelta(minutes=after),
    )


def starts(schedule: slots.StaffSchedule, q: slots.SlotQuery, tz: ZoneInfo) -> list[datetime]:
    return list(slots.free_windows(schedule, q, tz).starts())


def local_hm(ts: list[datetime], tz: ZoneInfo) -> list[str]:
    return [t.astimezone(tz).strftime("%H:%M") for t in ts]


# A Tuesday in Berlin (CET, +01:00): 2026-03-03.
TUE = date(2026, 3, 3)
SALON = slots.StaffSchedule(
    staff_id=7,
    weekly={1: [LR(hm(9), hm(12))]},
    breaks={1: [LR(hm(10), hm(10, 30))]},
)


def test_basic_day_with_break() -> None:
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=30, grid=15)
    assert local_hm(starts(SALON, q, BERLIN), BERLIN) == [
        "09:00",
        "09:15",
        "09:30",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
        "11:30",
    ]
    windows = slots.free_windows(SALON, q, BERLIN).windows()
    assert [(w.first, w.last, len(w)) for w in windows] == [
        (local(BERLIN, 2026, 3, 3, 9), local(BERLIN, 2026, 3, 3, 9, 30), 3),
        (local(BERLIN, 2026, 3, 3, 10, 30), local(BERLIN, 2026, 3, 3, 11, 30), 5),
    ]
    assert list(windows[0]) == [local(BERLIN, 2026, 3, 3, 9, m) for m in (0, 15, 30)]


def test_working_intervals_merge_and_subtract() -> None:
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={1: [LR(hm(9), hm(12)), LR(hm(11), hm(14)), LR(hm(14), hm(15))]},
        breaks={1: [LR(hm(12), hm(12, 30))]},
        time_off=[slots.Interval(local(BERLIN, 2026, 3, 3, 14, 30), utc(2026, 3, 3, 20))],
    )
    got = slots.working_intervals(sch, BERLIN, TUE, TUE)
    assert got == [
        slots.Interval(local(BERLIN, 2026, 3, 3, 9), local(BERLIN, 2026, 3, 3, 12)),
        slots.Interval(local(BERLIN, 2026, 3, 3, 12, 30), local(BERLIN, 2026, 3, 3, 14, 30)),
    ]
    assert all(iv.start.tzinfo is UTC for iv in got)
    assert slots.working_intervals(sch, BERLIN, TUE + timedelta(days=1), date(2026, 3, 9)) == []


def test_buffers_may_leave_working_time_but_not_hit_busy() -> None:
    # busy 10:00-10:30 local; service 30 min, 15 before, 10 after
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={1: [LR(hm(9), hm(12))]},
        busy=[slots.Interval(local(BERLIN, 2026, 3, 3, 10), local(BERLIN, 2026, 3, 3, 10, 30))],
    )
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=30, grid=5, before=15, after=10)
    got = local_hm(starts(sch, q, BERLIN), BERLIN)
    # 09:00 is fine although its 15-min before-buffer lies before opening.
    assert got[0] == "09:00"
    # the block [s-15, s+40) must end by 10:00 -> s <= 09:20; start again when s-15 >= 10:30
    assert "09:20" in got and "09:25" not in got
    assert "10:40" not in got and "10:45" in got
    # service must end by 12:00 (the after-buffer may run past closing)
    assert got[-1] == "11:30"
    # exact boundary is also what is_bookable says
    assert slots.is_bookable(sch, q, BERLIN, local(BERLIN, 2026, 3, 3, 9, 20))
    assert not slots.is_bookable(sch, q, BERLIN, local(BERLIN, 2026, 3, 3, 9, 25))


def test_buffers_may_lie_in_breaks_but_service_may_not() -> None:
    sch = slots.StaffSchedule(
        staff_id=1, weekly={1: [LR(hm(9), hm(13))]}, breaks={1: [LR(hm(11), hm(12))]}
    )
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=60, grid=30, before=30, after=30)
    assert local_hm(starts(sch, q, BERLIN), BERLIN) == ["09:00", "09:30", "10:00", "12:00"]


def test_time_off_blocks_buffers_too() -> None:
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={1: [LR(hm(9), hm(12))]},
        time_off=[slots.Interval(local(BERLIN, 2026, 3, 3, 8), local(BERLIN, 2026, 3, 3, 9, 30))],
    )
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=30, grid=15, before=15)
    assert local_hm(starts(sch, q, BERLIN), BERLIN)[0] == "09:45"


def test_exception_replaces_shifts_but_breaks_stay() -> None:
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={1: [LR(hm(9), hm(17))], 2: [LR(hm(9), hm(17))]},
        breaks={1: [LR(hm(12), hm(13))], 2: [LR(hm(12), hm(13))]},
        exceptions={TUE: [LR(hm(11), hm(14))], TUE + timedelta(days=1): []},
    )
    q = query(utc(2026, 3, 3), utc(2026, 3, 5), minutes=60, grid=60)
    assert local_hm(starts(sch, q, BERLIN), BERLIN) == ["11:00", "13:00"]


def test_earliest_latest_inclusive_and_rounding() -> None:
    sch = slots.StaffSchedule(staff_id=1, weekly={1: [LR(hm(9), hm(12))]})
    nine = local(BERLIN, 2026, 3, 3, 9)
    q = query(nine, nine + timedelta(hours=1), minutes=30, grid=30)
    assert starts(sch, q, BERLIN) == [nine, nine + 30 * MIN, nine + 60 * MIN]
    q = query(
        nine + timedelta(microseconds=1), nine + timedelta(minutes=60, microseconds=-1), 30, 30
    )
    assert starts(sch, q, BERLIN) == [nine + 30 * MIN]
    assert starts(sch, query(nine, nine - MIN), BERLIN) == []


def test_unsorted_overlapping_busy() -> None:
    iv = slots.Interval
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={1: [LR(hm(9), hm(17))]},
        busy=[
            iv(local(BERLIN, 2026, 3, 3, 14), local(BERLIN, 2026, 3, 3, 15)),
            iv(local(BERLIN, 2026, 3, 3, 10), local(BERLIN, 2026, 3, 3, 13)),
            iv(local(BERLIN, 2026, 3, 3, 11), local(BERLIN, 2026, 3, 3, 12)),
            iv(local(BERLIN, 2026, 3, 3, 12, 30), local(BERLIN, 2026, 3, 3, 14, 30)),
        ],
    )
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=60, grid=30)
    assert local_hm(starts(sch, q, BERLIN), BERLIN) == [
        "09:00",
        "15:00",
        "15:30",
        "16:00",
    ]


def test_short_blocker_without_grid_point_keeps_runs_maximal() -> None:
    # busy 10:01-10:02 with a 1-min service on a 30-min grid:
    # [s, s+1min) overlaps [10:01, 10:02) iff s = 10:01, not on the grid -> no gap at all
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={1: [LR(hm(9), hm(12))]},
        busy=[slots.Interval(local(BERLIN, 2026, 3, 3, 10, 1), local(BERLIN, 2026, 3, 3, 10, 2))],
    )
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=1, grid=30)
    avail = slots.free_windows(sch, q, BERLIN)
    assert len(avail) == 1 and avail.count() == 6


# --------------------------------------------------------------------------
# Availability / candidate_starts / is_bookable API
# --------------------------------------------------------------------------


def test_availability_api() -> None:
    q = query(utc(2026, 3, 3), utc(2026, 3, 11), minutes=30, grid=15)
    avail = slots.free_windows(SALON, q, BERLIN)
    all_starts = list(avail.starts())
    assert avail.count() == len(all_starts) == 16
    assert len(avail) == 4
    assert avail.step == timedelta(minutes=15)
    second_day = local(BERLIN, 2026, 3, 10, 0)
    assert avail.first(second_day) == local(BERLIN, 2026, 3, 10, 9)
    assert avail.first(local(BERLIN, 2026, 3, 3, 9, 1)) == local(BERLIN, 2026, 3, 3, 9, 15)
    assert list(avail.starts(local(BERLIN, 2026, 3, 3, 9, 20), local(BERLIN, 2026, 3, 3, 11))) == [
        local(BERLIN, 2026, 3, 3, 9, 30),
        local(BERLIN, 2026, 3, 3, 10, 30),
        local(BERLIN, 2026, 3, 3, 10, 45),
    ]
    assert avail.first(utc(2026, 4, 1)) is None
    for s in all_starts:
        assert s in avail
        assert s.tzinfo is UTC
    assert local(BERLIN, 2026, 3, 3, 9, 5) not in avail
    assert local(BERLIN, 2026, 3, 3, 10) not in avail
    assert local(BERLIN, 2026, 3, 3, 9) + timedelta(microseconds=1) not in avail
    assert "nope" not in avail
    assert "runs=4" in repr(avail)


def test_candidate_starts_merges_staff_chronologically() -> None:
    a = slots.StaffSchedule(staff_id=2, weekly={1: [LR(hm(9), hm(10))]})
    b = slots.StaffSchedule(staff_id=1, weekly={1: [LR(hm(9, 30), hm(11))]})
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=30, grid=30)
    got = [
        (t.astimezone(BERLIN).strftime("%H:%M"), sid)
        for t, sid in slots.candidate_starts([a, b], q, BERLIN)
    ]
    assert got == [("09:00", 2), ("09:30", 1), ("09:30", 2), ("10:00", 1), ("10:30", 1)]
    window = slots.candidate_starts(
        [a, b],
        q,
        BERLIN,
        after=local(BERLIN, 2026, 3, 3, 9, 30),
        before=local(BERLIN, 2026, 3, 3, 10, 30),
    )
    assert [sid for _, sid in window] == [1, 2, 1]
    res = slots.search([a, b], q, BERLIN)
    assert set(res) == {1, 2} and res[2].count() == 2
    with pytest.raises(ValueError, match="duplicate"):
        slots.search([a, a], q, BERLIN)


def test_is_bookable_rejects() -> None:
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=30, grid=15)
    nine = local(BERLIN, 2026, 3, 3, 9)
    assert slots.is_bookable(SALON, q, BERLIN, nine)
    assert not slots.is_bookable(SALON, q, BERLIN, nine + 5 * MIN)  # off grid
    assert not slots.is_bookable(SALON, q, BERLIN, nine + timedelta(seconds=1))
    assert not slots.is_bookable(SALON, q, BERLIN, nine + timedelta(microseconds=1))
    assert not slots.is_bookable(SALON, q, BERLIN, nine - 15 * MIN)  # before opening
    assert not slots.is_bookable(SALON, q, BERLIN, nine + 45 * MIN)  # runs into the break
    assert not slots.is_bookable(SALON, q, BERLIN, nine + timedelta(days=7))  # after latest
    late = query(nine + MIN, utc(2026, 3, 4), minutes=30, grid=15)
    assert not slots.is_bookable(SALON, late, BERLIN, nine)  # before earliest


def test_validation() -> None:
    with pytest.raises(ValueError):
        LR(hm(10), hm(9))
    with pytest.raises(ValueError):
        LR(hm(10), hm(10))
    with pytest.raises(ValueError):
        LR(time(9, 0, 0, 5), hm(10))
    with pytest.raises(ValueError):
        slots.Interval(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))  # naive
    with pytest.raises(ValueError):
        slots.Interval(utc(2026, 1, 1, 10), utc(2026, 1, 1, 10))
    with pytest.raises(TypeError):
        slots.Interval(date(2026, 1, 1), utc(2026, 1, 1, 10))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        query(utc(2026, 1, 1), utc(2026, 1, 2), grid=7)  # 7 min does not divide 24 h
    with pytest.raises(ValueError):
        query(utc(2026, 1, 1), utc(2026, 1, 2), minutes=0)
    with pytest.raises(ValueError):
        query(utc(2026, 1, 1), utc(2026, 1, 2), before=-5)
    with pytest.raises(ValueError):
        query(datetime(2026, 1, 1), utc(2026, 1, 2))
    with pytest.raises(ValueError):
        slots.StaffSchedule(staff_id=1, weekly={7: [LR(hm(9), hm(10))]})
    with pytest.raises(TypeError):
        slots.StaffSchedule(staff_id=1, busy=[(utc(2026, 1, 1), utc(2026, 1, 2))])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        slots.free_windows(SALON, query(utc(2026, 1, 1), utc(2026, 1, 2)), BERLIN).first(
            datetime(2026, 1, 1)
        )


# --------------------------------------------------------------------------
# DST and odd offsets
# --------------------------------------------------------------------------

SPRING = date(2026, 3, 29)  # Sunday; Berlin 02:00 CET -> 03:00 CEST (01:00 UTC)
FALL = date(2026, 10, 25)  # Sunday; Berlin 03:00 CEST -> 02:00 CET (01:00 UTC)


def test_berlin_spring_forward() -> None:
    sch = slots.StaffSchedule(
        staff_id=1, weekly={6: [LR(hm(1), hm(5)), LR(hm(9), hm(17))], 5: [LR(hm(9), hm(17))]}
    )
    got = slots.working_intervals(sch, BERLIN, SPRING - timedelta(days=1), SPRING)
    assert [(iv.start, iv.end - iv.start) for iv in got] == [
        (utc(2026, 3, 28, 8), timedelta(hours=8)),  # Saturday, CET
        (utc(2026, 3, 29, 0), timedelta(hours=3)),  # 01:00-05:00 wall lasts 3 h
        (utc(2026, 3, 29, 7), timedelta(hours=8)),  # 09:00 CEST
    ]
    q = query(utc(2026, 3, 28), utc(2026, 3, 30), minutes=60, grid=60)
    night = [t for t in starts(sch, q, BERLIN) if utc(2026, 3, 29) <= t < utc(2026, 3, 29, 6)]
    # 01:00 CET, then 03:00 and 04:00 CEST: the wall clock never shows 02:00
    assert local_hm(night, BERLIN) == ["01:00", "03:00", "04:00"]
    assert night == [utc(2026, 3, 29, 0), utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)]


def test_berlin_gap_resolves_forward() -> None:
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={6: [LR(hm(2, 30), hm(6))]},
        breaks={6: [LR(hm(2, 10), hm(2, 50))]},  # entirely inside the gap: empty
    )
    (iv,) = slots.working_intervals(sch, BERLIN, SPRING, SPRING)
    assert iv.start == utc(2026, 3, 29, 1)  # 02:30 does not exist -> 03:00 CEST
    assert iv.end == local(BERLIN, 2026, 3, 29, 6)
    q = query(utc(2026, 3, 29), utc(2026, 3, 30), minutes=30, grid=30)
    assert local_hm(starts(sch, q, BERLIN), BERLIN)[:2] == ["03:00", "03:30"]


def test_berlin_fall_back() -> None:
    sch = slots.StaffSchedule(
        staff_id=1, weekly={6: [LR(hm(1), hm(5)), LR(hm(9), hm(17))], 0: [LR(hm(9), hm(17))]}
    )
    got = slots.working_intervals(sch, BERLIN, FALL, FALL + timedelta(days=1))
    assert [(iv.start, iv.end - iv.start) for iv in got] == [
        (utc(2026, 10, 24, 23), timedelta(hours=5)),  # 01:00-05:00 wall lasts 5 h
        (utc(2026, 10, 25, 8), timedelta(hours=8)),  # 09:00 CET
        (utc(2026, 10, 26, 8), timedelta(hours=8)),
    ]
    q = query(utc(2026, 10, 24), utc(2026, 10, 27), minutes=60, grid=60)
    night = [t for t in starts(sch, q, BERLIN) if t < utc(2026, 10, 25, 6)]
    # the repeated 02:00 hour is on the grid twice
    assert local_hm(night, BERLIN) == ["01:00", "02:00", "02:00", "03:00", "04:00"]
    assert len(set(night)) == 5


def test_berlin_ambiguous_rule_time_uses_first_occurrence() -> None:
    sch = slots.StaffSchedule(staff_id=1, weekly={6: [LR(hm(2, 30), hm(4))]})
    (iv,) = slots.working_intervals(sch, BERLIN, FALL, FALL)
    assert iv.start == local(BERLIN, 2026, 10, 25, 2, 30, fold=0) == utc(2026, 10, 25, 0, 30)
    assert iv.end - iv.start == timedelta(hours=2, minutes=30)


@pytest.mark.parametrize(
    ("zone", "day", "grid", "expected_utc_minutes"),
    [
        ("Asia/Kolkata", date(2026, 3, 3), 60, {30}),  # +05:30
        ("Asia/Kathmandu", date(2026, 3, 3), 30, {15, 45}),  # +05:45
        ("Australia/Adelaide", date(2026, 3, 3), 60, {30}),  # +10:30 (southern summer)
        ("Australia/Adelaide", date(2026, 6, 2), 60, {30}),  # +09:30
    ],
)
def test_odd_offsets_align_on_local_grid(
    zone: str, day: date, grid: int, expected_utc_minutes: set[int]
) -> None:
    tz = ZoneInfo(zone)
    sch = slots.StaffSchedule(staff_id=1, weekly={day.weekday(): [LR(hm(9), hm(17))]})
    start = datetime.combine(day, time(), tz)
    q = query(start, start + timedelta(days=1), minutes=30, grid=grid)
    got = starts(sch, q, tz)
    assert got[0] == datetime.combine(day, hm(9), tz)
    assert {t.minute for t in got} == expected_utc_minutes
    assert all(t.astimezone(tz).minute % grid == 0 for t in got)


def test_southern_hemisphere_fall_back_adelaide() -> None:
    tz = ZoneInfo("Australia/Adelaide")
    day = date(2026, 4, 5)  # Sunday: 03:00 ACDT (+10:30) -> 02:00 ACST (+09:30)
    sch = slots.StaffSchedule(staff_id=1, weekly={6: [LR(hm(0), hm(6))], 5: [LR(hm(9), hm(17))]})
    got = slots.working_intervals(sch, tz, day - timedelta(days=1), day)
    assert got[1].end - got[1].start == timedelta(hours=7)
    assert got[0].start == datetime.combine(day - timedelta(days=1), hm(9), tz)
    q = query(datetime.combine(day, time(), tz), datetime.combine(day, hm(6), tz), 60, 60)
    assert local_hm(starts(sch, q, tz), tz) == [
        "00:00",
        "01:00",
        "02:00",
        "02:00",
        "03:00",
        "04:00",
        "05:00",
    ]


def test_lord_howe_half_hour_dst_changes_the_utc_grid() -> None:
    # Lord Howe shifts by 30 min (+11:00 -> +10:30 on 2026-04-05 02:00 local):
    # a 60-min local grid is :00 UTC before and :30 UTC after the change.
    tz = ZoneInfo("Australia/Lord_Howe")
    day = date(2026, 4, 5)
    sch = slots.StaffSchedule(staff_id=1, weekly={wd: [LR(hm(0), hm(23))] for wd in range(7)})
    q = query(
        datetime.combine(day - timedelta(days=1), hm(20), tz),
        datetime.combine(day + timedelta(days=1), hm(4), tz),
        minutes=30,
        grid=60,
    )
    avail = slots.free_windows(sch, q, tz)
    got = list(avail.starts())
    assert all(t.astimezone(tz).minute == 0 for t in got)
    assert {t.minute for t in got} == {0, 30}
    assert avail.count() == len(got) == len(set(got))
    for t in got:
        assert t in avail
        assert slots.is_bookable(sch, q, tz, t)
    assert (got[1] - got[0]) == timedelta(hours=1)
    # around the change (01:30 first pass -> 01:30 second pass), every local hour once or twice
    assert local_hm([t for t in got if t.astimezone(tz).date() == day][:3], tz) == [
        "00:00",
        "01:00",
        "02:00",
    ]


# --------------------------------------------------------------------------
# Property tests against a brute-force reference
# --------------------------------------------------------------------------

UNIT = 300  # everything generated on a 5-minute grid
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Kolkata",
]
INTERESTING_DAYS = [
    date(2026, 3, 8),  # New York spring
    date(2026, 3, 29),  # Berlin spring
    date(2026, 4, 5),  # Adelaide / Lord Howe fall back
    date(2026, 10, 4),  # Adelaide / Lord Howe spring
    date(2026, 10, 25),  # Berlin fall back
    date(2026, 11, 1),  # New York fall back
    date(2026, 7, 15),
]


@functools.cache
def ref_wall(zone: str, unit: int) -> datetime:
    return datetime.fromtimestamp(unit * UNIT, ZoneInfo(zone)).replace(tzinfo=None)


@functools.cache
def ref_resolve(zone: str, day: date, secs: int) -> int:
    """Independent reading of the rule: first 5-min unit whose wall clock >= day+secs."""
    naive = datetime.combine(day, time()) + timedelta(seconds=secs)
    u = int((naive - datetime(1970, 1, 1)).total_seconds()) // UNIT - 16 * 12
    while ref_wall(zone, u) < naive:
        u += 1
    return u


def secs(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def units_of(iv: slots.Interval) -> range:
    return range(int(iv.start.timestamp()) // UNIT, -(-int(iv.end.timestamp()) // UNIT))


def ref_rule_units(sch: slots.StaffSchedule, zone: str, first: date, last: date):
    work: set[int] = set()
    brk: set[int] = set()
    d = first
    while d <= last:
        shifts = sch.exceptions.get(d, sch.weekly.get(d.weekday(), ()))
        for target, ranges in ((work, shifts), (brk, sch.breaks.get(d.weekday(), ()))):
            for r in ranges:
                target.update(
                    range(ref_resolve(zone, d, secs(r.start)), ref_resolve(zone, d, secs(r.end)))
                )
        d += timedelta(days=1)
    off = {u for iv in sch.time_off for u in units_of(iv)}
    busy = {u for iv in sch.busy for u in units_of(iv)}
    return work - brk - off, brk, off, busy


def reference(sch: slots.StaffSchedule, q: slots.SlotQuery, zone: str) -> list[datetime]:
    """Step through every 5-min instant and test the definition directly."""
    tz = ZoneInfo(zone)
    d, bb, ba = (
        int(x.total_seconds()) // UNIT for x in (q.duration, q.buffer_before, q.buffer_after)
    )
    g = int(q.granularity.total_seconds())
    lo = int(-(-q.earliest.timestamp() // UNIT))  # ceil
    hi = int(q.latest.timestamp() // UNIT)
    first = (q.earliest - timedelta(days=1)).astimezone(tz).date()
    last = (q.latest + q.duration + timedelta(days=1)).astimezone(tz).date()
    work, _, off, busy = ref_rule_units(sch, zone, first, last)
    blocked = off | busy
    out = []
    u = lo
    while u <= hi:
        wall = ref_wall(zone, u)
        if (
            (wall.hour * 3600 + wall.minute * 60) % g == 0
            and all(v in work for v in range(u, u + d))
            and not any(v in blocked for v in range(u - bb, u + d + ba))
        ):
            out.append(datetime.fromtimestamp(u * UNIT, UTC))
        u += 1
    return out


def unit_time(u: int) -> time:
    return time(u // 12, u % 12 * 5)


@st.composite
def local_range(draw, max_units: int = 12 * 12) -> slots.LocalRange:
    a = draw(st.integers(0, 286))
    n = draw(st.one_of(st.sampled_from([3, 6, 9, 12, 24, 36, 60, 96]), st.integers(1, max_units)))
    return LR(unit_time(a), unit_time(min(287, a + min(n, max_units))))


@st.composite
def scenario(draw, dst: bool = False):
    if dst:  # only zones with DST, only days next to a change
        zone = draw(st.sampled_from(ZONES[1:5]))
        base = draw(st.sampled_from(INTERESTING_DAYS[:6]))
    else:
        zone = draw(st.sampled_from(ZONES))
        base = draw(
            st.one_of(
                st.sampled_from(INTERESTING_DAYS),
                st.dates(date(2026, 1, 1), date(2026, 12, 31)),
            )
        )
    base += timedelta(days=draw(st.integers(-1, 1)))
    ranges = st.lists(local_range(), min_size=1, max_size=2)
    # most weekdays work (sometimes two overlapping/adjacent shifts), few have breaks
    weekly = {wd: draw(ranges) for wd in range(7) if draw(st.integers(0, 5))}
    breaks = {wd: [draw(local_range(24))] for wd in range(7) if not draw(st.integers(0, 2))}
    days = [base + timedelta(days=i) for i in range(-1, 4)]
    # one-off days: replaced hours or a day off (empty list)
    exceptions = draw(
        st.dictionaries(st.sampled_from(days), st.lists(local_range(), max_size=2), max_size=2)
    )
    t0 = datetime.combine(base, time(), UTC) - timedelta(hours=14)
    span = 4 * 24 * 12  # units
    step = timedelta(seconds=UNIT)

    def interval(max_len: int) -> st.SearchStrategy[slots.Interval]:
        return st.builds(
            lambda s, n: slots.Interval(t0 + s * step, t0 + (s + n) * step),
            st.integers(0, span),
            st.integers(1, max_len),
        )

    time_off = draw(st.lists(interval(12 * 12), max_size=2))
    busy = draw(st.lists(interval(36), max_size=10))
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly=weekly,
        breaks=breaks,
        exceptions=exceptions,
        time_off=time_off,
        busy=busy,
    )
    earliest = t0 + timedelta(
        seconds=draw(st.integers(0, 36 * 3600)),
        microseconds=draw(st.sampled_from([0, 0, 1, 999_999])),
    )
    latest = earliest + timedelta(
        hours=draw(st.integers(1, 48)), seconds=draw(st.integers(-3600, 3600))
    )
    q = slots.SlotQuery(
        duration=timedelta(minutes=5 * draw(st.integers(1, 24))),
        granularity=timedelta(minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 60]))),
        earliest=earliest,
        latest=latest,
        buffer_before=timedelta(minutes=5 * draw(st.integers(0, 6))),
        buffer_after=timedelta(minutes=5 * draw(st.integers(0, 6))),
    )
    return sch, q, zone


PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(scenario())
def test_matches_brute_force_reference(case) -> None:
    check_against_reference(case)


@PROPS
@given(scenario(dst=True))
def test_matches_brute_force_reference_around_dst_changes(case) -> None:
    check_against_reference(case)


def check_against_reference(case) -> None:
    sch, q, zone = case
    tz = ZoneInfo(zone)
    avail = slots.free_windows(sch, q, tz)
    got = list(avail.starts())
    assert got == reference(sch, q, zone)
    assert avail.count() == len(got)
    # runs are maximal: neighbouring runs could not be joined
    runs = avail.windows()
    for a, b in zip(runs, runs[1:], strict=False):
        assert b.first - a.last != q.granularity
    # is_bookable agrees on every listed start and on near misses
    for t in got[:40]:
        assert slots.is_bookable(sch, q, tz, t)
        assert t in avail
    for t in got[:10]:
        for delta in (-q.granularity, q.granularity, timedelta(minutes=5)):
            assert slots.is_bookable(sch, q, tz, t + delta) == ((t + delta) in avail)


@PROPS
@given(scenario())
def test_safety_properties(case) -> None:
    """Each listed start satisfies every rule, checked without the engine."""
    sch, q, zone = case
    tz = ZoneInfo(zone)
    got = list(slots.free_windows(sch, q, tz).starts())
    if not got:
        return
    first = (got[0] - timedelta(days=1)).astimezone(tz).date()
    last = (got[-1] + timedelta(days=1)).astimezone(tz).date()
    work, brk, off, busy = ref_rule_units(sch, zone, first, last)
    g = int(q.granularity.total_seconds())
    for t in got:
        assert q.earliest <= t <= q.latest
        wall = t.astimezone(tz)
        assert (wall.hour * 3600 + wall.minute * 60 + wall.second) % g == 0
        service = range(int(t.timestamp()) // UNIT, int((t + q.duration).timestamp()) // UNIT)
        assert all(u in work for u in service)  # inside a shift
        assert not any(u in brk or u in off for u in service)  # not in a break or time off
        block = slots.Interval(t - q.buffer_before, t + q.duration + q.buffer_after)
        for iv in (*sch.busy, *sch.time_off):
            assert not (iv.start < block.end and block.start < iv.end)


@settings(max_examples=40, deadline=None)
@given(scenario(), st.integers(2, 4))
def test_search_equals_per_staff_and_candidates_are_sorted(case, n) -> None:
    sch, q, zone = case
    tz = ZoneInfo(zone)
    staff = [
        slots.StaffSchedule(
            staff_id=i,
            weekly=sch.weekly,
            breaks=sch.breaks,
            exceptions=sch.exceptions,
            time_off=sch.time_off,
            busy=list(sch.busy)[i:],
        )
        for i in range(n)
    ]
    res = slots.search(staff, q, tz)
    merged = list(slots.candidate_starts(staff, q, tz))
    assert merged == sorted(merged)
    for s in staff:
        mine = list(slots.free_windows(s, q, tz).starts())
        assert list(res[s.staff_id].starts()) == mine
        assert [t for t, sid in merged if sid == s.staff_id] == mine


def test_cache_can_be_cleared() -> None:
    q = query(utc(2026, 3, 3), utc(2026, 3, 4), minutes=30, grid=15)
    before = starts(SALON, q, BERLIN)
    slots.clear_cache()
    assert starts(SALON, q, BERLIN) == before


@st.composite
def second_scenario(draw):
    """Second-resolution data over a short window, for exact boundary semantics."""
    zone = draw(st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kathmandu"]))
    tz = ZoneInfo(zone)
    day = date(2026, 3, 3)
    noon = datetime.combine(day, hm(12), tz).astimezone(UTC)

    def wall(sec: int) -> time:
        return time(sec // 3600, sec // 60 % 60, sec % 60)

    def local_secs(max_len: int) -> st.SearchStrategy[slots.LocalRange]:
        return st.builds(
            lambda a, n: LR(wall(a), wall(a + n)),
            st.integers(11 * 3600, 12 * 3600),
            st.integers(1, max_len),
        )

    def interval(max_len: int) -> st.SearchStrategy[slots.Interval]:
        return st.builds(
            lambda a, n: slots.Interval(noon + a * SEC, noon + (a + n) * SEC),
            st.integers(-3600, 3600),
            st.integers(1, max_len),
        )

    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={day.weekday(): draw(st.lists(local_secs(7200), min_size=2, max_size=3))},
        breaks={day.weekday(): draw(st.lists(local_secs(600), max_size=1))},
        time_off=draw(st.lists(interval(600), max_size=1)),
        busy=draw(st.lists(interval(900), max_size=4)),
    )
    earliest = noon - (3600 + draw(st.integers(0, 120))) * SEC
    q = slots.SlotQuery(
        duration=draw(st.one_of(st.integers(1, 120), st.integers(1, 1200))) * SEC,
        granularity=draw(st.sampled_from([1, 5, 12, 30, 60, 120])) * SEC,
        earliest=earliest,
        latest=noon + (3600 - draw(st.integers(0, 120))) * SEC,
        buffer_before=draw(st.integers(0, 300)) * SEC,
        buffer_after=draw(st.integers(0, 300)) * SEC,
    )
    return sch, q, tz


SEC = timedelta(seconds=1)


@settings(max_examples=60, deadline=None)
@given(second_scenario())
def test_is_bookable_agrees_at_second_resolution(case) -> None:
    sch, q, tz = case
    avail = slots.free_windows(sch, q, tz)
    got = list(avail.starts())
    t = q.earliest
    expected = []
    while t <= q.latest:
        if slots.is_bookable(sch, q, tz, t):
            expected.append(t)
        t += SEC
    assert got == expected


@pytest.mark.parametrize("year", [1975, 2024, 2057, 2059, 2090])
def test_far_past_and_future_horizons(year: int) -> None:
    # internal instants are seconds since 2024 with a fast path until 2058
    sch = slots.StaffSchedule(
        staff_id=1,
        weekly={wd: [LR(hm(9), hm(12))] for wd in range(7)},
        busy=[slots.Interval(local(BERLIN, year, 6, 2, 10), local(BERLIN, year, 6, 2, 11))],
    )
    start = datetime(year, 6, 1, tzinfo=UTC)
    q = query(start, start + timedelta(days=3), minutes=60, grid=60)
    got = starts(sch, q, BERLIN)
    assert local_hm(got, BERLIN) == [
        "09:00",
        "10:00",
        "11:00",
        "09:00",
        "11:00",
        "09:00",
        "10:00",
        "11:00",
    ]
    t = start
    while t <= q.latest:
        assert slots.is_bookable(sch, q, BERLIN, t) == (t in got)
        t += timedelta(minutes=60)
