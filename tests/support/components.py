"""Components outside Python (Node, PHP, WordPress, Chromium, ...): one rule for
when they are missing, one way to find Node, and one way to start Chromium."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# Debian's Chromium, headless, as root, on a machine without outside network;
# Playwright drives it, never a browser of its own download.
CHROMIUM = os.environ.get("HUSHBOOK_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require(what: str, ok: bool, how: str = "") -> None:
    """The one skipping rule for components outside Python (Node, PHP, WordPress,
    Chromium, ...): missing on a developer's machine skips; under CI (``CI`` set),
    where everything must be installed, it fails."""
    if ok:
        return
    message = f"{what} is missing" + (f" ({how})" if how else "")
    if os.environ.get("CI"):
        pytest.fail(f"CI: {message}", pytrace=False)
    pytest.skip(message)


@functools.cache
def node() -> str | None:
    """Path of a Node >= 20 (WebCrypto X25519 and ``node --test``), else None."""
    found = shutil.which("node")
    if found is None:
        return None
    run = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30)
    major = run.stdout.strip().lstrip("v").split(".")[0]
    return found if run.returncode == 0 and major.isdigit() and int(major) >= 20 else None


def have_browser() -> bool:
    return importlib.util.find_spec("playwright") is not None and os.access(CHROMIUM, os.X_OK)


Route = tuple[str, Callable[[], bytes]]  # content type, body


@contextmanager
def browser_page(routes: dict[str, Route], scripts: list[str]) -> Iterator[Any]:
    """A Chromium tab on ``routes`` served over http://127.0.0.1 (a secure context,
    which WebCrypto needs and about:blank is not), with ``scripts`` loaded in order.
    ``routes["/"]`` is the page itself."""
    require("Playwright and Chromium (" + CHROMIUM + ")", have_browser())
    from playwright.sync_api import sync_playwright

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server dispatches on this name
            if self.path not in routes:
                self.send_error(404)
                return
            kind, body = routes[self.path]
            data = body()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page()
                tab.goto(f"http://127.0.0.1:{server.server_address[1]}/")
                for url in scripts:
                    tab.add_script_tag(url=url)
                yield tab
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
