"use strict";
// The two WebAssembly engines of nxcloud-access (built into ./wasm by
// scripts/build-pkg), each loaded on its first use, never at `require`:
//
// * `resolveEngine()`: resolveCredentials (and its fast path) and the
//   workspace discovery of `nxcloud-access/node` (wasm/resolve_bg.wasm);
// * `accessEngine()`: the class AccessControl and its decisions
//   (wasm/access_bg.wasm).
//
// Internal to the package (not in its "exports"): index.cjs and node.cjs
// use it. Loading is synchronous (wasm-bindgen's Node glue compiles the
// .wasm with `new WebAssembly.Module`) and happens once per process: the
// glue modules are ordinary `require`s, cached by Node.

let resolve;
let access;

/** The engine `resolve` (wasm/resolve.js), loaded on the first call. */
function resolveEngine() {
  if (resolve === undefined) resolve = require("./wasm/resolve.js");
  return resolve;
}

/** The engine `access` (wasm/access.js), loaded on the first call. */
function accessEngine() {
  if (access === undefined) {
    webCrypto();
    access = require("./wasm/access.js");
  }
  return access;
}

// Node 18 has no global Web Crypto unless flagged; the engine `access`
// draws the randomness of new tokens and workspace ids from
// crypto.getRandomValues. (`in` does not run Node's lazy `crypto` getter,
// which costs milliseconds at start-up for callers that never mint a
// token.)
function webCrypto() {
  if (!("crypto" in globalThis)) {
    Object.defineProperty(globalThis, "crypto", {
      value: require("node:crypto").webcrypto,
      configurable: true,
      writable: true,
    });
  }
}

exports.resolveEngine = resolveEngine;
exports.accessEngine = accessEngine;
