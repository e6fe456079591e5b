"""The console's "Suspicious bookings" screen against the real service, worker and
SMTP (issue 19, item 5): the salon sees a cluster of online bookings by new
contacts from one network and releases it.

A salon of its own (set up through the SDK). Three new contacts book online
through a plugin's key from three addresses of one /24 (one confirms with the
mailed code); a fourth from another network is an honest customer. A stylist
(role ``staff``, no ``appointments:write``) sees no such screen and the API
refuses her. The owner in German at 1024x768 sees one cluster — counts, first
and last start in the salon's zone, never the network —, opens a booking of it
in the appointment book, and releases it after a second click: the three
bookings are cancelled (checked through the API), the honest one stays, the
customer who had confirmed gets the usual cancellation mail. A second cluster
in English at 360 px: kept once ("No"), then released. axe-core on every
screen, screenshots under ``build/e2e-screenshots/<test>/``.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
import requests

from support.config import PASSWORD, VAULT_LOG_N

from .consoles import (
    DE,
    EN,
    NOTICE,
    TZ,
    Console,
    OperatorSalon,
    operator_salon,
    set_password,
    watched,
)

pytestmark = pytest.mark.system

SLUG = "salon-haeufung"
FAST = {"pow_base_bits": 8, "min_fill_seconds": 0}  # the test's own puzzles, quickly
HONEST_IP = "203.0.113.40"


@pytest.fixture(scope="module")
def cluster_salon(service) -> OperatorSalon:
    """Owner (vault at test cost), one stylist with her own password, one
    service, a privacy notice per language, fast puzzles, a plugin's key."""
    salon = operator_salon(
        service,
        SLUG,
        "Salon Häufung E2E",
        owner_name="Hanna Häufig",
        vault_passphrase=f"passphrase of owner@{SLUG}.test",
        vault_log_n=VAULT_LOG_N,
        settings={"stealth_settings": FAST},
        notices=NOTICE,
    )
    stylist = salon.stylist("Lena")
    set_password(service, stylist.id, PASSWORD)
    salon.stylist_email = salon.email("Lena")
    salon.service_id = salon.api.services.create(
        "Waschen und Schneiden", 30, [stylist], price_cents=3900
    ).id
    salon.key = salon.api.integration_keys.create("Booking plugin", ["public:forward"]).key
    return salon


# --- helpers ---------------------------------------------------------------------------------


def book_from(salon: OperatorSalon, ip: str, email: str, days: int):
    """A visitor a plugin vouches for (``ip``) books the first offer ``days`` from today."""
    import hushbook

    shop = hushbook.PublicBooking(
        salon.url,
        salon.slug,
        integration_key=salon.key,
        visitor_ip=ip,
        tenant_id=salon.tenant_id,
        locale="de",
    )
    day = date.today() + timedelta(days=days)
    offers = shop.offers(salon.service_id, day, day + timedelta(days=2))
    assert offers, f"no offers for {ip}"
    return shop, shop.book(offers[0], profile={"name": "Kundin Häufung"}, email=email, locale="de")


def seed_cluster(service, salon: OperatorSalon, network: str, first_day: int) -> dict[str, int]:
    """Three new contacts from ``network`` (a /24), the first of them confirmed:
    e-mail -> appointment id."""
    tag = secrets.token_hex(3)
    before = {a.id for a in online(salon)}
    emails = []
    for i in range(3):
        email = f"walk{i}.{tag}@example.org"
        shop, pending = book_from(salon, f"{network}.{i + 11}", email, first_day + i)
        if i == 0:
            mail = service.mailbox.wait_for(email, "Code", timeout=30)
            text = mail.get_body(("plain",)).get_content()
            code = re.search(r"Code\D{0,40}(\d{6})", text).group(1)
            assert shop.confirm(pending, code).status == "confirmed"
        emails.append(email)
    new = sorted(a.id for a in online(salon) if a.id not in before)
    assert len(new) == 3, new
    return dict(zip(emails, new, strict=True))


def online(salon: OperatorSalon) -> list:
    start = date.today()
    return [
        a
        for a in salon.api.appointments.list(date_from=start, date_to=start + timedelta(days=30))
        if a.source == "online"
    ]


def status_of(salon: OperatorSalon, appointment_id: int) -> str:
    return salon.api.appointments.get(appointment_id).status


def sign_in(c: Console, salon: OperatorSalon, email: str, texts: dict) -> None:
    c.open(salon.url)
    c.sign_in(salon.slug, email, PASSWORD, texts)
    c.page.locator('[data-nav="day"]').wait_for()


def go(c: Console) -> None:
    c.page.locator('[data-nav="clusters"]').click()
    # The core focuses the h1 (giving it tabindex) once the screen has drawn its lists.
    c.page.locator('[data-screen="clusters"] h1[tabindex="-1"]').wait_for()


def local_hm(instant) -> str:
    """The time of day of ``instant`` in the salon's zone, as the console writes it."""
    return instant.astimezone(TZ).strftime("%H:%M")


# --- the test ---------------------------------------------------------------------------------


def test_owner_sees_and_releases_clusters(browser, service, cluster_salon):
    salon = cluster_salon
    first = seed_cluster(service, salon, "198.51.100", 3)
    book_from(salon, HONEST_IP, f"ehrlich.{secrets.token_hex(3)}@example.org", 3)
    honest_id = max(a.id for a in online(salon))
    assert honest_id not in first.values()

    # A stylist (role staff) has no appointments:write: no screen, and the API refuses her.
    s = Console(browser, "test_console_clusters/staff-de-1024", lang="de", width=1024, height=768)
    with watched(s):
        sign_in(s, salon, salon.stylist_email, DE)
        assert s.page.locator('[data-nav="clusters"]').count() == 0
        assert s.page.locator('[data-nav="audit"]').count() == 0
        s.assert_clean()
    token = requests.post(
        f"{salon.url}/v1/auth/login",
        json={"tenant": salon.slug, "email": salon.stylist_email, "password": PASSWORD},
        timeout=10,
    ).json()["access_token"]
    staff = {"Authorization": f"Bearer {token}"}
    found = salon.api.send("GET", "/v1/stealth/clusters").body
    assert [(c["bookings"], c["confirmed"]) for c in found] == [(3, 1)], found
    cluster_id = found[0]["id"]
    listed = requests.get(f"{salon.url}/v1/stealth/clusters", headers=staff, timeout=10)
    assert listed.status_code == 403, listed.text
    released = requests.post(
        f"{salon.url}/v1/stealth/clusters/release",
        json={"cluster": cluster_id},
        headers={**staff, "Idempotency-Key": secrets.token_hex(8)},
        timeout=10,
    )
    assert released.status_code == 403, released.text
    assert {status_of(salon, i) for i in first.values()} == {"pending", "confirmed"}

    # --- the owner, in German: one cluster, a booking of it in the book, released ----------------
    c = Console(browser, "test_console_clusters/owner-de-1024", lang="de", width=1024, height=768)
    with watched(c):
        sign_in(c, salon, salon.owner_email, DE)
        go(c)
        page = c.page
        assert "Das Netz selbst wird nie angezeigt" in page.inner_text(".hb-main")
        page.get_by_role("heading", name="Häufungen (1)").wait_for()
        card = page.locator(".hb-rec-card")
        assert card.count() == 1 and card.get_attribute("data-cluster") == cluster_id
        text = card.inner_text()
        assert "Häufung 1: 3 Buchungen aus einem Netz" in text
        facts = dict(
            zip(
                card.locator("dt").all_inner_texts(),
                card.locator("dd").all_inner_texts(),
                strict=True,
            )
        )
        assert facts["Anstehende Online-Buchungen"] == "3" and facts["Davon bestätigt"] == "1"
        assert facts.get("Abtastungen aus diesem Netz (30 Tage)", "0") == "0"  # nothing probed
        starts = sorted(salon.api.appointments.get(i).start for i in first.values())
        assert local_hm(starts[0]) in facts["Erster Termin"]
        assert local_hm(starts[-1]) in facts["Letzter Termin"]
        assert "198.51" not in page.content() and "@example.org" not in page.content()
        # The owner also sees refusals of probers (none yet).
        page.get_by_role("heading", name="Abgelehnte Online-Buchungen (0)").wait_for()
        c.screen("clusters")

        card.locator("summary").click()
        links = card.locator("button[data-appt]")
        links.first.wait_for()
        assert sorted(
            int(x) for x in links.evaluate_all("(b) => b.map((x) => x.dataset.appt)")
        ) == sorted(first.values())
        assert (
            "Unbestätigte Online-Buchung" in card.inner_text() and "Bestätigt" in card.inner_text()
        )
        c.screen("clusters-bookings")
        opened = int(links.first.get_attribute("data-appt"))
        links.first.click()
        page.locator('[data-screen="day"]').wait_for()
        page.locator(f'.hb-appt[data-appt="{opened}"]').wait_for()

        go(c)
        card = page.locator(".hb-rec-card")
        card.get_by_role("button", name="Häufung freigeben").click()
        card.get_by_text("Alle 3 Buchungen dieser Häufung absagen (davon 1 bestätigt)?").wait_for()
        assert c.focus()["label"] == "Ja, alle absagen"
        c.screen("clusters-release-ask")
        card.get_by_role("button", name="Ja, alle absagen").click()
        done = "Freigegeben: 3 Buchungen abgesagt, ihre Zeiten sind wieder frei."
        page.locator(".hb-rec-done").filter(has_text=done).wait_for()
        page.get_by_role("status").filter(has_text=done).wait_for(state="attached")  # live region
        assert page.get_by_text("Keine auffälligen Häufungen.").is_visible()
        assert page.get_by_role("heading", name="Häufungen (0)").is_visible()
        c.screen("clusters-released")
        c.assert_clean()

    assert {status_of(salon, i) for i in first.values()} == {"cancelled"}
    assert status_of(salon, honest_id) == "pending"
    assert salon.api.send("GET", "/v1/stealth/clusters").body == []
    confirmed_email = next(iter(first))  # the first of them had confirmed
    service.mailbox.wait_for(confirmed_email, "abgesagt", timeout=30)

    # --- the owner, in English on a phone: another cluster, kept once, then released ------------
    second = seed_cluster(service, salon, "192.0.2", 8)
    e = Console(browser, "test_console_clusters/owner-en-360", lang="en", width=360, height=740)
    with watched(e):
        sign_in(e, salon, salon.owner_email, EN)
        go(e)
        page = e.page
        page.get_by_role("heading", name="Clusters (1)").wait_for()
        assert "The network itself is never shown" in page.inner_text(".hb-main")
        card = page.locator(".hb-rec-card")
        assert "Cluster 1: 3 bookings from one network" in card.inner_text()
        e.screen("clusters")
        card.get_by_role("button", name="Release the cluster").click()
        card.get_by_role("button", name="No, keep it").click()
        assert e.focus()["label"] == "Release the cluster"
        assert {status_of(salon, i) for i in second.values()} == {"pending", "confirmed"}
        card.get_by_role("button", name="Release the cluster").click()
        card.get_by_text("Cancel all 3 bookings of this cluster (1 of them confirmed)?").wait_for()
        e.screen("clusters-release-ask")
        card.get_by_role("button", name="Yes, cancel them all").click()
        page.locator(".hb-rec-done").filter(has_text="Released: 3 bookings cancelled").wait_for()
        assert page.get_by_text("No suspicious clusters.").is_visible()
        e.screen("clusters-released")
        e.assert_clean()
    assert {status_of(salon, i) for i in second.values()} == {"cancelled"}
    assert status_of(salon, honest_id) == "pending"
