"""The public catalog, cached per process by the tenant's version: ETag and 304,
a short Cache-Control, every write seen at once, by every app instance (node),
and never one tenant's catalog for another."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import requests

from hushbook_service import create_app
from hushbook_service.db import database, write_transaction
from hushbook_service.migrations import migrate
from hushbook_service.models import SchemaMigration, Tenant, bump_tenant_version
from support.api import make_shop, patch_tenant
from support.processes import start_server, stop_server
from support.tenants import setup_vault


def catalog(http, slug="salon-a", etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return http.get(f"/v1/public/{slug}/catalog", headers=headers)


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


def test_etag_304_and_a_short_public_cache_control(client, shop):
    first = catalog(client)
    assert first.status_code == 200 and [s["name"] for s in first.json["services"]] == ["Cut"]
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong: same bytes
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.mimetype == "application/json"

    again = catalog(client, etag=etag)
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "public, max-age=60"
    assert catalog(client, etag=f'"other", W/{etag}').status_code == 304
    assert catalog(client, etag='"other"').status_code == 200
    # Errors stay uncacheable (the app's default for /v1/).
    missing = catalog(client, "no-such-salon")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"


def test_the_openapi_document_names_etag_304_and_cache_control(client):
    op = client.get("/openapi.json").json["paths"]["/v1/public/{slug}/catalog"]["get"]
    assert {"ETag", "Cache-Control"} <= set(op["responses"]["200"]["headers"])
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Catalog"
    }
    assert "304" in op["responses"]
    assert {"$ref": "#/components/parameters/IF_NONE_MATCH"} in op["parameters"]


def test_no_tenant_is_ever_served_another_tenants_catalog(client, make_tenant):
    a = make_shop(client, make_tenant, "salon-a")
    b = make_shop(client, make_tenant, "salon-b")  # the same shape, the same languages
    for t, slug in ((a, "salon-a"), (b, "salon-b")):
        body = catalog(client, slug).json
        assert (body["tenant_id"], body["slug"]) == (t.tenant.id, slug)
        assert [s["id"] for s in body["services"]] == [t.cut["id"]]
    tag_a, tag_b = (
        catalog(client, "salon-a").headers["ETag"],
        catalog(client, "salon-b").headers["ETag"],
    )
    assert tag_a != tag_b

    patch_tenant(client, a, {"description": "Nur Salon A"})
    assert catalog(client, "salon-a").json["description"] == "Nur Salon A"
    assert catalog(client, "salon-a", etag=tag_a).status_code == 200
    other = catalog(client, "salon-b", etag=tag_b)
    assert other.status_code == 304, "a write to one tenant changed another's catalog"
    assert catalog(client, "salon-b").json["description"] == ""


def test_same_ids_in_another_database_are_another_tenant(tmp_path, settings, make_tenant, client):
    """Two databases in one process (like two test apps): the same tenant id,
    service id and version, each app answers its own tenant (a cache kept per
    module instead of per app would not)."""
    first = make_shop(client, make_tenant, "salon-a")
    assert catalog(client).json["name"] == "Salon salon-a"
    other = dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path / 'other.db'}")
    app2 = create_app(other)
    with app2.app_context(), database.connection_context():
        migrate(database.obj)
    try:
        client2 = app2.test_client()
        t2 = make_shop(client2, lambda slug: _tenant(app2, slug), "salon-a")
        with app2.app_context(), database.connection_context():
            Tenant.update(name="Another Salon", created_at=first.tenant.created_at).where(
                Tenant.id == t2.tenant.id
            ).execute()
        # Same id, version and birth as the first app's tenant, but not its catalog.
        body = catalog(client2).json
        assert body["tenant_id"] == 1 and body["name"] == "Another Salon"
    finally:
        if not database.is_closed():
            database.close()


def _tenant(app, slug):
    from support.tenants import new_tenant

    return new_tenant(app, slug)


def services_of(http):
    return [
        (s["name"], s["price_cents"], s.get("staff_ids")) for s in catalog(http).json["services"]
    ]


def test_every_kind_of_write_is_seen_on_the_next_request(client, shop):
    """Services, staff, settings, notices: each write changes the very next answer
    (and its ETag), without waiting for anything."""
    owner = shop.owner.headers
    kim, lea = (s.staff for s in shop.stylists)
    tags = [catalog(client).headers["ETag"]]

    def changed():
        res = catalog(client, etag=tags[-1])
        assert res.status_code == 200, "a write went unnoticed"
        assert res.headers["ETag"] != tags[-1]
        tags.append(res.headers["ETag"])
        return res.json

    made = client.post(
        "/v1/services",
        json={"name": "Colour", "duration_min": 60, "price_cents": 7000, "staff_ids": [kim.id]},
        headers=owner,
    ).json
    assert [s["name"] for s in changed()["services"]] == ["Colour", "Cut"]

    item = f"/v1/services/{made['id']}"
    etag = client.get(item, headers=owner).headers["ETag"]
    res = client.patch(item, json={"price_cents": 7500}, headers={**owner, "If-Match": etag})
    assert res.status_code == 200, res.json
    assert changed()["services"][0]["price_cents"] == 7500

    assert client.delete(item, headers=owner).status_code == 204
    assert [s["name"] for s in changed()["services"]] == ["Cut"]

    patch_tenant(client, shop, {"show_staff_names": True})
    assert [p["id"] for p in changed()["staff"]] == [kim.id, lea.id]

    etag = client.get(f"/v1/staff/{kim.id}", headers=owner).headers["ETag"]
    res = client.patch(
        f"/v1/staff/{kim.id}", json={"public_name": "Kim"}, headers={**owner, "If-Match": etag}
    )
    assert res.status_code == 200, res.json
    assert changed()["staff"][0] == {"id": kim.id, "name": "Kim"}

    res = client.post(f"/v1/staff/{lea.id}/deactivate", headers=owner)
    assert res.status_code == 200, res.json
    assert changed()["services"][0]["staff_ids"] == [kim.id]

    res = client.post(
        "/v1/tenant/privacy-notices",
        json={"locale": "en", "text": "We process your data only for the appointment."},
        headers=owner,
    )
    assert res.status_code == 201, res.json
    assert {n["locale"] for n in changed()["privacy_notices"]} == {"de", "en"}

    patch_tenant(client, shop, {"stealth_settings": {"offer_count": 2}})
    assert changed()["offer_count"] == 2


def test_a_closure_bumps_the_version_and_the_catalog_stays_right(app, client, shop):
    before = catalog(client).headers["ETag"]
    version = _version(app, shop)
    res = client.post(
        "/v1/tenant/closures",
        json={"date_from": "2030-12-24", "date_to": "2030-12-26"},
        headers=shop.owner.headers,
    )
    assert res.status_code == 201, res.json
    assert _version(app, shop) == version + 1
    assert catalog(client).headers["ETag"] == before  # same content: the same strong tag


def test_the_key_appears_at_once_when_the_vault_is_set_up(app, client, make_tenant):
    t = make_tenant("salon-k", vault=False)
    assert catalog(client, "salon-k").json["public_key"] is None
    with app.app_context(), database.connection_context():
        setup_vault(Tenant.get_by_id(t.tenant.id), t.owner.staff)
    body = catalog(client, "salon-k").json
    assert body["public_key"] and body["key_version"] == 1


def _version(app, t) -> int:
    with app.app_context(), database.connection_context():
        return Tenant.get_by_id(t.tenant.id).version


def test_two_app_instances_on_one_database_see_each_others_writes(settings, client, shop):
    """Like two nodes: each keeps its own cache, both read the version from the database."""
    node2 = create_app(settings).test_client()
    tag = catalog(client).headers["ETag"]
    assert catalog(node2).headers["ETag"] == tag  # both caches warm, same bytes
    patch_tenant(client, shop, {"description": "Neu"})  # through node 1
    assert catalog(node2).json["description"] == "Neu"
    patch_tenant(node2, shop, {"description": "Neuer"})  # through node 2
    assert catalog(client).json["description"] == "Neuer"
    assert catalog(client, etag=tag).status_code == 200


@pytest.mark.system
def test_a_real_server_process_sees_a_write_made_elsewhere_at_once(app, settings, client, shop):
    server = start_server(settings, workers=2)
    try:
        url = f"{server.url}/v1/public/salon-a/catalog"
        warm = [requests.get(url, timeout=10) for _ in range(4)]  # both workers' caches
        assert {r.headers["ETag"] for r in warm} == {catalog(client).headers["ETag"]}
        patch_tenant(client, shop, {"description": "Heute neu"})
        for _ in range(4):
            res = requests.get(url, headers={"If-None-Match": warm[0].headers["ETag"]}, timeout=10)
            assert res.status_code == 200 and res.json()["description"] == "Heute neu"
    finally:
        stop_server(server)


def test_a_stale_tenant_row_never_writes_its_version_back(app, shop):
    with app.app_context(), database.connection_context():
        stale = Tenant.get_by_id(shop.tenant.id)
        with write_transaction():
            bump_tenant_version(stale.id)
        stale.name = "Salon Renamed"
        stale.save()
        fresh = Tenant.get_by_id(shop.tenant.id)
        assert (fresh.name, fresh.version) == ("Salon Renamed", stale.version + 1)


def test_concurrent_bumps_are_all_counted(app, shop):
    """``version = version + 1`` in SQL: no lost update between concurrent writers."""
    before = _version(app, shop)
    errors = []

    def bump_many():
        try:
            with app.app_context(), database.connection_context():
                for _ in range(20):
                    with write_transaction():
                        bump_tenant_version(shop.tenant.id)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=bump_many) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert _version(app, shop) == before + 80


def test_m0013_adds_the_version_to_a_populated_database(app, shop):
    with app.app_context(), database.connection_context():
        db = database.obj
        tenants = Tenant.select().count()
        db.execute_sql('ALTER TABLE "tenant" DROP COLUMN "version"')
        SchemaMigration.delete().where(SchemaMigration.version == 13).execute()
        assert migrate(db) == ["m0013_tenant_version"]
        assert Tenant.select().count() == tenants
        assert Tenant.get_by_id(shop.tenant.id).version == 0
        assert migrate(db) == []


def test_concurrent_writers_of_one_tenant_all_succeed(app, client, shop):
    """Each writer bumps the version first, so writers queue on the tenant row
    before they lock anything else: no deadlock (PostgreSQL) between a closure's
    INSERT, the version and the audit trail's lock on the tenant row."""
    answers = []

    def close(day: int) -> None:
        res = app.test_client().post(
            "/v1/tenant/closures",
            json={"date_from": f"2031-01-{day:02d}", "date_to": f"2031-01-{day:02d}"},
            headers=shop.owner.headers,
        )
        answers.append(res.status_code)

    before = _version(app, shop)
    threads = [threading.Thread(target=close, args=(day,)) for day in range(1, 9)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert answers == [201] * 8
    assert _version(app, shop) == before + 8
