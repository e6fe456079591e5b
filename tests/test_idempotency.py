"""``Idempotency-Key``: a retried POST runs once and gets the first answer again."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from peewee import fn

from hushbook_service.db import database, utcnow
from hushbook_service.models import IdempotencyRecord, Service
from hushbook_service.resources import idempotency
from hushbook_service.resources.services import ServiceList
from support.processes import start_server, stop_server

KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def service_body(t, name="Cut"):
    return {"name": name, "duration_min": 45, "staff_ids": [t.owner.staff.id]}


def raw_service(t):
    return {"tenant": t.tenant.id, "name": "Twin", "duration_min": 30}


def with_key(headers, key="key-0001"):
    return {**headers, KEY: key}


def count(app, model, **where):
    with app.app_context(), database.connection_context():
        query = model.select()
        for field, value in where.items():
            query = query.where(getattr(model, field) == value)
        return query.count()


def records(app):
    with app.app_context(), database.connection_context():
        return list(IdempotencyRecord.select().dicts())


def assert_problem(resp, status, reason=None):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.json
    assert body["code"] == status and "message" in body
    if reason:
        assert body.get("reason") == reason, body
    return body


def test_replay_returns_the_first_answer_byte_for_byte_and_runs_once(app, client, make_tenant):
    t = make_tenant()
    first = client.post("/v1/services", json=service_body(t), headers=with_key(t.owner.headers))
    assert first.status_code == 201 and REPLAYED not in first.headers
    for _ in range(2):
        again = client.post("/v1/services", json=service_body(t), headers=with_key(t.owner.headers))
        assert again.status_code == 201
        assert again.headers[REPLAYED] == "true"
        assert again.get_data() == first.get_data()
        assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert count(app, Service, tenant=t.tenant.id) == 1
    [row] = records(app)
    assert row["status"] == 201 and row["lock"] is None


def test_same_key_for_another_body_or_path_is_refused(app, client, make_tenant):
    t = make_tenant()
    headers = with_key(t.owner.headers)
    assert client.post("/v1/services", json=service_body(t), headers=headers).status_code == 201
    other_body = client.post("/v1/services", json=service_body(t, "Colour"), headers=headers)
    assert_problem(other_body, 422, "idempotency_key_reused")
    other_path = client.post("/v1/clients", json={"profile": {"name": "Mia"}}, headers=headers)
    assert_problem(other_path, 422, "idempotency_key_reused")
    assert count(app, Service, tenant=t.tenant.id) == 1
    # The same body with other whitespace is another request, too (raw bytes count).
    respaced = client.post(
        "/v1/services",
        data=f'{{"name": "Cut",  "duration_min": 45, "staff_ids": [{t.owner.staff.id}]}}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert_problem(respaced, 422, "idempotency_key_reused")


def test_other_callers_with_the_same_key_are_independent(app, client, make_tenant):
    a, b = make_tenant("salon-a"), make_tenant("salon-b")
    manager = a.member("manager")
    made = client.post(
        "/v1/integration-keys",
        json={"name": "sdk", "scopes": ["services:write"]},
        headers=a.owner.headers,
    ).json
    integration = {"Authorization": f"Bearer {made['key']}"}
    callers = [
        (a, a.owner.headers),
        (a, manager.headers),  # another person of the same salon
        (a, integration),  # an integration key of the same salon
        (b, b.owner.headers),  # another salon
    ]
    for tenant, headers in callers:
        r = client.post(
            "/v1/services", json=service_body(tenant), headers=with_key(headers, "shared")
        )
        assert r.status_code == 201, r.json
        assert REPLAYED not in r.headers
    assert count(app, Service, tenant=a.tenant.id) == 3
    assert count(app, Service, tenant=b.tenant.id) == 1
    assert len(records(app)) == 4
    # Each caller still gets its own answer back.
    again = client.post(
        "/v1/services", json=service_body(a), headers=with_key(integration, "shared")
    )
    assert again.headers[REPLAYED] == "true"
    assert count(app, Service, tenant=a.tenant.id) == 3


def test_without_the_header_every_post_runs(app, client, make_tenant):
    t = make_tenant()
    for _ in range(2):
        r = client.post("/v1/services", json=service_body(t), headers=t.owner.headers)
        assert r.status_code == 201 and REPLAYED not in r.headers
    assert count(app, Service, tenant=t.tenant.id) == 2
    assert records(app) == []


def test_a_5xx_is_not_stored_its_effects_are_undone_and_a_retry_runs(
    app, client, make_tenant, monkeypatch
):
    t = make_tenant()
    original = ServiceList.post
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        answer = original(self, *args, **kwargs)  # the service is written …
        if len(calls) == 1:
            raise RuntimeError("the disk is full")  # … then the request fails
        return answer

    monkeypatch.setattr(ServiceList, "post", flaky)
    headers = with_key(t.owner.headers)
    failed = client.post("/v1/services", json=service_body(t), headers=headers)
    assert_problem(failed, 500)
    assert count(app, Service, tenant=t.tenant.id) == 0  # rolled back with the answer
    assert records(app) == []
    retried = client.post("/v1/services", json=service_body(t), headers=headers)
    assert retried.status_code == 201 and REPLAYED not in retried.headers
    assert len(calls) == 2
    replayed = client.post("/v1/services", json=service_body(t), headers=headers)
    assert replayed.headers[REPLAYED] == "true" and len(calls) == 2
    assert count(app, Service, tenant=t.tenant.id) == 1


def test_a_4xx_answer_is_stored_and_replayed(app, client, make_tenant):
    t = make_tenant()
    body = {"name": "Cut", "duration_min": 2, "staff_ids": [t.owner.staff.id]}
    first = client.post("/v1/services", json=body, headers=with_key(t.owner.headers))
    assert_problem(first, 422)
    again = client.post("/v1/services", json=body, headers=with_key(t.owner.headers))
    assert again.status_code == 422 and again.headers[REPLAYED] == "true"
    assert again.get_data() == first.get_data()


def test_a_conflict_from_the_database_is_stored_with_the_view_undone(
    app, client, make_tenant, monkeypatch
):
    """An IntegrityError (a race on a unique key) answers 409; on PostgreSQL the
    failed statement must not poison the transaction that stores the answer."""
    t = make_tenant()
    original = ServiceList.post

    def racing(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # No savepoint of its own: on PostgreSQL the failed INSERT aborts the
        # transaction, which the savepoint around the view must repair.
        Service.create(id=Service.select(fn.MAX(Service.id)).scalar(), **raw_service(t))

    monkeypatch.setattr(ServiceList, "post", racing)
    headers = with_key(t.owner.headers)
    first = client.post("/v1/services", json=service_body(t), headers=headers)
    assert_problem(first, 409)
    assert count(app, Service, tenant=t.tenant.id) == 0
    again = client.post("/v1/services", json=service_body(t), headers=headers)
    assert again.status_code == 409 and again.headers[REPLAYED] == "true"
    assert again.get_data() == first.get_data()


def test_an_answer_too_large_to_store_keeps_its_effects_and_no_record(
    app, client, make_tenant, monkeypatch
):
    t = make_tenant()
    monkeypatch.setattr(idempotency, "MAX_STORED_BODY", 20)
    headers = with_key(t.owner.headers)
    for _ in range(2):
        r = client.post("/v1/services", json=service_body(t), headers=headers)
        assert r.status_code == 201 and REPLAYED not in r.headers
    assert count(app, Service, tenant=t.tenant.id) == 2
    assert records(app) == []


def test_a_client_with_a_sealed_profile_is_created_once(app, client, make_tenant):
    from hushbook_service.models import Client

    t = make_tenant()
    headers = with_key(t.owner.headers, "new-client-1")
    body = {"profile": {"name": "Mia Muster", "email": "mia@example.org"}}
    first = client.post("/v1/clients", json=body, headers=headers)
    assert first.status_code == 201, first.json
    again = client.post("/v1/clients", json=body, headers=headers)
    assert again.headers[REPLAYED] == "true" and again.get_data() == first.get_data()
    assert t.open(again.json)["name"] == "Mia Muster"
    assert count(app, Client, tenant=t.tenant.id) == 1
    [row] = records(app)
    assert b"Mia" not in bytes(row["sealed"]) and b"example.org" not in bytes(row["sealed"])


@pytest.mark.parametrize(
    "value", ["", "x" * 256, "schlüssel", "tab\tkey", "bell\x07"], ids=lambda v: repr(v)[:12]
)
def test_bad_header_values_are_refused_naming_the_header(app, client, make_tenant, value):
    t = make_tenant()
    r = client.post("/v1/services", json=service_body(t), headers=with_key(t.owner.headers, value))
    body = assert_problem(r, 422)
    assert KEY in body["errors"]["headers"]
    assert count(app, Service, tenant=t.tenant.id) == 0
    assert records(app) == []


@pytest.mark.parametrize("value", ["k", "x" * 255, "order 42 / try ~1", "550e8400-e29b-41d4"])
def test_good_header_values(app, client, make_tenant, value):
    t = make_tenant()
    for _ in range(2):
        r = client.post(
            "/v1/services", json=service_body(t), headers=with_key(t.owner.headers, value)
        )
        assert r.status_code == 201
    assert count(app, Service, tenant=t.tenant.id) == 1


def test_a_body_over_the_limit_is_413_and_leaves_no_record(app, client, make_tenant):
    t = make_tenant()
    big = {"name": "x" * (70 * 1024)}
    r = client.post("/v1/services", json=big, headers=with_key(t.owner.headers))
    assert_problem(r, 413)
    assert records(app) == []


def test_without_authorization_or_outside_scope_nothing_changes(app, client, make_tenant):
    t = make_tenant()
    r = client.post("/v1/services", json=service_body(t), headers={KEY: "key-1"})
    assert_problem(r, 401)
    bad = client.post(
        "/v1/services", json=service_body(t), headers={"Authorization": "Bearer nope", KEY: ""}
    )
    assert_problem(bad, 401)  # authentication first, as without the header
    login = {"tenant": "salon-a", "email": "owner@salon-a.test", "password": "nope"}
    for _ in range(2):  # /v1/auth/* is not covered: each request runs
        r = client.post("/v1/auth/login", json=login, headers={**t.owner.headers, KEY: "k"})
        assert_problem(r, 401, "bad_credentials")
        assert REPLAYED not in r.headers
    assert records(app) == []


def test_while_the_first_runs_a_retry_gets_409_then_a_dead_one_is_taken_over(
    app, client, make_tenant, monkeypatch
):
    t = make_tenant()
    headers = with_key(t.owner.headers)

    def dies(ctx, record_id, token, view, args, kwargs):  # claimed, then the worker died
        return app.response_class(status=502)

    with monkeypatch.context() as patch:
        patch.setattr(idempotency, "_execute", dies)
        assert client.post("/v1/services", json=service_body(t), headers=headers).status_code == 502
    [row] = records(app)
    assert row["status"] is None and row["lock"]

    busy = client.post("/v1/services", json=service_body(t), headers=headers)
    assert_problem(busy, 409, "idempotency_in_progress")
    assert busy.headers["Retry-After"] == "1"
    assert count(app, Service, tenant=t.tenant.id) == 0

    with app.app_context(), database.connection_context():
        IdempotencyRecord.update(
            locked_at=utcnow() - idempotency.LOCK_TIMEOUT - timedelta(seconds=1)
        ).execute()
    taken = client.post("/v1/services", json=service_body(t), headers=headers)
    assert taken.status_code == 201 and REPLAYED not in taken.headers
    again = client.post("/v1/services", json=service_body(t), headers=headers)
    assert again.headers[REPLAYED] == "true" and again.get_data() == taken.get_data()
    assert count(app, Service, tenant=t.tenant.id) == 1


def test_records_expire_after_24_hours(app, client, make_tenant, monkeypatch, tmp_path):
    t = make_tenant()
    headers = with_key(t.owner.headers)
    assert client.post("/v1/services", json=service_body(t), headers=headers).status_code == 201
    [row] = records(app)
    assert row["expires_at"] - row["locked_at"] == timedelta(hours=24)
    with app.app_context(), database.connection_context():
        assert idempotency.purge_expired() == 0
        clock = tmp_path / "clock"
        clock.write_text((utcnow() + timedelta(hours=24, seconds=1)).isoformat())
        monkeypatch.setenv("HUSHBOOK_CLOCK_FILE", str(clock))
        assert idempotency.purge_expired() == 1
        monkeypatch.delenv("HUSHBOOK_CLOCK_FILE")
    assert records(app) == []
    r = client.post("/v1/services", json=service_body(t), headers=headers)
    assert r.status_code == 201 and REPLAYED not in r.headers  # runs again
    # Expired but not purged yet: the same.
    with app.app_context(), database.connection_context():
        IdempotencyRecord.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    r = client.post("/v1/services", json=service_body(t), headers=headers)
    assert r.status_code == 201 and REPLAYED not in r.headers
    assert count(app, Service, tenant=t.tenant.id) == 3
    assert len(records(app)) == 1


def test_the_record_holds_neither_key_nor_request_nor_readable_answer(app, client, make_tenant):
    t = make_tenant()
    key = "my-very-own-retry-key-8d2f"
    headers = with_key(t.owner.headers, key)
    body = {"name": "Nightly export", "scopes": ["services:read"]}
    first = client.post("/v1/integration-keys", json=body, headers=headers)
    assert first.status_code == 201
    secret = first.json["key"]
    again = client.post("/v1/integration-keys", json=body, headers=headers)
    assert again.headers[REPLAYED] == "true" and again.json["key"] == secret  # shown again
    [row] = records(app)
    stored = repr(row).encode() + bytes(row["sealed"])
    for text in (key, secret, "Nightly export", str(t.owner.staff.email)):
        assert text.encode() not in stored
    # Another caller cannot open it: its key derives another digest.
    manager = t.member("manager")
    other = client.post("/v1/integration-keys", json=body, headers=with_key(manager.headers, key))
    assert_problem(other, 403)
    assert REPLAYED not in other.headers


def test_openapi_documents_the_header_on_covered_posts(client):
    spec = client.get("/openapi.json").json
    parameter = spec["components"]["parameters"]["IdempotencyKey"]
    assert parameter["in"] == "header" and parameter["name"] == KEY
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    assert ref in spec["paths"]["/v1/services"]["post"]["parameters"]
    assert ref in spec["paths"]["/v1/appointments"]["post"]["parameters"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own (path parameters)
                continue
            documented = ref in operation.get("parameters", [])
            expected = method == "post" and not path.startswith(("/v1/auth/", "/v1/public/"))
            assert documented == expected, (method, path)


@pytest.mark.system
def test_concurrent_identical_posts_create_exactly_one_row(app, client, make_tenant, settings):
    t = make_tenant()
    server = start_server(settings, workers=4)
    try:
        headers = with_key(t.owner.headers, "burst-1")
        barrier = threading.Barrier(10)

        def one(_):
            barrier.wait(timeout=30)
            r = requests.post(
                f"{server.url}/v1/services", json=service_body(t), headers=headers, timeout=60
            )
            return r.status_code, r.headers.get(REPLAYED), r.content, r.json()

        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(one, range(10)))
        statuses = sorted(status for status, *_ in answers)
        assert set(statuses) <= {201, 409}, statuses
        created = [a for a in answers if a[0] == 201]
        assert created and len({a[2] for a in created}) == 1  # one answer, replayed
        assert sum(1 for a in created if a[1] is None) == 1  # one ran the view, once
        for status, _, _, body in answers:
            if status == 409:
                assert body["reason"] == "idempotency_in_progress"
        assert count(app, Service, tenant=t.tenant.id) == 1
        final = requests.post(
            f"{server.url}/v1/services", json=service_body(t), headers=headers, timeout=60
        )
        assert final.status_code == 201 and final.headers[REPLAYED] == "true"
        assert final.content == created[0][2]
        assert count(app, Service, tenant=t.tenant.id) == 1
    finally:
        stop_server(server)
