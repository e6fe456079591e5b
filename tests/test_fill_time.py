"""The fill-time rule (``too_fast``) counts from the visitor's first interaction
with the widget — the start of their session — not from the details screen:
a browser's autofill fills the form in a blink, a person's whole visit takes
longer; a script that starts a session and books at once is still refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from support.api import Visitor, make_shop, patch_tenant

MIN_FILL = 6


@pytest.fixture
def shop(client, make_tenant):
    t = make_shop(client, make_tenant)
    patch_tenant(client, t, {"stealth_settings": {"min_fill_seconds": MIN_FILL}})
    return t


@pytest.fixture
def clock(monkeypatch, tmp_path):
    path = tmp_path / "clock"
    monkeypatch.setenv("HUSHBOOK_CLOCK_FILE", str(path))
    now = [datetime.now().astimezone().replace(microsecond=0)]

    def at(seconds: float) -> None:
        path.write_text((now[0] + timedelta(seconds=seconds)).isoformat())

    at(0)
    return at


def test_autofill_right_after_the_offers_is_a_person(client, shop, clock):
    """Session at the first interaction; the visitor reads and chooses for a while,
    then the browser fills the form and they book within a second of the offers."""
    v = Visitor(client, shop.tenant.slug)
    v.challenge()  # the first interaction: the session starts
    clock(MIN_FILL + 4)  # choosing service and days
    offer = v.ask(shop.cut["id"]).json["offers"][0]
    res = v.book(offer["token"])  # autofill: booked in the same second as the offers
    assert res.status_code == 202, res.json


def test_a_script_that_books_at_once_is_refused(client, app, shop, clock):
    v = Visitor(client, shop.tenant.slug)
    offer = v.ask(shop.cut["id"]).json["offers"][0]  # a session, an ask, a booking: at once
    res = v.book(offer["token"])
    assert res.status_code == 422 and res.json["reason"] == "too_fast", res.json
    assert int(res.headers["Retry-After"]) > 0
    clock(MIN_FILL - 1)  # a little later, still faster than a person
    res = v.book(v.ask(shop.cut["id"]).json["offers"][1]["token"])
    assert res.status_code == 422 and res.json["reason"] == "too_fast", res.json


def test_a_fresh_session_cannot_borrow_an_old_one(client, shop, clock):
    """The session's start is signed into its token: a new session is new, whatever
    the offers say; the old session's offers are bound to the old session."""
    old = Visitor(client, shop.tenant.slug)
    old.challenge()
    clock(MIN_FILL + 4)
    offer = old.ask(shop.cut["id"]).json["offers"][0]
    fresh = Visitor(client, shop.tenant.slug)
    fresh.challenge()
    body = fresh.booking_body(offer["token"])  # someone else's offer: refused as such
    res = fresh.send_booking(body)
    assert res.status_code == 422, res.json
    res = fresh.book(fresh.ask(shop.cut["id"]).json["offers"][0]["token"])
    assert res.status_code == 422 and res.json["reason"] == "too_fast", res.json
