"""The public booking flow (DESIGN §4): visitors, proofs-of-work, offers,
bookings with double opt-in, confirmation and manage links.

No public answer ever lists free or busy times: a wish goes in, at most *k*
signed offers come out (:mod:`hushbook_service.offers`).  Stealth mode adds
metering (:mod:`hushbook_service.metering`), proof-of-work and the
anti-fake rules; its knobs live in :mod:`hushbook_service.stealth`.

Every token here is single-purpose (:mod:`hushbook_service.tokens`): a
visitor session, a challenge, an offer (bound to the session that asked,
spent once), a booking reference, a confirmation link and a manage link.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import peewee
from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from flask import current_app, request

from . import (
    audit,
    booking,
    client_profiles,
    clientbook,
    delivery,
    messages,
    metering,
    offers,
    stealth,
)
from .auth import authenticate, key_ring
from .db import database, lock_row, utcnow, write_transaction
from .errors import abort, field_error
from .models import (
    Appointment,
    BlockedContact,
    Client,
    Consent,
    PendingHold,
    Service,
    ServiceStaff,
    SpentToken,
    Staff,
    Tenant,
)
from .slots import LocalRange
from .tokens import TokenError

SESSION_TTL = timedelta(hours=12)
CHALLENGE_TTL = timedelta(minutes=5)
OFFER_TTL = timedelta(minutes=10)
FORWARD_SCOPE = "public:forward"
VISITOR_IP_HEADER = "Hushbook-Visitor-IP"


# --- tenant, settings, visitor ----------------------------------------------------------


def tenant_by_slug(slug: str) -> Tenant:
    tenant = Tenant.get_or_none(Tenant.slug == slug)
    if tenant is None:
        abort(404, "Unknown business.")
    return tenant


def settings_of(tenant: Tenant) -> dict[str, int]:
    return stealth.merged(json.loads(tenant.stealth_settings or "{}"))


def public_name(staff: Staff) -> str:
    return staff.public_name or staff.display_name


@dataclass(frozen=True)
class Visitor:
    session_id: str
    ip: str

    @property
    def tag(self) -> str:
        """What tokens carry to bind them to this session (not the session id)."""
        return hashlib.sha256(f"visitor|{self.session_id}".encode()).hexdigest()[:32]


def _secret(tenant_id: int, label: str) -> bytes:
    settings = current_app.config["HUSHBOOK"]
    return settings.instance_key(f"hushbook-{label}-v1".encode(), str(tenant_id).encode())


def client_ip(tenant: Tenant) -> str:
    """The visitor's address: the socket's (after trusted proxies), or, for a
    trusted forwarder (a plugin calling with an integration key of this tenant
    holding ``public:forward``), the address it vouches for."""
    if "Authorization" not in request.headers:
        return request.remote_addr or "unknown"
    caller = authenticate()  # 401 for a bad key: never silently anonymous
    if caller.tenant_id != tenant.id or not caller.can(FORWARD_SCOPE):
        abort(403, "This key may not forward visitors of this business.")
    raw = request.headers.get(VISITOR_IP_HEADER, "")
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        abort(422, f"A forwarder must send the visitor's address in {VISITOR_IP_HEADER}.")


def new_session(tenant: Tenant) -> str:
    return key_ring().issue("visitor", {"tid": tenant.id, "sub": "visitor"}, SESSION_TTL)


def visitor(tenant: Tenant, session: str) -> Visitor:
    claims = _verify("visitor", session, tenant, "session")
    return Visitor(claims["jti"], client_ip(tenant))


def _verify(purpose: str, token: str, tenant: Tenant | None, field: str) -> dict:
    """A public token of ``purpose`` for ``tenant``, or 422 naming ``field``.

    One message for every reason (forged, expired, other tenant or visitor)."""
    try:
        claims = key_ring().verify(purpose, token)
    except TokenError:
        claims = None
    if claims is None or (tenant is not None and claims.get("tid") != tenant.id):
        field_error(field, _INVALID[field])
    return claims


_INVALID = {
    "session": "This session is not valid; start again.",
    "pow": "This proof-of-work is not valid; ask for a new challenge.",
    "offer": "This offer is not valid any more; ask for new offers.",
    "booking": "Unknown or expired booking.",
    "token": "This link is not valid any more.",
}


# --- metering and proof-of-work ---------------------------------------------------------


def _ask_buckets(tenant: Tenant, who: Visitor, cost: float) -> list[metering.Bucket]:
    sizes = stealth.ask_buckets(settings_of(tenant))
    keys = [("session", who.tag), *stealth.network_keys(who.ip), ("tenant", "")]
    return [metering.Bucket(kind, value, *sizes[kind], cost=cost) for kind, value in keys]


def meter(tenant: Tenant, who: Visitor) -> None:
    """One ask (offers, booking) against every budget; 429 past any of them."""
    if tenant.stealth_mode:
        metering.take(tenant.id, _ask_buckets(tenant, who, 1.0))


def issue_challenge(tenant: Tenant, who: Visitor) -> dict:
    """A signed puzzle whose difficulty grows with this requester's volume."""
    buckets = _ask_buckets(tenant, who, 0.0)  # no cost, but 429 if already out of budget
    sizes = stealth.ask_buckets(settings_of(tenant))
    buckets.append(metering.Bucket("challenge", who.ip, 4 * sizes["ip"][0], stealth.DAY))
    used = metering.take(tenant.id, buckets)
    bits = stealth.pow_bits(max(used["session"], used["ip"]), settings_of(tenant)["pow_base_bits"])
    token = key_ring().issue(
        "challenge", {"tid": tenant.id, "vis": who.tag, "bits": bits}, CHALLENGE_TTL
    )
    return {"challenge": token, "bits": bits, "expires_at": utcnow() + CHALLENGE_TTL}


def challenge_id(token: str) -> str:
    """The string a solver hashes with its nonce (the challenge's ``jti``)."""
    return key_ring().verify("challenge", token)["jti"]


def spend_pow(tenant: Tenant, who: Visitor, proof: dict | None) -> None:
    """Stealth mode: a solved, unspent challenge of this visitor, or 4xx."""
    if not tenant.stealth_mode:
        return
    if not proof:
        field_error("pow", "Solve a proof-of-work challenge first.")
    claims = _verify("challenge", proof["challenge"], tenant, "pow")
    if claims.get("vis") != who.tag or not stealth.pow_ok(
        claims["jti"], proof["nonce"], int(claims["bits"])
    ):
        field_error("pow", _INVALID["pow"])
    with write_transaction():
        if not _spend(claims["jti"], "pow", claims["exp"]):
            abort(409, "This proof-of-work was already used.", reason="pow_spent")


def _spend(jti: str, kind: str, exp: int) -> bool:
    """Mark a single-use token spent (inside a write transaction); False if it was."""
    try:
        with database.atomic():  # a savepoint: the unique key fails alone
            SpentToken.create(jti=jti, kind=kind, expires_at=datetime.fromtimestamp(exp, UTC))
    except peewee.IntegrityError:
        return False
    return True


# --- offers -----------------------------------------------------------------------------


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
    return hmac.new(_secret(tenant_id, "staff-pseudonym"), msg, "sha256").hexdigest()[:24]


def _service(tenant: Tenant, service_id: int) -> Service:
    service = Service.get_or_none(
        Service.id == service_id, Service.tenant == tenant.id, Service.active == True
    )
    if service is None:
        field_error("service_id", "Unknown service.")
    return service


def make_offers(tenant: Tenant, who: Visitor, wish: dict) -> dict:
    """At most *k* offers for ``wish`` (validated by the route's schema)."""
    config = settings_of(tenant)
    tz = ZoneInfo(tenant.timezone)
    service = _service(tenant, wish["service_id"])
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
    kwargs = {"duration": duration, "tz": tz, "now": earliest, "policy": policy}
    if tenant.stealth_mode:
        chosen = offers.choose(available, the_wish, secret=_secret(tenant.id, "offers"), **kwargs)
    else:
        chosen = offers.earliest(available, the_wish, **kwargs)
    names = {s.id: public_name(s) for s in team}
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
    return {"offers": out, "service_id": service.id}


def _offer(tenant: Tenant, who: Visitor, token: str) -> tuple[dict, Service, Staff]:
    claims = _verify("offer", token, tenant, "offer")
    if claims.get("vis") != who.tag:
        field_error("offer", _INVALID["offer"])
    service = _service(tenant, int(claims["svc"]))
    start, end = int(claims["st"]), int(claims["en"])
    for member in team_for(service):
        pseudonym = _pseudonym(tenant.id, who.tag, member.id, start, end)
        if hmac.compare_digest(pseudonym, str(claims["stf"])):
            return claims, service, member
    field_error("offer", _INVALID["offer"])


# --- anti-fake rules --------------------------------------------------------------------


def is_disposable(email: str) -> bool:
    """Whether the domain (or a parent domain) is a known throw-away mail service."""
    domain = email.rpartition("@")[2].strip().rstrip(".").lower()
    parts = domain.split(".")
    return any(".".join(parts[i:]) in DISPOSABLE_DOMAINS for i in range(len(parts) - 1))


def blocked(tenant_id: int, contacts: dict[str, str]) -> bool:
    pairs = clientbook.digests(tenant_id, contacts)
    for kind, digest in pairs:
        if (
            BlockedContact.select()
            .where(
                BlockedContact.tenant == tenant_id,
                BlockedContact.kind == kind,
                BlockedContact.digest == digest,
            )
            .exists()
        ):
            return True
    return False


def block_client(client: Client, reason: str) -> int:
    """Block the contacts a client is known by (their digests); returns how many."""
    added = 0
    for entry in client.index_entries:
        _, created = BlockedContact.get_or_create(
            tenant=client.tenant_id,
            kind=entry.kind,
            digest=entry.digest,
            defaults={"reason": reason},
        )
        added += created
    return added


def after_no_show(appointment: Appointment) -> None:
    """The owner's rule: block a client's contacts after repeated no-shows."""
    if appointment.client_id is None:
        return
    tenant = Tenant.get_by_id(appointment.tenant_id)
    limit = settings_of(tenant)["block_after_no_shows"]
    client = Client.get_or_none(Client.id == appointment.client_id)
    if limit and client is not None and client.no_shows >= limit:
        block_client(client, "no_shows")


def _holds(tenant: Tenant, who: Visitor, contacts: dict[str, str]) -> list[tuple[str, str]]:
    """(kind, keyed hash) a pending booking counts against."""
    key = _secret(tenant.id, "pending-hold")

    def mac(value: str) -> str:
        return hmac.new(key, value.encode(), "sha256").hexdigest()[:40]

    subnet = next(v for k, v in stealth.network_keys(who.ip) if k == "subnet")
    holds = [("session", mac(who.tag)), ("ip", mac(who.ip)), ("subnet", mac(subnet))]
    holds += [("contact", digest) for _, digest in clientbook.digests(tenant.id, contacts)]
    return holds


def _check_pending_caps(tenant: Tenant, holds: list[tuple[str, str]]) -> None:
    config = settings_of(tenant)
    now = utcnow()
    for kind, digest in holds:
        count = (
            PendingHold.select()
            .join(Appointment)
            .where(
                PendingHold.tenant == tenant.id,
                PendingHold.kind == kind,
                PendingHold.digest == digest,
                Appointment.status == "pending",
                Appointment.pending_until > now,
            )
            .count()
        )
        if count >= config[f"pending_per_{kind}"]:
            abort(
                429,
                "Too many unconfirmed bookings. Confirm one first, or try again later.",
                reason="too_many_pending",
                headers={"Retry-After": str(config["pending_expiry_min"] * 60)},
            )


# --- booking, confirmation, manage ------------------------------------------------------


def book(tenant: Tenant, who: Visitor, data: dict) -> dict:
    """A pending online appointment from an offer; the customer confirms it."""
    from .resources.clients import create_client

    config = settings_of(tenant)
    claims, service, staff = _offer(tenant, who, data["offer"])
    if "sealed_profile" in data:  # also for a returning client, whose profile is kept
        client_profiles.require_vault(tenant)
        client_profiles.require_current_key(tenant, data.get("key_version"))
    contacts = {k: v for k, v in data["contact"].items() if v}
    if tenant.stealth_mode:
        filled = (utcnow() - datetime.fromtimestamp(claims["iat"], UTC)).total_seconds()
        if data.get("website"):  # the honeypot: people never see this field
            return _decoy(tenant, "honeypot")
        if filled < config["min_fill_seconds"]:
            abort(
                422,
                "That was very fast. Please check your details and send again.",
                reason="too_fast",
                headers={"Retry-After": str(config["min_fill_seconds"])},
            )
    if "email" in contacts and is_disposable(contacts["email"]):
        field_error("contact", "Please use a permanent e-mail address.")
    if blocked(tenant.id, contacts):
        abort(
            403,
            "Online booking is not available for this contact. Please call the business.",
            reason="contact_blocked",
        )
    consent = data["consent"]
    if "booking" not in consent["purposes"]:
        field_error("consent", "Booking needs your consent to process your details for it.")
    if not clientbook.notice_exists(tenant.id, consent["notice_version"], consent["locale"]):
        field_error("consent", "Unknown privacy notice version for this language.")
    holds = _holds(tenant, who, contacts) if tenant.stealth_mode else []
    start = datetime.fromtimestamp(int(claims["st"]), UTC)
    until = utcnow() + timedelta(minutes=config["pending_expiry_min"])
    appointment = Appointment(
        status="pending", source="online", price_cents=service.price_cents, pending_until=until
    )
    with write_transaction():  # all or nothing; the offer is spent exactly once
        # One public booking of this business at a time (PostgreSQL; SQLite has the
        # whole database): the pending caps are counted and kept under this lock.
        lock_row(Tenant, tenant.id)
        if not _spend(claims["jti"], "offer", claims["exp"]):
            abort(409, "This offer was already used; ask for new offers.", reason="offer_spent")
        _check_pending_caps(tenant, holds)
        client = clientbook.find_returning(tenant.id, contacts)
        if client is None:
            client_data = {
                k: data[k] for k in ("sealed_profile", "client_key", "key_version") if k in data
            }
            if "profile" in data:  # plain: sealed on arrival, with the contact in it
                client_data["profile"] = {**data["profile"], **contacts}
            client_data["contacts"] = contacts
            client_data["consent"] = data["consent"]
            client = create_client(tenant, client_data, source="online")
            client.pending = True
            client.save()
        appointment.client = client
        booking.occupy(appointment, tenant=tenant, staff=staff, service=service, start=start)
        if not client.pending:  # a returning client: this booking's consent, kept if confirmed
            clientbook.record_consent(
                client,
                consent["notice_version"],
                consent["locale"],
                consent["purposes"],
                "online",
                appointment_id=appointment.id,
            )
        for kind, digest in holds:
            PendingHold.create(
                tenant=tenant.id, appointment=appointment.id, kind=kind, digest=digest
            )
        delivery.seal_contact(appointment, contacts)
        messages.on_booked_online(appointment)
        audit.record(
            tenant.id, "public.booking", "appointment", appointment.id, actor=("anonymous", None)
        )
    return {
        "status": "pending",
        "booking": key_ring().issue(
            "booking",
            {"tid": tenant.id, "sub": str(appointment.id), "vis": who.tag},
            until - utcnow(),
        ),
        "confirm_by": until,
        "start": appointment.start_at,
        "end": appointment.end_at,
    }


def _decoy(tenant: Tenant, why: str) -> dict:
    """What a bot that trips a trap gets: the look of success, nothing stored."""
    audit.record(tenant.id, "public.booking_dropped", actor=("anonymous", None), reason=why)
    until = utcnow() + timedelta(minutes=settings_of(tenant)["pending_expiry_min"])
    fake = key_ring().issue(
        "booking", {"tid": tenant.id, "sub": "0", "vis": ""}, timedelta(minutes=1)
    )
    return {"status": "pending", "booking": fake, "confirm_by": until, "start": None, "end": None}


def confirmation_code(appointment: Appointment) -> str:
    """The six digits sent with the confirmation request (derivable, not stored)."""
    mac = hmac.new(
        _secret(appointment.tenant_id, "confirm-code"),
        f"{appointment.id}|{appointment.created_at.isoformat()}".encode(),
        "sha256",
    ).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 1_000_000:06d}"


def confirmation_link_token(appointment: Appointment) -> str:
    ttl = max(timedelta(seconds=1), appointment.pending_until - utcnow())
    claims = {"tid": appointment.tenant_id, "sub": str(appointment.id)}
    return key_ring().issue("confirm", claims, ttl)


def manage_token(appointment: Appointment) -> str:
    """Signed, expires when the appointment starts."""
    ttl = max(timedelta(seconds=1), appointment.start_at - utcnow())
    claims = {"tid": appointment.tenant_id, "sub": str(appointment.id)}
    return key_ring().issue("manage", claims, ttl)


def _appointment(claims: dict, field: str) -> Appointment:
    try:
        appointment_id = int(claims["sub"])
    except (KeyError, TypeError, ValueError):
        field_error(field, _INVALID[field])
    appointment = Appointment.get_or_none(
        Appointment.id == appointment_id, Appointment.tenant == claims["tid"]
    )
    if appointment is None or appointment.source != "online":
        field_error(field, _INVALID[field])
    return appointment


def confirm_by_link(token: str) -> Appointment:
    return _confirm(_appointment(_verify("confirm", token, None, "token"), "token"))


def confirm_by_code(booking_ref: str, code: str) -> Appointment:
    claims = _verify("booking", booking_ref, None, "booking")
    appointment = _appointment(claims, "booking")
    expiry = settings_of(Tenant.get_by_id(appointment.tenant_id))["pending_expiry_min"] * 60
    # Five tries per booking: six digits cannot be guessed in the time it is pending.
    metering.take(appointment.tenant_id, [metering.Bucket("code", str(appointment.id), 5, expiry)])
    if not hmac.compare_digest(confirmation_code(appointment), code):
        field_error("code", "This code is not right.")
    return _confirm(appointment)


def _confirm(appointment: Appointment) -> Appointment:
    if appointment.status == "confirmed":
        return appointment  # a second click on the link changes nothing
    if appointment.status != "pending" or appointment.pending_until <= utcnow():
        abort(409, "This booking has expired; please book again.", reason="booking_expired")
    with write_transaction():
        updated = (
            Appointment.update(status="confirmed", pending_until=None, updated_at=utcnow())
            .where(Appointment.id == appointment.id, Appointment.status == "pending")
            .execute()
        )
        if not updated:
            abort(409, "This booking was changed meanwhile.", reason="concurrent_change")
        PendingHold.delete().where(PendingHold.appointment == appointment.id).execute()
        if appointment.client_id is not None:
            Client.update(pending=False).where(Client.id == appointment.client_id).execute()
        appointment.status = "confirmed"
        messages.on_confirmed(appointment)
        audit.record(
            appointment.tenant_id,
            "public.confirm",
            "appointment",
            appointment.id,
            actor=("anonymous", None),
        )
    return Appointment.get_by_id(appointment.id)


def managed(token: str) -> Appointment:
    return _appointment(_verify("manage", token, None, "token"), "token")


def cancel(appointment: Appointment) -> Appointment:
    if appointment.status not in ("pending", "confirmed") or appointment.start_at <= utcnow():
        abort(
            409, "This appointment can no longer be cancelled online.", reason="invalid_transition"
        )
    with write_transaction():
        booking.transition(appointment, "cancel")
        PendingHold.delete().where(PendingHold.appointment == appointment.id).execute()
        audit.record(
            appointment.tenant_id,
            "public.cancel",
            "appointment",
            appointment.id,
            actor=("anonymous", None),
        )
    return appointment


def reschedule(appointment: Appointment, who: Visitor, offer_token: str) -> Appointment:
    """Move a confirmed appointment to a new offer (asked for under this manage link)."""
    tenant = Tenant.get_by_id(appointment.tenant_id)
    if appointment.status != "confirmed" or appointment.start_at <= utcnow():
        abort(409, "This appointment can no longer be moved online.", reason="invalid_transition")
    claims, service, staff = _offer(tenant, who, offer_token)
    if service.id != appointment.service_id:
        field_error("offer", _INVALID["offer"])
    old_start = appointment.start_at
    with write_transaction():
        if not _spend(claims["jti"], "offer", claims["exp"]):
            abort(409, "This offer was already used; ask for new offers.", reason="offer_spent")
        booking.occupy(
            appointment,
            tenant=tenant,
            staff=staff,
            service=service,
            start=datetime.fromtimestamp(int(claims["st"]), UTC),
        )
        delivery.move(appointment, old_start)
        messages.on_rescheduled(appointment)
        audit.record(
            tenant.id, "public.reschedule", "appointment", appointment.id, actor=("anonymous", None)
        )
    return appointment


def manage_visitor(appointment: Appointment) -> Visitor:
    """Under a manage link the link itself is the session (offers bind to it)."""
    tenant = Tenant.get_by_id(appointment.tenant_id)
    return Visitor(f"manage|{appointment.id}", client_ip(tenant))


# --- expiry -----------------------------------------------------------------------------


def expire_pending(now: datetime | None = None) -> int:
    """Mark unconfirmed online bookings expired; erase clients they created.

    Their slots are already free (``booking.occupying``); this tidies up."""
    now = now or utcnow()
    rows = list(
        Appointment.select().where(
            Appointment.status == "pending", Appointment.pending_until <= now
        )
    )
    for appointment in rows:
        with write_transaction():
            done = (
                Appointment.update(status="expired", updated_at=now)
                .where(Appointment.id == appointment.id, Appointment.status == "pending")
                .execute()
            )
            if not done:
                continue
            PendingHold.delete().where(PendingHold.appointment == appointment.id).execute()
            messages.on_expired(appointment)
            delivery.forget(appointment)
            Consent.delete().where(Consent.appointment == appointment.id).execute()
            client = Client.get_or_none(Client.id == appointment.client_id)
            others = Appointment.select().where(
                Appointment.client == appointment.client_id,
                Appointment.id != appointment.id,
                Appointment.status != "expired",
            )
            if client is not None and client.pending and not others.exists():
                # Created by unconfirmed bookings only: nobody vouched for these details.
                Appointment.update(client=None).where(Appointment.client == client.id).execute()
                client.delete_instance(recursive=False)
    return len(rows)


def purge_spent(now: datetime | None = None) -> int:
    return SpentToken.delete().where(SpentToken.expires_at < (now or utcnow())).execute()
