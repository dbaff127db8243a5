//! Why a command of the permission engine was refused.

use std::fmt;

use super::token::scrub_tokens;
use crate::error::ErrorCode;

/// Why a command (or a snapshot) was refused. Every variant carries a message
/// for a person: lower case, the offending input in backticks, what to fix.
/// No message ever holds a token's secret (TOK-6).
///
/// Messages echo the caller's input (an id, a name); in case a caller pasted
/// a token there, `Display` and `Debug` mask anything shaped like one of the
/// engine's tokens (`nxca_…`, `nxpat_…`).
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// `not-found`: a user, organization, workspace, member or token that does
    /// not exist.
    #[error("{}", scrub_tokens(.0))]
    NotFound(String),
    /// `forbidden`: the actor may not do this (ORG-9).
    #[error("{}", scrub_tokens(.0))]
    Forbidden(String),
    /// `invalid-input`: an unknown method, a malformed argument, a malformed
    /// or tampered snapshot.
    #[error("{}", scrub_tokens(.0))]
    InvalidInput(String),
    /// `conflict`: the thing already exists (a user id, an email, a member).
    #[error("{}", scrub_tokens(.0))]
    Conflict(String),
    /// `last-admin`: removing or demoting the last admin (ORG-8).
    #[error("{}", scrub_tokens(.0))]
    LastAdmin(String),
    /// `no-matching-invite`: a join without an invitation (ORG-2, ORG-3).
    #[error("{}", scrub_tokens(.0))]
    NoMatchingInvite(String),
    /// `unsupported-snapshot`: a snapshot written by a newer format version.
    #[error("{}", scrub_tokens(.0))]
    UnsupportedSnapshot(String),
    /// `internal`: the operating system's random generator failed.
    #[error("{}", scrub_tokens(.0))]
    Internal(String),
}

impl AccessError {
    /// The message, as `Display` shows it (tokens masked).
    pub fn message(&self) -> String {
        self.to_string()
    }

    fn raw(&self) -> &str {
        match self {
            Self::NotFound(m)
            | Self::Forbidden(m)
            | Self::InvalidInput(m)
            | Self::Conflict(m)
            | Self::LastAdmin(m)
            | Self::NoMatchingInvite(m)
            | Self::UnsupportedSnapshot(m)
            | Self::Internal(m) => m,
        }
    }
}

impl fmt::Debug for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AccessError({}: {})",
            self.code(),
            scrub_tokens(self.raw())
        )
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_show_a_token() {
        let token = "nxpat_Zm9vYmFyYmF6cXV4cXV1eHh5enp5MTIzNDU2Nzg5MA";
        let error =
            AccessError::NotFound(format!("user `ann` has no personal access token `{token}`"));
        for shown in [error.to_string(), format!("{error:?}"), error.message()] {
            assert!(!shown.contains(token), "{shown}");
            assert!(shown.contains("`nxpat_…`"), "{shown}");
        }
        assert_eq!(error.code(), "not-found");
    }
}
