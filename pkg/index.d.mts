// Types of the ES module entry: generated from the Rust types (tsify,
// wasm-bindgen) into ./wasm by scripts/build-pkg, the error guard and the
// default export (the object of all the named exports).
import type { NxCloudAccessError } from "./wasm/nxcloud_access.js";
import { AccessControl, resolveCredentials } from "./wasm/nxcloud_access.js";
export * from "./wasm/nxcloud_access.js";

/**
 * Whether `e` is an error thrown by this package: an `Error` whose `code` is
 * one of `NxCloudAccessErrorCode`.
 */
export declare function isNxCloudAccessError(e: unknown): e is NxCloudAccessError;

declare const nxcloudAccess: {
    resolveCredentials: typeof resolveCredentials;
    AccessControl: typeof AccessControl;
    isNxCloudAccessError: typeof isNxCloudAccessError;
};
export default nxcloudAccess;
