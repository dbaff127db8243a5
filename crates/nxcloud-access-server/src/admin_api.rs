//! `POST /api/v1/commands/{command}`: the engine's commands over HTTP.
//!
//! The actor is the user of the `Nx-Cloud-Personal-Access-Token` header,
//! never a field of the body: the server writes the header's user into the
//! field each command names its actor by (`actor`, `creator`, or `user` for a
//! person's own tokens and joins), and refuses a body that names one itself.
//! The engine then decides the command on the web plane (ORG-5, ORG-9,
//! PAT-6): the server adds no rule. `createUser` and the two decisions are
//! not offered over HTTP: accounts are made by the operator with `admin`.

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Response, StatusCode};
use serde_json::{json, Map, Value};
use tracing::info;

use nxcloud_access::access::Method;
use nxcloud_access::{ErrorCode, Secret};

use crate::engine::{self};
use crate::store::ApplyError;
use crate::AppState;

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
        return error(
            StatusCode::NOT_FOUND,
            "unknown-command",
            &format!("there is no command `{command}`: use a kebab-case name of CONTRACT.md, e.g. `create-ci-access-token`"),
        );
    };
    let Some(field) = actor_field(method) else {
        return error(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("`{command}` is not offered over HTTP: run `nxcloud-access admin --data DIR {command} '<json>'` on the server's machine"),
        );
    };
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
    let access = match state.access.fresh() {
        Ok(access) => access,
        Err(store) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                &store.to_string(),
            )
        }
    };
    let Some(user) = engine::user_of_personal_access_token(&access.engine, &token) else {
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
    drop(access);
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
        worker.apply(method, Value::Object(argument), Some(&actor))
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
            json!({ "code": code, "message": message }).to_string(),
        ))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}
