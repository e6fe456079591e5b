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
 * The administration steps, in this order, each optional:
 *
 *   "enrol": {"log_n": 16}   enrol with "passphrase" instead of unlocking; prints
 *                            "enrolled": the PUT /v1/vault/member body (then the
 *                            session goes on as the service would answer it)
 *   "setup": true            prints "setup": the POST /v1/vault/setup body (and
 *                            goes on with the new key)
 *   "rows", "seal"           as above
 *   "grant": [member rows]   prints "granted": [PUT /v1/vault/grants/{id} body | {"error"}]
 *   "rotate": {"clients": [rows], "members": [rows]}
 *                            prints "rotation": the POST /v1/vault/rotate body and
 *                            "rotation_progress": the last (done, total) reported
 *
 * `node --test plugins/console/test/` runs every .js file under test/, this
 * one included; there it checks itself instead of waiting for input.
 */
"use strict";

const { H } = require("./load.js");

function described(error) {
  return { error: `${error.name}: ${error.message}` };
}

function expected(error) {
  return error instanceof H.SealError || error instanceof H.VaultLocked;
}

async function session(input) {
  if (input === null || typeof input !== "object" || !input.state) throw new TypeError("input needs a state");
  const vault = H.create();
  const out = {};
  let state = input.state;
  if (input.enrol) {
    const body = await vault.enrol(state, input.passphrase, { logN: input.enrol.log_n });
    out.enrolled = body;
    // What the service answers after PUT /v1/vault/member: the key stored, grants dropped.
    state = { ...state, member: body, grant: null };
    if (!(await vault.adopt(state))) throw new Error("the enrolled key was not adopted");
  } else {
    const options = input.min_log_n === undefined ? undefined : { minLogN: input.min_log_n };
    try {
      await vault.unlock(state, input.passphrase, options);
    } catch (error) {
      if (expected(error)) return described(error);
      throw error;
    }
  }
  if (input.setup) {
    const body = await vault.setupBody();
    out.setup = body;
    state = { ...state, public_key: body.public_key, key_version: 1,
      grant: { staff_id: state.staff_id, key_version: 1, sealed_tenant_key: body.owner_grant } };
    if (!(await vault.adopt(state))) throw new Error("the new business key was not adopted");
  }
  out.can_read = vault.canRead;
  out.opened = [];
  for (const row of input.rows || []) {
    try {
      out.opened.push(await vault.openClient(row));
    } catch (error) {
      if (!expected(error)) throw error;
      out.opened.push(described(error));
    }
  }
  out.sealed = [];
  for (const job of input.seal || []) {
    const opts = job.client_key === undefined ? undefined : { clientKey: job.client_key };
    out.sealed.push(await vault.sealProfile(job.profile, opts));
  }
  if (input.grant) {
    out.granted = [];
    for (const row of input.grant) {
      try {
        out.granted.push(await vault.grantFor(row));
      } catch (error) {
        if (!(expected(error) || error instanceof RangeError)) throw error;
        out.granted.push(described(error));
      }
    }
  }
  if (input.rotate) {
    out.rotation = await vault.rotateBody(input.rotate.clients, input.rotate.members, {
      onProgress: (done, total) => { out.rotation_progress = [done, total]; }
    });
  }
  vault.lock();
  return out;
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
      // Enrol and set up in one session, then grant (to someone without a key) and rotate.
      const fresh = { tenant_id: 8, staff_id: 3, public_key: null, key_version: 0, member: null, grant: null };
      const admin = spawnSync(process.execPath, [__filename], {
        input: JSON.stringify({
          state: fresh, passphrase: "cli passphrase", enrol: { log_n: 16 }, setup: true,
          grant: [{ staff_id: 4, public_key: null }], rotate: { clients: [], members: [] }
        }), env, encoding: "utf8"
      });
      assert.equal(admin.status, 0, admin.stderr);
      const made = JSON.parse(admin.stdout);
      assert.equal(made.enrolled.wrapped_private_key.log_n, 16);
      assert.deepEqual(Object.keys(made.setup), ["public_key", "owner_grant"]);
      assert.equal(made.can_read, true);
      assert.deepEqual(made.granted, [{ error: "RangeError: that member has not enrolled a key yet" }]);
      assert.deepEqual(made.rotation.grants.map((g) => g.staff_id), [3]);
      assert.equal(made.rotation.key_version, 2);
      assert.deepEqual(made.rotation_progress, [0, 0]);
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
