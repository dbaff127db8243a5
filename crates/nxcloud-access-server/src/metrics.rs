//! `GET /metrics`: Prometheus text format, through `prometheus-client`.
//!
//! One registry per process (the metrics describe the process). No label
//! ever holds a token, a user id or an artifact hash: labels are closed sets
//! (rules, statuses, kinds) or nxCloudIds (engine-made, 24 hexadecimal
//! digits, only once the engine knows the workspace).

use std::sync::atomic::AtomicU64;
use std::sync::LazyLock;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, String)>;

/// Requests answered, by endpoint kind and status.
pub static REQUESTS: LazyLock<Family<Labels, Counter>> = LazyLock::new(Family::default);
/// Request latency in seconds (until the answer's head), by endpoint kind.
pub static LATENCY: LazyLock<Family<Labels, Histogram>> = LazyLock::new(|| {
    Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.0001, 4.0, 10)))
});
/// Runner decisions, by rule and outcome.
pub static DECISIONS: LazyLock<Family<Labels, Counter>> = LazyLock::new(Family::default);
/// Artifact bytes served (`out`) and stored (`in`).
pub static BYTES: LazyLock<Family<Labels, Counter>> = LazyLock::new(Family::default);
/// Artifact storage failures (reads and writes).
pub static STORAGE_ERRORS: LazyLock<Counter> = LazyLock::new(Counter::default);
/// Uploads refused for space, by reason (`min-free`, `quota`).
pub static SPACE_REFUSALS: LazyLock<Family<Labels, Counter>> = LazyLock::new(Family::default);
/// Free bytes on the artifacts' file system, as last measured.
pub static DISK_FREE: LazyLock<Gauge<u64, AtomicU64>> = LazyLock::new(Gauge::default);
/// 1 while the free space is below `--min-free-bytes`.
pub static DISK_LOW: LazyLock<Gauge> = LazyLock::new(Gauge::default);
/// Times the state's space reserve was released for a command.
pub static RESERVE_RELEASED: LazyLock<Counter> = LazyLock::new(Counter::default);
/// Open connections.
pub static CONNECTIONS: LazyLock<Gauge> = LazyLock::new(Gauge::default);
/// Connections closed to make room (idle or unfinished headers) or refused.
pub static CONNECTIONS_SHED: LazyLock<Family<Labels, Counter>> = LazyLock::new(Family::default);
/// Decisions refused because the state could not be read.
pub static STATE_UNAVAILABLE: LazyLock<Counter> = LazyLock::new(Counter::default);

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("nxcloud_access");
    registry.register(
        "requests",
        "Requests answered, by kind and status",
        REQUESTS.clone(),
    );
    registry.register(
        "request_duration_seconds",
        "Time to the answer's head, by kind",
        LATENCY.clone(),
    );
    registry.register(
        "decisions",
        "Runner-plane decisions, by rule and outcome",
        DECISIONS.clone(),
    );
    registry.register(
        "artifact_bytes",
        "Artifact bytes served (out) and stored (in)",
        BYTES.clone(),
    );
    registry.register(
        "storage_errors",
        "Artifact storage failures",
        STORAGE_ERRORS.clone(),
    );
    registry.register(
        "space_refusals",
        "Uploads refused for lack of space, by reason",
        SPACE_REFUSALS.clone(),
    );
    registry.register(
        "disk_free_bytes",
        "Free bytes on the artifacts' file system",
        DISK_FREE.clone(),
    );
    registry.register(
        "disk_low",
        "1 while free space is below --min-free-bytes",
        DISK_LOW.clone(),
    );
    registry.register(
        "state_reserve_released",
        "Times the state's space reserve was released",
        RESERVE_RELEASED.clone(),
    );
    registry.register("connections", "Open connections", CONNECTIONS.clone());
    registry.register(
        "connections_shed",
        "Connections closed or refused at the connection limit, by reason",
        CONNECTIONS_SHED.clone(),
    );
    registry.register(
        "state_unavailable",
        "Decisions refused because the access state could not be read",
        STATE_UNAVAILABLE.clone(),
    );
    registry
});

/// One label pair.
pub fn label(key: &'static str, value: impl Into<String>) -> Labels {
    vec![(key, value.into())]
}

/// Two label pairs.
pub fn labels(first: (&'static str, &str), second: (&'static str, &str)) -> Labels {
    vec![
        (first.0, first.1.to_owned()),
        (second.0, second.1.to_owned()),
    ]
}

/// The whole registry in the Prometheus text format.
pub fn render() -> String {
    let mut text = String::new();
    if encode(&mut text, &REGISTRY).is_err() {
        text.clear();
    }
    text
}
