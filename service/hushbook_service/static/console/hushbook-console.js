/* Built by plugins/console/build.py from plugins/console/vendor/noble-hashes-2.4.0/scrypt.js + plugins/widget/src/sealing.js + plugins/console/src/vault.js + plugins/console/src/console.js + plugins/console/src/screens/10-day.js + plugins/console/src/screens/12-book.js + plugins/console/src/screens/15-clients.js + plugins/console/src/screens/30-keys.js + plugins/console/src/screens/40-setup.js + plugins/console/src/screens/50-team.js + plugins/console/src/screens/55-services.js + plugins/console/src/screens/60-settings.js + plugins/console/src/screens/70-integrations.js + plugins/console/src/screens/72-blocklist.js + plugins/console/src/screens/74-audit.js + plugins/console/src/screens/76-messages.js + plugins/console/src/screens/78-clusters.js + plugins/console/src/screens/80-account.js; do not edit. */
/*! @noble/hashes 2.4.0, scrypt only (scrypt.js and the modules it imports), bundled
 * unmodified by plugins/console/vendor/build-noble-scrypt.sh (esbuild 0.28.2, IIFE, not minified).
 * Source: npm package @noble/hashes@2.4.0, sha512-X5XaVWZIBCT7HHZGm5I7ZQXDwLG+bGXuSrMQAW+7Zvl87h1kmc1ZB1VSRJcpUfoUrGQp4Fkoxm5kZ+Ms+aW+eA==
 * https://github.com/paulmillr/noble-hashes -- MIT License, Copyright (c) 2022 Paul Miller
 * (https://paulmillr.com); full text in LICENSE beside this file.
 * Defines globalThis.NobleHashesScrypt = { version, scrypt, scryptAsync }. */
(() => {
  // package/utils.js
  function isBytes(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
  }
  var atitle = (title) => title ? `"${title}" ` : "";
  function anumber(n, title = "") {
    if (typeof n !== "number")
      throw new TypeError(atitle(title) + "expected number, got " + typeof n);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(atitle(title) + "expected integer >= 0, got " + n);
    return n;
  }
  function abytes(value, length, title = "") {
    if (isBytes(value) && (length === void 0 || value.length === length))
      return value;
    if (length !== void 0)
      anumber(length, "length");
    const bytes = isBytes(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message = atitle(title) + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  }
  function ahash(h) {
    if (typeof h !== "function" || typeof h.create !== "function")
      throw new TypeError("expected hash wrapped by utils.createHasher");
    anumber(h.outputLen);
    anumber(h.blockLen);
    if (h.outputLen < 1 || h.blockLen < 1)
      throw new Error("hash blockLen / outputLen must be >= 1");
  }
  var aobject = (value, label) => {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new TypeError((label === "object" ? "" : `"${label}" `) + "expected object, got type=" + typeof value);
  };
  var aopts = (value, label) => {
    aobject(value, label);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`"${label}" expected plain object`);
    if (Object.hasOwn(value, "__proto__"))
      throw new TypeError(`"${label}.__proto__" is not allowed`);
  };
  function aexists(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("hash was destroyed");
    if (checkFinished && instance.finished)
      throw new Error("digest() was already called");
  }
  function aoutput(out, instance) {
    abytes(out, void 0, "output");
    const min = instance.outputLen;
    if (!(out.length >= min)) {
      throw new RangeError('"output" expected length >= ' + min);
    }
  }
  function u32(arr) {
    return new Uint32Array(arr.buffer, arr.byteOffset, Math.floor(arr.byteLength / 4));
  }
  function clean(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function rotr(word, shift) {
    return word << 32 - shift | word >>> shift;
  }
  function rotl(word, shift) {
    return word << shift | word >>> 32 - shift >>> 0;
  }
  var isLE = /* @__PURE__ */ (() => new Uint8Array(new Uint32Array([287454020]).buffer)[0] === 68)();
  function byteSwap(word) {
    return word << 24 & 4278190080 | word << 8 & 16711680 | word >>> 8 & 65280 | word >>> 24 & 255;
  }
  function byteSwap32(arr) {
    for (let i = 0; i < arr.length; i++) {
      arr[i] = byteSwap(arr[i]);
    }
    return arr;
  }
  var swap32IfBE = isLE ? (u) => u : byteSwap32;
  function nextTick(onReject) {
    const host = globalThis;
    if (typeof host.scheduler?.yield === "function") {
      const promise = host.scheduler.yield();
      if (onReject)
        promise.catch(onReject);
      return promise;
    }
    return new Promise((resolve) => host.setTimeout(resolve, 0));
  }
  async function asyncLoop(iters, tick, cb, onReject) {
    anumber(iters, "iters");
    anumber(tick, "tick");
    if (typeof cb !== "function")
      throw new TypeError("callback must be a function");
    let ts = Date.now();
    for (let i = 0; i < iters; i++) {
      cb(i);
      const diff = Date.now() - ts;
      if (diff >= 0 && diff < tick)
        continue;
      await nextTick(onReject);
      ts = Date.now();
    }
  }
  function utf8ToBytes(str) {
    if (typeof str !== "string")
      throw new TypeError("string expected");
    const encoded = new TextEncoder().encode(str);
    try {
      return new Uint8Array(encoded);
    } finally {
      clean(encoded);
    }
  }
  function kdfInputToBytes(data, errorTitle = "") {
    if (typeof data === "string")
      return utf8ToBytes(data);
    return abytes(data, void 0, errorTitle);
  }
  function checkOpts(defaults, opts, title = "opts") {
    aopts(defaults, "defaults");
    if (opts !== void 0)
      aopts(opts, title);
    const merged = Object.assign(/* @__PURE__ */ Object.create(null), defaults, opts);
    return merged;
  }
  function createHasher(hashCons, info = {}) {
    if (typeof hashCons !== "function")
      throw new TypeError('"hashCons" expected function, got type=' + typeof hashCons);
    info = checkOpts({}, info, "info");
    const hashC = (msg, opts) => hashCons(opts).update(msg).digest();
    const tmp = hashCons(void 0);
    hashC.outputLen = tmp.outputLen;
    hashC.blockLen = tmp.blockLen;
    hashC.canXOF = tmp.canXOF;
    hashC.create = (opts) => hashCons(opts);
    Object.assign(hashC, info);
    return Object.freeze(hashC);
  }
  var oidNist = (suffix) => ({
    // Current NIST hashAlgs suffixes used here fit in one DER subidentifier octet.
    // Larger suffix values would need base-128 OID encoding and a different length byte.
    oid: Uint8Array.from([6, 9, 96, 134, 72, 1, 101, 3, 4, 2, suffix])
  });

  // package/hmac.js
  var _HMAC = class {
    oHash;
    iHash;
    blockLen;
    outputLen;
    canXOF = false;
    finished = false;
    destroyed = false;
    constructor(hash, key) {
      ahash(hash);
      abytes(key, void 0, "key");
      this.iHash = hash.create();
      if (typeof this.iHash.update !== "function")
        throw new Error("expected Hash instance");
      this.blockLen = this.iHash.blockLen;
      this.outputLen = this.iHash.outputLen;
      const blockLen = this.blockLen;
      const pad = new Uint8Array(blockLen);
      pad.set(key.length > blockLen ? hash.create().update(key).digest() : key);
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54;
      this.iHash.update(pad);
      this.oHash = hash.create();
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54 ^ 92;
      this.oHash.update(pad);
      clean(pad);
    }
    update(buf) {
      aexists(this);
      this.iHash.update(buf);
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const buf = out.subarray(0, this.outputLen);
      this.iHash.digestInto(buf);
      this.oHash.update(buf);
      this.oHash.digestInto(buf);
      this.destroy();
    }
    digest() {
      const out = new Uint8Array(this.oHash.outputLen);
      this.digestInto(out);
      return out;
    }
    _cloneInto(to) {
      to ||= Object.create(Object.getPrototypeOf(this), {});
      const { oHash, iHash, finished, destroyed, blockLen, outputLen, canXOF } = this;
      to = to;
      to.finished = finished;
      to.destroyed = destroyed;
      to.blockLen = blockLen;
      to.outputLen = outputLen;
      to.canXOF = canXOF;
      to.oHash = oHash._cloneInto(to.oHash);
      to.iHash = iHash._cloneInto(to.iHash);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
    destroy() {
      this.destroyed = true;
      this.oHash.destroy();
      this.iHash.destroy();
    }
  };
  var hmac = /* @__PURE__ */ (() => {
    const hmac_ = ((hash, key, message) => new _HMAC(hash, key).update(message).digest());
    hmac_.create = (hash, key) => new _HMAC(hash, key);
    return hmac_;
  })();

  // package/pbkdf2.js
  function pbkdf2Init(hash, _password, _salt, _opts) {
    ahash(hash);
    const opts = checkOpts({ dkLen: 32, asyncTick: 10 }, _opts);
    const { c, dkLen, asyncTick } = opts;
    anumber(c, "c");
    anumber(dkLen, "dkLen");
    anumber(asyncTick, "asyncTick");
    if (c < 1)
      throw new Error('"c" (iterations) must be >= 1');
    if (dkLen < 1)
      throw new Error('"dkLen" must be >= 1');
    if (dkLen > (2 ** 32 - 1) * hash.outputLen)
      throw new Error("derived key too long");
    const p = kdfInputToBytes(_password, "password");
    try {
      const s = kdfInputToBytes(_salt, "salt");
      try {
        const DK = new Uint8Array(dkLen);
        const { iHash, oHash, outputLen } = hmac.create(hash, p);
        const u = new Uint8Array(outputLen);
        const eng = pbkdf2Engine(iHash, oHash, s, u);
        return { c, dkLen, asyncTick, DK, outputLen, eng };
      } finally {
        if (typeof _salt === "string")
          clean(s);
      }
    } finally {
      if (typeof _password === "string")
        clean(p);
    }
  }
  function pbkdf2Engine(iHash, oHash, salt, u) {
    const counter = new Uint8Array(4);
    const view = createView(counter);
    const salted = iHash._cloneInto().update(salt);
    const work = oHash._cloneInto();
    const iClone = iHash._cloneInto;
    const oClone = oHash._cloneInto;
    return {
      u1: (ti, Ti) => {
        view.setInt32(0, ti, false);
        salted._cloneInto(work).update(counter).digestInto(u);
        oHash._cloneInto(work).update(u).digestInto(u);
        Ti.set(u.subarray(0, Ti.length));
      },
      // Whole `F` inner loop for the sync variant: one optimized function owns the hot loop.
      rounds: (c, Ti) => {
        for (let ui = 1; ui < c; ui++) {
          iClone.call(iHash, work).update(u).digestInto(u);
          oClone.call(oHash, work).update(u).digestInto(u);
          for (let i = 0; i < Ti.length; i++)
            Ti[i] ^= u[i];
        }
      },
      output: (DK) => {
        iHash.destroy();
        oHash.destroy();
        salted.destroy();
        work.destroy();
        clean(u);
        return DK;
      }
    };
  }
  function pbkdf2(hash, password, salt, opts) {
    const { c, dkLen, DK, outputLen, eng } = pbkdf2Init(hash, password, salt, opts);
    for (let ti = 1, pos = 0; pos < dkLen; ti++, pos += outputLen) {
      const Ti = DK.subarray(pos, pos + outputLen);
      eng.u1(ti, Ti);
      eng.rounds(c, Ti);
    }
    return eng.output(DK);
  }

  // package/_u64.js
  var fromNumH = (n) => n / 2 ** 32 | 0;
  var fromNumL = (n) => n >>> 0;
  function setU64FromNum(view, byteOffset, n, isLE2) {
    const h = fromNumH(n);
    const l = fromNumL(n);
    view.setUint32(byteOffset, isLE2 ? l : h, isLE2);
    view.setUint32(byteOffset + 4, isLE2 ? h : l, isLE2);
  }

  // package/_md.js
  function Chi(a, b, c) {
    return a & b ^ ~a & c;
  }
  function Maj(a, b, c) {
    return a & b ^ a & c ^ b & c;
  }
  var HashMD = class {
    blockLen;
    outputLen;
    canXOF = false;
    padOffset;
    isLE;
    // For partial updates less than block size
    buffer;
    view;
    finished = false;
    length = 0;
    pos = 0;
    destroyed = false;
    constructor(blockLen, outputLen, padOffset, isLE2) {
      this.blockLen = blockLen;
      this.outputLen = outputLen;
      this.padOffset = padOffset;
      this.isLE = isLE2;
      this.buffer = new Uint8Array(blockLen);
      this.view = createView(this.buffer);
    }
    update(data) {
      aexists(this);
      abytes(data);
      const { view, buffer, blockLen } = this;
      const len = data.length;
      let processed = false;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        if (take === blockLen) {
          const dataView = createView(data);
          for (; blockLen <= len - pos; pos += blockLen)
            this.process(dataView, pos);
          processed = true;
          continue;
        }
        buffer.set(pos === 0 && take === len ? data : data.subarray(pos, pos + take), this.pos);
        this.pos += take;
        pos += take;
        if (this.pos === blockLen) {
          this.process(view, 0);
          this.pos = 0;
          processed = true;
        }
      }
      this.length += data.length;
      if (processed)
        this.roundClean();
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const { buffer, view, blockLen, isLE: isLE2 } = this;
      let { pos } = this;
      buffer[pos++] = 128;
      buffer.fill(0, pos);
      if (this.padOffset > blockLen - pos) {
        this.process(view, 0);
        buffer.fill(0);
      }
      setU64FromNum(view, blockLen - 8, this.length * 8, isLE2);
      this.process(view, 0);
      this.roundClean();
      const oview = out === buffer ? view : createView(out);
      const len = this.outputLen;
      const outLen = len / 4;
      const state = this.get();
      if (len % 4 || outLen > state.length)
        throw new Error("invalid outputLen");
      for (let i = 0; i < outLen; i++)
        oview.setUint32(4 * i, state[i], isLE2);
    }
    digest() {
      const { buffer, outputLen } = this;
      this.digestInto(buffer);
      const res = buffer.slice(0, outputLen);
      this.destroy();
      return res;
    }
    _cloneIntoMeta(to) {
      const { buffer, length, finished, destroyed, pos } = this;
      to.destroyed = destroyed;
      to.finished = finished;
      to.length = length;
      to.pos = pos;
      if (pos)
        to.buffer.set(buffer);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
  };
  var SHA256_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    3144134277,
    1013904242,
    2773480762,
    1359893119,
    2600822924,
    528734635,
    1541459225
  ]);

  // package/sha2.js
  var SHA256_K = /* @__PURE__ */ Uint32Array.from([
    1116352408,
    1899447441,
    3049323471,
    3921009573,
    961987163,
    1508970993,
    2453635748,
    2870763221,
    3624381080,
    310598401,
    607225278,
    1426881987,
    1925078388,
    2162078206,
    2614888103,
    3248222580,
    3835390401,
    4022224774,
    264347078,
    604807628,
    770255983,
    1249150122,
    1555081692,
    1996064986,
    2554220882,
    2821834349,
    2952996808,
    3210313671,
    3336571891,
    3584528711,
    113926993,
    338241895,
    666307205,
    773529912,
    1294757372,
    1396182291,
    1695183700,
    1986661051,
    2177026350,
    2456956037,
    2730485921,
    2820302411,
    3259730800,
    3345764771,
    3516065817,
    3600352804,
    4094571909,
    275423344,
    430227734,
    506948616,
    659060556,
    883997877,
    958139571,
    1322822218,
    1537002063,
    1747873779,
    1955562222,
    2024104815,
    2227730452,
    2361852424,
    2428436474,
    2756734187,
    3204031479,
    3329325298
  ]);
  var SHA256_W = /* @__PURE__ */ new Uint32Array(64);
  var SHA2_32B = class extends HashMD {
    // We cannot use array here since array allows indexing by variable
    // which means optimizer/compiler cannot use registers.
    // Numeric initializers matter: starting the fields as `undefined` changes
    // V8's field representation and makes sha256 3x slower (measured).
    A = 0;
    B = 0;
    C = 0;
    D = 0;
    E = 0;
    F = 0;
    G = 0;
    H = 0;
    constructor(outputLen, IV) {
      super(64, outputLen, 8, false);
      this.A = IV[0] | 0;
      this.B = IV[1] | 0;
      this.C = IV[2] | 0;
      this.D = IV[3] | 0;
      this.E = IV[4] | 0;
      this.F = IV[5] | 0;
      this.G = IV[6] | 0;
      this.H = IV[7] | 0;
    }
    get() {
      const { A, B, C, D, E, F, G, H } = this;
      return [A, B, C, D, E, F, G, H];
    }
    // prettier-ignore
    set(A, B, C, D, E, F, G, H) {
      this.A = A | 0;
      this.B = B | 0;
      this.C = C | 0;
      this.D = D | 0;
      this.E = E | 0;
      this.F = F | 0;
      this.G = G | 0;
      this.H = H | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4)
        SHA256_W[i] = view.getUint32(offset, false);
      for (let i = 16; i < 64; i++) {
        const W15 = SHA256_W[i - 15];
        const W2 = SHA256_W[i - 2];
        const s0 = rotr(W15, 7) ^ rotr(W15, 18) ^ W15 >>> 3;
        const s1 = rotr(W2, 17) ^ rotr(W2, 19) ^ W2 >>> 10;
        SHA256_W[i] = s1 + SHA256_W[i - 7] + s0 + SHA256_W[i - 16] | 0;
      }
      let { A, B, C, D, E, F, G, H } = this;
      for (let i = 0; i < 64; i++) {
        const sigma1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
        const T1 = H + sigma1 + Chi(E, F, G) + SHA256_K[i] + SHA256_W[i] | 0;
        const sigma0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
        const T2 = sigma0 + Maj(A, B, C) | 0;
        H = G;
        G = F;
        F = E;
        E = D + T1 | 0;
        D = C;
        C = B;
        B = A;
        A = T1 + T2 | 0;
      }
      A = A + this.A | 0;
      B = B + this.B | 0;
      C = C + this.C | 0;
      D = D + this.D | 0;
      E = E + this.E | 0;
      F = F + this.F | 0;
      G = G + this.G | 0;
      H = H + this.H | 0;
      this.set(A, B, C, D, E, F, G, H);
    }
    roundClean() {
      clean(SHA256_W);
    }
    destroy() {
      this.destroyed = true;
      this.set(0, 0, 0, 0, 0, 0, 0, 0);
      clean(this.buffer);
    }
  };
  var _SHA256 = class extends SHA2_32B {
    constructor() {
      super(32, SHA256_IV);
    }
  };
  var sha256 = /* @__PURE__ */ createHasher(
    () => new _SHA256(),
    /* @__PURE__ */ oidNist(1)
  );

  // package/scrypt.js
  function XorAndSalsa(prev, pi, input, ii, out, oi) {
    let y00 = prev[pi++] ^ input[ii++], y01 = prev[pi++] ^ input[ii++];
    let y02 = prev[pi++] ^ input[ii++], y03 = prev[pi++] ^ input[ii++];
    let y04 = prev[pi++] ^ input[ii++], y05 = prev[pi++] ^ input[ii++];
    let y06 = prev[pi++] ^ input[ii++], y07 = prev[pi++] ^ input[ii++];
    let y08 = prev[pi++] ^ input[ii++], y09 = prev[pi++] ^ input[ii++];
    let y10 = prev[pi++] ^ input[ii++], y11 = prev[pi++] ^ input[ii++];
    let y12 = prev[pi++] ^ input[ii++], y13 = prev[pi++] ^ input[ii++];
    let y14 = prev[pi++] ^ input[ii++], y15 = prev[pi++] ^ input[ii++];
    let x00 = y00, x01 = y01, x02 = y02, x03 = y03, x04 = y04, x05 = y05, x06 = y06, x07 = y07, x08 = y08, x09 = y09, x10 = y10, x11 = y11, x12 = y12, x13 = y13, x14 = y14, x15 = y15;
    for (let i = 0; i < 8; i += 2) {
      x04 ^= rotl(x00 + x12 | 0, 7);
      x08 ^= rotl(x04 + x00 | 0, 9);
      x12 ^= rotl(x08 + x04 | 0, 13);
      x00 ^= rotl(x12 + x08 | 0, 18);
      x09 ^= rotl(x05 + x01 | 0, 7);
      x13 ^= rotl(x09 + x05 | 0, 9);
      x01 ^= rotl(x13 + x09 | 0, 13);
      x05 ^= rotl(x01 + x13 | 0, 18);
      x14 ^= rotl(x10 + x06 | 0, 7);
      x02 ^= rotl(x14 + x10 | 0, 9);
      x06 ^= rotl(x02 + x14 | 0, 13);
      x10 ^= rotl(x06 + x02 | 0, 18);
      x03 ^= rotl(x15 + x11 | 0, 7);
      x07 ^= rotl(x03 + x15 | 0, 9);
      x11 ^= rotl(x07 + x03 | 0, 13);
      x15 ^= rotl(x11 + x07 | 0, 18);
      x01 ^= rotl(x00 + x03 | 0, 7);
      x02 ^= rotl(x01 + x00 | 0, 9);
      x03 ^= rotl(x02 + x01 | 0, 13);
      x00 ^= rotl(x03 + x02 | 0, 18);
      x06 ^= rotl(x05 + x04 | 0, 7);
      x07 ^= rotl(x06 + x05 | 0, 9);
      x04 ^= rotl(x07 + x06 | 0, 13);
      x05 ^= rotl(x04 + x07 | 0, 18);
      x11 ^= rotl(x10 + x09 | 0, 7);
      x08 ^= rotl(x11 + x10 | 0, 9);
      x09 ^= rotl(x08 + x11 | 0, 13);
      x10 ^= rotl(x09 + x08 | 0, 18);
      x12 ^= rotl(x15 + x14 | 0, 7);
      x13 ^= rotl(x12 + x15 | 0, 9);
      x14 ^= rotl(x13 + x12 | 0, 13);
      x15 ^= rotl(x14 + x13 | 0, 18);
    }
    out[oi++] = y00 + x00 | 0;
    out[oi++] = y01 + x01 | 0;
    out[oi++] = y02 + x02 | 0;
    out[oi++] = y03 + x03 | 0;
    out[oi++] = y04 + x04 | 0;
    out[oi++] = y05 + x05 | 0;
    out[oi++] = y06 + x06 | 0;
    out[oi++] = y07 + x07 | 0;
    out[oi++] = y08 + x08 | 0;
    out[oi++] = y09 + x09 | 0;
    out[oi++] = y10 + x10 | 0;
    out[oi++] = y11 + x11 | 0;
    out[oi++] = y12 + x12 | 0;
    out[oi++] = y13 + x13 | 0;
    out[oi++] = y14 + x14 | 0;
    out[oi++] = y15 + x15 | 0;
  }
  function BlockMix(input, ii, out, oi, r) {
    let head = oi + 0;
    let tail = oi + 16 * r;
    for (let i = 0; i < 16; i++)
      out[tail + i] = input[ii + (2 * r - 1) * 16 + i];
    for (let i = 0; i < r; i++, head += 16, ii += 16) {
      XorAndSalsa(out, tail, input, ii, out, head);
      if (i > 0)
        tail += 16;
      XorAndSalsa(out, head, input, ii += 16, out, tail);
    }
  }
  var SCRYPT_DEFAULT_MAXMEM = 128 * 8 * (2 ** 20 + 1 + 1);
  function scryptInit(password, salt, _opts) {
    const opts = checkOpts({
      dkLen: 32,
      asyncTick: 10,
      maxmem: SCRYPT_DEFAULT_MAXMEM
    }, _opts);
    const { N, r, p, dkLen, asyncTick, maxmem, onProgress } = opts;
    anumber(N, "N");
    anumber(r, "r");
    anumber(p, "p");
    anumber(dkLen, "dkLen");
    anumber(asyncTick, "asyncTick");
    anumber(maxmem, "maxmem");
    if (onProgress !== void 0 && typeof onProgress !== "function")
      throw new Error('"onProgress" must be a function');
    if (r < 1)
      throw new Error('"r" expected integer >= 1');
    const blockSize = 128 * r;
    const blockSize32 = blockSize / 4;
    const pow32 = Math.pow(2, 32);
    if (N <= 1 || (N & N - 1) !== 0 || N > pow32)
      throw new Error('"N" expected a power of 2, and 2^1 <= N <= 2^32');
    if (p < 1 || p > (pow32 - 1) * 32 / blockSize)
      throw new Error('"p" expected integer 1..((2^32 - 1) * 32) / (128 * r)');
    if (dkLen < 1 || dkLen > (pow32 - 1) * 32)
      throw new Error('"dkLen" expected integer 1..(2^32 - 1) * 32');
    const memUsed = blockSize * (N + p + 1);
    if (memUsed > maxmem)
      throw new Error('"maxmem" limit was hit: memUsed(128*r*(N+p+1))=' + memUsed + ", maxmem=" + maxmem);
    const B = pbkdf2(sha256, password, salt, { c: 1, dkLen: blockSize * p });
    const B32 = u32(B);
    const V = u32(new Uint8Array(blockSize * N));
    const tmp = u32(new Uint8Array(blockSize));
    let blockMixCb = () => {
    };
    if (onProgress) {
      const totalBlockMix = 2 * N * p;
      const callbackPer = Math.max(Math.floor(totalBlockMix / 1e4), 1);
      let blockMixCnt = 0;
      blockMixCb = () => {
        blockMixCnt++;
        if (onProgress && (!(blockMixCnt % callbackPer) || blockMixCnt === totalBlockMix)) {
          try {
            onProgress(blockMixCnt / totalBlockMix);
          } catch (e) {
            clean(B, V, tmp);
            throw e;
          }
        }
      };
    }
    return { N, r, p, dkLen, blockSize32, V, B32, B, tmp, blockMixCb, asyncTick };
  }
  function scryptOutput(password, dkLen, B, V, tmp) {
    const res = pbkdf2(sha256, password, B, { c: 1, dkLen });
    clean(B, V, tmp);
    return res;
  }
  function scrypt(password, salt, opts) {
    const { N, r, p, dkLen, blockSize32, V, B32, B, tmp, blockMixCb } = scryptInit(password, salt, opts);
    swap32IfBE(B32);
    for (let pi = 0; pi < p; pi++) {
      const Pi = blockSize32 * pi;
      for (let i = 0; i < blockSize32; i++)
        V[i] = B32[Pi + i];
      for (let i = 0, pos = 0; i < N - 1; i++) {
        BlockMix(V, pos, V, pos += blockSize32, r);
        blockMixCb();
      }
      BlockMix(V, (N - 1) * blockSize32, B32, Pi, r);
      blockMixCb();
      for (let i = 0; i < N; i++) {
        const j = (B32[Pi + blockSize32 - 16] & N - 1) >>> 0;
        for (let k = 0; k < blockSize32; k++)
          tmp[k] = B32[Pi + k] ^ V[j * blockSize32 + k];
        BlockMix(tmp, 0, B32, Pi, r);
        blockMixCb();
      }
    }
    swap32IfBE(B32);
    return scryptOutput(password, dkLen, B, V, tmp);
  }
  async function scryptAsync(password, salt, opts) {
    const { N, r, p, dkLen, blockSize32, V, B32, B, tmp, blockMixCb, asyncTick } = scryptInit(password, salt, opts);
    const abort = () => clean(B, V, tmp);
    swap32IfBE(B32);
    for (let pi = 0; pi < p; pi++) {
      const Pi = blockSize32 * pi;
      for (let i = 0; i < blockSize32; i++)
        V[i] = B32[Pi + i];
      let pos = 0;
      await asyncLoop(N - 1, asyncTick, () => {
        BlockMix(V, pos, V, pos += blockSize32, r);
        blockMixCb();
      }, abort);
      BlockMix(V, (N - 1) * blockSize32, B32, Pi, r);
      blockMixCb();
      await asyncLoop(N, asyncTick, () => {
        const j = (B32[Pi + blockSize32 - 16] & N - 1) >>> 0;
        for (let k = 0; k < blockSize32; k++)
          tmp[k] = B32[Pi + k] ^ V[j * blockSize32 + k];
        BlockMix(tmp, 0, B32, Pi, r);
        blockMixCb();
      }, abort);
    }
    swap32IfBE(B32);
    return scryptOutput(password, dkLen, B, V, tmp);
  }

  // entry.mjs
  globalThis.NobleHashesScrypt = Object.freeze({ version: "2.4.0", scrypt, scryptAsync });
})();

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

(function () {
  "use strict";

/* Hushbook staff console: the salon's back office in the browser — the core.
 *
 * Plain JS, no framework, no module loader: plugins/console/build.py bundles it
 * after the vendored scrypt, the widget's sealing.js and vault.js (which define
 * globalThis.NobleHashesScrypt, HushbookSealing and HushbookVault), and wraps
 * this file and the screens (src/screens/*.js, in the order build.py names) in
 * ONE function scope: the screens use the helpers below directly and register
 * themselves with registerScreen(); nothing of the console is global. The page
 * (/console/, templates/console.html) gives it one element, #hb-console, with
 * data-config = {"api": "/v1", "assets": "/static/console/", "lang": "de"|"en"}.
 *
 * Secrets: the access and refresh tokens and the vault keys live only in this
 * closure. Nothing is ever written to web storage, the IndexedDB, cookies or
 * the Cache Storage (tests/test_console_page.py greps for the APIs); requests
 * go out with credentials "omit" and
 * cache "no-store". The vault passphrase is read from its field, handed to
 * HushbookVault.unlock (scrypt + AES-GCM here, in the browser) and the field is
 * cleared; it is never sent anywhere. Sign-out forgets tokens and keys; the
 * idle lock (default 15 minutes, ?lock=<minutes>) signs the session out at the
 * service, forgets the keys and asks for the password to go on. Any 401 from
 * the API ends the session with a message saying so.
 *
 * The DOM is built with textContent only (never HTML parsing): client names are data.
 */


  var root = document.getElementById("hb-console");
  if (!root) return;
  var config = JSON.parse(root.getAttribute("data-config") || "{}");
  var API = config.api || "/v1";
  var ASSETS = config.assets || "/static/console/";
  var params = new URLSearchParams(location.search);
  var lockMinutes = clampInt(params.get("lock"), 1, 240, 15);

  var t = {}; // texts of the chosen language (i18n/<lang>.json)
  var session = null; // {tenant, email, access, refresh, expiresAt, refreshTimer}
  var lockedAs = null; // {tenant, email, name} while the screen is locked
  var ctx = null; // {me, permissions, staff, services, tenant, tz, vaultState} once signed in
  var screens = []; // registerScreen(): the console's screens, in menu order
  var current = null; // the screen shown: {spec, arg}
  var forgetters = []; // onForget(): what each screen drops at sign-out and lock
  var vault = globalThis.HushbookVault ? globalThis.HushbookVault.create() : null;
  var tickTimer = null;
  var lastActivity = mono();
  var els = {};

  // --- small helpers --------------------------------------------------------------

  /* Monotonic milliseconds for idle time and token lifetimes: a change of the
   * wall clock (the computer's time set, a time zone switch) neither locks the
   * screen nor skips a refresh. */
  function mono() {
    return performance.now();
  }

  function clampInt(value, lo, hi, dflt) {
    var n = parseInt(value, 10);
    if (!isFinite(n)) return dflt;
    return Math.min(hi, Math.max(lo, n));
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else if (key === "hidden") node.hidden = true;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function tr(key, vars) {
    var text = t[key] === undefined ? key : String(t[key]);
    Object.keys(vars || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(vars[name]));
    });
    return text;
  }

  var uid = 0;
  function newId(prefix) {
    uid += 1;
    return "hb-" + prefix + "-" + uid;
  }

  function field(label, attrs, hint) {
    var id = newId("f");
    var hintId = hint ? id + "-hint" : null;
    var input = el("input", Object.assign({ id: id, "aria-describedby": hintId }, attrs));
    return {
      input: input,
      node: el("div", { class: "hb-field" }, [
        el("label", { for: id, text: label }),
        hint ? el("p", { id: hintId, class: "hb-hint", text: hint }) : null,
        input
      ])
    };
  }

  function say(text) {
    // The polite live region: news that needs no action.
    els.status.textContent = "";
    window.setTimeout(function () { els.status.textContent = text; }, 30);
  }

  function focusHeading(h) {
    if (!h) return;
    h.setAttribute("tabindex", "-1");
    h.focus();
  }

  function uuid() {
    if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  // --- time in the salon's zone ---------------------------------------------------------

  function zoneParts(instant, tz) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(instant).forEach(function (p) { parts[p.type] = p.value; });
    return {
      date: parts.year + "-" + parts.month + "-" + parts.day,
      minutes: (parseInt(parts.hour, 10) % 24) * 60 + parseInt(parts.minute, 10),
      hm: (parts.hour === "24" ? "00" : parts.hour) + ":" + parts.minute
    };
  }

  function today() {
    return zoneParts(new Date(), ctx.tz).date;
  }

  function shiftDay(iso, days) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function longDate(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
    }).format(new Date(iso + "T00:00:00Z"));
  }

  // --- the API ------------------------------------------------------------------------

  function ApiError(status, problem, retryAfter) {
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || {};
    this.reason = (problem && problem.reason) || null;
    this.retryAfter = retryAfter;
    this.message = (problem && problem.message) || "HTTP " + status;
  }
  ApiError.prototype = Object.create(Error.prototype);

  function SessionEnded() {
    this.name = "SessionEnded";
    this.message = "session ended";
  }
  SessionEnded.prototype = Object.create(Error.prototype);

  async function send(method, path, body, token, extra) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    Object.assign(headers, extra || {});
    var response;
    try {
      response = await fetch(API + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer"
      });
    } catch (error) {
      throw new ApiError(0, { message: tr("err_network") });
    }
    var data = null;
    if ((response.headers.get("Content-Type") || "").indexOf("json") !== -1) {
      try { data = await response.json(); } catch (error) { data = null; }
    }
    if (!response.ok) {
      throw new ApiError(response.status, data, parseInt(response.headers.get("Retry-After") || "", 10));
    }
    return { data: data, headers: response.headers, status: response.status };
  }

  /* An authenticated call. Refreshes first when the access token is about to
   * expire (a laptop waking up); any 401 ends the session. ``headers`` adds
   * request headers (If-Match for a PATCH). Every POST carries a fresh
   * Idempotency-Key. Resolves to {data, headers, status}. */
  async function api(method, path, body, headers) {
    if (!session) throw new SessionEnded();
    if (mono() > session.expiresAt - 30000) await refresh();
    if (!session) throw new SessionEnded();
    var extra = Object.assign(method === "POST" ? { "Idempotency-Key": uuid() } : {}, headers || {});
    try {
      return await send(method, path, body, session.access, extra);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && session) {
        endSession("session_ended");
        throw new SessionEnded();
      }
      throw error;
    }
  }

  async function allPages(path) {
    var out = [], page = 1;
    for (;;) {
      var sep = path.indexOf("?") === -1 ? "?" : "&";
      var r = await api("GET", path + sep + "page_size=100&page=" + page);
      out = out.concat(r.data || []);
      var info = {};
      try { info = JSON.parse(r.headers.get("X-Pagination") || "{}"); } catch (error) { info = {}; }
      if (!info.next_page) return out;
      page = info.next_page;
    }
  }

  // --- tokens ---------------------------------------------------------------------------

  function adopt(pair) {
    if (session.refreshTimer) clearTimeout(session.refreshTimer);
    session.access = pair.access_token;
    session.refresh = pair.refresh_token;
    var life = Math.max(30, pair.expires_in || 900);
    session.expiresAt = mono() + life * 1000;
    // Refresh a minute before the access token expires (rotating refresh tokens).
    session.refreshTimer = setTimeout(function () {
      refresh().catch(function () {});
    }, Math.max(5, life - 60) * 1000);
  }

  var refreshing = null;
  function refresh() {
    if (!session) return Promise.reject(new SessionEnded());
    if (refreshing) return refreshing;
    var mine = session;
    refreshing = (async function () {
      try {
        var r = await send("POST", "/auth/refresh", { refresh_token: mine.refresh });
        if (session === mine) adopt(r.data);
      } catch (error) {
        if (session !== mine) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          endSession("session_ended");
          throw new SessionEnded();
        }
        // The service could not be reached: try again soon, while the token lasts.
        mine.refreshTimer = setTimeout(function () { refresh().catch(function () {}); }, 15000);
        if (mono() > mine.expiresAt) throw error;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  function forget() {
    if (session && session.refreshTimer) clearTimeout(session.refreshTimer);
    session = null;
    ctx = null;
    if (current && current.spec.leave) current.spec.leave();
    current = null;
    if (vault) vault.lock();
    forgetters.forEach(function (fn) { fn(); });
    clear(els.main);
    clear(els.who);
    clear(els.nav);
    els.top.hidden = true;
  }

  var vaultListeners = [];

  /* Screens that show client data redraw when the vault is unlocked or locked. */
  function onVaultChange(fn) {
    vaultListeners.push(fn);
  }

  async function vaultChanged() {
    for (var i = 0; i < vaultListeners.length; i++) await vaultListeners[i]();
  }

  /* A screen's own state to drop when the session ends or the screen locks
   * (opened names, the day's rows): nothing opened survives a lock. */
  function onForget(fn) {
    forgetters.push(fn);
  }

  function endSession(messageKey) {
    forget();
    lockedAs = null;
    showSignIn({ message: tr(messageKey), alert: true });
  }

  async function signOut() {
    var token = session && session.refresh;
    forget();
    lockedAs = null;
    if (token) {
      try { await send("POST", "/auth/logout", { refresh_token: token }); } catch (error) { /* dead already */ }
    }
    showSignIn({ message: tr("signed_out") });
  }

  // --- idle lock --------------------------------------------------------------------------

  ["pointerdown", "keydown", "wheel", "touchstart", "mousemove"].forEach(function (kind) {
    document.addEventListener(kind, function () { lastActivity = mono(); }, { passive: true, capture: true });
  });

  function tick() {
    if (session && mono() - lastActivity >= lockMinutes * 60000) {
      lockScreen();
      return;
    }
    if (session && current && current.spec.tick) current.spec.tick();
  }

  async function lockScreen() {
    var token = session && session.refresh;
    lockedAs = { tenant: session.tenant, email: session.email, name: ctx && ctx.me ? ctx.me.display_name : session.email };
    forget();
    if (token) {
      try { await send("POST", "/auth/logout", { refresh_token: token }); } catch (error) { /* dead already */ }
    }
    showLocked();
  }

  // --- screens: sign in, password change, locked ----------------------------------------------

  function screen(title, level) {
    clear(els.main);
    var h = el(level || "h1", { class: "hb-screen-title", text: title });
    els.main.appendChild(h);
    return h;
  }

  function alertBox() {
    return el("div", { class: "hb-alert", role: "alert" });
  }

  function showError(box, text, list) {
    clear(box);
    if (!text) return;
    box.appendChild(el("p", { text: text }));
    if (list && list.length) box.appendChild(el("ul", {}, list.map(function (x) { return el("li", { text: x }); })));
  }

  function fieldErrors(problem) {
    var out = [];
    var errors = (problem && problem.errors && problem.errors.json) || {};
    Object.keys(errors).forEach(function (name) {
      var messages = errors[name];
      (Array.isArray(messages) ? messages : [String(messages)]).forEach(function (m) {
        out.push((t["field_" + name] || name) + ": " + m);
      });
    });
    return out;
  }

  function loginError(error) {
    if (error.reason === "bad_credentials") return tr("err_bad_credentials");
    if (error.reason === "login_throttled" || error.status === 429) {
      return tr("err_throttled", { minutes: Math.max(1, Math.ceil((error.retryAfter || 900) / 60)) });
    }
    if (error.status === 0) return tr("err_network");
    return tr("err_generic", { message: error.message });
  }

  function showSignIn(opts) {
    opts = opts || {};
    els.top.hidden = true;
    var h = screen(tr("signin_title"));
    if (opts.message) {
      els.main.appendChild(el("p", { class: opts.alert ? "hb-notice hb-notice-strong" : "hb-notice", role: opts.alert ? "alert" : "status", text: opts.message }));
    }
    var tenant = field(tr("tenant"), { name: "tenant", autocomplete: "organization", autocapitalize: "none", spellcheck: "false", required: true, value: params.get("salon") || "" }, tr("tenant_hint"));
    var email = field(tr("email"), { name: "email", type: "email", autocomplete: "username", required: true });
    var password = field(tr("password"), { name: "password", type: "password", autocomplete: "current-password", required: true });
    var totp = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6" }, tr("totp_hint"));
    totp.node.hidden = true;
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("signin_button") });
    var form = el("form", { class: "hb-form", novalidate: true }, [tenant.node, email.node, password.node, totp.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var missing = [tenant, email, password].filter(function (f) { return !f.input.value.trim(); });
      if (!totp.node.hidden && !/^[0-9]{6}$/.test(totp.input.value.trim())) missing.push(totp);
      [tenant, email, password, totp].forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      if (missing.length) {
        missing.forEach(function (f) { f.input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      var body = { tenant: tenant.input.value.trim().toLowerCase(), email: email.input.value.trim(), password: password.input.value };
      if (!totp.node.hidden) body.totp = totp.input.value.trim();
      button.disabled = true;
      button.textContent = tr("signing_in");
      try {
        var r = await send("POST", "/auth/login", body);
        var typed = body.password;
        password.input.value = "";
        body.password = "";
        await afterLogin(r.data, body.tenant, body.email, typed);
      } catch (error) {
        button.disabled = false;
        button.textContent = tr("signin_button");
        if (error.reason === "totp_required") {
          totp.node.hidden = false;
          showError(errors, tr("err_totp_required"));
          totp.input.focus();
          return;
        }
        if (error.status === 422) {
          showError(errors, tr("err_check"), fieldErrors(error.problem));
          return;
        }
        showError(errors, loginError(error));
        if (error.reason === "bad_credentials") totp.input.value = "";
      }
    });
    els.main.appendChild(form);
    els.main.appendChild(languageLinks());
    if (opts.focus === false) return;
    if (opts.message) focusHeading(h);
    else (tenant.input.value ? email.input : tenant.input).focus();
  }

  function languageLinks() {
    var other = config.lang === "de" ? "en" : "de";
    var query = new URLSearchParams(location.search);
    query.set("lang", other);
    return el("p", { class: "hb-lang" }, [
      el("a", { href: "?" + query.toString(), lang: other, hreflang: other, text: tr("switch_language") })
    ]);
  }

  async function afterLogin(pair, tenant, email, typedPassword) {
    session = { tenant: tenant, email: email, access: null, refresh: null, expiresAt: 0, refreshTimer: null };
    adopt(pair);
    lastActivity = mono();
    if (pair.password_change_required) {
      showPasswordChange(typedPassword);
      return;
    }
    if (pair.totp_setup_required) {
      showTotpSetupRequired();
      return;
    }
    await openApp();
  }

  function showPasswordChange(current) {
    var h = screen(tr("pw_title"));
    els.main.appendChild(el("p", { text: tr("pw_intro") }));
    var fresh = field(tr("pw_new"), { name: "new-password", type: "password", autocomplete: "new-password", required: true }, tr("pw_rules"));
    var again = field(tr("pw_repeat"), { name: "repeat-password", type: "password", autocomplete: "new-password", required: true });
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("pw_button") });
    var form = el("form", { class: "hb-form", novalidate: true }, [fresh.node, again.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      fresh.input.removeAttribute("aria-invalid");
      again.input.removeAttribute("aria-invalid");
      if (!fresh.input.value) {
        fresh.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("err_missing"), [tr("pw_new")]);
        fresh.input.focus();
        return;
      }
      if (fresh.input.value !== again.input.value) {
        again.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("pw_mismatch"));
        again.input.focus();
        return;
      }
      button.disabled = true;
      try {
        var r = await send("POST", "/auth/password", { current_password: current, new_password: fresh.input.value }, session.access);
        current = null;
        fresh.input.value = "";
        again.input.value = "";
        adopt(r.data);
        say(tr("pw_changed"));
        if (r.data.totp_setup_required) showTotpSetupRequired();
        else await openApp();
      } catch (error) {
        button.disabled = false;
        if (error.status === 401 && error.reason !== "bad_credentials") { endSession("session_ended"); return; }
        if (error.status === 422) {
          fresh.input.setAttribute("aria-invalid", "true");
          var list = fieldErrors(error.problem).map(function (x) { return x.replace(/^[^:]*: /, ""); });
          showError(errors, tr("pw_rejected"), list);
          fresh.input.focus();
          return;
        }
        showError(errors, error.status === 0 ? tr("err_network") : tr("err_generic", { message: error.message }));
      }
    });
    els.main.appendChild(form);
    els.main.appendChild(el("p", {}, [el("button", { type: "button", class: "hb-link", text: tr("signout"), onclick: signOut })]));
    focusHeading(h);
  }

  /* The salon requires a second factor of this owner or manager: set it up
   * here (screens/80-account.js), then the console opens. */
  function showTotpSetupRequired() {
    var h = screen(tr("totp_setup_title"));
    els.main.appendChild(el("p", { text: tr("totp_setup_text") }));
    renderTotpSetup(els.main, function () { openApp(); });
    els.main.appendChild(el("p", {}, [el("button", { type: "button", class: "hb-link", text: tr("signout"), onclick: signOut })]));
    focusHeading(h);
  }

  function showLocked() {
    els.top.hidden = true;
    var h = screen(tr("lock_title"));
    els.main.appendChild(el("p", { text: tr("lock_text", { minutes: lockMinutes }) }));
    els.main.appendChild(el("p", { class: "hb-who-locked", text: tr("lock_who", { name: lockedAs.name, salon: lockedAs.tenant }) }));
    var password = field(tr("password"), { name: "password", type: "password", autocomplete: "current-password", required: true });
    var totp = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" }, tr("totp_hint"));
    totp.node.hidden = true;
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("lock_resume") });
    var form = el("form", { class: "hb-form", novalidate: true }, [password.node, totp.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      if (!password.input.value) {
        password.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("err_missing"), [tr("password")]);
        password.input.focus();
        return;
      }
      var body = { tenant: lockedAs.tenant, email: lockedAs.email, password: password.input.value };
      if (!totp.node.hidden) body.totp = totp.input.value.trim();
      button.disabled = true;
      try {
        var r = await send("POST", "/auth/login", body);
        password.input.value = "";
        var typed = body.password;
        body.password = "";
        var was = lockedAs;
        lockedAs = null;
        await afterLogin(r.data, was.tenant, was.email, typed);
      } catch (error) {
        button.disabled = false;
        if (error.reason === "totp_required") {
          totp.node.hidden = false;
          showError(errors, tr("err_totp_required"));
          totp.input.focus();
          return;
        }
        showError(errors, loginError(error));
      }
    });
    els.main.appendChild(form);
    els.main.appendChild(el("p", {}, [el("button", {
      type: "button", class: "hb-link", text: tr("lock_other"),
      onclick: function () { lockedAs = null; showSignIn(); }
    })]));
    focusHeading(h);
  }

  // --- the app: who is signed in, what they may do, the screens ------------------------------

  /* What the signed-in person may do: the permissions their token carries,
   * as GET /v1/auth/me says (the role table lives only in the service). */
  function can(permission) {
    return !!(ctx && ctx.permissions && ctx.permissions.indexOf(permission) !== -1);
  }

  /* A screen of the console: {id, label (text key), allowed() -> bool,
   * render(box, arg) (may be async), leave(), tick(), first() -> Promise<bool>
   * (asks to be shown first after sign-in)}. Menu order is
   * registration order (build.py's file order). */
  function registerScreen(spec) {
    screens.push(spec);
  }

  function allowedScreens() {
    return screens.filter(function (s) { return !s.allowed || s.allowed(); });
  }

  /* Show a screen: the main area is emptied, the menu marks it, focus moves
   * to its first heading (screens put an h1 first). */
  async function go(id, arg) {
    var spec = allowedScreens().filter(function (s) { return s.id === id; })[0];
    if (!spec || !session) return;
    if (current && current.spec.leave) current.spec.leave();
    current = { spec: spec, arg: arg };
    drawNav();
    clear(els.main);
    var box = el("div", { class: "hb-screen hb-screen-" + spec.id, "data-screen": spec.id });
    els.main.appendChild(box);
    try {
      await spec.render(box, arg);
    } catch (error) {
      if (error instanceof SessionEnded || !session) return;
      box.appendChild(el("p", { role: "alert", class: "hb-alert", text: reasonText(error) }));
    }
    if (current && current.spec === spec) focusHeading(box.querySelector("h1"));
  }

  function drawNav() {
    clear(els.nav);
    var list = el("ul", {});
    allowedScreens().forEach(function (s) {
      var on = current && current.spec.id === s.id;
      list.appendChild(el("li", {}, [el("button", {
        type: "button", class: "hb-nav-item" + (on ? " hb-nav-on" : ""), "data-nav": s.id,
        "aria-current": on ? "page" : null, text: tr(s.label),
        onclick: function () { go(s.id); }
      })]));
    });
    els.nav.appendChild(list);
  }

  function reasonText(error) {
    if (error.status === 0) return tr("err_network");
    if (error.reason && t["reason_" + error.reason]) return tr("reason_" + error.reason);
    if (error.status === 403) return tr("reason_forbidden");
    if (error.status === 404) return tr("reason_not_found");
    if (error.status === 422) return tr("err_check") + " " + fieldErrors(error.problem).join("; ");
    return tr("err_generic", { message: error.message });
  }

  /* Staff, services and the business, read again (after a screen changed them). */
  async function reloadContext() {
    var results = await Promise.all([api("GET", "/tenant"), allPages("/staff"), allPages("/services")]);
    var staff = new Map();
    results[1].forEach(function (s) { staff.set(s.id, s); });
    var services = new Map();
    results[2].forEach(function (s) { services.set(s.id, s); });
    ctx.tenant = results[0].data;
    ctx.tenantEtag = results[0].headers.get("ETag");
    ctx.tz = ctx.tenant.timezone || "Europe/Berlin";
    ctx.staff = staff;
    ctx.services = services;
    if (ctx.me && staff.get(ctx.me.id)) ctx.me = staff.get(ctx.me.id);
  }

  async function openApp() {
    clear(els.main);
    els.main.appendChild(el("p", { class: "hb-notice", role: "status", text: tr("loading") }));
    try {
      var me = (await api("GET", "/auth/me")).data;
      var state = await api("GET", "/vault").catch(function (error) {
        if (error instanceof ApiError && error.status === 403) return { data: null }; // no vault:own
        throw error;
      });
      ctx = { permissions: me.permissions || [], vaultState: state.data, me: null };
      await reloadContext();
      ctx.me = ctx.staff.get(me.staff_id) || { id: me.staff_id, role: me.role, display_name: me.display_name || session.email };
    } catch (error) {
      if (error instanceof SessionEnded) return;
      clear(els.main);
      screen(tr("err_title"));
      els.main.appendChild(el("p", { role: "alert", text: error.reason === "totp_setup_required" ? tr("totp_setup_text") : tr("err_generic", { message: error.message }) }));
      els.main.appendChild(el("button", { type: "button", class: "hb-primary", text: tr("signout"), onclick: signOut }));
      return;
    }
    renderTop();
    // A link to one appointment (/console/?appointment=<id>, from a staff
    // mail) opens it once, after sign-in; otherwise the first screen.
    var linked = params.get("appointment");
    params.delete("appointment");
    if (linked && allowedScreens().some(function (s) { return s.id === "day"; })) {
      await go("day", { appointment: linked });
      return;
    }
    var first = await firstScreen();
    if (first) await go(first.id);
  }

  /* The screen shown after sign-in: one that asks to come first (the set-up
   * checklist while the salon cannot take online bookings), else the first
   * allowed one in menu order. */
  async function firstScreen() {
    var allowed = allowedScreens();
    for (var i = 0; i < allowed.length; i++) {
      if (!allowed[i].first) continue;
      try {
        if (await allowed[i].first()) return allowed[i];
      } catch (error) {
        if (error instanceof SessionEnded) return null;
      }
    }
    return allowed[0];
  }

  function renderTop() {
    clear(els.who);
    var me = ctx.me;
    els.who.appendChild(el("span", { class: "hb-salon", text: ctx.tenant.name }));
    els.who.appendChild(el("span", { class: "hb-me", text: tr("signed_in_as", { name: me.display_name, role: tr("role_" + (me.role || "unknown")) }) }));
    els.top.hidden = false;
  }

  // --- start ---------------------------------------------------------------------------------

  function frame() {
    clear(root);
    els.top = el("header", { class: "hb-top", hidden: true });
    els.who = el("div", { class: "hb-who" });
    els.top.appendChild(el("span", { class: "hb-brand", text: "Hushbook" }));
    els.top.appendChild(els.who);
    els.top.appendChild(el("div", { class: "hb-top-actions" }, [
      el("button", { type: "button", class: "hb-secondary", text: tr("lock_button"), onclick: function () { if (session) lockScreen(); } }),
      el("button", { type: "button", class: "hb-secondary", text: tr("signout"), onclick: signOut })
    ]));
    els.nav = el("nav", { class: "hb-nav", "aria-label": tr("nav_label") });
    els.top.appendChild(els.nav);
    els.status = el("div", { class: "hb-sr-only", role: "status", "aria-live": "polite" });
    els.main = el("main", { class: "hb-main", id: "hb-main" });
    root.appendChild(els.top);
    root.appendChild(els.status);
    root.appendChild(els.main);
    root.setAttribute("data-lock-minutes", String(lockMinutes));
  }

  async function start() {
    try {
      var r = await fetch(ASSETS + "i18n/" + (config.lang || "de") + ".json", { credentials: "omit", cache: "no-cache" });
      if (!r.ok) throw new Error("HTTP " + r.status);
      t = await r.json();
    } catch (error) {
      clear(root);
      root.appendChild(el("p", { role: "alert", text: "The console could not load its texts. Please reload the page." }));
      return;
    }
    document.title = tr("page_title");
    frame();
    if (!vault) {
      els.main.appendChild(el("p", { role: "alert", text: tr("err_no_vault") }));
    }
    tickTimer = setInterval(tick, 5000);
    showSignIn({ focus: true });
  }

/* The appointment book: the day (one column per team member) and the week
 * (one person's seven days, or the whole team's counts per day), with working
 * time, breaks, time off and closures shaded, the appointments as blocks, their
 * details and actions. Booking a caller and moving an appointment are drawn by
 * screens/12-book.js into the same side panel. Part of the console's one
 * function scope (see console.js): it uses the core's helpers and registers the
 * "day" screen.
 *
 * Requests: GET /v1/appointments for the shown day or week (all pages; polled
 * every 20 s with If-None-Match, so an unchanged poll is a bodiless 304) and
 * GET /v1/schedule for the same dates (hours and absences, local wall times). */

  var PX_PER_MIN = 1.6;
  var POLL_MS = 20000;
  var SCHEDULE_EVERY = 15; // re-read the working hours every 15th poll (5 minutes)
  var SHOWN = ["pending", "confirmed", "completed", "no_show"];

  var names = new Map(); // client id + key -> opened name, only while the vault is unlocked
  var view = "day"; // "day" or "week"
  var day = null; // the day shown (in the week view: a day of the week), "YYYY-MM-DD" in the salon's zone
  var weekWho = "team"; // the week view: "team" (counts per person and day) or a staff id
  var rows = []; // the appointments of the shown day or week
  var schedule = null; // staff id + "|" + date -> {hours, away} (GET /v1/schedule); null: not known
  var scheduleFor = ""; // the range the schedule was read for
  var listTag = null; // {path, etag} of the last appointment list (for If-None-Match)
  var signature = "";
  var selectedId = null;
  var panel = null; // the side panel: null, "details", "move" or "book"
  var note = null; // {id, text, error}: what the last action on the selected appointment said
  var pollTimer = null;
  var polls = 0;
  var loading = null;
  var loadingKey = null; // the day or week the read in flight is for (rangeKey)

  onForget(function () {
    names.clear();
    rows = [];
    schedule = null;
    scheduleFor = "";
    listTag = null;
    signature = "";
    selectedId = null;
    panel = null;
    note = null;
    day = null;
    view = "day";
    weekWho = "team";
    stopPolling();
  });

  onVaultChange(async function () {
    names.clear();
    if (!els.grid) return;
    await openNames();
    render();
  });

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function may(permission) {
    if (permission === "write") return can("appointments:write");
    if (permission === "identity") return can("clients:identity");
    return false;
  }

  registerScreen({
    id: "day",
    label: "nav_day",
    allowed: function () { return can("appointments:read") || can("appointments:read_own"); },
    render: async function (box, arg) {
      // arg.appointment: open that appointment (a link from a staff mail,
      // /console/?appointment=<id>): its day, its details.
      var wanted = arg && arg.appointment ? await appointmentToShow(arg.appointment) : null;
      if (wanted) {
        day = zoneParts(new Date(wanted.start), ctx.tz).date;
        view = "day";
      }
      if (!day) day = today();
      renderDay(box);
      await load({ announce: false });
      if (wanted && rows.some(function (a) { return a.id === wanted.id; })) select(wanted.id);
      stopPolling();
      pollTimer = setInterval(function () { load({ quiet: true }).catch(function () {}); }, POLL_MS);
    },
    leave: function () {
      stopPolling();
      selectedId = null;
      panel = null;
      els.grid = null;
    },
    tick: function () { if (day) drawNowLine(); }
  });

  /* The appointment a link names, if this person may see it (else none: the
   * day view opens as usual). */
  async function appointmentToShow(id) {
    if (!/^[0-9]{1,15}$/.test(String(id))) return null;
    try {
      return (await api("GET", "/appointments/" + id)).data;
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      return null;
    }
  }

  // --- dates and ranges --------------------------------------------------------------------------

  function weekStart(iso) {
    var weekday = new Date(iso + "T00:00:00Z").getUTCDay(); // 0 = Sunday
    return shiftDay(iso, -((weekday + 6) % 7));
  }

  /* The dates shown: the day, or Monday to Sunday of its week. */
  function shownDates() {
    if (view === "day") return [day];
    var first = weekStart(day);
    return [0, 1, 2, 3, 4, 5, 6].map(function (n) { return shiftDay(first, n); });
  }

  function rangeKey() {
    var dates = shownDates();
    return view + ":" + dates[0] + ":" + dates[dates.length - 1];
  }

  function dateText(iso, options) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", Object.assign({ timeZone: "UTC" }, options))
      .format(new Date(iso + "T00:00:00Z"));
  }

  function shortDay(iso) {
    return dateText(iso, { weekday: "short", day: "numeric", month: "numeric" });
  }

  function minutesOf(hm) {
    var parts = String(hm).split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function hmOf(minutes) {
    return String(Math.floor(minutes / 60)).padStart(2, "0") + ":" + String(minutes % 60).padStart(2, "0");
  }

  // --- the frame: view switch, navigation, booking -------------------------------------------------

  function renderDay(box) {
    var h1 = el("h1", { class: "hb-sr-only", text: tr("app_title") });
    box.appendChild(h1);
    var layout = el("div", { class: "hb-layout" });
    var left = el("div", { class: "hb-daypane" });
    if (may("identity") && vault) left.appendChild(renderVault());
    els.day = el("section", { class: "hb-day", "aria-labelledby": "hb-day-title" });
    left.appendChild(els.day);
    els.details = el("section", { class: "hb-details", "aria-labelledby": "hb-details-title", hidden: true });
    layout.appendChild(left);
    layout.appendChild(els.details);
    box.appendChild(layout);
    renderDayFrame();
  }

  function renderDayFrame() {
    var box = els.day;
    clear(box);
    var week = view === "week";
    var dates = shownDates();
    var title = week
      ? tr("day_week_title", { from: dateText(dates[0], { day: "numeric", month: "long" }), to: dateText(dates[6], { day: "numeric", month: "long", year: "numeric" }) })
      : longDate(day);
    box.appendChild(el("h2", { id: "hb-day-title", text: title }));

    var toolbar = el("div", { class: "hb-toolbar" });
    var views = el("div", { class: "hb-views", role: "group", "aria-label": tr("day_view_label") });
    [["day", "day_view_day"], ["week", "day_view_week"]].forEach(function (v) {
      views.appendChild(el("button", {
        type: "button", class: "hb-secondary hb-view-button", "data-view": v[0], "data-focus": "view-" + v[0], "aria-pressed": view === v[0] ? "true" : "false", text: tr(v[1]),
        onclick: function () { switchView(v[0]); }
      }));
    });
    toolbar.appendChild(views);
    if (may("write")) {
      toolbar.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "book", text: tr("book_new"), onclick: function () { openPanel("book"); } }));
    } else {
      toolbar.appendChild(el("p", { class: "hb-hint hb-why-not", text: tr("book_not_allowed") }));
    }
    box.appendChild(toolbar);

    var dateId = newId("date");
    var picker = el("input", { id: dateId, type: "date", value: day, required: true, "data-focus": "date" });
    picker.addEventListener("change", function () {
      if (/^\d{4}-\d{2}-\d{2}$/.test(picker.value)) goTo(picker.value);
    });
    var step = week ? 7 : 1;
    var nav = el("nav", { class: "hb-daynav", "aria-label": tr(week ? "day_week_nav" : "day_nav") }, [
      el("button", { type: "button", class: "hb-secondary", "data-focus": "prev", text: tr(week ? "day_prev_week" : "prev_day"), onclick: function () { goTo(shiftDay(day, -step)); } }),
      el("span", { class: "hb-field hb-date" }, [el("label", { for: dateId, text: tr("date") }), picker]),
      el("button", { type: "button", class: "hb-secondary", "data-focus": "next", text: tr(week ? "day_next_week" : "next_day"), onclick: function () { goTo(shiftDay(day, step)); } }),
      el("button", { type: "button", class: "hb-secondary", "data-focus": "today", text: tr(week ? "day_this_week" : "today"), onclick: function () { goTo(today()); } })
    ]);
    box.appendChild(nav);
    if (week && ctx.me.role !== "staff") box.appendChild(whoPicker());
    els.updated = el("p", { class: "hb-updated" });
    box.appendChild(els.updated);
    els.grid = el("div", {
      class: "hb-grid-scroll", role: "region", tabindex: "0",
      "aria-label": week ? tr(weekWho === "team" ? "day_week_team_label" : "day_week_person_label") : tr("grid_label")
    });
    box.appendChild(els.grid);
    els.other = el("div", { class: "hb-other" });
    box.appendChild(els.other);
    els.dayError = alertBox();
    box.appendChild(els.dayError);
  }

  /* The week of whom: the whole team (counts) or one person's seven days. */
  function whoPicker() {
    var id = newId("who");
    var select = el("select", { id: id, name: "week-who" }, [el("option", { value: "team", text: tr("day_week_team") })]);
    bookable().forEach(function (s) {
      select.appendChild(el("option", { value: String(s.id), text: s.display_name }));
    });
    select.value = String(weekWho);
    if (select.value !== String(weekWho)) { weekWho = "team"; select.value = "team"; }
    select.addEventListener("change", function () {
      weekWho = select.value === "team" ? "team" : parseInt(select.value, 10);
      els.grid.setAttribute("aria-label", tr(weekWho === "team" ? "day_week_team_label" : "day_week_person_label"));
      render();
      say(select.options[select.selectedIndex].textContent);
    });
    return el("div", { class: "hb-field hb-who-picker" }, [el("label", { for: id, text: tr("day_week_who") }), select]);
  }

  function bookable() {
    var out = [];
    ctx.staff.forEach(function (s) { if (s.active && s.bookable) out.push(s); });
    return out;
  }

  async function switchView(next) {
    if (next === view) return;
    view = next;
    await reopen();
    say(document.getElementById("hb-day-title").textContent);
  }

  async function goTo(iso) {
    day = iso;
    await reopen();
    var h = document.getElementById("hb-day-title");
    if (h) say(h.textContent);
  }

  /* Draw the frame anew for the chosen day or week. The control that had the
   * focus has it again; if it is gone (a day of the week view), the title. */
  async function reopen() {
    var active = document.activeElement;
    var had = active && els.day.contains(active) ? active.getAttribute("data-focus") || "title" : null;
    if (panel !== "book") closePanel(false);
    signature = "";
    rows = [];
    renderDayFrame();
    if (had) {
      var again = els.day.querySelector('[data-focus="' + had + '"]');
      if (again) again.focus();
      else focusHeading(document.getElementById("hb-day-title"));
    }
    els.grid.appendChild(el("p", { class: "hb-hint", text: tr("loading") }));
    await load({ announce: false });
  }

  // --- loading ---------------------------------------------------------------------------------------

  /* The appointments of [from, to): null when a conditional poll says nothing
   * changed (304). The ETag is kept only for a one-page answer (it covers
   * that page). */
  async function readAppointments(from, to, conditional) {
    var path = "/appointments?from=" + from + "T00:00:00&to=" + to + "T00:00:00";
    var headers = conditional && listTag && listTag.path === path ? { "If-None-Match": listTag.etag } : null;
    var r;
    try {
      r = await api("GET", path + "&page_size=100&page=1", undefined, headers);
    } catch (error) {
      if (error instanceof ApiError && error.status === 304) return null;
      throw error;
    }
    var out = r.data || [];
    var info = pageInfo(r);
    var etag = r.headers.get("ETag");
    listTag = etag && !info.next_page ? { path: path, etag: etag } : null;
    while (info.next_page) {
      var more = await api("GET", path + "&page_size=100&page=" + info.next_page);
      out = out.concat(more.data || []);
      info = pageInfo(more);
    }
    return out;
  }

  function pageInfo(r) {
    try { return JSON.parse(r.headers.get("X-Pagination") || "{}"); } catch (error) { return {}; }
  }

  /* Working hours and absences of the shown dates; on failure nothing is
   * shaded (and the view says so). */
  async function loadSchedule(dates, key) {
    try {
      var r = await api("GET", "/schedule?from=" + dates[0] + "&to=" + dates[dates.length - 1]);
      var map = new Map();
      (r.data || []).forEach(function (entry) { map.set(entry.staff_id + "|" + entry.date, entry); });
      schedule = map;
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      schedule = null;
    }
    scheduleFor = key;
  }

  async function load(opts) {
    opts = opts || {};
    if (!session || !ctx || !day) return;
    if (loading) {
      // One read at a time; a read of another day or week (the person clicked on
      // quickly) is followed by one of the range shown now.
      if (loadingKey === rangeKey()) return loading;
      return loading.then(function () { return load(opts); });
    }
    var key = rangeKey();
    var dates = shownDates();
    loadingKey = key;
    loading = (async function () {
      try {
        if (opts.quiet) polls += 1;
        var list = await readAppointments(dates[0], shiftDay(dates[dates.length - 1], 1), !!opts.quiet);
        if (!session || key !== rangeKey()) return;
        var hoursChanged = false;
        if (scheduleFor !== key || !opts.quiet || polls % SCHEDULE_EVERY === 0) {
          var before = JSON.stringify(schedule ? Array.from(schedule.entries()) : null);
          await loadSchedule(dates, key);
          if (!session || key !== rangeKey()) return;
          hoursChanged = before !== JSON.stringify(schedule ? Array.from(schedule.entries()) : null);
        }
        showError(els.dayError, "");
        els.updated.textContent = tr("updated", { time: zoneParts(new Date(), ctx.tz).hm }) + (schedule ? "" : " " + tr("day_no_hours"));
        if (list === null) { // 304: nothing changed
          if (hoursChanged || !opts.quiet) render();
          return;
        }
        var sig = JSON.stringify(list.map(function (a) { return [a.id, a.status, a.start, a.end, a.staff_id, a.service_id, a.client_id, a.updated_at]; }));
        var changed = sig !== signature;
        var fresh = signature ? list.filter(function (a) { return !rows.some(function (b) { return b.id === a.id; }); }).length : 0;
        rows = list;
        signature = sig;
        await openNames();
        if (!session || key !== rangeKey()) return;
        if (changed || hoursChanged || !opts.quiet) render();
        if (opts.quiet && changed) say(newsText(fresh));
      } catch (error) {
        if (error instanceof SessionEnded || !session) return;
        showError(els.dayError, error.status === 0 ? tr("err_network") : tr("err_generic", { message: error.message }));
      } finally {
        loading = null;
        loadingKey = null;
      }
    })();
    return loading;
  }

  function newsText(fresh) {
    var week = view === "week";
    if (!fresh) return tr(week ? "day_news_changed_week" : "news_changed");
    if (fresh === 1) return tr(week ? "day_news_one_week" : "day_news_one");
    return tr(week ? "day_news_new_week" : "news_new", { count: fresh });
  }

  /* After an action: read again now (not conditional), then draw. */
  async function reload() {
    if (loading) await loading;
    signature = "";
    await load({});
  }

  function nameKey(client) {
    return client.id + ":" + client.client_key;
  }

  /* Opens, here, the names of the shown clients (the appointment carries the
   * sealed profile for roles with clients:identity). */
  async function openNames() {
    if (!vault || !vault.canRead) return;
    var todo = rows.filter(function (a) { return a.client && !names.has(nameKey(a.client)); });
    await Promise.all(todo.map(async function (a) {
      try {
        var profile = await vault.openClient(a.client);
        names.set(nameKey(a.client), { name: profile.name || "" });
      } catch (error) {
        if (vault.canRead) names.set(nameKey(a.client), { error: true });
      }
    }));
  }

  function clientLabel(a) {
    if (a.client_id === null || a.client_id === undefined) return { text: tr("client_none"), muted: true };
    if (!a.client) return { text: may("identity") ? tr("client_erased") : tr("client_hidden"), muted: true };
    if (!vault || !vault.unlocked) return { text: tr("client_locked"), muted: true, locked: true };
    if (!vault.canRead) return { text: tr("client_no_access"), muted: true, locked: true };
    var opened = names.get(nameKey(a.client));
    if (!opened) return { text: tr("client_locked"), muted: true, locked: true };
    if (opened.error) return { text: tr("client_unreadable"), muted: true };
    return { text: opened.name };
  }

  function columns() {
    var me = ctx.me;
    if (me.role === "staff") return [me];
    var out = bookable();
    rows.forEach(function (a) {
      if (SHOWN.indexOf(a.status) === -1) return;
      if (!out.some(function (s) { return s.id === a.staff_id; })) {
        out.push(ctx.staff.get(a.staff_id) || { id: a.staff_id, display_name: "#" + a.staff_id, active: false });
      }
    });
    return out;
  }

  function serviceName(a) {
    var s = ctx.services.get(a.service_id);
    return s ? s.name : "#" + a.service_id;
  }

  function dateOf(a) {
    return zoneParts(new Date(a.start), ctx.tz).date;
  }

  /* Where an appointment lies on the date ``on`` (minutes from midnight). */
  function span(a, on) {
    var s = zoneParts(new Date(a.start), ctx.tz), e = zoneParts(new Date(a.end), ctx.tz);
    on = on || s.date;
    var from = s.date < on ? 0 : s.minutes;
    var to = e.date > on ? 24 * 60 : e.minutes;
    return { from: from, to: Math.max(to, from + 5), label: s.hm + "–" + e.hm };
  }

  // --- shading: working time, breaks, time off, closures --------------------------------------------

  function scheduleOf(memberId, date) {
    return schedule ? schedule.get(memberId + "|" + date) || null : null;
  }

  /* The parts of [start, end) outside the working hours, and the absences,
   * in minutes of the date. */
  function shading(entry, start, end) {
    var out = [];
    var at = start;
    (entry.hours || []).map(function (h) { return [minutesOf(h.start), minutesOf(h.end)]; })
      .sort(function (x, y) { return x[0] - y[0]; })
      .forEach(function (h) {
        if (h[0] > at) out.push({ from: at, to: Math.min(h[0], end), kind: "off" });
        at = Math.max(at, h[1]);
      });
    if (at < end) out.push({ from: at, to: end, kind: "off" });
    (entry.away || []).forEach(function (w) {
      out.push({ from: minutesOf(w.start), to: minutesOf(w.end), kind: w.kind === "closure" ? "closure" : "time_off", label: w.label || "" });
    });
    return out.filter(function (s) { return s.to > start && s.from < end && s.to > s.from; });
  }

  function awayText(w) {
    var what = w.kind === "closure" ? tr("day_closure") : tr("day_time_off");
    return w.label ? what + ": " + w.label : what;
  }

  /* In words, for screen readers and the week overview: "Working 09:00–13:00,
   * 14:00–18:00. Time off: Dentist 15:00–16:00". */
  function hoursText(entry) {
    if (!entry) return "";
    var hours = (entry.hours || []).map(function (h) { return h.start + "–" + h.end; });
    var parts = [hours.length ? tr("day_hours", { hours: hours.join(", ") }) : tr("day_not_working")];
    (entry.away || []).forEach(function (w) {
      parts.push(awayText(w) + " (" + w.start + "–" + w.end + ")");
    });
    return parts.join(". ");
  }

  function shade(body, entry, startMin, endMin) {
    if (!entry) return;
    shading(entry, startMin, endMin).forEach(function (s) {
      var from = Math.max(s.from, startMin), to = Math.min(s.to, endMin);
      var node = el("div", { class: "hb-shade hb-shade-" + s.kind + (from === startMin ? " hb-shade-top" : ""), "aria-hidden": "true" },
        s.kind === "off" ? [] : [el("span", { class: "hb-shade-label", text: awayText(s) })]);
      node.style.top = (from - startMin) * PX_PER_MIN + "px";
      node.style.height = (to - from) * PX_PER_MIN + "px";
      body.appendChild(node);
    });
  }

  // --- drawing ------------------------------------------------------------------------------------------

  function render() {
    if (!els.grid) return;
    var focused = document.activeElement && document.activeElement.getAttribute("data-appt");
    var scroll = els.grid.scrollLeft;
    clear(els.grid);
    clear(els.other);
    els.nowLine = null;
    if (view === "week" && ctx.me.role !== "staff" && weekWho === "team") drawTeamWeek();
    else drawTimeGrid();
    els.grid.scrollLeft = scroll;
    drawOther();
    if (focused) {
      var again = els.main.querySelector('[data-appt="' + focused + '"]');
      if (again) again.focus();
    }
    if (panel === "details" && selectedId !== null) drawDetails();
  }

  function shownRows() {
    return rows.filter(function (a) { return SHOWN.indexOf(a.status) !== -1; });
  }

  /* Time columns: the day's team members, or one person's seven days. */
  function drawTimeGrid() {
    var shown = shownRows();
    var cols = [];
    if (view === "day") {
      columns().forEach(function (member) {
        cols.push({ member: member, date: day, items: shown.filter(function (a) { return a.staff_id === member.id; }) });
      });
    } else {
      var who = ctx.me.role === "staff" ? ctx.me : ctx.staff.get(weekWho) || ctx.me;
      shownDates().forEach(function (date) {
        cols.push({ member: who, date: date, items: shown.filter(function (a) { return a.staff_id === who.id && dateOf(a) === date; }) });
      });
    }
    var startMin = 8 * 60, endMin = 20 * 60;
    cols.forEach(function (c) {
      c.items.forEach(function (a) {
        var sp = span(a, c.date);
        startMin = Math.min(startMin, Math.floor(sp.from / 60) * 60);
        endMin = Math.max(endMin, Math.ceil(sp.to / 60) * 60);
      });
      var entry = scheduleOf(c.member.id, c.date);
      ((entry && entry.hours) || []).forEach(function (h) {
        startMin = Math.min(startMin, Math.floor(minutesOf(h.start) / 60) * 60);
        endMin = Math.max(endMin, Math.ceil(minutesOf(h.end) / 60) * 60);
      });
    });
    els.range = { start: startMin, end: endMin };
    var height = (endMin - startMin) * PX_PER_MIN;
    var grid = el("div", { class: "hb-grid" + (view === "week" ? " hb-grid-week" : "") });
    var scale = el("div", { class: "hb-scale", "aria-hidden": "true" });
    var scaleBody = el("div", { class: "hb-col-body" });
    scaleBody.style.height = height + "px";
    for (var m = startMin; m < endMin; m += 60) {
      var mark = el("span", { class: "hb-hour", text: hmOf(m) });
      mark.style.top = (m - startMin) * PX_PER_MIN + "px";
      scaleBody.appendChild(mark);
    }
    scale.appendChild(el("div", { class: "hb-col-head" }));
    scale.appendChild(scaleBody);
    grid.appendChild(scale);
    if (!cols.length) els.grid.appendChild(el("p", { class: "hb-hint", text: tr("no_columns") }));
    cols.forEach(function (c) {
      var headId = newId("col");
      var member = c.member;
      var entry = scheduleOf(member.id, c.date);
      var col = el("section", { class: "hb-col", "aria-labelledby": headId, "data-staff": member.id, "data-date": c.date });
      if (view === "day") {
        col.appendChild(el("h3", { class: "hb-col-head", id: headId, text: member.display_name + (member.active === false ? " (" + tr("inactive") + ")" : "") }));
      } else {
        col.appendChild(el("h3", { class: "hb-col-head", id: headId }, [dayButton(c.date)]));
      }
      if (entry) col.appendChild(el("p", { class: "hb-sr-only", "data-hours": "", text: hoursText(entry) }));
      var body = el("div", { class: "hb-col-body" });
      body.style.height = height + "px";
      shade(body, entry, startMin, endMin);
      for (var mm = startMin; mm < endMin; mm += 60) {
        var line = el("span", { class: "hb-line", "aria-hidden": "true" });
        line.style.top = (mm - startMin) * PX_PER_MIN + "px";
        body.appendChild(line);
      }
      var listLabel = view === "day" ? tr("appointments_of", { name: member.display_name }) : tr("day_appointments_on", { date: longDate(c.date) });
      var list = el("ol", { class: "hb-blocks", "aria-label": listLabel });
      c.items.forEach(function (a) { list.appendChild(el("li", {}, [block(a, startMin, c.date)])); });
      if (!c.items.length) body.appendChild(el("p", { class: "hb-empty", text: tr("no_appointments") }));
      body.appendChild(list);
      col.appendChild(body);
      grid.appendChild(col);
    });
    els.nowLine = el("div", { class: "hb-now", "aria-hidden": "true", hidden: true }, [el("span", { text: tr("now") })]);
    grid.appendChild(els.nowLine);
    els.grid.appendChild(grid);
    drawNowLine();
  }

  /* A day of the week as a button that opens it in the day view. */
  function dayButton(date) {
    return el("button", {
      type: "button", class: "hb-link hb-open-day", "data-day": date,
      onclick: function () { view = "day"; goTo(date); }
    }, [shortDay(date), el("span", { class: "hb-sr-only", text: " " + tr("day_open_day") })]);
  }

  /* The team's week: per person and day the number of appointments, the
   * appointments as small buttons, and whether the person works. */
  function drawTeamWeek() {
    var dates = shownDates();
    var shown = shownRows();
    var members = columns();
    var head = el("tr", {}, [el("th", { scope: "col", text: tr("team_member") })]);
    dates.forEach(function (date) {
      head.appendChild(el("th", { scope: "col" }, [dayButton(date)]));
    });
    var body = el("tbody", {});
    members.forEach(function (member) {
      var tr_ = el("tr", { "data-staff": member.id }, [el("th", { scope: "row", text: member.display_name })]);
      dates.forEach(function (date) {
        var items = shown.filter(function (a) { return a.staff_id === member.id && dateOf(a) === date; });
        var entry = scheduleOf(member.id, date);
        var away = entry && (entry.away || [])[0];
        var off = entry && !(entry.hours || []).length;
        var cell = el("td", { class: "hb-cell" + (away ? " hb-cell-" + (away.kind === "closure" ? "closure" : "time_off") : off ? " hb-cell-off" : ""), "data-date": date });
        cell.appendChild(el("p", { class: "hb-count" + (items.length ? "" : " hb-muted"), text: countText(items.length) }));
        if (away) cell.appendChild(el("p", { class: "hb-cell-note", text: awayText(away) }));
        else if (off) cell.appendChild(el("p", { class: "hb-cell-note", text: tr("day_not_working") }));
        if (items.length) {
          cell.appendChild(el("ul", { class: "hb-mini" }, items.map(function (a) {
            var label = clientLabel(a);
            return el("li", {}, [el("button", {
              type: "button", class: "hb-mini-appt hb-st-" + a.status + (selectedId === a.id ? " hb-selected" : ""), "data-appt": a.id,
              "aria-current": selectedId === a.id ? "true" : null,
              onclick: function () { select(a.id); }
            }, [
              el("span", { class: "hb-appt-time", text: span(a, date).label.slice(0, 5) }),
              " ",
              el("span", { class: "hb-appt-name" + (label.muted ? " hb-muted" : ""), text: label.text }),
              el("span", { class: "hb-sr-only", text: ", " + serviceName(a) + ", " + tr("status_" + a.status) })
            ])]);
          })));
        }
        tr_.appendChild(cell);
      });
      body.appendChild(tr_);
    });
    els.grid.appendChild(el("table", { class: "hb-week" }, [
      el("caption", { class: "hb-sr-only", text: tr("day_week_team_label") }),
      el("thead", {}, [head]),
      body
    ]));
  }

  function countText(n) {
    if (n === 0) return tr("day_count_none");
    return n === 1 ? tr("day_count_one") : tr("day_count", { count: n });
  }

  function drawOther() {
    var gone = rows.filter(function (a) {
      if (SHOWN.indexOf(a.status) !== -1) return false;
      if (ctx.me.role === "staff") return a.staff_id === ctx.me.id;
      return !(view === "week" && weekWho !== "team") || a.staff_id === weekWho;
    });
    if (!gone.length) return;
    els.other.appendChild(el("h3", { text: tr("other_title") }));
    els.other.appendChild(el("ul", { class: "hb-other-list" }, gone.map(function (a) {
      var label = clientLabel(a);
      var who = ctx.staff.get(a.staff_id);
      var when = (view === "week" ? shortDay(dateOf(a)) + " " : "") + span(a).label;
      return el("li", {}, [el("button", {
        type: "button", class: "hb-link", "data-appt": a.id,
        text: when + " · " + label.text + " · " + serviceName(a) + " · " + (who ? who.display_name : "") + " · " + tr("status_" + a.status),
        onclick: function () { select(a.id); }
      })]);
    })));
  }

  function block(a, startMin, on) {
    var sp = span(a, on);
    var label = clientLabel(a);
    var b = el("button", {
      type: "button",
      class: "hb-appt hb-st-" + a.status + (selectedId === a.id ? " hb-selected" : ""),
      "data-appt": a.id,
      "aria-current": selectedId === a.id ? "true" : null,
      onclick: function () { select(a.id); }
    }, [
      el("span", { class: "hb-appt-time", text: sp.label }),
      el("span", { class: "hb-appt-name" + (label.muted ? " hb-muted" : ""), text: label.text }),
      el("span", { class: "hb-appt-service", text: serviceName(a) }),
      el("span", { class: "hb-appt-status", text: tr("status_" + a.status) })
    ]);
    b.style.top = (sp.from - startMin) * PX_PER_MIN + "px";
    b.style.height = Math.max(26, (sp.to - sp.from) * PX_PER_MIN - 2) + "px";
    return b;
  }

  function drawNowLine() {
    if (!els.nowLine || !els.range || !ctx) return;
    var now = zoneParts(new Date(), ctx.tz);
    if (view !== "day" || now.date !== day || now.minutes < els.range.start || now.minutes > els.range.end) {
      els.nowLine.hidden = true;
      return;
    }
    els.nowLine.hidden = false;
    els.nowLine.style.top = "calc(var(--hb-head) + " + (now.minutes - els.range.start) * PX_PER_MIN + "px)";
  }

  // --- the side panel: one appointment's details and actions, moving, booking -----------------------

  function markSelected() {
    els.main.querySelectorAll("[data-appt]").forEach(function (b) {
      var on = selectedId !== null && String(selectedId) === b.getAttribute("data-appt");
      b.classList.toggle("hb-selected", on);
      if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  function select(id) {
    selectedId = id;
    panel = "details";
    note = null;
    markSelected();
    drawDetails();
    focusHeading(document.getElementById("hb-details-title"));
  }

  /* The side panel shows "book" (a new appointment) or "move" (the selected one). */
  function openPanel(kind) {
    panel = kind;
    if (kind === "book") {
      selectedId = null;
      markSelected();
    }
    els.details.hidden = false;
    els.details.onkeydown = function (event) { if (event.key === "Escape") closePanel(true); };
    if (kind === "book") {
      drawBooking(els.details, { date: day, staffId: view === "week" && weekWho !== "team" ? weekWho : null }, booked);
    } else {
      var a = rows.filter(function (r) { return r.id === selectedId; })[0];
      if (!a) { closePanel(true); return; }
      drawMove(els.details, a, moved);
    }
    focusHeading(document.getElementById("hb-details-title"));
  }

  /* Close the side panel; focus goes back to what opened it. */
  function closePanel(refocus) {
    var id = selectedId, was = panel;
    selectedId = null;
    panel = null;
    note = null;
    forgetBooking();
    if (!els.details) return;
    els.details.hidden = true;
    clear(els.details);
    markSelected();
    if (!refocus) return;
    var back = was === "book" ? els.day.querySelector('[data-action="book"]') : els.main.querySelector('[data-appt="' + id + '"]');
    if (back) back.focus();
  }

  /* After booking (from 12-book.js): show the new appointment's day and its details. */
  async function booked(appointment, text) {
    if (!appointment) { closePanel(true); return; }
    await showAppointment(appointment, text);
  }

  /* After moving (from 12-book.js): null + {reload: true} when it changed meanwhile. */
  async function moved(appointment, text, opts) {
    if (!appointment) {
      if (opts && opts.reload) {
        await reload();
        if (rows.some(function (r) { return r.id === selectedId; })) {
          note = { id: selectedId, text: text, error: true };
          panel = "details";
          drawDetails();
          focusHeading(document.getElementById("hb-details-title"));
        } else {
          closePanel(false);
          showError(els.dayError, text);
        }
        return;
      }
      panel = "details";
      drawDetails();
      var button = els.details.querySelector('[data-action="move"]');
      if (button) button.focus();
      return;
    }
    await showAppointment(appointment, text);
  }

  async function showAppointment(appointment, text) {
    var on = dateOf(appointment);
    if (shownDates().indexOf(on) === -1) {
      day = on;
      panel = null;
      selectedId = null;
      renderDayFrame();
    }
    await reload();
    selectedId = appointment.id;
    panel = "details";
    note = { id: appointment.id, text: text, error: false };
    if (!rows.some(function (r) { return r.id === appointment.id; })) rows.push(appointment);
    markSelected();
    drawDetails();
    say(text);
    focusHeading(document.getElementById("hb-details-title"));
  }

  function started(a) {
    return new Date(a.start).getTime() <= Date.now();
  }

  function actionsFor(a) {
    if (!may("write")) return [];
    var out = [];
    if (a.status === "pending") out.push("confirm");
    if (a.status === "confirmed" && started(a)) out.push("complete", "no_show");
    if (a.status === "pending" || a.status === "confirmed") out.push("move", "cancel");
    return out;
  }

  function drawDetails() {
    var a = rows.filter(function (r) { return r.id === selectedId; })[0];
    var box = els.details;
    var hadFocus = box.contains(document.activeElement) ? document.activeElement.getAttribute("data-action") : null;
    clear(box);
    if (!a) {
      box.hidden = true;
      panel = null;
      return;
    }
    box.hidden = false;
    var sp = span(a);
    var who = ctx.staff.get(a.staff_id);
    var label = clientLabel(a);
    box.appendChild(el("h2", { id: "hb-details-title", tabindex: "-1", text: tr("details_title") + " " + sp.label }));
    if (note && note.id === a.id && !note.error) box.appendChild(el("p", { class: "hb-ok", role: "status", text: note.text }));
    var facts = [
      [tr("client"), label.text],
      [tr("time"), longDate(dateOf(a)) + ", " + sp.label],
      [tr("team_member"), who ? who.display_name : "#" + a.staff_id],
      [tr("service"), serviceName(a)],
      [tr("status"), tr("status_" + a.status)],
      [tr("source"), tr("source_" + a.source)]
    ];
    box.appendChild(el("dl", { class: "hb-facts" }, facts.reduce(function (acc, f) {
      acc.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
      return acc;
    }, [])));
    if (a.status === "confirmed" && !started(a) && may("write")) {
      box.appendChild(el("p", { class: "hb-hint", text: tr("not_started_hint") }));
    }
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    actionsFor(a).forEach(function (action) {
      actions.appendChild(el("button", {
        type: "button",
        class: action === "cancel" ? "hb-danger" : action === "move" ? "hb-secondary" : "hb-primary",
        "data-action": action,
        text: tr(action === "move" ? "day_move" : "act_" + action),
        onclick: function () {
          if (action === "cancel") askCancel(a, actions, errors);
          else if (action === "move") openPanel("move");
          else act(a, action, errors);
        }
      }));
    });
    box.appendChild(actions);
    box.appendChild(errors);
    if (note && note.id === a.id && note.error) showError(errors, note.text);
    box.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "close", text: tr("close"), onclick: function () { closePanel(true); } }));
    box.onkeydown = function (event) { if (event.key === "Escape") closePanel(true); };
    if (hadFocus) {
      var again = box.querySelector('[data-action="' + hadFocus + '"]');
      if (again) again.focus();
    }
  }

  function askCancel(a, actions, errors) {
    clear(actions);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("act_cancel_really") });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "cancel-yes", "aria-describedby": q.id, text: tr("act_cancel_yes"), onclick: function () { act(a, "cancel", errors); } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "cancel-no", text: tr("act_keep"), onclick: function () { note = null; drawDetails(); focusHeading(document.getElementById("hb-details-title")); } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    yes.focus();
  }

  async function act(a, action, errors) {
    showError(errors, "");
    els.details.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    try {
      var r = await api("POST", "/appointments/" + a.id + "/" + action.replace("_", "-"));
      rows = rows.map(function (x) { return x.id === a.id ? r.data : x; });
      signature = "";
      note = { id: a.id, text: tr("done_" + action), error: false };
      render();
      say(note.text);
      focusHeading(document.getElementById("hb-details-title"));
      load({ quiet: true }).catch(function () {});
    } catch (error) {
      if (error instanceof SessionEnded) return;
      note = { id: a.id, text: reasonText(error), error: true };
      drawDetails();
      focusHeading(document.getElementById("hb-details-title"));
      load({ quiet: true }).catch(function () {});
    }
  }

/* Booking a caller and moving an appointment: the forms the appointment book
 * (screens/10-day.js) opens in its side panel. Part of the console's one
 * function scope (see console.js); registers no screen of its own.
 *
 * Free times come from GET /v1/availability (one day, one service, one person
 * or everyone who offers it). A new client's profile is sealed HERE with
 * vault.sealProfile (the business's public key) and sent as {client_key,
 * sealed_profile, key_version, contacts} inside POST /v1/appointments, the body
 * the Python SDK's appointments.create(new_client=…, contacts=…) sends: the
 * name never leaves the browser in the clear; the typed phone and e-mail go
 * along only so the service can hash them into its blind index (never stored),
 * which is how POST /v1/clients/lookup finds a returning client. Moving reads
 * the appointment first for its ETag and sends PATCH with If-Match. */

  var PHONE = /^\+?[0-9 ()/.-]{5,30}$/;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var booking = null; // the open booking form: {found, foundName, vaultChanged()}

  onForget(forgetBooking);

  onVaultChange(function () {
    if (booking && booking.vaultChanged) return booking.vaultChanged();
  });

  function forgetBooking() {
    booking = null;
  }

  function selectField(label, options, attrs) {
    var id = newId("f");
    var select = el("select", Object.assign({ id: id }, attrs || {}));
    var node = el("div", { class: "hb-field" }, [el("label", { for: id, text: label }), select]);
    setOptions(select, options);
    return { input: select, node: node };
  }

  function setOptions(select, options) {
    var was = select.value;
    clear(select);
    options.forEach(function (o) { select.appendChild(el("option", { value: String(o[0]), text: o[1] })); });
    if (options.some(function (o) { return String(o[0]) === was; })) select.value = was;
  }

  /* Active, bookable team members who offer ``service``. */
  function offering(service) {
    return bookable().filter(function (s) { return (service.staff_ids || []).indexOf(s.id) !== -1; });
  }

  function isoInstant(ms) {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /* Free starts of a service on a local date: [{at (ms), hm, staff: [ids]}], by time. */
  async function freeTimes(serviceId, staffId, date) {
    var path = "/availability?service_id=" + serviceId + "&from=" + date + "T00:00:00&to=" + shiftDay(date, 1) + "T00:00:00" + (staffId ? "&staff_id=" + staffId : "");
    var r = await api("GET", path);
    var byTime = new Map();
    (r.data || []).forEach(function (person) {
      var step = Math.max(1, person.step_min || 15) * 60000;
      (person.windows || []).forEach(function (w) {
        var last = Date.parse(w.last);
        for (var at = Date.parse(w.first), n = 0; at <= last && n < 1500; at += step, n++) {
          var slot = byTime.get(at);
          if (!slot) {
            slot = { at: at, hm: zoneParts(new Date(at), ctx.tz).hm, staff: [] };
            byTime.set(at, slot);
          }
          slot.staff.push(person.staff_id);
        }
      });
    });
    return Array.from(byTime.values()).sort(function (x, y) { return x.at - y.at; });
  }

  /* The free times as one radio group. ``prefer``: the person to take when
   * several are free at the chosen time ("anyone"). */
  function timePicker() {
    var name = newId("time");
    var legend = el("legend", { text: tr("book_times") });
    var list = el("div", { class: "hb-time-list" });
    var info = el("p", { class: "hb-hint", role: "status" });
    var chosenText = el("p", { class: "hb-chosen" });
    var node = el("fieldset", { class: "hb-times" }, [legend, info, list, chosenText]);
    var slots = [];
    var prefer = null;

    function chosen() {
      var on = list.querySelector("input:checked");
      if (!on) return null;
      var slot = slots[parseInt(on.value, 10)];
      var staffId = prefer !== null && slot.staff.indexOf(prefer) !== -1 ? prefer : slot.staff[0];
      return { at: slot.at, hm: slot.hm, staffId: staffId };
    }

    function describe() {
      var c = chosen();
      var who = c && ctx.staff.get(c.staffId);
      chosenText.textContent = c ? tr("book_chosen", { time: c.hm, name: who ? who.display_name : "#" + c.staffId }) : "";
    }

    return {
      node: node,
      chosen: chosen,
      loading: function () {
        slots = [];
        clear(list);
        chosenText.textContent = "";
        info.textContent = tr("book_times_loading");
      },
      fail: function (text) {
        slots = [];
        clear(list);
        chosenText.textContent = "";
        info.textContent = text;
      },
      show: function (found, date, preferred) {
        var before = chosen();
        slots = found;
        prefer = preferred === undefined ? null : preferred;
        clear(list);
        legend.textContent = tr("book_times_on", { date: longDate(date) });
        info.textContent = found.length ? tr("book_times_count", { count: found.length }) : tr("book_times_none");
        found.forEach(function (slot, i) {
          var id = name + "-" + i;
          var input = el("input", { type: "radio", name: name, id: id, value: String(i), onchange: describe });
          if (before && before.at === slot.at) input.checked = true;
          list.appendChild(el("span", { class: "hb-time" }, [input, el("label", { for: id, text: slot.hm })]));
        });
        describe();
      }
    };
  }

  function focusUnlock() {
    var input = els.vault && els.vault.querySelector("input");
    if (input) input.focus();
    else if (els.vault) focusHeading(els.vault.querySelector("h2"));
  }

  // --- booking a caller ---------------------------------------------------------------------------------

  /* The form in ``box`` (the side panel). opts: {date, staffId}; done(appointment,
   * text) after booking, done(null) when given up. */
  function drawBooking(box, opts, done) {
    clear(box);
    var state = { found: null, foundName: null, vaultChanged: null };
    booking = state;
    box.appendChild(el("h2", { id: "hb-details-title", tabindex: "-1", text: tr("book_title") }));
    var services = [];
    ctx.services.forEach(function (s) { if (s.active !== false && offering(s).length) services.push(s); });
    var close = el("button", { type: "button", class: "hb-secondary", "data-action": "close", text: tr("book_cancel"), onclick: function () { done(null); } });
    if (!services.length) {
      box.appendChild(el("p", { text: tr("book_no_services") }));
      box.appendChild(close);
      return;
    }
    var service = selectField(tr("service"), services.map(function (s) { return [s.id, tr("book_service_option", { name: s.name, minutes: s.duration_min })]; }), { name: "book-service" });
    var person = selectField(tr("team_member"), [], { name: "book-person" });
    var date = field(tr("book_date"), { type: "date", name: "book-date", value: opts.date, required: true });
    var times = timePicker();
    var client = clientPart(state);
    var errors = alertBox();
    var submit = el("button", { type: "submit", class: "hb-primary", "data-action": "book-submit", text: tr("book_submit") });
    var form = el("form", { class: "hb-form hb-book", novalidate: true }, [
      service.node, person.node, date.node, times.node, client.node, errors,
      el("div", { class: "hb-actions" }, [submit, close])
    ]);
    box.appendChild(form);

    function people() {
      var s = ctx.services.get(parseInt(service.input.value, 10));
      setOptions(person.input, [["", tr("book_anyone")]].concat(offering(s).map(function (m) { return [m.id, m.display_name]; })));
    }
    people();
    if (opts.staffId) person.input.value = String(opts.staffId);

    var asked = 0;
    async function refreshTimes() {
      var mine = ++asked;
      var on = date.input.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) { times.fail(tr("book_pick_date")); return; }
      times.loading();
      try {
        var found = await freeTimes(service.input.value, person.input.value, on);
        if (mine === asked) times.show(found, on);
      } catch (error) {
        if (error instanceof SessionEnded || mine !== asked) return;
        times.fail(reasonText(error));
      }
    }
    service.input.addEventListener("change", function () { people(); refreshTimes(); });
    person.input.addEventListener("change", refreshTimes);
    date.input.addEventListener("change", refreshTimes);
    refreshTimes();

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var slot = times.chosen();
      var problems = [];
      if (!slot) problems.push(tr("book_need_time"));
      var kind = client.kind();
      var body = {
        service_id: parseInt(service.input.value, 10),
        staff_id: slot ? slot.staffId : null,
        start: slot ? isoInstant(slot.at) : null,
        source: kind === "none" ? "walk_in" : "phone",
        allow_outside_hours: false
      };
      if (kind === "returning" && !state.found) problems.push(tr("book_need_client"));
      var typed = kind === "new" ? client.typed() : null;
      if (typed) problems = problems.concat(typed.problems);
      if (problems.length) {
        showError(errors, tr("err_check"), problems);
        return;
      }
      if (kind !== "none" && !(vault && vault.unlocked)) {
        showError(errors, tr("book_unlock_first"));
        focusUnlock();
        return;
      }
      submit.disabled = true;
      try {
        if (kind === "returning") body.client_id = state.found.id;
        if (kind === "new") {
          // Sealed here to the business's public key; the name is never sent in the clear.
          body.client = await vault.sealProfile(typed.profile);
          if (Object.keys(typed.contacts).length) body.client.contacts = typed.contacts;
        }
        var r = await api("POST", "/appointments", body);
        client.clear();
        var who = ctx.staff.get(r.data.staff_id);
        forgetBooking();
        await done(r.data, tr("book_done", { date: longDate(zoneParts(new Date(r.data.start), ctx.tz).date), time: zoneParts(new Date(r.data.start), ctx.tz).hm, name: who ? who.display_name : "" }));
      } catch (error) {
        submit.disabled = false;
        if (error instanceof SessionEnded) return;
        if (error.reason === "slot_taken") {
          showError(errors, tr("book_slot_taken"));
          refreshTimes();
        } else if (error.reason === "stale_key_version" || error.name === "VaultLocked") {
          showError(errors, tr("book_relock"));
        } else if (error.status === 422) {
          showError(errors, tr("err_check"), fieldErrors(error.problem));
        } else {
          showError(errors, error instanceof ApiError ? reasonText(error) : tr("book_seal_failed"));
        }
      }
    });
  }

  /* Who the appointment is for: a returning client (found by phone or e-mail),
   * a new client (typed, sealed here) or nobody (walk-in). */
  function clientPart(state) {
    var collected = (ctx.tenant.profile_fields || ["name", "email", "phone"]);
    var group = newId("kind");
    var kinds = [];
    if (can("clients:read")) kinds.push(["returning", "book_client_returning"]);
    kinds.push(["new", "book_client_new"], ["none", "book_client_none"]);
    var radios = el("div", { class: "hb-kinds" });
    kinds.forEach(function (k, i) {
      var id = group + "-" + k[0];
      radios.appendChild(el("span", { class: "hb-kind" }, [
        el("input", { type: "radio", name: group, id: id, value: k[0], checked: i === 0, onchange: update }),
        el("label", { for: id, text: tr(k[1]) })
      ]));
    });
    var hint = el("div", { class: "hb-vault-hint", hidden: true });

    // (a) a returning client
    var query = field(tr("book_lookup"), { name: "book-lookup", autocomplete: "off", spellcheck: "false" }, tr("book_lookup_hint"));
    var findButton = el("button", { type: "button", class: "hb-secondary", "data-action": "lookup", text: tr("book_find") });
    var result = el("p", { class: "hb-found", role: "status" });
    var returning = el("div", { class: "hb-client-part" }, [el("div", { class: "hb-lookup" }, [query.node, findButton]), result]);
    query.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); find(); }
    });
    findButton.addEventListener("click", find);

    // (b) a new client
    var name = field(tr("book_name"), { name: "book-name", autocomplete: "off", required: true });
    var phone = collected.indexOf("phone") !== -1 ? field(tr("book_phone"), { name: "book-phone", type: "tel", autocomplete: "off" }) : null;
    var email = collected.indexOf("email") !== -1 ? field(tr("book_email"), { name: "book-email", type: "email", autocomplete: "off" }) : null;
    var fresh = el("div", { class: "hb-client-part" }, [
      el("p", { class: "hb-hint", text: tr("book_sealed_hint") }),
      name.node, phone ? phone.node : null, email ? email.node : null
    ]);

    var node = el("fieldset", { class: "hb-client" }, [el("legend", { text: tr("client") }), radios, hint, returning, fresh]);

    function kind() {
      var on = radios.querySelector("input:checked");
      return on ? on.value : "none";
    }

    function showHint(text) {
      clear(hint);
      hint.hidden = !text;
      if (!text) return;
      hint.appendChild(el("p", { text: text }));
      if (els.vault && !(vault && vault.unlocked)) {
        hint.appendChild(el("button", { type: "button", class: "hb-link", text: tr("book_go_unlock"), onclick: focusUnlock }));
      }
    }

    function update() {
      var k = kind();
      returning.hidden = k !== "returning";
      fresh.hidden = k !== "new";
      var locked = !(vault && vault.unlocked);
      if (k === "returning") showHint(locked ? tr("book_locked_find") : !vault.canRead ? tr("book_no_grant") : "");
      else if (k === "new") showHint(locked ? tr("book_locked_new") : "");
      else showHint("");
      findButton.disabled = k === "returning" && (locked || !vault.canRead);
    }

    async function find() {
      var text = query.input.value.trim();
      state.found = null;
      state.foundName = null;
      result.textContent = "";
      query.input.removeAttribute("aria-invalid");
      if (!text) {
        query.input.setAttribute("aria-invalid", "true");
        result.textContent = tr("book_lookup_empty");
        query.input.focus();
        return;
      }
      if (!(vault && vault.canRead)) { update(); return; }
      var body = text.indexOf("@") !== -1 ? { email: text } : { phone: text };
      findButton.disabled = true;
      result.textContent = tr("book_finding");
      try {
        var r = await api("POST", "/clients/lookup", body);
        var row = (r.data || [])[0];
        if (!row) {
          result.textContent = tr("book_not_found");
          return;
        }
        var profile = await vault.openClient(row);
        if (booking !== state) return;
        state.found = row;
        state.foundName = profile.name || "";
        var extra = [profile.phone, profile.email].filter(function (x) { return x; }).join(" · ");
        result.textContent = tr("book_found", { name: state.foundName }) + (extra ? " (" + extra + ")" : "");
      } catch (error) {
        if (error instanceof SessionEnded) return;
        if (error.status === 422) {
          query.input.setAttribute("aria-invalid", "true");
          result.textContent = tr("book_lookup_invalid");
        } else {
          result.textContent = error instanceof ApiError ? reasonText(error) : tr("client_unreadable");
        }
      } finally {
        findButton.disabled = false;
        update();
      }
    }

    function typed() {
      var problems = [];
      var profile = {}, contacts = {};
      var fields = [name, phone, email].filter(function (f) { return f; });
      fields.forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      var n = name.input.value.trim();
      if (!n) { problems.push(tr("book_name")); name.input.setAttribute("aria-invalid", "true"); }
      else profile.name = n;
      var p = phone ? phone.input.value.trim() : "";
      if (p && !PHONE.test(p)) { problems.push(tr("book_phone_invalid")); phone.input.setAttribute("aria-invalid", "true"); }
      else if (p) { profile.phone = p; contacts.phone = p; }
      var e = email ? email.input.value.trim() : "";
      if (e && !EMAIL.test(e)) { problems.push(tr("book_email_invalid")); email.input.setAttribute("aria-invalid", "true"); }
      else if (e) { profile.email = e; contacts.email = e; }
      return { problems: problems, profile: profile, contacts: contacts };
    }

    state.vaultChanged = async function () {
      if (booking !== state) return;
      update();
      if (state.found) {
        try {
          state.foundName = (await vault.openClient(state.found)).name || "";
          result.textContent = tr("book_found", { name: state.foundName });
        } catch (error) {
          state.found = null;
          state.foundName = null;
          result.textContent = "";
        }
      }
    };

    update();
    return {
      node: node,
      kind: kind,
      typed: typed,
      clear: function () {
        [query, name, phone, email].forEach(function (f) { if (f) f.input.value = ""; });
        result.textContent = "";
      }
    };
  }

  // --- moving an appointment ------------------------------------------------------------------------------

  /* The move form in ``box``: another date, time and/or person. done(updated,
   * text) after moving; done(null) to go back; done(null, text, {reload: true})
   * when the appointment changed meanwhile. */
  function drawMove(box, a, done) {
    clear(box);
    var service = ctx.services.get(a.service_id);
    var now = zoneParts(new Date(a.start), ctx.tz);
    var who = ctx.staff.get(a.staff_id);
    box.appendChild(el("h2", { id: "hb-details-title", tabindex: "-1", text: tr("day_move_title") }));
    box.appendChild(el("p", { class: "hb-hint", text: tr("day_move_now", {
      date: longDate(now.date), time: now.hm, name: who ? who.display_name : "#" + a.staff_id, service: service ? service.name : "#" + a.service_id
    }) }));
    var people = service ? offering(service) : [];
    if (!people.some(function (m) { return m.id === a.staff_id; }) && who) people.unshift(who);
    var person = selectField(tr("team_member"), [["", tr("book_anyone")]].concat(people.map(function (m) { return [m.id, m.display_name]; })), { name: "move-person" });
    person.input.value = String(a.staff_id);
    var date = field(tr("day_move_date"), { type: "date", name: "move-date", value: now.date, required: true });
    var times = timePicker();
    var errors = alertBox();
    var submit = el("button", { type: "submit", class: "hb-primary", "data-action": "move-submit", text: tr("day_move_submit") });
    var back = el("button", { type: "button", class: "hb-secondary", "data-action": "move-back", text: tr("day_move_back"), onclick: function () { done(null); } });
    var form = el("form", { class: "hb-form hb-move", novalidate: true }, [person.node, date.node, times.node, errors, el("div", { class: "hb-actions" }, [submit, back])]);
    box.appendChild(form);

    var asked = 0;
    async function refreshTimes() {
      var mine = ++asked;
      var on = date.input.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) { times.fail(tr("book_pick_date")); return; }
      times.loading();
      try {
        var found = await freeTimes(a.service_id, person.input.value, on);
        if (mine === asked) times.show(found, on, a.staff_id);
      } catch (error) {
        if (error instanceof SessionEnded || mine !== asked) return;
        times.fail(reasonText(error));
      }
    }
    person.input.addEventListener("change", refreshTimes);
    date.input.addEventListener("change", refreshTimes);
    refreshTimes();

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var slot = times.chosen();
      if (!slot) {
        showError(errors, tr("err_check"), [tr("book_need_time")]);
        return;
      }
      submit.disabled = true;
      try {
        // The appointment as the service has it now, with its ETag: if it is no
        // longer what this screen showed, nothing is moved.
        var current = await api("GET", "/appointments/" + a.id);
        var c = current.data;
        if (c.updated_at !== a.updated_at || c.status !== a.status || c.start !== a.start || c.staff_id !== a.staff_id) {
          await done(null, tr("day_move_changed"), { reload: true });
          return;
        }
        var r = await api("PATCH", "/appointments/" + a.id, { start: isoInstant(slot.at), staff_id: slot.staffId }, { "If-Match": current.headers.get("ETag") });
        var moved = zoneParts(new Date(r.data.start), ctx.tz);
        var to = ctx.staff.get(r.data.staff_id);
        await done(r.data, tr("day_moved", { date: longDate(moved.date), time: moved.hm, name: to ? to.display_name : "" }));
      } catch (error) {
        submit.disabled = false;
        if (error instanceof SessionEnded) return;
        if (error.status === 412 || error.status === 404) {
          await done(null, error.status === 412 ? tr("day_move_changed") : reasonText(error), { reload: true });
        } else if (error.reason === "slot_taken") {
          showError(errors, tr("book_slot_taken"));
          refreshTimes();
        } else if (error.status === 409) {
          await done(null, tr("day_move_not_possible"), { reload: true });
        } else if (error.status === 422) {
          showError(errors, tr("err_check"), fieldErrors(error.problem));
        } else {
          showError(errors, reasonText(error));
        }
      }
    });
  }

/* Clients: find a client and their card — the profile, figures, consent and
 * appointments; change the profile, export (GDPR Art. 15/20) and erase
 * (Art. 17). Part of the console's one function scope (see console.js); every
 * name declared here starts with "cli" so that it cannot clash with another
 * screen's.
 *
 * Profiles are sealed; nothing is searched by name at the service. The screen
 * loads the appointments of a period (CLI_PAST_DAYS back, CLI_NEXT_DAYS ahead:
 * they carry their client's sealed profile), opens those profiles here and
 * filters them as one types. Anyone else is found by phone or e-mail through
 * POST /v1/clients/lookup (a keyed fingerprint at the service). A changed
 * profile is sealed again here (vault.sealProfile, a new client key) and sent
 * with the ETag it was read with: PUT /v1/clients/{id}/profile. Everything
 * opened is forgotten at sign-out, at the lock and when client data is
 * locked. */

  var CLI_PAST_DAYS = 90;
  var CLI_NEXT_DAYS = 30;
  var CLI_SHOWN = 30; // search results listed at most
  var CLI_KNOWN_FIELDS = ["name", "email", "phone", "birthday", "notes"];
  var CLI_MAX = { name: 200, email: 254, phone: 30, notes: 4000 };
  var CLI_PHONE = /^\+?[0-9 ()\/.\-]{5,30}$/;
  var CLI_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  var cliBook = null; // {from, to, at, clients: Map(id -> {row, profile, appts}), unreadable}
  var cliLoading = null;
  var cliGen = 0; // bumped when everything is forgotten: late answers are dropped
  var cliQuery = "";
  var cliCard = null; // {id, row, etag, profile, mode: "view"|"edit"|"erase", note, loading, failed}
  var cliEls = {}; // the screen's nodes while it is shown
  var cliSayTimer = null;

  onForget(cliForget);

  onVaultChange(async function () {
    if (!vault || !vault.canRead) cliForget();
    if (cliEls.area && cliEls.area.isConnected) cliDraw();
  });

  function cliForget() {
    cliGen += 1;
    cliBook = null;
    cliLoading = null;
    cliQuery = "";
    cliCard = null;
    if (cliSayTimer) clearTimeout(cliSayTimer);
    cliSayTimer = null;
  }

  registerScreen({
    id: "clients",
    label: "clients_nav",
    allowed: function () { return can("clients:read"); },
    render: async function (box, arg) {
      box.appendChild(el("h1", { text: tr("clients_title") }));
      if (vault && typeof renderVault === "function") box.appendChild(renderVault());
      cliEls = { area: el("div", { class: "hb-clients" }) };
      box.appendChild(cliEls.area);
      cliCard = null;
      cliDraw();
      if (arg && arg.clientId && cliReadable()) cliOpen(arg.clientId);
    },
    leave: function () {
      cliEls = {};
      cliCard = null;
    }
  });

  function cliReadable() {
    return !!(vault && vault.unlocked && vault.canRead);
  }

  // --- small helpers ----------------------------------------------------------------------

  /* Case- and accent-insensitive form of a name: "Grün-Weiß" -> "grun-weiss". */
  function cliFold(text) {
    return String(text || "").toLowerCase().replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function cliDay(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
      .format(new Date(iso + "T00:00:00Z"));
  }

  function cliWhen(instant) {
    var p = zoneParts(new Date(instant), ctx.tz);
    var day = new Intl.DateTimeFormat(t.locale || "en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
      .format(new Date(p.date + "T00:00:00Z"));
    return day + ", " + p.hm;
  }

  function cliMoney(cents) {
    return new Intl.NumberFormat(t.locale || "en-GB", { style: "currency", currency: "EUR" }).format((cents || 0) / 100);
  }

  function cliMonth(month) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", { month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2000, month - 1, 1)));
  }

  function cliLabel(name) {
    if (CLI_KNOWN_FIELDS.indexOf(name) !== -1) return tr("clients_field_" + name);
    return name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, " ");
  }

  function cliName(card) {
    return (card.profile && card.profile.name) || tr("clients_unnamed", { id: card.id });
  }

  /* The fields the salon collects, in its order (tenant.profile_fields). */
  function cliCollected() {
    var names = (ctx.tenant && ctx.tenant.profile_fields) || ["name", "email", "phone"];
    return names.indexOf("name") === -1 ? ["name"].concat(names) : names.slice();
  }

  function cliFacts(pairs, cls) {
    return el("dl", { class: "hb-facts" + (cls ? " " + cls : "") }, pairs.reduce(function (acc, p) {
      acc.push(el("dt", { text: p[0] }), el("dd", { class: p[2] || null, text: p[1] }));
      return acc;
    }, []));
  }

  function cliErrorText(error) {
    if (error.status === 412) return tr("clients_conflict");
    if (error.reason === "stale_key_version") return tr("clients_stale_key");
    if (error.status === 404) return tr("clients_gone");
    return reasonText(error);
  }

  function cliSameProfile(a, b) {
    if (!a || !b || a.client_key !== b.client_key) return false;
    var sa = a.sealed_profile || {}, sb = b.sealed_profile || {};
    var ka = Object.keys(sa).sort(), kb = Object.keys(sb).sort();
    return ka.join(",") === kb.join(",") && ka.every(function (k) { return sa[k] === sb[k]; });
  }

  // --- the screen ---------------------------------------------------------------------------

  function cliDraw() {
    var area = cliEls.area;
    if (!area) return;
    clear(area);
    if (!cliReadable()) {
      var text = !vault ? tr("err_no_vault") : vault.unlocked ? tr("clients_no_grant") : tr("clients_locked_hint");
      area.appendChild(el("p", { class: "hb-notice", text: text }));
      return;
    }
    cliEls.search = el("section", { class: "hb-cli-panel hb-cli-search", "aria-labelledby": "hb-cli-search-title" });
    cliEls.card = el("section", { class: "hb-cli-panel hb-cli-card", "aria-labelledby": "hb-cli-card-title", hidden: true });
    area.appendChild(el("div", { class: "hb-cli-layout" }, [cliEls.search, cliEls.card]));
    cliDrawSearch();
    cliDrawCard();
    cliLoadBook(false);
  }

  function cliDrawSearch() {
    var box = cliEls.search;
    clear(box);
    var from = shiftDay(today(), -CLI_PAST_DAYS), to = shiftDay(today(), CLI_NEXT_DAYS);
    box.appendChild(el("h2", { id: "hb-cli-search-title", tabindex: "-1", text: tr("clients_search_title") }));
    cliEls.note = el("p", { class: "hb-ok", role: "status" });
    box.appendChild(cliEls.note);
    var name = field(tr("clients_search_name"), {
      type: "search", name: "client-name", autocomplete: "off", spellcheck: "false", value: cliQuery
    }, tr("clients_search_hint", { from: cliDay(from), to: cliDay(to) }));
    name.input.addEventListener("input", function () {
      cliQuery = name.input.value;
      cliDrawResults(true);
    });
    cliEls.name = name.input;
    box.appendChild(el("form", { class: "hb-form hb-cli-find", role: "search", novalidate: true, onsubmit: function (e) { e.preventDefault(); } }, [name.node]));
    cliEls.count = el("p", { class: "hb-hint hb-cli-count", id: newId("count") });
    cliEls.list = el("ul", { class: "hb-cli-list", "aria-label": tr("clients_results") });
    cliEls.loadError = alertBox();
    cliEls.loaded = el("p", { class: "hb-hint" });
    box.appendChild(cliEls.count);
    box.appendChild(cliEls.list);
    box.appendChild(cliEls.loadError);
    box.appendChild(el("div", { class: "hb-cli-loaded" }, [
      cliEls.loaded,
      el("button", { type: "button", class: "hb-link", text: tr("clients_reload"), onclick: function () { cliLoadBook(true); } })
    ]));
    box.appendChild(cliLookupForm());
    cliDrawResults(false);
  }

  function cliLookupForm() {
    var contact = field(tr("clients_lookup_label"), { name: "client-contact", autocomplete: "off", spellcheck: "false" }, tr("clients_lookup_hint"));
    var errors = alertBox();
    var result = el("p", { class: "hb-hint", role: "status" });
    var button = el("button", { type: "submit", class: "hb-secondary", text: tr("clients_lookup_button") });
    var title = el("h3", { id: newId("lookup"), text: tr("clients_lookup_title") });
    var form = el("form", { class: "hb-form hb-cli-lookup", novalidate: true, "aria-labelledby": title.id }, [title, contact.node, button, errors, result]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      result.textContent = "";
      contact.input.removeAttribute("aria-invalid");
      var value = contact.input.value.trim();
      var body = value.indexOf("@") !== -1 ? { email: value } : { phone: value };
      if (!value || (body.phone && !CLI_PHONE.test(value)) || (body.email && !CLI_EMAIL.test(value))) {
        contact.input.setAttribute("aria-invalid", "true");
        showError(errors, value ? tr("clients_lookup_invalid") : tr("err_missing"), value ? [] : [tr("clients_lookup_label")]);
        contact.input.focus();
        return;
      }
      var gen = cliGen;
      button.disabled = true;
      try {
        var r = await api("POST", "/clients/lookup", body);
        if (gen !== cliGen) return;
        if (!r.data || !r.data.length) {
          result.textContent = tr("clients_lookup_none");
          return;
        }
        contact.input.value = ""; // what was typed is not kept on the page
        await cliOpen(r.data[0].id);
      } catch (error) {
        if (error instanceof SessionEnded) return;
        if (error.status === 422) contact.input.setAttribute("aria-invalid", "true");
        showError(errors, error.status === 422 ? tr("clients_lookup_invalid") : reasonText(error));
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  /* The clients of the period: their appointments carry the sealed profile,
   * which is opened here. Kept (in memory) until the next "Load again",
   * sign-out, lock or locking client data. */
  function cliLoadBook(force) {
    if (cliBook && !force) return Promise.resolve();
    if (cliLoading) return cliLoading;
    if (!can("appointments:read")) return Promise.resolve();
    var gen = cliGen;
    var from = shiftDay(today(), -CLI_PAST_DAYS), to = shiftDay(today(), CLI_NEXT_DAYS);
    if (cliEls.loaded) cliEls.loaded.textContent = tr("clients_loading");
    if (cliEls.loadError) showError(cliEls.loadError, "");
    cliLoading = (async function () {
      try {
        var rows = await allPages("/appointments?from=" + from + "T00:00:00&to=" + shiftDay(to, 1) + "T00:00:00");
        if (gen !== cliGen) return;
        var clients = new Map();
        rows.forEach(function (a) {
          if (!a.client) return;
          var entry = clients.get(a.client.id) || { row: a.client, profile: null, appts: [] };
          entry.appts.push(a);
          clients.set(a.client.id, entry);
        });
        var unreadable = 0;
        await Promise.all(Array.from(clients.values()).map(async function (entry) {
          try {
            entry.profile = await vault.openClient(entry.row);
          } catch (error) {
            unreadable += 1;
          }
        }));
        if (gen !== cliGen) return;
        cliBook = { from: from, to: to, at: zoneParts(new Date(), ctx.tz).hm, clients: clients, unreadable: unreadable };
      } catch (error) {
        if (error instanceof SessionEnded || gen !== cliGen) return;
        if (cliEls.loadError) showError(cliEls.loadError, reasonText(error));
      } finally {
        if (gen === cliGen) cliLoading = null;
      }
      if (gen !== cliGen) return;
      cliDrawResults(false);
      if (cliCard && cliCard.mode === "view" && !cliCard.loading) cliDrawCard();
    })();
    return cliLoading;
  }

  function cliDrawResults(typed) {
    var list = cliEls.list, count = cliEls.count;
    if (!list) return;
    clear(list);
    if (!cliBook) {
      count.textContent = cliLoading ? tr("clients_loading") : "";
      return;
    }
    var readable = [];
    cliBook.clients.forEach(function (entry) { if (entry.profile) readable.push(entry); });
    cliEls.loaded.textContent = tr("clients_loaded", { count: readable.length, from: cliDay(cliBook.from), to: cliDay(cliBook.to), time: cliBook.at }) +
      (cliBook.unreadable ? " " + tr("clients_unreadable_count", { count: cliBook.unreadable }) : "");
    var terms = cliFold(cliQuery).split(/\s+/).filter(Boolean);
    if (!terms.length) {
      count.textContent = tr("clients_search_start");
      return;
    }
    var found = readable.filter(function (entry) {
      var name = cliFold(entry.profile.name);
      return terms.every(function (term) { return name.indexOf(term) !== -1; });
    }).sort(function (a, b) {
      return String(a.profile.name || "").localeCompare(String(b.profile.name || ""), t.locale || "en-GB");
    });
    count.textContent = !found.length ? tr("clients_search_none")
      : found.length > CLI_SHOWN ? tr("clients_search_many", { count: found.length, shown: CLI_SHOWN })
        : tr("clients_search_count", { count: found.length });
    found.slice(0, CLI_SHOWN).forEach(function (entry) {
      var id = entry.row.id;
      var on = !!(cliCard && cliCard.id === id);
      list.appendChild(el("li", {}, [el("button", {
        type: "button", class: "hb-cli-result", "data-client": id, "aria-current": on ? "true" : null,
        onclick: function () { cliOpen(id); }
      }, [
        el("span", { class: "hb-cli-name", text: entry.profile.name || tr("clients_unnamed", { id: id }) }),
        el("span", { class: "hb-cli-when", text: cliNextOrLast(entry.appts) })
      ])]));
    });
    if (typed) {
      if (cliSayTimer) clearTimeout(cliSayTimer);
      cliSayTimer = setTimeout(function () { cliSayTimer = null; say(count.textContent); }, 700);
    }
  }

  function cliSplit(appts) {
    var now = Date.now();
    var upcoming = appts.filter(function (a) {
      return new Date(a.end).getTime() > now && (a.status === "pending" || a.status === "confirmed");
    }).sort(function (a, b) { return new Date(a.start) - new Date(b.start); });
    var past = appts.filter(function (a) { return upcoming.indexOf(a) === -1; })
      .sort(function (a, b) { return new Date(b.start) - new Date(a.start); });
    return { upcoming: upcoming, past: past };
  }

  function cliNextOrLast(appts) {
    var split = cliSplit(appts);
    if (split.upcoming.length) return tr("clients_next", { when: cliWhen(split.upcoming[0].start) });
    if (split.past.length) return tr("clients_last", { when: cliWhen(split.past[0].start) });
    return "";
  }

  // --- the card -------------------------------------------------------------------------------

  async function cliOpen(id, note) {
    var gen = cliGen;
    cliCard = { id: id, row: null, etag: null, profile: null, mode: "view", note: note || null, loading: true };
    var mine = cliCard;
    if (cliEls.note) cliEls.note.textContent = "";
    cliDrawResults(false);
    cliDrawCard();
    try {
      var r = await api("GET", "/clients/" + id);
      if (gen !== cliGen || cliCard !== mine) return;
      mine.row = r.data;
      mine.etag = r.headers.get("ETag");
      try {
        mine.profile = await vault.openClient(r.data);
      } catch (error) {
        mine.unreadable = true;
      }
      if (gen !== cliGen || cliCard !== mine) return;
      // The client's whole history (not only the period loaded for the search).
      mine.appts = await allPages("/appointments?client_id=" + encodeURIComponent(id));
      if (gen !== cliGen || cliCard !== mine) return;
      var entry = cliBook && cliBook.clients.get(id);
      if (entry && mine.profile) {
        entry.row = r.data;
        entry.profile = mine.profile;
      }
    } catch (error) {
      if (error instanceof SessionEnded || gen !== cliGen || cliCard !== mine) return;
      mine.failed = cliErrorText(error);
    }
    mine.loading = false;
    cliDrawResults(false);
    cliDrawCard();
    focusHeading(document.getElementById("hb-cli-card-title"));
  }

  function cliClose() {
    var id = cliCard && cliCard.id;
    cliCard = null;
    cliDrawCard();
    cliDrawResults(false);
    var back = cliEls.list && cliEls.list.querySelector('[data-client="' + id + '"]');
    (back || cliEls.name).focus();
  }

  function cliDrawCard() {
    var box = cliEls.card;
    if (!box) return;
    clear(box);
    box.onkeydown = null;
    var c = cliCard;
    if (!c) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    var title = c.loading ? tr("loading") : c.failed ? tr("clients_card_title") : cliName(c);
    box.appendChild(el("h2", { id: "hb-cli-card-title", tabindex: "-1", text: title }));
    if (c.note) box.appendChild(el("p", { class: c.note.error ? "hb-alert" : "hb-ok", role: c.note.error ? "alert" : "status", text: c.note.text }));
    if (c.loading) return;
    if (c.failed) {
      box.appendChild(el("p", { class: "hb-alert", role: "alert", text: c.failed }));
    } else if (c.mode === "edit") {
      cliDrawEdit(box);
      return;
    } else {
      cliDrawProfile(box);
      cliDrawFigures(box);
      cliDrawConsents(box);
      cliDrawAppointments(box);
      if (c.mode === "erase") cliDrawErase(box);
      else cliDrawActions(box);
    }
    box.appendChild(el("button", { type: "button", class: "hb-secondary hb-cli-close", "data-action": "close", text: tr("clients_close"), onclick: cliClose }));
    box.onkeydown = function (event) {
      if (event.key === "Escape" && cliCard && cliCard.mode === "view") cliClose();
    };
  }

  function cliSection(box, title) {
    var h = el("h3", { id: newId("sec"), text: title });
    var section = el("section", { class: "hb-cli-part", "aria-labelledby": h.id }, [h]);
    box.appendChild(section);
    return section;
  }

  function cliDrawProfile(box) {
    var c = cliCard;
    var part = cliSection(box, tr("clients_profile"));
    if (c.unreadable || !c.profile) {
      part.appendChild(el("p", { class: "hb-alert", text: tr("clients_unreadable") }));
      return;
    }
    var names = cliCollected();
    Object.keys(c.profile).forEach(function (k) { if (names.indexOf(k) === -1) names.push(k); });
    part.appendChild(cliFacts(names.map(function (name) {
      var value = c.profile[name];
      if (!value) return [cliLabel(name), tr("clients_not_given"), "hb-muted"];
      if (name === "birthday" && /^\d{4}-\d{2}-\d{2}$/.test(value)) value = cliDay(value);
      return [cliLabel(name), value, name === "notes" ? "hb-cli-notes" : null];
    })));
  }

  function cliDrawFigures(box) {
    var f = cliCard.row.figures || {};
    var firstDay = f.first_visit ? cliDay(zoneParts(new Date(f.first_visit), ctx.tz).date) : tr("clients_never");
    var lastDay = f.last_visit ? cliDay(zoneParts(new Date(f.last_visit), ctx.tz).date) : tr("clients_never");
    var pairs = [
      [tr("clients_category"), tr("clients_cat_" + (f.category || "new"))],
      [tr("clients_visits"), String(f.visits || 0)],
      [tr("clients_no_shows"), String(f.no_shows || 0)],
      [tr("clients_spent"), cliMoney(f.total_spent_cents)],
      [tr("clients_average"), cliMoney(f.average_ticket_cents)],
      [tr("clients_first_visit"), firstDay],
      [tr("clients_last_visit"), lastDay]
    ];
    if (f.birthday_month) pairs.push([tr("clients_birthday_month"), cliMonth(f.birthday_month)]);
    cliSection(box, tr("clients_figures")).appendChild(cliFacts(pairs));
  }

  function cliDrawConsents(box) {
    var part = cliSection(box, tr("clients_consents"));
    var consents = cliCard.row.consents || [];
    if (!consents.length) {
      part.appendChild(el("p", { class: "hb-hint", text: tr("clients_consents_none") }));
      return;
    }
    part.appendChild(el("ul", { class: "hb-cli-plain" }, consents.map(function (c) {
      var purposes = (c.purposes || []).map(function (p) { return t["clients_purpose_" + p] ? tr("clients_purpose_" + p) : p; });
      return el("li", { text: tr("clients_consent_line", {
        purposes: purposes.join(", "),
        version: c.notice_version,
        language: t["clients_lang_" + c.locale] ? tr("clients_lang_" + c.locale) : c.locale,
        date: c.given_at ? cliDay(zoneParts(new Date(c.given_at), ctx.tz).date) : "?"
      }) });
    })));
  }

  function cliDrawAppointments(box) {
    var part = cliSection(box, tr("clients_appts"));
    if (cliCard.appts) {
      cliListAppointments(part, cliCard.appts);
      if (!cliCard.appts.length) part.appendChild(el("p", { class: "hb-hint", text: tr("clients_appts_never") }));
      return;
    }
    if (!cliBook) {
      part.appendChild(el("p", { class: "hb-hint", text: cliLoading ? tr("clients_loading") : tr("clients_appts_unknown") }));
      return;
    }
    var window_ = { from: cliDay(cliBook.from), to: cliDay(cliBook.to) };
    var entry = cliBook.clients.get(cliCard.id);
    if (!entry || !entry.appts.length) {
      part.appendChild(el("p", { class: "hb-hint", text: tr("clients_appts_none", window_) }));
      return;
    }
    cliListAppointments(part, entry.appts);
    part.appendChild(el("p", { class: "hb-hint", text: tr("clients_appts_window", window_) }));
  }

  function cliListAppointments(part, appts) {
    var split = cliSplit(appts);
    [["clients_appts_upcoming", split.upcoming], ["clients_appts_past", split.past]].forEach(function (group) {
      if (!group[1].length) return;
      part.appendChild(el("h4", { text: tr(group[0]) }));
      part.appendChild(el("ul", { class: "hb-cli-plain hb-cli-appts" }, group[1].map(function (a) {
        var who = ctx.staff.get(a.staff_id), what = ctx.services.get(a.service_id);
        return el("li", { text: [
          cliWhen(a.start),
          what ? what.name : "#" + a.service_id,
          who ? who.display_name : "#" + a.staff_id,
          tr("status_" + a.status)
        ].join(" · ") });
      })));
    });
  }

  function cliDrawActions(box) {
    var c = cliCard;
    var status = el("p", { class: "hb-ok", role: "status" });
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    if (can("clients:write") && c.profile) {
      actions.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "edit", text: tr("clients_edit"), onclick: function () {
        c.mode = "edit";
        c.note = null;
        cliDrawCard();
        var first = cliEls.card.querySelector("input, textarea");
        if (first) first.focus();
      } }));
    }
    var exportButton = el("button", { type: "button", class: "hb-secondary", "data-action": "export", text: tr("clients_export") });
    exportButton.addEventListener("click", function () { cliExport(c, exportButton, status, errors); });
    actions.appendChild(exportButton);
    if (can("clients:write")) {
      actions.appendChild(el("button", { type: "button", class: "hb-danger", "data-action": "erase", text: tr("clients_erase"), onclick: function () {
        c.mode = "erase";
        c.note = null;
        cliDrawCard();
        cliEls.card.querySelector(".hb-cli-erase input").focus();
      } }));
    }
    var part = cliSection(box, tr("clients_actions"));
    part.appendChild(actions);
    if (!can("clients:write")) part.appendChild(el("p", { class: "hb-hint", text: tr("clients_write_denied") }));
    part.appendChild(el("p", { class: "hb-hint", text: tr("clients_export_hint") }));
    part.appendChild(status);
    part.appendChild(errors);
  }

  // --- changing the profile -------------------------------------------------------------------

  function cliTextarea(label, attrs, value) {
    var id = newId("f");
    var input = el("textarea", Object.assign({ id: id, rows: "5" }, attrs));
    input.value = value || "";
    return { input: input, node: el("div", { class: "hb-field" }, [el("label", { for: id, text: label }), input]) };
  }

  function cliDrawEdit(box) {
    var c = cliCard;
    var names = cliCollected();
    var inputs = {};
    var nodes = names.map(function (name) {
      var value = c.profile[name] || "";
      var attrs = { name: "client-" + name, autocomplete: "off" };
      if (name === "notes") {
        inputs[name] = cliTextarea(cliLabel(name), Object.assign(attrs, { maxlength: String(CLI_MAX.notes) }), value);
        return inputs[name].node;
      }
      if (name === "name") attrs.required = true;
      if (name === "email") attrs.type = "email";
      if (name === "phone") attrs.type = "tel";
      if (name === "birthday") attrs.type = "date";
      if (CLI_MAX[name]) attrs.maxlength = String(CLI_MAX[name]);
      attrs.value = value;
      inputs[name] = field(cliLabel(name), attrs);
      return inputs[name].node;
    });
    var dropped = Object.keys(c.profile).filter(function (k) { return names.indexOf(k) === -1; });
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("clients_save") });
    var cancel = el("button", { type: "button", class: "hb-secondary", "data-action": "discard", text: tr("clients_discard"), onclick: function () {
      c.mode = "view";
      cliDrawCard();
      var again = cliEls.card.querySelector('[data-action="edit"]');
      if (again) again.focus();
    } });
    var title = el("h3", { id: newId("edit"), text: tr("clients_edit_title") });
    var form = el("form", { class: "hb-form hb-cli-edit", novalidate: true, "aria-labelledby": title.id }, [
      title,
      el("p", { class: "hb-hint", text: tr("clients_edit_hint") })
    ].concat(nodes, [
      dropped.length ? el("p", { class: "hb-notice", text: tr("clients_dropped", { fields: dropped.map(cliLabel).join(", ") }) }) : null,
      errors,
      el("div", { class: "hb-actions" }, [save, cancel])
    ]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      cliSave(inputs, errors, save);
    });
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.stopPropagation(); // discard the changes, keep the card open
      cancel.click();
    });
    box.appendChild(form);
  }

  function cliCheck(inputs) {
    var profile = {}, problems = [], bad = [];
    Object.keys(inputs).forEach(function (name) {
      var input = inputs[name].input;
      input.removeAttribute("aria-invalid");
      var value = name === "notes" ? input.value.replace(/\s+$/, "").replace(/^\s*\n/, "") : input.value.trim();
      var wrong = null;
      if (name === "name" && !value) wrong = tr("clients_invalid_name");
      else if (name === "birthday" && input.validity && input.validity.badInput) wrong = tr("clients_invalid_date");
      else if (value && name === "email" && !CLI_EMAIL.test(value)) wrong = tr("clients_invalid_email");
      else if (value && name === "phone" && !CLI_PHONE.test(value)) wrong = tr("clients_invalid_phone");
      else if (value.length > (CLI_MAX[name] || 1000)) wrong = tr("clients_invalid_long", { field: cliLabel(name), max: CLI_MAX[name] || 1000 });
      if (wrong) {
        problems.push(wrong);
        bad.push(input);
        input.setAttribute("aria-invalid", "true");
      } else if (value) {
        profile[name] = value;
      }
    });
    return { profile: profile, problems: problems, bad: bad };
  }

  async function cliSave(inputs, errors, button) {
    var c = cliCard;
    var gen = cliGen;
    showError(errors, "");
    var checked = cliCheck(inputs);
    if (checked.problems.length) {
      showError(errors, tr("err_check"), checked.problems);
      checked.bad[0].focus();
      return;
    }
    var profile = checked.profile, before = c.profile || {};
    // The lookup digests follow the profile's e-mail and phone when either changed.
    var contacts = null;
    if ((before.email || "") !== (profile.email || "") || (before.phone || "") !== (profile.phone || "")) {
      contacts = {};
      if (profile.email) contacts.email = profile.email;
      if (profile.phone) contacts.phone = profile.phone;
    }
    button.disabled = true;
    button.textContent = tr("clients_saving");
    try {
      var r = await cliPut(c, profile, contacts);
      if (gen !== cliGen || cliCard !== c) return;
      c.row = r.data;
      c.etag = r.headers.get("ETag");
      c.profile = await vault.openClient(r.data);
      c.mode = "view";
      c.note = { text: tr("clients_saved") };
      var entry = cliBook && cliBook.clients.get(c.id);
      if (entry) {
        entry.row = r.data;
        entry.profile = c.profile;
      }
      cliDrawResults(false);
      cliDrawCard();
      focusHeading(document.getElementById("hb-cli-card-title"));
    } catch (error) {
      if (error instanceof SessionEnded || gen !== cliGen || cliCard !== c) return;
      button.disabled = false;
      button.textContent = tr("clients_save");
      if (error instanceof ApiError && (error.status === 412 || error.status === 404)) {
        // Someone else changed (or erased) it: show what is there now.
        await cliOpen(c.id, { text: cliErrorText(error), error: true });
        return;
      }
      showError(errors, error instanceof ApiError ? cliErrorText(error) : tr("clients_seal_failed"));
      button.focus();
    }
  }

  /* Sealed here (a new client key), sent with the ETag the card was read with.
   * A 412 whose cause is only the figures or consents (the sealed profile is
   * the one this edit started from) is not a conflict: once more with the
   * fresh ETag. */
  async function cliPut(c, profile, contacts) {
    var body = await vault.sealProfile(profile);
    if (contacts) body.contacts = contacts;
    var path = "/clients/" + c.id + "/profile";
    try {
      return await api("PUT", path, body, { "If-Match": c.etag });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 412) throw error;
      var fresh = await api("GET", "/clients/" + c.id);
      if (!cliSameProfile(fresh.data, c.row)) throw error;
      c.row = fresh.data;
      c.etag = fresh.headers.get("ETag");
      return await api("PUT", path, body, { "If-Match": c.etag });
    }
  }

  // --- export (Art. 15/20) ----------------------------------------------------------------------

  /* Everything the service holds, with the profile opened here, handed to the
   * browser as a file: a Blob behind an object URL that is revoked right after
   * the click. Nothing is stored by the console. */
  async function cliExport(c, button, status, errors) {
    var gen = cliGen;
    showError(errors, "");
    status.textContent = tr("clients_exporting");
    button.disabled = true;
    try {
      var data = (await api("GET", "/clients/" + c.id + "/export")).data;
      var client = {};
      Object.keys(data.client || {}).forEach(function (k) { if (k !== "sealed_profile") client[k] = data.client[k]; });
      client.profile = await vault.openClient(data.client);
      if (gen !== cliGen || cliCard !== c) return;
      var out = Object.assign({}, data, { client: client });
      var file = "client-" + c.id + "-export-" + today() + ".json";
      var blob = new Blob([JSON.stringify(out, null, 2) + "\n"], { type: "application/json" });
      var url = URL.createObjectURL(blob);
      var link = el("a", { href: url, download: file, hidden: true });
      cliEls.card.appendChild(link);
      try {
        link.click();
      } finally {
        link.remove();
        URL.revokeObjectURL(url);
      }
      status.textContent = tr("clients_exported", { file: file });
    } catch (error) {
      if (error instanceof SessionEnded || gen !== cliGen) return;
      status.textContent = "";
      showError(errors, error instanceof ApiError ? cliErrorText(error) : tr("clients_export_failed"));
    } finally {
      button.disabled = false;
    }
  }

  // --- erasure (Art. 17) ----------------------------------------------------------------------

  function cliDrawErase(box) {
    var c = cliCard;
    var word = (c.profile && c.profile.name) || "#" + c.id;
    var title = el("h3", { id: newId("erase"), text: tr("clients_erase_title") });
    var confirm = field(tr("clients_erase_type", { name: word }), { name: "erase-confirm", autocomplete: "off", spellcheck: "false" });
    var errors = alertBox();
    var yes = el("button", { type: "submit", class: "hb-danger", "data-action": "erase-yes", text: tr("clients_erase_yes") });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "erase-no", text: tr("clients_erase_keep"), onclick: function () {
      c.mode = "view";
      cliDrawCard();
      cliEls.card.querySelector('[data-action="erase"]').focus();
    } });
    var form = el("form", { class: "hb-form hb-cli-erase", novalidate: true, "aria-labelledby": title.id }, [
      title,
      el("p", { text: tr("clients_erase_what") }),
      el("p", { text: tr("clients_erase_stays") }),
      confirm.node,
      errors,
      el("div", { class: "hb-actions" }, [yes, no])
    ]);
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.stopPropagation(); // keep the client, keep the card open
      no.click();
    });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      if (cliFold(confirm.input.value.trim()) !== cliFold(word)) {
        confirm.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("clients_erase_mismatch"));
        confirm.input.focus();
        return;
      }
      var gen = cliGen;
      yes.disabled = true;
      try {
        await api("DELETE", "/clients/" + c.id);
      } catch (error) {
        if (error instanceof SessionEnded || gen !== cliGen) return;
        yes.disabled = false;
        showError(errors, cliErrorText(error));
        return;
      }
      if (gen !== cliGen) return;
      if (cliBook) cliBook.clients.delete(c.id);
      if (cliCard === c) cliCard = null;
      cliDrawCard();
      cliDrawResults(false);
      cliEls.note.textContent = tr("clients_erased");
      focusHeading(document.getElementById("hb-cli-search-title"));
    });
    box.appendChild(form);
  }

/* Client data: the vault panel (unlock, lock) shown beside the day and on
 * other screens (renderVault/drawVault), and the "keys" screen: one's own key
 * (enrol, replace), and for the owner the business key (set up), who may read
 * (grant, revoke) and the key change (rotation). Part of the console's one
 * function scope (see console.js); every name declared here starts with
 * "keys", except the panel's two functions that other screens call.
 *
 * All the cryptography is HushbookVault's (src/vault.js): keys are made,
 * wrapped and sealed in this browser; the service receives public keys,
 * wrapped keys and sealed grants only. The passphrase is read from its field,
 * the field is emptied, and it goes to vault.enrol/unlock only. After every
 * change the vault state is read again (GET /v1/vault) and handed to
 * vault.adopt, which takes a new key only if the service has it — so a failed
 * request never leaves a wrong key held here. */

  var keysBox = null; // the keys screen's box while it is shown
  var keysMembers = null; // GET /v1/vault/members (owner), as last read
  var keysNote = null; // {text, error}: what the last action said, shown once
  var keysReplacing = false; // the "forgot my passphrase" form is open

  onForget(function () {
    keysBox = null;
    keysMembers = null;
    keysNote = null;
    keysReplacing = false;
  });

  onVaultChange(function () {
    if (keysShown()) keysDraw();
  });

  registerScreen({
    id: "keys",
    label: "keys_nav",
    allowed: function () { return can("vault:own"); },
    render: async function (box) {
      keysBox = box;
      keysNote = null;
      keysReplacing = false;
      box.appendChild(el("h1", { text: tr("keys_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("loading") }));
      await keysReload();
      if (box === keysBox) keysDraw();
    },
    leave: function () {
      keysBox = null;
      keysMembers = null;
    }
  });

  function keysShown() {
    return !!(keysBox && keysBox.isConnected);
  }

  function keysOwner() {
    return can("vault:manage");
  }

  /* scrypt cost of a new key: production log_n 17 (the SDK's PRODUCTION_LOG_N).
   * Test-only hook: a browser test may lower it to the floor, 16, by defining
   * globalThis.HushbookConsoleTest = {vaultLogN: 16} before the page loads
   * (Playwright's add_init_script). Deliberately not a URL parameter: a link
   * could then talk someone into a cheaper key, while a script in the page can
   * read the passphrase anyway, so this hook gives it nothing new. Any other
   * value is ignored. */
  function keysLogN() {
    var H = globalThis.HushbookVault;
    var hook = globalThis.HushbookConsoleTest;
    return hook && hook.vaultLogN === H.MIN_LOG_N ? H.MIN_LOG_N : H.DEFAULT_LOG_N;
  }

  /* The vault state and (owner, business key set up) the team's keys, read
   * again; the vault adopts what changed (a new key, a grant that arrived, a
   * grant taken away). Tells the other screens when what the vault can do changed. */
  async function keysReload() {
    ctx.vaultState = (await api("GET", "/vault")).data;
    keysMembers = keysOwner() && ctx.vaultState && ctx.vaultState.public_key ? (await api("GET", "/vault/members")).data : null;
    if (!vault) return;
    var before = vault.unlocked + "/" + vault.canRead;
    await vault.adopt(ctx.vaultState);
    if (before !== vault.unlocked + "/" + vault.canRead) await vaultChanged();
  }

  /* Plain words for a refusal of the vault API. */
  function keysErrorText(error) {
    var S = globalThis.HushbookSealing;
    if (S && error instanceof S.SealError) return tr("keys_rotate_unreadable", { detail: error.message });
    if (!(error instanceof ApiError)) return tr("keys_failed");
    switch (error.reason) {
      case "vault_exists": return tr("keys_reason_vault_exists");
      case "member_key_missing": return tr("keys_reason_member_key_missing");
      case "stale_key_version": return tr("keys_reason_stale_key_version");
      case "clients_changed": return tr("keys_reason_clients_changed");
      case "accountant_never": return tr("keys_reason_accountant_never");
      default: return reasonText(error);
    }
  }

  /* Runs an action with every button of the screen disabled; afterwards the
   * state is read again (also after a failure: adopt drops a pending key the
   * service did not take), the screen redrawn with the note, and focus put on
   * the note's section. */
  async function keysRun(section, action) {
    if (!keysShown()) return;
    keysBox.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var text, error = false;
    try {
      text = await action();
    } catch (failure) {
      if (failure instanceof SessionEnded || !session) return;
      text = keysErrorText(failure);
      error = true;
    }
    try {
      await keysReload();
    } catch (failure) {
      if (failure instanceof SessionEnded || !session) return;
    }
    if (!keysShown()) return;
    keysNote = { text: text, error: error, section: section };
    keysDraw();
    if (!error) say(text); // an error is in a role="alert" region already
    var target = keysBox.querySelector('[data-keys-section="' + section + '"] h2') || keysBox.querySelector("h1");
    focusHeading(target);
  }

  // --- drawing -------------------------------------------------------------------------

  function keysDraw() {
    var box = keysBox;
    clear(box);
    box.appendChild(el("h1", { text: tr("keys_title") }));
    box.appendChild(el("p", { class: "hb-keys-intro", text: tr("keys_intro") }));
    if (!vault) {
      box.appendChild(el("p", { role: "alert", class: "hb-alert", text: tr("err_no_vault") }));
      return;
    }
    var st = ctx.vaultState || {};
    var enrolled = !!st.member;
    var owner = keysOwner();
    var intro = box.lastChild;
    if (!enrolled) {
      box.appendChild(keysEnrolSection());
    } else {
      var teamHere = owner && st.public_key;
      // The unlock panel: in the team section for the owner (giving access
      // and changing the key need the vault unlocked), else at the top.
      if (!teamHere) box.appendChild(renderVault());
      if (owner && !st.public_key) box.appendChild(keysSetupSection());
      if (teamHere) {
        box.appendChild(keysTeamSection());
        box.appendChild(keysRotateSection());
      }
      box.appendChild(keysMineSection());
    }
    if (keysNote) { // its section is not drawn (e.g. enrolling failed): under the intro
      intro.after(keysNoteNode());
      keysNote = null;
    }
  }

  function keysNoteNode() {
    return keysNote.error
      ? el("div", { class: "hb-alert", role: "alert" }, [el("p", { text: keysNote.text })])
      : el("p", { class: "hb-notice hb-keys-note", text: keysNote.text });
  }

  function keysSection(name, title) {
    var id = newId("keys");
    var section = el("section", { class: "hb-keys-card", "data-keys-section": name, "aria-labelledby": id });
    section.appendChild(el("h2", { id: id, text: title }));
    if (keysNote && keysNote.section === name) {
      section.appendChild(keysNoteNode());
      keysNote = null;
    }
    return section;
  }

  /* Not enrolled yet: the section with the enrol form. */
  function keysEnrolSection() {
    var section = keysSection("enrol", tr("keys_enrol_title"));
    section.appendChild(el("p", { text: tr("keys_enrol_text") }));
    keysEnrolForm(section, false);
    return section;
  }

  /* Choose a passphrase twice, then make the key here (scrypt with a progress
   * bar) and store it wrapped. ``replacing``: the member forgot the old one. */
  function keysEnrolForm(container, replacing) {
    var owner = keysOwner();
    container.appendChild(el("p", { class: "hb-keys-warning", text: tr(owner ? "keys_enrol_warning_owner" : "keys_enrol_warning") }));
    var first = field(tr("keys_pass"), { name: "new-vault-passphrase", type: "password", autocomplete: "off", spellcheck: "false", required: true }, tr("keys_pass_hint"));
    var again = field(tr("keys_pass_repeat"), { name: "repeat-vault-passphrase", type: "password", autocomplete: "off", spellcheck: "false", required: true });
    var errors = alertBox();
    var progress = el("progress", { max: "100", value: "0", "aria-label": tr("keys_enrolling"), hidden: true });
    var label = replacing ? tr("keys_replace_button") : tr("keys_enrol_button");
    var button = el("button", { type: "submit", class: "hb-primary", text: label });
    var form = el("form", { class: "hb-form hb-keys-form", novalidate: true }, [first.node, again.node, errors, progress, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      first.input.removeAttribute("aria-invalid");
      again.input.removeAttribute("aria-invalid");
      var secret = first.input.value, repeated = again.input.value;
      first.input.value = ""; // the fields never keep it
      again.input.value = "";
      var missing = !secret;
      var problem = missing ? tr("err_missing") : Array.from(secret).length < 12 ? tr("keys_pass_short") : secret !== repeated ? tr("keys_pass_mismatch") : "";
      repeated = null;
      if (problem) {
        secret = null;
        first.input.setAttribute("aria-invalid", "true");
        showError(errors, problem, missing ? [tr("keys_pass")] : null);
        first.input.focus();
        return;
      }
      button.disabled = true;
      button.textContent = tr("keys_enrolling");
      progress.hidden = false;
      var next = owner && !(ctx.vaultState && ctx.vaultState.public_key) ? "setup" : "mine";
      await keysRun(next, async function () {
        ctx.vaultState = (await api("GET", "/vault")).data;
        var body;
        try {
          body = await vault.enrol(ctx.vaultState, secret, {
            logN: keysLogN(),
            onProgress: function (p) { progress.value = String(Math.round(100 * (typeof p === "number" ? p : 0))); }
          });
        } finally {
          secret = null;
        }
        await api("PUT", "/vault/member", body);
        keysReplacing = false;
        return owner ? tr("keys_enrolled_owner") : tr("keys_enrolled");
      });
      secret = null;
    });
    container.appendChild(form);
  }

  /* Own key: enrolled; access or not; the way out when the passphrase is lost. */
  function keysMineSection() {
    var st = ctx.vaultState || {};
    var section = keysSection("mine", tr("keys_mine_title"));
    section.appendChild(el("p", { text: tr("keys_mine_ok") }));
    section.appendChild(el("p", { text: st.grant ? tr("keys_mine_access") : keysOwner() && !st.public_key ? tr("keys_mine_setup") : tr("keys_mine_no_access") }));
    if (keysReplacing) {
      section.appendChild(el("h3", { text: tr("keys_forgot_title") }));
      section.appendChild(el("p", { text: tr(keysOwner() ? "keys_forgot_text_owner" : "keys_forgot_text") }));
      keysEnrolForm(section, true);
      section.appendChild(el("button", { type: "button", class: "hb-secondary hb-keys-cancel", text: tr("keys_forgot_cancel"), onclick: function () {
        keysReplacing = false;
        keysDraw();
        var again = keysBox.querySelector('[data-action="forgot"]');
        if (again) again.focus();
      } }));
    } else {
      section.appendChild(el("button", { type: "button", class: "hb-link", "data-action": "forgot", text: tr("keys_forgot_button"), onclick: function () {
        keysReplacing = true;
        keysDraw();
        var input = keysBox.querySelector('input[name="new-vault-passphrase"]');
        if (input) input.focus();
      } }));
    }
    return section;
  }

  /* Owner, no business key yet: make it here. */
  function keysSetupSection() {
    var section = keysSection("setup", tr("keys_setup_title"));
    section.appendChild(el("p", { text: tr("keys_setup_text") }));
    if (!vault.unlocked) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("keys_setup_unlock_first") }));
      return section;
    }
    section.appendChild(el("button", { type: "button", class: "hb-primary", text: tr("keys_setup_button"), onclick: function (event) {
      event.currentTarget.textContent = tr("keys_setting_up");
      keysRun("team", async function () {
        var body = await vault.setupBody();
        await api("POST", "/vault/setup", body);
        return tr("keys_setup_done");
      });
    } }));
    return section;
  }

  /* Owner: the team, each person's key and access; give and take access. */
  function keysTeamSection() {
    var section = keysSection("team", tr("keys_team_title"));
    section.appendChild(el("p", { text: tr("keys_team_text") }));
    if (!vault.canRead) section.appendChild(el("p", { class: "hb-hint", text: tr("keys_team_unlock") }));
    section.appendChild(renderVault());
    var list = el("ul", { class: "hb-keys-team" });
    (keysMembers || []).forEach(function (m) { list.appendChild(keysMemberItem(m)); });
    section.appendChild(list);
    return section;
  }

  function keysMemberItem(m) {
    var me = m.staff_id === ctx.vaultState.staff_id;
    var name = m.display_name || "#" + m.staff_id;
    var item = el("li", { class: "hb-keys-member" + (m.granted ? " hb-keys-granted" : ""), "data-staff": m.staff_id });
    item.appendChild(el("h3", { text: me ? name + " " + tr("keys_you") : name }));
    item.appendChild(el("dl", { class: "hb-facts hb-keys-facts" }, [
      el("dt", { text: tr("keys_role") }), el("dd", { text: tr("role_" + (m.role || "unknown")) }),
      el("dt", { text: tr("keys_own_key") }), el("dd", { text: m.public_key ? tr("keys_yes") : tr("keys_no") }),
      el("dt", { text: tr("keys_access") }), el("dd", { text: m.granted ? tr("keys_yes") : tr("keys_no") })
    ]));
    var actions = el("div", { class: "hb-actions" });
    item.appendChild(actions);
    if (me) return item;
    if (m.role === "accountant") {
      actions.appendChild(el("p", { class: "hb-hint", text: tr("keys_member_accountant") }));
    } else if (!m.public_key) {
      actions.appendChild(el("p", { class: "hb-hint", text: tr("keys_member_no_key", { name: name }) }));
    } else if (!m.granted && vault.canRead) {
      actions.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "grant", text: tr("keys_grant"), "aria-label": tr("keys_grant_to", { name: name }), onclick: function () {
        keysRun("team", async function () {
          var body = await vault.grantFor(m);
          await api("PUT", "/vault/grants/" + m.staff_id, body);
          return tr("keys_granted", { name: name });
        });
      } }));
    }
    if (m.granted) {
      actions.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "revoke", text: tr("keys_revoke"), "aria-label": tr("keys_revoke_from", { name: name }), onclick: function () {
        keysAskRevoke(m, name, actions);
      } }));
    }
    return item;
  }

  /* An earlier action's note is history once the next question is asked. */
  function keysDropNotes() {
    keysBox.querySelectorAll(".hb-keys-note").forEach(function (n) { n.remove(); });
  }

  function keysAskRevoke(m, name, actions) {
    keysDropNotes();
    clear(actions);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("keys_revoke_really", { name: name }) });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "revoke-yes", "aria-describedby": q.id, text: tr("keys_revoke_yes"), onclick: function () {
      keysRun("team", async function () {
        await api("DELETE", "/vault/grants/" + m.staff_id);
        return tr("keys_revoked", { name: name });
      });
    } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "revoke-no", "aria-describedby": q.id, text: tr("keys_keep"), onclick: function () {
      keysDraw();
      var again = keysBox.querySelector('[data-staff="' + m.staff_id + '"] [data-action="revoke"]');
      if (again) again.focus();
    } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    no.focus(); // the safe answer first: Enter twice does not take access away
  }

  /* Owner: a new business key; every profile opened and sealed again here. */
  function keysRotateSection() {
    var section = keysSection("rotate", tr("keys_rotate_title"));
    section.appendChild(el("p", { text: tr("keys_rotate_text") }));
    var actions = el("div", { class: "hb-actions" });
    section.appendChild(actions);
    if (!vault.canRead) {
      actions.appendChild(el("p", { class: "hb-hint", text: tr("keys_team_unlock") }));
      return section;
    }
    actions.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "rotate", text: tr("keys_rotate_button"), onclick: function () {
      keysAskRotate(section, actions);
    } }));
    return section;
  }

  function keysAskRotate(section, actions) {
    keysDropNotes();
    clear(actions);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("keys_rotate_really") });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "rotate-yes", "aria-describedby": q.id, text: tr("keys_rotate_yes"), onclick: function () {
      var status = el("p", { class: "hb-keys-progress-text", text: tr("keys_rotate_reading") });
      var bar = el("progress", { max: "1", value: "0", "aria-label": tr("keys_rotate_progress_label") });
      actions.appendChild(status);
      actions.appendChild(bar);
      keysRun("rotate", async function () {
        // The current state first: rotating from a stale version is refused.
        ctx.vaultState = (await api("GET", "/vault")).data;
        await vault.adopt(ctx.vaultState);
        var results = await Promise.all([allPages("/clients"), api("GET", "/vault/members")]);
        var body = await vault.rotateBody(results[0], results[1].data, {
          onProgress: function (done, total) {
            bar.max = String(Math.max(1, total));
            bar.value = String(done);
            status.textContent = tr("keys_rotate_progress", { done: done, total: total });
          }
        });
        status.textContent = tr("keys_rotate_saving");
        await api("POST", "/vault/rotate", body);
        return tr("keys_rotate_done", { count: body.profiles.length });
      });
    } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "rotate-no", "aria-describedby": q.id, text: tr("keys_rotate_no"), onclick: function () {
      keysDraw();
      var again = keysBox.querySelector('[data-action="rotate"]');
      if (again) again.focus();
    } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    no.focus();
  }

  // --- the panel beside the day (and on other screens) -----------------------------------------

  function renderVault() {
    var box = el("section", { class: "hb-vault", "aria-labelledby": "hb-vault-title" });
    els.vault = box;
    drawVault();
    return box;
  }

  function drawVault(message) {
    var box = els.vault;
    clear(box);
    box.appendChild(el("h2", { id: "hb-vault-title", text: tr("vault_title") }));
    var member = ctx.vaultState && ctx.vaultState.member;
    if (vault.unlocked) {
      box.appendChild(el("p", { class: "hb-ok", text: vault.canRead ? tr("vault_unlocked") : tr("vault_no_grant") }));
      var buttons = el("div", { class: "hb-actions" });
      box.appendChild(buttons);
      buttons.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("vault_lock"), onclick: function () {
        vault.lock();
        drawVault();
        vaultChanged();
        say(tr("vault_locked_now"));
        els.vault.querySelector("input").focus();
      } }));
      if (!vault.canRead) buttons.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "check-access", text: tr("keys_panel_check"), onclick: keysCheckAccess }));
      return;
    }
    if (!member) {
      box.appendChild(el("p", { text: tr("keys_panel_not_enrolled") }));
      if (allowedScreens().some(function (s) { return s.id === "keys"; })) {
        box.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "go-keys", text: tr("keys_panel_enrol"), onclick: function () { go("keys"); } }));
      }
      return;
    }
    box.appendChild(el("p", { class: "hb-hint", text: tr("vault_locked_text") }));
    var pass = field(tr("passphrase"), { name: "vault-passphrase", type: "password", autocomplete: "off", spellcheck: "false", required: true });
    var errors = alertBox();
    var progress = el("progress", { max: "100", value: "0", "aria-label": tr("unlocking"), hidden: true });
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("unlock") });
    var form = el("form", { class: "hb-form hb-inline", novalidate: true }, [pass.node, button, progress, errors]);
    if (message) showError(errors, message);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var secret = pass.input.value;
      pass.input.value = ""; // the field never keeps it
      if (!secret) {
        showError(errors, tr("err_missing"), [tr("passphrase")]);
        pass.input.focus();
        return;
      }
      button.disabled = true;
      button.textContent = tr("unlocking");
      progress.hidden = false;
      try {
        // The state is read afresh: a grant may have arrived since sign-in.
        ctx.vaultState = (await api("GET", "/vault")).data;
        await vault.unlock(ctx.vaultState, secret, {
          onProgress: function (p) { progress.value = String(Math.round(100 * (typeof p === "number" ? p : 0))); }
        });
        secret = null;
        drawVault();
        await vaultChanged();
        say(vault.canRead ? tr("vault_unlocked") : tr("vault_no_grant"));
        var lockButton = els.vault.querySelector("button");
        if (lockButton) lockButton.focus();
      } catch (error) {
        secret = null;
        if (error instanceof SessionEnded) return;
        button.disabled = false;
        button.textContent = tr("unlock");
        progress.hidden = true;
        var S = globalThis.HushbookSealing;
        var wrong = S && error instanceof S.SealError;
        showError(errors, wrong ? tr("vault_wrong") : error instanceof ApiError ? tr("err_generic", { message: error.message }) : tr("vault_failed"));
        pass.input.setAttribute("aria-invalid", "true");
        pass.input.focus();
      }
    });
    box.appendChild(form);
  }

  /* Unlocked without a grant: look again whether the owner has given access
   * meanwhile (the grant is opened with the member key held: no passphrase). */
  async function keysCheckAccess(event) {
    event.currentTarget.disabled = true;
    try {
      ctx.vaultState = (await api("GET", "/vault")).data;
      await vault.adopt(ctx.vaultState);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      drawVault();
      say(reasonText(error));
      return;
    }
    var panel = els.vault;
    drawVault();
    if (vault.canRead) await vaultChanged();
    say(vault.canRead ? tr("vault_unlocked") : tr("keys_panel_still_no"));
    var again = (els.vault && els.vault.isConnected ? els.vault : panel).querySelector("button");
    if (again) again.focus();
  }

/* Setup checklist (owners and managers): what still keeps the salon from taking
 * online bookings, in plain words, each with a button to the screen that fixes
 * it (GET /v1/tenant/readiness). Once every blocking check is done it shows
 * the public booking link. Part of the console's one function scope (see
 * console.js).
 *
 * first(): true while the salon cannot take online bookings, so that the core
 * can open this screen first after sign-in (the core asks every allowed screen
 * that has a ``first`` in menu order, see openApp). */

  // Readiness check id -> its texts and where it is fixed: a screen of the
  // console, and for the settings screen the section (go(screen, section)).
  var SETUP_CHECKS = [
    { id: "vault", screen: "keys", labelKey: "setup_vault", textKey: "setup_vault_text", buttonKey: "setup_vault_fix" },
    { id: "service", screen: "services", labelKey: "setup_service", textKey: "setup_service_text", buttonKey: "setup_service_fix" },
    { id: "bookable_person", screen: "team", labelKey: "setup_person", textKey: "setup_person_text", buttonKey: "setup_person_fix" },
    { id: "hours", screen: "team", labelKey: "setup_hours", textKey: "setup_hours_text", buttonKey: "setup_hours_fix" },
    { id: "privacy_notice", screen: "settings", section: "notices", labelKey: "setup_notice", textKey: "setup_notice_text", buttonKey: "setup_notice_fix" },
    { id: "stealth", screen: "settings", section: "stealth", labelKey: "setup_stealth", textKey: "setup_stealth_text", buttonKey: "setup_stealth_fix" }
  ];

  registerScreen({
    id: "setup",
    label: "setup_nav",
    allowed: function () { return can("tenant:write"); },
    first: setupNeeded,
    render: async function (box) {
      box.appendChild(el("h1", { text: tr("setup_title") }));
      var body = el("div", { class: "hb-setup" });
      box.appendChild(body);
      try {
        await setupDraw(body);
      } catch (error) {
        if (error instanceof SessionEnded) throw error;
        body.appendChild(el("p", { class: "hb-alert", role: "alert", text: setupFailed(error) }));
      }
    }
  });

  /* True while the salon cannot take online bookings (and the person may fix
   * it); false when it can, or when readiness cannot be read. */
  async function setupNeeded() {
    if (!can("tenant:write")) return false;
    try {
      var r = await api("GET", "/tenant/readiness");
      return !(r.data && r.data.bookable_online);
    } catch (error) {
      return false;
    }
  }

  function setupScreenState(id) {
    if (allowedScreens().some(function (s) { return s.id === id; })) return "allowed";
    if (screens.some(function (s) { return s.id === id; })) return "forbidden";
    return "missing";
  }

  function setupBookingLink() {
    return location.origin + "/book/" + encodeURIComponent(ctx.tenant.slug);
  }

  async function setupDraw(body, announce) {
    clear(body);
    var r = await api("GET", "/tenant/readiness");
    var ready = r.data || { bookable_online: false, checks: [] };
    var checks = ready.checks || [];
    var missing = checks.filter(function (c) { return c.blocking && !c.ok; });
    var summary = el("div", { class: "hb-setup-summary" + (ready.bookable_online ? " hb-setup-ready" : "") });
    if (ready.bookable_online) {
      var link = setupBookingLink();
      summary.appendChild(el("p", { class: "hb-ok", text: tr("setup_ready") }));
      summary.appendChild(el("p", {}, [
        tr("setup_link") + " ",
        el("a", { href: link, target: "_blank", rel: "noopener", class: "hb-booking-link", text: link })
      ]));
      summary.appendChild(el("p", { class: "hb-hint", text: tr("setup_link_hint") }));
    } else {
      summary.appendChild(el("p", { class: "hb-setup-blocked", text: tr("setup_not_ready", { n: missing.length }) }));
      summary.appendChild(el("p", { class: "hb-hint", text: tr("setup_not_ready_hint") }));
    }
    body.appendChild(summary);

    var list = el("ol", { class: "hb-checklist" });
    checks.forEach(function (c) { list.appendChild(setupItem(c)); });
    body.appendChild(list);
    var button = el("button", {
      type: "button", class: "hb-secondary hb-setup-again", text: tr("setup_check_again"),
      onclick: async function () {
        button.disabled = true;
        try {
          await setupDraw(body, true);
          var again = body.querySelector(".hb-setup-again");
          if (again) again.focus();
        } catch (error) {
          if (error instanceof SessionEnded) return;
          button.disabled = false;
          body.appendChild(el("p", { class: "hb-alert", role: "alert", text: setupFailed(error) }));
        }
      }
    });
    body.appendChild(button);
    if (announce) say(ready.bookable_online ? tr("setup_ready") : tr("setup_not_ready", { n: missing.length }));
  }

  function setupFailed(error) {
    if (error.status === 0 || error.status === 403) return reasonText(error);
    return tr("setup_failed", { message: error.message });
  }

  function setupItem(c) {
    var spec = SETUP_CHECKS.filter(function (s) { return s.id === c.id; })[0];
    var state = c.ok ? "ok" : c.blocking ? "missing" : "advice";
    var titleId = newId("check");
    var li = el("li", { class: "hb-check-item hb-check-" + state, "data-check": c.id });
    var title = spec ? tr(spec.labelKey) : c.id;
    li.appendChild(el("h2", { id: titleId }, [
      el("span", { class: "hb-check-mark", "aria-hidden": "true", text: c.ok ? "✓" : c.blocking ? "✗" : "!" }),
      el("span", { text: title })
    ]));
    li.appendChild(el("p", { class: "hb-check-state", text: tr("setup_state_" + state) }));
    if (c.ok || !spec) return li;
    li.appendChild(el("p", { class: "hb-check-text", text: tr(spec.textKey) }));
    var where = setupScreenState(spec.screen);
    if (where === "allowed") {
      li.appendChild(el("button", {
        type: "button", class: c.blocking ? "hb-primary" : "hb-secondary", text: tr(spec.buttonKey),
        onclick: function () { go(spec.screen, spec.section); }
      }));
    } else {
      li.appendChild(el("p", { class: "hb-hint", text: where === "forbidden" ? tr("setup_ask_owner") : tr("setup_not_in_console") }));
    }
    return li;
  }

/* The team: who works here (invite, role, bookable, deactivate, reactivate),
 * and each person's weekly working hours with breaks, one-off hours and time
 * off. Part of the console's one function scope (see console.js); every name
 * declared here starts with "team" so that it cannot clash with another
 * screen's.
 *
 * Owner and manager manage (staff:write, schedules:write); reception and
 * accounting read the team and its hours; the staff role sees its own hours
 * only. A manager cannot give the owner or manager role, nor change an owner's
 * or manager's account (the service refuses; the console does not offer it).
 *
 * One-time passwords (after an invitation or a reactivation) are shown once in
 * a marked box and dropped from memory when the box is closed or the screen
 * left; they are never stored. Weekly hours are edited as time ranges per day;
 * a break is the gap between two ranges, and what is saved is the ranges
 * (shifts) only — rules of kind "break" written elsewhere are shown as gaps. */

  var TEAM_ROLES = ["owner", "manager", "reception", "staff", "accountant"];
  var TEAM_PRIVILEGED = ["owner", "manager"];
  var TEAM_KINDS = ["vacation", "sick", "training", "other"];

  var teamOnce = null; // {name, email, password}: handed to the next draw, which drops it

  onForget(function () { teamOnce = null; });

  registerScreen({
    id: "team",
    label: "team_nav",
    allowed: function () { return can("staff:read"); },
    render: async function (box, arg) {
      arg = arg || {};
      if (ctx.me.role === "staff") return teamPerson(box, ctx.me.id, arg);
      if (arg.staff) return teamPerson(box, arg.staff, arg);
      return teamList(box, arg);
    },
  });

  // --- small helpers --------------------------------------------------------------------

  function teamMayManage(member) {
    if (!can("staff:write") || !member) return false;
    return ctx.me.role === "owner" || TEAM_PRIVILEGED.indexOf(member.role) === -1;
  }

  function teamGrantable() {
    return ctx.me.role === "owner" ? TEAM_ROLES : TEAM_ROLES.filter(function (r) { return TEAM_PRIVILEGED.indexOf(r) === -1; });
  }

  function teamRoleName(role) {
    return tr("role_" + (TEAM_ROLES.indexOf(role) === -1 ? "unknown" : role));
  }

  function teamKeysScreen() {
    return allowedScreens().some(function (s) { return s.id === "keys"; });
  }

  /* Plain words for a refusal of the staff API. ``privileged``: the change
   * touched the owner or manager role (a 403 then means "only an owner"). */
  /* "Delete" for one listed row (a single day, a time off): DELETE ``path``,
   * then ``gone()`` redraws the list, and the news is told. */
  function teamDeleteButton(text, path, errors, teller, gone) {
    return el("button", {
      type: "button", class: "hb-link", text: tr("team_delete"), "aria-label": tr("team_delete_what", { what: text }),
      onclick: async function () {
        showError(errors, "");
        try {
          await api("DELETE", path);
          gone();
          teller.tell(tr("team_deleted", { what: text }));
        } catch (error) {
          if (error instanceof SessionEnded) return;
          showError(errors, teamErrorText(error));
        }
      }
    });
  }

  function teamErrorText(error, privileged) {
    if (error.reason && t["team_reason_" + error.reason]) return tr("team_reason_" + error.reason);
    if (error.status === 403 && !error.reason && privileged) return tr("team_err_owner_only");
    if (error.status === 412 || error.status === 428) return tr("team_err_changed");
    if (error.status === 409 || error.status === 422) {
      var list = teamFieldErrors(error.problem);
      if (list.length) return tr("err_check") + " " + list.join("; ");
    }
    return reasonText(error);
  }

  function teamFieldErrors(problem) {
    var out = [];
    var errors = (problem && problem.errors && problem.errors.json) || {};
    Object.keys(errors).forEach(function (name) {
      var messages = Array.isArray(errors[name]) ? errors[name] : [JSON.stringify(errors[name])];
      var label = t["team_field_" + name] || t["field_" + name] || name;
      messages.forEach(function (m) { out.push(label + ": " + m); });
    });
    return out;
  }

  /* What the last action did, visible under the heading (said aloud by say()). */
  function teamNotes(box, arg) {
    if (arg.note) box.appendChild(el("p", { class: "hb-ok hb-team-note", text: arg.note }));
    if (arg.error) box.appendChild(el("p", { class: "hb-alert", role: "alert", text: arg.error }));
  }

  /* A visible line saying what an action in a section did (and said aloud). */
  function teamTeller() {
    var line = el("p", { class: "hb-ok hb-team-note", hidden: true });
    return {
      node: line,
      tell: function (text) {
        line.textContent = text;
        line.hidden = false;
        say(text);
      }
    };
  }

  function teamSection(title, cls) {
    var id = newId("sec");
    var section = el("section", { class: "hb-team-card " + (cls || ""), "aria-labelledby": id });
    section.appendChild(el("h2", { id: id, tabindex: "-1", text: title }));
    return section;
  }

  function teamCheckbox(label, checked, hint) {
    var id = newId("cb");
    var input = el("input", { id: id, type: "checkbox", checked: !!checked, "aria-describedby": hint ? id + "-hint" : null });
    return {
      input: input,
      node: el("div", { class: "hb-field hb-team-check" }, [
        el("span", { class: "hb-team-check-row" }, [input, el("label", { for: id, text: label })]),
        hint ? el("p", { id: id + "-hint", class: "hb-hint", text: hint }) : null
      ])
    };
  }

  function teamSelect(label, options, value, hint) {
    var id = newId("sel");
    var select = el("select", { id: id, "aria-describedby": hint ? id + "-hint" : null }, options.map(function (o) {
      return el("option", { value: o[0], selected: o[0] === value, text: o[1] });
    }));
    return {
      input: select,
      node: el("div", { class: "hb-field" }, [
        el("label", { for: id, text: label }),
        hint ? el("p", { id: id + "-hint", class: "hb-hint", text: hint }) : null,
        select
      ])
    };
  }

  function teamMark(inputs) {
    inputs.forEach(function (i) { i.setAttribute("aria-invalid", "true"); });
  }

  function teamUnmark(form) {
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
  }

  function teamWeekday(i) {
    // 0 = Monday, as the API counts; 1 January 2024 was a Monday.
    return new Intl.DateTimeFormat(t.locale || "en-GB", { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, 1 + i)));
  }

  function teamShortDate(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC"
    }).format(new Date(iso + "T00:00:00Z"));
  }

  function teamMinutes(hm) {
    var m = /^(\d{2}):(\d{2})/.exec(hm || "");
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
  }

  function teamHm(minutes) {
    return String(Math.floor(minutes / 60)).padStart(2, "0") + ":" + String(minutes % 60).padStart(2, "0");
  }

  function teamRangeText(r) {
    return r.start + "–" + r.end;
  }

  function teamOpenKeysButton() {
    if (!teamKeysScreen()) return null;
    return el("button", { type: "button", class: "hb-secondary", text: tr("team_open_keys"), onclick: function () { go("keys"); } });
  }

  // --- the one-time password, shown once ---------------------------------------------------

  function teamOnceBox() {
    var once = teamOnce;
    teamOnce = null; // shown now, never again
    if (!once) return null;
    var id = newId("otp");
    var code = el("code", { text: once.password });
    var copied = el("p", { class: "hb-hint", role: "status" });
    var box = el("section", { class: "hb-team-once", "aria-labelledby": id, "data-once": "" }, [
      el("h2", { id: id, tabindex: "-1", text: tr("team_once_title", { name: once.name }) }),
      el("p", { class: "hb-team-once-warn", text: tr("team_once_warn") }),
      el("p", { class: "hb-team-otp" }, [el("span", { class: "hb-sr-only", text: tr("team_once_label") + " " }), code]),
      el("div", { class: "hb-actions" }, [
        el("button", {
          type: "button", class: "hb-primary", text: tr("team_copy"),
          onclick: async function () {
            try {
              await navigator.clipboard.writeText(once.password);
              copied.textContent = tr("team_copied");
            } catch (error) {
              copied.textContent = tr("team_copy_failed");
            }
          }
        }),
        el("button", {
          type: "button", class: "hb-secondary", text: tr("team_once_done"),
          onclick: function () {
            once.password = "";
            box.remove();
            say(tr("team_once_hidden"));
            var h = document.querySelector('[data-screen="team"] h1');
            focusHeading(h);
          }
        })
      ]),
      copied,
      el("p", { text: tr("team_once_how", { email: once.email, salon: session.tenant, url: location.origin + location.pathname + "?salon=" + encodeURIComponent(session.tenant) }) })
    ]);
    return box;
  }

  /* Draws the team (or one person) with ``once`` shown at the top, once. */
  async function teamShowOnce(once, staffId) {
    teamOnce = once;
    await go("team", staffId ? { staff: staffId } : undefined);
    teamOnce = null;
    var h = document.querySelector("[data-once] h2");
    if (h) focusHeading(h);
  }

  // --- the team list --------------------------------------------------------------------------

  async function teamList(box, arg) {
    box.appendChild(el("h1", { text: tr("team_title") }));
    var once = teamOnceBox();
    await reloadContext();
    var access = await teamVaultAccess();
    teamNotes(box, arg);
    if (once) box.appendChild(once);
    if (!can("staff:write")) box.appendChild(el("p", { class: "hb-hint", text: tr("team_readonly") }));

    var members = Array.from(ctx.staff.values()).sort(function (a, b) {
      return (b.active - a.active) || (TEAM_ROLES.indexOf(a.role) - TEAM_ROLES.indexOf(b.role)) || a.display_name.localeCompare(b.display_name);
    });
    var listSection = teamSection(tr("team_members", { count: members.length }), "hb-team-members");
    var list = el("ul", { class: "hb-team-list" });
    members.forEach(function (m) { list.appendChild(teamRow(m, access)); });
    listSection.appendChild(list);

    if (can("staff:write")) box.appendChild(teamInviteToggle());
    box.appendChild(listSection);
  }

  /* Owner only (vault:manage): who has a vault key and read access. */
  async function teamVaultAccess() {
    if (!can("vault:manage")) return null;
    try {
      var rows = (await api("GET", "/vault/members")).data || [];
      var out = new Map();
      rows.forEach(function (r) { out.set(r.staff_id, r); });
      return out;
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      return null;
    }
  }

  /* What the team member still needs before reading client data, in words
   * (null when nothing is known or nothing is missing). */
  function teamAccessText(member, access) {
    if (!member.active) return null;
    if (member.role === "accountant") return { text: tr("team_access_never"), short: tr("team_access_never_short") };
    if (!access) return null;
    var row = access.get(member.id);
    if (!row) return null;
    if (!row.public_key) return { text: tr("team_access_no_key"), short: tr("team_access_no_key_short"), todo: true };
    if (!row.granted) return { text: tr("team_access_no_grant"), short: tr("team_access_no_grant_short"), todo: true };
    return { text: tr("team_access_ok"), short: tr("team_access_ok") };
  }

  function teamRow(m, access) {
    var headId = newId("m");
    var facts = [
      [tr("team_role"), teamRoleName(m.role)],
      [tr("team_bookable"), m.bookable ? tr("team_yes") : tr("team_no")],
      [tr("team_status"), m.active ? (m.must_change_password ? tr("team_active_new_short") : tr("team_active")) : tr("team_inactive_short")]
    ];
    var acc = teamAccessText(m, access);
    if (acc) facts.push([tr("team_access"), acc.short]);
    var item = el("li", { class: "hb-team-member" + (m.active ? "" : " hb-team-off"), "data-staff": m.id }, [
      el("h3", { id: headId, text: m.display_name + (m.id === ctx.me.id ? " (" + tr("team_you") + ")" : "") }),
      el("p", { class: "hb-hint hb-team-email", text: m.email }),
      el("dl", { class: "hb-facts hb-team-facts" }, facts.reduce(function (out, f) {
        out.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
        return out;
      }, [])),
      el("div", { class: "hb-actions" }, [
        el("button", {
          type: "button", class: "hb-secondary", "aria-describedby": headId,
          text: can("staff:write") ? tr("team_open_manage") : tr("team_open"),
          onclick: function () { go("team", { staff: m.id }); }
        }),
        acc && acc.todo ? teamOpenKeysButton() : null
      ])
    ]);
    return item;
  }

  // --- inviting -----------------------------------------------------------------------------------

  function teamInviteToggle() {
    var wrap = el("div", { class: "hb-team-invite" });
    var open = el("button", { type: "button", class: "hb-primary", "aria-expanded": "false", text: tr("team_invite") });
    open.addEventListener("click", function () {
      if (wrap.querySelector("form")) return;
      open.setAttribute("aria-expanded", "true");
      open.hidden = true;
      var section = teamInviteForm(function () {
        section.remove();
        open.hidden = false;
        open.setAttribute("aria-expanded", "false");
        open.focus();
      });
      wrap.appendChild(section);
      section.querySelector("input").focus();
    });
    wrap.appendChild(open);
    return wrap;
  }

  function teamInviteForm(close) {
    var section = teamSection(tr("team_invite_title"), "hb-team-invite-form");
    var name = field(tr("team_display_name"), { name: "display-name", autocomplete: "off", required: true, maxlength: "100" }, tr("team_display_name_hint"));
    var email = field(tr("email"), { name: "invite-email", type: "email", autocomplete: "off", required: true, maxlength: "254" });
    var pub = field(tr("team_public_name"), { name: "invite-public-name", autocomplete: "off", maxlength: "100" }, tr("team_public_name_hint"));
    var roles = teamGrantable().map(function (r) { return [r, teamRoleName(r)]; });
    var role = teamSelect(tr("team_role"), roles, "staff", ctx.me.role === "owner" ? null : tr("team_role_owner_only"));
    var info = el("p", { class: "hb-hint", "aria-live": "polite" });
    var bookable = teamCheckbox(tr("team_bookable_label"), true, tr("team_bookable_hint"));
    function describe() { info.textContent = tr("team_roleinfo_" + role.input.value); }
    role.input.addEventListener("change", describe);
    describe();
    role.node.appendChild(info);
    var errors = alertBox();
    var send = el("button", { type: "submit", class: "hb-primary", text: tr("team_invite_send") });
    var cancel = el("button", { type: "button", class: "hb-secondary", text: tr("team_cancel"), onclick: close });
    var form = el("form", { class: "hb-form", novalidate: true }, [
      name.node, email.node, pub.node, role.node, bookable.node, errors, el("div", { class: "hb-actions" }, [send, cancel])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(errors, "");
      var missing = [];
      if (!name.input.value.trim()) missing.push(name);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.input.value.trim())) missing.push(email);
      if (missing.length) {
        teamMark(missing.map(function (f) { return f.input; }));
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      send.disabled = true;
      var body = { display_name: name.input.value.trim(), email: email.input.value.trim(), role: role.input.value, bookable: bookable.input.checked };
      if (pub.input.value.trim()) body.public_name = pub.input.value.trim();
      try {
        var r = await api("POST", "/staff", body);
        var once = { name: r.data.display_name, email: r.data.email, password: r.data.one_time_password };
        await reloadContext();
        say(tr("team_invited", { name: r.data.display_name }));
        await teamShowOnce(once);
      } catch (error) {
        if (error instanceof SessionEnded) return;
        send.disabled = false;
        if (error.reason === "email_taken") teamMark([email.input]);
        showError(errors, teamErrorText(error, TEAM_PRIVILEGED.indexOf(body.role) !== -1));
        (error.reason === "email_taken" ? email.input : send).focus();
      }
    });
    section.appendChild(form);
    return section;
  }

  // --- one person -----------------------------------------------------------------------------------

  async function teamPerson(box, staffId, arg) {
    var own = staffId === ctx.me.id;
    var results = await Promise.all([
      api("GET", "/staff/" + staffId),
      api("GET", "/staff/" + staffId + "/working-hours"),
      api("GET", "/staff/" + staffId + "/exceptions?from=" + today()),
      api("GET", "/staff/" + staffId + "/time-off")
    ]);
    var member = results[0].data;
    var etag = results[0].headers.get("ETag");
    var h1 = el("h1", { text: ctx.me.role === "staff" ? tr("team_my_hours") : member.display_name });
    box.appendChild(h1);
    if (ctx.me.role !== "staff") {
      box.appendChild(el("p", {}, [el("button", { type: "button", class: "hb-link", text: tr("team_back"), onclick: function () { go("team"); } })]));
    } else if (!can("schedules:write")) {
      box.appendChild(el("p", { class: "hb-hint", text: tr("team_own_readonly") }));
    }
    teamNotes(box, arg);
    var once = teamOnceBox();
    if (once) box.appendChild(once);

    var layout = el("div", { class: "hb-team-person" });
    var side = el("div", { class: "hb-team-side" });
    var main = el("div", { class: "hb-team-main" });
    if (ctx.me.role !== "staff") side.appendChild(teamAccount(member, etag, own));
    var access = await teamAccessSection(member, own);
    if (access) side.appendChild(access);
    main.appendChild(teamWeek(member, results[1].data.rules || []));
    main.appendChild(teamExceptions(member, results[2].data || []));
    main.appendChild(teamTimeOff(member, results[3].data || []));
    layout.appendChild(side);
    layout.appendChild(main);
    box.appendChild(layout);
  }

  function teamAccount(member, etag, own) {
    var section = teamSection(tr("team_account"), "hb-team-account");
    var status = member.active ? (member.must_change_password ? tr("team_active_new") : tr("team_active")) : tr("team_inactive");
    section.appendChild(el("dl", { class: "hb-facts" }, [
      el("dt", { text: tr("email") }), el("dd", { text: member.email }),
      el("dt", { text: tr("team_role") }), el("dd", { text: teamRoleName(member.role) }),
      el("dt", { text: tr("team_status") }), el("dd", { "data-status": member.active ? "active" : "inactive", text: status })
    ]));
    if (!can("staff:write")) return section;
    if (!teamMayManage(member)) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("team_owner_manages") }));
      return section;
    }
    if (member.active) section.appendChild(teamEditForm(member, etag, own));
    var actions = el("div", { class: "hb-actions hb-team-life" });
    var errors = alertBox();
    if (own) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("team_not_yourself") }));
    } else if (member.active) {
      actions.appendChild(el("button", { type: "button", class: "hb-danger", "data-action": "deactivate", text: tr("team_deactivate"), onclick: function () { teamAskDeactivate(member, actions, errors); } }));
    } else {
      section.appendChild(el("p", { class: "hb-hint", text: tr("team_reactivate_hint") }));
      actions.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "reactivate", text: tr("team_reactivate"), onclick: function () { teamReactivate(member, errors); } }));
    }
    section.appendChild(actions);
    section.appendChild(errors);
    return section;
  }

  function teamEditForm(member, etag, own) {
    var name = field(tr("team_display_name"), { name: "display-name", autocomplete: "off", required: true, maxlength: "100", value: member.display_name }, tr("team_display_name_hint"));
    var pub = field(tr("team_public_name"), { name: "public-name", autocomplete: "off", maxlength: "100", value: member.public_name || "" }, tr("team_public_name_hint"));
    var roles = teamGrantable().slice();
    if (roles.indexOf(member.role) === -1) roles.unshift(member.role);
    var role = teamSelect(tr("team_role"), roles.map(function (r) { return [r, teamRoleName(r)]; }), member.role,
      own ? tr("team_own_role") : tr("team_role_change_hint"));
    if (own) role.input.disabled = true;
    var info = el("p", { class: "hb-hint", "aria-live": "polite" });
    function describe() { info.textContent = tr("team_roleinfo_" + role.input.value); }
    role.input.addEventListener("change", describe);
    describe();
    role.node.appendChild(info);
    var bookable = teamCheckbox(tr("team_bookable_label"), member.bookable, tr("team_bookable_hint"));
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("team_save") });
    var form = el("form", { class: "hb-form", novalidate: true }, [name.node, pub.node, role.node, bookable.node, errors, save]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(errors, "");
      if (!name.input.value.trim()) {
        teamMark([name.input]);
        showError(errors, tr("err_missing"), [tr("team_display_name")]);
        name.input.focus();
        return;
      }
      var changes = {};
      if (name.input.value.trim() !== member.display_name) changes.display_name = name.input.value.trim();
      var publicName = pub.input.value.trim() || null;
      if (publicName !== (member.public_name || null)) changes.public_name = publicName;
      if (!own && role.input.value !== member.role) changes.role = role.input.value;
      if (bookable.input.checked !== member.bookable) changes.bookable = bookable.input.checked;
      if (!Object.keys(changes).length) {
        showError(errors, tr("team_nothing_changed"));
        return;
      }
      save.disabled = true;
      try {
        await api("PATCH", "/staff/" + member.id, changes, { "If-Match": etag });
        await reloadContext();
        if (own) renderTop();
        var note = changes.role ? tr("team_saved_role", { name: member.display_name }) : tr("team_saved");
        say(note);
        await go("team", { staff: member.id, note: note });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        save.disabled = false;
        var privileged = TEAM_PRIVILEGED.indexOf(member.role) !== -1 || TEAM_PRIVILEGED.indexOf(changes.role) !== -1;
        showError(errors, teamErrorText(error, privileged));
        if (error.status === 412) {
          // Someone else saved in between: show their version, and say so.
          await go("team", { staff: member.id, error: tr("team_err_changed") });
          return;
        }
        save.focus();
      }
    });
    return form;
  }

  function teamAskDeactivate(member, actions, errors) {
    clear(actions);
    showError(errors, "");
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("team_deactivate_really", { name: member.display_name }) });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "deactivate-yes", "aria-describedby": q.id, text: tr("team_deactivate_yes"), onclick: async function () {
      yes.disabled = true;
      no.disabled = true;
      try {
        await api("POST", "/staff/" + member.id + "/deactivate");
        await reloadContext();
        var note = tr("team_deactivated", { name: member.display_name });
        say(note);
        await go("team", { staff: member.id, note: note });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        yes.disabled = false;
        no.disabled = false;
        showError(errors, teamErrorText(error, TEAM_PRIVILEGED.indexOf(member.role) !== -1));
        no.focus();
      }
    } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "deactivate-no", text: tr("team_keep_active"), onclick: function () { go("team", { staff: member.id }); } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    yes.focus();
  }

  async function teamReactivate(member, errors) {
    showError(errors, "");
    try {
      var r = await api("POST", "/staff/" + member.id + "/reactivate");
      var once = { name: r.data.display_name, email: r.data.email, password: r.data.one_time_password };
      await reloadContext();
      say(tr("team_reactivated", { name: member.display_name }));
      await teamShowOnce(once, member.id);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      showError(errors, teamErrorText(error, TEAM_PRIVILEGED.indexOf(member.role) !== -1));
    }
  }

  /* Client data: the owner sees each member's vault key and access; everyone
   * sees their own. A member without a key (or access) is pointed to the keys
   * screen. */
  async function teamAccessSection(member, own) {
    if (!member.active) return null;
    var text = null, todo = false;
    if (member.role === "accountant") {
      text = tr("team_access_never");
    } else if (own && ctx.vaultState) {
      if (!ctx.vaultState.member) { text = tr("team_access_own_no_key"); todo = true; }
      else if (!ctx.vaultState.grant) { text = tr("team_access_own_no_grant"); todo = !!can("vault:manage"); }
      else text = tr("team_access_ok");
    } else if (can("vault:manage")) {
      var access = await teamVaultAccess();
      var found = teamAccessText(member, access);
      if (found) { text = found.text; todo = !!found.todo; }
    }
    if (!text) return null;
    var section = teamSection(tr("team_access"), "hb-team-access");
    section.appendChild(el("p", { "data-access": todo ? "todo" : "ok", text: text }));
    if (todo) {
      var button = teamOpenKeysButton();
      if (button) section.appendChild(button);
      else section.appendChild(el("p", { class: "hb-hint", text: tr("team_keys_later") }));
    }
    return section;
  }

  // --- weekly hours ------------------------------------------------------------------------------------

  /* The API's rules as time ranges per weekday: shifts minus breaks. */
  function teamRangesFromRules(rules) {
    var week = [[], [], [], [], [], [], []];
    var breaks = [[], [], [], [], [], [], []];
    rules.forEach(function (r) {
      var range = { start: teamMinutes(r.start), end: teamMinutes(r.end) };
      (r.kind === "break" ? breaks : week)[r.weekday].push(range);
    });
    return week.map(function (ranges, day) {
      breaks[day].forEach(function (b) {
        ranges = ranges.reduce(function (out, r) {
          if (b.end <= r.start || b.start >= r.end) { out.push(r); return out; }
          if (b.start > r.start) out.push({ start: r.start, end: b.start });
          if (b.end < r.end) out.push({ start: b.end, end: r.end });
          return out;
        }, []);
      });
      return ranges.sort(function (a, b) { return a.start - b.start; })
        .map(function (r) { return { start: teamHm(r.start), end: teamHm(r.end) }; });
    });
  }

  function teamDayText(ranges) {
    if (!ranges.length) return tr("team_day_off");
    var text = ranges.map(teamRangeText).join(", ");
    var gaps = [];
    for (var i = 1; i < ranges.length; i++) {
      if (ranges[i].start > ranges[i - 1].end) gaps.push(ranges[i - 1].end + "–" + ranges[i].start);
    }
    return gaps.length ? text + " (" + tr("team_breaks", { times: gaps.join(", ") }) + ")" : text;
  }

  function teamWeek(member, rules) {
    var section = teamSection(tr("team_week"), "hb-team-week");
    var week = teamRangesFromRules(rules);
    if (!can("schedules:write")) {
      section.appendChild(el("dl", { class: "hb-facts hb-team-week-view" }, week.reduce(function (out, ranges, day) {
        out.push(el("dt", { text: teamWeekday(day) }), el("dd", { "data-weekday": day, text: teamDayText(ranges) }));
        return out;
      }, [])));
      return section;
    }
    section.appendChild(el("p", { class: "hb-hint", text: tr("team_week_hint") }));
    var days = [];
    var grid = el("div", { class: "hb-team-days" });
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("team_week_save") });
    var form = el("form", { class: "hb-form", novalidate: true }, [grid, errors, save]);

    function read(day) {
      week[day] = days[day].rows.map(function (row) { return { start: row.start.value, end: row.end.value }; });
    }

    function drawDay(day, focus) {
      var fs = days[day].node;
      clear(fs);
      var dayName = teamWeekday(day);
      fs.appendChild(el("legend", { text: dayName }));
      var rows = [];
      var list = el("ul", { class: "hb-team-ranges" });
      week[day].forEach(function (range, i) {
        var n = i + 1;
        var startId = newId("t"), endId = newId("t");
        var start = el("input", { id: startId, type: "time", value: range.start, "data-weekday": day, "data-range": i, "data-edge": "start" });
        var end = el("input", { id: endId, type: "time", value: range.end, "data-weekday": day, "data-range": i, "data-edge": "end" });
        rows.push({ start: start, end: end });
        list.appendChild(el("li", { class: "hb-team-range" }, [
          el("span", { class: "hb-field" }, [el("label", { for: startId }, [el("span", { class: "hb-sr-only", text: tr("team_range_of", { day: dayName, n: n }) + " " }), tr("team_from")]), start]),
          el("span", { class: "hb-field" }, [el("label", { for: endId }, [el("span", { class: "hb-sr-only", text: tr("team_range_of", { day: dayName, n: n }) + " " }), tr("team_until")]), end]),
          el("button", {
            type: "button", class: "hb-secondary hb-team-remove", "aria-label": tr("team_range_remove", { day: dayName, n: n }), text: tr("team_remove"),
            onclick: function () { read(day); week[day].splice(i, 1); drawDay(day, "add"); say(tr("team_range_removed", { day: dayName })); }
          })
        ]));
      });
      days[day].rows = rows;
      if (week[day].length) fs.appendChild(list);
      else fs.appendChild(el("p", { class: "hb-hint", text: tr("team_day_off") }));
      var buttons = el("div", { class: "hb-actions" });
      var add = el("button", {
        type: "button", class: "hb-secondary", "data-add": day, "aria-label": tr("team_range_add_for", { day: dayName }), text: tr("team_range_add"),
        onclick: function () {
          read(day);
          var last = week[day][week[day].length - 1];
          var from = last ? Math.min(teamMinutes(last.end) + 60, 23 * 60) : 9 * 60;
          week[day].push({ start: teamHm(from), end: teamHm(Math.min(from + 4 * 60, 23 * 60 + 59)) });
          drawDay(day, "new");
        }
      });
      buttons.appendChild(add);
      if (day > 0) {
        buttons.appendChild(el("button", {
          type: "button", class: "hb-secondary", "data-copy": day, text: tr("team_same_as", { day: teamWeekday(day - 1) }),
          "aria-label": tr("team_same_as_for", { day: dayName, other: teamWeekday(day - 1) }),
          onclick: function () {
            read(day - 1);
            week[day] = week[day - 1].map(function (r) { return { start: r.start, end: r.end }; });
            drawDay(day, "copy");
            say(tr("team_copied_day", { day: dayName, other: teamWeekday(day - 1) }));
          }
        }));
      }
      fs.appendChild(buttons);
      if (focus === "new" && rows.length) rows[rows.length - 1].start.focus();
      else if (focus === "add") add.focus();
      else if (focus === "copy") buttons.lastChild.focus();
    }

    for (var day = 0; day < 7; day++) {
      days.push({ node: el("fieldset", { class: "hb-team-day", "data-weekday": day }), rows: [] });
      grid.appendChild(days[day].node);
      drawDay(day);
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(errors, "");
      for (var d = 0; d < 7; d++) read(d);
      var problems = [], bad = [], rules = [];
      week.forEach(function (ranges, d) {
        var name = teamWeekday(d);
        var good = [];
        ranges.forEach(function (r, i) {
          var row = days[d].rows[i];
          if (!r.start || !r.end) {
            problems.push(tr("team_err_range_empty", { day: name, n: i + 1 }));
            bad.push(!r.start ? row.start : row.end);
          } else if (teamMinutes(r.end) <= teamMinutes(r.start)) {
            problems.push(tr("team_err_range_order", { day: name, range: teamRangeText(r) }));
            bad.push(row.end);
          } else {
            good.push({ r: r, row: row });
          }
        });
        good.sort(function (a, b) { return teamMinutes(a.r.start) - teamMinutes(b.r.start); });
        for (var i = 1; i < good.length; i++) {
          if (teamMinutes(good[i].r.start) < teamMinutes(good[i - 1].r.end)) {
            problems.push(tr("team_err_range_overlap", { day: name, a: teamRangeText(good[i - 1].r), b: teamRangeText(good[i].r) }));
            bad.push(good[i].row.start);
          }
        }
        good.forEach(function (g) { rules.push({ weekday: d, kind: "shift", start: g.r.start, end: g.r.end }); });
      });
      if (problems.length) {
        teamMark(bad);
        showError(errors, tr("team_err_week"), problems);
        bad[0].focus();
        return;
      }
      save.disabled = true;
      try {
        var r = await api("PUT", "/staff/" + member.id + "/working-hours", { rules: rules });
        week = teamRangesFromRules(r.data.rules || []);
        for (var dd = 0; dd < 7; dd++) drawDay(dd);
        save.disabled = false;
        var done = el("p", { class: "hb-ok", text: tr("team_week_saved") });
        say(tr("team_week_saved"));
        showError(errors, "");
        var old = form.querySelector(".hb-team-saved");
        if (old) old.remove();
        done.classList.add("hb-team-saved");
        form.insertBefore(done, save);
        save.focus();
      } catch (error) {
        if (error instanceof SessionEnded) return;
        save.disabled = false;
        showError(errors, teamErrorText(error));
        save.focus();
      }
    });
    section.appendChild(form);
    return section;
  }

  // --- one-off hours (exceptions) -------------------------------------------------------------------------

  function teamExceptions(member, rows) {
    var section = teamSection(tr("team_exceptions"), "hb-team-exceptions");
    section.appendChild(el("p", { class: "hb-hint", text: tr("team_exceptions_hint") }));
    var list = el("ul", { class: "hb-team-entries" });
    var errors = alertBox();
    var teller = teamTeller();
    var write = can("schedules:write");

    function draw(focusAdd) {
      clear(list);
      if (!rows.length) list.appendChild(el("li", { class: "hb-hint", text: tr("team_exceptions_none") }));
      rows.forEach(function (x) {
        var text = teamShortDate(x.date) + ": " + (x.start ? x.start + "–" + x.end : tr("team_exception_off"));
        list.appendChild(el("li", { "data-exception": x.id }, [
          el("span", { text: text }),
          write ? teamDeleteButton(text, "/staff/" + member.id + "/exceptions/" + x.id, errors, teller, function () {
            rows = rows.filter(function (o) { return o.id !== x.id; });
            draw(true);
          }) : null
        ]));
      });
      if (focusAdd && addDate) addDate.input.focus();
    }

    var addDate = null;
    section.appendChild(list);
    section.appendChild(teller.node);
    section.appendChild(errors);
    draw(false);
    if (!write) return section;

    addDate = field(tr("team_date"), { type: "date", name: "exception-date", min: today(), required: true });
    var off = teamCheckbox(tr("team_exception_is_off"), true);
    var from = field(tr("team_from"), { type: "time", name: "exception-from" });
    var until = field(tr("team_until"), { type: "time", name: "exception-until" });
    var times = el("div", { class: "hb-team-times", hidden: true }, [from.node, until.node]);
    off.input.addEventListener("change", function () { times.hidden = off.input.checked; });
    var formErrors = alertBox();
    var add = el("button", { type: "submit", class: "hb-primary", text: tr("team_exception_add") });
    var form = el("form", { class: "hb-form hb-team-add", novalidate: true, "aria-label": tr("team_exception_add") }, [addDate.node, off.node, times, formErrors, add]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(formErrors, "");
      var body = { date: addDate.input.value, start: null, end: null };
      var bad = [];
      var problems = [];
      if (!/^\d{4}-\d{2}-\d{2}$/.test(body.date)) { bad.push(addDate.input); problems.push(tr("team_date")); }
      if (!off.input.checked) {
        body.start = from.input.value;
        body.end = until.input.value;
        if (!body.start) { bad.push(from.input); problems.push(tr("team_from")); }
        if (!body.end) { bad.push(until.input); problems.push(tr("team_until")); }
      }
      if (bad.length) {
        teamMark(bad);
        showError(formErrors, tr("err_missing"), problems);
        bad[0].focus();
        return;
      }
      if (body.start && teamMinutes(body.end) <= teamMinutes(body.start)) {
        teamMark([until.input]);
        showError(formErrors, tr("team_err_end_after_start"));
        until.input.focus();
        return;
      }
      add.disabled = true;
      try {
        var r = await api("POST", "/staff/" + member.id + "/exceptions", body);
        rows = rows.concat([r.data]).sort(function (a, b) { return (a.date + (a.start || "")).localeCompare(b.date + (b.start || "")); });
        draw(false);
        addDate.input.value = "";
        teller.tell(tr("team_exception_added"));
        addDate.input.focus();
      } catch (error) {
        if (error instanceof SessionEnded) return;
        showError(formErrors, error.status === 409 ? tr("team_err_exception_taken") : teamErrorText(error));
        addDate.input.focus();
      } finally {
        add.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }

  // --- time off ------------------------------------------------------------------------------------------------

  function teamKindText(kind) {
    var names = {
      vacation: tr("team_kind_vacation"), sick: tr("team_kind_sick"), training: tr("team_kind_training"),
      other: tr("team_kind_other"), away: tr("team_kind_away")
    };
    return names[kind] || kind;
  }

  function teamTimeOffText(x) {
    var s = zoneParts(new Date(x.start_at), ctx.tz), e = zoneParts(new Date(x.end_at), ctx.tz);
    if (s.hm === "00:00" && e.hm === "00:00") {
      var last = shiftDay(e.date, -1);
      return last === s.date ? teamShortDate(s.date) : teamShortDate(s.date) + " – " + teamShortDate(last);
    }
    if (s.date === e.date) return teamShortDate(s.date) + ", " + s.hm + "–" + e.hm;
    return teamShortDate(s.date) + " " + s.hm + " – " + teamShortDate(e.date) + " " + e.hm;
  }

  function teamTimeOff(member, all) {
    var section = teamSection(tr("team_time_off"), "hb-team-time-off");
    var now = Date.now();
    var rows = all.filter(function (x) { return new Date(x.end_at).getTime() > now; });
    section.appendChild(el("p", { class: "hb-hint", text: tr("team_time_off_hint") }));
    var list = el("ul", { class: "hb-team-entries" });
    var errors = alertBox();
    var teller = teamTeller();
    var write = can("schedules:write");
    var fromDate = null;

    function draw(focusAdd) {
      clear(list);
      if (!rows.length) list.appendChild(el("li", { class: "hb-hint", text: tr("team_time_off_none") }));
      rows.forEach(function (x) {
        var text = teamTimeOffText(x) + " · " + teamKindText(x.kind);
        list.appendChild(el("li", { "data-time-off": x.id }, [
          el("span", { text: text }),
          write ? teamDeleteButton(text, "/staff/" + member.id + "/time-off/" + x.id, errors, teller, function () {
            rows = rows.filter(function (o) { return o.id !== x.id; });
            draw(true);
          }) : null
        ]));
      });
      if (focusAdd && fromDate) fromDate.input.focus();
    }

    section.appendChild(list);
    section.appendChild(teller.node);
    section.appendChild(errors);
    draw(false);
    if (!write) return section;

    fromDate = field(tr("team_off_from"), { type: "date", name: "off-from", required: true });
    var fromTime = field(tr("team_off_from_time"), { type: "time", name: "off-from-time" }, tr("team_off_time_hint"));
    var toDate = field(tr("team_off_to"), { type: "date", name: "off-to", required: true });
    var toTime = field(tr("team_off_to_time"), { type: "time", name: "off-to-time" }, tr("team_off_time_hint"));
    var kind = teamSelect(tr("team_off_kind"), TEAM_KINDS.map(function (k) { return [k, teamKindText(k)]; }), "vacation", tr("team_off_kind_hint"));
    fromDate.input.addEventListener("change", function () {
      if (!toDate.input.value || toDate.input.value < fromDate.input.value) toDate.input.value = fromDate.input.value;
    });
    var formErrors = alertBox();
    var add = el("button", { type: "submit", class: "hb-primary", text: tr("team_off_add") });
    var form = el("form", { class: "hb-form hb-team-add", novalidate: true, "aria-label": tr("team_off_add") }, [
      el("div", { class: "hb-team-times" }, [fromDate.node, fromTime.node]),
      el("div", { class: "hb-team-times" }, [toDate.node, toTime.node]),
      kind.node, formErrors, add
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(formErrors, "");
      var iso = /^\d{4}-\d{2}-\d{2}$/;
      var bad = [], problems = [];
      if (!iso.test(fromDate.input.value)) { bad.push(fromDate.input); problems.push(tr("team_off_from")); }
      if (!iso.test(toDate.input.value)) { bad.push(toDate.input); problems.push(tr("team_off_to")); }
      if (bad.length) {
        teamMark(bad);
        showError(formErrors, tr("err_missing"), problems);
        bad[0].focus();
        return;
      }
      // Without times: whole days, from the first day's start to the end of the last day.
      var start = fromDate.input.value + "T" + (fromTime.input.value || "00:00") + ":00";
      var end = toTime.input.value ? toDate.input.value + "T" + toTime.input.value + ":00" : shiftDay(toDate.input.value, 1) + "T00:00:00";
      if (end <= start) {
        teamMark([toDate.input, toTime.input]);
        showError(formErrors, tr("team_err_end_after_start"));
        toDate.input.focus();
        return;
      }
      add.disabled = true;
      try {
        var r = await api("POST", "/staff/" + member.id + "/time-off", { start_at: start, end_at: end, kind: kind.input.value });
        rows = rows.concat([r.data]).sort(function (a, b) { return new Date(a.start_at) - new Date(b.start_at); });
        draw(false);
        [fromDate, fromTime, toDate, toTime].forEach(function (f) { f.input.value = ""; });
        teller.tell(tr("team_off_added"));
        fromDate.input.focus();
      } catch (error) {
        if (error instanceof SessionEnded) return;
        showError(formErrors, teamErrorText(error));
        fromDate.input.focus();
      } finally {
        add.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }

/* Services: what the salon offers — name, description, duration, price, who
 * performs it, active or not. Part of the console's one function scope (see
 * console.js); every name declared here starts with "svc" so that it cannot
 * clash with another screen's.
 *
 * Everyone with services:read sees the list; owner and manager
 * (services:write) create, edit, deactivate and activate again. Prices are
 * typed and shown in euros in the salon's language (tenant.locale) and sent
 * as cents. After a change the shared context is read again (reloadContext),
 * so the day view and the other screens see it. */

  registerScreen({
    id: "services",
    label: "services_nav",
    allowed: function () { return can("services:read"); },
    render: async function (box, arg) { await svcScreen(box, arg || {}); }
  });

  function svcLocale() {
    return (ctx.tenant && ctx.tenant.locale) || t.locale || "de";
  }

  function svcPrice(cents) {
    return new Intl.NumberFormat(svcLocale(), { style: "currency", currency: "EUR" }).format((cents || 0) / 100);
  }

  /* The amount as typed in the form: "52,50" in German, "52.50" in English. */
  function svcAmount(cents) {
    return new Intl.NumberFormat(svcLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }).format((cents || 0) / 100);
  }

  /* Euros as typed (52 | 52,5 | 52.50 | 52,50 €) -> cents, or null. */
  function svcCents(text) {
    var s = String(text || "").replace(/[\s\u00a0€]/g, "").replace(/^EUR|EUR$/i, "");
    var m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(s);
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + (m[2] ? parseInt((m[2] + "0").slice(0, 2), 10) : 0);
  }

  function svcMinutes(n) {
    return tr("services_minutes", { n: n });
  }

  function svcStaffNames(ids) {
    var out = ids.map(function (id) {
      var s = ctx.staff.get(id);
      if (!s) return "#" + id;
      return s.display_name + (s.active ? "" : " (" + tr("inactive") + ")");
    });
    return out.length ? out.join(", ") : tr("services_nobody");
  }

  function svcErrorText(error) {
    if (error.status === 412 || error.status === 428) return tr("services_err_changed");
    if (error.status === 422) {
      var out = [];
      var errors = (error.problem && error.problem.errors && error.problem.errors.json) || {};
      Object.keys(errors).forEach(function (name) {
        var label = t["services_field_" + name] || name;
        (Array.isArray(errors[name]) ? errors[name] : [JSON.stringify(errors[name])]).forEach(function (m) { out.push(label + ": " + m); });
      });
      if (out.length) return tr("err_check") + " " + out.join("; ");
    }
    return reasonText(error);
  }

  async function svcScreen(box, arg) {
    box.appendChild(el("h1", { text: tr("services_title") }));
    await reloadContext();
    var write = can("services:write");
    if (!write) box.appendChild(el("p", { class: "hb-hint", text: tr("services_readonly") }));
    var formSlot = el("div", { class: "hb-svc-form-slot" });
    var listErrors = alertBox();
    if (write) {
      var create = el("button", { type: "button", class: "hb-primary", "data-action": "new-service", text: tr("services_new"), onclick: function () { svcOpenForm(formSlot, null, create); } });
      box.appendChild(el("div", { class: "hb-actions" }, [create]));
    }
    box.appendChild(formSlot);
    var all = Array.from(ctx.services.values()).sort(function (a, b) {
      return (b.active - a.active) || a.name.localeCompare(b.name);
    });
    var headId = newId("svc");
    var section = el("section", { class: "hb-team-card hb-svc-list-card", "aria-labelledby": headId }, [
      el("h2", { id: headId, text: tr("services_list", { count: all.length }) })
    ]);
    if (arg.note) section.appendChild(el("p", { class: "hb-ok hb-team-note", text: arg.note }));
    var list = el("ul", { class: "hb-svc-list" });
    if (!all.length) list.appendChild(el("li", { class: "hb-hint", text: tr("services_none") }));
    all.forEach(function (s) { list.appendChild(svcItem(s, write, formSlot, listErrors)); });
    section.appendChild(list);
    section.appendChild(listErrors);
    box.appendChild(section);
    if (arg.focus) {
      var again = box.querySelector('[data-service="' + arg.focus + '"] h3');
      if (again) window.setTimeout(function () { focusHeading(again); }, 0);
    }
  }

  function svcItem(s, write, formSlot, errors) {
    var headId = newId("svc");
    var facts = [
      [tr("services_duration"), svcMinutes(s.duration_min)],
      [tr("services_price"), svcPrice(s.price_cents)],
      [tr("services_who"), svcStaffNames(s.staff_ids || [])],
      [tr("services_state"), s.active ? tr("services_active") : tr("services_inactive")]
    ];
    var actions = el("div", { class: "hb-actions" });
    if (write) {
      var edit = el("button", { type: "button", class: "hb-secondary", "aria-describedby": headId, text: tr("services_edit"), onclick: function () { svcOpenForm(formSlot, s, edit); } });
      actions.appendChild(edit);
      actions.appendChild(el("button", {
        type: "button", class: s.active ? "hb-secondary" : "hb-primary", "aria-describedby": headId,
        "data-action": s.active ? "deactivate" : "activate",
        text: s.active ? tr("services_deactivate") : tr("services_activate"),
        onclick: function () { svcSetActive(s, !s.active, errors); }
      }));
    }
    return el("li", { class: "hb-svc" + (s.active ? "" : " hb-team-off"), "data-service": s.id }, [
      el("h3", { id: headId, text: s.name }),
      s.description ? el("p", { class: "hb-svc-desc", text: s.description }) : null,
      el("dl", { class: "hb-facts hb-team-facts" }, facts.reduce(function (out, f) {
        out.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
        return out;
      }, [])),
      actions
    ]);
  }

  async function svcSetActive(s, active, errors) {
    showError(errors, "");
    try {
      if (active) {
        var fresh = await api("GET", "/services/" + s.id);
        await api("PATCH", "/services/" + s.id, { active: true }, { "If-Match": fresh.headers.get("ETag") });
      } else {
        await api("DELETE", "/services/" + s.id);
      }
      await reloadContext();
      var note = active ? tr("services_activated", { name: s.name }) : tr("services_deactivated", { name: s.name });
      say(note);
      await go("services", { note: note, focus: s.id });
    } catch (error) {
      if (error instanceof SessionEnded) return;
      showError(errors, svcErrorText(error));
    }
  }

  /* The create/edit form (one at a time), above the list. ``back``: the
   * button that opened it, focused again on cancel. */
  async function svcOpenForm(slot, service, back) {
    clear(slot);
    var etag = null;
    if (service) {
      try {
        var fresh = await api("GET", "/services/" + service.id);
        service = fresh.data;
        etag = fresh.headers.get("ETag");
      } catch (error) {
        if (error instanceof SessionEnded) return;
        var box = alertBox();
        slot.appendChild(box);
        showError(box, svcErrorText(error));
        return;
      }
    }
    var headId = newId("svc");
    var section = el("section", { class: "hb-team-card hb-svc-form", "aria-labelledby": headId }, [
      el("h2", { id: headId, tabindex: "-1", text: service ? tr("services_edit_title", { name: service.name }) : tr("services_new_title") })
    ]);
    var name = field(tr("services_name"), { name: "service-name", autocomplete: "off", required: true, maxlength: "120", value: service ? service.name : "" });
    var descId = newId("f");
    var desc = el("textarea", { id: descId, name: "service-description", rows: "3", maxlength: "2000", "aria-describedby": descId + "-hint" });
    desc.value = service ? service.description || "" : "";
    var descNode = el("div", { class: "hb-field" }, [
      el("label", { for: descId, text: tr("services_description") }),
      el("p", { id: descId + "-hint", class: "hb-hint", text: tr("services_description_hint") }),
      desc
    ]);
    var duration = field(tr("services_duration_label"), { name: "service-duration", type: "number", inputmode: "numeric", min: "5", max: "720", step: "5", required: true, value: service ? String(service.duration_min) : "30" }, tr("services_duration_hint"));
    var price = field(tr("services_price_label"), { name: "service-price", inputmode: "decimal", autocomplete: "off", required: true, value: service ? svcAmount(service.price_cents) : "" }, tr("services_price_hint", { example: svcAmount(4550) }));

    // Who performs it: the active team, and whoever is assigned already.
    var chosen = service ? service.staff_ids || [] : [];
    var people = Array.from(ctx.staff.values()).filter(function (m) { return m.active || chosen.indexOf(m.id) !== -1; });
    var whoId = newId("who");
    var boxes = people.map(function (m) {
      var id = newId("cb");
      var input = el("input", { id: id, type: "checkbox", value: String(m.id), checked: chosen.indexOf(m.id) !== -1, "data-staff": m.id });
      var extra = [];
      if (!m.active) extra.push(tr("inactive"));
      if (!m.bookable) extra.push(tr("services_not_bookable"));
      return { input: input, node: el("li", { class: "hb-team-check-row" }, [input, el("label", { for: id, text: m.display_name + (extra.length ? " (" + extra.join(", ") + ")" : "") })]) };
    });
    var who = el("fieldset", { class: "hb-svc-who", "aria-describedby": whoId + "-hint" }, [
      el("legend", { text: tr("services_who_label") }),
      el("p", { id: whoId + "-hint", class: "hb-hint", text: tr("services_who_hint") }),
      el("ul", { class: "hb-svc-people" }, boxes.map(function (b) { return b.node; }))
    ]);
    var active = null;
    if (service) {
      var activeId = newId("cb");
      var activeInput = el("input", { id: activeId, type: "checkbox", checked: service.active, "aria-describedby": activeId + "-hint" });
      active = { input: activeInput, node: el("div", { class: "hb-field hb-team-check" }, [
        el("span", { class: "hb-team-check-row" }, [activeInput, el("label", { for: activeId, text: tr("services_active_label") })]),
        el("p", { id: activeId + "-hint", class: "hb-hint", text: tr("services_active_hint") })
      ]) };
    }
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: service ? tr("services_save") : tr("services_create") });
    var cancel = el("button", { type: "button", class: "hb-secondary", text: tr("services_cancel"), onclick: function () { clear(slot); if (back && back.isConnected) back.focus(); } });
    var form = el("form", { class: "hb-form", novalidate: true }, [
      name.node, descNode, duration.node, price.node, who, active ? active.node : null, errors,
      el("div", { class: "hb-actions" }, [save, cancel])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
      showError(errors, "");
      var problems = [], bad = [];
      var minutes = parseInt(duration.input.value, 10);
      var cents = svcCents(price.input.value);
      var staffIds = boxes.filter(function (b) { return b.input.checked; }).map(function (b) { return parseInt(b.input.value, 10); });
      if (!name.input.value.trim()) { problems.push(tr("services_err_name")); bad.push(name.input); }
      if (!/^\d+$/.test(duration.input.value.trim()) || minutes < 5 || minutes > 720) { problems.push(tr("services_err_duration")); bad.push(duration.input); }
      if (cents === null) { problems.push(tr("services_err_price", { example: svcAmount(4550) })); bad.push(price.input); }
      if (!staffIds.length) { problems.push(tr("services_err_who")); if (boxes.length) bad.push(boxes[0].input); }
      if (problems.length) {
        bad.forEach(function (i) { i.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_check"), problems);
        if (bad.length) bad[0].focus();
        return;
      }
      var body = { name: name.input.value.trim(), description: desc.value.trim(), duration_min: minutes, price_cents: cents, staff_ids: staffIds };
      if (active) body.active = active.input.checked;
      save.disabled = true;
      try {
        var r = service
          ? await api("PATCH", "/services/" + service.id, body, { "If-Match": etag })
          : await api("POST", "/services", body);
        await reloadContext();
        var note = service ? tr("services_saved", { name: r.data.name }) : tr("services_created", { name: r.data.name });
        say(note);
        await go("services", { note: note, focus: r.data.id });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        save.disabled = false;
        showError(errors, svcErrorText(error));
        save.focus();
      }
    });
    section.appendChild(form);
    slot.appendChild(section);
    focusHeading(section.querySelector("h2"));
  }

/* Settings (owners and managers): the business, online-booking privacy
 * (stealth mode), messages, privacy notices, closures and holidays, the second
 * factor. One section per h2, each with its own form and Save. A change of the
 * business goes out as PATCH /v1/tenant with If-Match: ctx.tenantEtag; the
 * answer's data and ETag become ctx.tenant and ctx.tenantEtag; a 412 (someone
 * else saved in between) reloads the settings and says so.
 * go("settings", "<section>") scrolls to that section and focuses its heading
 * (the setup checklist sends people to "notices" and "stealth"). Part of the
 * console's one function scope (see console.js). */

  var SETTINGS_SECTIONS = [
    { id: "business", labelKey: "settings_business" },
    { id: "stealth", labelKey: "settings_stealth" },
    { id: "messages", labelKey: "settings_messages" },
    { id: "clients", labelKey: "settings_clients" },
    { id: "notices", labelKey: "settings_notices" },
    { id: "closures", labelKey: "settings_closures" },
    { id: "security", labelKey: "settings_security" }
  ];

  // stealth.DEFAULTS / stealth.RANGES of the service (the service checks them again).
  var SETTINGS_KNOBS = [
    { key: "offer_count", min: 1, max: 5, dflt: 3, group: "offers", labelKey: "settings_k_offer_count", textKey: "settings_k_offer_count_hint" },
    { key: "pending_expiry_min", min: 5, max: 1440, dflt: 30, group: "offers", labelKey: "settings_k_pending_expiry_min", textKey: "settings_k_pending_expiry_min_hint" },
    { key: "min_fill_seconds", min: 0, max: 120, dflt: 4, group: "offers", labelKey: "settings_k_min_fill_seconds", textKey: "settings_k_min_fill_seconds_hint" },
    { key: "pow_base_bits", min: 8, max: 22, dflt: 14, group: "offers", labelKey: "settings_k_pow_base_bits", textKey: "settings_k_pow_base_bits_hint" },
    { key: "block_after_no_shows", min: 0, max: 20, dflt: 3, group: "offers", labelKey: "settings_k_block_after_no_shows", textKey: "settings_k_block_after_no_shows_hint" },
    { key: "asks_per_session_hour", min: 1, max: 1000, dflt: 20, group: "asks", labelKey: "settings_k_asks_per_session_hour", textKey: "settings_k_asks_per_session_hour_hint" },
    { key: "asks_per_ip_day", min: 1, max: 100000, dflt: 60, group: "asks", labelKey: "settings_k_asks_per_ip_day", textKey: "settings_k_asks_per_ip_day_hint" },
    { key: "asks_per_subnet_day", min: 1, max: 100000, dflt: 150, group: "asks", labelKey: "settings_k_asks_per_subnet_day", textKey: "settings_k_asks_per_subnet_day_hint" },
    { key: "asks_per_wide_subnet_day", min: 1, max: 1000000, dflt: 400, group: "asks", labelKey: "settings_k_asks_per_wide_subnet_day", textKey: "settings_k_asks_per_wide_subnet_day_hint" },
    { key: "asks_per_tenant_day", min: 1, max: 10000000, dflt: 5000, group: "asks", labelKey: "settings_k_asks_per_tenant_day", textKey: "settings_k_asks_per_tenant_day_hint" },
    { key: "pending_per_contact", min: 1, max: 20, dflt: 2, group: "pending", labelKey: "settings_k_pending_per_contact", textKey: "settings_k_pending_per_contact_hint" },
    { key: "pending_per_session", min: 1, max: 20, dflt: 2, group: "pending", labelKey: "settings_k_pending_per_session", textKey: "settings_k_pending_per_session_hint" },
    { key: "pending_per_ip", min: 1, max: 100, dflt: 3, group: "pending", labelKey: "settings_k_pending_per_ip", textKey: "settings_k_pending_per_ip_hint" },
    { key: "pending_per_subnet", min: 1, max: 1000, dflt: 8, group: "pending", labelKey: "settings_k_pending_per_subnet", textKey: "settings_k_pending_per_subnet_hint" },
    { key: "pending_salon_share_pct", min: 1, max: 100, dflt: 25, group: "pending", labelKey: "settings_k_pending_salon_share_pct", textKey: "settings_k_pending_salon_share_pct_hint" },
    { key: "new_contact_share_pct", min: 1, max: 100, dflt: 40, group: "pending", labelKey: "settings_k_new_contact_share_pct", textKey: "settings_k_new_contact_share_pct_hint" },
    { key: "probe_threshold", min: 0, max: 20, dflt: 2, group: "pending", labelKey: "settings_k_probe_threshold", textKey: "settings_k_probe_threshold_hint" },
    { key: "walk_free_holds", min: 1, max: 1000, dflt: 3, group: "pending", labelKey: "settings_k_walk_free_holds", textKey: "settings_k_walk_free_holds_hint" },
    { key: "hold_cooldown_min", min: 0, max: 1440, dflt: 120, group: "offers", labelKey: "settings_k_hold_cooldown_min", textKey: "settings_k_hold_cooldown_min_hint" },
    { key: "disclosure_share_pct", min: 0, max: 100, dflt: 5, group: "offers", labelKey: "settings_k_disclosure_share_pct", textKey: "settings_k_disclosure_share_pct_hint" }
  ];
  var SETTINGS_KNOB_GROUPS = [
    { id: "offers", labelKey: "settings_kg_offers", textKey: "settings_kg_offers_hint" },
    { id: "asks", labelKey: "settings_kg_asks", textKey: "settings_kg_asks_hint" },
    { id: "pending", labelKey: "settings_kg_pending", textKey: "settings_kg_pending_hint" }
  ];
  var SETTINGS_CHANNELS = [
    { id: "email", labelKey: "settings_channel_email" },
    { id: "sms", labelKey: "settings_channel_sms" },
    { id: "staff", labelKey: "settings_channel_staff" }
  ];
  // The languages of the service's customer texts (booking page, messages, notices).
  var SETTINGS_LANGS = [
    { id: "de", labelKey: "settings_lang_de" },
    { id: "en", labelKey: "settings_lang_en" }
  ];
  var SETTINGS_STEPS = [5, 10, 15, 20, 30, 60];
  // Currencies offered for prices (the service takes any ISO 4217 code in use).
  var SETTINGS_CURRENCIES = ["EUR", "CHF", "GBP", "USD", "DKK", "SEK", "NOK", "PLN", "CZK", "HUF"];
  var SETTINGS_CLOSURE_DAYS = 730; // "upcoming": today and the next two years
  var SETTINGS_CLOSURE_MAX = 366; // days one closure may span (the service's MAX_CLOSURE_DAYS)

  var settingsBox = null; // the screen's box while it is shown
  var settingsNodes = {}; // section id -> its <section>

  onForget(function () {
    settingsBox = null;
    settingsNodes = {};
  });

  registerScreen({
    id: "settings",
    label: "settings_nav",
    allowed: function () { return can("tenant:read") && can("tenant:write"); },
    render: async function (box, section) {
      settingsBox = box;
      settingsNodes = {};
      box.appendChild(el("h1", { text: tr("settings_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("settings_intro") }));
      var toc = el("ul", {});
      SETTINGS_SECTIONS.forEach(function (s) {
        toc.appendChild(el("li", {}, [el("a", {
          href: "#hb-settings-" + s.id, text: tr(s.labelKey),
          onclick: function (event) { event.preventDefault(); settingsShow(s.id); }
        })]));
      });
      box.appendChild(el("nav", { class: "hb-settings-toc", "aria-label": tr("settings_toc") }, [toc]));
      SETTINGS_SECTIONS.forEach(function (s) {
        var node = el("section", { class: "hb-settings-section", id: "hb-settings-" + s.id, "data-section": s.id, "aria-labelledby": "hb-settings-" + s.id + "-title" });
        settingsNodes[s.id] = node;
        box.appendChild(node);
      });
      await settingsReloadTenant();
      settingsDrawTenantSections();
      await Promise.all([settingsDrawNotices(), settingsDrawClosures()]);
      if (section && settingsNodes[section]) {
        // After the core has focused the h1 (it does so once render returns).
        window.setTimeout(function () { settingsShow(section); }, 0);
      }
    },
    leave: function () {
      settingsBox = null;
      settingsNodes = {};
    }
  });

  // --- helpers ---------------------------------------------------------------------------

  function settingsShow(id) {
    var h = document.getElementById("hb-settings-" + id + "-title");
    if (!h) return;
    h.scrollIntoView({ block: "start" });
    focusHeading(h);
  }

  function settingsHead(id, labelKey, introKey) {
    var node = settingsNodes[id] || el("section"); // the screen was left meanwhile: drawn nowhere
    clear(node);
    node.appendChild(el("h2", { id: "hb-settings-" + id + "-title", text: tr(labelKey) }));
    if (introKey) node.appendChild(el("p", { class: "hb-hint", text: tr(introKey) }));
    return node;
  }

  function settingsControl(tag, label, attrs, hint, children) {
    var id = newId("s");
    var hintId = hint ? id + "-hint" : null;
    var control = el(tag, Object.assign({ id: id, "aria-describedby": hintId }, attrs), children);
    return {
      input: control,
      label: label,
      node: el("div", { class: "hb-field" }, [
        el("label", { for: id, text: label }),
        hint ? el("p", { id: hintId, class: "hb-hint", text: hint }) : null,
        control
      ])
    };
  }

  function settingsNumber(label, value, min, max, hint) {
    var f = field(label, {
      type: "number", inputmode: "numeric", min: String(min), max: String(max), step: "1",
      value: value === null || value === undefined ? "" : String(value)
    }, hint);
    f.label = label;
    f.min = min;
    f.max = max;
    return f;
  }

  /* A labelled checkbox; ``hints``: a text or a list of paragraphs describing it. */
  function settingsCheck(label, checked, hints) {
    var id = newId("c");
    var texts = hints ? [].concat(hints) : [];
    var ids = texts.map(function (x, i) { return id + "-hint" + i; });
    var input = el("input", { type: "checkbox", id: id, "aria-describedby": ids.length ? ids.join(" ") : null });
    input.checked = !!checked;
    return {
      input: input,
      node: el("div", { class: "hb-check" }, [input, el("label", { for: id, text: label })].concat(texts.map(function (x, i) {
        return el("p", { id: ids[i], class: "hb-hint", text: x });
      })))
    };
  }

  /* A whole number within the field's range, or null (the field is marked and
   * a line added to ``problems``). An empty optional field gives "". */
  function settingsInt(f, problems, optional) {
    var raw = f.input.value.trim();
    f.input.removeAttribute("aria-invalid");
    if (optional && raw === "") return "";
    var n = Number(raw);
    if (raw === "" || !Number.isInteger(n) || n < f.min || n > f.max) {
      f.input.setAttribute("aria-invalid", "true");
      problems.push({ field: f, text: tr("settings_err_range", { label: f.label, min: f.min, max: f.max }) });
      return null;
    }
    return n;
  }

  function settingsProblems(errors, problems) {
    showError(errors, tr("err_check"), problems.map(function (p) { return p.text; }));
    if (problems[0].field) problems[0].field.input.focus();
  }

  /* The service's 422 field messages, named with this form's labels. */
  function settingsFieldErrors(problem, labels) {
    var out = [];
    function walk(errors, prefix) {
      Object.keys(errors || {}).forEach(function (name) {
        var value = errors[name];
        var key = prefix ? prefix + "." + name : name;
        if (value && !Array.isArray(value) && typeof value === "object") { walk(value, key); return; }
        (Array.isArray(value) ? value : [String(value)]).forEach(function (m) {
          out.push((labels[key] || labels[name] || name) + ": " + m);
        });
      });
    }
    walk(problem && problem.errors && problem.errors.json, "");
    return out;
  }

  function settingsSaving(form, busy) {
    form.querySelectorAll("button, input, select, textarea").forEach(function (c) { c.disabled = busy; });
  }

  function settingsDone(note, text) {
    note.textContent = text;
    say(text);
  }

  function settingsShortDate(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC"
    }).format(new Date(iso + "T00:00:00Z"));
  }

  function settingsWhen(isoInstant) {
    try {
      return new Intl.DateTimeFormat(t.locale || "en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: ctx.tz }).format(new Date(isoInstant));
    } catch (error) {
      return isoInstant;
    }
  }

  // --- the business (GET/PATCH /v1/tenant) ------------------------------------------------------------

  async function settingsReloadTenant() {
    var r = await api("GET", "/tenant");
    settingsAdopt(r);
  }

  function settingsAdopt(r) {
    ctx.tenant = r.data;
    ctx.tenantEtag = r.headers.get("ETag") || ctx.tenantEtag;
    ctx.tz = ctx.tenant.timezone || ctx.tz;
  }

  var SETTINGS_TENANT_DRAW = {
    business: settingsDrawBusiness,
    stealth: settingsDrawStealth,
    messages: settingsDrawMessages,
    clients: settingsDrawClients,
    security: settingsDrawSecurity
  };

  function settingsDrawTenantSections() {
    Object.keys(SETTINGS_TENANT_DRAW).forEach(function (id) { SETTINGS_TENANT_DRAW[id](); });
  }

  /* PATCH the business with ``changes``. Resolves to true when saved. A 412:
   * the settings are read again and every section redrawn; the section that
   * tried to save says so and gets the focus. */
  async function settingsPatch(section, changes, form, errors, note, labels) {
    showError(errors, "");
    note.textContent = "";
    settingsSaving(form, true);
    try {
      var r = await api("PATCH", "/tenant", changes, { "If-Match": ctx.tenantEtag });
      settingsAdopt(r);
      renderTop(); // the salon's name in the top bar
      // Only this section is drawn again: what is being typed elsewhere stays.
      SETTINGS_TENANT_DRAW[section]();
      var again = settingsNodes[section];
      if (!again) return true;
      var fresh = again.querySelector(".hb-saved");
      settingsDone(fresh, tr("settings_saved"));
      var button = again.querySelector("button[type=submit]");
      if (button) button.focus();
      return true;
    } catch (error) {
      if (error instanceof SessionEnded || !settingsBox) return false;
      settingsSaving(form, false);
      if (error.status === 412 || error.status === 428) {
        try { await settingsReloadTenant(); } catch (e) { if (e instanceof SessionEnded) return false; }
        settingsDrawTenantSections();
        var node = settingsNodes[section];
        showError(node.querySelector(".hb-alert"), tr("settings_conflict"));
        settingsShow(section);
        return false;
      }
      if (error.status === 422) {
        var list = settingsFieldErrors(error.problem, labels || {});
        showError(errors, tr("err_check"), list.length ? list : [error.message]);
      } else {
        showError(errors, reasonText(error));
      }
      return false;
    }
  }

  function settingsDrawBusiness() {
    var tn = ctx.tenant;
    var node = settingsHead("business", "settings_business", "settings_business_intro");
    var name = field(tr("settings_name"), { type: "text", autocomplete: "organization", maxlength: "200", required: true, value: tn.name || "" });
    var zones = [];
    try { zones = Intl.supportedValuesOf("timeZone"); } catch (error) { zones = []; }
    if (zones.indexOf(tn.timezone) === -1) zones = [tn.timezone].concat(zones);
    var tz = settingsControl("select", tr("settings_timezone"), { required: true }, tr("settings_timezone_hint"),
      zones.map(function (z) { return el("option", { value: z, text: z.replace(/_/g, " "), selected: z === tn.timezone }); }));
    var lang = settingsControl("select", tr("settings_locale"), {}, tr("settings_locale_hint"),
      SETTINGS_LANGS.map(function (l) { return el("option", { value: l.id, text: tr(l.labelKey), selected: l.id === tn.locale }); }));
    var step = settingsControl("select", tr("settings_slot_step"), {}, tr("settings_slot_step_hint"),
      SETTINGS_STEPS.map(function (m) { return el("option", { value: String(m), text: tr("settings_minutes", { n: m }), selected: m === tn.slot_granularity_min }); }));
    var notice = settingsNumber(tr("settings_min_notice"), tn.min_notice_min, 0, 20160, tr("settings_min_notice_hint"));
    var ahead = settingsNumber(tr("settings_max_advance"), tn.max_advance_days, 1, 365, tr("settings_max_advance_hint"));
    var before = settingsNumber(tr("settings_buffer_before"), tn.buffer_before_min, 0, 240, tr("settings_buffer_hint"));
    var after = settingsNumber(tr("settings_buffer_after"), tn.buffer_after_min, 0, 240, tr("settings_buffer_hint"));
    var deadline = settingsNumber(tr("settings_deadline"), tn.manage_deadline_hours, 0, 336, tr("settings_deadline_hint"));
    // The salon's page: /book/{slug}, the confirmation and manage pages, messages.
    var about = settingsControl("textarea", tr("settings_description"), { rows: "3", maxlength: "2000" }, tr("settings_description_hint"));
    about.input.value = tn.description || "";
    var address = settingsControl("textarea", tr("settings_address"), { rows: "3", maxlength: "300", autocomplete: "street-address" }, null);
    address.input.value = tn.address || "";
    var phone = field(tr("settings_phone"), { type: "tel", autocomplete: "tel", maxlength: "40", value: tn.phone || "" }, tr("settings_phone_hint"));
    var hours = settingsControl("textarea", tr("settings_opening_hours"), { rows: "3", maxlength: "1000" }, tr("settings_opening_hours_hint"));
    hours.input.value = tn.opening_hours || "";
    var imprint = field(tr("settings_imprint"), { type: "url", inputmode: "url", maxlength: "500", placeholder: "https://", value: tn.imprint_url || "" }, tr("settings_link_hint"));
    var privacy = field(tr("settings_privacy_url"), { type: "url", inputmode: "url", maxlength: "500", placeholder: "https://", value: tn.privacy_url || "" }, tr("settings_link_hint"));
    var accent = field(tr("settings_accent"), { type: "text", maxlength: "7", spellcheck: "false", placeholder: "#1f5f8b", value: tn.accent_colour || "" }, tr("settings_accent_hint"));
    var codes = SETTINGS_CURRENCIES.indexOf(tn.currency) === -1 ? [tn.currency].concat(SETTINGS_CURRENCIES) : SETTINGS_CURRENCIES;
    var currency = settingsControl("select", tr("settings_currency"), {}, tr("settings_currency_hint"),
      codes.map(function (c) { return el("option", { value: c, text: settingsCurrencyName(c), selected: c === tn.currency }); }));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var rules = el("fieldset", { class: "hb-fieldset" }, [
      el("legend", { text: tr("settings_rules") }),
      step.node, notice.node, ahead.node, before.node, after.node, deadline.node
    ]);
    var profile = el("fieldset", { class: "hb-fieldset" }, [
      el("legend", { text: tr("settings_profile") }),
      el("p", { class: "hb-hint", text: tr("settings_profile_hint") }),
      about.node, address.node, phone.node, hours.node, imprint.node, privacy.node, accent.node, currency.node
    ]);
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      name.node, tz.node, lang.node, profile, rules, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      name.input.removeAttribute("aria-invalid");
      var label = name.input.value.trim();
      if (!label) {
        name.input.setAttribute("aria-invalid", "true");
        problems.push({ field: name, text: tr("settings_err_name") });
      }
      var changes = {
        name: label,
        timezone: tz.input.value,
        locale: lang.input.value,
        slot_granularity_min: parseInt(step.input.value, 10),
        min_notice_min: settingsInt(notice, problems),
        max_advance_days: settingsInt(ahead, problems),
        buffer_before_min: settingsInt(before, problems),
        buffer_after_min: settingsInt(after, problems),
        manage_deadline_hours: settingsInt(deadline, problems),
        description: about.input.value.trim(),
        address: address.input.value.trim(),
        phone: phone.input.value.trim(),
        opening_hours: hours.input.value.trim(),
        imprint_url: settingsHttps(imprint, tr("settings_imprint"), problems),
        privacy_url: settingsHttps(privacy, tr("settings_privacy_url"), problems),
        accent_colour: settingsColour(accent, problems),
        currency: currency.input.value
      };
      if (problems.length) { settingsProblems(errors, problems); return; }
      await settingsPatch("business", changes, form, errors, note, {
        name: tr("settings_name"), timezone: tr("settings_timezone"), locale: tr("settings_locale"),
        slot_granularity_min: tr("settings_slot_step"), min_notice_min: tr("settings_min_notice"),
        max_advance_days: tr("settings_max_advance"), buffer_before_min: tr("settings_buffer_before"),
        buffer_after_min: tr("settings_buffer_after"), manage_deadline_hours: tr("settings_deadline"),
        description: tr("settings_description"), address: tr("settings_address"),
        phone: tr("settings_phone"), opening_hours: tr("settings_opening_hours"),
        imprint_url: tr("settings_imprint"), privacy_url: tr("settings_privacy_url"),
        accent_colour: tr("settings_accent"), currency: tr("settings_currency")
      });
    });
    node.appendChild(form);
  }

  /* An https:// address or "" (the field marked and a line added to ``problems`` otherwise). */
  function settingsHttps(f, label, problems) {
    var raw = f.input.value.trim();
    f.input.removeAttribute("aria-invalid");
    if (raw === "" || /^https:\/\/[^\s/$.?#][^\s]*$/i.test(raw)) return raw;
    f.input.setAttribute("aria-invalid", "true");
    problems.push({ field: f, text: tr("settings_err_https", { label: label }) });
    return null;
  }

  function settingsColour(f, problems) {
    var raw = f.input.value.trim().toLowerCase();
    f.input.removeAttribute("aria-invalid");
    if (raw === "" || /^#[0-9a-f]{6}$/.test(raw)) return raw;
    f.input.setAttribute("aria-invalid", "true");
    problems.push({ field: f, text: tr("settings_err_colour") });
    return null;
  }

  function settingsCurrencyName(code) {
    try {
      var name = new Intl.DisplayNames([t.locale || "en-GB"], { type: "currency" }).of(code);
      return name && name !== code ? code + " – " + name : code;
    } catch (error) {
      return code;
    }
  }

  // --- online-booking privacy (stealth mode) ------------------------------------------------------------

  function settingsDrawStealth() {
    var tn = ctx.tenant;
    var current = tn.stealth_settings || {};
    var node = settingsHead("stealth", "settings_stealth", "settings_stealth_intro");
    var mode = settingsCheck(tr("settings_stealth_mode"), tn.stealth_mode, [tr("settings_stealth_mode_hint"), tr("settings_stealth_mode_measured")]);
    var names = settingsCheck(tr("settings_show_names"), tn.show_staff_names, [tr("settings_show_names_hint"), tr("settings_show_names_measured")]);
    var knobs = {};
    var labels = { stealth_mode: tr("settings_stealth_mode"), show_staff_names: tr("settings_show_names") };
    var groups = SETTINGS_KNOB_GROUPS.map(function (g) {
      var set = el("fieldset", { class: "hb-fieldset" }, [el("legend", { text: tr(g.labelKey) }), el("p", { class: "hb-hint", text: tr(g.textKey) })]);
      SETTINGS_KNOBS.filter(function (k) { return k.group === g.id; }).forEach(function (k) {
        var value = current[k.key] === undefined ? k.dflt : current[k.key];
        var f = settingsNumber(tr(k.labelKey), value, k.min, k.max,
          tr(k.textKey) + " " + tr("settings_k_range", { min: k.min.toLocaleString(t.locale), max: k.max.toLocaleString(t.locale), dflt: k.dflt.toLocaleString(t.locale) }));
        f.input.setAttribute("data-knob", k.key);
        knobs[k.key] = f;
        labels["stealth_settings." + k.key] = tr(k.labelKey);
        set.appendChild(f.node);
      });
      return set;
    });
    var tuning = el("details", { class: "hb-tuning" }, [el("summary", { text: tr("settings_tuning") }), el("p", { class: "hb-hint", text: tr("settings_tuning_hint") })].concat(groups));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      mode.node, names.node, tuning, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      var changed = {};
      SETTINGS_KNOBS.forEach(function (k) {
        var n = settingsInt(knobs[k.key], problems);
        var was = current[k.key] === undefined ? k.dflt : current[k.key];
        if (n !== null && n !== was) changed[k.key] = n;
      });
      if (problems.length) {
        tuning.open = true;
        settingsProblems(errors, problems);
        return;
      }
      var changes = { stealth_mode: mode.input.checked, show_staff_names: names.input.checked };
      if (Object.keys(changed).length) changes.stealth_settings = changed; // only the keys changed
      await settingsPatch("stealth", changes, form, errors, note, labels);
    });
    node.appendChild(form);
  }

  // --- messages -----------------------------------------------------------------------------------------

  function settingsDrawMessages() {
    var tn = ctx.tenant;
    var node = settingsHead("messages", "settings_messages", "settings_messages_intro");
    var channels = (tn.message_channels || []);
    var boxes = SETTINGS_CHANNELS.map(function (c) {
      var check = settingsCheck(tr(c.labelKey), channels.indexOf(c.id) !== -1);
      check.input.value = c.id;
      return check;
    });
    var hours = (tn.reminder_hours || []).slice(0, 3);
    var reminders = [0, 1, 2].map(function (i) {
      return settingsNumber(tr("settings_reminder_n", { n: i + 1 }), hours[i] === undefined ? "" : hours[i], 1, 168, null);
    });
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      el("fieldset", { class: "hb-fieldset" }, [el("legend", { text: tr("settings_channels") })].concat(boxes.map(function (b) { return b.node; }))),
      el("fieldset", { class: "hb-fieldset hb-reminders" }, [
        el("legend", { text: tr("settings_reminders") }),
        el("p", { class: "hb-hint", text: tr("settings_reminders_hint") })
      ].concat(reminders.map(function (r) { return r.node; }))),
      errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      var list = [];
      reminders.forEach(function (r) {
        var n = settingsInt(r, problems, true);
        if (n !== null && n !== "" && list.indexOf(n) === -1) list.push(n);
      });
      if (problems.length) { settingsProblems(errors, problems); return; }
      list.sort(function (a, b) { return b - a; });
      await settingsPatch("messages", {
        message_channels: boxes.filter(function (b) { return b.input.checked; }).map(function (b) { return b.input.value; }),
        reminder_hours: list
      }, form, errors, note, { message_channels: tr("settings_channels"), reminder_hours: tr("settings_reminders") });
    });
    node.appendChild(form);
  }

  // --- client details: what the salon collects, how long it keeps it ------------------------------------

  // The profile fields the console and the booking widget know; "name" is always collected.
  var SETTINGS_PROFILE_FIELDS = ["email", "phone", "birthday", "notes"];

  function settingsDrawClients() {
    var tn = ctx.tenant;
    var node = settingsHead("clients", "settings_clients", "settings_clients_intro");
    var collected = tn.profile_fields || ["name"];
    var boxes = SETTINGS_PROFILE_FIELDS.map(function (name) {
      var check = settingsCheck(tr("settings_field_" + name), collected.indexOf(name) !== -1, [tr("settings_field_" + name + "_hint")]);
      check.input.value = name;
      return check;
    });
    var retention = settingsNumber(tr("settings_retention"), tn.retention_months, 1, 120, tr("settings_retention_hint"));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      el("fieldset", { class: "hb-fieldset" }, [
        el("legend", { text: tr("settings_fields") }),
        el("p", { class: "hb-hint", text: tr("settings_fields_hint") })
      ].concat(boxes.map(function (b) { return b.node; }))),
      retention.node,
      errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      var months = settingsInt(retention, problems, false);
      if (problems.length) { settingsProblems(errors, problems); return; }
      // The salon's own extra fields (set through the API) are kept as they are.
      var own = collected.filter(function (n) { return n !== "name" && SETTINGS_PROFILE_FIELDS.indexOf(n) === -1; });
      var fields = ["name"].concat(boxes.filter(function (b) { return b.input.checked; }).map(function (b) { return b.input.value; }), own);
      await settingsPatch("clients", { profile_fields: fields, retention_months: months }, form, errors, note,
        { profile_fields: tr("settings_fields"), retention_months: tr("settings_retention") });
    });
    node.appendChild(form);
  }

  // --- privacy notices ------------------------------------------------------------------------------------

  async function settingsDrawNotices(message) {
    var node = settingsHead("notices", "settings_notices", "settings_notices_intro");
    var listBox = el("div", { class: "hb-notices" });
    node.appendChild(listBox);
    var notices = [];
    try {
      notices = (await api("GET", "/tenant/privacy-notices")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      listBox.appendChild(el("p", { class: "hb-alert", role: "alert", text: reasonText(error) }));
    }
    var latest = {};
    SETTINGS_LANGS.forEach(function (l) {
      var mine = notices.filter(function (n) { return n.locale === l.id; }).sort(function (a, b) { return b.version - a.version; });
      latest[l.id] = mine[0] || null;
      var item = el("div", { class: "hb-notice-lang", "data-locale": l.id }, [el("h3", { text: tr(l.labelKey) })]);
      if (!mine.length) {
        item.appendChild(el("p", { class: "hb-missing", text: tr("settings_notice_none") }));
      } else {
        item.appendChild(el("p", { text: tr("settings_notice_current", { version: mine[0].version, when: settingsWhen(mine[0].created_at) }) }));
        item.appendChild(el("details", {}, [
          el("summary", { text: tr("settings_notice_show", { version: mine[0].version }) }),
          el("p", { class: "hb-notice-text", lang: l.id, text: mine[0].text })
        ]));
        if (mine.length > 1) {
          item.appendChild(el("p", { class: "hb-hint", text: tr("settings_notice_older", { versions: mine.slice(1).map(function (n) { return n.version; }).join(", ") }) }));
        }
      }
      listBox.appendChild(item);
    });

    node.appendChild(el("h3", { text: tr("settings_notice_publish") }));
    var lang = settingsControl("select", tr("settings_notice_language"), {}, null,
      SETTINGS_LANGS.map(function (l) { return el("option", { value: l.id, text: tr(l.labelKey), selected: l.id === (ctx.tenant.locale || "de") }); }));
    var text = settingsControl("textarea", tr("settings_notice_text"), { rows: "8", maxlength: "50000", spellcheck: "true" }, tr("settings_notice_text_hint"));
    var count = el("p", { class: "hb-hint", "aria-live": "off" });
    var touched = false;
    function fill() {
      if (touched) return;
      var n = latest[lang.input.value];
      text.input.value = n ? n.text : "";
      text.input.setAttribute("lang", lang.input.value);
      counted();
    }
    function counted() {
      count.textContent = tr("settings_notice_count", { n: text.input.value.trim().length });
    }
    lang.input.addEventListener("change", fill);
    text.input.addEventListener("input", function () { touched = true; counted(); });
    fill();
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      lang.node, text.node, count, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_notice_button") }), note])
    ]);
    if (message) settingsDone(note, message);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      note.textContent = "";
      var body = text.input.value.trim();
      text.input.removeAttribute("aria-invalid");
      if (body.length < 20 || body.length > 50000) {
        text.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("settings_notice_length", { n: body.length }));
        text.input.focus();
        return;
      }
      var was = latest[lang.input.value];
      if (was && was.text === body) {
        showError(errors, tr("settings_notice_same"));
        text.input.focus();
        return;
      }
      settingsSaving(form, true);
      try {
        var r = await api("POST", "/tenant/privacy-notices", { locale: lang.input.value, text: body });
        var language = SETTINGS_LANGS.filter(function (l) { return l.id === r.data.locale; })[0];
        await settingsDrawNotices(tr("settings_notice_published", { version: r.data.version, language: language ? tr(language.labelKey) : r.data.locale }));
        var again = settingsNodes.notices && settingsNodes.notices.querySelector("button[type=submit]");
        if (again) again.focus();
      } catch (error) {
        if (error instanceof SessionEnded || !settingsBox) return;
        settingsSaving(form, false);
        showError(errors, error.status === 422 ? tr("err_check") + " " + settingsFieldErrors(error.problem, { locale: tr("settings_notice_language"), text: tr("settings_notice_text") }).join("; ") : reasonText(error));
      }
    });
    node.appendChild(form);
  }

  // --- closures and holidays (the whole salon) ----------------------------------------------------------------

  async function settingsDrawClosures(message) {
    var node = settingsHead("closures", "settings_closures", "settings_closures_intro");
    var may = can("schedules:write");
    var from = today();
    var to = shiftDay(from, SETTINGS_CLOSURE_DAYS);
    var listBox = el("div", { class: "hb-closures" });
    node.appendChild(el("h3", { id: "hb-settings-closures-list", text: tr("settings_closures_upcoming") }));
    node.appendChild(listBox);
    var status = el("p", { class: "hb-saved hb-ok" });
    node.appendChild(status);
    if (message) settingsDone(status, message);
    var rows = [];
    try {
      var r = await api("GET", "/tenant/closures?from=" + from + "&to=" + to);
      rows = (r.data || []).slice().sort(function (a, b) { return a.date_from < b.date_from ? -1 : a.date_from > b.date_from ? 1 : 0; });
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      listBox.appendChild(el("p", { class: "hb-alert", role: "alert", text: reasonText(error) }));
      rows = null;
    }
    if (rows && !rows.length) listBox.appendChild(el("p", { text: tr("settings_closures_none") }));
    if (rows && rows.length) {
      var ul = el("ul", { class: "hb-closure-list" });
      rows.forEach(function (c) { ul.appendChild(settingsClosureRow(c, may)); });
      listBox.appendChild(ul);
    }
    if (!may) {
      node.appendChild(el("p", { class: "hb-hint", text: tr("settings_closures_not_allowed") }));
      return;
    }
    node.appendChild(el("h3", { text: tr("settings_closure_add") }));
    var start = field(tr("settings_closure_from"), { type: "date", required: true, min: from });
    var end = field(tr("settings_closure_to"), { type: "date", required: true, min: from });
    var both = el("p", { class: "hb-hint", id: newId("h"), text: tr("settings_closure_to_hint") });
    start.input.setAttribute("aria-describedby", both.id);
    end.input.setAttribute("aria-describedby", both.id);
    var label = field(tr("settings_closure_label"), { type: "text", maxlength: "100" }, tr("settings_closure_label_hint"));
    start.input.addEventListener("change", function () {
      if (start.input.value) end.input.min = start.input.value;
      if (start.input.value && (!end.input.value || end.input.value < start.input.value)) end.input.value = start.input.value;
    });
    var errors = alertBox();
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      el("div", { class: "hb-dates" }, [start.node, end.node, both]), label.node, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_closure_button") })])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var missing = [start, end].filter(function (f) { f.input.removeAttribute("aria-invalid"); return !f.input.value.trim(); });
      if (missing.length) {
        missing.forEach(function (f) { f.input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      var span = (Date.parse(end.input.value) - Date.parse(start.input.value)) / 86400000 + 1;
      if (end.input.value < start.input.value || span > SETTINGS_CLOSURE_MAX) {
        end.input.setAttribute("aria-invalid", "true");
        showError(errors, span > SETTINGS_CLOSURE_MAX ? tr("settings_closure_long", { days: SETTINGS_CLOSURE_MAX }) : tr("settings_closure_order"));
        end.input.focus();
        return;
      }
      settingsSaving(form, true);
      try {
        var made = await api("POST", "/tenant/closures", { date_from: start.input.value, date_to: end.input.value, label: label.input.value.trim() });
        var c = made.data || {};
        var shown = settingsClosureText({ date_from: c.date_from || start.input.value, date_to: c.date_to || end.input.value, label: c.label || label.input.value.trim() });
        await settingsDrawClosures(tr("settings_closure_added", shown));
        focusHeading(document.getElementById("hb-settings-closures-list"));
      } catch (error) {
        if (error instanceof SessionEnded || !settingsBox) return;
        settingsSaving(form, false);
        showError(errors, error.status === 422 ? tr("err_check") + " " + settingsFieldErrors(error.problem, {
          date_from: tr("settings_closure_from"), date_to: tr("settings_closure_to"), label: tr("settings_closure_label")
        }).join("; ") : reasonText(error));
      }
    });
    node.appendChild(form);
  }

  function settingsClosureText(c) {
    var when = c.date_from === c.date_to ? settingsShortDate(c.date_from)
      : tr("settings_closure_range", { from: settingsShortDate(c.date_from), to: settingsShortDate(c.date_to) });
    return { when: when, label: c.label || tr("settings_closure_unnamed") };
  }

  function settingsClosureRow(c, may) {
    var text = settingsClosureText(c);
    var li = el("li", { class: "hb-closure", "data-closure": c.id });
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    function draw() {
      clear(actions);
      if (!may) return;
      actions.appendChild(el("button", {
        type: "button", class: "hb-secondary", text: tr("settings_closure_delete"),
        "aria-label": tr("settings_closure_delete_named", { label: text.label, when: text.when }),
        onclick: ask
      }));
    }
    function ask() {
      clear(actions);
      var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("settings_closure_really", { label: text.label, when: text.when }) });
      var yes = el("button", { type: "button", class: "hb-danger", "aria-describedby": q.id, text: tr("settings_closure_yes"), onclick: remove });
      var no = el("button", { type: "button", class: "hb-secondary", text: tr("settings_closure_keep"), onclick: function () { draw(); actions.querySelector("button").focus(); } });
      actions.appendChild(q);
      actions.appendChild(yes);
      actions.appendChild(no);
      yes.focus();
    }
    async function remove() {
      showError(errors, "");
      actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      try {
        await api("DELETE", "/tenant/closures/" + encodeURIComponent(c.id));
        await settingsDrawClosures(tr("settings_closure_deleted", { label: text.label, when: text.when }));
        focusHeading(document.getElementById("hb-settings-closures-list"));
      } catch (error) {
        if (error instanceof SessionEnded || !settingsBox) return;
        if (error.status === 404) {
          await settingsDrawClosures(tr("settings_closure_gone")).catch(function () {});
          focusHeading(document.getElementById("hb-settings-closures-list"));
          return;
        }
        draw();
        showError(errors, reasonText(error));
        var b = actions.querySelector("button");
        if (b) b.focus();
      }
    }
    li.appendChild(el("p", { class: "hb-closure-text" }, [el("strong", { text: text.when }), " · " + text.label]));
    li.appendChild(actions);
    li.appendChild(errors);
    draw();
    return li;
  }

  // --- second factor --------------------------------------------------------------------------------------

  function settingsDrawSecurity() {
    var tn = ctx.tenant;
    var node = settingsHead("security", "settings_security", null);
    if (!can("tenant:security")) {
      node.appendChild(el("p", { text: tn.require_totp ? tr("settings_totp_on") : tr("settings_totp_off") }));
      node.appendChild(el("p", { class: "hb-hint", text: tr("settings_totp_owner_only") }));
      return;
    }
    var totp = settingsCheck(tr("settings_totp"), tn.require_totp, tr("settings_totp_hint"));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var confirmBox = el("div", { class: "hb-actions", hidden: true });
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      totp.node, confirmBox, errors, el("div", { class: "hb-save-row" }, [save, note])
    ]);
    async function send() {
      await settingsPatch("security", { require_totp: totp.input.checked }, form, errors, note, { require_totp: tr("settings_totp") });
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (totp.input.checked && !tn.require_totp) {
        // Switching it on can lock people out of the console: asked twice.
        clear(confirmBox);
        var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("settings_totp_really") });
        confirmBox.appendChild(q);
        confirmBox.appendChild(el("button", { type: "button", class: "hb-danger", "aria-describedby": q.id, text: tr("settings_totp_yes"), onclick: send }));
        confirmBox.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("settings_totp_no"), onclick: function () {
          confirmBox.hidden = true;
          totp.input.checked = false;
          totp.input.focus();
        } }));
        confirmBox.hidden = false;
        save.hidden = true;
        confirmBox.querySelector(".hb-danger").focus();
        return;
      }
      await send();
    });
    node.appendChild(form);
  }

/* Integration keys (owner: integration_keys:manage): the keys the WordPress
 * plugin, the Shopify app (planned) and the salon's own scripts use. A new
 * key's secret is shown once, in this screen's DOM only (never kept in a
 * variable, never stored); "Done" or leaving the screen removes it.
 *
 * Also the helpers shared by the records screens (70-integrations,
 * 72-blocklist, 74-audit, 76-messages): names start with "records". Part of
 * the console's one function scope (see console.js). */

  // --- shared by the records screens ----------------------------------------------------

  /* A text of this language, or ``fallback`` where there is none (an event
   * kind or reason code newer than the console). */
  function recordsText(key, fallback) {
    return t[key] === undefined ? fallback : tr(key);
  }

  /* An instant (ISO, UTC) as date and time in the salon's zone. */
  function recordsWhen(iso) {
    if (!iso) return "";
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      timeZone: ctx.tz, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit"
    }).format(new Date(iso));
  }

  /* One page of a paginated list: {rows, page, pages, total}. */
  async function recordsPage(path, page, size) {
    var sep = path.indexOf("?") === -1 ? "?" : "&";
    var r = await api("GET", path + sep + "page_size=" + size + "&page=" + page);
    var info = {};
    try { info = JSON.parse(r.headers.get("X-Pagination") || "{}"); } catch (error) { info = {}; }
    return { rows: r.data || [], page: page, pages: info.total_pages || 0, total: info.total || 0 };
  }

  /* "Previous page · Page 2 of 5 · Next page", or nothing for a single page. */
  function recordsPager(state, label, onPage) {
    if (state.pages <= 1) return null;
    return el("nav", { class: "hb-rec-pager", "aria-label": label }, [
      el("button", {
        type: "button", class: "hb-secondary", "data-page": "previous", disabled: state.page <= 1,
        text: tr("records_previous"), onclick: function () { onPage(state.page - 1); }
      }),
      el("span", { text: tr("records_page_of", { page: state.page, pages: state.pages, total: state.total }) }),
      el("button", {
        type: "button", class: "hb-secondary", "data-page": "next", disabled: state.page >= state.pages,
        text: tr("records_next"), onclick: function () { onPage(state.page + 1); }
      })
    ]);
  }

  /* An irreversible action, asked twice: the question and yes/no replace the
   * holder's buttons (the pattern of askCancel in 10-day.js). */
  function recordsAsk(holder, question, yesText, onYes, onNo) {
    clear(holder);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: question });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "yes", "aria-describedby": q.id, text: yesText, onclick: onYes });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "no", text: tr("records_keep"), onclick: onNo });
    holder.appendChild(q);
    holder.appendChild(yes);
    holder.appendChild(no);
    yes.focus();
  }

  /* A labelled <select> of [value, text] pairs, like field() for inputs. */
  function recordsSelect(label, name, options, value) {
    var id = newId("sel");
    var select = el("select", { id: id, name: name }, options.map(function (o) {
      return el("option", { value: o[0], selected: o[0] === value, text: o[1] });
    }));
    return { input: select, node: el("div", { class: "hb-field" }, [el("label", { for: id, text: label }), select]) };
  }

  /* A table inside a keyboard-scrollable region. ``head``: column texts;
   * ``rows``: arrays of cells (text or nodes); ``rowAttrs(i)``: attributes of
   * row i. Narrow screens show each row as a block, every cell labelled with
   * its column (70-records.css); the explicit roles keep it a table for
   * screen readers when CSS changes the display of its parts. */
  function recordsTable(caption, head, rows, rowAttrs) {
    var table = el("table", { class: "hb-rec-table", role: "table" }, [
      el("caption", { class: "hb-sr-only", text: caption }),
      el("thead", { role: "rowgroup" }, [el("tr", { role: "row" }, head.map(function (h) {
        return el("th", { scope: "col", role: "columnheader", text: h });
      }))]),
      el("tbody", { role: "rowgroup" }, rows.map(function (cells, i) {
        return el("tr", Object.assign({ role: "row" }, rowAttrs ? rowAttrs(i) : {}), cells.map(function (c, j) {
          return el("td", { role: "cell", "data-label": head[j] }, [el("span", {}, [c])]);
        }));
      }))
    ]);
    return el("div", { class: "hb-rec-scroll", role: "region", "aria-label": caption, tabindex: "0" }, [table]);
  }

  /* A list could not be read: said in its section (the rest of the screen
   * stays usable). */
  function recordsFailed(section, titleId, title, error) {
    clear(section);
    section.appendChild(el("h2", { id: titleId, tabindex: "-1", text: title }));
    section.appendChild(el("p", { class: "hb-alert", role: "alert", text: recordsError(error) }));
  }

  /* An ApiError in plain words (the core's reasonText, whose 404 text speaks
   * of appointments). */
  function recordsError(error) {
    if (error.status === 404) return tr("err_generic", { message: error.message });
    return reasonText(error);
  }

  // --- integration keys -----------------------------------------------------------------

  // The service's grantable scopes (accounts/principals.py GRANTABLE_SCOPES), in the
  // order the form shows them: what plugins need first, then reading, then changing.
  var INTEGRATIONS_SCOPES = [
    "public:forward",
    "tenant:read", "staff:read", "services:read", "schedules:read", "appointments:read",
    "clients:read", "clients:identity",
    "tenant:write", "staff:write", "services:write", "schedules:write", "appointments:write",
    "clients:write"
  ];
  var INTEGRATIONS_PURPOSES = [
    { id: "wordpress", scopes: ["public:forward"], nameKey: "integrations_name_wordpress" },
    { id: "shopify", scopes: ["public:forward"], nameKey: "integrations_name_shopify" },
    { id: "custom", scopes: null, nameKey: null }
  ];

  var integrationsBox = null;

  onForget(function () { integrationsBox = null; });

  registerScreen({
    id: "integrations",
    label: "integrations_nav",
    allowed: function () { return can("integration_keys:manage"); },
    render: async function (box) {
      integrationsBox = box;
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("integrations_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("integrations_intro") }));
      box.appendChild(el("div", { class: "hb-rec-secret-slot" }));
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-keys", "aria-labelledby": "hb-keys-title" }));
      box.appendChild(integrationsForm());
      await integrationsDrawList();
    },
    leave: function () { integrationsBox = null; }
  });

  function integrationsScope(scope) {
    return recordsText("integrations_scope_" + scope.replace(":", "_"), scope);
  }

  async function integrationsDrawList(message) {
    var box = integrationsBox;
    if (!box) return;
    var section = box.querySelector(".hb-rec-keys");
    var keys;
    try {
      keys = (await api("GET", "/integration-keys")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded || integrationsBox !== box) return;
      recordsFailed(section, "hb-keys-title", tr("integrations_list_title"), error);
      return;
    }
    if (integrationsBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-keys-title", tabindex: "-1", text: tr("integrations_list_title") }));
    // What was just done, visible here; the live region (say) announces it.
    var note = el("p", { class: "hb-ok hb-rec-done" });
    if (message) note.textContent = message;
    section.appendChild(note);
    var active = keys.filter(function (k) { return !k.revoked_at; }).reverse();
    var revoked = keys.filter(function (k) { return k.revoked_at; }).reverse();
    if (!active.length) section.appendChild(el("p", { class: "hb-rec-empty", text: tr("integrations_none") }));
    else section.appendChild(el("ul", { class: "hb-rec-cards" }, active.map(integrationsCard)));
    if (revoked.length) {
      section.appendChild(el("details", { class: "hb-rec-revoked" }, [
        el("summary", { text: tr("integrations_revoked_title", { count: revoked.length }) }),
        el("ul", { class: "hb-rec-cards" }, revoked.map(integrationsCard))
      ]));
    }
  }

  function integrationsCard(key) {
    var headId = newId("key");
    var facts = [
      [tr("integrations_scopes"), key.scopes.map(integrationsScope).join(", ")],
      [tr("integrations_created"), recordsWhen(key.created_at)],
      [tr("integrations_last_used"), key.last_used_at ? recordsWhen(key.last_used_at) : tr("integrations_never_used")]
    ];
    if (key.revoked_at) facts.push([tr("integrations_status"), tr("integrations_revoked_at", { when: recordsWhen(key.revoked_at) })]);
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    function offerRevoke() {
      clear(actions);
      actions.appendChild(el("button", {
        type: "button", class: "hb-danger", "data-action": "revoke", "aria-describedby": headId,
        text: tr("integrations_revoke"),
        onclick: function () {
          recordsAsk(actions, tr("integrations_revoke_really", { name: key.name }), tr("integrations_revoke_yes"),
            function () { integrationsRevoke(key, actions, errors); },
            function () { offerRevoke(); actions.querySelector("button").focus(); });
        }
      }));
    }
    if (!key.revoked_at) offerRevoke();
    return el("li", { class: "hb-rec-card", "data-key": key.id }, [
      el("h3", { id: headId, text: key.name }),
      el("dl", { class: "hb-facts" }, facts.reduce(function (acc, f) {
        acc.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
        return acc;
      }, [])),
      key.revoked_at ? null : actions,
      errors
    ]);
  }

  async function integrationsRevoke(key, actions, errors) {
    showError(errors, "");
    actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    try {
      await api("DELETE", "/integration-keys/" + key.id);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      if (error.status !== 404) {
        actions.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        showError(errors, recordsError(error));
        return;
      }
    }
    var done = tr("integrations_revoked_done", { name: key.name });
    await integrationsDrawList(done);
    say(done);
    focusHeading(document.getElementById("hb-keys-title"));
  }

  function integrationsForm() {
    var section = el("section", { class: "hb-rec-section", "aria-labelledby": "hb-newkey-title" });
    section.appendChild(el("h2", { id: "hb-newkey-title", text: tr("integrations_new_title") }));
    var form = el("form", { class: "hb-form hb-rec-form", novalidate: true });

    var purposeName = newId("purpose");
    var purpose = el("fieldset", { class: "hb-rec-choices" }, [el("legend", { text: tr("integrations_purpose") })]);
    var radios = INTEGRATIONS_PURPOSES.map(function (p, i) {
      var id = newId("p");
      var hintId = id + "-hint";
      var radio = el("input", { type: "radio", name: purposeName, id: id, value: p.id, "aria-describedby": hintId, checked: i === 0 });
      purpose.appendChild(el("div", { class: "hb-rec-choice" }, [
        radio,
        el("label", { for: id, text: tr("integrations_purpose_" + p.id) }),
        el("p", { id: hintId, class: "hb-hint", text: tr("integrations_purpose_" + p.id + "_hint") })
      ]));
      return radio;
    });

    var name = field(tr("integrations_name"), { name: "key-name", maxlength: "100", autocomplete: "off", required: true, value: tr("integrations_name_wordpress") }, tr("integrations_name_hint"));

    var scopes = el("fieldset", { class: "hb-rec-choices" }, [el("legend", { text: tr("integrations_scopes_legend") })]);
    scopes.appendChild(el("p", { class: "hb-hint", text: tr("integrations_scopes_hint") }));
    var boxes = INTEGRATIONS_SCOPES.map(function (scope) {
      var id = newId("scope");
      var hintId = id + "-hint";
      var slug = scope.replace(":", "_");
      var box = el("input", { type: "checkbox", id: id, value: scope, "data-scope": scope, "aria-describedby": hintId, checked: scope === "public:forward" });
      scopes.appendChild(el("div", { class: "hb-rec-choice" }, [
        box,
        el("label", { for: id, text: integrationsScope(scope) }),
        el("p", { id: hintId, class: "hb-hint", text: tr("integrations_scope_" + slug + "_hint") })
      ]));
      return box;
    });

    // Choosing WordPress or Shopify sets what the plugin needs (and a name, unless one was typed).
    var suggested = name.input.value;
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        var p = INTEGRATIONS_PURPOSES.filter(function (x) { return x.id === radio.value; })[0];
        if (p.scopes) boxes.forEach(function (b) { b.checked = p.scopes.indexOf(b.value) !== -1; });
        var next = p.nameKey ? tr(p.nameKey) : "";
        if (name.input.value === suggested) name.input.value = next;
        suggested = next;
      });
    });

    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("integrations_create") });
    [purpose, name.node, scopes, errors, button].forEach(function (n) { form.appendChild(n); });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      name.input.removeAttribute("aria-invalid");
      var chosen = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      var label = name.input.value.trim();
      var missing = [];
      if (!label) { missing.push(tr("integrations_name")); name.input.setAttribute("aria-invalid", "true"); }
      if (!chosen.length) missing.push(tr("integrations_scopes_legend"));
      if (missing.length) {
        showError(errors, tr("err_missing"), missing);
        (label ? boxes[0] : name.input).focus();
        return;
      }
      var purposeId = radios.filter(function (r) { return r.checked; })[0].value;
      button.disabled = true;
      try {
        var r = await api("POST", "/integration-keys", { name: label, scopes: chosen });
        button.disabled = false;
        await integrationsDrawList();
        integrationsShowSecret(r.data, purposeId);
        name.input.value = suggested; // ready for the next one
      } catch (error) {
        button.disabled = false;
        if (error instanceof SessionEnded) return;
        showError(errors, recordsError(error));
      }
    });
    section.appendChild(form);
    return section;
  }

  /* The new key's secret, once: a marked box with a copy button. The secret
   * lives only in the box's read-only field; "Done" removes the box. */
  function integrationsShowSecret(created, purposeId) {
    if (!integrationsBox) return;
    var slot = integrationsBox.querySelector(".hb-rec-secret-slot");
    clear(slot);
    var id = newId("secret");
    var input = el("input", { id: id, class: "hb-rec-secret-value", readonly: true, spellcheck: "false", autocomplete: "off", autocapitalize: "none", "aria-describedby": id + "-warn" });
    input.value = created.key;
    var copied = el("p", { class: "hb-ok", role: "status" });
    var box = el("section", { class: "hb-rec-secret", "aria-labelledby": id + "-title", "data-secret-box": "" }, [
      el("h2", { id: id + "-title", tabindex: "-1", text: tr("integrations_secret_title", { name: created.name }) }),
      el("p", { id: id + "-warn", class: "hb-rec-secret-warn", text: tr("integrations_secret_once") }),
      el("div", { class: "hb-field" }, [el("label", { for: id, text: tr("integrations_secret_label") }), input]),
      el("div", { class: "hb-actions" }, [
        el("button", { type: "button", class: "hb-primary", "data-action": "copy", text: tr("integrations_copy"), onclick: function () { integrationsCopy(input, copied); } }),
        el("button", { type: "button", class: "hb-secondary", "data-action": "done", text: tr("integrations_secret_done"), onclick: function () {
          input.value = "";
          clear(slot);
          focusHeading(document.getElementById("hb-keys-title"));
        } })
      ]),
      copied,
      purposeId === "custom" ? null : el("p", { class: "hb-hint", text: tr("integrations_secret_where_" + purposeId) })
    ]);
    slot.appendChild(box);
    focusHeading(box.querySelector("h2"));
  }

  async function integrationsCopy(input, note) {
    note.textContent = "";
    try {
      if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error("no clipboard");
      await navigator.clipboard.writeText(input.value);
      note.textContent = tr("integrations_copied");
    } catch (error) {
      // No clipboard access (an old browser, a denied permission): select it for Ctrl+C.
      input.focus();
      input.select();
      note.textContent = tr("integrations_copy_failed");
    }
  }

/* Blocked contacts (tenant:write, which the service asks for reading the list
 * too): e-mail addresses and phone numbers that may not book online. The
 * service keeps only a keyed hash of each (it hashes what is typed here and
 * forgets the value), so the list shows what the API gives — the kind, why
 * and since when — never who. Part of the console's one function scope (see
 * console.js; helpers "records…" in 70-integrations.js). */

  var BLOCKLIST_PHONE = /^\+?[0-9 ()/.-]{5,30}$/; // the service's rule (resources/clients.py)

  var blocklistBox = null;

  onForget(function () { blocklistBox = null; });

  registerScreen({
    id: "blocklist",
    label: "blocklist_nav",
    allowed: function () { return can("tenant:write"); },
    render: async function (box) {
      blocklistBox = box;
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("blocklist_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("blocklist_intro") }));
      box.appendChild(blocklistForm());
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-blocked", "aria-labelledby": "hb-blocked-title" }));
      await blocklistDraw();
    },
    leave: function () { blocklistBox = null; }
  });

  function blocklistKind(kind) {
    return recordsText("blocklist_kind_" + kind, kind);
  }

  async function blocklistDraw(message) {
    var box = blocklistBox;
    if (!box) return;
    var section = box.querySelector(".hb-rec-blocked");
    var rows;
    try {
      rows = (await api("GET", "/blocked-contacts")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded || blocklistBox !== box) return;
      recordsFailed(section, "hb-blocked-title", tr("blocklist_title"), error);
      return;
    }
    if (blocklistBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-blocked-title", tabindex: "-1", text: tr("blocklist_list_title", { count: rows.length }) }));
    // What was just done, visible here; the live region (say) announces it.
    var note = el("p", { class: "hb-ok hb-rec-done" });
    if (message) note.textContent = message;
    section.appendChild(note);
    if (!rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("blocklist_none") }));
      return;
    }
    section.appendChild(el("p", { class: "hb-hint", text: tr("blocklist_list_hint") }));
    section.appendChild(el("ul", { class: "hb-rec-cards" }, rows.slice().reverse().map(blocklistCard)));
  }

  function blocklistCard(row) {
    var headId = newId("blocked");
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    var since = recordsWhen(row.created_at);
    function offer() {
      clear(actions);
      actions.appendChild(el("button", {
        type: "button", class: "hb-secondary", "data-action": "unblock", "aria-describedby": headId,
        text: tr("blocklist_unblock"),
        onclick: function () {
          recordsAsk(actions, tr("blocklist_unblock_really", { kind: blocklistKind(row.kind), since: since }), tr("blocklist_unblock_yes"),
            function () { blocklistRemove(row, actions, errors); },
            function () { offer(); actions.querySelector("button").focus(); });
        }
      }));
    }
    offer();
    return el("li", { class: "hb-rec-card", "data-blocked": row.id }, [
      el("h3", { id: headId, text: tr("blocklist_card_title", { kind: blocklistKind(row.kind), id: row.id }) }),
      el("dl", { class: "hb-facts" }, [
        el("dt", { text: tr("blocklist_since") }), el("dd", { text: since }),
        el("dt", { text: tr("blocklist_reason") }), el("dd", { text: recordsText("blocklist_reason_" + row.reason, row.reason) })
      ]),
      actions,
      errors
    ]);
  }

  async function blocklistRemove(row, actions, errors) {
    showError(errors, "");
    actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    try {
      await api("DELETE", "/blocked-contacts/" + row.id);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      if (error.status !== 404) { // gone already: as good as done
        actions.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        showError(errors, recordsError(error));
        return;
      }
    }
    var done = tr("blocklist_unblocked", { kind: blocklistKind(row.kind) });
    await blocklistDraw(done);
    say(done);
    focusHeading(document.getElementById("hb-blocked-title"));
  }

  function blocklistForm() {
    var section = el("section", { class: "hb-rec-section", "aria-labelledby": "hb-block-title" });
    section.appendChild(el("h2", { id: "hb-block-title", text: tr("blocklist_add_title") }));
    var email = field(tr("blocklist_email"), { name: "block-email", type: "email", autocomplete: "off", spellcheck: "false", maxlength: "254" });
    var phone = field(tr("blocklist_phone"), { name: "block-phone", type: "tel", autocomplete: "off", maxlength: "30" }, tr("blocklist_phone_hint"));
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("blocklist_add") });
    var form = el("form", { class: "hb-form hb-rec-form", novalidate: true }, [
      el("p", { class: "hb-hint", text: tr("blocklist_add_hint") }), email.node, phone.node, errors, button
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      [email, phone].forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      var body = {};
      var problems = [];
      var e = email.input.value.trim(), p = phone.input.value.trim();
      if (e) {
        if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) body.email = e;
        else problems.push([email, tr("blocklist_err_email")]);
      }
      if (p) {
        if (BLOCKLIST_PHONE.test(p) && /[0-9]/.test(p)) body.phone = p;
        else problems.push([phone, tr("blocklist_err_phone")]);
      }
      if (!e && !p) problems.push([email, tr("blocklist_err_empty")]);
      if (problems.length) {
        problems.forEach(function (x) { x[0].input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_check"), problems.map(function (x) { return x[1]; }));
        problems[0][0].input.focus();
        return;
      }
      button.disabled = true;
      try {
        var r = await api("POST", "/blocked-contacts", body);
        email.input.value = "";
        phone.input.value = "";
        body = null;
        var kinds = (r.data || []).map(function (row) { return blocklistKind(row.kind); }).join(", ");
        var done = tr("blocklist_added", { kinds: kinds });
        await blocklistDraw(done);
        say(done);
      } catch (error) {
        if (error instanceof SessionEnded) return;
        if (error.status === 422) {
          var json = (error.problem && error.problem.errors && error.problem.errors.json) || {};
          var named = [];
          [["email", email, "blocklist_email"], ["phone", phone, "blocklist_phone"]].forEach(function (x) {
            if (!json[x[0]]) return;
            x[1].input.setAttribute("aria-invalid", "true");
            named.push(tr(x[2]) + ": " + [].concat(json[x[0]]).join(" "));
          });
          showError(errors, tr("err_check"), named.length ? named : [error.message]);
        } else {
          showError(errors, recordsError(error));
        }
      } finally {
        button.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }

/* The audit trail (owner: audit:read): who did what, when, to what — newest
 * first, a page at a time, filtered by kind of event; and whether the hash
 * chain is intact (GET /v1/audit-events/verify recomputes it). Part of the
 * console's one function scope (see console.js; helpers "records…" in
 * 70-integrations.js). */

  var AUDIT_PAGE_SIZE = 25;
  // Every action the service records (docs/api.md#audit-trail), for the filter.
  var AUDIT_ACTIONS = [
    "auth.login", "auth.login_failed", "auth.password_change", "auth.password_change_failed", "auth.refresh_reuse", "auth.logout_everywhere",
    "auth.totp_setup", "auth.totp_enable", "auth.totp_disable", "auth.totp_disable_failed",
    "staff.create", "staff.update", "staff.role_change", "staff.deactivate", "staff.reactivate",
    "tenant.update", "tenant.privacy_notice", "closure.create", "closure.delete",
    "integration_key.create", "integration_key.revoke",
    "blocklist.add", "blocklist.remove",
    "vault.setup", "vault.enrol", "vault.grant", "vault.revoke", "vault.rotate",
    "client.create", "client.read", "client.list", "client.lookup", "client.export", "client.erase", "client.update",
    "public.booking", "public.booking_dropped", "public.booking_refused", "public.confirm", "public.cancel", "public.reschedule",
    "appointment.no_show", "stealth.cluster_released"
  ];

  var auditState = null; // {box, page, action, keys: Map(id -> name), chain}

  onForget(function () { auditState = null; });

  registerScreen({
    id: "audit",
    label: "audit_nav",
    allowed: function () { return can("audit:read"); },
    render: async function (box) {
      var state = auditState = { box: box, page: 1, action: "", keys: new Map(), chain: null };
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("audit_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("audit_intro") }));
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-chain", "aria-labelledby": "hb-chain-title" }));
      box.appendChild(auditFilter());
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-events", "aria-labelledby": "hb-events-title" }));
      if (can("integration_keys:manage")) {
        try {
          ((await api("GET", "/integration-keys")).data || []).forEach(function (k) { state.keys.set(k.id, k.name); });
        } catch (error) {
          if (error instanceof SessionEnded) return; // else key names are a nicety: go on with numbers
        }
      }
      if (auditState !== state) return;
      await Promise.all([auditChain(), auditEvents()]);
    },
    leave: function () { auditState = null; }
  });

  function auditLabel(action) {
    return recordsText("audit_action_" + action.replace(".", "_"), action);
  }

  async function auditChain() {
    var state = auditState;
    var section = state.box.querySelector(".hb-rec-chain");
    var chain = null, failure = null;
    try {
      chain = (await api("GET", "/audit-events/verify")).data;
    } catch (error) {
      if (error instanceof SessionEnded) return;
      failure = error;
    }
    if (auditState !== state) return;
    state.chain = chain;
    clear(section);
    section.appendChild(el("h2", { id: "hb-chain-title", text: tr("audit_chain_title") }));
    if (failure) {
      section.appendChild(el("p", { class: "hb-alert", role: "alert", text: tr("audit_chain_unknown", { message: recordsError(failure) }) }));
      return;
    }
    var checked = zoneParts(new Date(), ctx.tz).hm;
    if (chain.intact) {
      section.setAttribute("data-chain", "intact");
      section.appendChild(el("p", { class: "hb-rec-chain-ok", text: tr("audit_chain_intact", { count: chain.events, time: checked }) }));
      section.appendChild(el("p", { class: "hb-hint", text: tr("audit_chain_limits") }));
      return;
    }
    var bad = chain.broken_at || {};
    section.setAttribute("data-chain", "broken");
    section.appendChild(el("div", { class: "hb-alert", role: "alert" }, [
      el("p", { text: tr("audit_chain_broken", { seq: bad.seq, what: auditLabel(bad.action || ""), when: recordsWhen(bad.at), time: checked }) }),
      el("p", { text: tr("audit_chain_broken_next") })
    ]));
    auditMarkBroken();
  }

  function auditFilter() {
    var options = [["", tr("audit_filter_all")]].concat(
      AUDIT_ACTIONS.map(function (a) { return [a, auditLabel(a)]; }).sort(function (x, y) { return x[1].localeCompare(y[1]); })
    );
    var what = recordsSelect(tr("audit_filter_what"), "audit-action", options, "");
    var form = el("form", { class: "hb-rec-filter", role: "search", "aria-label": tr("audit_filter_label") }, [
      what.node,
      el("button", { type: "submit", class: "hb-secondary", text: tr("records_show") })
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      auditState.action = what.input.value;
      auditState.page = 1;
      await auditEvents();
      say(document.getElementById("hb-events-title").textContent);
    });
    return form;
  }

  async function auditEvents(focus) {
    var state = auditState;
    var section = state.box.querySelector(".hb-rec-events");
    var path = "/audit-events" + (state.action ? "?action=" + encodeURIComponent(state.action) : "");
    var list;
    try {
      list = await recordsPage(path, state.page, AUDIT_PAGE_SIZE);
      if (list.pages && state.page > list.pages) { // fewer pages than before
        state.page = list.pages;
        list = await recordsPage(path, state.page, AUDIT_PAGE_SIZE);
      }
    } catch (error) {
      if (error instanceof SessionEnded || auditState !== state) return;
      recordsFailed(section, "hb-events-title", tr("audit_title"), error);
      return;
    }
    if (auditState !== state) return;
    clear(section);
    var title = el("h2", { id: "hb-events-title", tabindex: "-1", text: state.action
      ? tr("audit_events_filtered", { count: list.total, what: auditLabel(state.action) })
      : tr("audit_events_title", { count: list.total }) });
    section.appendChild(title);
    if (!list.rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("audit_none") }));
      return;
    }
    var rows = list.rows.map(function (e) {
      return [recordsWhen(e.at), auditWho(e), auditLabel(e.action), auditObject(e), auditDetails(e), String(e.seq)];
    });
    section.appendChild(recordsTable(tr("audit_table"), [
      tr("audit_col_when"), tr("audit_col_who"), tr("audit_col_what"), tr("audit_col_object"), tr("audit_col_details"), tr("audit_col_seq")
    ], rows, function (i) {
      return { "data-seq": list.rows[i].seq, "data-action": list.rows[i].action };
    }));
    var pager = recordsPager(list, tr("audit_pages"), async function (page) {
      state.page = page;
      await auditEvents(true);
    });
    if (pager) section.appendChild(pager);
    auditMarkBroken();
    if (focus) focusHeading(title);
  }

  /* The first event that no longer fits the chain, marked in the table (the
   * check and the page arrive in either order). */
  function auditMarkBroken() {
    var chain = auditState && auditState.chain;
    if (!chain || chain.intact || !chain.broken_at) return;
    var row = auditState.box.querySelector('.hb-rec-events tr[data-seq="' + chain.broken_at.seq + '"]');
    if (!row || row.classList.contains("hb-rec-row-bad")) return;
    row.classList.add("hb-rec-row-bad");
    row.children[2].firstChild.appendChild(el("strong", { class: "hb-rec-bad", text: " " + tr("audit_does_not_fit") }));
  }

  function auditWho(e) {
    if (e.actor_kind === "staff") {
      var s = ctx.staff.get(e.actor_id);
      return s ? s.display_name : tr("audit_who_staff", { id: e.actor_id });
    }
    if (e.actor_kind === "integration") {
      var name = auditState.keys.get(e.actor_id);
      return name ? tr("audit_who_key_named", { name: name }) : tr("audit_who_key", { id: e.actor_id });
    }
    return recordsText("audit_who_" + e.actor_kind, e.actor_kind);
  }

  function auditObject(e) {
    var kind = e.target_kind, id = e.target_id;
    if (!kind) return "—";
    if (id === null || id === undefined) return recordsText("audit_object_" + e.action.replace(".", "_"), "—");
    if (kind === "staff" && ctx.staff.get(id)) return tr("audit_object_staff_named", { name: ctx.staff.get(id).display_name });
    if (kind === "tenant") return tr("audit_object_tenant");
    if (kind === "integration_key" && auditState.keys.get(id)) return tr("audit_object_key_named", { name: auditState.keys.get(id) });
    var label = recordsText("audit_object_" + kind, kind);
    return tr("audit_object_numbered", { what: label, id: id });
  }

  /* The event's details (ids and field names, never personal data) in words;
   * the address it came from last. */
  function auditDetails(e) {
    var d = e.details || {};
    var parts = Object.keys(d).sort().map(function (k) {
      var v = d[k];
      if (k === "role") v = recordsText("role_" + v, v);
      else if (k === "scopes" && Array.isArray(v)) v = v.map(integrationsScope).join(", ");
      else if (k === "kind") v = blocklistKind(v);
      else if (k === "factor") v = recordsText("audit_factor_" + v, v);
      else if (k === "reason") v = recordsText("audit_reason_" + v, v);
      else if (Array.isArray(v)) v = v.join(", ");
      else if (v !== null && typeof v === "object") v = JSON.stringify(v);
      return recordsText("audit_detail_" + k, k) + ": " + v;
    });
    if (e.ip) parts.push(tr("audit_from_ip", { ip: e.ip }));
    return parts.join("; ");
  }

/* The message log (appointments:read): the ledger of confirmation requests,
 * confirmations, reminders, changes and the question to the team member —
 * per appointment and channel, its state and when. The ledger holds no
 * addresses and no texts, so neither does this screen. Latest due first
 * (GET /v1/messages?order=desc), a page at a time, filtered by state and kind.
 * Part of the console's one function scope (see console.js; helpers
 * "records…" in 70-integrations.js). */

  var MESSAGES_PAGE_SIZE = 25;
  // The service's MESSAGE_STATES and MESSAGE_KINDS (models.py).
  var MESSAGES_STATES = ["pending", "queued", "sending", "sent", "failed", "skipped", "revoked"];
  var MESSAGES_KINDS = ["confirm_request", "confirmed", "reminder_1", "reminder_2", "reminder_3", "rescheduled", "cancelled", "mark_outcome",
    "team_booked", "team_confirmed", "team_cancelled", "team_rescheduled"];

  var messagesState = null; // {box, page, state, kind}

  onForget(function () { messagesState = null; });

  registerScreen({
    id: "messages",
    label: "messages_nav",
    allowed: function () { return can("appointments:read"); },
    render: async function (box) {
      messagesState = { box: box, page: 1, state: "", kind: "" };
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("messages_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("messages_intro") }));
      box.appendChild(messagesFilter());
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-messages", "aria-labelledby": "hb-messages-title" }));
      await messagesDraw();
    },
    leave: function () { messagesState = null; }
  });

  function messagesFilter() {
    var status = recordsSelect(tr("messages_filter_state"), "message-state", [["", tr("messages_filter_all")]].concat(
      MESSAGES_STATES.map(function (s) { return [s, tr("messages_state_" + s)]; })), "");
    var kind = recordsSelect(tr("messages_filter_kind"), "message-kind", [["", tr("messages_filter_all")]].concat(
      MESSAGES_KINDS.map(function (k) { return [k, tr("messages_kind_" + k)]; })), "");
    var form = el("form", { class: "hb-rec-filter", role: "search", "aria-label": tr("messages_filter_label") }, [
      status.node, kind.node, el("button", { type: "submit", class: "hb-secondary", text: tr("records_show") })
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      messagesState.state = status.input.value;
      messagesState.kind = kind.input.value;
      messagesState.page = 1;
      await messagesDraw();
      say(document.getElementById("hb-messages-title").textContent);
    });
    return form;
  }

  async function messagesDraw(focus) {
    var state = messagesState;
    var section = state.box.querySelector(".hb-rec-messages");
    var path = "/messages?order=desc" + (state.state ? "&state=" + state.state : "") + (state.kind ? "&kind=" + state.kind : "");
    var list;
    try {
      list = await recordsPage(path, state.page, MESSAGES_PAGE_SIZE);
      if (list.pages && state.page > list.pages) { // fewer pages than before
        state.page = list.pages;
        list = await recordsPage(path, state.page, MESSAGES_PAGE_SIZE);
      }
    } catch (error) {
      if (error instanceof SessionEnded || messagesState !== state) return;
      recordsFailed(section, "hb-messages-title", tr("messages_title"), error);
      return;
    }
    if (messagesState !== state) return;
    clear(section);
    var filtered = state.state || state.kind;
    var title = el("h2", { id: "hb-messages-title", tabindex: "-1", text: tr(filtered ? "messages_list_filtered" : "messages_list_title", { count: list.total }) });
    section.appendChild(title);
    section.appendChild(el("div", { class: "hb-rec-updated" }, [
      el("p", { text: tr("messages_as_of", { time: zoneParts(new Date(), ctx.tz).hm }) }),
      el("button", { type: "button", class: "hb-secondary", "data-action": "refresh", text: tr("messages_refresh"), onclick: async function () {
        await messagesDraw(true);
        say(tr("messages_refreshed"));
      } })
    ]));
    if (!list.rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr(filtered ? "messages_none_filtered" : "messages_none") }));
      return;
    }
    var rows = list.rows.map(function (m) {
      return [
        recordsWhen(m.due_at),
        m.sent_at ? recordsWhen(m.sent_at) : "—",
        recordsText("messages_kind_" + m.kind, m.kind),
        recordsText("messages_channel_" + m.channel, m.channel),
        messagesStatus(m),
        tr("messages_appointment", { id: m.appointment_id }),
        String(m.attempts)
      ];
    });
    section.appendChild(recordsTable(tr("messages_table"), [
      tr("messages_col_due"), tr("messages_col_sent"), tr("messages_col_kind"), tr("messages_col_channel"),
      tr("messages_col_state"), tr("messages_col_appointment"), tr("messages_col_attempts")
    ], rows, function (i) {
      var m = list.rows[i];
      return { "data-message": m.id, "data-kind": m.kind, "data-state": m.state, class: "hb-rec-state-" + m.state };
    }));
    var pager = recordsPager(list, tr("messages_pages"), async function (page) {
      state.page = page;
      await messagesDraw(true);
    });
    if (pager) section.appendChild(pager);
    if (focus) focusHeading(title);
  }

  /* The state in words, with the reason code of a failure (or of the last
   * temporary failure of a message that will be tried again). */
  function messagesStatus(m) {
    var text = recordsText("messages_state_" + m.state, m.state);
    if (!m.last_error) return text;
    return text + " — " + messagesReason(m.last_error);
  }

  function messagesReason(code) {
    var known = recordsText("messages_error_" + code, null);
    if (known !== null) return known;
    var numbered = /^(smtp_refused|recipient_refused|sms)_(\d{3})$/.exec(code);
    if (numbered) return tr("messages_error_" + numbered[1] + "_n", { code: numbered[2] });
    return code;
  }

/* Suspicious bookings (appointments:write): clusters of upcoming online
 * bookings by new contacts made from one network (GET /v1/stealth/clusters,
 * docs/stealth.md), each released after a second click (POST
 * /v1/stealth/clusters/release: every booking in it cancelled). The service
 * names a cluster by a keyed hash of the network only, so no address is ever
 * shown. For the owner (audit:read) also the latest online bookings refused
 * because of probes, from the audit trail. Part of the console's one function
 * scope (see console.js; helpers "records…" in 70-integrations.js). */

  var CLUSTERS_REFUSALS_SHOWN = 5;

  var clustersBox = null;

  onForget(function () { clustersBox = null; });

  registerScreen({
    id: "clusters",
    label: "clusters_nav",
    allowed: function () { return can("appointments:write"); },
    render: async function (box) {
      clustersBox = box;
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("clusters_title") }));
      ["clusters_intro", "clusters_why", "clusters_release_what", "clusters_private"].forEach(function (key) {
        box.appendChild(el("p", { class: "hb-hint", text: tr(key) }));
      });
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-clusters", "aria-labelledby": "hb-clusters-title" }));
      var refusals = can("audit:read");
      if (refusals) box.appendChild(el("section", { class: "hb-rec-section hb-rec-refusals", "aria-labelledby": "hb-refusals-title" }));
      await Promise.all([clustersDraw(), refusals ? clustersRefusals() : null]);
    },
    leave: function () { clustersBox = null; }
  });

  async function clustersDraw(message) {
    var box = clustersBox;
    if (!box) return;
    var section = box.querySelector(".hb-rec-clusters");
    var rows;
    try {
      rows = (await api("GET", "/stealth/clusters")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded || clustersBox !== box) return;
      recordsFailed(section, "hb-clusters-title", tr("clusters_title"), error);
      return;
    }
    if (clustersBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-clusters-title", tabindex: "-1", text: tr("clusters_list_title", { count: rows.length }) }));
    // What was just done, visible here; the live region (say) announces it.
    var note = el("p", { class: "hb-ok hb-rec-done" });
    if (message) note.textContent = message;
    section.appendChild(note);
    if (!rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("clusters_none") }));
      return;
    }
    section.appendChild(el("ul", { class: "hb-rec-cards" }, rows.map(clustersCard)));
  }

  function clustersCard(row, index) {
    var headId = newId("cluster");
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    function offer() {
      clear(actions);
      actions.appendChild(el("button", {
        type: "button", class: "hb-secondary", "data-action": "release", "aria-describedby": headId,
        text: tr("clusters_release"),
        onclick: function () {
          recordsAsk(actions, tr("clusters_release_really", { count: row.bookings, confirmed: row.confirmed }), tr("clusters_release_yes"),
            function () { clustersRelease(row, actions, errors); },
            function () { offer(); actions.querySelector("button").focus(); });
        }
      }));
    }
    offer();
    var facts = [
      el("dt", { text: tr("clusters_bookings") }), el("dd", { text: String(row.bookings) }),
      el("dt", { text: tr("clusters_confirmed") }), el("dd", { text: String(row.confirmed) }),
      el("dt", { text: tr("clusters_first") }), el("dd", { text: recordsWhen(row.first_start) }),
      el("dt", { text: tr("clusters_last") }), el("dd", { text: recordsWhen(row.last_start) })
    ];
    var probed = typeof row.probes === "number" && row.probes > 0;
    if (typeof row.probes === "number") {
      facts.push(el("dt", { text: tr("clusters_probes") }), el("dd", { "data-probes": row.probes, text: String(row.probes) }));
    }
    return el("li", { class: "hb-rec-card", "data-cluster": row.id }, [
      el("h3", { id: headId, text: tr("clusters_card_title", { n: index + 1, count: row.bookings }) }),
      el("dl", { class: "hb-facts" }, facts),
      probed ? el("p", { class: "hb-hint", text: tr("clusters_probes_hint") }) : null,
      clustersMembers(row),
      actions,
      errors
    ]);
  }

  /* The cluster's bookings, read when the person opens the list: the
   * appointments of its days (one list request), each a button to its day in
   * the appointment book. */
  function clustersMembers(row) {
    var list = el("div", { class: "hb-cl-members" });
    var details = el("details", { class: "hb-cl-details" }, [
      el("summary", { text: tr("clusters_show", { count: row.bookings }) }), list
    ]);
    var loaded = false;
    details.addEventListener("toggle", async function () {
      if (!details.open || loaded) return;
      loaded = true;
      list.appendChild(el("p", { role: "status", text: tr("loading") }));
      var first = zoneParts(new Date(row.first_start), ctx.tz).date;
      var last = zoneParts(new Date(row.last_start), ctx.tz).date;
      var found;
      try {
        var wanted = new Set(row.appointment_ids);
        found = (await allPages("/appointments?from=" + first + "T00:00:00&to=" + shiftDay(last, 1) + "T00:00:00"))
          .filter(function (a) { return wanted.has(a.id); });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        loaded = false; // closing and opening again tries again
        clear(list);
        list.appendChild(el("p", { class: "hb-alert", role: "alert", text: recordsError(error) }));
        return;
      }
      clear(list);
      list.appendChild(el("ul", { class: "hb-cl-list" }, found.map(function (a) {
        return el("li", {}, [el("button", {
          type: "button", class: "hb-link", "data-appt": a.id,
          text: tr("clusters_booking", {
            when: recordsWhen(a.start),
            service: (ctx.services.get(a.service_id) || {}).name || "—",
            who: (ctx.staff.get(a.staff_id) || {}).display_name || "—",
            status: tr("status_" + a.status)
          }),
          onclick: function () { go("day", { appointment: a.id }); }
        })]);
      })));
    });
    return details;
  }

  async function clustersRelease(row, actions, errors) {
    showError(errors, "");
    actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var released;
    try {
      released = (await api("POST", "/stealth/clusters/release", { cluster: row.id })).data.released;
    } catch (error) {
      if (error instanceof SessionEnded) return;
      actions.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      showError(errors, recordsError(error));
      return;
    }
    // 0: the cluster was gone already (released meanwhile, or its bookings expired).
    var done = released ? tr("clusters_released", { count: released }) : tr("clusters_released_none");
    await clustersDraw(done);
    say(done);
    focusHeading(document.getElementById("hb-clusters-title"));
  }

  /* The latest online bookings refused because their contact, address or
   * network had cancelled soon after confirming before (public.booking_refused,
   * reason "probes"): the salon's side of a refusal the prober never hears. */
  async function clustersRefusals() {
    var box = clustersBox;
    var section = box.querySelector(".hb-rec-refusals");
    var list;
    try {
      list = await recordsPage("/audit-events?action=public.booking_refused", 1, CLUSTERS_REFUSALS_SHOWN);
    } catch (error) {
      if (error instanceof SessionEnded || clustersBox !== box) return;
      recordsFailed(section, "hb-refusals-title", tr("clusters_refusals_title", { count: "?" }), error);
      return;
    }
    if (clustersBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-refusals-title", text: tr("clusters_refusals_title", { count: list.total }) }));
    section.appendChild(el("p", { class: "hb-hint", text: tr("clusters_refusals_hint") }));
    if (!list.rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("clusters_refusals_none") }));
      return;
    }
    section.appendChild(el("ul", { class: "hb-cl-list" }, list.rows.map(function (e) {
      return el("li", { "data-seq": e.seq, text: recordsWhen(e.at) });
    })));
    if (list.total > list.rows.length) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("clusters_refusals_more", { shown: list.rows.length }) }));
    }
  }

/* My account: one's own password, second factor (TOTP) and "sign out
 * everywhere". Part of the console's one function scope (see console.js).
 * renderTotpSetup() also serves the core's screen for a salon that requires a
 * second factor of an owner or manager who has none yet. */

  registerScreen({
    id: "account",
    label: "account_nav",
    allowed: function () { return !!(ctx && ctx.me && ctx.me.id !== null && ctx.me.id !== undefined); },
    render: async function (box) {
      var me = (await api("GET", "/auth/me")).data;
      box.appendChild(el("h1", { text: tr("account_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("account_intro", { name: ctx.me.display_name, email: session.email }) }));
      box.appendChild(accountPassword());
      var factor = el("section", { class: "hb-account-section", "aria-labelledby": "hb-account-totp" });
      box.appendChild(factor);
      drawFactor(factor, me.totp_enabled);
      box.appendChild(accountNotifications(me.notify_bookings));
      box.appendChild(accountEverywhere());
    }
  });

  function accountSection(id, title) {
    var section = el("section", { class: "hb-account-section", "aria-labelledby": id });
    section.appendChild(el("h2", { id: id, text: title }));
    return section;
  }

  function accountPassword() {
    var section = accountSection("hb-account-password", tr("account_password_title"));
    var current = field(tr("account_password_current"), { name: "current-password", type: "password", autocomplete: "current-password", required: true });
    var fresh = field(tr("pw_new"), { name: "new-password", type: "password", autocomplete: "new-password", required: true }, tr("pw_rules"));
    var again = field(tr("pw_repeat"), { name: "repeat-password", type: "password", autocomplete: "new-password", required: true });
    var errors = alertBox();
    var done = el("p", { class: "hb-ok", role: "status" });
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("pw_button") });
    var form = el("form", { class: "hb-form", novalidate: true }, [current.node, fresh.node, again.node, errors, done, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      done.textContent = "";
      [current, fresh, again].forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      var missing = [current, fresh].filter(function (f) { return !f.input.value; });
      if (missing.length) {
        missing.forEach(function (f) { f.input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      if (fresh.input.value !== again.input.value) {
        again.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("pw_mismatch"));
        again.input.focus();
        return;
      }
      button.disabled = true;
      try {
        // Not api(): a wrong current password answers 401 without ending the session.
        var r = await send("POST", "/auth/password", { current_password: current.input.value, new_password: fresh.input.value }, session.access);
        adopt(r.data); // the service revoked every other session of this person
        [current, fresh, again].forEach(function (f) { f.input.value = ""; });
        done.textContent = tr("account_password_changed");
      } catch (error) {
        if (error.reason === "bad_credentials") {
          current.input.setAttribute("aria-invalid", "true");
          showError(errors, tr("account_password_wrong"));
          current.input.focus();
        } else if (error.status === 422) {
          fresh.input.setAttribute("aria-invalid", "true");
          showError(errors, tr("pw_rejected"), fieldErrors(error.problem).map(function (x) { return x.replace(/^[^:]*: /, ""); }));
          fresh.input.focus();
        } else if (error.status === 401) {
          endSession("session_ended");
        } else {
          showError(errors, reasonText(error));
        }
      } finally {
        button.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }

  function drawFactor(section, enabled) {
    clear(section);
    section.appendChild(el("h2", { id: "hb-account-totp", tabindex: "-1", text: tr("account_totp_title") }));
    if (enabled) {
      section.appendChild(el("p", { class: "hb-ok", text: tr("account_totp_on") }));
      section.appendChild(totpDisableForm(section));
      return;
    }
    section.appendChild(el("p", { text: tr(ctx.tenant.require_totp ? "account_totp_required" : "account_totp_off") }));
    renderTotpSetup(section, function () { drawFactor(section, true); focusHeading(document.getElementById("hb-account-totp")); });
  }

  /* Set up the second factor: the service makes a secret (shown once, as text
   * and as an otpauth:// link for an authenticator on this device), the person
   * proves it with a first code; the service then answers a new token pair
   * (every older token of theirs stops working). */
  function renderTotpSetup(box, onDone) {
    var start = el("button", { type: "button", class: "hb-primary", text: tr("account_totp_start") });
    var errors = alertBox();
    var area = el("div", { class: "hb-account-totp" }, [start, errors]);
    box.appendChild(area);
    start.addEventListener("click", async function () {
      showError(errors, "");
      start.disabled = true;
      var secret;
      try {
        secret = (await api("POST", "/auth/totp/setup")).data;
      } catch (error) {
        start.disabled = false;
        if (!(error instanceof SessionEnded)) showError(errors, reasonText(error));
        return;
      }
      clear(area);
      var grouped = secret.secret.replace(/(.{4})/g, "$1 ").trim();
      area.appendChild(el("ol", { class: "hb-account-steps" }, [
        el("li", { text: tr("account_totp_step_app") }),
        el("li", {}, [
          tr("account_totp_step_secret"), " ",
          el("code", { class: "hb-secret", text: grouped }),
          " ", el("a", { href: secret.otpauth_uri, text: tr("account_totp_open_app") })
        ]),
        el("li", { text: tr("account_totp_step_code") })
      ]));
      var code = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6", required: true });
      var again = alertBox();
      var confirm = el("button", { type: "submit", class: "hb-primary", text: tr("account_totp_enable") });
      var form = el("form", { class: "hb-form", novalidate: true }, [code.node, again, confirm]);
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        showError(again, "");
        if (!/^[0-9]{6}$/.test(code.input.value.trim())) {
          code.input.setAttribute("aria-invalid", "true");
          showError(again, tr("account_totp_six_digits"));
          code.input.focus();
          return;
        }
        confirm.disabled = true;
        try {
          var r = await api("POST", "/auth/totp/enable", { code: code.input.value.trim() });
          adopt(r.data);
          say(tr("account_totp_now_on"));
          onDone();
        } catch (error) {
          confirm.disabled = false;
          if (error instanceof SessionEnded) return;
          code.input.setAttribute("aria-invalid", "true");
          showError(again, error.status === 401 || error.status === 422 ? tr("account_totp_wrong_code") : reasonText(error));
          code.input.focus();
        }
      });
      area.appendChild(form);
      code.input.focus();
    });
  }

  function totpDisableForm(section) {
    var password = field(tr("password"), { name: "password", type: "password", autocomplete: "current-password", required: true });
    var code = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", required: true });
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-danger", text: tr("account_totp_disable") });
    var hint = ctx.tenant.require_totp ? el("p", { class: "hb-hint", text: tr("account_totp_disable_required") }) : null;
    var form = el("form", { class: "hb-form", novalidate: true }, [hint, password.node, code.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      if (!password.input.value || !/^[0-9]{6}$/.test(code.input.value.trim())) {
        showError(errors, tr("err_missing"), [tr("password"), tr("totp")]);
        (password.input.value ? code.input : password.input).focus();
        return;
      }
      button.disabled = true;
      try {
        await send("POST", "/auth/totp/disable", { password: password.input.value, code: code.input.value.trim() }, session.access);
        password.input.value = "";
        say(tr("account_totp_now_off"));
        drawFactor(section, false);
        focusHeading(document.getElementById("hb-account-totp"));
      } catch (error) {
        button.disabled = false;
        password.input.value = "";
        code.input.value = "";
        if (error.status === 401 && error.reason !== "bad_credentials" && error.reason !== "bad_totp") {
          endSession("session_ended");
          return;
        }
        showError(errors, error.status === 401 ? tr("account_totp_disable_wrong") : reasonText(error));
        password.input.focus();
      }
    });
    return form;
  }

  /* The booking e-mails to this person (new online bookings, confirmations,
   * cancellations, moves: ids, time and service, never client data). */
  function accountNotifications(on) {
    var section = accountSection("hb-account-mails", tr("account_mails_title"));
    var id = newId("f");
    var box = el("input", { type: "checkbox", id: id, "aria-describedby": id + "-hint", checked: !!on });
    var done = el("p", { class: "hb-ok", role: "status" });
    var errors = alertBox();
    box.addEventListener("change", async function () {
      done.textContent = "";
      showError(errors, "");
      box.disabled = true;
      try {
        var r = await api("PATCH", "/auth/me", { notify_bookings: box.checked });
        box.checked = !!r.data.notify_bookings;
        done.textContent = tr(box.checked ? "account_mails_on" : "account_mails_off");
      } catch (error) {
        box.checked = !box.checked;
        if (!(error instanceof SessionEnded)) showError(errors, reasonText(error));
      } finally {
        box.disabled = false;
      }
    });
    section.appendChild(el("div", { class: "hb-check" }, [box, el("label", { for: id, text: tr("account_mails_label") })]));
    section.appendChild(el("p", { id: id + "-hint", class: "hb-hint", text: tr("account_mails_hint") }));
    section.appendChild(done);
    section.appendChild(errors);
    return section;
  }

  function accountEverywhere() {
    var section = accountSection("hb-account-everywhere", tr("account_everywhere_title"));
    section.appendChild(el("p", { text: tr("account_everywhere_text") }));
    var actions = el("div", { class: "hb-actions" });
    var errors = alertBox();
    function ask() {
      clear(actions);
      var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("account_everywhere_really") });
      actions.appendChild(q);
      var yes = el("button", { type: "button", class: "hb-danger", "aria-describedby": q.id, text: tr("account_everywhere_yes"), onclick: async function () {
        yes.disabled = true;
        try {
          await api("POST", "/auth/logout-everywhere");
          forget();
          lockedAs = null;
          showSignIn({ message: tr("account_everywhere_done") });
        } catch (error) {
          yes.disabled = false;
          if (!(error instanceof SessionEnded)) showError(errors, reasonText(error));
        }
      } });
      actions.appendChild(yes);
      actions.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("act_keep"), onclick: offer }));
      yes.focus();
    }
    function offer() {
      clear(actions);
      actions.appendChild(el("button", { type: "button", class: "hb-danger", text: tr("account_everywhere_button"), onclick: ask }));
    }
    offer();
    section.appendChild(actions);
    section.appendChild(errors);
    return section;
  }

  start();
})();
