"""The booking widget's sources, its built copies and the service's /book/{slug} page."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.api import make_shop

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "plugins" / "widget" / "src"


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


def config_of(page: str) -> dict:
    raw = re.search(r'data-hushbook-config="([^"]*)"', page).group(1)
    return json.loads(html.unescape(raw))


@pytest.mark.system  # plugins/widget/build.py runs as a process
def test_built_copies_match_the_sources():
    """One source of truth: the service and the WordPress plugin ship what src/ says."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "plugins/widget/build.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_language_file_has_every_text_the_widget_uses():
    used = set(re.findall(r"\bt\.([a-z_0-9]+)\b", (SRC / "widget.js").read_text()))
    used |= set(re.findall(r'\bt\["([a-z_0-9]+)"\]', (SRC / "widget.js").read_text()))
    used |= {"morning", "afternoon", "evening"}  # looked up as t[part]
    languages = {p.stem: json.loads(p.read_text()) for p in (SRC / "i18n").glob("*.json")}
    assert {"de", "en"} <= set(languages)
    for lang, texts in languages.items():
        assert used <= set(texts), (lang, sorted(used - set(texts)))
        assert set(texts) == set(languages["en"]), lang
        assert len(texts["weekday_names"]) == 7
        placeholders = {k: set(re.findall(r"\{\w+\}", str(v))) for k, v in texts.items()}
        english = {k: set(re.findall(r"\{\w+\}", str(v))) for k, v in languages["en"].items()}
        assert placeholders == english, lang


def test_widget_never_uses_inner_html_or_eval():
    """Text from the service (names, notices) reaches the DOM as text only."""
    for name in ("widget.js", "pow-worker.js", "loader.js"):
        source = (SRC / name).read_text()
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function"):
            assert banned not in source, (name, banned)


def test_book_page_embeds_the_widget_for_that_business(client, shop):
    page = client.get("/book/salon-a", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert '<html lang="en">' in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "unsafe" not in csp
    assert page.headers["Cache-Control"] == "no-store"
    config = config_of(page.text)
    assert config["lang"] == "en"
    assert config["endpoints"]["catalog"] == "/v1/public/salon-a/catalog"
    assert config["endpoints"]["confirm"] == "/v1/public/bookings/confirm"
    for url in config["endpoints"].values():
        assert client.options(url).status_code in (200, 204)  # real routes
    assert config["assets"] == "/static/widget/"
    assert "headers" not in config  # the standalone page holds no secret and no nonce


def test_book_page_language_and_unknown_business(client, shop):
    de = client.get("/book/salon-a?lang=de", headers={"Accept-Language": "en"})
    assert config_of(de.text)["lang"] == "de" and '<html lang="de">' in de.text
    missing = client.get("/book/nobody", headers={"Accept-Language": "de"})
    assert missing.status_code == 404 and "gibt es nicht" in missing.text
    assert "data-hushbook-config" not in missing.text


def test_book_page_escapes_the_business_name(client, app, shop):
    from hushbook_service.models import Tenant

    with app.app_context():
        Tenant.update(name='<script>alert("x")</script> & Co').where(
            Tenant.slug == "salon-a"
        ).execute()
    page = client.get("/book/salon-a").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/static/widget/hushbook-widget.js", "text/javascript"),
        ("/static/widget/hushbook-pow-worker.js", "text/javascript"),
        ("/static/widget/hushbook-widget.css", "text/css"),
        ("/static/widget/i18n/de.json", "application/json"),
        ("/static/page.css", "text/css"),
    ],
)
def test_widget_assets_are_served(client, path, mimetype):
    res = client.get(path)
    assert res.status_code == 200 and res.mimetype == mimetype
    res.close()
