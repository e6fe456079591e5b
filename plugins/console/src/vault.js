/* Hushbook vault in the browser, for the staff console: the JavaScript twin of
 * sdk/hushbook/vault.py and sdk/hushbook/sealing.py (reading, and the owner's
 * and members' administration: enrol, setup, grant, rotate).
 *
 * The formats are specified in the docstring of sdk/hushbook/sealing.py; this
 * file follows it byte for byte, and tests/vectors/console.json (made by the
 * Python SDK) proves it; tests/test_console_crypto.py checks the other
 * direction (what is made here opens in Python, and the service accepts it).
 * In short:
 *
 *   member key  raw X25519 seed, AES-256-GCM under scrypt(NFC(passphrase)):
 *               key = scrypt(utf8(NFC(passphrase)), salt, N = 2**log_n, r, p, 32)
 *               aad = LP("hushbook/v1/vault-key") || LP("1") || LP("scrypt")
 *                     || LP(log_n) || LP(r) || LP(p) || LP(context)
 *               context = LP("hushbook/v1/vault-context") || LP(tenant) || LP(member)
 *               log_n, r, p come from the blob (refused below the floor
 *               log_n 16 / r 8 and above the ceiling log_n 20 / 1 GiB);
 *               written here with a 16-byte salt, r 8, p 1, log_n 17 by default
 *   grant       the tenant's raw seed, HPKE-sealed to the member's public key,
 *               purpose "tenant-key-grant", aad(tenant, "grant", member, "tenant_key")
 *   profile     one HPKE blob per field, purpose "client-field",
 *               aad(tenant, "client", client_key, field)
 *
 * A plain script (no modules, no build step) that defines
 * globalThis.HushbookVault in a window, a Web Worker and Node >= 20 alike.
 * Load these two first (in either order):
 *
 *   vendor/noble-hashes-2.4.0/scrypt.js  scrypt (WebCrypto has none)
 *   plugins/widget/src/sealing.js        HPKE sealing, aad, base64url
 *
 * Keys: every private key held lives only as a non-extractable WebCrypto
 * CryptoKey (X25519, usage deriveBits). Raw seeds exist only within one call
 * (between decryption or generation and import, wrapping or sealing), in
 * buffers that are zeroed right after (best effort: a JavaScript engine may
 * have copied them, which no script can prevent). Opening therefore runs the
 * HPKE receiver side here, on the CryptoKey; sealing a profile only needs the
 * public key and calls HushbookSealing.sealProfile; sealing a grant needs the
 * tenant seed, which is taken from the member's own grant for that one call
 * (see create()).
 *
 * Errors mirror the Python ones: TypeError where Python raises TypeError,
 * RangeError where it raises ValueError, HushbookSealing.SealError for every
 * failure to unwrap or open (same messages as Python), VaultLocked where the
 * SDK raises VaultLocked. Messages never carry plaintext or passphrases.
 *
 *   var vault = HushbookVault.create();
 *   await vault.unlock(await api("GET", "/v1/vault"), passphrase, { onProgress: bar });
 *   var profile = await vault.openClient(row);          // row from /v1/clients
 *   var body = await vault.sealProfile(edited, { clientKey: row.client_key });
 *   vault.lock();                                        // forgets every key
 *
 * Administration: each call returns a request body and keeps the new key
 * aside; adopt(GET /v1/vault after the request) takes it only if the service
 * has it, so a failed request leaves the keys as they were:
 *
 *   body = await vault.enrol(state, passphrase, { onProgress: bar });   // PUT /v1/vault/member
 *   body = await vault.setupBody();                      // owner: POST /v1/vault/setup
 *   body = await vault.grantFor(row);                    // owner: PUT /v1/vault/grants/{id}
 *   body = await vault.rotateBody(clients, members, { onProgress: f }); // owner: POST /v1/vault/rotate
 *   await vault.adopt(await api("GET", "/v1/vault"));    // after each (grantFor needs none)
 */
(function () {
  "use strict";

  var S = globalThis.HushbookSealing;
  var NOBLE = globalThis.NobleHashesScrypt;
  if (!S || typeof S.sealProfile !== "function") {
    throw new Error("vault.js needs plugins/widget/src/sealing.js (HushbookSealing) loaded first");
  }
  if (!NOBLE || typeof NOBLE.scryptAsync !== "function") {
    throw new Error("vault.js needs vendor/noble-hashes-*/scrypt.js (NobleHashesScrypt) loaded first");
  }
  var SealError = S.SealError;

  var VAULT_FORMAT = 1;
  var DEFAULT_LOG_N = 17;
  var MIN_LOG_N = 16;
  var MAX_LOG_N = 20;
  var SCRYPT_R = 8;
  var SCRYPT_P = 1;
  var MAX_R = 16;
  var MAX_P = 4;
  var MAX_SCRYPT_MEMORY = Math.pow(2, 30);
  var SALT_MIN = 16;
  var SALT_MAX = 64;
  var NONCE_LEN = 12;
  var KEY_LEN = 32;
  var TAG_LEN = 16;
  var PAD_BLOCK = 32;
  var MIN_BLOB = 1 + KEY_LEN + PAD_BLOCK + TAG_LEN;
  var PURPOSE_GRANT = "tenant-key-grant";

  var encoder = new TextEncoder();
  var decoder = new TextDecoder("utf-8", { fatal: true });
  var EMPTY = new Uint8Array(0);
  var ZERO_SALT = new Uint8Array(32);
  var PKCS8_X25519 = hex("302e020100300506032b656e04220420"); // RFC 8410 prefix of a raw seed
  var BASE_POINT = new Uint8Array(32); BASE_POINT[0] = 9; // X25519(k, 9) is k's public key
  var HPKE_V1 = ascii("HPKE-v1");
  var KEM_SUITE = concat(ascii("KEM"), [0x00, 0x20]); // DHKEM(X25519, HKDF-SHA256)
  var HPKE_SUITE = concat(ascii("HPKE"), [0x00, 0x20, 0x00, 0x01, 0x00, 0x02]); // + HKDF-SHA256, AES-256-GCM
  var LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  var OPEN_FAILED = "cannot open sealed value (wrong key, wrong context or tampered)";

  class VaultLocked extends Error {
    constructor(message) {
      super(message);
      this.name = "VaultLocked";
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

  function lp(items) {
    var parts = [];
    items.forEach(function (item) {
      var n = item.length;
      parts.push(new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]), item);
    });
    return concat.apply(null, parts);
  }

  function utf8(text, what) {
    // TextEncoder would silently turn a lone surrogate into U+FFFD; Python refuses it.
    var ok = typeof text.isWellFormed === "function" ? text.isWellFormed() : !LONE_SURROGATE.test(text);
    if (!ok) throw new RangeError(what + " is not valid Unicode text");
    return encoder.encode(text);
  }

  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  function isBytes(value) {
    return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === "[object Uint8Array]";
  }

  function isId(value) { return typeof value === "number" && Number.isSafeInteger(value) && value >= 0; }

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  function own(object, name) { return Object.prototype.hasOwnProperty.call(object, name) ? object[name] : undefined; }

  function wipe() { for (var i = 0; i < arguments.length; i++) if (arguments[i]) arguments[i].fill(0); }

  function checkOptions(options, allowed) {
    if (options === undefined || options === null) return {};
    if (typeof options !== "object") throw new TypeError("options must be an object");
    Object.keys(options).forEach(function (name) {
      if (allowed.indexOf(name) < 0) throw new TypeError("unknown option " + JSON.stringify(name));
    });
    return options;
  }

  // --- WebCrypto building blocks (the HPKE receiver side, on a CryptoKey) ---------

  function subtle() {
    var s = globalThis.crypto && globalThis.crypto.subtle;
    if (!s) throw new Error("WebCrypto is unavailable (it needs a secure context: https or a loopback address)");
    return s;
  }

  function notSupported(error) {
    return error && error.name === "NotSupportedError";
  }

  async function hmac(key, data) {
    var k = await subtle().importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await subtle().sign("HMAC", k, data));
  }

  // HKDF (RFC 5869) Extract and Expand from HMAC, as in sealing.js: HPKE needs
  // them separately. Every output here is at most one SHA-256 block.
  function labeledExtract(suite, salt, label, ikm) {
    return hmac(salt.length ? salt : ZERO_SALT, concat(HPKE_V1, suite, ascii(label), ikm));
  }

  async function labeledExpand(suite, prk, label, info, length) {
    var labeled = concat([length >> 8, length & 255], HPKE_V1, suite, ascii(label), info, [0x01]);
    return (await hmac(prk, labeled)).slice(0, length);
  }

  /* A raw 32-byte seed as a non-extractable X25519 CryptoKey, with its public
   * key (computed as X25519(seed, 9): no extractable copy is ever made). The
   * seed is left to the caller to wipe. */
  async function importSeed(seed) {
    var pkcs8 = concat(PKCS8_X25519, seed), privateKey;
    try {
      privateKey = await subtle().importKey("pkcs8", pkcs8, { name: "X25519" }, false, ["deriveBits"]);
    } catch (error) {
      if (notSupported(error)) throw new Error("this browser has no X25519 in WebCrypto: it cannot open the vault");
      throw error;
    } finally {
      wipe(pkcs8);
    }
    var base = await subtle().importKey("raw", BASE_POINT, { name: "X25519" }, true, []);
    var publicKey = new Uint8Array(await subtle().deriveBits({ name: "X25519", public: base }, privateKey, 256));
    return Object.freeze({ privateKey: privateKey, publicKey: S.b64e(publicKey) });
  }

  function checkKey(key, what) {
    if (!isObject(key) || typeof key.publicKey !== "string" || !key.privateKey ||
        typeof key.privateKey !== "object" || key.privateKey.type !== "private") {
      throw new TypeError(what + " must be a key from unwrapPrivateKey or openGrant");
    }
    return key;
  }

  /* HPKE open (RFC 9180 base mode, sequence 0) of an envelope-format-1 blob
   * with a private CryptoKey: the twin of HushbookSealing.open, which needs the
   * raw seed. Same checks and messages as Python's open_sealed. */
  async function openWithKey(key, blob, purpose, aadBytes) {
    var info = ascii("hushbook/v1/" + purpose);
    if (blob.length < 1) throw new SealError("sealed value is empty");
    if (blob[0] !== S.ENVELOPE_V1) throw new SealError("unsupported envelope version");
    if (blob.length < MIN_BLOB || (blob.length - MIN_BLOB) % PAD_BLOCK) {
      throw new SealError("sealed value has the wrong length");
    }
    var enc = blob.slice(1, 1 + KEY_LEN), padded;
    try {
      var pkE = await subtle().importKey("raw", enc, { name: "X25519" }, true, []);
      var z = new Uint8Array(await subtle().deriveBits({ name: "X25519", public: pkE }, key.privateKey, 256));
      if (!z.some(function (b) { return b !== 0; })) throw new SealError("low-order enc"); // RFC 7748 §6.1
      var prk = await labeledExtract(KEM_SUITE, EMPTY, "eae_prk", z);
      var shared = await labeledExpand(KEM_SUITE, prk, "shared_secret", concat(enc, S.b64d(key.publicKey)), 32);
      var hashes = await Promise.all([
        labeledExtract(HPKE_SUITE, EMPTY, "psk_id_hash", EMPTY),
        labeledExtract(HPKE_SUITE, EMPTY, "info_hash", info),
        labeledExtract(HPKE_SUITE, shared, "secret", EMPTY)
      ]);
      var context = concat([0x00], hashes[0], hashes[1]);
      var derived = await Promise.all([
        labeledExpand(HPKE_SUITE, hashes[2], "key", context, 32),
        labeledExpand(HPKE_SUITE, hashes[2], "base_nonce", context, 12)
      ]);
      var aes = await subtle().importKey("raw", derived[0], { name: "AES-GCM" }, false, ["decrypt"]);
      wipe(z, prk, shared, hashes[2], derived[0]);
      padded = new Uint8Array(await subtle().decrypt(
        { name: "AES-GCM", iv: derived[1], additionalData: aadBytes, tagLength: 8 * TAG_LEN },
        aes, blob.slice(1 + KEY_LEN)));
    } catch (error) {
      if (notSupported(error)) throw new Error("this browser has no X25519 in WebCrypto: it cannot open the vault");
      // Wrong key, wrong aad or purpose, tampering: one answer for all (no oracle).
      throw new SealError(OPEN_FAILED);
    }
    // Unpad (only ever on authenticated plaintext, so no padding oracle).
    var end = padded.length;
    while (end > 0 && padded[end - 1] === 0) end--;
    if (end === 0 || padded[end - 1] !== 0x80) {
      wipe(padded);
      throw new SealError("sealed value has invalid padding");
    }
    var plaintext = padded.slice(0, end - 1);
    wipe(padded);
    return plaintext;
  }

  // --- vault: the member key wrapped under a passphrase -------------------------

  /* The context of a member's wrapped copy: tenant and member, unambiguously. */
  function vaultContext(tenantId, memberId) {
    if (!isId(tenantId)) throw new RangeError("tenant_id must be a non-negative integer");
    var member;
    if (typeof memberId === "number") {
      if (!isId(memberId)) throw new RangeError("member_id must be a non-negative integer or a non-empty string");
      member = ascii(String(memberId));
    } else if (typeof memberId === "string" && memberId) {
      member = utf8(memberId, "member_id");
    } else {
      throw new RangeError("member_id must be a non-negative integer or a non-empty string");
    }
    return lp([ascii("hushbook/v1/vault-context"), ascii(String(tenantId)), member]);
  }

  function vaultAad(logN, r, p, context) {
    return lp([ascii("hushbook/v1/vault-key"), ascii(String(VAULT_FORMAT)), ascii("scrypt"),
      ascii(String(logN)), ascii(String(r)), ascii(String(p)), context]);
  }

  function intField(wrapped, name) {
    var value = own(wrapped, name);
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      throw new SealError("wrapped key: " + name + " must be an integer");
    }
    return value;
  }

  function bytesField(wrapped, name, min, max) {
    var raw;
    try {
      raw = S.b64d(own(wrapped, name));
    } catch (ignored) {
      throw new SealError("wrapped key: " + name + " is not base64url");
    }
    if (raw.length < min || raw.length > max) throw new SealError("wrapped key: " + name + " has the wrong length");
    return raw;
  }

  /* scrypt as Python's _scrypt: the NFC-normalised passphrase, UTF-8, 32 bytes. */
  async function scrypt(passphrase, salt, logN, r, p, onProgress) {
    var secret = utf8(passphrase.normalize("NFC"), "passphrase");
    var n = Math.pow(2, logN);
    var options = { N: n, r: r, p: p, dkLen: 32, maxmem: 128 * r * (n + p + 1) };
    if (onProgress !== undefined) options.onProgress = onProgress;
    try {
      return await NOBLE.scryptAsync(secret, salt, options);
    } finally {
      wipe(secret);
    }
  }

  /* Unwrap a member's wrapped private key (the "wrapped_private_key" object of
   * GET /v1/vault) with the passphrase: a frozen {privateKey: non-extractable
   * CryptoKey, publicKey: base64url}. SealError on a wrong passphrase or
   * context, a tampered blob, or scrypt parameters outside floor and ceiling.
   * options.minLogN below 16: tests only. options.onProgress(fraction): scrypt
   * progress, for a progress bar (scrypt takes most of a second). */
  async function unwrapPrivateKey(wrapped, passphrase, context, options) {
    var opts = checkOptions(options, ["minLogN", "onProgress"]);
    var minLogN = opts.minLogN === undefined ? MIN_LOG_N : opts.minLogN;
    if (!Number.isSafeInteger(minLogN) || minLogN < 1 || minLogN > MAX_LOG_N) {
      throw new RangeError("minLogN must be an integer between 1 and " + MAX_LOG_N);
    }
    if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") {
      throw new TypeError("onProgress must be a function");
    }
    if (!isBytes(context) || !context.length) {
      throw new RangeError("context must be non-empty bytes naming tenant and member");
    }
    if (!isObject(wrapped)) throw new SealError("wrapped key must be a JSON object");
    if (own(wrapped, "v") !== VAULT_FORMAT || own(wrapped, "kdf") !== "scrypt") {
      throw new SealError("unsupported wrapped-key format");
    }
    var logN = intField(wrapped, "log_n"), r = intField(wrapped, "r"), p = intField(wrapped, "p");
    // The blob comes from the server: refuse a cheapened derivation (downgrade)
    // and one so expensive that it would exhaust this device's memory.
    if (logN < minLogN || r < SCRYPT_R || p < 1) {
      throw new SealError("wrapped key: scrypt parameters below the floor (refused)");
    }
    if (logN > MAX_LOG_N || r > MAX_R || p > MAX_P || 128 * r * Math.pow(2, logN) > MAX_SCRYPT_MEMORY) {
      throw new SealError("wrapped key: scrypt parameters above the limit (refused)");
    }
    var salt = bytesField(wrapped, "salt", SALT_MIN, SALT_MAX);
    var nonce = bytesField(wrapped, "nonce", NONCE_LEN, NONCE_LEN);
    var sealed = bytesField(wrapped, "ct", KEY_LEN + TAG_LEN, KEY_LEN + TAG_LEN);
    if (typeof passphrase !== "string") throw new TypeError("passphrase must be a string");
    var derived = await scrypt(passphrase, salt, logN, r, p, opts.onProgress);
    var seed;
    try {
      var aes = await subtle().importKey("raw", derived, { name: "AES-GCM" }, false, ["decrypt"]);
      seed = new Uint8Array(await subtle().decrypt(
        { name: "AES-GCM", iv: nonce, additionalData: vaultAad(logN, r, p, context), tagLength: 8 * TAG_LEN },
        aes, sealed));
    } catch (ignored) {
      throw new SealError("cannot unwrap: wrong passphrase, other member, or tampered");
    } finally {
      wipe(derived);
    }
    try {
      return await importSeed(seed);
    } finally {
      wipe(seed);
    }
  }

  function randomBytes(n) { return globalThis.crypto.getRandomValues(new Uint8Array(n)); }

  /* Python's wrap_private_key for a raw 32-byte X25519 seed: the "wrapped_private_key"
   * object of PUT /v1/vault/member (format 1, key order as Python writes it).
   * log_n from 16 (the floor the service accepts) to 20; r = 8, p = 1. */
  async function wrapSeed(seed, passphrase, context, logN, onProgress) {
    if (!isBytes(seed) || seed.length !== KEY_LEN) throw new TypeError("expected a raw 32-byte X25519 private key");
    if (!isBytes(context) || !context.length) {
      throw new RangeError("context must be non-empty bytes naming tenant and member");
    }
    if (typeof passphrase !== "string") throw new TypeError("passphrase must be a string");
    if (!passphrase) throw new RangeError("passphrase must be a non-empty string");
    if (!Number.isSafeInteger(logN) || logN < MIN_LOG_N || logN > MAX_LOG_N) {
      throw new RangeError("log_n must be between " + MIN_LOG_N + " and " + MAX_LOG_N);
    }
    if (onProgress !== undefined && typeof onProgress !== "function") {
      throw new TypeError("onProgress must be a function");
    }
    var salt = randomBytes(SALT_MIN), nonce = randomBytes(NONCE_LEN);
    var derived = await scrypt(passphrase, salt, logN, SCRYPT_R, SCRYPT_P, onProgress);
    var sealed;
    try {
      var aes = await subtle().importKey("raw", derived, { name: "AES-GCM" }, false, ["encrypt"]);
      sealed = new Uint8Array(await subtle().encrypt(
        { name: "AES-GCM", iv: nonce, additionalData: vaultAad(logN, SCRYPT_R, SCRYPT_P, context), tagLength: 8 * TAG_LEN },
        aes, seed));
    } finally {
      wipe(derived);
    }
    return {
      v: VAULT_FORMAT, kdf: "scrypt", log_n: logN, r: SCRYPT_R, p: SCRYPT_P,
      salt: S.b64e(salt), nonce: S.b64e(nonce), ct: S.b64e(sealed)
    };
  }

  // --- grants and profiles --------------------------------------------------------

  /* The raw tenant seed inside a grant, for the moment it takes to import or
   * re-seal it: the caller wipes it. SealError "cannot open the grant" for
   * every failure (no oracle), as Python's open_grant. */
  async function openGrantSeed(memberKey, sealedB64, tenantId, memberId) {
    checkKey(memberKey, "memberKey");
    var binding = S.aad(tenantId, "grant", memberId, "tenant_key");
    var seed;
    try {
      seed = await openWithKey(memberKey, S.b64d(sealedB64), PURPOSE_GRANT, binding);
    } catch (error) {
      if (error instanceof SealError || error instanceof RangeError) throw new SealError("cannot open the grant");
      throw error;
    }
    // The SDK seals the raw 32-byte seed; nothing else is a tenant key here.
    if (seed.length !== KEY_LEN) {
      wipe(seed);
      throw new SealError("cannot open the grant");
    }
    return seed;
  }

  /* Open a grant (the tenant private key sealed to the member's public key,
   * "sealed_tenant_key" in GET /v1/vault) with the member key from
   * unwrapPrivateKey: the tenant key, as that function returns keys. */
  async function openGrant(memberKey, sealedB64, tenantId, memberId) {
    var seed = await openGrantSeed(memberKey, sealedB64, tenantId, memberId);
    try {
      return await importSeed(seed);
    } finally {
      wipe(seed);
    }
  }

  /* Python's seal_grant: a raw tenant seed sealed to a member's public key
   * (base64url text, as the API stores it), bound to tenant and member. */
  async function sealGrant(memberPublicB64, tenantSeed, tenantId, memberId) {
    if (typeof memberPublicB64 !== "string") throw new TypeError("the member's public key must be base64url text");
    var binding = S.aad(tenantId, "grant", memberId, "tenant_key");
    return S.b64e(await S.seal(S.b64d(memberPublicB64), tenantSeed, PURPOSE_GRANT, binding));
  }

  /* Inverse of Python's seal_profile: every field opened with the tenant key
   * and checked against its own binding (tenant, "client", clientKey, field),
   * so a blob moved to another field, client or tenant is refused. SealError
   * naming the first failing field (in the profile's order) on any failure. */
  async function openProfile(tenantKey, tenantId, clientKey, sealed) {
    checkKey(tenantKey, "tenantKey");
    if (!isObject(sealed)) throw new TypeError("sealed profile must be an object of base64url blobs");
    var fields = Object.keys(sealed);
    var bindings = fields.map(function (field) { return S.aad(tenantId, "client", clientKey, field); });
    var results = await Promise.allSettled(fields.map(function (field, i) {
      return (async function () {
        var plaintext = await openWithKey(tenantKey, S.b64d(sealed[field]), S.PURPOSE_FIELD, bindings[i]);
        try {
          return decoder.decode(plaintext);
        } finally {
          wipe(plaintext);
        }
      })();
    }));
    var profile = {};
    results.forEach(function (result, i) {
      if (result.status === "rejected") {
        var error = result.reason;
        if (!(error instanceof SealError || error instanceof RangeError || error instanceof TypeError)) throw error;
        // Field names are schema names, never data: safe in a message.
        throw new SealError("cannot open profile field '" + fields[i] + "'");
      }
      profile[fields[i]] = result.value;
    });
    return profile;
  }

  // --- the console's vault: keys in this closure only -------------------------------

  function checkState(vaultState) {
    if (!isObject(vaultState) || !isId(vaultState.tenant_id) || !isId(vaultState.staff_id)) {
      throw new TypeError("vaultState must be the body of GET /v1/vault");
    }
    return vaultState;
  }

  function freezeState(st) {
    return Object.freeze({
      tenant_id: st.tenant_id,
      staff_id: st.staff_id,
      public_key: typeof st.public_key === "string" ? st.public_key : null,
      key_version: isId(st.key_version) ? st.key_version : null
    });
  }

  /* A fresh X25519 key pair: 32 random bytes are a private key (X25519 clamps
   * them, in WebCrypto as in Python's ECC.generate). Returns the raw seed, to
   * be wrapped or sealed and then wiped, and the key as importSeed makes it. */
  async function newKeyPair() {
    var seed = randomBytes(KEY_LEN);
    try {
      return { seed: seed, key: await importSeed(seed) };
    } catch (error) {
      wipe(seed);
      throw error;
    }
  }

  /* One vault per signed-in console. Keys live in this closure (never on the
   * returned object, never serialised); lock() drops them, and anything still
   * running when lock() is called refuses to hand its result out.
   *
   * Held while unlocked: the member key and the tenant key, both as
   * non-extractable CryptoKeys, and the member's own grant -- the tenant key
   * sealed to the member key, i.e. ciphertext. Granting needs the tenant key's
   * raw bytes (a grant IS those bytes, HPKE-sealed to the new reader), and
   * WebCrypto cannot give them out of a non-extractable key (exportKey and
   * wrapKey both refuse). Rather than keep the raw tenant key (or an
   * extractable CryptoKey) for the whole session, grantFor opens the own grant
   * again with the member CryptoKey, seals the seed and wipes it: raw key bytes
   * exist only for the length of one call, never between calls.
   *
   * Changes go in two steps so that a failed request never leaves a wrong key
   * held: enrol, setupBody and rotateBody return the request body and keep the
   * new key aside (pending); adopt(vaultState), given GET /v1/vault as the
   * service answers after the request, takes the pending key only if the
   * service now has it, and otherwise drops it. */
  function create() {
    var member = null, tenant = null, ownGrant = null, state = null, pending = null, epoch = 0;

    function lock() {
      epoch++;
      member = null;
      tenant = null;
      ownGrant = null;
      state = null;
      pending = null;
    }

    function current(mine) {
      if (mine !== epoch) throw new VaultLocked("the vault was locked");
    }

    /* vaultState: the body of GET /v1/vault. Unwraps the member key with the
     * passphrase and opens the grant, here. Resolves to canRead (false without
     * a grant: sealing still works). SealError on a wrong passphrase. */
    async function unlock(vaultState, passphrase, options) {
      var opts = checkOptions(options, ["minLogN", "onProgress"]);
      var st = checkState(vaultState);
      lock();
      var mine = epoch;
      var enrolled = st.member;
      if (!isObject(enrolled)) throw new VaultLocked("no member key enrolled");
      var m = await unwrapPrivateKey(enrolled.wrapped_private_key, passphrase,
        vaultContext(st.tenant_id, st.staff_id), opts);
      if (typeof enrolled.public_key === "string" && enrolled.public_key !== m.publicKey) {
        throw new SealError("the unwrapped key is not your enrolled public key");
      }
      var t = null;
      if (isObject(st.grant)) {
        t = await openGrant(m, st.grant.sealed_tenant_key, st.tenant_id, st.staff_id);
        // The service hands out the grant of the current key version only.
        if (typeof st.public_key === "string" && st.public_key !== t.publicKey) {
          throw new SealError("the grant does not match the business's current public key");
        }
      }
      if (mine !== epoch) throw new VaultLocked("the vault was locked while unlocking");
      member = m;
      tenant = t;
      ownGrant = t === null ? null : st.grant.sealed_tenant_key;
      state = freezeState(st);
      return tenant !== null;
    }

    /* Python's Vault.enrol, the browser's half: a new member key pair, made
     * here; the private key wrapped under the passphrase (scrypt at
     * options.logN, default 17; 16 is the floor the service accepts). Resolves
     * to the body of PUT /v1/vault/member; the key is held pending until
     * adopt() sees the service store it (then the vault is unlocked with it).
     * The passphrase is used for scrypt here and goes nowhere else. */
    async function enrol(vaultState, passphrase, options) {
      var opts = checkOptions(options, ["logN", "onProgress"]);
      var st = checkState(vaultState);
      var logN = opts.logN === undefined ? DEFAULT_LOG_N : opts.logN;
      var mine = epoch;
      pending = null;
      var pair = await newKeyPair();
      var wrapped;
      try {
        wrapped = await wrapSeed(pair.seed, passphrase, vaultContext(st.tenant_id, st.staff_id), logN, opts.onProgress);
      } finally {
        wipe(pair.seed);
      }
      current(mine);
      pending = { kind: "member", tenant_id: st.tenant_id, staff_id: st.staff_id, member: pair.key };
      return { public_key: pair.key.publicKey, wrapped_private_key: wrapped };
    }

    /* Python's Vault.setup (owner, once, after enrol or unlock): a new tenant
     * key pair, made here. Resolves to the body of POST /v1/vault/setup
     * ({public_key, owner_grant}: the tenant key sealed to your own member
     * key); the tenant key is held pending until adopt() sees it set up. */
    async function setupBody() {
      if (member === null) throw new VaultLocked("enrol (or unlock) your member key first");
      var mine = epoch, me = member, st = state;
      pending = null;
      var pair = await newKeyPair();
      var grant;
      try {
        grant = await sealGrant(me.publicKey, pair.seed, st.tenant_id, st.staff_id);
      } finally {
        wipe(pair.seed);
      }
      current(mine);
      pending = { kind: "tenant", tenant_id: st.tenant_id, staff_id: st.staff_id, member: me,
        tenant: pair.key, grant: grant, key_version: null };
      return { public_key: pair.key.publicKey, owner_grant: grant };
    }

    /* Python's Vault.grant: member is a row of GET /v1/vault/members (an
     * enrolled one: public_key set). Resolves to the body of
     * PUT /v1/vault/grants/{member.staff_id}. Needs the read grant. */
    async function grantFor(row) {
      if (tenant === null || ownGrant === null) throw new VaultLocked("unlock the vault first");
      if (!isObject(row) || !isId(row.staff_id)) throw new TypeError("member must be a row of GET /v1/vault/members");
      if (typeof row.public_key !== "string" || !row.public_key) {
        throw new RangeError("that member has not enrolled a key yet");
      }
      var mine = epoch, st = state;
      var seed = await openGrantSeed(member, ownGrant, st.tenant_id, st.staff_id);
      try {
        var sealed = await sealGrant(row.public_key, seed, st.tenant_id, row.staff_id);
      } finally {
        wipe(seed);
      }
      current(mine);
      return { key_version: st.key_version, sealed_tenant_key: sealed };
    }

    /* Python's Vault.rotate, the browser's half (owner, unlocked with the read
     * grant). clients: every client row (GET /v1/clients, all pages); members:
     * GET /v1/vault/members. A new tenant key pair is made here; every sealed
     * profile is opened and re-sealed to it under a new client key; the new key
     * is sealed to you and to every member who has access now and has a key.
     * Resolves to the body of POST /v1/vault/rotate; the new key is held
     * pending until adopt() sees the rotation. options.onProgress(done, total):
     * clients re-sealed so far. A profile that does not open stops it all
     * (SealError naming the client id): the service would refuse a partial set. */
    async function rotateBody(clients, members, options) {
      var opts = checkOptions(options, ["onProgress"]);
      if (tenant === null || member === null) throw new VaultLocked("unlock the vault first");
      if (!Array.isArray(clients)) throw new TypeError("clients must be the rows of GET /v1/clients");
      if (!Array.isArray(members)) throw new TypeError("members must be the rows of GET /v1/vault/members");
      if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") {
        throw new TypeError("onProgress must be a function");
      }
      var st = state;
      if (st.key_version === null) throw new VaultLocked("the vault is not set up (no business key yet)");
      var mine = epoch, me = member, old = tenant;
      pending = null;
      var sealedRows = clients.filter(function (row) {
        if (!isObject(row) || !isId(row.id)) throw new TypeError("clients must be the rows of GET /v1/clients");
        return isObject(row.sealed_profile) && Object.keys(row.sealed_profile).length > 0;
      });
      var pair = await newKeyPair();
      try {
        var profiles = [];
        var total = sealedRows.length;
        if (opts.onProgress) opts.onProgress(0, total);
        for (var i = 0; i < total; i += 8) { // a few at a time: steady progress, bounded memory
          var batch = await Promise.all(sealedRows.slice(i, i + 8).map(async function (row) {
            if (!row.client_key) throw new VaultLocked("client " + row.id + " has a sealed profile but no client key");
            var plain;
            try {
              plain = await openProfile(old, st.tenant_id, row.client_key, row.sealed_profile);
            } catch (error) {
              if (error instanceof SealError) throw new SealError("cannot open client " + row.id + ": " + error.message);
              throw error;
            }
            var clientKey = S.newClientKey();
            var sealed = await S.sealProfile(pair.key.publicKey, st.tenant_id, clientKey, plain);
            return { client_id: row.id, client_key: clientKey, sealed_profile: sealed };
          }));
          current(mine);
          profiles.push.apply(profiles, batch);
          if (opts.onProgress) opts.onProgress(profiles.length, total);
        }
        var own = await sealGrant(me.publicKey, pair.seed, st.tenant_id, st.staff_id);
        var grants = [{ staff_id: st.staff_id, sealed_tenant_key: own }];
        for (var j = 0; j < members.length; j++) {
          var m = members[j];
          if (!isObject(m) || !isId(m.staff_id)) throw new TypeError("members must be the rows of GET /v1/vault/members");
          if (m.granted === true && m.staff_id !== st.staff_id && typeof m.public_key === "string" && m.public_key) {
            grants.push({ staff_id: m.staff_id, sealed_tenant_key: await sealGrant(m.public_key, pair.seed, st.tenant_id, m.staff_id) });
          }
        }
      } finally {
        wipe(pair.seed);
      }
      current(mine);
      var version = st.key_version + 1;
      pending = { kind: "tenant", tenant_id: st.tenant_id, staff_id: st.staff_id, member: me,
        tenant: pair.key, grant: own, key_version: version };
      return { key_version: version, public_key: pair.key.publicKey, grants: grants, profiles: profiles };
    }

    /* After a change (or to look again), with GET /v1/vault as the service
     * answers now: brings the keys held here in line with it, without the
     * passphrase.
     *   - a pending key from enrol/setupBody/rotateBody is taken if the service
     *     now has it (same public key, and for a rotation the new version), and
     *     dropped otherwise (the request failed: the old keys stay);
     *   - a member key the service no longer has locks the vault; a tenant key
     *     that is no longer current, or whose grant is gone, is dropped;
     *   - a grant that arrived since unlocking is opened with the member key.
     * Resolves to true if a pending key was taken. */
    async function adopt(vaultState) {
      var st = checkState(vaultState);
      var p = pending, mine = epoch;
      pending = null;
      var ids = p || state;
      if (ids && (ids.tenant_id !== st.tenant_id || ids.staff_id !== st.staff_id)) {
        throw new TypeError("vaultState belongs to another member");
      }
      var m = member, t = tenant, g = ownGrant, taken = false;
      var enrolled = isObject(st.member) && typeof st.member.public_key === "string" ? st.member.public_key : null;
      if (p && p.kind === "member" && enrolled === p.member.publicKey) {
        m = p.member;
        t = null;
        g = null;
        taken = true;
      }
      if (m !== null && enrolled !== m.publicKey) m = null;
      if (m === null) {
        t = null;
        g = null;
      }
      if (p && p.kind === "tenant" && m === p.member && st.public_key === p.tenant.publicKey && isId(st.key_version) &&
          (p.key_version === null || p.key_version === st.key_version)) {
        t = p.tenant;
        g = p.grant;
        taken = true;
      }
      if (t !== null && (st.public_key !== t.publicKey || !isObject(st.grant))) {
        t = null;
        g = null;
      }
      if (t === null && m !== null && isObject(st.grant) && typeof st.public_key === "string") {
        try {
          var opened = await openGrant(m, st.grant.sealed_tenant_key, st.tenant_id, st.staff_id);
          if (opened.publicKey === st.public_key) {
            t = opened;
            g = st.grant.sealed_tenant_key;
          }
        } catch (error) {
          if (!(error instanceof SealError)) throw error;
          // A grant that does not open reads as no access; unlock() would say why.
        }
      }
      current(mine);
      member = m;
      tenant = m === null ? null : t;
      ownGrant = tenant === null ? null : g;
      state = m === null ? null : freezeState(st);
      return taken;
    }

    /* A client row as /v1/clients returns it (also the "client" of an export,
     * or inside an appointment): its profile, opened here. */
    async function openClient(row) {
      if (tenant === null) throw new VaultLocked("no read grant: unlock the vault, or ask the owner for access");
      if (!isObject(row)) throw new TypeError("row must be a client object from the API");
      var sealed = row.sealed_profile;
      if (!isObject(sealed) || !Object.keys(sealed).length || !row.client_key) {
        throw new VaultLocked("this client has no sealed profile to open (erased or redacted)");
      }
      var mine = epoch;
      var profile = await openProfile(tenant, state.tenant_id, row.client_key, sealed);
      if (mine !== epoch) throw new VaultLocked("the vault was locked");
      return profile;
    }

    /* A {client_key, sealed_profile, key_version} body for /v1/clients, sealed
     * to the business's public key (no private key needed). options.clientKey
     * keeps a row's own client key; by default a fresh one, as the SDK does. */
    async function sealProfile(profile, options) {
      var opts = checkOptions(options, ["clientKey"]);
      if (state === null) throw new VaultLocked("unlock the vault first");
      if (state.public_key === null || state.key_version === null) {
        throw new VaultLocked("the vault is not set up (no business key yet)");
      }
      var clientKey = opts.clientKey === undefined ? S.newClientKey() : opts.clientKey;
      var sealed = await S.sealProfile(state.public_key, state.tenant_id, clientKey, profile);
      return { client_key: clientKey, sealed_profile: sealed, key_version: state.key_version };
    }

    return Object.freeze({
      unlock: unlock,
      lock: lock,
      openClient: openClient,
      sealProfile: sealProfile,
      enrol: enrol,
      setupBody: setupBody,
      grantFor: grantFor,
      rotateBody: rotateBody,
      adopt: adopt,
      get unlocked() { return member !== null; },
      get canRead() { return tenant !== null; },
      get state() { return state; }
    });
  }

  globalThis.HushbookVault = Object.freeze({
    VAULT_FORMAT: VAULT_FORMAT,
    DEFAULT_LOG_N: DEFAULT_LOG_N,
    MIN_LOG_N: MIN_LOG_N,
    MAX_LOG_N: MAX_LOG_N,
    PURPOSE_GRANT: PURPOSE_GRANT,
    SealError: SealError,
    VaultLocked: VaultLocked,
    vaultContext: vaultContext,
    unwrapPrivateKey: unwrapPrivateKey,
    openGrant: openGrant,
    openProfile: openProfile,
    create: create
  });
})();
