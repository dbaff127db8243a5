// Regenerates nx_corpus.json: what the published `nx` packages decide, by
// calling their own functions (isNxCloudUsed, getRunner, getRunnerOptions,
// getNxCloudUrl) on generated nx.json files and environments. Needs
// `npm i nx@VERSION --ignore-scripts --omit=optional` in /tmp/nx-VERSION for
// each VERSION below (the native binary is stubbed: these functions do not
// use it), and runs from a scratch workspace holding `nx.json` and a custom
// runner `custom.js`:   node nx_corpus.js > nx_corpus.json
const Module = require('module');
const orig = Module._load;
const stub = () => new Proxy(function () {}, {
  get: (t, p) => (p === '__esModule' ? false : p === 'then' ? undefined : stub()),
  apply: () => undefined,
  construct: () => ({}),
});
Module._load = function (req, parent, isMain) {
  if (/(^|\/)native(\/index(\.js)?)?$/.test(req) || req.startsWith('@nx/nx-')) return stub();
  return orig.apply(this, arguments);
};
const VERSIONS = ['17.0.0', '17.1.1', '19.6.7', '19.8.6', '20.0.1', '21.0.0', '21.4.0', '22.6.0', '22.7.0', '24.0.6'];
const PER_VERSION = 100;
let seed = 424242;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
const maybe = (obj, key, choices) => { const c = choices[rnd(choices.length)]; if (c !== undefined) obj[key] = c; };
const ID = '65d5639f1a3b026e12345678';
function genCase() {
  const nxJson = {};
  maybe(nxJson, 'nxCloudAccessToken', [undefined, undefined, 'top-token-000001', '', null, 5]);
  maybe(nxJson, 'nxCloudId', [undefined, undefined, 'top' + ID.slice(3), '']);
  maybe(nxJson, 'nxCloudUrl', [undefined, undefined, 'https://top.example', '']);
  maybe(nxJson, 'neverConnectToCloud', [undefined, undefined, undefined, true, 'false']);
  if (rnd(4) !== 0) {
    const tro = {};
    for (const name of ['ci', 'default']) {
      if (rnd(3) === 0) continue;
      const entry = {};
      maybe(entry, 'runner', [undefined, 'nx-cloud', '@nrwl/nx-cloud', 'nx/tasks-runners/default', './custom.js']);
      if (rnd(4) !== 0) {
        const options = {};
        maybe(options, 'accessToken', [undefined, 'opt-token-000001', '', null]);
        maybe(options, 'nxCloudId', [undefined, undefined, 'opt' + ID.slice(3), '']);
        maybe(options, 'url', [undefined, undefined, 'https://opt.example', '']);
        entry.options = options;
      }
      tro[name] = entry;
    }
    nxJson.tasksRunnerOptions = tro;
  }
  const env = {};
  maybe(env, 'NX_CLOUD_ACCESS_TOKEN', [undefined, undefined, 'env-access-000001', '']);
  maybe(env, 'NX_CLOUD_AUTH_TOKEN', [undefined, undefined, undefined, 'env-auth-0000001']);
  maybe(env, 'NX_NO_CLOUD', [undefined, undefined, undefined, 'true', '1']);
  maybe(env, 'CODEX_ENV_NODE_VERSION', [undefined, undefined, undefined, undefined, '20']);
  maybe(env, 'NX_TASKS_RUNNER', [undefined, undefined, undefined, 'ci', 'missing', '']);
  maybe(env, 'NX_RUNNER', [undefined, undefined, undefined, 'ci', 'default']);
  const runner = [undefined, undefined, 'ci', 'default'][rnd(4)];
  return { nxJson, env, runner };
}
const KEYS = ['NX_CLOUD_ACCESS_TOKEN', 'NX_CLOUD_AUTH_TOKEN', 'NX_NO_CLOUD', 'CODEX_ENV_NODE_VERSION', 'NX_TASKS_RUNNER', 'NX_RUNNER'];
const out = [];
const log = console.log;
for (const version of VERSIONS) {
  const d = `/tmp/nx-${version}/node_modules/nx`;
  const s = require('fs').existsSync(`${d}/dist`) ? `${d}/dist/src` : `${d}/src`;
  const rc = require(`${s}/tasks-runner/run-command.js`);
  const clu = require(`${s}/utils/command-line-utils.js`);
  const u = require(`${s}/utils/nx-cloud-utils.js`);
  const loaded = require(`${s}/tasks-runner/default-tasks-runner.js`);
  const defaultRunner = 'default' in loaded ? loaded.default : loaded;
  const custom = require(`${process.cwd()}/custom.js`);
  // nx 19.6.7 is installed beside the nx-cloud 19.1.3 client package (CLI-1).
  const client = require('fs').existsSync(`/tmp/nx-${version}/node_modules/nx-cloud`)
    ? `nx-cloud@${require(`/tmp/nx-${version}/node_modules/nx-cloud/package.json`).version}`
    : null;
  require(`${s}/utils/output.js`).output.warn = () => {};
  for (let i = 0; i < PER_VERSION; i++) {
    const c = genCase();
    for (const k of KEYS) delete process.env[k];
    Object.assign(process.env, c.env);
    const nxJson = JSON.parse(JSON.stringify(c.nxJson));
    const used = !!u.isNxCloudUsed(nxJson);
    let cloud = false, refused = false, options = {}, runnerName;
    try {
      // The runner name as the command line makes it (--runner, NX_TASKS_RUNNER, NX_RUNNER).
      const args = c.runner === undefined ? {} : { runner: c.runner };
      const { nxArgs } = clu.splitArgsIntoNxArgsAndOverrides({ ...args, targets: ['build'] }, 'run-many', { printWarnings: false }, nxJson);
      runnerName = nxArgs.runner || 'default';
      const r = rc.getRunner({ runner: nxArgs.runner }, nxJson);
      // The cloud runner: Nx's shell, or the installed client package.
      cloud = r.tasksRunner !== defaultRunner && r.tasksRunner !== custom;
      options = r.runnerOptions;
    } catch (e) {
      refused = true;
    }
    let appUrl = null;
    try { appUrl = u.getNxCloudUrl(nxJson); } catch (e) { appUrl = null; }
    const pick = (v) => (v === undefined ? null : v);
    out.push({
      version, client, nxJson: c.nxJson, env: c.env, runner: pick(c.runner), runnerName: refused ? null : pick(runnerName),
      used, cloud, refused,
      accessToken: cloud ? pick(options.accessToken) : null,
      nxCloudId: cloud ? pick(options.nxCloudId) : null,
      url: cloud ? pick(options.url) : null,
      appUrl,
    });
  }
}
log(JSON.stringify(out));
process.exit(0);
