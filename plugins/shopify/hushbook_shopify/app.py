"""``create_app()``: the Shopify app server, wired together.

Routes: ``/`` and ``/auth/patch-id-token`` (the embedded admin's documents),
``/api/*`` (its JSON API), ``/proxy/*`` (the app proxy), ``/webhooks``,
``/healthz``, ``/static/*`` (the admin page's own script and styles).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from flask import Flask, Response

from hushbook_shopify import admin, proxy, webhooks
from hushbook_shopify.config import Settings, load_settings
from hushbook_shopify.models import database, open_database
from hushbook_shopify.shopify_auth import ShopifyAuth

MAX_REQUEST = 1024 * 1024


@dataclass(frozen=True)
class Context:
    settings: Settings
    auth: ShopifyAuth


def create_app(
    settings: Settings | None = None, *, shopify_http: httpx.Client | None = None
) -> Flask:
    """The app for ``settings`` (default: from the environment). ``shopify_http``
    replaces the HTTP client for Shopify's token endpoint (tests)."""
    settings = settings or load_settings()
    logging.getLogger("hushbook_shopify").setLevel(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST
    open_database(settings.database_url)
    app.extensions["hushbook_shopify"] = Context(settings, ShopifyAuth(settings, shopify_http))
    app.register_blueprint(admin.bp)
    app.register_blueprint(proxy.bp)
    app.register_blueprint(webhooks.bp)

    @app.before_request
    def _connect() -> None:
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc) -> None:
        if not database.is_closed():
            database.close()

    @app.after_request
    def _no_cookies(response: Response) -> Response:
        # Nothing here uses a cookie (App Store rule 1.1.1; app proxies strip them).
        response.headers.pop("Set-Cookie", None)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.errorhandler(413)
    def _too_large(_exc):
        return Response('{"code": 413, "reason": "too_large"}', 413, mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        database.execute_sql("SELECT 1")
        return {"status": "ok"}

    return app
