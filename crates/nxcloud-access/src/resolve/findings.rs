//! Findings that read the inputs as a whole (EXP-2): values of the wrong type
//! (INP-3), committed tokens (TOKF-1/2, ADV-1/2) and advice (ADV-3/4).

use std::collections::BTreeMap;

use crate::input::dotenv::{self, DotEnv, Flavour, ROOT_DOT_ENV_FILES};
use crate::input::nx_json::Json;
use crate::resolve::model::{CredentialKind, SecretValue, Severity, Sourced};
use crate::resolve::token_shape::{access_level, AccessLevel};
use crate::resolve::Report;
use crate::secret::Secret;

/// The keys Nx reads and the type it expects.
const TOP_LEVEL_TYPES: [(&str, Kind); 5] = [
    ("nxCloudAccessToken", Kind::String),
    ("nxCloudId", Kind::String),
    ("nxCloudUrl", Kind::String),
    ("neverConnectToCloud", Kind::Boolean),
    ("tasksRunnerOptions", Kind::Object),
];
const OPTION_TYPES: [(&str, Kind); 3] = [
    ("accessToken", Kind::String),
    ("nxCloudId", Kind::String),
    ("url", Kind::String),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Boolean,
    Object,
}

impl Kind {
    fn matches(self, value: &Json) -> bool {
        matches!(
            (self, value),
            (_, Json::Null)
                | (Kind::String, Json::String(_))
                | (Kind::Boolean, Json::Bool(_))
                | (Kind::Object, Json::Object(_))
        )
    }

    fn name(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Boolean => "a boolean",
            Kind::Object => "an object",
        }
    }
}

// INP-3: Nx never checks types; we resolve as it does and say what is off.
/// Reports values of the wrong type; returns the document Nx works with (a
/// root that is not an object reads as `{}`).
pub fn check_types(nx_json: Json, report: &mut Report) -> Json {
    let mut wrong = |path: String, value: &Json, kind: Kind| {
        if !kind.matches(value) {
            report.finding(
                "wrong-type",
                Severity::Warning,
                format!("`nx.json:{path}` is {} but nx expects {}; nx does not check, it uses the value as it is", value.type_name(), kind.name()),
                format!("make `{path}` {}", kind.name()),
            );
        }
    };
    if !matches!(nx_json, Json::Object(_)) {
        let kind = Kind::Object;
        let value = nx_json.clone();
        report.finding(
            "wrong-type",
            Severity::Warning,
            format!(
                "`nx.json` holds {} but nx expects an object; no setting can be read from it",
                value.type_name()
            ),
            format!("make the whole file {}", kind.name()),
        );
        return Json::Object(Vec::new());
    }
    for (key, kind) in TOP_LEVEL_TYPES {
        if let Some(value) = nx_json.get(key) {
            wrong(key.to_owned(), value, kind);
        }
    }
    if let Some(runners) = nx_json.get("tasksRunnerOptions") {
        for (name, entry) in runners.js_entries() {
            let base = format!("tasksRunnerOptions.{name}");
            wrong(base.clone(), entry, Kind::Object);
            if let Some(runner) = entry.get("runner") {
                wrong(format!("{base}.runner"), runner, Kind::String);
            }
            if let Some(options) = entry.get("options") {
                wrong(format!("{base}.options"), options, Kind::Object);
                for (key, kind) in OPTION_TYPES {
                    if let Some(value) = options.get(key) {
                        wrong(format!("{base}.options.{key}"), value, kind);
                    }
                }
            }
        }
    }
    nx_json
}

// TOKF-2: committed = nx.json, or a root `.env` file / `nx-cloud.env` that git tracks.
/// Reports every committed token, whichever source wins.
pub fn committed_tokens(
    nx_json: &Json,
    dot_env_files: &BTreeMap<String, String>,
    cloud_env: Option<&DotEnv>,
    tracked: Option<&[String]>,
    report: &mut Report,
) {
    let is_tracked = |file: &str| tracked.is_some_and(|t| t.iter().any(|f| f == file));
    let mut committed: Vec<(String, Secret)> = Vec::new();
    if let Some(token) = nx_json.get("nxCloudAccessToken").filter(|t| t.is_truthy()) {
        committed.push((
            "nx.json:nxCloudAccessToken".into(),
            Secret::new(token.js_string()),
        ));
    }
    if let Some(runners) = nx_json.get("tasksRunnerOptions") {
        for (name, entry) in runners.js_entries() {
            let token = entry
                .get("options")
                .and_then(|o| o.get("accessToken"))
                .filter(|t| t.is_truthy());
            if let Some(token) = token {
                let source = format!("nx.json:tasksRunnerOptions.{name}.options.accessToken");
                committed.push((source, Secret::new(token.js_string())));
            }
        }
    }
    for file in ROOT_DOT_ENV_FILES {
        let Some(text) = dot_env_files.get(file).filter(|_| is_tracked(file)) else {
            continue;
        };
        let parsed = dotenv::parse(text, Flavour::Nx);
        for (key, value) in parsed.entries.iter().filter(|(_, v)| !v.is_empty()) {
            if key == "NX_CLOUD_ACCESS_TOKEN" || key == "NX_CLOUD_AUTH_TOKEN" {
                committed.push((format!("{file}:{key}"), Secret::new(value.clone())));
            }
        }
    }
    if let Some(parsed) = cloud_env.filter(|_| is_tracked("nx-cloud.env")) {
        for (key, value) in parsed.entries.iter().filter(|(_, v)| !v.is_empty()) {
            if key == "NX_CLOUD_ACCESS_TOKEN" || key == "NX_CLOUD_AUTH_TOKEN" {
                committed.push((format!("nx-cloud.env:{key}"), Secret::new(value.clone())));
            }
        }
    }
    for (source, secret) in committed {
        let shown = secret.redacted();
        // The level read from the token's shape (TOKF-1) sets the severity (ADV-1, ADV-2).
        let (code, severity, what) = match access_level(&secret) {
            AccessLevel::ReadWrite => (
                "committed-read-write-token",
                Severity::Error,
                "a read-write access token: whoever can read the repository can write cache artifacts that every later build trusts as cache hits (cache poisoning)",
            ),
            AccessLevel::ReadOnly => (
                "committed-read-only-token",
                Severity::Warning,
                "a read-only access token: whoever can read the repository can read the cache and record runs",
            ),
            AccessLevel::Unknown => (
                "committed-token-of-unknown-level",
                Severity::Warning,
                "an access token whose level cannot be read from its shape",
            ),
        };
        report.finding(
            code,
            severity,
            format!("`{source}` holds {what} (`{shown}`), and the file is committed"),
            "revoke the token in the Nx Cloud workspace settings, remove it from the file, and set it as the `NX_CLOUD_ACCESS_TOKEN` secret of your CI",
        );
    }
}

// ENVF-2: `nx-cloud.env` never switches Nx Cloud on (recorded:
// nx-cloud-env-only, nothing sent on any release); nx reads the file only once
// the cloud runner runs.
/// A token in `nx-cloud.env` that nothing uses, because nothing selects the
/// Nx Cloud runner.
pub fn unused_nx_cloud_env_token(
    cloud_env: Option<&DotEnv>,
    legacy: bool,
    env_token_connects: bool,
    report: &mut Report,
) {
    let Some(key) = ["NX_CLOUD_AUTH_TOKEN", "NX_CLOUD_ACCESS_TOKEN"]
        .into_iter()
        .find(|key| {
            cloud_env
                .and_then(|f| f.get(key))
                .is_some_and(|v| !v.is_empty())
        })
    else {
        return;
    };
    let runner_entry = if legacy {
        "declare the Nx Cloud runner in nx.json (a `tasksRunnerOptions.default` entry with `\"runner\": \"nx-cloud\"`, with the `nx-cloud` package installed): nx then sends the file's token"
    } else {
        "declare the Nx Cloud runner in nx.json (a `tasksRunnerOptions.default` entry with `\"runner\": \"nx-cloud\"`): nx then sends the file's token"
    };
    let fix = if env_token_connects {
        format!("set `NX_CLOUD_ACCESS_TOKEN` in the environment instead (a CI secret; on this nx version it connects by itself), or {runner_entry}")
    } else {
        runner_entry.to_owned()
    };
    report.finding(
        "nx-cloud-env-does-not-connect",
        Severity::Warning,
        format!("`nx-cloud.env` holds `{key}`, but the file never switches Nx Cloud on: nx reads it only when the Nx Cloud runner runs, and nothing in this workspace selects that runner, so the token is never sent"),
        fix,
    );
}

/// ADV-3, ADV-4: advice about the way the workspace connects.
pub fn advice(
    nx_json: &Json,
    token: Option<&SecretValue>,
    credential: CredentialKind,
    nx_cloud_id: Option<&Sourced>,
    report: &mut Report,
) {
    // ADV-4: an access token in nx.json can become an nxCloudId.
    let in_nx_json = token.is_some_and(|t| t.source.starts_with("nx.json:"))
        || nx_json
            .get("nxCloudAccessToken")
            .is_some_and(Json::is_truthy);
    if in_nx_json && nx_json.get("nxCloudId").is_none() {
        report.finding(
            "access-token-convertible-to-nx-cloud-id",
            Severity::Info,
            "nx.json still connects with an access token; nx 19.7 and later connect with an `nxCloudId` and personal access tokens instead",
            "run `npx nx-cloud convert-to-nx-cloud-id` (needs nx 19.7 or later)",
        );
    }
    // ADV-3: a workspace connected by nxCloudId gets the workspace ID access level.
    if let (Some(id), CredentialKind::WorkspaceId | CredentialKind::PersonalAccessToken) =
        (nx_cloud_id, credential)
    {
        report.finding(
            "workspace-id-access-level",
            Severity::Info,
            format!("the workspace is connected by `{}`: anyone who can read the repository gets the workspace ID access level, read-write by default", id.source),
            "if people who cannot edit the repository can see it, lower the workspace ID access level to read-only or none in the Nx Cloud workspace settings",
        );
    }
}

// (CLI-1, ID-2; seed 001: the client "must be in package.json devDependencies"):
// a client package.json declares but that is not installed is never loaded.
/// Reports a declared but missing client package that the runner would load.
pub fn declared_client(
    package_json: Option<&str>,
    runner_module: Option<&str>,
    installed: bool,
    report: &mut Report,
) {
    let Some(text) = package_json else {
        return;
    };
    let manifest = match crate::input::nx_json::parse(text) {
        Ok(manifest) => manifest,
        Err(e) => {
            report.finding(
                "package-json-unreadable",
                Severity::Warning,
                format!(
                    "`package.json` could not be read at line {}, column {}: {}",
                    e.location.line, e.location.column, e.message
                ),
                "fix the syntax of package.json",
            );
            return;
        }
    };
    let Some(module) = runner_module else {
        return;
    };
    let declared = ["devDependencies", "dependencies"]
        .iter()
        .any(|field| manifest.get(field).and_then(|d| d.get(module)).is_some());
    if declared && !installed {
        report.finding(
            "client-declared-not-installed",
            Severity::Info,
            format!("package.json declares `{module}`, but it is not installed, so nx uses its built-in Nx Cloud support instead"),
            "run the package manager's install so that nx loads the declared client",
        );
    }
}
