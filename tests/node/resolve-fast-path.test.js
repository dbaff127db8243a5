"use strict";
// The fast path of resolveCredentials (pkg/index.cjs: the resolution comes
// back packed and is rebuilt by `unpackResolution`) answers exactly what the
// generic path (JSON text and JSON.parse) answers: the same fields, values
// and key order, the same errors, on every generation of nx.json.
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { it } = require("node:test");

const { resolveCredentials } = require("./load.js");

const ROOT = path.join(__dirname, "..", "..");

/** The same input, but not a plain object: the wrapper takes the generic path. */
function generic(input) {
  return Object.assign(Object.create({ inherited: true }), input);
}

/** Key order too, recursively (deepEqual ignores it). */
function shape(value) {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === "object") return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  return value;
}

function assertSame(input, what) {
  let exact;
  let exactError;
  try {
    exact = resolveCredentials(generic(input));
  } catch (e) {
    exactError = e;
  }
  if (exactError !== undefined) {
    assert.throws(() => resolveCredentials(input), (e) => {
      assert.equal(e.code, exactError.code, what);
      assert.equal(e.message, exactError.message, what);
      assert.equal(e.line, exactError.line, what);
      assert.equal(e.column, exactError.column, what);
      return true;
    });
    return;
  }
  const fast = resolveCredentials(input);
  assert.deepStrictEqual(shape(fast), shape(exact), what);
  assert.deepStrictEqual(fast, exact, what);
}

const NX_JSONS = [
  null,
  "{}",
  '{ "nxCloudAccessToken": "abc123abc123abc123", "nxCloudUrl": "https://cloud.example" }',
  '{ "nxCloudId": "65d5639f1a3b026e4f1c2a77" }',
  '{ "neverConnectToCloud": true, "nxCloudId": "65d5639f1a3b026e4f1c2a77" }',
  `{ // legacy
    "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud", "options": { "accessToken": "NmY4ZTk4ZjUtZjVkNi00YjU3LWFmYzMtYjZkNDMxMzFhNmU1fHJlYWQtd3JpdGU=", "url": "https://eu.nx.app", }, }, },
  }`,
  '{ "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": {} }, "ci": { "runner": "custom" } }, "nxCloudAccessToken": 42 }',
  '{ "tasksRunnerOptions": [], "nxCloudAccessToken": ["a", null] }',
  "[1, 2]",
  "{ broken",
  "",
  ...["samples/legacy-committed-token", "samples/env-override", "samples/cloud-id-with-pat", "samples/broken-nx-json"].map((dir) =>
    fs.readFileSync(path.join(ROOT, dir, "nx.json"), "utf8")),
  ...["small", "typical"].map((name) => fs.readFileSync(path.join(ROOT, "bench", "fixtures", `${name}.nx.json`), "utf8")),
];

const ENVS = [
  {},
  { NX_CLOUD_ACCESS_TOKEN: "ZW52LXRva2VuLWZyb20tdGhlLWNpLXNlY3JldC1zdG9yZQ==", CI: "true" },
  { NX_CLOUD_AUTH_TOKEN: "legacy-auth-token-value", NX_NO_CLOUD: "true", NX_CLOUD_API: "https://api.example" },
  // The packed form's separators inside values: the wrapper falls back to
  // the JSON path, with the same answer.
  { NX_CLOUD_ACCESS_TOKEN: "with\u0001separator\u0002characters" },
  { NX_CLOUD_ACCESS_TOKEN: "ünïcödé-✓-token-🚀" },
];

const VERSIONS = [undefined, "16.10.0", "17.2.0", "19.6.0", "20.0.0", "22.6.0", "24.0.6"];

it("answers what the generic path answers, on every nx.json generation, environment and version", () => {
  let n = 0;
  for (const nxJson of NX_JSONS) {
    for (const env of ENVS) {
      for (const nxVersion of VERSIONS) {
        const input = { nxVersion, nxJson, env, nxCloudEnv: "NX_CLOUD_ACCESS_TOKEN=from-the-env-file\n" };
        assertSame(input, JSON.stringify({ nxVersion, nxJson: nxJson?.slice(0, 60), env: Object.keys(env) }));
        n++;
      }
    }
  }
  assert.ok(n > 300);
});

it("answers what the generic path answers for a PAT file, dot-env files, tracked files and a runner", () => {
  const input = {
    nxVersion: "24.0.6",
    nxJson: '{ "nxCloudId": "65d5639f1a3b026e4f1c2a77" }',
    env: {},
    dotEnvFiles: { ".env": "NX_CLOUD_ACCESS_TOKEN=committed-in-dot-env-0123456789\n", ".env.local": "X=1\n" },
    trackedFiles: [".env", "nx.json"],
    nxcloudIni: { path: "/home/dev/.nxcloud.ini", text: "[https://cloud.nx.app]\npersonalAccessToken=pat-from-ini-0123456789\n" },
    runner: "default",
  };
  assertSame(input, "full input");
  assertSame({ ...input, nxJson: undefined }, "without nx.json");
});

it("throws what the generic path throws", () => {
  for (const input of [
    { nxJson: 42 },
    { nxJson: "{ broken" },
    { nxVersion: "not-a-version", nxJson: "{}" },
    { nxVersion: "15.9.0", nxJson: "{}" },
    { unknownField: true },
    { env: { A: 1 } },
    { nxJson: "\ud800 lone surrogate" },
  ]) {
    assert.throws(() => resolveCredentials(generic(input)), "the generic path throws");
    assertSame(input, JSON.stringify(input));
  }
});

it("answers what the generic path answers where the DB cache sends and where nx stops", () => {
  const cases = [
    // DBC-1: a custom runner, the DB cache sends the env token and the id.
    { nxVersion: "20.0.6", env: { NX_CLOUD_ACCESS_TOKEN: "ZW52LXRva2VuLWZyb20tdGhlLWNpLXNlY3JldC1zdG9yZQ==" },
      nxJson: '{ "nxCloudId": "65d5639f1a3b026e4f1c2a77", "tasksRunnerOptions": { "default": { "runner": "./custom.js" } } }' },
    // DBC-3: the downloaded client chooses.
    { nxVersion: "22.6.0", nxJson: '{ "nxCloudAccessToken": "top-token-000001", "nxCloudUrl": "https://top.example" }' },
    // DBC-2: the tasks run, then nx fails.
    { nxVersion: "20.0.1", nxJson: '{ "neverConnectToCloud": true }' },
    // INP-4: nx stops at start-up.
    { nxVersion: "24.0.6", nxJson: '{ "nxCloudAccessToken": 12345 }' },
    // LEG-1: the runner module is not installed.
    { nxVersion: "16.10.0", nxJson: '{ "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "accessToken": "t" } } } }' },
  ];
  const seen = new Set();
  for (const input of cases) {
    assertSame(input, JSON.stringify(input));
    const r = resolveCredentials(input);
    if (r.cache?.accessToken) seen.add("cache token");
    if (r.cache?.nxCloudId) seen.add("cache id");
    if (r.cache?.rule === "DBC-3") seen.add("DBC-3");
    if (r.stops) seen.add(`stops ${r.stops.when} ${r.stops.exitStatus} ${r.stops.rule}`);
  }
  assert.deepStrictEqual([...seen].sort(), [
    "DBC-3",
    "cache id",
    "cache token",
    "stops running 1 DBC-2",
    "stops start-up 1 INP-4",
    "stops start-up 1 LEG-1",
  ]);
});

it("answers what the generic path answers for the self-hosted remote cache (SHC-1..6)", () => {
  const server = "http://cache:4599/ws/65d5639f1a3b026e4f1c2a77";
  const token = "c2hjLXRva2VuLWZyb20tdGhlLXBsdWdpbi0wMTIzNDU2Nzg5";
  const cases = [
    // SHC-3: used, token from the environment, a /ws/<id> URL.
    { nxVersion: "20.8.0", nxJson: "{}", env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token } },
    // SHC-2: an empty token; SHC-1: no /ws/ in the URL.
    { nxVersion: "22.7.0", env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: "http://cache:4599", NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: "" } },
    // SHC-1/2 from .env, no token.
    { nxVersion: "24.0.6", dotEnvFiles: { ".env": `NX_SELF_HOSTED_REMOTE_CACHE_SERVER=${server}\n` } },
    // SHC-4/5: Nx Cloud first, with the fallback.
    { nxVersion: "24.0.6", nxJson: '{ "nxCloudId": "65d5639f1a3b026e4f1c2a77" }', env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token } },
    // SHC-6: the remote cache skipped.
    { nxVersion: "21.4.0", env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server, NX_SKIP_REMOTE_CACHE: "true" } },
    // Before 20.8.0: no self-hosted cache, a finding.
    { nxVersion: "20.7.2", env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server } },
  ];
  const seen = new Set();
  for (const input of cases) {
    assertSame(input, JSON.stringify(input));
    const r = resolveCredentials(input);
    const shc = r.selfHostedCache;
    if (shc === null) seen.add("none");
    else {
      seen.add(`${shc.rule} ${shc.used ? "used" : "not used"} ${shc.credential}${shc.fallback ? " fallback" : ""}${shc.nxCloudId ? " ws" : ""}`);
      assert.ok(shc.requestUrl.endsWith("/v1/cache/<hash>"), shc.requestUrl);
    }
  }
  assert.deepStrictEqual([...seen].sort(), [
    "SHC-3 used bearer-token ws",
    "SHC-3 used empty-bearer",
    "SHC-3 used none ws",
    "SHC-4 not used bearer-token fallback ws",
    "SHC-6 not used none ws",
    "none",
  ]);
});
