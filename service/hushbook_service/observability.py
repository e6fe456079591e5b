"""What an operator sees: metrics, readiness, request ids and the request log line.

- Metrics go through the official ``prometheus_client``. Under gunicorn (several
  processes) it keeps them in files under ``PROMETHEUS_MULTIPROC_DIR``
  (``hushbook serve --workers N`` sets one up; ``gunicorn_conf`` marks dead
  workers), and ``/metrics`` adds them up. Figures that live in the database
  (bookings and messages by state, the oldest due message) and the queue's
  depth are read when ``/metrics`` is scraped (:class:`StateCollector`).
- Counters are defined here and counted where the thing happens (``public/``).
- No label holds personal data, a token or a tenant: routes are their templates
  (``/v1/public/<slug>/offers``), states and outcomes are fixed words.
- Every request gets an id (:class:`RequestObserver`), answered as
  ``X-Request-ID`` and written in the one log line per request
  (:func:`access_line`, used by gunicorn's and the dev server's access logs).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import peewee
from flask import Flask, has_request_context, request
from huey import Huey, RedisHuey, SqliteHuey
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_EXECUTING
from playhouse.db_url import connect
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import ConnectionPool

from hushbook_service import migrations
from hushbook_service.config import log_format, metrics_dir
from hushbook_service.db import utcnow
from hushbook_service.models import Appointment, Message

# --- the series counted where things happen -----------------------------------------------

_shared = metrics_dir()
if _shared:  # prometheus_client writes a file there for each series from the first on
    Path(_shared).mkdir(parents=True, exist_ok=True)

REQUESTS = Counter(
    "hushbook_http_requests", "Requests answered, by route template and status", ["route", "status"]
)
LATENCY = Histogram(
    "hushbook_http_request_duration_seconds",
    "Time to answer a request, by route template",
    ["route"],
)
OFFERS_ISSUED = Counter("hushbook_offers_issued", "Offers handed out to public asks")
THROTTLED_ASKS = Counter(
    "hushbook_throttled_asks", "Public asks refused with 429 (a requester's budget was spent)"
)
POW_BITS = Histogram(
    "hushbook_pow_difficulty_bits",
    "Difficulty (leading zero bits) of the proof-of-work challenges served",
    buckets=(8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28),
)
ONLINE_BOOKINGS = Counter(
    "hushbook_online_bookings",
    "Online bookings made, by outcome (pending: until confirmed; honeypot: dropped)",
    ["outcome"],
)
# The worker's (``hushbook worker --metrics-port``):
MESSAGES = Counter(
    "hushbook_worker_messages",
    "Messages the worker handled, by outcome (sent, failed, skipped, pending: retried later)",
    ["outcome"],
)
TASK_SECONDS = Histogram(
    "hushbook_worker_task_duration_seconds",
    "Time a job ran, by task and result",
    ["task", "result"],
)

for _outcome in ("pending", "honeypot"):  # every known series from the start, at 0
    ONLINE_BOOKINGS.labels(_outcome)
for _outcome in ("sent", "failed", "skipped", "pending", "not_claimed"):  # ledger.deliver's
    MESSAGES.labels(_outcome)

UNMATCHED = "<unmatched>"  # the route of a request no rule matched

# --- request ids and metrics per request --------------------------------------------------

REQUEST_ID = "hushbook.request_id"  # environ keys
ROUTE = "hushbook.route"
STARTED = "hushbook.started"
# What a trusted proxy may hand on (nginx's $request_id, a UUID, …); anything else is replaced.
_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")


class RequestObserver:
    """WSGI middleware: every request gets an id (the proxy's ``X-Request-ID`` when
    the service trusts a proxy and the id is well-formed, else a new one), answered
    as ``X-Request-ID``; its route and status are counted and timed."""

    def __init__(self, app: Callable, trust_request_id: bool):
        self.app = app
        self.trust = trust_request_id

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        rid = given if self.trust and _WELL_FORMED_ID.fullmatch(given) else uuid.uuid4().hex
        environ[REQUEST_ID] = rid
        environ[STARTED] = time.perf_counter()
        status = ["500"]  # if the app raised before answering

        def start(line: str, headers: list, exc_info=None):
            status[0] = line.split(" ", 1)[0]
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", rid))
            return start_response(line, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            route = environ.get(ROUTE) or UNMATCHED
            REQUESTS.labels(route, status[0]).inc()
            LATENCY.labels(route).observe(time.perf_counter() - environ[STARTED])


def _remember_route() -> None:
    rule = request.url_rule
    request.environ[ROUTE] = rule.rule if rule is not None else UNMATCHED


def init_app(app: Flask, trust_request_id: bool) -> None:
    """Request ids, metrics per route template, and the service's own log lines."""
    setup_logging()
    app.before_request(_remember_route)
    app.wsgi_app = RequestObserver(app.wsgi_app, trust_request_id)  # type: ignore[method-assign]


# --- logs ---------------------------------------------------------------------------------

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s%(request_suffix)s"


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        rid = request.environ.get(REQUEST_ID) if has_request_context() else None
        record.request_id = rid
        record.request_suffix = f" [request {rid}]" if rid else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Like the text lines, no exception message (it
    could quote input): only its type."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            out["request_id"] = record.request_id  # type: ignore[attr-defined]
        if record.exc_info and record.exc_info[0] is not None:
            out["exception"] = record.exc_info[0].__name__
        return json.dumps(out, ensure_ascii=False)


def setup_logging() -> None:
    """The process's log lines (stderr): text, or JSON with ``HUSHBOOK_LOG_FORMAT=json``;
    a line written during a request names its id. Leaves a configured root alone."""
    handler = logging.StreamHandler()
    handler.addFilter(_WithRequestId())
    handler.setFormatter(
        JsonFormatter() if log_format() == "json" else logging.Formatter(TEXT_FORMAT)
    )
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def _clean(text: str) -> str:
    """Quotes, backslashes and control characters escaped: a path cannot forge a line."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def access_line(
    environ: dict, path: str, status: str, size: str | int, seconds: float | None = None
) -> str:
    """The one line per request of both servers' access logs: time, method, path
    (as ``app.log_path`` shows it), protocol, status, bytes, duration and request
    id. No client address, query string, referrer or user agent (personal data):
    the request id joins the line to the proxy's log where that is needed."""
    if seconds is None:
        started = environ.get(STARTED)
        seconds = time.perf_counter() - started if started else 0.0
    now = datetime.now(UTC)
    fields = {
        "time": now.isoformat(timespec="milliseconds"),
        "request_id": environ.get(REQUEST_ID, "-"),
        "method": environ.get("REQUEST_METHOD", "-"),
        "path": path,
        "protocol": environ.get("SERVER_PROTOCOL", "-"),
        "status": int(status) if str(status).isdigit() else str(status),
        "bytes": int(size) if str(size).isdigit() else None,
        "duration_ms": round(seconds * 1000, 1),
    }
    if log_format() == "json":
        return json.dumps(fields, ensure_ascii=False)
    return (
        f"{now.strftime('[%d/%b/%Y:%H:%M:%S %z]')} "
        f'"{_clean(fields["method"])} {_clean(path)} {_clean(fields["protocol"])}" '
        f"{fields['status']} {size or '-'} {fields['duration_ms']}ms {fields['request_id']}"
    )


ACCESS_LOG = logging.getLogger("hushbook.access")


def dev_server_access_log() -> logging.Logger:
    """The dev server's access log: :func:`access_line` as it is, on stderr."""
    if not ACCESS_LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        ACCESS_LOG.addHandler(handler)
        ACCESS_LOG.setLevel(logging.INFO)
        ACCESS_LOG.propagate = False
    return ACCESS_LOG


# --- readiness ----------------------------------------------------------------------------

PROBE_SECONDS = 2  # connect and statement timeout of each probe: unready within seconds
QUEUE_NAME = "hushbook"  # jobs.make_huey's queue


def _probe_database(url: str) -> peewee.Database:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if not Path(path).is_file():  # never create an empty file where the database should be
            raise peewee.OperationalError("no database file")
        return connect(url, timeout=PROBE_SECONDS)
    ms = PROBE_SECONDS * 1000
    return connect(url, connect_timeout=PROBE_SECONDS, options=f"-c statement_timeout={ms}")


def database_reason(url: str) -> str | None:
    """None if the database answers and has every migration, else the reason.
    A connection of its own with short timeouts (the service's handle may wait
    for long on a host that has gone away); it never raises."""
    try:
        db = _probe_database(url)
        db.connect()
    except Exception:  # noqa: BLE001 - peewee's, psycopg's, the OS's: all mean unreachable
        return "database_unreachable"
    try:
        try:
            done = {row[0] for row in db.execute_sql("SELECT version FROM schema_migration")}
        except (peewee.ProgrammingError, peewee.OperationalError):
            return "migrations_pending"  # no table yet (or lost the connection: checked next)
        except Exception:  # noqa: BLE001
            return "database_unreachable"
        return None if {v for v, _ in migrations.available()} <= done else "migrations_pending"
    finally:
        try:
            db.close()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection
            pass


_queues: dict[str, Huey] = {}


def _queue(url: str) -> Huey:
    """A handle on the worker's queue storage, with short timeouts (one per URL)."""
    if url not in _queues:
        if url.startswith(("redis://", "rediss://")):
            pool = ConnectionPool.from_url(
                url, socket_connect_timeout=PROBE_SECONDS, socket_timeout=PROBE_SECONDS
            )
            _queues[url] = RedisHuey(QUEUE_NAME, connection_pool=pool)
        else:
            _queues[url] = SqliteHuey(
                QUEUE_NAME, filename=url.removeprefix("sqlite:///"), timeout=PROBE_SECONDS
            )
    return _queues[url]


def queue_depth(url: str) -> int | None:
    """Jobs waiting in the queue (Redis list or SqliteHuey table); None if unreachable."""
    try:
        return int(_queue(url).pending_count())
    except Exception:  # noqa: BLE001 - redis' and sqlite's errors alike: unreachable
        return None


def readiness(database_url: str, huey_url: str) -> dict:
    """``{"status": "ready"|"unready", "checks": {...}, "reason"?}``: ``reason`` is the
    first failing check's stable slug (database_unreachable, migrations_pending,
    queue_unreachable)."""
    db = database_reason(database_url)
    queue_ok = queue_depth(huey_url) is not None
    checks = {
        "database": "unreachable" if db == "database_unreachable" else "ok",
        "migrations": {None: "ok", "migrations_pending": "pending"}.get(db, "unknown"),
        "queue": "ok" if queue_ok else "unreachable",
    }
    reason = db or (None if queue_ok else "queue_unreachable")
    answer: dict = {"status": "unready" if reason else "ready", "checks": checks}
    if reason:
        answer["reason"] = reason
    return answer


# --- /metrics -----------------------------------------------------------------------------

OWED = ("pending", "queued", "sending")  # messages that still have to go out


def _counts(model: type[peewee.Model], column: peewee.Field) -> dict[str, int]:
    """Rows per value of ``column`` (an indexed state column), all tenants together."""
    query = model.select(column, peewee.fn.COUNT(model._meta.primary_key)).group_by(column)
    return dict(cast(Iterable[tuple[str, int]], query.tuples()))


class StateCollector(Collector):
    """Figures read at scrape time: cheap grouped counts over all salons together
    (never a tenant label), the oldest owed message and the queue's depth."""

    def __init__(self, huey_url: str):
        self.huey_url = huey_url

    def collect(self) -> Iterator[Metric]:
        db_up = GaugeMetricFamily(
            "hushbook_database_up", "1 if this scrape could read the database"
        )
        try:
            yield from self._database_figures()
            db_up.add_metric([], 1)
        except peewee.PeeweeException:
            db_up.add_metric([], 0)
        yield db_up
        depth = queue_depth(self.huey_url)
        yield GaugeMetricFamily(
            "hushbook_queue_up",
            "1 if this scrape could reach the job queue",
            value=int(depth is not None),
        )
        if depth is not None:
            yield GaugeMetricFamily(
                "hushbook_queue_depth",
                "Jobs waiting in the queue (Huey's pending count)",
                value=depth,
            )

    def _database_figures(self) -> list[Metric]:
        bookings = GaugeMetricFamily(
            "hushbook_bookings", "Appointments by state (all salons together)", labels=["state"]
        )
        for state, n in _counts(Appointment, Appointment.status).items():
            bookings.add_metric([state], n)
        messages = GaugeMetricFamily(
            "hushbook_messages",
            "Messages of the ledger by state (all salons together)",
            labels=["state"],
        )
        counted = _counts(Message, Message.state)
        for state in sorted(set(counted) | set(OWED)):
            messages.add_metric([state], counted.get(state, 0))
        now = utcnow()
        oldest = (
            Message.select(Message.due_at)
            .where(Message.state.in_(OWED), Message.due_at <= now)
            .order_by(Message.due_at)
            .first()
        )
        age = GaugeMetricFamily(
            "hushbook_message_oldest_due_age_seconds",
            "How long the oldest message that is due and still owed has waited (0: none)",
            value=(now - oldest.due_at).total_seconds() if oldest else 0,
        )
        return [bookings, messages, age]


def exposition(huey_url: str) -> bytes:
    """The text ``/metrics`` answers: this process's series (all gunicorn workers'
    under ``PROMETHEUS_MULTIPROC_DIR``), then the figures read now."""
    if metrics_dir():
        live = CollectorRegistry()
        multiprocess.MultiProcessCollector(live)
    else:
        live = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector(huey_url))
    return generate_latest(live) + generate_latest(state)


# --- the worker ---------------------------------------------------------------------------


def watch_worker(huey: Huey, port: int, host: str) -> None:
    """``hushbook worker --metrics-port``: time every job (Huey's signals) and serve
    this process's figures over HTTP on ``host:port``."""
    started: dict[str, float] = {}

    @huey.signal(SIGNAL_EXECUTING)
    def _executing(signal, task, *args, **kwargs) -> None:
        started[task.id] = time.perf_counter()

    @huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
    def _done(signal, task, *args, **kwargs) -> None:
        began = started.pop(task.id, None)
        if began is not None:
            TASK_SECONDS.labels(task.name, signal).observe(time.perf_counter() - began)

    start_http_server(port, addr=host)
