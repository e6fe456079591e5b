"""Benchmark of what observability costs (issue 17): per request, and per scrape.

Run:  .venv/bin/python bench/observability.py [--appointments N] [--database-url URL]

What it measures, in this process through Flask's test client (no network):

  per request   ``GET /healthz`` answered by the service's app with its request
                observer (request id, ``X-Request-ID``, the request counter and
                latency histogram by route template) and, as the same-run
                baseline, by the same app with the observer taken off (its inner
                WSGI app). Rounds of 500 requests alternate observed/bare, 10 of
                each; per-request median of the rounds; ratio observed / bare.
  access line   ``observability.access_line`` (text and JSON) per call, against
                the baseline of formatting the same fields with one f-string.
  per scrape    ``GET /metrics`` with N appointments (default 10,000, six states)
                and 3 ledger messages each in the database: the scrape's time
                (median of 20), of which the figures read from the database
                (``StateCollector``: grouped counts, the oldest owed message),
                against the same-run baseline of one ``SELECT COUNT(*)`` over the
                appointments; and the size of the answer.

Assumptions: a throwaway instance in a temporary folder; SQLite (WAL) unless
``--database-url postgresql://…`` names an empty database of your own (its
tables are dropped and made again); SqliteHuey for the queue. Rows are inserted
in bulk before anything is timed. Wall-clock figures depend on the machine and
its load (printed first); nothing is asserted about them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from support.config import KEY_ENV  # noqa: E402

STATES = ("pending", "confirmed", "cancelled", "completed", "no_show", "expired")
MESSAGE_STATES = ("sent", "pending", "skipped")


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def per_call(fn, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def seed(appointments: int) -> None:
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.models import Appointment, Message, Service

    tenant, owner, _ = create_tenant("bench-salon", "Bench", "owner@bench.test", scrypt_log_n=10)
    service = Service.create(tenant=tenant.id, name="Cut", duration_min=30, price_cents=3000)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    rows = []
    for i in range(appointments):
        at = start + timedelta(minutes=30 * i)
        rows.append(
            {
                "tenant": tenant.id,
                "staff": owner.id,
                "service": service.id,
                "status": STATES[i % len(STATES)],
                "start_at": at,
                "end_at": at + timedelta(minutes=30),
                "block_start": at,
                "block_end": at + timedelta(minutes=30),
            }
        )
    with database.atomic():
        for chunk in range(0, len(rows), 500):
            Appointment.insert_many(rows[chunk : chunk + 500]).execute()
    ids = [a.id for a in Appointment.select(Appointment.id)]
    messages = [
        {
            "tenant": tenant.id,
            "appointment": aid,
            "kind": kind,
            "channel": "email",
            "due_at": start + timedelta(minutes=7 * n),
            "state": MESSAGE_STATES[n % len(MESSAGE_STATES)],
        }
        for n, (aid, kind) in enumerate(
            (aid, kind) for aid in ids for kind in ("confirmed", "reminder_24h", "reminder_2h")
        )
    ]
    with database.atomic():
        for chunk in range(0, len(messages), 500):
            Message.insert_many(messages[chunk : chunk + 500]).execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    os.environ.update(KEY_ENV)

    from hushbook_service import create_app, observability
    from hushbook_service.config import load_settings
    from hushbook_service.db import database
    from hushbook_service.migrations import migrate
    from hushbook_service.models import Appointment

    folder = Path(tempfile.mkdtemp(prefix="hushbook-bench-obs-"))
    url = args.database_url or f"sqlite:///{folder / 'hushbook.db'}"
    settings = load_settings(
        instance=folder / "instance", database_url=url, huey_url=f"sqlite:///{folder / 'huey.db'}"
    )
    app = create_app(settings)
    with database.connection_context():
        if url.startswith("postgres"):
            database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        migrate(database)
        with app.app_context():
            seed(args.appointments)
    print(f"machine: {machine()}; database: {url.split(':', 1)[0]}")

    # --- per request -----------------------------------------------------------------
    client = app.test_client()
    observer = app.wsgi_app
    assert isinstance(observer, observability.RequestObserver)
    observed, bare = [], []
    for _ in range(10):
        for inner, times in ((observer, observed), (observer.app, bare)):
            app.wsgi_app = inner  # type: ignore[method-assign]
            times.append(per_call(lambda: client.get("/healthz"), 500))
    app.wsgi_app = observer  # type: ignore[method-assign]
    o, b = statistics.median(observed), statistics.median(bare)
    print(
        f"per request (GET /healthz, 10 x 500 each): observed {o * 1e6:.0f} µs, "
        f"bare {b * 1e6:.0f} µs; observed / bare = {o / b:.2f} (+{(o - b) * 1e6:.0f} µs)"
    )

    # --- the access line ---------------------------------------------------------------
    environ = {
        observability.REQUEST_ID: "3f2a9c0e5b7d4e1a8c6b2d9f0e1a3b5c",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    path = "/v1/public/manage/<token>"
    base = per_call(
        lambda: f'"GET {path} HTTP/1.1" 200 1834 4.1ms {environ[observability.REQUEST_ID]}',
        20_000,
    )
    lines = {}
    for fmt in ("text", "json"):
        os.environ["HUSHBOOK_LOG_FORMAT"] = fmt
        lines[fmt] = per_call(
            lambda: observability.access_line(environ, path, "200", 1834, 0.0041), 20_000
        )
    os.environ.pop("HUSHBOOK_LOG_FORMAT")
    print(
        f"access line: text {lines['text'] * 1e6:.1f} µs, json {lines['json'] * 1e6:.1f} µs; "
        f"baseline f-string {base * 1e6:.2f} µs"
    )

    # --- per scrape --------------------------------------------------------------------
    scrapes, figures, counts = [], [], []
    size = 0
    collector = observability.StateCollector(settings.huey_url)
    for _ in range(20):
        started = time.perf_counter()
        res = client.get("/metrics")
        scrapes.append(time.perf_counter() - started)
        size = len(res.data)
        assert res.status_code == 200
        with app.app_context(), database.connection_context():
            started = time.perf_counter()
            list(collector.collect())
            figures.append(time.perf_counter() - started)
            started = time.perf_counter()
            Appointment.select().count()
            counts.append(time.perf_counter() - started)
    s, f, c = (statistics.median(x) for x in (scrapes, figures, counts))
    print(
        f"per scrape ({args.appointments} appointments, {3 * args.appointments} messages): "
        f"GET /metrics {s * 1e3:.1f} ms ({size} bytes), of which database and queue figures "
        f"{f * 1e3:.1f} ms; baseline SELECT COUNT(*) over the appointments {c * 1e3:.1f} ms; "
        f"figures / baseline = {f / c:.1f}"
    )


if __name__ == "__main__":
    main()
