//! End-to-end: the real binary in a pseudo-terminal (portable-pty), the screen
//! read back with a terminal parser (vt100). Each test uses its own small demo
//! store in a temp dir and logs to a temp file (HOTLINE_LOG).

mod tui_common;

use std::path::{Path, PathBuf};
use tui_common::pty::{demo_store, escalate, log_ticket, Term, BIN, CTRL_C, CTRL_N, ESC, TAB};

/// Who calls in the tickets logged here.
const CALLER: &str = "Võ Thị Kiểm Thử";

/// The TUI on the demo store in `data`, as `user`, logging to `log`.
fn start(data: &Path, user: &str, log: &Path, cols: u16, rows: u16) -> Term {
    Term::command()
        .args(["--demo", "--data"])
        .arg(data)
        .args(["--user", user])
        .env("HOTLINE_LOG", log)
        .size(cols, rows)
        .start()
}

fn log(dir: &Path) -> PathBuf {
    dir.join("tui.log")
}

#[test]
fn create_quit_restart_and_find_by_phone_with_spaces() {
    let dir = demo_store(2000, 200);
    let mut t = start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    let id = log_ticket(&t, CALLER, "0938765432", "Kiểm thử e2e thanh toán");
    t.quit();

    let mut t = start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    t.open_screen("4", "Người gọi");
    t.type_text("0938 765 432");
    let screen = t.wait_for(&id);
    assert!(screen.contains("Kiểm thử e2e"), "{screen}");
    t.quit();
    let log_text = std::fs::read_to_string(log(dir.path())).unwrap_or_default();
    assert!(
        !log_text.contains("0938765432"),
        "the log must not hold phone numbers"
    );
}

#[test]
fn escalated_ticket_appears_in_the_ward_queue() {
    let dir = demo_store(2000, 200);
    let users = std::process::Command::new(BIN)
        .args(["--lang", "en", "--user", "admin", "user", "list", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    let users = String::from_utf8_lossy(&users.stdout).to_string();
    // A responder line names the user first and lists ward codes.
    let responder = users
        .lines()
        .find(|l| l.contains("responder"))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no responder in `hotline user list`:\n{users}"));
    let ward: Option<String> = users
        .lines()
        .find(|l| l.starts_with(&responder))
        .and_then(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 5)
                .map(str::to_string)
        });
    let ward = ward.unwrap_or_else(|| panic!("cannot tell {responder}'s ward from:\n{users}"));
    let mut t = start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    let id = log_ticket(&t, CALLER, "0938111222", "Kiểm thử chuyển phường");
    escalate(&t, &ward, "e2e");
    t.quit();

    let mut t = start(dir.path(), &responder, &log(dir.path()), 100, 30);
    t.open_screen("2", "Phường của tôi");
    t.wait_for(&id);
    t.quit();
}

#[test]
fn help_resize_and_quit_from_a_dirty_form() {
    let dir = demo_store(2000, 200);
    let mut t = start(dir.path(), "lan.nt", &log(dir.path()), 80, 24);
    t.open_screen("?", "Trợ giúp");
    t.type_text("chuyen phuong");
    t.wait_for("Chuyển phường");
    t.send(ESC);
    // Too small, then back.
    t.resize(60, 20);
    t.wait_for("Cửa sổ quá nhỏ");
    t.resize(120, 40);
    t.wait_for("Hàng đợi");
    // A changed form asks before quitting.
    t.send(CTRL_N);
    t.wait_for("Phiếu mới");
    t.send(TAB);
    t.send(TAB);
    t.type_text("An");
    t.send(CTRL_C);
    t.wait_for("Vẫn thoát?");
    t.send("y");
    t.wait_exit();
    // The terminal was given back: alternate screen left.
    let screen = t.screen();
    assert!(!screen.contains("Phiếu mới"), "{screen}");
}

#[test]
fn a_wrong_user_gets_the_terminal_back_with_the_reason() {
    let dir = demo_store(2000, 200);
    let mut t = start(dir.path(), "nobody", &log(dir.path()), 100, 30);
    let status = t.wait_status();
    assert!(!status.success());
    let screen = t.screen();
    assert!(screen.contains("unknown user 'nobody'"), "{screen}");
    assert!(
        !screen.contains("1022 hotline"),
        "the TUI's screen is gone: {screen}"
    );
}

/// Keys typed before the store is open wait for it (and for who is signed
/// in), then act: here ctrl-n sent at once, before the first frame is read.
#[test]
fn keys_typed_while_the_store_opens_act_once_it_is_open() {
    let dir = demo_store(2000, 200);
    let mut t = start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    t.send(CTRL_N);
    let screen = t.wait_for("Phiếu mới");
    assert!(!screen.contains("không ghi nhận"), "{screen}");
    t.send(ESC);
    t.quit();
}
