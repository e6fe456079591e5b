"""Delivery contacts: sealed per month, opened only by the sender, shredded after."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest

from hushbook_service.db import database, utcnow
from hushbook_service.models import Appointment, DeliveryContact
from hushbook_service.privacy import delivery
from support.api import ALL_WEEK, book, local_iso, next_local_day
from support.processes import service_env


@pytest.fixture
def salon(client, make_tenant):
    t = make_tenant()
    t.stylist = t.member("staff", "stylist")
    client.put(
        f"/v1/staff/{t.stylist.staff.id}/working-hours",
        json={"rules": ALL_WEEK},
        headers=t.owner.headers,
    )
    t.cut = client.post(
        "/v1/services",
        json={"name": "Cut", "duration_min": 45, "staff_ids": [t.stylist.staff.id]},
        headers=t.owner.headers,
    ).json
    return t


def test_contact_is_sealed_and_opens_only_with_the_month_key(client, app, salon, settings):
    r = book(
        client,
        salon,
        salon.cut,
        local_iso(next_local_day(), 10),
        notify={"email": "dora.delivery@example.org"},
    )
    assert r.status_code == 201, r.json
    with app.app_context(), database.connection_context():
        row = DeliveryContact.get(DeliveryContact.appointment == r.json["id"])
        assert "dora" not in row.sealed.lower()
        appointment = Appointment.get_by_id(r.json["id"])
        assert delivery.open_contact(appointment) == {"email": "dora.delivery@example.org"}
    key_files = list(settings.delivery_keys_dir.glob("*.key"))
    assert [p.stat().st_mode & 0o777 for p in key_files] == [0o600]
    assert not str(settings.delivery_keys_dir).startswith(settings.database_url)


def test_shredding_after_the_month_and_grace(client, app, salon, settings):
    r = book(
        client,
        salon,
        salon.cut,
        local_iso(next_local_day(), 10),
        notify={"phone": "+49 171 0000000"},
    )
    with app.app_context(), database.connection_context():
        appointment = Appointment.get_by_id(r.json["id"])
        epoch = delivery.epoch_of(appointment.start_at)
        assert delivery.shred_expired() == []  # still useful
        later = appointment.start_at + timedelta(days=31 + settings.delivery_grace_days + 1)
        assert delivery.shred_expired(now=later) == [epoch]
        assert not (settings.delivery_keys_dir / f"{epoch}.key").exists()
        assert not DeliveryContact.select().exists()
        assert delivery.open_contact(appointment) is None


def test_a_copied_row_without_the_key_file_is_useless(client, app, salon, settings):
    r = book(
        client,
        salon,
        salon.cut,
        local_iso(next_local_day(), 10),
        notify={"email": "copy@example.org"},
    )
    with app.app_context(), database.connection_context():
        appointment = Appointment.get_by_id(r.json["id"])
        backup = DeliveryContact.get(DeliveryContact.appointment == appointment.id).sealed
        for key in settings.delivery_keys_dir.glob("*.key"):
            key.unlink()  # what shredding does
        assert delivery.open_contact(appointment) is None
        assert backup  # the sealed bytes alone: nothing without the key


@pytest.mark.system
def test_jobs_run_in_a_real_worker(client, salon, settings, app):
    book(
        client, salon, salon.cut, local_iso(next_local_day(), 10), notify={"email": "w@example.org"}
    )
    with app.app_context(), database.connection_context():
        DeliveryContact.update(epoch="2020-01").execute()  # a long-past month
    env = service_env(settings)
    worker = subprocess.Popen(
        [sys.executable, "-m", "hushbook_service.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # Periodic tasks store no result: enqueue, then watch the database.
        enqueue = "from hushbook_service.jobs import shred_delivery_contacts as job; job()"
        out = subprocess.run(
            [sys.executable, "-c", enqueue], env=env, capture_output=True, text=True, timeout=90
        )
        assert out.returncode == 0, out.stderr
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.app_context(), database.connection_context():
                if not DeliveryContact.select().exists():
                    break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    with app.app_context(), database.connection_context():
        assert not DeliveryContact.select().exists()


def test_public_delivery_key_for_bookable_months_only(client, app, salon, settings):
    from hushbook import sealing

    month = delivery.epoch_of(utcnow())
    r = client.get(f"/v1/delivery-keys/{month}")
    assert r.status_code == 200
    public = sealing.import_public_key(r.json["public_key"])
    assert public is not None
    for bad in ("1999-01", "2999-12", "2026-13", "latest", "..%2f..%2fetc"):
        assert client.get(f"/v1/delivery-keys/{bad}").status_code == 404
    assert [p.name for p in settings.delivery_keys_dir.glob("*.key")] == [f"{month}.key"]


def test_moving_to_another_month_reseals_the_contact(client, app, salon):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    day = next_local_day()
    r = book(client, salon, salon.cut, local_iso(day, 10), notify={"email": "mover@example.org"})
    url = f"/v1/appointments/{r.json['id']}"
    later = day + timedelta(days=40)
    etag = client.get(url, headers=salon.owner.headers).headers["ETag"]
    moved = client.patch(
        url,
        json={"start": datetime(later.year, later.month, later.day, 10, tzinfo=berlin).isoformat()},
        headers={**salon.owner.headers, "If-Match": etag},
    )
    assert moved.status_code == 200, moved.json
    with app.app_context(), database.connection_context():
        appointment = Appointment.get_by_id(r.json["id"])
        row = DeliveryContact.get(DeliveryContact.appointment == appointment.id)
        assert row.epoch == delivery.epoch_of(appointment.start_at)
        assert delivery.open_contact(appointment) == {"email": "mover@example.org"}


def test_bookable_months_follow_the_calendar():
    from datetime import UTC, datetime

    months = delivery.bookable_epochs(datetime(2026, 1, 31, tzinfo=UTC))
    assert "2026-02" in months and "2026-12" in months and "2027-01" in months
    assert len(months) == 13 and "2027-02" not in months
