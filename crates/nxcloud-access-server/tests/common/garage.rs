//! A real Garage (an S3-compatible object store) for the tests: one node in
//! a temporary folder, on 127.0.0.1, with a layout, a key and a bucket.
//! The binary is `$NXCLOUD_GARAGE_BIN`, installed pinned by
//! `scripts/setup-garage` (scripts/test-server sets the variable). No S3
//! imitation: without the binary the tests fail, loudly.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // a test fails loudly

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BUCKET: &str = "nxcache";
pub const REGION: &str = "garage";

pub struct Garage {
    dir: PathBuf,
    config: PathBuf,
    bin: PathBuf,
    child: Option<Child>,
    pub endpoint: String,
    pub key_id: String,
    pub secret: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    getrandom::fill(&mut raw).unwrap();
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn binary() -> PathBuf {
    let bin = std::env::var_os("NXCLOUD_GARAGE_BIN").unwrap_or_else(|| {
        panic!(
            "NXCLOUD_GARAGE_BIN is not set: these tests need a real Garage; run scripts/test-server, \
             or `NXCLOUD_GARAGE_BIN=$(scripts/setup-garage | tail -1) cargo test -p \
             nxcloud-access-server --test garage`"
        )
    });
    let bin = PathBuf::from(bin);
    assert!(
        bin.is_file(),
        "NXCLOUD_GARAGE_BIN={} is not a file",
        bin.display()
    );
    bin
}

impl Garage {
    /// Starts a single node and prepares its layout, key and bucket.
    pub fn start(name: &str) -> Self {
        let bin = binary();
        let dir =
            std::env::temp_dir().join(format!("nxcloud-garage-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (s3_port, rpc_port) = (free_port(), free_port());
        let config = dir.join("garage.toml");
        std::fs::write(
            &config,
            format!(
                r#"metadata_dir = "{dir}/meta"
data_dir = "{dir}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc_port}"
rpc_public_addr = "127.0.0.1:{rpc_port}"
rpc_secret = "{secret}"

[s3_api]
s3_region = "{REGION}"
api_bind_addr = "127.0.0.1:{s3_port}"
root_domain = ".s3.garage.localhost"
"#,
                dir = dir.display(),
                secret = hex(32),
            ),
        )
        .unwrap();
        std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        let log = std::fs::File::create(dir.join("garage.log")).unwrap();
        let child = Command::new(&bin)
            .arg("-c")
            .arg(&config)
            .arg("server")
            .env("RUST_LOG", "garage=warn")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut garage = Self {
            dir,
            config,
            bin,
            child: Some(child),
            endpoint: format!("http://127.0.0.1:{s3_port}"),
            key_id: format!("GK{}", hex(12)),
            secret: hex(32),
        };
        garage.prepare();
        garage
    }

    fn cli(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(&self.bin)
            .arg("-c")
            .arg(&self.config)
            .args(args)
            .env("RUST_LOG", "garage=warn")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "garage {args:?} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    fn run(&self, args: &[&str]) -> String {
        self.cli(args).unwrap_or_else(|error| {
            panic!("{error}\n(garage's log: {})", self.log());
        })
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("garage.log")).unwrap_or_default()
    }

    fn prepare(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match self.cli(&["status"]) {
                Ok(_) => break,
                Err(error) if Instant::now() > deadline => {
                    panic!("garage did not start in 60 s: {error}\n{}", self.log())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
        let id = self.run(&["node", "id", "-q"]);
        let id = id.trim().split('@').next().unwrap().to_owned();
        self.run(&["layout", "assign", "-z", "dc1", "-c", "1G", &id]);
        self.run(&["layout", "apply", "--version", "1"]);
        self.run(&[
            "key",
            "import",
            "--yes",
            "-n",
            "nxcloud",
            &self.key_id,
            &self.secret,
        ]);
        self.run(&["bucket", "create", BUCKET]);
        self.run(&[
            "bucket",
            "allow",
            "--read",
            "--write",
            "--owner",
            BUCKET,
            "--key",
            &self.key_id,
        ]);
    }

    /// The `object_store` settings of this node (over the environment's).
    pub fn settings(&self) -> Vec<(String, String)> {
        vec![
            ("aws_endpoint".into(), self.endpoint.clone()),
            ("aws_region".into(), REGION.into()),
            ("aws_access_key_id".into(), self.key_id.clone()),
            ("aws_secret_access_key".into(), self.secret.clone()),
            ("aws_allow_http".into(), "true".into()),
            ("aws_virtual_hosted_style_request".into(), "false".into()),
        ]
    }

    /// The AWS environment of this node, for a `serve` process.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
            ("AWS_REGION".into(), REGION.into()),
            ("AWS_ACCESS_KEY_ID".into(), self.key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY".into(), self.secret.clone()),
            ("AWS_ALLOW_HTTP".into(), "true".into()),
        ]
    }

    /// The `Unfinished uploads` lines of `garage bucket info` (none when
    /// every multipart upload was completed or aborted).
    pub fn unfinished_uploads(&self) -> Vec<String> {
        self.run(&["bucket", "info", BUCKET])
            .lines()
            .filter(|line| line.contains("nfinished"))
            .map(str::to_owned)
            .collect()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the node (SIGKILL): the store becomes unreachable.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Garage {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
