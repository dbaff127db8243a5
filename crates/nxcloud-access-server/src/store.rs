//! The access state in SQLite: one row holding the engine's versioned
//! snapshot (token hashes only, never a secret), its revision, and its
//! identity stamp.
//!
//! Why a snapshot and not tables: the engine owns every rule and its own
//! snapshot format (`AccessControl::to_json`/`from_json`), so the server
//! stores exactly what the engine restores and never re-implements its model.
//! Every command runs inside one `BEGIN IMMEDIATE` transaction: read the
//! stored state, apply the command to it, write the new snapshot with the
//! revision plus one and a new random stamp, commit. A refused command rolls
//! back and changes nothing; a process killed at any point leaves either the
//! old or the new state (SQLite's journal), never a mix. Because each command
//! re-reads the stored state inside its transaction, the `admin` CLI and a
//! running server can both write the same database: SQLite serializes them.
//!
//! **Identity, not order.** A revision number says how many commands a state
//! has seen, not which state it is: a restored backup, a rolled-back file or
//! another server's database can carry any revision. Every commit therefore
//! writes a fresh 128-bit random `stamp`, and a reader compares the stored
//! `(revision, stamp)` with the one it holds for equality, never for order
//! (see `state.rs`). Two states with the same identity are the same commit.
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
    #[error("`{path}` holds no nxcloud-access state (never initialised, emptied, or a mistyped --data): point --data at the server's data directory, or start an empty state with `nxcloud-access serve --init --data DIR` (the operator's first `admin` command also initialises it)")]
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

    fn is(&self, identity: &Identity) -> bool {
        self.revision == identity.revision && self.stamp == identity.stamp
    }
}

/// The result of one applied command.
#[derive(Debug)]
pub struct Applied {
    /// The command's JSON result (a created token's secret only here).
    pub result: Value,
    /// The state after the command (unchanged for lists and decisions).
    pub state: Loaded,
    /// Whether the command changed the stored state.
    pub changed: bool,
}

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
        let initialised = store.has_state_row()?;
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

    fn has_state_row(&self) -> Result<bool, StoreError> {
        let table: Option<String> = self
            .conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'access_state'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        if table.is_none() {
            return Ok(false);
        }
        Ok(self
            .conn
            .query_row("SELECT 1 FROM access_state WHERE id = 1", [], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Brings the schema to [`SCHEMA_VERSION`] and writes the empty state's
    /// row when there is none, in one transaction.
    fn migrate(&self, from: i64) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS access_state (
                 id INTEGER PRIMARY KEY CHECK (id = 1),
                 revision INTEGER NOT NULL,
                 snapshot TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS command_log (
                 revision INTEGER PRIMARY KEY,
                 command TEXT NOT NULL,
                 actor TEXT,
                 at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
             );",
        )?;
        if from < 2 {
            let has_stamp: bool = tx
                .prepare("SELECT 1 FROM pragma_table_info('access_state') WHERE name = 'stamp'")?
                .exists([])?;
            if !has_stamp {
                tx.execute_batch("ALTER TABLE access_state ADD COLUMN stamp TEXT")?;
            }
            // The log keeps every commit, also after a restore brought the
            // revision back: its key is its own sequence, not the revision.
            tx.execute_batch(
                "CREATE TABLE command_log_v2 (
                     seq INTEGER PRIMARY KEY AUTOINCREMENT,
                     revision INTEGER NOT NULL,
                     command TEXT NOT NULL,
                     actor TEXT,
                     at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                 );
                 INSERT INTO command_log_v2 (revision, command, actor, at)
                     SELECT revision, command, actor, at FROM command_log ORDER BY revision;
                 DROP TABLE command_log;
                 ALTER TABLE command_log_v2 RENAME TO command_log;
                 CREATE INDEX command_log_by_actor ON command_log (actor, command, at);",
            )?;
        }
        let empty = AccessControl::new()
            .to_json()
            .map_err(StoreError::Snapshot)?;
        tx.execute(
            "INSERT INTO access_state (id, revision, snapshot, stamp) VALUES (1, 0, ?1, ?2)
             ON CONFLICT (id) DO NOTHING",
            rusqlite::params![empty, new_stamp()?],
        )?;
        // A state of schema 1 has no stamp yet: give it one.
        tx.execute(
            "UPDATE access_state SET stamp = ?1 WHERE id = 1 AND stamp IS NULL",
            [new_stamp()?],
        )?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    /// The stored revision.
    pub fn revision(&self) -> Result<i64, StoreError> {
        Ok(self.identity()?.revision)
    }

    /// The stored state's identity.
    pub fn identity(&self) -> Result<Identity, StoreError> {
        identity_of(&self.conn, &self.path)
    }

    /// SQLite's `data_version`: changes when another connection commits.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// Loads the stored state.
    pub fn load(&self) -> Result<Loaded, StoreError> {
        load_from(&self.conn, &self.path)
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

    /// Applies one command in one transaction. `actor` is only recorded in
    /// the command log (who did it; never an argument, never a secret).
    ///
    /// `current` is a state the caller already holds: when it is the stored
    /// one (same identity), the command starts from it instead of parsing the
    /// stored snapshot again.
    pub fn apply(
        &mut self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
        current: Option<&Loaded>,
    ) -> Result<Applied, ApplyError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let stored = identity_of(&tx, &self.path)?;
        let current = match current {
            Some(held) if held.is(&stored) => held.clone(),
            _ => load_from(&tx, &self.path)?,
        };
        let mut next = current.engine.clone();
        // A refused command drops `tx`: rollback, nothing changed.
        let result = next
            .call_method(method, argument)
            .map_err(ApplyError::Refused)?;
        if !method.changes_state() || next == current.engine {
            return Ok(Applied {
                result,
                state: current,
                changed: false,
            });
        }
        let after = next.to_json().map_err(StoreError::Snapshot)?;
        let revision = current.revision + 1;
        let stamp = new_stamp()?;
        tx.execute(
            "UPDATE access_state SET revision = ?1, snapshot = ?2, stamp = ?3 WHERE id = 1",
            rusqlite::params![revision, after, stamp],
        )
        .map_err(StoreError::from)?;
        tx.execute(
            "INSERT INTO command_log (revision, command, actor) VALUES (?1, ?2, ?3)",
            rusqlite::params![revision, method.kebab_name(), actor],
        )
        .map_err(StoreError::from)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(Applied {
            result,
            state: Loaded {
                revision,
                stamp,
                engine: next,
            },
            changed: true,
        })
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

fn identity_of(conn: &Connection, path: &Path) -> Result<Identity, StoreError> {
    let row: Option<(i64, Option<String>)> = conn
        .query_row(
            "SELECT revision, stamp FROM access_state WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(|error| not_initialised_if_missing(error, path))?;
    match row {
        Some((revision, Some(stamp))) => Ok(Identity { revision, stamp }),
        _ => Err(StoreError::NotInitialised {
            path: path.display().to_string(),
        }),
    }
}

fn load_from(conn: &Connection, path: &Path) -> Result<Loaded, StoreError> {
    let row: Option<(i64, Option<String>, String)> = conn
        .query_row(
            "SELECT revision, stamp, snapshot FROM access_state WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .map_err(|error| not_initialised_if_missing(error, path))?;
    match row {
        Some((revision, Some(stamp), snapshot)) => Ok(Loaded {
            revision,
            stamp,
            engine: AccessControl::from_json(&snapshot).map_err(StoreError::Snapshot)?,
        }),
        _ => Err(StoreError::NotInitialised {
            path: path.display().to_string(),
        }),
    }
}

/// A database whose table vanished (emptied, replaced) is not initialised.
fn not_initialised_if_missing(error: rusqlite::Error, path: &Path) -> StoreError {
    if error.to_string().contains("no such table") {
        StoreError::NotInitialised {
            path: path.display().to_string(),
        }
    } else {
        StoreError::Sqlite(error)
    }
}
