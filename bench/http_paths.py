"""Hushbook's hot paths over real HTTP, each against a bare Flask endpoint in the
same run (issue 18).

Run:  .venv/bin/python bench/http_paths.py [--quick] [--db sqlite|postgresql|both]
      (PostgreSQL: the server on 127.0.0.1:5432, user postgres; the database
      ``hushbook_h6_bench`` is dropped and made again; ``--pg-url`` for another)

What runs: two gunicorn servers with the IDENTICAL command line (gthread, 2
workers x 4 threads, the service's ``gunicorn_conf`` with its access log), told
apart only by the environment variable ``BENCH_APP``: one serves Hushbook
(``hushbook_service.wsgi``), the other a bare Flask app whose one endpoint reads
the request body and answers ``{"ok": true}``. Both are up during the whole run;
only one is loaded at a time.

The load generator (the same for both apps): Python threads (``--threads``, 8 by
default: the servers' 2 x 4), each with its own ``requests.Session``, running
one *operation* after another for ``--seconds`` (after a second of warm-up that
is not counted); an operation's latency is from its first request's start to
its last answer. Each Hushbook operation is bracketed: the bare endpoint with
the same number of requests of the same methods per operation, then Hushbook,
then the bare endpoint again; the ratio is Hushbook's operations/s over the mean
of the two bare runs. Each path gets ``--rounds`` brackets (3; ``--quick``: 1)
and the median ratio is its figure (a shared machine's load comes and goes).
Figures: operations/s, p50 and p99 latency (ms), ratio.
(wrk would load a server harder, but cannot run the multi-request operations;
the same Python generator for both apps keeps the ratio fair. On a 2-core
machine the generator shares the CPUs with the servers: the ratios are the
figure to read, not the absolute rates.)

Operations (a salon of 10 bookable team members, 3 services, hours every day
09-18, stealth mode on with proof-of-work at 8 bits and budgets opened wide;
each visitor address a different /24 sent as ``X-Forwarded-For`` to a server
trusting one proxy, so no per-address budget or walk rule binds the bench):
  catalog   GET /v1/public/{slug}/catalog (no If-None-Match: the full answer)
  list      GET /v1/appointments for a day with 10 appointments, each with a
            client (the owner's token: every client's sealed profile in it)
  ask       POST .../challenge, the puzzle solved natively (hashlib), POST
            .../offers for a 7-day wish somewhere in the next 80 days
  booking   an ask, then POST .../challenge and POST .../bookings for one of
            the offers, at random (plain profile, e-mail contact, consent):
            pending, as every online booking is until the customer confirms; a
            new visitor session and e-mail address per booking; every bracket
            books at a salon of its own, seeded like the first one (bookings
            darken the salon's showcase, so a reused salon would starve later
            brackets of offers); ``--booking-salons N`` spreads a bracket's
            bookings over N fresh salons (each booking picks one at random):
            a pending booking darkens its half-day (the hold walk's rule), so
            one salon can run out of offers within a fast bracket (failures
            "no offer")
  avail     GET /v1/availability for 50 team members x 20,000 appointments
            over 90 days (the salon of bench/slots.py ``make_salon``), as one
            request when the service allows 90 days, else as consecutive
            windows of at most 31 days (one operation); then, alone, one client
            asking 5 times in a row (median): the figure set beside the peer's
            sweep on the same data (bench/peer.py ``peer_sweep``: django-appointment
            in its own venv under build/, made on first use; ``--no-peer`` skips it)

Messages armed by bookings are queued into a SQLite Huey store; no worker runs.
The machine's load is printed before and after (``uptime``): other work on the
machine moves both apps alike within a bracket, not across brackets.
"""

from __future__ import annotations

import argparse  # noqa: E402
import os
import random  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import requests  # noqa: E402
from machine import describe, service_env  # noqa: E402

from hushbook.public import solve_pow  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
SLUG = "bench-salon"
TARGETS = {"catalog": 0.5, "list": 0.35, "ask": 0.15, "booking": 0.1}
PG_URL = "postgresql://postgres@127.0.0.1:5432/hushbook_h6_bench"
SEQUENTIAL = 5  # availability answers timed one after another (no load)

BARE_APP = """
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/bare", methods=["GET", "POST"])
def bare():
    request.get_data()
    return jsonify(ok=True)
"""

ENTRY = """
import os

if os.environ["BENCH_APP"] == "hushbook":
    from hushbook_service.wsgi import app
else:
    from bench_bare import app
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# --- the servers ---------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def gunicorn_command(port: int) -> list[str]:
    """The one command line of both apps (the port aside)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "bench_entry:app",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--no-control-socket",
        "--config",
        "python:hushbook_service.gunicorn_conf",
    ]


def start_server(name: str, env: dict[str, str], work: Path) -> Server:
    port = free_port()
    metrics = work / f"metrics-{name}"
    metrics.mkdir(exist_ok=True)
    env = {**env, "BENCH_APP": name, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    env["PYTHONPATH"] = os.pathsep.join([str(work), env.get("PYTHONPATH", "")])
    log = work / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            gunicorn_command(port), env=env, stdout=out, stderr=out, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    probe = "/bare" if name == "bare" else f"/v1/public/{SLUG}/catalog"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} server exited: {log.read_text()[-3000:]}")
        try:
            if requests.get(url + probe, timeout=5).status_code == 200:
                return Server(name, url, proc, log)
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{name} server did not start in 60 s: {log.read_text()[-3000:]}")


# --- the data ------------------------------------------------------------------------------


@dataclass
class World:
    env: dict[str, str]
    app: object
    owner_id: int = 0
    big_owner_id: int = 0
    service_id: int = 0
    big_service_id: int = 0
    list_day: date = field(default_factory=date.today)
    avail_from: datetime = field(default_factory=datetime.now)

    def token(self, staff_id: int) -> dict[str, str]:
        """A fresh access token (they live 15 minutes; a whole run takes longer)."""
        from hushbook_service.accounts.logins import issue_pair
        from hushbook_service.db import database
        from hushbook_service.models import Staff

        with self.app.app_context(), database.connection_context():
            pair = issue_pair(Staff.get_by_id(staff_id), family=secrets.token_hex(8))
        return {"Authorization": f"Bearer {pair.access_token}"}


def permissive_stealth() -> dict[str, int]:
    """Stealth mode on, proof-of-work at 8 bits, every budget and cap at its widest
    (whatever settings the service has: read from ``stealth``)."""
    from hushbook_service import stealth

    out = {}
    for key in stealth.DEFAULTS:
        low, high = stealth.RANGES.get(key, (None, None))
        if key == "pow_base_bits":
            out[key] = 8
        elif key in ("min_fill_seconds", "block_after_no_shows", "hold_cooldown_min"):
            out[key] = low if low is not None else 0
        elif key == "probe_threshold":
            out[key] = low if low is not None else 0  # 0: never
        elif key.startswith(("asks_per", "pending_per", "disclosures", "new_contact")) or (
            key.endswith("_pct")
        ):
            if high is not None:
                out[key] = high
    return out


@dataclass
class Salon:
    """A 10-member salon made through the API: its slug, first service, owner."""

    slug: str
    service_id: int
    owner_id: int
    team: list[int]


def seed(db_url: str, work: Path) -> World:
    """Migrate ``db_url`` and fill it through the service's own API (in this
    process): the bench salon, its 10 listed appointments, and the 50 x 20k salon."""
    env = service_env(work, db_url, HUSHBOOK_TRUSTED_PROXIES="1")
    os.environ.update(
        {k: v for k, v in env.items() if k.startswith(("HUSHBOOK_", "DATABASE", "HUEY"))}
    )
    from slots import fill_hushbook, make_salon

    from hushbook_service import create_app
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.migrations import migrate
    from hushbook_service.models import Staff

    app = create_app()
    world = World(env=env, app=app)
    with app.app_context(), database.connection_context():
        migrate(database.obj)
    first = seed_salon(world, SLUG)
    world.owner_id, world.service_id = first.owner_id, first.service_id
    with app.app_context(), database.connection_context():
        big, big_owner, _ = create_tenant(
            "bench-big", "Big Salon", "owner@big.test", scrypt_log_n=10
        )
        Staff.update(must_change_password=False).where(Staff.id == big_owner.id).execute()
        world.big_owner_id = big_owner.id
        salon = make_salon(50, 20_000)
        _, world.big_service_id = fill_hushbook(salon, big.id)
        world.avail_from = datetime.combine(salon.first_day, datetime.min.time())
    http = app.test_client()
    owner_h = world.token(world.owner_id)
    world.list_day = datetime.now(TZ).date() + timedelta(days=2)
    for i in range(10):
        start = datetime.combine(world.list_day, datetime.min.time()).replace(hour=9 + i // 2)
        body = {
            "service_id": world.service_id,
            "staff_id": first.team[i % 2],
            "start": start.isoformat(),
            "client": {"profile": {"name": f"Client {i}", "email": f"c{i}@example.org"}},
        }
        _ok(http.post("/v1/appointments", json=body, headers=owner_h), 201)
    return world


def _ok(res, code=200):
    assert res.status_code == code, (res.status_code, res.get_data(as_text=True)[:500])
    return res.json


def seed_salon(world: World, slug: str) -> Salon:
    """A salon through the service's own API (in this process): 10 team members
    working 09-18 every day, 3 services, a privacy notice, stealth mode on with
    :func:`permissive_stealth`. Every booking bracket gets its own: bookings of
    the current showcase period darken its buckets (the recent-bookings rule), so
    a salon already booked by one bracket would offer less to the next."""
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.models import Staff
    from hushbook_service.privacy.vault import setup_locally

    with world.app.app_context(), database.connection_context():
        tenant, owner, _ = create_tenant(slug, "Bench Salon", f"owner@{slug}.test", scrypt_log_n=10)
        setup_locally(tenant, owner, "bench vault passphrase", log_n=10, min_log_n=10)
        Staff.update(must_change_password=False).where(Staff.id == owner.id).execute()
    http = world.app.test_client()
    owner_h = world.token(owner.id)
    team = []
    for i in range(10):
        made = _ok(
            http.post(
                "/v1/staff",
                json={"email": f"m{i}@{slug}.test", "display_name": f"Member {i}", "role": "staff"},
                headers=owner_h,
            ),
            201,
        )
        team.append(made["id"])
        rules = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
        _ok(
            http.put(
                f"/v1/staff/{made['id']}/working-hours", json={"rules": rules}, headers=owner_h
            )
        )
    service_id = 0
    for name, minutes, price in (("Cut", 45, 4500), ("Colour", 90, 8000), ("Beard", 20, 2000)):
        made = _ok(
            http.post(
                "/v1/services",
                json={
                    "name": name,
                    "duration_min": minutes,
                    "price_cents": price,
                    "staff_ids": team,
                },
                headers=owner_h,
            ),
            201,
        )
        service_id = service_id or made["id"]
    _ok(
        http.post(
            "/v1/tenant/privacy-notices",
            json={"locale": "de", "text": "Wir verarbeiten Ihre Daten nur für den Termin."},
            headers=owner_h,
        ),
        201,
    )
    etag = http.get("/v1/tenant", headers=owner_h).headers["ETag"]
    _ok(
        http.patch(
            "/v1/tenant",
            json={"stealth_mode": True, "stealth_settings": permissive_stealth()},
            headers={**owner_h, "If-Match": etag},
        )
    )
    return Salon(slug, service_id, owner.id, team)


# --- the load ------------------------------------------------------------------------------


@dataclass
class Result:
    ops: int
    seconds: float
    latencies: list[float]
    failures: dict[str, int]

    @property
    def rate(self) -> float:
        return self.ops / self.seconds

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


def run_load(op, threads: int, seconds: float) -> Result:
    """``op(session, rng)`` over and over in ``threads`` threads; it returns None
    when it did its work, else a short reason (counted, not timed). Operations
    started in the first second warm up and are not counted; those started in
    the next ``seconds`` are, each to its end (the rate's time runs to the last)."""
    warmup = 1.0
    start = time.monotonic()
    t_count, t_end = start + warmup, start + warmup + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    failures: dict[str, int] = {}
    last = [t_end]

    def worker(index: int) -> None:
        rng = random.Random(index * 7919 + int(start * 1000))
        with requests.Session() as session:
            while True:
                t0 = time.monotonic()
                if t0 >= t_end:
                    return
                try:
                    reason = op(session, rng)
                except requests.RequestException as exc:
                    reason = type(exc).__name__
                t1 = time.monotonic()
                if t0 < t_count:
                    continue
                with lock:
                    last[0] = max(last[0], t1)
                    if reason is None:
                        latencies.append(t1 - t0)
                    else:
                        failures[reason] = failures.get(reason, 0) + 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return Result(len(latencies), last[0] - t_count, latencies, failures)


def bare_op(url: str, methods: tuple[str, ...]):
    def op(session, rng):
        for method in methods:
            res = session.request(method, f"{url}/bare", json={} if method == "POST" else None)
            if res.status_code != 200:
                return f"bare {res.status_code}"
        return None

    return op


def visitor_address(rng) -> dict[str, str]:
    """A different /24 for every visitor (the server trusts one proxy)."""
    return {
        "X-Forwarded-For": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    }


def _challenge(session, url, slug, headers, session_id=None):
    body = {"session": session_id} if session_id else {}
    res = session.post(f"{url}/v1/public/{slug}/challenge", json=body, headers=headers)
    if res.status_code != 200:
        return None, f"challenge {res.status_code}"
    answer = res.json()
    proof = None
    if answer.get("required"):
        proof = {
            "challenge": answer["challenge"],
            "nonce": solve_pow(answer["challenge_id"], answer["bits"]),
        }
    return (answer["session"], proof), None


def ask(session, url, salon: tuple[str, int], rng, headers):
    """One ask at ``salon`` (slug, service id): challenge, then offers."""
    slug, service_id = salon
    got, reason = _challenge(session, url, slug, headers)
    if reason:
        return None, reason
    session_id, proof = got
    first = datetime.now(TZ).date() + timedelta(days=rng.randrange(3, 80))
    body = {
        "session": session_id,
        "service_id": service_id,
        "date_from": first.isoformat(),
        "date_to": (first + timedelta(days=6)).isoformat(),
    }
    if proof:
        body["pow"] = proof
    res = session.post(f"{url}/v1/public/{slug}/offers", json=body, headers=headers)
    if res.status_code != 200:
        return None, f"offers {res.status_code} {res.json().get('reason', '')}".strip()
    return (session_id, res.json()["offers"]), None


def hushbook_ops(url: str, world: World, owner_h, big_h, avail_windows, salons=()):
    """The operations; ``salons`` (:class:`Salon`) are where bookings are made."""
    asked = (SLUG, world.service_id)
    booked = [(s.slug, s.service_id) for s in salons] or [asked]
    list_query = {
        "from": f"{world.list_day}T00:00:00",
        "to": f"{world.list_day + timedelta(days=1)}T00:00:00",
    }
    counter = [0]
    lock = threading.Lock()

    def catalog(session, rng):
        res = session.get(f"{url}/v1/public/{SLUG}/catalog")
        return None if res.status_code == 200 else f"catalog {res.status_code}"

    def listing(session, rng):
        res = session.get(f"{url}/v1/appointments", params=list_query, headers=owner_h)
        if res.status_code != 200 or len(res.json()) != 10:
            return f"list {res.status_code}"
        return None

    def one_ask(session, rng):
        got, reason = ask(session, url, asked, rng, visitor_address(rng))
        return reason

    def booking(session, rng):
        headers = visitor_address(rng)
        salon = rng.choice(booked)
        got, reason = ask(session, url, salon, rng, headers)
        if reason:
            return reason
        session_id, offers = got
        if not offers:
            return "no offer"
        # At random: concurrent visitors do not all race for the same start.
        offer = rng.choice(offers)
        got, reason = _challenge(session, url, salon[0], headers, session_id)
        if reason:
            return reason
        _, proof = got
        with lock:
            counter[0] += 1
            n = counter[0]
        body = {
            "session": session_id,
            "offer": offer["token"],
            "profile": {"name": "Erika Mustermann"},
            "contact": {"email": f"bench{n}-{rng.randrange(10**9)}@example.org"},
            "consent": {"notice_version": 1, "locale": "de", "purposes": ["booking"]},
        }
        if proof:
            body["pow"] = proof
        res = session.post(f"{url}/v1/public/{salon[0]}/bookings", json=body, headers=headers)
        if res.status_code != 202:
            return f"booking {res.status_code} {res.json().get('reason', '')}".strip()
        return None

    def availability(session, rng):
        for start, end in avail_windows:
            params = {"service_id": world.big_service_id, "from": start, "to": end}
            res = session.get(f"{url}/v1/availability", params=params, headers=big_h)
            if res.status_code != 200:
                return f"availability {res.status_code}"
        return None

    return {
        "catalog": (catalog, ("GET",)),
        "list": (listing, ("GET",)),
        "ask": (one_ask, ("POST", "POST")),
        "booking": (booking, ("POST",) * 4),
        "avail": (availability, ("GET",) * len(avail_windows)),
    }


def availability_windows(url: str, world: World, headers) -> list[tuple[str, str]]:
    """90 days in one request if the service takes it, else in windows of 31 days."""
    start = world.avail_from
    whole = [(start.isoformat(), (start + timedelta(days=90)).isoformat())]
    params = {"service_id": world.big_service_id, "from": whole[0][0], "to": whole[0][1]}
    res = requests.get(f"{url}/v1/availability", params=params, headers=headers, timeout=120)
    if res.status_code == 200:
        return whole
    out, at = [], start
    while at < start + timedelta(days=90):
        nxt = min(at + timedelta(days=31), start + timedelta(days=90))
        out.append((at.isoformat(), nxt.isoformat()))
        at = nxt
    return out


# --- the run -------------------------------------------------------------------------------


def bench_database(label: str, db_url: str, args, paths: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"hushbook-http-{label}-"))
    (work / "bench_bare.py").write_text(BARE_APP)
    (work / "bench_entry.py").write_text(ENTRY)
    print(f"\n== {label}: seeding (10-member salon; 50 x 20,000 salon) ...", flush=True)
    t0 = time.monotonic()
    world = seed(db_url, work)
    print(f"   seeded in {time.monotonic() - t0:.0f} s; starting both servers", flush=True)
    servers = []
    results: dict = {}
    try:
        bare = start_server("bare", world.env, work)
        servers.append(bare)
        hush = start_server("hushbook", world.env, work)
        servers.append(hush)
        big_h = world.token(world.big_owner_id)
        windows = availability_windows(hush.url, world, big_h)
        print(
            f"   availability: 90 days as {len(windows)} request(s); load: {uptime()}",
            flush=True,
        )
        header = (
            f"   {'path':<10} {'bare op/s':>9} {'hush op/s':>9} {'bare op/s':>9} "
            f"{'ratio':>6} | {'p50 ms':>7} {'p99 ms':>7} | {'bare p50':>8} | failures"
        )
        print(header)
        for name in paths:
            seconds = args.seconds * (2 if name == "avail" else 1)
            for round_ in range(1, args.rounds + 1):
                # Fresh salons for every booking bracket (see seed_salon).
                salons = []
                if name == "booking":
                    salons = [
                        seed_salon(world, f"bench-book-{round_}-{i}")
                        for i in range(args.booking_salons)
                    ]
                # Fresh tokens for every bracket (they live 15 minutes).
                ops = hushbook_ops(
                    hush.url, world, world.token(world.owner_id), big_h, windows, salons
                )
                op, methods = ops[name]
                before = run_load(bare_op(bare.url, methods), args.threads, seconds)
                mine = run_load(op, args.threads, seconds)
                after = run_load(bare_op(bare.url, methods), args.threads, seconds)
                base = (before.rate + after.rate) / 2
                ratio = mine.rate / base if base else float("nan")
                results.setdefault(name, []).append((mine, before, after, ratio))
                fails = ", ".join(f"{k}: {v}" for k, v in sorted(mine.failures.items())) or "-"
                label_ = name if args.rounds == 1 else f"{name} #{round_}"
                print(
                    f"   {label_:<10} {before.rate:>9.1f} {mine.rate:>9.1f} {after.rate:>9.1f} "
                    f"{ratio:>6.3f} | {mine.pct(0.5):>7.1f} {mine.pct(0.99):>7.1f} | "
                    f"{statistics.median([before.pct(0.5), after.pct(0.5)]):>8.1f} | {fails}",
                    flush=True,
                )
        if "avail" in paths:
            op, _ = hushbook_ops(hush.url, world, {}, world.token(world.big_owner_id), windows)[
                "avail"
            ]
            one = []
            with requests.Session() as session:
                for _ in range(SEQUENTIAL):
                    t0 = time.monotonic()
                    if op(session, random.Random(0)) is None:
                        one.append((time.monotonic() - t0) * 1000)
            results["avail_alone"] = statistics.median(one) if one else float("nan")
            print(
                f"   avail, one client asking {SEQUENTIAL} times in a row: median "
                f"{results['avail_alone']:.0f} ms (min {min(one, default=float('nan')):.0f} ms)"
            )
        print(f"   load after: {uptime()}")
    finally:
        for server in servers:
            server.stop()
        from hushbook_service.db import database

        if not database.is_closed():
            database.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"   kept {work}")
    return results


def fresh_pg(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="3 s per measurement, one bracket (else 6 s, 3)"
    )
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--threads", type=int, default=8, help="load generator threads")
    ap.add_argument("--seconds", type=float, help="per measurement")
    ap.add_argument(
        "--rounds", type=int, help="brackets per path, the median ratio counts (3; quick: 1)"
    )
    ap.add_argument("--paths", default="catalog,list,ask,booking,avail")
    ap.add_argument(
        "--booking-salons", type=int, default=1, help="fresh salons per booking bracket (1)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    ap.add_argument("--no-peer", action="store_true", help="skip bench/peer.py's sweep")
    args = ap.parse_args()
    args.seconds = args.seconds or (3.0 if args.quick else 6.0)
    args.rounds = args.rounds or (1 if args.quick else 3)
    paths = [p for p in args.paths.split(",") if p]
    print(describe("HTTP benchmark: Hushbook / bare Flask, gunicorn gthread 2 x 4"))
    print(f"load at start: {uptime()}")
    print(
        f"generator: {args.threads} threads, requests.Session each; {args.seconds:g} s per "
        "measurement (availability twice that), 1 s warm-up; ratio = Hushbook op/s / mean "
        f"of the bare runs before and after; {args.rounds} bracket(s) per path, the median "
        "ratio is the figure"
    )
    summary = {}
    for label in ("sqlite", "postgresql"):
        if args.db not in (label, "both"):
            continue
        if label == "sqlite":
            url = f"sqlite:///{tempfile.mkdtemp(prefix='hushbook-http-db-')}/bench.db"
        else:
            url = args.pg_url
            fresh_pg(url)
        summary[label] = bench_database(label, url, args, paths)
    print("\n== targets (Hushbook / bare Flask, op/s)")
    for name, target in TARGETS.items():
        cells = []
        for label, results in summary.items():
            if name in results:
                ratios = [r[3] for r in results[name]]
                ratio = statistics.median(ratios)
                spread = f" ({min(ratios):.3f}-{max(ratios):.3f})" if len(ratios) > 1 else ""
                verdict = "met" if ratio >= target else "NOT met"
                cells.append(f"{label} {ratio:.3f}{spread} {verdict}")
        if cells:
            print(f"   {name:<8} >= {target:<5} " + "; ".join(cells))
    peer_ms = None
    if "avail" in paths and not args.no_peer:
        from peer import peer_sweep
        from slots import make_salon

        print("   the peer (bench/peer.py: django-appointment's own sweep, same salon) ...")
        peer_ms = statistics.median(peer_sweep(make_salon(50, 20_000), 1)[0])
    for label, results in summary.items():
        if "avail" in results:
            mine, alone = results["avail"][-1][0], results["avail_alone"]
            line = (
                f"   avail    {label}: 90 days, 50 x 20,000 over HTTP: alone {alone:.0f} ms; "
                f"under load p50 {mine.pct(0.5):.0f} ms, {mine.rate:.2f} op/s"
            )
            if peer_ms is not None:
                line += f"; the peer's sweep {peer_ms:.0f} ms = {peer_ms / alone:.0f}x (>= 300)"
            print(line)
    print(f"load at end: {uptime()}")


if __name__ == "__main__":
    main()
