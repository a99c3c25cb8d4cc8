//! Search benchmark: `cargo bench --bench search`. Prints a table.
//!
//! 1,000,000 demo dossiers and 100,000 demo tickets (plus wards and
//! procedures) are indexed; realistic queries are replayed one keystroke at a
//! time through a `SearchSession`, as the TUI does; a plain fuzzy-matcher full
//! scan over every title is timed on a few queries for comparison.
//! `HOTLINE_BENCH_DOSSIERS` / `HOTLINE_BENCH_TICKETS` scale it down.

mod common;

use common::{env, header, pct, row, rss_mb};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use hotline::demo::{self, DemoConfig};
use hotline::search::{dossier_doc, procedure_doc, ticket_doc, ward_doc};
use hotline::search::{Query, Scope, SearchIndex, SearchSession};
use std::time::Instant;

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

fn main() {
    let cfg = DemoConfig {
        dossiers: env("HOTLINE_BENCH_DOSSIERS", 1_000_000),
        tickets: env("HOTLINE_BENCH_TICKETS", 100_000),
        ..DemoConfig::default()
    };
    let now = cfg.now;
    header();

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

    let mut keystrokes = Vec::new();
    let mut fresh = Vec::new();
    let mut typo = Vec::new();
    let mut empty = Vec::new();
    for q in QUERIES {
        let mut session = SearchSession::default();
        let ends: Vec<usize> = q.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
        for end in ends {
            let query = Query::parse(&q[..end], now.0, Some("lan.nt"), 50);
            let t = Instant::now();
            let out = session.search(&index, &query, &|| false);
            let took = t.elapsed();
            std::hint::black_box(out);
            keystrokes.push(took);
            if q.contains("nguyne") || q.contains("tranh") {
                typo.push(took);
            }
        }
        let t = Instant::now();
        let out = index.search(&Query::parse(q, now.0, Some("lan.nt"), 50), &|| false);
        fresh.push(t.elapsed());
        if out.hits.is_empty() {
            empty.push(*q);
        }
    }
    keystrokes.sort();
    fresh.sort();
    typo.sort();
    row(
        &format!("per keystroke, {} keystrokes: p50 / p95", keystrokes.len()),
        format!(
            "{:.1} / {:.1} ms",
            pct(&keystrokes, 0.5),
            pct(&keystrokes, 0.95)
        ),
    );
    row(
        "per keystroke: max",
        format!("{:.1} ms", pct(&keystrokes, 1.0)),
    );
    row(
        "typo queries per keystroke: p50 / p95",
        format!("{:.1} / {:.1} ms", pct(&typo, 0.5), pct(&typo, 0.95)),
    );
    row(
        "whole query, no narrowing: p50 / p95",
        format!("{:.1} / {:.1} ms", pct(&fresh, 0.5), pct(&fresh, 0.95)),
    );

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
        "per keystroke within a ward team's scope: p50 / p95",
        format!("{:.1} / {:.1} ms", pct(&scoped, 0.5), pct(&scoped, 0.95)),
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

fn index_titles(cfg: &DemoConfig) -> Vec<String> {
    demo::dossiers(cfg)
        .map(|d| hotline::text::fold(&dossier_doc(&d, cfg.now).title))
        .collect::<Vec<_>>()
}
