//! Schema versions and the steps between them. A store that holds data is
//! backed up beside itself before any step runs; a store newer than this
//! program is refused untouched.
//!
//! 1. The first schema.
//! 2. The store records that it is a demo store (`meta.kind`), and the
//!    ticket counter is at least the highest ticket id. Hub sign-in tokens
//!    (`tokens`, `token_of`) start empty.
//! 3. Queue indexes: open tickets by who has them (`by_owner`) and tickets
//!    waiting on a ward team by ward (`waiting_by_ward`), both soonest due
//!    first, built from the tickets.

use super::{Store, StoreError, StoreResult, DEMO_KIND, SCHEMA_VERSION};
use std::path::PathBuf;

type Step = fn(&Store) -> StoreResult<()>;

/// Each step brings a store to the version beside it from the one before.
const STEPS: [(u32, Step); 2] = [
    (2, demo_kind_and_counter),
    (3, super::tickets::rebuild_queue_indexes),
];

/// What opening did to an older store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    pub from: u32,
    pub to: u32,
    /// The backup written before the first step.
    pub backup: PathBuf,
}

pub fn migrate(store: &Store) -> StoreResult<Option<Upgrade>> {
    let found = store.schema_version()?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: store.path().to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(None);
    }
    if found == 0 && store.is_empty() {
        set_version(store, SCHEMA_VERSION)?;
        return Ok(None);
    }
    // Version 0 with data cannot come from a released hotline; treat it as the first.
    let from = found.max(1);
    let backup = store.path().join("backups").join(format!(
        "before-schema-{SCHEMA_VERSION}-{}.jsonl.gz",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    ));
    tracing::warn!(
        "upgrading the store at {} from schema {from} to {SCHEMA_VERSION}; backup first: {}",
        store.path().display(),
        backup.display()
    );
    if let Some(dir) = backup.parent() {
        crate::private_files::create_dir_all(dir).map_err(|e| StoreError::Backup {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
    }
    store.backup_to(&backup)?;
    for (to, step) in STEPS.iter().filter(|(to, _)| *to > from) {
        step(store)?;
        set_version(store, *to)?;
    }
    Ok(Some(Upgrade {
        from,
        to: SCHEMA_VERSION,
        backup,
    }))
}

fn set_version(store: &Store, version: u32) -> StoreResult<()> {
    store
        .meta
        .insert("schema_version", &(version as u64).to_be_bytes())?;
    store.flush()
}

/// 1 → 2. A schema-1 store holding every demo user with its demo role was
/// made by the demo generator. Counters were trusted in schema 1.
fn demo_kind_and_counter(store: &Store) -> StoreResult<()> {
    let mut made_by_demo = true;
    for expected in crate::demo::demo_users() {
        let stored = store.user(&expected.name)?;
        made_by_demo &= stored.is_some_and(|u| u.role == expected.role);
    }
    if made_by_demo {
        store.meta.insert("kind", DEMO_KIND)?;
    }
    let last = store.last_ticket_id()?;
    if store.ticket_count()? < last {
        store.meta.insert("tickets", &last.to_be_bytes())?;
    }
    Ok(())
}
