"""Zero-access round trip against a real server: grants, revocation, no passphrase crossing."""

from __future__ import annotations

import json

import pytest
import requests

import hushbook
from hushbook import sealing
from support.config import PASSWORD
from support.processes import start_server, stop_server

pytestmark = pytest.mark.system
LOG_N = 16  # the floor the service accepts; production is 17


class RecordingSession(requests.Session):
    """Everything this process sends to the service, for 'what crosses the API'."""

    def __init__(self):
        super().__init__()
        self.sent: list[str] = []

    def request(self, method, url, **kw):
        self.sent.append(f"{method} {url} {json.dumps(kw.get('json'))} {kw.get('params')}")
        return super().request(method, url, **kw)


def person(server, email, session=None) -> hushbook.Client:
    return hushbook.Client.login(server.url, "salon-v", email, PASSWORD, session=session)


@pytest.fixture
def salon(settings, make_tenant):
    t = make_tenant("salon-v", vault=False)
    reception = t.member("reception", "rita")
    accountant = t.member("accountant", "abe")
    server = start_server(settings)
    yield t, reception, accountant, server
    stop_server(server)


def test_grant_open_revoke_and_nothing_secret_crosses(salon):
    t, reception, accountant, server = salon
    owner_session, rita_session = RecordingSession(), RecordingSession()
    owner = person(server, t.owner.staff.email, owner_session)
    owner_vault = hushbook.Vault(owner, log_n=LOG_N)
    with pytest.raises(hushbook.Conflict) as no_vault:
        owner.post("/v1/clients", {"profile": {"name": "Too Early"}})
    assert no_vault.value.reason == "vault_not_set_up"
    owner_vault.enrol("owner's long vault passphrase")
    owner_vault.setup()
    etag = owner._session.get(
        f"{server.url}/v1/tenant", headers={"Authorization": f"Bearer {owner.token}"}
    ).headers["ETag"]
    owner.patch(
        "/v1/tenant",
        {"profile_fields": ["name", "email", "phone", "notes"]},
        headers={"If-Match": etag},
    )

    # Reception books a caller; the profile is sealed before it is stored.
    rita = person(server, reception.staff.email, rita_session)
    made = rita.post(
        "/v1/clients", {"profile": {"name": "Gisela Geheim", "phone": "+49 171 5550000"}}
    )
    assert "Gisela" not in json.dumps(made)
    # A profile sealed on the writer's side is stored as sent.
    body = owner_vault.seal_profile({"name": "Otto Owner-Sealed", "notes": "allergic to latex"})
    sealed_side = owner.post("/v1/clients", body)
    assert sealed_side["sealed_profile"] == body["sealed_profile"]

    rita_vault = hushbook.Vault(rita, log_n=LOG_N)
    rita_vault.enrol("rita's own passphrase, never sent")
    rita_vault.unlock("rita's own passphrase, never sent")
    assert not rita_vault.can_read  # enrolled, but no grant yet
    with pytest.raises(hushbook.VaultLocked):
        rita_vault.open_client(rita.get(f"/v1/clients/{made['id']}"))

    owner_vault.unlock("owner's long vault passphrase")
    owner_vault.grant(reception.staff.id)
    rita_vault.unlock("rita's own passphrase, never sent")
    opened = [rita_vault.open_client(c) for c in rita.get("/v1/clients")]
    assert {"name": "Gisela Geheim", "phone": "+49 171 5550000"} in opened
    assert {"name": "Otto Owner-Sealed", "notes": "allergic to latex"} in opened
    owner_vault.revoke(reception.staff.id)
    rita_vault.unlock("rita's own passphrase, never sent")
    assert not rita_vault.can_read

    # The accountant can neither enrol nor be granted.
    abe = person(server, accountant.staff.email)
    with pytest.raises(hushbook.PermissionDenied) as never:
        hushbook.Vault(abe, log_n=LOG_N).enrol("abe's passphrase")
    assert never.value.status == 403  # no member key for the accountant role at all
    with pytest.raises(hushbook.PermissionDenied):
        abe.get(f"/v1/clients/{made['id']}")

    # What crossed the API: no passphrase, no private key, no tenant key.
    sent = "\n".join(owner_session.sent + rita_session.sent)
    for secret in ("owner's long vault passphrase", "rita's own passphrase"):
        assert secret not in sent
    for key in (owner_vault._tenant_key, owner_vault._member_key, rita_vault._member_key):
        raw = sealing.export_private_key(key)
        assert sealing.b64e(raw) not in sent and raw.hex() not in sent


def test_wrong_passphrase_fails_locally(salon):
    t, _, _, server = salon
    owner = person(server, t.owner.staff.email)
    vault = hushbook.Vault(owner, log_n=LOG_N)
    vault.enrol("right passphrase")
    with pytest.raises(sealing.SealError):
        hushbook.Vault(owner, log_n=LOG_N).unlock("wrong passphrase")


def test_deactivation_drops_the_grant(salon):
    t, reception, _, server = salon
    owner = person(server, t.owner.staff.email)
    owner_vault = hushbook.Vault(owner, log_n=LOG_N)
    owner_vault.enrol("p1 for the owner")
    owner_vault.setup()
    rita = person(server, reception.staff.email)
    hushbook.Vault(rita, log_n=LOG_N).enrol("p2 for rita")
    owner_vault.grant(reception.staff.id)
    assert [
        m["granted"] for m in owner.get("/v1/vault/members") if m["staff_id"] == reception.staff.id
    ] == [True]
    owner.post(f"/v1/staff/{reception.staff.id}/deactivate")
    owner.post(f"/v1/staff/{reception.staff.id}/reactivate")
    members = {m["staff_id"]: m for m in owner.get("/v1/vault/members")}
    assert members[reception.staff.id]["granted"] is False
    assert members[reception.staff.id]["public_key"] is None


def test_rotation_reseals_everything_on_the_owners_side(salon):
    t, reception, _, server = salon
    owner = person(server, t.owner.staff.email)
    owner_vault = hushbook.Vault(owner, log_n=LOG_N)
    owner_vault.enrol("owner passphrase for rotation")
    owner_vault.setup()
    rita = person(server, reception.staff.email)
    rita_vault = hushbook.Vault(rita, log_n=LOG_N)
    rita_vault.enrol("rita passphrase for rotation")
    owner_vault.grant(reception.staff.id)
    # Enough clients that the rotation body is well past the normal 64 KiB limit.
    for i in range(150):
        owner.post(
            "/v1/clients",
            {"profile": {"name": f"Rotating Client {i:03d}", "phone": f"+49 30 555{i:04d}"}},
        )
    old_key = owner_vault._tenant_key
    before = owner.get("/v1/clients/1")

    owner_vault.rotate()
    assert owner_vault.state["key_version"] == 2
    after = owner.get("/v1/clients/1")
    assert after["client_key"] != before["client_key"]
    assert owner_vault.open_client(after) == {
        "name": "Rotating Client 000",
        "phone": "+49 30 5550000",
    }
    with pytest.raises(sealing.SealError):  # the old key opens nothing new
        sealing.open_profile(old_key, t.tenant.id, after["client_key"], after["sealed_profile"])
    rita_vault.unlock("rita passphrase for rotation")  # her grant was re-made for key 2
    names = {rita_vault.open_client(c)["name"] for c in rita_vault.all_clients()}
    assert len(names) == 150
    events = owner.get("/v1/audit-events", params={"action": "vault.rotate"})
    assert events[0]["details"] == {"clients": 150, "grants": 2, "key_version": 2}


def test_rotation_refuses_an_incomplete_or_stale_set(salon):
    t, _, _, server = salon
    owner = person(server, t.owner.staff.email)
    vault = hushbook.Vault(owner, log_n=LOG_N)
    vault.enrol("owner passphrase")
    vault.setup()
    made = owner.post("/v1/clients", {"profile": {"name": "Only One"}})
    new = sealing.generate_keypair()
    body = {
        "key_version": 2,
        "public_key": sealing.b64e(sealing.export_public_key(new.public_key)),
        "grants": [
            {
                "staff_id": t.owner.staff.id,
                "sealed_tenant_key": sealing.seal_grant(
                    new.public_key, new.private_key, t.tenant.id, t.owner.staff.id
                ),
            }
        ],
        "profiles": [],
    }
    with pytest.raises(hushbook.Conflict) as missing:
        owner.post("/v1/vault/rotate", body)
    assert missing.value.reason == "clients_changed"
    body["profiles"] = [
        {"client_id": made["id"], "client_key": "k", "sealed_profile": {"name": "AAAA"}}
    ]
    with pytest.raises(hushbook.Conflict) as stale:
        owner.post("/v1/vault/rotate", {**body, "key_version": 5})
    assert stale.value.reason == "stale_key_version"
    assert owner.get("/v1/vault")["key_version"] == 1
