"use strict";
// No input can trap the engine: thousands of random arguments (of every JS
// kind, and of the right field names with wrong or odd values) and mutated
// nx.json texts, fed to every function. Each call answers or throws an
// Error with a string `code`; never a WebAssembly.RuntimeError (a Rust
// panic), and the instance keeps working afterwards. Seeded: reproducible.
const assert = require("node:assert/strict");
const { it } = require("node:test");

const { AccessControl, resolveCredentials } = require("./load.js");

/** xorshift32: a small seeded generator. */
function generator(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  return { next, int, pick };
}

const FIELDS = [
  "id", "email", "name", "creator", "organization", "actor", "user", "domain", "role", "visibility",
  "workspace", "level", "access", "nxCloudId", "accessToken", "personalAccessToken", "action",
  "nxVersion", "nxJson", "env", "dotEnvFiles", "nxCloudEnv", "cloudClient", "runner", "packageJson",
  "nxcloudIni", "trackedFiles", "path", "text", "version",
];
const WORDS = [
  "", "ann", "acme", "admin", "member", "public", "private", "read-only", "read-write", "none",
  "read-cache", "write-cache", "record-run", "distribute", "view-runs", "manage-tokens", "19.6.0",
  "17.0.0-beta.1", "x".repeat(5000), "\u0000", "é\u{1F600}", "ann@acme.dev", "@", "a@b@c",
  "nxca_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "nxpat_", "{", "[]", "NaN", "-1",
];

function value(rng, depth) {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0: return undefined;
    case 1: return null;
    case 2: return rng.pick([0, -1, 1.5, 2 ** 53, Number.NaN, Infinity, -0]);
    case 3: return rng.next() < 0.5;
    case 4:
    case 5: return rng.pick(WORDS);
    case 6: return Array.from({ length: rng.int(4) }, () => value(rng, depth + 1));
    default: {
      const object = {};
      for (let i = rng.int(6); i > 0; i--) object[rng.pick(FIELDS)] = value(rng, depth + 1);
      return object;
    }
  }
}

const METHODS = Object.getOwnPropertyNames(AccessControl.prototype).filter(
  (n) => !["constructor", "free", "__destroy_into_raw"].includes(n),
);

function assertCoded(e, what) {
  assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: the engine trapped: ${e?.message}`);
  assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
  assert.equal(typeof e.code, "string", `${what}: an error without code: ${e.message}`);
}

it("random arguments to every method and to resolveCredentials answer or throw coded errors", () => {
  const rng = generator(0x5eed);
  const ac = new AccessControl();
  ac.createUser({ id: "ann", email: "ann@acme.dev" });
  ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
  let answered = 0;
  for (let i = 0; i < 3000; i++) {
    const method = rng.pick([...METHODS, "resolveCredentials"]);
    const arg = value(rng, 0);
    try {
      if (method === "resolveCredentials") resolveCredentials(arg);
      else ac[method](arg);
      answered++;
    } catch (e) {
      assertCoded(e, method);
    }
  }
  assert.ok(answered > 0, "nothing was ever accepted: the generator is too weak");
  // Still sound afterwards.
  assert.equal(ac.authorizeWeb({ user: "ann", organization: "acme", action: "manage-tokens" }).allowed, true);
  assert.equal(typeof AccessControl.fromJSON(JSON.stringify(ac)).toJSON().version, "number");
});

it("mutated nx.json texts answer or throw coded errors", () => {
  const rng = generator(0xc0ffee);
  const seeds = [
    '{ "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud", "options": { "accessToken": "abc", "url": "https://x" } } } }',
    '{ // c\n "nxCloudAccessToken": "abc", "nxCloudId": "65d5639f1a3b026e4f1c2a77", "neverConnectToCloud": "false", }',
    '{ "tasksRunnerOptions": [1, {"runner": null}], "nxCloudUrl": 7, "nxCloudId": {"a": [true]} }',
  ];
  const alphabet = ['"', "{", "}", "[", "]", ",", ":", "/", "*", "\n", "a", "1", " ", "\\", "\u2028"];
  for (let i = 0; i < 1500; i++) {
    let text = rng.pick(seeds);
    for (let k = rng.int(4) + 1; k > 0; k--) {
      const at = rng.int(text.length + 1);
      text = rng.next() < 0.5 ? text.slice(0, at) + rng.pick(alphabet) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    }
    const nxVersion = rng.pick([undefined, "16.10.0", "17.0.0", "19.6.0", "20.0.1", "21.4.0", "22.7.0"]);
    try {
      const r = resolveCredentials({ nxVersion, nxJson: text, env: { NX_CLOUD_ACCESS_TOKEN: rng.pick(WORDS) } });
      assert.equal(typeof r.nxCloudUsed, "boolean");
    } catch (e) {
      assertCoded(e, JSON.stringify(text));
      if (e.code === "invalid-nx-json") {
        assert.ok(Number.isInteger(e.line) && e.line >= 1, e.message);
        assert.ok(Number.isInteger(e.column) && e.column >= 1, e.message);
      }
    }
  }
});

it("a freed instance refuses calls with an Error, without trapping", () => {
  const ac = new AccessControl();
  ac.free();
  const e = (() => {
    try {
      ac.createUser({ id: "ann", email: "ann@acme.dev" });
    } catch (error) {
      return error;
    }
    return null;
  })();
  assert.ok(e instanceof Error);
  assert.ok(!(e instanceof WebAssembly.RuntimeError));
});

it("an argument whose toJSON calls the same instance back works: read before the engine is borrowed", () => {
  const ac = new AccessControl();
  ac.createUser({ id: "ann", email: "ann@acme.dev" });
  const sneaky = {
    toJSON() {
      ac.createUser({ id: "bob", email: "bob@acme.dev" });
      return { id: "cid", email: "cid@acme.dev" };
    },
  };
  ac.createUser(sneaky);
  assert.deepEqual(
    ["ann", "bob", "cid"].map((user) => {
      try {
        ac.createPersonalAccessToken({ user, name: "t" });
        return true;
      } catch {
        return false;
      }
    }),
    [true, true, true],
  );
});
