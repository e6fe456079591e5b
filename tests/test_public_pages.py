"""Pages behind the links in messages: a GET only shows, a POST changes.

The manage page shows the appointment in the visitor's language and the salon's
zone, moves it (the page's script on the manage link's offers), cancels it only
after asking, and past the salon's deadline sends people to the phone. The
confirmation page shows what is confirmed, a calendar file and the manage link.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import timedelta

import pytest

from hushbook.public import solve_pow
from hushbook_service.db import database, utcnow
from hushbook_service.models import Appointment, AuditEvent, Message
from support.api import Visitor, confirm_code, day, make_shop, patch_tenant

HTML = {"Accept": "text/html", "Accept-Language": "en"}
GERMAN = {"Accept": "text/html", "Accept-Language": "de"}


@pytest.fixture
def shop(client, make_tenant):
    t = make_shop(client, make_tenant)
    patch_tenant(
        client,
        t,
        {
            "address": "Hauptstraße 1\n10115 Berlin",
            "phone": "+49 30 1234567",
            "show_staff_names": True,
            "imprint_url": "https://salon-a.example/impressum",
        },
    )
    return t


def _booked(client, shop, locale="en"):
    """A pending booking made in ``locale`` (the customer's language; None: the
    consent's, German)."""
    v = Visitor(client, "salon-a")
    offer = v.ask(shop.cut["id"], day(4)).json["offers"][0]
    answer = v.book(offer["token"], **({"locale": locale} if locale else {})).json
    return answer


def _confirmed(client, app, shop, locale="en"):
    booked = _booked(client, shop, locale)
    code = confirm_code(app, booked["booking"])
    res = client.post(
        "/v1/public/bookings/confirm", json={"booking": booked["booking"], "code": code}
    )
    return res.json["manage_token"]


def _snapshot(app):
    """Everything a manage link could change: appointments, messages, audit trail."""
    with app.app_context(), database.connection_context():
        return (
            [(a.id, a.status, a.start_at, a.updated_at) for a in Appointment.select()],
            [(m.id, m.kind, m.state, m.version) for m in Message.select()],
            AuditEvent.select().count(),
        )


def _config(page_html):
    raw = re.search(r'id="hb-reschedule" data-config="([^"]*)"', page_html).group(1)
    return json.loads(html_lib.unescape(raw))


def test_manage_get_changes_nothing(client, app, shop):
    """Mail scanners follow links and prefetch: no GET under a manage link (the page,
    the cancel question, the calendar file, the JSON view) changes anything."""
    token = _confirmed(client, app, shop)
    before = _snapshot(app)
    base = f"/v1/public/manage/{token}"
    for _ in range(3):
        for url, headers in [
            (base, HTML),
            (base, GERMAN),
            (f"{base}?step=cancel", HTML),
            (f"{base}?done=moved&lang=de", HTML),
            (f"{base}/calendar.ics", {}),
            (base, {}),
        ]:
            res = client.get(url, headers=headers)
            assert res.status_code == 200, (url, res.status_code)
            res = client.head(url, headers=headers)
            assert res.status_code == 200, (url, res.status_code)
    assert _snapshot(app) == before
    assert client.get(base).json["status"] == "confirmed"


def test_manage_page_shows_the_appointment_in_english_and_german(client, app, shop):
    token = _confirmed(client, app, shop)
    view = client.get(f"/v1/public/manage/{token}").json
    assert view["address"].startswith("Hauptstraße 1") and view["phone"] == "+49 30 1234567"
    assert view["can_cancel"] and view["can_reschedule"]
    start = view["start"]
    page = client.get(f"/v1/public/manage/{token}", headers=HTML)
    assert page.status_code == 200 and '<html lang="en">' in page.text
    text = page.text
    assert "Cut" in text and "Salon" in text and "Hauptstraße 1" in text
    assert re.search(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d{1,2} [A-Z][a-z]+ 20\d\d", text)
    assert ">confirmed<" in text and "You can cancel or move" in text
    assert 'href="tel:+49301234567"' in text
    assert 'href="https://salon-a.example/impressum"' in text and "Imprint" in text
    assert "/book/salon-a?lang=en" in text  # book again
    assert f"/v1/public/manage/{token}/calendar.ics" in text
    assert "stylist" in text.lower()  # the salon shows names: the person is named
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert " style=" not in text and "<script>" not in text  # no inline style, no inline code
    # The booking's language wins over the browser's; ?lang= over both.
    assert '<html lang="en">' in client.get(f"/v1/public/manage/{token}", headers=GERMAN).text
    german = client.get(f"/v1/public/manage/{token}?lang=de", headers=HTML).text
    assert '<html lang="de">' in german and ">bestätigt<" in german
    assert re.search(
        r"(Mon|Diens|Mittwoch|Donners|Frei|Sams|Sonn)\w*, \d{1,2}\. [A-ZÄ]\w+ 20\d\d", german
    )
    assert "Uhr" in german and "Termin absagen" in german
    assert start  # the JSON view keeps its ISO instant


def test_cancel_asks_first_and_only_the_answer_cancels(client, app, shop):
    token = _confirmed(client, app, shop)
    base = f"/v1/public/manage/{token}"
    page = client.get(base, headers=HTML).text
    # The page's cancel button only asks (a GET form): nothing changes yet.
    assert re.search(r'<form method="get" action="[^"]*/manage/[^"]+">', page)
    question = client.get(f"{base}?step=cancel&lang=en", headers=HTML)
    assert "Do you really want to cancel" in question.text
    action = re.search(r'<form method="post" action="([^"]+)"', question.text).group(1)
    assert html_lib.unescape(action) == f"{base}/cancel?lang=en"
    assert 'name="confirm" value="yes"' in question.text
    assert client.get(base).json["status"] == "confirmed"
    # A form post without the answer asks again; it does not cancel.
    asked = client.post(f"{base}/cancel", data={}, headers=HTML)
    assert asked.status_code == 200 and "Do you really want to cancel" in asked.text
    assert client.get(base).json["status"] == "confirmed"
    done = client.post(f"{base}/cancel?lang=en", data={"confirm": "yes"}, headers=HTML)
    assert done.status_code == 200 and "Your appointment is cancelled." in done.text
    assert "Do you really" not in done.text and 'method="post"' not in done.text
    assert ">cancelled<" in done.text and "Book again" in done.text
    again = client.post(f"{base}/cancel", data={"confirm": "yes"}, headers=HTML)
    assert again.status_code == 409 and "no longer be changed online" in again.text
    assert client.get(base).json["status"] == "cancelled"
    bad = client.post(f"{base}/cancel", data={"confirm": "maybe"}, headers=HTML)
    assert bad.status_code == 422


def test_inside_the_deadline_online_changes_are_refused_with_the_phone(client, app, shop):
    token = _confirmed(client, app, shop)
    base = f"/v1/public/manage/{token}"
    start = client.get(base).json["start"]
    assert client.get(base).json["can_cancel"]
    # The appointment is 3-5 days away: a 7-day deadline puts it inside.
    patch_tenant(client, shop, {"manage_deadline_hours": 7 * 24})
    view = client.get(base).json
    assert not view["can_cancel"] and not view["can_reschedule"]
    assert view["changes_until"] < start
    page = client.get(base, headers=HTML).text
    assert "too close to change it online. Please call us:" in page
    assert 'href="tel:+49301234567"' in page
    assert "hb-reschedule" not in page and "Cancel appointment" not in page
    for url, body in [
        (f"{base}/cancel", None),
        (f"{base}/offers", {"date_from": day(8).isoformat(), "date_to": day(9).isoformat()}),
        (f"{base}/reschedule", {"offer": "x" * 40}),
    ]:
        res = client.post(url, json=body) if body else client.post(url)
        assert res.status_code == 409 and res.json["reason"] == "manage_deadline", (url, res.json)
    form = client.post(f"{base}/cancel", data={"confirm": "yes"}, headers=HTML)
    assert form.status_code == 409 and client.get(base).json["status"] == "confirmed"
    # Without a phone: "contact the salon".
    patch_tenant(client, shop, {"phone": ""})
    assert "Please contact the salon directly." in client.get(base, headers=HTML).text
    # The deadline back to 0: changes allowed until the start.
    patch_tenant(client, shop, {"manage_deadline_hours": 0})
    assert client.get(base).json["can_cancel"]


def test_deadline_default_is_24_hours(client, app, shop):
    token = _confirmed(client, app, shop)
    view = client.get(f"/v1/public/manage/{token}").json
    from datetime import datetime

    start = datetime.fromisoformat(view["start"])
    until = datetime.fromisoformat(view["changes_until"])
    assert start - until == timedelta(hours=24)
    assert until > utcnow()


def test_the_page_moves_with_the_manage_links_protocol(client, app, shop):
    """What page.js does: the config's offers URL with a wish, then its reschedule
    URL with the chosen offer; the new manage page says it was moved."""
    token = _confirmed(client, app, shop)
    page = client.get(f"/v1/public/manage/{token}", headers=HTML).text
    assert '<script src="/static/page.js" defer></script>' in page
    config = _config(page)
    assert config["texts"]["move"] == "Move to this time" and config["zone"] == "Europe/Berlin"
    wish = {"date_from": day(9).isoformat(), "date_to": day(11).isoformat(), "parts": ["morning"]}
    ch = client.post(config["challenge"]).json  # the page solves the link's puzzle
    proof = {"challenge": ch["challenge"], "nonce": solve_pow(ch["challenge_id"], ch["bits"])}
    offers = client.post(config["offers"], json={**wish, "pow": proof}).json["offers"]
    assert offers
    moved = client.post(config["reschedule"], json={"offer": offers[0]["token"]})
    assert moved.status_code == 200 and moved.json["start"] == offers[0]["start"]
    done = config["done"].replace("{token}", moved.json["manage_token"])
    after = client.get(done, headers=HTML).text
    assert "Your appointment has been moved." in after
    german = _config(client.get(f"/v1/public/manage/{token}?lang=de", headers=HTML).text)
    assert german["texts"]["move"] == "Auf diese Zeit verschieben"


def test_calendar_file_is_the_appointment(client, app, shop):
    token = _confirmed(client, app, shop)
    res = client.get(f"/v1/public/manage/{token}/calendar.ics")
    assert res.status_code == 200 and res.mimetype == "text/calendar"
    assert "attachment" in res.headers["Content-Disposition"]
    body = res.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body and "Cut" in body
    bad = client.get("/v1/public/manage/nonsense/calendar.ics")
    assert bad.status_code == 422


def test_confirmation_page_shows_what_was_confirmed(client, app, shop):
    from hushbook_service.messaging import links

    booked = _booked(client, shop)
    with app.app_context(), database.connection_context():
        claims = app.extensions["hushbook_keys"].verify("booking", booked["booking"])
        ref = claims.get("ref")  # the appointment's name in public tokens
        aid = links.appointment_id(claims["tid"], ref) if ref else int(claims["sub"])
        appointment = Appointment.get_by_id(aid)
        link_token = links.confirmation_link_token(appointment)
    url = f"/v1/public/bookings/confirm/{link_token}"
    shown = client.get(url, headers=HTML)
    assert shown.status_code == 200 and "Please confirm this appointment:" in shown.text
    assert "Cut" in shown.text and "Hauptstraße 1" in shown.text
    assert client.get(url).status_code == 200  # still pending after a GET
    with app.app_context(), database.connection_context():
        assert Appointment.get_by_id(appointment.id).status == "pending"
    done = client.post(f"{url}?lang=en", headers=HTML)
    text = done.text
    assert done.status_code == 200 and "<title>Your appointment is confirmed</title>" in text
    for needle in ("Cut", "Salon", "Hauptstraße 1", "+49 30 1234567", ">confirmed<"):
        assert needle in text, needle
    assert re.search(r"\d{2}:\d{2}–\d{2}:\d{2}", text)
    ics = re.search(r'href="([^"]+/calendar\.ics)" download', text).group(1)
    assert client.get(html_lib.unescape(ics)).mimetype == "text/calendar"
    manage = html_lib.unescape(
        re.search(r'href="([^"]+/manage/[^"]+)">Cancel or move', text).group(1)
    )
    assert client.get(manage, headers=HTML).status_code == 200
    assert client.get(manage.split("?")[0]).json["status"] == "confirmed"
    reopened = client.get(url, headers=HTML).text  # the link again: what is confirmed
    assert "Your appointment is confirmed" in reopened and 'method="post"' not in reopened
    german = client.post(f"{url}?lang=de", headers=HTML).text  # confirming twice: harmless
    assert "Ihr Termin ist bestätigt" in german and "Zum Kalender hinzufügen" in german
    gone = client.get("/v1/public/bookings/confirm/forged", headers=HTML)
    assert gone.status_code == 409 and "no longer valid" in gone.text


def test_a_german_booking_gets_german_pages_in_an_english_browser(client, app, shop):
    token = _confirmed(client, app, shop, locale=None)  # the consent's language: de
    page = client.get(f"/v1/public/manage/{token}", headers=HTML).text
    assert '<html lang="de">' in page and "Ihr Termin" in page and ">bestätigt<" in page


def test_pages_escape_the_salons_texts(client, app, shop):
    patch_tenant(client, shop, {"address": "<script>alert(1)</script>", "name": '"><img src=x>'})
    token = _confirmed(client, app, shop)
    page = client.get(f"/v1/public/manage/{token}", headers=HTML).text
    assert "<script>alert" not in page and "<img src=x>" not in page
    assert "&lt;script&gt;" in page
    bad = client.get("/v1/public/manage/<script>x", headers=HTML)
    assert bad.status_code == 422 and "<script>" not in bad.text
