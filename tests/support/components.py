"""Components outside Python (Node, PHP, WordPress, Chromium, ...): one rule for
when they are missing, and one way to start Chromium."""

from __future__ import annotations

import os

import pytest

# Debian's Chromium, headless, as root, on a machine without outside network
# (see ../shared/notes/wordpress-e2e.md); Playwright drives it, never its own download.
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
