"""Token buckets for stealth mode, in the database so every worker shares them.

A bucket holds up to ``capacity`` tokens and refills linearly over
``period`` seconds.  One call takes from all buckets of a request at once,
inside one write transaction (SQLite ``BEGIN IMMEDIATE``; PostgreSQL locks the
rows in key order): either every bucket pays, or none does and the caller
gets 429 with ``Retry-After`` (the wait until the emptiest bucket has
refilled enough).  Keys are keyed hashes; no IP address is stored.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from peewee import EXCLUDED, Case

from hushbook_service import keys, observability
from hushbook_service.db import prepared_execute, prepared_rows, write_transaction
from hushbook_service.errors import abort
from hushbook_service.models import MeterBucket, RevealedStart


@dataclass(frozen=True)
class Bucket:
    kind: str  # session | ip | subnet | wide_subnet | tenant | …
    value: str
    capacity: int
    period: int  # seconds to refill from empty to full
    cost: float = 1.0
    # How far below empty (in capacities) the bucket may go instead of refusing:
    # 0 refuses past the budget (429); more never refuses, and how deep it is
    # overdrawn tells the caller how hard it is being pressed.
    overdraw: float = 0.0


def _key(tenant_id: int, kind: str, value: str) -> str:
    secret = keys.instance_key("meter")
    return hmac.new(secret, f"{tenant_id}|{kind}|{value}".encode(), "sha256").hexdigest()


def take(
    tenant_id: int,
    buckets: list[Bucket],
    now: float | None = None,
    before: Callable[[dict[str, float]], None] | None = None,
    savepoint: bool = True,
) -> dict[str, float]:
    """Pay every bucket its cost, or none and 429 (overdrawable buckets never
    refuse). Returns tokens used per kind (how much of each budget is spent: the
    requester's recent volume; past ``capacity`` for an overdrawn bucket).

    ``before`` is called in the same transaction with what was used *before*
    this payment (an ask's price is decided there); whatever it raises, nothing
    is paid or written. ``savepoint=False`` (nested in the caller's write, for
    overdrawable buckets only, which never refuse): nothing of its own to undo."""
    now = time.time() if now is None else now
    keyed = {_key(tenant_id, b.kind, b.value): b for b in buckets}
    used: dict[str, float] = {}
    with write_transaction(savepoint=savepoint):
        # One statement makes the missing buckets (full) and reads (PostgreSQL: and
        # locks, in key order) every bucket of the request, new or not.
        fresh = [(k, float(keyed[k].capacity), now) for k in sorted(keyed)]
        rows = prepared_rows(
            f"metering.take.{len(fresh)}",  # SQL built once per number of buckets
            lambda: (
                MeterBucket.insert_many(
                    fresh, fields=[MeterBucket.key, MeterBucket.level, MeterBucket.updated]
                )
                .on_conflict(
                    conflict_target=[MeterBucket.key], update={MeterBucket.key: EXCLUDED.key}
                )
                .returning(MeterBucket.key, MeterBucket.level, MeterBucket.updated)
            ),
            [value for row in fresh for value in row],
        )
        levels = {}
        wait = 0.0
        for key, old_level, updated in rows:
            b = keyed[key]
            rate = b.capacity / b.period
            level = min(float(b.capacity), old_level + max(0.0, now - updated) * rate)
            levels[key] = level
            used[b.kind] = max(used.get(b.kind, 0.0), b.capacity - level)
            need = max(b.cost, 1.0)  # a free call still needs a token left
            if level < need and not b.overdraw:
                wait = max(wait, (need - level) / rate)
        if before is not None:
            before(dict(used))
        if wait:
            observability.THROTTLED_ASKS.inc()
            seconds = max(1, math.ceil(wait))
            abort(
                429,
                "Too many requests. Please try again later.",
                reason="rate_limited",
                headers={"Retry-After": str(seconds)},
            )
        lefts = {}
        for key, level in levels.items():
            b = keyed[key]
            lefts[key] = max(level - b.cost, -b.overdraw * b.capacity)
            used[b.kind] = max(used.get(b.kind, 0.0), b.capacity - lefts[key])
        if lefts:  # one statement for all buckets (one per bucket cost ~1 ms each)
            pairs = list(lefts.items())
            prepared_execute(
                f"metering.pay.{len(pairs)}",
                lambda: MeterBucket.update(level=Case(MeterBucket.key, pairs), updated=now).where(
                    MeterBucket.key.in_(list(lefts))
                ),
                [*(v for pair in pairs for v in pair), now, *lefts],
            )
    return used


def purge(now: float | None = None) -> int:
    """Forget buckets untouched for two days (they are full again anyway), and
    the starts revealed for dates now past (the disclosure budget is per date)."""
    now = time.time() if now is None else now
    old = MeterBucket.delete().where(MeterBucket.updated < now - 2 * 86_400).execute()
    yesterday = datetime.fromtimestamp(now - 86_400, UTC).date()
    return old + RevealedStart.delete().where(RevealedStart.day < yesterday).execute()
