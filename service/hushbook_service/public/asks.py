"""Asks: a customer's wish in, at most *k* signed offers out — never a calendar.

Free times come from the booking path (:mod:`hushbook_service.scheduling.booking`);
which of them to show is the showcase's choice
(:mod:`hushbook_service.scheduling.offers`). An offer token names its team
member only by a pseudonym per visitor and offer, and binds to the session
that asked.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from hushbook_service import keys, observability, stealth
from hushbook_service.accounts.principals import key_ring
from hushbook_service.db import prepared_models, prepared_rows, utcnow, write_transaction
from hushbook_service.errors import field_error
from hushbook_service.models import (
    ACTIVE_STATES,
    Appointment,
    RevealedStart,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
)
from hushbook_service.public import capacity
from hushbook_service.public.visitors import INVALID, Visitor, verify
from hushbook_service.scheduling import booking, offers
from hushbook_service.scheduling.slots import LocalRange

OFFER_TTL = timedelta(minutes=10)


def team_for(service: Service) -> list[Staff]:
    return prepared_models(
        "asks.team_for",
        Staff,
        lambda: (
            Staff.select()
            .join(ServiceStaff, on=(ServiceStaff.staff == Staff.id))
            .where(
                ServiceStaff.service == service.id,
                Staff.tenant == service.tenant_id,
                Staff.active == True,
                Staff.bookable == True,
            )
            .order_by(Staff.id)
        ),
        [service.id, service.tenant_id, True, True],
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
    found = prepared_models(
        "asks.service_of",
        Service,
        lambda: Service.select().where(
            Service.id == service_id, Service.tenant == tenant.id, Service.active == True
        ),
        [service_id, tenant.id, True],
    )
    if not found:
        field_error("service_id", "Unknown service.")
    return found[0]


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
    # No preference for long free gaps: a booking in a shown start's gap would move it.
    policy = offers.Policy(k=config["offer_count"], max_days=14, nest_gap=timedelta(0))
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
        recent = _recent(tenant, service, team, lo, max(lo, hi))
        kwargs["recent"] = recent
        span = (lo, max(lo, hi))
        chosen, nameless = _showcase_choice(tenant, who, available, the_wish, kwargs, span)
    else:
        chosen, nameless = offers.earliest(available, the_wish, **kwargs), set()
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
        named = tenant.show_staff_names and offer not in nameless
        item = {
            "start": offer.start,
            "end": offer.end,
            # without a name, a named-staff wish is never told it got its person
            "fits_wish": offers.fits(the_wish, offer.start, tz, policy)
            and (staff_id is None or (named and offer.staff_id == staff_id)),
            "token": key_ring().issue("offer", claims, OFFER_TTL),
            "expires_at": now + OFFER_TTL,
        }
        if named:
            item["staff"] = {"id": offer.staff_id, "name": names[offer.staff_id]}
        out.append(item)
    observability.OFFERS_ISSUED.inc(len(out))
    return {"offers": out, "service_id": service.id}


def _recent(
    tenant: Tenant, service: Service, team: list[Staff], lo: datetime, hi: datetime
) -> dict[int, list[tuple[int, int, int]]]:
    """Per team member, the starts (first, last, step in epoch seconds) that
    recent bookings took: unconfirmed holds, and whatever was booked or moved
    in this showcase period or the cool-down before now (rule 6 of
    :mod:`~hushbook_service.scheduling.offers`)."""
    config = stealth.settings_of(tenant)
    now = utcnow()
    secret = keys.instance_key("offers", str(tenant.id))
    _, period_start = stealth.period_of(tenant.id, now.timestamp(), secret)
    since = min(
        datetime.fromtimestamp(period_start, UTC),
        now - timedelta(minutes=config["hold_cooldown_min"]),
    )
    before, after = booking.buffers(service, tenant)
    length = timedelta(minutes=service.duration_min)
    step = tenant.slot_granularity_min * 60
    ids = [s.id for s in team]
    A = Appointment
    rows = prepared_rows(
        f"asks.recent.{len(ids)}",  # one SQL per team size
        lambda: A.select(A.staff, A.block_start, A.block_end).where(
            A.tenant == tenant.id,
            A.staff.in_(ids),
            booking.occupying(now),
            A.block_start < hi + length + after,
            A.block_end > lo - before,
            (A.updated_at >= since) | (A.status == "pending"),
        ),
        [
            tenant.id,
            *ids,
            *ACTIVE_STATES,
            "pending",
            A.pending_until.db_value(now),
            A.block_start.db_value(hi + length + after),
            A.block_end.db_value(lo - before),
            A.updated_at.db_value(since),
            "pending",
        ],
    )
    out: dict[int, list[tuple[int, int, int]]] = {}
    for staff_id, raw_start, raw_end in rows:
        block_start = A.block_start.python_value(raw_start)
        block_end = A.block_end.python_value(raw_end)
        # a start s is taken if [s - before, s + length + after) meets the block
        first = int((block_start - length - after).timestamp()) + 1
        last = int((block_end + before).timestamp()) - 1
        first = -(-first // step) * step  # the engine's grid (whole-hour zones)
        out.setdefault(staff_id, []).append((first, last, step))
    return out


def _showcase_choice(
    tenant: Tenant,
    who: Visitor,
    available: dict,
    wish: offers.Wish,
    kwargs: dict[str, Any],
    span: tuple[datetime, datetime],
) -> tuple[list[offers.Offer], set[offers.Offer]]:
    """Stealth mode's offers and those of them to show without a name: the
    showcase of this period, without what recent bookings may have taken.
    Visitors who proved nothing see the starts already revealed first (rule 8 of
    :mod:`~hushbook_service.scheduling.offers`), a walker nothing else, and names
    only within each date's disclosure budget."""
    now = utcnow()
    secret = keys.instance_key("offers", str(tenant.id))
    period, _ = stealth.period_of(tenant.id, now.timestamp(), secret)
    kwargs = {**kwargs, "secret": secret, "period": str(period)}
    if who.proven:
        return offers.choose(available, wish, **kwargs), set()
    tz = kwargs["tz"]
    first_day, last_day = (t.astimezone(tz).date() for t in span)
    R = RevealedStart
    rows = (
        R.select(R.day, R.staff_id, R.start, R.until, R.named_until)
        .where(R.tenant == tenant.id, R.day >= first_day, R.day <= last_day)
        .tuples()
    )
    told: dict[tuple[int, int], tuple[int, int]] = {}  # (staff, start) -> (until, named until)
    named: dict[date, list[tuple[int, int, int]]] = {}  # per date: (staff, start, end) named
    for day, staff_id, start, until, named_until in cast(
        Iterable[tuple[date, int, int, int, int]], rows
    ):
        told[staff_id, start] = (until, named_until)
        if named_until:
            named.setdefault(day, []).append((staff_id, start, named_until))
    revealed: dict[int, dict[int, int]] = {}  # staff -> start -> end of the longest offer
    for (staff_id, start), (until, _) in told.items():
        revealed.setdefault(staff_id, {})[start] = until
    keep = (lambda o: False) if who.walking else None
    chosen = offers.choose(available, wish, keep=keep, revealed=revealed, **kwargs)
    nameless = set()
    if tenant.show_staff_names:
        nameless = _beyond_budget(tenant, chosen, named, (first_day, last_day), tz)
    _remember(tenant, tz, chosen, told, nameless)
    return chosen, nameless


def _epoch(t: datetime) -> int:
    return int(t.timestamp())


def _beyond_budget(
    tenant: Tenant,
    chosen: list[offers.Offer],
    named: dict[date, list[tuple[int, int, int]]],
    days: tuple[date, date],
    tz: ZoneInfo,
) -> set[offers.Offer]:
    """The offers whose names would tell more of their date's free time, per
    person, than the date's disclosure budget: they are shown without a name
    (what a salon with names hidden shows). ``named`` grows by the others."""
    config = stealth.settings_of(tenant)
    bookable: dict[date, float] = {}  # read once, only if a name would tell more
    out = set()
    for o in chosen:
        day, item = o.start.astimezone(tz).date(), (o.staff_id, _epoch(o.start), _epoch(o.end))
        told = named.get(day, [])
        if any(s == item[0] and a <= item[1] and item[2] <= e for s, a, e in told):
            continue  # this name at this time was told already
        if not bookable:
            bookable.update(capacity.bookable_minutes(tenant, *days))
        budget = stealth.disclosure_budget(config, bookable.get(day, 0.0))
        if stealth.revealed_minutes([*told, item]) > budget:
            out.add(o)
        else:
            named[day] = [*told, item]
    return out


def _remember(
    tenant: Tenant,
    tz: ZoneInfo,
    chosen: list[offers.Offer],
    told: dict[tuple[int, int], tuple[int, int]],
    nameless: set[offers.Offer],
) -> None:
    """Record what these offers told that was not told yet: new starts, longer
    offers at known ones, and how long by name (what the date's budget counts)."""
    R = RevealedStart
    rows, longer = [], []
    for o in chosen:
        start, end = _epoch(o.start), _epoch(o.end)
        by_name = end if tenant.show_staff_names and o not in nameless else 0
        if (o.staff_id, start) not in told:
            day = o.start.astimezone(tz).date()
            row = {"day": day, "staff_id": o.staff_id, "start": start}
            rows.append({"tenant": tenant.id, **row, "until": end, "named_until": by_name})
            continue
        until, named_until = told[o.staff_id, start]
        if until < end or named_until < by_name:
            longer.append((o.staff_id, start, max(until, end), max(named_until, by_name)))
    if not rows and not longer:
        return
    with write_transaction():
        for staff_id, start, until, named_until in longer:
            row = (R.tenant == tenant.id) & (R.staff_id == staff_id) & (R.start == start)
            # only ever longer, whatever a concurrent ask wrote meanwhile
            R.update(until=until).where(row, R.until < until).execute()
            R.update(named_until=named_until).where(row, R.named_until < named_until).execute()
        if rows:
            R.insert_many(rows).on_conflict_ignore().execute()


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
