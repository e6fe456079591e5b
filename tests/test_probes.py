"""Probes (issue 19, item 2): online bookings a new contact confirms and then does
not keep — cancelled soon after confirming, or missed — count against its
contact, address and network; past ``probe_threshold`` it books by phone. Each
rule is attacked over HTTP (Flask's test client, addresses vouched for by a
trusted forwarder); the salon marks no-shows through its own API.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest

from hushbook_service.db import database
from hushbook_service.messaging import links
from hushbook_service.models import Appointment, AuditEvent
from hushbook_service.public import metering
from support.api import (
    BERLIN,
    confirm_code,
    day,
    forwarder_key,
    from_address,
    make_shop,
    patch_tenant,
)

CONFIRM = "/v1/public/bookings/confirm"
NEW_MAILBOX = "nina@example.org"


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


@pytest.fixture
def key(client, shop):
    return forwarder_key(client, shop)


def appointment_id(app, booking_ref: str) -> int:
    with app.app_context(), database.connection_context():
        claims = app.extensions["hushbook_keys"].verify("booking", booking_ref)
        return links.appointment_id(claims["tid"], claims["ref"])


def book_confirmed(client, app, shop, visitor, email: str) -> tuple[int, str]:
    """An online booking of the first offer, confirmed by code: (id, manage token)."""
    found = visitor.ask(shop.cut["id"])
    assert found.status_code == 200, found.json
    res = visitor.book(found.json["offers"][0]["token"], contact={"email": email})
    assert res.status_code == 202, res.json
    ref = res.json["booking"]
    done = client.post(CONFIRM, json={"booking": ref, "code": confirm_code(app, ref)})
    assert done.status_code == 200, done.json
    return appointment_id(app, ref), done.json["manage_token"]


def into_the_past(app, appointment: int) -> None:
    """As if the appointment was four days ago (the salon marks it afterwards)."""
    with app.app_context(), database.connection_context():
        row = Appointment.get_by_id(appointment)
        for name in ("start_at", "end_at", "block_start", "block_end"):
            setattr(row, name, getattr(row, name) - timedelta(days=4))
        row.save()


def mark(client, shop, appointment: int, action: str):
    return client.post(f"/v1/appointments/{appointment}/{action}", headers=shop.owner.headers)


def missed(client, app, shop, visitor, email: str) -> int:
    """A confirmed online booking the customer did not come to."""
    appointment, _ = book_confirmed(client, app, shop, visitor, email)
    into_the_past(app, appointment)
    res = mark(client, shop, appointment, "no-show")
    assert res.status_code == 200 and res.json["status"] == "no_show", res.json
    return appointment


def events(app, action: str) -> list[dict]:
    with app.app_context(), database.connection_context():
        rows = AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return [json.loads(e.details) for e in rows]


def try_booking(client, shop, visitor, email: str):
    found = visitor.ask(shop.cut["id"])
    assert found.status_code == 200, found.json
    return visitor.book(found.json["offers"][0]["token"], contact={"email": email})


# --- a no-show of a new contact is a probe ------------------------------------------------


def test_a_new_contact_that_misses_twice_books_by_phone(client, app, shop, key):
    """One mailbox, a new network each time: the contact is what is counted. The
    ordinary no-show rule (3) is not reached; the probe rule (2) is."""
    for i in range(2):
        appointment = missed(
            client, app, shop, from_address(client, key, f"198.51.{i}.7"), NEW_MAILBOX
        )
        again = mark(client, shop, appointment, "no-show")  # no undo, no second count
        assert again.status_code == 409, again.json
    refused = try_booking(client, shop, from_address(client, key, "198.51.9.7"), NEW_MAILBOX)
    assert refused.status_code == 403, refused.json
    assert refused.json["reason"] == "contact_blocked"
    assert [e.get("reason") for e in events(app, "public.booking_refused")] == ["probes"]
    marked = events(app, "appointment.no_show")
    assert [e["reason"] for e in marked] == ["probe", "probe"]
    assert all(set(e) == {"reason"} for e in marked)  # nothing personal in the trail
    # nobody was blocked: the prober's contact is not on the salon's blocklist
    assert client.get("/v1/blocked-contacts", headers=shop.owner.headers).json == []
    # another mailbox from another network still books
    honest = try_booking(client, shop, from_address(client, key, "203.0.113.5"), "ok@example.org")
    assert honest.status_code == 202, honest.json


def test_misses_from_one_address_count_against_it(client, app, shop, key):
    """New mailboxes from one address: the address is counted too."""
    patch_tenant(client, shop, {"stealth_settings": {"probe_threshold": 1}})
    missed(client, app, shop, from_address(client, key, "198.51.100.7"), "a@example.org")
    res = try_booking(client, shop, from_address(client, key, "198.51.100.7"), "b@example.org")
    assert res.status_code == 403 and res.json["reason"] == "contact_blocked", res.json


def test_a_probe_outlasts_the_housekeeping(client, app, shop, key):
    """Probes are days apart: the count must survive the quarter-hourly
    housekeeping, which forgets meter buckets untouched for two days."""
    patch_tenant(client, shop, {"stealth_settings": {"probe_threshold": 1}})
    visitor = from_address(client, key, "198.51.100.7")
    _, manage = book_confirmed(client, app, shop, visitor, NEW_MAILBOX)
    cancelled = client.post(f"/v1/public/manage/{manage}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.json
    with app.app_context(), database.connection_context():
        metering.purge(time.time() + 3 * 86_400)
    res = try_booking(client, shop, from_address(client, key, "198.51.120.7"), NEW_MAILBOX)
    assert res.status_code == 403 and res.json["reason"] == "contact_blocked", res.json


def test_the_refusal_says_what_a_blocked_contact_hears(client, app, shop, key):
    patch_tenant(client, shop, {"stealth_settings": {"probe_threshold": 1}})
    missed(client, app, shop, from_address(client, key, "198.51.100.7"), NEW_MAILBOX)
    prober = try_booking(client, shop, from_address(client, key, "198.51.120.7"), NEW_MAILBOX)
    res = client.post(
        "/v1/blocked-contacts", json={"email": "blocked@example.org"}, headers=shop.owner.headers
    )
    assert res.status_code == 201, res.json
    blocked = try_booking(
        client, shop, from_address(client, key, "203.0.113.9"), "blocked@example.org"
    )
    assert (prober.status_code, prober.json) == (blocked.status_code, blocked.json)
    assert sorted(prober.headers.keys()) == sorted(blocked.headers.keys())
    text = prober.get_data(as_text=True).lower()
    assert "probe" not in text and "no-show" not in text and "missed" not in text


# --- what is not a probe --------------------------------------------------------------------


def test_a_returning_client_who_misses_meets_the_no_show_rule_not_the_probe_rule(
    client, app, shop, key
):
    """A contact that kept an appointment is not new: its misses count for the
    owner's no-show rule (block after 3), not as probes (2)."""
    kept, _ = book_confirmed(
        client, app, shop, from_address(client, key, "198.51.100.7"), NEW_MAILBOX
    )
    into_the_past(app, kept)
    assert mark(client, shop, kept, "complete").status_code == 200
    for i in range(2):
        missed(client, app, shop, from_address(client, key, f"198.51.{i}.7"), NEW_MAILBOX)
    assert events(app, "appointment.no_show") == []
    visitor = from_address(client, key, "198.51.9.7")
    missed(client, app, shop, visitor, NEW_MAILBOX)  # past 2 misses: still books online
    listed = client.get("/v1/blocked-contacts", headers=shop.owner.headers).json
    assert [(r["kind"], r["reason"]) for r in listed] == [("email", "no_shows")]
    refused = try_booking(client, shop, visitor, NEW_MAILBOX)
    assert refused.status_code == 403, refused.json
    assert events(app, "public.booking_refused") == []  # the blocklist's, not the probes'


def test_a_missed_phone_booking_is_not_a_probe(client, app, shop, key):
    patch_tenant(client, shop, {"stealth_settings": {"probe_threshold": 1}})
    start = datetime.combine(day(2), datetime.min.time().replace(hour=10), BERLIN)
    res = client.post(
        "/v1/appointments",
        json={
            "service_id": shop.cut["id"],
            "staff_id": shop.stylists[0].staff.id,
            "start": start.isoformat(),
            "client": {"profile": {"name": "Nina", "email": NEW_MAILBOX}},
        },
        headers=shop.owner.headers,
    )
    assert res.status_code == 201, res.json
    into_the_past(app, res.json["id"])
    assert mark(client, shop, res.json["id"], "no-show").status_code == 200
    assert events(app, "appointment.no_show") == []
    booked = try_booking(client, shop, from_address(client, key, "198.51.100.7"), NEW_MAILBOX)
    assert booked.status_code == 202, booked.json


def test_a_cancellation_after_a_kept_appointment_is_not_a_probe(client, app, shop, key):
    """Two bookings as a new contact; the first is kept, then the second is
    cancelled soon after confirming: the contact is proven, no probe."""
    patch_tenant(client, shop, {"stealth_settings": {"probe_threshold": 1}})
    visitor = from_address(client, key, "198.51.100.7")
    first, _ = book_confirmed(client, app, shop, visitor, NEW_MAILBOX)
    second, manage = book_confirmed(client, app, shop, visitor, NEW_MAILBOX)
    into_the_past(app, first)
    assert mark(client, shop, first, "complete").status_code == 200
    cancelled = client.post(f"/v1/public/manage/{manage}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.json
    assert events(app, "public.cancel") == [{}]
    again = try_booking(client, shop, visitor, NEW_MAILBOX)
    assert again.status_code == 202, again.json


def test_the_salons_own_cancellation_is_not_a_probe(client, app, shop, key):
    patch_tenant(client, shop, {"stealth_settings": {"probe_threshold": 1}})
    visitor = from_address(client, key, "198.51.100.7")
    appointment, _ = book_confirmed(client, app, shop, visitor, NEW_MAILBOX)
    assert mark(client, shop, appointment, "cancel").status_code == 200
    again = try_booking(client, shop, visitor, NEW_MAILBOX)
    assert again.status_code == 202, again.json


# --- the salon's side -------------------------------------------------------------------------


def test_a_cluster_shows_the_probes_of_its_network(client, app, shop, key):
    """GET /v1/stealth/clusters: how many probes the cluster's network made (a
    number, no address)."""
    patch_tenant(client, shop, {"stealth_settings": {"probe_threshold": 5}})
    missed(client, app, shop, from_address(client, key, "198.51.100.7"), "gone@example.org")
    for i in range(3):  # a cluster: three upcoming bookings from that network
        res = try_booking(
            client, shop, from_address(client, key, f"198.51.100.{20 + i}"), f"c{i}@example.org"
        )
        assert res.status_code == 202, res.json
    other = try_booking(client, shop, from_address(client, key, "203.0.113.5"), "x@example.org")
    assert other.status_code == 202, other.json
    found = client.get("/v1/stealth/clusters", headers=shop.owner.headers)
    assert found.status_code == 200, found.json
    assert [(c["bookings"], c["probes"]) for c in found.json] == [(3, 1)]
    assert "198.51" not in found.get_data(as_text=True)
