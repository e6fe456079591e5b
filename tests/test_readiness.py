"""GET /v1/tenant/readiness: what is missing before customers can book online,
checked against what the public catalog (and so the widget) really offers."""

from __future__ import annotations

from datetime import date, timedelta

from hushbook_service.db import database
from hushbook_service.models import Staff, Tenant
from support.api import ALL_WEEK, make_shop, patch_tenant
from support.tenants import setup_vault

IDS = ["vault", "service", "bookable_person", "hours", "privacy_notice", "stealth"]
NOTICE = {"locale": "de", "text": "Wir verarbeiten Ihre Daten nur für den Termin."}


def readiness(client, t, headers=None):
    r = client.get("/v1/tenant/readiness", headers=headers or t.owner.headers)
    assert r.status_code == 200, r.json
    return r.json


def state(answer) -> dict[str, bool]:
    return {c["id"]: c["ok"] for c in answer["checks"]}


def widget_says_unavailable(catalog) -> bool:
    """The widget's own test (plugins/widget/src/widget.js)."""
    return not (catalog["services"] and catalog["public_key"] and catalog["privacy_notices"])


def agrees_with_the_catalog(client, t, answer) -> None:
    catalog = client.get(f"/v1/public/{t.tenant.slug}/catalog").json
    ok = state(answer)
    assert ok["vault"] == bool(catalog["public_key"])
    assert ok["bookable_person"] == bool(catalog["services"])
    assert ok["privacy_notice"] == bool(catalog["privacy_notices"])
    if ok["bookable_person"]:
        assert ok["service"]
    blocking = {c["id"] for c in answer["checks"] if c["blocking"]}
    named = {k for k in blocking if not ok[k]} - {"hours"}
    assert widget_says_unavailable(catalog) == bool(named)


def test_a_salon_set_up_step_by_step(client, make_tenant):
    t = make_tenant(vault=False)
    h = t.owner.headers

    def check(**expected):
        answer = readiness(client, t)
        assert [c["id"] for c in answer["checks"]] == IDS
        assert {c["id"]: c["blocking"] for c in answer["checks"]} == {
            i: i != "stealth" for i in IDS
        }
        assert state(answer) == {i: expected.get(i, False) for i in IDS}, answer
        assert answer["bookable_online"] == all(expected.get(i, False) for i in IDS[:5])
        agrees_with_the_catalog(client, t, answer)
        return answer

    check(stealth=True)  # a new business: stealth mode is on by default
    # A service only the owner (not bookable) performs: a service, nobody to book.
    cut = client.post(
        "/v1/services",
        json={"name": "Cut", "duration_min": 30, "staff_ids": [t.owner.staff.id]},
        headers=h,
    ).json
    check(service=True, stealth=True)
    # A bookable stylist for it, still without hours.
    stylist = t.member("staff", "stylist")
    etag = client.get(f"/v1/services/{cut['id']}", headers=h).headers["ETag"]
    r = client.patch(
        f"/v1/services/{cut['id']}",
        json={"staff_ids": [t.owner.staff.id, stylist.staff.id]},
        headers={**h, "If-Match": etag},
    )
    assert r.status_code == 200, r.json
    check(service=True, bookable_person=True, stealth=True)
    client.put(f"/v1/staff/{stylist.staff.id}/working-hours", json={"rules": ALL_WEEK}, headers=h)
    check(service=True, bookable_person=True, hours=True, stealth=True)
    client.post("/v1/tenant/privacy-notices", json=NOTICE, headers=h)
    check(service=True, bookable_person=True, hours=True, privacy_notice=True, stealth=True)
    # The business key: the last thing missing.
    with t.app.app_context(), database.connection_context():
        setup_vault(Tenant.get_by_id(t.tenant.id), Staff.get_by_id(t.owner.staff.id))
    ready = check(**{i: True for i in IDS})
    assert ready["bookable_online"] is True
    # Stealth mode off is a recommendation, not a blocker.
    patch_tenant(client, t, {"stealth_mode": False})
    off = check(**{i: True for i in IDS[:5]})
    assert off["bookable_online"] is True


def test_only_bookable_active_people_with_active_services_count(client, make_tenant):
    t = make_tenant()
    h = t.owner.headers
    client.post("/v1/tenant/privacy-notices", json=NOTICE, headers=h)
    stylist = t.member("staff", "stylist")
    client.put(f"/v1/staff/{stylist.staff.id}/working-hours", json={"rules": ALL_WEEK}, headers=h)
    cut = client.post(
        "/v1/services",
        json={"name": "Cut", "duration_min": 30, "staff_ids": [stylist.staff.id]},
        headers=h,
    ).json
    assert readiness(client, t)["bookable_online"] is True

    # Not bookable any more: somebody still performs it, nobody can be booked.
    etag = client.get(f"/v1/staff/{stylist.staff.id}", headers=h).headers["ETag"]
    client.patch(
        f"/v1/staff/{stylist.staff.id}",
        json={"bookable": False},
        headers={**h, "If-Match": etag},
    )
    answer = readiness(client, t)
    assert state(answer)["service"] and not state(answer)["bookable_person"]
    assert not state(answer)["hours"]  # hours of someone who cannot be booked do not count
    assert answer["bookable_online"] is False
    agrees_with_the_catalog(client, t, answer)

    etag = client.get(f"/v1/staff/{stylist.staff.id}", headers=h).headers["ETag"]
    client.patch(
        f"/v1/staff/{stylist.staff.id}", json={"bookable": True}, headers={**h, "If-Match": etag}
    )
    assert readiness(client, t)["bookable_online"] is True
    # The service archived: nothing to offer at all.
    client.delete(f"/v1/services/{cut['id']}", headers=h)
    answer = readiness(client, t)
    assert not state(answer)["service"] and not state(answer)["bookable_person"]
    agrees_with_the_catalog(client, t, answer)


def test_a_deactivated_stylist_is_nobody_to_book(client, make_tenant):
    t = make_tenant()
    h = t.owner.headers
    client.post("/v1/tenant/privacy-notices", json=NOTICE, headers=h)
    stylist = t.member("staff", "stylist")
    client.put(f"/v1/staff/{stylist.staff.id}/working-hours", json={"rules": ALL_WEEK}, headers=h)
    client.post(
        "/v1/services",
        json={"name": "Cut", "duration_min": 30, "staff_ids": [stylist.staff.id]},
        headers=h,
    )
    assert readiness(client, t)["bookable_online"] is True
    client.post(f"/v1/staff/{stylist.staff.id}/deactivate", headers=h)
    answer = readiness(client, t)
    assert state(answer) == {
        "vault": True,
        "service": False,
        "bookable_person": False,
        "hours": False,
        "privacy_notice": True,
        "stealth": True,
    }
    agrees_with_the_catalog(client, t, answer)


def test_one_off_hours_count_as_hours(client, make_tenant):
    t = make_tenant()
    h = t.owner.headers
    stylist = t.member("staff", "stylist")
    client.post(
        "/v1/services",
        json={"name": "Cut", "duration_min": 30, "staff_ids": [stylist.staff.id]},
        headers=h,
    )
    assert not state(readiness(client, t))["hours"]
    soon = date.today() + timedelta(days=3)
    client.post(
        f"/v1/staff/{stylist.staff.id}/exceptions", json={"date": str(soon)}, headers=h
    )  # a day off is no hours
    assert not state(readiness(client, t))["hours"]
    client.post(
        f"/v1/staff/{stylist.staff.id}/exceptions",
        json={"date": str(soon + timedelta(days=1)), "start": "10:00", "end": "14:00"},
        headers=h,
    )
    assert state(readiness(client, t))["hours"]


def test_who_may_read_it(client, make_tenant):
    t = make_tenant()
    for role in ("staff", "reception", "accountant", "manager"):
        assert readiness(client, t, t.member(role).headers)["checks"]
    forwarding = client.post(
        "/v1/integration-keys",
        json={"name": "wordpress", "scopes": ["public:forward"]},
        headers=t.owner.headers,
    ).json["key"]
    r = client.get("/v1/tenant/readiness", headers={"Authorization": f"Bearer {forwarding}"})
    assert r.status_code == 403
    assert client.get("/v1/tenant/readiness").status_code == 401


def test_another_salons_setup_does_not_count(client, make_tenant):
    make_shop(client, make_tenant, "salon-b")  # fully bookable
    empty = make_tenant("salon-a", vault=False)
    assert readiness(client, empty)["bookable_online"] is False
    assert state(readiness(client, empty)) == {i: i == "stealth" for i in IDS}
