//! Steps of the permission features (part 2).
//!
//! Every step goes through `world.driver.access(method, json)` with the JSON
//! of CONTRACT.md, never the Rust core, so the same features can run against
//! the npm package. Names in the features (`"web"`, `"ci-ro"`) stand for the
//! ids and secrets the engine hands out; [`State`] keeps the mapping.

use std::collections::HashMap;

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use nxcloud_access_spec::Failure;
use serde_json::{json, Value};

use crate::SpecWorld;

/// Ids, secrets and the last answer of the permission scenarios.
#[derive(Debug, Default)]
pub struct State {
    /// User id -> email.
    emails: HashMap<String, String>,
    /// Organization id -> an admin who can act in Given steps (its creator).
    admins: HashMap<String, String>,
    /// Workspace name -> nxCloudId.
    workspaces: HashMap<String, String>,
    /// Workspace name -> organization id.
    workspace_orgs: HashMap<String, String>,
    /// Token name -> token id.
    token_ids: HashMap<String, String>,
    /// Token name -> secret (shown once by the engine).
    secrets: HashMap<String, String>,
    /// The last answer of a When step (or a combined Then step).
    last: Option<Result<Value, Failure>>,
    /// A snapshot saved by `the state is saved`.
    saved: Option<Value>,
}

impl State {
    fn workspace(&self, name: &str) -> String {
        // A name the scenario never created is used as a literal nxCloudId.
        self.workspaces
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }

    fn admin_of_workspace(&self, name: &str) -> String {
        let org = self
            .workspace_orgs
            .get(name)
            .unwrap_or_else(|| panic!("no workspace named `{name}` in this scenario"));
        self.admin(org)
    }

    fn admin(&self, org: &str) -> String {
        self.admins
            .get(org)
            .cloned()
            .unwrap_or_else(|| panic!("no organization `{org}` in this scenario"))
    }

    fn secret(&self, name: &str) -> String {
        self.secrets
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no token named `{name}` in this scenario"))
    }

    fn token_id(&self, name: &str) -> String {
        self.token_ids
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no token named `{name}` in this scenario"))
    }

    fn email(&self, user: &str) -> String {
        self.emails
            .get(user)
            .cloned()
            .unwrap_or_else(|| format!("{user}@example.com"))
    }

    fn last(&self) -> &Result<Value, Failure> {
        self.last
            .as_ref()
            .expect("no When step ran before this Then")
    }

    fn last_ok(&self) -> &Value {
        match self.last() {
            Ok(value) => value,
            Err(failure) => panic!("expected an answer, got the error {failure}"),
        }
    }

    /// Replaces `{ws:NAME}`, `{secret:NAME}`, `{id:NAME}` in a JSON text.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let (before, after) = rest.split_at(start);
            out.push_str(before);
            let end = after.find('}');
            let inner = end.map(|e| &after[1..e]);
            let replaced = inner.and_then(|inner| {
                let (kind, name) = inner.split_once(':')?;
                match kind {
                    "ws" => Some(self.workspace(name)),
                    "secret" => Some(self.secret(name)),
                    "id" => Some(self.token_id(name)),
                    _ => None,
                }
            });
            match (replaced, end) {
                (Some(value), Some(e)) => {
                    out.push_str(&value);
                    rest = &after[e + 1..];
                }
                _ => {
                    out.push('{');
                    rest = &after[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

fn call(world: &mut SpecWorld, method: &str, arg: Value) -> Result<Value, Failure> {
    world.driver.access(method, &arg)
}

/// A call that must succeed (Given steps).
fn must(world: &mut SpecWorld, method: &str, arg: Value) -> Value {
    match call(world, method, arg.clone()) {
        Ok(value) => value,
        Err(failure) => panic!("`{method}` {arg} failed: {failure}"),
    }
}

fn record(world: &mut SpecWorld, method: &str, arg: Value) {
    let answer = call(world, method, arg);
    world.access.last = Some(answer);
}

fn unquote(text: &str) -> &str {
    text.trim().trim_matches('"')
}

// ---------------------------------------------------------------- Given

#[given(regex = r"^the users? (.+)$")]
fn users(world: &mut SpecWorld, names: String) {
    for name in names.replace(" and ", ", ").split(", ") {
        let name = unquote(name).to_owned();
        let email = format!("{name}@example.com");
        must(world, "createUser", json!({"id": name, "email": email}));
        world.access.emails.insert(name, email);
    }
}

#[given(regex = r#"^a user "([^"]*)" with email "([^"]*)"$"#)]
fn user_with_email(world: &mut SpecWorld, id: String, email: String) {
    must(world, "createUser", json!({"id": id, "email": email}));
    world.access.emails.insert(id, email);
}

#[given(regex = r#"^"([^"]*)" created the organization "([^"]*)"$"#)]
fn created_organization(world: &mut SpecWorld, creator: String, org: String) {
    must(
        world,
        "createOrganization",
        json!({"id": org, "name": format!("The {org} organization"), "creator": creator}),
    );
    world.access.admins.insert(org, creator);
}

#[given(regex = r#"^"([^"]*)" created the workspace "([^"]*)" in "([^"]*)"$"#)]
fn created_workspace(world: &mut SpecWorld, actor: String, name: String, org: String) {
    let answer = must(
        world,
        "createWorkspace",
        json!({"organization": org, "actor": actor}),
    );
    let id = answer["nxCloudId"]
        .as_str()
        .expect("nxCloudId is a string")
        .to_owned();
    world.access.workspaces.insert(name.clone(), id);
    world.access.workspace_orgs.insert(name, org);
}

#[given(regex = r#"^"([^"]*)" is (?:a|an) (admin|member) of "([^"]*)"$"#)]
fn is_member(world: &mut SpecWorld, user: String, role: String, org: String) {
    let admin = world.access.admin(&org);
    let email = world.access.email(&user);
    must(
        world,
        "invite",
        json!({"organization": org, "actor": admin, "email": email, "role": role}),
    );
    let granted = must(world, "join", json!({"organization": org, "user": user}));
    assert_eq!(granted, json!(role));
}

#[given(regex = r#"^"([^"]*)" invited "([^"]*)" to "([^"]*)" as (admin|member)$"#)]
fn invited_email(world: &mut SpecWorld, actor: String, email: String, org: String, role: String) {
    must(
        world,
        "invite",
        json!({"organization": org, "actor": actor, "email": email, "role": role}),
    );
}

#[given(regex = r#"^"([^"]*)" invited the domain "([^"]*)" to "([^"]*)" as (admin|member)$"#)]
fn invited_domain(world: &mut SpecWorld, actor: String, domain: String, org: String, role: String) {
    must(
        world,
        "invite",
        json!({"organization": org, "actor": actor, "domain": domain, "role": role}),
    );
}

#[given(
    regex = r#"^"([^"]*)" created (?:a|an) (read-only|read-write) CI access token "([^"]*)" for "([^"]*)"$"#
)]
fn created_ci_token(
    world: &mut SpecWorld,
    actor: String,
    access: String,
    name: String,
    ws: String,
) {
    let workspace = world.access.workspace(&ws);
    let answer = must(
        world,
        "createCiAccessToken",
        json!({"workspace": workspace, "actor": actor, "name": name, "access": access}),
    );
    remember_token(world, &name, &answer);
}

#[given(regex = r#"^"([^"]*)" created the personal access token "([^"]*)"$"#)]
fn created_pat(world: &mut SpecWorld, user: String, name: String) {
    let answer = must(
        world,
        "createPersonalAccessToken",
        json!({"user": user, "name": name}),
    );
    remember_token(world, &name, &answer);
}

fn remember_token(world: &mut SpecWorld, name: &str, answer: &Value) {
    let id = answer["id"].as_str().expect("a token id").to_owned();
    let token = answer["token"].as_str().expect("a token secret").to_owned();
    world.access.token_ids.insert(name.to_owned(), id);
    world.access.secrets.insert(name.to_owned(), token);
}

#[given(regex = r#"^the organization "([^"]*)" is (public|private)$"#)]
fn org_visibility(world: &mut SpecWorld, org: String, visibility: String) {
    let admin = world.access.admin(&org);
    must(
        world,
        "setVisibility",
        json!({"organization": org, "actor": admin, "visibility": visibility}),
    );
}

#[given(regex = r#"^the workspace ID access level of "([^"]*)" is (read-write|read-only|none)$"#)]
fn given_wsid_level(world: &mut SpecWorld, ws: String, level: String) {
    let admin = world.access.admin_of_workspace(&ws);
    let workspace = world.access.workspace(&ws);
    must(
        world,
        "setWorkspaceIdAccess",
        json!({"workspace": workspace, "actor": admin, "level": level}),
    );
}

#[given(regex = r#"^the PAT access level of "([^"]*)" is (read-write|read-only)$"#)]
fn given_pat_level(world: &mut SpecWorld, ws: String, level: String) {
    let admin = world.access.admin_of_workspace(&ws);
    let workspace = world.access.workspace(&ws);
    must(
        world,
        "setPersonalAccessTokenAccess",
        json!({"workspace": workspace, "actor": admin, "level": level}),
    );
}

// ---------------------------------------------------------------- When: commands

#[when(regex = r#"^"([^"]*)" creates the organization "([^"]*)"$"#)]
fn creates_org(world: &mut SpecWorld, creator: String, org: String) {
    record(
        world,
        "createOrganization",
        json!({"id": org, "name": org, "creator": creator}),
    );
    if world.access.last().is_ok() {
        world.access.admins.insert(org, creator);
    }
}

#[when(regex = r#"^"([^"]*)" invites "([^"]*)" to "([^"]*)" as (admin|member)$"#)]
fn invites_email(world: &mut SpecWorld, actor: String, email: String, org: String, role: String) {
    record(
        world,
        "invite",
        json!({"organization": org, "actor": actor, "email": email, "role": role}),
    );
}

#[when(regex = r#"^"([^"]*)" invites the domain "([^"]*)" to "([^"]*)" as (admin|member)$"#)]
fn invites_domain(world: &mut SpecWorld, actor: String, domain: String, org: String, role: String) {
    record(
        world,
        "invite",
        json!({"organization": org, "actor": actor, "domain": domain, "role": role}),
    );
}

#[when(regex = r#"^"([^"]*)" joins "([^"]*)"$"#)]
fn joins(world: &mut SpecWorld, user: String, org: String) {
    record(world, "join", json!({"organization": org, "user": user}));
}

#[when(regex = r#"^"([^"]*)" removes "([^"]*)" from "([^"]*)"$"#)]
fn removes(world: &mut SpecWorld, actor: String, user: String, org: String) {
    record(
        world,
        "removeMember",
        json!({"organization": org, "actor": actor, "user": user}),
    );
}

#[when(regex = r#"^"([^"]*)" sets the role of "([^"]*)" in "([^"]*)" to (admin|member)$"#)]
fn sets_role(world: &mut SpecWorld, actor: String, user: String, org: String, role: String) {
    record(
        world,
        "setRole",
        json!({"organization": org, "actor": actor, "user": user, "role": role}),
    );
}

#[when(regex = r#"^"([^"]*)" makes "([^"]*)" (public|private)$"#)]
fn makes_visible(world: &mut SpecWorld, actor: String, org: String, visibility: String) {
    record(
        world,
        "setVisibility",
        json!({"organization": org, "actor": actor, "visibility": visibility}),
    );
}

#[when(regex = r#"^"([^"]*)" creates a workspace in "([^"]*)"$"#)]
fn creates_workspace(world: &mut SpecWorld, actor: String, org: String) {
    record(
        world,
        "createWorkspace",
        json!({"organization": org, "actor": actor}),
    );
}

#[when(regex = r#"^"([^"]*)" sets the workspace ID access level of "([^"]*)" to (\S+)$"#)]
fn sets_wsid_level(world: &mut SpecWorld, actor: String, ws: String, level: String) {
    let workspace = world.access.workspace(&ws);
    record(
        world,
        "setWorkspaceIdAccess",
        json!({"workspace": workspace, "actor": actor, "level": level}),
    );
}

#[when(regex = r#"^"([^"]*)" sets the PAT access level of "([^"]*)" to (\S+)$"#)]
fn sets_pat_level(world: &mut SpecWorld, actor: String, ws: String, level: String) {
    let workspace = world.access.workspace(&ws);
    record(
        world,
        "setPersonalAccessTokenAccess",
        json!({"workspace": workspace, "actor": actor, "level": level}),
    );
}

#[when(regex = r#"^"([^"]*)" creates (?:a|an) (\S+) CI access token "([^"]*)" for "([^"]*)"$"#)]
fn creates_ci_token(
    world: &mut SpecWorld,
    actor: String,
    access: String,
    name: String,
    ws: String,
) {
    let workspace = world.access.workspace(&ws);
    record(
        world,
        "createCiAccessToken",
        json!({"workspace": workspace, "actor": actor, "name": name, "access": access}),
    );
    if let Some(Ok(answer)) = world.access.last.clone() {
        remember_token(world, &name, &answer);
    }
}

#[when(regex = r#"^"([^"]*)" revokes the CI access token "([^"]*)" of "([^"]*)"$"#)]
fn revokes_ci_token(world: &mut SpecWorld, actor: String, name: String, ws: String) {
    let workspace = world.access.workspace(&ws);
    let id = world.access.token_id(&name);
    record(
        world,
        "revokeCiAccessToken",
        json!({"workspace": workspace, "actor": actor, "id": id}),
    );
}

#[when(regex = r#"^"([^"]*)" creates the personal access token "([^"]*)"$"#)]
fn creates_pat(world: &mut SpecWorld, user: String, name: String) {
    record(
        world,
        "createPersonalAccessToken",
        json!({"user": user, "name": name}),
    );
    if let Some(Ok(answer)) = world.access.last.clone() {
        remember_token(world, &name, &answer);
    }
}

#[when(regex = r#"^"([^"]*)" revokes (?:the|their) personal access token "([^"]*)"$"#)]
fn revokes_pat(world: &mut SpecWorld, user: String, name: String) {
    let id = world.access.token_id(&name);
    record(
        world,
        "revokePersonalAccessToken",
        json!({"user": user, "id": id}),
    );
}

#[when(regex = r#"^"([^"]*)" lists (?:their|the) personal access tokens$"#)]
fn lists_pats(world: &mut SpecWorld, user: String) {
    record(world, "listPersonalAccessTokens", json!({"user": user}));
}

#[when(regex = r#"^"([^"]*)" lists the CI access tokens of "([^"]*)"$"#)]
fn lists_ci_tokens(world: &mut SpecWorld, actor: String, ws: String) {
    let workspace = world.access.workspace(&ws);
    record(
        world,
        "listCiAccessTokens",
        json!({"workspace": workspace, "actor": actor}),
    );
}

/// Any method with a JSON argument; `{ws:NAME}`, `{secret:NAME}`, `{id:NAME}`
/// stand for a workspace's nxCloudId, a token's secret, a token's id.
#[when(regex = r#"^calling "([^"]*)" with:$"#)]
fn calling_with(world: &mut SpecWorld, method: String, step: &Step) {
    let text = step.docstring.as_deref().expect("a JSON docstring");
    let text = world.access.substitute(text);
    let arg: Value = serde_json::from_str(&text).expect("the docstring is JSON");
    record(world, &method, arg);
}

// ---------------------------------------------------------------- When: decisions

fn runner_request(state: &State, action: &str, ws: &str, credential: &str) -> Value {
    let quoted: Vec<&str> = credential.split('"').skip(1).step_by(2).collect();
    let mut req = json!({"action": action});
    let with_id = !credential.contains("no nxCloudId") && credential != "no credential";
    if with_id {
        req["nxCloudId"] = json!(state.workspace(ws));
    }
    if credential.starts_with("the access token text") {
        req["accessToken"] = json!(quoted[0]);
    } else if credential.starts_with("the personal access token text") {
        req["personalAccessToken"] = json!(quoted[0]);
    } else if credential.starts_with("the CI access token") {
        req["accessToken"] = json!(state.secret(quoted[0]));
        if credential.contains("and the personal access token") {
            req["personalAccessToken"] = json!(state.secret(quoted[1]));
        }
    } else if credential.starts_with("the personal access token") {
        req["personalAccessToken"] = json!(state.secret(quoted[0]));
    } else {
        assert!(
            credential == "only the nxCloudId" || credential == "no credential",
            "unknown credential phrase `{credential}`"
        );
    }
    req
}

#[when(regex = r#"^a runner asks to (\S+) on "([^"]*)" with (.+)$"#)]
fn runner_asks(world: &mut SpecWorld, action: String, ws: String, credential: String) {
    let req = runner_request(&world.access, &action, &ws, &credential);
    record(world, "authorizeRunner", req);
}

fn web_request(who: &str, action: &str, org: &str) -> Value {
    let user = if who == "an anonymous visitor" {
        Value::Null
    } else {
        json!(unquote(who))
    };
    json!({"user": user, "organization": org, "action": action})
}

#[when(regex = r#"^(an anonymous visitor|"[^"]*") asks to (\S+) in "([^"]*)"$"#)]
fn web_asks(world: &mut SpecWorld, who: String, action: String, org: String) {
    record(world, "authorizeWeb", web_request(&who, &action, &org));
}

// ---------------------------------------------------------------- Then

#[then("the command succeeds")]
fn it_succeeds(world: &mut SpecWorld) {
    world.access.last_ok();
}

#[then(regex = r#"^the command fails with "([^"]*)"$"#)]
fn it_fails_with(world: &mut SpecWorld, code: String) {
    match world.access.last() {
        Ok(value) => panic!("expected the error `{code}`, got the answer {value}"),
        Err(failure) => assert_eq!(failure.code, code, "{failure}"),
    }
}

#[then(regex = r#"^the refusal mentions "([^"]*)"$"#)]
fn error_mentions(world: &mut SpecWorld, text: String) {
    match world.access.last() {
        Ok(value) => panic!("expected an error, got the answer {value}"),
        Err(failure) => assert!(failure.message.contains(&text), "{failure}"),
    }
}

#[then(regex = r#"^the answer is (.+)$"#)]
fn result_is(world: &mut SpecWorld, expected: String) {
    let expected: Value = serde_json::from_str(&expected).expect("the expected result is JSON");
    assert_eq!(world.access.last_ok(), &expected);
}

#[then(regex = r#"^the new nxCloudId has 24 characters$"#)]
fn new_id_has_24(world: &mut SpecWorld) {
    let id = world.access.last_ok()["nxCloudId"]
        .as_str()
        .expect("an nxCloudId")
        .to_owned();
    assert_eq!(id.chars().count(), 24, "{id}");
}

#[then(regex = r#"^the request is (allowed|denied)$"#)]
fn it_is(world: &mut SpecWorld, outcome: String) {
    let answer = world.access.last_ok();
    assert_eq!(
        answer["allowed"],
        json!(outcome == "allowed"),
        "decision: {answer}"
    );
}

#[then(regex = r#"^the decision names rule "?([A-Z]+-\d+)"?$"#)]
fn decision_rule(world: &mut SpecWorld, rule: String) {
    let answer = world.access.last_ok();
    assert_eq!(answer["rule"], json!(rule), "decision: {answer}");
}

#[then(regex = r#"^the decision applies (read-write|read-only|none) access as (\S+)$"#)]
fn decision_access(world: &mut SpecWorld, access: String, principal: String) {
    let answer = world.access.last_ok();
    assert_eq!(answer["access"], json!(access), "decision: {answer}");
    assert_eq!(answer["principal"], json!(principal), "decision: {answer}");
}

#[then(regex = r#"^the decision gives the role (\S+)$"#)]
fn decision_role(world: &mut SpecWorld, role: String) {
    let answer = world.access.last_ok();
    assert_eq!(answer["role"], json!(role), "decision: {answer}");
}

#[then(regex = r#"^the request is (not )?refused as unauthenticated$"#)]
fn unauthenticated(world: &mut SpecWorld, not: String) {
    let answer = world.access.last_ok();
    assert_eq!(answer["allowed"], json!(false), "decision: {answer}");
    assert_eq!(
        answer["unauthenticated"],
        json!(not.is_empty()),
        "decision: {answer}"
    );
}

#[then(regex = r#"^the reason says "([^"]*)"$"#)]
fn reason_says(world: &mut SpecWorld, text: String) {
    let answer = world.access.last_ok();
    let reason = answer["reason"].as_str().expect("a reason");
    assert!(reason.contains(&text), "reason: {reason}");
}

#[then(
    regex = r#"^a runner asking to (\S+) on "([^"]*)" with (.+) is (allowed|denied) by rule ([A-Z]+-\d+)$"#
)]
fn runner_outcome(
    world: &mut SpecWorld,
    action: String,
    ws: String,
    credential: String,
    outcome: String,
    rule: String,
) {
    runner_asks(world, action, ws, credential);
    it_is(world, outcome);
    decision_rule(world, rule);
    assert!(
        !world.access.last_ok()["reason"]
            .as_str()
            .unwrap_or("")
            .is_empty(),
        "a decision explains itself"
    );
}

#[then(
    regex = r#"^(an anonymous visitor|"[^"]*") asking to (\S+) in "([^"]*)" is (allowed|denied) by rule ([A-Z]+-\d+) as (admin|member|public|none)$"#
)]
fn web_outcome(
    world: &mut SpecWorld,
    who: String,
    action: String,
    org: String,
    outcome: String,
    rule: String,
    role: String,
) {
    web_asks(world, who, action, org);
    it_is(world, outcome);
    decision_rule(world, rule);
    decision_role(world, role);
}

#[then(regex = r#"^(an anonymous visitor|"[^"]*") (may|may not) (\S+) in "([^"]*)"$"#)]
fn web_may(world: &mut SpecWorld, who: String, may: String, action: String, org: String) {
    web_asks(world, who, action, org);
    it_is(
        world,
        if may == "may" { "allowed" } else { "denied" }.to_owned(),
    );
}

#[then(regex = r#"^the personal access tokens of "([^"]*)" are (.*)$"#)]
fn pat_list(world: &mut SpecWorld, user: String, names: String) {
    lists_pats(world, user);
    let answer = world.access.last_ok().clone();
    let listed: Vec<String> = answer
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t["name"].as_str().expect("a name").to_owned())
        .collect();
    let expected: Vec<String> = if names == "none" {
        vec![]
    } else {
        names.split(", ").map(|n| unquote(n).to_owned()).collect()
    };
    assert_eq!(listed, expected);
    for token in answer.as_array().into_iter().flatten() {
        let id = token["id"].as_str().expect("an id");
        let name = token["name"].as_str().expect("a name");
        assert_eq!(
            world.access.token_ids.get(name).map(String::as_str),
            Some(id)
        );
    }
    no_secret_in(&world.access, &answer.to_string());
}

#[then(regex = r#"^"([^"]*)" sees the CI access tokens of "([^"]*)" as (.*)$"#)]
fn ci_list(world: &mut SpecWorld, actor: String, ws: String, listed: String) {
    lists_ci_tokens(world, actor, ws);
    let answer = world.access.last_ok().clone();
    let shown: Vec<String> = answer
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| {
            format!(
                "{} ({})",
                t["name"].as_str().unwrap_or(""),
                t["access"].as_str().unwrap_or("")
            )
        })
        .collect();
    let expected: Vec<String> = if listed == "none" {
        vec![]
    } else {
        listed.split(", ").map(str::to_owned).collect()
    };
    assert_eq!(shown, expected);
    no_secret_in(&world.access, &answer.to_string());
}

#[then(regex = r#"^the answer shows the secret of "([^"]*)" once, prefixed "([^"]*)"$"#)]
fn secret_shown(world: &mut SpecWorld, name: String, prefix: String) {
    let secret = world.access.secret(&name);
    assert!(secret.starts_with(&prefix), "prefix of the {name} token");
    // 256 bits of base64url after the prefix: at least 128 bits of entropy.
    assert!(
        secret.len() - prefix.len() >= 22,
        "{name} token is too short"
    );
    let shown = world.access.last_ok().to_string();
    assert_eq!(shown.matches(&secret).count(), 1);
}

fn no_secret_in(state: &State, text: &str) {
    for (name, secret) in &state.secrets {
        assert!(
            !text.contains(secret.as_str()),
            "the secret of `{name}` appears in {text}"
        );
        // Not even a long piece of it.
        let body = secret.split_once('_').map_or(secret.as_str(), |(_, b)| b);
        if let Some(piece) = body.get(..12) {
            assert!(
                !text.contains(piece),
                "a piece of `{name}` appears in {text}"
            );
        }
    }
}

#[then("no answer or error shows a token secret")]
fn no_secret_in_last(world: &mut SpecWorld) {
    let text = match world.access.last() {
        Ok(value) => value.to_string(),
        Err(failure) => failure.to_string(),
    };
    no_secret_in(&world.access, &text);
}

// ---------------------------------------------------------------- snapshots

#[when("the state is saved")]
fn save(world: &mut SpecWorld) {
    let snapshot = must(world, "toJSON", Value::Null);
    world.access.saved = Some(snapshot);
}

#[then(regex = r"^the state is (?:unchanged|the same) since it was saved$")]
fn unchanged(world: &mut SpecWorld) {
    let now = must(world, "toJSON", Value::Null);
    assert_eq!(
        Some(&now),
        world.access.saved.as_ref(),
        "the snapshot changed"
    );
}

#[when("the saved state is restored into a new engine")]
fn restore(world: &mut SpecWorld) {
    let saved = world.access.saved.clone().expect("a saved state");
    world.driver.reset_access();
    must(world, "fromJSON", Value::String(saved.to_string()));
}

#[then("the snapshot holds no token secret")]
fn snapshot_no_secret(world: &mut SpecWorld) {
    let snapshot = must(world, "toJSON", Value::Null);
    assert!(
        !world.access.secrets.is_empty(),
        "the scenario minted tokens"
    );
    no_secret_in(&world.access, &snapshot.to_string());
}

#[then(regex = r#"^the snapshot has (?:format )?version (\d+)$"#)]
fn snapshot_version(world: &mut SpecWorld, version: u64) {
    let snapshot = must(world, "toJSON", Value::Null);
    assert_eq!(snapshot["version"], json!(version));
}

#[when(regex = r#"^a snapshot edited to (.+) is restored$"#)]
fn restore_edited(world: &mut SpecWorld, edit: String) {
    let mut snapshot = must(world, "toJSON", Value::Null);
    match edit.as_str() {
        "version 2" => snapshot["version"] = json!(2),
        "hold an unknown field" => snapshot["secretBackdoor"] = json!(true),
        "have no admin in the first organization" => {
            for member in snapshot["organizations"][0]["members"]
                .as_array_mut()
                .expect("members")
            {
                member["role"] = json!("member");
            }
        }
        "hold a malformed token hash" => {
            snapshot["workspaces"][0]["ciAccessTokens"][0]["sha256"] = json!("not-a-hash");
        }
        "point a workspace to an unknown organization" => {
            snapshot["workspaces"][0]["organization"] = json!("nobody");
        }
        other => panic!("unknown snapshot edit `{other}`"),
    }
    let answer = call(world, "fromJSON", Value::String(snapshot.to_string()));
    world.access.last = Some(answer);
}

#[when(regex = r#"^the text "(.*)" is restored as a snapshot$"#)]
fn restore_text(world: &mut SpecWorld, text: String) {
    let answer = call(world, "fromJSON", Value::String(text));
    world.access.last = Some(answer);
}
