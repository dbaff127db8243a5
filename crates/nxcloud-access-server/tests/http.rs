//! The HTTP surface in process (no nx): the cache's answers for each kind of
//! credential and the admin API's actor rules. The real client is tested by
//! `tests/nx-e2e/run.mjs` (scripts/test-server).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // a test fails loudly

mod common;

use std::net::SocketAddr;

use serde_json::{json, Value};

use common::{auth, bearer, data_dir, send, world};
use nxcloud_access_server::{bind, ServerConfig};

#[test]
fn cache_answers_follow_the_engine() {
    let w = world("cache");
    let rw = bearer(&w.rw);
    let ro = bearer(&w.ro);
    // TOK-4: miss, store, hit, conflict.
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/42", &auth(&rw), b"").status,
        404
    );
    assert_eq!(
        send(w.addr, "PUT", "/v1/cache/42", &auth(&rw), b"artifact").status,
        200
    );
    let hit = send(w.addr, "GET", "//v1/cache/42", &auth(&rw), b"");
    assert_eq!((hit.status, hit.body.as_str()), (200, "artifact"));
    assert_eq!(
        send(w.addr, "PUT", "/v1/cache/42", &auth(&rw), b"other").status,
        409
    );
    // TOK-3: a read-only token reads, its writes get 403.
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/42", &auth(&ro), b"").status,
        200
    );
    assert_eq!(
        send(w.addr, "PUT", "/v1/cache/43", &auth(&ro), b"x").status,
        403
    );
    // TOK-7: an unknown token gets 401 text/plain, without the token.
    let refused = send(
        w.addr,
        "GET",
        "/v1/cache/42",
        &auth("Bearer nxca_unknown-token-0000000000000"),
        b"",
    );
    assert_eq!(refused.status, 401);
    assert_eq!(refused.content_type, "text/plain");
    assert!(
        refused.body.contains("TOK-7") && !refused.body.contains("unknown-token-0000"),
        "{}",
        refused.body
    );
    // WSID-1: anonymous with the workspace in the URL gets read-write.
    let path = format!("/prefix/ws/{}/v1/cache/42", w.ws);
    assert_eq!(send(w.addr, "GET", &path, &[], b"").status, 200);
    // No workspace named and no token: 401 saying how to name one.
    let unnamed = send(w.addr, "GET", "/v1/cache/42", &[], b"");
    assert_eq!(unnamed.status, 401);
    assert!(unnamed.body.contains("/ws/<nxCloudId>"), "{}", unnamed.body);
    // Unsafe names never reach the file system.
    assert_eq!(
        send(w.addr, "GET", "/v1/cache/..%2Fx", &auth(&rw), b"").status,
        400
    );
    assert_eq!(send(w.addr, "GET", "/healthz", &[], b"").status, 200);
}

#[test]
fn a_revoked_pat_is_refused_as_a_pat() {
    let w = world("revoked-pat");
    let path = format!("/ws/{}/v1/cache/7", w.ws);
    let bob = bearer(&w.bob_pat);
    // Bob is not a member: his PAT gets the workspace ID level (PAT-5).
    assert_eq!(send(w.addr, "GET", &path, &auth(&bob), b"").status, 404);
    let answer = send(
        w.addr,
        "POST",
        "/api/v1/commands/list-personal-access-tokens",
        &[("nx-cloud-personal-access-token", &w.bob_pat)],
        b"{}",
    );
    let listed: Value = serde_json::from_str(&answer.body).unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let answer = send(
        w.addr,
        "POST",
        "/api/v1/commands/revoke-personal-access-token",
        &[("nx-cloud-personal-access-token", &w.bob_pat)],
        json!({ "id": id }).to_string().as_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    // REV-3: from the very next request.
    let refused = send(w.addr, "GET", &path, &auth(&bob), b"");
    assert_eq!(refused.status, 401);
    assert!(
        refused.body.contains("personal access token"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains(&w.bob_pat));
}

#[test]
fn the_admin_api_acts_as_the_owner_of_the_header_pat() {
    let w = world("admin");
    let command = |name: &str, pat: Option<&str>, body: Value| {
        let headers: Vec<(&str, &str)> = pat
            .map(|pat| {
                vec![
                    ("nx-cloud-personal-access-token", pat),
                    ("content-type", "application/json"),
                ]
            })
            .unwrap_or_default();
        let answer = send(
            w.addr,
            "POST",
            &format!("/api/v1/commands/{name}"),
            &headers,
            body.to_string().as_bytes(),
        );
        let parsed: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        (answer.status, parsed)
    };
    let level = json!({ "workspace": w.ws, "level": "none" });
    assert_eq!(
        command("set-workspace-id-access", None, level.clone()).0,
        401
    );
    assert_eq!(
        command(
            "set-workspace-id-access",
            Some("nxpat_unknown-0000000000000"),
            level.clone()
        )
        .0,
        401
    );
    let with_actor = json!({ "workspace": w.ws, "level": "none", "actor": "alice" });
    assert_eq!(
        command("set-workspace-id-access", Some(&w.alice_pat), with_actor).0,
        400
    );
    // ORG-9: bob is no member, let alone an admin.
    let (status, error) = command("set-workspace-id-access", Some(&w.bob_pat), level.clone());
    assert_eq!((status, error["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(
        command(
            "create-user",
            Some(&w.alice_pat),
            json!({ "id": "eve", "email": "e@x.io" })
        )
        .0,
        403
    );
    assert_eq!(
        command("no-such-command", Some(&w.alice_pat), json!({})).0,
        404
    );

    let (status, result) = command("set-workspace-id-access", Some(&w.alice_pat), level);
    assert_eq!((status, result), (200, Value::Null));
    // WSID-4: the very next request sees it.
    let path = format!("/ws/{}/v1/cache/1", w.ws);
    assert_eq!(send(w.addr, "GET", &path, &[], b"").status, 401);

    // A person's own tokens: `user` comes from the header.
    let (status, listed) = command("list-personal-access-tokens", Some(&w.bob_pat), json!({}));
    assert_eq!(status, 200);
    assert_eq!(listed[0]["name"], "pat");
    assert_eq!(
        command(
            "list-personal-access-tokens",
            Some(&w.bob_pat),
            json!({ "user": "alice" })
        )
        .0,
        400
    );
}

#[test]
fn one_server_per_data_directory() {
    let dir = data_dir("lock");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = || {
            let mut config = ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), dir.clone());
            config.init = true;
            config
        };
        let first = bind(config()).await.unwrap();
        let refused = bind(config())
            .await
            .err()
            .expect("a second server on the same data");
        let message = refused.to_string();
        assert!(
            message.contains("already using the data directory"),
            "{message}"
        );
        drop(first);
        bind(config())
            .await
            .expect("the lock is released with the first server");
    });
}
