//! TUI benchmark: `cargo bench --bench tui`. Prints a table.
//!
//! A store with 1,000,000 demo dossiers and 100,000 demo tickets is written
//! into a temp dir (`HOTLINE_BENCH_DOSSIERS` / `HOTLINE_BENCH_TICKETS` scale it;
//! `HOTLINE_BENCH_STORE=DIR` keeps and reuses one). Then:
//!
//! 1. Time to first frame: the real binary in a pseudo-terminal (portable-pty),
//!    from spawn until the parsed screen (vt100) shows the header; five runs.
//!    The same process is then watched until its search index is ready, and its
//!    resident memory (RSS) read from `/proc`.
//! 2. Keystroke-to-frame: in process, on the same store, realistic queries are
//!    typed one key at a time. Each key goes through the real keymap into
//!    `update`, its effects (the search, then the preview of the first hit) run
//!    against the real `LocalApi`, their results go through `update`, and the
//!    frame is drawn into a ratatui `TestBackend`: the loop the terminal runs,
//!    minus writing the changed cells to the terminal.

mod common;

use common::{env, header, pct, row, rss_mb};
use hotline::api::{Backend, LocalApi};
use hotline::demo::DemoConfig;
use hotline::domain::system_clock;
use hotline::store::Store;
use hotline::tui::keymap::Key;
use hotline::tui::msg::Msg;
use hotline::tui::testkit::Driver;
use hotline::tui::{initial_state, Lang, TuiOptions};
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hotline");

const QUERIES: &[&str] = &[
    "nguyen thi thu ha",
    "Lê Thị Hoà",
    "tranh thi mai",
    "H29-2608",
    "0912 345 678",
    "chung thuc ban sao",
    "phuong 4 quan 3",
    "kind:fault dong bo",
];

fn main() {
    let cfg = DemoConfig {
        dossiers: env("HOTLINE_BENCH_DOSSIERS", 1_000_000),
        tickets: env("HOTLINE_BENCH_TICKETS", 100_000),
        ..DemoConfig::default()
    };
    header();

    let temp;
    let dir: PathBuf = match std::env::var_os("HOTLINE_BENCH_STORE") {
        Some(d) => PathBuf::from(d),
        None => {
            temp = tempfile::tempdir().expect("temp dir");
            temp.path().to_path_buf()
        }
    };
    {
        let store = Store::open(&dir).expect("open the bench store");
        if !store.has_users() {
            let t = Instant::now();
            let s = hotline::demo::populate_demo(&store, &cfg).expect("demo data");
            row(
                &format!("write {} dossiers + {} tickets", s.dossiers, s.tickets),
                format!("{:.1} s", t.elapsed().as_secs_f64()),
            );
        }
        row(
            "store: dossiers / tickets",
            format!(
                "{} / {}",
                store.dossier_count().unwrap_or(0),
                store.ticket_count().unwrap_or(0)
            ),
        );
    }

    // HOTLINE_BENCH_QUEUES_ONLY=1: only the queue tabs (quicker to repeat).
    if std::env::var_os("HOTLINE_BENCH_QUEUES_ONLY").is_none() {
        first_frame(&dir);
        keystrokes(&dir, &cfg);
    }
    queue_tabs(&dir, &cfg);
}

/// Every queue tab of every role, opened as the TUI opens it: the key goes
/// through `update`, the page of tickets is fetched from the real `LocalApi`
/// and the frame drawn. Printed: the first open (sled's page cache cold for
/// these tickets), then the median and slowest of five more (target: under
/// 50 ms at 100,000 tickets).
fn queue_tabs(dir: &Path, cfg: &DemoConfig) {
    let store = Store::open(dir).expect("reopen the bench store");
    let backend = Backend::new(store, hotline::domain::fixed_clock(cfg.now), false);
    let users = backend.store.users().expect("users");
    // One user per role that works tickets; the responder with the most wards.
    let mut chosen: Vec<hotline::domain::User> = Vec::new();
    for u in users.into_iter().filter(|u| u.works_tickets()) {
        match chosen.iter_mut().find(|c| c.role == u.role) {
            Some(c) if u.wards.len() > c.wards.len() => *c = u,
            Some(_) => {}
            None => chosen.push(u),
        }
    }
    for u in chosen {
        let api = Arc::new(LocalApi::new(backend.clone(), u.clone()));
        let opts = TuiOptions {
            lang: Lang::Vi,
            keymap_file: None,
            user_keymap: None,
            preset: None,
            mouse: true,
            color: true,
            demo: false,
            clock: hotline::domain::fixed_clock(cfg.now),
            bell: false,
            switch_user: None,
        };
        let tabs = hotline::tui::update::queue_tabs(Some(u.role));
        for tab in &tabs {
            let mut times = Vec::new();
            let mut n = 0;
            for _ in 0..6 {
                let mut state = initial_state(&opts).expect("state");
                state.queues.tab = Some(*tab);
                let mut d = Driver::new(api.clone(), state, (120, 40));
                d.send(Msg::Key(Key::plain(hotline::tui::keymap::KeyName::Esc)));
                let t = Instant::now();
                d.send(Msg::Key(Key::char('2')));
                std::hint::black_box(d.render_buffer());
                times.push(t.elapsed());
                n = d.state.queues.tickets.len();
            }
            let first = times.remove(0);
            times.sort();
            let who = match u.wards.len() {
                0 => format!("{} {}", u.role, u.name),
                w => format!("{} {}, {w} wards", u.role, u.name),
            };
            row(
                &format!("queue {tab:?} ({who}), {n} loaded: first / p50 / max"),
                format!(
                    "{:.1} / {:.1} / {:.1} ms",
                    first.as_secs_f64() * 1000.0,
                    pct(&times, 0.5),
                    pct(&times, 1.0)
                ),
            );
        }
    }
}

/// The real binary in a pseudo-terminal, read through a terminal parser.
struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn std::io::Write + Send>>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    fn start(data: &Path) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(["--lang", "en", "--user", "lan.nt", "--data"]);
        cmd.arg(data);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOTLINE_LOG", data.join("bench-tui.log"));
        let child = pair.slave.spawn_command(cmd).expect("spawn hotline");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));
        let answers = writer.clone();
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut parser = p.lock().unwrap();
                parser.process(&buf[..n]);
                // Answer the cursor-position query crossterm sends at start.
                if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                    let _ = answers.lock().unwrap().write_all(b"\x1b[1;1R");
                }
            }
        });
        Pty {
            parser,
            writer,
            child,
            _master: pair.master,
        }
    }

    fn type_text(&self, text: &str) {
        let mut w = self.writer.lock().unwrap();
        let _ = w.write_all(text.as_bytes());
        let _ = w.flush();
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, pred: impl Fn(&str) -> bool, limit: Duration) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if pred(&self.screen()) {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        None
    }

    fn pid(&self) -> String {
        self.child
            .process_id()
            .map(|p| p.to_string())
            .unwrap_or_default()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn first_frame(dir: &Path) {
    let mut firsts = Vec::new();
    let mut results = Vec::new();
    for run in 0..5 {
        // The index builder logs one line when it is done.
        let log = dir.join("bench-tui.log");
        let seen = std::fs::read_to_string(&log)
            .map(|s| s.matches("search index:").count())
            .unwrap_or(0);
        let started = Instant::now();
        let pty = Pty::start(dir);
        let first = pty.wait_for(|s| s.contains("1022 hotline"), Duration::from_secs(30));
        let Some(_) = first else {
            row("first frame", format!("none in 30 s: {}", pty.screen()));
            return;
        };
        firsts.push(started.elapsed());
        // What an operator waits for: start, type a name, see dossiers.
        pty.type_text("nguyen van hung");
        let shown = pty.wait_for(|s| s.contains("DOS 000."), Duration::from_secs(120));
        match shown {
            Some(_) => results.push(started.elapsed()),
            None => row("first results", format!("none in 120 s: {}", pty.screen())),
        }
        if run == 0 {
            let limit = Instant::now() + Duration::from_secs(120);
            let mut ready = false;
            while Instant::now() < limit && !ready {
                std::thread::sleep(Duration::from_millis(20));
                ready = std::fs::read_to_string(&log)
                    .map(|s| s.matches("search index:").count() > seen)
                    .unwrap_or(false);
            }
            row(
                "spawn to search index ready (in the TUI process)",
                if ready {
                    format!("{:.1} s", started.elapsed().as_secs_f64())
                } else {
                    "not within 120 s".into()
                },
            );
            row(
                "TUI process RSS, index ready",
                format!("{:.0} MB", rss_mb(&pty.pid())),
            );
        }
    }
    firsts.sort();
    row(
        "time to first frame (real binary in a pty): p50 / max",
        format!("{:.0} / {:.0} ms", pct(&firsts, 0.5), pct(&firsts, 1.0)),
    );
    results.sort();
    if !results.is_empty() {
        row(
            "spawn, type a name, first results shown: p50 / max",
            format!("{:.0} / {:.0} ms", pct(&results, 0.5), pct(&results, 1.0)),
        );
    }
}

fn keystrokes(dir: &Path, cfg: &DemoConfig) {
    let store = Store::open(dir).expect("reopen the bench store");
    let backend = Backend::new(store, system_clock(), false);
    backend.search.wait_ready().expect("search index built");
    let user = backend
        .store
        .user("lan.nt")
        .expect("users")
        .expect("lan.nt");
    let api = Arc::new(LocalApi::new(backend.clone(), user));
    let opts = TuiOptions {
        lang: Lang::Vi,
        keymap_file: None,
        user_keymap: None,
        preset: None,
        mouse: true,
        color: true,
        demo: false,
        clock: hotline::domain::fixed_clock(cfg.now),
        bell: false,
        switch_user: None,
    };
    let mut times = Vec::new();
    let mut empty = 0;
    for q in QUERIES {
        let state = initial_state(&opts).expect("state");
        let mut d = Driver::new(api.clone(), state, (120, 40));
        for c in q.chars() {
            let t = Instant::now();
            d.send(Msg::Key(Key::char(c)));
            std::hint::black_box(d.render_buffer());
            times.push(t.elapsed());
        }
        assert_eq!(
            d.state.search.input.text(),
            *q,
            "keys went to the search box"
        );
        if d.state
            .search
            .results
            .as_ref()
            .is_none_or(|r| r.hits.is_empty())
        {
            empty += 1;
        }
    }
    times.sort();
    row(
        &format!("keystroke to frame, {} keystrokes: p50 / p95", times.len()),
        format!("{:.1} / {:.1} ms", pct(&times, 0.5), pct(&times, 0.95)),
    );
    row(
        "keystroke to frame: max",
        format!("{:.1} ms", pct(&times, 1.0)),
    );
    row("queries with no result", format!("{empty}"));
}
