//! The self-hosted remote cache (SHC-1..6): what nx's HTTP remote cache
//! sends when `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` is set, and whether nx
//! uses it or Nx Cloud.
//!
//! From nx 20.8.0 the DB cache, when nx does not count the workspace as
//! connected to Nx Cloud, ends its list of remote caches with nx's native
//! `HttpRemoteCache` whenever `process.env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER`
//! is truthy (`tasks-runner/cache.js`, `getHttpCache`). That client reads
//! the process environment (the real one plus the root dotenv files nx has
//! loaded into it, DOT-1; never `nx-cloud.env`), sends `GET` and `PUT`
//! `{server}/v1/cache/{hash}` (the server URL as written, a path kept, a
//! trailing slash kept), and `Authorization: Bearer {token}` whenever
//! `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN` is set, even empty (then the
//! server sees `Bearer` alone); no such header when it is unset.
//! Recorded: tests/conformance (cases `self-hosted-*`).

use semver::Version;

use crate::input::dotenv::{self, Environment, Flavour, ROOT_DOT_ENV_FILES};
use crate::input::nx_json::Json;
use crate::resolve::model::{Outcome, SelfHostedCache, SelfHostedCredential, Severity, Sourced};
use crate::resolve::{secret_value, Report};
use crate::secret::{redact, Secret};
use crate::version::Behaviour;

/// The variable that names the server.
pub const SERVER: &str = "NX_SELF_HOSTED_REMOTE_CACHE_SERVER";
/// The variable that holds the token.
pub const TOKEN: &str = "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN";

/// The first nx release that reads the variables (SHC-1).
const FIRST: (u64, u64, u64) = (20, 8, 0);

/// What the self-hosted cache path reads.
pub struct Inputs<'a> {
    pub nx_json: &'a Json,
    pub env: &'a Environment,
    pub behaviour: Behaviour,
    pub nx_version: &'a str,
    /// Whether nx counts the workspace as connected (USED-1/2).
    pub connected: bool,
    /// Whether nx stops before it runs the tasks (then no cache is asked).
    pub stops_at_start_up: bool,
}

fn version_of(text: &str) -> Option<Version> {
    Version::parse(text).ok()
}

fn at_least(version: &Version, (major, minor, patch): (u64, u64, u64)) -> bool {
    *version >= Version::new(major, minor, patch)
}

/// SHC-5: whether this release falls back to the self-hosted cache when it
/// cannot get the Nx Cloud client (21.6.7 on the 21.x line, 22.0.2 on).
fn falls_back(version: &Version) -> bool {
    (at_least(version, (21, 6, 7)) && !at_least(version, (22, 0, 0)))
        || at_least(version, (22, 0, 2))
}

/// SHC-1..6: the Resolution's `selfHostedCache` (`None` when the server
/// variable is unset or empty, or the version does not read it), with its
/// trace steps and findings.
pub fn check(inputs: &Inputs<'_>, report: &mut Report) -> Option<SelfHostedCache> {
    let env = inputs.env;
    // DOT-1: a value of a root dotenv file that the environment shadows.
    for lost in env
        .shadowed
        .iter()
        .filter(|l| l.key == SERVER || l.key == TOKEN)
    {
        let value = if lost.key == TOKEN {
            redact(&lost.value)
        } else {
            shown_url(&lost.value)
        };
        report.step(
            "DOT-1",
            &format!("{}:{}", lost.file, lost.key),
            Some(value),
            Outcome::Shadowed,
            &format!(
                "not loaded: `{}` already exists (from `{}`), and a root dotenv file never replaces a variable",
                lost.key, lost.by
            ),
        );
    }
    let server = env.non_empty(SERVER)?;
    let server_source = format!("{}:{SERVER}", server.origin);
    let version = version_of(inputs.nx_version)?;
    if !at_least(&version, FIRST) {
        report.step(
            "SHC-1",
            &server_source,
            Some(shown_url(&server.value)),
            Outcome::Ignored,
            "nx reads the self-hosted remote cache variables from 20.8.0",
        );
        report.finding(
            "self-hosted-cache-unsupported",
            Severity::Warning,
            format!(
                "`{SERVER}` is set, but nx {} has no self-hosted remote cache (nx reads it from 20.8.0): no task result is read from or written to `{}`",
                inputs.nx_version,
                shown_url(&server.value)
            ),
            "upgrade nx to 20.8.0 or later, or remove the variable",
        );
        return None;
    }
    report.step(
        "SHC-1",
        &server_source,
        Some(shown_url(&server.value)),
        Outcome::Used,
        "the self-hosted remote cache: nx asks `{server}/v1/cache/{hash}` (GET, PUT)",
    );
    let token = env.vars.get(TOKEN).map(|v| {
        secret_value(
            format!("{}:{TOKEN}", v.origin),
            Secret::new(v.value.clone()),
        )
    });
    let credential = match &token {
        Some(t) if !t.value.expose().is_empty() => SelfHostedCredential::BearerToken,
        Some(_) => SelfHostedCredential::EmptyBearer,
        None => SelfHostedCredential::None,
    };
    match &token {
        Some(t) => report.step(
            "SHC-2",
            &t.source,
            Some(t.redacted.clone()),
            Outcome::Used,
            if credential == SelfHostedCredential::EmptyBearer {
                "set but empty: nx still sends `Authorization: Bearer` (no token)"
            } else {
                "sent as `Authorization: Bearer <token>`"
            },
        ),
        None => report.step(
            "SHC-2",
            &format!("env:{TOKEN}"),
            None,
            Outcome::Absent,
            "unset: nx sends no Authorization header",
        ),
    }
    if credential != SelfHostedCredential::BearerToken {
        report.finding(
            "self-hosted-cache-without-token",
            Severity::Warning,
            format!(
                "nx asks the self-hosted remote cache `{}` without a token (`{TOKEN}` is {}): a server that checks credentials, as `nxcloud-access serve` does, refuses every request",
                shown_url(&server.value),
                if token.is_some() { "empty" } else { "unset" }
            ),
            format!("set `{TOKEN}` to a token the server accepts (a personal access token or a CI access token of the workspace)"),
        );
    }
    let nx_cloud_id = workspace_of(&server.value);
    let request_url = format!("{}/v1/cache/<hash>", server.value);
    let (used, rule, reason) = decide(inputs, &version);
    report.step(
        &rule,
        "default",
        None,
        if used {
            Outcome::Used
        } else {
            Outcome::Ignored
        },
        &reason,
    );
    if !used && rule == "SHC-4" {
        report.finding(
            "self-hosted-cache-ignored",
            Severity::Warning,
            format!(
                "nx {} counts the workspace as connected to Nx Cloud, so its remote cache is Nx Cloud's and the self-hosted remote cache `{}` is not used{}",
                inputs.nx_version,
                shown_url(&server.value),
                if falls_back(&version) {
                    " (only when nx cannot get the Nx Cloud client does it fall back to it)"
                } else {
                    ""
                }
            ),
            "to use the self-hosted cache, remove `nxCloudId`/`nxCloudAccessToken` from nx.json and `NX_CLOUD_ACCESS_TOKEN` from the environment, or set `NX_NO_CLOUD=true` or `neverConnectToCloud: true` in nx.json",
        );
    }
    Some(SelfHostedCache {
        server: Sourced {
            value: server.value.clone(),
            source: server_source,
        },
        access_token: token,
        nx_cloud_id,
        request_url,
        credential,
        used,
        fallback: !used && rule == "SHC-4" && falls_back(&version),
        rule,
        reason,
    })
}

/// Whether nx uses the self-hosted cache, the rule, and why.
fn decide(inputs: &Inputs<'_>, version: &Version) -> (bool, String, String) {
    let env = inputs.env;
    if inputs.stops_at_start_up {
        return (
            false,
            "SHC-6".to_owned(),
            "nx stops at start-up, before any cache is asked".to_owned(),
        );
    }
    // SHC-6: the switches that turn the cache, or its remote part, off.
    for (var, what) in [
        ("NX_SKIP_NX_CACHE", "skips the cache (`--skip-nx-cache`)"),
        ("NX_DISABLE_NX_CACHE", "skips the cache (`--skip-nx-cache`)"),
        (
            "NX_SKIP_REMOTE_CACHE",
            "skips the remote cache (`--skip-remote-cache`)",
        ),
        (
            "NX_DISABLE_REMOTE_CACHE",
            "skips the remote cache (`--skip-remote-cache`)",
        ),
    ] {
        if env.value(var) == Some("true") {
            return (
                false,
                "SHC-6".to_owned(),
                format!("`{var}=true` {what}: the self-hosted cache is not asked"),
            );
        }
    }
    if inputs.behaviour.db_cache_switches {
        let legacy = if env.value("NX_DISABLE_DB") == Some("true") {
            Some("env:NX_DISABLE_DB")
        } else if env.value("NX_DB_CACHE") == Some("false") {
            Some("env:NX_DB_CACHE")
        } else if matches!(inputs.nx_json.get("useLegacyCache"), Some(Json::Bool(true))) {
            Some("nx.json:useLegacyCache")
        } else {
            None
        };
        if let Some(source) = legacy {
            return (
                false,
                "SHC-6".to_owned(),
                format!(
                    "`{source}` selects the legacy cache, which has no self-hosted remote cache"
                ),
            );
        }
    }
    if inputs.connected {
        let after = if falls_back(version) {
            "; when nx cannot get the Nx Cloud client it warns and falls back to the self-hosted cache (from 21.6.7 on 21.x, and 22.0.2)"
        } else {
            "; when nx cannot get the Nx Cloud client the command fails (before 21.6.7, and 22.0.0-22.0.1)"
        };
        return (
            false,
            "SHC-4".to_owned(),
            format!("nx counts the workspace as connected: its remote cache is Nx Cloud's, the self-hosted cache is not used{after}"),
        );
    }
    (
        true,
        "SHC-3".to_owned(),
        "nx does not count the workspace as connected to Nx Cloud: the DB cache uses the self-hosted remote cache".to_owned(),
    )
}

/// A server URL as the trace, the findings and the CLI show it: user
/// information (`https://user:secret@host`), which may hold a credential,
/// becomes `…@`; the rest is kept.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://…@{host}{tail}"),
        None => url.to_owned(),
    }
}

/// The nxCloudId of a `{url}/ws/{nxCloudId}` server URL (the form
/// `nxcloud-access serve` takes), or `None`.
fn workspace_of(server: &str) -> Option<String> {
    let path = server
        .split_once("://")
        .map_or(server, |(_, rest)| rest)
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    let mut segments = path.split('/').skip(1);
    let mut found = None;
    while let Some(segment) = segments.next() {
        if segment == "ws" {
            found = segments.next().filter(|id| !id.is_empty());
        }
    }
    found.map(str::to_owned)
}

/// A self-hosted cache token committed in a tracked root dotenv file
/// (TOKF-2): whoever reads the repository can use the cache with it.
pub fn committed_tokens(
    dot_env_files: &std::collections::BTreeMap<String, String>,
    tracked: Option<&[String]>,
    report: &mut Report,
) {
    for file in ROOT_DOT_ENV_FILES {
        if !tracked.is_some_and(|t| t.iter().any(|f| f == file)) {
            continue;
        }
        let Some(text) = dot_env_files.get(file) else {
            continue;
        };
        let parsed = dotenv::parse(text, Flavour::Nx);
        if let Some(value) = parsed.get(TOKEN).filter(|v| !v.is_empty()) {
            report.finding(
                "committed-self-hosted-cache-token",
                Severity::Error,
                format!(
                    "`{file}:{TOKEN}` holds a token of the self-hosted remote cache (`{}`), and the file is committed: whoever can read the repository can use the cache with it",
                    redact(value)
                ),
                format!("revoke the token on the cache server, remove it from `{file}`, and set `{TOKEN}` as a CI secret (or let each developer's personal access token be used)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_of_a_ws_url() {
        assert_eq!(
            workspace_of("http://cache:4599/ws/65d5639f1a3b026e12345678").as_deref(),
            Some("65d5639f1a3b026e12345678")
        );
        assert_eq!(
            workspace_of("https://c.example/prefix/ws/abc/").as_deref(),
            Some("abc")
        );
        assert_eq!(workspace_of("http://cache:4599"), None);
        assert_eq!(workspace_of("http://cache:4599/ws/"), None);
        assert_eq!(workspace_of("http://ws/x"), None);
    }

    #[test]
    fn user_information_is_not_shown() {
        assert_eq!(
            shown_url("https://user:s3cr3t-token@cache:4599/ws/abc"),
            "https://…@cache:4599/ws/abc"
        );
        assert_eq!(shown_url("http://tok@cache"), "http://…@cache");
        assert_eq!(
            shown_url("http://cache:4599/ws/a@b"),
            "http://cache:4599/ws/a@b"
        );
        assert_eq!(shown_url("not a url"), "not a url");
    }

    #[test]
    fn the_fallback_releases() {
        let v = |t: &str| Version::parse(t).unwrap();
        assert!(!falls_back(&v("21.6.6")));
        assert!(falls_back(&v("21.6.7")));
        assert!(!falls_back(&v("22.0.0")));
        assert!(!falls_back(&v("22.0.1")));
        assert!(falls_back(&v("22.0.2")));
        assert!(falls_back(&v("24.0.6")));
        assert!(!falls_back(&v("20.8.2")));
    }
}
