//! Writing demo data into a store: only an empty store or a demo store.

use crate::domain::Role;
use crate::store::Store;
use anyhow::Result;

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub users: usize,
    pub dossiers: usize,
    pub tickets: usize,
    pub millis: u128,
}

/// Writes demo users, dossiers and tickets into `store`, which must be
/// empty or a demo store already: demo data never goes into a real store.
pub fn populate_demo(store: &Store, cfg: &super::DemoConfig) -> Result<DemoSummary> {
    let started = std::time::Instant::now();
    store.mark_demo()?;
    let mut users = super::demo_users();
    // The first user of a store is an admin.
    users.sort_by_key(|u| u.role != Role::Admin);
    let tickets = super::tickets(cfg);
    // Nothing reads this store meanwhile: one bulk load, not a change logged per record.
    let dossiers = store.bulk_load(|| {
        let mut batch = Vec::with_capacity(10_000);
        let mut dossiers = 0;
        for d in super::dossiers(cfg) {
            batch.push(d);
            if batch.len() == 10_000 {
                // In key order, a batch lands on neighbouring tree nodes.
                batch.sort_unstable_by(|a, b| a.code.cmp(&b.code));
                dossiers += store.put_dossiers_unflushed(&batch)?.added;
                batch.clear();
            }
        }
        dossiers += store.put_dossiers_unflushed(&batch)?.added;
        for (t, events) in &tickets {
            store.put_ticket_with_events(t, events)?;
        }
        Ok(dossiers)
    })?;
    // The made-up history does not replay as a burst of SLA alarms.
    store.settle_alarms_due_by(cfg.now)?;
    // Users last: a store with users is a finished demo, so one cut short
    // (the TUI quit while generating) is generated again next time.
    for u in &users {
        store.put_user(u)?;
    }
    store.flush()?;
    Ok(DemoSummary {
        users: users.len(),
        dossiers,
        tickets: tickets.len(),
        millis: started.elapsed().as_millis(),
    })
}
