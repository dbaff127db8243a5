//! End-to-end tests of `nxcloud-access explain` and `audit`: the built binary
//! run on every workspace of `samples/`, with a controlled environment (no
//! inherited variables, a fixed `HOME`, no colour), compared with the
//! reviewed snapshots in `tests/snapshots/`.
//!
//! Snapshots are updated by running once with `INSTA_UPDATE=always` and
//! reviewing the diff; by default (CI) a mismatch fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_nxcloud-access");

/// Every sample workspace.
const SAMPLES: [&str; 4] = [
    "legacy-committed-token",
    "env-override",
    "cloud-id-with-pat",
    "broken-nx-json",
];

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .canonicalize()
        .expect("samples/ exists")
}

fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// What one run of the binary gave.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The whole run as one text, for a snapshot.
    fn transcript(&self) -> String {
        format!(
            "exit status: {}\n--- stdout\n{}--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.transcript()))
    }
}

/// Runs `nxcloud-access <args> <sample>` from `samples/`, with only `PATH`
/// (for git), `HOME=<sample>/home` (the PAT file of the sample, if any) and
/// `NO_COLOR` in the environment: nothing of the real user's leaks in.
fn run(sample: &str, args: &[&str]) -> Run {
    let output = Command::new(BIN)
        .current_dir(samples_dir())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", format!("{sample}/home"))
        .env("NO_COLOR", "1")
        .args(args)
        .arg(sample)
        .output()
        .expect("the binary runs");
    Run {
        status: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// Snapshots of the four outputs of one sample; returns `audit`'s status.
fn check_sample(sample: &str) -> i32 {
    let explain = run(sample, &["explain"]);
    assert!(
        !explain.stdout.contains('\u{1b}'),
        "no colour without a terminal"
    );
    insta::assert_snapshot!(format!("{sample}__explain"), explain.transcript());

    let audit = run(sample, &["audit"]);
    insta::assert_snapshot!(format!("{sample}__audit"), audit.transcript());

    let explain_json = run(sample, &["explain", "--json"]);
    let audit_json = run(sample, &["audit", "--json"]);
    if explain_json.status == 0 {
        // The exact bytes printed (field order of the contract), once
        // checked to be JSON.
        let resolution = explain_json.json();
        insta::assert_snapshot!(format!("{sample}__explain_json"), explain_json.stdout);
        assert_eq!(audit_json.status, audit.status);
        assert_eq!(
            audit_json.json(),
            resolution["findings"],
            "audit --json prints the findings of explain --json"
        );
    } else {
        assert_eq!(
            explain_json.stdout, "",
            "nothing on stdout for unusable input"
        );
        assert_eq!(explain_json.stderr, explain.stderr);
        assert_eq!(audit_json.stderr, explain.stderr);
        assert_eq!(audit_json.status, 2);
    }
    audit.status
}

#[test]
fn legacy_committed_token() {
    let status = check_sample("legacy-committed-token");
    assert_eq!(status, 1, "a committed read-write token fails the audit");
}

#[test]
fn env_override() {
    let status = check_sample("env-override");
    assert_eq!(status, 1, "a committed .env token fails the audit");
    let resolution = run("env-override", &["explain", "--json"]).json();
    assert_eq!(
        resolution["accessToken"]["source"],
        ".env:NX_CLOUD_ACCESS_TOKEN"
    );
}

#[test]
fn cloud_id_with_pat() {
    check_sample("cloud-id-with-pat");
    let resolution = run("cloud-id-with-pat", &["explain", "--json"]).json();
    assert_eq!(resolution["nxCloudId"]["value"], "6745f1c2a9d3b8e04f7c1a26");
    assert_eq!(resolution["credential"], "personal-access-token");
    let human = run("cloud-id-with-pat", &["explain"]).stdout;
    assert!(
        human.contains("cloud-id-with-pat/home/.config/nxcloud/nxcloud.ini"),
        "{human}"
    );
}

#[test]
fn broken_nx_json_is_unusable_input_with_line_and_column() {
    let status = check_sample("broken-nx-json");
    assert_eq!(status, 2);
    let run = run("broken-nx-json", &["explain"]);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("broken-nx-json/nx.json:2:42: "),
        "{}",
        run.stderr
    );
}

#[test]
fn show_secrets_prints_the_raw_token_only_in_json() {
    let token = sample_tokens()
        .into_iter()
        .find(|t| t.starts_with("M2Y1"))
        .expect("the legacy sample's token");
    let shown = run(
        "legacy-committed-token",
        &["explain", "--json", "--show-secrets"],
    );
    assert_eq!(shown.status, 0, "{}", shown.transcript());
    let value = shown.json()["accessToken"]["value"].clone();
    assert_eq!(
        value.as_str().map(|v| v.trim_end_matches('=')),
        Some(token.as_str())
    );
    let hidden = run("legacy-committed-token", &["explain", "--json"]);
    assert_eq!(hidden.json()["accessToken"]["value"], "M2Y1…");
    let human = run("legacy-committed-token", &["explain", "--show-secrets"]);
    assert_eq!(human.status, 2, "--show-secrets needs --json");
    assert!(human.stderr.contains("--json"), "{}", human.stderr);
}

#[test]
fn bad_arguments_exit_with_status_2() {
    let version = run(
        "env-override",
        &["explain", "--nx-version", "not-a-version"],
    );
    assert_eq!(version.status, 2, "{}", version.transcript());
    assert_eq!(version.stdout, "");
    assert!(
        version.stderr.contains("not-a-version"),
        "{}",
        version.stderr
    );
    let missing = run("no-such-sample", &["audit"]);
    assert_eq!(missing.status, 2);
    assert!(
        missing.stderr.contains("no-such-sample"),
        "{}",
        missing.stderr
    );
    let unknown = run("env-override", &["explain", "--no-such-flag"]);
    assert_eq!(unknown.status, 2);
}

#[test]
fn the_nx_version_argument_overrides_the_installed_one() {
    let run = run(
        "env-override",
        &["explain", "--json", "--nx-version", "17.0.0"],
    );
    assert_eq!(run.status, 0, "{}", run.transcript());
    assert_eq!(run.json()["nxVersion"], "17.0.0");
}

#[test]
fn the_runner_argument_is_passed_as_nx_runner() {
    let run = run(
        "legacy-committed-token",
        &["explain", "--json", "--runner", "ci"],
    );
    assert_eq!(run.status, 0, "{}", run.transcript());
    let resolution = run.json();
    assert_eq!(resolution["runner"]["name"], "ci");
    assert_eq!(
        resolution["accessToken"],
        Value::Null,
        "the entry `ci` does not exist"
    );
    let codes = resolution["findings"].to_string();
    assert!(codes.contains("runner-not-found"), "{codes}");
}

#[test]
fn the_workspace_root_is_found_from_a_subdirectory() {
    let from_root = run("env-override", &["explain", "--json"]);
    let from_below = run("env-override/node_modules/nx", &["explain", "--json"]);
    assert_eq!(from_below.status, 0, "{}", from_below.transcript());
    assert_eq!(from_below.json(), from_root.json());
    let human = run("env-override/node_modules/nx", &["explain"]).stdout;
    assert!(
        human.starts_with("Workspace      env-override\n"),
        "{human}"
    );
}

/// A fresh folder under the system's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("nxcloud-access-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Runs the binary in `dir` with an empty environment (git may not look
/// above the scratch folder).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(BIN)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CEILING_DIRECTORIES", dir.parent().expect("a parent"))
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        status: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

#[test]
fn outside_git_only_nx_json_counts_as_committed() {
    let dir = scratch("no-git");
    let sample = samples_dir().join("env-override");
    for file in ["nx.json", ".env", "package.json"] {
        std::fs::copy(sample.join(file), dir.join(file)).expect("copy");
    }
    let run = run_in(&dir, &["audit", "--json", "--nx-version", "19.8.4"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.status, 1, "{}", run.transcript());
    let codes: Vec<String> = run
        .json()
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        codes.contains(&"committed-read-only-token".to_owned()),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&"committed-read-write-token".to_owned()),
        "the untracked .env token is not committed: {codes:?}"
    );
}

#[test]
fn an_unreadable_nx_json_is_unusable_input() {
    let dir = scratch("unreadable");
    std::fs::create_dir(dir.join("nx.json")).expect("a folder named nx.json");
    let folder = run_in(&dir, &["explain"]);
    std::fs::remove_dir(dir.join("nx.json")).expect("cleanup");
    std::fs::write(dir.join("nx.json"), b"{ \"nxCloudId\": \"\xff\" }").expect("write");
    let not_utf8 = run_in(&dir, &["audit"]);
    let _ = std::fs::remove_dir_all(&dir);
    for run in [folder, not_utf8] {
        assert_eq!(run.status, 2, "{}", run.transcript());
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr
                .starts_with("nx.json: error: cannot read the file: "),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn an_oversized_file_is_refused_without_loading_it() {
    let dir = scratch("oversized");
    let limit = nxcloud_access::limits::MAX_TEXT_BYTES;
    std::fs::write(dir.join("nx.json"), "{}").expect("write nx.json");
    let mut env = String::from("NX_CLOUD_ACCESS_TOKEN=x\n");
    env.push_str(&"#".repeat(limit));
    std::fs::write(dir.join("nx-cloud.env"), env).expect("write nx-cloud.env");
    let run = run_in(&dir, &["explain"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.status, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("nx-cloud.env: error: cannot read the file: ")
            && run
                .stderr
                .contains(&format!("larger than the limit of {limit} bytes")),
        "{}",
        run.stderr
    );
}

#[test]
fn no_snapshot_holds_a_raw_token() {
    let tokens = sample_tokens();
    assert!(
        tokens.len() >= 4,
        "the samples hold at least four tokens: {tokens:?}"
    );
    let mut checked = 0;
    for entry in std::fs::read_dir(snapshots_dir()).expect("snapshots exist") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("snapshot text");
        for token in &tokens {
            assert!(
                !text.contains(token.as_str()),
                "{} holds a raw token",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= SAMPLES.len() * 2, "only {checked} snapshots");
}

/// Every token written in a sample: on a line that mentions a token, each
/// run of at least 20 token characters (base64 and `_`/`-`, without the `=`
/// padding) holding a digit (which leaves out names like
/// `NX_CLOUD_ACCESS_TOKEN`).
fn sample_tokens() -> Vec<String> {
    let mut tokens = Vec::new();
    let mut pending = vec![samples_dir()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.file_name().is_some_and(|n| n == "README.md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("text");
            for line in text.lines().filter(|l| l.to_lowercase().contains("token")) {
                let is_token_char =
                    |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '_' | '-');
                for word in line.split(|c: char| !is_token_char(c)) {
                    let token_like =
                        word.len() >= 20 && word.contains(|c: char| c.is_ascii_digit());
                    if token_like && !tokens.iter().any(|t| t == word) {
                        tokens.push(word.to_owned());
                    }
                }
            }
        }
    }
    tokens
}
