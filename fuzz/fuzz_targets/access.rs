//! Random `AccessControl` command sequences, each followed by decisions.
//! Commands go through `call` (the JSON entry point of the wasm bindings and
//! the server), with ids drawn from small pools so that they meet.
//! Properties, after every step:
//! * a refused command changes nothing (the state and its snapshot);
//! * no result, error, `Debug` dump or snapshot shows a token's secret, except
//!   the one result that creates it;
//! * a read-only CI token is never allowed to write; a revoked token (CI or
//!   PAT) is never allowed anything, from the very next request;
//! * a snapshot restores to an equal engine.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nxcloud_access::AccessControl;
use serde_json::{json, Value};

#[derive(Arbitrary, Debug)]
enum Op {
    CreateUser(u8, Email),
    CreateOrganization(u8, Text, u8),
    Invite(u8, u8, Option<Email>, Option<Text>, Role),
    Join(u8, u8),
    RemoveMember(u8, u8, u8),
    SetRole(u8, u8, u8, Role),
    SetVisibility(u8, u8, bool),
    CreateWorkspace(u8, u8),
    SetWorkspaceIdAccess(u8, u8, Level),
    SetPatAccess(u8, u8, Level),
    CreateCiToken(u8, u8, Text, bool),
    RevokeCiToken(u8, u8, u8),
    CreatePat(u8, Text),
    RevokePat(u8, u8),
    ListPats(u8),
    ListCiTokens(u8, u8),
    Runner(Option<u8>, Option<u8>, Option<u8>, Action),
    Web(Option<u8>, u8, u8),
    Raw(u8, String),
    Restore,
}

#[derive(Arbitrary, Debug)]
enum Email {
    Of(u8),
    Domain(u8, u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Text {
    Fixed(u8),
    Any(String),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Role {
    Admin,
    Member,
    Bad,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Level {
    None,
    ReadOnly,
    ReadWrite,
    Bad,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Action {
    Read,
    Write,
    Record,
    Distribute,
}

const ACTIONS: [&str; 4] = ["read-cache", "write-cache", "record-run", "distribute"];
const WEB_ACTIONS: [&str; 5] = [
    "view-runs",
    "view-stats",
    "change-settings",
    "manage-members",
    "manage-tokens",
];
const DOMAINS: [&str; 4] = ["example.com", "acme.io", "com", "a..b"];

/// A token the sequence minted.
struct Minted {
    secret: String,
    id: String,
    /// nxCloudId for a CI token, user id for a PAT.
    owner: String,
    ci: bool,
    read_only: bool,
    revoked: bool,
}

#[derive(Default)]
struct World {
    workspaces: Vec<String>,
    tokens: Vec<Minted>,
}

fn user(i: u8) -> String {
    format!("u{}", i % 5)
}

fn org(i: u8) -> String {
    format!("o{}", i % 3)
}

fn email(e: &Email) -> String {
    match e {
        Email::Of(i) => format!("{}@{}", user(*i), DOMAINS[usize::from(*i) % 2]),
        Email::Domain(i, d) => format!("x{i}@{}", DOMAINS[usize::from(*d) % DOMAINS.len()]),
        Email::Text(t) => t.clone(),
    }
}

fn text(t: &Text) -> String {
    match t {
        Text::Fixed(i) => format!("name {}", i % 4),
        Text::Any(s) => s.clone(),
    }
}

fn role(r: Role) -> &'static str {
    match r {
        Role::Admin => "admin",
        Role::Member => "member",
        Role::Bad => "owner",
    }
}

fn level(l: Level) -> &'static str {
    match l {
        Level::None => "none",
        Level::ReadOnly => "read-only",
        Level::ReadWrite => "read-write",
        Level::Bad => "write",
    }
}

fn pick<T: Clone>(items: &[T], i: u8, fallback: T) -> T {
    if items.is_empty() {
        fallback
    } else {
        items[usize::from(i) % items.len()].clone()
    }
}

impl World {
    fn ws(&self, i: u8) -> String {
        pick(&self.workspaces, i, "0123456789abcdef01234567".to_owned())
    }

    fn token(&self, i: u8, ci: bool) -> Option<&Minted> {
        let of_kind: Vec<&Minted> = self.tokens.iter().filter(|t| t.ci == ci).collect();
        (!of_kind.is_empty()).then(|| of_kind[usize::from(i) % of_kind.len()])
    }

    fn secret(&self, i: u8, ci: bool) -> String {
        self.token(i, ci)
            .map(|t| t.secret.clone())
            .unwrap_or_else(|| {
                if ci {
                    "nxca_unknown".into()
                } else {
                    "nxpat_unknown".into()
                }
            })
    }

    fn command(&self, op: &Op) -> (String, Value) {
        let (method, arg) = match op {
            Op::CreateUser(u, e) => ("createUser", json!({"id": user(*u), "email": email(e)})),
            Op::CreateOrganization(o, n, u) => (
                "createOrganization",
                json!({"id": org(*o), "name": text(n), "creator": user(*u)}),
            ),
            Op::Invite(o, a, e, d, r) => {
                let mut arg = json!({"organization": org(*o), "actor": user(*a), "role": role(*r)});
                if let Some(e) = e {
                    arg["email"] = json!(email(e));
                }
                if let Some(d) = d {
                    arg["domain"] = json!(match d {
                        Text::Fixed(i) => DOMAINS[usize::from(*i) % DOMAINS.len()].to_owned(),
                        Text::Any(s) => s.clone(),
                    });
                }
                ("invite", arg)
            }
            Op::Join(o, u) => ("join", json!({"organization": org(*o), "user": user(*u)})),
            Op::RemoveMember(o, a, u) => (
                "removeMember",
                json!({"organization": org(*o), "actor": user(*a), "user": user(*u)}),
            ),
            Op::SetRole(o, a, u, r) => (
                "setRole",
                json!({"organization": org(*o), "actor": user(*a), "user": user(*u), "role": role(*r)}),
            ),
            Op::SetVisibility(o, a, public) => (
                "setVisibility",
                json!({"organization": org(*o), "actor": user(*a),
                       "visibility": if *public { "public" } else { "private" }}),
            ),
            Op::CreateWorkspace(o, a) => (
                "createWorkspace",
                json!({"organization": org(*o), "actor": user(*a)}),
            ),
            Op::SetWorkspaceIdAccess(w, a, l) => (
                "setWorkspaceIdAccess",
                json!({"workspace": self.ws(*w), "actor": user(*a), "level": level(*l)}),
            ),
            Op::SetPatAccess(w, a, l) => (
                "setPersonalAccessTokenAccess",
                json!({"workspace": self.ws(*w), "actor": user(*a), "level": level(*l)}),
            ),
            Op::CreateCiToken(w, a, n, ro) => (
                "createCiAccessToken",
                json!({"workspace": self.ws(*w), "actor": user(*a), "name": text(n),
                       "access": if *ro { "read-only" } else { "read-write" }}),
            ),
            Op::RevokeCiToken(w, a, t) => {
                let id = self
                    .token(*t, true)
                    .map_or("ci-0".to_owned(), |t| t.id.clone());
                let ws = self
                    .token(*t, true)
                    .map_or(self.ws(*w), |t| t.owner.clone());
                let ws = if *w % 4 == 0 { self.ws(*w) } else { ws };
                (
                    "revokeCiAccessToken",
                    json!({"workspace": ws, "actor": user(*a), "id": id}),
                )
            }
            Op::CreatePat(u, n) => (
                "createPersonalAccessToken",
                json!({"user": user(*u), "name": text(n)}),
            ),
            Op::RevokePat(u, t) => {
                let (owner, id) = self
                    .token(*t, false)
                    .map_or((user(*u), "pat-0".to_owned()), |t| {
                        (t.owner.clone(), t.id.clone())
                    });
                let owner = if *u % 4 == 0 { user(*u) } else { owner };
                (
                    "revokePersonalAccessToken",
                    json!({"user": owner, "id": id}),
                )
            }
            Op::ListPats(u) => ("listPersonalAccessTokens", json!({"user": user(*u)})),
            Op::ListCiTokens(w, a) => (
                "listCiAccessTokens",
                json!({"workspace": self.ws(*w), "actor": user(*a)}),
            ),
            Op::Runner(w, ci, pat, action) => {
                let mut arg = json!({"action": ACTIONS[*action as usize]});
                if let Some(w) = w {
                    arg["nxCloudId"] = json!(self.ws(*w));
                }
                if let Some(t) = ci {
                    arg["accessToken"] = json!(self.secret(*t, true));
                }
                if let Some(t) = pat {
                    arg["personalAccessToken"] = json!(self.secret(*t, false));
                }
                ("authorizeRunner", arg)
            }
            Op::Web(u, o, a) => (
                "authorizeWeb",
                json!({"user": u.map(user), "organization": org(*o),
                       "action": WEB_ACTIONS[usize::from(*a) % WEB_ACTIONS.len()]}),
            ),
            Op::Raw(m, arg) => {
                let names = ["createUser", "invite", "authorizeRunner", "nope", "join"];
                let value = serde_json::from_str(arg).unwrap_or(Value::String(arg.clone()));
                return (names[usize::from(*m) % names.len()].to_owned(), value);
            }
            Op::Restore => unreachable!(),
        };
        (method.to_owned(), arg)
    }

    fn assert_no_secret(&self, shown: &str, except: Option<&str>) {
        for t in &self.tokens {
            if Some(t.secret.as_str()) != except {
                assert!(
                    !shown.contains(&t.secret),
                    "a token's secret shows: {shown}"
                );
            }
        }
    }

    /// Every minted token, presented alone and with its workspace, for every
    /// action: read-only never writes, revoked never does anything.
    fn check_tokens(&self, ac: &mut AccessControl) {
        for t in &self.tokens {
            for action in ACTIONS {
                let mut args = Vec::new();
                if t.ci {
                    args.push(json!({"accessToken": t.secret, "action": action}));
                    args.push(
                        json!({"accessToken": t.secret, "nxCloudId": t.owner, "action": action}),
                    );
                } else {
                    for ws in &self.workspaces {
                        args.push(json!({"personalAccessToken": t.secret, "nxCloudId": ws, "action": action}));
                    }
                }
                for arg in args {
                    let d = ac.call("authorizeRunner", arg).unwrap();
                    let allowed = d["allowed"].as_bool().unwrap();
                    if t.revoked {
                        assert!(!allowed, "revoked token allowed: {d}");
                    }
                    if t.ci && t.read_only && action == "write-cache" {
                        assert!(!allowed, "read-only token writes: {d}");
                    }
                    self.assert_no_secret(&d.to_string(), None);
                }
            }
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut ac = AccessControl::new();
    let mut world = World::default();
    for op in ops.iter().take(64) {
        if let Op::Restore = op {
            let snapshot = ac.to_json().unwrap();
            world.assert_no_secret(&snapshot, None);
            let restored = AccessControl::from_json(&snapshot).unwrap();
            assert!(
                restored == ac,
                "the snapshot did not restore an equal engine"
            );
            ac = restored;
            continue;
        }
        let (method, arg) = world.command(op);
        let before = ac.clone();
        let before_json = ac.to_json().unwrap();
        match ac.call(&method, arg) {
            Err(e) => {
                assert!(ac == before, "refused `{method}` changed the state: {e}");
                assert_eq!(ac.to_json().unwrap(), before_json);
                world.assert_no_secret(&format!("{e} {e:?}"), None);
            }
            Ok(result) => {
                let secret = result
                    .get("token")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                world.assert_no_secret(&result.to_string(), secret.as_deref());
                if method.starts_with("authorize") || method.starts_with("list") {
                    assert!(ac == before, "decision `{method}` changed the state");
                }
                match (method.as_str(), op, secret) {
                    ("createCiAccessToken", Op::CreateCiToken(w, _, _, ro), Some(secret)) => {
                        world.tokens.push(Minted {
                            secret,
                            id: result["id"].as_str().unwrap().to_owned(),
                            owner: world.ws(*w),
                            ci: true,
                            read_only: *ro,
                            revoked: false,
                        })
                    }
                    ("createPersonalAccessToken", Op::CreatePat(u, _), Some(secret)) => {
                        world.tokens.push(Minted {
                            secret,
                            id: result["id"].as_str().unwrap().to_owned(),
                            owner: user(*u),
                            ci: false,
                            read_only: false,
                            revoked: false,
                        })
                    }
                    ("createWorkspace", _, _) => world
                        .workspaces
                        .push(result["nxCloudId"].as_str().unwrap().to_owned()),
                    ("revokeCiAccessToken", Op::RevokeCiToken(_, _, t), _) => {
                        let id = world.token(*t, true).map(|t| t.id.clone());
                        for m in world
                            .tokens
                            .iter_mut()
                            .filter(|m| m.ci && Some(&m.id) == id.as_ref())
                        {
                            m.revoked = true;
                        }
                    }
                    ("revokePersonalAccessToken", Op::RevokePat(_, t), _) => {
                        let id = world.token(*t, false).map(|t| t.id.clone());
                        for m in world
                            .tokens
                            .iter_mut()
                            .filter(|m| !m.ci && Some(&m.id) == id.as_ref())
                        {
                            m.revoked = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        world.assert_no_secret(&format!("{ac:?}"), None);
        world.check_tokens(&mut ac);
    }
    let snapshot = ac.to_json().unwrap();
    world.assert_no_secret(&snapshot, None);
    assert!(AccessControl::from_json(&snapshot).unwrap() == ac);
});
