// Helpers shared by the binary-level tests of `nxcloud-access serve`
// (run.mjs: the real nx client and the protocol; attack.mjs: the attacks of
// issue 15). Binds 127.0.0.1 only, on free ports.

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
