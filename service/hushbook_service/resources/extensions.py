"""flask-smorest subclassed once, so cross-cutting behaviour has one home."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time
from functools import wraps

from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import Page
from marshmallow import EXCLUDE, RAISE, ValidationError, fields, pre_load, validate
from marshmallow import Schema as _Schema
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError as NoRoute

from hushbook_service.accounts.principals import require
from hushbook_service.db import INT_MAX, INT_MIN
from hushbook_service.errors import problem

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]

# --- the bounds of every input (one place) ------------------------------------------------

# Dates and times outside these years are refused (422) wherever they are read:
# near year 1 and 9999 time-zone arithmetic overflows, and no booking, birthday
# or filter needs them.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
# A field's own Range is trusted only inside JavaScript's exact integers.
SAFE_INT = 2**53
MAX_JSON_DEPTH = 32  # objects and arrays inside each other in one request body
MAX_PAGE = 100_000  # ?page= (the offset must fit the databases)


def _years(value: date | datetime) -> None:
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise ValidationError(f"Dates from {EARLIEST.year} to {LATEST.year} only.")


def _whole_minutes(value: time) -> None:
    if value.tzinfo is not None or value.second or value.microsecond:
        raise ValidationError("A local wall-clock time in whole minutes (HH:MM).")


def _own_range(field: fields.Field) -> bool:
    return any(
        isinstance(v, validate.Range)
        and v.min is not None
        and v.max is not None
        and -SAFE_INT <= v.min
        and v.max <= SAFE_INT
        for v in field.validators
    )


_DB_RANGE = validate.Range(INT_MIN, INT_MAX)


def bound_field(field: fields.Field) -> None:
    """Give ``field`` (and the fields inside it) the bounds of every input:
    integers the databases hold, dates in years :data:`EARLIEST`..:data:`LATEST`,
    times in whole local minutes. Validators only run on load, so response
    fields are unaffected; OpenAPI documents the integer range.

    (marshmallow copies fields shallowly: the validator list is shared by the
    copies, so each bound is added once, when not there yet.)"""
    bound: Callable | None = None
    if isinstance(field, fields.Integer) and not _own_range(field):
        bound = _DB_RANGE
    elif isinstance(field, fields.DateTime | fields.Date):
        bound = _years
    elif isinstance(field, fields.Time):
        bound = _whole_minutes
    if bound is not None and bound not in field.validators:
        field.validators.append(bound)
    inner = [
        getattr(field, "inner", None),  # List
        getattr(field, "key_field", None),  # Dict / Mapping
        getattr(field, "value_field", None),
        *getattr(field, "tuple_fields", ()),
    ]
    for sub in inner:
        if isinstance(sub, fields.Field):
            bound_field(sub)


class _JSONError(json.JSONDecodeError):
    def __init__(self, reason: str, text: str):
        super().__init__(reason, text or " ", 0)
        self.reason = reason


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _too_deep(value: object) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def read_json(data: bytes | str) -> object:
    """The one JSON reader of request bodies: strict JSON (no NaN/Infinity), UTF-8,
    at most :data:`MAX_JSON_DEPTH` levels. Raises :class:`json.JSONDecodeError`
    with a reason a caller can read."""
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise _JSONError("The body is not UTF-8.", " ") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise _JSONError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", text) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # NaN, Infinity
        raise _JSONError(str(exc), text) from None
    if _too_deep(value):
        raise _JSONError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", text)
    return value


class JSONProvider(DefaultJSONProvider):
    """``request.get_json()`` reads with :func:`read_json` too."""

    def loads(self, s, **kwargs):
        return read_json(s)


class Parser(FlaskParser):
    """webargs' parser, reading bodies with :func:`read_json`."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return read_json(req.get_data(cache=True))

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        reason = getattr(error, "reason", "Invalid JSON body.")
        abort(400, exc=error, messages={"json": [reason]})


class IdConverter(BaseConverter):
    """``<id:name>`` in a route: a row id the databases can hold (1..INT_MAX).
    Anything else matches no route: the same 404 as an unknown id."""

    regex = r"[0-9]{1,10}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= INT_MAX:
            raise NoRoute()
        return number

    def to_url(self, value: object) -> str:
        return str(value)


def _id_parameter(_converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": INT_MAX}


def schema_name(schema) -> str:
    """Component names: ``TenantSchema(partial=True)`` becomes ``TenantPatch``."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    name = resolve_schema_cls(schema).__name__.removesuffix("Schema")  # type: ignore[union-attr]
    return name + "Patch" if getattr(schema, "partial", False) else name


class Api(_Api):
    def init_app(self, app, *, spec_kwargs=None):
        app.url_map.converters["id"] = IdConverter
        app.json = JSONProvider(app)
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.register_converter(IdConverter, _id_parameter)

    def handle_http_exception(self, error):
        return problem(error)


class Blueprint(_Blueprint):
    """Documents the envelope for the errors every staff route can give; reads
    bodies and query strings with the bounded :class:`Parser`."""

    ARGUMENTS_PARSER = Parser()
    PAGINATION_ARGUMENTS_PARSER = Parser()

    def paginate(self, pager=None, **kwargs):
        """flask-smorest's pagination, with ``page`` bounded by :data:`MAX_PAGE`
        (checked first and documented)."""
        decorate = super().paginate(pager, **kwargs)

        def decorator(func):
            wrapper = decorate(func)
            unbounded = wrapper._apidoc["pagination"]["parameters"]["schema"]
            bounded = type(
                "PaginationParametersSchema",
                (unbounded,),
                {
                    "page": fields.Integer(
                        load_default=unbounded._declared_fields["page"].load_default,
                        validate=validate.Range(1, MAX_PAGE),
                    ),
                    "Meta": type("Meta", (), {"unknown": EXCLUDE}),
                },
            )

            @wraps(wrapper)
            def checked(*args, **kw):
                self.PAGINATION_ARGUMENTS_PARSER.parse(bounded, request, location="query")
                return wrapper(*args, **kw)

            checked._apidoc["pagination"]["parameters"]["schema"] = bounded
            return checked

        return decorator

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


# A lone surrogate (JSON's "\ud800") is no character: it cannot be encoded,
# stored or hashed.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _strings(value) -> Iterator[str]:
    """Every string in ``value``, keys of objects included (the depth of a body
    is bounded by :func:`read_json`)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def _text_problem(value) -> str | None:
    for text in _strings(value):
        if _SURROGATE.search(text):
            return "Not valid Unicode text (a lone surrogate)."
        if _CONTROL.search(text):
            return "Control characters are not allowed."
    return None


class Schema(_Schema):
    """Every input schema: unknown fields refused, text valid Unicode without
    control characters, integers and dates bounded (:func:`bound_field`)."""

    class Meta:
        unknown = RAISE  # unknown fields are an error that names the field

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        bound_field(field_obj)

    @pre_load
    def _valid_text(self, data, **_):
        if isinstance(data, Mapping):  # JSON bodies and query strings alike
            # A nested schema checks its own fields (and names them).
            nested = {
                f.data_key or name
                for name, f in self.fields.items()
                if isinstance(f, fields.Nested)
                or isinstance(getattr(f, "inner", None), fields.Nested)
            }
            bad: dict = {}
            for key, value in data.items():
                why = _text_problem(key) or (None if key in nested else _text_problem(value))
                if why:
                    bad["_schema" if _text_problem(key) else key] = [why]
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


__all__ = [
    "Api",
    "Blueprint",
    "Schema",
    "QuerySchema",
    "CursorPage",
    "EXCLUDE",
    "EARLIEST",
    "LATEST",
    "read_json",
]
