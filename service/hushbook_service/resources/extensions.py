"""flask-smorest subclassed once, so cross-cutting behaviour has one home."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import Page
from marshmallow import EXCLUDE, RAISE, ValidationError, pre_load
from marshmallow import Schema as _Schema

from hushbook_service.accounts.principals import require
from hushbook_service.errors import problem

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def schema_name(schema) -> str:
    """Component names: ``TenantSchema(partial=True)`` becomes ``TenantPatch``."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    name = resolve_schema_cls(schema).__name__.removesuffix("Schema")  # type: ignore[union-attr]
    return name + "Patch" if getattr(schema, "partial", False) else name


class Api(_Api):
    def handle_http_exception(self, error):
        return problem(error)


class Blueprint(_Blueprint):
    """Documents the envelope for the errors every staff route can give."""

    def staff_route(self, *permissions: str):
        """A staff route: authenticates the caller and insists on any of
        ``permissions`` (none: any signed-in caller), and documents exactly that
        (bearer auth, 401, 403) in the OpenAPI document."""

        def decorator(func):
            func = require(*permissions)(func)
            func = self.alt_response(401, description="Not authenticated")(func)
            func = self.alt_response(403, description="Role lacks permission")(func)
            return self.doc(security=BEARER)(func)

        return decorator


# C0 controls except tab/newline/carriage return: PostgreSQL cannot store
# NUL at all, and the others only ever arrive from hostile or broken input.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


class Schema(_Schema):
    class Meta:
        unknown = RAISE  # unknown fields are an error that names the field

    @pre_load
    def _no_control_characters(self, data, **_):
        if isinstance(data, Mapping):  # JSON bodies and query strings alike
            bad = {
                key: ["Control characters are not allowed."]
                for key, value in data.items()
                if any(_CONTROL.search(v) for v in _strings(value))
            }
            if bad:
                raise ValidationError(bad)
        return data


class QuerySchema(Schema):
    """Query-string filters: same rules as bodies."""


class CursorPage(Page):
    """Paginate peewee queries."""

    @property
    def item_count(self):
        return self.collection.count()

    @property
    def items(self):
        return list(self.collection.paginate(self.page_params.page, self.page_params.page_size))


__all__ = ["Api", "Blueprint", "Schema", "QuerySchema", "CursorPage", "EXCLUDE"]
