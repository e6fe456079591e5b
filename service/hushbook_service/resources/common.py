"""Schema pieces shared by several resources."""

from __future__ import annotations

import zoneinfo
from functools import cache

from marshmallow import ValidationError, fields, validate

from ..extensions import QuerySchema

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
