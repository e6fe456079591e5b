"""The hold-walk bench's account of customers kept from a time (issue 19):
``bench/scrape_http.py`` explains each customer the untouched twin served and
the walked salon did not. These cases pin each cause, so the figure quoted for
"the walk's holds never keep a customer past the cool-down" can fail."""

from __future__ import annotations

import sys
from datetime import time, timedelta
from pathlib import Path

import pytest

# appended, not first: nothing installed is shadowed by a bench script's name
sys.path.append(str(Path(__file__).resolve().parents[1] / "bench"))

import scrape_http as sh  # noqa: E402

from hushbook_service.scheduling import offers  # noqa: E402

HOUR = 3600
NOTICE_MIN = 120


@pytest.fixture
def salon():
    """One person working 9:00-11:00 on an open day two days ahead, busy 9-10."""
    day = sh.TODAY + timedelta(days=2)
    while day.weekday() not in sh.scrape.HOURS:
        day += timedelta(days=1)
    a, b = sh.epoch(day, time(9)), sh.epoch(day, time(11))
    plan = sh.Plan({1: [(a, b)]}, [], {(1, c) for c in range(a, a + HOUR, sh.CELL)})
    wish = offers.Wish(day, day, offers.ALL_DAYS, frozenset(), None, None)
    return plan, wish, a + HOUR  # the free hour starts at 10:00


def kept(plan, wish, minutes, at, booked, served=False, twin=True):
    customers = [sh.Customer(minutes, {}, wish)]
    crowd = sh.Crowd(None, {}, customers)
    crowd.asked = [sh.Asked(0, at, served, 200, twin)]
    return sh.kept_from_start(crowd, customers, plan, booked, NOTICE_MIN)


T0 = sh.NOW.timestamp()
FOREVER = T0 + 30 * 86400


def test_every_fitting_time_booked_by_the_walker_is_taken(salon):
    plan, wish, free = salon
    booked = [sh.Booked(1, free, free + HOUR, T0, FOREVER, confirmed_at=T0 + 60)]
    k = kept(plan, wish, 60, T0 + 300 * 60, booked)
    assert (k.taken, k.taken_confirmed, k.taken_age, k.dark) == (1, 1, 300.0, 0)


def test_free_time_in_a_held_half_day_is_dark_within_then_past_the_cool_down(salon):
    plan, wish, free = salon
    confirmed = T0 + 60
    booked = [sh.Booked(1, free, free + 900, T0, FOREVER, confirmed_at=confirmed)]
    within = kept(plan, wish, 15, confirmed + (sh.COOLDOWN_MIN - 1) * 60, booked)
    assert (within.dark, within.dark_past, within.taken) == (1, 0, 0)
    past = kept(plan, wish, 15, confirmed + (sh.COOLDOWN_MIN + 1) * 60, booked)
    assert (past.dark, past.dark_past) == (1, 1)


def test_an_unconfirmed_hold_shields_until_it_expires(salon):
    plan, wish, free = salon
    booked = [sh.Booked(1, free, free + 900, T0, T0 + 30 * 60, confirmed_at=None)]
    assert kept(plan, wish, 15, T0 + 29 * 60, booked).dark_past == 0
    # expired: no longer there, so nothing of the walk's kept the customer
    after = kept(plan, wish, 15, T0 + 31 * 60, booked)
    assert (after.dark, after.other) == (0, 1)


def test_only_customers_the_twin_served_and_the_salon_did_not_count(salon):
    plan, wish, free = salon
    booked = [sh.Booked(1, free, free + HOUR, T0, FOREVER, confirmed_at=T0)]
    assert kept(plan, wish, 60, T0 + 600, booked, served=True) == sh.Kept()
    assert kept(plan, wish, 60, T0 + 600, booked, twin=False) == sh.Kept()


def test_no_fitting_free_time_in_the_book_is_gone(salon):
    plan, wish, _ = salon
    assert kept(plan, wish, 120, T0 + 600, []).gone == 1
