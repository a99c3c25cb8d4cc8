//! SLA benchmarks: `cargo bench --bench sla`. Prints a table.
//! What the queues and the scheduler pay: loading the policy (holidays of
//! 2000–2100 computed from the lunar calendar), a working-time deadline, and
//! every clock of a queue's tickets. `HOTLINE_BENCH_TICKETS` sets the count
//! (default 10,000).

mod common;

use common::{env, header, row};
use hotline::domain::policy::{CalendarKind, Target};
use hotline::domain::{clocks, Kind, NewTicket, Policy, Priority, TicketId, Ts};
use std::time::Instant;

fn main() {
    header();
    let started = Instant::now();
    let policy = hotline::sla_files::load_from(
        std::path::Path::new("/nonexistent/sla_policy.toml"),
        std::path::Path::new("/nonexistent/vn_days_off.toml"),
    )
    .unwrap();
    row(
        "load the policy (holidays 2000–2100)",
        format!("{:.1} ms", started.elapsed().as_secs_f64() * 1e3),
    );

    // Deadlines of 5 working days in a ward's office hours, from starts
    // spread over 2025–2026 (weekends, lunch, Tết, 30/4 all met).
    let base = 1_735_664_400i64; // 2025-01-01 00:00 +07:00
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
    row("5-working-day ward deadline", format!("{per:.0} ns"));
    let cal = policy.calendar(CalendarKind::Ward, Some(26743));
    let started = Instant::now();
    for i in 0..n {
        let a = Ts(base + (i as i64 * 7_919) % (730 * 86_400));
        sink ^= cal.working_between(a, Ts(a.0 + 45 * 86_400));
    }
    let per = started.elapsed().as_secs_f64() * 1e9 / n as f64;
    row("working time over 45 days", format!("{per:.0} ns"));

    let count = env("HOTLINE_BENCH_TICKETS", 10_000);
    let tickets: Vec<_> = (0..count)
        .map(|i| {
            let kind = [
                Kind::Question,
                Kind::Complaint,
                Kind::Suggestion,
                Kind::Fault,
            ][i % 4];
            let mut nt = NewTicket::new(kind, "Phản ánh");
            nt.priority = [Priority::P1, Priority::P2, Priority::P3, Priority::P4][i % 4];
            nt.ward = Some(26743);
            nt.into_ticket_under(
                &policy,
                TicketId(i as u64 + 1),
                uuid::Uuid::nil(),
                "op",
                Ts(base + (i as i64 * 3_613) % (400 * 86_400)),
            )
            .unwrap()
        })
        .collect();
    let now = Ts(base + 200 * 86_400);
    let started = Instant::now();
    let mut views = 0;
    for t in &tickets {
        views += clocks(t, &policy, now).len();
    }
    let took = started.elapsed();
    row(
        &format!("clocks of {count} tickets ({views} clocks)"),
        format!("{:.1} ms", took.as_secs_f64() * 1e3),
    );
    row(
        "clocks of one queue screen (40 rows)",
        format!("{:.1} µs", took.as_secs_f64() * 1e6 * 40.0 / count as f64),
    );
    let _: &Policy = &policy;
    std::hint::black_box(sink);
}
