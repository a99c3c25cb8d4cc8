//! Live updates: every ticket created or changed through one backend is
//! published once, with an id that only grows, to the subscribers allowed to
//! see it (masked as in lists). A bounded ring of recent changes lets a
//! subscriber that reconnects catch up from the last id it saw; one too far
//! behind is told to reload instead.

use crate::domain::{can_see, Ticket, User};
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::sync::{broadcast, mpsc, watch};

/// Recent changes kept for catching up.
pub const RING_CAPACITY: usize = 4096;
/// Changes a slow subscriber may fall behind before it is told to reload.
const LAG_CAPACITY: usize = 1024;
/// Updates buffered for one subscriber.
const SUBSCRIBER_BUFFER: usize = 256;

/// What a subscriber receives.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveUpdate {
    /// A ticket the subscriber may see was created or changed (phone and
    /// CCCD masked, as in lists).
    Ticket { id: u64, ticket: Box<Ticket> },
    /// The same, with the masked ticket's JSON made once for every
    /// subscriber (the hub's event streams send it as it is).
    TicketJson {
        id: u64,
        ticket: Box<Ticket>,
        json: Arc<str>,
    },
    /// Changes were missed (the subscriber fell behind, or asked to catch
    /// up from further back than is kept): reload what is on screen.
    Reload { id: u64 },
    /// The link to the hub went down (`false`) or came back (remote clients only).
    Link { up: bool },
}

impl LiveUpdate {
    /// The event id, for `Last-Event-ID` (none for link changes).
    pub fn id(&self) -> Option<u64> {
        match self {
            LiveUpdate::Ticket { id, .. }
            | LiveUpdate::TicketJson { id, .. }
            | LiveUpdate::Reload { id } => Some(*id),
            LiveUpdate::Link { .. } => None,
        }
    }
}

/// The updates of one subscription; dropping it unsubscribes.
pub struct Subscription {
    rx: mpsc::Receiver<LiveUpdate>,
}

impl Subscription {
    pub fn new(rx: mpsc::Receiver<LiveUpdate>) -> Subscription {
        Subscription { rx }
    }

    /// The next update; `None` once the feed is gone.
    pub async fn next(&mut self) -> Option<LiveUpdate> {
        self.rx.recv().await
    }
}

impl futures_core::Stream for Subscription {
    type Item = LiveUpdate;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<LiveUpdate>> {
        self.rx.poll_recv(cx)
    }
}

#[derive(Debug)]
struct Published {
    id: u64,
    /// `None` in a catch-up list: "reload" (the ring cannot answer).
    ticket: Option<Ticket>,
    /// Masked once for everyone, and its JSON made at most once.
    masked: Option<(Ticket, std::sync::OnceLock<Arc<str>>)>,
}

impl Published {
    fn new(id: u64, ticket: Option<&Ticket>) -> Published {
        Published {
            id,
            ticket: ticket.cloned(),
            masked: ticket.map(|t| (t.clone().with_caller_masked(), Default::default())),
        }
    }
}

struct Ring {
    next_id: u64,
    recent: VecDeque<Arc<Published>>,
}

/// The publishing side, one per backend.
pub struct LiveFeed {
    ring: Mutex<Ring>,
    tx: broadcast::Sender<Arc<Published>>,
    subscribers: Arc<AtomicUsize>,
    delivered: Arc<AtomicU64>,
    /// Set when the backend closes: every subscription ends.
    closed: watch::Sender<bool>,
}

impl Default for LiveFeed {
    fn default() -> Self {
        LiveFeed::new()
    }
}

impl LiveFeed {
    pub fn new() -> LiveFeed {
        // Ids start at the start time in microseconds, so that they keep
        // growing across restarts of the process and an id from before a
        // restart is recognised as one the ring cannot answer.
        let first = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(1)
            .max(1);
        LiveFeed {
            ring: Mutex::new(Ring {
                next_id: first,
                recent: VecDeque::with_capacity(RING_CAPACITY),
            }),
            tx: broadcast::channel(LAG_CAPACITY).0,
            subscribers: Arc::new(AtomicUsize::new(0)),
            delivered: Arc::new(AtomicU64::new(0)),
            closed: watch::channel(false).0,
        }
    }

    /// Ends every subscription (a hub shutting down: open event streams
    /// would otherwise keep it waiting).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes a created or changed ticket; returns its event id.
    pub fn publish(&self, ticket: &Ticket) -> u64 {
        let mut ring = self.ring();
        let id = ring.next_id;
        ring.next_id += 1;
        let p = Arc::new(Published::new(id, Some(ticket)));
        if ring.recent.len() == RING_CAPACITY {
            ring.recent.pop_front();
        }
        ring.recent.push_back(p.clone());
        // Sent under the lock, so the ring and the broadcast agree on order.
        let _ = self.tx.send(p);
        id
    }

    /// Subscribers now.
    pub fn subscribers(&self) -> usize {
        self.subscribers.load(Ordering::Relaxed)
    }

    /// Updates handed to subscribers so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Subscribes `user`, first catching up on what came after event
    /// `after`. Must run inside a tokio runtime (a task feeds the subscription).
    pub fn subscribe(&self, user: User, after: Option<u64>) -> Subscription {
        self.subscribe_as(user, after, false)
    }

    /// As [`LiveFeed::subscribe`], each ticket's JSON included (made once
    /// for all subscribers): what the hub streams.
    pub fn subscribe_json(&self, user: User, after: Option<u64>) -> Subscription {
        self.subscribe_as(user, after, true)
    }

    fn subscribe_as(&self, user: User, after: Option<u64>, as_json: bool) -> Subscription {
        let (out, rx) = mpsc::channel(SUBSCRIBER_BUFFER);
        let (catch_up, live) = {
            let ring = self.ring();
            let live = self.tx.subscribe();
            let last = ring.next_id - 1;
            let catch_up: Vec<Arc<Published>> = match after {
                None => Vec::new(),
                Some(a) if a == last => Vec::new(),
                Some(a) => {
                    let oldest = ring.recent.front().map(|p| p.id).unwrap_or(ring.next_id);
                    if a >= last || a + 1 < oldest {
                        // From another run of the hub, or older than the ring keeps.
                        vec![Arc::new(Published::new(last, None))]
                    } else {
                        ring.recent.iter().filter(|p| p.id > a).cloned().collect()
                    }
                }
            };
            (catch_up, live)
        };
        let counter = SubscriberCount::new(self.subscribers.clone());
        let delivered = self.delivered.clone();
        let closed = self.closed.subscribe();
        tokio::spawn(feed(
            Feed {
                user,
                as_json,
                live,
                out,
                closed,
                delivered,
                _counted: counter,
            },
            catch_up,
        ));
        Subscription::new(rx)
    }
}

struct SubscriberCount(Arc<AtomicUsize>);

impl SubscriberCount {
    fn new(n: Arc<AtomicUsize>) -> SubscriberCount {
        n.fetch_add(1, Ordering::Relaxed);
        SubscriberCount(n)
    }
}

impl Drop for SubscriberCount {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn visible(user: &User, p: &Published, as_json: bool) -> Option<LiveUpdate> {
    let (Some(t), Some((masked, json))) = (&p.ticket, &p.masked) else {
        return Some(LiveUpdate::Reload { id: p.id });
    };
    if !can_see(user, t) {
        return None;
    }
    let ticket = Box::new(masked.clone());
    Some(if as_json {
        let json = json.get_or_init(|| serde_json::to_string(masked).unwrap_or_default().into());
        LiveUpdate::TicketJson {
            id: p.id,
            ticket,
            json: json.clone(),
        }
    } else {
        LiveUpdate::Ticket { id: p.id, ticket }
    })
}

struct Feed {
    user: User,
    /// Updates carry the ticket's JSON too (for the hub's event streams).
    as_json: bool,
    live: broadcast::Receiver<Arc<Published>>,
    out: mpsc::Sender<LiveUpdate>,
    closed: watch::Receiver<bool>,
    delivered: Arc<AtomicU64>,
    _counted: SubscriberCount,
}

impl Feed {
    async fn send(&self, u: LiveUpdate) -> bool {
        let ok = self.out.send(u).await.is_ok();
        if ok {
            self.delivered.fetch_add(1, Ordering::Relaxed);
        }
        ok
    }
}

async fn feed(mut f: Feed, catch_up: Vec<Arc<Published>>) {
    if *f.closed.borrow() {
        return;
    }
    let mut last_sent = 0;
    for p in catch_up {
        last_sent = p.id;
        if let Some(u) = visible(&f.user, &p, f.as_json) {
            if !f.send(u).await {
                return;
            }
        }
    }
    loop {
        let next = tokio::select! {
            _ = f.out.closed() => return,
            _ = f.closed.changed() => return,
            next = f.live.recv() => next,
        };
        let update = match next {
            // Already sent while catching up.
            Ok(p) if p.id <= last_sent => continue,
            Ok(p) => {
                last_sent = p.id;
                match visible(&f.user, &p, f.as_json) {
                    Some(u) => u,
                    None => continue,
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => LiveUpdate::Reload { id: last_sent },
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if !f.send(update).await {
            return;
        }
    }
}
