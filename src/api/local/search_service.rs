//! Keeps the search index in step with the store, and saved beside it.
//!
//! At startup a background thread loads the index saved in
//! `DIR/search-index/` when it is usable, and brings it up to date from the
//! store's change log (what changed since the generation it was saved at);
//! otherwise (none yet, damaged, another format, the log no longer reaching
//! back) it builds the index from the store, with a log line saying why.
//! Progress is visible through `progress()`. After that every ticket write
//! and dossier import is applied by reading the change log again, so the
//! index always knows exactly which store generation it reflects, and the
//! records it shows are read back from the store as they are now.
//!
//! When it is saved: after a full build (the next start loads instead of
//! rebuilding), and when the index has moved [`SAVE_AFTER_CHANGES`] or more
//! changes past its saved copy (checked once started, after imports and when
//! the service is dropped). Between saves the change log makes any start
//! exact, and catching up a few thousand changes costs well under a second,
//! where a save writes the whole index (about a second at a million records)
//! and blocks index updates meanwhile. After a save the log up to the saved
//! generation is forgotten, which keeps it short.
//!
//! A build that fails (a stored record unreadable, a panic) is final for the
//! process: waiters get the reason, searches fail with it, and the status
//! shows it.

use crate::api::{ApiResult, SearchRequest, SearchResults};
use crate::domain::{can_see, Clock, Dossier, Ticket, TicketId, User};
use crate::reference;
use crate::search::snapshot::{self, SnapshotError, Stamp};
use crate::search::{
    dossier_doc, procedure_doc, ticket_doc, ward_doc, DocKind, Query, Scope, SearchDoc,
    SearchIndex, SearchSession,
};
use crate::store::{Changed, Store};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
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

/// Changes past the saved index after which it is saved again.
pub const SAVE_AFTER_CHANGES: u64 = 10_000;

/// A changed record as it is now: its document, or None when it is gone.
type Refreshed = (DocKind, String, Option<SearchDoc>);

/// Puts refreshed records into the index: new and changed ones replace what
/// it had, deleted ones leave it.
fn apply(index: &mut SearchIndex, docs: Vec<Refreshed>) {
    for doc in docs {
        match doc {
            (_, _, Some(doc)) => index.upsert(doc),
            (kind, key, None) => index.remove(kind, &key),
        }
    }
}

/// The most changed records a start catches up with rather than rebuilding.
fn default_catch_up_limit(documents: usize) -> usize {
    (documents / 5).max(50_000)
}

/// Why a build stopped when the service was dropped.
const CLOSING: &str = "hotline is closing";

/// Where the index of a store is saved.
pub fn snapshot_dir(store: &Store) -> PathBuf {
    store.path().join("search-index")
}

type Loaded = Result<(SearchIndex, Stamp), SnapshotError>;

/// A saved index being read on a thread of its own, started before the
/// store is opened (which takes as long again at a million records): the
/// TUI and `hotline search` hand it to [`SearchService::start_with`].
pub struct Preload {
    dir: PathBuf,
    handle: std::thread::JoinHandle<Loaded>,
    /// (bytes read, file size), for the progress shown meanwhile.
    read: Arc<(AtomicU64, AtomicU64)>,
}

impl Preload {
    /// Starts reading the index saved for the store in `data_dir`.
    pub fn start(data_dir: &std::path::Path) -> Option<Preload> {
        let dir = data_dir.join("search-index");
        let read = Arc::new((AtomicU64::new(0), AtomicU64::new(1)));
        let progress = read.clone();
        let from = dir.clone();
        let handle = std::thread::Builder::new()
            .name("search-index-read".into())
            .spawn(move || {
                snapshot::load(&from, &|done, size| {
                    progress.1.store(size.max(1), Ordering::Relaxed);
                    progress.0.store(done, Ordering::Relaxed);
                })
            })
            .ok()?;
        Some(Preload { dir, handle, read })
    }
}

/// How the index came to be ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexStart {
    /// Loaded from its saved copy, then brought up to date with this many changed records.
    Loaded { caught_up: usize },
    /// Built from the store, for this reason.
    Built { why: String },
}

pub struct SearchService {
    inner: Arc<Inner>,
    background: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// The index and the store generation it reflects.
struct Live {
    index: SearchIndex,
    generation: u64,
    /// The generation of its saved copy (0 when none).
    saved: u64,
}

struct Inner {
    store: Store,
    clock: Clock,
    index: RwLock<Option<Live>>,
    /// One save at a time.
    saving: Mutex<()>,
    start: Mutex<Option<IndexStart>>,
    done: AtomicU64,
    total: AtomicU64,
    ready: (Mutex<BuildState>, Condvar),
    /// Latest query generation per user: an older query in flight gives up.
    generations: Mutex<HashMap<String, Arc<AtomicU64>>>,
    /// Per-user narrowing state and scope, with the index version they were
    /// made on. Each behind its own lock: one user's search never waits for
    /// another's.
    sessions: Mutex<HashMap<String, Arc<Mutex<UserSearch>>>>,
    /// The service is being dropped: a build from the store stops early.
    closing: std::sync::atomic::AtomicBool,
    /// Set once the background build has been started.
    started: std::sync::atomic::AtomicBool,
    /// Bumped on every index change, so a session never narrows stale candidates.
    version: AtomicU64,
    /// Replaces [`default_catch_up_limit`] (tests reach the limit with a few records).
    catch_up_limit: Option<usize>,
    /// The saved index already being read, if the caller started it.
    preload: Mutex<Option<Preload>>,
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
        SearchService::lazy_with_limit(store, clock, None)
    }

    fn lazy_with_limit(store: Store, clock: Clock, catch_up_limit: Option<usize>) -> SearchService {
        let inner = Arc::new(Inner {
            store,
            clock,
            index: RwLock::new(None),
            saving: Mutex::new(()),
            start: Mutex::new(None),
            done: AtomicU64::new(0),
            // Not known until the builder counts; 0 of 1 reads as "indexing" meanwhile.
            total: AtomicU64::new(1),
            ready: (Mutex::new(BuildState::Building), Condvar::new()),
            generations: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            version: AtomicU64::new(0),
            started: std::sync::atomic::AtomicBool::new(false),
            closing: std::sync::atomic::AtomicBool::new(false),
            catch_up_limit,
            preload: Mutex::new(None),
        });
        SearchService {
            inner,
            background: Mutex::new(None),
        }
    }

    /// As [`SearchService::ensure_started`], using the saved index `preload`
    /// is reading when it is this store's (a start then waits for the store
    /// and the file together, not one after the other).
    pub fn start_with(&self, preload: Option<Preload>) {
        if let Some(preload) = preload {
            if preload.dir == snapshot_dir(&self.inner.store) {
                *self.inner.preload.lock().unwrap_or_else(|e| e.into_inner()) = Some(preload);
            }
        }
        self.ensure_started();
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
                let built = matches!(
                    *builder.start.lock().unwrap_or_else(|e| e.into_inner()),
                    Some(IndexStart::Built { .. })
                );
                let ok = outcome.is_ok();
                builder.finish(outcome);
                if ok {
                    builder.save(built);
                }
            });
        match spawned {
            Ok(handle) => *self.background.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle),
            Err(e) => self
                .inner
                .finish(Err(format!("could not start its thread ({e})"))),
        }
    }

    /// Waits until the background work (the build or load, and the save
    /// after it) has finished: tests and benchmarks that reopen the store.
    pub fn join_background(&self) {
        let handle = self
            .background
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    /// How the index came to be ready (None before it is).
    pub fn start_report(&self) -> Option<IndexStart> {
        self.inner
            .start
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Saves the index now if it has moved on since its saved copy.
    pub fn save_now(&self) {
        self.inner.save(true);
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

    /// A ticket was written to the store: the index catches up with the store.
    pub fn ticket_changed(&self, t: &Ticket) {
        self.inner.refresh(|| vec![ticket_doc(t)]);
    }

    /// Dossiers were written to the store: the index catches up with the store.
    pub fn dossiers_changed(&self, dossiers: &[Dossier]) {
        self.inner.refresh(|| {
            let now = (self.inner.clock)();
            dossiers.iter().map(|d| dossier_doc(d, now)).collect()
        });
        if self.inner.behind_saved() >= SAVE_AFTER_CHANGES {
            let inner = self.inner.clone();
            let _ = std::thread::Builder::new()
                .name("search-index-save".into())
                .spawn(move || inner.save(false));
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
        let Some(index) = guard.as_ref().map(|live| &live.index) else {
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

impl Drop for SearchService {
    /// A clean shutdown lets a save under way finish (a shell search that
    /// built the index leaves it saved for the next one), cuts a build from
    /// the store short, and saves the index when the next start would
    /// otherwise have many changes to catch up.
    fn drop(&mut self) {
        self.inner.closing.store(true, Ordering::SeqCst);
        self.join_background();
        if self.inner.behind_saved() >= SAVE_AFTER_CHANGES {
            self.inner.save(false);
        }
    }
}

impl Inner {
    /// Applies what changed in the store since the index's generation. If the
    /// change log cannot be read, the documents `fallback` makes (the record
    /// the caller just wrote) are applied instead, so the caller's own change
    /// shows either way.
    fn refresh(&self, fallback: impl FnOnce() -> Vec<SearchDoc>) {
        // Not started: the build, whenever it comes, reads this from the store.
        if !self.started.load(Ordering::SeqCst) {
            return;
        }
        // Records are read from the store without holding the index, so
        // searches and other writers go on meanwhile; if another writer moved
        // the index on in between, what was read may be older than what it
        // holds, so read again from there.
        for _ in 0..3 {
            let generation = match self
                .index
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            {
                Some(live) => live.generation,
                // Not ready: the build catches up with the store before it publishes.
                None => return,
            };
            let fetched = self.fetch_changes(generation);
            let mut guard = self.index.write().unwrap_or_else(|e| e.into_inner());
            let Some(live) = guard.as_mut() else {
                return;
            };
            if live.generation != generation {
                continue;
            }
            self.version.fetch_add(1, Ordering::SeqCst);
            if let Ok(Some((reached, docs))) = fetched {
                apply(&mut live.index, docs);
                live.generation = reached;
                return;
            }
            break;
        }
        // Contended, or the log failed: catch up holding the index.
        let mut guard = self.index.write().unwrap_or_else(|e| e.into_inner());
        let Some(live) = guard.as_mut() else {
            return;
        };
        self.version.fetch_add(1, Ordering::SeqCst);
        match self.catch_up(&mut live.index, live.generation) {
            Ok(Some((generation, _))) => live.generation = generation,
            outcome => {
                let why = match outcome {
                    Err(e) => e,
                    _ => "the change log no longer reaches back to it".into(),
                };
                tracing::error!("search index: could not catch up with the store ({why})");
                for doc in fallback() {
                    live.index.upsert(doc);
                }
            }
        }
    }

    /// Applies the store's changes after `generation` to `index`, reading
    /// each changed record as it is now. Returns the generation reached and
    /// how many records changed, or None when the log does not reach back.
    fn catch_up(
        &self,
        index: &mut SearchIndex,
        generation: u64,
    ) -> Result<Option<(u64, usize)>, String> {
        Ok(self.fetch_changes(generation)?.map(|(reached, docs)| {
            let n = docs.len();
            apply(index, docs);
            (reached, n)
        }))
    }

    /// The store's changes after `generation`, each record read as it is
    /// now, without touching the index. None when the log does not reach back.
    fn fetch_changes(&self, generation: u64) -> Result<Option<(u64, Vec<Refreshed>)>, String> {
        let Some(since) = self
            .store
            .changes_since(generation)
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        let now = (self.clock)();
        let mut changed = since.changed;
        // In key order, neighbouring records are read from the same pages.
        changed.sort_unstable();
        let read = |c: &Changed| -> Result<Refreshed, String> {
            match c {
                Changed::Ticket(id) => Ok((
                    DocKind::Ticket,
                    id.to_string(),
                    self.store
                        .ticket(*id)
                        .map_err(|e| e.to_string())?
                        .map(|t| ticket_doc(&t)),
                )),
                Changed::Dossier(code) => Ok((
                    DocKind::Dossier,
                    code.clone(),
                    self.store
                        .dossier(code)
                        .map_err(|e| e.to_string())?
                        .map(|d| dossier_doc(&d, now)),
                )),
            }
        };
        // A handful (one write's catch-up) is read here: waking every core
        // costs more than it saves, and the hub's writers keep them busy.
        let docs: Result<Vec<Refreshed>, String> = if changed.len() < 64 {
            changed.iter().map(read).collect()
        } else {
            changed.par_iter().map(read).collect()
        };
        Ok(Some((since.generation, docs?)))
    }

    /// How many changes the index is past its saved copy.
    fn behind_saved(&self) -> u64 {
        match self.index.try_read() {
            Ok(guard) => guard
                .as_ref()
                .map_or(0, |live| live.generation.saturating_sub(live.saved)),
            Err(_) => 0,
        }
    }

    /// Saves the index beside the store if `always` or it is far enough past
    /// its saved copy, then forgets the change log up to what was saved. A
    /// failed save is logged: the next start then builds or catches up more.
    fn save(&self, always: bool) {
        let _one = self.saving.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let dir = snapshot_dir(&self.store);
        let saved = {
            let guard = self.index.read().unwrap_or_else(|e| e.into_inner());
            let Some(live) = guard.as_ref() else {
                return;
            };
            let behind = live.generation.saturating_sub(live.saved);
            if !(always && (behind > 0 || live.saved == 0)) && behind < SAVE_AFTER_CHANGES {
                return;
            }
            let stamp = Stamp {
                generation: live.generation,
                marks: self.marks(),
                counters: self.counters(),
            };
            snapshot::save(&live.index, stamp, &dir).map(|size| (live.generation, size))
        };
        match saved {
            Ok((generation, size)) => {
                if let Some(live) = self
                    .index
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_mut()
                {
                    live.saved = live.saved.max(generation);
                }
                tracing::info!(
                    "search index saved at generation {generation}: {:.0} MB in {:?}",
                    size as f64 / 1e6,
                    started.elapsed()
                );
                if let Err(e) = self.store.forget_changes_through(generation) {
                    tracing::warn!("search index: could not trim the change log ({e})");
                }
            }
            Err(e) => tracing::warn!(
                "search index: could not save it in {} ({e}); the next start rebuilds or catches up",
                dir.display()
            ),
        }
    }

    /// What must not have changed for a saved index to be used: this
    /// hotline's version (document texts and tokenising), the store's schema
    /// and the embedded wards and procedures.
    fn marks(&self) -> u64 {
        let mut parts: Vec<String> = vec![
            env!("CARGO_PKG_VERSION").to_string(),
            self.store.schema_version().unwrap_or(0).to_string(),
        ];
        for doc in reference::wards()
            .iter()
            .map(ward_doc)
            .chain(reference::procedures().iter().map(procedure_doc))
        {
            parts.push(format!("{doc:?}"));
        }
        snapshot::fingerprint(parts.iter().map(|p| p.as_bytes()))
    }

    /// The store's counters: a saved index at the store's own generation
    /// must also agree with them (a hotline from before the change log
    /// writes tickets without recording them).
    fn counters(&self) -> u64 {
        let tickets = self.store.ticket_count().unwrap_or(0).to_le_bytes();
        let dossiers = self.store.dossier_count().unwrap_or(0).to_le_bytes();
        snapshot::fingerprint([&tickets[..], &dossiers[..]].into_iter())
    }

    /// Wakes every waiter with the build's outcome.
    fn finish(&self, outcome: Result<(), String>) {
        let state = match outcome {
            Ok(()) => BuildState::Ready,
            Err(why) => {
                if why != CLOSING {
                    tracing::error!("search index build failed: {why}");
                }
                BuildState::Failed(why)
            }
        };
        let (lock, cv) = &self.ready;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = state;
        cv.notify_all();
    }

    /// Makes the index ready: the saved one brought up to date, or one built
    /// from the store. Published only once it has caught up with the store.
    fn build(&self) -> Result<(), String> {
        let started = Instant::now();
        let (mut index, from, start) = match self.load_saved() {
            Ok((index, generation)) => (index, generation, None),
            Err(why) => {
                let from = self.store.generation().map_err(|e| e.to_string())?;
                (self.build_from_store()?, from, Some(why))
            }
        };
        let mut caught_up = 0;
        let mut generation = from;
        if let Some((g, n)) = self.catch_up(&mut index, generation)? {
            generation = g;
            caught_up += n;
        }
        let count = index.len() as u64;
        {
            // Changes written meanwhile; writers wait here, then find it published.
            let mut guard = self.index.write().unwrap_or_else(|e| e.into_inner());
            match self.catch_up(&mut index, generation)? {
                Some((g, n)) => {
                    generation = g;
                    caught_up += n;
                }
                None => return Err("the store's change log no longer reaches back".into()),
            }
            self.version.fetch_add(1, Ordering::SeqCst);
            *guard = Some(Live {
                index,
                generation,
                saved: if start.is_none() { from } else { 0 },
            });
        }
        let total = self.total.load(Ordering::Relaxed);
        self.total.store(count.max(total), Ordering::Relaxed);
        self.done.store(count.max(total), Ordering::Relaxed);
        let how = match start {
            None => {
                tracing::info!(
                    "search index: loaded its saved copy ({count} documents) and caught up {caught_up} changed records in {:?}",
                    started.elapsed()
                );
                IndexStart::Loaded { caught_up }
            }
            Some(why) => {
                tracing::info!(
                    "search index: built from the store ({why}): {count} documents in {:?}",
                    started.elapsed()
                );
                IndexStart::Built { why }
            }
        };
        *self.start.lock().unwrap_or_else(|e| e.into_inner()) = Some(how);
        Ok(())
    }

    fn catch_up_limit(&self, documents: usize) -> usize {
        self.catch_up_limit
            .unwrap_or_else(|| default_catch_up_limit(documents))
    }

    /// The saved index and the generation it reflects, if it may be used;
    /// otherwise why not (logged unless there is simply none yet).
    fn load_saved(&self) -> Result<(SearchIndex, u64), String> {
        let dir = snapshot_dir(&self.store);
        // Shown in documents, as a build is: the share of the file read so far.
        let documents = (reference::wards().len() + reference::procedures().len()) as u64
            + self.store.dossier_count().unwrap_or(0)
            + self.store.ticket_count().unwrap_or(0);
        self.total.store(documents.max(1), Ordering::Relaxed);
        let progress = |read: u64, size: u64| {
            let done = (documents as u128 * read as u128 / size.max(1) as u128) as u64;
            // Never "all done" before the index is ready.
            self.done
                .store(done.min(documents.saturating_sub(1)), Ordering::Relaxed);
        };
        let preload = self
            .preload
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let loaded = match preload {
            Some(preload) => {
                while !preload.handle.is_finished() {
                    let (read, size) = &*preload.read;
                    progress(read.load(Ordering::Relaxed), size.load(Ordering::Relaxed));
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                preload.handle.join()
            }
            None => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                snapshot::load(&dir, &progress)
            })),
        }
        .unwrap_or_else(|_| Err(SnapshotError::Damaged("it could not be parsed".into())));
        self.done.store(0, Ordering::Relaxed);
        self.total.store(1, Ordering::Relaxed);
        let refuse = |why: String| {
            tracing::warn!(
                "search index: the saved copy in {} is not used, {why}: rebuilding it from the store",
                dir.display()
            );
            why
        };
        let (index, stamp) = match loaded {
            Ok(loaded) => loaded,
            Err(SnapshotError::Missing) => return Err("no saved copy yet".into()),
            Err(e) => return Err(refuse(e.to_string())),
        };
        let generation = self.store.generation().map_err(|e| e.to_string())?;
        if stamp.marks != self.marks() {
            return Err(refuse(
                "it was saved by another version of hotline or for other reference data".into(),
            ));
        }
        if stamp.generation > generation {
            return Err(refuse(format!(
                "it is of generation {}, newer than the store's {generation}",
                stamp.generation
            )));
        }
        if stamp.generation == generation && stamp.counters != self.counters() {
            return Err(refuse(
                "the store changed without recording it (an older hotline wrote to it)".into(),
            ));
        }
        match self.store.changes_since(stamp.generation) {
            // Each changed record costs a read and an update (tens of
            // microseconds), a rebuild about ten microseconds a record.
            Ok(Some(since)) if since.changed.len() > self.catch_up_limit(index.len()) => {
                Err(refuse(format!(
                    "{} records changed since it was saved: rebuilding is quicker",
                    since.changed.len()
                )))
            }
            Ok(Some(_)) => Ok((index, stamp.generation)),
            Ok(None) => Err(refuse(format!(
                "the store's change log no longer reaches back to its generation {} (trimmed, or a bulk load since)",
                stamp.generation
            ))),
            Err(e) => Err(refuse(format!(
                "the store's change log is unreadable ({e})"
            ))),
        }
    }

    /// Builds the index from the store. A record that cannot be read fails
    /// the build: an index silently missing it would answer "no previous
    /// calls" for a caller who has some.
    ///
    /// Three stages overlap: a thread walks the store and decodes records,
    /// batches of them become documents on every core, and the index takes
    /// the documents in chunks that it tokenises on every core.
    fn build_from_store(&self) -> Result<SearchIndex, String> {
        const BATCH: usize = 4096;
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
        let unreadable = std::sync::Mutex::new(None::<String>);
        let note = |e: crate::store::StoreError| {
            unreadable
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e.to_string());
        };
        let stop = || {
            self.closing.load(Ordering::Relaxed)
                || unreadable
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .is_some()
        };
        let index = std::thread::scope(|scope| {
            let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Stored>>(8);
            let reader = std::thread::Builder::new()
                .name("search-index-read-store".into())
                .spawn_scoped(scope, || {
                    let batches = batches;
                    let records = self
                        .store
                        .all_dossier_bytes()
                        .map(|d| d.map(Stored::Dossier))
                        .chain(self.store.all_ticket_bytes().map(|t| t.map(Stored::Ticket)));
                    let mut batch = Vec::with_capacity(BATCH);
                    for record in records {
                        match record {
                            Ok(r) => batch.push(r),
                            Err(e) => {
                                note(e);
                                return;
                            }
                        }
                        if batch.len() == BATCH {
                            if stop() || batches.send(std::mem::take(&mut batch)).is_err() {
                                return;
                            }
                            batch.reserve(BATCH);
                        }
                    }
                    let _ = batches.send(batch);
                });
            if let Err(e) = reader {
                return Err(format!("could not start its thread ({e})"));
            }
            let items = wards
                .iter()
                .map(|w| Stored::Made(ward_doc(w)))
                .chain(procedures.iter().map(|p| Stored::Made(procedure_doc(p))))
                .chain(received.into_iter().flatten())
                .take_while(|_| !self.closing.load(Ordering::Relaxed))
                .inspect(|_| tick());
            // Inline, for the closure to take the signature build_with asks for.
            Ok(SearchIndex::build_with(items, total as usize, |r| {
                let made = match r {
                    Stored::Dossier(bytes) => {
                        Store::decode_dossier(bytes).map(|d| Cow::Owned(dossier_doc(&d, now)))
                    }
                    Stored::Ticket(bytes) => {
                        Store::decode_ticket(bytes).map(|t| Cow::Owned(ticket_doc(&t)))
                    }
                    Stored::Made(doc) => Ok(Cow::Borrowed(doc)),
                };
                made.map_err(note).ok()
            }))
        })?;
        if let Some(why) = unreadable.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(why);
        }
        if self.closing.load(Ordering::Relaxed) {
            return Err(CLOSING.into());
        }
        Ok(index)
    }
}

/// A record on its way to becoming a document: as stored (decoded with the
/// document made, on every core) or a reference record's document.
enum Stored {
    Dossier(sled::IVec),
    Ticket(sled::IVec),
    Made(SearchDoc),
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    format!("it stopped on an internal error ({what})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{demo_now, populate_demo, DemoConfig};
    use crate::domain::fixed_clock;

    fn start(dir: &std::path::Path, limit: usize) -> IndexStart {
        let store = Store::open(dir).unwrap();
        let service = SearchService::lazy_with_limit(store, fixed_clock(demo_now()), Some(limit));
        service.wait_ready().unwrap();
        service.join_background();
        service.start_report().unwrap()
    }

    /// Renames `n` dossiers, each in its own write (as many changed records).
    fn rename_dossiers(dir: &std::path::Path, n: usize, to: &str) {
        let store = Store::open(dir).unwrap();
        let dossiers: Vec<Dossier> = store.all_dossiers().take(n).map(|d| d.unwrap()).collect();
        assert_eq!(dossiers.len(), n);
        for mut d in dossiers {
            d.applicant_name = format!("{to} {}", d.code);
            store.put_dossiers(&[d]).unwrap();
        }
    }

    #[test]
    fn a_start_catches_up_to_the_limit_and_rebuilds_past_it() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let cfg = DemoConfig {
                dossiers: 40,
                tickets: 4,
                ..DemoConfig::default()
            };
            populate_demo(&store, &cfg).unwrap();
        }
        assert!(matches!(start(dir.path(), 5), IndexStart::Built { .. }));
        assert_eq!(start(dir.path(), 5), IndexStart::Loaded { caught_up: 0 });

        rename_dossiers(dir.path(), 5, "Xylo");
        assert_eq!(start(dir.path(), 5), IndexStart::Loaded { caught_up: 5 });

        // Not saved after catching up 5 (under SAVE_AFTER_CHANGES): 6 now.
        rename_dossiers(dir.path(), 6, "Zyther");
        match start(dir.path(), 5) {
            IndexStart::Built { why } => {
                assert_eq!(
                    why,
                    "6 records changed since it was saved: rebuilding is quicker"
                )
            }
            other => panic!("{other:?}"),
        }
        // The rebuild was saved: nothing to catch up next time.
        assert_eq!(start(dir.path(), 5), IndexStart::Loaded { caught_up: 0 });
    }
}
