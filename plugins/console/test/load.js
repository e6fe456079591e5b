/* Loads the console's vault the way the console page does: three classic
 * scripts, in order, into this realm (no modules). Used by the tests and the
 * CLI; `node --test` runs this file too, where it checks the globals exist. */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const ROOT = path.join(__dirname, "..", "..", "..");
const SCRIPTS = [
  "plugins/console/vendor/noble-hashes-2.4.0/scrypt.js",
  "plugins/widget/src/sealing.js",
  "plugins/console/src/vault.js"
];

if (!globalThis.HushbookVault) {
  for (const file of SCRIPTS) {
    const source = path.join(ROOT, file);
    vm.runInThisContext(fs.readFileSync(source, "utf8"), { filename: source });
  }
}

function vectors() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "vectors", "console.json"), "utf8"));
}

module.exports = { ROOT, SCRIPTS, H: globalThis.HushbookVault, S: globalThis.HushbookSealing, vectors };

if (require.main === module && process.env.NODE_TEST_CONTEXT) {
  const test = require("node:test");
  const assert = require("node:assert/strict");
  test("load: the three scripts define their globals", () => {
    assert.equal(typeof globalThis.NobleHashesScrypt.scryptAsync, "function");
    assert.equal(typeof globalThis.HushbookSealing.sealProfile, "function");
    assert.equal(typeof globalThis.HushbookVault.create, "function");
  });
}
