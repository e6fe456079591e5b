"""The console's vault.js against the Python SDK (the reference): Node and real Chromium.

1. ``tests/vectors/console.json`` is exactly what its generator makes now, and
   the SDK's own ``Vault`` opens it (unlock, grant, every client; must-fail
   rows refused), so neither side can drift without this suite noticing.
2. The Node suite (``node --test plugins/console/test/``) opens every vector in
   vault.js and refuses every must-fail case with Python's message.
3. Both directions with fresh keys: the SDK enrols a member and sets up a
   tenant key (against an in-memory stand-in for /v1/vault) and seals profiles;
   vault.js in Node unlocks, opens them and seals edited ones; the SDK opens
   those, bound to their client key and field.
4. The administration half (enrol, setup, grant, rotate), both ways: a key
   enrolled in vault.js unlocks in the SDK and the reverse; a grant sealed in
   vault.js opens in the SDK and the reverse (tampered ones refused); and
   against the real service (``hushbook serve``): vault.js enrols, sets up,
   grants and builds a rotation body the API accepts, after which the SDK and
   vault.js read every client with the new key.
5. Reading in headless Chromium: X25519 in WebCrypto, non-extractable keys,
   and the scrypt figure at production cost.

Node, Chromium and Playwright are optional on a laptop (skipped) but required
under CI (failed): see :func:`support.components.require`.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

import hushbook
from hushbook import sealing
from hushbook.sealing import SealError
from support.components import browser_page, node, require
from support.config import PASSWORD
from support.processes import start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ROOT / "plugins" / "console"
VAULT_CLI = CONSOLE / "test" / "vault-cli.js"
SCRIPTS = {  # served to Chromium, loaded in this order (as the console page does)
    "/scrypt.js": CONSOLE / "vendor" / "noble-hashes-2.4.0" / "scrypt.js",
    "/sealing.js": ROOT / "plugins" / "widget" / "src" / "sealing.js",
    "/vault.js": CONSOLE / "src" / "vault.js",
}
VECTORS = ROOT / "tests" / "vectors" / "console.json"
GENERATOR = ROOT / "tests" / "vectors" / "make_console_vectors.py"
LOW_LOG_N = 10  # test-only scrypt cost; the floor is 16, production 17
ENROL_LOG_N = sealing.MIN_LOG_N  # vault.js enrols at the floor at least (the service's too)
PROFILES: list[dict[str, str]] = [
    {"name": "Anna Müller", "email": "anna@example.de", "phone": "+49 170 1234567"},
    {
        "name": "Jürgen Weiß-Größe",
        "notes": "Färben 💇\u200d♀️ ohne Ammoniak; dienstags früh 🙂 " * 3,
        "birthday": "1987-03-14",
    },
    {"name": "Zoë", "notes": ""},
]


class _VaultRoutes:
    """In-memory stand-in for the /v1/vault routes that ``hushbook.Vault`` calls
    for enrol, setup, unlock, seal_profile and open_client (answers shaped like
    the service's ``vault.view``)."""

    def __init__(self, tenant_id: int, staff_id: int, state: dict[str, Any] | None = None):
        self.state: dict[str, Any] = state or {
            "tenant_id": tenant_id,
            "staff_id": staff_id,
            "public_key": None,
            "key_version": 1,
            "member": None,
            "grant": None,
        }

    def get(self, path: str, **_: Any) -> Any:
        assert path == "/v1/vault", path
        return copy.deepcopy(self.state)

    def request(self, method: str, path: str, json: Any = None, **_: Any) -> Any:
        assert (method, path) == ("PUT", "/v1/vault/member"), (method, path)
        self.state["member"] = copy.deepcopy(json)
        self.state["grant"] = None  # a new member key drops the grants, as the service does
        return self.get("/v1/vault")

    def post(self, path: str, json: Any = None, **_: Any) -> Any:
        assert path == "/v1/vault/setup", path
        self.state["public_key"] = json["public_key"]
        self.state["grant"] = {
            "staff_id": self.state["staff_id"],
            "key_version": self.state["key_version"],
            "sealed_tenant_key": json["owner_grant"],
        }
        return self.get("/v1/vault")


def _sdk_vault(routes: _VaultRoutes) -> hushbook.Vault:
    return hushbook.Vault(cast(Any, routes), log_n=LOW_LOG_N, min_log_n=LOW_LOG_N)


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vector_vault(vectors: dict[str, Any]) -> hushbook.Vault:
    """The SDK's Vault, unlocked as the low-cost vector member."""
    member = next(m for m in vectors["members"] if m["min_log_n"] < sealing.MIN_LOG_N)
    routes = _VaultRoutes(0, 0, copy.deepcopy(member["state"]))
    assert member["min_log_n"] == LOW_LOG_N
    vault = _sdk_vault(routes)
    vault.unlock(member["passphrase"])
    assert vault.can_read
    return vault


def _check_written_back(vault: hushbook.Vault, profile: dict[str, str], body: dict[str, Any]):
    """``body`` (a vault.js sealProfile result) opens in the SDK to ``profile``, and
    only where it belongs: not moved to another field, nor relabelled."""
    assert set(body) == {"client_key", "sealed_profile", "key_version"}
    assert body["key_version"] == vault.state["key_version"]
    sealed = body["sealed_profile"]
    assert list(sealed) == list(profile)
    row = {"id": 1, "client_key": body["client_key"], "sealed_profile": sealed}
    assert vault.open_client(row) == profile
    fields = list(sealed)
    assert len(fields) >= 2
    for bad in (
        {**row, "sealed_profile": {**sealed, fields[-1]: sealed[fields[0]]}},
        {**row, "client_key": sealing.new_client_key()},
    ):
        with pytest.raises(SealError):
            vault.open_client(bad)


# --- 1. the vectors -----------------------------------------------------------------


def test_committed_vectors_are_what_the_generator_makes_now():
    spec = importlib.util.spec_from_file_location("make_console_vectors", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert VECTORS.read_text(encoding="utf-8") == generator.render(), (
        "tests/vectors/console.json is stale: run "
        ".venv/bin/python tests/vectors/make_console_vectors.py"
    )


def test_the_sdk_vault_opens_the_vectors(vectors, vector_vault):
    # Cheap, and independent of Node: what vault.js is held to is what the SDK does.
    for case in vectors["clients"]:
        assert vector_vault.open_client(case["row"]) == case["profile"], case["name"]
    for case in vectors["profile_must_fail"]:
        with pytest.raises(SealError, match=re.escape(case["error"])):
            vector_vault.open_client(case["row"])
    member = vectors["members"][0]
    with pytest.raises(SealError, match="cannot unwrap"):
        _sdk_vault(_VaultRoutes(0, 0, copy.deepcopy(member["state"]))).unlock("wrong")


# --- 2. and 3. Node -----------------------------------------------------------------


def _vault_cli(request: dict[str, Any]) -> dict[str, Any]:
    run = subprocess.run(
        [str(node()), str(VAULT_CLI)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.system
def test_node_suite_passes():
    require("node >= 20", node() is not None)
    run = subprocess.run(
        [str(node()), "--test", "--test-reporter=tap", "plugins/console/test/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "\n# fail 0" in run.stdout and "\n# pass 0" not in run.stdout


@pytest.mark.system
def test_node_opens_what_the_sdk_sealed_and_the_sdk_opens_what_node_sealed():
    require("node >= 20", node() is not None)
    passphrase = "Frühling am Rhein, 🙂 " + sealing.new_client_key()[:8]
    routes = _VaultRoutes(tenant_id=17, staff_id=5)
    owner = _sdk_vault(routes)
    owner.enrol(passphrase)
    owner.setup()
    bodies = [owner.seal_profile(profile) for profile in PROFILES]
    rows = [
        {"id": 200 + i, "client_key": b["client_key"], "sealed_profile": b["sealed_profile"]}
        for i, b in enumerate(bodies)
    ]
    moved = {**rows[0], "sealed_profile": {**rows[0]["sealed_profile"]}}
    moved["sealed_profile"]["phone"] = rows[0]["sealed_profile"]["email"]
    erased = {"id": 299, "client_key": None, "sealed_profile": {}}
    edited = [{**p, "name": p["name"] + " (geändert)"} for p in PROFILES]
    request = {
        "state": routes.state,
        "passphrase": passphrase,
        "min_log_n": LOW_LOG_N,
        "rows": [*rows, moved, erased],
        "seal": [
            *({"profile": p} for p in edited),
            {"profile": edited[0], "client_key": rows[0]["client_key"]},
        ],
    }
    out = _vault_cli(request)
    assert out["can_read"] is True
    assert out["opened"][: len(PROFILES)] == PROFILES
    assert out["opened"][len(PROFILES)] == {"error": "SealError: cannot open profile field 'phone'"}
    assert out["opened"][-1]["error"].startswith("VaultLocked: this client has no sealed profile")
    for profile, body in zip([*edited, edited[0]], out["sealed"], strict=True):
        _check_written_back(owner, profile, body)
    assert out["sealed"][-1]["client_key"] == rows[0]["client_key"]
    assert len({b["client_key"] for b in out["sealed"][: len(edited)]}) == len(edited)
    # A fresh SDK session (only the passphrase crosses over) reads them as well.
    reader = _sdk_vault(_VaultRoutes(0, 0, copy.deepcopy(routes.state)))
    reader.unlock(passphrase)
    _check_written_back(reader, edited[1], out["sealed"][1])


@pytest.mark.system
def test_node_refuses_a_wrong_passphrase_and_a_moved_member_key():
    require("node >= 20", node() is not None)
    routes = _VaultRoutes(tenant_id=3, staff_id=9)
    owner = _sdk_vault(routes)
    owner.enrol("the right passphrase")
    owner.setup()
    state = routes.state
    wrong = _vault_cli({"state": state, "passphrase": "the wrong passphrase", "min_log_n": 10})
    moved = _vault_cli(
        {"state": {**state, "staff_id": 10}, "passphrase": "the right passphrase", "min_log_n": 10}
    )
    downgraded = _vault_cli({"state": state, "passphrase": "the right passphrase"})
    unwrap = "SealError: cannot unwrap: wrong passphrase, other member, or tampered"
    assert wrong == {"error": unwrap}
    assert moved == {"error": unwrap}
    assert downgraded == {
        "error": "SealError: wrapped key: scrypt parameters below the floor (refused)"
    }


# --- 4. administration, both ways ------------------------------------------------------


class _OwnerRoutes(_VaultRoutes):
    """``_VaultRoutes`` plus what ``hushbook.Vault.grant`` calls: the member list
    and PUT /v1/vault/grants/{id} (recorded in ``granted``)."""

    def __init__(self, tenant_id: int, staff_id: int):
        super().__init__(tenant_id, staff_id)
        self.members: list[dict[str, Any]] = []
        self.granted: dict[int, dict[str, Any]] = {}

    def get(self, path: str, **kw: Any) -> Any:
        if path == "/v1/vault/members":
            return copy.deepcopy(self.members)
        return super().get(path, **kw)

    def request(self, method: str, path: str, json: Any = None, **kw: Any) -> Any:
        if method == "PUT" and path.startswith("/v1/vault/grants/"):
            self.granted[int(path.rsplit("/", 1)[1])] = copy.deepcopy(json)
            return json
        return super().request(method, path, json=json, **kw)


def _member_state(owner: _VaultRoutes, staff_id: int, member: Any = None, grant: Any = None):
    """GET /v1/vault as another member of ``owner``'s business would see it."""
    return {
        **copy.deepcopy(owner.state),
        "staff_id": staff_id,
        "member": member,
        "grant": None if grant is None else {**grant, "staff_id": staff_id},
    }


def _tampered(b64: str, at: int = 40) -> str:
    raw = bytearray(sealing.b64d(b64))
    raw[at] ^= 1
    return sealing.b64e(bytes(raw))


@pytest.mark.system
def test_a_key_enrolled_and_set_up_in_node_unlocks_in_the_sdk():
    require("node >= 20", node() is not None)
    passphrase = "Ein ganzer Satz als Tresor-Passphrase, 🙂 " + sealing.new_client_key()[:8]
    before = _VaultRoutes(tenant_id=23, staff_id=4).state
    out = _vault_cli(
        {
            "state": before,
            "passphrase": passphrase,
            "enrol": {"log_n": ENROL_LOG_N},
            "setup": True,
            "seal": [{"profile": PROFILES[0]}],
        }
    )
    enrolled, setup = out["enrolled"], out["setup"]
    assert out["can_read"] is True
    wrapped = enrolled["wrapped_private_key"]
    assert list(wrapped) == ["v", "kdf", "log_n", "r", "p", "salt", "nonce", "ct"]
    assert (wrapped["log_n"], wrapped["r"], wrapped["p"]) == (ENROL_LOG_N, 8, 1)
    assert passphrase not in json.dumps(out)
    # The SDK's own functions open what vault.js wrote ...
    context = sealing.vault_context(23, 4)
    member_key = sealing.unwrap_private_key(wrapped, passphrase, context=context)
    assert sealing.b64e(sealing.export_public_key(member_key)) == enrolled["public_key"]
    tenant_key = sealing.open_grant(member_key, setup["owner_grant"], 23, 4)
    assert sealing.b64e(sealing.export_public_key(tenant_key)) == setup["public_key"]
    # ... and so does its Vault, as it would after the PUT and the POST (NFD typing too).
    state = {
        **before,
        "public_key": setup["public_key"],
        "member": enrolled,
        "grant": {"staff_id": 4, "key_version": 1, "sealed_tenant_key": setup["owner_grant"]},
    }
    for typed in (passphrase, unicodedata.normalize("NFD", passphrase)):
        vault = _sdk_vault(_VaultRoutes(0, 0, copy.deepcopy(state)))
        vault.unlock(typed)
        assert vault.can_read
        _check_written_back(vault, PROFILES[0], out["sealed"][0])
    # Wrong passphrase, another member's row, the grant for someone else: refused.
    with pytest.raises(SealError, match="cannot unwrap"):
        sealing.unwrap_private_key(wrapped, passphrase + "!", context=context)
    with pytest.raises(SealError, match="cannot unwrap"):
        sealing.unwrap_private_key(wrapped, passphrase, context=sealing.vault_context(23, 5))
    with pytest.raises(SealError, match="cannot open the grant"):
        sealing.open_grant(member_key, setup["owner_grant"], 23, 5)
    with pytest.raises(SealError, match="cannot open the grant"):
        sealing.open_grant(member_key, _tampered(setup["owner_grant"]), 23, 4)


@pytest.mark.system
def test_grants_cross_both_ways_and_tampered_ones_do_not_open():
    require("node >= 20", node() is not None)
    owner_pass = "the owner's sentence for the vault"
    routes = _OwnerRoutes(tenant_id=31, staff_id=1)
    owner = _sdk_vault(routes)
    owner.enrol(owner_pass)
    owner.setup()
    bodies = [owner.seal_profile(profile) for profile in PROFILES]
    rows = [{"id": 10 + i, **b} for i, b in enumerate(bodies)]

    # A member enrolled in vault.js; the SDK owner grants her; vault.js reads.
    js_pass = "Nadia's own passphrase, a sentence"
    js_before = _member_state(routes, 7)
    js = _vault_cli({"state": js_before, "passphrase": js_pass, "enrol": {"log_n": ENROL_LOG_N}})
    assert js["can_read"] is False and js["enrolled"]["wrapped_private_key"]["log_n"] == 16
    nadia = {"public_key": js["enrolled"]["public_key"], "granted": False}
    routes.members = [{"staff_id": 7, "display_name": "Nadia", "role": "staff", **nadia}]
    owner.grant(7)
    sdk_grant = routes.granted[7]
    assert sdk_grant["key_version"] == routes.state["key_version"]
    nadia_state = _member_state(routes, 7, js["enrolled"], sdk_grant)
    read = _vault_cli({"state": nadia_state, "passphrase": js_pass, "rows": rows})
    assert read["can_read"] is True and read["opened"] == PROFILES
    # The SDK itself unlocks the key vault.js wrapped.
    same = _sdk_vault(_VaultRoutes(0, 0, copy.deepcopy(nadia_state)))
    same.unlock(js_pass)
    assert [same.open_client(r) for r in rows] == PROFILES
    wrong = _vault_cli({"state": nadia_state, "passphrase": "not Nadia's"})
    assert wrong == {
        "error": "SealError: cannot unwrap: wrong passphrase, other member, or tampered"
    }
    tampered = {**sdk_grant, "sealed_tenant_key": _tampered(sdk_grant["sealed_tenant_key"])}
    bad = _vault_cli(
        {"state": {**nadia_state, "grant": tampered}, "passphrase": js_pass, "rows": rows}
    )
    assert bad == {"error": "SealError: cannot open the grant"}

    # A member enrolled by the SDK; vault.js (the owner, unlocked) grants him; the SDK reads.
    sdk_routes = _VaultRoutes(0, 0, _member_state(routes, 8))
    ben = _sdk_vault(sdk_routes)
    ben.enrol("Ben's passphrase of his own")
    ben_row = {
        "staff_id": 8,
        "display_name": "Ben",
        "role": "reception",
        "public_key": sdk_routes.state["member"]["public_key"],
        "granted": False,
    }
    no_key = {**ben_row, "staff_id": 9, "public_key": None}
    out = _vault_cli(
        {
            "state": routes.state,
            "passphrase": owner_pass,
            "min_log_n": LOW_LOG_N,
            "grant": [ben_row, no_key],
        }
    )
    js_grant, refused = out["granted"]
    assert refused == {"error": "RangeError: that member has not enrolled a key yet"}
    assert js_grant["key_version"] == routes.state["key_version"]
    sdk_routes.state["grant"] = {"staff_id": 8, **js_grant}
    ben.unlock("Ben's passphrase of his own")
    assert ben.can_read and [ben.open_client(r) for r in rows] == PROFILES
    # Tampered, or handed to another member: the SDK refuses it.
    member_key = sealing.unwrap_private_key(
        sdk_routes.state["member"]["wrapped_private_key"],
        "Ben's passphrase of his own",
        context=sealing.vault_context(31, 8),
        min_log_n=LOW_LOG_N,
    )
    for blob, member_id in (
        (_tampered(js_grant["sealed_tenant_key"]), 8),
        (_tampered(js_grant["sealed_tenant_key"], at=1), 8),
        (js_grant["sealed_tenant_key"], 7),
    ):
        with pytest.raises(SealError, match="cannot open the grant"):
            sealing.open_grant(member_key, blob, 31, member_id)


@pytest.fixture
def live(settings, make_tenant):
    """A business without a vault yet (owner, a stylist, reception) and a real server."""
    t = make_tenant("salon-js", vault=False)
    stylist = t.member("staff", "sina")
    reception = t.member("reception", "rosa")
    t.member("staff", "newbie")  # never enrols
    server = start_server(settings)
    yield t, stylist, reception, server
    stop_server(server)


@pytest.mark.system
def test_node_administers_the_real_service_and_the_sdk_reads_after_rotation(live):
    """Enrol, setup, grant and rotation made by vault.js, sent to the real API."""
    require("node >= 20", node() is not None)
    t, stylist, reception, server = live

    def login(email: str) -> hushbook.Client:
        return hushbook.Client.login(server.url, "salon-js", email, PASSWORD)

    owner_pass, rosa_pass, sina_pass = (
        "Olga's vault sentence, long enough",
        "Rosa's reception passphrase",
        "Sina's stylist passphrase",
    )
    owner = login(t.owner.staff.email)
    out = _vault_cli(
        {
            "state": owner.get("/v1/vault"),
            "passphrase": owner_pass,
            "enrol": {"log_n": ENROL_LOG_N},
            "setup": True,
        }
    )
    owner.put("/v1/vault/member", out["enrolled"])
    owner.post("/v1/vault/setup", out["setup"])
    owner.vault = hushbook.Vault(owner, log_n=ENROL_LOG_N)
    owner.vault.unlock(owner_pass)  # vault.js's key and owner grant, opened by the SDK
    assert owner.vault.can_read and owner.vault.state["key_version"] == 1
    profiles = [  # the business's default profile fields: name, email, phone
        {"name": "Anna Müller", "email": "anna@example.de", "phone": "+49 170 1234567"},
        {"name": "Jürgen Weiß-Größe 💇\u200d♀️"},
        {"name": "Zoë", "phone": "+49 30 1234"},
    ]
    made = [owner.clients.create(p) for p in profiles]
    gone = owner.clients.create({"name": "Erika Erased"})
    owner.clients.erase(gone.id)  # no profile left: not part of the rotation

    sina = login(stylist.staff.email)
    sina.vault = hushbook.Vault(sina, log_n=ENROL_LOG_N)
    sina.vault.enrol(sina_pass)
    rosa = login(reception.staff.email)
    rosa_out = _vault_cli(
        {"state": rosa.get("/v1/vault"), "passphrase": rosa_pass, "enrol": {"log_n": ENROL_LOG_N}}
    )
    rosa.put("/v1/vault/member", rosa_out["enrolled"])

    # vault.js (the owner) grants Sina; the SDK (the owner) grants Rosa.
    members = {m["staff_id"]: m for m in owner.get("/v1/vault/members")}
    grant = _vault_cli(
        {
            "state": owner.get("/v1/vault"),
            "passphrase": owner_pass,
            "grant": [members[stylist.staff.id]],
        }
    )["granted"][0]
    owner.put(f"/v1/vault/grants/{stylist.staff.id}", grant)
    owner.vault.grant(reception.staff.id)
    rows = owner.vault.all_clients()
    assert [c["id"] for c in rows] == [c.id for c in made]  # the erased one is not listed
    sina.vault.unlock(sina_pass)  # a stylist has no client list: she reads the owner's rows
    assert [sina.vault.open_client(c) for c in rows] == profiles
    rosa_read = _vault_cli({"state": rosa.get("/v1/vault"), "passphrase": rosa_pass, "rows": rows})
    assert rosa_read["can_read"] is True
    assert rosa_read["opened"] == profiles

    # The rotation: built by vault.js, accepted by the service.
    members = owner.get("/v1/vault/members")
    assert {m["staff_id"] for m in members if m["granted"]} == {
        t.owner.staff.id,
        stylist.staff.id,
        reception.staff.id,
    }
    rotated = _vault_cli(
        {
            "state": owner.get("/v1/vault"),
            "passphrase": owner_pass,
            "rotate": {"clients": rows, "members": members},
        }
    )
    body = rotated["rotation"]
    assert rotated["rotation_progress"] == [len(profiles), len(profiles)]
    assert {p["client_id"] for p in body["profiles"]} == {c.id for c in made}
    answer = owner.post("/v1/vault/rotate", body)
    assert answer["key_version"] == 2 and answer["public_key"] == body["public_key"]
    events = owner.get("/v1/audit-events", params={"action": "vault.rotate"})
    assert events[0]["details"] == {"clients": len(profiles), "grants": 3, "key_version": 2}

    # The SDK (a fresh owner session, and Sina) reads every client with the new key.
    fresh = hushbook.Vault(owner, log_n=ENROL_LOG_N)
    fresh.unlock(owner_pass)
    after = fresh.all_clients()
    assert fresh.state["key_version"] == 2
    assert [fresh.open_client(c) for c in after] == profiles
    old_keys = {c["id"]: c["client_key"] for c in rows}
    assert all(c["client_key"] != old_keys[c["id"]] for c in after)
    with pytest.raises(SealError):  # the old business key opens nothing any more
        owner.vault.open_client(after[0])
    sina.vault.unlock(sina_pass)
    assert [sina.vault.open_client(c) for c in after] == profiles
    rosa_after = _vault_cli(
        {"state": rosa.get("/v1/vault"), "passphrase": rosa_pass, "rows": after}
    )
    assert rosa_after["opened"] == profiles
    # The same body again is stale now.
    with pytest.raises(hushbook.Conflict) as stale:
        owner.post("/v1/vault/rotate", body)
    assert stale.value.reason == "stale_key_version"


# --- 5. Chromium --------------------------------------------------------------------

PAGE = b"<!doctype html><meta charset=utf-8><title>hushbook console vault</title>"


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    js = "text/javascript; charset=utf-8"
    routes = {"/": ("text/html; charset=utf-8", lambda: PAGE)}
    routes.update({url: (js, path.read_bytes) for url, path in SCRIPTS.items()})
    with browser_page(routes, list(SCRIPTS)) as tab:
        assert tab.evaluate("isSecureContext && typeof HushbookVault === 'object'")
        yield tab


CHROMIUM_VECTORS = """async (V) => {
  const H = HushbookVault;
  const low = V.members.find((m) => m.min_log_n < H.MIN_LOG_N);
  const vault = H.create();
  const canRead = await vault.unlock(low.state, low.passphrase, { minLogN: low.min_log_n });
  const opened = [];
  for (const c of V.clients) opened.push(await vault.openClient(c.row));
  const failures = [];
  for (const c of V.profile_must_fail) {
    try { await vault.openClient(c.row); failures.push("opened"); }
    catch (e) { failures.push(e instanceof H.SealError ? e.message : String(e)); }
  }
  for (const c of V.unwrap_must_fail) {
    try {
      await H.unwrapPrivateKey(c.wrapped, c.passphrase, H.vaultContext(c.tenant_id, c.staff_id),
                               { minLogN: c.min_log_n });
      failures.push("opened");
    } catch (e) { failures.push(e instanceof H.SealError ? e.message : String(e)); }
  }
  const member = await H.unwrapPrivateKey(low.state.member.wrapped_private_key, low.passphrase,
    H.vaultContext(low.state.tenant_id, low.state.staff_id), { minLogN: low.min_log_n });
  const tenant = await H.openGrant(member, low.state.grant.sealed_tenant_key,
                                   low.state.tenant_id, low.state.staff_id);
  let exported = false;
  try { await crypto.subtle.exportKey("pkcs8", tenant.privateKey); exported = true; } catch (e) {}
  const sealed = await vault.sealProfile(V.clients[0].profile);
  vault.lock();
  return {
    canRead, opened, failures, sealed, exported, lockedCanRead: vault.canRead,
    tenantKey: { extractable: tenant.privateKey.extractable, type: tenant.privateKey.type,
                 algorithm: tenant.privateKey.algorithm.name, publicKey: tenant.publicKey },
  };
}"""


@pytest.mark.system
def test_chromium_opens_the_vectors_with_non_extractable_keys(page, vectors, vector_vault):
    result = page.evaluate(CHROMIUM_VECTORS, vectors)
    assert result["canRead"] is True
    assert result["opened"] == [c["profile"] for c in vectors["clients"]]
    expected = [c["error"] for c in vectors["profile_must_fail"]]
    expected += [c["error"] for c in vectors["unwrap_must_fail"]]
    assert result["failures"] == expected
    assert result["tenantKey"] == {
        "extractable": False,
        "type": "private",
        "algorithm": "X25519",
        "publicKey": vectors["tenant"]["public_key"],
    }
    assert result["exported"] is False
    assert result["lockedCanRead"] is False
    _check_written_back(vector_vault, vectors["clients"][0]["profile"], result["sealed"])


@pytest.mark.system
def test_chromium_unlock_speed_at_production_cost(page, vectors, record_property):
    """The figure a member waits for at unlock (scrypt N=2^17, r=8, p=1), with a
    generous ceiling: a slow phone may take several times this machine's time."""
    times = page.evaluate(
        """async (V) => {
             const m = V.members.find((m) => m.min_log_n === HushbookVault.MIN_LOG_N);
             const times = [];
             for (let i = 0; i < 3; i++) {
               const vault = HushbookVault.create(), started = performance.now();
               if (!await vault.unlock(m.state, m.passphrase)) throw new Error("no grant");
               times.push(performance.now() - started);
               vault.lock();
             }
             return times;
           }""",
        vectors,
    )
    median = sorted(times)[1]
    record_property("console_unlock_production_ms_median", round(median))
    print(f"vault.js unlock at production cost, Chromium: median {median:.0f} ms")
    assert median < 20_000
