// The attacks of issue 15 that need the real binary: slow clients against
// an open-file limit of 128, shutdown with stalled clients, a slow download
// against --request-timeout, and a full disk (a small tmpfs mounted for the
// test). The in-process ones are crates/nxcloud-access-server/tests/hardening.rs.
//
// Usage: node tests/nx-e2e/attack.mjs <path to the nxcloud-access binary>
// Needs root for the tmpfs mount and util-linux's `prlimit` (both on CI's
// machines); fails loudly without them, never skips. Binds 127.0.0.1 only;
// every loop is bounded in count and time.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { exited, harness, reporter, sleep } from "./server.mjs";

const bin = path.resolve(process.argv[2] ?? "");
if (!process.argv[2] || !fs.existsSync(bin)) {
  console.error(`FAIL: the nxcloud-access binary was not found at \`${bin}\``);
  process.exit(1);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-attack-"));
const { admin, startServer } = harness(bin, work);

const { step, ok, passed } = reporter();

/// A workspace with a read-write CI token, in a new data directory.
function seed(data) {
  admin(data, "create-user", { id: "alice", email: "alice@example.com" });
  admin(data, "create-organization", { id: "acme", name: "Acme", creator: "alice" });
  const { nxCloudId: ws } = admin(data, "create-workspace", { organization: "acme", actor: "alice" });
  const rw = admin(data, "create-ci-access-token", { workspace: ws, actor: "alice", name: "rw", access: "read-write" });
  const pat = admin(data, "create-personal-access-token", { user: "alice", name: "laptop" });
  return { ws, rw, pat };
}

/// A client that sends a request head one byte a second, forever: just
/// inside any idle timeout, never finishing.
function slowloris(port) {
  const socket = net.connect(port, "127.0.0.1");
  const state = { closed: false, socket };
  socket.on("error", () => {});
  socket.on("close", () => {
    state.closed = true;
  });
  const head = "GET /v1/cache/1 HTTP/1.1\r\nhost: x\r\nx-padding: " + "a".repeat(10_000);
  let at = 0;
  const timer = setInterval(() => {
    if (state.closed || at >= head.length) return clearInterval(timer);
    socket.write(head[at]);
    at += 1;
  }, 1000);
  state.stop = () => {
    clearInterval(timer);
    socket.destroy();
  };
  return state;
}

/// A health probe as an orchestrator sends it: a new connection each time
/// (a pooled keep-alive connection may have been closed to make room).
function timedHealth(url) {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.get(`${url}/healthz`, { agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, ms: Date.now() - started }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (error) => resolve({ status: `error ${error.code ?? error.message}`, ms: Date.now() - started }));
  });
}

async function slowClients() {
  const data = path.join(work, "slow-data");
  const { ws, rw } = seed(data);
  const flags = ["--header-timeout", "3", "--idle-timeout", "10", "--request-timeout", "4", "--shutdown-grace", "30"];
  const server = await startServer(data, flags, { wrap: ["prlimit", "--nofile=128:128", "--"] });
  const limits = fs.readFileSync(`/proc/${server.child.pid}/limits`, "utf8");
  assert.match(limits, /Max open files\s+128\s+128/, "the server does not run under the 128-descriptor limit");

  step("200 slow-header clients against 128 descriptors: /healthz still answers");
  const clients = [];
  for (let i = 0; i < 200; i += 1) {
    clients.push(slowloris(server.port));
    if (i % 20 === 19) await sleep(20);
  }
  await sleep(1500);
  const checks = [];
  for (let i = 0; i < 10; i += 1) {
    checks.push(await timedHealth(server.url));
    await sleep(200);
  }
  assert.ok(checks.every((c) => c.status === 200), `health checks under attack: ${JSON.stringify(checks)}`);
  ok(`10 of 10 health checks answered 200 (slowest ${Math.max(...checks.map((c) => c.ms))} ms) with 200 slow clients connected`);

  const res = await fetch(`${server.url}/v1/cache/1`, { headers: { authorization: `Bearer ${rw.token}` } });
  assert.equal(res.status, 404);
  ok("a cache request is served too");

  step("uploads in flight on every connection: no descriptor runs out, /healthz still answers");
  const uploads = Array.from({ length: 60 }, (_, i) =>
    fetch(`${server.url}/ws/${ws}/v1/cache/${7000 + i}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${rw.token}` },
      body: crypto.randomBytes(2 * 1024 * 1024),
    })
      .then((r) => r.status)
      .catch(() => "closed"),
  );
  const during = [];
  for (let i = 0; i < 3; i += 1) {
    await sleep(30);
    during.push(await timedHealth(server.url));
  }
  const statuses = await Promise.all(uploads);
  const stored = statuses.filter((s) => s === 200).length;
  assert.ok(during.every((c) => c.status === 200), `health during 60 uploads: ${JSON.stringify(during)}`);
  assert.ok(stored >= 10, `only ${stored} of 60 concurrent uploads stored: ${statuses}`);
  assert.ok(statuses.every((s) => s === 200 || s === 503 || s === "closed"), `statuses ${statuses}`);
  assert.doesNotMatch(fs.readFileSync(server.logPath, "utf8"), /Too many open files|os error 24/);
  ok(`60 concurrent 2 MB uploads: ${stored} stored, the rest 503 or closed at the limit; 3 of 3 /healthz 200 during them (slowest ${Math.max(...during.map((c) => c.ms))} ms); no descriptor ran out`);

  step("a head sent one byte a second is cut off by --header-timeout (3 s)");
  const watcher = slowloris(server.port);
  const opened = Date.now();
  while (!watcher.closed && Date.now() - opened < 15_000) await sleep(100);
  const held = Date.now() - opened;
  assert.ok(watcher.closed && held < 8000, `a slow head held its connection ${held} ms`);
  ok(`a trickling head was closed after ${held} ms`);
  await sleep(4000);
  const open = clients.filter((c) => !c.closed).length;
  for (const c of clients) c.stop();
  ok(`${200 - open} of the first 200 slow clients were closed by the server (${open} were still sending)`);

  step("a slow download ends at --request-timeout (4 s), whatever pace the reader keeps");
  const artifact = crypto.randomBytes(48 * 1024 * 1024);
  const put = await fetch(`${server.url}/ws/${ws}/v1/cache/900`, {
    method: "PUT",
    headers: { authorization: `Bearer ${rw.token}` },
    body: artifact,
  });
  assert.equal(put.status, 200);
  const download = net.connect(server.port, "127.0.0.1");
  let received = 0;
  const started = Date.now();
  const ended = new Promise((resolve) => download.on("close", () => resolve(Date.now() - started)));
  download.on("error", () => {});
  download.on("data", (chunk) => {
    received += chunk.length;
    // 16 KB every 200 ms: never idle, far too slow to finish in 4 s.
    download.pause();
    setTimeout(() => download.resume(), 200);
  });
  download.setNoDelay(true);
  download.write(`GET /ws/${ws}/v1/cache/900 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${rw.token}\r\n\r\n`);
  const lasted = await Promise.race([ended, sleep(30_000).then(() => null)]);
  download.destroy();
  // --request-timeout 4 s + 1 s before the reset; without the bound the
  // download would last over 100 s at this pace.
  assert.ok(lasted !== null && lasted < 12_000, `the slow download lasted ${lasted} ms`);
  assert.ok(received < artifact.length, "the whole artifact was sent");
  ok(`the slow download was cut after ${lasted} ms (${received} of ${artifact.length} bytes)`);

  step("SIGTERM with stalled clients connected: the server stops at once, not after the grace period");
  const stalled = Array.from({ length: 20 }, () => slowloris(server.port));
  await sleep(500);
  const killedAt = Date.now();
  server.child.kill("SIGTERM");
  const end = await exited(server.child);
  const stopping = Date.now() - killedAt;
  for (const c of stalled) c.stop();
  assert.equal(end.code, 0, JSON.stringify(end));
  assert.ok(stopping < 5000, `shutdown took ${stopping} ms with stalled clients`);
  ok(`stopped in ${stopping} ms (grace 30 s) with 20 stalled clients`);
}

async function fullDisk() {
  step("a full disk: uploads refused quietly, revocations still commit");
  const mountPoint = path.join(work, "small-disk");
  fs.mkdirSync(mountPoint);
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=40m,mode=0700", "tmpfs", mountPoint], { encoding: "utf8" });
  assert.equal(mounted.status, 0, `mounting a 40 MB tmpfs failed (root is needed): ${mounted.stderr}`);
  try {
    const data = path.join(mountPoint, "data");
    const { ws, rw, pat } = seed(data);
    const minFree = 4 * 1024 * 1024;
    const server = await startServer(data, ["--min-free-bytes", String(minFree)]);
    assert.ok(fs.statSync(path.join(data, "state.reserve")).size >= 16 * 1024 * 1024, "no space reserve");

    // Anonymous uploads at the default workspace ID level (read-write)
    // until the server refuses them.
    let stored = 0;
    let refusal = null;
    for (let i = 0; i < 100 && refusal === null; i += 1) {
      const res = await fetch(`${server.url}/ws/${ws}/v1/cache/${5000 + i}`, { method: "PUT", body: crypto.randomBytes(1024 * 1024) });
      if (res.status === 200) stored += 1;
      else refusal = { status: res.status, body: await res.text() };
    }
    assert.ok(refusal, "the disk never filled");
    assert.equal(refusal.status, 403, `a full disk must answer what nx ignores: ${JSON.stringify(refusal)}`);
    assert.match(refusal.body, /short of disk space/);
    const free = Number(spawnSync("df", ["-B1", "--output=avail", mountPoint], { encoding: "utf8" }).stdout.trim().split("\n").pop());
    assert.ok(free >= minFree - 1024 * 1024, `artifacts filled the disk below the floor: ${free} bytes free`);
    ok(`${stored} uploads stored, then 403 "short of disk space" with ${free} bytes still free`);

    // Something else fills the rest of the disk.
    spawnSync("dd", ["if=/dev/zero", `of=${path.join(mountPoint, "filler")}`, "bs=64k"], { encoding: "utf8" });
    const left = Number(spawnSync("df", ["-B1", "--output=avail", mountPoint], { encoding: "utf8" }).stdout.trim().split("\n").pop());
    assert.ok(left < 64 * 1024, `the disk is not full: ${left} bytes free`);
    const before = await fetch(`${server.url}/v1/cache/5000`, { headers: { authorization: `Bearer ${rw.token}` } });
    assert.equal(before.status, 200);
    admin(data, "revoke-ci-access-token", { workspace: ws, actor: "alice", id: rw.id });
    const after = await fetch(`${server.url}/v1/cache/5000`, { headers: { authorization: `Bearer ${rw.token}` } });
    assert.equal(after.status, 401, "the revoked token still reads on a full disk");
    const http = await fetch(`${server.url}/api/v1/commands/set-workspace-id-access`, {
      method: "POST",
      headers: { "nx-cloud-personal-access-token": pat.token, "content-type": "application/json" },
      body: JSON.stringify({ workspace: ws, level: "none" }),
    });
    assert.equal(http.status, 200, await http.text());
    const anonymous = await fetch(`${server.url}/ws/${ws}/v1/cache/5000`);
    assert.equal(anonymous.status, 401, "the lowered workspace ID level is not in force");
    assert.ok(!fs.existsSync(path.join(data, "state.reserve")), "the reserve was not used");
    ok("on a full disk: a revocation with `admin` and a level change over HTTP committed and hold at the next request");

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /nxcloud_access_space_refusals_total\{reason="min-free"\} [1-9]/);
    assert.match(metrics, /nxcloud_access_disk_low 1/);
    const log = fs.readFileSync(server.logPath, "utf8");
    assert.match(log, /disk space is short/);
    ok("the space refusals are counted in /metrics and logged");
    server.child.kill("SIGTERM");
    await exited(server.child);
  } finally {
    spawnSync("umount", ["-l", mountPoint]);
  }
}

try {
  await slowClients();
  await fullDisk();
  console.log(`\nPASS: ${passed()} checks`);
  fs.rmSync(work, { recursive: true, force: true });
} catch (error) {
  console.error(`\nFAIL after ${passed()} checks: ${error.stack ?? error}`);
  console.error(`(work folder kept: ${work})`);
  process.exit(1);
}
