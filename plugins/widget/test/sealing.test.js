/* sealing.js against the Python reference: node --test plugins/widget/test/
 *
 * tests/vectors/sealing.json is written by tests/vectors/make_sealing_vectors.py
 * (Python, pinned ephemeral keys). Every blob must come out of the JS seal byte
 * for byte, open in JS, and every must-fail case must fail with Python's message.
 */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

// Loaded the way a browser loads it: a classic script, not a module.
const SOURCE = path.join(__dirname, "..", "src", "sealing.js");
vm.runInThisContext(fs.readFileSync(SOURCE, "utf8"), { filename: SOURCE });
const S = globalThis.HushbookSealing;
const V = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "tests", "vectors", "sealing.json"), "utf8"));

const SEED = S.b64d(V.recipient.seed);
const PUBLIC = S.b64d(V.recipient.public_key);
const utf8 = (text) => new TextEncoder().encode(text);
const text = (bytes) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);
const aadOf = (c) => S.aad(c.tenant_id, c.record_kind, c.record_id, c.field);
const hex = (bytes) => Buffer.from(bytes).toString("hex");

async function rejectsSeal(promise, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof S.SealError, `expected SealError, got ${error && error.name}: ${error && error.message}`);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

test("vectors cover what they promise", () => {
  assert.equal(V.format, S.ENVELOPE_V1);
  const lengths = V.seal.map((c) => c.utf8_length);
  for (const n of [0, 31, 32, 33, 100]) assert.ok(lengths.includes(n), `no ${n}-byte case`);
  assert.ok(V.seal.length >= 10 && V.profiles.length >= 2 && V.must_fail.length >= 10);
});

test("base64url is strict and round-trips", () => {
  for (let n = 0; n < 70; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    assert.deepEqual(S.b64d(S.b64e(bytes)), bytes);
  }
  assert.equal(S.b64e(new Uint8Array([0xfb, 0xff])), "-_8");
  for (const bad of ["AAA=", "A", "AB", "+/8", "a b", "AA\n", 5, null]) {
    assert.throws(() => S.b64d(bad), RangeError, String(bad));
  }
});

test("aad bytes equal Python's", () => {
  for (const c of V.aad) assert.equal(hex(aadOf(c)), c.hex);
  assert.equal(hex(S.aad(1, "appointment", 42, "notes")), hex(S.aad(1, "appointment", "42", "notes")));
  assert.notEqual(hex(S.aad(1, "client", "ab", "c")), hex(S.aad(1, "client", "a", "bc")));
});

test("aad refuses what Python refuses", () => {
  const bad = [
    [true, "client", "k", "name"], [-1, "client", "k", "name"], ["1", "client", "k", "name"],
    [1.5, "client", "k", "name"], [2 ** 53, "client", "k", "name"], [1, "Client", "k", "name"],
    [1, "client", "k", ""], [1, "client", "k", "first name"], [1, "client", "", "name"],
    [1, "client", -5, "name"], [1, "client", "x".repeat(300), "name"], [1, "client", "\ud800", "name"],
    [1, "client", null, "name"], [1, "client", "k", "__proto__"], [1, "client", "k", "name\n"]
  ];
  for (const args of bad) assert.throws(() => S.aad(...args), RangeError, JSON.stringify(args));
  assert.equal(S.aad(1, "client", "ä".repeat(128), "name").length > 0, true); // 256 bytes: the limit
  assert.throws(() => S.aad(1, "client", "ä".repeat(128) + "a", "name"), RangeError);
});

test("JS seal with the pinned ephemeral key equals every Python blob", async () => {
  for (const c of V.seal) {
    const plaintext = utf8(c.plaintext);
    assert.equal(plaintext.length, c.utf8_length, c.name);
    const blob = await S.seal(PUBLIC, plaintext, c.purpose, aadOf(c), { ephemeralSeed: S.b64d(c.ephemeral_seed) });
    assert.equal(S.b64e(blob), c.blob, c.name);
    assert.equal(blob.length, 49 + 32 * Math.ceil((plaintext.length + 1) / 32), c.name);
  }
});

test("JS open opens every Python blob", async () => {
  for (const c of V.seal) {
    assert.equal(text(await S.open(SEED, S.b64d(c.blob), c.purpose, aadOf(c))), c.plaintext, c.name);
  }
  for (const p of V.profiles) {
    for (const [field, blob] of Object.entries(p.sealed)) {
      const binding = S.aad(p.tenant_id, "client", p.client_key, field);
      assert.equal(text(await S.open(SEED, S.b64d(blob), S.PURPOSE_FIELD, binding)), p.profile[field]);
    }
  }
});

test("sealProfile with pinned keys equals Python's seal_profile", async () => {
  for (const p of V.profiles) {
    const seeds = Object.fromEntries(Object.entries(p.ephemeral_seeds).map(([f, s]) => [f, S.b64d(s)]));
    const sealed = await S.sealProfile(V.recipient.public_key, p.tenant_id, p.client_key, p.profile, { ephemeralSeeds: seeds });
    assert.deepEqual(sealed, p.sealed, p.name);
    assert.deepEqual(Object.keys(sealed), Object.keys(p.profile)); // field order kept
  }
});

test("every must-fail case fails with Python's message", async () => {
  for (const c of V.must_fail) {
    await rejectsSeal(S.open(SEED, S.b64d(c.blob), c.purpose, aadOf(c)), c.error);
  }
});

test("every single bit flip fails", async () => {
  const c = V.seal[0];
  const blob = S.b64d(c.blob);
  const jobs = [];
  for (let i = 0; i < blob.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const bad = blob.slice();
      bad[i] ^= bit;
      jobs.push(rejectsSeal(S.open(SEED, bad, c.purpose, aadOf(c))));
    }
  }
  await Promise.all(jobs);
});

test("random sealProfile opens, is fresh each time, and hides the values", async () => {
  const profile = { name: "Zoë Weiß", email: "zoe@example.org", phone: "+49 170 1234567", notes: "🙂 ".repeat(20) };
  const key = S.newClientKey();
  const a = await S.sealProfile(V.recipient.public_key, 3, key, profile);
  const b = await S.sealProfile(V.recipient.public_key, 3, key, profile);
  for (const field of Object.keys(profile)) {
    assert.notEqual(a[field], b[field]); // a fresh ephemeral key per value
    const binding = S.aad(3, "client", key, field);
    assert.equal(text(await S.open(SEED, S.b64d(a[field]), S.PURPOSE_FIELD, binding)), profile[field]);
    const raw = Buffer.from(S.b64d(a[field]));
    assert.ok(!raw.includes(Buffer.from(profile[field])) && !a[field].includes(profile[field]));
    // Moved to another field, tenant or client: refused.
    for (const wrong of [S.aad(3, "client", key, field + "x"), S.aad(4, "client", key, field), S.aad(3, "client", S.newClientKey(), field)]) {
      await rejectsSeal(S.open(SEED, S.b64d(a[field]), S.PURPOSE_FIELD, wrong));
    }
  }
  assert.deepEqual(await S.sealProfile(V.recipient.public_key, 3, key, {}), {});
});

test("bad input is refused the way Python refuses it", async () => {
  const binding = S.aad(1, "client", "k", "name");
  const p = V.recipient.public_key;
  const lowOrder = [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31)),
    Buffer.from("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", "hex"),
    Buffer.from("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", "hex")];
  for (const key of lowOrder) await assert.rejects(S.seal(new Uint8Array(key), utf8("x"), "client-field", binding), RangeError);
  const highBit = PUBLIC.slice(); highBit[31] |= 0x80;
  const aboveP = Buffer.from("f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "hex"); // 9 + p
  for (const key of [PUBLIC.slice(0, 31), concatBytes(PUBLIC, [0]), highBit, new Uint8Array(aboveP)]) {
    await assert.rejects(S.seal(key, utf8("x"), "client-field", binding), RangeError);
  }
  await assert.rejects(S.seal(PUBLIC, "x", "client-field", binding), TypeError);
  await assert.rejects(S.seal(Array.from(PUBLIC), utf8("x"), "client-field", binding), TypeError);
  await assert.rejects(S.seal(PUBLIC, utf8("x"), "Client-Field", binding), RangeError);
  await assert.rejects(S.seal(PUBLIC, utf8("x"), "client-field", binding, { ephemeralSeed: new Uint8Array(31) }), RangeError);
  await assert.rejects(S.seal(PUBLIC, utf8("x"), "client-field", binding, { ephemeral: new Uint8Array(32) }), TypeError);
  await assert.rejects(S.open(SEED.slice(1), S.b64d(V.seal[0].blob), "client-field", binding), RangeError);
  await assert.rejects(S.sealProfile(p, 3, "k", { name: 5 }), TypeError);
  await assert.rejects(S.sealProfile(p, 3, "k", ["Anna"]), TypeError);
  await assert.rejects(S.sealProfile(p, 3, "k", null), TypeError);
  await assert.rejects(S.sealProfile(p, 3, "k", { name: "\udc00 lone" }), RangeError);
  await assert.rejects(S.sealProfile(p, 3, "k", { "first name": "Anna" }), RangeError);
  await assert.rejects(S.sealProfile(p, "3", "k", { name: "Anna" }), RangeError);
  await assert.rejects(S.sealProfile(p, 3, "", { name: "Anna" }), RangeError);
  await assert.rejects(S.sealProfile(p + "=", 3, "k", { name: "Anna" }), RangeError);
  await assert.rejects(S.sealProfile(S.b64e(new Uint8Array(32)), 3, "k", { name: "Anna" }), RangeError);
  await assert.rejects(S.sealProfile(PUBLIC, 3, "k", { name: "Anna" }), TypeError);
  await assert.rejects(S.sealProfile(p, 3, "k", { name: "Anna" }, { ephemeralSeed: SEED }), TypeError);
});

test("error messages never carry plaintext", async () => {
  const secret = "Geheimnis-Müller";
  const blob = await S.seal(PUBLIC, utf8(secret), "client-field", S.aad(1, "client", "k", "name"));
  for (const aadBytes of [S.aad(1, "client", "k", "email"), S.aad(1, "client", "k", "name")]) {
    const bad = blob.slice(); bad[60] ^= 1;
    await assert.rejects(S.open(SEED, bad, "client-field", aadBytes), (e) => !e.message.includes(secret) && !e.stack.includes(secret));
  }
});

test("newClientKey is a fresh UUID4", () => {
  const keys = new Set(Array.from({ length: 50 }, () => S.newClientKey()));
  assert.equal(keys.size, 50);
  for (const key of keys) assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("the API object is frozen", () => {
  assert.ok(Object.isFrozen(S));
  assert.throws(() => { S.seal = null; }, TypeError);
});

function concatBytes(a, b) { return Uint8Array.from([...a, ...b]); }
