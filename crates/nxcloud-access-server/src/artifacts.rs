//! The artifact store, behind one interface with two backends:
//!
//! * [`disk`] (the default): `<data>/artifacts/<nxCloudId>/<hash>`, staged in
//!   a temporary file and committed by a hard link;
//! * [`s3`]: any S3-compatible object store (`serve --artifacts
//!   s3://bucket/prefix`), streamed by multipart upload and created only
//!   when absent.
//!
//! Both keep the same guarantees: an upload is received in full
//! ([`Artifacts::stage`]) before anything is visible; the caller decides the
//! request once more; then [`Staged::commit`] makes it visible as a whole,
//! unless an artifact of that hash exists already (then [`PutOutcome::Exists`],
//! answered 409). Of concurrent uploads of one hash exactly one is stored;
//! nothing partial is ever readable; a dropped upload leaves nothing visible.

pub mod disk;
pub mod s3;

use std::io;
use std::path::Path;
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt};

pub use disk::{remove_if_abandoned, DiskArtifacts};
pub use s3::{S3Artifacts, S3Location};

/// Where the artifacts live.
#[derive(Debug, Clone, Default)]
pub enum ArtifactsLocation {
    /// `<data>/artifacts` (the default).
    #[default]
    Disk,
    /// An S3-compatible bucket and key prefix.
    S3(S3Location),
}

/// The artifact store the server uses.
#[derive(Debug)]
pub enum Artifacts {
    Disk(DiskArtifacts),
    S3(S3Artifacts),
}

/// How an upload ended.
#[derive(Debug)]
pub enum PutOutcome {
    Stored {
        bytes: u64,
    },
    /// Another upload of the same hash is already stored.
    Exists,
}

/// Why an upload failed; nothing is visible after any of them.
#[derive(Debug, thiserror::Error)]
pub enum PutError {
    #[error("the artifact is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the upload stopped: {0}")]
    Body(String),
    #[error("the upload stalled for more than {0:?}")]
    Stalled(Duration),
    #[error("the artifact could not be written: {0}")]
    Io(#[from] io::Error),
    #[error("the object store failed: {0}")]
    ObjectStore(#[from] object_store::Error),
}

/// Why the storage could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the artifacts folder could not be read: {0}")]
    Io(#[from] io::Error),
    #[error("the object store failed: {0}")]
    ObjectStore(#[from] object_store::Error),
}

/// An open artifact to stream back.
pub struct Found {
    pub length: u64,
    pub body: Body,
}

/// An upload received in full, not yet visible.
pub enum Staged<'a> {
    Disk {
        staged: disk::Staged<'a>,
        hash: String,
    },
    S3(s3::Staged<'a>),
}

impl Artifacts {
    /// The local tree at `<data_dir>/artifacts` (see [`DiskArtifacts::open`]).
    pub fn open_disk(data_dir: &Path) -> io::Result<Self> {
        DiskArtifacts::open(data_dir).map(Self::Disk)
    }

    /// Whether the storage is reachable (for `/readyz`).
    pub async fn check(&self) -> Result<(), ReadError> {
        match self {
            Self::Disk(disk) => Ok(disk.check().await?),
            Self::S3(s3) => Ok(s3.check().await?),
        }
    }

    /// Free bytes on the artifacts' file system; `None` for an object store
    /// (its space is not this machine's disk).
    pub fn free_bytes(&self) -> Option<io::Result<u64>> {
        match self {
            Self::Disk(disk) => Some(disk.free_bytes()),
            Self::S3(_) => None,
        }
    }

    /// Bytes `workspace` holds.
    pub fn usage(&self, workspace: &str) -> u64 {
        match self {
            Self::Disk(disk) => disk.usage(workspace),
            Self::S3(s3) => s3.usage(workspace),
        }
    }

    /// Whether an artifact exists (false when the storage cannot say).
    pub async fn exists(&self, workspace: &str, hash: &str) -> bool {
        match self {
            Self::Disk(disk) => disk.exists(workspace, hash).await,
            Self::S3(s3) => s3.exists(workspace, hash).await,
        }
    }

    /// Opens an artifact for streaming, `None` when there is none.
    pub async fn get(&self, workspace: &str, hash: &str) -> Result<Option<Found>, ReadError> {
        match self {
            Self::Disk(disk) => Ok(disk.get(workspace, hash).await?),
            Self::S3(s3) => Ok(s3.get(workspace, hash).await?),
        }
    }

    /// Receives `body` in full as the upload of `hash`; nothing is visible
    /// until [`Staged::commit`].
    pub async fn stage<S, E>(
        &self,
        workspace: &str,
        hash: &str,
        body: S,
        limit: u64,
        idle: Duration,
    ) -> Result<Staged<'_>, PutError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        match self {
            Self::Disk(disk) => Ok(Staged::Disk {
                staged: disk.stage(workspace, body, limit, idle).await?,
                hash: hash.to_owned(),
            }),
            Self::S3(s3) => Ok(Staged::S3(
                s3.stage(workspace, hash, body, limit, idle).await?,
            )),
        }
    }
}

impl Staged<'_> {
    /// The bytes received.
    pub fn bytes(&self) -> u64 {
        match self {
            Self::Disk { staged, .. } => staged.bytes,
            Self::S3(staged) => staged.bytes(),
        }
    }

    /// Makes the upload visible, unless an artifact of its hash exists.
    pub async fn commit(self) -> Result<PutOutcome, PutError> {
        match self {
            Self::Disk { staged, hash } => staged.commit(&hash).await,
            Self::S3(staged) => staged.commit().await,
        }
    }
}

/// The next chunk of an upload's body, counted into `bytes`: `None` at its
/// end. The rules every store applies while it reads an upload: a body
/// silent for `idle` is [`PutError::Stalled`], a body error
/// [`PutError::Body`], more than `limit` bytes in all
/// [`PutError::TooLarge`].
pub(crate) async fn next_chunk<S, E>(
    body: &mut S,
    bytes: &mut u64,
    limit: u64,
    idle: Duration,
) -> Result<Option<Bytes>, PutError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let chunk = match tokio::time::timeout(idle, body.next()).await {
        Err(_) => return Err(PutError::Stalled(idle)),
        Ok(None) => return Ok(None),
        Ok(Some(Err(error))) => return Err(PutError::Body(error.to_string())),
        Ok(Some(Ok(chunk))) => chunk,
    };
    *bytes = bytes.saturating_add(chunk.len() as u64);
    if *bytes > limit {
        return Err(PutError::TooLarge { limit });
    }
    Ok(Some(chunk))
}
