"""schemathesis hooks for ``tests/schemathesis_run.py`` (loaded through
``SCHEMATHESIS_HOOKS``): the owner's token for the authenticated run.

The token is renewed every few seconds with the refresh token, else by logging
in again from an address of its own (the fuzzed logins, all wrong, must not
throttle the run's own sign-in). The owner's run leaves out
``logout-everywhere``, which would end the run's sessions: signing in again then
meets the account's own login budget, spent by the fuzzed wrong current
passwords (``tests/schemathesis_run.py``). What the run may not do to its own
owner (or it would end the authenticated run's reach): ``require_totp`` stays
off (the first accepted PATCH of ``/v1/tenant`` would leave the owner nothing
but setting up a second factor), and writes to ``/v1/staff/{staff_id}`` and
below aim at another id than the owner's (a fuzzed second owner may otherwise
deactivate or demote the first).
"""

from __future__ import annotations

import os
import threading

import requests
import schemathesis

BASE = os.environ.get("HUSHBOOK_FUZZ_BASE", "")
AS_OWNER = os.environ.get("HUSHBOOK_FUZZ_AS") == "owner"
OWNER_ID = int(os.environ.get("HUSHBOOK_FUZZ_OWNER_ID", "0"))
SIGN_IN_ADDRESS = "192.0.2.16"  # TEST-NET-1: only ever a header value here


class _Owner:
    refresh_token = os.environ.get("HUSHBOOK_FUZZ_REFRESH", "")
    lock = threading.Lock()  # a refresh token is good for one use: never two at once

    def get(self, case, context) -> str:
        with self.lock:
            return self._fetch()

    def _fetch(self) -> str:
        if self.refresh_token:
            r = requests.post(
                f"{BASE}/v1/auth/refresh", json={"refresh_token": self.refresh_token}, timeout=30
            )
            if r.status_code == 200:
                self.refresh_token = r.json()["refresh_token"]
                return r.json()["access_token"]
        r = requests.post(
            f"{BASE}/v1/auth/login",
            json={
                "tenant": os.environ["HUSHBOOK_FUZZ_TENANT"],
                "email": os.environ["HUSHBOOK_FUZZ_EMAIL"],
                "password": os.environ["HUSHBOOK_FUZZ_PASSWORD"],
            },
            headers={"X-Forwarded-For": SIGN_IN_ADDRESS},
            timeout=30,
        )
        if r.status_code != 200:
            raise RuntimeError(f"the owner's sign-in failed: {r.status_code} {r.text[:200]}")
        self.refresh_token = r.json()["refresh_token"]
        return r.json()["access_token"]

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


if AS_OWNER:
    # Public routes answer 401 for a bad visitor session, so a 401 says nothing
    # about the owner's token: it is renewed every few seconds instead.
    schemathesis.auth(refresh_interval=3, retry_on=[])(_Owner)


@schemathesis.hook
def map_body(context, body):
    if isinstance(body, dict) and body.get("require_totp") is not False and "require_totp" in body:
        return {**body, "require_totp": False}
    return body


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    staff_id = (case.path_parameters or {}).get("staff_id")
    if case.method.upper() != "GET" and str(staff_id) == str(OWNER_ID):
        case.path_parameters = {**case.path_parameters, "staff_id": OWNER_ID + 1}
