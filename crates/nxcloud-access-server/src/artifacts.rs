//! Artifacts on the local file system: `<data>/artifacts/<nxCloudId>/<hash>`.
//!
//! An upload streams into a temporary file of the same folder (a name that
//! starts with `.tmp-`, which no hash can have), is flushed to disk, and is
//! then hard-linked to its final name. Linking fails when the name exists, so
//! of several concurrent uploads of one hash exactly one wins (the others get
//! 409) and an artifact, once visible, is complete and never replaced. A
//! dropped upload (client gone, size limit, timeout) removes its temporary
//! file; temporary files of a killed server are removed at the next start.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

/// The artifact tree under the data directory.
#[derive(Debug)]
pub struct Artifacts {
    root: PathBuf,
    next_temp: AtomicU64,
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
}

/// An open artifact to stream back.
pub struct Found {
    pub length: u64,
    pub body: Body,
}

impl Artifacts {
    /// The tree at `<data_dir>/artifacts`, created when missing; removes the
    /// temporary files a killed server left behind.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let root = data_dir.join("artifacts");
        std::fs::create_dir_all(&root)?;
        remove_stale_temporaries(&root)?;
        Ok(Self {
            root,
            next_temp: AtomicU64::new(0),
        })
    }

    /// Whether an artifact exists.
    pub async fn exists(&self, workspace: &str, hash: &str) -> bool {
        tokio::fs::try_exists(self.path(workspace, hash))
            .await
            .unwrap_or(false)
    }

    /// Opens an artifact for streaming, `None` when there is none.
    pub async fn get(&self, workspace: &str, hash: &str) -> io::Result<Option<Found>> {
        let file = match tokio::fs::File::open(self.path(workspace, hash)).await {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let length = file.metadata().await?.len();
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
        Ok(Some(Found {
            length,
            body: Body::from_stream(stream),
        }))
    }

    /// Streams `body` into the artifact `hash` of `workspace`.
    pub async fn put<S, E>(
        &self,
        workspace: &str,
        hash: &str,
        mut body: S,
        limit: u64,
        idle: Duration,
    ) -> Result<PutOutcome, PutError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let folder = self.root.join(workspace);
        tokio::fs::create_dir_all(&folder).await?;
        let temp = TempFile::new(folder.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            self.next_temp.fetch_add(1, Ordering::Relaxed)
        )));
        let mut file = tokio::fs::File::create(temp.path()).await?;
        let mut bytes: u64 = 0;
        loop {
            let chunk = match tokio::time::timeout(idle, body.next()).await {
                Err(_) => return Err(PutError::Stalled(idle)),
                Ok(None) => break,
                Ok(Some(Err(error))) => return Err(PutError::Body(error.to_string())),
                Ok(Some(Ok(chunk))) => chunk,
            };
            bytes = bytes.saturating_add(chunk.len() as u64);
            if bytes > limit {
                return Err(PutError::TooLarge { limit });
            }
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let target = folder.join(hash);
        let from = temp.path().to_owned();
        let linked = tokio::task::spawn_blocking(move || std::fs::hard_link(from, target))
            .await
            .map_err(io::Error::other)?;
        match linked {
            Ok(()) => {
                sync_folder(&folder).await;
                Ok(PutOutcome::Stored { bytes })
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(PutOutcome::Exists),
            Err(error) => Err(error.into()),
        }
        // `temp` drops here: the temporary name goes, the artifact stays.
    }

    fn path(&self, workspace: &str, hash: &str) -> PathBuf {
        self.root.join(workspace).join(hash)
    }
}

/// A temporary file removed when dropped (success, error or cancellation).
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    fn new(path: PathBuf) -> Self {
        Self { path }
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn sync_folder(folder: &Path) {
    // Makes the new name durable; best effort (some file systems refuse).
    if let Ok(dir) = tokio::fs::File::open(folder).await {
        let _ = dir.sync_all().await;
    }
}

fn remove_stale_temporaries(root: &Path) -> io::Result<()> {
    for workspace in std::fs::read_dir(root)? {
        let workspace = workspace?;
        if !workspace.file_type()?.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(workspace.path())? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    Ok(())
}
