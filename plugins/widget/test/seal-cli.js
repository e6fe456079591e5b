/* Seal one profile with sealing.js, for tests/test_widget_sealing.py.
 *
 *   echo '{"public_key": "...", "tenant_id": 3, "client_key": "...", "profile": {...}}' \
 *     | node plugins/widget/test/seal-cli.js        # prints {"field": "blob", ...}
 *
 * `node --test plugins/widget/test/` runs every .js file under test/, this one
 * included; there it checks itself (sample in, JSON out) instead of waiting
 * for input that never comes.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SOURCE = path.join(__dirname, "..", "src", "sealing.js");
vm.runInThisContext(fs.readFileSync(SOURCE, "utf8"), { filename: SOURCE });
const S = globalThis.HushbookSealing;

function seal(input) {
  return S.sealProfile(input.public_key, input.tenant_id, input.client_key, input.profile);
}

if (process.env.NODE_TEST_CONTEXT) {
  const test = require("node:test");
  const assert = require("node:assert/strict");
  const { spawnSync } = require("node:child_process");
  test("seal-cli: JSON in, sealed profile out", async () => {
    const vectors = require("../../../tests/vectors/sealing.json");
    const input = { public_key: vectors.recipient.public_key, tenant_id: 3, client_key: S.newClientKey(), profile: { name: "Zoë", notes: "" } };
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const run = spawnSync(process.execPath, [__filename], { input: JSON.stringify(input), env, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const sealed = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(sealed), ["name", "notes"]);
    const opened = await S.open(S.b64d(vectors.recipient.seed), S.b64d(sealed.name), S.PURPOSE_FIELD, S.aad(3, "client", input.client_key, "name"));
    assert.equal(new TextDecoder().decode(opened), "Zoë");
    const bad = spawnSync(process.execPath, [__filename], { input: "{}", env, encoding: "utf8" });
    assert.notEqual(bad.status, 0); // bad input: non-zero exit, message on stderr
  });
} else {
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", async () => {
    try {
      const sealed = await seal(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      process.stdout.write(JSON.stringify(sealed) + "\n");
    } catch (error) {
      process.stderr.write(`seal-cli: ${error.name}: ${error.message}\n`);
      process.exitCode = 1;
    }
  });
}
