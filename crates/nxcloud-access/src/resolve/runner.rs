//! Which runner runs (RUN-1..4, LEG-1, CLI-1) and whether Nx reports itself
//! connected (USED-1/2).

use crate::input::client::CloudClient;
use crate::input::dotenv::Environment;
use crate::input::nx_json::Json;
use crate::resolve::model::{Outcome, Severity, StopWhen, TraceStep};
use crate::resolve::Report;
use crate::version::{Behaviour, OptOut};

/// The module of Nx's default tasks runner.
pub const DEFAULT_MODULE: &str = "nx/tasks-runners/default";
/// The runner names that mean Nx Cloud.
pub const CLOUD_NAMES: [&str; 2] = ["nx-cloud", "@nrwl/nx-cloud"];

/// The runner that runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerChoice<'a> {
    pub name: String,
    /// The selected `tasksRunnerOptions` entry, when there is one.
    pub entry: Option<&'a Json>,
    pub module: String,
    pub cloud: bool,
    /// Nx refuses to run (a finding of severity `error` says why).
    pub refused: bool,
    /// Top-level cloud keys reach the runner's options (TOP-1).
    pub gets_top_level: bool,
    /// The installed client package Nx loads, if it loads one (CLI-1).
    pub loaded_client: Option<CloudClient>,
}

/// What the runner choice reads.
pub struct RunnerInputs<'a> {
    pub nx_json: &'a Json,
    /// Whether the workspace has an `nx.json` at all (LEG-1: nx 16 runs its
    /// defaults without one, and refuses one without `tasksRunnerOptions`).
    pub has_nx_json: bool,
    pub env: &'a Environment,
    pub behaviour: Behaviour,
    pub runner_arg: Option<&'a str>,
    pub client: Option<&'a CloudClient>,
}

impl<'a> RunnerInputs<'a> {
    fn entry(&self, name: &str) -> Option<&'a Json> {
        self.nx_json
            .get("tasksRunnerOptions")
            .and_then(|t| t.get(name))
            .filter(|e| e.is_truthy())
    }

    /// The source string of an environment variable (`env:` or a `.env` file).
    fn env_source(&self, key: &str) -> String {
        let origin = self.env.vars.get(key).map_or("env", |v| v.origin.as_str());
        format!("{origin}:{key}")
    }

    // EXP-3: a set variable or key is shown with its value (tokens redacted),
    // also on the rows that only test whether it is set.
    /// What the source (`nx.json:<path>` or `<origin>:<VAR>`) holds, as the
    /// trace shows it.
    fn shown(&self, source: &str) -> Option<String> {
        let is_token = |key: &str| {
            ["nxCloudAccessToken", "accessToken"].contains(&key) || key.ends_with("_TOKEN")
        };
        let (raw, key) = if let Some(path) = source.strip_prefix("nx.json:") {
            let mut value = Some(self.nx_json);
            for part in path.split('.') {
                value = value.and_then(|v| v.get(part));
            }
            (
                value.map(Json::js_string),
                path.rsplit('.').next().unwrap_or(path),
            )
        } else {
            let key = source.rsplit(':').next().unwrap_or(source);
            (self.env.value(key).map(str::to_owned), key)
        };
        raw.map(|text| {
            if is_token(key) {
                crate::secret::redact(&text)
            } else {
                text
            }
        })
    }

    fn env_set(&self, key: &str) -> bool {
        self.env.non_empty(key).is_some()
    }

    fn opted_out(&self) -> bool {
        self.env.value("NX_NO_CLOUD") == Some("true") || self.top("neverConnectToCloud")
    }

    fn top(&self, key: &str) -> bool {
        self.nx_json.get(key).is_some_and(Json::is_truthy)
    }

    /// RUN-2/RUN-3: what selects the cloud runner when no `runner` field decides.
    fn implicit_cloud(&self, name: &str, entry: Option<&Json>, report: &mut Report) -> bool {
        match self.implicit_signals(name, entry).first() {
            Some((source, rule)) => {
                report.step(
                    rule,
                    source,
                    self.shown(source),
                    Outcome::Used,
                    "selects the Nx Cloud runner",
                );
                true
            }
            None => false,
        }
    }

    /// Every source that selects the cloud runner when no `runner` field
    /// decides, in nx's order, with the rule that says so.
    fn implicit_signals(&self, name: &str, entry: Option<&Json>) -> Vec<(String, &'static str)> {
        let b = self.behaviour;
        let options_token = entry
            .and_then(|e| e.get("options"))
            .and_then(|o| o.get("accessToken"))
            .is_some_and(Json::is_truthy);
        let signals = [
            (
                self.top("nxCloudAccessToken"),
                "nx.json:nxCloudAccessToken".to_owned(),
                "RUN-2",
            ),
            (
                options_token,
                format!("nx.json:tasksRunnerOptions.{name}.options.accessToken"),
                "RUN-2",
            ),
            (
                b.env_access_token_connects && self.env_set("NX_CLOUD_ACCESS_TOKEN"),
                self.env_source("NX_CLOUD_ACCESS_TOKEN"),
                "RUN-2",
            ),
            (
                b.nx_cloud_id_read && self.top("nxCloudId"),
                "nx.json:nxCloudId".to_owned(),
                "RUN-2",
            ),
            (
                b.env_auth_token_connects && self.env_set("NX_CLOUD_AUTH_TOKEN"),
                self.env_source("NX_CLOUD_AUTH_TOKEN"),
                "RUN-3",
            ),
        ];
        signals
            .into_iter()
            .filter(|(on, _, _)| *on)
            .map(|(_, source, rule)| (source, rule))
            .collect()
    }
}

/// Every setting that selects the Nx Cloud runner for the entry `name`: its
/// `runner` field when it names Nx Cloud, and the sources of RUN-2/RUN-3.
pub fn cloud_selectors(inputs: &RunnerInputs<'_>, name: &str) -> Vec<String> {
    let entry = inputs.entry(name);
    let mut out = Vec::new();
    if entry
        .and_then(|e| e.get("runner"))
        .and_then(Json::as_str)
        .is_some_and(|r| CLOUD_NAMES.contains(&r))
    {
        out.push(format!("nx.json:tasksRunnerOptions.{name}.runner"));
    }
    out.extend(
        inputs
            .implicit_signals(name, entry)
            .into_iter()
            .map(|(source, _)| source),
    );
    out
}

/// RUN-1..3, LEG-1, CLI-1: the runner that runs.
pub fn choose<'a>(inputs: &RunnerInputs<'a>, report: &mut Report) -> RunnerChoice<'a> {
    let b = inputs.behaviour;
    let (name, arg_refused) = runner_name(inputs, report);
    let entry = inputs.entry(&name);
    let mut choice = RunnerChoice {
        name: name.clone(),
        entry,
        module: DEFAULT_MODULE.to_owned(),
        cloud: false,
        refused: arg_refused,
        gets_top_level: false,
        loaded_client: None,
    };
    if arg_refused {
        choice.module = "none".into();
        return choice;
    }
    let runner_field = entry
        .and_then(|e| e.get("runner"))
        .filter(|r| r.is_truthy())
        .map(Json::js_string);
    // From 21 Nx compares the field with `includes`: only a string can match.
    let names_cloud = entry
        .and_then(|e| e.get("runner"))
        .and_then(Json::as_str)
        .is_some_and(|r| CLOUD_NAMES.contains(&r));
    if b.legacy() && !inputs.has_nx_json {
        // LEG-1 (recorded: no-nx-json-env-access-token on nx 16.10.0): without
        // any nx.json, nx 16 runs on its built-in defaults, whose only entry
        // is the default runner.
        report.step(
            "LEG-1",
            "default",
            Some(DEFAULT_MODULE.to_owned()),
            Outcome::Used,
            "no nx.json: nx 16 runs its built-in defaults, the default runner",
        );
        return choice;
    }
    if b.legacy() {
        // LEG-1: 16.x runs only a declared entry, and loads its runner module.
        let has_options = inputs
            .nx_json
            .get("tasksRunnerOptions")
            .is_some_and(Json::is_truthy);
        if !has_options || entry.is_none() {
            let what = if has_options {
                format!("no `tasksRunnerOptions` entry `{name}`")
            } else {
                "no `tasksRunnerOptions`".to_owned()
            };
            report.finding(
                "nx-refuses-to-run",
                Severity::Error,
                format!("nx 16 refuses to run: nx.json has {what}"),
                "add a `tasksRunnerOptions.default` entry (for Nx Cloud: `\"runner\": \"nx-cloud\"` with `options.accessToken`), or upgrade nx",
            );
            report.step(
                "LEG-1",
                &format!("nx.json:tasksRunnerOptions.{name}"),
                None,
                Outcome::Absent,
                "nx 16 needs this entry to run",
            );
            report.stop(
                StopWhen::StartUp,
                "LEG-1",
                "nx-refuses-to-run",
                format!("nx 16 finds no runner configuration (\"Could not find any runner configurations in nx.json\"): nx.json has {what}"),
            );
            choice.refused = true;
            choice.module = "none".into();
            return choice;
        }
        choice.module = runner_field.unwrap_or_else(|| DEFAULT_MODULE.to_owned());
        choice.cloud = CLOUD_NAMES.contains(&choice.module.as_str());
        if choice.cloud {
            choice.loaded_client = inputs.client.and_then(|c| c.as_module(&choice.module));
            if choice.loaded_client.is_none() {
                // Without the package the runner cannot be loaded (LEG-1).
                report.finding(
                    "cloud-runner-not-installed",
                    Severity::Error,
                    format!(
                        "the runner `{}` is not installed, so nx 16 cannot load it and fails",
                        choice.module
                    ),
                    format!(
                        "add `{}` to the devDependencies of package.json and install it",
                        choice.module
                    ),
                );
                report.stop(
                    StopWhen::StartUp,
                    "LEG-1",
                    "cloud-runner-not-installed",
                    format!(
                        "Cannot find module '{}': nx 16 loads the runner module of the selected entry",
                        choice.module
                    ),
                );
                choice.refused = true;
            }
        }
        report.step(
            "LEG-1",
            &format!("nx.json:tasksRunnerOptions.{name}.runner"),
            Some(choice.module.clone()),
            Outcome::Used,
            "nx 16 loads the entry's runner module",
        );
        return choice;
    }
    // `CODEX_ENV_NODE_VERSION` forces the default runner (RUN-3).
    if b.codex_forces_default_runner && inputs.env_set("CODEX_ENV_NODE_VERSION") {
        report.step(
            "RUN-3",
            "env:CODEX_ENV_NODE_VERSION",
            inputs
                .env
                .value("CODEX_ENV_NODE_VERSION")
                .map(str::to_owned),
            Outcome::Used,
            "set: the default runner always runs",
        );
        let probe = &mut Report::default();
        let would_cloud = names_cloud || inputs.implicit_cloud(&name, entry, probe);
        if would_cloud {
            report.finding(
                "codex-env-keeps-cloud-off",
                Severity::Warning,
                "`CODEX_ENV_NODE_VERSION` is set, so nx runs the default runner and Nx Cloud stays off without a message",
                "unset `CODEX_ENV_NODE_VERSION` where Nx Cloud should be used",
            );
        }
        return choice;
    }
    // From 22.7.0 the opt-outs keep the cloud runner from being chosen (USED-2).
    if b.opt_out_stops_runner && inputs.opted_out() {
        let source = if inputs.env.value("NX_NO_CLOUD") == Some("true") {
            inputs.env_source("NX_NO_CLOUD")
        } else {
            "nx.json:neverConnectToCloud".to_owned()
        };
        report.step(
            "USED-2",
            &source,
            inputs.shown(&source),
            Outcome::Used,
            "Nx Cloud is switched off: the default runner runs",
        );
        return choice;
    }
    let explicit = runner_field.clone();
    match explicit {
        Some(module) if b.runner_field_only_for_cloud => {
            if names_cloud {
                choice.cloud = true;
                report.step(
                    "RUN-3",
                    &format!("nx.json:tasksRunnerOptions.{name}.runner"),
                    Some(module),
                    Outcome::Used,
                    "names the Nx Cloud runner",
                );
            } else {
                // RUN-3: from 21.0.0 a custom `runner` field is ignored.
                report.step(
                    "RUN-3",
                    &format!("nx.json:tasksRunnerOptions.{name}.runner"),
                    Some(module.clone()),
                    Outcome::Ignored,
                    "from nx 21 a runner field counts only when it names the Nx Cloud runner",
                );
                report.finding(
                    "custom-runner-ignored",
                    Severity::Warning,
                    format!("the runner `{module}` of entry `{name}` is ignored from nx 21"),
                    "remove the `runner` field, or move the custom behaviour out of a tasks runner",
                );
                choice.cloud = inputs.implicit_cloud(&name, entry, report);
            }
        }
        Some(module) => {
            // RUN-2: 17.0 to 20.x, an explicit runner field wins.
            // LEG-2: so an entry naming the cloud runner stays selected without
            // `accessToken`; Nx Cloud is off only when no token exists anywhere (TOKEN-4).
            choice.cloud = CLOUD_NAMES.contains(&module.as_str());
            report.step(
                "RUN-2",
                &format!("nx.json:tasksRunnerOptions.{name}.runner"),
                Some(module.clone()),
                Outcome::Used,
                "an explicit runner field decides",
            );
            choice.module = module;
        }
        None => choice.cloud = inputs.implicit_cloud(&name, entry, report),
    }
    if choice.cloud {
        if b.both_runner_names_load_nx_cloud || choice.module == DEFAULT_MODULE {
            choice.module = "nx-cloud".into();
        }
        // TOP-1: only the default cloud runner gets the top-level keys before 21.
        choice.gets_top_level = b.top_level_for_both_runner_names || choice.module == "nx-cloud";
        // CLI-1: a client is loaded only when it is the module Nx resolves.
        choice.loaded_client = inputs.client.and_then(|c| c.as_module(&choice.module));
    } else if choice.module == DEFAULT_MODULE {
        report.step(
            "RUN-2",
            "default",
            Some(DEFAULT_MODULE.into()),
            Outcome::Used,
            "nothing selects the Nx Cloud runner",
        );
    }
    choice
}

// RUN-1: the runner name.
/// `--runner`, else `NX_TASKS_RUNNER` (or `NX_RUNNER` up to 19.x) when
/// it names an entry, else `default`. Returns the name and whether Nx refuses.
fn runner_name(inputs: &RunnerInputs<'_>, report: &mut Report) -> (String, bool) {
    let b = inputs.behaviour;
    if let Some(arg) = inputs.runner_arg.filter(|a| !a.is_empty()) {
        let needs_entry = arg != "default" || b.legacy();
        if needs_entry && inputs.entry(arg).is_none() {
            report.step(
                "RUN-1",
                "--runner",
                Some(arg.to_owned()),
                Outcome::Used,
                "names no tasksRunnerOptions entry: nx refuses to run",
            );
            report.finding(
                "runner-not-found",
                Severity::Error,
                format!("`--runner {arg}` names no entry of `tasksRunnerOptions`: nx stops with \"could not find runner configuration\""),
                format!("add a `tasksRunnerOptions.{arg}` entry to nx.json, or pass the name of an existing entry"),
            );
            report.stop(
                StopWhen::StartUp,
                "RUN-1",
                "runner-not-found",
                format!("Could not find runner configuration for {arg}: `--runner` names no `tasksRunnerOptions` entry"),
            );
            return (arg.to_owned(), true);
        }
        report.step(
            "RUN-1",
            "--runner",
            Some(arg.to_owned()),
            Outcome::Used,
            "the --runner argument names the entry",
        );
        return (arg.to_owned(), false);
    }
    let mut keys = vec!["NX_TASKS_RUNNER"];
    if b.nx_runner_env {
        keys.push("NX_RUNNER");
    }
    for key in keys {
        let Some(var) = inputs.env.non_empty(key) else {
            continue;
        };
        let source = format!("{}:{key}", var.origin);
        if inputs.entry(&var.value).is_some() {
            report.step(
                "RUN-1",
                &source,
                Some(var.value.clone()),
                Outcome::Used,
                "names an existing entry",
            );
            return (var.value.clone(), false);
        }
        report.step(
            "RUN-1",
            &source,
            Some(var.value.clone()),
            Outcome::Ignored,
            "names no tasksRunnerOptions entry, so nx ignores it",
        );
        // Nx stops at the first non-empty variable, even when it names nothing.
        break;
    }
    ("default".to_owned(), false)
}

/// USED-1/USED-2: whether this version reports the workspace connected.
pub fn connected(inputs: &RunnerInputs<'_>, report: &mut Report) -> bool {
    let b = inputs.behaviour;
    let cloud_entry = inputs
        .nx_json
        .get("tasksRunnerOptions")
        .map(Json::js_entries)
        .unwrap_or_default()
        .into_iter()
        .find(|(_, e)| {
            e.get("runner")
                .and_then(Json::as_str)
                .is_some_and(|r| CLOUD_NAMES.contains(&r))
        })
        .map(|(k, _)| k);
    let modern = !b.legacy();
    let signals: [(bool, String); 5] = [
        (
            cloud_entry.is_some(),
            format!(
                "nx.json:tasksRunnerOptions.{}.runner",
                cloud_entry.clone().unwrap_or_default()
            ),
        ),
        (
            modern && inputs.top("nxCloudAccessToken"),
            "nx.json:nxCloudAccessToken".into(),
        ),
        (
            b.env_access_token_connects && inputs.env_set("NX_CLOUD_ACCESS_TOKEN"),
            inputs.env_source("NX_CLOUD_ACCESS_TOKEN"),
        ),
        (
            b.nx_cloud_id_read && inputs.top("nxCloudId"),
            "nx.json:nxCloudId".into(),
        ),
        (
            b.env_auth_token_connects && inputs.env_set("NX_CLOUD_AUTH_TOKEN"),
            inputs.env_source("NX_CLOUD_AUTH_TOKEN"),
        ),
    ];
    // USED-1: what counts as connected, by version.
    let mut used = false;
    for (on, source) in &signals {
        if *on {
            used = true;
            report.step(
                "USED-1",
                source,
                inputs.shown(source),
                Outcome::Used,
                "makes nx report the workspace connected",
            );
        }
    }
    if !used && inputs.env_set("NX_CLOUD_AUTH_TOKEN") && !b.env_auth_token_connects {
        report.step(
            "USED-1",
            &inputs.env_source("NX_CLOUD_AUTH_TOKEN"),
            inputs.shown(&inputs.env_source("NX_CLOUD_AUTH_TOKEN")),
            Outcome::Ignored,
            "does not connect before nx 21.4.0",
        );
        report.finding(
            "auth-token-does-not-connect",
            Severity::Warning,
            "`NX_CLOUD_AUTH_TOKEN` alone does not make this nx version connect to Nx Cloud (it does from 21.4.0)",
            "set the token as `NX_CLOUD_ACCESS_TOKEN` instead, or upgrade nx to 21.4.0 or later",
        );
    }
    if !used && !b.env_access_token_connects && modern && inputs.env_set("NX_CLOUD_ACCESS_TOKEN") {
        report.step(
            "USED-1",
            &inputs.env_source("NX_CLOUD_ACCESS_TOKEN"),
            inputs.shown(&inputs.env_source("NX_CLOUD_ACCESS_TOKEN")),
            Outcome::Ignored,
            "does not connect before nx 17.1.1",
        );
    }
    // USED-2: `NX_NO_CLOUD` (exactly `true`) and a truthy `neverConnectToCloud`.
    let no_cloud = inputs.env.value("NX_NO_CLOUD");
    if let Some(value) = no_cloud.filter(|v| !v.is_empty() && *v != "true") {
        report.finding(
            "nx-no-cloud-not-true",
            Severity::Warning,
            format!("`NX_NO_CLOUD` is `{value}`, but nx only honours the exact value `true`"),
            "set `NX_NO_CLOUD=true`",
        );
    }
    let env_opt_out = no_cloud == Some("true");
    let opt_out_source = if env_opt_out {
        "env:NX_NO_CLOUD"
    } else {
        "nx.json:neverConnectToCloud"
    };
    let never = inputs.top("neverConnectToCloud");
    match b.opt_out {
        OptOut::Reported if env_opt_out || never => {
            report.step(
                "USED-2",
                opt_out_source,
                inputs.shown(opt_out_source),
                Outcome::Used,
                "nx reports not connected",
            );
            used = false;
        }
        OptOut::NeverConnectReportsConnected if env_opt_out => {
            report.step(
                "USED-2",
                "env:NX_NO_CLOUD",
                inputs.shown("env:NX_NO_CLOUD"),
                Outcome::Used,
                "nx reports not connected",
            );
            used = false;
        }
        OptOut::NeverConnectReportsConnected if never => {
            report.step(
                "USED-2",
                "nx.json:neverConnectToCloud",
                inputs.shown("nx.json:neverConnectToCloud"),
                Outcome::Used,
                "nx 20.0.1 reports connected because of it",
            );
            report.finding(
                "never-connect-to-cloud-reports-connected",
                Severity::Warning,
                "on nx 20.0.1 `neverConnectToCloud` makes nx report the workspace connected, the opposite of its meaning",
                "upgrade nx to 20.0.2 or later, or use `NX_NO_CLOUD=true`",
            );
            used = true;
        }
        _ if env_opt_out || never => {
            report.step(
                "USED-2",
                opt_out_source,
                inputs.shown(opt_out_source),
                Outcome::Ignored,
                "this nx version does not honour it",
            );
        }
        _ => {}
    }
    used
}

/// Whether an opt-out is set (for the runner-still-runs finding).
pub fn opted_out(inputs: &RunnerInputs<'_>) -> bool {
    inputs.opted_out()
}

/// A trace step helper for callers that build steps by hand.
pub fn step(
    rule: &str,
    source: &str,
    value: Option<String>,
    outcome: Outcome,
    note: &str,
) -> TraceStep {
    TraceStep {
        rule: rule.to_owned(),
        source: source.to_owned(),
        value,
        outcome,
        note: note.to_owned(),
    }
}
