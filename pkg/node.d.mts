// Types of the ES module entry `nxcloud-access/node`: those of the CommonJS
// entry (node.d.ts: `readWorkspace`, `resolveWorkspace`, their options and
// the shapes they return), `resolveCredentials` and `isNxCloudAccessError`
// of the ES module entry, and the default export (the object of all the
// named exports).
import type { readWorkspace, resolveWorkspace } from "./node.js";
import type { resolveCredentials, isNxCloudAccessError } from "./index.mjs";
export * from "./node.js";
export { resolveCredentials, isNxCloudAccessError } from "./index.mjs";

declare const nxcloudAccessNode: {
    readWorkspace: typeof readWorkspace;
    resolveWorkspace: typeof resolveWorkspace;
    resolveCredentials: typeof resolveCredentials;
    isNxCloudAccessError: typeof isNxCloudAccessError;
};
export default nxcloudAccessNode;
