// The Nx plugin `nxcloud-access/nx-plugin` with the real nx against the real
// `nxcloud-access serve`, on every pinned nx of tests/nx-plugin/installs
// (installed under ~/.cache by tests/nx-plugin/install.sh), daemon off and on.
//
// Usage: node tests/nx-plugin/run.mjs <nxcloud-access binary> <packed nxcloud-access .tgz> [nx-ID ...]
// (scripts/test-server builds both and installs nx first). Binds 127.0.0.1
// only; nx never sees Nx Cloud (NX_NO_CLOUD, no nxCloudId in nx.json). Fails
// loudly (exit 1) on the first broken expectation; never skips.
//
// What the server saw is read from its log: one `runner decision` line per
// request, with the principal and the first 8 hex digits of the SHA-256 of
// the token (never the token).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { harness, reporter } from "../nx-e2e/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(process.argv[2] ?? "");
const tarball = path.resolve(process.argv[3] ?? "");
const cache = process.env.NXCLOUD_NX_PLUGIN_CACHE ?? path.join(os.homedir(), ".cache", "nxcloud-nx-plugin");
const ids = process.argv.length > 4 ? process.argv.slice(4) : fs.readdirSync(path.join(here, "installs")).sort();

const { step, ok, passed } = reporter();

if (!process.argv[2] || !fs.existsSync(bin)) fail(`the nxcloud-access binary was not found at \`${bin}\`: build it first (scripts/test-server does)`);
if (!process.argv[3] || !fs.existsSync(tarball)) fail(`the packed package was not found at \`${tarball}\`: run \`npm pack\` in pkg/ after scripts/build-pkg (scripts/test-server does)`);

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-nx-plugin-"));
const { admin, startServer } = harness(bin, work);
const PLUGIN_LINE = /^nxcloud-access\/nx-plugin: /m;
const PLUGIN_ERROR = /nxcloud-access\/nx-plugin: error\[/;

const hash8 = (token) => crypto.createHash("sha256").update(token).digest("hex").slice(0, 8);

/** The runner decisions the server logged since `from` (a byte offset). */
function decisions(logPath, from) {
  // `from` counts bytes (the log holds `…`, three bytes for one character).
  const text = fs.readFileSync(logPath).subarray(from).toString("utf8");
  return text
    .split("\n")
    .filter((line) => line.includes("runner decision"))
    .map((line) => ({
      principal: /principal="?([\w-]+)/.exec(line)?.[1],
      credential: /credential="?(\S+?)"?(\s|$)/.exec(line)?.[1] ?? "",
      action: /action="?([\w-]+)/.exec(line)?.[1],
      allowed: /allowed=(true|false)/.exec(line)?.[1] === "true",
      line,
    }));
}

/** Waits until the server's log stops growing (it may write a decision
 * after nx has exited): 150 ms without a change, at most 3 s. */
function settle(logPath) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let size = fs.statSync(logPath).size;
  for (let quiet = 0, waited = 0; quiet < 3 && waited < 3000; waited += 50) {
    Atomics.wait(pause, 0, 0, 50);
    const now = fs.statSync(logPath).size;
    quiet = now === size ? quiet + 1 : 0;
    size = now;
  }
}

async function main() {
  const data = path.join(work, "data");
  admin(data, "create-user", { id: "alice", email: "alice@example.com" });
  admin(data, "create-user", { id: "bob", email: "bob@example.com" });
  admin(data, "create-organization", { id: "acme", name: "Acme", creator: "alice" });
  const { nxCloudId: ws } = admin(data, "create-workspace", { organization: "acme", actor: "alice" });
  admin(data, "invite", { organization: "acme", actor: "alice", email: "bob@example.com", role: "member" });
  admin(data, "join", { organization: "acme", user: "bob" });
  // The workspace ID alone may read, not write: "no PAT" is then visible.
  admin(data, "set-workspace-id-access", { workspace: ws, actor: "alice", level: "read-only" });
  const ro = admin(data, "create-ci-access-token", { workspace: ws, actor: "alice", name: "ci-ro", access: "read-only" });
  const server = await startServer(data);
  const secrets = [ro.token];

  for (const id of ids) {
    // NXCLOUD_NX_PLUGIN_DAEMON=off|on runs one mode only (while developing).
    const modes = { off: [false], on: [true] }[process.env.NXCLOUD_NX_PLUGIN_DAEMON] ?? [false, true];
    for (const daemon of modes) {
      await combination({ id, daemon, data, ws, ro, server, secrets });
    }
  }
  const log = fs.readFileSync(server.logPath, "utf8");
  for (const secret of secrets) assert.ok(!log.includes(secret), "the server log holds a token");
  ok("the server log holds no token");
  console.log(`\nPASS: ${passed()} checks (${ids.join(", ")}; daemon off and on)`);
}

async function combination({ id, daemon, data, ws, ro, server, secrets }) {
  const nxRoot = path.join(cache, id, "node_modules", "nx");
  const nxPackage = path.join(nxRoot, "package.json");
  if (!fs.existsSync(nxPackage)) fail(`nx is not installed at ${nxRoot}: run tests/nx-plugin/install.sh (scripts/test-server does)`);
  const { version, bin: nxBin } = JSON.parse(fs.readFileSync(nxPackage, "utf8"));
  // installs-slow/: the optional slower job's releases (named explicitly).
  const pinDir = ["installs", "installs-slow"].map((d) => path.join(here, d, id)).find((d) => fs.existsSync(d)) ?? path.join(here, "installs", id);
  const pinned = JSON.parse(fs.readFileSync(path.join(pinDir, "package.json"), "utf8")).devDependencies.nx;
  if (version !== pinned) fail(`nx ${version} is installed at ${nxRoot}, ${id} pins ${pinned}: run tests/nx-plugin/install.sh`);
  const mode = daemon ? "daemon on" : "daemon off";
  const label = `nx ${version}, ${mode}`;

  // A fresh workspace: the fixture, nx linked from the cache, the package
  // unpacked from its tarball (what `npm install <tgz>` puts there).
  const root = path.join(work, `${id}-${daemon ? "daemon" : "nodaemon"}`);
  fs.cpSync(path.join(here, "workspace"), root, { recursive: true });
  fs.mkdirSync(path.join(root, "node_modules", "nxcloud-access"), { recursive: true });
  fs.symlinkSync(nxRoot, path.join(root, "node_modules", "nx"), "dir");
  const untar = spawnSync("tar", ["-xzf", tarball, "-C", path.join(root, "node_modules", "nxcloud-access"), "--strip-components=1"], { encoding: "utf8" });
  assert.equal(untar.status, 0, untar.stderr);
  const nxEntry = path.join(nxRoot, typeof nxBin === "string" ? nxBin : nxBin.nx);
  const home = path.join(root, ".home");
  const patFile = path.join(home, ".config", "nxcloud", "nxcloud.ini");
  const section = `[${server.url.replaceAll(".", "\\.")}]`;
  const writePat = (token) => {
    fs.mkdirSync(path.dirname(patFile), { recursive: true });
    fs.writeFileSync(patFile, `${section}\npersonalAccessToken=${token}\n`);
  };
  const nxJson = (plugins) =>
    fs.writeFileSync(path.join(root, "nx.json"), JSON.stringify({ plugins, targetDefaults: { build: { cache: true } } }, null, 2));
  // nx 22.7.12's daemon kept running the plugin with its old options after
  // nx.json changed (24.0.6's reloads it): the daemon caveat, so stop it.
  const reconfigured = () => {
    if (daemon && version.startsWith("22.")) assert.equal(nx(["daemon", "--stop"]).status, 0);
  };
  const plugin = { plugin: "nxcloud-access/nx-plugin", options: { url: server.url, nxCloudId: ws } };
  nxJson([plugin]);
  let variant = 0;
  const variantFile = path.join(root, "packages", "lib", "src", "variant.txt");

  function nx(args, { env: extra = {}, fresh = false } = {}) {
    const env = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("NX_") && key !== "CI") env[key] = value;
    delete env.XDG_CONFIG_HOME;
    Object.assign(env, { HOME: home, NX_DAEMON: String(daemon), NX_TUI: "false", NX_NO_CLOUD: "true" }, extra);
    if (fresh) {
      variant += 1;
      fs.writeFileSync(variantFile, `${label} ${variant} ${Date.now()}\n`);
    }
    const from = fs.statSync(server.logPath).size;
    const run = spawnSync(process.execPath, [nxEntry, ...args], { cwd: root, env, encoding: "utf8", timeout: 180_000 });
    if (run.error) throw new Error(`nx ${args.join(" ")} (${label}) did not finish: ${run.error.message}`);
    const output = `${run.stdout}\n${run.stderr}`;
    settle(server.logPath);
    return { status: run.status, output, seen: decisions(server.logPath, from) };
  }
  const build = (options) => nx(["run", "lib:build", "--outputStyle=static"], options);
  const show = (run) => `nx output (${label}):\n${run.output}\nserver saw:\n${run.seen.map((d) => d.line).join("\n")}`;
  const noSecrets = (run, tokens) => {
    for (const t of tokens) assert.ok(!run.output.includes(t), `a token was printed\n${show(run)}`);
  };
  const artifacts = () => {
    const dir = path.join(data, "artifacts", ws);
    return fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
  };
  const daemonLog = () => {
    const file = path.join(root, ".nx", "workspace-data", "d", "daemon.log");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  };

  admin(data, "set-personal-access-token-access", { workspace: ws, actor: "alice", level: "read-write" });
  const pat = admin(data, "create-personal-access-token", { user: "bob", name: `laptop ${label}` });
  secrets.push(pat.token);
  const patSeen = (run) => run.seen.length > 0 && run.seen.every((d) => d.principal === "personal-access-token" && d.credential.endsWith(`#${hash8(pat.token)}`));
  writePat(pat.token);

  try {
    step(`${label}: a member's PAT at the read-write PAT level`);
    let stored = artifacts();
    let run = build({ fresh: true });
    assert.equal(run.status, 0, show(run));
    assert.ok(run.output.includes("FIXTURE-BUILD-RAN") && !run.output.includes("[remote cache]"), `expected a miss\n${show(run)}`);
    assert.ok(patSeen(run), `the server should see bob's PAT on every request\n${show(run)}`);
    assert.ok(run.seen.some((d) => d.action === "write-cache" && d.allowed), `the miss should upload\n${show(run)}`);
    assert.equal(artifacts(), stored + 1, "the miss was not stored");
    assert.doesNotMatch(run.output, PLUGIN_LINE, `a good setup prints nothing from the plugin\n${show(run)}`);
    noSecrets(run, secrets);
    ok(`${label}: the miss uploaded with the PAT from the PAT file; the plugin printed nothing`);
    // The local cache wiped: `.nx` whole (`nx reset --onlyCache` left 22.7's
    // local cache entry in place), the daemon stopped first.
    if (daemon) assert.equal(nx(["daemon", "--stop"]).status, 0);
    fs.rmSync(path.join(root, ".nx"), { recursive: true, force: true });
    fs.rmSync(path.join(root, "packages", "lib", "dist"), { recursive: true, force: true });
    run = build();
    assert.equal(run.status, 0, show(run));
    assert.ok(run.output.includes("[remote cache]"), `expected a remote cache hit after wiping the local cache\n${show(run)}`);
    assert.ok(patSeen(run), show(run));
    assert.equal(fs.readFileSync(path.join(root, "packages", "lib", "dist", "message.txt"), "utf8"), fs.readFileSync(path.join(root, "packages", "lib", "src", "message.txt"), "utf8").toUpperCase());
    ok(`${label}: after wiping the local cache, a [remote cache] hit with the PAT`);

    step(`${label}: the read-only PAT level stores nothing`);
    admin(data, "set-personal-access-token-access", { workspace: ws, actor: "alice", level: "read-only" });
    stored = artifacts();
    run = build({ fresh: true });
    assert.equal(run.status, 0, show(run));
    assert.ok(patSeen(run), show(run));
    assert.ok(run.seen.some((d) => d.action === "write-cache" && !d.allowed), `the upload should be refused\n${show(run)}`);
    assert.equal(artifacts(), stored, "a read-only PAT stored an artifact");
    ok(`${label}: read-only PAT: the miss ran, the upload was refused, nothing stored`);
    admin(data, "set-personal-access-token-access", { workspace: ws, actor: "alice", level: "read-write" });

    step(`${label}: the user's own NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN wins over the PAT`);
    stored = artifacts();
    run = build({ fresh: true, env: { NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: ro.token } });
    assert.equal(run.status, 0, show(run));
    assert.ok(run.seen.length > 0 && run.seen.every((d) => d.principal === "ci-access-token" && d.credential.endsWith(`#${hash8(ro.token)}`)), `the server should see the user's token only\n${show(run)}`);
    assert.equal(artifacts(), stored, "the read-only CI token stored an artifact");
    noSecrets(run, secrets);
    ok(`${label}: the server saw the user's CI token, never the PAT${daemon ? " (exported after the daemon started)" : ""}`);

    step(`${label}: the user's own NX_SELF_HOSTED_REMOTE_CACHE_SERVER wins: no PAT goes to it`);
    run = build({ fresh: true, env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `${server.url}/ws/${ws}/` } });
    assert.equal(run.status, 0, show(run));
    assert.ok(run.seen.length > 0 && run.seen.every((d) => d.principal === "anonymous"), `the user's server must not receive the PAT\n${show(run)}`);
    ok(`${label}: the user's own server URL got no token from the plugin`);

    step(`${label}: the user unsets the variables again`);
    run = build({ fresh: true });
    assert.equal(run.status, 0, show(run));
    // nx 22.7 forwards the client's variables to the daemon's plugin worker
    // but never removes one: the user's unset variables stay there, the
    // plugin takes them for the user's and sets nothing, and the client,
    // which no longer has them, uses no remote cache (the unset server URL)
    // or sends no token. Nx 23.1+ mirrors the client exactly.
    const staleDaemon = daemon && version.startsWith("22.");
    if (staleDaemon) {
      assert.ok(run.seen.every((d) => d.principal === "anonymous"), `expected no token (nx ${version}'s daemon keeps the unset variables)\n${show(run)}`);
      ok(`${label}: after the unset the server saw ${run.seen.length} request(s), none with a token: neither the user's unset values nor the PAT (the daemon caveat)`);
    } else {
      assert.ok(patSeen(run), `after the unset the PAT applies again\n${show(run)}`);
      ok(`${label}: after the unset the PAT applied again`);
    }

    step(`${label}: no PAT for the url: the workspace ID access level applies`);
    fs.writeFileSync(patFile, "[https://cloud\\.nx\\.app]\npersonalAccessToken=someone-elses-token-0000\n");
    stored = artifacts();
    run = build({ fresh: true });
    assert.equal(run.status, 0, show(run));
    if (!staleDaemon) {
      assert.ok(run.seen.length > 0 && run.seen.every((d) => d.principal === "anonymous"), `expected the workspace ID alone, never a stale PAT\n${show(run)}`);
      assert.ok(run.seen.some((d) => d.action === "write-cache" && !d.allowed), `the workspace ID (read-only) may not write\n${show(run)}`);
      assert.equal(artifacts(), stored);
    }
    assert.doesNotMatch(run.output, PLUGIN_LINE, show(run));
    ok(`${label}: no PAT for the url: the server decided at the workspace ID access level (read-only here), nothing printed`);

    if (staleDaemon) {
      // The caveat's fix: a fresh daemon has the user's current environment.
      const stop = nx(["daemon", "--stop"]);
      assert.equal(stop.status, 0, stop.output);
    }

    step(`${label}: a revoked PAT stops nx with the server's message`);
    writePat(pat.token);
    admin(data, "revoke-personal-access-token", { user: "bob", id: pat.id });
    run = build({ fresh: true });
    assert.notEqual(run.status, 0, `nx should stop\n${show(run)}`);
    assert.ok(run.output.includes("nxcloud-access refused") && run.output.includes("revoked"), `expected the server's message\n${show(run)}`);
    noSecrets(run, secrets);
    ok(`${label}: revoked PAT: nx exited ${run.status} with \`nxcloud-access refused … revoked\`, no token printed`);

    step(`${label}: an error setup prints exactly one line`);
    const pat2 = admin(data, "create-personal-access-token", { user: "bob", name: `laptop 2 ${label}` });
    secrets.push(pat2.token);
    fs.writeFileSync(patFile, `${section}\npersonalAccessToken=${pat2.token}\n[broken`);
    const before = daemonLog().length;
    run = build({ fresh: true });
    assert.equal(run.status, 0, show(run));
    assert.ok(run.seen.every((d) => d.principal === "anonymous"), show(run));
    noSecrets(run, secrets);
    const where = daemon ? daemonLog().slice(before) : run.output;
    const lines = where.split("\n").filter((l) => PLUGIN_ERROR.test(l));
    assert.equal(lines.length, 1, `expected one line from the plugin${daemon ? " in the daemon log" : ""}\n${show(run)}\n${where.split("\n").filter((l) => l.includes("nxcloud-access")).join("\n")}`);
    assert.match(lines[0], /error\[pat-file-invalid\]: .*nxcloud\.ini:3:\d+: /);
    assert.ok(!lines[0].includes(pat2.token));
    if (daemon) assert.doesNotMatch(run.output, PLUGIN_LINE, "with the daemon the worker's output goes to the daemon log");
    ok(`${label}: a malformed PAT file: one line${daemon ? " (in the daemon log)" : ""}: ${lines[0].replace(home, "$HOME")}`);

    nxJson([{ plugin: "nxcloud-access/nx-plugin", options: { url: "ftp://cache", nxCloudId: ws } }]);
    reconfigured();
    const before2 = daemonLog().length;
    run = build({ fresh: true });
    assert.equal(run.status, 0, show(run));
    assert.equal(run.seen.length, 0, `invalid options set nothing\n${show(run)}`);
    const where2 = daemon ? daemonLog().slice(before2) : run.output;
    const lines2 = where2.split("\n").filter((l) => PLUGIN_ERROR.test(l));
    assert.equal(lines2.length, 1, `${show(run)}\n${where2.split("\n").filter((l) => l.includes("nxcloud-access")).join("\n")}`);
    assert.match(lines2[0], /error\[invalid-options\]: `url` is `ftp:\/\/cache`/);
    ok(`${label}: invalid options: one line, nothing set`);

    step(`${label}: a removed plugin leaves no token behind`);
    writePat(pat2.token);
    nxJson([plugin]);
    reconfigured();
    run = build({ fresh: true });
    assert.ok(run.seen.length > 0 && run.seen.every((d) => d.credential.endsWith(`#${hash8(pat2.token)}`)), `the plugin is back with a PAT\n${show(run)}`);
    nxJson([]);
    if (daemon) {
      const stop = nx(["daemon", "--stop"]);
      assert.equal(stop.status, 0, stop.output);
    }
    run = build({ fresh: true });
    assert.equal(run.status, 0, show(run));
    assert.equal(run.seen.length, 0, `without the plugin nothing reaches the cache server\n${show(run)}`);
    ok(`${label}: plugin removed${daemon ? ", `nx daemon --stop`" : ""}: no request, no token`);
  } finally {
    if (daemon) nx(["daemon", "--stop"]);
  }
}

main().then(
  // The server child would keep the process alive: exit explicitly.
  () => {
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(0);
  },
  (e) => {
    console.error(`\nFAIL: ${e.stack || e}`);
    console.error(`(work folder kept: ${work})`);
    process.exit(1);
  },
);
