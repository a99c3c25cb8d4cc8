//! The sender: takes outbox entries in order, POSTs them (reqwest, with
//! connect and request timeouts), and records the outcome on the ticket's
//! timeline in the same transaction that takes the entry out. A failure is
//! tried again after an exponential backoff with jitter; after the last
//! attempt the entry becomes a dead letter. Every attempt of an entry, before
//! and after a restart, carries the same idempotency key.
//!
//! It runs on a thread of its own (with a small tokio runtime), so the hub,
//! the TUI's single-desk process and tests start it the same way, and it
//! sleeps until an entry is written or a retry is due.

use super::contacts::{Contacts, Delivery};
use super::event::{now_ms, Pending};
use super::format::render;
use crate::domain::{EventKind, Ticket, TicketId, Ts};
use crate::store::{Finished, Store};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Deliveries in flight at once.
const CONCURRENCY: usize = 32;

/// Who the timeline says recorded a delivery.
pub const SYSTEM_USER: &str = "hotline";

/// Told of every ticket a delivery or a failure changed (live updates).
pub type OnRecorded = Arc<dyn Fn(&Ticket) + Send + Sync>;

/// A running sender; dropping it stops the sender (deliveries in flight are
/// abandoned, and sent again under the same key by the next sender).
pub struct WorkerHandle {
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerHandle {
    /// Stops the sender and waits until it let go of the store.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            // The sender itself may drop the last handle (through a ticket
            // callback): it must not wait for itself.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Starts the sender for `store`'s outbox.
pub fn spawn_worker(
    store: Store,
    contacts: Arc<Contacts>,
    on_recorded: Option<OnRecorded>,
) -> std::io::Result<WorkerHandle> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let client = client(&contacts.delivery).map_err(std::io::Error::other)?;
    let thread = std::thread::Builder::new()
        .name("notify".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!("notifications: could not start the sender: {e}");
                    return;
                }
            };
            let worker = Worker {
                ctx: Arc::new(Context {
                    store,
                    contacts,
                    client,
                    on_recorded,
                }),
                queue: BTreeMap::new(),
                in_flight: HashSet::new(),
                seen: 0,
            };
            runtime.block_on(worker.run(stopped));
        })?;
    Ok(WorkerHandle {
        stop,
        thread: Some(thread),
    })
}

fn client(d: &Delivery) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(d.connect_timeout)
        .timeout(d.timeout)
        // A webhook that redirects is misconfigured; following it could
        // carry the signed event somewhere nobody listed.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hotline/", env!("CARGO_PKG_VERSION")))
        .build()
}

struct Context {
    store: Store,
    contacts: Arc<Contacts>,
    client: reqwest::Client,
    on_recorded: Option<OnRecorded>,
}

struct Worker {
    ctx: Arc<Context>,
    /// Entries waiting, by outbox id.
    queue: BTreeMap<u64, Pending>,
    in_flight: HashSet<u64>,
    /// The last outbox id read.
    seen: u64,
}

/// What became of one attempt.
enum Outcome {
    /// Out of the outbox (delivered or dead).
    Gone,
    /// To be tried again.
    Again(Box<Pending>),
}

impl Worker {
    async fn run(mut self, mut stopped: tokio::sync::watch::Receiver<bool>) {
        let signal = self.ctx.store.outbox_signal();
        let mut tasks: JoinSet<(u64, Outcome)> = JoinSet::new();
        self.read_new().await;
        loop {
            let now = now_ms();
            self.dispatch(now, &mut tasks);
            // With every slot busy, only a finished delivery makes room.
            let next = (self.in_flight.len() < CONCURRENCY)
                .then(|| {
                    self.queue
                        .iter()
                        .filter(|(id, _)| !self.in_flight.contains(id))
                        .map(|(_, p)| p.next_at_ms)
                        .min()
                })
                .flatten();
            let wait = match next {
                Some(at) => Duration::from_millis((at - now).clamp(0, 3_600_000) as u64),
                None => Duration::from_secs(3600),
            };
            tokio::select! {
                _ = stopped.changed() => break,
                _ = signal.notified() => self.read_new().await,
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Ok((id, outcome)) = done {
                        self.in_flight.remove(&id);
                        match outcome {
                            Outcome::Gone => { self.queue.remove(&id); }
                            Outcome::Again(p) => { self.queue.insert(id, *p); }
                        }
                    }
                }
                _ = tokio::time::sleep(wait) => {}
            }
        }
        tasks.abort_all();
    }

    /// Reads the entries written since the last read.
    async fn read_new(&mut self) {
        let store = self.ctx.store.clone();
        let after = self.seen;
        let entries = tokio::task::spawn_blocking(move || store.outbox_after(after)).await;
        let entries = match entries {
            Ok(Ok(e)) => e,
            Ok(Err(e)) => {
                tracing::warn!("notifications: could not read the outbox: {e}");
                return;
            }
            Err(e) => {
                tracing::warn!("notifications: could not read the outbox: {e}");
                return;
            }
        };
        let mut unreadable = Vec::new();
        for entry in entries {
            self.seen = self.seen.max(entry.id);
            match Pending::decode(&entry.body) {
                Ok(p) => {
                    self.queue.insert(entry.id, p);
                }
                Err(e) => {
                    tracing::warn!(
                        "notifications: outbox entry {} is unreadable ({e}): moved to the dead letters",
                        entry.id
                    );
                    unreadable.push(entry.id);
                }
            }
        }
        if unreadable.is_empty() {
            return;
        }
        // Among the dead letters, supervisors see it (and may discard it).
        let store = self.ctx.store.clone();
        let buried = tokio::task::spawn_blocking(move || {
            for id in unreadable {
                store.outbox_bury(id)?;
            }
            Ok::<_, crate::store::StoreError>(())
        })
        .await;
        if !matches!(buried, Ok(Ok(()))) {
            tracing::warn!("notifications: could not move unreadable entries to the dead letters");
        }
    }

    fn dispatch(&mut self, now: i64, tasks: &mut JoinSet<(u64, Outcome)>) {
        let room = CONCURRENCY.saturating_sub(self.in_flight.len());
        let due: Vec<u64> = self
            .queue
            .iter()
            .filter(|(id, p)| p.next_at_ms <= now && !self.in_flight.contains(id))
            .map(|(id, _)| *id)
            .take(room)
            .collect();
        for id in due {
            self.in_flight.insert(id);
            let pending = self.queue[&id].clone();
            let ctx = self.ctx.clone();
            tasks.spawn(async move { (id, attempt(ctx, id, pending).await) });
        }
    }
}

/// Why an attempt failed, and whether trying again can help.
struct Failure {
    message: String,
    permanent: bool,
}

async fn attempt(ctx: Arc<Context>, id: u64, mut pending: Pending) -> Outcome {
    let attempts = pending.attempts + 1;
    let result = match ctx.contacts.find(&pending.target) {
        None => Err(Failure {
            message: "the endpoint is no longer in contacts.toml".into(),
            permanent: true,
        }),
        Some(endpoint) => {
            let out = render(endpoint, &pending.event, now_ms() / 1000);
            send(&ctx.client, out).await
        }
    };
    let delivery = &ctx.contacts.delivery;
    let (event, dead) = match result {
        Ok(()) => (
            EventKind::NotificationSent {
                endpoint: pending.target.label.clone(),
                event: pending.event.kind.slug().into(),
                attempts,
            },
            None,
        ),
        Err(f) if f.permanent || attempts >= delivery.max_attempts => {
            pending.attempts = attempts;
            pending.last_error = Some(f.message.clone());
            (
                EventKind::NotificationFailed {
                    endpoint: pending.target.label.clone(),
                    event: pending.event.kind.slug().into(),
                    attempts,
                    error: f.message,
                },
                Some(pending.encode()),
            )
        }
        Err(f) => {
            tracing::info!(
                "notifications: {} to {} failed (attempt {attempts}): {}",
                pending.event.kind.slug(),
                pending.target.label,
                f.message
            );
            pending.attempts = attempts;
            pending.last_error = Some(f.message);
            pending.next_at_ms = now_ms() + backoff(delivery, attempts).as_millis() as i64;
            let store = ctx.store.clone();
            let body = pending.encode();
            let saved = tokio::task::spawn_blocking(move || store.outbox_update(id, &body)).await;
            if !matches!(saved, Ok(Ok(()))) {
                tracing::warn!("notifications: could not note attempt {attempts} of entry {id}");
            }
            return Outcome::Again(Box::new(pending));
        }
    };
    let done = Finished {
        ticket: TicketId(pending.ticket),
        event,
        by: SYSTEM_USER.into(),
        at: Ts::now(),
        dead,
    };
    let store = ctx.store.clone();
    let recorded = tokio::task::spawn_blocking(move || store.outbox_finish(id, &done)).await;
    match recorded {
        Ok(Ok(ticket)) => {
            if let (Some(t), Some(tell)) = (ticket, &ctx.on_recorded) {
                tell(&t);
            }
            Outcome::Gone
        }
        failed => {
            let why = match failed {
                Ok(Err(e)) => e.to_string(),
                Err(e) => e.to_string(),
                Ok(Ok(_)) => String::new(),
            };
            tracing::warn!("notifications: could not record entry {id}: {why}");
            // Tried again later; the receiver sees the same key again.
            pending.next_at_ms = now_ms() + delivery.first_retry.as_millis() as i64;
            Outcome::Again(Box::new(pending))
        }
    }
}

async fn send(client: &reqwest::Client, out: super::format::Outgoing) -> Result<(), Failure> {
    let mut request = client.post(&out.url).body(out.body);
    for (name, value) in out.headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            // A request the endpoint refuses as such will not pass later
            // either; throttling and timeouts will.
            let permanent = status.is_client_error() && !matches!(status.as_u16(), 408 | 425 | 429);
            Err(Failure {
                message: format!("HTTP {status}"),
                permanent,
            })
        }
        Err(e) => Err(Failure {
            message: describe(e),
            permanent: false,
        }),
    }
}

/// A reqwest error without its URL (a Telegram URL holds the bot's token).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    if e.is_timeout() {
        return "no answer in time (timed out)".into();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(300).collect()
}

/// The wait after failed attempt `attempts`: the first retry's wait,
/// doubled for each attempt since, at most `max_retry`; then between half
/// and all of it at random, so many senders failing at once do not retry
/// in step.
pub fn backoff(d: &Delivery, attempts: u32) -> Duration {
    let doubled = d
        .first_retry
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(20))
        .min(d.max_retry);
    let half = doubled / 2;
    half + half.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_cap() {
        let d = Delivery {
            first_retry: Duration::from_secs(4),
            max_retry: Duration::from_secs(60),
            ..Delivery::default()
        };
        for (attempts, full) in [(1, 4), (2, 8), (3, 16), (4, 32), (5, 60), (30, 60)] {
            for _ in 0..50 {
                let w = backoff(&d, attempts);
                assert!(w >= Duration::from_secs(full) / 2, "{attempts}: {w:?}");
                assert!(w <= Duration::from_secs(full), "{attempts}: {w:?}");
            }
        }
    }
}
