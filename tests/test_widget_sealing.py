"""The widget's sealing.js against hushbook.sealing (the reference): Node and real Chromium.

1. ``tests/vectors/sealing.json`` is exactly what its generator makes now, so
   neither side can drift without this suite noticing.
2. The Node suite (``node --test plugins/widget/test/``) checks sealing.js
   against those vectors byte for byte.
3. Node seals fresh profiles (random ephemeral keys); Python opens them.
4. The same inside headless Chromium, in a page and in a Web Worker.

Node, Chromium and Playwright are optional on a laptop (skipped) but required
under CI (failed): see :func:`require`.
"""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hushbook import sealing
from hushbook.sealing import SealError
from support.components import browser_page, node, require

ROOT = Path(__file__).resolve().parents[1]
WIDGET = ROOT / "plugins" / "widget"
SEALING_JS = WIDGET / "src" / "sealing.js"
SEAL_CLI = WIDGET / "test" / "seal-cli.js"
VECTORS = ROOT / "tests" / "vectors" / "sealing.json"
GENERATOR = ROOT / "tests" / "vectors" / "make_sealing_vectors.py"
# Fresh profiles for the random-ephemeral round trips (tenant id, profile).
PROFILES: list[tuple[int, dict[str, str]]] = [
    (3, {"name": "Anna Müller", "email": "anna@example.de", "phone": "+49 170 1234567"}),
    (
        12,
        {
            "name": "Jürgen Weiß-Größe",
            "notes": "Färben 💇\u200d♀️ ohne Ammoniak; dienstags früh 🙂 " * 3,
            "birthday": "1987-03-14",
        },
    ),
    (0, {"name": "Zoë", "notes": ""}),
]


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def recipient(vectors: dict[str, Any]) -> Any:
    return sealing.import_private_key(sealing.b64d(vectors["recipient"]["seed"]))


def _aad(case: dict[str, Any]) -> bytes:
    return sealing.aad(case["tenant_id"], case["record_kind"], case["record_id"], case["field"])


def _check_profile_binding(
    recipient: Any, tenant_id: int, client_key: str, profile: dict[str, str], sealed: dict[str, str]
) -> None:
    """Opens to ``profile``; moved to another field, tenant or client it does not."""
    assert list(sealed) == list(profile)
    assert sealing.open_profile(recipient, tenant_id, client_key, sealed) == profile
    fields = list(sealed)
    moved = {fields[-1]: sealed[fields[0]]}  # a blob moved to another field
    for tenant, key, blobs in (
        (tenant_id, client_key, moved),
        (tenant_id + 1, client_key, sealed),
        (tenant_id, sealing.new_client_key(), sealed),
    ):
        with pytest.raises(SealError):
            sealing.open_profile(recipient, tenant, key, blobs)


# --- 1. the vectors ---------------------------------------------------------------


def test_committed_vectors_are_what_the_generator_makes_now():
    spec = importlib.util.spec_from_file_location("make_sealing_vectors", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert VECTORS.read_text(encoding="utf-8") == generator.render(), (
        "tests/vectors/sealing.json is stale: run .venv/bin/python tests/vectors/make_sealing_vectors.py"
    )


def test_vectors_open_in_python(vectors, recipient):
    # Cheap, and independent of Node: the file itself is sound.
    for case in vectors["seal"]:
        blob = sealing.b64d(case["blob"])
        opened = sealing.open_sealed(recipient, blob, _aad(case), purpose=case["purpose"])
        assert opened.decode() == case["plaintext"]
    for case in vectors["must_fail"]:
        with pytest.raises(SealError, match=re.escape(case["error"])):
            sealing.open_sealed(
                recipient, sealing.b64d(case["blob"]), _aad(case), purpose=case["purpose"]
            )


# --- 2. and 3. Node -------------------------------------------------------------------


@pytest.mark.system
def test_node_suite_passes():
    require("node >= 20", node() is not None)
    run = subprocess.run(
        [str(node()), "--test", "--test-reporter=tap", "plugins/widget/test/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "\n# fail 0" in run.stdout and "\n# pass 0" not in run.stdout


@pytest.mark.system
@pytest.mark.parametrize(("tenant_id", "profile"), PROFILES)
def test_node_sealed_profiles_open_in_python(vectors, recipient, tenant_id, profile):
    require("node >= 20", node() is not None)
    client_key = sealing.new_client_key()
    request = {
        "public_key": vectors["recipient"]["public_key"],
        "tenant_id": tenant_id,
        "client_key": client_key,
        "profile": profile,
    }
    run = subprocess.run(
        [str(node()), str(SEAL_CLI)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    _check_profile_binding(recipient, tenant_id, client_key, profile, json.loads(run.stdout))


# --- 4. Chromium ------------------------------------------------------------------

PAGE = b"<!doctype html><meta charset=utf-8><title>hushbook sealing</title>"
WORKER = b"""
importScripts("/sealing.js");
self.onmessage = async (event) => {
  const [publicKey, tenantId, clientKey, profile] = event.data;
  try {
    self.postMessage({ sealed: await HushbookSealing.sealProfile(publicKey, tenantId, clientKey, profile) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
"""


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    js = "text/javascript; charset=utf-8"
    routes = {
        "/": ("text/html; charset=utf-8", lambda: PAGE),
        "/sealing.js": (js, SEALING_JS.read_bytes),
        "/worker.js": (js, lambda: WORKER),
    }
    with browser_page(routes, ["/sealing.js"]) as tab:
        assert tab.evaluate("isSecureContext && typeof HushbookSealing === 'object'")
        yield tab


CHROMIUM_VECTORS = """async (V) => {
  const S = HushbookSealing, enc = new TextEncoder();
  const aad = (c) => S.aad(c.tenant_id, c.record_kind, c.record_id, c.field);
  const seals = [];
  for (const c of V.seal) {
    const blob = await S.seal(S.b64d(V.recipient.public_key), enc.encode(c.plaintext), c.purpose,
                              aad(c), { ephemeralSeed: S.b64d(c.ephemeral_seed) });
    seals.push(S.b64e(blob));
  }
  const profiles = [];
  for (const p of V.profiles) {
    const seeds = {};
    for (const f of Object.keys(p.ephemeral_seeds)) seeds[f] = S.b64d(p.ephemeral_seeds[f]);
    profiles.push(await S.sealProfile(V.recipient.public_key, p.tenant_id, p.client_key, p.profile,
                                      { ephemeralSeeds: seeds }));
  }
  const failures = [];
  for (const c of V.must_fail) {
    try {
      await S.open(S.b64d(V.recipient.seed), S.b64d(c.blob), c.purpose, aad(c));
      failures.push("opened");
    } catch (error) {
      failures.push(error instanceof S.SealError ? error.message : String(error));
    }
  }
  return { seals, profiles, failures };
}"""


@pytest.mark.system
def test_chromium_seals_the_vectors_byte_for_byte(page, vectors, recipient):
    result = page.evaluate(CHROMIUM_VECTORS, vectors)
    for case, blob in zip(vectors["seal"], result["seals"], strict=True):
        assert blob == case["blob"], case["name"]
        opened = sealing.open_sealed(
            recipient, sealing.b64d(blob), _aad(case), purpose=case["purpose"]
        )
        assert opened.decode() == case["plaintext"]
    for case, sealed in zip(vectors["profiles"], result["profiles"], strict=True):
        assert sealed == case["sealed"], case["name"]
        _check_profile_binding(
            recipient, case["tenant_id"], case["client_key"], case["profile"], sealed
        )
    assert result["failures"] == [case["error"] for case in vectors["must_fail"]]


@pytest.mark.system
def test_chromium_sealed_profiles_open_in_python(page, vectors, recipient):
    public_key = vectors["recipient"]["public_key"]
    for tenant_id, profile in PROFILES:
        client_key, sealed = page.evaluate(
            """async ([key, tenant, profile]) => {
                 const clientKey = HushbookSealing.newClientKey();
                 return [clientKey, await HushbookSealing.sealProfile(key, tenant, clientKey, profile)];
               }""",
            [public_key, tenant_id, profile],
        )
        assert uuid.UUID(client_key).version == 4
        _check_profile_binding(recipient, tenant_id, client_key, profile, sealed)


@pytest.mark.system
def test_chromium_worker_seals_too(page, vectors, recipient):
    # The widget may seal off the main thread: the same script must work in a Worker.
    tenant_id, profile = PROFILES[1]
    client_key = sealing.new_client_key()
    answer = page.evaluate(
        """(args) => new Promise((resolve) => {
             const worker = new Worker("/worker.js");
             worker.onmessage = (event) => { worker.terminate(); resolve(event.data); };
             worker.onerror = (event) => resolve({ error: event.message || "worker failed" });
             worker.postMessage(args);
           })""",
        [vectors["recipient"]["public_key"], tenant_id, client_key, profile],
    )
    assert "error" not in answer, answer
    _check_profile_binding(recipient, tenant_id, client_key, profile, answer["sealed"])


@pytest.mark.system
def test_chromium_seal_profile_speed(page, vectors, record_property):
    """A figure, with a generous ceiling: sealing must never be what makes booking slow."""
    times = page.evaluate(
        """async (key) => {
             const profile = { name: "Anna Müller", email: "anna@example.de", phone: "+49 170 1234567" };
             const times = [];
             for (let i = 0; i < 60; i++) {
               const started = performance.now();
               await HushbookSealing.sealProfile(key, 3, HushbookSealing.newClientKey(), profile);
               times.push(performance.now() - started);
             }
             return times.slice(10);  // the first runs warm up WebCrypto
           }""",
        vectors["recipient"]["public_key"],
    )
    median = statistics.median(times)
    record_property("seal_profile_3_fields_ms_median", round(median, 2))
    print(f"sealProfile, 3 fields, Chromium: median {median:.2f} ms, max {max(times):.2f} ms")
    assert median < 1000
