// The real nx client against `serve --artifacts s3://…` on a real Garage
// (issue 14, item 1): a miss uploads into the bucket, a clean checkout hits
// `[remote cache]` with identical files; with Garage killed, nx still
// builds (the GET is a miss, the PUT refused) and the server logs the outage.
//
//   node tests/nx-e2e/garage.mjs <path to the nxcloud-access binary>
//
// scripts/test-server runs it after installing nx and Garage.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { startGarage } from "../garage/start.mjs";
import { exited, fixtureNx, harness, reporter } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, "fixture");
const bin = path.resolve(process.argv[2] ?? "");
const { step, ok, passed } = reporter();

if (!process.argv[2] || !fs.existsSync(bin)) {
  console.error(`FAIL: the nxcloud-access binary was not found at \`${bin}\``);
  process.exit(1);
}
const { installed, runNx, distFiles } = fixtureNx(fixture);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-e2e-garage-"));
const { admin, startServer } = harness(bin, work);

const garage = await startGarage();
try {
  step(`nx ${installed} with the artifacts in Garage (serve --artifacts s3://${garage.bucket}/e2e)`);
  const data = path.join(work, "data");
  admin(data, "create-user", { id: "alice", email: "alice@example.com" });
  admin(data, "create-organization", { id: "acme", name: "Acme", creator: "alice" });
  const { nxCloudId: ws } = admin(data, "create-workspace", { organization: "acme", actor: "alice" });
  const rw = admin(data, "create-ci-access-token", { workspace: ws, actor: "alice", name: "ci", access: "read-write" });
  // The server alone gets the AWS environment.
  Object.assign(process.env, garage.env);
  const server = await startServer(data, ["--artifacts", `s3://${garage.bucket}/e2e`]);
  for (const key of Object.keys(garage.env)) delete process.env[key];

  let run = runNx(server.url, rw.token, "miss");
  assert.equal(run.status, 0, run.output);
  assert.ok(!run.output.includes("[remote cache]"), run.output);
  const built = distFiles();
  ok("a miss: nx builds and uploads");
  const log = () => fs.readFileSync(server.logPath, "utf8");
  assert.match(log(), /artifact stored/, "the server stored the artifact");
  assert.ok(fs.readdirSync(data).every((name) => name !== "artifacts"), "nothing in the data directory's artifacts folder");
  ok("the artifact went to the bucket, not to the data directory");

  run = runNx(server.url, rw.token, "hit");
  assert.equal(run.status, 0, run.output);
  assert.ok(run.output.includes("[remote cache]"), `expected a remote cache hit\n${run.output}`);
  assert.deepEqual(distFiles(), built, "the files from the bucket equal the built ones");
  ok("a clean checkout: [remote cache] hit from Garage, identical files");

  step("Garage killed: nx still builds; the server logs the outage");
  garage.stop();
  run = runNx(server.url, rw.token, "storage down");
  assert.equal(run.status, 0, `nx failed with the storage down\n${run.output}`);
  assert.ok(!run.output.includes("[remote cache]"), run.output);
  assert.deepEqual(distFiles(), built);
  ok("storage down: a miss, the task runs, nx exits 0 with the same files");
  assert.match(log(), /reading an artifact failed; answering a miss/);
  assert.match(log(), /storing an artifact failed/);
  assert.ok(!log().includes(garage.secret), "the secret key is in the server's log");
  for (const value of Object.values(garage.env)) if (value === garage.secret) assert.ok(!run.output.includes(value));
  ok("the server logged the failed read and the refused write, without the secret key");

  server.child.kill("SIGTERM");
  const end = await exited(server.child);
  assert.equal(end.code, 0, `the server exited with ${JSON.stringify(end)}`);
  console.log(`\nPASS: ${passed()} checks (nx ${installed}, Garage)`);
} finally {
  garage.remove();
  fs.rmSync(work, { recursive: true, force: true });
}
