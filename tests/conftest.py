"""Shared fixtures.

The API suites run on SQLite by default and on PostgreSQL when
``HUSHBOOK_TEST_DATABASE_URL=postgresql://…`` is set (``.ci/run`` does both).
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from hushbook import sealing
from hushbook_service import create_app
from hushbook_service.config import load_settings
from hushbook_service.db import database
from hushbook_service.identity import issue_pair
from hushbook_service.migrations import migrate
from hushbook_service.models import Staff
from hushbook_service.passwords import hash_password
from hushbook_service.tenants import create_tenant

TEST_DB_URL = os.environ.get("HUSHBOOK_TEST_DATABASE_URL", "")
# Debian's Chromium, headless, as root, on a machine without outside network
# (see ../shared/notes/wordpress-e2e.md); Playwright drives it, never its own download.
CHROMIUM = os.environ.get("HUSHBOOK_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require(what: str, ok: bool, how: str = "") -> None:
    """The one skipping rule for components outside Python (Node, PHP, WordPress,
    Chromium, ...): missing on a developer's machine skips; under CI (``CI`` set),
    where everything must be installed, it fails."""
    if ok:
        return
    message = f"{what} is missing" + (f" ({how})" if how else "")
    if os.environ.get("CI"):
        pytest.fail(f"CI: {message}", pytrace=False)
    pytest.skip(message)


SCRYPT_LOG_N = 10  # fast hashes in tests; production default is 15
PASSWORD = "Correct-Horse-Battery-9"
TOKEN_KEYS = "test1:" + base64.urlsafe_b64encode(b"k" * 32).decode()
INDEX_KEY = base64.urlsafe_b64encode(b"i" * 32).decode()


def on_postgres() -> bool:
    return TEST_DB_URL.startswith("postgres")


def reset_database(url: str) -> None:
    """Empty the test database so every test starts from a clean schema."""
    if url.startswith("postgres"):
        import psycopg2

        conn = psycopg2.connect(url.replace("postgresql://", "postgres://", 1))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        conn.close()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    if TEST_DB_URL:
        reset_database(TEST_DB_URL)
        return TEST_DB_URL
    return f"sqlite:///{tmp_path / 'hushbook.db'}"


@pytest.fixture
def settings(tmp_path: Path, db_url: str, monkeypatch):
    monkeypatch.setenv("HUSHBOOK_TOKEN_KEYS", TOKEN_KEYS)
    monkeypatch.setenv("HUSHBOOK_INDEX_KEY", INDEX_KEY)
    monkeypatch.setenv("HUSHBOOK_SCRYPT_LOG_N", str(SCRYPT_LOG_N))
    return load_settings(
        instance=tmp_path / "instance",
        database_url=db_url,
        huey_url=f"sqlite:///{tmp_path / 'huey.db'}",
    )


@pytest.fixture
def app(settings):
    app = create_app(settings)
    with database.connection_context():
        migrate(database.obj)
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class Member:
    staff: Staff
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class TenantFixture:
    tenant: object
    owner: Member
    app: object
    members: dict[str, Member] = field(default_factory=dict)
    tenant_key: object = None  # the private key, as only the owner's side holds it

    def open(self, client_row: dict) -> dict:
        """Open a sealed client as a granted reader would (locally)."""
        return sealing.open_profile(
            self.tenant_key, self.tenant.id, client_row["client_key"], client_row["sealed_profile"]
        )

    def member(self, role: str, name: str | None = None) -> Member:
        """A logged-in team member with ``role`` (password already set)."""
        name = name or f"{role}{len(self.members)}"
        with self.app.app_context(), database.connection_context():
            staff = Staff.create(
                tenant=self.tenant.id,
                email=f"{name}@{self.tenant.slug}.test",
                display_name=name.title(),
                role=role,
                password_hash=hash_password(PASSWORD, SCRYPT_LOG_N),
                must_change_password=False,
            )
            pair = issue_pair(staff, family=secrets.token_hex(8))
        self.members[name] = Member(staff, pair.access_token, pair.refresh_token)
        return self.members[name]


VAULT_LOG_N = 10  # test-only scrypt cost (production: 17, floor 16)


def vault_passphrase(staff) -> str:
    return f"passphrase of {staff.email}"


def setup_vault(tenant, owner):
    """What the owner's SDK does (enrol + setup), at test cost."""
    from hushbook_service.vault import setup_locally

    return setup_locally(
        tenant, owner, vault_passphrase(owner), log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N
    )


@pytest.fixture
def make_tenant(app):
    def factory(
        slug: str = "salon-a", timezone: str = "Europe/Berlin", vault: bool = True
    ) -> TenantFixture:
        with app.app_context(), database.connection_context():
            tenant, owner, _ = create_tenant(
                slug,
                f"Salon {slug}",
                f"owner@{slug}.test",
                timezone=timezone,
                scrypt_log_n=SCRYPT_LOG_N,
            )
            owner.password_hash = hash_password(PASSWORD, SCRYPT_LOG_N)
            owner.must_change_password = False
            owner.save()
            pair = issue_pair(owner, family=secrets.token_hex(8))
            tenant_key = setup_vault(tenant, owner) if vault else None
        fx = TenantFixture(tenant, Member(owner, pair.access_token, pair.refresh_token), app)
        fx.tenant_key = tenant_key
        return fx

    return factory


# Written by a key's own use (at most hourly), not by what the request asked for.
BOOKKEEPING = {("IntegrationKey", "last_used_at")}


def db_rows(app, tenant_id: int) -> dict[str, list[dict]]:
    """Every row of the tenant, straight from the database (for "nothing changed").

    Audit events that the tenant's own people and keys cause (reading their
    own data is audited) are left out; events caused by anyone else stay."""
    from hushbook_service.models import ALL_MODELS, AuditEvent, IntegrationKey, Tenant, TenantModel

    with app.app_context(), database.connection_context():
        rows = {"Tenant": list(Tenant.select().where(Tenant.id == tenant_id).dicts())}
        own_staff = Staff.select(Staff.id).where(Staff.tenant == tenant_id)
        own_keys = IntegrationKey.select(IntegrationKey.id).where(
            IntegrationKey.tenant == tenant_id
        )
        for model in ALL_MODELS:
            if issubclass(model, TenantModel):
                query = model.select().where(model.tenant == tenant_id).order_by(model.id)
                if model is AuditEvent:
                    query = query.where(
                        ~((AuditEvent.actor_kind == "staff") & AuditEvent.actor_id.in_(own_staff)),
                        ~(
                            (AuditEvent.actor_kind == "integration")
                            & AuditEvent.actor_id.in_(own_keys)
                        ),
                    )
                rows[model.__name__] = [
                    {k: v for k, v in row.items() if (model.__name__, k) not in BOOKKEEPING}
                    for row in query.dicts()
                ]
    return rows


# --- real server processes -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    url: str
    proc: subprocess.Popen
    env: dict[str, str]


def start_server(settings, workers: int = 1) -> ServerProcess:
    """``hushbook serve`` as a real process on the test database."""
    port = free_port()
    env = {
        **os.environ,
        "HUSHBOOK_INSTANCE": str(settings.instance),
        "DATABASE_URL": settings.database_url,
        "HUEY_URL": settings.huey_url,
        "HUSHBOOK_TOKEN_KEYS": TOKEN_KEYS,
        "HUSHBOOK_INDEX_KEY": INDEX_KEY,
        "HUSHBOOK_SCRYPT_LOG_N": str(SCRYPT_LOG_N),
    }
    cmd = [sys.executable, "-m", "hushbook_service.cli", "serve", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    log = open(settings.instance / "server.log", "wb")  # noqa: SIM115 - lives with the process
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {server_log(settings)[-2000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return ServerProcess(url, proc, env)
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start in 30 s")


def server_log(settings) -> str:
    return (settings.instance / "server.log").read_text(errors="replace")


def stop_server(server: ServerProcess) -> None:
    import signal

    try:
        os.killpg(server.proc.pid, signal.SIGTERM)
        server.proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.proc.pid, signal.SIGKILL)
