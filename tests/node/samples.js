"use strict";
// The sample workspaces of samples/ (the CLI's own), for the tests that hold
// the npm package to the CLI on each: their folder, their names, and the
// names the samples must include (so that an empty or moved folder fails
// instead of testing nothing).

const fs = require("node:fs");
const path = require("node:path");

const SAMPLES = path.join(__dirname, "..", "..", "samples");

/** The names of the sample workspaces, sorted. */
const SAMPLE_NAMES = fs
  .readdirSync(SAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** Samples that must be there. */
const EXPECTED_SAMPLES = ["legacy-committed-token", "env-override", "cloud-id-with-pat", "broken-nx-json"];

module.exports = { SAMPLES, SAMPLE_NAMES, EXPECTED_SAMPLES };
