"""admin.shopify.com and cdn.shopify.com of the fake Shopify.

The admin shell (``/store/<name>/apps/<handle>[/<path>]``) embeds the app's URL
in an iframe with the parameters Shopify adds on a document load (embedded,
hmac, host, id_token, locale, session, shop, timestamp; the hmac over the
others as Shopify signs admin requests, the id_token a fresh session token).
It answers the App Bridge stand-in's ``postMessage`` asks for a new session
token with a freshly signed one, shows its toasts and follows its redirects.

The CDN serves that stand-in as ``/shopifycloud/app-bridge.js`` (the documented
behaviour only: ``shopify.idToken()``, ``Authorization: Bearer`` on the app's
own fetches, one retry on ``X-Shopify-Retry-Invalid-Session-Request``, the
reauthorize header, the patch-ID-token reload), an empty ``polaris.js``, and
the theme app extension's assets under ``/extensions/<uid>/assets/`` -- with no
CORS headers, which Shopify's CDN is not known to send.
"""

from __future__ import annotations

import html
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, abort, request, send_from_directory

from .signing import admin_hmac, session_token
from .theme import EXTENSION

STATIC = Path(__file__).resolve().parent / "static"
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}


def create_admin(fake) -> Flask:
    app = Flask("shopify_fake.admin", static_folder=None)

    def installed_shop(name: str):
        shop = fake.shops.get(name)
        if shop is None or not shop.installed:
            abort(404)
        return shop

    @app.get("/store/<name>/apps/<handle>")
    @app.get("/store/<name>/apps/<handle>/<path:sub>")
    def app_home(name: str, handle: str, sub: str = ""):
        shop = installed_shop(name)
        if handle != fake.app.handle:
            abort(404)
        locale = request.args.get("locale", shop.locales[0])
        params = {
            "embedded": "1",
            "host": shop.host,
            "id_token": _token(fake, shop),
            "locale": locale,
            "session": secrets.token_hex(32),
            "shop": shop.domain,
            "timestamp": str(int(time.time())),
        }
        params["hmac"] = admin_hmac(params, fake.app.client_secret)
        src = f"{fake.app.origin}/{sub}?{urlencode(params)}"
        esc = html.escape
        page = f"""<!doctype html>
<html lang="{esc(locale)}">
<head>
<meta charset="utf-8">
<title>{esc(fake.app.name)} · {esc(shop.domain)} · Shopify admin (local test double)</title>
<link rel="stylesheet" href="/fake/admin.css">
<script src="/fake/admin-shell.js" defer></script>
</head>
<body>
<header><p>Shopify admin (local test double) · {esc(shop.domain)}</p></header>
<main>
<h1>{esc(fake.app.name)}</h1>
<iframe id="app-frame" title="{esc(fake.app.name)}" src="{esc(src)}"
        data-app-origin="{esc(fake.app.origin)}"
        data-token-url="/store/{esc(name)}/apps/{esc(handle)}/session-token"></iframe>
<div id="toasts" role="status" aria-live="polite"></div>
</main>
</body>
</html>"""
        return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})

    @app.post("/store/<name>/apps/<handle>/session-token")
    def fresh_token(name: str, handle: str):
        """The admin shell's own call: a new session token for the embedded app."""
        shop = installed_shop(name)
        if handle != fake.app.handle:
            abort(404)
        return {"id_token": _token(fake, shop)}

    @app.get("/fake/<name>")
    def shell_file(name: str):
        if name not in ("admin-shell.js", "admin.css"):
            abort(404)
        return _static(name)

    return app


def _token(fake, shop) -> str:
    with fake.lock:
        fake.tokens_issued += 1
    return session_token(shop.domain, fake.app.client_id, fake.app.client_secret)


def _static(name: str) -> Response:
    response = send_from_directory(STATIC, name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def create_cdn(fake) -> Flask:
    app = Flask("shopify_fake.cdn", static_folder=None)

    @app.get("/shopifycloud/app-bridge.js")
    def app_bridge():
        return _static("app-bridge.js")

    @app.get("/shopifycloud/polaris.js")
    def polaris():
        return _static("polaris.js")

    @app.get("/extensions/<uid>/assets/<name>")
    def extension_asset(uid: str, name: str):
        kind = ASSET_TYPES.get(Path(name).suffix)
        if uid != fake.extension_uid or kind is None:
            abort(404)
        response = send_from_directory(EXTENSION / "assets", name, mimetype=kind, max_age=300)
        response.headers.pop("Access-Control-Allow-Origin", None)  # deliberately none
        return response

    return app
