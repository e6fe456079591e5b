"""The embedded admin: the page Shopify shows in its admin iframe, and the JSON
API that page calls.

Authentication is Shopify's session token on every request and nothing else:
no cookie, no local storage. A document load carries it as ``id_token`` in the
query (without one, or with a stale one, the request goes to the patch-ID-token
page, where App Bridge fetches a new token and reloads); a fetch carries it as
``Authorization: Bearer`` (App Bridge adds it; a bad one is answered 401 with
``X-Shopify-Retry-Invalid-Session-Request: 1`` and App Bridge retries once with
a fresh token). The shop is always the verified token's ``dest``.

The integration key is write-only: the page can store or remove it and learn
*whether* one is stored, never read it back.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, urlsplit

from flask import Blueprint, Response, current_app, render_template, request

from hushbook_shopify import connection, service_client, tokens
from hushbook_shopify.models import Shop, transaction, utcnow
from hushbook_shopify.secretbox import SecretError
from hushbook_shopify.texts import PRIVACY_POLICY, TEXT, language, t

bp = Blueprint("admin", __name__)
PATCH_PATH = "/auth/patch-id-token"
LANGUAGES = ("auto", "de", "en")
THEMES = ("auto", "light", "dark")
ACCENT_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
KEY_RE = re.compile(r"^[\x21-\x7e]{16,4096}$")
TEMPLATES = ("index", "page", "product")


def _ctx():
    return current_app.extensions["hushbook_shopify"]


def _url() -> str:
    """This request's URL as the browser sees it: behind a TLS-terminating proxy
    the app's public origin (``HUSHBOOK_SHOPIFY_APP_URL``) replaces the one the
    WSGI server saw, so that a redirect to the patch page stays on https."""
    base = _ctx().settings.app_url
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _csp(shop: str) -> str:
    bridge = _origin(_ctx().settings.app_bridge_url)
    return (
        f"frame-ancestors https://{shop} https://admin.shopify.com; "
        "default-src 'none'; "
        f"script-src 'self' {bridge}; "
        "style-src 'self' 'unsafe-inline'; "
        f"connect-src 'self' {bridge} https://*.shopify.com; "
        "img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _page_headers(response: Response, shop: str, link: str | None = None) -> Response:
    response.headers["Content-Security-Policy"] = _csp(shop)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    bridge = _ctx().settings.app_bridge_url
    response.headers["Link"] = link or (
        f'<{_origin(bridge)}>; rel="preconnect", <{bridge}>; rel="preload"; as="script"'
    )
    return response


def _refusal(status: int, headers: dict[str, str], code: str = "unauthorized") -> Response:
    response = Response(
        json.dumps({"code": code}) if status != 302 else "",
        status=status,
        mimetype="application/json",
    )
    for name, value in headers.items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _plain(status: int, text: str) -> Response:
    return Response(
        text, status=status, mimetype="text/plain", headers={"Cache-Control": "no-store"}
    )


# --- documents ------------------------------------------------------------------------


@bp.get("/")
def home() -> Response:
    ctx = _ctx()
    verdict = ctx.auth.verify_app_home("GET", _url(), dict(request.headers), PATCH_PATH)
    if not verdict.ok:
        return _refusal(verdict.status, verdict.headers, verdict.code)
    outcome = tokens.ensure(ctx.auth, ctx.settings.data_keys, verdict)
    lang = language(request.args.get("locale"))
    if not outcome.ok:
        if outcome.code == "invalid_subject_token":
            again = ctx.auth.invalid_token_answer(_url(), False, PATCH_PATH)
            return _refusal(again.status, again.headers, again.code)
        return _plain(503, t(lang, "no_token"))
    assert verdict.shop
    response = Response(
        render_template(
            "app_home.html",
            lang=lang,
            text=TEXT[lang],
            client_id=ctx.settings.client_id,
            app_bridge_url=ctx.settings.app_bridge_url,
            shop=verdict.shop,
            privacy=PRIVACY_POLICY,
        ),
        mimetype="text/html",
    )
    return _page_headers(response, verdict.shop)


@bp.get(PATCH_PATH)
def patch_id_token() -> Response:
    """The page App Bridge uses to fetch a new session token and reload
    ``shopify-reload`` (a path of this app) with it."""
    ctx = _ctx()
    shop = ctx.auth.patch_page_shop(_url())
    reload_to = parse_qs(urlsplit(_url()).query).get("shopify-reload", [""])[0]
    if shop is None or not reload_to.startswith("/") or reload_to.startswith("//"):
        return _plain(400, "Bad Request")
    body = (
        '<!doctype html><html><head><meta charset="utf-8"><title>Hushbook</title>'
        f'<script data-api-key="{_attr(ctx.settings.client_id)}" '
        f'src="{_attr(ctx.settings.app_bridge_url)}"></script></head><body></body></html>'
    )
    return _page_headers(Response(body, mimetype="text/html"), shop)


def _attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


# --- the JSON API -----------------------------------------------------------------------


def _verified_shop() -> tuple[Shop | None, Response | None]:
    """The shop of a fetch with a valid session token, its offline pair ensured."""
    ctx = _ctx()
    if not request.headers.get("Authorization"):
        return None, _refusal(401, {}, "missing_authorization")
    verdict = ctx.auth.verify_app_home(request.method, _url(), dict(request.headers), PATCH_PATH)
    if not verdict.ok:
        return None, _refusal(verdict.status, verdict.headers, verdict.code)
    outcome = tokens.ensure(ctx.auth, ctx.settings.data_keys, verdict)
    if not outcome.ok:
        if outcome.code == "invalid_subject_token":
            again = ctx.auth.invalid_token_answer(_url(), True, PATCH_PATH)
            return None, _refusal(again.status, again.headers, again.code)
        return None, _refusal(503, {}, "no_token")
    return Shop.get(Shop.shop_domain == verdict.shop), None


def _lang() -> str:
    return language(request.args.get("lang"), request.headers.get("Accept-Language"))


def _json(data: dict, status: int = 200) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _key(shop: Shop) -> str | None:
    try:
        return shop.secret(_ctx().settings.data_keys, "integration_key")
    except SecretError:
        return None


def _state(shop: Shop, lang: str, check: bool = True) -> dict:
    settings = _ctx().settings
    report = (
        connection.check(shop, _key(shop), lang, settings.allow_private_services) if check else None
    )
    uid = settings.extension_uid or settings.client_id
    links = {
        tpl: f"https://{shop.shop_domain}/admin/themes/current/editor?template={tpl}"
        f"&addAppBlockId={quote(uid, safe='')}/{quote(settings.block_handle, safe='')}"
        "&target=newAppsSection"
        for tpl in TEMPLATES
    }
    console = (
        f"{shop.service_url}/console/?salon={quote(shop.tenant_slug, safe='')}&lang={lang}"
        if shop.service_url and shop.tenant_slug
        else ""
    )
    return {
        "shop": shop.shop_domain,
        "settings": {
            "service_url": shop.service_url,
            "tenant_slug": shop.tenant_slug,
            "key_stored": shop.integration_key_enc is not None,
            "key_saved_at": shop.key_saved_at.isoformat() + "Z" if shop.key_saved_at else None,
            "language": shop.language,
            "theme": shop.theme,
            "accent": shop.accent,
        },
        "connection": report.as_json(lang, shop.tenant_slug) if report else None,
        "console_url": console,
        "theme_editor": links,
    }


@bp.get("/api/state")
def state() -> Response:
    shop, refusal = _verified_shop()
    if refusal:
        return refusal
    assert shop is not None
    return _json(_state(shop, _lang()))


@bp.post("/api/test")
def test_connection() -> Response:
    shop, refusal = _verified_shop()
    if refusal:
        return refusal
    assert shop is not None
    lang = _lang()
    report = connection.check(shop, _key(shop), lang, _ctx().settings.allow_private_services)
    return _json(report.as_json(lang, shop.tenant_slug))


@bp.post("/api/settings")
def save_settings() -> Response:
    shop, refusal = _verified_shop()
    if refusal:
        return refusal
    assert shop is not None
    lang = _lang()
    data = request.get_json(silent=True) if request.mimetype == "application/json" else None
    if not isinstance(data, dict) or (request.content_length or 0) > 16384:
        return _json({"code": "bad_request", "message": t(lang, "bad_request")}, 400)
    errors: dict[str, str] = {}
    changes: dict = {}

    def text(name: str) -> str | None:
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            errors[name] = t(lang, "bad_choice")
            return None
        return value.strip()

    url = text("service_url")
    if url is not None:
        cleaned = service_client.clean_url(url) if url else ""
        if url and not cleaned:
            errors["service_url"] = t(lang, "bad_url")
        else:
            changes["service_url"] = cleaned
    slug = text("tenant_slug")
    if slug is not None:
        if slug and not service_client.SLUG_RE.match(slug):
            errors["tenant_slug"] = t(lang, "bad_slug")
        else:
            changes["tenant_slug"] = slug
    for name, allowed in (("language", LANGUAGES), ("theme", THEMES)):
        value = text(name)
        if value is not None:
            if value in allowed:
                changes[name] = value
            else:
                errors[name] = t(lang, "bad_choice")
    accent = text("accent")
    if accent is not None:
        if ACCENT_RE.match(accent):
            changes["accent"] = accent.lower()
        else:
            errors["accent"] = t(lang, "bad_accent")
    key = text("integration_key")
    remove = data.get("remove_key") is True
    if key and not KEY_RE.match(key):
        errors["integration_key"] = t(lang, "bad_key")
    if errors:
        return _json({"code": "invalid", "errors": errors}, 422)

    keys = _ctx().settings.data_keys
    with transaction():
        if remove:
            changes.update(integration_key_enc=None, key_saved_at=None)
        elif key:
            changes.update(
                integration_key_enc=shop.sealed(keys, "integration_key", key),
                key_saved_at=utcnow(),
            )
        changes["updated_at"] = utcnow()
        Shop.update(**changes).where(Shop.shop_domain == shop.shop_domain).execute()
    shop = Shop.get(Shop.shop_domain == shop.shop_domain)
    answer = _state(shop, lang)
    answer["message"] = t(lang, "key_removed" if remove else "saved")
    if {"language", "theme", "accent"} & set(changes):
        published = tokens.publish_defaults(_ctx().auth, keys, shop)
        answer["defaults_published"] = published
        if not published:
            answer["message"] += " " + t(lang, "defaults_not_published")
    return _json(answer)
