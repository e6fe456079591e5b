"""The Shopify app end to end, in headless Chromium against the local Shopify
(tests/shopify_fake) under Shopify's real host names over TLS, the app server
(plugins/shopify: its WSGI entry under gunicorn, over TLS) and the real
``hushbook serve`` + worker + SMTP of this package's fixtures:

1. a merchant installs the app, opens it in the admin (signed parameters, fresh
   session tokens through the App Bridge stand-in), connects the salon with the
   keyboard and tests the connection;
2. customers book from the storefront's app block in German (the block below
   the fold: the widget loads only when it comes into view) and in English, and
   confirm with the code from the mail; the salon's staff API shows the offer
   they clicked, and the profile opens to what they typed;
3. the app embed's "Book" button opens the form in a dialog;
4. uninstalling and ``shop/redact`` leave no Shopify token and no integration
   key behind; the app's database, its log and every answer captured on the
   way hold no customer's name, e-mail or phone.

axe-core runs on the admin page (in its frame) and on every step of the block;
screenshots go to build/e2e-screenshots/test_shopify_*/.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from support.components import CHROMIUM, CHROMIUM_ARGS, require
from support.processes import free_port, service_env

from .conftest import stop_group
from .flows import CHECK_EMAIL, assert_confirmed_for_the_salon, book_with_mouse
from .support import (
    RECORDER_JS,
    SUMMARY,
    Visit,
    appointments_of,
    config_of,
    new_customer,
    personal_values,
    text_of,
)

pytestmark = pytest.mark.system

APP_HOST = "shopify-app.hushbook.test"
SHOP = "salon-rosa"
DOMAIN = f"{SHOP}.myshopify.com"
FOCUS_ID = "() => document.activeElement ? document.activeElement.id : null"


def _components_ok() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("shopify_app", "liquid", "trustme", "hushbook_shopify", "gunicorn")
    )


@dataclass
class Stack:
    fake: object
    port: int  # the fake Shopify's
    app_port: int
    app_log: Path
    app_db: Path
    ca_file: Path
    chromium: object
    key: str  # the salon's integration key for this shop (a real one, public:forward)
    connected: bool = False
    customers: list = field(default_factory=list)
    answers: dict[str, bytes] = field(default_factory=dict)  # the app's answers the browser got

    def context(self, locale: str, height: int = 900):
        from playwright.sync_api import expect

        expect.set_options(timeout=30_000)
        context = self.chromium.new_context(
            locale=locale,
            timezone_id="Europe/Berlin",
            viewport={"width": 1280, "height": height},
            ignore_https_errors=True,  # the tests' own CA
        )
        context.set_default_timeout(30_000)
        context.add_init_script(RECORDER_JS)
        return context

    def keep_answers(self, page) -> None:
        """Every answer from the app's origin (the admin page and its API)."""

        def seen(response) -> None:
            if response.url.startswith(f"https://{APP_HOST}/"):
                try:
                    self.answers[f"{response.request.method} {response.url}"] = response.body()
                except Exception:  # noqa: BLE001 - a redirect or a closed page has no body
                    pass

        page.on("response", seen)


@pytest.fixture(scope="module")
def shopify(service, salon, browser, tmp_path_factory):
    require(
        "the Shopify app and its test components (shopifyapp, python-liquid, trustme)",
        _components_ok(),
        "pip install -e '.[dev]'",
    )
    from shopify_fake.fake import App, FakeShopify, Server, chromium_args, make_certificates
    from support.shopify_app import CLIENT_ID, DATA_KEY, SECRET

    root = tmp_path_factory.mktemp("e2e-shopify")
    certs = make_certificates(root / "tls", APP_HOST)
    app_port = free_port()
    fake = FakeShopify(
        App(CLIENT_ID, SECRET, f"https://{APP_HOST}", upstream=f"https://127.0.0.1:{app_port}"),
        ca_file=certs.ca_file,
    )
    key = salon.login(service.url).integration_keys.create(
        f"Shopify {DOMAIN} (e2e)", ["public:forward"]
    )
    app_db = root / "shopify-app.db"
    app_log = root / "shopify-app.log"
    proc = chromium = None
    with Server(fake.wsgi(), certs.cert_file, certs.key_file) as server:
        env = service_env(
            SHOPIFY_API_KEY=CLIENT_ID,
            SHOPIFY_API_SECRET=SECRET,
            HUSHBOOK_SHOPIFY_DATA_KEY=DATA_KEY,
            HUSHBOOK_SHOPIFY_DATABASE_URL=f"sqlite:///{app_db}",
            HUSHBOOK_SHOPIFY_APP_URL=f"https://{APP_HOST}",
            HUSHBOOK_SHOPIFY_API_BASE=f"https://127.0.0.1:{server.port}",
            HUSHBOOK_SHOPIFY_API_CA_BUNDLE=str(certs.ca_file),
            HUSHBOOK_SHOPIFY_ALLOW_PRIVATE_SERVICES="1",  # the service runs on 127.0.0.1
            HUSHBOOK_SHOPIFY_EXTENSION_UID=fake.extension_uid,
        )
        try:
            done = subprocess.run(
                [sys.executable, "-m", "hushbook_shopify.cli", "migrate"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            with open(app_log, "wb") as log:
                proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "hushbook_shopify.wsgi:app",
                        "--bind",
                        f"127.0.0.1:{app_port}",
                        "--certfile",
                        str(certs.cert_file),
                        "--keyfile",
                        str(certs.key_file),
                        "--workers",
                        "1",
                        "--worker-class",
                        "gthread",
                        "--threads",
                        "8",
                        "--access-logfile",
                        "-",
                        "--access-logformat",
                        '%(h)s "%(m)s %(U)s" %(s)s %(B)s',
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            _wait_healthy(f"https://127.0.0.1:{app_port}/healthz", proc, app_log, certs.ca_file)
            chromium = browser.browser_type.launch(
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS + chromium_args(server.port, APP_HOST, app_port),
            )
            yield Stack(
                fake, server.port, app_port, app_log, app_db, certs.ca_file, chromium, key.key
            )
        finally:
            if chromium is not None:
                chromium.close()
            stop_group(proc)


def _wait_healthy(url: str, proc, log: Path, ca_file: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=5, verify=str(ca_file)).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the app did not start: {log.read_text(errors='replace')[-3000:]}")


def _app_frame(page):
    """The embedded app's frame (the admin page's iframe), once its page loaded."""
    page.locator("#app-frame").wait_for()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame.url.startswith(f"https://{APP_HOST}/") and frame.url.split("?")[0].endswith(
                "/"
            ):
                try:
                    if frame.evaluate("() => document.readyState") == "complete":
                        return frame
                except Exception:  # noqa: BLE001, S112 - navigating
                    continue
        page.wait_for_timeout(100)
    raise AssertionError(f"the app did not load in the admin: {[f.url for f in page.frames]}")


def _admin_shot(v: Visit, step: str, page) -> None:
    """The admin as the merchant sees it (the viewport: Chromium paints a
    cross-origin iframe only where it is on screen, so no full-page capture)."""
    v.step += 1
    page.screenshot(path=str(v.folder / f"{v.step:02d}-{step}.png"))


def _tab_to(page, frame, element_id: str, limit: int = 40) -> int:
    """Tab (keyboard only) until the app's element ``element_id`` has the focus."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if frame.evaluate(FOCUS_ID) == element_id:
            return presses
    raise AssertionError(f"Tab never reached #{element_id} (focus on {frame.evaluate(FOCUS_ID)})")


# --- 1. the merchant ---------------------------------------------------------------------------


def _connect(stack: Stack, service, salon, test_name: str) -> None:
    from playwright.sync_api import expect

    fake = stack.fake
    fake.install(SHOP)
    context = stack.context("en-GB", height=1300)
    v = Visit(context, test_name)
    try:
        page = v.page
        stack.keep_answers(page)
        tokens_before = fake.tokens_issued
        page.goto(fake.admin_url(SHOP) + "?locale=en")
        frame = _app_frame(page)
        status = frame.locator("#hb-status")
        expect(status).to_have_attribute("data-state", "incomplete")
        expect(frame.locator("#hb-status-title")).to_have_text("Not connected")
        _admin_shot(v, "admin-first-open", page)
        v.axe("admin-first-open", page=frame, include=None)

        # The keyboard only, from the top of the admin into the app's form.
        _tab_to(page, frame, "hb-service-url")
        page.keyboard.type(service.url)
        _tab_to(page, frame, "hb-tenant-slug")
        page.keyboard.type(salon.slug)
        _tab_to(page, frame, "hb-integration-key")
        page.keyboard.type(stack.key)
        page.keyboard.press("Enter")  # submits the form
        expect(frame.locator("#hb-message")).to_have_text("Saved.")
        assert frame.locator("#hb-integration-key").input_value() == ""  # write-only
        expect(frame.locator("#hb-key-state")).not_to_have_text("")
        _admin_shot(v, "admin-saved", page)

        _tab_to(page, frame, "hb-test")
        page.keyboard.press("Enter")
        expect(status).to_have_attribute("data-state", "connected")
        lines = frame.locator("#hb-test-lines li")
        expect(lines.first).to_be_visible()
        texts = lines.all_inner_texts()
        assert texts and all(t.startswith("OK") for t in texts), texts
        assert salon.name in frame.locator("#hb-status").inner_text()
        _admin_shot(v, "admin-connected", page)
        v.axe("admin-connected", page=frame, include=None)

        # The deep link adds this extension's block in the theme editor.
        link = frame.locator("#hb-add-page").get_attribute("href")
        assert link == (
            f"https://{DOMAIN}/admin/themes/current/editor?template=page"
            f"&addAppBlockId={fake.extension_uid}/booking&target=newAppsSection"
        ), link
        assert stack.key not in frame.content()
        # The look and language defaults reach the theme as the app's own metafield.
        assert fake.oauth.metafields[DOMAIN]["defaults"] == {
            "language": "auto",
            "theme": "auto",
            "accent": "#1f5f8b",
        }, fake.oauth.metafields
        # App Bridge asked the admin for a fresh session token for each request.
        assert fake.tokens_issued - tokens_before >= 4, fake.tokens_issued - tokens_before
        print(
            f"admin: {fake.tokens_issued - tokens_before} fresh session tokens; "
            f"token endpoint calls {fake.oauth.calls}"
        )
        assert fake.oauth.calls.count("urn:ietf:params:oauth:grant-type:token-exchange") == 1, (
            fake.oauth.calls
        )
        v.assert_clean()
    finally:
        context.close()
    stack.connected = True


def _ensure_connected(stack: Stack, service, salon, test_name: str) -> None:
    if not stack.connected:  # a test run on its own
        _connect(stack, service, salon, test_name)


def test_merchant_installs_and_connects_the_salon_with_the_keyboard(shopify, service, salon):
    _connect(shopify, service, salon, "test_shopify_admin")


# --- 2. customers on the storefront ---------------------------------------------------------


def _code_from_mail(service, customer) -> str:
    """The six-digit code of the first message to the customer (the request to confirm)."""
    mail = text_of(service.mailbox.wait_for(customer.email, "", timeout=30))
    found = re.search(r"(?:code|Code)[^0-9]{0,40}?([0-9]{6})\b", mail)
    assert found, mail[:1500]
    return found.group(1)


def _book_in_german(v: Visit, url: str, customer, service) -> tuple[str, str]:
    """On a page whose block is below the fold: the widget loads on view."""
    page, w = v.page, v.widget
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(url)
    page.wait_for_load_state("load")
    expect_loader = [u for u in fetched if u.endswith("/assets/hushbook-loader.js")]
    assert expect_loader and expect_loader[0].startswith("https://cdn.shopify.com/extensions/")
    page.wait_for_timeout(500)
    assert not [u for u in fetched if "hushbook-widget.js" in u], "the widget loaded before view"
    assert not [u for u in fetched if "/apps/hushbook/" in u], "the widget called out before view"
    config = config_of(page.content().replace("data-hushbook-deferred=", "data-hushbook-config="))
    # the block's "default" settings: the shop's defaults (the app's metafield), the page's language
    assert (config["lang"], config["theme"], config["accent"]) == ("de", "auto", "#1f5f8b"), config
    assert config["endpoints"]["bookings"] == "/apps/hushbook/bookings"
    placeholder = w.locator(".hushbook-placeholder")
    assert placeholder.inner_text().strip() == "Das Buchungsformular wird geladen …"
    v.shot("de-page-before-scrolling")

    w.scroll_into_view_if_needed()
    v.wait_screen("Was und wann?")
    widget_js = [u for u in fetched if u.endswith("/assets/hushbook-widget.js")]
    assert widget_js and widget_js[0].startswith("https://cdn.shopify.com/extensions/"), fetched
    assert f"https://{DOMAIN}/apps/hushbook/catalog" in fetched
    assert not [u for u in fetched if "/i18n/" in u or "pow-worker" in u], "texts come inside"
    v.shot("de-wish")
    v.axe("de-wish")
    first = w.get_by_role("group", name="Leistung").get_by_role("radio").first
    first.check()
    service_label = first.evaluate("(r) => r.labels[0].textContent")
    w.get_by_role("group", name="Tageszeit (optional)").get_by_role(
        "checkbox", name="Vormittag"
    ).check()
    w.get_by_role("button", name="Termine anzeigen").click()
    v.wait_screen("Termin wählen")
    v.shot("de-offers")
    v.axe("de-offers")
    offer = w.locator(".hb-offer").first
    chosen = offer.inner_text().strip()
    offer.click()
    v.wait_screen("Ihre Angaben")
    w.get_by_label("Name", exact=True).fill(customer.name)
    w.get_by_role("textbox", name="E-Mail", exact=True).fill(customer.email)
    w.get_by_role("textbox", name="Telefon", exact=True).fill(customer.phone)
    w.get_by_role("checkbox", name=re.compile(r"^Ich bin einverstanden")).check()
    v.shot("de-details")
    v.axe("de-details")
    w.get_by_role("button", name="Jetzt buchen").click()
    v.wait_screen("Bitte prüfen Sie Ihre E-Mails")
    v.shot("de-check")
    v.axe("de-check")
    w.get_by_label("Bestätigungscode").fill(_code_from_mail(service, customer))
    w.get_by_role("button", name="Bestätigen").click()
    v.wait_screen("Ihr Termin ist bestätigt")
    v.shot("de-confirmed")
    v.axe("de-confirmed")
    return service_label, chosen


def _assert_german_booking(service, customer, service_label: str, chosen: str) -> None:
    owner = service.salon.login(service.url)
    today = date.today()
    found = appointments_of(owner, customer, today - timedelta(days=1), today + timedelta(days=21))
    assert [a.status for a in found] == ["confirmed"], found
    appt = found[0]
    start, end = (t.astimezone(ZoneInfo("Europe/Berlin")) for t in (appt.start, appt.end))
    assert f" {start.day}. " in chosen and f"{start:%H:%M}–{end:%H:%M}" in chosen, (chosen, start)
    assert start.hour < 12, start  # "Vormittag" was asked for
    staff = next(name for name, sid in service.salon.staff.items() if sid == appt.staff_id)
    assert chosen.endswith(f"bei {staff}"), (chosen, staff)
    name = next(n for n, sid in service.salon.services.items() if sid == appt.service_id)
    assert service_label.startswith(name), (service_label, name)
    profile = appt.client.profile
    assert (profile["name"], profile.get("email"), profile.get("phone")) == (
        customer.name,
        customer.email,
        customer.phone,
    ), profile
    print(f"staff API: {appt.start.isoformat()} confirmed for {profile['name']!r} ({chosen!r})")


def test_customers_book_from_the_block_in_german_and_english(shopify, service, salon):
    from shopify_fake.fake import Page

    _ensure_connected(shopify, service, salon, "test_shopify_admin")
    fake = shopify.fake
    shop = fake.shop(SHOP)
    shop.pages["book"] = Page(
        "Termin buchen",
        ["Willkommen im Salon Rosa. Wir freuen uns auf Sie."],
        [("booking", {"heading": "Online buchen", "language": "default"})],
        tall_intro=True,
    )
    shop.pages["appointments"] = Page(
        "Book an appointment", ["Welcome."], [("booking", {"theme": "light"})]
    )
    exchanges_before = len(fake.exchanges)

    # German, from the block below the fold, confirmed with the mailed code.
    german = new_customer("mouse", "shopify-de", first="Jürgen", phone=True)
    shopify.customers.append(german)
    context = shopify.context("de-DE")
    context.add_cookies(
        [{"name": "_shopify_y", "value": "visitor-cookie-abc", "domain": DOMAIN, "path": "/"}]
    )
    v = Visit(context, "test_shopify_storefront_de")
    try:
        label, chosen = _book_in_german(
            v, fake.storefront_url(SHOP, "/de/pages/book"), german, service
        )
        v.assert_clean()
        v.collect_pow()
    finally:
        context.close()
    _assert_german_booking(service, german, label, chosen)

    # English, the block at the top of its page; a logged-in Shopify customer.
    fake.proxy.customer_id = "7075"
    english = new_customer("mouse", "shopify-en", first="Paula", phone=False)
    shopify.customers.append(english)
    context = shopify.context("en-GB")
    v = Visit(context, "test_shopify_storefront_en")
    try:
        booked = book_with_mouse(
            v,
            fake.storefront_url(SHOP, "/pages/appointments"),
            english,
            service="Colour refresh",
            part="Evening",
        )
        assert v.widget.get_by_role("heading", name=CHECK_EMAIL).is_visible()
        v.widget.get_by_label("Confirmation code").fill(_code_from_mail(service, english))
        v.widget.get_by_role("button", name="Confirm", exact=True).click()
        v.wait_screen("Your appointment is confirmed")
        v.shot("en-confirmed")
        v.axe("en-confirmed")
        v.assert_clean()
        v.collect_pow()
    finally:
        fake.proxy.customer_id = ""
        context.close()
    assert_confirmed_for_the_salon(service, english, booked)

    # What crossed the (fake) Shopify proxy: no cookie either way, the visitor's address.
    crossed = fake.exchanges[exchanges_before:]
    routes = sorted({e.path.split("?")[0] for e in crossed})
    assert routes == [
        f"/apps/hushbook/{r}" for r in ("bookings", "catalog", "challenge", "confirm", "offers")
    ], routes
    for e in crossed:
        assert not any(k.lower() == "cookie" for k in e.request_headers), e.path
        assert e.request_headers["X-Forwarded-For"] == "127.0.0.1"
        assert not any(k.lower() == "set-cookie" for k in e.response_headers), e.path
        assert e.response_headers.get("Cache-Control") == "no-store", (e.path, e.response_headers)
        # a booking faster than a person types is answered "too_fast" and sent again
        assert e.status < 400 or b'"too_fast"' in e.response_body, (e.path, e.status)


# --- 3. the app embed ---------------------------------------------------------------------------


def test_the_embed_button_opens_the_form_in_a_dialog(shopify, service, salon):
    from playwright.sync_api import expect

    _ensure_connected(shopify, service, salon, "test_shopify_admin")
    fake = shopify.fake
    fake.shop(SHOP).embed = {"position": "right"}
    context = shopify.context("en-GB")
    v = Visit(context, "test_shopify_embed")
    try:
        page = v.page
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(fake.storefront_url(SHOP, "/"))
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert not [u for u in fetched if "hushbook-widget.js" in u or "/apps/hushbook/" in u]
        v.shot("embed-closed")
        button = page.get_by_role("button", name="Book an appointment")
        for _ in range(20):  # the keyboard reaches the floating button
            page.keyboard.press("Tab")
            if button.evaluate("(b) => b === document.activeElement"):
                break
        else:
            raise AssertionError("Tab never reached the Book button")
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Book an appointment")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("heading", name="What and when?")).to_be_visible()
        assert [u for u in fetched if u.endswith("/assets/hushbook-widget.js")]
        v.shot("embed-open")
        v.axe("embed-open", include=".hushbook-dialog")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert button.evaluate("(b) => b === document.activeElement"), "focus did not return"
        v.assert_clean()
    finally:
        fake.shop(SHOP).embed = None
        context.close()


# --- 4. uninstall, shop/redact, and what is left ------------------------------------------------


def _dump(db: Path) -> bytes:
    with sqlite3.connect(db) as conn:
        return "\n".join(conn.iterdump()).encode()


def _shop_row(db: Path) -> dict | None:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM shopify_shop WHERE shop_domain = ?", (DOMAIN,)).fetchone()
        return dict(row) if row else None


def test_uninstall_and_redact_leave_no_token_or_key(shopify, service, salon, tmp_path):
    from support.leak import needles, scan
    from support.shopify_app import proxy_query

    _ensure_connected(shopify, service, salon, "test_shopify_admin")
    fake = shopify.fake
    secrets_ = {"integration key": shopify.key}
    secrets_.update({f"Shopify token {i}": t for i, t in enumerate(fake.oauth.issued)})
    assert len(secrets_) >= 3, secrets_.keys()  # the key and at least one token pair
    wanted = needles(secrets_)

    row = _shop_row(shopify.app_db)
    assert row and row["access_token_enc"] and row["refresh_token_enc"]
    assert row["integration_key_enc"], row.keys()
    stored = {"app database": _dump(shopify.app_db)}
    assert DOMAIN.encode() in stored["app database"]  # the scan reads the right database
    assert not scan(stored, wanted), "a secret in plain text at rest"

    delivery = fake.uninstall(SHOP)
    assert delivery.status == 200, (delivery.status, delivery.text)
    row = _shop_row(shopify.app_db)
    assert row is not None and row["access_token_enc"] is None and row["refresh_token_enc"] is None
    # Shopify proxies nothing for an uninstalled app; a late, validly signed call is refused.
    assert (
        requests.get(
            f"https://127.0.0.1:{shopify.port}/apps/hushbook/catalog",
            headers={"Host": DOMAIN},
            verify=str(shopify.ca_file),
            timeout=10,
        ).status_code
        == 404
    )
    late = requests.get(
        f"https://127.0.0.1:{shopify.app_port}/proxy/catalog?{proxy_query(DOMAIN)}",
        headers={"Host": APP_HOST, "X-Forwarded-For": "203.0.113.9"},
        verify=str(shopify.ca_file),
        timeout=10,
    )
    assert late.status_code in (403, 404, 503) and shopify.key not in late.text, late.text

    delivery = fake.redact(SHOP)
    assert delivery.status == 200, (delivery.status, delivery.text)
    assert _shop_row(shopify.app_db) is None

    files = {"app database": _dump(shopify.app_db), "app log": shopify.app_log.read_bytes()}
    for path in shopify.app_db.parent.glob(shopify.app_db.name + "*"):
        files[path.name] = path.read_bytes()  # WAL and journal files included
    assert files["app log"], "the app's log is empty: the scan would prove nothing"
    for i, e in enumerate(fake.exchanges):
        files[f"proxy answer {i} {e.path.split('?')[0]}"] = (
            repr(e.response_headers).encode() + e.response_body
        )
    for name, body in shopify.answers.items():
        files[f"app answer {name.split('?')[0]}"] = body
    for i, d in enumerate(fake.webhooks.sent):
        files[f"webhook answer {i} {d.topic}"] = d.text.encode()
    customers = shopify.customers or [c for c in SUMMARY.customers if c.where.startswith("shopify")]
    if customers:
        wanted.update(needles(personal_values(customers)))
    print(
        f"scanned {len(files)} items, {sum(len(v) for v in files.values()):,} bytes, "
        f"{len(wanted)} needles ({len(customers)} customers, {len(secrets_)} secrets)"
    )
    hits = scan(files, wanted)
    assert not hits, "left behind:\n" + "\n".join(hits[:40])
    out = tmp_path / "dump.sql"
    out.write_bytes(files["app database"])
