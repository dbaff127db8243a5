//! The access state in SQLite: a checkpoint (the engine's versioned
//! snapshot, token hashes only, never a secret) and the log of the changes
//! committed after it, each with its revision and identity stamp.
//!
//! Why a snapshot and a log and not tables: the engine owns every rule and
//! its own snapshot format (`AccessControl::to_json`/`from_json`), so the
//! server stores exactly what the engine restores and never re-implements
//! its model. A change is a command, its argument and what it drew at
//! random (`AccessControl::call_recorded`, never a secret), which the engine
//! applies again to the same effect (`AccessControl::replay`).
//!
//! **A command's cost does not grow with the state.** Every command runs
//! inside one `BEGIN IMMEDIATE` transaction on the writer's own copy of the
//! state: check that the stored head is the state it holds (two index
//! lookups), apply the command, append one change row, commit. A refused
//! command rolls back and changes nothing; a process killed at any point
//! leaves either the old or the new state (SQLite's journal), never a mix.
//! Another copy of the state (the server's readers, another process)
//! catches up by replaying only the changes it has not seen. The checkpoint
//! is rewritten, and the changes before it dropped, at start-up and after
//! every [`CHECKPOINT_EVERY`] changes: that one command pays for the
//! snapshot.
//!
//! **Identity, not order.** A revision number says how many commands a state
//! has seen, not which state it is: a restored backup, a rolled-back file or
//! another server's database can carry any revision. Every change therefore
//! carries a fresh 128-bit random `stamp`, and a reader compares the stored
//! head's `(revision, stamp)` with the one it holds for equality, never for
//! order (see `state.rs`); it replays from the log only when the log holds
//! the exact change it stopped at, and reloads everything otherwise.
//!
//! **Initialised, explicitly.** A data directory holds a state only once it
//! was initialised (`serve --init`, or the operator's first `admin` command,
//! which is the documented bootstrap). [`Store::open`] with [`Open::Existing`]
//! refuses a missing, emptied or foreign database instead of starting with an
//! empty state, so a mistyped `--data` never serves a cache with no
//! workspaces.
//!
//! **Owner-only.** The database is created with mode 0600 (SQLite gives its
//! `-wal` and `-shm` files the database's mode).
//!
//! **A reserve for taking rights away.** `state.reserve` is a file of real
//! (non-sparse) blocks beside the database. When the disk is full, a command
//! that takes rights away (a revocation, a removal, a lowered level) deletes
//! it and tries again, so it still commits; the reserve is written again once
//! space is back ([`ensure_reserve`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use nxcloud_access::access::replay::Drawn;
use nxcloud_access::access::Method;
use nxcloud_access::{AccessControl, AccessError};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "state.sqlite3";

/// The space reserve beside the database (see the module docs).
pub const RESERVE_FILE: &str = "state.reserve";

/// The reserve's size: room for several snapshot rewrites of a large state.
pub const RESERVE_BYTES: u64 = 16 * 1024 * 1024;

/// `PRAGMA user_version` of the current schema. 1: the snapshot row and the
/// command log; 2: the identity stamp and the command log's actor index.
const SCHEMA_VERSION: i64 = 2;

/// Why the stored state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the access state database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the stored access state is unreadable: {0}")]
    Snapshot(AccessError),
    #[error("`{path}` holds no nxcloud-access state (a mistyped --data, or a directory never initialised or emptied): point --data at the server's data directory; to start a new one, run `nxcloud-access serve --init --data DIR` or the operator's first command, `nxcloud-access admin --data DIR create-user …`")]
    NotInitialised { path: String },
    #[error("`{path}` was written by a newer nxcloud-access (schema {found}, this one reads up to {SCHEMA_VERSION}): upgrade nxcloud-access")]
    NewerSchema { path: String, found: i64 },
    #[error("cannot use `{path}`: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl StoreError {
    /// Whether the error is SQLite's "database or disk is full".
    pub fn is_disk_full(&self) -> bool {
        matches!(self, Self::Sqlite(error) if error.sqlite_error_code() == Some(ErrorCode::DiskFull))
    }
}

/// Why a command did not apply.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The engine refused the command: nothing changed.
    #[error("{0}")]
    Refused(AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A limit of the server's (how often one person may run a command):
    /// nothing changed.
    #[error("{0}")]
    Limited(String),
}

/// How [`Store::open`] treats a data directory without a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// The state must exist: [`StoreError::NotInitialised`] otherwise.
    Existing,
    /// Initialise an empty state when there is none (`serve --init`, `admin`).
    CreateIfMissing,
}

/// Which committed state this is: the revision (how many commands changed
/// it) and the random stamp of its commit. Compared for equality only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub revision: i64,
    pub stamp: String,
}

/// A state as loaded: the engine and the identity it was stored under.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub revision: i64,
    pub stamp: String,
    pub engine: AccessControl,
}

impl Loaded {
    /// The identity of this state.
    pub fn identity(&self) -> Identity {
        Identity {
            revision: self.revision,
            stamp: self.stamp.clone(),
        }
    }
}

/// The result of one applied command.
#[derive(Debug)]
pub struct Applied {
    /// The command's JSON result (a created token's secret only here).
    pub result: Value,
    /// The committed change, `None` when the command changed nothing (lists,
    /// decisions).
    pub change: Option<Change>,
}

/// One committed change: enough to apply it again to the state before it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The identity of the state it was applied to.
    pub before: Identity,
    /// The identity of the state it made.
    pub after: Identity,
    pub method: Method,
    pub argument: Value,
    pub drawn: Vec<Drawn>,
}

/// After how many changes the checkpoint is rewritten.
pub const CHECKPOINT_EVERY: i64 = 1000;

/// One connection to the state database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database in `data_dir`; with [`Open::CreateIfMissing`] an
    /// uninitialised directory gets an empty state (revision 0), created
    /// owner-only.
    pub fn open(data_dir: &Path, mode: Open) -> Result<Self, StoreError> {
        let path = data_dir.join(DATABASE_FILE);
        let shown = path.display().to_string();
        let exists = path.is_file();
        if !exists && mode == Open::Existing {
            return Err(StoreError::NotInitialised { path: shown });
        }
        if !exists {
            create_owner_only(&path)?;
        }
        // Never let SQLite create the file itself (it would use the umask).
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let store = Self { conn, path };
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: shown,
                found: version,
            });
        }
        let initialised = store.is_initialised(version)?;
        if !initialised && mode == Open::Existing {
            return Err(StoreError::NotInitialised { path: shown });
        }
        if version < SCHEMA_VERSION || !initialised {
            store.migrate(version)?;
        }
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn table_exists(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
            .exists([name])?)
    }

    /// Whether the database holds a state (of this schema or an older one).
    fn is_initialised(&self, version: i64) -> Result<bool, StoreError> {
        let table = if version >= 2 {
            "checkpoint"
        } else {
            "access_state"
        };
        if !self.table_exists(table)? {
            return Ok(false);
        }
        Ok(self
            .conn
            .prepare(&format!("SELECT 1 FROM {table} WHERE id = 1"))?
            .exists([])?)
    }

    /// Brings the schema to [`SCHEMA_VERSION`] and writes the empty state's
    /// checkpoint when there is none, in one transaction. Schema 1 (the
    /// snapshot rewritten by every command, no identity) becomes a
    /// checkpoint with a stamp and an empty log.
    fn migrate(&self, from: i64) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS checkpoint (
                 id INTEGER PRIMARY KEY CHECK (id = 1),
                 revision INTEGER NOT NULL,
                 stamp TEXT NOT NULL,
                 snapshot TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS changes (
                 revision INTEGER PRIMARY KEY,
                 stamp TEXT NOT NULL,
                 command TEXT NOT NULL,
                 argument TEXT NOT NULL,
                 drawn TEXT NOT NULL
             );",
        )?;
        if from < 2 {
            let old_state = tx
                .prepare(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'access_state'",
                )?
                .exists([])?;
            if old_state {
                let row: Option<(i64, String)> = tx
                    .query_row(
                        "SELECT revision, snapshot FROM access_state WHERE id = 1",
                        [],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                if let Some((revision, snapshot)) = row {
                    tx.execute(
                        "INSERT INTO checkpoint (id, revision, stamp, snapshot) VALUES (1, ?1, ?2, ?3)
                         ON CONFLICT (id) DO NOTHING",
                        rusqlite::params![revision, new_stamp()?, snapshot],
                    )?;
                }
                tx.execute_batch("DROP TABLE access_state")?;
            }
            // The command log (who ran what, when) keeps every commit, also
            // after a restore brought the revision back: its key is its own
            // sequence, not the revision.
            let old_log = tx
                .prepare(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'command_log'",
                )?
                .exists([])?;
            tx.execute_batch(
                "CREATE TABLE command_log_v2 (
                     seq INTEGER PRIMARY KEY AUTOINCREMENT,
                     revision INTEGER NOT NULL,
                     command TEXT NOT NULL,
                     actor TEXT,
                     at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                 );",
            )?;
            if old_log {
                tx.execute_batch(
                    "INSERT INTO command_log_v2 (revision, command, actor, at)
                         SELECT revision, command, actor, at FROM command_log ORDER BY revision;
                     DROP TABLE command_log;",
                )?;
            }
            tx.execute_batch(
                "ALTER TABLE command_log_v2 RENAME TO command_log;
                 CREATE INDEX command_log_by_actor ON command_log (actor, command, at);",
            )?;
        }
        let empty = AccessControl::new()
            .to_json()
            .map_err(StoreError::Snapshot)?;
        tx.execute(
            "INSERT INTO checkpoint (id, revision, stamp, snapshot) VALUES (1, 0, ?1, ?2)
             ON CONFLICT (id) DO NOTHING",
            rusqlite::params![new_stamp()?, empty],
        )?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    /// The stored revision.
    pub fn revision(&self) -> Result<i64, StoreError> {
        Ok(self.identity()?.revision)
    }

    /// The stored state's identity (its head: the last change, or the
    /// checkpoint when no change follows it).
    pub fn identity(&self) -> Result<Identity, StoreError> {
        head_of(&self.conn, &self.path)
    }

    /// SQLite's `data_version`: changes when another connection commits.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// Loads the stored state: the checkpoint, and every change after it
    /// replayed.
    pub fn load(&self) -> Result<Loaded, StoreError> {
        load_from(&self.conn, &self.path)
    }

    /// Brings `held` to the stored state: replays only the changes after it
    /// when the log holds the change `held` stopped at (same revision and
    /// stamp), loads everything otherwise (a restore, a rollback, another
    /// file). Returns whether anything changed.
    pub fn catch_up(&self, held: &mut Loaded) -> Result<bool, StoreError> {
        catch_up_with(&self.conn, &self.path, held)
    }

    /// How many times `actor` ran `command` (kebab-case) in all, and since
    /// `window` ago, from the command log (an index lookup, not a scan).
    pub fn count_commands(
        &self,
        actor: &str,
        command: &str,
        window: Duration,
    ) -> Result<(u64, u64), StoreError> {
        let seconds = i64::try_from(window.as_secs()).unwrap_or(i64::MAX);
        let (all, recent): (i64, i64) = self.conn.query_row(
            "SELECT count(*),
                    coalesce(sum(at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d seconds', ?3))), 0)
               FROM command_log WHERE actor = ?1 AND command = ?2",
            rusqlite::params![actor, command, seconds],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok((
            u64::try_from(all).unwrap_or(0),
            u64::try_from(recent).unwrap_or(0),
        ))
    }

    /// Applies one command in one transaction to `held`, the caller's copy
    /// of the state (brought up to date first), and appends it to the log.
    /// `actor` is only recorded in the command log (who did it; never an
    /// argument, never a secret).
    ///
    /// A refused command changes neither `held` nor the store. When the
    /// commit itself fails, `held` is marked stale (the next call reloads).
    pub fn apply(
        &mut self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
        held: &mut Loaded,
    ) -> Result<Applied, ApplyError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        catch_up_with(&tx, &self.path, held)?;
        // All or nothing (engine): a refused command changed nothing, and
        // dropping `tx` rolls back.
        let (result, drawn) = held
            .engine
            .call_recorded(method, argument.clone())
            .map_err(ApplyError::Refused)?;
        if !method.changes_state() {
            return Ok(Applied {
                result,
                change: None,
            });
        }
        let before = held.identity();
        let after = Identity {
            revision: before.revision + 1,
            stamp: new_stamp()?,
        };
        // From here `held` is ahead of the store until the commit: any
        // failure marks it stale.
        let committed = (|| -> Result<(), StoreError> {
            let drawn_json = serde_json::to_string(&drawn).map_err(|error| {
                StoreError::Snapshot(AccessError::Internal(format!(
                    "a change did not serialise: {error}"
                )))
            })?;
            tx.execute(
                "INSERT INTO changes (revision, stamp, command, argument, drawn)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    after.revision,
                    after.stamp,
                    method.kebab_name(),
                    argument.to_string(),
                    drawn_json
                ],
            )?;
            tx.execute(
                "INSERT INTO command_log (revision, command, actor) VALUES (?1, ?2, ?3)",
                rusqlite::params![after.revision, method.kebab_name(), actor],
            )?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(error) = committed {
            held.revision = -1;
            held.stamp.clear();
            return Err(error.into());
        }
        held.revision = after.revision;
        held.stamp.clone_from(&after.stamp);
        Ok(Applied {
            result,
            change: Some(Change {
                before,
                after,
                method,
                argument,
                drawn,
            }),
        })
    }

    /// [`Self::apply`]; when the disk is full and the command takes rights
    /// away, the space reserve beside the database is released and the
    /// command tried once more, so revocations hold on a full disk.
    pub fn apply_using_reserve(
        &mut self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
        held: &mut Loaded,
    ) -> Result<Applied, ApplyError> {
        let applied = self.apply(method, argument.clone(), actor, held);
        match &applied {
            Err(ApplyError::Store(error)) if error.is_disk_full() && takes_rights_away(method) => {
                let released = self.path.parent().is_some_and(release_reserve);
                tracing::warn!(
                    command = method.kebab_name(),
                    released,
                    "the disk is full: released the space reserve so that this command, which takes rights away, still commits; free disk space now"
                );
                crate::metrics::RESERVE_RELEASED.inc();
                self.apply(method, argument, actor, held)
            }
            _ => applied,
        }
    }

    /// How many changes follow the checkpoint.
    pub fn changes_since_checkpoint(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM changes WHERE revision > (SELECT revision FROM checkpoint WHERE id = 1)",
            [],
            |row| row.get(0),
        )?)
    }

    /// Rewrites the checkpoint as `held` (which must be the stored head) and
    /// drops the changes it covers. The state's identity does not change.
    pub fn checkpoint(&mut self, held: &Loaded) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if head_of(&tx, &self.path)? != held.identity() {
            // Someone else committed meanwhile: the next checkpoint will do.
            return Ok(());
        }
        let snapshot = held.engine.to_json().map_err(StoreError::Snapshot)?;
        tx.execute(
            "UPDATE checkpoint SET revision = ?1, stamp = ?2, snapshot = ?3 WHERE id = 1",
            rusqlite::params![held.revision, held.stamp, snapshot],
        )?;
        tx.execute("DELETE FROM changes WHERE revision <= ?1", [held.revision])?;
        tx.commit()?;
        Ok(())
    }
}

/// Whether a command takes rights away: these may use the space reserve.
pub fn takes_rights_away(method: Method) -> bool {
    matches!(
        method,
        Method::RevokeCiAccessToken
            | Method::RevokePersonalAccessToken
            | Method::RemoveMember
            | Method::SetRole
            | Method::SetVisibility
            | Method::SetWorkspaceIdAccess
            | Method::SetPersonalAccessTokenAccess
    )
}

/// Writes the space reserve when it is missing or short (real blocks, not a
/// sparse file). Fails, changing nothing that matters, when the disk has no
/// room for it.
pub fn ensure_reserve(data_dir: &Path) -> std::io::Result<()> {
    let path = data_dir.join(RESERVE_FILE);
    if std::fs::metadata(&path).is_ok_and(|meta| meta.len() >= RESERVE_BYTES) {
        return Ok(());
    }
    let partial = data_dir.join(format!("{RESERVE_FILE}.new"));
    let written = (|| {
        let mut file = owner_only_options().truncate(true).open(&partial)?;
        let block = vec![0u8; 1024 * 1024];
        let mut left = RESERVE_BYTES;
        while left > 0 {
            let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
            file.write_all(block.get(..n).unwrap_or(&block))?;
            left -= n as u64;
        }
        file.sync_all()?;
        std::fs::rename(&partial, &path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// Deletes the space reserve; whether there was one.
pub fn release_reserve(data_dir: &Path) -> bool {
    std::fs::remove_file(data_dir.join(RESERVE_FILE)).is_ok()
}

/// Open options for a new file readable and writable by the owner only.
pub fn owner_only_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

fn create_owner_only(path: &Path) -> Result<(), StoreError> {
    owner_only_options()
        .truncate(false)
        .open(path)
        .map(drop)
        .map_err(|source| StoreError::File {
            path: path.display().to_string(),
            source,
        })
}

/// 128 random bits as 32 hexadecimal digits.
fn new_stamp() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| StoreError::File {
        path: "the operating system's random number generator".to_owned(),
        source: std::io::Error::other(error.to_string()),
    })?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

fn not_initialised(path: &Path) -> StoreError {
    StoreError::NotInitialised {
        path: path.display().to_string(),
    }
}

/// A database whose tables vanished (emptied, replaced) is not initialised.
fn missing_table_is_uninitialised(error: rusqlite::Error, path: &Path) -> StoreError {
    if error.to_string().contains("no such table") {
        not_initialised(path)
    } else {
        StoreError::Sqlite(error)
    }
}

fn checkpoint_identity(conn: &Connection, path: &Path) -> Result<Identity, StoreError> {
    conn.query_row(
        "SELECT revision, stamp FROM checkpoint WHERE id = 1",
        [],
        |row| {
            Ok(Identity {
                revision: row.get(0)?,
                stamp: row.get(1)?,
            })
        },
    )
    .optional()
    .map_err(|error| missing_table_is_uninitialised(error, path))?
    .ok_or_else(|| not_initialised(path))
}

fn head_of(conn: &Connection, path: &Path) -> Result<Identity, StoreError> {
    let checkpoint = checkpoint_identity(conn, path)?;
    let last: Option<Identity> = conn
        .query_row(
            "SELECT revision, stamp FROM changes ORDER BY revision DESC LIMIT 1",
            [],
            |row| {
                Ok(Identity {
                    revision: row.get(0)?,
                    stamp: row.get(1)?,
                })
            },
        )
        .optional()
        .map_err(|error| missing_table_is_uninitialised(error, path))?;
    Ok(match last {
        Some(last) if last.revision > checkpoint.revision => last,
        _ => checkpoint,
    })
}

/// Whether the store holds `identity` as its checkpoint or as one of its
/// changes (so the changes after it may be replayed onto it).
fn holds(conn: &Connection, path: &Path, identity: &Identity) -> Result<bool, StoreError> {
    let checkpoint = checkpoint_identity(conn, path)?;
    if checkpoint == *identity {
        return Ok(true);
    }
    let stamp: Option<String> = conn
        .query_row(
            "SELECT stamp FROM changes WHERE revision = ?1",
            [identity.revision],
            |row| row.get(0),
        )
        .optional()?;
    Ok(
        stamp.as_deref() == Some(identity.stamp.as_str())
            && identity.revision > checkpoint.revision,
    )
}

/// Replays the changes after `held`'s revision onto it.
fn replay_after(conn: &Connection, held: &mut Loaded) -> Result<(), StoreError> {
    let mut statement = conn.prepare(
        "SELECT revision, stamp, command, argument, drawn FROM changes
          WHERE revision > ?1 ORDER BY revision",
    )?;
    let mut rows = statement.query([held.revision])?;
    while let Some(row) = rows.next()? {
        let revision: i64 = row.get(0)?;
        let stamp: String = row.get(1)?;
        let command: String = row.get(2)?;
        let argument: String = row.get(3)?;
        let drawn: String = row.get(4)?;
        let damaged = |why: String| {
            StoreError::Snapshot(AccessError::InvalidInput(format!(
                "change {revision} of the log cannot be applied ({why}): restore the state from a backup"
            )))
        };
        if revision != held.revision + 1 {
            return Err(damaged(format!("it follows revision {}", held.revision)));
        }
        let method = Method::from_kebab(&command).ok_or_else(|| damaged(command.clone()))?;
        let argument: Value =
            serde_json::from_str(&argument).map_err(|error| damaged(error.to_string()))?;
        let drawn: Vec<Drawn> =
            serde_json::from_str(&drawn).map_err(|error| damaged(error.to_string()))?;
        held.engine
            .replay(method, argument, &drawn)
            .map_err(|error| damaged(error.to_string()))?;
        held.revision = revision;
        held.stamp = stamp;
    }
    Ok(())
}

fn catch_up_with(conn: &Connection, path: &Path, held: &mut Loaded) -> Result<bool, StoreError> {
    let head = head_of(conn, path)?;
    if held.identity() == head {
        return Ok(false);
    }
    if held.revision < head.revision
        && holds(conn, path, &held.identity())?
        && replay_after(conn, held).is_ok()
        && held.identity() == head
    {
        return Ok(true);
    }
    *held = load_from(conn, path)?;
    Ok(true)
}

fn load_from(conn: &Connection, path: &Path) -> Result<Loaded, StoreError> {
    let (revision, stamp, snapshot): (i64, String, String) = conn
        .query_row(
            "SELECT revision, stamp, snapshot FROM checkpoint WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .map_err(|error| missing_table_is_uninitialised(error, path))?
        .ok_or_else(|| not_initialised(path))?;
    let mut loaded = Loaded {
        revision,
        stamp,
        engine: AccessControl::from_json(&snapshot).map_err(StoreError::Snapshot)?,
    };
    replay_after(conn, &mut loaded)?;
    Ok(loaded)
}
