/* Built by plugins/widget/build.py from plugins/widget/src/sealing.js + widget.js; do not edit. */
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

/* Hushbook booking widget: one framework-free flow for every host (the service's
 * /book/{slug} page, the WordPress plugin, the Shopify block).
 *
 * Mount: <div class="hushbook-widget" data-hushbook-config='{...}'></div>
 *   endpoints  {catalog, challenge, offers, bookings, confirm}: opaque URLs (the
 *              service's /v1/public/... routes, or a host's proxy of them)
 *   headers    extra request headers (e.g. a WordPress nonce)
 *   assets     base URL of this folder (worker script, i18n/<lang>.json)
 *   lang       "de" | "en" | "auto";  service, staff: preselected ids
 *   theme      "light" | "dark" | "auto";  accent: "#rrggbb"
 *
 * What it never does: show a calendar, hold a secret, or send the profile in
 * plain text -- the profile is sealed here to the salon's public key
 * (HushbookSealing, prepended to this file by the build) and the proof-of-work
 * is solved in a Web Worker. The DOM is built with textContent only.
 */
(function () {
  "use strict";

  var PARTS = ["morning", "afternoon", "evening"];
  var LANG_CODE = /^[a-z]{2,3}$/;
  var widgetCount = 0;

  /** Files a host's copy carries inside the bundle (name relative to `assets` ->
   * text): the Shopify extension's, whose CDN is another origin that may send no
   * CORS headers. Other hosts load them from `assets`. */
  function bundled(name) {
    var files = globalThis.HushbookWidgetFiles;
    return files && Object.prototype.hasOwnProperty.call(files, name) ? files[name] : null;
  }

  // --- small helpers ---------------------------------------------------------

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      [].concat(child).forEach(function (c) {
        if (c === null || c === undefined || c === false) return;
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    }
    return node;
  }

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function isoDay(date) { return date.toISOString().slice(0, 10); }

  function addDays(day, n) {
    var d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return isoDay(d);
  }

  function todayIn(timeZone) {
    // en-CA formats as YYYY-MM-DD: "today" for the salon, not for the visitor's clock zone.
    return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  }

  function ApiError(status, body, retryAfter) {
    this.status = status;
    this.body = body || {};
    this.reason = this.body.reason || null;
    this.retryAfter = retryAfter;
  }

  function Widget(root, config) {
    this.root = root;
    this.config = config;
    this.id = "hb" + (++widgetCount);
    this.session = null;
    this.proofJob = null;
    this.worker = null;
    this.wish = { days: "next7", weekdays: [], parts: [] };
    this.screens = 0;
  }

  // --- setting up --------------------------------------------------------------

  Widget.prototype.start = async function () {
    var cfg = this.config;
    this.root.classList.add("hb-theme-" + (["light", "dark"].indexOf(cfg.theme) >= 0 ? cfg.theme : "auto"));
    if (typeof cfg.accent === "string" && /^#[0-9a-fA-F]{6}$/.test(cfg.accent)) {
      this.root.style.setProperty("--hb-accent", cfg.accent);
      this.root.style.setProperty("--hb-on-accent", onColour(cfg.accent));
    }
    this.t = await this.loadTexts();
    this.root.setAttribute("lang", this.lang);
    this.card = el("section", { "class": "hb-card", "aria-label": this.t.title });
    this.screen = el("div", { "class": "hb-screen" });
    this.progress = el("div", { "class": "hb-progress", hidden: true },
      el("p", { "class": "hb-progress-label", text: this.t.securing }),
      this.bar = el("div", { role: "progressbar", "aria-label": this.t.security_check, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0, "class": "hb-bar" },
        this.barFill = el("span", { "class": "hb-bar-fill" })));
    this.status = el("div", { role: "status", "class": "hb-status" });
    this.alert = el("div", { role: "alert", "class": "hb-alert" });
    this.card.append(this.screen, this.progress, this.status, this.alert);
    this.root.replaceChildren(this.card);
    this.say(this.t.loading);
    if (!(globalThis.crypto && crypto.subtle && globalThis.HushbookSealing && globalThis.Worker)) {
      return this.fail(this.t.err_browser);
    }
    try {
      this.catalog = await this.call("catalog");
    } catch (error) {
      return this.fail(this.describe(error));
    }
    if (!this.catalog.services.length || !this.catalog.public_key || !this.catalog.privacy_notices.length) {
      return this.fail(this.t.unavailable_now); // nothing bookable, or the salon has no key yet
    }
    this.say("");
    this.startOnFirstTouch();
    this.showWish();
  };

  /** The visitor's session (and the first proof) begins with their first touch of the
   * widget, not when the page loads: the service counts a booking's fill time from the
   * session's start (too_fast), so a browser's autofill on the last screen never
   * looks like a bot, while a script that books at once still does. */
  Widget.prototype.startOnFirstTouch = function () {
    var self = this, events = ["pointerdown", "keydown", "focusin"];
    var start = function () {
      events.forEach(function (name) { self.root.removeEventListener(name, start, true); });
      self.prepareProof();
    };
    events.forEach(function (name) { self.root.addEventListener(name, start, true); });
    // A host that cannot forward at all (e.g. a refused key) is said at once, before
    // the visitor starts: a challenge asked only to see that it is answered (its
    // session is not kept, so the visitor's own starts with their first touch).
    this.call("challenge", {}).catch(function (error) {
      if (error.reason === "not_configured") self.fail(self.describe(error));
    });
  };

  Widget.prototype.loadTexts = async function () {
    var wanted = this.config.lang;
    if (!LANG_CODE.test(wanted || "")) {
      wanted = (document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
    }
    var tries = LANG_CODE.test(wanted) && wanted !== "en" ? [wanted, "en"] : ["en"];
    for (var i = 0; i < tries.length; i++) {
      var inline = bundled("i18n/" + tries[i] + ".json");
      if (inline !== null) { this.lang = tries[i]; return JSON.parse(inline); }
      try {
        var res = await fetch(this.config.assets + "i18n/" + tries[i] + ".json");
        if (res.ok) { this.lang = tries[i]; return await res.json(); }
      } catch (ignored) { /* next language */ }
    }
    throw new Error("hushbook: no texts found under " + this.config.assets);
  };

  // --- talking to the service (directly or through a host's proxy) -------------

  Widget.prototype.call = async function (name, body) {
    var headers = Object.assign({ Accept: "application/json", "Accept-Language": this.lang }, this.config.headers || {});
    var init = { method: body === undefined ? "GET" : "POST", headers: headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var res;
    try {
      res = await fetch(this.config.endpoints[name], init);
    } catch (offline) {
      throw new ApiError(0, { reason: "network" });
    }
    var data = null;
    try { data = await res.json(); } catch (notJson) { data = null; }
    if (!res.ok) throw new ApiError(res.status, data, parseInt(res.headers.get("Retry-After"), 10) || null);
    return data;
  };

  // --- proof-of-work: one solved puzzle per ask, prepared while the visitor reads -

  Widget.prototype.prepareProof = function () {
    if (this.proofJob) return;
    var self = this, job = this.proofJob = { promise: this.makeProof(), done: false };
    job.promise.then(function () { job.done = true; }, function (error) {
      job.done = true;
      // A host that cannot forward at all (e.g. a refused key) is said at once, not
      // after the visitor has filled in the form; anything else when the proof is taken.
      if (error.reason === "not_configured") self.fail(self.describe(error));
    });
  };

  Widget.prototype.makeProof = async function () {
    var challenge;
    try {
      challenge = await this.call("challenge", this.session ? { session: this.session } : {});
    } catch (error) {
      if (badField(error) !== "session") throw error;
      challenge = await this.call("challenge", {}); // the old session expired: a new one
    }
    this.session = challenge.session;
    if (!challenge.required) return { pow: null, expires: Infinity };
    var solved = await this.solve(challenge.challenge_id, challenge.bits);
    this.root.dispatchEvent(new CustomEvent("hushbook:pow", { bubbles: true, detail: { bits: challenge.bits, ms: solved.ms, hashes: solved.hashes } }));
    return { pow: { challenge: challenge.challenge, nonce: solved.nonce }, expires: Date.parse(challenge.expires_at) - 20000 };
  };

  /** The proof for the ask at hand: the prepared one if still fresh, else a new one. */
  Widget.prototype.takeProof = async function () {
    for (var attempt = 0; attempt < 2; attempt++) {
      this.prepareProof();
      var job = this.proofJob;
      if (!job.done) this.showProgress(true);
      try {
        var proof = await job.promise;
        if (proof.expires > Date.now()) return proof.pow;
      } finally {
        this.proofJob = null;
        this.showProgress(false);
      }
    }
    throw new ApiError(0, { reason: "expired" });
  };

  /** The solver runs in a Web Worker; a worker script on another origin (a CDN) is
   * not allowed directly, so it is then loaded as a same-origin blob. */
  Widget.prototype.getWorker = async function () {
    if (this.worker) return this.worker;
    var inline = bundled("hushbook-pow-worker.js");
    if (inline !== null) {
      this.worker = new Worker(URL.createObjectURL(new Blob([inline], { type: "text/javascript" })));
      return this.worker;
    }
    var url = this.config.assets + "hushbook-pow-worker.js";
    try {
      this.worker = new Worker(url);
    } catch (crossOrigin) {
      var source = await (await fetch(url)).blob();
      this.worker = new Worker(URL.createObjectURL(source));
    }
    return this.worker;
  };

  Widget.prototype.solve = async function (challengeId, bits) {
    var self = this, worker = await this.getWorker(), expected = Math.pow(2, bits);
    return new Promise(function (resolve, reject) {
      worker.onmessage = function (event) {
        var msg = event.data || {};
        if (msg.progress) {
          // chance that a solver would have finished by now: honest, monotonic, never 100
          var share = Math.round(99 * (1 - Math.exp(-msg.progress / expected)));
          self.bar.setAttribute("aria-valuenow", share);
          self.barFill.style.width = share + "%";
        } else if (msg.nonce !== undefined) {
          resolve(msg);
        } else {
          reject(new ApiError(0, { reason: "browser" }));
        }
      };
      worker.onerror = function () { reject(new ApiError(0, { reason: "browser" })); };
      worker.postMessage({ challengeId: challengeId, bits: bits });
    });
  };

  Widget.prototype.showProgress = function (on) {
    this.progress.hidden = !on;
    this.bar.setAttribute("aria-valuenow", 0);
    this.barFill.style.width = "0%";
    if (on) this.say(this.t.securing);
  };

  // --- screens -------------------------------------------------------------------

  Widget.prototype.show = function (name, heading, content) {
    var h = el("h2", { "class": "hb-heading", tabindex: "-1", text: heading });
    this.screen.replaceChildren(h, content);
    this.root.setAttribute("data-hb-screen", name);
    this.screens += 1;
    this.alert.textContent = "";
    this.say(""); // news of the previous screen is stale now
    // Keyboard and screen-reader users continue from the new screen's title; the
    // first screen does not grab focus (it would scroll the host page to the widget).
    if (this.screens > 1) h.focus();
  };

  Widget.prototype.say = function (text) { this.status.textContent = text; };

  Widget.prototype.fail = function (text) {
    this.say("");
    this.alert.textContent = text;
  };

  Widget.prototype.field = function (name, label, input, hint) {
    var id = this.id + "-" + name;
    input.id = id;
    var errorId = id + "-error";
    var described = [hint ? id + "-hint" : null, errorId].filter(Boolean).join(" ");
    input.setAttribute("aria-describedby", described);
    return el("div", { "class": "hb-field" },
      el("label", { "for": id, text: label }),
      hint ? el("p", { "class": "hb-hint", id: id + "-hint", text: hint }) : null,
      input,
      el("p", { "class": "hb-error", id: errorId }));
  };

  Widget.prototype.choice = function (type, name, value, label, checked, extra) {
    var id = this.id + "-" + name + "-" + value;
    return el("div", { "class": "hb-choice" },
      el("input", { type: type, id: id, name: this.id + "-" + name, value: value, checked: !!checked }),
      el("label", { "for": id }, label, extra ? el("span", { "class": "hb-meta", text: extra }) : null));
  };

  Widget.prototype.group = function (legend, children, extraClass) {
    var fs = el("fieldset", { "class": "hb-group " + (extraClass || "") }, el("legend", { text: legend }));
    children.forEach(function (c) { fs.appendChild(c); });
    return fs;
  };

  Widget.prototype.money = function (cents) {
    if (typeof cents !== "number") return "";
    // The salon's currency (ISO 4217, from the catalog); prices are hundredths of it.
    var currency = /^[A-Z]{3}$/.test(this.catalog.currency || "") ? this.catalog.currency : "EUR";
    return new Intl.NumberFormat(this.t.locale, { style: "currency", currency: currency }).format(cents / 100);
  };

  // Screen 1: service, team member, days, weekdays, time of day.
  Widget.prototype.showWish = function () {
    var self = this, t = this.t, cat = this.catalog, wish = this.wish;
    if (wish.service === undefined) {
      var preset = cat.services.filter(function (s) { return s.id === Number(self.config.service); })[0];
      wish.service = preset ? preset.id : cat.services.length === 1 ? cat.services[0].id : null;
      if (self.config.staff) wish.staff = Number(self.config.staff);
    }
    var services = this.group(t.service, cat.services.map(function (s) {
      var meta = [fmt(t.minutes, { n: s.duration_min }), self.money(s.price_cents)].filter(Boolean).join(" · ");
      var item = self.choice("radio", "service", s.id, s.name, s.id === wish.service, meta);
      if (s.description) { // the salon's words about it: described by, not part of the name
        var input = item.querySelector("input"), id = input.id + "-desc";
        input.setAttribute("aria-describedby", id);
        item.appendChild(el("p", { "class": "hb-desc", id: id, text: s.description }));
      }
      return item;
    }));
    var staffBox = el("div");
    var fillStaff = function () {
      staffBox.replaceChildren();
      staffBox.hidden = !cat.staff || !cat.staff.length;
      if (staffBox.hidden) return;
      var service = cat.services.filter(function (s) { return s.id === wish.service; })[0];
      var team = cat.staff.filter(function (m) { return !service || !service.staff_ids || service.staff_ids.indexOf(m.id) >= 0; });
      var select = el("select", { name: "staff" }, el("option", { value: "", text: t.no_preference }));
      team.forEach(function (m) { select.appendChild(el("option", { value: m.id, text: m.name, selected: m.id === wish.staff })); });
      select.addEventListener("change", function () { wish.staff = select.value ? Number(select.value) : null; });
      if (!team.some(function (m) { return m.id === wish.staff; })) wish.staff = null;
      staffBox.appendChild(self.field("staff", t.staff, select));
    };
    services.addEventListener("change", function (e) { wish.service = Number(e.target.value); fillStaff(); });
    fillStaff();

    var from = el("input", { type: "date", value: wish.from || todayIn(cat.timezone) });
    var to = el("input", { type: "date", value: wish.to || addDays(todayIn(cat.timezone), 6) });
    var dates = el("div", { "class": "hb-dates", hidden: wish.days !== "choose" },
      this.field("from", t.date_from, from), this.field("to", t.date_to, to));
    var days = this.group(t.days, [
      this.choice("radio", "days", "next7", t.next_7, wish.days === "next7"),
      this.choice("radio", "days", "after", t.week_after, wish.days === "after"),
      this.choice("radio", "days", "choose", t.choose_dates, wish.days === "choose"),
      dates
    ]);
    days.addEventListener("change", function (e) {
      if (e.target.type !== "radio") return;
      wish.days = e.target.value;
      dates.hidden = wish.days !== "choose";
    });
    var weekdays = this.group(t.weekdays, t.weekday_names.map(function (name, i) {
      return self.choice("checkbox", "weekday", i, name, wish.weekdays.indexOf(i) >= 0);
    }), "hb-inline");
    var parts = this.group(t.parts, PARTS.map(function (p) {
      return self.choice("checkbox", "part", p, t[p], wish.parts.indexOf(p) >= 0);
    }), "hb-inline");

    var form = el("form", { "class": "hb-form", novalidate: true },
      services, staffBox, days, weekdays, parts,
      el("div", { "class": "hb-actions" }, el("button", { type: "submit", "class": "hb-button", text: t.show_times })));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      wish.weekdays = checked(weekdays).map(Number);
      wish.parts = checked(parts);
      wish.from = from.value;
      wish.to = to.value;
      if (!wish.service) return self.fail(t.err_service);
      var range = self.range();
      if (!range) return self.fail(fmt(t.err_dates, { n: cat.max_window_days }));
      self.askOffers(range);
    });
    this.show("wish", t.wish_heading, form);
  };

  function checked(container) {
    return Array.prototype.filter.call(container.querySelectorAll("input"), function (i) { return i.checked; })
      .map(function (i) { return i.value; });
  }

  Widget.prototype.range = function () {
    var today = todayIn(this.catalog.timezone), w = this.wish;
    if (w.days === "next7") return [today, addDays(today, 6)];
    if (w.days === "after") return [addDays(today, 7), addDays(today, 13)];
    var span = (Date.parse(w.to) - Date.parse(w.from)) / 864e5;
    if (!(span >= 0 && span < this.catalog.max_window_days) || w.to < today) return null;
    return [w.from < today ? today : w.from, w.to];
  };

  Widget.prototype.askOffers = async function (range, note) {
    var w = this.wish, body = { service_id: w.service, date_from: range[0], date_to: range[1] };
    if (w.weekdays.length) body.weekdays = w.weekdays;
    if (w.parts.length) body.parts = w.parts;
    if (w.staff) body.staff_id = w.staff;
    var busy = this.busy(true);
    try {
      for (var attempt = 0; ; attempt++) {
        body.pow = await this.takeProof();
        if (!body.pow) delete body.pow;
        body.session = this.session;
        try {
          var answer = await this.call("offers", body);
          break;
        } catch (error) {
          var field = badField(error);
          if (attempt >= 1 || (field !== "session" && field !== "pow")) throw error;
          if (field === "session") this.session = null; // a session lasts 12 hours: start afresh
        }
      }
      this.showOffers(answer.offers, note);
    } catch (error) {
      this.fail(this.describe(error));
    } finally {
      busy();
    }
  };

  // Screen 2: at most k offers, never a calendar.
  /** Back from the details: the same offers while they are valid (no new ask). */
  Widget.prototype.backToOffers = function () {
    var soon = Date.now() + 60000, offers = this.offers || [];
    var fresh = offers.every(function (o) { return Date.parse(o.expires_at) > soon; });
    if (offers.length && fresh) this.showOffers(offers);
    else this.askOffers(this.range());
  };

  Widget.prototype.showOffers = function (offers, note) {
    var self = this, t = this.t;
    this.offers = offers;
    var list = el("ul", { "class": "hb-offers" });
    offers.forEach(function (offer) {
      list.appendChild(el("li", null, el("button", {
        type: "button", "class": "hb-offer", text: self.when(offer) + (offer.staff ? " " + fmt(t["with"], { name: offer.staff.name }) : ""),
        onclick: function () { self.showDetails(offer); }
      })));
    });
    var inexact = offers.length && offers.some(function (o) { return !o.fits_wish; });
    var lead = !offers.length ? t.no_offers : inexact ? t.no_exact_fit : fmt(t.offers_found, { n: offers.length });
    this.show("offers", t.offers_heading, el("div", null,
      el("p", { "class": "hb-lead", text: lead }),
      list,
      el("div", { "class": "hb-actions" },
        el("button", { type: "button", "class": "hb-button hb-secondary", text: t.change_wish, onclick: function () { self.showWish(); } }))));
    // Not repeated in the status region: focus is on the heading, and the lead is
    // the next thing a screen reader reads.
    if (note) this.alert.textContent = note;
    this.prepareProof(); // the booking will need one: solve it while the visitor chooses
  };

  Widget.prototype.when = function (offer) {
    var tz = this.catalog.timezone, locale = this.t.locale;
    var day = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone: tz }).format(new Date(offer.start));
    var time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz });
    return day + ", " + time.format(new Date(offer.start)) + "–" + time.format(new Date(offer.end));
  };

  Widget.prototype.notice = function () {
    var notices = this.catalog.privacy_notices, lang = this.lang, fallback = this.catalog.locale;
    return notices.filter(function (n) { return n.locale === lang; })[0]
      || notices.filter(function (n) { return n.locale === fallback; })[0] || notices[0];
  };

  // Screen 3: name, one contact, consent; sealed here, then booked.
  Widget.prototype.showDetails = function (offer) {
    var self = this, t = this.t, cat = this.catalog, collected = cat.profile_fields || [];
    var service = cat.services.filter(function (s) { return s.id === self.wish.service; })[0];
    var both = collected.indexOf("phone") >= 0;
    var inputs = {
      name: el("input", { type: "text", name: "name", autocomplete: "name", required: true, maxlength: 200 }),
      email: el("input", { type: "email", name: "email", autocomplete: "email", inputmode: "email", maxlength: 254 })
    };
    var rows = [this.field("name", t.name, inputs.name), this.field("email", t.email, inputs.email, both ? t.one_contact : null)];
    var channel = null;
    if (both) {
      inputs.phone = el("input", { type: "tel", name: "phone", autocomplete: "tel", inputmode: "tel", maxlength: 40 });
      rows.push(this.field("phone", t.phone, inputs.phone));
      // With both given, messages go one way only (the other if that one fails).
      channel = this.group(t.channel, [
        this.choice("radio", "channel", "email", t.channel_email, true),
        this.choice("radio", "channel", "sms", t.channel_sms, false)]);
      rows.push(channel);
    }
    if (collected.indexOf("birthday") >= 0) {
      inputs.birthday = el("input", { type: "date", name: "birthday", autocomplete: "bday" });
      rows.push(this.field("birthday", t.birthday, inputs.birthday));
    }
    if (collected.indexOf("notes") >= 0) {
      inputs.notes = el("textarea", { name: "notes", rows: 3, maxlength: 2000 });
      rows.push(this.field("notes", t.notes, inputs.notes));
    }
    // Honeypot: invisible and unreachable for people; a bot that fills it gets a fake success.
    var trap = el("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off", id: this.id + "-website" });
    var notice = this.notice();
    var consent = this.choice("checkbox", "consent", "booking", fmt(t.consent, { business: cat.name }));
    var reminders = this.choice("checkbox", "reminders", "reminders", t.reminders);
    var form = el("form", { "class": "hb-form", novalidate: true },
      el("p", { "class": "hb-summary", text: [service ? service.name : "", this.when(offer) + (offer.staff ? " " + fmt(t["with"], { name: offer.staff.name }) : "")].filter(Boolean).join(" · ") }),
      el("div", { "class": "hb-fields" }, rows),
      el("div", { "class": "hb-trap", "aria-hidden": "true" }, el("label", { "for": this.id + "-website", text: "Website" }), trap),
      el("details", { "class": "hb-notice" }, el("summary", { text: t.privacy_notice }), el("div", { "class": "hb-notice-text", text: notice.text })),
      consent, reminders,
      el("p", { "class": "hb-hint", text: fmt(t.sealed_note, { business: cat.name }) }),
      el("div", { "class": "hb-actions" },
        el("button", { type: "submit", "class": "hb-button", text: t.book_now }),
        el("button", { type: "button", "class": "hb-button hb-secondary", text: t.back, onclick: function () { self.backToOffers(); } })));
    var consentBox = consent.querySelector("input"), remindersBox = reminders.querySelector("input");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var values = {};
      Object.keys(inputs).forEach(function (k) { values[k] = inputs[k].value.trim(); });
      var problems = self.check(values, inputs, consentBox);
      if (problems.length) {
        self.fail(problems[0][1]);
        problems[0][0].focus();
        return;
      }
      var purposes = ["booking"].concat(remindersBox.checked ? ["reminders"] : []);
      var chosen = channel ? channel.querySelector("input:checked").value : null;
      self.book(offer, values, { notice_version: notice.version, locale: notice.locale, purposes: purposes }, trap.value, chosen);
    });
    this.show("details", t.details_heading, form);
    this.prepareProof();
  };

  /** Field checks before anything leaves the browser; [[input, message], ...]. */
  Widget.prototype.check = function (values, inputs, consentBox) {
    var t = this.t, problems = [];
    var mark = function (input, message) {
      input.setAttribute("aria-invalid", message ? "true" : "false");
      document.getElementById(input.id + "-error").textContent = message || "";
      if (message) problems.push([input, message]);
    };
    mark(inputs.name, values.name ? "" : t.err_required);
    var email = values.email, phone = values.phone || "";
    mark(inputs.email, email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? t.err_email
      : !email && !phone ? (inputs.phone ? t.err_contact : t.err_required) : "");
    if (inputs.phone) mark(inputs.phone, phone && !/^\+?[0-9 ()./-]{6,30}$/.test(phone) ? t.err_phone : "");
    consentBox.setAttribute("aria-invalid", consentBox.checked ? "false" : "true");
    if (!consentBox.checked) problems.push([consentBox, t.err_consent]);
    return problems;
  };

  Widget.prototype.book = async function (offer, values, consent, trap, channel) {
    var cat = this.catalog, t = this.t;
    var contact = {};
    if (values.email) contact.email = values.email;
    if (values.phone) contact.phone = values.phone;
    var profile = {};
    Object.keys(values).forEach(function (k) {
      if (values[k] && (k === "name" || cat.profile_fields.indexOf(k) >= 0)) profile[k] = values[k];
    });
    var busy = this.busy(true, t.sending);
    try {
      for (var attempt = 0; ; attempt++) {
        var clientKey = HushbookSealing.newClientKey();
        var body = {
          offer: offer.token,
          client_key: clientKey,
          sealed_profile: await HushbookSealing.sealProfile(cat.public_key, cat.tenant_id, clientKey, profile),
          contact: contact,
          consent: consent,
          locale: this.lang, // messages and pages in the language of this widget
          website: trap
        };
        if (channel && contact.email && contact.phone) body.channel = channel;
        if (cat.key_version !== undefined && cat.key_version !== null) body.key_version = cat.key_version;
        var pow = await this.takeProof();
        if (pow) body.pow = pow;
        body.session = this.session;
        try {
          var answer = await this.call("bookings", body);
          return this.showCheck(answer, contact);
        } catch (error) {
          if (attempt >= 2) throw error;
          if (error.reason === "too_fast") { // faster than a person types: wait, then send again
            this.say(t.err_too_fast);
            await new Promise(function (r) { setTimeout(r, 1000 * (error.retryAfter || 4)); });
          } else if (error.reason === "stale_key_version") { // the salon rotated its key meanwhile
            this.catalog = cat = await this.call("catalog");
          } else if (badField(error) === "session" || badField(error) === "pow") {
            this.session = badField(error) === "session" ? null : this.session; // expired: start afresh
          } else {
            throw error;
          }
        }
      }
    } catch (error) {
      if (error.reason === "offer_spent" || error.reason === "slot_taken" || badField(error) === "offer") {
        busy();
        return this.askOffers(this.range(), error.reason ? t.err_taken : t.err_expired);
      }
      this.fail(this.describe(error));
    } finally {
      busy();
    }
  };

  // Screen 4: the booking is pending until the link or the code confirms it.
  Widget.prototype.showCheck = function (answer, contact) {
    var self = this, t = this.t;
    // In the salon's time zone, like the offers (not the visitor's own clock).
    var until = new Intl.DateTimeFormat(t.locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: this.catalog.timezone }).format(new Date(answer.confirm_by));
    var code = el("input", { type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, pattern: "[0-9]{6}" });
    var form = el("form", { "class": "hb-form", novalidate: true },
      el("p", { text: fmt(t.check_text, { contact: contact.email || contact.phone, until: until }) }),
      this.field("code", t.code, code),
      el("div", { "class": "hb-actions" }, el("button", { type: "submit", "class": "hb-button", text: t.confirm })));
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      var value = code.value.replace(/\s/g, "");
      if (!/^[0-9]{6}$/.test(value)) { code.setAttribute("aria-invalid", "true"); code.focus(); return self.fail(t.err_code); }
      var busy = self.busy(true);
      try {
        self.showConfirmed(await self.call("confirm", { booking: answer.booking, code: value }));
      } catch (error) {
        self.fail(error.status === 400 || error.status === 422 || error.status === 403 ? t.err_code_wrong : self.describe(error));
      } finally {
        busy();
      }
    });
    this.show("check", contact.email ? t.check_email : t.check_phone, form);
    this.say("");
  };

  Widget.prototype.showConfirmed = function (answer) {
    var t = this.t;
    var when = this.when(answer) + (answer.staff ? " " + fmt(t["with"], { name: answer.staff }) : "");
    this.show("confirmed", t.confirmed_heading,
      el("p", { text: fmt(t.confirmed_text, { service: answer.service, business: answer.business, when: when }) }));
  };

  // --- state while waiting, and errors in the visitor's words --------------------

  /** Disable the current screen's controls while a request runs; returns the undo. */
  Widget.prototype.busy = function (on, text) {
    var screen = this.screen, controls = screen.querySelectorAll("button, input, select, textarea");
    Array.prototype.forEach.call(controls, function (c) { c.disabled = true; });
    screen.setAttribute("aria-busy", "true");
    this.alert.textContent = "";
    if (text) this.say(text);
    var done = false;
    return function () {
      if (done) return;
      done = true;
      Array.prototype.forEach.call(controls, function (c) { c.disabled = false; });
      screen.removeAttribute("aria-busy");
    };
  };

  Widget.prototype.describe = function (error) {
    var t = this.t;
    if (!(error instanceof ApiError)) return t.err_generic;
    var reason = error.reason, body = error.body;
    if (reason === "browser") return t.err_browser;
    if (reason === "not_configured") return t.unavailable_now;
    // A host's own refusal (WordPress: {"code": "<string>", "message": ...}, e.g. an
    // expired nonce) comes in the site's language and says what to do: show it as text.
    if (typeof body.code === "string" && typeof body.message === "string" && body.message.length < 300) return body.message;
    if (reason === "network" || error.status === 502 || error.status === 503 || error.status === 504) return t.err_unavailable;
    if (reason === "too_many_pending") return t.err_pending;
    if (reason === "pending_day_full") return t.err_day_full;
    if (reason === "contact_blocked") return t.err_blocked;
    if (reason === "booking_expired") return t.err_booking_expired;
    if (reason === "offer_spent" || reason === "slot_taken") return t.err_taken;
    if (reason === "expired" || reason === "pow_spent") return t.err_expired;
    if (error.status === 429) {
      var s = error.retryAfter || 60;
      var wait = s < 90 ? fmt(t.wait_seconds, { n: s }) : fmt(t.wait_minutes, { n: Math.ceil(s / 60) });
      return fmt(t.err_rate, { wait: wait });
    }
    if (error.status === 401 || error.status === 410) return t.err_expired;
    if (error.status === 422 || error.status === 400) return t.err_invalid;
    if (error.status === 404) return t.unavailable_now;
    return t.err_generic;
  };

  /** The first field a 422 answer names (the service's error envelope), or null. */
  function badField(error) {
    var fields = error && error.status === 422 && error.body.errors && error.body.errors.json;
    return fields ? Object.keys(fields)[0] || null : null;
  }

  /** Black or white text on the salon's accent colour, whichever reads better (WCAG). */
  function onColour(hex) {
    var lum = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  function mountAll() {
    var roots = document.querySelectorAll("[data-hushbook-config]");
    Array.prototype.forEach.call(roots, function (root) {
      if (root.hushbookWidget) return;
      var config;
      try { config = JSON.parse(root.getAttribute("data-hushbook-config")); } catch (bad) { return; }
      root.hushbookWidget = new Widget(root, config);
      root.hushbookWidget.start().catch(function () {
        root.textContent = "Booking is not available right now. / Buchung ist gerade nicht möglich.";
      });
    });
  }

  globalThis.HushbookWidget = { mountAll: mountAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
