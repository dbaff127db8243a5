//! Test support shared by the executable spec (`tests/spec`) and the other
//! cross-crate tests: the [`Driver`] through which every scenario talks to an
//! implementation of the public surface.
//!
//! A driver speaks the JSON of CONTRACT.md: the same inputs and outputs as the
//! npm package, so one spec can run against several implementations (the
//! native Rust core here; the built npm package through Node).

use std::fmt;

use serde_json::Value;

pub mod native;
pub mod node;

/// A refused call, as the public surface reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable error code (`invalid-nx-json`, `forbidden`, …).
    pub code: String,
    /// The message for a person.
    pub message: String,
    /// 1-based line, for parse errors.
    pub line: Option<usize>,
    /// 1-based column, for parse errors.
    pub column: Option<usize>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

/// One implementation of the public surface, driven with JSON values.
pub trait Driver: fmt::Debug {
    /// A short name for reports (`native`, `npm`).
    fn name(&self) -> &'static str;

    /// `resolveCredentials(input)`: the CONTRACT.md input object in, the
    /// `Resolution` object out.
    fn resolve(&mut self, input: &Value) -> Result<Value, Failure>;

    /// Drops the current `AccessControl` and starts an empty one.
    fn reset_access(&mut self);

    /// Calls one method of the current `AccessControl` by its JS name
    /// (`createUser`, `authorizeRunner`, …) with its JSON argument. Two
    /// pseudo-methods handle snapshots: `toJSON` (argument ignored) returns the
    /// snapshot; `fromJSON` replaces the current instance by the one restored
    /// from the argument (and returns `null`).
    fn access(&mut self, method: &str, arg: &Value) -> Result<Value, Failure>;
}
