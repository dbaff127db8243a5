"use strict";
// nxcloud-access/nx-plugin: hands the developer's personal access token to a
// self-hosted remote cache (`nxcloud-access serve`). In nx.json:
//
//   { "plugin": "nxcloud-access/nx-plugin",
//     "options": { "url": "http://cache:4599", "nxCloudId": "…" } }
//
// Before Nx runs tasks (the `preTasksExecution` hook, Nx >= 20.4) it sets
// NX_SELF_HOSTED_REMOTE_CACHE_SERVER to `{url}/ws/{nxCloudId}` and
// NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to the personal access token stored
// for `url` in the PAT file. Every decision is the engine's
// (crates/nxcloud-access/src/plugin.rs); this file only reads files and
// `process.env`, and prints the engine's one error line. See
// docs/nx-plugin.md.

const fs = require("node:fs");

// What this plugin set on its previous run in this process: with the daemon,
// Nx runs the hook in a long-lived plugin worker whose environment keeps what
// the hook set, so a value equal to this one is the plugin's own (stale)
// value, and any other value is the user's.
let own = {};
// The engine, loaded on the first run of the hook only (Nx loads the plugin
// for every command, also those that run no task).
let engine;

/** The text at `path`, `null` when there is no file, `{ error }` otherwise. */
function read(path) {
  try {
    return fs.readFileSync(path, "utf8");
  } catch (e) {
    if (e && (e.code === "ENOENT" || e.code === "ENOTDIR")) return null;
    return { error: (e && (e.code || e.message)) || "unknown error" };
  }
}

async function preTasksExecution(options, _context) {
  let setup;
  try {
    engine ??= require("./engine.cjs").resolveEngine();
    const input = JSON.stringify({
      options: options ?? null,
      env: process.env,
      own,
      windows: process.platform === "win32",
    });
    setup = JSON.parse(engine.__pluginSetup(input, read));
  } catch (e) {
    // Never break the user's command: say it once, set nothing.
    console.error(`nxcloud-access/nx-plugin: error[${(e && e.code) || "internal"}]: ${(e && e.message) || e}`);
    return;
  }
  for (const key of setup.unset) delete process.env[key];
  for (const key of Object.keys(setup.set)) process.env[key] = setup.set[key];
  own = {
    server: setup.set.NX_SELF_HOSTED_REMOTE_CACHE_SERVER,
    token: setup.set.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN,
  };
  if (setup.line) console.error(setup.line);
}

module.exports = { name: "nxcloud-access/nx-plugin", preTasksExecution };
