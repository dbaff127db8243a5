// The ES module entry of nxcloud-access: the same engine as the CommonJS
// entry (one instance per process, whichever way it is loaded, and loaded
// on first use, not at import: see index.cjs). The default export is the
// object of all the named exports.
import engine from "./index.cjs";

export const { resolveCredentials, AccessControl, isNxCloudAccessError } = engine;

export default { resolveCredentials, AccessControl, isNxCloudAccessError };
