"""The console's appointment book (``/console/``, screens/10-day.js and 12-book.js)
against the real service, worker and SMTP.

A salon of its own with the vault at the real scrypt floor (log_n 16): two
stylists, Mara with a lunch break, and a salon closure in the same week. The
owner signs in and unlocks client data; the day shows the break and the closure
shaded; she books a caller as a new client (sealed in the browser: the SDK then
opens exactly the typed name, and no request carried it), books a returning
client found by phone, moves an appointment to another person and time, is told
when someone else moved one meanwhile (and nothing is moved), and finds the
moved appointment in the week views. axe-core on every state, screenshots in
German at 1024x768 and in English at 360 px wide.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest

from support.config import PASSWORD

from .consoles import (
    NOTICE,
    TZ,
    WEEK,
    Console,
    OperatorSalon,
    assert_nothing_kept,
    local,
    operator_salon,
    pick_time,
    set_password,
    watched,
)

pytestmark = pytest.mark.system

SLUG = "salon-terminbuch"
SERVICE = "Cut and style"
LUNCH = ("12:30", "13:30")
CLOSURE_LABEL = "Christmas party"
PX_PER_MIN = 1.6  # screens/10-day.js
GRID_START = 8 * 60  # the day grid starts at 08:00 (nobody works earlier)


@pytest.fixture(scope="module")
def day_salon(service) -> OperatorSalon:
    """Owner (own password, vault at log_n 16), Mara (lunch break) and Jonas
    working 08:00-20:00 every day, one service, a closure in the test week, and
    a returning client known by phone."""
    tag = secrets.token_hex(4)
    salon = operator_salon(
        service,
        SLUG,
        "Salon Terminbuch E2E",
        vault_passphrase=f"terminbuch vault {tag} passphrase",
        unlock=True,
        notices=NOTICE,
    )
    client = salon.api
    salon.team = {}
    for name in ("Mara", "Jonas"):
        rules = list(WEEK)
        if name == "Mara":
            rules += [
                {"weekday": d, "kind": "break", "start": LUNCH[0], "end": LUNCH[1]}
                for d in range(7)
            ]
        salon.team[name] = salon.stylist(name, rules).id
    salon.service_id = client.services.create(
        SERVICE, 45, list(salon.team.values()), price_cents=5200
    ).id
    set_password(service, salon.team["Mara"], PASSWORD)  # Mara's own password

    # The day of the bookings (tomorrow: wholly in the future) and a closure day in
    # the same Monday-to-Sunday week.
    salon.booking_day = date.today() + timedelta(days=1)
    salon.closed_day = salon.booking_day + timedelta(
        days=1 if salon.booking_day.weekday() < 6 else -1
    )
    salon.closure_id = client.send(
        "POST",
        "/v1/tenant/closures",
        json={
            "date_from": salon.closed_day.isoformat(),
            "date_to": salon.closed_day.isoformat(),
            "label": CLOSURE_LABEL,
        },
    ).body["id"]

    salon.returning_phone = f"+49 160 {secrets.randbelow(10**7):07d}"
    salon.returning_name = f"Rita Wiederkehr-{tag}"
    salon.returning_id = client.clients.create(
        {"name": salon.returning_name, "phone": salon.returning_phone},
        contacts={"phone": salon.returning_phone},
    ).id
    return salon


TEXTS = {
    "de": {
        "new": "Neuer Termin",
        "service": "Leistung",
        "service_option": f"{SERVICE} (45 Min.)",
        "person": "Teammitglied",
        "date": "Tag des Termins",
        "new_client": "Neue Kundin / neuer Kunde",
        "returning": "Bekannte Kundschaft",
        "lookup": "Telefon oder E-Mail der Kundin bzw. des Kunden",
        "find": "Suchen",
        "found": "Gefunden: ",
        "name": "Name",
        "phone": "Telefon",
        "mail": "E-Mail",
        "book": "Termin buchen",
        "booked": "Gebucht:",
        "move": "Verschieben",
        "move_date": "Neues Datum",
        "move_submit": "Hierhin verschieben",
        "moved": "Verschoben auf",
        "changed": "Jemand hat diesen Termin inzwischen geändert",
        "week": "Woche",
        "who": "Wessen Woche",
        "closure": "Salon geschlossen",
        "locked_hint": "Die Kundendaten sind gesperrt.",
    },
    "en": {
        "new": "New appointment",
        "service": "Service",
        "service_option": f"{SERVICE} (45 min)",
        "person": "Team member",
        "date": "Day of the appointment",
        "new_client": "New client",
        "returning": "Returning client",
        "lookup": "Phone or e-mail of the client",
        "find": "Find",
        "found": "Found: ",
        "name": "Name",
        "phone": "Phone",
        "mail": "E-mail",
        "book": "Book appointment",
        "booked": "Booked:",
        "move": "Move",
        "move_date": "New date",
        "move_submit": "Move here",
        "moved": "Moved to",
        "changed": "Someone changed this appointment meanwhile",
        "week": "Week",
        "who": "Whose week",
        "closure": "Salon closed",
        "locked_hint": "Client data is locked.",
    },
}


class Book:
    """The owner's console with the appointment book's steps."""

    def __init__(self, c: Console, salon: OperatorSalon) -> None:
        self.c = c
        self.page = c.page
        self.salon = salon
        self.t = TEXTS[c.lang]
        self.details = c.page.locator(".hb-details")

    def sign_in(self) -> None:
        page = self.page
        self.c.open(self.salon.url)
        self.c.sign_in(self.salon.slug, self.salon.owner_email, PASSWORD)
        # The appointment book (a salon with open set-up steps opens on its checklist).
        page.locator('[data-nav="day"]').click()
        page.locator("#hb-day-title").wait_for()

    def unlock(self) -> None:
        self.c.unlock(self.salon.passphrase)

    def go_to_day(self, day: date) -> None:
        page = self.page
        with page.expect_response(lambda r: "/v1/schedule?" in r.url and day.isoformat() in r.url):
            page.locator(".hb-day input[type=date]").fill(day.isoformat())
        page.locator(f'.hb-col[data-date="{day}"]').first.wait_for()

    def free_time(self, hm: str) -> None:
        pick_time(self.details, hm)

    def open_booking(self, person: str, day: date) -> None:
        t, d = self.t, self.details
        self.page.get_by_role("button", name=t["new"], exact=True).click()
        d.get_by_role("heading", name=t["new"]).wait_for()
        assert self.c.focus()["tag"] == "h2"
        d.get_by_label(t["service"], exact=True).select_option(label=t["service_option"])
        d.get_by_label(t["person"], exact=True).select_option(label=person)
        with self.page.expect_response(
            lambda r: "/v1/availability?" in r.url and "staff_id" in r.url
        ):
            d.get_by_label(t["date"], exact=True).fill(day.isoformat())
        d.locator(".hb-time").first.wait_for()

    def book(self) -> int:
        """Book; the new appointment's details show, its id returned."""
        t, d = self.t, self.details
        with self.page.expect_response(
            lambda r: r.url.endswith("/v1/appointments") and r.request.method == "POST"
        ) as posted:
            d.get_by_role("button", name=t["book"]).click()
        assert posted.value.status == 201, posted.value.text()
        d.get_by_role("status").filter(has_text=t["booked"]).wait_for()
        return posted.value.json()["id"]


def poll(c: Console):
    """The appointment book's next poll (20 s on the browser's clock)."""
    with c.page.expect_response(lambda r: "/v1/appointments?" in r.url) as polled:
        c.page.clock.fast_forward("00:21")
    return polled.value


def test_owner_books_moves_and_sees_the_week(browser, service, day_salon):
    salon = day_salon
    api = salon.api
    D = salon.booking_day
    t = TEXTS["de"]
    typed_name = f"Nele Neukundin-{secrets.token_hex(4)}"
    typed_phone = f"+49 171 {secrets.randbelow(10**7):07d}"
    typed_mail = f"nele.{secrets.token_hex(4)}@example.org"
    c = Console(browser, "test_console_day/owner-de-1024", lang="de", width=1024, height=768)
    b = Book(c, salon)
    with watched(c):
        b.sign_in()
        c.screen("day-today")
        b.go_to_day(D)

        # --- shading: Mara's lunch break, and the working day's edges -----------------------------
        mara = c.page.locator(f'.hb-col[data-staff="{salon.team["Mara"]}"]')
        shades = mara.locator(".hb-shade-off").evaluate_all(
            "(ns) => ns.map((n) => [n.style.top, n.style.height])"
        )
        lunch_top = (int(LUNCH[0][:2]) * 60 + int(LUNCH[0][3:]) - GRID_START) * PX_PER_MIN
        assert [f"{lunch_top:g}px", f"{60 * PX_PER_MIN:g}px"] in shades, shades
        jonas = c.page.locator(f'.hb-col[data-staff="{salon.team["Jonas"]}"]')
        assert jonas.locator(".hb-shade-off").count() == 0  # works the whole shown range
        assert "12:30" in mara.locator("[data-hours]").inner_text()
        c.screen("day-locked-shaded")

        # --- the closure, shaded with its label in every column -------------------------------------
        b.go_to_day(salon.closed_day)
        closed = c.page.locator(".hb-shade-closure")
        assert closed.count() == 2, closed.count()
        assert closed.first.inner_text() == f"{t['closure']}: {CLOSURE_LABEL}"
        c.screen("day-closure")
        b.go_to_day(D)

        # --- booking while client data is locked: the form says to unlock first --------------------
        b.open_booking("Mara Stylist", D)
        b.details.get_by_label(t["new_client"]).check()
        b.details.get_by_text(t["locked_hint"]).wait_for()
        c.screen("book-locked")
        b.unlock()
        assert b.details.get_by_text(t["locked_hint"]).count() == 0  # the form followed

        # --- a caller, new client: typed here, sealed here ----------------------------------------
        times = b.details.locator(".hb-time label").all_inner_texts()
        assert "10:00" in times and "12:45" not in times, times  # her lunch is not offered
        b.free_time("10:00")
        b.details.get_by_label(t["name"], exact=True).fill(typed_name)
        b.details.get_by_label(t["phone"], exact=True).fill(typed_phone)
        b.details.get_by_label(t["mail"], exact=True).fill(typed_mail)
        c.screen("book-new-client")
        new_id = b.book()
        assert b.details.get_by_text(typed_name).count() == 1  # opened again, here
        block = c.page.locator(f'.hb-appt[data-appt="{new_id}"]')
        assert block.locator(".hb-appt-name").inner_text() == typed_name
        c.screen("booked-new-client")
        made = api.appointments.get(new_id)
        assert made.staff_id == salon.team["Mara"] and made.source == "phone"
        assert made.start == local(D, "10:00")
        assert made.client.profile == {
            "name": typed_name,
            "phone": typed_phone,
            "email": typed_mail,
        }
        assert api.clients.lookup(email=typed_mail).id == made.client_id  # contacts indexed
        [posted] = [x for x in c.sent_bodies("POST", "/v1/appointments") if "client" in x]
        assert set(posted["client"]) == {"client_key", "sealed_profile", "key_version", "contacts"}
        assert set(posted["client"]["sealed_profile"]) == {"name", "phone", "email"}

        # --- a returning client, found by phone ---------------------------------------------------
        b.open_booking("Jonas Stylist", D)
        b.details.get_by_label(t["returning"]).check()
        b.details.get_by_label(t["lookup"], exact=True).fill(salon.returning_phone)
        b.details.get_by_role("button", name=t["find"], exact=True).click()
        b.details.get_by_text(t["found"] + salon.returning_name).wait_for()
        b.free_time("11:00")
        c.screen("book-returning")
        returning_id = b.book()
        again = api.appointments.get(returning_id)
        assert again.client_id == salon.returning_id and again.staff_id == salon.team["Jonas"]
        assert again.start == local(D, "11:00")

        # --- move the new client's appointment to Jonas at 15:00 -----------------------------------
        block.click()
        b.details.get_by_role("button", name=t["move"], exact=True).click()
        b.details.get_by_label(t["person"], exact=True).select_option(label="Jonas Stylist")
        b.details.locator(".hb-time").first.wait_for()
        b.free_time("15:00")
        c.screen("move")
        b.details.get_by_role("button", name=t["move_submit"]).click()
        b.details.get_by_role("status").filter(has_text=t["moved"]).wait_for()
        moved = api.appointments.get(new_id)
        assert moved.staff_id == salon.team["Jonas"] and moved.start == local(D, "15:00")
        assert jonas.locator(f'.hb-appt[data-appt="{new_id}"]').count() == 1
        c.screen("moved")
        patched = c.sent("PATCH", f"/{new_id}")
        assert len(patched) == 1, patched

        # --- someone else moves the returning client's appointment meanwhile ----------------------
        c.page.locator(f'.hb-appt[data-appt="{returning_id}"]').click()
        b.details.get_by_role("button", name=t["move"], exact=True).click()
        b.details.locator(".hb-time").first.wait_for()
        b.free_time("16:00")
        api.appointments.move(returning_id, start=local(D, "17:00"))
        b.details.get_by_role("button", name=t["move_submit"]).click()
        b.details.get_by_role("alert").filter(has_text=t["changed"]).wait_for()
        assert api.appointments.get(returning_id).start == local(D, "17:00")  # not moved again
        assert "17:00" in c.page.locator(f'.hb-appt[data-appt="{returning_id}"]').inner_text()
        c.screen("move-changed-meanwhile")

        # --- the week: the team's counts, then Jonas's seven days --------------------------------
        c.page.get_by_role("button", name=t["week"], exact=True).click()
        cell = c.page.locator(
            f'.hb-week tr[data-staff="{salon.team["Jonas"]}"] td[data-date="{D}"]'
        )
        cell.locator(f'[data-appt="{new_id}"]').wait_for()
        assert cell.locator(".hb-count").inner_text() == "2 Termine"
        closed_cell = c.page.locator(f'.hb-week td[data-date="{salon.closed_day}"]').first
        assert CLOSURE_LABEL in closed_cell.inner_text()
        assert "hb-cell-closure" in closed_cell.get_attribute("class")
        c.screen("week-team")
        c.page.get_by_label(t["who"], exact=True).select_option(label="Jonas Stylist")
        column = c.page.locator(f'.hb-col[data-date="{D}"]')
        column.locator(f'.hb-appt[data-appt="{new_id}"]').wait_for()
        assert c.page.locator(".hb-col").count() == 7
        assert c.page.locator(f'.hb-col[data-date="{salon.closed_day}"] .hb-shade-closure').count()
        c.page.locator(f'.hb-appt[data-appt="{new_id}"]').focus()
        c.page.keyboard.press("Enter")
        b.details.get_by_role("heading", name=re.compile(r"^Termin ")).wait_for()
        assert typed_name in b.details.inner_text()
        c.screen("week-person")

        assert_nothing_kept([c], {"passphrase": salon.passphrase, "new client's name": typed_name})
        c.assert_clean()


def test_booking_and_week_at_360_in_english(browser, service, day_salon):
    salon = day_salon
    D = salon.booking_day
    t = TEXTS["en"]
    typed_name = f"Walter Walkin-{secrets.token_hex(4)}"
    c = Console(browser, "test_console_day/owner-en-360", lang="en", width=360, height=740)
    b = Book(c, salon)
    with watched(c):
        b.sign_in()
        b.unlock()
        b.go_to_day(D)
        c.screen("day")
        b.open_booking("Mara Stylist", D)
        b.details.get_by_label(t["new_client"]).check()
        b.details.get_by_label(t["name"], exact=True).fill(typed_name)

        # --- the chosen time is taken meanwhile: said plainly, the times read again --------------
        b.free_time("09:00")
        salon.api.appointments.create(
            salon.service_id, salon.team["Mara"], local(D, "09:00"), source="walk_in"
        )
        with c.page.expect_response(lambda r: "/v1/availability?" in r.url):
            b.details.get_by_role("button", name=t["book"]).click()
        b.details.get_by_role("alert").filter(has_text="just taken by someone else").wait_for()
        b.details.locator(".hb-time").first.wait_for()
        assert "09:00" not in b.details.locator(".hb-time label").all_inner_texts()
        c.screen("book-slot-taken")
        b.free_time("18:00")
        c.screen("book-new-client")
        new_id = b.book()
        assert salon.api.appointments.get(new_id).client.profile == {"name": typed_name}
        c.screen("booked")
        c.page.get_by_role("button", name=t["week"], exact=True).click()
        c.page.locator(f'.hb-week [data-appt="{new_id}"]').wait_for()
        c.screen("week-team")
        c.page.get_by_label(t["who"], exact=True).select_option(label="Mara Stylist")
        c.page.locator(f'.hb-col .hb-appt[data-appt="{new_id}"]').wait_for()
        c.screen("week-person")

        # --- polling: an unchanged week costs a bodiless 304; a new booking shows up ------------
        polled = poll(c)
        assert polled.status == 304 and polled.request.headers.get("if-none-match"), polled
        assert polled.headers.get("content-length", "0") == "0"  # no body
        assert c.page.locator(f'.hb-col .hb-appt[data-appt="{new_id}"]').count() == 1
        assert c.page.locator(".hb-day .hb-alert").inner_text() == ""  # "unchanged", no error
        other = salon.api.appointments.create(
            salon.service_id, salon.team["Mara"], local(D, "08:00"), source="walk_in"
        )
        polled = poll(c)
        assert polled.status == 200, polled
        c.page.locator(f'.hb-col .hb-appt[data-appt="{other.id}"]').wait_for()
        c.page.locator(".hb-console > [role=status]").filter(
            has_text="1 new appointment this week"
        ).wait_for()

        # --- a move whose If-Match no longer holds (412): said plainly, nothing moved ------------
        c.page.locator(f'.hb-appt[data-appt="{new_id}"]').click()
        b.details.get_by_role("button", name=t["move"], exact=True).click()
        b.details.locator(".hb-time").first.wait_for()
        b.free_time("19:00")

        def stale(route):
            route.continue_(headers={**route.request.headers, "if-match": '"stale"'})

        c.page.route(f"**/v1/appointments/{new_id}", stale)
        with c.page.expect_response(lambda r: r.request.method == "PATCH") as patched:
            b.details.get_by_role("button", name=t["move_submit"]).click()
        assert patched.value.status == 412
        c.page.unroute(f"**/v1/appointments/{new_id}")
        b.details.get_by_role("alert").filter(has_text=t["changed"]).wait_for()
        assert salon.api.appointments.get(new_id).start == local(D, "18:00")
        c.screen("move-412")

        assert_nothing_kept([c], {"passphrase": salon.passphrase, "new client's name": typed_name})
        c.assert_clean()


def test_stylist_sees_her_week_and_why_she_cannot_book(browser, service, day_salon):
    """The ``staff`` role at 360 px, in German: her own column and week (lunch
    shaded), no team overview, and a plain reason instead of the booking button."""
    salon = day_salon
    api = salon.api
    D = salon.booking_day
    c = Console(browser, "test_console_day/stylist-de-360", lang="de", width=360, height=740)
    with watched(c):
        c.open(salon.url)
        c.sign_in(salon.slug, salon.email("Mara"), PASSWORD)
        c.page.locator("#hb-day-title").wait_for()
        why = c.page.locator(".hb-why-not")
        assert why.inner_text().startswith("Mit Ihrer Rolle können Sie keine Termine buchen")
        assert c.page.get_by_role("button", name=TEXTS["de"]["new"]).count() == 0
        with c.page.expect_response(lambda r: "/v1/schedule?" in r.url and str(D) in r.url):
            c.page.locator(".hb-day input[type=date]").fill(D.isoformat())
        c.page.locator(f'.hb-col[data-date="{D}"]').wait_for()
        assert c.page.locator(".hb-col h3").all_inner_texts() == ["Mara Stylist"]
        assert c.page.locator(".hb-col .hb-shade-off").count() >= 1  # her lunch
        c.screen("day")
        c.page.get_by_role("button", name=TEXTS["de"]["week"], exact=True).click()
        c.page.locator(".hb-grid-week").wait_for()
        assert c.page.locator(".hb-col").count() == 7
        assert c.page.get_by_label(TEXTS["de"]["who"]).count() == 0  # her own week only
        monday = D - timedelta(days=D.weekday())
        hers = {
            a.id
            for a in api.appointments.list(date_from=monday, date_to=monday + timedelta(days=7))
            if a.staff_id == salon.team["Mara"] and a.status in ("pending", "confirmed")
        }
        shown = c.page.locator(".hb-appt").evaluate_all(
            "(ns) => ns.map((n) => Number(n.getAttribute('data-appt')))"
        )
        assert set(shown) == hers and hers, (shown, hers)
        assert c.page.locator(".hb-shade-off").count() >= 7  # a lunch every day
        c.screen("week")

        # A link to one of her appointments (as staff mails carry) opens its day
        # and its details after signing in (a reload signs out: tokens live in memory).
        mine = min(hers)
        starts = api.appointments.get(mine).start.astimezone(TZ).date()
        c.page.goto(f"{salon.url}/console/?lang=de&appointment={mine}")
        c.sign_in(salon.slug, salon.email("Mara"), PASSWORD)
        c.page.locator(f'.hb-appt[data-appt="{mine}"][aria-current="true"]').wait_for()
        c.page.locator("#hb-details-title").wait_for()
        assert c.page.locator(f'.hb-col[data-date="{starts}"]').count() == 1
        c.screen("linked-appointment")
        c.assert_clean()
