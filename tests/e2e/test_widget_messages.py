"""What the widget says when a wish cannot be met as asked: alternatives instead
of "nothing", and a rate limit with the time to wait (standalone page, stealth on)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .flows import OFFERS, WISH

pytestmark = pytest.mark.system
BERLIN = ZoneInfo("Europe/Berlin")


def test_no_exact_fit_shows_alternatives(visit, service, salon):
    """The whole team is away on the wished day: the widget says so and offers
    near times on other days, never an empty answer."""
    owner = salon.login(service.url)
    day = (datetime.now(BERLIN) + timedelta(days=3)).date()
    start = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
    away = [
        (member, owner.time_off.create(member, start, start + timedelta(days=1), "vacation"))
        for member in salon.staff.values()
    ]
    try:
        page, w = visit.page, visit.widget
        page.goto(f"{service.url}/book/{salon.slug}?lang=en")
        visit.wait_screen(WISH)
        w.get_by_role("radio", name="Haircut and blow-dry").check()
        w.get_by_role("radio", name="Choose dates").check()
        w.get_by_label("From", exact=True).fill(day.isoformat())
        w.get_by_label("To", exact=True).fill(day.isoformat())
        w.get_by_role("button", name="Show times").click()
        visit.wait_screen(OFFERS)
        visit.shot("alternatives")
        visit.axe("alternatives")
        lead = w.locator(".hb-lead").inner_text()
        assert lead.startswith("Nothing fits your wish exactly"), lead
        heading = w.get_by_role("heading", name=OFFERS)
        assert heading.evaluate("h => document.activeElement === h")  # read from here on
        offers = [b.inner_text() for b in w.locator(".hb-offer").all()]
        assert offers, "alternatives instead of nothing"
        wished = f"{day.day} {day.strftime('%B')}"
        assert not any(wished in text for text in offers), (wished, offers)
        visit.assert_clean()
    finally:
        for member, off in away:
            owner.time_off.delete(member, off)


def test_rate_limit_says_how_long_to_wait(visit, service, salon):
    """Past the visitor's budget the widget names the wait from Retry-After."""
    owner = salon.login(service.url)
    before = owner.tenant.get().raw.get("stealth_settings") or {}
    owner.tenant.update(stealth_settings={**before, "asks_per_session_hour": 1})
    try:
        page, w = visit.page, visit.widget
        page.goto(f"{service.url}/book/{salon.slug}?lang=en")
        visit.wait_screen(WISH)
        w.get_by_role("radio", name="Colour refresh").check()
        w.get_by_role("button", name="Show times").click()
        visit.wait_screen(OFFERS)  # the one ask of this session's hour
        w.get_by_role("button", name="Change my wish").click()
        visit.wait_screen(WISH)
        w.get_by_role("button", name="Show times").click()
        alert = w.get_by_role("alert")
        alert.filter(has_text="Too many requests").wait_for()
        said = alert.inner_text()
        assert re.fullmatch(
            r"Too many requests\. Please try again in \d+ (minutes|seconds)\.", said
        ), said
        minutes = int(re.search(r"\d+", said).group())
        assert 30 <= minutes <= 60, said  # one ask per hour: the bucket refills within the hour
        visit.shot("rate-limited")
        visit.axe("rate-limited")
        assert w.get_by_role("heading", name=WISH).is_visible()  # the wish is kept to retry
        visit.assert_clean()
    finally:
        owner.tenant.update(stealth_settings=before)
