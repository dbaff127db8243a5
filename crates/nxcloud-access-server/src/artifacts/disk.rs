//! Artifacts on the local file system (the default):
//! `<data>/artifacts/<nxCloudId>/<hash>`.
//!
//! An upload streams into a temporary file of the same folder (a name that
//! starts with `.tmp-`, which no hash can have), is flushed to disk
//! ([`DiskArtifacts::stage`]), and only then, after the caller decided the
//! request once more, hard-linked to its final name ([`Staged::commit`]).
//! Linking fails when the name exists, so of several concurrent uploads of
//! one hash exactly one wins (the others get 409) and an artifact, once
//! visible, is complete and never replaced. A dropped upload (client gone,
//! size limit, timeout, refusal) removes its temporary file.
//!
//! Every temporary file is locked (`flock`) by the process writing it for as
//! long as it exists. The start-up clean-up removes only temporary files it
//! can lock, that is files no live process is writing: it never touches
//! another live server's uploads.
//!
//! Folders are created with mode 0700 and files with 0600: other accounts on
//! the machine read nothing.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};

use super::{Found, PutError, PutOutcome};
use futures_util::Stream;
use tokio::io::AsyncWriteExt;

/// The artifact tree under the data directory.
#[derive(Debug)]
pub struct DiskArtifacts {
    root: PathBuf,
    next_temp: AtomicU64,
    /// Bytes held per workspace (measured at start, then counted).
    usage: Mutex<HashMap<String, u64>>,
}

/// An upload received in full and flushed, not yet visible.
pub struct Staged<'a> {
    artifacts: &'a DiskArtifacts,
    temp: TempFile,
    /// Kept open, and so locked, until the upload is committed or dropped.
    _file: tokio::fs::File,
    folder: PathBuf,
    workspace: String,
    pub bytes: u64,
}

impl DiskArtifacts {
    /// The tree at `<data_dir>/artifacts`, created when missing (owner-only);
    /// removes the temporary files no live process holds, and measures what
    /// each workspace holds.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let root = data_dir.join("artifacts");
        if !root.is_dir() {
            crate::create_private_dir(&root)?;
        }
        let usage = scan(&root)?;
        Ok(Self {
            root,
            next_temp: AtomicU64::new(0),
            usage: Mutex::new(usage),
        })
    }

    /// Whether the storage is there (for `/readyz`).
    pub async fn check(&self) -> io::Result<()> {
        let meta = tokio::fs::metadata(&self.root).await?;
        if meta.is_dir() {
            Ok(())
        } else {
            Err(io::Error::other("the artifacts folder is not a folder"))
        }
    }

    /// Free bytes for this process on the artifacts' file system.
    pub fn free_bytes(&self) -> io::Result<u64> {
        let stat = rustix::fs::statvfs(&self.root).map_err(io::Error::from)?;
        let free = stat.f_bavail.saturating_mul(stat.f_frsize);
        crate::metrics::DISK_FREE.set(free);
        Ok(free)
    }

    /// Bytes `workspace` holds.
    pub fn usage(&self, workspace: &str) -> u64 {
        match self.usage.lock() {
            Ok(usage) => usage.get(workspace).copied().unwrap_or(0),
            Err(poisoned) => poisoned.into_inner().get(workspace).copied().unwrap_or(0),
        }
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

    /// Streams `body` into a temporary file of `workspace` and flushes it to
    /// disk. Nothing is visible until [`Staged::commit`].
    pub async fn stage<S, E>(
        &self,
        workspace: &str,
        mut body: S,
        limit: u64,
        idle: Duration,
    ) -> Result<Staged<'_>, PutError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let folder = self.root.join(workspace);
        if !tokio::fs::try_exists(&folder).await.unwrap_or(false) {
            let create = folder.clone();
            tokio::task::spawn_blocking(move || crate::create_private_dir(&create))
                .await
                .map_err(io::Error::other)??;
        }
        let path = folder.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            self.next_temp.fetch_add(1, Ordering::Relaxed)
        ));
        let open = path.clone();
        let std_file = tokio::task::spawn_blocking(move || -> io::Result<std::fs::File> {
            let file = crate::store::owner_only_options()
                .truncate(true)
                .open(&open)?;
            // Held until the file is closed: the clean-up of another process
            // leaves it alone.
            file.try_lock().map_err(|error| match error {
                std::fs::TryLockError::Error(error) => error,
                std::fs::TryLockError::WouldBlock => {
                    io::Error::other("a new temporary file is locked by someone else")
                }
            })?;
            Ok(file)
        })
        .await
        .map_err(io::Error::other)??;
        let temp = TempFile { path };
        let mut file = tokio::fs::File::from_std(std_file);
        let mut bytes: u64 = 0;
        while let Some(chunk) = super::next_chunk(&mut body, &mut bytes, limit, idle).await? {
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        Ok(Staged {
            artifacts: self,
            temp,
            _file: file,
            folder,
            workspace: workspace.to_owned(),
            bytes,
        })
    }

    fn path(&self, workspace: &str, hash: &str) -> PathBuf {
        self.root.join(workspace).join(hash)
    }

    fn add_usage(&self, workspace: &str, bytes: u64) {
        let mut usage = match self.usage.lock() {
            Ok(usage) => usage,
            Err(poisoned) => poisoned.into_inner(),
        };
        let held = usage.entry(workspace.to_owned()).or_insert(0);
        *held = held.saturating_add(bytes);
    }
}

impl Staged<'_> {
    /// Makes the upload visible as `hash`, unless an artifact of that name
    /// already exists. The temporary name goes in every case.
    pub async fn commit(self, hash: &str) -> Result<PutOutcome, PutError> {
        let target = self.folder.join(hash);
        let from = self.temp.path.clone();
        let linked = tokio::task::spawn_blocking(move || std::fs::hard_link(from, target))
            .await
            .map_err(io::Error::other)?;
        match linked {
            Ok(()) => {
                sync_folder(&self.folder).await;
                self.artifacts.add_usage(&self.workspace, self.bytes);
                Ok(PutOutcome::Stored { bytes: self.bytes })
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(PutOutcome::Exists),
            Err(error) => Err(error.into()),
        }
        // `self.temp` drops here: the temporary name goes, the artifact stays.
    }
}

/// A temporary file removed when dropped (success, error or cancellation).
struct TempFile {
    path: PathBuf,
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

/// Removes the temporary files no live process holds a lock on, and sums
/// the artifacts' sizes per workspace.
fn scan(root: &Path) -> io::Result<HashMap<String, u64>> {
    let mut usage = HashMap::new();
    for workspace in std::fs::read_dir(root)? {
        let workspace = workspace?;
        if !workspace.file_type()?.is_dir() {
            continue;
        }
        let mut held: u64 = 0;
        for entry in std::fs::read_dir(workspace.path())? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                remove_if_abandoned(&entry.path())?;
            } else if let Ok(meta) = entry.metadata() {
                held = held.saturating_add(meta.len());
            }
        }
        usage.insert(workspace.file_name().to_string_lossy().into_owned(), held);
    }
    Ok(usage)
}

/// Removes a temporary file unless a live process holds its lock.
pub fn remove_if_abandoned(path: &Path) -> io::Result<bool> {
    let file = match std::fs::OpenOptions::new().read(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    };
    match file.try_lock() {
        Ok(()) => {
            std::fs::remove_file(path)?;
            Ok(true)
        }
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(error)) => Err(error),
    }
}
