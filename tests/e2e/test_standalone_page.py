"""The service's own booking page (``/book/{slug}``, no WordPress): one customer
books with the mouse, confirms with the mail's link, and the salon sees it."""

from __future__ import annotations

import pytest

from .flows import assert_confirmed_for_the_salon, book_with_mouse, confirm_by_mail_link
from .support import new_customer

pytestmark = pytest.mark.server


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
