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

import pytest

from support.config import PASSWORD

from .consoles import TZ, Console, OperatorSalon, operator_salon, watched

pytestmark = pytest.mark.system

SLUG = "salon-kundenkarte"
FIELDS = ["name", "email", "phone", "birthday", "notes"]
TITLE = {"de": "Kunden", "en": "Clients"}


@pytest.fixture(scope="module")
def client_salon(service) -> OperatorSalon:
    """The owner's salon with the vault set up (at the real floor, log_n 16, so
    the browser's scrypt really runs) and three clients written sealed through
    the SDK: two with an appointment tomorrow, one without (found by phone only)."""
    tag = "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(8))
    s = operator_salon(
        service,
        SLUG,
        "Salon Kundenkarte E2E",
        vault_passphrase=f"kundenkarte vault {tag} passphrase",
        unlock=True,
        settings={"profile_fields": FIELDS},
    )
    api = s.api
    stylist = s.stylist("Mara")
    cut = api.services.create("Schnitt", 45, [stylist], price_cents=5200)
    tomorrow = date.today() + timedelta(days=1)

    def booked(hour: int, profile: dict, contacts: dict) -> tuple[int, int]:
        start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, hour, tzinfo=TZ)
        a = api.appointments.create(cut, stylist, start, new_client=profile, contacts=contacts)
        return a.client_id, a.id

    s.tag = tag
    s.stylist_id = stylist.id
    s.zoe = {
        "name": f"Zoë Ångström-Weiß {tag}",
        "email": f"zoe.{tag}@example.org",
        "phone": "+49 151 2345 6789",
        "birthday": "1990-04-17",
        "notes": f"Mag grünen Tee {tag}",
    }
    s.bruno = {"name": f"Bruno Braun {tag}", "phone": "+49 160 1112223"}
    s.carla = {"name": f"Carla Ohnetermin {tag}", "phone": "+49 170 5556667"}
    s.zoe_id, s.zoe_appt = booked(10, s.zoe, {"email": s.zoe["email"], "phone": s.zoe["phone"]})
    s.bruno_id, _ = booked(12, s.bruno, {"phone": s.bruno["phone"]})
    s.carla_id = api.clients.create(s.carla, contacts={"phone": s.carla["phone"]}).id
    return s


def console(browser, folder: str, *, lang: str, width: int, height: int) -> Console:
    """Screenshots named by language and width (the tests resize); no fake clock."""
    return Console(
        browser, folder, lang=lang, width=width, height=height, clock=False, width_in_names=True
    )


def sign_in(c: Console, salon: OperatorSalon) -> None:
    """The owner signs in and opens the clients screen."""
    c.open(salon.url)
    c.sign_in(SLUG, salon.owner_email, PASSWORD)
    c.page.locator('[data-nav="clients"]').click()
    c.page.get_by_role("heading", level=1, name=TITLE[c.lang]).wait_for()


def search(c: Console, text: str):
    c.page.get_by_role("searchbox").fill(text)
    return c.page.locator(".hb-cli-result")


def test_owner_finds_changes_exports_and_erases_a_client(browser, service, client_salon):
    s = client_salon
    name = "test_owner_finds_changes_exports_and_erases_a_client"
    c = console(browser, f"{name}/owner-de", lang="de", width=1024, height=768)
    page = c.page
    new_notes = f"Neue Notiz {s.tag}: färbt im Mai,\nmag es kurz"
    with watched(c):
        # --- sign in, the clients screen asks to unlock first --------------------------------------
        sign_in(c, s)
        page.get_by_text("Kundenkarten zeigen persönliche Daten").wait_for()
        assert page.locator(".hb-cli-search").count() == 0
        c.screen("locked")
        c.unlock(s.passphrase, until=".hb-cli-search")

        # --- search by name: case- and accent-insensitive, opened here --------------------------------
        page.get_by_text("Kunden mit Terminen vom").wait_for()  # loaded and opened
        results = search(c, f"angstrom WEISS {s.tag}")
        results.first.wait_for()
        assert results.count() == 1 and s.zoe["name"] in results.first.inner_text()
        assert "Nächster Termin" in results.first.inner_text()
        assert search(c, f"braun {s.tag}").count() == 1
        assert search(c, "niemand-heisst-so").count() == 0
        page.get_by_text("Kein Kunde mit diesem Namen").wait_for()
        search(c, f"zoe {s.tag}").first.wait_for()
        c.screen("search")
        searched = [u for m, u, _ in c.requests if "/v1/clients" in u and m == "GET"]
        assert searched == [], searched  # the search ran in the browser, not at the service

        # --- the card ----------------------------------------------------------------------------
        search(c, f"zoe {s.tag}").first.click()
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
        assert "Noch keine Termine." in card.inner_text()  # her whole history: none
        lookups = [b for m, u, b in c.requests if u.endswith("/v1/clients/lookup")]
        assert lookups == ['{"phone":"0170 555 66 67"}'], lookups  # the contact, by design
        page.get_by_label("Telefonnummer oder E-Mail-Adresse", exact=True).fill("0170 000 00 00")
        page.get_by_role("button", name="Suchen", exact=True).click()
        page.get_by_text("Kein Kunde mit dieser Telefonnummer").wait_for()
        c.screen("lookup")

        # --- change the notes: sealed here, the SDK opens exactly the new ones ---------------------
        search(c, f"zoe {s.tag}").first.click()
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
        sent = c.sent_text()
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
        assert card.is_hidden() and search(c, f"zoe {s.tag}").count() == 0
        import hushbook

        with pytest.raises(hushbook.NotFound):
            s.api.clients.get(s.zoe_id)
        kept = s.api.appointments.get(s.zoe_appt)
        assert kept.client_id is None and kept.status == "confirmed"
        c.screen("erased")

        # --- 360 px: the card below the search ----------------------------------------------------
        c.resize(360, 740)
        search(c, f"bruno {s.tag}").first.click()
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
        kept = c.storage()
        assert kept == {"local": [], "session": [], "cookies": "", "idb": [], "caches": []}, kept
        c.assert_clean()


def test_reception_sized_screen_in_english(browser, service, client_salon):
    s = client_salon
    name = "test_reception_sized_screen_in_english"
    c = console(browser, f"{name}/owner-en", lang="en", width=360, height=740)
    page = c.page
    with watched(c):
        sign_in(c, s)
        page.get_by_text("Client cards show personal data").wait_for()
        c.screen("locked")
        c.unlock(s.passphrase, until=".hb-cli-search")
        results = search(c, f"BRUNO {s.tag}")
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
        puts = c.sent("PUT")
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
        assert s.bruno["phone"] not in c.sent_text()
        assert f"Short back and sides {s.tag}" not in c.sent_text()
        c.assert_clean()
