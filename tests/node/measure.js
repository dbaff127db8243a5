"use strict";
// Figures of the npm package (not a test: it asserts nothing, it prints):
// the .wasm size, raw and gzipped; the time from `require` to the first
// result in a fresh Node process (median of 15 processes); and the cost of
// one call in a warm process. Usage: node tests/node/measure.js
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const { PKG_DIR } = require("./load.js");

const wasm = fs.readFileSync(path.join(PKG_DIR, "wasm", "nxcloud_access_bg.wasm"));
const gzipped = zlib.gzipSync(wasm, { level: 9 }).length;
console.log(`wasm size: ${wasm.length} bytes (${(wasm.length / 1024).toFixed(1)} KiB), ${gzipped} bytes gzipped (${(gzipped / 1024).toFixed(1)} KiB)`);

const NX_JSON = JSON.stringify({
  tasksRunnerOptions: {
    default: { runner: "nx-cloud", options: { accessToken: "N2ExZTRiMmMtNWQzZi00ZTZhLThiOWMtMGQxZTJmM2E0YjVjfHJlYWQtb25seQ" } },
  },
});
const COLD = `
  const start = process.hrtime.bigint();
  const { resolveCredentials } = require(${JSON.stringify(PKG_DIR)});
  const loaded = process.hrtime.bigint();
  resolveCredentials({ nxVersion: "19.8.0", nxJson: ${JSON.stringify(NX_JSON)} });
  const done = process.hrtime.bigint();
  process.stdout.write(JSON.stringify([Number(loaded - start) / 1e6, Number(done - start) / 1e6]));
`;
const runs = Array.from({ length: 15 }, () => JSON.parse(execFileSync(process.execPath, ["-e", COLD], { encoding: "utf8" })));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `fresh process: require ${median(runs.map((r) => r[0])).toFixed(2)} ms, require to first result ${median(runs.map((r) => r[1])).toFixed(2)} ms (median of ${runs.length})`,
);

const { resolveCredentials, AccessControl } = require(PKG_DIR);
function perCall(label, fn) {
  for (let i = 0; i < 2000; i++) fn();
  const n = 20000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const micros = Number(process.hrtime.bigint() - start) / 1e3 / n;
  console.log(`warm: ${label}: ${micros.toFixed(1)} µs per call`);
}
perCall("resolveCredentials (tasksRunnerOptions nx.json)", () =>
  resolveCredentials({ nxVersion: "19.8.0", nxJson: NX_JSON, env: { PATH: "/usr/bin", CI: "true" } }),
);
const ac = new AccessControl();
ac.createUser({ id: "ann", email: "ann@example.com" });
ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
const { nxCloudId } = ac.createWorkspace({ organization: "acme", actor: "ann" });
const { token } = ac.createCiAccessToken({ workspace: nxCloudId, actor: "ann", name: "ci", access: "read-only" });
perCall("authorizeRunner (CI access token)", () => ac.authorizeRunner({ nxCloudId, accessToken: token, action: "write-cache" }));
perCall("authorizeWeb", () => ac.authorizeWeb({ user: "ann", organization: "acme", action: "manage-tokens" }));
