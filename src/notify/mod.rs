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
    /// `PA-000123`.
    pub ticket: String,
    #[serde(rename = "type")]
    pub kind: NotifyKind,
    /// The endpoint as the timeline names it (never its secret).
    pub endpoint: String,
    pub to: String,
    pub attempts: u32,
    pub error: String,
    /// When the change happened (RFC 3339).
    pub at: String,
}

impl DeadLetter {
    fn of(id: u64, p: &Pending) -> DeadLetter {
        DeadLetter {
            id,
            ticket: crate::domain::TicketId(p.ticket).to_string(),
            kind: p.event.kind,
            endpoint: p.target.label.clone(),
            to: p.event.to.clone(),
            attempts: p.attempts,
            error: p.last_error.clone().unwrap_or_default(),
            at: p.event.at.clone(),
        }
    }
}

/// Every dead letter, oldest first.
pub fn dead_letters(store: &Store) -> StoreResult<Vec<DeadLetter>> {
    Ok(store
        .dead_letters()?
        .iter()
        .filter_map(|e| {
            Pending::decode(&e.body)
                .ok()
                .map(|p| DeadLetter::of(e.id, &p))
        })
        .collect())
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
