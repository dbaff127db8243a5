"use strict";
// The npm package and the CLI give the same answer for every sample
// workspace: `nxcloud-access explain --json --show-secrets` (the binary in
// NXCLOUD_CLI) against resolveCredentials fed the same files and environment.
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const { describe, it } = require("node:test");

const { resolveCredentials } = require("./load.js");
const { readWorkspace } = require("./workspace.js");

const { SAMPLES, SAMPLE_NAMES: samples, EXPECTED_SAMPLES } = require("./samples.js");
const CLI = process.env.NXCLOUD_CLI;


describe("the npm package agrees with the CLI on every sample", { skip: !CLI && "set NXCLOUD_CLI to the nxcloud-access binary" }, () => {
  it("has the samples the CLI engineer wrote", () => {
    for (const name of EXPECTED_SAMPLES) {
      assert.ok(samples.includes(name), name);
    }
  });

  for (const name of samples) {
    it(name, () => {
      const root = path.join(SAMPLES, name);
      // The environment both see: a home folder of the sample's own (its PAT
      // file, if any) and a PATH to find git; nothing else.
      const env = { HOME: path.join(root, "home"), PATH: process.env.PATH };
      const cli = spawnSync(CLI, ["explain", "--json", "--show-secrets"], { cwd: root, env, encoding: "utf8" });
      let npm;
      let npmError;
      try {
        npm = resolveCredentials(readWorkspace(root, { env, cwd: root }));
      } catch (e) {
        npmError = e;
      }
      if (cli.status === 0) {
        assert.equal(npmError, undefined, `the CLI answered, the package threw: ${npmError?.message}`);
        assert.deepEqual(npm, JSON.parse(cli.stdout));
      } else {
        assert.equal(cli.status, 2, cli.stderr);
        assert.ok(npmError instanceof Error, "the CLI refused the input, the package did not");
        // The CLI prints `<file>:<line>:<column>: <message>`.
        const where = /nx\.json:(\d+):(\d+)/.exec(cli.stderr);
        assert.ok(where, cli.stderr);
        assert.equal(npmError.code, "invalid-nx-json");
        assert.equal(npmError.line, Number(where[1]));
        assert.equal(npmError.column, Number(where[2]));
        assert.ok(cli.stderr.includes(npmError.message), `${cli.stderr} vs ${npmError.message}`);
      }
    });
  }
});
