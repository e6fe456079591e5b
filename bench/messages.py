"""Benchmark of the message ledger and the worker (issue 5).

Run:  .venv/bin/python bench/messages.py [--appointments N]

What it measures, for N confirmed appointments (default 10,000), each with an
e-mail delivery contact:

  scheduling  ``messages.on_confirmed(appointment)`` for every appointment, each
              in its own write transaction (as the API route does): it arms the
              "confirmed" message (due now), the reminders (24 h and 2 h before,
              the default ``reminder_hours``) and the team member's
              ``mark_outcome`` request. Reported as appointments/s, ledger rows/s
              and the time of one call (median, 95th percentile).
  sending     a real ``hushbook worker --workers 4`` process (SqliteHuey, its
              sweeper thread every 0.2 s, the default 120 s lease) sending the N
              "confirmed" messages to a local SMTP server (aiosmtpd in this
              process, which only counts what arrives, per recipient). Timed from
              starting the process until the last message arrived, so start-up
              (imports, app, first sweep) is included; the steady rate from the
              first to the last message is shown too. Then: every recipient got
              exactly one message, every ledger row is ``sent`` after one attempt,
              and how many Huey send tasks ran (more than N means the sweeper
              re-queued rows whose lease ran out while their task waited).
  baseline    every 20th of the same messages (rendered and serialised
              beforehand, untimed) sent with plain ``smtplib`` from one thread to
              the same server, one connection per message as the worker's SMTP
              transport does; half of them just before the worker starts, half
              just after it stopped, so that the baseline brackets the worker run
              in time (the machine's load may change). worker / baseline = the
              worker's rate / the baseline's rate over both halves.
  memory      the worker's peak resident memory (``VmHWM`` of /proc/<pid>/status),
              its resident memory (``VmRSS``) at each quarter of the sending and at
              the end; as the same-run baseline, the peak of the same worker
              command idling on the empty ledger (started while the salon is set
              up, read after at least 3 s, stopped before anything is timed). Thread
              workers: the process has no children (any would be listed).

Assumptions: a throwaway instance in a temporary folder (SQLite database in WAL
mode, SqliteHuey file), the real clock, no TLS, SMTP server on 127.0.0.1 in this
process (so it shares the machine's CPUs with the worker), one salon with 20
team members and 30-minute appointments from 08:00 to 16:00 UTC on the days
from the day after tomorrow on (10,000 appointments: about a month). The
appointments are inserted in bulk and their contacts sealed
(``delivery.seal_contact``) before anything is timed. Wall-clock figures
depend on the machine and its load (first line); nothing is asserted about
them.
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller
from machine import describe

TOKEN_KEYS = "bench1:" + base64.urlsafe_b64encode(b"k" * 32).decode()
INDEX_KEY = base64.urlsafe_b64encode(b"i" * 32).decode()
SCRYPT_LOG_N = "10"  # owner password hash only; nothing here is about logins
STAFF = 20
SLOTS_PER_DAY = 16  # 30-minute appointments, 08:00-16:00 UTC
WORKER_THREADS = 4
SWEEP_SECONDS = "0.2"
SENDER = "booking@salon.bench"
SEND_TIMEOUT = 400.0  # give up waiting for the worker (reported, not asserted)
SETTLE = 2.0  # seconds to watch for late duplicates after the last message
BASELINE_EVERY = 20  # the baseline sends every 20th of the same messages (its rate is steady)
IDLE_SECONDS = 3.0  # the idle worker runs at least this long before its memory is read


# --- the SMTP sink ------------------------------------------------------------------------


class CountingSink:
    """aiosmtpd handler: accepts every message and counts it per recipient."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.per_recipient: Counter[str] = Counter()
        self.total = 0
        self.first: float | None = None
        self.last: float | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        now = time.perf_counter()
        with self.lock:
            self.per_recipient.update(envelope.rcpt_tos)
            self.total += 1
            self.first = self.first or now
            self.last = now
        return "250 Message accepted"

    def reset(self) -> None:
        with self.lock:
            self.per_recipient.clear()
            self.total, self.first, self.last = 0, None, None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- /proc ----------------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in KiB (empty once it is gone)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (thread workers have none; process workers would)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


# --- the instance -------------------------------------------------------------------------


def prepare_environment(root: Path) -> dict[str, str]:
    """Keys as the tests use them; nothing of the caller's instance or clock."""
    for name in (
        "HUSHBOOK_CLOCK_FILE",
        "HUSHBOOK_MESSAGE_LEASE_SECONDS",
        "HUSHBOOK_SMTP_URL",
        "HUSHBOOK_SMS_URL",
        "HUEY_URL",
        "DATABASE_URL",
    ):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "HUSHBOOK_INSTANCE": str(root / "instance"),
            "HUSHBOOK_DELIVERY_KEYS_DIR": str(root / "instance" / "delivery-keys"),
            "HUSHBOOK_TOKEN_KEYS": TOKEN_KEYS,
            "HUSHBOOK_INDEX_KEY": INDEX_KEY,
            "HUSHBOOK_SCRYPT_LOG_N": SCRYPT_LOG_N,
        }
    )
    return {
        "database_url": f"sqlite:///{root / 'hushbook.db'}",
        "huey_url": f"sqlite:///{root / 'huey.db'}",
    }


def make_salon(n: int):
    """One salon, its team and services, n confirmed appointments with a sealed
    e-mail contact each and a client who agreed to reminders (bulk insert;
    contacts sealed in one transaction)."""
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.models import Appointment, Client, Consent, Service, Staff
    from hushbook_service.privacy import delivery

    tenant, _, _ = create_tenant(
        "bench-salon", "Salon Bench", "owner@salon.bench", scrypt_log_n=int(SCRYPT_LOG_N)
    )
    staff = [
        Staff.create(
            tenant=tenant,
            email=f"stylist{i}@salon.bench",
            display_name=f"Stylist {i}",
            role="staff",
        )
        for i in range(STAFF)
    ]
    services = [
        Service.create(tenant=tenant, name=name, duration_min=30, price_cents=price)
        for name, price in (("Haarschnitt", 3500), ("Bartpflege", 2000), ("Waschen & Föhnen", 2500))
    ]
    with database.atomic():  # reminders only with consent: every client gave it
        for k in range(0, n, 500):
            Client.insert_many([{"tenant": tenant.id}] * min(500, n - k)).execute()
        clients = [c.id for c in Client.select(Client.id).order_by(Client.id)]
        for k in range(0, n, 500):
            Consent.insert_many(
                [
                    {
                        "tenant": tenant.id,
                        "client": c,
                        "notice_version": 1,
                        "locale": "de",
                        "purposes": "booking reminders",
                        "source": "staff",
                    }
                    for c in clients[k : k + 500]
                ]
            ).execute()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = today + timedelta(days=2)  # both reminders (24 h, 2 h) lie in the future
    now = datetime.now(UTC).replace(microsecond=0)
    rows = []
    for i in range(n):
        day, rest = divmod(i, STAFF * SLOTS_PER_DAY)
        slot, member = divmod(rest, STAFF)
        start = first_day + timedelta(days=day, hours=8, minutes=30 * slot)
        end = start + timedelta(minutes=30)
        rows.append(
            {
                "tenant": tenant.id,
                "client": clients[i],
                "staff": staff[member].id,
                "service": services[i % len(services)].id,
                "status": "confirmed",
                "source": "staff",
                "start_at": start,
                "end_at": end,
                "block_start": start,
                "block_end": end,
                "price_cents": 3000,
                "created_at": now,
                "updated_at": now,
            }
        )
    with database.atomic():
        for k in range(0, n, 500):
            Appointment.insert_many(rows[k : k + 500]).execute()
        appointments = list(Appointment.select().order_by(Appointment.id))
        for i, appointment in enumerate(appointments):
            delivery.seal_contact(appointment, {"email": f"c{i}@example.org"})
    return tenant, appointments


# --- the measurements ---------------------------------------------------------------------


def schedule(appointments) -> list[float]:
    """``on_confirmed`` per appointment, one write transaction each; ms per call."""
    from hushbook_service.db import write_transaction
    from hushbook_service.messaging import ledger as messages

    times = []
    for appointment in appointments:
        t0 = time.perf_counter_ns()
        with write_transaction():
            messages.on_confirmed(appointment)
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return times


def render_confirmations(appointments, every: int) -> list[tuple[str, bytes]]:
    """Every ``every``-th "confirmed" e-mail exactly as the worker builds it (baseline)."""
    from hushbook_service.messaging import channels
    from hushbook_service.messaging import texts as templates
    from hushbook_service.models import Message

    rows = {
        m.appointment_id: m
        for m in Message.select().where(Message.kind == "confirmed", Message.channel == "email")
    }
    out = []
    for i, appointment in list(enumerate(appointments))[::every]:
        content = templates.render(rows[appointment.id], appointment)
        msg = channels.build_email(SENDER, f"c{i}@example.org", content)
        out.append((f"c{i}@example.org", msg.as_bytes(policy=policy.SMTP)))  # CRLF lines
    return out


def smtplib_baseline(port: int, sink: CountingSink, mails: list[tuple[str, bytes]]) -> dict:
    """Send ``mails`` from one thread, one connection per message: rate, each once?"""
    sink.reset()
    t0 = time.perf_counter()
    for to, data in mails:
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as server:
            server.sendmail(SENDER, [to], data)
    seconds = time.perf_counter() - t0
    once = sink.total == len(mails) and set(sink.per_recipient.values()) == {1}
    sink.reset()
    return {"count": len(mails), "seconds": seconds, "rate": len(mails) / seconds, "once": once}


def worker_env(settings, port: int) -> dict[str, str]:
    """What tests/test_messages_e2e.py gives the worker, with the default lease."""
    return {
        **os.environ,
        "HUSHBOOK_INSTANCE": str(settings.instance),
        "DATABASE_URL": settings.database_url,
        "HUEY_URL": settings.huey_url,
        "HUSHBOOK_SMTP_URL": f"smtp://127.0.0.1:{port}?security=none",
        "HUSHBOOK_MAIL_FROM": SENDER,
        "HUSHBOOK_PUBLIC_URL": "http://booking.salon.bench",
        "HUSHBOOK_SWEEP_SECONDS": SWEEP_SECONDS,
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "hushbook_service.cli",
        "worker",
        "--workers",
        str(WORKER_THREADS),
    ]
    with open(log, "ab") as fh:
        return subprocess.Popen(
            cmd, env=env, stdout=fh, stderr=fh, start_new_session=True, cwd=log.parent
        )


def stop_worker(proc: subprocess.Popen) -> None:
    """SIGINT (Huey finishes running tasks), then SIGKILL if it hangs."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def run_worker(env, log: Path, sink: CountingSink, n: int) -> dict:
    """Start the worker, wait until n messages arrived, sample its memory."""
    samples: list[tuple[int, int]] = []  # (messages received, VmRSS KiB)
    t0 = time.perf_counter()
    proc = start_worker(env, log)
    step = max(1, n // 4)
    next_mark = step
    deadline = t0 + SEND_TIMEOUT
    try:
        while sink.total < n and time.perf_counter() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if sink.total >= next_mark:
                samples.append((sink.total, proc_status(proc.pid).get("VmRSS", 0)))
                next_mark += step
        done = time.perf_counter()
        first, last, received = sink.first, sink.last, sink.total
        time.sleep(SETTLE)  # several sweeps: nothing more may arrive
        with sink.lock:
            per_recipient, total = Counter(sink.per_recipient), sink.total
        kids = children(proc.pid)
        status = proc_status(proc.pid)
        kid_status = {k: proc_status(k) for k in kids}
    finally:
        stop_worker(proc)
    return {
        "t0": t0,
        "done": done,
        "first": first,
        "last": last,
        "received": received,
        "samples": samples,
        "status": status,
        "children": kid_status,
        "per_recipient": per_recipient,
        "total": total,
    }


def ledger_summary() -> tuple[Counter, int]:
    from hushbook_service.models import Message

    states = Counter((m.kind, m.state) for m in Message.select(Message.kind, Message.state))
    retried = Message.select().where(Message.attempts > 1).count()
    return states, retried


def task_runs(log: Path) -> int:
    """How many ``send_message`` tasks the worker executed (Huey logs each)."""
    text = log.read_text(errors="replace")
    return text.count("Executing hushbook_service.jobs.send_message")


# --- the report ---------------------------------------------------------------------------


def report_scheduling(n: int, per_call: list[float]) -> None:
    total_s = sum(per_call) / 1000
    states, _ = ledger_summary()
    kinds: Counter[str] = Counter()
    for (kind, _state), count in states.items():
        kinds[kind] += count
    rows = sum(kinds.values())
    print("(a) scheduling: messages.on_confirmed(appointment), one write transaction each")
    print(
        f"    {n / total_s:,.0f} appointments/s, {rows / total_s:,.0f} ledger rows/s "
        f"({rows} rows in {total_s:.1f} s; per call median "
        f"{statistics.median(per_call):.2f} ms, p95 "
        f"{statistics.quantiles(per_call, n=20)[-1]:.2f} ms)"
    )
    print("    rows: " + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items())))
    print()


def report_sending(n: int, result: dict, before: dict, after: dict, log: Path) -> None:
    received = result["received"]
    total = result["done"] - result["t0"]
    rate = received / total
    print(f"(b) sending: hushbook worker --workers {WORKER_THREADS} -> local SMTP server")
    if received < n:
        print(f"    only {received} of {n} arrived within {SEND_TIMEOUT:.0f} s")
    if received > 1:
        print(
            f"    {rate:,.0f} messages/s ({received} in {total:.1f} s from process start; "
            f"the first after {result['first'] - result['t0']:.1f} s, from then on "
            f"{(received - 1) / (result['last'] - result['first']):,.0f}/s)"
        )
    base_rate = (before["count"] + after["count"]) / (before["seconds"] + after["seconds"])
    print(
        f"    baseline: smtplib from one thread, one connection per message, every "
        f"{BASELINE_EVERY}th of the same messages"
    )
    print(
        f"      {before['count']} before the worker {before['rate']:,.0f}/s, {after['count']} "
        f"after it {after['rate']:,.0f}/s; together {base_rate:,.0f} messages/s "
        f"(each arrived once: {before['once'] and after['once']})"
    )
    print(f"    worker / baseline = {rate / base_rate:.2f}x")
    per_recipient = result["per_recipient"]
    missing = n - len(per_recipient.keys() & {f"c{i}@example.org" for i in range(n)})
    twice = sum(1 for count in per_recipient.values() if count > 1)
    verdict = "each exactly once" if not missing and not twice else "NOT exactly once"
    print(
        f"    {SETTLE:.0f} s later: {result['total']} received by {len(per_recipient)} "
        f"recipients, {missing} missing, {twice} received more than once -> {verdict}"
    )
    states, retried = ledger_summary()
    confirmed = ", ".join(f"{s} {c}" for (k, s), c in sorted(states.items()) if k == "confirmed")
    print(
        f"    ledger 'confirmed' rows: {confirmed}; rows with more than one attempt: {retried}; "
        f"send_message tasks run: {task_runs(log)}"
    )
    print()


def report_memory(result: dict, idle: dict[str, int]) -> None:
    status = result["status"]
    kids = result["children"]
    print(
        f"(c) worker memory (one process, thread workers; child processes: {len(kids) or 'none'})"
    )
    progress = ", ".join(f"{m} sent {mib(r)}" for m, r in result["samples"])
    print(f"    VmRSS while sending: {progress}")
    print(
        f"    at the end: VmRSS {mib(status.get('VmRSS', 0))}; "
        f"peak (VmHWM) {mib(status.get('VmHWM', 0))}"
    )
    for kid, st in kids.items():
        print(f"    child {kid}: VmRSS {mib(st.get('VmRSS', 0))}, VmHWM {mib(st.get('VmHWM', 0))}")
    if idle.get("VmHWM") and status.get("VmHWM"):
        print(
            f"    baseline: the same worker idle on the empty ledger, peak {mib(idle['VmHWM'])}; "
            f"peak / idle = {status['VmHWM'] / idle['VmHWM']:.2f}x"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appointments", type=int, default=10_000)
    ap.add_argument("--keep", action="store_true", help="keep the temporary instance")
    args = ap.parse_args()
    n = args.appointments

    import aiosmtpd
    import huey

    print(
        describe(
            f"message ledger benchmark (huey {huey.__version__}, aiosmtpd {aiosmtpd.__version__})"
        )
    )
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="hushbook-bench-messages-"))
    urls = prepare_environment(root)

    from hushbook_service import create_app
    from hushbook_service.config import load_settings
    from hushbook_service.db import database
    from hushbook_service.migrations import migrate

    settings = load_settings(instance=root / "instance", **urls)
    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)  # create_app said INFO; keep the report clean
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = worker_env(settings, controller.port)
    try:
        with app.app_context(), database.connection_context():
            migrate(database.obj)
            # Memory baseline: the worker idling on the empty ledger while the salon is set up.
            idle_proc = start_worker(env, root / "worker-idle.log")
            t0 = time.perf_counter()
            _, appointments = make_salon(n)
            setup_s = time.perf_counter() - t0
            time.sleep(max(0.0, IDLE_SECONDS - setup_s))
            idle = proc_status(idle_proc.pid)
            stop_worker(idle_proc)
            first, last = appointments[0].start_at, appointments[-1].start_at
            print(
                f"{n} confirmed appointments {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC), "
                f"{STAFF} team members, an e-mail contact each; SQLite (WAL), SqliteHuey; "
                f"setup (untimed) {setup_s:.1f} s"
            )
            print()

            report_scheduling(n, schedule(appointments))
            mails = render_confirmations(appointments, BASELINE_EVERY)

        # The baseline runs in two halves, before and after the worker, to bracket it in time.
        before = smtplib_baseline(controller.port, sink, mails[0::2])
        log = root / "worker.log"
        result = run_worker(env, log, sink, n)
        after = smtplib_baseline(controller.port, sink, mails[1::2])
        with app.app_context(), database.connection_context():
            report_sending(n, result, before, after, log)
        report_memory(result, idle)
    finally:
        controller.stop()
        if args.keep:
            print(f"instance kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nbenchmark ran {time.perf_counter() - started:.0f} s; load average at the end {load}")


if __name__ == "__main__":
    main()
