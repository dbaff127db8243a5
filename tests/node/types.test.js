"use strict";
// The generated TypeScript declarations, reviewed like code: the built
// package's .d.ts must equal the committed snapshot. After a deliberate
// change of the types: `UPDATE_SNAPSHOTS=1 node --test tests/node/types.test.js`
// and review the diff of tests/node/__snapshots__/nxcloud_access.d.ts.
//
// (The snapshot lives here rather than in an insta test of the wasm crate:
// the .d.ts exists only after scripts/build-pkg, which these tests need
// anyway, so a missing file fails here instead of being skipped by a
// `cargo test` that ran before any build.)
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { it } = require("node:test");

const { PKG_DIR } = require("./load.js");

const BUILT = path.join(PKG_DIR, "wasm", "nxcloud_access.d.ts");
const SNAPSHOT = path.join(__dirname, "__snapshots__", "nxcloud_access.d.ts");

it("the generated .d.ts equals the reviewed snapshot", () => {
  const built = fs.readFileSync(BUILT, "utf8");
  if (process.env.UPDATE_SNAPSHOTS === "1") fs.writeFileSync(SNAPSHOT, built);
  const reviewed = fs.readFileSync(SNAPSHOT, "utf8");
  assert.equal(
    built,
    reviewed,
    "the generated .d.ts changed: review it, then UPDATE_SNAPSHOTS=1 node --test tests/node/types.test.js",
  );
});

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
