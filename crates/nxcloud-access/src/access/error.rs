//! Why a command of the permission engine was refused.

use crate::error::ErrorCode;

/// Why a command (or a snapshot) was refused. Every variant carries a message
/// for a person: lower case, the offending input in backticks, what to fix.
/// No message ever holds a token's secret (TOK-6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// `not-found`: a user, organization, workspace, member or token that does
    /// not exist.
    #[error("{0}")]
    NotFound(String),
    /// `forbidden`: the actor may not do this (ORG-9).
    #[error("{0}")]
    Forbidden(String),
    /// `invalid-input`: an unknown method, a malformed argument, a malformed
    /// or tampered snapshot.
    #[error("{0}")]
    InvalidInput(String),
    /// `conflict`: the thing already exists (a user id, an email, a member).
    #[error("{0}")]
    Conflict(String),
    /// `last-admin`: removing or demoting the last admin (ORG-8).
    #[error("{0}")]
    LastAdmin(String),
    /// `no-matching-invite`: a join without an invitation (ORG-2, ORG-3).
    #[error("{0}")]
    NoMatchingInvite(String),
    /// `unsupported-snapshot`: a snapshot written by a newer format version.
    #[error("{0}")]
    UnsupportedSnapshot(String),
    /// `internal`: the operating system's random generator failed.
    #[error("{0}")]
    Internal(String),
}

impl ErrorCode for AccessError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not-found",
            Self::Forbidden(_) => "forbidden",
            Self::InvalidInput(_) => "invalid-input",
            Self::Conflict(_) => "conflict",
            Self::LastAdmin(_) => "last-admin",
            Self::NoMatchingInvite(_) => "no-matching-invite",
            Self::UnsupportedSnapshot(_) => "unsupported-snapshot",
            Self::Internal(_) => "internal",
        }
    }
}
