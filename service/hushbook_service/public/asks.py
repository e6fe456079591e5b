"""Asks: a customer's wish in, at most *k* signed offers out — never a calendar.

Free times come from the booking path (:mod:`hushbook_service.scheduling.booking`);
which of them to show is the showcase's choice
(:mod:`hushbook_service.scheduling.offers`). An offer token names its team
member only by a pseudonym per visitor and offer, and binds to the session
that asked.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hushbook_service import keys, observability, stealth
from hushbook_service.accounts.principals import key_ring
from hushbook_service.db import utcnow
from hushbook_service.errors import field_error
from hushbook_service.models import Service, ServiceStaff, Staff, Tenant
from hushbook_service.public.visitors import INVALID, Visitor, verify
from hushbook_service.scheduling import booking, offers
from hushbook_service.scheduling.slots import LocalRange

OFFER_TTL = timedelta(minutes=10)


def team_for(service: Service) -> list[Staff]:
    return list(
        Staff.select()
        .join(ServiceStaff, on=(ServiceStaff.staff == Staff.id))
        .where(
            ServiceStaff.service == service.id,
            Staff.tenant == service.tenant_id,
            Staff.active == True,
            Staff.bookable == True,
        )
        .order_by(Staff.id)
    )


def _pseudonym(tenant_id: int, who_tag: str, staff_id: int, start: int, end: int) -> str:
    """The staff member as an offer token names them: a pseudonym per visitor and
    offer, so tokens (readable JWS) cannot be grouped by person: not across
    sessions, and not within one (bench/scrape.py measured how grouping and
    public working hours would otherwise pin offers to people)."""
    msg = f"{who_tag}|{staff_id}|{start}|{end}".encode()
    return hmac.new(
        keys.instance_key("staff-pseudonym", str(tenant_id)), msg, "sha256"
    ).hexdigest()[:24]


def service_of(tenant: Tenant, service_id: int) -> Service:
    service = Service.get_or_none(
        Service.id == service_id, Service.tenant == tenant.id, Service.active == True
    )
    if service is None:
        field_error("service_id", "Unknown service.")
    return service


def make_offers(tenant: Tenant, who: Visitor, wish: dict) -> dict:
    """At most *k* offers for ``wish`` (validated by the route's schema)."""
    config = stealth.settings_of(tenant)
    tz = ZoneInfo(tenant.timezone)
    service = service_of(tenant, wish["service_id"])
    team = team_for(service)
    staff_id = wish.get("staff_id")
    if staff_id is not None:
        if not tenant.show_staff_names:
            field_error("staff_id", "This business does not take staff preferences online.")
        if staff_id not in {s.id for s in team}:
            field_error("staff_id", "Unknown team member for this service.")
    now = utcnow()
    earliest = now + timedelta(minutes=tenant.min_notice_min)
    horizon = now + timedelta(days=tenant.max_advance_days)
    policy = offers.Policy(k=config["offer_count"], max_days=14)
    time_range = None
    if "time_from" in wish:
        time_range = LocalRange(wish["time_from"], wish["time_to"])
    try:
        the_wish = offers.Wish(
            first_day=wish["date_from"],
            last_day=wish["date_to"],
            weekdays=frozenset(wish.get("weekdays") or offers.ALL_DAYS),
            parts=frozenset(wish.get("parts") or ()),
            time_range=time_range,
            staff_id=staff_id,
        )
        lo, hi = offers.search_span(the_wish, tz, earliest, policy)
    except ValueError as exc:
        field_error("date_to", str(exc))
    if the_wish.first_day > horizon.astimezone(tz).date():
        field_error("date_from", f"Bookings open at most {tenant.max_advance_days} days ahead.")
    hi = min(hi, horizon)
    duration = timedelta(minutes=service.duration_min)
    available = booking.free_times(tenant, service, team, lo, max(lo, hi))
    kwargs: dict[str, Any] = {"duration": duration, "tz": tz, "now": earliest, "policy": policy}
    if tenant.stealth_mode:
        chosen = offers.choose(
            available, the_wish, secret=keys.instance_key("offers", str(tenant.id)), **kwargs
        )
    else:
        chosen = offers.earliest(available, the_wish, **kwargs)
    names = {s.id: s.shown_name for s in team}
    out = []
    for offer in chosen:
        start, end = int(offer.start.timestamp()), int(offer.end.timestamp())
        claims = {
            "tid": tenant.id,
            "svc": service.id,
            "stf": _pseudonym(tenant.id, who.tag, offer.staff_id, start, end),
            "st": start,
            "en": end,
            "vis": who.tag,
        }
        item = {
            "start": offer.start,
            "end": offer.end,
            "fits_wish": offers.fits(the_wish, offer.start, tz, policy)
            and (staff_id is None or offer.staff_id == staff_id),
            "token": key_ring().issue("offer", claims, OFFER_TTL),
            "expires_at": now + OFFER_TTL,
        }
        if tenant.show_staff_names:
            item["staff"] = {"id": offer.staff_id, "name": names[offer.staff_id]}
        out.append(item)
    observability.OFFERS_ISSUED.inc(len(out))
    return {"offers": out, "service_id": service.id}


def offer_claims(tenant: Tenant, who: Visitor, token: str) -> tuple[dict, Service, Staff]:
    claims = verify("offer", token, tenant, "offer")
    if claims.get("vis") != who.tag:
        field_error("offer", INVALID["offer"])
    service = service_of(tenant, int(claims["svc"]))
    start, end = int(claims["st"]), int(claims["en"])
    for member in team_for(service):
        pseudonym = _pseudonym(tenant.id, who.tag, member.id, start, end)
        if hmac.compare_digest(pseudonym, str(claims["stf"])):
            return claims, service, member
    field_error("offer", INVALID["offer"])
