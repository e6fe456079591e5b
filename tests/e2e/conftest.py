"""Fixtures of the end-to-end suite: one service, worker, SMTP sink, WordPress
and Chromium for the whole package (torn down after its last test, so the
suites that follow in the same pytest run find the database to themselves).

Needs: Debian's ``wordpress``, ``php-cli`` + ``php-mysql``, a MariaDB answering
on 127.0.0.1:3306, ``chromium``, Playwright for Python, and ``npm ci`` in
tests/e2e (axe-core). A missing piece skips the suite on a developer's machine
and fails it under CI (``CI`` set): see ``require`` in tests/support/components.py.

The service runs on SQLite + SqliteHuey, or on ``HUSHBOOK_TEST_DATABASE_URL``
and ``HUSHBOOK_TEST_HUEY_URL`` when set (as .ci/run's PostgreSQL/Redis step does).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from support.components import CHROMIUM, CHROMIUM_ARGS, require
from support.config import KEY_ENV, PASSWORD, SCRYPT_LOG_N, TEST_DB_URL, TEST_HUEY_URL, VAULT_LOG_N
from support.processes import free_port, service_env
from support.tenants import setup_vault, vault_passphrase

from .support import (
    AXE_JS,
    E2E,
    PLUGIN_DIR,
    SALON_NAME,
    SHOTS,
    SUMMARY,
    WIDGET_DIR,
    WP_ROOT,
    Mailbox,
    Visit,
    playwright_importable,
)

WEEK = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
SERVICES = [("Haircut and blow-dry", 45, 4500), ("Colour refresh", 60, 7000)]
STAFF = ["Anna", "Ben"]
NOTICE = {
    "en": "We use your details only to manage your appointment and delete them afterwards.",
    "de": "Wir verarbeiten Ihre Daten nur für den Termin und löschen sie danach.",
}

# The plugin's settings (names from plugins/wordpress/hushbook: see its readme.txt).
PLUGIN_FILE = "hushbook/hushbook.php"
PLUGIN_OPTION = "hushbook_settings"


# --- processes --------------------------------------------------------------------------


def stop_group(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    """Stop a process started with start_new_session=True, children included."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{url}: the process exited: {log.read_text(errors='replace')[-3000:]}"
            )
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"{url} did not answer 200 in {timeout} s: {log.read_text(errors='replace')[-3000:]}"
    )


# --- the service, its worker and the mail server -------------------------------------------


@dataclass
class Salon:
    slug: str
    name: str
    tenant_id: int
    owner_email: str
    owner_passphrase: str
    services: dict[str, int]
    staff: dict[str, int]
    integration_key: str

    def login(self, url: str):
        """The owner's SDK client, vault unlocked: it opens sealed profiles."""
        import hushbook

        client = hushbook.Client.login(url, self.slug, self.owner_email, PASSWORD)
        client.vault = hushbook.Vault(client, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)
        client.vault.unlock(self.owner_passphrase)
        return client


@dataclass
class Service:
    url: str
    root: Path  # everything the operator stores lives below (SQLite, Huey, instance, logs)
    settings: object
    app: object
    mailbox: Mailbox
    salon: Salon | None = None
    procs: list = field(default_factory=list)
    # HUSHBOOK_CLOCK_FILE of the server and the worker: empty means the real time;
    # a test that writes an ISO time into it must empty it again (test_console.py).
    clock: Path | None = None


@pytest.fixture(scope="package")
def mailbox():
    from aiosmtpd.controller import Controller

    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(scope="package")
def service(tmp_path_factory, mailbox, migrated_template):
    """A real ``hushbook serve`` and ``hushbook worker`` on a fresh instance."""
    from hushbook_service import create_app
    from hushbook_service.config import load_settings
    from hushbook_service.db import database

    root = tmp_path_factory.mktemp("e2e-service")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in KEY_ENV.items():
            mp.setenv(name, value)
        huey_url = TEST_HUEY_URL or f"sqlite:///{root / 'huey.db'}"
        if huey_url.startswith("redis"):
            import redis

            redis.Redis.from_url(huey_url).flushdb()  # the tests' own Redis database
        settings = load_settings(
            instance=root / "instance",
            database_url=TEST_DB_URL or f"sqlite:///{root / 'hushbook.db'}",
            huey_url=huey_url,
        )
        settings.instance.mkdir(parents=True, exist_ok=True)
        migrated_template.copy_to(settings.database_url)  # a fresh, migrated database
        app = create_app(settings)

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        clock = root / "clock"
        clock.write_text("")  # the real time until a test says otherwise
        env = service_env(
            settings,
            HUSHBOOK_SMTP_URL=f"smtp://127.0.0.1:{mailbox.port}?security=none",
            HUSHBOOK_MAIL_FROM="booking@studio-lumen.test",
            HUSHBOOK_PUBLIC_URL=url,  # the mail's link opens this service's confirm page
            HUSHBOOK_SWEEP_SECONDS="0.3",
            HUSHBOOK_CLOCK_FILE=str(clock),
        )
        svc = Service(url, root, settings, app, mailbox, clock=clock)
        cli = [sys.executable, "-m", "hushbook_service.cli"]
        try:
            server_log = settings.instance / "server.log"
            with open(server_log, "wb") as log:
                server = subprocess.Popen(
                    [*cli, "serve", "--port", str(port)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            svc.procs.append(server)
            wait_http(f"{url}/healthz", server, server_log)
            with open(settings.instance / "worker.log", "wb") as log:
                svc.procs.append(
                    subprocess.Popen(
                        [*cli, "worker", "--workers", "2"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            svc.salon = make_salon(svc)
            yield svc
        finally:
            for proc in reversed(svc.procs):
                stop_group(proc)
            if not database.is_closed():
                database.close()


def make_salon(svc: Service) -> Salon:
    """The salon, as its owner sets it up: vault (so it has a public key), stealth
    mode on (the browser really solves proof-of-work), names shown, two services,
    two team members working every day, a privacy notice, a key for the plugin."""
    from hushbook_service.accounts.passwords import hash_password
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database

    slug = "studio-lumen"
    with svc.app.app_context(), database.connection_context():
        tenant, owner, _ = create_tenant(
            slug,
            SALON_NAME,
            f"owner@{slug}.test",
            timezone="Europe/Berlin",
            locale="en",
            scrypt_log_n=SCRYPT_LOG_N,
        )
        owner.password_hash = hash_password(PASSWORD, SCRYPT_LOG_N)
        owner.must_change_password = False
        owner.save()
        setup_vault(tenant, owner)
        salon = Salon(slug, SALON_NAME, tenant.id, owner.email, vault_passphrase(owner), {}, {}, "")
    client = salon.login(svc.url)
    # Every customer of these tests books from 127.0.0.1: like a salon whose
    # customers share one network, the owner raises the per-address caps on new
    # contacts' bookings and walk detection's free bookings per network
    # (docs/stealth.md), and, since every test's customers book into the same few
    # dates, lets offers name the stylist without a per-date budget (the journeys
    # check the name; tests/test_hold_walk.py the budget and the walk); everything
    # else stays at its default.
    client.tenant.update(
        stealth_mode=True,
        show_staff_names=True,
        stealth_settings={
            "pending_per_ip": 100,
            "pending_per_subnet": 1000,
            "walk_free_holds": 1000,
            "disclosure_share_pct": 100,
        },
    )
    for locale, text in NOTICE.items():
        client.tenant.publish_privacy_notice(locale, text)
    team = []
    for name in STAFF:
        member = client.staff.create(
            f"{name.lower()}@{slug}.test", f"{name} E2E", "staff", public_name=name
        )
        client.working_hours.set(member, WEEK)
        team.append(member)
        salon.staff[name] = member.id
    for name, minutes, cents in SERVICES:
        salon.services[name] = client.services.create(name, minutes, team, price_cents=cents).id
    key = client.integration_keys.create("WordPress (e2e)", ["public:forward"]).key
    assert key
    salon.integration_key = key
    catalog = requests.get(f"{svc.url}/v1/public/{slug}/catalog", timeout=10).json()
    assert catalog["stealth_mode"] and catalog["public_key"] and catalog["staff"], catalog
    return salon


@pytest.fixture(scope="package")
def salon(service) -> Salon:
    return service.salon


# --- WordPress ------------------------------------------------------------------------------


@dataclass
class WordPress:
    home: str
    pages: dict[str, str]
    title: str
    db_name: str
    mysql_options: Path  # a [client] option file for the run's own database user
    content_dir: Path
    log: Path
    debug_log: Path
    version: str
    config_name: str  # WORDPRESS_CONFIG: selects /etc/wordpress/config-<name>.php

    def change_settings(self, **changes) -> dict:
        """Change the plugin's option as an administrator would; returns the old one."""
        done = subprocess.run(
            [
                "php",
                str(E2E / "wordpress" / "option.php"),
                self.home.split("//", 1)[1],
                PLUGIN_OPTION,
                json.dumps(changes),
            ],
            env=service_env(WORDPRESS_CONFIG=self.config_name),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return json.loads(done.stdout.strip().splitlines()[-1])


def php_ok() -> bool:
    if shutil.which("php") is None:
        return False
    probe = subprocess.run(
        ["php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"], capture_output=True, timeout=30
    )
    return probe.returncode == 0


class MariaDB:
    """Administration as root: the Unix socket (Debian's default for root), else TCP."""

    def __init__(self) -> None:
        self.cmd: list[str] | None = None
        for cmd in (
            ["mysql", "--protocol=socket", "-uroot"],
            ["mysql", "-h127.0.0.1", "-P3306", "-uroot"],
        ):
            try:
                probe = subprocess.run([*cmd, "-e", "SELECT 1"], capture_output=True, timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if probe.returncode == 0:
                self.cmd = cmd
                return

    def run(self, sql: str) -> None:
        assert self.cmd is not None
        done = subprocess.run([*self.cmd, "-e", sql], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"mysql: {done.stderr}"


def php_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


@pytest.fixture(scope="package")
def wordpress(service, salon, tmp_path_factory):
    """WordPress 6.1 (Debian) on MariaDB under ``php -S``, the plugin active and
    configured against the service, a page with the shortcode, one with the block."""
    require("php (php-cli with php-mysql)", php_ok(), "apt-get install php-cli php-mysql")
    require("WordPress", (WP_ROOT / "wp-load.php").is_file(), "apt-get install wordpress")
    require("/etc/wordpress", Path("/etc/wordpress").is_dir(), "apt-get install wordpress")
    require(
        "write access to /etc/wordpress",
        os.access("/etc/wordpress", os.W_OK),
        "the run writes its WordPress config there: run as root",
    )
    require(
        "mysql/mysqldump clients",
        bool(shutil.which("mysql") and shutil.which("mysqldump")),
        "apt-get install mariadb-client",
    )
    admin = MariaDB()
    require(
        "MariaDB on 127.0.0.1:3306",
        admin.cmd is not None,
        "apt-get install mariadb-server; start mariadbd",
    )
    require(
        "the WordPress plugin",
        (PLUGIN_DIR / "hushbook.php").is_file(),
        f"{PLUGIN_DIR}/hushbook.php",
    )

    root = tmp_path_factory.mktemp("e2e-wordpress")
    port = free_port()
    host = f"127.0.0.1:{port}"
    home = f"http://{host}"
    name = f"hushbook-e2e-{port}"  # the config file and WORDPRESS_CONFIG (letters, digits, dashes)
    config = Path(f"/etc/wordpress/config-{name}.php")
    db_name, db_user = f"hushbook_wp_e2e_{port}", f"hb_e2e_{port}"
    db_password = secrets.token_urlsafe(18)
    title = f"Hushbook E2E Blog {secrets.token_hex(4)}"  # the scan must find it in the dump

    content = root / "wp-content"
    (content / "plugins").mkdir(parents=True)
    (content / "themes").mkdir()
    (content / "uploads").mkdir()
    (content / "plugins" / "hushbook").symlink_to(PLUGIN_DIR, target_is_directory=True)
    for theme in (WP_ROOT / "wp-content" / "themes").iterdir():
        (content / "themes" / theme.name).symlink_to(theme, target_is_directory=True)
    options = root / "mysql.cnf"
    options.write_text(
        f"[client]\nuser={db_user}\npassword={db_password}\nhost=127.0.0.1\nport=3306\n"
    )
    options.chmod(0o600)
    debug_log = root / "wp-debug.log"
    log = root / "php-server.log"

    proc = None
    try:
        admin.run(
            f"DROP DATABASE IF EXISTS `{db_name}`;"
            f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
            f"CREATE OR REPLACE USER '{db_user}'@'127.0.0.1' IDENTIFIED BY '{db_password}';"
            f"CREATE OR REPLACE USER '{db_user}'@'localhost' IDENTIFIED BY '{db_password}';"
            f"GRANT ALL PRIVILEGES ON `{db_name}`.* TO '{db_user}'@'127.0.0.1', '{db_user}'@'localhost';"
        )
        text = (E2E / "wordpress" / "config.php.in").read_text()
        values = {
            "NAME": name,
            "DB_NAME": db_name,
            "DB_USER": db_user,
            "DB_PASSWORD": db_password,
            "DB_PORT": "3306",
            "HOME": home,
            "CONTENT_DIR": str(content),
            "DEBUG_LOG": str(debug_log),
            **{f"SALT{i}": secrets.token_urlsafe(48) for i in range(1, 9)},
        }
        for key, value in values.items():
            text = text.replace(f"@{key}@", php_quote(value))
        config.write_text(text)

        spec = root / "install.json"
        spec.write_text(
            json.dumps(
                {
                    "host": host,
                    "title": title,
                    "admin_user": "admin",
                    "admin_password": secrets.token_urlsafe(16),
                    "admin_email": "admin@wordpress-e2e.test",
                    "plugin": PLUGIN_FILE,
                    "option": PLUGIN_OPTION,
                    "settings": {
                        "service_url": service.url,
                        "tenant_slug": salon.slug,
                        "integration_key": salon.integration_key,
                        "language": "en",
                        "theme": "light",
                        "accent": "#1d4ed8",
                    },
                    "pages": {
                        "shortcode": {"title": "Book with the shortcode", "content": "[hushbook]"},
                        "block": {
                            "title": "Book with the block",
                            "content": "<!-- wp:hushbook/booking /-->",
                        },
                    },
                }
            )
        )
        env = service_env(WORDPRESS_CONFIG=name)
        done = subprocess.run(
            ["php", str(E2E / "wordpress" / "install.php"), str(spec)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (
            f"WordPress install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
        installed = json.loads(done.stdout.strip().splitlines()[-1])

        with open(log, "wb") as out:
            proc = subprocess.Popen(
                ["php", "-S", host, "-t", str(WP_ROOT), str(E2E / "wordpress" / "router.php")],
                env={
                    **env,
                    "PHP_CLI_SERVER_WORKERS": "4",
                    "HUSHBOOK_E2E_CONTENT_DIR": str(content),
                },
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=str(WP_ROOT),
            )
        wait_http(f"{home}/", proc, log)
        print(f"\nWordPress {installed['version']} at {home}: {installed['pages']}")
        yield WordPress(
            home,
            installed["pages"],
            title,
            db_name,
            options,
            content,
            log,
            debug_log,
            installed["version"],
            name,
        )
    finally:
        stop_group(proc)
        config.unlink(missing_ok=True)
        admin.run(
            f"DROP DATABASE IF EXISTS `{db_name}`;"
            f"DROP USER IF EXISTS '{db_user}'@'127.0.0.1', '{db_user}'@'localhost';"
        )
        if debug_log.is_file():
            notes = [
                line
                for line in debug_log.read_text(errors="replace").splitlines()
                if "hushbook" in line.lower()
            ]
            if notes:
                SUMMARY.notes.append(
                    "WordPress debug.log (plugin lines):\n  " + "\n  ".join(notes[:20])
                )


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    require("Playwright for Python", playwright_importable(), "pip install -e '.[dev]'")
    require("Chromium", Path(CHROMIUM).is_file(), "apt-get install chromium")
    require("axe-core", AXE_JS.is_file(), "npm ci in tests/e2e")
    require(
        "the built widget",
        (WIDGET_DIR / "hushbook-widget.js").is_file(),
        "python plugins/widget/build.py",
    )
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


@pytest.fixture
def visit(browser, request):
    """A fresh browser (context) for one customer, English, in the salon's time zone."""
    from playwright.sync_api import expect

    from .support import RECORDER_JS

    expect.set_options(timeout=30_000)
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    context.add_init_script(RECORDER_JS)
    v = Visit(context, request.node.name)
    try:
        yield v
    finally:
        v.collect_pow()
        context.close()


# --- the summary the lead asked for ---------------------------------------------------------


def pytest_terminal_summary(terminalreporter):
    if not (SUMMARY.pow or SUMMARY.folders or SUMMARY.notes):
        return
    write = terminalreporter.write_line
    terminalreporter.section("hushbook end-to-end")
    if SUMMARY.pow:
        for s in SUMMARY.pow:
            write(
                f"proof-of-work in headless Chromium: {s['bits']} bits, {s['ms']} ms, "
                f"{s['hashes']} hashes ({s['test']})"
            )
        times = sorted(s["ms"] for s in SUMMARY.pow)
        write(
            f"proof-of-work solves: {len(times)}, median {times[len(times) // 2]} ms, "
            f"max {times[-1]} ms"
        )
    if SUMMARY.axe:
        steps = len(SUMMARY.axe)
        bad = sum(
            1
            for a in SUMMARY.axe
            for v in a["violations"]
            if v["impact"] in ("serious", "critical")
        )
        minor = sum(1 for a in SUMMARY.axe for v in a["violations"]) - bad
        write(f"axe-core: {steps} steps checked, {bad} serious/critical, {minor} minor/moderate")
    if SUMMARY.folders:
        write(f"screenshots: {SHOTS}/ ({', '.join(Path(f).name for f in SUMMARY.folders)})")
    for note in SUMMARY.notes:
        write(note)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "summary.json").write_text(
        json.dumps(
            {
                "pow": SUMMARY.pow,
                "axe": SUMMARY.axe,
                "folders": SUMMARY.folders,
                "notes": SUMMARY.notes,
            },
            indent=2,
        )
    )
