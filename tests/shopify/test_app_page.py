"""The embedded admin page in Chromium (system): its script against the real
app, with App Bridge stood in by a one-line ``shopify.idToken()`` that mints a
fresh session token. A merchant connects the salon with the keyboard only; the
page says "Connected", the key is gone from the field and from the page; axe-core
finds no serious or critical violation. The full Shopify admin (iframe, App
Bridge's postMessage protocol) is tests/e2e's.

Run time: about 10 s (one Chromium, two shops).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from support.components import CHROMIUM, CHROMIUM_ARGS, have_browser, require
from support.shopify_app import OTHER_SHOP, SHOP, StubService, app_home_query, session_token

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "build" / "e2e-screenshots" / "shopify-admin"
KEY = "hbk_live_" + "z" * 40
CATALOG = {
    "name": "Salon Rosa",
    "tenant_id": 3,
    "stealth_mode": True,
    "public_key": "pk",
    "services": [{"id": 1}],
    "privacy_notices": [{"locale": "de", "version": 1}],
}
STAND_IN = "window.shopify = { idToken: function () { return window.hushbookTestToken(); } };"


@pytest.fixture
def app_url(shop_app):
    server = make_server("127.0.0.1", 0, shop_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def service():
    stub = StubService()
    stub.answers["catalog"] = (200, CATALOG, {})
    stub.answers["/v1/auth/me"] = (
        200,
        {"tenant_id": 3, "role": "integration", "permissions": ["public:forward"]},
        {},
    )
    yield stub
    stub.close()


def wait_for_title(page, text: str) -> None:
    page.wait_for_function(
        "(t) => document.getElementById('hb-status-title').textContent === t", arg=text
    )


def axe(page) -> list[str]:
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .map((v) => v.impact + ": " + v.id + " " + v.nodes.map((n) => n.target).join(","))"""
    )
    return [v for v in found if v.startswith(("serious", "critical"))]


def test_connect_with_the_keyboard(app_url, service):
    require("Playwright and Chromium (" + CHROMIUM + ")", have_browser())
    require("axe-core (npm ci in tests/e2e)", AXE_JS.is_file())
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for locale, shop in (("en", SHOP), ("de", OTHER_SHOP)):
                connect(browser, app_url, service, locale, shop)
        finally:
            browser.close()


def connect(browser, app_url: str, service, locale: str, shop: str) -> None:
    page = browser.new_page()
    page.expose_function("hushbookTestToken", lambda: session_token(shop))
    page.route(
        "https://cdn.shopify.com/shopifycloud/app-bridge.js",
        lambda route: route.fulfill(body=STAND_IN, content_type="text/javascript"),
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/?{app_home_query(shop, locale=locale)}")
    not_connected = {"en": "Not connected", "de": "Nicht verbunden"}[locale]
    wait_for_title(page, not_connected)
    page.screenshot(path=str(SHOTS / f"{locale}-1-not-connected.png"), full_page=True)
    assert axe(page) == []

    page.locator("#hb-service-url").focus()
    page.keyboard.type(service.url)
    page.keyboard.press("Tab")
    page.keyboard.type("salon-rosa")
    page.keyboard.press("Tab")
    page.keyboard.type(KEY)
    page.keyboard.press("Enter")
    connected = {"en": "Connected", "de": "Verbunden"}[locale]
    wait_for_title(page, connected)
    assert page.locator("#hb-integration-key").input_value() == ""
    assert KEY not in page.content()
    stored = {"en": "A key is stored", "de": "Ein Schlüssel ist gespeichert"}[locale]
    assert stored in page.locator("#hb-key-state").inner_text()
    console = page.locator("#hb-console")
    assert console.get_attribute("href") == (
        f"{service.url}/console/?salon=salon-rosa&lang={locale}"
    )
    assert "addAppBlockId=" in page.locator("#hb-add-page").get_attribute("href")

    page.locator("#hb-test").focus()
    page.keyboard.press("Enter")
    page.locator("#hb-test-lines li").first.wait_for(timeout=10_000)
    page.screenshot(path=str(SHOTS / f"{locale}-2-connected.png"), full_page=True)
    assert axe(page) == []
    assert errors == []
    page.close()
