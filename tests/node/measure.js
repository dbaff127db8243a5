"use strict";
// Figures of the npm package (not a test: it asserts nothing, it prints):
// the size of each .wasm, raw and gzipped; the time from `require` to the
// first result in a fresh Node process, for resolveCredentials, for an
// authorizeRunner of a restored AccessControl and for resolveWorkspace of
// nxcloud-access/node (medians of 15 processes, MEASURE_RUNS to change);
// and the cost of one call in a warm process. Usage: node tests/node/
// measure.js (NXCLOUD_PKG_DIR=DIR for another build of the package).
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const { PKG_DIR } = require("./load.js");

// Every engine of the package (wasm/*_bg.wasm: resolve and access; one
// nxcloud_access_bg.wasm in a build from before the split).
for (const file of fs.readdirSync(path.join(PKG_DIR, "wasm")).filter((f) => f.endsWith("_bg.wasm")).sort()) {
  const wasm = fs.readFileSync(path.join(PKG_DIR, "wasm", file));
  const gzipped = zlib.gzipSync(wasm, { level: 9 }).length;
  console.log(`wasm size: ${file}: ${wasm.length} bytes (${(wasm.length / 1024).toFixed(1)} KiB), ${gzipped} bytes gzipped (${(gzipped / 1024).toFixed(1)} KiB)`);
}

const NX_JSON = JSON.stringify({
  tasksRunnerOptions: {
    default: { runner: "nx-cloud", options: { accessToken: "N2ExZTRiMmMtNWQzZi00ZTZhLThiOWMtMGQxZTJmM2E0YjVjfHJlYWQtb25seQ" } },
  },
});
// A snapshot to restore: one organization, one workspace, one CI token.
const SNAPSHOT = (() => {
  const { AccessControl } = require(PKG_DIR);
  const ac = new AccessControl();
  ac.createUser({ id: "ann", email: "ann@example.com" });
  ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
  const { nxCloudId } = ac.createWorkspace({ organization: "acme", actor: "ann" });
  const { token } = ac.createCiAccessToken({ workspace: nxCloudId, actor: "ann", name: "ci", access: "read-only" });
  return { text: JSON.stringify(ac), nxCloudId, token };
})();
const SAMPLE = path.join(__dirname, "..", "..", "samples", "cloud-id-with-pat");
// Each script times `require` and the first answer from its start.
const COLD = {
  "require to first resolveCredentials": `
    const start = process.hrtime.bigint();
    const { resolveCredentials } = require(${JSON.stringify(PKG_DIR)});
    const loaded = process.hrtime.bigint();
    resolveCredentials({ nxVersion: "19.8.0", nxJson: ${JSON.stringify(NX_JSON)} });
  `,
  "require to first authorizeRunner after AccessControl.fromJSON": `
    const start = process.hrtime.bigint();
    const { AccessControl } = require(${JSON.stringify(PKG_DIR)});
    const loaded = process.hrtime.bigint();
    const ac = AccessControl.fromJSON(${JSON.stringify(SNAPSHOT.text)});
    ac.authorizeRunner({ nxCloudId: ${JSON.stringify(SNAPSHOT.nxCloudId)}, accessToken: ${JSON.stringify(SNAPSHOT.token)}, action: "read-cache" });
  `,
  "require nxcloud-access/node to first resolveWorkspace": `
    const start = process.hrtime.bigint();
    const { resolveWorkspace } = require(${JSON.stringify(path.join(PKG_DIR, "node.cjs"))});
    const loaded = process.hrtime.bigint();
    resolveWorkspace(${JSON.stringify(SAMPLE)}, { env: { HOME: ${JSON.stringify(path.join(SAMPLE, "home"))} } });
  `,
};
const RUNS = Number(process.env.MEASURE_RUNS) || 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [label, body] of Object.entries(COLD)) {
  const script = `${body}
    const done = process.hrtime.bigint();
    process.stdout.write(JSON.stringify([Number(loaded - start) / 1e6, Number(done - start) / 1e6]));
  `;
  const runs = Array.from({ length: RUNS }, () => JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })));
  console.log(
    `fresh process, ${label}: require ${median(runs.map((r) => r[0])).toFixed(2)} ms, to the answer ${median(runs.map((r) => r[1])).toFixed(2)} ms (median of ${runs.length})`,
  );
}

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
