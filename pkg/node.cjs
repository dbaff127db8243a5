"use strict";
// The entry `nxcloud-access/node`: the workspace discovery of the CLI
// (`nxcloud-access explain DIR`), run in Node. The discovery itself is the
// core's (crates/nxcloud-access/src/workspace, compiled into the engine
// `resolve`, the WebAssembly of `resolveCredentials`, loaded on the first
// call: engine.cjs); this file only gives it a host: file
// reads with `node:fs` and `git ls-files` with `node:child_process`
// (crates/nxcloud-access-wasm/src/host.rs says what each call must do).

const fs = require("node:fs");
const path = require("node:path");

const main = require("./index.cjs");
const { resolveEngine } = require("./engine.cjs");

// The largest file the engine reads (crates/nxcloud-access/src/limits.rs,
// MAX_TEXT_BYTES), refused as the CLI refuses it, before it is loaded.
const MAX_TEXT_BYTES = 8 * 1024 * 1024;
// Rust's `read_to_string`: invalid UTF-8 is an error, a BOM is kept.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const host = {
  /** The text of `file`; null when there is none; throws when unreadable. */
  read(file) {
    let fd;
    try {
      fd = fs.openSync(file, "r");
    } catch (e) {
      if (e && e.code === "ENOENT") return null;
      throw e;
    }
    try {
      if (fs.fstatSync(fd).size > MAX_TEXT_BYTES) {
        throw new Error(`the file is larger than the limit of ${MAX_TEXT_BYTES} bytes that nxcloud-access reads`);
      }
      const bytes = fs.readFileSync(fd);
      if (bytes.length > MAX_TEXT_BYTES) {
        throw new Error(`the file is larger than the limit of ${MAX_TEXT_BYTES} bytes that nxcloud-access reads`);
      }
      try {
        return UTF8.decode(bytes);
      } catch {
        throw new Error("stream did not contain valid UTF-8");
      }
    } finally {
      fs.closeSync(fd);
    }
  },

  /** Whether `file` is an existing regular file (links followed). */
  isFile(file) {
    try {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      return stat !== undefined && stat.isFile();
    } catch {
      return false;
    }
  },

  /** Which of `names` git tracks at `root`; null outside git (or no git). */
  trackedFiles(root, names) {
    try {
      // Loaded here, not at `require`: node:child_process costs about 2 ms
      // to load, and resolveWorkspace asks git only when a root file holds a
      // token (the engine decides; see workspace::resolve in the core).
      const out = require("node:child_process").execFileSync("git", ["-C", root, "ls-files", "-z", "--", ...names], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        windowsHide: true,
      });
      return out.split("\0").filter((name) => name !== "");
    } catch {
      return null;
    }
  },
};

function codedError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

const OPTIONS = new Set(["env", "nxVersion", "runner", "cwd", "platform"]);

/**
 * The arguments of the engine's discovery from `dir` and `options`, as the
 * CLI builds them: `dir` resolved against `cwd`, which defaults to
 * process.cwd(); `env` to process.env (its `undefined` values are unset).
 */
function request(fn, dir, options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object") {
    throw codedError("invalid-input", `invalid options of ${fn}: pass an object ({ env, nxVersion, runner, cwd, platform }) or nothing`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) {
      throw codedError("invalid-input", `invalid options of ${fn}: unknown option \`${key}\`; the options are env, nxVersion, runner, cwd and platform`);
    }
  }
  for (const key of ["nxVersion", "runner", "cwd"]) {
    const v = options[key];
    if (v !== undefined && v !== null && typeof v !== "string") {
      throw codedError("invalid-input", `invalid options of ${fn}: \`${key}\` must be a string`);
    }
  }
  if (dir !== undefined && dir !== null && typeof dir !== "string") {
    throw codedError("invalid-input", `invalid argument of ${fn}: \`dir\` must be the path of a folder (a string), or nothing for process.cwd()`);
  }
  const platform = options.platform ?? (process.platform === "win32" ? "windows" : "unix");
  if (platform !== "unix" && platform !== "windows") {
    throw codedError("invalid-input", `invalid options of ${fn}: \`platform\` must be "unix" or "windows", not ${JSON.stringify(platform)}`);
  }
  const env = options.env ?? process.env;
  if (typeof env !== "object") {
    throw codedError("invalid-input", `invalid options of ${fn}: \`env\` must be an object of strings, like process.env`);
  }
  // Name, value, name, value…: `undefined` values are unset variables.
  const pairs = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (typeof value !== "string") {
      throw codedError("invalid-input", `invalid options of ${fn}: \`env.${name}\` must be a string (or undefined), not ${value === null ? "null" : typeof value}`);
    }
    pairs.push(name, value);
  }
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const folder = path.resolve(cwd, dir ?? ".");
  if (!isDirectory(folder)) {
    throw codedError("invalid-input", `invalid argument of ${fn}: \`${folder}\` is not a directory; pass the folder Nx would run in`);
  }
  // The arguments of the engine's __workspace after its first.
  return [host, slashes(folder), slashes(cwd), pairs, options.nxVersion ?? undefined, options.runner ?? undefined, platform === "windows"];
}

function isDirectory(folder) {
  try {
    return fs.statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

// The engine's paths are `/`-separated (WebAssembly): on Windows, hand it
// `C:/ws` for `C:\ws` (Node's fs takes both).
function slashes(p) {
  return process.platform === "win32" ? p.replace(/\\/g, "/") : p;
}

/**
 * The inputs Nx would read for the workspace of `dir`, where each came
 * from, and the `ResolveInput` built from them (see node.d.ts).
 */
function readWorkspace(dir, options) {
  return resolveEngine().__workspace(false, ...request("readWorkspace", dir, options));
}

/**
 * The `Resolution` of the workspace of `dir`: the same object as
 * `nxcloud-access explain --json --show-secrets DIR` (see node.d.ts).
 */
function resolveWorkspace(dir, options) {
  return resolveEngine().__workspace(true, ...request("resolveWorkspace", dir, options));
}

exports.readWorkspace = readWorkspace;
exports.resolveWorkspace = resolveWorkspace;
exports.resolveCredentials = main.resolveCredentials;
exports.isNxCloudAccessError = main.isNxCloudAccessError;
