"""The issue's acceptance test: the Hushbook plugin inside a real WordPress 6.1
(Debian's package, MariaDB, ``php -S``), driven by headless Chromium.

One page carries the shortcode, one the block. A customer books with the mouse,
another with the keyboard only; each confirms with the link of the mail the
worker sent to the SMTP server; the salon then finds the appointment through
the staff API and opens the customer's sealed profile. Finally neither the
WordPress database nor the service's storage holds any customer's plaintext.
Every widget step is screenshotted (build/e2e-screenshots/<test>/) and checked
with axe-core.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from support.leak import collect_files, dump_stores, needles, scan
from support.processes import free_port

from .flows import (
    assert_confirmed_for_the_salon,
    book_with_keyboard,
    book_with_mouse,
    confirm_by_mail_link,
)
from .support import SALON_NAME, SUMMARY, config_of, new_customer, personal_values

pytestmark = pytest.mark.system
STARTED = time.time()


def test_proxy_needs_the_nonce_and_never_shows_the_key(wordpress, salon):
    pages = {key: requests.get(url, timeout=30) for key, url in wordpress.pages.items()}
    for key, page in pages.items():
        assert page.status_code == 200, (key, page.status_code)
        assert 'class="hushbook-widget"' in page.text or "class='hushbook-widget'" in page.text, key
        assert salon.integration_key not in page.text, f"the integration key is in the {key} page"
    config = config_of(pages["shortcode"].text)
    assert salon.integration_key not in str(config)
    challenge = urljoin(wordpress.pages["shortcode"], config["endpoints"]["challenge"])
    nonce_headers = config.get("headers") or {}
    assert nonce_headers, f"the page gives the widget no nonce header: {config}"

    with_nonce = requests.post(challenge, json={}, headers=nonce_headers, timeout=30)
    assert with_nonce.status_code == 200, with_nonce.text[:500]  # the proxy does forward
    assert with_nonce.json().get("session")
    without = requests.post(challenge, json={}, timeout=30)
    assert without.status_code == 403, (without.status_code, without.text[:500])
    forged = {name: "0123456789" for name in nonce_headers}
    assert requests.post(challenge, json={}, headers=forged, timeout=30).status_code == 403


def test_visitors_read_a_friendly_message_when_the_service_is_down_or_the_key_refused(
    wordpress, visit
):
    """A broken set-up is the site's problem: visitors get a plain sentence (and the
    proxy a 503), never a technical error or a login prompt."""
    before = wordpress.change_settings(service_url=f"http://127.0.0.1:{free_port()}")
    try:
        page, w = visit.page, visit.widget
        page.goto(wordpress.pages["shortcode"])
        alert = w.get_by_role("alert")
        alert.filter(has_text="The booking service cannot be reached right now").wait_for()
        visit.shot("service-down")
        visit.axe("service-down")

        wordpress.change_settings(
            service_url=before["service_url"], integration_key="hbk_revoked_" + "x" * 32
        )
        page.reload()
        alert.filter(has_text="Online booking is not available at the moment").wait_for()
        visit.shot("key-refused")
        config = config_of(page.content())
        challenge = requests.post(
            urljoin(page.url, config["endpoints"]["challenge"]),
            json={},
            headers=config["headers"],
            timeout=30,
        )
        assert challenge.status_code == 503, challenge.text
        assert challenge.json()["reason"] == "not_configured"
        assert "hbk_revoked_" not in challenge.text
        visit.assert_clean()
    finally:
        wordpress.change_settings(**before)


def test_shortcode_page_mouse_booking(service, salon, wordpress, visit):
    customer = new_customer("mouse", "shortcode", first="Erika", phone=False)
    booked = book_with_mouse(
        visit,
        wordpress.pages["shortcode"],
        customer,
        service="Haircut and blow-dry",
        part="Afternoon",
    )
    confirm_by_mail_link(visit, service, customer, keyboard=False)
    assert_confirmed_for_the_salon(service, customer, booked)
    visit.assert_clean()


def test_block_page_keyboard_only_booking(service, salon, wordpress, visit):
    customer = new_customer("keyboard", "block", first="Jürgen", phone=True)
    booked = book_with_keyboard(visit, wordpress.pages["block"], customer)
    confirm_by_mail_link(visit, service, customer, keyboard=True)
    assert_confirmed_for_the_salon(service, customer, booked)
    visit.assert_clean()


def stored_files(root: Path) -> dict[str, bytes]:
    """Every regular file below ``root``, not following symlinks (the plugin and
    the themes are symlinks to code, not storage)."""
    out = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        for name in files:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                out[str(path.relative_to(root))] = path.read_bytes()
    return out


def php_sessions_since(start: float) -> dict[str, bytes]:
    """PHP session files written during the run (if the plugin used sessions)."""
    folder = Path("/var/lib/php/sessions")
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime >= start:
                found[f"php-session/{path.name}"] = path.read_bytes()
        except OSError:
            continue
    return found


def test_no_customer_plaintext_in_wordpress_or_the_service(service, wordpress, browser, tmp_path):
    customers = SUMMARY.customers  # registered as each booking test starts
    if not customers:
        pytest.skip("no booking test ran in this session: nothing to look for")
    print(f"scanning for {len(customers)} customers: {[c.where for c in customers]}")
    wanted = needles(personal_values(customers))

    # WordPress: its whole database, the content folder, the web server's and PHP's logs.
    dump = tmp_path / "wordpress.sql"
    done = subprocess.run(
        [
            "mysqldump",
            f"--defaults-extra-file={wordpress.mysql_options}",
            "--no-tablespaces",
            "--skip-extended-insert",
            "--hex-blob",
            f"--result-file={dump}",
            wordpress.db_name,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    wp_files = {"mysqldump": dump.read_bytes()}
    wp_files.update({f"wp-content/{k}": v for k, v in stored_files(wordpress.content_dir).items()})
    wp_files["php-server.log"] = wordpress.log.read_bytes()
    if wordpress.debug_log.is_file():
        wp_files["wp-debug.log"] = wordpress.debug_log.read_bytes()
    wp_files.update(php_sessions_since(STARTED - 600))
    # Not vacuous: the scan reads the database it claims to read.
    assert wordpress.title.encode() in wp_files["mysqldump"], "the site title is not in the dump"
    assert b"hushbook_settings" in wp_files["mysqldump"] or b"hushbook" in wp_files["mysqldump"]

    # The service: the instance folder, SQLite (+ WAL), the Huey store, both logs,
    # or a PostgreSQL dump and the Redis job store when the suite runs on those.
    svc_files = {f"service/{k}": v for k, v in stored_files(service.root).items()}
    dump_stores(service.settings, tmp_path / "dumps", "e2e")
    svc_files.update({f"dumps/{k}": v for k, v in collect_files(tmp_path / "dumps").items()})
    database = {
        k: v
        for k, v in svc_files.items()
        if k.startswith("service/hushbook.db") or k.startswith("dumps/pg_dump")
    }
    assert database, f"no database among {sorted(svc_files)}"
    assert any(SALON_NAME.encode() in v for v in database.values()), "salon name not in the DB"
    for log in ("service/instance/server.log", "service/instance/worker.log"):
        assert log in svc_files and svc_files[log], f"{log} missing or empty"

    # The needles work: each customer's own mailbox (not the operator's storage) has hits.
    for c in customers:
        inbox = {
            m["Subject"]: m.as_bytes() for m in service.mailbox.received if c.email in str(m["To"])
        }
        assert scan(inbox, needles(personal_values([c]))), f"the scan misses {c.email} in its mail"

    files = {**wp_files, **svc_files}
    print("scanned: " + ", ".join(f"{k} ({len(v):,} B)" for k, v in sorted(files.items())))
    print(
        f"scanned {len(files)} files, {sum(len(v) for v in files.values()):,} bytes, "
        f"{len(wanted)} needles"
    )
    hits = scan(files, wanted)
    assert not hits, "customer plaintext found:\n" + "\n".join(hits[:40])
