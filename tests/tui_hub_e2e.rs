//! End-to-end through a hub: the real binary in a pseudo-terminal started
//! with `--server URL` (token in HOTLINE_TOKEN) against `hotline serve` on
//! 127.0.0.1, working the screens the embedded TUI has: the new-ticket form,
//! detail actions, search, queues and (as a supervisor) the dashboard.

mod hub_common;

use hub_common::Hub;
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hotline");
const CTRL_C: &str = "\x03";
const CTRL_N: &str = "\x0e";
const CTRL_S: &str = "\x13";
const ESC: &str = "\x1b";
const TAB: &str = "\t";
const BACK_TAB: &str = "\x1b[Z";
const ENTER: &str = "\r";

fn demo_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .args(["demo", "--dossiers", "2000", "--tickets", "200", "--data"])
        .arg(dir.path())
        .env("HOTLINE_LOG", dir.path().join("demo.log"))
        .env("HOTLINE_CONFIG", dir.path().join("no-config.toml"))
        .output()
        .expect("hotline demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// Tokens for a demo user, issued while no hub holds the store.
fn token(data: &Path, name: &str) -> String {
    let store = hotline::store::Store::open(data).unwrap();
    store.issue_token(name).unwrap()
}

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    _master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    _home: tempfile::TempDir,
}

impl Term {
    fn through_hub(url: &str, token: &str) -> Term {
        Term::start(&["--server", url], token)
    }

    fn start(args: &[&str], token: &str) -> Term {
        let (rows, cols) = (30, 100);
        let home = tempfile::tempdir().unwrap();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        cmd.env("HOTLINE_TOKEN", token);
        cmd.env("HOTLINE_CONFIG", home.path().join("config.toml"));
        cmd.env("HOTLINE_LOG", home.path().join("tui.log"));
        cmd.env_remove("HOTLINE_DATA");
        cmd.env_remove("HOTLINE_USER");
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
            _master: pair.master,
            child,
            _home: home,
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

    fn quit(&mut self) {
        self.send(CTRL_C);
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "exit status {status:?}");
                return;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Logs a ticket from keystrokes (as in tui_e2e); returns its id as shown.
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
    t.send(ENTER);
    t.send(TAB);
    t.send(TAB);
    t.type_text(subject);
    t.send(CTRL_S);
    let screen = t.wait_for("Đã tạo phiếu");
    screen
        .split_whitespace()
        .find(|w| w.starts_with("PA-"))
        .expect("ticket id on screen")
        .to_string()
}

#[test]
fn the_tui_works_through_a_hub() {
    let dir = demo_store();
    let lan = token(dir.path(), "lan.nt");
    let ward_team = token(dir.path(), "ut.benthanh");
    let supervisor = token(dir.path(), "giamsat");
    let hub = Hub::start(dir.path());

    // An operator logs a ticket, escalates it from the detail screen, and finds it by search.
    let mut t = Term::through_hub(&hub.url, &lan);
    // The status bar names the hub.
    let host = hub.url.trim_start_matches("http://").to_string();
    t.wait_for(&format!("hub {host}"));
    let id = log_ticket(&mut t, "0938765432", "Kiểm thử qua hub");
    t.send("e");
    t.wait_for("Chuyển phường —");
    // Every default is filled in, so the dialog starts on its last field (the
    // note); back to the ward to replace it with the ward team's code.
    for _ in 0..4 {
        t.send(BACK_TAB);
    }
    t.send("\x15"); // ctrl-u clears the field
    t.type_text("26743");
    t.send(ENTER); // pick the ward, on to the fault type
    t.send(ENTER); // fault type → severity
    t.send(ENTER); // severity → level
    t.send(ENTER); // level (the ward team) → note
    t.type_text("qua hub");
    t.send(ENTER);
    t.wait_for("Đã chuyển phường");
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
    t.wait_for("1022 hotline");
    t.send(ESC);
    t.send("2");
    t.wait_for("Phường của tôi");
    t.wait_for(&id);
    t.quit();

    // The supervisor's dashboard.
    let mut t = Term::through_hub(&hub.url, &supervisor);
    t.wait_for("1022 hotline");
    t.send(ESC);
    t.send("3");
    t.wait_for("Tỉ lệ đúng hạn");
    t.wait_for("Tổng phiếu");
    t.quit();

    // Started on the data directory the hub holds: through the hub, unasked.
    let data = dir.path().display().to_string();
    let mut t = Term::start(&["--data", &data], &lan);
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
        .args(["--server", "http://127.0.0.1:9"])
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
