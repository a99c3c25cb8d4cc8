//! The store cannot be bricked by leftovers, lose a ticket to a damaged
//! counter, or be hurt by a command aimed at the wrong directory; what it
//! creates only its owner can read; an acknowledgement follows an fsync.

mod support;

use hotline::domain::{Kind, NewTicket, TicketId, Ts};
use hotline::store::Store;
use std::path::Path;
use std::process::Command;
use uuid::Uuid;

fn new_ticket(subject: &str) -> NewTicket {
    let mut n = NewTicket::new(Kind::Complaint, subject);
    n.caller_phone = "0912345678".into();
    n
}

fn create(store: &Store, subject: &str) -> u64 {
    store
        .create_ticket(Uuid::now_v7(), &new_ticket(subject), "op", Ts(1_000))
        .unwrap()
        .0
        .id
        .0
}

fn subject_of(store: &Store, id: u64) -> String {
    store.ticket(TicketId(id)).unwrap().unwrap().subject
}

#[test]
fn unfinished_sled_snapshots_do_not_brick_the_store() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        for i in 1..=3 {
            create(&store, &format!("Phản ánh {i}"));
        }
    }
    // What a process killed while sled writes its snapshot leaves behind: an
    // empty file, and one cut off midway.
    std::fs::write(dir.path().join("snap.7FFFFFFFFFFFFFFF.generating"), b"").unwrap();
    std::fs::write(
        dir.path().join("snap.7FFFFFFFFFFFFFFE.generating"),
        [0x5a; 700],
    )
    .unwrap();
    let store = Store::open(dir.path()).expect("the store opens");
    for i in 1..=3 {
        assert_eq!(subject_of(&store, i), format!("Phản ánh {i}"));
    }
    assert_eq!(create(&store, "Phản ánh 4"), 4);
}

/// Overwrites the store's ticket counter with raw sled, as a damaged disk
/// block or a bad manual repair would.
fn set_counter(dir: &Path, value: Option<&[u8]>) {
    let db = support::raw_sled(dir);
    let meta = db.open_tree("meta").unwrap();
    match value {
        Some(v) => meta.insert("tickets", v).unwrap(),
        None => meta.remove("tickets").unwrap(),
    };
    db.flush().unwrap();
}

#[test]
fn a_damaged_or_missing_counter_never_reuses_an_id() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        for i in 1..=3 {
            create(&store, &format!("Phản ánh {i}"));
        }
    }
    // Garbage, then nothing, then a stale but well-formed count.
    let stale = 1u64.to_be_bytes();
    for (counter, expected_id) in [(Some(&b"xx"[..]), 4), (None, 5), (Some(&stale[..]), 6)] {
        set_counter(dir.path(), counter);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(create(&store, &format!("Mới {expected_id}")), expected_id);
        for i in 1..=3 {
            assert_eq!(subject_of(&store, i), format!("Phản ánh {i}"), "ticket {i}");
        }
    }
}

// --- The real binary -------------------------------------------------------

use support::{failed, ok};

/// The real binary on `data`, in English (tests/one_language.rs covers Vietnamese).
fn hotline_in(data: &Path, env_dir: &Path, args: &[&str]) -> std::process::Output {
    support::hotline(data, env_dir, &[&["--lang", "en"][..], args].concat())
}

/// A real store: an admin, an operator and one ticket.
fn real_store(env_dir: &Path) -> std::path::PathBuf {
    let data = env_dir.join("real");
    let run = |args: &[&str]| ok(hotline_in(&data, env_dir, args), &args.join(" "));
    run(&["user", "add", "admin", "--role", "admin"]);
    run(&[
        "--user", "admin", "user", "add", "lan", "--role", "operator",
    ]);
    run(&["--user", "lan", "ticket", "new", "--subject", "Hồ sơ kẹt"]);
    data
}

#[test]
fn the_demo_generator_refuses_a_real_store_whatever_the_flags() {
    let env = tempfile::tempdir().unwrap();
    let data = real_store(env.path());
    let users_before = ok(
        hotline_in(&data, env.path(), &["--user", "admin", "user", "list"]),
        "user list",
    );
    let err = failed(
        hotline_in(&data, env.path(), &["demo", "--force", "--dossiers", "10"]),
        "demo --force on a real store",
    );
    assert!(err.contains("is not a demo store"), "{err}");
    // The same through HOTLINE_DATA, and the TUI's --demo on the real store.
    let by_env = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["--lang", "en", "demo", "--force", "--dossiers", "10"])
        .env("HOTLINE_DATA", &data)
        .env("HOTLINE_CONFIG", env.path().join("no-config.toml"))
        .env("HOTLINE_LOG", env.path().join("hotline.log"))
        .output()
        .unwrap();
    let err = failed(by_env, "HOTLINE_DATA=REAL demo --force");
    assert!(err.contains("is not a demo store"), "{err}");
    let err = failed(
        hotline_in(&data, env.path(), &["--demo", "ticket", "list"]),
        "--demo on a real store",
    );
    assert!(err.contains("is not a demo store"), "{err}");
    // Nothing changed: the same users, the one real ticket.
    let users_after = ok(
        hotline_in(&data, env.path(), &["--user", "admin", "user", "list"]),
        "user list",
    );
    assert_eq!(users_before, users_after);
    let tickets = ok(
        hotline_in(&data, env.path(), &["--user", "lan", "ticket", "list"]),
        "ticket list",
    );
    assert_eq!(tickets.lines().count(), 2, "{tickets}");
    assert!(tickets.contains("Hồ sơ kẹt"), "{tickets}");
}

#[test]
fn a_demo_store_can_be_filled_again() {
    let env = tempfile::tempdir().unwrap();
    let data = env.path().join("demo");
    let args = ["demo", "--dossiers", "20", "--tickets", "5"];
    ok(hotline_in(&data, env.path(), &args), "first demo");
    let again = [&args[..], &["--force"]].concat();
    ok(
        hotline_in(&data, env.path(), &again),
        "demo --force on a demo",
    );
}

#[test]
fn only_commands_meant_to_create_a_store_create_one() {
    let env = tempfile::tempdir().unwrap();
    let typo = env.path().join("stroe");
    let csv = env.path().join("d.csv");
    std::fs::write(&csv, "code,procedure_code\n").unwrap();
    let csv = csv.to_str().unwrap();
    for args in [
        &["info"][..],
        &["import", "dossiers", csv],
        &["search", "nguyen"],
        &["ticket", "list"],
        &["ticket", "new", "--subject", "x"],
        &["user", "list"],
    ] {
        let err = failed(hotline_in(&typo, env.path(), args), &args.join(" "));
        assert!(
            err.contains(&format!("no store at {}", typo.display())),
            "{args:?}: {err}"
        );
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
    ok(
        hotline_in(
            &typo,
            env.path(),
            &["user", "add", "admin", "--role", "admin"],
        ),
        "user add makes a new store",
    );
    assert!(Store::exists(&typo));
}

#[test]
fn the_first_user_is_an_admin_and_the_last_admin_stays_one() {
    let env = tempfile::tempdir().unwrap();
    let data = env.path().join("s");
    let run = |args: &[&str]| hotline_in(&data, env.path(), args);
    let err = failed(
        run(&["user", "add", "lan", "--role", "operator"]),
        "an operator as first user",
    );
    assert!(
        err.contains("first user of a store must be an admin"),
        "{err}"
    );
    ok(run(&["user", "add", "admin", "--role", "admin"]), "admin");
    let demote = [
        "--user", "admin", "user", "add", "admin", "--role", "operator",
    ];
    let err = failed(run(&demote), "the last admin demoting themselves");
    assert!(err.contains("admin is the last admin"), "{err}");
    ok(
        run(&["--user", "admin", "user", "add", "hoa", "--role", "admin"]),
        "second admin",
    );
    ok(run(&demote), "demoting one of two admins");
    let users = ok(run(&["--user", "hoa", "--json", "user", "list"]), "list");
    let users: serde_json::Value = serde_json::from_str(&users).unwrap();
    let roles: Vec<(String, String)> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_string(),
                u["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("admin".to_string(), "operator".to_string()),
            ("hoa".to_string(), "admin".to_string())
        ]
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn what_hotline_creates_only_its_owner_can_read() {
    let env = tempfile::tempdir().unwrap();
    let data = env.path().join("nested").join("store");
    let log = env.path().join("logs").join("hotline.log");
    // A permissive umask, as on many desktops.
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" --data \"$1\" user add admin --role admin")
        .arg(env!("CARGO_BIN_EXE_hotline"))
        .arg(&data)
        .env("HOTLINE_CONFIG", env.path().join("no-config.toml"))
        .env("HOTLINE_LOG", &log)
        .output()
        .unwrap();
    ok(out, "user add under umask 000");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("db")), 0o600);
    assert_eq!(mode(&data.join("conf")), 0o600);
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(log.parent().unwrap()), 0o700);
}

#[cfg(unix)]
#[test]
fn a_store_others_can_read_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let env = tempfile::tempdir().unwrap();
    let data = real_store(env.path());
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = hotline_in(&data, env.path(), &["--user", "lan", "ticket", "list"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("is readable by other users (mode 755)"),
        "{err}"
    );
    // Warned, not changed behind the admin's back.
    assert_eq!(mode(&data), 0o755);
}

const STRACE_CHILD_ENV: &str = "HOTLINE_TRUST_STRACE_CHILD_DIR";

/// Runs only inside the traced child: twenty creates, each acknowledged on
/// stdout once `create_ticket` returned.
#[test]
fn child_creates_and_acknowledges() {
    let Some(dir) = std::env::var_os(STRACE_CHILD_ENV) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).unwrap();
    for i in 0..20 {
        let id = create(&store, &format!("Phản ánh {i}"));
        println!("ACK {id}");
    }
}

/// Under strace: every line that tells "acknowledged" is written only after
/// an fsync of sled's data file that follows sled's last write to it (sled's
/// own flush ends in sync_file_range, which a power cut can undo).
#[test]
fn every_acknowledgement_follows_an_fsync_of_the_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let trace = dir.path().join("trace.txt");
    if !Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(
            std::env::var_os("HOTLINE_REQUIRE_STRACE").is_none(),
            "HOTLINE_REQUIRE_STRACE is set but strace does not run"
        );
        eprintln!("skipped: strace is not installed");
        return;
    }
    let out = Command::new("strace")
        .args([
            "-f",
            "-y",
            "-e",
            "trace=fsync,fdatasync,sync_file_range,pwrite64,write",
            "-o",
        ])
        .arg(&trace)
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_creates_and_acknowledges",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(STRACE_CHILD_ENV, &data)
        .output()
        .unwrap();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("ptrace") || err.contains("Operation not permitted") {
            eprintln!("skipped: strace may not trace here: {err}");
            return;
        }
        panic!("the traced writer failed: {err}");
    }
    let trace = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    let db = format!("{}>", data.join("db").display());
    let acks: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("write(1") && l.contains("ACK "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(acks.len(), 20, "every acknowledgement traced");
    for ack in acks {
        let last_db_write = lines[..ack]
            .iter()
            .rposition(|l| {
                (l.contains("pwrite64(") || l.contains("sync_file_range(")) && l.contains(&db)
            })
            .expect("sled wrote the ticket to its data file");
        let synced = lines[last_db_write..ack]
            .iter()
            .any(|l| (l.contains("fsync(") || l.contains("fdatasync(")) && l.contains(&db));
        assert!(
            synced,
            "no fsync of {db} between sled's last write and the acknowledgement:\n{}",
            lines[last_db_write..=ack].join("\n")
        );
    }
}

#[cfg(unix)]
#[test]
fn backups_and_restored_stores_are_private() {
    let env = tempfile::tempdir().unwrap();
    let data = real_store(env.path());
    let file = env.path().join("backup.jsonl.gz");
    let restored = env.path().join("restored");
    let run = |dir: &Path, args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg("umask 000; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_hotline"))
            .arg("--data")
            .arg(dir)
            .args(args)
            .env("HOTLINE_CONFIG", env.path().join("no-config.toml"))
            .env("HOTLINE_LOG", env.path().join("hotline.log"))
            .output()
            .unwrap()
    };
    ok(run(&data, &["backup", file.to_str().unwrap()]), "backup");
    ok(
        run(&restored, &["restore", file.to_str().unwrap()]),
        "restore",
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join("db")), 0o600);
}
