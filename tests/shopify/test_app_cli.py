"""``hushbook-shopify``: migrate, keygen, shops, prune, refresh-tokens (against the
fake Shopify over HTTP through HUSHBOOK_SHOPIFY_API_BASE)."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from hushbook_shopify import cli
from hushbook_shopify.models import Shop, WebhookReceipt, database, utcnow
from support.shopify_app import SHOP, bearer, open_admin


@pytest.fixture
def env(shopify_env, monkeypatch):
    for name, value in shopify_env.items():
        monkeypatch.setenv(name, value)
    return shopify_env


def run(*args: str):
    result = CliRunner().invoke(cli.main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_migrate_is_idempotent(env):
    assert "schema version 1" in run("migrate")
    assert "schema version 1" in run("migrate")


def test_keygen_prints_a_usable_data_key():
    key = run("keygen").strip()
    assert len(base64.urlsafe_b64decode(key)) == 32


def test_missing_settings_are_named_not_shown(monkeypatch):
    monkeypatch.delenv("SHOPIFY_API_SECRET", raising=False)
    monkeypatch.setenv("SHOPIFY_API_KEY", "cid")
    monkeypatch.setenv("HUSHBOOK_SHOPIFY_DATA_KEY", "not-shown-" + "x" * 20)
    result = CliRunner().invoke(cli.main, ["migrate"])
    assert result.exit_code != 0 and "SHOPIFY_API_SECRET" in result.output
    assert "not-shown" not in result.output


def test_shops_lists_no_secret(env, client):
    open_admin(client)
    key = "hbk_live_" + "c" * 40
    client.post(
        "/api/settings",
        json={
            "service_url": "https://book.example.org",
            "tenant_slug": "salon-rosa",
            "integration_key": key,
        },
        headers=bearer(),
    )
    out = run("shops")
    assert out.strip() == f"{SHOP}\tinstalled\thttps://book.example.org salon-rosa"
    assert key not in out and "shpat_" not in out


def test_prune_drops_old_receipts(env, shop_app):
    database.connect(reuse_if_open=True)
    WebhookReceipt.create(
        webhook_id="old",
        topic="shop/redact",
        shop_domain=SHOP,
        received_at=utcnow() - timedelta(days=8),
    )
    WebhookReceipt.create(webhook_id="new", topic="shop/redact", shop_domain=SHOP)
    database.close()
    assert "deleted 1" in run("prune")


def test_refresh_tokens_keeps_pairs_alive(env, client, fake_oauth, shop_app, monkeypatch):
    open_admin(client)
    keys = shop_app.extensions["hushbook_shopify"].settings.data_keys
    database.connect(reuse_if_open=True)
    before = Shop.get(Shop.shop_domain == SHOP).secret(keys, "refresh_token")
    database.close()
    server = make_server("127.0.0.1", 0, fake_oauth.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        monkeypatch.setenv("HUSHBOOK_SHOPIFY_API_BASE", f"http://127.0.0.1:{server.server_port}")
        assert "refreshed 0, failed 0" in run("refresh-tokens", "--within-days", "30")
        assert "refreshed 1, failed 0" in run("refresh-tokens", "--within-days", "100")
    finally:
        server.shutdown()
        thread.join(5)
    database.connect(reuse_if_open=True)
    after = Shop.get(Shop.shop_domain == SHOP)
    database.close()
    assert after.secret(keys, "refresh_token") == fake_oauth.issued[-1] != before
    assert fake_oauth.calls[-1] == "refresh_token"


def test_token_endpoint_over_tls_through_the_api_base(shopify_env, fake_oauth, tmp_path):
    """HUSHBOOK_SHOPIFY_API_BASE sends https://<shop>.myshopify.com/... to a local
    TLS server; the shop stays in Host and SNI, so a certificate for the shop's
    name (as the fake Shopify has) is what the app checks."""
    import ssl

    import trustme

    from hushbook_shopify.config import load_settings
    from hushbook_shopify.shopify_auth import ShopifyAuth, Verdict
    from shopify_fake import signing
    from support.shopify_app import CLIENT_ID, SECRET

    ca = trustme.CA()
    cert = ca.issue_cert("*.myshopify.com")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = make_server("127.0.0.1", 0, fake_oauth.app(), threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        env = {
            **shopify_env,
            "HUSHBOOK_SHOPIFY_API_BASE": f"https://127.0.0.1:{server.server_port}",
            "HUSHBOOK_SHOPIFY_API_CA_BUNDLE": str(ca_file),
        }
        auth = ShopifyAuth(load_settings(env))
        claims = signing.session_claims(SHOP, CLIENT_ID)
        token = signing.jwt_hs256(claims, SECRET)
        result = auth.exchange(Verdict(True, "verified", shop=SHOP, claims=claims, token=token))
        assert result.ok and result.pair and result.pair.access_token == fake_oauth.issued[0]
        # without the CA the certificate is refused
        untrusted = ShopifyAuth(load_settings({**env, "HUSHBOOK_SHOPIFY_API_CA_BUNDLE": ""}))
        assert not untrusted.exchange(
            Verdict(True, "verified", shop=SHOP, claims=claims, token=token)
        ).ok
    finally:
        server.shutdown()
        thread.join(5)
