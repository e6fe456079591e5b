"""The service's own booking page (``/book/{slug}``, no WordPress): one customer
books with the mouse, confirms with the mail's link, and the salon sees it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from .flows import assert_confirmed_for_the_salon, book_with_mouse, confirm_by_mail_link
from .support import LINK_MARK, appointments_of, new_customer, text_of

pytestmark = pytest.mark.system


def test_mouse_booking_on_the_standalone_page(service, salon, visit):
    customer = new_customer("mouse", "standalone", first="Paula", phone=False)
    url = f"{service.url}/book/{salon.slug}?lang=en"
    booked = book_with_mouse(visit, url, customer, service="Colour refresh", part="Evening")
    confirm_by_mail_link(visit, service, customer, keyboard=False)
    assert_confirmed_for_the_salon(service, customer, booked)
    visit.assert_clean()


def test_every_screen_fits_a_320px_phone(browser, service, salon):
    """Mobile first: no screen of the flow scrolls sideways on a 320 px wide phone
    (German, the longer texts), the date inputs shown included."""
    context = browser.new_context(locale="de-DE", viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(f"{service.url}/book/{salon.slug}?lang=de")
        widths = {}
        page.get_by_role("heading", name="Was und wann?").wait_for()
        page.get_by_role("radio", name="Zeitraum wählen").check()  # reveals two date inputs
        widths["wish"] = page.evaluate("document.documentElement.scrollWidth")
        page.get_by_role("radio", name="Nächste 7 Tage").check()
        page.get_by_role("group", name="Leistung").get_by_role("radio").first.check()
        page.get_by_role("button", name="Termine anzeigen").click()
        page.get_by_role("heading", name="Termin wählen").wait_for()
        widths["offers"] = page.evaluate("document.documentElement.scrollWidth")
        page.locator(".hb-offer").first.click()
        page.get_by_role("heading", name="Ihre Angaben").wait_for()
        widths["details"] = page.evaluate("document.documentElement.scrollWidth")
        assert widths == {"wish": 320, "offers": 320, "details": 320}, widths
    finally:
        context.close()


def test_german_booking_confirmed_with_the_code_in_the_widget(visit, service, salon):
    """The other way to confirm: the six-digit code from the mail, typed into the
    widget (a wrong code first), in German from the first screen to the last."""
    customer = new_customer("code", "standalone-de", first="Jürgen", phone=False)
    page, w = visit.page, visit.widget
    page.goto(f"{service.url}/book/{salon.slug}?lang=de")
    visit.wait_screen("Was und wann?")
    w.get_by_role("group", name="Leistung").get_by_role("radio").first.check()
    w.get_by_role("button", name="Termine anzeigen").click()
    visit.wait_screen("Termin wählen")
    visit.axe("de-offers")
    asks = []
    page.on("request", lambda r: asks.append(r.url) if r.url.endswith("/offers") else None)
    shown = [b.inner_text() for b in w.locator(".hb-offer").all()]
    w.locator(".hb-offer").first.click()
    visit.wait_screen("Ihre Angaben")
    w.get_by_role("button", name="Zurück").click()  # back: the same offers, no new ask
    visit.wait_screen("Termin wählen")
    assert [b.inner_text() for b in w.locator(".hb-offer").all()] == shown and asks == []
    w.locator(".hb-offer").first.click()
    visit.wait_screen("Ihre Angaben")
    w.get_by_label("Name", exact=True).fill(customer.name)
    w.get_by_label("E-Mail", exact=True).fill(customer.email)
    w.get_by_role("checkbox", name=re.compile(r"^Ich bin einverstanden")).check()
    visit.axe("de-details")
    w.get_by_role("button", name="Jetzt buchen").click()
    visit.wait_screen("Bitte prüfen Sie Ihre E-Mails")
    visit.shot("de-check")

    mail = text_of(service.mailbox.wait_for(customer.email, LINK_MARK, timeout=30))
    code = re.search(r"(?:code|Code)[^0-9]{0,20}([0-9]{6})\b", mail).group(1)
    wrong = "000000" if code != "000000" else "111111"
    w.get_by_label("Bestätigungscode").fill(wrong)
    w.get_by_role("button", name="Bestätigen").click()
    w.get_by_role("alert").filter(has_text="Dieser Code stimmt nicht").wait_for()
    visit.axe("de-wrong-code")
    w.get_by_label("Bestätigungscode").fill(code)
    w.get_by_role("button", name="Bestätigen").click()
    visit.wait_screen("Ihr Termin ist bestätigt")
    visit.shot("de-confirmed")
    visit.axe("de-confirmed")
    assert salon.name in w.inner_text()

    owner = salon.login(service.url)
    today = date.today()
    found = appointments_of(owner, customer, today - timedelta(days=1), today + timedelta(days=21))
    assert [a.status for a in found] == ["confirmed"], found
    assert found[0].client.profile["name"] == customer.name  # sealed in the browser, opened here
    visit.assert_clean()
