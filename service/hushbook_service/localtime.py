"""Wall-clock times in the tenant's zone <-> UTC, refusing times that don't exist."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


class NonexistentLocalTime(ValueError):
    """The wall-clock time falls into a DST gap (e.g. 02:30 on spring-forward day)."""


class AmbiguousLocalTime(ValueError):
    """The wall-clock time happens twice (fall-back hour) and no offset was given."""


def to_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """Aware datetimes are converted; naive ones are read in ``tz``."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    first = value.replace(tzinfo=tz, fold=0)
    second = value.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # In a gap, both folds round-trip to a different wall time.
        if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
            raise NonexistentLocalTime(value.isoformat())
        raise AmbiguousLocalTime(value.isoformat())
    return first.astimezone(UTC)
