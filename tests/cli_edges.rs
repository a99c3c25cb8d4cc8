//! The real binary at the edges: closed pipes and full disks, import exit
//! codes, hostile bytes in arguments, bad config values, a failed index.

mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn command(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hotline"));
    // These tests read the English wording (tests/one_language.rs covers both).
    c.args(["--lang", "en", "--data"])
        .arg(data)
        .args(args)
        .env("HOTLINE_CONFIG", data.join("no-config.toml"))
        .env("HOTLINE_LOG", data.join("hotline.log"))
        .env_remove("HOTLINE_USER")
        .env_remove("HOTLINE_DATA");
    c
}

fn hotline(data: &Path, args: &[&str]) -> Output {
    command(data, args).output().expect("run hotline")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = hotline(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(
        !err.contains("panicked") && out.status.code() != Some(101),
        "{:?}: {err}",
        out.status
    );
}

/// A store with a demo's users and tickets: enough for more output than a pipe holds.
fn demo_store(d: &Path) {
    ok(d, &["demo", "--dossiers", "200", "--tickets", "300"]);
}

#[test]
fn a_reader_that_stops_early_ends_the_program_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_store(d);
    let mut child = command(d, &["--demo", "--json", "ticket", "list", "--limit", "300"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is closed here, with most of the output unwritten.
    let out = child.wait_with_output().unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "a closed pipe is not worth a word");
}

#[test]
fn a_full_disk_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_store(d);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = command(d, &["--demo", "ticket", "list"])
        .stdout(full)
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("hotline: could not write the output: "),
        "{}",
        stderr(&out)
    );
}

const HEADER: &str = "code,procedure_code,procedure_name,applicant_name,applicant_phone,ward_code,received_at,due_at,finished_at,status,sync,payment\n";
const GOOD_ROW: &str = "000.00.01.H29-250812-0042,2.000815,Chứng thực bản sao từ bản chính,Nguyễn Thị Thu Hà,0912 345 678,26743,2025-08-12 08:30,2025-08-13,,4,error,none\n";
const BAD_ROW: &str = "000.00.01.H29-250812-0043,1.001193,Đăng ký khai sinh,Trần Văn Hùng,,99999,2025-08-12,2025-08-13,,4,synced,none\n";
const GOOD_LINE: &str = r#"{"code": "000.00.02.H29-250901-0001", "procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh", "applicant_name": "Ngô Thị Hạnh", "applicant_phone": "0901234567", "ward_code": "26740", "received_at": "2025-09-01T08:00:00+07:00", "due_at": "2025-09-02", "finished_at": "", "status": "4", "sync": "pending", "payment": "none"}"#;

fn import(d: &Path, name: &str, content: &[u8]) -> Output {
    let file = d.join(name);
    std::fs::write(&file, content).unwrap();
    hotline(
        d,
        &[
            "--user",
            "admin",
            "import",
            "dossiers",
            file.to_str().unwrap(),
        ],
    )
}

#[test]
fn import_exit_codes_say_how_much_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["user", "add", "admin", "--role", "admin"]);

    let all_good = import(d, "good.csv", format!("{HEADER}{GOOD_ROW}").as_bytes());
    assert_eq!(all_good.status.code(), Some(0), "{}", stderr(&all_good));

    let some_bad = import(
        d,
        "mixed.csv",
        format!("{HEADER}{GOOD_ROW}{BAD_ROW}").as_bytes(),
    );
    assert_eq!(some_bad.status.code(), Some(1), "{}", stderr(&some_bad));
    let report = String::from_utf8_lossy(&some_bad.stdout);
    assert!(
        report.contains("0 added, 0 updated, 1 unchanged, 1 rejected"),
        "{report}"
    );
    assert!(report.contains("line 3: ward_code 99999"), "{report}");

    let all_bad = import(d, "bad.csv", format!("{HEADER}{BAD_ROW}").as_bytes());
    assert_eq!(all_bad.status.code(), Some(2), "{}", stderr(&all_bad));

    let not_csv = import(d, "garbage.csv", b"\x00\x01 not an export\n");
    assert_eq!(not_csv.status.code(), Some(2), "{}", stderr(&not_csv));

    let missing = hotline(
        d,
        &[
            "--user",
            "admin",
            "import",
            "dossiers",
            d.join("missing.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("missing.csv"),
        "{}",
        stderr(&missing)
    );

    let help = ok(d, &["import", "dossiers", "--help"]);
    for line in [
        "Exit codes:",
        "0  every row was stored",
        "1  some rows were rejected",
        "2  nothing was stored",
    ] {
        assert!(help.contains(line), "{help}");
    }
}

#[test]
fn a_byte_order_mark_loses_no_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    let csv = import(
        d,
        "bom.csv",
        format!("\u{feff}{HEADER}{GOOD_ROW}").as_bytes(),
    );
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    assert!(
        String::from_utf8_lossy(&csv.stdout).contains("1 rows, 1 added"),
        "{}",
        String::from_utf8_lossy(&csv.stdout)
    );
    let jsonl = import(d, "bom.jsonl", format!("\u{feff}{GOOD_LINE}\n").as_bytes());
    assert_eq!(jsonl.status.code(), Some(0), "{}", stderr(&jsonl));
    assert!(
        String::from_utf8_lossy(&jsonl.stdout).contains("1 rows, 1 added"),
        "{}",
        String::from_utf8_lossy(&jsonl.stdout)
    );
    let info = ok(d, &["--json", "info"]);
    assert!(info.contains("\"dossiers\": 2"), "{info}");
}

const HOSTILE: &str = "\u{1b}[31mred\nFORGED line";

/// Neither stderr nor the log may carry the escape sequence, nor start a line with the forged text.
fn assert_inert(d: &Path, out: &Output) {
    let err = stderr(out);
    assert!(!out.status.success(), "should fail: {err}");
    assert!(!err.contains('\u{1b}'), "raw escape on stderr: {err:?}");
    assert!(
        !err.lines().any(|l| l.starts_with("FORGED")),
        "forged line on stderr: {err:?}"
    );
    assert!(
        err.contains(r"\u{1b}[31mred\nFORGED line"),
        "shown escaped: {err:?}"
    );
    let log = std::fs::read_to_string(d.join("hotline.log")).unwrap_or_default();
    assert!(!log.contains('\u{1b}'), "raw escape in the log: {log:?}");
    assert!(
        !log.lines().any(|l| l.starts_with("FORGED")),
        "forged log line: {log:?}"
    );
}

#[test]
fn hostile_arguments_are_shown_escaped_on_stderr_and_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    ok(
        d,
        &[
            "--user", "admin", "user", "add", "lan", "--role", "operator",
        ],
    );
    ok(d, &["--user", "lan", "ticket", "new", "--subject", "Hỏi"]);
    let bad_path = d.join(HOSTILE);
    for args in [
        vec!["--user", "lan", "ticket", "list", "--status", HOSTILE],
        vec!["--user", "lan", "ticket", "assign", "PA-000001", HOSTILE],
        vec!["--user", HOSTILE, "ticket", "list"],
        vec![
            "--user",
            "admin",
            "import",
            "dossiers",
            bad_path.to_str().unwrap(),
        ],
        vec!["--user", "admin", "user", "add", "x", "--role", HOSTILE],
    ] {
        let out = hotline(d, &args);
        assert_inert(d, &out);
    }
}

#[test]
fn config_values_are_checked_with_their_file_and_line_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("config.toml");
    std::fs::write(
        &config,
        "lang = \"en\"\nkeymap_preset = \"nano\"\n\ncolor = \"sometimes\"\n",
    )
    .unwrap();
    let expected = format!(
        "hotline: {0}:2: keymap_preset = 'nano': expected default, vim or emacs\n\
         hotline: {0}:4: color = 'sometimes': expected auto, always or never\n",
        config.display()
    );
    // check-config, a command and the TUI (no command) refuse it alike.
    for args in [vec!["check-config"], vec!["info"], vec![]] {
        let out = command(d, &args)
            .env("HOTLINE_CONFIG", &config)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), expected, "{args:?}");
    }
    std::fs::write(&config, "lang = \"vi\"\nkeymap_preset = \"emacs\"\n").unwrap();
    let out = command(d, &["check-config"])
        .env("HOTLINE_CONFIG", &config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_store_the_index_cannot_read_fails_the_search_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["user", "add", "admin", "--role", "admin"]);
    ok(
        d,
        &["--user", "admin", "user", "add", "op", "--role", "operator"],
    );
    ok(
        d,
        &["--user", "op", "ticket", "new", "--subject", "Hỏi thủ tục"],
    );
    {
        // The store is closed: write a damaged dossier straight into its tree.
        let db = support::raw_sled(d);
        let dossiers = db.open_tree("dossiers").unwrap();
        dossiers
            .insert(
                "000.00.01.H29-250812-0042",
                &b"\x01\xff\xff\xff garbage"[..],
            )
            .unwrap();
        db.flush().unwrap();
    }
    let mut child = command(d, &["--user", "op", "search", "thủ tục"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("hotline search still waiting after 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "hotline: the search index could not be built: stored value is corrupt (dossier: "
        ),
        "{}",
        stderr(&out)
    );
}
