//! The replay of the conformance corpus (CONF-1): for every recording of the
//! real `nx` CLI in `tests/conformance/recordings/`, the workspace of its case
//! is rebuilt (its files, and a `node_modules` holding the `package.json` of
//! each package the install put there, versions from the committed lockfile),
//! `nxcloud-access explain --json --show-secrets` runs on it with the case's
//! environment, and what the engine says is compared with what nx did:
//!
//! * `runner-contact`: whether the tasks runner contacted Nx Cloud, against
//!   `runner.cloud` with a token or an nxCloudId (or `inferred`: from nx 22.6
//!   nx fetches the client that decides, credential or not);
//! * `runner-token`, `runner-nx-cloud-id`: the token and nxCloudId on the
//!   requests of the tasks runner, against `accessToken`/`nxCloudId` when
//!   `runner.cloud` (none otherwise); skipped where the requests carry no
//!   credential at all (from nx 22.6 the client download carries none);
//! * `runner-url`: each of those requests went to the engine's `apiUrl`;
//! * `cache-contact`, `cache-credential`: the same for the requests of nx's
//!   task cache (the DB cache of nx 20 and later), against the Resolution's
//!   `cache` (null: no contact; its token, nxCloudId and API URL);
//! * `stop`: how nx stopped (exit status, at start-up or after running a
//!   task, and why), against the Resolution's `stops`;
//! * `attributed`: the harness could tell which path made every request.
//!
//! A case whose `command` is `connect` records `nx connect` instead of a task
//! run: nx prints the app URL of a connected workspace (URL-2; 16.x to 18.x
//! print it, later versions do not). Its one check is `app-url`: the URL nx
//! printed against the Resolution's `appUrl`.
//!
//! Needs no network and no nx. A disagreement fails the test unless
//! `tests/conformance/known-disagreements.json` lists it with its reason; a
//! listed entry that no longer matches any disagreement fails it too, so the
//! list only shrinks. Prints `recordings, checks, agreeing`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use nxcloud_access::secret::redact;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_nxcloud-access");

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One listed disagreement: a check, on which cases and versions, and why.
struct Known {
    check: String,
    case: String,
    install: String,
    nx: Option<(semver::Version, Option<semver::Version>)>,
    reason: String,
    matched: usize,
}

impl Known {
    fn load() -> Vec<Known> {
        let json = read_json(&conformance_dir().join("known-disagreements.json"));
        let parse = |t: &str| semver::Version::parse(t).unwrap_or_else(|e| panic!("`{t}`: {e}"));
        json.as_array()
            .expect("a list")
            .iter()
            .map(|entry| {
                let field = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_owned);
                let nx = field("nx").map(|range| {
                    // `>=A` or `>=A <B`.
                    let mut parts = range.split_whitespace();
                    let from = parts
                        .next()
                        .and_then(|p| p.strip_prefix(">="))
                        .unwrap_or_else(|| panic!("nx range `{range}`: write `>=A` or `>=A <B`"));
                    let until = parts.next().map(|p| {
                        parse(
                            p.strip_prefix('<')
                                .unwrap_or_else(|| panic!("nx range `{range}`")),
                        )
                    });
                    (parse(from), until)
                });
                let reason = field("reason").expect("every entry gives its reason");
                assert!(!reason.trim().is_empty(), "every entry gives its reason");
                Known {
                    check: field("check").expect("every entry names its check"),
                    case: field("case").unwrap_or_else(|| "*".into()),
                    install: field("install").unwrap_or_else(|| "*".into()),
                    nx,
                    reason,
                    matched: 0,
                }
            })
            .collect()
    }

    fn covers(&self, check: &str, case: &str, install: &str, version: &semver::Version) -> bool {
        self.check == check
            && (self.case == "*" || self.case == case)
            && (self.install == "*" || self.install == install)
            && self.nx.as_ref().is_none_or(|(from, until)| {
                version >= from && until.as_ref().is_none_or(|u| version < u)
            })
    }
}

/// The workspace of a case, as the recorded run had it.
/// What `{selfHostedCache}` (the recorder, as the self-hosted remote cache
/// server) stands for in the replay.
const SELF_HOSTED: &str = "http://self-hosted-cache.recorder";

/// The case with `{selfHostedCache}` replaced in every text.
fn substituted(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(text.replace("{selfHostedCache}", SELF_HOSTED)),
        Value::Array(items) => Value::Array(items.into_iter().map(substituted).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, substituted(v))).collect())
        }
        other => other,
    }
}

fn build_workspace(dir: &Path, case: &Value, install: &str, nx_version: &str) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir.join(".home")).unwrap();
    let text = |k: &str| case.get(k).and_then(Value::as_str);
    if let Some(nx_json) = text("nxJson") {
        fs::write(dir.join("nx.json"), nx_json).unwrap();
    }
    if let Some(env_file) = text("nxCloudEnv") {
        fs::write(dir.join("nx-cloud.env"), env_file).unwrap();
    }
    for key in ["dotEnvFiles", "files"] {
        if let Some(files) = case.get(key).and_then(Value::as_object) {
            for (name, content) in files {
                let path = dir.join(name);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, content.as_str().unwrap()).unwrap();
            }
        }
    }
    let installs = conformance_dir().join("installs").join(install);
    let manifest = read_json(&installs.join("package.json"));
    let package_json = serde_json::json!({
        "name": "conformance-workspace",
        "private": true,
        "devDependencies": manifest["devDependencies"],
    });
    fs::write(dir.join("package.json"), package_json.to_string()).unwrap();
    // The packages the CLI looks for, at the versions npm installed.
    let lock = read_json(&installs.join("package-lock.json"));
    for name in ["nx", "nx-cloud", "@nrwl/nx-cloud"] {
        let locked = lock["packages"][format!("node_modules/{name}")]["version"].as_str();
        let version = if name == "nx" {
            Some(nx_version)
        } else {
            locked
        };
        if let Some(version) = version {
            let folder = dir.join("node_modules").join(name);
            fs::create_dir_all(&folder).unwrap();
            let json = serde_json::json!({ "name": name, "version": version });
            fs::write(folder.join("package.json"), json.to_string()).unwrap();
        }
    }
}

/// What the engine (through the CLI) says for the rebuilt workspace.
fn explain(dir: &Path, case: &Value) -> Value {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.join(".home"))
        .env("NO_COLOR", "1")
        .args(["explain", "--json", "--show-secrets"]);
    if let Some(env) = case.get("env").and_then(Value::as_object) {
        for (name, value) in env {
            command.env(name, value.as_str().unwrap());
        }
    }
    if let Some(runner) = case.get("runner").and_then(Value::as_str) {
        command.args(["--runner", runner]);
    }
    // The engine reads no nx command line: the flags that switch the cache
    // off are given as the variables nx treats the same way
    // (`utils/command-line-utils.js`: the flag, or the variable `true`).
    for arg in case
        .get("args")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match arg.as_str() {
            Some("--skip-remote-cache") => {
                command.env("NX_SKIP_REMOTE_CACHE", "true");
            }
            Some("--skip-nx-cache") => {
                command.env("NX_SKIP_NX_CACHE", "true");
            }
            _ => {}
        }
    }
    // `cwd`: nx ran in that folder of the workspace (DOT-1).
    let run_dir = match case.get("cwd").and_then(Value::as_str) {
        Some(sub) => dir.join(sub),
        None => dir.to_path_buf(),
    };
    let output = command
        .current_dir(&run_dir)
        .arg(&run_dir)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "explain --json on {} gave no JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The distinct non-null values of a header over some requests.
fn distinct<'a>(requests: impl Iterator<Item = &'a Value>, key: &str) -> BTreeSet<String> {
    requests
        .filter_map(|r| r.get(key).and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn set_text(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "nothing".into()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// The kind of a stop, as the harness names it, by the finding the engine
/// gives the stop (`stops.finding`).
fn stop_kind(finding: &str) -> String {
    match finding {
        "cloud-runner-not-installed" => "cannot-find-module",
        "runner-not-found" | "nx-refuses-to-run" => "no-runner-configuration",
        "cloud-runner-fails-authentication" | "db-cache-fails-authentication" => {
            "unable-to-authenticate"
        }
        "nx-stops-at-start-up" => "invalid-arg-type",
        other => return format!("a stop of finding `{other}`"),
    }
    .into()
}

/// The stop the engine predicts: the Resolution's `stops` (exit status,
/// when, and the kind of its finding), or `none`.
fn predicted_stop(resolution: &Value) -> String {
    let stop = &resolution["stops"];
    if stop.is_null() {
        return "none".into();
    }
    format!(
        "exit {} at {}: {}",
        stop["exitStatus"],
        stop["when"].as_str().unwrap_or("?"),
        stop_kind(stop["finding"].as_str().unwrap_or_default())
    )
}

/// A recorded stop; a failure that came from the recorder refusing the
/// credential is no stop the engine predicts (tests/conformance/README.md).
/// `running` when nx reported a task run before it failed, else `start-up`.
fn recorded_stop(recording: &Value) -> String {
    let kind = match recording["stop"]["kind"].as_str() {
        None | Some("cloud-refused") => return "none".into(),
        Some(kind) => kind,
    };
    let ran = recording["outputTail"]
        .as_array()
        .unwrap()
        .iter()
        .any(|line| {
            line.as_str()
                .is_some_and(|l| l.contains("Successfully ran target"))
        });
    format!(
        "exit {} at {}: {kind}",
        recording["exitStatus"],
        if ran { "running" } else { "start-up" }
    )
}

/// Two sets of raw tokens as text for a check: redacted (a test's output
/// never holds a whole token), and marked where two different sets would
/// read the same.
fn token_texts(engine: &BTreeSet<String>, nx: &BTreeSet<String>) -> (String, String) {
    let shown = |set: &BTreeSet<String>| -> BTreeSet<String> {
        set.iter().map(|t| format!("token {}", redact(t))).collect()
    };
    let (e, mut n) = (shown(engine), shown(nx));
    if e == n && engine != nx {
        n.insert("(a different token with the same start)".into());
    }
    (set_text(&e), set_text(&n))
}

/// One comparison: (check, engine, nx).
type Check = (&'static str, String, String);

/// A `Bearer <token>` text with the token redacted (a disagreement prints).
fn redact_bearer(text: &str) -> String {
    match text.split_once("Bearer ") {
        Some((before, rest)) => {
            let (token, after) = rest.split_once(';').unwrap_or((rest, ""));
            let shown: String = token.chars().take(4).collect();
            format!(
                "{before}Bearer {shown}… ({} chars);{after}",
                token.chars().count()
            )
        }
        None => text.to_owned(),
    }
}

fn yes_no(value: bool) -> String {
    if value {
        "contacts Nx Cloud"
    } else {
        "does not contact Nx Cloud"
    }
    .into()
}

/// The app URL `nx connect` printed for a connected workspace: 16.x and 17.x
/// print `<app URL>/orgs/workspace-setup?accessToken=...`, 18.x `- Login at
/// <app URL> to connect your repository`.
fn printed_app_url(recording: &Value) -> String {
    let lines = recording["outputTail"].as_array().unwrap();
    for line in lines.iter().filter_map(Value::as_str) {
        let line = line.trim();
        if let Some((url, _)) = line.split_once("/orgs/workspace-setup?") {
            return url.to_owned();
        }
        if let Some(rest) = line.strip_prefix("- Login at ") {
            if let Some(url) = rest.strip_suffix(" to connect your repository") {
                return url.to_owned();
            }
        }
    }
    "(none printed)".into()
}

fn checks(recording: &Value, resolution: &Value) -> Vec<Check> {
    if recording["command"][1] == "connect" {
        let engine = resolution["appUrl"]["value"]
            .as_str()
            .unwrap_or("(none printed)");
        return vec![("app-url", engine.to_owned(), printed_app_url(recording))];
    }
    let requests = recording["requests"].as_array().unwrap();
    let on = |path: &'static str| requests.iter().filter(move |r| r["path"] == path);
    let cloud = resolution["runner"]["cloud"].as_bool() == Some(true);
    let engine_value = |key: &str| -> BTreeSet<String> {
        resolution[key]["value"]
            .as_str()
            .filter(|_| cloud)
            .map(|v| BTreeSet::from([v.to_owned()]))
            .unwrap_or_default()
    };
    let token = engine_value("accessToken");
    let id = engine_value("nxCloudId");
    // From 22.6 (TOKEN-5, DBC-3) the request that fetches the client carries
    // no credential, so the recording shows only that the path contacted Nx
    // Cloud; the engine marks those answers inferred.
    let carries_credentials = on("runner")
        .chain(on("cache"))
        .any(|r| !r["authorization"].is_null() || !r["nxCloudId"].is_null());
    let credential_free = on("runner").chain(on("cache")).next().is_some() && !carries_credentials;
    // Where the downloaded client decides (TOKEN-5, `inferred`), nx fetches
    // it whenever the cloud runner runs, credential or not.
    let inferred = resolution["inferred"].as_bool() == Some(true);
    let mut out: Vec<Check> = vec![(
        "runner-contact",
        yes_no(!token.is_empty() || !id.is_empty() || (cloud && inferred)),
        yes_no(on("runner").next().is_some()),
    )];
    if !credential_free {
        out.push((
            "runner-token",
            set_text(&token),
            set_text(&distinct(on("runner"), "authorization")),
        ));
        out.push((
            "runner-nx-cloud-id",
            set_text(&id),
            set_text(&distinct(on("runner"), "nxCloudId")),
        ));
    }
    if on("runner").next().is_some() {
        let base = resolution["apiUrl"]["value"].as_str().unwrap_or("(none)");
        let prefix = format!("{}/", base.trim_end_matches('/'));
        let wrong: BTreeSet<String> = on("runner")
            .filter_map(|r| r["meantFor"].as_str())
            .filter(|url| !url.starts_with(&prefix))
            .map(str::to_owned)
            .collect();
        let seen = if wrong.is_empty() {
            base.to_owned()
        } else {
            set_text(&wrong)
        };
        out.push(("runner-url", base.to_owned(), seen));
    }
    // The cache path (DBC-1..3): the Resolution's `cache` (null: the cache
    // does not contact Nx Cloud). Its token is raw (`--show-secrets`).
    let cache = &resolution["cache"];
    out.push((
        "cache-contact",
        yes_no(!cache.is_null()),
        yes_no(on("cache").next().is_some()),
    ));
    if !credential_free {
        let engine_tokens: BTreeSet<String> = cache["accessToken"]["value"]
            .as_str()
            .map(|t| BTreeSet::from([t.to_owned()]))
            .unwrap_or_default();
        let nx_tokens = distinct(on("cache"), "authorization");
        let (engine_token, nx_token) = token_texts(&engine_tokens, &nx_tokens);
        let mut engine = BTreeSet::new();
        if let Some(id) = cache["nxCloudId"]["value"].as_str() {
            engine.insert(format!("id {id}"));
        }
        if let Some(url) = cache["apiUrl"]["value"].as_str() {
            engine.insert(format!("to {}", url.trim_end_matches('/')));
        }
        let mut nx = BTreeSet::new();
        for r in on("cache") {
            if let Some(id) = r["nxCloudId"].as_str() {
                nx.insert(format!("id {id}"));
            }
            if let Some(url) = r["meantFor"].as_str() {
                let base = url.split("/nx-cloud/").next().unwrap_or(url);
                nx.insert(format!("to {base}"));
            }
        }
        out.push((
            "cache-credential",
            format!("{engine_token}; {}", set_text(&engine)),
            format!("{nx_token}; {}", set_text(&nx)),
        ));
    }
    // The self-hosted remote cache (SHC-1..6): the Resolution's
    // `selfHostedCache`. The recorder refuses Nx Cloud, so nx asks the
    // self-hosted cache where it uses it (`used`) or falls back to it when
    // it cannot get the Nx Cloud client (`fallback`, SHC-5).
    let shc = &resolution["selfHostedCache"];
    let engine_contacts =
        shc["used"].as_bool() == Some(true) || shc["fallback"].as_bool() == Some(true);
    let nx_contacts = on("self-hosted").next().is_some();
    out.push((
        "self-hosted-contact",
        yes_no(engine_contacts),
        yes_no(nx_contacts),
    ));
    if engine_contacts && nx_contacts {
        let header = match (
            shc["credential"].as_str(),
            shc["accessToken"]["value"].as_str(),
        ) {
            (Some("bearer-token"), Some(token)) => format!("Bearer {token}"),
            (Some("empty-bearer"), _) => "Bearer".to_owned(),
            _ => "(no header)".to_owned(),
        };
        let engine = format!(
            "{}; {} {}",
            header,
            shc["requestUrl"].as_str().unwrap_or("(none)"),
            shc["nxCloudId"].as_str().unwrap_or("(no workspace)")
        );
        let headers: BTreeSet<String> = on("self-hosted")
            .map(|r| {
                r["authorization"]
                    .as_str()
                    .unwrap_or("(no header)")
                    .to_owned()
            })
            .collect();
        let urls: BTreeSet<String> = on("self-hosted")
            .filter_map(|r| r["meantFor"].as_str())
            .map(|u| u.replace("{selfHostedCache}", SELF_HOSTED))
            .collect();
        // The workspace the server reads from a `/ws/<nxCloudId>` URL.
        let workspace = urls
            .iter()
            .next()
            .and_then(|u| u.split("/ws/").nth(1))
            .and_then(|rest| rest.split('/').next())
            .filter(|id| !id.is_empty())
            .unwrap_or("(no workspace)");
        let nx = format!("{}; {} {workspace}", set_text(&headers), set_text(&urls));
        // Compared whole, printed with the token redacted.
        let (engine, nx) = if engine == nx {
            (redact_bearer(&engine), redact_bearer(&nx))
        } else {
            (
                redact_bearer(&engine),
                format!("{} (another text)", redact_bearer(&nx)),
            )
        };
        out.push(("self-hosted-credential", engine, nx));
    }
    out.push(("stop", predicted_stop(resolution), recorded_stop(recording)));
    let unknown = on("unknown").count();
    out.push((
        "attributed",
        "0 unattributed".into(),
        format!("{unknown} unattributed"),
    ));
    out
}

#[test]
fn the_engine_agrees_with_every_recording() {
    let root = conformance_dir();
    let mut known = Known::load();
    let scratch = std::env::temp_dir().join(format!("nxcloud-replay-{}", std::process::id()));
    let mut recordings = 0;
    let mut total = 0;
    let mut agreeing = 0;
    let mut listed = 0;
    let mut unexpected = Vec::new();
    let mut by_check: BTreeMap<&str, (usize, usize)> = BTreeMap::new();

    let mut case_dirs: Vec<_> = fs::read_dir(root.join("recordings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    case_dirs.sort();
    for case_dir in case_dirs {
        let name = case_dir.file_name().unwrap().to_str().unwrap().to_owned();
        let case = substituted(read_json(&root.join("cases").join(format!("{name}.json"))));
        let mut files: Vec<_> = fs::read_dir(&case_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let recording = read_json(&file);
            let install = recording["install"].as_str().unwrap().to_owned();
            // As nx's package.json says it (17.0.6 says `v17.0.6`).
            let nx_version = recording["nxVersion"].as_str().unwrap();
            let version = semver::Version::parse(nx_version.trim_start_matches('v')).unwrap();
            build_workspace(&scratch, &case, &install, nx_version);
            let resolution = explain(&scratch, &case);
            recordings += 1;
            for (check, engine, nx) in checks(&recording, &resolution) {
                total += 1;
                let counts = by_check.entry(check).or_default();
                counts.0 += 1;
                if engine == nx {
                    agreeing += 1;
                    counts.1 += 1;
                    continue;
                }
                match known
                    .iter_mut()
                    .find(|k| k.covers(check, &name, &install, &version))
                {
                    Some(entry) => {
                        entry.matched += 1;
                        listed += 1;
                    }
                    None => unexpected.push(format!(
                        "{name} on {install}, {check}: the engine says {engine}, nx did {nx}"
                    )),
                }
            }
        }
    }
    let _ = fs::remove_dir_all(&scratch);

    println!("conformance replay: {recordings} recordings, {total} checks, {agreeing} agreeing");
    for (check, (n, ok)) in &by_check {
        println!("  {check}: {ok} of {n} agree");
    }
    println!("  known disagreements (tests/conformance/known-disagreements.json): {listed}");
    for entry in &known {
        println!(
            "    {} × {} on {} / {}: {}",
            entry.matched, entry.check, entry.case, entry.install, entry.reason
        );
    }
    let stale: Vec<String> = known
        .iter()
        .filter(|k| k.matched == 0)
        .map(|k| format!("{} on {} / {}: {}", k.check, k.case, k.install, k.reason))
        .collect();
    assert!(recordings > 0, "no recordings in {}", root.display());
    assert!(
        unexpected.is_empty(),
        "{} disagreement(s) with the real nx that known-disagreements.json does not list:\n  {}",
        unexpected.len(),
        unexpected.join("\n  ")
    );
    assert!(
        stale.is_empty(),
        "entries of known-disagreements.json that no longer match a disagreement (remove them):\n  {}",
        stale.join("\n  ")
    );
}
