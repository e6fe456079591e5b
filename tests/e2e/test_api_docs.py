"""/docs (issue 17): Swagger UI served by the service itself renders in headless
Chromium with every request to another host cut off, under the page's strict CSP
(no inline script, no CSP violation), and "Try it out" reaches the service."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.system

LOCAL = {"127.0.0.1", "localhost", "::1"}


def test_api_docs_render_offline_under_a_strict_csp(browser, service):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    left, local, problems = [], [], []

    def only_localhost(route):  # the network is cut: nothing but this host answers
        url = route.request.url
        if urlsplit(url).hostname in LOCAL:
            local.append(url)
            route.continue_()
        else:
            left.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", only_localhost)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        res = page.goto(f"{service.url}/docs")
        assert res is not None and res.status == 200
        csp = res.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        operations = page.locator(".opblock")
        operations.first.wait_for(timeout=30_000)
        assert operations.count() >= 30  # the whole API, not a stub
        title = page.locator(".info .title").inner_text()
        assert "Hushbook API" in title

        # "Try it out" on /healthz: the page's fetch to this origin is allowed.
        health = page.locator(".opblock-get").filter(has_text="/healthz").first
        health.locator(".opblock-summary").click()
        health.get_by_role("button", name="Try it out").click()
        health.get_by_role("button", name="Execute").click()
        status = health.locator(".live-responses-table tbody .response-col_status").first
        status.wait_for()
        assert status.inner_text().strip() == "200"
    finally:
        context.close()
    assert left == [], f"requests left this host: {left}"
    assert any(u.endswith("/openapi.json") for u in local), local
    assert any("/docs/swagger-ui/swagger-ui-bundle.js" in u for u in local), local
    assert problems == [], problems  # a CSP violation is a console error
