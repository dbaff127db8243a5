//! The access state in SQLite and in memory: one transaction per command, a
//! refused command changes nothing, and a change made by another connection
//! (the `admin` CLI while the server runs) is seen from the very next
//! decision.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // a test fails loudly

mod common;

use serde_json::{json, Value};

use common::{admin, data_dir, seed};
use nxcloud_access::access::{AccessLevel, Method};
use nxcloud_access::Secret;
use nxcloud_access_server::engine::{self, CacheAction, Credential};
use nxcloud_access_server::state::AccessState;
use nxcloud_access_server::store::{ApplyError, Open, Store};
use nxcloud_access_server::{run_admin_command, AdminError};

/// alice (admin) with workspace `ws` and a read-write CI token.
fn seeded(dir: &std::path::Path) -> (String, Value) {
    let ws = seed(dir);
    let token = admin(
        dir,
        "create-ci-access-token",
        json!({ "workspace": ws, "actor": "alice", "name": "ci", "access": "read-write" }),
    );
    (ws, token)
}

#[test]
fn a_refused_command_changes_nothing_and_lists_do_not_bump_the_revision() {
    let dir = data_dir("refused");
    let (ws, _) = seeded(&dir);
    let store = Store::open(&dir, Open::Existing).unwrap();
    let revision = store.revision().unwrap();
    let snapshot = store.load().unwrap().engine.to_json().unwrap();
    assert_eq!(revision, 4);

    let refused = run_admin_command(
        &dir,
        "create-organization",
        json!({ "id": "acme", "name": "Again", "creator": "alice" }),
    );
    assert!(
        matches!(refused, Err(AdminError::Refused(_))),
        "{refused:?}"
    );
    let listed = admin(
        &dir,
        "list-ci-access-tokens",
        json!({ "workspace": ws, "actor": "alice" }),
    );
    assert_eq!(listed[0]["name"], "ci");
    assert!(
        !listed.to_string().contains("nxca_"),
        "a list shows a secret"
    );

    assert_eq!(store.revision().unwrap(), revision);
    assert_eq!(store.load().unwrap().engine.to_json().unwrap(), snapshot);
}

#[test]
fn unknown_commands_are_refused_before_touching_the_state() {
    let dir = data_dir("unknown");
    let result = run_admin_command(&dir, "create-users", json!({}));
    assert!(
        matches!(result, Err(AdminError::UnknownCommand(_))),
        "{result:?}"
    );
    assert!(
        !dir.join("state.sqlite3").exists(),
        "an unknown command initialised the state"
    );
}

#[test]
fn the_database_holds_no_secret() {
    let dir = data_dir("secret");
    let (_, token) = seeded(&dir);
    let secret = token["token"].as_str().unwrap();
    let bytes = std::fs::read(dir.join("state.sqlite3")).unwrap();
    let wal = std::fs::read(dir.join("state.sqlite3-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(
            !file.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the token is stored"
        );
    }
}

#[test]
fn a_revocation_by_another_connection_holds_from_the_next_decision() {
    let dir = data_dir("revocation");
    let (ws, token) = seeded(&dir);
    let secret = Secret::new(token["token"].as_str().unwrap());
    let state = AccessState::open(&dir, Open::Existing).unwrap();
    let decide = |state: &AccessState| {
        state
            .fresh(|current| {
                let credential = Credential::classify(&current.engine, Some(secret.clone()));
                engine::authorize(&current.engine, Some(&ws), &credential, CacheAction::Write)
            })
            .unwrap()
    };
    let before = decide(&state);
    assert!(before.allowed, "{before:?}");
    assert_eq!(before.access, AccessLevel::ReadWrite);

    // The admin CLI, another connection (as another process would be).
    admin(
        &dir,
        "revoke-ci-access-token",
        json!({ "workspace": ws, "actor": "alice", "id": token["id"] }),
    );

    let after = decide(&state);
    assert!(!after.allowed);
    assert!(after.unauthenticated, "{after:?}");
}

#[test]
fn commands_applied_by_the_server_are_stored_and_survive_a_reopen() {
    let dir = data_dir("server-apply");
    let (ws, _) = seeded(&dir);
    let state = AccessState::open(&dir, Open::Existing).unwrap();
    state
        .apply(
            Method::SetWorkspaceIdAccess,
            json!({ "workspace": ws, "actor": "alice", "level": "none" }),
            Some("alice"),
        )
        .unwrap();
    let refused = state.apply(
        Method::SetWorkspaceIdAccess,
        json!({ "workspace": ws, "actor": "nobody", "level": "read-write" }),
        Some("nobody"),
    );
    assert!(
        matches!(refused, Err(ApplyError::Refused(_))),
        "{refused:?}"
    );
    drop(state);

    let reopened = AccessState::open(&dir, Open::Existing).unwrap();
    let (decision, revision) = reopened
        .fresh(|current| {
            let decision = engine::authorize(
                &current.engine,
                Some(&ws),
                &Credential::Anonymous,
                CacheAction::Read,
            );
            (decision, current.revision)
        })
        .unwrap();
    assert!(!decision.allowed, "{decision:?}");
    assert_eq!(decision.access, AccessLevel::None);
    assert_eq!(revision, 5);
}

/// A data directory of the first schema (one snapshot row rewritten by every
/// command, no identity) is migrated in place: same revision, same state,
/// and the command log keeps its history.
#[test]
fn a_state_of_the_first_schema_is_migrated() {
    let dir = data_dir("schema-1");
    let mut engine = nxcloud_access::AccessControl::new();
    engine
        .call(
            "createUser",
            json!({ "id": "alice", "email": "alice@example.com" }),
        )
        .unwrap();
    engine
        .call(
            "createOrganization",
            json!({ "id": "acme", "name": "Acme", "creator": "alice" }),
        )
        .unwrap();
    let snapshot = engine.to_json().unwrap();
    {
        let conn = rusqlite::Connection::open(dir.join("state.sqlite3")).unwrap();
        conn.execute_batch(
            "CREATE TABLE access_state (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL, snapshot TEXT NOT NULL);
             CREATE TABLE command_log (revision INTEGER PRIMARY KEY, command TEXT NOT NULL, actor TEXT, at TEXT NOT NULL DEFAULT 'then');
             INSERT INTO command_log (revision, command, actor) VALUES (1, 'create-user', 'admin-cli'), (2, 'create-organization', 'admin-cli');",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO access_state (id, revision, snapshot) VALUES (1, 2, ?1)",
            [&snapshot],
        )
        .unwrap();
    }
    let state = AccessState::open(&dir, Open::Existing).unwrap();
    let (revision, same) = state
        .fresh(|current| (current.revision, current.engine == engine))
        .unwrap();
    assert_eq!(revision, 2);
    assert!(same, "the migrated state differs");
    admin(
        &dir,
        "create-workspace",
        json!({ "organization": "acme", "actor": "alice" }),
    );
    assert_eq!(state.fresh(|c| c.revision).unwrap(), 3);
    let store = Store::open(&dir, Open::Existing).unwrap();
    let (all, _) = store
        .count_commands(
            "admin-cli",
            "create-organization",
            std::time::Duration::from_secs(1),
        )
        .unwrap();
    assert_eq!(all, 1);
}

/// Changes made by another process are caught up by replaying the log, a
/// checkpoint keeps the identity, and a server reopened on the directory
/// sees the same state.
#[test]
fn the_change_log_is_caught_up_and_checkpointed() {
    let dir = data_dir("log");
    let (ws, _) = seeded(&dir);
    let state = AccessState::open(&dir, Open::Existing).unwrap();
    let before = state.fresh(|c| c.identity()).unwrap();
    for i in 0..5 {
        admin(
            &dir,
            "create-ci-access-token",
            json!({ "workspace": ws, "actor": "alice", "name": format!("t{i}"), "access": "read-only" }),
        );
    }
    let after = state.fresh(|c| c.identity()).unwrap();
    assert_eq!(after.revision, before.revision + 5);
    let mut store = Store::open(&dir, Open::Existing).unwrap();
    assert_eq!(store.identity().unwrap(), after);
    // The server's start rewrote the checkpoint: only the 5 changes since.
    assert_eq!(store.changes_since_checkpoint().unwrap(), 5);
    let loaded = store.load().unwrap();
    store.checkpoint(&loaded).unwrap();
    assert_eq!(store.changes_since_checkpoint().unwrap(), 0);
    assert_eq!(store.identity().unwrap(), after);
    assert_eq!(state.fresh(|c| c.identity()).unwrap(), after);
    drop(state);
    let reopened = AccessState::open(&dir, Open::Existing).unwrap();
    let (identity, same) = reopened
        .fresh(|current| (current.identity(), current.engine == loaded.engine))
        .unwrap();
    assert_eq!(identity, after);
    assert!(same);
}

/// The server's commands, the `admin` CLI's and decisions, all at once: every
/// acknowledged command is in the stored state, and the server's copy ends
/// equal to a fresh load of it (no change lost or applied twice by the
/// catch-up and the replay).
#[test]
fn concurrent_commands_of_two_writers_and_decisions_agree() {
    let dir = data_dir("concurrent");
    let (ws, _) = seeded(&dir);
    let state = std::sync::Arc::new(AccessState::open(&dir, Open::Existing).unwrap());
    let create = {
        let ws = ws.clone();
        move |name: String| json!({ "workspace": ws, "actor": "alice", "name": name, "access": "read-only" })
    };
    let server = {
        let state = std::sync::Arc::clone(&state);
        let create = create.clone();
        std::thread::spawn(move || {
            for i in 0..40 {
                state
                    .apply(
                        Method::CreateCiAccessToken,
                        create(format!("s{i}")),
                        Some("alice"),
                    )
                    .unwrap();
            }
        })
    };
    let cli = {
        let dir = dir.clone();
        std::thread::spawn(move || {
            for i in 0..40 {
                admin(&dir, "create-ci-access-token", create(format!("c{i}")));
            }
        })
    };
    let reader = {
        let state = std::sync::Arc::clone(&state);
        std::thread::spawn(move || {
            for _ in 0..400 {
                state.fresh(|c| c.revision).unwrap();
            }
        })
    };
    server.join().unwrap();
    cli.join().unwrap();
    reader.join().unwrap();
    let stored = Store::open(&dir, Open::Existing).unwrap().load().unwrap();
    let (identity, same) = state
        .fresh(|c| (c.identity(), c.engine == stored.engine))
        .unwrap();
    assert_eq!(identity, stored.identity());
    assert!(same, "the server's copy differs from the stored state");
    let listed = admin(
        &dir,
        "list-ci-access-tokens",
        json!({ "workspace": ws, "actor": "alice" }),
    );
    assert_eq!(listed.as_array().unwrap().len(), 81);
}
