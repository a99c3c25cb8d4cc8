//! End-to-end: the real binary in a pseudo-terminal (portable-pty), the screen
//! read back with a terminal parser (vt100). Each test uses its own small demo
//! store in a temp dir and logs to a temp file (HOTLINE_LOG).

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hotline");
const CTRL_C: &str = "\x03";
const CTRL_N: &str = "\x0e";
const CTRL_S: &str = "\x13";
const ESC: &str = "\x1b";
const TAB: &str = "\t";
const ENTER: &str = "\r";
const BACK_TAB: &str = "\x1b[Z";

/// A small demo store, generated once per test.
fn demo_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(BIN)
        .args(["demo", "--dossiers", "2000", "--tickets", "200", "--data"])
        .arg(dir.path())
        .env("HOTLINE_LOG", dir.path().join("demo.log"))
        .output()
        .expect("hotline demo");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    dir
}

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl Term {
    fn start(data: &Path, user: &str, log: &Path, cols: u16, rows: u16) -> Term {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(["--demo", "--data"]);
        cmd.arg(data);
        cmd.args(["--user", user]);
        cmd.env("HOTLINE_LOG", log);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let p = parser.clone();
        let writer = Arc::new(Mutex::new(pair.master.take_writer().unwrap()));
        let answer = writer.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                // Answer cursor-position queries as a real terminal would.
                if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                    let (row, col) = p.lock().unwrap().screen().cursor_position();
                    let mut w = answer.lock().unwrap();
                    let _ = write!(w, "\x1b[{};{}R", row + 1, col + 1);
                    let _ = w.flush();
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            parser,
            writer,
            master: pair.master,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn send(&mut self, s: &str) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(s.as_bytes()).unwrap();
        w.flush().unwrap();
        drop(w);
        // A lone ESC read together with the next key is that key with Alt
        // (crossterm's reading of "\x1b?"): on a busy machine the app reads
        // late, so give it time to take the ESC on its own.
        let pause = if s == "\x1b" { 250 } else { 40 };
        std::thread::sleep(Duration::from_millis(pause));
    }

    /// Types text a character at a time, as a person would.
    fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.send(&c.to_string());
        }
    }

    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("'{text}' did not appear; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The parser takes the new size first: the application redraws as soon
    /// as the terminal tells it, and that frame must not meet the old size.
    fn resize(&mut self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows, cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    fn wait_exit(&mut self) {
        let status = self.wait_status();
        assert!(status.success(), "exit status {status:?}");
    }

    fn wait_status(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader thread take the last output.
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn log(dir: &Path) -> PathBuf {
    dir.join("tui.log")
}

/// Logs a ticket from keystrokes; returns its id as shown.
fn log_ticket(t: &mut Term, phone: &str, subject: &str) -> String {
    t.wait_for("1022 hotline");
    t.send(CTRL_N);
    t.wait_for("Phiếu mới");
    t.send(TAB);
    t.send(TAB);
    t.type_text("Võ Thị Kiểm Thử");
    t.send(TAB);
    t.type_text(phone);
    t.send(TAB);
    t.send(TAB);
    t.type_text("ben nghe");
    t.wait_for("trước đây");
    t.send(ENTER); // picks the ward, moves to the category
    t.send(TAB);
    t.send(TAB);
    t.type_text(subject);
    t.send(CTRL_S);
    let screen = t.wait_for(subject);
    let screen = if screen.contains("Đã tạo phiếu") {
        screen
    } else {
        t.wait_for("Đã tạo phiếu")
    };
    let id = screen
        .split_whitespace()
        .find(|w| w.starts_with("PA-"))
        .expect("ticket id on screen")
        .to_string();
    id
}

#[test]
fn create_quit_restart_and_find_by_phone_with_spaces() {
    let dir = demo_store();
    let mut t = Term::start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    let id = log_ticket(&mut t, "0938765432", "Kiểm thử e2e thanh toán");
    t.send(CTRL_C);
    t.wait_exit();

    let mut t = Term::start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    t.wait_for("1022 hotline");
    t.send(ESC);
    t.send("4");
    t.wait_for("Người gọi");
    t.type_text("0938 765 432");
    let screen = t.wait_for(&id);
    assert!(screen.contains("Kiểm thử e2e"), "{screen}");
    t.send(CTRL_C);
    t.wait_exit();
    let log_text = std::fs::read_to_string(log(dir.path())).unwrap_or_default();
    assert!(
        !log_text.contains("0938765432"),
        "the log must not hold phone numbers"
    );
}

#[test]
fn escalated_ticket_appears_in_the_ward_queue() {
    let dir = demo_store();
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
    let mut t = Term::start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    let id = log_ticket(&mut t, "0938111222", "Kiểm thử chuyển phường");
    t.send("e");
    t.wait_for("Chuyển phường —");
    // Every default is filled in, so the dialog starts on its last field (the
    // note); back to the ward to replace it with the responder's ward code.
    for _ in 0..4 {
        t.send(BACK_TAB);
    }
    t.send("\x15"); // ctrl-u clears the field
    t.type_text(&ward);
    t.send(ENTER); // pick the ward, on to the fault type
    t.send(ENTER); // fault type → severity
    t.send(ENTER); // severity → level
    t.send(ENTER); // level (the ward team) → note
    t.type_text("e2e");
    t.send(ENTER); // submit
    t.wait_for("Đã chuyển phường");
    t.send(CTRL_C);
    t.wait_exit();

    let mut t = Term::start(dir.path(), &responder, &log(dir.path()), 100, 30);
    t.wait_for("1022 hotline");
    t.send(ESC);
    t.send("2");
    t.wait_for("Phường của tôi");
    t.wait_for(&id);
    t.send(CTRL_C);
    t.wait_exit();
}

#[test]
fn help_resize_and_quit_from_a_dirty_form() {
    let dir = demo_store();
    let mut t = Term::start(dir.path(), "lan.nt", &log(dir.path()), 80, 24);
    t.wait_for("1022 hotline");
    t.send(ESC);
    t.send("?");
    t.wait_for("Trợ giúp");
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
    let dir = demo_store();
    let mut t = Term::start(dir.path(), "nobody", &log(dir.path()), 100, 30);
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
    let dir = demo_store();
    let mut t = Term::start(dir.path(), "lan.nt", &log(dir.path()), 100, 30);
    t.send(CTRL_N);
    let screen = t.wait_for("Phiếu mới");
    assert!(!screen.contains("không ghi nhận"), "{screen}");
    t.send(ESC);
    t.send(CTRL_C);
    t.wait_exit();
}
