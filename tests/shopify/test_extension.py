"""The theme app extension (plugins/shopify/extensions/hushbook-booking) and the
app's TOML, checked offline as far as Shopify's CLI and theme-check would:
layout and limits, both TOML files, Shopify's own linter with its
theme-app-extension configuration, the block script's compressed size, and the
blocks rendered with python-liquid (configuration, escaping, no secret)."""

from __future__ import annotations

import gzip
import html
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from shopify_fake.theme import EXTENSION, Theme, split_schema
from support.components import node, require

ROOT = Path(__file__).resolve().parents[2]
APP_TOML = ROOT / "plugins" / "shopify" / "shopify.app.toml"
E2E = ROOT / "tests" / "e2e"
THEME_CHECK = E2E / "node_modules" / "@shopify" / "theme-check-node"
# What Shopify's CLI accepts in a theme app extension (Shopify/cli theme.ts).
FOLDERS = {
    "assets": {".jpg", ".jpeg", ".json", ".js", ".css", ".png", ".svg", ".wasm"},
    "blocks": {".liquid"},
    "snippets": {".liquid"},
    "locales": {".json"},
}
COMMENT_TAG = re.compile(r"{%-?\s*comment\s*-?%}.*?{%-?\s*endcomment\s*-?%}", re.S)
COMMENT_LINES = re.compile(r"^\s*comment\s*$.*?^\s*endcomment\s*$", re.S | re.M)
ENDPOINTS = ("catalog", "challenge", "offers", "bookings", "confirm")


def config_of(markup: str) -> dict:
    found = re.search(r'data-hushbook-deferred="([^"]*)"', markup)
    assert found, markup
    return json.loads(html.unescape(found.group(1)))


# --- layout, limits and the TOML files -------------------------------------------------------


def test_extension_toml_and_layout_are_what_shopify_deploys():
    toml = tomllib.loads((EXTENSION / "shopify.extension.toml").read_text(encoding="utf-8"))
    assert toml == {"name": "hushbook-booking", "type": "theme"}
    total = liquid = 0
    for path in EXTENSION.rglob("*"):
        if path.is_dir() or path.name == "shopify.extension.toml":
            continue
        rel = path.relative_to(EXTENSION)
        assert len(rel.parts) == 2, f"{rel}: only files directly in {sorted(FOLDERS)}"
        folder, suffix = rel.parts[0], path.suffix
        assert folder in FOLDERS and suffix in FOLDERS[folder], rel
        total += path.stat().st_size
        if suffix == ".liquid":
            liquid += path.stat().st_size
        if folder == "locales":
            assert path.stat().st_size <= 15_000, rel  # Shopify's limit per locale file
    assert total <= 10 * 1024 * 1024, total
    assert liquid <= 100 * 1024, liquid  # the platform's limit for all Liquid together
    print(f"extension: {total:,} bytes, Liquid {liquid:,} bytes")


def test_app_toml_asks_for_one_scope_and_subscribes_the_compliance_topics():
    require("plugins/shopify/shopify.app.toml", APP_TOML.is_file(), "the app server's config")
    toml = tomllib.loads(APP_TOML.read_text(encoding="utf-8"))
    for key in ("client_id", "name", "application_url", "embedded", "handle"):
        assert toml.get(key) not in (None, ""), key
    assert toml["embedded"] is True
    assert toml["application_url"].startswith("https://")
    assert toml["access_scopes"]["scopes"] == "write_app_proxy"
    assert toml["access_scopes"].get("use_legacy_install_flow", False) is False
    webhooks = toml["webhooks"]
    assert re.fullmatch(r"\d{4}-(01|04|07|10)", webhooks["api_version"])
    topics, compliance = set(), set()
    for sub in webhooks["subscriptions"]:
        assert sub["uri"].startswith(("/", "https://")), sub
        topics |= set(sub.get("topics", []))
        compliance |= set(sub.get("compliance_topics", []))
    assert "app/uninstalled" in topics
    assert compliance == {"customers/data_request", "customers/redact", "shop/redact"}
    proxy = toml["app_proxy"]
    assert proxy["prefix"] == "apps" and proxy["subpath"] == "hushbook"
    assert proxy["url"].startswith("/") or proxy["url"].startswith("https://")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,30}", proxy["subpath"])
    # the block's default proxy path is the one this file configures
    for block in ("booking", "embed"):
        _, schema = split_schema((EXTENSION / "blocks" / f"{block}.liquid").read_text())
        default = next(s["default"] for s in schema["settings"] if s["id"] == "proxy_path")
        assert default == f"/{proxy['prefix']}/{proxy['subpath']}", block


def test_block_schemas_name_existing_assets_and_translated_labels():
    schema_texts = {
        lang: json.loads((EXTENSION / "locales" / f"{lang}.schema.json").read_text())
        for lang in ("en.default", "de")
    }
    storefront = {
        lang: json.loads((EXTENSION / "locales" / f"{lang}.json").read_text())
        for lang in ("en.default", "de")
    }

    def has(table: dict, key: str) -> bool:
        for part in key.split("."):
            if not isinstance(table, dict) or part not in table:
                return False
            table = table[part]
        return isinstance(table, str) and table.strip() != ""

    targets = {}
    for path in sorted((EXTENSION / "blocks").glob("*.liquid")):
        liquid, schema = split_schema(path.read_text(encoding="utf-8"))
        targets[path.stem] = schema["target"]
        for key in ("javascript", "stylesheet"):
            assert (EXTENSION / "assets" / schema[key]).is_file(), (path.name, schema[key])
        ids = [s["id"] for s in schema["settings"]]
        assert len(ids) == len(set(ids)) and len(ids) <= 25, ids
        labels = re.findall(r'"t:([a-z_.]+)"', json.dumps(schema))
        assert labels, path.name
        for key in labels:
            for lang, table in schema_texts.items():
                assert has(table, key), (path.name, lang, key)
        for key in re.findall(r"'([a-z_.]+)' \| t\b", liquid):
            for lang, table in storefront.items():
                assert has(table, key), (path.name, lang, key)
    assert targets == {"booking": "section", "embed": "body"}


def test_the_block_script_is_small_and_loads_the_widget_later():
    """Shopify's limit for an app block's script is 10,000 bytes compressed
    (theme-check AssetSizeAppBlockJavaScript); the loader stays far below it and
    the widget itself is fetched only on view or click."""
    loader = (EXTENSION / "assets" / "hushbook-loader.js").read_bytes()
    stylesheet = (EXTENSION / "assets" / "hushbook-booking.css").read_bytes()
    widget = (EXTENSION / "assets" / "hushbook-widget.js").read_bytes()
    sizes = {
        name: (len(data), len(gzip.compress(data, 9)))
        for name, data in (
            ("hushbook-loader.js", loader),
            ("hushbook-booking.css", stylesheet),
            ("hushbook-widget.js", widget),
        )
    }
    for name, (raw, packed) in sizes.items():
        print(f"{name}: {raw:,} bytes, {packed:,} bytes gzip -9")
    assert sizes["hushbook-loader.js"][1] < 10_000
    assert sizes["hushbook-booking.css"][1] < 100_000  # AssetSizeAppBlockCSS
    for block in ("booking", "embed"):
        _, schema = split_schema((EXTENSION / "blocks" / f"{block}.liquid").read_text())
        assert schema["javascript"] == "hushbook-loader.js", block  # not the widget itself
    assert b"IntersectionObserver" in loader and b"HushbookSealing" not in loader


@pytest.mark.system  # starts node
def test_theme_check_is_clean_with_shopify_s_theme_app_extension_config():
    found = node()
    require("Node >= 20", found is not None, "apt-get install nodejs")
    require(
        "@shopify/theme-check-node",
        (THEME_CHECK / "package.json").is_file(),
        "npm ci in tests/e2e",
    )
    config = THEME_CHECK / "configs" / "theme-app-extension.yml"
    script = (
        "const {check} = require('@shopify/theme-check-node');"
        "check(process.argv[1], process.argv[2]).then((offenses) => {"
        "  console.log(JSON.stringify(offenses.map((o) => ({check: o.check, severity: o.severity,"
        "    file: o.uri, message: o.message, line: o.start && o.start.line}))));"
        "}, (error) => { console.error(error); process.exit(2); });"
    )
    done = subprocess.run(
        [found, "-e", script, str(EXTENSION), str(config)],
        cwd=E2E,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    offenses = json.loads(done.stdout.strip().splitlines()[-1])
    version = json.loads((THEME_CHECK / "package.json").read_text())["version"]
    print(f"theme-check {version} (theme-app-extension): {len(offenses)} offenses")
    assert offenses == [], json.dumps(offenses, indent=2)


# --- the blocks rendered as a storefront would ------------------------------------------------


@pytest.fixture(scope="module")
def theme() -> Theme:
    return Theme(asset_base="//cdn.shopify.com/extensions/uid-1/assets/")


def test_booking_block_renders_the_widget_configuration(theme):
    out = theme.render("booking", {"service": 7, "staff": 3, "language": "de", "theme": "dark"})
    config = config_of(out.html)
    assert config == {
        "endpoints": {name: f"/apps/hushbook/{name}" for name in ENDPOINTS},
        "assets": "/apps/hushbook/assets/",
        "lang": "de",
        "theme": "dark",
        "service": 7,
        "staff": 3,
    }
    assert 'data-hushbook-load="view"' in out.html
    assert 'data-hushbook-src="//cdn.shopify.com/extensions/uid-1/assets/hushbook-widget.js"' in (
        out.html
    )
    assert "data-hushbook-config" not in out.html  # the loader activates it on view
    assert "Loading the booking form" in out.html
    assert "translation missing" not in out.html


def test_defaults_come_from_the_block_then_the_app_then_the_storefront(theme):
    plain = config_of(theme.render("booking", {}, locale="de").html)
    assert plain["lang"] == "de" and plain["theme"] == "auto"
    assert "accent" not in plain and "service" not in plain and "staff" not in plain
    shop_defaults = {"language": "en", "theme": "light", "accent": "#0b6e4f"}
    from_app = config_of(
        theme.render("booking", {}, locale="de", metafields={"defaults": shop_defaults}).html
    )
    assert (from_app["lang"], from_app["theme"], from_app["accent"]) == ("en", "light", "#0b6e4f")
    own = config_of(
        theme.render(
            "booking",
            {"language": "de", "theme": "dark", "accent": "#123456"},
            metafields={"defaults": shop_defaults},
        ).html
    )
    assert (own["lang"], own["theme"], own["accent"]) == ("de", "dark", "#123456")
    odd = config_of(
        theme.render(
            "booking",
            {},
            metafields={"defaults": {"language": "xx", "theme": "<b>", "accent": "red"}},
        ).html
    )
    assert (odd["lang"], odd["theme"], "accent" in odd) == ("en", "auto", False)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/apps/booking", "/apps/booking"),
        ("/a/hush_book-2", "/a/hush_book-2"),
        ("  /tools/hushbook  ", "/tools/hushbook"),
        ("/apps/hushbook/", "/apps/hushbook"),
        ("//evil.example/x", "/apps/hushbook"),
        ("https://evil.example/apps", "/apps/hushbook"),
        ("/\\evil.example", "/apps/hushbook"),
        ("/apps/../../evil", "/apps/hushbook"),
        ("/apps/hush%2F..", "/apps/hushbook"),
        ("/apps/hush.book", "/apps/hushbook"),
        ("/apps/a b", "/apps/hushbook"),
        ("/admin/hushbook", "/apps/hushbook"),
        ("/apps/" + "x" * 31, "/apps/hushbook"),
        ('/apps/"><script>', "/apps/hushbook"),
        ("", "/apps/hushbook"),
    ],
)
def test_the_proxy_path_never_leaves_the_shop(theme, path, expected):
    """The form posts the customer's details: its endpoints stay on the shop's
    own app proxy whatever a merchant types into the setting."""
    config = config_of(theme.render("booking", {"proxy_path": path}).html)
    assert config["endpoints"] == {name: f"{expected}/{name}" for name in ENDPOINTS}
    assert config["assets"] == f"{expected}/assets/"


def test_every_merchant_text_is_escaped(theme):
    hostile = "\"><img src=x onerror=alert(1)>'<script>alert(2)</script>&amp;"
    out = theme.render("booking", {"heading": hostile}).html
    assert "<img" not in out and "<script" not in out and "onerror=alert(1)>" not in out
    assert html.escape(hostile) in out
    embed = theme.render("embed", {"label": hostile}).html
    assert "<img" not in embed and "<script" not in embed
    assert html.escape(hostile) in embed
    # the color setting cannot carry markup into the configuration either
    config = config_of(theme.render("booking", {"accent": '#"><x>'}).html)
    assert "accent" not in config


def test_no_secret_or_customer_data_reaches_the_markup(theme):
    """Liquid has nothing secret to print: the configuration holds the public
    proxy paths and display choices only, and no Shopify customer object is used."""
    for block in ("booking", "embed"):
        source = (EXTENSION / "blocks" / f"{block}.liquid").read_text()
        source += (EXTENSION / "snippets" / "hushbook-config.liquid").read_text()
        source = COMMENT_TAG.sub("", COMMENT_LINES.sub("", source))
        assert "comment" not in source
        assert not re.search(r"\b(customer|shop\.metafields|settings\.key|token|secret)\b", source)
        config = config_of(theme.render(block, {"service": 1}).html)
        assert set(config) <= {"endpoints", "assets", "lang", "theme", "accent", "service", "staff"}
        assert "headers" not in config


def test_the_embed_opens_a_dialog_and_loads_on_click(theme):
    out = theme.render("embed", {"position": "left"}, locale="de", block_id="E1").html
    assert '<button\n  type="button"\n  class="hushbook-open hushbook-open--left"' in out
    assert 'data-hushbook-open="hushbook-dialog-E1"' in out
    assert (
        '<dialog id="hushbook-dialog-E1" class="hushbook-dialog" aria-label="Termin buchen">' in out
    )
    assert 'data-hushbook-load="open"' in out and ">Termin buchen</button>" in out
    assert 'aria-label="Schließen"' in out
    assert config_of(out)["lang"] == "de"
    english = theme.render("embed", {"label": "Book now"}).html
    assert ">Book now</button>" in english and "hushbook-open--left" not in english
