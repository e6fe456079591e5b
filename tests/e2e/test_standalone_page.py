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
