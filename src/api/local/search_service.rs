//! Keeps the in-memory search index in step with the store.
//!
//! The index lives in memory only. At startup a background thread reads
//! wards, procedures, dossiers and tickets from the store and builds it
//! (progress is visible through `progress()`); changes made while it builds
//! are queued and applied when it is ready. After that every ticket write and
//! dossier import updates the index incrementally, so it is never rebuilt for
//! a change. Cold start is measured in `benches/search.rs` (README).
//!
//! A build that fails (a stored record unreadable, a panic) is final for the
//! process: waiters get the reason, searches fail with it, and the status
//! shows it.

use crate::api::{ApiResult, SearchRequest, SearchResults};
use crate::domain::{can_see, Clock, Dossier, Ticket, TicketId, User};
use crate::reference;
use crate::search::{
    dossier_doc, procedure_doc, ticket_doc, ward_doc, DocKind, Query, Scope, SearchDoc,
    SearchIndex, SearchSession,
};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Instant;

/// One user's search state, good for one index version: the narrowing
/// session, and what the user may find (made on their first keystroke at this
/// version, then shared by the rest).
#[derive(Default)]
struct UserSearch {
    version: u64,
    session: SearchSession,
    /// The user the scope was made for (a changed role or wards needs a new one).
    scope: Option<(User, Option<Scope>)>,
}

impl UserSearch {
    /// Forgets everything made on an older index version.
    fn at_version(&mut self, version: u64) {
        if self.version != version {
            self.session.reset();
            self.scope = None;
            self.version = version;
        }
    }

    fn scope(&mut self, index: &SearchIndex, user: &User) -> Option<Scope> {
        match &self.scope {
            Some((made_for, scope))
                if made_for.role == user.role && made_for.wards == user.wards =>
            {
                scope.clone()
            }
            _ => {
                let scope = Scope::of(index, user);
                self.scope = Some((user.clone(), scope.clone()));
                scope
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum BuildState {
    Building,
    Ready,
    /// Why the index could not be built; searches fail with it from then on.
    Failed(String),
}

/// The search index could not be built (a stored record unreadable, or a bug).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the search index could not be built: {0}")]
pub struct IndexFailed(pub String);

impl From<IndexFailed> for crate::api::ApiError {
    fn from(e: IndexFailed) -> Self {
        crate::api::ApiError::Storage {
            message: e.to_string(),
        }
    }
}

pub struct SearchService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Clock,
    index: RwLock<Option<SearchIndex>>,
    /// Docs changed while the index was building.
    pending: Mutex<Vec<SearchDoc>>,
    done: AtomicU64,
    total: AtomicU64,
    ready: (Mutex<BuildState>, Condvar),
    /// Latest query generation per user: an older query in flight gives up.
    generations: Mutex<HashMap<String, Arc<AtomicU64>>>,
    /// Per-user narrowing state and scope, with the index version they were
    /// made on. Each behind its own lock: one user's search never waits for
    /// another's.
    sessions: Mutex<HashMap<String, Arc<Mutex<UserSearch>>>>,
    /// Set once the background build has been started.
    started: std::sync::atomic::AtomicBool,
    /// Bumped on every index change, so a session never narrows stale candidates.
    version: AtomicU64,
}

impl SearchService {
    /// Starts building the index in a background thread.
    pub fn start(store: Store, clock: Clock) -> SearchService {
        let service = SearchService::lazy(store, clock);
        service.ensure_started();
        service
    }

    /// An index built only when first needed (a search, `wait_ready`): a
    /// shell command that only logs a ticket or imports a file never pays for
    /// it. Changes before then need no index work: the build reads the store.
    pub fn lazy(store: Store, clock: Clock) -> SearchService {
        let inner = Arc::new(Inner {
            store,
            clock,
            index: RwLock::new(None),
            pending: Mutex::new(Vec::new()),
            done: AtomicU64::new(0),
            // Not known until the builder counts; 0 of 1 reads as "indexing" meanwhile.
            total: AtomicU64::new(1),
            ready: (Mutex::new(BuildState::Building), Condvar::new()),
            generations: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            version: AtomicU64::new(0),
            started: std::sync::atomic::AtomicBool::new(false),
        });
        SearchService { inner }
    }

    /// Starts the background build unless it has started already.
    pub fn ensure_started(&self) {
        if self.inner.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let builder = self.inner.clone();
        let spawned = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || {
                // A panic must reach the waiters as a failure, not leave them waiting.
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build()))
                        .unwrap_or_else(|panic| Err(panic_message(panic.as_ref())));
                builder.finish(outcome);
            });
        if let Err(e) = spawned {
            self.inner
                .finish(Err(format!("could not start its thread ({e})")));
        }
    }

    /// Blocks until the index is built or its build has failed (CLI search,
    /// caller look-up, tests).
    pub fn wait_ready(&self) -> Result<(), IndexFailed> {
        self.ensure_started();
        let (lock, cv) = &self.inner.ready;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match &*state {
                BuildState::Building => {
                    state = cv.wait(state).unwrap_or_else(|e| e.into_inner());
                }
                BuildState::Ready => return Ok(()),
                BuildState::Failed(why) => return Err(IndexFailed(why.clone())),
            }
        }
    }

    /// Why the index build failed, if it has.
    pub fn failure(&self) -> Option<IndexFailed> {
        match &*self.inner.ready.0.lock().unwrap_or_else(|e| e.into_inner()) {
            BuildState::Failed(why) => Some(IndexFailed(why.clone())),
            _ => None,
        }
    }

    /// (documents indexed, documents to index).
    pub fn progress(&self) -> (u64, u64) {
        (
            self.inner.done.load(Ordering::Relaxed),
            self.inner.total.load(Ordering::Relaxed),
        )
    }

    pub fn ticket_changed(&self, t: &Ticket) {
        self.inner.upsert(ticket_doc(t));
    }

    pub fn dossiers_changed(&self, dossiers: &[Dossier]) {
        let now = (self.inner.clock)();
        for d in dossiers {
            self.inner.upsert(dossier_doc(d, now));
        }
    }

    pub fn search(&self, req: &SearchRequest, user: &User) -> SearchResults {
        self.ensure_started();
        let started = Instant::now();
        let generation = {
            let mut map = self
                .inner
                .generations
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            map.entry(user.name.clone()).or_default().clone()
        };
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let guard = self.inner.index.read().unwrap_or_else(|e| e.into_inner());
        let Some(index) = guard.as_ref() else {
            return SearchResults {
                hits: vec![],
                total: 0,
                micros: 0,
                index_ready: false,
            };
        };
        let now = (self.inner.clock)();
        let limit = req.limit.clamp(1, 500);
        let query = Query::parse(&req.text, now.0, Some(&user.name), limit);
        let cancelled = || generation.load(Ordering::Relaxed) != mine;
        let outcome = {
            let slot = self
                .inner
                .sessions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(user.name.clone())
                .or_default()
                .clone();
            let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
            // The index cannot change under us: we hold its read lock.
            slot.at_version(self.inner.version.load(Ordering::SeqCst));
            let query = query.within(slot.scope(index, user));
            slot.session.search(index, &query, &cancelled)
        };
        SearchResults {
            hits: outcome.hits,
            total: outcome.total,
            micros: started.elapsed().as_micros() as u64,
            index_ready: true,
        }
    }

    /// Tickets and dossiers whose caller or applicant name matches `name`.
    pub fn caller_by_name(
        &self,
        name: &str,
        user: &User,
        limit: usize,
    ) -> ApiResult<(Vec<Ticket>, Vec<Dossier>)> {
        self.wait_ready()?;
        let results = self.search(
            &SearchRequest {
                text: name.to_string(),
                limit: limit * 2,
            },
            user,
        );
        let wanted = crate::text::fold(name);
        let mut tickets = Vec::new();
        let mut dossiers = Vec::new();
        for hit in results.hits {
            match hit.kind {
                DocKind::Ticket => {
                    if let Some(t) = hit
                        .key
                        .parse::<TicketId>()
                        .ok()
                        .and_then(|id| self.inner.store.ticket(id).ok().flatten())
                    {
                        // The stored ticket may have moved on since the index
                        // answered (escalated elsewhere meanwhile).
                        if can_see(user, &t) && crate::text::fold(&t.caller.name).contains(&wanted)
                        {
                            tickets.push(t);
                        }
                    }
                }
                DocKind::Dossier => {
                    if let Some(d) = self.inner.store.dossier(&hit.key)? {
                        if crate::text::fold(&d.applicant_name).contains(&wanted) {
                            dossiers.push(d);
                        }
                    }
                }
                _ => {}
            }
        }
        tickets.sort_by_key(|t| std::cmp::Reverse(t.created_at));
        dossiers.sort_by_key(|d| std::cmp::Reverse(d.received_at));
        tickets.truncate(limit);
        dossiers.truncate(limit);
        Ok((tickets, dossiers))
    }
}

impl Inner {
    fn upsert(&self, doc: SearchDoc) {
        // Not started: the build, whenever it comes, reads this from the store.
        if !self.started.load(Ordering::SeqCst) {
            return;
        }
        let mut guard = self.index.write().unwrap_or_else(|e| e.into_inner());
        self.version.fetch_add(1, Ordering::SeqCst);
        match guard.as_mut() {
            Some(index) => index.upsert(doc),
            // A failed build never takes its queue: do not grow it.
            None if self.failed() => {}
            None => self
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(doc),
        }
    }

    fn failed(&self) -> bool {
        matches!(
            *self.ready.0.lock().unwrap_or_else(|e| e.into_inner()),
            BuildState::Failed(_)
        )
    }

    /// Wakes every waiter with the build's outcome.
    fn finish(&self, outcome: Result<(), String>) {
        let state = match outcome {
            Ok(()) => BuildState::Ready,
            Err(why) => {
                tracing::error!("search index build failed: {why}");
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clear();
                BuildState::Failed(why)
            }
        };
        let (lock, cv) = &self.ready;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = state;
        cv.notify_all();
    }

    /// Builds the index from the store. A record that cannot be read fails
    /// the build: an index silently missing it would answer "no previous
    /// calls" for a caller who has some.
    fn build(&self) -> Result<(), String> {
        let started = Instant::now();
        let now = (self.clock)();
        let wards = reference::wards();
        let procedures = reference::procedures();
        let total = wards.len() as u64
            + procedures.len() as u64
            + self.store.dossier_count().unwrap_or(0)
            + self.store.ticket_count().unwrap_or(0);
        self.total.store(total, Ordering::Relaxed);
        let done = &self.done;
        let count = std::cell::Cell::new(0u64);
        let tick = || {
            count.set(count.get() + 1);
            if count.get() % 4096 == 0 {
                done.store(count.get(), Ordering::Relaxed);
            }
        };
        let unreadable = std::cell::RefCell::new(None);
        let note = |e: crate::store::StoreError| {
            unreadable.borrow_mut().get_or_insert(e.to_string());
            None
        };
        let dossiers = self.store.all_dossiers().map_while(|d| match d {
            Ok(d) => Some(dossier_doc(&d, now)),
            Err(e) => note(e),
        });
        let tickets = self
            .store
            .all_tickets()
            .take_while(|_| unreadable.borrow().is_none())
            .map_while(|t| match t {
                Ok(t) => Some(ticket_doc(&t)),
                Err(e) => note(e),
            });
        let docs = wards
            .iter()
            .map(ward_doc)
            .chain(procedures.iter().map(procedure_doc))
            .chain(dossiers)
            .chain(tickets)
            .inspect(|_| tick());
        let mut index = SearchIndex::build_sized(docs, total as usize);
        if let Some(why) = unreadable.into_inner() {
            return Err(why);
        }
        let count = count.get();
        {
            let mut guard = self.index.write().unwrap_or_else(|e| e.into_inner());
            for doc in self
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .drain(..)
            {
                index.upsert(doc);
            }
            *guard = Some(index);
        }
        self.total.store(count.max(total), Ordering::Relaxed);
        self.done.store(count.max(total), Ordering::Relaxed);
        tracing::info!("search index: {count} documents in {:?}", started.elapsed());
        Ok(())
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    format!("it stopped on an internal error ({what})")
}
