"""Benchmark of what the customer's messages cost and how fast the first one comes
(issue 15).

Run:  .venv/bin/python bench/customer_messages.py [--bookings N]

(a) SMS segments per message kind and language: the SMS text each kind renders
    (``messaging.texts``), in German and English, for a salon, service and team
    member with ordinary names and with long ones (a 66-character salon name, a
    60-character service, names shown), on a 29-character public address
    (``https://termine.salon-example.de``: links are ``…/m/<8 characters>``).
    Printed: characters, encoding (GSM-7 or UCS-2) and segments (GSM-7: 160 in
    one, 153 each when concatenated; UCS-2: 70, 67). Same-run baseline: the
    e-mail's plain text of the same message sent as an SMS (what every SMS was
    before: the mail's text, on both channels).

(b) Booking -> confirmation-request e-mail at the local SMTP server, for N online
    bookings (default 20) made over HTTP, three 0.75 s apart, then a 7 s pause
    (an idle worker), in turn (so the bookings fall on every phase of the
    sweeper's cycle and the worker's idle polling), each timed from sending its booking
    request until its e-mail arrived (median, max). A real ``hushbook worker
    --workers 2`` with the default sweep (``HUSHBOOK_SWEEP_SECONDS`` 15 s),
    SQLite, SqliteHuey, an aiosmtpd server in this process.
      before  the web process as it was: ``create_app()`` served without
              ``jobs.install_dispatch`` (rows wait for the sweeper);
      after   ``hushbook serve`` (the request queues its messages when done).
    The same worker serves both runs; the booking request's own time (median)
    is printed too (what queueing adds to it).

Assumptions: a throwaway instance in a temporary folder, the real clock, one
salon (stealth mode off: no proof-of-work, no pending caps), five team members
working every day, one service, e-mail contacts. Wall-clock figures depend on
the machine and its load (first line); nothing is asserted about them.
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import requests
from aiosmtpd.controller import Controller
from machine import describe

TOKEN_KEYS = "bench1:" + base64.urlsafe_b64encode(b"k" * 32).decode()
INDEX_KEY = base64.urlsafe_b64encode(b"i" * 32).decode()
SCRYPT_LOG_N = "10"
PUBLIC_URL = "https://termine.salon-example.de"
SENDER = "booking@salon-example.de"
SLUG = "bench-salon"
SPACING = (0.75, 0.75, 0.75, 7.0)  # seconds after each booking, in turn: idle pauses too
WAIT = 60.0  # give up waiting for a mail (reported, not asserted)
NAMES = {
    "ordinary": ("Salon Lumen", "Haarschnitt", "Anna"),
    "long": (
        "Salon Überlänge – Haarkunst & Kosmetik am Kurfürstendamm GmbH & Co",
        "Färben, Strähnchen und Föhnen – langes Haar (über die Schulter)",
        "Maria-Magdalena",
    ),
}
KINDS = ("confirm_request", "confirmed", "reminder_1", "rescheduled", "cancelled")


class Sink:
    """aiosmtpd handler: the arrival time of each recipient's first message."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        now = time.perf_counter()
        with self.lock:
            for to in envelope.rcpt_tos:
                self.arrived.setdefault(to, now)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_environment(root: Path) -> dict[str, str]:
    for name in ("HUSHBOOK_CLOCK_FILE", "HUSHBOOK_SMTP_URL", "HUSHBOOK_SMS_URL", "HUEY_URL"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "HUSHBOOK_INSTANCE": str(root / "instance"),
            "HUSHBOOK_DELIVERY_KEYS_DIR": str(root / "instance" / "delivery-keys"),
            "HUSHBOOK_TOKEN_KEYS": TOKEN_KEYS,
            "HUSHBOOK_INDEX_KEY": INDEX_KEY,
            "HUSHBOOK_SCRYPT_LOG_N": SCRYPT_LOG_N,
            "HUSHBOOK_PUBLIC_URL": PUBLIC_URL,
            "DATABASE_URL": f"sqlite:///{root / 'hushbook.db'}",
            "HUEY_URL": f"sqlite:///{root / 'huey.db'}",
        }
    )
    return {"database_url": os.environ["DATABASE_URL"], "huey_url": os.environ["HUEY_URL"]}


def make_salon():
    """The salon: a vault (profiles are sealed on arrival), five team members every
    day 08-20, one service, a notice; stealth off."""
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.models import PrivacyNotice, Service, ServiceStaff, Staff, WorkingHours
    from hushbook_service.privacy.vault import setup_locally

    tenant, owner, _ = create_tenant(
        SLUG, NAMES["ordinary"][0], "owner@salon.bench", scrypt_log_n=int(SCRYPT_LOG_N)
    )
    setup_locally(tenant, owner, "bench passphrase", log_n=10, min_log_n=10)
    tenant.stealth_mode = False
    tenant.save()
    owner.notify_bookings = False  # the customer's mail only
    owner.save()
    service = Service.create(tenant=tenant, name=NAMES["ordinary"][1], duration_min=30)
    for i in range(5):
        member = Staff.create(
            tenant=tenant,
            email=f"stylist{i}@salon.bench",
            display_name=f"Stylist {i}",
            public_name=NAMES["ordinary"][2],
            role="staff",
            notify_bookings=False,
        )
        ServiceStaff.create(tenant=tenant, service=service, staff=member)
        for day in range(7):
            WorkingHours.create(
                tenant=tenant, staff=member, weekday=day, start=dtime(8), end=dtime(20)
            )
    PrivacyNotice.create(tenant=tenant, version=1, locale="de", text="Nur für den Termin.")
    return tenant, service


# --- (a) SMS segments ---------------------------------------------------------------------


def sms_figures(tenant, service) -> list[tuple[str, str, str, str, int, str, int, int]]:
    """(names, language, kind, encoding, segments, mail encoding, mail segments, chars)."""
    from hushbook_service.db import utcnow
    from hushbook_service.messaging import texts
    from hushbook_service.models import Appointment, Message, Staff, Tenant
    from hushbook_service.privacy import delivery

    member = Staff.get(Staff.tenant == tenant.id, Staff.role == "staff")
    start = (utcnow() + timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    rows = []
    for label, (business, service_name, person) in NAMES.items():
        Tenant.update(name=business, show_staff_names=True).where(Tenant.id == tenant.id).execute()
        service.name = service_name
        service.save()
        member.public_name = person
        member.save()
        for lang in ("de", "en"):
            for kind in KINDS:
                status = "pending" if kind == "confirm_request" else "confirmed"
                appointment = Appointment.create(
                    tenant=tenant.id,
                    staff=member.id,
                    service=service.id,
                    status=status,
                    source="online",
                    start_at=start,
                    end_at=start + timedelta(minutes=30),
                    block_start=start,
                    block_end=start + timedelta(minutes=30),
                    price_cents=4500,
                    pending_until=utcnow() + timedelta(minutes=30) if status == "pending" else None,
                    locale=lang,
                    ics_sequence=1 if kind == "rescheduled" else 0,
                )
                delivery.seal_contact(appointment, {"phone": "0170 1234567"})
                row = Message(id=0, version=1, kind=kind, channel="sms", recipient=0)
                sms = texts.render(row, appointment).text
                mail = texts.render(
                    Message(id=0, version=1, kind=kind, channel="email", recipient=0), appointment
                ).text
                encoding, segments = texts.sms_segments(sms)
                mail_encoding, mail_segments = texts.sms_segments(mail)
                rows.append(
                    (label, lang, kind, encoding, segments, mail_encoding, mail_segments, len(sms))
                )
    return rows


def report_sms(rows) -> None:
    print("(a) SMS segments per message kind and language (links: " + PUBLIC_URL + "/m/…)")
    print(
        "    names     lang  kind             chars  SMS             "
        "baseline: the mail's text as SMS"
    )
    for label, lang, kind, encoding, segments, m_enc, m_seg, chars in rows:
        print(
            f"    {label:<9} {lang:<5} {kind:<16} {chars:>5}  {encoding} {segments} segment"
            f"{'s' if segments > 1 else ' '}   {m_enc} {m_seg} segments"
        )
    worst = max(r[4] for r in rows)
    gsm = all(r[3] == "GSM-7" for r in rows)
    print(f"    every SMS GSM-7: {gsm}; most segments: {worst}")
    print()


# --- (b) booking -> first mail --------------------------------------------------------


def book_once(url: str, service_id: int, email: str, day: int) -> tuple[float, float]:
    """One online booking over HTTP; (perf_counter when sent, seconds it took)."""
    base = f"{url}/v1/public/{SLUG}"
    session = requests.post(f"{base}/challenge", json={}, timeout=30).json()["session"]
    first = datetime.now(UTC).date() + timedelta(days=2 + day % 20)
    offers = requests.post(
        f"{base}/offers",
        json={
            "session": session,
            "service_id": service_id,
            "date_from": first.isoformat(),
            "date_to": (first + timedelta(days=6)).isoformat(),
        },
        timeout=30,
    ).json()["offers"]
    body = {
        "session": session,
        "offer": offers[0]["token"],
        "profile": {"name": "Bench Kundin"},
        "contact": {"email": email},
        "consent": {"notice_version": 1, "locale": "de", "purposes": ["booking"]},
    }
    sent = time.perf_counter()
    res = requests.post(f"{base}/bookings", json=body, timeout=30)
    took = time.perf_counter() - sent
    if res.status_code != 202:
        raise RuntimeError(f"booking refused: {res.status_code} {res.text[:200]}")
    return sent, took


def start_web(env: dict[str, str], dispatch: bool, port: int, log: Path) -> subprocess.Popen:
    if dispatch:
        cmd = [sys.executable, "-m", "hushbook_service.cli", "serve", "--no-migrate"]
        cmd += ["--port", str(port)]
    else:  # the web process as it was: no queueing after the request
        code = (
            "from hushbook_service.app import create_app\n"
            "from hushbook_service.cli import run_dev_server\n"
            f"run_dev_server(create_app(), '127.0.0.1', {port})\n"
        )
        cmd = [sys.executable, "-c", code]
    with open(log, "ab") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=fh, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("the web process did not start")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def latency_run(env, sink: Sink, service_id: int, n: int, dispatch: bool, tag: str, root: Path):
    port = free_port()
    web = start_web(env, dispatch, port, root / f"web-{tag}.log")
    sent: dict[str, float] = {}
    took: list[float] = []
    try:
        for i in range(n):
            email = f"{tag}{i}@example.org"
            at, seconds = book_once(f"http://127.0.0.1:{port}", service_id, email, i)
            sent[email] = at
            took.append(seconds)
            time.sleep(SPACING[i % len(SPACING)])
        deadline = time.perf_counter() + WAIT
        while time.perf_counter() < deadline:
            with sink.lock:
                if all(e in sink.arrived for e in sent):
                    break
            time.sleep(0.05)
    finally:
        stop(web)
    with sink.lock:
        latency = [sink.arrived[e] - t for e, t in sent.items() if e in sink.arrived]
    return {"latency": latency, "missing": n - len(latency), "took": took}


def report_latency(n: int, before: dict, after: dict) -> None:
    print(
        f"(b) online booking -> confirmation-request e-mail at the SMTP server, {n} bookings "
        f"(three 0.75 s apart, then a 7 s pause, in turn); hushbook worker --workers 2, "
        "sweep every 15 s (default)"
    )
    for name, run in (("before (sweeper only)", before), ("after (queued at commit)", after)):
        lat = run["latency"]
        if not lat:
            print(f"    {name}: no mail arrived within {WAIT:.0f} s")
            continue
        print(
            f"    {name:<25} median {statistics.median(lat):6.2f} s, max {max(lat):6.2f} s"
            f" (min {min(lat):.2f} s); missing {run['missing']}; booking request itself "
            f"median {statistics.median(run['took']) * 1000:.0f} ms"
        )
    if before["latency"] and after["latency"]:
        ratio = statistics.median(before["latency"]) / statistics.median(after["latency"])
        print(f"    median before / after = {ratio:.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bookings", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the temporary instance")
    args = ap.parse_args()
    print(describe("customer messages benchmark"))
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="hushbook-bench-customer-"))
    urls = prepare_environment(root)

    from hushbook_service import create_app
    from hushbook_service.config import load_settings
    from hushbook_service.db import database
    from hushbook_service.migrations import migrate

    settings = load_settings(instance=root / "instance", **urls)
    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {
        **os.environ,
        "HUSHBOOK_SMTP_URL": f"smtp://127.0.0.1:{controller.port}?security=none",
        "HUSHBOOK_MAIL_FROM": SENDER,
    }
    worker = None
    try:
        with app.app_context(), database.connection_context():
            migrate(database.obj)
            tenant, service = make_salon()
            service_id = service.id
            sms = sms_figures(tenant, service)
            # the appointments made for (a) are not the latency run's business
            from hushbook_service.models import Appointment, Message, Tenant

            Message.delete().execute()
            Appointment.delete().execute()
            Tenant.update(name=NAMES["ordinary"][0]).execute()
        print()
        report_sms(sms)
        cmd = [sys.executable, "-m", "hushbook_service.cli", "worker", "--workers", "2"]
        with open(root / "worker.log", "ab") as fh:
            worker = subprocess.Popen(cmd, env=env, stdout=fh, stderr=fh, start_new_session=True)
        time.sleep(2.0)  # started and swept once
        before = latency_run(env, sink, service_id, args.bookings, False, "before", root)
        after = latency_run(env, sink, service_id, args.bookings, True, "after", root)
        report_latency(args.bookings, before, after)
    finally:
        if worker is not None:
            stop(worker)
        controller.stop()
        if args.keep:
            print(f"instance kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nbenchmark ran {time.perf_counter() - started:.0f} s; load average at the end {load}")


if __name__ == "__main__":
    main()
