"""Consent decides what the customer gets, and on which channel (issue 15).

Reminders only with the customer's consent to ``reminders``; one channel, the
one the customer chose (the other only when the first fails for good); a
consent withdrawn revokes what was armed, and a withdrawn consent is checked
again when a message is sent.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from hushbook_service.db import database
from hushbook_service.messaging import channels
from hushbook_service.messaging import ledger as messages
from hushbook_service.models import Appointment, Message
from support.api import CONSENT, Visitor, confirm_code, make_shop
from support.db import message_rows

NO_REMINDERS = {**CONSENT, "purposes": ["booking"]}


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


class Recorder:
    """A transport that keeps what it was given; ``refuse``: channels that fail for good."""

    def __init__(self, refuse=()):
        self.sent: list[tuple[str, str, channels.Content]] = []
        self.refuse = set(refuse)

    def send(self, channel, to, content):
        if channel in self.refuse:
            raise channels.PermanentFailure(
                "recipient_refused_550" if channel == "email" else "sms_400"
            )
        self.sent.append((channel, to, content))
        return f"id-{len(self.sent)}"


def run_due(app, recorder) -> list[str]:
    with app.app_context(), database.connection_context():
        return [messages.deliver(i, recorder) for i in messages.claim_due()]


def book_and_confirm(client, app, shop, consent=CONSENT, contact=None, **extra):
    """An online booking (confirmed with its code); returns the appointment id."""
    v = Visitor(client, shop.tenant.slug)
    offer = v.ask(shop.cut["id"], first=None).json["offers"][0]
    body = v.booking_body(offer["token"], contact or {"email": "erika@example.org"}, **extra)
    body["consent"] = consent
    booked = v.send_booking(body)
    assert booked.status_code == 202, booked.json
    res = client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked.json["booking"], "code": confirm_code(app, booked.json["booking"])},
    )
    assert res.status_code == 200, res.json
    with app.app_context(), database.connection_context():
        return Appointment.select().order_by(Appointment.id.desc()).get().id


def customer_rows(app, appointment_id):
    return [r for r in message_rows(app, appointment_id) if r[1] != "staff"]


def test_no_reminders_without_consent(client, app, shop):
    appt = book_and_confirm(client, app, shop, consent=NO_REMINDERS)
    kinds = {k for k, _, _ in customer_rows(app, appt)}
    assert "confirmed" in kinds
    assert not {k for k in kinds if k.startswith("reminder")}  # none armed at all


def test_reminders_with_consent(client, app, shop):
    appt = book_and_confirm(client, app, shop)
    kinds = {k for k, _, s in customer_rows(app, appt) if s == "pending"}
    assert {"reminder_1", "reminder_2"} & kinds


def test_one_channel_the_customer_chose(client, app, shop):
    both = {"email": "erika@example.org", "phone": "0170 1234567"}
    by_mail = book_and_confirm(client, app, shop, contact=both)
    assert {c for _, c, _ in customer_rows(app, by_mail)} == {"email"}  # e-mail first by default
    by_sms = book_and_confirm(client, app, shop, contact=both, channel="sms")
    assert {c for _, c, _ in customer_rows(app, by_sms)} == {"sms"}


def test_the_other_channel_only_when_the_first_fails_for_good(client, app, shop):
    both = {"email": "erika@example.org", "phone": "0170 1234567"}
    appt = book_and_confirm(client, app, shop, contact=both)
    rec = Recorder(refuse={"email"})
    run_due(app, rec)  # the request (sent before confirming) and the confirmation
    rows = {(k, c): s for k, c, s in customer_rows(app, appt)}
    assert rows[("confirmed", "email")] == "failed"
    assert rows[("confirmed", "sms")] == "pending"  # the fallback, due now
    run_due(app, rec)
    assert [(c, to) for c, to, content in rec.sent if "Termin" in content.text][-1] == (
        "sms",
        "+491701234567",
    )
    rows = {(k, c): s for k, c, s in customer_rows(app, appt)}
    assert rows[("confirmed", "sms")] == "sent"


def test_withdrawn_consent_revokes_armed_reminders(client, app, shop):
    appt = book_and_confirm(client, app, shop)
    with app.app_context(), database.connection_context():
        client_id = Appointment.get_by_id(appt).client_id
    res = client.post(
        f"/v1/clients/{client_id}/consents", json=NO_REMINDERS, headers=shop.owner.headers
    )
    assert res.status_code == 201, res.json
    states = {k: s for k, _, s in customer_rows(app, appt) if k.startswith("reminder")}
    assert states and set(states.values()) == {"revoked"}
    # given again: armed again
    res = client.post(f"/v1/clients/{client_id}/consents", json=CONSENT, headers=shop.owner.headers)
    assert res.status_code == 201, res.json
    states = {k: s for k, _, s in customer_rows(app, appt) if k.startswith("reminder")}
    assert "pending" in states.values()


def test_withdrawn_consent_is_checked_again_when_sending(client, app, shop, monkeypatch, tmp_path):
    """A consent row written by any path (here: straight into the database) stops a
    reminder that is already due: the sender asks the same rule."""
    from hushbook_service.models import Consent

    appt = book_and_confirm(client, app, shop)
    run_due(app, Recorder())
    with app.app_context(), database.connection_context():
        row = Appointment.get_by_id(appt)
        Consent.create(
            tenant=row.tenant_id,
            client=row.client_id,
            notice_version=1,
            locale="de",
            purposes="booking",
            source="staff",
        )
        start = row.start_at
    clock = tmp_path / "clock"
    clock.write_text((start - timedelta(hours=2) + timedelta(minutes=1)).isoformat())
    monkeypatch.setenv("HUSHBOOK_CLOCK_FILE", str(clock))
    rec = Recorder()
    assert set(run_due(app, rec)) == {"skipped"}
    assert rec.sent == []
    with app.app_context(), database.connection_context():
        reasons = {
            m.last_error for m in Message.select().where(Message.kind.startswith("reminder"))
        }
    assert reasons == {"no_consent"}


def test_the_customer_turns_reminders_off_and_on_under_the_manage_link(client, app, shop):
    from hushbook_service.messaging import links

    appt = book_and_confirm(client, app, shop)
    with app.app_context(), database.connection_context():
        token = links.manage_token(Appointment.get_by_id(appt))
    url = f"/v1/public/manage/{token}/reminders"
    res = client.post(url, json={"reminders": False})
    assert res.status_code == 200 and res.json == {"reminders": False}, res.json
    states = {k: s for k, _, s in customer_rows(app, appt) if k.startswith("reminder")}
    assert states and set(states.values()) == {"revoked"}
    detail = client.get(f"/v1/clients/{client_id_of(app, appt)}", headers=shop.owner.headers).json
    assert detail["consents"][-1]["purposes"] == ["booking"]
    assert detail["consents"][-1]["source"] == "online"
    res = client.post(url, json={"reminders": True})
    assert res.status_code == 200 and res.json == {"reminders": True}, res.json
    states = {k: s for k, _, s in customer_rows(app, appt) if k.startswith("reminder")}
    assert "pending" in states.values()
    assert client.get(url).status_code == 405  # only a POST changes anything
    assert (
        client.post(url.replace(token, token[:-2] + "xx"), json={"reminders": False}).status_code
        == 422
    )


def client_id_of(app, appointment_id):
    with app.app_context(), database.connection_context():
        return Appointment.get_by_id(appointment_id).client_id
