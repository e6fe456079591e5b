"""The SDK's resources against a real ``hushbook serve`` process (one per module).

Every resource of ``hushbook.Client``, typed results, ETags, lazy auto-paging,
local opening of sealed profiles, automatic token refresh, and each error
class the real service can produce.
"""

from __future__ import annotations

import itertools
import json
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

import hushbook
from hushbook import sealing
from support.config import PASSWORD, VAULT_LOG_N
from support.sdk import live_environment, owner_client
from support.tenants import vault_passphrase

pytestmark = pytest.mark.system

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
NOTICE = "Wir verarbeiten Ihre Daten nur für den Termin und löschen sie danach."
_slugs = itertools.count()


@pytest.fixture(scope="module")
def live(tmp_path_factory, migrated_template):
    with live_environment(tmp_path_factory.mktemp("sdk-resources"), migrated_template) as env:
        yield env


@pytest.fixture
def salon(live):
    """A fresh tenant per test, and its owner's SDK client (vault unlocked)."""
    t = live.make_tenant(f"salon-r{next(_slugs)}")
    return t, owner_client(live, t)


class CountingSession(requests.Session):
    """Everything this process sends: to count requests and check what crosses."""

    def __init__(self):
        super().__init__()
        self.sent: list[str] = []

    def request(self, method, url, **kw):
        self.sent.append(f"{method} {url} {json.dumps(kw.get('json'))} {kw.get('params')}")
        return super().request(method, url, **kw)


def local_day(offset: int) -> date:
    return datetime.now(BERLIN).date() + timedelta(days=offset)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN)


def stylist_and_service(client: hushbook.Client, name: str = "Sam"):
    stylist = client.staff.create(f"{name.lower()}@example.test", name, "staff")
    client.working_hours.set(stylist, WEEK)
    service = client.services.create("Cut", 45, [stylist], price_cents=4500)
    return stylist, service


# --- tenant ----------------------------------------------------------------------------


def test_tenant_settings_etags_and_privacy_notices(salon):
    t, client = salon
    tenant = client.tenant.get()
    assert isinstance(tenant, hushbook.Tenant)
    assert (tenant.id, tenant.slug, tenant.timezone) == (
        t.tenant.id,
        t.tenant.slug,
        "Europe/Berlin",
    )
    assert tenant.etag and tenant.raw["slug"] == tenant.slug
    assert "name" in tenant.profile_fields and tenant.stealth_settings["offer_count"] == 3

    changed = client.tenant.update(if_match=tenant, locale="en")
    assert changed.locale == "en" and changed.etag and changed.etag != tenant.etag
    with pytest.raises(hushbook.PreconditionFailed) as stale:
        client.tenant.update(if_match=tenant, locale="de")  # read before the change
    assert stale.value.status == 412
    # Without an ETag the SDK reads the current one just before the change.
    merged = client.tenant.update(stealth_settings={"offer_count": 2})
    assert merged.stealth_settings["offer_count"] == 2 and merged.locale == "en"

    notice = client.tenant.publish_privacy_notice("de", NOTICE)
    assert isinstance(notice, hushbook.PrivacyNotice) and notice.version == 1
    assert isinstance(notice.created_at, datetime) and notice.created_at.tzinfo is not None
    second = client.tenant.publish_privacy_notice("de", NOTICE + " Version zwei.")
    assert [n.version for n in client.tenant.privacy_notices()] == [1, second.version] == [1, 2]


# --- staff, schedules, auth ------------------------------------------------------------


def test_staff_working_hours_exceptions_time_off_and_own_password(live, salon):
    t, client = salon
    ben = client.staff.create("ben@example.test", "Ben", "staff", public_name="B.")
    assert isinstance(ben, hushbook.Staff) and ben.one_time_password
    assert ben.must_change_password and ben.public_name == "B."
    assert "one_time_password" not in repr(ben) and ben.one_time_password not in repr(ben)
    with pytest.raises(hushbook.Conflict) as taken:
        client.staff.create("ben@example.test", "Ben again", "staff")
    assert taken.value.reason == "email_taken"

    got = client.staff.get(ben.id)
    assert got.etag and got.email == "ben@example.test" and got.one_time_password is None
    renamed = client.staff.update(got, display_name="Benjamin")
    assert renamed.display_name == "Benjamin"
    with pytest.raises(hushbook.PreconditionFailed):
        client.staff.update(got, display_name="Stale")
    assert [s.id for s in client.staff.list(role="staff")] == [ben.id]
    assert {s.role for s in client.staff.list()} == {"owner", "staff"}

    rules = client.working_hours.set(
        ben,
        [
            hushbook.WorkingHoursRule(weekday=0, start=time(9), end=time(18)),
            {"weekday": 0, "kind": "break", "start": time(12), "end": "13:00"},
            {"weekday": 2, "start": "10:00", "end": "16:00"},
        ],
    )
    assert [(r.weekday, r.kind, r.start, r.end) for r in client.working_hours.get(ben)] == [
        (0, "shift", time(9), time(18)),
        (0, "break", time(12), time(13)),
        (2, "shift", time(10), time(16)),
    ]
    assert [r.start for r in rules] == [time(9), time(12), time(10)]
    with pytest.raises(hushbook.ValidationError) as bad_break:
        client.working_hours.set(
            ben, [{"weekday": 1, "kind": "break", "start": "12:00", "end": "13:00"}]
        )
    assert "rules" in bad_break.value.field_errors

    short = client.working_hours.add_exception(ben, local_day(5), time(10), "14:00")
    off = client.working_hours.add_exception(ben, local_day(6))
    assert (short.date, short.start, short.end) == (local_day(5), time(10), time(14))
    assert (off.start, off.end) == (None, None)
    assert [e.id for e in client.working_hours.exceptions(ben, date_from=local_day(6))] == [off.id]
    client.working_hours.delete_exception(ben, short)
    assert [e.id for e in client.working_hours.exceptions(ben)] == [off.id]

    away = client.time_off.create(ben, at(local_day(20), 0), at(local_day(27), 0), "vacation")
    assert isinstance(away, hushbook.TimeOff) and away.kind == "vacation"
    assert away.start_at == at(local_day(20), 0)  # the same instant, given back in UTC
    assert away.start_at.utcoffset() == timedelta(0)

    # Ben logs in with the one-time password and changes it through the SDK.
    ben_client = hushbook.Client.login(
        live.url, t.tenant.slug, "ben@example.test", ben.one_time_password
    )
    assert ben_client.password_change_required
    with pytest.raises(hushbook.PermissionDenied) as must_change:
        ben_client.tenant.get()
    assert must_change.value.reason == "password_change_required"
    ben_client.auth.change_password(ben.one_time_password, "Ben's-New-Pass-42")
    assert not ben_client.password_change_required
    assert [o.kind for o in ben_client.time_off.list(ben)] == ["away"]  # why: managers only
    client.time_off.delete(ben, away)
    assert client.time_off.list(ben) == []

    # Deactivation: Ben's tokens stop working, refreshing cannot revive them.
    assert client.staff.deactivate(ben).active is False
    with pytest.raises(hushbook.AuthenticationError):
        ben_client.tenant.get()
    back = client.staff.reactivate(ben)
    assert back.active and back.one_time_password and back.must_change_password


def test_automatic_refresh_and_logout(live, salon):
    t, client = salon
    first_refresh = client.refresh_token
    client.token = "forged.or.expired"  # the service answers 401: one refresh, then again
    assert client.tenant.get().id == t.tenant.id
    assert client.refresh_token != first_refresh and client.token != "forged.or.expired"
    before = client.token
    client._expires_at = clock.monotonic()  # about to expire: refreshed before the call
    client.services.list().to_list()
    assert client.token != before
    client.logout()
    with pytest.raises(hushbook.AuthenticationError):
        hushbook.Client(live.url, refresh_token=first_refresh).refresh()  # spent long ago
    key_client = hushbook.Client(live.url, "not-a-key")  # no refresh token: no retry
    with pytest.raises(hushbook.AuthenticationError) as no_key:
        key_client.tenant.get()
    assert no_key.value.status == 401 and no_key.value.response.attempts == 1


# --- services, availability ------------------------------------------------------------


def test_services_and_availability(salon):
    t, client = salon
    stylist, cut = stylist_and_service(client)
    assert isinstance(cut, hushbook.Service)
    assert (cut.name, cut.duration_min, cut.price_cents, cut.staff_ids) == (
        "Cut",
        45,
        4500,
        [stylist.id],
    )
    got = client.services.get(cut.id)
    cheaper = client.services.update(got, price_cents=3900, staff_ids=[stylist])
    assert cheaper.price_cents == 3900 and cheaper.etag != got.etag
    with pytest.raises(hushbook.PreconditionFailed):
        client.services.update(cut.id, if_match=got.etag, price_cents=1)
    colour = client.services.create("Colour", 90, [stylist.id], buffer_after_min=15)
    assert colour.buffer_after_min == 15 and colour.buffer_before_min is None
    client.services.archive(colour)
    assert client.services.get(colour).active is False
    assert [s.name for s in client.services.list(active=True)] == ["Cut"]
    assert [s.name for s in client.services.list(active=False)] == ["Colour"]

    day = local_day(3)
    free = client.availability.get(cut, day, day + timedelta(days=1), staff_id=stylist)
    assert [f.staff_id for f in free] == [stylist.id]
    assert free[0].count > 0 and free[0].step_min == 15
    first = free[0].windows[0].first
    assert isinstance(first, datetime) and first.astimezone(BERLIN).hour == 9


# --- appointments, messages ------------------------------------------------------------


def test_appointments_book_move_transitions_and_messages(salon):
    t, client = salon
    stylist, cut = stylist_and_service(client)
    client.tenant.publish_privacy_notice("de", NOTICE)
    day = local_day(3)
    booked = client.appointments.create(
        cut,
        stylist,
        at(day, 10),
        new_client={"name": "Greta Grün", "phone": "0170 1234567"},
        contacts={"phone": "0170 1234567"},
        consent=hushbook.Consent(notice_version=1, locale="de", purposes=["booking"]),
        notify={"email": "greta@example.org"},
    )
    assert isinstance(booked, hushbook.Appointment)
    assert (booked.status, booked.source, booked.price_cents) == ("confirmed", "phone", 4500)
    assert booked.start == at(day, 10) and booked.end == at(day, 10, 45)
    assert booked.client is not None and "Greta" not in json.dumps(booked.raw)
    assert booked.client.profile == {"name": "Greta Grün", "phone": "0170 1234567"}  # opened here

    with pytest.raises(hushbook.Conflict) as taken:
        client.appointments.create(cut, stylist, at(day, 10, 30), client_id=booked.client_id)
    assert taken.value.reason == "slot_taken"

    got = client.appointments.get(booked)
    assert got.etag and got.client and got.client.profile["name"] == "Greta Grün"
    moved = client.appointments.move(got, start=at(day, 11))
    assert moved.start == at(day, 11) and moved.etag != got.etag
    with pytest.raises(hushbook.PreconditionFailed):
        client.appointments.move(got, start=at(day, 12))  # read before the move
    with pytest.raises(hushbook.ValidationError) as outside:
        client.appointments.move(moved, start=at(day, 20))
    assert "start" in outside.value.field_errors

    todays = client.appointments.on(day, staff_id=stylist)
    assert [a.id for a in todays] == [booked.id]
    assert client.appointments.on(day + timedelta(days=1), staff_id=stylist).first() is None
    assert [a.id for a in client.appointments.list(status="confirmed")] == [booked.id]

    ledger = list(client.messages.list(appointment_id=booked))
    assert ledger and all(isinstance(m, hushbook.Message) for m in ledger)
    assert {m.appointment_id for m in ledger} == {booked.id}
    assert {"confirmed", "rescheduled"} <= {m.kind for m in ledger}

    cancelled = client.appointments.cancel(booked)
    assert cancelled.status == "cancelled"
    with pytest.raises(hushbook.Conflict) as twice:
        client.appointments.cancel(booked)
    assert twice.value.reason == "invalid_transition"

    yesterday = local_day(-1)
    done = client.appointments.create(
        cut, stylist, at(yesterday, 10), client_id=booked.client_id, source="walk_in"
    )
    assert client.appointments.complete(done).status == "completed"
    missed = client.appointments.create(cut, stylist, at(yesterday, 14), client_id=booked.client_id)
    assert client.appointments.no_show(missed).status == "no_show"
    future = client.appointments.create(cut, stylist, at(day, 15))
    with pytest.raises(hushbook.Conflict) as early:
        client.appointments.complete(future)
    assert early.value.reason == "not_started"
    figures = client.clients.get(booked.client_id).figures
    assert figures is not None and (figures.visits, figures.no_shows) == (1, 1)
    assert figures.total_spent_cents == 4500 and isinstance(figures.last_visit, datetime)


# --- clients: sealed here, opened here --------------------------------------------------


def test_clients_sealed_locally_lookup_export_and_erase(live, salon):
    t, _ = salon
    recorder = CountingSession()
    client = owner_client(live, t, session=recorder)
    client.tenant.publish_privacy_notice("de", NOTICE)
    greta = client.clients.create(
        {"name": "Greta Grün", "email": "greta@example.org"},
        contacts={"email": "greta@example.org"},
        consent={"notice_version": 1, "locale": "de", "purposes": ["booking", "reminders"]},
    )
    assert isinstance(greta, hushbook.SalonClient) and greta.client_key
    assert set(greta.sealed_profile) == {"name", "email"}
    assert "Greta" not in json.dumps(greta.raw)
    assert greta.profile == {"name": "Greta Grün", "email": "greta@example.org"}
    assert client.clients.get(greta.id).profile["name"] == "Greta Grün"
    plain = client.clients.create({"name": "Otto Plain", "phone": "+49 171 5550000"}, seal=False)
    assert client.clients.get(plain).profile == {"name": "Otto Plain", "phone": "+49 171 5550000"}

    found = client.clients.lookup(email="GRETA@Example.org")
    assert found is not None and found.id == greta.id and found.profile["name"] == "Greta Grün"
    assert client.clients.lookup(phone="+49 171 5550000").id == plain.id
    assert client.clients.lookup(phone="+49 170 0000000") is None

    export = client.clients.export(greta)
    assert isinstance(export, hushbook.ClientExport)
    assert export.profile == {"name": "Greta Grün", "email": "greta@example.org"}
    assert [c.purposes for c in export.consents] == [["booking", "reminders"]]
    assert {e["kind"] for e in export.blind_index} == {"email"}
    handed_over = export.opened()
    assert handed_over["client"]["profile"]["name"] == "Greta Grün"
    assert "sealed_profile" not in handed_over["client"]
    json.dumps(handed_over)  # ready to hand to the client as a file

    client.clients.erase(greta)
    with pytest.raises(hushbook.NotFound):
        client.clients.get(greta.id)
    assert client.clients.lookup(email="greta@example.org") is None

    # Nothing secret crossed the API: no passphrase, no private key, no plain profile
    # of a sealed client (contacts for the lookup digest are sent on purpose).
    sent = "\n".join(recorder.sent)
    assert vault_passphrase(t.owner.staff) not in sent and "Greta Grün" not in sent
    for key in (client.vault._tenant_key, client.vault._member_key):
        raw = sealing.export_private_key(key)
        assert sealing.b64e(raw) not in sent and raw.hex() not in sent

    # A reader without a grant gets sealed rows and cannot open them.
    rita = t.member("reception", "rita")
    rita_client = hushbook.Client(live.url, rita.access_token)
    rita_client.vault = hushbook.Vault(rita_client, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)
    row = rita_client.clients.get(plain)
    assert row.sealed_profile == client.clients.get(plain).sealed_profile
    with pytest.raises(hushbook.VaultLocked):
        _ = row.profile
    with pytest.raises(sealing.SealError):
        client.vault.unlock("not the passphrase")


def test_auto_paging_is_lazy_and_crosses_pages(live, salon):
    t, _ = salon
    counter = CountingSession()
    client = owner_client(live, t, session=counter)
    stylist = client.staff.create("pat@example.test", "Pat", "staff")
    made = [client.services.create(f"Service {i:02}", 30, [stylist]) for i in range(11)]
    for i in range(7):
        client.clients.create({"name": f"Client {i}"})

    before = len(counter.sent)
    listing = client.services.list(page_size=4)
    assert isinstance(listing, hushbook.ListIterator) and len(counter.sent) == before  # lazy
    assert [s.id for s in listing] == [s.id for s in made]
    assert listing.pages_fetched == 3 and listing.total == 11
    assert len(counter.sent) == before + 3 and all("page_size" in s for s in counter.sent[-3:])

    partial = client.services.list(page_size=4)
    for n, _service in enumerate(partial, 1):
        if n == 5:
            break
    assert partial.pages_fetched == 2  # stopping early loads no more pages

    names = [c.profile["name"] for c in client.clients.list(page_size=3)]
    assert names == [f"Client {i}" for i in range(7)]
    pages = list(client.clients.list(page_size=3).pages())
    assert [len(p) for p in pages] == [3, 3, 1]
    assert len(client.vault.all_clients()) == 7
    assert [a.action for a in client.audit_events.list(action="client.create", page_size=2)] == [
        "client.create"
    ] * 7


# --- audit, integration keys, blocklist --------------------------------------------------


def test_audit_events_integration_keys_and_blocklist(live, salon):
    t, client = salon
    key = client.integration_keys.create(
        "Nightly import", ["tenant:read", "services:read", "clients:write", "clients:read"]
    )
    assert isinstance(key, hushbook.IntegrationKey) and key.key and key.key not in repr(key)
    listed = client.integration_keys.list()
    assert [(k.id, k.key, k.revoked_at) for k in listed] == [(key.id, None, None)]

    keyed = hushbook.Client(live.url, key.key)
    assert keyed.services.list().to_list() == []
    # A key has no vault, yet it can seal to the business key (public half only).
    made = keyed.clients.create({"name": "Imported Ida"}, contacts={"email": "ida@example.org"})
    assert "Ida" not in json.dumps(made.raw)
    assert client.clients.get(made.id).profile == {"name": "Imported Ida"}
    with pytest.raises(hushbook.PermissionDenied):
        keyed.audit_events.list().to_list()
    with pytest.raises(hushbook.PermissionDenied):
        keyed.vault.unlock("anything")  # vaults belong to people

    events = list(client.audit_events.list())
    assert all(isinstance(e, hushbook.AuditEvent) for e in events)
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    created = client.audit_events.list(action="integration_key.create").first()
    assert created is not None and created.details["scopes"][0] == "tenant:read"
    assert created.actor_id == t.owner.staff.id and isinstance(created.at, datetime)
    by_key = client.audit_events.list(action="client.create").first()
    assert by_key is not None and by_key.actor_kind == "integration"

    client.integration_keys.revoke(key)
    assert client.integration_keys.list()[0].revoked_at is not None
    with pytest.raises(hushbook.AuthenticationError):
        keyed.services.list().to_list()

    blocked = client.blocked_contacts.block(email="troll@example.org", phone="0170 9999999")
    assert {b.kind for b in blocked} == {"email", "phone"}
    assert {b.id for b in client.blocked_contacts.list()} == {b.id for b in blocked}
    client.blocked_contacts.unblock(blocked[0])
    assert [b.id for b in client.blocked_contacts.list()] == [blocked[1].id]


# --- errors from the real service ---------------------------------------------------------


def test_each_error_class_from_the_real_service(live, salon):
    t, client = salon
    with pytest.raises(hushbook.AuthenticationError) as wrong:
        hushbook.Client.login(live.url, t.tenant.slug, t.owner.staff.email, "wrong password")
    assert wrong.value.reason == "bad_credentials" and wrong.value.status == 401

    staff = t.member("staff", "sid")
    with pytest.raises(hushbook.PermissionDenied) as denied:
        hushbook.Client(live.url, staff.access_token).audit_events.list().first()
    assert denied.value.status == 403

    with pytest.raises(hushbook.NotFound):
        client.services.get(424242)

    with pytest.raises(hushbook.ValidationError) as invalid:
        client.services.create("", 1, [])
    assert {"name", "duration_min", "staff_ids"} <= set(invalid.value.field_errors)
    assert invalid.value.errors["json"]["name"]

    with pytest.raises(hushbook.PreconditionFailed) as missing:
        client.patch("/v1/tenant", {"locale": "en"})  # no If-Match at all
    assert missing.value.status == 428

    with pytest.raises(hushbook.Conflict):
        client.staff.deactivate(t.owner.staff.id)  # the last owner

    # Too many failed logins: 429 with a long Retry-After, raised at once (not waited for).
    started = clock.monotonic()
    with pytest.raises(hushbook.RateLimited) as limited:
        for _ in range(10):
            try:
                hushbook.Client.login(
                    live.url, t.tenant.slug, "sid@" + t.tenant.slug + ".test", "x"
                )
            except hushbook.AuthenticationError:
                continue
    assert limited.value.reason == "login_throttled" and limited.value.retry_after > 30
    assert clock.monotonic() - started < 10

    with pytest.raises(hushbook.ConnectionError):
        hushbook.Client("http://127.0.0.1:9", timeout=1, max_retries=0).tenant.get()
    for cls in (
        hushbook.AuthenticationError,
        hushbook.PermissionDenied,
        hushbook.NotFound,
        hushbook.Conflict,
        hushbook.ValidationError,
        hushbook.RateLimited,
        hushbook.ServerError,
        hushbook.ConnectionError,
        hushbook.PreconditionFailed,
        hushbook.VaultLocked,
    ):
        assert issubclass(cls, hushbook.HushbookError)


def test_login_with_password_keeps_both_tokens(live, salon):
    t, _ = salon
    client = hushbook.Client.login(live.url, t.tenant.slug, t.owner.staff.email, PASSWORD)
    assert client.token and client.refresh_token and "token" not in repr(client).lower()
    assert client.get("/v1/tenant")["slug"] == t.tenant.slug  # the classic helpers stay


def test_profile_sealed_to_a_rotated_out_key_is_refused_and_sealed_again(live, salon):
    t, first = salon
    first.clients.create({"name": "Before Rotation"})  # caches the business key
    second = owner_client(live, t)
    second.vault.rotate()  # another session rotates the key meanwhile
    stale = first.vault.seal_profile({"name": "Stale"})
    with pytest.raises(hushbook.Conflict) as err:
        first.post("/v1/clients", json=stale)
    assert err.value.reason == "stale_key_version"
    again = first.clients.create({"name": "After Rotation"})  # re-reads the key, once
    assert second.clients.get(again.id).profile == {"name": "After Rotation"}
