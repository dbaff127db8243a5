// Runs the real `nx` CLI on the conformance cases and writes what it did.
//
//   node tests/conformance/harness/record.mjs [--only INSTALL,...] [--case NAME,...] [--out DIR] [--check]
//
// For each case (tests/conformance/cases/<name>.json) and each install it
// names (tests/conformance/installs/<id>/, installed by
// scripts/conformance-install into the cache folder), it builds a small
// workspace in a temporary folder, runs `nx run app:build` there with the
// case's environment, and writes tests/conformance/recordings/<case>/<id>.json.
// Every HTTP(S) request goes to the recorder below, on 127.0.0.1 (preload.cjs).
// --check: record into a temporary folder and compare with the committed
// recordings (the live slice: catches drift); exit 1 on a difference.
//
// The recorder answers every request with 401 and a JSON message: an Nx Cloud
// that refused the credential (README of tests/conformance says why). A
// request to the self-hosted remote cache (`{selfHostedCache}` in a case's
// texts: the recorder's own address) is answered as an empty cache: `GET`
// 404 (a miss), `PUT` 200 (stored).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const repo = path.resolve(root, '..', '..');
const cacheRoot = process.env.NXCLOUD_CONFORMANCE_CACHE || path.join(os.homedir(), '.cache', 'nxcloud-conformance');
const TAIL = 12;
const TIMEOUT_MS = 120_000;

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const only = opt('--only')?.split(',') ?? null;
const onlyCases = opt('--case')?.split(',') ?? null;
const check = args.includes('--check');
const outDir = check ? fs.mkdtempSync(path.join(os.tmpdir(), 'nxcloud-recheck-')) : (opt('--out') ?? path.join(root, 'recordings'));

// A case's installs: ids, or `@plain` (every install of nx alone) with an
// optional range, `@plain>=17.0.0`, `@plain<20.0.0`, `@plain>=17.0.0<21.0.0`.
export function expandInstalls(list) {
  const all = fs.readdirSync(path.join(root, 'installs')).sort(byVersion);
  const out = [];
  for (const item of list) {
    const m = /^@plain(?:>=([\d.]+))?(?:<([\d.]+))?$/.exec(item);
    if (!m) { out.push(item); continue; }
    for (const id of all) {
      const v = /^nx-([\d.]+)$/.exec(id)?.[1];
      if (!v) continue;
      if (m[1] && cmp(v, m[1]) < 0) continue;
      if (m[2] && cmp(v, m[2]) >= 0) continue;
      out.push(id);
    }
  }
  return [...new Set(out)];
}
function cmp(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
function byVersion(a, b) {
  const va = /^nx-([\d.]+)/.exec(a)?.[1] ?? '0.0.0';
  const vb = /^nx-([\d.]+)/.exec(b)?.[1] ?? '0.0.0';
  return cmp(va, vb) || a.localeCompare(b);
}

// The parts of a recording that the live slice compares (output lines may
// differ in timings; the decision may not).
function comparable(r) {
  return { exitStatus: r.exitStatus, requests: sortRequests(r.requests), stop: r.stop?.kind ?? null };
}

// The runner and the cache may make their requests in either order.
function sortRequests(list) {
  const key = (q) => JSON.stringify([q.path, q.meantFor, q.method, q.authorization, q.nxCloudId]);
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// ---- one run ---------------------------------------------------------------
async function record(name, c0, install) {
  // `{selfHostedCache}` in a case's texts: the recorder, as the self-hosted
  // remote cache server (nx's native HTTP cache bypasses preload.cjs, so the
  // URL itself leads to the recorder; the prefix names the run).
  const shc = `${recorderUrl}${SHC_PREFIX}${encodeURIComponent(`${name}/${install}`)}`;
  const c = JSON.parse(JSON.stringify(c0), (_k, v) => (typeof v === 'string' ? v.split('{selfHostedCache}').join(shc) : v));
  const installDir = path.join(cacheRoot, install);
  const nxPkg = path.join(installDir, 'node_modules', 'nx', 'package.json');
  if (!fs.existsSync(nxPkg)) throw new Error(`install ${install} is missing: run scripts/conformance-install ${install}`);
  const nxVersion = JSON.parse(fs.readFileSync(nxPkg, 'utf8')).version;
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'installs', install, 'package.json'), 'utf8'));
  const clients = Object.keys(manifest.devDependencies).filter((n) => n !== 'nx')
    .map((n) => `${n}@${JSON.parse(fs.readFileSync(path.join(installDir, 'node_modules', n, 'package.json'), 'utf8')).version}`);

  // Not under the system temp folder: from nx 24 the Nx Cloud client refuses
  // to install when HOME lies inside it, and a user's HOME does not.
  fs.mkdirSync(path.join(cacheRoot, 'runs'), { recursive: true });
  const ws = fs.mkdtempSync(path.join(cacheRoot, 'runs', 'case-'));
  const home = path.join(ws, '.home');
  fs.mkdirSync(home);
  // node_modules: a real folder of links into the install, so that caches
  // nx keeps under node_modules/.cache stay in this workspace.
  const nm = path.join(ws, 'node_modules');
  fs.mkdirSync(nm);
  for (const entry of fs.readdirSync(path.join(installDir, 'node_modules'))) {
    if (entry === '.cache' || entry === '.package-lock.json') continue;
    fs.symlinkSync(path.join(installDir, 'node_modules', entry), path.join(nm, entry));
  }
  fs.writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ name: 'conformance-workspace', private: true, devDependencies: manifest.devDependencies }, null, 2));
  if (c.nxJson !== null && c.nxJson !== undefined) fs.writeFileSync(path.join(ws, 'nx.json'), c.nxJson);
  if (c.nxCloudEnv != null) fs.writeFileSync(path.join(ws, 'nx-cloud.env'), c.nxCloudEnv);
  for (const [f, text] of Object.entries(c.dotEnvFiles || {})) fs.writeFileSync(path.join(ws, f), text);
  for (const [f, text] of Object.entries(c.files || {})) {
    fs.mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
    fs.writeFileSync(path.join(ws, f), text);
  }
  fs.mkdirSync(path.join(ws, 'app'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'app', 'project.json'), JSON.stringify({
    name: 'app',
    targets: { build: { executor: 'nx:run-commands', options: { command: 'node -e "console.log(42)"' }, cache: true } },
  }, null, 2));
  // A custom runner, for cases whose entries name one.
  fs.writeFileSync(path.join(ws, 'custom-runner.js'),
    "module.exports = (...a) => { const m = require('nx/tasks-runners/default'); return (m.default || m)(...a); };\n");

  const runId = `${name}/${install}`;
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    NX_DAEMON: 'false',
    // nx up to 19 loads v8-compile-cache, which cannot load the ES module
    // files that today's versions of some dependencies ship for require()
    // on Node 20.19 and later (a SyntaxError that nx reports as "Could not
    // find runner configuration"). Its documented switch turns it off.
    DISABLE_V8_COMPILE_CACHE: '1',
    NX_TUI: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    NODE_OPTIONS: `--require ${path.join(here, 'preload.cjs')}`,
    NXCLOUD_CONFORMANCE_RECORDER: recorderUrl,
    NXCLOUD_CONFORMANCE_RUN: runId,
    ...(c.env || {}),
  };
  // nx's own `bin` entry (bin/nx.js, dist/bin/nx.js from 22.7).
  const nxBin = JSON.parse(fs.readFileSync(nxPkg, 'utf8')).bin.nx;
  // `command`: `run` (default) runs `nx run app:build`; `connect` runs `nx
  // connect`, which prints the app URL (URL-2) of a connected workspace.
  const verb = c.command === 'connect' ? ['connect'] : ['run', 'app:build', ...(c.runner ? ['--runner', c.runner] : [])];
  const argv = [path.join(nm, 'nx', nxBin), ...verb, ...(c.args || [])];
  // `cwd`: the folder of the workspace nx runs in (DOT-1 reads the root
  // .env files from there up to 18.3.1).
  const cwd = c.cwd ? path.join(ws, c.cwd) : ws;
  const { status, output } = await run(process.execPath, argv, cwd, env);
  const mine = requests.filter((r) => r.run === runId).map(({ run: _r, ...r }) => r);
  const lines = output.replace(/\r/g, '').split('\n').map((l) => l.replace(/\s+$/, '')).filter((l) => l.trim() !== '');
  if (process.env.NXCLOUD_CONFORMANCE_KEEP) console.log(`kept ${ws}`); else fs.rmSync(ws, { recursive: true, force: true });
  return {
    case: name,
    install,
    nxVersion,
    clients,
    command: ['nx', ...argv.slice(1)],
    exitStatus: status,
    stop: classifyStop(status, lines),
    outputTail: lines.slice(-TAIL).map((l) => l.split(ws).join('<workspace>')),
    requests: sortRequests(mine),
  };
}

// Why nx stopped with a non-zero status, from its output: the kinds the
// engine predicts (unable-to-authenticate, cannot-find-module,
// invalid-arg-type, no-runner-configuration) and `cloud-refused`, a failure
// that comes from the recorder refusing the credential (README).
const STOPS = [
  ['unable-to-authenticate', /Unable to authenticate/],
  ['cannot-find-module', /Cannot find module/],
  ['invalid-arg-type', /ERR_INVALID_ARG_TYPE|argument must be of type string/],
  ['no-runner-configuration', /Could not find runner configuration|Could not find any runner configurations/],
  ['cloud-refused', /failed to download new version|Unable to retrieve Nx Cloud bundle|Nx Cloud was not used|Unauthorized|status code 401|conformance recorder/i],
];
function classifyStop(status, lines) {
  if (status === 0) return null;
  for (const [kind, re] of STOPS) {
    const line = lines.find((l) => re.test(l));
    if (line) return { kind, line: line.trim().slice(0, 300) };
  }
  return { kind: 'other', line: (lines[lines.length - 1] || '').trim().slice(0, 300) };
}

function run(cmd, argv, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } output += '\n<timed out>'; }, TIMEOUT_MS);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ status: code ?? (signal ? 128 : -1), output }); });
  });
}

const requests = [];
let recorderUrl = '';
// The path prefix of the self-hosted remote cache URLs the recorder hands out.
const SHC_PREFIX = '/self-hosted-cache/';
await main();

async function main() {
// ---- the recorder ----------------------------------------------------------
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const h = req.headers;
    if (req.url.startsWith(SHC_PREFIX)) {
      // nx's self-hosted remote cache client (native code, no preload tag):
      // `{selfHostedCache}<rest>`, the task hash written `<hash>`.
      const rest = req.url.slice(SHC_PREFIX.length);
      const cut = rest.indexOf('/');
      const run = decodeURIComponent(cut < 0 ? rest : rest.slice(0, cut));
      const tail = cut < 0 ? '' : rest.slice(cut);
      requests.push({
        run,
        method: req.method,
        meantFor: `{selfHostedCache}${tail.replace(/\/v1\/cache\/[^/?]+$/, '/v1/cache/<hash>')}`,
        path: 'self-hosted',
        authorization: h.authorization ?? null,
        nxCloudId: h['nx-cloud-id'] ?? null,
        otherCredentialHeaders: Object.fromEntries(Object.entries(h).filter(([k]) =>
          /token|auth|cloud-id|x-api-key/i.test(k) && !['authorization', 'nx-cloud-id'].includes(k))),
      });
      if (req.method === 'PUT') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('stored'); } else { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); }
      return;
    }
    requests.push({
      run: h['x-conformance-run'] || '',
      method: req.method,
      meantFor: h['x-conformance-meant-for'] || `http://${h.host}${req.url}`,
      path: h['x-conformance-path'] || 'unknown',
      authorization: h.authorization ?? null,
      nxCloudId: h['nx-cloud-id'] ?? null,
      // Any other header that names a credential.
      otherCredentialHeaders: Object.fromEntries(Object.entries(h).filter(([k]) =>
        /token|auth|cloud-id|x-api-key/i.test(k) && !['authorization', 'nx-cloud-id'].includes(k))),
    });
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'nxcloud-access conformance recorder: this credential is not accepted (requests are only recorded)' }));
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
recorderUrl = `http://127.0.0.1:${server.address().port}`;

// ---- cases -----------------------------------------------------------------
const caseFiles = fs.readdirSync(path.join(root, 'cases')).filter((f) => f.endsWith('.json')).sort();
let runs = 0;
let differences = 0;
for (const file of caseFiles) {
  const c = JSON.parse(fs.readFileSync(path.join(root, 'cases', file), 'utf8'));
  const name = file.replace(/\.json$/, '');
  if (onlyCases && !onlyCases.includes(name)) continue;
  for (const install of expandInstalls(c.installs)) {
    if (only && !only.includes(install)) continue;
    const rec = await record(name, c, install);
    runs++;
    const dest = path.join(outDir, name, `${install}.json`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const text = JSON.stringify(rec, null, 2) + '\n';
    fs.writeFileSync(dest, text);
    if (check) {
      const committed = path.join(root, 'recordings', name, `${install}.json`);
      const old = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '';
      const same = old && JSON.stringify(comparable(JSON.parse(old))) === JSON.stringify(comparable(rec));
      if (!same) {
        differences++;
        console.log(`DRIFT ${name} on ${install}: the real nx now does something else than ${path.relative(repo, committed)} records`);
        console.log(`  recorded now: ${dest}`);
      } else console.log(`same ${name} on ${install}`);
    } else console.log(`recorded ${name} on ${install}: exit ${rec.exitStatus}, ${rec.requests.length} request(s)`);
  }
}
server.close();
if (check) {
  console.log(`live slice: ${runs} run(s) of the real nx, ${runs - differences} as recorded, ${differences} drifted`);
  process.exit(differences ? 1 : 0);
}
console.log(`${runs} run(s) recorded`);
}
