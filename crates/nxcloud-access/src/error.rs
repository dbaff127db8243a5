//! What every error of the engine has in common: a stable code.
//!
//! Each boundary has its own error enum (resolution, access control); both
//! implement [`ErrorCode`], so the shells (CLI, server, wasm) can hand callers
//! a `code` to branch on and, for parse errors, a 1-based line and column.

/// A 1-based position in an input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// An error with a stable, kebab-case code (CONTRACT.md lists them).
pub trait ErrorCode: std::error::Error {
    /// The stable code, e.g. `invalid-nx-json`, `not-found`, `last-admin`.
    fn code(&self) -> &'static str;

    /// Where in the input the error is, for parse errors.
    fn location(&self) -> Option<Location> {
        None
    }
}
