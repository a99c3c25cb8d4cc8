//! Notification benchmark: `cargo bench --bench notify`.
//! Escalates tickets in a real store (each escalation writes its signed JSON
//! notification to the outbox in the same transaction) and times until a
//! local axum receiver got every one and the outbox is empty; then times single
//! escalations one at a time, each from the call until the receiver has it.
//! `HOTLINE_BENCH_NOTIFICATIONS` sets how many (default 2,000).

mod common;

use common::{env, header, pct, row};
use hotline::domain::{Change, EscalationRequest, FaultType, Kind, NewTicket, Priority, Role, Ts};
use hotline::domain::{Ticket, User};
use hotline::notify::Contacts;
use hotline::store::Store;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WARD: u32 = 26743;
const WRITERS: usize = 8;

/// Requests received, and the distinct idempotency keys among them.
type Seen = Arc<Mutex<(usize, HashSet<String>)>>;

fn operator() -> User {
    User {
        name: "op".into(),
        display_name: "op".into(),
        role: Role::Operator,
        wards: vec![],
    }
}

/// Logs `n` tickets (not timed: they notify nobody).
fn tickets(store: &Store, n: usize) -> Vec<Ticket> {
    let now = Ts::now();
    (0..n)
        .map(|i| {
            let mut new = NewTicket::new(Kind::Fault, &format!("Hồ sơ kẹt đồng bộ {i}"));
            new.priority = Priority::P2;
            store
                .create_ticket(uuid::Uuid::now_v7(), &new, "op", now)
                .unwrap()
                .0
        })
        .collect()
}

/// Escalates every ticket, `WRITERS` at a time (each write is durable when
/// it returns). Returns the seconds it took.
fn escalate_all(store: &Store, tickets: Vec<Ticket>) -> f64 {
    let started = Instant::now();
    let chunks: Vec<Vec<Ticket>> = tickets
        .chunks(tickets.len().div_ceil(WRITERS))
        .map(<[Ticket]>::to_vec)
        .collect();
    std::thread::scope(|s| {
        for chunk in chunks {
            s.spawn(move || {
                let op = operator();
                let change = Change::Escalate(EscalationRequest {
                    ward: WARD,
                    fault: FaultType::PortalSync,
                    level: 1,
                    severity: Priority::P2,
                    note: None,
                });
                for t in chunk {
                    let now = Ts::now();
                    store
                        .update_ticket(t.id, t.version, "op", now, |t| t.apply(&change, &op, now))
                        .unwrap();
                }
            });
        }
    });
    started.elapsed().as_secs_f64()
}

/// A receiver that accepts everything and keeps the idempotency keys.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .fallback(
            |axum::extract::State(seen): axum::extract::State<Seen>,
             headers: axum::http::HeaderMap| async move {
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let mut s = seen.lock().unwrap();
                s.0 += 1;
                s.1.insert(key);
                axum::http::StatusCode::OK
            },
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn wait_until_delivered(store: &Store, seen: &Mutex<(usize, HashSet<String>)>, n: usize) {
    let limit = Instant::now() + Duration::from_secs(600);
    while !(seen.lock().unwrap().1.len() >= n && store.outbox_counts().0 == 0) {
        assert!(Instant::now() < limit, "deliveries stalled");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn main() {
    let n = env("HOTLINE_BENCH_NOTIFICATIONS", 2_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (url, seen) = runtime.block_on(receiver());
    let mut contacts = Contacts::parse(
        "bench",
        &format!(
            "[[endpoint]]\nto = \"ward:{WARD}\"\nformat = \"json\"\nurl = \"{url}/hook\"\nsecret = \"bench-secret-0123456789\"\n"
        ),
    )
    .unwrap();
    contacts.delivery.max_attempts = 3;
    let contacts = Arc::new(contacts);

    header();
    row("notifications", n.to_string());

    // 1. A backlog: written while no sender runs, then drained.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    hotline::notify::install(&store, contacts.clone());
    let written = escalate_all(&store, tickets(&store, n));
    row(
        "escalations written with their outbox entry, per s",
        format!("{:.0}", n as f64 / written),
    );
    assert_eq!(store.outbox_counts().0, n);
    let started = Instant::now();
    let worker = hotline::notify::spawn_worker(store.clone(), contacts.clone(), None).unwrap();
    wait_until_delivered(&store, &seen, n);
    let drained = started.elapsed().as_secs_f64();
    worker.stop();
    row(
        "backlog delivered and recorded, notifications per s",
        format!("{:.0}", n as f64 / drained),
    );
    let requests = seen.lock().unwrap().0;
    row(
        "requests the receiver got (each key once)",
        requests.to_string(),
    );
    drop(store);

    // 2. End to end: the sender runs while the escalations are written.
    *seen.lock().unwrap() = Default::default();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    hotline::notify::install(&store, contacts.clone());
    let logged = tickets(&store, n);
    let worker = hotline::notify::spawn_worker(store.clone(), contacts.clone(), None).unwrap();
    let started = Instant::now();
    escalate_all(&store, logged);
    wait_until_delivered(&store, &seen, n);
    let total = started.elapsed().as_secs_f64();
    row(
        "escalation to delivery, all concurrent, per s",
        format!("{:.0}", n as f64 / total),
    );
    row("  the same, total seconds", format!("{total:.2}"));

    // 3. What one user waits for: a single escalation, from the call until
    // the receiver has its notification (the sender already running).
    let samples = 50.min(n);
    let mut waits = Vec::with_capacity(samples);
    for t in tickets(&store, samples) {
        let before = seen.lock().unwrap().1.len();
        let started = Instant::now();
        escalate_all(&store, vec![t]);
        wait_until_delivered(&store, &seen, before + 1);
        waits.push(started.elapsed());
    }
    worker.stop();
    waits.sort();
    row(
        &format!("one escalation to the receiver, p50 / p99 ({samples})"),
        format!("{:.1} / {:.1} ms", pct(&waits, 0.5), pct(&waits, 0.99)),
    );
}
