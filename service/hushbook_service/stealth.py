"""Stealth mode's rules in one place: settings, metering keys, proof-of-work.

The one solver of the proof-of-work is the SDK's (:func:`hushbook.solve_pow`);
this module only checks solutions.

Pure standard library (no Flask, no database), so the benchmark and the
tests use exactly what the service enforces.  The stateful parts (buckets in
the database, spent tokens) live in :mod:`hushbook_service.public.metering` and
:mod:`hushbook_service.public.visitors`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
from collections.abc import Iterable

# Owner-tunable settings (PATCH /v1/tenant {"stealth_settings": {...}}) with
# their defaults and allowed ranges.  docs/stealth.md explains each one.
DEFAULTS: dict[str, int] = {
    "offer_count": 3,  # k: offers per ask
    "pending_expiry_min": 30,  # unconfirmed bookings expire and free the slot
    "min_fill_seconds": 4,  # offer shown -> booking sent faster than this: a bot
    "pow_base_bits": 14,  # SHA-256 leading zero bits for a light user (~16k hashes)
    "block_after_no_shows": 3,  # contacts of clients with this many no-shows are blocked (0: off)
    "asks_per_session_hour": 20,
    "asks_per_ip_day": 60,
    "asks_per_subnet_day": 150,  # IPv4 /24, IPv6 /64
    "asks_per_wide_subnet_day": 400,  # IPv6 /48
    "asks_per_tenant_day": 5000,
    "pending_per_contact": 2,
    "pending_per_session": 2,
    "pending_per_ip": 3,
    "pending_per_subnet": 8,
    # Unconfirmed online bookings together may hold at most this share (percent)
    # of a local day's bookable working time (one booking always may).
    "pending_salon_share_pct": 25,
    # The hold walk (issue 19). A half-day whose shown start was taken shows no new
    # one until the booking is confirmed and this many minutes have passed.
    "hold_cooldown_min": 120,
    # With staff names shown: the free time offers may tell by name to unverified
    # visitors about one date, over the date's whole life, in person-minutes as a
    # percent of its bookable working time. Past it, offers come without a name.
    "disclosure_share_pct": 5,
    # Online bookings of new contacts (nobody kept an appointment with that contact
    # yet), unconfirmed or confirmed, together hold at most this share of a day.
    "new_contact_share_pct": 40,
    # Walk detection: online bookings an address or network may make per day before
    # its proof-of-work grows (one bit per doubling) and it is shown only starts
    # already revealed. Raise it where customers share one network (an office, a
    # hotel, a campus behind one address).
    "walk_free_holds": 3,
    # Probes (a new contact's booking confirmed and cancelled soon after, or not
    # kept) before a contact, address or network may no longer book online (0: never).
    "probe_threshold": 2,
}
RANGES: dict[str, tuple[int, int]] = {
    "offer_count": (1, 5),
    "pending_expiry_min": (5, 24 * 60),
    "min_fill_seconds": (0, 120),
    "pow_base_bits": (8, 22),
    "block_after_no_shows": (0, 20),
    "asks_per_session_hour": (1, 1000),
    "asks_per_ip_day": (1, 100_000),
    "asks_per_subnet_day": (1, 100_000),
    "asks_per_wide_subnet_day": (1, 1_000_000),
    "asks_per_tenant_day": (1, 10_000_000),
    "pending_per_contact": (1, 20),
    "pending_per_session": (1, 20),
    "pending_per_ip": (1, 100),
    "pending_per_subnet": (1, 1000),
    "pending_salon_share_pct": (1, 100),
    "hold_cooldown_min": (0, 24 * 60),
    "disclosure_share_pct": (0, 100),
    "new_contact_share_pct": (1, 100),
    "probe_threshold": (0, 20),
    "walk_free_holds": (1, 1000),
}

# Proof-of-work: a requester's first asks of the day cost the base; after that
# every doubling of its volume costs one more bit (twice the work per ask).
POW_FREE_ASKS = 4
POW_MAX_BITS = 28
DAY = 86_400
HOUR = 3_600


# The salon's daily asks are not a wall: past them every ask costs more work,
# one bit per doubling, at most this many bits (8x the work). Refusing instead
# would let anyone who pays the base price shut the salon's booking for all.
SALON_PRESSURE_MAX_BITS = 3
SALON_OVERDRAW = 2**SALON_PRESSURE_MAX_BITS - 1  # capacities below empty


def salon_pressure_bits(salon_asks: float, salon_budget: int) -> int:
    """Extra bits for everyone once the salon's daily asks are spent."""
    if salon_asks <= salon_budget:
        return 0
    return min(SALON_PRESSURE_MAX_BITS, math.ceil(math.log2(salon_asks / salon_budget)))


def required_bits(used: dict[str, float], settings: dict[str, int]) -> int:
    """The difficulty an ask must pay now: the requester's own volume (session,
    address), the salon's pressure and the requester's walk (holds today).
    Decided when a puzzle is issued *and* again when it is spent, so puzzles
    fetched early buy nothing."""
    own = pow_bits(max(used["session"], used["ip"]), settings["pow_base_bits"])
    pressure = salon_pressure_bits(used["tenant"], settings["asks_per_tenant_day"])
    holds = max(used.get("walk_ip", 0.0), used.get("walk_subnet", 0.0))
    walk = walk_bits(holds, settings["walk_free_holds"])
    return min(POW_MAX_BITS, own + pressure + walk)


# The showcase draws its shown starts anew every period (keyed per salon), so a
# before/after scrape cannot tell a booking from the schedule.
SHOWCASE_PERIOD = 4 * HOUR

# A confirmed booking cancelled within this time of its confirmation is a probe.
PROBE_WINDOW = 2 * DAY
PROBE_MEMORY = 30 * DAY  # a probe counts for this long, then its record goes


def period_of(tenant_id: int, epoch: float, secret: bytes) -> tuple[int, int]:
    """The showcase period ``epoch`` lies in: (index, start epoch). Boundaries are
    offset per salon, so salons do not all reshuffle at the same instant."""
    offset = int.from_bytes(hashlib.sha256(secret + b"|period").digest()[:4], "big")
    offset %= SHOWCASE_PERIOD
    index = int((epoch - offset) // SHOWCASE_PERIOD)
    return index, index * SHOWCASE_PERIOD + offset


def disclosure_budget(settings: dict[str, int], bookable_minutes: float) -> float:
    """Person-minutes of one date's free time that offers with names may tell
    unverified visitors, ever: a share of the date's working time, never of its
    free time (that would tell the load)."""
    return bookable_minutes * settings["disclosure_share_pct"] / 100


def revealed_minutes(shown: Iterable[tuple[int, int, int]]) -> float:
    """Person-minutes that ``(staff, start, end)`` offers (epoch seconds) tell
    free: per person the union of their intervals (overlapping offers, say of
    a short and a long service at one start, tell no more than the longest)."""
    total = 0
    last: dict[int, int] = {}
    for staff, start, end in sorted(shown):
        seen = last.get(staff, start)
        total += max(0, end - max(start, seen))
        last[staff] = max(seen, end)
    return total / 60


def walk_bits(holds: float, free: int) -> int:
    """Extra proof-of-work for a requester whose network made ``holds`` today,
    ``free`` of them (``walk_free_holds``) at no extra cost."""
    if holds <= free:
        return 0
    return math.ceil(math.log2(holds / free)) + 1


def pow_bits(recent_asks: float, base: int) -> int:
    """Difficulty for a requester who made ``recent_asks`` asks lately."""
    if recent_asks <= POW_FREE_ASKS:
        return base
    return min(POW_MAX_BITS, base + math.ceil(math.log2(recent_asks / POW_FREE_ASKS)))


def leading_zero_bits(digest: bytes) -> int:
    n = int.from_bytes(digest, "big")
    return len(digest) * 8 - n.bit_length()


def pow_digest(challenge_id: str, nonce: str) -> bytes:
    """What the solver hashes: ``SHA-256("<challenge id>:<nonce>")``."""
    return hashlib.sha256(f"{challenge_id}:{nonce}".encode()).digest()


def pow_ok(challenge_id: str, nonce: str, bits: int) -> bool:
    return leading_zero_bits(pow_digest(challenge_id, nonce)) >= bits


def network_keys(ip: str) -> list[tuple[str, str]]:
    """The metering keys of an address: ``[("ip", …), ("subnet", …), …]``.

    IPv4: the address and its /24.  IPv6: the /64 (one household or phone:
    it counts as the address), the /64 as subnet too, and the /48 (a site).
    An unparsable address (no proxy configured, a unix socket) meters as one.
    """
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return [("ip", "unknown"), ("subnet", "unknown")]
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr.version == 4:
        return [("ip", str(addr)), ("subnet", str(ipaddress.ip_network(f"{addr}/24", False)))]
    net64 = str(ipaddress.ip_network(f"{addr}/64", False))
    return [
        ("ip", net64),
        ("subnet", net64),
        ("wide_subnet", str(ipaddress.ip_network(f"{addr}/48", False))),
    ]


def ask_buckets(settings: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Bucket kind -> (capacity, seconds to refill it completely)."""
    return {
        "session": (settings["asks_per_session_hour"], HOUR),
        "ip": (settings["asks_per_ip_day"], DAY),
        "subnet": (settings["asks_per_subnet_day"], DAY),
        "wide_subnet": (settings["asks_per_wide_subnet_day"], DAY),
        "tenant": (settings["asks_per_tenant_day"], DAY),
    }


def settings_of(tenant: object) -> dict[str, int]:
    """The one reader of a tenant's stealth settings (its stored JSON overrides
    merged over :data:`DEFAULTS`)."""
    return merged(json.loads(getattr(tenant, "stealth_settings", None) or "{}"))


def merged(stored: dict[str, int] | None) -> dict[str, int]:
    """The tenant's settings: stored overrides on top of the defaults."""
    out = dict(DEFAULTS)
    for key, value in (stored or {}).items():
        if key in DEFAULTS:
            out[key] = value
    return out
