//! Notifications to ward teams, the city centre and supervisors: the
//! contacts file, the rules for who hears of what, the webhook formats and
//! the sender that empties the store's outbox.
//!
//! A ticket change's notifications are written to the outbox in the same
//! transaction as the change (the store is given [`planner::Planner`]); the
//! sender ([`worker`]) runs in `hotline serve` and in the TUI's single-desk
//! process, never in one-shot commands (their entries wait for the next one).

pub mod contacts;
pub mod event;
pub mod format;
mod message;
pub mod planner;
pub mod worker;

pub use contacts::{Contacts, Delivery, Endpoint, Format, Recipient, Target};
pub use event::{NotifyKind, Pending, WebhookEvent};
pub use worker::{spawn_worker, OnRecorded, WorkerHandle};

use crate::problems::Problems;
use crate::store::{Store, StoreResult};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, RwLock};

/// `contacts.toml` beside the config file (see [`crate::paths::contacts_file`]).
pub fn load_contacts() -> Result<Contacts, Problems> {
    Contacts::load(&crate::paths::contacts_file())
}

/// Gives the store the planner for `contacts`: from now on its ticket
/// changes write their notifications to the outbox.
pub fn install(store: &Store, contacts: Arc<Contacts>) {
    store.set_outbox_planner(Arc::new(planner::Planner(contacts)));
}

/// A backend's notifications: its contacts and, where one runs, its sender.
#[derive(Default)]
pub struct Notifier {
    contacts: RwLock<Arc<Contacts>>,
    worker: Mutex<Option<WorkerHandle>>,
    /// What the running sender was given, for a restart with new contacts.
    on_recorded: Mutex<Option<OnRecorded>>,
}

impl Notifier {
    /// Installs `contacts`' planner into `store`.
    pub fn configure(&self, store: &Store, contacts: Contacts) {
        let contacts = Arc::new(contacts);
        install(store, contacts.clone());
        *self.contacts.write().unwrap_or_else(|e| e.into_inner()) = contacts;
    }

    pub fn contacts(&self) -> Arc<Contacts> {
        self.contacts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Starts the sender unless it runs already.
    pub fn start(&self, store: &Store, on_recorded: Option<OnRecorded>) -> std::io::Result<()> {
        let mut worker = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        if worker.is_none() {
            *self.on_recorded.lock().unwrap_or_else(|e| e.into_inner()) = on_recorded.clone();
            *worker = Some(spawn_worker(store.clone(), self.contacts(), on_recorded)?);
        }
        Ok(())
    }

    /// Puts `contacts` in force (a reloaded contacts file): new changes are
    /// planned with them, and a running sender is restarted with them
    /// (deliveries in flight are sent again under the same key). Blocks
    /// until the old sender let go of the store.
    pub fn reload(&self, store: &Store, contacts: Contacts) -> std::io::Result<()> {
        self.configure(store, contacts);
        let mut worker = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = worker.take() {
            old.stop();
            let on_recorded = self
                .on_recorded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            *worker = Some(spawn_worker(store.clone(), self.contacts(), on_recorded)?);
        }
        Ok(())
    }

    /// Stops the sender (if one runs) and waits until it let go of the store.
    pub fn stop(&self) {
        let worker = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = worker {
            w.stop();
        }
    }
}

/// A notification that gave up, as supervisors see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadLetter {
    /// What `retry` takes.
    pub id: u64,
    /// `PA-000123`; empty for an unreadable entry.
    pub ticket: String,
    /// None for an unreadable entry.
    #[serde(rename = "type")]
    pub kind: Option<NotifyKind>,
    /// The endpoint as the timeline names it (never its secret).
    pub endpoint: String,
    pub to: String,
    pub attempts: u32,
    pub error: String,
    /// When the change happened (RFC 3339); empty for an unreadable entry.
    pub at: String,
    /// An outbox entry nobody can read (written by another version, or
    /// damaged): it can only be discarded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unreadable: bool,
}

impl DeadLetter {
    fn of(id: u64, p: &Pending) -> DeadLetter {
        DeadLetter {
            id,
            ticket: crate::domain::TicketId(p.ticket).to_string(),
            kind: Some(p.event.kind),
            endpoint: p.target.label.clone(),
            to: p.event.to.clone(),
            attempts: p.attempts,
            error: p.last_error.clone().unwrap_or_default(),
            at: p.event.at.clone(),
            unreadable: false,
        }
    }

    fn unreadable(id: u64, why: String) -> DeadLetter {
        DeadLetter {
            id,
            ticket: String::new(),
            kind: None,
            endpoint: String::new(),
            to: String::new(),
            attempts: 0,
            error: why,
            at: String::new(),
            unreadable: true,
        }
    }
}

/// Every dead letter, oldest first (unreadable entries among them).
pub fn dead_letters(store: &Store) -> StoreResult<Vec<DeadLetter>> {
    Ok(store
        .dead_letters()?
        .iter()
        .map(|e| match Pending::decode(&e.body) {
            Ok(p) => DeadLetter::of(e.id, &p),
            Err(why) => DeadLetter::unreadable(e.id, format!("unreadable entry: {why}")),
        })
        .collect())
}

/// What a discard did.
#[derive(Debug)]
pub enum Discarded {
    /// No such dead letter.
    Missing,
    /// Gone; the ticket whose timeline now tells why (none for an unreadable entry).
    Done(Option<Box<crate::domain::Ticket>>),
}

/// Removes a dead letter for good; `reason` (said by `by`) goes on the
/// ticket's timeline as a failed notification, in the same transaction.
pub fn discard(
    store: &Store,
    id: u64,
    by: &str,
    reason: &str,
    at: crate::domain::Ts,
) -> StoreResult<Discarded> {
    let Some(entry) = store.dead_letter(id)? else {
        return Ok(Discarded::Missing);
    };
    let done = Pending::decode(&entry.body)
        .ok()
        .map(|p| crate::store::Finished {
            ticket: crate::domain::TicketId(p.ticket),
            event: crate::domain::EventKind::NotificationFailed {
                endpoint: p.target.label.clone(),
                event: p.event.kind.slug().into(),
                attempts: p.attempts,
                error: format!("discarded: {reason}"),
            },
            by: by.into(),
            at,
            dead: None,
        });
    if done.is_none() {
        tracing::warn!("notifications: unreadable dead letter {id} discarded by {by}: {reason}");
    }
    Ok(match store.discard_dead_letter(id, done.as_ref())? {
        None => Discarded::Missing,
        Some(ticket) => Discarded::Done(ticket.map(Box::new)),
    })
}

/// Puts a dead letter back into the outbox, its attempts from zero and its
/// idempotency key unchanged. `Ok(false)`: no such dead letter.
pub fn retry(store: &Store, id: u64) -> StoreResult<bool> {
    let Some(entry) = store.dead_letter(id)? else {
        return Ok(false);
    };
    let mut p = Pending::decode(&entry.body)
        .map_err(|e| crate::store::StoreError::Corrupt(format!("dead letter {id}: {e}")))?;
    p.attempts = 0;
    p.next_at_ms = 0;
    p.last_error = None;
    Ok(store.retry_dead_letter(id, &p.encode())?.is_some())
}

/// What `/metrics` tells of the outbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutboxStats {
    pub waiting: usize,
    pub dead: usize,
    /// Age of the oldest waiting entry's change, 0 when none waits.
    pub oldest_waiting_secs: f64,
}

pub fn outbox_stats(store: &Store) -> StoreResult<OutboxStats> {
    let (waiting, dead) = store.outbox_counts();
    let oldest = store
        .outbox()?
        .iter()
        .filter_map(|e| Pending::decode(&e.body).ok())
        .map(|p| p.created_at_ms)
        .min();
    Ok(OutboxStats {
        waiting,
        dead,
        oldest_waiting_secs: oldest
            .map(|at| ((event::now_ms() - at).max(0)) as f64 / 1000.0)
            .unwrap_or(0.0),
    })
}
