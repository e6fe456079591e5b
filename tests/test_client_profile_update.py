"""Changing a client's sealed profile: PUT /v1/clients/{id}/profile.

The profile is opened, changed and sealed again on the caller's side (a new
client key); the service checks the shape, the key version, the fields the
salon collects and the ETag, replaces the lookup digests when asked, and
records the change. The SDK's ``clients.update_profile`` does the sealing.
"""

from __future__ import annotations

import json

import pytest

import hushbook
from hushbook import sealing
from hushbook_service.db import database
from hushbook_service.models import AuditEvent, Client, ClientIndex
from support.config import VAULT_LOG_N
from support.sdk import live_environment, owner_client
from support.tenants import vault_passphrase

PROFILE = {"name": "Greta Grün", "email": "greta@example.org", "phone": "0170 1234567"}


def public_key(http, t):
    state = http.get("/v1/vault", headers=t.owner.headers).json
    return sealing.import_public_key(state["public_key"]), state["key_version"]


def sealed_body(http, t, profile, **extra):
    """What the console and the SDK send: the profile sealed here, to the business key."""
    key, version = public_key(http, t)
    client_key = sealing.new_client_key()
    return {
        "client_key": client_key,
        "sealed_profile": sealing.seal_profile(key, t.tenant.id, client_key, profile),
        "key_version": version,
        **extra,
    }


@pytest.fixture
def greta(client, make_tenant):
    t = make_tenant()
    body = sealed_body(client, t, PROFILE, contacts={"email": PROFILE["email"]})
    r = client.post("/v1/clients", json=body, headers=t.owner.headers)
    assert r.status_code == 201, r.json
    return t, r.json


def read(http, t, client_id, headers=None):
    r = http.get(f"/v1/clients/{client_id}", headers=headers or t.owner.headers)
    assert r.status_code == 200, r.json
    return r.json, r.headers["ETag"]


def put(http, client_id, body, headers, etag=None):
    extra = {"If-Match": etag} if etag else {}
    return http.put(f"/v1/clients/{client_id}/profile", json=body, headers={**headers, **extra})


def test_profile_is_replaced_with_the_etag_and_opens_as_sent(client, app, greta):
    t, made = greta
    row, etag = read(client, t, made["id"])
    assert t.open(row) == PROFILE and row["consents"] == []
    changed = {"name": "Greta Grün-Weiß", "email": PROFILE["email"], "phone": "0171 7654321"}
    body = sealed_body(client, t, changed)

    r = put(client, made["id"], body, t.owner.headers, etag)
    assert r.status_code == 200, r.json
    assert r.json["client_key"] == body["client_key"] != made["client_key"]
    assert t.open(r.json) == changed
    assert r.headers["ETag"] and r.headers["ETag"] != etag
    again, new_etag = read(client, t, made["id"])
    assert t.open(again) == changed and new_etag == r.headers["ETag"]
    assert again["figures"] == made["figures"]  # untouched
    assert "Grün" not in r.get_data(as_text=True)  # sealed both ways

    # The ETag read before is stale now: a second receptionist's change is refused.
    late = put(client, made["id"], sealed_body(client, t, {"name": "Other"}), t.owner.headers, etag)
    assert late.status_code == 412
    assert t.open(read(client, t, made["id"])[0]) == changed
    # Without If-Match: 428, nothing changed.
    missing = put(client, made["id"], sealed_body(client, t, {"name": "Other"}), t.owner.headers)
    assert missing.status_code == 428

    with app.app_context(), database.connection_context():
        event = (
            AuditEvent.select()
            .where(AuditEvent.action == "client.update")
            .order_by(AuditEvent.id.desc())
            .get()
        )
        assert event.target_id == made["id"] and event.actor_id == t.owner.staff.id
        details = json.loads(event.details)
        assert details == {"fields": ["email", "name", "phone"], "contacts": False}
        assert AuditEvent.select().where(AuditEvent.action == "client.update").count() == 1


def test_contacts_replace_the_lookup_digests(client, app, greta):
    t, made = greta
    h = t.owner.headers

    def lookup(**contact):
        return [x["id"] for x in client.post("/v1/clients/lookup", json=contact, headers=h).json]

    assert lookup(email=PROFILE["email"]) == [made["id"]]

    # No contacts: the digests stay as they were.
    _, etag = read(client, t, made["id"])
    r = put(client, made["id"], sealed_body(client, t, {"name": "Greta"}), h, etag)
    assert r.status_code == 200 and lookup(email=PROFILE["email"]) == [made["id"]]

    # New contacts: the old e-mail is forgotten, the new e-mail and phone are found.
    new = {"name": "Greta", "email": "greta@neu.example", "phone": "0170 5550000"}
    contacts = {"email": new["email"], "phone": new["phone"]}
    r = put(
        client, made["id"], sealed_body(client, t, new, contacts=contacts), h, r.headers["ETag"]
    )
    assert r.status_code == 200, r.json
    assert lookup(email=PROFILE["email"]) == []
    assert lookup(email="GRETA@neu.example") == [made["id"]]
    assert lookup(phone="+49 170 5550000") == [made["id"]]
    with app.app_context(), database.connection_context():
        kinds = sorted(e.kind for e in ClientIndex.select().where(ClientIndex.client == made["id"]))
    assert kinds == ["email", "phone"]

    # Empty contacts: no longer found by lookup at all.
    r = put(
        client, made["id"], sealed_body(client, t, {"name": "G"}, contacts={}), h, r.headers["ETag"]
    )
    assert r.status_code == 200 and lookup(email=new["email"]) == [] == lookup(phone=new["phone"])


def test_refusals_change_nothing(client, app, greta):
    t, made = greta
    h = t.owner.headers
    row, etag = read(client, t, made["id"])

    def refused(body, status, field=None, reason=None):
        r = put(client, made["id"], body, h, etag)
        assert r.status_code == status, r.json
        if field:
            assert field in r.json["errors"]["json"], r.json
        if reason:
            assert r.json["reason"] == reason
        assert read(client, t, made["id"]) == (row, etag)  # nothing changed

    ok = sealed_body(client, t, {"name": "Greta"})
    refused({**ok, "key_version": ok["key_version"] + 1}, 409, reason="stale_key_version")
    refused({**ok, "client_key": made["client_key"]}, 422, "client_key")  # a new key, always
    refused({k: v for k, v in ok.items() if k != "key_version"}, 422, "key_version")
    refused({k: v for k, v in ok.items() if k != "client_key"}, 422, "client_key")
    refused({**ok, "profile": {"name": "Plain"}}, 422, "profile")  # sealed on your side only
    refused({**ok, "sealed_profile": {}}, 422, "sealed_profile")
    refused(sealed_body(client, t, {"name": "G", "notes": "x"}), 422, "sealed_profile")
    refused({**ok, "contacts": {"phone": "abc"}}, 422, "contacts")
    assert put(client, 987654, ok, h, etag).status_code == 404


def test_roles_and_other_salons(client, make_tenant, greta):
    t, made = greta
    body = sealed_body(client, t, {"name": "By reception"})
    for role in ("staff", "accountant"):
        member = t.member(role)
        r = put(client, made["id"], body, member.headers, "whatever")
        assert r.status_code == 403, (role, r.json)
    reception = t.member("reception")
    _, etag = read(client, t, made["id"], reception.headers)
    r = put(client, made["id"], body, reception.headers, etag)
    assert r.status_code == 200 and t.open(r.json) == {"name": "By reception"}
    other = make_tenant("salon-b")
    r = put(client, made["id"], sealed_body(client, other, {"name": "X"}), other.owner.headers, "x")
    assert r.status_code == 404


def test_single_client_shows_its_consents(client, app, make_tenant):
    from hushbook_service.models import PrivacyNotice

    t = make_tenant()
    with app.app_context(), database.connection_context():
        PrivacyNotice.create(tenant=t.tenant.id, version=1, locale="de", text="Hinweis v1 lang")
    consent = {"notice_version": 1, "locale": "de", "purposes": ["reminders", "booking"]}
    made = client.post(
        "/v1/clients",
        json={"profile": {"name": "Ida"}, "consent": consent},
        headers=t.owner.headers,
    ).json
    row, _ = read(client, t, made["id"])
    assert [
        (c["notice_version"], c["locale"], c["purposes"], c["source"]) for c in row["consents"]
    ] == [(1, "de", ["booking", "reminders"], "staff")]
    assert row["consents"][0]["given_at"]
    listed = client.get("/v1/clients", headers=t.owner.headers).json
    assert "consents" not in listed[0]  # lists stay lean
    with app.app_context(), database.connection_context():
        assert Client.get_by_id(made["id"]).visits == 0


# --- the SDK ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory, migrated_template):
    with live_environment(tmp_path_factory.mktemp("profile-update"), migrated_template) as env:
        yield env


@pytest.mark.system
def test_sdk_update_profile_seals_here_and_uses_the_etag(live):
    t = live.make_tenant("salon-update")
    sent: list[str] = []

    import requests

    class Recording(requests.Session):
        def request(self, method, url, **kw):
            sent.append(f"{method} {url} {json.dumps(kw.get('json'))} {kw.get('headers')}")
            return super().request(method, url, **kw)

    api = owner_client(live, t, session=Recording())
    greta = api.clients.create(PROFILE, contacts={"email": PROFILE["email"]})
    fetched = api.clients.get(greta.id)
    assert fetched.etag

    notes_free = {"name": "Greta Weiß", "phone": "0170 9998887"}
    updated = api.clients.update_profile(
        fetched, notes_free, contacts={"phone": notes_free["phone"]}
    )
    assert isinstance(updated, hushbook.SalonClient) and updated.etag != fetched.etag
    assert updated.profile == notes_free and updated.client_key != greta.client_key
    assert api.clients.get(greta.id).profile == notes_free
    assert api.clients.lookup(phone="+49 170 9998887").id == greta.id
    assert api.clients.lookup(email=PROFILE["email"]) is None
    put_lines = [s for s in sent if s.startswith("PUT ")]
    assert len(put_lines) == 1 and f"'If-Match': '{fetched.etag}'" in put_lines[0]
    assert "Greta Weiß" not in "\n".join(sent)  # sealed here, never sent

    # The object read before the change is stale: refused, and nothing changes.
    with pytest.raises(hushbook.PreconditionFailed):
        api.clients.update_profile(fetched, {"name": "Late"})
    assert api.clients.get(greta.id).profile == notes_free
    # By id: the SDK reads the current ETag first (protects against nothing).
    assert api.clients.update_profile(greta.id, {"name": "By id"}).profile == {"name": "By id"}

    # A reader without a grant can still seal (public key only).
    rita = t.member("reception", "rita")
    rita_api = hushbook.Client(live.url, rita.access_token)
    rita_api.vault = hushbook.Vault(rita_api, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)
    current = rita_api.clients.get(greta.id)
    rita_api.clients.update_profile(current, {"name": "Rita typed"})
    assert api.clients.get(greta.id).profile == {"name": "Rita typed"}
    assert vault_passphrase(t.owner.staff) not in "\n".join(sent)
