"use strict";
// The generated TypeScript declarations of the built package. The whole file
// is an insta snapshot, reviewed like code:
// crates/nxcloud-access-wasm/tests/dts.rs (scripts/test-node runs it after the
// build). Here: what every consumer relies on, whatever the snapshot says.
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { it } = require("node:test");

const { PKG_DIR } = require("./load.js");

const BUILT = path.join(PKG_DIR, "wasm", "nxcloud_access.d.ts");

it("declares every export the entry points re-export, with no `any`", () => {
  const built = fs.readFileSync(BUILT, "utf8");
  assert.match(built, /export function resolveCredentials\(input: ResolveInput\): Resolution;/);
  assert.match(built, /export class AccessControl/);
  assert.match(built, /static fromJSON\(snapshot: AccessControlSnapshot \| string\): AccessControl;/);
  // No `any` in a type position (doc comments may say "any").
  const code = built.replace(/\/\*\*[\s\S]*?\*\//g, "");
  assert.doesNotMatch(code, /\bany\b/);
  assert.doesNotMatch(code, /\bMap</, "maps must be plain objects (tsify hashmap_as_object)");
});
