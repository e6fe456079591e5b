"""Who may do what inside one business: the role matrix and its sharp edges.

Every refusal must leave the database exactly as it was.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests

from hushbook_service.db import database
from hushbook_service.models import Staff
from support.db import db_rows
from support.processes import start_server, stop_server

ROLES = ("owner", "manager", "reception", "staff", "accountant")
ALL = set(ROLES)
OWNER_MANAGER = {"owner", "manager"}
FRONT_DESK = {"owner", "manager", "reception"}
DAY0 = date.today()
CLIENT = {"name": "Clara Confidential", "email": "clara@private.test", "phone": "+49 30 5550123"}
_starts = itertools.count()


def next_start() -> str:
    """A fresh, free start in the future: 40 minutes after the last, 08:00-20:00."""
    minutes = 40 * next(_starts)
    day = DAY0 + timedelta(days=3 + minutes // (12 * 60))
    minutes %= 12 * 60
    return f"{day}T{8 + minutes // 60:02d}:{minutes % 60:02d}:00"


def _ok(resp, status: int) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:400])
    return resp.json


@dataclass
class Salon:
    t: object
    heads: dict[str, dict[str, str]]  # role -> Authorization headers
    stylist: object  # the ``staff`` member (bookable, own appointments)
    colleague: object  # another ``staff`` member
    service: int
    client_id: int
    appointments: dict[str, int]  # "stylist"/"colleague" -> appointment id

    @property
    def owner(self) -> dict[str, str]:
        return self.t.owner.headers

    def book(self, client, staff_id: int | None = None) -> int:
        body = {
            "service_id": self.service,
            "staff_id": staff_id or self.stylist.staff.id,
            "client_id": self.client_id,
            "start": next_start(),
        }
        return _ok(client.post("/v1/appointments", json=body, headers=self.owner), 201)["id"]

    def etag(self, client, url: str, headers: dict | None = None) -> str:
        r = client.get(url, headers=headers or self.owner)
        assert r.status_code == 200, (url, r.status_code)
        return r.headers["ETag"]


@pytest.fixture
def salon(client, make_tenant) -> Salon:
    t = make_tenant()
    heads = {"owner": t.owner.headers}
    members = {role: t.member(role) for role in ROLES if role != "owner"}
    heads.update({role: m.headers for role, m in members.items()})
    stylist, colleague = members["staff"], t.member("staff", "colleague")
    all_week = {"rules": [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)]}
    for m in (stylist, colleague):
        url = f"/v1/staff/{m.staff.id}/working-hours"
        _ok(client.put(url, json=all_week, headers=t.owner.headers), 200)
    service = _ok(
        client.post(
            "/v1/services",
            json={
                "name": "Cut",
                "duration_min": 30,
                "staff_ids": [stylist.staff.id, colleague.staff.id],
            },
            headers=t.owner.headers,
        ),
        201,
    )["id"]
    client_id = _ok(
        client.post("/v1/clients", json={"profile": CLIENT}, headers=t.owner.headers), 201
    )["id"]
    s = Salon(t, heads, stylist, colleague, service, client_id, {})
    s.appointments = {"stylist": s.book(client), "colleague": s.book(client, colleague.staff.id)}
    return s


# --- the matrix ---------------------------------------------------------------------
# action -> (roles allowed, success status, prepare). ``prepare(client, salon, role)``
# does any setup as the owner (a booking to cancel, a key to revoke) and returns
# ``send(headers)``, the one request under test.

Send = Callable[[dict], object]
Prepare = Callable[[object, Salon, str], Send]


def _get(url: str) -> Prepare:
    return lambda c, s, role: lambda h: c.get(url.format(s=s), headers=h)


def _tenant_patch(c, s, role):
    etag = s.etag(c, "/v1/tenant")
    body = {"name": f"Renamed by {role}"}
    return lambda h: c.patch("/v1/tenant", json=body, headers={**h, "If-Match": etag})


def _staff_create(c, s, role):
    body = {"email": f"new-{role}@salon-a.test", "display_name": "New", "role": "reception"}
    return lambda h: c.post("/v1/staff", json=body, headers=h)


def _service_create(c, s, role):
    body = {"name": f"Colour by {role}", "duration_min": 60, "staff_ids": [s.stylist.staff.id]}
    return lambda h: c.post("/v1/services", json=body, headers=h)


def _working_hours_put(c, s, role):
    rules = {
        "rules": [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)]
        + [{"weekday": 0, "kind": "break", "start": "12:00", "end": "12:30"}]
    }
    url = f"/v1/staff/{s.stylist.staff.id}/working-hours"
    return lambda h: c.put(url, json=rules, headers=h)


def _appointment_create(c, s, role):
    body = {
        "service_id": s.service,
        "staff_id": s.stylist.staff.id,
        "client": {"profile": {"name": f"Walk-in for {role}"}},
        "start": next_start(),
        "source": "walk_in",
    }
    return lambda h: c.post("/v1/appointments", json=body, headers=h)


def _appointment_cancel(c, s, role):
    # On the stylist's own calendar: the ``staff`` role's refusal is its role, not visibility.
    url = f"/v1/appointments/{s.book(c)}/cancel"
    return lambda h: c.post(url, headers=h)


def _appointment_move(c, s, role):
    url = f"/v1/appointments/{s.book(c)}"
    body, etag = {"start": next_start()}, s.etag(c, url)
    return lambda h: c.patch(url, json=body, headers={**h, "If-Match": etag})


def _client_create(c, s, role):
    return lambda h: c.post("/v1/clients", json={"profile": {"name": f"New for {role}"}}, headers=h)


def _key_create(c, s, role):
    body = {"name": f"by {role}", "scopes": ["staff:read"]}
    return lambda h: c.post("/v1/integration-keys", json=body, headers=h)


def _key_revoke(c, s, role):
    key = _ok(
        c.post(
            "/v1/integration-keys", json={"name": "k", "scopes": ["tenant:read"]}, headers=s.owner
        ),
        201,
    )
    return lambda h: c.delete(f"/v1/integration-keys/{key['id']}", headers=h)


MATRIX: dict[str, tuple[set[str], int, Prepare]] = {
    "tenant_read": (ALL, 200, _get("/v1/tenant")),
    "tenant_patch": (OWNER_MANAGER, 200, _tenant_patch),
    "staff_list": (ALL, 200, _get("/v1/staff")),
    "staff_create": (OWNER_MANAGER, 201, _staff_create),
    "services_list": (ALL, 200, _get("/v1/services")),
    "service_create": (OWNER_MANAGER, 201, _service_create),
    "working_hours_read": (ALL, 200, _get("/v1/staff/{s.stylist.staff.id}/working-hours")),
    "working_hours_put": (OWNER_MANAGER, 200, _working_hours_put),
    "appointments_list": (ALL, 200, _get("/v1/appointments")),
    "appointment_create": (FRONT_DESK, 201, _appointment_create),
    "appointment_cancel": (FRONT_DESK, 200, _appointment_cancel),
    "appointment_move": (FRONT_DESK, 200, _appointment_move),
    # The accountant lists figures only (asserted in test_accountant_…).
    "clients_list": (FRONT_DESK | {"accountant"}, 200, _get("/v1/clients")),
    "client_read": (FRONT_DESK, 200, _get("/v1/clients/{s.client_id}")),
    "client_create": (FRONT_DESK, 201, _client_create),
    "integration_keys_list": ({"owner"}, 200, _get("/v1/integration-keys")),
    "integration_key_create": ({"owner"}, 201, _key_create),
    "integration_key_revoke": ({"owner"}, 204, _key_revoke),
}


@pytest.mark.parametrize("action", list(MATRIX))
def test_role_matrix(app, client, salon, action):
    allowed, success, prepare = MATRIX[action]
    expected = {role: success if role in allowed else 403 for role in ROLES}
    got = {}
    for role in ROLES:
        send = prepare(client, salon, role)
        before = db_rows(app, salon.t.tenant.id)
        r = send(salon.heads[role])
        got[role] = r.status_code
        if r.status_code == 403:
            assert r.json["code"] == 403 and r.json["message"], r.json
            assert db_rows(app, salon.t.tenant.id) == before, f"{role}'s refused {action} wrote"
        elif r.status_code == success and success != 204:
            assert r.is_json and r.json is not None
    assert got == expected


# --- row-level rules ----------------------------------------------------------------


def test_staff_sees_only_own_appointments(client, salon):
    h = salon.heads["staff"]
    own, other = salon.appointments["stylist"], salon.appointments["colleague"]
    listed = _ok(client.get("/v1/appointments", headers=h, query_string={"page_size": 100}), 200)
    assert [a["id"] for a in listed] == [own]
    assert all(a["staff_id"] == salon.stylist.staff.id for a in listed)
    # Asking for the colleague's calendar by filter shows nothing either.
    query = {"staff_id": salon.colleague.staff.id}
    assert _ok(client.get("/v1/appointments", headers=h, query_string=query), 200) == []
    # The colleague's appointment is "not found" — exactly like one that never existed.
    r = client.get(f"/v1/appointments/{other}", headers=h)
    ghost = client.get("/v1/appointments/987654321", headers=h)
    assert r.status_code == 404 and (r.status_code, r.json) == (ghost.status_code, ghost.json)
    # The stylist may know who their own client is.
    mine = _ok(client.get(f"/v1/appointments/{own}", headers=h), 200)
    assert salon.t.open(mine["client"])["name"] == CLIENT["name"]
    # Read-only: no moving or cancelling, not even their own.
    assert client.post(f"/v1/appointments/{own}/cancel", headers=h).status_code == 403
    etag = salon.etag(client, f"/v1/appointments/{own}")
    r = client.patch(
        f"/v1/appointments/{own}", json={"start": next_start()}, headers={**h, "If-Match": etag}
    )
    assert r.status_code == 403
    assert client.get("/v1/clients", headers=h).status_code == 403
    assert client.get(f"/v1/clients/{salon.client_id}", headers=h).status_code == 403


def test_accountant_sees_appointments_but_never_the_client(client, salon):
    h = salon.heads["accountant"]
    r = client.get("/v1/appointments", headers=h, query_string={"page_size": 100})
    listed = _ok(r, 200)
    assert {a["id"] for a in listed} == set(salon.appointments.values())
    single = client.get(f"/v1/appointments/{salon.appointments['colleague']}", headers=h)
    assert single.status_code == 200
    for resp, items in ((r, listed), (single, [single.json])):
        for item in items:
            assert item.get("client") is None, item
            assert "price_cents" in item  # what an accountant is there for
        text = resp.get_data(as_text=True)
        for value in CLIENT.values():
            assert value not in text
    figures_only = client.get("/v1/clients", headers=h)
    assert figures_only.status_code == 200 and figures_only.json
    for row in figures_only.json:
        assert (
            row["client_key"] is None and row["sealed_profile"] == {} and "visits" in row["figures"]
        )
    assert client.get(f"/v1/clients/{salon.client_id}", headers=h).status_code == 403
    assert client.post(f"/v1/clients/{salon.client_id}/export", headers=h).status_code in (403, 405)
    assert client.get(f"/v1/clients/{salon.client_id}/export", headers=h).status_code == 403
    # The same appointment read by reception does name the client: the test is not vacuous.
    full = client.get(
        f"/v1/appointments/{salon.appointments['colleague']}", headers=salon.heads["reception"]
    )
    assert salon.t.open(full.json["client"])["name"] == CLIENT["name"]


def test_integration_key_without_identity_scope_sees_no_client(client, salon):
    body = {"name": "bookkeeping", "scopes": ["appointments:read"]}
    key = _ok(client.post("/v1/integration-keys", json=body, headers=salon.owner), 201)
    h = {"Authorization": f"Bearer {key['key']}"}
    r = client.get("/v1/appointments", headers=h)
    assert r.status_code == 200 and len(r.json) == 2
    assert all(a.get("client") is None for a in r.json)
    assert CLIENT["name"] not in r.get_data(as_text=True)
    listed = client.get("/v1/clients", headers=h)  # figures only, like the accountant
    assert listed.status_code == 200 and all(c["client_key"] is None for c in listed.json)
    assert client.get("/v1/integration-keys", headers=h).status_code == 403


# --- granting roles -----------------------------------------------------------------


def _patch_staff(client, salon, staff_id, body, headers):
    url = f"/v1/staff/{staff_id}"
    etag = salon.etag(client, url, headers)  # every role may read the team
    return client.patch(url, json=body, headers={**headers, "If-Match": etag})


def test_manager_cannot_grant_or_touch_privileged_roles(app, client, salon):
    h = salon.heads["manager"]
    manager_id = salon.t.members["manager0"].staff.id
    owner_id = salon.t.owner.staff.id
    other_manager = salon.t.member("manager", "manager2").staff.id
    reception_id = salon.t.members["reception1"].staff.id
    before = db_rows(app, salon.t.tenant.id)
    for role in ("owner", "manager"):
        body = {"email": f"new-{role}@salon-a.test", "display_name": "New", "role": role}
        r = client.post("/v1/staff", json=body, headers=h)
        assert r.status_code == 403, (role, r.json)
        r = _patch_staff(client, salon, reception_id, {"role": role}, h)
        assert r.status_code == 403, (role, r.json)
    # Nor demote or switch off those who already hold them — self included.
    for target in (owner_id, other_manager, manager_id):
        for role in ("staff", "manager", "owner"):
            r = _patch_staff(client, salon, target, {"role": role}, h)
            assert r.status_code == 403, (target, role, r.json)
        assert client.post(f"/v1/staff/{target}/deactivate", headers=h).status_code == 403
    assert db_rows(app, salon.t.tenant.id) == before
    # A manager reactivating a deactivated manager would hand out a manager login.
    _ok(client.post(f"/v1/staff/{other_manager}/deactivate", headers=salon.owner), 200)
    assert client.post(f"/v1/staff/{other_manager}/reactivate", headers=h).status_code == 403
    # What a manager may do: run the non-privileged team.
    r = client.post(
        "/v1/staff",
        json={"email": "new@salon-a.test", "display_name": "New", "role": "reception"},
        headers=h,
    )
    assert r.status_code == 201 and r.json["role"] == "reception"
    r = _patch_staff(client, salon, reception_id, {"role": "accountant"}, h)
    assert r.status_code == 200 and r.json["role"] == "accountant"


def test_owner_can_grant_privileged_roles(client, salon):
    for role in ("owner", "manager"):
        body = {"email": f"new-{role}@salon-a.test", "display_name": "New", "role": role}
        r = client.post("/v1/staff", json=body, headers=salon.owner)
        assert r.status_code == 201 and r.json["role"] == role
    reception_id = salon.t.members["reception1"].staff.id
    r = _patch_staff(client, salon, reception_id, {"role": "manager"}, salon.owner)
    assert r.status_code == 200 and r.json["role"] == "manager"


# --- the last owner ----------------------------------------------------------------


def _assert_last_owner(resp):
    assert resp.status_code == 409, resp.json
    assert resp.json["reason"] == "last_owner"


def test_last_owner_cannot_be_deactivated_or_demoted(client, salon):
    owner_id = salon.t.owner.staff.id
    _assert_last_owner(client.post(f"/v1/staff/{owner_id}/deactivate", headers=salon.owner))
    for role in ("manager", "reception", "staff", "accountant"):
        _assert_last_owner(_patch_staff(client, salon, owner_id, {"role": role}, salon.owner))
    # Nobody else gets further: a manager may not touch an owner at all.
    h = salon.heads["manager"]
    assert client.post(f"/v1/staff/{owner_id}/deactivate", headers=h).status_code == 403
    assert _patch_staff(client, salon, owner_id, {"role": "staff"}, h).status_code == 403
    # Still the owner, still logged in (the refused role change revoked nothing).
    me = _ok(client.get(f"/v1/staff/{owner_id}", headers=salon.owner), 200)
    assert me["role"] == "owner" and me["active"] is True
    # A harmless change to the last owner is fine.
    r = _patch_staff(client, salon, owner_id, {"display_name": "Still Boss"}, salon.owner)
    assert r.status_code == 200


def test_with_two_owners_one_may_go_but_not_both(client, salon):
    first = salon.t.owner.staff.id
    second = salon.t.member("owner", "owner2")
    r = _patch_staff(client, salon, first, {"role": "manager"}, second.headers)
    assert r.status_code == 200 and r.json["role"] == "manager"
    _assert_last_owner(
        client.post(f"/v1/staff/{second.staff.id}/deactivate", headers=second.headers)
    )
    _assert_last_owner(
        _patch_staff(client, salon, second.staff.id, {"role": "staff"}, second.headers)
    )


def test_an_inactive_owner_does_not_count(client, salon):
    second = salon.t.member("owner", "owner2").staff.id
    _ok(client.post(f"/v1/staff/{second}/deactivate", headers=salon.owner), 200)
    first = salon.t.owner.staff.id
    _assert_last_owner(client.post(f"/v1/staff/{first}/deactivate", headers=salon.owner))
    _assert_last_owner(_patch_staff(client, salon, first, {"role": "manager"}, salon.owner))


@pytest.mark.system
def test_two_owners_removing_each_other_at_once_leave_one(app, make_tenant, settings):
    """The last-owner rule must hold under concurrency too: two owners who
    deactivate (or demote) each other at the same moment must not leave the
    business without an active owner. One wins; the other gets 409 last_owner,
    or 401 if the winner's change had already revoked its token."""
    server = start_server(settings)  # threaded: requests really run side by side
    ownerless = []
    try:
        for round_, how in enumerate(["deactivate", "demote"] * 6):
            t = make_tenant(f"race-{round_}")
            first, second = t.owner, t.member("owner", "owner2")

            def remove(actor, target, barrier, how=how):
                url = f"{server.url}/v1/staff/{target.staff.id}"
                if how == "deactivate":
                    barrier.wait(timeout=30)
                    return requests.post(f"{url}/deactivate", headers=actor.headers, timeout=30)
                etag = requests.get(url, headers=actor.headers, timeout=30).headers["ETag"]
                barrier.wait(timeout=30)
                return requests.patch(
                    url,
                    json={"role": "manager"},
                    timeout=30,
                    headers={**actor.headers, "If-Match": etag},
                )

            barrier = threading.Barrier(2)
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [
                    pool.submit(remove, first, second, barrier),
                    pool.submit(remove, second, first, barrier),
                ]
                responses = [f.result() for f in futures]
            codes = sorted(r.status_code for r in responses)
            with app.app_context(), database.connection_context():
                owners = (
                    Staff.select()
                    .where(
                        Staff.tenant == t.tenant.id,
                        Staff.role == "owner",
                        Staff.active == True,  # noqa: E712
                    )
                    .count()
                )
            if owners == 0:
                ownerless.append((how, codes))
            else:
                assert codes in ([200, 401], [200, 409]), (how, codes)
                for r in responses:
                    if r.status_code == 409:
                        assert r.json()["reason"] == "last_owner"
    finally:
        stop_server(server)
    assert not ownerless, f"left without an active owner ({len(ownerless)}/12): {ownerless}"
