"use strict";
// One process, one run: nxcloud-access (the npm package in ../pkg, built by
// scripts/build-pkg) side by side with what users would pick instead:
//
//   1. resolveCredentials vs Nx's own JavaScript for the same job (nx from
//      npm, pinned in package-lock.json: parseJson as readNxJson calls it,
//      isNxCloudUsed, getRunnerOptions, and the env / nx-cloud.env token
//      choice of nx-cloud/utilities/environment.js with Nx's dotenv);
//   2. resolveCredentials vs a bare JSON.parse of the same nx.json;
//   3. authorizeRunner vs @cedar-policy/cedar-wasm's statefulIsAuthorized
//      (preparsed policy set) on the same requests, with an equivalent
//      policy set and entities; every decision is checked to agree;
//   4. cold start: a fresh Node process from `require` to the first result;
//   5. package size: our .wasm and Cedar's, raw and gzipped.
//
// Timing: after a warm-up of a second per contender, each comparison runs
// its contenders in alternating batches (one
// batch each per sample, the order flipped every sample) so that load on the
// machine hits both alike; a batch lasts about BATCH_MS; the figures are the
// median per-operation time over SAMPLES samples with the spread (min-max of
// the samples). Run: `npm ci && npm run bench` in bench/ (see README.md).
//
// Options: --quick (fewer samples, for a smoke run), --json FILE (also write
// the figures as JSON), --only size,cold,resolve,authorize (some sections).

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const zlib = require("node:zlib");

const { load, ENV, NX_CLOUD_ENV } = require("./fixtures.js");

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : null;
const SAMPLES = QUICK ? 5 : 21;
const BATCH_MS = QUICK ? 20 : 40;
const COLD_RUNS = QUICK ? 5 : 15;
const WARMUP_MS = QUICK ? 300 : 1000;

const PKG = path.resolve(process.env.NXCLOUD_PKG_DIR || path.join(__dirname, "..", "pkg"));
const NX_DIR = path.dirname(require.resolve("nx/package.json"));
const NX_VERSION = require("nx/package.json").version;
const CEDAR_DIR = path.join(__dirname, "node_modules", "@cedar-policy", "cedar-wasm");
const CEDAR_VERSION = JSON.parse(fs.readFileSync(path.join(CEDAR_DIR, "package.json"), "utf8")).version;

const ours = require(PKG);
const cedar = require("@cedar-policy/cedar-wasm/nodejs");

const results = { machine: machine(), sections: {} };

// ------------------------------------------------------------------ timing

/** Calls `fn` n times; returns nanoseconds per call. */
function batch(fn, n) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (fn(i) !== undefined) sink++;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (sink < 0) console.log(sink);
  return ns / n;
}

/** How many calls of `fn` fill a batch of BATCH_MS. */
function calibrate(fn) {
  let n = 1;
  for (;;) {
    const per = batch(fn, n);
    if (per * n > 5e6 || n >= 1 << 24) return Math.max(1, Math.round((BATCH_MS * 1e6) / per));
    n *= 4;
  }
}

/**
 * Times contenders { name: fn } in alternating batches; returns
 * { name: { median, min, max, p25, p75 } } in nanoseconds per call.
 */
function compare(contenders) {
  const names = Object.keys(contenders);
  const sizes = {};
  for (const name of names) {
    // Warm up for WARMUP_MS: V8 compiles wasm with its baseline tier first
    // and optimises hot functions in the background; a short warm-up would
    // time the baseline code of whichever section runs first.
    const until = Date.now() + WARMUP_MS;
    while (Date.now() < until) batch(contenders[name], 50);
    sizes[name] = calibrate(contenders[name]);
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let s = 0; s < SAMPLES; s++) {
    const order = s % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples[name].push(batch(contenders[name], sizes[name]));
  }
  return Object.fromEntries(names.map((n) => [n, stats(samples[n])]));
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), p25: q(0.25), p75: q(0.75), min: s[0], max: s[s.length - 1], samples: s.length };
}

function fmtTime(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}
const fmtStat = (st) => `${fmtTime(st.median)} (${fmtTime(st.min)}–${fmtTime(st.max)})`;
const perSec = (st) => 1e9 / st.median;
const fmtRate = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(1)} k/s`);

function row(cells) {
  console.log(`| ${cells.join(" | ")} |`);
}

// -------------------------------------------------------- 1-2: resolution

/** Nx's own path for the same job, as `nx` 24 runs it at the start of a command. */
function nxResolver() {
  const src = path.join(NX_DIR, "dist", "src");
  const { parseJson } = require(path.join(src, "utils", "json.js"));
  const { getRunnerOptions } = require(path.join(src, "tasks-runner", "run-command.js"));
  const { isNxCloudUsed } = require(path.join(src, "utils", "nx-cloud-utils.js"));
  const dotenv = require(require.resolve("dotenv", { paths: [NX_DIR] }));
  return (nxJsonText, nxCloudEnv) => {
    // readNxJson -> readJsonFile -> parseJson(content, options)
    const nxJson = parseJson(nxJsonText, {});
    const used = isNxCloudUsed(nxJson);
    // getRunner -> getRunnerOptions for the default runner, cloud default
    const runnerOptions = getRunnerOptions("default", nxJson, {}, true);
    // nx-cloud/utilities/environment.js: loadEnvVars
    const parsed = dotenv.parse(nxCloudEnv);
    const accessToken =
      process.env.NX_CLOUD_AUTH_TOKEN ||
      process.env.NX_CLOUD_ACCESS_TOKEN ||
      parsed.NX_CLOUD_AUTH_TOKEN ||
      parsed.NX_CLOUD_ACCESS_TOKEN ||
      runnerOptions.accessToken;
    return { used, accessToken, nxCloudId: runnerOptions.nxCloudId };
  };
}

function benchResolution() {
  console.log(`\n## 1-2. Resolution: resolveCredentials vs Nx ${NX_VERSION}'s own JavaScript vs JSON.parse\n`);
  // Nx reads process.env: give it the same environment the engine gets.
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith("NX_")) delete process.env[k];
  Object.assign(process.env, ENV);
  const nx = nxResolver();
  const texts = load();
  const out = {};
  row(["nx.json", "bytes", "nxcloud-access", "Nx's JS", "JSON.parse", "ours / Nx", "ours / JSON.parse"]);
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]);
  for (const [name, text] of Object.entries(texts)) {
    const input = { nxVersion: NX_VERSION, nxJson: text, env: ENV, nxCloudEnv: NX_CLOUD_ENV };
    // Same answer first: the token and whether Nx Cloud is used.
    const a = ours.resolveCredentials(input);
    const b = nx(text, NX_CLOUD_ENV);
    if (a.nxCloudUsed !== b.used || a.accessToken?.value !== b.accessToken) {
      throw new Error(`resolution disagrees with Nx on ${name}: ${JSON.stringify([a.nxCloudUsed, b.used])}`);
    }
    const r = compare({
      ours: () => ours.resolveCredentials(input),
      nx: () => nx(text, NX_CLOUD_ENV),
      parse: () => JSON.parse(text),
    });
    const vsNx = r.ours.median / r.nx.median;
    const vsParse = r.ours.median / r.parse.median;
    out[name] = { bytes: text.length, ...r, oursOverNx: vsNx, oursOverParse: vsParse };
    row([name, text.length, fmtStat(r.ours), fmtStat(r.nx), fmtStat(r.parse), `${vsNx.toFixed(2)}x`, `${vsParse.toFixed(2)}x`]);
  }
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  results.sections.resolution = out;
}

// ------------------------------------------------------ 3: authorization

const ACTIONS = ["read-cache", "write-cache", "record-run", "distribute"];

/**
 * An organization of `n` members (one admin) with one workspace and `n` CI
 * access tokens (half read-only), `n` PATs (one per member); our engine
 * holds it, and the same facts become Cedar entities.
 */
function organization(n) {
  const ac = new ours.AccessControl();
  ac.createUser({ id: "admin", email: "admin@corp.example" });
  ac.createOrganization({ id: "acme", name: "Acme", creator: "admin" });
  ac.invite({ organization: "acme", actor: "admin", domain: "corp.example", role: "member" });
  // At most 1,000 CI tokens per workspace (creating one scans the
  // workspace's token names: 100,000 in one workspace take minutes to set
  // up; the decisions do not scan).
  const workspaces = [];
  for (let w = 0; w < Math.ceil(n / 1000); w++) {
    const { nxCloudId } = ac.createWorkspace({ organization: "acme", actor: "admin" });
    ac.setWorkspaceIdAccess({ workspace: nxCloudId, actor: "admin", level: "read-only" });
    ac.setPersonalAccessTokenAccess({ workspace: nxCloudId, actor: "admin", level: "read-write" });
    workspaces.push(nxCloudId);
  }
  const ci = [];
  const pats = [];
  for (let i = 0; i < n; i++) {
    const user = `user${i}`;
    const workspace = workspaces[Math.floor(i / 1000)];
    ac.createUser({ id: user, email: `${user}@corp.example` });
    ac.join({ organization: "acme", user });
    const access = i % 2 === 0 ? "read-only" : "read-write";
    const t = ac.createCiAccessToken({ workspace, actor: "admin", name: `ci-${i}`, access });
    ci.push({ ...t, access, workspace });
    pats.push({ ...ac.createPersonalAccessToken({ user, name: "laptop" }), user, workspace });
  }
  // An outsider's PAT (not a member: the workspace ID level applies).
  ac.createUser({ id: "outsider", email: "outsider@elsewhere.example" });
  const outsiderPat = { ...ac.createPersonalAccessToken({ user: "outsider", name: "laptop" }), user: "outsider", workspace: workspaces[0] };
  return { ac, ci, pats, outsiderPat };
}

/** Cedar's equivalent of the runner plane (TOK-2..4, PAT-3..5, WSID-2/3). */
const CEDAR_POLICIES = `
// TOK-2, TOK-3: a CI access token of the workspace reads, records, distributes.
permit(principal is CiAccessToken, action in [Action::"read-cache", Action::"record-run", Action::"distribute"], resource is Workspace)
  when { principal.workspace == resource };
// TOK-4: only a read-write token writes.
permit(principal is CiAccessToken, action == Action::"write-cache", resource is Workspace)
  when { principal.workspace == resource && principal.access == "read-write" };
// PAT-3/4: a member's PAT gets the workspace's PAT access level.
permit(principal is User, action in [Action::"read-cache", Action::"record-run", Action::"distribute"], resource is Workspace)
  when { principal in resource.organization };
permit(principal is User, action == Action::"write-cache", resource is Workspace)
  when { principal in resource.organization && resource.patAccess == "read-write" };
// PAT-5, WSID-2/3: anyone else gets the workspace ID access level.
permit(principal is Anonymous, action in [Action::"read-cache", Action::"record-run", Action::"distribute"], resource is Workspace)
  when { resource.idAccess != "none" };
permit(principal is Anonymous, action == Action::"write-cache", resource is Workspace)
  when { resource.idAccess == "read-write" };
permit(principal is User, action in [Action::"read-cache", Action::"record-run", Action::"distribute"], resource is Workspace)
  when { !(principal in resource.organization) && resource.idAccess != "none" };
permit(principal is User, action == Action::"write-cache", resource is Workspace)
  when { !(principal in resource.organization) && resource.idAccess == "read-write" };
`;

/**
 * The requests both engines decide, in a fixed rotation: CI tokens of both
 * kinds, members' PATs, an outsider's PAT, the bare workspace ID, an
 * unknown token, over all four actions. For Cedar the caller resolves the
 * presented token to its entity (a Map lookup, not timed as Cedar's) and
 * hands over the entities the request touches (the usual entity slicing:
 * Cedar's cost then stays flat as the organization grows).
 */
function requests(org, count) {
  const orgUid = { type: "Organization", id: "acme" };
  const out = [];
  const n = org.ci.length;
  for (let i = 0; i < count; i++) {
    const action = ACTIONS[i % 4];
    const k = (i * 7919) % n; // spread over the organization
    const nxCloudId = org.ci[k].workspace;
    const ws = { type: "Workspace", id: nxCloudId };
    const wsEntity = {
      uid: ws,
      attrs: { organization: { __entity: orgUid }, idAccess: "read-only", patAccess: "read-write" },
      parents: [],
    };
    let ourReq;
    let principal;
    let entities;
    switch (Math.floor(i / 4) % 5) {
      case 0:
      case 1: {
        const t = org.ci[k];
        ourReq = { nxCloudId, accessToken: t.token, action };
        principal = { type: "CiAccessToken", id: t.id };
        entities = [{ uid: principal, attrs: { workspace: { __entity: ws }, access: t.access }, parents: [] }, wsEntity];
        break;
      }
      case 2: {
        const p = org.pats[k];
        ourReq = { nxCloudId, personalAccessToken: p.token, action };
        principal = { type: "User", id: p.user };
        entities = [{ uid: principal, attrs: {}, parents: [orgUid] }, wsEntity, { uid: orgUid, attrs: {}, parents: [] }];
        break;
      }
      case 3: {
        const p = org.outsiderPat; // asks for workspace k's, not a member
        ourReq = { nxCloudId, personalAccessToken: p.token, action };
        principal = { type: "User", id: p.user };
        entities = [{ uid: principal, attrs: {}, parents: [] }, wsEntity, { uid: orgUid, attrs: {}, parents: [] }];
        break;
      }
      default: {
        ourReq = { nxCloudId, action };
        principal = { type: "Anonymous", id: "" };
        entities = [{ uid: principal, attrs: {}, parents: [] }, wsEntity];
      }
    }
    const cedarCall = {
      principal,
      action: { type: "Action", id: action },
      resource: ws,
      context: {},
      preparsedPolicySetId: "runner",
      entities,
    };
    out.push({ ourReq, cedarCall });
  }
  return out;
}

function cedarAllowed(answer) {
  if (answer.type !== "success") throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
  return answer.response.decision === "allow";
}

function benchAuthorization() {
  console.log(`\n## 3. Authorization: authorizeRunner vs Cedar ${CEDAR_VERSION} statefulIsAuthorized\n`);
  const pre = cedar.preparsePolicySet("runner", { staticPolicies: CEDAR_POLICIES });
  if (pre.type !== "success") throw new Error(`cedar policies: ${JSON.stringify(pre)}`);
  const out = {};
  row(["members and tokens", "nxcloud-access", "decisions/s", "nxcloud-access, each request new to the state", "decisions/s", "Cedar (stateful)", "decisions/s", "ours / Cedar (rate)", "ours (new) / Cedar"]);
  row(["---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]);
  const sizes = QUICK ? [10, 1000] : [10, 1000, 100000];
  for (const n of sizes) {
    const org = organization(n);
    const reqs = requests(org, 1000);
    let allowedCount = 0;
    for (const { ourReq, cedarCall } of reqs) {
      const a = org.ac.authorizeRunner(ourReq).allowed;
      const b = cedarAllowed(cedar.statefulIsAuthorized(cedarCall));
      if (a !== b) throw new Error(`decisions disagree: ${JSON.stringify({ ourReq: { ...ourReq, accessToken: undefined }, a, b })}`);
      if (a) allowedCount++;
    }
    const m = reqs.length;
    // `ours` as a cache server sees it: the engine memoises decisions per
    // state (crates/nxcloud-access-wasm/src/memo.rs), and the 1,000 requests
    // come round again. `oursNew`: every request is new to the state, as
    // right after a change (a command that changes nothing still empties
    // the memo; one per 1,000 decisions, its cost included): the SHA-256,
    // the lookups and the reason of every decision.
    const change = { workspace: org.ci[0].workspace, actor: "admin", level: "read-only" };
    const r = compare({
      ours: (i) => org.ac.authorizeRunner(reqs[i % m].ourReq),
      oursNew: (i) => {
        if (i % m === 0) org.ac.setWorkspaceIdAccess(change);
        return org.ac.authorizeRunner(reqs[i % m].ourReq);
      },
      cedar: (i) => cedar.statefulIsAuthorized(reqs[i % m].cedarCall),
    });
    const ratio = r.cedar.median / r.ours.median;
    const ratioNew = r.cedar.median / r.oursNew.median;
    out[n] = { ...r, oursPerSec: perSec(r.ours), oursNewPerSec: perSec(r.oursNew), cedarPerSec: perSec(r.cedar), oursOverCedar: ratio, oursNewOverCedar: ratioNew, allowed: allowedCount / m };
    row([n.toLocaleString("en"), fmtStat(r.ours), fmtRate(perSec(r.ours)), fmtStat(r.oursNew), fmtRate(perSec(r.oursNew)), fmtStat(r.cedar), fmtRate(perSec(r.cedar)), `${ratio.toFixed(0)}x`, `${ratioNew.toFixed(0)}x`]);
    org.ac.free();
  }
  console.log(`\n(1,000 requests in rotation, ${Math.round(out[sizes[0]].allowed * 100)}% allowed; both engines agree on every one.)`);
  results.sections.authorization = out;
}

// ---------------------------------------------------------- 4: cold start

function coldStart() {
  console.log("\n## 4. Cold start: a fresh Node process, from `require` to the first result\n");
  const typical = JSON.stringify(load().typical);
  const scripts = {
    "nxcloud-access: resolveCredentials": `
      const t0 = process.hrtime.bigint();
      const m = require(${JSON.stringify(PKG)});
      const r = m.resolveCredentials({ nxJson: ${typical}, env: {} });
      const t1 = process.hrtime.bigint();
      if (!r.nxCloudUsed) throw new Error("wrong");
      process.stdout.write(String(Number(t1 - t0)));`,
    "nxcloud-access: authorizeRunner": `
      const t0 = process.hrtime.bigint();
      const m = require(${JSON.stringify(PKG)});
      const ac = m.AccessControl.fromJSON(${JSON.stringify(JSON.stringify(coldSnapshot()))});
      const d = ac.authorizeRunner({ nxCloudId: "${COLD_WS}", action: "read-cache" });
      const t1 = process.hrtime.bigint();
      if (!d.allowed) throw new Error("wrong");
      process.stdout.write(String(Number(t1 - t0)));`,
    "Cedar: statefulIsAuthorized": `
      const t0 = process.hrtime.bigint();
      const cedar = require("@cedar-policy/cedar-wasm/nodejs");
      cedar.preparsePolicySet("runner", { staticPolicies: ${JSON.stringify(CEDAR_POLICIES)} });
      const ws = { type: "Workspace", id: "${COLD_WS}" };
      const a = cedar.statefulIsAuthorized({
        principal: { type: "Anonymous", id: "" }, action: { type: "Action", id: "read-cache" }, resource: ws,
        context: {}, preparsedPolicySetId: "runner",
        entities: [{ uid: { type: "Anonymous", id: "" }, attrs: {}, parents: [] },
          { uid: ws, attrs: { organization: { __entity: { type: "Organization", id: "acme" } }, idAccess: "read-only", patAccess: "read-write" }, parents: [] }],
      });
      const t1 = process.hrtime.bigint();
      if (a.response.decision !== "allow") throw new Error("wrong");
      process.stdout.write(String(Number(t1 - t0)));`,
    "Node alone (empty script)": `
      const t0 = process.hrtime.bigint();
      const t1 = process.hrtime.bigint();
      process.stdout.write(String(Number(t1 - t0)));`,
  };
  const names = Object.keys(scripts);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const name of i % 2 ? [...names].reverse() : names) {
      const t0 = process.hrtime.bigint();
      const stdout = execFileSync(process.execPath, ["-e", scripts[name]], { cwd: __dirname, encoding: "utf8" });
      wall[name].push(Number(process.hrtime.bigint() - t0));
      samples[name].push(Number(stdout));
    }
  }
  const out = {};
  row(["", "require to first result", "whole process (spawn to exit)"]);
  row(["---", "---:", "---:"]);
  for (const name of names) {
    out[name] = { inProcess: stats(samples[name]), wall: stats(wall[name]) };
    row([name, fmtStat(out[name].inProcess), fmtStat(out[name].wall)]);
  }
  const c = out["Cedar: statefulIsAuthorized"].inProcess.median;
  const o = out["nxcloud-access: authorizeRunner"].inProcess.median;
  const oR = out["nxcloud-access: resolveCredentials"].inProcess.median;
  console.log(`\nCedar / ours (authorizeRunner): ${(c / o).toFixed(1)}x; Cedar / ours (resolveCredentials): ${(c / oR).toFixed(1)}x`);
  out.cedarOverOurs = c / o;
  out.cedarOverOursResolve = c / oR;
  results.sections.coldStart = out;
}

const COLD_WS = "0123456789abcdef01234567";
/** A small state as a snapshot (what a server restores at start-up). */
function coldSnapshot() {
  const ac = new ours.AccessControl();
  ac.createUser({ id: "admin", email: "admin@corp.example" });
  ac.createOrganization({ id: "acme", name: "Acme", creator: "admin" });
  ac.createWorkspace({ organization: "acme", actor: "admin" });
  const snap = ac.toJSON();
  ac.free();
  // Give the workspace a known id and the read-only workspace ID level.
  const text = JSON.stringify(snap);
  const id = text.match(/[0-9a-f]{24}/)[0];
  const fixed = JSON.parse(text.split(id).join(COLD_WS));
  const restored = ours.AccessControl.fromJSON(fixed);
  restored.setWorkspaceIdAccess({ workspace: COLD_WS, actor: "admin", level: "read-only" });
  const out = restored.toJSON();
  restored.free();
  return out;
}

// ---------------------------------------------------------- 5: size

function sizes() {
  console.log("\n## 5. Package size\n");
  const files = {
    "nxcloud-access .wasm, engine resolve": path.join(PKG, "wasm", "resolve_bg.wasm"),
    "nxcloud-access JS glue, engine resolve": path.join(PKG, "wasm", "resolve.js"),
    "nxcloud-access .wasm, engine access": path.join(PKG, "wasm", "access_bg.wasm"),
    "nxcloud-access JS glue, engine access": path.join(PKG, "wasm", "access.js"),
    "Cedar .wasm": path.join(CEDAR_DIR, "nodejs", "cedar_wasm_bg.wasm"),
    "Cedar JS glue": path.join(CEDAR_DIR, "nodejs", "cedar_wasm.js"),
  };
  const out = {};
  row(["file", "raw bytes", "gzip -9 bytes"]);
  row(["---", "---:", "---:"]);
  for (const [name, file] of Object.entries(files)) {
    const data = fs.readFileSync(file);
    const gz = zlib.gzipSync(data, { level: 9 }).length;
    out[name] = { raw: data.length, gzip: gz };
    row([name, data.length.toLocaleString("en"), gz.toLocaleString("en")]);
  }
  results.sections.size = out;
}

// ---------------------------------------------------------- main

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: `${cpus[0]?.model ?? "?"} x ${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(" "),
    date: new Date().toISOString(),
  };
}

function main() {
  const m = results.machine;
  console.log(`# nxcloud-access benchmarks (${QUICK ? "quick" : "full"} run)\n`);
  console.log(`${m.date}; Node ${m.node}; ${m.cpu}; ${m.memory}; ${m.os}; load average ${m.loadavg}`);
  console.log(`nx ${NX_VERSION}; @cedar-policy/cedar-wasm ${CEDAR_VERSION}; package: ${PKG}`);
  console.log(`Figures: median per call (min–max over ${SAMPLES} alternating samples of ~${BATCH_MS} ms).`);
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
  const run = (name, fn) => (!only || only.includes(name)) && fn();
  run("size", sizes);
  run("cold", coldStart);
  run("resolve", benchResolution);
  run("authorize", benchAuthorization);
  results.machine.loadavgAfter = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`\nload average at the end: ${results.machine.loadavgAfter}`);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2) + "\n");
}

main();
