//! Store and demo-data benchmarks: `cargo bench --bench store`.
//! Prints a table; figures go in the README's performance section.
//! `HOTLINE_BENCH_DOSSIERS` sets the demo size (default 1,000,000).

mod common;

use common::{env, header, pct, row, rss_mb};
use hotline::api::{Backend, HotlineApi, LocalApi};
use hotline::demo::{self, DemoConfig};
use hotline::domain::{system_clock, Change, Kind, NewTicket, Role, Ts, User};
use hotline::store::{ListQuery, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `writers` operators logging tickets at once through `LocalApi` for
/// `for_how_long`: what each waits for is the whole create, fsync included.
/// Returns (creates per second, p50 ms, p99 ms, creates per fsync).
fn concurrent_creates(
    backend: &Arc<Backend>,
    op: &User,
    writers: usize,
    for_how_long: Duration,
) -> (f64, f64, f64, f64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(writers.max(1) + 2)
        .enable_all()
        .build()
        .unwrap();
    let syncs_before = backend.store.durable_syncs();
    let started = Instant::now();
    let latencies: Vec<Duration> = runtime.block_on(async {
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                let api = LocalApi::new(backend.clone(), op.clone());
                tokio::spawn(async move {
                    let mut took = Vec::new();
                    let mut i = 0;
                    while started.elapsed() < for_how_long {
                        let mut n = NewTicket::new(Kind::Complaint, &format!("Phản ánh {w}-{i}"));
                        n.caller_phone = format!("0913{w:03}{:03}", i % 1000);
                        let t = Instant::now();
                        api.create_ticket(uuid::Uuid::now_v7(), n).await.unwrap();
                        took.push(t.elapsed());
                        i += 1;
                    }
                    took
                })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    let syncs = backend.store.durable_syncs() - syncs_before;
    let mut sorted = latencies;
    sorted.sort();
    (
        sorted.len() as f64 / elapsed,
        pct(&sorted, 0.5),
        pct(&sorted, 0.99),
        sorted.len() as f64 / syncs.max(1) as f64,
    )
}

fn main() {
    let n_dossiers = env("HOTLINE_BENCH_DOSSIERS", 1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // As `hotline demo` opens it for a bulk load (a larger sled page cache).
    let store = Store::open_with_cache(dir.path(), 512 * 1024 * 1024).unwrap();
    header();

    let n_tickets = env("HOTLINE_BENCH_TICKETS", 100_000);
    let cfg = DemoConfig {
        dossiers: n_dossiers,
        tickets: n_tickets,
        ..DemoConfig::default()
    };
    let t = Instant::now();
    let count = demo::dossiers(&cfg).count();
    row(
        &format!("generate {count} demo dossiers (no store)"),
        format!("{:.2} s", t.elapsed().as_secs_f64()),
    );

    let t = Instant::now();
    let summary = hotline_bench_populate(&store, &cfg);
    row(
        &format!(
            "demo store with {} dossiers, {} tickets",
            summary.0, summary.1
        ),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    );
    row(
        "store size on disk",
        format!("{:.0} MB", store.size_on_disk() as f64 / 1e6),
    );
    row(
        "process RSS after population",
        format!("{:.0} MB", rss_mb("self")),
    );

    let op = User {
        name: "op".into(),
        display_name: "op".into(),
        role: Role::Operator,
        wards: vec![],
    };
    let mut creates = Vec::new();
    let mut ids = Vec::new();
    for i in 0..500 {
        let mut n = NewTicket::new(Kind::Complaint, &format!("Phản ánh {i}"));
        n.caller_phone = format!("09120{:05}", i % 100);
        let t = Instant::now();
        let (ticket, _) = store
            .create_ticket(uuid::Uuid::now_v7(), &n, "op", Ts(1_763_600_000 + i))
            .unwrap();
        creates.push(t.elapsed());
        ids.push(ticket);
    }
    creates.sort();
    row(
        "create ticket (durable) p50 / p95",
        format!("{:.2} / {:.2} ms", pct(&creates, 0.5), pct(&creates, 0.95)),
    );

    let mut updates = Vec::new();
    for t in &ids {
        let start = Instant::now();
        store
            .update_ticket(t.id, t.version, "op", Ts(1_763_600_100), |tk| {
                tk.apply(&Change::Start, &op, Ts(1_763_600_100))
            })
            .unwrap();
        updates.push(start.elapsed());
    }
    updates.sort();
    row(
        "update ticket (durable) p50 / p95",
        format!("{:.2} / {:.2} ms", pct(&updates, 0.5), pct(&updates, 0.95)),
    );

    // Group commit: concurrent writers share fsyncs.
    let backend = Backend::lazy(store.clone(), system_clock(), true);
    for writers in [1, 8, 50] {
        let (rate, p50, p99, per_sync) =
            concurrent_creates(&backend, &op, writers, Duration::from_secs(3));
        row(
            &format!("{writers} concurrent writers: creates/s, p50 / p99"),
            format!("{rate:.0}/s, {p50:.1} / {p99:.1} ms"),
        );
        row(
            &format!("{writers} concurrent writers: creates per fsync"),
            format!("{per_sync:.1}"),
        );
    }

    let mut lists = Vec::new();
    for i in 0..200 {
        let start = Instant::now();
        let page = store
            .list_tickets(
                &ListQuery::Phone(format!("09120{:05}", i % 100)),
                50,
                None,
                |_| true,
            )
            .unwrap();
        assert!(!page.tickets.is_empty());
        lists.push(start.elapsed());
    }
    lists.sort();
    row(
        "list tickets by phone p50 / p95",
        format!("{:.2} / {:.2} ms", pct(&lists, 0.5), pct(&lists, 0.95)),
    );

    let start = Instant::now();
    let mut n = 0;
    for d in store.all_dossiers() {
        d.unwrap();
        n += 1;
    }
    row(
        &format!("read + decode all {n} dossiers"),
        format!("{:.2} s", start.elapsed().as_secs_f64()),
    );
    row(
        "process RSS before reopening",
        format!("{:.0} MB", rss_mb("self")),
    );

    // Cold start of a process on this store: open, then build the search index in the background.
    drop(backend);
    drop(store);
    let start = Instant::now();
    let store = Store::open(dir.path()).unwrap();
    row(
        "open the store",
        format!("{:.0} ms", start.elapsed().as_secs_f64() * 1e3),
    );
    let backend = Backend::new(store, system_clock(), true);
    backend.search.wait_ready().expect("search index built");
    row(
        "cold start: open + search index ready",
        format!("{:.1} s", start.elapsed().as_secs_f64()),
    );
    row(
        "process RSS with store and index open",
        format!("{:.0} MB", rss_mb("self")),
    );
}

fn hotline_bench_populate(store: &Store, cfg: &DemoConfig) -> (usize, usize) {
    let s = hotline::demo::populate_demo(store, cfg).unwrap();
    (s.dossiers, s.tickets)
}
