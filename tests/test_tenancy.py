"""Cross-tenant probes: tenant A's credentials against every one of tenant B's rows.

The routes come from ``/openapi.json`` (and the app's URL map must not hold an
undocumented one), so a new route is probed without anyone remembering to add
it here. Each probe substitutes B's real ids for the path parameters, sends a
body that passes validation (proved by replaying it against A's own rows) and,
where the route wants one, B's real ETag. A must get 403/404 — the very same
answer as for an id that never existed — and B's rows must be untouched.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from hushbook import sealing
from hushbook_service.accounts.principals import GRANTABLE_SCOPES
from support.db import db_rows

# Routes that act on the caller's own credentials, not on tenant rows.
NOT_TENANT_SCOPED = {
    ("POST", "/v1/auth/login"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("POST", "/v1/auth/password"),
    ("POST", "/v1/auth/totp/setup"),
    ("POST", "/v1/auth/totp/enable"),
    ("POST", "/v1/auth/totp/disable"),
    ("GET", "/v1/auth/me"),  # who the token is (a key sees its own scopes, nothing more)
    ("POST", "/v1/auth/logout-everywhere"),  # ends the caller's own sessions
    ("GET", "/v1/delivery-keys/{month}"),  # public keys, no tenant at all
    # For operators (health, readiness, metrics) and the API docs page: no tenant at all.
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/docs"),
}
# No login: tenant by slug, tokens bound to it (test_public.py probes them across
# tenants); /book/{slug} is the HTML page that embeds the widget for those routes;
# /console/ is the staff console's HTML shell (no data: it signs in through /v1/auth);
# /m/{code} is a message's short link (a redirect to a public page; test_short_links.py).
PUBLIC_PREFIXES = ("/v1/public/", "/book/", "/console/", "/m/")
# URL-map rules that are not part of the API (the OpenAPI document, static files).
NOT_API = {"/static/<path:filename>", "/openapi.json", "/docs/swagger-ui/<name>"}

# Path parameter ``<kind>_id`` names a row of ``kind``; a collection segment its kind.
SEGMENT_KIND = {
    "tenant": "tenant",
    "staff": "staff",
    "exceptions": "exception",
    "time-off": "time_off",
    "services": "service",
    "clients": "client",
    "appointments": "appointment",
    "integration-keys": "key",
    "privacy-notices": "privacy_notice",
    "closures": "closure",
}
# Routes whose answer changes because B's owner reads B's data (reads are audited).
GROWS_WITH_OWN_READS = {"/v1/audit-events", "/v1/audit-events/verify"}
MISSING_ID = 987_654_321  # an id no table holds
DAY0 = date.today()


# --- the two worlds ---------------------------------------------------------------


@dataclass
class World:
    """One tenant with a real row of every kind, created through the API."""

    fx: object
    ids: dict[str, list[int]]
    key_token: str
    secrets: tuple[str, ...] = ()  # personal data that must never reach another tenant

    @property
    def owner(self) -> dict[str, str]:
        return self.fx.owner.headers

    @property
    def key(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key_token}"}

    def first(self, kind: str) -> int:
        if kind not in self.ids:
            raise KeyError(f"no {kind!r} row: extend populate() so new routes can be probed")
        return self.ids[kind][0]


def _ok(resp, status: int) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:400])
    return resp.json


def populate(client, fx, tag: str) -> World:
    slug = fx.tenant.slug
    h = fx.owner.headers
    client_name = f"{tag}-Clientname Confidential"
    client_email = f"client-{tag.lower()}@private.test"
    client_phone = f"+49 30 555 01{len(tag):02d}{ord(tag[0]) % 100:02d}"

    stylist = _ok(
        client.post(
            "/v1/staff",
            json={
                "email": f"stylist@{slug}.test",
                "display_name": f"{tag} Stylist",
                "role": "staff",
            },
            headers=h,
        ),
        201,
    )["id"]
    all_week = [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)]
    _ok(client.put(f"/v1/staff/{stylist}/working-hours", json={"rules": all_week}, headers=h), 200)
    exception = _ok(
        client.post(
            f"/v1/staff/{stylist}/exceptions",
            json={"date": str(DAY0 + timedelta(days=40))},
            headers=h,
        ),
        201,
    )["id"]
    off = DAY0 + timedelta(days=50)
    time_off = _ok(
        client.post(
            f"/v1/staff/{stylist}/time-off",
            json={
                "start_at": f"{off}T09:00:00",
                "end_at": f"{off}T17:00:00",
                "kind": "vacation",
            },
            headers=h,
        ),
        201,
    )["id"]
    service = _ok(
        client.post(
            "/v1/services",
            json={
                "name": f"{tag} Cut",
                "duration_min": 30,
                "price_cents": 4500,
                "staff_ids": [stylist],
            },
            headers=h,
        ),
        201,
    )["id"]
    made = _ok(
        client.post(
            "/v1/clients",
            json={
                "profile": {"name": client_name, "email": client_email, "phone": client_phone},
            },
            headers=h,
        ),
        201,
    )
    client_id = made["id"]
    appointment = _ok(
        client.post(
            "/v1/appointments",
            json={
                "service_id": service,
                "staff_id": stylist,
                "client_id": client_id,
                "start": f"{DAY0 + timedelta(days=3)}T10:00:00",
            },
            headers=h,
        ),
        201,
    )["id"]
    key = _ok(
        client.post(
            "/v1/integration-keys",
            json={
                "name": f"{tag} plugin",
                "scopes": list(GRANTABLE_SCOPES),
            },
            headers=h,
        ),
        201,
    )
    blocked = _ok(
        client.post(
            "/v1/blocked-contacts", json={"email": f"blocked-{tag.lower()}@x.test"}, headers=h
        ),
        201,
    )[0]["id"]
    _ok(  # notice version 1: what consents name
        client.post(
            "/v1/tenant/privacy-notices",
            json={"locale": "de", "text": f"{tag}: Ihre Daten nur für den Termin."},
            headers=h,
        ),
        201,
    )
    closed = DAY0 + timedelta(days=60)
    closure = _ok(
        client.post(
            "/v1/tenant/closures",
            json={"date_from": str(closed), "date_to": str(closed), "label": f"{tag} holidays"},
            headers=h,
        ),
        201,
    )["id"]
    return World(
        fx,
        ids={
            "blocked_contact": [blocked],
            "tenant": [fx.tenant.id],
            "staff": [stylist, fx.owner.staff.id],
            "exception": [exception],
            "time_off": [time_off],
            "service": [service],
            "client": [client_id],
            "appointment": [appointment],
            "key": [key["id"]],
            "closure": [closure],
        },
        key_token=key["key"],
        # Sealed, names never show at all; the client key and blobs identify B's client.
        secrets=(
            client_name,
            client_email,
            client_phone,
            made["client_key"],
            *made["sealed_profile"].values(),
        ),
    )


@pytest.fixture
def spec(client) -> dict:
    return _ok(client.get("/openapi.json"), 200)


@pytest.fixture
def worlds(client, make_tenant) -> tuple[World, World]:
    a = populate(client, make_tenant("salon-a"), "Anna")
    b = populate(client, make_tenant("salon-b"), "Berta")
    return a, b


# --- routes from the OpenAPI document ------------------------------------------------


@dataclass(frozen=True)
class Op:
    method: str
    template: str
    params: tuple[str, ...]
    doc: dict = field(compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def staff_route(self) -> bool:
        if self.template.startswith(PUBLIC_PREFIXES):
            return False
        return (self.method, self.template) not in NOT_TENANT_SCOPED

    def _header_params(self) -> set[str]:
        names = set()
        for p in self.doc.get("parameters", []):
            if "$ref" in p:  # flask-smorest's shared IF_MATCH / IF_NONE_MATCH
                p = {"name": p["$ref"].rsplit("/", 1)[-1].replace("_", "-").title()}
            names.add(p["name"])
        return names

    @property
    def needs_if_match(self) -> bool:
        return "If-Match" in self._header_params()

    @property
    def takes_if_none_match(self) -> bool:
        return "If-None-Match" in self._header_params()

    @property
    def query_params(self) -> list[str]:
        return [p["name"] for p in self.doc.get("parameters", []) if p.get("in") == "query"]

    @property
    def required_query(self) -> list[str]:
        return [
            p["name"]
            for p in self.doc.get("parameters", [])
            if p.get("in") == "query" and p.get("required")
        ]

    @property
    def kind(self) -> str | None:
        """What ``id`` in the response means, from the last collection segment."""
        for segment in reversed(self.template.strip("/").split("/")):
            if segment in SEGMENT_KIND:
                return SEGMENT_KIND[segment]
        return None

    def url(self, ids: dict[str, int]) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), self.template)


def operations(spec: dict) -> list[Op]:
    ops = []
    for template, item in spec["paths"].items():
        shared = [p["name"] for p in item.get("parameters", []) if p.get("in") == "path"]
        for method, doc in item.items():
            if method == "parameters":
                continue
            own = [p["name"] for p in doc.get("parameters", []) if p.get("in") == "path"]
            params = tuple(dict.fromkeys(re.findall(r"\{(\w+)\}", template) + shared + own))
            ops.append(Op(method.upper(), template, params, doc))
    return ops


def kind_of(param: str) -> str:
    return param.removesuffix("_id")


def plausible_query(op: Op, pick: Callable[[str], int]) -> dict[str, object]:
    """Values for the required query parameters (ids via ``pick``, a week ahead)."""
    dates = {"from": DAY0 + timedelta(days=1), "to": DAY0 + timedelta(days=8)}
    formats = {
        p["name"]: p.get("schema", {}).get("format")
        for p in op.doc.get("parameters", [])
        if p.get("in") == "query"
    }

    def value(name: str) -> object:
        if name not in dates:
            return pick(kind_of(name))
        if formats.get(name) == "date":  # a day (e.g. /v1/schedule), not an instant
            return dates[name].isoformat()
        return f"{dates[name].isoformat()}T00:00:00"

    return {name: value(name) for name in op.required_query}


def staff_ops(spec: dict) -> list[Op]:
    return [op for op in operations(spec) if op.staff_route]


# --- plausible bodies ----------------------------------------------------------------

Pick = Callable[[str], int]


def plausible_body(spec: dict, op: Op, pick: Pick) -> dict | None:
    """A body that passes validation, so a refusal can only come from tenancy.

    ``pick(kind)`` is the id to reference for ``kind`` (A's or B's)."""
    if op.method in ("GET", "DELETE", "HEAD"):
        return None
    day = DAY0 + timedelta(days=41)
    known: dict[tuple[str, str], Callable[[], dict]] = {
        ("PATCH", "/v1/tenant"): lambda: {"name": "Renamed by a probe", "stealth_mode": False},
        # B's owner's e-mail: creating it in A must work and leak nothing about B.
        ("POST", "/v1/staff"): lambda: {
            "email": "owner@salon-b.test",
            "display_name": "Probe",
            "role": "reception",
        },
        ("PATCH", "/v1/staff/{staff_id}"): lambda: {"display_name": "Renamed by a probe"},
        ("PUT", "/v1/staff/{staff_id}/working-hours"): lambda: {
            "rules": [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)]
        },
        ("POST", "/v1/staff/{staff_id}/exceptions"): lambda: {
            "date": str(day),
            "start": "10:00",
            "end": "12:00",
        },
        ("POST", "/v1/staff/{staff_id}/time-off"): lambda: {
            "start_at": f"{day}T09:00:00",
            "end_at": f"{day}T10:00:00",
            "kind": "sick",
        },
        ("POST", "/v1/services"): lambda: {
            "name": "Probe cut",
            "duration_min": 20,
            "staff_ids": [pick("staff")],
        },
        ("PATCH", "/v1/services/{service_id}"): lambda: {
            "name": "Probe rename",
            "price_cents": 1,
            "staff_ids": [pick("staff")],
        },
        ("POST", "/v1/appointments"): lambda: {
            "service_id": pick("service"),
            "staff_id": pick("staff"),
            "client_id": pick("client"),
            "start": f"{DAY0 + timedelta(days=4)}T12:00:00",
            "source": "walk_in",
        },
        ("PATCH", "/v1/appointments/{appointment_id}"): lambda: {
            "staff_id": pick("staff"),
            "start": f"{DAY0 + timedelta(days=5)}T11:00:00",
        },
        ("POST", "/v1/clients"): lambda: {"profile": {"name": "Probe Client"}},
        ("PUT", "/v1/vault/member"): lambda: vault_material()["member"],
        ("POST", "/v1/clients/lookup"): lambda: {"email": "probe@example.org"},
        ("POST", "/v1/clients/{client_id}/consents"): lambda: {
            "notice_version": 1,
            "locale": "de",
            "purposes": ["booking"],
        },
        # A stale version: reaches the vault, refused by its state (409), changes nothing.
        ("POST", "/v1/vault/rotate"): lambda: {
            "key_version": 99,
            "public_key": vault_material()["setup"]["public_key"],
            "grants": [
                {
                    "staff_id": pick("staff"),
                    "sealed_tenant_key": vault_material()["grant"]["sealed_tenant_key"],
                }
            ],
            "profiles": [],
        },
        ("POST", "/v1/tenant/privacy-notices"): lambda: {
            "locale": "en",
            "text": "A probe's privacy notice, long enough to pass.",
        },
        ("POST", "/v1/vault/setup"): lambda: vault_material()["setup"],
        ("PUT", "/v1/vault/grants/{staff_id}"): lambda: vault_material()["grant"],
        ("POST", "/v1/integration-keys"): lambda: {"name": "probe", "scopes": ["tenant:read"]},
        ("POST", "/v1/blocked-contacts"): lambda: {"email": "probe@blocked.test"},
        # Sealed on the caller's side: the service stores blobs it cannot open.
        ("PUT", "/v1/clients/{client_id}/profile"): lambda: {
            "sealed_profile": {"name": "cHJvYmUtYmxvYg"},
            "client_key": "probe-client-key-0001",
            "key_version": 1,
        },
    }
    if (op.method, op.template) in known:
        return known[(op.method, op.template)]()
    body_schema = (op.doc.get("requestBody") or {}).get("content", {}).get("application/json")
    if body_schema is None:
        return None  # e.g. the appointment transitions take no body
    return _sample(spec, "", body_schema["schema"], pick)


@functools.cache
def vault_material() -> dict:
    """Well-formed vault bodies (real keys, sealed and wrapped like an SDK does)."""
    member, tenant = sealing.generate_keypair(), sealing.generate_keypair()
    public = sealing.b64e(sealing.export_public_key(member.public_key))
    wrapped = sealing.wrap_private_key(
        member.private_key, "probe", context=sealing.vault_context(1, 1), log_n=16
    )
    sealed = sealing.seal_grant(member.public_key, tenant.private_key, 1, 1)
    return {
        "member": {"public_key": public, "wrapped_private_key": wrapped},
        "setup": {"public_key": public, "owner_grant": sealed},
        "grant": {"key_version": 1, "sealed_tenant_key": sealed},
    }


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _sample(spec: dict, name: str, schema: dict, pick: Pick):
    """Best-effort body for a route this file does not know yet (the replay
    against A's own rows in test_probe_bodies_are_valid… proves it validates)."""
    schema = _resolve(spec, schema)
    if name.endswith("_ids"):
        return [pick(name.removesuffix("_ids"))]
    if name.endswith("_id"):
        return pick(name.removesuffix("_id"))
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", ()))
        return {
            prop: _sample(spec, prop, sub, pick)
            for prop, sub in schema.get("properties", {}).items()
            if not sub.get("readOnly") and (prop in required or prop.endswith(("_id", "_ids")))
        }
    if kind == "array":
        return [_sample(spec, name, schema.get("items", {}), pick)]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return {
        "date-time": f"{DAY0 + timedelta(days=6)}T10:00:00",
        "date": str(DAY0 + timedelta(days=6)),
        "email": "probe@probe.test",
    }.get(fmt, "probe")


def body_kinds(spec: dict, op: Op) -> list[str]:
    """The kinds of ids a route's body references."""
    used: list[str] = []

    def record(kind: str) -> int:
        used.append(kind)
        return MISSING_ID

    plausible_body(spec, op, record)
    return list(dict.fromkeys(used))


# --- observing B ---------------------------------------------------------------------


def id_combinations(op: Op, world: World) -> Iterator[dict[str, int]]:
    choices = [[(p, i) for i in world.ids[kind_of(p)]] for p in op.params]
    for combo in itertools.product(*choices):
        yield dict(combo)


def api_view(client, spec: dict, world: World) -> dict[str, tuple[int, object]]:
    """Everything B's owner can read about B through the API."""
    seen = {}
    for op in staff_ops(spec):
        if op.method != "GET" or op.template in GROWS_WITH_OWN_READS:
            continue
        for ids in id_combinations(op, world):
            url = op.url(ids)
            query = plausible_query(op, world.first)
            if "page_size" in op.query_params:
                query["page_size"] = 100
            r = client.get(url, headers=world.owner, query_string=query)
            seen[url] = (r.status_code, r.json)
    return seen


@pytest.fixture
def b_unchanged(app, client, spec, worlds):
    """Snapshot B (API and database) before the test, compare after it."""
    _, b = worlds
    before = (api_view(client, spec, b), db_rows(app, b.fx.tenant.id))
    assert all(status == 200 for status, _ in before[0].values()), before[0]
    yield
    after = (api_view(client, spec, b), db_rows(app, b.fx.tenant.id))
    changed = sorted(url for url in before[0] if after[0].get(url) != before[0][url])
    assert not changed, f"B's data changed as seen through B's own API: {changed}"
    for table, rows in before[1].items():
        assert after[1][table] == rows, f"B's {table} rows changed"


# Routes that change part of a row: its ETag is the one of the row they change.
ETAG_FROM = {"/v1/clients/{client_id}/profile": "/profile"}


def etag_for(client, op: Op, url: str, headers: dict) -> str | None:
    """The real ETag of the row behind ``url``, read by its own tenant."""
    if op.template in ETAG_FROM:
        url = url.removesuffix(ETAG_FROM[op.template])
    r = client.get(url, headers=headers)
    assert r.status_code == 200 and r.headers.get("ETag"), (str(op), url, r.status_code)
    return r.headers["ETag"]


def send(client, op: Op, url: str, headers: dict, body, etag: str | None = None, query=None):
    headers = dict(headers)
    if etag is not None:
        headers["If-Match" if op.needs_if_match else "If-None-Match"] = etag
    return client.open(url, method=op.method, json=body, headers=headers, query_string=query)


def assert_nothing_of(world: World, resp, kind: str | None, context: str) -> None:
    """No personal data of ``world`` and no id of any of its rows in ``resp``."""
    text = resp.get_data(as_text=True)
    for secret in world.secrets:
        assert secret not in text, (context, "leaks", secret)
    if resp.is_json:
        _walk(world, resp.json, kind, context)


def _walk(world: World, value, kind: str | None, context: str) -> None:
    if isinstance(value, list):
        for item in value:
            _walk(world, item, kind, context)
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key == "id" and kind is not None:
                assert inner not in world.ids.get(kind, []), (context, f"{kind} id {inner}")
            elif key.endswith("_id") and kind_of(key) in world.ids:
                assert inner not in world.ids[kind_of(key)], (context, key, inner)
            elif key.endswith("_ids") and key.removesuffix("_ids") in world.ids:
                foreign = set(inner or ()) & set(world.ids[key.removesuffix("_ids")])
                assert not foreign, (context, key, foreign)
            else:
                _walk(world, inner, None, context)


CREDENTIALS = ["owner", "integration_key"]


def credential(world: World, which: str) -> dict[str, str]:
    return world.owner if which == "owner" else world.key


# --- the tests -------------------------------------------------------------------------


def test_every_route_is_documented_and_classified(app, spec, worlds):
    documented = {(op.method, op.template) for op in operations(spec)}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule in NOT_API:
            continue
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(m, template) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented, "an undocumented route would escape the probes"
    assert NOT_TENANT_SCOPED <= documented, "stale allow-list entry"
    for op in staff_ops(spec):
        assert {"bearerAuth": []} in op.doc.get("security", []), f"{op} is unauthenticated"
        for param in op.params:
            assert kind_of(param) in worlds[1].ids, f"{op}: populate() needs a {param} row"
        if op.doc.get("requestBody"):
            assert plausible_body(spec, op, lambda _: 1) is not None, f"{op}: no probe body"
    assert len(staff_ops(spec)) >= 30  # the document is not silently empty


@pytest.mark.parametrize("who", CREDENTIALS)
@pytest.mark.usefixtures("b_unchanged")
def test_b_rows_are_unreachable_by_path(client, spec, worlds, who):
    a, b = worlds
    headers = credential(a, who)
    probed = 0
    for op in staff_ops(spec):
        if not op.params:
            continue
        body = plausible_body(spec, op, b.first)
        # Every id B's (with B's real, current ETag where the route takes one),
        # then each id B's alone among A's ids.
        variants = []
        for ids in id_combinations(op, b):
            url = op.url(ids)
            etag = None
            if op.needs_if_match or op.takes_if_none_match:
                etag = etag_for(client, op, url, b.owner)
            variants.append((ids, etag))
        if len(op.params) > 1:
            for foreign in op.params:
                ids = {p: (b if p == foreign else a).first(kind_of(p)) for p in op.params}
                variants.append((ids, variants[0][1]))
        for ids, etag in variants:
            url = op.url(ids)
            r = send(client, op, url, headers, body, etag)
            context = f"{who}: {op.method} {url}"
            assert r.status_code in (403, 404), (context, r.status_code, r.get_data(as_text=True))
            assert_nothing_of(b, r, op.kind, context)
            # The same answer as for a row that never existed: no existence oracle.
            ghost = {p: MISSING_ID if ids[p] in b.ids[kind_of(p)] else ids[p] for p in ids}
            twin = send(client, op, op.url(ghost), headers, body, etag)
            assert (twin.status_code, twin.json) == (r.status_code, r.json), context
            probed += 1
    assert probed >= 25


@pytest.mark.parametrize("who", CREDENTIALS)
@pytest.mark.usefixtures("b_unchanged")
def test_b_ids_in_bodies_are_refused(app, client, spec, worlds, who):
    """A's own (or no) path, but the body points at B's staff, service or client."""
    a, b = worlds
    headers = credential(a, who)
    probed = 0
    for op in staff_ops(spec):
        kinds = body_kinds(spec, op)
        if not kinds:
            continue
        url = op.url({p: a.first(kind_of(p)) for p in op.params})
        etag = etag_for(client, op, url, a.owner) if op.needs_if_match else None
        for foreign in [set(kinds), *({k} for k in kinds)]:
            body = plausible_body(spec, op, lambda k, f=foreign: (b if k in f else a).first(k))
            before = db_rows(app, a.fx.tenant.id)
            r = send(client, op, url, headers, body, etag)
            context = f"{who}: {op} with B's {sorted(foreign)}"
            assert r.status_code in (403, 404, 422), (context, r.status_code, r.json)
            assert_nothing_of(b, r, op.kind, context)
            assert db_rows(app, a.fx.tenant.id) == before, f"{context}: half-done write in A"
            probed += 1
    assert probed >= 8


@pytest.mark.parametrize("who", CREDENTIALS)
@pytest.mark.usefixtures("b_unchanged")
def test_lists_and_own_tenant_routes_never_show_b(client, spec, worlds, who):
    """Routes without ids act on A's own tenant: they may succeed, but never
    show or touch B — not even when filtered by B's ids."""
    a, b = worlds
    headers = credential(a, who)
    listed = 0
    for op in staff_ops(spec):
        if op.params:
            continue
        url = op.url({})
        body = plausible_body(spec, op, a.first)
        etag = etag_for(client, op, url, a.owner) if op.needs_if_match else None
        own_query = plausible_query(op, a.first)
        r = send(client, op, url, headers, body, etag, own_query)
        assert r.status_code < 500, (who, str(op), r.status_code)
        assert_nothing_of(b, r, op.kind, f"{who}: {op}")
        if op.method != "GET":
            continue
        if r.status_code == 200 and isinstance(r.json, list):
            listed += 1
            own = a.ids.get(op.kind or "", [])
            assert not own or {row["id"] for row in r.json} & set(own), (
                f"{op}: A's own rows are missing, so the check proves nothing"
            )
        # Filters naming B's rows must not open a window into B.
        for param in op.query_params:
            if kind_of(param) in b.ids:
                for foreign in b.ids[kind_of(param)]:
                    query = {**own_query, param: foreign}
                    r = client.get(url, headers=headers, query_string=query)
                    assert r.status_code in (200, 403, 404, 422), (str(op), param, r.status_code)
                    assert_nothing_of(b, r, op.kind, f"{who}: {op}?{param}={foreign}")
                    if r.status_code == 200 and isinstance(r.json, list):
                        assert r.json == [], (str(op), param)
    assert listed >= (5 if who == "owner" else 4)


def test_a_forwarding_key_reaches_no_staff_route(client, spec, worlds):
    """The WordPress plugin's key (scope public:forward only) sits on a web server
    that may be compromised: with its own tenant's ids it must get 403 on every
    staff route, so it can forward visitors and do nothing else."""
    a, _ = worlds
    made = client.post(
        "/v1/integration-keys",
        json={"name": "wordpress", "scopes": ["public:forward"]},
        headers=a.owner,
    )
    assert made.status_code == 201, made.json
    headers = {"Authorization": f"Bearer {made.json['key']}"}
    probed = 0
    for op in staff_ops(spec):
        url = op.url({p: a.first(kind_of(p)) for p in op.params})
        etag = etag_for(client, op, url, a.owner) if op.needs_if_match else None
        body = plausible_body(spec, op, a.first)
        r = send(client, op, url, headers, body, etag, plausible_query(op, a.first))
        assert r.status_code == 403, (str(op), r.status_code, r.json)
        probed += 1
    assert probed >= 30


def test_probe_bodies_are_valid_for_own_rows(client, spec, worlds):
    """The same requests with A's ids reach A's rows: so B's 404s come from
    tenancy, not from a body that never passed validation."""
    a, _ = worlds
    ops = sorted(staff_ops(spec), key=lambda op: op.method == "DELETE")  # destroy A's rows last
    for op in ops:
        url = op.url({p: a.first(kind_of(p)) for p in op.params})
        etag = etag_for(client, op, url, a.owner) if op.needs_if_match else None
        query = plausible_query(op, a.first)
        r = send(client, op, url, a.owner, plausible_body(spec, op, a.first), etag, query)
        # 409: reached the row, refused by its state (e.g. confirming a confirmed
        # appointment, or B's owner e-mail already created by an earlier probe).
        assert r.status_code in (200, 201, 204, 409), (str(op), r.status_code, r.json)


def test_b_credentials_still_work_after_the_probes(client, spec, worlds):
    """Sanity for the fixtures: B's owner and key really can read B's rows, so
    A's 404s are not just a broken setup."""
    _, b = worlds
    for headers in (b.owner, b.key):
        r = client.get(f"/v1/appointments/{b.first('appointment')}", headers=headers)
        assert r.status_code == 200 and b.fx.open(r.json["client"])["name"] == b.secrets[0]
        assert client.get(f"/v1/staff/{b.first('staff')}/time-off", headers=headers).json
