"""GET /v1/schedule: each active team member's working day, as the console shades it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

# A Monday (weekday 0) far enough ahead; 2030-03-31 is Berlin's spring-forward
# Sunday and 2030-10-27 its fall-back Sunday.
MONDAY = date(2030, 6, 3)


def sched(client, headers, first, last=None, **extra):
    query = {"from": str(first), "to": str(last or first), **extra}
    return client.get("/v1/schedule", query_string=query, headers=headers)


def rows_of(client, t, first, last=None):
    r = sched(client, t.owner.headers, first, last)
    assert r.status_code == 200, r.json
    return r.json


def row(rows, staff_id, day):
    (found,) = [r for r in rows if r["staff_id"] == staff_id and r["date"] == str(day)]
    return found


def hm(*pairs):
    return [{"start": s, "end": e} for s, e in pairs]


@pytest.fixture
def salon(client, make_tenant):
    """Two stylists: Ada 09-18 Mon-Fri with lunch 13-14; Ben 10-14 on Mondays."""
    t = make_tenant()
    t.ada, t.ben = t.member("staff", "ada"), t.member("staff", "ben")
    ada_rules = [{"weekday": w, "start": "09:00", "end": "18:00"} for w in range(5)] + [
        {"weekday": w, "kind": "break", "start": "13:00", "end": "14:00"} for w in range(5)
    ]
    for member, rules in (
        (t.ada, ada_rules),
        (t.ben, [{"weekday": 0, "start": "10:00", "end": "14:00"}]),
    ):
        r = client.put(
            f"/v1/staff/{member.staff.id}/working-hours",
            json={"rules": rules},
            headers=t.owner.headers,
        )
        assert r.status_code == 200, r.json
    return t


def test_hours_per_member_and_day_with_breaks_and_exceptions(client, salon):
    ada, ben = salon.ada.staff.id, salon.ben.staff.id
    h = salon.owner.headers
    tuesday, saturday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=5)
    client.post(f"/v1/staff/{ada}/exceptions", json={"date": str(tuesday)}, headers=h)  # off
    client.post(
        f"/v1/staff/{ben}/exceptions",
        json={"date": str(saturday), "start": "11:00", "end": "15:30"},
        headers=h,
    )
    rows = rows_of(client, salon, MONDAY, MONDAY + timedelta(days=6))
    # Every active member (the owner too, who works no hours) for every date,
    # dates first, then members by id.
    owner = salon.owner.staff.id
    expected_order = [
        (str(MONDAY + timedelta(days=i)), s) for i in range(7) for s in sorted([owner, ada, ben])
    ]
    assert [(r["date"], r["staff_id"]) for r in rows] == expected_order
    assert set(rows[0]) == {"staff_id", "date", "hours", "away"}
    assert row(rows, ada, MONDAY)["hours"] == hm(("09:00", "13:00"), ("14:00", "18:00"))
    assert row(rows, ada, tuesday)["hours"] == []  # the day off replaces the week
    assert row(rows, ada, saturday)["hours"] == []
    assert row(rows, ben, MONDAY)["hours"] == hm(("10:00", "14:00"))
    assert row(rows, ben, tuesday)["hours"] == []
    assert row(rows, ben, saturday)["hours"] == hm(("11:00", "15:30"))  # one-off hours
    assert row(rows, owner, MONDAY) == {
        "staff_id": owner,
        "date": str(MONDAY),
        "hours": [],
        "away": [],
    }


def test_time_off_and_closures_are_away_clipped_to_each_day(client, salon):
    ada, ben = salon.ada.staff.id, salon.ben.staff.id
    h = salon.owner.headers
    wed, thu, fri = (MONDAY + timedelta(days=i) for i in (2, 3, 4))
    client.post(
        f"/v1/staff/{ada}/time-off",
        json={"start_at": f"{MONDAY}T10:00:00", "end_at": f"{MONDAY}T12:00:00", "kind": "sick"},
        headers=h,
    )
    client.post(  # across midnight: split between the two days
        f"/v1/staff/{ada}/time-off",
        json={"start_at": f"{wed}T15:00:00", "end_at": f"{thu}T11:30:00", "kind": "vacation"},
        headers=h,
    )
    closed = client.post(
        "/v1/tenant/closures",
        json={"date_from": str(thu), "date_to": str(fri), "label": "Brückentage"},
        headers=h,
    )
    assert closed.status_code == 201, closed.json
    r = sched(client, h, MONDAY, fri)
    assert r.status_code == 200, r.json
    assert "sick" not in r.get_data(as_text=True)  # never why someone is away
    assert "vacation" not in r.get_data(as_text=True)
    rows = r.json

    monday = row(rows, ada, MONDAY)
    # Hours are the plan before time off; time off is listed beside them.
    assert monday["hours"] == hm(("09:00", "13:00"), ("14:00", "18:00"))
    assert monday["away"] == [{"start": "10:00", "end": "12:00", "kind": "time_off", "label": None}]
    assert row(rows, ada, wed)["away"] == [
        {"start": "15:00", "end": "24:00", "kind": "time_off", "label": None}
    ]
    closure = {"start": "00:00", "end": "24:00", "kind": "closure", "label": "Brückentage"}
    assert row(rows, ada, thu)["away"] == [  # by start, then end
        {"start": "00:00", "end": "11:30", "kind": "time_off", "label": None},
        closure,
    ]
    assert row(rows, ada, fri)["away"] == [closure]
    assert row(rows, ada, fri)["hours"] == hm(("09:00", "13:00"), ("14:00", "18:00"))
    for member in (ben, salon.owner.staff.id):  # a closure is everyone's
        assert row(rows, member, thu)["away"] == [closure]
        assert row(rows, member, MONDAY)["away"] == []


def test_inactive_members_are_left_out(client, salon):
    client.post(f"/v1/staff/{salon.ben.staff.id}/deactivate", headers=salon.owner.headers)
    rows = rows_of(client, salon, MONDAY)
    assert salon.ben.staff.id not in {r["staff_id"] for r in rows}
    assert {r["staff_id"] for r in rows} == {salon.owner.staff.id, salon.ada.staff.id}


def test_daylight_saving_days_in_local_wall_time(client, make_tenant):
    t = make_tenant()
    night = t.member("staff", "night")
    spring, autumn = date(2030, 3, 31), date(2030, 10, 27)  # both Sundays
    client.put(
        f"/v1/staff/{night.staff.id}/working-hours",
        json={"rules": [{"weekday": 6, "start": "01:00", "end": "05:00"}]},
        headers=t.owner.headers,
    )
    for d in (spring, autumn):
        client.post(
            "/v1/tenant/closures",
            json={"date_from": str(d), "date_to": str(d)},
            headers=t.owner.headers,
        )
    rows = rows_of(client, t, spring)
    # 02:00-03:00 does not exist that night; the shift is three hours long and
    # still reads 01:00-05:00 on the salon's clock.
    assert row(rows, night.staff.id, spring)["hours"] == hm(("01:00", "05:00"))
    day = {"start": "00:00", "end": "24:00", "kind": "closure", "label": None}
    assert row(rows, night.staff.id, spring)["away"] == [day]
    rows = rows_of(client, t, autumn)
    assert row(rows, night.staff.id, autumn)["hours"] == hm(("01:00", "05:00"))
    assert row(rows, night.staff.id, autumn)["away"] == [day]


def test_wall_times_are_the_salons_not_utc(client, make_tenant):
    t = make_tenant("salon-ny", timezone="America/New_York")
    m = t.member("staff", "nia")
    client.put(
        f"/v1/staff/{m.staff.id}/working-hours",
        json={"rules": [{"weekday": 0, "start": "09:00", "end": "17:00"}]},
        headers=t.owner.headers,
    )
    client.post(
        f"/v1/staff/{m.staff.id}/time-off",
        json={"start_at": f"{MONDAY}T16:00:00Z", "end_at": f"{MONDAY}T18:00:00Z"},
        headers=t.owner.headers,
    )
    got = row(rows_of(client, t, MONDAY), m.staff.id, MONDAY)
    assert got["hours"] == hm(("09:00", "17:00"))
    assert got["away"] == [{"start": "12:00", "end": "14:00", "kind": "time_off", "label": None}]


def test_who_may_read_it(client, salon):
    for role in ("staff", "reception", "accountant", "manager"):
        r = sched(client, salon.member(role).headers, MONDAY)
        assert r.status_code == 200, (role, r.json)
        assert len(r.json) == len({x["staff_id"] for x in r.json})
    key = client.post(
        "/v1/integration-keys",
        json={"name": "no schedules", "scopes": ["services:read"]},
        headers=salon.owner.headers,
    ).json["key"]
    assert sched(client, {"Authorization": f"Bearer {key}"}, MONDAY).status_code == 403
    assert sched(client, {}, MONDAY).status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [
        ({"from": "2030-06-03", "to": "2030-06-02"}, "to"),
        ({"from": "2030-06-01", "to": "2030-07-13"}, "to"),  # 43 days
        ({"from": "2030-06-31", "to": "2030-07-01"}, "from"),
        ({"from": "2030-06-03T00:00:00", "to": "2030-06-04"}, "from"),
        ({"from": "next monday", "to": "2030-06-04"}, "from"),
        ({"from": "2030-06-03"}, "to"),
        ({"to": "2030-06-03"}, "from"),
    ],
)
def test_malformed_ranges_are_refused(client, salon, query, field):
    r = client.get("/v1/schedule", query_string=query, headers=salon.owner.headers)
    assert r.status_code == 422, r.json
    assert field in str(r.json["errors"]), r.json


def test_forty_two_days_at_most(client, salon):
    rows = rows_of(client, salon, MONDAY, MONDAY + timedelta(days=41))
    assert len({r["date"] for r in rows}) == 42


def test_another_salon_is_not_in_it(client, salon, make_tenant):
    other = make_tenant("salon-b")
    stranger = other.member("staff", "stranger")
    client.post(
        "/v1/tenant/closures",
        json={"date_from": str(MONDAY), "date_to": str(MONDAY), "label": "B closed"},
        headers=other.owner.headers,
    )
    r = sched(client, salon.owner.headers, MONDAY)
    assert stranger.staff.id not in {x["staff_id"] for x in r.json}
    assert other.owner.staff.id not in {x["staff_id"] for x in r.json}
    assert all(x["away"] == [] for x in r.json)  # B's closure is B's
