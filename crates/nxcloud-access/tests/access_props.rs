//! Property tests of the permission engine: random command sequences, driven
//! through the JSON surface (`AccessControl::call`), checking after every
//! step the invariants that must hold in every state:
//!
//! * a refused command leaves the snapshot byte-identical;
//! * a read-only credential never writes; whatever writes has read-write access;
//! * nothing is allowed with a revoked token, ever after;
//! * a removed member's PATs count as a non-member's until they join again,
//!   and the removed member administers nothing;
//! * every organization keeps an admin (ORG-8);
//! * snapshot round trips are lossless.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;

use nxcloud_access::access::replay::Drawn;
use nxcloud_access::access::{AccessControl, RunnerRequest, WebAction, WebRequest, WebRole};
use nxcloud_access::access::{AccessLevel, Method, Principal, RunnerAction};
use nxcloud_access::{ErrorCode, Secret};
use proptest::prelude::*;
use serde_json::{json, Value};

const USERS: usize = 4;
const ORGS: usize = 2;
const ACTIONS: [RunnerAction; 4] = [
    RunnerAction::ReadCache,
    RunnerAction::WriteCache,
    RunnerAction::RecordRun,
    RunnerAction::Distribute,
];
const ROLES: [&str; 2] = ["admin", "member"];
const LEVELS: [&str; 4] = ["read-write", "read-only", "none", "bogus"];

/// One step of a random scenario; indices are reduced modulo what exists.
#[derive(Debug, Clone)]
enum Op {
    CreateUser(usize),
    CreateOrg(usize, usize),
    InviteEmail(usize, usize, usize, usize),
    InviteDomain(usize, usize, usize, bool),
    Join(usize, usize),
    /// The organization's creator invites the user by email, who joins.
    InviteAndJoin(usize, usize, usize),
    Remove(usize, usize, usize),
    SetRole(usize, usize, usize, usize),
    SetVisibility(usize, usize, bool),
    CreateWorkspace(usize, usize),
    SetWsid(usize, usize, usize),
    SetPatLevel(usize, usize, usize),
    CreateCi(usize, usize, usize, bool),
    RevokeCi(usize, usize, usize),
    CreatePat(usize, usize),
    RevokePat(usize, usize),
    Garbage(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let i = || 0usize..8;
    prop_oneof![
        2 => (0..USERS).prop_map(Op::CreateUser),
        2 => (0..ORGS, 0..USERS).prop_map(|(o, u)| Op::CreateOrg(o, u)),
        3 => (0..ORGS, 0..USERS * 2, 0..USERS, 0..2usize).prop_map(|(o, a, u, r)| Op::InviteEmail(o, a, u, r)),
        1 => (0..ORGS, 0..USERS * 2, 0..2usize, any::<bool>()).prop_map(|(o, a, r, tld)| Op::InviteDomain(o, a, r, tld)),
        3 => (0..ORGS, 0..USERS).prop_map(|(o, u)| Op::Join(o, u)),
        3 => (0..ORGS, 0..USERS, 0..2usize).prop_map(|(o, u, r)| Op::InviteAndJoin(o, u, r)),
        4 => (0..ORGS, 0..USERS * 2, 0..USERS).prop_map(|(o, a, u)| Op::Remove(o, a, u)),
        2 => (0..ORGS, 0..USERS * 2, 0..USERS, 0..2usize).prop_map(|(o, a, u, r)| Op::SetRole(o, a, u, r)),
        1 => (0..ORGS, 0..USERS * 2, any::<bool>()).prop_map(|(o, a, p)| Op::SetVisibility(o, a, p)),
        2 => (0..ORGS, 0..USERS * 2).prop_map(|(o, a)| Op::CreateWorkspace(o, a)),
        2 => (i(), 0..USERS * 2, 0..LEVELS.len()).prop_map(|(w, a, l)| Op::SetWsid(w, a, l)),
        2 => (i(), 0..USERS * 2, 0..LEVELS.len()).prop_map(|(w, a, l)| Op::SetPatLevel(w, a, l)),
        3 => (i(), 0..USERS * 2, 0..3usize, any::<bool>()).prop_map(|(w, a, n, rw)| Op::CreateCi(w, a, n, rw)),
        2 => (i(), 0..USERS * 2, i()).prop_map(|(w, a, t)| Op::RevokeCi(w, a, t)),
        3 => (0..USERS, 0..3usize).prop_map(|(u, n)| Op::CreatePat(u, n)),
        2 => (0..USERS, i()).prop_map(|(u, t)| Op::RevokePat(u, t)),
        1 => (0..4usize).prop_map(Op::Garbage),
    ]
}

#[derive(Debug, Clone)]
struct Token {
    /// nxCloudId (CI tokens) or user id (PATs).
    owner: String,
    id: String,
    secret: String,
    read_only: bool,
    revoked: bool,
}

/// What the test remembers of the ids and secrets the engine handed out.
#[derive(Default)]
struct Seen {
    workspaces: Vec<(String, String)>,
    ci: Vec<Token>,
    pats: Vec<Token>,
    /// (organization, user) removed and not joined since.
    removed: HashSet<(String, String)>,
    /// Every command that changed the state, with what it drew.
    log: Vec<(Method, Value, Vec<Drawn>)>,
}

/// Runs a command through `call_recorded`, logging it when it succeeds.
fn call(
    ac: &mut AccessControl,
    seen: &mut Seen,
    method: &str,
    arg: Value,
) -> Result<Value, String> {
    let method = Method::from_js(method).ok_or("no such method")?;
    let (answer, drawn) = ac
        .call_recorded(method, arg.clone())
        .map_err(|e| e.to_string())?;
    if method.changes_state() {
        seen.log.push((method, arg, drawn));
    }
    Ok(answer)
}

fn user(i: usize) -> String {
    format!("u{i}")
}

fn org(i: usize) -> String {
    format!("o{i}")
}

/// An actor index: below `USERS` that user, otherwise the creator of
/// organization `o` (an admin, unless demoted or removed since).
fn actor(a: usize, o: usize) -> String {
    if a < USERS {
        user(a)
    } else {
        user(o)
    }
}

/// The organization index of a workspace, for [`actor`].
fn org_index(seen: &Seen, w: usize) -> usize {
    pick(&seen.workspaces, w)
        .and_then(|(_, o)| o.trim_start_matches('o').parse().ok())
        .unwrap_or(0)
}

fn pick<T>(items: &[T], i: usize) -> Option<&T> {
    if items.is_empty() {
        None
    } else {
        items.get(i % items.len())
    }
}

/// Every sequence starts from users, two organizations and a workspace in
/// each, so that random steps reach tokens, members and revocations.
const PRELUDE: [Op; 8] = [
    Op::CreateUser(0),
    Op::CreateUser(1),
    Op::CreateUser(2),
    Op::CreateUser(3),
    Op::CreateOrg(0, 0),
    Op::CreateOrg(1, 1),
    Op::CreateWorkspace(0, 0),
    Op::CreateWorkspace(1, 1),
];

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..60)
        .prop_map(|random| PRELUDE.iter().cloned().chain(random).collect())
}

/// Runs one op; returns the method, argument and answer.
fn run(ac: &mut AccessControl, seen: &mut Seen, op: &Op) -> Result<Value, String> {
    let ws = |w: usize| {
        pick(&seen.workspaces, w)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| "0".repeat(24))
    };
    let (method, arg) = match *op {
        Op::CreateUser(u) => (
            "createUser",
            json!({"id": user(u), "email": format!("U{u}@Example.com")}),
        ),
        Op::CreateOrg(o, u) => (
            "createOrganization",
            json!({"id": org(o), "name": "Org", "creator": user(u)}),
        ),
        Op::InviteEmail(o, a, u, r) => (
            "invite",
            json!({"organization": org(o), "actor": actor(a, o), "email": format!("u{u}@example.com"), "role": ROLES[r]}),
        ),
        Op::InviteDomain(o, a, r, tld) => (
            "invite",
            json!({"organization": org(o), "actor": actor(a, o), "domain": if tld { "com" } else { "EXAMPLE.com" }, "role": ROLES[r]}),
        ),
        Op::Join(o, u) => ("join", json!({"organization": org(o), "user": user(u)})),
        Op::InviteAndJoin(o, u, r) => {
            call(
                ac,
                seen,
                "invite",
                json!({"organization": org(o), "actor": user(o), "email": format!("u{u}@example.com"), "role": ROLES[r]}),
            )?;
            ("join", json!({"organization": org(o), "user": user(u)}))
        }
        Op::Remove(o, a, u) => (
            "removeMember",
            json!({"organization": org(o), "actor": actor(a, o), "user": user(u)}),
        ),
        Op::SetRole(o, a, u, r) => (
            "setRole",
            json!({"organization": org(o), "actor": actor(a, o), "user": user(u), "role": ROLES[r]}),
        ),
        Op::SetVisibility(o, a, p) => (
            "setVisibility",
            json!({"organization": org(o), "actor": actor(a, o), "visibility": if p { "public" } else { "private" }}),
        ),
        Op::CreateWorkspace(o, a) => (
            "createWorkspace",
            json!({"organization": org(o), "actor": actor(a, o)}),
        ),
        Op::SetWsid(w, a, l) => (
            "setWorkspaceIdAccess",
            json!({"workspace": ws(w), "actor": actor(a, org_index(seen, w)), "level": LEVELS[l]}),
        ),
        Op::SetPatLevel(w, a, l) => (
            "setPersonalAccessTokenAccess",
            json!({"workspace": ws(w), "actor": actor(a, org_index(seen, w)), "level": LEVELS[l]}),
        ),
        Op::CreateCi(w, a, n, rw) => (
            "createCiAccessToken",
            json!({"workspace": ws(w), "actor": actor(a, org_index(seen, w)), "name": format!("t{n}"), "access": if rw { "read-write" } else { "read-only" }}),
        ),
        Op::RevokeCi(w, a, t) => {
            let id = pick(&seen.ci, t)
                .map(|t| t.id.clone())
                .unwrap_or_else(|| "ci-99".into());
            (
                "revokeCiAccessToken",
                json!({"workspace": ws(w), "actor": actor(a, org_index(seen, w)), "id": id}),
            )
        }
        Op::CreatePat(u, n) => (
            "createPersonalAccessToken",
            json!({"user": user(u), "name": format!("p{n}")}),
        ),
        Op::RevokePat(u, t) => {
            let id = pick(&seen.pats, t)
                .map(|t| t.id.clone())
                .unwrap_or_else(|| "pat-99".into());
            (
                "revokePersonalAccessToken",
                json!({"user": user(u), "id": id}),
            )
        }
        Op::Garbage(k) => match k {
            0 => ("dropEverything", json!({})),
            1 => ("createUser", json!({"id": "", "email": "x@example.com"})),
            2 => (
                "invite",
                json!({"organization": org(0), "actor": user(0), "email": "a@b@c.com", "role": "member"}),
            ),
            _ => (
                "createUser",
                json!({"id": "z", "email": "z@example.com", "extra": 1}),
            ),
        },
    };
    let answer = call(ac, seen, method, arg.clone())?;
    // Remember what the engine handed out.
    match *op {
        Op::CreateWorkspace(o, _) => {
            let id = answer["nxCloudId"].as_str().unwrap().to_owned();
            seen.workspaces.push((id, org(o)));
        }
        Op::CreateCi(_, _, _, rw) => seen.ci.push(Token {
            owner: arg["workspace"].as_str().unwrap().to_owned(),
            id: answer["id"].as_str().unwrap().to_owned(),
            secret: answer["token"].as_str().unwrap().to_owned(),
            read_only: !rw,
            revoked: false,
        }),
        Op::CreatePat(u, _) => seen.pats.push(Token {
            owner: user(u),
            id: answer["id"].as_str().unwrap().to_owned(),
            secret: answer["token"].as_str().unwrap().to_owned(),
            read_only: false,
            revoked: false,
        }),
        Op::RevokeCi(_, _, _) => {
            let id = arg["id"].as_str().unwrap();
            seen.ci
                .iter_mut()
                .filter(|t| t.id == id)
                .for_each(|t| t.revoked = true);
        }
        Op::RevokePat(_, _) => {
            let id = arg["id"].as_str().unwrap();
            seen.pats
                .iter_mut()
                .filter(|t| t.id == id)
                .for_each(|t| t.revoked = true);
        }
        Op::Remove(o, _, u) => {
            seen.removed.insert((org(o), user(u)));
        }
        Op::Join(o, u) | Op::InviteAndJoin(o, u, _) => {
            seen.removed.remove(&(org(o), user(u)));
        }
        _ => {}
    }
    Ok(answer)
}

fn runner(
    ac: &AccessControl,
    nx_cloud_id: &str,
    ci: Option<&str>,
    pat: Option<&str>,
    action: RunnerAction,
) -> nxcloud_access::access::RunnerDecision {
    ac.authorize_runner(&RunnerRequest {
        nx_cloud_id: Some(nx_cloud_id.to_owned()),
        access_token: ci.map(Secret::new),
        personal_access_token: pat.map(Secret::new),
        action,
    })
}

/// The invariants every state must hold.
fn check_invariants(ac: &AccessControl, seen: &Seen) {
    for (ws, ws_org) in &seen.workspaces {
        for action in ACTIONS {
            let mut decisions = vec![runner(ac, ws, None, None, action)];
            for token in &seen.ci {
                let d = runner(ac, ws, Some(&token.secret), None, action);
                if token.revoked {
                    // Nothing is allowed with a revoked token, ever after.
                    assert!(
                        !d.allowed && d.unauthenticated,
                        "revoked CI token allowed: {d:?}"
                    );
                    assert_eq!(d.rule, "REV-2");
                } else if token.owner != *ws {
                    assert!(
                        !d.allowed && d.rule == "TOK-7",
                        "another workspace's token: {d:?}"
                    );
                } else if token.read_only {
                    assert_eq!(d.access, AccessLevel::ReadOnly);
                    assert_eq!(d.allowed, action != RunnerAction::WriteCache, "{d:?}");
                }
                decisions.push(d);
            }
            for token in &seen.pats {
                let d = runner(ac, ws, None, Some(&token.secret), action);
                if token.revoked {
                    assert!(
                        !d.allowed && d.unauthenticated,
                        "revoked PAT allowed: {d:?}"
                    );
                    assert_eq!(d.rule, "REV-3");
                }
                if seen
                    .removed
                    .contains(&(ws_org.clone(), token.owner.clone()))
                    && !token.revoked
                {
                    // REV-1: a removed member's PAT counts as a non-member's.
                    assert_eq!(d.principal, Principal::WorkspaceId, "{d:?}");
                    assert_eq!(d.rule, "PAT-5");
                    assert_eq!(d.access, runner(ac, ws, None, None, action).access);
                }
                decisions.push(d);
            }
            for d in decisions {
                // A read-only credential never writes; nothing with `none`.
                if d.allowed {
                    assert_ne!(d.access, AccessLevel::None, "{d:?}");
                }
                if d.allowed && action == RunnerAction::WriteCache {
                    assert_eq!(d.access, AccessLevel::ReadWrite, "{d:?}");
                }
                assert!(!d.reason.is_empty() && !d.rule.is_empty());
                for token in seen.ci.iter().chain(&seen.pats) {
                    assert!(!d.reason.contains(&token.secret));
                }
            }
        }
    }
    // A removed member administers nothing and keeps no role: at most what
    // a public organization shows everyone.
    for (o, u) in &seen.removed {
        let d = ac.authorize_web(&WebRequest {
            user: Some(u.clone()),
            organization: o.clone(),
            action: WebAction::ViewRuns,
        });
        assert!(matches!(d.role, WebRole::Public | WebRole::None), "{d:?}");
        assert_eq!(d.allowed, d.role == WebRole::Public, "{d:?}");
        for action in [
            WebAction::ChangeSettings,
            WebAction::ManageMembers,
            WebAction::ManageTokens,
        ] {
            let d = ac.authorize_web(&WebRequest {
                user: Some(u.clone()),
                organization: o.clone(),
                action,
            });
            assert!(
                !d.allowed,
                "removed member `{u}` may {action:?} in `{o}`: {d:?}"
            );
        }
    }
    // ORG-8: every organization keeps an admin; the snapshot holds no secret.
    let snapshot: Value = serde_json::from_str(&ac.to_json().unwrap()).unwrap();
    for organization in snapshot["organizations"].as_array().unwrap() {
        let members = organization["members"].as_array().unwrap();
        assert!(
            members.iter().any(|m| m["role"] == "admin"),
            "{organization}"
        );
    }
    let text = snapshot.to_string();
    for token in seen.ci.iter().chain(&seen.pats) {
        assert!(!text.contains(&token.secret));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every refused command leaves the snapshot byte-identical, and every
    /// reachable state holds the invariants.
    #[test]
    fn random_command_sequences_keep_the_invariants(ops in ops()) {
        let mut ac = AccessControl::new();
        let mut seen = Seen::default();
        for op in &ops {
            let before = ac.to_json().unwrap();
            let result = run(&mut ac, &mut seen, op);
            if let Err(message) = &result {
                prop_assert_eq!(&ac.to_json().unwrap(), &before, "refused {:?} ({}) changed the state", op, message);
                for token in seen.ci.iter().chain(&seen.pats) {
                    prop_assert!(!message.contains(&token.secret));
                }
            }
            check_invariants(&ac, &seen);
        }
    }

    /// A snapshot restores to an equal engine, which writes the same snapshot
    /// and decides the same.
    #[test]
    fn snapshot_round_trips_are_lossless(ops in ops()) {
        let mut ac = AccessControl::new();
        let mut seen = Seen::default();
        for op in &ops {
            let _ = run(&mut ac, &mut seen, op);
        }
        let text = ac.to_json().unwrap();
        let restored = AccessControl::from_json(&text).unwrap();
        prop_assert!(restored == ac, "the restored engine differs");
        prop_assert_eq!(restored.to_json().unwrap(), text);
        for (ws, _) in &seen.workspaces {
            for token in seen.ci.iter().chain(&seen.pats) {
                for action in ACTIONS {
                    let as_ci = runner(&ac, ws, Some(&token.secret), None, action);
                    prop_assert_eq!(&runner(&restored, ws, Some(&token.secret), None, action), &as_ci);
                    let as_pat = runner(&ac, ws, None, Some(&token.secret), action);
                    prop_assert_eq!(&runner(&restored, ws, None, Some(&token.secret), action), &as_pat);
                }
            }
        }
        for token in &seen.ci {
            prop_assert_eq!(
                restored.workspace_of_ci_access_token(&token.secret),
                (!token.revoked).then(|| token.owner.clone())
            );
        }
        for token in &seen.pats {
            prop_assert_eq!(
                restored.user_of_personal_access_token(&token.secret),
                (!token.revoked).then(|| token.owner.clone())
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The log of a command sequence (command, argument, what it drew),
    /// replayed on an empty engine, or from any snapshot taken along the
    /// way, yields an equal engine: a store may keep a snapshot and the
    /// changes after it.
    #[test]
    fn replaying_the_log_yields_the_same_state(ops in ops(), cut in 0usize..64) {
        let mut ac = AccessControl::new();
        let mut seen = Seen::default();
        let mut snapshots = vec![(0, AccessControl::new().to_json().unwrap())];
        for op in &ops {
            let _ = run(&mut ac, &mut seen, op);
            snapshots.push((seen.log.len(), ac.to_json().unwrap()));
        }
        let (from, snapshot) = snapshots[cut % snapshots.len()].clone();
        let mut replayed = AccessControl::from_json(&snapshot).unwrap();
        for (method, arg, drawn) in &seen.log[from..] {
            replayed.replay(*method, arg.clone(), drawn).unwrap();
        }
        prop_assert!(replayed == ac, "the replayed engine differs");
        prop_assert_eq!(replayed.to_json().unwrap(), ac.to_json().unwrap());
    }
}

/// A damaged log (a draw missing) is refused, and changes nothing.
#[test]
fn a_damaged_log_is_refused() {
    let mut ac = AccessControl::new();
    ac.call("createUser", json!({"id": "a", "email": "a@example.com"}))
        .unwrap();
    ac.call(
        "createOrganization",
        json!({"id": "o", "name": "O", "creator": "a"}),
    )
    .unwrap();
    let before = ac.to_json().unwrap();
    let refused = ac.replay(
        Method::CreateWorkspace,
        json!({"organization": "o", "actor": "a"}),
        &[Drawn::TokenHash("00".repeat(32))],
    );
    assert_eq!(refused.unwrap_err().code(), "invalid-input");
    assert_eq!(ac.to_json().unwrap(), before);
}

/// A snapshot of a newer format version is refused with its own code.
#[test]
fn newer_snapshots_are_refused() {
    use nxcloud_access::ErrorCode;
    let mut ac = AccessControl::new();
    ac.call(
        "createUser",
        json!({"id": "ann", "email": "ann@example.com"}),
    )
    .unwrap();
    let mut snapshot: Value = serde_json::from_str(&ac.to_json().unwrap()).unwrap();
    snapshot["version"] = json!(2);
    let err = AccessControl::from_json(&snapshot.to_string()).unwrap_err();
    assert_eq!(err.code(), "unsupported-snapshot");
    assert!(err.to_string().contains("upgrade"), "{err}");
}

/// No output type of the engine prints a token: Debug of results, requests,
/// the engine itself.
#[test]
fn debug_output_never_shows_a_token() {
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
    let nx_cloud_id = ws["nxCloudId"].as_str().unwrap().to_owned();
    let created = ac
        .create_personal_access_token(nxcloud_access::access::CreatePersonalAccessToken {
            user: "ann".into(),
            name: "laptop".into(),
        })
        .unwrap();
    let secret = created.token.expose().to_owned();
    let request = RunnerRequest {
        nx_cloud_id: Some(nx_cloud_id),
        personal_access_token: Some(Secret::new(secret.clone())),
        ..RunnerRequest::default()
    };
    let decision = ac.authorize_runner(&request);
    assert!(decision.allowed);
    for shown in [
        format!("{created:?}"),
        format!("{request:?}"),
        format!("{decision:?}"),
        format!("{ac:?}"),
        format!("{ac:#?}"),
    ] {
        assert!(!shown.contains(&secret), "{shown}");
    }
    assert_eq!(
        ac.user_of_personal_access_token(&secret).as_deref(),
        Some("ann")
    );
    assert_eq!(ac.user_of_personal_access_token("nxpat_nope"), None);
    assert_eq!(ac.workspace_of_ci_access_token(&secret), None);
}
