//! The native driver: the Rust core, called through its serde shapes so that
//! the JSON it answers is exactly what the npm package answers.

use nxcloud_access::{resolve_credentials, AccessControl, ErrorCode, ResolveInput};
use serde_json::Value;

use crate::{Driver, Failure};

/// Drives the Rust core in this process.
#[derive(Debug, Default)]
pub struct NativeDriver {
    access: AccessControl,
}

impl NativeDriver {
    pub fn new() -> Self {
        Self::default()
    }
}

/// Turns any engine error into the [`Failure`] a caller sees.
pub fn failure(error: &dyn ErrorCode) -> Failure {
    let location = error.location();
    Failure {
        code: error.code().to_owned(),
        message: error.to_string(),
        line: location.map(|l| l.line),
        column: location.map(|l| l.column),
    }
}

fn invalid_input(message: String) -> Failure {
    Failure {
        code: "invalid-input".to_owned(),
        message,
        line: None,
        column: None,
    }
}

impl Driver for NativeDriver {
    fn name(&self) -> &'static str {
        "native"
    }

    fn resolve(&mut self, input: &Value) -> Result<Value, Failure> {
        let input: ResolveInput = serde_json::from_value(input.clone())
            .map_err(|e| invalid_input(format!("invalid resolution input: {e}")))?;
        let resolution = resolve_credentials(&input).map_err(|e| failure(&e))?;
        serde_json::to_value(&resolution)
            .map_err(|e| invalid_input(format!("resolution did not serialise: {e}")))
    }

    fn reset_access(&mut self) {
        self.access = AccessControl::new();
    }

    fn access(&mut self, method: &str, arg: &Value) -> Result<Value, Failure> {
        match method {
            "toJSON" => {
                let text = self.access.to_json().map_err(|e| failure(&e))?;
                serde_json::from_str(&text)
                    .map_err(|e| invalid_input(format!("snapshot is not JSON: {e}")))
            }
            "fromJSON" => {
                let text = match arg {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                self.access = AccessControl::from_json(&text).map_err(|e| failure(&e))?;
                Ok(Value::Null)
            }
            _ => self
                .access
                .call(method, arg.clone())
                .map_err(|e| failure(&e)),
        }
    }
}
