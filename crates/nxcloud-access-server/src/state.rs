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

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;
use tracing::warn;

use nxcloud_access::access::Method;

use crate::store::{self, Applied, ApplyError, Loaded, Open, Store, StoreError, DATABASE_FILE};

/// The in-memory state and its two database connections.
pub struct AccessState {
    data_dir: PathBuf,
    current: RwLock<Arc<Loaded>>,
    /// Checks the files and `data_version`, and reloads.
    watch: Mutex<Watch>,
    /// Applies commands (one at a time; SQLite serializes with other processes).
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

impl AccessState {
    /// Opens the state of `data_dir` (see [`Open`]).
    pub fn open(data_dir: &Path, mode: Open) -> Result<Self, StoreError> {
        let writer = Store::open(data_dir, mode)?;
        let store = Store::open(data_dir, Open::Existing)?;
        let data_version = store.data_version()?;
        let loaded = store.load()?;
        let files = FileMarks::read(data_dir)?;
        Ok(Self {
            data_dir: data_dir.to_owned(),
            current: RwLock::new(Arc::new(loaded)),
            watch: Mutex::new(Watch {
                store,
                data_version: Some(data_version),
                files: files.clone(),
            }),
            writer: Mutex::new(Writer {
                store: writer,
                files,
            }),
        })
    }

    /// The current state as stored now (see the module docs); an error when
    /// that cannot be established.
    pub fn fresh(&self) -> Result<Arc<Loaded>, StoreError> {
        let mut watch = self.watch.lock().map_err(|_| poisoned())?;
        let files = FileMarks::read(&self.data_dir)?;
        if files != watch.files {
            // Replaced, restored or rewritten under SQLite: a new connection
            // reads the file as it is now.
            watch.store = Store::open(&self.data_dir, Open::Existing)?;
            watch.data_version = None;
            watch.files = files;
        }
        let version = watch.store.data_version()?;
        if watch.data_version != Some(version) {
            let stored = watch.store.identity()?;
            if self.snapshot().identity() != stored {
                let loaded = watch.store.load()?;
                self.install(loaded);
            }
            watch.data_version = Some(version);
        }
        Ok(self.snapshot())
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
    /// already ran this command `limit` allows; counted from the command log
    /// under the writer's lock, so concurrent requests cannot both slip
    /// under it.
    pub fn apply_within(
        &self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
        limit: Option<&CommandLimit>,
    ) -> Result<Value, ApplyError> {
        let mut writer = self.writer.lock().map_err(|_| poisoned())?;
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
        let files = FileMarks::read(&self.data_dir)?;
        if files != writer.files {
            writer.store = Store::open(&self.data_dir, Open::Existing)?;
            writer.files = files;
        }
        let held = self.snapshot();
        let mut applied = writer
            .store
            .apply(method, argument.clone(), actor, Some(&held));
        if let Err(ApplyError::Store(error)) = &applied {
            if error.is_disk_full() && store::takes_rights_away(method) {
                let released = store::release_reserve(&self.data_dir);
                warn!(
                    command = method.kebab_name(),
                    released,
                    "the disk is full: released the space reserve so that this command, which takes rights away, still commits; free disk space now"
                );
                crate::metrics::RESERVE_RELEASED.inc();
                applied = writer.store.apply(method, argument, actor, Some(&held));
            }
        }
        let Applied {
            result,
            state,
            changed,
        } = applied?;
        if changed {
            // Installed under the watch lock, and the next `fresh` looks at
            // the stored identity again: a commit of another process that
            // landed between ours and this install is never hidden by it.
            let mut watch = self.watch.lock().map_err(|_| poisoned())?;
            self.install(state);
            watch.data_version = None;
        }
        Ok(result)
    }

    fn snapshot(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn install(&self, loaded: Loaded) {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(loaded);
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
