"""Secrets at rest: AES-256-GCM bound to the shop and the field; rotation."""

from __future__ import annotations

import base64

import pytest
from click.testing import CliRunner

from hushbook_shopify import cli, secretbox
from hushbook_shopify.config import ConfigError, load_settings
from hushbook_shopify.models import Shop, database
from support.shopify_app import SHOP, open_admin

K1 = b"1" * 32
K2 = b"2" * 32


def test_round_trip_and_fresh_nonce():
    a = secretbox.seal((K1,), SHOP, "integration_key", "hbk_secret-value")
    b = secretbox.seal((K1,), SHOP, "integration_key", "hbk_secret-value")
    assert a != b and a.startswith("v1.") and "hbk_secret" not in a
    assert secretbox.open_((K1,), SHOP, "integration_key", a) == "hbk_secret-value"


@pytest.mark.parametrize(
    "shop, field",
    [("other-salon.myshopify.com", "integration_key"), (SHOP, "access_token")],
)
def test_bound_to_shop_and_field(shop, field):
    sealed = secretbox.seal((K1,), SHOP, "integration_key", "hbk_secret-value")
    with pytest.raises(secretbox.SecretError):
        secretbox.open_((K1,), shop, field, sealed)


def test_tampering_and_wrong_key_detected():
    sealed = secretbox.seal((K1,), SHOP, "refresh_token", "shprt_abc")
    version, kid, nonce, body = sealed.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad in (
        ".".join((version, kid, nonce, flipped)),
        ".".join(("v2", kid, nonce, body)),
        "garbage",
    ):
        with pytest.raises(secretbox.SecretError):
            secretbox.open_((K1,), SHOP, "refresh_token", bad)
    with pytest.raises(secretbox.SecretError, match="not configured"):
        secretbox.open_((K2,), SHOP, "refresh_token", sealed)
    # an old key still opens it, and marks it for re-sealing
    assert secretbox.open_((K2, K1), SHOP, "refresh_token", sealed) == "shprt_abc"
    assert secretbox.needs_reseal((K2, K1), sealed) and not secretbox.needs_reseal((K1,), sealed)


def test_settings_hide_secrets_and_check_the_key():
    env = {
        "SHOPIFY_API_KEY": "cid",
        "SHOPIFY_API_SECRET": "very-secret-client-secret",
        "HUSHBOOK_SHOPIFY_DATA_KEY": base64.urlsafe_b64encode(K1).decode(),
    }
    settings = load_settings(env)
    assert "very-secret" not in repr(settings) and repr(K1) not in repr(settings)
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings({**env, "HUSHBOOK_SHOPIFY_DATA_KEY": "c2hvcnQ="})
    with pytest.raises(ConfigError, match="SHOPIFY_API_SECRET") as missing:
        load_settings({k: v for k, v in env.items() if k != "SHOPIFY_API_SECRET"})
    assert "very-secret" not in str(missing.value)


def test_rotate_data_key_reseals_every_secret(client, shopify_env, monkeypatch):
    assert open_admin(client).status_code == 200  # a token pair, sealed with DATA_KEY
    with client.application.app_context():
        database.connect(reuse_if_open=True)
        before = Shop.get(Shop.shop_domain == SHOP)
        database.close()
    new_key = base64.urlsafe_b64encode(K2).decode()
    env = {
        **shopify_env,
        "HUSHBOOK_SHOPIFY_DATA_KEY": new_key,
        "HUSHBOOK_SHOPIFY_OLD_DATA_KEYS": shopify_env["HUSHBOOK_SHOPIFY_DATA_KEY"],
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli.main, ["rotate-data-key"])
    assert result.exit_code == 0, result.output
    assert "1 shop" in result.output
    database.connect(reuse_if_open=True)
    after = Shop.get(Shop.shop_domain == SHOP)
    database.close()
    assert after.access_token_enc != before.access_token_enc
    assert not secretbox.needs_reseal((K2,), after.access_token_enc)
    assert after.secret((K2,), "access_token") == before.secret(
        load_settings(shopify_env).data_keys, "access_token"
    )
