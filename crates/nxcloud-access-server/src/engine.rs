//! The only place the server talks to the permission engine: which kind of
//! credential a Bearer value is, and the runner-plane decision of a cache
//! request. The server adds no rule of its own; it maps the engine's
//! decisions onto HTTP answers (see `cache.rs`).

use nxcloud_access::access::token::TokenHash;
use nxcloud_access::access::{
    AccessLevel, RunnerAction, RunnerDecision, RunnerRequest, PERSONAL_ACCESS_TOKEN_PREFIX,
};
use nxcloud_access::{AccessControl, Secret};

/// What the cache asks of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheAction {
    Read,
    Write,
}

impl CacheAction {
    /// The engine's action (CONTRACT.md `authorizeRunner`).
    pub fn runner_action(self) -> RunnerAction {
        match self {
            Self::Read => RunnerAction::ReadCache,
            Self::Write => RunnerAction::WriteCache,
        }
    }

    /// The action's name, for logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Read => "read-cache",
            Self::Write => "write-cache",
        }
    }
}

/// How a runner presented itself to the cache.
#[derive(Debug, Clone)]
pub enum Credential {
    /// No `Authorization` header: only the workspace's nxCloudId (WSID-2).
    Anonymous,
    /// A Bearer value the engine knows as a CI access token of `workspace`.
    CiAccessToken { token: Secret, workspace: String },
    /// A Bearer value the engine knows as a personal access token of `user`.
    PersonalAccessToken { token: Secret, user: String },
    /// A Bearer value the engine does not know (never issued, revoked, or
    /// malformed): handed to the engine as a personal access token when it
    /// has the PAT prefix, as a CI access token otherwise; the engine refuses
    /// it as unauthenticated (TOK-7, REV-2, REV-3, PAT-5).
    Unknown { token: Secret },
}

impl Credential {
    /// Classifies a Bearer value (or its absence) by asking the engine.
    pub fn classify(engine: &AccessControl, bearer: Option<Secret>) -> Self {
        let Some(token) = bearer else {
            return Self::Anonymous;
        };
        if let Some(workspace) = engine.workspace_of_ci_access_token(token.expose()) {
            return Self::CiAccessToken { token, workspace };
        }
        if let Some(user) = engine.user_of_personal_access_token(token.expose()) {
            return Self::PersonalAccessToken { token, user };
        }
        Self::Unknown { token }
    }

    /// The principal kind and a redacted form, for logs and answers: never the
    /// token itself (TOK-6).
    pub fn describe(&self) -> String {
        match self {
            Self::Anonymous => "request without a token (the workspace ID alone)".to_owned(),
            Self::CiAccessToken { token, .. } => {
                format!("CI access token `{}`", token.redacted())
            }
            Self::PersonalAccessToken { token, user } => {
                format!(
                    "personal access token `{}` of user `{user}`",
                    token.redacted()
                )
            }
            Self::Unknown { token } if looks_like_a_pat(token) => {
                format!("personal access token `{}`", token.redacted())
            }
            Self::Unknown { token } => format!("access token `{}`", token.redacted()),
        }
    }

    /// The kind, one word, for structured logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::CiAccessToken { .. } => "ci-access-token",
            Self::PersonalAccessToken { .. } => "personal-access-token",
            Self::Unknown { .. } => "unknown-token",
        }
    }

    /// For logs: the redacted token and the first 8 hexadecimal digits of
    /// its SHA-256 (which tells one token's requests from another's and
    /// reveals nothing: the token is 256 random bits), or `-` without one.
    pub fn redacted(&self) -> String {
        match self {
            Self::Anonymous => "-".to_owned(),
            Self::CiAccessToken { token, .. }
            | Self::PersonalAccessToken { token, .. }
            | Self::Unknown { token } => {
                let hash = TokenHash::of(token).to_hex();
                format!("{}#{}", token.redacted(), hash.get(..8).unwrap_or_default())
            }
        }
    }

    /// The workspace a CI access token names by itself.
    pub fn own_workspace(&self) -> Option<&str> {
        match self {
            Self::CiAccessToken { workspace, .. } => Some(workspace),
            _ => None,
        }
    }
}

/// Asks the engine whether `credential` may do `action` on `nx_cloud_id`
/// (CONTRACT.md `authorizeRunner`; the engine decides, the server maps).
pub fn authorize(
    engine: &AccessControl,
    nx_cloud_id: Option<&str>,
    credential: &Credential,
    action: CacheAction,
) -> RunnerDecision {
    let mut request = RunnerRequest {
        nx_cloud_id: nx_cloud_id.map(str::to_owned),
        action: action.runner_action(),
        ..RunnerRequest::default()
    };
    match credential {
        Credential::Anonymous => {}
        Credential::Unknown { token } if looks_like_a_pat(token) => {
            // A revoked or unknown PAT: the engine explains it as one (REV-3).
            request.personal_access_token = Some(token.clone());
        }
        Credential::CiAccessToken { token, .. } | Credential::Unknown { token } => {
            request.access_token = Some(token.clone());
        }
        Credential::PersonalAccessToken { token, .. } => {
            request.personal_access_token = Some(token.clone());
        }
    }
    engine.authorize_runner(&request)
}

/// Whether a token the engine does not know has the shape of a PAT.
pub fn looks_like_a_pat(token: &Secret) -> bool {
    token.expose().starts_with(PERSONAL_ACCESS_TOKEN_PREFIX)
}

/// The user of a personal access token, `None` when unknown or revoked.
pub fn user_of_personal_access_token(engine: &AccessControl, token: &Secret) -> Option<String> {
    engine.user_of_personal_access_token(token.expose())
}

/// The kebab-case name of a level, for answers and logs.
pub fn level_name(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::ReadWrite => "read-write",
        AccessLevel::ReadOnly => "read-only",
        AccessLevel::None => "none",
    }
}
