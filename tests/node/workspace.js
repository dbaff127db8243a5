"use strict";
// Gathers the input of resolveCredentials from a workspace on disk, as an
// Nx plugin or a CI step using the npm package would. This used to be a
// hand-written reader of its own (44 lines, differing from the CLI: no
// upward version lookup, no DOT-1 folder rule, no Windows candidates, its
// own client choice); it is now the package's `nxcloud-access/node`
// `readWorkspace`, the very discovery of the CLI `nxcloud-access explain`.
const path = require("node:path");

const { PKG_DIR } = require("./load.js");
const node = require(path.join(PKG_DIR, "node.cjs"));

/**
 * The ResolveInput of the workspace at `root`, with the environment `env`;
 * the PAT file's path is shown relative to `cwd`.
 */
function readWorkspace(root, { env = process.env, cwd = process.cwd() } = {}) {
  return node.readWorkspace(root, { env, cwd }).input;
}

module.exports = { readWorkspace };
