//! The command line as the TUI's pickers: a ward by code or name, an
//! escalation to the ticket's own ward by default, categories from the same
//! list, one slug per fault type, admins looking reference data up.

mod support;

use std::path::Path;
use std::process::Output;

fn hotline(data: &Path, args: &[&str]) -> Output {
    support::hotline(data, data, args)
}

fn ok(data: &Path, args: &[&str]) -> String {
    support::ok(hotline(data, args), &format!("{args:?}"))
}

/// The error a command gives, in English (tests/one_language.rs covers Vietnamese).
fn fails(data: &Path, args: &[&str]) -> String {
    let args = [&["--lang", "en"][..], args].concat();
    support::failed(hotline(data, &args), &format!("{args:?}"))
}

fn store(d: &Path) {
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    ok(
        d,
        &[
            "--user", "admin", "user", "add", "lan", "--role", "operator",
        ],
    );
}

#[test]
fn a_ward_by_name_a_default_escalation_ward_and_a_checked_category() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    store(d);
    let new = |extra: &[&str]| {
        let mut args = vec![
            "--user",
            "lan",
            "--json",
            "ticket",
            "new",
            "--kind",
            "fault",
            "--subject",
            "Lỗi đồng bộ",
        ];
        args.extend_from_slice(extra);
        hotline(d, &args)
    };
    // By name, accents optional; by code.
    let out = new(&["--ward", "ben thanh", "--category", "hanh chinh cong"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["ward"], 26743);
    assert_eq!(t["category"], "Hành chính công");
    let id = t["id"].as_u64().unwrap().to_string();
    // An ambiguous name lists the candidates with their codes.
    let err = fails(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "new",
            "--subject",
            "x",
            "--ward",
            "phu",
        ],
    );
    assert!(err.contains("wards:") && err.contains("Phường"), "{err}");
    // A category not on the list is refused, naming the list.
    let err = fails(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "new",
            "--subject",
            "x",
            "--category",
            "abc",
        ],
    );
    assert!(
        err.contains("not a category") && err.contains("Hành chính công"),
        "{err}"
    );
    // Escalation goes to the ticket's ward unless told otherwise; fault slug as given.
    let out = ok(
        d,
        &[
            "--user", "lan", "--json", "ticket", "escalate", &id, "--fault", "payment",
        ],
    );
    let t: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["escalation"]["ward"], 26743);
    assert_eq!(t["escalation"]["fault"], "payment");
    // A list by ward name.
    let out = ok(
        d,
        &[
            "--user",
            "lan",
            "--json",
            "ticket",
            "list",
            "--ward",
            "Bến Thành",
        ],
    );
    assert!(
        out.contains(&format!("\"id\":{id}")) || out.contains(&format!("\"id\": {id}")),
        "{out}"
    );
}

#[test]
fn an_admin_looks_wards_up_but_finds_no_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    store(d);
    ok(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "new",
            "--subject",
            "Bến Thành kẹt hồ sơ",
            "--ward",
            "26743",
        ],
    );
    let out = ok(d, &["--user", "admin", "search", "ben", "thanh"]);
    assert!(out.contains("26743"), "{out}");
    assert!(!out.contains("PA-"), "{out}");
}

#[test]
fn ticket_and_search_tables_speak_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    store(d);
    ok(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "new",
            "--subject",
            "Hỏi thủ tục",
            "--ward",
            "26743",
        ],
    );
    let vi = ok(d, &["--lang", "vi", "--user", "lan", "ticket", "list"]);
    let head = vi.lines().next().unwrap();
    assert!(
        head.contains("TRẠNG THÁI") && head.contains("TIÊU ĐỀ"),
        "{vi}"
    );
    for word in ["STATUS", "SUBJECT", "KIND", "PHONE"] {
        assert!(!head.contains(word), "{vi}");
    }
    let en = ok(d, &["--lang", "en", "--user", "lan", "ticket", "list"]);
    let head = en.lines().next().unwrap();
    assert!(
        head.contains("STATUS") && !head.contains("TRẠNG THÁI"),
        "{en}"
    );
    let vi = ok(
        d,
        &["--lang", "vi", "--user", "lan", "search", "ben", "thanh"],
    );
    assert!(vi.contains("kết quả trong"), "{vi}");
    assert!(!vi.contains("results in") && !vi.contains("TITLE"), "{vi}");
}
