//! The CPU cost of authorization per cache request, without HTTP: the
//! freshness check of the access state (SQLite `data_version`), and the
//! engine's classification and decision. `scripts/loadtest` runs it.
//!
//! `cargo run --release -p nxcloud-access-server --example authcost`

use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;

use nxcloud_access::Secret;
use nxcloud_access_server::engine::{self, CacheAction, Credential};
use nxcloud_access_server::run_admin_command;
use nxcloud_access_server::state::AccessState;

const ROUNDS: u32 = 100_000;

fn main() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("nxcloud-authcost-{}", std::process::id()));
    let result = measure(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("authcost: {error}");
            ExitCode::from(1)
        }
    }
}

fn measure(dir: &std::path::Path) -> Result<(), String> {
    let admin =
        |command: &str, arg| run_admin_command(dir, command, arg).map_err(|e| e.to_string());
    admin(
        "create-user",
        json!({ "id": "ops", "email": "ops@example.com" }),
    )?;
    admin(
        "create-organization",
        json!({ "id": "acme", "name": "Acme", "creator": "ops" }),
    )?;
    let ws = admin(
        "create-workspace",
        json!({ "organization": "acme", "actor": "ops" }),
    )?;
    let ws = ws
        .get("nxCloudId")
        .and_then(|v| v.as_str())
        .ok_or("no nxCloudId")?
        .to_owned();
    let created = admin(
        "create-ci-access-token",
        json!({ "workspace": ws, "actor": "ops", "name": "load", "access": "read-write" }),
    )?;
    let token = Secret::new(
        created
            .get("token")
            .and_then(|v| v.as_str())
            .ok_or("no token")?,
    );
    let state = AccessState::open(dir, nxcloud_access_server::store::Open::Existing)
        .map_err(|e| e.to_string())?;

    let start = Instant::now();
    for _ in 0..ROUNDS {
        state.fresh(|_| ()).map_err(|e| e.to_string())?;
    }
    let fresh = start.elapsed() / ROUNDS;

    let (allowed, start) = state
        .fresh(|current| {
            let start = Instant::now();
            let mut allowed = 0u32;
            for _ in 0..ROUNDS {
                let credential = Credential::classify(&current.engine, Some(token.clone()));
                let decision = engine::authorize(
                    &current.engine,
                    credential.own_workspace(),
                    &credential,
                    CacheAction::Read,
                );
                allowed += u32::from(decision.allowed);
            }
            (allowed, start)
        })
        .map_err(|e| e.to_string())?;
    let decide = start.elapsed() / ROUNDS;
    if allowed != ROUNDS {
        return Err("the token was refused".into());
    }
    println!(
        "authorization per request: state freshness check {fresh:?} + engine (classify, decide) {decide:?} = {:?}",
        fresh + decide
    );
    Ok(())
}
