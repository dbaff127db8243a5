// End-to-end test of `nxcloud-access serve` with the real nx client, plus the
// protocol tests that need no nx (concurrent PUTs, killed uploads, 413,
// SIGTERM during an upload, SIGKILL and restart).
//
// Usage: node tests/nx-e2e/run.mjs <path to the nxcloud-access binary>
// (scripts/test-server installs the pinned nx and builds the binary first).
// Binds 127.0.0.1 only, on free ports. Fails loudly (exit 1) on the first
// broken expectation, and when nx is not installed: it never skips.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { exited, fixtureNx, harness, reporter, sleep } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, "fixture");
const bin = path.resolve(process.argv[2] ?? "");
const NX_VERSION = JSON.parse(fs.readFileSync(path.join(fixture, "package.json"), "utf8")).devDependencies.nx;

const { step, ok, passed } = reporter();

if (!process.argv[2] || !fs.existsSync(bin)) {
  console.error(`FAIL: the nxcloud-access binary was not found at \`${bin}\`: build it first (scripts/test-server does)`);
  process.exit(1);
}
const { installed, runNx, distFiles } = fixtureNx(fixture);
if (installed !== NX_VERSION) {
  console.error(`FAIL: nx ${installed} is installed, the fixture pins ${NX_VERSION}: run \`npm ci\` in ${fixture}`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-e2e-"));

// ---------------------------------------------------------------- helpers

const { admin, startServer } = harness(bin, work);

function request(url, { method = "GET", token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h["content-type"] = "application/octet-stream";
  return fetch(url, { method, headers: h, body });
}

async function command(url, name, pat, arg) {
  const res = await fetch(`${url}/api/v1/commands/${name}`, {
    method: "POST",
    headers: { "nx-cloud-personal-access-token": pat, "content-type": "application/json" },
    body: JSON.stringify(arg),
  });
  return { status: res.status, body: await res.json() };
}

function artifactFiles(data, ws) {
  const dir = path.join(data, "artifacts", ws);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

function expectRun(result, { status, hit, contains = [], secretsAbsent = [] }, label) {
  const shown = `nx output (${label}):\n${result.output}`;
  assert.equal(result.status, status, `exit status ${result.status}, expected ${status}\n${shown}`);
  if (hit !== undefined) assert.equal(result.output.includes("[remote cache]"), hit, `remote cache hit should be ${hit}\n${shown}`);
  for (const text of contains) assert.ok(result.output.includes(text), `expected \`${text}\`\n${shown}`);
  for (const secret of secretsAbsent) assert.ok(!result.output.includes(secret), `a token was printed\n${shown}`);
}

// A source file whose content changes the task hash (removed at the end).
const variantFile = path.join(fixture, "packages", "lib", "src", "variant.txt");
function setVariant(text) {
  if (text === null) fs.rmSync(variantFile, { force: true });
  else fs.writeFileSync(variantFile, text);
}

// ---------------------------------------------------------------- real nx

async function realNx() {
  const data = path.join(work, "nx-data");
  step(`setup with admin (nx ${installed})`);
  admin(data, "create-user", { id: "alice", email: "alice@example.com" });
  admin(data, "create-user", { id: "bob", email: "bob@example.com" });
  admin(data, "create-organization", { id: "acme", name: "Acme", creator: "alice" });
  const { nxCloudId: ws } = admin(data, "create-workspace", { organization: "acme", actor: "alice" });
  const rw = admin(data, "create-ci-access-token", { workspace: ws, actor: "alice", name: "ci-rw", access: "read-write" });
  const ro = admin(data, "create-ci-access-token", { workspace: ws, actor: "alice", name: "ci-ro", access: "read-only" });
  admin(data, "invite", { organization: "acme", actor: "alice", email: "bob@example.com", role: "member" });
  admin(data, "join", { organization: "acme", user: "bob" });
  const bobPat = admin(data, "create-personal-access-token", { user: "bob", name: "laptop" });
  const alicePat = admin(data, "create-personal-access-token", { user: "alice", name: "admin" });
  const secrets = [rw.token, ro.token, bobPat.token, alicePat.token];
  ok(`workspace ${ws}, read-write and read-only CI tokens, bob a member with a PAT`);

  const server = await startServer(data);
  const prefixed = `${server.url}/ws/${ws}`;
  setVariant(null);

  step("read-write CI token: a miss uploads (server URL without prefix, trailing slash)");
  let run = runNx(`${server.url}/`, rw.token, "rw miss");
  expectRun(run, { status: 0, hit: false, contains: ["FIXTURE-BUILD-RAN"] }, "rw miss");
  const stored = artifactFiles(data, ws);
  assert.equal(stored.length, 1, `one artifact stored, found ${stored}`);
  assert.match(stored[0], /^\d+$/);
  const built = distFiles();
  ok(`miss built and uploaded artifact ${stored[0]}`);

  step("after deleting .nx and the outputs, the next run is a remote cache hit with identical files");
  run = runNx(`${server.url}/`, rw.token, "rw hit");
  expectRun(run, { status: 0, hit: true }, "rw hit");
  assert.deepEqual(distFiles(), built, "the restored outputs differ from the built ones");
  assert.deepEqual(artifactFiles(data, ws), stored);
  ok("[remote cache] hit, identical outputs, nothing new stored");

  step("read-only CI token: reads hits, uploads nothing, the build still succeeds");
  run = runNx(prefixed, ro.token, "ro hit");
  expectRun(run, { status: 0, hit: true }, "ro hit");
  ok("read-only token: [remote cache] hit");
  setVariant(`read-only ${Date.now()}`);
  run = runNx(prefixed, ro.token, "ro miss");
  expectRun(run, { status: 0, hit: false, contains: ["FIXTURE-BUILD-RAN"] }, "ro miss");
  assert.deepEqual(artifactFiles(data, ws), stored, "a read-only token's PUT stored an artifact");
  ok("read-only token: the miss ran, succeeded, and stored nothing (PUT 403 is silent)");
  setVariant(null);

  step("a member's PAT reads and writes (PAT-3)");
  setVariant(`bob ${Date.now()}`);
  run = runNx(prefixed, bobPat.token, "bob miss");
  expectRun(run, { status: 0, hit: false }, "bob miss");
  assert.equal(artifactFiles(data, ws).length, 2, "bob's PUT was not stored");
  run = runNx(prefixed, bobPat.token, "bob hit");
  expectRun(run, { status: 0, hit: true }, "bob hit");
  ok("bob's PAT: miss uploads, then a hit");
  setVariant(null);

  step("revoking the CI token through the HTTP admin API: nx stops with the server's explanation");
  const denied = await command(server.url, "revoke-ci-access-token", bobPat.token, { workspace: ws, id: rw.id });
  assert.equal(denied.status, 403, `a member must not revoke: ${JSON.stringify(denied)}`);
  const withActor = await command(server.url, "revoke-ci-access-token", alicePat.token, { workspace: ws, id: rw.id, actor: "bob" });
  assert.equal(withActor.status, 400, "an actor in the body must be refused");
  const revoked = await command(server.url, "revoke-ci-access-token", alicePat.token, { workspace: ws, id: rw.id });
  assert.equal(revoked.status, 200, JSON.stringify(revoked));
  run = runNx(`${server.url}/`, rw.token, "revoked");
  expectRun(run, { status: 1, contains: ["Unauthorized: nxcloud-access refused", "revoked", "REV-2", "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"], secretsAbsent: secrets }, "revoked");
  ok("revoked CI token: nx stopped with `Unauthorized: …` (rule REV-2), the token not printed");

  step("workspace ID access none (set with the admin CLI while the server runs) refuses an anonymous runner");
  run = runNx(prefixed, null, "anonymous rw");
  expectRun(run, { status: 0, hit: true }, "anonymous rw");
  admin(data, "set-workspace-id-access", { workspace: ws, actor: "alice", level: "none" });
  run = runNx(prefixed, null, "anonymous none");
  expectRun(run, { status: 1, contains: ["Unauthorized: nxcloud-access refused", "workspace ID"] }, "anonymous none");
  ok("anonymous runner: a hit at read-write, refused from the next request after `none`");

  step("a removed member's PAT: nx stops with the server's explanation (REV-1)");
  run = runNx(prefixed, bobPat.token, "bob member");
  expectRun(run, { status: 0, hit: true }, "bob member");
  const removed = await command(server.url, "remove-member", alicePat.token, { organization: "acme", user: "bob" });
  assert.equal(removed.status, 200, JSON.stringify(removed));
  run = runNx(prefixed, bobPat.token, "bob removed");
  expectRun(run, { status: 1, contains: ["Unauthorized: nxcloud-access refused", "personal access token"], secretsAbsent: secrets }, "bob removed");
  ok("bob removed: his PAT gets the workspace ID level (none), nx stopped with the explanation");

  step("workspace ID access read-only lets an anonymous runner read, never write");
  admin(data, "set-workspace-id-access", { workspace: ws, actor: "alice", level: "read-only" });
  run = runNx(prefixed, null, "anonymous ro hit");
  expectRun(run, { status: 0, hit: true }, "anonymous ro hit");
  const before = artifactFiles(data, ws);
  setVariant(`anonymous ${Date.now()}`);
  run = runNx(prefixed, null, "anonymous ro miss");
  expectRun(run, { status: 0, hit: false }, "anonymous ro miss");
  assert.deepEqual(artifactFiles(data, ws), before, "an anonymous read-only runner stored an artifact");
  setVariant(null);
  ok("anonymous at read-only: a hit, and a miss that stores nothing");

  const log = fs.readFileSync(server.logPath, "utf8");
  for (const secret of secrets) assert.ok(!log.includes(secret), "the server log holds a token");
  assert.match(log, /runner decision.*rule=TOK-3/);
  ok("the server log records decisions with rules and holds no token");
  server.child.kill("SIGTERM");
  const end = await exited(server.child);
  assert.equal(end.code, 0, `the server exited with ${JSON.stringify(end)}`);
  ok("SIGTERM: the server stopped cleanly");
}

// ---------------------------------------------------------------- protocol

function rawPut(url, token, totalLength, firstPart) {
  // Starts an upload that declares `totalLength` bytes and sends `firstPart`.
  const target = new URL(url);
  const req = http.request({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream", "content-length": totalLength },
  });
  const answer = new Promise((resolve, reject) => {
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
  });
  answer.catch(() => {});
  req.write(firstPart);
  return { req, answer };
}

async function protocol() {
  const data = path.join(work, "protocol-data");
  step("protocol setup");
  admin(data, "create-user", { id: "alice", email: "alice@example.com" });
  admin(data, "create-organization", { id: "acme", name: "Acme", creator: "alice" });
  const { nxCloudId: ws } = admin(data, "create-workspace", { organization: "acme", actor: "alice" });
  const rw = admin(data, "create-ci-access-token", { workspace: ws, actor: "alice", name: "rw", access: "read-write" });
  const ro = admin(data, "create-ci-access-token", { workspace: ws, actor: "alice", name: "ro", access: "read-only" });
  const flags = ["--max-artifact-bytes", String(1024 * 1024), "--idle-timeout", "2", "--body-idle-timeout", "1"];
  let server = await startServer(data, flags);
  const committed = new Map();

  step("concurrent PUTs of one hash: one 200, the rest 409, the artifact intact");
  const bodies = Array.from({ length: 8 }, () => crypto.randomBytes(300 * 1024));
  const answers = await Promise.all(
    bodies.map((body) => request(`${server.url}/v1/cache/1001`, { method: "PUT", token: rw.token, body })),
  );
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses ${statuses}`);
  assert.equal(statuses.filter((s) => s === 409).length, 7, `statuses ${statuses}`);
  const winner = bodies[statuses.indexOf(200)];
  const got = Buffer.from(await (await request(`${server.url}/v1/cache/1001`, { token: rw.token })).arrayBuffer());
  assert.ok(got.equals(winner), "the stored artifact is not the winning upload");
  committed.set("1001", winner);
  ok(`8 concurrent PUTs: ${statuses.join(",")}; the stored bytes are the winner's`);

  step("a killed upload leaves nothing");
  const killed = rawPut(`${server.url}/v1/cache/1002`, rw.token, 200_000, crypto.randomBytes(100_000));
  await sleep(300);
  killed.req.destroy();
  await sleep(300);
  assert.equal((await request(`${server.url}/v1/cache/1002`, { token: rw.token })).status, 404);
  assert.deepEqual(artifactFiles(data, ws), ["1001"], "a temporary or partial file is left");
  ok("upload cut at half: GET 404, no file left in the workspace folder");

  step("413 above the maximum artifact size, 409 for an existing one, 403 for read-only");
  let res = await request(`${server.url}/v1/cache/1003`, { method: "PUT", token: rw.token, body: Buffer.alloc(1024 * 1024 + 1) });
  assert.equal(res.status, 413);
  res = await request(`${server.url}/v1/cache/1003`, { method: "PUT", token: ro.token, body: Buffer.alloc(900 * 1024) });
  assert.equal(res.status, 403);
  res = await request(`${server.url}/v1/cache/1001`, { method: "PUT", token: rw.token, body: Buffer.alloc(900 * 1024) });
  assert.equal(res.status, 409);
  res = await request(`${server.url}/v1/cache/1003`, { token: "nxca_not-a-real-token-at-all-0000000000000" });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("content-type"), "text/plain");
  assert.ok(!(await res.text()).includes("not-a-real-token"), "a 401 body repeats the token");
  assert.deepEqual(artifactFiles(data, ws), ["1001"]);
  ok("413, 403, 409, 401 text/plain (token not repeated); nothing stored");

  step("a PAT counts only with the workspace in the URL (PAT-2, PAT-3)");
  const pat = admin(data, "create-personal-access-token", { user: "alice", name: "laptop" });
  res = await request(`${server.url}/v1/cache/1001`, { token: pat.token });
  assert.equal(res.status, 401);
  const patRefusal = await res.text();
  assert.ok(patRefusal.includes("/ws/<nxCloudId>") && !patRefusal.includes(pat.token), patRefusal);
  res = await request(`${server.url}/some/prefix/ws/${ws}/v1/cache/1001`, { token: pat.token });
  assert.equal(res.status, 200);
  ok("PAT without /ws/<id>: 401 saying how to name the workspace; with a path prefix and /ws/<id>: a hit");

  step("a slow client cannot hold the server: stalled headers and stalled uploads are dropped");
  const slowloris = net.connect(server.port, "127.0.0.1");
  const closedAt = new Promise((resolve) => slowloris.on("close", () => resolve(Date.now())));
  slowloris.on("error", () => {});
  const openedAt = Date.now();
  slowloris.write("GET /healthz HTTP/1.1\r\nhost: x\r\n");
  const closedAfter = (await Promise.race([closedAt, sleep(10_000).then(() => null)])) - openedAt;
  assert.ok(closedAfter > 1000 && closedAfter < 8000, `a connection with unfinished headers was held ${closedAfter} ms`);
  const stalled = rawPut(`${server.url}/v1/cache/1005`, rw.token, 1000, Buffer.alloc(10));
  const stalledAnswer = await Promise.race([stalled.answer.catch((e) => ({ status: `error ${e.code}` })), sleep(10_000).then(() => ({ status: "none" }))]);
  assert.equal(stalledAnswer.status, 400, JSON.stringify(stalledAnswer));
  stalled.req.destroy();
  assert.equal((await request(`${server.url}/v1/cache/1005`, { token: rw.token })).status, 404);
  assert.deepEqual(artifactFiles(data, ws), ["1001"]);
  ok(`unfinished headers closed after ${closedAfter} ms; a stalled upload answered 400, nothing stored`);

  step("SIGTERM finishes an upload in flight");
  const slowBody = crypto.randomBytes(200_000);
  const slow = rawPut(`${server.url}/v1/cache/1004`, rw.token, slowBody.length, slowBody.subarray(0, 100_000));
  await sleep(300);
  server.child.kill("SIGTERM");
  await sleep(300);
  slow.req.end(slowBody.subarray(100_000));
  const slowAnswer = await slow.answer;
  assert.equal(slowAnswer.status, 200, JSON.stringify(slowAnswer));
  const stopped = await exited(server.child);
  assert.equal(stopped.code, 0, JSON.stringify(stopped));
  committed.set("1004", slowBody);
  ok("the upload begun before SIGTERM was stored (200), then the server exited 0");

  step("SIGKILL during an upload, restart: every committed artifact and the full state are there");
  server = await startServer(data, flags);
  for (let i = 0; i < 5; i += 1) {
    const body = crypto.randomBytes(50_000 + i);
    res = await request(`${server.url}/ws/${ws}/v1/cache/${2000 + i}`, { method: "PUT", token: rw.token, body });
    assert.equal(res.status, 200);
    committed.set(String(2000 + i), body);
  }
  admin(data, "revoke-ci-access-token", { workspace: ws, actor: "alice", id: ro.id });
  const inflight = rawPut(`${server.url}/v1/cache/3000`, rw.token, 500_000, crypto.randomBytes(250_000));
  await sleep(300);
  server.child.kill("SIGKILL");
  await exited(server.child);
  inflight.req.destroy();
  server = await startServer(data, flags);
  for (const [hash, body] of committed) {
    const back = await request(`${server.url}/v1/cache/${hash}`, { token: rw.token });
    assert.equal(back.status, 200, `artifact ${hash} lost`);
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(body), `artifact ${hash} changed`);
  }
  assert.equal((await request(`${server.url}/v1/cache/3000`, { token: rw.token })).status, 404);
  assert.ok(!artifactFiles(data, ws).some((name) => name.startsWith(".")), "a temporary file survived the restart");
  assert.equal((await request(`${server.url}/v1/cache/1001`, { token: ro.token })).status, 401, "the revoked token works again");
  const tokens = admin(data, "list-ci-access-tokens", { workspace: ws, actor: "alice" });
  assert.deepEqual(tokens.map((t) => t.name), ["rw"]);
  ok(`after SIGKILL: ${committed.size} artifacts intact, the killed upload absent, the revocation kept`);
  server.child.kill("SIGTERM");
  await exited(server.child);
}

try {
  await protocol();
  await realNx();
  console.log(`\nPASS: ${passed()} checks (nx ${installed})`);
  fs.rmSync(work, { recursive: true, force: true });
} catch (error) {
  setVariant(null);
  console.error(`\nFAIL after ${passed()} checks: ${error.stack ?? error}`);
  console.error(`(work folder kept: ${work})`);
  process.exit(1);
}
