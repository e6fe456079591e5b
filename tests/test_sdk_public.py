"""``hushbook.PublicBooking`` against a real server: catalog, proof-of-work,
offers, a booking sealed on the client side, confirmation, manage links."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

import hushbook
from hushbook import sealing
from hushbook_service import stealth
from support.sdk import live_environment, owner_client

pytestmark = pytest.mark.system

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
FAST = {"pow_base_bits": 8, "min_fill_seconds": 0}  # tests solve puzzles quickly
NOTICE = "Wir verarbeiten Ihre Daten nur für den Termin und löschen sie danach."
_slugs = itertools.count()


@pytest.fixture(scope="module")
def live(tmp_path_factory, migrated_template):
    with live_environment(tmp_path_factory.mktemp("sdk-public"), migrated_template) as env:
        yield env


@pytest.fixture
def shop(live):
    """A salon set up through the SDK: two stylists, a service, a notice, fast puzzles."""
    t = live.make_tenant(f"shop-{next(_slugs)}")
    owner = owner_client(live, t)
    stylists = []
    for name in ("Alex", "Kim"):
        member = owner.staff.create(f"{name.lower()}@{t.tenant.slug}.test", name, "staff")
        owner.working_hours.set(member, WEEK)
        stylists.append(member)
    cut = owner.services.create("Cut", 45, stylists, price_cents=4500)
    owner.tenant.publish_privacy_notice("de", NOTICE)
    owner.tenant.update(stealth_settings=FAST)
    return t, owner, cut


class Recorder(requests.Session):
    def __init__(self):
        super().__init__()
        self.sent: list[str] = []

    def request(self, method, url, **kw):
        self.sent.append(f"{method} {url} {json.dumps(kw.get('json'))}")
        return super().request(method, url, **kw)


def first_day():
    return datetime.now(BERLIN).date() + timedelta(days=3)


def test_sealed_booking_confirm_reschedule_and_cancel(live, shop):
    t, owner, cut = shop
    recorder = Recorder()
    visitor = hushbook.PublicBooking(live.url, t.tenant.slug, http=recorder, tenant_id=t.tenant.id)
    catalog = visitor.catalog()
    assert isinstance(catalog, hushbook.Catalog) and catalog.stealth_mode
    assert [s.name for s in catalog.services] == ["Cut"] and catalog.public_key
    assert catalog.services[0].staff_ids is None and catalog.staff == []  # names hidden
    assert catalog.notice("de").version == 1

    day = first_day()
    offers = visitor.offers(cut.id, day, day + timedelta(days=6), parts=["morning"])
    assert 1 <= len(offers) <= 3 and all(isinstance(o, hushbook.Offer) for o in offers)
    assert all(o.start.astimezone(BERLIN).hour < 12 for o in offers if o.fits_wish)
    assert visitor.session  # the first challenge opened a visitor session
    pow_calls = [s for s in recorder.sent if "/offers" in s]
    assert '"pow": {"challenge"' in pow_calls[0]  # the puzzle was solved and sent

    pending = visitor.book(
        offers[0],
        profile={"name": "Erika Mustermann"},
        email="erika@example.org",
        purposes=["booking", "reminders"],
    )
    assert isinstance(pending, hushbook.PendingBooking) and pending.status == "pending"
    assert pending.start == offers[0].start and pending.booking not in repr(pending)
    booking_call = next(s for s in recorder.sent if s.startswith("POST") and "/bookings" in s)
    assert "Erika" not in booking_call and '"sealed_profile"' in booking_call  # sealed here

    # The salon reads it: the profile was sealed to its key, with the contact in it.
    appointment = owner.appointments.list(status="pending").first()
    assert appointment is not None and appointment.source == "online"
    assert appointment.client is not None
    assert appointment.client.profile == {"name": "Erika Mustermann", "email": "erika@example.org"}

    code = live.confirm_code(pending.booking)
    with pytest.raises(hushbook.ValidationError) as wrong:
        visitor.confirm(pending, f"{(int(code) + 1) % 1_000_000:06d}")
    assert "code" in wrong.value.field_errors
    confirmed = visitor.confirm(pending, code)
    assert isinstance(confirmed, hushbook.ConfirmedBooking)
    assert confirmed.status == "confirmed" and confirmed.manage_token
    assert confirmed.business == t.tenant.name and confirmed.service == "Cut"
    again = visitor.confirm(pending.booking, live.confirm_code(pending.booking))
    assert again.status == "confirmed"  # confirming twice is harmless

    managed = visitor.manage(confirmed.manage_token)
    assert managed.can_cancel and managed.can_reschedule
    later = visitor.reschedule_offers(
        confirmed.manage_token, day + timedelta(days=7), day + timedelta(days=9)
    )
    assert later
    moved = visitor.reschedule(confirmed.manage_token, later[0])
    assert moved.start == later[0].start and moved.manage_token
    cancelled = visitor.cancel(moved.manage_token)
    assert cancelled.status == "cancelled" and not cancelled.can_cancel
    assert owner.appointments.get(appointment).status == "cancelled"


def test_refusals_map_to_errors(live, shop):
    t, owner, cut = shop
    visitor = hushbook.PublicBooking(live.url, t.tenant.slug, tenant_id=t.tenant.id)
    day = first_day()
    offer = visitor.offers(cut.id, day, day + timedelta(days=6))[0]
    visitor.book(offer, profile={"name": "Max"}, phone="+49 170 5550001")
    with pytest.raises(hushbook.Conflict) as spent:
        visitor.book(offer, profile={"name": "Max"}, phone="+49 170 5550001")
    assert spent.value.reason == "offer_spent"
    with pytest.raises(hushbook.ValidationError) as too_long:
        visitor.offers(cut.id, day, day + timedelta(days=20))
    assert "date_to" in too_long.value.field_errors
    with pytest.raises(hushbook.NotFound):
        hushbook.PublicBooking(live.url, "no-such-salon").catalog()
    with pytest.raises(ValueError):
        visitor.book(offer, profile={"name": "Max"})  # no contact for the confirmation


def test_plain_booking_and_stealth_off(live, shop):
    t, owner, cut = shop
    owner.tenant.update(stealth_mode=False)
    visitor = hushbook.PublicBooking(live.url, t.tenant.slug)
    challenge = visitor.challenge()
    assert challenge.required is False and challenge.challenge is None
    assert visitor.proof() is None
    day = first_day()
    offers = visitor.offers(cut.id, day, day, parts=["afternoon"])
    pending = visitor.book(
        offers[0], profile={"name": "Paula"}, email="paula@example.org", seal=False
    )
    assert pending.status == "pending"
    row = owner.appointments.list(status="pending").first()
    assert row is not None and row.client is not None
    assert row.client.profile == {"name": "Paula", "email": "paula@example.org"}


def test_pow_solver_matches_the_reference():
    for challenge_id in ("abc", "Xy-12_z", "x" * 40):
        for bits in (0, 4, 10):
            nonce = hushbook.solve_pow(challenge_id, bits)
            assert stealth.pow_ok(challenge_id, nonce, bits)
            # the first nonce that works: none below it does
            assert not any(stealth.pow_ok(challenge_id, str(n), bits) for n in range(int(nonce)))


def test_sealing_needs_the_tenant_id(live, shop):
    t, owner, cut = shop
    visitor = hushbook.PublicBooking(live.url, t.tenant.slug)
    if visitor.catalog().tenant_id is not None:  # the service publishes it: nothing to pass
        assert visitor.catalog().tenant_id == t.tenant.id
        return
    with pytest.raises(sealing.SealError, match="tenant_id"):
        visitor.seal({"name": "Nobody"})
