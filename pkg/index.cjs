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

exports.resolveCredentials = engine.resolveCredentials;
exports.AccessControl = engine.AccessControl;
