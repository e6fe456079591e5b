"""Schema pieces shared by several resources."""

from __future__ import annotations

import zoneinfo
from functools import cache

from marshmallow import ValidationError, fields, validate

from hushbook_service.errors import field_error
from hushbook_service.localtime import AmbiguousLocalTime, NonexistentLocalTime, to_utc
from hushbook_service.resources.extensions import QuerySchema

LOCALES = ("de", "en")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _zones():
        raise ValidationError("Unknown IANA time zone.")


def Name(max_len: int = 100, **kw):  # noqa: N802 - reads like a field type
    return fields.String(validate=validate.Length(1, max_len), **kw)


def Minutes(low: int, high: int, **kw):  # noqa: N802
    return fields.Integer(validate=validate.Range(low, high), strict=True, **kw)


class PageQuery(QuerySchema):
    """Filters of a paginated list (``page``/``page_size`` come from @paginate)."""


def local_to_utc(value, field: str, tz: zoneinfo.ZoneInfo):
    """An input time to UTC; a 422 naming ``field`` for DST gaps and doubled hours."""
    try:
        return to_utc(value, tz)
    except NonexistentLocalTime:
        field_error(field, "This local time does not exist (daylight-saving gap).")
    except AmbiguousLocalTime:
        field_error(field, "This local time happens twice; add a UTC offset.")
