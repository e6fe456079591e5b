"""What a customer does in the browser, and what the salon then sees.

A mouse customer (click/check/select_option/fill) and a keyboard-only customer
(page.keyboard only), both on the widget's DOM contract: role and label names
in English. Every widget step is screenshotted and checked with axe-core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .support import (
    LINK_MARK,
    OFFER_NAME,
    Customer,
    Visit,
    appointments_of,
    confirmation_link,
    screens_until_check,
)

WISH, OFFERS, DETAILS = "What and when?", "Choose a time", "Your details"
CHECK_EMAIL = "Check your e-mail"
EXPECTED_SCREENS = [WISH, OFFERS, DETAILS, CHECK_EMAIL]


@dataclass
class Booked:
    service: str  # the service's label as the customer chose it
    offer: str  # the offer button's name ("Tuesday 24 November, 12:45–13:30 with Anna")


def assert_four_screens(v: Visit, headings_seen: list[str]) -> None:
    """A first-ask booking takes the customer at most 4 screens."""
    assert len(set(headings_seen)) <= 4, f"more than 4 screens: {headings_seen}"
    assert headings_seen == EXPECTED_SCREENS, headings_seen


def book_with_mouse(v: Visit, url: str, c: Customer, service: str, part: str) -> Booked:
    """Pointer only."""
    from playwright.sync_api import expect

    page, w = v.page, v.widget
    page.goto(url)
    v.wait_screen(WISH)
    v.shot("wish")
    v.axe("wish")

    services = w.get_by_role("group", name="Service")
    expect(services).to_be_visible()
    services.get_by_role("radio", name=service).check()
    team = w.get_by_label("Team member")
    assert team.locator("option").first.inner_text().strip() == "No preference"
    team.select_option(label="No preference")
    days = w.get_by_role("group", name="Days")
    for choice in ("Next 7 days", "The week after", "Choose dates"):
        expect(days.get_by_role("radio", name=choice)).to_be_visible()
    days.get_by_role("radio", name="Choose dates").check()  # reveals From and To
    expect(w.get_by_label("From", exact=True)).to_be_visible()
    expect(w.get_by_label("To", exact=True)).to_be_visible()
    days.get_by_role("radio", name="Next 7 days").check()
    weekdays = w.get_by_role("group", name="Weekdays (optional)")
    assert weekdays.get_by_role("checkbox").count() == 7
    w.get_by_role("group", name="Time of day (optional)").get_by_role("checkbox", name=part).check()
    v.shot("wish-filled")
    v.axe("wish-filled")

    expect(w.get_by_role("progressbar", name="Security check", include_hidden=True)).to_have_count(
        1
    )
    w.get_by_role("button", name="Show times").click()
    v.wait_screen(OFFERS)
    v.shot("offers")
    v.axe("offers")
    expect(w.get_by_role("button", name="Change my wish")).to_be_visible()
    offers = w.get_by_role("button", name=OFFER_NAME)
    assert offers.count() >= 1, w.inner_text()
    chosen = offers.first.inner_text().strip()
    offers.first.click()

    v.wait_screen(DETAILS)
    v.shot("details")
    v.axe("details")
    assert w.locator("input[name=website]").count() == 1  # the honeypot exists; left alone
    w.get_by_label("Name", exact=True).fill(c.name)
    w.get_by_label("E-mail", exact=True).fill(c.email)
    if c.phone:
        w.get_by_label("Phone", exact=True).fill(c.phone)
    w.locator("details summary", has_text="Privacy notice").click()  # reads the notice
    w.get_by_role("checkbox", name=re.compile(r"^I agree")).check()
    w.get_by_role("checkbox", name="Send me reminders").check()
    assert w.locator("input[name=website]").input_value() == ""
    v.shot("details-filled")
    v.axe("details-filled")

    w.get_by_role("button", name="Book now").click()
    v.wait_screen(CHECK_EMAIL)
    v.shot("check-email")
    v.axe("check-email")
    expect(w.get_by_label("Confirmation code")).to_be_visible()
    expect(w.get_by_role("button", name="Confirm", exact=True)).to_be_visible()

    recorded = v.recorded()
    assert_four_screens(v, screens_until_check(recorded))
    print(f"mouse booking: {chosen!r}; security-check bar shown {recorded.get('progressShown')}x")
    return Booked(service, chosen)


def book_with_keyboard(v: Visit, url: str, c: Customer) -> Booked:
    """Keyboard only (Tab, Shift+Tab, arrows, Space, Enter, typing): no click, no fill()."""
    page, kb = v.page, v.page.keyboard
    page.goto(url)
    v.wait_screen(WISH)
    on_load = v.focus()
    assert not (on_load and on_load["inWidget"]), (
        f"the widget took the focus on page load: {on_load}"
    )
    v.shot("wish")
    v.axe("wish")

    # From the top of the page to the widget's first control.
    first = v.press_until(
        lambda i: i["inWidget"] and i["tag"] in ("input", "select", "button"),
        "the widget's first control",
        limit=80,
    )
    print(f"keyboard: the widget's first control after {first['presses']} Tab presses from the top")
    assert first["type"] == "radio" and first["group"] == "Service", first
    kb.press("ArrowDown")  # the second service (arrow keys move and select in a radio group)
    chosen_service = v.focus()
    assert chosen_service["checked"] and chosen_service["group"] == "Service", chosen_service
    kb.press("Shift+Tab")  # out of the group and back: the selection stays
    kb.press("Tab")
    assert v.focus()["checked"]

    team = v.tab_to_label("Team member")
    assert team["tag"] == "select" and team["value"] == "", team  # "No preference"
    days = v.press_until(
        lambda i: i["type"] == "radio" and i["label"] == "Next 7 days", "'Next 7 days'"
    )
    assert days["checked"], days
    kb.press("ArrowDown")
    week_after = v.focus()
    assert week_after["label"] == "The week after" and week_after["checked"], week_after
    v.tab_to_label("Morning")
    kb.press("Space")
    assert v.focus()["checked"]
    v.shot("wish-filled")
    v.axe("wish-filled")
    v.press_until(lambda i: i["tag"] == "button" and i["label"] == "Show times", "'Show times'")
    kb.press("Enter")

    v.wait_screen(OFFERS)
    assert_heading_focused(v, OFFERS)
    v.shot("offers")
    v.axe("offers")
    offer = v.press_until(
        lambda i: i["tag"] == "button" and OFFER_NAME.match(i["label"]), "the first offer"
    )
    kb.press("Enter")

    v.wait_screen(DETAILS)
    assert_heading_focused(v, DETAILS)
    v.shot("details")
    v.axe("details")
    typed = [("Name", c.name), ("E-mail", c.email)] + ([("Phone", c.phone)] if c.phone else [])
    for label, text in typed:
        v.press_until(lambda i, label=label: i["label"] == label, repr(label))
        kb.type(text)
        assert v.focus()["value"] == text, (label, v.focus())
    for label in ("I agree", "Send me reminders"):
        v.press_until(lambda i, label=label: i["label"].startswith(label), repr(label))
        kb.press("Space")
        assert v.focus()["checked"], (label, v.focus())
    v.shot("details-filled")
    v.axe("details-filled")
    v.press_until(lambda i: i["tag"] == "button" and i["label"] == "Book now", "'Book now'")
    kb.press("Enter")

    v.wait_screen(CHECK_EMAIL)
    assert_heading_focused(v, CHECK_EMAIL)
    v.shot("check-email")
    v.axe("check-email")

    assert not any(i["name"] == "website" for i in v.focus_log), "Tab reached the honeypot"
    missing = v.focus_rings_missing()
    assert not missing, f"controls without a visible focus indicator: {missing}"
    assert_four_screens(v, screens_until_check(v.recorded()))
    print(f"keyboard booking: {chosen_service['label']!r}, {offer['label']!r}")
    return Booked(chosen_service["label"], offer["label"])


def assert_heading_focused(v: Visit, heading: str) -> None:
    focus = v.focus()
    assert focus and focus["tag"] == "h2" and focus["label"].startswith(heading), (
        f"focus did not move to the {heading!r} heading: {focus}"
    )


def confirm_by_mail_link(v: Visit, service, c: Customer, *, keyboard: bool) -> str:
    """The worker's mail reaches the SMTP server; its link confirms the booking."""
    from playwright.sync_api import expect

    msg = service.mailbox.wait_for(c.email, LINK_MARK, timeout=30)
    link = confirmation_link(msg)
    assert link.startswith(f"{service.url}/"), f"the link does not point to the service: {link}"
    page = v.new_page()
    page.goto(link)
    v.shot("mail-link", page)
    v.axe("mail-link", page=page, include=None, strict=False)  # the service's page, reported
    if keyboard:
        v.press_until(lambda i: i["tag"] == "button", "the confirm button", page=page)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        with page.expect_navigation():
            page.get_by_role("button").first.click()
    expect(page.locator("body")).to_contain_text(re.compile("confirmed|bestätigt", re.I))
    v.shot("confirmed", page)
    return link


def assert_confirmed_for_the_salon(service, c: Customer, booked: Booked) -> None:
    """Through the staff API: the appointment the customer chose is confirmed, and
    the owner's SDK (vault unlocked) opens the profile the browser sealed to
    exactly what the customer typed."""
    owner = service.salon.login(service.url)
    today = date.today()
    found = appointments_of(owner, c, today - timedelta(days=1), today + timedelta(days=21))
    assert len(found) == 1, f"appointments for {c.name!r}: {found}"
    appt = found[0]
    assert appt.status == "confirmed" and appt.source == "online", appt
    salon = service.salon
    assert booked.service.startswith(
        next(name for name, sid in salon.services.items() if sid == appt.service_id)
    ), (booked, appt)
    start, end = (t.astimezone(ZoneInfo("Europe/Berlin")) for t in (appt.start, appt.end))
    assert f" {start.day} " in booked.offer and f"{start:%H:%M}–{end:%H:%M}" in booked.offer, (
        f"booked {appt.start}–{appt.end}, the customer chose {booked.offer!r}"
    )
    staff = next(name for name, sid in salon.staff.items() if sid == appt.staff_id)
    assert booked.offer.endswith(f"with {staff}"), (booked.offer, staff)
    profile = appt.client.profile
    assert profile["name"] == c.name, profile
    assert profile.get("email") == c.email, profile
    if c.phone:
        assert profile.get("phone") == c.phone, profile
    print(
        f"staff API: appointment {appt.id} {appt.start.isoformat()} confirmed for {profile['name']!r}"
    )
