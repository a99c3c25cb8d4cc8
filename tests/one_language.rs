//! One language at a time: every screen snapshot (tests/snapshots, each screen
//! in both languages at 80×24 and 120×40) holds no catalog phrase of the other
//! language, and neither does any table or ticket the command line prints.
//! Names, codes and what callers said are data, not catalog words: the
//! fixture's subjects and descriptions are Vietnamese, so phrases they
//! contain are left out below.

mod support;

use hotline::tui::i18n::{en, vi};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Catalog phrases worth looking for: two words or more, different in the
/// two languages, without `{}` placeholders.
/// Words of the fixture's own Vietnamese data (subjects, descriptions).
const DATA: &[&str] = &["Thanh toán", "trạng thái"];

fn phrases(own: &[(&str, &str)], other: &[(&str, &str)]) -> Vec<String> {
    let theirs: HashMap<&str, &str> = other.iter().copied().collect();
    own.iter()
        .filter_map(|(k, v)| {
            let counterpart = theirs.get(k)?;
            let v = v.split('{').next().unwrap_or("").trim();
            (v.split_whitespace().count() >= 2
                && v.chars().count() >= 8
                && !counterpart.contains(v)
                && !v.contains('·')
                && !DATA.contains(&v))
            .then(|| v.to_string())
        })
        .collect()
}

#[test]
fn no_screen_mixes_the_two_languages() {
    let vi_phrases = phrases(vi::ENTRIES, en::ENTRIES);
    let en_phrases = phrases(en::ENTRIES, vi::ENTRIES);
    let mut found = Vec::new();
    for entry in std::fs::read_dir("tests/snapshots").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".snap") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let screen = text.splitn(3, "---").nth(2).unwrap_or("");
        let foreign = if name.contains("_en_") {
            &vi_phrases
        } else if name.contains("_vi_") {
            &en_phrases
        } else {
            continue;
        };
        for p in foreign {
            if screen.contains(p.as_str()) {
                found.push(format!("{name}: {p:?}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Names, codes and what was typed in the CLI fixture (Vietnamese data).
const CLI_DATA: &[&str] = &[
    "Nguyễn Thị Thu Hà",
    "Hồ sơ kẹt đồng bộ",
    "Hồ sơ báo lỗi đồng bộ với cổng quốc gia",
    "Đã gọi lại cho công dân",
    "Nhờ tổ kiểm tra",
    "Tổ ứng cứu Bến Thành",
    "Quản trị viên",
    "Nguyễn Thị Lan",
    "Phường Bến Thành",
    "Bến Thành",
    "admin",
];

/// The CLI fixture: an admin, an operator and a ward team; a ticket with a
/// comment, escalated to the ward team, which acknowledged it.
fn cli_store(d: &Path) {
    let run = |args: &[&str]| support::ok(support::hotline(d, d, args), &format!("{args:?}"));
    run(&[
        "user",
        "add",
        "admin",
        "--role",
        "admin",
        "--display-name",
        "Quản trị viên",
    ]);
    run(&[
        "--user",
        "admin",
        "user",
        "add",
        "lan.nt",
        "--role",
        "operator",
        "--display-name",
        "Nguyễn Thị Lan",
    ]);
    run(&[
        "--user",
        "admin",
        "user",
        "add",
        "ut.benthanh",
        "--role",
        "responder",
        "--ward",
        "26743",
        "--display-name",
        "Tổ ứng cứu Bến Thành",
    ]);
    let lan = |args: &[&str]| run(&[&["--user", "lan.nt"], args].concat());
    lan(&[
        "ticket",
        "new",
        "--kind",
        "fault",
        "--subject",
        "Hồ sơ kẹt đồng bộ",
        "--description",
        "Hồ sơ báo lỗi đồng bộ với cổng quốc gia",
        "--name",
        "Nguyễn Thị Thu Hà",
        "--phone",
        "0912 345 678",
        "--ward",
        "26743",
        "--category",
        "Hành chính công",
    ]);
    lan(&["ticket", "comment", "1", "Đã gọi lại cho công dân"]);
    lan(&["ticket", "start", "1"]);
    lan(&[
        "ticket",
        "escalate",
        "1",
        "--fault",
        "portal-sync",
        "--note",
        "Nhờ tổ kiểm tra",
    ]);
    run(&["--user", "ut.benthanh", "ticket", "ack", "1"]);
    lan(&[
        "ticket",
        "new",
        "--kind",
        "question",
        "--subject",
        "Hồ sơ kẹt đồng bộ",
    ]);
}

/// Every word of a catalog's entries, lower-cased, that the other catalog
/// never uses.
fn words_only_in(own: &[(&str, &str)], other: &[(&str, &str)]) -> BTreeSet<String> {
    let words = |entries: &[(&str, &str)]| -> BTreeSet<String> {
        entries
            .iter()
            .flat_map(|(_, v)| {
                v.split(|c: char| !c.is_alphabetic())
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let theirs = words(other);
    words(own).difference(&theirs).cloned().collect()
}

#[test]
fn no_cli_table_or_ticket_mixes_the_two_languages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli_store(d);
    let english_words = words_only_in(en::ENTRIES, vi::ENTRIES);
    let commands: &[&[&str]] = &[
        &["--user", "lan.nt", "ticket", "list"],
        &["--user", "lan.nt", "ticket", "show", "1"],
        &["--user", "admin", "user", "list"],
        &["--user", "lan.nt", "search", "ket", "dong", "bo"],
        &[
            "--user",
            "lan.nt",
            "ticket",
            "comment",
            "2",
            "Đã gọi lại cho công dân",
        ],
    ];
    let mut found = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let mut outputs = Vec::new();
        for lang in ["vi", "en"] {
            let args = [&["--lang", lang][..], command].concat();
            let out = support::ok(support::hotline(d, d, &args), &format!("{args:?}"));
            outputs.push((lang, out));
        }
        let default = support::ok(support::hotline(d, d, command), &format!("{command:?}"));
        // Search timings differ from run to run.
        let untimed = |s: &str| {
            s.lines()
                .filter(|l| !l.ends_with(" ms"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        // A comment moves the ticket to its next version.
        if i < commands.len() - 1 {
            assert_eq!(
                untimed(&default),
                untimed(&outputs[0].1),
                "Vietnamese by default: {command:?}"
            );
        }
        for (lang, out) in outputs {
            let mut rest = out.clone();
            for data in CLI_DATA {
                rest = rest.replace(data, " ");
            }
            if lang == "en" {
                // English with the data taken out is plain ASCII (and typography).
                let foreign: String = rest
                    .chars()
                    .filter(|c| c.is_alphabetic() && !c.is_ascii())
                    .collect();
                if !foreign.is_empty() {
                    found.push(format!("{command:?} en: {foreign:?} in\n{out}"));
                }
            } else {
                let english: Vec<&str> = rest
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|w| english_words.contains(&w.to_lowercase()))
                    .collect();
                if !english.is_empty() {
                    found.push(format!("{command:?} vi: {english:?} in\n{out}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n\n"));
}

/// Machine formats speak no language: `--json` is the same whatever `--lang`.
#[test]
fn json_output_is_the_same_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli_store(d);
    for command in [
        &["--user", "lan.nt", "--json", "ticket", "show", "1"][..],
        &["--user", "admin", "--json", "user", "list"],
    ] {
        let vi = support::ok(
            support::hotline(d, d, &[&["--lang", "vi"][..], command].concat()),
            "vi",
        );
        let en = support::ok(
            support::hotline(d, d, &[&["--lang", "en"][..], command].concat()),
            "en",
        );
        assert_eq!(vi, en, "{command:?}");
        assert!(vi.trim_start().starts_with(['{', '[']), "{vi}");
    }
}
