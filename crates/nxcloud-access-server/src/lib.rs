//! # nxcloud-access-server
//!
//! A self-hosted Nx remote cache (Nx's "build your own caching server"
//! protocol, `GET`/`PUT {server}/v1/cache/{hash}`) whose every read and write
//! is decided by the `nxcloud-access` engine's runner plane, plus the engine's
//! commands over HTTP (`POST /api/v1/commands/{command}`) and `/healthz`.
//!
//! * [`cache`]: the protocol, and how decisions become HTTP answers;
//! * [`admin_api`]: the HTTP command surface (the actor from a PAT header);
//! * [`store`]: the access state in SQLite, one transaction per command;
//! * [`artifacts`]: artifacts on disk, temp file + link, never partial.
//!
//! The `nxcloud-access` binary runs it (`serve`) and applies commands to a
//! data directory directly (`admin`, through [`run_admin_command`]).

pub mod admin_api;
pub mod artifacts;
pub mod cache;
pub mod engine;
pub mod idle;
pub mod state;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method as HttpMethod, Response, StatusCode};
use axum::Router;
use serde_json::Value;
use tokio::net::TcpListener;
use tracing::{info, warn};

use nxcloud_access::access::Method;

use crate::artifacts::Artifacts;
use crate::cache::PathProblem;
use crate::state::AccessState;
use crate::store::{ApplyError, StoreError};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Uploads above this size get 413.
    pub max_artifact_bytes: u64,
    /// An upload that sends nothing for this long is dropped.
    pub body_idle_timeout: Duration,
    /// Any request that takes longer than this is answered 408 and dropped.
    pub request_timeout: Duration,
    /// A connection with no progress in either direction for this long is
    /// closed (slow headers, stalled transfers, idle keep-alive).
    pub idle_timeout: Duration,
    /// After SIGTERM, how long requests in flight may still take.
    pub shutdown_grace: Duration,
    /// False only for the load test's baseline: every cache request allowed,
    /// no engine consulted (refused unless `listen` is a loopback address).
    pub authorization: bool,
}

impl ServerConfig {
    /// The defaults of CONTRACT.md: `127.0.0.1:4599`, `./nxcloud-data`.
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Self {
        Self {
            listen,
            data_dir,
            max_artifact_bytes: 512 * 1024 * 1024,
            body_idle_timeout: cache::DEFAULT_BODY_IDLE_TIMEOUT,
            request_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(60),
            authorization: true,
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot use the data directory `{path}`: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on `{addr}`: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("another `nxcloud-access serve` is already using the data directory `{0}` (it holds `serve.lock`): stop it first, or give this server its own --data")]
    AlreadyServing(String),
    #[error("authorization can only be turned off on a loopback address, not `{0}`")]
    UnsafeNoAuthorization(SocketAddr),
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What every handler shares.
pub struct AppState {
    pub config: ServerConfig,
    pub access: Arc<AccessState>,
    pub artifacts: Artifacts,
    /// The data directory's `serve.lock`, locked for as long as the server
    /// lives: one server per data directory (its start-up cleanup of
    /// temporary files would otherwise delete another server's uploads).
    _lock: std::fs::File,
}

/// A server bound to its address, not yet serving.
pub struct Bound {
    listener: TcpListener,
    state: Arc<AppState>,
}

impl Bound {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish
    /// (at most `shutdown_grace`).
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let grace = self.state.config.shutdown_grace;
        let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown.await;
            let _ = stopping_tx.send(true);
        };
        let app = router(Arc::clone(&self.state));
        let listener = idle::IdleListener::new(self.listener, self.state.config.idle_timeout);
        let server = axum::serve(listener, app).with_graceful_shutdown(signal);
        let deadline = async move {
            let mut stopping = stopping_rx;
            let _ = stopping.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = server => result.map_err(ServerError::from),
            () = deadline => {
                warn!(?grace, "requests still in flight after the grace period; stopping anyway");
                Ok(())
            }
        }
    }
}

/// Opens the data directory and binds the address.
pub async fn bind(config: ServerConfig) -> Result<Bound, ServerError> {
    if !config.authorization && !config.listen.ip().is_loopback() {
        return Err(ServerError::UnsafeNoAuthorization(config.listen));
    }
    let data_dir = config.data_dir.clone();
    let (lock, access, artifacts) = tokio::task::spawn_blocking(move || open_data(&data_dir))
        .await
        .map_err(std::io::Error::other)??;
    let listener =
        TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServerError::Listen {
                addr: config.listen,
                source,
            })?;
    let state = Arc::new(AppState {
        config,
        access: Arc::new(access),
        artifacts,
        _lock: lock,
    });
    Ok(Bound { listener, state })
}

/// Runs the server on its own runtime until SIGTERM or Ctrl-C.
pub fn run_blocking(config: ServerConfig) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let bound = bind(config).await?;
        let addr = bound.local_addr()?;
        info!(%addr, authorization = bound.state.config.authorization, "nxcloud-access cache listening");
        // The one line scripts wait for.
        println!("nxcloud-access serve: listening on http://{addr}");
        bound.serve(shutdown_signal()).await?;
        info!("stopped");
        Ok(())
    })
}

/// Logs to standard error at `level` (`error`, `warn`, `info`: every
/// decision, `debug`, `trace`). Log lines never hold a token, only its
/// redacted form.
pub fn init_logging(level: &str) -> Result<(), String> {
    let level = level.parse::<tracing::Level>().map_err(|_| {
        format!("`{level}` is not a log level: use error, warn, info, debug or trace")
    })?;
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init()
        .map_err(|error| error.to_string())
}

/// Runs one `AccessControl` command (kebab-case name) on the state in
/// `data_dir`, in one transaction, and returns its JSON result.
pub fn run_admin_command(
    data_dir: &Path,
    command: &str,
    argument: Value,
) -> Result<Value, AdminError> {
    let method = Method::from_kebab(command)
        .ok_or_else(|| AdminError::UnknownCommand(command.to_owned()))?;
    std::fs::create_dir_all(data_dir).map_err(|source| AdminError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
    let mut store = store::Store::open(data_dir)?;
    match store.apply(method, argument, Some("admin-cli")) {
        Ok(applied) => Ok(applied.result),
        Err(ApplyError::Refused(error)) => Err(AdminError::Refused(error)),
        Err(ApplyError::Store(error)) => Err(AdminError::Store(error)),
    }
}

/// Why `admin` failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("there is no command `{0}`: use a kebab-case name such as `create-user`")]
    UnknownCommand(String),
    #[error("cannot use the data directory `{path}`: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Refused(nxcloud_access::AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn open_data(data_dir: &Path) -> Result<(std::fs::File, AccessState, Artifacts), ServerError> {
    let path = data_dir.display().to_string();
    std::fs::create_dir_all(data_dir).map_err(|source| ServerError::DataDir {
        path: path.clone(),
        source,
    })?;
    // Locked before Artifacts::open, which removes leftover temporary files.
    let lock = lock_data_dir(data_dir).map_err(|error| match error {
        std::fs::TryLockError::WouldBlock => ServerError::AlreadyServing(path.clone()),
        std::fs::TryLockError::Error(source) => ServerError::DataDir {
            path: path.clone(),
            source,
        },
    })?;
    let artifacts =
        Artifacts::open(data_dir).map_err(|source| ServerError::DataDir { path, source })?;
    let access = AccessState::open(data_dir)?;
    Ok((lock, access, artifacts))
}

/// Takes the data directory's exclusive `serve.lock` (released by the OS when
/// the process ends, even by SIGKILL).
fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, std::fs::TryLockError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join("serve.lock"))
        .map_err(std::fs::TryLockError::Error)?;
    file.try_lock()?;
    Ok(file)
}

fn router(state: Arc<AppState>) -> Router {
    // One handler on the raw path: nx may send `//v1/…` and any prefix.
    Router::new().fallback(dispatch).with_state(state)
}

async fn dispatch(State(state): State<Arc<AppState>>, request: Request) -> Response<Body> {
    let timeout = state.config.request_timeout;
    match tokio::time::timeout(timeout, route(&state, request)).await {
        Ok(response) => response,
        Err(_) => plain(StatusCode::REQUEST_TIMEOUT, "the request took too long\n"),
    }
}

async fn route(state: &AppState, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    if path == "/healthz" {
        // Healthy when the access state can be read (decisions would work).
        return match state.access.fresh() {
            Ok(_) => plain(StatusCode::OK, "ok\n"),
            Err(error) => plain(StatusCode::SERVICE_UNAVAILABLE, &format!("{error}\n")),
        };
    }
    if let Some(command) = path.strip_prefix("/api/v1/commands/") {
        if parts.method != HttpMethod::POST {
            return plain(StatusCode::METHOD_NOT_ALLOWED, "use POST\n");
        }
        return admin_api::handle(state, command, &parts.headers, body).await;
    }
    match cache::parse_cache_path(path) {
        Ok(cache_path) => {
            cache::handle(state, &parts.method, cache_path, &parts.headers, body).await
        }
        Err(PathProblem::NotCache) => plain(StatusCode::NOT_FOUND, "not found\n"),
        Err(PathProblem::BadHash) => plain(
            StatusCode::BAD_REQUEST,
            "the hash must be 1 to 128 letters or digits\n",
        ),
        Err(PathProblem::BadWorkspace) => plain(
            StatusCode::BAD_REQUEST,
            "the nxCloudId in `/ws/{nxCloudId}` must be 1 to 64 letters, digits, `-` or `_`\n",
        ),
    }
}

/// A `text/plain` answer (nx shows a 401's body only with this type).
pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(text.to_owned()))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    info!("shutdown signal received: finishing requests in flight");
}
