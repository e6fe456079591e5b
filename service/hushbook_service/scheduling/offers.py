"""Offer selection: at most *k* offers for a customer's wish, without leaking occupancy.

Pure standard library plus the slot engine (``hushbook_service.scheduling.slots``); no
Flask, no database.  The public ``offers`` endpoint of stealth mode answers a
wish with :func:`choose` -- never with a list of free slots.

Why not "the first k free starts"
=================================
An answer is public: anyone may ask, again and again, with any wish.  The
earliest free start tells that everything before it is taken; answers that
depend on the exact wish let a scraper walk the calendar by varying it.  So
the policy bounds *everything any sequence of asks can reveal*: all answers
are drawn from a small, stable **showcase** (:func:`showcase`) of free
starts, and the wish only decides which part of the showcase it is shown.

Policy
======
1. **Buckets.**  Time is cut into buckets = (local date, part of day):
   ``morning`` (start before ``part_bounds[0]``, 12:00), ``afternoon``
   (before ``part_bounds[1]``, 17:00), ``evening``.  A bucket shows at most
   **one** start (its *rep*) per service length, whatever the wish or the
   visitor: the answer never says more about a bucket than "this start is
   free" (or nothing).
2. **Rep = min-hash.**  Every free start of the bucket (over all staff, or
   over the named staff member when ``staff_showcase`` is on) is ranked
   first by the length of the free gap it lies in (longer first; all gaps
   of at least ``nest_gap`` rank equal), then by ``HMAC(secret, staff,
   start)``; the best one is the rep.  So the rep is neither the earliest
   nor the latest (uniform among the starts of the preferred gaps); it is
   stable (same answer on every ask); it is local (a booking can move it
   only if it falls into the rep's own free gap: bookings elsewhere only
   shorten or remove worse-ranked gaps); and since neither rank involves
   the service, services of different lengths mostly pick the same gap and
   often the same start, so their offers overlap instead of revealing more
   free time.
3. **Rotation (dark buckets).**  With ``rotation_weeks = R > 1`` a bucket
   is *lit* in one week out of R only (``is_lit``: bucket (date, part #i) is
   lit iff ``(date.toordinal() // 7 + offset(weekday) + i) % R == 0``, the
   offset from the tenant secret).  Any ``7 R`` consecutive days light every
   (weekday, part) exactly once, so a customer with a ``7 R``-day window
   still finds "Tuesday evening" while the showcase is R times smaller;
   shorter windows and scarce (long) services suffer.  ``R = 1`` (default)
   lights everything.
4. **Ranking = fit, never time.**  Every rep near the wish is a candidate,
   ranked by fit tier: 0 perfect (window, weekday, time of day, named
   staff), 1 perfect but another staff member, 2 right day wrong time, 3
   right time wrong weekday, 4 in the window otherwise, 5 outside the window
   (then by distance in days, up to ``reach_days``).  Ties are broken by
   spreading over dates (one offer per date before a second), then by
   ``HMAC(secret, canonical wish, bucket)`` -- keyed by the bucket, not by
   its rep, so a change elsewhere never reshuffles the answer.
5. **Answer.**  Up to ``k`` candidates of tiers 0-1; if there are none, up to
   ``k`` nearest alternatives instead: an empty or dark day is answered with
   alternatives, not with a revealing "nothing".  An empty answer only means
   no rep within ``reach_days`` of the window.
6. **Periods and recent bookings** (the hold walk, ``bench/scrape.py``).
   With ``period`` set, the min-hash of rule 2 is keyed by it: the service
   draws every rep anew each period (``stealth.SHOWCASE_PERIOD``), so a
   change of the showcase says nothing by itself.  Within a period the rep
   must not follow bookings: ``recent`` names the starts that bookings made
   lately took (and unconfirmed holds); if one of them would outrank the rep
   found now, it may have been the rep, and the bucket shows nothing instead
   of the next start -- until the booking is no longer recent.  ``keep``
   drops reps that tell something not revealed yet (walk detection).
7. **Explicit time ranges** are widened to at least ``min_range`` (centred,
   snapped outward to whole hours) before they are matched; they select
   among the reps, they never create buckets, so a narrow range cannot probe
   a single slot.
8. **Sticky reveals.**  ``revealed`` names starts already shown to the
   public (with the end of the longest offer at each).  A bucket with a free
   one shows it: one shown for this service's length or longer first (it
   tells nothing new), else one shown for a shorter service (it tells only
   the extra minutes); among them the period's min-hash of rule 2, so the
   shown one still changes on the keyed schedule.  Only a bucket without one
   draws a new rep (rules 2 and 6).  Showing a revealed start needs no
   darkening: while a bucket keeps one free revealed start, walking it
   reveals nothing more, and the public answer stays lit instead of dark.

What a scraper can learn with unlimited asks is therefore the showcase: per
lit bucket and service length one free start (mostly shared between
lengths), plus "nothing" for lit buckets that are full.  Not the other free
starts, not how many there are, nothing about dark buckets, not who else is
booked.  Invariant (tested): the answer to any wish is a function of the
showcase, and a booking changes the showcase only if it falls into the free
gap of one of its reps (new free time, a cancellation, can add reps) -- so
bookings elsewhere change no answer, and asking again never walks the
calendar.

Knobs (:class:`Policy`): ``k``, ``part_bounds``, ``rotation_weeks``,
``staff_showcase``, ``nest_gap``, ``min_range``, ``max_days``, ``reach_days``.  The
benchmark ``bench/scrape.py`` measures leakage and customer fit for them.

Usage: ``lo, hi = search_span(wish, tz, now)``; run the slot engine for that
span (a wider answer is fine, starts outside it are ignored); then
``choose(answer, wish, duration=..., tz=..., secret=..., now=...)``.
"""

from __future__ import annotations

import heapq
import hmac
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from math import ceil
from zoneinfo import ZoneInfo

from hushbook_service.scheduling.slots import Availability, LocalRange

__all__ = [
    "ALL_DAYS",
    "DEFAULT_POLICY",
    "PARTS",
    "Offer",
    "Policy",
    "Wish",
    "choose",
    "earliest",
    "fits",
    "is_lit",
    "search_span",
    "showcase",
]

PARTS = ("morning", "afternoon", "evening")
ALL_DAYS = frozenset(range(7))
_HOUR = 3600


@dataclass(frozen=True, slots=True)
class Policy:
    """The knobs of the selection policy (see the module docstring)."""

    k: int = 3
    part_bounds: tuple[time, time] = (time(12), time(17))
    rotation_weeks: int = 1
    staff_showcase: bool = False  # named staff: that person's own rep per bucket (leaks more)
    nest_gap: timedelta = timedelta(hours=2)  # prefer free gaps up to this long (0: off)
    min_range: timedelta = timedelta(hours=3)
    max_days: int = 14
    reach_days: int = 7

    def __post_init__(self) -> None:
        a, b = self.part_bounds
        if not time(0) < a < b:
            raise ValueError("part_bounds must be increasing times after 00:00")
        if self.k < 0 or self.rotation_weeks < 1 or self.max_days < 1 or self.reach_days < 0:
            raise ValueError("k, reach_days must be >= 0; rotation_weeks, max_days >= 1")
        if self.nest_gap < timedelta(0) or not timedelta(0) <= self.min_range <= timedelta(days=1):
            raise ValueError("nest_gap must be >= 0 and min_range within 0 .. 24 h")


DEFAULT_POLICY = Policy()


@dataclass(frozen=True, slots=True)
class Wish:
    """What a customer asked for; dates are local to the tenant (inclusive)."""

    first_day: date
    last_day: date
    weekdays: frozenset[int] = ALL_DAYS  # 0 = Monday
    parts: frozenset[str] = frozenset()  # subset of PARTS; empty (and no range) = any time
    time_range: LocalRange | None = None
    staff_id: int | None = None

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("last_day before first_day")
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "parts", frozenset(self.parts))
        if not self.weekdays or not self.weekdays <= ALL_DAYS:
            raise ValueError("weekdays must be a non-empty subset of 0..6")
        if not self.parts <= set(PARTS):
            raise ValueError(f"parts must be a subset of {PARTS}")


@dataclass(frozen=True, slots=True)
class Offer:
    """One offered appointment: ``[start, end)`` with ``staff_id``."""

    staff_id: int
    start: datetime  # UTC
    end: datetime


def _mac(secret: bytes, msg: str) -> bytes:
    return hmac.digest(secret, msg.encode(), "sha256")


# Rule 2's min-hash keys, HMAC(secret, "start|period|staff|start"), remembered per
# (secret, period) and staff member: a pure function of them, so remembering gives
# the same reps, and computing them afresh (~7,000 per ask) was half of an ask's
# time.  Bounded: past _STARTS_KEPT starts in all, everything is forgotten.
_STARTS: dict[tuple[bytes, str], dict[int, dict[int, bytes]]] = {}
_STARTS_KEPT = 100_000
_STARTS_LOCK = threading.Lock()  # counting iterates the tables; threads add to them


def _start_keys(secret: bytes, key: str) -> dict[int, dict[int, bytes]]:
    """The table of one (secret, period): staff id -> start -> key."""
    with _STARTS_LOCK:
        if sum(len(t) for staff in _STARTS.values() for t in list(staff.values())) > _STARTS_KEPT:
            _STARTS.clear()
        return _STARTS.setdefault((secret, key), {})


def _fill(mine: dict[int, bytes], secret: bytes, prefix: str, starts: Iterable[int]) -> None:
    """Add the keys of ``starts`` that ``mine`` lacks: ``_mac(secret, prefix + start)``,
    from one HMAC state over the prefix (half the cost of one-shot digests)."""
    missing = [x for x in starts if x not in mine]
    if missing:
        base = hmac.new(secret, prefix.encode(), "sha256")
        for x in missing:
            h = base.copy()
            h.update(b"%d" % x)
            mine[x] = h.digest()


def is_lit(secret: bytes, day: date, part: int, policy: Policy = DEFAULT_POLICY) -> bool:
    """Whether bucket (``day``, ``PARTS[part]``) may show a rep (rule 3)."""
    r = policy.rotation_weeks
    if r == 1:
        return True
    offset = _mac(secret, f"rotation|{day.weekday()}")[0] % r
    return (day.toordinal() // 7 + offset + part) % r == 0


def _window(wish: Wish, tz: ZoneInfo, now: datetime, policy: Policy) -> tuple[date, date]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if (wish.last_day - wish.first_day).days + 1 > policy.max_days:
        raise ValueError(f"the date window may span at most {policy.max_days} days")
    today = now.astimezone(tz).date()
    if wish.last_day < today:
        raise ValueError("the date window lies in the past")
    return max(wish.first_day, today), wish.last_day


def _days(wish: Wish, tz: ZoneInfo, now: datetime, policy: Policy) -> tuple[date, date]:
    """First and last local date whose reps ``choose`` considers."""
    first, last = _window(wish, tz, now, policy)
    today = now.astimezone(tz).date()
    return max(today, first - timedelta(days=policy.reach_days)), last + timedelta(
        days=policy.reach_days
    )


def search_span(
    wish: Wish, tz: ZoneInfo, now: datetime, policy: Policy = DEFAULT_POLICY
) -> tuple[datetime, datetime]:
    """UTC ``(earliest, latest)`` the slot engine must cover for ``choose``."""
    lo_day, hi_day = _days(wish, tz, now, policy)
    lo = datetime.combine(lo_day, time(0), tz).astimezone(UTC)
    hi = datetime.combine(hi_day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return max(lo, now.astimezone(UTC)), hi


def _range_secs(rng: LocalRange, policy: Policy) -> tuple[int, int]:
    """The wish's explicit range, widened to ``min_range`` and snapped to whole hours."""
    lo = rng.start.hour * _HOUR + rng.start.minute * 60 + rng.start.second
    hi = rng.end.hour * _HOUR + rng.end.minute * 60 + rng.end.second
    want = int(policy.min_range.total_seconds())
    if hi - lo < want:
        mid = (lo + hi) // 2
        lo, hi = mid - want // 2, mid + (want + 1) // 2
        if lo < 0:
            lo, hi = 0, want
        if hi > 24 * _HOUR:
            lo, hi = 24 * _HOUR - want, 24 * _HOUR
    return max(0, lo // _HOUR * _HOUR), min(24 * _HOUR, -(-hi // _HOUR) * _HOUR)


def _reps(
    availability: Mapping[int, Availability],
    staff: list[int],
    edges: list[int],
    wanted: set[int],
    duration: int,
    now: int,
    secret: bytes,
    nest_gap: int,
    period: str = "",
    recent: Mapping[int, Sequence[tuple[int, int, int]]] | None = None,
    revealed: Mapping[int, Mapping[int, int]] | None = None,
) -> dict[int, tuple[int, int, bool]]:
    """Rep ``(staff, start epoch, new)`` of every non-empty wanted bucket (rules 2, 6,
    8); ``new``: the rep tells free time not revealed yet.

    Bucket ``i`` holds the starts ``edges[i] <= start < edges[i + 1]`` (UTC
    epoch seconds).  The free gap of a run of starts ``first .. last`` is
    ``[first, last + duration)`` (less the buffers, the same for every service).
    """
    best: dict[int, tuple[tuple[int, bytes], int, int]] = {}
    lo = max(edges[0], now)
    key = f"start|{period}|" if period else "start|"
    keys = _start_keys(secret, key)
    for sid in staff:
        mine, prefix = keys.setdefault(sid, {}), f"{key}{sid}|"
        for run in availability[sid]:
            g = int(run.step.total_seconds())
            f, last = int(run.first.timestamp()), int(run.last.timestamp())
            gap = -min(nest_gap, last + duration - f)  # longer free gaps first (capped)
            last = min(last, edges[-1] - 1)
            if f < lo:
                f += -(-(lo - f) // g) * g
            while f <= last:
                i = bisect_right(edges, f) - 1
                top = min(last, f + (edges[i + 1] - 1 - f) // g * g)  # last start in bucket i
                if i in wanted and (i not in best or gap <= best[i][0][0]):
                    starts = range(f, top + 1, g)
                    _fill(mine, secret, prefix, starts)
                    x = min(starts, key=mine.__getitem__)  # the earliest of equal keys
                    mac = mine[x]
                    if i not in best or (gap, mac) < best[i][0]:
                        best[i] = ((gap, mac), sid, x)
                f = top + g
    # Rule 6: a start a recent booking took may have been this bucket's rep; if
    # it would outrank the rep found now, the bucket shows nothing (not the next).
    for sid, blocked in (recent or {}).items():
        if sid not in staff:
            continue
        mine, prefix = keys.setdefault(sid, {}), f"{key}{sid}|"
        for first, last, g in blocked:
            x = first if first >= lo else first + -(-(lo - first) // g) * g
            while x <= min(last, edges[-1] - 1):
                i = bisect_right(edges, x) - 1
                _fill(mine, secret, prefix, (x,))
                if i in best and (-nest_gap, mine[x]) < best[i][0]:
                    del best[i]
                x += g
    out = {i: (sid, s, True) for i, (_, sid, s) in best.items()}
    # Rule 8: a bucket with a free start already revealed shows one of them (the
    # period's min-hash among them), before and instead of anything rule 6 decided;
    # one revealed for this length or longer first (it tells nothing new).
    sticky: dict[int, tuple[tuple[bool, bytes], int, int]] = {}
    for sid, told in (revealed or {}).items():
        if sid not in staff:
            continue
        mine, prefix, free = keys.setdefault(sid, {}), f"{key}{sid}|", availability[sid]
        for x, until in told.items():
            if not lo <= x < edges[-1]:
                continue
            i = bisect_right(edges, x) - 1
            if i not in wanted or datetime.fromtimestamp(x, UTC) not in free:
                continue
            _fill(mine, secret, prefix, (x,))
            rank = (until < x + duration, mine[x])
            if i not in sticky or rank < sticky[i][0]:
                sticky[i] = (rank, sid, x)
    out.update({i: (sid, s, longer) for i, ((longer, _), sid, s) in sticky.items()})
    return out


def showcase(
    availability: Mapping[int, Availability],
    first_day: date,
    last_day: date,
    *,
    duration: timedelta,
    tz: ZoneInfo,
    secret: bytes,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    staff_id: int | None = None,
    period: str = "",
    recent: Mapping[int, Sequence[tuple[int, int, int]]] | None = None,
    keep: Callable[[Offer], bool] | None = None,
    revealed: Mapping[int, Mapping[int, int]] | None = None,
) -> dict[tuple[date, int], Offer]:
    """Every rep the public can be shown on local dates ``first_day .. last_day``.

    Keys are ``(date, part index)``.  ``staff_id`` restricts the reps to one
    staff member (what a named-staff wish sees under ``staff_showcase``).
    This is the whole of what any sequence of asks for this service (and
    these buffers) can reveal about these dates.

    ``period`` keys the reps (rule 6: drawn anew each period); ``recent`` maps a
    staff id to ``(first, last, step)`` epoch ranges of starts that recent
    bookings took (their buckets go dark if one of them would outrank the rep);
    ``revealed`` maps a staff id to starts already shown, each to the end (epoch)
    of the longest offer at it (rule 8: a bucket with a free one shows it);
    ``keep`` drops the reps it refuses among those that tell free time not
    revealed yet (walk detection).
    """
    if not secret:
        raise ValueError("a tenant secret is required")
    start_day = max(now.astimezone(tz).date(), first_day)
    if last_day < start_day:
        return {}
    buckets: list[tuple[date, int]] = []
    edges: list[int] = []
    for n in range((last_day - start_day).days + 1):
        day = start_day + timedelta(days=n)
        for part, t in enumerate((time(0), *policy.part_bounds)):
            buckets.append((day, part))
            edges.append(int(datetime.combine(day, t, tz).timestamp()))
    edges.append(int(datetime.combine(last_day + timedelta(days=1), time(0), tz).timestamp()))
    lit = {i for i, (day, part) in enumerate(buckets) if is_lit(secret, day, part, policy)}
    if staff_id is None:
        staff = sorted(availability)
    else:
        staff = [staff_id] if staff_id in availability else []
    reps = _reps(
        availability,
        staff,
        edges,
        lit,
        int(duration.total_seconds()),
        ceil(now.timestamp()),
        secret,
        int(policy.nest_gap.total_seconds()),
        period,
        recent,
        revealed,
    )
    out = {}
    for i, (sid, s, new) in sorted(reps.items()):
        start = datetime.fromtimestamp(s, UTC)
        offer = Offer(sid, start, start + duration)
        if not new or keep is None or keep(offer):
            out[buckets[i]] = offer
    return out


def choose(
    availability: Mapping[int, Availability],
    wish: Wish,
    *,
    duration: timedelta,
    tz: ZoneInfo,
    secret: bytes,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    k: int | None = None,
    period: str = "",
    recent: Mapping[int, Sequence[tuple[int, int, int]]] | None = None,
    keep: Callable[[Offer], bool] | None = None,
    revealed: Mapping[int, Mapping[int, int]] | None = None,
) -> list[Offer]:
    """At most ``k`` (default ``policy.k``) offers for ``wish``; see the module docstring.

    ``availability`` is the slot engine's answer (for the service's duration
    and buffers) covering ``search_span(wish, tz, now, policy)``.  Every offer
    start is a start of that answer; offers are sorted by start.  Raises
    ``ValueError`` for a window wider than ``policy.max_days`` or in the past.
    """
    k = policy.k if k is None else k
    first, last = _window(wish, tz, now, policy)
    lo_day, hi_day = _days(wish, tz, now, policy)
    named = wish.staff_id if policy.staff_showcase else None
    reps = showcase(
        availability,
        lo_day,
        hi_day,
        duration=duration,
        tz=tz,
        secret=secret,
        now=now,
        policy=policy,
        staff_id=named,
        period=period,
        recent=recent,
        keep=keep,
        revealed=revealed,
    )
    rng = None if wish.time_range is None else _range_secs(wish.time_range, policy)
    canon = "|".join(
        (
            str(int(duration.total_seconds())),
            first.isoformat(),
            last.isoformat(),
            ",".join(map(str, sorted(wish.weekdays))),
            ",".join(sorted(wish.parts)),
            "" if rng is None else f"{rng[0]}-{rng[1]}",
            "" if wish.staff_id is None else str(wish.staff_id),
        )
    )

    def time_ok(part: int, start: datetime) -> bool:
        if not wish.parts and rng is None:
            return True
        if PARTS[part] in wish.parts:
            return True
        if rng is None:
            return False
        local = start.astimezone(tz)
        return rng[0] <= local.hour * _HOUR + local.minute * 60 + local.second < rng[1]

    cands = []
    for (day, part), offer in reps.items():
        in_win = first <= day <= last
        wd_ok = day.weekday() in wish.weekdays
        t_ok = time_ok(part, offer.start)
        s_ok = wish.staff_id is None or offer.staff_id == wish.staff_id
        if in_win and wd_ok and t_ok:
            tier = 0 if s_ok else 1
        elif in_win:
            tier = 2 if wd_ok else 3 if t_ok else 4
        else:
            tier = 5
        dist = (first - day).days if day < first else max(0, (day - last).days)
        rank = _mac(secret, f"order|{canon}|{day.isoformat()}|{part}")
        cands.append(((tier, dist, not (wd_ok and t_ok), not t_ok, not s_ok, rank), day, offer))

    pool = [c for c in cands if c[0][0] <= 1] or cands
    picked: list[Offer] = []
    uses: dict[date, int] = {}
    while pool and len(picked) < k:
        best = min(pool, key=lambda c: (c[0][0], uses.get(c[1], 0), c[0][1:]))
        pool.remove(best)
        picked.append(best[2])
        uses[best[1]] = uses.get(best[1], 0) + 1
    return sorted(picked, key=lambda o: (o.start, o.staff_id))


def _part_of(local: time, policy: Policy) -> int:
    a, b = policy.part_bounds
    return 0 if local < a else 1 if local < b else 2


def fits(wish: Wish, start: datetime, tz: ZoneInfo, policy: Policy = DEFAULT_POLICY) -> bool:
    """Whether a start is what the customer asked for (window, weekday, time of day).

    The explicit range is taken as given here (not widened): this is the
    customer's own judgement of an offer, used by :func:`earliest` and the
    benchmark.
    """
    local = start.astimezone(tz)
    if not wish.first_day <= local.date() <= wish.last_day:
        return False
    if local.weekday() not in wish.weekdays:
        return False
    if not wish.parts and wish.time_range is None:
        return True
    if PARTS[_part_of(local.time(), policy)] in wish.parts:
        return True
    rng = wish.time_range
    return rng is not None and rng.start <= local.time().replace(tzinfo=None) < rng.end


def _tagged(starts, sid: int):
    """``(start, sid)`` pairs; a function so each stream keeps its own ``sid``."""
    return ((s, sid) for s in starts)


def earliest(
    availability: Mapping[int, Availability],
    wish: Wish,
    *,
    duration: timedelta,
    tz: ZoneInfo,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    k: int | None = None,
) -> list[Offer]:
    """Stealth mode off: the first ``k`` free starts that fit the wish exactly.

    What booking pages usually show, and what reveals that everything before
    the first offer is taken (the benchmark measures how much).  A named
    staff member comes first; if they have fewer than ``k``, others fill up.
    """
    k = policy.k if k is None else k
    first, last = _window(wish, tz, now, policy)
    lo = max(now, datetime.combine(first, time(0), tz)).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)

    def take(staff: list[int], n: int) -> list[Offer]:
        out: list[Offer] = []
        if n <= 0:
            return out
        streams = [_tagged(availability[sid].starts(lo, hi), sid) for sid in staff]
        for s, sid in heapq.merge(*streams):
            if fits(wish, s, tz, policy):
                out.append(Offer(sid, s, s + duration))
                if len(out) == n:
                    break
        return out

    everyone = sorted(availability)
    if wish.staff_id is None:
        return take(everyone, k)
    mine = take([wish.staff_id] if wish.staff_id in availability else [], k)
    return mine + take([sid for sid in everyone if sid != wish.staff_id], k - len(mine))
