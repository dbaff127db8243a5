// An ES module consumer of `nxcloud-access/node` (`import`), typed through
// the entry's `import` condition: named exports and the default export.
import nxcloudNode, { readWorkspace, resolveWorkspace, type DiscoveredWorkspace, type WorkspaceOptions } from "nxcloud-access/node";

const options: WorkspaceOptions = { env: { HOME: "/home/ann", CI: undefined }, platform: "windows" };
const ws: DiscoveredWorkspace = readWorkspace("/repo", options);
const client: string | undefined = ws.cloudClient?.value;
const dotEnvFiles: string[] = ws.dotEnv.files;
const resolution = resolveWorkspace("/repo", options);
const credential: "ci-access-token" | "personal-access-token" | "workspace-id" | "none" = resolution.credential;
const viaDefault: DiscoveredWorkspace = nxcloudNode.readWorkspace();
