//! Notifications waiting to be sent (`outbox`) and those that gave up after
//! their last attempt (`outbox_dead`).
//!
//! The store does not know what a notification says: a planner it is given
//! (see [`OutboxPlanner`]) turns a ticket change into opaque entries, which
//! are written in the same transaction as the change itself, so a change
//! that was acknowledged always has its notifications, and a change that
//! failed has none. Entries are keyed by a store-wide sequence (`meta`
//! `outbox_seq`), so the outbox reads out in the order it was filled.
//!
//! Delivery and final failure append the caller's event to the ticket's
//! timeline and remove (or move) the entry in one transaction.

use super::codec::{decode, encode, read_u64, u64_key};
use super::tickets::untx;
use super::{corrupt, Changed, Store, StoreError, StoreResult};
use crate::domain::{Event, EventKind, Ticket, TicketId, Ts};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use sled::Transactional;
use std::sync::Arc;

const SEQ_KEY: &str = "outbox_seq";

/// Turns a ticket change into outbox entries (the notifier's rules; the
/// store only keeps what it is handed). Called inside the write transaction,
/// possibly more than once when sled retries it, so it must be pure.
pub trait OutboxPlanner: Send + Sync {
    fn plan(&self, old: Option<&Ticket>, new: &Ticket, events: &[Event]) -> Vec<Vec<u8>>;
}

/// One stored entry: its key in the outbox and what the planner wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: u64,
    pub body: Vec<u8>,
}

/// What a finished entry leaves on its ticket's timeline.
#[derive(Debug, Clone)]
pub struct Finished {
    pub ticket: TicketId,
    pub event: EventKind,
    pub by: String,
    pub at: Ts,
    /// Where the entry goes: `None` removes it (delivered), `Some(body)`
    /// keeps it among the dead letters with that body.
    pub dead: Option<Vec<u8>>,
}

/// The planner and the wake-up for the worker, shared by every clone of a store.
#[derive(Default)]
pub(super) struct OutboxHooks {
    planner: std::sync::RwLock<Option<Arc<dyn OutboxPlanner>>>,
    signal: Arc<tokio::sync::Notify>,
}

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// Writes the entries `planner` makes for this change (inside the change's
/// transaction). Returns how many.
pub(super) fn enqueue(
    meta: &TransactionalTree,
    outbox: &TransactionalTree,
    planner: Option<&dyn OutboxPlanner>,
    old: Option<&Ticket>,
    new: &Ticket,
    events: &[Event],
) -> TxResult<usize> {
    let Some(planner) = planner else {
        return Ok(0);
    };
    let bodies = planner.plan(old, new, events);
    if bodies.is_empty() {
        return Ok(0);
    }
    let mut seq = read_u64(meta.get(SEQ_KEY)?);
    for body in &bodies {
        seq += 1;
        outbox.insert(&u64_key(seq), body.as_slice())?;
    }
    meta.insert(SEQ_KEY, &u64_key(seq))?;
    Ok(bodies.len())
}

fn entries(tree: &sled::Tree) -> StoreResult<Vec<OutboxEntry>> {
    tree.iter()
        .map(|item| {
            let (k, v) = item?;
            Ok(OutboxEntry {
                id: read_u64(Some(k)),
                body: v.to_vec(),
            })
        })
        .collect()
}

/// Appends `done.event` to its ticket's timeline (inside a transaction over
/// tickets, events, meta and changes). `None` when the ticket does not exist.
/// Where an entry waits: for delivery, or as a dead letter.
#[derive(Clone, Copy)]
enum Waiting {
    Outbox,
    Dead,
}

fn append(
    tickets: &TransactionalTree,
    events: &TransactionalTree,
    meta: &TransactionalTree,
    changes: &TransactionalTree,
    done: &Finished,
) -> TxResult<Option<Ticket>> {
    let Some(bytes) = tickets.get(u64_key(done.ticket.0))? else {
        return Ok(None);
    };
    let mut ticket: Ticket = match decode(&bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(ConflictableTransactionError::Abort(corrupt(
                &format!("ticket {}", done.ticket),
                e,
            )))
        }
    };
    // The version stays: a notification is no edit, and a user's
    // change based on the version they saw must not conflict with it.
    let event = Event {
        seq: ticket.events,
        at: done.at,
        by: done.by.clone(),
        kind: done.event.clone(),
    };
    ticket.events += 1;
    tickets.insert(&u64_key(ticket.id.0), encode(&ticket))?;
    events.insert(
        super::codec::concat(&[&u64_key(ticket.id.0), &event.seq.to_be_bytes()]),
        encode(&event),
    )?;
    super::changes::record(meta, changes, &[Changed::Ticket(ticket.id)])?;
    Ok(Some(ticket))
}

impl Store {
    /// Gives the store the rules that turn ticket changes into notifications.
    pub fn set_outbox_planner(&self, planner: Arc<dyn OutboxPlanner>) {
        *self
            .outbox_hooks
            .planner
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(planner);
    }

    pub(super) fn outbox_planner(&self) -> Option<Arc<dyn OutboxPlanner>> {
        self.outbox_hooks
            .planner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Woken (a permit is kept if nobody waits) after new entries reached the disk.
    pub fn outbox_signal(&self) -> Arc<tokio::sync::Notify> {
        self.outbox_hooks.signal.clone()
    }

    pub(super) fn outbox_written(&self) {
        self.outbox_hooks.signal.notify_one();
    }

    /// Entries waiting to be sent, oldest first.
    pub fn outbox(&self) -> StoreResult<Vec<OutboxEntry>> {
        entries(&self.outbox)
    }

    /// Entries that gave up, oldest first.
    pub fn dead_letters(&self) -> StoreResult<Vec<OutboxEntry>> {
        entries(&self.outbox_dead)
    }

    /// (waiting, dead) counts.
    pub fn outbox_counts(&self) -> (usize, usize) {
        (self.outbox.len(), self.outbox_dead.len())
    }

    /// Replaces a waiting entry's body (its attempt count, its next try), if
    /// it is still waiting. Not flushed: a lost update only means an earlier try.
    pub fn outbox_update(&self, id: u64, body: &[u8]) -> StoreResult<()> {
        let _gate = self.write_gate();
        // Atomic: an entry finished meanwhile stays gone.
        self.outbox
            .update_and_fetch(u64_key(id), |old| old.map(|_| body.to_vec()))?;
        Ok(())
    }

    /// Takes a waiting entry out of the outbox (delivered, or dead when
    /// `done.dead` is set) and appends `done.event` to its ticket's timeline,
    /// in one transaction. Returns the ticket as it now is (`None` when the
    /// entry was already gone or the ticket does not exist). Durable when it
    /// returns, like every other outbox move.
    pub fn outbox_finish(&self, id: u64, done: &Finished) -> StoreResult<Option<Ticket>> {
        let taken = self.take_entry(Waiting::Outbox, id, done.dead.as_deref(), Some(done))?;
        Ok(taken.flatten())
    }

    /// Removes entry `id` from `from` and, in the same transaction, files
    /// `dead` as its dead letter and appends `done`'s event to its ticket's
    /// timeline (each when given). Durable when it returns. `None`: no such
    /// entry; `Some(ticket)`: removed, with the ticket as it now is (`None`
    /// when no timeline was written).
    fn take_entry(
        &self,
        from: Waiting,
        id: u64,
        dead: Option<&[u8]>,
        done: Option<&Finished>,
    ) -> StoreResult<Option<Option<Ticket>>> {
        let taken = {
            let _gate = self.write_gate();
            let trees = [
                &self.outbox,
                &self.outbox_dead,
                &self.tickets,
                &self.events,
                &self.meta,
                &self.changes,
            ];
            untx(trees.transaction(|v| {
                let key = u64_key(id);
                let source = match from {
                    Waiting::Outbox => &v[0],
                    Waiting::Dead => &v[1],
                };
                if source.remove(&key)?.is_none() {
                    return Ok(None);
                }
                if let Some(body) = dead {
                    v[1].insert(&key, body)?;
                }
                match done {
                    Some(done) => Ok(Some(append(&v[2], &v[3], &v[4], &v[5], done)?)),
                    None => Ok(Some(None)),
                }
            }))?
        };
        if taken.is_some() {
            self.flush()?;
        }
        Ok(taken)
    }

    /// Moves a dead letter back into the outbox with `body` (its attempts
    /// reset by the caller), under a new id at the end of the outbox.
    /// Durable when it returns; `None` when there is no such dead letter.
    pub fn retry_dead_letter(&self, id: u64, body: &[u8]) -> StoreResult<Option<u64>> {
        let moved = {
            let _gate = self.write_gate();
            let trees = [&self.outbox, &self.outbox_dead, &self.meta];
            untx(trees.transaction(|v| {
                if v[1].remove(&u64_key(id))?.is_none() {
                    return Ok(None);
                }
                let seq = read_u64(v[2].get(SEQ_KEY)?) + 1;
                v[2].insert(SEQ_KEY, &u64_key(seq))?;
                v[0].insert(&u64_key(seq), body)?;
                Ok(Some(seq))
            }))?
        };
        if moved.is_some() {
            self.flush()?;
            self.outbox_written();
        }
        Ok(moved)
    }

    /// Waiting entries after `id`, oldest first (what a sender has not seen yet).
    pub fn outbox_after(&self, id: u64) -> StoreResult<Vec<OutboxEntry>> {
        self.outbox
            .range(u64_key(id.saturating_add(1))..)
            .map(|item| {
                let (k, v) = item?;
                Ok(OutboxEntry {
                    id: read_u64(Some(k)),
                    body: v.to_vec(),
                })
            })
            .collect()
    }

    /// A dead letter by id.
    pub fn dead_letter(&self, id: u64) -> StoreResult<Option<OutboxEntry>> {
        Ok(self.outbox_dead.get(u64_key(id))?.map(|v| OutboxEntry {
            id,
            body: v.to_vec(),
        }))
    }

    /// Moves a waiting entry to the dead letters as it is (an entry nobody
    /// can read: there is no ticket to tell). Durable when it returns;
    /// `false` when the entry is no longer waiting.
    pub fn outbox_bury(&self, id: u64) -> StoreResult<bool> {
        let moved = {
            let _gate = self.write_gate();
            let trees = [&self.outbox, &self.outbox_dead];
            untx(trees.transaction(|v| {
                let key = u64_key(id);
                let Some(body) = v[0].remove(&key)? else {
                    return Ok(false);
                };
                v[1].insert(&key, body)?;
                Ok(true)
            }))?
        };
        if moved {
            self.flush()?;
        }
        Ok(moved)
    }

    /// Removes a dead letter for good and, when `done` is given, appends its
    /// event to the ticket's timeline in the same transaction. Durable when
    /// it returns. `None`: no such dead letter; `Some(ticket)`: removed, with
    /// the ticket as it now is (`None` when no timeline was written).
    pub fn discard_dead_letter(
        &self,
        id: u64,
        done: Option<&Finished>,
    ) -> StoreResult<Option<Option<Ticket>>> {
        self.take_entry(Waiting::Dead, id, None, done)
    }
}
