"""Client book: figures, returning clients, consent, export, erasure, retention."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from hushbook import sealing
from hushbook_service.db import database, utcnow
from hushbook_service.models import Appointment, Client, ClientIndex, Consent, PrivacyNotice
from hushbook_service.privacy import clientbook
from support.api import ALL_WEEK, BERLIN, book, local_iso, next_local_day

PROFILE = {"name": "Greta Grün", "email": "Greta.Gruen@Example.org", "phone": "0170 1234567"}


@pytest.fixture
def salon(client, make_tenant, app):
    t = make_tenant()
    stylist = t.member("staff", "stylist")
    client.put(
        f"/v1/staff/{stylist.staff.id}/working-hours",
        json={"rules": ALL_WEEK},
        headers=t.owner.headers,
    )
    t.stylist = stylist
    t.cut = client.post(
        "/v1/services",
        json={
            "name": "Cut",
            "duration_min": 45,
            "price_cents": 30000,
            "staff_ids": [stylist.staff.id],
        },
        headers=t.owner.headers,
    ).json
    with app.app_context(), database.connection_context():
        PrivacyNotice.create(
            tenant=t.tenant.id, version=1, locale="de", text="Datenschutzhinweis v1"
        )
    return t


def new_client(http, t, **extra):
    r = http.post("/v1/clients", json={"profile": PROFILE, **extra}, headers=t.owner.headers)
    assert r.status_code == 201, r.json
    return r.json


def past_appointment(app, t, client_id, days_ago, price=30000):
    """A visit in the past (the API only books the future)."""
    with app.app_context(), database.connection_context():
        start = utcnow() - timedelta(days=days_ago)
        return Appointment.create(
            tenant=t.tenant.id,
            staff=t.stylist.staff.id,
            service=t.cut["id"],
            client=client_id,
            status="confirmed",
            start_at=start,
            end_at=start + timedelta(minutes=45),
            block_start=start,
            block_end=start + timedelta(minutes=45),
            price_cents=price,
        ).id


def test_figures_follow_visits_and_no_shows(client, app, salon):
    c = new_client(client, salon)
    assert c["figures"]["category"] == "new" and c["figures"]["visits"] == 0
    h = salon.owner.headers
    for days in (30, 20, 10):
        a = past_appointment(app, salon, c["id"], days)
        assert client.post(f"/v1/appointments/{a}/complete", headers=h).status_code == 200
    missed = past_appointment(app, salon, c["id"], 5)
    client.post(f"/v1/appointments/{missed}/no-show", headers=h)
    f = client.get(f"/v1/clients/{c['id']}", headers=h).json["figures"]
    assert f["visits"] == 3 and f["no_shows"] == 1
    assert f["total_spent_cents"] == 90000 and f["average_ticket_cents"] == 30000
    assert f["category"] == "vip"  # 900 € >= the default 500 € threshold
    assert datetime.fromisoformat(f["first_visit"]) < datetime.fromisoformat(f["last_visit"])
    vips = client.get("/v1/clients", query_string={"category": "vip"}, headers=h).json
    assert [x["id"] for x in vips] == [c["id"]]
    assert client.get("/v1/clients", query_string={"min_visits": 4}, headers=h).json == []


def test_returning_client_found_by_contact_not_by_plaintext(client, app, salon):
    c = new_client(client, salon)
    h = salon.owner.headers
    for probe in ({"email": "GRETA.gruen@example.org"}, {"phone": "+49 170 1234567"}):
        found = client.post("/v1/clients/lookup", json=probe, headers=h)
        assert [x["id"] for x in found.json] == [c["id"]], probe
    assert (
        client.post("/v1/clients/lookup", json={"email": "other@example.org"}, headers=h).json == []
    )
    with app.app_context(), database.connection_context():
        stored = [(e.kind, e.digest) for e in ClientIndex.select()]
    assert {k for k, _ in stored} == {"email", "phone"}
    assert all("greta" not in d.lower() and "1234567" not in d for _, d in stored)


def test_index_is_keyed_per_tenant(client, app, salon, make_tenant):
    other = make_tenant("salon-b")
    new_client(client, salon)
    client.post("/v1/clients", json={"profile": PROFILE}, headers=other.owner.headers)
    with app.app_context(), database.connection_context():
        by_tenant = {}
        for e in ClientIndex.select():
            by_tenant.setdefault(e.tenant_id, set()).add(e.digest)
    a, b = by_tenant.values()
    assert not a & b


def test_data_minimal_defaults(client, salon):
    h = salon.owner.headers
    r = client.post(
        "/v1/clients", json={"profile": {"name": "X", "notes": "likes jazz"}}, headers=h
    )
    assert r.status_code == 422 and "profile" in r.json["errors"]["json"]
    etag = client.get("/v1/tenant", headers=h).headers["ETag"]
    ok = client.patch(
        "/v1/tenant",
        json={"profile_fields": ["name", "phone", "notes"]},
        headers={**h, "If-Match": etag},
    )
    assert ok.status_code == 200 and ok.json["profile_fields"] == ["name", "phone", "notes"]
    r = client.post(
        "/v1/clients", json={"profile": {"name": "X", "notes": "likes jazz"}}, headers=h
    )
    assert r.status_code == 201
    etag = ok.headers["ETag"]
    bad = client.patch(
        "/v1/tenant", json={"profile_fields": ["phone"]}, headers={**h, "If-Match": etag}
    )
    assert bad.status_code == 422


def test_consent_is_recorded_and_birthday_month_needs_it(client, app, salon):
    h = salon.owner.headers
    no = client.post("/v1/clients", json={"profile": PROFILE, "birthday_month": 5}, headers=h)
    assert no.status_code == 422 and "birthday_month" in no.json["errors"]["json"]
    unknown = client.post(
        "/v1/clients",
        headers=h,
        json={
            "profile": PROFILE,
            "consent": {"notice_version": 7, "locale": "de", "purposes": ["booking"]},
        },
    )
    assert unknown.status_code == 422
    c = new_client(
        client,
        salon,
        birthday_month=5,
        consent={"notice_version": 1, "locale": "de", "purposes": ["booking", "birthday"]},
    )
    assert c["figures"]["birthday_month"] == 5
    with app.app_context(), database.connection_context():
        (consent,) = Consent.select().where(Consent.client == c["id"])
        assert consent.notice_version == 1 and consent.purposes == "birthday booking"


def test_export_then_erasure(client, app, salon):
    h = salon.owner.headers
    c = new_client(
        client, salon, consent={"notice_version": 1, "locale": "de", "purposes": ["booking"]}
    )
    day = next_local_day()
    booked = book(client, salon, salon.cut, local_iso(day, 10), client_id=c["id"]).json
    past = past_appointment(app, salon, c["id"], 3)
    client.post(f"/v1/appointments/{past}/complete", headers=h)

    export = client.get(f"/v1/clients/{c['id']}/export", headers=h)
    assert export.status_code == 200
    data = export.json
    assert salon.open(data["client"]) == {k: v for k, v in PROFILE.items()}
    assert {a["id"] for a in data["appointments"]} == {booked["id"], past}
    assert data["consents"][0]["purposes"] == ["booking"]
    assert data["figures"]["visits"] == 1
    assert {e["kind"] for e in data["blind_index"]} == {"email", "phone"}
    assert "Greta" not in export.get_data(as_text=True)

    assert client.delete(f"/v1/clients/{c['id']}", headers=h).status_code == 204
    assert client.get(f"/v1/clients/{c['id']}", headers=h).status_code == 404
    assert client.get(f"/v1/clients/{c['id']}/export", headers=h).status_code == 404
    assert client.post("/v1/clients/lookup", json={"email": PROFILE["email"]}, headers=h).json == []
    kept = client.get(f"/v1/appointments/{booked['id']}", headers=h).json
    assert kept["client_id"] is None and kept["client"] is None  # slot kept, anonymous
    with app.app_context(), database.connection_context():
        assert not Client.select().where(Client.id == c["id"]).exists()
        assert not Consent.select().exists() and not ClientIndex.select().exists()
    events = client.get("/v1/audit-events", headers=h).json
    assert {"client.export", "client.erase"} <= {e["action"] for e in events}


def test_swapped_blobs_do_not_open(client, app, salon):
    a = new_client(client, salon)
    b = client.post(
        "/v1/clients", json={"profile": {"name": "Bruno Braun"}}, headers=salon.owner.headers
    ).json
    with app.app_context(), database.connection_context():
        ra, rb = Client.get_by_id(a["id"]), Client.get_by_id(b["id"])
        ra.profile, rb.profile = rb.profile, ra.profile
        ra.save(), rb.save()
    for row in (a, b):
        fetched = client.get(f"/v1/clients/{row['id']}", headers=salon.owner.headers).json
        with pytest.raises(sealing.SealError):
            salon.open(fetched)
    # Swapping fields inside one profile fails too.
    fetched = client.get(f"/v1/clients/{b['id']}", headers=salon.owner.headers).json
    sealed = fetched["sealed_profile"]
    sealed["email"], sealed["name"] = sealed["name"], sealed["email"]
    with pytest.raises(sealing.SealError):
        salon.open(fetched)


def test_retention_erases_inactive_clients_only(client, app, salon):
    old = new_client(client, salon)
    fresh = client.post(
        "/v1/clients", json={"profile": {"name": "Frida Frisch"}}, headers=salon.owner.headers
    ).json
    waiting = client.post(
        "/v1/clients", json={"profile": {"name": "Wanda Wartet"}}, headers=salon.owner.headers
    ).json
    book(client, salon, salon.cut, local_iso(next_local_day(), 11), client_id=waiting["id"])
    with app.app_context(), database.connection_context():
        long_ago = utcnow() - timedelta(days=30 * 25)
        Client.update(last_activity_at=long_ago).where(
            Client.id.in_([old["id"], waiting["id"]])
        ).execute()
        assert clientbook.purge_inactive() == 1
        left = {c.id for c in Client.select()}
    assert left == {fresh["id"], waiting["id"]}  # an upcoming appointment keeps a client
    events = client.get(
        "/v1/audit-events", query_string={"action": "client.erase"}, headers=salon.owner.headers
    ).json
    assert events[0]["details"] == {"reason": "retention"} and events[0]["actor_kind"] == "system"
    assert json.dumps(events).count("Greta") == 0
    assert BERLIN  # the shared helpers are in Europe/Berlin


def test_privacy_notices_are_versioned_per_language(client, salon):
    h = salon.owner.headers
    text = "Wir verarbeiten Ihre Daten nur für die Terminbuchung. " * 2
    r = client.post("/v1/tenant/privacy-notices", json={"locale": "de", "text": text}, headers=h)
    assert r.status_code == 201 and r.json["version"] == 2  # v1 comes from the fixture
    r = client.post(
        "/v1/tenant/privacy-notices",
        json={"locale": "en", "text": "We only use your data to book. " * 2},
        headers=h,
    )
    assert r.json["version"] == 1
    listed = client.get("/v1/tenant/privacy-notices", headers=h).json
    assert [(n["version"], n["locale"]) for n in listed] == [(1, "de"), (1, "en"), (2, "de")]
    staff = salon.stylist.headers
    assert (
        client.post(
            "/v1/tenant/privacy-notices", json={"locale": "de", "text": text}, headers=staff
        ).status_code
        == 403
    )


def test_national_numbers_follow_the_salons_country(client, salon):
    h = salon.owner.headers
    etag = client.get("/v1/tenant", headers=h).headers["ETag"]
    r = client.patch(
        "/v1/tenant", json={"phone_country_code": "43"}, headers={**h, "If-Match": etag}
    )
    assert r.status_code == 200 and r.json["phone_country_code"] == "43"
    made = client.post(
        "/v1/clients", json={"profile": {"name": "Anna Wien", "phone": "0664 1234567"}}, headers=h
    ).json
    found = client.post("/v1/clients/lookup", json={"phone": "+43 664 1234567"}, headers=h).json
    assert [c["id"] for c in found] == [made["id"]]
    assert (
        client.post("/v1/clients/lookup", json={"phone": "+49 664 1234567"}, headers=h).json == []
    )
