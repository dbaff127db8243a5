// Types of the ES module entry `nxcloud-access/node`. The shapes it returns
// (`DiscoveredWorkspace`, `Resolution`, `ResolveInput`) are generated from
// the Rust types (tsify) into ./wasm by scripts/build-pkg.
import type { DiscoveredWorkspace, Resolution } from "./wasm/nxcloud_access.js";
export type {
    DiscoveredWorkspace,
    DotEnv,
    FoundValue,
    NxVersionOrigin,
    PatFile,
    Resolution,
    ResolveInput,
    NxCloudAccessError,
    NxCloudAccessErrorCode,
} from "./wasm/nxcloud_access.js";
export { resolveCredentials, isNxCloudAccessError } from "./index.mjs";

/** The options of `readWorkspace` and `resolveWorkspace`. */
export interface WorkspaceOptions {
    /**
     * The environment Nx would run with; default `process.env`. `undefined`
     * values are unset variables. It also decides the personal access token
     * file candidates (`XDG_CONFIG_HOME`, `HOME`; on Windows `LOCALAPPDATA`,
     * `USERPROFILE`) and `NX_WORKSPACE_ROOT_PATH`.
     */
    env?: { [name: string]: string | undefined };
    /** Apply the rules of this Nx version instead of the installed one (`--nx-version`). */
    nxVersion?: string | null;
    /** The `tasksRunnerOptions` entry to run, as Nx's `--runner`. */
    runner?: string | null;
    /**
     * The folder a relative `dir` is resolved against, and the PAT file's
     * path in the result is shown relative to (as the CLI shows it relative
     * to its current directory); default `process.cwd()`.
     */
    cwd?: string;
    /** Which PAT file candidates apply (PATR-1); default from `process.platform`. */
    platform?: "unix" | "windows";
}

/**
 * The inputs Nx reads for the workspace of `dir` (default `process.cwd()`),
 * where each came from (absolute paths), the PAT file candidates skipped,
 * and the `ResolveInput` built from them: the discovery of the CLI's
 * `nxcloud-access explain DIR`, the same Rust code, with `node:fs` and
 * `git ls-files`.
 *
 * Throws an `NxCloudAccessError`: `unreadable-file` (a file that exists but
 * cannot be read, is not UTF-8 or is over 8 MiB; the message names it),
 * `no-package-version` (an installed `nx` or Nx Cloud client whose
 * `package.json` has no `version`), `invalid-input` (bad options, `dir` not
 * a directory).
 */
export declare function readWorkspace(dir?: string, options?: WorkspaceOptions): DiscoveredWorkspace;

/**
 * Which credential Nx uses in the workspace of `dir` (default
 * `process.cwd()`): `resolveCredentials(readWorkspace(dir, options).input)`,
 * the same object as `nxcloud-access explain --json --show-secrets DIR`
 * with the same environment and current directory (tokens whole, as
 * `resolveCredentials` gives them: never print them).
 *
 * Throws an `NxCloudAccessError`: those of `readWorkspace`, and those of
 * `resolveCredentials` (`invalid-nx-json` with `line` and `column`, its
 * message starting with the path of `nx.json`; `invalid-nx-version`).
 */
export declare function resolveWorkspace(dir?: string, options?: WorkspaceOptions): Resolution;

import type { resolveCredentials, isNxCloudAccessError } from "./index.mjs";
declare const nxcloudAccessNode: {
    readWorkspace: typeof readWorkspace;
    resolveWorkspace: typeof resolveWorkspace;
    resolveCredentials: typeof resolveCredentials;
    isNxCloudAccessError: typeof isNxCloudAccessError;
};
export default nxcloudAccessNode;
