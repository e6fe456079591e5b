"""The staff console (``/console/``) against the real service, worker and SMTP.

A salon of its own (the shared Studio Lumen keeps its test-cost vault): the
owner has a one-time password and a vault at the real scrypt floor (log_n 16,
so the browser's scrypt really runs), two stylists work every day, stealth is
on. A customer books on ``/book/{slug}`` and confirms by mail; then, in the
console, the owner changes the one-time password, unlocks client data with the
vault passphrase, finds the booking with exactly the name the customer typed,
marks it completed once the (moved) clock says it started, is refreshed
silently, locked when idle and signs out. A stylist (``staff`` role) sees only
her own column and is signed out at her next request after the owner
deactivates her. Every screen is screenshotted and checked with axe-core, in
German and English, at 1024x768 and 360 px wide; afterwards the browser's
storage holds nothing and no request carried the passphrase.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

import pytest

from .consoles import (
    DE,
    EN,
    NOTICE,
    TZ,
    Console,
    OperatorSalon,
    assert_nothing_kept,
    block_of,
    change_password,
    go_to_day,
    operator_salon,
    password_login,
    set_password,
    watched,
)
from .flows import book_with_mouse, confirm_by_mail_link
from .support import SUMMARY, new_customer

pytestmark = pytest.mark.system

SLUG = "salon-konsole"
SERVICE = "Cut and style"
NEW_OWNER_PASSWORD = "Konsole-Chefin-Pass-2030"
NEW_STYLIST_PASSWORD = "Stylistin-Eigen-7781!"


@pytest.fixture(scope="module")
def console_salon(service) -> OperatorSalon:
    """The salon as its owner set it up (vault at the real floor, stealth, notice,
    two stylists, a service) — then the owner's password reset to a one-time
    password, as if the operator had just created the business."""
    salon = operator_salon(
        service,
        SLUG,
        "Salon Konsole E2E",
        vault_passphrase=f"konsole vault {secrets.token_hex(4)} passphrase",
        settings={"stealth_mode": True, "show_staff_names": True},
        notices=NOTICE,
    )
    salon.team, salon.otps = {}, {}
    for name in ("Mara", "Jonas"):
        member = salon.stylist(name)
        salon.team[name] = member.id
        salon.otps[name] = member.one_time_password
        assert salon.otps[name]
    salon.service_id = salon.api.services.create(
        SERVICE, 45, list(salon.team.values()), price_cents=5200
    ).id
    salon.owner_otp = f"Einmal-{secrets.token_urlsafe(10)}-9a"
    set_password(service, salon.owner_id, salon.owner_otp, must_change=True, sign_out=True)
    return salon


def measure_polling(service, salon: OperatorSalon, day: date) -> None:
    """What one poll of the day view costs, for docs/console.md: a full answer, and
    an unchanged one (the console sends the list's ETag back as If-None-Match)."""
    import statistics
    import time

    import requests

    answer = password_login(service.url, salon.slug, salon.owner_email, NEW_OWNER_PASSWORD)
    token = answer.json()["access_token"]
    url = (
        f"{service.url}/v1/appointments?from={day}T00:00:00"
        f"&to={day + timedelta(days=1)}T00:00:00&page_size=100&page=1"
    )
    auth = {"Authorization": f"Bearer {token}"}

    def timed(headers: dict) -> tuple[list[float], requests.Response]:
        times: list[float] = []
        for _ in range(20):
            began = time.perf_counter()
            res = requests.get(url, headers=headers, timeout=10)
            times.append((time.perf_counter() - began) * 1000)
        return times, res

    full_times, full = timed(auth)
    assert full.status_code == 200 and full.headers["ETag"].startswith('W/"'), full.headers
    count = len(full.json())
    same_times, same = timed({**auth, "If-None-Match": full.headers["ETag"]})
    assert same.status_code == 304 and same.content == b"", same.status_code
    note = (
        f"console poll (GET /v1/appointments, one day, {count} appointments): "
        f"full {len(full.content)} bytes, median {statistics.median(full_times):.1f} ms, "
        f"max {max(full_times):.1f} ms; unchanged (If-None-Match -> 304) "
        f"{len(same.content)} bytes, median {statistics.median(same_times):.1f} ms, "
        f"max {max(same_times):.1f} ms"
    )
    print(note)
    SUMMARY.notes.append(note)


def test_owner_console_unlock_complete_lock(browser, service, console_salon, visit):
    salon = console_salon
    customer = new_customer("mouse", "console", first="Carla", phone=False)

    # --- a customer books online and confirms by mail -------------------------------------------
    booked = book_with_mouse(
        visit, f"{service.url}/book/{salon.slug}?lang=en", customer, SERVICE, "Afternoon"
    )
    confirm_by_mail_link(visit, service, customer, keyboard=False)
    owner_api = None
    c = Console(browser, f"{visit.test_name}/owner-de-1024", lang="de", width=1024, height=768)
    # the real time again afterwards, for every later test
    with watched(c, afterwards=lambda: service.clock.write_text("")):
        # --- sign in with the one-time password, choose an own one ---------------------------------
        c.open(service.url)
        c.page.get_by_role("heading", name="Bei Ihrem Salon anmelden").wait_for()
        c.screen("signin")
        c.sign_in(salon.slug, salon.owner_email, "wrong password 123", DE)
        c.page.get_by_role("alert").filter(has_text="stimmen nicht").wait_for()
        c.screen("signin-error")
        c.page.get_by_label("Passwort", exact=True).fill(salon.owner_otp)
        c.page.get_by_role("button", name="Anmelden").click()
        c.page.get_by_role("heading", name="Eigenes Passwort wählen").wait_for()
        c.screen("password-change")
        change_password(c, DE, "kurz")
        c.page.get_by_role("alert").filter(has_text="nicht angenommen").wait_for()
        c.screen("password-rejected")
        change_password(c, DE, NEW_OWNER_PASSWORD)
        c.page.get_by_role("heading", name="Kundendaten").wait_for()
        owner_api = salon.login(NEW_OWNER_PASSWORD)

        # --- the booking, with exactly the name the customer typed ----------------------------------
        today = date.today()
        found = [
            a
            for a in owner_api.appointments.list(
                date_from=today - timedelta(days=1), date_to=today + timedelta(days=21)
            )
            if a.client is not None and a.client.profile.get("name") == customer.name
        ]
        assert len(found) == 1 and found[0].status == "confirmed", found
        appt = found[0]
        local_start = appt.start.astimezone(TZ)
        stylist = next(n for n, i in salon.team.items() if i == appt.staff_id)
        assert booked.offer.endswith(f"with {stylist}"), booked

        columns = c.page.locator(".hb-col h3")
        assert sorted(columns.all_inner_texts()) == ["Jonas Stylist", "Mara Stylist"]
        c.screen("day-today")
        go_to_day(c, local_start.date())
        block = block_of(c, appt.id)
        block.wait_for()
        assert block.locator(".hb-appt-name").inner_text() == DE["locked_name"]
        assert customer.name not in c.page.content()
        c.screen("day-locked")

        # --- unlock client data with the vault passphrase (never sent) ------------------------------
        field = c.page.get_by_label(DE["passphrase"], exact=True)
        field.fill("not my passphrase at all")
        c.page.get_by_role("button", name=DE["unlock"], exact=True).click()
        c.page.get_by_role("alert").filter(has_text="öffnet Ihren Schlüssel nicht").wait_for(
            timeout=60_000
        )
        c.screen("unlock-wrong")
        c.unlock(salon.passphrase)
        assert field.count() == 0 or field.input_value() == ""
        name = block.locator(".hb-appt-name")
        assert name.inner_text() == customer.name, name.inner_text()  # exactly as typed
        assert f"{local_start:%H:%M}" in block.inner_text() and SERVICE in block.inner_text()
        assert stylist in c.page.locator(f'.hb-col[data-staff="{appt.staff_id}"] h3').inner_text()
        c.screen("day-unlocked")

        # --- details: not started yet, so only cancelling is offered ---------------------------------
        block.focus()
        c.page.keyboard.press("Enter")  # blocks are buttons
        details = c.page.locator(".hb-details")
        details.get_by_role("heading", name=re.compile(r"^Termin ")).wait_for()
        assert c.focus()["tag"] == "h2"
        assert customer.name in details.inner_text()
        assert details.get_by_role("button", name="Termin absagen").is_visible()
        assert details.get_by_role("button", name="Als erledigt markieren").count() == 0
        c.screen("details")
        c.page.keyboard.press("Escape")
        assert c.focus()["tag"] == "button"  # back on the block

        # --- the clock moves past the start: mark it completed ---------------------------------------
        started = appt.start + timedelta(minutes=10)
        service.clock.write_text(started.isoformat())
        c.page.clock.set_system_time(started)
        block.click()
        complete = details.get_by_role("button", name="Als erledigt markieren")
        complete.wait_for()
        assert details.get_by_role("button", name="Als nicht erschienen markieren").is_visible()
        c.screen("details-started")
        complete.click()
        details.get_by_role("status").filter(has_text="Als erledigt markiert.").wait_for()
        assert "Erledigt" in block.inner_text()
        assert owner_api.appointments.get(appt.id).status == "completed"
        c.screen("completed")
        assert details.get_by_role("button", name="Als erledigt markieren").count() == 0

        # --- silent refresh before the access token expires (rotating) -------------------------------
        c.page.mouse.move(10, 10)
        with c.page.expect_response(lambda r: r.url.endswith("/v1/auth/refresh")) as refreshed:
            c.page.clock.fast_forward("14:30")
        assert refreshed.value.status == 200
        c.page.mouse.move(20, 20)  # activity: the idle timer starts again
        next_day = f"from={local_start.date() + timedelta(days=1)}"  # not a poll of this day
        with c.page.expect_response(
            lambda r: "/v1/appointments?" in r.url and next_day in r.url
        ) as reload:
            c.page.get_by_role("button", name="Nächster Tag").click()
        assert reload.value.status == 200  # the new access token works
        assert c.page.get_by_role("heading", name="Bildschirm gesperrt").count() == 0

        # --- idle: the screen locks and the keys are forgotten ---------------------------------------
        c.page.clock.fast_forward("16:00")
        c.page.get_by_role("heading", name="Bildschirm gesperrt").wait_for()
        assert customer.name not in c.page.content()
        c.screen("locked")
        c.page.get_by_label("Passwort", exact=True).fill(NEW_OWNER_PASSWORD)
        c.page.get_by_role("button", name="Weiter").click()
        c.page.get_by_label(DE["passphrase"], exact=True).wait_for()  # the vault is locked again
        go_to_day(c, local_start.date())
        assert block.locator(".hb-appt-name").inner_text() == DE["locked_name"]

        # --- sign out: everything forgotten ---------------------------------------------------------
        c.page.get_by_role("button", name="Abmelden").click()
        c.page.get_by_text("Sie sind abgemeldet.").wait_for()
        assert customer.name not in c.page.content()
        c.screen("signed-out")
        assert_nothing_kept([c], {"passphrase": salon.passphrase, "client name": customer.name})
        c.assert_clean()
    visit.assert_clean()


def test_stylist_sees_her_column_and_is_refused_once_deactivated(browser, service, console_salon):
    salon = console_salon
    owner_api = salon.login(NEW_OWNER_PASSWORD)
    tomorrow = date.today() + timedelta(days=1)
    tag = secrets.token_hex(3)
    booked = {}
    for name, hour in (("Mara", 10), ("Jonas", 11)):
        booked[name] = owner_api.appointments.create(
            salon.service_id,
            salon.team[name],
            datetime(tomorrow.year, tomorrow.month, tomorrow.day, hour, tzinfo=TZ),
            new_client={"name": f"Telefon Kundin {name} {tag}"},
        )
    test_name = "test_stylist_sees_her_column_and_is_refused_once_deactivated"
    measure_polling(service, salon, tomorrow)

    # --- the owner, in English at 1024x768: both columns, names opened, cancel ----------------------
    o = Console(browser, f"{test_name}/owner-en-1024", lang="en", width=1024, height=768)
    m = Console(browser, f"{test_name}/stylist-en-360", lang="en", width=360, height=740)
    with watched(o, m):
        o.open(service.url)
        o.page.get_by_role("heading", name="Sign in to your salon").wait_for()
        o.screen("signin")
        o.sign_in(salon.slug, salon.owner_email, NEW_OWNER_PASSWORD, EN)
        o.page.get_by_role("heading", name="Client data").wait_for()
        o.page.get_by_role("button", name="Next day").click()
        block_of(o, booked["Jonas"].id).wait_for()
        o.screen("day-locked")
        o.unlock(salon.passphrase)
        for name in ("Mara", "Jonas"):
            shown = block_of(o, booked[name].id).locator(".hb-appt-name").inner_text()
            assert shown == f"Telefon Kundin {name} {tag}", shown
        o.screen("day-unlocked")
        block_of(o, booked["Jonas"].id).click()
        details = o.page.locator(".hb-details")
        details.get_by_role("button", name="Cancel appointment").click()
        details.get_by_text("Really cancel?").wait_for()
        o.screen("cancel-confirm")
        details.get_by_role("button", name="Yes, cancel").click()
        details.get_by_role("status").filter(has_text="The appointment is cancelled.").wait_for()
        o.page.locator(".hb-other").get_by_text("Cancelled").first.wait_for()
        assert block_of(o, booked["Jonas"].id).count() == 0  # out of the grid: the time is free
        assert o.page.locator(f'.hb-other [data-appt="{booked["Jonas"].id}"]').count() == 1
        assert owner_api.appointments.get(booked["Jonas"].id).status == "cancelled"
        o.screen("cancelled")

        # --- the stylist, 360 px wide, first login: only her own column ----------------------------
        m.open(service.url)
        m.page.get_by_role("heading", name="Sign in to your salon").wait_for()
        m.screen("signin")
        m.sign_in(salon.slug, f"mara@{salon.slug}.test", salon.otps["Mara"], EN)
        m.page.get_by_role("heading", name="Choose your own password").wait_for()
        m.screen("password-change")
        change_password(m, EN, NEW_STYLIST_PASSWORD)
        m.page.locator(".hb-col").first.wait_for()
        m.page.get_by_role("button", name="Next day").click()
        block_of(m, booked["Mara"].id).wait_for()
        assert m.page.locator(".hb-col h3").all_inner_texts() == ["Mara Stylist"]
        assert block_of(m, booked["Jonas"].id).count() == 0
        hers = {
            a.id
            for a in owner_api.appointments.list(
                date_from=tomorrow, date_to=tomorrow + timedelta(days=1)
            )
            if a.staff_id == salon.team["Mara"] and a.status not in ("cancelled", "expired")
        }
        shown = m.page.locator(".hb-appt")
        assert {int(shown.nth(i).get_attribute("data-appt")) for i in range(shown.count())} == hers
        mine = block_of(m, booked["Mara"].id)
        assert mine.locator(".hb-appt-name").inner_text() == EN["locked_name"]
        assert "no vault key yet" in m.page.locator(".hb-vault").inner_text()
        m.screen("day")
        mine.click()
        m.page.locator(".hb-details").get_by_role("heading").wait_for()
        assert m.page.locator(".hb-details .hb-actions button").count() == 0  # staff may not act
        m.screen("details")

        # --- the owner deactivates her: her open console is refused at its next request ---------------
        owner_api.staff.deactivate(salon.team["Mara"])
        with m.page.expect_response(lambda r: "/v1/appointments?" in r.url) as polled:
            m.page.clock.fast_forward("00:21")  # the next poll
        assert polled.value.status == 401
        m.page.get_by_role("alert").filter(has_text="You have been signed out").wait_for()
        m.page.get_by_role("heading", name="Sign in to your salon").wait_for()
        assert "Telefon Kundin" not in m.page.content()
        m.screen("signed-out-deactivated")

        # --- the owner's screen locks (English) ----------------------------------------------------
        o.page.clock.fast_forward("16:00")
        o.page.get_by_role("heading", name="Screen locked").wait_for()
        assert "Telefon Kundin" not in o.page.content()
        o.screen("locked")
        o.page.get_by_role("button", name="Sign in as someone else").click()
        o.page.get_by_role("heading", name="Sign in to your salon").wait_for()

        assert_nothing_kept(
            [o, m],
            {
                "passphrase": salon.passphrase,
                "client name": f"Telefon Kundin Mara {tag}",
                "other client name": f"Telefon Kundin Jonas {tag}",
            },
        )
        o.assert_clean()
        m.assert_clean()
