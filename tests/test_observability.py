"""Health, readiness, metrics and request logs (issue 17): what an operator sees.

In process: /healthz never touches the database, /readyz names the first thing
that is not ready, /metrics parses with prometheus_client's own parser, carries
the named series and no personal data, and answers only a scraper it trusts;
request ids. Real processes: the dev server and gunicorn (two workers, their
metrics added up) write one line per request with its id and no query string,
text or JSON; ``hushbook worker --metrics-port`` serves its own figures.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from hushbook_service import create_app
from hushbook_service.config import ConfigError, load_settings
from hushbook_service.db import database, utcnow
from hushbook_service.errors import DomainError
from hushbook_service.models import Message, SchemaMigration
from hushbook_service.public import metering
from support.api import Visitor, book_online, confirm_code, make_shop
from support.config import TEST_HUEY_URL
from support.processes import free_port, server_log, service_env, start_server, stop_server

SERIES = {
    "hushbook_http_requests",
    "hushbook_http_request_duration_seconds",
    "hushbook_offers_issued",
    "hushbook_online_bookings",
    "hushbook_bookings",
    "hushbook_throttled_asks",
    "hushbook_pow_difficulty_bits",
    "hushbook_messages",
    "hushbook_message_oldest_due_age_seconds",
    "hushbook_queue_depth",
    "hushbook_database_up",
    "hushbook_queue_up",
}


def scrape(text: str) -> dict[str, list]:
    """Family name -> its samples, by prometheus_client's own parser."""
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def value(families: dict, name: str, **labels) -> float:
    return sum(
        s.value
        for fam in families.values()
        for s in fam
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def metrics(client) -> dict[str, list]:
    res = client.get("/metrics")
    assert res.status_code == 200, res.data[:300]
    assert res.mimetype == "text/plain"
    return scrape(res.get_data(as_text=True))


# --- health and readiness -----------------------------------------------------------------


def test_ready_when_database_migrations_and_queue_answer(app, settings):
    # The suite's queue: SqliteHuey, or Redis where .ci/run sets HUSHBOOK_TEST_HUEY_URL.
    client = create_app(
        replace(settings, huey_url=TEST_HUEY_URL or settings.huey_url)
    ).test_client()
    alive = client.get("/healthz")
    assert (alive.status_code, alive.json) == (200, {"status": "ok"})
    assert alive.headers["Cache-Control"] == "no-store"
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "queue": "ok"},
    }
    with app.app_context(), database.connection_context():  # as if a migration were missing
        newest = SchemaMigration.select().order_by(SchemaMigration.version.desc()).get()
        newest.delete_instance()
    unready = client.get("/readyz")
    assert unready.status_code == 503
    assert unready.json["reason"] == "migrations_pending"
    assert unready.json["checks"]["migrations"] == "pending"


def test_a_queue_that_does_not_answer_is_not_ready(app, settings):
    nobody = f"redis://127.0.0.1:{free_port()}/10"  # a port nothing listens on
    client = create_app(replace(settings, huey_url=nobody)).test_client()
    res = client.get("/readyz")
    assert res.status_code == 503
    assert res.json["reason"] == "queue_unreachable"
    assert res.json["checks"] == {"database": "ok", "migrations": "ok", "queue": "unreachable"}
    assert value(metrics(client), "hushbook_queue_up") == 0


def test_without_a_database_alive_but_not_ready(settings):
    """PostgreSQL stopped (nothing listens on its port): /healthz still answers, at
    once; /readyz says why it is not ready; /metrics says the database is down."""
    gone = f"postgresql://postgres@127.0.0.1:{free_port()}/hushbook"
    app = create_app(replace(settings, database_url=gone))
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        started = time.monotonic()
        res = client.get("/readyz")
        assert time.monotonic() - started < 5
        assert res.status_code == 503
        assert res.json == {
            "status": "unready",
            "reason": "database_unreachable",
            "checks": {"database": "unreachable", "migrations": "unknown", "queue": "ok"},
        }
        families = metrics(client)
        assert value(families, "hushbook_database_up") == 0
        assert "hushbook_bookings" not in families  # nothing made up
    finally:
        if not database.is_closed():
            database.close()


@pytest.mark.parametrize(
    ("name", "value"), [("HUSHBOOK_LOG_FORMAT", "xml"), ("HUSHBOOK_METRICS_TOKEN", "too-short")]
)
def test_a_wrong_setting_is_named_never_repeated(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"^{name}: ") as refused:
        load_settings(instance=tmp_path / "instance")
    assert value not in str(refused.value)


# --- /metrics -----------------------------------------------------------------------------


def test_metrics_name_the_series_and_hold_no_personal_data(app, client, make_tenant):
    before = metrics(client)
    shop = make_shop(client, make_tenant, slug="metrics-salon")
    email = "metrics.person@example.org"
    booked = book_online(client, shop, email=email)
    confirmed = client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
    )
    manage = confirmed.json["manage_token"]
    assert client.get(f"/v1/public/manage/{manage}").status_code == 200
    visitor = Visitor(client, shop.tenant.slug)
    asked = visitor.ask(shop.cut["id"])
    assert asked.status_code == 200, asked.json
    with app.app_context(), database.connection_context():  # a requester out of budget
        bucket = metering.Bucket("session", "metrics-test", 1, 3600)
        metering.take(shop.tenant.id, [bucket])
        with pytest.raises(DomainError):
            metering.take(shop.tenant.id, [bucket])

    res = client.get("/metrics")
    text = res.get_data(as_text=True)
    after = scrape(text)
    assert SERIES <= set(after), SERIES - set(after)
    offers = 1 + len(asked.json["offers"])  # book_online's first ask, then this one
    delta = value(after, "hushbook_offers_issued_total") - value(
        before, "hushbook_offers_issued_total"
    )
    assert delta >= offers  # (other tests' asks may have counted too, never fewer)
    assert value(after, "hushbook_throttled_asks_total") > value(
        before, "hushbook_throttled_asks_total"
    )
    assert value(after, "hushbook_online_bookings_total", outcome="pending") >= 1
    assert value(after, "hushbook_pow_difficulty_bits_count") >= 3
    assert value(after, "hushbook_bookings", state="confirmed") == 1  # this test's database
    assert value(after, "hushbook_messages", state="pending") >= 0
    assert value(after, "hushbook_database_up") == 1
    routes = {s.labels["route"] for s in after["hushbook_http_requests"] if "route" in s.labels}
    assert "/v1/public/<slug>/offers" in routes
    assert "/v1/public/manage/<token>" in routes
    assert (
        value(after, "hushbook_http_requests_total", route="/v1/public/<slug>/offers", status="200")
        >= 2
    )

    # No label value holds the salon, the person, a token or a row's id.
    secrets = {
        shop.tenant.slug,
        email,
        "metrics.person",
        manage,
        booked["booking"],
        asked.json["offers"][0]["token"],
        shop.owner.headers["Authorization"].split()[-1],
    }
    labels = {v for fam in after.values() for s in fam for v in s.labels.values()}
    for label in labels:
        assert not any(secret in label for secret in secrets), label
        assert not re.search(r"/\d+(/|$)", label), label  # ids: routes are templates
    for secret in secrets:  # nor anywhere else in the text
        assert secret not in text


def test_metrics_answer_only_a_trusted_scraper(client, monkeypatch):
    assert client.get("/metrics").status_code == 200  # this host, straight
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert proxied.status_code == 403  # through a proxy on this host: not local
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert remote.status_code == 403
    token = "metrics-token-0123456789"
    monkeypatch.setenv("HUSHBOOK_METRICS_TOKEN", token)
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope-nope-nope-nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    right = client.get(
        "/metrics",
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert right.status_code == 200


# --- request ids --------------------------------------------------------------------------


def test_request_ids_from_a_trusted_proxy_only(settings, app):
    given = "proxy-0123456789abcdef"
    direct = app.test_client()
    res = direct.get("/healthz", headers={"X-Request-ID": given})
    assert re.fullmatch(r"[0-9a-f]{32}", res.headers["X-Request-ID"])  # made here
    assert direct.get("/healthz").headers["X-Request-ID"] != res.headers["X-Request-ID"]

    behind = create_app(replace(settings, trusted_proxies=1)).test_client()
    assert behind.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    for bad in ("short", "with space 0123456789", "x" * 129, "ümlaut-0123456789"):
        rid = behind.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid), bad
    missing = behind.get("/no-such-page").headers["X-Request-ID"]  # on every answer
    assert re.fullmatch(r"[0-9a-f]{32}", missing)


# --- real servers -------------------------------------------------------------------------


@pytest.mark.system
@pytest.mark.parametrize(
    ("workers", "log_format"), [(1, "text"), (2, "json")], ids=["dev-server-text", "gunicorn-json"]
)
def test_one_log_line_per_request_and_metrics_of_every_process(
    settings, app, client, make_tenant, monkeypatch, workers, log_format
):
    shop = make_shop(client, make_tenant)
    booked = book_online(client, shop, email="log.line@example.org")
    manage = client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
    ).json["manage_token"]
    monkeypatch.setenv("HUSHBOOK_LOG_FORMAT", log_format)
    server = start_server(settings, workers=workers)
    try:
        res = requests.get(
            f"{server.url}/v1/public/manage/{manage}?email=query.secret@example.org",
            headers={"X-Request-ID": "client-chosen-id-123"},  # no trusted proxy: not taken
            timeout=10,
        )
        assert res.status_code == 200
        rid = res.headers["X-Request-ID"]
        assert rid != "client-chosen-id-123"
        with requests.Session() as session:  # keep-alive: the requests spread over workers
            for _ in range(30):
                assert session.get(f"{server.url}/healthz", timeout=10).status_code == 200
        scraped = requests.get(f"{server.url}/metrics", timeout=10)
        assert scraped.status_code == 200
        families = scrape(scraped.text)
        assert SERIES <= set(families), SERIES - set(families)
        # Every process's requests, added up (gunicorn: PROMETHEUS_MULTIPROC_DIR).
        healthz = value(families, "hushbook_http_requests_total", route="/healthz", status="200")
        assert healthz >= 30
        if workers > 1:
            pids = set(os.listdir(settings.instance / "metrics" / server.url.rsplit(":", 1)[1]))
            assert pids, "no multi-process files"
    finally:
        stop_server(server)
    log = server_log(settings)
    lines = [line for line in log.splitlines() if rid in line]
    assert len(lines) == 1, log[-3000:]  # one line for that request, with its id
    line = lines[0]
    if log_format == "json":
        entry = json.loads(line)
        assert entry["method"] == "GET"
        assert entry["path"] == "/v1/public/manage/<token>"
        assert entry["status"] == 200
        assert entry["request_id"] == rid
        assert isinstance(entry["duration_ms"], float)
    else:
        assert '"GET /v1/public/manage/<token> HTTP/1.1" 200 ' in line
        assert line.endswith(f" {rid}")
    assert manage not in log and "query.secret" not in log and "client-chosen" not in log
    assert "127.0.0.1 " not in line  # no client address


def sent_in_ledger(app) -> int:
    with app.app_context(), database.connection_context():
        return Message.select().where(Message.state == "sent").count()


def owed_in_ledger(app) -> int:
    """Messages due now and not yet settled: the worker is still at work on them."""
    with app.app_context(), database.connection_context():
        return (
            Message.select()
            .where(
                Message.state.in_(("pending", "queued", "sending")),
                Message.due_at <= utcnow(),
            )
            .count()
        )


SEND_RAN = {"task": "send_message", "result": "complete"}  # Huey's task name


@pytest.mark.system
def test_the_worker_serves_its_own_figures(settings, app, client, make_tenant):
    shop = make_shop(client, make_tenant)
    book_online(client, shop, email="worker.metrics@example.org")  # a confirmation request owed
    port = free_port()
    env = service_env(
        settings, HUSHBOOK_OUTBOX="1", HUSHBOOK_SWEEP_SECONDS="0.3", HUSHBOOK_LOG_FORMAT="json"
    )
    cmd = [sys.executable, "-m", "hushbook_service.cli", "worker", "--metrics-port", str(port)]
    with open(settings.instance / "worker.log", "wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    families: dict = {}
    sent, metric, runs, settled = 0, 0.0, 0.0, False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                families = scrape(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
            except requests.RequestException:
                families = {}
            # Settled first, then counted: the team's notices follow the confirmation
            # request, so one equal reading between them is not yet the end.
            settled = not owed_in_ledger(app)
            sent = sent_in_ledger(app)
            metric = value(families, "hushbook_worker_messages_total", outcome="sent")
            # A task's run is counted when it returns, just after its message was.
            runs = value(families, "hushbook_worker_task_duration_seconds_count", **SEND_RAN)
            if settled and sent and metric == sent and runs >= sent:
                break
            assert proc.poll() is None, (settings.instance / "worker.log").read_text()[-2000:]
            time.sleep(0.3)
        else:
            pytest.fail(f"not settled in 60 s: {sent} sent, {metric} counted, {runs} runs")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    worker_log = (settings.instance / "worker.log").read_text()
    # The loop ended on the figures matching the ledger: the confirmation request and
    # the team's notices, each counted once, and nothing was sent after.
    assert sent == sent_in_ledger(app) >= 2, worker_log[-2000:]
    for line in worker_log.splitlines():  # HUSHBOOK_LOG_FORMAT=json: the worker's lines too
        assert json.loads(line)["level"], line
    assert "worker.metrics" not in worker_log
