"""The Shopify app server as a real process (``hushbook-shopify serve``) in front
of a real ``hushbook serve``: a merchant's first open exchanges a token at the
fake Shopify over HTTP (HUSHBOOK_SHOPIFY_API_BASE), the salon is connected, and
a visitor books through the app proxy with the SDK's public flow (sealed in the
"browser", proof-of-work solved). The booking lands as the offer clicked, opens
to what was typed, and is confirmed with the code through the proxy. Last, the
app's database and log are searched for the customer's details, Shopify's
tokens and the integration key: none is there.

Run time: about 10 s (two server processes, one booking at test cost).
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
from werkzeug.serving import make_server

import hushbook
from shopify_fake.oauth import FakeOAuth
from support.leak import collect_files, needles, scan
from support.processes import free_port
from support.sdk import live_environment, owner_client
from support.shopify_app import (
    CLIENT_ID,
    DATA_KEY,
    SECRET,
    SHOP,
    app_home_query,
    bearer,
    proxy_query,
)

pytestmark = pytest.mark.system

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
VISITOR = "198.51.100.23"
NAME = "Zuzanna Quellbrunn"
EMAIL = "zuzanna.quellbrunn@example.org"
PHONE = "+49 170 5550342"


class ViaAppProxy(requests.Session):
    """What Shopify's app proxy does to the widget's requests: the storefront's
    ``/apps/hushbook/<route>`` goes to the app's ``/proxy/<route>`` with the
    signed query, the visitor's address in X-Forwarded-For, and no cookies."""

    ROUTE = re.compile(
        r"^/v1/public/(?:bookings/(confirm)|[^/]+/(catalog|challenge|offers|bookings))$"
    )

    def __init__(self, app_url: str) -> None:
        super().__init__()
        self.app_url = app_url
        self.answers: list[bytes] = []

    def request(self, method, url, **kw):
        match = self.ROUTE.match(urlsplit(url).path)
        assert match, url
        route = match.group(1) or match.group(2)
        headers = {k: v for k, v in (kw.pop("headers", None) or {}).items() if k != "Authorization"}
        headers["X-Forwarded-For"] = VISITOR
        target = f"{self.app_url}/proxy/{route}?{proxy_query(customer='4419')}"
        response = super().request(method, target, headers=headers, **kw)
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        self.answers.append(response.content)
        return response


@pytest.fixture(scope="module")
def live(tmp_path_factory, migrated_template):
    with live_environment(tmp_path_factory.mktemp("shopify-forward"), migrated_template) as env:
        yield env


@pytest.fixture
def fake_shopify():
    fake = FakeOAuth(CLIENT_ID, SECRET)
    fake.install(SHOP)
    server = make_server("127.0.0.1", 0, fake.app(), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def app_server(tmp_path, fake_shopify):
    _, api_base = fake_shopify
    port = free_port()
    folder = tmp_path / "shopify-app"
    folder.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "SHOPIFY_API_KEY": CLIENT_ID,
        "SHOPIFY_API_SECRET": SECRET,
        "HUSHBOOK_SHOPIFY_DATA_KEY": DATA_KEY,
        "HUSHBOOK_SHOPIFY_DATABASE_URL": f"sqlite:///{folder / 'shopify.db'}",
        "HUSHBOOK_SHOPIFY_API_BASE": api_base,
        "HUSHBOOK_SHOPIFY_ALLOW_PRIVATE_SERVICES": "1",
        "HUSHBOOK_SHOPIFY_LOG_LEVEL": "DEBUG",
    }
    log = open(folder / "app.log", "wb")  # noqa: SIM115 (the process keeps it)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hushbook_shopify.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, (folder / "app.log").read_text()
        time.sleep(0.1)
    yield url, folder
    proc.terminate()
    proc.wait(10)
    log.close()


def test_a_booking_through_the_app_proxy_lands_as_the_offer_clicked(live, fake_shopify, app_server):
    fake, _ = fake_shopify
    app_url, folder = app_server
    t = live.make_tenant("shopify-salon")
    owner = owner_client(live, t)
    stylist = owner.staff.create("alex@shopify-salon.test", "Alex", "staff")
    owner.working_hours.set(stylist, WEEK)
    cut = owner.services.create("Cut", 45, [stylist], price_cents=4500)
    owner.tenant.publish_privacy_notice("de", "Wir verarbeiten Ihre Daten nur für den Termin.")
    owner.tenant.update(stealth_settings={"pow_base_bits": 8, "min_fill_seconds": 0})
    key = owner.integration_keys.create(f"Shopify {SHOP}", ["public:forward"]).key

    # The merchant opens the app (token exchange at the fake Shopify) and connects.
    page = requests.get(f"{app_url}/?{app_home_query()}", timeout=10)
    assert page.status_code == 200, page.text
    assert fake.calls == ["urn:ietf:params:oauth:grant-type:token-exchange"]
    saved = requests.post(
        f"{app_url}/api/settings",
        json={"service_url": live.url, "tenant_slug": t.tenant.slug, "integration_key": key},
        headers=bearer(),
        timeout=20,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["connection"]["state"] == "connected", saved.json()["connection"]
    assert key not in saved.text

    # A visitor books through the proxy.
    proxy = ViaAppProxy(app_url)
    visitor = hushbook.PublicBooking(live.url, t.tenant.slug, http=proxy, max_retries=0)
    day = datetime.now(BERLIN).date() + timedelta(days=3)
    offers = visitor.offers(cut.id, day, day + timedelta(days=6), parts=["afternoon"])
    assert offers
    clicked = offers[-1]
    pending = visitor.book(
        clicked, profile={"name": NAME}, email=EMAIL, phone=PHONE, purposes=["booking"]
    )
    assert pending.status == "pending" and pending.start == clicked.start

    appointment = owner.appointments.list(status="pending").first()
    assert appointment is not None and appointment.source == "online"
    assert appointment.start == clicked.start and appointment.end == clicked.end
    assert appointment.service_id == cut.id and appointment.staff_id == stylist.id
    assert appointment.client is not None
    assert appointment.client.profile["name"] == NAME
    assert appointment.client.profile["email"] == EMAIL

    confirmed = visitor.confirm(pending, live.confirm_code(pending.booking))
    assert confirmed.status == "confirmed"
    assert owner.appointments.get(appointment).status == "confirmed"

    # No leak: the app's database and its log hold none of it.
    time.sleep(0.2)  # the log lines of the last request
    files = collect_files(folder)
    assert "shopify.db" in files and files["app.log"]
    assert b"/proxy/bookings" in files["app.log"]  # the log is there, paths only
    wanted = needles(
        {
            "name": NAME,
            "e-mail": EMAIL,
            "phone": PHONE,
            "phone digits": PHONE.replace(" ", "").lstrip("+"),
            "integration key": key,
            **{f"shopify token {i}": token for i, token in enumerate(fake.issued)},
            "data key": base64.urlsafe_b64decode(DATA_KEY).decode(),
            "customer id": "logged_in_customer_id=4419",
        }
    )
    assert scan(files, wanted) == []
