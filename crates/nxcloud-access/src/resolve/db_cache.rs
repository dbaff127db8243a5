//! The cache path (DBC-1..3) and nx's start-up stop on a workspace id that is
//! not a string (INP-4).
//!
//! From nx 20.0 the local task cache is a database ("DB cache") that asks Nx
//! Cloud for a remote cache whenever nx counts the workspace as connected,
//! whatever runner runs. It reads the credential with
//! `getRunnerOptions('default', nxJson, {}, true)`: the `default` entry's
//! options merged with the top-level keys, whatever the entry's runner name.
//! What it sends is the `Resolution`'s `cache` field, from the same walk that
//! writes the trace steps (rule DBC-1, or DBC-3 where the downloaded client
//! decides) whose notes start with [`SENDS_TOKEN`], [`SENDS_ID`] and
//! [`ASKS_URL`]; a connected workspace whose cache has no credential makes
//! nx fail (DBC-2): a finding of severity `error` and the `stops` field.
//! Recorded: tests/conformance (cases top-level-token, custom-runner-with-token,
//! nrwl-runner-top-level-token, never-connect-alone, nx-cloud-runner-no-token,
//! numeric-token).

use crate::input::dotenv::{DotEnv, Environment};
use crate::input::nx_json::Json;
use crate::resolve::model::{CachePath, Outcome, Severity, Sourced, StopWhen};
use crate::resolve::{secret_value, Report};
use crate::secret::{redact, Secret};
use crate::version::Behaviour;

/// The start of the note of the trace step that gives the cache's token.
pub const SENDS_TOKEN: &str = "DB cache: sends this token";
/// The start of the note of the trace step that gives the cache's nxCloudId.
pub const SENDS_ID: &str = "DB cache: sends this nxCloudId";
/// The start of the note of the trace step that gives the cache's API URL.
pub const ASKS_URL: &str = "DB cache: asks this Nx Cloud API";

/// The default Nx Cloud API.
const DEFAULT_API: &str = "https://cloud.nx.app";

/// What the cache path reads.
pub struct CacheInputs<'a> {
    pub nx_json: &'a Json,
    pub env: &'a Environment,
    /// `nx-cloud.env`, read by nx's own parser (the cache is nx's code).
    pub cloud_env: Option<&'a DotEnv>,
    pub behaviour: Behaviour,
    pub nx_version: &'a str,
    /// Whether nx counts the workspace as connected (USED-1/2).
    pub connected: bool,
    /// Whether the Nx Cloud runner runs (and so sends something itself).
    pub runner_sends: bool,
}

// INP-4: from 23.2.0 nx names a per-user folder after a hash of
// `nxCloudId ?? nxCloudAccessToken` at start-up, unless a cache location is
// configured; `createHash().update()` throws on anything but a string.
/// Whether nx stops at start-up (INP-4); adds the step and the finding.
pub fn stops_at_start_up(
    nx_json: &Json,
    env: &Environment,
    behaviour: Behaviour,
    nx_version: &str,
    report: &mut Report,
) -> bool {
    if !behaviour.workspace_id_hashed {
        return false;
    }
    let (key, value) = match nx_json.get("nxCloudId") {
        Some(Json::Null) | None => ("nxCloudAccessToken", nx_json.get("nxCloudAccessToken")),
        id => ("nxCloudId", id),
    };
    let Some(value) = value.filter(|v| v.is_truthy() && v.as_str().is_none()) else {
        return false;
    };
    let configured = [
        "NX_CACHE_DIRECTORY",
        "NX_WORKSPACE_DATA_DIRECTORY",
        "NX_PROJECT_GRAPH_CACHE_DIRECTORY",
    ]
    .into_iter()
    .find(|var| env.non_empty(var).is_some())
    .map(|var| format!("env:{var}"))
    .or_else(|| {
        nx_json
            .get("cacheDirectory")
            .filter(|d| d.is_truthy())
            .map(|_| "nx.json:cacheDirectory".to_owned())
    });
    if let Some(source) = configured {
        report.step(
            "INP-4",
            &source,
            None,
            Outcome::Used,
            &format!(
                "a configured cache location: nx does not hash `{key}`, which is not a string"
            ),
        );
        return false;
    }
    report.step(
        "INP-4",
        &format!("nx.json:{key}"),
        Some(redact(&value.js_string())),
        Outcome::Used,
        "not a string: nx stops at start-up (ERR_INVALID_ARG_TYPE)",
    );
    report.finding(
        "nx-stops-at-start-up",
        Severity::Error,
        format!(
            "nx {nx_version} stops every command at start-up (ERR_INVALID_ARG_TYPE, exit 1): it hashes `nx.json:{key}` to name its per-workspace folder, and that value is a {}, not a string",
            value.type_name()
        ),
        format!("write `{key}` in nx.json as a string (in quotes), or set `cacheDirectory` in nx.json"),
    );
    report.stop(
        StopWhen::StartUp,
        "INP-4",
        "nx-stops-at-start-up",
        format!(
            "TypeError [ERR_INVALID_ARG_TYPE]: nx hashes `nx.json:{key}`, a {}, to name its per-workspace folder",
            value.type_name()
        ),
    );
    true
}

/// DBC-1..3: what the cache path sends (`None`: it does not contact Nx
/// Cloud), and whether it fails the command (DBC-2, then a stop).
pub fn check(inputs: &CacheInputs<'_>, report: &mut Report) -> Option<CachePath> {
    let b = inputs.behaviour;
    if !b.db_cache || !inputs.connected {
        return None;
    }
    if b.db_cache_switches {
        let switch = if inputs.env.value("NX_DISABLE_DB") == Some("true") {
            Some("env:NX_DISABLE_DB")
        } else if inputs.env.value("NX_DB_CACHE") == Some("false") {
            Some("env:NX_DB_CACHE")
        } else if matches!(inputs.nx_json.get("useLegacyCache"), Some(Json::Bool(true))) {
            Some("nx.json:useLegacyCache")
        } else {
            None
        };
        if let Some(source) = switch {
            report.step(
                "DBC-1",
                source,
                None,
                Outcome::Used,
                "the DB cache is off: the legacy cache does not contact Nx Cloud",
            );
            return None;
        }
    }
    let options = inputs
        .nx_json
        .get("tasksRunnerOptions")
        .and_then(|t| t.get("default"))
        .and_then(|e| e.get("options"));
    // `result.key ??= nxJson.topKey` when the top-level key is truthy.
    let merged = |key: &str, top: &str| -> Option<(String, &Json)> {
        match options.and_then(|o| o.get(key)) {
            Some(Json::Null) | None => inputs
                .nx_json
                .get(top)
                .filter(|v| v.is_truthy())
                .map(|v| (format!("nx.json:{top}"), v)),
            Some(value) => Some((
                format!("nx.json:tasksRunnerOptions.default.options.{key}"),
                value,
            )),
        }
    };
    // TOKEN-1's order, empty values falling through (TOKEN-2).
    let env_token = ["NX_CLOUD_AUTH_TOKEN", "NX_CLOUD_ACCESS_TOKEN"]
        .into_iter()
        .find_map(|key| {
            inputs
                .env
                .non_empty(key)
                .map(|v| (format!("{}:{key}", v.origin), v.value.clone()))
        });
    let file_token = || {
        ["NX_CLOUD_AUTH_TOKEN", "NX_CLOUD_ACCESS_TOKEN"]
            .into_iter()
            .find_map(|key| {
                inputs
                    .cloud_env
                    .and_then(|f| f.get(key))
                    .filter(|v| !v.is_empty())
                    .map(|v| (format!("nx-cloud.env:{key}"), v.to_owned()))
            })
    };
    let json_token = || {
        merged("accessToken", "nxCloudAccessToken")
            .filter(|(_, v)| v.is_truthy())
            .map(|(source, v)| (source, v.js_string()))
    };
    let token = env_token.or_else(file_token).or_else(json_token);
    let id = merged("nxCloudId", "nxCloudId")
        .filter(|(_, v)| v.is_truthy())
        .map(|(source, v)| (source, v.js_string()));
    let url = match inputs.env.non_empty("NX_CLOUD_API") {
        Some(v) => (format!("{}:NX_CLOUD_API", v.origin), v.value.clone()),
        None => merged("url", "nxCloudUrl")
            .filter(|(_, v)| v.is_truthy())
            .map(|(source, v)| (source, v.js_string()))
            .unwrap_or_else(|| ("default".to_owned(), DEFAULT_API.to_owned())),
    };
    // DBC-3: from 22.6.0 the client is fetched without a credential, and the
    // downloaded client chooses (interpretation, as TOKEN-5).
    let (rule, how) = if b.downloaded_client_chooses {
        (
            "DBC-3",
            "from nx 22.6.0 the client nx downloads chooses (TOKEN-1 applied to what nx hands it, interpretation)",
        )
    } else {
        ("DBC-1", "from nx 20.0, whatever runner runs")
    };
    report.step(
        rule,
        &url.0,
        Some(url.1.clone()),
        Outcome::Used,
        &format!("{ASKS_URL} for a remote cache: nx counts the workspace as connected ({how})"),
    );
    if let Some((source, value)) = &token {
        report.step(
            rule,
            source,
            Some(redact(value)),
            Outcome::Used,
            &format!("{SENDS_TOKEN} (the default entry's options merged with the top-level keys, whatever the runner name)"),
        );
    }
    if let Some((source, value)) = &id {
        report.step(rule, source, Some(value.clone()), Outcome::Used, SENDS_ID);
    }
    if token.is_none() && id.is_none() && !b.downloaded_client_chooses {
        report.step(
            "DBC-2",
            "default",
            None,
            Outcome::Used,
            "connected, but the DB cache has no access token and no nxCloudId: nx fails the command (Unable to authenticate)",
        );
        report.finding(
            "db-cache-fails-authentication",
            Severity::Error,
            format!(
                "nx {} counts this workspace as connected to Nx Cloud, so its DB cache asks Nx Cloud for a remote cache, but it finds no access token and no nxCloudId: every command that uses the cache fails with \"Unable to authenticate\" (exit 1), whatever runner runs",
                inputs.nx_version
            ),
            cache_fix(inputs),
        );
        report.stop(
            StopWhen::Running,
            "DBC-2",
            "db-cache-fails-authentication",
            "Unable to authenticate: the DB cache has no access token and no nxCloudId (the tasks run, then the command fails)",
        );
        return None;
    }
    if !inputs.runner_sends {
        report.finding(
            "db-cache-contacts-nx-cloud",
            Severity::Info,
            format!(
                "the Nx Cloud runner does not run, yet nx {}'s DB cache contacts Nx Cloud ({}) because nx counts the workspace as connected",
                inputs.nx_version, url.1
            ),
            "nothing to change if that is meant; to keep Nx Cloud off entirely, set `NX_NO_CLOUD=true` (honoured from 20.0.2; on 20.0.1 only this variable)",
        );
    }
    Some(CachePath {
        access_token: token.map(|(source, value)| secret_value(source, Secret::new(value))),
        nx_cloud_id: id.map(|(source, value)| Sourced { value, source }),
        api_url: Sourced {
            value: url.1,
            source: url.0,
        },
        rule: rule.to_owned(),
    })
}

/// The fix of `db-cache-fails-authentication`, for the workspace's version.
fn cache_fix(inputs: &CacheInputs<'_>) -> String {
    let b = inputs.behaviour;
    let credential = "give nx a credential (`NX_CLOUD_ACCESS_TOKEN` as a CI secret, or the workspace's `nxCloudId` in nx.json)";
    let never = inputs
        .nx_json
        .get("neverConnectToCloud")
        .is_some_and(Json::is_truthy);
    let off = if never
        && matches!(
            b.opt_out,
            crate::version::OptOut::NeverConnectReportsConnected
        ) {
        "upgrade nx to 20.0.2 or later, where `neverConnectToCloud` keeps Nx Cloud off (on this version it makes nx count the workspace as connected), or set `NX_NO_CLOUD=true`"
    } else if matches!(b.opt_out, crate::version::OptOut::Ignored) {
        "set `useLegacyCache: true` in nx.json, or upgrade nx to 20.0.2 or later and set `NX_NO_CLOUD=true`"
    } else {
        "set `NX_NO_CLOUD=true` or `neverConnectToCloud: true` in nx.json"
    };
    format!("{credential}; or, to keep Nx Cloud off: {off}")
}
