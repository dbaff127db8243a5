//! `authorize_runner` and `authorize_web` on organizations of 10, 1,000 and
//! 100,000 members and tokens (`cargo bench -p nxcloud-access --bench
//! authorize`). The per-decision cost must stay flat as they grow: every
//! lookup is a hash map's.
//!
//! Each organization has `n` members (one admin), workspaces (workspace ID
//! level read-only, PAT level read-write), `n` CI access tokens (half
//! read-only, at most 1,000 per workspace: see [`TOKENS_PER_WORKSPACE`]) and
//! `n` PATs, one per member. The decisions rotate over 1,000
//! requests spread across the organization: CI tokens of both kinds,
//! members' PATs, the bare workspace ID, on every action (as the Node
//! benchmark does); the web decisions over members, an admin and anonymous
//! visitors. `typed` calls the core's decision directly, `json` goes through
//! `AccessControl::call` with the CONTRACT.md JSON argument (what the CLI,
//! the server and the spec driver do).

// Bench set-up code: a broken fixture should stop the run loudly.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use nxcloud_access::access::{AccessControl, RunnerAction, RunnerRequest, WebAction, WebRequest};
use nxcloud_access::Secret;
use serde_json::{json, Value};

struct Org {
    ac: AccessControl,
    runner: Vec<RunnerRequest>,
    runner_json: Vec<Value>,
    web: Vec<WebRequest>,
}

/// Tokens per workspace: creating a CI access token checks its name against
/// the workspace's live tokens by a scan, so 100,000 tokens in one workspace
/// would take minutes to set up (a command's cost, not a decision's); the
/// organization spreads them over workspaces of at most this many.
const TOKENS_PER_WORKSPACE: usize = 1_000;

fn organization(n: usize) -> Org {
    let mut ac = AccessControl::new();
    let run =
        |ac: &mut AccessControl, method: &str, arg: Value| ac.call(method, arg).expect(method);
    run(
        &mut ac,
        "createUser",
        json!({"id": "admin", "email": "admin@corp.example"}),
    );
    run(
        &mut ac,
        "createOrganization",
        json!({"id": "acme", "name": "Acme", "creator": "admin"}),
    );
    run(
        &mut ac,
        "invite",
        json!({"organization": "acme", "actor": "admin", "domain": "corp.example", "role": "member"}),
    );
    let mut workspaces = Vec::new();
    for _ in 0..n.div_ceil(TOKENS_PER_WORKSPACE) {
        let ws = run(
            &mut ac,
            "createWorkspace",
            json!({"organization": "acme", "actor": "admin"}),
        );
        let ws = ws["nxCloudId"].as_str().expect("nxCloudId").to_owned();
        run(
            &mut ac,
            "setWorkspaceIdAccess",
            json!({"workspace": ws, "actor": "admin", "level": "read-only"}),
        );
        run(
            &mut ac,
            "setPersonalAccessTokenAccess",
            json!({"workspace": ws, "actor": "admin", "level": "read-write"}),
        );
        workspaces.push(ws);
    }
    let workspace_of = |i: usize| workspaces[i / TOKENS_PER_WORKSPACE].clone();
    let mut ci = Vec::with_capacity(n);
    let mut pats = Vec::with_capacity(n);
    for i in 0..n {
        let user = format!("user{i}");
        run(
            &mut ac,
            "createUser",
            json!({"id": user, "email": format!("{user}@corp.example")}),
        );
        run(
            &mut ac,
            "join",
            json!({"organization": "acme", "user": user}),
        );
        let access = if i % 2 == 0 {
            "read-only"
        } else {
            "read-write"
        };
        let t = run(
            &mut ac,
            "createCiAccessToken",
            json!({"workspace": workspace_of(i), "actor": "admin", "name": format!("ci-{i}"), "access": access}),
        );
        ci.push(t["token"].as_str().expect("token").to_owned());
        let p = run(
            &mut ac,
            "createPersonalAccessToken",
            json!({"user": user, "name": "laptop"}),
        );
        pats.push(p["token"].as_str().expect("token").to_owned());
    }
    let actions = [
        RunnerAction::ReadCache,
        RunnerAction::WriteCache,
        RunnerAction::RecordRun,
        RunnerAction::Distribute,
    ];
    let mut runner = Vec::new();
    let mut runner_json = Vec::new();
    let mut web = Vec::new();
    for i in 0..1000 {
        let action = actions[i % 4];
        let k = (i * 7919) % n;
        let ws = workspace_of(k);
        let (access_token, pat) = match (i / 4) % 4 {
            0 | 1 => (Some(ci[k].clone()), None),
            2 => (None, Some(pats[k].clone())),
            _ => (None, None),
        };
        runner_json.push(json!({
            "nxCloudId": ws, "accessToken": access_token, "personalAccessToken": pat,
            "action": serde_json::to_value(action).expect("action"),
        }));
        runner.push(RunnerRequest {
            nx_cloud_id: Some(ws),
            access_token: access_token.map(Secret::new),
            personal_access_token: pat.map(Secret::new),
            action,
        });
        let user = match i % 3 {
            0 => Some(format!("user{k}")),
            1 if i % 2 == 0 => Some("admin".to_owned()),
            _ => None,
        };
        let web_action = [
            WebAction::ViewRuns,
            WebAction::ViewStats,
            WebAction::ChangeSettings,
            WebAction::ManageMembers,
            WebAction::ManageTokens,
        ][i % 5];
        web.push(WebRequest {
            user,
            organization: "acme".into(),
            action: web_action,
        });
    }
    Org {
        ac,
        runner,
        runner_json,
        web,
    }
}

fn decisions(c: &mut Criterion) {
    let mut group = c.benchmark_group("authorize");
    for n in [10, 1_000, 100_000] {
        let mut org = organization(n);
        let allowed = org
            .runner
            .iter()
            .filter(|r| org.ac.authorize_runner(r).allowed)
            .count();
        assert!(
            allowed > 0 && allowed < org.runner.len(),
            "a mix of decisions: {allowed}"
        );
        let mut i = 0;
        group.bench_function(BenchmarkId::new("runner/typed", n), |b| {
            b.iter(|| {
                i = (i + 1) % org.runner.len();
                org.ac.authorize_runner(black_box(&org.runner[i]))
            })
        });
        group.bench_function(BenchmarkId::new("runner/json", n), |b| {
            b.iter(|| {
                i = (i + 1) % org.runner_json.len();
                org.ac
                    .call("authorizeRunner", black_box(org.runner_json[i].clone()))
            })
        });
        group.bench_function(BenchmarkId::new("web/typed", n), |b| {
            b.iter(|| {
                i = (i + 1) % org.web.len();
                org.ac.authorize_web(black_box(&org.web[i]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
