//! A full disk and a read-only data directory: clear errors, no panic, and
//! nothing acknowledged lost once the fault is gone.
//!
//! The tests run as root (file modes do not stop root), so the faults are
//! real mounts: a small tmpfs that fills up, and a read-only bind mount.
//! Where mounting is not permitted the test says "skipped: …" and passes,
//! having checked nothing; with `HOTLINE_REQUIRE_MOUNTS=1` (set it where the
//! tests can mount, e.g. CI as root) a skip fails instead, so the fault tests
//! cannot pass unseen without running.

use hotline::api::{Backend, HotlineApi, LocalApi};
use hotline::domain::{system_clock, Kind, NewTicket, Role, TicketId, User};
use hotline::store::Store;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use uuid::Uuid;

/// Says why a fault test checked nothing, and fails it when mounts were
/// required (`HOTLINE_REQUIRE_MOUNTS=1`).
fn skipped(why: &str) {
    assert!(
        std::env::var_os("HOTLINE_REQUIRE_MOUNTS").is_none(),
        "HOTLINE_REQUIRE_MOUNTS is set but the fault could not be made: {why}"
    );
    println!("skipped: {why}");
}

/// A mount made by the test, unmounted when dropped (also on panic).
struct Mount {
    at: PathBuf,
}

impl Drop for Mount {
    fn drop(&mut self) {
        if !run("umount", &[self.at.as_os_str()]).is_ok_and(|o| o.status.success()) {
            // Busy (a file still open): detach it so no mount outlives the test.
            let _ = run("umount", &["-l".as_ref(), self.at.as_os_str()]);
        }
    }
}

fn run(program: &str, args: &[&std::ffi::OsStr]) -> std::io::Result<Output> {
    Command::new(program).args(args).output()
}

/// `mount ARGS`; why not, when it fails or there is no `mount` at all.
fn mount(args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let out = run("mount", args).map_err(|e| format!("cannot run mount: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "mount {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn mount_tmpfs(at: &Path, size: &str) -> Result<Mount, String> {
    let opts = format!("size={size},mode=0700");
    mount(&[
        "-t".as_ref(),
        "tmpfs".as_ref(),
        "-o".as_ref(),
        opts.as_ref(),
        "tmpfs".as_ref(),
        at.as_os_str(),
    ])?;
    Ok(Mount { at: at.into() })
}

fn remount(at: &Path, opts: &str) {
    mount(&["-o".as_ref(), opts.as_ref(), at.as_os_str()]).unwrap();
}

fn bind_read_only(src: &Path, at: &Path) -> Result<Mount, String> {
    mount(&["--bind".as_ref(), src.as_os_str(), at.as_os_str()])?;
    let m = Mount { at: at.into() };
    mount(&["-o".as_ref(), "remount,ro,bind".as_ref(), at.as_os_str()])?;
    Ok(m)
}

fn user(name: &str, role: Role) -> User {
    User {
        name: name.into(),
        display_name: name.into(),
        role,
        wards: vec![],
    }
}

/// A store with an admin and an operator, acting as the operator.
fn operator_api(dir: &Path) -> LocalApi {
    let store = Store::open(dir).unwrap();
    store.put_user(&user("admin", Role::Admin)).unwrap();
    store.put_user(&user("op", Role::Operator)).unwrap();
    let backend = Backend::lazy(store, system_clock(), false);
    let op = backend.store.user("op").unwrap().unwrap();
    LocalApi::new(backend, op)
}

fn new_ticket(n: usize) -> NewTicket {
    let mut t = NewTicket::new(Kind::Complaint, &format!("Nước ngập đường số {n}"));
    t.caller_phone = "0912345678".into();
    t.description = "Mưa lớn, nước ngập sâu trước nhà dân. ".repeat(20);
    t
}

/// The real binary with its log outside the data directory.
fn hotline(data: &Path, log_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("HOTLINE_CONFIG", log_dir.join("no-config.toml"))
        .env("HOTLINE_LOG", log_dir.join("hotline.log"))
        .env_remove("HOTLINE_USER")
        .env_remove("HOTLINE_DATA")
        .output()
        .expect("run hotline")
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_clear_failure(out: &Output, what: &str, wanted: &[&str]) {
    let err = stderr_of(out);
    assert!(!out.status.success(), "{what} succeeded: {err}");
    assert!(!err.contains("panicked"), "{what} panicked: {err}");
    for w in wanted {
        assert!(err.contains(w), "{what}: {w:?} not in {err:?}");
    }
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn unfinished_snapshots(dir: &Path) -> usize {
    file_names(dir)
        .iter()
        .filter(|n| n.ends_with(".generating"))
        .count()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const FULL_SIZE: &str = "3m";
const FREED_SIZE: &str = "64m";

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing_acknowledged() {
    let scratch = tempfile::tempdir().unwrap();
    let mnt = scratch.path().join("disk");
    std::fs::create_dir(&mnt).unwrap();
    let disk = match mount_tmpfs(&mnt, FULL_SIZE) {
        Ok(m) => m,
        Err(why) => {
            skipped(&format!("cannot mount a small tmpfs ({why})"));
            return;
        }
    };
    let data = mnt.join("store");
    let rt = runtime();
    let api = operator_api(&data);
    let mut acked: Vec<(TicketId, Uuid)> = Vec::new();
    let error = loop {
        let request_id = Uuid::now_v7();
        match rt.block_on(api.create_ticket(request_id, new_ticket(acked.len()))) {
            Ok(t) => acked.push((t.id, request_id)),
            Err(e) => break e.to_string(),
        }
        assert!(acked.len() < 100_000, "a {FULL_SIZE} disk never filled");
    };
    println!(
        "disk full after {} tickets; the API said: {error}",
        acked.len()
    );
    assert!(acked.len() > 5, "the disk filled before any work: {error}");
    assert!(
        error.contains("the disk is full"),
        "a full disk must say so: {error}"
    );
    // sled refuses every later write of a process whose write failed, even
    // once space is freed: the message must send the user to a restart.
    remount(&mnt, &format!("remount,size={FREED_SIZE}"));
    let again = rt.block_on(api.create_ticket(Uuid::now_v7(), new_ticket(0)));
    let again = again.expect_err("sled keeps refusing writes after a failed one");
    assert!(again.to_string().contains("start hotline again"), "{again}");
    remount(&mnt, &format!("remount,size={FULL_SIZE}"));
    drop(api);

    // The user tries again while the disk is still full: the CLI and a
    // plain reopen (sled writes a snapshot on open) fail clearly or work,
    // and must not damage the store.
    let logs = scratch.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let out = hotline(
        &data,
        &logs,
        &[
            "--user",
            "op",
            "ticket",
            "new",
            "--subject",
            "Còn chỗ không?",
        ],
    );
    println!("`ticket new` on the full disk: {}", stderr_of(&out).trim());
    if !out.status.success() {
        assert_clear_failure(&out, "`ticket new` on a full disk", &["the disk is full"]);
    }
    match Store::open_existing(&data) {
        Ok(store) => println!(
            "reopened on the full disk ({} tickets)",
            store.ticket_count().unwrap()
        ),
        Err(e) => {
            println!("reopen on the full disk: {e}");
            assert!(e.to_string().contains("the disk is full"), "{e}");
        }
    }

    println!("files left on the full disk: {:?}", file_names(&data));

    remount(&mnt, &format!("remount,size={FREED_SIZE}"));
    let store = Store::open_existing(&data).expect("the store opens once space is freed");
    for (id, request_id) in &acked {
        let t = store
            .ticket(*id)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged ticket {id} lost to the full disk"));
        assert_eq!(t.request_id, *request_id, "ticket {id} overwritten");
    }
    drop(store);
    let out = hotline(
        &data,
        &logs,
        &["--user", "op", "ticket", "new", "--subject", "Đã có chỗ"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    drop(disk);
}

#[test]
fn a_read_only_data_directory_is_named_in_a_clear_error() {
    let scratch = tempfile::tempdir().unwrap();
    let src = scratch.path().join("store");
    let ro = scratch.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let rt = runtime();
    let api = operator_api(&src);
    let made: Vec<TicketId> = (0..3)
        .map(|n| {
            rt.block_on(api.create_ticket(Uuid::now_v7(), new_ticket(n)))
                .unwrap()
                .id
        })
        .collect();
    drop(api);
    let mount = match bind_read_only(&src, &ro) {
        Ok(m) => m,
        Err(why) => {
            skipped(&format!("cannot make a read-only bind mount ({why})"));
            return;
        }
    };
    let logs = scratch.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let shown = ro.display().to_string();

    let e = Store::open_existing(&ro)
        .err()
        .expect("a read-only store does not open for writing");
    println!("Store::open on the read-only directory: {e}");
    assert!(e.to_string().contains(&shown), "{e}");
    assert!(e.to_string().contains("read-only file system"), "{e}");
    for args in [
        &["--user", "op", "ticket", "list"][..],
        &["--user", "op", "ticket", "new", "--subject", "Thử"][..],
    ] {
        let out = hotline(&ro, &logs, args);
        println!(
            "`{}` on the read-only directory: {}",
            args[2..].join(" "),
            stderr_of(&out).trim()
        );
        assert_clear_failure(&out, &args.join(" "), &[&shown, "read-only file system"]);
    }

    remount(&ro, "remount,rw,bind");
    let store = Store::open_existing(&ro).expect("the store opens once writable");
    for id in &made {
        assert!(store.ticket(*id).unwrap().is_some(), "ticket {id} lost");
    }
    drop(store);
    drop(mount);
}

/// Fills the disk, then frees `room` bytes again: the disk has exactly that
/// much space left (in whole pages).
fn fill_leaving(at: &Path, room: u64) -> PathBuf {
    use std::io::Write;
    let path = at.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    for chunk in [vec![0u8; 1 << 16], vec![0u8; 4096], vec![0u8; 512]] {
        loop {
            match f.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => panic!("fill {}: {e}", path.display()),
            }
        }
    }
    let len = f.metadata().unwrap().len();
    f.set_len(len.saturating_sub(room)).unwrap();
    path
}

/// sled writes a snapshot when it opens a store whose log moved on since
/// the last one; a disk that fills during that write leaves a half written
/// `snap.*.generating`, which used to brick the store ("Read corrupted data
/// at file offset None"). With each amount of room left, the open fails
/// with "the disk is full" or works, and once space is freed the store
/// opens with everything acknowledged.
#[test]
fn opening_on_a_nearly_full_disk_never_bricks_the_store() {
    let scratch = tempfile::tempdir().unwrap();
    let mnt = scratch.path().join("disk");
    std::fs::create_dir(&mnt).unwrap();
    let disk = match mount_tmpfs(&mnt, "32m") {
        Ok(m) => m,
        Err(why) => {
            skipped(&format!("cannot mount a small tmpfs ({why})"));
            return;
        }
    };
    let data = mnt.join("store");
    let rt = runtime();
    let mut acked: Vec<(TicketId, Uuid)> = Vec::new();
    let mut api = operator_api(&data);
    let (mut failed, mut half_snapshots) = (0, 0);
    let mut cli_messages = std::collections::BTreeSet::new();
    let logs = scratch.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let rooms_kib = [0u64, 4, 8, 12, 16, 20, 24, 32, 48, 64, 128, 512];
    for (i, room) in rooms_kib.iter().enumerate() {
        // New writes, so that the next open writes a new snapshot.
        let batch = if i == 0 { 1500 } else { 30 };
        for _ in 0..batch {
            let request_id = Uuid::now_v7();
            let new = new_ticket(acked.len());
            let t = rt.block_on(api.create_ticket(request_id, new)).unwrap();
            acked.push((t.id, request_id));
        }
        drop(api);
        let filler = fill_leaving(&mnt, room * 1024);
        // The real binary: opens, creates, or says why not.
        let subject = format!("Đĩa gần đầy, còn {room} KiB");
        let out = hotline(
            &data,
            &logs,
            &[
                "--json",
                "--user",
                "op",
                "ticket",
                "new",
                "--subject",
                &subject,
            ],
        );
        if out.status.success() {
            let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let request_id = Uuid::parse_str(t["request_id"].as_str().unwrap()).unwrap();
            acked.push((TicketId(t["id"].as_u64().unwrap()), request_id));
        } else {
            assert_clear_failure(
                &out,
                &format!("ticket new, {room} KiB left"),
                &["the disk is full"],
            );
            cli_messages.insert(stderr_of(&out).trim().to_string());
        }
        half_snapshots += unfinished_snapshots(&data);
        match Store::open_existing(&data) {
            Ok(store) => drop(store),
            Err(e) => {
                failed += 1;
                let e = e.to_string();
                assert!(e.contains("the disk is full"), "{room} KiB left: {e}");
            }
        }
        let names = file_names(&data);
        half_snapshots += unfinished_snapshots(&data);
        std::fs::remove_file(filler).unwrap();
        let store = Store::open_existing(&data)
            .unwrap_or_else(|e| panic!("{room} KiB left, then freed ({names:?}): {e}"));
        for (id, request_id) in &acked {
            let t = store.ticket(*id).unwrap();
            assert_eq!(t.map(|t| t.request_id), Some(*request_id), "ticket {id}");
        }
        let backend = Backend::lazy(store, system_clock(), false);
        let op = backend.store.user("op").unwrap().unwrap();
        api = LocalApi::new(backend, op);
    }
    println!(
        "opens on a nearly full disk: {failed} of {} failed with \"the disk is full\"; \
         {half_snapshots} unfinished snapshots left; all {} acknowledged tickets \
         there once space was freed; `ticket new` said: {cli_messages:#?}",
        rooms_kib.len(),
        acked.len()
    );
    drop(api);
    drop(disk);
}
