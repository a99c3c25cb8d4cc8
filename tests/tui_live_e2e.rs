//! Live updates end to end: two TUIs (the real binary, each in a
//! pseudo-terminal) on one `hotline serve`. The operator escalates a ticket;
//! the ward team's queue shows it, marked, with the terminal bell, without
//! a key pressed there.

mod hub_common;
mod tui_common;

use hub_common::Hub;
use std::time::{Duration, Instant};
use tui_common::pty::{demo_store, log_ticket, token, Term, CTRL_U, ENTER};

#[test]
fn an_escalation_appears_in_the_ward_queue_without_a_key_press() {
    let dir = demo_store(300, 30);
    let lan = token(dir.path(), "lan.nt");
    let ward_team = token(dir.path(), "ut.benthanh");
    let hub = Hub::start(dir.path());

    // The ward team looks at its queue, and then touches nothing.
    let mut team = Term::through_hub(&hub.url, &ward_team);
    team.open_screen("2", "Phường của tôi");
    let host = hub.url.trim_start_matches("http://").to_string();
    team.wait_for(&format!("hub {host} ●"));

    // The operator logs a ticket and escalates it to Bến Thành.
    let mut op = Term::through_hub(&hub.url, &lan);
    let id = log_ticket(&op, "Võ Thị Trực Tuyến", "0938111222", "Cập nhật trực tiếp");
    assert!(
        !team.screen().contains(&id),
        "not escalated yet, not in the ward queue"
    );
    op.send("e");
    op.wait_for("Chuyển phường —");
    op.send(CTRL_U);
    op.type_text("26743");
    op.send(ENTER);
    op.send(ENTER);
    op.send(ENTER);
    op.send(ENTER);
    op.type_text("trực tiếp");
    let escalated = Instant::now();
    op.send(ENTER);
    op.wait_for("Đã chuyển phường");

    // No key pressed in the ward team's terminal since the queue opened.
    let screen = team.wait_for(&format!("{id}●"));
    let took = escalated.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "shown {took:?} after the escalation"
    );
    assert!(screen.contains("Cập nhật trực tiếp"), "{screen}");
    assert!(team.bells() >= 1, "the terminal bell rang");
    assert_eq!(op.bells(), 0, "the operator's terminal stays quiet");
    eprintln!("the escalation reached the ward queue in {took:?}");
    op.quit();
    team.quit();
    drop(hub);
}
