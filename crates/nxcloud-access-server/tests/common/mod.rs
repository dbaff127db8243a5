//! Helpers shared by the in-process HTTP tests: data directories, the admin
//! CLI's function, a server on 127.0.0.1:0, raw HTTP/1.1 requests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)] // a test fails loudly

pub mod garage;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use nxcloud_access_server::{bind, run_admin_command, ServerConfig};

pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

pub fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nxcloud-http-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn admin(dir: &Path, command: &str, arg: Value) -> Value {
    run_admin_command(dir, command, arg).unwrap()
}

/// Starts a server on 127.0.0.1:0 in a background runtime.
pub fn start(dir: &Path) -> SocketAddr {
    start_with(ServerConfig::new(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        dir.to_owned(),
    ))
}

/// Starts a server with this configuration in a background runtime.
pub fn start_with(config: ServerConfig) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let bound = bind(config).await.unwrap();
            tx.send(bound.local_addr().unwrap()).unwrap();
            bound.serve(std::future::pending()).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Answer {
        status,
        content_type,
        body: body.to_owned(),
    }
}

pub struct World {
    pub dir: PathBuf,
    pub addr: SocketAddr,
    pub ws: String,
    pub rw: String,
    pub rw_id: String,
    pub ro: String,
    pub alice_pat: String,
    pub bob_pat: String,
}

/// alice, admin of organization `acme`, and its workspace; its nxCloudId.
pub fn seed(dir: &Path) -> String {
    admin(
        dir,
        "create-user",
        json!({ "id": "alice", "email": "alice@example.com" }),
    );
    admin(
        dir,
        "create-organization",
        json!({ "id": "acme", "name": "Acme", "creator": "alice" }),
    );
    admin(
        dir,
        "create-workspace",
        json!({ "organization": "acme", "actor": "alice" }),
    )["nxCloudId"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn world(name: &str) -> World {
    world_with(name, |_| {})
}

/// [`world`] with a server configured by `configure`.
pub fn world_with(name: &str, configure: impl FnOnce(&mut ServerConfig)) -> World {
    let dir = data_dir(name);
    let ws = seed(&dir);
    admin(
        &dir,
        "create-user",
        json!({ "id": "bob", "email": "bob@example.com" }),
    );
    let token = |access: &str| {
        let created = admin(
            &dir,
            "create-ci-access-token",
            json!({ "workspace": ws, "actor": "alice", "name": access, "access": access }),
        );
        (
            created["token"].as_str().unwrap().to_owned(),
            created["id"].as_str().unwrap().to_owned(),
        )
    };
    let ((rw, rw_id), (ro, _)) = (token("read-write"), token("read-only"));
    let pat = |user: &str| {
        let created = admin(
            &dir,
            "create-personal-access-token",
            json!({ "user": user, "name": "pat" }),
        );
        created["token"].as_str().unwrap().to_owned()
    };
    let (alice_pat, bob_pat) = (pat("alice"), pat("bob"));
    let mut config = ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), dir.clone());
    configure(&mut config);
    World {
        addr: start_with(config),
        dir,
        ws,
        rw,
        rw_id,
        ro,
        alice_pat,
        bob_pat,
    }
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub fn auth(value: &str) -> Vec<(&'static str, &str)> {
    vec![("authorization", value)]
}
