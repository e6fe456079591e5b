"""One offer, many simultaneous bookings of it: booked exactly once.

Runs against ``hushbook serve --workers 4`` on SQLite here and on PostgreSQL
when HUSHBOOK_TEST_DATABASE_URL points there (``.ci/run``).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from hushbook_service import stealth
from hushbook_service.db import database
from hushbook_service.models import Appointment, Client, DeliveryContact, PendingHold
from support.api import FAST, OPEN, Visitor, make_shop
from support.processes import start_server, stop_server

pytestmark = pytest.mark.system
ATTEMPTS = 20


@dataclass
class Answer:
    status_code: int
    json: dict


class Remote:
    """Enough of Flask's test client for :class:`Visitor`, over real HTTP."""

    def __init__(self, url):
        self.url, self.http = url, requests.Session()

    def post(self, path, json=None, headers=None):
        res = self.http.post(self.url + path, json=json, headers=headers, timeout=60)
        return Answer(res.status_code, res.json())


@pytest.fixture
def live_shop(client, make_tenant, settings):
    shop = make_shop(client, make_tenant, **OPEN)
    server = start_server(settings, workers=4)
    yield shop, server
    stop_server(server)


def fire(url, bodies):
    """POST every body at once (threads released together by a barrier)."""
    barrier = threading.Barrier(len(bodies))

    def one(body):
        with requests.Session() as http:
            barrier.wait(timeout=30)
            res = http.post(url, json=body, timeout=60)
            return res.status_code, res.json()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(one, bodies))


def test_one_offer_booked_concurrently_is_booked_once(app, live_shop):
    shop, server = live_shop
    v = Visitor(Remote(server.url), "salon-a")
    res = v.ask(shop.cut["id"])
    assert res.status_code == 200, res.json
    offer = res.json["offers"][0]
    # the same session and offer, each request with its own solved puzzle, solved
    # hard enough for the session's volume when the last of them is spent
    ahead = stealth.pow_bits(ATTEMPTS + 1, FAST["pow_base_bits"]) - FAST["pow_base_bits"]
    bodies = [v.booking_body(offer["token"], extra_bits=ahead) for _ in range(ATTEMPTS)]
    results = fire(f"{server.url}/v1/public/salon-a/bookings", bodies)
    codes = Counter(code for code, _ in results)
    assert codes == {202: 1, 409: ATTEMPTS - 1}, results
    reasons = {body.get("reason") for code, body in results if code == 409}
    assert reasons <= {"offer_spent", "slot_taken"}, reasons
    with app.app_context(), database.connection_context():
        assert Appointment.select().count() == 1
        assert Client.select().count() == 1  # no half-made bookings left behind
        assert DeliveryContact.select().count() == 1
        assert PendingHold.select().where(PendingHold.kind == "session").count() == 1
