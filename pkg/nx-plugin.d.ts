/**
 * The Nx plugin `nxcloud-access/nx-plugin` (Nx >= 20.4): before Nx runs
 * tasks it points Nx's self-hosted remote cache at `{url}/ws/{nxCloudId}`
 * and hands it the developer's personal access token for `url` from the PAT
 * file (`nx login`'s `nxcloud.ini`). Add it to nx.json:
 *
 * ```json
 * { "plugins": [{ "plugin": "nxcloud-access/nx-plugin",
 *                 "options": { "url": "http://cache:4599", "nxCloudId": "…" } }] }
 * ```
 *
 * It never overrides the user's own `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` or
 * `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN`, prints one line (to standard
 * error) when the setup has an error, and nothing otherwise. See
 * docs/nx-plugin.md for the rules and the daemon caveat.
 */

/** The plugin's `options` in nx.json. */
export interface NxCloudAccessPluginOptions {
  /**
   * The self-hosted remote cache (`nxcloud-access serve`): an absolute
   * `http://` or `https://` URL, the one `nx login` stored the personal
   * access token under (PAT file section `[http://cache:4599]`, dots
   * escaped).
   */
  url: string;
  /** The workspace's nxCloudId on that server (letters, digits, `-`, `_`). */
  nxCloudId: string;
}

/** The plugin's name, as Nx reports it. */
export declare const name: "nxcloud-access/nx-plugin";

/**
 * The hook Nx calls before it runs tasks: sets
 * `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` and
 * `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN` in `process.env` (Nx carries
 * them to the task runner). Never throws.
 */
export declare function preTasksExecution(
  options: NxCloudAccessPluginOptions | undefined,
  context: unknown,
): Promise<void>;
