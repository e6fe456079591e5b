"""The staff and public API as the suites call it (Flask's test client, or
anything with the same ``get``/``post``/``put``/``patch``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hushbook.public import solve_pow
from hushbook_service.db import database

BERLIN = ZoneInfo("Europe/Berlin")  # the tenants' default time zone
ALL_WEEK = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
CONSENT = {"notice_version": 1, "locale": "de", "purposes": ["booking", "reminders"]}
FAST = {"pow_base_bits": 8, "min_fill_seconds": 0}  # tests solve puzzles quickly
OPEN = {"asks_per_session_hour": 1000, "asks_per_ip_day": 1000, "asks_per_subnet_day": 1000}


# --- the staff API -----------------------------------------------------------------------


def next_local_day(days: int = 7) -> date:
    return datetime.now(BERLIN).date() + timedelta(days=days)


def local_iso(day: date, hh: int, mm: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hh, mm).isoformat()


def book(http, t, service, start, **extra):
    """A booking by the owner for ``t.stylist``."""
    body = {"service_id": service["id"], "staff_id": t.stylist.staff.id, "start": start, **extra}
    return http.post("/v1/appointments", json=body, headers=t.owner.headers)


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
            json={"rules": ALL_WEEK},
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


# --- the public booking flow -------------------------------------------------------------


def day(offset: int = 3) -> date:
    return datetime.now(BERLIN).date() + timedelta(days=offset)


def wish_body(service_id, first=None, last=None, **wish):
    """An offers request without session and proof (7 days from ``first`` by default)."""
    first = first or day(3)
    return {
        "service_id": service_id,
        "date_from": first.isoformat(),
        "date_to": (last or first + timedelta(days=6)).isoformat(),
        **wish,
    }


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

    def pow(self, extra_bits=0):
        """A solved puzzle; ``extra_bits`` pays ahead for a price that will have
        risen by the time it is spent (the difficulty is checked again then)."""
        ch = self.challenge()
        if not ch["required"]:
            return None
        return {
            "challenge": ch["challenge"],
            "nonce": solve_pow(ch["challenge_id"], ch["bits"] + extra_bits),
        }

    def ask(self, service_id, first=None, last=None, **wish):
        proof = self.pow()
        return self.send_offers(wish_body(service_id, first, last, **wish), proof)

    def send_offers(self, body, proof):
        """POST …/offers with this session and a given proof (or none)."""
        body = {**body, "session": self.session}
        if proof:
            body["pow"] = proof
        return self.http.post(f"/v1/public/{self.slug}/offers", json=body, headers=self.headers)

    def booking_body(self, offer_token, contact=None, extra_bits=0, **extra):
        """A complete booking request, with a freshly solved puzzle."""
        proof = self.pow(extra_bits)
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
        return body

    def book(self, offer_token, contact=None, **extra):
        return self.send_booking(self.booking_body(offer_token, contact, **extra))

    def send_booking(self, body):
        return self.http.post(f"/v1/public/{self.slug}/bookings", json=body, headers=self.headers)


def forwarder_key(http, t) -> str:
    """A new integration key with ``public:forward`` (what a booking plugin holds)."""
    res = http.post(
        "/v1/integration-keys",
        json={"name": "Booking plugin", "scopes": ["public:forward"]},
        headers=t.owner.headers,
    )
    assert res.status_code == 201, res.json
    return res.json["key"]


def from_address(http, key, ip):
    """A visitor whose address a trusted forwarder (the WordPress proxy) vouches for."""
    return Visitor(http, "salon-a", {"Authorization": f"Bearer {key}", "Hushbook-Visitor-IP": ip})


def book_online(client, shop, email="erika@example.org", contact_override=None):
    """The first offer for ``shop.cut``, booked as a visitor (pending confirmation)."""
    v = Visitor(client, shop.tenant.slug)
    offer = v.ask(shop.cut["id"]).json["offers"][0]
    booked = v.book(offer["token"], contact=contact_override or {"email": email})
    assert booked.status_code == 202, booked.json
    return booked.json


def confirm_code(app, booking_ref):
    """The six-digit code the customer would get for ``booking_ref``."""
    from hushbook_service.messaging import links
    from hushbook_service.models import Appointment

    with app.app_context(), database.connection_context():
        claims = app.extensions["hushbook_keys"].verify("booking", booking_ref)
        appointment_id = links.appointment_id(claims["tid"], claims["ref"])
        return links.confirmation_code(Appointment.get_by_id(appointment_id))


def manage_ask(http, token, wish):
    """POST …/manage/{token}/offers with a solved puzzle of that link (stealth mode)."""
    base = f"/v1/public/manage/{token}"
    ch = http.post(f"{base}/challenge")
    assert ch.status_code == 200, ch.json
    body = dict(wish)
    if ch.json["required"]:
        nonce = solve_pow(ch.json["challenge_id"], ch.json["bits"])
        body["pow"] = {"challenge": ch.json["challenge"], "nonce": nonce}
    return http.post(f"{base}/offers", json=body)
