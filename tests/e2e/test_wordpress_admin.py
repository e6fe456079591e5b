"""The plugin's admin menu "Hushbook" in the real WordPress of test_wordpress_booking.py.

An administrator signs in and opens Hushbook: the page shows the settings in use
and the connection state, checked by WordPress against the real service
(connected; with a wrong key "Key rejected"; with an unknown slug "Salon not
found"), and a link to the salon's staff console in the admin's language.
A salon name with markup (from the service) and settings with ``<script>`` are
never printed raw, and the page never contains the integration key. The old
address Settings → Hushbook leads to Hushbook → Settings. Screenshots in
build/e2e-screenshots/<test>/, axe-core on the page's content.
"""

from __future__ import annotations

import json
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from support.processes import service_env

pytestmark = pytest.mark.system

PHP_USER_LOCALE = r"""<?php
// The admin's own language (user meta "locale"; '' = the site's), for this test only.
$_SERVER['HTTP_HOST'] = $argv[1];
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
require '/usr/share/wordpress/wp-load.php';
update_user_meta(get_user_by('login', 'admin')->ID, 'locale', $argv[2]);
"""


def admin_password(wordpress) -> str:
    """The fixture's install spec sits next to its MariaDB option file."""
    spec = json.loads((wordpress.mysql_options.parent / "install.json").read_text())
    assert spec["admin_user"] == "admin"
    return spec["admin_password"]


def set_admin_locale(wordpress, tmp_path, locale: str) -> None:
    script = tmp_path / "user-locale.php"
    script.write_text(PHP_USER_LOCALE)
    done = subprocess.run(
        ["php", str(script), wordpress.home.split("//", 1)[1], locale],
        env=service_env(WORDPRESS_CONFIG=wordpress.config_name),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_admin_page_shows_the_connection_and_opens_the_console(
    wordpress, salon, service, visit, tmp_path
):
    page = visit.page
    page.goto(f"{wordpress.home}/wp-login.php")
    page.fill("#user_login", "admin")
    page.fill("#user_pass", admin_password(wordpress))
    page.click("#wp-submit")
    page.wait_for_url("**/wp-admin/**")
    status_url = f"{wordpress.home}/wp-admin/admin.php?page=hushbook"
    state = page.locator("#hushbook-state")

    def open_status(expected: str) -> str:
        page.goto(status_url)
        assert state.get_attribute("data-state") == expected, state.inner_text()
        html = page.content()
        assert salon.integration_key not in html
        assert "<script>alert" not in html
        return html

    # Connected: the settings in use, the console link, the menu with the settings below.
    open_status("connected")
    assert state.get_by_text("Connected", exact=True).is_visible()
    assert f'"{salon.name}"' in state.inner_text()
    in_use = page.locator("#hushbook-settings-in-use")
    assert service.url in in_use.inner_text() and salon.slug in in_use.inner_text()
    assert "Stored in the settings (never shown)." in in_use.inner_text()
    console = page.get_by_role("link", name="Open the staff console (opens in a new tab)")
    href = console.get_attribute("href")
    assert href == f"{service.url}/console/?salon={salon.slug}&lang=en", href
    assert console.get_attribute("target") == "_blank"
    assert set(console.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    menu = page.locator("#toplevel_page_hushbook")
    assert menu.locator(".wp-menu-image.dashicons-calendar-alt").count() == 1
    assert (
        menu.get_by_role("link", name="Settings")
        .get_attribute("href")
        .endswith("admin.php?page=hushbook-settings")
    )
    visit.shot("connected")
    visit.axe("connected", include="#wpbody-content .wrap")

    # The console the link opens is the service's, for this salon, in English.
    with page.context.expect_page() as opened:
        console.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == href
    assert tab.locator("input[name=tenant]").input_value() == salon.slug
    assert tab.locator("html").get_attribute("lang") == "en"
    tab.close()

    # The old address of the settings leads to Hushbook → Settings.
    page.goto(f"{wordpress.home}/wp-admin/options-general.php?page=hushbook")
    assert page.url.endswith("admin.php?page=hushbook-settings"), page.url
    assert page.get_by_role("heading", level=1, name="Hushbook settings").is_visible()
    assert page.locator("#hushbook_service_url").input_value() == service.url
    # The settings form still saves there (the key field left empty keeps the key) ...
    page.get_by_role("button", name="Save Changes").click()
    page.get_by_text("Settings saved.").wait_for()
    assert "page=hushbook-settings" in page.url
    # ... and its connection test runs there.
    page.get_by_role("button", name="Test connection").click()
    page.locator("#hushbook-test-result").get_by_text(
        "The integration key is accepted", exact=False
    ).wait_for()
    page.evaluate("() => window.scrollTo(0, 0)")  # the admin bar is fixed
    visit.shot("settings")
    visit.axe("settings", include="#wpbody-content .wrap")

    before = wordpress.change_settings(integration_key="hbk_wrong_" + "x" * 40)
    owner = None
    try:
        open_status("key_rejected")
        assert "Key rejected" in state.inner_text()
        visit.shot("key-rejected")
        visit.axe("key-rejected", include="#wpbody-content .wrap")

        wordpress.change_settings(
            integration_key=before["integration_key"], tenant_slug="no-such-salon"
        )
        html = open_status("not_found")
        assert "no-such-salon" in state.inner_text()
        assert "console/?salon=no-such-salon&amp;lang=en" in html

        # Markup in settings is refused when read; nothing of it reaches the page.
        wordpress.change_settings(
            tenant_slug="<script>alert(1)</script>",
            service_url='https://x.example/"><script>alert(2)</script>',
        )
        open_status("incomplete")
        assert page.locator("#hushbook-console").count() == 0

        # Markup in what the service says (the salon's name) is printed as text.
        wordpress.change_settings(**before)
        owner = salon.login(service.url)
        owner.tenant.update(name='Lumen <script>alert("x")</script> & Co')
        open_status("connected")
        assert 'Lumen <script>alert("x")</script> & Co' in state.inner_text()
        assert "&lt;script&gt;alert" in page.content()
    finally:
        if owner is not None:
            owner.tenant.update(name=salon.name)
        wordpress.change_settings(**before)

    # German: the plugin's texts and the console link follow the admin's language.
    set_admin_locale(wordpress, tmp_path, "de_DE")
    try:
        open_status("connected")
        assert state.get_by_text("Verbunden", exact=True).is_visible()
        console = page.get_by_role("link", name="Terminbuch öffnen (öffnet in einem neuen Tab)")
        query = parse_qs(urlsplit(console.get_attribute("href")).query)
        assert query == {"salon": [salon.slug], "lang": ["de"]}
        visit.shot("connected-de")
        visit.axe("connected-de", include="#wpbody-content .wrap")
    finally:
        set_admin_locale(wordpress, tmp_path, "")
    visit.assert_clean()
