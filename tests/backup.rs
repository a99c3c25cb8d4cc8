//! Backup and restore on real stores: the restored store is compared with the
//! original tree by tree and byte by byte through sled itself, not through
//! the backup code.

mod support;

use hotline::demo::populate_demo;
use hotline::demo::{demo_now, DemoConfig};
use hotline::domain::{Change, EscalationRequest, FaultType, Kind, NewTicket, Priority, Role, Ts};
use hotline::domain::{Ticket, User};
use hotline::store::{Store, StoreError};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use uuid::Uuid;

type Trees = BTreeMap<Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>>;

/// Every tree of the sled database in `dir`, read with sled alone.
fn raw_trees(dir: &Path) -> Trees {
    let db = support::raw_sled(dir);
    db.tree_names()
        .into_iter()
        .map(|name| {
            let tree = db.open_tree(&name).unwrap();
            let pairs = tree
                .iter()
                .map(|r| {
                    let (k, v) = r.unwrap();
                    (k.to_vec(), v.to_vec())
                })
                .collect();
            (name.to_vec(), pairs)
        })
        .collect()
}

fn user(name: &str, role: Role) -> User {
    User {
        name: name.into(),
        display_name: format!("Nguyễn Văn {name}"),
        role,
        wards: vec![26743],
    }
}

fn new_ticket(n: u32) -> NewTicket {
    let mut t = NewTicket::new(Kind::Fault, &format!("Hồ sơ kẹt đồng bộ số {n}"));
    t.caller_phone = format!("09123{:05}", n % 100_000);
    t.caller_name = "Trần Thị Ngọc Ánh".into();
    t.ward = Some(26743);
    t
}

/// A store with demo data plus a ticket that was commented on and escalated.
fn populated(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap();
    let cfg = DemoConfig {
        seed: 7,
        dossiers: 400,
        tickets: 60,
        now: demo_now(),
    };
    populate_demo(&store, &cfg).unwrap();
    let op = user("backup-op", Role::Operator);
    store.put_user(&op).unwrap();
    let (t, _) = store
        .create_ticket(Uuid::now_v7(), &new_ticket(1), &op.name, Ts(1_763_600_000))
        .unwrap();
    let t = store
        .update_ticket(t.id, t.version, &op.name, Ts(1_763_600_100), |tk| {
            tk.apply(
                &Change::Comment {
                    text: "Đã gọi lại cho người dân".into(),
                },
                &op,
                Ts(1_763_600_100),
            )
        })
        .unwrap();
    store
        .update_ticket(t.id, t.version, &op.name, Ts(1_763_600_200), |tk| {
            tk.apply(
                &Change::Escalate(EscalationRequest {
                    ward: 26740,
                    fault: FaultType::PortalSync,
                    level: 1,
                    severity: Priority::P2,
                    note: Some("Cần phường kiểm tra".into()),
                }),
                &op,
                Ts(1_763_600_200),
            )
        })
        .unwrap();
    store
}

#[test]
fn a_restored_store_is_byte_for_byte_the_original() {
    let original = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("hotline.backup.gz");
    let summary = {
        let store = populated(original.path());
        store.backup_to(&file).unwrap()
    };
    assert!(!work.path().join("hotline.backup.gz.tmp").exists());
    let restored = work.path().join("restored");
    let restored_summary = Store::restore_from(&file, &restored).unwrap();
    assert_eq!(restored_summary.entries, summary.entries);

    let before = raw_trees(original.path());
    let after = raw_trees(&restored);
    for tree in [
        "tickets",
        "events",
        "requests",
        "by_status",
        "by_ward",
        "by_phone",
        "by_dossier",
        "by_due",
        "dossiers",
        "dossiers_by_phone",
        "users",
        "meta",
    ] {
        let pairs = &before[tree.as_bytes()];
        assert!(!pairs.is_empty(), "the original's {tree} tree is empty");
        assert_eq!(summary.trees[tree], pairs.len() as u64, "count of {tree}");
    }
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "tree names"
    );
    for (name, pairs) in &before {
        let name_text = String::from_utf8_lossy(name);
        let restored_pairs = &after[name];
        assert_eq!(pairs.len(), restored_pairs.len(), "entries in {name_text}");
        for (a, b) in pairs.iter().zip(restored_pairs) {
            assert_eq!(a, b, "a key/value pair in {name_text}");
        }
    }

    // And hotline itself opens it and finds the escalated ticket's timeline.
    let store = Store::open(&restored).unwrap();
    let last: Ticket = store.all_tickets().last().unwrap().unwrap();
    assert!(last.escalation.is_some());
    let timeline = store.events(last.id).unwrap();
    assert!(timeline.len() >= 3, "{timeline:?}");
    assert_eq!(timeline.len() as u32, last.events);
}

#[test]
fn restore_refuses_a_directory_that_is_not_empty() {
    let original = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("b.gz");
    Store::open(original.path())
        .unwrap()
        .backup_to(&file)
        .unwrap();
    let target = work.path().join("busy");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("notes.txt"), "keep me").unwrap();
    let err = Store::restore_from(&file, &target).unwrap_err();
    assert!(matches!(err, StoreError::Backup { .. }), "{err:?}");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(target.join("notes.txt")).unwrap(),
        "keep me"
    );
}

/// A backup holds citizens' data: it is 0600 even when a temporary file of
/// its name was already there with looser permissions (creating with a mode
/// does not change a file that exists).
#[cfg(unix)]
#[test]
fn a_backup_is_private_even_over_a_loose_leftover_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let original = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("b.gz");
    let leftover = work.path().join("b.gz.tmp");
    std::fs::write(&leftover, "half a backup").unwrap();
    std::fs::set_permissions(&leftover, std::fs::Permissions::from_mode(0o644)).unwrap();
    populated(original.path()).backup_to(&file).unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "backup mode {mode:o}");
}

fn assert_refused(file: &Path, target: &Path, wanted: &[&str]) {
    let err = Store::restore_from(file, target).unwrap_err().to_string();
    for w in wanted {
        assert!(err.contains(w), "'{w}' missing from: {err}");
    }
    let left = std::fs::read_dir(target).map(|d| d.count()).unwrap_or(0);
    assert_eq!(
        left,
        0,
        "a refused restore left files in {}",
        target.display()
    );
}

#[test]
fn a_cut_short_or_damaged_backup_is_refused_and_nothing_is_restored() {
    let original = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("full.gz");
    populated(original.path()).backup_to(&file).unwrap();
    let bytes = std::fs::read(&file).unwrap();

    let half = work.path().join("half.gz");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();
    assert_refused(
        &half,
        &work.path().join("r1"),
        &["half.gz", "line ", "truncated"],
    );

    // Complete gzip whose JSON lines stop before the trailer.
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let without_trailer = lines[..lines.len() - 1].join("\n") + "\n";
    let no_trailer = work.path().join("no-trailer.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(without_trailer.as_bytes()).unwrap();
    std::fs::write(&no_trailer, gz.finish().unwrap()).unwrap();
    let line = format!("line {}", lines.len());
    assert_refused(&no_trailer, &work.path().join("r2"), &[&line, "trailer"]);

    // A line lost from the middle: the trailer's counts disagree.
    let mut dropped = lines.clone();
    dropped.remove(lines.len() / 2);
    let dropped_text = dropped.join("\n") + "\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(dropped_text.as_bytes()).unwrap();
    let missing_line = work.path().join("missing-line.gz");
    std::fs::write(&missing_line, gz.finish().unwrap()).unwrap();
    assert_refused(&missing_line, &work.path().join("r3"), &["trailer counts"]);

    // Not a backup at all.
    let plain = work.path().join("plain.gz");
    std::fs::write(&plain, b"tickets,events\n").unwrap();
    assert_refused(&plain, &work.path().join("r4"), &["line 1"]);
}

#[test]
fn a_backup_taken_while_tickets_are_written_is_a_consistent_moment() {
    let original = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let store = populated(original.path());
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let (t, _) = store
                    .create_ticket(Uuid::now_v7(), &new_ticket(n), "writer", Ts(1_763_700_000))
                    .unwrap();
                if n % 3 == 0 {
                    let op = user("writer", Role::Operator);
                    store
                        .update_ticket(t.id, t.version, "writer", Ts(1_763_700_001), |tk| {
                            tk.apply(&Change::Start, &op, Ts(1_763_700_001))
                        })
                        .unwrap();
                }
            }
            n
        })
    };

    let mut counts = Vec::new();
    for round in 0..8 {
        let file = work.path().join(format!("b{round}.gz"));
        store.backup_to(&file).unwrap();
        let restored = work.path().join(format!("r{round}"));
        Store::restore_from(&file, &restored).unwrap();
        let copy = Store::open(&restored).unwrap();
        let tickets: Vec<Ticket> = copy.all_tickets().map(Result::unwrap).collect();
        assert_eq!(
            copy.index_snapshot().unwrap(),
            Store::expected_index(&tickets),
            "round {round}: index entries and tickets disagree"
        );
        assert_eq!(copy.ticket_count().unwrap(), tickets.len() as u64);
        for t in &tickets {
            assert_eq!(
                copy.events(t.id).unwrap().len() as u32,
                t.events,
                "round {round}: timeline of ticket {}",
                t.id
            );
        }
        counts.push(tickets.len());
        // Give the writer time to land tickets between backups.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    counts.dedup();
    assert!(
        counts.len() > 2,
        "the writer did not write between backups: {counts:?}"
    );
    assert!(written > 0);
}

// These tests read the English wording (tests/one_language.rs covers both).
fn hotline(data: &Path, args: &[&str]) -> Output {
    support::hotline(
        data,
        data.parent().unwrap(),
        &[&["--lang", "en"], args].concat(),
    )
}

fn ok(data: &Path, args: &[&str]) -> String {
    support::ok(hotline(data, args), &format!("{args:?}"))
}

#[test]
fn the_binary_backs_up_and_restores() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("store");
    let file = work.path().join("hotline-backup.jsonl.gz");
    let file_arg = file.to_str().unwrap();
    ok(&data, &["user", "add", "admin", "--role", "admin"]);
    ok(
        &data,
        &[
            "--user", "admin", "user", "add", "lan", "--role", "operator",
        ],
    );
    ok(
        &data,
        &[
            "--user",
            "lan",
            "ticket",
            "new",
            "--kind",
            "fault",
            "--subject",
            "Hồ sơ kẹt",
            "--phone",
            "0909111222",
            "--ward",
            "26743",
        ],
    );
    let out = ok(&data, &["backup", file_arg]);
    assert!(out.contains("entries"), "{out}");

    let restored = work.path().join("restored");
    let out = ok(&restored, &["--json", "restore", file_arg]);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["trees"]["tickets"], 1);
    assert_eq!(summary["trees"]["users"], 2);
    let listed = ok(&restored, &["--user", "lan", "ticket", "list"]);
    assert!(listed.contains("Hồ sơ kẹt"), "{listed}");

    let again = hotline(&restored, &["restore", file_arg]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("not empty"), "{err}");

    let missing = hotline(&work.path().join("nothing"), &["backup", file_arg]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no store"));
}
