//! `nxcloud-access explain` and `nxcloud-access audit`: gather the workspace
//! ([`crate::workspace`]), resolve with the core, print ([`crate::render`]).

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use nxcloud_access::resolve::{resolve_credentials, ResolveError};
use nxcloud_access::ErrorCode;

use crate::render::{self, Context, Style};
use crate::workspace::{self, GatherError, Platform, RealHost, Request, VersionOrigin, Workspace};

/// Exit status of `audit` when a finding is an error or a warning.
const EXIT_FINDINGS: u8 = 1;
/// Exit status for unusable input (bad arguments, unreadable `nx.json`).
const EXIT_UNUSABLE: u8 = 2;

/// The arguments `explain` and `audit` share.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The directory Nx would run in; the workspace root is found from it
    /// as Nx does (the nearest folder upwards with an `nx.json`).
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Print JSON: the `Resolution` object (explain) or its findings (audit).
    #[arg(long)]
    json: bool,
    /// With --json: print tokens whole instead of redacted.
    #[arg(long, requires = "json")]
    show_secrets: bool,
    /// Apply the rules of this Nx version instead of the installed one.
    #[arg(long, value_name = "V")]
    nx_version: Option<String>,
    /// As Nx's --runner: the tasksRunnerOptions entry to run.
    #[arg(long, value_name = "R")]
    runner: Option<String>,
}

/// Which of the two commands runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Explain,
    Audit,
}

/// Runs `explain` or `audit`; the exit status of CONTRACT.md.
pub fn run(mode: Mode, args: InspectArgs) -> ExitCode {
    match inspect(mode, &args) {
        Ok(status) => ExitCode::from(status),
        Err(message) => {
            let _ = writeln!(io::stderr().lock(), "{message}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn inspect(mode: Mode, args: &InspectArgs) -> Result<u8, String> {
    let cwd = std::env::current_dir()
        .map_err(|error| format!("error: cannot read the current directory: {error}"))?;
    let env = utf8_environment();
    let dir = workspace::normalize(&cwd.join(args.dir.as_deref().unwrap_or(Path::new("."))));
    if !dir.is_dir() {
        return Err(format!(
            "error: `{}` is not a directory",
            workspace::shown(&cwd, &dir)
        ));
    }
    let request = Request {
        dir,
        cwd: cwd.clone(),
        nx_version: args.nx_version.clone(),
        runner: args.runner.clone(),
        platform: Platform::current(),
    };
    let found =
        workspace::gather(&RealHost, &env, &request).map_err(|error| gather_error(&cwd, &error))?;
    let resolution =
        resolve_credentials(&found.input).map_err(|error| resolve_error(&cwd, &found, &error))?;

    let secrets = render::raw_tokens(&resolution);
    let style = Style {
        color: use_colour(io::stdout().is_terminal(), &env),
    };
    let root = workspace::shown(&cwd, &found.root);
    let (text, status) = match mode {
        Mode::Explain => {
            let text = if args.json {
                let shown = if args.show_secrets {
                    resolution
                } else {
                    render::redacted(resolution)
                };
                json(&shown)?
            } else {
                render::explain(&context(&cwd, &found), &resolution, style)
            };
            (text, 0)
        }
        Mode::Audit => {
            let status = if render::audit_fails(&resolution.findings) {
                EXIT_FINDINGS
            } else {
                0
            };
            let text = if args.json {
                json(&resolution.findings)?
            } else {
                render::audit(&root, &resolution.findings, style)
            };
            (text, status)
        }
    };
    let text = if args.show_secrets {
        text
    } else {
        render::scrub(text, &secrets)
    };
    let mut stdout = io::stdout().lock();
    // A closed pipe (`| head`) is not an error of ours: stop quietly.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    Ok(status)
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to a
/// non-empty value (<https://no-color.org>).
fn use_colour(is_terminal: bool, env: &BTreeMap<String, String>) -> bool {
    is_terminal && env.get("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// The real environment, without the variables that are not UTF-8 (Node
/// would see them mangled; none of the variables Nx reads can be such).
fn utf8_environment() -> BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .collect()
}

fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|error| format!("error: cannot print JSON: {error}"))
}

fn context(cwd: &Path, found: &Workspace) -> Context {
    let shown = |path: &Path| workspace::shown(cwd, path);
    Context {
        root: shown(&found.root),
        nx_json: found.nx_json.as_deref().map(shown),
        nx_version_origin: match &found.nx_version {
            VersionOrigin::Argument => Some("--nx-version".to_owned()),
            VersionOrigin::Installed(path) => Some(shown(path)),
            VersionOrigin::Unknown => None,
        },
        cloud_client: found
            .cloud_client
            .as_ref()
            .map(|client| (client.value.clone(), shown(&client.path))),
        dot_env_dir: shown(&found.dot_env_dir),
        dot_env_files: workspace::DOT_ENV_FILES
            .iter()
            .filter(|name| found.input.dot_env_files.contains_key(**name))
            .map(|name| (*name).to_owned())
            .collect(),
        tracked_files: found.input.tracked_files.clone(),
        pat_file: found.pat.found.as_deref().map(shown),
        pat_skipped: found.pat.skipped.iter().map(|p| shown(p)).collect(),
    }
}

fn gather_error(cwd: &Path, error: &GatherError) -> String {
    match error {
        GatherError::Unreadable { path, reason } => {
            format!("{}: error: cannot read the file: {reason}", workspace::shown(cwd, path))
        }
        GatherError::NoPackageVersion { path } => format!(
            "{}: error: no `version` in this package.json (reinstall the package, or pass --nx-version)",
            workspace::shown(cwd, path)
        ),
    }
}

fn resolve_error(cwd: &Path, found: &Workspace, error: &ResolveError) -> String {
    let code = error.code();
    match (code, error.location()) {
        ("invalid-nx-json", Some(at)) => {
            let path = workspace::shown(cwd, &found.root.join("nx.json"));
            format!("{path}:{}:{}: error[{code}]: {error}", at.line, at.column)
        }
        ("invalid-nx-json", None) => {
            let path = workspace::shown(cwd, &found.root.join("nx.json"));
            format!("{path}: error[{code}]: {error}")
        }
        _ => format!("error[{code}]: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        let mut env = BTreeMap::new();
        assert!(use_colour(true, &env));
        assert!(!use_colour(false, &env));
        env.insert("NO_COLOR".to_owned(), String::new());
        assert!(use_colour(true, &env), "an empty NO_COLOR does not count");
        env.insert("NO_COLOR".to_owned(), "1".to_owned());
        assert!(!use_colour(true, &env));
    }
}
