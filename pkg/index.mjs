// The ES module entry of nxcloud-access: the same engine as the CommonJS
// entry (one instance per process, whichever way it is loaded).
import engine from "./index.cjs";

export const { resolveCredentials, AccessControl } = engine;
