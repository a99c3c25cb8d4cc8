//! The embedded store (sled 0.34): trees and index trees as in DESIGN §5.
//!
//! Every change touching several trees is one sled transaction; a write
//! returns only after `flush`, so an acknowledged ticket survives `kill -9`.

mod backup;
pub mod codec;
mod dossiers;
mod migrate;
mod tickets;
mod users;

pub use backup::BackupSummary;
pub use dossiers::PutOutcome;
pub use tickets::{ListQuery, Listed};

use crate::domain::{DomainError, Ticket, ValidationError};
use sled::{Db, Tree};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the store at {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("backup {path}: {message}")]
    Backup { path: PathBuf, message: String },
    #[error("storage: {0}")]
    Sled(#[from] sled::Error),
    #[error("stored value is corrupt ({0})")]
    Corrupt(String),
    #[error("version conflict")]
    Conflict(Box<Ticket>),
    #[error("{0} not found")]
    NotFound(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ValidationError>),
    #[error("the store's schema version {found} is newer than this program's {supported}; upgrade hotline")]
    SchemaTooNew { found: u32, supported: u32 },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Cheap to clone: sled trees are reference-counted handles.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    db: Db,
    tickets: Tree,
    events: Tree,
    requests: Tree,
    by_status: Tree,
    by_ward: Tree,
    by_phone: Tree,
    by_dossier: Tree,
    by_due: Tree,
    dossiers: Tree,
    dossiers_by_phone: Tree,
    users: Tree,
    meta: Tree,
    /// Held shared by every write and exclusively by a backup (sled 0.34 has
    /// no snapshot; see backup.rs).
    write_gate: Arc<RwLock<()>>,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`. Fails with a clear
    /// message if another hotline process has it open.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        Store::open_with_cache(dir, 64 * 1024 * 1024)
    }

    /// As [`Store::open`] with sled's page cache at `cache_bytes` (on-disk
    /// sized pages, not process memory). A bulk load of a million dossiers
    /// wants more than day-to-day work: past the cache, every insert reads
    /// back evicted pages.
    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> StoreResult<Store> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let db = sled::Config::new()
            .path(dir)
            // Bounds on-disk-sized pages, not process memory; measured in benches.
            .cache_capacity(cache_bytes)
            .open()
            .map_err(|e| StoreError::Open {
                path: dir.to_path_buf(),
                message: match e {
                    sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
                        "another hotline process has it open (use the hub to share a store)".into()
                    }
                    other => other.to_string(),
                },
            })?;
        let tree = |name: &str| db.open_tree(name);
        let store = Store {
            path: dir.to_path_buf(),
            tickets: tree("tickets")?,
            events: tree("events")?,
            requests: tree("requests")?,
            by_status: tree("by_status")?,
            by_ward: tree("by_ward")?,
            by_phone: tree("by_phone")?,
            by_dossier: tree("by_dossier")?,
            by_due: tree("by_due")?,
            dossiers: tree("dossiers")?,
            dossiers_by_phone: tree("dossiers_by_phone")?,
            users: tree("users")?,
            meta: tree("meta")?,
            write_gate: Arc::default(),
            db,
        };
        migrate::migrate(&store)?;
        Ok(store)
    }

    /// Taken by every write before it touches a tree.
    fn write_gate(&self) -> RwLockReadGuard<'_, ()> {
        self.write_gate.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> StoreResult<()> {
        self.db.flush()?;
        Ok(())
    }

    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    fn meta_u64(&self, key: &str) -> StoreResult<u64> {
        Ok(self
            .meta
            .get(key)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0))
    }

    pub fn schema_version(&self) -> StoreResult<u32> {
        Ok(self.meta_u64("schema_version")? as u32)
    }

    pub fn ticket_count(&self) -> StoreResult<u64> {
        self.meta_u64("tickets")
    }

    pub fn dossier_count(&self) -> StoreResult<u64> {
        self.meta_u64("dossiers")
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}
