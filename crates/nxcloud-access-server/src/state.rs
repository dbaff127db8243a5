//! The authoritative access state in memory, kept in step with SQLite.
//!
//! Decisions read an `Arc` of the current state (no lock held while the
//! engine decides). Before each decision the server asks SQLite, on its own
//! watch connection, whether another connection committed since the last
//! look (`PRAGMA data_version`, a few microseconds); if so and the stored
//! revision moved, it reloads the snapshot. So a token revoked with the
//! `admin` CLI while the server runs is refused from the very next request
//! (REV-2), exactly as one revoked through the HTTP admin API.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;

use nxcloud_access::access::Method;

use crate::store::{Applied, ApplyError, Loaded, Store, StoreError};

/// The in-memory state and its two database connections.
pub struct AccessState {
    current: RwLock<Arc<Loaded>>,
    /// Checks `data_version` and reloads.
    watch: Mutex<Watch>,
    /// Applies commands (one at a time; SQLite serializes with other processes).
    writer: Mutex<Store>,
}

struct Watch {
    store: Store,
    data_version: i64,
}

impl AccessState {
    /// Opens the state of `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let writer = Store::open(data_dir)?;
        let store = Store::open(data_dir)?;
        let data_version = store.data_version()?;
        let loaded = store.load()?;
        Ok(Self {
            current: RwLock::new(Arc::new(loaded)),
            watch: Mutex::new(Watch {
                store,
                data_version,
            }),
            writer: Mutex::new(writer),
        })
    }

    /// The current state, reloaded first when another process changed it.
    pub fn fresh(&self) -> Result<Arc<Loaded>, StoreError> {
        {
            let mut watch = self.watch.lock().map_err(|_| poisoned())?;
            let version = watch.store.data_version()?;
            if version != watch.data_version {
                let revision = watch.store.revision()?;
                if revision != self.snapshot().revision {
                    let loaded = watch.store.load()?;
                    self.install(loaded);
                }
                watch.data_version = version;
            }
        }
        Ok(self.snapshot())
    }

    /// Applies one command (blocking: call from `spawn_blocking`).
    pub fn apply(
        &self,
        method: Method,
        argument: Value,
        actor: Option<&str>,
    ) -> Result<Value, ApplyError> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| StoreError::from(poisoned()))?;
        let Applied {
            result,
            state,
            changed,
        } = writer.apply(method, argument, actor)?;
        if changed {
            self.install(state);
        }
        Ok(result)
    }

    fn snapshot(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Installs a state unless a newer one is already in place.
    fn install(&self, loaded: Loaded) {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if loaded.revision >= guard.revision {
            *guard = Arc::new(loaded);
        }
    }
}

fn poisoned() -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName("a thread panicked while holding the state lock".into())
}
