//! The cost of one command and one decision as the state grows: a
//! revocation through the server's state (`AccessState::apply`) and through
//! the `admin` CLI's path (`run_admin_command`, which opens the store), at
//! 10, 1,000 and 100,000 organizations (each with a user and a workspace).
//!
//! `cargo run --release -p nxcloud-access-server --example commandcost [N…]`

use std::process::ExitCode;
use std::time::Instant;

use serde_json::{json, Value};

use nxcloud_access::access::Method;
use nxcloud_access::Secret;
use nxcloud_access_server::engine::{self, CacheAction, Credential};
use nxcloud_access_server::run_admin_command;
use nxcloud_access_server::state::AccessState;
use nxcloud_access_server::store::Open;

fn main() -> ExitCode {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 1_000, 100_000]
    } else {
        sizes
    };
    println!("| organizations | server command (median) | admin CLI command (median) | decision (median) |");
    println!("| ---: | ---: | ---: | ---: |");
    for n in sizes {
        let dir =
            std::env::temp_dir().join(format!("nxcloud-commandcost-{}-{n}", std::process::id()));
        let result = measure(&dir, n);
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(error) = result {
            eprintln!("commandcost: {error}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn measure(dir: &std::path::Path, n: usize) -> Result<(), String> {
    nxcloud_access_server::create_private_dir(dir).map_err(|e| e.to_string())?;
    let state = AccessState::open(dir, Open::CreateIfMissing).map_err(|e| e.to_string())?;
    let apply = |method: Method, arg: Value| {
        state
            .apply(method, arg, Some("bench"))
            .map_err(|e| e.to_string())
    };
    for i in 0..n {
        apply(
            Method::CreateUser,
            json!({ "id": format!("u{i}"), "email": format!("u{i}@example.com") }),
        )?;
        apply(
            Method::CreateOrganization,
            json!({ "id": format!("o{i}"), "name": "Org", "creator": format!("u{i}") }),
        )?;
        apply(
            Method::CreateWorkspace,
            json!({ "organization": format!("o{i}"), "actor": format!("u{i}") }),
        )?;
    }
    let ws = apply(
        Method::CreateWorkspace,
        json!({ "organization": "o0", "actor": "u0" }),
    )?;
    let ws = ws
        .get("nxCloudId")
        .and_then(Value::as_str)
        .ok_or("no id")?
        .to_owned();
    let mut server = Vec::new();
    let mut cli = Vec::new();
    let mut decisions = Vec::new();
    for round in 0..41 {
        let created = apply(
            Method::CreateCiAccessToken,
            json!({ "workspace": ws, "actor": "u0", "name": format!("t{round}"), "access": "read-write" }),
        )?;
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .ok_or("no id")?
            .to_owned();
        let token = Secret::new(
            created
                .get("token")
                .and_then(Value::as_str)
                .ok_or("no token")?,
        );
        let started = Instant::now();
        let decision = state
            .fresh(|current| {
                let credential = Credential::classify(&current.engine, Some(token));
                engine::authorize(&current.engine, Some(&ws), &credential, CacheAction::Read)
            })
            .map_err(|e| e.to_string())?;
        decisions.push(started.elapsed().as_secs_f64() * 1e6);
        if !decision.allowed {
            return Err("the token was refused".into());
        }
        let revoke = json!({ "workspace": ws, "actor": "u0", "id": id });
        let started = Instant::now();
        if round % 2 == 0 {
            apply(Method::RevokeCiAccessToken, revoke)?;
            server.push(started.elapsed().as_secs_f64() * 1e3);
        } else {
            run_admin_command(dir, "revoke-ci-access-token", revoke).map_err(|e| e.to_string())?;
            cli.push(started.elapsed().as_secs_f64() * 1e3);
        }
    }
    println!(
        "| {n} | {:.2} ms | {:.2} ms | {:.1} µs |",
        median(server),
        median(cli),
        median(decisions)
    );
    Ok(())
}
