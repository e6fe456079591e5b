"""The public booking flow (stealth layer, issue 4): offers, never a calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hushbook_service import stealth
from hushbook_service.db import database

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
CONSENT = {"notice_version": 1, "locale": "de", "purposes": ["booking", "reminders"]}
FAST = {"pow_base_bits": 8, "min_fill_seconds": 0}  # tests solve puzzles quickly


def day(offset: int = 3) -> date:
    return datetime.now(BERLIN).date() + timedelta(days=offset)


def patch_tenant(http, t, body):
    etag = http.get("/v1/tenant", headers=t.owner.headers).headers["ETag"]
    res = http.patch("/v1/tenant", json=body, headers={**t.owner.headers, "If-Match": etag})
    assert res.status_code == 200, res.json
    return res.json


def make_shop(http, make_tenant, slug="salon-a", **settings):
    """A tenant with two bookable stylists (09-18 daily), one service, a notice."""
    t = make_tenant(slug)
    stylists = [t.member("staff", f"stylist{i}") for i in range(2)]
    for s in stylists:
        res = http.put(
            f"/v1/staff/{s.staff.id}/working-hours",
            json={"rules": WEEK},
            headers=t.owner.headers,
        )
        assert res.status_code == 200, res.json
    t.cut = http.post(
        "/v1/services",
        json={
            "name": "Cut",
            "duration_min": 45,
            "price_cents": 4500,
            "staff_ids": [s.staff.id for s in stylists],
        },
        headers=t.owner.headers,
    ).json
    http.post(
        "/v1/tenant/privacy-notices",
        json={"locale": "de", "text": "Wir verarbeiten Ihre Daten nur für den Termin."},
        headers=t.owner.headers,
    )
    patch_tenant(http, t, {"stealth_settings": {**FAST, **settings}})
    t.stylists = stylists
    return t


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


class Visitor:
    """What the widget does: a session, a solved puzzle per ask."""

    def __init__(self, http, slug, headers=None):
        self.http, self.slug, self.headers = http, slug, headers or {}
        self.session = None

    def challenge(self):
        body = {"session": self.session} if self.session else {}
        res = self.http.post(f"/v1/public/{self.slug}/challenge", json=body, headers=self.headers)
        assert res.status_code == 200, res.json
        self.session = res.json["session"]
        return res.json

    def pow(self):
        ch = self.challenge()
        if not ch["required"]:
            return None
        return {
            "challenge": ch["challenge"],
            "nonce": stealth.solve(ch["challenge_id"], ch["bits"]),
        }

    def ask(self, service_id, first=None, last=None, **wish):
        first = first or day(3)
        body = {
            "service_id": service_id,
            "date_from": first.isoformat(),
            "date_to": (last or first + timedelta(days=6)).isoformat(),
            **wish,
        }
        proof = self.pow()
        body["session"] = self.session
        if proof:
            body["pow"] = proof
        return self.http.post(f"/v1/public/{self.slug}/offers", json=body, headers=self.headers)

    def book(self, offer_token, contact=None, **extra):
        proof = self.pow()
        body = {
            "session": self.session,
            "offer": offer_token,
            "profile": {"name": "Erika Mustermann"},
            "contact": contact or {"email": "erika@example.org"},
            "consent": CONSENT,
            **extra,
        }
        if proof:
            body["pow"] = proof
        return self.http.post(f"/v1/public/{self.slug}/bookings", json=body, headers=self.headers)


def confirm_code(app, booking_ref):
    from hushbook_service import public
    from hushbook_service.models import Appointment

    with app.app_context(), database.connection_context():
        claims = app.extensions["hushbook_keys"].verify("booking", booking_ref)
        return public.confirmation_code(Appointment.get_by_id(int(claims["sub"])))


def test_happy_path_offers_book_confirm_manage(client, app, shop):
    v = Visitor(client, "salon-a")
    catalog = client.get("/v1/public/salon-a/catalog").json
    assert [s["name"] for s in catalog["services"]] == ["Cut"]
    assert "staff" not in catalog and "staff_ids" not in catalog["services"][0]
    res = v.ask(shop.cut["id"])
    assert res.status_code == 200, res.json
    offers = res.json["offers"]
    assert 1 <= len(offers) <= 3
    assert all("staff" not in o for o in offers)  # names hidden by default
    booked = v.book(offers[0]["token"])
    assert booked.status_code == 202, booked.json
    assert booked.json["status"] == "pending"
    appts = client.get("/v1/appointments", headers=shop.owner.headers).json
    assert [a["status"] for a in appts] == ["pending"]
    assert appts[0]["source"] == "online"
    # the customer's details are sealed: readable with the tenant key only
    profile = shop.open(appts[0]["client"])
    assert profile["name"] == "Erika Mustermann" and profile["email"] == "erika@example.org"
    code = confirm_code(app, booked.json["booking"])
    res = client.post(
        "/v1/public/bookings/confirm", json={"booking": booked.json["booking"], "code": code}
    )
    assert res.status_code == 200, res.json
    assert res.json["status"] == "confirmed"
    manage = res.json["manage_token"]
    view = client.get(f"/v1/public/manage/{manage}")
    assert view.status_code == 200 and view.json["status"] == "confirmed"
    assert view.json["can_cancel"] and view.json["can_reschedule"]
    res = client.post(f"/v1/public/manage/{manage}/cancel")
    assert res.status_code == 200 and res.json["status"] == "cancelled"
