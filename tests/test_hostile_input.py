"""Hostile input against every route of the OpenAPI document: never a 5xx, never
a half-made record.

Each class of input that once crashed the service (issue 16) is sent to every
operation: huge integers, deeply nested JSON, lone surrogates, sub-minute and
microsecond times, wrong JSON types, years 1 and 9999, times in a daylight-saving
gap. One field at a time is made hostile inside an otherwise plausible request
(real ids, the current ETag), so the value gets as far into the route as it can.
Whatever a route refuses must leave the salon's rows as they were, and nothing
may reach the error handler's safety net ("input error past validation"): every
such value is stopped by its schema, the parser or a domain rule.

The last tests pin the cases of the review one by one.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from hushbook_service.accounts.logins import issue_pair
from hushbook_service.db import INT_MAX, INT_MIN, database
from hushbook_service.models import Staff, Tenant
from support.api import (
    CONSENT,
    OPEN,
    Visitor,
    book_online,
    confirm_code,
    day,
    make_shop,
    patch_tenant,
    wish_body,
)
from support.config import PASSWORD
from support.db import db_rows

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = datetime.now(BERLIN).date()
SOON = TODAY + timedelta(days=6)

HUGE_INTEGERS = (2**63, -(2**63) - 1)  # beyond 64 bits either way
DEEP = 5000  # far beyond Python's recursion limit
JUST_TOO_DEEP = 40  # beyond the parser's bound, within the stack
SURROGATES = ("a\udfffb",)
WRONG_TYPES = {  # a value of each JSON type but the field's own
    "integer": ("12", 1.5),
    "number": ("1.5", {}),
    "string": (7, {"a": 1}),
    "boolean": ("yes", 0),
    "array": ({}, "x"),
    "object": ([1], "x"),
    None: ([[[]]], 3),
}
FAR_DATES = ("0001-01-01", "9999-12-31")
FAR_DATETIMES = (
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
)


def dst_gap_day() -> date:
    """The next spring-forward Sunday in Berlin (02:00-03:00 does not exist)."""
    for year in (TODAY.year, TODAY.year + 1):
        d = date(year, 3, 31)
        while d.weekday() != 6:
            d -= timedelta(days=1)
        if d > TODAY:
            return d
    raise AssertionError("unreachable")


GAP = dst_gap_day()


# --- the salon every probe runs against ----------------------------------------------


@dataclass
class Salon:
    fx: object
    values: dict[str, object]  # path parameter -> a real value

    @property
    def headers(self) -> dict[str, str]:
        return self.fx.owner.headers


def _ok(resp, status=(200, 201)):
    assert resp.status_code in ((status,) if isinstance(status, int) else status), (
        resp.status_code,
        resp.get_data(as_text=True)[:300],
    )
    return resp.json


@pytest.fixture
def salon(client, app, make_tenant) -> Salon:
    fx = make_shop(client, make_tenant, **OPEN)
    h = fx.owner.headers
    stylist = fx.stylists[0].staff.id
    made = _ok(client.post("/v1/clients", json={"profile": {"name": "Probe Client"}}, headers=h))
    appointment = _ok(
        client.post(
            "/v1/appointments",
            json={
                "service_id": fx.cut["id"],
                "staff_id": stylist,
                "client_id": made["id"],
                "start": f"{SOON}T10:00:00",
            },
            headers=h,
        )
    )["id"]
    off = TODAY + timedelta(days=50)
    time_off = _ok(
        client.post(
            f"/v1/staff/{stylist}/time-off",
            json={"start_at": f"{off}T09:00:00", "end_at": f"{off}T17:00:00", "kind": "vacation"},
            headers=h,
        )
    )["id"]
    exception = _ok(
        client.post(
            f"/v1/staff/{stylist}/exceptions",
            json={"date": str(TODAY + timedelta(days=40))},
            headers=h,
        )
    )["id"]
    closed = TODAY + timedelta(days=60)
    closure = _ok(
        client.post(
            "/v1/tenant/closures",
            json={"date_from": str(closed), "date_to": str(closed), "label": "Holidays"},
            headers=h,
        )
    )["id"]
    key = _ok(
        client.post(
            "/v1/integration-keys", json={"name": "p", "scopes": ["tenant:read"]}, headers=h
        )
    )["id"]
    blocked = _ok(
        client.post("/v1/blocked-contacts", json={"email": "blocked@probe.test"}, headers=h)
    )[0]["id"]
    booked = book_online(client, fx, email="online@probe.test")
    confirmed = _ok(
        client.post(
            "/v1/public/bookings/confirm",
            json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
        )
    )
    return Salon(
        fx,
        {
            "staff_id": stylist,
            "service_id": fx.cut["id"],
            "client_id": made["id"],
            "appointment_id": appointment,
            "time_off_id": time_off,
            "exception_id": exception,
            "closure_id": closure,
            "key_id": key,
            "blocked_contact_id": blocked,
            "slug": fx.tenant.slug,
            "token": confirmed["manage_token"],
            "month": TODAY.strftime("%Y-%m"),
            "code": "abcdefgh",
        },
    )


# --- operations and their fields from the OpenAPI document ---------------------------


@dataclass
class Field:
    where: str  # "path", "query" or "body"
    path: tuple  # the keys down to the value (body), or (name,)
    schema: dict


@dataclass
class Op:
    method: str
    template: str
    doc: dict
    fields: list[Field] = field(default_factory=list)
    body_schema: dict | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def needs_if_match(self) -> bool:
        return any(p.get("$ref", "").endswith("/IF_MATCH") for p in self.doc.get("parameters", []))


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _body_fields(spec: dict, schema: dict, prefix: tuple = (), depth: int = 0) -> Iterator[Field]:
    schema = _resolve(spec, schema)
    for name, sub in schema.get("properties", {}).items():
        sub = _resolve(spec, sub)
        if sub.get("readOnly"):
            continue
        yield Field("body", (*prefix, name), sub)
        if depth < 2 and "properties" in sub:
            yield from _body_fields(spec, sub, (*prefix, name), depth + 1)
        items = _resolve(spec, sub.get("items", {}))
        if depth < 2 and sub.get("type") == "array" and items:
            yield Field("body", (*prefix, name, 0), items)
            if "properties" in items:
                yield from _body_fields(spec, items, (*prefix, name, 0), depth + 1)


def operations(spec: dict) -> list[Op]:
    ops = []
    for template, item in spec["paths"].items():
        for method, doc in item.items():
            if method == "parameters":
                continue
            op = Op(method.upper(), template, doc)
            for p in doc.get("parameters", []):
                if "$ref" not in p and p["in"] in ("path", "query"):
                    op.fields.append(Field(p["in"], (p["name"],), p.get("schema", {})))
            body = (doc.get("requestBody") or {}).get("content", {}).get("application/json")
            if body:
                op.body_schema = body["schema"]
                op.fields.extend(_body_fields(spec, body["schema"]))
            ops.append(op)
    # What ends sessions or removes rows goes last, so the rest still meets real rows.
    last = re.compile(r"DELETE|deactivate|cancel|no_show|complete|logout|rotate|password")
    return sorted(ops, key=lambda op: bool(last.search(f"{op.method} {op.template}")))


# --- plausible values ----------------------------------------------------------------


def plausible(spec: dict, name: str, schema: dict, salon: Salon):
    schema = _resolve(spec, schema)
    if name in salon.values and schema.get("type") in ("integer", "string", None):
        return salon.values[name]
    if name.endswith("_ids"):
        return [salon.values.get(name.removesuffix("s"), 1)]
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", ()))
        return {
            prop: plausible(spec, prop, sub, salon)
            for prop, sub in schema.get("properties", {}).items()
            if not _resolve(spec, sub).get("readOnly") and prop in required
        }
    if kind == "array":
        return [plausible(spec, name, schema.get("items", {}), salon)] if name != "rules" else []
    if kind == "integer":
        return max(schema.get("minimum", 1), 1) if schema.get("maximum", 1) >= 1 else 0
    if kind == "boolean":
        return False
    if name in ("from", "date_from"):
        return f"{SOON}T00:00:00" if fmt == "date-time" else str(SOON)
    if name in ("to", "date_to"):
        later = SOON + timedelta(days=3)
        return f"{later}T00:00:00" if fmt == "date-time" else str(later)
    return {
        "date-time": f"{SOON}T11:00:00",
        "date": str(SOON),
        "time": "10:00",
        "email": "probe@example.org",
    }.get(fmt, {"password": PASSWORD, "tenant": salon.values["slug"]}.get(name, "probe"))


def hostile_values(cls: str, schema: dict) -> list:
    kind, fmt = schema.get("type"), schema.get("format")
    if cls == "huge integers":
        return list(HUGE_INTEGERS) if kind in ("integer", "number") else []
    if cls == "surrogates":
        return list(SURROGATES) if kind == "string" else []
    if cls == "microsecond times":
        return {
            "time": ["02:30:00.999999", "10:00:30"],
            "date-time": [f"{SOON}T10:00:00.999999"],
        }.get(fmt, [])
    if cls == "wrong types":
        return list(WRONG_TYPES.get(kind, WRONG_TYPES[None]))
    if cls == "years 1 and 9999":
        return {"date": list(FAR_DATES), "date-time": list(FAR_DATETIMES)}.get(fmt, [])
    return []


def set_at(body, path: tuple, value):
    """``body`` with ``value`` at ``path`` (containers made on the way)."""
    body = copy.deepcopy(body) if isinstance(body, dict) else {}
    node = body
    for key, nxt in zip(path, path[1:], strict=False):
        empty = [] if isinstance(nxt, int) else {}
        if isinstance(node, list):
            while len(node) <= key:
                node.append(copy.deepcopy(empty))
            if not isinstance(node[key], type(empty)):
                node[key] = empty
            node = node[key]
        else:
            if not isinstance(node.get(key), type(empty)):
                node[key] = empty
            node = node[key]
    last = path[-1]
    if isinstance(node, list):
        while len(node) <= last:
            node.append(None)
    node[last] = value
    return body


def nested(levels: int) -> str:
    return '{"x": ' + "[" * levels + "]" * levels + "}"


class Encoded(str):
    """A query value sent as it is (already percent-encoded)."""


@dataclass
class Probe:
    cls: str
    label: str
    path_values: dict[str, str]
    query: dict[str, object]
    body: object = None  # JSON-able, or raw text when ``raw``
    raw: bool = False


def probes(spec: dict, op: Op, salon: Salon) -> Iterator[Probe]:
    path_values = {
        f.path[0]: str(salon.values.get(f.path[0], "1")) for f in op.fields if f.where == "path"
    }
    query = {
        f.path[0]: plausible(spec, f.path[0], f.schema, salon)
        for f in op.fields
        if f.where == "query"
        and any(p.get("name") == f.path[0] and p.get("required") for p in op.doc["parameters"])
    }
    base = plausible(spec, "", op.body_schema, salon) if op.body_schema else None
    classes = (
        "huge integers",
        "surrogates",
        "microsecond times",
        "wrong types",
        "years 1 and 9999",
    )
    for cls in classes:
        for f in op.fields:
            for value in hostile_values(cls, f.schema):
                label = f"{f.where} {'.'.join(map(str, f.path))}={value!r}"
                if f.where == "path":
                    if isinstance(value, str) and cls == "surrogates":
                        value = "%ED%A0%80"  # a surrogate cannot be in a URL: its UTF-8 form
                    elif cls not in ("huge integers", "years 1 and 9999"):
                        continue  # a path segment is text: wrong types are just text
                    yield Probe(cls, label, {**path_values, f.path[0]: str(value)}, query, base)
                elif f.where == "query":
                    if cls == "wrong types" and not isinstance(value, str | int):
                        continue  # a query string carries text only
                    if isinstance(value, str) and cls == "surrogates":
                        value = Encoded("%ED%A0%80")  # the surrogate's UTF-8 form, as sent
                    yield Probe(cls, label, path_values, {**query, f.path[0]: value}, base)
                else:
                    yield Probe(cls, label, path_values, query, set_at(base, f.path, value))
    # Whole bodies: nested too deep, of the wrong type, and every time in the DST gap.
    for levels in (DEEP, JUST_TOO_DEEP):
        yield Probe("deep JSON", f"{levels} levels", path_values, query, nested(levels), raw=True)
    yield Probe("deep JSON", "deep login-like", path_values, query, '{"tenant":' * 3000, raw=True)
    for whole in ([], "x", 1, None):
        yield Probe("wrong types", f"body={whole!r}", path_values, query, whole)
    gap = base
    for f in op.fields:
        fmt = f.schema.get("format")
        if f.where == "body" and fmt in ("date", "date-time", "time"):
            value = {"date": str(GAP), "date-time": f"{GAP}T02:30:00", "time": "02:30"}[fmt]
            gap = set_at(gap, f.path, value)
    gap_query = {
        name: (f"{GAP}T02:30:00" if "T" in str(v) else str(GAP)) if name in ("from", "to") else v
        for name, v in query.items()
    }
    yield Probe("DST gaps", f"everything at {GAP} 02:30", path_values, gap_query, gap)


# --- the run ---------------------------------------------------------------------------


def send(client, op: Op, probe: Probe, headers: dict):
    url = op.template
    for name, value in probe.path_values.items():
        url = url.replace("{" + name + "}", value)
    query = "&".join(
        f"{quote(name)}={value if isinstance(value, Encoded) else quote(str(value))}"
        for name, value in probe.query.items()
    )
    kwargs: dict = {"headers": headers, "query_string": query}
    if probe.raw:
        kwargs.update(data=probe.body, content_type="application/json")
    elif probe.body is not None or op.body_schema is not None:
        kwargs.update(
            data=json.dumps(probe.body),  # ensure_ascii: surrogates travel as \\udXXX
            content_type="application/json",
        )
    return client.open(url, method=op.method, **kwargs)


def keep_owner_able(client, app, salon: Salon) -> None:
    """Probes may switch on the second factor for the salon (``"yes"`` is a true
    boolean), end the owner's sessions or change the password: undo that, so
    every operation is probed by an owner who may do everything."""
    me = client.get("/v1/auth/me", headers=salon.headers)
    if me.status_code == 200 and "tenant:write" in me.json["permissions"]:
        return
    owner = salon.fx.owner
    with app.app_context(), database.connection_context():
        Tenant.update(require_totp=False).where(Tenant.id == salon.fx.tenant.id).execute()
        Staff.update(active=True, must_change_password=False).where(
            Staff.id == owner.staff.id
        ).execute()
        owner.staff = Staff.get_by_id(owner.staff.id)
        pair = issue_pair(owner.staff, family="hostile-probes")
    owner.access_token, owner.refresh_token = pair.access_token, pair.refresh_token


def request_headers(client, op: Op, url_values: dict, salon: Salon) -> dict:
    headers = dict(salon.headers)
    if op.needs_if_match:
        url = op.template
        for name, value in url_values.items():
            url = url.replace("{" + name + "}", value)
        etag = client.get(url, headers=salon.headers).headers.get("ETag")
        if etag:
            headers["If-Match"] = etag
    return headers


def test_every_route_survives_every_class_of_hostile_input(client, app, salon, caplog):
    caplog.set_level(logging.WARNING, logger="hushbook")
    spec = _ok(client.get("/openapi.json"))
    ops = operations(spec)
    assert len(ops) > 60, "the OpenAPI document lost its routes"
    tenant_id = salon.fx.tenant.id
    server_errors, half_made = [], []
    sent = 0
    classes_seen = set()
    unverified: list[str] = []
    past_validation: list[str] = []  # what only the error handler's safety net caught
    denied = 0
    for op in ops:
        keep_owner_able(client, app, salon)
        # The rows are compared once per operation (a snapshot costs ~25 ms); a
        # class of probes that was accepted somewhere starts a new baseline.
        before, refused_since = db_rows(app, tenant_id), []
        for probe in probes(spec, op, salon):
            headers = request_headers(client, op, probe.path_values, salon)
            seen_logs = len(caplog.records)
            res = send(client, op, probe, headers)
            sent += 1
            for record in caplog.records[seen_logs:]:
                message = record.getMessage()
                if "past validation" in message or message.startswith("unhandled"):
                    past_validation.append(
                        f"{op} [{probe.cls}] {probe.label}: {message.splitlines()[0]}"
                    )
            classes_seen.add(probe.cls)
            if res.status_code >= 500:
                server_errors.append(
                    f"{op} [{probe.cls}] {probe.label}: {res.status_code} "
                    f"{res.get_data(as_text=True)[:200]}"
                )
            denied += res.status_code in (401, 403)
            if res.status_code < 400 and op.method != "GET":
                unverified.extend(refused_since)
                before, refused_since = db_rows(app, tenant_id), []
            else:  # a GET changes nothing, answered or refused
                refused_since.append(f"{op} {probe.label}")
        if refused_since:
            after = db_rows(app, tenant_id)
            changed = sorted(k for k in after if after[k] != before.get(k))
            if changed:
                half_made.append(f"{op}: refused probes changed {changed}: {refused_since[:3]}")
    print(
        f"\nhostile input: {sent} requests to {len(ops)} operations, "
        f"{len(unverified)} refusals not compared (an accepted probe followed)"
    )
    assert not server_errors, "\n".join(server_errors[:40])
    # The probes reached the routes: an owner is refused only by the few routes
    # that are not for signed-in staff (and by probes of the token itself).
    assert denied < 0.05 * sent, f"{denied} of {sent} probes were refused as unauthorised"
    assert not half_made, "\n".join(half_made[:40])
    assert not past_validation, "\n".join(past_validation[:40])
    assert classes_seen == {
        "huge integers",
        "deep JSON",
        "surrogates",
        "microsecond times",
        "wrong types",
        "years 1 and 9999",
        "DST gaps",
    }


# --- the review's cases, one by one ----------------------------------------------------


def test_integers_beyond_the_databases_are_refused_not_500(client, salon):
    h = salon.headers
    assert client.get(f"/v1/appointments/{10**23}", headers=h).status_code == 404
    assert client.get(f"/v1/appointments/{INT_MAX + 1}", headers=h).status_code == 404
    assert (
        client.get(f"/v1/appointments/{salon.values['appointment_id']}", headers=h).status_code
        == 200
    )
    r = client.get("/v1/messages", query_string={"appointment_id": 2**63}, headers=h)
    assert r.status_code == 422 and "appointment_id" in r.json["errors"]["query"]
    v = Visitor(client, salon.values["slug"])
    r = v.send_offers(wish_body(99999999999999999999999), v.pow())  # unauthenticated
    assert r.status_code == 422 and "service_id" in r.json["errors"]["json"]
    r = client.get("/v1/audit-events", query_string={"page": 10**20}, headers=h)
    assert r.status_code == 422
    # the edges themselves are fine
    r = client.get("/v1/messages", query_string={"appointment_id": INT_MAX}, headers=h)
    assert r.status_code == 200 and r.json == []
    r = client.get("/v1/messages", query_string={"appointment_id": INT_MIN - 1}, headers=h)
    assert r.status_code == 422


def test_every_integer_input_is_documented_with_the_databases_range(client):
    spec = _ok(client.get("/openapi.json"))
    unbounded = []
    for op in operations(spec):
        for f in op.fields:
            for schema in (f.schema, f.schema.get("items", {})):
                if schema.get("type") == "integer":
                    low, high = schema.get("minimum"), schema.get("maximum")
                    if low is None or high is None or low < -(2**53) or high > 2**53:
                        unbounded.append(f"{op} {f.where} {'.'.join(map(str, f.path))}")
    assert not unbounded, unbounded


def test_deeply_nested_json_is_a_400_on_login_and_public_bookings(client, salon):
    for url in ("/v1/auth/login", f"/v1/public/{salon.values['slug']}/bookings"):
        r = client.post(url, data="[" * DEEP + "]" * DEEP, content_type="application/json")
        assert r.status_code == 400 and r.json["code"] == 400, (url, r.status_code)
        assert "nested" in json.dumps(r.json["errors"])
        r = client.post(url, data=nested(JUST_TOO_DEEP), content_type="application/json")
        assert r.status_code == 400, url
    # NaN and Infinity are no JSON either
    r = client.post("/v1/auth/login", data='{"tenant": NaN}', content_type="application/json")
    assert r.status_code == 400


def test_lone_surrogates_are_a_422_naming_the_field(client, salon):
    body = {"tenant": salon.values["slug"], "email": "owner@salon-a.test", "password": "\ud800"}
    r = client.post("/v1/auth/login", json=body)
    assert r.status_code == 422 and "password" in r.json["errors"]["json"]
    v = Visitor(client, salon.values["slug"])
    offer = v.ask(salon.values["service_id"]).json["offers"][0]
    booking = v.booking_body(offer["token"])
    booking["profile"]["name"] = "Erika \udc00"
    r = v.send_booking(booking)
    assert r.status_code == 422 and "name" in json.dumps(r.json["errors"])
    booking["profile"] = {"name": "Erika", "\ud800": "x"}  # in a key too
    assert v.send_booking(booking).status_code == 422


def test_public_offers_take_whole_minutes_only(client, salon):
    v = Visitor(client, salon.values["slug"])
    body = wish_body(salon.values["service_id"], time_from="02:30:00.999999", time_to="18:00")
    r = v.send_offers(body, v.pow())
    assert r.status_code == 422 and "time_from" in r.json["errors"]["json"]
    body = wish_body(salon.values["service_id"], time_from="09:00", time_to="18:00")
    assert v.send_offers(body, v.pow()).status_code == 200


def test_tenant_settings_refuse_wrong_types(client, salon):
    for body in (
        {"profile_fields": True},
        {"profile_fields": [1, 2]},
        {"message_channels": [["email"]]},
        {"reminder_hours": {"a": 1}},
        {"stealth_settings": [1]},
    ):
        etag = client.get("/v1/tenant", headers=salon.headers).headers["ETag"]
        r = client.patch("/v1/tenant", json=body, headers={**salon.headers, "If-Match": etag})
        assert r.status_code == 422, (body, r.status_code)
        assert next(iter(body)) in r.json["errors"]["json"]
    patch_tenant(client, salon.fx, {"profile_fields": ["name", "email"]})  # still works


def test_years_1_and_9999_are_refused_on_appointments_and_availability(client, salon):
    h = salon.headers
    for when in ("0001-01-01T00:00:00", "9999-12-31T23:59:59"):
        body = {
            "service_id": salon.values["service_id"],
            "staff_id": salon.values["staff_id"],
            "start": when,
        }
        r = client.post("/v1/appointments", json=body, headers=h)
        assert r.status_code == 422 and "start" in r.json["errors"]["json"], when
        day_after = when.replace("01-01T", "01-02T").replace("12-31T23", "12-31T23")
        for url, extra in (
            ("/v1/appointments", {}),
            ("/v1/availability", {"service_id": salon.values["service_id"]}),
        ):
            r = client.get(url, query_string={"from": when, "to": day_after, **extra}, headers=h)
            assert r.status_code == 422, (url, when, r.status_code)
    r = client.get(
        "/v1/schedule", query_string={"from": "0001-01-01", "to": "0001-01-02"}, headers=h
    )
    assert r.status_code == 422


def test_a_signed_token_naming_an_impossible_id_is_a_401(client, app, salon):
    ring = app.extensions["hushbook_keys"]
    owner = salon.fx.owner.staff
    good = {"sub": str(owner.id), "tid": salon.fx.tenant.id, "ver": 1, "role": "owner"}
    with app.app_context():
        tokens = {
            "40-digit sub": ring.issue("access", {**good, "sub": "1" * 40}, timedelta(minutes=5)),
            "huge tid": ring.issue("access", {**good, "tid": 10**30}, timedelta(minutes=5)),
            "word sub": ring.issue("access", {**good, "sub": "owner"}, timedelta(minutes=5)),
            "fine": ring.issue("access", good, timedelta(minutes=5)),
        }
    for name, token in tokens.items():
        r = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == (200 if name == "fine" else 401), name


def test_a_413_says_the_connection_closes(client, salon):
    r = client.post(
        "/v1/services",
        data=json.dumps({"name": "x" * (70 * 1024)}),
        content_type="application/json",
        headers=salon.headers,
    )
    assert r.status_code == 413 and r.headers["Connection"] == "close"


def test_a_dst_gap_time_is_a_422_not_a_500(client, salon):
    body = {
        "service_id": salon.values["service_id"],
        "staff_id": salon.values["staff_id"],
        "start": f"{GAP}T02:30:00",
        "allow_outside_hours": True,
    }
    r = client.post("/v1/appointments", json=body, headers=salon.headers)
    assert r.status_code == 422 and "start" in r.json["errors"]["json"]


def test_consent_and_booking_still_work_with_the_bounds(client, salon):
    """The bounds refuse only what no salon needs: a normal booking passes."""
    v = Visitor(client, salon.values["slug"])
    res = v.ask(salon.values["service_id"], first=day(4))
    assert res.status_code == 200, res.json
    booked = v.book(res.json["offers"][0]["token"], contact={"email": "fine@example.org"})
    assert booked.status_code == 202, booked.json
    assert CONSENT["notice_version"] == 1
