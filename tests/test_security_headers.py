"""Headers every answer needs (issue 16): each HTML page refuses framing, is not
sniffed and sends no referrer (confirm and manage pages carry a token in their
address); every answer that carries a token or a secret is ``no-store``.

The HTML pages are found, not listed: every GET route of the URL map is asked
for HTML, with real ids and tokens, and whatever answers in HTML is checked.
"""

from __future__ import annotations

import re

import pytest

from support.api import book_online, confirm_code, make_shop
from support.config import PASSWORD

HTML_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# The pages that must be among those found (a route list that lost them would
# otherwise pass with nothing checked).
EXPECTED_PAGES = {
    "/book/<slug>",
    "/console/",
    "/docs",
    "/v1/public/manage/<token>",
    "/v1/public/bookings/confirm/<token>",
}


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


@pytest.fixture
def manage_token(client, app, shop) -> str:
    booked = book_online(client, shop, email="headers@example.org")
    res = client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
    )
    assert res.status_code == 200, res.json
    return res.json["manage_token"]


def assert_html_headers(res, where: str) -> None:
    for name, value in HTML_HEADERS.items():
        assert res.headers.get(name) == value, (where, name, res.headers.get(name))
    csp = res.headers.get("Content-Security-Policy", "")
    assert re.search(r"frame-ancestors 'none'(;|$)", csp), (where, csp)


def test_every_html_page_refuses_framing_sniffing_and_referrers(client, app, shop, manage_token):
    values = {
        "slug": shop.tenant.slug,
        "filename": "page.css",
        "code": "AbCdEfGh",
        "month": "2026-01",
    }
    ids = {"staff_id": shop.stylists[0].staff.id, "service_id": shop.cut["id"]}
    pages: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        tokens = [manage_token, "not-a-token"] if "token" in rule.arguments else [None]
        for token in tokens:
            args = {**values, **ids, "token": token}
            url = rule.rule
            for name in rule.arguments:
                url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(args.get(name, 1)), url)
            for headers in ({"Accept": "text/html"}, {"Accept": "text/html", **shop.owner.headers}):
                res = client.get(url, headers=headers)
                if res.mimetype == "text/html":
                    assert_html_headers(res, f"{url} ({res.status_code})")
                    pages.add(rule.rule)
                assert res.headers.get("X-Content-Type-Options") == "nosniff", url
    assert EXPECTED_PAGES <= pages, EXPECTED_PAGES - pages


def test_an_html_error_page_too(client, shop):
    res = client.get("/v1/public/bookings/confirm/garbage", headers={"Accept": "text/html"})
    assert res.mimetype == "text/html" and res.status_code >= 400
    assert_html_headers(res, "confirm link error page")


def no_store(res) -> bool:
    return "no-store" in res.headers.get("Cache-Control", "")


def test_answers_with_tokens_or_secrets_are_never_stored(client, app, shop):
    h = shop.owner.headers
    login = {
        "tenant": shop.tenant.slug,
        "email": shop.owner.staff.email,
        "password": PASSWORD,
    }
    answers = {}
    answers["login"] = client.post("/v1/auth/login", json=login)
    pair = answers["login"].json
    answers["refresh"] = client.post(
        "/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    answers["TOTP setup"] = client.post("/v1/auth/totp/setup", headers=h)
    answers["integration key"] = client.post(
        "/v1/integration-keys", json={"name": "k", "scopes": ["tenant:read"]}, headers=h
    )
    invited = client.post(
        "/v1/staff",
        json={"email": "new@salon-a.test", "display_name": "New", "role": "staff"},
        headers=h,
    )
    answers["invite"] = invited
    client.post(f"/v1/staff/{invited.json['id']}/deactivate", headers=h)
    answers["reactivation"] = client.post(f"/v1/staff/{invited.json['id']}/reactivate", headers=h)
    member = shop.member("reception", "pwchange")
    answers["password change"] = client.post(
        "/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "Another-Horse-Battery-7"},
        headers=member.headers,
    )
    booked = book_online(client, shop, email="nostore@example.org")
    answers["public confirm"] = client.post(
        "/v1/public/bookings/confirm",
        json={"booking": booked["booking"], "code": confirm_code(app, booked["booking"])},
    )
    answers["challenge"] = client.post(f"/v1/public/{shop.tenant.slug}/challenge", json={})
    for what, res in answers.items():
        assert res.status_code in (200, 201), (what, res.status_code, res.get_data()[:200])
        assert no_store(res), (what, res.headers.get("Cache-Control"))
    # …and so is every other API answer (personal data is no cache's business)
    for url in ("/v1/tenant", "/v1/appointments", "/v1/clients", "/v1/auth/me"):
        assert no_store(client.get(url, headers=h)), url
    # static files keep their own caching
    static = client.get("/static/page.css")
    assert static.status_code == 200 and not no_store(static)
