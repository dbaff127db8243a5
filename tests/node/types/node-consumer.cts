// A CommonJS consumer of `nxcloud-access/node` (`require`), typed through
// the entry's `require` condition.
import node = require("nxcloud-access/node");

const ws: node.DiscoveredWorkspace = node.readWorkspace(".", { env: process.env, platform: "unix" });
const origin: "argument" | "installed" | "unknown" = ws.nxVersion.origin;
const skipped: string[] = ws.patFile.skipped;
const tracked: string[] | null = ws.trackedFiles;
const input: node.ResolveInput = ws.input;
const resolution: node.Resolution = node.resolveWorkspace(undefined, { nxVersion: "22.7.12", runner: null, cwd: "/" });
const same: node.Resolution = node.resolveCredentials(input);
try {
  node.resolveWorkspace();
} catch (e) {
  if (node.isNxCloudAccessError(e)) {
    const code: node.NxCloudAccessErrorCode = e.code;
    const unreadable: boolean = code === "unreadable-file" || code === "no-package-version";
  }
}

declare const process: { env: { [key: string]: string | undefined } };
