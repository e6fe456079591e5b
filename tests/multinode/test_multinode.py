"""Two web nodes behind HAProxy, two workers, PostgreSQL, Redis: the guarantees
hold across nodes, and a node restarted under load drops nothing.

The cluster (``conftest.py``) is built from ``deploy/`` exactly as
docs/deployment.md shows it. Each test prints its figures.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from hushbook.public import solve_pow
from hushbook_service import create_app, stealth
from hushbook_service.config import load_settings
from hushbook_service.db import database, write_transaction
from hushbook_service.messaging import ledger
from hushbook_service.models import Appointment, Message
from hushbook_service.privacy import delivery
from support.api import BERLIN, CONSENT, FAST, OPEN, Visitor, make_shop, patch_tenant, wish_body
from support.config import KEY_ENV
from support.db import team_mails_off
from support.tenants import new_tenant

pytestmark = pytest.mark.system
SLUG = "salon-mn"
MESSAGES = 1000
ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOC = ROOT / "docs" / "deployment.md"


@dataclass
class Answer:
    status_code: int
    json: dict | None
    headers: Mapping[str, str]


class FromAddress(HTTPAdapter):
    """Connections from another loopback address (127.0.0.0/8 is all this host's):
    to the balancer, a visitor of their own."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Http:
    """Enough of Flask's test client for :mod:`support.api`, over real HTTP(S)."""

    def __init__(self, url: str, verify: str | bool = True, source: str | None = None):
        self.url, self.verify = url, verify  # per request: REQUESTS_CA_BUNDLE beats a session's
        self.session = requests.Session()
        if source:
            self.session.mount("https://", FromAddress(source))
            self.session.mount("http://", FromAddress(source))

    def request(self, method: str, path: str, **kw) -> Answer:
        res = self.session.request(method, self.url + path, timeout=60, verify=self.verify, **kw)
        body = res.json() if res.content and "json" in res.headers.get("Content-Type", "") else None
        return Answer(res.status_code, body, res.headers)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)


@pytest.fixture(scope="module")
def app(cluster):
    """The service in this process, on the cluster's database (to seed and to count)."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in KEY_ENV.items():
            mp.setenv(name, value)
        # the nodes' and workers' shared folder: contacts sealed here open there
        mp.setenv("HUSHBOOK_DELIVERY_KEYS_DIR", cluster.base_env["HUSHBOOK_DELIVERY_KEYS_DIR"])
        settings = load_settings(
            instance=cluster.root / "tests",
            database_url=cluster.database_url,
            huey_url=cluster.base_env["HUEY_URL"],
        )
        yield create_app(settings)


@pytest.fixture(scope="module")
def lb(cluster):
    return Http(cluster.lb_url, verify=str(cluster.cert))


@pytest.fixture(scope="module")
def shop(app, lb):
    """A salon made through the balancer: two stylists, 'Cut' for both and
    'Colour' by the first only (one person: one slot per start)."""
    t = make_shop(
        lb,
        lambda slug: new_tenant(app, slug),
        SLUG,
        **OPEN,
        pending_per_ip=100,
        pending_per_subnet=100,
        pending_per_session=20,
    )
    t.colour = lb.post(
        "/v1/services",
        json={
            "name": "Colour",
            "duration_min": 60,
            "price_cents": 8000,
            "staff_ids": [t.stylists[0].staff.id],
        },
        headers=t.owner.headers,
    ).json
    team_mails_off(app)  # the customers' messages are counted, not the team's
    return t


def node_requests(cluster, name: str, pattern: str) -> int:
    """How many requests matching ``pattern`` a node's access log shows."""
    return len(re.findall(pattern, cluster.nodes[name].log.read_text(errors="replace")))


def fire(items: list[tuple[Http, str, dict]]) -> list[tuple[int, dict]]:
    """POST every (client, path, body) at once (threads released by a barrier)."""
    barrier = threading.Barrier(len(items))

    def one(item):
        http, path, body = item
        barrier.wait(timeout=60)
        res = http.post(path, json=body)
        return res.status_code, res.json or {}

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(one, items))


def test_the_docs_show_the_deploy_files_exactly():
    """docs/deployment.md shows every file of deploy/ as it is (what the tests run)."""
    doc = DOC.read_text()
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        assert path.read_text().strip() in doc, f"{path.relative_to(ROOT)} differs from the docs"


def test_the_balancer_forwards_what_the_nodes_trust(cluster, lb):
    """TLS and HSTS at the balancer, plain HTTP redirected, and a request id of the
    balancer's own (a client's is replaced) that both logs carry."""
    res = lb.get(
        "/healthz", headers={"X-Forwarded-For": "203.0.113.9", "X-Request-ID": "mine-12345"}
    )
    rid = res.headers["X-Request-ID"]
    assert res.status_code == 200 and res.headers["Strict-Transport-Security"]
    assert re.fullmatch(r"[0-9A-F]{16,64}", rid), rid  # HAProxy's, not the client's
    time.sleep(0.5)  # log lines are written after the answer
    logs = [cluster.haproxy.tail(10**7), *(n.tail(10**7) for n in cluster.nodes.values())]
    assert rid in logs[0] and (rid in logs[1] or rid in logs[2])
    plain = requests.get(f"{cluster.lb_http_url}/healthz", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    print(f"\nrequest id {rid} in HAProxy's log and the node's; http answered {plain.status_code}")


def test_64_concurrent_bookings_of_one_slot_make_one(cluster, app, lb, shop):
    """64 visitors, each offered the same start with the one colourist, book at once."""
    first = datetime.now(BERLIN).date() + timedelta(days=4)
    wish = wish_body(shop.colour["id"], first, first)
    verify = str(cluster.cert)

    def ask(n, target=None):
        v = Visitor(Http(cluster.lb_url, verify, source=f"127.0.0.{10 + n}"), SLUG)
        res = v.send_offers(wish, v.pow())
        assert res.status_code == 200, res.json
        starts = [o["start"] for o in res.json["offers"]]
        target = target or starts[0]
        assert target in starts, (target, starts)  # the showcase: the same for everyone
        offer = next(o for o in res.json["offers"] if o["start"] == target)
        email = f"slot-{uuid.uuid4().hex[:12]}@one.example.org"
        body = v.booking_body(offer["token"], contact={"email": email})
        return (v.http, f"/v1/public/{SLUG}/bookings", body), target

    item, target = ask(0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = [item] + [b for b, _ in pool.map(lambda n: ask(n, target), range(1, 64))]
    before = {
        n: node_requests(cluster, n, rf"POST /v1/public/{SLUG}/bookings")
        for n in ("node1", "node2")
    }
    results = fire(bodies)
    codes = Counter(code for code, _ in results)
    reasons = Counter(body.get("reason") for code, body in results if code != 202)
    split = {
        n: node_requests(cluster, n, rf"POST /v1/public/{SLUG}/bookings") - before[n]
        for n in ("node1", "node2")
    }
    with app.app_context(), database.connection_context():
        start = datetime.fromisoformat(target)
        held = Appointment.select().where(Appointment.start_at == start).count()
    print(f"\n64 concurrent bookings of one slot: {dict(codes)}, refusals {dict(reasons)}; "
          f"requests per node {split}; appointments at that start: {held}")  # fmt: skip
    assert codes[202] == 1 and codes[409] == 63, results
    assert held == 1
    assert split["node1"] > 0 and split["node2"] > 0, split  # both nodes took part


def test_one_offer_replayed_on_both_nodes_books_once(cluster, app, lb, shop):
    first = datetime.now(BERLIN).date() + timedelta(days=5)
    v = Visitor(lb, SLUG)
    res = v.ask(shop.cut["id"], first, first)
    assert res.status_code == 200, res.json
    offer = res.json["offers"][0]
    attempts = 16
    ahead = stealth.pow_bits(attempts + 1, FAST["pow_base_bits"]) - FAST["pow_base_bits"]
    nodes = ("node1", "node2")
    items = [
        (Http(cluster.node_urls[nodes[i % 2]]), f"/v1/public/{SLUG}/bookings",
         v.booking_body(offer["token"], extra_bits=ahead))
        for i in range(attempts)
    ]  # fmt: skip
    results = fire(items)
    by_node: dict[str, Counter] = {"node1": Counter(), "node2": Counter()}
    for i, (code, _) in enumerate(results):
        by_node[nodes[i % 2]][code] += 1
    codes = Counter(code for code, _ in results)
    reasons = {body.get("reason") for code, body in results if code == 409}
    with app.app_context(), database.connection_context():
        booked = (
            Appointment.select()
            .where(Appointment.start_at == datetime.fromisoformat(offer["start"]))
            .count()
        )
    print(f"\none offer sent {attempts} times, half to each node directly: "
          f"node1 {dict(by_node['node1'])}, node2 {dict(by_node['node2'])}; "
          f"refusals {sorted(reasons)}; appointments: {booked}")  # fmt: skip
    assert codes == {202: 1, 409: attempts - 1}, results
    assert reasons <= {"offer_spent", "slot_taken"}, reasons
    assert booked == 1


def _asks_until_refused(sessions: list[Http], service_id: int, limit: int = 100) -> list[str]:
    """Ask again and again with one visitor session, taking turns over ``sessions``
    (nodes); which node answered each granted ask, until the first 429."""
    v = Visitor(sessions[0], SLUG)
    granted = []
    for i in range(limit):
        http = sessions[i % len(sessions)]
        v.http = http
        body = {"session": v.session} if v.session else {}
        ch = http.post(f"/v1/public/{SLUG}/challenge", json=body)
        if ch.status_code == 429:
            return granted
        assert ch.status_code == 200, ch.json
        v.session = ch.json["session"]
        proof = {
            "challenge": ch.json["challenge"],
            "nonce": solve_pow(ch.json["challenge_id"], ch.json["bits"]),
        }
        res = v.send_offers(wish_body(service_id), proof)
        if res.status_code == 429:
            return granted
        assert res.status_code == 200, res.json
        granted.append(http.url)
    raise AssertionError(f"no 429 after {limit} asks")


def test_the_ask_budget_holds_across_nodes(cluster, lb, shop):
    budget = 10
    patch_tenant(lb, shop, {"stealth_settings": {"asks_per_session_hour": budget}})
    try:
        nodes = [Http(cluster.node_urls[n]) for n in ("node1", "node2")]
        one = _asks_until_refused(nodes[:1], shop.cut["id"])
        both = _asks_until_refused(nodes, shop.cut["id"])
    finally:
        patch_tenant(lb, shop, {"stealth_settings": {"asks_per_session_hour": 1000}})
    split = Counter("node1" if u == nodes[0].url else "node2" for u in both)
    print(f"\nasks per session and hour {budget}: one node granted {len(one)}; "
          f"taking turns over both nodes granted {len(both)} ({dict(split)})")  # fmt: skip
    assert len(one) == budget
    assert len(both) == budget and split["node1"] == split["node2"] == budget // 2


def test_reception_books_new_clients_on_both_nodes_at_once(cluster, app, lb, shop):
    """Eight desks book new clients at the same moment through the balancer: each
    booking is made (PostgreSQL must never answer a deadlock between them)."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=60)

    def book(i):
        res = lb.post(
            "/v1/appointments",
            json={
                "service_id": shop.cut["id"],
                "staff_id": shop.stylists[i % 2].staff.id,
                "start": (first + timedelta(hours=i // 2)).isoformat(),
                "allow_outside_hours": True,
                "notify": {"email": f"desk{i}@desks.example.org"},
                "client": {"profile": {"name": f"Client {i}"}, "consent": CONSENT},
            },
            headers=shop.owner.headers,
        )
        return res.status_code, (res.json or {}).get("reason")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = Counter(pool.map(book, range(48)))
    print(f"\n48 staff bookings with new clients, 8 at a time through the balancer: "
          f"{dict(results)}")  # fmt: skip
    assert results == {(201, None): 48}, results


def test_1000_due_messages_two_workers_each_sent_once(cluster, app, shop):
    """1,000 confirmations due at once (armed in this process, as a burst of bookings
    would arm them); both workers' sweepers and send tasks compete for them."""
    sink = cluster.sink
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=10)
    stylists = [s.staff.id for s in shop.stylists]
    sent_before = [executed(w) for w in cluster.workers]
    t0 = time.monotonic()
    with app.app_context(), database.connection_context():
        rows = []
        for i in range(MESSAGES):
            start = first + timedelta(hours=i // 2)
            end = start + timedelta(minutes=45)
            rows.append(
                {
                    "tenant": shop.tenant.id, "staff": stylists[i % 2],
                    "service": shop.cut["id"], "status": "confirmed", "source": "staff",
                    "start_at": start, "end_at": end, "block_start": start, "block_end": end,
                    "price_cents": 4500,
                }
            )  # fmt: skip
        with database.atomic():
            for k in range(0, MESSAGES, 250):
                Appointment.insert_many(rows[k : k + 250]).execute()
        made = list(
            Appointment.select()
            .where(
                Appointment.tenant == shop.tenant.id,
                Appointment.start_at >= first,
                Appointment.start_at < first + timedelta(hours=MESSAGES // 2),
            )
            .order_by(Appointment.start_at, Appointment.staff)
        )
        assert len(made) == MESSAGES
        ids = [a.id for a in made]
        with write_transaction():
            for i, appointment in enumerate(made):
                delivery.seal_contact(appointment, {"email": f"m{i}@bulk.example.org"})
    sealed = time.monotonic() - t0

    def arm(chunk):  # as 4 requests at once would: a transaction each
        with app.app_context(), database.connection_context(), write_transaction():
            for appointment in chunk:
                ledger.on_confirmed(appointment)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(arm, [made[k::4] for k in range(4)]))
    armed = time.monotonic() - t0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(sink.count("@bulk.example.org")) < MESSAGES:
        time.sleep(0.2)
    done = time.monotonic() - t0 - armed
    time.sleep(3)  # late duplicates would arrive now
    got = sink.count("@bulk.example.org")
    per_worker = [executed(w) - b for w, b in zip(cluster.workers, sent_before, strict=True)]
    with app.app_context(), database.connection_context():
        states = Counter(
            m.state
            for m in Message.select().where(
                Message.appointment.in_(ids), Message.kind == "confirmed"
            )
        )
    print(f"\n{MESSAGES} appointments with contacts made in {sealed:.1f} s, their "
          f"confirmations armed in {armed - sealed:.1f} s, at the sink {done:.1f} s later: "
          f"{len(got)} recipients, {sum(got.values())} messages, most to one recipient "
          f"{max(got.values(), default=0)}; send tasks run per worker {per_worker}; "
          f"ledger {dict(states)}")  # fmt: skip
    assert len(got) == MESSAGES and set(got.values()) == {1}, got.most_common(3)
    assert states == {"sent": MESSAGES}, states
    assert all(n > 0 for n in per_worker), per_worker  # both workers sent


def executed(worker) -> int:
    return worker.tail(10**9).count("Executing hushbook_service.jobs.send_message")


class Load:
    """Steady traffic through the balancer from 6 clients (kept-alive connections,
    no retries of their own): the public catalog (GET), a proof-of-work challenge
    (POST), the owner's appointment list (GET)."""

    KINDS = ("catalog", "challenge", "appointments")

    def __init__(self, cluster, shop):
        self.cluster, self.owner = cluster, shop.owner.headers
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes: Counter = Counter()
        self.failures: list[str] = []
        self.t0 = time.monotonic()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(6)]

    def _one(self, http: requests.Session, kind: str) -> requests.Response:
        url, kw = self.cluster.lb_url, {"timeout": 30, "verify": str(self.cluster.cert)}
        if kind == "catalog":
            return http.get(f"{url}/v1/public/{SLUG}/catalog", **kw)
        if kind == "challenge":
            return http.post(f"{url}/v1/public/{SLUG}/challenge", json={}, **kw)
        return http.get(f"{url}/v1/appointments?limit=10", headers=self.owner, **kw)

    def _run(self, n: int) -> None:
        http = requests.Session()
        i = n
        while not self.stop.is_set():
            i += 1
            kind = self.KINDS[i % 3]
            try:
                res = self._one(http, kind)
                outcome, ok = f"{kind} {res.status_code}", res.status_code == 200
            except requests.RequestException as exc:
                outcome, ok = f"{kind} {type(exc).__name__}", False
            with self.lock:
                self.outcomes[outcome] += 1
                if not ok:
                    at = time.monotonic() - self.t0
                    self.failures.append(f"{outcome} at {at:.2f} s")

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        time.sleep(1)
        return self

    def __exit__(self, *exc) -> None:
        time.sleep(1)
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def failed(self, kinds=KINDS) -> int:
        return sum(1 for f in self.failures if f.split()[0] in kinds)


def restart(cluster, name: str) -> dict[str, float]:
    """``systemctl restart`` of a node: its unit's stop, then its start."""
    node = cluster.nodes[name]
    t0 = time.monotonic()
    figures = {"stopped": node.stop(), "ready": cluster.start_node(name)}
    figures["total"] = time.monotonic() - t0
    return figures


def test_a_rolling_restart_under_load_drops_nothing(cluster, shop):
    """The documented rolling restart: drained at the balancer, restarted, let back in."""
    before = backend_counters(cluster)
    with Load(cluster, shop) as load:
        cluster.lb_command("set server hushbook_nodes/node1 state drain")
        t0 = time.monotonic()
        while server_row(cluster, "node1")["scur"] != "0":
            time.sleep(0.05)
        drained = time.monotonic() - t0
        figures = restart(cluster, "node1")
        cluster.wait_until({"node1": "DRAIN"})  # health checks pass again
        cluster.lb_command("set server hushbook_nodes/node1 state ready")
        back = cluster.wait_until({"node1": "UP"})
        served = server_row(cluster, "node1")["stot"]
    total = sum(load.outcomes.values())
    print(f"\nrolling restart of node1 under load: drained in {drained:.2f} s, stopped in "
          f"{figures['stopped']:.1f} s, ready {figures['ready']:.1f} s after its start, in "
          f"rotation again {back:.1f} s later (then served {served} requests so far); "
          f"{total} requests, {len(load.failures)} failed {load.failures}; "
          f"{dict(load.outcomes)}; HAProxy {delta(before, backend_counters(cluster))}")  # fmt: skip
    assert total > 100
    assert load.failures == []


def test_a_node_stopped_without_draining_loses_no_read(cluster, shop):
    """A plain SIGTERM (a crash-restart by systemd, an operator in a hurry): the
    balancer retries reads and redispatches what the node refused. A POST that
    reached the stopping node's listen queue is cut off without an answer: printed."""
    before = backend_counters(cluster)
    with Load(cluster, shop) as load:
        figures = restart(cluster, "node2")
        back = cluster.wait_until({"node2": "UP"})
    total = sum(load.outcomes.values())
    print(f"\nnode2 restarted under load without draining (SIGTERM; stopped in "
          f"{figures['stopped']:.1f} s, ready {figures['ready']:.1f} s after its start, in "
          f"rotation {back:.1f} s later): {total} requests, failed: reads "
          f"{load.failed(('catalog', 'appointments'))}, POSTs {load.failed(('challenge',))} "
          f"{load.failures}; {dict(load.outcomes)}; "
          f"HAProxy {delta(before, backend_counters(cluster))}")  # fmt: skip
    assert total > 100
    assert load.failed(("catalog", "appointments")) == 0, load.failures


def server_row(cluster, name: str) -> dict[str, str]:
    return next(
        r for r in cluster.stats() if r["pxname"] == "hushbook_nodes" and r["svname"] == name
    )


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after}


def backend_counters(cluster) -> dict[str, int]:
    """HAProxy's retries and redispatches to the nodes, and the answers it made itself."""
    row = next(
        r for r in cluster.stats() if r["pxname"] == "hushbook_nodes" and r["svname"] == "BACKEND"
    )
    return {"retries": int(row["wretr"] or 0), "redispatches": int(row["wredis"] or 0),
            "5xx": int(row["hrsp_5xx"] or 0)}  # fmt: skip
