"""The console's keys screen ("Schlüssel & Zugriff") against the real service.

A salon of its own with no vault at all: the owner and a stylist, both with
their own passwords. In the browser (German, 1024x768) the owner follows the
day view's "create your key" button, is refused a short and a mistyped
passphrase, creates her key and sets up client data protection; the SDK (only
the passphrase typed in the browser crosses over) unlocks with that key and
books the stylist a caller whose name it seals. The stylist (English, 360 px)
creates her own key, the owner gives her access, she checks for access in the
day view's panel and reads exactly that name; the owner takes access away
(asked twice) and after unlocking again she reads nothing; she "forgot" her
passphrase and replaces her key. The owner, now in
English, finds the vault locked on the keys screen, unlocks it right there and
changes the key (asked twice): the SDK then reads the client with key version
2. axe-core runs on every state, screenshots in German and English; afterwards
no storage holds anything and no request carried a passphrase or the name.

The vault's scrypt runs at the floor, log_n 16, instead of 17: the page reads
``globalThis.HushbookConsoleTest = {vaultLogN: 16}``, which only a script in
the page can set (here Playwright's init script) — see keysLogN in
plugins/console/src/screens/30-keys.js for why this is no URL parameter.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import pytest

from support.config import PASSWORD

from .consoles import (
    DE,
    EN,
    TZ,
    VAULT_FLOOR,
    Console,
    OperatorSalon,
    assert_nothing_kept,
    block_of,
    enrol,
    go_to_day,
    operator_salon,
    set_password,
    watched,
)

pytestmark = pytest.mark.system

SLUG = "salon-keys-konsole"
STYLIST = "Sina Stylist"
STYLIST_PASSWORD = "Stylistin-Schluessel-5512"


@pytest.fixture(scope="module")
def keys_salon(service) -> OperatorSalon:
    """Owner and stylist with their own passwords; a service; no vault yet."""
    tag = secrets.token_hex(4)
    salon = operator_salon(service, SLUG, "Salon Schlüssel E2E")
    stylist = salon.stylist("Sina")
    salon.service_id = salon.api.services.create("Schnitt", 45, [stylist.id], price_cents=4200).id
    set_password(service, stylist.id, STYLIST_PASSWORD)
    salon.stylist_email = salon.email("Sina")
    salon.stylist_id = stylist.id
    salon.owner_pass = f"Unser Salon öffnet dienstags um neun {tag}"
    salon.stylist_pass = f"My chair is by the window {tag}"
    salon.client_name = f"Kundin Geheimnis {tag}"
    return salon


def owner_sdk(salon: OperatorSalon):
    """The owner's SDK, unlocked with the passphrase she chose in the browser."""
    return salon.login(passphrase=salon.owner_pass)


def console(browser, folder: str, lang: str, width: int, height: int) -> Console:
    return Console(browser, folder, lang=lang, width=width, height=height, vault_log_n=VAULT_FLOOR)


def sign_in(c: Console, salon: OperatorSalon, email: str, password: str) -> None:
    c.enter(salon.url, SLUG, email, password)
    c.page.locator('[data-nav="keys"]').wait_for()


def nav(c: Console, screen: str) -> None:
    c.page.locator(f'[data-nav="{screen}"]').click()
    c.page.locator(f'[data-screen="{screen}"] h1').wait_for()


def keys_card(c: Console, section: str):
    return c.page.locator(f'[data-keys-section="{section}"]')


def test_enrol_setup_grant_revoke_rotate(browser, service, keys_salon):
    salon = keys_salon
    test_name = "test_enrol_setup_grant_revoke_rotate"
    o = console(browser, f"{test_name}/owner-de-1024", "de", 1024, 768)
    s = console(browser, f"{test_name}/stylist-en-360", "en", 360, 740)
    e = console(browser, f"{test_name}/owner-en-1024", "en", 1024, 768)
    with watched(o, s, e):
        # --- the owner: from the day view's panel to her own key -------------------------------
        sign_in(o, salon, salon.owner_email, PASSWORD)
        nav(o, "day")
        panel = o.page.locator(".hb-vault")
        assert "noch keinen Tresor-Schlüssel" in panel.inner_text()
        o.screen("day-not-enrolled")
        panel.get_by_role("button", name="Eigenen Schlüssel anlegen").click()
        o.page.get_by_role("heading", name="Schlüssel für Kundendaten", level=1).wait_for()
        # the screen moves focus to its heading once drawn (on a loaded machine, later)
        o.page.wait_for_function(
            "document.activeElement && document.activeElement.tagName === 'H1'"
        )
        assert o.focus()["tag"] == "h1"
        assert "auch nicht der Betreiber" in keys_card(o, "enrol").inner_text()
        o.screen("keys-enrol")
        enrol(o, "zu kurz")
        o.page.get_by_role("alert").filter(has_text="zu kurz").wait_for()
        assert o.page.get_by_label(DE["vault_new"], exact=True).input_value() == ""  # never kept
        o.page.get_by_label(DE["vault_new"], exact=True).fill(salon.owner_pass)
        o.page.get_by_label(DE["vault_repeat"], exact=True).fill(salon.owner_pass + "x")
        o.page.get_by_role("button", name=DE["vault_create"]).click()
        o.page.get_by_role("alert").filter(has_text="stimmen nicht überein").wait_for()
        o.screen("keys-enrol-mismatch")
        enrol(o, salon.owner_pass)
        setup = keys_card(o, "setup")
        setup.get_by_text("Ihr Schlüssel ist angelegt und auf diesem Gerät entsperrt.").wait_for(
            timeout=60_000
        )
        assert o.focus()["tag"] == "h2"
        o.screen("keys-setup")

        # --- set up the business key --------------------------------------------------------------
        setup.get_by_role("button", name="Schutz der Kundendaten einrichten").click()
        team = keys_card(o, "team")
        team.get_by_text("Der Schutz der Kundendaten ist eingerichtet.").wait_for()
        sina = team.locator(f'[data-staff="{salon.stylist_id}"]')
        assert "Noch kein Schlüssel" in sina.inner_text()
        o.screen("keys-team")
        owner_api = owner_sdk(salon)  # the browser's key and grant, opened by the SDK
        assert owner_api.vault.can_read and owner_api.vault.state["key_version"] == 1
        tomorrow = date.today() + timedelta(days=1)
        appt = owner_api.appointments.create(
            salon.service_id,
            salon.stylist_id,
            datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=TZ),
            new_client={"name": salon.client_name},
        )

        # --- the stylist creates her key (English, 360 px) -----------------------------------------
        sign_in(s, salon, salon.stylist_email, STYLIST_PASSWORD)
        nav(s, "day")
        s_panel = s.page.locator(".hb-vault")
        s_panel.get_by_role("button", name="Create your key").click()
        s.page.get_by_role("heading", name="Keys for client data", level=1).wait_for()
        s.screen("keys-enrol")
        enrol(s, salon.stylist_pass)
        keys_card(s, "mine").get_by_text("Your key is ready").wait_for(timeout=60_000)
        assert "You have no access to client data yet" in keys_card(s, "mine").inner_text()
        s.screen("keys-enrolled")

        members = {m["staff_id"]: m for m in owner_api.get("/v1/vault/members")}
        old_key = members[salon.stylist_id]["public_key"]
        assert old_key and members[salon.stylist_id]["granted"] is False

        # --- the owner gives her access -------------------------------------------------------------
        nav(o, "keys")
        sina = keys_card(o, "team").locator(f'[data-staff="{salon.stylist_id}"]')
        sina.get_by_role("button", name="Zugriff geben").click()
        keys_card(o, "team").get_by_text(f"{STYLIST} hat jetzt Zugriff").wait_for()
        assert "Zugriff\nja" in sina.inner_text() or "Zugriffja" in sina.inner_text()
        o.screen("keys-granted")

        # --- she checks for access in the day view and reads the name -------------------------------
        nav(s, "day")
        s_panel.get_by_role("button", name="Check for access").click()
        s_panel.get_by_text("Client data is unlocked on this device.").wait_for()
        go_to_day(s, tomorrow)
        name = block_of(s, appt.id).locator(".hb-appt-name")
        name.wait_for()
        assert name.inner_text() == salon.client_name
        s.screen("day-name")

        # --- the owner takes access away (asked twice) ---------------------------------------------
        sina.get_by_role("button", name="Zugriff entziehen").click()
        sina.get_by_text("wirklich den Zugriff entziehen").wait_for()
        assert o.focus()["label"].startswith("Nein")  # the safe answer has the focus
        o.screen("keys-revoke-ask")
        sina.get_by_role("button", name="Ja, Zugriff entziehen").click()
        keys_card(o, "team").get_by_text(f"{STYLIST} hat keinen Zugriff mehr").wait_for()
        assert sina.get_by_role("button", name="Zugriff geben").count() == 1
        o.screen("keys-revoked")

        # --- after unlocking again she reads nothing --------------------------------------------------
        s_panel.get_by_role("button", name="Lock client data").click()
        s_panel.get_by_label("Vault passphrase", exact=True).fill(salon.stylist_pass)
        s_panel.get_by_role("button", name="Unlock", exact=True).click()
        s_panel.get_by_text("the owner has not given you access").wait_for(timeout=60_000)
        assert name.inner_text() == "No access to client data"
        assert salon.client_name not in s.page.content()
        s.screen("day-revoked")

        # --- she forgot her passphrase: a new key replaces the old one ---------------------------------
        nav(s, "keys")
        mine = keys_card(s, "mine")
        mine.get_by_role("button", name="I forgot my vault passphrase").click()
        assert s.focus()["label"] == EN["vault_new"]
        s.screen("keys-forgot")
        enrol(s, salon.stylist_pass + " again", create="Replace my key")
        mine.get_by_text("Your key is ready").wait_for(timeout=60_000)
        members = {m["staff_id"]: m for m in owner_api.get("/v1/vault/members")}
        assert members[salon.stylist_id]["public_key"] != old_key
        assert members[salon.stylist_id]["granted"] is False

        # --- the owner, in English: locked on the keys screen, unlocks there, changes the key ------------
        sign_in(e, salon, salon.owner_email, PASSWORD)
        nav(e, "keys")
        e_team = keys_card(e, "team")
        e_team.get_by_label("Vault passphrase", exact=True).wait_for()  # the panel, right there
        assert e_team.get_by_role("button", name="Give access").count() == 0
        e.screen("keys-locked")
        e_team.get_by_label("Vault passphrase", exact=True).fill(salon.owner_pass)
        e_team.get_by_role("button", name="Unlock", exact=True).click()
        rotate = keys_card(e, "rotate")
        rotate.get_by_role("button", name="Change the key now").wait_for(timeout=60_000)
        assert e_team.get_by_role("button", name="Give access").count() == 1
        e.screen("keys-unlocked")
        rotate.get_by_role("button", name="Change the key now").click()
        rotate.get_by_text("Really change the key now?").wait_for()
        e.screen("keys-rotate-ask")
        rotate.get_by_role("button", name="Yes, change the key").click()
        rotate.get_by_text("The key was changed. Client profiles encrypted again: 1.").wait_for(
            timeout=60_000
        )
        e.screen("keys-rotated")
        fresh = owner_sdk(salon)
        assert fresh.vault.state["key_version"] == 2
        assert fresh.appointments.get(appt.id).client.profile == {"name": salon.client_name}

        assert_nothing_kept(
            [o, s, e],
            {
                "owner passphrase": salon.owner_pass,
                "stylist passphrase": salon.stylist_pass,
                "client name": salon.client_name,
            },
        )
        for c in (o, s, e):
            c.assert_clean()
