"""A salon's page: its public profile and currency in /v1/tenant (validated), the
public catalog, and /book/{slug} with title, description and Open Graph tags
inside its strict CSP."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from support.api import make_shop, patch_tenant

PROFILE = {
    "address": "Hauptstraße 1\n10115 Berlin",
    "phone": "+49 30 1234567",
    "opening_hours": "Di–Fr 9–18 Uhr\nSa 9–14 Uhr",
    "description": "Schnitt, Farbe und Pflege in Mitte. " * 8,
    "accent_colour": "#7A3E9D",
    "imprint_url": "https://salon-a.example/impressum",
    "privacy_url": "https://salon-a.example/datenschutz",
    "currency": "chf",
    "manage_deadline_hours": 48,
}


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


def _patch(client, shop, body):
    etag = client.get("/v1/tenant", headers=shop.owner.headers).headers["ETag"]
    return client.patch("/v1/tenant", json=body, headers={**shop.owner.headers, "If-Match": etag})


def test_defaults_and_the_profile_round_trip(client, shop):
    fresh = client.get("/v1/tenant", headers=shop.owner.headers).json
    assert fresh["currency"] == "EUR" and fresh["manage_deadline_hours"] == 24
    assert fresh["address"] == fresh["imprint_url"] == fresh["accent_colour"] == ""
    saved = patch_tenant(client, shop, {**PROFILE, "address": "  Hauptstraße 1\n10115 Berlin "})
    assert saved["currency"] == "CHF" and saved["accent_colour"] == "#7a3e9d"
    assert saved["address"] == PROFILE["address"]  # trimmed
    assert saved["manage_deadline_hours"] == 48
    cleared = patch_tenant(client, shop, {"imprint_url": "", "accent_colour": "", "phone": ""})
    assert (
        cleared["imprint_url"] == "" and cleared["accent_colour"] == "" and cleared["phone"] == ""
    )


@pytest.mark.parametrize(
    "body",
    [
        {"imprint_url": "http://salon-a.example/impressum"},  # https only
        {"privacy_url": "javascript:alert(1)"},
        {"privacy_url": "data:text/html,<script>alert(1)</script>"},
        {"imprint_url": "https://" + "a" * 600 + ".example"},
        {"accent_colour": "red"},
        {"accent_colour": "#12345"},
        {"accent_colour": "#1234567"},
        {"accent_colour": "#12345g"},
        {"currency": "DEM"},  # not in use any more
        {"currency": "XXX"},
        {"currency": "EURO"},
        {"currency": 978},
        {"phone": "call me"},
        {"phone": "+49 30 <b>1</b>"},
        {"address": "x" * 301},
        {"description": "x" * 2001},
        {"opening_hours": "x" * 1001},
        {"manage_deadline_hours": -1},
        {"manage_deadline_hours": 337},
        {"manage_deadline_hours": "24"},
    ],
)
def test_hostile_profile_values_are_refused(client, shop, body):
    res = _patch(client, shop, body)
    assert res.status_code == 422, (body, res.json)
    assert list(body) == list(res.json["errors"]["json"]), res.json


def test_only_who_may_write_the_settings_changes_the_profile(client, shop):
    staff = shop.stylists[0]
    etag = client.get("/v1/tenant", headers=shop.owner.headers).headers["ETag"]
    res = client.patch(
        "/v1/tenant", json={"phone": "+49 1"}, headers={**staff.headers, "If-Match": etag}
    )
    assert res.status_code == 403


def test_the_catalog_carries_the_profile_and_currency(client, shop):
    patch_tenant(client, shop, PROFILE)
    catalog = client.get("/v1/public/salon-a/catalog").json
    assert catalog["currency"] == "CHF"
    for key in ("address", "phone", "opening_hours", "description", "imprint_url", "privacy_url"):
        assert catalog[key] == PROFILE[key].strip(), key
    assert catalog["accent_colour"] == "#7a3e9d"
    assert "manage_deadline_hours" not in catalog  # settings stay the salon's


def test_book_page_shows_the_salon_with_title_description_and_open_graph(client, shop):
    patch_tenant(client, shop, {**PROFILE, "name": "Salon A & Co"})
    page = client.get("/book/salon-a?lang=de")
    text = page.text
    assert page.status_code == 200
    assert "<title>Salon A &amp; Co – Termin buchen</title>" in text
    description = re.search(r'<meta name="description" content="([^"]*)">', text).group(1)
    assert description.startswith("Schnitt, Farbe und Pflege") and len(description) <= 160
    assert description.endswith("…")
    og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', text))
    assert og["title"] == "Salon A &amp; Co – Termin buchen" and og["type"] == "website"
    assert og["url"].endswith("/book/salon-a") and og["locale"] == "de_DE"
    assert og["description"] == description
    assert "noindex" not in text  # the salon's web presence may be found
    for shown in ("Hauptstraße 1", "10115 Berlin", "Sa 9–14 Uhr", "Öffnungszeiten"):
        assert shown in text, shown
    assert 'href="tel:+49301234567"' in text
    assert 'href="https://salon-a.example/impressum"' in text and ">Impressum<" in text
    assert 'href="https://salon-a.example/datenschutz"' in text and ">Datenschutz<" in text
    # The accent colour within the CSP: a data attribute (page.js sets it through the
    # CSSOM) and the widget's config (the widget does the same); no inline style.
    assert '<html lang="de" data-accent="#7a3e9d">' in text
    raw = re.search(r'data-hushbook-config="([^"]*)"', text).group(1)
    assert json.loads(html_lib.unescape(raw))["accent"] == "#7a3e9d"
    assert " style=" not in text and "<style" not in text and "<script>" not in text
    csp = page.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    english = client.get("/book/salon-a?lang=en").text
    assert "Opening hours" in english and ">Imprint<" in english
    assert '<meta property="og:locale" content="en_GB">' in english


def test_book_page_without_a_profile_says_what_it_is(client, shop):
    text = client.get("/book/salon-a?lang=en").text
    assert '<meta name="description" content="Book an appointment at' in text
    assert "data-accent" not in text and "Opening hours" not in text
    assert "hb-footer" not in text  # no links given: no footer


def test_book_page_escapes_the_profile(client, shop):
    patch_tenant(
        client,
        shop,
        {"description": '"><script>alert(1)</script>', "opening_hours": "<img src=x onerror=1>"},
    )
    text = client.get("/book/salon-a?lang=en").text
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;" in text and 'content="&#34;&gt;&lt;script&gt;' in text
