"""Login, throttling, refresh rotation, revocation and hostile tokens."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from jose import jwt

from hushbook_service.accounts.tokens import KeyRing
from hushbook_service.db import database
from hushbook_service.models import AuditEvent
from support.config import PASSWORD


def login(client, slug, email, password=PASSWORD, **kw):
    return client.post(
        "/v1/auth/login", json={"tenant": slug, "email": email, "password": password}, **kw
    )


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_login_refresh_logout_cycle(client, make_tenant):
    t = make_tenant()
    r = login(client, "salon-a", "owner@salon-a.test")
    assert r.status_code == 200, r.json
    pair = r.json
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900
    assert client.get("/v1/tenant", headers=bearer(pair["access_token"])).status_code == 200

    r2 = client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r2.status_code == 200
    new = r2.json
    assert new["refresh_token"] != pair["refresh_token"]

    assert (
        client.post("/v1/auth/logout", json={"refresh_token": new["refresh_token"]}).status_code
        == 204
    )
    r3 = client.post("/v1/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert r3.status_code == 401
    assert t.tenant.slug == "salon-a"


def test_wrong_password_and_unknown_account_look_the_same(client, make_tenant):
    make_tenant()
    bad = login(client, "salon-a", "owner@salon-a.test", "Wrong-Password-123")
    unknown = login(client, "salon-a", "nobody@salon-a.test")
    other_tenant = login(client, "no-such-salon", "owner@salon-a.test")
    assert bad.status_code == unknown.status_code == other_tenant.status_code == 401
    assert bad.json["message"] == unknown.json["message"] == other_tenant.json["message"]


def test_login_is_throttled_after_failures(client, make_tenant):
    make_tenant()
    for _ in range(5):
        assert (
            login(client, "salon-a", "owner@salon-a.test", "Wrong-Password-123").status_code == 401
        )
    r = login(client, "salon-a", "owner@salon-a.test")  # even the right password now
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert r.json["reason"] == "login_throttled"


def test_refresh_token_reuse_revokes_the_family(client, make_tenant):
    t = make_tenant()
    first = t.owner.refresh_token
    rotated = client.post("/v1/auth/refresh", json={"refresh_token": first}).json
    replay = client.post("/v1/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401 and replay.json["reason"] == "refresh_reuse"
    # The thief's replay also kills the legitimate newer token.
    r = client.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert r.status_code == 401


def test_one_time_password_must_be_changed_first(client, app):
    from hushbook_service.accounts.tenants import create_tenant

    with app.app_context(), database.connection_context():
        _, _, otp = create_tenant("salon-otp", "OTP", "o@otp.test", scrypt_log_n=10)
    r = login(client, "salon-otp", "o@otp.test", otp)
    assert r.status_code == 200 and r.json["password_change_required"] is True
    token = r.json["access_token"]
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 403
    weak = client.post(
        "/v1/auth/password",
        json={"current_password": otp, "new_password": "short"},
        headers=bearer(token),
    )
    assert weak.status_code == 422 and "new_password" in weak.json["errors"]["json"]
    ok = client.post(
        "/v1/auth/password",
        json={"current_password": otp, "new_password": PASSWORD},
        headers=bearer(token),
    )
    assert ok.status_code == 200 and ok.json["password_change_required"] is False
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401  # old token dead
    assert client.get("/v1/tenant", headers=bearer(ok.json["access_token"])).status_code == 200


def test_deactivation_revokes_access_and_refresh_at_once(client, make_tenant):
    t = make_tenant()
    rec = t.member("reception")
    assert client.get("/v1/appointments", headers=rec.headers).status_code == 200
    r = client.post(f"/v1/staff/{rec.staff.id}/deactivate", headers=t.owner.headers)
    assert r.status_code == 200 and r.json["active"] is False
    assert client.get("/v1/appointments", headers=rec.headers).status_code == 401
    r = client.post("/v1/auth/refresh", json={"refresh_token": rec.refresh_token})
    assert r.status_code == 401
    assert login(client, "salon-a", rec.staff.email).status_code == 401


def test_role_change_revokes_tokens(client, make_tenant):
    t = make_tenant()
    m = t.member("manager")
    etag = client.get(f"/v1/staff/{m.staff.id}", headers=t.owner.headers).headers["ETag"]
    r = client.patch(
        f"/v1/staff/{m.staff.id}",
        json={"role": "staff"},
        headers={**t.owner.headers, "If-Match": etag},
    )
    assert r.status_code == 200 and r.json["role"] == "staff"
    assert client.get("/v1/tenant", headers=m.headers).status_code == 401


# --- hostile tokens -----------------------------------------------------------------


def _forge(claims: dict, key: bytes, alg="HS256", headers=None) -> str:
    return jwt.encode(claims, key, algorithm=alg, headers=headers or {})


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def ring(app) -> KeyRing:
    return app.extensions["hushbook_keys"]


def _owner_claims(t):
    return {"sub": str(t.owner.staff.id), "tid": t.tenant.id, "role": "owner", "ver": 1}


def test_expired_access_token_refused(client, make_tenant, ring):
    t = make_tenant()
    token = ring.issue("access", _owner_claims(t), timedelta(seconds=-60))
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401


def test_refresh_token_is_not_an_access_token(client, make_tenant):
    t = make_tenant()
    assert client.get("/v1/tenant", headers=bearer(t.owner.refresh_token)).status_code == 401


def test_access_token_is_not_a_refresh_token(client, make_tenant):
    t = make_tenant()
    r = client.post("/v1/auth/refresh", json={"refresh_token": t.owner.access_token})
    assert r.status_code == 401


def test_wrong_typ_with_right_key_refused(client, make_tenant, ring):
    t = make_tenant()
    claims = _owner_claims(t) | {
        "iss": "hushbook",
        "aud": "hushbook:api",
        "jti": "x",
        "iat": 1,
        "exp": 4_000_000_000,
    }
    key = ring.key(ring.current_kid, "access")
    token = _forge(claims, key, headers={"kid": ring.current_kid, "typ": "hb-refresh+jwt"})
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401


def test_wrong_audience_refused(client, make_tenant, ring):
    t = make_tenant()
    claims = _owner_claims(t) | {
        "iss": "hushbook",
        "aud": "someone-else",
        "jti": "x",
        "iat": 1,
        "exp": 4_000_000_000,
    }
    key = ring.key(ring.current_kid, "access")
    token = _forge(claims, key, headers={"kid": ring.current_kid, "typ": "hb-access+jwt"})
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401


def test_missing_jti_refused(client, make_tenant, ring):
    t = make_tenant()
    claims = _owner_claims(t) | {
        "iss": "hushbook",
        "aud": "hushbook:api",
        "iat": 1,
        "exp": 4_000_000_000,
    }
    key = ring.key(ring.current_kid, "access")
    token = _forge(claims, key, headers={"kid": ring.current_kid, "typ": "hb-access+jwt"})
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401


def test_alg_none_refused(client, make_tenant, ring):
    t = make_tenant()
    good = ring.issue("access", _owner_claims(t), timedelta(minutes=5))
    header, payload, _ = good.split(".")
    none_header = _b64({"alg": "none", "typ": "hb-access+jwt", "kid": ring.current_kid})
    for token in (f"{none_header}.{payload}.", f"{none_header}.{payload}.x"):
        assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401


def test_alg_swapped_to_hs512_refused(client, make_tenant, ring):
    t = make_tenant()
    claims = _owner_claims(t) | {
        "iss": "hushbook",
        "aud": "hushbook:api",
        "jti": "x",
        "iat": 1,
        "exp": 4_000_000_000,
    }
    key = ring.key(ring.current_kid, "access")
    token = _forge(
        claims, key, alg="HS512", headers={"kid": ring.current_kid, "typ": "hb-access+jwt"}
    )
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401


def test_tampered_payload_refused(client, make_tenant, ring):
    t = make_tenant()
    other = t.member("staff")
    token = other.access_token
    header, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "owner"
    forged = f"{header}.{_b64(claims)}.{sig}"
    assert client.get("/v1/tenant", headers=bearer(forged)).status_code == 401


def test_unknown_kid_and_oversized_token_refused(client, make_tenant, ring):
    t = make_tenant()
    claims = _owner_claims(t) | {
        "iss": "hushbook",
        "aud": "hushbook:api",
        "jti": "x",
        "iat": 1,
        "exp": 4_000_000_000,
    }
    token = _forge(claims, b"k" * 32, headers={"kid": "nope", "typ": "hb-access+jwt"})
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 401
    huge = "a" * 5000 + "." + "b" * 10 + "." + "c"
    assert client.get("/v1/tenant", headers=bearer(huge)).status_code == 401
    assert client.get("/v1/tenant", headers=bearer("not-a-token")).status_code == 401
    assert client.get("/v1/tenant").status_code == 401


def test_key_rotation_old_tokens_verify_until_retired(app, make_tenant):
    from hushbook_service.accounts.tokens import TokenError

    t = make_tenant()
    old_ring = app.extensions["hushbook_keys"]
    token = old_ring.issue("access", _owner_claims(t), timedelta(minutes=5))
    keys = {"new": b"n" * 32, old_ring.current_kid: b"k" * 32}
    rotated = KeyRing(keys, "new", "hushbook")
    assert rotated.verify("access", token)["sub"] == str(t.owner.staff.id)
    assert (
        jwt.get_unverified_header(rotated.issue("access", {}, timedelta(minutes=1)))["kid"] == "new"
    )
    retired = KeyRing({"new": b"n" * 32}, "new", "hushbook")
    with pytest.raises(TokenError):
        retired.verify("access", token)


def test_integration_key_scopes_and_revocation(client, make_tenant):
    t = make_tenant()
    r = client.post(
        "/v1/integration-keys",
        json={"name": "WordPress", "scopes": ["services:read"]},
        headers=t.owner.headers,
    )
    assert r.status_code == 201, r.json
    key = r.json["key"]
    assert client.get("/v1/services", headers=bearer(key)).status_code == 200
    assert client.get("/v1/appointments", headers=bearer(key)).status_code == 403
    assert client.get("/v1/integration-keys", headers=bearer(key)).status_code == 403
    listed = client.get("/v1/integration-keys", headers=t.owner.headers).json
    assert "key" not in listed[0]
    assert listed[0]["last_used_at"] is not None and listed[0]["scopes"] == ["services:read"]
    assert (
        client.delete(f"/v1/integration-keys/{r.json['id']}", headers=t.owner.headers).status_code
        == 204
    )
    assert client.get("/v1/services", headers=bearer(key)).status_code == 401


def test_integration_key_cannot_mint_keys_or_use_foreign_scopes(client, make_tenant):
    t = make_tenant()
    r = client.post(
        "/v1/integration-keys",
        json={"name": "x", "scopes": ["integration_keys:manage"]},
        headers=t.owner.headers,
    )
    assert r.status_code == 422
    manager = t.member("manager")
    r = client.post(
        "/v1/integration-keys",
        json={"name": "x", "scopes": ["services:read"]},
        headers=manager.headers,
    )
    assert r.status_code == 403


def test_integration_key_cannot_mint_accounts(client, make_tenant):
    t = make_tenant()
    key = client.post(
        "/v1/integration-keys",
        json={"name": "sync", "scopes": ["staff:read", "staff:write"]},
        headers=t.owner.headers,
    ).json["key"]
    r = client.post(
        "/v1/staff",
        json={"email": "x@salon-a.test", "display_name": "X", "role": "reception"},
        headers=bearer(key),
    )
    assert r.status_code == 403 and r.json["reason"] == "person_required"
    member = t.member("staff")
    client.post(f"/v1/staff/{member.staff.id}/deactivate", headers=t.owner.headers)
    r = client.post(f"/v1/staff/{member.staff.id}/reactivate", headers=bearer(key))
    assert r.status_code == 403


def test_reactivate_only_inactive_and_revokes_old_tokens(client, make_tenant):
    t = make_tenant()
    m = t.member("reception")
    r = client.post(f"/v1/staff/{m.staff.id}/reactivate", headers=t.owner.headers)
    assert r.status_code == 409 and r.json["reason"] == "already_active"
    client.post(f"/v1/staff/{m.staff.id}/deactivate", headers=t.owner.headers)
    back = client.post(f"/v1/staff/{m.staff.id}/reactivate", headers=t.owner.headers)
    assert back.status_code == 200 and back.json["one_time_password"]
    assert (
        client.post("/v1/auth/refresh", json={"refresh_token": m.refresh_token}).status_code == 401
    )
    assert (
        login(client, "salon-a", m.staff.email, back.json["one_time_password"]).status_code == 200
    )


def test_pending_password_change_has_a_reason(client, app):
    from hushbook_service.accounts.tenants import create_tenant

    with app.app_context(), database.connection_context():
        _, _, otp = create_tenant("salon-p", "P", "o@p.test", scrypt_log_n=10)
    token = login(client, "salon-p", "o@p.test", otp).json["access_token"]
    r = client.get("/v1/staff", headers=bearer(token))
    assert r.status_code == 403 and r.json["reason"] == "password_change_required"


def test_login_throttle_uses_forwarded_ip_only_behind_trusted_proxy(settings, make_tenant):
    from hushbook_service import create_app

    make_tenant()
    settings.trusted_proxies = 1
    settings.login_max_failures = 2
    proxied = create_app(settings).test_client()
    wrong = {"tenant": "salon-a", "email": "owner@salon-a.test", "password": "Wrong-Password-1"}
    for i in range(8):  # 8 different clients behind the proxy, 1 failure each
        r = proxied.post(
            "/v1/auth/login",
            json={**wrong, "email": f"u{i}@salon-a.test"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        )
        assert r.status_code == 401
    # The proxy's own address has no failures: a 9th client still gets in.
    ok = proxied.post(
        "/v1/auth/login",
        json={**wrong, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.200"},
    )
    assert ok.status_code == 200


# --- GET /v1/auth/me: who the token is and what it may do --------------------------------


def test_me_tells_an_owner_every_permission(client, make_tenant):
    from hushbook_service.accounts.principals import PERMISSIONS

    t = make_tenant()
    r = client.get("/v1/auth/me", headers=t.owner.headers)
    assert r.status_code == 200, r.json
    assert r.json == {
        "tenant_id": t.tenant.id,
        "staff_id": t.owner.staff.id,
        "role": "owner",
        "display_name": t.owner.staff.display_name,
        "permissions": sorted(PERMISSIONS),
        "password_change_required": False,
        "totp_setup_required": False,
        "totp_enabled": False,
        "notify_bookings": True,
    }


def test_me_tells_a_stylist_only_her_own_permissions(client, make_tenant):
    t = make_tenant()
    stylist = t.member("staff", "stylist")
    me = client.get("/v1/auth/me", headers=stylist.headers).json
    assert (me["staff_id"], me["role"], me["display_name"]) == (
        stylist.staff.id,
        "staff",
        "Stylist",
    )
    assert me["permissions"] == sorted(
        [
            "appointments:read_own",
            "clients:identity",
            "schedules:read",
            "services:read",
            "staff:read",
            "tenant:read",
            "vault:own",
        ]
    )
    # What it says is what the service enforces.
    assert client.get("/v1/staff", headers=stylist.headers).status_code == 200
    assert client.get("/v1/clients", headers=stylist.headers).status_code == 403


def test_me_for_an_integration_key_names_no_person(client, make_tenant):
    t = make_tenant()
    made = client.post(
        "/v1/integration-keys",
        json={"name": "plugin", "scopes": ["services:read", "appointments:read"]},
        headers=t.owner.headers,
    ).json
    me = client.get("/v1/auth/me", headers=bearer(made["key"]))
    assert me.status_code == 200, me.json
    assert me.json == {
        "tenant_id": t.tenant.id,
        "staff_id": None,
        "role": "integration",
        "display_name": None,
        "permissions": ["appointments:read", "services:read"],
        "password_change_required": False,
        "totp_setup_required": False,
        "totp_enabled": False,
        "notify_bookings": None,
    }
    # a key gets no e-mails: nothing of its own to switch
    res = client.patch("/v1/auth/me", json={"notify_bookings": False}, headers=bearer(made["key"]))
    assert res.status_code == 403
    client.delete(f"/v1/integration-keys/{made['id']}", headers=t.owner.headers)
    assert client.get("/v1/auth/me", headers=bearer(made["key"])).status_code == 401


def test_me_answers_a_token_that_must_change_its_password_first(client, app):
    from hushbook_service.accounts.tenants import create_tenant

    with app.app_context(), database.connection_context():
        _, owner, otp = create_tenant("salon-me", "Me", "o@me.test", scrypt_log_n=10)
    token = login(client, "salon-me", "o@me.test", otp).json["access_token"]
    me = client.get("/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200, me.json
    assert me.json["password_change_required"] is True and me.json["permissions"] == []
    assert me.json["staff_id"] == owner.id and me.json["role"] == "owner"
    assert client.get("/v1/tenant", headers=bearer(token)).status_code == 403


def test_me_needs_a_valid_token(client, make_tenant):
    make_tenant()
    assert client.get("/v1/auth/me").status_code == 401
    assert client.get("/v1/auth/me", headers=bearer("not-a-token")).status_code == 401


# --- POST /v1/auth/logout-everywhere: a person ends every session of theirs ---------------


def test_logout_everywhere_ends_every_session_of_that_person_only(client, make_tenant):
    t = make_tenant()
    stylist = t.member("staff", "stylist")
    here = t.owner.headers
    elsewhere = login(client, t.tenant.slug, t.owner.staff.email, PASSWORD).json
    r = client.post("/v1/auth/logout-everywhere", headers=here)
    assert r.status_code == 204, r.json
    # This session, the other device's access token and its refresh token: all dead.
    assert client.get("/v1/auth/me", headers=here).status_code == 401
    assert client.get("/v1/auth/me", headers=bearer(elsewhere["access_token"])).status_code == 401
    refreshed = client.post("/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]})
    assert refreshed.status_code == 401
    # Another person's session goes on; signing in again works.
    assert client.get("/v1/auth/me", headers=stylist.headers).status_code == 200
    assert login(client, t.tenant.slug, t.owner.staff.email, PASSWORD).status_code == 200
    events = [e.action for e in AuditEvent.select().where(AuditEvent.tenant == t.tenant.id)]
    assert "auth.logout_everywhere" in events


def test_logout_everywhere_is_for_people_not_keys(client, make_tenant):
    t = make_tenant()
    made = client.post(
        "/v1/integration-keys",
        json={"name": "plugin", "scopes": ["public:forward"]},
        headers=t.owner.headers,
    ).json
    r = client.post("/v1/auth/logout-everywhere", headers=bearer(made["key"]))
    assert r.status_code == 403 and r.json["reason"] == "person_required"
    assert client.post("/v1/auth/logout-everywhere").status_code == 401
