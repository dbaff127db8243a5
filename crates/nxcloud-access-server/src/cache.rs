//! Nx's "build your own caching server" protocol, per workspace.
//!
//! Paths are matched on the raw request path, because nx concatenates its
//! server URL as text: `{server}/v1/cache/{hash}` where `{server}` may carry
//! any path prefix and a trailing slash (`…//v1/cache/…`). The workspace is
//! named by a `/ws/{nxCloudId}` segment pair at the end of the prefix or,
//! without one, by the CI access token's own workspace.
//!
//! How the engine's runner-plane decision becomes an HTTP answer (no rule of
//! the server's own, only this mapping):
//!
//! | engine decision | answer | what nx does |
//! | --- | --- | --- |
//! | allowed | GET 200 / 404, PUT 200 / 409 | hit / miss, stored / silent |
//! | refused, `unauthenticated` (TOK-7, PAT-5: unknown, revoked, another workspace's credential) | 401 `text/plain`, a message saying which credential and why | stops the run: `Unauthorized: <message>` |
//! | refused write with `read-only` access (TOK-3, WSID-3, PAT-4) | 403 | silent: the build succeeds, nothing stored |
//! | any other refusal (access `none`, WSID-3) | 401 `text/plain` | stops the run with the message |

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method as HttpMethod, Response, StatusCode};
use futures_util::StreamExt;
use tracing::{info, warn};

use nxcloud_access::Secret;

use crate::artifacts::{PutError, PutOutcome};
use nxcloud_access::access::{AccessLevel, RunnerDecision};

use crate::engine::{self, level_name, CacheAction, Credential};
use crate::{plain, AppState};

/// A parsed cache path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachePath<'a> {
    pub workspace: Option<&'a str>,
    pub hash: &'a str,
}

/// Why a path is not a cache path the server serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    NotCache,
    BadHash,
    BadWorkspace,
}

/// Parses `…[/ws/{nxCloudId}]/v1/cache/{hash}` from a raw path.
pub fn parse_cache_path(path: &str) -> Result<CachePath<'_>, PathProblem> {
    let (prefix, hash) = path
        .rsplit_once("/v1/cache/")
        .ok_or(PathProblem::NotCache)?;
    if !is_hash(hash) {
        return Err(PathProblem::BadHash);
    }
    let mut segments = prefix
        .split('/')
        .filter(|segment| !segment.is_empty())
        .rev();
    let workspace = match (segments.next(), segments.next()) {
        (Some(id), Some("ws")) => {
            if !is_workspace_id(id) {
                return Err(PathProblem::BadWorkspace);
            }
            Some(id)
        }
        _ => None,
    };
    Ok(CachePath { workspace, hash })
}

/// A hash is what nx sends (a decimal u64) or any name of safe characters:
/// never a path separator, never a leading dot.
fn is_hash(text: &str) -> bool {
    (1..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_workspace_id(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Serves one cache request.
pub async fn handle(
    state: &AppState,
    method: &HttpMethod,
    path: CachePath<'_>,
    headers: &HeaderMap,
    body: Body,
) -> Response<Body> {
    let action = match *method {
        HttpMethod::GET | HttpMethod::HEAD => CacheAction::Read,
        HttpMethod::PUT => CacheAction::Write,
        _ => {
            return plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "use GET or PUT on /v1/cache/{hash}\n",
            )
        }
    };
    let bearer = match bearer_token(headers) {
        Ok(bearer) => bearer,
        Err(message) => {
            return refuse_upload(
                state,
                action,
                body,
                plain(StatusCode::UNAUTHORIZED, &message),
            )
            .await
        }
    };
    let workspace = match authorize(state, path.workspace, bearer, action, path.hash) {
        Ok(workspace) => workspace,
        Err(response) => return refuse_upload(state, action, body, *response).await,
    };
    match action {
        CacheAction::Read => read(state, &workspace, path.hash).await,
        CacheAction::Write => write(state, &workspace, path.hash, headers, body).await,
    }
}

/// Decides the request; the workspace to serve, or the refusal to answer.
fn authorize(
    state: &AppState,
    named: Option<&str>,
    bearer: Option<Secret>,
    action: CacheAction,
    hash: &str,
) -> Result<String, Box<Response<Body>>> {
    if !state.config.authorization {
        return Ok(named.unwrap_or("default").to_owned());
    }
    let access = match state.access.fresh() {
        Ok(access) => access,
        Err(error) => {
            warn!(%error, "the access state could not be read; refusing");
            return Err(Box::new(plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "the cache server cannot read its access state; try again\n",
            )));
        }
    };
    let credential = Credential::classify(&access.engine, bearer);
    let workspace = named
        .or_else(|| credential.own_workspace())
        .map(str::to_owned);
    let decision = engine::authorize(&access.engine, workspace.as_deref(), &credential, action);
    let Some(workspace) = workspace else {
        // Neither a `/ws/{nxCloudId}` prefix nor a live CI access token named
        // a workspace: the engine refused (PAT-2, TOK-7, REV-2).
        log(&credential, "-", action, hash, &decision);
        return Err(Box::new(plain(
            StatusCode::UNAUTHORIZED,
            &refusal(&credential, None, &decision),
        )));
    };
    log(&credential, &workspace, action, hash, &decision);
    if decision.allowed {
        return Ok(workspace);
    }
    if action == CacheAction::Write
        && !decision.unauthenticated
        && decision.access == AccessLevel::ReadOnly
    {
        // TOK-3, WSID-3, PAT-4: nx treats 403 on PUT as a silent success.
        return Err(Box::new(plain(
            StatusCode::FORBIDDEN,
            &refusal(&credential, Some(&workspace), &decision),
        )));
    }
    Err(Box::new(plain(
        StatusCode::UNAUTHORIZED,
        &refusal(&credential, Some(&workspace), &decision),
    )))
}

/// The message nx shows after `Unauthorized: `: which credential, why, what to do.
fn refusal(credential: &Credential, workspace: Option<&str>, decision: &RunnerDecision) -> String {
    let advice = match credential {
        Credential::Anonymous => {
            "set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to a CI access token of this \
             workspace or to your personal access token, or ask a workspace admin to raise \
             the workspace ID access level"
        }
        Credential::Unknown { token } if engine::looks_like_a_pat(token) => {
            "create a new personal access token (or use a CI access token of this workspace) \
             and set it in NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"
        }
        Credential::CiAccessToken { .. } | Credential::Unknown { .. } => {
            "ask a workspace admin for a valid CI access token and set it in \
             NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN (or use your personal access token)"
        }
        Credential::PersonalAccessToken { .. } => {
            "ask an organization admin to invite you again, or use a CI access token of \
             this workspace in NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"
        }
    };
    let (target, naming) = match workspace {
        Some(id) => (format!("workspace `{id}`"), ""),
        None => (
            "a request that names no workspace".to_owned(),
            "; a personal access token or no token needs the workspace in the server URL: \
             NX_SELF_HOSTED_REMOTE_CACHE_SERVER=<server>/ws/<nxCloudId>",
        ),
    };
    format!(
        "nxcloud-access refused the {} for {target}: {} (rule {}). To fix: {advice}{naming}.\n",
        credential.describe(),
        decision.reason.trim_end_matches('.'),
        decision.rule,
    )
}

fn log(
    credential: &Credential,
    workspace: &str,
    action: CacheAction,
    hash: &str,
    decision: &RunnerDecision,
) {
    info!(
        target: "nxcloud_access::decision",
        principal = credential.kind(),
        credential = %credential.redacted(),
        workspace,
        action = action.name(),
        hash,
        allowed = decision.allowed,
        access = level_name(decision.access),
        rule = %decision.rule,
        "runner decision"
    );
}

fn bearer_token(headers: &HeaderMap) -> Result<Option<Secret>, String> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| "the Authorization header is not text: send `Bearer <token>`\n".to_owned())?;
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            "the Authorization header is not `Bearer <token>`: set \
             NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to the token alone\n"
                .to_owned()
        })?;
    Ok(Some(Secret::new(token)))
}

async fn read(state: &AppState, workspace: &str, hash: &str) -> Response<Body> {
    match state.artifacts.get(workspace, hash).await {
        Ok(Some(found)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::CONTENT_LENGTH, found.length)
            .body(found.body)
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n")),
        Ok(None) => plain(StatusCode::NOT_FOUND, "no such artifact\n"),
        Err(error) => {
            warn!(%error, workspace, hash, "reading an artifact failed");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the artifact could not be read\n",
            )
        }
    }
}

async fn write(
    state: &AppState,
    workspace: &str,
    hash: &str,
    headers: &HeaderMap,
    body: Body,
) -> Response<Body> {
    let limit = state.config.max_artifact_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return too_large(limit);
    }
    if state.artifacts.exists(workspace, hash).await {
        let conflict = plain(StatusCode::CONFLICT, "this artifact already exists\n");
        return refuse_upload(state, CacheAction::Write, body, conflict).await;
    }
    let idle = state.config.body_idle_timeout;
    let stored = state
        .artifacts
        .put(workspace, hash, body.into_data_stream(), limit, idle)
        .await;
    match stored {
        Ok(PutOutcome::Stored { bytes }) => {
            info!(workspace, hash, bytes, "artifact stored");
            plain(StatusCode::OK, "stored\n")
        }
        Ok(PutOutcome::Exists) => plain(StatusCode::CONFLICT, "this artifact already exists\n"),
        Err(PutError::TooLarge { limit }) => too_large(limit),
        Err(error @ (PutError::Body(_) | PutError::Stalled(_))) => {
            info!(workspace, hash, %error, "upload abandoned; nothing stored");
            plain(
                StatusCode::BAD_REQUEST,
                &format!("{error}; nothing was stored\n"),
            )
        }
        Err(error) => {
            warn!(workspace, hash, %error, "storing an artifact failed");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the artifact could not be stored\n",
            )
        }
    }
}

/// Answers a refused PUT after reading (and discarding) its body, up to the
/// size limit: a server that answers early and closes with unread data makes
/// the client's TCP stack reset the connection, and the client may then see
/// an error instead of the 403/409 that nx treats as a silent success.
async fn refuse_upload(
    state: &AppState,
    action: CacheAction,
    body: Body,
    answer: Response<Body>,
) -> Response<Body> {
    if action == CacheAction::Write {
        let mut stream = body.into_data_stream();
        let mut left = state.config.max_artifact_bytes;
        let idle = state.config.body_idle_timeout;
        while let Ok(Some(Ok(chunk))) = tokio::time::timeout(idle, stream.next()).await {
            match left.checked_sub(chunk.len() as u64) {
                Some(rest) => left = rest,
                None => break,
            }
        }
    }
    answer
}

fn too_large(limit: u64) -> Response<Body> {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the artifact is larger than this server's limit of {limit} bytes\n"),
    )
}

/// How long an upload may stall between two chunks before it is dropped.
pub const DEFAULT_BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_prefixes_and_double_slashes_parse() {
        assert_eq!(
            parse_cache_path("/v1/cache/123"),
            Ok(CachePath {
                workspace: None,
                hash: "123"
            })
        );
        assert_eq!(
            parse_cache_path("//v1/cache/123"),
            Ok(CachePath {
                workspace: None,
                hash: "123"
            })
        );
        assert_eq!(
            parse_cache_path("/ws/abc123/v1/cache/9"),
            Ok(CachePath {
                workspace: Some("abc123"),
                hash: "9"
            })
        );
        assert_eq!(
            parse_cache_path("/some/prefix/ws/abc123//v1/cache/9"),
            Ok(CachePath {
                workspace: Some("abc123"),
                hash: "9"
            })
        );
        assert_eq!(
            parse_cache_path("/some/prefix/v1/cache/9"),
            Ok(CachePath {
                workspace: None,
                hash: "9"
            })
        );
    }

    #[test]
    fn unsafe_names_are_refused() {
        assert_eq!(
            parse_cache_path("/v1/cache/../x"),
            Err(PathProblem::BadHash)
        );
        assert_eq!(
            parse_cache_path("/v1/cache/.tmp-1"),
            Err(PathProblem::BadHash)
        );
        assert_eq!(parse_cache_path("/v1/cache/"), Err(PathProblem::BadHash));
        assert_eq!(
            parse_cache_path("/ws/a.b/v1/cache/1"),
            Err(PathProblem::BadWorkspace)
        );
        assert_eq!(parse_cache_path("/healthz"), Err(PathProblem::NotCache));
    }
}
