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


# --- wall-clock times for people (pages, messages) --------------------------------------

BABEL_LOCALES = {"de": "de_DE", "en": "en_GB"}


def describe_span(start: datetime, end: datetime, tz: ZoneInfo, lang: str) -> str:
    """ "Tuesday, 24 November 2026, 10:00–10:45" / "Dienstag, 24. November 2026,
    10:00–10:45 Uhr": the day and times in ``tz``, worded for ``lang`` (CLDR)."""
    from babel.dates import format_date, format_time

    locale = BABEL_LOCALES.get(lang, "en_GB")
    a, b = start.astimezone(tz), end.astimezone(tz)
    times = f"{format_time(a, 'HH:mm', locale=locale)}–{format_time(b, 'HH:mm', locale=locale)}"
    suffix = " Uhr" if lang == "de" else ""
    return f"{format_date(a, 'full', locale=locale)}, {times}{suffix}"


def describe_instant(when: datetime, tz: ZoneInfo, lang: str) -> str:
    """ "Monday, 23 November 2026, 10:00" in ``tz`` for ``lang``."""
    from babel.dates import format_date, format_time

    locale = BABEL_LOCALES.get(lang, "en_GB")
    local = when.astimezone(tz)
    suffix = " Uhr" if lang == "de" else ""
    day = format_date(local, "full", locale=locale)
    return f"{day}, {format_time(local, 'HH:mm', locale=locale)}{suffix}"


def zone_name(tz: ZoneInfo, lang: str, at: datetime | None = None) -> str:
    """The zone as people call it ("Central European Time"), at ``at`` if given."""
    from babel.dates import get_timezone_name

    locale = BABEL_LOCALES.get(lang, "en_GB")
    return get_timezone_name(at.astimezone(tz) if at else tz, "long", locale=locale)
