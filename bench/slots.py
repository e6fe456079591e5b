"""Benchmark of the slot engine (``hushbook_service.scheduling.slots``).

Run:  PYTHONPATH=service .venv/bin/python bench/slots.py [--quick]

"A search" = ``slots.search(schedules, query, tz)``: the full compact answer
(every maximal run of bookable starts for every staff member over the whole
90-day horizon), not the first item of a lazy generator.

Columns (all: wall-clock time of one ``slots.search`` call, runs back to back):
  cold    the engine's caches cleared before every run, so the weekly hours,
          breaks, exceptions and time off of every staff member are expanded
          into UTC intervals inside the timed region
  warm    rule expansion cached by an earlier run with the same rules and
          horizon (the normal case: rules change rarely); the ``StaffSchedule``
          objects are prebuilt -- their constructor has already read ``busy``
          into sorted integer lists -- but every busy time is still swept on
          every run
  e2e     warm cache, but the inputs are built inside the timed region: one
          ``Interval`` per appointment from two aware datetimes and one
          ``StaffSchedule`` per staff member, then the search (what the service
          does per request after fetching rows; the database fetch itself is
          not included)

Scenario: Europe/Berlin (the horizon crosses the 2026-03-29 DST change),
Tue-Sat 09:00-18:00 with a 12:30-13:15 lunch break, one day-off exception and
one afternoon of time off per staff member, 45-min service with 10/5-min
buffers, 15-min grid.  Appointments (already widened by their buffers, 40 to
105 min) are placed at random (seed 1) within opening hours, spread over staff
and days, avoiding overlaps where the staff member still has room.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time as _time
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from machine import describe

from hushbook_service.scheduling import slots

TZ = ZoneInfo("Europe/Berlin")
EARLIEST = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
HORIZON = timedelta(days=90)
QUERY = slots.SlotQuery(
    duration=timedelta(minutes=45),
    granularity=timedelta(minutes=15),
    earliest=EARLIEST,
    latest=EARLIEST + HORIZON,
    buffer_before=timedelta(minutes=10),
    buffer_after=timedelta(minutes=5),
)
OPEN_DAYS = (1, 2, 3, 4, 5)  # Tue..Sat
LR = slots.LocalRange
WEEKLY = {wd: (LR(time(9), time(18)),) for wd in OPEN_DAYS}
BREAKS = {wd: (LR(time(12, 30), time(13, 15)),) for wd in OPEN_DAYS}


def make_rows(n_staff: int, n_appts: int, rng: random.Random) -> dict[int, list[tuple]]:
    """Per staff id: sorted (block_start, block_end) aware-datetime tuples."""
    days = [
        d for i in range(91) if (d := EARLIEST.date() + timedelta(days=i)).weekday() in OPEN_DAYS
    ]
    rows: dict[int, list[tuple]] = {sid: [] for sid in range(1, n_staff + 1)}
    taken: dict[tuple[int, date], list[tuple[int, int]]] = {}
    for k in range(n_appts):
        sid = k % n_staff + 1
        for _attempt in range(12):
            day = rng.choice(days)
            start_min = 9 * 60 + 15 * rng.randrange(0, 32)  # 09:00 .. 16:45 local
            length = rng.choice((40, 55, 70, 105))
            spans = taken.setdefault((sid, day), [])
            if all(start_min + length <= a or b <= start_min for a, b in spans):
                break
        spans.append((start_min, start_min + length))
        local = datetime.combine(day, time(0), TZ) + timedelta(minutes=start_min)
        start = local.astimezone(UTC)
        rows[sid].append((start, start + timedelta(minutes=length)))
    for r in rows.values():
        r.sort()
    return rows


def build(rows: dict[int, list[tuple]]) -> list[slots.StaffSchedule]:
    out = []
    for sid, r in rows.items():
        off_day = EARLIEST.date() + timedelta(days=20 + sid % 30)
        off_start = datetime.combine(off_day, time(14), TZ).astimezone(UTC)
        out.append(
            slots.StaffSchedule(
                staff_id=sid,
                weekly=WEEKLY,
                breaks=BREAKS,
                exceptions={EARLIEST.date() + timedelta(days=10 + sid % 40): ()},
                time_off=(slots.Interval(off_start, off_start + timedelta(hours=4)),),
                busy=[slots.Interval(s, e) for s, e in r],
            )
        )
    return out


def timeit(fn, reps: int, before=None) -> list[float]:
    out = []
    for _ in range(reps):
        if before is not None:
            before()
        t0 = _time.perf_counter_ns()
        fn()
        out.append((_time.perf_counter_ns() - t0) / 1e6)
    return out


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def brute_force(schedules: list[slots.StaffSchedule]) -> dict[int, list[datetime]]:
    """Naive reference: test every 15-min local-grid start with is_bookable."""
    out: dict[int, list[datetime]] = {}
    step = QUERY.granularity
    for sch in schedules:
        found = []
        t = EARLIEST.astimezone(TZ).replace(minute=0, second=0, microsecond=0)
        t = t.astimezone(UTC)
        while t <= QUERY.latest:
            if slots.is_bookable(sch, QUERY, TZ, t):
                found.append(t)
            t += step
        out[sch.staff_id] = found
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    reps_small, reps_big = (15, 7) if args.quick else (101, 41)

    print(describe("slot engine benchmark"))
    print(
        "search = full answer for every staff member over 90 days "
        "(45-min service, 15-min grid, Europe/Berlin)"
    )
    print()
    header = (
        f"{'staff':>5} {'appts':>6} {'runs':>7} {'starts':>8} | "
        f"{'cold med':>8} {'cold p95':>8} | {'warm med':>8} {'warm p95':>8} | "
        f"{'e2e med':>8} {'e2e p95':>8} | {'warm/base':>9}"
    )
    print(header)
    print("-" * len(header))
    base_warm = None
    results = {}
    for n_staff in (1, 10, 50):
        for n_appts in (0, 5_000, 20_000):
            rows = make_rows(n_staff, n_appts, random.Random(1))
            schedules = build(rows)
            reps = reps_small if n_staff * (n_appts + 500) < 100_000 else reps_big
            slots.clear_cache()
            cold = timeit(
                lambda sch=schedules: slots.search(sch, QUERY, TZ), reps, slots.clear_cache
            )
            slots.search(schedules, QUERY, TZ)  # populate the cache
            warm = timeit(lambda sch=schedules: slots.search(sch, QUERY, TZ), reps)
            e2e = timeit(lambda r=rows: slots.search(build(r), QUERY, TZ), reps)
            answer = slots.search(schedules, QUERY, TZ)
            if (n_staff, n_appts) in ((1, 0), (1, 5_000), (50, 20_000)):  # used below
                results[(n_staff, n_appts)] = (schedules, answer, warm, e2e)
            n_runs = sum(len(a) for a in answer.values())
            n_starts = sum(a.count() for a in answer.values())
            w = statistics.median(warm)
            if base_warm is None:
                base_warm = w
            print(
                f"{n_staff:>5} {n_appts:>6} {n_runs:>7} {n_starts:>8} | "
                f"{statistics.median(cold):>8.3f} {p95(cold):>8.3f} | "
                f"{w:>8.3f} {p95(warm):>8.3f} | "
                f"{statistics.median(e2e):>8.3f} {p95(e2e):>8.3f} | "
                f"{w / base_warm:>8.1f}x"
            )
    print()
    print("times in ms (median / 95th percentile); runs = maximal windows of consecutive")
    print("bookable starts; warm/base = warm median relative to 1 staff / 0 appointments.")
    print("1 staff with 5000+ appointments (in 90 days) is booked solid: 0 starts left.")
    print()

    # Same-run baseline: the naive reference on the small cases.
    for case in ((1, 0), (1, 5_000)):
        schedules, answer, warm, _ = results[case]
        t0 = _time.perf_counter_ns()
        ref = brute_force(schedules)
        bf = (_time.perf_counter_ns() - t0) / 1e6
        engine = statistics.median(warm)
        same = all(list(answer[sid].starts()) == ref[sid] for sid in ref)
        print(
            f"baseline {case[0]} staff/{case[1]} appts: naive brute force "
            f"(is_bookable at every 15-min grid start) {bf:.1f} ms; engine (warm) "
            f"{engine:.3f} ms = {bf / engine:.0f}x faster; same answer: {same}"
        )

    schedules, answer, warm, e2e = results[(50, 20_000)]
    mat = timeit(lambda a=answer: [w for av in a.values() for w in av.windows()], reps_big)
    first = timeit(
        lambda sch=schedules: next(slots.candidate_starts(sch, QUERY, TZ), None), reps_big
    )
    print(
        f"50 staff/20000 appts: turning every window into datetimes (StartRange "
        f"objects) adds {statistics.median(mat):.3f} ms; candidate_starts() up to its "
        f"first item (runs the full search) {statistics.median(first):.3f} ms"
    )
    w = statistics.median(warm)
    verdict = "MET" if w < 5 else "NOT MET"
    print(
        f"target < 5 ms median, 50 staff x 90 days x 20000 appts: warm search median "
        f"{w:.3f} ms (fastest run {min(warm):.3f} ms) -> {verdict}; end-to-end incl. "
        f"building the 20000 Interval objects: median {statistics.median(e2e):.1f} ms"
    )


if __name__ == "__main__":
    main()
