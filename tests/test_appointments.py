"""Appointments through the staff API: booking, buffers, moves, transitions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from support.api import ALL_WEEK, BERLIN, book, local_iso, next_local_day


@pytest.fixture
def salon(client, make_tenant):
    """A tenant with one bookable stylist working 09-18 daily and two services."""
    t = make_tenant()
    stylist = t.member("staff", "stylist")
    client.put(
        f"/v1/staff/{stylist.staff.id}/working-hours",
        json={
            "rules": ALL_WEEK
            + [{"weekday": d, "kind": "break", "start": "13:00", "end": "13:30"} for d in range(7)]
        },
        headers=t.owner.headers,
    )
    cut = client.post(
        "/v1/services",
        json={
            "name": "Cut",
            "duration_min": 45,
            "price_cents": 4500,
            "buffer_after_min": 15,
            "staff_ids": [stylist.staff.id],
        },
        headers=t.owner.headers,
    ).json
    colour = client.post(
        "/v1/services",
        json={"name": "Colour", "duration_min": 120, "staff_ids": [stylist.staff.id]},
        headers=t.owner.headers,
    ).json
    t.stylist, t.cut, t.colour = stylist, cut, colour
    return t


def test_book_phone_client_and_read_back(client, salon):
    day = next_local_day()
    r = book(
        client,
        salon,
        salon.cut,
        local_iso(day, 10),
        client={"profile": {"name": "Frau Müller", "phone": "+49 170 1234567"}},
    )
    assert r.status_code == 201, r.json
    a = r.json
    assert a["status"] == "confirmed" and a["source"] == "phone"
    assert a["price_cents"] == 4500
    start = datetime.fromisoformat(a["start"])
    assert start.astimezone(BERLIN).hour == 10
    assert datetime.fromisoformat(a["end"]) - start == timedelta(minutes=45)
    assert "Müller" not in r.get_data(as_text=True)  # sealed on arrival
    assert salon.open(a["client"]) == {"name": "Frau Müller", "phone": "+49 170 1234567"}
    got = client.get(f"/v1/appointments/{a['id']}", headers=salon.owner.headers)
    assert got.status_code == 200 and got.headers["ETag"]


def test_overlap_and_buffer_give_409(client, salon):
    day = next_local_day()
    assert book(client, salon, salon.cut, local_iso(day, 10)).status_code == 201
    # 10:00-10:45 plus 15 min clean-up: 10:45 is still blocked, 11:00 is free.
    clash = book(client, salon, salon.cut, local_iso(day, 10, 30))
    assert clash.status_code == 409 and clash.json["reason"] == "slot_taken"
    assert book(client, salon, salon.cut, local_iso(day, 10, 45)).status_code == 409
    assert book(client, salon, salon.cut, local_iso(day, 11)).status_code == 201


def test_outside_hours_break_and_time_off(client, salon):
    day = next_local_day()
    r = book(client, salon, salon.cut, local_iso(day, 17, 30))  # would end 18:15
    assert r.status_code == 422 and "start" in r.json["errors"]["json"]
    assert book(client, salon, salon.cut, local_iso(day, 12, 50)).status_code == 422  # lunch
    forced = book(client, salon, salon.cut, local_iso(day, 19), allow_outside_hours=True)
    assert forced.status_code == 201
    off = client.post(
        f"/v1/staff/{salon.stylist.staff.id}/time-off",
        json={
            "start_at": local_iso(day + timedelta(days=1), 0),
            "end_at": local_iso(day + timedelta(days=2), 0),
            "kind": "vacation",
        },
        headers=salon.owner.headers,
    )
    assert off.status_code == 201
    assert book(client, salon, salon.cut, local_iso(day + timedelta(days=1), 10)).status_code == 422


def test_exception_replaces_the_day(client, salon):
    day = next_local_day()
    url = f"/v1/staff/{salon.stylist.staff.id}/exceptions"
    r = client.post(
        url,
        json={"date": day.isoformat(), "start": "14:00", "end": "16:00"},
        headers=salon.owner.headers,
    )
    assert r.status_code == 201
    assert book(client, salon, salon.cut, local_iso(day, 10)).status_code == 422
    assert book(client, salon, salon.cut, local_iso(day, 14)).status_code == 201
    off = client.post(
        url, json={"date": (day + timedelta(days=1)).isoformat()}, headers=salon.owner.headers
    )
    assert off.status_code == 201
    assert book(client, salon, salon.cut, local_iso(day + timedelta(days=1), 10)).status_code == 422
    assert client.delete(f"{url}/{off.json['id']}", headers=salon.owner.headers).status_code == 204
    assert book(client, salon, salon.cut, local_iso(day + timedelta(days=1), 10)).status_code == 201


def test_move_with_etag_and_transitions(client, salon):
    day = next_local_day()
    a = book(client, salon, salon.cut, local_iso(day, 10)).json
    other = book(client, salon, salon.cut, local_iso(day, 15)).json
    url = f"/v1/appointments/{a['id']}"
    etag = client.get(url, headers=salon.owner.headers).headers["ETag"]
    assert (
        client.patch(
            url, json={"start": local_iso(day, 11)}, headers=salon.owner.headers
        ).status_code
        == 428
    )
    onto_other = client.patch(
        url, json={"start": local_iso(day, 15)}, headers={**salon.owner.headers, "If-Match": etag}
    )
    assert onto_other.status_code == 409
    moved = client.patch(
        url, json={"start": local_iso(day, 11)}, headers={**salon.owner.headers, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.json
    assert datetime.fromisoformat(moved.json["start"]).astimezone(BERLIN).hour == 11
    stale = client.patch(
        url, json={"start": local_iso(day, 12)}, headers={**salon.owner.headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    # The old 10:00 time is free again.
    assert book(client, salon, salon.cut, local_iso(day, 10)).status_code == 201

    assert client.post(f"{url}/complete", headers=salon.owner.headers).status_code == 409
    cancel = client.post(f"/v1/appointments/{other['id']}/cancel", headers=salon.owner.headers)
    assert cancel.status_code == 200 and cancel.json["status"] == "cancelled"
    again = client.post(f"/v1/appointments/{other['id']}/cancel", headers=salon.owner.headers)
    assert again.status_code == 409 and again.json["reason"] == "invalid_transition"
    assert book(client, salon, salon.cut, local_iso(day, 15)).status_code == 201


def test_list_filters(client, salon):
    day = next_local_day()
    book(client, salon, salon.cut, local_iso(day, 10))
    book(client, salon, salon.cut, local_iso(day + timedelta(days=1), 10))
    h = salon.owner.headers
    all_ = client.get("/v1/appointments", headers=h)
    assert all_.status_code == 200 and len(all_.json) == 2
    assert "X-Pagination" in all_.headers
    one_day = client.get(
        "/v1/appointments",
        query_string={"from": local_iso(day, 0), "to": local_iso(day, 23, 59)},
        headers=h,
    ).json
    assert len(one_day) == 1
    assert client.get("/v1/appointments", query_string={"staff_id": 999999}, headers=h).json == []
    assert (
        client.get("/v1/appointments", query_string={"status": "bogus"}, headers=h).status_code
        == 422
    )
    paged = client.get("/v1/appointments", query_string={"page_size": 1, "page": 2}, headers=h)
    assert len(paged.json) == 1


def test_staff_not_offering_service_or_inactive(client, salon):
    day = next_local_day()
    other = salon.member("staff", "newbie")
    body = {"service_id": salon.cut["id"], "staff_id": other.staff.id, "start": local_iso(day, 10)}
    r = client.post("/v1/appointments", json=body, headers=salon.owner.headers)
    assert r.status_code == 422 and "staff_id" in r.json["errors"]["json"]
    client.post(f"/v1/staff/{salon.stylist.staff.id}/deactivate", headers=salon.owner.headers)
    assert book(client, salon, salon.cut, local_iso(day, 10)).status_code == 422


def test_dst_gap_start_refused_and_offset_accepted(client, salon):
    gap = "2026-03-29T02:30:00"  # does not exist in Europe/Berlin
    if datetime(2026, 3, 29, tzinfo=BERLIN).date() <= datetime.now(BERLIN).date():
        gap = "2027-03-28T02:30:00"
    r = book(client, salon, salon.cut, gap, allow_outside_hours=True)
    assert r.status_code == 422 and "start" in r.json["errors"]["json"]
    day = next_local_day()
    utc_start = datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN).astimezone(
        ZoneInfo("UTC")
    )
    assert book(client, salon, salon.cut, utc_start.isoformat()).status_code == 201


def test_availability_for_reception(client, salon):
    day = next_local_day()
    book(client, salon, salon.cut, local_iso(day, 10))  # 10:00-10:45 (+15 min clean-up)
    rec = salon.member("reception")
    q = {"service_id": salon.cut["id"], "from": local_iso(day, 0), "to": local_iso(day, 23, 59)}
    r = client.get("/v1/availability", query_string=q, headers=rec.headers)
    assert r.status_code == 200, r.json
    (mine,) = r.json
    assert mine["staff_id"] == salon.stylist.staff.id and mine["step_min"] == 15
    starts = []
    for w in mine["windows"]:
        t = datetime.fromisoformat(w["first"])
        while t <= datetime.fromisoformat(w["last"]):
            starts.append(t.astimezone(BERLIN).strftime("%H:%M"))
            t += timedelta(minutes=15)
    assert len(starts) == mine["count"]
    assert starts[0] == "09:00" and "11:00" in starts
    # Blocked: the booking with buffers, the lunch break, too late to finish by 18:00.
    for taken in ("09:30", "10:00", "10:45", "12:30", "13:00", "17:30"):
        assert taken not in starts
    assert starts[-1] == "17:15"
    # Every start offered can really be booked.
    first_free = datetime.fromisoformat(mine["windows"][0]["first"])
    assert book(client, salon, salon.cut, first_free.isoformat()).status_code == 201
    # Never for roles that do not book, never wider than 92 days (a quarter).
    assert (
        client.get("/v1/availability", query_string=q, headers=salon.stylist.headers).status_code
        == 403
    )
    wide = {**q, "to": local_iso(day + timedelta(days=93), 0)}
    assert client.get("/v1/availability", query_string=wide, headers=rec.headers).status_code == 422


def test_a_clients_history_for_those_who_may_read_clients(client, salon, make_tenant):
    day = next_local_day()
    first = book(
        client, salon, salon.cut, local_iso(day, 10), client={"profile": {"name": "Frau Alt"}}
    ).json
    again = book(
        client,
        salon,
        salon.cut,
        local_iso(day + timedelta(days=1), 10),
        client_id=first["client_id"],
    ).json
    other = book(
        client, salon, salon.cut, local_iso(day, 12), client={"profile": {"name": "Herr Neu"}}
    ).json
    url = f"/v1/appointments?client_id={first['client_id']}"
    reception = salon.member("reception", "desk")
    listed = client.get(url, headers=reception.headers)
    assert listed.status_code == 200, listed.json
    assert [a["id"] for a in listed.json] == [first["id"], again["id"]]
    assert other["id"] not in {a["id"] for a in listed.json}
    # The staff role and accountants may not ask who a client's appointments are.
    assert client.get(url, headers=salon.stylist.headers).status_code == 403
    assert client.get(url, headers=salon.member("accountant").headers).status_code == 403
    # Another salon's owner learns nothing about this client id.
    b = make_tenant("salon-b")
    assert client.get(url, headers=b.owner.headers).json == []
