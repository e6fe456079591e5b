"""My account in the console: the second factor a salon requires, set up in the
console itself, then one's own password, and "sign out everywhere".

A salon of its own whose owner must use a second factor (``require_totp``) and
has none: after signing in the console asks for it and nothing else, the owner
adds the key to an "authenticator" (the test computes codes from the key shown
on the page, as an app would), a wrong code is refused, the right one turns it
on and the console opens; the password alone no longer signs in. In a second
console (English, 360 px wide; the next code, as the service refuses a code
used twice) the owner changes her password on "My account" — the first console
is signed out at its next request by that — and then signs out everywhere,
which ends this console too (tests/test_auth.py proves every token dies).
"""

from __future__ import annotations

import base64
import time

import pytest
import requests

from support.config import PASSWORD

from .consoles import DE, EN, Console, operator_salon, password_login, watched

pytestmark = pytest.mark.system

SLUG = "salon-konto"
OWNER = f"owner@{SLUG}.test"
NEW_PASSWORD = "Konto-Chefin-Neu-2031!"


def code_now(secret_b32: str, offset: int = 0) -> str:
    from hushbook_service.accounts import totp

    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return totp.totp(key, time.time() + offset)


def login(url: str, password: str, code: str | None = None) -> requests.Response:
    return password_login(url, SLUG, OWNER, password, totp=code)


def notify_bookings(service) -> bool:
    from hushbook_service.db import database
    from hushbook_service.models import Staff

    with service.app.app_context(), database.connection_context():
        return Staff.get(Staff.email == OWNER).notify_bookings


@pytest.fixture(scope="module")
def strict_salon(service):
    """A salon whose owner (no second factor yet) is required to have one."""
    from hushbook_service.db import database
    from hushbook_service.models import Tenant

    salon = operator_salon(service, SLUG, "Salon Konto E2E", owner_name="Kira Konto", sdk=False)
    with service.app.app_context(), database.connection_context():
        Tenant.update(require_totp=True).where(Tenant.id == salon.tenant_id).execute()
    return service.url


def test_required_second_factor_password_and_sign_out_everywhere(browser, service, strict_salon):
    url = strict_salon
    c = Console(browser, "test_console_account", lang="de", width=1024, height=768)
    e = Console(browser, "test_console_account", lang="en", width=360, height=740)
    with watched(c, e):
        page = c.page
        c.open(url)
        c.sign_in(SLUG, OWNER, PASSWORD, DE)
        page.get_by_role("heading", name="Zweiter Faktor erforderlich").wait_for()
        assert page.locator("[data-nav]").count() == 0  # nothing else until it is set up
        c.screen("01-second-factor-required")
        page.get_by_role("button", name="Zweiten Faktor einrichten").click()
        secret = page.locator("code.hb-secret").inner_text().replace(" ", "")
        assert len(secret) >= 16
        link = page.get_by_role("link", name="oder in der App auf diesem Gerät öffnen")
        assert link.get_attribute("href").startswith("otpauth://totp/")
        c.screen("02-second-factor-key")
        page.get_by_label("Code aus Ihrer Authenticator-App", exact=True).fill(
            code_now(secret, offset=3600)
        )
        page.get_by_role("button", name="Einschalten").click()
        page.get_by_role("alert").filter(has_text="Dieser Code passt nicht").wait_for()
        page.get_by_label("Code aus Ihrer Authenticator-App", exact=True).fill(code_now(secret))
        page.get_by_role("button", name="Einschalten").click()
        page.locator('[data-nav="account"]').wait_for()  # the console opened
        assert login(url, PASSWORD).json().get("reason") == "totp_required"
        page.locator('[data-nav="account"]').click()
        page.get_by_role("heading", name="Mein Konto", level=1).wait_for()
        page.locator(".hb-ok").filter(has_text="Ihr zweiter Faktor ist eingeschaltet").wait_for()
        c.screen("03-account")

        page = e.page
        e.open(url)
        e.sign_in(SLUG, OWNER, PASSWORD, EN)
        page.get_by_label("Code from your authenticator app", exact=True).fill(
            code_now(secret, offset=30)
        )
        page.get_by_role("button", name=EN["signin"]).click()
        page.locator('[data-nav="account"]').click()
        page.get_by_role("heading", name="My account", level=1).wait_for()
        e.screen("04-account")
        mails = page.get_by_label("E-mail me about bookings", exact=True)
        assert mails.is_checked()  # on by default
        mails.uncheck()
        page.get_by_text("You will get no booking e-mails.").wait_for()
        assert notify_bookings(service) is False
        page.get_by_label("Current password", exact=True).fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Repeat the new password", exact=True).fill(NEW_PASSWORD)
        page.get_by_role("button", name="Save password").click()
        page.get_by_text("Your password was changed.").wait_for()
        e.screen("05-password-changed")
        assert login(url, NEW_PASSWORD).json().get("reason") == "totp_required"  # the new one

        # The first console's session ended with the change: its next request says so.
        c.page.locator('[data-nav="day"], [data-nav="team"]').first.click()
        c.page.get_by_text("Sie wurden abgemeldet").wait_for()

        page.get_by_role("button", name="Sign out everywhere").click()
        page.get_by_text("Really end all your sessions").wait_for()
        e.screen("06-sign-out-everywhere")
        page.get_by_role("button", name="Yes, sign out everywhere").click()
        page.get_by_text("You have been signed out everywhere.").wait_for()
        assert page.get_by_role("button", name=EN["signin"]).count() == 1
        assert page.locator("[data-nav]").count() == 0
