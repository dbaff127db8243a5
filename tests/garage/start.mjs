// A real Garage (S3-compatible object store) for the Node tests: one node in
// a temporary folder on 127.0.0.1, with a layout, a key and a bucket, as
// crates/nxcloud-access-server/tests/common/garage.rs does for the Rust
// tests. The binary comes from scripts/setup-garage (pinned, under
// ~/.cache/nxcloud-garage), or $NXCLOUD_GARAGE_BIN.
//
//   const garage = await startGarage();   // { env, bucket, stop(), log() }
//   ... AWS_* from garage.env ...
//   garage.stop();

import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "../nx-e2e/server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const BUCKET = "nxcache";
export const REGION = "garage";


const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// The pinned Garage binary (installs it when missing: loud on failure).
export function garageBinary() {
  if (process.env.NXCLOUD_GARAGE_BIN) return process.env.NXCLOUD_GARAGE_BIN;
  const setup = spawnSync(path.join(root, "scripts", "setup-garage"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (setup.status !== 0) throw new Error("scripts/setup-garage failed: see above");
  return setup.stdout.trim().split("\n").pop();
}

export async function startGarage() {
  const bin = garageBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nxcloud-garage-"));
  const [s3Port, rpcPort] = [await freePort(), await freePort()];
  const config = path.join(dir, "garage.toml");
  fs.writeFileSync(
    config,
    `metadata_dir = "${dir}/meta"
data_dir = "${dir}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:${rpcPort}"
rpc_public_addr = "127.0.0.1:${rpcPort}"
rpc_secret = "${crypto.randomBytes(32).toString("hex")}"

[s3_api]
s3_region = "${REGION}"
api_bind_addr = "127.0.0.1:${s3Port}"
root_domain = ".s3.garage.localhost"
`,
    { mode: 0o600 },
  );
  const logPath = path.join(dir, "garage.log");
  const log = fs.openSync(logPath, "a");
  const child = spawn(bin, ["-c", config, "server"], { stdio: ["ignore", log, log], env: { ...process.env, RUST_LOG: "garage=warn" } });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const readLog = () => fs.readFileSync(logPath, "utf8");
  const cli = (...args) => spawnSync(bin, ["-c", config, ...args], { encoding: "utf8", env: { ...process.env, RUST_LOG: "garage=warn" } });
  const run = (...args) => {
    const result = cli(...args);
    if (result.status !== 0) throw new Error(`garage ${args.join(" ")} failed: ${result.stdout}${result.stderr}\n(garage's log: ${readLog()})`);
    return result.stdout;
  };
  for (let i = 0; ; i += 1) {
    if (cli("status").status === 0) break;
    if (child.exitCode !== null || i > 300) throw new Error(`garage did not start: ${readLog()}`);
    await sleep(200);
  }
  const id = run("node", "id", "-q").trim().split("@")[0];
  run("layout", "assign", "-z", "dc1", "-c", "1G", id);
  run("layout", "apply", "--version", "1");
  const keyId = `GK${crypto.randomBytes(12).toString("hex")}`;
  const secret = crypto.randomBytes(32).toString("hex");
  run("key", "import", "--yes", "-n", "nxcloud", keyId, secret);
  run("bucket", "create", BUCKET);
  run("bucket", "allow", "--read", "--write", "--owner", BUCKET, "--key", keyId);
  return {
    bucket: BUCKET,
    secret,
    env: {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${s3Port}`,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: keyId,
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_ALLOW_HTTP: "true",
    },
    log: readLog,
    /// Kills the node (the store becomes unreachable); its folder stays
    /// until `remove`.
    stop() {
      child.kill("SIGKILL");
    },
    remove() {
      child.kill("SIGKILL");
      process.off("exit", killOnExit);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
