//! The effect runner keeps at most one running and one pending job per kind
//! of load: holding `j` over a long result list (a preview per row) leaves no
//! backlog, and the last row's preview is the one that arrives last.

mod tui_common;

use hotline::domain::TicketId;
use hotline::tui::effect::{Effect, Runner};
use hotline::tui::msg::{ApiMsg, Msg};
use std::time::{Duration, Instant};
use tui_common::World;

#[test]
fn holding_j_over_a_thousand_rows_leaves_no_backlog() {
    let w = World::new();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Msg>();
    let mut runner = Runner::new(w.api("lan.nt"), rt.handle().clone(), tx, None);
    // One preview per row as the cursor moves down 1,000 rows.
    for generation in 1..=1_000u64 {
        runner.run(vec![Effect::PreviewTicket {
            generation,
            id: TicketId(1 + generation % 3),
        }]);
        let (running, pending) = runner.load();
        assert!(
            running <= 1 && pending <= 1,
            "{running} running, {pending} pending"
        );
    }
    // Collect what arrives until the runner is idle and nothing more comes.
    let mut arrived = Vec::new();
    let start = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(300)) {
            Ok(Msg::Api(m)) => {
                if let ApiMsg::PreviewTicket { generation, .. } = *m {
                    arrived.push(generation);
                }
            }
            Ok(_) => {}
            Err(_) if runner.load() == (0, 0) => break,
            Err(_) => {}
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no end in sight");
    }
    assert_eq!(arrived.last(), Some(&1_000), "{arrived:?}");
    assert!(arrived.len() < 50, "{} previews ran", arrived.len());
    assert_eq!(runner.load(), (0, 0));
}
