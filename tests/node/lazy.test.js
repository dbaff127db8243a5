"use strict";
// The two engines load on first use (pkg/engine.cjs): `require` and
// `import` load no .wasm, resolving loads only the engine `resolve`,
// AccessControl only the engine `access`; and the stand-in AccessControl
// behaves like the engine's class. Each case runs in a fresh Node process
// (this file's own process has loaded both engines).
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const { it } = require("node:test");
const { pathToFileURL } = require("node:url");

const { PKG_DIR, AccessControl, isNxCloudAccessError, resolveCredentials } = require("./load.js");

const SAMPLE = path.join(__dirname, "..", "..", "samples", "cloud-id-with-pat");

/**
 * Runs `body` in a fresh Node process after a hook that records every
 * `.wasm` file read and every module of the package's wasm/ folder loaded;
 * `body` calls `seen()` for the files loaded so far (sorted base names).
 * Answers what `body` wrote with `report(value)`.
 */
function fresh(body, { esm = false } = {}) {
  const hook = `
    const fs = require("node:fs");
    const path = require("node:path");
    const Module = require("node:module");
    const files = new Set();
    const read = fs.readFileSync;
    fs.readFileSync = function (file, ...rest) {
      if (String(file).endsWith(".wasm")) files.add(path.basename(String(file)));
      return read.call(this, file, ...rest);
    };
    const load = Module._load;
    Module._load = function (request, parent, ...rest) {
      const out = load.call(this, request, parent, ...rest);
      const resolved = Module._resolveFilename(request, parent);
      if (resolved.includes(path.sep + "wasm" + path.sep)) files.add(path.basename(resolved));
      return out;
    };
    globalThis.seen = () => [...files].sort();
    globalThis.report = (value) => process.stdout.write(JSON.stringify(value));
  `;
  const args = esm
    ? ["--input-type=module", "-e", `import { createRequire } from "node:module"; const require = createRequire(${JSON.stringify(__filename)}); ${hook} ${body}`]
    : ["-e", `${hook} ${body}`];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8" }));
}

const PKG = JSON.stringify(PKG_DIR);

it("loads no engine at require, the engine `resolve` on the first resolveCredentials, and only it", () => {
  const out = fresh(`
    const { resolveCredentials, AccessControl, isNxCloudAccessError } = require(${PKG});
    const atRequire = seen();
    const typeofStandIn = typeof AccessControl;
    const afterTypeof = seen();
    const r = resolveCredentials({ nxVersion: "17.2.0", nxJson: '{"nxCloudAccessToken":"abc"}' });
    report({ atRequire, typeofStandIn, afterTypeof, afterResolve: seen(), source: r.accessToken.source });
  `);
  assert.deepEqual(out.atRequire, []);
  assert.equal(out.typeofStandIn, "function");
  assert.deepEqual(out.afterTypeof, []);
  assert.deepEqual(out.afterResolve, ["resolve.js", "resolve_bg.wasm"]);
  assert.equal(out.source, "nx.json:nxCloudAccessToken");
});

it("loads only the engine `access` for AccessControl, on its first use", () => {
  const out = fresh(`
    const { AccessControl } = require(${PKG});
    const atRequire = seen();
    const ac = new AccessControl();
    ac.createUser({ id: "ann", email: "ann@example.com" });
    report({ atRequire, afterUse: seen() });
  `);
  assert.deepEqual(out.atRequire, []);
  assert.deepEqual(out.afterUse, ["access.js", "access_bg.wasm"]);
});

it("loads the engine `access` for a static first (fromJSON), and decides with it", () => {
  const ac = new AccessControl();
  ac.createUser({ id: "ann", email: "ann@example.com" });
  ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
  const out = fresh(`
    const { AccessControl } = require(${PKG});
    const restored = AccessControl.fromJSON(${JSON.stringify(JSON.stringify(ac))});
    const d = restored.authorizeWeb({ user: "ann", organization: "acme", action: "manage-members" });
    report({ loaded: seen(), allowed: d.allowed, instance: restored instanceof AccessControl });
  `);
  assert.deepEqual(out, { loaded: ["access.js", "access_bg.wasm"], allowed: true, instance: true });
});

it("loads no engine at import; nxcloud-access/node loads only `resolve`", () => {
  const out = fresh(`
    const esm = await import(${JSON.stringify(pathToFileURL(path.join(PKG_DIR, "index.mjs")).href)});
    const node = await import(${JSON.stringify(pathToFileURL(path.join(PKG_DIR, "node.mjs")).href)});
    const atImport = seen();
    const same = esm.AccessControl === require(${PKG}).AccessControl && esm.default.AccessControl === esm.AccessControl;
    const r = node.resolveWorkspace(${JSON.stringify(SAMPLE)}, { env: { HOME: ${JSON.stringify(path.join(SAMPLE, "home"))} } });
    report({ atImport, same, afterWorkspace: seen(), credential: r.credential });
  `, { esm: true });
  assert.deepEqual(out.atImport, []);
  assert.equal(out.same, true);
  assert.deepEqual(out.afterWorkspace, ["resolve.js", "resolve_bg.wasm"]);
  assert.equal(out.credential, "personal-access-token");
});

it("answers any first operation on the stand-in by loading the engine, within the Proxy invariants", () => {
  const firsts = {
    instanceof: "({}) instanceof AccessControl",
    descriptor: "Object.getOwnPropertyDescriptor(AccessControl, 'prototype').writable",
    keys: "Reflect.ownKeys(AccessControl).filter((k) => typeof k === 'string').sort().join()",
    freeze: "Object.isFrozen(Object.freeze(AccessControl)) && new AccessControl() instanceof AccessControl",
    define: "(Object.defineProperty(AccessControl, 'mine', { value: 1 }), Object.getOwnPropertyDescriptor(AccessControl, 'mine').configurable)",
    extends: "(class S extends AccessControl {}).fromJSON(new AccessControl().toJSON()) instanceof AccessControl",
  };
  for (const [name, expression] of Object.entries(firsts)) {
    const out = fresh(`
      const { AccessControl } = require(${PKG});
      report({ value: ${expression}, loaded: seen() });
    `);
    assert.deepEqual(out.loaded, ["access.js", "access_bg.wasm"], name);
    const expected = {
      instanceof: false,
      descriptor: false,
      keys: "__wrap,fromJSON,length,name,prototype",
      freeze: true,
      define: false,
      extends: true,
    }[name];
    assert.equal(out.value, expected, name);
  }
});

it("gives the stand-in AccessControl the class's face: new, statics, instanceof, constructor, name", () => {
  assert.equal(typeof AccessControl, "function");
  assert.equal(AccessControl.name, "AccessControl");
  assert.equal(AccessControl.length, 0);
  assert.equal(typeof AccessControl.fromJSON, "function");
  const ac = new AccessControl();
  assert.ok(ac instanceof AccessControl);
  assert.equal(Object.getPrototypeOf(ac), AccessControl.prototype);
  assert.equal(ac.constructor, AccessControl);
  assert.ok(!({} instanceof AccessControl));
  assert.throws(() => AccessControl(), TypeError);
  const own = Reflect.ownKeys(AccessControl);
  for (const key of ["length", "name", "prototype", "fromJSON"]) assert.ok(own.includes(key), key);
  assert.equal(Object.getOwnPropertyDescriptor(AccessControl, "prototype").writable, false);
});

it("round-trips toJSON and fromJSON through the stand-in, and keeps the state", () => {
  const ac = new AccessControl();
  ac.createUser({ id: "ann", email: "ann@example.com" });
  ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
  const { nxCloudId } = ac.createWorkspace({ organization: "acme", actor: "ann" });
  const { token } = ac.createCiAccessToken({ workspace: nxCloudId, actor: "ann", name: "ci", access: "read-only" });
  const restored = AccessControl.fromJSON(JSON.parse(JSON.stringify(ac)));
  assert.ok(restored instanceof AccessControl);
  assert.deepEqual(restored.toJSON(), ac.toJSON());
  const request = { nxCloudId, accessToken: token, action: "write-cache" };
  assert.deepEqual(restored.authorizeRunner(request), ac.authorizeRunner(request));
  assert.equal(restored.authorizeRunner({ nxCloudId, accessToken: token, action: "read-cache" }).allowed, true);
});

it("lets a subclass extend the stand-in", () => {
  class Audited extends AccessControl {
    who() {
      return "audited";
    }
  }
  const a = new Audited();
  assert.ok(a instanceof Audited);
  assert.ok(a instanceof AccessControl);
  assert.equal(a.who(), "audited");
  a.createUser({ id: "bob", email: "bob@example.com" });
  assert.equal(a.listPersonalAccessTokens({ user: "bob" }).length, 0);
});

it("throws coded errors from either engine that isNxCloudAccessError knows", () => {
  const fromAccess = (() => {
    try {
      AccessControl.fromJSON("{}");
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  const fromResolve = (() => {
    try {
      resolveCredentials({ nxJson: "{", nxVersion: "19.0.0" });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(fromAccess instanceof Error);
  assert.equal(fromAccess.code, "invalid-input");
  assert.ok(isNxCloudAccessError(fromAccess));
  assert.ok(fromResolve instanceof Error);
  assert.equal(fromResolve.code, "invalid-nx-json");
  assert.ok(isNxCloudAccessError(fromResolve));
  const ac = new AccessControl();
  assert.throws(() => ac.createOrganization({ id: "acme", name: "Acme", creator: "nobody" }), (e) => isNxCloudAccessError(e) && e.code === "not-found");
});
