"""The app proxy: Shopify's signature, the shop's state, the WordPress proxy's
routes, limits and key allow-list, what reaches the service and what comes
back. Hostile requests get a clear 4xx and nothing reaches the service."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from hushbook_shopify.proxy import MAX_BODY, ROUTES, visitor_ip
from shopify_fake import signing
from support.shopify_app import OTHER_SHOP, SECRET, SHOP, StubService, bearer, proxy_query

KEY = "hbk_live_" + "p" * 40
VISITOR = "203.0.113.7"
ROOT = Path(__file__).resolve().parents[2]
WP_PROXY = ROOT / "plugins/wordpress/hushbook/includes/class-hushbook-proxy.php"


@pytest.fixture
def stub():
    service = StubService()
    yield service
    service.close()


@pytest.fixture
def connected(client, stub):
    response = client.post(
        "/api/settings",
        json={"service_url": stub.url, "tenant_slug": "salon-rosa", "integration_key": KEY},
        headers=bearer(),
    )
    assert response.status_code == 200
    stub.seen.clear()  # the connection check of the save
    return stub


def proxied(client, route: str, body=None, *, method=None, query=None, headers=None, **kw):
    """A request as Shopify's app proxy forwards it."""
    send = {"X-Forwarded-For": VISITOR, "X-Forwarded-Host": SHOP, **(headers or {})}
    url = f"/proxy/{route}?{query if query is not None else proxy_query(**kw)}"
    if body is None:
        return client.open(url, method=method or "GET", headers=send)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    send.setdefault("Content-Type", "application/json")
    return client.open(url, method=method or "POST", data=data, headers=send)


def test_routes_and_allow_lists_are_the_wordpress_plugins():
    php = WP_PROXY.read_text()
    table = re.search(r"const ROUTES = array\((.*?)\n\t\);", php, re.S).group(1)
    wp = {}
    for route, keys in re.findall(r"'(\w+)'\s*=>\s*(null|array\([^)]*\))", table):
        wp[route] = None if keys == "null" else tuple(re.findall(r"'(\w+)'", keys))
    assert wp == ROUTES
    assert f"const MAX_BODY     = {MAX_BODY};" in php


def test_catalog_is_forwarded_with_key_and_visitor(client, connected):
    connected.answers["catalog"] = (200, {"name": "Salon Rosa"}, {})
    response = proxied(client, "catalog", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert response.status_code == 200 and response.get_json() == {"name": "Salon Rosa"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.mimetype == "application/json"
    (seen,) = connected.seen
    assert seen["method"] == "GET" and seen["path"] == "/v1/public/salon-rosa/catalog"
    assert seen["query"] == ""  # Shopify's parameters are dropped
    assert seen["headers"]["Authorization"] == f"Bearer {KEY}"
    assert seen["headers"]["Hushbook-Visitor-Ip"] == VISITOR
    assert seen["headers"]["Accept-Language"] == "de-DE,de;q=0.9"
    assert seen["headers"]["User-Agent"].startswith("Hushbook-Shopify/")
    assert "Cookie" not in seen["headers"] and "X-Forwarded-For" not in seen["headers"]


@pytest.mark.parametrize("route", ["challenge", "offers", "bookings", "confirm"])
def test_only_allow_listed_keys_are_forwarded(client, connected, route):
    allowed = ROUTES[route]
    body = {key: f"v-{key}" for key in allowed}
    body.update({"evil": "x", "__proto__": {"a": 1}, "logged_in_customer_id": "5"})
    response = proxied(client, route, body, customer="5")
    assert response.status_code == 200
    (seen,) = connected.seen
    expected = (
        "/v1/public/bookings/confirm" if route == "confirm" else f"/v1/public/salon-rosa/{route}"
    )
    assert seen["method"] == "POST" and seen["path"] == expected
    assert json.loads(seen["body"]) == {key: f"v-{key}" for key in allowed}
    assert seen["headers"]["Content-Type"] == "application/json"


def test_logged_in_customer_never_reaches_the_service(client, connected):
    proxied(client, "catalog", customer="7263548123")
    proxied(client, "offers", {"session": "s"}, customer="7263548123")
    for seen in connected.seen:
        assert "7263548123" not in json.dumps({**seen, "body": seen["body"].decode()})


def test_status_body_and_retry_after_pass_through(client, connected):
    connected.answers["offers"] = (
        429,
        {"code": 429, "reason": "slow_down", "message": "Wait"},
        {"Retry-After": "17", "Set-Cookie": "x=1"},
    )
    response = proxied(client, "offers", {"session": "s"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "17"
    assert response.get_json()["reason"] == "slow_down"
    assert "Set-Cookie" not in response.headers
    connected.answers["bookings"] = (409, {"code": 409, "reason": "offer_spent"}, {})
    assert proxied(client, "bookings", {"offer": "t"}).status_code == 409
    connected.answers["challenge"] = (403, {"code": 403, "reason": "blocked"}, {})
    assert proxied(client, "challenge", {}).status_code == 403  # a visitor's refusal passes


@pytest.mark.parametrize("status, body", [(401, {"code": 401}), (403, {"code": 403})])
def test_a_refused_key_reads_as_not_configured(client, connected, status, body):
    connected.answers["challenge"] = (status, body, {})
    response = proxied(client, "challenge", {})
    assert response.status_code == 503 and response.get_json()["reason"] == "not_configured"


def test_service_down_or_not_json(client, connected):
    connected.answers["catalog"] = (200, b"<html>oops</html>", {})
    response = proxied(client, "catalog")
    assert response.status_code == 502 and response.get_json()["reason"] == "bad_gateway"
    connected.answers["catalog"] = (200, b"[" + b"1," * 600_000 + b"1]", {})
    assert proxied(client, "catalog").status_code == 502  # over 1 MiB
    connected.close()
    response = proxied(client, "catalog", headers={"Accept-Language": "de"})
    assert response.status_code == 503
    body = response.get_json()
    assert body["reason"] == "service_unavailable" and "nicht erreichbar" in body["message"]
    assert response.headers["Cache-Control"] == "no-store"


# --- hostile and broken requests: a clear 4xx, nothing forwarded -------------------------


def stale() -> str:
    return proxy_query(timestamp=int(time.time()) - 91)


def tampered() -> str:
    return proxy_query(extra=[("x", "1")]).replace("x=1", "x=2")


def duplicated_shop() -> str:
    pairs = [
        ("shop", SHOP),
        ("shop", OTHER_SHOP),
        ("logged_in_customer_id", ""),
        ("path_prefix", "/apps/hushbook"),
        ("timestamp", str(int(time.time()))),
    ]
    pairs.append(("signature", signing.proxy_signature(pairs, SECRET)))
    from urllib.parse import urlencode

    return urlencode(pairs)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(lambda: proxy_query(secret="x" * 38), id="wrong secret"),
        pytest.param(stale, id="stale timestamp"),
        pytest.param(duplicated_shop, id="duplicated shop"),
        pytest.param(tampered, id="tampered query"),
        pytest.param(lambda: proxy_query().replace(SHOP, OTHER_SHOP), id="other shop"),
        pytest.param(lambda: "", id="unsigned"),
    ],
)
def test_bad_signatures(client, connected, query):
    response = proxied(client, "offers", {"session": "s"}, query=query())
    assert response.status_code == 401 and response.get_json()["reason"] == "unauthorized"
    assert connected.seen == []


def test_unknown_uninstalled_and_unconfigured_shops(client, connected, webhooks):
    unknown = proxied(client, "catalog", query=proxy_query("never-installed.myshopify.com"))
    assert unknown.status_code == 403 and unknown.get_json()["reason"] == "not_installed"
    client.get("/api/state", headers=bearer(OTHER_SHOP))  # installed, not connected
    other = proxied(client, "catalog", query=proxy_query(OTHER_SHOP))
    assert other.status_code == 503 and other.get_json()["reason"] == "not_configured"
    webhooks.send("app/uninstalled", webhooks.payload("app/uninstalled", SHOP), SHOP)
    gone = proxied(client, "catalog")
    assert gone.status_code == 403
    assert connected.seen == []


@pytest.mark.parametrize(
    "route, kwargs, status, reason",
    [
        ("offers", {"body": b"x" * (MAX_BODY + 1)}, 413, "too_large"),
        ("offers", {"body": b"[1, 2]"}, 400, "bad_request"),
        ("offers", {"body": b"{not json"}, 400, "bad_request"),
        ("offers", {"body": b"\xff\xfe{}"}, 400, "bad_request"),
        ("offers", {"body": b"session=s", "headers": {"Content-Type": "text/plain"}}, 415, None),
        (
            "offers",
            {
                "body": b"session=s",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            415,
            None,
        ),
        ("offers", {"method": "GET"}, 405, "method_not_allowed"),
        ("catalog", {"body": {}, "method": "POST"}, 405, "method_not_allowed"),
        ("admin", {}, 404, "not_found"),
        ("../v1/auth/me", {}, 404, "not_found"),
        ("catalog", {"headers": {"X-Forwarded-For": "not-an-ip"}}, 400, "no_visitor_address"),
        ("catalog", {"headers": {"X-Forwarded-For": ""}}, 400, "no_visitor_address"),
    ],
)
def test_refused_requests(client, connected, route, kwargs, status, reason):
    kwargs = dict(kwargs)
    response = proxied(client, route, kwargs.pop("body", None), **kwargs)
    assert response.status_code == status
    if reason:
        assert response.get_json()["reason"] == reason
    assert response.headers["Cache-Control"] == "no-store"
    assert connected.seen == []


def test_visitor_address_rule():
    assert visitor_ip("198.51.100.1", 0) == "198.51.100.1"
    # a client-sent entry on the left is ignored: Shopify's own is the rightmost
    assert visitor_ip("10.0.0.1, 198.51.100.1", 0) == "198.51.100.1"
    # behind the operator's own load balancer, its hop is taken off first
    assert visitor_ip("198.51.100.1, 10.0.0.2", 1) == "198.51.100.1"
    assert visitor_ip("2001:db8::1", 0) == "2001:db8::1"
    assert visitor_ip("10.0.0.2", 1) == "" and visitor_ip("", 0) == ""
    assert visitor_ip("198.51.100.1, evil", 0) == ""


def test_worker_and_texts_are_served_through_the_proxy(client, connected):
    worker = proxied(client, "assets/hushbook-pow-worker.js")
    assert worker.status_code == 200 and b"postMessage" in worker.data
    texts = proxied(client, "assets/i18n/de.json")
    assert texts.status_code == 200 and isinstance(texts.get_json(), dict)
    assert proxied(client, "assets/hushbook-widget.js").status_code == 404  # only these
    assert proxied(client, "assets/../../app.py").status_code == 404
    assert (
        proxied(client, "assets/i18n/de.json", query=proxy_query(secret="y" * 38)).status_code
        == 401
    )
    assert connected.seen == []
