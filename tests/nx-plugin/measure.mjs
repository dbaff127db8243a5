// What the Nx plugin adds to an nx run, against an empty plugin that sets the
// same two variables to constants. A measurement, not a test (nothing is
// asserted; the figures go to the report).
//
// Usage: node tests/nx-plugin/measure.mjs <nxcloud-access binary> <packed .tgz> [nx-ID] [runs]
//
// 1. The hook alone: a fresh Node process loads the plugin module and runs
//    `preTasksExecution` once, cold (what every nx run without the daemon
//    does in its plugin worker), then once more, warm (the daemon's worker
//    on later runs); median of `runs` processes.
// 2. `nx run lib:build` (a local cache hit, NX_DAEMON=false), the two
//    plugins alternating, median of `runs` each.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { harness } from "../nx-e2e/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const [binArg, tarballArg, id = "nx-22.7.12", runsArg = "15"] = process.argv.slice(2);
const bin = path.resolve(binArg ?? "");
const tarball = path.resolve(tarballArg ?? "");
const runs = Number(runsArg);
const cache = process.env.NXCLOUD_NX_PLUGIN_CACHE ?? path.join(os.homedir(), ".cache", "nxcloud-nx-plugin");
const nxRoot = path.join(cache, id, "node_modules", "nx");
const { version, bin: nxBin } = JSON.parse(fs.readFileSync(path.join(nxRoot, "package.json"), "utf8"));
const nxEntry = path.join(nxRoot, typeof nxBin === "string" ? nxBin : nxBin.nx);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-nx-plugin-measure-"));
const { admin, startServer } = harness(bin, work);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const data = path.join(work, "data");
admin(data, "create-user", { id: "alice", email: "alice@example.com" });
admin(data, "create-organization", { id: "acme", name: "Acme", creator: "alice" });
const { nxCloudId: ws } = admin(data, "create-workspace", { organization: "acme", actor: "alice" });
const pat = admin(data, "create-personal-access-token", { user: "alice", name: "laptop" });
const server = await startServer(data);

const root = path.join(work, "ws");
fs.cpSync(path.join(here, "workspace"), root, { recursive: true });
fs.mkdirSync(path.join(root, "node_modules", "nxcloud-access"), { recursive: true });
fs.symlinkSync(nxRoot, path.join(root, "node_modules", "nx"), "dir");
spawnSync("tar", ["-xzf", tarball, "-C", path.join(root, "node_modules", "nxcloud-access"), "--strip-components=1"]);
const home = path.join(root, ".home");
fs.mkdirSync(path.join(home, ".config", "nxcloud"), { recursive: true });
fs.writeFileSync(path.join(home, ".config", "nxcloud", "nxcloud.ini"), `[${server.url.replaceAll(".", "\\.")}]\npersonalAccessToken=${pat.token}\n`);
const options = { url: server.url, nxCloudId: ws };
// The floor: a plugin that sets the same two variables, constants.
// A package, as ours is (a local `./file.cjs` makes nx look for a tsconfig).
const emptyDir = path.join(root, "node_modules", "empty-nx-plugin");
fs.mkdirSync(emptyDir, { recursive: true });
fs.writeFileSync(path.join(emptyDir, "package.json"), JSON.stringify({ name: "empty-nx-plugin", main: "index.js" }));
fs.writeFileSync(
  path.join(emptyDir, "index.js"),
  `exports.name = "empty";\nexports.preTasksExecution = async () => {\n  process.env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER = ${JSON.stringify(`${server.url}/ws/${ws}`)};\n  process.env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN = ${JSON.stringify(pat.token)};\n};\n`,
);
const env = { PATH: process.env.PATH, HOME: home, NX_DAEMON: "false", NX_TUI: "false", NX_NO_CLOUD: "true" };

// 1. The hook alone, cold.
const hookScript = (module) => `
  const t0 = performance.now();
  const p = require(${JSON.stringify(module)});
  p.preTasksExecution(${JSON.stringify(options)}, {}).then(async () => {
    const cold = performance.now() - t0;
    const t1 = performance.now();
    await p.preTasksExecution(${JSON.stringify(options)}, {});
    process.stdout.write(JSON.stringify([cold, performance.now() - t1]));
  });`;
const hook = {};
for (const [label, module] of [["empty plugin", "empty-nx-plugin"], ["nxcloud-access/nx-plugin", "nxcloud-access/nx-plugin"]]) {
  hook[label] = [];
  for (let i = 0; i < runs; i += 1) {
    const run = spawnSync(process.execPath, ["-e", hookScript(module)], { cwd: root, env, encoding: "utf8" });
    hook[label].push(JSON.parse(run.stdout));
  }
}

// 2. nx run, alternating.
const nxJson = (plugin) =>
  fs.writeFileSync(path.join(root, "nx.json"), JSON.stringify({ plugins: [plugin], targetDefaults: { build: { cache: true } } }));
const timeNx = () => {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [nxEntry, "run", "lib:build", "--outputStyle=static"], { cwd: root, env, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stdout + run.stderr);
  return performance.now() - t0;
};
const plugins = { "empty plugin": "empty-nx-plugin", "nxcloud-access/nx-plugin": { plugin: "nxcloud-access/nx-plugin", options } };
const whole = { "empty plugin": [], "nxcloud-access/nx-plugin": [] };
for (const [label, plugin] of Object.entries(plugins)) {
  nxJson(plugin);
  timeNx(); // warm: the graph cache and the local cache entry
}
for (let i = 0; i < runs; i += 1) {
  for (const [label, plugin] of Object.entries(plugins)) {
    nxJson(plugin);
    whole[label].push(timeNx());
  }
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(`nx ${version}, ${runs} runs each, medians (NX_DAEMON=false, plugin isolation on)`);
for (const [i, what] of [[0, "cold (require + preTasksExecution in a fresh node)"], [1, "warm (a second preTasksExecution in that process, as in the daemon's worker)"]]) {
  console.log(`  the hook, ${what}:`);
  const m = (label) => median(hook[label].map((pair) => pair[i]));
  for (const label of Object.keys(hook)) console.log(`    ${label}: ${fmt(m(label))}`);
  console.log(`    added: ${fmt(m("nxcloud-access/nx-plugin") - m("empty plugin"))}`);
}
console.log(`  nx run lib:build (local cache hit):`);
for (const label of Object.keys(whole)) console.log(`    ${label}: ${fmt(median(whole[label]))}`);
console.log(`    added: ${fmt(median(whole["nxcloud-access/nx-plugin"]) - median(whole["empty plugin"]))}`);
fs.rmSync(work, { recursive: true, force: true });
process.exit(0);
