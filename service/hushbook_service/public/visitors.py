"""Who is asking: visitor sessions, the visitor's address, metering and proof-of-work.

Every public call names its session (a signed ``visitor`` token); offers and
bookings are bound to it. In stealth mode each ask is metered against the
session, the address and its networks, and the salon
(:mod:`hushbook_service.public.metering`), and paid with a proof-of-work whose
rules live in :mod:`hushbook_service.stealth`.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import request

from hushbook_service import observability, stealth
from hushbook_service.accounts.principals import authenticate, key_ring
from hushbook_service.accounts.tokens import TokenError
from hushbook_service.db import database, prepared_models, utcnow
from hushbook_service.errors import abort, field_error
from hushbook_service.models import SpentToken, Tenant
from hushbook_service.public import metering

SESSION_TTL = timedelta(hours=12)
CHALLENGE_TTL = timedelta(minutes=5)
FORWARD_SCOPE = "public:forward"
VISITOR_IP_HEADER = "Hushbook-Visitor-IP"


def tenant_by_slug(slug: str) -> Tenant:
    found = prepared_models(
        "visitors.tenant_by_slug",
        Tenant,
        lambda: Tenant.select().where(Tenant.slug == slug),
        [slug],
    )
    if not found:
        abort(404, "Unknown business.")
    return found[0]


@dataclass(frozen=True)
class Visitor:
    session_id: str
    ip: str
    # When the session began (epoch seconds): the widget starts it at the visitor's
    # first interaction, so a booking's fill time counts from there (``too_fast``).
    started: int = 0
    # Proved a contact (a manage link of a client who kept an appointment): more
    # room under the salon's disclosure budget.
    proven: bool = False
    # Its address or network made many holds today (walk detection): shown only
    # starts already revealed.
    walking: bool = False

    @property
    def tag(self) -> str:
        """What tokens carry to bind them to this session (not the session id)."""
        return hashlib.sha256(f"visitor|{self.session_id}".encode()).hexdigest()[:32]


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
    claims = verify("visitor", session, tenant, "session")
    return Visitor(claims["jti"], client_ip(tenant), int(claims["iat"]))


def verify(purpose: str, token: str, tenant: Tenant | None, field: str) -> dict:
    """A public token of ``purpose`` for ``tenant``, or 422 naming ``field``.

    One message for every reason (forged, expired, other tenant or visitor)."""
    try:
        claims = key_ring().verify(purpose, token)
    except TokenError:
        claims = None
    if claims is None or (tenant is not None and claims.get("tid") != tenant.id):
        field_error(field, INVALID[field])
    return claims


INVALID = {
    "session": "This session is not valid; start again.",
    "pow": "This proof-of-work is not valid; ask for a new challenge.",
    "offer": "This offer is not valid any more; ask for new offers.",
    "booking": "Unknown or expired booking.",
    "token": "This link is not valid any more.",
}


def _ask_buckets(
    tenant: Tenant, who: Visitor, cost: float, salon: bool = True
) -> list[metering.Bucket]:
    """The requester's budgets (session, address, networks: 429 past any) and,
    for anonymous asks, the salon's (overdrawn instead of refused)."""
    sizes = stealth.ask_buckets(stealth.settings_of(tenant))
    keys = [("session", who.tag), *stealth.network_keys(who.ip)]
    buckets = [metering.Bucket(kind, value, *sizes[kind], cost=cost) for kind, value in keys]
    if salon:
        overdraw = stealth.SALON_OVERDRAW
        buckets.append(metering.Bucket("tenant", "", *sizes["tenant"], cost, overdraw))
    return buckets


def walk_buckets(tenant: Tenant, who: Visitor, cost: float) -> list[metering.Bucket]:
    """The holds (online bookings) this requester's address and network made
    today: past a few, its proof-of-work grows and its view narrows (walk
    detection). Never refused here: a booking's own caps do that."""
    subnet = next(v for k, v in stealth.network_keys(who.ip) if k == "subnet")
    free = stealth.settings_of(tenant)["walk_free_holds"]
    return [
        metering.Bucket(kind, value, free, stealth.DAY, cost, overdraw=1000)
        for kind, value in (("walk_ip", who.ip), ("walk_subnet", subnet))
    ]


def walking(used: dict[str, float], free: int) -> bool:
    """Whether ``used`` (from :func:`metering.take`) shows a hold walk: more
    than ``free`` holds (``walk_free_holds``) from the address or network today."""
    return max(used.get("walk_ip", 0.0), used.get("walk_subnet", 0.0)) > free


def meter(tenant: Tenant, who: Visitor, salon: bool = True) -> None:
    """One ask against the requester's budgets (429 past any of them) and, unless
    ``salon`` is off (asks under a manage link, bounded per booking), the salon's."""
    if tenant.stealth_mode:
        metering.take(tenant.id, _ask_buckets(tenant, who, 1.0, salon))


def _proof(tenant: Tenant, who: Visitor, proof: dict | None) -> tuple[dict, int]:
    """A solved challenge of this visitor: its claims and the bits it solved, or
    422. Pure (no database): unpaid requests are refused before any write."""
    if not proof:
        field_error("pow", "Solve a proof-of-work challenge first.")
    claims = verify("challenge", proof["challenge"], tenant, "pow")
    solved = stealth.leading_zero_bits(stealth.pow_digest(claims["jti"], proof["nonce"]))
    if claims.get("vis") != who.tag or solved < int(claims["bits"]):
        field_error("pow", INVALID["pow"])
    return claims, solved


def pay(tenant: Tenant, who: Visitor, proof: dict | None, salon: bool = True) -> Visitor:
    """An ask in stealth mode: the proof-of-work is checked first (no database),
    then, in one transaction, its price *now* (this requester's volume and walk,
    the salon's pressure), its single use and the ask's charge to every budget;
    a refusal at any step writes nothing. Returns the visitor, marked if its
    address or network is walking the calendar with holds."""
    if not tenant.stealth_mode:
        return who
    claims, solved = _proof(tenant, who, proof)
    settings = stealth.settings_of(tenant)
    seen: dict[str, float] = {}

    def priced(used: dict[str, float]) -> None:
        seen.update(used)
        if solved < stealth.required_bits({"tenant": 0.0, **used}, settings):
            field_error("pow", "This proof-of-work is too easy now; ask for a new challenge.")
        if not spend(claims["jti"], "pow", claims["exp"]):
            abort(409, "This proof-of-work was already used.", reason="pow_spent")

    buckets = _ask_buckets(tenant, who, 1.0, salon) + walk_buckets(tenant, who, 0.0)
    metering.take(tenant.id, buckets, before=priced)
    return replace(who, walking=walking(seen, settings["walk_free_holds"]))


def issue_challenge(tenant: Tenant, who: Visitor) -> dict:
    """A signed puzzle whose difficulty grows with this requester's volume and
    walk, and with the salon's pressure (no ask is charged; 429 if the requester
    is out)."""
    sizes = stealth.ask_buckets(stealth.settings_of(tenant))
    puzzles = metering.Bucket("challenge", who.ip, 4 * sizes["ip"][0], stealth.DAY)
    buckets = _ask_buckets(tenant, who, 0.0) + walk_buckets(tenant, who, 0.0) + [puzzles]
    used = metering.take(tenant.id, buckets)
    bits = stealth.required_bits(used, stealth.settings_of(tenant))
    observability.POW_BITS.observe(bits)
    token = key_ring().issue(
        "challenge", {"tid": tenant.id, "vis": who.tag, "bits": bits}, CHALLENGE_TTL
    )
    return {"challenge": token, "bits": bits, "expires_at": utcnow() + CHALLENGE_TTL}


def challenge_id(token: str) -> str:
    """The string a solver hashes with its nonce (the challenge's ``jti``)."""
    return key_ring().verify("challenge", token)["jti"]


def spend(jti: str, kind: str, exp: int) -> bool:
    """Mark a single-use token spent (inside a write transaction); False if it was.

    One statement: the unique key ignores a second use (no savepoint around it)."""
    query = SpentToken.insert(
        jti=jti, kind=kind, expires_at=datetime.fromtimestamp(exp, UTC)
    ).on_conflict_ignore()
    return database.execute(query).rowcount == 1
