"use strict";
// Gathers the input of resolveCredentials from a workspace on disk, as an
// Nx plugin or a CI step using the npm package would (the package itself
// reads no files): the same files the CLI `nxcloud-access explain` reads.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const DOT_ENV_FILES = [".local.env", ".env.local", ".env"];
const TRACKABLE_FILES = ["nx.json", ".env", ".env.local", ".local.env", "nx-cloud.env"];

function read(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if (e.code === "ENOENT") return null;
    throw e;
  }
}

/** The version of an installed package, looked up as Node resolves it. */
function installedVersion(root, name) {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const text = read(path.join(dir, "node_modules", name, "package.json"));
    if (text !== null) return JSON.parse(text).version;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The personal access token file (PATR-1, Unix order). */
function findPatFile(env) {
  const home = env.HOME;
  const candidates = [
    env.XDG_CONFIG_HOME && path.join(env.XDG_CONFIG_HOME, "nxcloud", "nxcloud.ini"),
    home && path.join(home, ".config", "nxcloud", "nxcloud.ini"),
    home && path.join(home, "config", "nxcloud", "nxcloud.ini"),
    home && path.join(home, ".nxcloud.ini"),
  ].filter(Boolean);
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}

/** Which of the root's files git tracks, or undefined outside git. */
function trackedFiles(root) {
  try {
    const out = execFileSync("git", ["-C", root, "ls-files", "-z", "--", ...TRACKABLE_FILES], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/**
 * The ResolveInput of the workspace at `root` (its nx.json folder), with the
 * environment `env`; PAT file paths are shown relative to `cwd`.
 */
function readWorkspace(root, { env = process.env, cwd = process.cwd() } = {}) {
  const nxJson = read(path.join(root, "nx.json"));
  const nxVersion = installedVersion(root, "nx") ?? undefined;
  const dotEnvFiles = {};
  for (const name of DOT_ENV_FILES) {
    const text = read(path.join(root, name));
    if (text !== null) dotEnvFiles[name] = text;
  }
  // CLI-1: @nrwl/nx-cloud is the one Nx loads only when nx.json names it and
  // Nx is older than 21; otherwise nx-cloud.
  const clients = ["nx-cloud", "@nrwl/nx-cloud"]
    .map((name) => [name, installedVersion(root, name)])
    .filter(([, version]) => version);
  const prefersNrwl =
    (nxJson ?? "").includes('"@nrwl/nx-cloud"') && nxVersion !== undefined && Number(nxVersion.split(".")[0]) < 21;
  clients.sort(([a], [b]) => ((a === "@nrwl/nx-cloud") !== prefersNrwl) - ((b === "@nrwl/nx-cloud") !== prefersNrwl));
  const cloudClient = clients.length > 0 ? `${clients[0][0]}@${clients[0][1]}` : null;
  const patFile = findPatFile(env);
  const relative = patFile && path.relative(cwd, patFile);
  return {
    nxVersion,
    nxJson,
    env: { ...env },
    dotEnvFiles,
    nxCloudEnv: read(path.join(root, "nx-cloud.env")),
    cloudClient,
    packageJson: read(path.join(root, "package.json")),
    nxcloudIni: patFile
      ? { path: relative && !relative.startsWith("..") ? relative : patFile, text: read(patFile) }
      : null,
    trackedFiles: trackedFiles(root),
  };
}

module.exports = { readWorkspace };
