// The ES module entry: the same engine as the CommonJS one.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { it } from "node:test";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const { PKG_DIR } = require("./load.js");
const cjs = require(PKG_DIR);
const esm = await import(pathToFileURL(path.join(PKG_DIR, "index.mjs")).href);

it("exports resolveCredentials, AccessControl and isNxCloudAccessError, the very objects require gives", () => {
  assert.deepEqual(Object.keys(esm).sort(), ["AccessControl", "default", "isNxCloudAccessError", "resolveCredentials"]);
  assert.equal(esm.resolveCredentials, cjs.resolveCredentials);
  assert.equal(esm.AccessControl, cjs.AccessControl);
  assert.equal(esm.isNxCloudAccessError, cjs.isNxCloudAccessError);
});

it("has a default export: the object of all the named exports", () => {
  const named = Object.keys(esm).filter((k) => k !== "default").sort();
  assert.deepEqual(Object.keys(esm.default).sort(), named);
  for (const k of named) assert.equal(esm.default[k], esm[k], k);
});

it("works through import", () => {
  const r = esm.resolveCredentials({ nxVersion: "17.2.0", nxJson: '{"nxCloudAccessToken":"abc"}' });
  assert.equal(r.accessToken.source, "nx.json:nxCloudAccessToken");
  const ac = new esm.AccessControl();
  ac.createUser({ id: "ann", email: "ann@example.com" });
  assert.equal(JSON.parse(JSON.stringify(ac)).version, ac.toJSON().version);
});

it("mints tokens where the global Web Crypto is missing (Node 18 without flags)", async () => {
  const { execFileSync } = await import("node:child_process");
  const script = `
    delete globalThis.crypto;
    const { AccessControl } = require(${JSON.stringify(PKG_DIR)});
    const ac = new AccessControl();
    ac.createUser({ id: "ann", email: "ann@example.com" });
    process.stdout.write(ac.createPersonalAccessToken({ user: "ann", name: "t" }).token);
  `;
  const token = execFileSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.match(token, /^nxpat_[A-Za-z0-9_-]{43}$/);
});
