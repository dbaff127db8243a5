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
