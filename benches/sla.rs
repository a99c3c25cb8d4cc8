//! SLA benchmarks: `cargo bench --bench sla`. Prints a table.
//!
//! The headline rows time what a user waits for, in process, through the real
//! `LocalApi` on a real sled store in a temp dir:
//!
//! - creating a ticket: the deadline computed under the policy, the ticket
//!   written to the store (and handed to the live feed and the index);
//! - opening a queue: one page of 40 tickets read from the store, and the
//!   clocks every row of the queue draws computed for them (the drawing of
//!   the frame itself is timed by `benches/tui.rs`).
//!
//! Below them, a breakdown of the pure computations (no store, no API), which
//! are parts of those paths and labelled as such.
//! `HOTLINE_BENCH_TICKETS` sets the number of tickets created (default 10,000).

mod common;

use common::{env, header, pct, row};
use hotline::api::{Backend, HotlineApi, LocalApi, Page, TicketFilter};
use hotline::domain::policy::{CalendarKind, Target};
use hotline::domain::{clocks, Kind, NewTicket, Priority, Role, Ts, User};
use hotline::store::Store;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    header();
    let base = 1_735_664_400i64; // 2025-01-01 00:00 +07:00
    let count = env("HOTLINE_BENCH_TICKETS", 10_000);

    // The store and the API a desk runs on. The clock is set by the bench:
    // each ticket is created at its own moment, queues are opened later.
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    for (name, role) in [("admin", Role::Admin), ("op", Role::Operator)] {
        store
            .put_user(&User {
                name: name.into(),
                display_name: name.into(),
                role,
                wards: vec![],
            })
            .unwrap();
    }
    let at = Arc::new(AtomicI64::new(base));
    let clock_at = at.clone();
    let started = Instant::now();
    let backend = Backend::new(
        store,
        Arc::new(move || Ts(clock_at.load(Ordering::Relaxed))),
        false,
    );
    row(
        "start the API on the open store (shipped policy)",
        format!("{:.1} ms", started.elapsed().as_secs_f64() * 1e3),
    );
    let op = backend.store.user("op").unwrap().unwrap();
    let api = LocalApi::new(backend.clone(), op);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");

    // Creating tickets, each timed from the call to the stored ticket.
    let mut creates = Vec::with_capacity(count);
    rt.block_on(async {
        for i in 0..count {
            let kind = [
                Kind::Question,
                Kind::Complaint,
                Kind::Suggestion,
                Kind::Fault,
            ][i % 4];
            let mut nt = NewTicket::new(kind, "Phản ánh");
            nt.priority = [Priority::P1, Priority::P2, Priority::P3, Priority::P4][i % 4];
            nt.ward = Some(26743);
            at.store(
                base + (i as i64 * 3_613) % (400 * 86_400),
                Ordering::Relaxed,
            );
            let started = Instant::now();
            let t = api
                .create_ticket(uuid::Uuid::now_v7(), nt)
                .await
                .expect("create ticket");
            creates.push(started.elapsed());
            std::hint::black_box(t.id);
        }
    });
    creates.sort();
    row(
        &format!("create a ticket, deadline computed (p50 of {count})"),
        format!("{:.3} ms", pct(&creates, 0.5)),
    );
    row(
        "create a ticket, deadline computed (p99)",
        format!("{:.3} ms", pct(&creates, 0.99)),
    );

    // Opening a queue: a page of 40 from the store, and every row's clocks.
    at.store(base + 200 * 86_400, Ordering::Relaxed);
    let runs = 200;
    let mut opens: Vec<Duration> = Vec::with_capacity(runs);
    let mut drawn = 0;
    rt.block_on(async {
        for _ in 0..runs {
            let started = Instant::now();
            let page = api
                .list_tickets(
                    TicketFilter::default(),
                    Page {
                        limit: 40,
                        after: None,
                    },
                )
                .await
                .expect("list tickets");
            let now = (backend.clock)();
            drawn = 0;
            for t in &page.tickets {
                drawn += clocks(t, &backend.policy, now).len();
            }
            opens.push(started.elapsed());
        }
    });
    opens.sort();
    row(
        &format!("open a queue: 40 rows + {drawn} clocks (p50)"),
        format!("{:.3} ms", pct(&opens, 0.5)),
    );
    row(
        "open a queue: 40 rows + clocks (p99)",
        format!("{:.3} ms", pct(&opens, 0.99)),
    );
    let policy = &backend.policy;

    // Breakdown: the pure computations inside those paths, without the store.
    let started = Instant::now();
    let loaded = hotline::sla_files::load_from(
        std::path::Path::new("/nonexistent/sla_policy.toml"),
        std::path::Path::new("/nonexistent/vn_days_off.toml"),
    )
    .unwrap();
    row(
        "breakdown: load the policy (holidays 2000–2100)",
        format!("{:.1} ms", started.elapsed().as_secs_f64() * 1e3),
    );
    std::hint::black_box(&loaded);
    // Deadlines of 5 working days in a ward's office hours, from starts
    // spread over 2025–2026 (weekends, lunch, Tết, 30/4 all met).
    let five_days = Target {
        days: 5,
        secs: 0,
        calendar: CalendarKind::Ward,
    };
    let n = 200_000;
    let started = Instant::now();
    let mut sink = 0i64;
    for i in 0..n {
        let start = Ts(base + (i as i64 * 7_919) % (730 * 86_400));
        sink ^= policy.deadline(five_days, start, Some(26743)).0;
    }
    let per = started.elapsed().as_secs_f64() * 1e9 / n as f64;
    row(
        "breakdown: 5-working-day ward deadline alone",
        format!("{per:.0} ns"),
    );
    let cal = policy.calendar(CalendarKind::Ward, Some(26743));
    let started = Instant::now();
    for i in 0..n {
        let a = Ts(base + (i as i64 * 7_919) % (730 * 86_400));
        sink ^= cal.working_between(a, Ts(a.0 + 45 * 86_400));
    }
    let per = started.elapsed().as_secs_f64() * 1e9 / n as f64;
    row(
        "breakdown: working time over 45 days alone",
        format!("{per:.0} ns"),
    );
    std::hint::black_box(sink);
}
