"use strict";
// What nxcloud-access costs the Nx tooling that loads it (issue 12), in one
// run, each figure against its baseline measured in the same run:
//
//   1. the Nx plugin (`nxcloud-access/nx-plugin`): the wall time of a whole
//      `nx run` with it, against the same run with an empty plugin (a package
//      whose `preTasksExecution` does nothing) and with no plugin at all;
//   2. `resolveWorkspace` (`nxcloud-access/node`) cold: a fresh `node`, from
//      `require` to the answer, against Nx's own path to the same folder's
//      nx.json (`require("@nx/devkit")`, then nx's `readNxJson(root)`);
//   3. `resolveWorkspace` warm (the module loaded, the call repeated), against
//      nx's `readNxJson(root)` warm;
//   4. the size of the .wasm files, raw and gzip -9.
//
// Method: contenders alternate (the order flipped every round) so that load
// on a shared machine hits all alike; figures are medians with the min–max.
// Run: `npm ci && npm run bench:tooling` in bench/ after scripts/build-pkg.
// Options: --quick (fewer runs), --json FILE, --only plugin,cold,warm,size.

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const zlib = require("node:zlib");

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : null;
const only = args.includes("--only") ? new Set(args[args.indexOf("--only") + 1].split(",")) : null;
const NX_RUNS = QUICK ? 4 : 21;
const COLD_RUNS = QUICK ? 5 : 25;
const WARM_SAMPLES = QUICK ? 5 : 21;

const PKG = path.resolve(process.env.NXCLOUD_PKG_DIR || path.join(__dirname, "..", "pkg"));
const NX_DIR = path.dirname(require.resolve("nx/package.json"));
const NX_VERSION = require("nx/package.json").version;
const DEVKIT_VERSION = require("@nx/devkit/package.json").version;
const results = { nxVersion: NX_VERSION, devkitVersion: DEVKIT_VERSION, sections: {} };

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), min: s[0], max: s[s.length - 1], samples: s.length };
}
const ms = (ns) => `${(ns / 1e6).toFixed(1)} ms`;
const fmt = (st) => `${ms(st.median)} (${ms(st.min)}–${ms(st.max)})`;
const row = (cells) => console.log(`| ${cells.join(" | ")} |`);

/** Runs each contender `runs` times, alternating; returns stats of ns each. */
function alternate(contenders, runs) {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) {
      samples[name].push(contenders[name]());
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(samples[n])]));
}

function must(result, what) {
  if (result.status !== 0) {
    throw new Error(`${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

// ------------------------------------------------------------ a workspace

/**
 * A workspace with one project, nx linked from bench/node_modules and the
 * package linked from PKG, and a home folder with a personal access token
 * for the plugin's URL (PATR-1, PATR-2).
 */
function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-tooling-"));
  const ws = path.join(dir, "ws");
  const home = path.join(dir, "home");
  fs.mkdirSync(path.join(ws, "node_modules", "empty-nx-plugin"), { recursive: true });
  fs.mkdirSync(path.join(ws, "app"), { recursive: true });
  fs.mkdirSync(path.join(home, ".config", "nxcloud"), { recursive: true });
  fs.writeFileSync(path.join(ws, "package.json"), JSON.stringify({ name: "ws", private: true }));
  fs.writeFileSync(
    path.join(ws, "app", "project.json"),
    JSON.stringify({
      name: "app",
      targets: { hello: { executor: "nx:run-commands", options: { command: "node -e 0" }, cache: true } },
    }),
  );
  fs.writeFileSync(
    path.join(ws, "node_modules", "empty-nx-plugin", "package.json"),
    JSON.stringify({ name: "empty-nx-plugin", version: "1.0.0", main: "index.js" }),
  );
  fs.writeFileSync(
    path.join(ws, "node_modules", "empty-nx-plugin", "index.js"),
    '"use strict";\nexports.name = "empty-nx-plugin";\nexports.preTasksExecution = async () => {};\n',
  );
  fs.symlinkSync(NX_DIR, path.join(ws, "node_modules", "nx"), "dir");
  fs.symlinkSync(PKG, path.join(ws, "node_modules", "nxcloud-access"), "dir");
  fs.writeFileSync(
    path.join(home, ".config", "nxcloud", "nxcloud.ini"),
    "[http://127\\.0\\.0\\.1:4599]\npersonalAccessToken=bench-pat-0123456789abcdef0123456789abcdef\n",
  );
  fs.mkdirSync(path.join(ws, ".git"));
  return { dir, ws, home };
}

function writeNxJson(ws, plugins) {
  fs.writeFileSync(path.join(ws, "nx.json"), JSON.stringify({ plugins }, null, 2));
}

// ------------------------------------------------------ 1: the Nx plugin

function benchPlugin() {
  console.log(`\n## 1. The Nx plugin: a whole \`nx run\` (nx ${NX_VERSION}, daemon off, --skip-nx-cache)\n`);
  const { dir, ws, home } = workspace();
  const configs = {
    none: [],
    empty: ["empty-nx-plugin"],
    ours: [{ plugin: "nxcloud-access/nx-plugin", options: { url: "http://127.0.0.1:4599", nxCloudId: "bench-workspace" } }],
  };
  const env = { ...process.env, HOME: home, NX_DAEMON: "false", NX_NO_CLOUD: undefined, CI: "true", NX_TUI: "false" };
  for (const key of Object.keys(env)) if (key.startsWith("NX_SELF_HOSTED") || env[key] === undefined) delete env[key];
  const nxBin = path.join(ws, "node_modules", "nx", require("nx/package.json").bin.nx);
  const run = (name) => () => {
    writeNxJson(ws, configs[name]);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [nxBin, "run", "app:hello", "--skip-nx-cache"], { cwd: ws, env, encoding: "utf8" });
    const ns = Number(process.hrtime.bigint() - t0);
    must(r, `nx run with ${name}`);
    return ns;
  };
  // Warm-up: the first run of each builds the project graph cache.
  for (const name of Object.keys(configs)) for (let i = 0; i < 2; i++) run(name)();
  // Our plugin prints nothing on a good setup (the rule).
  writeNxJson(ws, configs.ours);
  const shown = must(spawnSync(process.execPath, [nxBin, "run", "app:hello", "--skip-nx-cache"], { cwd: ws, env, encoding: "utf8" }), "nx run");
  if (/nxcloud-access/.test(shown.stdout + shown.stderr)) throw new Error(`the plugin printed on a good setup:\n${shown.stdout}${shown.stderr}`);
  const r = alternate({ none: run("none"), empty: run("empty"), ours: run("ours") }, NX_RUNS);
  row(["plugins in nx.json", "nx run (median, min–max)", "vs no plugin", "vs empty plugin"]);
  row(["---", "---:", "---:", "---:"]);
  for (const name of ["none", "empty", "ours"]) {
    row([
      { none: "none", empty: "an empty plugin", ours: "nxcloud-access/nx-plugin" }[name],
      fmt(r[name]),
      `${ms(r[name].median - r.none.median)} (${(r[name].median / r.none.median).toFixed(3)}x)`,
      `${ms(r[name].median - r.empty.median)} (${(r[name].median / r.empty.median).toFixed(3)}x)`,
    ]);
  }
  results.sections.plugin = { runs: NX_RUNS, ...r, addedOverEmptyNs: r.ours.median - r.empty.median };
  fs.rmSync(dir, { recursive: true, force: true });
}

// ------------------------------------------- 2-3: resolveWorkspace, cold and warm

/** A workspace folder like a user's: nx installed, an nx.json with a token. */
function resolveFixture() {
  const { dir, ws, home } = workspace();
  writeNxJson(ws, []);
  const nxJson = JSON.parse(fs.readFileSync(path.join(ws, "nx.json"), "utf8"));
  nxJson.nxCloudId = "65f0c0ffee0123456789abcd";
  fs.writeFileSync(path.join(ws, "nx.json"), JSON.stringify(nxJson, null, 2));
  return { dir, ws, home };
}

function benchCold() {
  console.log(`\n## 2. Cold: a fresh \`node\`, from \`require\` to the answer\n`);
  const { dir, ws, home } = resolveFixture();
  const env = { ...process.env, HOME: home };
  const script = {
    ours: `const t0 = process.hrtime.bigint();
const { resolveWorkspace } = require(${JSON.stringify(path.join(PKG, "node.cjs"))});
const r = resolveWorkspace(${JSON.stringify(ws)});
const ns = Number(process.hrtime.bigint() - t0);
if (r.nxCloudId == null || r.nxCloudId.value !== "65f0c0ffee0123456789abcd") throw new Error("wrong answer: " + JSON.stringify(r.nxCloudId));
process.stdout.write(String(ns));`,
    nx: `const t0 = process.hrtime.bigint();
require(${JSON.stringify(require.resolve("@nx/devkit"))});
const { readNxJson } = require(${JSON.stringify(path.join(NX_DIR, "dist", "src", "config", "nx-json.js"))});
const j = readNxJson(${JSON.stringify(ws)});
const ns = Number(process.hrtime.bigint() - t0);
if (j.nxCloudId !== "65f0c0ffee0123456789abcd") throw new Error("wrong answer");
process.stdout.write(String(ns));`,
  };
  const run = (name) => () => Number(must(spawnSync(process.execPath, ["-e", script[name]], { cwd: ws, env, encoding: "utf8" }), name).stdout);
  run("ours")();
  run("nx")();
  const r = alternate({ ours: run("ours"), nx: run("nx") }, COLD_RUNS);
  row(["", "require to answer (median, min–max)"]);
  row(["---", "---:"]);
  row(["`resolveWorkspace` (nxcloud-access/node)", fmt(r.ours)]);
  row([`\`@nx/devkit\` ${DEVKIT_VERSION} + nx's \`readNxJson(root)\``, fmt(r.nx)]);
  console.log(`\nours / Nx: ${(r.ours.median / r.nx.median).toFixed(3)}x; goal: ours ≤ 15 ms (${ms(r.ours.median)})`);
  results.sections.cold = r;
  fs.rmSync(dir, { recursive: true, force: true });
}

function benchWarm() {
  console.log(`\n## 3. Warm: the call repeated in one process\n`);
  const { dir, ws, home } = resolveFixture();
  const { resolveWorkspace } = require(path.join(PKG, "node.cjs"));
  const { readNxJson } = require(path.join(NX_DIR, "dist", "src", "config", "nx-json.js"));
  const env = { HOME: home, PATH: process.env.PATH };
  const contenders = {
    ours: () => resolveWorkspace(ws, { env }),
    nx: () => readNxJson(ws),
  };
  const per = {};
  for (const [name, fn] of Object.entries(contenders)) {
    const until = Date.now() + (QUICK ? 200 : 1000);
    let n = 0;
    while (Date.now() < until) {
      fn();
      n++;
    }
    per[name] = Math.max(1, Math.round(n / (QUICK ? 5 : 25))); // ~40 ms batches
  }
  const r = alternate(
    Object.fromEntries(
      Object.entries(contenders).map(([name, fn]) => [
        name,
        () => {
          const t0 = process.hrtime.bigint();
          for (let i = 0; i < per[name]; i++) fn();
          return Number(process.hrtime.bigint() - t0) / per[name];
        },
      ]),
    ),
    WARM_SAMPLES,
  );
  const us = (ns) => `${(ns / 1e3).toFixed(1)} µs`;
  row(["", "per call (median, min–max)"]);
  row(["---", "---:"]);
  row(["`resolveWorkspace`", `${us(r.ours.median)} (${us(r.ours.min)}–${us(r.ours.max)})`]);
  row(["nx's `readNxJson(root)`", `${us(r.nx.median)} (${us(r.nx.min)}–${us(r.nx.max)})`]);
  console.log(`\nours / Nx: ${(r.ours.median / r.nx.median).toFixed(2)}x (ours reads every file Nx's credential choice depends on and resolves; it asks git only when a root file holds a token)`);
  results.sections.warm = r;
  fs.rmSync(dir, { recursive: true, force: true });
}

// ------------------------------------------------------------- 4: size

function benchSize() {
  console.log(`\n## 4. The .wasm files\n`);
  row(["file", "raw bytes", "gzip -9 bytes"]);
  row(["---", "---:", "---:"]);
  const out = {};
  for (const file of fs.readdirSync(path.join(PKG, "wasm")).filter((f) => f.endsWith(".wasm")).sort()) {
    const bytes = fs.readFileSync(path.join(PKG, "wasm", file));
    const gz = zlib.gzipSync(bytes, { level: 9 }).length;
    out[file] = { raw: bytes.length, gzip: gz };
    row([file, bytes.length, gz]);
  }
  results.sections.size = out;
}

const sections = { plugin: benchPlugin, cold: benchCold, warm: benchWarm, size: benchSize };
console.log(`# nxcloud-access in Nx tooling (${new Date().toISOString()}, load ${os.loadavg()[0].toFixed(2)}, node ${process.version})`);
for (const [name, fn] of Object.entries(sections)) if (!only || only.has(name)) fn();
console.log(`\nload at the end: ${os.loadavg()[0].toFixed(2)}`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2));
