"use strict";
// The package takes what Nx gives it (issue 12, item 5): `process.env` as it
// is, the parsed nx.json object of a plugin's context, no nxVersion (an info
// finding names the version assumed), tracked file names as git or a
// Windows shell writes them; and its errors are typed and guarded.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");

const { resolveCredentials, isNxCloudAccessError, AccessControl } = require("./load.js");

const READ_WRITE = "NmY4ZTk4ZjUtZjVkNi00YjU3LWFmYzMtYjZkNDMxMzFhNmU1fHJlYWQtd3JpdGU=";
const NX_CLOUD_ID = "65d5639f1a3b026e4f1c2a77";

/** The same input, but not a plain object: the wrapper takes the generic path. */
function generic(input) {
  return Object.assign(Object.create({ inherited: true }), input);
}

/** Both paths of resolveCredentials, held equal; the answer. */
function resolveBoth(input) {
  const fast = resolveCredentials(input);
  assert.deepStrictEqual(resolveCredentials(generic(input)), fast);
  return fast;
}

function refusal(input) {
  try {
    resolveCredentials(input);
  } catch (e) {
    return e;
  }
  assert.fail(`no error for ${JSON.stringify(input)}`);
}

describe("env as process.env hands it over", () => {
  it("an undefined value is an unset variable, on both paths", () => {
    const env = { NX_CLOUD_AUTH_TOKEN: undefined, NX_CLOUD_ACCESS_TOKEN: READ_WRITE, HOME: "/h" };
    const r = resolveBoth({ nxVersion: "19.6.7", nxJson: null, env });
    const without = resolveBoth({ nxVersion: "19.6.7", nxJson: null, env: { NX_CLOUD_ACCESS_TOKEN: READ_WRITE, HOME: "/h" } });
    assert.deepStrictEqual(r, without);
    assert.equal(r.accessToken.source, "env:NX_CLOUD_ACCESS_TOKEN");
  });

  it("process.env itself is accepted", () => {
    const r = resolveBoth({ nxVersion: "19.6.7", nxJson: "{}", env: process.env });
    assert.equal(typeof r.nxCloudUsed, "boolean");
  });
});

describe("nxJson as the parsed object", () => {
  const objects = [
    {},
    { nxCloudAccessToken: READ_WRITE, nxCloudUrl: "https://cloud.example" },
    { nxCloudId: NX_CLOUD_ID },
    { tasksRunnerOptions: { default: { runner: "nx-cloud", options: { accessToken: READ_WRITE } } } },
    { nxCloudAccessToken: 42, neverConnectToCloud: true },
  ];

  it("resolves as its JSON.stringify text, on both paths and every version", () => {
    for (const nxJson of objects) {
      for (const nxVersion of [undefined, "16.10.0", "19.6.7", "24.0.6"]) {
        const input = { nxVersion, nxJson, env: { NX_CLOUD_ACCESS_TOKEN: undefined } };
        assert.deepStrictEqual(resolveBoth(input), resolveBoth({ ...input, nxJson: JSON.stringify(nxJson) }), JSON.stringify(nxJson));
      }
    }
  });

  it("does not change the caller's input", () => {
    const input = { nxVersion: "19.6.7", nxJson: { nxCloudId: NX_CLOUD_ID } };
    resolveCredentials(input);
    assert.deepStrictEqual(input, { nxVersion: "19.6.7", nxJson: { nxCloudId: NX_CLOUD_ID } });
  });

  it("an object JSON cannot hold is invalid-input; errors of an object have no line or column", () => {
    const cyclic = {};
    cyclic.self = cyclic;
    for (const nxJson of [cyclic, { n: 10n }, { toJSON: () => undefined }]) {
      const e = refusal({ nxJson });
      assert.ok(isNxCloudAccessError(e), e.message);
      assert.equal(e.code, "invalid-input", e.message);
      assert.match(e.message, /nxJson/);
      assert.equal(e.line, undefined);
    }
    const e = refusal({ nxJson: { a: 1 }, nxVersion: "nineteen" });
    assert.equal(e.code, "invalid-nx-version");
    const deep = refusal({ nxJson: { tasksRunnerOptions: JSON.parse(`${"[".repeat(200)}${"]".repeat(200)}`) }, nxVersion: "19.6.7" });
    assert.equal(deep.code, "invalid-nx-json");
    assert.equal(deep.line, undefined);
    assert.equal(deep.column, undefined);
  });
});

describe("a missing nxVersion", () => {
  it("is an info finding naming the version assumed, absent when a version is given", () => {
    const r = resolveBoth({ nxJson: "{}" });
    const f = r.findings.filter((x) => x.code === "nx-version-assumed");
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, "info");
    assert.ok(f[0].message.includes(r.nxVersion), f[0].message);
    const given = resolveBoth({ nxJson: "{}", nxVersion: r.nxVersion });
    assert.ok(given.findings.every((x) => x.code !== "nx-version-assumed"));
  });
});

describe("trackedFiles", () => {
  const input = {
    nxVersion: "19.6.7",
    nxJson: "{}",
    dotEnvFiles: { ".env": `NX_CLOUD_ACCESS_TOKEN=${READ_WRITE}\n` },
  };

  it("./.env and .\\.env are .env: the committed token is reported", () => {
    const tracked = resolveBoth({ ...input, trackedFiles: [".env"] });
    assert.ok(tracked.findings.some((f) => f.code === "committed-read-write-token"));
    for (const name of ["./.env", ".\\.env", "././.env"]) {
      assert.deepStrictEqual(resolveBoth({ ...input, trackedFiles: [name] }), tracked, name);
    }
  });

  it("a name that is not a root file of TOKF-2 is invalid-input, naming it and what is accepted", () => {
    for (const name of ["apps/a/.env", "package.json", "", "/abs/.env"]) {
      const e = refusal({ ...input, trackedFiles: ["nx.json", name] });
      assert.equal(e.code, "invalid-input");
      assert.ok(e.message.includes(JSON.stringify(name)), e.message);
      assert.match(e.message, /`nx-cloud\.env`/);
      assert.deepStrictEqual(refusal(generic({ ...input, trackedFiles: [name] })).message, e.message);
    }
  });
});

describe("isNxCloudAccessError", () => {
  it("is true for every error the package throws, false for anything else", () => {
    assert.equal(isNxCloudAccessError(refusal({ nxJson: "{ broken" })), true);
    assert.equal(isNxCloudAccessError(refusal({ unknownField: 1 })), true);
    const ac = new AccessControl();
    let thrown;
    try {
      ac.join({ user: "nobody", organization: "none" });
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof Error);
    assert.equal(isNxCloudAccessError(thrown), true, thrown.code);
    for (const other of [new Error("x"), Object.assign(new Error("x"), { code: "ENOENT" }), { code: "invalid-input" }, null, undefined, "invalid-input"]) {
      assert.equal(isNxCloudAccessError(other), false, String(other));
    }
  });
});
