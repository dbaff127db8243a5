//! PLACEHOLDER (being replaced by the resolution engine, issue 2): only the
//! signatures the shells and the spec driver rely on.

use crate::error::ErrorCode;

pub mod model;

pub use model::*;

/// Why an input could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl ErrorCode for ResolveError {
    fn code(&self) -> &'static str {
        "invalid-input"
    }
}

/// Which credential Nx uses.
pub fn resolve_credentials(_input: &ResolveInput) -> Result<Resolution, ResolveError> {
    Err(ResolveError::InvalidInput("not built yet".into()))
}
