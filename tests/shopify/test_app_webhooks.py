"""Webhooks: the HMAC over the raw body, deduplication, the five topics, and
the proof that the app holds no customer data."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from hushbook_shopify.models import Shop, WebhookReceipt, database
from support.shopify_app import OTHER_SHOP, SHOP, bearer, open_admin

KEY = "hbk_live_" + "w" * 40


def rows(model) -> list:
    database.connect(reuse_if_open=True)
    try:
        return list(model.select())
    finally:
        database.close()


def shop_row(domain: str = SHOP) -> Shop | None:
    return next((s for s in rows(Shop) if s.shop_domain == domain), None)


@pytest.fixture
def installed(client):
    assert open_admin(client).status_code == 200
    client.post(
        "/api/settings",
        json={
            "service_url": "https://book.example.org",
            "tenant_slug": "salon-rosa",
            "integration_key": KEY,
        },
        headers=bearer(),
    )
    assert shop_row().access_token_enc and shop_row().integration_key_enc


def test_uninstall_wipes_the_tokens(installed, webhooks):
    delivery = webhooks.send("app/uninstalled", webhooks.payload("app/uninstalled", SHOP), SHOP)
    assert delivery.status == 200
    row = shop_row()
    assert row.access_token_enc is None and row.refresh_token_enc is None
    assert row.access_token_expires is None and not row.installed
    assert row.integration_key_enc is not None  # until shop/redact (48 h later)
    # a retry of the same delivery is harmless
    assert webhooks.redeliver(delivery).status == 200
    assert len(rows(WebhookReceipt)) == 1


def test_reinstall_exchanges_again(installed, webhooks, client, fake_oauth):
    webhooks.send("app/uninstalled", webhooks.payload("app/uninstalled", SHOP), SHOP)
    assert open_admin(client).status_code == 200
    row = shop_row()
    assert row.installed and row.access_token_enc is not None
    assert fake_oauth.calls.count("urn:ietf:params:oauth:grant-type:token-exchange") == 2


def test_scopes_update(installed, webhooks):
    payload = webhooks.payload("app/scopes_update", SHOP)
    payload["current"] = ["write_app_proxy", "read_themes"]
    assert webhooks.send("app/scopes_update", payload, SHOP).status == 200
    assert shop_row().scopes == "write_app_proxy,read_themes"


def test_shop_redact_deletes_the_row_and_the_key(installed, webhooks, client):
    client.get("/api/state", headers=bearer(OTHER_SHOP))
    assert webhooks.send("shop/redact", webhooks.payload("shop/redact", SHOP), SHOP).status == 200
    assert shop_row() is None and shop_row(OTHER_SHOP) is not None
    assert webhooks.send("shop/redact", webhooks.payload("shop/redact", SHOP), SHOP).status == 200


@pytest.mark.parametrize("topic", ["customers/data_request", "customers/redact"])
def test_customer_topics_answer_200_and_log_nothing_personal(installed, webhooks, caplog, topic):
    caplog.set_level(logging.DEBUG)
    before = shop_row()
    delivery = webhooks.send(topic, webhooks.payload(topic, SHOP), SHOP)
    assert delivery.status == 200
    after = shop_row()
    assert after.access_token_enc == before.access_token_enc  # nothing else changed
    assert "john@example.com" not in caplog.text and "555-625-1199" not in caplog.text
    assert "191167" not in caplog.text


def test_bad_hmac_is_401_and_stores_nothing(installed, webhooks):
    for topic in ("shop/redact", "customers/redact", "app/uninstalled"):
        delivery = webhooks.bad_hmac(topic, webhooks.payload(topic, SHOP), SHOP)
        assert delivery.status == 401, topic
    assert shop_row().installed and shop_row().integration_key_enc is not None
    assert rows(WebhookReceipt) == []


def test_refusals(installed, webhooks, client):
    payload = webhooks.payload("shop/redact", SHOP)
    missing = webhooks.send("shop/redact", payload, SHOP, hmac_value="")
    assert missing.status == 400
    unknown = webhooks.send("orders/create", {"id": 1}, SHOP)
    assert unknown.status == 400 and json.loads(unknown.text)["code"] == "unknown_topic"
    # a signed body of one shop with another shop in the (unsigned) header
    other = webhooks.send("shop/redact", payload, OTHER_SHOP)
    assert other.status == 400 and json.loads(other.text)["code"] == "shop_mismatch"
    no_id = webhooks.send("shop/redact", payload, SHOP, extra_headers={"X-Shopify-Webhook-Id": ""})
    assert no_id.status == 400
    not_json = webhooks.send("shop/redact", b"not json", SHOP)
    assert not_json.status == 400
    assert client.get("/webhooks").status_code == 405
    assert shop_row() is not None and rows(WebhookReceipt) == []


def test_replayed_webhook_id_is_not_handled_again(installed, webhooks, client):
    first = webhooks.send("app/uninstalled", webhooks.payload("app/uninstalled", SHOP), SHOP)
    assert open_admin(client).status_code == 200  # reinstalled: tokens again
    replay = webhooks.redeliver(first)
    assert replay.status == 200 and json.loads(replay.text)["code"] == "duplicate"
    assert shop_row().access_token_enc is not None  # the replay did not wipe the new pair


def test_the_app_holds_no_customer_data(installed, webhooks, client, shopify_db_url, caplog):
    """Customers' data arrives in the customer topics' payloads and in the
    bodies the proxy forwards; none of it is kept: the database file holds none."""
    caplog.set_level(logging.DEBUG)
    for topic in ("customers/data_request", "customers/redact"):
        webhooks.send(topic, webhooks.payload(topic, SHOP), SHOP)
    from support.shopify_app import proxy_query

    client.post(
        "/proxy/bookings?" + proxy_query(customer="88776655"),
        json={"contact": {"email": "erika.musterfrau@example.org", "phone": "+49 170 5550199"}},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    database.connect(reuse_if_open=True)
    tables = {
        name: [list(r) for r in database.execute_sql(f'SELECT * FROM "{name}"').fetchall()]  # noqa: S608
        for name in database.get_tables()
    }
    database.close()
    dump = json.dumps(tables, default=str)
    if shopify_db_url.startswith("sqlite"):
        path = Path(shopify_db_url.removeprefix("sqlite:///"))
        dump += "".join(p.read_bytes().decode("latin-1") for p in path.parent.glob(path.name + "*"))
    for needle in (
        "john@example.com",
        "555-625-1199",
        "191167",
        "299938",
        "erika.musterfrau",
        "5550199",
        "88776655",
        "203.0.113.9",
    ):
        assert needle not in dump, needle
        assert needle not in caplog.text, needle


def test_a_parallel_duplicate_is_answered_as_one(installed, webhooks, monkeypatch):
    """Two deliveries of one id racing past the check: the receipt's key stops the
    second, which is answered 200 (not 500, which Shopify would retry)."""
    first = webhooks.send("app/scopes_update", webhooks.payload("app/scopes_update", SHOP), SHOP)
    monkeypatch.setattr(WebhookReceipt, "get_or_none", classmethod(lambda cls, *a: None))
    again = webhooks.redeliver(first)
    assert again.status == 200 and json.loads(again.text)["code"] == "duplicate"
    assert len(rows(WebhookReceipt)) == 1
