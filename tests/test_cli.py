"""The ``hushbook`` command line as a newcomer runs it (real subprocesses)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import pytest

from support.processes import server_log, service_env, start_server, stop_server

pytestmark = pytest.mark.system  # every test runs `hushbook …` as a real process


@pytest.fixture
def env(settings):
    return service_env(settings)


def run(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "hushbook_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_migrate_is_idempotent(env):
    first = run(env, "migrate")
    assert first.returncode == 0, first.stderr
    assert "m0001_initial" in first.stdout
    again = run(env, "migrate")
    assert again.returncode == 0 and "up to date" in again.stdout


def test_tenant_create_json_and_login(env, settings, client):
    r = run(
        env,
        "tenant",
        "create",
        "--slug",
        "salon-cli",
        "--name",
        "Salon CLI",
        "--owner-email",
        "Owner@Salon-CLI.test",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["slug"] == "salon-cli" and out["owner_email"] == "owner@salon-cli.test"
    login = client.post(
        "/v1/auth/login",
        json={
            "tenant": "salon-cli",
            "email": "owner@salon-cli.test",
            "password": out["one_time_password"],
        },
    )
    assert login.status_code == 200 and login.json["password_change_required"] is True
    dup = run(
        env, "tenant", "create", "--slug", "salon-cli", "--name", "X", "--owner-email", "a@b.c"
    )
    assert dup.returncode != 0 and "taken" in dup.stderr
    bad = run(
        env, "tenant", "create", "--slug", "Bad Slug!", "--name", "X", "--owner-email", "a@b.c"
    )
    assert bad.returncode != 0 and "slug" in bad.stderr


def test_secrets_file_is_private_and_keys_rotate(env, settings):
    env = {k: v for k, v in env.items() if k != "HUSHBOOK_TOKEN_KEYS"}
    assert run(env, "migrate").returncode == 0
    path = settings.instance / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    old_kid = json.loads(path.read_text())["token_keys"][0]["kid"]
    rotated = run(env, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    data = json.loads(path.read_text())
    assert [k["kid"] for k in data["token_keys"]][1] == old_kid
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    current = data["token_keys"][0]["kid"]
    assert run(env, "keys", "retire", current).returncode != 0  # never the signing key
    assert run(env, "keys", "retire", old_kid).returncode == 0


def test_bad_settings_fail_with_a_message_not_a_traceback(env):
    r = run({**env, "HUSHBOOK_TOKEN_KEYS": "nonsense"}, "migrate")
    assert r.returncode != 0 and "HUSHBOOK_TOKEN_KEYS" in r.stderr and "Traceback" not in r.stderr
    r = run({**env, "HUSHBOOK_SCRYPT_LOG_N": "99"}, "migrate")
    assert r.returncode != 0 and "HUSHBOOK_SCRYPT_LOG_N" in r.stderr


def test_index_key_required_when_keys_come_from_the_environment(env):
    r = run({k: v for k, v in env.items() if k != "HUSHBOOK_INDEX_KEY"}, "migrate")
    assert r.returncode != 0 and "HUSHBOOK_INDEX_KEY" in r.stderr


def test_retire_unknown_kid_fails(env):
    env = {k: v for k, v in env.items() if k != "HUSHBOOK_TOKEN_KEYS"}
    assert run(env, "migrate").returncode == 0
    r = run(env, "keys", "retire", "no-such-kid")
    assert r.returncode != 0 and "no key" in r.stderr
    listed = run(env, "keys", "list")
    assert listed.returncode == 0 and "signing" in listed.stdout


@pytest.mark.parametrize("workers", [1, 2], ids=["dev-server", "gunicorn"])
def test_access_logs_carry_no_query_strings(settings, make_tenant, workers):
    import requests

    t = make_tenant()
    server = start_server(settings, workers=workers)
    try:
        r = requests.get(
            f"{server.url}/v1/clients",
            params={"q": "querysecret@example.org"},
            headers=t.owner.headers,
            timeout=10,
        )
        assert r.status_code == 200
    finally:
        stop_server(server)
    log = server_log(settings)
    assert "GET /v1/clients" in log  # the request was logged…
    assert "querysecret" not in log  # …without what the caller typed
