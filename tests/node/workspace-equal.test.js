"use strict";
// `resolveWorkspace(DIR)` of `nxcloud-access/node` against the CLI's
// `nxcloud-access explain --json --show-secrets DIR` (the binary in
// NXCLOUD_CLI, set by scripts/test-node), with the same environment and
// current directory, on every sample workspace and on the workspace of every
// conformance recording (rebuilt as the replay test does:
// crates/nxcloud-access-cli/tests/conformance.rs, `build_workspace` and
// `explain`). Whole objects are compared; a difference is reported by its
// JSON path with values redacted (no whole token in a test's output).
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { describe, it, after } = require("node:test");
const { isDeepStrictEqual } = require("node:util");

const { PKG_DIR } = require("./load.js");
const { resolveWorkspace } = require(path.join(PKG_DIR, "node.cjs"));

const REPO = path.join(__dirname, "..", "..");
const { SAMPLES, SAMPLE_NAMES: samples, EXPECTED_SAMPLES } = require("./samples.js");
const CONFORMANCE = path.join(REPO, "tests", "conformance");
const CLI = process.env.NXCLOUD_CLI;
const skip = !CLI && "set NXCLOUD_CLI to the nxcloud-access binary (scripts/test-node does)";

/** A value as a test may print it: strings cut to their first 4 characters. */
function shown(value) {
  if (typeof value === "string") return JSON.stringify(value.length > 4 ? `${value.slice(0, 4)}…` : value);
  if (value !== null && typeof value === "object") return Array.isArray(value) ? `[${value.length} items]` : "{…}";
  return String(value);
}

/** The JSON paths where `a` and `b` differ (at most 10), values redacted. */
function differences(a, b, at = "$", out = []) {
  if (out.length >= 10 || isDeepStrictEqual(a, b)) return out;
  const objects = a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
  if (!objects) {
    out.push(`${at}: package ${shown(a)}, CLI ${shown(b)}`);
    return out;
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(key in a)) out.push(`${at}.${key}: only the CLI has it`);
    else if (!(key in b)) out.push(`${at}.${key}: only the package has it`);
    else differences(a[key], b[key], `${at}.${key}`, out);
  }
  return out;
}

/**
 * Runs the CLI and the package on `dir` with `env`, from `cwd`, and holds
 * them equal: the same Resolution, or the same refusal.
 */
function assertSame(dir, { env, cwd, runner }) {
  const args = ["explain", "--json", "--show-secrets", dir];
  if (runner) args.push("--runner", runner);
  const cli = spawnSync(CLI, args, { cwd, env, encoding: "utf8" });
  let npm;
  let npmError;
  try {
    npm = resolveWorkspace(dir, { env, cwd, runner });
  } catch (e) {
    npmError = e;
  }
  if (cli.status === 0) {
    assert.equal(npmError, undefined, `the CLI answered, the package threw ${npmError?.code}: ${npmError?.message}`);
    const cliJson = JSON.parse(cli.stdout);
    const found = differences(npm, cliJson);
    assert.ok(found.length === 0, `resolveWorkspace differs from the CLI:\n  ${found.join("\n  ")}`);
    return npm;
  }
  assert.equal(cli.status, 2, `the CLI failed: ${cli.stderr}`);
  assert.ok(npmError instanceof Error, `the CLI refused the workspace (${cli.stderr.trim()}), the package did not`);
  return npmError;
}

describe("resolveWorkspace agrees with the CLI on every sample", { skip }, () => {
  it("finds the samples", () => {
    for (const name of EXPECTED_SAMPLES) {
      assert.ok(samples.includes(name), name);
    }
  });

  for (const name of samples) {
    it(name, () => {
      const root = path.join(SAMPLES, name);
      const env = { HOME: path.join(root, "home"), PATH: process.env.PATH };
      const answer = assertSame(root, { env, cwd: root });
      if (answer instanceof Error) {
        // broken-nx-json: the CLI prints `<nx.json>:<line>:<column>: error[<code>]: <message>`.
        const cli = spawnSync(CLI, ["explain", "--json", root], { cwd: root, env, encoding: "utf8" });
        const where = /^(.*):(\d+):(\d+): error\[([a-z-]+)\]: (.*)$/m.exec(cli.stderr);
        assert.ok(where, cli.stderr);
        assert.equal(answer.code, where[4]);
        assert.equal(answer.line, Number(where[2]));
        assert.equal(answer.column, Number(where[3]));
        assert.equal(answer.message, `${where[1]}: ${where[5]}`);
      }
    });
  }
});

/** JSON of a file of the corpus. */
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The workspace of a case as its recorded run had it (conformance.rs, build_workspace). */
function buildWorkspace(dir, kase, install, nxVersion) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, ".home"), { recursive: true });
  if (typeof kase.nxJson === "string") fs.writeFileSync(path.join(dir, "nx.json"), kase.nxJson);
  if (typeof kase.nxCloudEnv === "string") fs.writeFileSync(path.join(dir, "nx-cloud.env"), kase.nxCloudEnv);
  for (const key of ["dotEnvFiles", "files"]) {
    for (const [name, content] of Object.entries(kase[key] ?? {})) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  const installs = path.join(CONFORMANCE, "installs", install);
  const manifest = readJson(path.join(installs, "package.json"));
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "conformance-workspace", private: true, devDependencies: manifest.devDependencies }),
  );
  const lock = readJson(path.join(installs, "package-lock.json"));
  for (const name of ["nx", "nx-cloud", "@nrwl/nx-cloud"]) {
    const version = name === "nx" ? nxVersion : lock.packages?.[`node_modules/${name}`]?.version;
    if (version === undefined) continue;
    const folder = path.join(dir, "node_modules", name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, "package.json"), JSON.stringify({ name, version }));
  }
}

describe("resolveWorkspace agrees with the CLI on every conformance recording", { skip }, () => {
  // A real folder (os.tmpdir() may be a link): the CLI's current directory
  // is the resolved one, and paths are shown relative to it.
  const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-node-equal-")));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const recordings = path.join(CONFORMANCE, "recordings");
  const cases = fs.readdirSync(recordings).sort();

  it("has recordings to replay", () => {
    assert.ok(cases.length >= 40, `only ${cases.length} recorded cases`);
  });

  for (const name of cases) {
    it(name, () => {
      const kase = readJson(path.join(CONFORMANCE, "cases", `${name}.json`));
      const files = fs.readdirSync(path.join(recordings, name)).sort();
      assert.ok(files.length > 0, "no recording");
      const dir = path.join(scratch, name);
      for (const file of files) {
        const recording = readJson(path.join(recordings, name, file));
        buildWorkspace(dir, kase, recording.install, recording.nxVersion);
        const env = { PATH: process.env.PATH, HOME: path.join(dir, ".home"), NO_COLOR: "1", ...(kase.env ?? {}) };
        const runDir = kase.cwd ? path.join(dir, kase.cwd) : dir;
        const answer = assertSame(runDir, { env, cwd: runDir, runner: kase.runner });
        assert.ok(!(answer instanceof Error), `${file}: both refused the workspace: ${answer.message}`);
      }
    });
  }
});
