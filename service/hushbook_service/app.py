"""Hushbook's headless booking service: ``create_app()`` builds the Flask app."""

from __future__ import annotations

import re

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from hushbook_service import observability
from hushbook_service.accounts.tokens import KeyRing
from hushbook_service.config import Settings, load_settings
from hushbook_service.db import database, open_database, release_connection
from hushbook_service.errors import register_error_handlers
from hushbook_service.resources import idempotency, operations
from hushbook_service.resources.extensions import Api, schema_name

API_TITLE = "Hushbook API"
API_VERSION = "v1"

# Path variables that carry a secret (confirm and manage links): never logged.
SECRET_PATH_VARIABLES = frozenset({"token"})
LOG_PATH = "hushbook.log_path"  # the environ key of the path as logs show it
# A path that matched no route: any long segment might be a token.
_LONG_SEGMENT = re.compile(r"(?<=/)[^/]{20,}")
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^:<>]+)>")
FRAME_ANCESTORS = "frame-ancestors 'none'"


def log_path(environ: dict) -> str:
    """The request's path as access logs show it: without query string, with
    every secret path variable replaced by its name (``/v1/public/manage/<token>``)."""
    path = environ.get(LOG_PATH)
    if path is None:
        path = _LONG_SEGMENT.sub("<redacted>", environ.get("PATH_INFO", ""))
    return path


def _remember_log_path() -> None:
    rule = request.url_rule
    if rule is not None:
        args = request.view_args or {}
        request.environ[LOG_PATH] = (
            _VARIABLE.sub(
                lambda m: f"<{m[1]}>" if m[1] in SECRET_PATH_VARIABLES else str(args.get(m[1], "")),
                rule.rule,
            )
            if SECRET_PATH_VARIABLES & rule.arguments
            else request.path
        )


def _security_headers(response: Response) -> Response:
    """The one place for headers every answer needs: no sniffing anywhere; HTML
    refuses framing and sends no referrer (its address may carry a token); API
    answers carry secrets or personal data and are never stored by a cache
    (unless a route chose its own ``Cache-Control``)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        csp = headers.get("Content-Security-Policy")
        if not csp:
            headers["Content-Security-Policy"] = FRAME_ANCESTORS
        elif "frame-ancestors" not in csp:
            headers["Content-Security-Policy"] = f"{csp}; {FRAME_ANCESTORS}"
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/v1/") and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


def create_app(settings: Settings | None = None, **overrides: object) -> Flask:
    settings = settings or load_settings(**overrides)
    app = Flask(__name__, instance_path=str(settings.instance))
    app.config.update(
        HUSHBOOK=settings,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE=API_TITLE,
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        # /docs is resources/operations.py's page: Swagger UI from the package, no CDN.
        JSON_SORT_KEYS=False,
        DEBUG=settings.debug,
    )
    if settings.trusted_proxies:
        # Client IPs (login throttling, metering) come from the proxy's headers.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    # Request ids (a proxy's X-Request-ID only when one is trusted), metrics, log lines.
    observability.init_app(app, trust_request_id=bool(settings.trusted_proxies))
    open_database(settings.database_url)
    app.extensions["hushbook_keys"] = KeyRing(
        settings.token_keys, settings.current_kid, settings.issuer
    )

    @app.before_request
    def _connect():
        if request.blueprint not in operations.NO_DATABASE_FIRST:  # /healthz answers without
            database.connect(reuse_if_open=True)

    app.before_request(_remember_log_path)
    app.after_request(_security_headers)

    @app.teardown_request
    def _close(_exc):
        release_connection()  # to the pool (PostgreSQL), or kept with the thread (SQLite)

    api = Api(
        app,
        spec_kwargs={
            "info": {"description": "Privacy-first booking: offers, never a calendar."},
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    api.spec.components.security_scheme("metricsToken", {"type": "http", "scheme": "bearer"})
    from hushbook_service.resources import register_blueprints

    register_blueprints(api)
    register_error_handlers(app)
    app.register_blueprint(operations.assets)  # Swagger UI's files for /docs

    idempotency.init_app(app)  # after every route: wraps the POST views under /v1/
    return app
