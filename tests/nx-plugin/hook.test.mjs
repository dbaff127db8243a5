// The plugin's hook called directly, several runs in one process (as in the
// daemon's long-lived plugin worker), against pkg/ (after scripts/build-pkg)
// or NXCLOUD_PKG_DIR. The real-nx runs are in run.mjs.
//
// Usage: node --test tests/nx-plugin/hook.test.mjs

import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = process.env.NXCLOUD_PKG_DIR ?? path.join(here, "..", "..", "pkg");
const plugin = createRequire(import.meta.url)(path.join(pkg, "nx-plugin.cjs"));

const SERVER = "NX_SELF_HOSTED_REMOTE_CACHE_SERVER";
const TOKEN = "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN";
const PAT = "nxpat-0123456789abcdef0123456789";
const url = "http://cache.example:4599";
const options = { url, nxCloudId: "ws1" };

/** Runs the hook with HOME at a fresh folder; returns what it printed. */
async function hook(opts = options) {
  const printed = [];
  const error = console.error;
  console.error = (...args) => printed.push(args.join(" "));
  try {
    await plugin.preTasksExecution(opts, {});
  } finally {
    console.error = error;
  }
  return printed;
}

test("the hook sets, keeps the user's values, and never leaves a stale value of its own", async () => {
  const saved = { ...process.env };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "nx-plugin-hook-"));
  try {
    for (const key of [SERVER, TOKEN, "XDG_CONFIG_HOME"]) delete process.env[key];
    process.env.HOME = home;
    const ini = path.join(home, ".nxcloud.ini");
    fs.writeFileSync(ini, `[http://cache\\.example:4599]\npersonalAccessToken=${PAT}\n`);

    assert.deepEqual(await hook(), []);
    assert.equal(process.env[SERVER], `${url}/ws/ws1`);
    assert.equal(process.env[TOKEN], PAT);

    // The user exports their own token: it stays, the server stays the plugin's.
    process.env[TOKEN] = "users-own-token";
    assert.deepEqual(await hook(), []);
    assert.equal(process.env[TOKEN], "users-own-token");

    // The user unsets it again: the PAT comes back.
    delete process.env[TOKEN];
    await hook();
    assert.equal(process.env[TOKEN], PAT);

    // The PAT leaves the file: the plugin's own (now stale) token goes too.
    fs.writeFileSync(ini, "[https://cloud\\.nx\\.app]\npersonalAccessToken=other\n");
    assert.deepEqual(await hook(), []);
    assert.equal(process.env[TOKEN], undefined);
    assert.equal(process.env[SERVER], `${url}/ws/ws1`);

    // A malformed file: one line, with the file, line and column, no token.
    fs.writeFileSync(ini, `[http://cache\\.example:4599]\npersonalAccessToken=${PAT}\n[broken`);
    const printed = await hook();
    assert.equal(printed.length, 1);
    assert.match(printed[0], /^nxcloud-access\/nx-plugin: error\[pat-file-invalid\]: .*\.nxcloud\.ini:3:\d+: /);
    assert.ok(!printed[0].includes(PAT));

    // Invalid options: one line, and the plugin's own server is unset.
    const bad = await hook({ url: "ftp://x" });
    assert.equal(bad.length, 1);
    assert.match(bad[0], /error\[invalid-options\]: `url` is `ftp:\/\/x`.*`nxCloudId` is missing/);
    assert.equal(process.env[SERVER], undefined);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    fs.rmSync(home, { recursive: true, force: true });
  }
});
