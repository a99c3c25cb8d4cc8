//! The embedded store (sled 0.34): trees and index trees as in DESIGN §5.
//!
//! Every change touching several trees is one sled transaction; a write
//! returns only after `flush`, so an acknowledged ticket survives `kill -9`.

mod alarms;
mod backup;
mod changes;
pub mod codec;
pub mod commit;
mod dossiers;
mod files;
mod merge;
mod migrate;
pub use migrate::Upgrade;
mod outbox;
pub use outbox::{Finished, OutboxEntry, OutboxPlanner};
mod tickets;
mod tokens;
mod users;

pub use alarms::{Doorbell, FiredAlarm, PendingAlarm};
pub use backup::BackupSummary;
pub use changes::{Changed, ChangesSince};
pub use dossiers::PutOutcome;
pub use tickets::{ListQuery, Listed};

use crate::domain::{DomainError, Ticket, ValidationError};
use sled::{Db, Tree};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard};

pub const SCHEMA_VERSION: u32 = 3;

const DEMO_KIND: &[u8] = b"demo";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the store at {path}: {message}")]
    Open { path: PathBuf, message: String },
    /// sled's lock is held by another process (a hub, or another command).
    #[error("could not open the store at {}: another hotline process has it open (use the hub to share a store)", .0.display())]
    Held(PathBuf),
    #[error("no store at {}: check --data, HOTLINE_DATA or `data` in the config (a new store is made by `hotline user add NAME --role admin`, `hotline demo` or `hotline restore`)", .0.display())]
    Missing(PathBuf),
    #[error("the write may not have reached the disk: {}", io_message(.0))]
    Durability(std::io::Error),
    #[error("backup {path}: {message}")]
    Backup { path: PathBuf, message: String },
    #[error("{}", sled_message(.0))]
    Sled(#[from] sled::Error),
    #[error("stored value is corrupt ({0})")]
    Corrupt(String),
    #[error("{} is not a demo store: it holds real users, tickets or dossiers, and demo data never goes into it (pass another --data, or none for the demo store)", .0.display())]
    NotDemo(PathBuf),
    #[error("ticket id {0} is already taken")]
    IdTaken(u64),
    #[error("version conflict")]
    Conflict(Box<Ticket>),
    #[error("{0} not found")]
    NotFound(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ValidationError>),
    #[error("the store at {} has schema version {found}, newer than this hotline's {supported}: use a newer hotline (nothing was changed)", .path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
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
    tokens: Tree,
    token_of: Tree,
    /// The change log (see changes.rs).
    changes: Tree,
    /// Alarms not yet fired, by moment (see alarms.rs).
    by_alarm: Tree,
    /// Which alarms fired, by ticket.
    alarms_fired: Tree,
    /// Rung after every ticket write: the scheduler looks again.
    alarm_bell: Arc<Doorbell>,
    /// The SLA policy alarm moments are computed under.
    policy: Arc<std::sync::RwLock<Arc<crate::domain::Policy>>>,
    /// Notifications to send, and those that gave up (see outbox.rs).
    outbox: Tree,
    outbox_dead: Tree,
    outbox_hooks: Arc<outbox::OutboxHooks>,
    /// Open tickets by who has them, then due time (schema 3).
    by_owner: Tree,
    /// Escalated and acknowledged tickets by ward, then due time (schema 3).
    waiting_by_ward: Tree,
    commit: std::sync::Arc<commit::GroupCommit>,
    /// User writes check the whole users tree (first user, last admin), so
    /// they run one at a time.
    user_writes: std::sync::Arc<std::sync::Mutex<()>>,
    /// Held shared by every write and exclusively by a backup (sled 0.34 has
    /// no snapshot; see backup.rs).
    write_gate: Arc<RwLock<()>>,
    upgrade: std::sync::Arc<std::sync::OnceLock<Upgrade>>,
}

/// sled's default page cache for day-to-day work.
pub const DEFAULT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// What to do when the directory holds no store yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// Create an empty store (commands meant to create one: `demo`, the
    /// first `user add`, `restore`, the TUI on its default directory).
    Create,
    /// Fail with "no store at PATH" (everything else: a mistyped `--data`
    /// must not silently make a new, empty store).
    Fail,
}

impl Store {
    /// Opens the store in `dir`, creating it if needed. Fails with a clear
    /// message if another hotline process has it open.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        Store::open_with(dir, IfMissing::Create, DEFAULT_CACHE_BYTES)
    }

    /// Opens the store in `dir`; "no store at PATH" when there is none.
    pub fn open_existing(dir: &Path) -> StoreResult<Store> {
        Store::open_with(dir, IfMissing::Fail, DEFAULT_CACHE_BYTES)
    }

    /// As [`Store::open`] with sled's page cache at `cache_bytes` (on-disk
    /// sized pages, not process memory). A bulk load of a million dossiers
    /// wants more than day-to-day work: past the cache, every insert reads
    /// back evicted pages.
    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> StoreResult<Store> {
        Store::open_with(dir, IfMissing::Create, cache_bytes)
    }

    /// Whether `dir` holds a store (sled's files are there).
    pub fn exists(dir: &Path) -> bool {
        dir.join("conf").is_file() || dir.join("db").is_file()
    }

    pub fn open_with(dir: &Path, if_missing: IfMissing, cache_bytes: u64) -> StoreResult<Store> {
        let open_error = |message: String| StoreError::Open {
            path: dir.to_path_buf(),
            message,
        };
        let creating = !Store::exists(dir);
        if creating {
            if if_missing == IfMissing::Fail {
                return Err(StoreError::Missing(dir.to_path_buf()));
            }
            crate::private_files::create_dir_all(dir).map_err(|e| open_error(io_message(&e)))?;
        }
        files::remove_unfinished_snapshots(dir).map_err(|e| open_error(io_message(&e)))?;
        let db = open_sled(dir, cache_bytes).map_err(|e| match e {
            sled::Error::Io(io) if is_lock_held(&io) => StoreError::Held(dir.to_path_buf()),
            e => open_error(open_failure(e)),
        })?;
        if creating || crate::private_files::looser_than_private(dir).is_none() {
            crate::private_files::tighten(dir).map_err(|e| open_error(io_message(&e)))?;
        }
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
            tokens: tree("tokens")?,
            token_of: tree("token_of")?,
            changes: tree("changes")?,
            by_alarm: tree("by_alarm")?,
            alarms_fired: tree("alarms_fired")?,
            alarm_bell: Arc::default(),
            policy: Arc::new(std::sync::RwLock::new(crate::domain::Policy::shipped())),
            outbox: tree("outbox")?,
            outbox_dead: tree("outbox_dead")?,
            outbox_hooks: Arc::default(),
            by_owner: tree("by_owner")?,
            waiting_by_ward: tree("waiting_by_ward")?,
            commit: std::sync::Arc::new(commit::GroupCommit::new(db.clone(), dir)),
            user_writes: Default::default(),
            write_gate: Arc::default(),
            upgrade: Default::default(),
            db,
        };
        if creating {
            // The directory entry of the new database file must survive a power cut too.
            files::sync_dir(dir).map_err(|e| open_error(io_message(&e)))?;
        }
        if let Some(upgrade) = migrate::migrate(&store)? {
            let _ = store.upgrade.set(upgrade);
        }
        store.ensure_alarm_index()?;
        Ok(store)
    }

    /// Taken by every write before it touches a tree.
    fn write_gate(&self) -> RwLockReadGuard<'_, ()> {
        self.write_gate.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The schema upgrade opening made, if the store was older.
    pub fn upgrade(&self) -> Option<&Upgrade> {
        self.upgrade.get()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every write so far durable: on stable storage, not only in the
    /// page cache (see [`commit`]). Concurrent callers share one fsync.
    pub fn flush(&self) -> StoreResult<()> {
        self.commit.make_durable().map_err(StoreError::Durability)
    }

    /// How many fsyncs made writes durable since the store opened.
    pub fn durable_syncs(&self) -> u64 {
        self.commit.syncs()
    }

    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    fn meta_u64(&self, key: &str) -> StoreResult<u64> {
        Ok(codec::read_u64(self.meta.get(key)?))
    }

    /// Whether the demo generator made this store (and may write into it).
    pub fn is_demo(&self) -> StoreResult<bool> {
        Ok(self.meta.get("kind")?.as_deref() == Some(DEMO_KIND))
    }

    /// Records that this store holds demo data. Only an empty store or a
    /// demo store may be marked.
    pub fn mark_demo(&self) -> StoreResult<()> {
        if !self.is_demo()? && !self.is_empty() {
            return Err(StoreError::NotDemo(self.path.clone()));
        }
        let _gate = self.write_gate();
        self.meta.insert("kind", DEMO_KIND)?;
        self.flush()
    }

    /// No users, tickets or dossiers.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.tickets.is_empty() && self.dossiers.is_empty()
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

/// Opens sled's database in `dir`. A store this process has just closed
/// stays locked until sled's background threads let go of its file (a few
/// milliseconds, more on a busy machine), so a lock held for less than a
/// second is waited out rather than reported.
fn open_sled(dir: &Path, cache_bytes: u64) -> sled::Result<Db> {
    open_sled_waiting(dir, cache_bytes, std::time::Duration::from_secs(1))
}

/// Opens sled's database in `dir`, waiting up to `wait` while another
/// handle (of this process or another) holds its lock.
pub fn open_sled_waiting(
    dir: &Path,
    cache_bytes: u64,
    wait: std::time::Duration,
) -> sled::Result<Db> {
    let config = sled::Config::new()
        .path(dir)
        // Bounds on-disk-sized pages, not process memory; measured in benches.
        .cache_capacity(cache_bytes);
    let deadline = std::time::Instant::now() + wait;
    loop {
        match config.open() {
            Err(sled::Error::Io(e)) if is_lock_held(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// An IO error as a user can act on it. Matched by kind, not only by OS
/// code: sled hands out clones of an IO error it met earlier, and its clone
/// keeps the kind but not the code (the text becomes `Os { code: 28, … }`).
fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    const EDQUOT: i32 = 122;
    match e.kind() {
        // Once sled failed to write, it refuses every later write of this
        // process, so "try again" means starting hotline again.
        ErrorKind::StorageFull => DISK_FULL.into(),
        _ if e.raw_os_error() == Some(EDQUOT) => DISK_FULL.into(),
        ErrorKind::ReadOnlyFilesystem => READ_ONLY.into(),
        ErrorKind::PermissionDenied => format!("{e} (is the data directory read-only?)"),
        _ => e.to_string(),
    }
}

const DISK_FULL: &str =
    "the disk is full: free some space, then start hotline again (nothing already saved is lost)";

const READ_ONLY: &str = "it is on a read-only file system, and hotline writes to a store even \
     to read it: make it writable, or pass another --data";

fn sled_message(e: &sled::Error) -> String {
    match e {
        sled::Error::Io(io) => io_message(io),
        other => other.to_string(),
    }
}

/// Whether sled failed because another process holds the store's lock: sled
/// 0.34 reports that as an `Other` error "could not acquire lock on …" around
/// the OS's `WouldBlock`.
fn is_lock_held(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::WouldBlock
        || io.to_string().starts_with("could not acquire lock")
}

/// Why sled could not open a store, with what the user can do about it.
fn open_failure(e: sled::Error) -> String {
    match e {
        sled::Error::Io(io) => io_message(&io),
        sled::Error::Corruption { .. } => format!(
            "the store is damaged ({e}). Nothing has been changed. Keep a copy of the \
             directory, then restore the latest backup into a new directory with \
             `hotline restore FILE --data NEW_DIR`"
        ),
        other => other.to_string(),
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sled returns later callers a clone of the IO error it met, which has
    /// lost its OS code; the user must still read "the disk is full".
    #[test]
    fn a_full_disk_reads_as_such_through_sleds_cloned_error() {
        let cloned = sled::Error::Io(std::io::Error::from_raw_os_error(28)).clone();
        assert_eq!(sled_message(&cloned), DISK_FULL);
        let read_only = sled::Error::Io(std::io::Error::from_raw_os_error(30)).clone();
        assert_eq!(sled_message(&read_only), READ_ONLY);
    }
}
