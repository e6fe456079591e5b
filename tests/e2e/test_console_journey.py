"""Acceptance: a salon from ``hushbook tenant create`` to its first completed
booking, done entirely in the staff console, against the real ``hushbook
serve`` + ``hushbook worker`` + SMTP, in headless Chromium.

1. The operator runs ``hushbook tenant create --json`` (a real subprocess on
   the service's database) and hands the owner her one-time password. The
   owner (German, 1024x768) signs in with it and chooses her own; the setup
   checklist comes first and names what is missing (vault, service, a
   bookable person, hours, privacy notice). In the console she creates her
   vault key and sets up client data protection, invites a receptionist and a
   stylist (their one-time passwords read from the page), makes herself
   bookable with afternoon hours (12-20), gives the stylist morning hours
   (8-12), creates a service both perform, publishes the privacy notice in
   German and English, keeps stealth mode on and shows the team's names. The
   receptionist (English, 1024x768) and the stylist (German, 360 px) each sign
   in in their own browser, choose a password and create their vault key; the
   owner gives both access; the checklist says the salon is bookable.
2. A customer books on ``/book/{slug}`` ("no preference", afternoon: only the
   owner works then) and confirms with the link in her mail.
3. The receptionist checks for access, sees the booking in the day view with
   exactly the name the customer typed, moves it to the stylist the next
   morning (the API shows it moved) and, once the service's and her browser's
   clocks say it started, marks it completed.
4. The stylist sees only her own column, with the (opened) name.
5. The owner books a caller: the customer, found by the phone she typed.
6. The owner deactivates the stylist: the stylist's open console is refused at
   its next request and says so.
7. Every console screen is screenshotted and checked with axe-core (no
   serious or critical violation) in German and in English.
8. Nothing leaks: the browsers keep nothing (web storage, IndexedDB, cookies,
   Cache Storage), no request carried a vault passphrase, a private key or the
   customer's name (the widget seals it too), and the service's database
   (raw files and a text dump), its job store and its logs hold no client
   name, phone or e-mail, no passphrase and no private key.

The vault's scrypt runs at the floor, log_n 16, through the keys screen's
test-only hook (see tests/e2e/test_console_keys.py).
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from support.config import TEST_DB_URL
from support.leak import collect_files, dump_stores, needles, scan
from support.processes import service_env

from .consoles import (
    DE,
    STORAGE_JS,
    TZ,
    VAULT_FLOOR,
    Console,
    assert_nothing_kept,
    change_password,
    enrol,
    local,
    pick_time,
    watched,
)
from .flows import book_with_mouse, confirm_by_mail_link
from .support import appointments_of, new_customer, personal_values

pytestmark = pytest.mark.system

SLUG = "salon-abnahme"
SALON = "Salon Abnahme E2E"
OWNER = "Oda Inhaberin"
OWNER_EMAIL = f"oda@{SLUG}.test"
RECEPTION = "Rita Empfang"
STYLIST = "Stella Stylistin"
SERVICE = "Schnitt und Föhnen"
PASSWORDS = {  # what each person chooses instead of the one-time password
    "owner": "Inhaberin-Eigenes-Pass-2031",
    "reception": "Empfang-Theke-Pass-4477",
    "stylist": "Schere-Kamm-Spiegel-8812",
}
NOTICES = {
    "de": "Wir verarbeiten Ihren Namen und Ihre Kontaktdaten nur für Ihren Termin "
    "und löschen sie zwei Jahre nach Ihrem letzten Besuch.",
    "en": "We process your name and contact details only for your appointment "
    "and delete them two years after your last visit.",
}
OWNER_SCREENS = {
    "day",
    "clients",
    "keys",
    "setup",
    "team",
    "services",
    "settings",
    "integrations",
    "blocklist",
    "audit",
    "messages",
}
BLOCKING = ["vault", "service", "bookable_person", "hours", "privacy_notice"]


@dataclass
class Created:
    """What ``hushbook tenant create --json`` printed, plus the run's secrets."""

    slug: str
    tenant_id: int
    owner_id: int
    owner_email: str
    owner_otp: str
    passphrases: dict[str, str]


@pytest.fixture(scope="module")
def created(service) -> Created:
    """The operator creates the business with the real CLI, on the service's
    database, with the service's environment (instance, keys, job store)."""
    import secrets

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hushbook_service.cli",
            "tenant",
            "create",
            "--slug",
            SLUG,
            "--name",
            SALON,
            "--owner-email",
            OWNER_EMAIL,
            "--owner-name",
            OWNER,
            "--timezone",
            "Europe/Berlin",
            "--locale",
            "de",
            "--json",
        ],
        env=service_env(service.settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["slug"] == SLUG and out["owner_email"] == OWNER_EMAIL, out
    assert len(out["one_time_password"]) >= 12, out
    tag = secrets.token_hex(4)
    return Created(
        slug=SLUG,
        tenant_id=out["tenant_id"],
        owner_id=out["owner_id"],
        owner_email=OWNER_EMAIL,
        owner_otp=out["one_time_password"],
        passphrases={
            "owner": f"Unser Salon öffnet um neun {tag}",
            "reception": f"The front desk faces the street {tag}",
            "stylist": f"Mein Stuhl steht am Fenster {tag}",
        },
    )


# --- small helpers -------------------------------------------------------------------------


def console(browser, folder: str, lang: str, width: int, height: int) -> Console:
    c = Console(browser, folder, lang=lang, width=width, height=height, vault_log_n=VAULT_FLOOR)
    c.statuses = []  # (status, url) of every API answer
    c.context.on("response", lambda r: c.statuses.append((r.status, r.url)))
    return c


def nav(c: Console, screen: str) -> None:
    """A menu item; returns once the screen is drawn (the core focuses its h1 then)."""
    c.page.locator(f'[data-nav="{screen}"]').click()
    screen_drawn(c, screen)


def screen_drawn(c: Console, screen: str) -> None:
    c.page.wait_for_function(
        """(id) => { const a = document.activeElement;
                     return !!a && a.tagName === "H1" && !!a.closest('[data-screen="' + id + '"]'); }""",
        arg=screen,
    )


def check_access(c: Console) -> None:
    """The appointment book's vault panel: access given meanwhile opens client data."""
    panel = c.page.locator(".hb-vault")
    nav(c, "day")
    panel.locator('[data-action="check-access"]').click()
    panel.get_by_text(c.texts["unlocked"]).wait_for()


def show_day(c: Console, day: date) -> None:
    """The appointment book on ``day`` (typed into its date picker)."""
    picker = c.page.locator(".hb-day input[type=date]")
    if picker.input_value() != day.isoformat():
        with c.page.expect_response(
            lambda r: "/v1/appointments?" in r.url and f"from={day}" in r.url
        ):
            picker.fill(day.isoformat())
    c.page.locator(f'.hb-col[data-date="{day}"]').first.wait_for()


def english_date(day: date) -> str:
    """The day as the English console writes it (longDate): "7 December 2026"."""
    months = "January February March April May June July August September October November"
    month = (months + " December").split()[day.month - 1]
    return f"{day.day} {month} {day.year}"


def checklist(c: Console) -> dict[str, str]:
    """data-check -> ok | missing | advice, as the checklist shows it."""
    return c.page.locator(".hb-check-item").evaluate_all(
        """(items) => Object.fromEntries(items.map((i) => [i.getAttribute("data-check"),
             ["ok", "missing", "advice"].find((s) => i.classList.contains("hb-check-" + s))]))"""
    )


def readiness(api) -> dict[str, str]:
    data = api.get("/v1/tenant/readiness")
    shown = {
        c["id"]: "ok" if c["ok"] else "missing" if c["blocking"] else "advice"
        for c in data["checks"]
    }
    return {"bookable_online": data["bookable_online"], **shown}


def sdk(url: str, email: str, password: str):
    import hushbook

    return hushbook.Client.login(url, SLUG, email, password)


def unlocked_keys(api, passphrase: str) -> dict:
    """The member's private key (and the business key it opens), unwrapped here
    from what the service stores — to look for them where they must not be."""
    from hushbook import sealing

    st = api.get("/v1/vault")
    member = sealing.unwrap_private_key(
        st["member"]["wrapped_private_key"],
        passphrase,
        context=sealing.vault_context(st["tenant_id"], st["staff_id"]),
        min_log_n=VAULT_FLOOR,
    )
    keys = {"member": member}
    if st.get("grant"):
        keys["business"] = sealing.open_grant(
            member, st["grant"]["sealed_tenant_key"], st["tenant_id"], st["staff_id"]
        )
    return keys


def key_forms(label: str, key) -> dict[str, str]:
    from hushbook import sealing

    raw = sealing.export_private_key(key)
    pkcs8 = sealing.export_private_key(key, format="pkcs8")
    return {
        f"{label} (hex)": raw.hex(),
        f"{label} (base64url)": sealing.b64e(raw),
        f"{label} (base64)": base64.b64encode(raw).decode().rstrip("="),
        f"{label} (pkcs8 base64)": base64.b64encode(pkcs8).decode().rstrip("="),
        f"{label} (pkcs8 base64url)": sealing.b64e(pkcs8),
    }


def tour(c: Console, screens: set[str], lang_step: str) -> None:
    """Every screen of the menu: screenshot, axe on the whole page, no sideways scroll."""
    shown = c.page.locator("[data-nav]").evaluate_all(
        "(ns) => ns.map((n) => n.getAttribute('data-nav'))"
    )
    assert screens <= set(shown), shown  # every known screen (and any newer one)
    for screen in shown:
        nav(c, screen)
        if screen == "day":
            c.page.locator(".hb-col").first.wait_for()
        c.screen(f"{lang_step}-{screen}")
        if screen == "day":
            c.page.locator('.hb-day [data-view="week"]').click()
            c.page.locator(".hb-week, .hb-grid-week").first.wait_for()
            c.screen(f"{lang_step}-day-week")
            c.page.locator('.hb-day [data-view="day"]').click()
            c.page.locator(".hb-col").first.wait_for()


# --- the journey -----------------------------------------------------------------------------


def test_from_tenant_create_to_a_completed_booking(browser, service, created, visit, tmp_path):
    import hushbook
    from hushbook import sealing

    began = time.monotonic()
    url = service.url
    test = visit.test_name
    o = console(browser, f"{test}/owner-de-1024", "de", 1024, 768)
    r = console(browser, f"{test}/reception-en-1024", "en", 1024, 768)
    s = console(browser, f"{test}/stylist-de-360", "de", 360, 740)
    e = console(browser, f"{test}/owner-en-1024", "en", 1024, 768)
    consoles = [o, r, s, e]
    widget_requests: list[tuple[str, str, str]] = []
    visit.context.on(
        "request", lambda q: widget_requests.append((q.method, q.url, q.post_data or ""))
    )
    customer = new_customer("mouse", "console-journey", first="Jördis", phone=True)
    staff_ids: dict[str, int] = {"owner": created.owner_id}
    found_keys: dict[str, str] = {}  # the private keys' text forms
    raw_keys: dict[str, bytes] = {}  # and their bytes
    page = o.page
    with watched(*consoles, afterwards=lambda: service.clock.write_text("")):
        # === 1. the owner sets the salon up, in the console only ====================================
        o.enter(url, SLUG, OWNER_EMAIL, created.owner_otp, shot=True)
        page.get_by_role("heading", name="Eigenes Passwort wählen").wait_for()
        o.screen("password-change")
        change_password(o, DE, PASSWORDS["owner"])
        # Not bookable yet: the checklist comes first and names what is missing.
        screen_drawn(o, "setup")
        owner_api = sdk(url, OWNER_EMAIL, PASSWORDS["owner"])
        ready = readiness(owner_api)
        assert ready["bookable_online"] is False
        assert {k for k in BLOCKING if ready[k] == "missing"} == set(BLOCKING), ready
        assert checklist(o) == {k: v for k, v in ready.items() if k != "bookable_online"}
        assert (
            f"Offene Schritte: {len(BLOCKING)}." in page.locator("[data-screen=setup]").inner_text()
        )
        o.screen("setup-missing")

        # The vault: her own key, then the business key (both made in this browser).
        page.get_by_role("button", name="Tresor einrichten").click()
        screen_drawn(o, "keys")
        o.screen("keys-enrol")
        enrol(o, created.passphrases["owner"])
        setup_card = page.locator('[data-keys-section="setup"]')
        setup_card.get_by_text("Ihr Schlüssel ist angelegt").wait_for(timeout=60_000)
        setup_card.get_by_role("button", name="Schutz der Kundendaten einrichten").click()
        page.locator('[data-keys-section="team"]').get_by_text(
            "Der Schutz der Kundendaten ist eingerichtet."
        ).wait_for()
        assert owner_api.get("/v1/vault")["public_key"]
        o.screen("keys-set-up")

        # The team: a receptionist and a stylist, their one-time passwords from the page.
        nav(o, "team")
        otps = {}
        for who, name, email, role, bookable in (
            ("reception", RECEPTION, f"rita@{SLUG}.test", "reception", False),
            ("stylist", STYLIST, f"stella@{SLUG}.test", "staff", True),
        ):
            page.get_by_role("button", name="Teammitglied einladen").click()
            invite = page.locator(".hb-team-invite-form")
            invite.get_by_label("Name im Team").fill(name)
            invite.get_by_label("E-Mail").fill(email)
            invite.get_by_label("Rolle").select_option(role)
            invite.get_by_label("Nimmt Buchungen an").set_checked(bookable)
            if who == "reception":
                o.screen("team-invite")
            invite.get_by_role("button", name="Einladen").click()
            once = page.locator("[data-once]")
            once.get_by_role("heading", name=f"Einmalpasswort für {name}").wait_for()
            otps[who] = once.locator(".hb-team-otp code").inner_text().strip()
            assert len(otps[who]) >= 12
            if who == "reception":
                o.screen("team-one-time-password")
            once.get_by_role("button", name="Fertig, Passwort ausblenden").click()
            assert otps[who] not in page.content()
            member = next(m for m in owner_api.staff.list() if m.email == email)
            assert (member.role, member.bookable, member.must_change_password) == (
                role,
                bookable,
                True,
            )
            staff_ids[who] = member.id

        # Hours: the owner (bookable now) works afternoons, the stylist mornings, every day.
        for who, start, end in (("owner", "12:00", "20:00"), ("stylist", "08:00", "12:00")):
            if who == "stylist":
                page.get_by_role("button", name="Zurück zum Team").click()
            page.locator(f'.hb-team-member[data-staff="{staff_ids[who]}"] button').first.click()
            page.locator(".hb-team-week").wait_for()
            if who == "owner":
                account = page.locator(".hb-team-account")
                account.get_by_label("Nimmt Buchungen an").check()
                account.get_by_role("button", name="Änderungen speichern").click()
                page.locator(".hb-main .hb-ok").filter(
                    has_text="Die Änderungen sind gespeichert."
                ).wait_for()
            week = page.locator(".hb-team-week")
            week.get_by_role("button", name="Montag: Zeitraum hinzufügen").click()
            week.get_by_label("Montag, Zeitraum 1: Von").fill(start)
            week.get_by_label("Montag, Zeitraum 1: Bis").fill(end)
            days = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
            for before, day_name in zip(days, days[1:], strict=False):
                week.get_by_role("button", name=f"{day_name}: wie {before}").click()
            week.get_by_role("button", name="Arbeitszeiten speichern").click()
            week.get_by_text("Die Arbeitszeiten sind gespeichert.").wait_for()
            rules = owner_api.working_hours.get(staff_ids[who])
            assert sorted((x.weekday, f"{x.start:%H:%M}", f"{x.end:%H:%M}") for x in rules) == [
                (d, start, end) for d in range(7)
            ], rules
            o.screen(f"team-hours-{who}")
        assert owner_api.staff.get(created.owner_id).bookable is True

        # A service both perform.
        nav(o, "services")
        page.get_by_role("button", name="Neue Leistung").click()
        form = page.locator(".hb-svc-form")
        form.get_by_label("Name", exact=True).fill(SERVICE)
        form.get_by_label("Dauer in Minuten").fill("45")
        form.get_by_label("Preis in Euro").fill("52,00")
        form.get_by_label(re.compile(f"^{OWNER}")).check()
        form.get_by_label(re.compile(f"^{STYLIST}")).check()
        o.screen("services-new")
        form.get_by_role("button", name="Leistung anlegen").click()
        page.locator(".hb-main .hb-ok").filter(has_text=f"{SERVICE} ist angelegt.").wait_for()
        [svc] = owner_api.services.list()
        assert (svc.name, svc.duration_min, svc.price_cents) == (SERVICE, 45, 5200)
        assert sorted(svc.staff_ids) == sorted([created.owner_id, staff_ids["stylist"]])

        # The privacy notice in German and English (from the checklist), stealth mode.
        nav(o, "setup")
        page.get_by_role("button", name="Datenschutzhinweis schreiben").click()
        notices = page.locator('[data-section="notices"]')
        notices.locator(".hb-notice-lang").first.wait_for()
        for lang, language in (("de", "Deutsch"), ("en", "Englisch")):
            notices.get_by_label("Sprache des Textes", exact=True).select_option(lang)
            notices.get_by_label("Text des Datenschutzhinweises", exact=True).fill(NOTICES[lang])
            notices.get_by_role("button", name="Veröffentlichen").click()
            notices.get_by_text(f"Version 1 ({language}) ist veröffentlicht.").wait_for()
        published = {n.locale: n.text for n in owner_api.tenant.privacy_notices()}
        assert published == NOTICES, published
        stealth = page.locator('[data-section="stealth"]')
        mode = stealth.get_by_label("Stealth-Modus (empfohlen)", exact=True)
        assert mode.is_checked()  # a new business starts with it on; it stays on
        mode.check()
        # The customer may ask for a person (the widget's "Team member" field).
        stealth.get_by_label(
            "Namen der Teammitglieder auf der Buchungsseite zeigen", exact=True
        ).check()
        stealth.get_by_role("button", name="Speichern").click()
        stealth.get_by_text("Gespeichert.").wait_for()
        tenant = owner_api.tenant.get()
        assert tenant.stealth_mode is True and tenant.show_staff_names is True
        o.screen("settings")

        # --- the receptionist and the stylist join, each in her own browser ------------------------
        for c, who, email in (
            (r, "reception", f"rita@{SLUG}.test"),
            (s, "stylist", f"stella@{SLUG}.test"),
        ):
            c.enter(url, SLUG, email, otps[who], shot=c.lang == "en")
            c.page.get_by_role(
                "heading",
                name="Choose your own password" if c.lang == "en" else "Eigenes Passwort wählen",
            ).wait_for()
            c.screen("password-change")
            change_password(c, c.texts, PASSWORDS[who])
            screen_drawn(c, "day")  # the appointment book: no setup for them
            panel = c.page.locator(".hb-vault")
            c.screen("day-no-key")
            panel.locator('[data-action="go-keys"]').click()
            screen_drawn(c, "keys")
            enrol(c, created.passphrases[who])
            c.page.locator('[data-keys-section="mine"] .hb-keys-note').filter(
                has_text="Your key is ready" if c.lang == "en" else "Ihr Schlüssel ist angelegt"
            ).wait_for(timeout=60_000)
            c.screen("keys-enrolled")
            me = sdk(url, email, PASSWORDS[who]).get("/v1/auth/me")  # her own password now
            assert me["role"] == {"reception": "reception", "stylist": "staff"}[who], me
            assert owner_api.staff.get(staff_ids[who]).must_change_password is False

        # The owner gives both access.
        nav(o, "keys")
        team_card = page.locator('[data-keys-section="team"]')
        for who, name in (("reception", RECEPTION), ("stylist", STYLIST)):
            team_card.locator(f'[data-staff="{staff_ids[who]}"] [data-action="grant"]').click()
            team_card.get_by_text(f"{name} hat jetzt Zugriff").wait_for()
        members = {m["staff_id"]: m for m in owner_api.get("/v1/vault/members")}
        assert all(members[staff_ids[w]]["granted"] for w in ("reception", "stylist")), members
        o.screen("keys-granted")

        # Bookable now: the checklist says so and links the booking page.
        nav(o, "setup")
        ready = readiness(owner_api)
        assert ready["bookable_online"] is True, ready
        assert set(checklist(o).values()) == {"ok"}
        setup = page.locator("[data-screen=setup]")
        assert "Ihr Salon nimmt Online-Buchungen an." in setup.inner_text()
        assert setup.locator(".hb-booking-link").get_attribute("href") == f"{url}/book/{SLUG}"
        o.screen("setup-bookable")

        # Where the keys really are (to look for them later where they must not be).
        for who, email in (
            ("owner", OWNER_EMAIL),
            ("reception", f"rita@{SLUG}.test"),
            ("stylist", f"stella@{SLUG}.test"),
        ):
            keys = unlocked_keys(sdk(url, email, PASSWORDS[who]), created.passphrases[who])
            assert "business" in keys, f"{who} has no access"
            for kind, key in keys.items():
                found_keys.update(key_forms(f"{who}'s {kind} key", key))
                raw_keys[f"{who}'s {kind} key"] = sealing.export_private_key(key)
        owner_api.vault = hushbook.Vault(owner_api, min_log_n=VAULT_FLOOR)
        owner_api.vault.unlock(created.passphrases["owner"])

        # === 2. a customer books online and confirms by mail ======================================
        book_with_mouse(visit, f"{url}/book/{SLUG}?lang=en", customer, SERVICE, "Afternoon")
        confirm_by_mail_link(visit, service, customer, keyboard=False)
        today = date.today()
        [appt] = appointments_of(
            owner_api, customer, today - timedelta(days=1), today + timedelta(days=9)
        )
        assert appt.status == "confirmed" and appt.source == "online", appt
        assert appt.staff_id == created.owner_id, appt  # only she works afternoons
        assert appt.client.profile == {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
        }, appt.client.profile
        booked_day = appt.start.astimezone(TZ).date()

        # === 3. the receptionist: the booking, with exactly the typed name; move; complete ==========
        rp = r.page
        check_access(r)
        show_day(r, booked_day)
        block = rp.locator(f'.hb-appt[data-appt="{appt.id}"]')
        name = block.locator(".hb-appt-name")
        name.wait_for()
        assert name.inner_text() == customer.name  # exactly as she typed it
        assert customer.name not in r.sent_text()
        r.screen("day-booking")
        block.click()
        details = rp.locator(".hb-details")
        details.get_by_role("heading", name=re.compile(r"^Appointment ")).wait_for()
        assert customer.name in details.inner_text()
        r.screen("details")

        moved_day = booked_day + timedelta(days=1)
        details.get_by_role("button", name="Move", exact=True).click()
        details.get_by_label("Team member", exact=True).select_option(label=STYLIST)
        with rp.expect_response(
            lambda q: (
                "/v1/availability?" in q.url
                and f"from={moved_day}" in q.url
                and f"staff_id={staff_ids['stylist']}" in q.url
            )
        ):
            details.get_by_label("New date", exact=True).fill(moved_day.isoformat())
        # The free times of that day are drawn (not those of the day asked before).
        details.locator(".hb-times legend").filter(has_text=english_date(moved_day)).wait_for()
        pick_time(details, "10:00")
        r.screen("move")
        details.get_by_role("button", name="Move here").click()
        details.get_by_role("status").filter(has_text="Moved to").wait_for()
        moved = owner_api.appointments.get(appt.id)
        assert moved.staff_id == staff_ids["stylist"], moved
        assert moved.start == local(moved_day, "10:00") and moved.status == "confirmed", moved
        stylist_col = rp.locator(
            f'.hb-col[data-staff="{staff_ids["stylist"]}"][data-date="{moved_day}"]'
        )
        stylist_col.locator(f'.hb-appt[data-appt="{appt.id}"]').wait_for()
        r.screen("moved")

        # Completing needs the appointment to have started: the service's and her clocks move.
        started = moved.start + timedelta(minutes=10)
        service.clock.write_text(started.isoformat())
        rp.clock.set_system_time(started)
        block.click()
        complete = details.get_by_role("button", name="Mark as completed")
        complete.wait_for()
        complete.click()
        details.get_by_role("status").filter(has_text="Marked as completed.").wait_for()
        assert owner_api.appointments.get(appt.id).status == "completed"
        assert "Completed" in block.inner_text()
        r.screen("completed")
        service.clock.write_text("")  # the real time again

        # === 4. the stylist sees only her own column ==================================================
        sp = s.page
        check_access(s)
        show_day(s, moved_day)
        assert sp.locator(".hb-col h3").all_inner_texts() == [STYLIST]
        hers = sp.locator(".hb-appt").evaluate_all(
            "(ns) => ns.map((n) => Number(n.getAttribute('data-appt')))"
        )
        assert hers == [appt.id], hers
        assert sp.locator(f'.hb-appt[data-appt="{appt.id}"] .hb-appt-name').inner_text() == (
            customer.name
        )
        assert sp.get_by_role("button", name="Neuer Termin").count() == 0  # staff cannot book
        s.screen("day-own-column")

        # === 5. the owner books a caller: the customer again, found by her phone ======================
        caller_day = booked_day + timedelta(days=2)
        nav(o, "day")
        show_day(o, caller_day)
        od = page.locator(".hb-details")
        page.get_by_role("button", name="Neuer Termin", exact=True).click()
        od.get_by_role("heading", name="Neuer Termin").wait_for()
        od.get_by_label("Leistung", exact=True).select_option(label=f"{SERVICE} (45 Min.)")
        with page.expect_response(
            lambda q: "/v1/availability?" in q.url and f"staff_id={created.owner_id}" in q.url
        ):
            od.get_by_label("Teammitglied", exact=True).select_option(label=OWNER)
        od.locator(".hb-time").first.wait_for()
        od.get_by_label("Bekannte Kundschaft").check()
        od.get_by_label("Telefon oder E-Mail der Kundin bzw. des Kunden", exact=True).fill(
            customer.phone
        )
        od.get_by_role("button", name="Suchen", exact=True).click()
        od.get_by_text(f"Gefunden: {customer.name}").wait_for()
        pick_time(od, "14:00")
        o.screen("book-caller")
        with page.expect_response(
            lambda q: q.url.endswith("/v1/appointments") and q.request.method == "POST"
        ) as posted:
            od.get_by_role("button", name="Termin buchen").click()
        assert posted.value.status == 201, posted.value.text()
        od.get_by_role("status").filter(has_text="Gebucht:").wait_for()
        caller = owner_api.appointments.get(posted.value.json()["id"])
        assert caller.client_id == appt.client_id, (caller, appt)  # the returning client
        assert caller.staff_id == created.owner_id and caller.source == "phone", caller
        assert caller.start == local(caller_day, "14:00"), caller
        assert caller.client.profile["name"] == customer.name
        o.screen("booked-caller")

        # === 6. the owner deactivates the stylist: her open console is refused ======================
        nav(o, "team")
        page.locator(f'.hb-team-member[data-staff="{staff_ids["stylist"]}"] button').first.click()
        page.locator("[data-screen=team] h1").filter(has_text=STYLIST).wait_for()
        page.get_by_role("button", name="Konto deaktivieren").click()
        o.screen("team-deactivate-ask")
        refused_from = len(s.statuses)  # her console may poll any moment from now on
        page.get_by_role("button", name="Ja, deaktivieren").click()
        page.locator('[data-status="inactive"]').wait_for()
        assert owner_api.staff.get(staff_ids["stylist"]).active is False
        sp.clock.fast_forward("00:21")  # her next poll
        sp.get_by_role("alert").filter(has_text="Sie wurden abgemeldet").wait_for()
        sp.get_by_role("heading", name="Bei Ihrem Salon anmelden").wait_for()
        assert any(
            status == 401 and "/v1/" in where for status, where in s.statuses[refused_from:]
        ), s.statuses[refused_from:]
        assert customer.name not in sp.content()
        s.screen("signed-out-deactivated")

        # === 7. every screen, in German and in English ================================================
        tour(o, OWNER_SCREENS, "tour")
        e.enter(url, SLUG, OWNER_EMAIL, PASSWORDS["owner"])
        screen_drawn(e, "day")  # bookable: no checklist first
        e.screen("day-locked")
        e.unlock(created.passphrases["owner"])
        tour(e, OWNER_SCREENS, "tour")
        e.page.get_by_role("button", name="Sign out", exact=True).click()
        e.page.get_by_text("You are signed out.").wait_for()
        e.screen("signed-out")
        for c, button, heading in (
            (o, "Bildschirm sperren", "Bildschirm gesperrt"),
            (r, "Lock screen", "Screen locked"),
        ):
            c.page.get_by_role("button", name=button).click()
            c.page.get_by_role("heading", name=heading).wait_for()
            assert customer.name not in c.page.content()
            c.screen("locked")

        # === 8. nothing leaks ========================================================================
        secrets_ = {
            **{f"{who}'s passphrase": p for who, p in created.passphrases.items()},
            "the customer's name": customer.name,
            **found_keys,
        }
        assert_nothing_kept(consoles, secrets_)
        for method, where, body in widget_requests:
            for what, value in secrets_.items():
                assert value not in body, f"{what} sent by the widget: {method} {where}"
        assert any("/public/" in w and b for _, w, b in widget_requests), "widget not recorded"
        kept = visit.page.evaluate(STORAGE_JS)
        assert kept["local"] == kept["session"] == kept["idb"] == kept["caches"] == [], kept
        assert kept["cookies"] == "", kept
        assert_no_plaintext_at_the_operator(
            service, tmp_path, customer, created.passphrases, found_keys, raw_keys
        )

        for c in consoles:
            c.assert_clean()
        visit.assert_clean()
    print(f"the console journey took {time.monotonic() - began:.1f} s")


def assert_no_plaintext_at_the_operator(
    service, tmp_path: Path, customer, passphrases: dict, found_keys: dict, raw_keys: dict
) -> None:
    """The service's database (its files and a text dump of every table), the job
    store and the server's and worker's logs: no client name, phone or e-mail, no
    passphrase, no private key — in any of the encodings support/leak.py knows."""
    root: Path = service.root
    files = {f"service/{k}": v for k, v in collect_files(root).items()}
    folder = tmp_path / "dumps"
    dump_stores(service.settings, folder, "journey")  # pg_dump / Redis when the run uses them
    files.update({f"dumps/{k}": v for k, v in collect_files(folder).items()})
    for url in (service.settings.database_url, service.settings.huey_url):
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                files[f"sqlite3 .dump of {path.name}"] = "\n".join(db.iterdump()).encode()
    if TEST_DB_URL.startswith("postgres"):
        assert any(k.startswith("dumps/pg_dump") for k in files), sorted(files)
    database = [k for k in files if "hushbook.db" in k or "pg_dump" in k]
    assert database, sorted(files)
    jobs = [k for k in files if "huey.db" in k or "dumps/redis" in k]
    assert jobs, f"no job store among {sorted(files)}"
    logs = ["service/instance/server.log", "service/instance/worker.log"]
    assert all(files.get(k) for k in logs), f"a log is missing or empty: {sorted(files)}"
    # Not vacuous: the same scan finds public values in the database and the log.
    control = needles({"salon": SALON, "service": SERVICE})
    assert scan({k: files[k] for k in database}, control), "the scan does not read the database"
    assert b"/v1/clients/lookup" in files["service/instance/server.log"]

    values = {
        **personal_values([customer]),
        **{f"{who}'s passphrase": p for who, p in passphrases.items()},
        **found_keys,
    }
    wanted = needles(values)
    # …and the needles find the customer where she is: in her own mailbox.
    inbox = {
        m["Subject"]: m.as_bytes()
        for m in service.mailbox.received
        if customer.email in str(m["To"])
    }
    assert scan(inbox, needles(personal_values([customer]))), "the needles miss her own mail"
    wanted.update({raw.lower(): f"{what} (raw bytes)" for what, raw in raw_keys.items()})
    hits = scan(files, wanted)
    assert not hits, "plaintext at the operator:\n" + "\n".join(hits[:30])
    print(
        f"operator's copy: {len(files)} files, {sum(map(len, files.values())):,} bytes, "
        f"{len(values)} values scanned: {sorted(files)}"
    )
