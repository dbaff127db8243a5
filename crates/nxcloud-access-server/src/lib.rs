//! # nxcloud-access-server
//!
//! A self-hosted Nx remote cache (Nx's "build your own caching server"
//! protocol, `GET`/`PUT {server}/v1/cache/{hash}`) whose every read and write
//! is decided by the `nxcloud-access` engine's runner plane, plus the engine's
//! commands over HTTP (`POST /api/v1/commands/{command}`), `/healthz`,
//! `/readyz` and `/metrics`.
//!
//! * [`cache`]: the protocol, and how decisions become HTTP answers;
//! * [`admin_api`]: the HTTP command surface (the actor from a PAT header);
//! * [`store`], [`state`]: the access state in SQLite, one transaction per
//!   command, decided from what is stored now;
//! * [`artifacts`]: artifacts on disk (temp file + link) or in an
//!   S3-compatible object store (multipart + create-if-absent), never
//!   partial;
//! * [`conn`], [`idle`]: connection limits, deadlines and shutdown;
//! * [`metrics`]: the Prometheus endpoint.
//!
//! The `nxcloud-access` binary runs it (`serve`) and applies commands to a
//! data directory directly (`admin`, through [`run_admin_command`]).

pub mod admin_api;
pub mod artifacts;
pub mod cache;
pub mod conn;
pub mod engine;
pub mod idle;
pub mod metrics;
pub mod state;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Method as HttpMethod, Request, Response, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tracing::{info, warn};

use nxcloud_access::access::token::scrub_tokens;
use nxcloud_access::access::Method;

pub use crate::admin_api::OrganizationCreation;
use crate::artifacts::{Artifacts, ArtifactsLocation, S3Artifacts};
use crate::cache::PathProblem;
use crate::state::AccessState;
use crate::store::{ApplyError, Open, StoreError};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Where the artifacts live: `<data_dir>/artifacts` (the default) or an
    /// S3-compatible bucket.
    pub artifacts: ArtifactsLocation,
    /// Start with an empty state when the data directory holds none (the
    /// directory is created owner-only). Without it, `serve` refuses an
    /// uninitialised data directory.
    pub init: bool,
    /// Uploads above this size get 413.
    pub max_artifact_bytes: u64,
    /// An upload that sends nothing for this long is dropped.
    pub body_idle_timeout: Duration,
    /// The whole of a request, from its head to the last byte of its answer.
    pub request_timeout: Duration,
    /// A request's head must be complete within this (also the longest wait
    /// for the next request on a keep-alive connection).
    pub header_timeout: Duration,
    /// A connection with no progress in either direction for this long is
    /// closed (stalled transfers).
    pub idle_timeout: Duration,
    /// After SIGTERM, how long requests in flight may still take.
    pub shutdown_grace: Duration,
    /// The connection limit; `None`: derived from the open-file limit
    /// (`conn.rs`).
    pub max_connections: Option<usize>,
    /// Uploads are refused (403, which nx ignores) while the artifacts' file
    /// system has less free space than this, so artifacts never fill the
    /// disk the state needs.
    pub min_free_bytes: u64,
    /// The most artifact bytes one workspace may hold; `None`: no quota.
    pub workspace_quota_bytes: Option<u64>,
    /// Who may create organizations over HTTP, and how many.
    pub organization_creation: OrganizationCreation,
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
            artifacts: ArtifactsLocation::Disk,
            init: false,
            max_artifact_bytes: 512 * 1024 * 1024,
            body_idle_timeout: cache::DEFAULT_BODY_IDLE_TIMEOUT,
            request_timeout: Duration::from_secs(600),
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(60),
            max_connections: None,
            min_free_bytes: 256 * 1024 * 1024,
            workspace_quota_bytes: None,
            organization_creation: OrganizationCreation::default(),
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
    #[error("the data directory `{path}` is writable by other accounts (mode {mode:o}): anyone on this machine could replace the state or the artifacts. Run `chmod go-w {path}` (or `chmod 700 {path}`) and start again")]
    UnsafeDataDir { path: String, mode: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot use the artifact storage `{location}`: {source}")]
    ObjectStore {
        location: String,
        source: artifacts::s3::S3ConfigError,
    },
    #[error("cannot listen on `{addr}`: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("another `nxcloud-access serve` is already using the data directory `{0}` (it holds the directory's lock): stop it first, or give this server its own --data")]
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
    /// The data directory itself, locked for as long as the server lives:
    /// one server per data directory. A lock on the directory (not on a file
    /// in it) cannot be deleted away while the directory is in use.
    _lock: std::fs::File,
}

/// A server bound to its address, not yet serving.
pub struct Bound {
    listener: TcpListener,
    state: Arc<AppState>,
    max_connections: usize,
}

impl Bound {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The connection limit in force.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// Serves until `shutdown` completes; then closes every connection that
    /// is not in a request and lets requests in flight finish (at most
    /// `shutdown_grace`).
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let grace = self.state.config.shutdown_grace;
        let connections = Arc::new(conn::Connections::new(self.max_connections));
        let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
        let mut tasks = tokio::task::JoinSet::new();
        let monitor = tokio::spawn(watch_disk(Arc::clone(&self.state)));
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        conn::accept(stream, &self.state, &connections, &stopping_rx, &mut tasks);
                    }
                    Err(error) => {
                        // Out of file descriptors and the like: wait, retry.
                        warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(self.listener);
        monitor.abort();
        let _ = stopping_tx.send(true);
        let drained =
            tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            warn!(
                ?grace,
                "requests still in flight after the grace period; stopping anyway"
            );
        }
        Ok(())
    }
}

/// Opens the data directory and binds the address.
pub async fn bind(config: ServerConfig) -> Result<Bound, ServerError> {
    if !config.authorization && !config.listen.ip().is_loopback() {
        return Err(ServerError::UnsafeNoAuthorization(config.listen));
    }
    let data_dir = config.data_dir.clone();
    let init = config.init;
    let on_disk = matches!(config.artifacts, ArtifactsLocation::Disk);
    let (lock, access, on_disk) =
        tokio::task::spawn_blocking(move || open_data(&data_dir, init, on_disk))
            .await
            .map_err(std::io::Error::other)??;
    let artifacts = match (&config.artifacts, on_disk) {
        (ArtifactsLocation::S3(location), _) => {
            let measure_usage = config.workspace_quota_bytes.is_some();
            let s3 = S3Artifacts::open(location.clone(), measure_usage)
                .await
                .map_err(|source| ServerError::ObjectStore {
                    location: location.to_string(),
                    source,
                })?;
            match s3.check().await {
                Ok(()) => info!(artifacts = %location, "artifacts in object storage"),
                // Served anyway: builds go on (misses, refused uploads)
                // while the store is unreachable, and /readyz says so.
                Err(error) => {
                    warn!(artifacts = %location, %error, "the object store does not answer: until it does, every GET is a miss and every PUT refused; check the AWS_* environment, the endpoint and the bucket")
                }
            }
            Artifacts::S3(s3)
        }
        (ArtifactsLocation::Disk, Some(disk)) => disk,
        (ArtifactsLocation::Disk, None) => {
            return Err(ServerError::Io(std::io::Error::other(
                "the artifacts folder was not opened",
            )))
        }
    };
    let listener =
        TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServerError::Listen {
                addr: config.listen,
                source,
            })?;
    let (max_connections, open_files) = conn::connection_limit(config.max_connections);
    let (revision, workspaces) =
        access.fresh(|loaded| (loaded.revision, loaded.engine.workspace_count()))?;
    info!(
        revision,
        workspaces,
        max_connections,
        open_file_limit = open_files,
        "access state loaded"
    );
    if workspaces == 0 {
        warn!("the access state has no workspace yet: every cache request will be refused until an operator creates one with `nxcloud-access admin`");
    }
    let state = Arc::new(AppState {
        config,
        access: Arc::new(access),
        artifacts,
        _lock: lock,
    });
    Ok(Bound {
        listener,
        state,
        max_connections,
    })
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
    // Kebab-case as documented; the camelCase names the engine's messages
    // use are accepted too.
    let method = Method::from_kebab(command)
        .or_else(|| Method::from_js(command))
        .ok_or_else(|| AdminError::UnknownCommand(command.to_owned()))?;
    // Only the bootstrap, `create-user` (on an empty state every other
    // command fails), initialises a new data directory: any other command on
    // a missing or empty one is a mistyped --data, and creates nothing.
    let mode = if method == Method::CreateUser {
        Open::CreateIfMissing
    } else {
        Open::Existing
    };
    if data_dir.exists() && !data_dir.is_dir() {
        return Err(AdminError::DataDir {
            path: data_dir.display().to_string(),
            source: std::io::Error::other("it is not a directory"),
        });
    }
    let created_dir = !data_dir.exists();
    if created_dir {
        if mode == Open::Existing {
            return Err(AdminError::Store(StoreError::NotInitialised {
                path: data_dir.join(store::DATABASE_FILE).display().to_string(),
            }));
        }
        create_private_dir(data_dir).map_err(|source| AdminError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
    }
    let created_state = !data_dir.join(store::DATABASE_FILE).exists();
    let result = admin_command_in(data_dir, method, mode, argument);
    if result.is_err() && created_state {
        // A refused bootstrap leaves nothing behind.
        for suffix in ["", "-wal", "-shm"] {
            let _ =
                std::fs::remove_file(data_dir.join(format!("{}{suffix}", store::DATABASE_FILE)));
        }
        if created_dir {
            let _ = std::fs::remove_dir(data_dir);
        }
    }
    result
}

fn admin_command_in(
    data_dir: &Path,
    method: Method,
    mode: Open,
    argument: Value,
) -> Result<Value, AdminError> {
    check_data_dir(data_dir).map_err(|error| match error {
        ServerError::UnsafeDataDir { path, mode } => AdminError::UnsafeDataDir { path, mode },
        other => AdminError::DataDir {
            path: data_dir.display().to_string(),
            source: std::io::Error::other(other.to_string()),
        },
    })?;
    let mut store = store::Store::open(data_dir, mode)?;
    let mut held = store.load()?;
    match store.apply_using_reserve(method, argument, Some("admin-cli"), &mut held) {
        Ok(applied) => {
            // Without a server the log would only grow: the CLI rewrites the
            // checkpoint on the same schedule (best effort; the change is in).
            if applied
                .change
                .as_ref()
                .is_some_and(|change| change.after.revision % store::CHECKPOINT_EVERY == 0)
            {
                let _ = store.checkpoint(&held);
            }
            Ok(applied.result)
        }
        Err(ApplyError::Refused(error)) => Err(AdminError::Refused(error)),
        Err(ApplyError::Store(error)) => Err(AdminError::Store(error)),
        Err(ApplyError::Limited(message)) => Err(AdminError::Limited(message)),
    }
}

/// Why `admin` failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("there is no command `{0}`: use a kebab-case name such as `create-user`")]
    UnknownCommand(String),
    #[error("the data directory `{path}` is writable by other accounts (mode {mode:o}): run `chmod go-w {path}` (or `chmod 700 {path}`) first")]
    UnsafeDataDir { path: String, mode: u32 },
    #[error("cannot use the data directory `{path}`: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Refused(nxcloud_access::AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Limited(String),
}

fn open_data(
    data_dir: &Path,
    init: bool,
    artifacts_on_disk: bool,
) -> Result<(std::fs::File, AccessState, Option<Artifacts>), ServerError> {
    let path = data_dir.display().to_string();
    if data_dir.exists() && !data_dir.is_dir() {
        return Err(ServerError::DataDir {
            path,
            source: std::io::Error::other(
                "it is not a directory: give --data the server's data directory",
            ),
        });
    }
    if !data_dir.is_dir() {
        if !init {
            return Err(StoreError::NotInitialised {
                path: data_dir.join(store::DATABASE_FILE).display().to_string(),
            }
            .into());
        }
        create_private_dir(data_dir).map_err(|source| ServerError::DataDir {
            path: path.clone(),
            source,
        })?;
    }
    check_data_dir(data_dir)?;
    // Locked before Artifacts::open, which removes leftover temporary files.
    let lock = lock_data_dir(data_dir).map_err(|error| match error {
        std::fs::TryLockError::WouldBlock => ServerError::AlreadyServing(path.clone()),
        std::fs::TryLockError::Error(source) => ServerError::DataDir {
            path: path.clone(),
            source,
        },
    })?;
    let access = AccessState::open(
        data_dir,
        if init {
            Open::CreateIfMissing
        } else {
            Open::Existing
        },
    )?;
    let artifacts = if artifacts_on_disk {
        Some(
            Artifacts::open_disk(data_dir)
                .map_err(|source| ServerError::DataDir { path, source })?,
        )
    } else {
        None
    };
    if let Err(error) = store::ensure_reserve(data_dir) {
        warn!(%error, "the state's space reserve could not be written: revocations may fail on a full disk; free disk space");
    }
    Ok((lock, access, artifacts))
}

/// Creates a directory (and its parents) readable by its owner only.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Refuses a data directory other accounts may write; warns when they may
/// read it.
fn check_data_dir(data_dir: &Path) -> Result<(), ServerError> {
    use std::os::unix::fs::PermissionsExt;
    let path = data_dir.display().to_string();
    let mode = std::fs::metadata(data_dir)
        .map_err(|source| ServerError::DataDir {
            path: path.clone(),
            source,
        })?
        .permissions()
        .mode()
        & 0o7777;
    if mode & 0o022 != 0 {
        return Err(ServerError::UnsafeDataDir { path, mode });
    }
    if mode & 0o044 != 0 {
        warn!(path, mode = format!("{mode:o}"), "other accounts on this machine can read the data directory (artifacts, emails, memberships): run `chmod 700` on it");
    }
    Ok(())
}

/// Takes the data directory's exclusive lock (released by the OS when the
/// process ends, even by SIGKILL). The lock is on the directory itself, so
/// no file deletion can remove it.
fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, std::fs::TryLockError> {
    let dir = std::fs::File::open(data_dir).map_err(std::fs::TryLockError::Error)?;
    dir.try_lock()?;
    Ok(dir)
}

/// Whether a path is one of the health endpoints (served even at the
/// connection limit).
pub fn is_health_path(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Routes one request, cut off at `deadline` (408), and counts it.
pub(crate) async fn dispatch(
    state: &AppState,
    request: Request<Body>,
    deadline: Instant,
) -> Response<Body> {
    let started = Instant::now();
    let kind = request_kind(request.method(), request.uri().path());
    let response = match tokio::time::timeout_at(deadline, route(state, request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut answer = plain(StatusCode::REQUEST_TIMEOUT, "the request took too long\n");
            answer
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            answer
        }
    };
    metrics::REQUESTS
        .get_or_create(&metrics::labels(
            ("kind", kind),
            ("status", response.status().as_str()),
        ))
        .inc();
    metrics::LATENCY
        .get_or_create(&metrics::label("kind", kind))
        .observe(started.elapsed().as_secs_f64());
    response
}

fn request_kind(method: &HttpMethod, path: &str) -> &'static str {
    if is_health_path(path) {
        "health"
    } else if path.starts_with("/api/") {
        "command"
    } else if *method == HttpMethod::PUT {
        "cache-put"
    } else {
        "cache-get"
    }
}

async fn route(state: &AppState, request: Request<Body>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    match path {
        "/healthz" => return health(state),
        "/readyz" => return ready(state).await,
        "/metrics" => {
            return Response::builder()
                .status(StatusCode::OK)
                .header(
                    header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )
                .body(Body::from(metrics::render()))
                .unwrap_or_else(|_| Response::new(Body::empty()))
        }
        _ => {}
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

/// `/healthz`: the process answers and its access state can be read as
/// stored now; the body says which state (revision, workspaces).
fn health(state: &AppState) -> Response<Body> {
    match state
        .access
        .fresh(|loaded| (loaded.revision, loaded.engine.workspace_count()))
    {
        Ok((revision, workspaces)) => plain(
            StatusCode::OK,
            &format!("ok revision={revision} workspaces={workspaces}\n"),
        ),
        Err(error) => plain(StatusCode::SERVICE_UNAVAILABLE, &format!("{error}\n")),
    }
}

/// `/readyz`: the state is current and readable, and the artifact storage
/// is there.
async fn ready(state: &AppState) -> Response<Body> {
    if let Err(error) = state.access.fresh(|_| ()) {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("not ready: {error}\n"),
        );
    }
    if let Err(error) = state.artifacts.check().await {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("not ready: the artifact storage is unavailable: {error}\n"),
        );
    }
    plain(StatusCode::OK, "ready\n")
}

/// Measures the free space of the artifacts' file system every 30 seconds:
/// a metric always, a warning at every measure while it is below
/// `--min-free-bytes`, and the state's space reserve written again once
/// space is back.
async fn watch_disk(state: Arc<AppState>) {
    let mut ticks = tokio::time::interval(Duration::from_secs(30));
    loop {
        ticks.tick().await;
        let free = state.artifacts.free_bytes();
        match free {
            // An object store: only the state's reserve to keep.
            None => {
                let dir = state.config.data_dir.clone();
                let _ = tokio::task::spawn_blocking(move || store::ensure_reserve(&dir)).await;
            }
            Some(Ok(free)) if free < state.config.min_free_bytes => {
                warn!(
                    free_bytes = free,
                    min_free_bytes = state.config.min_free_bytes,
                    "disk space is short: uploads are refused (nx goes on without storing) until space is freed"
                );
            }
            Some(Ok(_)) => {
                let dir = state.config.data_dir.clone();
                let _ = tokio::task::spawn_blocking(move || store::ensure_reserve(&dir)).await;
            }
            Some(Err(error)) => warn!(%error, "the free disk space could not be measured"),
        }
    }
}

/// A `text/plain` answer (nx shows a 401's body only with this type). The
/// text is scrubbed of token-shaped words: no answer ever holds a token,
/// whatever field of the request it came from.
pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(scrub_tokens(text)))
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
