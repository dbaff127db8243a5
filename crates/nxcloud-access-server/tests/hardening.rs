//! The attacks of the second round (issue 15), one test per guarantee of the
//! "Reliability and security" section of docs/server.md, in process. Those
//! that need the binary under an open-file limit, a full disk or signals are in
//! `tests/nx-e2e/attack.mjs` (scripts/test-server).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // a test fails loudly

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::{admin, auth, bearer, data_dir, seed, send, start, start_with, world, Answer};
use nxcloud_access::access::{RunnerAction, RunnerRequest};
use nxcloud_access::{AccessControl, Secret};
use nxcloud_access_server::admin_api::OrganizationCreators;
use nxcloud_access_server::store::StoreError;
use nxcloud_access_server::{bind, run_admin_command, ServerConfig, ServerError};

/// Everything the server logs in this test process, at the default level.
fn log_buffer() -> Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER
        .get_or_init(|| {
            let buffer = Arc::new(Mutex::new(Vec::new()));
            let writer = Arc::clone(&buffer);
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::INFO)
                .with_ansi(false)
                .with_writer(move || LogWriter(Arc::clone(&writer)))
                .init();
            buffer
        })
        .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

fn command(addr: SocketAddr, name: &str, pat: &str, body: Value) -> (u16, Value) {
    let answer = send(
        addr,
        "POST",
        &format!("/api/v1/commands/{name}"),
        &[("nx-cloud-personal-access-token", pat)],
        body.to_string().as_bytes(),
    );
    (
        answer.status,
        serde_json::from_str(&answer.body).unwrap_or(Value::Null),
    )
}

fn config(dir: &Path) -> ServerConfig {
    ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), dir.to_owned())
}

fn bind_error(config: ServerConfig) -> ServerError {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move { bind(config).await.err().expect("the server started") })
}

// ------------------------------------------------------------------ item 1

/// Issue 15, item 1: copy the state aside, run commands, copy it back while
/// the server runs, then revoke: the revocation holds from the next request,
/// and so does an HTTP command after the restore.
#[test]
fn a_live_restore_never_hides_a_later_change() {
    let w = world("restore");
    let state = w.dir.join("state.sqlite3");
    let rw = bearer(&w.rw);
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/1", &auth(&rw), b"").status,
        404
    );
    let aside = w.dir.join("backup.sqlite3");
    std::fs::copy(&state, &aside).unwrap();
    for name in ["one", "two", "three"] {
        admin(
            &w.dir,
            "create-ci-access-token",
            json!({ "workspace": w.ws, "actor": "alice", "name": name, "access": "read-only" }),
        );
    }
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/1", &auth(&rw), b"").status,
        404
    );
    // The restore, in place, while the server runs.
    std::fs::copy(&aside, &state).unwrap();
    admin(
        &w.dir,
        "revoke-ci-access-token",
        json!({ "workspace": w.ws, "actor": "alice", "id": w.rw_id }),
    );
    let refused = send(w.addr, "GET", "/v1/cache/1", &auth(&rw), b"");
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.body.contains("REV-2"), "{}", refused.body);
    let put = send(w.addr, "PUT", "/v1/cache/2", &auth(&rw), b"x");
    assert_eq!(put.status, 401, "{}", put.body);

    // An HTTP command after another restore (a different file moved into
    // place): acknowledged, and in force at the next request.
    let replacement = w.dir.join("replacement.sqlite3");
    std::fs::copy(&aside, &replacement).unwrap();
    std::fs::rename(&replacement, &state).unwrap();
    let path = format!("/ws/{}/v1/cache/1", w.ws);
    assert_eq!(send(w.addr, "GET", &path, &[], b"").status, 404);
    let (status, body) = command(
        w.addr,
        "set-workspace-id-access",
        &w.alice_pat,
        json!({ "workspace": w.ws, "level": "none" }),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(send(w.addr, "GET", &path, &[], b"").status, 401);
}

/// The stored state gone: the server refuses to decide (503) instead of
/// deciding from memory.
#[test]
fn a_state_that_cannot_be_read_is_never_replaced_by_memory() {
    let w = world("gone");
    let rw = bearer(&w.rw);
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/1", &auth(&rw), b"").status,
        404
    );
    std::fs::remove_file(w.dir.join("state.sqlite3")).unwrap();
    let answer = send(w.addr, "GET", "/v1/cache/1", &auth(&rw), b"");
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(answer.body.contains("cannot decide"), "{}", answer.body);
    assert_eq!(send(w.addr, "GET", "/healthz", &[], b"").status, 503);
}

// ------------------------------------------------------------------ item 3

/// Issue 15, item 3 (and TOK-6): a token typed into any field the server
/// echoes is never printed whole: not in an answer, not in the log, not in
/// the engine's reason.
#[test]
fn no_token_is_echoed_from_any_field() {
    let logs = log_buffer();
    let w = world("echo");
    let fake_pat = format!("nxpat_{}", "A1b2C3d4E5".repeat(5).get(..43).unwrap());
    let fake_ci = format!("nxca_{}", "z9Y8x7W6v5".repeat(5).get(..43).unwrap());
    let secrets = [
        w.rw.clone(),
        w.ro.clone(),
        w.alice_pat.clone(),
        w.bob_pat.clone(),
        fake_pat.clone(),
        fake_ci.clone(),
    ];
    let mut answers: Vec<Answer> = Vec::new();
    for token in &secrets {
        let ws_path = format!("/ws/{token}/v1/cache/1");
        for header in [None, Some(bearer(&w.rw)), Some(bearer(&w.alice_pat))] {
            let headers: Vec<(&str, &str)> = header
                .as_deref()
                .map(|value| vec![("authorization", value)])
                .unwrap_or_default();
            answers.push(send(w.addr, "GET", &ws_path, &headers, b""));
            answers.push(send(w.addr, "PUT", &ws_path, &headers, b"x"));
        }
        answers.push(send(
            w.addr,
            "GET",
            &format!("/v1/cache/{token}"),
            &auth(&bearer(&w.rw)),
            b"",
        ));
        answers.push(send(
            w.addr,
            "GET",
            &format!("/prefix/{token}/v1/cache/1"),
            &auth(&bearer(token)),
            b"",
        ));
        answers.push(send(
            w.addr,
            "POST",
            &format!("/api/v1/commands/{token}"),
            &[("nx-cloud-personal-access-token", &w.alice_pat)],
            b"{}",
        ));
        answers.push(send(
            w.addr,
            "POST",
            "/api/v1/commands/list-ci-access-tokens",
            &[("nx-cloud-personal-access-token", token)],
            b"{}",
        ));
        for (name, body) in [
            ("list-ci-access-tokens", json!({ "workspace": token })),
            (
                "revoke-ci-access-token",
                json!({ "workspace": w.ws, "id": token }),
            ),
            (
                "set-workspace-id-access",
                json!({ "workspace": token, "level": "read-only" }),
            ),
            (
                "invite",
                json!({ "organization": token, "email": format!("{token}@x.io"), "role": "member" }),
            ),
            (
                "invite",
                json!({ "organization": "acme", "domain": token, "role": "member" }),
            ),
            (
                "set-role",
                json!({ "organization": "acme", "user": token, "role": "admin" }),
            ),
            (
                "remove-member",
                json!({ "organization": "acme", "user": token }),
            ),
            ("join", json!({ "organization": token })),
            (
                "set-visibility",
                json!({ "organization": "acme", "visibility": token }),
            ),
            ("revoke-personal-access-token", json!({ "id": token })),
        ] {
            let answer = send(
                w.addr,
                "POST",
                &format!("/api/v1/commands/{name}"),
                &[("nx-cloud-personal-access-token", &w.alice_pat)],
                body.to_string().as_bytes(),
            );
            answers.push(answer);
        }
    }
    assert!(answers.len() > 100);
    // The engine's own reasons, asked directly.
    let engine = AccessControl::new();
    let mut reasons = Vec::new();
    for token in &secrets {
        for (access_token, pat) in [
            (Some(w.rw.clone()), None),
            (None, Some(w.alice_pat.clone())),
            (None, None),
        ] {
            let decision = engine.authorize_runner(&RunnerRequest {
                nx_cloud_id: Some(token.clone()),
                access_token: access_token.map(Secret::new),
                personal_access_token: pat.map(Secret::new),
                action: RunnerAction::ReadCache,
            });
            reasons.push(decision.reason);
        }
    }
    let log = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    for secret in &secrets {
        for answer in &answers {
            assert!(
                !answer.body.contains(secret.as_str()),
                "an answer holds a token: {}",
                answer.body
            );
        }
        for reason in &reasons {
            assert!(
                !reason.contains(secret.as_str()),
                "a reason holds a token: {reason}"
            );
        }
        assert!(!log.contains(secret.as_str()), "the log holds a token");
    }
    assert!(log.contains("runner decision"), "nothing was logged");
}

// ------------------------------------------------------------------ item 4

/// Issue 15, item 4: the data directory, the state and the artifacts are
/// owner-only; a directory others may write is refused.
#[test]
fn the_data_directory_is_owner_only() {
    let parent = data_dir("modes");
    let dir = parent.join("data");
    let mut cfg = config(&dir);
    cfg.init = true;
    let addr = start_with(cfg);
    let ws = seed(&dir);
    let path = format!("/ws/{ws}/v1/cache/77");
    assert_eq!(send(addr, "PUT", &path, &[], b"artifact").status, 200);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("state.sqlite3")), 0o600);
    assert_eq!(mode(&dir.join("state.sqlite3-wal")), 0o600);
    assert_eq!(mode(&dir.join("artifacts")), 0o700);
    assert_eq!(mode(&dir.join("artifacts").join(&ws)), 0o700);
    assert_eq!(mode(&dir.join("artifacts").join(&ws).join("77")), 0o600);

    let open = parent.join("open");
    admin(
        &open,
        "create-user",
        json!({ "id": "alice", "email": "alice@example.com" }),
    );
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let by_admin = run_admin_command(
        &open,
        "create-user",
        json!({ "id": "bob", "email": "bob@example.com" }),
    )
    .unwrap_err();
    assert!(by_admin.to_string().contains("chmod"), "{by_admin}");
    let refused = bind_error(config(&open));
    assert!(
        matches!(refused, ServerError::UnsafeDataDir { .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("chmod"), "{refused}");
}

// ------------------------------------------------------------------ item 6

/// Issue 15, item 6: an upload begun before a revocation and finished after
/// it is decided again before it becomes visible: nothing is stored.
#[test]
fn an_upload_finished_after_its_revocation_is_not_stored() {
    let w = world("late-upload");
    let mut stream = TcpStream::connect(w.addr).unwrap();
    let head = format!(
        "PUT /v1/cache/500 HTTP/1.1\r\nhost: t\r\nconnection: close\r\nauthorization: Bearer {}\r\ncontent-length: 200000\r\n\r\n",
        w.rw
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&vec![7u8; 100_000]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    admin(
        &w.dir,
        "revoke-ci-access-token",
        json!({ "workspace": w.ws, "actor": "alice", "id": w.rw_id }),
    );
    stream.write_all(&vec![7u8; 100_000]).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 401"), "{raw}");
    assert!(raw.contains("REV-2"), "{raw}");
    let folder = w.dir.join("artifacts").join(&w.ws);
    let files: Vec<_> = std::fs::read_dir(&folder)
        .map(|entries| entries.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(files.is_empty(), "stored: {files:?}");
    let anonymous = format!("/ws/{}/v1/cache/500", w.ws);
    assert_eq!(send(w.addr, "GET", &anonymous, &[], b"").status, 404);
}

// ------------------------------------------------------------------ item 7

/// Issue 15, item 7: deleting any file of the data directory does not let a
/// second server start on it, and no clean-up removes a live upload.
#[test]
fn the_lock_cannot_be_deleted_away_and_cleanup_spares_live_uploads() {
    let w = world("lock");
    for entry in std::fs::read_dir(&w.dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().ends_with(".lock") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let refused = bind_error(config(&w.dir));
    assert!(
        matches!(refused, ServerError::AlreadyServing(_)),
        "{refused}"
    );

    // An upload in flight, and another process's clean-up of the folder.
    let mut stream = TcpStream::connect(w.addr).unwrap();
    let head = format!(
        "PUT /v1/cache/600 HTTP/1.1\r\nhost: t\r\nconnection: close\r\nauthorization: Bearer {}\r\ncontent-length: 20000\r\n\r\n",
        w.rw
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&[1u8; 10_000]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let folder = w.dir.join("artifacts").join(&w.ws);
    let temporaries: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(temporaries.len(), 1, "{temporaries:?}");
    for temporary in &temporaries {
        let removed = nxcloud_access_server::artifacts::remove_if_abandoned(temporary).unwrap();
        assert!(!removed, "a live upload's temporary file was removed");
        assert!(temporary.exists());
    }
    stream.write_all(&[1u8; 10_000]).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    let hit = send(w.addr, "GET", "/v1/cache/600", &auth(&bearer(&w.rw)), b"");
    assert_eq!((hit.status, hit.body.len()), (200, 20_000));
}

// ------------------------------------------------------------------ item 8

/// Issue 15, item 8: a refused PUT is decided before its body: a client
/// that expects `100 Continue` gets the refusal and never `100 Continue`;
/// a large refused body is not read to its end.
#[test]
fn a_refused_upload_is_answered_before_its_body() {
    let w = world("refused-body");
    admin(
        &w.dir,
        "set-workspace-id-access",
        json!({ "workspace": w.ws, "actor": "alice", "level": "none" }),
    );
    let mut stream = TcpStream::connect(w.addr).unwrap();
    let head = format!(
        "PUT /ws/{}/v1/cache/700 HTTP/1.1\r\nhost: t\r\nexpect: 100-continue\r\ncontent-length: 500000000\r\n\r\n",
        w.ws
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 401"), "{raw}");
    assert!(!raw.contains("100 Continue"), "{raw}");

    // Without Expect: the answer comes at once, and the server stops reading
    // after a bounded linger instead of draining 500 MB.
    let mut stream = TcpStream::connect(w.addr).unwrap();
    let head = format!(
        "PUT /ws/{}/v1/cache/701 HTTP/1.1\r\nhost: t\r\ncontent-length: 500000000\r\n\r\n",
        w.ws
    );
    stream.write_all(head.as_bytes()).unwrap();
    let reader = stream.try_clone().unwrap();
    let answer = std::thread::spawn(move || {
        let mut reader = reader;
        reader
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut first = [0u8; 12];
        reader.read_exact(&mut first).map(|()| first)
    });
    let started = Instant::now();
    let chunk = vec![0u8; 1 << 20];
    let mut sent: u64 = 0;
    while sent < 500_000_000 && started.elapsed() < Duration::from_secs(30) {
        match stream.write(&chunk) {
            Ok(n) => sent += n as u64,
            Err(_) => break,
        }
    }
    let first = answer.join().unwrap().expect("an answer");
    assert_eq!(&first, b"HTTP/1.1 401");
    assert!(
        sent < 200_000_000,
        "the server read {sent} bytes of a refused body"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

// ------------------------------------------------------------------ item 9

/// Issue 15, item 9: by default only the operator creates organizations;
/// when the operator allows people to, a count and a rate limit hold.
#[test]
fn organization_creation_is_the_operators_setting() {
    let w = world("orgs");
    let body = |id: &str| json!({ "id": id, "name": id });
    let (status, refused) = command(w.addr, "create-organization", &w.bob_pat, body("b1"));
    assert_eq!((status, refused["code"].as_str()), (403, Some("forbidden")));
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("allow-organization-creation"));

    let mut cfg = config(&w.dir.join("..").join("orgs-everyone"));
    let dir = cfg.data_dir.clone();
    let _ = std::fs::remove_dir_all(&dir);
    admin(
        &dir,
        "create-user",
        json!({ "id": "bob", "email": "bob@example.com" }),
    );
    admin(
        &dir,
        "create-user",
        json!({ "id": "carol", "email": "carol@example.com" }),
    );
    let pat = |user: &str| {
        admin(
            &dir,
            "create-personal-access-token",
            json!({ "user": user, "name": "p" }),
        )["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (bob, carol) = (pat("bob"), pat("carol"));
    cfg.organization_creation.who = OrganizationCreators::parse("bob").unwrap();
    cfg.organization_creation.max_per_user = 3;
    cfg.organization_creation.max_per_hour = 2;
    let addr = start_with(cfg);
    assert_eq!(
        command(addr, "create-organization", &carol, body("c1")).0,
        403
    );
    assert_eq!(
        command(addr, "create-organization", &bob, body("b1")).0,
        200
    );
    assert_eq!(
        command(addr, "create-organization", &bob, body("b2")).0,
        200
    );
    let (status, limited) = command(addr, "create-organization", &bob, body("b3"));
    assert_eq!(
        (status, limited["code"].as_str()),
        (429, Some("rate-limited"))
    );
    // A refused creation changed nothing.
    let listed = run_admin_command(
        &dir,
        "authorize-web",
        json!({ "user": "bob", "organization": "b3", "action": "view-runs" }),
    )
    .unwrap();
    assert_eq!(listed["allowed"], false);
}

// ------------------------------------------------------------------ item 10

/// Issue 15, item 10: a personal access token cannot mint credentials, so
/// revoking a leaked PAT evicts its holder.
#[test]
fn a_personal_access_token_cannot_mint_credentials() {
    let w = world("mint");
    let (status, body) = command(
        w.addr,
        "create-personal-access-token",
        &w.bob_pat,
        json!({ "name": "second" }),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let (status, body) = command(
        w.addr,
        "create-ci-access-token",
        &w.alice_pat,
        json!({ "workspace": w.ws, "name": "minted", "access": "read-write" }),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    // The holder of bob's leaked PAT, once it is revoked, has nothing left.
    let (_, listed) = command(w.addr, "list-personal-access-tokens", &w.bob_pat, json!({}));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let id = listed[0]["id"].as_str().unwrap();
    assert_eq!(
        command(
            w.addr,
            "revoke-personal-access-token",
            &w.bob_pat,
            json!({ "id": id })
        )
        .0,
        200
    );
    assert_eq!(
        command(w.addr, "list-personal-access-tokens", &w.bob_pat, json!({})).0,
        401
    );
    let (_, tokens) = command(
        w.addr,
        "list-ci-access-tokens",
        &w.alice_pat,
        json!({ "workspace": w.ws }),
    );
    assert_eq!(tokens.as_array().unwrap().len(), 2, "{tokens}");
}

// ------------------------------------------------------------------ item 11

/// Issue 15, item 11: two credentials in one request are refused, never
/// "the first wins".
#[test]
fn an_ambiguous_credential_is_refused() {
    let w = world("ambiguous");
    let (rw, ro) = (bearer(&w.rw), bearer(&w.ro));
    let answer = send(
        w.addr,
        "GET",
        "/v1/cache/1",
        &[("authorization", &rw), ("authorization", &ro)],
        b"",
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    let answer = send(
        w.addr,
        "PUT",
        "/v1/cache/1",
        &[("authorization", &ro), ("authorization", &rw)],
        b"x",
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    let answer = send(
        w.addr,
        "POST",
        "/api/v1/commands/list-personal-access-tokens",
        &[
            ("nx-cloud-personal-access-token", &w.bob_pat),
            ("nx-cloud-personal-access-token", &w.alice_pat),
        ],
        b"{}",
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    // One of each still works.
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/1", &auth(&rw), b"").status,
        404
    );
}

// ------------------------------------------------------------------ item 12

/// Issue 15, item 12: `serve` refuses a data directory that was never
/// initialised (missing, empty, emptied state) unless `--init`; `/healthz`
/// tells which state it serves.
#[test]
fn serve_refuses_an_uninitialised_data_directory() {
    let parent = data_dir("uninitialised");
    let missing = parent.join("mistyped");
    let error = bind_error(config(&missing));
    assert!(
        matches!(error, ServerError::Store(StoreError::NotInitialised { .. })),
        "{error}"
    );
    assert!(error.to_string().contains("--init"), "{error}");
    assert!(!missing.exists(), "a mistyped --data was created");

    let empty = parent.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(matches!(
        bind_error(config(&empty)),
        ServerError::Store(StoreError::NotInitialised { .. })
    ));
    std::fs::File::create(empty.join("state.sqlite3")).unwrap();
    assert!(matches!(
        bind_error(config(&empty)),
        ServerError::Store(StoreError::NotInitialised { .. })
    ));

    // The operator's CLI: only the bootstrap (`create-user`) initialises a
    // directory; any other command on a mistyped one creates nothing, and a
    // refused bootstrap leaves nothing behind.
    let refused = run_admin_command(
        &missing,
        "revoke-ci-access-token",
        json!({ "workspace": "w", "actor": "a", "id": "ci-0" }),
    )
    .unwrap_err();
    assert!(refused.to_string().contains("mistyped --data"), "{refused}");
    assert!(!missing.exists(), "a mistyped --data was created by admin");
    assert!(run_admin_command(&missing, "create-user", json!({ "id": "x" })).is_err());
    assert!(!missing.exists(), "a refused bootstrap left a directory");

    let mut cfg = config(&missing);
    cfg.init = true;
    let addr = start_with(cfg);
    let health = send(addr, "GET", "/healthz", &[], b"");
    assert_eq!(
        (health.status, health.body.as_str()),
        (200, "ok revision=0 workspaces=0\n")
    );
    let w = world("health");
    let health = send(w.addr, "GET", "/healthz", &[], b"");
    assert_eq!(health.body, "ok revision=8 workspaces=1\n");
    let _ = start;
}

// ------------------------------------------------------------------ item 13

/// Issue 15, item 13 (ORG-7): a refusal tells an outsider nothing about a
/// private organization: not its name, not a token id.
#[test]
fn a_refusal_tells_an_outsider_nothing_of_a_private_organization() {
    let w = world("outsider");
    admin(
        &w.dir,
        "set-workspace-id-access",
        json!({ "workspace": w.ws, "actor": "alice", "level": "none" }),
    );
    let path = format!("/ws/{}/v1/cache/1", w.ws);
    let refused = send(w.addr, "GET", &path, &auth(&bearer(&w.bob_pat)), b"");
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("not a member"), "{}", refused.body);
    assert!(!refused.body.contains("acme"), "{}", refused.body);
    assert!(!refused.body.contains("pat-"), "{}", refused.body);
    // Public, the organization is anyone's to see (PUB-2): it may be named.
    admin(
        &w.dir,
        "set-visibility",
        json!({ "organization": "acme", "actor": "alice", "visibility": "public" }),
    );
    let public = send(w.addr, "GET", &path, &auth(&bearer(&w.bob_pat)), b"");
    assert!(
        public.body.contains("organization `acme`"),
        "{}",
        public.body
    );
}

/// `/metrics` and `/readyz` answer; the metrics count decisions by rule.
#[test]
fn metrics_and_readiness() {
    let w = world("metrics");
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/1", &auth(&bearer(&w.ro)), b"").status,
        404
    );
    let ready = send(w.addr, "GET", "/readyz", &[], b"");
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));
    let metrics = send(w.addr, "GET", "/metrics", &[], b"");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .body
            .contains("nxcloud_access_decisions_total{rule=\"TOK-3\",allowed=\"true\"}"),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("nxcloud_access_disk_free_bytes"));
    let _ = logged();
}

/// Issue 15, item 5: a workspace's artifact quota; uploads beyond it get 403
/// (nx goes on without storing), other workspaces are not affected.
#[test]
fn a_workspace_quota_holds() {
    let w = world("quota");
    let other = admin(
        &w.dir,
        "create-workspace",
        json!({ "organization": "acme", "actor": "alice" }),
    )["nxCloudId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut cfg = config(&w.dir.join("..").join("quota-served"));
    let _ = std::fs::remove_dir_all(&cfg.data_dir);
    copy_dir(&w.dir, &cfg.data_dir);
    cfg.workspace_quota_bytes = Some(1000);
    let addr = start_with(cfg);
    let rw = bearer(&w.rw);
    assert_eq!(
        send(addr, "PUT", "/v1/cache/1", &auth(&rw), &[1u8; 600]).status,
        200
    );
    let over = send(addr, "PUT", "/v1/cache/2", &auth(&rw), &[2u8; 600]);
    assert_eq!(over.status, 403, "{}", over.body);
    assert!(over.body.contains("quota"), "{}", over.body);
    assert_eq!(
        send(addr, "GET", "/v1/cache/2", &auth(&rw), b"").status,
        404
    );
    let path = format!("/ws/{other}/v1/cache/3");
    assert_eq!(send(addr, "PUT", &path, &[], &[3u8; 600]).status, 200);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if entry.file_type().unwrap().is_file()
            && name.to_string_lossy().starts_with("state.sqlite3")
        {
            std::fs::copy(entry.path(), to.join(name)).unwrap();
        }
    }
}

/// A refusal at the cache says what to do on this server, never in Nx
/// Cloud's terms (`npx nx login`, `NX_CLOUD_ACCESS_TOKEN`, nx.json): the
/// engine's fact, and the server's advice.
#[test]
fn refusals_at_the_cache_give_this_servers_advice() {
    let w = world("advice");
    admin(
        &w.dir,
        "revoke-ci-access-token",
        json!({ "workspace": w.ws, "actor": "alice", "id": w.rw_id }),
    );
    let (_, pats) = command(w.addr, "list-personal-access-tokens", &w.bob_pat, json!({}));
    let bob_pat_id = pats[0]["id"].as_str().unwrap().to_owned();
    let ws_path = format!("/ws/{}/v1/cache/1", w.ws);
    let mut answers = vec![
        send(w.addr, "GET", "/v1/cache/1", &auth(&bearer(&w.rw)), b""),
        send(
            w.addr,
            "GET",
            "/v1/cache/1",
            &auth(&bearer(&w.alice_pat)),
            b"",
        ),
        send(
            w.addr,
            "GET",
            "/ws/0123456789abcdef01234567/v1/cache/1",
            &[],
            b"",
        ),
        send(
            w.addr,
            "GET",
            "/v1/cache/1",
            &auth("Bearer nxpat_unknownunknownunknownunknownunknownunknown0"),
            b"",
        ),
    ];
    command(
        w.addr,
        "revoke-personal-access-token",
        &w.bob_pat,
        json!({ "id": bob_pat_id }),
    );
    answers.push(send(
        w.addr,
        "GET",
        &ws_path,
        &auth(&bearer(&w.bob_pat)),
        b"",
    ));
    admin(
        &w.dir,
        "set-workspace-id-access",
        json!({ "workspace": w.ws, "actor": "alice", "level": "none" }),
    );
    answers.push(send(w.addr, "GET", &ws_path, &[], b""));
    for answer in &answers {
        assert_eq!(answer.status, 401, "{}", answer.body);
        for foreign in ["npx nx login", "NX_CLOUD_ACCESS_TOKEN", "nx.json"] {
            assert!(
                !answer.body.contains(foreign),
                "`{foreign}` in a refusal of this cache: {}",
                answer.body
            );
        }
        assert!(answer.body.contains("To fix: "), "{}", answer.body);
    }
    assert!(
        answers[0].body.contains("was revoked"),
        "{}",
        answers[0].body
    );
    assert!(
        answers[2].body.contains("no workspace of this server"),
        "{}",
        answers[2].body
    );
    assert!(answers[4].body.contains("REV-3"), "{}", answers[4].body);
}
