"""The console's team and services screens against the real service.

A salon of its own (created here with the SDK): the owner (not bookable yet)
and a stylist. The owner signs in (German, 1024x768), creates a service
(a wrong price first), makes herself bookable, gives herself weekly hours with
a lunch break (a reversed range first; Tuesday to Friday copied from Monday),
adds a day off and a vacation, invites a receptionist — whose one-time
password is shown once, copied, and read from the page — and deactivates,
then reactivates the stylist. The receptionist signs in with that password in
a second browser (English, 1024x768), must choose her own, and sees team and
services read-only. The owner's English view at 360 px closes the run. Every
effect is checked through the API; axe-core runs on every screen and state.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
import requests

from support.config import PASSWORD

from .consoles import (
    EN,
    TZ,
    Console,
    OperatorSalon,
    change_password,
    operator_salon,
    password_login,
    watched,
)

pytestmark = pytest.mark.system

SLUG = "salon-team-konsole"
OWNER = "Olga Owner"
STYLIST = "Stella Stylist"
RECEPTION = "Rita Empfang"
RITA_PASSWORD = "Empfang-Eigenes-Pass-4471"


@pytest.fixture(scope="module")
def team_salon(service) -> OperatorSalon:
    """The owner with her own password (not bookable) and one stylist, no services."""
    salon = operator_salon(service, SLUG, "Salon Team E2E", owner_name=OWNER)
    stylist = salon.api.staff.create(f"stella@{SLUG}.test", STYLIST, "staff")
    salon.stylist_id = stylist.id
    salon.stylist_otp = stylist.one_time_password
    return salon


def login_token(salon: OperatorSalon, email: str, password: str) -> str:
    answer = password_login(salon.url, salon.slug, email, password)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def me_status(salon: OperatorSalon, token: str) -> int:
    return requests.get(
        f"{salon.url}/v1/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).status_code


def nav(c: Console, screen: str, heading: str) -> None:
    c.page.locator(f'[data-nav="{screen}"]').click()
    c.page.locator(f'[data-screen="{screen}"] h1').filter(has_text=heading).wait_for()
    c.page.locator(f'[data-screen="{screen}"] .hb-team-card').first.wait_for()  # drawn


def done(c: Console, text: str) -> None:
    """The visible line saying what the last action did."""
    c.page.locator(".hb-main .hb-ok").filter(has_text=text).first.wait_for()


def test_team_services_hours_invite_deactivate(browser, service, team_salon):
    salon = team_salon
    api = salon.api
    test_name = "test_team_services_hours_invite_deactivate"
    o = Console(browser, f"{test_name}/owner-de-1024", lang="de", width=1024, height=768)
    r = Console(browser, f"{test_name}/reception-en-1024", lang="en", width=1024, height=768)
    n = Console(browser, f"{test_name}/owner-en-360", lang="en", width=360, height=740)
    o.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=salon.url)
    stylist_token = login_token(salon, f"stella@{SLUG}.test", salon.stylist_otp)
    assert me_status(salon, stylist_token) == 200
    page = o.page
    with watched(o, r, n):
        o.enter(salon.url, salon.slug, salon.owner_email, PASSWORD)
        page.locator('[data-nav="team"]').wait_for()

        # --- a service: a wrong price first, then created; sent as cents -------------------------
        nav(o, "services", "Leistungen")
        o.screen("services-empty")
        page.get_by_role("button", name="Neue Leistung").click()
        form = page.locator(".hb-svc-form")
        assert o.focus()["tag"] == "h2"
        form.get_by_label("Name", exact=True).fill("Balayage")
        form.get_by_label("Beschreibung (optional)").fill("Farbe mit Pinsel, inklusive Pflege.")
        form.get_by_label("Dauer in Minuten").fill("90")
        form.get_by_label("Preis in Euro").fill("89,5x")
        form.get_by_label(re.compile(f"^{OWNER}")).check()
        form.get_by_label(STYLIST, exact=True).check()
        form.get_by_role("button", name="Leistung anlegen").click()
        form.get_by_role("alert").filter(has_text="Preis in Euro ein, z. B. 45,50").wait_for()
        assert o.focus()["label"] == "Preis in Euro"
        o.screen("service-wrong-price")
        form.get_by_label("Preis in Euro").fill("89,50")
        form.get_by_role("button", name="Leistung anlegen").click()
        done(o, "Balayage ist angelegt.")
        created = [s for s in api.services.list() if s.name == "Balayage"]
        assert len(created) == 1
        svc = created[0]
        assert (svc.price_cents, svc.duration_min, svc.active) == (8950, 90, True)
        assert sorted(svc.staff_ids) == sorted([salon.owner_id, salon.stylist_id])
        item = page.locator(f'[data-service="{svc.id}"]')
        shown = item.inner_text().replace("\xa0", " ")
        assert "89,50 €" in shown and "90 Min." in shown
        o.screen("service-created")

        # --- edit: a new price (If-Match), then deactivate and activate again ----------------------
        item.get_by_role("button", name="Bearbeiten").click()
        form.get_by_label("Preis in Euro").fill("95")
        form.get_by_role("button", name="Änderungen speichern").click()
        done(o, "Balayage ist gespeichert.")
        assert api.services.get(svc.id).price_cents == 9500
        item.get_by_role("button", name="Deaktivieren").click()
        done(o, "Balayage ist deaktiviert")
        assert api.services.get(svc.id).active is False
        o.screen("service-deactivated")
        item.get_by_role("button", name="Wieder aktivieren").click()
        done(o, "wieder gebucht werden")
        assert api.services.get(svc.id).active is True

        # --- the team; the owner makes herself bookable --------------------------------------------
        nav(o, "team", "Team")
        page.locator(".hb-team-member").first.wait_for()
        members = page.locator(".hb-team-member h3")
        assert sorted(members.all_inner_texts()) == sorted([f"{OWNER} (Sie)", STYLIST])
        o.screen("team")
        page.locator(f'.hb-team-member[data-staff="{salon.owner_id}"] button').first.click()
        page.locator('[data-screen="team"] h1').filter(has_text=OWNER).wait_for()
        account = page.locator(".hb-team-account")
        assert account.get_by_label("Rolle", exact=True).is_disabled()  # not her own role
        account.get_by_label("Nimmt Buchungen an").check()
        account.get_by_role("button", name="Änderungen speichern").click()
        done(o, "Die Änderungen sind gespeichert.")
        assert api.staff.get(salon.owner_id).bookable is True

        # --- weekly hours with a lunch break; a reversed range is refused first ----------------------
        week = page.locator(".hb-team-week")
        week.get_by_role("button", name="Montag: Zeitraum hinzufügen").click()
        assert o.focus()["label"] == "Montag, Zeitraum 1: Von"
        week.get_by_label("Montag, Zeitraum 1: Von").fill("09:00")
        week.get_by_label("Montag, Zeitraum 1: Bis").fill("13:00")
        week.get_by_role("button", name="Montag: Zeitraum hinzufügen").click()
        week.get_by_label("Montag, Zeitraum 2: Von").fill("14:00")
        week.get_by_label("Montag, Zeitraum 2: Bis").fill("18:00")
        for day in ("Dienstag", "Mittwoch", "Donnerstag", "Freitag"):
            prev = {"Dienstag": "Montag", "Mittwoch": "Dienstag"}.get(day)
            prev = prev or {"Donnerstag": "Mittwoch", "Freitag": "Donnerstag"}[day]
            week.get_by_role("button", name=f"{day}: wie {prev}").click()
        assert week.get_by_label("Freitag, Zeitraum 2: Bis").input_value() == "18:00"
        week.get_by_role("button", name="Samstag: Zeitraum hinzufügen").click()
        week.get_by_label("Samstag, Zeitraum 1: Von").fill("12:00")
        week.get_by_label("Samstag, Zeitraum 1: Bis").fill("10:00")
        week.get_by_role("button", name="Arbeitszeiten speichern").click()
        week.get_by_role("alert").filter(has_text="12:00–10:00 endet, bevor es beginnt").wait_for()
        assert o.focus()["label"] == "Samstag, Zeitraum 1: Bis"
        assert api.working_hours.get(salon.owner_id) == []  # nothing was sent
        o.screen("hours-error")
        week.get_by_role("button", name="Samstag: Zeitraum 1 entfernen").click()
        week.get_by_role("button", name="Arbeitszeiten speichern").click()
        done(o, "Die Arbeitszeiten sind gespeichert.")
        stored = [
            (rule.weekday, rule.kind, rule.start, rule.end)
            for rule in api.working_hours.get(salon.owner_id)
        ]
        expected = [
            (d, "shift", time(h1), time(h2)) for d in range(5) for h1, h2 in ((9, 13), (14, 18))
        ]
        assert stored == expected
        o.screen("hours-saved")

        # --- one day off, one vacation; the day off deleted again -------------------------------------
        day_off = date.today() + timedelta(days=9)
        single = page.locator(".hb-team-exceptions")
        single.get_by_label("Datum", exact=True).fill(day_off.isoformat())
        single.get_by_role("button", name="Einzelnen Tag hinzufügen").click()
        done(o, "Der einzelne Tag ist eingetragen")
        exceptions = api.working_hours.exceptions(salon.owner_id)
        assert [(x.date, x.start, x.end) for x in exceptions] == [(day_off, None, None)]
        first, last = date.today() + timedelta(days=20), date.today() + timedelta(days=24)
        off = page.locator(".hb-team-time-off")
        off.get_by_label("Erster Tag", exact=True).fill(first.isoformat())
        off.get_by_label("Letzter Tag", exact=True).fill(last.isoformat())
        off.get_by_label("Art").select_option("vacation")
        off.get_by_role("button", name="Abwesenheit eintragen").click()
        done(o, "Die Abwesenheit ist eingetragen")
        vacation = api.time_off.list(salon.owner_id)
        assert len(vacation) == 1 and vacation[0].kind == "vacation"
        begins = datetime.combine(first, time(0), TZ)
        ends = datetime.combine(last + timedelta(days=1), time(0), TZ)
        assert (vacation[0].start_at, vacation[0].end_at) == (begins, ends)
        assert "Urlaub" in off.inner_text()
        o.screen("exceptions-time-off")
        single.get_by_role("button", name=re.compile("^Löschen: ")).click()
        done(o, "Gelöscht:")
        assert api.working_hours.exceptions(salon.owner_id) == []

        # --- invite a receptionist: the one-time password shown once -------------------------------
        page.get_by_role("button", name="Zurück zum Team").click()
        page.get_by_role("button", name="Teammitglied einladen").click()
        assert o.focus()["label"] == "Name im Team"
        invite = page.locator(".hb-team-invite-form")
        invite.get_by_label("Name im Team").fill(RECEPTION)
        invite.get_by_label("E-Mail").fill(f"rita@{SLUG}.test")
        invite.get_by_label("Rolle").select_option("reception")
        invite.get_by_label("Nimmt Buchungen an").uncheck()
        o.screen("invite-form")
        invite.get_by_role("button", name="Einladen").click()
        once = page.locator("[data-once]")
        once.get_by_role("heading", name=f"Einmalpasswort für {RECEPTION}").wait_for()
        assert o.focus()["tag"] == "h2"
        one_time = once.locator(".hb-team-otp code").inner_text().strip()
        assert len(one_time) >= 12
        assert "nicht noch einmal angezeigt" in once.inner_text()
        o.screen("invite-once")
        once.get_by_role("button", name="Passwort kopieren").click()
        once.get_by_role("status").filter(has_text="kopiert").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == one_time
        rita = next(s for s in api.staff.list() if s.email == f"rita@{SLUG}.test")
        assert (rita.role, rita.bookable, rita.active) == ("reception", False, True)
        assert rita.must_change_password is True and rita.display_name == RECEPTION
        once.get_by_role("button", name="Fertig, Passwort ausblenden").click()
        assert once.count() == 0 and one_time not in page.content()
        page.evaluate("navigator.clipboard.writeText('')")
        rita_row = page.locator(f'.hb-team-member[data-staff="{rita.id}"]')
        assert "Empfang" in rita_row.inner_text()
        assert "Noch kein Schlüssel eingerichtet" in rita_row.inner_text()

        # --- she signs in with it in her own browser and must choose her own password ---------------
        r.enter(salon.url, salon.slug, f"rita@{SLUG}.test", one_time)
        r.page.get_by_role("heading", name="Choose your own password").wait_for()
        change_password(r, EN, RITA_PASSWORD)
        r.page.locator('[data-nav="team"]').wait_for()
        assert api.staff.get(rita.id).must_change_password is False
        nav(r, "team", "Team")
        r.page.locator(".hb-team-member").first.wait_for()
        assert r.page.get_by_role("button", name="Invite a team member").count() == 0
        assert "the owner or a manager changes them" in r.page.locator(".hb-main").inner_text()
        r.screen("team-readonly")
        r.page.locator(f'.hb-team-member[data-staff="{salon.owner_id}"] button').first.click()
        view = r.page.locator(".hb-team-week-view")
        view.wait_for()
        assert "09:00–13:00, 14:00–18:00 (break 13:00–14:00)" in view.inner_text()
        assert r.page.locator(".hb-team-week input").count() == 0
        assert "Away" in r.page.locator(".hb-team-time-off").inner_text()  # not "Vacation"
        r.screen("person-readonly")
        nav(r, "services", "Services")
        assert r.page.get_by_role("button", name="Edit").count() == 0
        # Prices in the salon's locale (German here), whatever the console's language.
        shown = r.page.locator(f'[data-service="{svc.id}"]').inner_text().replace("\xa0", " ")
        assert "95,00 €" in shown and "90 min" in shown
        r.screen("services-readonly")

        # --- deactivate the stylist (asked twice): her token is refused ----------------------------------
        page.locator(f'.hb-team-member[data-staff="{salon.stylist_id}"] button').first.click()
        page.locator('[data-screen="team"] h1').filter(has_text=STYLIST).wait_for()
        page.get_by_role("button", name="Konto deaktivieren").click()
        question = page.locator(".hb-team-life .hb-confirm")
        assert "nächsten Anfrage" in question.inner_text()
        assert "Schlüssel für Kundendaten" in question.inner_text()
        assert o.focus()["label"] == "Ja, deaktivieren"
        o.screen("deactivate-confirm")
        page.get_by_role("button", name="Ja, deaktivieren").click()
        page.locator('[data-status="inactive"]').wait_for()
        assert api.staff.get(salon.stylist_id).active is False
        assert me_status(salon, stylist_token) == 401
        o.screen("deactivated")

        # --- reactivate: a fresh one-time password, the old token stays refused ------------------------
        page.get_by_role("button", name="Konto wieder aktivieren").click()
        once.get_by_role("heading", name=f"Einmalpasswort für {STYLIST}").wait_for()
        fresh = once.locator(".hb-team-otp code").inner_text().strip()
        assert fresh and fresh != salon.stylist_otp
        assert page.locator('[data-status="active"]').count() == 1
        o.screen("reactivated-once")
        once.get_by_role("button", name="Fertig, Passwort ausblenden").click()
        assert api.staff.get(salon.stylist_id).active is True
        assert me_status(salon, stylist_token) == 401
        assert me_status(salon, login_token(salon, f"stella@{SLUG}.test", fresh)) == 200

        # --- the stylist (staff role) sees only her own hours, read-only ------------------------------
        r.page.get_by_role("button", name="Sign out").click()
        r.enter(salon.url, salon.slug, f"stella@{SLUG}.test", fresh)
        r.page.get_by_role("heading", name="Choose your own password").wait_for()
        change_password(r, EN, "Scheren-Spiegel-Kamm-8812")
        nav(r, "team", "My working hours")
        assert r.page.locator(".hb-team-member, .hb-team-account, .hb-team-week input").count() == 0
        assert "Day off" in r.page.locator(".hb-team-week-view").inner_text()
        r.screen("staff-own-hours")

        # --- the owner in English at 360 px: list, her page, services ---------------------------------
        n.enter(salon.url, salon.slug, salon.owner_email, PASSWORD)
        nav(n, "team", "Team")
        n.page.locator(".hb-team-member").first.wait_for()
        n.screen("team")
        n.page.locator(f'.hb-team-member[data-staff="{salon.owner_id}"] button').first.click()
        n.page.get_by_label("Monday, range 2: Until").wait_for()
        assert n.page.get_by_label("Monday, range 2: Until").input_value() == "18:00"
        n.screen("person")
        nav(n, "services", "Services")
        n.page.get_by_role("button", name="New service").click()
        n.screen("service-form")

        for c in (o, r, n):
            c.assert_clean()
