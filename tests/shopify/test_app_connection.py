"""The admin's connection state and "Test connection", as on the WordPress
plugin's Hushbook page: one state and one line per check, from a stand-in
service."""

from __future__ import annotations

import pytest

from support.shopify_app import SHOP, StubService, bearer

KEY = "hbk_live_" + "k" * 40
CATALOG = {
    "name": "Salon <b>Rosa</b>",
    "tenant_id": 7,
    "stealth_mode": True,
    "public_key": "pk",
    "services": [{"id": 1, "name": "Cut"}],
    "privacy_notices": [{"locale": "de", "version": 1}],
}
ME = {"tenant_id": 7, "role": "integration", "staff_id": None, "permissions": ["public:forward"]}


@pytest.fixture
def stub():
    service = StubService()
    service.answers["catalog"] = (200, CATALOG, {})
    service.answers["/v1/auth/me"] = (200, ME, {})
    yield service
    service.close()


def connect(client, url: str, **extra) -> dict:
    body = {"service_url": url, "tenant_slug": "salon-rosa", "integration_key": KEY, **extra}
    response = client.post("/api/settings", json=body, headers=bearer())
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_connected(client, stub):
    state = connect(client, stub.url)["connection"]
    assert state["state"] == "connected" and state["level"] == "success"
    assert state["salon"] == "Salon <b>Rosa</b>"  # text; the page sets it with textContent
    assert all(line["ok"] for line in state["lines"])
    catalog, me = stub.seen
    assert catalog["path"] == "/v1/public/salon-rosa/catalog"
    assert "Authorization" not in catalog["headers"]  # the catalog is checked without the key
    assert me["path"] == "/v1/auth/me" and me["headers"]["Authorization"] == f"Bearer {KEY}"
    assert me["headers"]["User-Agent"].startswith("Hushbook-Shopify/")
    tested = client.post("/api/test?lang=de", json={}, headers=bearer()).get_json()
    assert tested["state"] == "connected" and tested["title"] == "Verbunden"


@pytest.mark.parametrize(
    "answers, state, text",
    [
        ({"catalog": (404, {"code": 404}, {})}, "not_found", 'salon "salon-rosa"'),
        ({"catalog": (500, {"code": 500}, {})}, "unreachable", "HTTP status 500"),
        ({"catalog": (200, b"<html>", {})}, "unreachable", "not a Hushbook service"),
        ({"/v1/auth/me": (401, {"code": 401}, {})}, "key_rejected", "wrong, revoked or expired"),
        ({"/v1/auth/me": (200, {**ME, "tenant_id": 8}, {})}, "key_rejected", "another salon"),
        ({"/v1/auth/me": (200, {**ME, "permissions": []}, {})}, "key_scope", "public:forward"),
        ({"/v1/auth/me": (200, {**ME, "role": "owner"}, {})}, "key_role", "staff sign-in"),
        ({"/v1/auth/me": (404, {"code": 404}, {})}, "key_unchecked", "HTTP status 404"),
        ({"catalog": (200, {**CATALOG, "public_key": None}, {})}, "not_bookable", "vault"),
        ({"catalog": (200, {**CATALOG, "services": []}, {})}, "not_bookable", "No service"),
        (
            {"catalog": (200, {**CATALOG, "privacy_notices": []}, {})},
            "not_bookable",
            "privacy notice",
        ),
    ],
)
def test_what_is_missing_is_named(client, stub, answers, state, text):
    stub.answers.update(answers)
    report = connect(client, stub.url)["connection"]
    assert report["state"] == state
    failing = [line["text"] for line in report["lines"] if not line["ok"]]
    assert failing and any(text in line for line in failing), failing


def test_incomplete_settings_name_each_missing_piece(client):
    report = client.get("/api/state", headers=bearer()).get_json()["connection"]
    assert report["state"] == "incomplete"
    assert [line["text"] for line in report["lines"]] == [
        "The service URL is missing.",
        "The salon slug is missing.",
        "The integration key is missing.",
    ]


def test_unreachable_service(client, stub):
    url = stub.url
    stub.close()
    report = connect(client, url)["connection"]
    assert report["state"] == "unreachable" and "No answer" in report["lines"][0]["text"]


def test_private_addresses_are_not_called_unless_allowed(shopify_env, fake_oauth, stub):
    import httpx

    from hushbook_shopify import create_app
    from hushbook_shopify.config import load_settings
    from hushbook_shopify.models import database, migrate

    env = {**shopify_env, "HUSHBOOK_SHOPIFY_ALLOW_PRIVATE_SERVICES": "0"}
    http = httpx.Client(transport=httpx.WSGITransport(app=fake_oauth.app()))
    app = create_app(load_settings(env), shopify_http=http)
    database.connect(reuse_if_open=True)
    migrate()
    database.close()
    report = connect(app.test_client(), stub.url)["connection"]
    assert report["state"] == "unreachable" and "private network" in report["lines"][0]["text"]
    assert stub.seen == []  # nothing was sent to 127.0.0.1
    assert SHOP
