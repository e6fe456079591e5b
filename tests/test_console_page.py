"""The staff console's sources, its built copy and the service's /console/ page.

The browser side (sign-in, vault, day view, actions, axe-core) is tested end to
end in tests/e2e/test_console.py.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "plugins" / "console" / "src"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@pytest.mark.system  # plugins/console/build.py runs as a process
def test_built_console_matches_the_sources():
    """The service ships what plugins/console (and the widget's sealing.js) say."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "plugins/console/build.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def console_source() -> str:
    """The core and every screen (what plugins/console/build.py bundles)."""
    files = [SRC / "console.js", *sorted((SRC / "screens").glob("*.js"))]
    return "\n".join(p.read_text() for p in files)


def languages() -> dict[str, dict[str, str]]:
    """Each language's texts, merged as the build merges them."""
    out: dict[str, dict[str, str]] = {}
    for folder in (SRC / "i18n").iterdir():
        for part in folder.glob("*.json"):
            out.setdefault(folder.name, {}).update(json.loads(part.read_text()))
    return out


def texts_used() -> set[str]:
    source = console_source()
    used = set(re.findall(r'\btr\("([a-z_0-9]*[a-z0-9])"', source))  # not tr("status_" + …)
    # Keys handed to the core by name (registerScreen's label, field labels …).
    used |= set(re.findall(r'\b(?:label|labelKey|textKey): "([a-z_0-9]*[a-z0-9])"', source))
    used |= {f"status_{s}" for s in ("pending", "confirmed", "completed", "no_show")}
    used |= {f"status_{s}" for s in ("cancelled", "expired")}
    used |= {f"role_{r}" for r in ("owner", "manager", "reception", "staff", "accountant")}
    used |= {f"source_{s}" for s in ("online", "phone", "walk_in", "staff")}
    used |= {f"act_{a}" for a in ("confirm", "complete", "no_show", "cancel")}
    used |= {f"done_{a}" for a in ("confirm", "complete", "no_show", "cancel")}
    return used


def test_every_language_file_has_every_text_the_console_uses():
    langs = languages()
    assert {"de", "en"} <= set(langs)
    used = texts_used()
    assert len(used) > 60
    english = {k: set(re.findall(r"\{\w+\}", str(v))) for k, v in langs["en"].items()}
    for lang, texts in langs.items():
        assert used <= set(texts), (lang, sorted(used - set(texts)))
        assert set(texts) == set(langs["en"]), lang
        placeholders = {k: set(re.findall(r"\{\w+\}", str(v))) for k, v in texts.items()}
        assert placeholders == english, lang


def audit_actions_recorded() -> set[str]:
    """Every action the service writes to the audit trail (its calls of audit.record)."""
    service = ROOT / "service" / "hushbook_service"
    source = "\n".join(p.read_text() for p in service.rglob("*.py"))
    return set(re.findall(r'audit\.record\(\s*[^,()]+,\s*"([a-z_]+\.[a-z_]+)"', source))


def test_the_audit_screen_names_every_action_the_service_records():
    """The audit trail's filter and labels follow the service: a new kind of event
    without a label in both languages fails here, not in front of an owner."""
    listed = re.search(r"var AUDIT_ACTIONS = \[(.*?)\];", console_source(), re.S)
    assert listed, "AUDIT_ACTIONS not found in the audit screen"
    in_console = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', listed.group(1)))
    recorded = audit_actions_recorded()
    assert len(recorded) > 30
    assert in_console == recorded, (sorted(recorded - in_console), sorted(in_console - recorded))
    for lang, texts in languages().items():
        missing = [a for a in recorded if "audit_action_" + a.replace(".", "_") not in texts]
        assert not missing, (lang, missing)


def test_the_message_log_names_every_kind_of_message_the_service_sends():
    from hushbook_service.models import MESSAGE_KINDS, MESSAGE_STATES

    source = console_source()
    kinds = re.search(r"var MESSAGES_KINDS = \[(.*?)\];", source, re.S)
    states = re.search(r"var MESSAGES_STATES = \[(.*?)\];", source, re.S)
    assert kinds and states
    assert re.findall(r'"([a-z_0-9]+)"', kinds.group(1)) == list(MESSAGE_KINDS)
    assert re.findall(r'"([a-z_0-9]+)"', states.group(1)) == list(MESSAGE_STATES)
    for lang, texts in languages().items():
        missing = [k for k in MESSAGE_KINDS if f"messages_kind_{k}" not in texts]
        missing += [s for s in MESSAGE_STATES if f"messages_state_{s}" not in texts]
        assert not missing, (lang, missing)


def test_console_never_uses_inner_html_eval_or_storage():
    """Names reach the DOM as text only; tokens, keys and names never reach storage."""
    source = console_source() + (SRC / "vault.js").read_text()
    for banned in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "eval(",
        "new Function",
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "document.cookie",
        "caches.",
    ):
        assert banned not in source, banned
    assert 'credentials: "omit"' in source


def test_console_page_headers_and_config(client):
    page = client.get("/console/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Content-Security-Policy"] == CSP
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert '<html lang="en">' in page.text
    raw = re.search(r'data-config="([^"]*)"', page.text).group(1)
    assert json.loads(html.unescape(raw)) == {
        "api": "/v1",
        "assets": "/static/console/",
        "lang": "en",
    }
    # Only this origin: every src/href is a path, no inline script or style.
    for url in re.findall(r'(?:src|href)="([^"]*)"', page.text):
        assert url.startswith("/static/console/"), url
    assert "<style" not in page.text and " style=" not in page.text
    assert re.findall(r"<script[^>]*>\s*</script>", page.text) == [
        '<script src="/static/console/hushbook-console.js" defer></script>'
    ]


def test_console_page_language(client):
    de = client.get("/console/?lang=de", headers={"Accept-Language": "en"})
    assert '<html lang="de">' in de.text
    fallback = client.get("/console/", headers={"Accept-Language": "fr"})
    assert '<html lang="de">' in fallback.text


def test_console_is_documented_without_security(client):
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/console/"]["get"]
    assert operation["security"] == []
    assert {p["name"] for p in operation["parameters"]} == {"lang", "lock"}


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/static/console/hushbook-console.js", "text/javascript"),
        ("/static/console/hushbook-console.css", "text/css"),
        ("/static/console/i18n/de.json", "application/json"),
        ("/static/console/i18n/en.json", "application/json"),
        ("/static/console/icon.svg", "image/svg+xml"),
    ],
)
def test_console_assets_are_served(client, path, mimetype):
    res = client.get(path)
    assert res.status_code == 200 and res.mimetype == mimetype
    res.close()
