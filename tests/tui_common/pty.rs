//! The real `hotline` binary in a pseudo-terminal (portable-pty), its screen
//! read back with a terminal parser (vt100): the one harness of the end-to-end
//! TUI tests. Not every test file uses all of it (see the `allow(dead_code)`
//! of `tui_common`).

use portable_pty::{native_pty_system, Child, CommandBuilder, ExitStatus, MasterPty, PtySize};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_hotline");

pub const CTRL_C: &str = "\x03";
pub const CTRL_N: &str = "\x0e";
pub const CTRL_S: &str = "\x13";
/// Clears a text field.
pub const CTRL_U: &str = "\x15";
pub const ESC: &str = "\x1b";
pub const TAB: &str = "\t";
pub const BACK_TAB: &str = "\x1b[Z";
pub const ENTER: &str = "\r";

/// How long text may take to appear on the screen.
const APPEAR: Duration = Duration::from_secs(20);
/// How long the application may take to exit.
const EXIT: Duration = Duration::from_secs(10);
/// How long the output of an exited application may take to be read.
const LAST_OUTPUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(20);

/// A demo store of `dossiers` dossiers and `tickets` tickets in a new temp dir.
pub fn demo_store(dossiers: u32, tickets: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .args(["demo", "--dossiers", &dossiers.to_string()])
        .args(["--tickets", &tickets.to_string(), "--data"])
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

/// A token for user `name` of the store in `data`, issued while no hub holds it.
pub fn token(data: &Path, name: &str) -> String {
    let store = hotline::store::Store::open(data).unwrap();
    store.issue_token(name).unwrap()
}

/// What a `Term` is started with: the binary's arguments and environment and
/// the terminal's size (100×30 unless told).
pub struct Launch {
    cmd: CommandBuilder,
    cols: u16,
    rows: u16,
    home: Option<tempfile::TempDir>,
}

impl Launch {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Launch {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Launch {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Launch {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Launch {
        self.cmd.env_remove(key);
        self
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Launch {
        (self.cols, self.rows) = (cols, rows);
        self
    }

    /// Config and log in a temp dir of their own, kept as long as the `Term`.
    pub fn temp_home(self) -> Launch {
        let home = tempfile::tempdir().unwrap();
        let mut launch = self
            .env("HOTLINE_CONFIG", home.path().join("config.toml"))
            .env("HOTLINE_LOG", home.path().join("tui.log"));
        launch.home = Some(home);
        launch
    }

    pub fn start(self) -> Term {
        let size = PtySize {
            rows: self.rows,
            cols: self.cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).unwrap();
        let child = pair.slave.spawn_command(self.cmd).unwrap();
        // Only the child holds the terminal's other end: the reader sees the
        // end of output when the child is gone.
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(self.rows, self.cols, 0)));
        let bells = Arc::new(AtomicUsize::new(0));
        let writer = Arc::new(Mutex::new(pair.master.take_writer().unwrap()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (p, rung, answer) = (parser.clone(), bells.clone(), writer.clone());
        let reading = std::thread::spawn(move || {
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
            reading,
            master: pair.master,
            child,
            _home: self.home,
        }
    }
}

/// The binary running in a pseudo-terminal; killed if still running when dropped.
pub struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    bells: Arc<AtomicUsize>,
    reading: JoinHandle<()>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    _home: Option<tempfile::TempDir>,
}

impl Term {
    /// The binary with `TERM=xterm-256color` and `NO_COLOR=1`, to be given
    /// its arguments and the rest of its environment.
    pub fn command() -> Launch {
        let mut cmd = CommandBuilder::new(BIN);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        Launch {
            cmd,
            cols: 100,
            rows: 30,
            home: None,
        }
    }

    /// The embedded TUI of the hub at `url`, signed in with `token`.
    pub fn through_hub(url: &str, token: &str) -> Term {
        Term::with_token(&["--server", url], token)
    }

    /// The binary with `args`, `token` in HOTLINE_TOKEN, its own config and
    /// log, and neither a user nor a store taken from the environment.
    pub fn with_token(args: &[&str], token: &str) -> Term {
        Term::command()
            .args(args)
            .temp_home()
            .env("HOTLINE_TOKEN", token)
            .env_remove("HOTLINE_DATA")
            .env_remove("HOTLINE_USER")
            .start()
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// How many times the terminal bell rang.
    pub fn bells(&self) -> usize {
        self.bells.load(Ordering::Relaxed)
    }

    pub fn send(&self, s: &str) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(s.as_bytes()).unwrap();
        w.flush().unwrap();
        drop(w);
        // A lone ESC read together with the next key is that key with Alt
        // (crossterm's reading of "\x1b?"): on a busy machine the app reads
        // late, so give it time to take the ESC on its own.
        let pause = if s == ESC { 250 } else { 40 };
        std::thread::sleep(Duration::from_millis(pause));
    }

    /// Types text a character at a time, as a person would.
    pub fn type_text(&self, s: &str) {
        for c in s.chars() {
            self.send(&c.to_string());
        }
    }

    /// The screen once it shows `text`; fails with the screen as it is if
    /// `text` does not appear within 20 s.
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > APPEAR {
                panic!("'{text}' did not appear in {APPEAR:?}; screen:\n{s}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// From the first screen (the search box has the keys), presses `key`
    /// and waits for `title`.
    pub fn open_screen(&self, key: &str, title: &str) -> String {
        self.wait_for("1022 hotline");
        self.send(ESC);
        self.send(key);
        self.wait_for(title)
    }

    /// The parser takes the new size first: the application redraws as soon
    /// as the terminal tells it, and that frame must not meet the old size.
    pub fn resize(&self, cols: u16, rows: u16) {
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

    /// Ctrl-C, then a successful exit.
    pub fn quit(&mut self) {
        self.send(CTRL_C);
        self.wait_exit();
    }

    /// Waits for the application to exit, successfully.
    pub fn wait_exit(&mut self) {
        let status = self.wait_status();
        assert!(status.success(), "exit status {status:?}");
    }

    /// Waits for the application to exit (killed, and the test failed with
    /// the screen, if it takes more than 10 s), then for the last of its
    /// output to reach the screen.
    pub fn wait_status(&mut self) -> ExitStatus {
        let start = Instant::now();
        let status = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                break status;
            }
            if start.elapsed() > EXIT {
                let _ = self.child.kill();
                panic!("did not exit in {EXIT:?}; screen:\n{}", self.screen());
            }
            std::thread::sleep(POLL);
        };
        let start = Instant::now();
        while !self.reading.is_finished() && start.elapsed() < LAST_OUTPUT {
            std::thread::sleep(POLL);
        }
        status
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Logs a ticket from keystrokes on the new-ticket form: caller, phone, the
/// ward found by "ben nghe", subject. Returns its id as shown.
pub fn log_ticket(t: &Term, caller: &str, phone: &str, subject: &str) -> String {
    t.wait_for("1022 hotline");
    t.send(CTRL_N);
    t.wait_for("Phiếu mới");
    t.send(TAB);
    t.send(TAB);
    t.type_text(caller);
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
    let screen = t.wait_for("Đã tạo phiếu");
    t.wait_for(subject);
    screen
        .split_whitespace()
        .find(|w| w.starts_with("PA-"))
        .expect("ticket id on screen")
        .to_string()
}

/// From the detail screen, escalates the ticket to `ward` with `note`.
pub fn escalate(t: &Term, ward: &str, note: &str) {
    t.send("e");
    t.wait_for("Chuyển phường —");
    // Every default is filled in, so the dialog starts on its last field (the
    // note); back to the ward to replace it.
    for _ in 0..4 {
        t.send(BACK_TAB);
    }
    t.send(CTRL_U);
    t.type_text(ward);
    t.send(ENTER); // pick the ward, on to the fault type
    t.send(ENTER); // fault type → severity
    t.send(ENTER); // severity → level
    t.send(ENTER); // level (the ward team) → note
    t.type_text(note);
    t.send(ENTER); // submit
    t.wait_for("Đã chuyển phường");
}
