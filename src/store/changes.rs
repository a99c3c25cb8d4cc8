//! The store's change log: which ticket or dossier each write touched, in order.
//!
//! Every ticket or dossier write appends to the `changes` tree and moves
//! `meta.change_seq` on, in the same transaction as the write itself, so the
//! log never misses or invents a change. Each changed record counts one in
//! the sequence, but a write of many records (a batch of an import) is one
//! entry, keyed by the last number it covers and listing them all: a million
//! imported dossiers make a hundred entries, cheap to write and to forget.
//! The last number is the store's generation: whatever reflects generation N
//! (the saved search index) is brought up to date by re-reading what changed
//! since N.
//!
//! A bulk load (the demo generator) logs nothing per record: it is bracketed
//! by two "everything" markers, and while it runs `meta.changes_bulk` is set
//! and writes are not logged. A reader whose generation is older than a
//! marker, or who reads while the flag is set (a bulk load under way, or cut
//! short by a crash), must start again from the whole store.
//!
//! A store written before the log existed has no `changes` tree and no
//! `change_seq`: its generation is 0 with nothing recorded. Entries up to a
//! saved search index's generation are no longer needed and may be
//! forgotten (`meta.changes_kept_from` then says where the log starts).

use super::codec::{read_u64, u64_key};
use super::{corrupt, Store, StoreResult};
use crate::domain::TicketId;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

const SEQ_KEY: &str = "change_seq";
const KEPT_FROM_KEY: &str = "changes_kept_from";
const BULK_KEY: &str = "changes_bulk";
const TICKET: u8 = b't';
const DOSSIER: u8 = b'd';
/// Several records, each length-prefixed (u32 big-endian) in the one-record encoding.
const LIST: u8 = b'l';
/// Anything may have changed: readers start again from the whole store.
const EVERYTHING: u8 = b'*';

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

/// What one log entry says.
enum Entry {
    Records(Vec<Changed>),
    Everything,
}

fn encode_entry(changed: &[Changed]) -> Vec<u8> {
    match changed {
        [one] => one.encode(),
        many => {
            let mut out = vec![LIST];
            for c in many {
                let bytes = c.encode();
                out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                out.extend_from_slice(&bytes);
            }
            out
        }
    }
}

fn decode_entry(bytes: &[u8]) -> Option<Entry> {
    match bytes.split_first()? {
        (&EVERYTHING, []) => Some(Entry::Everything),
        (&LIST, mut rest) => {
            let mut out = Vec::new();
            while !rest.is_empty() {
                let (len, tail) = rest.split_at_checked(4)?;
                let len = u32::from_be_bytes(len.try_into().ok()?) as usize;
                let (one, tail) = tail.split_at_checked(len)?;
                out.push(Changed::decode(one)?);
                rest = tail;
            }
            (out.len() > 1).then_some(Entry::Records(out))
        }
        _ => Some(Entry::Records(vec![Changed::decode(bytes)?])),
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

/// Appends `changed` to the log inside a write transaction that holds the
/// `meta` and `changes` trees, as one entry. Returns nothing: the caller's
/// transaction commits the entry together with the write. During a bulk
/// load nothing is logged (its markers stand for it).
pub(super) fn record<E>(
    meta: &TransactionalTree,
    changes: &TransactionalTree,
    changed: &[Changed],
) -> Result<(), ConflictableTransactionError<E>> {
    if changed.is_empty() || meta.get(BULK_KEY)?.is_some() {
        return Ok(());
    }
    let seq = read_u64(meta.get(SEQ_KEY)?) + changed.len() as u64;
    changes.insert(&u64_key(seq), encode_entry(changed))?;
    meta.insert(SEQ_KEY, &u64_key(seq))?;
    Ok(())
}

impl Store {
    /// The store's generation: the number of the last recorded change (0 if none).
    pub fn generation(&self) -> StoreResult<u64> {
        self.meta_u64(SEQ_KEY)
    }

    /// What changed after `generation`, or `None` when the log no longer
    /// reaches back that far, or `generation` is ahead of the store's, or a
    /// bulk load happened since or is under way: the reader must then start
    /// again from the whole store.
    pub fn changes_since(&self, generation: u64) -> StoreResult<Option<ChangesSince>> {
        let now = self.generation()?;
        let kept_from = self.meta_u64(KEPT_FROM_KEY)?;
        if generation > now || generation + 1 < kept_from || self.meta.get(BULK_KEY)?.is_some() {
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
            let records = match decode_entry(&value) {
                Some(Entry::Everything) => return Ok(None),
                Some(Entry::Records(records)) => records,
                None => return Err(corrupt("change log", format!("change {seq} is unreadable"))),
            };
            // An entry covers the numbers up to its key, one per record.
            if seq.checked_sub(records.len() as u64) != Some(last) {
                return Err(corrupt(
                    "change log",
                    format!("change {} is missing", last + 1),
                ));
            }
            last = seq;
            for c in records {
                if seen.insert(c.clone()) {
                    changed.push(c);
                }
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

    /// Runs `load` as a bulk load: its ticket and dossier writes are not
    /// logged one by one; instead the log gets an "everything" marker before
    /// and after it, and any reader older than them starts again from the
    /// whole store. For writing many records into a store nobody else is
    /// writing (the demo generator); the markers are written even if `load` fails.
    pub fn bulk_load<T>(&self, load: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
        self.mark_everything(true)?;
        let out = load();
        self.mark_everything(false)?;
        out
    }

    /// Logs an "everything" marker and sets (or clears) the bulk flag with it.
    fn mark_everything(&self, bulk: bool) -> StoreResult<()> {
        use sled::Transactional;
        let _gate = self.write_gate();
        super::tickets::untx((&self.meta, &self.changes).transaction(|(meta, changes)| {
            let seq = read_u64(meta.get(SEQ_KEY)?) + 1;
            changes.insert(&u64_key(seq), &[EVERYTHING])?;
            meta.insert(SEQ_KEY, &u64_key(seq))?;
            if bulk {
                meta.insert(BULK_KEY, &[1u8])?;
            } else {
                meta.remove(BULK_KEY)?;
            }
            Ok(())
        }))
    }

    /// How many entries the change log holds (each write is one, however many records it touched).
    pub fn change_log_entries(&self) -> usize {
        self.changes.len()
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
