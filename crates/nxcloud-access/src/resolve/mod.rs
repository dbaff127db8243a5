//! Which credential Nx uses (docs/rules/resolution.md): from the texts of the
//! workspace's files, the environment and the Nx version, the token, the
//! nxCloudId, the URLs and the personal access token that apply, with a
//! trace of every source considered and findings about what is unsafe.
//!
//! The flow, one step per module:
//! [`crate::version`] (what the version does) → [`crate::input`] (parse the
//! texts) → [`runner`] (which runner runs, is Nx connected) → `sources`
//! (the token and the nxCloudId), `urls` and `pat`, each by one walk of
//! [`precedence`] over ordered sources that also writes the trace →
//! [`findings`].
//!
//! # Decisions where docs/rules/resolution.md is silent
//!
//! * Versions: see [`crate::version`] (below 16.0.0 is refused; newer than
//!   the newest known gets its behaviour and an `info` finding).
//! * ID-1: the seeds say nxCloudId arrived in 19.7 (seed 001) and 19.6 (seed
//!   002). Nx reads a top-level `nxCloudId` from 19.6.0; 19.7.0 is when
//!   `nx connect` started writing it. The engine follows the code (19.6.0).
//! * When Nx refuses to run (RUN-1, LEG-1) the runner's `module` is `none`
//!   and nothing is sent; an `error` finding says why, and `stops` says when
//!   nx stops, with its exit status and the rule. Every stop the recordings
//!   show exits 1; RUN-1's (`--runner` naming no entry) is not recorded and
//!   is taken to exit 1 like LEG-1's, from nx's code.
//! * An nxCloudId the deciding runner does not know (ID-2, CLI-1) is not
//!   reported as `nxCloudId`: the trace shows it ignored, with a finding.
//! * `nx-cloud` client packages before 16.5 are treated like later ones
//!   (they fail without a credential, TOKEN-4): the spec names only 16.5+.
//! * From 22.6.0 (TOKEN-5) `nx-cloud.env` is read with Nx's own flavour,
//!   since the inputs Nx hands the downloaded client are unchanged.
//! * DOT-1: the engine cannot know the current directory; up to 18.3.1 the
//!   caller must pass the dotenv files of the directory Nx runs in, and the
//!   trace says so.
//! * `dotEnvFiles` keys other than the three root files are refused
//!   (`invalid-input`) rather than silently ignored.
//! * A PAT stored for the API URL of a workspace without nxCloudId is a
//!   finding only when the cloud runner runs (otherwise no URL is looked up).

use std::collections::HashSet;

use crate::error::{ErrorCode, Location};
use crate::input::client::CloudClient;
use crate::input::dotenv::{self, Environment, ROOT_DOT_ENV_FILES};
use crate::input::nx_json::{self, Json};
use crate::limits::{MAX_DOTENV_EXPANSION, MAX_RESOLVE_INPUT_BYTES, MAX_TEXT_BYTES};
use crate::secret::Secret;
use crate::version::{Behaviour, NxVersion, NEWEST_KNOWN};

mod db_cache;
pub mod findings;
pub mod model;
mod pat;
pub mod precedence;
pub mod runner;
pub mod self_hosted;
mod sources;
pub mod token_shape;
mod urls;

pub use model::*;
use precedence::{walk, Held, Probe, TOKEN_PRECEDENCE};
use runner::{RunnerChoice, RunnerInputs};

/// Why an input could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Any input that is not usable (a field's content, an unknown file
    /// name); the message names the field and says what to write instead.
    #[error("{0}")]
    InvalidInput(String),
    /// `nx.json` is not JSON with comments (INP-1).
    #[error("invalid `nx.json` at line {line}, column {column}: {message}; fix the syntax (nx.json allows comments and trailing commas, nothing else)", line = .location.line, column = .location.column)]
    InvalidNxJson { message: String, location: Location },
    /// The `nxVersion` is not an exact supported version.
    #[error("{0}")]
    InvalidNxVersion(String),
}

impl ErrorCode for ResolveError {
    fn code(&self) -> &'static str {
        match self {
            ResolveError::InvalidInput(_) => "invalid-input",
            ResolveError::InvalidNxJson { .. } => "invalid-nx-json",
            ResolveError::InvalidNxVersion(_) => "invalid-nx-version",
        }
    }

    fn location(&self) -> Option<Location> {
        match self {
            ResolveError::InvalidNxJson { location, .. } => Some(*location),
            _ => None,
        }
    }
}

/// The trace and findings being written by one resolution.
#[derive(Debug, Default)]
pub struct Report {
    pub trace: Vec<TraceStep>,
    pub findings: Vec<Finding>,
    /// The findings already reported (one finding per runner entry of a
    /// huge nx.json must not cost a scan of all the others).
    seen: HashSet<Finding>,
    /// How nx stops, the first stop found (each is reported with its
    /// `error` finding, by the same code).
    pub stop: Option<Stop>,
}

impl Report {
    /// Adds a trace step.
    pub fn step(
        &mut self,
        rule: &str,
        source: &str,
        value: Option<String>,
        outcome: Outcome,
        note: &str,
    ) {
        self.trace
            .push(runner::step(rule, source, value, outcome, note));
    }

    /// Adds a finding (once per code and message).
    // EXP-2: every finding has a stable code, a severity, a message and a fix.
    pub fn finding(
        &mut self,
        code: &str,
        severity: Severity,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let finding = Finding {
            code: code.to_owned(),
            severity,
            message: message.into(),
            fix: fix.into(),
        };
        if self.seen.insert(finding.clone()) {
            self.findings.push(finding);
        }
    }

    /// Records that nx stops (exit status 1, as every recorded stop); the
    /// first stop counts, since nx never gets further.
    pub fn stop(&mut self, when: StopWhen, rule: &str, finding: &str, reason: impl Into<String>) {
        if self.stop.is_none() {
            self.stop = Some(Stop {
                when,
                exit_status: 1,
                reason: reason.into(),
                rule: rule.to_owned(),
                finding: finding.to_owned(),
            });
        }
    }
}

/// The default API URL (URL-1).
pub const DEFAULT_API_URL: &str = "https://cloud.nx.app";
/// The default app URL (URL-2).
pub const DEFAULT_APP_URL: &str = "https://nx.app";

/// Which credential Nx uses.
pub fn resolve_credentials(input: &ResolveInput) -> Result<Resolution, ResolveError> {
    check_sizes(input)?;
    let version = match input.nx_version.as_deref() {
        Some(text) => {
            NxVersion::parse(text).map_err(|e| ResolveError::InvalidNxVersion(e.to_string()))?
        }
        None => NxVersion::newest_known(),
    };
    let tracked_files = normalise_tracked_files(input.tracked_files.as_deref())?;
    let behaviour = version.behaviour();
    let nx_json = match input.nx_json.as_deref() {
        Some(text) => nx_json::parse(text).map_err(|e| ResolveError::InvalidNxJson {
            message: e.message,
            location: e.location,
        })?,
        // INP-2: no nx.json, Nx's built-in defaults.
        None => Json::Object(Vec::new()),
    };
    let client = input
        .cloud_client
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(CloudClient::parse)
        .transpose()
        .map_err(|e| ResolveError::InvalidInput(e.0))?;
    if let Some(unknown) = input
        .dot_env_files
        .keys()
        .find(|k| !ROOT_DOT_ENV_FILES.contains(&k.as_str()))
    {
        return Err(ResolveError::InvalidInput(format!(
            "unknown root dotenv file `{unknown}`: nx loads only `.local.env`, `.env.local` and `.env`; key `dotEnvFiles` by those names"
        )));
    }
    let mut report = Report::default();
    if input.nx_version.is_none() {
        report.finding(
            "nx-version-assumed",
            Severity::Info,
            format!("no nx version was given: the rules of nx `{version}`, the newest version this engine knows, were applied"),
            "pass the installed nx version: `nxVersion` in the npm package (e.g. `require(\"nx/package.json\").version`), `--nx-version` on the command line, or install nx in the workspace",
        );
    }
    if version.is_newer_than_known() {
        report.finding(
            "nx-version-newer-than-known",
            Severity::Info,
            format!("nx `{version}` is newer than {NEWEST_KNOWN}, the newest version this engine knows: the rules of {NEWEST_KNOWN} were applied"),
            "check the result against the nx release notes, or upgrade nxcloud-access",
        );
    }
    let nx_json = findings::check_types(nx_json, &mut report);
    // The root `.env` files join the environment before anything else (DOT-1).
    let env = dotenv::load_environment(&input.env, &input.dot_env_files);
    if env.expansion_limited {
        return Err(ResolveError::InvalidInput(format!(
            "the `${{NAME}}` references of the root dotenv files expand to more than {MAX_DOTENV_EXPANSION} characters (references that repeat references grow exponentially): write the values out instead of nesting references"
        )));
    }
    for lost in &env.shadowed {
        if TOKEN_KEYS.contains(&lost.key.as_str()) || lost.key == "NX_CLOUD_API" {
            let value = if TOKEN_KEYS.contains(&lost.key.as_str()) {
                crate::secret::redact(&lost.value)
            } else {
                lost.value.clone()
            };
            let note = format!(
                "not loaded: `{}` already exists (from `{}`), and a root dotenv file never replaces a variable",
                lost.key, lost.by
            );
            report.step(
                "DOT-1",
                &format!("{}:{}", lost.file, lost.key),
                Some(value),
                Outcome::Shadowed,
                &note,
            );
        }
    }
    if !behaviour.dot_env_from_workspace_root && !input.dot_env_files.is_empty() {
        report.step("DOT-1", "default", None, Outcome::Used, "up to nx 18.3.1 the root dotenv files are read from the current directory: give the files of the directory nx runs in");
    }
    let runner_inputs = RunnerInputs {
        nx_json: &nx_json,
        has_nx_json: input.nx_json.is_some(),
        env: &env,
        behaviour,
        runner_arg: input.runner.as_deref(),
        client: client.as_ref(),
    };
    // INP-4: nx stops at start-up, before any runner runs.
    let stops_at_start_up =
        db_cache::stops_at_start_up(&nx_json, &env, behaviour, &version.to_string(), &mut report);
    let mut choice = runner::choose(&runner_inputs, &mut report);
    if stops_at_start_up {
        choice.refused = true;
    }
    let nx_cloud_used = runner::connected(&runner_inputs, &mut report);
    let ctx = Ctx {
        behaviour,
        nx_json: &nx_json,
        env: &env,
        choice: &choice,
        input,
    };
    let runs_cloud = choice.cloud && !choice.refused;
    let cloud_env = ctx.read_nx_cloud_env(&mut report);
    // Only where nothing else keeps Nx Cloud off (the opt-outs and
    // `CODEX_ENV_NODE_VERSION` have findings of their own).
    let kept_off = env.value("NX_NO_CLOUD") == Some("true")
        || nx_json
            .get("neverConnectToCloud")
            .is_some_and(Json::is_truthy)
        || (behaviour.codex_forces_default_runner
            && env.non_empty("CODEX_ENV_NODE_VERSION").is_some());
    if !choice.cloud && !choice.refused && !nx_cloud_used && !kept_off {
        findings::unused_nx_cloud_env_token(
            cloud_env.as_ref(),
            behaviour.legacy(),
            behaviour.env_access_token_connects,
            &mut report,
        );
    }
    // Only a running cloud runner sends anything (TOKEN-1).
    let inactive = (!runs_cloud).then(|| {
        (
            "TOKEN-1",
            "the Nx Cloud runner does not run, so nothing is sent".to_owned(),
        )
    });
    let token = walk(
        TOKEN_PRECEDENCE
            .iter()
            .map(|s| ctx.token_probe(*s, cloud_env.as_ref(), &mut report))
            .collect(),
        inactive.clone(),
        true,
        &mut report.trace,
    );
    let nx_cloud_id = ctx.nx_cloud_id(inactive.clone(), runs_cloud, &mut report);
    let api_url = runs_cloud.then(|| ctx.api_url(&mut report));
    let app_url = ctx.app_url(&mut report);
    let access_token = token.map(|c| secret_value(c.source, c.text));

    // TOKEN-5: from 22.6.0 the downloaded client chooses; we apply TOKEN-1..4.
    let inferred =
        runs_cloud && behaviour.downloaded_client_chooses && choice.loaded_client.is_none();
    if inferred {
        report.step("TOKEN-5", "default", None, Outcome::Used, "from nx 22.6.0 the client nx downloads at run time chooses the token: this result applies TOKEN-1..4 to the inputs nx hands it (interpretation)");
    }

    let pat = pat::lookup(
        input,
        api_url.as_ref(),
        access_token.is_some(),
        nx_cloud_id.is_some(),
        ctx.id_configured(),
        &mut report,
    );
    // PATR-4: the kind of credential.
    let mut runner_fails = false;
    let credential = if !runs_cloud {
        CredentialKind::None
    } else if access_token.is_some() {
        CredentialKind::CiAccessToken
    } else if nx_cloud_id.is_some() && pat.is_some() {
        CredentialKind::PersonalAccessToken
    } else if nx_cloud_id.is_some() {
        CredentialKind::WorkspaceId
    } else {
        runner_fails = ctx.no_credential(&mut report);
        CredentialKind::None
    };
    // DBC-1..3: the cache path, after the runner's own (nx stops before it
    // when the runner cannot be set up, or its client fails the command).
    let mut cache = None;
    if !choice.refused && !runner_fails {
        let nx_cloud_env = input
            .nx_cloud_env
            .as_deref()
            .map(|text| dotenv::parse(text, dotenv::Flavour::Nx));
        cache = db_cache::check(
            &db_cache::CacheInputs {
                nx_json: &nx_json,
                env: &env,
                cloud_env: nx_cloud_env.as_ref(),
                behaviour,
                nx_version: &version.to_string(),
                connected: nx_cloud_used,
                runner_sends: runs_cloud
                    && (access_token.is_some() || nx_cloud_id.is_some() || inferred),
            },
            &mut report,
        );
    }

    // SHC-1..6: the self-hosted remote cache, apart from Nx Cloud.
    let self_hosted_cache = self_hosted::check(
        &self_hosted::Inputs {
            nx_json: &nx_json,
            env: &env,
            behaviour,
            nx_version: &version.to_string(),
            connected: nx_cloud_used,
            stops_at_start_up: stops_at_start_up
                || report
                    .stop
                    .as_ref()
                    .is_some_and(|s| s.when == StopWhen::StartUp),
        },
        &mut report,
    );
    self_hosted::committed_tokens(&input.dot_env_files, tracked_files.as_deref(), &mut report);

    findings::declared_client(
        input.package_json.as_deref(),
        runs_cloud.then_some(choice.module.as_str()),
        choice.loaded_client.is_some(),
        &mut report,
    );
    findings::committed_tokens(
        &nx_json,
        &input.dot_env_files,
        cloud_env.as_ref(),
        tracked_files.as_deref(),
        &mut report,
    );
    findings::advice(
        &nx_json,
        access_token.as_ref(),
        credential,
        nx_cloud_id.as_ref(),
        &mut report,
    );
    // RUN-4: "connected" and "the cloud runner runs" can disagree: say so.
    if nx_cloud_used != runs_cloud {
        let message = if nx_cloud_used {
            format!("nx reports the workspace connected to Nx Cloud, but the runner that runs (`{}`) is not the Nx Cloud runner", choice.name)
        } else {
            "the Nx Cloud runner runs, but nx reports the workspace not connected".to_owned()
        };
        report.finding(
            "connected-state-disagrees",
            Severity::Info,
            message,
            "make the nx.json settings agree: select the Nx Cloud runner where Nx Cloud is meant to be used",
        );
    }
    // Before 22.7.0 the opt-outs do not stop the cloud runner (USED-2).
    if runs_cloud && runner::opted_out(&runner_inputs) && !behaviour.opt_out_stops_runner {
        report.finding(
            "opt-out-still-runs-cloud-runner",
            Severity::Warning,
            "Nx Cloud is switched off (`NX_NO_CLOUD` or `neverConnectToCloud`), yet on this nx version the Nx Cloud runner still starts and receives the credential",
            opt_out_fix(&runner::cloud_selectors(&runner_inputs, &choice.name)),
        );
    }
    if access_token
        .as_ref()
        .is_some_and(|t| !t.source.starts_with("env:") && !t.source.starts_with("nx"))
    {
        report.finding(
            "token-from-dot-env-file",
            Severity::Info,
            format!(
                "the access token comes from a root dotenv file (`{}`), which nx loads into the environment",
                access_token.as_ref().map(|t| t.source.as_str()).unwrap_or_default()
            ),
            "keep that file out of git (list it in .gitignore) and prefer a CI secret in `NX_CLOUD_ACCESS_TOKEN`",
        );
    }

    Ok(Resolution {
        nx_version: version.to_string(),
        nx_cloud_used,
        runner: Runner {
            name: choice.name.clone(),
            cloud: choice.cloud,
            module: choice.module.clone(),
        },
        access_token,
        nx_cloud_id,
        personal_access_token: pat,
        credential,
        api_url,
        app_url,
        inferred,
        trace: report.trace,
        findings: report.findings,
        cache,
        stops: report.stop,
        self_hosted_cache,
    })
}

/// Refuses a text above [`MAX_TEXT_BYTES`] or a whole input above
/// [`MAX_RESOLVE_INPUT_BYTES`], before any parsing.
fn check_sizes(input: &ResolveInput) -> Result<(), ResolveError> {
    let texts = [
        ("nxJson", input.nx_json.as_deref()),
        ("nxCloudEnv", input.nx_cloud_env.as_deref()),
        ("packageJson", input.package_json.as_deref()),
        (
            "nxcloudIni.text",
            input.nxcloud_ini.as_ref().map(|i| i.text.as_str()),
        ),
    ]
    .into_iter()
    .filter_map(|(field, text)| text.map(|t| (field.to_owned(), t)))
    .chain(
        input
            .dot_env_files
            .iter()
            .map(|(name, text)| (format!("dotEnvFiles[{name:?}]"), text.as_str())),
    );
    let mut total = 0usize;
    for (field, text) in texts {
        if text.len() > MAX_TEXT_BYTES {
            return Err(ResolveError::InvalidInput(format!(
                "`{field}` is {} bytes, more than the limit of {MAX_TEXT_BYTES} bytes (8 MiB): pass the real file, which is far smaller",
                text.len()
            )));
        }
        total = total.saturating_add(text.len());
    }
    let maps = input
        .env
        .iter()
        .map(|(k, v)| k.len().saturating_add(v.len()))
        .chain(input.dot_env_files.keys().map(String::len));
    let lists = input.tracked_files.iter().flatten().map(String::len);
    let scalars = [
        input.nx_version.as_deref(),
        input.cloud_client.as_deref(),
        input.runner.as_deref(),
        input.nxcloud_ini.as_ref().map(|i| i.path.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(str::len);
    total = maps
        .chain(lists)
        .chain(scalars)
        .fold(total, usize::saturating_add);
    if total > MAX_RESOLVE_INPUT_BYTES {
        return Err(ResolveError::InvalidInput(format!(
            "the input is {total} bytes in all, more than the limit of {MAX_RESOLVE_INPUT_BYTES} bytes (32 MiB): pass only the files nx reads, and in `trackedFiles` only the names of those files"
        )));
    }
    Ok(())
}

/// The root files whose git status matters for a committed token (TOKF-2):
/// the only names `trackedFiles` may hold.
pub const TRACKABLE_FILES: [&str; 5] = [
    "nx.json",
    ".env",
    ".env.local",
    ".local.env",
    "nx-cloud.env",
];

/// `trackedFiles` as the names of [`TRACKABLE_FILES`]: backslashes (a
/// Windows-style path) become `/`, a leading `./` goes (`./.env` is
/// `.env`); any other name is refused, as a name that would silently never
/// match (TOKF-2).
pub fn normalise_tracked_files(
    tracked: Option<&[String]>,
) -> Result<Option<Vec<String>>, ResolveError> {
    let Some(tracked) = tracked else {
        return Ok(None);
    };
    let mut names = Vec::with_capacity(tracked.len());
    for name in tracked {
        let slashed = name.replace('\\', "/");
        let mut bare = slashed.as_str();
        while let Some(rest) = bare.strip_prefix("./") {
            bare = rest;
        }
        match TRACKABLE_FILES.iter().find(|known| **known == bare) {
            Some(known) => names.push((*known).to_owned()),
            None => {
                return Err(ResolveError::InvalidInput(format!(
                    "`trackedFiles` holds {name:?}, which is not a root file whose git status matters: list only those of {} that git tracks (relative to the workspace root, e.g. `.env` or `./.env`)",
                    TRACKABLE_FILES
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }
    Ok(Some(names))
}

/// The environment variables that hold tokens.
const TOKEN_KEYS: [&str; 2] = ["NX_CLOUD_AUTH_TOKEN", "NX_CLOUD_ACCESS_TOKEN"];

pub(crate) fn secret_value(source: String, secret: Secret) -> SecretValue {
    SecretValue {
        redacted: secret.redacted(),
        value: secret,
        source,
    }
}

/// What the steps after the runner choice read.
struct Ctx<'a> {
    behaviour: Behaviour,
    nx_json: &'a Json,
    env: &'a Environment,
    choice: &'a RunnerChoice<'a>,
    input: &'a ResolveInput,
}

impl Ctx<'_> {
    fn options(&self) -> Option<&Json> {
        self.choice.entry.and_then(|e| e.get("options"))
    }

    fn options_path(&self, key: &str) -> String {
        format!(
            "nx.json:tasksRunnerOptions.{}.options.{key}",
            self.choice.name
        )
    }

    /// `options.KEY`: present unless absent or `null` (`??`), counts when truthy.
    // TOP-2: the options beat the top level field by field, since Nx merges
    // with `result.KEY ??= top`: an empty string in the options still blocks.
    fn options_probe(&self, key: &str, rule: &'static str) -> Probe {
        let source = self.options_path(key);
        let held = match self.options().and_then(|o| o.get(key)) {
            None | Some(Json::Null) => Held::Absent,
            Some(value) => Held::Value {
                text: Secret::new(value.js_string()),
                blocks: true,
                counts: value.is_truthy(),
            },
        };
        Probe { source, held, rule }
    }

    /// A top-level key merged into the options (TOP-1: only for the default
    /// cloud runner, and only from the version that reads it).
    fn top_level_probe(&self, key: &str, read_from: Option<&str>, rule: &'static str) -> Probe {
        let source = format!("nx.json:{key}");
        let held = match self.nx_json.get(key) {
            None | Some(Json::Null) => Held::Absent,
            Some(value) => {
                let text = Secret::new(value.js_string());
                if let Some(version) = read_from {
                    Held::Ignored {
                        value: Some(text),
                        rule,
                        note: format!("this nx version does not read it (from {version})"),
                    }
                } else if !self.choice.gets_top_level && self.choice.cloud {
                    Held::Ignored {
                        value: Some(text),
                        rule: "TOP-1",
                        note: format!(
                            "the runner `{}` does not get the top-level keys before nx 21",
                            self.choice.module
                        ),
                    }
                } else {
                    Held::Value {
                        text,
                        blocks: value.is_truthy(),
                        counts: value.is_truthy(),
                    }
                }
            }
        };
        Probe { source, held, rule }
    }
}

// EXP-2: the fix names each place that selects the Nx Cloud runner, and a
// change that works on the workspace's version.
/// The fix of `opt-out-still-runs-cloud-runner`.
fn opt_out_fix(selectors: &[String]) -> String {
    let places: Vec<String> = selectors
        .iter()
        .map(|source| match source.split_once(':') {
            Some(("nx.json", path)) => format!("remove `{path}` from nx.json"),
            Some(("env", var)) => format!("unset `{var}` in this environment"),
            Some((file, var)) => format!("remove `{var}` from `{file}`"),
            None => format!("remove `{source}`"),
        })
        .collect();
    if places.is_empty() {
        "upgrade nx to 22.7.0 or later, where the opt-outs also stop the Nx Cloud runner".to_owned()
    } else {
        format!(
            "upgrade nx to 22.7.0 or later, where the opt-outs also stop the Nx Cloud runner; or stop selecting it on this version: {}",
            places.join(", and ")
        )
    }
}

#[cfg(test)]
mod tests;
