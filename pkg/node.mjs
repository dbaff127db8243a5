// The ES module entry of `nxcloud-access/node`: the same module as the
// CommonJS entry (one engine per process, whichever way it is loaded). The
// default export is the object of all the named exports.
import node from "./node.cjs";

export const { readWorkspace, resolveWorkspace, resolveCredentials, isNxCloudAccessError } = node;

export default { readWorkspace, resolveWorkspace, resolveCredentials, isNxCloudAccessError };
