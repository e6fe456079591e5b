"""Messages end to end: a real ``hushbook worker`` process, a real SMTP server (aiosmtpd).

The clock is injected (``HUSHBOOK_CLOCK_FILE``) so reminders due tomorrow go out
now. Huey runs on SqliteHuey, or on Redis when ``HUSHBOOK_TEST_HUEY_URL`` is
set (``.ci/run`` runs this module both ways).
"""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from email import policy

import pytest
import requests
from aiosmtpd.controller import Controller

from hushbook_service.db import database
from hushbook_service.models import Appointment, Message, Staff
from support.api import CONSENT, Visitor, make_shop
from support.config import TEST_HUEY_URL
from support.db import team_mails_off
from support.processes import free_port, service_env

pytestmark = pytest.mark.system


class Sink:
    """An SMTP server that keeps every accepted message; can refuse or stall on purpose."""

    def __init__(self):
        self.received: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.refuse = 0  # answer this many MAIL FROM with 451 (a busy server)
        self.stall_after: int | None = None  # stall MAIL FROM once this many were received
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        if self.stall_after is not None and len(self.received) >= self.stall_after:
            self.stalled.set()  # a message is in flight; the test kills the worker now
            while not self.release.is_set():
                await _sleep(0.05)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(msg)
        return "250 Message accepted"

    def wait_for(self, n: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= n:
                return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {n} messages, got {len(self.received)}")


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    handler.release.set()
    controller.stop()


@pytest.fixture
def huey_url(settings):
    if not TEST_HUEY_URL:
        return settings.huey_url
    import redis

    redis.Redis.from_url(TEST_HUEY_URL).flushdb()  # a database of its own: nothing else to lose
    return TEST_HUEY_URL


class Worker:
    def __init__(self, settings, env):
        self.settings, self.env, self.proc = settings, env, None

    def start(self, workers: int = 2):
        log = open(self.settings.instance / "worker.log", "ab")  # noqa: SIM115
        cmd = [sys.executable, "-m", "hushbook_service.cli", "worker", "--workers", str(workers)]
        self.proc = subprocess.Popen(
            cmd, env=self.env, stdout=log, stderr=log, start_new_session=True
        )

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def clock(settings, monkeypatch):
    path = settings.instance / "clock"
    path.write_text("")
    monkeypatch.setenv("HUSHBOOK_CLOCK_FILE", str(path))  # the test process too

    def set_to(when: datetime | None) -> None:
        path.write_text(when.isoformat() if when else "")

    return set_to


@pytest.fixture
def worker(settings, sink, huey_url, clock, monkeypatch):
    _, port = sink
    env = service_env(
        settings,
        HUEY_URL=huey_url,
        HUSHBOOK_SMTP_URL=f"smtp://127.0.0.1:{port}?security=none",
        HUSHBOOK_MAIL_FROM="booking@salon.test",
        HUSHBOOK_PUBLIC_URL="http://booking.salon.test",
        HUSHBOOK_SWEEP_SECONDS="0.3",
        HUSHBOOK_MESSAGE_LEASE_SECONDS="4",  # an orphaned claim is retried soon
    )
    w = Worker(settings, env)
    yield w
    w.stop()


@pytest.fixture
def shop(client, make_tenant, app):
    t = make_shop(client, make_tenant)
    team_mails_off(app)  # the customer's messages (the team's: test_messages_team.py)
    return t


def texts(msgs) -> list[str]:
    return [m.get_body(("plain",)).get_content() for m in msgs]


def ics_of(msg) -> str | None:
    for part in msg.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return part.get_content()
    return None


def appointment(app, **where) -> Appointment:
    with app.app_context(), database.connection_context():
        return Appointment.get(*[getattr(Appointment, k) == v for k, v in where.items()])


def ledger(app) -> list[tuple[int, str, str]]:
    with app.app_context(), database.connection_context():
        return [
            (m.appointment_id, m.kind, m.state)
            for m in Message.select().order_by(Message.appointment, Message.id)
        ]


def test_book_confirm_and_both_reminders_each_once(client, app, shop, sink, worker, clock):
    handler, _ = sink
    worker.start()
    v = Visitor(client, "salon-a")
    offer = v.ask(shop.cut["id"]).json["offers"][0]
    assert v.book(offer["token"], contact={"email": "kim@example.org"}).status_code == 202

    (request,) = handler.wait_for(1)
    assert request["To"] == "kim@example.org" and "bestätigen" in request["Subject"]
    short = re.search(r"http://booking\.salon\.test(/m/[0-9A-Z]{8})\b", texts([request])[0])
    link = client.get(short.group(1)).headers["Location"]  # the short link's page
    assert client.get(link).status_code == 200  # the page: nothing confirmed yet
    assert appointment(app, source="online").status == "pending"
    assert client.post(link).status_code == 200  # the button
    appt = appointment(app, source="online")
    assert appt.status == "confirmed"

    confirmed = handler.wait_for(2)[1]
    cal = ics_of(confirmed)
    assert "METHOD:PUBLISH" in cal
    # an opaque UID: a calendar entry must not count the salon's bookings
    assert re.search(r"^UID:[0-9a-f]{24}@booking\.salon\.test\r?$", cal, re.M)
    assert re.fullmatch(r"<hb-[0-9a-f]{24}@salon\.test>", confirmed["Message-ID"])
    assert f"DTSTART:{appt.start_at:%Y%m%dT%H%M%SZ}" in cal
    assert f"DTEND:{appt.end_at:%Y%m%dT%H%M%SZ}" in cal
    assert re.search(r"http://booking\.salon\.test/m/[0-9A-Z]{8}\b", texts([confirmed])[0])

    clock(appt.start_at - timedelta(hours=24) + timedelta(minutes=1))
    first = handler.wait_for(3)[2]
    assert first["Subject"].startswith("Erinnerung") and ics_of(first)
    clock(appt.start_at - timedelta(hours=2) + timedelta(minutes=1))
    second = handler.wait_for(4)[3]
    assert second["Subject"].startswith("Erinnerung")
    clock(appt.start_at + timedelta(hours=1))
    time.sleep(1.5)  # several sweeps: nothing more may arrive
    assert len(handler.received) == 4
    assert len({m["Message-ID"] for m in handler.received}) == 4
    # after the end, the team member (not the client) is asked to mark the outcome
    clock(appt.end_at + timedelta(minutes=31))
    ask = handler.wait_for(5)[4]
    assert ask["To"] == appt.staff.email and f"#{appt.id}" in ask["Subject"]
    assert "kim" not in texts([ask])[0].lower()
    time.sleep(1.0)
    assert len(handler.received) == 5
    kinds = [(k, s) for _, k, s in ledger(app)]
    assert kinds == [
        ("confirm_request", "sent"),
        ("confirmed", "sent"),
        ("reminder_1", "sent"),
        ("reminder_2", "sent"),
        ("mark_outcome", "sent"),
    ]


def _staff_bookings(client, shop, n: int) -> list[int]:
    """n appointments booked by reception with a contact: a confirmation each, due now."""
    ids = []
    start = datetime.now() + timedelta(days=5)
    day = start.date()
    for i in range(n):
        stylist = shop.stylists[i % 2].staff.id
        slot = datetime(day.year, day.month, day.day, 9) + timedelta(days=i // 16, hours=i // 2 % 8)
        res = client.post(
            "/v1/appointments",
            json={
                "service_id": shop.cut["id"],
                "staff_id": stylist,
                "start": slot.isoformat(),
                "allow_outside_hours": True,
                "notify": {"email": f"client{i}@example.org"},
                # asked on the phone: reminders wanted (none without this consent)
                "client": {"profile": {"name": f"Client {i}"}, "consent": CONSENT},
            },
            headers=shop.owner.headers,
        )
        assert res.status_code == 201, res.json
        ids.append(res.json["id"])
    return ids


def test_crash_while_in_flight_every_message_exactly_once(client, app, shop, sink, worker):
    handler, _ = sink
    n = 12
    _staff_bookings(client, shop, n)
    handler.stall_after = 4  # the fifth message hangs in MAIL FROM: in flight
    worker.start(workers=1)
    assert handler.stalled.wait(30), "the worker never got to the fifth message"
    worker.kill()  # SIGKILL, mid-conversation
    handler.stall_after = None
    handler.release.set()
    assert len(handler.received) == 4
    states = [s for _, k, s in ledger(app) if k == "confirmed"]
    assert "sending" in states  # the killed worker's claim, now orphaned
    worker.start(workers=2)
    got = handler.wait_for(n, timeout=60)  # the orphaned claim waits out its lease
    time.sleep(1.0)
    assert len(handler.received) == n
    assert sorted(m["To"] for m in got) == sorted(f"client{i}@example.org" for i in range(n))
    assert all(s == "sent" for _, k, s in ledger(app) if k == "confirmed")


def test_smtp_refusing_for_a_while_then_delivered_once(client, app, shop, sink, worker, clock):
    handler, _ = sink
    handler.refuse = 3
    _staff_bookings(client, shop, 1)
    worker.start()
    deadline = time.monotonic() + 30
    now = datetime.now().astimezone()
    while not handler.received and time.monotonic() < deadline:
        now += timedelta(minutes=10)  # past every backoff step
        clock(now)
        time.sleep(0.5)
    handler.wait_for(1)
    time.sleep(1.0)
    assert len(handler.received) == 1
    with app.app_context(), database.connection_context():
        row = Message.get(Message.kind == "confirmed")
        assert (row.state, row.attempts) == ("sent", 4)


def test_cancel_and_reschedule_leave_nothing_stale(client, app, shop, sink, worker, clock):
    handler, _ = sink
    first, second = _staff_bookings(client, shop, 2)
    worker.start()
    handler.wait_for(2)  # both confirmations
    a = appointment(app, id=first)
    b = appointment(app, id=second)
    res = client.post(f"/v1/appointments/{first}/cancel", headers=shop.owner.headers)
    assert res.status_code == 200, res.json
    item = client.get(f"/v1/appointments/{second}", headers=shop.owner.headers)
    moved = b.start_at + timedelta(days=3)
    res = client.patch(
        f"/v1/appointments/{second}",
        json={"start": moved.isoformat(), "allow_outside_hours": True},
        headers={**shop.owner.headers, "If-Match": item.headers["ETag"]},
    )
    assert res.status_code == 200, res.json
    got = handler.wait_for(4)
    cancelled = [m for m in got if m["To"] == "client0@example.org"]
    cancel_ics = ics_of(next(m for m in cancelled if "abgesagt" in m["Subject"]))
    first_ics = ics_of(next(m for m in cancelled if "abgesagt" not in m["Subject"]))
    uid = re.compile(r"^UID:(\S+)", re.M)
    assert uid.search(cancel_ics).group(1) == uid.search(first_ics).group(1)  # same event
    assert "METHOD:CANCEL" in cancel_ics
    moved_msg = next(m for m in got if "verschoben" in m["Subject"])
    assert f"DTSTART:{moved:%Y%m%dT%H%M%SZ}" in ics_of(moved_msg)
    # the old reminder times pass: nothing for either
    clock(max(a.start_at, b.start_at) - timedelta(minutes=30))
    time.sleep(1.5)
    assert len(handler.received) == 4
    # the moved appointment's reminders come at its new time, once each
    clock(moved - timedelta(hours=2) + timedelta(minutes=1))
    got = handler.wait_for(6)
    time.sleep(1.0)
    assert len(handler.received) == 6
    assert all(m["To"] == "client1@example.org" for m in got[4:])


class Http:
    """The test client's interface over real HTTP (for :class:`support.api.Visitor`)."""

    def __init__(self, url: str):
        self.url = url

    def post(self, path, json=None, headers=None):
        res = requests.post(self.url + path, json=json, headers=headers or {}, timeout=30)
        res.json = res.json() if res.content else None  # as the test client has it
        return res


def test_the_first_mail_is_queued_when_the_booking_commits(
    client, app, settings, shop, sink, huey_url, clock
):
    """``hushbook serve`` queues the confirmation request (and the team's news) as
    the booking's request ends: no worker has swept yet, and with a sweep only
    every hour the mails still arrive within seconds."""
    handler, port = sink
    with app.app_context(), database.connection_context():
        Staff.update(notify_bookings=True).where(Staff.role == "owner").execute()
    env = service_env(
        settings,
        HUEY_URL=huey_url,
        HUSHBOOK_SMTP_URL=f"smtp://127.0.0.1:{port}?security=none",
        HUSHBOOK_MAIL_FROM="booking@salon.test",
        HUSHBOOK_PUBLIC_URL="http://booking.salon.test",
        HUSHBOOK_SWEEP_SECONDS="3600",  # the sweeper's first round at start, then an hour
    )
    web_port = free_port()
    with open(settings.instance / "serve.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "hushbook_service.cli", "serve", "--port", str(web_port)],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    worker = Worker(settings, env)
    try:
        url = f"http://127.0.0.1:{web_port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                assert time.monotonic() < deadline, "hushbook serve did not start"
                time.sleep(0.1)
        v = Visitor(Http(url), "salon-a")
        offer = v.ask(shop.cut["id"]).json["offers"][0]
        assert v.book(offer["token"], contact={"email": "quick@example.org"}).status_code == 202
        # handed to the queue by the web process itself (today's code: still pending)
        states = {(k, s) for _, k, s in ledger(app)}
        assert states == {("confirm_request", "queued"), ("team_booked", "queued")}, states
        worker.start()
        got = handler.wait_for(2, timeout=20)
        assert sorted(m["To"] for m in got) == ["owner@salon-a.test", "quick@example.org"]
        # another booking while the worker runs: there within seconds, not an hour
        offer = v.ask(shop.cut["id"]).json["offers"][1]
        t0 = time.monotonic()
        assert v.book(offer["token"], contact={"email": "second@example.org"}).status_code == 202
        handler.wait_for(4, timeout=10)
        assert time.monotonic() - t0 < 10
        time.sleep(1.0)
        assert len(handler.received) == 4  # each once
    finally:
        worker.stop()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
