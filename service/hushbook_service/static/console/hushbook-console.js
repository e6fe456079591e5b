/* Built by plugins/console/build.py from plugins/console/vendor/noble-hashes-2.4.0/scrypt.js + plugins/widget/src/sealing.js + plugins/console/src/vault.js + plugins/console/src/console.js + plugins/console/src/screens/10-day.js + plugins/console/src/screens/30-keys.js; do not edit. */
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
 * the reading side of sdk/hushbook/vault.py and sdk/hushbook/sealing.py.
 *
 * The formats are specified in the docstring of sdk/hushbook/sealing.py; this
 * file follows it byte for byte, and tests/vectors/console.json (made by the
 * Python SDK) proves it. In short:
 *
 *   member key  raw X25519 seed, AES-256-GCM under scrypt(NFC(passphrase)):
 *               key = scrypt(utf8(NFC(passphrase)), salt, N = 2**log_n, r, p, 32)
 *               aad = LP("hushbook/v1/vault-key") || LP("1") || LP("scrypt")
 *                     || LP(log_n) || LP(r) || LP(p) || LP(context)
 *               context = LP("hushbook/v1/vault-context") || LP(tenant) || LP(member)
 *               log_n, r, p come from the blob (refused below the floor
 *               log_n 16 / r 8 and above the ceiling log_n 20 / 1 GiB)
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
 * Keys: every private key lives only as a non-extractable WebCrypto CryptoKey
 * (X25519, usage deriveBits). Raw seeds exist only for the moment between
 * decryption and import, in buffers that are zeroed right after (best effort:
 * a JavaScript engine may have copied them, which no script can prevent).
 * Opening therefore runs the HPKE receiver side here, on the CryptoKey;
 * sealing only needs the public key and calls HushbookSealing.sealProfile.
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

  // --- grants and profiles --------------------------------------------------------

  /* Open a grant (the tenant private key sealed to the member's public key,
   * "sealed_tenant_key" in GET /v1/vault) with the member key from
   * unwrapPrivateKey: the tenant key, as that function returns keys. */
  async function openGrant(memberKey, sealedB64, tenantId, memberId) {
    checkKey(memberKey, "memberKey");
    var binding = S.aad(tenantId, "grant", memberId, "tenant_key");
    var seed;
    try {
      seed = await openWithKey(memberKey, S.b64d(sealedB64), PURPOSE_GRANT, binding);
    } catch (error) {
      if (error instanceof SealError || error instanceof RangeError) throw new SealError("cannot open the grant");
      throw error;
    }
    try {
      // The SDK seals the raw 32-byte seed; nothing else is a tenant key here.
      if (seed.length !== KEY_LEN) throw new SealError("cannot open the grant");
      return await importSeed(seed);
    } finally {
      wipe(seed);
    }
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

  /* One vault per signed-in console. Keys live in this closure (never on the
   * returned object, never serialised); lock() drops them, and anything still
   * running when lock() is called refuses to hand its result out. */
  function create() {
    var member = null, tenant = null, state = null, epoch = 0;

    function lock() {
      epoch++;
      member = null;
      tenant = null;
      state = null;
    }

    /* vaultState: the body of GET /v1/vault. Unwraps the member key with the
     * passphrase and opens the grant, here. Resolves to canRead (false without
     * a grant: sealing still works). SealError on a wrong passphrase. */
    async function unlock(vaultState, passphrase, options) {
      var opts = checkOptions(options, ["minLogN", "onProgress"]);
      if (!isObject(vaultState) || !isId(vaultState.tenant_id) || !isId(vaultState.staff_id)) {
        throw new TypeError("vaultState must be the body of GET /v1/vault");
      }
      lock();
      var mine = epoch;
      var st = vaultState, enrolled = st.member;
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
      state = Object.freeze({
        tenant_id: st.tenant_id,
        staff_id: st.staff_id,
        public_key: typeof st.public_key === "string" ? st.public_key : null,
        key_version: isId(st.key_version) ? st.key_version : null
      });
      return tenant !== null;
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

  function showTotpSetupRequired() {
    var h = screen(tr("totp_setup_title"));
    els.main.appendChild(el("p", { text: tr("totp_setup_text") }));
    els.main.appendChild(el("button", { type: "button", class: "hb-primary", text: tr("signout"), onclick: signOut }));
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
   * render(box, arg) (may be async), leave(), tick()}. Menu order is
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
    var first = allowedScreens()[0];
    if (first) await go(first.id);
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

/* The day view: one column per team member, the appointments as blocks, their
 * details and actions. Part of the console's one function scope (see
 * console.js): it uses the core's helpers and registers the "day" screen. */

  var PX_PER_MIN = 1.6;
  var POLL_MS = 20000;
  var SHOWN = ["pending", "confirmed", "completed", "no_show"];

  var names = new Map(); // client id + key -> opened name, only while the vault is unlocked
  var day = null; // the day shown, "YYYY-MM-DD" in the salon's zone
  var rows = []; // the day's appointments
  var signature = "";
  var selectedId = null;
  var note = null; // {id, text, error}: what the last action on the selected appointment said
  var pollTimer = null;
  var loading = null;

  onForget(function () {
    names.clear();
    rows = [];
    signature = "";
    selectedId = null;
    day = null;
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
    render: async function (box) {
      if (!day) day = today();
      renderDay(box);
      await loadDay({ announce: false });
      stopPolling();
      pollTimer = setInterval(function () { loadDay({ quiet: true }).catch(function () {}); }, POLL_MS);
    },
    leave: function () {
      stopPolling();
      selectedId = null;
      els.grid = null;
    },
    tick: function () { if (day) drawNowLine(); }
  });

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
    box.appendChild(el("h2", { id: "hb-day-title", text: longDate(day) }));
    var dateId = newId("date");
    var picker = el("input", { id: dateId, type: "date", value: day, required: true });
    picker.addEventListener("change", function () {
      if (/^\d{4}-\d{2}-\d{2}$/.test(picker.value)) goTo(picker.value);
    });
    var nav = el("nav", { class: "hb-daynav", "aria-label": tr("day_nav") }, [
      el("button", { type: "button", class: "hb-secondary", text: tr("prev_day"), onclick: function () { goTo(shiftDay(day, -1)); } }),
      el("span", { class: "hb-field hb-date" }, [el("label", { for: dateId, text: tr("date") }), picker]),
      el("button", { type: "button", class: "hb-secondary", text: tr("next_day"), onclick: function () { goTo(shiftDay(day, 1)); } }),
      el("button", { type: "button", class: "hb-secondary", text: tr("today"), onclick: function () { goTo(today()); } })
    ]);
    box.appendChild(nav);
    els.updated = el("p", { class: "hb-updated" });
    box.appendChild(els.updated);
    els.grid = el("div", { class: "hb-grid-scroll", role: "region", "aria-label": tr("grid_label"), tabindex: "0" });
    box.appendChild(els.grid);
    els.other = el("div", { class: "hb-other" });
    box.appendChild(els.other);
    els.dayError = alertBox();
    box.appendChild(els.dayError);
  }

  async function goTo(iso) {
    day = iso;
    selectedId = null;
    els.details.hidden = true;
    signature = "";
    rows = [];
    renderDayFrame();
    els.grid.appendChild(el("p", { class: "hb-hint", text: tr("loading") }));
    await loadDay({ announce: false });
    var h = document.getElementById("hb-day-title");
    if (h) say(h.textContent);
  }

  async function loadDay(opts) {
    opts = opts || {};
    if (!session || !ctx || !day) return;
    if (loading) return loading;
    var wanted = day;
    loading = (async function () {
      try {
        var next = "T00:00:00";
        var list = await allPages("/appointments?from=" + wanted + next + "&to=" + shiftDay(wanted, 1) + next);
        if (!session || wanted !== day) return;
        var sig = JSON.stringify(list.map(function (a) { return [a.id, a.status, a.start, a.end, a.staff_id, a.service_id, a.client_id, a.updated_at]; }));
        var changed = sig !== signature;
        var fresh = signature ? list.filter(function (a) { return !rows.some(function (b) { return b.id === a.id; }); }).length : 0;
        rows = list;
        signature = sig;
        showError(els.dayError, "");
        await openNames();
        if (!session || wanted !== day) return;
        if (changed || !opts.quiet) render();
        els.updated.textContent = tr("updated", { time: zoneParts(new Date(), ctx.tz).hm });
        if (opts.quiet && changed) say(fresh ? tr("news_new", { count: fresh }) : tr("news_changed"));
      } catch (error) {
        if (error instanceof SessionEnded || !session) return;
        showError(els.dayError, error.status === 0 ? tr("err_network") : tr("err_generic", { message: error.message }));
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  function nameKey(client) {
    return client.id + ":" + client.client_key;
  }

  /* Opens, here, the names of the day's clients (the appointment carries the
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
    var out = [];
    ctx.staff.forEach(function (s) { if (s.active && s.bookable) out.push(s); });
    rows.forEach(function (a) {
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

  function span(a) {
    var s = zoneParts(new Date(a.start), ctx.tz), e = zoneParts(new Date(a.end), ctx.tz);
    var from = s.date < day ? 0 : s.minutes;
    var to = e.date > day ? 24 * 60 : e.minutes;
    return { from: from, to: Math.max(to, from + 5), label: s.hm + "–" + e.hm };
  }

  function render() {
    if (!els.grid) return;
    var focused = document.activeElement && document.activeElement.getAttribute("data-appt");
    var scroll = els.grid.scrollLeft;
    clear(els.grid);
    clear(els.other);
    var cols = columns();
    var shown = rows.filter(function (a) { return SHOWN.indexOf(a.status) !== -1; });
    var startMin = 8 * 60, endMin = 20 * 60;
    shown.forEach(function (a) {
      var sp = span(a);
      startMin = Math.min(startMin, Math.floor(sp.from / 60) * 60);
      endMin = Math.max(endMin, Math.ceil(sp.to / 60) * 60);
    });
    els.range = { start: startMin, end: endMin };
    var height = (endMin - startMin) * PX_PER_MIN;
    var grid = el("div", { class: "hb-grid" });
    var scale = el("div", { class: "hb-scale", "aria-hidden": "true" });
    var scaleBody = el("div", { class: "hb-col-body" });
    scaleBody.style.height = height + "px";
    for (var m = startMin; m < endMin; m += 60) {
      var mark = el("span", { class: "hb-hour", text: String(m / 60).padStart(2, "0") + ":00" });
      mark.style.top = (m - startMin) * PX_PER_MIN + "px";
      scaleBody.appendChild(mark);
    }
    scale.appendChild(el("div", { class: "hb-col-head" }));
    scale.appendChild(scaleBody);
    grid.appendChild(scale);
    if (!cols.length) els.grid.appendChild(el("p", { class: "hb-hint", text: tr("no_columns") }));
    cols.forEach(function (member) {
      var headId = newId("col");
      var mine = shown.filter(function (a) { return a.staff_id === member.id; });
      var col = el("section", { class: "hb-col", "aria-labelledby": headId, "data-staff": member.id });
      col.appendChild(el("h3", { class: "hb-col-head", id: headId, text: member.display_name + (member.active === false ? " (" + tr("inactive") + ")" : "") }));
      var body = el("div", { class: "hb-col-body" });
      body.style.height = height + "px";
      for (var mm = startMin; mm < endMin; mm += 60) {
        var line = el("span", { class: "hb-line", "aria-hidden": "true" });
        line.style.top = (mm - startMin) * PX_PER_MIN + "px";
        body.appendChild(line);
      }
      var list = el("ol", { class: "hb-blocks", "aria-label": tr("appointments_of", { name: member.display_name }) });
      mine.forEach(function (a) { list.appendChild(el("li", {}, [block(a, startMin)])); });
      if (!mine.length) body.appendChild(el("p", { class: "hb-empty", text: tr("no_appointments") }));
      body.appendChild(list);
      col.appendChild(body);
      grid.appendChild(col);
    });
    els.nowLine = el("div", { class: "hb-now", "aria-hidden": "true", hidden: true }, [el("span", { text: tr("now") })]);
    grid.appendChild(els.nowLine);
    els.grid.appendChild(grid);
    els.grid.scrollLeft = scroll;
    drawNowLine();

    var gone = rows.filter(function (a) {
      return SHOWN.indexOf(a.status) === -1 && (ctx.me.role !== "staff" || a.staff_id === ctx.me.id);
    });
    if (gone.length) {
      els.other.appendChild(el("h3", { text: tr("other_title") }));
      els.other.appendChild(el("ul", { class: "hb-other-list" }, gone.map(function (a) {
        var label = clientLabel(a);
        var who = ctx.staff.get(a.staff_id);
        return el("li", {}, [el("button", {
          type: "button", class: "hb-link", "data-appt": a.id,
          text: span(a).label + " · " + label.text + " · " + serviceName(a) + " · " + (who ? who.display_name : "") + " · " + tr("status_" + a.status),
          onclick: function () { select(a.id); }
        })]);
      })));
    }
    if (focused) {
      var again = els.main.querySelector('[data-appt="' + focused + '"]');
      if (again) again.focus();
    }
    if (selectedId !== null) drawDetails();
  }

  function block(a, startMin) {
    var sp = span(a);
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
    if (now.date !== day || now.minutes < els.range.start || now.minutes > els.range.end) {
      els.nowLine.hidden = true;
      return;
    }
    els.nowLine.hidden = false;
    els.nowLine.style.top = "calc(var(--hb-head) + " + (now.minutes - els.range.start) * PX_PER_MIN + "px)";
  }

  // --- one appointment: details and actions ------------------------------------------------------

  function select(id) {
    selectedId = id;
    note = null;
    els.main.querySelectorAll(".hb-appt").forEach(function (b) {
      var on = String(id) === b.getAttribute("data-appt");
      b.classList.toggle("hb-selected", on);
      if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
    drawDetails();
    focusHeading(document.getElementById("hb-details-title"));
  }

  function closeDetails() {
    var id = selectedId;
    selectedId = null;
    els.details.hidden = true;
    clear(els.details);
    els.main.querySelectorAll(".hb-appt").forEach(function (b) { b.classList.remove("hb-selected"); b.removeAttribute("aria-current"); });
    var back = els.main.querySelector('[data-appt="' + id + '"]');
    if (back) back.focus();
  }

  function started(a) {
    return new Date(a.start).getTime() <= Date.now();
  }

  function actionsFor(a) {
    if (!may("write")) return [];
    var out = [];
    if (a.status === "pending") out.push("confirm");
    if (a.status === "confirmed" && started(a)) out.push("complete", "no_show");
    if (a.status === "pending" || a.status === "confirmed") out.push("cancel");
    return out;
  }

  function drawDetails() {
    var a = rows.filter(function (r) { return r.id === selectedId; })[0];
    var box = els.details;
    var hadFocus = box.contains(document.activeElement) ? document.activeElement.getAttribute("data-action") : null;
    clear(box);
    if (!a) {
      box.hidden = true;
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
      [tr("time"), longDate(day) + ", " + sp.label],
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
        class: action === "cancel" ? "hb-danger" : "hb-primary",
        "data-action": action,
        text: tr("act_" + action),
        onclick: function () {
          if (action === "cancel") askCancel(a, actions, errors);
          else act(a, action, errors);
        }
      }));
    });
    box.appendChild(actions);
    box.appendChild(errors);
    if (note && note.id === a.id && note.error) showError(errors, note.text);
    box.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "close", text: tr("close"), onclick: closeDetails }));
    box.onkeydown = function (event) { if (event.key === "Escape") closeDetails(); };
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
      loadDay({ quiet: true }).catch(function () {});
    } catch (error) {
      if (error instanceof SessionEnded) return;
      note = { id: a.id, text: reasonText(error), error: true };
      drawDetails();
      focusHeading(document.getElementById("hb-details-title"));
      loadDay({ quiet: true }).catch(function () {});
    }
  }

/* Client data: the vault panel (unlock, lock) shown beside the day. Part of the
 * console's one function scope (see console.js). */

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
      box.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("vault_lock"), onclick: function () {
        vault.lock();
        drawVault();
        vaultChanged();
        say(tr("vault_locked_now"));
        els.vault.querySelector("input").focus();
      } }));
      return;
    }
    if (!member) {
      box.appendChild(el("p", { text: tr("vault_not_enrolled") }));
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

  start();
})();
