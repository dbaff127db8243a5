//! Which credential Nx uses (SPEC-resolution.md): from the texts of the
//! workspace's files, the environment and the Nx version, the token, the
//! nxCloudId, the URLs and the personal access token that apply, with a
//! trace of every source considered and findings about what is unsafe.
//!
//! The flow, one step per module:
//! [`crate::version`] (what the version does) → [`crate::input`] (parse the
//! texts) → [`runner`] (which runner runs, is Nx connected) →
//! [`precedence`] (the token, the nxCloudId and the API URL, by one walk
//! over ordered sources that also writes the trace) → [`findings`].
//!
//! # Decisions where SPEC-resolution.md is silent
//!
//! * Versions: see [`crate::version`] (below 16.0.0 is refused; newer than
//!   the newest known gets its behaviour and an `info` finding).
//! * ID-1: the seeds say nxCloudId arrived in 19.7 (seed 001) and 19.6 (seed
//!   002). Nx reads a top-level `nxCloudId` from 19.6.0; 19.7.0 is when
//!   `nx connect` started writing it. The engine follows the code (19.6.0).
//! * When Nx refuses to run (RUN-1, LEG-1) the runner's `module` is `none`
//!   and nothing is sent; an `error` finding says why.
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

use crate::error::{ErrorCode, Location};
use crate::input::client::CloudClient;
use crate::input::dotenv::{self, DotEnv, Environment, Flavour, ROOT_DOT_ENV_FILES};
use crate::input::nx_json::{self, Json};
use crate::input::pat_ini;
use crate::secret::Secret;
use crate::version::{Behaviour, NxVersion, NEWEST_KNOWN};

pub mod findings;
pub mod model;
pub mod precedence;
pub mod runner;
pub mod token_shape;

pub use model::*;
use precedence::{walk, Chosen, Held, Probe, TokenSource, TOKEN_PRECEDENCE};
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
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
    }
}

/// The default API URL (URL-1).
pub const DEFAULT_API_URL: &str = "https://cloud.nx.app";
/// The default app URL (URL-2).
pub const DEFAULT_APP_URL: &str = "https://nx.app";

/// Which credential Nx uses.
pub fn resolve_credentials(input: &ResolveInput) -> Result<Resolution, ResolveError> {
    let version = match input.nx_version.as_deref() {
        Some(text) => {
            NxVersion::parse(text).map_err(|e| ResolveError::InvalidNxVersion(e.to_string()))?
        }
        None => NxVersion::newest_known(),
    };
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
    if version.is_newer_than_known() {
        report.finding(
            "nx-version-newer-than-known",
            Severity::Info,
            format!("nx `{version}` is newer than {NEWEST_KNOWN}, the newest version this engine knows: the rules of {NEWEST_KNOWN} were applied"),
            "check the result against the nx release notes, or upgrade nxcloud-access",
        );
    }
    let nx_json = findings::check_types(nx_json, &mut report);
    // DOT-1: the root `.env` files join the environment before anything else.
    let env = dotenv::load_environment(&input.env, &input.dot_env_files);
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
        env: &env,
        behaviour,
        runner_arg: input.runner.as_deref(),
        client: client.as_ref(),
    };
    let choice = runner::choose(&runner_inputs, &mut report);
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
    // TOKEN-1: only a running cloud runner sends anything.
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

    let pat = pat_lookup(
        input,
        api_url.as_ref(),
        access_token.is_some(),
        nx_cloud_id.is_some(),
        &mut report,
    );
    // PATR-4: the kind of credential.
    let credential = if !runs_cloud {
        CredentialKind::None
    } else if access_token.is_some() {
        CredentialKind::CiAccessToken
    } else if nx_cloud_id.is_some() && pat.is_some() {
        CredentialKind::PersonalAccessToken
    } else if nx_cloud_id.is_some() {
        CredentialKind::WorkspaceId
    } else {
        ctx.no_credential(&mut report);
        CredentialKind::None
    };

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
        input.tracked_files.as_deref(),
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
    // USED-2: before 22.7.0 the opt-outs do not stop the cloud runner.
    if runs_cloud && runner::opted_out(&runner_inputs) && !behaviour.opt_out_stops_runner {
        report.finding(
            "opt-out-still-runs-cloud-runner",
            Severity::Warning,
            "Nx Cloud is switched off (`NX_NO_CLOUD` or `neverConnectToCloud`), yet on this nx version the Nx Cloud runner still starts and receives the credential",
            "remove the access token from this environment too, or upgrade nx to 22.7.0 or later",
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
    })
}

/// The environment variables that hold tokens.
const TOKEN_KEYS: [&str; 2] = ["NX_CLOUD_AUTH_TOKEN", "NX_CLOUD_ACCESS_TOKEN"];

fn secret_value(source: String, secret: Secret) -> SecretValue {
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

    /// ENVF-1..3: `nx-cloud.env`, parsed by whoever runs the cloud runner.
    fn read_nx_cloud_env(&self, report: &mut Report) -> Option<DotEnv> {
        let text = self.input.nx_cloud_env.as_deref()?;
        // ENVF-3: a loaded client (always in 16.x) parses with the older flavour.
        let client = self.choice.loaded_client.as_ref();
        let flavour = if client.is_some() || self.behaviour.legacy() {
            Flavour::Client
        } else {
            Flavour::Nx
        };
        let parsed = dotenv::parse(text, flavour);
        if let (Flavour::Client, Some(client)) = (flavour, client) {
            let nx_way = dotenv::parse(text, Flavour::Nx);
            for key in TOKEN_KEYS {
                if parsed.get(key) != nx_way.get(key) {
                    report.finding(
                        "nx-cloud-env-read-differently",
                        Severity::Warning,
                        format!("the installed client `{client}` reads `{key}` of `nx-cloud.env` with its older parser, which keeps comments and quotes after `=` and ignores `export` lines: the value differs from what nx's own parser reads"),
                        format!("write `{key}=<token>` on a line of its own, without `export`, quotes or a trailing comment"),
                    );
                }
            }
        }
        // ENVF-2: only the two token keys (and NX_CLOUD_NO_TIMEOUTS) are read.
        if let Some(api) = parsed.get("NX_CLOUD_API") {
            report.step(
                "ENVF-2",
                "nx-cloud.env:NX_CLOUD_API",
                Some(api.to_owned()),
                Outcome::Ignored,
                "nx never reads NX_CLOUD_API from nx-cloud.env",
            );
            report.finding(
                "nx-cloud-api-in-nx-cloud-env-ignored",
                Severity::Info,
                "`NX_CLOUD_API` in `nx-cloud.env` is ignored: nx reads only the token keys of that file",
                "set `NX_CLOUD_API` in the environment or `nxCloudUrl` in nx.json",
            );
        }
        Some(parsed)
    }

    fn token_probe(
        &self,
        source: TokenSource,
        cloud_env: Option<&DotEnv>,
        report: &mut Report,
    ) -> Probe {
        let key = source.key();
        match source {
            TokenSource::EnvAuthToken | TokenSource::EnvAccessToken => match self.env.vars.get(key)
            {
                // TOKEN-2: an empty variable counts as unset.
                Some(var) => Probe {
                    source: format!("{}:{key}", var.origin),
                    held: Held::Value {
                        text: Secret::new(var.value.clone()),
                        blocks: !var.value.is_empty(),
                        counts: !var.value.is_empty(),
                    },
                    rule: "TOKEN-1",
                },
                None => Probe {
                    source: format!("env:{key}"),
                    held: Held::Absent,
                    rule: "TOKEN-1",
                },
            },
            // ENVF-1: the file yields to real variables; a missing file is empty.
            TokenSource::FileAuthToken | TokenSource::FileAccessToken => Probe {
                source: format!("nx-cloud.env:{key}"),
                held: match cloud_env.and_then(|f| f.get(key)) {
                    Some(value) => Held::Value {
                        text: Secret::new(value),
                        blocks: !value.is_empty(),
                        counts: !value.is_empty(),
                    },
                    None => Held::Absent,
                },
                rule: "ENVF-1",
            },
            // TOKEN-3: options.accessToken beats the top level; empty still blocks.
            TokenSource::OptionsAccessToken => self.options_probe(key, "TOKEN-3"),
            TokenSource::TopLevelAccessToken => {
                let read_from = (!self.behaviour.top_level_cloud_keys).then_some("17.0.0");
                let probe = self.top_level_probe(key, read_from, "TOP-2");
                if matches!(&probe.held, Held::Ignored { rule: "TOP-1", .. })
                    && self.nx_json.get(key).is_some_and(Json::is_truthy)
                {
                    report.finding(
                        "top-level-token-hidden-by-runner",
                        Severity::Warning,
                        format!("the top-level `nxCloudAccessToken` never reaches the runner `{}`: before nx 21 only the `nx-cloud` runner gets the top-level Nx Cloud keys", self.choice.module),
                        "change the entry's runner to `nx-cloud` (or remove the `runner` field), or move the token into `NX_CLOUD_ACCESS_TOKEN`",
                    );
                }
                probe
            }
        }
    }

    /// ID-1..3, TOP-2: the nxCloudId the cloud runner gets and can use.
    fn nx_cloud_id(
        &self,
        inactive: Option<(&'static str, String)>,
        runs_cloud: bool,
        report: &mut Report,
    ) -> Option<Sourced> {
        let b = self.behaviour;
        // ID-2: from 17.0 to 19.5 a top-level nxCloudId is ignored.
        let read_from = (!b.nx_cloud_id_read).then_some("19.6.0");
        let probes = vec![
            self.options_probe("nxCloudId", "TOP-2"),
            self.top_level_probe("nxCloudId", read_from, "ID-1"),
        ];
        let chosen = walk(probes, inactive, false, &mut report.trace)?;
        // CLI-1, ID-2: who decides must know nxCloudId.
        let known = match &self.choice.loaded_client {
            Some(client) => client.knows_nx_cloud_id(),
            None => b.nx_cloud_id_read,
        };
        if runs_cloud && !known {
            let who = match &self.choice.loaded_client {
                Some(client) => format!("the installed client `{client}` (before nx-cloud 19.1.0)"),
                None => {
                    "nx before 19.6.0 without the `nx-cloud` package 19.1.0 or later".to_owned()
                }
            };
            report.step(
                "ID-2",
                &chosen.source,
                Some(chosen.text.expose().to_owned()),
                Outcome::Ignored,
                "forwarded, but the runner does not know nxCloudId",
            );
            report.finding(
                "nx-cloud-id-not-read",
                Severity::Warning,
                format!("`{}` is not read by {who}", chosen.source),
                "install `nx-cloud` 19.1.0 or later as a devDependency (runner `nx-cloud`), or upgrade nx to 19.6.0 or later",
            );
            return None;
        }
        // ID-3: a valid nxCloudId has 24 characters.
        let length = chosen.text.expose().chars().count();
        if length != 24 {
            report.finding(
                "nx-cloud-id-wrong-length",
                Severity::Warning,
                format!("the nxCloudId `{}` of `{}` has {length} characters instead of 24: nx forwards it, and Nx Cloud will not recognise it", chosen.text.expose(), chosen.source),
                "copy the nxCloudId again from the workspace settings of Nx Cloud",
            );
        }
        let Chosen { source, text } = chosen;
        Some(Sourced {
            value: text.expose().to_owned(),
            source,
        })
    }

    /// URL-1: the API base URL, when the cloud runner runs.
    fn api_url(&self, report: &mut Report) -> Sourced {
        let reads_env = self
            .choice
            .loaded_client
            .as_ref()
            .is_none_or(CloudClient::reads_nx_cloud_api);
        let env_probe = match self.env.vars.get("NX_CLOUD_API") {
            Some(var) if !reads_env && !var.value.is_empty() => {
                report.finding(
                    "client-ignores-nx-cloud-api",
                    Severity::Warning,
                    format!("`NX_CLOUD_API` is set, but the installed client `{}` ignores it", self.choice.loaded_client.as_ref().map(ToString::to_string).unwrap_or_default()),
                    "set the URL as `url` in the runner options, or upgrade the client to 16.1 or later",
                );
                Probe {
                    source: format!("{}:NX_CLOUD_API", var.origin),
                    held: Held::Ignored {
                        value: Some(Secret::new(var.value.clone())),
                        rule: "CLI-1",
                        note: "clients before 16.1 ignore NX_CLOUD_API".into(),
                    },
                    rule: "CLI-1",
                }
            }
            Some(var) => Probe {
                source: format!("{}:NX_CLOUD_API", var.origin),
                held: Held::Value {
                    text: Secret::new(var.value.clone()),
                    blocks: !var.value.is_empty(),
                    counts: !var.value.is_empty(),
                },
                rule: "URL-1",
            },
            None => Probe {
                source: "env:NX_CLOUD_API".into(),
                held: Held::Absent,
                rule: "URL-1",
            },
        };
        if let Some(nrwl) = self.env.non_empty("NRWL_API") {
            report.step(
                "URL-1",
                &format!("{}:NRWL_API", nrwl.origin),
                Some(nrwl.value.clone()),
                Outcome::Ignored,
                "NRWL_API does not count for runs",
            );
        }
        let read_from = (!self.behaviour.top_level_cloud_keys).then_some("17.0.0");
        let probes = vec![
            env_probe,
            self.options_probe("url", "URL-1"),
            self.top_level_probe("nxCloudUrl", read_from, "URL-1"),
        ];
        match walk(probes, None, false, &mut report.trace) {
            Some(Chosen { source, text }) => Sourced {
                value: text.expose().to_owned(),
                source,
            },
            None => {
                report.step(
                    "URL-1",
                    "default",
                    Some(DEFAULT_API_URL.into()),
                    Outcome::Used,
                    "no URL is configured",
                );
                Sourced {
                    value: DEFAULT_API_URL.into(),
                    source: "default".into(),
                }
            }
        }
    }

    /// URL-2: where runs are shown.
    fn app_url(&self, report: &mut Report) -> Option<Sourced> {
        let b = self.behaviour;
        let entries = self
            .nx_json
            .get("tasksRunnerOptions")
            .map(Json::js_entries)
            .unwrap_or_default();
        let cloud_entry = entries.into_iter().find(|(_, e)| {
            e.get("runner")
                .and_then(Json::as_str)
                .is_some_and(|r| runner::CLOUD_NAMES.contains(&r))
        });
        let top = |key: &str| self.nx_json.get(key).is_some_and(Json::is_truthy);
        let configured = cloud_entry.is_some()
            || (b.top_level_cloud_keys && top("nxCloudAccessToken"))
            || (b.env_access_token_connects
                && self.env.non_empty("NX_CLOUD_ACCESS_TOKEN").is_some())
            || (b.env_auth_token_connects && self.env.non_empty("NX_CLOUD_AUTH_TOKEN").is_some())
            || (b.nx_cloud_id_read && top("nxCloudId"));
        if !configured {
            return None;
        }
        let mut found = |value: &Json, source: String| {
            report.step(
                "URL-2",
                &source,
                Some(value.js_string()),
                Outcome::Used,
                "the app URL",
            );
            Some(Sourced {
                value: value.js_string(),
                source,
            })
        };
        if let Some((name, entry)) = &cloud_entry {
            let url = entry.get("options").and_then(|o| o.get("url"));
            let source = format!("nx.json:tasksRunnerOptions.{name}.options.url");
            // URL-2: 16.x uses `url || default`; later `??` keeps an empty string.
            match url {
                Some(u) if b.legacy() && u.is_truthy() => return found(u, source),
                Some(u) if !b.legacy() && *u != Json::Null => return found(u, source),
                _ => {}
            }
        }
        if b.top_level_cloud_keys {
            if let Some(u) = self.nx_json.get("nxCloudUrl").filter(|u| **u != Json::Null) {
                return found(u, "nx.json:nxCloudUrl".into());
            }
        }
        report.step(
            "URL-2",
            "default",
            Some(DEFAULT_APP_URL.into()),
            Outcome::Used,
            "no app URL is configured",
        );
        Some(Sourced {
            value: DEFAULT_APP_URL.into(),
            source: "default".into(),
        })
    }

    /// TOKEN-4: the cloud runner runs but cannot authenticate.
    fn no_credential(&self, report: &mut Report) {
        let fails = self
            .choice
            .loaded_client
            .as_ref()
            .is_some_and(CloudClient::fails_without_credential);
        if fails {
            report.step(
                "TOKEN-4",
                "default",
                None,
                Outcome::Used,
                "no token and no usable nxCloudId: the installed client fails the command",
            );
            report.finding(
                "cloud-runner-fails-authentication",
                Severity::Error,
                format!("the Nx Cloud runner (`{}`) has no access token and no usable nxCloudId, so the command fails with an authentication error", self.choice.loaded_client.as_ref().map(ToString::to_string).unwrap_or_default()),
                "set `NX_CLOUD_ACCESS_TOKEN`, or connect the workspace with `nxCloudId` (npx nx connect)",
            );
        } else {
            // Clients before 16.1 (`@nrwl/nx-cloud` 14/15, `nx-cloud` 16.0) fall
            // back without a word; later ones and Nx's shell warn first.
            let how = match &self.choice.loaded_client {
                Some(client) if !client.warns_when_falling_back() => format!(
                    "the installed client `{client}` runs the command without Nx Cloud, silently"
                ),
                Some(client) => format!(
                    "the installed client `{client}` warns and runs the command without Nx Cloud"
                ),
                None => "nx warns and runs the command without Nx Cloud".to_owned(),
            };
            report.step(
                "TOKEN-4",
                "default",
                None,
                Outcome::Used,
                &format!("no token and no usable nxCloudId: {how}"),
            );
            report.finding(
                "cloud-runner-runs-without-credential",
                Severity::Warning,
                format!("the Nx Cloud runner is selected but has no access token and no usable nxCloudId: {how}"),
                "set `NX_CLOUD_ACCESS_TOKEN`, or connect the workspace with `nxCloudId` (npx nx connect)",
            );
        }
    }
}

/// PATR-1..3: the personal access token that applies.
fn pat_lookup(
    input: &ResolveInput,
    api_url: Option<&Sourced>,
    has_token: bool,
    has_id: bool,
    report: &mut Report,
) -> Option<SecretValue> {
    let file = input.nxcloud_ini.as_ref()?;
    let sections = match pat_ini::parse(&file.text) {
        Ok(sections) => sections,
        Err(e) => {
            report.finding(
                "pat-file-unreadable",
                Severity::Warning,
                format!(
                    "the personal access token file `{}` could not be read at line {}: {}",
                    file.path, e.line, e.message
                ),
                "run `npx nx login` again to rewrite the file",
            );
            return None;
        }
    };
    // PATR-2: a section with plain dots is split by the ini library, never matched.
    for section in sections.iter().filter(|s| s.url().is_none()) {
        let escaped = pat_ini::escaped_section(&section.raw_name);
        report.finding(
            "pat-section-never-matched",
            Severity::Warning,
            format!("the section `[{}]` of `{}` has unescaped dots, so the Nx Cloud tools split it and never find it", section.raw_name, file.path),
            format!("rename the section to `[{escaped}]`"),
        );
    }
    let api_url = api_url?;
    let section = sections
        .iter()
        .find(|s| s.url().as_deref() == Some(api_url.value.as_str()))?;
    let source = format!("nxcloud.ini:{}", section.raw_name);
    let token = section.token.clone().filter(|t| !t.is_empty())?;
    let redacted = token.redacted();
    let path_note = |what: &str| format!("{what} (file `{}`, PATR-1)", file.path);
    // PATR-3: an access token takes precedence; a PAT needs an nxCloudId.
    if has_token {
        report.step(
            "PATR-3",
            &source,
            Some(redacted),
            Outcome::Shadowed,
            &path_note("an access token takes precedence over the personal access token"),
        );
        return None;
    }
    if !has_id {
        report.step(
            "PATR-3",
            &source,
            Some(redacted),
            Outcome::Ignored,
            &path_note(
                "a personal access token counts only for a workspace connected by nxCloudId",
            ),
        );
        report.finding(
            "pat-without-nx-cloud-id",
            Severity::Warning,
            "a personal access token is stored for this Nx Cloud URL, but the workspace has no nxCloudId, so the token is not used",
            "add the workspace's `nxCloudId` to nx.json (npx nx-cloud convert-to-nx-cloud-id)",
        );
        return None;
    }
    report.step(
        "PATR-2",
        &source,
        Some(redacted),
        Outcome::Used,
        &path_note("the section of the API URL"),
    );
    Some(secret_value(source, token))
}

#[cfg(test)]
mod tests;
