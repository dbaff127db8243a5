"use strict";
// readWorkspace and resolveWorkspace of `nxcloud-access/node` on workspaces
// made in a temporary folder: what was found and where it came from (the
// Nx version's origin, the client, DOT-1's folder, the PAT file and the
// candidates skipped, git), the errors and their codes, and the ES module
// entry. The CLI comparison is workspace-equal.test.js.
const assert = require("node:assert/strict");
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { describe, it, before, after } = require("node:test");
const { pathToFileURL } = require("node:url");
const { isDeepStrictEqual } = require("node:util");

const { PKG_DIR, resolveCredentials, isNxCloudAccessError } = require("./load.js");
const node = require(path.join(PKG_DIR, "node.cjs"));
const { readWorkspace, resolveWorkspace } = node;

const CLI = process.env.NXCLOUD_CLI;

let scratch;
before(() => {
  scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-read-ws-")));
});
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A workspace of `files` (path → text) under a fresh folder; its path. */
function workspace(name, files) {
  const root = path.join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(root, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  fs.mkdirSync(root, { recursive: true });
  return root;
}

const pkg = (name, version) => JSON.stringify({ name, version });
// The test's environment: no HOME of the machine's, no git settings.
const bare = (extra = {}) => ({ PATH: process.env.PATH, ...extra });

describe("readWorkspace: what it found and where from", () => {
  it("the installed nx, found upwards as Node does, and the client Nx loads", () => {
    const mono = workspace("mono", {
      "node_modules/nx/package.json": pkg("nx", "19.6.7"),
      "node_modules/nx-cloud/package.json": pkg("nx-cloud", "19.1.3"),
      "apps/ws/nx.json": "{}",
      "apps/ws/package.json": "{}",
    });
    const ws = readWorkspace(path.join(mono, "apps", "ws", "src-does-not-exist", ".."), { env: bare(), cwd: mono });
    assert.equal(ws.root, path.join(mono, "apps", "ws"));
    assert.equal(ws.nxJson, path.join(mono, "apps", "ws", "nx.json"));
    assert.deepEqual(ws.nxVersion, {
      value: "19.6.7",
      origin: "installed",
      path: path.join(mono, "node_modules", "nx", "package.json"),
    });
    assert.deepEqual(ws.cloudClient, {
      value: "nx-cloud@19.1.3",
      path: path.join(mono, "node_modules", "nx-cloud", "package.json"),
    });
    assert.equal(ws.packageJson, path.join(mono, "apps", "ws", "package.json"));
    assert.equal(ws.nxCloudEnv, null);
    assert.equal(ws.input.nxVersion, "19.6.7");
    assert.equal(ws.input.cloudClient, "nx-cloud@19.1.3");
  });

  it("the nxVersion option is the origin `argument`; no nx and no option is `unknown`", () => {
    const root = workspace("versions", { "nx.json": "{}", "node_modules/nx/package.json": pkg("nx", "20.1.0") });
    const given = readWorkspace(root, { env: bare(), nxVersion: "18.3.1" });
    assert.deepEqual(given.nxVersion, { value: "18.3.1", origin: "argument", path: null });
    assert.equal(given.input.nxVersion, "18.3.1");
    const none = readWorkspace(workspace("no-nx", { "nx.json": "{}" }), { env: bare() });
    assert.deepEqual(none.nxVersion, { value: null, origin: "unknown", path: null });
    assert.equal("nxVersion" in none.input, false, "no nxVersion in the input: the engine applies its newest rules");
  });

  it("DOT-1: up to 18.3.1 the .env files of the folder Nx runs in, from 18.3.2 those of the root", () => {
    const root = workspace("dot-env", {
      "nx.json": "{}",
      ".env": "NX_CLOUD_ACCESS_TOKEN=root-dotenv-0001\n",
      ".local.env": "A=1\n",
      "app/.env": "NX_CLOUD_ACCESS_TOKEN=app-dotenv-00001\n",
    });
    const app = path.join(root, "app");
    const old = readWorkspace(app, { env: bare(), nxVersion: "18.3.1" });
    assert.deepEqual(old.dotEnv, { dir: app, files: [path.join(app, ".env")] });
    assert.deepEqual(old.input.dotEnvFiles, { ".env": "NX_CLOUD_ACCESS_TOKEN=app-dotenv-00001\n" });
    const newer = readWorkspace(app, { env: bare(), nxVersion: "18.3.2" });
    assert.deepEqual(newer.dotEnv, { dir: root, files: [path.join(root, ".local.env"), path.join(root, ".env")] });
  });

  it("PATR-1: the PAT file used and the candidates skipped before it, Unix order", () => {
    const home = workspace("home-unix", { "config/nxcloud/nxcloud.ini": "[https://cloud\\.nx\\.app]\npersonalAccessToken=pat-0001\n" });
    const root = workspace("pat-unix", { "nx.json": "{}" });
    const env = bare({ HOME: home, XDG_CONFIG_HOME: path.join(home, "xdg") });
    const ws = readWorkspace(root, { env, cwd: root, platform: "unix" });
    assert.deepEqual(ws.patFile, {
      path: path.join(home, "config", "nxcloud", "nxcloud.ini"),
      skipped: [path.join(home, "xdg", "nxcloud", "nxcloud.ini"), path.join(home, ".config", "nxcloud", "nxcloud.ini")],
    });
    // Outside `cwd` the path handed to the engine stays absolute.
    assert.equal(ws.input.nxcloudIni.path, path.join(home, "config", "nxcloud", "nxcloud.ini"));
    // Under `cwd` it is shown relative to it, as the CLI shows it.
    assert.equal(readWorkspace(root, { env, cwd: home }).input.nxcloudIni.path, path.join("config", "nxcloud", "nxcloud.ini"));
    const none = readWorkspace(root, { env: bare({ HOME: path.join(scratch, "nobody") }) });
    assert.equal(none.patFile.path, null);
    assert.equal(none.patFile.skipped.length, 3);
    assert.equal(none.input.nxcloudIni, null);
  });

  it("PATR-1: the Windows candidates (LOCALAPPDATA, USERPROFILE) with platform: windows", () => {
    const root = workspace("pat-windows", { "nx.json": "{}" });
    const ws = readWorkspace(root, {
      env: bare({ LOCALAPPDATA: "C:\\Users\\ann\\AppData\\Local", USERPROFILE: "C:\\Users\\ann", HOME: "/h" }),
      platform: "windows",
    });
    assert.deepEqual(ws.patFile, {
      path: null,
      skipped: ["C:\\Users\\ann\\AppData\\Local\\nxcloud\\nxcloud.ini", "C:\\Users\\ann\\.nxcloud.ini"],
    });
  });

  it("TOKF-2: the files git tracks in a repository; null outside git", () => {
    const root = workspace("git", { "nx.json": "{}", ".env": "NX_CLOUD_ACCESS_TOKEN=0123456789abcdef0123\n", "nx-cloud.env": "" });
    assert.equal(readWorkspace(root, { env: bare() }).trackedFiles, null, "not a repository yet");
    const committed = (r) => r.findings.filter((f) => f.code.startsWith("committed-")).map((f) => f.code);
    assert.deepEqual(committed(resolveWorkspace(root, { env: bare() })), [], "outside git only nx.json counts as committed");
    execFileSync("git", ["init", "-q", root]);
    execFileSync("git", ["-C", root, "add", "nx.json", ".env"]);
    const ws = readWorkspace(root, { env: bare() });
    assert.deepEqual(ws.trackedFiles, [".env", "nx.json"]);
    assert.deepEqual(ws.input.trackedFiles, [".env", "nx.json"]);
    assert.equal(ws.nxCloudEnv, path.join(root, "nx-cloud.env"));
    // The committed .env token is reported, as the CLI reports it.
    assert.deepEqual(committed(resolveWorkspace(root, { env: bare() })), ["committed-token-of-unknown-level"]);
  });

  it("NX_WORKSPACE_ROOT_PATH overrides the search, as in Nx", () => {
    const root = workspace("forced", { "nx.json": "{}", "other/nx.json": '{"nxCloudId":"x"}' });
    const ws = readWorkspace(root, { env: bare({ NX_WORKSPACE_ROOT_PATH: "other" }) });
    assert.equal(ws.root, path.join(root, "other"));
  });

  it("its input is what resolveWorkspace resolves", () => {
    const root = workspace("input", { "nx.json": '{"nxCloudAccessToken":"top-token-000001"}', "node_modules/nx/package.json": pkg("nx", "17.2.0") });
    const env = { ...bare(), UNSET: undefined };
    assert.deepEqual(resolveCredentials(readWorkspace(root, { env }).input), resolveWorkspace(root, { env }));
    assert.equal(resolveWorkspace(root, { env }).accessToken.source, "nx.json:nxCloudAccessToken");
  });

  it("dir defaults to process.cwd(), env to process.env", () => {
    const root = workspace("defaults", { "nx.json": "{}" });
    const before = process.cwd();
    process.chdir(root);
    try {
      const ws = readWorkspace();
      assert.equal(ws.root, root);
      assert.equal(ws.input.env.PATH, process.env.PATH);
    } finally {
      process.chdir(before);
    }
  });
});

describe("errors: a typed NxCloudAccessError with a stable code, naming the file", () => {
  /** The error `fn` throws. */
  function thrown(fn) {
    try {
      fn();
    } catch (e) {
      return e;
    }
    assert.fail("expected an error");
  }

  /** The CLI's refusal of the same workspace (exit status 2, the file named). */
  function cliRefuses(root, file) {
    if (!CLI) return;
    const cli = spawnSync(CLI, ["explain", root], { env: bare(), encoding: "utf8" });
    assert.equal(cli.status, 2, cli.stderr);
    assert.ok(cli.stderr.includes(file), cli.stderr);
  }

  it("unreadable-file: a folder where nx.json should be", () => {
    const root = workspace("folder-nx-json", { "nx.json/keep": "", "package.json": "{}" });
    const e = thrown(() => readWorkspace(root, { env: bare() }));
    assert.ok(isNxCloudAccessError(e), String(e));
    assert.equal(e.code, "unreadable-file");
    assert.ok(e.message.includes(`\`${path.join(root, "nx.json")}\``), e.message);
    assert.match(e.message, /EISDIR/);
    cliRefuses(root, "nx.json");
  });

  it("unreadable-file: a .env that is not UTF-8", () => {
    const root = workspace("latin1", { "nx.json": "{}" });
    fs.writeFileSync(path.join(root, ".env"), Buffer.from([0x41, 0x3d, 0xe9, 0x0a]));
    const e = thrown(() => resolveWorkspace(root, { env: bare() }));
    assert.equal(e.code, "unreadable-file");
    assert.ok(e.message.includes(path.join(root, ".env")), e.message);
    assert.match(e.message, /UTF-8/);
    cliRefuses(root, ".env");
  });

  it("unreadable-file: a file over the 8 MiB limit, refused before it is read", () => {
    const root = workspace("huge", { "nx.json": "{}" });
    fs.writeFileSync(path.join(root, "package.json"), Buffer.alloc(8 * 1024 * 1024 + 1, 0x20));
    const e = thrown(() => readWorkspace(root, { env: bare() }));
    assert.equal(e.code, "unreadable-file");
    assert.match(e.message, /larger than the limit of 8388608 bytes/);
    assert.ok(e.message.includes(path.join(root, "package.json")), e.message);
    cliRefuses(root, "package.json");
    fs.writeFileSync(path.join(root, "package.json"), Buffer.alloc(8 * 1024 * 1024, 0x20));
    assert.equal(readWorkspace(root, { env: bare() }).packageJson, path.join(root, "package.json"), "the limit itself is accepted");
  });

  it("no-package-version: an installed nx whose package.json has no version", () => {
    const root = workspace("no-version", { "nx.json": "{}", "node_modules/nx/package.json": '{"name":"nx"}' });
    const e = thrown(() => readWorkspace(root, { env: bare() }));
    assert.ok(isNxCloudAccessError(e));
    assert.equal(e.code, "no-package-version");
    assert.ok(e.message.includes(path.join(root, "node_modules", "nx", "package.json")), e.message);
    assert.match(e.message, /reinstall the package/);
    cliRefuses(root, path.join("node_modules", "nx", "package.json"));
    // A given version is not looked up: the fix the message offers works.
    assert.equal(readWorkspace(root, { env: bare(), nxVersion: "20.0.0" }).nxVersion.origin, "argument");
    // A client's package.json without version: no version to give instead.
    const client = workspace("no-client-version", { "nx.json": "{}", "node_modules/nx-cloud/package.json": "{}" });
    const c = thrown(() => readWorkspace(client, { env: bare(), nxVersion: "20.0.0" }));
    assert.equal(c.code, "no-package-version");
    assert.ok(c.message.includes(path.join(client, "node_modules", "nx-cloud", "package.json")), c.message);
  });

  it("invalid-nx-json: the message starts with nx.json's path, line and column are set", () => {
    const root = workspace("broken", { "nx.json": '{\n  "nxCloudId": "x" "oops"\n}\n' });
    const e = thrown(() => resolveWorkspace(root, { env: bare(), cwd: root }));
    assert.equal(e.code, "invalid-nx-json");
    assert.equal(e.line, 2);
    assert.ok(e.message.startsWith("nx.json: invalid `nx.json` at line 2"), e.message);
    // readWorkspace only reads: the text is handed over as it is.
    assert.equal(readWorkspace(root, { env: bare() }).input.nxJson, '{\n  "nxCloudId": "x" "oops"\n}\n');
  });

  it("invalid-input: bad arguments and options", () => {
    const root = workspace("args", { "nx.json": "{}" });
    for (const [what, call] of [
      ["a dir that is not a folder", () => readWorkspace(path.join(root, "nx.json"))],
      ["a dir that does not exist", () => readWorkspace(path.join(root, "absent"))],
      ["a dir that is not a string", () => readWorkspace(42)],
      ["an unknown option", () => readWorkspace(root, { nxversion: "20.0.0" })],
      ["a platform of neither kind", () => readWorkspace(root, { platform: "darwin" })],
      ["an env value that is not a string", () => resolveWorkspace(root, { env: { HOME: 1 } })],
      ["a runner that is not a string", () => resolveWorkspace(root, { runner: ["ci"] })],
    ]) {
      const e = thrown(call);
      assert.ok(isNxCloudAccessError(e), what);
      assert.equal(e.code, "invalid-input", what);
    }
  });
});

describe("reading as the CLI reads", { skip: !CLI && "set NXCLOUD_CLI to the nxcloud-access binary" }, () => {
  it("a byte-order mark is kept, as Rust's read_to_string keeps it", () => {
    const root = workspace("bom", {
      "nx.json": "\ufeff{ \"nxCloudAccessToken\": \"top-token-000001\" }",
      ".env": "\ufeffNX_CLOUD_ACCESS_TOKEN=dotenv-token-0001\n",
      "node_modules/nx/package.json": pkg("nx", "20.0.6"),
    });
    assert.ok(readWorkspace(root, { env: bare() }).input.dotEnvFiles[".env"].startsWith("\ufeff"));
    const cli = spawnSync(CLI, ["explain", "--json", "--show-secrets", root], { cwd: root, env: bare(), encoding: "utf8" });
    let npm;
    try {
      npm = resolveWorkspace(root, { env: bare(), cwd: root });
    } catch (e) {
      assert.equal(cli.status, 2, `the package threw ${e.code}, the CLI did not`);
      return;
    }
    assert.equal(cli.status, 0, cli.stderr);
    assert.ok(isDeepStrictEqual(npm, JSON.parse(cli.stdout)), "the package and the CLI differ on a BOM");
  });
});

describe("the ES module entry nxcloud-access/node", () => {
  it("exports the very functions of the CommonJS entry, and a default export of them", async () => {
    const esm = await import(pathToFileURL(path.join(PKG_DIR, "node.mjs")).href);
    const named = ["isNxCloudAccessError", "readWorkspace", "resolveCredentials", "resolveWorkspace"];
    assert.deepEqual(Object.keys(esm).filter((k) => k !== "default").sort(), named);
    for (const k of named) {
      assert.equal(esm[k], node[k], k);
      assert.equal(esm.default[k], node[k], k);
    }
    assert.equal(esm.resolveCredentials, resolveCredentials, "one engine for both entries");
  });
});
