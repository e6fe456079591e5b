"""The salon is told (issue 15): new online bookings, confirmations, cancellations
and moves reach the people who want them — each person their own appointments,
owner, manager and reception all of them — by e-mail, with ids, time, service and
a link into the staff console, never anything about the client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hushbook_service.db import database
from hushbook_service.messaging import channels
from hushbook_service.messaging import ledger as messages
from hushbook_service.models import Appointment, Message, Staff
from hushbook_service.public import bookings
from support.api import Visitor, confirm_code, make_shop

CLIENT = ("Erika Mustermann", "erika@example.org", "0170 1234567", "1701234567")


@pytest.fixture
def shop(client, make_tenant):
    t = make_shop(client, make_tenant)
    t.reception = t.member("reception", "desk")
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


def book(client, shop):
    v = Visitor(client, shop.tenant.slug)
    offer = v.ask(shop.cut["id"]).json["offers"][0]
    body = v.booking_body(offer["token"], {"email": CLIENT[1], "phone": CLIENT[2]})
    body["profile"] = {"name": CLIENT[0]}
    booked = v.send_booking(body)
    assert booked.status_code == 202, booked.json
    with app_ctx(client):
        appt = Appointment.select().order_by(Appointment.id.desc()).get()
    return booked.json["booking"], appt


def app_ctx(client):
    app = client.application

    class Ctx:
        def __enter__(self):
            self.a = app.app_context()
            self.a.__enter__()
            self.c = database.connection_context()
            self.c.__enter__()

        def __exit__(self, *exc):
            self.c.__exit__(*exc)
            self.a.__exit__(*exc)

    return Ctx()


def team_rows(app, appointment_id, kind=None):
    """{kind: sorted recipient e-mails} of the team's rows."""
    with app.app_context(), database.connection_context():
        q = Message.select().where(
            Message.appointment == appointment_id, Message.kind.startswith("team_")
        )
        out: dict[str, list[str]] = {}
        for m in q:
            out.setdefault(m.kind, []).append(Staff.get_by_id(m.recipient).email)
    return {k: sorted(v) for k, v in out.items() if kind is None or k == kind}


def test_each_person_their_own_and_the_front_desk_all(client, app, shop):
    ref, appt = book(client, shop)
    with app.app_context(), database.connection_context():
        stylist = Staff.get_by_id(appt.staff_id).email
    expected = sorted([shop.owner.staff.email, shop.reception.staff.email, stylist])
    assert team_rows(app, appt.id) == {"team_booked": expected}  # not the other stylist
    rec = Recorder()
    run_due(app, rec)
    to_team = [(to, c) for ch, to, c in rec.sent if ch == "staff"]
    assert sorted(to for to, _ in to_team) == expected
    for _, content in to_team:
        everything = content.subject + content.text + content.html
        for secret in CLIENT:  # nothing about the client: name, e-mail, phone
            assert secret not in everything
        assert f"#{appt.id}" in content.subject
        assert f"/console/?appointment={appt.id}" in content.text
        assert f'href="http://127.0.0.1:8000/console/?appointment={appt.id}"' in content.html
        assert "Cut" in content.text and content.ics is None


def test_confirm_cancel_and_move_are_told_but_not_to_who_did_it(client, app, shop):
    ref, appt = book(client, shop)
    res = client.post(
        "/v1/public/bookings/confirm", json={"booking": ref, "code": confirm_code(app, ref)}
    )
    assert res.status_code == 200, res.json
    with app.app_context(), database.connection_context():
        stylist = Staff.get_by_id(appt.staff_id).email
    everyone = sorted([shop.owner.staff.email, shop.reception.staff.email, stylist])
    assert team_rows(app, appt.id, "team_confirmed") == {"team_confirmed": everyone}
    # the owner moves it: the others are told, the owner (who did it) is not
    item = client.get(f"/v1/appointments/{appt.id}", headers=shop.owner.headers)
    res = client.patch(
        f"/v1/appointments/{appt.id}",
        json={"start": (appt.start_at + timedelta(days=1)).isoformat()},
        headers={**shop.owner.headers, "If-Match": item.headers["ETag"]},
    )
    assert res.status_code == 200, res.json
    others = sorted([shop.reception.staff.email, stylist])
    assert team_rows(app, appt.id, "team_rescheduled") == {"team_rescheduled": others}
    # the customer cancels (no team member acting): everyone is told
    with app.app_context(), database.connection_context():
        bookings.cancel(Appointment.get_by_id(appt.id))
    assert team_rows(app, appt.id, "team_cancelled") == {"team_cancelled": everyone}
    rec = Recorder()
    run_due(app, rec)
    subjects = {c.subject.split(":")[0] for ch, _, c in rec.sent if ch == "staff"}
    assert {"Neue Online-Buchung", "Bestätigt", "Verschoben", "Abgesagt"} <= subjects


def test_switched_off_per_person_also_after_arming(client, app, shop):
    # the reception switches its own e-mails off; the owner switches a stylist's off
    res = client.patch(
        "/v1/auth/me", json={"notify_bookings": False}, headers=shop.reception.headers
    )
    assert res.status_code == 200 and res.json["notify_bookings"] is False, res.json
    ref, appt = book(client, shop)
    with app.app_context(), database.connection_context():
        stylist = Staff.get_by_id(appt.staff_id)
    assert team_rows(app, appt.id) == {
        "team_booked": sorted([shop.owner.staff.email, stylist.email])
    }
    etag = client.get(f"/v1/staff/{stylist.id}", headers=shop.owner.headers).headers["ETag"]
    res = client.patch(
        f"/v1/staff/{stylist.id}",
        json={"notify_bookings": False},
        headers={**shop.owner.headers, "If-Match": etag},
    )
    assert res.status_code == 200 and res.json["notify_bookings"] is False, res.json
    rec = Recorder()
    run_due(app, rec)  # the stylist's row was armed before: skipped when sent
    assert sorted(to for ch, to, _ in rec.sent if ch == "staff") == [shop.owner.staff.email]
    with app.app_context(), database.connection_context():
        skipped = Message.get(Message.recipient == stylist.id)
    assert (skipped.state, skipped.last_error) == ("skipped", "not_wanted")
    # a stylist may not switch someone else's; a key has no e-mails of its own
    other = shop.stylists[0] if shop.stylists[0].staff.id != stylist.id else shop.stylists[1]
    etag = client.get(f"/v1/staff/{stylist.id}", headers=shop.owner.headers).headers["ETag"]
    res = client.patch(
        f"/v1/staff/{stylist.id}",
        json={"notify_bookings": True},
        headers={**other.headers, "If-Match": etag},
    )
    assert res.status_code == 403


def test_mark_outcome_links_to_the_console(client, app, shop, monkeypatch, tmp_path):
    ref, appt = book(client, shop)
    client.post(
        "/v1/public/bookings/confirm", json={"booking": ref, "code": confirm_code(app, ref)}
    )
    run_due(app, Recorder())
    clock = tmp_path / "clock"
    clock.write_text((appt.end_at + timedelta(minutes=31)).isoformat())
    monkeypatch.setenv("HUSHBOOK_CLOCK_FILE", str(clock))
    rec = Recorder()
    run_due(app, rec)
    (ask,) = [c for ch, _, c in rec.sent if ch == "staff" and "eintragen" in c.subject]
    assert re.search(rf"/console/\?appointment={appt.id}\b", ask.text)
    assert f"/console/?appointment={appt.id}" in ask.html
    assert "Erika" not in ask.text + ask.html
