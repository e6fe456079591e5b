"""No double booking, ever: many concurrent bookings against a real server.

Runs against ``hushbook serve --workers 4`` (gunicorn, 4 processes x 4
threads) on SQLite here and on PostgreSQL when HUSHBOOK_TEST_DATABASE_URL
points there (``.ci/run``).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from hushbook_service.db import database
from hushbook_service.models import ACTIVE_STATES, Appointment
from support.processes import start_server, stop_server

pytestmark = pytest.mark.system
ATTEMPTS = 60
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def booked_salon(client, make_tenant, settings):
    t = make_tenant()
    stylist = t.member("staff", "stylist")
    client.put(
        f"/v1/staff/{stylist.staff.id}/working-hours",
        json={"rules": [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]},
        headers=t.owner.headers,
    )
    service = client.post(
        "/v1/services",
        json={
            "name": "Cut",
            "duration_min": 45,
            "buffer_after_min": 15,
            "staff_ids": [stylist.staff.id],
        },
        headers=t.owner.headers,
    ).json
    server = start_server(settings, workers=4)
    yield t, stylist, service, server
    stop_server(server)


def fire(server, headers, bodies):
    """Send all bodies at once (threads released together by a barrier)."""
    barrier = threading.Barrier(len(bodies))
    session_local = threading.local()

    def one(body):
        session = getattr(session_local, "s", None) or requests.Session()
        session_local.s = session
        barrier.wait(timeout=30)
        r = session.post(f"{server.url}/v1/appointments", json=body, headers=headers, timeout=60)
        return r.status_code, (
            r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}
        )

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(one, bodies))


def active_blocks(staff_id):
    with database.connection_context():
        rows = (
            Appointment.select()
            .where(Appointment.staff == staff_id, Appointment.status.in_(ACTIVE_STATES))
            .order_by(Appointment.block_start)
        )
        return [(a.block_start, a.block_end) for a in rows]


def test_many_concurrent_bookings_for_one_slot_exactly_one_wins(booked_salon):
    t, stylist, service, server = booked_salon
    day = datetime.now(BERLIN).date() + timedelta(days=3)
    start = datetime(day.year, day.month, day.day, 10, 0).isoformat()
    body = {"service_id": service["id"], "staff_id": stylist.staff.id, "start": start}
    results = fire(server, t.owner.headers, [body] * ATTEMPTS)
    codes = Counter(code for code, _ in results)
    assert codes == {201: 1, 409: ATTEMPTS - 1}, codes
    assert all(b.get("reason") == "slot_taken" for code, b in results if code == 409)
    assert len(active_blocks(stylist.staff.id)) == 1


def test_concurrent_overlapping_starts_never_overlap(booked_salon):
    t, stylist, service, server = booked_salon
    day = datetime.now(BERLIN).date() + timedelta(days=4)
    # 60 requests on a 5-minute grid between 10:00 and 14:55: many overlap.
    bodies = [
        {
            "service_id": service["id"],
            "staff_id": stylist.staff.id,
            "start": (
                datetime(day.year, day.month, day.day, 10) + timedelta(minutes=5 * i)
            ).isoformat(),
        }
        for i in range(ATTEMPTS)
    ]
    results = fire(server, t.owner.headers, bodies)
    codes = Counter(code for code, _ in results)
    assert set(codes) <= {201, 409}, codes
    # Every refused start overlaps a winner, so the winners are a maximal set: one-hour
    # blocks over five hours of starts cannot leave fewer than three.
    assert codes[201] >= 3
    blocks = active_blocks(stylist.staff.id)
    assert len(blocks) == codes[201]
    for (_, end), (start, _) in zip(blocks, blocks[1:], strict=False):
        assert start >= end, "two appointments overlap"
