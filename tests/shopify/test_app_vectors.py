"""Shopify's published vectors (and the notes' self-made ones) through the app's
one adapter, ``hushbook_shopify.shopify_auth``, with a frozen clock. The fake
Shopify's own signers are checked against the same vectors
(``test_fake_signers.py``), so the two cannot agree on a wrong algorithm."""

from __future__ import annotations

import base64

import pytest
import time_machine

from hushbook_shopify.config import load_settings
from hushbook_shopify.shopify_auth import ShopifyAuth

DATA_KEY = base64.urlsafe_b64encode(b"v" * 32).decode()
# The published vectors use the short secret "hush"; PyJWT warns about its length.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def auth(
    secret: str = "hush",  # noqa: S107
    client_id: str = "client-id-123",
    old: str | None = None,
):
    settings = load_settings(
        {
            "SHOPIFY_API_KEY": client_id,
            "SHOPIFY_API_SECRET": secret,
            "HUSHBOOK_SHOPIFY_DATA_KEY": DATA_KEY,
            **({"SHOPIFY_OLD_API_SECRET": old} if old else {}),
        }
    )
    return ShopifyAuth(settings)


# --- B. app proxy signature (shopify.dev "Authenticate app proxies") --------------------

PROXY_QUERY = (
    "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1"
    "&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555"
)
PROXY_SIGNATURE = "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
PROXY_URL = f"https://app.example/proxy/x?{PROXY_QUERY}&signature={PROXY_SIGNATURE}"


def test_proxy_vector_accepted_within_90_seconds():
    with time_machine.travel(1317327555 + 30, tick=False):
        verdict = auth().verify_proxy(PROXY_URL)
    assert verdict.ok and verdict.shop == "shop-name.myshopify.com"
    assert verdict.logged_in_customer  # named, but the id itself is not kept


@pytest.mark.parametrize("offset", [91, -91, 3600])
def test_proxy_vector_outside_the_window(offset):
    with time_machine.travel(1317327555 + offset, tick=False):
        verdict = auth().verify_proxy(PROXY_URL)
    assert not verdict.ok and verdict.status == 401


def test_proxy_vector_during_secret_rotation():
    with time_machine.travel(1317327555, tick=False):
        assert auth("new-secret-after-rotation", old="hush").verify_proxy(PROXY_URL).ok
        assert not auth("new-secret-after-rotation").verify_proxy(PROXY_URL).ok


@pytest.mark.parametrize(
    "url",
    [
        PROXY_URL.replace("extra=2", "extra=3"),  # tampered value
        PROXY_URL.replace("shop-name", "other-shop"),  # another shop
        PROXY_URL + "&extra=4",  # an added value
        PROXY_URL.replace(PROXY_SIGNATURE, PROXY_SIGNATURE.upper()),
        PROXY_URL.replace(f"&signature={PROXY_SIGNATURE}", ""),
    ],
)
def test_proxy_vector_tampered(url):
    with time_machine.travel(1317327555, tick=False):
        assert not auth().verify_proxy(url).ok


@pytest.mark.parametrize("name", ["shop", "timestamp", "signature", "path_prefix"])
def test_proxy_duplicated_parameter_refused(name):
    value = {"shop": "shop-name.myshopify.com", "timestamp": "1317327555"}.get(name, "x")
    with time_machine.travel(1317327555, tick=False):
        verdict = auth().verify_proxy(f"{PROXY_URL}&{name}={value}")
    assert not verdict.ok and verdict.status == 401 and verdict.code == f"duplicate_{name}"


# --- C. webhook HMAC (raw body bytes) --------------------------------------------------

BODY = b'{"shop_id":954889,"shop_domain":"{shop}.myshopify.com"}'
HMAC_C1 = "1ZkWm9gpyI+Zsjon2nUm8nnAH7b3L7SlOH1XnEEuq7o="
HMAC_C2 = "kF51lUmKL9CJaZgpFTQcKMfH/AkKccYQN9dD05lk0jk="


def hook_headers(hmac_value: str) -> dict[str, str]:
    return {"X-Shopify-Hmac-Sha256": hmac_value, "X-Shopify-Shop-Domain": "test-shop.myshopify.com"}


def test_webhook_vectors_are_over_the_raw_bytes():
    a = auth()
    assert a.verify_webhook("POST", hook_headers(HMAC_C1), BODY).ok
    assert a.verify_webhook("POST", hook_headers(HMAC_C2), BODY + b"\n").ok
    # the same JSON with one more byte is another message
    refused = a.verify_webhook("POST", hook_headers(HMAC_C1), BODY + b"\n")
    assert not refused.ok and refused.status == 401
    assert a.verify_webhook("POST", hook_headers("AAAA"), BODY).status == 401
    assert (
        a.verify_webhook("POST", {"X-Shopify-Shop-Domain": "t.myshopify.com"}, BODY).status == 400
    )
    assert a.verify_webhook("GET", hook_headers(HMAC_C1), BODY).status == 405


# --- D. session token (HS256) ----------------------------------------------------------

TOKEN_D = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Rlc3Qtc2hvcC5teXNob3BpZnkuY29tL2FkbWluIiwiZGVzdCI6Imh0"
    "dHBzOi8vdGVzdC1zaG9wLm15c2hvcGlmeS5jb20iLCJhdWQiOiJjbGllbnQtaWQtMTIzIiwic3ViIjoiNDIiLCJleHAiOjE3MDAwMDAwNjAsIm5iZiI6"
    "MTcwMDAwMDAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCJzaWQiOiJzaWQtYWJj"
    "In0.-c_vN3h38ky7_ZIwPYFTL_6MSlW7Jx-tjW10mM4YdQI"
)


def test_session_token_vector():
    with time_machine.travel(1700000030, tick=False):
        verdict = auth().verify_app_home(
            "GET", "https://app.example/api/state", {"Authorization": f"Bearer {TOKEN_D}"}, "/p"
        )
    assert verdict.ok and verdict.shop == "test-shop.myshopify.com"
    assert verdict.claims["sub"] == "42"


@pytest.mark.parametrize("at", [1700000060 + 11, 1700000000 - 11])
def test_session_token_vector_outside_its_life(at):
    with time_machine.travel(at, tick=False):
        verdict = auth().verify_app_home(
            "GET", "https://app.example/api/state", {"Authorization": f"Bearer {TOKEN_D}"}, "/p"
        )
    assert not verdict.ok and verdict.status == 401
    assert verdict.headers.get("X-Shopify-Retry-Invalid-Session-Request") == "1"


def test_session_token_vector_other_audience_or_secret():
    with time_machine.travel(1700000030, tick=False):
        for a in (auth(client_id="another-app"), auth(secret="not-hush")):
            verdict = a.verify_app_home(
                "GET", "https://app.example/", {"Authorization": f"Bearer {TOKEN_D}"}, "/p"
            )
            assert not verdict.ok and verdict.status == 401
