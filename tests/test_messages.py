"""The message ledger (issue 5): arming, revoking, claiming, retrying, rendering."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from hushbook_service.db import database
from hushbook_service.messaging import channels
from hushbook_service.messaging import ledger as messages
from hushbook_service.models import Appointment, Message
from support.api import book_online, confirm_code, make_shop
from support.db import message_rows, team_mails_off


@pytest.fixture
def shop(client, make_tenant, app):
    """The customer's messages only: the team's booking e-mails are
    test_messages_team.py's."""
    t = make_shop(client, make_tenant)
    team_mails_off(app)
    return t


class Recorder:
    """A transport that keeps what it was given; fails while ``failures`` > 0."""

    def __init__(self, failures: int = 0, permanent: bool = False):
        self.sent: list[tuple[str, str, channels.Content]] = []
        self.failures, self.permanent = failures, permanent

    def send(self, channel, to, content):
        if self.failures:
            self.failures -= 1
            cls = channels.PermanentFailure if self.permanent else channels.TransientFailure
            raise cls("smtp_unreachable" if not self.permanent else "recipient_refused_550")
        self.sent.append((channel, to, content))
        return f"id-{len(self.sent)}"


def run_due(app, recorder) -> list[str]:
    """What the worker does: claim the due rows, deliver each."""
    with app.app_context(), database.connection_context():
        return [messages.deliver(i, recorder) for i in messages.claim_due()]


def set_clock(monkeypatch, tmp_path, when: datetime) -> None:
    clock = tmp_path / "clock"
    clock.write_text(when.isoformat())
    monkeypatch.setenv("HUSHBOOK_CLOCK_FILE", str(clock))


def test_double_opt_in_then_confirmed_and_reminders(client, app, shop):
    booked = book_online(client, shop)
    assert message_rows(app) == [("confirm_request", "email", "pending")]
    rec = Recorder()
    assert run_due(app, rec) == ["sent"]
    channel, to, content = rec.sent[0]
    assert (channel, to) == ("email", "erika@example.org")
    code = confirm_code(app, booked["booking"])
    assert code in content.text
    short = re.search(r"http\S+(/m/[0-9A-Z]{8})\b", content.text).group(1)
    assert "Erika" not in content.text + content.html  # no name: the recipient knows it
    assert content.ics is None
    opened = client.get(short)  # the short link leads to the confirmation page
    assert opened.status_code == 303
    link = opened.headers["Location"]
    assert "/v1/public/bookings/confirm/" in link
    page = client.get(link)
    assert page.status_code == 200 and "<form" in page.text
    assert client.post(link).status_code == 200  # the button
    kinds = [r[:1] + r[2:] for r in message_rows(app)]
    assert ("confirm_request", "sent") in kinds and ("confirmed", "pending") in kinds
    assert run_due(app, rec) == ["sent"]
    confirmed = rec.sent[1][2]
    assert "BEGIN:VEVENT" in confirmed.ics and "STATUS:CONFIRMED" in confirmed.ics
    assert re.search(r"/m/[0-9A-Z]{8}\b", confirmed.text)  # the manage link, short
    with app.app_context(), database.connection_context():
        appt = Appointment.get(Appointment.source == "online")
        dues = {m.kind: m.due_at for m in Message.select().where(Message.kind.startswith("rem"))}
    start = appt.start_at
    assert dues == {
        "reminder_1": start - timedelta(hours=24),
        "reminder_2": start - timedelta(hours=2),
    } or dues == {"reminder_2": start - timedelta(hours=2)}  # booked inside 24 h
    assert run_due(app, rec) == []  # not due yet: nothing more goes out


def test_reminders_at_their_times_once_each(client, app, shop, monkeypatch, tmp_path):
    book_online(client, shop)
    rec = Recorder()
    run_due(app, rec)
    with app.app_context(), database.connection_context():
        appt = Appointment.get(Appointment.source == "online")
        appt_id, start = appt.id, appt.start_at
    # confirm by staff (same lifecycle event as the customer's link)
    res = client.post(f"/v1/appointments/{appt_id}/confirm", headers=shop.owner.headers)
    assert res.status_code == 200
    run_due(app, rec)
    for hours in (24, 2):
        set_clock(monkeypatch, tmp_path, start - timedelta(hours=hours) + timedelta(minutes=1))
        assert run_due(app, rec) == ["sent"]
        assert run_due(app, rec) == []
    subjects = [c.subject for _, _, c in rec.sent]
    assert len(subjects) == 4 and subjects[2].startswith("Erinnerung")
    assert [k for k, _, s in message_rows(app, appt_id) if s == "sent"] == [
        "confirm_request",
        "confirmed",
        "reminder_1",
        "reminder_2",
    ]
    set_clock(monkeypatch, tmp_path, start + timedelta(minutes=5))
    assert run_due(app, rec) == []


def test_cancel_revokes_and_tells_the_customer(client, app, shop):
    book_online(client, shop)
    rec = Recorder()
    run_due(app, rec)
    with app.app_context(), database.connection_context():
        appt_id = Appointment.get(Appointment.source == "online").id
    client.post(f"/v1/appointments/{appt_id}/confirm", headers=shop.owner.headers)
    client.post(f"/v1/appointments/{appt_id}/cancel", headers=shop.owner.headers)
    states = {k: s for k, _, s in message_rows(app, appt_id)}
    assert states["confirmed"] == "revoked" and states["cancelled"] == "pending"
    assert all(s == "revoked" for k, s in states.items() if k.startswith("reminder"))
    assert run_due(app, rec) == ["sent"]
    cancelled = rec.sent[-1][2]
    assert "METHOD:CANCEL" in cancelled.ics and "STATUS:CANCELLED" in cancelled.ics
    assert len(rec.sent) == 2  # the request and the cancellation: nothing stale


def test_reschedule_replaces_pending_reminders(client, app, shop, monkeypatch, tmp_path):
    book_online(client, shop)
    rec = Recorder()
    run_due(app, rec)
    with app.app_context(), database.connection_context():
        appt = Appointment.get(Appointment.source == "online")
    client.post(f"/v1/appointments/{appt.id}/confirm", headers=shop.owner.headers)
    run_due(app, rec)
    item = client.get(f"/v1/appointments/{appt.id}", headers=shop.owner.headers)
    new_start = appt.start_at + timedelta(days=2)
    res = client.patch(
        f"/v1/appointments/{appt.id}",
        json={"start": new_start.isoformat()},
        headers={**shop.owner.headers, "If-Match": item.headers["ETag"]},
    )
    assert res.status_code == 200, res.json
    with app.app_context(), database.connection_context():
        dues = {
            m.kind: (m.due_at, m.state)
            for m in Message.select().where(Message.appointment == appt.id)
        }
    assert dues["rescheduled"][1] == "pending"
    assert dues["reminder_1"] == (new_start - timedelta(hours=24), "pending")
    assert dues["reminder_2"] == (new_start - timedelta(hours=2), "pending")
    assert run_due(app, rec) == ["sent"]  # the "moved" message, with the new .ics
    assert "rescheduled" in rec.sent[-1][2].message_key or "verschoben" in rec.sent[-1][2].subject
    # the old reminder times pass: nothing goes out
    set_clock(monkeypatch, tmp_path, appt.start_at - timedelta(hours=1))
    assert run_due(app, rec) == []
    set_clock(monkeypatch, tmp_path, new_start - timedelta(hours=2) + timedelta(minutes=1))
    assert run_due(app, rec) == ["sent", "sent"]  # both reminders of the new time were due


def test_transient_failure_is_retried_later_once(client, app, shop, monkeypatch, tmp_path):
    book_online(client, shop)
    rec = Recorder(failures=2)
    assert run_due(app, rec) == ["pending"]
    with app.app_context(), database.connection_context():
        row = Message.get()
        assert (row.state, row.attempts, row.last_error) == ("pending", 1, "smtp_unreachable")
        retry_at = row.due_at
    assert run_due(app, rec) == []  # backoff: not yet
    set_clock(monkeypatch, tmp_path, retry_at + timedelta(seconds=1))
    assert run_due(app, rec) == ["pending"]
    with app.app_context(), database.connection_context():
        retry_at = Message.get().due_at
    set_clock(monkeypatch, tmp_path, retry_at + timedelta(seconds=1))
    assert run_due(app, rec) == ["sent"]
    assert len(rec.sent) == 1
    listed = client.get("/v1/messages", headers=shop.owner.headers).json
    assert [(m["kind"], m["state"], m["attempts"]) for m in listed] == [
        ("confirm_request", "sent", 3)
    ]
    assert "erika" not in str(listed).lower()


def test_the_ledger_lists_latest_first_on_request(client, app, shop):
    book_online(client, shop)
    book_online(client, shop, "other@example.org")
    h = shop.owner.headers
    first = [m["id"] for m in client.get("/v1/messages", headers=h).json]
    latest = [m["id"] for m in client.get("/v1/messages?order=desc", headers=h).json]
    assert len(first) == 2 and latest == first[::-1]
    assert client.get("/v1/messages?order=sideways", headers=h).status_code == 422


def test_permanent_failure_and_stale_are_recorded(client, app, shop):
    book_online(client, shop)
    assert run_due(app, Recorder(failures=1, permanent=True)) == ["failed"]
    listed = client.get("/v1/messages?state=failed", headers=shop.owner.headers).json
    assert listed[0]["last_error"] == "recipient_refused_550"
    book_online(client, shop, "other@example.org")
    with app.app_context(), database.connection_context():
        # confirmed meanwhile by the salon: the request is stale when the worker gets to it
        Appointment.update(status="confirmed").where(Appointment.status == "pending").execute()
    assert run_due(app, Recorder()) == ["skipped"]


def test_two_senders_never_send_one_row_twice(client, app, shop):
    book_online(client, shop)
    rec = Recorder()
    with app.app_context(), database.connection_context():
        ids = messages.claim_due()
        assert messages.claim_due() == []  # queued: the next sweep leaves it alone
        assert [messages.deliver(i, rec) for i in ids + ids] == ["sent", "not_claimed"]
    assert len(rec.sent) == 1


def test_lost_task_is_requeued_after_its_lease(client, app, shop, monkeypatch):
    book_online(client, shop)
    clock = [time.time()]
    monkeypatch.setattr(messages, "time", SimpleNamespace(time=lambda: clock[0]))
    with app.app_context(), database.connection_context():
        ids = messages.claim_due()  # queued, then the task is lost (worker killed)
        assert messages.claim_due() == []
        clock[0] += messages.LEASE_SECONDS + 1
        assert messages.claim_due() == ids
        assert messages.deliver(ids[0], Recorder()) == "sent"
