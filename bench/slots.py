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

Database to answer (after the engine table; ``--db-only`` for just this): the
salon below with no buffers (``make_salon``: 50 team members, 20,000
appointments, 90 days from the next Monday) written into an empty database
(``--db URL``; default a new SQLite file), then what ``GET /v1/availability``
does after authentication, in-process, for the whole 90 days: tenant, service
and team read, ``booking.free_times`` (5 queries; busy blocks as epoch-second
tuples), the JSON answer (``availability.fast_dump``). Same-run baselines: the
fetch as it was before issue 18 (4 queries per member, an ``Interval`` per
appointment) and the schema's marshmallow dump; both must give the same windows
and bytes. The issue's target: <= 50 ms. ``bench/peer.py`` and
``bench/http_paths.py`` use ``make_salon``/``fill_hushbook`` for the same data.

Scenario: Europe/Berlin (the horizon crosses the 2026-03-29 DST change),
Tue-Sat 09:00-18:00 with a 12:30-13:15 lunch break, one day-off exception and
one afternoon of time off per staff member, 45-min service with 10/5-min
buffers, 15-min grid.  Appointments (already widened by their buffers, 40 to
105 min) are placed at random (seed 1) within opening hours, spread over staff
and days, avoiding overlaps where the staff member still has room.
"""

from __future__ import annotations

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time as _time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, date, datetime, time, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from machine import describe  # noqa: E402

from hushbook_service.scheduling import slots  # noqa: E402

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


def make_rows(
    n_staff: int, n_appts: int, rng: random.Random, first_day: date = EARLIEST.date()
) -> dict[int, list[tuple]]:
    """Per staff id: sorted (block_start, block_end) aware-datetime tuples."""
    days = [d for i in range(91) if (d := first_day + timedelta(days=i)).weekday() in OPEN_DAYS]
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


# --------------------------------------------------------------------------
# The same salon in a database: what the service answers from (and bench/peer.py
# loads into django-appointment). The service has no buffers here, so that both
# systems ask the same question of the same data (django-appointment knows only
# a symmetric gap); appointments are placed as above.
# --------------------------------------------------------------------------


@dataclass
class Salon:
    """50 team members' hours, days off, time off and appointments (UTC blocks)."""

    first_day: date  # a Monday, local; the horizon is first_day .. first_day + 90 days
    rows: dict[int, list[tuple]]  # staff number (1..n) -> sorted (start, end)
    day_off: dict[int, date]
    time_off: dict[int, tuple[datetime, datetime]]

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.start + HORIZON


def next_monday(today: date | None = None) -> date:
    """The Monday after ``today`` (1 to 7 days ahead): the horizon lies in the future."""
    today = today or datetime.now(TZ).date()
    return today + timedelta(days=7 - today.weekday())


def make_salon(n_staff: int = 50, n_appts: int = 20_000, seed: int = 1) -> Salon:
    first = next_monday()
    day_off, time_off = {}, {}
    for sid in range(1, n_staff + 1):
        day_off[sid] = first + timedelta(days=10 + sid % 40)
        off = datetime.combine(first + timedelta(days=20 + sid % 30), time(14), TZ)
        time_off[sid] = (off.astimezone(UTC), (off + timedelta(hours=4)).astimezone(UTC))
    rows = make_rows(n_staff, n_appts, random.Random(seed), first)
    return Salon(first, rows, day_off, time_off)


def fill_hushbook(salon: Salon, tenant_id: int | None = None) -> tuple[int, int]:
    """Write ``salon`` into Hushbook's (open, migrated) database: a new tenant, or
    team members added to ``tenant_id``. Returns (tenant id, service id)."""
    from hushbook_service.db import database, is_sqlite
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

    with database.atomic():
        if tenant_id is None:
            tenant_id = Tenant.create(
                slug=f"bench-{random.randrange(10**9)}", name="Bench", timezone=TZ.key
            ).id
        service_id = Service.create(tenant=tenant_id, name="Cut", duration_min=45).id
        staff_ids = {}
        for sid in salon.rows:
            staff_ids[sid] = Staff.create(
                tenant=tenant_id,
                email=f"member{sid}@bench.test",
                display_name=f"Member {sid}",
                role="stylist",
            ).id
        ServiceStaff.insert_many(
            [{"tenant": tenant_id, "service": service_id, "staff": i} for i in staff_ids.values()]
        ).execute()
        hours = []
        for i in staff_ids.values():
            for wd in OPEN_DAYS:
                hours.append((tenant_id, i, wd, "shift", time(9), time(18)))
                hours.append((tenant_id, i, wd, "break", time(12, 30), time(13, 15)))
        fields = [WorkingHours.tenant, WorkingHours.staff, WorkingHours.weekday]
        fields += [WorkingHours.kind, WorkingHours.start, WorkingHours.end]
        WorkingHours.insert_many(hours, fields=fields).execute()
        for sid, i in staff_ids.items():
            ScheduleException.create(tenant=tenant_id, staff=i, date=salon.day_off[sid])
            s, e = salon.time_off[sid]
            TimeOff.create(tenant=tenant_id, staff=i, start_at=s, end_at=e)
        appts = [
            (tenant_id, staff_ids[sid], service_id, s, e, s, e)
            for sid, r in salon.rows.items()
            for s, e in r
        ]
        fields = [Appointment.tenant, Appointment.staff, Appointment.service]
        fields += [Appointment.start_at, Appointment.end_at]
        fields += [Appointment.block_start, Appointment.block_end]
        for k in range(0, len(appts), 1000):
            Appointment.insert_many(appts[k : k + 1000], fields=fields).execute()
    if not is_sqlite():  # statistics, as autovacuum keeps them on a live server
        database.execute_sql("ANALYZE")
    return tenant_id, service_id


def open_empty(url: str) -> None:
    """Point Hushbook at ``url`` (an empty database: it is migrated and filled)."""
    from hushbook_service.db import database, open_database
    from hushbook_service.migrations import migrate

    open_database(url)
    database.connect(reuse_if_open=True)
    if database.get_tables():
        raise SystemExit(f"{url} is not empty; give an empty database")
    migrate(database.obj)


def row_by_row(tenant, service, team, start: datetime, end: datetime):
    """The same-run baseline: how free_times read before issue 18 -- four
    queries per team member, each appointment a model row and an Interval."""
    from hushbook_service.models import Appointment, ScheduleException, TimeOff, WorkingHours
    from hushbook_service.scheduling import booking

    schedules = []
    for member in team:
        weekly: dict = {}
        breaks: dict = {}
        for rule in WorkingHours.select().where(
            WorkingHours.tenant == tenant.id, WorkingHours.staff == member.id
        ):
            target = weekly if rule.kind == "shift" else breaks
            target.setdefault(rule.weekday, []).append(LR(rule.start, rule.end))
        exceptions: dict = {}
        for row in ScheduleException.select().where(
            ScheduleException.staff == member.id,
            ScheduleException.date >= (start - timedelta(days=1)).date(),
            ScheduleException.date <= (end + timedelta(days=1)).date(),
        ):
            day = exceptions.setdefault(row.date, [])
            if row.start is not None:
                day.append(LR(row.start, row.end))
        away = TimeOff.select().where(
            TimeOff.staff == member.id, TimeOff.start_at < end, TimeOff.end_at > start
        )
        busy = (
            Appointment.select(Appointment.block_start, Appointment.block_end)
            .where(
                Appointment.staff == member.id,
                booking.occupying(),
                Appointment.block_start < end,
                Appointment.block_end > start,
            )
            .tuples()
        )
        schedules.append(
            slots.StaffSchedule(
                staff_id=member.id,
                weekly=weekly,
                breaks=breaks,
                exceptions=exceptions,
                time_off=[slots.Interval(t.start_at, t.end_at) for t in away],
                busy=[slots.Interval(s, e) for s, e in busy],
            )
        )
    return schedules


def database_figures(url: str, reps: int) -> None:
    """The 90-day availability from the database to the answer, in-process."""
    import json

    from flask import Flask

    from hushbook_service.models import Service, ServiceStaff, Staff, Tenant
    from hushbook_service.resources.availability import StaffAvailabilitySchema, fast_dump
    from hushbook_service.scheduling import booking

    open_empty(url)
    salon = make_salon()
    tenant_id, service_id = fill_hushbook(salon)
    start, end = salon.start, salon.end

    def request():
        """What GET /v1/availability does after authentication, over 90 days."""
        tenant = Tenant.get_by_id(tenant_id)
        service = Service.get_by_id(service_id)
        team = list(
            Staff.select()
            .join(ServiceStaff, on=ServiceStaff.staff == Staff.id)
            .where(ServiceStaff.service == service.id, Staff.active == True)  # noqa: E712
            .order_by(Staff.id)
        )
        found = booking.free_times(tenant, service, team, start, end)
        return fast_dump(found, tenant.slot_granularity_min).get_data()

    tenant = Tenant.get_by_id(tenant_id)
    service = Service.get_by_id(service_id)
    team = list(Staff.select().where(Staff.tenant == tenant_id).order_by(Staff.id))
    ids = [m.id for m in team]
    pad = timedelta(minutes=service.duration_min)
    query = slots.SlotQuery(
        duration=pad, granularity=timedelta(minutes=15), earliest=start, latest=end
    )
    with Flask("bench").app_context():
        body = request()  # warms the rule cache, as any earlier request does
        total = timeit(request, reps)
        cpu = []  # this thread's CPU time: on a loaded machine, without the wait for a CPU
        for _ in range(reps):
            c0 = _time.thread_time_ns()
            request()
            cpu.append((_time.thread_time_ns() - c0) / 1e6)
        fetch = timeit(
            lambda: booking.load_schedules(tenant_id, ids, start - pad, end + pad, closed=[]),
            reps,
        )
        schedules = booking.load_schedules(tenant_id, ids, start - pad, end + pad, closed=[])
        engine = timeit(lambda: slots.search(schedules, query, TZ), reps)
        found = slots.search(schedules, query, TZ)
        dump = timeit(lambda: fast_dump(found, 15).get_data(), reps)
        baseline_fetch = timeit(lambda: row_by_row(tenant, service, team, start, end), reps)
        same = {
            a.staff_id: a.windows()
            for a in slots.search(row_by_row(tenant, service, team, start, end), query, TZ).values()
        } == {sid: a.windows() for sid, a in found.items()}

        def schema_dump():
            rows = [
                {
                    "staff_id": sid,
                    "step_min": 15,
                    "count": a.count(),
                    "windows": [{"first": w.first, "last": w.last} for w in a.windows()],
                }
                for sid, a in sorted(found.items())
            ]
            dumped = StaffAvailabilitySchema(many=True).dump(rows)
            return json.dumps(dumped, sort_keys=True, separators=(",", ":")) + "\n"

        baseline_dump = timeit(schema_dump, reps)
        same_bytes = schema_dump().encode() == fast_dump(found, 15).get_data()
    n_windows = sum(len(a) for a in found.values())
    med = statistics.median
    print()
    print(
        f"database to answer ({url.split(':')[0]}): {len(ids)} team members, "
        f"{sum(len(r) for r in salon.rows.values())} appointments, 90 days from "
        f"{salon.first_day} (no buffers), {n_windows} windows, {len(body)} bytes of JSON"
    )
    print(
        f"  whole answer (tenant, service, team, free_times, JSON): median "
        f"{med(total):.1f} ms, p95 {p95(total):.1f} ms, fastest {min(total):.1f} ms "
        f"-> {'MET' if med(total) <= 50 else 'NOT MET'} (target <= 50 ms); this thread's "
        f"CPU time median {med(cpu):.1f} ms (SQLite: all of the work; PostgreSQL: without "
        f"the server's)"
    )
    print(
        f"  parts: fetch (5 queries, busy as epoch-second tuples) {med(fetch):.1f} ms; "
        f"engine {med(engine):.1f} ms; JSON {med(dump):.1f} ms"
    )
    print(
        f"  baselines, same run: fetch row by row (4 queries per member, an Interval per "
        f"appointment) {med(baseline_fetch):.1f} ms = {med(baseline_fetch) / med(fetch):.1f}x "
        f"the batched fetch, same windows: {same}; marshmallow dump "
        f"{med(baseline_dump):.1f} ms = {med(baseline_dump) / med(dump):.1f}x the fast "
        f"dump, same bytes: {same_bytes}"
    )


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
    ap.add_argument(
        "--db",
        metavar="URL",
        help="an EMPTY database for the database-to-answer figures "
        "(default: a new SQLite file in a temporary folder)",
    )
    ap.add_argument("--db-only", action="store_true", help="only the database figures")
    args = ap.parse_args()
    reps_small, reps_big = (15, 7) if args.quick else (101, 41)

    print(describe("slot engine benchmark"))
    if not args.db_only:
        engine_figures(reps_small, reps_big)
    if args.db:
        database_figures(args.db, reps_big)
    else:
        with tempfile.TemporaryDirectory() as folder:
            database_figures(f"sqlite:///{folder}/bench.db", reps_big)


def engine_figures(reps_small: int, reps_big: int) -> None:
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
