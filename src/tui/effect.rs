//! Effects: what `update` asks the outside world to do. The runner turns each
//! into a tokio task calling `HotlineApi`; results come back as `Msg::Api`.

use crate::api::{HotlineApi, Page, SearchRequest, TicketFilter};
use crate::domain::{Change, NewTicket, TicketId};

use crate::tui::msg::{ApiMsg, Msg};
use crate::tui::state::QueueTab;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Whoami,
    Status,
    Search {
        generation: u64,
        text: String,
    },
    PreviewTicket {
        generation: u64,
        id: TicketId,
    },
    PreviewDossier {
        generation: u64,
        code: String,
    },
    LoadTicket(TicketId),
    CreateTicket {
        request_id: Uuid,
        new: NewTicket,
    },
    Apply {
        id: TicketId,
        version: u64,
        change: Change,
    },
    Queue {
        generation: u64,
        tab: QueueTab,
        filter: TicketFilter,
        /// The next page after this cursor; None for the first page.
        after: Option<String>,
        /// How many tickets to fetch.
        limit: usize,
    },
    Stats,
    Caller {
        generation: u64,
        query: String,
    },
    CheckDossier(String),
    /// A dossier and the tickets that link it (the dossier screen).
    LoadDossier(String),
    /// Looks a ticket up for its subject (the duplicate a cancel points at).
    PeekTicket(TicketId),
    Users,
    SwitchUser(String),
    /// Notifications that gave up (supervisors).
    DeadLetters,
    /// Sends a dead letter again.
    RetryNotification(u64),
    /// Gives a dead letter up for good, saying why.
    DiscardNotification {
        id: u64,
        reason: String,
    },
    /// The backend's SLA policy (a hub's may differ from this machine's).
    SlaPolicy,
}

/// How many tickets a queue loads at a time (more as the cursor reaches the end).
pub const QUEUE_PAGE: usize = 500;

/// How many a queue opens with: a few screens' worth, so that opening a tab
/// reads few tickets from a cold store; the rest come a page at a time.
pub const QUEUE_FIRST_PAGE: usize = 100;

/// How many results a search asks for.
pub const SEARCH_LIMIT: usize = 100;

pub type SwitchFn = Arc<dyn Fn(&str) -> anyhow::Result<Arc<dyn HotlineApi>> + Send + Sync>;

pub struct Runner {
    api: Arc<dyn HotlineApi>,
    handle: Handle,
    tx: Sender<Msg>,
    switch: Option<SwitchFn>,
    /// The search in flight; a newer one aborts it.
    search: Option<JoinHandle<()>>,
    /// Forwards live updates of the current user's tickets.
    live: Option<JoinHandle<()>>,
    jobs: Arc<Mutex<SingleJobs>>,
}

/// At most one running and one pending job per kind of load (gitui's
/// `AsyncSingleJob`): a load asked for while one of its kind runs waits,
/// replacing any load already waiting, so a held key never piles work up.
#[derive(Debug, Default)]
pub struct SingleJobs {
    slots: std::collections::HashMap<&'static str, Slot>,
}

#[derive(Debug, Default)]
struct Slot {
    running: bool,
    pending: Option<Effect>,
}

impl SingleJobs {
    /// Asks for `e`: returns it when it may start now; otherwise it waits.
    pub fn submit(&mut self, e: Effect) -> Option<Effect> {
        let slot = self.slots.entry(short(&e)).or_default();
        if slot.running {
            slot.pending = Some(e);
            None
        } else {
            slot.running = true;
            Some(e)
        }
    }

    /// A job of `kind` finished: the one waiting, to start next.
    pub fn finished(&mut self, kind: &'static str) -> Option<Effect> {
        let slot = self.slots.entry(kind).or_default();
        let next = slot.pending.take();
        slot.running = next.is_some();
        next
    }

    /// Jobs running and waiting, over every kind.
    pub fn load(&self) -> (usize, usize) {
        self.slots.values().fold((0, 0), |(r, p), s| {
            (
                r + usize::from(s.running),
                p + usize::from(s.pending.is_some()),
            )
        })
    }
}

/// Loads whose newest request is the only one that matters. Changes
/// (create, apply) and dossier look-ups (one per code) all run.
fn single_job(e: &Effect) -> bool {
    matches!(
        e,
        Effect::Status
            | Effect::PreviewTicket { .. }
            | Effect::PreviewDossier { .. }
            | Effect::LoadTicket(_)
            | Effect::LoadDossier(_)
            | Effect::Queue { .. }
            | Effect::Stats
            | Effect::DeadLetters
            | Effect::Caller { .. }
            | Effect::PeekTicket(_)
            | Effect::Users
            | Effect::SlaPolicy
    )
}

impl Runner {
    pub fn new(
        api: Arc<dyn HotlineApi>,
        handle: Handle,
        tx: Sender<Msg>,
        switch: Option<SwitchFn>,
    ) -> Runner {
        Runner {
            api,
            handle,
            tx,
            switch,
            search: None,
            live: None,
            jobs: Arc::new(Mutex::new(SingleJobs::default())),
        }
    }

    /// Follows live updates as the current user (again, after a user switch).
    pub fn follow_live(&mut self) {
        if let Some(h) = self.live.take() {
            h.abort();
        }
        let api = self.api.clone();
        let tx = self.tx.clone();
        self.live = Some(self.handle.spawn(async move {
            // A backend without live updates: the screens reload on keys only.
            let Ok(mut updates) = api.subscribe(None).await else {
                return;
            };
            while let Some(u) = updates.next().await {
                if tx.send(Msg::Live(u)).is_err() {
                    return;
                }
            }
        }));
    }

    /// Jobs running and waiting now (for tests and logs).
    pub fn load(&self) -> (usize, usize) {
        self.jobs.lock().map(|j| j.load()).unwrap_or((0, 0))
    }

    fn spawn<F>(&self, f: F) -> JoinHandle<()>
    where
        F: std::future::Future<Output = ApiMsg> + Send + 'static,
    {
        let tx = self.tx.clone();
        self.handle.spawn(async move {
            let msg = f.await;
            // The UI may be gone when a late result arrives; nothing to do then.
            let _ = tx.send(Msg::Api(Box::new(msg)));
        })
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.run_one(e);
        }
    }

    /// Starts `e` unless one of its kind runs; the task then takes on
    /// whatever waits for its kind until none does.
    fn run_single(&mut self, e: Effect) {
        let kind = short(&e);
        let Some(first) = self.jobs.lock().ok().and_then(|mut j| j.submit(e)) else {
            return;
        };
        let api = self.api.clone();
        let tx = self.tx.clone();
        let jobs = self.jobs.clone();
        self.handle.spawn(async move {
            let mut next = Some(first);
            while let Some(e) = next {
                if let Some(m) = perform(&api, e).await {
                    let _ = tx.send(Msg::Api(Box::new(m)));
                }
                next = jobs.lock().ok().and_then(|mut j| j.finished(kind));
            }
        });
    }

    fn run_one(&mut self, e: Effect) {
        tracing::debug!(effect = short(&e), "effect");
        match e {
            Effect::SwitchUser(name) => {
                let result = match &self.switch {
                    Some(f) => f(&name).map_err(|e| e.to_string()),
                    None => Err("switching users is only available in the demo".into()),
                };
                match result {
                    Ok(api) => {
                        self.api = api.clone();
                        self.follow_live();
                        self.spawn(async move {
                            ApiMsg::Switched(api.whoami().await.map_err(|e| e.to_string()))
                        });
                    }
                    Err(e) => {
                        let _ = self.tx.send(Msg::Api(Box::new(ApiMsg::Switched(Err(e)))));
                    }
                }
            }
            e if single_job(&e) => self.run_single(e),
            e => {
                let search = matches!(e, Effect::Search { .. });
                if search {
                    // A newer keystroke supersedes the search in flight.
                    if let Some(h) = self.search.take() {
                        h.abort();
                    }
                }
                let api = self.api.clone();
                let h = self.spawn(async move {
                    match perform(&api, e).await {
                        Some(m) => m,
                        None => ApiMsg::Switched(Err("unsupported effect".into())),
                    }
                });
                if search {
                    self.search = Some(h);
                }
            }
        }
    }
}

/// Runs one effect against the API and returns the message it produces
/// (`None` for effects the caller handles itself: switching users).
pub async fn perform(api: &Arc<dyn HotlineApi>, e: Effect) -> Option<ApiMsg> {
    Some(match e {
        Effect::Whoami => ApiMsg::Whoami(api.whoami().await),
        Effect::Status => ApiMsg::Status(api.status().await),
        Effect::Search { generation, text } => ApiMsg::Search {
            generation,
            result: api
                .search(SearchRequest {
                    text,
                    limit: SEARCH_LIMIT,
                })
                .await,
        },
        Effect::PreviewTicket { generation, id } => ApiMsg::PreviewTicket {
            generation,
            result: api.ticket(id).await,
        },
        Effect::PreviewDossier { generation, code } => ApiMsg::PreviewDossier {
            generation,
            result: api.dossier(&code).await,
        },
        Effect::LoadTicket(id) => ApiMsg::Ticket {
            id,
            result: api.ticket(id).await,
        },
        Effect::CreateTicket { request_id, new } => {
            ApiMsg::Created(api.create_ticket(request_id, new).await)
        }
        Effect::Apply {
            id,
            version,
            change,
        } => ApiMsg::Applied {
            id,
            result: api.apply(id, version, change).await,
        },
        Effect::Queue {
            generation,
            tab,
            filter,
            after,
            limit,
        } => ApiMsg::Queue {
            generation,
            tab,
            more: after.is_some(),
            result: api.list_tickets(filter, Page { limit, after }).await,
        },
        Effect::Stats => ApiMsg::Stats(api.stats().await),
        Effect::Caller { generation, query } => ApiMsg::Caller {
            generation,
            result: api.caller(&query).await,
        },
        Effect::CheckDossier(code) => {
            let known = matches!(api.dossier(&code).await, Ok(Some(_)));
            ApiMsg::DossierCheck { code, known }
        }
        Effect::LoadDossier(code) => {
            let dossier = api.dossier(&code).await;
            let tickets = api
                .list_tickets(
                    TicketFilter {
                        dossier: Some(code.clone()),
                        ..Default::default()
                    },
                    Page {
                        limit: QUEUE_PAGE,
                        after: None,
                    },
                )
                .await
                .map(|p| p.tickets);
            ApiMsg::Dossier {
                code,
                dossier,
                tickets,
            }
        }
        Effect::PeekTicket(id) => ApiMsg::Peeked {
            id,
            subject: api.ticket(id).await.map(|d| d.ticket.subject),
        },
        Effect::Users => ApiMsg::Users(api.users().await),
        Effect::SlaPolicy => ApiMsg::SlaPolicy(api.sla_policy().await),
        Effect::SwitchUser(_) => return None,
        Effect::DeadLetters => ApiMsg::DeadLetters(api.dead_letters().await),
        Effect::RetryNotification(id) => ApiMsg::NotificationRetried {
            id,
            result: api.retry_notification(id).await,
        },
        Effect::DiscardNotification { id, reason } => ApiMsg::NotificationDiscarded {
            id,
            result: api.discard_notification(id, &reason).await,
        },
    })
}

/// Effects for logs without personal data (no typed text, no phone numbers).
fn short(e: &Effect) -> &'static str {
    match e {
        Effect::Whoami => "whoami",
        Effect::Status => "status",
        Effect::Search { .. } => "search",
        Effect::PreviewTicket { .. } => "preview-ticket",
        Effect::PreviewDossier { .. } => "preview-dossier",
        Effect::LoadTicket(_) => "load-ticket",
        Effect::CreateTicket { .. } => "create-ticket",
        Effect::Apply { .. } => "apply",
        Effect::Queue { .. } => "queue",
        Effect::Stats => "stats",
        Effect::Caller { .. } => "caller",
        Effect::CheckDossier(_) => "check-dossier",
        Effect::PeekTicket(_) => "peek-ticket",
        Effect::LoadDossier(_) => "load-dossier",
        Effect::Users => "users",
        Effect::SlaPolicy => "sla-policy",
        Effect::SwitchUser(_) => "switch-user",
        Effect::DeadLetters => "dead-letters",
        Effect::RetryNotification(_) => "retry-notification",
        Effect::DiscardNotification { .. } => "discard-notification",
    }
}
