//! `POST /api/v1/commands/{command}`: the engine's commands over HTTP.
//!
//! The actor is the user of the `Nx-Cloud-Personal-Access-Token` header,
//! never a field of the body: the server writes the header's user into the
//! field each command names its actor by (`actor`, `creator`, or `user` for a
//! person's own tokens and joins), and refuses a body that names one itself.
//! The engine then decides the command on the web plane (ORG-5, ORG-9,
//! PAT-6): the server adds no rule of access. `createUser` and the two
//! decisions are not offered over HTTP: accounts are made by the operator
//! with `admin`.
//!
//! Three limits of the server's own (docs/server.md, "Reliability and security"):
//!
//! * **No credential is minted with a personal access token.**
//!   `create-personal-access-token` and `create-ci-access-token` are refused
//!   (403) when the actor is known only by a PAT: a leaked PAT could
//!   otherwise mint more credentials, and revoking it would not evict its
//!   holder. Credentials are created by the operator (`admin`) and, with
//!   the web app, by a signed-in person. Revoking and listing stay open.
//! * **Who may create organizations is the operator's setting**
//!   ([`OrganizationCreation`]; default: the operator only), with a count
//!   and a rate limit per person, checked against the command log.
//! * **An ambiguous credential is refused**: two PAT headers get 400.

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Response, StatusCode};
use serde_json::{json, Map, Value};
use tracing::info;

use nxcloud_access::access::Method;
use nxcloud_access::{ErrorCode, Secret};

use nxcloud_access::access::token::scrub_tokens;

use crate::engine::{self};
use crate::state::CommandLimit;
use crate::store::ApplyError;
use crate::AppState;

/// Who may create organizations over HTTP (the operator always may, with
/// `admin`), and how many each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationCreation {
    pub who: OrganizationCreators,
    /// Organizations one person may create in all.
    pub max_per_user: u64,
    /// Organizations one person may create per hour.
    pub max_per_hour: u64,
}

/// See [`OrganizationCreation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganizationCreators {
    /// Nobody over HTTP: only the operator, with `admin` (the default).
    Operator,
    /// Every person with an account.
    Everyone,
    /// These user ids.
    Users(std::collections::BTreeSet<String>),
}

impl Default for OrganizationCreation {
    fn default() -> Self {
        Self {
            who: OrganizationCreators::Operator,
            max_per_user: 10,
            max_per_hour: 3,
        }
    }
}

impl OrganizationCreators {
    /// Reads `--allow-organization-creation`: `operator`, `everyone`, or a
    /// comma-separated list of user ids.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "operator" => Ok(Self::Operator),
            "everyone" => Ok(Self::Everyone),
            "" => {
                Err("give `operator`, `everyone`, or a comma-separated list of user ids".to_owned())
            }
            list => Ok(Self::Users(
                list.split(',')
                    .map(|id| id.trim().to_owned())
                    .filter(|id| !id.is_empty())
                    .collect(),
            )),
        }
    }

    fn allows(&self, user: &str) -> bool {
        match self {
            Self::Operator => false,
            Self::Everyone => true,
            Self::Users(users) => users.contains(user),
        }
    }
}

/// The header that carries the acting person's personal access token.
pub const PAT_HEADER: &str = "nx-cloud-personal-access-token";

/// The largest command body accepted.
const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// Where a command names the person acting.
fn actor_field(method: Method) -> Option<&'static str> {
    match method {
        Method::CreateUser | Method::AuthorizeRunner | Method::AuthorizeWeb => None,
        Method::CreateOrganization => Some("creator"),
        Method::Join
        | Method::CreatePersonalAccessToken
        | Method::RevokePersonalAccessToken
        | Method::ListPersonalAccessTokens => Some("user"),
        Method::Invite
        | Method::RemoveMember
        | Method::SetRole
        | Method::SetVisibility
        | Method::CreateWorkspace
        | Method::SetWorkspaceIdAccess
        | Method::SetPersonalAccessTokenAccess
        | Method::CreateCiAccessToken
        | Method::RevokeCiAccessToken
        | Method::ListCiAccessTokens => Some("actor"),
    }
}

/// Serves one admin command.
pub async fn handle(
    state: &AppState,
    command: &str,
    headers: &HeaderMap,
    body: Body,
) -> Response<Body> {
    let Some(method) = Method::from_kebab(command) else {
        // The name is echoed only when it looks like one (it may be a
        // pasted token).
        let shown = if command.len() <= 40
            && command.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            format!("`{command}`")
        } else {
            "of that name".to_owned()
        };
        return error(
            StatusCode::NOT_FOUND,
            "unknown-command",
            &format!("there is no command {shown}: use a kebab-case name of the table \"Commands and their arguments\" in docs/server.md, e.g. `revoke-ci-access-token`"),
        );
    };
    let Some(field) = actor_field(method) else {
        return error(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("`{command}` is not offered over HTTP: run `nxcloud-access admin --data DIR {command} '<json>'` on the server's machine"),
        );
    };
    if headers.get_all(PAT_HEADER).iter().nth(1).is_some() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid-input",
            "the request has more than one `Nx-Cloud-Personal-Access-Token` header, so the person acting is ambiguous: send exactly one",
        );
    }
    let Some(token) = headers
        .get(PAT_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(Secret::new)
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send your personal access token in the `Nx-Cloud-Personal-Access-Token` header",
        );
    };
    let user = match state
        .access
        .fresh(|access| engine::user_of_personal_access_token(&access.engine, &token))
    {
        Ok(user) => user,
        Err(store) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                &store.to_string(),
            )
        }
    };
    let Some(user) = user else {
        info!(target: "nxcloud_access::decision", command, credential = %token.redacted(), allowed = false, "admin command: unknown personal access token");
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            &format!(
                "the personal access token `{}` is not known (never issued, or revoked): create a new one",
                token.redacted()
            ),
        );
    };
    if matches!(
        method,
        Method::CreatePersonalAccessToken | Method::CreateCiAccessToken
    ) {
        info!(target: "nxcloud_access::decision", command, user = %user, allowed = false, "admin command: a personal access token may not mint credentials");
        return error(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("`{command}` is not offered to a personal access token: a leaked token could mint more credentials, and revoking it would not evict its holder. Ask the operator to run `nxcloud-access admin {command}` on the server's machine"),
        );
    }
    let mut limit = None;
    if method == Method::CreateOrganization {
        let policy = &state.config.organization_creation;
        if !policy.who.allows(&user) {
            info!(target: "nxcloud_access::decision", command, user = %user, allowed = false, "admin command: organization creation is not allowed to this person");
            return error(
                StatusCode::FORBIDDEN,
                "forbidden",
                "on this server organizations are created by the operator (`nxcloud-access admin create-organization`); the operator can allow it with `serve --allow-organization-creation`",
            );
        }
        limit = Some(CommandLimit {
            total: policy.max_per_user,
            per_window: policy.max_per_hour,
            window: std::time::Duration::from_secs(3600),
        });
    }
    let bytes = match to_bytes(body, MAX_COMMAND_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid-input",
                "the command body is too large or was cut off",
            )
        }
    };
    let mut argument: Map<String, Value> = match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => map,
        Ok(_) | Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid-input",
                "the body must be a JSON object",
            )
        }
    };
    match argument.get(field) {
        None => {}
        Some(Value::String(named)) if field == "user" && *named == user => {}
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid-input",
                &format!(
                    "leave `{field}` out of the body: the person acting is the owner of the personal access token in the header"
                ),
            )
        }
    }
    argument.insert(field.to_owned(), Value::from(user.clone()));
    let worker = std::sync::Arc::clone(&state.access);
    let actor = user.clone();
    let applied = tokio::task::spawn_blocking(move || {
        worker.apply_within(
            method,
            Value::Object(argument),
            Some(&actor),
            limit.as_ref(),
        )
    })
    .await;
    match applied {
        Ok(Ok(result)) => {
            info!(target: "nxcloud_access::decision", command, user = %user, allowed = true, "admin command applied");
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from(result.to_string()))
                .unwrap_or_else(|_| Response::new(Body::empty()))
        }
        Ok(Err(ApplyError::Refused(refused))) => {
            info!(target: "nxcloud_access::decision", command, user = %user, allowed = false, code = refused.code(), "admin command refused");
            error(
                status_of(refused.code()),
                refused.code(),
                &refused.to_string(),
            )
        }
        Ok(Err(ApplyError::Limited(message))) => {
            info!(target: "nxcloud_access::decision", command, user = %user, allowed = false, "admin command: over a limit");
            let mut answer = error(StatusCode::TOO_MANY_REQUESTS, "rate-limited", &message);
            answer
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("3600"));
            answer
        }
        Ok(Err(ApplyError::Store(store))) => {
            tracing::warn!(%store, command, "admin command failed in the store");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                &store.to_string(),
            )
        }
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the command did not finish",
        ),
    }
}

/// The HTTP status of an engine error code.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "not-found" => StatusCode::NOT_FOUND,
        "forbidden" | "no-matching-invite" => StatusCode::FORBIDDEN,
        "conflict" | "last-admin" => StatusCode::CONFLICT,
        "invalid-input" => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "code": code, "message": scrub_tokens(message) }).to_string(),
        ))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}
