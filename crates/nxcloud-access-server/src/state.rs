//! The authoritative access state in memory, kept in step with SQLite.
//!
//! Decisions read an `Arc` of the current state (no lock held while the
//! engine decides). The guarantee: **whatever happens to the stored state
//! (a command of another process, a restored backup, a rolled-back or
//! replaced file), the next decision is taken from what is stored now; when
//! that cannot be read, the server refuses to decide** ([`AccessState::fresh`]
//! fails and the cache answers 503) and never falls back on its memory.
//!
//! Before each decision, [`AccessState::fresh`] checks, in a few microseconds:
//!
//! 1. the database file's identity on disk (device, inode, size, modification
//!    time) and the `-wal` file's (device, inode). A file copied over the
//!    database, moved into its place or deleted changes them; SQLite cannot
//!    see such a change through a connection it already holds (its page
//!    cache trusts the WAL index), so the watch connection is reopened;
//! 2. SQLite's `PRAGMA data_version`, which moves when another connection
//!    commits.
//!
//! When either moved, the stored state's identity (revision and the random
//! stamp of its commit, `store.rs`) is read and compared for **equality**
//! with the one in memory: any difference, older or newer, reloads. A
//! database file that is gone or unreadable is an error, never "nothing
//! changed".
//!
//! So a token revoked with the `admin` CLI while the server runs is refused
//! from the very next request (REV-2), exactly as one revoked through the
//! HTTP admin API, also after the file was restored from a backup.
//!
//! **Two copies, no snapshot per command.** The readers' copy is behind a
//! `RwLock` (a decision holds the read lock for its microseconds); the
//! writer keeps its own copy, applies each command to it and appends the
//! change to the log (`store.rs`), then applies the same change to the
//! readers' copy under the write lock. Neither step grows with the state;
//! catching up with another process replays only what is new. A
//! checkpoint is rewritten every [`store::CHECKPOINT_EVERY`] changes.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value;
use tracing::warn;

use nxcloud_access::access::Method;

use crate::store::{
    self, Applied, ApplyError, Change, Loaded, Open, Store, StoreError, DATABASE_FILE,
};

/// The in-memory state and its two database connections.
pub struct AccessState {
    data_dir: PathBuf,
    /// The readers' copy.
    current: RwLock<Loaded>,
    /// Checks the files and `data_version`, and catches the readers' copy up.
    watch: Mutex<Watch>,
    /// Applies commands (one at a time; SQLite serializes with other
    /// processes), on its own copy.
    writer: Mutex<Writer>,
}

struct Watch {
    store: Store,
    /// The `data_version` last seen; `None` forces a look at the identity.
    data_version: Option<i64>,
    files: FileMarks,
}

struct Writer {
    store: Store,
    files: FileMarks,
    held: Loaded,
}

/// What identifies the database files on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileMarks {
    database: (u64, u64, u64, i64, i64),
    wal: Option<(u64, u64)>,
}

impl FileMarks {
    fn read(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join(DATABASE_FILE);
        let meta = std::fs::metadata(&path).map_err(|source| StoreError::File {
            path: path.display().to_string(),
            source,
        })?;
        let wal = std::fs::metadata(data_dir.join(format!("{DATABASE_FILE}-wal")))
            .ok()
            .map(|wal| (wal.dev(), wal.ino()));
        Ok(Self {
            database: (
                meta.dev(),
                meta.ino(),
                meta.len(),
                meta.mtime(),
                meta.mtime_nsec(),
            ),
            wal,
        })
    }
}

/// Replaced, restored or rewritten under SQLite (the files' identity moved):
/// a new connection reads the file as it is now. Whether it reopened.
fn reopen_if_replaced(
    data_dir: &Path,
    store: &mut Store,
    files: &mut FileMarks,
) -> Result<bool, StoreError> {
    let now = FileMarks::read(data_dir)?;
    if now == *files {
        return Ok(false);
    }
    *store = Store::open(data_dir, Open::Existing)?;
    *files = now;
    Ok(true)
}

impl AccessState {
    /// Opens the state of `data_dir` (see [`Open`]), and rewrites its
    /// checkpoint when changes follow it.
    pub fn open(data_dir: &Path, mode: Open) -> Result<Self, StoreError> {
        let mut writer = Store::open(data_dir, mode)?;
        let store = Store::open(data_dir, Open::Existing)?;
        let loaded = writer.load()?;
        if writer.changes_since_checkpoint()? > 0 {
            writer.checkpoint(&loaded)?;
        }
        let data_version = store.data_version()?;
        let files = FileMarks::read(data_dir)?;
        Ok(Self {
            data_dir: data_dir.to_owned(),
            current: RwLock::new(loaded.clone()),
            watch: Mutex::new(Watch {
                store,
                data_version: Some(data_version),
                files: files.clone(),
            }),
            writer: Mutex::new(Writer {
                store: writer,
                files,
                held: loaded,
            }),
        })
    }

    /// Runs `read` on the current state as stored now (see the module docs);
    /// an error when that cannot be established. `read` runs under the
    /// readers' lock: decide in it, and apply no command from it.
    pub fn fresh<R>(&self, read: impl FnOnce(&Loaded) -> R) -> Result<R, StoreError> {
        let mut guard = self.watch.lock().map_err(|_| poisoned())?;
        let watch = &mut *guard;
        if reopen_if_replaced(&self.data_dir, &mut watch.store, &mut watch.files)? {
            watch.data_version = None;
        }
        let version = watch.store.data_version()?;
        if watch.data_version != Some(version) {
            let stored = watch.store.identity()?;
            if self.read().identity() != stored {
                watch.store.catch_up(&mut self.write())?;
            }
            watch.data_version = Some(version);
        }
        drop(guard);
        Ok(read(&self.read()))
    }

    /// Applies one command (blocking: call from `spawn_blocking`).
    ///
    /// When the disk is full and the command takes rights away, the space
    /// reserve is released and the command tried once more, so revocations
    /// hold on a full disk (`store.rs`).
    pub fn apply(
        &self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
    ) -> Result<Value, ApplyError> {
        self.apply_within(method, argument, actor, None)
    }

    /// [`Self::apply`], refused with [`ApplyError::Limited`] when `actor`
    /// already ran this command as often as `limit` allows; counted from the
    /// command log under the writer's lock, so concurrent requests cannot
    /// both slip under it.
    pub fn apply_within(
        &self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
        limit: Option<&CommandLimit>,
    ) -> Result<Value, ApplyError> {
        let mut guard = self.writer.lock().map_err(|_| poisoned())?;
        let writer = &mut *guard;
        if let (Some(limit), Some(actor)) = (limit, actor) {
            let (all, recent) =
                writer
                    .store
                    .count_commands(actor, method.kebab_name(), limit.window)?;
            if all >= limit.total {
                return Err(ApplyError::Limited(format!(
                    "`{}` may be run at most {} times per person on this server, and you have reached that: ask the operator (`nxcloud-access admin`)",
                    method.kebab_name(),
                    limit.total
                )));
            }
            if recent >= limit.per_window {
                return Err(ApplyError::Limited(format!(
                    "`{}` may be run at most {} times per person every {} seconds: try again later",
                    method.kebab_name(),
                    limit.per_window,
                    limit.window.as_secs()
                )));
            }
        }
        reopen_if_replaced(&self.data_dir, &mut writer.store, &mut writer.files)?;
        let applied = writer
            .store
            .apply_using_reserve(method, argument, actor, &mut writer.held);
        let Applied { result, change } = applied?;
        if let Some(change) = change {
            // Under the watch lock, and the next `fresh` looks at the stored
            // identity again: a commit of another process that landed
            // between ours and this update is never hidden by it.
            let mut watch = self.watch.lock().map_err(|_| poisoned())?;
            self.follow(&change, &writer.store, &writer.held);
            watch.data_version = None;
            drop(watch);
            if change.after.revision % store::CHECKPOINT_EVERY == 0 {
                if let Err(error) = writer.store.checkpoint(&writer.held) {
                    warn!(%error, "rewriting the checkpoint failed; the change log keeps growing until the next one");
                }
            }
        }
        Ok(result)
    }

    /// Brings the readers' copy along with a change the writer committed:
    /// the change alone when the copy is the state it was applied to; else
    /// the log's changes it has not seen (another process's commands); the
    /// writer's whole copy only when neither fits.
    fn follow(&self, change: &Change, store: &Store, writer: &Loaded) {
        let mut current = self.write();
        if current.identity() == change.before
            && current
                .engine
                .replay(change.method, change.argument.clone(), &change.drawn)
                .is_ok()
        {
            current.revision = change.after.revision;
            current.stamp.clone_from(&change.after.stamp);
            return;
        }
        if store.catch_up(&mut current).is_err() || current.identity() != writer.identity() {
            *current = writer.clone();
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Loaded> {
        match self.current.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn write(&self) -> RwLockWriteGuard<'_, Loaded> {
        match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// How often one person may run a command (see [`AccessState::apply_within`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandLimit {
    /// In all.
    pub total: u64,
    /// Within `window`.
    pub per_window: u64,
    pub window: std::time::Duration,
}

fn poisoned() -> StoreError {
    StoreError::Sqlite(rusqlite::Error::InvalidParameterName(
        "a thread panicked while holding the state lock".into(),
    ))
}
