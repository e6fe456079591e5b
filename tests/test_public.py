"""The public booking flow (stealth layer, issue 4): offers, never a calendar."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import datetime, timedelta

import pytest

from hushbook.public import solve_pow
from hushbook_service import stealth
from hushbook_service.db import database, utcnow
from hushbook_service.messaging import links
from hushbook_service.models import Appointment, Client, DeliveryContact
from hushbook_service.public import bookings, metering
from support.api import (
    BERLIN,
    CONSENT,
    OPEN,
    Visitor,
    confirm_code,
    day,
    make_shop,
    manage_ask,
    patch_tenant,
    wish_body,
)
from support.db import db_rows


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


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


# --- helpers for the rules below -------------------------------------------------------

OFFER_FIELDS = {"start", "end", "fits_wish", "token", "expires_at"}
OFFER_CLAIMS = {"tid", "svc", "stf", "st", "en", "vis", "iss", "aud", "iat", "exp", "jti"}


def problem(res, status, field=None, reason=None):
    """A JSON problem document (code, message) with ``status``; never a 500."""
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True)[:600])
    body = res.get_json()
    assert body["code"] == status and body["message"], body
    if field is not None:
        assert field in body["errors"]["json"], body
    if reason is not None:
        assert body.get("reason") == reason, body
    return body


def unb64(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def claims_of(token):
    """The readable middle of a JWS (what anyone holding the token can see)."""
    return unb64(token.split(".")[1])


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def count(app, model):
    with app.app_context(), database.connection_context():
        return model.select().count()


def appointment_row(app, appointment_id):
    with app.app_context(), database.connection_context():
        return Appointment.get_by_id(appointment_id)


def appointment_id(app, booking_ref):
    claims = app.extensions["hushbook_keys"].verify("booking", booking_ref)
    with app.app_context():
        return links.appointment_id(claims["tid"], claims["ref"])


def offers_of(visitor, service_id, **wish):
    res = visitor.ask(service_id, **wish)
    assert res.status_code == 200, res.json
    assert res.json["offers"], "no offers"
    return res.json["offers"]


def booked(visitor, service_id, contact=None, **wish):
    """Ask and book the first offer; returns the booking answer."""
    offer = offers_of(visitor, service_id, **wish)[0]
    res = visitor.book(offer["token"], contact=contact)
    assert res.status_code == 202, res.json
    return res.json


def confirm(http, app, booking_ref):
    code = confirm_code(app, booking_ref)
    res = http.post("/v1/public/bookings/confirm", json={"booking": booking_ref, "code": code})
    assert res.status_code == 200, res.json
    return res.json


def asks_with_puzzles_first(visitors, service_id):
    """Fetch every puzzle first (free while budget is left), then ask: so the
    refusal, if any, comes from the offers route itself."""
    proofs = [v.pow() for v in visitors]
    return [v.send_offers(wish_body(service_id), p) for v, p in zip(visitors, proofs, strict=True)]


def patch_staff(http, t, staff_id, body):
    url = f"/v1/staff/{staff_id}"
    etag = http.get(url, headers=t.owner.headers).headers["ETag"]
    res = http.patch(url, json=body, headers={**t.owner.headers, "If-Match": etag})
    assert res.status_code == 200, res.json


def integration_key(http, t, scopes=("public:forward",)):
    res = http.post(
        "/v1/integration-keys",
        json={"name": "Booking plugin", "scopes": list(scopes)},
        headers=t.owner.headers,
    )
    assert res.status_code == 201, res.json
    return res.json["key"]


# --- k offers per ask, never a calendar ---------------------------------------------------

WISHES = [
    {},
    {"parts": ["morning"]},
    {"parts": ["evening"]},
    {"parts": ["afternoon", "evening"], "weekdays": [5, 6]},
    {"time_from": "10:00", "time_to": "11:00"},
    {"weekdays": [0]},
    {"first": day(1), "last": day(1)},
    {"first": day(0), "last": day(13)},
    {"first": day(20), "last": day(22), "parts": ["afternoon"]},
]


@pytest.mark.parametrize("stealth_mode", [True, False], ids=["stealth", "plain"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_no_ask_returns_more_than_k_offers(client, make_tenant, k, stealth_mode):
    overrides = {} if k == 3 else {"offer_count": k}  # 3 is the default
    shop = make_shop(client, make_tenant, **OPEN, **overrides)
    patch_tenant(client, shop, {"stealth_mode": stealth_mode})
    v = Visitor(client, "salon-a")
    counts = []
    for wish in WISHES:
        res = v.ask(shop.cut["id"], **wish)
        assert res.status_code == 200, res.json
        assert set(res.json) == {"offers", "service_id"}  # nothing else that lists times
        assert all(set(o) == OFFER_FIELDS for o in res.json["offers"])
        counts.append(len(res.json["offers"]))
    assert max(counts) == k, counts  # never more, and the bound is reached


# --- offer tokens: single use, signed, short-lived, bound ---------------------------------


def test_replayed_offer_is_refused_and_books_once(client, app, shop):
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    assert v.book(offer["token"]).status_code == 202
    again = v.book(offer["token"], contact={"email": "other@example.org"})
    problem(again, 409, reason="offer_spent")
    assert count(app, Appointment) == 1
    assert count(app, Client) == 1


def test_tampered_offer_tokens_are_refused(client, app, shop):
    v = Visitor(client, "salon-a")
    token = offers_of(v, shop.cut["id"])[0]["token"]
    header, payload, signature = token.split(".")
    claims = claims_of(token)
    moved = {**claims, "st": claims["st"] + 3600}
    unsigned_header = {**unb64(header), "alg": "none"}
    forged = [
        f"{header}.{b64(moved)}.{signature}",  # one claim changed, old signature
        f"{b64(unsigned_header)}.{payload}.",  # alg: none
        f"{header}.{payload}.{signature[:-4]}AAAA",  # signature changed
        v.challenge()["challenge"],  # a challenge is not an offer
        v.session,  # nor is a visitor session
    ]
    for bad in forged:
        problem(v.book(bad), 422, field="offer")
    assert count(app, Appointment) == 0
    assert v.book(token).status_code == 202  # the genuine token was untouched


def test_expired_offer_is_refused(client, app, shop):
    v = Visitor(client, "salon-a")
    token = offers_of(v, shop.cut["id"])[0]["token"]
    keep = {k: val for k, val in claims_of(token).items() if k not in ("iss", "aud", "iat", "exp")}
    keys = app.extensions["hushbook_keys"]
    expired = keys.issue("offer", {**keep, "jti": "expired-1"}, timedelta(seconds=-60))
    problem(v.book(expired), 422, field="offer")
    assert count(app, Appointment) == 0
    # the very same claims, still valid: accepted (only the expiry made the difference)
    fresh = keys.issue("offer", {**keep, "jti": "fresh-1"}, timedelta(minutes=5))
    assert v.book(fresh).status_code == 202


def test_offer_is_bound_to_the_visitor_who_asked(client, app, shop):
    alice, bob = Visitor(client, "salon-a"), Visitor(client, "salon-a")
    offer = offers_of(alice, shop.cut["id"])[0]
    bob.challenge()
    problem(bob.book(offer["token"]), 422, field="offer")
    assert count(app, Appointment) == 0
    assert alice.book(offer["token"]).status_code == 202


def test_offer_of_one_business_is_refused_at_another(client, app, make_tenant, shop):
    make_shop(client, make_tenant, "salon-b")
    offer = offers_of(Visitor(client, "salon-a"), shop.cut["id"])[0]
    problem(Visitor(client, "salon-b").book(offer["token"]), 422, field="offer")
    assert count(app, Appointment) == 0


def test_offer_tokens_name_staff_only_by_pseudonyms(client, shop):
    kept, other = (s.staff for s in shop.stylists)
    patch_staff(client, shop, other.id, {"bookable": False})  # every offer is with `kept`
    sessions = []
    for _ in range(2):
        tokens = [o["token"] for o in offers_of(Visitor(client, "salon-a"), shop.cut["id"])]
        claims = [claims_of(t) for t in tokens]
        for c in claims:
            assert set(c) == OFFER_CLAIMS  # no staff id, name or e-mail
            assert c["stf"] not in (kept.id, str(kept.id)) and len(c["stf"]) == 24
            assert kept.email not in json.dumps(c) and kept.display_name not in json.dumps(c)
        # one stylist, yet no two offers share a pseudonym: they cannot be grouped by person
        assert len({c["stf"] for c in claims}) == len(claims) > 1
        sessions.append({(c["st"], c["en"]): c["stf"] for c in claims})
    same = sessions[0].keys() & sessions[1].keys()
    assert same  # the same wish gets the same offers …
    assert all(sessions[0][k] != sessions[1][k] for k in same)  # … named differently


# --- budgets and Retry-After --------------------------------------------------------------


def assert_rate_limited(res):
    problem(res, 429, reason="rate_limited")
    retry = res.headers["Retry-After"]
    assert retry.isdigit() and int(retry) > 0


def test_session_budget_gives_429_with_retry_after(client, app, shop):
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_session_hour": 2}})
    v = Visitor(client, "salon-a")
    first, second, third = asks_with_puzzles_first([v, v, v], shop.cut["id"])
    assert first.status_code == second.status_code == 200
    assert_rate_limited(third)
    assert_rate_limited(client.post("/v1/public/salon-a/challenge", json={"session": v.session}))
    # another visitor (same address, well within its budget) still gets through
    assert Visitor(client, "salon-a").ask(shop.cut["id"]).status_code == 200


def test_ip_budget_counts_across_sessions(client, shop):
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_ip_day": 3}})
    visitors = [Visitor(client, "salon-a") for _ in range(4)]
    answers = asks_with_puzzles_first(visitors, shop.cut["id"])
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_rate_limited(answers[3])


def test_anonymous_address_headers_change_nothing(client, shop):
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_ip_day": 3}})
    visitors = [
        Visitor(
            client,
            "salon-a",
            headers={"Hushbook-Visitor-IP": f"198.51.{i}.7", "X-Forwarded-For": f"192.0.{i}.9"},
        )
        for i in range(4)
    ]
    answers = asks_with_puzzles_first(visitors, shop.cut["id"])
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_rate_limited(answers[3])  # all four metered as the socket's one address


def test_subnet_budget_through_a_trusted_forwarder(client, shop):
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_subnet_day": 3}})
    key = integration_key(client, shop)

    def forwarded(ip):
        headers = {"Authorization": f"Bearer {key}", "Hushbook-Visitor-IP": ip}
        return Visitor(client, "salon-a", headers=headers)

    same_net = [forwarded(f"203.0.113.{i}") for i in (7, 8, 9, 10)]
    answers = asks_with_puzzles_first(same_net, shop.cut["id"])
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_rate_limited(answers[3])
    assert forwarded("198.51.100.7").ask(shop.cut["id"]).status_code == 200  # another /24


def test_budgets_refill_at_their_rate_not_faster(app):
    """The buckets keep time to the second: no time passed, nothing refilled.
    (Epoch seconds need double precision: a 4-byte REAL has 128-second steps.)"""
    bucket = metering.Bucket("test", "x", capacity=100, period=1000)  # 0.1 token a second
    t0 = 1_800_000_060.0
    with app.app_context(), database.connection_context():
        assert metering.take(1, [bucket], now=t0)["test"] == pytest.approx(1)
        assert metering.take(1, [bucket], now=t0)["test"] == pytest.approx(2)
        assert metering.take(1, [bucket], now=t0 + 10)["test"] == pytest.approx(2)
        assert metering.take(1, [bucket], now=t0 + 10.5)["test"] == pytest.approx(2.95)


def test_forwarders_must_be_of_this_business_with_the_scope(client, make_tenant, shop):
    key = integration_key(client, shop)
    ip = {"Hushbook-Visitor-IP": "203.0.113.7"}
    cases = [
        ({"Authorization": f"Bearer {integration_key(client, make_tenant('salon-b'))}", **ip}, 403),
        (
            {"Authorization": f"Bearer {integration_key(client, shop, ['services:read'])}", **ip},
            403,
        ),
        ({"Authorization": "Bearer garbage.garbage.garbage", **ip}, 401),
        ({"Authorization": f"Bearer {key}"}, 422),  # whom is it forwarding?
        ({"Authorization": f"Bearer {key}", "Hushbook-Visitor-IP": "not an address"}, 422),
    ]
    for headers, status in cases:
        problem(client.post("/v1/public/salon-a/challenge", json={}, headers=headers), status)
    assert Visitor(client, "salon-a", headers={"Authorization": f"Bearer {key}", **ip}).pow()


def test_without_stealth_mode_no_puzzle_and_no_metering(client, app, shop):
    patch_tenant(
        client,
        shop,
        {
            "stealth_mode": False,
            "stealth_settings": {"asks_per_session_hour": 1, "asks_per_ip_day": 1},
        },
    )
    v = Visitor(client, "salon-a")
    assert v.challenge()["required"] is False
    for _ in range(4):
        res = v.send_offers(wish_body(shop.cut["id"]), None)
        assert res.status_code == 200, res.json
    res = v.send_booking(v.booking_body(res.json["offers"][0]["token"]))
    assert res.status_code == 202, res.json
    assert count(app, Appointment) == 1


# --- proof-of-work --------------------------------------------------------------------------


def test_reused_proof_of_work_is_refused(client, shop):
    v = Visitor(client, "salon-a")
    proof = v.pow()
    assert v.send_offers(wish_body(shop.cut["id"]), proof).status_code == 200
    problem(v.send_offers(wish_body(shop.cut["id"]), proof), 409, reason="pow_spent")


def test_wrong_or_missing_proof_of_work_is_refused(client, app, shop):
    v = Visitor(client, "salon-a")
    ch = v.challenge()
    wrong = next(
        str(n)
        for n in itertools.count()
        if not stealth.pow_ok(ch["challenge_id"], str(n), ch["bits"])
    )
    body = wish_body(shop.cut["id"])
    problem(v.send_offers(body, {"challenge": ch["challenge"], "nonce": wrong}), 422, field="pow")
    problem(v.send_offers(body, None), 422, field="pow")
    offer = offers_of(v, shop.cut["id"])[0]
    no_pow = {k: val for k, val in v.booking_body(offer["token"]).items() if k != "pow"}
    problem(v.send_booking(no_pow), 422, field="pow")
    assert count(app, Appointment) == 0


def test_proof_of_work_of_another_session_is_refused(client, shop):
    alice, bob = Visitor(client, "salon-a"), Visitor(client, "salon-a")
    proof = alice.pow()
    bob.challenge()
    problem(bob.send_offers(wish_body(shop.cut["id"]), proof), 422, field="pow")
    assert alice.send_offers(wish_body(shop.cut["id"]), proof).status_code == 200


def test_proof_of_work_gets_harder_with_volume(client, shop):
    v = Visitor(client, "salon-a")
    bits = []
    for _ in range(stealth.POW_FREE_ASKS + 4):
        ch = v.challenge()
        bits.append(ch["bits"])
        proof = {
            "challenge": ch["challenge"],
            "nonce": solve_pow(ch["challenge_id"], ch["bits"]),
        }
        assert v.send_offers(wish_body(shop.cut["id"]), proof).status_code == 200
    assert bits[: stealth.POW_FREE_ASKS + 1] == [8] * (stealth.POW_FREE_ASKS + 1)
    assert bits == [stealth.pow_bits(n, 8) for n in range(len(bits))]
    assert bits[-1] > 8
    # a fresh session from the same address inherits the address's volume
    assert Visitor(client, "salon-a").challenge()["bits"] > 8


# --- pending bookings: caps, expiry ----------------------------------------------------------


def test_pending_cap_per_contact(client, app, shop):
    patch_tenant(client, shop, {"stealth_settings": {"pending_per_contact": 1}})
    first = booked(Visitor(client, "salon-a"), shop.cut["id"])
    other = Visitor(client, "salon-a")
    offer = offers_of(other, shop.cut["id"])[0]
    res = other.book(offer["token"], contact={"email": "Erika@Example.org"})
    problem(res, 429, reason="too_many_pending")
    assert int(res.headers["Retry-After"]) > 0
    assert count(app, Appointment) == 1
    confirm(client, app, first["booking"])  # a new contact's: counts until kept (issue 19)
    offer = offers_of(other, shop.cut["id"])[0]
    res = other.book(offer["token"], contact={"email": "Erika@Example.org"})
    problem(res, 429, reason="too_many_pending")
    booked(other, shop.cut["id"], contact={"email": "max@example.org"})  # another may
    assert count(app, Appointment) == 2


def test_pending_cap_per_session(client, app, shop):
    patch_tenant(client, shop, {"stealth_settings": {"pending_per_session": 1}})
    v = Visitor(client, "salon-a")
    offers = offers_of(v, shop.cut["id"])
    assert len(offers) >= 2
    assert v.book(offers[0]["token"]).status_code == 202
    res = v.book(offers[1]["token"], contact={"email": "max@example.org"})
    problem(res, 429, reason="too_many_pending")
    assert count(app, Appointment) == 1


def test_expired_pending_booking_frees_the_slot(client, app, shop):
    patch_tenant(client, shop, {"stealth_settings": {"offer_count": 1}})
    narrow = {"first": day(3), "last": day(3), "time_from": "10:00", "time_to": "11:00"}
    answer = booked(Visitor(client, "salon-a"), shop.cut["id"], **narrow)
    appt_id = appointment_id(app, answer["booking"])
    pending = client.get(f"/v1/appointments/{appt_id}", headers=shop.owner.headers).json
    assert pending["status"] == "pending"
    client_id = pending["client_id"]
    staff_booking = {
        "service_id": shop.cut["id"],
        "staff_id": pending["staff_id"],
        "start": pending["start"],
    }
    res = client.post("/v1/appointments", json=staff_booking, headers=shop.owner.headers)
    problem(res, 409, reason="slot_taken")  # a pending booking holds its time …
    with app.app_context(), database.connection_context():
        Appointment.update(pending_until=utcnow() - timedelta(minutes=1)).where(
            Appointment.id == appt_id
        ).execute()
    res = client.post("/v1/appointments", json=staff_booking, headers=shop.owner.headers)
    assert res.status_code == 201, res.json  # … until it expires, even before the job runs
    with app.app_context(), database.connection_context():
        assert bookings.expire_pending() == 1
        assert Appointment.get_by_id(appt_id).status == "expired"
        assert Client.get_or_none(Client.id == client_id) is None
        assert not DeliveryContact.select().where(DeliveryContact.appointment == appt_id).exists()
    code = confirm_code(app, answer["booking"])
    res = client.post(
        "/v1/public/bookings/confirm", json={"booking": answer["booking"], "code": code}
    )
    problem(res, 409, reason="booking_expired")


def test_expiring_one_pending_booking_keeps_the_client_of_another(client, app, shop):
    """Two pending bookings by one new customer share the client created by the
    first; the first expiring must not erase the client the second still needs."""
    first = booked(Visitor(client, "salon-a"), shop.cut["id"])
    second = booked(Visitor(client, "salon-a"), shop.cut["id"], first=day(5))
    first_id, second_id = (appointment_id(app, b["booking"]) for b in (first, second))
    assert appointment_row(app, second_id).client_id == appointment_row(app, first_id).client_id
    with app.app_context(), database.connection_context():
        Appointment.update(pending_until=utcnow() - timedelta(minutes=1)).where(
            Appointment.id == first_id
        ).execute()
        bookings.expire_pending()
    confirm(client, app, second["booking"])
    row = client.get(f"/v1/appointments/{second_id}", headers=shop.owner.headers).json
    assert row["status"] == "confirmed"
    assert row["client_id"] is not None, "the confirmed booking lost its client"
    assert shop.open(row["client"])["email"] == "erika@example.org"


def test_returning_client_consent_must_name_a_published_notice(client, app, shop):
    """docs/stealth.md: consent must refer to a published notice version, also
    when the contact is recognised as a returning client."""
    confirm(client, app, booked(Visitor(client, "salon-a"), shop.cut["id"])["booking"])
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"], first=day(6))[0]
    for consent in ({**CONSENT, "notice_version": 99}, {**CONSENT, "locale": "en"}):
        problem(v.book(offer["token"], consent=consent), 422, field="consent")
    assert count(app, Appointment) == 1


# --- anti-fake rules -------------------------------------------------------------------------


def test_honeypot_looks_like_success_but_stores_nothing(client, app, shop):
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    res = v.book(offer["token"], website="http://spam")
    assert res.status_code == 202, res.json
    assert res.json["status"] == "pending" and res.json["booking"]
    assert count(app, Appointment) == 0
    assert count(app, Client) == 0
    code = client.post(
        "/v1/public/bookings/confirm", json={"booking": res.json["booking"], "code": "123456"}
    )
    problem(code, 422, field="code")  # like a wrong code (tests/test_abuse.py: the whole look)


def test_too_fast_is_refused(client, app, shop):
    patch_tenant(client, shop, {"stealth_settings": {"min_fill_seconds": 30}})
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    res = v.book(offer["token"])
    problem(res, 422, reason="too_fast")
    assert int(res.headers["Retry-After"]) > 0
    assert count(app, Appointment) == 0 and count(app, Client) == 0


@pytest.mark.parametrize("email", ["x@mailinator.com", "x@sub.mailinator.com", "X@MAILINATOR.COM"])
def test_disposable_addresses_are_refused(client, app, shop, email):
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    problem(v.book(offer["token"], contact={"email": email}), 422, field="contact")
    assert count(app, Appointment) == 0 and count(app, Client) == 0


# --- blocklist -------------------------------------------------------------------------------


def test_blocked_contacts_cannot_book_and_are_stored_only_as_hashes(client, app, shop):
    res = client.post(
        "/v1/blocked-contacts",
        json={"email": "Blocked@Example.org", "phone": "+49 170 1234567"},
        headers=shop.owner.headers,
    )
    assert res.status_code == 201, res.json
    listed = client.get("/v1/blocked-contacts", headers=shop.owner.headers)
    assert {(r["kind"], r["reason"]) for r in listed.json} == {
        ("email", "manual"),
        ("phone", "manual"),
    }
    assert all(set(r) <= {"id", "kind", "reason", "created_at"} for r in listed.json)
    stored = (listed.get_data(as_text=True) + repr(db_rows(app, shop.tenant.id))).lower()
    assert "blocked@example.org" not in stored and "1701234567" not in stored
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    for contact in (
        {"email": "blocked@example.org"},
        {"email": "bLOCKED@EXAMPLE.ORG"},
        {"phone": "0170 123 45 67"},
        {"phone": "+49 (0)170/123-4567"},
        {"email": "fine@example.org", "phone": "00491701234567"},
    ):
        problem(v.book(offer["token"], contact=contact), 403, reason="contact_blocked")
    assert count(app, Appointment) == 0 and count(app, Client) == 0
    email_row = next(r for r in listed.json if r["kind"] == "email")
    res = client.delete(f"/v1/blocked-contacts/{email_row['id']}", headers=shop.owner.headers)
    assert res.status_code == 204
    assert v.book(offer["token"], contact={"email": "Blocked@example.org"}).status_code == 202


def test_no_shows_block_the_contact_automatically(client, app, shop):
    patch_tenant(client, shop, {"stealth_settings": {"block_after_no_shows": 1}})
    stylist = shop.stylists[0].staff
    start = datetime.combine(day(2), datetime.min.time().replace(hour=10), BERLIN)
    res = client.post(
        "/v1/appointments",
        json={
            "service_id": shop.cut["id"],
            "staff_id": stylist.id,
            "start": start.isoformat(),
            "client": {"profile": {"name": "Nick No-Show", "email": "nick@example.org"}},
        },
        headers=shop.owner.headers,
    )
    assert res.status_code == 201, res.json
    appt_id = res.json["id"]
    with app.app_context(), database.connection_context():  # as if it was days ago
        row = Appointment.get_by_id(appt_id)
        for name in ("start_at", "end_at", "block_start", "block_end"):
            setattr(row, name, getattr(row, name) - timedelta(days=4))
        row.save()
    res = client.post(f"/v1/appointments/{appt_id}/no-show", headers=shop.owner.headers)
    assert res.status_code == 200, res.json
    listed = client.get("/v1/blocked-contacts", headers=shop.owner.headers).json
    assert [(r["kind"], r["reason"]) for r in listed] == [("email", "no_shows")]
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    res = v.book(offer["token"], contact={"email": "Nick@example.org"})
    problem(res, 403, reason="contact_blocked")
    assert count(app, Appointment) == 1  # only the missed one


# --- bad input: a clear 4xx problem, never a 500, never half a booking ----------------------

BAD_WISHES = {
    "window_too_wide": ({"date_to": day(17).isoformat()}, 422, "date_to"),
    "window_in_the_past": (
        {"date_from": day(-5).isoformat(), "date_to": day(-2).isoformat()},
        422,
        "date_to",
    ),
    "date_to_before_date_from": ({"date_to": day(2).isoformat()}, 422, "date_to"),
    "beyond_the_horizon": (
        {"date_from": day(200).isoformat(), "date_to": day(201).isoformat()},
        422,
        "date_from",
    ),
    "unknown_service": ({"service_id": 987654}, 422, "service_id"),
    "staff_while_names_hidden": ({"staff_id": 1}, 422, "staff_id"),
    "time_from_without_time_to": ({"time_from": "10:00"}, 422, "time_to"),
    "unknown_field": ({"calendar": True}, 422, "calendar"),
    "service_id_as_string": ({"service_id": "1"}, 422, "service_id"),
    "date_not_a_date": ({"date_from": "tomorrow"}, 422, "date_from"),
    "weekday_out_of_range": ({"weekdays": [7]}, 422, "weekdays"),
    "unknown_part": ({"parts": ["night"]}, 422, "parts"),
    "control_characters": ({"date_from": "2030-01-01\x00"}, 422, "date_from"),
}


@pytest.mark.parametrize("change", BAD_WISHES.values(), ids=BAD_WISHES.keys())
def test_bad_wishes(client, app, shop, change):
    body, status, field = change
    v = Visitor(client, "salon-a")
    proof = v.pow()
    problem(v.send_offers({**wish_body(shop.cut["id"]), **body}, proof), status, field=field)


BAD_BOOKINGS = {
    "missing_consent": ({"consent": None}, "consent"),
    "consent_without_booking": ({"consent": {**CONSENT, "purposes": ["reminders"]}}, "consent"),
    "consent_unknown_purpose": (
        {"consent": {**CONSENT, "purposes": ["booking", "sale"]}},
        "consent",
    ),
    "consent_unknown_notice": ({"consent": {**CONSENT, "notice_version": 99}}, "consent"),
    "consent_unknown_locale_notice": ({"consent": {**CONSENT, "locale": "en"}}, "consent"),
    "neither_profile": ({"profile": None}, "profile"),
    "both_profiles": (
        {"sealed_profile": {"name": "c2VhbGVk"}, "client_key": "k" * 22},
        "profile",
    ),
    "sealed_without_key": ({"profile": None, "sealed_profile": {"name": "c2VhbGVk"}}, "client_key"),
    "missing_contact": ({"contact": None}, "contact"),
    "empty_contact": ({"contact": {}}, "contact"),
    "not_an_email": ({"contact": {"email": "erika at example"}}, "contact"),
    "not_a_phone": ({"contact": {"phone": "call me maybe"}}, "contact"),
    "unknown_field": ({"admin": True}, "admin"),
    "offer_not_a_string": ({"offer": 12345}, "offer"),
    "name_not_a_string": ({"profile": {"name": ["Erika"]}}, "profile"),
    "empty_name": ({"profile": {"name": ""}}, "profile"),
    "control_characters": ({"profile": {"name": "Erika\x07\x00"}}, "profile"),
    "nonce_not_allowed": ({"pow": {"challenge": "x", "nonce": "a b"}}, "pow"),
    "honeypot_too_long": ({"website": "x" * 500}, "website"),
}


@pytest.mark.parametrize("change", BAD_BOOKINGS.values(), ids=BAD_BOOKINGS.keys())
def test_bad_bookings(client, app, shop, change):
    extra, field = change
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    body = {**v.booking_body(offer["token"]), **extra}
    body = {k: val for k, val in body.items() if val is not None}
    problem(v.send_booking(body), 422, field=field)
    assert count(app, Appointment) == 0 and count(app, Client) == 0
    assert v.book(offer["token"]).status_code == 202  # the offer was not used up


def test_garbage_session_and_unknown_business(client, app, shop):
    v = Visitor(client, "salon-a")
    offer = offers_of(v, shop.cut["id"])[0]
    body = {**wish_body(shop.cut["id"]), "session": "garbage", "pow": v.pow()}
    problem(client.post("/v1/public/salon-a/offers", json=body), 422, field="session")
    body = {**v.booking_body(offer["token"]), "session": "x.y.z"}
    problem(client.post("/v1/public/salon-a/bookings", json=body), 422, field="session")
    for url, payload in (
        ("/v1/public/nowhere/catalog", None),
        ("/v1/public/nowhere/challenge", {}),
        ("/v1/public/nowhere/offers", {**wish_body(shop.cut["id"]), "session": v.session}),
    ):
        res = client.get(url) if payload is None else client.post(url, json=payload)
        problem(res, 404)
    assert count(app, Appointment) == 0


def test_malformed_and_oversized_bodies(client, app, shop):
    for url in ("/v1/public/salon-a/offers", "/v1/public/salon-a/bookings"):
        res = client.post(url, data="{not json", content_type="application/json")
        problem(res, 400)
        res = client.post(url, data=b"[1, 2]", content_type="application/json")
        assert 400 <= res.status_code < 500 and res.get_json()["code"] == res.status_code
        big = json.dumps({"session": "x", "padding": "a" * (70 * 1024)})
        problem(client.post(url, data=big, content_type="application/json"), 413)
    assert count(app, Appointment) == 0


def test_session_of_another_business_is_refused(client, app, make_tenant, shop):
    other = make_shop(client, make_tenant, "salon-b")
    v = Visitor(client, "salon-a")
    v.challenge()
    res = client.post("/v1/public/salon-b/challenge", json={"session": v.session})
    problem(res, 422, field="session")
    body = {**wish_body(other.cut["id"]), "session": v.session}
    problem(client.post("/v1/public/salon-b/offers", json=body), 422, field="session")


# --- named staff -----------------------------------------------------------------------------


def test_names_shown_staff_preference_is_honoured(client, app, shop):
    kim, other = (s.staff for s in shop.stylists)
    patch_staff(client, shop, kim.id, {"public_name": "Kim"})
    # names without a budget: test_hold_walk.py checks what the budget withholds
    settings = {**OPEN, "disclosure_share_pct": 100}
    patch_tenant(client, shop, {"show_staff_names": True, "stealth_settings": settings})
    catalog = client.get("/v1/public/salon-a/catalog").json
    assert catalog["staff"] == [{"id": kim.id, "name": "Kim"}, {"id": other.id, "name": "Stylist1"}]
    assert catalog["services"][0]["staff_ids"] == [kim.id, other.id]
    v = Visitor(client, "salon-a")
    for offer in offers_of(v, shop.cut["id"]):
        assert offer["staff"] in catalog["staff"]
    for first in (day(2), day(4), day(9)):
        offers = offers_of(v, shop.cut["id"], first=first, staff_id=kim.id)
        fitting = [o for o in offers if o["fits_wish"]]
        assert fitting, offers
        assert all(o["staff"] == {"id": kim.id, "name": "Kim"} for o in fitting)
    proof = v.pow()
    body = wish_body(shop.cut["id"], staff_id=987654)
    problem(v.send_offers(body, proof), 422, field="staff_id")
    manager = shop.member("manager", "boss")  # not on the service's team
    body = wish_body(shop.cut["id"], staff_id=manager.staff.id)
    problem(v.send_offers(body, v.pow()), 422, field="staff_id")


# --- confirmation ----------------------------------------------------------------------------


def _link_token(app, booking_ref):
    with app.app_context(), database.connection_context():
        appointment = Appointment.get_by_id(appointment_id(app, booking_ref))
        return links.confirmation_link_token(appointment)


def test_confirmation_link_get_shows_a_form_and_only_post_confirms(client, app, shop):
    answer = booked(Visitor(client, "salon-a"), shop.cut["id"])
    appt_id = appointment_id(app, answer["booking"])
    url = f"/v1/public/bookings/confirm/{_link_token(app, answer['booking'])}"
    for _ in range(3):  # mail scanners follow links
        res = client.get(url, headers={"Accept": "text/html"})
        assert res.status_code == 200 and res.mimetype == "text/html"
        html = res.get_data(as_text=True)
        assert '<form method="post" action=' in html and "<button" in html
        assert appointment_row(app, appt_id).status == "pending"
    res = client.post(url)
    assert res.status_code == 200 and res.mimetype == "text/html"
    assert appointment_row(app, appt_id).status == "confirmed"
    again = client.post(url)  # a second click changes nothing and is not an error
    assert again.status_code == 200
    assert appointment_row(app, appt_id).status == "confirmed"
    res = client.post("/v1/public/bookings/confirm", json={"token": url.rsplit("/", 1)[1]})
    assert res.status_code == 200 and res.json["status"] == "confirmed"


def test_confirming_twice_by_code_is_idempotent(client, app, shop):
    answer = booked(Visitor(client, "salon-a"), shop.cut["id"])
    assert confirm(client, app, answer["booking"])["status"] == "confirmed"
    assert confirm(client, app, answer["booking"])["status"] == "confirmed"
    assert count(app, Appointment) == 1


def test_five_wrong_codes_lock_the_booking(client, app, shop):
    answer = booked(Visitor(client, "salon-a"), shop.cut["id"])
    code = confirm_code(app, answer["booking"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    url = "/v1/public/bookings/confirm"
    for _ in range(5):
        res = client.post(url, json={"booking": answer["booking"], "code": wrong})
        problem(res, 422, field="code")
    res = client.post(url, json={"booking": answer["booking"], "code": code})
    assert_rate_limited(res)
    assert appointment_row(app, appointment_id(app, answer["booking"])).status == "pending"


def test_bad_confirmation_requests(client, app, shop):
    answer = booked(Visitor(client, "salon-a"), shop.cut["id"])
    url = "/v1/public/bookings/confirm"
    for body, field in (
        ({}, "token"),
        ({"booking": answer["booking"]}, "code"),
        ({"code": "123456"}, "booking"),
        ({"booking": answer["booking"], "code": "12345x"}, "code"),
        ({"token": "garbage"}, "token"),
        ({"token": answer["booking"]}, "token"),  # a booking reference is not a link
        ({"booking": "x.y.z", "code": "123456"}, "booking"),
    ):
        problem(client.post(url, json=body), 422, field=field)
    res = client.post(f"{url}/garbage")  # the page: a friendly refusal, no change
    assert res.status_code == 409 and res.mimetype == "text/html"
    assert appointment_row(app, appointment_id(app, answer["booking"])).status == "pending"


# --- manage links ----------------------------------------------------------------------------


def manage_wish(first, **wish):
    """A wish under a manage link: the service is the booking's."""
    return {k: v for k, v in wish_body(0, first, **wish).items() if k != "service_id"}


def _confirmed_booking(client, app, shop, **wish):
    answer = booked(Visitor(client, "salon-a"), shop.cut["id"], **wish)
    return confirm(client, app, answer["booking"])["manage_token"], appointment_id(
        app, answer["booking"]
    )


def test_manage_get_changes_nothing(client, app, shop):
    token, _ = _confirmed_booking(client, app, shop)
    before = db_rows(app, shop.tenant.id)
    for headers in ({}, {"Accept": "text/html"}, {"Accept": "text/html", "Accept-Language": "en"}):
        for _ in range(2):
            assert client.get(f"/v1/public/manage/{token}", headers=headers).status_code == 200
    assert db_rows(app, shop.tenant.id) == before


def test_tokens_of_one_purpose_are_refused_for_another(client, app, shop):
    manage, appt_id = _confirmed_booking(client, app, shop)
    res = client.post("/v1/public/bookings/confirm", json={"token": manage})
    problem(res, 422, field="token")
    v = Visitor(client, "salon-a")
    v.challenge()
    for wrong in (v.session, v.challenge()["challenge"], "garbage"):
        problem(client.get(f"/v1/public/manage/{wrong}"), 422, field="token")
        problem(client.post(f"/v1/public/manage/{wrong}/cancel"), 422, field="token")
    assert appointment_row(app, appt_id).status == "confirmed"


def test_reschedule_with_offers_asked_under_the_manage_link(client, app, shop):
    token, appt_id = _confirmed_booking(client, app, shop)
    before = client.get(f"/v1/appointments/{appt_id}", headers=shop.owner.headers).json
    res = manage_ask(client, token, manage_wish(day(8)))
    assert res.status_code == 200, res.json
    assert set(res.json) == {"offers", "service_id"} and res.json["service_id"] == shop.cut["id"]
    offer = res.json["offers"][0]
    res = client.post(f"/v1/public/manage/{token}/reschedule", json={"offer": offer["token"]})
    assert res.status_code == 200, res.json
    after = client.get(f"/v1/appointments/{appt_id}", headers=shop.owner.headers).json
    assert datetime.fromisoformat(after["start"]) == datetime.fromisoformat(offer["start"])
    assert after["start"] != before["start"] and after["status"] == "confirmed"
    again = client.post(f"/v1/public/manage/{token}/reschedule", json={"offer": offer["token"]})
    problem(again, 409, reason="offer_spent")


def test_reschedule_refuses_offers_of_a_visitor_session(client, app, shop):
    token, appt_id = _confirmed_booking(client, app, shop)
    before = client.get(f"/v1/appointments/{appt_id}", headers=shop.owner.headers).json
    offer = offers_of(Visitor(client, "salon-a"), shop.cut["id"], first=day(8))[0]
    res = client.post(f"/v1/public/manage/{token}/reschedule", json={"offer": offer["token"]})
    problem(res, 422, field="offer")
    other_token, _ = _confirmed_booking(client, app, shop, first=day(5))
    res = manage_ask(client, other_token, manage_wish(day(9)))
    foreign = res.json["offers"][0]["token"]  # asked under another booking's link
    res = client.post(f"/v1/public/manage/{token}/reschedule", json={"offer": foreign})
    problem(res, 422, field="offer")
    after = client.get(f"/v1/appointments/{appt_id}", headers=shop.owner.headers).json
    assert after["start"] == before["start"]


def test_manage_link_lasts_until_the_moved_appointment_starts(client, app, shop):
    """docs/stealth.md: manage tokens expire when the appointment starts, also
    after it was moved to a later day (else the customer loses the link early)."""
    token, _ = _confirmed_booking(client, app, shop, first=day(2), last=day(2))
    old_start = client.get(f"/v1/public/manage/{token}").json["start"]
    res = manage_ask(client, token, manage_wish(day(10)))
    offer = res.json["offers"][0]
    res = client.post(f"/v1/public/manage/{token}/reschedule", json={"offer": offer["token"]})
    assert res.status_code == 200, res.json
    new_start = datetime.fromisoformat(res.json["start"])
    assert new_start > datetime.fromisoformat(old_start)
    links = [t for t in (token, res.json.get("manage_token")) if t]
    assert max(claims_of(t)["exp"] for t in links) >= new_start.timestamp(), (
        "no manage link stays valid until the new start"
    )
