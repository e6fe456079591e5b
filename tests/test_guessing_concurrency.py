"""Forty guesses at once, against ``hushbook serve --workers 4``: at most the
limit of them is ever checked (issue 16: 18 of 40 were, against a limit of 5).

SQLite here; PostgreSQL when HUSHBOOK_TEST_DATABASE_URL points there (``.ci/run``).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from hushbook_service.accounts.passwords import hash_password
from hushbook_service.config import Settings
from hushbook_service.db import database
from hushbook_service.models import AuditEvent, LoginAttempt, Staff
from support.config import PASSWORD
from support.processes import start_server, stop_server

pytestmark = pytest.mark.system
GUESSES = 40
LIMIT = 5  # Settings.login_max_failures
WRONG = "Wrong-Password-123"
PRODUCTION_LOG_N = Settings.scrypt_log_n


@pytest.fixture
def live(app, make_tenant, settings):
    t = make_tenant()
    # A password hash as slow as in production (the tests' own are fast): the
    # race between counting failures and recording one is as wide as a check.
    with app.app_context(), database.connection_context():
        slow = hash_password(PASSWORD, PRODUCTION_LOG_N)
        Staff.update(password_hash=slow).where(Staff.id == t.owner.staff.id).execute()
    server = start_server(settings, workers=4)
    yield t, server
    stop_server(server)


def fire(url, bodies, headers=None):
    """POST every body at once (threads released together by a barrier)."""
    barrier = threading.Barrier(len(bodies))

    def one(body):
        with requests.Session() as http:
            barrier.wait(timeout=30)
            res = http.post(url, json=body, headers=headers, timeout=120)
            return res.status_code, res.json().get("reason")

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return Counter(pool.map(one, bodies))


def audited(app, action):
    with app.app_context(), database.connection_context():
        return AuditEvent.select().where(AuditEvent.action == action).count()


def test_parallel_login_guesses_check_at_most_the_limit(app, live):
    t, server = live
    body = {"tenant": "salon-a", "email": "owner@salon-a.test", "password": WRONG}
    answers = fire(f"{server.url}/v1/auth/login", [body] * GUESSES)
    assert answers == {(401, "bad_credentials"): LIMIT, (429, "login_throttled"): GUESSES - LIMIT}
    assert audited(app, "auth.login_failed") == LIMIT
    with app.app_context(), database.connection_context():
        assert LoginAttempt.select().count() == LIMIT


def test_parallel_password_change_guesses_check_at_most_the_limit(app, live):
    """With a stolen access token: the current password is guessed as a login is."""
    t, server = live
    body = {"current_password": WRONG, "new_password": "A-New-Password-4711!"}
    answers = fire(f"{server.url}/v1/auth/password", [body] * GUESSES, t.owner.headers)
    assert answers == {(401, "bad_credentials"): LIMIT, (429, "login_throttled"): GUESSES - LIMIT}
    assert audited(app, "auth.password_change_failed") == LIMIT
