"""Autofill is not a bot (issue 15): the fill-time rule counts from the visitor's
first touch of the widget, so a browser that fills the details form in a blink
right after the offers books at once — no "One moment, please…" and no wait."""

from __future__ import annotations

import re
import time

import pytest

from .flows import CHECK_EMAIL, DETAILS, OFFERS, WISH, confirm_by_mail_link
from .support import OFFER_NAME, new_customer

pytestmark = pytest.mark.system
MIN_FILL = 6


def test_autofill_right_after_the_offers_books_at_once(visit, service, salon):
    owner = salon.login(service.url)
    before = owner.tenant.get().raw.get("stealth_settings") or {}
    owner.tenant.update(stealth_settings={**before, "min_fill_seconds": MIN_FILL})
    customer = new_customer("autofill", "standalone", first="Ada", phone=False)
    try:
        page, w = visit.page, visit.widget
        page.goto(f"{service.url}/book/{salon.slug}?lang=en")
        visit.wait_screen(WISH)
        w.get_by_role("radio", name="Haircut and blow-dry").check()  # the first touch
        page.wait_for_timeout((MIN_FILL + 1) * 1000)  # reading, choosing
        w.get_by_role("button", name="Show times").click()
        visit.wait_screen(OFFERS)
        w.get_by_role("button", name=OFFER_NAME).first.click()
        visit.wait_screen(DETAILS)
        started = time.monotonic()
        # what a browser's autofill does: every field at once, then "Book now"
        w.get_by_label("Name", exact=True).fill(customer.name)
        w.get_by_label("E-mail", exact=True).fill(customer.email)
        w.get_by_role("checkbox", name=re.compile(r"^I agree")).check()
        w.get_by_role("button", name="Book now").click()
        visit.wait_screen(CHECK_EMAIL)
        took = time.monotonic() - started
        visit.shot("booked-at-once")
        # within a second or two of the offers; too_fast would have held it MIN_FILL s
        assert took < MIN_FILL - 1, f"booking took {took:.1f} s: held back as too fast?"
        visit.assert_clean()
        confirm_by_mail_link(visit, service, customer, keyboard=False)
    finally:
        owner.tenant.update(stealth_settings=before)


def test_held_until_is_the_salons_time_in_another_time_zone(browser, service, salon):
    """A visitor whose computer is in New York reads "held until" in the salon's
    time (Berlin), like the offers — not in her own clock's."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from .support import RECORDER_JS, Visit

    context = browser.new_context(
        locale="en-GB", timezone_id="America/New_York", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    context.add_init_script(RECORDER_JS)
    visit = Visit(context, "test_held_until_is_the_salons_time_in_another_time_zone")
    customer = new_customer("zone", "standalone", first="Zoe", phone=False)
    try:
        page, w = visit.page, visit.widget
        page.goto(f"{service.url}/book/{salon.slug}?lang=en")
        visit.wait_screen(WISH)
        w.get_by_role("radio", name="Haircut and blow-dry").check()
        w.get_by_role("button", name="Show times").click()
        visit.wait_screen(OFFERS)
        w.get_by_role("button", name=OFFER_NAME).first.click()
        visit.wait_screen(DETAILS)
        page.wait_for_timeout(4500)  # a person typing (the salon's min_fill_seconds)
        w.get_by_label("Name", exact=True).fill(customer.name)
        w.get_by_label("E-mail", exact=True).fill(customer.email)
        w.get_by_role("checkbox", name=re.compile(r"^I agree")).check()
        with page.expect_response(lambda r: r.url.endswith("/bookings") and r.ok) as booked:
            w.get_by_role("button", name="Book now").click()
        visit.wait_screen(CHECK_EMAIL)
        held = datetime.fromisoformat(booked.value.json()["confirm_by"])
        berlin = f"{held.astimezone(ZoneInfo('Europe/Berlin')):%H:%M}"
        new_york = f"{held.astimezone(ZoneInfo('America/New_York')):%H:%M}"
        text = w.get_by_text(re.compile("held until")).inner_text()
        assert f"held until {berlin}" in text and new_york not in text, text
        visit.assert_clean()
        confirm_by_mail_link(visit, service, customer, keyboard=False)
    finally:
        context.close()
