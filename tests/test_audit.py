"""The audit trail: recorded, scoped, owner-only, and tampering is detected."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from hushbook_service.db import database
from hushbook_service.models import AuditEvent
from support.config import PASSWORD
from support.processes import service_env, start_server, stop_server

FIXTURE_EVENTS = 2  # vault.enrol and vault.setup of the owner


def actions(client, member, **query):
    """The trail without the fixture's own first events (make_tenant sets up the vault)."""
    r = client.get(
        "/v1/audit-events", query_string={"page_size": 100, **query}, headers=member.headers
    )
    assert r.status_code == 200, r.json
    return [e for e in r.json if e["seq"] > FIXTURE_EVENTS]


def test_privileged_changes_and_client_reads_are_recorded(client, make_tenant):
    t = make_tenant()
    h = t.owner.headers
    assert (
        client.post(
            "/v1/auth/login",
            json={
                "tenant": "salon-a",
                "email": "owner@salon-a.test",
                "password": "Wrong-Password-99",
            },
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/v1/auth/login",
            json={"tenant": "salon-a", "email": "owner@salon-a.test", "password": PASSWORD},
        ).status_code
        == 200
    )
    ben = client.post(
        "/v1/staff",
        json={"email": "ben@salon-a.test", "display_name": "Ben", "role": "staff"},
        headers=h,
    ).json
    etag = client.get(f"/v1/staff/{ben['id']}", headers=h).headers["ETag"]
    client.patch(
        f"/v1/staff/{ben['id']}", json={"role": "reception"}, headers={**h, "If-Match": etag}
    )
    client.post(f"/v1/staff/{ben['id']}/deactivate", headers=h)
    etag = client.get("/v1/tenant", headers=h).headers["ETag"]
    client.patch("/v1/tenant", json={"locale": "en"}, headers={**h, "If-Match": etag})
    key = client.post(
        "/v1/integration-keys", json={"name": "wp", "scopes": ["services:read"]}, headers=h
    ).json
    client.delete(f"/v1/integration-keys/{key['id']}", headers=h)
    made = client.post(
        "/v1/clients",
        json={"profile": {"name": "Zelda Zimmermann", "email": "zelda@example.org"}},
        headers=h,
    ).json
    client.get(f"/v1/clients/{made['id']}", headers=h)
    client.get("/v1/clients", headers=h)

    events = actions(client, t.owner)
    seen = [e["action"] for e in reversed(events)]
    assert seen == [
        "auth.login_failed",
        "auth.login",
        "staff.create",
        "staff.role_change",
        "staff.deactivate",
        "tenant.update",
        "integration_key.create",
        "integration_key.revoke",
        "client.create",
        "client.read",
        "client.list",
    ]
    by_action = {e["action"]: e for e in events}
    assert by_action["staff.role_change"]["details"] == {"role": "reception"}
    assert by_action["tenant.update"]["details"] == {"fields": ["locale"]}
    assert by_action["client.read"]["actor_kind"] == "staff"
    assert by_action["client.read"]["actor_id"] == t.owner.staff.id
    assert by_action["client.read"]["target_id"] == made["id"]
    assert by_action["auth.login_failed"]["actor_kind"] == "anonymous"
    assert all(e["ip"] == "127.0.0.1" for e in events)
    text = json.dumps(events)
    assert "Zelda" not in text and "zelda@" not in text and "ben@salon-a" not in text
    assert [e["seq"] for e in events] == list(
        range(len(events) + FIXTURE_EVENTS, FIXTURE_EVENTS, -1)
    )
    assert actions(client, t.owner, action="client.read")[0]["target_id"] == made["id"]


def test_only_owners_read_the_trail_and_only_their_own(client, make_tenant):
    a, b = make_tenant("salon-a"), make_tenant("salon-b")
    client.post(
        "/v1/staff",
        json={"email": "x@salon-b.test", "display_name": "X", "role": "staff"},
        headers=b.owner.headers,
    )
    assert actions(client, a.owner) == []
    assert [e["action"] for e in actions(client, b.owner)] == ["staff.create"]
    for role in ("manager", "reception", "staff", "accountant"):
        m = a.member(role)
        assert client.get("/v1/audit-events", headers=m.headers).status_code == 403, role


def run_verify(settings, *args):
    return subprocess.run(
        [sys.executable, "-m", "hushbook_service.cli", "audit", "verify", *args],
        env=service_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _make_events(client, t, n=5):
    for i in range(n):
        client.post(
            "/v1/staff",
            json={"email": f"m{i}@salon-a.test", "display_name": f"M{i}", "role": "staff"},
            headers=t.owner.headers,
        )


@pytest.mark.system  # `hushbook audit verify`, a real process
@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "edit-and-rechain"])
def test_tampering_is_detected_and_named(client, make_tenant, settings, app, tamper):
    t = make_tenant()
    _make_events(client, t)
    ok = run_verify(settings)
    assert ok.returncode == 0 and "salon-a: ok (7 events)" in ok.stdout  # + the vault set-up
    with app.app_context(), database.connection_context():
        third = AuditEvent.get(AuditEvent.tenant == t.tenant.id, AuditEvent.seq == 3)
        if tamper == "edit":  # someone rewrites who did it
            AuditEvent.update(actor_id=999).where(AuditEvent.id == third.id).execute()
        elif tamper == "delete":
            third.delete_instance()
        elif tamper == "edit-and-rechain":  # edit, then recompute every later link
            import hashlib

            from hushbook_service.audit import _canonical

            AuditEvent.update(actor_id=999).where(AuditEvent.id == third.id).execute()
            prev = AuditEvent.get(AuditEvent.tenant == t.tenant.id, AuditEvent.seq == 2).hash
            for event in (
                AuditEvent.select()
                .where(AuditEvent.tenant == t.tenant.id, AuditEvent.seq >= 3)
                .order_by(AuditEvent.seq)
            ):
                event.prev_hash = prev
                event.hash = hashlib.sha256(prev.encode() + b"\n" + _canonical(event)).hexdigest()
                event.save()
                prev = event.hash
        else:  # swap two events' contents
            fourth = AuditEvent.get(AuditEvent.tenant == t.tenant.id, AuditEvent.seq == 4)
            AuditEvent.update(target_id=fourth.target_id).where(AuditEvent.id == third.id).execute()
            AuditEvent.update(target_id=third.target_id).where(AuditEvent.id == fourth.id).execute()
    bad = run_verify(settings, "--tenant", "salon-a")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    named = 4 if tamper == "delete" else 3
    assert f"BROKEN at event seq {named}" in bad.stdout


@pytest.mark.system
def test_chain_stays_whole_under_concurrent_writers(make_tenant, settings, app):
    make_tenant()
    server = start_server(settings, workers=3)
    try:

        def login(_):
            return requests.post(
                f"{server.url}/v1/auth/login",
                timeout=60,
                json={
                    "tenant": "salon-a",
                    "email": "owner@salon-a.test",
                    "password": PASSWORD,
                },
            ).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(login, range(32)))
    finally:
        stop_server(server)
    assert codes.count(200) == 32
    verdict = run_verify(settings)
    assert verdict.returncode == 0 and "(34 events)" in verdict.stdout, verdict.stdout


def test_owner_checks_the_chain_through_the_api(client, make_tenant, app):
    t, other = make_tenant("salon-a"), make_tenant("salon-b")
    _make_events(client, t, 3)
    url = "/v1/audit-events/verify"
    r = client.get(url, headers=t.owner.headers)
    assert r.status_code == 200, r.json
    assert r.json == {
        "intact": True,
        "events": FIXTURE_EVENTS + 3,
        "broken_at": None,
        "problem": None,
    }
    assert client.get(url, headers=t.member("manager").headers).status_code == 403
    with app.app_context(), database.connection_context():
        AuditEvent.update(actor_id=999).where(
            AuditEvent.tenant == t.tenant.id, AuditEvent.seq == 4
        ).execute()
    broken = client.get(url, headers=t.owner.headers).json
    assert broken["intact"] is False and broken["events"] == 4
    assert broken["broken_at"]["seq"] == 4 and broken["broken_at"]["action"] == "staff.create"
    assert broken["problem"] == "content was changed after it was written"
    # Another business's chain is its own.
    assert client.get(url, headers=other.owner.headers).json["intact"] is True
