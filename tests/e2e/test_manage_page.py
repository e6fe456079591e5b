"""After "Book now", in the browser: a customer books in English, confirms from the
mail, opens the manage link from the next mail, moves the appointment to a new
offer (the mail about it carries the calendar entry updated in place), then
cancels it (asked once more). The salon is told of each step by e-mail, without
the client's details. Another customer, inside the salon's deadline, is sent to
the phone. axe-core on every page; screenshots in English and German."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from .flows import CHECK_EMAIL, DETAILS, OFFERS, WISH
from .support import LINK_MARK, appointments_of, confirmation_link, new_customer, text_of

pytestmark = pytest.mark.system
BERLIN = ZoneInfo("Europe/Berlin")
PHONE = "+49 30 9876543"
SHORT = re.compile(r"https?://[^\s<>\"']+/m/[0-9A-Z]{8}\b")


def mail_with(service, to: str, subject: str, timeout: float = 30):
    """The first mail to ``to`` whose subject has ``subject`` (the mailbox keeps all)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with service.mailbox.lock:
            for msg in service.mailbox.received:
                if to.lower() in str(msg["To"]).lower() and subject in str(msg["Subject"]):
                    return msg
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} with {subject!r} in {timeout} s")


def calendar_of(msg) -> str:
    """The .ics attached to a mail."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content()
    raise AssertionError(f"no calendar file in {msg['Subject']!r}")


def manage_json(url: str) -> dict:
    res = requests.get(url, headers={"Accept": "application/json"}, timeout=10)
    assert res.status_code == 200, res.text
    return res.json()


@pytest.fixture
def profile(salon, service):
    """The salon's address and phone on its pages (the deadline and quick tests
    restored afterwards: other tests share the salon)."""
    owner = salon.login(service.url)
    before = owner.tenant.get().raw
    owner.tenant.update(address="Lindenstraße 5\n10969 Berlin", phone=PHONE)
    yield owner
    owner.tenant.update(
        address=before.get("address", ""),
        phone=before.get("phone", ""),
        manage_deadline_hours=before.get("manage_deadline_hours", 24),
        stealth_settings=before.get("stealth_settings") or {},
    )


def test_book_confirm_move_and_cancel_in_the_browser(visit, service, salon, profile):
    customer = new_customer("mouse", "manage", first="Robin", phone=False)
    page, w = visit.page, visit.widget
    page.goto(f"{service.url}/book/{salon.slug}?lang=en")
    visit.wait_screen(WISH)
    w.get_by_role("radio", name="Haircut and blow-dry").check()
    w.get_by_role("radio", name="The week after").check()  # beyond the 24-hour deadline
    w.get_by_role("button", name="Show times").click()
    visit.wait_screen(OFFERS)
    w.locator(".hb-offer").first.click()
    visit.wait_screen(DETAILS)
    w.get_by_label("Name", exact=True).fill(customer.name)
    w.get_by_label("E-mail", exact=True).fill(customer.email)
    w.get_by_role("checkbox", name=re.compile(r"^I agree")).check()
    w.get_by_role("button", name="Book now").click()
    visit.wait_screen(CHECK_EMAIL)

    # The confirmation request: a short link to the confirmation page.
    request = service.mailbox.wait_for(customer.email, LINK_MARK, timeout=30)
    link = confirmation_link(request)
    assert SHORT.fullmatch(link), link
    confirm = visit.new_page()
    confirm.goto(link)
    confirm.get_by_text("Please confirm this appointment:").wait_for()
    assert "Haircut and blow-dry" in confirm.inner_text("main")
    confirm.get_by_role("button", name="Confirm now").click()
    confirm.get_by_role("heading", name="Your appointment is confirmed").wait_for()
    shown = confirm.inner_text("main")
    for needle in ("Studio Lumen", "Haircut and blow-dry", "Lindenstraße 5", PHONE, "confirmed"):
        assert needle in shown, (needle, shown)
    assert re.search(r"[A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d–\d\d:\d\d", shown)
    calendar = confirm.get_by_role("link", name="Add to calendar (.ics)")
    with confirm.expect_download() as download:
        calendar.click()
    assert "BEGIN:VEVENT" in open(download.value.path(), encoding="utf-8").read()
    visit.shot("en-confirmation", confirm)
    visit.axe("en-confirmation", page=confirm, include=None)
    confirm.goto(confirm.url.split("?")[0] + "?lang=de")  # the link again, in German
    confirm.get_by_role("heading", name="Ihr Termin ist bestätigt").wait_for()
    visit.shot("de-confirmation", confirm)
    visit.axe("de-confirmation", page=confirm, include=None)

    # The confirmed mail's manage link opens the manage page.
    confirmed = mail_with(service, customer.email, "onfirmed")
    manage_link = SHORT.search(text_of(confirmed)).group(0)
    manage = visit.new_page()
    manage.goto(manage_link)
    manage.get_by_role("heading", name="Your appointment", exact=True).wait_for()
    assert "/v1/public/manage/" in manage.url
    before = manage_json(manage.url.split("?")[0])
    assert before["status"] == "confirmed" and before["can_reschedule"]
    visit.shot("en-manage", manage)
    visit.axe("en-manage", page=manage, include=None)

    # Move it: a wish, a few offers, one chosen.
    mover = manage.locator("#hb-reschedule")
    mover.get_by_role("radio", name="The week after").check()
    mover.get_by_role("button", name="Show times").click()
    mover.get_by_role("heading", name="Choose a new time").wait_for()
    offers = mover.locator("input[name=offer]")
    assert 1 <= offers.count() <= 5, mover.inner_text()
    chosen = mover.locator(".hb-offers label").first.inner_text()
    visit.shot("en-move-offers", manage)
    visit.axe("en-move-offers", page=manage, include=None)
    offers.first.check()
    with manage.expect_navigation():
        mover.get_by_role("button", name="Move to this time").click()
    manage.get_by_text("Your appointment has been moved.").wait_for()
    after = manage_json(manage.url.split("?")[0])
    assert after["start"] != before["start"] and after["status"] == "confirmed"
    start = datetime.fromisoformat(after["start"]).astimezone(BERLIN)
    assert f"{start:%H:%M}" in chosen and f" {start.day} " in f" {chosen}", (chosen, start)
    assert start.date() >= (datetime.now(BERLIN) + timedelta(days=7)).date()
    visit.shot("en-moved", manage)
    visit.axe("en-moved", page=manage, include=None)
    (appt,) = appointments_of(
        profile, customer, start - timedelta(hours=1), start + timedelta(hours=3)
    )
    moved = mail_with(service, customer.email, "Appointment moved")
    assert "SEQUENCE:1" in calendar_of(moved)  # the same entry, updated in place
    german = visit.new_page()
    german.goto(manage.url.split("?")[0] + "?lang=de")
    german.get_by_role("heading", name="Termin verschieben").wait_for()
    visit.shot("de-manage", german)
    visit.axe("de-manage", page=german, include=None)

    # Cancel: asked once more, then done.
    manage.get_by_role("button", name="Cancel appointment…").click()
    manage.get_by_text("Do you really want to cancel this appointment?").wait_for()
    assert manage_json(manage.url.split("?")[0])["status"] == "confirmed"
    visit.shot("en-cancel-question", manage)
    visit.axe("en-cancel-question", page=manage, include=None)
    manage.get_by_role("button", name="Yes, cancel it").click()
    manage.get_by_text("Your appointment is cancelled.").wait_for()
    assert manage_json(manage.url.split("?")[0].removesuffix("/cancel"))["status"] == "cancelled"
    assert manage.get_by_role("link", name="Book again").count() == 1
    visit.shot("en-cancelled", manage)
    visit.axe("en-cancelled", page=manage, include=None)
    cancelled = mail_with(service, customer.email, "Appointment cancelled")
    assert "SEQUENCE:2" in calendar_of(cancelled)

    # The salon was told of each step: the appointment's number, a link into the
    # console, never who the client is.
    for step in ("New online booking", "Confirmed", "Moved", "Cancelled"):
        told = mail_with(service, salon.owner_email, f"{step}: appointment #{appt.id},")
        body = text_of(told)
        assert f"/console/?appointment={appt.id}" in body, body
        for personal in (customer.name, customer.email):
            assert personal not in body and personal not in str(told["Subject"])
    visit.assert_clean()


def test_inside_the_deadline_the_page_says_please_call_us(visit, service, salon, profile):
    import hushbook

    profile.tenant.update(
        manage_deadline_hours=14 * 24,  # every bookable time is inside it
        stealth_settings={
            **(profile.tenant.get().raw.get("stealth_settings") or {}),
            "min_fill_seconds": 0,
        },
    )
    customer = new_customer("sdk", "manage-late", first="Kai", phone=False)
    visitor = hushbook.PublicBooking(service.url, salon.slug, tenant_id=salon.tenant_id)
    day = datetime.now(BERLIN).date() + timedelta(days=2)
    offer = visitor.offers(salon.services["Colour refresh"], day, day + timedelta(days=3))[0]
    pending = visitor.book(offer, profile={"name": customer.name}, email=customer.email)
    mail = text_of(service.mailbox.wait_for(customer.email, LINK_MARK, timeout=30))
    code = re.search(r"\b([0-9]{6})\b", mail).group(1)
    confirmed = visitor.confirm(pending, code)
    url = f"{service.url}/v1/public/manage/{confirmed.manage_token}"
    for lang, text, shot in (
        ("en", "Your appointment is too close to change it online. Please call us:", "en-late"),
        (
            "de",
            "Ihr Termin ist zu nah, um ihn online zu ändern. Bitte rufen Sie uns an:",
            "de-late",
        ),
    ):
        page = visit.new_page()
        page.goto(f"{url}?lang={lang}")
        page.get_by_text(text).wait_for()
        call = page.locator(".hb-late").get_by_role("link", name=PHONE)
        assert call.get_attribute("href") == "tel:+49309876543"
        assert page.locator("#hb-reschedule").count() == 0
        assert page.get_by_role("button").count() == 0  # nothing to change online
        visit.shot(shot, page)
        visit.axe(shot, page=page, include=None)
    assert not manage_json(url)["can_cancel"]
    res = requests.post(f"{url}/cancel", headers={"Accept": "application/json"}, timeout=10)
    assert res.status_code == 409 and res.json()["reason"] == "manage_deadline"
    visit.assert_clean()
