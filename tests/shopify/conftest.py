"""Fixtures for the Shopify app server's tests (plugins/shopify/hushbook_shopify).

The app runs in-process (Flask's test client) on its own database (SQLite per
test; the PostgreSQL named by HUSHBOOK_TEST_DATABASE_URL when set). Shopify's
token endpoint is the fake one (``shopify_fake.oauth``), reached through an
``httpx.WSGITransport``; webhooks come from ``shopify_fake.webhooks``; every
signature is made by ``shopify_fake.signing``, whose signers are checked
against Shopify's published vectors.
"""

from __future__ import annotations

import httpx
import pytest

from hushbook_shopify import create_app
from hushbook_shopify.config import load_settings
from hushbook_shopify.models import database, migrate
from shopify_fake.oauth import FakeOAuth
from shopify_fake.webhooks import WebhookSender, via_test_client
from support.config import TEST_DB_URL
from support.db import empty_database
from support.shopify_app import CLIENT_ID, DATA_KEY, OTHER_SHOP, SECRET, SHOP


@pytest.fixture
def shopify_db_url(tmp_path) -> str:
    if TEST_DB_URL:
        empty_database(TEST_DB_URL)
        return TEST_DB_URL
    return f"sqlite:///{tmp_path / 'shopify.db'}"


@pytest.fixture
def shopify_env(shopify_db_url) -> dict[str, str]:
    return {
        "SHOPIFY_API_KEY": CLIENT_ID,
        "SHOPIFY_API_SECRET": SECRET,
        "HUSHBOOK_SHOPIFY_DATA_KEY": DATA_KEY,
        "HUSHBOOK_SHOPIFY_DATABASE_URL": shopify_db_url,
        "HUSHBOOK_SHOPIFY_APP_URL": "https://shopify-app.hushbook.test",
        "HUSHBOOK_SHOPIFY_ALLOW_PRIVATE_SERVICES": "1",
    }


@pytest.fixture
def fake_oauth() -> FakeOAuth:
    fake = FakeOAuth(CLIENT_ID, SECRET)
    fake.install(SHOP)
    fake.install(OTHER_SHOP)
    return fake


@pytest.fixture
def shop_app(shopify_env, fake_oauth):
    settings = load_settings(shopify_env)
    http = httpx.Client(transport=httpx.WSGITransport(app=fake_oauth.app()))
    app = create_app(settings, shopify_http=http)
    database.connect(reuse_if_open=True)
    migrate()
    database.close()
    yield app
    http.close()
    if not database.is_closed():
        database.close()


@pytest.fixture
def client(shop_app):
    return shop_app.test_client()


@pytest.fixture
def webhooks(client) -> WebhookSender:
    return WebhookSender(via_test_client(client), SECRET)
