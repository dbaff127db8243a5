"use strict";
// The CommonJS entry of nxcloud-access: the WebAssembly engine (built into
// ./wasm by scripts/build-pkg) loads synchronously on the first `require`.

// Node 18 has no global Web Crypto unless flagged; the engine draws the
// randomness of new tokens and workspace ids from crypto.getRandomValues.
// (`in` does not run Node's lazy `crypto` getter, which costs milliseconds
// at start-up for callers that never mint a token.)
if (!("crypto" in globalThis)) {
  Object.defineProperty(globalThis, "crypto", {
    value: require("node:crypto").webcrypto,
    configurable: true,
    writable: true,
  });
}

const engine = require("./wasm/nxcloud_access.js");

// The two decisions take a fast path for plain arguments: the request's
// fields go in as strings and the decision comes back packed in one string
// (crates/nxcloud-access-wasm/src/fast.rs), instead of a JSON round trip
// that costs ten times the decision. The result is the same object, field
// for field. Any other argument (unknown or non-string fields, a `toJSON`,
// a getter-made prototype, an unknown action) takes the generic path, which
// answers or throws exactly as before.
const proto = engine.AccessControl.prototype;
const ACCESS = ["read-write", "read-only", "none"];
const PRINCIPAL = ["ci-access-token", "personal-access-token", "workspace-id"];
const ROLE = ["admin", "member", "public", "none"];

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
        const s = engine.__authorizeRunnerPacked(this, nxCloudId ?? undefined, accessToken ?? undefined, personalAccessToken ?? undefined, a);
        if (s !== "") {
          const cut = s.indexOf("\0", 4);
          return {
            allowed: s.charCodeAt(0) === 49,
            access: ACCESS[s.charCodeAt(2) - 48],
            principal: PRINCIPAL[s.charCodeAt(3) - 48],
            rule: s.slice(4, cut),
            reason: s.slice(cut + 1),
            unauthenticated: s.charCodeAt(1) === 49,
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
        const s = engine.__authorizeWebPacked(this, user ?? undefined, organization, a);
        if (s !== "") {
          const cut = s.indexOf("\0", 4);
          return {
            allowed: s.charCodeAt(0) === 49,
            role: ROLE[s.charCodeAt(2) - 48],
            rule: s.slice(4, cut),
            reason: s.slice(cut + 1),
          };
        }
      }
    }
    return exactWeb.call(this, request);
  },
});

// resolveCredentials hands a string `nxJson` over as its own argument (one
// copy instead of JSON escaping and unescaping: the file may be megabytes).
function resolveCredentials(input) {
  if (input !== null && typeof input === "object" && typeof input.nxJson === "string" && input.toJSON === undefined) {
    const p = Object.getPrototypeOf(input);
    if (p === Object.prototype || p === null) {
      const result = engine.__resolveCredentialsWithText({ ...input, nxJson: null }, input.nxJson);
      if (result !== undefined) return result;
    }
  }
  return engine.resolveCredentials(input);
}

exports.resolveCredentials = resolveCredentials;
exports.AccessControl = engine.AccessControl;
