//! Live updates end to end: two TUIs (the real binary, each in a
//! pseudo-terminal) on one `hotline serve`. The operator escalates a ticket;
//! the ward team's queue shows it, marked, with the terminal bell, without
//! a key pressed there.

mod hub_common;

use hub_common::Hub;
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hotline");
const CTRL_C: &str = "\x03";
const CTRL_N: &str = "\x0e";
const CTRL_S: &str = "\x13";
const ESC: &str = "\x1b";
const TAB: &str = "\t";
const ENTER: &str = "\r";

fn demo_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .args(["demo", "--dossiers", "300", "--tickets", "30", "--data"])
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

fn token(data: &Path, name: &str) -> String {
    let store = hotline::store::Store::open(data).unwrap();
    store.issue_token(name).unwrap()
}

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    bells: Arc<AtomicUsize>,
    _master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    _home: tempfile::TempDir,
}

impl Term {
    fn through_hub(url: &str, token: &str) -> Term {
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
        cmd.args(["--server", url]);
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
        let bells = Arc::new(AtomicUsize::new(0));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let p = parser.clone();
        let rung = bells.clone();
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
                rung.fetch_add(
                    buf[..n].iter().filter(|b| **b == 0x07).count(),
                    Ordering::Relaxed,
                );
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            parser,
            writer,
            bells,
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
            std::thread::sleep(Duration::from_millis(20));
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

#[test]
fn an_escalation_appears_in_the_ward_queue_without_a_key_press() {
    let dir = demo_store();
    let lan = token(dir.path(), "lan.nt");
    let ward_team = token(dir.path(), "ut.benthanh");
    let hub = Hub::start(dir.path());

    // The ward team looks at its queue, and then touches nothing.
    let mut team = Term::through_hub(&hub.url, &ward_team);
    team.wait_for("1022 hotline");
    team.send(ESC);
    team.send("2");
    team.wait_for("Phường của tôi");
    let host = hub.url.trim_start_matches("http://").to_string();
    team.wait_for(&format!("hub {host} ●"));

    // The operator logs a ticket and escalates it to Bến Thành.
    let mut op = Term::through_hub(&hub.url, &lan);
    op.wait_for("1022 hotline");
    op.send(CTRL_N);
    op.wait_for("Phiếu mới");
    op.send(TAB);
    op.send(TAB);
    op.type_text("Võ Thị Trực Tuyến");
    op.send(TAB);
    op.type_text("0938111222");
    op.send(TAB);
    op.send(TAB);
    op.type_text("ben nghe");
    op.wait_for("trước đây");
    op.send(ENTER);
    op.send(TAB);
    op.send(TAB);
    op.type_text("Cập nhật trực tiếp");
    op.send(CTRL_S);
    let screen = op.wait_for("Đã tạo phiếu");
    let id = screen
        .split_whitespace()
        .find(|w| w.starts_with("PA-"))
        .expect("ticket id on screen")
        .to_string();
    assert!(
        !team.screen().contains(&id),
        "not escalated yet, not in the ward queue"
    );
    op.send("e");
    op.wait_for("Chuyển phường —");
    op.send("\x15");
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
    assert!(
        team.bells.load(Ordering::Relaxed) >= 1,
        "the terminal bell rang"
    );
    assert_eq!(
        op.bells.load(Ordering::Relaxed),
        0,
        "the operator's terminal stays quiet"
    );
    eprintln!("the escalation reached the ward queue in {took:?}");
    op.quit();
    team.quit();
    drop(hub);
}
