/* One console session with vault.js, for tests/test_console_crypto.py:
 *
 *   echo '{"state": {GET /v1/vault}, "passphrase": "...", "min_log_n": 10,
 *          "rows": [client rows], "seal": [{"profile": {...}, "client_key": "..."?}]}' \
 *     | node plugins/console/test/vault-cli.js
 *
 * prints {"can_read": bool, "opened": [profile | {"error": "Name: message"}],
 * "sealed": [{client_key, sealed_profile, key_version}]}. An unlock failure
 * prints {"error": "Name: message"} (exit 0: the caller checks it); bad input
 * exits non-zero with the message on stderr.
 *
 * `node --test plugins/console/test/` runs every .js file under test/, this
 * one included; there it checks itself instead of waiting for input.
 */
"use strict";

const { H } = require("./load.js");

function described(error) {
  return { error: `${error.name}: ${error.message}` };
}

async function session(input) {
  if (input === null || typeof input !== "object" || !input.state) throw new TypeError("input needs a state");
  const vault = H.create();
  const options = input.min_log_n === undefined ? undefined : { minLogN: input.min_log_n };
  let canRead;
  try {
    canRead = await vault.unlock(input.state, input.passphrase, options);
  } catch (error) {
    if (error instanceof H.SealError || error instanceof H.VaultLocked) return described(error);
    throw error;
  }
  const opened = [];
  for (const row of input.rows || []) {
    try {
      opened.push(await vault.openClient(row));
    } catch (error) {
      if (!(error instanceof H.SealError || error instanceof H.VaultLocked)) throw error;
      opened.push(described(error));
    }
  }
  const sealed = [];
  for (const job of input.seal || []) {
    const opts = job.client_key === undefined ? undefined : { clientKey: job.client_key };
    sealed.push(await vault.sealProfile(job.profile, opts));
  }
  vault.lock();
  return { can_read: canRead, opened, sealed };
}

if (process.env.NODE_TEST_CONTEXT) {
  if (require.main === module) {
    const test = require("node:test");
    const assert = require("node:assert/strict");
    const { spawnSync } = require("node:child_process");
    const { vectors } = require("./load.js");
    test("vault-cli: JSON in, opened and sealed profiles out", () => {
      const V = vectors();
      const member = V.members.find((m) => m.min_log_n < H.MIN_LOG_N);
      const input = {
        state: member.state, passphrase: member.passphrase, min_log_n: member.min_log_n,
        rows: [V.clients[0].row, V.profile_must_fail[0].row], seal: [{ profile: { name: "Zoë" } }]
      };
      const env = { ...process.env };
      delete env.NODE_TEST_CONTEXT;
      const run = spawnSync(process.execPath, [__filename], { input: JSON.stringify(input), env, encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout);
      assert.equal(out.can_read, true);
      assert.deepEqual(out.opened[0], V.clients[0].profile);
      assert.deepEqual(out.opened[1], { error: "SealError: " + V.profile_must_fail[0].error });
      assert.deepEqual(Object.keys(out.sealed[0]).sort(), ["client_key", "key_version", "sealed_profile"]);
      const wrong = spawnSync(process.execPath, [__filename], { input: JSON.stringify({ ...input, passphrase: "nope" }), env, encoding: "utf8" });
      assert.equal(wrong.status, 0, wrong.stderr);
      assert.deepEqual(JSON.parse(wrong.stdout), { error: "SealError: cannot unwrap: wrong passphrase, other member, or tampered" });
      const bad = spawnSync(process.execPath, [__filename], { input: "{}", env, encoding: "utf8" });
      assert.notEqual(bad.status, 0); // bad input: non-zero exit, message on stderr
    });
  }
} else if (require.main === module) {
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", async () => {
    try {
      const out = await session(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      process.stdout.write(JSON.stringify(out) + "\n");
    } catch (error) {
      process.stderr.write(`vault-cli: ${error.name}: ${error.message}\n`);
      process.exitCode = 1;
    }
  });
}
