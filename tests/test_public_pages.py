"""Pages behind the links in messages: a GET only shows, a POST changes."""

from __future__ import annotations

import re

import pytest

from support.api import Visitor, confirm_code, make_shop


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


def _confirmed(client, app, shop):
    v = Visitor(client, "salon-a")
    offer = v.ask(shop.cut["id"]).json["offers"][0]
    booked = v.book(offer["token"]).json
    code = confirm_code(app, booked["booking"])
    res = client.post(
        "/v1/public/bookings/confirm", json={"booking": booked["booking"], "code": code}
    )
    return res.json["manage_token"]


def test_manage_page_shows_and_only_a_post_cancels(client, app, shop):
    token = _confirmed(client, app, shop)
    html = {"Accept": "text/html", "Accept-Language": "en"}
    for _ in range(3):  # a mail scanner following the link many times changes nothing
        page = client.get(f"/v1/public/manage/{token}", headers=html)
        assert page.status_code == 200 and page.mimetype == "text/html"
    assert "confirmed" in page.text and "Cut" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    assert action == f"{token}/cancel"
    status = client.get(f"/v1/public/manage/{token}").json["status"]
    assert status == "confirmed"
    done = client.post(f"/v1/public/manage/{token}/cancel", data={}, headers=html)
    assert done.status_code == 200 and "cancelled" in done.text
    assert "<form" not in done.text  # nothing left to do
    again = client.post(f"/v1/public/manage/{token}/cancel", data={}, headers=html)
    assert again.status_code == 409 and "no longer" in again.text
    assert client.get(f"/v1/public/manage/{token}").json["status"] == "cancelled"


def test_manage_page_german_and_escaped(client, app, shop):
    token = _confirmed(client, app, shop)
    page = client.get(
        f"/v1/public/manage/{token}", headers={"Accept": "text/html", "Accept-Language": "de"}
    )
    assert '<html lang="de">' in page.text and "Termin absagen" in page.text
    bad = client.get("/v1/public/manage/<script>x", headers={"Accept": "text/html"})
    assert bad.status_code == 422 and "<script>" not in bad.text
