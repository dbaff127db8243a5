//! PLACEHOLDER (being replaced by the permission engine, issue 3): only the
//! signatures the shells and the spec driver rely on.

use serde_json::Value;

use crate::error::ErrorCode;

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl ErrorCode for AccessError {
    fn code(&self) -> &'static str {
        "invalid-input"
    }
}

/// Users, organizations, workspaces and tokens.
#[derive(Debug, Clone, Default)]
pub struct AccessControl {}

impl AccessControl {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one command or decision by its JS name with its JSON argument.
    pub fn call(&mut self, _method: &str, _arg: Value) -> Result<Value, AccessError> {
        Err(AccessError::InvalidInput("not built yet".into()))
    }

    /// The versioned snapshot.
    pub fn to_json(&self) -> Result<String, AccessError> {
        Err(AccessError::InvalidInput("not built yet".into()))
    }

    /// Restores a snapshot.
    pub fn from_json(_text: &str) -> Result<Self, AccessError> {
        Err(AccessError::InvalidInput("not built yet".into()))
    }
}
