//! Artifacts in an S3-compatible object store: `s3://<bucket>/<prefix>`,
//! objects `<prefix>/<nxCloudId>/<hash>`. The endpoint, region and
//! credentials come from the standard AWS environment (`AWS_ENDPOINT_URL`,
//! `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`, `AWS_ALLOW_HTTP` for a plain-http endpoint, ...), read
//! by the `object_store` crate.
//!
//! The protocol:
//!
//! * An upload is streamed. Up to [`PART_BYTES`] it is held in memory; past
//!   that a multipart upload to the final key starts, and every
//!   [`PART_BYTES`] received go out as one part (at most one part in memory
//!   per upload, never the whole artifact). A multipart upload is invisible
//!   until it is completed, so nothing partial is ever readable.
//! * Only once the body is in full and the caller decided again does
//!   [`Staged::commit`] make it visible: a small artifact by one `PUT` with
//!   `If-None-Match: *` (`PutMode::Create`), a large one by completing its
//!   multipart upload.
//! * Exactly one of concurrent uploads of a hash wins. In this process the
//!   commits of one key are serialized, and each first checks (`HEAD`) that
//!   the key is absent: a second commit finds the first's object and answers
//!   409. Across processes the store's conditional create decides where the
//!   store enforces it (Amazon S3, MinIO, Cloudflare R2 reject the second
//!   `PUT` with 412); Garage 2.5 ignores `If-None-Match` on `PUT` and on
//!   `CompleteMultipartUpload`, so there one `serve` per bucket prefix holds
//!   the guarantee (docs/server.md).
//! * A dropped upload (client gone, limit, timeout, refusal) aborts its
//!   multipart upload; a process killed mid-upload leaves an incomplete
//!   multipart upload, invisible, which the bucket's lifecycle rule
//!   (`AbortIncompleteMultipartUpload`) or Garage's own clean-up removes.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{
    ClientConfigKey, MultipartUpload, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload,
    PutPayloadMut, RetryConfig,
};
use tracing::warn;

use super::{Found, PutError, PutOutcome};

/// The size of one multipart part, and the most of an upload held in memory.
pub const PART_BYTES: usize = 8 * 1024 * 1024;

/// `s3://<bucket>/<prefix>`, with settings that override the environment.
#[derive(Clone)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
    /// `object_store` configuration keys (`aws_endpoint`, `aws_access_key_id`,
    /// ...) applied over the environment's; for tests and embedders. Never
    /// shown: it may hold the secret key.
    pub settings: Vec<(String, String)>,
}

impl fmt::Debug for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Location")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field(
                "settings",
                &self
                    .settings
                    .iter()
                    .map(|(key, _)| key.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

/// Why an `s3://` location or its configuration is refused.
#[derive(Debug, thiserror::Error)]
pub enum S3ConfigError {
    #[error("`{0}` is not an s3://bucket/prefix location")]
    NotS3(String),
    #[error("`{0}` names no bucket: use s3://bucket or s3://bucket/prefix")]
    NoBucket(String),
    #[error("the key prefix `{prefix}` is not a valid object path: {reason}")]
    BadPrefix { prefix: String, reason: String },
    #[error("the S3 configuration is incomplete or wrong (check AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ALLOW_HTTP): {0}")]
    Build(object_store::Error),
    #[error("the bucket could not be listed to measure each workspace's usage (needed for --workspace-quota-bytes): {0}")]
    Scan(object_store::Error),
}

impl S3Location {
    /// Parses `s3://bucket` or `s3://bucket/prefix`; `None` for anything
    /// that is not an `s3://` location.
    pub fn parse(text: &str) -> Option<Result<Self, S3ConfigError>> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Some(Err(S3ConfigError::NoBucket(text.to_owned())));
        }
        Some(Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            settings: Vec::new(),
        }))
    }
}

/// The artifacts in a bucket.
pub struct S3Artifacts {
    store: Arc<dyn ObjectStore>,
    location: S3Location,
    prefix: Path,
    /// Bytes held per workspace (measured at start when a quota needs it,
    /// then counted).
    usage: Mutex<HashMap<String, u64>>,
    /// One lock per key being committed: commits of one hash in this
    /// process take turns.
    commits: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl fmt::Debug for S3Artifacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S3Artifacts({})", self.location)
    }
}

impl S3Artifacts {
    /// Connects to the bucket (no request is made unless `measure_usage`:
    /// then every object is listed once to sum each workspace's bytes).
    pub async fn open(location: S3Location, measure_usage: bool) -> Result<Self, S3ConfigError> {
        let prefix = Path::parse(&location.prefix).map_err(|error| S3ConfigError::BadPrefix {
            prefix: location.prefix.clone(),
            reason: error.to_string(),
        })?;
        // Short connect timeouts and few retries: an unreachable store must
        // become a miss (GET) or a refusal (PUT) within seconds, not after
        // the default three minutes of retries. The environment may
        // override the timeouts.
        let mut builder = AmazonS3Builder::new()
            .with_config(
                AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                "3s",
            )
            .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "600s");
        for (key, value) in std::env::vars() {
            if key.starts_with("AWS_") {
                if let Ok(config_key) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
                    builder = builder.with_config(config_key, value);
                }
            }
        }
        for (key, value) in &location.settings {
            let config_key = key
                .to_ascii_lowercase()
                .parse::<AmazonS3ConfigKey>()
                .map_err(S3ConfigError::Build)?;
            builder = builder.with_config(config_key, value);
        }
        let retry = RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
            ..RetryConfig::default()
        };
        let store = builder
            .with_bucket_name(&location.bucket)
            .with_retry(retry)
            .build()
            .map_err(S3ConfigError::Build)?;
        let store: Arc<dyn ObjectStore> = Arc::new(store);
        let usage = if measure_usage {
            measure(&store, &prefix)
                .await
                .map_err(S3ConfigError::Scan)?
        } else {
            HashMap::new()
        };
        Ok(Self {
            store,
            location,
            prefix,
            usage: Mutex::new(usage),
            commits: Mutex::new(HashMap::new()),
        })
    }

    /// The location, as `s3://bucket/prefix`.
    pub fn location(&self) -> &S3Location {
        &self.location
    }

    fn key(&self, workspace: &str, hash: &str) -> Path {
        self.prefix.clone().join(workspace).join(hash)
    }

    /// Whether the store answers: a `HEAD` of a key no artifact can have.
    pub async fn check(&self) -> Result<(), object_store::Error> {
        match self.store.head(&self.prefix.clone().join(".readyz")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Bytes `workspace` holds.
    pub fn usage(&self, workspace: &str) -> u64 {
        match self.usage.lock() {
            Ok(usage) => usage.get(workspace).copied().unwrap_or(0),
            Err(poisoned) => poisoned.into_inner().get(workspace).copied().unwrap_or(0),
        }
    }

    fn add_usage(&self, workspace: &str, bytes: u64) {
        let mut usage = match self.usage.lock() {
            Ok(usage) => usage,
            Err(poisoned) => poisoned.into_inner(),
        };
        let held = usage.entry(workspace.to_owned()).or_insert(0);
        *held = held.saturating_add(bytes);
    }

    /// Whether an artifact exists (false when the store cannot say).
    pub async fn exists(&self, workspace: &str, hash: &str) -> bool {
        self.store.head(&self.key(workspace, hash)).await.is_ok()
    }

    /// Opens an artifact for streaming, `None` when there is none.
    pub async fn get(
        &self,
        workspace: &str,
        hash: &str,
    ) -> Result<Option<Found>, object_store::Error> {
        match self.store.get(&self.key(workspace, hash)).await {
            Ok(result) => {
                let length = result.meta.size;
                let stream = result.into_stream().map(|chunk| {
                    chunk.inspect_err(|error| {
                        warn!(%error, "streaming an artifact from the object store failed; the download is cut off");
                        crate::metrics::STORAGE_ERRORS.inc();
                    })
                });
                Ok(Some(Found {
                    length,
                    body: Body::from_stream(stream),
                }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Streams `body` to the store, invisible until [`Staged::commit`].
    pub async fn stage<S, E>(
        &self,
        workspace: &str,
        hash: &str,
        mut body: S,
        limit: u64,
        idle: Duration,
    ) -> Result<Staged<'_>, PutError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: fmt::Display,
    {
        let key = self.key(workspace, hash);
        let mut buffer = PutPayloadMut::new();
        let mut upload: Option<Multipart> = None;
        let mut bytes: u64 = 0;
        while let Some(chunk) = super::next_chunk(&mut body, &mut bytes, limit, idle).await? {
            buffer.push(chunk);
            if buffer.content_length() >= PART_BYTES {
                let part = std::mem::take(&mut buffer).freeze();
                let multipart = match upload.as_mut() {
                    Some(multipart) => multipart,
                    None => upload.insert(Multipart::start(&*self.store, &key).await?),
                };
                multipart.put_part(part).await?;
            }
        }
        let body = match upload {
            None => Pending::Single(buffer.freeze()),
            Some(mut multipart) => {
                if buffer.content_length() > 0 {
                    multipart.put_part(buffer.freeze()).await?;
                }
                Pending::Multipart(multipart)
            }
        };
        Ok(Staged {
            artifacts: self,
            key,
            workspace: workspace.to_owned(),
            bytes,
            body,
        })
    }

    /// The lock of `key`'s commits.
    fn commit_lock(&self, key: &Path) -> Arc<tokio::sync::Mutex<()>> {
        let mut commits = match self.commits.lock() {
            Ok(commits) => commits,
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(commits.entry(key.to_string()).or_default())
    }

    /// Forgets `key`'s lock when no other commit holds or awaits it.
    fn release_lock(&self, key: &Path, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut commits = match self.commits.lock() {
            Ok(commits) => commits,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Ours and the map's: nobody else.
        if Arc::strong_count(&lock) == 2 {
            commits.remove(key.as_ref());
        }
    }
}

/// Sums the objects' sizes per workspace (`<prefix>/<workspace>/<hash>`).
async fn measure(
    store: &Arc<dyn ObjectStore>,
    prefix: &Path,
) -> Result<HashMap<String, u64>, object_store::Error> {
    let mut usage: HashMap<String, u64> = HashMap::new();
    let mut listing = store.list(Some(prefix));
    while let Some(meta) = listing.next().await {
        let meta = meta?;
        let workspace = meta
            .location
            .prefix_match(prefix)
            .and_then(|mut parts| parts.next())
            .map(|part| part.as_ref().to_owned());
        if let Some(workspace) = workspace {
            let held = usage.entry(workspace).or_insert(0);
            *held = held.saturating_add(meta.size);
        }
    }
    Ok(usage)
}

/// A multipart upload in progress, aborted when dropped uncompleted.
struct Multipart {
    upload: Option<Box<dyn MultipartUpload>>,
}

impl Multipart {
    async fn start(store: &dyn ObjectStore, key: &Path) -> Result<Self, object_store::Error> {
        Ok(Self {
            upload: Some(store.put_multipart(key).await?),
        })
    }

    async fn put_part(&mut self, part: PutPayload) -> Result<(), object_store::Error> {
        match self.upload.as_mut() {
            Some(upload) => upload.put_part(part).await,
            None => Err(finished()),
        }
    }

    async fn complete(mut self) -> Result<(), object_store::Error> {
        let Some(mut upload) = self.upload.take() else {
            return Err(finished());
        };
        match upload.complete().await {
            Ok(_) => Ok(()),
            Err(error) => {
                let _ = upload.abort().await;
                Err(error)
            }
        }
    }
}

fn finished() -> object_store::Error {
    object_store::Error::Generic {
        store: "S3",
        source: "the multipart upload is already finished".into(),
    }
}

impl Drop for Multipart {
    fn drop(&mut self) {
        if let Some(mut upload) = self.upload.take() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = upload.abort().await {
                        warn!(%error, "aborting an abandoned multipart upload failed; it stays invisible until the bucket's lifecycle rule removes it");
                    }
                });
            }
        }
    }
}

enum Pending {
    /// The whole (small) artifact, at most [`PART_BYTES`].
    Single(PutPayload),
    /// Every part uploaded, not completed.
    Multipart(Multipart),
}

/// An upload received in full, not yet visible.
pub struct Staged<'a> {
    artifacts: &'a S3Artifacts,
    key: Path,
    workspace: String,
    bytes: u64,
    body: Pending,
}

impl Staged<'_> {
    /// The bytes received.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Makes the upload visible unless the key exists.
    pub async fn commit(self) -> Result<PutOutcome, PutError> {
        let Self {
            artifacts,
            key,
            workspace,
            bytes,
            body,
        } = self;
        let lock = artifacts.commit_lock(&key);
        let outcome = {
            let _turn = lock.lock().await;
            create(artifacts, &key, body).await
        };
        artifacts.release_lock(&key, lock);
        let created = outcome?;
        if created {
            artifacts.add_usage(&workspace, bytes);
            Ok(PutOutcome::Stored { bytes })
        } else {
            Ok(PutOutcome::Exists)
        }
    }
}

/// Creates `key` from `body` unless it exists; whether it was created.
async fn create(
    artifacts: &S3Artifacts,
    key: &Path,
    body: Pending,
) -> Result<bool, object_store::Error> {
    match artifacts.store.head(key).await {
        // `body` drops here: a multipart upload is aborted.
        Ok(_) => return Ok(false),
        Err(object_store::Error::NotFound { .. }) => {}
        Err(error) => return Err(error),
    }
    match body {
        Pending::Single(payload) => {
            let options = PutOptions {
                mode: PutMode::Create,
                ..PutOptions::default()
            };
            match artifacts.store.put_opts(key, payload, options).await {
                Ok(_) => Ok(true),
                Err(
                    object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. },
                ) => Ok(false),
                Err(error) => Err(error),
            }
        }
        Pending::Multipart(multipart) => multipart.complete().await.map(|()| true),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    fn parsed(text: &str) -> (String, String) {
        match S3Location::parse(text) {
            Some(Ok(location)) => (location.bucket, location.prefix),
            other => panic!("{text}: {:?}", other.map(|r| r.map(|l| l.to_string()))),
        }
    }

    #[test]
    fn locations_parse() {
        assert_eq!(parsed("s3://b"), ("b".into(), "".into()));
        assert_eq!(parsed("s3://b/"), ("b".into(), "".into()));
        assert_eq!(parsed("s3://b/p/q/"), ("b".into(), "p/q".into()));
        assert!(matches!(
            S3Location::parse("s3:///p"),
            Some(Err(S3ConfigError::NoBucket(_)))
        ));
        assert!(S3Location::parse("/var/lib/artifacts").is_none());
        assert!(S3Location::parse("gs://b").is_none());
    }

    #[test]
    fn the_settings_values_are_never_shown() {
        let mut location = S3Location::parse("s3://b/p").unwrap().unwrap();
        location.settings = vec![("aws_secret_access_key".into(), "s3cr3t-value".into())];
        let shown = format!("{location:?} {location}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(shown.contains("aws_secret_access_key"));
    }
}
