"""Guesses at secrets (issue 16): every route that checks a password or a code is
throttled per account and per address, and an answer's timing does not tell an
active account from a deactivated or an unknown one.

The parallel case (40 guesses at once against several workers) is in
tests/test_guessing_concurrency.py; the timing figures in bench/login_timing.py.
"""

from __future__ import annotations

import pytest

from hushbook_service.accounts import passwords
from hushbook_service.db import database
from hushbook_service.models import AuditEvent, LoginAttempt, Staff
from support.config import PASSWORD

WRONG = "Wrong-Password-123"
LIMIT = 5  # Settings.login_max_failures


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def login(client, email="owner@salon-a.test", password=PASSWORD, **kw):
    body = {"tenant": "salon-a", "email": email, "password": password}
    return client.post("/v1/auth/login", json=body, **kw)


def change(client, token, current, new="A-New-Password-4711!", **kw):
    body = {"current_password": current, "new_password": new}
    return client.post("/v1/auth/password", json=body, headers=bearer(token), **kw)


def actions(app, tenant_id):
    with app.app_context(), database.connection_context():
        rows = AuditEvent.select(AuditEvent.action).where(AuditEvent.tenant == tenant_id)
        return [r.action for r in rows]


def test_password_change_guessing_is_throttled(client, app, make_tenant):
    """A stolen access token is not a guessing oracle for the current password."""
    t = make_tenant()
    token = t.owner.access_token
    for _ in range(LIMIT):
        res = change(client, token, WRONG)
        assert res.status_code == 401 and res.json["reason"] == "bad_credentials"
    res = change(client, token, PASSWORD)  # even the right one, now
    assert res.status_code == 429 and res.json["reason"] == "login_throttled"
    assert int(res.headers["Retry-After"]) > 0
    # one budget per account: the guesses above count against signing in too
    assert login(client).status_code == 429
    # the owner sees what happened
    assert actions(app, t.tenant.id).count("auth.password_change_failed") == LIMIT
    with app.app_context(), database.connection_context():
        assert Staff.get_by_id(t.owner.staff.id).token_version == 1  # nothing changed


def test_a_right_password_change_is_not_a_failure(client, app, make_tenant):
    t = make_tenant()
    for _ in range(LIMIT - 1):
        assert change(client, t.owner.access_token, WRONG).status_code == 401
    res = change(client, t.owner.access_token, PASSWORD, new="kurz")  # right, but too weak
    assert res.status_code == 422
    res = change(client, t.owner.access_token, PASSWORD)
    assert res.status_code == 200, res.json


def test_login_failures_are_counted_per_address_across_accounts(client, make_tenant):
    make_tenant()
    for i in range(4 * LIMIT):  # four times the account's limit, each on another account
        assert login(client, email=f"nobody{i}@salon-a.test").status_code == 401
    res = login(client)  # the owner's own account has no failures, the address has
    assert res.status_code == 429 and res.json["reason"] == "login_throttled"
    other = login(client, environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert other.status_code == 200, other.json


def test_second_factor_codes_are_throttled_when_turning_it_on(client, app, make_tenant):
    t = make_tenant()
    headers = t.owner.headers
    assert client.post("/v1/auth/totp/setup", headers=headers).status_code == 200
    for _ in range(LIMIT):
        res = client.post("/v1/auth/totp/enable", json={"code": "000000"}, headers=headers)
        assert res.status_code == 422, res.json
    res = client.post("/v1/auth/totp/enable", json={"code": "000000"}, headers=headers)
    assert res.status_code == 429 and res.json["reason"] == "login_throttled"
    # its own budget: a fumbled set-up does not lock the person out of signing in
    assert login(client).status_code == 200
    with app.app_context(), database.connection_context():
        assert not Staff.get_by_id(t.owner.staff.id).totp_enabled


def test_login_asking_for_the_code_is_not_a_failure(client, app, make_tenant):
    """Right password, code missing: the client asks for it; no failure is kept."""
    t = make_tenant()
    with app.app_context(), database.connection_context():
        Staff.update(totp_enabled=True).where(Staff.id == t.owner.staff.id).execute()
    for _ in range(LIMIT + 2):
        res = login(client)
        assert res.status_code == 401 and res.json["reason"] == "totp_required"
    with app.app_context(), database.connection_context():
        assert LoginAttempt.select().count() == 0


@pytest.mark.parametrize("who", ["active", "deactivated", "unknown", "no_password"])
def test_every_failed_login_computes_one_password_hash(client, app, make_tenant, who, monkeypatch):
    """The timing of a refusal does not say whether the account exists or was
    deactivated: each costs exactly one scrypt (bench/login_timing.py: the times)."""
    t = make_tenant()
    member = t.member("staff", "former")
    email = "former@salon-a.test"
    with app.app_context(), database.connection_context():
        if who == "deactivated":
            Staff.update(active=False).where(Staff.id == member.staff.id).execute()
        if who == "no_password":
            Staff.update(password_hash=None).where(Staff.id == member.staff.id).execute()
    if who == "unknown":
        email = "nobody@salon-a.test"
    calls = []
    real = passwords._scrypt
    monkeypatch.setattr(passwords, "_scrypt", lambda *a: calls.append(a) or real(*a))
    password = WRONG if who == "active" else PASSWORD  # a deactivated one's right password too
    res = login(client, email=email, password=password)
    assert res.status_code == 401 and res.json["reason"] == "bad_credentials"
    assert len(calls) == 1
