"""Helpers for the Shopify app server's tests (tests/shopify): the test app's
credentials, and requests as Shopify makes them — a document load of the app
home, a session token, an app-proxy query — signed by ``shopify_fake.signing``.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlencode

from shopify_fake import signing

CLIENT_ID = "hushbook-test-client-id-0123456789"
SECRET = "shpss_" + "s" * 32  # >= 32 bytes (PyJWT warns below)
DATA_KEY = base64.urlsafe_b64encode(b"d" * 32).decode()
SHOP = "salon-rosa.myshopify.com"
OTHER_SHOP = "other-salon.myshopify.com"


def session_token(shop: str = SHOP, **kw) -> str:
    return signing.session_token(shop, CLIENT_ID, SECRET, **kw)


def bearer(shop: str = SHOP, **kw) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(shop, **kw)}"}


def app_home_query(shop: str = SHOP, **extra) -> str:
    """What Shopify's admin appends to application_url on a document load."""
    params = {
        "embedded": "1",
        "host": signing.host_param(shop),
        "id_token": session_token(shop),
        "locale": "en",
        "session": "a" * 64,
        "shop": shop,
        "timestamp": str(int(time.time())),
    }
    params.update(extra)
    params = {k: v for k, v in params.items() if v is not None}
    params["hmac"] = signing.admin_hmac(params, SECRET)
    return urlencode(params)


def proxy_query(
    shop: str = SHOP,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    customer: str = "",
    extra: list[tuple[str, str]] | None = None,
) -> str:
    """The query Shopify's app proxy adds (signed as ``signing.proxy_signature``)."""
    pairs = list(extra or []) + [
        ("shop", shop),
        ("logged_in_customer_id", customer),
        ("path_prefix", "/apps/hushbook"),
        ("timestamp", str(int(time.time()) if timestamp is None else timestamp)),
    ]
    pairs.append(("signature", signing.proxy_signature(pairs, secret)))
    return urlencode(pairs)


def open_admin(client, shop: str = SHOP):
    """A document load of the app home (creates the shop and its token pair)."""
    return client.get("/?" + app_home_query(shop))


# --- a stand-in Hushbook service (what the app forwards to) -----------------------------


class StubService:
    """A small HTTP server in a thread that records every request and answers
    with ``answers[route]`` — ``(status, json_or_bytes, headers)`` — keyed by the
    path after ``/v1/public/<slug>/`` (``confirm`` for the confirmation) or by
    the full path (``/v1/auth/me``)."""

    def __init__(self) -> None:
        import threading

        from flask import Flask, Response, request
        from werkzeug.serving import make_server

        self.seen: list[dict] = []
        self.answers: dict[str, tuple] = {}
        app = Flask("stub_service")

        @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
        def any_path(path: str):
            path = "/" + path
            self.seen.append(
                {
                    "method": request.method,
                    "path": path,
                    "query": request.query_string.decode(),
                    "headers": dict(request.headers),
                    "body": request.get_data(),
                }
            )
            key = path
            if path == "/v1/public/bookings/confirm":
                key = "confirm"
            elif path.startswith("/v1/public/"):
                key = path.rsplit("/", 1)[-1]
            status, body, headers = self.answers.get(key, (200, {"ok": True}, {}))
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            return Response(raw, status=status, headers=headers, mimetype="application/json")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
