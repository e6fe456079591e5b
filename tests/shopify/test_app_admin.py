"""The embedded admin: session tokens on every request, the patch-ID-token
route, token exchange on first open and refresh before expiry, settings with a
write-only key."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from hushbook_shopify.models import Shop, database
from shopify_fake import signing
from support.shopify_app import (
    CLIENT_ID,
    OTHER_SHOP,
    SECRET,
    SHOP,
    app_home_query,
    bearer,
    open_admin,
)

KEY = "hbk_live_" + "k" * 40


def shop_row(domain: str = SHOP) -> Shop | None:
    database.connect(reuse_if_open=True)
    try:
        return Shop.get_or_none(Shop.shop_domain == domain)
    finally:
        database.close()


def shop_count() -> int:
    database.connect(reuse_if_open=True)
    try:
        return Shop.select().count()
    finally:
        database.close()


# --- document loads -------------------------------------------------------------------


def test_first_open_exchanges_for_an_expiring_offline_pair(client, fake_oauth, shop_app):
    response = open_admin(client)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith(f"frame-ancestors https://{SHOP} https://admin.shopify.com;")
    assert "script-src 'self' https://cdn.shopify.com" in csp
    assert "app-bridge.js" in response.headers["Link"]
    assert "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert f'<meta name="shopify-api-key" content="{CLIENT_ID}">' in page
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>' in page
    assert "<script>" not in page  # no inline script (CSP)
    assert fake_oauth.calls == ["urn:ietf:params:oauth:grant-type:token-exchange"]

    row = shop_row()
    keys = shop_app.extensions["hushbook_shopify"].settings.data_keys
    access, refresh = fake_oauth.issued
    assert row.secret(keys, "access_token") == access
    assert row.secret(keys, "refresh_token") == refresh
    assert access not in row.access_token_enc and refresh not in row.refresh_token_enc
    assert row.scopes == "write_app_proxy" and row.installed
    assert 3500 < (row.access_token_expires - row.installed_at).total_seconds() <= 3601
    assert row.refresh_token_expires > row.access_token_expires

    assert open_admin(client).status_code == 200  # fresh: no second exchange
    assert len(fake_oauth.calls) == 1


def test_refresh_before_expiry_rotates_the_pair(client, fake_oauth, shop_app):
    keys = shop_app.extensions["hushbook_shopify"].settings.data_keys
    open_admin(client)
    first_refresh = shop_row().secret(keys, "refresh_token")
    later = time.time() + 3600 - 30  # less than a minute left
    fake_oauth.now = lambda: later
    with time_machine.travel(later, tick=False):
        assert client.get("/api/state", headers=bearer()).status_code == 200
    assert fake_oauth.calls[-1] == "refresh_token"
    row = shop_row()
    assert row.secret(keys, "refresh_token") not in (first_refresh, None)
    assert row.secret(keys, "access_token") == fake_oauth.issued[-2]  # the new pair, both fields
    assert row.secret(keys, "refresh_token") == fake_oauth.issued[-1]


def test_a_refused_refresh_falls_back_to_token_exchange(client, fake_oauth, shop_app):
    open_admin(client)
    fake_oauth.pairs.clear()  # Shopify no longer knows the refresh token
    later = time.time() + 4000
    fake_oauth.now = lambda: later
    with time_machine.travel(later, tick=False):
        assert open_admin(client).status_code == 200
    assert fake_oauth.calls[-2:] == [
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ]


def test_stale_subject_token_sends_the_page_to_the_patch_route(client, fake_oauth):
    fake_oauth.now = lambda: time.time() + 120  # Shopify thinks the token expired
    response = open_admin(client)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/patch-id-token"
    assert "id_token" not in response.headers["Location"]
    row = shop_row()
    assert row is not None and row.access_token_enc is None  # nothing half-stored
    # a fetch gets the retry header instead
    api = client.get("/api/state", headers=bearer())
    assert api.status_code == 401
    assert api.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"


def test_uninstalled_app_gets_no_token_and_a_plain_answer(client, fake_oauth):
    fake_oauth.uninstall(SHOP)
    response = open_admin(client)
    assert response.status_code == 503 and "reinstall" in response.get_data(as_text=True)


def test_document_without_id_token_goes_to_the_patch_page(client):
    query = app_home_query(id_token=None)
    response = client.get("/?" + query)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/patch-id-token"
    params = parse_qs(location.query)
    assert params["shop"] == [SHOP]
    assert params["shopify-reload"][0].startswith("/?")
    assert shop_count() == 0

    patch = client.get(response.headers["Location"])
    assert patch.status_code == 200
    assert patch.headers["Content-Security-Policy"].startswith(
        f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    )
    body = patch.get_data(as_text=True)
    assert f'data-api-key="{CLIENT_ID}"' in body
    assert 'src="https://cdn.shopify.com/shopifycloud/app-bridge.js"' in body


@pytest.mark.parametrize(
    "query",
    [
        "shop=evil.example.com&shopify-reload=%2F",  # not a shop
        f"shop={SHOP}&shopify-reload=https%3A%2F%2Fevil.example%2F",  # not a path of ours
        f"shop={SHOP}&shopify-reload=%2F%2Fevil.example%2F",
        f"shop={SHOP}",
    ],
)
def test_patch_page_refuses_bad_parameters(client, query):
    assert client.get("/auth/patch-id-token?" + query).status_code == 400


def test_app_bridge_url_is_a_setting(shop_app, shopify_env, fake_oauth):
    import httpx

    from hushbook_shopify import create_app
    from hushbook_shopify.config import load_settings

    env = {**shopify_env, "HUSHBOOK_SHOPIFY_APP_BRIDGE_URL": "https://cdn.example.test/ab.js"}
    http = httpx.Client(transport=httpx.WSGITransport(app=fake_oauth.app()))
    app = create_app(load_settings(env), shopify_http=http)
    page = app.test_client().get("/?" + app_home_query())
    assert '<script src="https://cdn.example.test/ab.js"></script>' in page.get_data(as_text=True)
    assert "script-src 'self' https://cdn.example.test;" in page.headers["Content-Security-Policy"]


# --- hostile session tokens -------------------------------------------------------------


def forged(**change) -> str:
    claims = signing.session_claims(SHOP, CLIENT_ID)
    header = change.pop("header", None)
    secret = change.pop("secret", SECRET)
    claims.update(change)
    claims = {k: v for k, v in claims.items() if v is not None}
    return signing.jwt_hs256(claims, secret, header)


def none_alg() -> str:
    token = forged(header={"alg": "none", "typ": "JWT"})
    return token.rsplit(".", 1)[0] + "."


NOW = int(time.time())
HOSTILE = {
    "expired": forged(exp=NOW - 30, nbf=NOW - 90, iat=NOW - 90),
    "not yet valid": forged(nbf=NOW + 60, iat=NOW + 60, exp=NOW + 120),
    "wrong audience": forged(aud="another-app"),
    "wrong secret": forged(secret="x" * 40),
    "alg none": none_alg(),
    "alg HS512": forged(header={"alg": "HS512", "typ": "JWT"}),
    "alg RS256": forged(header={"alg": "RS256", "typ": "JWT"}),
    "iss of another shop": forged(iss=f"https://{OTHER_SHOP}/admin"),
    "dest not a shop": forged(
        dest="https://evil.example.com", iss="https://evil.example.com/admin"
    ),
    "dest over http": forged(dest=f"http://{SHOP}", iss=f"http://{SHOP}/admin"),
    "no sub": forged(sub=None),
    "no exp": forged(exp=None),
    "garbage": "not.a.token",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_session_tokens_are_refused_and_store_nothing(client, fake_oauth, name):
    response = client.get("/api/state", headers={"Authorization": f"Bearer {HOSTILE[name]}"})
    assert response.status_code == 401, name
    assert response.headers.get("X-Shopify-Retry-Invalid-Session-Request") == "1"
    saved = client.post(
        "/api/settings",
        json={"service_url": "https://evil.example"},
        headers={"Authorization": f"Bearer {HOSTILE[name]}"},
    )
    assert saved.status_code == 401
    assert shop_count() == 0 and fake_oauth.calls == []


def test_token_of_another_shop_than_the_query_names(client, fake_oauth):
    query = app_home_query(id_token=signing.session_token(OTHER_SHOP, CLIENT_ID, SECRET))
    assert "shop=salon-rosa" in query
    response = client.get("/?" + query)
    assert response.status_code == 401
    assert shop_count() == 0 and fake_oauth.calls == []


def test_api_without_a_token(client):
    response = client.get("/api/state")
    assert response.status_code == 401 and shop_count() == 0
    response = client.get("/api/state", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_each_shop_sees_only_its_own_settings(client):
    client.post("/api/settings", json={"tenant_slug": "salon-rosa"}, headers=bearer())
    other = client.get("/api/state", headers=bearer(OTHER_SHOP)).get_json()
    assert other["shop"] == OTHER_SHOP and other["settings"]["tenant_slug"] == ""
    assert client.get("/api/state", headers=bearer()).get_json()["settings"]["tenant_slug"] == (
        "salon-rosa"
    )


# --- settings ---------------------------------------------------------------------------


def test_settings_save_and_the_key_is_write_only(client, shop_app):
    body = {
        "service_url": "https://book.example.org/",
        "tenant_slug": "salon-rosa",
        "integration_key": KEY,
        "language": "de",
        "theme": "dark",
        "accent": "#AA3366",
    }
    response = client.post("/api/settings?lang=de", json=body, headers=bearer())
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["message"] == "Gespeichert."
    assert data["settings"] == {
        "service_url": "https://book.example.org",
        "tenant_slug": "salon-rosa",
        "key_stored": True,
        "key_saved_at": data["settings"]["key_saved_at"],
        "language": "de",
        "theme": "dark",
        "accent": "#aa3366",
    }
    assert data["console_url"] == "https://book.example.org/console/?salon=salon-rosa&lang=de"
    assert data["theme_editor"]["page"] == (
        f"https://{SHOP}/admin/themes/current/editor?template=page"
        f"&addAppBlockId={CLIENT_ID}/booking&target=newAppsSection"
    )
    assert KEY not in response.get_data(as_text=True)
    state = client.get("/api/state", headers=bearer())
    assert KEY not in state.get_data(as_text=True) and state.get_json()["settings"]["key_stored"]
    row = shop_row()
    assert KEY not in row.integration_key_enc
    keys = shop_app.extensions["hushbook_shopify"].settings.data_keys
    assert row.secret(keys, "integration_key") == KEY

    # an empty key keeps the stored one; remove_key removes it
    client.post("/api/settings", json={"integration_key": "", "theme": "light"}, headers=bearer())
    assert shop_row().secret(keys, "integration_key") == KEY
    removed = client.post("/api/settings", json={"remove_key": True}, headers=bearer()).get_json()
    assert removed["settings"]["key_stored"] is False and shop_row().integration_key_enc is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("service_url", "ftp://book.example.org"),
        ("service_url", "https://user:pw@book.example.org"),
        ("service_url", "https://book.example.org/?x=1"),
        ("service_url", "javascript:alert(1)"),
        ("tenant_slug", "Salon Rosa"),
        ("tenant_slug", "<script>"),
        ("integration_key", "short"),
        ("integration_key", "with space " + "k" * 20),
        ("language", "fr"),
        ("theme", "neon"),
        ("accent", "red"),
        ("accent", 123),
    ],
)
def test_settings_validation(client, field, value):
    response = client.post("/api/settings", json={field: value}, headers=bearer())
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert shop_row().service_url == "" and shop_row().integration_key_enc is None


def test_settings_need_a_json_object(client):
    for kwargs in (
        {"data": "service_url=x"},
        {"json": ["x"]},
        {"data": "{", "content_type": "application/json"},
    ):
        response = client.post("/api/settings", headers=bearer(), **kwargs)
        assert response.status_code == 400


def test_page_in_german_for_a_german_admin(client):
    page = client.get("/?" + app_home_query(locale="de-DE")).get_data(as_text=True)
    assert '<html lang="de">' in page and "Salon verbinden" in page
    assert "Vorschlag für Ihre Datenschutzerklärung" in page
    assert "When you book an appointment in this shop" in page  # both texts offered


def test_look_defaults_reach_the_theme_as_the_apps_metafield(client, fake_oauth):
    body = {"language": "de", "theme": "dark", "accent": "#aa3366"}
    data = client.post("/api/settings", json=body, headers=bearer()).get_json()
    assert data["defaults_published"] is True
    assert fake_oauth.metafields[SHOP]["defaults"] == body
    # Shopify refuses the token (e.g. revoked): the settings are still saved, and said so
    fake_oauth.pairs.clear()
    data = client.post("/api/settings", json={"theme": "light"}, headers=bearer()).get_json()
    assert data["defaults_published"] is False and data["settings"]["theme"] == "light"
    assert "could not be passed to your theme" in data["message"]
    assert fake_oauth.metafields[SHOP]["defaults"]["theme"] == "dark"
    # saving only the connection writes nothing to Shopify
    calls = len(fake_oauth.calls)
    client.post("/api/settings", json={"tenant_slug": "salon-rosa"}, headers=bearer())
    assert (
        "defaults_published"
        not in client.post(
            "/api/settings", json={"tenant_slug": "salon-rosa"}, headers=bearer()
        ).get_json()
    )
    assert len(fake_oauth.calls) == calls


def test_redirects_use_the_apps_public_origin(client):
    """Behind a TLS-terminating proxy the WSGI server sees http://localhost."""
    response = client.get("/?" + app_home_query(id_token=None))
    assert response.headers["Location"].startswith(
        "https://shopify-app.hushbook.test/auth/patch-id-token?"
    )
