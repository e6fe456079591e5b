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

import json
import re
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from support.config import PASSWORD, SCRYPT_LOG_N

from .flows import book_with_mouse, confirm_by_mail_link
from .support import SUMMARY, Visit, new_customer

pytestmark = pytest.mark.system

SLUG = "salon-konsole"
TZ = ZoneInfo("Europe/Berlin")
SERVICE = "Cut and style"
WEEK = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
NOTICE = {
    "en": "We use your details only to manage your appointment and delete them afterwards.",
    "de": "Wir verarbeiten Ihre Daten nur für den Termin und löschen sie danach.",
}
NEW_OWNER_PASSWORD = "Konsole-Chefin-Pass-2030"
NEW_STYLIST_PASSWORD = "Stylistin-Eigen-7781!"
VAULT_LOG_N = 16  # the real floor: the browser's scrypt really runs (64 MiB)

STORAGE_JS = """
async () => {
  const out = {local: [], session: [], cookies: document.cookie, idb: [], caches: []};
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i); out.local.push(k + "=" + localStorage.getItem(k));
  }
  for (let i = 0; i < sessionStorage.length; i++) {
    const k = sessionStorage.key(i); out.session.push(k + "=" + sessionStorage.getItem(k));
  }
  if (indexedDB.databases) out.idb = (await indexedDB.databases()).map((d) => d.name);
  if (window.caches) {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        out.caches.push(name + " " + req.url + " " + (res ? await res.text() : ""));
      }
    }
  }
  return out;
}
"""


class ConsoleSalon:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.fixture(scope="module")
def console_salon(service):
    """The salon as its owner set it up (vault, stealth, notice, two stylists,
    a service) — then the owner's password reset to a one-time password, as if
    the operator had just created the business."""
    import hushbook
    from hushbook_service.accounts.passwords import hash_password
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.models import Staff
    from hushbook_service.privacy.vault import setup_locally

    tag = secrets.token_hex(4)
    passphrase = f"konsole vault {tag} passphrase"
    owner_otp = f"Einmal-{secrets.token_urlsafe(10)}-9a"
    with service.app.app_context(), database.connection_context():
        tenant, owner, _ = create_tenant(
            SLUG,
            "Salon Konsole E2E",
            f"owner@{SLUG}.test",
            owner_name="Olga Owner",
            timezone="Europe/Berlin",
            locale="de",
            scrypt_log_n=SCRYPT_LOG_N,
        )
        owner.password_hash = hash_password(PASSWORD, SCRYPT_LOG_N)
        owner.must_change_password = False
        owner.save()
        setup_locally(tenant, owner, passphrase, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)
        owner_id, tenant_id = owner.id, tenant.id

    client = hushbook.Client.login(service.url, SLUG, f"owner@{SLUG}.test", PASSWORD)
    client.tenant.update(stealth_mode=True, show_staff_names=True)
    for locale, text in NOTICE.items():
        client.tenant.publish_privacy_notice(locale, text)
    team, otps = {}, {}
    for name in ("Mara", "Jonas"):
        member = client.staff.create(
            f"{name.lower()}@{SLUG}.test", f"{name} Stylist", "staff", public_name=name
        )
        client.working_hours.set(member, WEEK)
        team[name] = member.id
        otps[name] = member.one_time_password
        assert otps[name]
    service_id = client.services.create(SERVICE, 45, list(team.values()), price_cents=5200).id

    with service.app.app_context(), database.connection_context():
        Staff.update(
            password_hash=hash_password(owner_otp, SCRYPT_LOG_N),
            must_change_password=True,
            token_version=Staff.token_version + 1,
        ).where(Staff.id == owner_id).execute()

    return ConsoleSalon(
        slug=SLUG,
        tenant_id=tenant_id,
        owner_email=f"owner@{SLUG}.test",
        owner_otp=owner_otp,
        passphrase=passphrase,
        team=team,
        otps=otps,
        service_id=service_id,
        url=service.url,
    )


def owner_sdk(salon: ConsoleSalon, password: str = NEW_OWNER_PASSWORD):
    import hushbook

    client = hushbook.Client.login(salon.url, salon.slug, salon.owner_email, password)
    client.vault = hushbook.Vault(client)
    client.vault.unlock(salon.passphrase)
    return client


class Console(Visit):
    """One person's console: its own browser context (fake clock installed, so
    the test can move the browser's time), requests recorded."""

    def __init__(self, browser, folder: str, *, lang: str, width: int, height: int) -> None:
        context = browser.new_context(
            locale="de-DE" if lang == "de" else "en-GB",
            timezone_id="Europe/Berlin",
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(30_000)
        context.clock.install()  # time flows naturally until the test moves it
        super().__init__(context, folder)
        self.lang = lang
        self.width = width
        self.requests: list[tuple[str, str, str]] = []
        context.on("request", self._record)

    def _record(self, request) -> None:
        try:
            body = request.post_data or ""
        except Exception:  # noqa: BLE001 - a binary body is no JSON field either
            body = ""
        self.requests.append((request.method, request.url, body))

    def open(self, base: str) -> None:
        self.page.goto(f"{base}/console/?lang={self.lang}")

    def screen(self, step: str) -> None:
        """Screenshot, axe-core on the whole page, and no sideways scrolling."""
        self.page.wait_for_timeout(150)
        self.shot(f"{self.lang}-{step}")
        self.axe(f"{self.lang}-{step}", include=None)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.width, f"{step}: the page scrolls sideways ({width} px)"

    def sign_in(self, salon: str, email: str, password: str, texts: dict) -> None:
        page = self.page
        page.get_by_label(texts["tenant"], exact=True).fill(salon)
        page.get_by_label(texts["email"], exact=True).fill(email)
        page.get_by_label(texts["password"], exact=True).fill(password)
        page.get_by_role("button", name=texts["signin"]).click()

    def failed(self) -> None:
        """On a failure: the screen as it is, and what the page said."""
        try:
            self.shot("failure")
            print(f"console errors: {self.errors}; console: {self.console[-20:]}")
            print(
                "page: " + self.page.evaluate("document.body.outerHTML")[:3000].replace("\n", " ")
            )
        except Exception:  # noqa: BLE001, S110 - a report, not a check
            pass

    def storage(self) -> dict:
        return self.page.evaluate(STORAGE_JS)


DE = {
    "tenant": "Salon",
    "email": "E-Mail",
    "password": "Passwort",
    "signin": "Anmelden",
    "new": "Neues Passwort",
    "repeat": "Neues Passwort wiederholen",
    "save": "Passwort speichern",
    "passphrase": "Tresor-Passphrase",
    "unlock": "Entsperren",
    "locked_name": "Kundendaten gesperrt",
}
EN = {
    "tenant": "Salon",
    "email": "E-mail",
    "password": "Password",
    "signin": "Sign in",
    "new": "New password",
    "repeat": "Repeat the new password",
    "save": "Save password",
    "passphrase": "Vault passphrase",
    "unlock": "Unlock",
    "locked_name": "Client data locked",
}


def change_password(c: Console, texts: dict, new: str) -> None:
    page = c.page
    page.get_by_label(texts["new"], exact=True).fill(new)
    page.get_by_label(texts["repeat"], exact=True).fill(new)
    page.get_by_role("button", name=texts["save"]).click()


def go_to_day(c: Console, day: date) -> None:
    """The date picker: type the day, as a person would pick it."""
    c.page.locator("#hb-day-title").wait_for()
    with c.page.expect_response(
        lambda r: "/v1/appointments?" in r.url and day.isoformat() in r.url
    ):
        c.page.locator("input[type=date]").fill(day.isoformat())
    c.page.locator(".hb-grid").wait_for()


def block_of(c: Console, appointment_id: int):
    return c.page.locator(f'.hb-appt[data-appt="{appointment_id}"]')


def assert_nothing_kept(consoles: list[Console], secrets_: dict[str, str]) -> None:
    """No storage of the browser holds a name or the passphrase; no request body
    carried the passphrase (nor a client's name: names are opened, never sent)."""
    for c in consoles:
        kept = c.storage()
        assert kept["local"] == [] and kept["session"] == [], kept
        assert kept["cookies"] == "" and kept["idb"] == [] and kept["caches"] == [], kept
        dump = json.dumps(kept)
        for what, value in secrets_.items():
            assert value not in dump, f"{what} in the browser's storage"
        assert c.requests, "no requests recorded"
        for method, url, body in c.requests:
            for what, value in secrets_.items():
                assert value not in body and value not in url, f"{what} sent: {method} {url}"
            if "/console/" not in url and "/static/" not in url:
                assert url.startswith(c.page.url.split("/console/")[0]), url  # one origin


def measure_polling(service, salon: ConsoleSalon, day: date) -> None:
    """What one poll of the day view costs, for docs/console.md: a full answer, and
    an unchanged one (the console sends the list's ETag back as If-None-Match)."""
    import statistics
    import time

    import requests

    token = requests.post(
        f"{service.url}/v1/auth/login",
        json={"tenant": salon.slug, "email": salon.owner_email, "password": NEW_OWNER_PASSWORD},
        timeout=10,
    ).json()["access_token"]
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
    try:
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
        owner_api = owner_sdk(salon)

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
        field.fill(salon.passphrase)
        c.page.get_by_role("button", name=DE["unlock"], exact=True).click()
        c.page.get_by_text("Die Kundendaten sind auf diesem Gerät entsperrt.").first.wait_for(
            timeout=60_000
        )
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
    except BaseException:
        c.failed()
        raise
    finally:
        service.clock.write_text("")  # the real time again, for every later test
        c.context.close()
    visit.assert_clean()


def test_stylist_sees_her_column_and_is_refused_once_deactivated(browser, service, console_salon):
    salon = console_salon
    owner_api = owner_sdk(salon)
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
    try:
        o.open(service.url)
        o.page.get_by_role("heading", name="Sign in to your salon").wait_for()
        o.screen("signin")
        o.sign_in(salon.slug, salon.owner_email, NEW_OWNER_PASSWORD, EN)
        o.page.get_by_role("heading", name="Client data").wait_for()
        o.page.get_by_role("button", name="Next day").click()
        block_of(o, booked["Jonas"].id).wait_for()
        o.screen("day-locked")
        o.page.get_by_label(EN["passphrase"], exact=True).fill(salon.passphrase)
        o.page.get_by_role("button", name=EN["unlock"], exact=True).click()
        o.page.get_by_text("Client data is unlocked on this device.").first.wait_for(timeout=60_000)
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
    except BaseException:
        o.failed()
        m.failed()
        raise
    finally:
        o.context.close()
        m.context.close()
