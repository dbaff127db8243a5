//! Connections: how many, for how long, and how they end.
//!
//! The guarantees (docs/server.md, "Reliability and security"):
//!
//! * **Headers have a whole-request deadline** (`--header-timeout`): hyper's
//!   own header-read timer starts when the server waits for a request's head
//!   and closes the connection when the head is not complete in time, however
//!   slowly the bytes trickle in. It also bounds how long a keep-alive
//!   connection may wait between two requests.
//! * **Every request has a total bound** (`--request-timeout`), from its head
//!   to the last byte of its answer: the handler is cut off at the deadline
//!   (408), and a connection whose answer is still going out one second
//!   later (a download read slowly, at whatever pace) is reset, discarding
//!   what the kernel still holds for it.
//! * **Stalls in either direction** are cut by [`crate::idle::IdleStream`]
//!   (`--idle-timeout`).
//! * **A connection limit with a reserve for health checks.** At most
//!   `max` connections serve everything. When they are all taken, the oldest
//!   one that is not in a request (idle keep-alive, or still sending its
//!   head) is closed to make room: stalled clients can never lock out a new
//!   one. When every one of them is in a request, up to [`HEALTH_RESERVE`]
//!   more connections are admitted that answer only `/healthz`, `/readyz` and
//!   `/metrics` (503 otherwise, and such a connection makes room at once for
//!   the next one); beyond that a connection is closed at once.
//!   The default `max` is derived from the process's open-file limit, so the
//!   server never runs out of descriptors (each connection may hold a socket,
//!   a duplicate of it to reset it with, and an artifact file).
//! * **Shutdown never waits on idle or stalled clients**: on SIGTERM the
//!   listener closes, every connection not in a request is closed at once,
//!   and requests in flight finish within `--shutdown-grace`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use crate::idle::IdleStream;
use crate::metrics;
use crate::AppState;

/// Connections kept for health checks when every other one is in a request.
pub const HEALTH_RESERVE: usize = 8;

/// Descriptors kept for everything but connections: the listener, the
/// runtime, stdio, the state database (two connections, each with the
/// database, `-wal` and `-shm` files), the lock, directory handles.
const FD_HEADROOM: u64 = 48;

/// The most connections a default configuration serves.
const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// How long a connection in the health reserve may take to send its head.
const RESERVE_HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// The connection limit for this process: `configured` (or the default),
/// never more than the open-file limit allows. Returns the limit and the
/// open-file limit it was derived from.
pub fn connection_limit(configured: Option<usize>) -> (usize, Option<u64>) {
    let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    let wanted = configured.unwrap_or(DEFAULT_MAX_CONNECTIONS).max(1);
    let Some(soft) = soft else {
        return (wanted, None);
    };
    // A connection of the health reserve holds a socket and its duplicate.
    let budget = soft
        .saturating_sub(FD_HEADROOM)
        .saturating_sub(2 * HEALTH_RESERVE as u64);
    // A socket, its reset handle (a duplicate descriptor) and, while it
    // transfers an artifact, an open file.
    let by_files = usize::try_from(budget / 3).unwrap_or(usize::MAX).max(1);
    (wanted.min(by_files), Some(soft))
}

/// One admitted connection's shared state.
#[derive(Debug, Default)]
pub struct Slot {
    /// Requests in flight on this connection (head read, answer not yet
    /// fully sent).
    active: AtomicUsize,
    /// Notified to close the connection to make room for another.
    shed: Notify,
    /// A connection of the health reserve that asked for something else: it
    /// is answered 503 and may be closed at once to make room.
    refused: AtomicBool,
    /// The deadline of the request in flight, and its change notice.
    deadline: Mutex<Option<Instant>>,
    deadline_set: Notify,
}

impl Slot {
    fn idle(&self) -> bool {
        self.active.load(Ordering::Acquire) == 0
    }

    /// Whether closing it now loses nothing: no request in flight, or only
    /// one the health reserve refuses.
    fn sheddable(&self) -> bool {
        self.idle() || self.refused.load(Ordering::Acquire)
    }

    fn deadline(&self) -> Option<Instant> {
        match self.deadline.lock() {
            Ok(deadline) => *deadline,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    fn set_deadline(&self, deadline: Instant) {
        match self.deadline.lock() {
            Ok(mut held) => *held = Some(deadline),
            Err(poisoned) => *poisoned.into_inner() = Some(deadline),
        }
        self.deadline_set.notify_one();
    }
}

/// How long after a request's deadline its connection is reset, when the
/// answer is still going out: time for a 408 to reach the client first.
const ABORT_AFTER_DEADLINE: Duration = Duration::from_secs(1);

/// Which pool a connection was admitted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pool {
    General,
    /// Health checks only.
    Reserve,
}

/// The open connections, oldest first in each pool.
pub struct Connections {
    max: usize,
    inner: Mutex<Pools>,
}

#[derive(Default)]
struct Pools {
    next: u64,
    general: BTreeMap<u64, Arc<Slot>>,
    reserve: BTreeMap<u64, Arc<Slot>>,
}

struct Admitted {
    id: u64,
    pool: Pool,
    slot: Arc<Slot>,
}

impl Connections {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            inner: Mutex::new(Pools::default()),
        }
    }

    /// Admits a new connection, closing an idle one to make room when needed;
    /// `None` when there is no room at all.
    fn admit(&self) -> Option<Admitted> {
        let mut pools = match self.inner.lock() {
            Ok(pools) => pools,
            Err(poisoned) => poisoned.into_inner(),
        };
        let id = pools.next;
        pools.next += 1;
        let slot = Arc::new(Slot::default());
        let pool = if pools.general.len() < self.max || shed_oldest_idle(&mut pools.general) {
            Pool::General
        } else if pools.reserve.len() < HEALTH_RESERVE || shed_oldest_idle(&mut pools.reserve) {
            Pool::Reserve
        } else {
            return None;
        };
        match pool {
            Pool::General => pools.general.insert(id, Arc::clone(&slot)),
            Pool::Reserve => pools.reserve.insert(id, Arc::clone(&slot)),
        };
        metrics::CONNECTIONS.inc();
        Some(Admitted { id, pool, slot })
    }

    fn leave(&self, id: u64, pool: Pool) {
        let mut pools = match self.inner.lock() {
            Ok(pools) => pools,
            Err(poisoned) => poisoned.into_inner(),
        };
        let removed = match pool {
            Pool::General => pools.general.remove(&id),
            Pool::Reserve => pools.reserve.remove(&id),
        };
        if removed.is_some() {
            metrics::CONNECTIONS.dec();
        }
    }
}

/// Closes the oldest connection of `pool` that is not in a request.
fn shed_oldest_idle(pool: &mut BTreeMap<u64, Arc<Slot>>) -> bool {
    let Some(id) = pool
        .iter()
        .find(|(_, slot)| slot.sheddable())
        .map(|(id, _)| *id)
    else {
        return false;
    };
    if let Some(slot) = pool.remove(&id) {
        slot.shed.notify_one();
        metrics::CONNECTIONS.dec();
        metrics::CONNECTIONS_SHED
            .get_or_create(&metrics::label("reason", "idle-at-limit"))
            .inc();
    }
    true
}

/// Takes a freshly accepted socket: admits it (or closes it) and serves it on
/// its own task.
pub fn accept(
    stream: TcpStream,
    app: &Arc<AppState>,
    connections: &Arc<Connections>,
    stopping: &watch::Receiver<bool>,
    tasks: &mut tokio::task::JoinSet<()>,
) {
    let Some(admitted) = connections.admit() else {
        metrics::CONNECTIONS_SHED
            .get_or_create(&metrics::label("reason", "no-room"))
            .inc();
        drop(stream);
        return;
    };
    let _ = stream.set_nodelay(true);
    tasks.spawn(serve(
        stream,
        admitted,
        Arc::clone(app),
        Arc::clone(connections),
        stopping.clone(),
    ));
}

async fn serve(
    stream: TcpStream,
    admitted: Admitted,
    app: Arc<AppState>,
    connections: Arc<Connections>,
    mut stopping: watch::Receiver<bool>,
) {
    struct Leave(Arc<Connections>, u64, Pool);
    impl Drop for Leave {
        fn drop(&mut self) {
            self.0.leave(self.1, self.2);
        }
    }
    let _leave = Leave(connections, admitted.id, admitted.pool);
    let restricted = admitted.pool == Pool::Reserve;
    let slot = admitted.slot;
    let header_timeout = if restricted {
        RESERVE_HEADER_TIMEOUT.min(app.config.header_timeout)
    } else {
        app.config.header_timeout
    };
    // A second handle on the socket, to reset it (not close it gently,
    // which would still deliver what the kernel holds) at a deadline.
    let abort_handle = std::os::fd::AsFd::as_fd(&stream).try_clone_to_owned().ok();
    let io = TokioIo::new(IdleStream::new(stream, app.config.idle_timeout));
    let service = {
        let slot = Arc::clone(&slot);
        hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            let app = Arc::clone(&app);
            let slot = Arc::clone(&slot);
            async move { Ok::<_, Infallible>(handle(app, slot, restricted, request).await) }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(!restricted);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    if *stopping.borrow() {
        return;
    }
    let mut draining = false;
    let overdue = tokio::time::sleep(Duration::from_secs(86_400));
    tokio::pin!(overdue);
    let mut armed = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => return,
            () = slot.shed.notified() => return,
            () = slot.deadline_set.notified() => {
                if let Some(deadline) = slot.deadline() {
                    overdue.as_mut().reset(deadline + ABORT_AFTER_DEADLINE);
                    armed = true;
                }
            }
            () = &mut overdue, if armed => {
                armed = false;
                let Some(deadline) = slot.deadline() else { continue };
                if slot.idle() {
                    continue;
                }
                if Instant::now() < deadline + ABORT_AFTER_DEADLINE {
                    overdue.as_mut().reset(deadline + ABORT_AFTER_DEADLINE);
                    armed = true;
                    continue;
                }
                // The request outlived --request-timeout: reset the
                // connection, discarding what is still unsent.
                if let Some(handle) = &abort_handle {
                    let _ = rustix::net::sockopt::set_socket_linger(handle, Some(Duration::ZERO));
                }
                metrics::CONNECTIONS_SHED
                    .get_or_create(&metrics::label("reason", "request-timeout"))
                    .inc();
                return;
            }
            changed = stopping.changed(), if !draining => {
                draining = true;
                if changed.is_err() || slot.idle() {
                    return;
                }
                // Finish the request in flight, then close.
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// One request: counted as in flight until its answer is fully sent, and
/// bounded in total by `--request-timeout`.
async fn handle(
    app: Arc<AppState>,
    slot: Arc<Slot>,
    restricted: bool,
    request: Request<hyper::body::Incoming>,
) -> Response<Body> {
    let deadline = Instant::now() + app.config.request_timeout;
    slot.set_deadline(deadline);
    let in_flight = InFlight::new(slot);
    if restricted && !crate::is_health_path(request.uri().path()) {
        slot_refused(&in_flight);
        let mut answer = crate::plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the cache server is at its connection limit; try again\n",
        );
        answer
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return answer;
    }
    let answer = crate::dispatch(&app, request.map(Body::new), deadline).await;
    answer.map(|body| {
        Body::new(Tracked {
            inner: body,
            _in_flight: in_flight,
        })
    })
}

fn slot_refused(in_flight: &InFlight) {
    in_flight.0.refused.store(true, Ordering::Release);
}

/// Marks a request in flight on its connection while alive.
struct InFlight(Arc<Slot>);

impl InFlight {
    fn new(slot: Arc<Slot>) -> Self {
        slot.active.fetch_add(1, Ordering::AcqRel);
        Self(slot)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An answer's body that keeps its request counted as in flight until the
/// last byte is handed to the connection (or the body is dropped).
struct Tracked {
    inner: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
