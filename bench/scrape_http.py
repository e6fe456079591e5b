"""The hold walk over the real HTTP service (issue 19 item 8).

Run:  .venv/bin/python bench/scrape.py --http [--quick]
 (or  .venv/bin/python bench/scrape_http.py [--quick] [--keep] [--scenarios hold-shown,base])

``bench/scrape.py`` alone simulates *asking*.  This part attacks a real
``hushbook serve --workers 2`` (gunicorn) over HTTP on SQLite, with a real
``hushbook worker`` sending every e-mail over SMTP to a sink in this process
(the attacker's mailbox, a catch-all domain).  The service runs on a fake
clock (``HUSHBOOK_CLOCK_FILE``: a Monday 08:00 in Berlin a little ahead of
the real date, then advancing with the real clock) so that holds can expire
without waiting: the bench jumps it 31 minutes.  Budgets (the token buckets)
run on the real clock: every scenario is one real day's budget.  The service
trusts one proxy (``HUSHBOOK_TRUSTED_PROXIES=1``); every attacker address and
every honest customer sends its own ``X-Forwarded-For``, each in its own /24.
Proof-of-work is solved natively (``hashlib``), its CPU time measured.
Default stealth settings (``stealth.DEFAULTS``), stealth mode on.

The salon: the simulation's (``scrape.HOURS``, ``STAFF_DAYS``, lunch breaks,
services 15-120 min with their popularity, every staff-day filled to a random
60-80 % of its working time, mostly next to existing appointments), four
weeks back (its history) and four ahead, seeded as confirmed phone bookings
into one tenant per scenario (the same seed, so every scenario sees the same
salon).  The map = every 15-minute working cell of 4 open days (``--quick``:
2) from Wednesday on (Tuesday's starts are within the 24-hour manage
deadline, so holds there could not be cancelled online).

The attacker (per scenario: 1, 10 or 100 addresses; names hidden or shown):
  hold     for each day: ask for that one day (a fresh, pre-aged visitor
           session per ask) with the 60-minute service, book every offer that
           fits the day without confirming (each booking from an address below
           its pending cap), ask again, until the day shows no fitting offer;
           then the same with the 15-minute service.  A bucket (day, part)
           that shows no start for 15 minutes while the attacker's holds sit
           in it is *walked out*: every free 15-minute (staff, cell) in it is
           held by the attacker.  When every address is at its pending cap, or
           the salon's day is full of pending bookings (``pending_day_full``),
           the day ends there; at the next day's start the clock jumps 31
           minutes if anything is pending (the holds expire, the caps refill).
  confirm  the same, but the bookings are confirmed with the codes from the
           attacker's mailbox (the e-mails the worker sent), in batches of 6
           and whenever a pending cap answers, so no pending cap binds for
           long; after each day every booking of it is cancelled through its
           manage link.  If the service documents a hold cool-down
           (``hold_cooldown_min``), a day that shows nothing is asked again
           after the cool-down (the fake clock jumps; up to 4 times a day).  An
           address refused as a prober (``contact_blocked``) only asks.
  The walk ends when every address is out of budget (429 ``rate_limited``).
Scores (over the map; "recovered" = (accuracy - blind) / (1 - blind), blind =
the majority class, as ``scrape.py`` scores):
  per person   names shown: a (staff, cell) is free iff an offer named that
               person there; names hidden: iff the attacker's holds at that
               cell number everyone working then (the rest: busy).
  salon level  a cell is "somebody free" iff an offer covered it; busy if its
               bucket was walked out (the walk's last answer showed nothing
               there) and none did; else the blind class (if
               that scores below the blind guess, the blind guess's 0 %: a
               choice with hindsight, which favours the attacker).
  full half-days  buckets the attacker saw walked out without a single free
               start, against every truly full bucket (wrong claims counted).
  free people  per cell, the number of attacker holds covering it (exact only
               where walked out), against the truth; the blind guess is the
               commonest true count.
  day load     per walked day: 1 - held person-cells / working person-cells if
               all three buckets were walked out, else min(blind, that); blind
               = the salon's true average load over the map (which favours
               the blind guess); the better of the two, with hindsight.  Ratio =
               attacker's mean error / blind's (1.00: no better than blind).
Honest customers: generated wishes (3-14 day windows from tomorrow, weekdays,
parts or time ranges, services by popularity), each from its own address and
session, one ask each, interleaved with the attacker (one per 3 attacker
requests, each wish at most once per scenario); "served" = an offer with
``fits_wish``.  Each walk's salon has an untouched twin (same team, book and
services): every customer's wish is asked of the twin at the same fake
instant, which gives the no-attack share ("twin").  "Kept from a start": each
customer the twin served and the walked salon did not, by cause, from the
salon's true book and the walker's bookings as the service stored them
(staff, times, made, confirmed, cancelled or expired; fake clock):
  taken  every free time fitting the wish (a start on the 15-minute grid,
         after the salon's minimum notice, for the wished service) was booked
         by the walker; how long the freshest of those bookings had sat.
  dark   free fitting time was there, but only in half-days holding a
         booking of the walker's, which rule 1 darkens; "past": every one of
         those bookings past its cool-down (confirmed) or expiry (unconfirmed),
         which rule 1 forbids.
  other  free fitting time in a half-day the walk never touched (which start
         a half-day shows differs from the twin's), or none in the true book.
Other attacks:
  unsolved puzzles  100 addresses each take a puzzle and send asks with a
               wrong nonce; then honest customers ask (answered? served?).
  asking only  100 addresses ask 1,000 customer-like wishes (``--quick``: 300),
               paying their puzzles, booking nothing; then every honest wish
               is asked: does asking alone use up what customers are shown?
  flood        confirmed holds from one mailbox (a catch-all domain, a new
               local part per booking) and 10 addresses: the confirming walk
               with the 120-, 60- and 30-minute services, no cancelling, over
               the open days of the two weeks from tomorrow (``--quick``: 4);
               the share of their bookable and free time it took, and the
               customers during the flood (against its twin at the same
               instants) and after it (all wishes again).
Cost: HTTP requests, bookings that were accepted, CPU-seconds of proof-of-work.
Nothing here is asserted; wall-clock figures depend on the machine (first line).
"""

from __future__ import annotations

import argparse  # noqa: E402
import base64  # noqa: E402
import email  # noqa: E402
import hashlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import threading  # noqa: E402
import time as _time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, date, datetime, time, timedelta  # noqa: E402
from email import policy  # noqa: E402
from pathlib import Path
from zoneinfo import ZoneInfo  # noqa: E402

import requests  # noqa: E402
import scrape  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from machine import describe  # noqa: E402

from hushbook_service import stealth  # noqa: E402
from hushbook_service.scheduling import offers  # noqa: E402
from hushbook_service.scheduling.slots import LocalRange  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
CELL = 900
SERVICES = scrape.SERVICES  # minutes: popularity
PART_BOUNDS = (time(12), time(17))
TOKEN_KEYS = "bench1:" + base64.urlsafe_b64encode(b"k" * 32).decode()
INDEX_KEY = base64.urlsafe_b64encode(b"i" * 32).decode()
MAILDOMAIN = "walker.example"  # the attacker's catch-all mailbox
CONSENT = {"notice_version": 1, "locale": "en", "purposes": ["booking"]}
SESSION_AGE = 5  # seconds a session must have lived before it books (min_fill_seconds 4)
EXPIRY = stealth.DEFAULTS["pending_expiry_min"] * 60
EXPIRY_JUMP = EXPIRY + 60
CUSTOMER_EVERY = 3  # attacker requests between two honest customers
# The service's documented hold cool-down, if it has one (issue 19 item 1): the
# confirming walk waits for it (the fake clock jumps) up to PATIENCE times a day.
COOLDOWN_MIN = stealth.DEFAULTS.get("hold_cooldown_min", 0)
PATIENCE = 4
CONFIRM_BATCH = 6  # the confirming walk confirms its bookings in batches of this many
POLICY = offers.Policy()


def first_monday() -> datetime:
    """08:00 Berlin on the first Monday at least a day ahead of the real clock
    (tokens are checked against the real clock, so the fake one must not lag)."""
    day = (datetime.now(TZ) + timedelta(days=1)).date()
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), TZ)


NOW = first_monday()
TODAY = NOW.date()
# Four weeks back (the salon's history: what an automatic budget may be derived
# from) and four weeks ahead.
GEN_DAYS = [TODAY + timedelta(days=i) for i in range(-28, 28)]


def part_of(local: datetime) -> int:
    return 0 if local.time() < PART_BOUNDS[0] else 1 if local.time() < PART_BOUNDS[1] else 2


def local(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, TZ)


def bucket_of(epoch: int) -> tuple[date, int]:
    """The half-day (local date, part of day) a start lies in."""
    at = local(epoch)
    return at.date(), part_of(at)


def epoch(day: date, t: time) -> int:
    return int(datetime.combine(day, t, TZ).timestamp())


# --- the fake clock -------------------------------------------------------------------------


class Clock:
    """What ``HUSHBOOK_CLOCK_FILE`` says: a base, the real time since, and jumps."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.reset()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        with self.lock:
            self.t0 = _time.monotonic()
            self.jumped = 0.0
        self.write()

    def now(self) -> float:
        with self.lock:
            return NOW.timestamp() + (_time.monotonic() - self.t0) + self.jumped

    def jump(self, seconds: float) -> None:
        with self.lock:
            self.jumped += seconds
        self.write()
        _time.sleep(0.05)

    def write(self) -> None:
        text = datetime.fromtimestamp(self.now(), UTC).isoformat()
        with self.write_lock:  # the thread and a jump write the same file
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(text)
            os.replace(tmp, self.path)

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            self.write()


# --- the salon ----------------------------------------------------------------------------


@dataclass
class Plan:
    """The salon as generated: working cells, appointments, the truth."""

    working: dict[int, list[tuple[int, int]]]  # staff (1-6) -> [(start, end)] epoch
    blocks: list[tuple[int, int, int]]  # (staff, start epoch, minutes)
    busy: set[tuple[int, int]]  # (staff, cell) busy


def working_intervals(sid: int, day: date) -> list[tuple[int, int]]:
    wd = day.weekday()
    if wd not in scrape.STAFF_DAYS[sid]:
        return []
    start, end = scrape.HOURS[wd]
    lunch = (time(12, 30), time(13)) if sid % 2 else (time(13), time(13, 30))
    return [(epoch(day, start), epoch(day, lunch[0])), (epoch(day, lunch[1]), epoch(day, end))]


def make_plan(seed: int = 1) -> Plan:
    """``scrape.build_salon``'s generator, on the fake clock's dates."""
    rng = random.Random(seed)
    durations, weights = list(SERVICES), list(SERVICES.values())
    working: dict[int, list[tuple[int, int]]] = defaultdict(list)
    blocks, busy = [], set()
    for sid in sorted(scrape.STAFF_DAYS):
        for day in GEN_DAYS:
            work = working_intervals(sid, day)
            if not work:
                continue
            working[sid] += work
            cells = [c for a, b in work for c in range(a, b, CELL)]
            for c0, d in scrape.fill_cells(rng, cells, durations, weights):
                blocks.append((sid, c0, d))
                busy |= {(sid, c0 + i * CELL) for i in range(d // 15)}
    return Plan(dict(working), blocks, busy)


def seed_tenant(slug: str, names: bool, plan: Plan) -> None:
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.models import (
        Appointment,
        PrivacyNotice,
        Service,
        ServiceStaff,
        Staff,
        Tenant,
        WorkingHours,
    )
    from hushbook_service.privacy.vault import setup_locally

    tenant, owner, _ = create_tenant(slug, f"Salon {slug}", f"owner@{slug}.bench", scrypt_log_n=10)
    setup_locally(tenant, owner, "bench passphrase", log_n=10, min_log_n=10)
    with database.atomic():
        Staff.update(notify_bookings=False, bookable=False).where(Staff.id == owner.id).execute()
        Tenant.update(show_staff_names=names).where(Tenant.id == tenant.id).execute()
        for lang in ("de", "en"):
            PrivacyNotice.create(tenant=tenant, version=1, locale=lang, text="Bench salon.")
        staff = {}
        for sid in sorted(scrape.STAFF_DAYS):
            staff[sid] = Staff.create(
                tenant=tenant,
                email=f"s{sid}@{slug}.bench",
                display_name=f"Stylist {sid}",
                public_name=f"Stylist {sid}",
                role="staff",
                notify_bookings=False,
            )
            lunch = (time(12, 30), time(13)) if sid % 2 else (time(13), time(13, 30))
            for wd in scrape.STAFF_DAYS[sid]:
                start, end = scrape.HOURS[wd]
                WorkingHours.create(
                    tenant=tenant, staff=staff[sid], weekday=wd, start=start, end=end
                )
                WorkingHours.create(
                    tenant=tenant,
                    staff=staff[sid],
                    weekday=wd,
                    kind="break",
                    start=lunch[0],
                    end=lunch[1],
                )
        services = {}
        for minutes in SERVICES:
            services[minutes] = Service.create(
                tenant=tenant,
                name=f"Service {minutes} min",
                duration_min=minutes,
                price_cents=100 * minutes,
            )
            for member in staff.values():
                ServiceStaff.create(tenant=tenant, service=services[minutes], staff=member)
        # Booked (by phone) one to 21 days before the appointment, and at least a day
        # before "now": a salon's book is not written in the last hour.
        rng = random.Random(5)
        latest = NOW.astimezone(UTC) - timedelta(days=1)
        rows = []
        for sid, c0, minutes in plan.blocks:
            s = datetime.fromtimestamp(c0, UTC)
            e = s + timedelta(minutes=minutes)
            made = min(s, latest) - timedelta(hours=rng.uniform(24, 21 * 24))
            rows.append(
                {
                    "tenant": tenant.id,
                    "staff": staff[sid].id,
                    "service": services[minutes].id,
                    "status": "confirmed",
                    "source": "phone",
                    "start_at": s,
                    "end_at": e,
                    "block_start": s,
                    "block_end": e,
                    "created_at": made,
                    "updated_at": made,
                }
            )
        for k in range(0, len(rows), 500):
            Appointment.insert_many(rows[k : k + 500]).execute()


# --- processes and the mailbox ------------------------------------------------------------


class Mailbox:
    """The SMTP sink: the attacker's catch-all mailbox (codes by recipient)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, str] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        part = msg.get_body(("plain",)) if msg.is_multipart() else msg
        text = part.get_content() if part is not None else ""
        found = re.search(r"[Cc]ode (\d{6})", text)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                if found and rcpt not in self.codes:
                    self.codes[rcpt] = found.group(1)
        return "250 Message accepted"

    def code(self, rcpt: str, timeout: float = 20.0) -> str | None:
        deadline = _time.monotonic() + timeout
        while _time.monotonic() < deadline:
            with self.lock:
                if rcpt in self.codes:
                    return self.codes[rcpt]
            _time.sleep(0.05)
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as fh:
        return subprocess.Popen(cmd, env=env, stdout=fh, stderr=fh, start_new_session=True)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


# --- talking to the service ---------------------------------------------------------------


@dataclass
class Cost:
    requests: int = 0
    bookings: int = 0
    pow_seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)


class Net:
    """HTTP to the service as a given address behind the trusted proxy."""

    def __init__(self, url: str, slug: str) -> None:
        self.url, self.slug = url, slug
        self.http = requests.Session()

    def post(self, path: str, body: dict, ip: str, cost: Cost | None) -> requests.Response:
        for attempt in range(3):  # a worker restarted under load closes a connection
            try:
                res = self.http.post(
                    f"{self.url}{path}", json=body, headers={"X-Forwarded-For": ip}, timeout=60
                )
                break
            except requests.ConnectionError:
                if attempt == 2:
                    raise
                _time.sleep(1)
        if cost is not None:
            cost.requests += 1
            cost.statuses[res.status_code] += 1
        return res

    def session(self, ip: str, cost: Cost | None) -> str:
        res = self.post(f"/v1/public/{self.slug}/challenge", {}, ip, cost)
        res.raise_for_status()
        return res.json()["session"]

    def pow(self, session: str, ip: str, cost: Cost | None) -> dict | None:
        """A solved puzzle for ``session`` (None if the answer was a refusal)."""
        res = self.post(f"/v1/public/{self.slug}/challenge", {"session": session}, ip, cost)
        if res.status_code != 200:
            return None
        ch = res.json()
        t0 = _time.process_time()
        nonce = solve(ch["challenge_id"], ch["bits"])
        if cost is not None:
            cost.pow_seconds += _time.process_time() - t0
        return {"challenge": ch["challenge"], "nonce": nonce}

    def ask(self, session: str, ip: str, wish: dict, cost: Cost | None) -> requests.Response | None:
        for _ in range(3):  # "too easy now": the price rose since the puzzle was issued
            proof = self.pow(session, ip, cost)
            if proof is None:
                return None
            res = self.post(
                f"/v1/public/{self.slug}/offers",
                {**wish, "session": session, "pow": proof},
                ip,
                cost,
            )
            if not _too_easy(res):
                return res
        return res

    def book(
        self, session: str, ip: str, token: str, mail: str, cost: Cost
    ) -> requests.Response | None:
        for _ in range(3):
            proof = self.pow(session, ip, cost)
            if proof is None:
                return None
            body = {
                "session": session,
                "pow": proof,
                "offer": token,
                "profile": {"name": "W. Alker"},
                "contact": {"email": mail},
                "consent": CONSENT,
                "locale": "en",
                "website": "",
            }
            res = self.post(f"/v1/public/{self.slug}/bookings", body, ip, cost)
            if not _too_easy(res):
                if res.status_code == 202:
                    cost.bookings += 1
                return res
        return res


def _too_easy(res: requests.Response) -> bool:
    return res.status_code == 422 and "too easy" in res.text


def solve(challenge_id: str, bits: int) -> str:
    """Native proof-of-work: hashlib's SHA-256, a counter as the nonce."""
    prefix = hashlib.sha256(f"{challenge_id}:".encode())
    limit = 1 << (256 - bits)
    nonce = 0
    while True:
        h = prefix.copy()
        h.update(str(nonce).encode())
        if int.from_bytes(h.digest(), "big") < limit:
            return str(nonce)
        nonce += 1


def reason(res: requests.Response | None) -> str:
    if res is None:
        return "refused"
    try:
        return str(res.json().get("reason") or res.status_code)
    except ValueError:
        return str(res.status_code)


# --- honest customers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    minutes: int
    body: dict  # the wish as sent
    wish: offers.Wish  # the same, for offers.fits


RANGES = [(9, 11), (12, 14), (16, 18), (17, 20), (10, 13)]


def customers(n: int, seed: int = 7) -> list[Customer]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        minutes = rng.choices(list(SERVICES), list(SERVICES.values()))[0]
        first = TODAY + timedelta(days=rng.choice((1, 1, 2, 2, 3)))
        length = rng.choices((3, 7, 14), (10, 30, 60))[0]
        last = first + timedelta(days=length - 1)
        open_days = sorted(scrape.HOURS)
        body: dict = {"date_from": first.isoformat(), "date_to": last.isoformat()}
        weekdays: frozenset[int] = offers.ALL_DAYS
        r = rng.random()
        if r >= 0.40:
            weekdays = frozenset(rng.sample(open_days, 1 if r >= 0.75 else rng.choice((2, 3))))
            body["weekdays"] = sorted(weekdays)
        parts: frozenset[str] = frozenset()
        time_range = None
        r = rng.random()
        if r < 0.55:
            parts = frozenset(rng.sample(offers.PARTS, 1 if r < 0.45 else 2))
            body["parts"] = sorted(parts)
        elif r < 0.65:
            a, b = rng.choice(RANGES)
            time_range = LocalRange(time(a), time(b))
            body["time_from"], body["time_to"] = f"{a:02d}:00", f"{b:02d}:00"
        wish = offers.Wish(first, last, weekdays, parts, time_range, None)
        out.append(Customer(minutes, body, wish))
    return out


@dataclass
class Asked:
    index: int
    at: float  # fake time
    served: bool
    status: int
    twin: bool | None = None  # the same wish asked of the untouched twin salon at once


class Crowd:
    """Honest customers, each from its own address (own /24) and session. With a
    ``twin`` (an untouched copy of the salon: same team, same book, same
    services), every wish is asked of the twin too, at the same fake instant:
    what the customer would have been offered without the attack."""

    def __init__(
        self,
        net: Net,
        service_ids: dict[int, int],
        wishes: list[Customer],
        twin: tuple[Net, dict[int, int]] | None = None,
    ) -> None:
        self.net, self.service_ids, self.wishes = net, service_ids, wishes
        self.twin = twin
        self.asked: list[Asked] = []

    def ask_next(self, clock: Clock) -> None:
        i = len(self.asked) % len(self.wishes)
        asked = self.ask(i, clock)
        if self.twin is not None:
            net, service_ids = self.twin
            asked.twin = self._ask(net, service_ids, i, clock, len(self.asked)).served
        self.asked.append(asked)

    def ask(self, i: int, clock: Clock) -> Asked:
        return self._ask(self.net, self.service_ids, i, clock, len(self.asked))

    def _ask(self, net: Net, service_ids: dict[int, int], i: int, clock: Clock, n: int) -> Asked:
        c = self.wishes[i]
        ip = f"172.{16 + (n // 250) % 16}.{n % 250}.{9 + i % 200}"
        at = clock.now()
        try:
            session = net.session(ip, None)
        except requests.HTTPError as exc:
            return Asked(i, at, False, exc.response.status_code)
        res = net.ask(session, ip, {**c.body, "service_id": service_ids[c.minutes]}, None)
        if res is None or res.status_code != 200:
            return Asked(i, at, False, 429 if res is None else res.status_code)
        return Asked(i, at, any(o["fits_wish"] for o in res.json()["offers"]), 200)


# --- the walk -----------------------------------------------------------------------------


@dataclass
class Hold:
    start: int
    end: int
    staff: int | None  # shown names: the staff id, else None
    booked: float  # fake time
    released: float | None = None
    ref: str = ""
    manage: str = ""
    mail: str = ""
    confirmed: bool = False
    tried: bool = False  # confirming was tried (its mail is not waited for again)


@dataclass
class Address:
    ip: str
    out: bool = False  # out of budget (429 rate_limited)
    pending: int = 0  # our count of its unconfirmed bookings
    burnt: bool = False  # refused as a prober (contact_blocked): it only asks now


@dataclass
class Walk:
    holds: list[Hold] = field(default_factory=list)
    seen: set[tuple[int, int, int | None]] = field(default_factory=set)  # offered spans
    walked_out: set[tuple[date, int]] = field(default_factory=set)  # buckets (15 min)
    first_empty: set[tuple[date, int]] = field(default_factory=set)  # no 15-min start at all
    days: list[date] = field(default_factory=list)
    cost: Cost = field(default_factory=Cost)
    stopped: str = ""


class Attacker:
    def __init__(
        self,
        net: Net,
        clock: Clock,
        mailbox: Mailbox,
        service_ids: dict[int, int],
        staff_index: dict[int, int],
        n_addresses: int,
        confirm: bool,
        crowd: Crowd | None,
    ) -> None:
        self.net, self.clock, self.mailbox = net, clock, mailbox
        self.service_ids, self.staff_index = service_ids, staff_index
        self.addresses = [Address(f"10.{i // 250}.{i % 250}.7") for i in range(n_addresses)]
        self.confirm = confirm
        self.crowd = crowd
        self.walk = Walk()
        self.sessions: list[tuple[str, float]] = []
        self.turn = 0
        self.mails = 0
        self.customer_tick = 0
        self.waits = 0  # cool-downs this day may still be waited for

    # budgets and helpers

    def _tick(self) -> None:
        """An honest customer every few attacker requests."""
        if self.crowd is None:
            return
        while self.walk.cost.requests - self.customer_tick >= CUSTOMER_EVERY:
            self.customer_tick += CUSTOMER_EVERY
            if len(self.crowd.asked) < len(self.crowd.wishes):  # each wish once
                self.crowd.ask_next(self.clock)

    def _address(self, booking: bool) -> Address | None:
        n = len(self.addresses)
        for k in range(n):
            a = self.addresses[(self.turn + k) % n]
            full = not self.confirm and a.pending >= stealth.DEFAULTS["pending_per_ip"]
            if not a.out and not (booking and (a.burnt or full)):
                self.turn = (self.turn + k + 1) % n
                return a
        return None

    def _session(self) -> str | None:
        """A session old enough to book: made in batches (from any address with
        budget left), then the clock moves on."""
        while not self.sessions:
            addr = self._address(booking=False)
            if addr is None:
                return None
            try:
                for _ in range(10):
                    self.sessions.append(
                        (self.net.session(addr.ip, self.walk.cost), self.clock.now())
                    )
            except requests.HTTPError:
                addr.out = True
        sid, born = self.sessions.pop(0)
        wait = born + SESSION_AGE - self.clock.now()
        if wait > 0:
            self.clock.jump(wait)
        return sid

    def _refused(self, addr: Address, res: requests.Response | None) -> None:
        if reason(res) == "rate_limited" or res is None:
            addr.out = True

    def _release(self, holds: list[Hold], at: float) -> None:
        for h in holds:
            if h.released is None:
                h.released = at

    def expire_all(self) -> None:
        """Jump past the expiry of every pending hold (the caps refill)."""
        pending = [h for h in self.walk.holds if not h.confirmed and h.released is None]
        if not pending:
            return
        self.clock.jump(EXPIRY_JUMP)
        for h in pending:
            h.released = h.booked + EXPIRY
        for a in self.addresses:
            a.pending = 0

    # the walk

    def run(self, days: list[date], lengths: tuple[int, ...], cancel: bool = True) -> Walk:
        for day in days:
            if all(a.out for a in self.addresses):
                self.walk.stopped = "budget"
                break
            if not self.confirm:
                self.expire_all()
            self.walk.days.append(day)
            self.waits = PATIENCE if COOLDOWN_MIN else 0
            mine = len(self.walk.holds)
            if not self.walk_day(day, lengths[-1], last=True, probe=True):
                break
            for minutes in lengths:
                if not self.walk_day(day, minutes, last=minutes == lengths[-1]):
                    break
            self.confirm_pending()
            if self.confirm and cancel:
                self.cancel(self.walk.holds[mine:])
        for h in self.walk.holds:  # what was never confirmed expires by itself
            if h.released is None and not h.confirmed:
                h.released = h.booked + EXPIRY
        return self.walk

    def walk_day(self, day: date, minutes: int, last: bool, probe: bool = False) -> bool:
        """Ask and hold until the day shows nothing for ``minutes``; False if stopped.
        ``probe``: one ask, before any hold of the day (which half-days show nothing).
        With ``last``, the half-days the last answer showed nothing in count as
        walked out."""
        missing: set[int] = set()
        try:
            return self._walk_day(day, minutes, probe, missing)
        finally:
            if last:
                self.walk.walked_out |= {(day, p) for p in missing}
                if probe:
                    self.walk.first_empty |= {(day, p) for p in missing}

    def _walk_day(self, day: date, minutes: int, probe: bool, missing: set[int]) -> bool:
        while True:
            addr = self._address(booking=False)
            if addr is None:
                self.walk.stopped = "budget"
                return False
            session = self._session()
            if session is None:
                self.walk.stopped = "budget"
                return False
            wish = {
                "service_id": self.service_ids[minutes],
                "date_from": day.isoformat(),
                "date_to": day.isoformat(),
            }
            res = self.net.ask(session, addr.ip, wish, self.walk.cost)
            self._tick()
            if res is None or res.status_code != 200:
                self._refused(addr, res)
                if not addr.out:
                    self.walk.stopped = f"ask refused: {reason(res)}"
                    return False
                continue
            fit = [o for o in res.json()["offers"] if o["fits_wish"]]
            missing |= {0, 1, 2}
            for o in fit:
                a = int(datetime.fromisoformat(o["start"]).timestamp())
                b = int(datetime.fromisoformat(o["end"]).timestamp())
                staff = self.staff_index[o["staff"]["id"]] if "staff" in o else None
                self.walk.seen.add((a, b, staff))
                missing.discard(part_of(local(a)))
                o["_span"] = (a, b, staff)
            if probe:
                return True
            if not fit and self.waits and self.confirm:
                # The documented cool-down: a confirmed hold's half-day shows a new
                # start once it has passed. A patient attacker waits and asks again.
                self.confirm_pending()
                self.waits -= 1
                self.clock.jump(COOLDOWN_MIN * 60 + 60)
                continue
            if not fit:
                self.confirm_pending()
                return True
            cap = stealth.DEFAULTS["pending_per_session"]
            if not self.confirm:  # the session's own pending cap: the rest come back later
                fit = fit[:cap]
            for o in fit:
                outcome = self.hold(session, o)
                if outcome == "day_full":
                    self.walk.stopped = "pending_day_full"
                    return False
                if outcome == "no_address":
                    self.walk.stopped = "pending caps"
                    return False
            if sum(not h.tried for h in self.walk.holds) >= CONFIRM_BATCH:
                self.confirm_pending()

    def hold(self, session: str, offer: dict) -> str:
        while True:
            addr = self._address(booking=True)
            if addr is None:
                return "no_address"
            self.mails += 1
            mail = f"{self.net.slug}-{self.mails}@{MAILDOMAIN}"
            res = self.net.book(session, addr.ip, offer["token"], mail, self.walk.cost)
            self._tick()
            why = reason(res)
            if res is not None and res.status_code == 202:
                a, b, staff = offer["_span"]
                h = Hold(a, b, staff, self.clock.now(), ref=res.json()["booking"], mail=mail)
                self.walk.holds.append(h)
                addr.pending += 1
                return "held"
            if why == "contact_blocked":  # a new mailbox each time: the address is known
                addr.burnt = True
                continue
            if why in ("pending_day_full", "too_many_pending") and self.confirm_pending():
                continue  # confirmed what was pending: no cap counts those
            if why == "pending_day_full":
                return "day_full"
            if why == "too_many_pending":
                if self.confirm:
                    return "skipped"
                addr.pending = stealth.DEFAULTS["pending_per_ip"]  # its cap (or its network's)
                continue
            self._refused(addr, res)
            if not addr.out:  # slot_taken, offer_spent, an invalid offer: leave it
                self.walk.stopped = self.walk.stopped or f"booking refused once: {why}"
                return "skipped"

    def confirm_pending(self) -> bool:
        """Confirm every hold of this walk not yet confirmed, with the codes mailed
        (in batches: the mails arrive meanwhile); whether there was any."""
        todo = [h for h in self.walk.holds if not h.tried] if self.confirm else []
        for h in todo:
            self.confirm_hold(h)
        for a in self.addresses if todo else ():
            a.pending = 0
        return bool(todo)

    def confirm_hold(self, h: Hold) -> None:
        h.tried = True
        code = self.mailbox.code(h.mail)
        if code is None:
            return
        for _ in range(len(self.addresses)):
            addr = self._address(booking=False)
            if addr is None:
                return
            res = self.net.post(
                "/v1/public/bookings/confirm",
                {"booking": h.ref, "code": code},
                addr.ip,
                self.walk.cost,
            )
            if res.status_code == 200:
                h.confirmed = True
                h.manage = res.json()["manage_token"]
                return
            if reason(res) != "rate_limited":
                return

    def cancel(self, holds: list[Hold]) -> None:
        for h in holds:
            if not h.confirmed or h.released is not None:
                continue
            addr = self._address(booking=False)
            if addr is None:
                return
            res = self.net.post(f"/v1/public/manage/{h.manage}/cancel", {}, addr.ip, self.walk.cost)
            if res.status_code == 200:
                h.released = self.clock.now()
            else:
                self._refused(addr, res)


# --- scoring ------------------------------------------------------------------------------


@dataclass
class Truth:
    cells: list[tuple[int, int]]  # working (staff, cell) on the map days
    busy: set[tuple[int, int]]
    working: dict[int, set[int]]  # cell -> staff working
    days: list[date]


def truth_for(plan: Plan, days: list[date]) -> Truth:
    cells = []
    working: dict[int, set[int]] = defaultdict(set)
    for sid, ivs in plan.working.items():
        for a, b in ivs:
            if local(a).date() in days:
                for c in range(a, b, CELL):
                    cells.append((sid, c))
                    working[c].add(sid)
    known = set(cells)
    return Truth(cells, {x for x in plan.busy if x in known}, dict(working), days)


def recovered(right: int, total: int, base: float) -> float:
    return (right / total - base) / (1 - base) if base < 1 else 0.0


def score(t: Truth, w: Walk, names: bool) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    held: Counter = Counter()  # cell -> attacker holds covering it (distinct people)
    for h in w.holds:
        for c in range(h.start, h.end, CELL):
            held[c] += 1
    seen_cells = {c for a, b, _ in w.seen for c in range(a, b, CELL)}
    named = {(s, c) for a, b, s in w.seen if s is not None for c in range(a, b, CELL)}
    # per person
    busy_share = len(t.busy) / len(t.cells)
    base = max(busy_share, 1 - busy_share)
    right = 0
    for sid, c in t.cells:
        free = (sid, c) in named if names else held[c] >= len(t.working[c])
        right += free == ((sid, c) not in t.busy)
    out["person"] = recovered(right, len(t.cells), base)
    # salon level: somebody free
    any_free = {c: any((s, c) not in t.busy for s in ws) for c, ws in t.working.items()}
    share = sum(any_free.values()) / len(any_free)
    blind_free = share >= 0.5
    right = 0
    for c, truth in any_free.items():
        loc = local(c)
        if c in seen_cells:
            guess = True
        elif (loc.date(), part_of(loc)) in w.walked_out:
            guess = False
        else:
            guess = blind_free
        right += guess == truth
    # the better of this and the blind guess, picked with hindsight (favours the attacker)
    out["salon"] = max(0.0, recovered(right, len(any_free), max(share, 1 - share)))
    # fully booked half-days
    buckets: dict[tuple[date, int], bool] = {}
    for c, truth in any_free.items():
        key = bucket_of(c)
        buckets[key] = buckets.get(key, False) or truth
    full = {k for k, some in buckets.items() if not some}
    claimed = {k for k in w.first_empty if k in buckets}
    out["full"] = f"{len(full & claimed)}/{len(full)}" + (
        f" ({len(claimed - full)} wrong)" if claimed - full else ""
    )
    # free people per cell
    counts = {c: sum((s, c) not in t.busy for s in ws) for c, ws in t.working.items()}
    mode = Counter(counts.values()).most_common(1)[0][0]
    out["count"] = sum(held[c] == n for c, n in counts.items()) / len(counts)
    out["count_blind"] = sum(n == mode for n in counts.values()) / len(counts)
    # day load
    avg = len(t.busy) / len(t.cells)
    errs, blind = [], []
    for day in w.days:
        day_cells = [(s, c) for s, c in t.cells if local(c).date() == day]
        if not day_cells:
            continue
        load = sum(x in t.busy for x in day_cells) / len(day_cells)
        free_held = sum(held[c] for c in {c for _, c in day_cells})
        est = 1 - free_held / len(day_cells)
        if not all((day, p) in w.walked_out for p in range(3)):
            est = min(avg, est)
        errs.append(abs(est - load))
        blind.append(abs(avg - load))
    # the better of the estimates and the blind guess, picked with hindsight
    errs = errs if sum(errs) < sum(blind) else blind
    out["load_err"] = sum(errs) / len(errs) if errs else float("nan")
    out["load_blind"] = sum(blind) / len(blind) if blind else float("nan")
    out["load_ratio"] = (
        out["load_err"] / out["load_blind"] if blind and out["load_blind"] else float("nan")
    )
    return out


@dataclass
class Booked:
    """One of the walker's bookings as the service stored it (fake epochs)."""

    sid: int
    start: int
    end: int
    made: float
    until: float  # cancelled, expired, or still there at the walk's end
    confirmed_at: float | None

    @property
    def bucket(self) -> tuple[date, int]:
        return bucket_of(self.start)

    @property
    def shield(self) -> float:
        """Until when rule 1 may keep its half-day from showing a new start:
        unconfirmed, until it expires; confirmed, until the cool-down has passed."""
        if self.confirmed_at is not None:
            return self.confirmed_at + COOLDOWN_MIN * 60
        return self.until


def walker_bookings(slug: str, staff_index: dict[int, int], end: float) -> list[Booked]:
    """The online bookings of a walked salon: the walker's (customers only ask)."""
    from hushbook_service.models import Appointment, Tenant

    tenant = Tenant.get(Tenant.slug == slug)
    out = []
    for a in Appointment.select().where(
        Appointment.tenant == tenant.id, Appointment.source == "online"
    ):
        if a.status == "cancelled":
            until = a.updated_at.timestamp()
        elif a.status in ("pending", "expired"):
            until = a.pending_until.timestamp()
        else:
            until = end
        out.append(
            Booked(
                staff_index[a.staff_id],
                int(a.start_at.timestamp()),
                int(a.end_at.timestamp()),
                a.created_at.timestamp(),
                until,
                a.confirmed_at.timestamp() if a.confirmed_at else None,
            )
        )
    return out


@dataclass
class Kept:
    """Why customers the twin served were not served during the walk."""

    taken: int = 0  # every fitting free time was booked by the walker
    taken_confirmed: int = 0  # ... with a confirmed booking among them
    taken_age: float | None = None  # minutes: the longest, at the freshest booking
    dark: int = 0  # free fitting time only in half-days a walker's booking darkened
    dark_past: int = 0  # ... every one of them past its cool-down or expiry (rule 1 forbids)
    dark_age: float | None = None  # minutes, as taken_age
    other: int = 0  # free fitting time in a half-day the walk never touched
    gone: int = 0  # nothing fitting free even in the plan (the twin saw otherwise)


def _longest(was: float | None, minutes: float) -> float:
    return minutes if was is None else max(was, minutes)


def kept_from_start(
    crowd: Crowd, wishes: list[Customer], plan: Plan, booked: list[Booked], notice_min: int
) -> Kept:
    """Each customer the untouched twin served at the same instant but the walked
    salon did not, by cause, from the salon's true book and the walker's stored
    bookings: was every fitting free time booked by the walker (a booking holds
    its time, confirmed or not), or was free fitting time there, in half-days
    rule 1 had darkened (a walker's booking in them, within its cool-down or
    expiry, or past it)?"""
    kept = Kept()
    for a in crowd.asked:
        if a.served or not a.twin:
            continue
        c = wishes[a.index]
        span, earliest = c.minutes * 60, a.at + notice_min * 60
        live = [b for b in booked if b.made <= a.at < b.until]
        fitting = [
            (sid, s)
            for sid, intervals in plan.working.items()
            for lo, hi in intervals
            for s in range(lo, hi - span + 1, CELL)
            if s >= earliest
            and offers.fits(c.wish, datetime.fromtimestamp(s, UTC), TZ, POLICY)
            and not any((sid, x) in plan.busy for x in range(s, s + span, CELL))
        ]

        def holders(sid: int, s: int, live=live, span=span) -> list[Booked]:
            return [b for b in live if b.sid == sid and b.start < s + span and s < b.end]

        free = [(sid, s) for sid, s in fitting if not holders(sid, s)]
        if not fitting:
            kept.gone += 1
        elif not free:
            blocking = [b for sid, s in fitting for b in holders(sid, s)]
            kept.taken += 1
            kept.taken_confirmed += any(
                b.confirmed_at is not None and b.confirmed_at <= a.at for b in blocking
            )
            kept.taken_age = _longest(kept.taken_age, min(a.at - b.made for b in blocking) / 60)
        else:
            buckets = {bucket_of(s) for _, s in free}
            darkening = [b for b in live if b.bucket in buckets]
            if {b.bucket for b in darkening} != buckets:
                kept.other += 1
                continue
            kept.dark += 1
            kept.dark_past += all(a.at >= b.shield for b in darkening)
            kept.dark_age = _longest(kept.dark_age, min(a.at - b.made for b in darkening) / 60)
    return kept


# --- main ---------------------------------------------------------------------------------


def prepare(root: Path, clock_path: Path) -> dict[str, str]:
    for name in ("HUSHBOOK_SMTP_URL", "HUSHBOOK_SMS_URL", "HUEY_URL", "DATABASE_URL"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "HUSHBOOK_INSTANCE": str(root / "instance"),
            "HUSHBOOK_DELIVERY_KEYS_DIR": str(root / "instance" / "delivery-keys"),
            "HUSHBOOK_TOKEN_KEYS": TOKEN_KEYS,
            "HUSHBOOK_INDEX_KEY": INDEX_KEY,
            "HUSHBOOK_SCRYPT_LOG_N": "10",
            "HUSHBOOK_CLOCK_FILE": str(clock_path),
            "HUSHBOOK_TRUSTED_PROXIES": "1",
            "DATABASE_URL": f"sqlite:///{root / 'hushbook.db'}",
            "HUEY_URL": f"sqlite:///{root / 'huey.db'}",
        }
    )
    return {"database_url": os.environ["DATABASE_URL"], "huey_url": os.environ["HUEY_URL"]}


def pct(x: float | str) -> str:
    return x if isinstance(x, str) else f"{x:.1%}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2 days, fewer customers and requests")
    ap.add_argument("--keep", action="store_true", help="keep the temporary instance")
    ap.add_argument("--http", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--scenarios",
        default="",
        help="comma-separated name prefixes to run, e.g. hold-shown,confirm-shown-100,flood "
        "(default: all; the no-attack baseline always runs)",
    )
    args = ap.parse_args(argv)
    wanted = [w.strip() for w in args.scenarios.split(",") if w.strip()]

    def chosen(name: str) -> bool:
        return name == "base" or not wanted or any(name.startswith(w) for w in wanted)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server and worker too
    started = _time.perf_counter()
    print(describe("hold walk over HTTP (issue 19)"))
    root = Path(tempfile.mkdtemp(prefix="hushbook-bench-scrape-"))
    clock_path = root / "clock"
    clock_path.write_text(NOW.astimezone(UTC).isoformat())
    urls = prepare(root, clock_path)
    clock = Clock(clock_path)

    from hushbook_service import create_app
    from hushbook_service.config import load_settings
    from hushbook_service.db import database
    from hushbook_service.migrations import migrate
    from hushbook_service.models import Service, Staff, Tenant

    settings = load_settings(instance=root / "instance", **urls)
    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    n_days = 2 if args.quick else 4
    # the map: open days from Wednesday on
    ahead = [TODAY + timedelta(days=i) for i in range(2, 28)]
    days = [d for d in ahead if d.weekday() in scrape.HOURS][:n_days]
    plan = make_plan()
    truth = truth_for(plan, days)
    counts = (1, 10, 100)
    scenarios = [("base", False), ("base", True)]
    scenarios += [
        (f"{m}-{'shown' if nm else 'hidden'}-{n}", nm)
        for m in ("hold", "confirm")
        for nm in (False, True)
        for n in counts
    ]
    scenarios += [("exhaust", False), ("reveal", False), ("flood", False)]
    scenarios = [(name, names) for name, names in scenarios if chosen(name)]
    slugs = {}
    with app.app_context(), database.connection_context():
        migrate(database.obj)
        for name, names in scenarios:
            slug = f"{name}-{'s' if names else 'h'}" if name == "base" else name
            seed_tenant(slug, names, plan)
            slugs[(name, names)] = slug
            if name.startswith(("hold-", "confirm-", "flood")):  # its untouched twin
                seed_tenant(f"twin-{name}", names, plan)
                slugs[(f"twin-{name}", names)] = f"twin-{name}"
        ids = {}
        for slug in slugs.values():
            tenant = Tenant.get(Tenant.slug == slug)
            svc = {
                s.duration_min: s.id for s in Service.select().where(Service.tenant == tenant.id)
            }
            staff = {
                m.id: int(m.email[1 : m.email.index("@")])
                for m in Staff.select().where(Staff.tenant == tenant.id, Staff.role == "staff")
            }
            ids[slug] = (svc, staff)
    database.close()
    busy = len(truth.busy) / len(truth.cells)
    print(
        f"salon: 6 staff, {len(plan.blocks)} appointments over 8 weeks (4 back, 4 ahead); "
        f"map = {len(days)} open days {days[0]:%a %d.%m.} to {days[-1]:%a %d.%m.}, "
        f"{len(truth.cells)} working (staff, 15-min cell) pairs, {busy:.1%} busy; "
        f"fake clock starts {NOW:%a %Y-%m-%d %H:%M} Europe/Berlin"
    )
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {
        **os.environ,
        "HUSHBOOK_SMTP_URL": f"smtp://127.0.0.1:{controller.port}?security=none",
        "HUSHBOOK_MAIL_FROM": "booking@salon.bench",
        "HUSHBOOK_PUBLIC_URL": "http://booking.salon.bench",
        "HUSHBOOK_SWEEP_SECONDS": "0.2",
    }
    port = free_port()
    py = sys.executable
    server = start(
        [py, "-m", "hushbook_service.cli", "serve", "--port", str(port), "--workers", "2"],
        env,
        root / "server.log",
    )
    worker = start(
        [py, "-m", "hushbook_service.cli", "worker", "--workers", "2"], env, root / "worker.log"
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = _time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if _time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(
                    "server did not start: " + (root / "server.log").read_text()[-2000:]
                )
            _time.sleep(0.2)
        cfg = stealth.DEFAULTS
        print(
            "service: hushbook serve --workers 2 (gunicorn) on SQLite, hushbook worker -> SMTP "
            f"sink; default stealth settings: {cfg['asks_per_ip_day']} asks/address/day, "
            f"pending caps {cfg['pending_per_session']}/session {cfg['pending_per_ip']}/address, "
            f"{cfg['pending_salon_share_pct']} % of a day pending, "
            f"{cfg['pow_base_bits']}-bit puzzles"
        )
        print()
        n_cust = 40 if args.quick else 80
        wishes = customers(n_cust)
        baseline: dict[bool, dict[int, bool]] = {}
        for names in (False, True):
            slug = slugs[("base", names)]
            clock.reset()
            crowd = Crowd(Net(url, slug), ids[slug][0], wishes)
            baseline[names] = {i: crowd.ask(i, clock).served for i in range(n_cust)}
        print(
            f"honest customers without an attack ({n_cust} wishes, one ask each): served at "
            f"the first ask {sum(baseline[False].values()) / n_cust:.1%} (names hidden), "
            f"{sum(baseline[True].values()) / n_cust:.1%} (names shown)"
        )
        print()
        rows = []
        for mode in ("hold", "confirm"):
            for names in (False, True):
                for n in counts:
                    name = f"{mode}-{'shown' if names else 'hidden'}-{n}"
                    if not chosen(name):
                        continue
                    slug = slugs[(name, names)]
                    clock.reset()
                    net = Net(url, slug)
                    twin = Net(url, f"twin-{name}"), ids[f"twin-{name}"][0]
                    crowd = Crowd(net, ids[slug][0], wishes, twin)
                    t0 = _time.perf_counter()
                    att = Attacker(
                        net, clock, mailbox, ids[slug][0], ids[slug][1], n, mode == "confirm", crowd
                    )
                    walk = att.run(days, (60, 15))
                    end = clock.now()
                    s = score(truth, walk, names)
                    with app.app_context(), database.connection_context():
                        booked = walker_bookings(slug, ids[slug][1], end)
                        notice = Tenant.get(Tenant.slug == slug).min_notice_min
                    kept = kept_from_start(crowd, wishes, plan, booked, notice)
                    served = sum(a.served for a in crowd.asked) / max(1, len(crowd.asked))
                    base_served = sum(bool(a.twin) for a in crowd.asked) / max(1, len(crowd.asked))
                    rows.append(
                        (
                            name,
                            walk,
                            s,
                            crowd,
                            served,
                            base_served,
                            kept,
                            _time.perf_counter() - t0,
                        )
                    )
                    print_row(rows[-1], len(days))
        print()
        if rows:
            print_table(rows, len(days))
            print()
        if chosen("exhaust"):
            exhaust(url, slugs[("exhaust", False)], ids, clock, wishes, baseline[False], args.quick)
            print()
        if chosen("reveal"):
            reveal(url, slugs[("reveal", False)], ids, clock, wishes, baseline[False], args.quick)
            print()
        if chosen("flood"):
            flood(
                url,
                slugs[("flood", False)],
                ids,
                clock,
                mailbox,
                wishes,
                baseline[False],
                plan,
                args.quick,
            )
    finally:
        clock.stop.set()
        stop(server)
        stop(worker, signal.SIGINT)
        controller.stop()
        if args.keep:
            print(f"instance kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\nruntime {_time.perf_counter() - started:.0f} s")


def print_row(row, n_days: int) -> None:
    name, walk, s, crowd, served, base_served, _kept, secs = row
    print(
        f"  {name}: {len(walk.days)}/{n_days} days walked (stopped: {walk.stopped or 'done'}), "
        f"{walk.cost.requests} requests, {walk.cost.bookings} bookings, "
        f"{walk.cost.pow_seconds:.1f} CPU-s; {secs:.0f} s"
    )


def _minutes(m: float | None) -> str:
    return "-" if m is None else f"{m:.0f}m"


def print_table(rows, n_days: int) -> None:
    head = (
        f"{'scenario':<19} {'days':>4} {'person':>7} {'salon':>7} {'full half-days':>15} "
        f"{'count exact':>11} {'(blind)':>7} {'load err':>8} {'blind':>6} {'ratio':>5} | "
        f"{'served':>6} {'twin':>6} {'taken':>6} {'conf':>4} {'age':>5} "
        f"{'dark':>4} {'past':>4} {'age':>5} {'other':>5} {'life':>8} | "
        f"{'requests':>8} {'bookings':>8} {'CPU-s':>6}"
    )
    print(
        "hold walk: map recovered above a blind guess; customers during the walk; "
        "the attacker's cost"
    )
    print(head)
    print("-" * len(head))
    for name, walk, s, _crowd, served, base_served, k, _ in rows:
        lives = [h.released - h.booked for h in walk.holds if h.released is not None]
        life = f"{max(lives) / 60:.0f} min" if lives else "-"
        if any(h.released is None for h in walk.holds):
            life = "kept"  # some hold outlived the walk (past the manage deadline)
        print(
            f"{name:<19} {len(walk.days):>4} {pct(s['person']):>7} {pct(s['salon']):>7} "
            f"{s['full']:>15} {pct(s['count']):>11} {pct(s['count_blind']):>7} "
            f"{100 * s['load_err']:>7.1f}p {100 * s['load_blind']:>5.1f}p "
            f"{s['load_ratio']:>5.2f} | "
            f"{served:>6.1%} {base_served:>6.1%} {k.taken:>6} {k.taken_confirmed:>4} "
            f"{_minutes(k.taken_age):>5} {k.dark:>4} {k.dark_past:>4} {_minutes(k.dark_age):>5} "
            f"{k.other + k.gone:>5} {life:>8} | "
            f"{walk.cost.requests:>8} {walk.cost.bookings:>8} {walk.cost.pow_seconds:>6.1f}"
        )
    # one scenario's customers are a dozen or two: pooled, the share is measurable
    for label, pick in (
        ("names hidden", "-hidden-"),
        ("names shown", "-shown-"),
        ("unconfirmed holds", "hold-"),
        ("confirmed holds", "confirm-"),
        ("all", "-"),
    ):
        pooled = [(r[3], r[4], r[5]) for r in rows if pick in r[0]]
        asked = sum(len(c.asked) for c, _, _ in pooled)
        if not asked:
            continue
        got = sum(round(served * len(c.asked)) for c, served, _ in pooled)
        could = sum(round(base * len(c.asked)) for c, _, base in pooled)
        print(
            f"customers during the walks, pooled ({label}): {got}/{asked} = {got / asked:.1%} "
            f"served at the first ask (the twin at the same instants: {could / asked:.1%})"
        )
    kept = [r[6] for r in rows]
    print(
        f"not served, but the twin served them: {sum(k.taken for k in kept)} found every "
        f"fitting free time booked by the walker ({sum(k.taken_confirmed for k in kept)} with "
        f"a confirmed booking among them), {sum(k.dark for k in kept)} had free fitting time "
        f"only in half-days a walker's booking darkened ({sum(k.dark_past for k in kept)} of "
        f"them past every cool-down or expiry), {sum(k.other + k.gone for k in kept)} other"
    )
    print(
        textwrap.fill(
            "person/salon: recovered above the blind guess (majority class); full half-days: "
            "found/truly full; count exact: cells whose number of free people the attacker knows "
            "exactly (blind: the commonest count); load err: mean |estimate - truth| of each "
            "walked day's load, in points, vs the blind guess (the salon's average); ratio < 0.8 "
            "= better than blind; served: customers asking during the walk with a fitting offer "
            "at the first ask; twin: the same wishes asked of an untouched copy of the salon at "
            "the same instants. Customers the twin served and the walked salon did not, by "
            "cause (from the true book and the walker's stored bookings): taken: every free "
            "time fitting the wish was booked by the walker (conf: a confirmed booking among "
            "them; age: the longest time, at the freshest of those bookings, that it had sat); "
            "dark: free fitting time was there, but only in half-days where a walker's booking "
            "sat, which rule 1 darkens (past: every one of those bookings past its cool-down "
            "(confirmed) or expiry (unconfirmed), which rule 1 forbids; age as before); other: "
            "free fitting time in a half-day the walk never touched, or none in the true book. "
            "life: the longest life of any hold of the walk (booked until expired or "
            "cancelled; kept: one outlived the walk)",
            100,
        )
    )


def reveal(url, slug, ids, clock, wishes, baseline, quick: bool) -> None:
    """Asking alone, paid and never booking: 100 addresses ask customer-like
    wishes (other seeds) until each has made its share; then honest customers ask.
    Whatever the service shows one visitor because another asked first (a budget
    of what may be shown) is measured here."""
    clock.reset()
    net = Net(url, slug)
    cost = Cost()
    svc = ids[slug][0]
    asks = 300 if quick else 1000
    t0 = _time.perf_counter()
    for i, c in enumerate(customers(asks, seed=11)):
        ip = f"10.{150 + (i % 100) // 250}.{i % 100}.5"
        session = net.session(ip, cost)
        net.ask(session, ip, {**c.body, "service_id": svc[c.minutes]}, cost)
    secs = _time.perf_counter() - t0
    crowd = Crowd(net, svc, wishes)
    for i in range(len(wishes)):
        crowd.asked.append(crowd.ask(i, clock))
    served = sum(a.served for a in crowd.asked)
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(cost.statuses.items()))
    print(
        f"asking only: 100 addresses asked {asks} customer-like wishes ({cost.requests} requests "
        f"in {secs:.0f} s: {statuses}; {cost.pow_seconds:.1f} CPU-s), booking nothing; then "
        f"{len(wishes)} honest customers: {served} served at the first ask (without the asking: "
        f"{sum(baseline.values())})"
    )


def exhaust(url, slug, ids, clock, wishes, baseline, quick: bool) -> None:
    """100 addresses send asks with unsolved puzzles; then honest customers ask."""
    clock.reset()
    net = Net(url, slug)
    cost = Cost()
    per = 10 if quick else 51
    t0 = _time.perf_counter()
    svc = ids[slug][0]
    day = TODAY + timedelta(days=2)
    for i in range(100):
        ip = f"10.{100 + i // 250}.{i % 250}.3"
        session = net.session(ip, cost)
        res = net.post(f"/v1/public/{slug}/challenge", {"session": session}, ip, cost)
        if res.status_code != 200:
            continue
        ch = res.json()
        nonce = 0
        while stealth.pow_ok(ch["challenge_id"], str(nonce), ch["bits"]):
            nonce += 1
        body = {
            "session": session,
            "pow": {"challenge": ch["challenge"], "nonce": str(nonce)},
            "service_id": svc[30],
            "date_from": day.isoformat(),
            "date_to": day.isoformat(),
        }
        for _ in range(per):
            net.post(f"/v1/public/{slug}/offers", body, ip, cost)
    secs = _time.perf_counter() - t0
    crowd = Crowd(net, svc, wishes)
    for _ in range(50 if not quick else 20):
        crowd.ask_next(clock)
    answered = sum(a.status == 200 for a in crowd.asked)
    served = sum(a.served for a in crowd.asked)
    could = sum(baseline[a.index] for a in crowd.asked)
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(cost.statuses.items()))
    print(
        f"unsolved puzzles: 100 addresses sent {cost.requests} requests in {secs:.0f} s "
        f"({statuses}); then {len(crowd.asked)} honest customers: {answered} answered, "
        f"{served} served at the first ask (without the attack: {could}); "
        f"refused: {Counter(a.status for a in crowd.asked if a.status != 200) or 'none'}"
    )


def flood(url, slug, ids, clock, mailbox, wishes, baseline, plan, quick: bool) -> None:
    """Confirmed holds from one mailbox and 10 addresses, never cancelled, over the
    days customers ask for (from tomorrow, two weeks)."""
    days = [TODAY + timedelta(days=i) for i in range(1, 15)]
    days = [d for d in days if d.weekday() in scrape.HOURS][: 4 if quick else None]
    truth = truth_for(plan, days)
    clock.reset()
    net = Net(url, slug)
    crowd = Crowd(net, ids[slug][0], wishes, (Net(url, "twin-flood"), ids["twin-flood"][0]))
    att = Attacker(net, clock, mailbox, ids[slug][0], ids[slug][1], 10, True, crowd)
    walk = att.run(days, (120, 60, 30), cancel=False)
    held = sum((h.end - h.start) / 60 for h in walk.holds if h.confirmed)
    bookable = len(truth.cells) * 15
    free = (len(truth.cells) - len(truth.busy)) * 15
    during = sum(a.served for a in crowd.asked) / max(1, len(crowd.asked))
    could = sum(bool(a.twin) for a in crowd.asked) / max(1, len(crowd.asked))
    after = Crowd(net, ids[slug][0], wishes)
    for i in range(len(wishes)):
        after.asked.append(after.ask(i, clock))
    print(
        f"flood: confirmed holds from one mailbox (a new local part each) and 10 addresses, "
        f"never cancelled, the 120-, 60- and 30-minute services, {len(walk.days)} of the "
        f"{len(days)} open days from tomorrow (stopped: {walk.stopped or 'done'}):"
    )
    print(
        f"  {sum(h.confirmed for h in walk.holds)} confirmed holds, {held / 60:.1f} h = "
        f"{held / bookable:.1%} of those days' bookable time, {held / free:.1%} of their free "
        f"time; cost {walk.cost.requests} requests, {walk.cost.bookings} bookings, "
        f"{walk.cost.pow_seconds:.1f} CPU-s"
    )
    print(
        f"  customers served at the first ask: during the flood {during:.1%} of "
        f"{len(crowd.asked)} (the twin at the same instants: {could:.1%}); after it, all "
        f"{len(wishes)} wishes: {sum(a.served for a in after.asked) / len(wishes):.1%} "
        f"(without it: {sum(baseline.values()) / len(wishes):.1%})"
    )


if __name__ == "__main__":
    main()
