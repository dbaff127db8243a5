//! Printing a resolution: for a person (short, redacted, optionally coloured)
//! or as the JSON of CONTRACT.md.
//!
//! Everything here is a pure function of values, so the output can be tested
//! with hand-built resolutions. The human output never holds a whole token: it
//! prints only `redacted` forms and trace values (which the core redacts), and
//! [`scrub`] removes any raw token that might still slip into a message.

use std::fmt::Write as _;

use nxcloud_access::resolve::self_hosted::shown_url;
use nxcloud_access::resolve::{
    CachePath, CredentialKind, Finding, Outcome, Resolution, SecretValue, SelfHostedCache,
    SelfHostedCredential, Severity, Sourced, StopWhen,
};
use nxcloud_access::Secret;

/// Width of the label column of the human output.
const LABEL: usize = 13;

/// Raw tokens shorter than this are not searched for by [`scrub`]: they would
/// match ordinary text (such tokens are fully masked when redacted anyway).
const MIN_SCRUBBED_LEN: usize = 8;

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    fn severity(self, severity: Severity) -> String {
        let (code, name) = match severity {
            Severity::Error => ("1;31", "error"),
            Severity::Warning => ("1;33", "warning"),
            Severity::Info => ("1;36", "info"),
        };
        self.paint(code, name)
    }
}

/// What the CLI found on disk, already turned into the paths to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The workspace root.
    pub root: String,
    /// `nx.json`, when there is one.
    pub nx_json: Option<String>,
    /// Where the Nx version comes from: a `package.json` path,
    /// `--nx-version`, or `None` (not installed: the newest rules).
    pub nx_version_origin: Option<String>,
    /// The client package handed to the core, and its `package.json`.
    pub cloud_client: Option<(String, String)>,
    /// The folder the root `.env` files were read from, and which exist.
    pub dot_env_dir: String,
    pub dot_env_files: Vec<String>,
    /// The files git tracks, `None` outside a git repository.
    pub tracked_files: Option<Vec<String>>,
    /// The PAT file used, and the candidates skipped (PATR-1).
    pub pat_file: Option<String>,
    pub pat_skipped: Vec<String>,
}

/// The `explain` output for a person.
pub fn explain(context: &Context, resolution: &Resolution, style: Style) -> String {
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: &str| {
        let _ = writeln!(out, "  {label:<LABEL$}{value}");
    };

    heading(&mut out, style, "Workspace", &context.root);
    line(
        &mut out,
        "nx.json",
        context
            .nx_json
            .as_deref()
            .unwrap_or("none (Nx's defaults apply)"),
    );
    let version = match &context.nx_version_origin {
        Some(origin) => format!("{} ({origin})", resolution.nx_version),
        None => format!(
            "{} (nx is not installed: the newest rules known)",
            resolution.nx_version
        ),
    };
    line(&mut out, "Nx version", &version);
    let client = match &context.cloud_client {
        Some((name, path)) => format!("{name} ({path})"),
        None => "none installed".to_owned(),
    };
    line(&mut out, "cloud client", &client);
    let dot_env = if context.dot_env_files.is_empty() {
        format!("none in {}", context.dot_env_dir)
    } else {
        format!(
            "{} in {}",
            context.dot_env_files.join(", "),
            context.dot_env_dir
        )
    };
    line(&mut out, ".env files", &dot_env);
    let git = match &context.tracked_files {
        None => "not a git repository (only nx.json counts as committed)".to_owned(),
        Some(files) if files.is_empty() => "tracks none of the files read".to_owned(),
        Some(files) => format!("tracks {}", files.join(", ")),
    };
    line(&mut out, "git", &git);
    let pat_file = context
        .pat_file
        .clone()
        .unwrap_or_else(|| "none found".to_owned());
    line(&mut out, "PAT file", &pat_file);
    for skipped in &context.pat_skipped {
        line(
            &mut out,
            "",
            &style.dim(&format!("skipped {skipped} (does not exist)")),
        );
    }

    let _ = writeln!(out);
    heading(
        &mut out,
        style,
        "Credential",
        credential_name(resolution.credential),
    );
    line(
        &mut out,
        "access token",
        &secret_line(resolution.access_token.as_ref()),
    );
    line(
        &mut out,
        "nxCloudId",
        &sourced_line(resolution.nx_cloud_id.as_ref()),
    );
    line(
        &mut out,
        "PAT",
        &secret_line(resolution.personal_access_token.as_ref()),
    );
    line(
        &mut out,
        "API URL",
        &sourced_line(resolution.api_url.as_ref()),
    );
    line(
        &mut out,
        "app URL",
        &sourced_line(resolution.app_url.as_ref()),
    );

    let _ = writeln!(out);
    let connected = if resolution.nx_cloud_used {
        "Nx reports the workspace connected"
    } else {
        "Nx reports the workspace not connected"
    };
    heading(&mut out, style, "Nx Cloud", connected);
    let runner = &resolution.runner;
    let runs = if runner.module.is_empty() || runner.module == "none" {
        format!("`{}` names no runner: nothing runs", runner.name)
    } else if runner.cloud {
        format!(
            "`{}` runs the Nx Cloud runner ({})",
            runner.name, runner.module
        )
    } else {
        format!("`{}` runs {} (not Nx Cloud)", runner.name, runner.module)
    };
    line(&mut out, "runner", &runs);
    if let Some(cache) = db_cache_line(resolution) {
        line(&mut out, "DB cache", &cache);
    }
    if let Some(stop) = &resolution.stops {
        let when = match stop.when {
            StopWhen::StartUp => "at start-up, before any task runs",
            StopWhen::Running => "after running the tasks",
        };
        line(
            &mut out,
            "nx stops",
            &format!(
                "{when}, exit status {}: {} [{}]",
                stop.exit_status, stop.reason, stop.rule
            ),
        );
    }
    if resolution.inferred {
        line(
            &mut out,
            "",
            &style.dim(
                "inferred: this Nx version lets a downloaded client choose the token (TOKEN-5)",
            ),
        );
    }
    if let Some(shc) = &resolution.self_hosted_cache {
        for (i, text) in self_hosted_lines(shc).iter().enumerate() {
            line(&mut out, if i == 0 { "self-hosted" } else { "" }, text);
        }
    }

    let _ = writeln!(out);
    let shadowed: Vec<_> = resolution
        .trace
        .iter()
        .filter(|step| matches!(step.outcome, Outcome::Shadowed | Outcome::Ignored))
        .collect();
    if shadowed.is_empty() {
        heading(&mut out, style, "Shadowed", "none");
    } else {
        let _ = writeln!(out, "{}", style.bold("Shadowed or ignored"));
        for step in shadowed {
            let outcome = match step.outcome {
                Outcome::Shadowed => "shadowed",
                _ => "ignored",
            };
            let value = step.value.as_deref().unwrap_or("(no value)");
            let _ = writeln!(
                out,
                "  {} = {value}: {outcome} [{}]",
                step.source, step.rule
            );
            let _ = writeln!(out, "    {}", style.dim(&step.note));
        }
    }

    let _ = writeln!(out);
    out.push_str(&findings_block(&resolution.findings, style));
    out
}

/// The `audit` output for a person: the findings alone.
pub fn audit(root: &str, findings: &[Finding], style: Style) -> String {
    let count = |severity, one: &str, many: &str| {
        let n = findings.iter().filter(|f| f.severity == severity).count();
        format!("{n} {}", if n == 1 { one } else { many })
    };
    let mut out = format!(
        "{} {root}: {}, {}, {}\n\n",
        style.bold("Audit"),
        count(Severity::Error, "error", "errors"),
        count(Severity::Warning, "warning", "warnings"),
        count(Severity::Info, "info", "infos")
    );
    out.push_str(&findings_block(findings, style));
    out
}

/// Whether `audit` fails: any finding of severity error or warning.
pub fn audit_fails(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity >= Severity::Warning)
}

/// The resolution with every token's `value` replaced by its redacted form.
pub fn redacted(mut resolution: Resolution) -> Resolution {
    let hide = |token: &mut SecretValue| token.value = Secret::new(token.redacted.clone());
    if let Some(token) = resolution.access_token.as_mut() {
        hide(token);
    }
    if let Some(token) = resolution.personal_access_token.as_mut() {
        hide(token);
    }
    if let Some(token) = resolution
        .cache
        .as_mut()
        .and_then(|c| c.access_token.as_mut())
    {
        hide(token);
    }
    if let Some(shc) = resolution.self_hosted_cache.as_mut() {
        if let Some(token) = shc.access_token.as_mut() {
            hide(token);
        }
        // User information in the server URL may hold a credential.
        shc.server.value = shown_url(&shc.server.value);
        shc.request_url = shown_url(&shc.request_url);
    }
    resolution
}

/// The raw tokens of a resolution (to [`scrub`] them from any output).
pub fn raw_tokens(resolution: &Resolution) -> Vec<Secret> {
    let cache = resolution
        .cache
        .as_ref()
        .and_then(|c| c.access_token.as_ref());
    let self_hosted = resolution
        .self_hosted_cache
        .as_ref()
        .and_then(|c| c.access_token.as_ref());
    [
        resolution.access_token.as_ref(),
        resolution.personal_access_token.as_ref(),
        cache,
        self_hosted,
    ]
    .into_iter()
    .flatten()
    .map(|token| token.value.clone())
    .collect()
}

/// `text` with every occurrence of one of `secrets` replaced by its redacted
/// form: a safety net under the redaction done by construction.
pub fn scrub(text: String, secrets: &[Secret]) -> String {
    secrets
        .iter()
        .filter(|secret| secret.expose().chars().count() >= MIN_SCRUBBED_LEN)
        .fold(text, |text, secret| {
            text.replace(secret.expose(), &secret.redacted())
        })
}

fn findings_block(findings: &[Finding], style: Style) -> String {
    let mut out = String::new();
    if findings.is_empty() {
        heading(&mut out, style, "Findings", "none");
        return out;
    }
    let _ = writeln!(out, "{}", style.bold("Findings"));
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    // Most serious first; the order of the core otherwise.
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for finding in sorted {
        let _ = writeln!(
            out,
            "  {} [{}] {}",
            style.severity(finding.severity),
            finding.code,
            finding.message
        );
        let _ = writeln!(out, "    fix: {}", finding.fix);
    }
    out
}

/// A section heading with its value, aligned with the labels below it.
fn heading(out: &mut String, style: Style, name: &str, value: &str) {
    let padded = format!("{name:<width$}", width = LABEL + 2);
    let _ = writeln!(out, "{}{value}", style.bold(&padded));
}

/// What nx's DB cache asks and sends (DBC-1..3), from the resolution's
/// `cache` field, or that it fails the command (DBC-2, its `stops`).
fn db_cache_line(resolution: &Resolution) -> Option<String> {
    if let Some(CachePath {
        access_token,
        nx_cloud_id,
        api_url,
        rule,
    }) = &resolution.cache
    {
        let mut parts = vec![format!("asks {}", api_url.value)];
        if let Some(token) = access_token {
            parts.push(format!(
                "sends the token {} from {}",
                token.redacted, token.source
            ));
        }
        if let Some(id) = nx_cloud_id {
            parts.push(format!(
                "sends the nxCloudId {} from {}",
                id.value, id.source
            ));
        }
        if access_token.is_none() && nx_cloud_id.is_none() {
            parts.push("the client nx downloads chooses the credential".to_owned());
        }
        return Some(format!("{} [{rule}]", parts.join(", ")));
    }
    resolution
        .stops
        .as_ref()
        .filter(|stop| stop.rule == "DBC-2")
        .map(|_| "has no credential: nx fails the command [DBC-2]".to_owned())
}

/// The self-hosted remote cache (SHC-1..6), from the resolution's
/// `selfHostedCache` field: the server and what it sees, then whether nx
/// uses it.
fn self_hosted_lines(shc: &SelfHostedCache) -> Vec<String> {
    let sends = match (shc.credential, &shc.access_token) {
        (SelfHostedCredential::BearerToken, Some(token)) => {
            format!("sends `Bearer {}` from {}", token.redacted, token.source)
        }
        (SelfHostedCredential::EmptyBearer, Some(token)) => {
            format!("sends `Bearer` with no token ({} is empty)", token.source)
        }
        _ => "sends no Authorization header".to_owned(),
    };
    let workspace = shc
        .nx_cloud_id
        .as_ref()
        .map(|id| format!(", workspace {id}"))
        .unwrap_or_default();
    let first = format!(
        "{} from {}{workspace}, {sends}",
        shown_url(&shc.server.value),
        shc.server.source
    );
    let verdict = if shc.used {
        format!("used: {} [{}]", shc.reason, shc.rule)
    } else {
        format!("not used: {} [{}]", shc.reason, shc.rule)
    };
    vec![first, verdict]
}

fn credential_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::CiAccessToken => "CI access token",
        CredentialKind::PersonalAccessToken => "personal access token with the nxCloudId",
        CredentialKind::WorkspaceId => "nxCloudId alone (the workspace ID access level applies)",
        CredentialKind::None => "none (the tasks runner sends no credential to Nx Cloud)",
    }
}

fn secret_line(token: Option<&SecretValue>) -> String {
    match token {
        Some(token) => format!("{} from {}", token.redacted, token.source),
        None => "none".to_owned(),
    }
}

fn sourced_line(value: Option<&Sourced>) -> String {
    match value {
        Some(value) => format!("{} from {}", value.value, value.source),
        None => "none".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use nxcloud_access::resolve::{Runner, TraceStep};

    use super::*;

    const TOKEN: &str = "ZjZhOGE3ZDMtYjE2Ni00YjM1LTk3YzEtMjY5NjMzZmI1ZTE5fHJlYWQtd3JpdGU=";
    const PAT: &str = "pat_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5";
    const CACHE_TOKEN: &str = "Y2FjaGUtdG9rZW4tMDAwMDAxLXJlYWQtd3JpdGU=";
    const SHC_TOKEN: &str = "c2hjLXRva2VuLTAwMDAwMS1wZXJzb25hbC1hY2Nlc3M=";

    fn secret(raw: &str, source: &str) -> SecretValue {
        let value = Secret::new(raw);
        SecretValue {
            redacted: value.redacted(),
            value,
            source: source.to_owned(),
        }
    }

    fn resolution() -> Resolution {
        Resolution {
            nx_version: "16.10.0".into(),
            nx_cloud_used: true,
            runner: Runner {
                name: "default".into(),
                cloud: true,
                module: "@nrwl/nx-cloud".into(),
            },
            access_token: Some(secret(
                TOKEN,
                "nx.json:tasksRunnerOptions.default.options.accessToken",
            )),
            nx_cloud_id: None,
            personal_access_token: Some(secret(PAT, "nxcloud.ini:https://cloud\\.nx\\.app")),
            credential: CredentialKind::CiAccessToken,
            api_url: Some(Sourced {
                value: "https://cloud.nx.app".into(),
                source: "default".into(),
            }),
            app_url: None,
            inferred: false,
            cache: Some(CachePath {
                access_token: Some(secret(CACHE_TOKEN, "env:NX_CLOUD_ACCESS_TOKEN")),
                nx_cloud_id: None,
                api_url: Sourced {
                    value: "https://cloud.nx.app".into(),
                    source: "default".into(),
                },
                rule: "DBC-1".into(),
            }),
            stops: None,
            self_hosted_cache: Some(SelfHostedCache {
                server: Sourced {
                    value: "http://cache:4599/ws/65d5639f1a3b026e12345678".into(),
                    source: "env:NX_SELF_HOSTED_REMOTE_CACHE_SERVER".into(),
                },
                access_token: Some(secret(
                    SHC_TOKEN,
                    "env:NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN",
                )),
                nx_cloud_id: Some("65d5639f1a3b026e12345678".into()),
                request_url: "http://cache:4599/ws/65d5639f1a3b026e12345678/v1/cache/<hash>".into(),
                credential: SelfHostedCredential::BearerToken,
                used: false,
                fallback: false,
                rule: "SHC-4".into(),
                reason: "nx counts the workspace as connected".into(),
            }),
            trace: vec![
                TraceStep {
                    rule: "TOKEN-1".into(),
                    source: "env:NX_CLOUD_ACCESS_TOKEN".into(),
                    value: None,
                    outcome: Outcome::Absent,
                    note: "not set".into(),
                },
                TraceStep {
                    rule: "TOKEN-1".into(),
                    source: "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN".into(),
                    value: Some("abcd…".into()),
                    outcome: Outcome::Shadowed,
                    note: "an earlier source wins".into(),
                },
            ],
            findings: vec![
                Finding {
                    code: "token-from-dot-env".into(),
                    severity: Severity::Info,
                    message: "info message".into(),
                    fix: "info fix".into(),
                },
                Finding {
                    code: "committed-read-write-token".into(),
                    severity: Severity::Error,
                    message: "a read-write token is committed".into(),
                    fix: "revoke it".into(),
                },
            ],
        }
    }

    fn context() -> Context {
        Context {
            root: "ws".into(),
            nx_json: Some("ws/nx.json".into()),
            nx_version_origin: Some("ws/node_modules/nx/package.json".into()),
            cloud_client: Some((
                "@nrwl/nx-cloud@16.5.2".into(),
                "ws/node_modules/@nrwl/nx-cloud/package.json".into(),
            )),
            dot_env_dir: "ws".into(),
            dot_env_files: vec![],
            tracked_files: Some(vec!["nx.json".into()]),
            pat_file: None,
            pat_skipped: vec!["/h/.config/nxcloud/nxcloud.ini".into()],
        }
    }

    const PLAIN: Style = Style { color: false };

    #[test]
    fn explain_shows_the_credential_redacted_with_its_source() {
        let text = explain(&context(), &resolution(), PLAIN);
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!text.contains(PAT), "{text}");
        assert!(text.contains("CI access token"), "{text}");
        assert!(
            text.contains("ZjZh… from nx.json:tasksRunnerOptions.default.options.accessToken"),
            "{text}"
        );
        assert!(text.contains("https://cloud.nx.app from default"), "{text}");
        assert!(
            text.contains("`default` runs the Nx Cloud runner (@nrwl/nx-cloud)"),
            "{text}"
        );
        assert!(
            text.contains("skipped /h/.config/nxcloud/nxcloud.ini"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "no colour asked: {text}");
    }

    #[test]
    fn explain_shows_the_self_hosted_cache_redacted_and_why_it_is_not_used() {
        let text = explain(&context(), &resolution(), PLAIN);
        assert!(!text.contains(SHC_TOKEN), "{text}");
        assert!(
            text.contains("self-hosted  http://cache:4599/ws/65d5639f1a3b026e12345678 from env:NX_SELF_HOSTED_REMOTE_CACHE_SERVER, workspace 65d5639f1a3b026e12345678, sends `Bearer c2hj…` from env:NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"),
            "{text}"
        );
        assert!(
            text.contains("not used: nx counts the workspace as connected [SHC-4]"),
            "{text}"
        );
        let mut unset = resolution();
        unset.self_hosted_cache = None;
        assert!(!explain(&context(), &unset, PLAIN).contains("self-hosted"));
        let hidden = redacted(resolution());
        let shc = hidden.self_hosted_cache.unwrap();
        assert_eq!(shc.access_token.unwrap().value.expose(), "c2hj…");
        let mut with_user = resolution();
        if let Some(shc) = with_user.self_hosted_cache.as_mut() {
            shc.server.value = "https://ci:hunter2-secret@cache:4599/ws/x".into();
            shc.request_url = "https://ci:hunter2-secret@cache:4599/ws/x/v1/cache/<hash>".into();
        }
        let text = explain(&context(), &with_user, PLAIN);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("https://…@cache:4599/ws/x from"), "{text}");
        let hidden = redacted(with_user).self_hosted_cache.unwrap();
        assert_eq!(hidden.server.value, "https://…@cache:4599/ws/x");
        assert!(!hidden.request_url.contains("hunter2"));
        assert!(raw_tokens(&resolution())
            .iter()
            .any(|t| t.expose() == SHC_TOKEN));
    }

    #[test]
    fn explain_says_what_the_db_cache_sends_and_how_nx_stops() {
        let text = explain(&context(), &resolution(), PLAIN);
        assert!(!text.contains(CACHE_TOKEN), "{text}");
        assert!(
            text.contains("DB cache     asks https://cloud.nx.app, sends the token Y2Fj… from env:NX_CLOUD_ACCESS_TOKEN [DBC-1]"),
            "{text}"
        );
        assert!(!text.contains("nx stops"), "{text}");
        let mut stopped = resolution();
        stopped.cache = None;
        stopped.stops = Some(nxcloud_access::resolve::Stop {
            when: StopWhen::Running,
            exit_status: 1,
            reason: "Unable to authenticate".into(),
            rule: "DBC-2".into(),
            finding: "db-cache-fails-authentication".into(),
        });
        let text = explain(&context(), &stopped, PLAIN);
        assert!(
            text.contains("DB cache     has no credential: nx fails the command [DBC-2]"),
            "{text}"
        );
        assert!(
            text.contains("nx stops     after running the tasks, exit status 1: Unable to authenticate [DBC-2]"),
            "{text}"
        );
    }

    #[test]
    fn explain_lists_only_shadowed_and_ignored_steps() {
        let text = explain(&context(), &resolution(), PLAIN);
        assert!(
            text.contains("nx-cloud.env:NX_CLOUD_ACCESS_TOKEN = abcd…: shadowed [TOKEN-1]"),
            "{text}"
        );
        assert!(!text.contains("\n  env:NX_CLOUD_ACCESS_TOKEN"), "{text}");
    }

    #[test]
    fn findings_come_most_serious_first_with_their_fix() {
        let text = explain(&context(), &resolution(), PLAIN);
        let error = text.find("error [committed-read-write-token]").unwrap();
        let info = text.find("info [token-from-dot-env]").unwrap();
        assert!(error < info, "{text}");
        assert!(text.contains("    fix: revoke it"), "{text}");
    }

    #[test]
    fn colour_is_used_only_when_asked() {
        let text = explain(&context(), &resolution(), Style { color: true });
        assert!(text.contains("\u{1b}[1;31merror\u{1b}[0m"), "{text}");
    }

    #[test]
    fn audit_counts_and_fails_on_errors_and_warnings_only() {
        let mut findings = resolution().findings;
        let text = audit("ws", &findings, PLAIN);
        assert!(
            text.starts_with("Audit ws: 1 error, 0 warnings, 1 info\n"),
            "{text}"
        );
        assert!(audit_fails(&findings));
        findings.retain(|f| f.severity == Severity::Info);
        assert!(!audit_fails(&findings));
        findings[0].severity = Severity::Warning;
        assert!(audit_fails(&findings));
        assert!(!audit_fails(&[]));
        assert!(audit("ws", &[], PLAIN).contains("Findings       none"));
    }

    #[test]
    fn redacted_json_holds_no_raw_token() {
        let json = serde_json::to_string_pretty(&redacted(resolution())).unwrap();
        assert!(!json.contains(TOKEN), "{json}");
        assert!(!json.contains(PAT), "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["accessToken"]["value"], "ZjZh…");
        assert_eq!(value["personalAccessToken"]["value"], "pat_…");
        assert!(!json.contains(CACHE_TOKEN), "{json}");
        assert_eq!(value["cache"]["accessToken"]["value"], "Y2Fj…");
        assert_eq!(value["stops"], serde_json::Value::Null);
        let shown = serde_json::to_string(&resolution()).unwrap();
        assert!(
            shown.contains(TOKEN),
            "the unredacted form is what --show-secrets prints"
        );
    }

    #[test]
    fn scrub_removes_raw_tokens_that_slip_into_text() {
        let secrets = raw_tokens(&resolution());
        let text = scrub(format!("before {TOKEN} and {PAT} after"), &secrets);
        assert_eq!(text, "before ZjZh… and pat_… after");
        let text = scrub(format!("cache {CACHE_TOKEN}"), &secrets);
        assert_eq!(text, "cache Y2Fj…");
        let short = scrub("a b a".to_owned(), &[Secret::new("a")]);
        assert_eq!(short, "a b a");
    }
}
