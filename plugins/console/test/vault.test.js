/* vault.js against the Python SDK: node --test plugins/console/test/
 *
 * tests/vectors/console.json is written by tests/vectors/make_console_vectors.py
 * (the SDK, pinned randomness). Every member must unlock, every grant open, every
 * client profile open; every must-fail case must fail with Python's message; a
 * profile sealed here must open (here and with sealing.js's independent open);
 * lock() must forget every key.
 */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { H, S, vectors } = require("./load.js");

const V = vectors();
const LOW = V.members.find((m) => m.state.member.wrapped_private_key.log_n < H.MIN_LOG_N);
const PROD = V.members.find((m) => m.state.member.wrapped_private_key.log_n === H.DEFAULT_LOG_N);
const TENANT_SEED = S.b64d(V.tenant.seed);
const text = (bytes) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);

function contextOf(member) {
  return H.vaultContext(member.state.tenant_id, member.state.staff_id);
}

async function unlocked(member = LOW) {
  const vault = H.create();
  assert.equal(await vault.unlock(member.state, member.passphrase, { minLogN: member.min_log_n }), true);
  return vault;
}

let lowKey; // the low-cost member's key, unwrapped once
async function memberKey() {
  lowKey = lowKey || await H.unwrapPrivateKey(LOW.state.member.wrapped_private_key, LOW.passphrase, contextOf(LOW), { minLogN: LOW.min_log_n });
  return lowKey;
}

async function tenantKey() {
  return H.openGrant(await memberKey(), LOW.state.grant.sealed_tenant_key, LOW.state.tenant_id, LOW.state.staff_id);
}

async function rejectsWith(promise, type, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error && error.name}: ${error && error.message}`);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

test("vectors cover what they promise", () => {
  assert.ok(LOW && PROD, "a low-cost and a production-cost member");
  assert.equal(PROD.min_log_n, H.MIN_LOG_N); // opened with the default floor
  assert.notEqual(LOW.passphrase, LOW.passphrase_nfd); // the NFC rule is exercised
  assert.ok(V.clients.length >= 4 && V.unwrap_must_fail.length >= 20);
  assert.ok(V.grant_must_fail.length >= 8 && V.profile_must_fail.length >= 10);
  for (const name of ["wrong passphrase", "moved to another member", "tampered ct", "downgrade below the floor"]) {
    assert.ok(V.unwrap_must_fail.some((c) => c.name === name), name);
  }
  for (const name of ["field blob moved to another field", "field blob moved from another client", "tampered blob"]) {
    assert.ok(V.profile_must_fail.some((c) => c.name === name), name);
  }
});

test("the low-cost member unlocks, opens every client, with an NFD passphrase too", async () => {
  for (const passphrase of [LOW.passphrase, LOW.passphrase_nfd]) {
    const vault = H.create();
    assert.equal(vault.unlocked, false);
    assert.equal(await vault.unlock(LOW.state, passphrase, { minLogN: LOW.min_log_n }), true);
    assert.equal(vault.unlocked, true);
    assert.equal(vault.canRead, true);
    assert.deepEqual({ ...vault.state }, {
      tenant_id: V.tenant.tenant_id, staff_id: LOW.state.staff_id,
      public_key: V.tenant.public_key, key_version: V.tenant.key_version
    });
    for (const c of V.clients) {
      const profile = await vault.openClient(c.row);
      assert.deepEqual(profile, c.profile, c.name);
      assert.deepEqual(Object.keys(profile), Object.keys(c.profile), c.name); // field order kept
    }
    vault.lock();
  }
});

test("the production-cost member unlocks with the default floor (scrypt N=2^17, r=8, p=1)", async (t) => {
  const wrapped = PROD.state.member.wrapped_private_key;
  assert.deepEqual([wrapped.log_n, wrapped.r, wrapped.p], [17, 8, 1]);
  const vault = H.create();
  const fractions = [];
  const started = performance.now();
  assert.equal(await vault.unlock(PROD.state, PROD.passphrase, { onProgress: (f) => fractions.push(f) }), true);
  const ms = performance.now() - started;
  t.diagnostic(`unlock at production cost (scrypt N=2^17 r=8 p=1 + AES-GCM + grant): ${ms.toFixed(0)} ms`);
  assert.ok(ms < 20000, `${ms} ms`);
  assert.ok(fractions.length > 10 && fractions[fractions.length - 1] === 1); // a progress bar can follow
  for (const c of V.clients) assert.deepEqual(await vault.openClient(c.row), c.profile, c.name);
});

test("keys are non-extractable CryptoKeys; public halves match the service's", async () => {
  const member = await memberKey();
  const tenant = await tenantKey();
  assert.equal(member.publicKey, LOW.state.member.public_key);
  assert.equal(tenant.publicKey, V.tenant.public_key);
  for (const key of [member, tenant]) {
    assert.ok(Object.isFrozen(key));
    assert.ok(key.privateKey instanceof CryptoKey);
    assert.equal(key.privateKey.type, "private");
    assert.equal(key.privateKey.algorithm.name, "X25519");
    assert.equal(key.privateKey.extractable, false);
    assert.deepEqual(key.privateKey.usages, ["deriveBits"]);
    for (const format of ["pkcs8", "jwk", "raw"]) {
      await assert.rejects(crypto.subtle.exportKey(format, key.privateKey));
    }
  }
});

test("every unwrap must-fail case fails with Python's message", async () => {
  for (const c of V.unwrap_must_fail) {
    const context = H.vaultContext(c.tenant_id, c.staff_id);
    await rejectsWith(H.unwrapPrivateKey(c.wrapped, c.passphrase, context, { minLogN: c.min_log_n }), H.SealError, c.error);
  }
});

test("every grant must-fail case fails with Python's message", async () => {
  const member = await memberKey();
  for (const c of V.grant_must_fail) {
    await rejectsWith(H.openGrant(member, c.sealed_tenant_key, c.tenant_id, c.staff_id), H.SealError, c.error);
  }
});

test("every profile must-fail case (moved, swapped, tampered) fails with Python's message", async () => {
  const vault = await unlocked();
  const tenant = await tenantKey();
  for (const c of V.profile_must_fail) {
    await rejectsWith(vault.openClient(c.row), H.SealError, c.error);
    await rejectsWith(H.openProfile(tenant, V.tenant.tenant_id, c.row.client_key, c.row.sealed_profile), H.SealError, c.error);
  }
  // The right row, opened as another tenant: refused too.
  await rejectsWith(H.openProfile(tenant, V.tenant.tenant_id + 1, V.clients[0].row.client_key, V.clients[0].row.sealed_profile), H.SealError);
});

test("every single bit flip of a field blob fails", async () => {
  const tenant = await tenantKey();
  const row = V.clients[3].row; // one field
  const [field] = Object.keys(row.sealed_profile);
  const blob = S.b64d(row.sealed_profile[field]);
  const jobs = [];
  for (let i = 0; i < blob.length; i++) {
    const bad = blob.slice();
    bad[i] ^= i === 32 ? 0x80 : 0x01; // byte 32: the top bit of enc, which X25519 ignores
    jobs.push(rejectsWith(H.openProfile(tenant, V.tenant.tenant_id, row.client_key, { [field]: S.b64e(bad) }), H.SealError));
  }
  await Promise.all(jobs);
});

test("sealProfile: a write-back body that opens here, in sealing.js, and nowhere else", async () => {
  const vault = await unlocked();
  const edited = { ...V.clients[0].profile, phone: "+49 171 0000000", notes: "neu: 🙂 Straße" };
  const fresh = await vault.sealProfile(edited);
  assert.deepEqual(Object.keys(fresh).sort(), ["client_key", "key_version", "sealed_profile"]);
  assert.match(fresh.client_key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(fresh.client_key, V.clients[0].row.client_key);
  assert.equal(fresh.key_version, V.tenant.key_version);
  const kept = await vault.sealProfile(edited, { clientKey: V.clients[0].row.client_key });
  assert.equal(kept.client_key, V.clients[0].row.client_key);
  for (const body of [fresh, kept]) {
    assert.deepEqual(Object.keys(body.sealed_profile), Object.keys(edited));
    const row = { id: 101, client_key: body.client_key, sealed_profile: body.sealed_profile };
    assert.deepEqual(await vault.openClient(row), edited);
    for (const [field, blob] of Object.entries(body.sealed_profile)) {
      assert.ok(!blob.includes(edited[field]) || edited[field].length < 3);
      // sealing.js's own open (raw seed, its own key schedule) agrees.
      const binding = S.aad(V.tenant.tenant_id, "client", body.client_key, field);
      assert.equal(text(await S.open(TENANT_SEED, S.b64d(blob), S.PURPOSE_FIELD, binding)), edited[field]);
    }
    const moved = { ...body.sealed_profile, name: body.sealed_profile.email };
    await rejectsWith(vault.openClient({ ...row, sealed_profile: moved }), H.SealError, "cannot open profile field 'name'");
    await rejectsWith(vault.openClient({ ...row, client_key: S.newClientKey() }), H.SealError);
  }
  assert.notEqual(fresh.sealed_profile.name, kept.sealed_profile.name); // fresh ephemeral keys
  await assert.rejects(vault.sealProfile({ name: 5 }), TypeError);
  await assert.rejects(vault.sealProfile({ "first name": "A" }), RangeError);
  await assert.rejects(vault.sealProfile({ name: "A" }, { client_key: "k" }), TypeError);
});

test("lock() forgets every key; nothing in flight hands plaintext out after it", async () => {
  const vault = await unlocked();
  const row = V.clients[0].row;
  vault.lock();
  assert.equal(vault.unlocked, false);
  assert.equal(vault.canRead, false);
  assert.equal(vault.state, null);
  await rejectsWith(vault.openClient(row), H.VaultLocked, "no read grant: unlock the vault, or ask the owner for access");
  await rejectsWith(vault.sealProfile({ name: "A" }), H.VaultLocked, "unlock the vault first");
  // Locked while opening: the result is withheld.
  const again = await unlocked();
  const opening = again.openClient(row);
  again.lock();
  await rejectsWith(opening, H.VaultLocked);
  // Locked while unlocking: stays locked.
  const unlocking = again.unlock(LOW.state, LOW.passphrase, { minLogN: LOW.min_log_n });
  again.lock();
  await rejectsWith(unlocking, H.VaultLocked);
  assert.equal(again.unlocked, false);
  // Keys never sit on the object: nothing to serialise or enumerate.
  const open = await unlocked();
  assert.ok(Object.isFrozen(open));
  assert.deepEqual(Object.keys(open).sort(), ["canRead", "lock", "openClient", "sealProfile", "state", "unlock", "unlocked"]);
  assert.ok(!JSON.stringify(open).includes("privateKey"));
});

test("a wrong passphrase leaves the vault locked, even one that was open", async () => {
  const vault = await unlocked();
  await rejectsWith(vault.unlock(LOW.state, "wrong", { minLogN: LOW.min_log_n }), H.SealError,
    "cannot unwrap: wrong passphrase, other member, or tampered");
  assert.equal(vault.unlocked, false);
  assert.equal(vault.canRead, false);
  // The low-cost blob is refused at the default floor (downgrade protection).
  await rejectsWith(vault.unlock(LOW.state, LOW.passphrase), H.SealError, "wrapped key: scrypt parameters below the floor (refused)");
});

test("without a grant: unlocked, cannot read, can still seal", async () => {
  const vault = H.create();
  assert.equal(await vault.unlock({ ...LOW.state, grant: null }, LOW.passphrase, { minLogN: LOW.min_log_n }), false);
  assert.equal(vault.unlocked, true);
  assert.equal(vault.canRead, false);
  await rejectsWith(vault.openClient(V.clients[0].row), H.VaultLocked, "no read grant: unlock the vault, or ask the owner for access");
  const body = await vault.sealProfile({ name: "Neu" });
  const binding = S.aad(V.tenant.tenant_id, "client", body.client_key, "name");
  assert.equal(text(await S.open(TENANT_SEED, S.b64d(body.sealed_profile.name), S.PURPOSE_FIELD, binding)), "Neu");
  const bare = H.create();
  await bare.unlock({ ...LOW.state, grant: null, public_key: null }, LOW.passphrase, { minLogN: LOW.min_log_n });
  await rejectsWith(bare.sealProfile({ name: "A" }), H.VaultLocked, "the vault is not set up (no business key yet)");
  await rejectsWith(H.create().unlock({ ...LOW.state, member: null }, LOW.passphrase), H.VaultLocked, "no member key enrolled");
});

test("rows without a profile, and states that do not add up, are refused", async () => {
  const vault = await unlocked();
  const message = "this client has no sealed profile to open (erased or redacted)";
  for (const row of [{ id: 1, client_key: null, sealed_profile: {} }, { id: 1, client_key: "k", sealed_profile: {} },
    { ...V.clients[0].row, client_key: null }, { id: 1 }]) {
    await rejectsWith(vault.openClient(row), H.VaultLocked, message);
  }
  await assert.rejects(vault.openClient(null), TypeError);
  const other = V.members.find((m) => m !== LOW);
  // A state whose public key is not the grant's key, or whose member key is not the wrapped one.
  await rejectsWith(H.create().unlock({ ...LOW.state, public_key: other.state.member.public_key }, LOW.passphrase, { minLogN: LOW.min_log_n }),
    H.SealError, "the grant does not match the business's current public key");
  await rejectsWith(H.create().unlock({ ...LOW.state, member: { ...LOW.state.member, public_key: other.state.member.public_key } }, LOW.passphrase, { minLogN: LOW.min_log_n }),
    H.SealError, "the unwrapped key is not your enrolled public key");
});

test("bad input is refused the way Python refuses it", async () => {
  const wrapped = LOW.state.member.wrapped_private_key;
  const ctx = contextOf(LOW);
  await assert.rejects(H.unwrapPrivateKey(wrapped, 5, ctx, { minLogN: 10 }), TypeError);
  await assert.rejects(H.unwrapPrivateKey(wrapped, "\ud800 lone", ctx, { minLogN: 10 }), RangeError);
  await assert.rejects(H.unwrapPrivateKey(wrapped, LOW.passphrase, new Uint8Array(0), { minLogN: 10 }), RangeError);
  await assert.rejects(H.unwrapPrivateKey(wrapped, LOW.passphrase, "ctx", { minLogN: 10 }), RangeError);
  await assert.rejects(H.unwrapPrivateKey(wrapped, LOW.passphrase, ctx, { minLogN: 0 }), RangeError);
  await assert.rejects(H.unwrapPrivateKey(wrapped, LOW.passphrase, ctx, { min_log_n: 10 }), TypeError);
  await assert.rejects(H.unwrapPrivateKey(wrapped, LOW.passphrase, ctx, { minLogN: 10, onProgress: 1 }), TypeError);
  assert.throws(() => H.vaultContext(-1, 7), RangeError);
  assert.throws(() => H.vaultContext(1, ""), RangeError);
  assert.deepEqual(H.vaultContext(41, 7), H.vaultContext(41, "7")); // as in Python: str(member_id)
  await assert.rejects(H.openGrant({ privateKey: "x", publicKey: "y" }, LOW.state.grant.sealed_tenant_key, 41, 7), TypeError);
  await assert.rejects(H.openGrant(await memberKey(), LOW.state.grant.sealed_tenant_key, "41", 7), RangeError);
  const tenant = await tenantKey();
  await assert.rejects(H.openProfile(tenant, 41, V.clients[0].row.client_key, { "First name": "AAAA" }), RangeError);
  await assert.rejects(H.openProfile(tenant, 41, V.clients[0].row.client_key, ["x"]), TypeError);
  await assert.rejects(H.create().unlock(null, "x"), TypeError);
  await assert.rejects(H.create().unlock(LOW.state, LOW.passphrase, { clientKey: 1 }), TypeError);
});

test("error messages never carry passphrases or plaintext", async () => {
  const vault = await unlocked();
  const secret = LOW.passphrase.slice(0, 12);
  await assert.rejects(vault.unlock(LOW.state, secret, { minLogN: LOW.min_log_n }),
    (e) => !e.message.includes(secret) && !e.stack.includes(secret));
  const again = await unlocked();
  for (const c of V.profile_must_fail) {
    await assert.rejects(again.openClient(c.row), (e) => Object.values(V.clients[0].profile).every((v) => !v || !e.message.includes(v)));
  }
});

test("the API object is frozen", () => {
  assert.ok(Object.isFrozen(H));
  assert.throws(() => { H.create = null; }, TypeError);
  assert.equal(H.SealError, S.SealError); // one error type for sealing.js and vault.js
});
