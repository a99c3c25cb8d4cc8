//! The store's change log: which ticket or dossier each write touched, in order.
//!
//! Every ticket or dossier write appends `seq → (kind, id)` to the `changes`
//! tree and sets `meta.change_seq` to `seq`, in the same transaction as the
//! write itself, so the log never misses or invents a change. The last `seq`
//! is the store's generation: whatever reflects generation N (the saved
//! search index) is brought up to date by re-reading what changed since N.
//!
//! A store written before the log existed has no `changes` tree and no
//! `change_seq`: its generation is 0 with nothing recorded. Entries up to a
//! saved search index's generation are no longer needed and may be
//! forgotten (`meta.changes_kept_from` then says where the log starts).

use super::codec::u64_key;
use super::{corrupt, Store, StoreResult};
use crate::domain::TicketId;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

const SEQ_KEY: &str = "change_seq";
const KEPT_FROM_KEY: &str = "changes_kept_from";
const TICKET: u8 = b't';
const DOSSIER: u8 = b'd';

/// One record a write touched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Changed {
    Ticket(TicketId),
    /// A dossier by code.
    Dossier(String),
}

impl Changed {
    fn encode(&self) -> Vec<u8> {
        match self {
            Changed::Ticket(id) => [&[TICKET][..], &u64_key(id.0)].concat(),
            Changed::Dossier(code) => [&[DOSSIER][..], code.as_bytes()].concat(),
        }
    }

    fn decode(bytes: &[u8]) -> Option<Changed> {
        let (kind, rest) = bytes.split_first()?;
        match *kind {
            TICKET => Some(Changed::Ticket(TicketId(u64::from_be_bytes(
                rest.try_into().ok()?,
            )))),
            DOSSIER => Some(Changed::Dossier(String::from_utf8(rest.to_vec()).ok()?)),
            _ => None,
        }
    }
}

/// What changed after a generation, up to the store's generation when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesSince {
    /// The generation the list brings a reader up to.
    pub generation: u64,
    /// Each record once, in the order of its first change.
    pub changed: Vec<Changed>,
}

fn read_u64(bytes: Option<sled::IVec>) -> u64 {
    bytes
        .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

/// Appends `changed` to the log inside a write transaction that holds the
/// `meta` and `changes` trees. Returns nothing: the caller's transaction
/// commits the entry together with the write.
pub(super) fn record<E>(
    meta: &TransactionalTree,
    changes: &TransactionalTree,
    changed: &[Changed],
) -> Result<(), ConflictableTransactionError<E>> {
    if changed.is_empty() {
        return Ok(());
    }
    let mut seq = read_u64(meta.get(SEQ_KEY)?);
    for c in changed {
        seq += 1;
        changes.insert(&u64_key(seq), c.encode())?;
    }
    meta.insert(SEQ_KEY, &u64_key(seq))?;
    Ok(())
}

impl Store {
    /// The store's generation: the number of the last recorded change (0 if none).
    pub fn generation(&self) -> StoreResult<u64> {
        self.meta_u64(SEQ_KEY)
    }

    /// What changed after `generation`, or `None` when the log no longer
    /// reaches back that far (or `generation` is ahead of the store's): the
    /// reader must then start again from the whole store.
    pub fn changes_since(&self, generation: u64) -> StoreResult<Option<ChangesSince>> {
        let now = self.generation()?;
        let kept_from = self.meta_u64(KEPT_FROM_KEY)?;
        if generation > now || generation + 1 < kept_from {
            return Ok(None);
        }
        let mut seen = std::collections::HashSet::new();
        let mut changed = Vec::new();
        let mut last = generation;
        for entry in self.changes.range(u64_key(generation + 1)..) {
            let (key, value) = entry?;
            let seq = read_u64(Some(key));
            if seq > now {
                // Written after `now` was read: the next reader takes it.
                break;
            }
            if seq != last + 1 {
                return Err(corrupt(
                    "change log",
                    format!("change {} is missing", last + 1),
                ));
            }
            last = seq;
            let c = Changed::decode(&value)
                .ok_or_else(|| corrupt("change log", format!("change {seq} is unreadable")))?;
            if seen.insert(c.clone()) {
                changed.push(c);
            }
        }
        if last != now {
            return Err(corrupt(
                "change log",
                format!("change {} is missing", last + 1),
            ));
        }
        Ok(Some(ChangesSince {
            generation: now,
            changed,
        }))
    }

    /// Forgets the log up to and including `generation` (a saved search index
    /// reflects it). Readers of an older generation then start from the whole store.
    pub fn forget_changes_through(&self, generation: u64) -> StoreResult<()> {
        let generation = generation.min(self.generation()?);
        let kept_from = self.meta_u64(KEPT_FROM_KEY)?;
        if generation < kept_from {
            return Ok(());
        }
        // The start moves first: a crash midway leaves entries nobody reads.
        {
            let _gate = self.write_gate();
            self.meta.insert(KEPT_FROM_KEY, &u64_key(generation + 1))?;
        }
        let end = u64_key(generation + 1);
        loop {
            let _gate = self.write_gate();
            let mut batch = sled::Batch::default();
            let mut n = 0;
            for key in self.changes.range(..end).keys().take(10_000) {
                batch.remove(key?);
                n += 1;
            }
            if n == 0 {
                break;
            }
            self.changes.apply_batch(batch)?;
        }
        Ok(())
    }
}
