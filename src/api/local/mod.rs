//! `LocalApi`: `HotlineApi` over the embedded store, acting as one user.

mod open;
pub mod search_service;

pub use open::{open_store, open_store_noting, resolve_user, DEMO_DEFAULT_USER};

use super::stats::compute_stats;
use super::{
    ApiError, ApiResult, BackendStatus, CallerHistory, HotlineApi, Page, SearchRequest,
    SearchResults, SlaPolicy, Stats, TicketDetail, TicketFilter, TicketPage,
};
use crate::domain::{
    can_see, Change, Clock, Dossier, NewTicket, Phone, Policy, Role, Ticket, TicketId, Ts, User,
};
use crate::store::{ListQuery, Store};
use crate::text::escape_controls;
use async_trait::async_trait;
use search_service::SearchService;
use std::sync::Arc;
use uuid::Uuid;

/// Everything the users of one process share: the store, the clock and the search index.
pub struct Backend {
    pub store: Store,
    pub clock: Clock,
    pub demo: bool,
    pub search: SearchService,
    /// Created and changed tickets, for live subscribers.
    pub live: super::live::LiveFeed,
    /// Contacts and, in the hub and the single-desk TUI, the sender.
    pub notify: crate::notify::Notifier,
    /// Deadlines of new and changed tickets, clocks in answers.
    pub policy: Arc<Policy>,
}

impl Backend {
    /// Wraps an open store and starts building the search index in the background.
    pub fn new(store: Store, clock: Clock, demo: bool) -> Arc<Backend> {
        let backend = Backend::lazy(store, clock, demo);
        backend.search.ensure_started();
        backend
    }

    /// As [`Backend::new`], building the search index only when a search
    /// first needs it (shell commands).
    pub fn lazy(store: Store, clock: Clock, demo: bool) -> Arc<Backend> {
        Backend::lazy_under(Policy::shipped(), store, clock, demo)
    }

    /// As [`Backend::lazy`], with the SLA policy deadlines are computed under.
    pub fn lazy_under(policy: Arc<Policy>, store: Store, clock: Clock, demo: bool) -> Arc<Backend> {
        if let Err(e) = store.set_policy(policy.clone()) {
            tracing::error!("the alarm index was not rebuilt for the SLA policy: {e}");
        }
        let search = SearchService::lazy(store.clone(), clock.clone());
        Arc::new(Backend {
            store,
            clock,
            demo,
            search,
            live: super::live::LiveFeed::new(),
            notify: Default::default(),
            policy,
        })
    }

    /// Starts sending the outbox's notifications (the hub, the single-desk
    /// TUI); deliveries show up on timelines through the live feed.
    pub fn start_notifier(self: &Arc<Backend>) -> std::io::Result<()> {
        let backend = Arc::downgrade(self);
        let tell: crate::notify::OnRecorded = Arc::new(move |ticket| {
            if let Some(b) = backend.upgrade() {
                b.live.publish(ticket);
            }
        });
        self.notify.start(&self.store, Some(tell))
    }

    /// As [`Backend::new`], with the SLA policy deadlines are computed under.
    pub fn new_under(policy: Arc<Policy>, store: Store, clock: Clock, demo: bool) -> Arc<Backend> {
        let backend = Backend::lazy_under(policy, store, clock, demo);
        backend.search.ensure_started();
        backend
    }

    /// Imports a dossier export into the store and the live search index.
    pub fn import_dossiers(&self, bytes: &[u8]) -> ApiResult<crate::sync::ImportReport> {
        let (report, dossiers) = crate::sync::import_dossiers(&self.store, bytes)?;
        self.search.dossiers_changed(&dossiers);
        Ok(report)
    }
}

#[derive(Clone)]
pub struct LocalApi {
    backend: Arc<Backend>,
    user: User,
}

impl LocalApi {
    pub fn new(backend: Arc<Backend>, user: User) -> LocalApi {
        LocalApi { backend, user }
    }

    /// The same backend as another user (the demo user switcher, the hub).
    pub fn as_user(&self, name: &str) -> ApiResult<LocalApi> {
        let user = self
            .backend
            .store
            .user(name)?
            .ok_or_else(|| ApiError::not_found(format!("user {name}")))?;
        Ok(LocalApi::new(self.backend.clone(), user))
    }

    pub fn backend(&self) -> &Arc<Backend> {
        &self.backend
    }

    /// Live updates with each ticket's JSON made once for all subscribers
    /// (the hub's event streams). Inside a tokio runtime.
    pub fn subscribe_json(&self, after: Option<u64>) -> super::live::Subscription {
        self.backend.live.subscribe_json(self.user.clone(), after)
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    /// [`HotlineApi::create_ticket`], also saying whether this call created
    /// the ticket (`false`: an earlier call with the same `request_id` did),
    /// so the hub can answer 201 or 200.
    pub async fn create_ticket_noting_new(
        &self,
        request_id: Uuid,
        new: NewTicket,
    ) -> ApiResult<(Ticket, bool)> {
        if !matches!(self.user.role, Role::Operator | Role::Supervisor) {
            return Err(ApiError::forbidden(format!(
                "{}s may not log tickets",
                self.user.role
            )));
        }
        known_ward(new.ward)?;
        let api = self.clone();
        blocking(move || {
            let now = api.now();
            let (ticket, created) = api.store().create_ticket_under(
                &api.backend.policy,
                request_id,
                &new,
                &api.user.name,
                now,
            )?;
            if created {
                api.backend.search.ticket_changed(&ticket);
                api.backend.live.publish(&ticket);
            }
            Ok((ticket, created))
        })
        .await
    }

    fn now(&self) -> Ts {
        (self.backend.clock)()
    }

    fn store(&self) -> &Store {
        &self.backend.store
    }

    fn require_ticket_worker(&self) -> ApiResult<()> {
        if self.user.works_tickets() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "{}s do not work tickets",
                self.user.role
            )))
        }
    }

    /// Dead letters are the supervisors' to watch (and the admins', who keep the contacts).
    fn require_notification_reader(&self) -> ApiResult<()> {
        if matches!(self.user.role, Role::Supervisor | Role::Admin) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "{}s do not handle failed notifications",
                self.user.role
            )))
        }
    }

    fn require_admin(&self, what: &str) -> ApiResult<()> {
        if self.user.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "only an admin {what} ({} is {} {})",
                self.user.name,
                if self.user.role == Role::Operator {
                    "an"
                } else {
                    "a"
                },
                self.user.role
            )))
        }
    }

    fn visible_ticket(&self, id: TicketId) -> ApiResult<Ticket> {
        self.require_ticket_worker()?;
        match self.store().ticket(id)? {
            // Someone else's ticket looks exactly like a missing one.
            Some(t) if can_see(&self.user, &t) => Ok(t),
            _ => Err(ApiError::not_found(format!("ticket {id}"))),
        }
    }

    fn matches(&self, f: &TicketFilter, t: &Ticket, now: Ts) -> bool {
        can_see(&self.user, t)
            && (f.statuses.is_empty() || f.statuses.contains(&t.status))
            && f.ward.is_none_or(|w| {
                t.ward == Some(w) || t.escalation.as_ref().is_some_and(|e| e.ward == w)
            })
            && f.phone
                .as_ref()
                .is_none_or(|p| t.caller.phone.as_ref().is_some_and(|tp| tp.as_str() == p))
            && f.dossier.as_ref().is_none_or(|d| t.dossiers.contains(d))
            && f.assignee.as_ref().is_none_or(|a| t.owner() == Some(a))
            && f.kind.is_none_or(|k| t.kind == k)
            && f.fault
                .is_none_or(|x| t.escalation.as_ref().is_some_and(|e| e.fault == x))
            && f.level
                .is_none_or(|l| t.escalation.as_ref().is_some_and(|e| e.level == l))
            && (!f.open_only || t.is_open())
            && (!f.overdue_only || t.is_overdue(now))
            && (!f.my_wards
                || t.escalation
                    .as_ref()
                    .is_some_and(|e| self.user.covers_ward(e.ward)))
    }

    fn list_sync(&self, mut filter: TicketFilter, page: Page) -> ApiResult<TicketPage> {
        self.require_ticket_worker()?;
        if let Some(p) = &filter.phone {
            filter.phone = Some(
                Phone::parse(p)
                    .map_err(ApiError::invalid)?
                    .as_str()
                    .to_string(),
            );
        }
        if let Some(d) = &filter.dossier {
            filter.dossier =
                Some(crate::domain::validate::dossier_code(d).map_err(ApiError::invalid)?);
        }
        let now = self.now();
        let waiting_statuses = !filter.statuses.is_empty()
            && filter.statuses.iter().all(|s| {
                matches!(
                    s,
                    crate::domain::Status::Escalated | crate::domain::Status::Acknowledged
                )
            });
        let query = if let Some(p) = &filter.phone {
            ListQuery::Phone(p.clone())
        } else if let Some(d) = &filter.dossier {
            ListQuery::Dossier(d.clone())
        } else if let (Some(a), true) = (&filter.assignee, filter.open_only) {
            ListQuery::Owner(a.clone())
        } else if filter.my_wards && waiting_statuses {
            ListQuery::Waiting {
                wards: self.user.wards.clone(),
                before: filter.overdue_only.then_some(now),
            }
        } else if filter.by_due && filter.overdue_only {
            ListQuery::DueBefore(now)
        } else if filter.by_due {
            ListQuery::Due
        } else if let Some(w) = filter.ward {
            ListQuery::Ward(w)
        } else if let ([w], true) = (self.user.wards.as_slice(), filter.my_wards) {
            ListQuery::Ward(*w)
        } else if filter.open_only {
            // Open tickets only: the due index holds exactly those, a small
            // part of the store ("mine", several wards' escalations).
            ListQuery::Due
        } else if let [s] = filter.statuses.as_slice() {
            ListQuery::Status(*s)
        } else {
            ListQuery::All
        };
        let limit = page.limit.clamp(1, 1000);
        let listed = self
            .store()
            .list_tickets(&query, limit, page.after.as_deref(), |t| {
                self.matches(&filter, t, now)
            })?;
        Ok(TicketPage {
            tickets: masked_tickets(listed.tickets),
            next: listed.next,
        })
    }

    fn caller_sync(&self, query: &str) -> ApiResult<CallerHistory> {
        self.require_ticket_worker()?;
        let store = self.store();
        if let Ok(phone) = Phone::parse(query) {
            let mut tickets = store
                .list_tickets(
                    &ListQuery::Phone(phone.as_str().to_string()),
                    500,
                    None,
                    |t| can_see(&self.user, t),
                )?
                .tickets;
            tickets.sort_by_key(|t| std::cmp::Reverse(t.created_at));
            let mut dossiers = if self.user.role == Role::Responder {
                vec![]
            } else {
                store.dossiers_by_phone(phone.as_str())?
            };
            dossiers.sort_by_key(|d| std::cmp::Reverse(d.received_at));
            return Ok(caller_history(tickets, dossiers));
        }
        let name =
            crate::domain::validate::line("caller", query, 100, true).map_err(ApiError::invalid)?;
        let (tickets, dossiers) = self.backend.search.caller_by_name(&name, &self.user, 200)?;
        Ok(caller_history(tickets, dossiers))
    }
}

// Lists carry masked phone and CCCD; only the single-ticket view has them in full.

fn masked_tickets(tickets: Vec<Ticket>) -> Vec<Ticket> {
    tickets
        .into_iter()
        .map(Ticket::with_caller_masked)
        .collect()
}

fn caller_history(tickets: Vec<Ticket>, dossiers: Vec<Dossier>) -> CallerHistory {
    CallerHistory {
        tickets: masked_tickets(tickets),
        dossiers: dossiers
            .into_iter()
            .map(Dossier::with_applicant_masked)
            .collect(),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(ApiError::Storage {
            message: format!("worker failed: {e}"),
        }),
    }
}

#[async_trait]
impl HotlineApi for LocalApi {
    async fn whoami(&self) -> ApiResult<User> {
        Ok(self.user.clone())
    }

    async fn create_ticket(&self, request_id: Uuid, new: NewTicket) -> ApiResult<Ticket> {
        Ok(self.create_ticket_noting_new(request_id, new).await?.0)
    }

    async fn ticket(&self, id: TicketId) -> ApiResult<TicketDetail> {
        let api = self.clone();
        blocking(move || {
            let ticket = api.visible_ticket(id)?;
            let events = api.store().events(id)?;
            let mut dossiers = Vec::new();
            for code in &ticket.dossiers {
                if let Some(d) = api.store().dossier(code)? {
                    dossiers.push(d);
                }
            }
            let clocks = crate::domain::clocks(&ticket, &api.backend.policy, api.now());
            Ok(TicketDetail {
                ticket,
                events,
                dossiers,
                clocks,
            })
        })
        .await
    }

    async fn list_tickets(&self, filter: TicketFilter, page: Page) -> ApiResult<TicketPage> {
        let api = self.clone();
        blocking(move || api.list_sync(filter, page)).await
    }

    async fn apply(
        &self,
        id: TicketId,
        expected_version: u64,
        change: Change,
    ) -> ApiResult<Ticket> {
        let api = self.clone();
        blocking(move || {
            api.visible_ticket(id)?;
            if let Change::Assign { to: Some(name) } = &change {
                let assignee = api.store().user(name)?.ok_or_else(|| {
                    ApiError::not_found(format!("user {}", escape_controls(name)))
                })?;
                if !assignee.works_tickets() {
                    return Err(ApiError::Rejected {
                        message: format!(
                            "{} is an admin and cannot take tickets",
                            escape_controls(name)
                        ),
                    });
                }
            }
            if let Change::Cancel {
                duplicate_of: Some(other),
                ..
            } = &change
            {
                api.visible_ticket(*other)
                    .map_err(|_| ApiError::not_found(format!("duplicate ticket {other}")))?;
            }
            match &change {
                Change::Escalate(req) => known_ward(Some(req.ward))?,
                Change::Edit(edit) => known_ward(edit.ward)?,
                _ => {}
            }
            let now = api.now();
            let user = api.user.clone();
            let ticket = api
                .store()
                .update_ticket(id, expected_version, &user.name, now, |t| {
                    if !can_see(&user, t) {
                        return Err(crate::domain::DomainError::Forbidden(
                            "not your ticket".into(),
                        ));
                    }
                    t.apply_under(&api.backend.policy, &change, &user, now)
                })?;
            api.backend.search.ticket_changed(&ticket);
            api.backend.live.publish(&ticket);
            Ok(ticket)
        })
        .await
    }

    async fn search(&self, query: SearchRequest) -> ApiResult<SearchResults> {
        // Admins too: their scope is the reference data (wards, procedures).
        let api = self.clone();
        blocking(move || {
            if let Some(failed) = api.backend.search.failure() {
                return Err(failed.into());
            }
            Ok(api.backend.search.search(&query, &api.user))
        })
        .await
    }

    async fn dossier(&self, code: &str) -> ApiResult<Option<Dossier>> {
        self.require_ticket_worker()?;
        let code = code.trim().to_ascii_uppercase();
        let api = self.clone();
        blocking(move || {
            let dossier = api.store().dossier(&code)?;
            // Responders see their own wards' dossiers only, as in search.
            Ok(
                dossier
                    .filter(|d| api.user.role != Role::Responder || api.user.covers_ward(d.ward)),
            )
        })
        .await
    }

    async fn caller(&self, query: &str) -> ApiResult<CallerHistory> {
        let api = self.clone();
        let query = query.to_string();
        blocking(move || api.caller_sync(&query)).await
    }

    async fn stats(&self) -> ApiResult<Stats> {
        // Reports are the supervisors' (DESIGN §1).
        if self.user.role != Role::Supervisor {
            return Err(ApiError::forbidden(format!(
                "{}s do not read reports",
                self.user.role
            )));
        }
        let api = self.clone();
        blocking(move || {
            let now = api.now();
            let store = api.store();
            let mut tickets = Vec::new();
            let mut breach_recorded = std::collections::BTreeSet::new();
            for t in store.all_tickets() {
                let t = t?;
                if can_see(&api.user, &t) {
                    // The timeline is read only where the deadlines as they
                    // stand do not already tell (a raise moves them).
                    if t.escalation.is_some()
                        && !super::stats::escalation_breached(&t, now, false)
                        && super::stats::escalation_breach_recorded(&store.events(t.id)?)
                    {
                        breach_recorded.insert(t.id);
                    }
                    tickets.push(t);
                }
            }
            Ok(compute_stats(&tickets, &breach_recorded, now))
        })
        .await
    }

    async fn users(&self) -> ApiResult<Vec<User>> {
        let store = self.store().clone();
        blocking(move || Ok(store.users()?)).await
    }

    async fn put_user(&self, user: User) -> ApiResult<User> {
        if self.store().has_users() && self.user.role != Role::Admin {
            return Err(ApiError::forbidden(format!(
                "only an admin adds users ({} is a {})",
                self.user.name, self.user.role
            )));
        }
        let user = User::checked(&user.name, &user.display_name, user.role, user.wards)
            .map_err(ApiError::invalid)?;
        for w in &user.wards {
            known_ward(Some(*w))?;
        }
        // `put_user` flushes to disk: not on a worker of the async runtime.
        let store = self.store().clone();
        blocking(move || {
            store.put_user(&user)?;
            Ok(user)
        })
        .await
    }

    async fn import_dossiers(&self, bytes: Vec<u8>) -> ApiResult<crate::sync::ImportReport> {
        if self.store().has_users() && !matches!(self.user.role, Role::Admin | Role::Supervisor) {
            return Err(ApiError::forbidden(format!(
                "a {} may not import dossiers",
                self.user.role
            )));
        }
        let backend = self.backend.clone();
        blocking(move || backend.import_dossiers(&bytes)).await
    }

    async fn issue_token(&self, name: &str) -> ApiResult<String> {
        self.require_admin("issues sign-in tokens")?;
        let api = self.clone();
        let name = name.to_string();
        blocking(move || Ok(api.store().issue_token(&name)?)).await
    }

    async fn revoke_token(&self, name: &str) -> ApiResult<()> {
        self.require_admin("revokes sign-in tokens")?;
        let api = self.clone();
        let name = name.to_string();
        blocking(move || {
            if api.store().user(&name)?.is_none() {
                return Err(ApiError::not_found(format!("user {name}")));
            }
            api.store().revoke_token(&name)?;
            Ok(())
        })
        .await
    }

    async fn subscribe(&self, after: Option<u64>) -> ApiResult<super::live::Subscription> {
        Ok(self.backend.live.subscribe(self.user.clone(), after))
    }

    async fn dead_letters(&self) -> ApiResult<Vec<crate::notify::DeadLetter>> {
        self.require_notification_reader()?;
        let store = self.store().clone();
        blocking(move || Ok(crate::notify::dead_letters(&store)?)).await
    }

    async fn retry_notification(&self, id: u64) -> ApiResult<()> {
        self.require_notification_reader()?;
        let store = self.store().clone();
        blocking(move || {
            let unreadable = store
                .dead_letter(id)?
                .is_some_and(|e| crate::notify::Pending::decode(&e.body).is_err());
            if unreadable {
                return Err(ApiError::invalid(crate::domain::ValidationError::new(
                    "id",
                    format!("dead letter {id} is unreadable: it cannot be sent, only discarded"),
                )));
            }
            if crate::notify::retry(&store, id)? {
                Ok(())
            } else {
                Err(ApiError::not_found(format!("dead letter {id}")))
            }
        })
        .await
    }

    async fn discard_notification(&self, id: u64, reason: &str) -> ApiResult<()> {
        self.require_notification_reader()?;
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > DISCARD_REASON_MAX {
            return Err(ApiError::invalid(crate::domain::ValidationError::new(
                "reason",
                format!("say why, in 1 to {DISCARD_REASON_MAX} characters"),
            )));
        }
        let store = self.store().clone();
        let by = self.user.name.clone();
        let at = (self.backend.clock)();
        let discarded =
            blocking(move || Ok(crate::notify::discard(&store, id, &by, &reason, at)?)).await?;
        match discarded {
            crate::notify::Discarded::Missing => {
                Err(ApiError::not_found(format!("dead letter {id}")))
            }
            crate::notify::Discarded::Done(ticket) => {
                // Other supervisors' panels refresh on the timeline's change.
                if let Some(t) = ticket {
                    self.backend.live.publish(&t);
                }
                Ok(())
            }
        }
    }

    async fn status(&self) -> ApiResult<BackendStatus> {
        let api = self.clone();
        blocking(move || {
            let store = api.store();
            Ok(BackendStatus {
                backend: "local".into(),
                demo: api.backend.demo,
                tickets: store.ticket_count()?,
                dossiers: store.dossier_count()?,
                index_progress: api.backend.search.progress(),
                index_error: api.backend.search.failure().map(|e| e.to_string()),
                pending_writes: 0,
            })
        })
        .await
    }

    async fn sla_policy(&self) -> ApiResult<SlaPolicy> {
        Ok(SlaPolicy::of(&self.backend.policy))
    }
}

/// The longest reason a discarded notification may be given (characters).
pub const DISCARD_REASON_MAX: usize = 500;

/// A ward a ticket names must be one of the city's 168 units.
fn known_ward(ward: Option<crate::domain::WardCode>) -> ApiResult<()> {
    match ward {
        Some(w) if crate::reference::ward(w).is_none() => {
            Err(ApiError::invalid(crate::domain::ValidationError::new(
                "ward",
                format!("{w} is not one of the 168 HCMC wards"),
            )))
        }
        _ => Ok(()),
    }
}
