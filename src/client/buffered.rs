//! `OutboxApi`: a hub's API that keeps writing when the hub cannot be
//! reached. New tickets and comments made then go to the [`Outbox`] and are
//! sent, once and in order, when the hub answers again (tickets with their
//! idempotency keys; a comment is checked against the ticket's timeline
//! before it is sent a second time). While anything waits, new ones queue
//! behind it, so that nothing overtakes.

use super::outbox::{Outbox, PendingWrite};
use crate::api::live::Subscription;
use crate::api::{
    ApiError, ApiResult, BackendStatus, CallerHistory, HotlineApi, Page, RemoteApi, SearchRequest,
    SearchResults, Stats, TicketDetail, TicketFilter, TicketPage,
};
use crate::domain::{Change, Dossier, EventKind, NewTicket, Ticket, TicketId, User};
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use uuid::Uuid;

pub struct OutboxApi {
    inner: RemoteApi,
    outbox: Outbox,
    /// Writes waiting, also reported to the hub with every request.
    depth: Arc<AtomicUsize>,
    /// One sender at a time, so the order holds.
    sending: tokio::sync::Mutex<()>,
}

fn storage(e: std::io::Error) -> ApiError {
    ApiError::Storage {
        message: e.to_string(),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Storage {
            message: format!("outbox worker failed: {e}"),
        })?
        .map_err(storage)
}

impl OutboxApi {
    /// Wraps `inner`; what `outbox` already holds is sent at the first chance.
    pub fn new(inner: RemoteApi, outbox: Outbox) -> std::io::Result<OutboxApi> {
        let depth = Arc::new(AtomicUsize::new(outbox.len()?));
        Ok(OutboxApi {
            inner: inner.reporting_outbox(depth.clone()),
            outbox,
            depth,
            sending: tokio::sync::Mutex::new(()),
        })
    }

    pub fn user(&self) -> &User {
        self.inner.user()
    }

    /// Writes waiting for the hub.
    pub fn pending(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    /// Sends what waits, oldest first, until done or the hub is out of
    /// reach again; returns how many still wait.
    pub async fn send_pending(&self) -> ApiResult<usize> {
        let _one_at_a_time = self.sending.lock().await;
        let outbox = self.outbox.clone();
        let pending = blocking(move || outbox.pending()).await?;
        for (key, write) in pending {
            let sent = match write {
                PendingWrite::CreateTicket { request_id, new } => {
                    self.inner.create_ticket(request_id, new).await.map(|_| ())
                }
                PendingWrite::Comment {
                    ticket,
                    based_on,
                    text,
                } => self.send_comment(ticket, based_on, text).await,
            };
            let refused = match &sent {
                Ok(()) => None,
                Err(ApiError::Unavailable { .. }) => break,
                Err(e) => {
                    tracing::warn!("outbox: the hub refused a pending write for good: {e}");
                    Some(e.to_string())
                }
            };
            let outbox = self.outbox.clone();
            blocking(move || outbox.done(key, refused.as_deref())).await?;
            self.depth.fetch_sub(1, Ordering::Relaxed);
        }
        let outbox = self.outbox.clone();
        let left = blocking(move || outbox.len()).await?;
        self.depth.store(left, Ordering::Relaxed);
        Ok(left)
    }

    /// A comment sent again after a lost answer must not appear twice: on a
    /// conflict, the timeline says whether it already arrived.
    async fn send_comment(&self, id: TicketId, based_on: u64, text: String) -> ApiResult<()> {
        let change = || Change::Comment { text: text.clone() };
        let mut version = based_on;
        for _ in 0..5 {
            match self.inner.apply(id, version, change()).await {
                Ok(_) => return Ok(()),
                Err(ApiError::Conflict { current }) => {
                    let detail = self.inner.ticket(id).await?;
                    let me = &self.inner.user().name;
                    let arrived = detail.events.iter().any(|e| {
                        &e.by == me
                            && matches!(&e.kind, EventKind::Commented { text: t } if *t == text)
                    });
                    if arrived {
                        return Ok(());
                    }
                    version = current.version.max(detail.ticket.version);
                }
                Err(e) => return Err(e),
            }
        }
        Err(ApiError::Rejected {
            message: format!("the ticket {id} kept changing; the comment is kept aside"),
        })
    }

    async fn queue(&self, write: PendingWrite) -> ApiError {
        let outbox = self.outbox.clone();
        match blocking(move || outbox.push(&write)).await {
            Ok(n) => {
                self.depth.store(n, Ordering::Relaxed);
                ApiError::Queued { pending: n }
            }
            Err(e) => e,
        }
    }

    /// Whether a write must wait behind earlier ones (after trying to send them).
    async fn must_wait(&self) -> bool {
        if self.pending() == 0 {
            return false;
        }
        !matches!(self.send_pending().await, Ok(0))
    }
}

#[async_trait]
impl HotlineApi for OutboxApi {
    async fn whoami(&self) -> ApiResult<User> {
        self.inner.whoami().await
    }

    async fn create_ticket(&self, request_id: Uuid, new: NewTicket) -> ApiResult<Ticket> {
        if self.must_wait().await {
            return Err(self
                .queue(PendingWrite::CreateTicket { request_id, new })
                .await);
        }
        match self.inner.create_ticket(request_id, new.clone()).await {
            Err(ApiError::Unavailable { .. }) => Err(self
                .queue(PendingWrite::CreateTicket { request_id, new })
                .await),
            other => other,
        }
    }

    async fn ticket(&self, id: TicketId) -> ApiResult<TicketDetail> {
        self.inner.ticket(id).await
    }

    async fn list_tickets(&self, filter: TicketFilter, page: Page) -> ApiResult<TicketPage> {
        self.inner.list_tickets(filter, page).await
    }

    async fn apply(
        &self,
        id: TicketId,
        expected_version: u64,
        change: Change,
    ) -> ApiResult<Ticket> {
        let Change::Comment { text } = change else {
            return self.inner.apply(id, expected_version, change).await;
        };
        let pending = PendingWrite::Comment {
            ticket: id,
            based_on: expected_version,
            text: text.clone(),
        };
        if self.must_wait().await {
            return Err(self.queue(pending).await);
        }
        match self
            .inner
            .apply(id, expected_version, Change::Comment { text })
            .await
        {
            Err(ApiError::Unavailable { .. }) => Err(self.queue(pending).await),
            other => other,
        }
    }

    async fn search(&self, query: SearchRequest) -> ApiResult<SearchResults> {
        self.inner.search(query).await
    }

    async fn dossier(&self, code: &str) -> ApiResult<Option<Dossier>> {
        self.inner.dossier(code).await
    }

    async fn caller(&self, query: &str) -> ApiResult<CallerHistory> {
        self.inner.caller(query).await
    }

    async fn stats(&self) -> ApiResult<Stats> {
        self.inner.stats().await
    }

    async fn users(&self) -> ApiResult<Vec<User>> {
        self.inner.users().await
    }

    async fn dead_letters(&self) -> ApiResult<Vec<crate::notify::DeadLetter>> {
        self.inner.dead_letters().await
    }

    async fn retry_notification(&self, id: u64) -> ApiResult<()> {
        self.inner.retry_notification(id).await
    }

    async fn discard_notification(&self, id: u64, reason: &str) -> ApiResult<()> {
        self.inner.discard_notification(id, reason).await
    }

    async fn put_user(&self, user: User) -> ApiResult<User> {
        self.inner.put_user(user).await
    }

    async fn import_dossiers(&self, bytes: Vec<u8>) -> ApiResult<crate::sync::ImportReport> {
        self.inner.import_dossiers(bytes).await
    }

    /// Polled by the TUI: also the moment to send what waits.
    async fn status(&self) -> ApiResult<BackendStatus> {
        if self.pending() > 0 {
            let _ = self.send_pending().await;
        }
        let mut s = self.inner.status().await?;
        s.pending_writes = self.pending() as u64;
        Ok(s)
    }

    async fn issue_token(&self, name: &str) -> ApiResult<String> {
        self.inner.issue_token(name).await
    }

    async fn sla_policy(&self) -> ApiResult<crate::api::SlaPolicy> {
        self.inner.sla_policy().await
    }

    async fn revoke_token(&self, name: &str) -> ApiResult<()> {
        self.inner.revoke_token(name).await
    }

    async fn subscribe(&self, after: Option<u64>) -> ApiResult<Subscription> {
        self.inner.subscribe(after).await
    }
}
