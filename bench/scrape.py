"""Leakage benchmark of stealth offers (``hushbook_service.offers``): DESIGN §4, issue 4 item 7.

Run:  .venv/bin/python bench/scrape.py

Pure simulation: no HTTP server.  A demo salon with a known occupancy is built
as slot-engine schedules; a scraper asks the same questions the public
``offers`` endpoint will answer and tries to reconstruct the per-staff
busy/free map of the next 14 days at 15-minute granularity.

The salon (seeded, the numbers below are printed): Europe/Berlin, "now" is
Monday 2026-05-04 08:00 (closed on Mondays).  6 staff; Tue/Wed/Fri 09:00-19:00,
Thu 10:00-20:00, Sat 09:00-16:00, a 30-minute lunch break (12:30 or 13:00);
two part-timers.  Services 15/30/45/60/90/120 min (fringe, men's cut, cut,
cut & blow-dry, colour, highlights) with popularity weights.  4 weeks of
appointments, each staff-day filled to a random target of 60-80 % of its
working time (appointments mostly placed next to existing ones, as booking
customers do, some anywhere).  The map = every 15-min cell of working time
(shifts minus breaks) of the next 14 days; a cell is busy if an appointment
covers it.  Opening hours are public, so only working cells are scored.

Score: "recovered" = (accuracy - best blind guess) / (1 - best blind guess),
where the best blind guess is the majority class of the map ("everything
busy"): 0 % = no better than guessing, 100 % = the exact map.

The scraper, per answer type (the strongest simple one I could write):
  open     ("open calendar", what competitors expose): one ask per service
           returns every free start of every staff member.
  naive    "earliest k free starts" matching the wish (k = 3, explicit time
           ranges honoured as given): for each staff member and day it walks
           with the 15-min service: ask "staff X, day D, from t", learn the
           3 earliest free starts *and* that everything in between is busy,
           continue after the third.
  stealth  offers.choose: families of systematically varied wishes, each
           deduplicated (answers are stable, repeats teach nothing) and
           abandoned after 25 asks in a row that taught nothing new:
           F1 one day x service; F2 one day x part of day x service;
           F3 one day x named staff x service; F4 one day x 1-hour explicit
           range x service; F5 random customer-like wishes.  Every offer is
           known free for its whole length.
  Then, for every answer type, inference by a classifier calibrated on a
  *shadow salon* (same generator, another seed; attackers can simulate
  salons): each cell gets features (known free / known busy, distance to
  the nearest known-free cell of that staff-day, an offer for this staff in
  this day-part, an offer for anyone in this day-part, the day was asked
  about) and is predicted free iff free was the majority for that feature
  tuple in the shadow salon.  The score is the better of this classifier
  and "known free is free, everything else busy", picked with hindsight --
  which favours the scraper, so leakage is if anything overstated.

Budgets (assumptions): the scraper wants 2,000 asks per day.  Stealth on:
each IP gets 30 anonymous asks per day before 429 (metering also has
per-subnet, per-tenant and per-session buckets, not modelled: they could only
lower the numbers), so 1 / 10 / 100 IPs get 30 / 300 / 2,000 asks; each ask
needs a SHA-256 leading-zero proof-of-work: 18 bits for an IP's first 4 asks
of the day, +1 bit per doubling after that (asks 5-8: 19, 9-16: 20, ...).
CPU cost = expected hashes (2**bits) / the hash rate measured below in
CPython; native or GPU code would pay far less.  Stealth off and the open
calendar: no metering, no proof-of-work.

Customers: a generated population of wishes (window of 3/7/14 days starting
within 3 days, 1 / 2-3 / any weekdays, 1 / 2 / any part of the day or an
explicit range of 2-3 h, 30 % name a staff member).  Served at the first ask
= an offer in the window, on a wished weekday, at a wished time of day (the
range as the customer gave it, not the widened one).  A named staff member
is a preference; how often it was honoured is printed separately.  The
"ceiling" is the share for which any fitting free start exists at all.

Second table: the policy's knobs (``offers.Policy``) against the scraper
from 100 IPs and the customers, and a "floor": the fewest free cells that an
oracle knowing every customer wish in advance must show to serve 90 % of
them (greedy set cover).  A scraper replaying customer-like wishes sees at
least what the customers see, so no policy can get far below the floor
without failing customers.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import random
import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import machine

from hushbook_service import offers, slots
from hushbook_service.offers import PARTS, Offer, Policy, Wish

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=TZ).astimezone(UTC)
TODAY = NOW.astimezone(TZ).date()
CELL = 900  # seconds
MAP_DAYS = [TODAY + timedelta(days=i) for i in range(14)]
GEN_DAYS = [TODAY + timedelta(days=i) for i in range(28)]
SERVICES = {15: 5, 30: 25, 45: 25, 60: 20, 90: 15, 120: 10}  # minutes: popularity
WANTED_PER_DAY = 2_000
PER_IP = 30
IP_COUNTS = (1, 10, 100)
POW_BASE_BITS = 18
K = 3
LR = slots.LocalRange


def hm(h: int, m: int = 0) -> time:
    return time(h, m)


HOURS = {
    1: (hm(9), hm(19)),
    2: (hm(9), hm(19)),
    3: (hm(10), hm(20)),
    4: (hm(9), hm(19)),
    5: (hm(9), hm(16)),
}
STAFF_DAYS = {1: {1, 2, 3, 4, 5}, 2: {1, 2, 3, 4, 5}, 3: {1, 3, 4, 5}, 4: {2, 3, 4, 5}}
STAFF_DAYS |= {5: {1, 2, 3}, 6: {3, 4, 5}}  # part-timers


# ---------------------------------------------------------------------------
# the demo salon
# ---------------------------------------------------------------------------


@dataclass
class Salon:
    schedules: list[slots.StaffSchedule]
    truth: dict[tuple[int, int], bool]  # (staff, cell start epoch) -> busy
    secret: bytes
    answers: dict[int, dict[int, slots.Availability]] = field(default_factory=dict)  # per minutes

    def cells_of(self, sid: int, day: date) -> list[int]:
        return self._by_day.get((sid, day), [])

    def __post_init__(self) -> None:
        self._by_day: dict[tuple[int, date], list[int]] = defaultdict(list)
        for sid, c in sorted(self.truth):
            self._by_day[(sid, local_day(c))].append(c)
        query = {
            m: slots.SlotQuery(
                duration=timedelta(minutes=m),
                granularity=timedelta(seconds=CELL),
                earliest=NOW,
                latest=NOW + timedelta(days=28),
            )
            for m in SERVICES
        }
        self.answers = {m: slots.search(self.schedules, q, TZ) for m, q in query.items()}


def local_day(epoch: int) -> date:
    return datetime.fromtimestamp(epoch, TZ).date()


def build_salon(seed: int) -> Salon:
    rng = random.Random(seed)
    weekly = {sid: {wd: (LR(*HOURS[wd]),) for wd in days} for sid, days in STAFF_DAYS.items()}
    lunch = {sid: (hm(12, 30), hm(13)) if sid % 2 else (hm(13), hm(13, 30)) for sid in STAFF_DAYS}
    breaks = {sid: {wd: (LR(*lunch[sid]),) for wd in STAFF_DAYS[sid]} for sid in STAFF_DAYS}
    base = [slots.StaffSchedule(sid, weekly=weekly[sid], breaks=breaks[sid]) for sid in STAFF_DAYS]
    durations = list(SERVICES)
    weights = list(SERVICES.values())
    schedules, truth = [], {}
    for sch in base:
        busy: list[slots.Interval] = []
        for work in _working_by_day(sch):
            cells = [c for a, b in work for c in range(a, b, CELL)]
            free = set(cells)
            target = rng.uniform(0.60, 0.80) * len(cells)
            taken: set[int] = set()
            while len(taken) < target:
                d = rng.choices(durations, weights)[0]
                fits = [c for c in cells if all(c + i * CELL in free for i in range(d // 15))]
                if not fits:
                    d = 15
                    fits = [c for c in cells if c in free]
                    if not fits:
                        break
                n = d // 15
                packed = [c for c in fits if c - CELL not in free or c + n * CELL not in free]
                c0 = rng.choice(packed if packed and rng.random() < 0.7 else fits)
                block = {c0 + i * CELL for i in range(n)}
                free -= block
                taken |= block
                s = datetime.fromtimestamp(c0, UTC)
                busy.append(slots.Interval(s, s + timedelta(minutes=d)))
            for c in cells:
                if local_day(c) in MAP_DAYS:
                    truth[(sch.staff_id, c)] = c in taken
        schedules.append(
            slots.StaffSchedule(sch.staff_id, weekly=sch.weekly, breaks=sch.breaks, busy=busy)
        )
    return Salon(schedules, truth, hashlib.sha256(b"tenant secret %d" % seed).digest())


def _working_by_day(sch: slots.StaffSchedule) -> Iterator[list[tuple[int, int]]]:
    for day in GEN_DAYS:
        ivs = slots.working_intervals(sch, TZ, day, day)
        work = [(int(iv.start.timestamp()), int(iv.end.timestamp())) for iv in ivs]
        if work:
            yield work


# ---------------------------------------------------------------------------
# answers
# ---------------------------------------------------------------------------


def part_of(local: datetime) -> int:
    return 0 if local.time() < hm(12) else 1 if local.time() < hm(17) else 2


def fits_time(wish: Wish, start: datetime) -> bool:
    local = start.astimezone(TZ)
    if not wish.parts and wish.time_range is None:
        return True
    if PARTS[part_of(local)] in wish.parts:
        return True
    r = wish.time_range
    return r is not None and r.start <= local.time() < r.end


def fits(wish: Wish, o: Offer) -> bool:
    d = o.start.astimezone(TZ).date()
    return (
        wish.first_day <= d <= wish.last_day
        and d.weekday() in wish.weekdays
        and fits_time(wish, o.start)
    )


def earliest_k(salon: Salon, minutes: int, wish: Wish, k: int = K) -> list[Offer]:
    """The naive answer: the first k free starts that match the wish exactly.

    A named staff member comes first; if they have fewer than k, others fill up.
    """
    if wish.staff_id is not None:
        mine = _earliest(salon, minutes, wish, [wish.staff_id], k)
        others = [sid for sid in sorted(salon.answers[minutes]) if sid != wish.staff_id]
        return mine + _earliest(salon, minutes, wish, others, k - len(mine))
    return _earliest(salon, minutes, wish, sorted(salon.answers[minutes]), k)


def _earliest(salon: Salon, minutes: int, wish: Wish, staff: list[int], k: int) -> list[Offer]:
    lo = max(NOW, datetime.combine(wish.first_day, time(0), TZ).astimezone(UTC))
    hi = datetime.combine(wish.last_day + timedelta(days=1), time(0), TZ).astimezone(UTC)
    out: list[Offer] = []
    if k <= 0:
        return out
    streams = [((s, sid) for s in salon.answers[minutes][sid].starts(lo, hi)) for sid in staff]
    for s, sid in heapq.merge(*streams):
        o = Offer(sid, s, s + timedelta(minutes=minutes))
        if fits(wish, o):
            out.append(o)
            if len(out) == k:
                break
    return out


def stealth(policy: Policy) -> Callable[[Salon, int, Wish], list[Offer]]:
    def answer(salon: Salon, minutes: int, wish: Wish) -> list[Offer]:
        return offers.choose(
            salon.answers[minutes],
            wish,
            duration=timedelta(minutes=minutes),
            tz=TZ,
            secret=salon.secret,
            now=NOW,
            policy=policy,
        )

    return answer


# ---------------------------------------------------------------------------
# scrapers: they produce Knowledge, snapshotted at given ask counts
# ---------------------------------------------------------------------------


@dataclass
class Knowledge:
    free: set[tuple[int, int]] = field(default_factory=set)
    busy: set[tuple[int, int]] = field(default_factory=set)
    offered_bucket: set[tuple[date, int, int | None]] = field(default_factory=set)
    asked_days: set[date] = field(default_factory=set)
    asks: int = 0

    def learn(self, wish: Wish | None, got: list[Offer]) -> bool:
        before = len(self.free)
        if wish is not None:
            d = wish.first_day
            while d <= wish.last_day:
                self.asked_days.add(d)
                d += timedelta(days=1)
        for o in got:
            a, b = int(o.start.timestamp()), int(o.end.timestamp())
            self.free.update((o.staff_id, c) for c in range(a, b, CELL))
            loc = o.start.astimezone(TZ)
            self.offered_bucket.add((loc.date(), part_of(loc), o.staff_id))
            self.offered_bucket.add((loc.date(), part_of(loc), None))
        return len(self.free) > before

    def copy(self) -> Knowledge:
        return Knowledge(
            set(self.free),
            set(self.busy),
            set(self.offered_bucket),
            set(self.asked_days),
            self.asks,
        )


def scrape_open(salon: Salon, checkpoints: list[int]) -> dict[int, Knowledge]:
    kn = Knowledge()
    staff = sorted(salon.answers[15])
    for minutes in sorted(SERVICES):  # one ask per service: all free starts
        for sid in staff:
            for s in salon.answers[minutes][sid].starts(NOW, NOW + timedelta(days=14)):
                kn.learn(None, [Offer(sid, s, s + timedelta(minutes=minutes))])
    kn.asked_days.update(MAP_DAYS)
    kn.asks = len(SERVICES)
    for sid, c in salon.truth:  # a working cell without a 15-min start is busy
        if (sid, c) not in kn.free:
            kn.busy.add((sid, c))
    return {n: kn for n in checkpoints}


def scrape_naive(salon: Salon, checkpoints: list[int]) -> dict[int, Knowledge]:
    kn, out, asks = Knowledge(), {}, 0
    staff = sorted(salon.answers[15])
    todo = sorted(checkpoints)

    def ask(wish: Wish) -> list[Offer]:
        nonlocal asks
        asks += 1
        kn.asks = asks
        got = [o for o in earliest_k(salon, 15, wish) if o.staff_id == wish.staff_id]
        kn.learn(wish, got)
        while todo and asks >= todo[0]:
            out[todo.pop(0)] = kn.copy()
        return got

    for day in MAP_DAYS:
        for sid in staff:
            cursor = hm(0)
            while todo:
                got = ask(Wish(day, day, staff_id=sid, time_range=LR(cursor, time(23, 59))))
                t = datetime.combine(day, cursor, TZ)
                ends = [o.start.astimezone(TZ) for o in got]
                if len(got) < K:
                    ends.append(datetime.combine(day + timedelta(days=1), time(0), TZ))
                for e in ends:  # every grid start between cursor and an answer is taken
                    while t < e:
                        kn.busy.add((sid, int(t.timestamp())))
                        t += timedelta(seconds=CELL)
                    t = e + timedelta(seconds=CELL)
                if len(got) < K:
                    break
                cursor = (got[-1].start.astimezone(TZ) + timedelta(seconds=CELL)).time()
                if cursor == hm(0):
                    break
    for n in todo:
        out[n] = kn.copy()
    return out


def stealth_families(salon: Salon, seed: int) -> list[list[tuple[int, Wish]]]:
    by_len = sorted(SERVICES, reverse=True)
    staff = sorted(salon.answers[15])
    f1 = [(m, Wish(d, d)) for m in by_len for d in MAP_DAYS]
    f2 = [(m, Wish(d, d, parts={p})) for m in by_len for d in MAP_DAYS for p in PARTS]
    f3 = [(m, Wish(d, d, staff_id=s)) for m in by_len for s in staff for d in MAP_DAYS]
    f4 = [
        (m, Wish(d, d, time_range=LR(hm(h), hm(h + 1))))
        for m in by_len
        for d in MAP_DAYS
        for h in range(9, 20)
    ]
    rng = random.Random(seed)
    f5 = [customer_wish(rng, staff) for _ in range(4_000)]
    return [f1, f2, f3, f4, f5]


def scrape_stealth(
    salon: Salon, answer: Callable[[Salon, int, Wish], list[Offer]], checkpoints: list[int]
) -> dict[int, Knowledge]:
    kn, out, asks = Knowledge(), {}, 0
    todo = sorted(checkpoints)
    seen: set[tuple[int, Wish]] = set()
    for family in stealth_families(salon, seed=99):
        dry = 0
        for m, wish in family:
            if not todo:
                break
            if (m, wish) in seen:
                continue
            seen.add((m, wish))
            asks += 1
            kn.asks = asks
            dry = 0 if kn.learn(wish, answer(salon, m, wish)) else dry + 1
            while todo and asks >= todo[0]:
                out[todo.pop(0)] = kn.copy()
            if dry >= 25:
                break
    for n in todo:
        out[n] = kn.copy()
    return out


# ---------------------------------------------------------------------------
# inference and score
# ---------------------------------------------------------------------------


def features(salon: Salon, kn: Knowledge) -> dict[tuple[int, int], tuple]:
    out = {}
    free_by_day: dict[tuple[int, date], list[int]] = defaultdict(list)
    for sid, c in kn.free:
        free_by_day[(sid, local_day(c))].append(c)
    for (sid, c), _busy in salon.truth.items():
        loc = datetime.fromtimestamp(c, TZ)
        day, part = loc.date(), part_of(loc)
        near = free_by_day.get((sid, day), ())
        dist = min((abs(c - f) // CELL for f in near), default=4)
        out[(sid, c)] = (
            (sid, c) in kn.free,
            (sid, c) in kn.busy,
            min(dist, 4),
            (day, part, sid) in kn.offered_bucket,
            (day, part, None) in kn.offered_bucket,
            day in kn.asked_days,
        )
    return out


def train(salon: Salon, kn: Knowledge) -> tuple[dict[tuple, bool], bool]:
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for cell, f in features(salon, kn).items():
        counts[f][salon.truth[cell]] += 1
    table = {f: c[False] > c[True] for f, c in counts.items()}  # True = predict free
    busy_share = sum(salon.truth.values()) / len(salon.truth)
    return table, busy_share < 0.5


def recovered(salon: Salon, kn: Knowledge, model: tuple[dict[tuple, bool], bool]) -> float:
    """Share above the blind guess; the better of "classifier" and "only what is known".

    Picking the better rule with hindsight favours the scraper (it could not
    know which is better), so the number errs on the side of more leakage.
    """
    table, default_free = model
    feats = features(salon, kn)
    busy = sum(salon.truth.values()) / len(salon.truth)
    base = max(busy, 1 - busy)
    best = -1.0
    for use_model in (True, False):

        def says_free(f: tuple, use_model: bool = use_model) -> bool:
            if f[0] or f[1]:  # known for certain
                return f[0]
            return table.get(f, default_free) if use_model else default_free

        right = sum(says_free(f) == (not salon.truth[cell]) for cell, f in feats.items())
        best = max(best, (right / len(feats) - base) / (1 - base))
    return best


# ---------------------------------------------------------------------------
# proof-of-work
# ---------------------------------------------------------------------------


def measure_hash_rate(bits: int = 16, samples: int = 6) -> tuple[float, float]:
    """Solve real puzzles; return (hashes per second, mean seconds per puzzle)."""
    sha, total_h, total_t = hashlib.sha256, 0, 0.0
    for i in range(samples):
        challenge = os.urandom(16) + i.to_bytes(4, "big")
        limit = 1 << (256 - bits)
        t0 = _time.perf_counter()
        n = 0
        while int.from_bytes(sha(challenge + n.to_bytes(8, "big")).digest(), "big") >= limit:
            n += 1
        total_t += _time.perf_counter() - t0
        total_h += n + 1
    return total_h / total_t, total_t / samples


def pow_bits(n: int) -> int:
    """Difficulty of an IP's n-th ask of the day (1-based)."""
    return POW_BASE_BITS + max(0, (n - 1).bit_length() - 2)


def pow_seconds(asks: int, ips: int, rate: float) -> float:
    per_ip, extra = divmod(asks, ips)
    total = 0.0
    for i in range(ips):
        total += sum(2 ** pow_bits(n) for n in range(1, per_ip + (i < extra) + 1))
    return total / rate


# ---------------------------------------------------------------------------
# customers
# ---------------------------------------------------------------------------

OPEN_WEEKDAYS = sorted(HOURS)
RANGES = [(hm(9), hm(11)), (hm(12), hm(14)), (hm(16), hm(18)), (hm(17), hm(20)), (hm(10), hm(13))]


def customer_wish(rng: random.Random, staff: list[int]) -> tuple[int, Wish]:
    minutes = rng.choices(list(SERVICES), list(SERVICES.values()))[0]
    first = TODAY + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
    length = rng.choices((3, 7, 14), (10, 30, 60))[0]
    last = min(first + timedelta(days=length - 1), MAP_DAYS[-1])
    in_window = sorted(
        {(first + timedelta(days=i)).weekday() for i in range((last - first).days + 1)}
        & set(OPEN_WEEKDAYS)
    )
    if not in_window:
        in_window = OPEN_WEEKDAYS
    r = rng.random()
    if r < 0.40:
        weekdays = set(range(7))
    elif r < 0.75:
        weekdays = set(rng.sample(in_window, min(len(in_window), rng.choice((2, 3)))))
    else:
        weekdays = {rng.choice(in_window)}
    r = rng.random()
    parts: set[str] = set()
    rng_t = None
    if r < 0.45:
        parts = {rng.choice(PARTS)}
    elif r < 0.55:
        parts = set(rng.sample(PARTS, 2))
    elif r < 0.65:
        rng_t = LR(*rng.choice(RANGES))
    staff_id = rng.choice(staff) if rng.random() < 0.30 else None
    return minutes, Wish(first, last, frozenset(weekdays), frozenset(parts), rng_t, staff_id)


def oracle_floor(salon: Salon, n: int, share: float = 0.90) -> float:
    """Fewest free cells shown to serve ``share`` of the wishes, as a share of all free cells.

    Greedy set cover with full knowledge of every wish and every free start
    (most wishes served per newly revealed cell first).  A scraper replaying
    customer-like wishes learns at least what the customers were shown, so
    no policy serving that share can leak (much) less.
    """
    rng = random.Random(7)
    staff = sorted(salon.answers[15])
    wishes = [customer_wish(rng, staff) for _ in range(n)]
    options = []
    for minutes in SERVICES:
        mine = [(i, w) for i, (m, w) in enumerate(wishes) if m == minutes]
        for sid, av in salon.answers[minutes].items():
            for s in av.starts(NOW, NOW + timedelta(days=14)):
                o = Offer(sid, s, s + timedelta(minutes=minutes))
                hit = {i for i, w in mine if fits(w, o)}
                if hit:
                    a = int(s.timestamp())
                    options.append((hit, {(sid, c) for c in range(a, a + minutes * 60, CELL)}))
    covered: set[int] = set()
    shown: set[tuple[int, int]] = set()
    while len(covered) < share * n and options:
        hit, cells = max(options, key=lambda o: len(o[0] - covered) / (len(o[1] - shown) + 0.1))
        if not hit - covered:
            break
        covered |= hit
        shown |= cells
    free = sum(1 for v in salon.truth.values() if not v)
    return len(shown) / free if len(covered) >= share * n else float("nan")


@dataclass
class Served:
    served: float
    ceiling: float
    staff_honoured: float


def serve(salon: Salon, answer: Callable[[Salon, int, Wish], list[Offer]], n: int) -> Served:
    rng = random.Random(7)
    staff = sorted(salon.answers[15])
    ok = possible = named = honoured = 0
    for _ in range(n):
        m, w = customer_wish(rng, staff)
        got = answer(salon, m, w)
        hit = [o for o in got if fits(w, o)]
        ok += bool(hit)
        possible += bool(
            earliest_k(
                salon, m, Wish(w.first_day, w.last_day, w.weekdays, w.parts, w.time_range), 1
            )
        )
        if w.staff_id is not None:
            named += 1
            honoured += any(o.staff_id == w.staff_id for o in hit)
    return Served(ok / n, possible / n, honoured / max(1, named))


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main() -> None:
    t_start = _time.perf_counter()
    print(machine.describe("stealth leakage benchmark"))
    salon, shadow = build_salon(1), build_salon(2)
    busy = sum(salon.truth.values()) / len(salon.truth)
    n_appts = sum(len(s.busy) for s in salon.schedules)
    print(
        f"demo salon: 6 staff, 4 weeks, {n_appts} appointments; map = next 14 days, "
        f"{len(salon.truth)} working 15-min cells, {busy:.1%} busy "
        f"(best blind guess: 'all busy' = {max(busy, 1 - busy):.1%} accurate)"
    )
    rate, per_puzzle = measure_hash_rate()
    print(
        f"proof-of-work: measured {rate / 1e6:.2f} M SHA-256/s in CPython (6 puzzles at 16 bits, "
        f"{per_puzzle:.2f} s each); base {POW_BASE_BITS} bits = "
        f"{2**POW_BASE_BITS / rate:.2f} CPU-s per ask"
    )
    print(
        f"budget: scraper wants {WANTED_PER_DAY} asks/day; stealth on: {PER_IP} asks per IP "
        f"per day, then 429; proof-of-work {POW_BASE_BITS} bits + 1 per doubling after an "
        f"IP's 4th ask"
    )
    print()

    default = Policy()
    stealth_asks = {ips: min(WANTED_PER_DAY, ips * PER_IP) for ips in IP_COUNTS}
    cps = sorted(set(stealth_asks.values()) | {WANTED_PER_DAY})

    def run(scrape: Callable[..., dict[int, Knowledge]], *args) -> dict[int, tuple[float, int]]:
        """Recovered share and asks actually used, per budget."""
        mine, theirs = scrape(salon, *args, cps), scrape(shadow, *args, cps)
        return {n: (recovered(salon, mine[n], train(shadow, theirs[n])), mine[n].asks) for n in cps}

    rows = []

    def row(name: str, res: dict[int, tuple[float, int]], metered: bool) -> None:
        cells = {}
        for ips in IP_COUNTS:
            budget = stealth_asks[ips] if metered else WANTED_PER_DAY
            r, used = res[budget]
            cpu = pow_seconds(used, ips, rate) if metered else 0.0
            cells[ips] = (used, r, cpu)
        rows.append((name, cells))

    row("open calendar (competitors)", run(scrape_open), metered=False)
    naive = run(scrape_naive)
    row("stealth off (earliest 3)", naive, metered=False)
    row("metering+PoW only (earliest 3)", naive, metered=True)
    rec = run(scrape_stealth, stealth(default))
    row("stealth on (offers.py+metering)", rec, metered=True)
    header = f"{'answer':<32}" + "".join(
        f" | {f'{i} IP' + ('s' if i > 1 else ''):>8} {'asks':>5} {'CPU-s':>6}" for i in IP_COUNTS
    )
    print(
        "map recovered above the best blind guess (asks that got through, CPU-s of proof-of-work)"
    )
    print(header)
    print("-" * len(header))
    for name, cells in rows:
        print(
            f"{name:<32}"
            + "".join(
                f" | {r:>8.1%} {a:>5} {cpu:>6.0f}" for a, r, cpu in (cells[i] for i in IP_COUNTS)
            )
        )
    print()

    n_cust = 1_500
    print(f"customers ({n_cust} generated wishes), and the policy's knobs (scraper from 100 IPs)")
    header = f"{'policy':<46} | {'recovered':>9} | {'served 1st ask':>14} | {'staff honoured':>14}"
    print(header)
    print("-" * len(header))
    ceiling = None
    variants = [
        (f"default ({describe(default)})", default),
        ("nest_gap=0 (no preference for long gaps)", Policy(nest_gap=timedelta(0))),
        ("rotation_weeks=2", Policy(rotation_weeks=2)),
        ("rotation_weeks=3", Policy(rotation_weeks=3)),
        ("staff_showcase=True", Policy(staff_showcase=True)),
    ]
    results = {}
    for name, pol in variants:
        if pol == default:
            r100 = rows[3][1][100][1]
        else:
            r100 = run(scrape_stealth, stealth(pol))[stealth_asks[100]][0]
        s = serve(salon, stealth(pol), n_cust)
        ceiling = s.ceiling
        results[name] = (r100, s)
        print(f"{name:<46} | {r100:>9.1%} | {s.served:>14.1%} | {s.staff_honoured:>14.1%}")
    s_naive = serve(salon, lambda sal, m, w: earliest_k(sal, m, w), n_cust)
    print(
        f"{'(stealth off: earliest 3)':<46} | {rows[1][1][100][1]:>9.1%} | "
        f"{s_naive.served:>14.1%} | {s_naive.staff_honoured:>14.1%}"
    )
    print(f"ceiling: a fitting free start exists for {ceiling:.1%} of the wishes")
    floor = oracle_floor(salon, n_cust)
    print(
        f"floor: an oracle knowing every wish in advance shows {floor:.1%} of the free cells "
        "to serve 90 % of them (greedy set cover: an estimate of the minimum); a scraper "
        "replaying such wishes sees that much"
    )
    free = len(salon.truth) - sum(salon.truth.values())
    print(
        f"scale: 5 % of this map = {free * 0.05:.0f} of its {free} free cells, i.e. about "
        f"{free * 0.05 / 4:.0f} one-hour offers"
    )
    print()
    r100, s = results[variants[0][0]]
    verdict_leak = "MET" if r100 <= 0.05 else "NOT MET"
    verdict_serve = "MET" if s.served >= 0.90 else "NOT MET"
    print(f"target <= 5 % recovered from 100 IPs/day, stealth on: {r100:.1%} -> {verdict_leak}")
    print(f"target >= 90 % of customers served at the first ask: {s.served:.1%} -> {verdict_serve}")
    print(f"runtime {_time.perf_counter() - t_start:.0f} s")


def describe(p: Policy) -> str:
    gap = p.nest_gap.total_seconds() / 3600
    return f"rotation_weeks={p.rotation_weeks}, nest_gap={gap:g} h, k={p.k}"


if __name__ == "__main__":
    main()
