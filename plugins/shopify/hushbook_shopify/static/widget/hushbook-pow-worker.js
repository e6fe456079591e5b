/* Built by plugins/widget/build.py from plugins/widget/src/pow-worker.js; do not edit. */
/* Hushbook proof-of-work solver (a Web Worker, so the page stays responsive).
 *
 * Puzzle (docs/stealth.md): find a decimal nonce such that
 * SHA-256(challengeId + ":" + nonce) starts with `bits` zero bits.
 * Protocol: postMessage({challengeId, bits}) -> {progress: hashes} every batch,
 * then {nonce, hashes, ms}; {error} if WebCrypto is missing.
 */
"use strict";

var BATCH = 256; // digests in flight at once: WebCrypto is async, one at a time is slow

function leadingZeroBits(bytes) {
  var bits = 0;
  for (var i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) { bits += 8; continue; }
    return bits + Math.clz32(bytes[i]) - 24;
  }
  return bits;
}

async function solve(challengeId, bits) {
  var encoder = new TextEncoder();
  var prefix = challengeId + ":";
  var started = Date.now();
  for (var base = 0; ; base += BATCH) {
    var digests = [];
    for (var n = base; n < base + BATCH; n++) {
      digests.push(crypto.subtle.digest("SHA-256", encoder.encode(prefix + n)));
    }
    var results = await Promise.all(digests);
    for (var i = 0; i < results.length; i++) {
      if (leadingZeroBits(new Uint8Array(results[i])) >= bits) {
        return { nonce: String(base + i), hashes: base + i + 1, ms: Date.now() - started };
      }
    }
    self.postMessage({ progress: base + BATCH });
  }
}

self.onmessage = function (event) {
  var job = event.data || {};
  if (!self.crypto || !self.crypto.subtle) {
    self.postMessage({ error: "webcrypto" });
    return;
  }
  if (typeof job.challengeId !== "string" || !(job.bits >= 0 && job.bits <= 32)) {
    self.postMessage({ error: "bad-job" });
    return;
  }
  solve(job.challengeId, job.bits).then(
    function (answer) { self.postMessage(answer); },
    function () { self.postMessage({ error: "failed" }); }
  );
};
