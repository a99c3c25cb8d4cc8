//! Store and demo-data benchmarks: `cargo bench --bench store`.
//! Prints a table; figures go in the README's performance section.
//! `HOTLINE_BENCH_DOSSIERS` sets the demo size (default 1,000,000).

use hotline::demo::{self, DemoConfig};
use hotline::domain::{Change, Kind, NewTicket, Role, Ts, User};
use hotline::store::{ListQuery, Store};
use std::time::{Duration, Instant};

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn row(name: &str, value: String) {
    println!("| {name:<44} | {value:>28} |");
}

fn main() {
    let n_dossiers: usize = std::env::var("HOTLINE_BENCH_DOSSIERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // As `hotline demo` opens it for a bulk load (a larger sled page cache).
    let store = Store::open_with_cache(dir.path(), 512 * 1024 * 1024).unwrap();
    println!("| {:<44} | {:>28} |", "measure", "value");
    println!("|{}|{}|", "-".repeat(46), "-".repeat(30));

    let n_tickets: usize = std::env::var("HOTLINE_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
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
        format!("{:.0} MB", rss_mb()),
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
        format!(
            "{:.2} / {:.2} ms",
            pct(&creates, 0.5).as_secs_f64() * 1e3,
            pct(&creates, 0.95).as_secs_f64() * 1e3
        ),
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
        format!(
            "{:.2} / {:.2} ms",
            pct(&updates, 0.5).as_secs_f64() * 1e3,
            pct(&updates, 0.95).as_secs_f64() * 1e3
        ),
    );

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
        format!(
            "{:.2} / {:.2} ms",
            pct(&lists, 0.5).as_secs_f64() * 1e3,
            pct(&lists, 0.95).as_secs_f64() * 1e3
        ),
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
        format!("{:.0} MB", rss_mb()),
    );

    // Cold start of a process on this store: open, then build the search index in the background.
    drop(store);
    let start = Instant::now();
    let store = Store::open(dir.path()).unwrap();
    row(
        "open the store",
        format!("{:.0} ms", start.elapsed().as_secs_f64() * 1e3),
    );
    let backend = hotline::api::Backend::new(store, hotline::domain::system_clock(), true);
    backend.search.wait_ready();
    row(
        "cold start: open + search index ready",
        format!("{:.1} s", start.elapsed().as_secs_f64()),
    );
    row(
        "process RSS with store and index open",
        format!("{:.0} MB", rss_mb()),
    );
}

fn hotline_bench_populate(store: &Store, cfg: &DemoConfig) -> (usize, usize) {
    let s = hotline::app::populate_demo(store, cfg).unwrap();
    (s.dossiers, s.tickets)
}
