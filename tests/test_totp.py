"""Second factor (TOTP): RFC 6238, enrolment, login with codes, replay, drift,
throttling, the owner's require_totp switch, and the secret sealed at rest.

The service reads its clock from ``app.extensions["hushbook_clock"]``; these
tests put a controllable one there instead of patching time globally.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_ops

from hushbook_service.accounts import totp
from hushbook_service.db import database
from hushbook_service.migrations import migrate
from hushbook_service.models import (
    ALL_MODELS,
    AuditEvent,
    LoginAttempt,
    SchemaMigration,
    Staff,
    Tenant,
)
from support.config import PASSWORD

RFC_SECRET = b"12345678901234567890"
T0 = 1_700_000_010.0  # a fixed instant, 20 s into its 30-second step
OWNER = "owner@salon-a.test"


class Clock:
    def __init__(self, t: float):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(app) -> Clock:
    c = Clock(T0)
    app.extensions["hushbook_clock"] = c
    return c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client, email=OWNER, code=None, password=PASSWORD):
    body = {"tenant": "salon-a", "email": email, "password": password}
    if code is not None:
        body["totp"] = code
    return client.post("/v1/auth/login", json=body)


def raw(secret_b32: str) -> bytes:
    return base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))


def code_at(secret_b32: str, t: float) -> str:
    return totp.totp(raw(secret_b32), t)


def wrong_code(secret_b32: str, t: float) -> str:
    near = {code_at(secret_b32, t + d * 30) for d in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in near)


def enrol(client, headers, clock) -> tuple[str, dict]:
    """Set up and enable; returns the secret and the fresh token pair."""
    setup = client.post("/v1/auth/totp/setup", headers=headers)
    assert setup.status_code == 200, setup.json
    secret = setup.json["secret"]
    r = client.post(
        "/v1/auth/totp/enable", json={"code": code_at(secret, clock.t)}, headers=headers
    )
    assert r.status_code == 200, r.json
    return secret, r.json


def staff_row(app, staff_id: int) -> dict:
    with app.app_context(), database.connection_context():
        return Staff.select().where(Staff.id == staff_id).dicts().get()


def audit_events(app, tenant_id: int) -> list[AuditEvent]:
    with app.app_context(), database.connection_context():
        return list(
            AuditEvent.select().where(AuditEvent.tenant == tenant_id).order_by(AuditEvent.seq)
        )


def set_require_totp(client, headers, value: bool):
    etag = client.get("/v1/tenant", headers=headers).headers.get("ETag")
    return client.patch(
        "/v1/tenant", json={"require_totp": value}, headers={**headers, "If-Match": etag or "*"}
    )


# --- the algorithm -----------------------------------------------------------------


def test_rfc6238_sha1_vectors():
    assert totp.totp(RFC_SECRET, 59, digits=8) == "94287082"
    assert totp.totp(RFC_SECRET, 59) == "287082"
    for t, code in [
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ]:
        assert totp.totp(RFC_SECRET, t, digits=8) == code


def test_rfc4226_hotp_vectors():
    expected = [
        "755224",
        "287082",
        "359152",
        "969429",
        "338314",
        "254676",
        "287922",
        "162583",
        "399871",
        "520489",
    ]
    assert [totp.hotp(RFC_SECRET, i) for i in range(10)] == expected


def test_match_step_drift_and_replay_guard():
    assert totp.match_step(RFC_SECRET, "287082", 59.0) == 1
    t = 1_000_000_000.0
    step = totp.time_step(t)
    for drift in (-1, 1):
        assert totp.match_step(RFC_SECRET, totp.totp(RFC_SECRET, t + 30 * drift), t) == step + drift
    for drift in (-2, 2):
        assert totp.match_step(RFC_SECRET, totp.totp(RFC_SECRET, t + 30 * drift), t) is None
    code = totp.totp(RFC_SECRET, t)
    assert totp.match_step(RFC_SECRET, code, t, after=step) is None  # already used
    assert totp.match_step(RFC_SECRET, code, t, after=step + 1) is None  # a later one was
    for bad in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦", None):
        assert totp.match_step(RFC_SECRET, bad, t) is None


def test_otpauth_uri():
    uri = totp.otpauth_uri(RFC_SECRET, "o@x.test (salon-x)")
    assert uri.startswith("otpauth://totp/Hushbook:o@x.test%20%28salon-x%29?")
    assert f"secret={totp.b32(RFC_SECRET)}" in uri
    assert "issuer=Hushbook" in uri and "digits=6" in uri and "period=30" in uri


# --- enrolment and login -----------------------------------------------------------


def test_enrol_enable_and_log_in_with_codes(client, make_tenant, clock, app):
    t = make_tenant()
    setup = client.post("/v1/auth/totp/setup", headers=t.owner.headers)
    assert setup.status_code == 200
    assert setup.headers["Cache-Control"] == "no-store"
    secret = setup.json["secret"]
    assert len(raw(secret)) == 20 and f"secret={secret}" in setup.json["otpauth_uri"]
    # Set up but not on yet: the password alone still logs in.
    assert login(client).status_code == 200
    assert staff_row(app, t.owner.staff.id)["totp_enabled"] is False

    bad = client.post(
        "/v1/auth/totp/enable", json={"code": wrong_code(secret, clock.t)}, headers=t.owner.headers
    )
    assert bad.status_code == 422 and "code" in bad.json["errors"]["json"]
    assert (
        client.post(
            "/v1/auth/totp/enable", json={"code": "12ab56"}, headers=t.owner.headers
        ).status_code
        == 422
    )
    enrol_code = code_at(secret, clock.t)
    on = client.post("/v1/auth/totp/enable", json={"code": enrol_code}, headers=t.owner.headers)
    assert on.status_code == 200 and on.json["totp_setup_required"] is False
    # Tokens got with the password alone stop working; the new pair works.
    assert client.get("/v1/tenant", headers=t.owner.headers).status_code == 401
    assert client.get("/v1/tenant", headers=bearer(on.json["access_token"])).status_code == 200
    again = client.post("/v1/auth/totp/setup", headers=bearer(on.json["access_token"]))
    assert again.status_code == 409 and again.json["reason"] == "totp_already_enabled"

    r = login(client)
    assert r.status_code == 401 and r.json["reason"] == "totp_required"
    assert login(client, password="Wrong-Password-123").json["reason"] == "bad_credentials"
    # The code used for enabling is spent.
    r = login(client, code=enrol_code)
    assert r.status_code == 401 and r.json["reason"] == "bad_credentials"

    clock.t += 30
    code = code_at(secret, clock.t)
    ok = login(client, code=code)
    assert ok.status_code == 200, ok.json
    assert client.get("/v1/tenant", headers=bearer(ok.json["access_token"])).status_code == 200
    replay = login(client, code=code)
    assert replay.status_code == 401 and replay.json["reason"] == "bad_credentials"
    # Refreshing needs no code: the refresh token came from a login with one.
    assert (
        client.post(
            "/v1/auth/refresh", json={"refresh_token": ok.json["refresh_token"]}
        ).status_code
        == 200
    )
    assert login(client, code="12345").status_code == 422


def test_clock_drift_of_one_step_is_accepted_two_are_not(client, make_tenant, clock):
    t = make_tenant()
    secret, _ = enrol(client, t.owner.headers, clock)
    clock.t += 300
    assert login(client, code=code_at(secret, clock.t - 60)).status_code == 401  # -2 steps
    assert login(client, code=code_at(secret, clock.t + 60)).status_code == 401  # +2 steps
    assert login(client, code=code_at(secret, clock.t - 30)).status_code == 200  # -1 step
    clock.t += 300
    assert login(client, code=code_at(secret, clock.t + 30)).status_code == 200  # +1 step
    # After a step has been used, codes of earlier steps are refused too (RFC 6238 §5.2).
    r = login(client, code=code_at(secret, clock.t))
    assert r.status_code == 401 and r.json["reason"] == "bad_credentials"
    clock.t += 60
    assert login(client, code=code_at(secret, clock.t)).status_code == 200


def test_wrong_codes_count_toward_throttling(client, make_tenant, clock, app):
    t = make_tenant()
    secret, _ = enrol(client, t.owner.headers, clock)
    clock.t += 30
    wrong = wrong_code(secret, clock.t)
    for _ in range(5):
        r = login(client, code=wrong)
        assert r.status_code == 401 and r.json["reason"] == "bad_credentials"
    r = login(client, code=code_at(secret, clock.t))  # even the right code now
    assert r.status_code == 429 and r.json["reason"] == "login_throttled"
    with app.app_context(), database.connection_context():
        assert LoginAttempt.select().count() == 5
    failed = [e for e in audit_events(app, t.tenant.id) if e.action == "auth.login_failed"]
    assert len(failed) == 5 and all(json.loads(e.details) == {"factor": "totp"} for e in failed)


def test_missing_code_is_not_a_failure(client, make_tenant, clock, app):
    t = make_tenant()
    enrol(client, t.owner.headers, clock)
    for _ in range(6):
        assert login(client).json["reason"] == "totp_required"
    with app.app_context(), database.connection_context():
        assert LoginAttempt.select().count() == 0


def test_disable_needs_password_and_code(client, make_tenant, clock, app):
    t = make_tenant()
    secret, pair = enrol(client, t.owner.headers, clock)
    h = bearer(pair["access_token"])
    clock.t += 30
    code = code_at(secret, clock.t)
    for body in (
        {"password": "Wrong-Password-123", "code": code},
        {"password": PASSWORD, "code": wrong_code(secret, clock.t)},
    ):
        r = client.post("/v1/auth/totp/disable", json=body, headers=h)
        assert r.status_code == 401 and r.json["reason"] == "bad_credentials"
    r = client.post("/v1/auth/totp/disable", json={"password": PASSWORD, "code": code}, headers=h)
    assert r.status_code == 204
    row = staff_row(app, t.owner.staff.id)
    assert row["totp_enabled"] is False and row["totp_secret"] is None
    assert login(client).status_code == 200  # the password alone again
    r = client.post("/v1/auth/totp/disable", json={"password": PASSWORD, "code": code}, headers=h)
    assert r.status_code == 409 and r.json["reason"] == "totp_not_enabled"
    actions = [e.action for e in audit_events(app, t.tenant.id)]
    assert {"auth.totp_setup", "auth.totp_enable", "auth.totp_disable"} <= set(actions)
    assert actions.count("auth.totp_disable_failed") == 2
    # Set up anew: a new secret.
    secret2, _ = enrol(client, h, clock)
    assert secret2 != secret


def test_disable_is_throttled(client, make_tenant, clock, settings):
    t = make_tenant()
    secret, pair = enrol(client, t.owner.headers, clock)
    h = bearer(pair["access_token"])
    for _ in range(settings.login_max_failures):
        body = {"password": "Wrong-Password-123", "code": code_at(secret, clock.t + 30)}
        assert client.post("/v1/auth/totp/disable", json=body, headers=h).status_code == 401
    body = {"password": PASSWORD, "code": code_at(secret, clock.t + 30)}
    assert client.post("/v1/auth/totp/disable", json=body, headers=h).status_code == 429


@pytest.mark.parametrize("role", ["reception", "staff", "accountant"])
def test_other_roles_cannot_set_up_totp(client, make_tenant, clock, role):
    t = make_tenant()
    m = t.member(role)
    for path, body in (
        ("setup", None),
        ("enable", {"code": "123456"}),
        ("disable", {"password": PASSWORD, "code": "123456"}),
    ):
        r = client.post(f"/v1/auth/totp/{path}", json=body, headers=m.headers)
        assert r.status_code == 403, (path, r.json)


def test_integration_key_cannot_set_up_totp(client, make_tenant, clock):
    t = make_tenant()
    key = client.post(
        "/v1/integration-keys",
        json={"name": "k", "scopes": ["tenant:read"]},
        headers=t.owner.headers,
    ).json["key"]
    assert client.post("/v1/auth/totp/setup", headers=bearer(key)).status_code == 403


def test_manager_can_enrol(client, make_tenant, clock):
    t = make_tenant()
    m = t.member("manager")
    secret, _ = enrol(client, m.headers, clock)
    clock.t += 30
    assert login(client, m.staff.email).json["reason"] == "totp_required"
    assert login(client, m.staff.email, code_at(secret, clock.t)).status_code == 200


# --- the owner's switch --------------------------------------------------------------


def test_only_the_owner_may_toggle_require_totp(client, make_tenant, clock, app):
    t = make_tenant()
    m = t.member("manager")
    r = set_require_totp(client, m.headers, True)
    assert r.status_code == 403
    with app.app_context(), database.connection_context():
        assert Tenant.get_by_id(t.tenant.id).require_totp is False
    # A manager still changes other settings.
    etag = client.get("/v1/tenant", headers=m.headers).headers["ETag"]
    r = client.patch(
        "/v1/tenant", json={"name": "Renamed"}, headers={**m.headers, "If-Match": etag}
    )
    assert r.status_code == 200 and r.json["require_totp"] is False
    key = client.post(
        "/v1/integration-keys",
        json={"name": "k", "scopes": ["tenant:read", "tenant:write"]},
        headers=t.owner.headers,
    ).json["key"]
    assert set_require_totp(client, bearer(key), True).status_code == 403
    r = set_require_totp(client, t.owner.headers, True)
    assert r.status_code == 200 and r.json["require_totp"] is True


def test_require_totp_confines_owners_and_managers_to_setup(client, make_tenant, clock, app):
    t = make_tenant()
    manager, reception = t.member("manager"), t.member("reception")
    assert set_require_totp(client, t.owner.headers, True).status_code == 200

    # Tokens already out are confined at once; other roles are not affected.
    for who in (t.owner, manager):
        r = client.get("/v1/staff", headers=who.headers)
        assert r.status_code == 403 and r.json["reason"] == "totp_setup_required"
    assert client.get("/v1/appointments", headers=reception.headers).status_code == 200
    assert login(client, reception.staff.email).json["totp_setup_required"] is False

    r = login(client, manager.staff.email)
    assert r.status_code == 200 and r.json["totp_setup_required"] is True
    h = bearer(r.json["access_token"])
    for path in ("/v1/tenant", "/v1/appointments", "/v1/services", "/v1/staff"):
        r = client.get(path, headers=h)
        assert r.status_code == 403 and r.json["reason"] == "totp_setup_required", path
    # Changing the password still works (and stays confined).
    r = client.post(
        "/v1/auth/password",
        headers=h,
        json={"current_password": PASSWORD, "new_password": "Another-Horse-Battery-7"},
    )
    assert r.status_code == 200 and r.json["totp_setup_required"] is True
    h = bearer(r.json["access_token"])

    secret, pair = enrol(client, h, clock)
    assert pair["totp_setup_required"] is False
    assert client.get("/v1/staff", headers=bearer(pair["access_token"])).status_code == 200
    clock.t += 30
    r = login(
        client, manager.staff.email, code_at(secret, clock.t), password="Another-Horse-Battery-7"
    )
    assert r.status_code == 200 and r.json["totp_setup_required"] is False

    # The owner, confined too, sets up and may switch it off again.
    owner_secret, owner_pair = enrol(client, t.owner.headers, clock)
    assert set_require_totp(client, bearer(owner_pair["access_token"]), False).status_code == 200
    assert (
        login(client, manager.staff.email, password="Another-Horse-Battery-7").json["reason"]
        == "totp_required"
    )  # switching the rule off does not switch factors off


# --- the secret at rest --------------------------------------------------------------


def test_secret_is_sealed_at_rest_and_never_in_audit_or_logs(
    client, make_tenant, clock, app, caplog
):
    caplog.set_level(logging.DEBUG)
    t = make_tenant()
    secret, pair = enrol(client, t.owner.headers, clock)
    h = bearer(pair["access_token"])
    clock.t += 30
    login(client)
    login(client, code=wrong_code(secret, clock.t))
    login(client, code=code_at(secret, clock.t))
    r = client.post(
        "/v1/auth/totp/disable",
        headers=h,
        json={"password": PASSWORD, "code": code_at(secret, clock.t + 30)},
    )
    assert r.status_code == 204
    secret2 = client.post("/v1/auth/totp/setup", headers=h).json["secret"]

    with app.app_context(), database.connection_context():
        stored = (
            Staff.select(Staff.totp_secret).where(Staff.id == t.owner.staff.id).tuples().get()[0]
        )
        assert secret2 not in stored and secret2.lower() not in stored.lower()
        blob = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
        assert raw(secret2) not in blob and raw(secret2).hex() not in stored
        # It opens for its own account only (the account is bound to it) and
        # not at all once changed.
        assert totp.open_sealed(stored, t.tenant.id, t.owner.staff.id)[0] == raw(secret2)
        with pytest.raises(totp.SealError):
            totp.open_sealed(stored, t.tenant.id, t.owner.staff.id + 1)
        with pytest.raises(totp.SealError):
            totp.open_sealed(stored, t.tenant.id + 1, t.owner.staff.id)
        flipped = bytearray(blob)
        flipped[-20] ^= 1
        tampered = base64.urlsafe_b64encode(bytes(flipped)).decode()
        with pytest.raises(totp.SealError):
            totp.open_sealed(tampered, t.tenant.id, t.owner.staff.id)

    events = audit_events(app, t.tenant.id)
    assert {"auth.totp_setup", "auth.totp_enable", "auth.totp_disable"} <= {
        e.action for e in events
    }
    for s in (secret, secret2):
        assert s not in caplog.text and raw(s).hex() not in caplog.text
        for event in events:
            assert s not in event.details


def test_key_rotation_reseals_the_secret(client, make_tenant, clock, app, settings):
    t = make_tenant()
    secret, _ = enrol(client, t.owner.headers, clock)
    old_kid = settings.current_kid
    settings.token_keys = {"next": b"n" * 32, **settings.token_keys}
    settings.current_kid = "next"
    clock.t += 30
    assert login(client, code=code_at(secret, clock.t)).status_code == 200
    stored = staff_row(app, t.owner.staff.id)["totp_secret"]
    blob = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
    assert blob[2 : 2 + blob[1]] == b"next"
    # The old key can go now.
    del settings.token_keys[old_kid]
    clock.t += 30
    assert login(client, code=code_at(secret, clock.t)).status_code == 200


def test_migration_adds_the_columns_to_an_older_database_and_keeps_its_rows(
    app, make_tenant, client
):
    t = make_tenant()
    m = t.member("staff")
    all_week = {"rules": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)]}
    url = f"/v1/staff/{m.staff.id}/working-hours"
    assert client.put(url, json=all_week, headers=t.owner.headers).status_code == 200
    with app.app_context(), database.connection_context():
        db = database.obj

        def counts():
            return {model.__name__: model.select().count() for model in ALL_MODELS}

        before = counts()
        migrator = SchemaMigrator.from_database(db)
        run_ops(
            migrator.drop_column("staff", "totp_secret"),
            migrator.drop_column("staff", "totp_enabled"),
            migrator.drop_column("staff", "totp_last_step"),
            migrator.drop_column("tenant", "require_totp"),
        )
        SchemaMigration.delete().where(SchemaMigration.version == 5).execute()
        assert migrate(db) == ["m0005_totp"]
        staff_cols = {c.name: c for c in db.get_columns("staff")}
        assert {"totp_secret", "totp_enabled", "totp_last_step"} <= set(staff_cols)
        assert not staff_cols["totp_enabled"].null and staff_cols["totp_secret"].null
        assert "require_totp" in {c.name for c in db.get_columns("tenant")}
        # Adding columns to tables everything refers to must not cost a row.
        assert counts() == before
        assert Staff.get_by_id(m.staff.id).totp_enabled is False
        assert Tenant.get_by_id(t.tenant.id).require_totp is False
        assert migrate(db) == []
