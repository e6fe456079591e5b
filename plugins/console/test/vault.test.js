/* vault.js against the Python SDK: node --test plugins/console/test/
 *
 * tests/vectors/console.json is written by tests/vectors/make_console_vectors.py
 * (the SDK, pinned randomness). Every member must unlock, every grant open, every
 * client profile open; every must-fail case must fail with Python's message; a
 * profile sealed here must open (here and with sealing.js's independent open);
 * lock() must forget every key. The administration half (enrol, setupBody,
 * grantFor, rotateBody, adopt) is checked here against vault.js's own reading
 * side and sealing.js; against the Python SDK and the real service in
 * tests/test_console_crypto.py.
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
  assert.deepEqual(Object.keys(open).sort(), ["adopt", "canRead", "enrol", "grantFor", "lock", "openClient", "rotateBody", "sealProfile",
    "setupBody", "state", "unlock", "unlocked"]);
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

// --- administration: enrol, setup, grant, rotate, adopt ----------------------------------

const ENROL_LOG_N = H.MIN_LOG_N; // the floor the service accepts; production is 17

/* The service's answer to GET /v1/vault after PUT /v1/vault/member (grants dropped). */
function afterEnrol(before, body) {
  return { ...before, member: { public_key: body.public_key, wrapped_private_key: body.wrapped_private_key }, grant: null };
}

function withGrant(st, sealed, keyVersion = st.key_version) {
  return { ...st, grant: { staff_id: st.staff_id, key_version: keyVersion, sealed_tenant_key: sealed } };
}

/* A member of the vector tenant, enrolled here (not yet granted). */
async function enrolMember(staffId, passphrase = `member ${staffId} passphrase, a whole sentence`) {
  const before = { tenant_id: V.tenant.tenant_id, staff_id: staffId, public_key: V.tenant.public_key,
    key_version: V.tenant.key_version, member: null, grant: null };
  const vault = H.create();
  const body = await vault.enrol(before, passphrase, { logN: ENROL_LOG_N });
  const state = afterEnrol(before, body);
  assert.equal(await vault.adopt(state), true);
  return { vault, body, state, passphrase, row: { staff_id: staffId, display_name: `M${staffId}`, role: "staff", public_key: body.public_key, granted: false } };
}

test("enrol: Python's wrapped-key format, unwraps here, and the vault is unlocked once the service has it", async () => {
  const before = { tenant_id: 41, staff_id: 12, public_key: null, key_version: 0, member: null, grant: null };
  const passphrase = "Mein Salon am Maintal ist der schönste, 2024!";
  const vault = H.create();
  const fractions = [];
  const body = await vault.enrol(before, passphrase, { logN: ENROL_LOG_N, onProgress: (f) => fractions.push(f) });
  assert.deepEqual(Object.keys(body), ["public_key", "wrapped_private_key"]);
  const w = body.wrapped_private_key;
  assert.deepEqual(Object.keys(w), ["v", "kdf", "log_n", "r", "p", "salt", "nonce", "ct"]); // as Python writes it
  assert.deepEqual([w.v, w.kdf, w.log_n, w.r, w.p], [1, "scrypt", ENROL_LOG_N, 8, 1]);
  assert.equal(S.b64d(w.salt).length, 16);
  assert.equal(S.b64d(w.nonce).length, 12);
  assert.equal(S.b64d(w.ct).length, 48);
  assert.equal(S.b64d(body.public_key).length, 32);
  assert.ok(fractions.length > 5 && fractions[fractions.length - 1] === 1);
  assert.ok(!JSON.stringify(body).includes("Maintal"));
  // Held aside until the service has it.
  assert.equal(vault.unlocked, false);
  const key = await H.unwrapPrivateKey(w, passphrase, H.vaultContext(41, 12));
  assert.equal(key.publicKey, body.public_key);
  assert.equal(key.privateKey.extractable, false);
  assert.equal(await vault.adopt(afterEnrol(before, body)), true);
  assert.equal(vault.unlocked, true);
  assert.equal(vault.canRead, false);
  assert.deepEqual({ ...vault.state }, { tenant_id: 41, staff_id: 12, public_key: null, key_version: 0 });
  // The NFD spelling of the same passphrase opens it too (NFC first, as in Python).
  assert.equal((await H.unwrapPrivateKey(w, passphrase.normalize("NFD"), H.vaultContext(41, 12))).publicKey, body.public_key);
  // Wrong passphrase, other member: refused with Python's message.
  for (const [pass, ctx] of [["Mein Salon am Maintal ist der schönste, 2025!", H.vaultContext(41, 12)], [passphrase, H.vaultContext(41, 13)]]) {
    await rejectsWith(H.unwrapPrivateKey(w, pass, ctx), H.SealError, "cannot unwrap: wrong passphrase, other member, or tampered");
  }
  // Fresh salt, nonce and key each time.
  const again = await H.create().enrol(before, passphrase, { logN: ENROL_LOG_N });
  assert.notEqual(again.public_key, body.public_key);
  assert.notEqual(again.wrapped_private_key.salt, w.salt);
});

test("enrol: production cost by default (log_n 17), and Python's refusals", async () => {
  const before = { tenant_id: 1, staff_id: 2, public_key: null, key_version: 0, member: null, grant: null };
  const body = await H.create().enrol(before, "a long enough passphrase for production");
  assert.equal(body.wrapped_private_key.log_n, H.DEFAULT_LOG_N);
  assert.equal(H.DEFAULT_LOG_N, 17);
  const v = H.create();
  await rejectsWith(v.enrol(before, "p", { logN: 15 }), RangeError, "log_n must be between 16 and 20");
  await rejectsWith(v.enrol(before, "p", { logN: 21 }), RangeError, "log_n must be between 16 and 20");
  await rejectsWith(v.enrol(before, "", { logN: 16 }), RangeError, "passphrase must be a non-empty string");
  await assert.rejects(v.enrol(before, 5, { logN: 16 }), TypeError);
  await assert.rejects(v.enrol(before, "\ud800 lone", { logN: 16 }), RangeError);
  await assert.rejects(v.enrol(before, "p", { log_n: 16 }), TypeError);
  await assert.rejects(v.enrol(before, "p", { logN: 16, onProgress: 1 }), TypeError);
  await assert.rejects(v.enrol({ tenant_id: "1", staff_id: 2 }, "p", { logN: 16 }), TypeError);
  assert.equal(v.unlocked, false);
});

test("adopt: a failed request leaves nothing held; a key the service does not have is never taken", async () => {
  const before = { tenant_id: 5, staff_id: 6, public_key: null, key_version: 0, member: null, grant: null };
  const vault = H.create();
  const body = await vault.enrol(before, "the first passphrase I chose", { logN: ENROL_LOG_N });
  // PUT failed: the service still has no key (or someone else's).
  assert.equal(await vault.adopt(before), false);
  assert.equal(vault.unlocked, false);
  const other = await H.create().enrol(before, "another one", { logN: ENROL_LOG_N });
  await vault.enrol(before, "the first passphrase I chose", { logN: ENROL_LOG_N });
  assert.equal(await vault.adopt(afterEnrol(before, other)), false);
  assert.equal(vault.unlocked, false);
  // The pending key is gone once adopt has looked: a late success does not bring it back.
  assert.equal(await vault.adopt(afterEnrol(before, body)), false);
  assert.equal(vault.unlocked, false);
  // lock() while enrolling: nothing handed out, nothing held.
  const enrolling = vault.enrol(before, "x y z passphrase", { logN: ENROL_LOG_N });
  vault.lock();
  await rejectsWith(enrolling, H.VaultLocked);
  // Somebody else's state is refused outright.
  const mine = await H.create().enrol(before, "mine", { logN: ENROL_LOG_N });
  const v2 = H.create();
  await v2.enrol(before, "mine", { logN: ENROL_LOG_N });
  await assert.rejects(v2.adopt({ ...afterEnrol(before, mine), staff_id: 7 }), TypeError);
});

test("setupBody: a new business key, the owner's grant to it, held only once set up", async () => {
  const before = { tenant_id: 9, staff_id: 1, public_key: null, key_version: 0, member: null, grant: null };
  const passphrase = "owner of salon nine, vault passphrase";
  const vault = H.create();
  await rejectsWith(vault.setupBody(), H.VaultLocked, "enrol (or unlock) your member key first");
  const enrolled = await vault.enrol(before, passphrase, { logN: ENROL_LOG_N });
  const st = afterEnrol(before, enrolled);
  await vault.adopt(st);
  const first = await vault.setupBody();
  assert.deepEqual(Object.keys(first), ["public_key", "owner_grant"]);
  // The grant is the new tenant key, sealed to the owner's member key, bound to tenant and owner.
  const memberKey = await H.unwrapPrivateKey(enrolled.wrapped_private_key, passphrase, H.vaultContext(9, 1));
  assert.equal((await H.openGrant(memberKey, first.owner_grant, 9, 1)).publicKey, first.public_key);
  await rejectsWith(H.openGrant(memberKey, first.owner_grant, 9, 2), H.SealError, "cannot open the grant");
  await rejectsWith(H.openGrant(memberKey, first.owner_grant, 10, 1), H.SealError, "cannot open the grant");
  // POST failed (still no key at the service): nothing adopted, still cannot read.
  assert.equal(await vault.adopt(st), false);
  assert.equal(vault.canRead, false);
  assert.equal(vault.unlocked, true);
  // A second try that the service takes.
  const second = await vault.setupBody();
  assert.notEqual(second.public_key, first.public_key);
  const after = withGrant({ ...st, public_key: second.public_key, key_version: 1 }, second.owner_grant, 1);
  assert.equal(await vault.adopt(after), true);
  assert.equal(vault.canRead, true);
  assert.deepEqual({ ...vault.state }, { tenant_id: 9, staff_id: 1, public_key: second.public_key, key_version: 1 });
  const sealed = await vault.sealProfile({ name: "Erste Kundin" });
  assert.deepEqual(await vault.openClient({ id: 1, ...sealed }), { name: "Erste Kundin" });
  // A fresh console (only the passphrase) unlocks the same.
  const fresh = H.create();
  assert.equal(await fresh.unlock(after, passphrase), true);
  assert.deepEqual(await fresh.openClient({ id: 1, ...sealed }), { name: "Erste Kundin" });
  // A state naming the first (abandoned) key is not taken either.
  const v3 = H.create();
  await v3.unlock(st, passphrase);
  const third = await v3.setupBody();
  assert.equal(await v3.adopt(withGrant({ ...st, public_key: first.public_key, key_version: 1 }, third.owner_grant, 1)), false);
  assert.equal(v3.canRead, false);
});

test("grantFor: the business key sealed to a member, who then reads every client", async () => {
  const owner = await unlocked();
  const stylist = await enrolMember(23);
  assert.equal(stylist.vault.canRead, false);
  const grant = await owner.grantFor(stylist.row);
  assert.deepEqual(Object.keys(grant), ["key_version", "sealed_tenant_key"]);
  assert.equal(grant.key_version, V.tenant.key_version);
  // It holds the business key (its public half is the tenant's).
  const memberKey = await H.unwrapPrivateKey(stylist.body.wrapped_private_key, stylist.passphrase, H.vaultContext(V.tenant.tenant_id, 23));
  assert.equal((await H.openGrant(memberKey, grant.sealed_tenant_key, V.tenant.tenant_id, 23)).publicKey, V.tenant.public_key);
  // The grant arrives: her open console takes it without the passphrase ("check again").
  assert.equal(await stylist.vault.adopt(withGrant(stylist.state, grant.sealed_tenant_key)), false);
  assert.equal(stylist.vault.canRead, true);
  for (const c of V.clients) assert.deepEqual(await stylist.vault.openClient(c.row), c.profile, c.name);
  // ...and a later unlock with her passphrase too.
  const later = H.create();
  assert.equal(await later.unlock(withGrant(stylist.state, grant.sealed_tenant_key), stylist.passphrase), true);
  // Revoked (no grant in the state): her console drops the business key.
  assert.equal(await stylist.vault.adopt(stylist.state), false);
  assert.equal(stylist.vault.canRead, false);
  assert.equal(stylist.vault.unlocked, true);
  // Tampered, or handed to another member: refused.
  const blob = S.b64d(grant.sealed_tenant_key);
  blob[40] ^= 1;
  await rejectsWith(later.unlock(withGrant(stylist.state, S.b64e(blob)), stylist.passphrase), H.SealError, "cannot open the grant");
  const other = await enrolMember(24);
  await rejectsWith(H.create().unlock(withGrant(other.state, grant.sealed_tenant_key), other.passphrase), H.SealError, "cannot open the grant");
  assert.equal(await other.vault.adopt(withGrant(other.state, S.b64e(blob))), false);
  assert.equal(other.vault.canRead, false); // a grant that does not open reads as no access
  // Refusals.
  await rejectsWith(owner.grantFor({ ...stylist.row, public_key: null }), RangeError, "that member has not enrolled a key yet");
  await assert.rejects(owner.grantFor({ ...stylist.row, public_key: "AAAA" }), RangeError);
  await assert.rejects(owner.grantFor({ id: 23 }), TypeError);
  await rejectsWith(stylist.vault.grantFor(other.row), H.VaultLocked, "unlock the vault first"); // no read grant
  const granting = owner.grantFor(other.row);
  owner.lock();
  await rejectsWith(granting, H.VaultLocked);
  await rejectsWith(owner.grantFor(other.row), H.VaultLocked, "unlock the vault first");
});

test("rotateBody: every profile re-sealed to a new key, grants for the holders; adopted only once rotated", async () => {
  const owner = await unlocked();
  const me = LOW.state.staff_id;
  const kept = await enrolMember(31);
  const waiting = await enrolMember(32); // enrolled, no access: gets no grant
  const keptGrant = await owner.grantFor(kept.row);
  await kept.vault.adopt(withGrant(kept.state, keptGrant.sealed_tenant_key));
  const members = [
    { staff_id: me, display_name: "Owner", role: "owner", public_key: LOW.state.member.public_key, granted: true },
    { ...kept.row, granted: true },
    waiting.row,
    { staff_id: 33, display_name: "No key", role: "staff", public_key: null, granted: false },
    { staff_id: 34, display_name: "Accounts", role: "accountant", public_key: null, granted: false }
  ];
  const erased = { id: 900, client_key: null, sealed_profile: {} };
  const clients = [...V.clients.map((c) => c.row), erased];
  const progress = [];
  const body = await owner.rotateBody(clients, members, { onProgress: (done, total) => progress.push([done, total]) });
  assert.deepEqual(Object.keys(body), ["key_version", "public_key", "grants", "profiles"]);
  assert.equal(body.key_version, V.tenant.key_version + 1);
  assert.notEqual(body.public_key, V.tenant.public_key);
  assert.deepEqual(body.grants.map((g) => g.staff_id), [me, 31]);
  assert.deepEqual(body.profiles.map((p) => p.client_id), V.clients.map((c) => c.row.id)); // the erased one skipped
  assert.deepEqual(progress[0], [0, V.clients.length]);
  assert.deepEqual(progress[progress.length - 1], [V.clients.length, V.clients.length]);
  const newKeys = new Set(body.profiles.map((p) => p.client_key));
  assert.equal(newKeys.size, V.clients.length);
  for (const c of V.clients) assert.ok(!newKeys.has(c.row.client_key));
  const rotatedRows = body.profiles.map((p) => ({ id: p.client_id, client_key: p.client_key, sealed_profile: p.sealed_profile }));
  // Before the service has it: the old key is still the one held.
  assert.equal(owner.state.key_version, V.tenant.key_version);
  await assert.rejects(owner.openClient(rotatedRows[0]), H.SealError);
  assert.deepEqual(await owner.openClient(V.clients[0].row), V.clients[0].profile);
  // The service's state after the rotation.
  const ownGrant = body.grants[0].sealed_tenant_key;
  const rotated = withGrant({ ...LOW.state, public_key: body.public_key, key_version: body.key_version }, ownGrant, body.key_version);
  assert.equal(await owner.adopt(rotated), true);
  assert.deepEqual({ ...owner.state }, { tenant_id: V.tenant.tenant_id, staff_id: me, public_key: body.public_key, key_version: body.key_version });
  for (let i = 0; i < V.clients.length; i++) {
    assert.deepEqual(await owner.openClient(rotatedRows[i]), V.clients[i].profile, V.clients[i].name);
    await assert.rejects(owner.openClient(V.clients[i].row), H.SealError); // the old key is gone
    // Bound to the new client key and field, as every profile.
    const [field] = Object.keys(rotatedRows[i].sealed_profile);
    const binding = S.aad(V.tenant.tenant_id, "client", rotatedRows[i].client_key, field);
    await assert.rejects(S.open(TENANT_SEED, S.b64d(rotatedRows[i].sealed_profile[field]), S.PURPOSE_FIELD, binding), H.SealError);
  }
  // The fresh owner console (passphrase only) and the kept member read the new rows.
  assert.equal(await H.create().unlock(rotated, LOW.passphrase, { minLogN: LOW.min_log_n }), true);
  const keptState = withGrant({ ...kept.state, public_key: body.public_key, key_version: body.key_version }, body.grants[1].sealed_tenant_key, body.key_version);
  assert.equal(await kept.vault.adopt(keptState), false);
  assert.equal(kept.vault.canRead, true);
  for (let i = 0; i < V.clients.length; i++) assert.deepEqual(await kept.vault.openClient(rotatedRows[i]), V.clients[i].profile);
  // Her console without the new grant (not re-granted): the old key is dropped.
  assert.equal(await kept.vault.adopt({ ...kept.state, public_key: body.public_key, key_version: body.key_version, grant: null }), false);
  assert.equal(kept.vault.canRead, false);
  // The grants cannot be moved between members.
  await rejectsWith(H.create().unlock({ ...keptState, grant: { ...keptState.grant, sealed_tenant_key: ownGrant } }, kept.passphrase), H.SealError, "cannot open the grant");
});

test("rotateBody: a failed POST keeps the old key; a profile that does not open stops it all", async () => {
  const owner = await unlocked();
  const members = [{ staff_id: LOW.state.staff_id, display_name: "O", role: "owner", public_key: LOW.state.member.public_key, granted: true }];
  const body = await owner.rotateBody(V.clients.map((c) => c.row), members);
  assert.equal(await owner.adopt(LOW.state), false); // the service still has the old key
  assert.equal(owner.canRead, true);
  assert.equal(owner.state.public_key, V.tenant.public_key);
  assert.deepEqual(await owner.openClient(V.clients[1].row), V.clients[1].profile);
  assert.ok(body.profiles.length === V.clients.length);
  // A tampered or moved profile: the whole rotation is refused (the service would refuse a partial set).
  const bad = V.profile_must_fail[0].row;
  await rejectsWith(owner.rotateBody([V.clients[0].row, bad], members), H.SealError);
  await rejectsWith(owner.rotateBody([{ ...V.clients[0].row, client_key: null }], members), H.VaultLocked);
  await assert.rejects(owner.rotateBody("x", members), TypeError);
  await assert.rejects(owner.rotateBody([], [null]), TypeError);
  await assert.rejects(owner.rotateBody([{ client_key: "k" }], members), TypeError);
  // Locked while rotating: nothing handed out.
  const rotating = owner.rotateBody(V.clients.map((c) => c.row), members);
  owner.lock();
  await rejectsWith(rotating, H.VaultLocked);
  await rejectsWith(owner.rotateBody([], members), H.VaultLocked, "unlock the vault first");
  // Without a read grant there is nothing to rotate with.
  const noGrant = H.create();
  await noGrant.unlock({ ...LOW.state, grant: null }, LOW.passphrase, { minLogN: LOW.min_log_n });
  await rejectsWith(noGrant.rotateBody([], members), H.VaultLocked, "unlock the vault first");
});

test("adopt: a member key the service no longer has locks the vault", async () => {
  const owner = await unlocked();
  assert.equal(await owner.adopt(LOW.state), false); // nothing changed: still open
  assert.equal(owner.canRead, true);
  assert.equal(await owner.adopt({ ...LOW.state, member: null, grant: null }), false);
  assert.equal(owner.unlocked, false);
  assert.equal(owner.state, null);
  await assert.rejects(owner.adopt(null), TypeError);
});
