//! The real binary from the shell: demo, users, tickets, import, info.

mod support;

use std::path::Path;
use std::process::Output;

// These tests read the English wording (tests/one_language.rs covers both).
fn hotline(data: &Path, args: &[&str]) -> Output {
    support::hotline(data, data, &[&["--lang", "en"], args].concat())
}

fn ok(data: &Path, args: &[&str]) -> String {
    support::ok(hotline(data, args), &format!("{args:?}"))
}

fn fails(data: &Path, args: &[&str]) -> String {
    support::failed(hotline(data, args), &format!("{args:?}"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_ticket_from_logging_to_closing_on_a_new_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Bootstrap: the first user needs no admin; later ones do.
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    let err = fails(
        d,
        &["--user", "nobody", "user", "add", "x", "--role", "operator"],
    );
    assert!(err.contains("unknown user"), "{err}");
    ok(
        d,
        &[
            "--user",
            "admin",
            "user",
            "add",
            "lan",
            "--role",
            "operator",
            "--display-name",
            "Nguyễn Thị Lan",
        ],
    );
    ok(
        d,
        &[
            "--user",
            "admin",
            "user",
            "add",
            "bt",
            "--role",
            "responder",
            "--ward",
            "26743",
        ],
    );
    let err = fails(
        d,
        &["--user", "lan", "user", "add", "y", "--role", "operator"],
    );
    assert!(err.contains("only an admin"), "{err}");
    let err = fails(
        d,
        &[
            "--user",
            "admin",
            "user",
            "add",
            "r",
            "--role",
            "responder",
            "--ward",
            "12345",
        ],
    );
    assert!(err.contains("12345"), "{err}");

    let created = json(&ok(
        d,
        &[
            "--user",
            "lan",
            "--json",
            "ticket",
            "new",
            "--kind",
            "fault",
            "--subject",
            "Hồ sơ kẹt đồng bộ",
            "--name",
            "Trần Văn Hùng",
            "--phone",
            "+84 909 111 222",
            "--ward",
            "26743",
            "--dossier",
            "000.00.01.H29-250812-0043",
            "--priority",
            "p2",
        ],
    ));
    assert_eq!(created["id"], 1);
    assert_eq!(created["caller"]["phone"], "0909111222");
    let err = fails(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "new",
            "--subject",
            "x",
            "--phone",
            "0909 11",
        ],
    );
    assert!(err.contains("phone:"), "{err}");

    let err = fails(d, &["--user", "bt", "ticket", "show", "PA-000001"]);
    assert!(
        err.contains("not found"),
        "responders do not see tickets before escalation: {err}"
    );
    ok(d, &["--user", "lan", "ticket", "start", "PA-000001"]);
    ok(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "escalate",
            "PA-000001",
            "--ward",
            "26743",
            "--fault",
            "portal-sync",
        ],
    );
    let queue = ok(d, &["--user", "bt", "ticket", "list", "--my-wards"]);
    assert!(
        queue.contains("PA-000001") && queue.contains("Escalated"),
        "{queue}"
    );
    assert!(
        queue.contains("0909***222"),
        "phones are masked in lists: {queue}"
    );
    ok(d, &["--user", "bt", "ticket", "ack", "PA-000001"]);
    let err = fails(
        d,
        &[
            "--user",
            "bt",
            "ticket",
            "resolve",
            "PA-000001",
            "--note",
            " ",
        ],
    );
    assert!(err.contains("resolution: is required"), "{err}");
    ok(
        d,
        &[
            "--user",
            "bt",
            "ticket",
            "resolve",
            "PA-000001",
            "--note",
            "Đã đồng bộ lại",
        ],
    );
    let err = fails(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "close",
            "PA-000001",
            "--expect-version",
            "2",
        ],
    );
    assert!(err.contains("changed by bt"), "{err}");
    ok(d, &["--user", "lan", "ticket", "close", "PA-000001"]);
    let shown = ok(d, &["--user", "lan", "ticket", "show", "PA-000001"]);
    assert!(
        shown.contains("0909111222"),
        "full phone in the detail view: {shown}"
    );
    for line in [
        "created",
        "New → In progress",
        "escalated to Phường Bến Thành (National portal sync error, level 1)",
        "Escalated → Acknowledged",
        "Acknowledged → Resolved: Đã đồng bộ lại",
        "Resolved → Closed",
    ] {
        assert!(shown.contains(line), "timeline lacks {line:?}:\n{shown}");
    }
    let err = fails(
        d,
        &[
            "--user",
            "lan",
            "ticket",
            "resolve",
            "PA-000001",
            "--note",
            "x",
        ],
    );
    assert!(
        err.contains("cannot resolve a ticket that is closed"),
        "{err}"
    );
    let listed = json(&ok(
        d,
        &[
            "--user",
            "lan",
            "--json",
            "ticket",
            "list",
            "--phone",
            "0909.111.222",
        ],
    ));
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 1);
    let info = json(&ok(d, &["--json", "info"]));
    assert_eq!(info["tickets"], 1);
    assert_eq!(info["users"], 3);
    assert!(info["log"].as_str().unwrap().ends_with("hotline.log"));
}

#[test]
fn request_ids_make_logging_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    ok(
        d,
        &[
            "--user", "admin", "user", "add", "lan", "--role", "operator",
        ],
    );
    let rid = "01890a5d-ac96-774b-bcce-b302099a8057";
    for _ in 0..2 {
        let out = ok(
            d,
            &[
                "--user",
                "lan",
                "ticket",
                "new",
                "--subject",
                "Hỏi thủ tục",
                "--request-id",
                rid,
            ],
        );
        assert_eq!(out.trim(), "PA-000001 created");
    }
    assert_eq!(json(&ok(d, &["--json", "info"]))["tickets"], 1);
}

#[test]
fn import_reports_bad_rows_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dossiers_mixed.csv");
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    let args = [
        "--user",
        "admin",
        "import",
        "dossiers",
        fixture.to_str().unwrap(),
    ];
    let partial = hotline(d, &args);
    assert_eq!(partial.status.code(), Some(1), "some rows were rejected");
    let out = String::from_utf8(partial.stdout).unwrap();
    assert!(
        out.contains("4 added") && out.contains("7 rejected"),
        "{out}"
    );
    assert!(out.contains("line 5: ward_code 99999"), "{out}");
    let again = String::from_utf8(hotline(d, &args).stdout).unwrap();
    assert!(again.contains("0 added, 0 updated, 4 unchanged"), "{again}");
    let err = fails(
        d,
        &["--user", "admin", "import", "dossiers", "/nonexistent.csv"],
    );
    assert!(err.contains("/nonexistent.csv"), "{err}");
}

#[test]
fn demo_store_has_every_role_and_is_separate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["demo", "--dossiers", "3000", "--tickets", "300"]);
    let err = fails(d, &["demo", "--dossiers", "10", "--tickets", "10"]);
    assert!(err.contains("already holds a demo store"), "{err}");
    let users = ok(d, &["--user", "admin", "user", "list"]);
    for role in ["operator", "responder", "supervisor", "admin"] {
        assert!(users.contains(role), "{users}");
    }
    let listed = json(&ok(
        d,
        &["--demo", "--json", "ticket", "list", "--limit", "5"],
    ));
    assert_eq!(
        listed["tickets"].as_array().unwrap().len(),
        5,
        "--demo acts as the demo operator"
    );
    let err = fails(d, &["--demo", "--user", "admin", "ticket", "list"]);
    assert!(err.contains("admins do not work tickets"), "{err}");
}

#[test]
fn search_from_the_shell_finds_imports_and_tickets_in_any_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    for (name, role, ward) in [("op", "operator", None), ("bt", "responder", Some("26743"))] {
        let mut args = vec!["--user", "admin", "user", "add", name, "--role", role];
        if let Some(w) = ward {
            args.extend(["--ward", w]);
        }
        ok(d, &args);
    }
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dossiers_mixed.csv"
    );
    // The fixture has bad rows on purpose: the good ones are stored all the same.
    let _ = hotline(d, &["--user", "admin", "import", "dossiers", fixture]);
    let created = json(&ok(
        d,
        &[
            "--user",
            "op",
            "--json",
            "ticket",
            "new",
            "--kind",
            "fault",
            "--subject",
            "Hồ sơ chứng thực kẹt đồng bộ",
            "--name",
            "Nguyễn Thị Thu Hà",
            "--phone",
            "0912.345.678",
            "--ward",
            "26740",
        ],
    ));
    let id = created["id"].as_u64().unwrap();
    for query in ["0912 345 678", "+84912345678", "0912-345-678", "5678"] {
        let found = json(&ok(d, &["--user", "op", "--json", "search", query]));
        let keys: Vec<&str> = found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["key"].as_str())
            .collect();
        assert!(
            keys.contains(&format!("PA-{id:06}").as_str()),
            "{query}: {keys:?}"
        );
        assert!(
            keys.contains(&"000.00.01.H29-250812-0042"),
            "{query}: {keys:?}"
        );
    }
    // Without diacritics, as a table.
    let table = ok(d, &["--user", "op", "search", "nguyen thi thu ha"]);
    assert!(table.contains("000.00.01.H29-250812-0042"), "{table}");
    assert!(table.contains("results in"), "{table}");
    // A responder of Bến Thành sees that ward's dossier, not the ticket logged for Sài Gòn.
    let found = ok(d, &["--user", "bt", "search", "0912 345 678"]);
    assert!(found.contains("000.00.01.H29-250812-0042"), "{found}");
    assert!(!found.contains(&format!("PA-{id:06}")), "{found}");
}

#[test]
fn ticket_list_level_keeps_the_escalations_at_that_level() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (store, _) = support::store_with_operator(d);
    drop(store);
    for (subject, level) in [
        ("Máy chủ một cửa ngừng", "2"),
        ("Lỗi ký số hồ sơ", "1"),
        ("Hỏi giờ làm việc", ""),
    ] {
        let created = json(&ok(
            d,
            &[
                "--user",
                "op",
                "--json",
                "ticket",
                "new",
                "--kind",
                "fault",
                "--subject",
                subject,
                "--name",
                "Lê Văn Tám",
                "--phone",
                "0909111222",
            ],
        ));
        let id = created["id"].as_u64().unwrap().to_string();
        if !level.is_empty() {
            ok(
                d,
                &[
                    "--user", "op", "ticket", "escalate", &id, "--ward", "26743", "--fault",
                    "network", "--level", level,
                ],
            );
        }
    }
    let rows = |args: &[&str]| -> Vec<String> {
        let out = ok(d, &[&["--user", "op", "ticket", "list"], args].concat());
        out.lines()
            .filter(|l| l.starts_with("PA-"))
            .map(|l| l[..9].to_string())
            .collect()
    };
    assert_eq!(rows(&[]), ["PA-000003", "PA-000002", "PA-000001"]);
    assert_eq!(rows(&["--level", "2"]), ["PA-000001"]);
    assert_eq!(rows(&["--level", "1"]), ["PA-000002"]);
    let err = fails(d, &["--user", "op", "ticket", "list", "--level", "3"]);
    assert!(err.contains("--level"), "{err}");
}
