//! Properties of the whole resolution: no secret leaks, no panic on any text.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;

use super::*;
use crate::input::{dotenv, nx_json};
use crate::resolve::token_shape::{mint, AccessLevel};

fn input(nx_json: &str) -> ResolveInput {
    ResolveInput {
        nx_json: Some(nx_json.to_owned()),
        ..ResolveInput::default()
    }
}

#[test]
fn no_output_type_shows_a_whole_token() {
    let token = mint(
        "6f8e98f5-f5d6-4b57-afc3-b6d43131a6e5",
        AccessLevel::ReadWrite,
        true,
    );
    let raw = token.expose().to_owned();
    let mut resolve_input = input(&format!(
        r#"{{ "nxCloudAccessToken": "{raw}", "nxCloudId": "65d5639f1a3b026e12345678" }}"#
    ));
    resolve_input.nx_version = Some("19.6.7".into());
    resolve_input
        .env
        .insert("NX_CLOUD_AUTH_TOKEN".into(), raw.clone());
    resolve_input
        .dot_env_files
        .insert(".env".into(), format!("NX_CLOUD_ACCESS_TOKEN={raw}\n"));
    resolve_input.nx_cloud_env = Some(format!("NX_CLOUD_ACCESS_TOKEN={raw}\n"));
    resolve_input.tracked_files = Some(vec![".env".into(), "nx-cloud.env".into()]);
    resolve_input.nxcloud_ini = Some(NxcloudIni {
        path: "/h/.nxcloud.ini".into(),
        text: format!("[https://cloud\\.nx\\.app]\npersonalAccessToken={raw}\n"),
    });
    let resolution = resolve_credentials(&resolve_input).unwrap();
    assert_eq!(
        resolution.access_token.as_ref().map(|t| t.value.expose()),
        Some(raw.as_str())
    );
    let shown = [
        format!("{resolution:?}"),
        format!("{resolution:#?}"),
        serde_json::to_string(&resolution.trace).unwrap(),
        serde_json::to_string(&resolution.findings).unwrap(),
        resolution
            .access_token
            .as_ref()
            .map(|t| t.redacted.clone())
            .unwrap_or_default(),
    ];
    for text in shown {
        assert!(!text.contains(&raw), "{text}");
    }
    assert!(resolution
        .findings
        .iter()
        .any(|f| f.code == "committed-read-write-token"));
}

#[test]
fn errors_have_stable_codes_and_locations() {
    let err = resolve_credentials(&input("{\n  \"a\": 1,\n  oops\n}")).unwrap_err();
    assert_eq!(err.code(), "invalid-nx-json");
    assert_eq!(err.location().map(|l| l.line), Some(3));
    assert!(err.to_string().starts_with("invalid `nx.json` at line 3"));
    let mut bad = input("{}");
    bad.nx_version = Some("latest".into());
    let err = resolve_credentials(&bad).unwrap_err();
    assert_eq!(err.code(), "invalid-nx-version");
    assert!(err.to_string().contains("`latest`"));
    assert_eq!(err.location(), None);
    let mut bad = input("{}");
    bad.cloud_client = Some("lerna@1.0.0".into());
    assert_eq!(
        resolve_credentials(&bad).unwrap_err().code(),
        "invalid-input"
    );
}

#[test]
fn the_trace_and_the_answer_agree() {
    let mut i = input(r#"{ "nxCloudAccessToken": "top-level-token-value" }"#);
    i.nx_version = Some("19.6.7".into());
    i.env.insert(
        "NX_CLOUD_ACCESS_TOKEN".into(),
        "env-token-value-0001".into(),
    );
    let r = resolve_credentials(&i).unwrap();
    let used: Vec<&TraceStep> = r
        .trace
        .iter()
        .filter(|s| {
            s.outcome == Outcome::Used
                && ["TOKEN-1", "TOKEN-3", "TOP-2", "ENVF-1"].contains(&s.rule.as_str())
        })
        .collect();
    assert_eq!(used.len(), 1);
    assert_eq!(
        Some(used[0].source.as_str()),
        r.access_token.as_ref().map(|t| t.source.as_str())
    );
}

proptest! {
    #[test]
    fn dotenv_parsers_never_panic(text in "\\PC{0,200}") {
        let _ = dotenv::parse(&text, dotenv::Flavour::Nx);
        let _ = dotenv::parse(&text, dotenv::Flavour::Client);
    }

    #[test]
    fn dotenv_quotes_and_comments_never_panic(text in "[A-Z_=:#'\"` \\n\\\\$\\{\\}a-z]{0,80}") {
        let _ = dotenv::parse(&text, dotenv::Flavour::Nx);
        let _ = dotenv::parse(&text, dotenv::Flavour::Client);
        let files = [(".env".to_owned(), text.clone())].into_iter().collect();
        let _ = dotenv::load_environment(&Default::default(), &files);
    }

    #[test]
    fn resolution_never_panics_on_any_nx_json(text in "[\\[\\]{}\":,0-9a-zA-Z ]{0,120}") {
        let _ = nx_json::parse(&text);
        let _ = resolve_credentials(&input(&text));
    }

    #[test]
    fn resolution_never_panics_on_shaped_nx_json(
        token in prop_oneof![Just("\"\"".to_owned()), Just("null".to_owned()), Just("12".to_owned()), "\"[a-z]{0,30}\"".prop_map(|s| s)],
        runner in prop_oneof![Just("\"nx-cloud\""), Just("\"@nrwl/nx-cloud\""), Just("\"./custom\""), Just("7"), Just("[]")],
        version in prop_oneof![Just("16.10.0"), Just("17.0.0"), Just("19.6.7"), Just("20.0.1"), Just("21.4.0"), Just("24.0.6")],
    ) {
        let text = format!(
            r#"{{ "nxCloudAccessToken": {token}, "nxCloudId": {token}, "tasksRunnerOptions": {{ "default": {{ "runner": {runner}, "options": {{ "accessToken": {token}, "url": {token} }} }} }} }}"#
        );
        let mut i = input(&text);
        i.nx_version = Some(version.to_owned());
        prop_assert!(resolve_credentials(&i).is_ok());
    }
}

/// JavaScript truthiness of a JSON value.
fn truthy(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn js_string(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Differential conformance against the published `nx` packages: for every
/// case of `nx_corpus.json` (their own `isNxCloudUsed`, `getRunner`,
/// `getRunnerOptions` and `getNxCloudUrl` on generated inputs, see
/// `nx_corpus.js`), the engine agrees on "connected" (USED-1/2), the runner
/// name and kind (RUN-1..3), the token and nxCloudId the cloud runner gets (TOKEN-1..3,
/// TOP-1/2, ID-1/2) and the app URL (URL-2).
#[test]
fn the_engine_agrees_with_the_published_nx_packages() {
    let corpus: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("nx_corpus.json")).unwrap();
    assert!(corpus.len() >= 500);
    let mut mismatches = Vec::new();
    for case in &corpus {
        let env: std::collections::BTreeMap<String, String> =
            serde_json::from_value(case["env"].clone()).unwrap();
        let input = ResolveInput {
            nx_version: case["version"].as_str().map(str::to_owned),
            nx_json: Some(case["nxJson"].to_string()),
            env: env.clone(),
            runner: case["runner"].as_str().map(str::to_owned),
            cloud_client: case["client"].as_str().map(str::to_owned),
            ..ResolveInput::default()
        };
        let r = resolve_credentials(&input).unwrap();
        // These are recordings of Nx's functions, called one by one: they
        // never see nx stopping at start-up (INP-4, recorded end to end in
        // tests/conformance), where nothing is sent at all.
        if r.findings.iter().any(|f| f.code == "nx-stops-at-start-up") {
            assert!(r.access_token.is_none() && r.nx_cloud_id.is_none());
            continue;
        }
        let refused = r.runner.module == "none";
        let cloud = r.runner.cloud && !refused;
        let mut wrong = Vec::new();
        if r.nx_cloud_used != case["used"].as_bool().unwrap() {
            wrong.push(format!("nxCloudUsed {}", r.nx_cloud_used));
        }
        if refused != case["refused"].as_bool().unwrap() {
            wrong.push(format!("refused {refused}"));
        }
        if let Some(name) = case["runnerName"].as_str() {
            if r.runner.name != name {
                wrong.push(format!("runner {}", r.runner.name));
            }
        }
        if cloud != case["cloud"].as_bool().unwrap() {
            wrong.push(format!("cloud {cloud}"));
        }
        if case["cloud"].as_bool().unwrap() {
            // The shell's (and the client's) token: env AUTH || env ACCESS || options.
            let env_token = ["NX_CLOUD_AUTH_TOKEN", "NX_CLOUD_ACCESS_TOKEN"]
                .iter()
                .find_map(|k| env.get(*k).filter(|v| !v.is_empty()).cloned());
            let expected = env_token.or_else(|| {
                Some(&case["accessToken"])
                    .filter(|v| truthy(v))
                    .map(js_string)
            });
            let got = r.access_token.as_ref().map(|t| t.value.expose().to_owned());
            if got != expected {
                wrong.push(format!("accessToken {got:?} != {expected:?}"));
            }
            let id_known = case["version"].as_str() >= Some("19.6.0") || !case["client"].is_null();
            let expected_id = Some(&case["nxCloudId"])
                .filter(|v| id_known && truthy(v))
                .map(js_string);
            let got_id = r.nx_cloud_id.as_ref().map(|s| s.value.clone());
            if got_id != expected_id {
                wrong.push(format!("nxCloudId {got_id:?} != {expected_id:?}"));
            }
        }
        let expected_app = case["appUrl"].as_str().map(str::to_owned);
        let got_app = r.app_url.as_ref().map(|s| s.value.clone());
        if got_app != expected_app {
            wrong.push(format!("appUrl {got_app:?} != {expected_app:?}"));
        }
        if !wrong.is_empty() {
            mismatches.push(format!(
                "{} {}: {}",
                case["version"],
                case,
                wrong.join(", ")
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

fn resolve_on(version: &str, nx_json: &str) -> Resolution {
    let mut i = input(nx_json);
    i.nx_version = Some(version.into());
    resolve_credentials(&i).unwrap()
}

#[test]
fn the_cache_field_says_what_the_db_cache_sends() {
    // DBC-1: the top-level token, whatever the runner (recorded:
    // nrwl-runner-top-level-token/nx-20.0.6).
    let json = r#"{ "nxCloudAccessToken": "top-token-000001", "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud" } } }"#;
    let r = resolve_on("20.0.6", json);
    let cache = r.cache.expect("the DB cache contacts Nx Cloud");
    let token = cache.access_token.unwrap();
    assert_eq!(token.value.expose(), "top-token-000001");
    assert_eq!(token.source, "nx.json:nxCloudAccessToken");
    assert_eq!(token.redacted, crate::secret::redact("top-token-000001"));
    assert_eq!(cache.api_url.value, "https://top.example");
    assert_eq!(cache.rule, "DBC-1");
    assert!(r.stops.is_none());
    // Before 20.0 there is no DB cache.
    assert!(resolve_on("19.8.6", json).cache.is_none());
    // DBC-3: the downloaded client chooses.
    assert_eq!(resolve_on("22.6.0", json).cache.unwrap().rule, "DBC-3");
}

#[test]
fn the_stops_field_says_how_nx_stops() {
    // DBC-2: the tasks run, then nx exits 1 (never-connect-alone/nx-20.0.1).
    let r = resolve_on("20.0.1", r#"{ "neverConnectToCloud": true }"#);
    let stop = r.stops.expect("nx stops");
    assert_eq!(
        (stop.when, stop.exit_status, stop.rule.as_str()),
        (StopWhen::Running, 1, "DBC-2")
    );
    assert_eq!(stop.finding, "db-cache-fails-authentication");
    assert!(r.cache.is_none());
    // INP-4: at start-up, and first (numeric-token/nx-24.0.6).
    let r = resolve_on("24.0.6", r#"{ "nxCloudAccessToken": 12345 }"#);
    let stop = r.stops.expect("nx stops");
    assert_eq!(
        (stop.when, stop.rule.as_str()),
        (StopWhen::StartUp, "INP-4")
    );
    assert!(r.cache.is_none());
    // LEG-1: the runner module is not installed (legacy-nx-cloud-runner/nx-16.10.0).
    let r = resolve_on(
        "16.10.0",
        r#"{ "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "accessToken": "t" } } } }"#,
    );
    let stop = r.stops.expect("nx stops");
    assert_eq!(
        (stop.when, stop.rule.as_str(), stop.finding.as_str()),
        (StopWhen::StartUp, "LEG-1", "cloud-runner-not-installed")
    );
    // Every stop comes with its error finding.
    for r in [
        resolve_on("20.0.1", r#"{ "neverConnectToCloud": true }"#),
        resolve_on("16.10.0", "{}"),
    ] {
        let stop = r.stops.expect("nx stops");
        assert!(r
            .findings
            .iter()
            .any(|f| f.code == stop.finding && f.severity == Severity::Error));
    }
    // Nothing stops a plain workspace.
    assert!(resolve_on("20.0.6", "{}").stops.is_none());
}

#[test]
fn a_missing_nx_version_is_an_info_finding_that_names_the_version_assumed() {
    let r = resolve_credentials(&input("{}")).unwrap();
    let assumed: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.code == "nx-version-assumed")
        .collect();
    assert_eq!(assumed.len(), 1, "{:?}", r.findings);
    assert_eq!(assumed[0].severity, Severity::Info);
    assert!(assumed[0].message.contains(crate::version::NEWEST_KNOWN));
    assert_eq!(r.nx_version, crate::version::NEWEST_KNOWN);
    let mut given = input("{}");
    given.nx_version = Some("19.6.7".into());
    let r = resolve_credentials(&given).unwrap();
    assert!(r.findings.iter().all(|f| f.code != "nx-version-assumed"));
}

#[test]
fn tracked_files_are_normalised_and_unknown_names_refused() {
    let names = |list: &[&str]| Some(list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    assert_eq!(
        normalise_tracked_files(
            names(&["./.env", ".\\nx-cloud.env", "././nx.json", ".env.local"]).as_deref()
        ),
        Ok(names(&[".env", "nx-cloud.env", "nx.json", ".env.local"]))
    );
    assert_eq!(normalise_tracked_files(None), Ok(None));
    for bad in ["apps/a/.env", "package.json", "", "/.env", ".env/"] {
        let err = normalise_tracked_files(names(&[bad]).as_deref()).unwrap_err();
        assert_eq!(err.code(), "invalid-input");
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        assert!(err.to_string().contains("`nx-cloud.env`"), "{err}");
    }
    // `./.env` counts as the tracked `.env` (TOKF-2).
    let token = mint(
        "6f8e98f5-f5d6-4b57-afc3-b6d43131a6e5",
        AccessLevel::ReadWrite,
        true,
    );
    let mut i = input("{}");
    i.nx_version = Some("19.6.7".into());
    i.dot_env_files.insert(
        ".env".into(),
        format!("NX_CLOUD_ACCESS_TOKEN={}\n", token.expose()),
    );
    i.tracked_files = names(&["./.env"]);
    let r = resolve_credentials(&i).unwrap();
    assert!(r
        .findings
        .iter()
        .any(|f| f.code == "committed-read-write-token"));
}
