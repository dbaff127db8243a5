"use strict";
// The CommonJS entry of nxcloud-access. Its two WebAssembly engines
// (engine.cjs) load on first use, never at `require`: `resolveCredentials`
// loads the engine `resolve` on its first call, and `AccessControl`, a
// stand-in for the class of the engine `access`, loads that engine on its
// first use (see `AccessControl` below).

const { accessEngine, resolveEngine } = require("./engine.cjs");

// ------------------------------------------------------------ AccessControl

// The engine `access` and its class, once loaded (`load`).
let access;
let Loaded;

// `AccessControl` is a stand-in, a Proxy over a function, that stands for
// the engine's class from the first `require`, so that `require` and
// `import` give the very same object and nothing loads before it is used.
// Its first use (`new`, a static such as `fromJSON`, `instanceof`, reading
// or changing any property; `typeof` is "function" without loading) loads
// the engine and gives the function the class's own properties (its
// `prototype`, `fromJSON`, `name`, `length`): from then on every operation
// but a call or `new` acts on that function, unchanged (no Proxy invariant
// can break), and a call or `new` goes to the class. The class's prototype
// is the stand-in's, and its `constructor` is the stand-in: `instanceof`,
// `ac.constructor === AccessControl`, subclasses and `fromJSON` behave as
// with the class itself.
const standIn = function AccessControl() {};
const handler = {
  construct(_, args, newTarget) {
    const Class = load();
    return Reflect.construct(Class, args, newTarget === AccessControl ? Class : newTarget);
  },
  apply(_, self, args) {
    return Reflect.apply(load(), self, args);
  },
};
for (const trap of Object.getOwnPropertyNames(Reflect)) {
  if (typeof Reflect[trap] !== "function" || trap in handler) continue;
  handler[trap] = (...args) => {
    load();
    return Reflect[trap](...args);
  };
}
const AccessControl = new Proxy(standIn, handler);

/** The engine's class, loading the engine `access` on the first call. */
function load() {
  if (Loaded === undefined) {
    access = accessEngine();
    const Class = access.AccessControl;
    fastDecisions(Class.prototype);
    for (const key of Reflect.ownKeys(Class)) {
      Object.defineProperty(standIn, key, Object.getOwnPropertyDescriptor(Class, key));
    }
    Object.defineProperty(Class.prototype, "constructor", {
      value: AccessControl,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    Loaded = Class;
  }
  return Loaded;
}

// The two decisions take a fast path for plain arguments: the request's
// fields go in as strings and a number comes back, the handle of the
// decision in the engine's memo of decisions (made on the first such
// request, answered from the memo until the state changes: see
// crates/nxcloud-access-wasm/src/fast.rs and memo.rs). The packed decision
// of a handle is read and expanded once per engine state; every call
// returns a new object, the same field for field as the generic path's.
// Any other argument (unknown or non-string fields, a `toJSON`, a
// getter-made prototype, an unknown action) takes the generic path, which
// answers or throws exactly as before.
const ACCESS = ["read-write", "read-only", "none"];
const PRINCIPAL = ["ci-access-token", "personal-access-token", "workspace-id"];
const ROLE = ["admin", "member", "public", "none"];
// A handle is `epoch * ID_SPAN + id` (memo.rs).
const ID_SPAN = 1 << 20;
// The expanded decisions of the engine's current epoch, on the engine.
const DECISIONS = Symbol("nxcloud-access decisions");
// Set on an engine once its memo has its hash keys.
const SEEDED = Symbol("nxcloud-access seeded");

// The memo's hash keys only keep its buckets unpredictable (memo.rs says why
// no decision rests on them): they come from Math.random, not from the
// global Web Crypto, which costs milliseconds to load on its first use.
function seed(ac) {
  const word = () => Math.floor(Math.random() * 0x100000000);
  access.__seedDecisions(ac, word(), word(), word(), word());
  ac[SEEDED] = true;
}

function runnerAction(action) {
  switch (action) {
    case "read-cache": return 0;
    case "write-cache": return 1;
    case "record-run": return 2;
    case "distribute": return 3;
    default: return -1;
  }
}

function webAction(action) {
  switch (action) {
    case "view-runs": return 0;
    case "view-stats": return 1;
    case "change-settings": return 2;
    case "manage-members": return 3;
    case "manage-tokens": return 4;
    default: return -1;
  }
}

/** A plain object (as JSON.stringify would see it), `known` its keys. */
function plain(arg, known) {
  if (arg === null || typeof arg !== "object" || arg.toJSON !== undefined) return false;
  const p = Object.getPrototypeOf(arg);
  if (p !== Object.prototype && p !== null) return false;
  for (const key in arg) if (!known(key)) return false;
  return true;
}

function runnerField(key) {
  return key === "nxCloudId" || key === "accessToken" || key === "personalAccessToken" || key === "action";
}

function webField(key) {
  return key === "user" || key === "organization" || key === "action";
}

const optionalString = (v) => v === undefined || v === null || typeof v === "string";

/**
 * The decision of a handle, unpacked (`undefined`: take the generic path).
 * The packed form (fast.rs): `allowed`, `unauthenticated`, two table
 * indexes, the rule, a NUL, the reason.
 */
function memoised(ac, handle) {
  if (handle < 0) return undefined;
  const epoch = Math.floor(handle / ID_SPAN);
  const id = handle - epoch * ID_SPAN;
  let table = ac[DECISIONS];
  if (table === undefined || table.epoch !== epoch) {
    table = ac[DECISIONS] = { epoch, decisions: [] };
  }
  let d = table.decisions[id];
  if (d === undefined) {
    const s = access.__memoDecision(ac, id);
    if (s === "") return undefined;
    const cut = s.indexOf("\0", 4);
    d = table.decisions[id] = {
      allowed: s.charCodeAt(0) === 49,
      unauthenticated: s.charCodeAt(1) === 49,
      a: s.charCodeAt(2) - 48,
      b: s.charCodeAt(3) - 48,
      rule: s.slice(4, cut),
      reason: s.slice(cut + 1),
    };
  }
  return d;
}

/** Gives the class's two decisions their fast paths (on loading). */
function fastDecisions(proto) {
  const exactRunner = proto.authorizeRunner;
  const exactWeb = proto.authorizeWeb;

  Object.defineProperty(proto, "authorizeRunner", {
    configurable: true,
    writable: true,
    value: function authorizeRunner(request) {
      if (plain(request, runnerField)) {
        const { nxCloudId, accessToken, personalAccessToken, action } = request;
        const a = runnerAction(action);
        if (a >= 0 && optionalString(nxCloudId) && optionalString(accessToken) && optionalString(personalAccessToken)) {
          if (this[SEEDED] !== true) seed(this);
          const d = memoised(this, access.__authorizeRunner(this, nxCloudId ?? undefined, accessToken ?? undefined, personalAccessToken ?? undefined, a));
          if (d !== undefined) {
            return {
              allowed: d.allowed,
              access: ACCESS[d.a],
              principal: PRINCIPAL[d.b],
              rule: d.rule,
              reason: d.reason,
              unauthenticated: d.unauthenticated,
            };
          }
        }
      }
      return exactRunner.call(this, request);
    },
  });

  Object.defineProperty(proto, "authorizeWeb", {
    configurable: true,
    writable: true,
    value: function authorizeWeb(request) {
      if (plain(request, webField)) {
        const { user, organization, action } = request;
        const a = webAction(action);
        if (a >= 0 && optionalString(user) && typeof organization === "string") {
          if (this[SEEDED] !== true) seed(this);
          const d = memoised(this, access.__authorizeWeb(this, user ?? undefined, organization, a));
          if (d !== undefined) {
            return {
              allowed: d.allowed,
              role: ROLE[d.a],
              rule: d.rule,
              reason: d.reason,
            };
          }
        }
      }
      return exactWeb.call(this, request);
    },
  });
}

// ------------------------------------------------------- resolveCredentials

// resolveCredentials takes a fast path for a plain input object: a string
// `nxJson` goes in as its own argument (one copy instead of JSON escaping
// and unescaping: the file may be megabytes) and the resolution comes back
// packed, its fields in one string (fast.rs, `pack_resolution`), which
// `unpackResolution` turns into the very object the generic path returns.
// Anything else takes the generic path, which answers or throws as before.
//
// An `nxJson` object (the parsed nx.json an Nx plugin's context holds) is
// first turned into its `JSON.stringify` text, so that it resolves exactly
// as that text; its errors carry no `line`/`column` (there is no text of
// the caller's to point into). `env` values that are `undefined` (as in
// `process.env`) are unset variables: JSON.stringify leaves them out.
function resolveCredentials(input) {
  const fromObject = input !== null && typeof input === "object" &&
    input.nxJson !== null && typeof input.nxJson === "object";
  if (fromObject) {
    // The same prototype: a plain input stays plain (the fast path), any
    // other takes the generic path as before.
    input = Object.assign(Object.create(Object.getPrototypeOf(input)), input, { nxJson: nxJsonText(input.nxJson) });
  }
  try {
    return resolveText(input);
  } catch (e) {
    if (fromObject && isNxCloudAccessError(e)) {
      delete e.line;
      delete e.column;
    }
    throw e;
  }
}

/** The `JSON.stringify` text of an nx.json object. */
function nxJsonText(object) {
  let text;
  try {
    text = JSON.stringify(object);
  } catch (e) {
    throw codedError("invalid-input", `invalid input of resolveCredentials: \`nxJson\` must be plain JSON data: ${e && e.message}`);
  }
  if (typeof text !== "string") {
    throw codedError("invalid-input", "invalid input of resolveCredentials: `nxJson` must be the text of nx.json or its parsed object");
  }
  return text;
}

function codedError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

// The stable codes of NxCloudAccessErrorCode (the generated .d.ts).
const CODES = new Set([
  "invalid-nx-json",
  "invalid-input",
  "invalid-nx-version",
  "not-found",
  "forbidden",
  "conflict",
  "last-admin",
  "no-matching-invite",
  "unsupported-snapshot",
  "unreadable-file",
  "no-package-version",
  "internal",
]);

/** Whether `e` is an error this package threw (an Error with a known code). */
function isNxCloudAccessError(e) {
  return e instanceof Error && typeof e.code === "string" && CODES.has(e.code);
}

function resolveText(input) {
  // Any key: the engine refuses unknown ones, on either path.
  if (plain(input, () => true)) {
    const packed = typeof input.nxJson === "string"
      ? resolveEngine().__resolveCredentialsPacked({ ...input, nxJson: null }, input.nxJson)
      : resolveEngine().__resolveCredentialsPacked(input, undefined);
    if (packed !== undefined) return unpackResolution(packed);
  }
  return resolveEngine().resolveCredentials(input);
}

/** The resolution from its packed fields (fast.rs, `pack_resolution`). */
function unpackResolution(packed) {
  const f = packed.split("\x01");
  let i = 0;
  const text = () => f[i++];
  const optional = () => {
    const v = f[i++];
    return v === "\x02" ? null : v;
  };
  const flag = () => f[i++] === "1";
  const secret = () => (flag() ? { value: text(), redacted: text(), source: text() } : null);
  const sourced = () => (flag() ? { value: text(), source: text() } : null);
  // Object literals evaluate in order: the fields are read as written.
  const r = {
    nxVersion: text(),
    nxCloudUsed: flag(),
    runner: { name: text(), cloud: flag(), module: text() },
    accessToken: secret(),
    nxCloudId: sourced(),
    personalAccessToken: secret(),
    credential: text(),
    apiUrl: sourced(),
    appUrl: sourced(),
    inferred: flag(),
    trace: [],
    findings: [],
    cache: null,
    stops: null,
    selfHostedCache: null,
  };
  for (let n = Number(text()); n > 0; n--) {
    r.trace.push({ rule: text(), source: text(), value: optional(), outcome: text(), note: text() });
  }
  for (let n = Number(text()); n > 0; n--) {
    r.findings.push({ code: text(), severity: text(), message: text(), fix: text() });
  }
  if (flag()) {
    r.cache = { accessToken: secret(), nxCloudId: sourced(), apiUrl: sourced(), rule: text() };
  }
  if (flag()) {
    r.stops = { when: text(), exitStatus: Number(text()), reason: text(), rule: text(), finding: text() };
  }
  if (flag()) {
    r.selfHostedCache = {
      server: sourced(),
      accessToken: secret(),
      nxCloudId: optional(),
      requestUrl: text(),
      credential: text(),
      used: flag(),
      fallback: flag(),
      rule: text(),
      reason: text(),
    };
  }
  return r;
}

exports.resolveCredentials = resolveCredentials;
exports.AccessControl = AccessControl;
exports.isNxCloudAccessError = isNxCloudAccessError;
