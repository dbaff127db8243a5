"use strict";
// The spec's npm driver (tests/support/node.rs): one long-lived Node process
// that drives the BUILT npm package (pkg/, or NXCLOUD_PKG_DIR) with JSON
// lines on stdin and answers one JSON line per request, in order:
//
//   {"op":"resolve","input":{…}}                        resolveCredentials
//   {"op":"reset","session":1}                          a new AccessControl
//   {"op":"access","session":1,"method":"createUser","arg":{…}}
//   {"op":"access","session":1,"method":"toJSON"}       via JSON.stringify
//   {"op":"access","session":1,"method":"fromJSON","arg":snapshot}
//   {"op":"drop","session":1}                           frees the instance
//
// answers: {"ok":value} or {"error":{"code","message","line","column"}}.
// Sessions keep the scenarios that cucumber interleaves apart.

const path = require("node:path");
const readline = require("node:readline");

const pkgDir = process.env.NXCLOUD_PKG_DIR || path.join(__dirname, "..", "..", "pkg");
let pkg;
try {
  pkg = require(pkgDir);
} catch (e) {
  process.stderr.write(
    `driver.js: cannot load the npm package from ${pkgDir} (build it with scripts/build-pkg): ${e.message}\n`,
  );
  process.exit(1);
}
const { resolveCredentials, AccessControl } = pkg;

/** The methods a scenario may call: the class's own, minus the plumbing. */
const METHODS = new Set(
  Object.getOwnPropertyNames(AccessControl.prototype).filter(
    (name) => !["constructor", "free", "toJSON", "__destroy_into_raw"].includes(name) && typeof AccessControl.prototype[name] === "function",
  ),
);

const sessions = new Map();

function session(id) {
  let ac = sessions.get(id);
  if (!ac) {
    ac = new AccessControl();
    sessions.set(id, ac);
  }
  return ac;
}

function replace(id, next) {
  sessions.get(id)?.free();
  sessions.set(id, next);
}

function handle(request) {
  switch (request.op) {
    case "resolve":
      return resolveCredentials(request.input);
    case "reset":
      replace(request.session, new AccessControl());
      return null;
    case "drop":
      sessions.get(request.session)?.free();
      sessions.delete(request.session);
      return null;
    case "access": {
      const ac = session(request.session);
      if (request.method === "toJSON") {
        // The way a caller persists it: JSON.stringify goes through toJSON.
        return JSON.parse(JSON.stringify(ac));
      }
      if (request.method === "fromJSON") {
        replace(request.session, AccessControl.fromJSON(request.arg));
        return null;
      }
      if (!METHODS.has(request.method)) {
        throw Object.assign(new Error(`unknown AccessControl method \`${request.method}\``), {
          code: "invalid-input",
        });
      }
      return ac[request.method](request.arg);
    }
    default:
      throw Object.assign(new Error(`unknown driver op \`${request.op}\``), { code: "driver-error" });
  }
}

function answer(line) {
  try {
    const result = handle(JSON.parse(line));
    return { ok: result === undefined ? null : result };
  } catch (e) {
    const error = { code: typeof e?.code === "string" ? e.code : "no-code", message: String(e?.message ?? e) };
    if (typeof e?.line === "number") error.line = e.line;
    if (typeof e?.column === "number") error.column = e.column;
    if (!(e instanceof Error)) error.message = `a non-Error was thrown: ${error.message}`;
    return { error };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim() !== "") process.stdout.write(`${JSON.stringify(answer(line))}\n`);
});
lines.on("close", () => process.exit(0));
