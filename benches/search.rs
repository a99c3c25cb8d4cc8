//! Search benchmark: `cargo bench --bench search`. Prints a table.
//!
//! First, what users wait for, from a real store at each size of
//! `HOTLINE_BENCH_DOSSIERS` (a comma list, default `100000,1000000`; tickets
//! a tenth of that unless `HOTLINE_BENCH_TICKETS`): the index built from the
//! store (read, documents, index) as a start without a saved index does it,
//! the save, a start that loads the saved index (in a fresh process, with its
//! RSS, reading the file while the store opens as the TUI does), a start
//! after 10,000 changes made without the index (load and catch up) against a
//! full rebuild in a fresh process, and `hotline search` from the shell,
//! whole process. `HOTLINE_BENCH_STORE_DIR` keeps the stores there between
//! runs (written once, then reused).
//!
//! Then, at the largest size, a breakdown: realistic queries are replayed one
//! keystroke at a time through a `SearchSession` on the index alone (no API,
//! no store, no frame: the keystroke-to-frame a user waits for is timed by
//! `benches/tui.rs`); a plain fuzzy-matcher full scan over every title is
//! timed on a few queries for comparison.

mod common;

use common::{env, header, pct, row, rss_mb};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use hotline::api::local::search_service::{snapshot_dir, IndexStart, Preload};
use hotline::api::Backend;
use hotline::demo::{self, DemoConfig};
use hotline::domain::system_clock;
use hotline::search::snapshot;
use hotline::search::{dossier_doc, procedure_doc, ticket_doc, ward_doc};
use hotline::search::{Query, Scope, SearchIndex, SearchSession};
use hotline::store::Store;
use std::path::Path;
use std::time::{Duration, Instant};

/// Set in the child process a start is measured in: the store's directory.
const CHILD: &str = "HOTLINE_BENCH_START_CHILD";

const QUERIES: &[&str] = &[
    "nguyen thi thu ha",
    "Nguyễn Văn Hùng",
    "tran van hung status:processing",
    "le thi hoa",
    "Lê Thị Hoà",
    "pham minh tuan",
    "huynh ngoc anh",
    "vo thanh long",
    "dang thi dao",
    "nguyne van nam",
    "tranh thi mai",
    "H29-2608",
    "000.00.12.H29-261015",
    "261103-0012",
    "PA-000123",
    "0912 345 678",
    "+84 909 123 456",
    "0987.654",
    "5678",
    "chung thuc ban sao",
    "dang ky khai sinh",
    "dang ky thuong tru",
    "phuong 12 quan 3",
    "ben thanh",
    "phuong 4 quan 3",
    "ward:26743 nguyen",
    "overdue ward:26740",
    "kind:fault dong bo",
    "loi dong bo cong dich vu cong",
    "thanh toan khong thanh cong",
];

fn sizes() -> Vec<usize> {
    std::env::var("HOTLINE_BENCH_DOSSIERS")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn main() {
    if let Ok(dir) = std::env::var(CHILD) {
        return start_in_child(Path::new(&dir));
    }
    header();
    let sizes = sizes();
    for &dossiers in &sizes {
        from_a_real_store(dossiers, env("HOTLINE_BENCH_TICKETS", dossiers / 10));
    }
    let largest = sizes.iter().copied().max().unwrap_or(1_000_000);
    let cfg = DemoConfig {
        dossiers: largest,
        tickets: env("HOTLINE_BENCH_TICKETS", largest / 10),
        ..DemoConfig::default()
    };
    let now = cfg.now;

    let rss_start = rss_mb("self");
    let t = Instant::now();
    let n = demo::dossiers(&cfg).fold(0usize, |n, d| {
        std::hint::black_box(dossier_doc(&d, now));
        n + 1
    });
    let generation = t.elapsed();
    row(
        &format!("generate {n} demo dossiers as documents"),
        format!("{:.2} s", generation.as_secs_f64()),
    );

    let t = Instant::now();
    let docs = hotline::reference::wards()
        .iter()
        .map(ward_doc)
        .chain(hotline::reference::procedures().iter().map(procedure_doc))
        .chain(demo::dossiers(&cfg).map(|d| dossier_doc(&d, now)))
        // Tickets are generated once the dossiers are in and handed over one
        // by one, as a process reading them from the store would.
        .chain(
            std::iter::once(())
                .flat_map(|_| demo::tickets(&cfg).into_iter().map(|(t, _)| ticket_doc(&t))),
        );
    let index = SearchIndex::build(docs);
    let build = t.elapsed();
    row(
        &format!(
            "index build, {} documents, streaming from the generator",
            index.len()
        ),
        format!("{:.2} s", build.as_secs_f64()),
    );
    let rss = rss_mb("self");
    let t = Instant::now();
    let tickets = demo::tickets(&cfg).iter().fold(0usize, |n, (t, _)| {
        std::hint::black_box(ticket_doc(t));
        n + 1
    });
    let ticket_generation = t.elapsed();
    row(
        &format!("generate {tickets} demo tickets as documents"),
        format!("{:.2} s", ticket_generation.as_secs_f64()),
    );
    row(
        "index build alone (minus generating the documents)",
        format!(
            "{:.2} s",
            (build.saturating_sub(generation + ticket_generation)).as_secs_f64()
        ),
    );
    for (what, n) in index.footprint() {
        let value = if what == "terms" {
            format!("{n}")
        } else {
            format!("{:.0} MB", n as f64 / 1e6)
        };
        row(&format!("  index: {what}"), value);
    }
    row(
        "process RSS with the index loaded",
        format!("{rss:.0} MB (start {rss_start:.0} MB)"),
    );

    let built = replay(&index, now.0);
    built.print("index alone");
    // What a start leaves: the same index saved and loaded back (its
    // posting bitmaps are parsed as queries reach them).
    let saved = tempfile::tempdir().unwrap();
    let stamp = snapshot::Stamp {
        generation: 0,
        marks: 0,
        counters: 0,
    };
    snapshot::save(&index, stamp, saved.path()).unwrap();
    let (loaded, _) = snapshot::load(saved.path(), &|_, _| {}).unwrap();
    replay(&loaded, now.0).print("index loaded from its file");
    drop(loaded);
    let (fresh, empty) = (built.fresh, built.empty);
    row("queries with no result", format!("{}", empty.len()));

    // A ward team's keystrokes: the same queries within its scope (Bến
    // Thành's escalated tickets and dossiers, every ward and procedure).
    let t = Instant::now();
    let scope = Scope::ward_team(&index, &[26743]);
    let scope_made = t.elapsed();
    let mut scoped = Vec::new();
    for q in QUERIES {
        let mut session = SearchSession::default();
        let ends: Vec<usize> = q.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
        for end in ends {
            let query =
                Query::parse(&q[..end], now.0, Some("ut.benthanh"), 50).within(Some(scope.clone()));
            let t = Instant::now();
            std::hint::black_box(session.search(&index, &query, &|| false));
            scoped.push(t.elapsed());
        }
    }
    scoped.sort();
    row(
        "a ward team's scope, made once per index version",
        format!("{:.2} ms", scope_made.as_secs_f64() * 1e3),
    );
    row(
        "breakdown, index alone: per keystroke in a ward team's scope: p50 / p95 / p99 / max",
        format!(
            "{:.1} / {:.1} / {:.1} / {:.1} ms",
            pct(&scoped, 0.5),
            pct(&scoped, 0.95),
            pct(&scoped, 0.99),
            pct(&scoped, 1.0)
        ),
    );
    // The baseline the index replaces: skim over every title.
    let titles: Vec<String> = index_titles(&cfg);
    let matcher = SkimMatcherV2::default();
    let mut scan = Vec::new();
    for q in ["nguyen thi thu ha", "chung thuc ban sao", "0912345678"] {
        let t = Instant::now();
        let hits = titles
            .iter()
            .filter(|title| matcher.fuzzy_match(title, q).is_some())
            .count();
        scan.push(t.elapsed());
        std::hint::black_box(hits);
    }
    scan.sort();
    let scan_p50 = pct(&scan, 0.5);
    row(
        "fuzzy-matcher full scan over all titles: p50",
        format!("{scan_p50:.0} ms"),
    );
    row(
        "full scan / indexed whole query (p50)",
        format!("{:.0}×", scan_p50 / pct(&fresh, 0.5).max(0.001)),
    );
}

/// Per-keystroke and whole-query times of the realistic queries.
struct Replay {
    keystrokes: Vec<Duration>,
    typo: Vec<Duration>,
    fresh: Vec<Duration>,
    empty: Vec<&'static str>,
}

/// Types every query one keystroke at a time through a `SearchSession`.
fn replay(index: &SearchIndex, now: i64) -> Replay {
    let mut r = Replay {
        keystrokes: Vec::new(),
        typo: Vec::new(),
        fresh: Vec::new(),
        empty: Vec::new(),
    };
    for q in QUERIES {
        let mut session = SearchSession::default();
        let ends: Vec<usize> = q.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
        for end in ends {
            let query = Query::parse(&q[..end], now, Some("lan.nt"), 50);
            let t = Instant::now();
            let out = session.search(index, &query, &|| false);
            let took = t.elapsed();
            std::hint::black_box(out);
            r.keystrokes.push(took);
            if q.contains("nguyne") || q.contains("tranh") {
                r.typo.push(took);
            }
        }
        let t = Instant::now();
        let out = index.search(&Query::parse(q, now, Some("lan.nt"), 50), &|| false);
        r.fresh.push(t.elapsed());
        if out.hits.is_empty() {
            r.empty.push(*q);
        }
    }
    r.keystrokes.sort();
    r.fresh.sort();
    r.typo.sort();
    r
}

impl Replay {
    fn print(&self, what: &str) {
        let k = &self.keystrokes;
        row(
            &format!(
                "breakdown, {what}: per keystroke ({}): p50 / p95 / p99 / max",
                k.len()
            ),
            format!(
                "{:.1} / {:.1} / {:.1} / {:.1} ms",
                pct(k, 0.5),
                pct(k, 0.95),
                pct(k, 0.99),
                pct(k, 1.0)
            ),
        );
        row(
            &format!("breakdown, {what}: typo queries per keystroke: p50 / p95"),
            format!(
                "{:.1} / {:.1} ms",
                pct(&self.typo, 0.5),
                pct(&self.typo, 0.95)
            ),
        );
        row(
            &format!("breakdown, {what}: whole query, no narrowing: p50 / p95"),
            format!(
                "{:.1} / {:.1} ms",
                pct(&self.fresh, 0.5),
                pct(&self.fresh, 0.95)
            ),
        );
    }
}

fn index_titles(cfg: &DemoConfig) -> Vec<String> {
    demo::dossiers(cfg)
        .map(|d| hotline::text::fold(&dossier_doc(&d, cfg.now).title))
        .collect::<Vec<_>>()
}

/// A start of the real service on the store in `dir`, in this (fresh)
/// process: prints how long until the index was ready, how, and the RSS.
fn start_in_child(dir: &Path) {
    let started = Instant::now();
    // As the TUI and `hotline search` start: the saved index is read while the store opens.
    let preload = Preload::start(dir);
    let store = Store::open_existing(dir).unwrap();
    let backend = Backend::lazy(store, system_clock(), true);
    backend.search.start_with(preload);
    backend.search.wait_ready().unwrap();
    let took = started.elapsed();
    let how = match backend.search.start_report() {
        Some(IndexStart::Loaded { caught_up }) => format!("loaded+{caught_up}"),
        _ => "built".into(),
    };
    let rss = rss_mb("self");
    // The index's own accounting needs the index: not exposed by the service,
    // so the RSS stands for it here (the in-process build prints the breakdown).
    println!("CHILD {} {rss:.0} {how}", took.as_secs_f64());
    backend.search.join_background();
}

/// (seconds to ready, RSS MB, how) of a start in a fresh process.
fn start_child(dir: &Path) -> (f64, f64, String) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD, dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("CHILD "))
        .unwrap_or_else(|| {
            panic!(
                "child said: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let parts: Vec<&str> = line.split_whitespace().collect();
    (
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
        parts[3].to_string(),
    )
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn from_a_real_store(dossiers: usize, tickets: usize) {
    let cfg = DemoConfig {
        dossiers,
        tickets,
        ..DemoConfig::default()
    };
    let at = format!("{}k", dossiers / 1000);
    // HOTLINE_BENCH_STORE_DIR keeps the generated stores there and reuses
    // them (a million dossiers take minutes to write); otherwise a temporary one.
    let tmp = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("HOTLINE_BENCH_STORE_DIR") {
        Some(root) => Path::new(&root).join(format!("{dossiers}-{tickets}")),
        None => tmp.path().to_path_buf(),
    };
    let dir = dir.as_path();
    let reused = Store::open_existing(dir)
        .map(|s| s.has_users())
        .unwrap_or(false);
    if reused {
        row(
            &format!("{at}: store reused from {}", dir.display()),
            String::new(),
        );
        for saved in ["search-index", "search-index.kept"] {
            let _ = std::fs::remove_dir_all(dir.join(saved));
        }
    } else {
        // As `hotline demo` writes it: a large page cache for the bulk load.
        let store = Store::open_with_cache(dir, 512 * 1024 * 1024).unwrap();
        let t = Instant::now();
        demo::populate_demo(&store, &cfg).unwrap();
        row(
            &format!("{at}: store written ({dossiers} dossiers, {tickets} tickets)"),
            secs(t.elapsed()),
        );
    }

    // A first start: nothing saved, the index is built from the store.
    let t = Instant::now();
    let store = Store::open_existing(dir).unwrap();
    let backend = Backend::new(store, system_clock(), true);
    backend.search.wait_ready().unwrap();
    let build = t.elapsed();
    row(
        &format!("{at}: open + index built from the store"),
        secs(build),
    );
    let t = Instant::now();
    backend.search.join_background();
    let file = snapshot::file_in(&snapshot_dir(&backend.store));
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    row(
        &format!("{at}: then saved ({:.0} MB)", size as f64 / 1e6),
        secs(t.elapsed()),
    );
    row(
        &format!("{at}: process RSS after the build"),
        format!("{:.0} MB", rss_mb("self")),
    );
    drop(backend);

    let (load, rss, how) = start_child(dir);
    row(
        &format!("{at}: start loading the saved index ({how})"),
        format!("{load:.2} s"),
    );
    row(
        &format!("{at}:   its process RSS, index ready"),
        format!("{rss:.0} MB"),
    );

    // 10,000 changes made without the index (another process, or before a crash).
    {
        let store = Store::open_existing(dir).unwrap();
        let now = cfg.now;
        let mut changed = 0;
        let ids: Vec<_> = store
            .all_tickets()
            .take(5_000)
            .map(|t| t.unwrap())
            .collect();
        for t in &ids {
            store
                .update_ticket(t.id, t.version, "bench", now, |t| {
                    t.subject.push_str(" (đã gọi lại)");
                    Ok(vec![])
                })
                .unwrap();
            changed += 1;
        }
        let mut batch: Vec<_> = store
            .all_dossiers()
            .step_by(7)
            .take(10_000 - changed)
            .map(|d| d.unwrap())
            .collect();
        for d in &mut batch {
            d.applicant_name.push_str(" Bổ Sung");
        }
        store.put_dossiers(&batch).unwrap();
    }
    let (catch_up, rss, how) = start_child(dir);
    row(
        &format!("{at}: start after 10,000 changes ({how})"),
        format!("{catch_up:.2} s"),
    );
    row(&format!("{at}:   its process RSS"), format!("{rss:.0} MB"));
    // The same start without the saved index: a full rebuild, fresh process.
    let saved = dir.join("search-index.kept");
    std::fs::rename(snapshot_dir(&Store::open_existing(dir).unwrap()), &saved).ok();
    let (rebuild, rss, how) = start_child(dir);
    row(
        &format!("{at}: the same start, full rebuild ({how})"),
        format!("{rebuild:.2} s"),
    );
    row(&format!("{at}:   its process RSS"), format!("{rss:.0} MB"));
    row(
        &format!("{at}: rebuild / load and catch up"),
        format!("{:.1}×", rebuild / catch_up.max(0.001)),
    );

    // `hotline search` from the shell, whole process, with the index saved.
    let exe = env!("CARGO_BIN_EXE_hotline");
    let mut runs = Vec::new();
    for q in [
        "nguyen van hung",
        "PA-000124",
        "0912 345",
        "phuong 12 quan 3",
        "chung thuc",
    ] {
        let t = Instant::now();
        let out = std::process::Command::new(exe)
            .args(["--user", "lan.nt", "--data"])
            .arg(dir)
            .args(["search", q])
            .output()
            .unwrap();
        runs.push(t.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    runs.sort();
    row(
        &format!("{at}: `hotline search Q`, whole process: p50 / max"),
        format!(
            "{:.2} / {:.2} s",
            pct(&runs, 0.5) / 1e3,
            pct(&runs, 1.0) / 1e3
        ),
    );
}
