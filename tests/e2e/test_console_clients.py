"""The staff console's client card (``/console/``, screen "Kunden"/"Clients").

A salon of its own (vault at the real scrypt floor, log_n 16, so the browser's
scrypt really runs) whose clients were written sealed through the SDK. The
owner signs in, unlocks client data on the clients screen, finds a client by
name (case- and accent-insensitive, over profiles opened in the browser),
another by phone (the blind index), changes the notes (sealed again in the
browser: the SDK then opens exactly the new notes, and no request carried them
in plain text), meets a 412 when the SDK changed the client meanwhile,
exports (the download holds the opened profile) and erases a client (gone at
the API; the appointment stays, anonymous). Locking client data and the
screen forget what was opened. axe-core on every state; screenshots in German
at 1024x768 and in English at 360 px (and one of each at the other size).
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from support.config import PASSWORD, SCRYPT_LOG_N

from .support import Visit

pytestmark = pytest.mark.system

SLUG = "salon-kundenkarte"
TZ = ZoneInfo("Europe/Berlin")
WEEK = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
VAULT_LOG_N = 16  # the real floor: the browser's scrypt really runs (64 MiB)
FIELDS = ["name", "email", "phone", "birthday", "notes"]

STORAGE_JS = """
async () => {
  const out = {local: localStorage.length, session: sessionStorage.length,
               cookies: document.cookie, idb: [], caches: []};
  if (indexedDB.databases) out.idb = (await indexedDB.databases()).map((d) => d.name);
  if (window.caches) out.caches = await caches.keys();
  return out;
}
"""


class Salon:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.fixture(scope="module")
def client_salon(service):
    """The owner's salon with the vault set up and three clients written sealed
    through the SDK: two with an appointment tomorrow, one without (found by
    phone only)."""
    import hushbook
    from hushbook_service.accounts.passwords import hash_password
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.privacy.vault import setup_locally

    tag = "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(8))
    passphrase = f"kundenkarte vault {tag} passphrase"
    owner_email = f"owner@{SLUG}.test"
    with service.app.app_context(), database.connection_context():
        tenant, owner, _ = create_tenant(
            SLUG,
            "Salon Kundenkarte E2E",
            owner_email,
            owner_name="Olga Owner",
            timezone="Europe/Berlin",
            locale="de",
            scrypt_log_n=SCRYPT_LOG_N,
        )
        owner.password_hash = hash_password(PASSWORD, SCRYPT_LOG_N)
        owner.must_change_password = False
        owner.save()
        setup_locally(tenant, owner, passphrase, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)

    api = hushbook.Client.login(service.url, SLUG, owner_email, PASSWORD)
    api.vault = hushbook.Vault(api, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)
    api.vault.unlock(passphrase)
    api.tenant.update(profile_fields=FIELDS)
    stylist = api.staff.create(f"mara@{SLUG}.test", "Mara Stylist", "staff", public_name="Mara")
    api.working_hours.set(stylist, WEEK)
    cut = api.services.create("Schnitt", 45, [stylist], price_cents=5200)
    tomorrow = date.today() + timedelta(days=1)

    def booked(hour: int, profile: dict, contacts: dict) -> tuple[int, int]:
        start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, hour, tzinfo=TZ)
        a = api.appointments.create(cut, stylist, start, new_client=profile, contacts=contacts)
        return a.client_id, a.id

    zoe = {
        "name": f"Zoë Ångström-Weiß {tag}",
        "email": f"zoe.{tag}@example.org",
        "phone": "+49 151 2345 6789",
        "birthday": "1990-04-17",
        "notes": f"Mag grünen Tee {tag}",
    }
    bruno = {"name": f"Bruno Braun {tag}", "phone": "+49 160 1112223"}
    carla = {"name": f"Carla Ohnetermin {tag}", "phone": "+49 170 5556667"}
    zoe_id, zoe_appt = booked(10, zoe, {"email": zoe["email"], "phone": zoe["phone"]})
    bruno_id, _ = booked(12, bruno, {"phone": bruno["phone"]})
    carla_id = api.clients.create(carla, contacts={"phone": carla["phone"]}).id
    return Salon(
        url=service.url,
        api=api,
        tag=tag,
        passphrase=passphrase,
        owner_email=owner_email,
        zoe=zoe,
        zoe_id=zoe_id,
        zoe_appt=zoe_appt,
        bruno=bruno,
        bruno_id=bruno_id,
        carla=carla,
        carla_id=carla_id,
        stylist_id=stylist.id,
    )


class Console(Visit):
    """One person's console: its own browser context, requests recorded."""

    def __init__(self, browser, folder: str, *, lang: str, width: int, height: int) -> None:
        context = browser.new_context(
            locale="de-DE" if lang == "de" else "en-GB",
            timezone_id="Europe/Berlin",
            viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        context.set_default_timeout(30_000)
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

    def resize(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})
        self.width = width

    def screen(self, step: str) -> None:
        """Screenshot, axe-core on the whole page, and no sideways scrolling."""
        self.page.wait_for_timeout(150)
        self.shot(f"{self.lang}-{self.width}-{step}")
        self.axe(f"{self.lang}-{self.width}-{step}", include=None)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.width, f"{step}: the page scrolls sideways ({width} px)"

    def sign_in(self, base: str, salon: Salon, texts: dict) -> None:
        page = self.page
        page.goto(f"{base}/console/?lang={self.lang}")
        page.get_by_label(texts["tenant"], exact=True).fill(SLUG)
        page.get_by_label(texts["email"], exact=True).fill(salon.owner_email)
        page.get_by_label(texts["password"], exact=True).fill(PASSWORD)
        page.get_by_role("button", name=texts["signin"]).click()
        page.locator('[data-nav="clients"]').click()
        page.get_by_role("heading", level=1, name=texts["title"]).wait_for()

    def unlock(self, passphrase: str, texts: dict) -> None:
        self.page.get_by_label(texts["passphrase"], exact=True).fill(passphrase)
        self.page.get_by_role("button", name=texts["unlock"], exact=True).click()
        self.page.locator(".hb-cli-search").wait_for(timeout=60_000)

    def search(self, text: str):
        self.page.get_by_role("searchbox").fill(text)
        return self.page.locator(".hb-cli-result")

    def card_title(self) -> str:
        return self.page.locator("#hb-cli-card-title").inner_text()

    def failed(self) -> None:
        try:
            self.shot("failure")
            print(f"console errors: {self.errors}; console: {self.console[-20:]}")
        except Exception:  # noqa: BLE001, S110 - a report, not a check
            pass


DE = {
    "tenant": "Salon",
    "email": "E-Mail",
    "password": "Passwort",
    "signin": "Anmelden",
    "title": "Kunden",
    "passphrase": "Tresor-Passphrase",
    "unlock": "Entsperren",
}
EN = {
    "tenant": "Salon",
    "email": "E-mail",
    "password": "Password",
    "signin": "Sign in",
    "title": "Clients",
    "passphrase": "Vault passphrase",
    "unlock": "Unlock",
}


def bodies_and_urls(c: Console) -> str:
    return "\n".join(f"{m} {u} {b}" for m, u, b in c.requests)


def test_owner_finds_changes_exports_and_erases_a_client(browser, service, client_salon):
    s = client_salon
    name = "test_owner_finds_changes_exports_and_erases_a_client"
    c = Console(browser, f"{name}/owner-de", lang="de", width=1024, height=768)
    page = c.page
    new_notes = f"Neue Notiz {s.tag}: färbt im Mai,\nmag es kurz"
    try:
        # --- sign in, the clients screen asks to unlock first --------------------------------------
        c.sign_in(s.url, s, DE)
        page.get_by_text("Kundenkarten zeigen persönliche Daten").wait_for()
        assert page.locator(".hb-cli-search").count() == 0
        c.screen("locked")
        c.unlock(s.passphrase, DE)

        # --- search by name: case- and accent-insensitive, opened here --------------------------------
        page.get_by_text("Kunden mit Terminen vom").wait_for()  # loaded and opened
        results = c.search(f"angstrom WEISS {s.tag}")
        results.first.wait_for()
        assert results.count() == 1 and s.zoe["name"] in results.first.inner_text()
        assert "Nächster Termin" in results.first.inner_text()
        assert c.search(f"braun {s.tag}").count() == 1
        assert c.search("niemand-heisst-so").count() == 0
        page.get_by_text("Kein Kunde mit diesem Namen").wait_for()
        c.search(f"zoe {s.tag}").first.wait_for()
        c.screen("search")
        searched = [u for m, u, _ in c.requests if "/v1/clients" in u and m == "GET"]
        assert searched == [], searched  # the search ran in the browser, not at the service

        # --- the card ----------------------------------------------------------------------------
        c.search(f"zoe {s.tag}").first.click()
        page.wait_for_function(
            "n => document.getElementById('hb-cli-card-title')?.textContent === n",
            arg=s.zoe["name"],
        )
        assert page.evaluate("document.activeElement.id") == "hb-cli-card-title"
        card = page.locator(".hb-cli-card")
        for value in (s.zoe["email"], s.zoe["phone"], s.zoe["notes"], "17. Apr. 1990"):
            assert value in card.inner_text(), value
        assert "Neukunde" in card.inner_text() and "Keine Einwilligung" in card.inner_text()
        assert "Schnitt" in card.inner_text() and "Mara Stylist" in card.inner_text()
        c.screen("card")

        # --- lookup by phone (another spelling of the number) -------------------------------------
        page.get_by_label("Telefonnummer oder E-Mail-Adresse", exact=True).fill("0170 555 66 67")
        page.get_by_role("button", name="Suchen", exact=True).click()
        page.wait_for_function(
            "n => document.getElementById('hb-cli-card-title')?.textContent === n",
            arg=s.carla["name"],
        )
        assert "Keine Termine vom" in card.inner_text()
        lookups = [b for m, u, b in c.requests if u.endswith("/v1/clients/lookup")]
        assert lookups == ['{"phone":"0170 555 66 67"}'], lookups  # the contact, by design
        page.get_by_label("Telefonnummer oder E-Mail-Adresse", exact=True).fill("0170 000 00 00")
        page.get_by_role("button", name="Suchen", exact=True).click()
        page.get_by_text("Kein Kunde mit dieser Telefonnummer").wait_for()
        c.screen("lookup")

        # --- change the notes: sealed here, the SDK opens exactly the new ones ---------------------
        c.search(f"zoe {s.tag}").first.click()
        card.get_by_role("button", name="Profil ändern").click()
        notes = card.get_by_label("Notizen", exact=True)
        assert c.focus()["tag"] == "input"  # the first field: the name
        c.screen("edit")
        notes.fill(new_notes)
        card.get_by_label("Name", exact=True).fill("")
        card.get_by_role("button", name="Speichern").click()
        card.get_by_role("alert").filter(has_text="Bitte geben Sie den Namen ein").wait_for()
        c.screen("edit-invalid")
        card.get_by_label("Name", exact=True).fill(s.zoe["name"])
        with page.expect_response(lambda r: r.url.endswith(f"/clients/{s.zoe_id}/profile")) as put:
            card.get_by_role("button", name="Speichern").click()
        assert put.value.status == 200
        card.get_by_role("status").filter(has_text="Das Profil ist gespeichert.").wait_for()
        assert put.value.request.headers.get("if-match"), "PUT without If-Match"
        assert new_notes in card.inner_text()
        c.screen("saved")
        opened = s.api.clients.get(s.zoe_id).profile
        assert opened == {**s.zoe, "notes": new_notes}, opened  # exactly, nothing else changed
        sent = bodies_and_urls(c)
        for secret in (new_notes, "färbt im Mai", s.zoe["notes"], s.zoe["name"], s.passphrase):
            assert secret not in sent, f"sent in plain text: {secret!r}"
        assert s.api.clients.lookup(email=s.zoe["email"]).id == s.zoe_id  # index unchanged

        # --- someone else changes it meanwhile: 412, the card shows their version ----------------------
        card.get_by_role("button", name="Profil ändern").click()
        theirs = {**s.zoe, "notes": f"Vom Empfang {s.tag}"}
        s.api.clients.update_profile(s.api.clients.get(s.zoe_id), theirs)
        card.get_by_label("Notizen", exact=True).fill("meine Änderung")
        card.get_by_role("button", name="Speichern").click()
        card.get_by_role("alert").filter(has_text="Jemand anderes hat diesen Kunden").wait_for()
        card.get_by_text(theirs["notes"]).wait_for()  # read again
        assert s.api.clients.get(s.zoe_id).profile == theirs
        c.screen("conflict")

        # --- export: built in the browser, the file holds the opened profile -------------------------
        with page.expect_download() as download:
            card.get_by_role("button", name="Daten herunterladen (Export)").click()
        assert download.value.suggested_filename.startswith(f"client-{s.zoe_id}-export-")
        exported = json.loads(open(download.value.path(), encoding="utf-8").read())
        assert exported["client"]["profile"] == theirs
        assert "sealed_profile" not in exported["client"]
        assert [a["id"] for a in exported["appointments"]] == [s.zoe_appt]
        card.get_by_role("status").filter(has_text="heruntergeladen").wait_for()
        urls = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert not [u for u in urls if u.startswith("blob:")]
        c.screen("exported")

        # --- erase: asked twice (type the name), then gone at the API ---------------------------------
        card.get_by_role("button", name="Kunden löschen …").click()
        confirm = card.get_by_label(f"Zur Bestätigung den Namen eintippen: {s.zoe['name']}")
        assert c.focus()["tag"] == "input"
        assert "Kundendaten gelöscht" in card.inner_text()  # says what stays
        confirm.fill("Zoe")
        card.get_by_role("button", name="Endgültig löschen").click()
        card.get_by_role("alert").filter(has_text="stimmt nicht überein").wait_for()
        c.screen("erase-confirm")
        assert s.api.clients.get(s.zoe_id).id == s.zoe_id  # not yet
        confirm.fill(s.zoe["name"].lower())
        card.get_by_role("button", name="Endgültig löschen").click()
        page.get_by_text("Der Kunde wurde gelöscht.").wait_for()
        assert card.is_hidden() and c.search(f"zoe {s.tag}").count() == 0
        import hushbook

        with pytest.raises(hushbook.NotFound):
            s.api.clients.get(s.zoe_id)
        kept = s.api.appointments.get(s.zoe_appt)
        assert kept.client_id is None and kept.status == "confirmed"
        c.screen("erased")

        # --- 360 px: the card below the search ----------------------------------------------------
        c.resize(360, 740)
        c.search(f"bruno {s.tag}").first.click()
        page.wait_for_function(
            "n => document.getElementById('hb-cli-card-title')?.textContent === n",
            arg=s.bruno["name"],
        )
        c.screen("card")

        # --- locking client data forgets the opened profiles -------------------------------------------
        page.get_by_role("button", name="Kundendaten sperren").click()
        page.get_by_text("Kundenkarten zeigen persönliche Daten").wait_for()
        assert s.bruno["name"] not in page.content() and s.tag not in page.content()
        c.screen("relocked")
        page.get_by_role("button", name="Abmelden").click()
        page.get_by_text("Sie sind abgemeldet.").wait_for()
        kept = page.evaluate(STORAGE_JS)
        assert kept == {"local": 0, "session": 0, "cookies": "", "idb": [], "caches": []}, kept
        c.assert_clean()
    except BaseException:
        c.failed()
        raise
    finally:
        c.context.close()


def test_reception_sized_screen_in_english(browser, service, client_salon):
    s = client_salon
    name = "test_reception_sized_screen_in_english"
    c = Console(browser, f"{name}/owner-en", lang="en", width=360, height=740)
    page = c.page
    try:
        c.sign_in(s.url, s, EN)
        page.get_by_text("Client cards show personal data").wait_for()
        c.screen("locked")
        c.unlock(s.passphrase, EN)
        results = c.search(f"BRUNO {s.tag}")
        results.first.wait_for()
        c.screen("search")
        results.first.click()
        page.wait_for_function(
            "n => document.getElementById('hb-cli-card-title')?.textContent === n",
            arg=s.bruno["name"],
        )
        card = page.locator(".hb-cli-card")
        assert s.bruno["phone"] in card.inner_text() and "Coming up" in card.inner_text()
        assert "not given" in card.inner_text()  # e-mail, birthday, notes
        c.screen("card")
        card.get_by_role("button", name="Change profile").click()
        c.screen("edit")
        page.keyboard.press("Escape")  # discards, back on the button
        assert c.focus()["label"] == "Change profile"
        assert card.get_by_role("heading", name=s.bruno["name"]).is_visible()

        # A visit is counted while the notes are typed: the ETag changed, the sealed
        # profile did not, so the console saves with the fresh ETag (no conflict) and
        # the figures are kept.
        card.get_by_role("button", name="Change profile").click()
        card.get_by_label("Notes", exact=True).fill(f"Short back and sides {s.tag}")
        from hushbook_service.db import database
        from hushbook_service.models import Client

        with service.app.app_context(), database.connection_context():
            Client.update(visits=Client.visits + 5).where(Client.id == s.bruno_id).execute()
        card.get_by_role("button", name="Save").click()
        card.get_by_role("status").filter(has_text="The profile is saved.").wait_for()
        puts = [u for m, u, _ in c.requests if m == "PUT"]
        assert len(puts) == 2, puts  # 412, then again with the fresh ETag
        stored = s.api.clients.get(s.bruno_id)
        assert stored.profile == {**s.bruno, "notes": f"Short back and sides {s.tag}"}
        assert stored.figures.visits == 5
        card.get_by_role("button", name="Erase client…").click()
        c.screen("erase-confirm")
        card.get_by_role("button", name="Keep client").click()
        c.resize(1024, 768)
        c.screen("card")

        # The screen lock forgets everything opened.
        page.get_by_role("button", name="Lock screen").click()
        page.get_by_role("heading", name="Screen locked").wait_for()
        assert s.tag not in page.content()
        assert s.bruno["phone"] not in bodies_and_urls(c)
        assert f"Short back and sides {s.tag}" not in bodies_and_urls(c)
        c.assert_clean()
    except BaseException:
        c.failed()
        raise
    finally:
        c.context.close()
