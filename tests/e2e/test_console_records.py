"""The console's records screens against the real service, worker and SMTP:
integration keys, blocked contacts, the audit trail and the message log.

A salon of its own (set up through the SDK). In German at 1024x768 the owner
creates a WordPress key in the console — the secret read from the page (and
from the clipboard, after "Copy key") really forwards a visitor's booking as a
plugin would (``public:forward``) — and revokes it (then the service refuses
it); blocks an e-mail address and a phone number (the blocked address can no
longer book) and unblocks the address; sees the message log with the
booking's confirmation request and confirmation sent by the worker; and the
audit trail with those events, by the owner's name, and an intact chain. In
English at 1024x768 and at 360 px the four screens again; a changed audit
event is shown as a broken chain at its number (then repaired). axe-core on
every screen, screenshots under ``build/e2e-screenshots/<test>/``.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import date, timedelta

import pytest
import requests

from support.config import PASSWORD, VAULT_LOG_N

from .consoles import DE, EN, NOTICE, Console, OperatorSalon, operator_salon, watched

pytestmark = pytest.mark.system

SLUG = "salon-protokoll"
OWNER = "Rita Records"
FAST = {"pow_base_bits": 8, "min_fill_seconds": 0}  # the test's own puzzles, quickly
VISITOR_IP = "203.0.113.7"  # what the "plugin" vouches for


@pytest.fixture(scope="module")
def records_salon(service) -> OperatorSalon:
    """Owner (password set, vault at test cost), one stylist, one service, a
    privacy notice per language, fast puzzles."""
    salon = operator_salon(
        service,
        SLUG,
        "Salon Protokoll E2E",
        owner_name=OWNER,
        vault_passphrase=f"passphrase of owner@{SLUG}.test",
        vault_log_n=VAULT_LOG_N,
        settings={"stealth_settings": FAST},
        notices=NOTICE,
    )
    stylist = salon.stylist("Lena")
    cut = salon.api.services.create("Waschen und Schneiden", 30, [stylist], price_cents=3900)
    salon.service_id = cut.id
    return salon


# --- helpers ---------------------------------------------------------------------------------


def visitor(salon: OperatorSalon, key: str | None = None):
    import hushbook

    return hushbook.PublicBooking(
        salon.url,
        salon.slug,
        integration_key=key,
        visitor_ip=VISITOR_IP if key else None,
        tenant_id=salon.tenant_id,
        locale="de",
    )


def book(salon: OperatorSalon, shop, email: str):
    day = date.today() + timedelta(days=2)
    offers = shop.offers(salon.service_id, day, day + timedelta(days=5))
    assert offers, "no offers"
    return shop.book(offers[0], profile={"name": "Kundin Records"}, email=email, locale="de")


def forward_status(salon: OperatorSalon, key: str) -> int:
    """What the service answers a plugin that forwards a visitor with ``key``."""
    return requests.post(
        f"{salon.url}/v1/public/{salon.slug}/challenge",
        json={},
        headers={"Authorization": f"Bearer {key}", "Hushbook-Visitor-IP": VISITOR_IP},
        timeout=10,
    ).status_code


def wait_sent(salon: OperatorSalon, kinds: set[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = {m.kind for m in salon.api.messages.list(state="sent")}
        if kinds <= sent:
            return
        time.sleep(0.2)
    raise AssertionError(f"not sent in {timeout} s: {kinds - sent}")


def sign_in(c: Console, salon: OperatorSalon, texts: dict) -> None:
    c.open(salon.url)
    c.sign_in(salon.slug, salon.owner_email, PASSWORD, texts)
    c.page.locator('[data-nav="integrations"]').wait_for()


def go(c: Console, screen: str) -> None:
    c.page.locator(f'[data-nav="{screen}"]').click()
    # The core focuses the h1 (giving it tabindex) once the screen has drawn its lists.
    c.page.locator(f'[data-screen="{screen}"] h1[tabindex="-1"]').wait_for()


def table_rows(c: Console, section: str):
    return c.page.locator(f"{section} tbody tr")


def audit_who_and_object(c: Console, action: str) -> list[tuple[str, str]]:
    rows = c.page.locator(f'.hb-rec-events tr[data-action="{action}"]')
    return [
        (
            rows.nth(i).locator("td").nth(1).inner_text(),
            rows.nth(i).locator("td").nth(3).inner_text(),
        )
        for i in range(rows.count())
    ]


# --- the owner, in German ------------------------------------------------------------------------


def test_owner_keys_blocklist_messages_and_audit(browser, service, records_salon):
    salon = records_salon
    tag = secrets.token_hex(3)
    name = f"WordPress www.{SLUG}-{tag}.example"
    customer = f"kundin.{tag}@example.org"
    blocked = f"gesperrt.{tag}@example.org"
    c = Console(browser, "test_console_records/owner-de-1024", lang="de", width=1024, height=768)
    c.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=service.url)
    with watched(c):
        sign_in(c, salon, DE)

        # --- integration keys: a WordPress key, shown once, copied, used, revoked -------------------
        go(c, "integrations")
        page = c.page
        assert page.get_by_text("Keine gültigen Schlüssel.").is_visible()
        checked = {
            box.get_attribute("data-scope"): box.is_checked()
            for box in page.locator("input[data-scope]").all()
        }
        assert len(checked) == 14 and [s for s, on in checked.items() if on] == ["public:forward"]
        c.screen("integrations-empty")
        page.get_by_label("Name des Schlüssels", exact=True).fill("")
        page.get_by_role("button", name="Schlüssel erstellen").click()
        page.get_by_role("alert").filter(has_text="Name des Schlüssels").wait_for()
        page.get_by_label("Name des Schlüssels", exact=True).fill(name)
        page.get_by_role("button", name="Schlüssel erstellen").click()
        box = page.locator("[data-secret-box]")
        box.get_by_role("heading", name=re.compile("jetzt kopieren")).wait_for()
        assert c.focus()["tag"] == "h2"
        assert "nur dieses eine Mal" in box.inner_text()
        secret = box.get_by_label("Schlüssel", exact=True).input_value()
        assert len(secret) > 40
        c.screen("integrations-secret")
        box.get_by_role("button", name="Schlüssel kopieren").click()
        box.get_by_role("status").filter(has_text="Kopiert.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == secret
        keys = salon.api.integration_keys.list()
        assert [(k.name, k.scopes, k.revoked_at) for k in keys] == [
            (name, ["public:forward"], None)
        ]

        # The secret from the page works as a plugin's key: a visitor's booking, forwarded.
        assert forward_status(salon, secret) == 200
        pending = book(salon, visitor(salon, secret), customer)
        mail = service.mailbox.wait_for(customer, "Code", timeout=30)
        code = re.search(r"Code\D{0,40}(\d{6})", mail.get_body(("plain",)).get_content()).group(1)
        assert visitor(salon).confirm(pending, code).status == "confirmed"

        box.get_by_role("button", name=re.compile("^Fertig")).click()
        assert box.count() == 0
        assert secret not in page.evaluate(
            "Array.from(document.querySelectorAll('input')).map((i) => i.value).join(' ')"
        )
        assert c.focus()["label"] == "Ihre Schlüssel"
        go(c, "integrations")  # drawn anew: the key was used meanwhile
        card = page.locator(".hb-rec-card").filter(has_text=name)
        assert "Buchungs-Plugin" in card.inner_text()
        assert "Noch nicht benutzt" not in card.inner_text()
        card.get_by_role("button", name="Schlüssel widerrufen").click()
        card.get_by_text("wirklich widerrufen?").wait_for()
        c.screen("integrations-revoke-ask")
        card.get_by_role("button", name="Ja, widerrufen").click()
        page.locator(".hb-rec-done").filter(has_text="ist widerrufen").wait_for()
        assert page.get_by_text("Keine gültigen Schlüssel.").is_visible()
        assert page.locator(".hb-rec-revoked summary").inner_text() == "Widerrufene Schlüssel (1)"
        c.screen("integrations-revoked")
        assert forward_status(salon, secret) == 401  # refused at once
        assert salon.api.integration_keys.list()[0].revoked_at is not None

        # --- blocked contacts: a wrong number, an address and a number, unblock the address ----------
        go(c, "blocklist")
        assert page.get_by_text("Niemand ist gesperrt.").is_visible()
        c.screen("blocklist-empty")
        phone = page.get_by_label("Telefonnummer", exact=True)
        phone.fill("ruf mich an")
        page.get_by_role("button", name="Sperren", exact=True).click()
        page.get_by_role("alert").filter(has_text="Ziffern").wait_for()
        assert phone.get_attribute("aria-invalid") == "true"
        c.screen("blocklist-error")
        phone.fill("")
        page.get_by_label("E-Mail-Adresse", exact=True).fill(blocked)
        page.get_by_role("button", name="Sperren", exact=True).click()
        page.locator(".hb-rec-done").filter(has_text="Gesperrt: E-Mail-Adresse.").wait_for()
        phone.fill("+49 151 555 01 23")
        page.get_by_role("button", name="Sperren", exact=True).click()
        page.locator(".hb-rec-done").filter(has_text="Gesperrt: Telefonnummer.").wait_for()
        cards = page.locator(".hb-rec-card")
        assert cards.count() == 2
        assert blocked not in page.content()  # the service gives no contact back
        assert "Vom Salon gesperrt" in cards.first.inner_text()
        c.screen("blocklist-two")
        rows = salon.api.blocked_contacts.list()
        assert sorted(r.kind for r in rows) == ["email", "phone"]
        import hushbook

        with pytest.raises(hushbook.PermissionDenied):  # what the console sent was hashed right
            book(salon, visitor(salon), blocked)
        cards.filter(has_text="E-Mail-Adresse").get_by_role("button", name="Entsperren").click()
        page.get_by_text("wieder online buchen").wait_for()
        c.screen("blocklist-unblock-ask")
        page.get_by_role("button", name="Ja, entsperren").click()
        page.locator(".hb-rec-done").filter(has_text="Entsperrt: E-Mail-Adresse.").wait_for()
        assert cards.count() == 1 and "Telefonnummer" in cards.first.inner_text()
        assert [r.kind for r in salon.api.blocked_contacts.list()] == ["phone"]

        # --- the message log: the request to confirm and the confirmation, sent -------------------
        wait_sent(salon, {"confirm_request", "confirmed"})
        go(c, "messages")
        log = page.locator(".hb-rec-messages")
        for kind in ("confirm_request", "confirmed"):
            row = log.locator(f'tr[data-kind="{kind}"]')
            assert row.count() == 1 and row.get_attribute("data-state") == "sent", kind
            assert "Gesendet" in row.inner_text() and "E-Mail" in row.inner_text()
        assert customer not in page.content()
        c.screen("messages")
        page.get_by_label("Status", exact=True).select_option("sent")
        page.get_by_label("Nachricht", exact=True).select_option("confirm_request")
        page.get_by_role("button", name="Anzeigen").click()
        page.get_by_role("heading", name="Passende Nachrichten (1), späteste zuerst").wait_for()
        assert table_rows(c, ".hb-rec-messages").count() == 1
        c.screen("messages-filtered")

        # --- the audit trail: those events, by the owner, an intact chain -------------------------
        go(c, "audit")
        page.locator('.hb-rec-chain[data-chain="intact"]').wait_for()
        assert "Unversehrt" in page.locator(".hb-rec-chain").inner_text()
        events = page.locator(".hb-rec-events")
        actions = [r.get_attribute("data-action") for r in events.locator("tbody tr").all()]
        assert actions[:5] == [
            "blocklist.remove",
            "blocklist.add",
            "blocklist.add",
            "integration_key.revoke",
            "public.confirm",
        ], actions
        key_label = f"Schlüssel „{name}“"
        assert audit_who_and_object(c, "integration_key.create") == [(OWNER, key_label)]
        assert audit_who_and_object(c, "integration_key.revoke") == [(OWNER, key_label)]
        assert [w for w, _ in audit_who_and_object(c, "blocklist.add")] == [OWNER, OWNER]
        create_row = events.locator('tr[data-action="integration_key.create"]')
        assert "Buchungs-Plugin" in create_row.inner_text()  # its scopes, in words
        assert "Schlüssel für eine Anbindung erstellt" in create_row.inner_text()
        c.screen("audit")
        page.get_by_label("Was geschah", exact=True).select_option("blocklist.add")
        page.get_by_role("button", name="Anzeigen").click()
        page.get_by_role(
            "heading", name=re.compile("^Einträge „Kontakt gesperrt“ \\(2\\)")
        ).wait_for()
        assert {r.get_attribute("data-action") for r in events.locator("tbody tr").all()} == {
            "blocklist.add"
        }
        c.screen("audit-filtered")
        c.assert_clean()


# --- English, 1024 and 360 px; a broken chain shown -------------------------------------------------


def test_records_in_english_wide_and_narrow_and_a_broken_chain(browser, service, records_salon):
    from hushbook_service.db import database
    from hushbook_service.models import AuditEvent

    salon = records_salon
    tag = secrets.token_hex(3)
    # More events than one page of the trail (25): the pages are shown.
    for i in range(30):
        if len(list(salon.api.audit_events.list(page_size=100))) > 25:
            break
        salon.api.blocked_contacts.block(email=f"later.{i}.{tag}@example.org")
    wide = Console(browser, "test_console_records/owner-en-1024", lang="en", width=1024, height=768)
    narrow = Console(browser, "test_console_records/owner-en-360", lang="en", width=360, height=740)
    changed = None

    def repair() -> None:  # the instance's chain whole again
        if changed is not None:
            with service.app.app_context(), database.connection_context():
                AuditEvent.update(target_id=changed[1]).where(AuditEvent.id == changed[0]).execute()

    with watched(wide, narrow, afterwards=repair):
        for c in (wide, narrow):
            sign_in(c, salon, EN)
            for screen, heading in (
                ("integrations", "Integration keys"),
                ("blocklist", "Blocked contacts"),
                ("messages", "Message log"),
                ("audit", "Audit trail"),
            ):
                go(c, screen)
                c.page.get_by_role("heading", level=1, name=heading).wait_for()
                assert c.focus()["tag"] == "h1"
                if screen == "audit":
                    c.page.locator('.hb-rec-chain[data-chain="intact"]').wait_for()
                c.screen(screen)

        # The trail a page at a time: older entries on the next page.
        page = wide.page
        events = page.locator(".hb-rec-events")
        first = [int(r.get_attribute("data-seq")) for r in events.locator("tbody tr").all()]
        assert len(first) == 25 and first == sorted(first, reverse=True)
        assert events.get_by_text(re.compile(r"^Page 1 of \d+ ")).is_visible()
        events.get_by_role("button", name="Next page").click()
        events.get_by_text(re.compile(r"^Page 2 of \d+ ")).wait_for()
        assert wide.focus()["tag"] == "h2"  # the list's heading
        second = [int(r.get_attribute("data-seq")) for r in events.locator("tbody tr").all()]
        # Older ones (a sign-in since page 1 was read shifts the pages by one entry).
        assert second and max(second) <= min(first) and min(second) < min(first)
        wide.screen("audit-page-2")

        # Someone edits a stored event: the owner sees the chain broken at its number.
        with service.app.app_context(), database.connection_context():
            event = (
                AuditEvent.select()
                .where(AuditEvent.tenant == salon.tenant_id, AuditEvent.action == "blocklist.add")
                .order_by(AuditEvent.seq.desc())
                .get()
            )
            changed = (event.id, event.target_id)
            AuditEvent.update(target_id=event.target_id + 1000).where(
                AuditEvent.id == event.id
            ).execute()
        go(wide, "audit")
        chain = wide.page.locator('.hb-rec-chain[data-chain="broken"]')
        chain.wait_for()
        assert f"Broken at entry no. {event.seq} (Blocked a contact," in chain.inner_text()
        row = wide.page.locator(f'.hb-rec-events tr[data-seq="{event.seq}"]')
        assert "(does not fit)" in row.inner_text()
        wide.screen("audit-broken")
        wide.assert_clean()
        narrow.assert_clean()
