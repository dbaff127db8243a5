// Helpers shared by the binary-level tests of `nxcloud-access serve`
// (run.mjs: the real nx client and the protocol; garage.mjs: the same with
// the artifacts in Garage; attack.mjs: the attacks of issue 15). Binds
// 127.0.0.1 only, on free ports.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/// The test's output: a heading per step, a numbered line per check.
export function reporter() {
  let count = 0;
  return {
    step: (name) => console.log(`\n--- ${name}`),
    ok: (what) => {
      count += 1;
      console.log(`  ok ${count}: ${what}`);
    },
    passed: () => count,
  };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/// The binary's `admin` and `serve`, with every started server killed when
/// the test process exits. `wrap` runs the server under another command
/// (e.g. `["prlimit", "--nofile=128:128", "--"]`).
export function harness(bin, work) {
  const servers = new Set();
  process.on("exit", () => {
    for (const child of servers) child.kill("SIGKILL");
  });

  function admin(data, command, arg) {
    const run = spawnSync(bin, ["admin", "--data", data, command, JSON.stringify(arg)], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`admin ${command} failed (${run.status}): ${run.stderr}`);
    return JSON.parse(run.stdout);
  }

  async function startServer(data, extra = [], { wrap = [] } = {}) {
    const port = await freePort();
    const logPath = path.join(work, `server-${port}.log`);
    const log = fs.openSync(logPath, "a");
    const argv = [...wrap, bin, "serve", "--listen", `127.0.0.1:${port}`, "--data", data, ...extra];
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", log, log] });
    servers.add(child);
    child.on("exit", () => servers.delete(child));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i += 1) {
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.status === 200) return { child, url, port, logPath };
      } catch {
        // not up yet
      }
      if (child.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`the server did not start; its log:\n${fs.readFileSync(logPath, "utf8")}`);
  }

  return { admin, startServer };
}

/// The nx installed in the fixture workspace (`fixture/node_modules/nx`):
/// `{ installed, runNx, distFiles }`. Exits the test (status 1) when nx is
/// not installed: the tests never skip.
///
/// `runNx(serverUrl, token, label)` runs `nx run lib:build` from a clean
/// `.nx` and `dist`, daemon off, with only the self-hosted remote cache
/// variables of nx's own (every other `NX_` and `AWS_` variable removed; the
/// token is left unset when `token` is null): `{ status, output }`.
/// `distFiles()` is the built output, file by file, in hex.
export function fixtureNx(fixture) {
  const nxPackage = path.join(fixture, "node_modules", "nx", "package.json");
  if (!fs.existsSync(nxPackage)) {
    console.error(`FAIL: nx is not installed in ${fixture}: run \`npm ci\` there (scripts/test-server does)`);
    process.exit(1);
  }
  const { version: installed, bin: nxBin } = JSON.parse(fs.readFileSync(nxPackage, "utf8"));
  // The nx command as the package declares it (dist/bin/nx.js in nx 22, bin/nx.js in nx 20).
  const nxEntry = path.join(fixture, "node_modules", "nx", typeof nxBin === "string" ? nxBin : nxBin.nx);
  const dist = path.join(fixture, "packages", "lib", "dist");

  function runNx(serverUrl, token, label) {
    fs.rmSync(path.join(fixture, ".nx"), { recursive: true, force: true });
    fs.rmSync(dist, { recursive: true, force: true });
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("NX_") || key.startsWith("AWS_")) delete env[key];
    Object.assign(env, {
      NX_DAEMON: "false",
      NX_TUI: "false",
      NX_NO_CLOUD: "true",
      NX_SKIP_NX_CACHE: "false",
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: serverUrl,
      CI: "true",
    });
    if (token) env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN = token;
    const run = spawnSync(process.execPath, [nxEntry, "run", "lib:build", "--outputStyle=static", "--skipNxCache=false"], {
      cwd: fixture,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    if (run.error) throw new Error(`nx (${label}) did not finish: ${run.error.message}\n${output}`);
    return { status: run.status, output };
  }

  function distFiles() {
    const out = {};
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else out[path.relative(dist, full)] = fs.readFileSync(full, "hex");
      }
    };
    walk(dist);
    return out;
  }

  return { installed, runNx, distFiles };
}
