"use strict";
// Loads the npm package under test: the built package in pkg/ (scripts/
// build-pkg), or the one in NXCLOUD_PKG_DIR (scripts/test-node points it at
// a copy installed from the packed tarball).
const path = require("node:path");

const PKG_DIR = process.env.NXCLOUD_PKG_DIR || path.join(__dirname, "..", "..", "pkg");

module.exports = { PKG_DIR, ...require(PKG_DIR) };
