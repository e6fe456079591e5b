"""Shared pieces of the SDK suites: one real ``hushbook serve`` per test module,
tenants made in-process, and a scripted HTTP stand-in.

The conftest fixtures are per test; the SDK suites start one server per
module instead, so they build the same environment once with these helpers.
"""

from __future__ import annotations

import http.client
import http.server
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import hushbook
from hushbook_service import create_app
from hushbook_service.config import load_settings
from hushbook_service.db import database

from .config import KEY_ENV, PASSWORD, TEST_DB_URL, VAULT_LOG_N
from .db import MigratedTemplate
from .processes import ServerProcess, start_server, stop_server
from .tenants import TenantFixture, new_tenant, vault_passphrase


@dataclass
class Live:
    settings: object
    app: object
    server: ServerProcess

    @property
    def url(self) -> str:
        return self.server.url

    def make_tenant(self, slug: str, *, vault: bool = True) -> TenantFixture:
        """A tenant with an owner (password set) and, by default, a vault at test cost."""
        return new_tenant(self.app, slug, vault=vault)

    def confirm_code(self, booking_ref: str) -> str:
        """The six-digit code the customer would get (messages go through the worker)."""
        from hushbook_service.messaging import links
        from hushbook_service.models import Appointment

        with self.app.app_context(), database.connection_context():
            claims = self.app.extensions["hushbook_keys"].verify("booking", booking_ref)
            appointment_id = links.appointment_id(claims["tid"], claims["ref"])
            return links.confirmation_code(Appointment.get_by_id(appointment_id))

    def count(self, model_name: str, tenant_id: int) -> int:
        from hushbook_service import models

        model = getattr(models, model_name)
        with self.app.app_context(), database.connection_context():
            return model.select().where(model.tenant == tenant_id).count()


@contextmanager
def live_environment(tmp: Path, template: MigratedTemplate) -> Iterator[Live]:
    """Settings, a migrated database (a copy of ``template``) and a real server
    process, for a whole module."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in KEY_ENV.items():
            mp.setenv(name, value)
        db_url = TEST_DB_URL or f"sqlite:///{tmp / 'hushbook.db'}"
        template.copy_to(db_url)
        settings = load_settings(
            instance=tmp / "instance", database_url=db_url, huey_url=f"sqlite:///{tmp / 'huey.db'}"
        )
        app = create_app(settings)
        server = start_server(settings)
        try:
            yield Live(settings, app, server)
        finally:
            stop_server(server)
            if not database.is_closed():
                database.close()


def owner_client(live: Live, t: TenantFixture, **kw: object) -> hushbook.Client:
    """The owner logged in through the SDK, vault unlocked at the test cost."""
    client = hushbook.Client.login(live.url, t.tenant.slug, t.owner.staff.email, PASSWORD, **kw)
    client.vault = hushbook.Vault(client, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)
    client.vault.unlock(vault_passphrase(t.owner.staff))
    return client


# --- a scripted stand-in server ----------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Action = Callable[["StandIn", http.server.BaseHTTPRequestHandler, Seen], None]


@dataclass
class StandIn:
    """A local HTTP server that misbehaves on purpose.

    Each request takes the next action of ``script`` (when the script runs
    out: ``default``). Actions answer themselves, forward to ``upstream`` (the
    real server), or drop the connection after forwarding.
    """

    upstream: str | None = None
    script: list[Action] = field(default_factory=list)
    default: Action | None = None
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    _server: socketserver.ThreadingTCPServer | None = None

    def __enter__(self) -> StandIn:
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                stand_in.seen.append(seen)
                action = stand_in.script.pop(0) if stand_in.script else stand_in.default
                (action or forward)(stand_in, self, seen)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any  # noqa: N815

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def upstream_call(stand_in: StandIn, seen: Seen) -> tuple[int, list[tuple[str, str]], bytes]:
    assert stand_in.upstream, "this action needs an upstream server"
    target = urlsplit(stand_in.upstream)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    headers = {k: v for k, v in seen.headers.items() if k.lower() not in ("host", "connection")}
    conn.request(seen.method, seen.path, body=seen.body or None, headers=headers)
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res.status, res.getheaders(), body


def forward(stand_in: StandIn, handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
    """Pass the request to the real server and its answer back unchanged."""
    status, headers, body = upstream_call(stand_in, seen)
    handler.send_response_only(status)
    for name, value in headers:
        if name.lower() not in ("connection", "transfer-encoding", "content-length"):
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def forward_then_drop(
    stand_in: StandIn, handler: http.server.BaseHTTPRequestHandler, seen: Seen
) -> None:
    """The request reaches the real server, but the answer never reaches the caller."""
    upstream_call(stand_in, seen)
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def drop(stand_in: StandIn, handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
    """Close the connection without an answer (the request went nowhere)."""
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Action:
    """An action answering ``status`` with a problem document (or ``body``)."""

    def act(stand_in: StandIn, handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        import json

        payload = (
            body
            or json.dumps(
                {"code": status, "status": http.HTTPStatus(status).phrase, "message": "stand-in"}
            ).encode()
        )
        handler.send_response_only(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    return act
