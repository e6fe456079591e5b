"""What the customer's messages say (issue 15): their language, the salon's time
and details, links as buttons, a calendar file that updates the same entry, and
SMS that stay GSM-7 and within two segments."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hushbook_service.db import database
from hushbook_service.messaging import channels, texts
from hushbook_service.messaging import ledger as messages
from hushbook_service.models import Appointment, Message, Tenant
from support.api import CONSENT, Visitor, confirm_code, make_shop
from support.db import team_mails_off

EN_NOTICE = "We use your details for this appointment only."


@pytest.fixture
def shop(client, make_tenant, app):
    t = make_shop(client, make_tenant)
    client.post(
        "/v1/tenant/privacy-notices",
        json={"locale": "en", "text": EN_NOTICE},
        headers=t.owner.headers,
    )
    team_mails_off(app)
    return t


class Recorder:
    def __init__(self):
        self.sent: list[tuple[str, str, channels.Content]] = []

    def send(self, channel, to, content):
        self.sent.append((channel, to, content))
        return f"id-{len(self.sent)}"


def run_due(app, recorder) -> list[str]:
    with app.app_context(), database.connection_context():
        return [messages.deliver(i, recorder) for i in messages.claim_due()]


def book(client, app, shop, contact=None, confirm=True, rec=None, **extra):
    """An online booking; ``rec``: deliver what is due before and after confirming."""
    v = Visitor(client, shop.tenant.slug)
    offer = v.ask(shop.cut["id"]).json["offers"][0]
    consent = extra.pop("consent", CONSENT)
    body = v.booking_body(offer["token"], contact or {"email": "erika@example.org"}, **extra)
    body["consent"] = consent
    booked = v.send_booking(body)
    assert booked.status_code == 202, booked.json
    if rec is not None:
        run_due(app, rec)
    if confirm:
        ref = booked.json["booking"]
        res = client.post(
            "/v1/public/bookings/confirm", json={"booking": ref, "code": confirm_code(app, ref)}
        )
        assert res.status_code == 200, res.json
    with app.app_context(), database.connection_context():
        return Appointment.select().order_by(Appointment.id.desc()).get()


def move(client, shop, appt, days=1):
    item = client.get(f"/v1/appointments/{appt.id}", headers=shop.owner.headers)
    res = client.patch(
        f"/v1/appointments/{appt.id}",
        json={"start": (appt.start_at + timedelta(days=days)).isoformat()},
        headers={**shop.owner.headers, "If-Match": item.headers["ETag"]},
    )
    assert res.status_code == 200, res.json


def set_profile(app, **fields):
    with app.app_context(), database.connection_context():
        Tenant.update(**fields).execute()


def prop(ics: str, name: str) -> str | None:
    unfolded = ics.replace("\r\n ", "")
    found = re.search(rf"^{name}[;:](.*?)\r?$", unfolded, re.M)
    return found.group(1) if found else None


def test_an_english_booking_gets_english_messages(client, app, shop):
    """The salon speaks German; the customer booked in English (the consent's language)."""
    en = {**CONSENT, "locale": "en"}
    rec = Recorder()
    book(client, app, shop, consent=en, rec=rec)
    run_due(app, rec)
    request, confirmed = (c for _, _, c in rec.sent)
    assert request.subject.startswith("Please confirm: Cut on ")
    assert "Please confirm it within 30 minutes" in request.text
    assert 'lang="en"' in request.html and "Confirm appointment" in request.html
    assert confirmed.subject.startswith("Appointment confirmed: Cut on ")
    for content in (request, confirmed):
        assert "Termin" not in content.text and "Uhr" not in content.text
        # the salon's wall-clock time, its zone named for a visitor from elsewhere
        assert re.search(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d+ \w+ \d{4}", content.text)
        assert "Central European" in content.text
    assert prop(confirmed.ics, "DESCRIPTION").startswith("Cut – Salon salon-a")


def test_the_widget_language_wins_over_the_notice_language(client, app, shop):
    """An English visitor of a salon with a German notice only: the booking's locale."""
    rec = Recorder()
    book(client, app, shop, locale="en", rec=rec)
    run_due(app, rec)
    assert len(rec.sent) == 2
    assert all(c.subject.startswith(("Please", "Appointment")) for _, _, c in rec.sent)
    with app.app_context(), database.connection_context():
        assert Appointment.get(Appointment.source == "online").locale == "en"


def test_german_stays_german_without_a_zone(client, app, shop):
    book(client, app, shop)
    rec = Recorder()
    run_due(app, rec)
    confirmed = rec.sent[-1][2]
    assert confirmed.subject.startswith("Termin bestätigt: Cut am ")
    assert re.search(
        r"(Mon|Diens|Mittwoch|Donners|Frei|Sams|Sonn)\w*, \d+\. \w+ \d{4}", confirmed.text
    )
    assert "Uhr" in confirmed.text and "Mitteleuropäische" not in confirmed.text


def test_mails_carry_buttons_and_the_salons_details(client, app, shop):
    set_profile(app, address="Hauptstraße 1\n10115 Berlin", phone="+49 30 1234567", currency="CHF")
    rec = Recorder()
    book(client, app, shop, rec=rec)
    run_due(app, rec)
    request, confirmed = (c for _, _, c in rec.sent)
    link = re.search(r"https?://\S+/m/[0-9A-Z]{8}", request.text).group(0)
    assert f'<a href="{link}"' in request.html  # a real link, as a button
    assert confirm_code_in(request)
    manage = re.search(r"https?://\S+/m/[0-9A-Z]{8}", confirmed.text).group(0)
    assert f'<a href="{manage}"' in confirmed.html
    for content in (request, confirmed):
        for part in (content.text, content.html):
            assert "Hauptstraße 1, 10115 Berlin" in part
            assert "+49 30 1234567" in part
            assert "45,00" in part and "CHF" in part  # the service's price, the salon's currency
    assert "<script" not in confirmed.html
    assert prop(confirmed.ics, "LOCATION") == "Salon salon-a\\, Hauptstraße 1\\, 10115 Berlin"
    assert prop(confirmed.ics, "URL") == manage


def confirm_code_in(content) -> bool:
    return bool(re.search(r"\b\d{6}\b", content.text))


def test_calendar_sequence_uid_and_alarm(client, app, shop, monkeypatch):
    monkeypatch.setenv("HUSHBOOK_PUBLIC_URL", "https://booking.salon.test:8443/base")
    appt = book(client, app, shop)
    rec = Recorder()
    run_due(app, rec)
    first = rec.sent[-1][2].ics
    assert prop(first, "SEQUENCE") == "0"  # the first version
    uid = prop(first, "UID")
    assert re.fullmatch(r"[0-9a-f]{24}@booking\.salon\.test", uid)  # host only: no port
    assert prop(first, "LOCATION") is None  # no address given: no made-up location
    assert "BEGIN:VALARM" in first  # the customer agreed to reminders
    move(client, shop, appt)
    run_due(app, rec)
    moved = rec.sent[-1][2].ics
    assert (prop(moved, "SEQUENCE"), prop(moved, "UID")) == ("1", uid)
    move(client, shop, appt, days=2)
    run_due(app, rec)
    assert prop(rec.sent[-1][2].ics, "SEQUENCE") == "2"
    res = client.post(f"/v1/appointments/{appt.id}/cancel", headers=shop.owner.headers)
    assert res.status_code == 200, res.json
    run_due(app, rec)
    cancelled = rec.sent[-1][2].ics
    assert (prop(cancelled, "SEQUENCE"), prop(cancelled, "UID")) == ("3", uid)
    assert prop(cancelled, "METHOD") == "CANCEL" and "VALARM" not in cancelled
    assert all(len(line.encode()) <= 75 for line in cancelled.split("\r\n"))


def test_no_alarm_without_reminder_consent(client, app, shop):
    book(client, app, shop, consent={**CONSENT, "purposes": ["booking"]})
    rec = Recorder()
    run_due(app, rec)
    ics = rec.sent[-1][2].ics
    assert "BEGIN:VEVENT" in ics and "VALARM" not in ics


def test_gsm7_and_segments():
    assert texts.gsm7("Grüße – „Café“ …") == 'Grüße - "Café" ...'  # é is GSM-7
    assert texts.gsm7("Façon ç Ł 😀") == "Facon c L ?"
    assert texts.sms_segments("a" * 160) == ("GSM-7", 1)
    assert texts.sms_segments("a" * 161) == ("GSM-7", 2)
    assert texts.sms_segments("€" * 80) == ("GSM-7", 1)  # extension characters count twice
    assert texts.sms_segments("€" * 81) == ("GSM-7", 2)
    assert texts.sms_segments("ä" * 160) == ("GSM-7", 1)  # umlauts are GSM-7
    assert texts.sms_segments("ł" * 70) == ("UCS-2", 1)
    assert texts.sms_segments("ł" * 71) == ("UCS-2", 2)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_sms_is_gsm7_within_two_segments(client, app, shop, lang):
    """Long names of salon, service and team member, a phone only: every kind."""
    set_profile(app, name="Salon Überlänge – Haarkunst & Kosmetik am Kurfürstendamm GmbH")
    with app.app_context(), database.connection_context():
        from hushbook_service.models import Service

        Service.update(name="Färben, Strähnchen und Föhnen – langes Haar (über Schulter)").execute()
        Tenant.update(show_staff_names=True).execute()
    phone = {"phone": "0170 1234567"}
    pending = book(client, app, shop, contact=phone, confirm=False, locale=lang)
    appt = book(client, app, shop, contact=phone, locale=lang)
    move(client, shop, appt)
    with app.app_context(), database.connection_context():
        rows = list(
            Message.select().where(
                Message.appointment.in_([pending.id, appt.id]),
                Message.channel == "sms",
                Message.state != "revoked",
            )
        )
        rendered = {}
        for row in rows:
            a = Appointment.get_by_id(row.appointment_id)
            rendered[row.kind] = texts.render(row, a).text
        appt_row = Appointment.get_by_id(appt.id)
        appt_row.status = "cancelled"
        rendered["cancelled"] = texts.render(
            Message(id=0, version=1, kind="cancelled", channel="sms"), appt_row
        ).text
    assert {"confirm_request", "confirmed", "reminder_1", "reminder_2", "rescheduled"} <= set(
        rendered
    )
    for kind, text in rendered.items():
        encoding, segments = texts.sms_segments(text)
        assert (encoding, segments <= 2) == ("GSM-7", True), (kind, text)
        assert "/m/" in text or kind == "cancelled", (kind, text)
        assert "Erika" not in text
        other_language = {"de": ("appointment", "confirmed"), "en": ("Termin", "bestätig")}[lang]
        assert not any(word in text for word in other_language), (lang, text)
