"""The app proxy: ``https://<shop>/apps/hushbook/<route>`` -> ``/proxy/<route>``
-> the shop's Hushbook service, as the WordPress plugin's REST proxy does
(plugins/wordpress/hushbook/includes/class-hushbook-proxy.php: the same routes,
body limit and key allow-list; docs/shopify.md, "How the proxy works").

Each request, in order: Shopify's signature (401); the shop installed (403) and
connected (503 ``not_configured``); the route (404) and its method (405); for a
POST a JSON body (415), at most 16 KiB (413), a JSON object (400), of which
only the keys the service's schema knows are passed on; the visitor's address
from ``X-Forwarded-For`` (400 ``no_visitor_address``). Shopify's own query
parameters are dropped, ``logged_in_customer_id`` above all. The answer is the
service's status, JSON body and ``Retry-After``, with ``Cache-Control:
no-store``; a service that cannot be reached is ``503 service_unavailable``, one
that answers no JSON ``502 bad_gateway``, one that refuses the key ``503
not_configured``. Nothing of a request or an answer is stored or logged.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_from_directory

from hushbook_shopify import service_client
from hushbook_shopify.models import Shop
from hushbook_shopify.secretbox import SecretError
from hushbook_shopify.texts import language, t

log = logging.getLogger("hushbook_shopify.proxy")
bp = Blueprint("proxy", __name__)

MAX_BODY = 16384
# Route -> the top-level keys the service's request schema knows
# (service/hushbook_service/resources/public.py); None for the GET route.
ROUTES: dict[str, tuple[str, ...] | None] = {
    "catalog": None,
    "challenge": ("session",),
    "offers": (
        "session",
        "pow",
        "service_id",
        "staff_id",
        "date_from",
        "date_to",
        "weekdays",
        "parts",
        "time_from",
        "time_to",
    ),
    "bookings": (
        "session",
        "pow",
        "offer",
        "profile",
        "sealed_profile",
        "client_key",
        "key_version",
        "contact",
        "consent",
        "channel",
        "locale",
        "website",
    ),
    "confirm": ("token", "booking", "code"),
}
TIMEOUTS = {"bookings": 20}
WIDGET = Path(__file__).resolve().parent / "static" / "widget"
ASSETS = re.compile(r"^(hushbook-pow-worker\.js|i18n/[a-z]{2}\.json)$")
RETRY_AFTER = re.compile(r"^[0-9A-Za-z ,:]{1,64}$")


def problem(status: int, reason: str, lang: str, headers: dict | None = None) -> Response:
    body = json.dumps({"code": status, "reason": reason, "message": t(lang, reason)})
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def visitor_ip(forwarded_for: str | None, trusted_hops: int) -> str:
    """The visitor's address: the rightmost ``X-Forwarded-For`` entry once the
    operator's own ``trusted_hops`` proxies are taken off the right; '' if none
    or not an IP address. Shopify's proxy adds the client's address; entries to
    its left could come from the client and are ignored."""
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    if trusted_hops:
        hops = hops[:-trusted_hops]
    if not hops:
        return ""
    try:
        return str(ipaddress.ip_address(hops[-1]))
    except ValueError:
        return ""


def filter_body(raw: bytes, allowed: tuple[str, ...]) -> bytes | int:
    """The JSON object with only ``allowed`` keys, or 413 / 400."""
    if len(raw) > MAX_BODY:
        return 413
    try:
        data = json.loads(raw.decode("utf-8") if raw.strip() else "{}")
    except (UnicodeDecodeError, ValueError):
        return 400
    if not isinstance(data, dict):
        return 400
    kept = {key: data[key] for key in allowed if key in data}
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@bp.route("/proxy/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])
def forward(rest: str) -> Response:
    app = current_app.extensions["hushbook_shopify"]
    lang = language(request.headers.get("Accept-Language"))
    verdict = app.auth.verify_proxy(request.url)
    if not verdict.ok:
        log.info("proxy: refused (%s)", verdict.code)
        return problem(401, "unauthorized", lang)
    shop = Shop.get_or_none(Shop.shop_domain == verdict.shop)
    if shop is None or not shop.installed:
        return problem(403, "not_installed", lang)
    lang = language(shop.language, request.headers.get("Accept-Language"))

    if rest.startswith("assets/"):
        name = rest.removeprefix("assets/")
        if request.method != "GET":
            return problem(405, "method_not_allowed", lang, {"Allow": "GET"})
        if not ASSETS.match(name) or not (WIDGET / name).is_file():
            return problem(404, "not_found", lang)
        response = send_from_directory(WIDGET, name, max_age=3600)
        response.headers.pop("Set-Cookie", None)
        return response

    if not shop.configured:
        return problem(503, "not_configured", lang)
    if rest not in ROUTES:
        return problem(404, "not_found", lang)
    allowed = ROUTES[rest]
    method = "GET" if allowed is None else "POST"
    if request.method != method:
        return problem(405, "method_not_allowed", lang, {"Allow": method})

    body: bytes | None = None
    if allowed is not None:
        if (request.mimetype or "") != "application/json":
            return problem(415, "unsupported_media_type", lang)
        if (request.content_length or 0) > MAX_BODY:
            return problem(413, "too_large", lang)
        filtered = filter_body(request.get_data(cache=False), allowed)
        if filtered == 413:
            return problem(413, "too_large", lang)
        if isinstance(filtered, int):
            return problem(400, "bad_request", lang)
        body = filtered

    ip = visitor_ip(request.headers.get("X-Forwarded-For"), app.settings.trusted_hops)
    if not ip:
        return problem(400, "no_visitor_address", lang)
    try:
        key = shop.secret(app.settings.data_keys, "integration_key")
    except SecretError:
        log.error("shop %s: the stored integration key does not open", shop.shop_domain)
        return problem(503, "not_configured", lang)
    try:
        answer = service_client.call(
            shop.service_url,
            method,
            service_client.public_path(shop.tenant_slug, rest),
            key=key,
            body=body,
            visitor_ip=ip,
            language=service_client.clean_language(request.headers.get("Accept-Language")),
            timeout=TIMEOUTS.get(rest, 10),
            allow_private=app.settings.allow_private_services,
        )
    except service_client.TooLarge:
        log.warning("shop %s: service answer on %s over 1 MiB", shop.shop_domain, rest)
        return problem(502, "bad_gateway", lang)
    except service_client.Unreachable as exc:
        log.warning("shop %s: service unreachable on %s (%s)", shop.shop_domain, rest, exc)
        return problem(503, "service_unavailable", lang)
    try:
        data = answer.json()
    except ValueError:
        data = None
    if answer.status < 100 or data is None:
        log.warning("shop %s: service answered %s without JSON", shop.shop_domain, answer.status)
        return problem(502, "bad_gateway", lang)
    if answer.status == 401 or (
        answer.status == 403 and not (isinstance(data, dict) and data.get("reason"))
    ):
        # Only this shop's key is authenticated on public routes: a wrong, revoked or
        # foreign key is the shop's problem, not the visitor's.
        log.warning("shop %s: the service refused the integration key", shop.shop_domain)
        return problem(503, "not_configured", lang)
    response = Response(answer.body, status=answer.status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    retry = {k.lower(): v for k, v in answer.headers.items()}.get("retry-after")
    if retry and RETRY_AFTER.match(retry):
        response.headers["Retry-After"] = retry
    return response
