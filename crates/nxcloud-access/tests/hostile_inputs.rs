//! The bad inputs of the hostile-input table (docs/hardening.md), one test
//! (or more) per row: what each input gets, and that it crashes nothing, leaks no
//! secret and grants nothing. The large inputs (a 5 MB nx.json, 100,000
//! members) do the work at full size without timing it: the benchmark
//! states the time bound; here they prove no crash, no quadratic blow-up
//! that would hang the test, and correct answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use nxcloud_access::input::dotenv::{self, Flavour};
use nxcloud_access::input::nx_json;
use nxcloud_access::limits::{
    MAX_JSON_DEPTH, MAX_RESOLVE_INPUT_BYTES, MAX_SNAPSHOT_BYTES, MAX_TEXT_BYTES,
};
use nxcloud_access::resolve::{CredentialKind, NxcloudIni};
use nxcloud_access::{resolve_credentials, AccessControl, ErrorCode, ResolveInput};
use serde_json::{json, Value};

fn with_nx_json(text: &str) -> ResolveInput {
    ResolveInput {
        nx_version: Some("20.0.0".into()),
        nx_json: Some(text.to_owned()),
        ..ResolveInput::default()
    }
}

fn cloud_nx_json(token: &str) -> String {
    format!(
        r#"{{"tasksRunnerOptions": {{"default": {{"runner": "nx-cloud", "options": {{"accessToken": {}}}}}}}}}"#,
        serde_json::to_string(token).unwrap()
    )
}

fn shown(resolution: &nxcloud_access::Resolution) -> String {
    format!(
        "{resolution:?}\n{}\n{}",
        serde_json::to_string(&resolution.trace).unwrap(),
        serde_json::to_string(&resolution.findings).unwrap()
    )
}

/// An engine with one organization `acme` (admin `ann`) and one workspace.
fn engine() -> (AccessControl, String) {
    let mut ac = AccessControl::new();
    ac.call(
        "createUser",
        json!({"id": "ann", "email": "ann@example.com"}),
    )
    .unwrap();
    ac.call(
        "createOrganization",
        json!({"id": "acme", "name": "Acme", "creator": "ann"}),
    )
    .unwrap();
    let ws = ac
        .call(
            "createWorkspace",
            json!({"organization": "acme", "actor": "ann"}),
        )
        .unwrap();
    (ac, ws["nxCloudId"].as_str().unwrap().to_owned())
}

/// Runs a command that must be refused with `code`, and checks that it
/// changed nothing.
fn refused(ac: &mut AccessControl, method: &str, arg: Value, code: &str) -> String {
    let before = ac.to_json().unwrap();
    let err = ac.call(method, arg).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(
        ac.to_json().unwrap(),
        before,
        "a refused command changed the state"
    );
    err.to_string()
}

// ---------------------------------------------------------------- nx.json

#[test]
fn nx_json_that_is_not_an_object_reads_as_empty_with_a_warning() {
    for text in ["[]", "\"nx-cloud\"", "42", "null", "true"] {
        let r = resolve_credentials(&with_nx_json(text)).unwrap();
        assert_eq!(r.runner.name, "default", "{text}");
        assert!(r.access_token.is_none());
        let finding = r.findings.iter().find(|f| f.code == "wrong-type").unwrap();
        assert!(finding.message.contains("expects an object"), "{text}");
    }
}

#[test]
fn ten_megabytes_of_nesting_never_overflow_the_stack() {
    // Straight to the parser (no size limit there): the depth scan refuses
    // it before jsonc-parser recurses.
    let deep = "[".repeat(10 * 1000 * 1000);
    let err = nx_json::parse(&deep).unwrap_err();
    assert!(
        err.message.contains("nest deeper than 128"),
        "{}",
        err.message
    );
    assert_eq!(
        (err.location.line, err.location.column),
        (1, MAX_JSON_DEPTH + 1)
    );
    // Through the entry point it is also too large.
    let err = resolve_credentials(&with_nx_json(&deep)).unwrap_err();
    assert_eq!(err.code(), "invalid-input");
    assert!(err.to_string().contains("8388608 bytes"), "{err}");
    // 5 MB of nesting, within the size limit: invalid-nx-json, line and column.
    let deep = format!("{{\n  \"a\": {}", "{\"b\": ".repeat(5 * 1000 * 1000 / 6));
    let err = resolve_credentials(&with_nx_json(&deep)).unwrap_err();
    assert_eq!(err.code(), "invalid-nx-json");
    let at = err.location().unwrap();
    assert_eq!(at.line, 2);
    assert_eq!(at.column, 8 + 6 * (MAX_JSON_DEPTH - 1));
    assert!(err.to_string().contains("flatten the file"), "{err}");
}

#[test]
fn nesting_inside_strings_and_comments_does_not_count() {
    let brackets = "[".repeat(1000);
    let text = format!(
        "{{\n  // {brackets}\n  /* {brackets} */\n  \"x\": \"{brackets}\\\"{brackets}\",\n  \"nested\": {}1{}\n}}",
        "[".repeat(MAX_JSON_DEPTH - 1),
        "]".repeat(MAX_JSON_DEPTH - 1)
    );
    nx_json::parse(&text).unwrap();
    let too_deep = format!(
        "{}1{}",
        "[".repeat(MAX_JSON_DEPTH + 1),
        "]".repeat(MAX_JSON_DEPTH + 1)
    );
    assert!(nx_json::parse(&too_deep).is_err());
}

#[test]
fn invalid_utf8_never_reaches_the_engine() {
    // The API takes `&str`; the JSON boundary (wasm, CLI `--input`) refuses
    // bytes that are not UTF-8, and lone surrogates.
    let mut bytes = b"{\"nxJson\": \"{}".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    bytes.extend_from_slice(b"\"}");
    let err = serde_json::from_slice::<ResolveInput>(&bytes).unwrap_err();
    assert!(err.to_string().contains("invalid unicode"), "{err}");
    let err = serde_json::from_str::<ResolveInput>(r#"{"nxJson": "\ud800"}"#).unwrap_err();
    assert!(err.to_string().contains("escape"), "{err}");
    // A byte-order mark before nx.json: a syntax error at 1:1, with the
    // line and column like every other.
    let text = format!("\u{feff}{}", cloud_nx_json("bom-token-0123456789"));
    let err = resolve_credentials(&with_nx_json(&text)).unwrap_err();
    assert_eq!(err.code(), "invalid-nx-json");
    assert_eq!(err.location().map(|l| (l.line, l.column)), Some((1, 1)));
    assert!(!err.to_string().contains("bom-token"));
}

#[test]
fn oversized_texts_are_refused_before_parsing() {
    let big = " ".repeat(MAX_TEXT_BYTES + 1);
    for input in [
        ResolveInput {
            nx_json: Some(big.clone()),
            ..ResolveInput::default()
        },
        ResolveInput {
            nx_cloud_env: Some(big.clone()),
            ..ResolveInput::default()
        },
        ResolveInput {
            dot_env_files: [(".env".to_owned(), big.clone())].into(),
            ..ResolveInput::default()
        },
        ResolveInput {
            nxcloud_ini: Some(NxcloudIni {
                path: "/home/a/.config/nxcloud/nxcloud.ini".into(),
                text: big.clone(),
            }),
            ..ResolveInput::default()
        },
    ] {
        let err = resolve_credentials(&input).unwrap_err();
        assert_eq!(err.code(), "invalid-input");
        assert!(err.to_string().contains("limit of 8388608 bytes"), "{err}");
    }
    // Many texts under the limit each, too large together.
    let env: BTreeMap<String, String> = (0..5)
        .map(|i| (format!("V{i}"), "x".repeat(MAX_RESOLVE_INPUT_BYTES / 4)))
        .collect();
    let err = resolve_credentials(&ResolveInput {
        env,
        ..ResolveInput::default()
    })
    .unwrap_err();
    assert_eq!(err.code(), "invalid-input");
    assert!(err.to_string().contains("32 MiB"), "{err}");
}

#[test]
fn a_five_megabyte_nx_json_resolves_linearly() {
    // 60,000 runner entries, each with a committed token: every entry is
    // type-checked and scanned for tokens (one finding each).
    let mut text = String::from("{\n  \"tasksRunnerOptions\": {\n");
    let n = 60_000;
    for i in 0..n {
        text.push_str(&format!(
            "    \"r{i}\": {{\"runner\": \"nx-cloud\", \"options\": {{\"accessToken\": \"tok-{i:06}-abcdefghijklmnopqrstu\", \"url\": \"https://cloud{i}.example\"}}}},\n"
        ));
    }
    text.push_str("    \"default\": {\"runner\": \"nx-cloud\", \"options\": {\"accessToken\": \"the-default-token-0123456789\"}}\n  }\n}\n");
    assert!(
        text.len() > 5_000_000 && text.len() < MAX_TEXT_BYTES,
        "{}",
        text.len()
    );
    let r = resolve_credentials(&with_nx_json(&text)).unwrap();
    let token = r.access_token.as_ref().unwrap();
    assert_eq!(token.value.expose(), "the-default-token-0123456789");
    assert_eq!(
        token.source,
        "nx.json:tasksRunnerOptions.default.options.accessToken"
    );
    let committed = r
        .findings
        .iter()
        .filter(|f| f.code.starts_with("committed"))
        .count();
    assert_eq!(committed, n + 1);
    assert!(!shown(&r).contains("abcdefghijklmnopqrstu"));
}

#[test]
fn duplicate_keys_in_nx_json_keep_the_last_value() {
    let text = r#"{"tasksRunnerOptions": {"default": {"runner": "nx-cloud", "options": {"accessToken": "first-token-0123456789", "accessToken": "second-token-0123456789"}}}}"#;
    let r = resolve_credentials(&with_nx_json(text)).unwrap();
    assert_eq!(
        r.access_token.unwrap().value.expose(),
        "second-token-0123456789"
    );
}

// ---------------------------------------------------------------- tokens

#[test]
fn a_token_with_newlines_is_sent_as_written_and_never_shown() {
    let token = "line-one-secret-0123\nline-two-secret-4567\r\n";
    let r = resolve_credentials(&with_nx_json(&cloud_nx_json(token))).unwrap();
    let sent = r.access_token.as_ref().unwrap();
    assert_eq!(sent.value.expose(), token);
    assert_eq!(sent.redacted, "line…");
    let out = shown(&r);
    assert!(
        !out.contains("line-two-secret") && !out.contains("line-one-secret"),
        "{out}"
    );
    // The permission engine: such a token is unknown (refused, 401), and a
    // name with a newline is refused.
    let (mut ac, ws) = engine();
    let d = ac
        .call(
            "authorizeRunner",
            json!({"nxCloudId": ws, "accessToken": token, "action": "read-cache"}),
        )
        .unwrap();
    assert_eq!(d["allowed"], false);
    assert_eq!(d["unauthenticated"], true);
    refused(
        &mut ac,
        "createCiAccessToken",
        json!({"workspace": ws, "actor": "ann", "name": "ci\nprod", "access": "read-only"}),
        "invalid-input",
    );
}

#[test]
fn a_token_pasted_into_a_name_is_refused_and_masked() {
    let (mut ac, ws) = engine();
    let created = ac
        .call(
            "createCiAccessToken",
            json!({"workspace": ws, "actor": "ann", "name": "ci", "access": "read-write"}),
        )
        .unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    for (method, arg) in [
        (
            "createCiAccessToken",
            json!({"workspace": ws, "actor": "ann", "name": format!("copy of {secret}"), "access": "read-only"}),
        ),
        (
            "createPersonalAccessToken",
            json!({"user": "ann", "name": secret}),
        ),
        (
            "createUser",
            json!({"id": secret, "email": "x@example.com"}),
        ),
    ] {
        let message = refused(&mut ac, method, arg, "invalid-input");
        assert!(!message.contains(&secret), "{message}");
        assert!(message.contains("looks like an access token"), "{message}");
    }
}

// ---------------------------------------------------------------- PAT file

#[test]
fn ini_sections_with_escaped_and_unescaped_dots() {
    let pat = "nxpat-file-secret-0123456789";
    let input = |section: &str| {
        ResolveInput {
        nx_version: Some("20.0.0".into()),
        nx_json: Some(
            r#"{"nxCloudId": "65f0a1b2c3d4e5f6a7b8c9d0", "tasksRunnerOptions": {"default": {"runner": "nx-cloud"}}}"#
                .into(),
        ),
        nxcloud_ini: Some(NxcloudIni {
            path: "/home/a/.config/nxcloud/nxcloud.ini".into(),
            text: format!("[{section}]\npersonalAccessToken={pat}\n"),
        }),
        ..ResolveInput::default()
    }
    };
    // Escaped: the npm `ini` library files it under the URL, found.
    let r = resolve_credentials(&input(r"https://cloud\.nx\.app")).unwrap();
    assert_eq!(r.credential, CredentialKind::PersonalAccessToken);
    assert_eq!(
        r.personal_access_token.as_ref().unwrap().value.expose(),
        pat
    );
    // Unescaped: split into nested sections, never found; a warning says so.
    let r = resolve_credentials(&input("https://cloud.nx.app")).unwrap();
    assert_eq!(r.credential, CredentialKind::WorkspaceId);
    assert!(r
        .findings
        .iter()
        .any(|f| f.code == "pat-section-never-matched"));
    // Mixed: one unescaped dot is enough to split it.
    let r = resolve_credentials(&input(r"https://cloud\.nx.app")).unwrap();
    assert!(r.personal_access_token.is_none());
    assert!(!shown(&r).contains(pat));
    // A file that is not ini at all: a finding, no crash.
    let mut broken = input("x");
    broken.nxcloud_ini.as_mut().unwrap().text = "[unterminated\npersonalAccessToken=abc".into();
    let r = resolve_credentials(&broken).unwrap();
    assert!(
        r.findings.iter().any(|f| f.code == "pat-file-unreadable"),
        "{:?}",
        r.findings
    );
}

// ---------------------------------------------------------------- dotenv

#[test]
fn a_dotenv_line_with_an_unterminated_quote() {
    let text = "NX_CLOUD_ACCESS_TOKEN=\"abc-secret-0123456789\nNEXT=1\n";
    // Nx's parser (dotenv 16): no closing quote, so the unquoted alternative
    // reads the rest of the line, opening quote included.
    let nx = dotenv::parse(text, Flavour::Nx);
    assert_eq!(
        nx.get("NX_CLOUD_ACCESS_TOKEN"),
        Some("\"abc-secret-0123456789")
    );
    assert_eq!(nx.get("NEXT"), Some("1"));
    // The client's parser (dotenv 10): the same, line by line.
    let client = dotenv::parse(text, Flavour::Client);
    assert_eq!(
        client.get("NX_CLOUD_ACCESS_TOKEN"),
        Some("\"abc-secret-0123456789")
    );
    // A quote that closes many lines later spans them (Nx's flavour).
    let spanning = dotenv::parse("A='one\nB=two'\nC=3", Flavour::Nx);
    assert_eq!(spanning.get("A"), Some("one\nB=two"));
    assert_eq!(spanning.get("B"), None);
    assert_eq!(spanning.get("C"), Some("3"));
}

#[test]
fn a_dotenv_expansion_bomb_is_refused() {
    // Each level references the previous one 64 times: 64^6 characters.
    let mut text = String::from("L0=xxxxxxxxxxxxxxxx\n");
    for level in 1..=6 {
        text.push_str(&format!(
            "L{level}={}\n",
            format!("${{L{}}}", level - 1).repeat(64)
        ));
    }
    let input = ResolveInput {
        dot_env_files: [(".env".to_owned(), text)].into(),
        ..ResolveInput::default()
    };
    let err = resolve_credentials(&input).unwrap_err();
    assert_eq!(err.code(), "invalid-input");
    assert!(err.to_string().contains("write the values out"), "{err}");
}

#[test]
fn a_five_megabyte_dotenv_file_parses_linearly() {
    // 400,000 distinct keys: a lookup per key must not scan the others.
    let text: String = (0..400_000).map(|i| format!("KEY_{i}=v{i}\n")).collect();
    assert!(text.len() > 5_000_000);
    for flavour in [Flavour::Nx, Flavour::Client] {
        let parsed = dotenv::parse(&text, flavour);
        assert_eq!(parsed.entries.len(), 400_000);
        assert_eq!(parsed.get("KEY_399999"), Some("v399999"));
    }
    let env = dotenv::load_environment(&BTreeMap::new(), &[(".env".to_owned(), text)].into());
    assert_eq!(env.value("KEY_123456"), Some("v123456"));
    assert!(!env.expansion_limited);
}

// ---------------------------------------------------------------- versions

#[test]
fn version_strings_that_are_not_exact_versions() {
    for text in [
        "latest", "19.x", "^19.0.0", "", "19", "v19.0.0x", "19.0.0.0", "next",
    ] {
        let mut input = with_nx_json("{}");
        input.nx_version = Some(text.into());
        let err = resolve_credentials(&input).unwrap_err();
        assert_eq!(err.code(), "invalid-nx-version", "{text}");
    }
}

// ---------------------------------------------------------------- snapshots

#[test]
fn a_snapshot_from_a_newer_format_is_unsupported() {
    let (ac, _) = engine();
    let mut snapshot: Value = serde_json::from_str(&ac.to_json().unwrap()).unwrap();
    snapshot["version"] = json!(2);
    snapshot["somethingNew"] = json!(true);
    let err = AccessControl::from_json(&snapshot.to_string()).unwrap_err();
    assert_eq!(err.code(), "unsupported-snapshot");
    assert!(err.to_string().contains("upgrade nxcloud-access"));
}

#[test]
fn a_tampered_snapshot_holding_a_plaintext_token_is_refused() {
    let (mut ac, ws) = engine();
    let created = ac
        .call(
            "createCiAccessToken",
            json!({"workspace": ws, "actor": "ann", "name": "ci", "access": "read-only"}),
        )
        .unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    let written = ac.to_json().unwrap();
    assert!(!written.contains(&secret));
    // The token in place of its hash, in a name, escaped in JSON.
    let hash = written.split("\"sha256\":\"").nth(1).unwrap()[..64].to_owned();
    let escaped = secret.replace('_', "\\u005f");
    for tampered in [
        written.replace(&hash, &secret),
        written.replace("\"name\":\"ci\"", &format!("\"name\":\"{secret}\"")),
        written.replace("\"name\":\"ci\"", &format!("\"name\":\"{escaped}\"")),
    ] {
        let err = AccessControl::from_json(&tampered).unwrap_err();
        assert_eq!(err.code(), "invalid-input", "{err}");
        assert!(!format!("{err} {err:?}").contains(&secret), "{err}");
    }
    // Untampered, it restores.
    assert!(AccessControl::from_json(&written).unwrap() == ac);
}

#[test]
fn malformed_snapshots_are_refused_with_invalid_input() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for text in [
        "",
        "[]",
        "{\"version\": \"1\"}",
        "{\"version\": -1}",
        "{\"version\": 1}",
        &deep,
    ] {
        let err = AccessControl::from_json(text).unwrap_err();
        assert_eq!(err.code(), "invalid-input", "{text:.20}: {err}");
    }
    let huge = " ".repeat(MAX_SNAPSHOT_BYTES + 1);
    let err = AccessControl::from_json(&huge).unwrap_err();
    assert_eq!(err.code(), "invalid-input");
    assert!(err.to_string().contains("256 MiB"), "{err}");
}

#[test]
fn duplicate_ids_are_conflicts_and_duplicate_snapshot_entries_are_refused() {
    let (mut ac, _) = engine();
    refused(
        &mut ac,
        "createUser",
        json!({"id": "ann", "email": "other@example.com"}),
        "conflict",
    );
    refused(
        &mut ac,
        "createUser",
        json!({"id": "ann2", "email": "ANN@example.com"}),
        "conflict",
    );
    refused(
        &mut ac,
        "createOrganization",
        json!({"id": "acme", "name": "Again", "creator": "ann"}),
        "conflict",
    );
    let written: Value = serde_json::from_str(&ac.to_json().unwrap()).unwrap();
    let mut doubled = written.clone();
    let user = doubled["users"][0].clone();
    doubled["users"].as_array_mut().unwrap().push(user);
    let err = AccessControl::from_json(&doubled.to_string()).unwrap_err();
    assert_eq!(err.code(), "invalid-input");
    assert!(err.to_string().contains("appears twice"), "{err}");
}

#[test]
fn token_names_stay_unique_in_commands_and_snapshots() {
    let (mut ac, ws) = engine();
    let arg = json!({"workspace": ws, "actor": "ann", "name": "ci", "access": "read-only"});
    ac.call("createCiAccessToken", arg.clone()).unwrap();
    refused(&mut ac, "createCiAccessToken", arg, "conflict");
    ac.call(
        "createPersonalAccessToken",
        json!({"user": "ann", "name": "laptop"}),
    )
    .unwrap();
    refused(
        &mut ac,
        "createPersonalAccessToken",
        json!({"user": "ann", "name": "laptop"}),
        "conflict",
    );
    // A snapshot edited to hold two live tokens of one name is refused.
    let written: Value = serde_json::from_str(&ac.to_json().unwrap()).unwrap();
    for (list, owner, kind) in [
        ("workspaces", "ciAccessTokens", "ci"),
        ("users", "personalAccessTokens", "pat"),
    ] {
        let tokens = written[list][0][owner].as_array().unwrap();
        assert_eq!(tokens.len(), 1, "{written}");
        // A consistent twin: a fresh id, sequence number and hash; one name.
        let seq = 99;
        let mut twin = tokens[0].clone();
        twin["id"] = json!(format!("{kind}-{seq}"));
        twin["seq"] = json!(seq);
        twin["sha256"] = json!("ab".repeat(32));
        let mut doubled = written.clone();
        doubled["nextTokenSeq"] = json!(seq + 1);
        doubled[list][0][owner].as_array_mut().unwrap().push(twin);
        let err = AccessControl::from_json(&doubled.to_string()).unwrap_err();
        assert_eq!(err.code(), "invalid-input", "{err}");
        assert!(err.to_string().contains("with one name"), "{err}");
    }
}

#[test]
fn one_hundred_thousand_ci_tokens_in_one_workspace() {
    // Each creation checks the name against the workspace's live tokens: by
    // an index, so creating n tokens is linear (it was quadratic: a scan).
    let (mut ac, ws) = engine();
    let mut last = Value::Null;
    for i in 0..100_000 {
        last = ac
            .call(
                "createCiAccessToken",
                json!({"workspace": ws, "actor": "ann", "name": format!("t{i}"), "access": "read-write"}),
            )
            .unwrap();
    }
    let listed = ac
        .call(
            "listCiAccessTokens",
            json!({"workspace": ws, "actor": "ann"}),
        )
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 100_000);
    let decision = ac
        .call(
            "authorizeRunner",
            json!({"nxCloudId": ws, "accessToken": last["token"], "action": "write-cache"}),
        )
        .unwrap();
    assert_eq!(decision["allowed"], true, "{decision}");
}

// ---------------------------------------------------------------- emails, domains

#[test]
fn an_email_with_two_at_signs_is_refused() {
    let (mut ac, _) = engine();
    for email in [
        "a@b@example.com",
        "@example.com",
        "ann@",
        "ann",
        "a b@example.com",
    ] {
        refused(
            &mut ac,
            "createUser",
            json!({"id": "x", "email": email}),
            "invalid-input",
        );
        refused(
            &mut ac,
            "invite",
            json!({"organization": "acme", "actor": "ann", "email": email, "role": "member"}),
            "invalid-input",
        );
    }
}

#[test]
fn a_domain_invite_for_a_top_level_domain_is_refused() {
    let (mut ac, _) = engine();
    for domain in [
        "com",
        "@example.com",
        ".com",
        "example..com",
        "-a.com",
        "ex ample.com",
        "",
    ] {
        let message = refused(
            &mut ac,
            "invite",
            json!({"organization": "acme", "actor": "ann", "domain": domain, "role": "admin"}),
            "invalid-input",
        );
        if domain == "com" {
            assert!(message.contains("bare top-level domain"), "{message}");
        }
    }
}

#[test]
fn oversized_ids_and_unknown_fields_are_refused() {
    let (mut ac, _) = engine();
    refused(
        &mut ac,
        "createUser",
        json!({"id": "x".repeat(201), "email": "x@example.com"}),
        "invalid-input",
    );
    refused(
        &mut ac,
        "createUser",
        json!({"id": "x", "email": "x@example.com", "admin": true}),
        "invalid-input",
    );
    refused(&mut ac, "createUser", json!([1, 2]), "invalid-input");
    refused(&mut ac, "dropDatabase", json!({}), "invalid-input");
}

// ---------------------------------------------------------------- scale

#[test]
fn one_hundred_thousand_members() {
    let n = 100_000;
    let (mut ac, ws) = engine();
    ac.call(
        "invite",
        json!({"organization": "acme", "actor": "ann", "domain": "corp.example", "role": "member"}),
    )
    .unwrap();
    for i in 0..n {
        let id = format!("user{i}");
        ac.call(
            "createUser",
            json!({"id": id, "email": format!("{id}@corp.example")}),
        )
        .unwrap();
        ac.call("join", json!({"organization": "acme", "user": id}))
            .unwrap();
    }
    let web = |ac: &mut AccessControl, user: &str| {
        ac.call(
            "authorizeWeb",
            json!({"user": user, "organization": "acme", "action": "view-runs"}),
        )
        .unwrap()["allowed"]
            .clone()
    };
    assert_eq!(web(&mut ac, "user99999"), true);
    ac.call(
        "removeMember",
        json!({"organization": "acme", "actor": "ann", "user": "user5"}),
    )
    .unwrap();
    let after = ac
        .call(
            "authorizeWeb",
            json!({"user": "user5", "organization": "acme", "action": "view-runs"}),
        )
        .unwrap();
    assert_eq!(after["allowed"], false, "{after}");
    // The snapshot of 100,001 users and memberships: about 15 MB, far under
    // the limit, and it restores to an equal engine.
    let written = ac.to_json().unwrap();
    assert!(written.len() < 20_000_000, "{}", written.len());
    let restored = AccessControl::from_json(&written).unwrap();
    assert!(restored == ac);
    // Decisions on the runner plane are unaffected by the organization's size.
    ac.call(
        "setWorkspaceIdAccess",
        json!({"workspace": ws, "actor": "ann", "level": "read-only"}),
    )
    .unwrap();
    let d = ac
        .call(
            "authorizeRunner",
            json!({"nxCloudId": ws, "action": "write-cache"}),
        )
        .unwrap();
    assert_eq!(d["allowed"], false);
    assert_eq!(d["rule"], "WSID-3");
}

#[test]
fn large_dotenv_values_without_references_are_not_an_expansion_bomb() {
    // Three root files of 7 MB of values: 21 MB read once, more than the
    // expansion budget, which counts only re-expansion and substitution.
    let file = |tag: &str| -> String {
        (0..7)
            .map(|i| format!("{tag}_{i}={}\n", "v".repeat(1_000_000)))
            .collect()
    };
    let files: BTreeMap<String, String> = [".env", ".env.local", ".local.env"]
        .iter()
        .map(|name| (name.to_string(), file(&name.replace('.', "_"))))
        .collect();
    let env = dotenv::load_environment(&BTreeMap::new(), &files);
    assert!(!env.expansion_limited);
    assert_eq!(env.value("_env_6").map(str::len), Some(1_000_000));
}
