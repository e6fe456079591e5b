"""Salon-wide closures: one action closes the whole salon on whole local days.

The API (create, list, read, delete, audit, validation, roles, other tenants)
and its effect everywhere time is handed out: staff-side free times, staff
bookings and moves, and the public offers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hushbook_service.scheduling.slots import day_start
from support.api import BERLIN, Visitor, local_iso, make_shop, patch_tenant

OPEN = {"asks_per_session_hour": 1000, "asks_per_ip_day": 1000, "asks_per_subnet_day": 1000}


def close(client, t, first, last, label=None, headers=None):
    body = {"date_from": str(first), "date_to": str(last)}
    if label is not None:
        body["label"] = label
    return client.post("/v1/tenant/closures", json=body, headers=headers or t.owner.headers)


def free_starts(client, t, service, first, last):
    """Free starts per team member between local dates ``first`` and ``last`` (inclusive)."""
    r = client.get(
        "/v1/availability",
        query_string={
            "service_id": service["id"],
            "from": f"{first}T00:00:00",
            "to": f"{last}T23:59:00",
        },
        headers=t.owner.headers,
    )
    assert r.status_code == 200, r.json
    return r.json


def local_dates(found, tz=BERLIN) -> set[date]:
    """Every local date on which some window of ``found`` has a free start."""
    days = set()
    for member in found:
        step = timedelta(minutes=member["step_min"])
        for w in member["windows"]:
            at = datetime.fromisoformat(w["first"])
            while at <= datetime.fromisoformat(w["last"]):
                days.add(at.astimezone(tz).date())
                at += step
    return days


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant, **OPEN)


# --- the API -------------------------------------------------------------------------


def test_create_list_read_delete_and_audit(client, shop):
    d = date.today() + timedelta(days=30)
    made = close(client, shop, d, d + timedelta(days=2), "  Betriebsferien  ")
    assert made.status_code == 201, made.json
    assert set(made.json) == {"id", "date_from", "date_to", "label", "created_at"}
    assert made.json["date_from"] == str(d) and made.json["date_to"] == str(d + timedelta(2))
    assert made.json["label"] == "Betriebsferien"  # trimmed
    earlier = close(client, shop, d - timedelta(days=10), d - timedelta(days=10)).json
    assert earlier["label"] is None
    blank = close(client, shop, d + timedelta(days=40), d + timedelta(days=40), "   ").json
    assert blank["label"] is None  # an empty label is no label

    listed = client.get("/v1/tenant/closures", headers=shop.owner.headers).json
    assert [c["id"] for c in listed] == [earlier["id"], made.json["id"], blank["id"]]
    one = client.get(f"/v1/tenant/closures/{made.json['id']}", headers=shop.owner.headers)
    assert one.status_code == 200 and one.json == made.json

    # from/to select the closures touching that range of days.
    def ids(**q):
        r = client.get("/v1/tenant/closures", query_string=q, headers=shop.owner.headers)
        assert r.status_code == 200, r.json
        return [c["id"] for c in r.json]

    assert ids(**{"from": str(d + timedelta(days=2))}) == [made.json["id"], blank["id"]]
    assert ids(**{"from": str(d + timedelta(days=3))}) == [blank["id"]]
    assert ids(to=str(d)) == [earlier["id"], made.json["id"]]
    assert ids(to=str(d - timedelta(days=1))) == [earlier["id"]]
    assert ids(**{"from": str(d + timedelta(days=1)), "to": str(d + timedelta(days=1))}) == [
        made.json["id"]
    ]

    gone = client.delete(f"/v1/tenant/closures/{made.json['id']}", headers=shop.owner.headers)
    assert gone.status_code == 204 and gone.data == b""
    assert client.get(
        f"/v1/tenant/closures/{made.json['id']}", headers=shop.owner.headers
    ).status_code == (404)
    again = client.delete(f"/v1/tenant/closures/{made.json['id']}", headers=shop.owner.headers)
    assert again.status_code == 404

    events = client.get(
        "/v1/audit-events", query_string={"page_size": 100}, headers=shop.owner.headers
    ).json
    ours = [(e["action"], e["target_id"]) for e in events if e["action"].startswith("closure.")]
    assert ("closure.create", made.json["id"]) in ours
    assert ("closure.delete", made.json["id"]) in ours
    created = next(e for e in events if e["action"] == "closure.create")
    assert "label" not in created["details"]  # free text stays out of the trail


@pytest.mark.parametrize(
    "body, field",
    [
        ({"date_from": "2030-06-10", "date_to": "2030-06-09"}, "date_to"),
        ({"date_from": "2030-01-01", "date_to": "2031-01-02"}, "date_to"),  # 367 days
        ({"date_from": "2030-13-01", "date_to": "2030-13-02"}, "date_from"),
        ({"date_from": "tomorrow", "date_to": "2030-06-01"}, "date_from"),
        ({"date_from": "2030-06-01T00:00:00", "date_to": "2030-06-01"}, "date_from"),
        ({"date_from": 20300601, "date_to": "2030-06-01"}, "date_from"),
        ({"date_from": "2030-06-01"}, "date_to"),
        ({"date_from": "2030-06-01", "date_to": "2030-06-01", "label": "x" * 101}, "label"),
        ({"date_from": "2030-06-01", "date_to": "2030-06-01", "label": "a\x00b"}, "label"),
        ({"date_from": "2030-06-01", "date_to": "2030-06-01", "staff_id": 1}, "staff_id"),
    ],
)
def test_malformed_closures_are_refused(client, make_tenant, body, field):
    t = make_tenant()
    r = client.post("/v1/tenant/closures", json=body, headers=t.owner.headers)
    assert r.status_code == 422, r.json
    assert field in r.json["errors"]["json"], r.json
    assert client.get("/v1/tenant/closures", headers=t.owner.headers).json == []


def test_a_leap_year_is_the_longest_closure(client, make_tenant):
    t = make_tenant()
    r = close(client, t, date(2032, 1, 1), date(2032, 12, 31))  # 366 days
    assert r.status_code == 201, r.json
    assert close(client, t, date(2030, 1, 1), date(2031, 1, 1)).status_code == 201  # 366 too


@pytest.mark.parametrize("query", [{"from": "2030-02-30"}, {"to": "soon"}, {"from": "1"}])
def test_malformed_list_filters_are_refused(client, make_tenant, query):
    t = make_tenant()
    r = client.get("/v1/tenant/closures", query_string=query, headers=t.owner.headers)
    assert r.status_code == 422, r.json


def test_roles_staff_reads_but_cannot_write(client, make_tenant):
    t = make_tenant()
    d = date.today() + timedelta(days=20)
    made = close(client, t, d, d).json
    for role in ("staff", "reception", "accountant"):
        m = t.member(role)
        assert client.get("/v1/tenant/closures", headers=m.headers).json == [made]
        refused = close(client, t, d, d, headers=m.headers)
        assert refused.status_code == 403, (role, refused.json)
        gone = client.delete(f"/v1/tenant/closures/{made['id']}", headers=m.headers)
        assert gone.status_code == 403, role
    manager = t.member("manager")
    assert close(client, t, d, d, headers=manager.headers).status_code == 201
    assert (
        client.delete(f"/v1/tenant/closures/{made['id']}", headers=manager.headers).status_code
        == 204
    )
    key = client.post(
        "/v1/integration-keys",
        json={"name": "reader", "scopes": ["schedules:read"]},
        headers=t.owner.headers,
    ).json["key"]
    as_key = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/tenant/closures", headers=as_key).status_code == 200
    assert close(client, t, d, d, headers=as_key).status_code == 403
    assert client.get("/v1/tenant/closures").status_code == 401


def test_another_salons_closures_are_out_of_reach(client, make_tenant):
    a, b = make_tenant("salon-a"), make_tenant("salon-b")
    d = date.today() + timedelta(days=15)
    theirs = close(client, b, d, d, "B only").json
    missing = 987_654_321
    for method in ("get", "delete"):
        probe = getattr(client, method)(
            f"/v1/tenant/closures/{theirs['id']}", headers=a.owner.headers
        )
        ghost = getattr(client, method)(f"/v1/tenant/closures/{missing}", headers=a.owner.headers)
        assert probe.status_code == 404, (method, probe.json)
        assert (probe.status_code, probe.json) == (ghost.status_code, ghost.json)
    assert client.get("/v1/tenant/closures", headers=a.owner.headers).json == []
    assert client.get("/v1/tenant/closures", headers=b.owner.headers).json == [theirs]
    assert client.get("/v1/tenant/closures/abc", headers=a.owner.headers).status_code == 404


# --- the effect on time handed out ------------------------------------------------------


def test_free_times_skip_closed_days_for_everyone(client, shop):
    d = date.today() + timedelta(days=5)
    before = local_dates(free_starts(client, shop, shop.cut, d - timedelta(1), d + timedelta(2)))
    assert {d - timedelta(1), d, d + timedelta(1), d + timedelta(2)} <= before
    made = close(client, shop, d, d + timedelta(days=1), "Inventur").json
    found = free_starts(client, shop, shop.cut, d - timedelta(1), d + timedelta(2))
    assert len(found) == 2  # both stylists still listed, neither free on the closed days
    assert local_dates(found) == {d - timedelta(1), d + timedelta(2)}
    only_closed = free_starts(client, shop, shop.cut, d, d + timedelta(days=1))
    assert [m["count"] for m in only_closed] == [0, 0]
    client.delete(f"/v1/tenant/closures/{made['id']}", headers=shop.owner.headers)
    after = local_dates(free_starts(client, shop, shop.cut, d - timedelta(1), d + timedelta(2)))
    assert after == before


def test_staff_bookings_and_moves_respect_closures_like_time_off(client, shop):
    d = date.today() + timedelta(days=6)
    stylist = shop.stylists[0].staff.id
    body = {"service_id": shop.cut["id"], "staff_id": stylist, "start": local_iso(d, 10)}
    close(client, shop, d, d)
    refused = client.post("/v1/appointments", json=body, headers=shop.owner.headers)
    assert refused.status_code == 422, refused.json
    assert "start" in refused.json["errors"]["json"]
    # The same override as for time off: the salon decides to open for one client.
    forced = client.post(
        "/v1/appointments", json={**body, "allow_outside_hours": True}, headers=shop.owner.headers
    )
    assert forced.status_code == 201, forced.json

    elsewhere = client.post(
        "/v1/appointments",
        json={**body, "start": local_iso(d + timedelta(days=1), 10)},
        headers=shop.owner.headers,
    ).json
    item = f"/v1/appointments/{elsewhere['id']}"
    etag = client.get(item, headers=shop.owner.headers).headers["ETag"]
    moved = client.patch(
        item, json={"start": local_iso(d, 11)}, headers={**shop.owner.headers, "If-Match": etag}
    )
    assert moved.status_code == 422 and "start" in moved.json["errors"]["json"], moved.json
    fine = client.patch(
        item,
        json={"start": local_iso(d + timedelta(days=1), 11)},
        headers={**shop.owner.headers, "If-Match": etag},
    )
    assert fine.status_code == 200, fine.json


def test_public_offers_never_fall_on_a_closed_day(client, shop):
    patch_tenant(client, shop, {"stealth_mode": False})  # earliest offers, no puzzle
    first = date.today() + timedelta(days=4)
    wish = {"date_from": first, "date_to": first + timedelta(days=2)}

    def offered_days():
        r = Visitor(client, shop.tenant.slug).ask(
            shop.cut["id"], wish["date_from"], wish["date_to"]
        )
        assert r.status_code == 200, r.json
        return {
            datetime.fromisoformat(o["start"]).astimezone(BERLIN).date() for o in r.json["offers"]
        }

    assert first in offered_days()  # the earliest offers lie on the first day
    close(client, shop, first, first + timedelta(days=1), "Feiertag")
    days = offered_days()
    assert days and not days & {first, first + timedelta(days=1)}


def test_closures_are_whole_local_days_in_the_salons_zone(client, make_tenant):
    """Auckland is 11-13 h ahead of UTC: a closed local day is not a UTC day."""
    zone = ZoneInfo("Pacific/Auckland")
    t = make_tenant("salon-nz", timezone="Pacific/Auckland")
    stylist = t.member("staff", "kiri")
    all_day = [{"weekday": w, "start": "00:00", "end": "23:59"} for w in range(7)]
    client.put(
        f"/v1/staff/{stylist.staff.id}/working-hours",
        json={"rules": all_day},
        headers=t.owner.headers,
    )
    cut = client.post(
        "/v1/services",
        json={"name": "Cut", "duration_min": 45, "staff_ids": [stylist.staff.id]},
        headers=t.owner.headers,
    ).json
    d = datetime.now(zone).date() + timedelta(days=5)
    close(client, t, d, d)
    found = free_starts(client, t, cut, d - timedelta(days=1), d + timedelta(days=1))
    (member,) = found
    windows = [
        (datetime.fromisoformat(w["first"]), datetime.fromisoformat(w["last"]))
        for w in member["windows"]
    ]
    assert len(windows) == 2
    # The day before ends with a start at 23:00 local (23:45 <= 23:59); the day
    # after begins at 00:00 local: nothing in between.
    assert windows[0][1] == datetime.combine(d - timedelta(days=1), datetime.min.time()).replace(
        hour=23, tzinfo=zone
    )
    assert windows[1][0] == day_start(d + timedelta(days=1), zone)
    assert local_dates(found, zone) == {d - timedelta(days=1), d + timedelta(days=1)}


def test_a_day_whose_midnight_is_skipped_begins_after_the_gap():
    """Chile moves its clocks at midnight: 2026-09-06 begins at 01:00 local."""
    santiago = ZoneInfo("America/Santiago")
    begins = day_start(date(2026, 9, 6), santiago)
    assert begins.isoformat() == "2026-09-06T04:00:00+00:00"
    assert begins.astimezone(santiago).isoformat() == "2026-09-06T01:00:00-03:00"
    # The day before still lasts until then (its midnight is the gap's start).
    assert day_start(date(2026, 9, 5), santiago).isoformat() == "2026-09-05T04:00:00+00:00"
    berlin = day_start(date(2030, 3, 31), BERLIN), day_start(date(2030, 4, 1), BERLIN)
    assert berlin[1] - berlin[0] == timedelta(hours=23)  # spring forward: a short day
