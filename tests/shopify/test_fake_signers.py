"""The fake Shopify's signers (tests/shopify_fake/signing.py) against Shopify's
published vectors, so that the fake and the app cannot agree on a wrong
algorithm; then, as a second opinion, Shopify's own ``shopifyapp`` accepts what
the fake signs (and refuses it when one byte changes)."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qsl, urlencode

import pytest
import shopify_app  # a dev dependency: never skipped

from shopify_fake import signing

# --- Shopify's vectors (A: admin/OAuth query HMAC, B: app proxy, C: webhook, D: JWT) ---

A1 = {
    "code": "0907a61c0c8d55e99db179b68161bc00",
    "shop": "some-shop.myshopify.com",
    "timestamp": "1337178173",
}


@pytest.mark.parametrize(
    ("params", "message", "expected"),
    [
        (
            A1,
            "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173",
            "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20",
        ),
        (
            {**A1, "state": "0.6784241404160823"},
            "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com"
            "&state=0.6784241404160823&timestamp=1337178173",
            "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf",
        ),
        (
            {**A1, "code": "a94a110d86d2452eb3e2af4cfb8a3828"},
            "code=a94a110d86d2452eb3e2af4cfb8a3828&shop=some-shop.myshopify.com&timestamp=1337178173",
            "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2",
        ),
    ],
    ids=["A1", "A2", "A3"],
)
def test_admin_hmac_vectors(params, message, expected):
    signed = {**params, "hmac": "ignored", "signature": "ignored"}
    assert signing.admin_message(signed) == message
    assert signing.admin_hmac(signed, "hush") == expected


def test_admin_hmac_encodes_a_space_as_percent_20_and_repeats_as_arrays():
    message = signing.admin_message([("b", "x y/z"), ("a", "1"), ("ids", "2"), ("ids", "1")])
    assert message == "a=1&b=x%20y%2Fz&ids[]=2&ids[]=1"


def test_legacy_admin_hmac_vectors():
    # A4: lists as JSON with a space after the comma
    params = {"shop": "some-shop.myshopify.com", "ids[]": ["2", "1"]}
    assert signing.legacy_admin_message(params) == 'ids=["2", "1"]&shop=some-shop.myshopify.com'
    assert (
        signing.legacy_admin_hmac(params, "hush")
        == "b93b9f82996f6f8bf9f1b7bbddec284c8fabacdc4e12dc80550b4705f3003b1e"
    )
    # A5: & and = escaped so that a value cannot forge a pair
    assert signing.legacy_admin_message({"a": "1&b=2", "c=3&d": "4"}) == "a=1%26b=2&c%3D3%26d=4"


PROXY_QUERY = (
    "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1"
    "&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555"
)


def test_proxy_signature_vector():
    params = parse_qsl(PROXY_QUERY, keep_blank_values=True)
    assert signing.proxy_message(params) == (
        "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviews"
        "shop=shop-name.myshopify.comtimestamp=1317327555"
    )
    assert (
        signing.proxy_signature(params, "hush")
        == "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
    )
    # the page's newer spelling of the shop gives the other published value
    other = [(k, "{shop}.myshopify.com" if k == "shop" else v) for k, v in params]
    assert (
        signing.proxy_signature(other, "hush")
        == "e71d571c0a35d531ae367189d59afd33ae5b56be274c77c9e8bd6ce42e256304"
    )


def test_webhook_hmac_vector_is_over_the_raw_bytes():
    body = b'{"shop_id":954889,"shop_domain":"{shop}.myshopify.com"}'
    assert signing.webhook_hmac(body, "hush") == "1ZkWm9gpyI+Zsjon2nUm8nnAH7b3L7SlOH1XnEEuq7o="
    assert signing.webhook_hmac(body + b"\n", "hush") == (
        "kF51lUmKL9CJaZgpFTQcKMfH/AkKccYQN9dD05lk0jk="
    )


VECTOR_D = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Rlc3Qtc2hvcC5teXNob3BpZnkuY29tL2FkbWluIiwiZGVzdCI6Imh0dHBzOi8vdGVzdC1zaG9wLm15c2hvcGlmeS5jb20iLCJhdWQiOiJjbGllbnQtaWQtMTIzIiwic3ViIjoiNDIiLCJleHAiOjE3MDAwMDAwNjAsIm5iZiI6MTcwMDAwMDAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCJzaWQiOiJzaWQtYWJjIn0"
    ".-c_vN3h38ky7_ZIwPYFTL_6MSlW7Jx-tjW10mM4YdQI"
)


def test_session_token_vector():
    claims = {
        "iss": "https://test-shop.myshopify.com/admin",
        "dest": "https://test-shop.myshopify.com",
        "aud": "client-id-123",
        "sub": "42",
        "exp": 1700000060,
        "nbf": 1700000000,
        "iat": 1700000000,
        "jti": "00000000-0000-4000-8000-000000000000",
        "sid": "sid-abc",
    }
    assert signing.jwt_hs256(claims, "hush") == VECTOR_D


def test_session_claims_are_shopify_s():
    claims = signing.session_claims("salon-rosa.myshopify.com", "cid", now=1_800_000_000)
    assert claims["iss"] == "https://salon-rosa.myshopify.com/admin"
    assert claims["dest"] == "https://salon-rosa.myshopify.com"
    assert claims["aud"] == "cid"
    assert claims["exp"] - claims["nbf"] == 60 and claims["iat"] == claims["nbf"]
    assert set(claims) == {"iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid"}
    host = signing.host_param("salon-rosa.myshopify.com")
    padded = host + "=" * (-len(host) % 4)
    assert base64.b64decode(padded) == b"admin.shopify.com/store/salon-rosa"


# --- second opinion: Shopify's own library accepts what the fake signs -----------------

SECRET = "fake-shopify-client-secret-of-32-bytes-or-more"
CONFIG = {"client_id": "client-id-123", "client_secret": SECRET, "old_client_secret": None}


def _proxy_url(params):
    return "https://app.example/proxy/offers?" + urlencode(params)


def test_shopifyapp_accepts_the_fake_s_proxy_signature_and_refuses_a_changed_one():
    params = [
        ("extra", "a b"),
        ("extra", "ä/€"),
        ("shop", "salon-rosa.myshopify.com"),
        ("logged_in_customer_id", ""),
        ("path_prefix", "/apps/hushbook"),
        ("timestamp", str(int(time.time()))),
    ]
    signed = [*params, ("signature", signing.proxy_signature(params, SECRET))]
    request = {"method": "POST", "headers": {}, "url": _proxy_url(signed), "body": "{}"}
    result = shopify_app.verify_app_proxy_req(request, CONFIG)
    assert result.ok, result
    tampered = [(k, "b" if (k, v) == ("extra", "a b") else v) for k, v in signed]
    request["url"] = _proxy_url(tampered)
    assert not shopify_app.verify_app_proxy_req(request, CONFIG).ok


def test_shopifyapp_accepts_the_fake_s_session_token_and_refuses_another_secret():
    token = signing.session_token("salon-rosa.myshopify.com", "client-id-123", SECRET)
    request = {
        "method": "GET",
        "headers": {"Authorization": f"Bearer {token}"},
        "url": "https://app.example/api/state",
        "body": "",
    }
    result = shopify_app.verify_app_home_req(request, CONFIG, "/auth/patch-id-token")
    assert result.ok and result.shop == "salon-rosa", result
    wrong = signing.session_token("salon-rosa.myshopify.com", "client-id-123", SECRET + "x")
    request["headers"] = {"Authorization": f"Bearer {wrong}"}
    assert not shopify_app.verify_app_home_req(request, CONFIG, "/auth/patch-id-token").ok


def test_shopifyapp_accepts_the_fake_s_webhook_hmac():
    body = json.dumps({"shop_id": 1, "shop_domain": "salon-rosa.myshopify.com"})
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": signing.webhook_hmac(body.encode(), SECRET),
        "X-Shopify-Topic": "shop/redact",
        "X-Shopify-Shop-Domain": "salon-rosa.myshopify.com",
        "X-Shopify-Webhook-Id": "w-1",
        "X-Shopify-API-Version": "2026-10",
    }
    request = {
        "method": "POST",
        "headers": headers,
        "url": "https://app.example/webhooks",
        "body": body,
    }
    assert shopify_app.verify_webhook_req(request, CONFIG).ok
    request["body"] = body + " "
    assert not shopify_app.verify_webhook_req(request, CONFIG).ok
