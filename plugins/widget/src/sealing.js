/* Hushbook sealing in the browser: the JavaScript twin of sdk/hushbook/sealing.py.
 *
 * The Python module's docstring is the specification; this file follows it
 * byte for byte, and tests/vectors/sealing.json (made by the Python side with
 * pinned ephemeral keys) proves it. In short:
 *
 *   blob   = 0x01 || enc (32) || AES-256-GCM(padded) || tag (16)
 *   HPKE   RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 *          AES-256-GCM; one context per value, sequence number 0
 *   info   "hushbook/v1/" + purpose
 *   aad    LP("hushbook/v1/aad") || LP(tenant) || LP(kind) || LP(record) || LP(field)
 *   padded plaintext || 0x80 || 0x00... up to a multiple of 32 (ISO/IEC 7816-4)
 *   text   base64url without padding
 *
 * A plain script (no modules, no dependencies): it defines
 * globalThis.HushbookSealing in a window, a Web Worker and Node 20 alike, and
 * the widget build prepends it to widget.js. WebCrypto only; it needs a secure
 * context (https, or a loopback address).
 *
 * Errors mirror the Python ones: TypeError where Python raises TypeError,
 * RangeError where it raises ValueError, and SealError for every failure to
 * open (one type, no oracle; messages never carry plaintext).
 */
(function () {
  "use strict";

  var ENVELOPE_V1 = 0x01;
  var KEY_LEN = 32;
  var TAG_LEN = 16;
  var NONCE_LEN = 12;
  var PAD_BLOCK = 32;
  var MIN_BLOB = 1 + KEY_LEN + PAD_BLOCK + TAG_LEN;
  var MAX_RECORD_ID = 256;
  var PURPOSE_FIELD = "client-field";
  var PURPOSE_DELIVERY = "delivery-contact";
  var PROFILE_RECORD_KIND = "client";

  var NAME = /^[a-z][a-z0-9_]{0,63}$/;
  var PURPOSE = /^[a-z][a-z0-9-]{0,31}$/;
  var B64URL = /^[A-Za-z0-9_-]*$/;
  var LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  var encoder = new TextEncoder();
  var EMPTY = new Uint8Array(0);
  var ZERO_SALT = new Uint8Array(32);
  // PKCS#8 wrapping of a raw X25519 private key (RFC 8410): WebCrypto has no
  // "raw" import for private keys, and this prefix is fixed for every seed.
  var PKCS8_X25519 = hex("302e020100300506032b656e04220420");
  var HPKE_V1 = ascii("HPKE-v1");
  var KEM_SUITE = concat(ascii("KEM"), [0x00, 0x20]); // DHKEM(X25519, HKDF-SHA256)
  var HPKE_SUITE = concat(ascii("HPKE"), [0x00, 0x20, 0x00, 0x01, 0x00, 0x02]); // + HKDF-SHA256, AES-256-GCM

  class SealError extends Error {
    constructor(message) {
      super(message);
      this.name = "SealError";
    }
  }

  // --- bytes and text -----------------------------------------------------------

  function hex(text) {
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function ascii(text) { return encoder.encode(text); }

  function concat() {
    var total = 0, i;
    for (i = 0; i < arguments.length; i++) total += arguments[i].length;
    var out = new Uint8Array(total), at = 0;
    for (i = 0; i < arguments.length; i++) { out.set(arguments[i], at); at += arguments[i].length; }
    return out;
  }

  function u32be(n) { return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }

  function lp(items) {
    return concat.apply(null, items.reduce(function (acc, item) { return acc.concat([u32be(item.length), item]); }, []));
  }

  function isBytes(value) {
    // Not instanceof: arrays from another realm (iframe, vm) are Uint8Arrays too.
    return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === "[object Uint8Array]";
  }

  function bytesArg(value, what) {
    if (!isBytes(value)) throw new TypeError(what + " must be a Uint8Array");
    return value;
  }

  function utf8(text, what) {
    // TextEncoder would silently turn a lone surrogate into U+FFFD; Python refuses it.
    var ok = typeof text.isWellFormed === "function" ? text.isWellFormed() : !LONE_SURROGATE.test(text);
    if (!ok) throw new RangeError(what + " is not valid Unicode text");
    return encoder.encode(text);
  }

  function b64e(bytes) {
    bytesArg(bytes, "b64e input");
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function b64d(text) {
    if (typeof text !== "string" || !B64URL.test(text) || text.length % 4 === 1) {
      throw new RangeError("not base64url");
    }
    var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - text.length % 4) % 4));
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    // Strict: exactly one text per byte string (unused trailing bits must be zero).
    if (b64e(out) !== text) throw new RangeError("not base64url");
    return out;
  }

  // --- WebCrypto building blocks ----------------------------------------------

  function subtle() {
    var s = globalThis.crypto && globalThis.crypto.subtle;
    if (!s) throw new Error("WebCrypto is unavailable (it needs a secure context: https or a loopback address)");
    return s;
  }

  async function hmac(key, data) {
    var k = await subtle().importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await subtle().sign("HMAC", k, data));
  }

  // HKDF (RFC 5869) from HMAC, because HPKE needs Extract and Expand separately
  // and WebCrypto's HKDF only does both at once. An empty salt is HashLen zero
  // bytes by definition (WebCrypto refuses zero-length HMAC keys anyway).
  function extract(salt, ikm) { return hmac(salt.length ? salt : ZERO_SALT, ikm); }

  async function expand(prk, info, length) {
    // Every output here is at most one SHA-256 block, so T(1) is all of it.
    return (await hmac(prk, concat(info, [0x01]))).slice(0, length);
  }

  // RFC 9180 §4: LabeledExtract / LabeledExpand.
  function labeledExtract(suite, salt, label, ikm) {
    return extract(salt, concat(HPKE_V1, suite, ascii(label), ikm));
  }

  function labeledExpand(suite, prk, label, info, length) {
    return expand(prk, concat([length >> 8, length & 255], HPKE_V1, suite, ascii(label), info), length);
  }

  function importSeed(seed, extractable) {
    return subtle().importKey("pkcs8", concat(PKCS8_X25519, seed), { name: "X25519" }, extractable, ["deriveBits"]);
  }

  async function publicOf(privateKey) {
    return b64d((await subtle().exportKey("jwk", privateKey)).x);
  }

  function checkPublicKey(raw) {
    if (raw.length !== KEY_LEN) throw new RangeError("an X25519 public key is 32 bytes");
    // Canonical encodings only (u < 2^255 - 19, top bit clear). Python would
    // accept and silently re-encode the others, but the HPKE kem_context binds
    // the key's bytes, so a non-canonical copy could never interoperate.
    var top = raw[31] === 0x7f && raw[0] >= 0xed;
    for (var i = 1; top && i < 31; i++) top = raw[i] === 0xff;
    if (raw[31] & 0x80 || top) throw new RangeError("not a valid X25519 public key");
  }

  // X25519, or null when the peer key is unusable. RFC 7748 §6.1: a low-order
  // point gives the all-zero secret, which must be refused (WebCrypto
  // implementations throw OperationError for it; the check below is the belt).
  async function dh(privateKey, publicRaw) {
    try {
      var pub = await subtle().importKey("raw", publicRaw, { name: "X25519" }, true, []);
      var z = new Uint8Array(await subtle().deriveBits({ name: "X25519", public: pub }, privateKey, 256));
    } catch (error) {
      if (error && (error.name === "OperationError" || error.name === "DataError")) return null;
      throw error; // e.g. NotSupportedError: a browser without X25519 is not a bad key
    }
    return z.some(function (b) { return b !== 0; }) ? z : null;
  }

  // RFC 9180 §4.1 ExtractAndExpand: the KEM shared secret.
  async function kemSecret(z, enc, pkR) {
    var prk = await labeledExtract(KEM_SUITE, EMPTY, "eae_prk", z);
    return labeledExpand(KEM_SUITE, prk, "shared_secret", concat(enc, pkR), 32);
  }

  // RFC 9180 §5.1 KeySchedule, mode_base (no PSK): the AEAD key and nonce.
  // One context per value at sequence number 0, so the nonce is base_nonce.
  async function aesKey(sharedSecret, info, usage) {
    var hashes = await Promise.all([
      labeledExtract(HPKE_SUITE, EMPTY, "psk_id_hash", EMPTY),
      labeledExtract(HPKE_SUITE, EMPTY, "info_hash", info),
      labeledExtract(HPKE_SUITE, sharedSecret, "secret", EMPTY)
    ]);
    var context = concat([0x00], hashes[0], hashes[1]);
    var derived = await Promise.all([
      labeledExpand(HPKE_SUITE, hashes[2], "key", context, 32),
      labeledExpand(HPKE_SUITE, hashes[2], "base_nonce", context, NONCE_LEN)
    ]);
    var key = await subtle().importKey("raw", derived[0], { name: "AES-GCM" }, false, [usage]);
    return { key: key, nonce: derived[1] };
  }

  function infoFor(purpose) {
    if (typeof purpose !== "string" || !PURPOSE.test(purpose)) {
      throw new RangeError("purpose must match [a-z][a-z0-9-]{0,31}");
    }
    return ascii("hushbook/v1/" + purpose);
  }

  function checkOptions(options, allowed) {
    Object.keys(options || {}).forEach(function (name) {
      if (allowed.indexOf(name) < 0) throw new TypeError("unknown option " + JSON.stringify(name));
    });
    return options || {};
  }

  // --- envelope -----------------------------------------------------------------

  function pad(data) {
    var out = new Uint8Array(Math.ceil((data.length + 1) / PAD_BLOCK) * PAD_BLOCK);
    out.set(data);
    out[data.length] = 0x80;
    return out;
  }

  function unpad(padded) {
    // Runs only on authenticated plaintext, so it is no padding oracle.
    var end = padded.length;
    while (end > 0 && padded[end - 1] === 0) end--;
    if (end === 0 || padded[end - 1] !== 0x80) throw new SealError("sealed value has invalid padding");
    return padded.slice(0, end - 1);
  }

  /* Seal plaintext to a raw 32-byte X25519 public key, bound to aadBytes:
   * envelope format 1. options.ephemeralSeed (32 bytes) pins the ephemeral key
   * -- for test vectors only: reusing it reuses the AES key and nonce. */
  async function seal(publicKey, plaintext, purpose, aadBytes, options) {
    bytesArg(publicKey, "public key");
    bytesArg(plaintext, "plaintext");
    bytesArg(aadBytes, "aad");
    var info = infoFor(purpose);
    var pinned = checkOptions(options, ["ephemeralSeed"]).ephemeralSeed;
    checkPublicKey(publicKey);
    var skE, enc;
    if (pinned !== undefined) {
      if (bytesArg(pinned, "ephemeralSeed").length !== KEY_LEN) throw new RangeError("ephemeralSeed is 32 bytes");
      skE = await importSeed(pinned, true); // extractable: the JWK export is how we learn its public half
      enc = await publicOf(skE);
    } else {
      var pair = await subtle().generateKey({ name: "X25519" }, false, ["deriveBits"]);
      skE = pair.privateKey;
      enc = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
    }
    var z = await dh(skE, publicKey);
    if (!z) throw new RangeError("not a valid X25519 public key");
    var aead = await aesKey(await kemSecret(z, enc, publicKey), info, "encrypt");
    var ct = await subtle().encrypt(
      { name: "AES-GCM", iv: aead.nonce, additionalData: aadBytes, tagLength: 8 * TAG_LEN },
      aead.key, pad(plaintext));
    return concat([ENVELOPE_V1], enc, new Uint8Array(ct));
  }

  /* Open a blob from seal (here or in Python) with the raw 32-byte private
   * seed; SealError on any failure of the blob, key or context. */
  async function open(privateSeed, blob, purpose, aadBytes) {
    if (bytesArg(privateSeed, "private seed").length !== KEY_LEN) throw new RangeError("an X25519 private key is 32 bytes");
    bytesArg(blob, "sealed value");
    bytesArg(aadBytes, "aad");
    var info = infoFor(purpose);
    // Facts visible in the blob anyway get their own message (as in Python).
    if (blob.length < 1) throw new SealError("sealed value is empty");
    if (blob[0] !== ENVELOPE_V1) throw new SealError("unsupported envelope version");
    if (blob.length < MIN_BLOB || (blob.length - MIN_BLOB) % PAD_BLOCK) {
      throw new SealError("sealed value has the wrong length");
    }
    var enc = blob.slice(1, 1 + KEY_LEN), padded;
    try {
      var skR = await importSeed(privateSeed, true);
      var z = await dh(skR, enc);
      if (!z) throw new SealError("low-order enc");
      var aead = await aesKey(await kemSecret(z, enc, await publicOf(skR)), info, "decrypt");
      padded = new Uint8Array(await subtle().decrypt(
        { name: "AES-GCM", iv: aead.nonce, additionalData: aadBytes, tagLength: 8 * TAG_LEN },
        aead.key, blob.slice(1 + KEY_LEN)));
    } catch (ignored) {
      // Wrong key, wrong aad or purpose, tampering: one answer for all (no oracle).
      throw new SealError("cannot open sealed value (wrong key, wrong context or tampered)");
    }
    return unpad(padded);
  }

  // --- associated data and profiles ---------------------------------------------

  function isId(value) { return typeof value === "number" && Number.isSafeInteger(value) && value >= 0; }

  function aad(tenantId, recordKind, recordId, field) {
    if (!isId(tenantId)) throw new RangeError("tenant_id must be a non-negative integer");
    if (typeof recordKind !== "string" || !NAME.test(recordKind)) throw new RangeError("record_kind must match [a-z][a-z0-9_]{0,63}");
    if (typeof field !== "string" || !NAME.test(field)) throw new RangeError("field must match [a-z][a-z0-9_]{0,63}");
    var rid;
    if (typeof recordId === "number") {
      // Decimal text, as in Python: 5 and "5" name the same record.
      if (!isId(recordId)) throw new RangeError("record_id must be a non-negative integer");
      rid = ascii(String(recordId));
    } else if (typeof recordId === "string" && recordId) {
      rid = utf8(recordId, "record_id");
    } else {
      throw new RangeError("record_id must be a non-negative integer or a non-empty string");
    }
    if (rid.length > MAX_RECORD_ID) throw new RangeError("record_id is too long");
    return lp([ascii("hushbook/v1/aad"), ascii(String(tenantId)), ascii(recordKind), rid, ascii(field)]);
  }

  function newClientKey() {
    if (typeof globalThis.crypto.randomUUID === "function") return globalThis.crypto.randomUUID();
    var b = globalThis.crypto.getRandomValues(new Uint8Array(16)); // UUID4 by hand (RFC 9562 §5.4)
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  /* Seal each field separately to the salon's key (base64url text, as in the
   * catalog), every field bound to tenant, record kind "client", client key and
   * its own name. options.ephemeralSeeds {field: 32 bytes}: tests only. */
  async function sealProfile(publicKeyB64, tenantId, clientKey, profile, options) {
    if (typeof publicKeyB64 !== "string") throw new TypeError("public key must be base64url text");
    var publicKey = b64d(publicKeyB64);
    checkPublicKey(publicKey);
    var seeds = checkOptions(options, ["ephemeralSeeds"]).ephemeralSeeds || {};
    if (profile === null || typeof profile !== "object" || Array.isArray(profile)) {
      throw new TypeError("profile must be an object of text fields");
    }
    // Check every field before sealing any, then seal them in parallel.
    var fields = Object.keys(profile);
    var jobs = fields.map(function (field) {
      var value = profile[field];
      if (typeof value !== "string") throw new TypeError("profile field " + JSON.stringify(field) + " must be text");
      var binding = aad(tenantId, PROFILE_RECORD_KIND, clientKey, field);
      var plaintext = utf8(value, "profile field " + JSON.stringify(field));
      var pinned = Object.prototype.hasOwnProperty.call(seeds, field) ? { ephemeralSeed: seeds[field] } : undefined;
      return [publicKey, plaintext, PURPOSE_FIELD, binding, pinned];
    });
    var blobs = await Promise.all(jobs.map(function (args) { return seal.apply(null, args); }));
    var sealed = {};
    fields.forEach(function (field, i) { sealed[field] = b64e(blobs[i]); });
    return sealed;
  }

  globalThis.HushbookSealing = Object.freeze({
    ENVELOPE_V1: ENVELOPE_V1,
    PAD_BLOCK: PAD_BLOCK,
    PURPOSE_FIELD: PURPOSE_FIELD,
    PURPOSE_DELIVERY: PURPOSE_DELIVERY,
    PROFILE_RECORD_KIND: PROFILE_RECORD_KIND,
    SealError: SealError,
    b64e: b64e,
    b64d: b64d,
    aad: aad,
    seal: seal,
    open: open,
    sealProfile: sealProfile,
    newClientKey: newClientKey
  });
})();
