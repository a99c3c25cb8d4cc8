//! End-to-end through a hub: the real binary in a pseudo-terminal started
//! with `--server URL` (token in HOTLINE_TOKEN) against `hotline serve` on
//! 127.0.0.1, working the screens the embedded TUI has: the new-ticket form,
//! detail actions, search, queues and (as a supervisor) the dashboard.

mod hub_common;
mod tui_common;

use hub_common::Hub;
use tui_common::pty::{demo_store, escalate, log_ticket, token, Term, BIN};

#[test]
fn the_tui_works_through_a_hub() {
    let dir = demo_store(2000, 200);
    let lan = token(dir.path(), "lan.nt");
    let ward_team = token(dir.path(), "ut.benthanh");
    let supervisor = token(dir.path(), "giamsat");
    let hub = Hub::start(dir.path());

    // An operator logs a ticket, escalates it from the detail screen, and finds it by search.
    let mut t = Term::through_hub(&hub.url, &lan);
    // The status bar names the hub.
    let host = hub.url.trim_start_matches("http://").to_string();
    t.wait_for(&format!("hub {host}"));
    let id = log_ticket(&t, "Võ Thị Kiểm Thử", "0938765432", "Kiểm thử qua hub");
    escalate(&t, "26743", "qua hub");
    t.quit();
    // A new session opens on the search screen.
    let mut t = Term::through_hub(&hub.url, &lan);
    t.wait_for("1022 hotline");
    t.type_text("0938765432");
    let screen = t.wait_for(&id);
    assert!(screen.contains("Kiểm thử qua hub"), "{screen}");
    t.quit();

    // The ward team finds it in their queue.
    let mut t = Term::through_hub(&hub.url, &ward_team);
    t.open_screen("2", "Phường của tôi");
    t.wait_for(&id);
    t.quit();

    // The supervisor's dashboard.
    let mut t = Term::through_hub(&hub.url, &supervisor);
    t.open_screen("3", "Tỉ lệ đúng hạn");
    t.wait_for("Tổng phiếu");
    t.quit();

    // Started on the data directory the hub holds: through the hub, unasked.
    let data = dir.path().display().to_string();
    let mut t = Term::with_token(&["--data", &data], &lan);
    t.wait_for("1022 hotline");
    t.type_text("0938765432");
    t.wait_for(&id);
    t.quit();
    drop(hub);
}

#[test]
fn the_tui_without_a_token_says_how_to_sign_in() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        // In English (tests/one_language.rs covers Vietnamese).
        .args(["--lang", "en", "--server", "http://127.0.0.1:9"])
        .env("HOTLINE_CONFIG", home.path().join("config.toml"))
        .env("HOTLINE_LOG", home.path().join("tui.log"))
        .env_remove("HOTLINE_TOKEN")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not signed in to http://127.0.0.1:9: run `hotline login http://127.0.0.1:9`"),
        "{err}"
    );
}
