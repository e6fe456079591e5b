"""GET /v1/appointments, the fast path: the page is what ``AppointmentSchema``
would dump (the OpenAPI document's schema), and a page of ten rows costs the
same number of queries as a page of one."""

from __future__ import annotations

import json
from datetime import date, timedelta

import peewee
import pytest

from hushbook_service.accounts.principals import authenticate
from hushbook_service.db import database
from hushbook_service.models import Appointment
from hushbook_service.resources.appointments import AppointmentSchema
from support.api import local_iso, make_shop


@pytest.fixture
def shop(client, make_tenant):
    t = make_shop(client, make_tenant)
    t.day = date.today() + timedelta(days=5)
    t.query = {"from": f"{t.day}T00:00:00", "to": f"{t.day + timedelta(days=1)}T00:00:00"}
    return t


def book(http, t, hour, minute=0, stylist=0, **extra):
    body = {
        "service_id": t.cut["id"],
        "staff_id": t.stylists[stylist].staff.id,
        "start": local_iso(t.day, hour, minute),
        **extra,
    }
    res = http.post("/v1/appointments", json=body, headers=t.owner.headers)
    assert res.status_code == 201, res.json
    return res.json


def schema_dump(app, headers, ids) -> list:
    """What flask-smorest would have answered: the schema's own dump of the rows."""
    with app.test_request_context(headers=headers), database.connection_context():
        authenticate()
        rows = Appointment.select().where(Appointment.id.in_(ids))
        by_id = {a.id: a for a in rows}
        dumped = AppointmentSchema(many=True).dump([by_id[i] for i in ids])
        return json.loads(app.json.dumps(dumped))


def test_the_page_equals_the_schemas_dump_for_every_kind_of_row(app, client, shop):
    book(client, shop, 9, client={"profile": {"name": "Frau Muster", "email": "m@example.org"}})
    book(client, shop, 10, stylist=1)  # no client
    made = book(client, shop, 11, client={"profile": {"name": "Herr Beispiel"}})
    client.post(f"/v1/appointments/{made['id']}/cancel", headers=shop.owner.headers)
    accountant = shop.member("accountant")  # sees no client details
    for who in (shop.owner, accountant, shop.stylists[1]):
        res = client.get("/v1/appointments", query_string=shop.query, headers=who.headers)
        assert res.status_code == 200, res.json
        ids = [item["id"] for item in res.json]
        assert res.json == schema_dump(app, who.headers, ids)
    owner_view = client.get("/v1/appointments", query_string=shop.query, headers=shop.owner.headers)
    assert [a["client"] is None for a in owner_view.json] == [False, True, False]
    assert owner_view.json[0]["client"]["sealed_profile"]


def count_queries(client, path, **kw) -> int:
    seen = []
    original = peewee.Database.execute_sql

    def counting(self, sql, *args, **kwargs):
        seen.append(sql)
        return original(self, sql, *args, **kwargs)

    peewee.Database.execute_sql = counting
    try:
        assert client.get(path, **kw).status_code == 200
    finally:
        peewee.Database.execute_sql = original
    return len(seen)


def test_ten_rows_cost_the_queries_of_one(client, shop):
    book(client, shop, 9, client={"profile": {"name": "Erste Kundin"}})
    kw = {"query_string": shop.query, "headers": shop.owner.headers}
    one = count_queries(client, "/v1/appointments", **kw)
    for i in range(1, 10):
        book(
            client,
            shop,
            9 + i // 2,
            30 * (i % 2),
            stylist=i % 2,
            client={"profile": {"name": f"K{i}"}},
        )
    res = client.get("/v1/appointments", **kw)
    assert len(res.json) == 10 and all(a["client"] for a in res.json)
    assert count_queries(client, "/v1/appointments", **kw) == one
    assert one <= 5  # token's staff row, the TOTP rule, the tenant, the page (with its total)


def test_a_page_past_the_end_still_counts_the_total(client, shop):
    book(client, shop, 9)
    book(client, shop, 10)
    res = client.get(
        "/v1/appointments",
        query_string={**shop.query, "page": 3, "page_size": 1},
        headers=shop.owner.headers,
    )
    assert res.status_code == 200 and res.json == []
    assert json.loads(res.headers["X-Pagination"])["total"] == 2
    second = client.get(
        "/v1/appointments",
        query_string={**shop.query, "page": 2, "page_size": 1},
        headers=shop.owner.headers,
    )
    assert len(second.json) == 1 and json.loads(second.headers["X-Pagination"])["total"] == 2
