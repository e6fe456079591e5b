"""The ``hushbook`` command line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import click
import peewee
from werkzeug.serving import WSGIRequestHandler

from hushbook_service import observability
from hushbook_service.app import create_app, log_path
from hushbook_service.config import (
    ConfigError,
    keys_from_environment,
    load_settings,
    public_url,
    retire_token_key,
    rotate_token_key,
    sweep_seconds,
    transport_settings,
    where,
)
from hushbook_service.db import database, open_database
from hushbook_service.migrations import migrate as apply_migrations


def _checked_database(settings) -> peewee.Database:
    """The database, opened once to see that it can be: if not, one line naming
    ``DATABASE_URL``, the host and port (never the user's password)."""
    db = open_database(settings.database_url)
    try:
        db.connect(reuse_if_open=True)
    except peewee.DatabaseError as exc:
        lines = str(exc).strip().splitlines()
        reason = lines[0].strip() if lines else type(exc).__name__
        password = urlsplit(settings.database_url).password
        if password:
            reason = reason.replace(password, "***")
        raise ConfigError(
            f"DATABASE_URL: cannot connect to {where(settings.database_url)}: {reason}"
        ) from None
    db.close()
    return db


def _migrate(settings) -> list[str]:
    db = _checked_database(settings)
    with db.connection_context():
        return apply_migrations(db)


class _Commands(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:  # a clear message, not a traceback
            raise click.ClickException(str(exc)) from exc


class PathOnlyRequestHandler(WSGIRequestHandler):
    """The dev server's access log as gunicorn's (``gunicorn_conf``): one
    :func:`~hushbook_service.observability.access_line` per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # no environ for a request line werkzeug could not read
        environ = getattr(self, "environ", None) or {
            "PATH_INFO": self.path.split("?", 1)[0],
            "REQUEST_METHOD": getattr(self, "command", None) or "-",
        }
        line = observability.access_line(environ, log_path(environ), str(code), size)
        observability.dev_server_access_log().info(line)


@click.group(cls=_Commands)
def main() -> None:
    """Hushbook: privacy-first online booking for salons."""


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    applied = _migrate(load_settings())
    click.echo(f"applied: {', '.join(applied)}" if applied else "database is up to date")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="More than 1 runs gunicorn with that many worker processes.",
)
@click.option("--no-migrate", is_flag=True, help="Do not apply pending migrations first.")
def serve(host: str, port: int, workers: int, no_migrate: bool) -> None:
    """Serve the API (threaded dev server, or gunicorn with --workers N)."""
    settings = load_settings()
    if not no_migrate:
        _migrate(settings)
    else:
        _checked_database(settings)
    if workers > 1:
        # gunicorn's processes add up their figures for /metrics through files here
        # (one folder per port: two servers on one host do not mix; gunicorn_conf).
        default = settings.instance / "metrics" / str(port)
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(default))
        os.execvp(
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hushbook_service.wsgi:app",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--no-control-socket",
                # The access log (path only, tokens redacted), Connection: close
                # after a body left unread: docs/deployment.md.
                "--config",
                "python:hushbook_service.gunicorn_conf",
            ],
        )
    from hushbook_service import jobs

    app = create_app(settings)
    jobs.install_dispatch(app)  # messages due now are queued when the request is done
    run_dev_server(app, host, port)


def run_dev_server(app, host: str, port: int) -> None:
    """Werkzeug's threaded server: never its debugger or reloader, paths-only log."""
    app.run(
        host=host,
        port=port,
        threaded=True,
        use_debugger=False,
        use_reloader=False,
        request_handler=PathOnlyRequestHandler,
    )


@main.command()
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--metrics-port",
    default=0,
    type=click.IntRange(0, 65535),
    help="Serve this worker's figures (Prometheus) on this port; 0: off.",
)
@click.option("--metrics-host", default="127.0.0.1", show_default=True)
def worker(workers: int, metrics_port: int, metrics_host: str) -> None:
    """Run the Huey job worker on the configured store. SIGTERM, SIGINT or SIGHUP:
    the messages being sent are finished first; a second signal ends at once."""
    import logging

    from huey.consumer import Consumer

    _checked_database(load_settings())  # a clear line, not a sweeper failing forever
    from hushbook_service import jobs
    from hushbook_service.messaging.ledger import HEARTBEAT_SECONDS

    observability.setup_logging()
    if metrics_port:  # messages sent and failed, job times: docs/deployment.md
        from hushbook_service.jobs import huey as queue

        observability.watch_worker(queue, metrics_port, metrics_host)
    log = logging.getLogger("hushbook")

    def every(seconds: float, job, name: str) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    job()
                except Exception as exc:  # noqa: BLE001 - keep going; the type only (no data)
                    log.error("%s failed: %s", name, type(exc).__name__)
                stop.wait(seconds)

        thread = threading.Thread(target=loop, name=name, daemon=True)
        thread.start()
        return thread, stop

    # Due messages go out within seconds, not at the next minute; the rows being
    # sent keep their (short) leases while their sends take.
    sweeper, stop_sweeping = every(sweep_seconds(), jobs.enqueue_due, "message-sweeper")
    _, stop_beating = every(HEARTBEAT_SECONDS, jobs.renew_leases, "lease-heartbeat")
    # An idle thread looks at an empty SqliteHuey queue at most every second (Huey's
    # default backs off to 10 s): a message queued when its booking committed goes
    # out within about a second. RedisHuey blocks on the queue and takes it at once.
    consumer = Consumer(
        jobs.huey, workers=workers, worker_type="thread", periodic=True, max_delay=1.0
    )
    consumer.start()
    # Huey would stop at once on SIGTERM (systemd's, docker's stop) and leave what
    # it is sending to the leases: every stop here is graceful.
    stopping = threading.Event()

    def graceful(signum, _frame) -> None:
        stopping.set()
        signal.signal(signum, signal.SIG_DFL)  # a second one ends the process

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, graceful)
    while not stopping.wait(10):
        consumer.check_worker_health()
    log.info("stopping: no new messages taken, finishing those being sent")
    stop_sweeping.set()
    sweeper.join(timeout=60)  # a round under way queues (or releases) what it took
    consumer.stop(graceful=True)  # the tasks running finish, the rest stay queued
    stop_beating.set()
    log.info("stopped")


@main.group()
def tenant() -> None:
    """Businesses (tenants) on this installation."""


@tenant.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--owner-email", required=True)
@click.option("--owner-name", default="Owner", show_default=True)
@click.option("--timezone", default="Europe/Berlin", show_default=True)
@click.option("--locale", default="de", show_default=True, type=click.Choice(["de", "en"]))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def tenant_create(slug, name, owner_email, owner_name, timezone, locale, as_json) -> None:
    """Create a business and its owner; prints the owner's one-time password."""
    from hushbook_service.accounts.tenants import TenantError, create_tenant

    settings = load_settings()
    _migrate(settings)
    with database.connection_context():
        try:
            row, owner, secret = create_tenant(
                slug,
                name,
                owner_email,
                owner_name=owner_name,
                timezone=timezone,
                locale=locale,
                scrypt_log_n=settings.scrypt_log_n,
            )
        except TenantError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(
            json.dumps(
                {
                    "tenant_id": row.id,
                    "slug": row.slug,
                    "owner_id": owner.id,
                    "owner_email": owner.email,
                    "one_time_password": secret,
                }
            )
        )
    else:
        click.echo(f"Created {row.name!r} (slug {row.slug}).")
        click.echo(f"Owner login: {owner.email} / one-time password: {secret}")
        click.echo("The password must be changed at first login.")


@main.group()
def keys() -> None:
    """Token signing keys (rotation)."""


def _instance_keys_only() -> None:
    if keys_from_environment():
        raise click.ClickException("keys come from HUSHBOOK_TOKEN_KEYS: change them there")


@keys.command("list")
def keys_list() -> None:
    """Show key ids (first signs, all verify). Never prints key material."""
    settings = load_settings()
    for i, kid in enumerate(settings.token_keys):
        click.echo(f"{kid}  {'signing + verifying' if i == 0 else 'verifying only'}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Start signing with a new key; old keys keep verifying until retired."""
    _instance_keys_only()
    settings = load_settings()
    click.echo(f"new signing key: {rotate_token_key(settings.instance)}")


@keys.command("retire")
@click.argument("kid")
def keys_retire(kid: str) -> None:
    """Stop accepting tokens signed with KID."""
    _instance_keys_only()
    try:
        retire_token_key(load_settings().instance, kid)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"retired {kid}")


@main.group("audit")
def audit_group() -> None:
    """The tamper-evident audit trail."""


@audit_group.command("verify")
@click.option("--tenant", "slug", help="Only this business (slug); default: all.")
def audit_verify(slug: str | None) -> None:
    """Recompute every tenant's hash chain; exit 1 naming the first bad event."""
    from hushbook_service import audit
    from hushbook_service.models import Tenant

    settings = load_settings()
    broken = False
    with create_app(settings).app_context(), database.connection_context():
        tenants = Tenant.select().order_by(Tenant.id)
        if slug:
            tenants = tenants.where(Tenant.slug == slug)
            if not tenants.exists():
                raise click.ClickException(f"no business with slug {slug!r}")
        for row in tenants:
            verdict = audit.verify(row.id)
            if verdict.ok:
                click.echo(f"{row.slug}: ok ({verdict.events} events)")
            else:
                broken = True
                bad = verdict.broken_at
                assert bad is not None  # a broken chain names where
                click.echo(
                    f"{row.slug}: BROKEN at event seq {bad.seq} (id {bad.id}, "
                    f"{bad.action}, {bad.at.isoformat()}): {verdict.problem}"
                )
    if broken:
        raise SystemExit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Seed a demo salon and run the service and the worker (embedded default)."""
    from hushbook_service.demo import DEMO_VAULT_PASSPHRASE, seed_demo

    settings = load_settings()
    _port_is_free(host, port)  # before seeding and printing a banner that points there
    _migrate(settings)
    app = create_app(settings)
    with app.app_context(), database.connection_context():
        tenant_row, secret = seed_demo(settings.scrypt_log_n)
    creds = settings.instance / "demo-credentials.txt"
    if secret:
        fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(
                f"owner@demo.hushbook.test {secret}\nvault passphrase: {DEMO_VAULT_PASSPHRASE}\n"
            )
    base = f"http://{host}:{port}"
    click.echo(f"\nHushbook demo salon {tenant_row.name!r} (slug {tenant_row.slug})")
    click.echo(f"  Book online:   {base}/book/{tenant_row.slug}  (the booking widget)")
    click.echo(f"  Staff console: {base}/console/  (salon demo, the owner's e-mail and password)")
    click.echo(f"  API docs:      {base}/docs")
    click.echo(f"  OpenAPI:       {base}/openapi.json")
    click.echo(f"  Public API:    {base}/v1/public/{tenant_row.slug}/catalog  (docs/stealth.md)")
    click.echo(
        f"  Owner login:   POST {base}/v1/auth/login  tenant=demo email=owner@demo.hushbook.test"
    )
    if secret:
        click.echo(f"  Password:      {secret}  (one-time; also in {creds})")
        click.echo(
            f"  Vault:         passphrase {DEMO_VAULT_PASSPHRASE!r} opens client data "
            "in the console and the SDK (hushbook.Vault)\n"
        )
    else:
        click.echo(f"  Password:      see {creds} (one-time; change it at first login)\n")
    outbox = settings.instance / "outbox"
    if not transport_settings().smtp_url:
        click.echo(f"  Messages:      written to {outbox} (set HUSHBOOK_SMTP_URL to send)\n")
    env = {
        **os.environ,  # the worker is this process's child: same configuration
        "HUSHBOOK_PUBLIC_URL": public_url(default=base),
        "HUSHBOOK_OUTBOX": "1",  # development: messages without SMTP become files
    }
    worker_proc = subprocess.Popen(
        [sys.executable, "-m", "hushbook_service.cli", "worker"], env=env
    )
    from hushbook_service import jobs

    jobs.install_dispatch(app)
    # SIGTERM and SIGHUP end the demo like Ctrl-C: the worker is stopped with it.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    try:
        run_dev_server(app, host, port)
    except KeyboardInterrupt:
        pass
    finally:
        worker_proc.send_signal(signal.SIGINT)
        try:
            worker_proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker_proc.kill()
            worker_proc.wait()


def _stop(signum, _frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _port_is_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror}): another server? "
                "Choose another port: hushbook demo --port 8001 (make demo PORT=8001)"
            ) from None


if __name__ == "__main__":
    main()
