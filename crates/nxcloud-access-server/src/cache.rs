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
//! | the state cannot be read (never decided from memory) | 503 | stops the run with the message |
//! | two `Authorization` headers (ambiguous credential) | 400 | stops the run |
//! | disk short (`--min-free-bytes`) or quota used up, on PUT | 403 | silent: the build goes on |
//! | an artifact cannot be stored (disk or object store failing) | 403, logged as a warning | silent: the build goes on (a 5xx would fail the task) |
//! | an artifact cannot be read | 404 | a miss: the task runs |

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method as HttpMethod, Response, StatusCode};
use futures_util::StreamExt;
use tracing::{info, warn};

use nxcloud_access::Secret;

use nxcloud_access::access::{AccessLevel, RunnerDecision};

use crate::artifacts::{PutError, PutOutcome};
use crate::engine::{self, level_name, CacheAction, Credential};
use crate::{metrics, plain, AppState};

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
        Err((status, message)) => {
            return refuse_upload(action, headers, body, plain(status, &message))
        }
    };
    // Decided before a byte of the body is read.
    let workspace = match authorize(state, path.workspace, bearer.clone(), action, path.hash) {
        Ok(workspace) => workspace,
        Err(response) => return refuse_upload(action, headers, body, *response),
    };
    match action {
        CacheAction::Read => read(state, &workspace, path.hash).await,
        CacheAction::Write => {
            write(
                state,
                Upload {
                    named: path.workspace,
                    workspace: &workspace,
                    hash: path.hash,
                    bearer,
                },
                headers,
                body,
            )
            .await
        }
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
    // Decided under the readers' lock; everything after works on owned values.
    let decided = state.access.fresh(|access| {
        let credential = Credential::classify(&access.engine, bearer);
        let workspace = named
            .or_else(|| credential.own_workspace())
            .map(str::to_owned);
        let decision = engine::authorize(&access.engine, workspace.as_deref(), &credential, action);
        // What a log line or an answer may show of the workspace the request
        // named: the nxCloudId when the engine knows it, redacted otherwise
        // (someone may have pasted a token where the id goes).
        let shown = workspace
            .as_deref()
            .map(|id| access.engine.shown_nx_cloud_id(id));
        let known = workspace
            .as_deref()
            .is_some_and(|id| access.engine.has_workspace(id));
        (credential, workspace, decision, (shown, known))
    });
    let (credential, workspace, decision, (shown, known)) = match decided {
        Ok(decided) => decided,
        Err(error) => {
            // Never decide from memory: the state as stored now is unknown.
            warn!(%error, "the access state could not be read; refusing to decide");
            metrics::STATE_UNAVAILABLE.inc();
            return Err(Box::new(plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "the cache server cannot read its access state, so it cannot decide: nothing was read or stored; try again, or ask the operator to check the server's log\n",
            )));
        }
    };
    metrics::DECISIONS
        .get_or_create(&metrics::labels(
            ("rule", &decision.rule),
            ("allowed", if decision.allowed { "true" } else { "false" }),
        ))
        .inc();
    let Some(workspace) = workspace else {
        // Neither a `/ws/{nxCloudId}` prefix nor a live CI access token named
        // a workspace: the engine refused (PAT-2, TOK-7, REV-2).
        log(&credential, "-", action, hash, &decision);
        return Err(Box::new(plain(
            StatusCode::UNAUTHORIZED,
            &refusal(&credential, None, false, &decision),
        )));
    };
    let shown = shown.unwrap_or_default();
    log(&credential, &shown, action, hash, &decision);
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
            &refusal(&credential, Some(&shown), known, &decision),
        )));
    }
    Err(Box::new(plain(
        StatusCode::UNAUTHORIZED,
        &refusal(&credential, Some(&shown), known, &decision),
    )))
}

/// The message nx shows after `Unauthorized: `: which credential, why, and
/// what to do on this server (the engine's `fact`, without its advice in Nx
/// Cloud's terms).
fn refusal(
    credential: &Credential,
    workspace: Option<&str>,
    known: bool,
    decision: &RunnerDecision,
) -> String {
    let advice = match credential {
        _ if workspace.is_some() && !known => {
            "check the nxCloudId in NX_SELF_HOSTED_REMOTE_CACHE_SERVER \
             (<server>/ws/<nxCloudId>): no workspace of this server has it"
        }
        // PAT-2: the tail below says how to name the workspace.
        Credential::Anonymous | Credential::PersonalAccessToken { .. } if workspace.is_none() => {
            "name the workspace"
        }
        Credential::Unknown { token } if workspace.is_none() && engine::looks_like_a_pat(token) => {
            "name the workspace"
        }
        Credential::Anonymous => {
            "set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to a CI access token of this \
             workspace or to your personal access token, or ask a workspace admin to raise \
             the workspace ID access level"
        }
        Credential::Unknown { token } if engine::looks_like_a_pat(token) => {
            "ask the operator of this server for a new personal access token (or use a CI \
             access token of this workspace) and set it in \
             NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"
        }
        Credential::CiAccessToken { .. } | Credential::Unknown { .. } => {
            "ask a workspace admin for a valid CI access token and set it in \
             NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN (or use your personal access token)"
        }
        Credential::PersonalAccessToken { .. } => {
            "ask an organization admin to invite you, or use a CI access token of this \
             workspace in NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"
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
        decision.fact.trim_end_matches('.'),
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
        hash = %shown_hash(hash),
        allowed = decision.allowed,
        access = level_name(decision.access),
        rule = %decision.rule,
        "runner decision"
    );
}

/// A hash as a log line shows it: nx's hashes (a decimal u64) whole, any
/// other name redacted (it may be a pasted token).
fn shown_hash(hash: &str) -> String {
    if hash.len() <= 20 && hash.bytes().all(|b| b.is_ascii_digit()) {
        hash.to_owned()
    } else {
        nxcloud_access::secret::redact(hash)
    }
}

/// The Bearer value of the request, `None` without an `Authorization`
/// header. Two `Authorization` headers are ambiguous: 400, never "the first
/// wins".
fn bearer_token(headers: &HeaderMap) -> Result<Option<Secret>, (StatusCode, String)> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err((
            StatusCode::BAD_REQUEST,
            "the request has more than one Authorization header, so its credential is \
             ambiguous: send exactly one `Authorization: Bearer <token>`\n"
                .to_owned(),
        ));
    }
    let unauthorized = |message: &str| (StatusCode::UNAUTHORIZED, message.to_owned());
    let text = value.to_str().map_err(|_| {
        unauthorized("the Authorization header is not text: send `Bearer <token>`\n")
    })?;
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            unauthorized(
                "the Authorization header is not `Bearer <token>`: set \
                 NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to the token alone\n",
            )
        })?;
    Ok(Some(Secret::new(token)))
}

async fn read(state: &AppState, workspace: &str, hash: &str) -> Response<Body> {
    match state.artifacts.get(workspace, hash).await {
        Ok(Some(found)) => {
            metrics::BYTES
                .get_or_create(&metrics::label("direction", "out"))
                .inc_by(found.length);
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::CONTENT_LENGTH, found.length)
                .body(found.body)
                .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"))
        }
        Ok(None) => plain(StatusCode::NOT_FOUND, "no such artifact\n"),
        Err(error) => {
            // A storage failure is a miss to nx: the build goes on.
            warn!(%error, workspace, "reading an artifact failed; answering a miss");
            metrics::STORAGE_ERRORS.inc();
            plain(
                StatusCode::NOT_FOUND,
                "the artifact could not be read (the server logged why)\n",
            )
        }
    }
}

/// What an upload needs to be decided again when its body is in.
struct Upload<'a> {
    named: Option<&'a str>,
    workspace: &'a str,
    hash: &'a str,
    bearer: Option<Secret>,
}

async fn write(
    state: &AppState,
    upload: Upload<'_>,
    headers: &HeaderMap,
    body: Body,
) -> Response<Body> {
    let Upload {
        named,
        workspace,
        hash,
        bearer,
    } = upload;
    let limit = state.config.max_artifact_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return refuse_upload(CacheAction::Write, headers, body, too_large(limit));
    }
    if let Some(refused) = check_space(state, workspace, declared.unwrap_or(0)) {
        return refuse_upload(CacheAction::Write, headers, body, refused);
    }
    if state.artifacts.exists(workspace, hash).await {
        let conflict = plain(StatusCode::CONFLICT, "this artifact already exists\n");
        return refuse_upload(CacheAction::Write, headers, body, conflict);
    }
    let idle = state.config.body_idle_timeout;
    let staged = match state
        .artifacts
        .stage(workspace, hash, body.into_data_stream(), limit, idle)
        .await
    {
        Ok(staged) => staged,
        Err(PutError::TooLarge { limit }) => return too_large(limit),
        Err(error @ (PutError::Body(_) | PutError::Stalled(_))) => {
            info!(workspace, %error, "upload abandoned; nothing stored");
            return plain(
                StatusCode::BAD_REQUEST,
                &format!("{error}; nothing was stored\n"),
            );
        }
        Err(error) => return storage_failed(workspace, &error),
    };
    // Decided again now that the body is in, before anything is visible: a
    // credential revoked (or a level lowered) while the upload was under way
    // stores nothing (REV-2, REV-3, WSID-4).
    if let Err(refused) = authorize(state, named, bearer, CacheAction::Write, hash) {
        info!(
            workspace,
            "upload refused on completion: the credential lost its rights while it was sent; nothing stored"
        );
        return *refused;
    }
    if let Some(quota) = state.config.workspace_quota_bytes {
        if state
            .artifacts
            .usage(workspace)
            .saturating_add(staged.bytes())
            > quota
        {
            return space_refusal("quota", workspace, quota);
        }
    }
    match staged.commit().await {
        Ok(PutOutcome::Stored { bytes }) => {
            metrics::BYTES
                .get_or_create(&metrics::label("direction", "in"))
                .inc_by(bytes);
            info!(workspace, hash = %shown_hash(hash), bytes, "artifact stored");
            plain(StatusCode::OK, "stored\n")
        }
        Ok(PutOutcome::Exists) => plain(StatusCode::CONFLICT, "this artifact already exists\n"),
        Err(error) => storage_failed(workspace, &error),
    }
}

/// Refuses an upload when the disk is short or the workspace's quota is
/// used up (403: nx goes on without storing), with a warning each time.
fn check_space(state: &AppState, workspace: &str, declared: u64) -> Option<Response<Body>> {
    let min_free = state.config.min_free_bytes;
    match state.artifacts.free_bytes() {
        // An object store: not this machine's disk.
        None => {}
        Some(Ok(free)) if free.saturating_sub(declared) < min_free => {
            metrics::DISK_LOW.set(1);
            return Some(space_refusal("min-free", workspace, min_free));
        }
        Some(Ok(_)) => {
            metrics::DISK_LOW.set(0);
        }
        Some(Err(error)) => {
            warn!(%error, "the free disk space could not be measured; refusing the upload");
            metrics::STORAGE_ERRORS.inc();
            return Some(space_refusal("min-free", workspace, min_free));
        }
    }
    let quota = state.config.workspace_quota_bytes?;
    (state.artifacts.usage(workspace).saturating_add(declared) > quota)
        .then(|| space_refusal("quota", workspace, quota))
}

fn space_refusal(reason: &'static str, workspace: &str, bytes: u64) -> Response<Body> {
    metrics::SPACE_REFUSALS
        .get_or_create(&metrics::label("reason", reason))
        .inc();
    let message = match reason {
        "quota" => {
            warn!(workspace, quota_bytes = bytes, "upload refused: the workspace's artifact quota is used up (--workspace-quota-bytes); nx goes on without storing");
            format!("this workspace's artifact quota of {bytes} bytes is used up; nothing was stored (the build goes on)\n")
        }
        _ => {
            warn!(workspace, min_free_bytes = bytes, "upload refused: disk space is short (--min-free-bytes); nx goes on without storing. Free disk space");
            "the cache server is short of disk space; nothing was stored (the build goes on)\n"
                .to_owned()
        }
    };
    plain(StatusCode::FORBIDDEN, &message)
}

fn storage_failed(workspace: &str, error: &PutError) -> Response<Body> {
    // 403: nx goes on without storing. A 5xx would fail the task (nx 22
    // stops with "Misconfigured remote cache endpoint"), and a storage
    // outage must not stop builds: the log says it loudly instead.
    warn!(workspace, %error, "storing an artifact failed; refused (403: nx goes on without storing). Check the artifact storage");
    metrics::STORAGE_ERRORS.inc();
    plain(
        StatusCode::FORBIDDEN,
        "the artifact could not be stored: the cache server's storage failed (the server logged why); nothing was stored, the build goes on\n",
    )
}

/// How long, and how much, a refused upload's body is still read after the
/// answer was given, so the client sees the answer before the connection
/// closes (a close with unread data resets the connection, and the client
/// may lose the answer).
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: u64 = 64 * 1024 * 1024;

/// Answers a refused PUT without reading its body first: the answer goes out
/// at once. A client that asked `Expect: 100-continue` never gets `100
/// Continue` (the body is never read: it is dropped, and hyper closes the
/// connection). Otherwise the body is discarded in the background for at
/// most [`LINGER`] and [`LINGER_BYTES`], then the connection closes.
fn refuse_upload(
    action: CacheAction,
    headers: &HeaderMap,
    body: Body,
    answer: Response<Body>,
) -> Response<Body> {
    if action != CacheAction::Write {
        return answer;
    }
    let expects_continue = headers
        .get(header::EXPECT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("100-continue"));
    if expects_continue {
        drop(body);
        return answer;
    }
    tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        let mut left = LINGER_BYTES;
        let _ = tokio::time::timeout(LINGER, async {
            while let Some(Ok(chunk)) = stream.next().await {
                match left.checked_sub(chunk.len() as u64) {
                    Some(rest) => left = rest,
                    None => break,
                }
            }
        })
        .await;
    });
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
