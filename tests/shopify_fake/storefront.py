"""<name>.myshopify.com of the fake Shopify: theme pages and the app proxy.

Theme pages (``/``, ``/pages/<handle>``, ``/de/…`` for German as Shopify's
markets prefix it) render the extension's app blocks with python-liquid
(``theme.py``) inside a plain theme layout, wrapped as Shopify wraps app blocks,
with the schema's ``stylesheet`` and ``javascript`` injected from
``cdn.shopify.com/extensions/<uid>/assets/`` -- another origin. The app embed,
while a test has it on, is rendered before ``</body>``.

The blocks see the app-data metafields the app wrote through the fake Admin
API (``oauth.py``: ``app.metafields.hushbook.<key>.value``).

The app proxy (``/<prefix>/<subpath>/<rest>``) forwards method, body and query
to ``<app>/proxy/<rest>`` and adds ``shop``, ``logged_in_customer_id``,
``path_prefix``, ``timestamp`` and ``signature`` (the visitor's own copies of
these are dropped); it strips ``Cookie`` from the request and ``Set-Cookie``
from the answer, and sets ``X-Forwarded-For`` (the client) and
``X-Forwarded-Host`` (the shop). Switches (``FakeShopify.proxy``) sign with a
wrong secret, a stale timestamp or a duplicated ``shop``, slow it down, name a
logged-in customer; a password-protected storefront redirects proxy requests
to ``/password`` as Shopify does.
"""

from __future__ import annotations

import html
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from flask import Flask, Response, abort, redirect, request

from .fake import Exchange
from .signing import proxy_signature
from .theme import Theme

ADDED = ("shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature")
# Not passed on in either direction: hop-by-hop, cookies, what requests re-does.
DROP_REQUEST = {
    "host",
    "cookie",
    "connection",
    "keep-alive",
    "content-length",
    "transfer-encoding",
    "accept-encoding",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "upgrade",
    "te",
}
DROP_RESPONSE = {
    "server",
    "date",
    "set-cookie",
    "connection",
    "keep-alive",
    "content-length",
    "content-encoding",
    "transfer-encoding",
}
TEXTS = {
    "en": {"menu": "Menu", "home": "Home", "book": "Book", "footer": "A test shop"},
    "de": {"menu": "Menü", "home": "Start", "book": "Buchen", "footer": "Ein Testshop"},
}


def create_storefront(fake) -> Flask:
    app = Flask("shopify_fake.storefront", static_folder=None)
    theme = Theme(asset_base=f"//cdn.shopify.com/extensions/{fake.extension_uid}/assets/")
    upstream = requests.Session()
    upstream.trust_env = False

    def current_shop():
        host = (request.host or "").split(":")[0].lower()
        shop = fake.shops.get(host.removesuffix(".myshopify.com"))
        if shop is None:
            abort(404)
        return shop

    @app.before_request
    def storefront_password():
        shop = current_shop()
        if shop.password_protected and request.path != "/password":
            return redirect("/password", code=302)
        return None

    @app.get("/password")
    def password_page():
        shop = current_shop()
        body = f"<!doctype html><html lang='en'><head><title>{html.escape(shop.name)}</title></head><body><main><h1>Opening soon</h1></main></body></html>"
        return Response(body, mimetype="text/html")

    # --- theme pages ---------------------------------------------------------------------

    @app.get("/")
    @app.get("/<lang>/")
    @app.get("/pages/<handle>")
    @app.get("/<lang>/pages/<handle>")
    def page(handle: str = "", lang: str = ""):
        shop = current_shop()
        locale = lang or shop.locales[0]
        if locale not in shop.locales:
            abort(404)
        content = shop.pages.get(handle) if handle else None
        if handle and content is None:
            abort(404)
        return Response(
            _layout(fake, theme, shop, locale, content),
            mimetype="text/html",
            headers={"Cache-Control": "no-store"},
        )

    # --- the app proxy -----------------------------------------------------------------

    def proxy(rest: str = ""):
        shop = current_shop()
        if not shop.installed:
            abort(404)
        sw, app_cfg = fake.proxy, fake.app
        if sw.delay:
            time.sleep(sw.delay)
        query = [
            (k, v)
            for k, v in parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
            if k not in ADDED
        ]
        query += [
            ("shop", shop.domain),
            ("logged_in_customer_id", sw.customer_id),
            ("path_prefix", f"/{app_cfg.proxy_prefix}/{app_cfg.proxy_subpath}"),
            ("timestamp", str(int(time.time()) + sw.timestamp_offset)),
        ]
        if sw.duplicate_shop:
            query.append(("shop", sw.duplicate_shop))
        query.append(
            ("signature", proxy_signature(query, sw.wrong_secret or app_cfg.client_secret))
        )
        base = (app_cfg.upstream or app_cfg.app_url).rstrip("/")
        target = f"{base}{app_cfg.proxy_url}/{rest}?{urlencode(query)}"
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROP_REQUEST}
        headers["Host"] = urlsplit(app_cfg.app_url).netloc
        headers["X-Forwarded-For"] = sw.forwarded_for or request.remote_addr or ""
        headers["X-Forwarded-Host"] = shop.domain
        body = request.get_data()
        try:
            answer = upstream.request(
                request.method,
                target,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=30,
                verify=str(fake.ca_file) if fake.ca_file else True,
            )
        except requests.RequestException:
            return Response("<h1>Bad gateway</h1>", status=502, mimetype="text/html")
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in DROP_RESPONSE}
        with fake.lock:
            fake.exchanges.append(
                Exchange(
                    request.method,
                    request.full_path,
                    target,
                    headers,
                    body,
                    answer.status_code,
                    kept,
                    answer.content,
                )
            )
        return Response(answer.content, status=answer.status_code, headers=kept)

    prefix = f"/{fake.app.proxy_prefix}/{fake.app.proxy_subpath}"
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app.add_url_rule(prefix, "proxy_root", proxy, methods=methods)
    app.add_url_rule(prefix + "/<path:rest>", "proxy", proxy, methods=methods)
    return app


def _layout(fake, theme: Theme, shop, locale: str, content) -> str:
    esc = html.escape
    words = TEXTS.get(locale, TEXTS["en"])
    prefix = "" if locale == shop.locales[0] else f"/{locale}"
    heads: list[str] = []
    blocks_html = []
    # app-data metafields: what the app wrote through the Admin API (oauth.py), and
    # what a test set on the shop directly
    metafields = {**fake.oauth.metafields.get(shop.domain, {}), **shop.metafields}
    for i, (block, settings) in enumerate(content.blocks if content else []):
        block_id = f"AbCdEf{i:03d}"
        rendered = theme.render(
            block, settings, locale=locale, block_id=block_id, metafields=metafields
        )
        _inject(theme, rendered.schema, heads)
        blocks_html.append(
            f'<div id="shopify-block-{block_id}" class="shopify-block shopify-app-block">'
            f"{rendered.html}</div>"
        )
    embed_html = ""
    if shop.embed is not None and shop.installed:
        rendered = theme.render(
            "embed", shop.embed, locale=locale, block_id="EmBeD001", metafields=metafields
        )
        _inject(theme, rendered.schema, heads)
        embed_html = (
            f'<div id="shopify-block-EmBeD001" class="shopify-app-embed">{rendered.html}</div>'
        )
    title = content.title if content else shop.name
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in (content.paragraphs if content else []))
    intro_style = ' style="min-height:110vh"' if content and content.tall_intro else ""
    return f"""<!doctype html>
<html lang="{esc(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{esc(title)} – {esc(shop.name)}</title>
<style>body{{margin:0;font-family:Georgia,serif;color:#222;background:#fff}}header,footer{{padding:1rem;background:#f3efe9}}main{{padding:1rem;max-width:60rem;margin:0 auto}}a{{color:#5a2d0c}}</style>
{"".join(heads)}
</head>
<body>
<header><nav aria-label="{esc(words["menu"])}"><a href="{prefix or "/"}">{esc(words["home"])}</a> ·
<a href="{prefix}/pages/book">{esc(words["book"])}</a></nav></header>
<main id="MainContent">
<h1>{esc(title)}</h1>
<div class="intro"{intro_style}>{paragraphs}</div>
<section id="shopify-section-apps" class="shopify-section">{"".join(blocks_html)}</section>
</main>
<footer><p>{esc(words["footer"])} · {esc(shop.domain)}</p></footer>
{embed_html}
</body>
</html>"""


def _inject(theme: Theme, schema: dict, heads: list[str]) -> None:
    """What Shopify adds to <head> for a block's schema: its stylesheet and script."""
    for key, tag in (
        ("stylesheet", '<link rel="stylesheet" href="https:{url}">'),
        ("javascript", '<script src="https:{url}" defer></script>'),
    ):
        if schema.get(key):
            line = tag.format(url=html.escape(theme.asset_base + schema[key]))
            if line not in heads:
                heads.append(line)
