// Types of the CommonJS entry: generated from the Rust types (tsify,
// wasm-bindgen) into ./wasm by scripts/build-pkg, and the error guard.
import type { NxCloudAccessError } from "./wasm/nxcloud_access";
export * from "./wasm/nxcloud_access";

/**
 * Whether `e` is an error thrown by this package: an `Error` whose `code` is
 * one of `NxCloudAccessErrorCode`.
 */
export declare function isNxCloudAccessError(e: unknown): e is NxCloudAccessError;
