"""The local Shopify itself (tests/shopify_fake), over TLS with a stub app behind
its proxy: what it signs is what Shopify's own ``shopifyapp`` accepts, and it
strips and adds what Shopify's proxy strips and adds. Its switches break exactly
what they say (the app's hostile tests rely on them)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import shopify_app  # a dev dependency: never skipped
from flask import Flask, Response, request

from shopify_fake import signing
from shopify_fake.fake import App, FakeShopify, Page, Server, make_certificates

pytestmark = pytest.mark.system  # TLS servers (in-process threads)

CLIENT_ID = "fake-shopify-test-client-id"
SECRET = "fake-shopify-test-secret-" + "z" * 24
APP_HOST = "app.hushbook.test"
CONFIG = {"client_id": CLIENT_ID, "client_secret": SECRET, "old_client_secret": None}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    certs = make_certificates(tmp_path_factory.mktemp("tls"), APP_HOST)
    seen: list[dict] = []
    stub = Flask("stub_app")

    @stub.route("/proxy/<path:rest>", methods=["GET", "POST"])
    def proxied(rest):
        seen.append(
            {
                "rest": rest,
                "method": request.method,
                "url": request.url,
                "query": list(request.args.items(multi=True)),
                "headers": dict(request.headers),
                "body": request.get_data(),
            }
        )
        return Response(
            json.dumps({"ok": True}),
            mimetype="application/json",
            headers={
                "Set-Cookie": "app=1; Path=/",
                "Retry-After": "7",
                "Cache-Control": "no-store",
            },
        )

    with Server(stub, certs.cert_file, certs.key_file) as app_server:
        fake = FakeShopify(
            App(
                CLIENT_ID,
                SECRET,
                f"https://{APP_HOST}",
                upstream=f"https://127.0.0.1:{app_server.port}",
            ),
            ca_file=certs.ca_file,
        )
        shop = fake.install("salon-rosa")
        shop.pages["book"] = Page("Book", ["Hello"], [("booking", {"heading": "Book online"})])
        with Server(fake.wsgi(), certs.cert_file, certs.key_file) as server:
            session = requests.Session()
            session.verify = str(certs.ca_file)
            session.trust_env = False

            def get(host: str, path: str, method: str = "GET", **kw):
                headers = {"Host": host, **kw.pop("headers", {})}
                return session.request(
                    method, f"https://127.0.0.1:{server.port}{path}", headers=headers, **kw
                )

            yield fake, get, seen


SHOP_HOST = "salon-rosa.myshopify.com"


def test_storefront_renders_the_block_with_assets_from_another_origin(stack):
    fake, get, _ = stack
    page = get(SHOP_HOST, "/pages/book")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    base = f"https://cdn.shopify.com/extensions/{fake.extension_uid}/assets/"
    assert f'<link rel="stylesheet" href="{base}hushbook-booking.css">' in page.text
    assert f'<script src="{base}hushbook-loader.js" defer></script>' in page.text
    assert 'class="shopify-block shopify-app-block"' in page.text
    assert "Book online" in page.text and "data-hushbook-deferred=" in page.text
    german = get(SHOP_HOST, "/de/pages/book")
    assert '<html lang="de">' in german.text and "Das Buchungsformular wird geladen" in german.text
    assert get(SHOP_HOST, "/fr/pages/book").status_code == 404
    assert get(SHOP_HOST, "/pages/nope").status_code == 404
    assert get("unknown-shop.myshopify.com", "/").status_code == 404
    assert get("example.org", "/").status_code == 421

    asset = get("cdn.shopify.com", f"/extensions/{fake.extension_uid}/assets/hushbook-loader.js")
    assert asset.status_code == 200 and asset.headers["Content-Type"].startswith("text/javascript")
    assert "Access-Control-Allow-Origin" not in asset.headers  # deliberately no CORS
    for bad in (
        "/extensions/other-uid/assets/hushbook-loader.js",
        f"/extensions/{fake.extension_uid}/assets/..%2f..%2fshopify.extension.toml",
        f"/extensions/{fake.extension_uid}/assets/missing.js",
        f"/extensions/{fake.extension_uid}/assets/booking.liquid",
    ):
        assert get("cdn.shopify.com", bad).status_code == 404, bad


def test_admin_embeds_the_app_with_signed_parameters_and_fresh_tokens(stack):
    fake, get, _ = stack
    page = get("admin.shopify.com", "/store/salon-rosa/apps/hushbook-booking/settings?locale=de")
    assert page.status_code == 200
    src = re.search(r'<iframe id="app-frame"[^>]* src="([^"]+)"', page.text).group(1)
    url = src.replace("&amp;", "&")
    assert url.startswith(f"https://{APP_HOST}/settings?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert set(params) == {
        "embedded",
        "hmac",
        "host",
        "id_token",
        "locale",
        "session",
        "shop",
        "timestamp",
    }
    assert params["shop"] == SHOP_HOST and params["locale"] == "de" and params["embedded"] == "1"
    assert params["hmac"] == signing.admin_hmac(params, SECRET)
    verdict = shopify_app.verify_app_home_req(
        {"method": "GET", "headers": {}, "url": url, "body": ""}, CONFIG, "/auth/patch-id-token"
    )
    assert verdict.ok and verdict.shop == "salon-rosa", verdict

    before = fake.tokens_issued
    fresh = [
        get(
            "admin.shopify.com",
            "/store/salon-rosa/apps/hushbook-booking/session-token",
            method="POST",
        ).json()["id_token"]
        for _ in range(2)
    ]
    assert fake.tokens_issued == before + 2 and fresh[0] != fresh[1]  # a new jti each time
    for token in fresh:
        request_ = {
            "method": "GET",
            "headers": {"Authorization": f"Bearer {token}"},
            "url": f"https://{APP_HOST}/api/state",
            "body": "",
        }
        assert shopify_app.verify_app_home_req(request_, CONFIG, "/auth/patch-id-token").ok

    assert get("admin.shopify.com", "/store/other/apps/hushbook-booking").status_code == 404
    assert get("admin.shopify.com", "/store/salon-rosa/apps/another-app").status_code == 404


def test_app_proxy_signs_forwards_and_strips_like_shopify(stack):
    fake, get, seen = stack
    seen.clear()
    answer = get(
        SHOP_HOST,
        "/apps/hushbook/offers?x=1&x=2&shop=evil.myshopify.com&signature=forged",
        method="POST",
        data=b'{"session": "s"}',
        headers={
            "Content-Type": "application/json",
            "Cookie": "_shopify_y=visitor; cart=abc",
            "X-Forwarded-For": "198.51.100.7",
        },
    )
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    assert "Set-Cookie" not in answer.headers  # stripped on the way back
    assert answer.headers["Retry-After"] == "7" and answer.headers["Cache-Control"] == "no-store"
    [got] = seen
    assert (
        got["rest"] == "offers" and got["method"] == "POST" and got["body"] == b'{"session": "s"}'
    )
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert "cookie" not in headers
    assert headers["x-forwarded-for"] == "127.0.0.1"  # the client as Shopify saw it
    assert headers["x-forwarded-host"] == SHOP_HOST and headers["host"] == APP_HOST
    query = got["query"]
    assert [v for k, v in query if k == "x"] == ["1", "2"]
    assert [v for k, v in query if k == "shop"] == [SHOP_HOST]  # the visitor's copy dropped
    assert dict(query)["path_prefix"] == "/apps/hushbook"
    assert dict(query)["logged_in_customer_id"] == ""
    url = got["url"].replace(f"127.0.0.1:{urlsplit(got['url']).port}", APP_HOST)
    verdict = shopify_app.verify_app_proxy_req(
        {"method": "POST", "headers": {}, "url": url, "body": ""}, CONFIG
    )
    assert verdict.ok, verdict
    assert (
        fake.exchanges[-1].status == 200 and "Set-Cookie" not in fake.exchanges[-1].response_headers
    )


@pytest.mark.parametrize(
    ("switch", "value", "refused"),
    [
        ("wrong_secret", "not-the-secret-" + "q" * 24, True),
        ("timestamp_offset", -600, True),
        ("duplicate_shop", "other-shop.myshopify.com", True),
        ("customer_id", "7075", False),
        ("forwarded_for", "203.0.113.5", False),
    ],
)
def test_proxy_switches_break_what_they_name(stack, switch, value, refused):
    fake, get, seen = stack
    seen.clear()
    setattr(fake.proxy, switch, value)
    try:
        assert get(SHOP_HOST, "/apps/hushbook/catalog").status_code == 200
    finally:
        setattr(fake.proxy, switch, type(fake.proxy)().__getattribute__(switch))
    [got] = seen
    url = got["url"].replace(f"127.0.0.1:{urlsplit(got['url']).port}", APP_HOST)
    verdict = shopify_app.verify_app_proxy_req(
        {"method": "GET", "headers": {}, "url": url, "body": ""}, CONFIG
    )
    assert verdict.ok is not refused, (switch, verdict)
    if switch == "customer_id":
        assert dict(got["query"])["logged_in_customer_id"] == "7075"
    if switch == "forwarded_for":
        assert got["headers"]["X-Forwarded-For"] == "203.0.113.5"
    if switch == "duplicate_shop":
        assert [v for k, v in got["query"] if k == "shop"] == [SHOP_HOST, value]


def test_proxy_refuses_uninstalled_shops_and_redirects_a_locked_storefront(stack):
    fake, get, seen = stack
    seen.clear()
    shop = fake.shop("salon-rosa")
    shop.password_protected = True
    try:
        locked = get(SHOP_HOST, "/apps/hushbook/catalog", allow_redirects=False)
        assert locked.status_code == 302 and locked.headers["Location"].endswith("/password")
    finally:
        shop.password_protected = False
    other = fake.shop("closed-salon")  # known to Shopify, app not installed
    assert not other.installed
    assert get("closed-salon.myshopify.com", "/apps/hushbook/catalog").status_code == 404
    assert seen == []  # nothing reached the app
