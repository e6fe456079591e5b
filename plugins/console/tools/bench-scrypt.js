/* scrypt at the SDK's production parameters (N = 2^17, r = 8, p = 1, 32 bytes),
 * with the vendored @noble/hashes, in Node:
 *
 *   node plugins/console/tools/bench-scrypt.js [runs]
 *
 * Prints the median and range of scryptAsync (what vault.js runs: it yields to
 * the event loop every 10 ms, so a page stays responsive) and of the blocking
 * scrypt, plus a full unwrap of the production-cost vector (scrypt + AES-GCM +
 * key import). The browser figure is printed by tests/test_console_crypto.py.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const ROOT = path.join(__dirname, "..", "..", "..");
for (const file of ["plugins/console/vendor/noble-hashes-2.4.0/scrypt.js", "plugins/widget/src/sealing.js", "plugins/console/src/vault.js"]) {
  vm.runInThisContext(fs.readFileSync(path.join(ROOT, file), "utf8"), { filename: file });
}
const V = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "vectors", "console.json"), "utf8"));
const H = globalThis.HushbookVault;
const N = globalThis.NobleHashesScrypt;
const runs = Number(process.argv[2] || 5);
const params = { N: 2 ** H.DEFAULT_LOG_N, r: 8, p: 1, dkLen: 32, maxmem: 128 * 8 * (2 ** H.DEFAULT_LOG_N + 2) };
const salt = new Uint8Array(16);
const secret = new TextEncoder().encode("owner's long vault passphrase");

function summary(label, times) {
  const sorted = times.slice().sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`${label}: median ${median.toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)}, ${times.length} runs)`);
}

async function time(fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times;
}

(async () => {
  console.log(`Node ${process.version}, @noble/hashes ${N.version}, scrypt N=2^${H.DEFAULT_LOG_N} r=8 p=1 (128 MiB)`);
  summary("scryptAsync (vault.js)", await time(() => N.scryptAsync(secret, salt, params)));
  summary("scrypt (blocking)", await time(() => N.scrypt(secret, salt, params)));
  const member = V.members.find((m) => m.state.member.wrapped_private_key.log_n === H.DEFAULT_LOG_N);
  const context = H.vaultContext(member.state.tenant_id, member.state.staff_id);
  summary("unwrapPrivateKey (production vector)", await time(() => H.unwrapPrivateKey(member.state.member.wrapped_private_key, member.passphrase, context)));
})().catch((error) => { console.error(error); process.exitCode = 1; });
