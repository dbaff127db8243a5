//! The access state in SQLite: one row holding the engine's versioned
//! snapshot (token hashes only, never a secret) and a revision counter.
//!
//! Why a snapshot and not tables: the engine owns every rule and its own
//! snapshot format (`AccessControl::to_json`/`from_json`), so the server
//! stores exactly what the engine restores and never re-implements its model.
//! Every command runs inside one `BEGIN IMMEDIATE` transaction: read the
//! stored snapshot, apply the command to it, write the new snapshot with the
//! revision plus one, commit. A refused command rolls back and changes
//! nothing; a process killed at any point leaves either the old or the new
//! state (SQLite's journal), never a mix. Because each command re-reads the
//! stored state inside its transaction, the `admin` CLI and a running server
//! can both write the same database: SQLite serializes them, and the server
//! notices a change made by another process through `PRAGMA data_version`,
//! checked before every decision (see `state.rs`).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use nxcloud_access::access::Method;
use nxcloud_access::{AccessControl, AccessError};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "state.sqlite3";

/// Why the stored state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the access state database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the stored access state is unreadable: {0}")]
    Snapshot(AccessError),
}

/// Why a command did not apply.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The engine refused the command: nothing changed.
    #[error("{0}")]
    Refused(AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A state as loaded: the engine and the revision it was stored under.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub revision: i64,
    pub engine: AccessControl,
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
}

impl Store {
    /// Opens (creating when missing) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(data_dir.join(DATABASE_FILE))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
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
        Ok(Self { conn })
    }

    /// The stored revision (0 before the first command).
    pub fn revision(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT revision FROM access_state WHERE id = 1",
                [],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// SQLite's `data_version`: changes when another connection commits.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// Loads the stored state (an empty engine before the first command).
    pub fn load(&self) -> Result<Loaded, StoreError> {
        load_from(&self.conn)
    }

    /// Applies one command in one transaction. `actor` is only recorded in
    /// the command log (who did it; never an argument, never a secret).
    pub fn apply(
        &mut self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
    ) -> Result<Applied, ApplyError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let current = load_from(&tx)?;
        let before = current.engine.to_json().map_err(StoreError::Snapshot)?;
        let mut next = current.engine.clone();
        // A refused command drops `tx`: rollback, nothing changed.
        let result = next
            .call(method.js_name(), argument)
            .map_err(ApplyError::Refused)?;
        let after = next.to_json().map_err(StoreError::Snapshot)?;
        if after == before {
            return Ok(Applied {
                result,
                state: current,
                changed: false,
            });
        }
        let revision = current.revision + 1;
        tx.execute(
            "INSERT INTO access_state (id, revision, snapshot) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET revision = ?1, snapshot = ?2",
            rusqlite::params![revision, after],
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
                engine: next,
            },
            changed: true,
        })
    }
}

fn load_from(conn: &Connection) -> Result<Loaded, StoreError> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT revision, snapshot FROM access_state WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    match row {
        None => Ok(Loaded {
            revision: 0,
            engine: AccessControl::new(),
        }),
        Some((revision, snapshot)) => Ok(Loaded {
            revision,
            engine: AccessControl::from_json(&snapshot).map_err(StoreError::Snapshot)?,
        }),
    }
}
