"""The ``hushbook`` command line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
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
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Skip the nightly jobs (retention, shredding, housekeeping): for every worker host "
    "but one. Messages are still swept and sent.",
)
def worker(workers: int, metrics_port: int, metrics_host: str, no_periodic: bool) -> None:
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

    # Huey would stop at once on SIGTERM (systemd's, docker's stop) and leave what
    # it is sending to the leases: every stop here is graceful. The signals wait
    # (blocked, also in every thread started meanwhile) until that is in place.
    stopping = threading.Event()
    signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def graceful(signum, _frame) -> None:
        stopping.set()
        signal.signal(signum, signal.SIG_DFL)  # a second one ends the process

    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    # Due messages go out within seconds, not at the next minute; the rows being
    # sent keep their (short) leases while their sends take.
    sweeper, stop_sweeping = every(sweep_seconds(), jobs.enqueue_due, "message-sweeper")
    _, stop_beating = every(HEARTBEAT_SECONDS, jobs.renew_leases, "lease-heartbeat")
    # An idle thread looks at an empty SqliteHuey queue at most every second (Huey's
    # default backs off to 10 s): a message queued when its booking committed goes
    # out within about a second. RedisHuey blocks on the queue and takes it at once.
    consumer = Consumer(
        jobs.huey, workers=workers, worker_type="thread", periodic=not no_periodic, max_delay=1.0
    )
    consumer.start()  # sets Huey's own handlers: replaced here
    for signum in signals:
        signal.signal(signum, graceful)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    while not stopping.wait(10):
        consumer.check_worker_health()
    log.info("stopping: no new messages taken, finishing those being sent")
    stop_sweeping.set()
    sweeper.join(timeout=60)  # a round under way queues (or releases) what it took
    consumer.stop(graceful=True)  # the tasks running finish, the rest stay queued
    stop_beating.set()
    log.info("Consumer exiting: stopped gracefully")  # as Huey says it (tests, log searches)


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


# --- backups (hushbook_service.backup; docs/deployment.md#backups) ------------------------


@contextmanager
def _backup_errors():
    from hushbook_service.backup import BackupError

    try:
        yield
    except BackupError as exc:  # one line, never a traceback
        raise click.ClickException(str(exc)) from None


_KEY_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.group("backup", invoke_without_command=True)
@click.option(
    "--to",
    "destinations",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A destination folder; give two (different disks or mounts).",
)
@click.option("--public-key", type=_KEY_FILE, help="The backup public key file (keygen).")
@click.option(
    "--delivery-keys",
    "with_delivery_keys",
    is_flag=True,
    help="Also back up the delivery keys, into a file of their own (kept 14 days).",
)
@click.option(
    "--keep-daily",
    default=7,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="Keep the newest backup of each of this many latest days.",
)
@click.option(
    "--keep-monthly",
    default=3,
    show_default=True,
    type=click.IntRange(0, 10000),
    help="And of each of this many latest months.",
)
@click.option("--hook", help="A command run for each file written ({file}: its path).")
@click.pass_context
def backup_group(
    ctx, destinations, public_key, with_delivery_keys, keep_daily, keep_monthly, hook
) -> None:
    """Back up the database, encrypted to the backup key, to two destinations."""
    if ctx.invoked_subcommand is not None:
        if destinations or public_key or with_delivery_keys or hook:
            raise click.UsageError("these options are for `hushbook backup` alone")
        return
    if public_key is None or len(destinations) < 2:
        raise click.UsageError("give --public-key FILE and two destinations: --to A --to B")
    import time

    from hushbook_service import backup

    settings = load_settings()
    started = time.monotonic()
    with _backup_errors():
        outcome = backup.create(
            settings,
            list(destinations),
            backup.read_public_key(public_key),
            with_delivery_keys=with_delivery_keys,
            keep_daily=keep_daily,
            keep_monthly=keep_monthly,
            hook=hook,
        )
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    for made in outcome.made:
        m = made.manifest
        what = (
            f"{sum(m['tables'].values())} rows in {len(m['tables'])} tables, "
            f"schema {m['schema']['migrations'][-1] if m['schema']['migrations'] else '-'}"
            if m["kind"] == "database"
            else f"delivery keys of {', '.join(m['epochs'])}"
        )
        click.echo(f"{made.files[0].name}: snapshot {m['created_at']}, {what}")
        for file in made.files:
            click.echo(f"  written {file} ({file.stat().st_size} bytes)")
    for path in outcome.pruned:
        click.echo(f"  pruned {path}")
    click.echo(f"done in {time.monotonic() - started:.1f} s")


@backup_group.command("keygen")
@click.option("--private-key", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--public-key", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_keygen(private_key: Path, public_key: Path) -> None:
    """Make the backup key pair: the public half stays on this host, the private
    half goes elsewhere (restore and verify need it)."""
    from hushbook_service import backup

    with _backup_errors():
        public = backup.new_key_files(private_key, public_key)
    click.echo(f"public key {public} written to {public_key}")
    click.echo(f"private key written to {private_key}: move it OFF this host")


@backup_group.command("check")
@click.argument("files", nargs=-1, required=True, type=_KEY_FILE)
def backup_check(files) -> None:
    """Check copies without the key: the format and the checksum of the encrypted data."""
    from hushbook_service import backup

    with _backup_errors():
        for file in files:
            m = backup.check(file).manifest
            click.echo(f"{file}: intact, {m['kind']} backup of {m['created_at']}")


@backup_group.command("verify")
@click.argument("file", type=_KEY_FILE)
@click.option("--key", "key_file", required=True, type=_KEY_FILE, help="The private key file.")
@click.option("--scratch-url", help="An empty database to restore into (default: a temporary one).")
def backup_verify(file: Path, key_file: Path, scratch_url: str | None) -> None:
    """Restore into a scratch database; compare row counts, schema and audit heads
    with the manifest; check every audit chain. Exit 1 on any difference."""
    from hushbook_service import backup

    with _backup_errors():
        private = backup.read_private_key(key_file)
        result = backup.verify(load_settings(), file, private, scratch_url)
    _report_inspection(file.name, result)
    if not result.ok:
        raise SystemExit(1)
    click.echo(f"{file.name}: verified")


def _report_inspection(name: str, result) -> None:
    tables = result.facts.get("tables")
    if tables is not None:
        click.echo(f"{name}: {sum(tables.values())} rows in {len(tables)} tables")
    for problem in result.problems:
        click.echo(f"  DIFFERS: {problem}")
    if result.migrated:
        click.echo(f"  migrated: {', '.join(result.migrated)}")
    for tenant_id, verdict in result.chains:
        if verdict.ok:
            click.echo(f"  tenant {tenant_id}: audit chain ok ({verdict.events} events)")
        else:
            bad = verdict.broken_at
            click.echo(
                f"  tenant {tenant_id}: audit chain BROKEN at seq {bad.seq}: {verdict.problem}"
            )
            if bad.seq == 1:  # the chain's key comes from the index key, not the database
                click.echo("  (broken at the first event: is HUSHBOOK_INDEX_KEY the old one?)")


@backup_group.command("missing")
@click.option("--old-database", required=True, help="URL of the old database, read only.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def backup_missing(old_database: str, as_json: bool) -> None:
    """After a restore: what the old database (still readable) holds that the
    restored one (DATABASE_URL) does not. Ids and times only."""
    from hushbook_service import backup

    with _backup_errors():
        gaps = backup.missing(load_settings().database_url, old_database)
    if as_json:
        click.echo(json.dumps({str(t): vars(g) for t, g in sorted(gaps.items())}, indent=1))
        return
    if not gaps:
        click.echo("nothing missing: the old database holds nothing the restored one lacks")
    for tenant_id, gap in sorted(gaps.items()):
        click.echo(
            f"tenant {tenant_id}: {len(gap.appointments)} appointments missing, "
            f"{len(gap.changed)} changed after the snapshot, "
            f"{sum(gap.events.values())} audit events not restored"
        )
        for a in gap.appointments:
            click.echo(f"  missing appointment {a['id']}: {a['start']} {a['status']}")
        for a in gap.changed:
            click.echo(f"  changed appointment {a['id']}: now {a['start']} {a['status']}")
        for client_id in gap.erased_clients:
            click.echo(f"  client {client_id} was erased after the snapshot: erase it again")


@main.command()
@click.argument("file", type=_KEY_FILE)
@click.option("--key", "key_file", required=True, type=_KEY_FILE, help="The private key file.")
@click.option("--force", is_flag=True, help="Overwrite a database that holds rows.")
def restore(file: Path, key_file: Path, force: bool) -> None:
    """Restore a backup: the database into DATABASE_URL (stop the service first),
    or a delivery-keys backup into the delivery keys folder."""
    from hushbook_service import backup

    settings = load_settings()
    with _backup_errors():
        private = backup.read_private_key(key_file)
        if backup.read(file).manifest.get("kind") == "delivery-keys":
            done = backup.restore_delivery_keys(settings, file, private)
            for state, epochs in done.items():
                click.echo(f"{state}: {', '.join(epochs) or '-'}")
            return
        result = backup.restore(settings, file, private, force)
    taken = backup.read(file).manifest["created_at"]
    click.echo(f"restored {file.name} into {where(settings.database_url)}")
    _report_inspection(file.name, result)
    for tenant_id, head in sorted(result.facts["audit_heads"].items(), key=lambda i: int(i[0])):
        click.echo(f"  tenant {tenant_id}: last audit event seq {head['seq']} at {head['at']}")
    click.echo(
        f"snapshot {taken}: every change after it (bookings, moves, cancellations, erasures) "
        "is missing; while the old database can still be read, list them with "
        "`hushbook backup missing --old-database URL`"
    )
    if result.owed:
        click.echo(
            f"messages: {result.owed} owed now (pending, queued or sending at the snapshot): "
            "the worker sends them when it starts; some may have gone out before the loss"
        )
    click.echo("delivery keys: not in a database backup (restore a delivery-keys backup apart)")
    if not result.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
