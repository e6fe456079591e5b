"""Short links in messages (/m/{code}): they open the confirmation or manage page,
expire with the token they stand for, and are metered per address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hushbook_service.db import database, utcnow
from hushbook_service.messaging import links
from hushbook_service.models import Appointment, ShortLink
from support.api import Visitor, confirm_code, day, make_shop

CODE = re.compile(r"/m/([0-9A-HJKMNP-TV-Z]{8})$")


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


def _pending(client, app, shop):
    v = Visitor(client, "salon-a")
    offer = v.ask(shop.cut["id"], day(4)).json["offers"][0]
    booked = v.book(offer["token"]).json
    with app.app_context(), database.connection_context():
        claims = app.extensions["hushbook_keys"].verify("booking", booked["booking"])
        ref = claims.get("ref")
        aid = links.appointment_id(claims["tid"], ref) if ref else int(claims["sub"])
    return booked, aid


def _link(app, appointment_id, purpose):
    with app.test_request_context(), database.connection_context():
        appointment = Appointment.get_by_id(appointment_id)
        url = (
            links.confirm_link(appointment)
            if purpose == "confirm"
            else links.manage_link(appointment)
        )
    return CODE.search(url).group(1)


def test_message_links_are_short_codes_that_open_their_page(client, app, shop):
    booked, aid = _pending(client, app, shop)
    code = _link(app, aid, "confirm")
    assert _link(app, aid, "confirm") == code  # rendered again: the same code
    res = client.get(f"/m/{code}")
    assert res.status_code == 303 and res.headers["Cache-Control"] == "no-store"
    target = res.headers["Location"]
    assert "/v1/public/bookings/confirm/" in target
    page = client.get(target, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert page.status_code == 200 and "Jetzt bestätigen" in page.text  # booked in German
    assert client.get(f"/m/{code.lower()}").status_code == 303  # typed in lower case
    client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
    )
    manage = _link(app, aid, "manage")
    assert manage != code
    target = client.get(f"/m/{manage}?lang=de").headers["Location"]
    assert "/v1/public/manage/" in target and target.endswith("?lang=de")
    assert client.get(target.split("?")[0]).json["status"] == "confirmed"
    with app.app_context(), database.connection_context():
        rows = list(ShortLink.select())
        stored = " ".join(f"{r.digest} {r.purpose}" for r in rows)
    assert len(rows) == 2 and code not in stored and manage not in stored  # only hashes


def test_codes_expire_with_their_token(client, app, shop, monkeypatch):
    booked, aid = _pending(client, app, shop)
    confirm = _link(app, aid, "confirm")
    client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
    )
    manage = _link(app, aid, "manage")
    with app.app_context(), database.connection_context():
        appointment = Appointment.get_by_id(aid)
        start = appointment.start_at
        expiry = {r.purpose: r.expires_at for r in ShortLink.select()}
    assert expiry["manage"] == start
    assert expiry["confirm"] < start and expiry["confirm"] > utcnow()
    assert client.get(f"/m/{manage}").status_code == 303
    # The pending time is over: the confirmation code is gone, the manage one is not.
    later = expiry["confirm"] + timedelta(seconds=1)
    monkeypatch.setattr(links, "utcnow", lambda: later)
    gone = client.get(f"/m/{confirm}", headers={"Accept-Language": "en"})
    assert gone.status_code == 404 and "no longer valid" in gone.text
    assert client.get(f"/m/{manage}").status_code == 303
    # The appointment has started: the manage code is gone too, and purged.
    monkeypatch.setattr(links, "utcnow", lambda: start + timedelta(seconds=1))
    assert client.get(f"/m/{manage}").status_code == 404
    with app.app_context(), database.connection_context():
        assert links.purge(start + timedelta(seconds=1)) == 2
        assert ShortLink.select().count() == 0


def test_unknown_and_malformed_codes_get_one_page(client, app, shop):
    for code in ("ABCDEFGH", "00000000", "abc", "ABCDEFGHJ", "<script>", "%00%00%00%00"):
        res = client.get(f"/m/{code}", headers={"Accept-Language": "de"})
        assert res.status_code == 404 and "nicht mehr gültig" in res.text, code
        assert "<script>" not in res.text and "Location" not in res.headers


def test_short_links_are_rate_limited_per_address(client, app, shop):
    booked, aid = _pending(client, app, shop)
    code = _link(app, aid, "confirm")
    guesser = {"REMOTE_ADDR": "203.0.113.7"}
    answers = [client.get(f"/m/{i:08d}", environ_base=guesser).status_code for i in range(20)]
    assert answers == [404] * 20
    res = client.get(f"/m/{code}", environ_base=guesser)  # even a right code, now
    assert res.status_code == 429 and int(res.headers["Retry-After"]) > 0
    assert "Too many requests" in res.text or "Zu viele" in res.text
    # Someone else (another network) is not affected.
    assert client.get(f"/m/{code}", environ_base={"REMOTE_ADDR": "198.51.100.4"}).status_code == 303
    # Neighbours share the network's budget, a larger one.
    neighbours = [
        client.get(f"/m/{code}", environ_base={"REMOTE_ADDR": f"203.0.113.{i}"}).status_code
        for i in range(8, 80)
    ]
    assert 429 in neighbours and neighbours[:30] == [303] * 30
