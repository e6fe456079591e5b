"""The real servers (`hushbook serve`: werkzeug, and gunicorn with --workers 2):
access logs never hold a token from a path, and a 413 says ``Connection: close``
and then closes (issue 16)."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from support.api import book_online, confirm_code, make_shop
from support.processes import server_log, start_server, stop_server

pytestmark = pytest.mark.system  # real server processes

SERVERS = pytest.mark.parametrize("workers", [1, 2], ids=["dev-server", "gunicorn"])


@SERVERS
def test_access_logs_show_path_tokens_by_name_only(settings, app, client, make_tenant, workers):
    shop = make_shop(client, make_tenant)
    booked = book_online(client, shop, email="log@example.org")
    manage = client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
    ).json["manage_token"]
    server = start_server(settings, workers=workers)
    long_junk = "Q" * 40
    try:
        for path in (
            f"/v1/public/manage/{manage}",
            f"/v1/public/bookings/confirm/{manage}",
            f"/v1/public/no-such-route/{long_junk}",
        ):
            requests.get(f"{server.url}{path}", timeout=10)
        requests.post(f"{server.url}/v1/public/manage/{manage}/offers", json={}, timeout=10)
    finally:
        stop_server(server)
    log = server_log(settings)
    assert "GET /v1/public/manage/<token> " in log
    assert "POST /v1/public/manage/<token>/offers " in log
    assert "GET /v1/public/bookings/confirm/<token> " in log
    assert manage not in log and manage.split(".")[-1] not in log
    assert long_junk not in log  # matched no route: long segments are redacted anyway


def raw_request(port: int, body_length: int) -> tuple[bytes, bool]:
    """Send a POST with a body of ``body_length``; the answer's head and whether
    the server closed the connection after it."""
    body = json.dumps({"name": "x" * body_length}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        try:
            sock.sendall(body)
        except OSError:
            pass  # the server may close before reading it all
        data, closed = b"", False
        deadline = time.monotonic() + 10
        sock.settimeout(3)
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:  # closed with the unread body still queued
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
    return data.split(b"\r\n\r\n", 1)[0], closed


@SERVERS
def test_a_413_says_close_and_closes(settings, app, workers):
    server = start_server(settings, workers=workers)
    try:
        port = int(server.url.rsplit(":", 1)[1])
        head, closed = raw_request(port, 200 * 1024)
        assert head.startswith(b"HTTP/1.1 413"), head
        assert b"Connection: close" in head or b"connection: close" in head.lower(), head
        assert b"keep-alive" not in head.lower(), head
        if workers > 1:  # werkzeug's development server reads on until the client stops
            assert closed, "the server kept the connection after saying close"
        # a small request keeps its connection (keep-alive is not switched off)
        with requests.Session() as session:
            assert session.get(f"{server.url}/healthz", timeout=10).status_code == 200
    finally:
        stop_server(server)
