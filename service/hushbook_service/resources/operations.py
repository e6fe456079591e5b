"""For operators and integrators, outside /v1: ``/healthz``, ``/readyz``, ``/metrics``
and ``/docs`` (Swagger UI from the ``swagger-ui-bundle`` package: no CDN).

None of these touches the database before it has to: ``/healthz`` never does,
``/readyz`` probes it on a connection of its own with short timeouts
(:func:`hushbook_service.observability.readiness`), ``/metrics`` reads its
figures when scraped and says ``hushbook_database_up 0`` when it cannot.
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, render_template, request, send_from_directory, url_for
from flask.views import MethodView
from marshmallow import fields
from prometheus_client import CONTENT_TYPE_LATEST
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from hushbook_service import observability
from hushbook_service.config import metrics_token
from hushbook_service.errors import abort
from hushbook_service.resources.extensions import Blueprint, Schema

blp = Blueprint(
    "operations",
    __name__,
    description="Health, readiness and metrics (for operators), the API docs",
)
# Swagger UI's files, straight from the installed package (not in the OpenAPI document).
assets = FlaskBlueprint("swagger_ui", __name__)
SWAGGER_UI_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})
# Blueprints whose requests do not open a database connection first (app._connect).
NO_DATABASE_FIRST = frozenset({"operations", "swagger_ui"})
NO_STORE = {"Cache-Control": "no-store"}  # a cache must never answer for a probe

# Only files of this origin; no inline script or style (the page is started by
# static/api-docs.js); "Try it out" talks to this origin only.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_TEXT = {
    "de": {"title": "Hushbook API", "noscript": "Die API-Dokumentation braucht JavaScript."},
    "en": {"title": "Hushbook API", "noscript": "The API documentation needs JavaScript."},
}


class AliveSchema(Schema):
    status = fields.String(metadata={"enum": ["ok"]})


class ChecksSchema(Schema):
    database = fields.String(metadata={"enum": ["ok", "unreachable"]})
    migrations = fields.String(metadata={"enum": ["ok", "pending", "unknown"]})
    queue = fields.String(metadata={"enum": ["ok", "unreachable"]})


class ReadySchema(Schema):
    status = fields.String(metadata={"enum": ["ready", "unready"]})
    checks = fields.Nested(ChecksSchema)
    reason = fields.String(
        metadata={
            "enum": ["database_unreachable", "migrations_pending", "queue_unreachable"],
            "description": "The first failing check (only when unready)",
        }
    )


@blp.route("/healthz")
class Alive(MethodView):
    @blp.response(200, AliveSchema, headers=None)
    @blp.doc(security=[])
    def get(self):
        """Liveness: the process answers (no database, no queue: never restart it for those)"""
        return {"status": "ok"}, 200, NO_STORE


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, schema=ReadySchema, description="Not ready: `reason` says why")
    @blp.doc(security=[])
    def get(self):
        """Readiness: the database answers (2 s timeouts) and is migrated, the queue answers"""
        settings = current_app.config["HUSHBOOK"]
        answer = observability.readiness(settings.database_url, settings.huey_url)
        return answer, 200 if answer["status"] == "ready" else 503, NO_STORE


def _may_scrape() -> None:
    """``HUSHBOOK_METRICS_TOKEN`` set: that bearer token, from anywhere. Unset: only a
    scraper on this host, straight to the service (no proxy's forwarding header)."""
    token = metrics_token()
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            abort(
                401,
                "A bearer token is needed for the metrics.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    original = request.environ.get("werkzeug.proxy_fix.orig", request.environ)
    try:
        loopback = ipaddress.ip_address(original.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        loopback = False
    if forwarded or not loopback:
        abort(403, "Metrics are answered on this host only (or set HUSHBOOK_METRICS_TOKEN).")


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(
        security=[{"metricsToken": []}, {}],
        responses={
            "200": {
                "description": "Prometheus text format (docs/deployment.md lists the series)",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    def get(self):
        """Metrics in Prometheus' text format (a bearer token, or from this host only)"""
        _may_scrape()
        body = observability.exposition(current_app.config["HUSHBOOK"].huey_url)
        return Response(body, 200, NO_STORE, content_type=CONTENT_TYPE_LATEST)


@blp.route("/docs")
class Docs(MethodView):
    @blp.doc(security=[], responses={"200": {"description": "HTML page: Swagger UI"}})
    def get(self):
        """This API's documentation (Swagger UI, served by the service itself)"""
        lang = request.accept_languages.best_match(list(DOCS_TEXT)) or "en"
        html = render_template(
            "api_docs.html",
            lang=lang,
            text=DOCS_TEXT[lang],
            spec_url=url_for("api-docs.openapi_json"),
        )
        headers = {"Content-Security-Policy": DOCS_CSP, "Referrer-Policy": "no-referrer"}
        return Response(html, 200, headers, content_type="text/html; charset=utf-8")


@assets.get("/docs/swagger-ui/<name>")
def swagger_ui_file(name: str):
    if name not in SWAGGER_UI_FILES:
        abort(404, "No such file.")
    return send_from_directory(swagger_ui_path, name)
