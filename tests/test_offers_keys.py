"""The remembered min-hash keys of the showcase (scheduling.offers, rule 2): the
same reps as computing every key afresh, whatever is remembered or forgotten."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hushbook_service.scheduling import offers, slots

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=BERLIN).astimezone(UTC)
LR = slots.LocalRange
GRID = timedelta(minutes=15)
WEEKLY = {wd: (LR(time(9), time(18)),) for wd in range(6)}


def availability(seed: int, minutes: int) -> dict[int, slots.Availability]:
    rng = random.Random(seed)
    schedules = []
    for sid in (1, 2, 3, 4):
        busy = []
        for n in range(1, 22):
            day = date(2026, 5, 4) + timedelta(days=n)
            for _ in range(rng.randrange(5)):
                start = datetime.combine(day, time(rng.randrange(9, 17), 15 * rng.randrange(4)))
                start = start.replace(tzinfo=BERLIN).astimezone(UTC)
                busy.append(slots.Interval(start, start + GRID * rng.choice((2, 3, 4, 6))))
        busy.sort(key=lambda iv: iv.start)
        merged: list[slots.Interval] = []
        for iv in busy:
            if merged and iv.start <= merged[-1].end:
                merged[-1] = slots.Interval(merged[-1].start, max(merged[-1].end, iv.end))
            else:
                merged.append(iv)
        schedules.append(slots.StaffSchedule(sid, weekly=WEEKLY, busy=merged))
    query = slots.SlotQuery(
        duration=timedelta(minutes=minutes),
        granularity=GRID,
        earliest=NOW,
        latest=NOW + timedelta(days=22),
    )
    return slots.search(schedules, query, BERLIN)


def brute_reps(av, duration: int, secret: bytes, period: str, nest_gap: int) -> dict:
    """Rule 2 by definition: per (date, part), the free start of the best (gap, key)."""
    best: dict[tuple[date, int], tuple[tuple[int, bytes], int, int]] = {}
    key = f"start|{period}|" if period else "start|"
    for sid in sorted(av):
        for run in av[sid]:
            first, last = int(run.first.timestamp()), int(run.last.timestamp())
            gap = -min(nest_gap, last + duration - first)
            for start in run:
                local = start.astimezone(BERLIN)
                part = 0 if local.time() < time(12) else 1 if local.time() < time(17) else 2
                x = int(start.timestamp())
                rank = (gap, offers._mac(secret, f"{key}{sid}|{x}"))
                slot = (local.date(), part)
                if start >= NOW and (slot not in best or rank < best[slot][0]):
                    best[slot] = (rank, sid, x)
    return {slot: (sid, x) for slot, (_, sid, x) in best.items()}


@pytest.mark.parametrize("seed", range(4))
def test_remembered_keys_give_the_reps_of_fresh_ones(seed: int) -> None:
    rng = random.Random(seed)
    secret = rng.randbytes(32)
    for minutes in (20, 45, 90):
        av = availability(seed, minutes)
        for period, nest_gap in (("", 0), ("7", 0), ("8", 7200)):
            policy = offers.Policy(nest_gap=timedelta(seconds=nest_gap))
            want = brute_reps(av, minutes * 60, secret, period, nest_gap)
            for _ in range(2):  # the second time from the remembered keys
                got = offers.showcase(
                    av,
                    date(2026, 5, 4),
                    date(2026, 5, 25),
                    duration=timedelta(minutes=minutes),
                    tz=BERLIN,
                    secret=secret,
                    now=NOW,
                    policy=policy,
                    period=period,
                )
                assert {k: (o.staff_id, int(o.start.timestamp())) for k, o in got.items()} == want


def test_keys_are_forgotten_past_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offers, "_STARTS", {})
    monkeypatch.setattr(offers, "_STARTS_KEPT", 1_000)
    av = availability(9, 45)
    for n in range(3):
        offers.showcase(
            av,
            date(2026, 5, 4),
            date(2026, 5, 25),
            duration=timedelta(minutes=45),
            tz=BERLIN,
            secret=b"secret %d" % n,
            now=NOW,
            period="1",
        )
    # every table holds a whole showcase's keys (> 1,000): the older ones were dropped
    assert len(offers._STARTS) == 1
    assert (b"secret 2", "start|1|") in offers._STARTS
