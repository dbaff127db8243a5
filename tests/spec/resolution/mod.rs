//! Steps of the resolution features (part 1).
//!
//! Given steps build the CONTRACT input object of `resolveCredentials`; the
//! When step sends it through `world.driver.resolve` (never the Rust core, so
//! the same features run against the npm package); Then steps read the
//! returned JSON. Tokens are named in the features (`"A"`) and minted here in
//! the TOKF-1 shape; `{A}` in a docstring or a value stands for token `A`.

use std::collections::BTreeMap;

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use nxcloud_access_spec::Failure;
use serde_json::{json, Map, Value};

use crate::SpecWorld;

/// Inputs gathered by the Given steps, and the last answer.
#[derive(Debug, Default)]
pub struct State {
    input: Map<String, Value>,
    /// Token name -> minted token.
    tokens: BTreeMap<String, String>,
    last: Option<Result<Value, Failure>>,
}

impl State {
    /// Replaces `{NAME}` by the token minted under that name.
    fn expand(&self, text: &str) -> String {
        self.tokens
            .iter()
            .fold(text.to_owned(), |acc, (name, token)| {
                acc.replace(&format!("{{{name}}}"), token)
            })
    }

    /// A token by its name, or the text itself when no token has that name.
    fn token(&self, name: &str) -> String {
        self.tokens
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.expand(name))
    }

    fn set(&mut self, key: &str, value: Value) {
        self.input.insert(key.to_owned(), value);
    }

    fn object(&mut self, key: &str) -> &mut Map<String, Value> {
        let slot = self
            .input
            .entry(key.to_owned())
            .or_insert_with(|| json!({}));
        slot.as_object_mut().expect("an object field of the input")
    }

    fn answer(&self) -> &Value {
        match &self.last {
            Some(Ok(value)) => value,
            Some(Err(failure)) => panic!("the resolution failed: {failure}"),
            None => panic!("no `When the credentials are resolved` step ran"),
        }
    }

    fn failure(&self) -> &Failure {
        match &self.last {
            Some(Err(failure)) => failure,
            Some(Ok(value)) => panic!("the resolution succeeded: {value:#}"),
            None => panic!("no `When the credentials are resolved` step ran"),
        }
    }
}

fn docstring(step: &Step) -> String {
    let text = step.docstring.clone().expect("this step needs a docstring");
    // Gherkin keeps the line break after the opening `"""`: drop it, so that
    // line numbers count from the docstring's first line.
    text.strip_prefix('\n').map(str::to_owned).unwrap_or(text)
}

/// A UUID derived from a name, so that every token name gives its own token.
fn uuid_for(name: &str) -> String {
    let hex: String = name
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .chain("0123456789abcdef".chars().cycle())
        .take(32)
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------- Given

#[given(regex = r#"^an? (read-write|read-only|read) access token "([^"]+)"( without padding)?$"#)]
fn minted_token(world: &mut SpecWorld, level: String, name: String, unpadded: String) {
    let mut token = base64(format!("{}|{level}", uuid_for(&name)).as_bytes());
    if !unpadded.is_empty() {
        token = token.trim_end_matches('=').to_owned();
    }
    world.resolution.tokens.insert(name, token);
}

#[given(regex = r#"^an access token "([^"]+)" of an unknown shape$"#)]
fn opaque_token(world: &mut SpecWorld, name: String) {
    let token = format!("opaque-{name}-token-0123456789");
    world.resolution.tokens.insert(name, token);
}

#[given(regex = r"^Nx (\S+) is installed$")]
fn nx_installed(world: &mut SpecWorld, version: String) {
    world.resolution.set("nxVersion", json!(version));
}

#[given(regex = r#"^the Nx version is given as "([^"]*)"$"#)]
fn nx_version_text(world: &mut SpecWorld, version: String) {
    world.resolution.set("nxVersion", json!(version));
}

#[given(expr = "an nx.json containing:")]
fn nx_json(world: &mut SpecWorld, step: &Step) {
    let text = world.resolution.expand(&docstring(step));
    world.resolution.set("nxJson", json!(text));
}

#[given(regex = r#"^an nx.json containing exactly "([^"]*)"$"#)]
fn nx_json_inline(world: &mut SpecWorld, text: String) {
    world.resolution.set("nxJson", json!(text));
}

#[given(expr = "the workspace has no nx.json")]
fn no_nx_json(world: &mut SpecWorld) {
    world.resolution.set("nxJson", Value::Null);
}

#[given(regex = r#"^the environment variable "([^"]+)" is set to "([^"]*)"$"#)]
fn env_var(world: &mut SpecWorld, name: String, value: String) {
    let value = world.resolution.expand(&value);
    world.resolution.object("env").insert(name, json!(value));
}

#[given(regex = r#"^a file "nx-cloud.env" containing:$"#)]
fn nx_cloud_env(world: &mut SpecWorld, step: &Step) {
    let text = world.resolution.expand(&docstring(step));
    world.resolution.set("nxCloudEnv", json!(text));
}

#[given(regex = r#"^a root file "([^"]+)" containing:$"#)]
fn dot_env_file(world: &mut SpecWorld, name: String, step: &Step) {
    let text = world.resolution.expand(&docstring(step));
    world
        .resolution
        .object("dotEnvFiles")
        .insert(name, json!(text));
}

#[given(regex = r#"^the "([^"]+)" package (\S+) is installed$"#)]
fn client_installed(world: &mut SpecWorld, package: String, version: String) {
    world
        .resolution
        .set("cloudClient", json!(format!("{package}@{version}")));
}

#[given(regex = r#"^the installed cloud client is given as "([^"]*)"$"#)]
fn client_text(world: &mut SpecWorld, text: String) {
    world.resolution.set("cloudClient", json!(text));
}

#[given(regex = r#"^nx is run with --runner "([^"]*)"$"#)]
fn runner_arg(world: &mut SpecWorld, runner: String) {
    world.resolution.set("runner", json!(runner));
}

#[given(regex = r#"^git tracks "([^"]+)"$"#)]
fn git_tracks(world: &mut SpecWorld, file: String) {
    let slot = world
        .resolution
        .input
        .entry("trackedFiles")
        .or_insert_with(|| json!([]));
    slot.as_array_mut()
        .expect("trackedFiles is an array")
        .push(json!(file));
}

#[given(regex = r#"^the personal access token file "([^"]+)" containing:$"#)]
fn pat_file(world: &mut SpecWorld, path: String, step: &Step) {
    let text = world.resolution.expand(&docstring(step));
    world
        .resolution
        .set("nxcloudIni", json!({ "path": path, "text": text }));
}

// ---------------------------------------------------------------- When

#[when(expr = "the credentials are resolved")]
fn resolve(world: &mut SpecWorld) {
    let mut input = world.resolution.input.clone();
    input.entry("nxJson").or_insert(Value::Null);
    let answer = world.driver.resolve(&Value::Object(input));
    world.resolution.last = Some(answer);
}

// ---------------------------------------------------------------- Then

fn sourced<'a>(answer: &'a Value, field: &str) -> &'a Value {
    answer
        .get(field)
        .unwrap_or_else(|| panic!("no field `{field}` in {answer:#}"))
}

fn assert_sourced(answer: &Value, field: &str, value: &str, source: &str) {
    let got = sourced(answer, field);
    assert_eq!(
        got.get("value").and_then(Value::as_str),
        Some(value),
        "{field} in {answer:#}"
    );
    assert_eq!(
        got.get("source").and_then(Value::as_str),
        Some(source),
        "{field} in {answer:#}"
    );
}

#[then(regex = r#"^the access token is "([^"]*)" from "([^"]+)"$"#)]
fn access_token_is(world: &mut SpecWorld, name: String, source: String) {
    let token = world.resolution.token(&name);
    let answer = world.resolution.answer();
    assert_sourced(answer, "accessToken", &token, &source);
    let redacted = sourced(answer, "accessToken")
        .get("redacted")
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(
        token.len() < 12 || !redacted.contains(&token),
        "redacted shows the token"
    );
}

#[then(regex = r#"^the access token comes from "([^"]+)"$"#)]
fn access_token_source(world: &mut SpecWorld, source: String) {
    let answer = world.resolution.answer();
    let got = sourced(answer, "accessToken");
    if source == "nowhere" {
        assert!(got.is_null(), "expected no token in {answer:#}");
    } else {
        assert_eq!(
            got.get("source").and_then(Value::as_str),
            Some(source.as_str()),
            "{answer:#}"
        );
    }
}

#[then(expr = "no access token is sent")]
fn no_access_token(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(sourced(answer, "accessToken").is_null(), "{answer:#}");
}

#[then(expr = "Nx Cloud is not used")]
fn cloud_not_used(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert_eq!(answer["nxCloudUsed"], json!(false), "{answer:#}");
    assert_eq!(answer["runner"]["cloud"], json!(false), "{answer:#}");
    assert!(answer["accessToken"].is_null(), "{answer:#}");
    assert_eq!(answer["credential"], json!("none"), "{answer:#}");
}

#[then(regex = r#"^Nx reports the workspace (connected|not connected)$"#)]
fn reports_connected(world: &mut SpecWorld, state: String) {
    let answer = world.resolution.answer();
    assert_eq!(
        answer["nxCloudUsed"],
        json!(state == "connected"),
        "{answer:#}"
    );
}

#[then(regex = r#"^Nx reports the workspace connected: "(yes|no)"$"#)]
fn reports_connected_table(world: &mut SpecWorld, yes: String) {
    let answer = world.resolution.answer();
    assert_eq!(answer["nxCloudUsed"], json!(yes == "yes"), "{answer:#}");
}

#[then(regex = r#"^the Nx Cloud runner (runs|does not run)$"#)]
fn cloud_runner_runs(world: &mut SpecWorld, runs: String) {
    let answer = world.resolution.answer();
    assert_eq!(
        answer["runner"]["cloud"],
        json!(runs == "runs"),
        "{answer:#}"
    );
}

#[then(regex = r#"^the Nx Cloud runner runs: "(yes|no)"$"#)]
fn cloud_runner_runs_table(world: &mut SpecWorld, yes: String) {
    let answer = world.resolution.answer();
    assert_eq!(answer["runner"]["cloud"], json!(yes == "yes"), "{answer:#}");
}

#[then(regex = r#"^the runner is "([^"]+)" with module "([^"]+)"$"#)]
fn runner_is(world: &mut SpecWorld, name: String, module: String) {
    let answer = world.resolution.answer();
    assert_eq!(answer["runner"]["name"], json!(name), "{answer:#}");
    assert_eq!(answer["runner"]["module"], json!(module), "{answer:#}");
}

#[then(regex = r#"^the nxCloudId is "([^"]*)" from "([^"]+)"$"#)]
fn nx_cloud_id_is(world: &mut SpecWorld, id: String, source: String) {
    assert_sourced(world.resolution.answer(), "nxCloudId", &id, &source);
}

#[then(expr = "no nxCloudId is sent")]
fn no_nx_cloud_id(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(answer["nxCloudId"].is_null(), "{answer:#}");
}

#[then(regex = r#"^the API URL is "([^"]*)" from "([^"]+)"$"#)]
fn api_url_is(world: &mut SpecWorld, url: String, source: String) {
    assert_sourced(world.resolution.answer(), "apiUrl", &url, &source);
}

#[then(expr = "there is no API URL")]
fn no_api_url(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(answer["apiUrl"].is_null(), "{answer:#}");
}

#[then(regex = r#"^the app URL is "([^"]*)" from "([^"]+)"$"#)]
fn app_url_is(world: &mut SpecWorld, url: String, source: String) {
    assert_sourced(world.resolution.answer(), "appUrl", &url, &source);
}

#[then(expr = "there is no app URL")]
fn no_app_url(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(answer["appUrl"].is_null(), "{answer:#}");
}

#[then(regex = r#"^the credential is "([^"]+)"$"#)]
fn credential_is(world: &mut SpecWorld, kind: String) {
    let answer = world.resolution.answer();
    assert_eq!(answer["credential"], json!(kind), "{answer:#}");
}

#[then(regex = r#"^the personal access token is "([^"]*)" from "([^"]+)"$"#)]
fn pat_is(world: &mut SpecWorld, token: String, source: String) {
    assert_sourced(
        world.resolution.answer(),
        "personalAccessToken",
        &token,
        &source,
    );
}

#[then(expr = "no personal access token applies")]
fn no_pat(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(answer["personalAccessToken"].is_null(), "{answer:#}");
}

#[then(regex = r#"^the result is (inferred|not inferred)$"#)]
fn inferred(world: &mut SpecWorld, which: String) {
    let answer = world.resolution.answer();
    assert_eq!(answer["inferred"], json!(which == "inferred"), "{answer:#}");
}

#[then(regex = r#"^the result is inferred: "(yes|no)"$"#)]
fn inferred_table(world: &mut SpecWorld, yes: String) {
    let answer = world.resolution.answer();
    assert_eq!(answer["inferred"], json!(yes == "yes"), "{answer:#}");
}

fn findings(answer: &Value) -> Vec<Value> {
    answer["findings"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no findings array in {answer:#}"))
}

fn finding<'a>(list: &'a [Value], code: &str) -> Option<&'a Value> {
    list.iter().find(|f| f["code"] == json!(code))
}

#[then(regex = r#"^there is a finding "([^"]+)" of severity "(error|warning|info)"$"#)]
fn has_finding(world: &mut SpecWorld, code: String, severity: String) {
    let answer = world.resolution.answer();
    let list = findings(answer);
    let found = finding(&list, &code)
        .unwrap_or_else(|| panic!("no finding `{code}` in {:#}", answer["findings"]));
    assert_eq!(found["severity"], json!(severity), "{found:#}");
    for field in ["message", "fix"] {
        assert!(
            found[field].as_str().is_some_and(|s| !s.is_empty()),
            "finding without {field}: {found:#}"
        );
    }
}

#[then(regex = r#"^there is no finding "([^"]+)"$"#)]
fn no_finding(world: &mut SpecWorld, code: String) {
    let answer = world.resolution.answer();
    let list = findings(answer);
    assert!(finding(&list, &code).is_none(), "{:#}", answer["findings"]);
}

#[then(regex = r#"^the finding "([^"]+)" (?:mentions|suggests) "([^"]+)"$"#)]
fn finding_mentions(world: &mut SpecWorld, code: String, text: String) {
    let answer = world.resolution.answer();
    let list = findings(answer);
    let found = finding(&list, &code)
        .unwrap_or_else(|| panic!("no finding `{code}` in {:#}", answer["findings"]));
    let all = format!(
        "{} {}",
        found["message"].as_str().unwrap_or_default(),
        found["fix"].as_str().unwrap_or_default()
    );
    assert!(all.contains(&text), "`{text}` not in {found:#}");
}

#[then(regex = r#"^there are no findings of severity "(error|warning)"$"#)]
fn no_findings_of(world: &mut SpecWorld, severity: String) {
    let answer = world.resolution.answer();
    let list = findings(answer);
    assert!(
        list.iter().all(|f| f["severity"] != json!(severity)),
        "{list:#?}"
    );
}

fn trace_step<'a>(answer: &'a Value, source: &str) -> Vec<&'a Value> {
    answer["trace"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .filter(|s| s["source"] == json!(source))
                .collect()
        })
        .unwrap_or_default()
}

#[then(
    regex = r#"^the trace shows "([^"]+)" as (used|shadowed|ignored|absent)(?: by rule "([^"]+)")?$"#
)]
fn trace_shows(world: &mut SpecWorld, source: String, outcome: String, rule: String) {
    let answer = world.resolution.answer();
    let steps = trace_step(answer, &source);
    let matched = steps
        .iter()
        .any(|s| s["outcome"] == json!(outcome) && (rule.is_empty() || s["rule"] == json!(rule)));
    assert!(
        matched,
        "no `{outcome}` step for `{source}` (rule `{rule}`) in {:#}",
        answer["trace"]
    );
}

#[then(regex = r#"^the trace and the findings never show the token "([^"]+)"$"#)]
fn never_shows(world: &mut SpecWorld, name: String) {
    let token = world.resolution.token(&name);
    let answer = world.resolution.answer();
    for field in ["trace", "findings"] {
        let text = answer[field].to_string();
        assert!(!text.contains(&token), "{field} shows the token: {text}");
    }
    let redacted = answer["accessToken"]["redacted"].to_string();
    assert!(!redacted.contains(&token), "redacted shows the token");
}

#[then(regex = r#"^the resolution fails with "([^"]+)"$"#)]
fn fails_with(world: &mut SpecWorld, code: String) {
    let failure = world.resolution.failure();
    assert_eq!(failure.code, code, "{failure}");
    assert!(
        failure
            .message
            .chars()
            .next()
            .is_some_and(|c| !c.is_uppercase()),
        "messages start in lower case: {failure}"
    );
}

#[then(regex = r#"^the error is at line (\d+), column (\d+)$"#)]
fn error_at(world: &mut SpecWorld, line: usize, column: usize) {
    let failure = world.resolution.failure();
    assert_eq!(
        (failure.line, failure.column),
        (Some(line), Some(column)),
        "{failure}"
    );
}

#[then(regex = r#"^the error message mentions "([^"]+)"$"#)]
fn error_mentions(world: &mut SpecWorld, text: String) {
    let failure = world.resolution.failure();
    assert!(failure.message.contains(&text), "`{text}` not in {failure}");
}

#[then(regex = r#"^the rules were applied for Nx "([^"]+)"$"#)]
fn applied_for(world: &mut SpecWorld, version: String) {
    let answer = world.resolution.answer();
    assert_eq!(answer["nxVersion"], json!(version), "{answer:#}");
}

#[then(regex = r#"^the access token sent is '([^']*)' from "([^"]+)"$"#)]
fn access_token_text(world: &mut SpecWorld, text: String, source: String) {
    let token = world.resolution.expand(&text);
    assert_sourced(world.resolution.answer(), "accessToken", &token, &source);
}

#[then(regex = r#"^the app URL comes from "([^"]+)"$"#)]
fn app_url_source(world: &mut SpecWorld, source: String) {
    let answer = world.resolution.answer();
    let got = &answer["appUrl"];
    if source == "nowhere" {
        assert!(got.is_null(), "expected no app URL in {answer:#}");
    } else {
        assert_eq!(got["source"], json!(source), "{answer:#}");
    }
}

#[given(expr = "a package.json containing:")]
fn package_json(world: &mut SpecWorld, step: &Step) {
    let text = docstring(step);
    world.resolution.set("packageJson", json!(text));
}

#[then(regex = r#"^the trace (has|has no) a step for "([^"]+)" by rule "([^"]+)"$"#)]
fn trace_has_step(world: &mut SpecWorld, has: String, source: String, rule: String) {
    let answer = world.resolution.answer();
    let found = trace_step(answer, &source)
        .iter()
        .any(|s| s["rule"] == json!(rule));
    assert_eq!(found, has == "has", "{:#}", answer["trace"]);
}

#[then(regex = r#"^the trace step for "([^"]+)" mentions "([^"]+)"$"#)]
fn trace_step_mentions(world: &mut SpecWorld, source: String, text: String) {
    let answer = world.resolution.answer();
    let found = trace_step(answer, &source)
        .iter()
        .any(|s| s["note"].as_str().is_some_and(|n| n.contains(&text)));
    assert!(
        found,
        "`{text}` not in the steps of `{source}`: {:#}",
        answer["trace"]
    );
}

#[then(regex = r#"^every trace step for "([^"]+)" by rule "([^"]+)" shows the value "([^"]*)"$"#)]
fn trace_steps_show_value(world: &mut SpecWorld, source: String, rule: String, value: String) {
    let answer = world.resolution.answer();
    let steps: Vec<_> = trace_step(answer, &source)
        .into_iter()
        .filter(|s| s["rule"] == json!(rule))
        .collect();
    assert!(
        !steps.is_empty(),
        "no `{rule}` step for `{source}`: {:#}",
        answer["trace"]
    );
    for step in steps {
        assert_eq!(step["value"], json!(value), "{step:#}");
    }
}

#[then(regex = r#"^no finding suggests "([^"]+)"$"#)]
fn no_finding_suggests(world: &mut SpecWorld, text: String) {
    let answer = world.resolution.answer();
    for found in findings(answer) {
        let fix = found["fix"].as_str().unwrap_or_default();
        assert!(!fix.contains(&text), "`{text}` offered by {found:#}");
    }
}

// The cache path (DBC-1..3) and nx's stops: the `cache` and `stops` fields.

/// The `cache` field, which must be there (`null` or an object).
fn cache(answer: &Value) -> &Value {
    sourced(answer, "cache")
}

#[then(regex = r#"^the DB cache (contacts|does not contact) Nx Cloud$"#)]
fn cache_contacts(world: &mut SpecWorld, contacts: String) {
    let answer = world.resolution.answer();
    assert_eq!(
        !cache(answer).is_null(),
        contacts == "contacts",
        "{answer:#}"
    );
}

#[then(regex = r#"^the DB cache sends the token "([^"]*)" from "([^"]+)"$"#)]
fn cache_token(world: &mut SpecWorld, name: String, source: String) {
    let token = world.resolution.token(&name);
    let answer = world.resolution.answer();
    assert_sourced(cache(answer), "accessToken", &token, &source);
    let redacted = cache(answer)["accessToken"]["redacted"].as_str();
    assert!(
        redacted.is_some_and(|r| r != token && r.ends_with('…')),
        "the redacted form in {answer:#}"
    );
}

#[then(expr = "the DB cache sends no access token")]
fn cache_no_token(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(!cache(answer).is_null(), "{answer:#}");
    assert!(cache(answer)["accessToken"].is_null(), "{answer:#}");
}

#[then(regex = r#"^the DB cache sends the nxCloudId "([^"]*)" from "([^"]+)"$"#)]
fn cache_id(world: &mut SpecWorld, id: String, source: String) {
    assert_sourced(cache(world.resolution.answer()), "nxCloudId", &id, &source);
}

#[then(regex = r#"^the DB cache asks "([^"]+)" from "([^"]+)" by rule "([^"]+)"$"#)]
fn cache_asks(world: &mut SpecWorld, url: String, source: String, rule: String) {
    let answer = world.resolution.answer();
    assert_sourced(cache(answer), "apiUrl", &url, &source);
    assert_eq!(cache(answer)["rule"], json!(rule), "{answer:#}");
}

#[then(
    regex = r#"^nx stops (at start-up|while running) with exit status (\d+) by rule "([^"]+)" and the finding "([^"]+)"$"#
)]
fn nx_stops(world: &mut SpecWorld, when: String, status: u8, rule: String, finding: String) {
    let answer = world.resolution.answer();
    let stop = sourced(answer, "stops");
    let when = if when == "at start-up" {
        "start-up"
    } else {
        "running"
    };
    assert_eq!(stop["when"], json!(when), "{answer:#}");
    assert_eq!(stop["exitStatus"], json!(status), "{answer:#}");
    assert_eq!(stop["rule"], json!(rule), "{answer:#}");
    assert_eq!(stop["finding"], json!(finding), "{answer:#}");
    assert!(
        stop["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{answer:#}"
    );
    // The finding that says why is there, of severity `error`.
    assert!(
        findings(answer)
            .iter()
            .any(|f| f["code"] == json!(finding) && f["severity"] == json!("error")),
        "{answer:#}"
    );
}

#[then(expr = "nx does not stop")]
fn nx_does_not_stop(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(sourced(answer, "stops").is_null(), "{answer:#}");
}

// The self-hosted remote cache (SHC-1..6): the `selfHostedCache` field.

/// The `selfHostedCache` field, which must be there (`null` or an object).
fn self_hosted(answer: &Value) -> &Value {
    sourced(answer, "selfHostedCache")
}

#[then(expr = "there is no self-hosted cache")]
fn no_self_hosted_cache(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    assert!(self_hosted(answer).is_null(), "{answer:#}");
}

#[then(regex = r#"^the self-hosted cache is (used|not used) by rule "([^"]+)"$"#)]
fn self_hosted_used(world: &mut SpecWorld, used: String, rule: String) {
    let answer = world.resolution.answer();
    let shc = self_hosted(answer);
    assert_eq!(shc["used"], json!(used == "used"), "{answer:#}");
    assert_eq!(shc["rule"], json!(rule), "{answer:#}");
    assert!(
        shc["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{answer:#}"
    );
}

#[then(
    regex = r#"^nx falls back to the self-hosted cache without the Nx Cloud client: "(yes|no)"$"#
)]
fn self_hosted_fallback(world: &mut SpecWorld, yes: String) {
    let answer = world.resolution.answer();
    assert_eq!(
        self_hosted(answer)["fallback"],
        json!(yes == "yes"),
        "{answer:#}"
    );
}

#[then(regex = r#"^the self-hosted cache server is "([^"]+)" from "([^"]+)"$"#)]
fn self_hosted_server(world: &mut SpecWorld, url: String, source: String) {
    assert_sourced(
        self_hosted(world.resolution.answer()),
        "server",
        &url,
        &source,
    );
}

#[then(regex = r#"^the self-hosted cache is asked at "([^"]+)"$"#)]
fn self_hosted_request_url(world: &mut SpecWorld, url: String) {
    let answer = world.resolution.answer();
    assert_eq!(self_hosted(answer)["requestUrl"], json!(url), "{answer:#}");
}

#[then(regex = r#"^the self-hosted cache names the workspace "([^"]*)"$"#)]
fn self_hosted_workspace(world: &mut SpecWorld, id: String) {
    let answer = world.resolution.answer();
    let expected = if id.is_empty() {
        Value::Null
    } else {
        json!(id)
    };
    assert_eq!(self_hosted(answer)["nxCloudId"], expected, "{answer:#}");
}

#[then(regex = r#"^the self-hosted cache sends the token "([^"]*)" from "([^"]+)"$"#)]
fn self_hosted_token(world: &mut SpecWorld, name: String, source: String) {
    let token = world.resolution.token(&name);
    let answer = world.resolution.answer();
    let shc = self_hosted(answer);
    assert_sourced(shc, "accessToken", &token, &source);
    assert_eq!(shc["credential"], json!("bearer-token"), "{answer:#}");
    let redacted = shc["accessToken"]["redacted"].as_str();
    assert!(
        redacted.is_some_and(|r| r != token && r.ends_with('…')),
        "the redacted form in {answer:#}"
    );
}

#[then(regex = r#"^the self-hosted cache sends "Bearer" with no token from "([^"]+)"$"#)]
fn self_hosted_empty_bearer(world: &mut SpecWorld, source: String) {
    let answer = world.resolution.answer();
    let shc = self_hosted(answer);
    assert_sourced(shc, "accessToken", "", &source);
    assert_eq!(shc["credential"], json!("empty-bearer"), "{answer:#}");
}

#[then(expr = "the self-hosted cache sends no Authorization header")]
fn self_hosted_no_header(world: &mut SpecWorld) {
    let answer = world.resolution.answer();
    let shc = self_hosted(answer);
    assert!(!shc.is_null(), "{answer:#}");
    assert!(shc["accessToken"].is_null(), "{answer:#}");
    assert_eq!(shc["credential"], json!("none"), "{answer:#}");
}
