"""The console's setup checklist and settings screens against the real service.

A salon of its own, as the operator just created it: the owner has a password
and a vault, stealth mode is switched off, and there is no privacy notice, no
service, no team member taking bookings and no working hours. The owner signs
in (German, 1024x768) and the checklist is her first screen: it names exactly
what the service's readiness says is missing; its buttons lead to the screens
that fix it. On the settings screen the owner publishes a privacy notice (a
too-short text first),
turns stealth mode on with fewer offers per ask, saves the business after
someone else changed it (412: reloaded and said), adds a closure and deletes
another one (asked twice). The service's side is checked through the API after
each step; the checklist follows. Once a service, a bookable stylist and her
hours exist (made with the SDK, as the team and services screens would), the
checklist says the salon is bookable and shows its public booking link, which
answers. The same screens in English at 1024x768 and at 360 px wide (the
first screen after sign-in is the checklist only while the salon is not
bookable). axe-core
on every screen and section state; screenshots under
build/e2e-screenshots/test_console_settings*/.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from support.config import PASSWORD, VAULT_LOG_N

from .consoles import DE, EN, Console, OperatorSalon, operator_salon, password_login, watched

pytestmark = pytest.mark.system

SLUG = "salon-einstellungen"
OWNER = f"owner@{SLUG}.test"
WEEK = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
NOTICE_DE = (
    "Wir verarbeiten Ihren Namen und Ihre Kontaktdaten nur, um Ihren Termin zu "
    "verwalten, und löschen sie 24 Monate nach Ihrem letzten Besuch."
)
BLOCKING = ["vault", "service", "bookable_person", "hours", "privacy_notice"]


@pytest.fixture(scope="module")
def settings_salon(service) -> OperatorSalon:
    """A salon just created by the operator: owner with a password and a vault
    (at test cost), stealth off, nothing else."""
    return operator_salon(
        service,
        SLUG,
        "Salon Einstellungen E2E",
        owner_name="Ola Owner",
        vault_passphrase=f"passphrase of {OWNER}",
        vault_log_n=VAULT_LOG_N,
        settings={"stealth_mode": False},
    )


class Api:
    """The owner's plain API calls (readiness and closures have no SDK method)."""

    def __init__(self, url: str) -> None:
        self.url = url
        pair = password_login(url, SLUG, OWNER, PASSWORD).json()
        self.headers = {"Authorization": f"Bearer {pair['access_token']}"}

    def get(self, path: str, **params):
        res = requests.get(f"{self.url}/v1{path}", headers=self.headers, params=params, timeout=10)
        assert res.status_code == 200, (path, res.status_code, res.text)
        return res.json()

    def readiness(self) -> dict[str, tuple[bool, bool]]:
        data = self.get("/tenant/readiness")
        checks = {c["id"]: (c["ok"], c["blocking"]) for c in data["checks"]}
        return {"bookable_online": data["bookable_online"], **checks}

    def closures(self) -> list[dict]:
        today = date.today()
        return self.get(
            "/tenant/closures",
            **{"from": today.isoformat(), "to": (today + timedelta(days=400)).isoformat()},
        )


def shown_checks(c: Console) -> dict[str, str]:
    """data-check -> ok | missing | advice, as the checklist shows it."""
    items = c.page.locator(".hb-check-item")
    out = {}
    for i in range(items.count()):
        item = items.nth(i)
        state = next(
            s
            for s in ("ok", "missing", "advice")
            if f"hb-check-{s}" in (item.get_attribute("class") or "")
        )
        out[item.get_attribute("data-check")] = state
    return out


def expected_checks(ready: dict) -> dict[str, str]:
    return {
        key: "ok" if ok else "missing" if blocking else "advice"
        for key, value in ready.items()
        if key != "bookable_online"
        for ok, blocking in [value]
    }


def state(c: Console, step: str, section: str) -> None:
    """A section's state: its screenshot and axe-core on it (cheaper than the
    whole long page; the whole page is checked by ``c.screen``)."""
    selector = f'[data-section="{section}"]'
    c.page.wait_for_timeout(100)
    c.step += 1
    c.page.locator(selector).screenshot(path=str(c.folder / f"{c.step:02d}-{c.lang}-{step}.png"))
    c.axe(f"{c.lang}-{step}", include=selector)


def open_setup(c: Console, name: str) -> None:
    c.page.locator('[data-nav="setup"]').click()
    c.page.locator('[data-screen="setup"] .hb-checklist').wait_for()
    c.page.get_by_role("heading", level=1, name=name).wait_for()


def open_settings(c: Console) -> None:
    c.page.locator('[data-nav="settings"]').click()
    c.page.locator('[data-screen="settings"] .hb-closures').wait_for()


def sign_in(c: Console, texts: dict) -> None:
    c.open(c.base)
    c.sign_in(SLUG, OWNER, PASSWORD, texts)
    c.page.locator('[data-nav="setup"]').wait_for()


def test_owner_sets_up_the_salon_from_the_checklist(browser, service, settings_salon):
    salon = settings_salon
    api = Api(service.url)
    test = "test_console_settings"
    c = Console(browser, f"{test}/owner-de-1024", lang="de", width=1024, height=768)
    c.base = service.url
    page = c.page
    with watched(c):
        # --- the checklist names exactly what readiness says is missing --------------------------
        ready = api.readiness()
        assert ready["bookable_online"] is False
        assert {k for k in BLOCKING if not ready[k][0]} == set(BLOCKING) - {"vault"}, ready
        assert ready["stealth"] == (False, False), ready  # a recommendation, not blocking
        sign_in(c, DE)
        # not bookable yet: the checklist is the first screen after sign-in
        page.locator('[data-screen="setup"] .hb-checklist').wait_for()
        assert page.locator('[data-nav="setup"]').get_attribute("aria-current") == "page"
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.tagName === 'H1'"
        )
        assert shown_checks(c) == expected_checks(ready)
        setup = page.locator('[data-screen="setup"]')
        assert "Offene Schritte: 4." in setup.inner_text()
        assert setup.locator(".hb-booking-link").count() == 0
        c.screen("setup-missing")

        # each fix leads to the screen that does it
        page.get_by_role("button", name="Leistung anlegen").click()
        page.locator('[data-screen="services"]').wait_for()
        open_setup(c, "Online-Buchung einrichten")
        page.get_by_role("button", name="Zum Team").click()
        page.locator('[data-screen="team"]').wait_for()
        open_setup(c, "Online-Buchung einrichten")

        # --- privacy notice: from the checklist straight to its section -------------------------------
        page.get_by_role("button", name="Datenschutzhinweis schreiben").click()
        notices = page.locator('[data-section="notices"]')
        notices.locator(".hb-notice-lang").first.wait_for()
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.id === "
            "'hb-settings-notices-title'"
        )
        assert "noch kein Hinweis" in notices.inner_text()
        c.screen("settings-notices")
        text = notices.get_by_label("Text des Datenschutzhinweises", exact=True)
        notices.get_by_label("Sprache des Textes", exact=True).select_option("de")
        text.fill("Zu kurz.")
        notices.get_by_role("button", name="Veröffentlichen").click()
        notices.get_by_role("alert").filter(has_text="20 bis 50.000 Zeichen").wait_for()
        assert text.get_attribute("aria-invalid") == "true"
        state(c, "notice-too-short", "notices")
        text.fill(NOTICE_DE)
        notices.get_by_role("button", name="Veröffentlichen").click()
        notices.get_by_text("Version 1 (Deutsch) ist veröffentlicht.").wait_for()
        published = [(n.locale, n.version, n.text) for n in salon.api.tenant.privacy_notices()]
        assert published == [("de", 1, NOTICE_DE)], published
        assert "Aktuell: Version 1" in notices.locator('[data-locale="de"]').inner_text()
        assert api.readiness()["privacy_notice"] == (True, True)
        state(c, "notice-published", "notices")

        # --- stealth mode: on, and fewer offers per ask --------------------------------------------
        open_setup(c, "Online-Buchung einrichten")
        assert shown_checks(c)["privacy_notice"] == "ok"
        page.get_by_role("button", name="Stealth-Modus einschalten").click()
        stealth = page.locator('[data-section="stealth"]')
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.id === "
            "'hb-settings-stealth-title'"
        )
        mode = stealth.get_by_label("Stealth-Modus (empfohlen)", exact=True)
        assert not mode.is_checked()
        assert "36 %" in stealth.inner_text() and "0 %" in stealth.inner_text()
        mode.check()
        stealth.locator("summary").click()  # fine-tuning
        offers = stealth.get_by_label("Angebotene Zeiten pro Anfrage", exact=True)
        assert offers.input_value() == "3"
        offers.fill("9")
        stealth.get_by_role("button", name="Speichern").click()
        stealth.get_by_role("alert").filter(has_text="von 1 bis 5").wait_for()
        assert offers.get_attribute("aria-invalid") == "true"
        assert salon.api.tenant.get().stealth_mode is False  # nothing was sent
        state(c, "stealth-invalid", "stealth")
        offers.fill("2")
        stealth.get_by_role("button", name="Speichern").click()
        stealth.get_by_text("Gespeichert.").wait_for()
        now = salon.api.tenant.get()
        assert now.stealth_mode is True and now.show_staff_names is False
        assert now.stealth_settings["offer_count"] == 2
        assert now.stealth_settings["asks_per_ip_day"] == 60  # untouched
        assert api.readiness()["stealth"] == (True, False)
        stealth.locator("details").evaluate("d => d.open = true")
        state(c, "stealth-saved", "stealth")

        # --- someone else saves in between: 412, reloaded and said -----------------------------------
        business = page.locator('[data-section="business"]')
        ahead = business.get_by_label("Buchbar im Voraus (Tage)", exact=True)
        ahead.fill("120")
        salon.api.tenant.update(name="Salon Einstellungen (geändert)")
        business.get_by_role("button", name="Speichern").click()
        business.get_by_role("alert").filter(has_text="inzwischen geändert").wait_for()
        name = business.get_by_label("Name des Salons", exact=True)
        assert name.input_value() == "Salon Einstellungen (geändert)"
        assert salon.api.tenant.get().max_advance_days == 90  # the stale save was refused
        state(c, "business-conflict", "business")
        business.get_by_label("Buchbar im Voraus (Tage)", exact=True).fill("120")
        business.get_by_role("button", name="Speichern").click()
        business.get_by_text("Gespeichert.").wait_for()
        assert salon.api.tenant.get().max_advance_days == 120
        assert "Salon Einstellungen (geändert)" in page.locator(".hb-salon").inner_text()

        # --- messages: one reminder two days ahead, no SMS --------------------------------------------
        messages = page.locator('[data-section="messages"]')
        messages.get_by_label("SMS an Kund·innen", exact=False).uncheck()
        messages.get_by_label("Erinnerung 1: Stunden vorher", exact=True).fill("48")
        messages.get_by_label("Erinnerung 2: Stunden vorher", exact=True).fill("")
        messages.get_by_role("button", name="Speichern").click()
        messages.get_by_text("Gespeichert.").wait_for()
        now = salon.api.tenant.get()
        assert now.reminder_hours == [48] and now.message_channels == ["email", "staff"], now

        # --- closures: add one, add and delete another (asked twice) ---------------------------------
        closures = page.locator('[data-section="closures"]')
        start = date.today() + timedelta(days=30)
        for first, last, label in (
            (start, start + timedelta(days=2), "Betriebsurlaub E2E"),
            (start + timedelta(days=10), start + timedelta(days=10), "Fortbildung E2E"),
        ):
            closures.get_by_label("Erster geschlossener Tag", exact=True).fill(first.isoformat())
            closures.get_by_label("Letzter geschlossener Tag", exact=True).fill(last.isoformat())
            closures.get_by_label("Anlass (freiwillig)", exact=True).fill(label)
            closures.get_by_role("button", name="Schließtage hinzufügen").click()
            closures.get_by_text(f"Schließtage hinzugefügt: {label}").wait_for()
        stored = {(x["date_from"], x["date_to"], x["label"]) for x in api.closures()}
        assert stored == {
            (start.isoformat(), (start + timedelta(days=2)).isoformat(), "Betriebsurlaub E2E"),
            ((start + timedelta(days=10)).isoformat(),) * 2 + ("Fortbildung E2E",),
        }, stored
        assert closures.locator(".hb-closure").count() == 2
        state(c, "closures-added", "closures")
        row = closures.locator(".hb-closure").filter(has_text="Fortbildung E2E")
        row.get_by_role("button", name="Löschen").click()
        row.get_by_text("wirklich löschen?").wait_for()
        assert c.focus()["label"].startswith("Ja, löschen")
        state(c, "closure-delete-asked", "closures")
        row.get_by_role("button", name="Ja, löschen").click()
        closures.get_by_text("Schließtage gelöscht: Fortbildung E2E").wait_for()
        assert [x["label"] for x in api.closures()] == ["Betriebsurlaub E2E"]
        assert closures.locator(".hb-closure").count() == 1
        # second factor: the owner may change it (not switched on here: it would lock her out)
        security = page.locator('[data-section="security"]')
        assert security.get_by_label(
            "Inhaber·innen und Leitung müssen sich mit einem zweiten Faktor anmelden", exact=True
        ).is_visible()
        state(c, "closures-deleted", "closures")

        # --- the team and a service arrive (other screens): bookable, with the link -----------------
        stylist = salon.api.staff.create(
            f"mira@{SLUG}.test", "Mira Stylistin", "staff", public_name="Mira"
        )
        salon.api.working_hours.set(stylist, WEEK)
        salon.api.services.create("Schnitt", 45, [stylist], price_cents=4800)
        ready = api.readiness()
        assert ready["bookable_online"] is True, ready
        open_setup(c, "Online-Buchung einrichten")
        assert shown_checks(c) == expected_checks(ready)
        assert set(shown_checks(c).values()) == {"ok"}
        assert "Ihr Salon nimmt Online-Buchungen an." in setup.inner_text()
        link = setup.locator(".hb-booking-link")
        assert link.get_attribute("href") == f"{service.url}/book/{SLUG}"
        assert requests.get(f"{service.url}/book/{SLUG}", timeout=10).status_code == 200
        c.screen("setup-bookable")
        c.assert_clean()


@pytest.mark.parametrize(("lang", "width", "height"), [("en", 1024, 768), ("de", 360, 740)])
def test_settings_in_english_and_narrow(browser, service, settings_salon, lang, width, height):
    """Both screens in English at 1024x768 and in German at 360 px: screenshots,
    axe on the whole page (every section, fine-tuning and notice texts open), no
    sideways scrolling; the sections' links move the focus to their heading."""
    texts = EN if lang == "en" else DE
    c = Console(
        browser, f"test_console_settings_{lang}_{width}", lang=lang, width=width, height=height
    )
    c.base = service.url
    with watched(c):
        bookable = Api(service.url).readiness()["bookable_online"]
        sign_in(c, texts)
        menu_first = c.page.locator("[data-nav]").first.get_attribute("data-nav")
        first = "setup" if not bookable else menu_first
        c.page.locator(f'[data-screen="{first}"]').wait_for()
        assert c.page.locator("[data-screen]").count() == 1
        open_setup(c, "Set up online booking" if lang == "en" else "Online-Buchung einrichten")
        c.screen("setup")
        open_settings(c)
        c.page.locator("[data-screen] details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        c.screen("settings")  # axe on the whole page: every section
        for section in ("business", "stealth", "messages", "notices", "closures", "security"):
            c.page.locator(f'.hb-settings-toc a[href="#hb-settings-{section}"]').click()
            c.page.wait_for_function(
                "(id) => document.activeElement && document.activeElement.id === id",
                arg=f"hb-settings-{section}-title",
            )
        c.assert_clean()


def test_the_salons_page_from_the_business_section(browser, service, settings_salon):
    """Address, phone, opening hours, description, links, accent colour, currency
    and the online-change deadline: typed in the business section (an http://
    link refused before anything is sent), saved, and shown on /book/{slug}."""
    c = Console(browser, "test_console_settings_salon_page", lang="de", width=1280, height=900)
    c.base = service.url
    with watched(c):
        sign_in(c, DE)
        open_settings(c)
        business = c.page.locator('[data-section="business"]')
        business.get_by_label("Über den Salon", exact=True).fill("Schnitt und Farbe in Kreuzberg.")
        business.get_by_label("Adresse", exact=True).fill("Oranienstraße 1\n10999 Berlin")
        business.get_by_label("Telefonnummer für Kund·innen").fill("+49 30 555 1234")
        business.get_by_label("Öffnungszeiten", exact=True).fill("Di–Fr 9–18 Uhr")
        business.get_by_label("Impressum (Adresse der Seite)").fill(
            "https://salon.example/impressum"
        )
        privacy = business.get_by_label("Datenschutzerklärung (Adresse der Seite)")
        privacy.fill("http://salon.example/datenschutz")
        business.get_by_label("Akzentfarbe", exact=True).fill("#7A3E9D")
        business.get_by_label("Währung der Preise").select_option("CHF")
        business.get_by_label("Online absagen oder verschieben bis (Stunden vorher)").fill("48")
        business.get_by_role("button", name="Speichern").click()
        business.get_by_role("alert").filter(has_text="https://").wait_for()
        assert privacy.get_attribute("aria-invalid") == "true"
        assert settings_salon.api.tenant.get().raw["phone"] == ""  # nothing was sent
        state(c, "salon-page-refused", "business")
        privacy.fill("https://salon.example/datenschutz")
        business.get_by_role("button", name="Speichern").click()
        business.get_by_text("Gespeichert.").wait_for()
        saved = settings_salon.api.tenant.get().raw
        assert saved["phone"] == "+49 30 555 1234" and saved["currency"] == "CHF", saved
        assert saved["address"] == "Oranienstraße 1\n10999 Berlin"
        assert saved["accent_colour"] == "#7a3e9d" and saved["manage_deadline_hours"] == 48
        assert saved["privacy_url"] == "https://salon.example/datenschutz"
        state(c, "salon-page-saved", "business")
        page = requests.get(f"{service.url}/book/{SLUG}?lang=de", timeout=10).text
        for shown in ("Oranienstraße 1", "Di–Fr 9–18 Uhr", "Schnitt und Farbe in Kreuzberg."):
            assert shown in page, shown
        assert 'data-accent="#7a3e9d"' in page
        c.assert_clean()
