//! Schema versions. Version 1 is the first; an upgrade adds a step here and a
//! test from a stored older fixture.

use super::{Store, StoreError, StoreResult, SCHEMA_VERSION};

pub fn migrate(store: &Store) -> StoreResult<()> {
    let found = store.schema_version()?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found < SCHEMA_VERSION {
        // 0 = a new store: nothing to upgrade yet.
        store
            .meta
            .insert("schema_version", &(SCHEMA_VERSION as u64).to_be_bytes())?;
        store.flush()?;
    }
    Ok(())
}
