"""GET /v1/appointments: a weak ETag over the page, so an unchanged poll is a 304."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from support.api import local_iso, make_shop


@pytest.fixture
def shop(client, make_tenant):
    t = make_shop(client, make_tenant)
    t.day = date.today() + timedelta(days=5)
    t.query = {"from": f"{t.day}T00:00:00", "to": f"{t.day + timedelta(days=1)}T00:00:00"}
    return t


def book(http, t, day, hour, stylist=0, **extra):
    body = {
        "service_id": t.cut["id"],
        "staff_id": t.stylists[stylist].staff.id,
        "start": local_iso(day, hour),
        **extra,
    }
    r = http.post("/v1/appointments", json=body, headers=t.owner.headers)
    assert r.status_code == 201, r.json
    return r.json


def listing(client, t, etag=None, headers=None, **query):
    headers = dict(headers or t.owner.headers)
    if etag:
        headers["If-None-Match"] = etag
    return client.get("/v1/appointments", query_string={**t.query, **query}, headers=headers)


def test_unchanged_page_answers_304_without_a_body(client, shop):
    book(client, shop, shop.day, 10, client={"profile": {"name": "Frau Polling"}})
    book(client, shop, shop.day, 12, stylist=1)
    first = listing(client, shop)
    assert first.status_code == 200 and len(first.json) == 2
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and etag.endswith('"')
    assert json.loads(first.headers["X-Pagination"])["total"] == 2

    again = listing(client, shop, etag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    # The same tag sent without W/, or among others, matches too (weak comparison).
    assert listing(client, shop, etag.removeprefix("W/")).status_code == 304
    assert listing(client, shop, f'"nothing", {etag}').status_code == 304
    assert listing(client, shop, '"nothing"').status_code == 200


def test_every_change_on_the_page_changes_the_tag(client, shop):
    a = book(client, shop, shop.day, 10)
    tags = [listing(client, shop).headers["ETag"]]

    def changed():
        r = listing(client, shop, tags[-1])
        assert r.status_code == 200, "a change went unnoticed"
        assert r.headers["ETag"] not in tags
        tags.append(r.headers["ETag"])
        return r.json

    book(client, shop, shop.day, 14)  # a new booking
    assert len(changed()) == 2
    item = f"/v1/appointments/{a['id']}"
    etag = client.get(item, headers=shop.owner.headers).headers["ETag"]
    moved = client.patch(
        item,
        json={"start": local_iso(shop.day, 11)},
        headers={**shop.owner.headers, "If-Match": etag},
    )
    assert moved.status_code == 200, moved.json
    changed()  # a move
    client.post(f"{item}/cancel", headers=shop.owner.headers)
    assert [x["status"] for x in changed()] == ["cancelled", "confirmed"]  # a cancellation
    assert listing(client, shop, tags[-1]).status_code == 304  # and calm again


def test_the_query_and_the_page_are_part_of_the_tag(client, shop):
    for hour in (9, 11, 13):
        book(client, shop, shop.day, hour)
    page1 = listing(client, shop, page_size=2)
    page2 = listing(client, shop, page_size=2, page=2)
    whole = listing(client, shop)
    mine = listing(client, shop, staff_id=shop.stylists[0].staff.id)
    tags = [r.headers["ETag"] for r in (page1, page2, whole, mine)]
    assert len(set(tags)) == 4
    assert listing(client, shop, tags[0], page_size=2, page=2).status_code == 200
    assert listing(client, shop, tags[1], page_size=2, page=2).status_code == 304


def test_a_booking_on_another_page_changes_x_pagination_and_the_tag(client, shop):
    for hour in (9, 11):
        book(client, shop, shop.day, hour)
    first = listing(client, shop, page_size=2)
    book(client, shop, shop.day, 16)  # lands on page 2; page 1's rows are the same
    again = listing(client, shop, first.headers["ETag"], page_size=2)
    assert again.status_code == 200
    assert json.loads(again.headers["X-Pagination"])["total"] == 3


def test_the_clients_figures_and_profile_are_part_of_the_tag(client, shop):
    """The page carries each appointment's client: when that client changes
    (another visit counted) the page changes, though its rows did not."""
    made = book(client, shop, shop.day, 10, client={"profile": {"name": "Stammkundin"}})
    before = listing(client, shop)
    past = date.today() - timedelta(days=2)
    old = book(client, shop, past, 10, client_id=made["client_id"])
    other_day = listing(client, shop, before.headers["ETag"])
    assert other_day.status_code == 304  # booking another day: this page is the same
    assert client.post(f"/v1/appointments/{old['id']}/complete", headers=shop.owner.headers).json
    after = listing(client, shop, before.headers["ETag"])
    assert after.status_code == 200
    assert after.json[0]["client"]["figures"]["visits"] == 1


def test_the_tag_depends_on_what_the_caller_may_see(client, shop):
    book(client, shop, shop.day, 10, client={"profile": {"name": "Frau Geheim"}})
    owner = listing(client, shop)
    accountant = shop.member("accountant")
    seen = listing(client, shop, owner.headers["ETag"], headers=accountant.headers)
    assert seen.status_code == 200 and seen.json[0]["client"] is None
    assert seen.headers["ETag"] != owner.headers["ETag"]
    # A stylist sees her own appointments only: the owner's tag is not hers.
    stylist = shop.stylists[1]
    own = listing(client, shop, owner.headers["ETag"], headers=stylist.headers)
    assert own.status_code == 200 and own.json == []


def test_another_salons_tag_is_not_an_oracle(client, shop, make_tenant):
    other = make_tenant("salon-b")
    book(client, shop, shop.day, 10)
    theirs = listing(client, shop).headers["ETag"]
    mine = listing(client, shop, theirs, headers=other.owner.headers)
    assert mine.status_code == 200 and mine.json == []
    assert mine.headers["ETag"] != theirs
