"""Faults, over real processes: ``hushbook serve`` (gunicorn, 2 workers),
``hushbook worker``, a private PostgreSQL and a private Redis (RedisHuey) that
the tests stop and start (``support.servers``), and an SMTP sink (aiosmtpd).

- PostgreSQL stopped for 10 s under steady load: every failed answer is a 503
  with ``Retry-After`` and ``database_unavailable``, never another 5xx or a cut
  connection; ``/readyz`` turns unready within 5 s and ready again; the same
  processes serve again at once (no restart).
- Redis stopped for 40 s while bookings arrive: every owed message goes out
  within 60 s of Redis's return, each once.
- The worker SIGKILLed mid-burst: its messages in flight keep their leases while
  it lives (heartbeat) and go out within 60 s of the restart, none twice.
- SIGTERM: the worker finishes the message it is sending, then exits.

The worker runs with short leases (``LEASE``) and sweeps (``SWEEP``) so the
module stays short; the defaults (30 s, 15 s) meet the same bounds
(docs/deployment.md, "Faults and recovery"). Private servers always: this
module runs in CI's step 1 and is left out of step 4.
"""

from __future__ import annotations

import email
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from aiosmtpd.controller import Controller

from hushbook_service.app import create_app
from hushbook_service.config import load_settings
from hushbook_service.db import database
from hushbook_service.messaging import channels, ledger
from hushbook_service.models import Message
from support.api import BERLIN, book_online, make_shop
from support.config import KEY_ENV
from support.db import migrate_database, team_mails_off
from support.processes import free_port, service_env, start_server, stop_server
from support.servers import PrivatePostgres, PrivateRedis
from support.tenants import new_tenant

pytestmark = pytest.mark.system

# Seconds: the worker's message lease and sweep interval in these tests (the
# defaults, 30 and 15, meet the same bounds: HUSHBOOK_TEST_LEASE=30
# HUSHBOOK_TEST_SWEEP=15 runs the worker faults with them, in about five minutes).
LEASE = float(os.environ.get("HUSHBOOK_TEST_LEASE", "4"))
SWEEP = float(os.environ.get("HUSHBOOK_TEST_SWEEP", "1"))
PG_DOWN = 10
UNAVAILABLE = "The service is briefly unavailable. Please try again shortly."
REDIS_DOWN = 40


class Sink:
    """An SMTP server keeping what it accepted; it can stall senders in MAIL FROM."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.stall = False
        self.stalled = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        import asyncio

        while self.stall:  # a message in flight, held here until the test lets go
            self.stalled.set()
            await asyncio.sleep(0.05)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, prefix: str) -> Counter:
        return Counter(m["To"] for m in list(self.received) if m["To"].startswith(prefix))

    def wait_for(self, addresses: set[str], timeout: float) -> float:
        """Seconds until every address had its message (fails after ``timeout``)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if addresses <= {m["To"] for m in list(self.received)}:
                return time.monotonic() - start
            time.sleep(0.1)
        got = {m["To"] for m in list(self.received)}
        raise AssertionError(f"{len(addresses - got)} of {len(addresses)} never arrived")


@dataclass
class Stack:
    pg: PrivatePostgres
    redis: PrivateRedis
    settings: object
    app: object
    shop: object
    url: str
    server: object
    sink: Sink
    smtp_port: int
    slots: itertools.count = field(default_factory=itertools.count)
    worker: subprocess.Popen | None = None

    def worker_start(self, workers: int = 2) -> None:
        env = service_env(
            self.settings,
            HUSHBOOK_SMTP_URL=f"smtp://127.0.0.1:{self.smtp_port}?security=none",
            HUSHBOOK_MAIL_FROM="booking@salon.test",
            HUSHBOOK_PUBLIC_URL="http://booking.salon.test",
            HUSHBOOK_SWEEP_SECONDS=str(SWEEP),
            HUSHBOOK_MESSAGE_LEASE_SECONDS=str(LEASE),
        )
        log = open(self.settings.instance / "worker.log", "ab")  # noqa: SIM115 - the child's
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "hushbook_service.cli", "worker", "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def worker_stop(self, sig: int = signal.SIGTERM) -> None:
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, sig)
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
        self.worker = None

    def book(self, email_to: str | None = None) -> requests.Response:
        """The owner books a free hour (a confirmation to ``email_to`` owed, if given)."""
        k = next(self.slots)
        day = datetime.now(BERLIN).date() + timedelta(days=10 + k // 24)
        start = datetime(day.year, day.month, day.day, 8 + (k // 2) % 12)
        body = {
            "service_id": self.shop.cut["id"],
            "staff_id": self.shop.stylists[k % 2].staff.id,
            "start": start.isoformat(),
            "allow_outside_hours": True,
        }
        if email_to:
            body["notify"] = {"email": email_to}
        return requests.post(
            f"{self.url}/v1/appointments", json=body, headers=self.shop.owner.headers, timeout=30
        )

    def rows(self, prefix_ids: list[int] | None = None) -> list[Message]:
        with self.app.app_context(), database.connection_context():
            query = Message.select().where(Message.kind == "confirmed")
            if prefix_ids is not None:
                query = query.where(Message.appointment.in_(prefix_ids))
            return list(query)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = Path(tmp_path_factory.mktemp("faults"))
    with pytest.MonkeyPatch.context() as mp, PrivatePostgres(tmp) as pg, PrivateRedis(tmp) as rd:
        for name, value in KEY_ENV.items():
            mp.setenv(name, value)
        settings = load_settings(instance=tmp / "instance", database_url=pg.url, huey_url=rd.url)
        migrate_database(pg.url)
        app = create_app(settings)
        shop = make_shop(app.test_client(), lambda slug: new_tenant(app, slug))
        team_mails_off(app)  # the customer's confirmations only: one message per booking
        sink = Sink()
        smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
        smtp.start()
        server = start_server(settings, workers=2)  # gunicorn
        s = Stack(pg, rd, settings, app, shop, server.url, server, sink, smtp.port)
        try:
            yield s
        finally:
            s.worker_stop(signal.SIGKILL)
            stop_server(server)
            sink.stall = False
            smtp.stop()


def _gunicorn_pids(server) -> set[int]:
    """The gunicorn master and its workers (a restart would change them)."""
    pids = {server.proc.pid}
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                stat = (child / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == server.proc.pid:
                pids.add(int(child.name))
    return pids


@dataclass
class Answer:
    started: float
    status: int | None  # None: no HTTP answer at all
    retry_after: str | None = None
    reason: str | None = None
    message: str | None = None


def _load(stack: Stack, stop: threading.Event, out: list[Answer]) -> None:
    """Steady traffic: reads and bookings as the owner, one after the other."""
    calls = itertools.cycle(["list", "services", "me", "book"])
    session = requests.Session()
    headers = stack.shop.owner.headers
    for call in calls:
        if stop.is_set():
            return
        started = time.monotonic()
        try:
            if call == "book":
                res = stack.book()
            elif call == "list":
                res = session.get(f"{stack.url}/v1/appointments", headers=headers, timeout=30)
            elif call == "services":
                res = session.get(f"{stack.url}/v1/services", headers=headers, timeout=30)
            else:
                res = session.get(f"{stack.url}/v1/auth/me", headers=headers, timeout=30)
        except requests.RequestException:
            out.append(Answer(started, None))
            continue
        body = res.json() if res.status_code >= 500 else {}
        retry = res.headers.get("Retry-After")
        out.append(Answer(started, res.status_code, retry, body.get("reason"), body.get("message")))


def _ready(url: str) -> bool:
    """/readyz: False while it names the database unreachable (a 503), else ready."""
    res = requests.get(f"{url}/readyz", timeout=10)
    if res.json()["checks"]["database"] == "unreachable":
        assert res.status_code == 503, res.text
        return False
    assert res.status_code == 200, res.text  # database, migrations and queue all fine
    return True


def _wait_ready(url: str, want: bool, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if _ready(url) is want:
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"/readyz not {'ready' if want else 'unready'} after {timeout} s")


def test_postgres_stopped_under_load_only_503_then_recovers(stack):
    assert _ready(stack.url)
    pids = _gunicorn_pids(stack.server)
    answers: list[Answer] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=_load, args=(stack, stop, answers), daemon=True) for _ in range(4)
    ]
    for t in threads:
        t.start()
    time.sleep(2)
    stack.pg.stop()
    down = time.monotonic()
    unready_after = _wait_ready(stack.url, want=False, timeout=8)
    time.sleep(max(0.0, down + PG_DOWN - time.monotonic()))
    stack.pg.start()
    back = time.monotonic()
    ready_after = _wait_ready(stack.url, want=True, timeout=10)
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join(timeout=60)

    during = [a for a in answers if down <= a.started < back]
    after = [a for a in answers if a.started >= back]
    failed = [a for a in answers if a.status is None or a.status >= 500]
    n503 = sum(a.status == 503 for a in answers)
    other_5xx = sum(a.status is not None and a.status >= 500 and a.status != 503 for a in answers)
    cut = sum(a.status is None for a in answers)
    first_ok = min((a.started - back for a in after if a.status < 500), default=float("nan"))
    print(
        f"\nPostgreSQL down {PG_DOWN} s under load: {len(answers)} answers "
        f"({len(during)} while down), {n503} x 503, {other_5xx} other 5xx, "
        f"{cut} connection errors; after its return: {sum(a.status == 503 for a in after)} "
        f"x 503 of {len(after)}, first success {first_ok:.3f} s after; "
        f"/readyz unready {unready_after:.2f} s after the stop, ready {ready_after:.2f} s "
        "after the start"
    )
    assert cut == 0 and other_5xx == 0
    assert n503 > 0, "the outage was never seen: the test did not test"
    for a in failed:
        assert a.retry_after and int(a.retry_after) > 0
        assert a.reason == "database_unavailable"
        assert a.message == UNAVAILABLE  # nothing of the driver's words
    assert unready_after <= 5
    assert sum(a.status == 503 for a in after) <= 1  # at worst one, for a request in flight
    tail = [a for a in after if a.started >= back + ready_after + 1]
    assert tail and all(a.status < 500 for a in tail)
    assert _gunicorn_pids(stack.server) == pids, "recovered by restarting processes"


def test_a_quick_database_restart_between_requests_costs_nothing(stack):
    """Every pooled connection is broken by the restart; none is used again."""

    def get(_: int) -> int:
        url = f"{stack.url}/v1/services"
        return requests.get(url, headers=stack.shop.owner.headers, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:  # idle connections in both gunicorn workers' pools
        assert set(pool.map(get, range(32))) == {200}
    stack.pg.stop()
    stack.pg.start()
    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(pool.map(get, range(32)))
    print(f"\nthe first 32 requests after a quick PostgreSQL restart: {dict(statuses)}")
    assert statuses == {200: 32}


def _appointment_ids(responses: list[requests.Response]) -> list[int]:
    assert all(r.status_code == 201 for r in responses), [r.status_code for r in responses]
    return [r.json()["id"] for r in responses]


def test_redis_stopped_while_bookings_arrive_every_message_once(stack):
    sink = stack.sink
    stack.worker_start()
    before = {f"redis-before{i}@example.org" for i in range(3)}
    for address in sorted(before):
        assert stack.book(address).status_code == 201
    sink.wait_for(before, timeout=30)
    stack.redis.stop()
    down = time.monotonic()
    owed: set[str] = set()
    i = 0
    while time.monotonic() - down < REDIS_DOWN:
        address = f"redis-during{i}@example.org"
        res = stack.book(address)
        assert res.status_code == 201, res.text  # bookings do not need the queue
        owed.add(address)
        i += 1
        time.sleep(2)
    stack.redis.start()
    took = sink.wait_for(owed, timeout=60)
    time.sleep(LEASE + 2 * SWEEP)  # every lease of this run is over: nothing more may come
    counts = sink.to("redis-")
    print(
        f"\nRedis down {REDIS_DOWN} s: {len(owed)} bookings meanwhile, all delivered "
        f"{took:.1f} s after its return; most copies of one message: {max(counts.values())}"
    )
    assert set(counts) == owed | before
    assert set(counts.values()) == {1}
    assert all(r.state == "sent" for r in stack.rows())
    stack.worker_stop()


def test_worker_killed_mid_burst_in_flight_delivered_once(stack):
    sink = stack.sink
    stack.worker_start(workers=2)
    burst = [f"burst{i}@example.org" for i in range(12)]
    sink.stall = True  # the first messages hang in MAIL FROM: in flight
    ids = _appointment_ids([stack.book(address) for address in burst])
    assert sink.stalled.wait(30), "the worker never started sending"
    time.sleep(2 * LEASE)  # far past one lease: the heartbeat must keep the claims
    flying = [r for r in stack.rows(ids) if r.state == "sending"]
    assert flying, "nothing in flight"
    assert all(r.attempts == 1 and r.lease_until > time.time() for r in flying)
    stack.worker_stop(signal.SIGKILL)
    sink.stall = False
    stack.worker_start(workers=2)
    took = sink.wait_for(set(burst), timeout=60)
    time.sleep(LEASE + 2 * SWEEP)
    counts = sink.to("burst")
    print(
        f"\nworker SIGKILLed with {len(flying)} in flight (held {2 * LEASE:.0f} s, "
        f"{LEASE} s leases): all {len(burst)} delivered {took:.1f} s after the restart; "
        f"most copies of one message: {max(counts.values())}"
    )
    assert took <= 60
    assert set(counts) == set(burst) and set(counts.values()) == {1}
    assert all(r.state == "sent" for r in stack.rows(ids))
    stack.worker_stop()


def test_sigterm_finishes_the_message_being_sent(stack):
    sink = stack.sink
    stack.worker_start(workers=1)
    sink.stalled.clear()
    sink.stall = True
    (appointment_id,) = _appointment_ids([stack.book("term@example.org")])
    assert sink.stalled.wait(30)
    os.killpg(stack.worker.pid, signal.SIGTERM)
    time.sleep(1.5)
    assert stack.worker.poll() is None, "the worker quit with a message half sent"
    sink.stall = False
    assert stack.worker.wait(timeout=30) == 0
    sink.wait_for({"term@example.org"}, timeout=5)
    (row,) = stack.rows([appointment_id])
    assert (row.state, row.attempts) == ("sent", 1)
    assert sink.to("term@").total() == 1
    stack.worker = None


def test_every_route_answers_503_without_the_database(tmp_path, monkeypatch):
    """Every route, in-process on a SQLite file that cannot be opened any more: a 503
    with Retry-After (a problem document, or a short bilingual page for browsers),
    never a 500 and never the driver's words."""
    for name, value in KEY_ENV.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "hushbook.db"
    settings = load_settings(instance=tmp_path / "instance", database_url=f"sqlite:///{path}")
    migrate_database(settings.database_url)
    app = create_app(settings)
    owner = new_tenant(app, "salon-a", vault=False).owner
    database.close()  # SQLite keeps a connection per thread: this one goes with the file
    path.unlink()
    path.mkdir()  # "unable to open database file" from now on
    client = app.test_client()
    answers: Counter = Counter()
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "1" if "id" in m[1] else "x", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for accept in ("application/json", "text/html"):
                res = client.open(
                    url, method=method, headers={**owner.headers, "Accept": accept}, json={}
                )
                answers[res.status_code] += 1
                assert res.status_code < 500 or res.status_code == 503, (method, url)
                if url == "/readyz":  # its own 503 (checks and reason): not ready
                    continue
                if res.status_code == 503:
                    assert int(res.headers.get("Retry-After", 0)) > 0, (method, url)
                    if res.mimetype == "text/html":
                        assert "Bitte versuchen" in res.text and "try again" in res.text
                    else:
                        assert res.json["reason"] == "database_unavailable", (method, url)
                        assert res.json["message"] == UNAVAILABLE
    print(f"\nevery route without the database: {dict(sorted(answers.items()))}")
    assert answers[503] > 100


@pytest.fixture
def online_booking(client, app, make_tenant):
    """A visitor's booking: its confirmation request is due now (nothing queued it:
    the in-process app has no dispatch)."""
    shop = make_shop(client, make_tenant)
    team_mails_off(app)
    book_online(client, shop)
    return app


def test_a_failed_enqueue_leaves_the_message_due_at_once(online_booking, settings, monkeypatch):
    monkeypatch.setenv("HUSHBOOK_INSTANCE", str(settings.instance))  # jobs reads it once
    from hushbook_service import jobs

    def queue_down(message_id: int) -> None:
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(jobs, "send_message", queue_down)
    with online_booking.app_context(), database.connection_context():
        taken = ledger.claim_due()
        assert taken and jobs._enqueue(taken) == 0  # the sweeper's step, Redis down
        rows = list(Message.select().where(Message.id.in_(taken)))
        assert {(r.state, r.lease_until) for r in rows} == {("pending", 0)}
        assert ledger.claim_due() == taken  # the next sweep takes them: no lease to wait out


def test_the_heartbeat_keeps_a_send_longer_than_its_lease(online_booking, monkeypatch):
    app = online_booking
    clock = [time.time()]
    monkeypatch.setattr(ledger, "time", SimpleNamespace(time=lambda: clock[0]))
    sending, finish = threading.Event(), threading.Event()
    sent: list[str] = []

    class SlowServer:
        def send(self, to, content):
            sending.set()
            assert finish.wait(30)
            sent.append(to)
            return "id-1"

    with app.app_context(), database.connection_context():
        (message_id,) = ledger.claim_due()
    results: list[str] = []

    def worker_thread() -> None:
        with app.app_context(), database.connection_context():
            results.append(ledger.deliver(message_id, channels.Transports({"email": SlowServer()})))

    thread = threading.Thread(target=worker_thread)
    thread.start()
    assert sending.wait(30)
    with app.app_context(), database.connection_context():
        clock[0] += ledger.HEARTBEAT_SECONDS
        assert ledger.renew_leases() == 1  # the worker's heartbeat
        clock[0] += ledger.LEASE_SECONDS - 1  # past the first lease, within the renewed one
        assert ledger.claim_due() == []  # nobody takes it from the sender
        finish.set()
        thread.join(30)
        assert ledger.renew_leases() == 0  # nothing held any more
        row = Message.get_by_id(message_id)
    assert results == ["sent"] and len(sent) == 1
    assert (row.state, row.attempts) == ("sent", 1)
