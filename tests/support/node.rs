//! The npm driver: the BUILT npm package (`pkg/`), driven through one
//! long-lived Node process (`tests/node/driver.js`) that reads JSON lines on
//! stdin and answers one JSON line per request.
//!
//! Every [`NodeDriver`] (one per scenario) is a session of that process with
//! its own `AccessControl`, so scenarios that cucumber interleaves stay
//! apart. The process starts on first use; `node` is taken from `PATH` (or
//! `NXCLOUD_NODE`), the package from `pkg/` (or `NXCLOUD_PKG_DIR`, which the
//! driver script reads). Build the package first: `scripts/build-pkg`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use serde_json::{json, Value};

use crate::{Driver, Failure};

/// Drives the npm package through the shared Node process.
#[derive(Debug)]
pub struct NodeDriver {
    session: u64,
}

impl NodeDriver {
    /// A new session (with an empty `AccessControl`, created on first use).
    pub fn new() -> Self {
        static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);
        Self {
            session: NEXT_SESSION.fetch_add(1, Ordering::Relaxed),
        }
    }

    fn request(&self, request: &Value) -> Result<Value, Failure> {
        let mut process = PROCESS.lock().unwrap_or_else(PoisonError::into_inner);
        if process.is_none() {
            *process = Some(NodeProcess::start()?);
        }
        let answer = match process.as_mut() {
            Some(running) => running.exchange(request),
            None => Err(driver_failure("the Node process did not start".to_owned())),
        };
        if answer.is_err() {
            // A dead or confused process is replaced on the next request.
            if let Some(mut dead) = process.take() {
                let _ = dead.child.kill();
                let _ = dead.child.wait();
            }
        }
        parse_answer(answer?)
    }
}

impl Default for NodeDriver {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for NodeDriver {
    fn drop(&mut self) {
        let mut process = PROCESS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = process.as_mut() {
            let _ = running.exchange(&json!({ "op": "drop", "session": self.session }));
        }
    }
}

impl Driver for NodeDriver {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn resolve(&mut self, input: &Value) -> Result<Value, Failure> {
        self.request(&json!({ "op": "resolve", "input": input }))
    }

    fn reset_access(&mut self) {
        // The trait gives no way to report a failure here; a broken process
        // fails the scenario's next call, which does report.
        let _ = self.request(&json!({ "op": "reset", "session": self.session }));
    }

    fn access(&mut self, method: &str, arg: &Value) -> Result<Value, Failure> {
        self.request(&json!({
            "op": "access",
            "session": self.session,
            "method": method,
            "arg": arg,
        }))
    }
}

/// The one Node process of this test binary.
static PROCESS: Mutex<Option<NodeProcess>> = Mutex::new(None);

struct NodeProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl NodeProcess {
    fn start() -> Result<Self, Failure> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/driver.js");
        let node = std::env::var("NXCLOUD_NODE").unwrap_or_else(|_| "node".to_owned());
        let mut child = Command::new(&node)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                driver_failure(format!("cannot start `{node} {}`: {e}", script.display()))
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(driver_failure("the Node process has no pipes".to_owned()));
        };
        Ok(Self {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    /// Sends one request line and reads its answer line.
    fn exchange(&mut self, request: &Value) -> Result<Value, Failure> {
        let mut line = request.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| driver_failure(format!("cannot write to the Node process: {e}")))?;
        let mut answer = String::new();
        let read = self
            .stdout
            .read_line(&mut answer)
            .map_err(|e| driver_failure(format!("cannot read from the Node process: {e}")))?;
        if read == 0 {
            let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
            return Err(driver_failure(format!(
                "the Node process ended ({status}); see its message above (is the package built? scripts/build-pkg)"
            )));
        }
        serde_json::from_str(&answer).map_err(|e| {
            driver_failure(format!(
                "the Node process answered non-JSON `{answer}`: {e}"
            ))
        })
    }
}

/// `{ok: value}` or `{error: {code, message, line, column}}`.
fn parse_answer(answer: Value) -> Result<Value, Failure> {
    if let Some(value) = answer.get("ok") {
        return Ok(value.clone());
    }
    let Some(error) = answer.get("error") else {
        return Err(driver_failure(format!(
            "the Node process answered `{answer}`"
        )));
    };
    let text = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let number = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    Err(Failure {
        code: text("code"),
        message: text("message"),
        line: number("line"),
        column: number("column"),
    })
}

fn driver_failure(message: String) -> Failure {
    Failure {
        code: "driver-failure".to_owned(),
        message,
        line: None,
        column: None,
    }
}
