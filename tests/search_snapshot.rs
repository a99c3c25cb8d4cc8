//! The search index saved beside the store: loaded at the next start, caught
//! up with what changed in the store since it was saved, and rebuilt (never
//! trusted) when damaged or of another format. Real stores in temporary
//! directories, the real service.

use hotline::api::local::search_service::{snapshot_dir, IndexStart};
use hotline::api::{Backend, HotlineApi, LocalApi, SearchRequest};
use hotline::demo::{demo_now, populate_demo, DemoConfig};
use hotline::domain::{
    fixed_clock, Dossier, Kind, NewTicket, PaymentState, Phone, PortalStatus, Role, SyncState,
    TicketId, Ts, User,
};
use hotline::search::snapshot;
use hotline::store::{Changed, Store};
use std::path::Path;
use std::sync::Arc;

/// An operator: finds everything and logs tickets.
fn operator() -> User {
    User {
        name: "op.test".into(),
        display_name: "Operator".into(),
        role: Role::Operator,
        wards: vec![],
    }
}

fn demo_store(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap();
    let cfg = DemoConfig {
        dossiers: 3_000,
        tickets: 300,
        ..DemoConfig::default()
    };
    populate_demo(&store, &cfg).unwrap();
    store.put_user(&operator()).unwrap();
    store
}

/// Opens the store with a search index made ready, and says how it was made.
fn start(dir: &Path) -> (Arc<Backend>, IndexStart) {
    start_at(dir, demo_now())
}

fn start_at(dir: &Path, now: Ts) -> (Arc<Backend>, IndexStart) {
    let store = Store::open(dir).unwrap();
    let backend = Backend::new(store, fixed_clock(now), true);
    backend.search.wait_ready().unwrap();
    // The save after a build runs after "ready": let it finish before the store closes.
    backend.search.join_background();
    let how = backend.search.start_report().unwrap();
    (backend, how)
}

/// (kind, key, title, subtitle) of each hit: what the user sees.
type Seen = Vec<(String, String, String, String)>;

fn search(backend: &Backend, text: &str) -> Seen {
    backend
        .search
        .search(
            &SearchRequest {
                text: text.into(),
                limit: 20,
            },
            &operator(),
        )
        .hits
        .into_iter()
        .map(|h| (format!("{:?}", h.kind), h.key, h.title, h.subtitle))
        .collect()
}

const QUERIES: &[&str] = &[
    "nguyen van",
    "tran thi",
    "ben thanh",
    "phuong 12 quan 3",
    "chung thuc ban sao",
    "PA-000012",
    "0912",
    "dong bo",
    "status:new",
    "kind:fault loi",
    "Quách Tĩnh Đào",
    "zzqx mucus",
];

fn all_results(backend: &Backend) -> Vec<Seen> {
    QUERIES.iter().map(|q| search(backend, q)).collect()
}

fn keys(seen: &Seen) -> Vec<&str> {
    seen.iter().map(|s| s.1.as_str()).collect()
}

#[test]
fn the_next_start_loads_the_saved_index_with_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    let (first, how) = start(dir.path());
    assert!(matches!(how, IndexStart::Built { .. }), "{how:?}");
    let built = all_results(&first);
    assert!(built.iter().filter(|r| !r.is_empty()).count() >= 8);
    drop(first);

    let file = snapshot::file_in(&dir.path().join("search-index"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
        let mode = std::fs::metadata(file.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700);
    }

    let (second, how) = start(dir.path());
    assert_eq!(how, IndexStart::Loaded { caught_up: 0 });
    assert_eq!(all_results(&second), built);
}

#[test]
fn a_snapshot_older_than_the_store_is_caught_up() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    drop(start(dir.path()));

    // Another process (or this one before a crash) writes without the index.
    let store = Store::open(dir.path()).unwrap();
    let now = demo_now();
    let mut new = NewTicket::new(Kind::Fault, "Máy quét vân tay Xyzzyqua hỏng");
    new.caller_name = "Ông Plugh Ấp".into();
    let (created, _) = store
        .create_ticket(uuid::Uuid::now_v7(), &new, "op.test", now)
        .unwrap();
    let old = store.ticket(TicketId(7)).unwrap().unwrap();
    store
        .update_ticket(old.id, old.version, "op.test", now, |t| {
            t.subject = "Chữ ký số Quuxwobble hết hạn".into();
            Ok(vec![])
        })
        .unwrap();
    let mut dossier = store.all_dossiers().next().unwrap().unwrap();
    let old_name = dossier.applicant_name.clone();
    dossier.applicant_name = "Frobozz Thị Nhàn".into();
    store.put_dossiers(std::slice::from_ref(&dossier)).unwrap();
    drop(store);

    let (caught_up, how) = start(dir.path());
    assert_eq!(how, IndexStart::Loaded { caught_up: 3 });
    let found = search(&caught_up, "xyzzyqua");
    assert_eq!(keys(&found), [created.id.to_string()]);
    let found = search(&caught_up, "quuxwobble");
    assert_eq!(keys(&found), ["PA-000007"]);
    assert!(found[0].2.contains("Quuxwobble"), "{found:?}");
    let found = search(&caught_up, "frobozz nhan");
    assert_eq!(keys(&found), [dossier.code.as_str()]);
    // The old name no longer finds the dossier.
    let found = search(&caught_up, &old_name);
    assert!(!keys(&found).contains(&dossier.code.as_str()), "{found:?}");

    // Exactly what a build from the store gives.
    let loaded = all_results(&caught_up);
    drop(caught_up);
    std::fs::remove_dir_all(dir.path().join("search-index")).unwrap();
    let (rebuilt, how) = start(dir.path());
    assert!(matches!(how, IndexStart::Built { .. }), "{how:?}");
    assert_eq!(all_results(&rebuilt), loaded);
}

#[test]
fn changes_made_while_running_are_found_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    let (backend, _) = start(dir.path());
    let api = LocalApi::new(backend.clone(), operator());
    let mut new = NewTicket::new(Kind::Question, "Hỏi về Zorkmid lệ phí");
    new.caller_name = "Bà Grue".into();
    new.caller_phone = "0938 271 645".into();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let created = rt
        .block_on(api.create_ticket(uuid::Uuid::now_v7(), new))
        .unwrap();
    assert_eq!(keys(&search(&backend, "zorkmid")), [created.id.to_string()]);
    drop(api);
    drop(backend);

    let (again, how) = start(dir.path());
    assert_eq!(how, IndexStart::Loaded { caught_up: 1 });
    assert_eq!(keys(&search(&again, "zorkmid")), [created.id.to_string()]);
    assert_eq!(
        keys(&search(&again, "0938 271 645")),
        [created.id.to_string()]
    );

    // Saved with the ticket in the index's additions (terms and phones added
    // after its build): the next start needs no catching up and finds it.
    again.search.save_now();
    drop(again);
    let (saved, how) = start(dir.path());
    assert_eq!(how, IndexStart::Loaded { caught_up: 0 });
    assert_eq!(keys(&search(&saved, "zorkmid")), [created.id.to_string()]);
    assert_eq!(
        keys(&search(&saved, "0938271645")),
        [created.id.to_string()]
    );
    assert_eq!(keys(&search(&saved, "1645")), [created.id.to_string()]);
}

#[test]
fn a_damaged_or_foreign_snapshot_is_rebuilt_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    let (first, _) = start(dir.path());
    let expected = all_results(&first);
    drop(first);
    let file = snapshot::file_in(&snapshot_dir(&Store::open(dir.path()).unwrap()));
    let good = std::fs::read(&file).unwrap();

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    let mut other_format = good.clone();
    other_format[17] = other_format[17].wrapping_add(1);
    let damages: Vec<(&str, Vec<u8>, &str)> = vec![
        ("one byte flipped", flipped, "damaged"),
        ("cut short", good[..good.len() * 2 / 3].to_vec(), "damaged"),
        ("another format", other_format, "format"),
        (
            "not an index",
            b"hello".to_vec(),
            "not a saved search index",
        ),
        ("empty", Vec::new(), "not a saved search index"),
    ];
    for (what, bytes, why) in damages {
        std::fs::write(&file, &bytes).unwrap();
        let (backend, how) = start(dir.path());
        match &how {
            IndexStart::Built { why: said } => assert!(said.contains(why), "{what}: {said}"),
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(all_results(&backend), expected, "{what}");
        drop(backend);
        // The rebuilt index was saved again, whole.
        assert_eq!(std::fs::read(&file).unwrap().len(), good.len(), "{what}");
    }
}

#[test]
fn the_change_log_lists_each_changed_record_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.generation().unwrap(), 0);
    let now = demo_now();
    let (a, _) = store
        .create_ticket(
            uuid::Uuid::now_v7(),
            &NewTicket::new(Kind::Question, "một"),
            "x",
            now,
        )
        .unwrap();
    let (b, _) = store
        .create_ticket(
            uuid::Uuid::now_v7(),
            &NewTicket::new(Kind::Question, "hai"),
            "x",
            now,
        )
        .unwrap();
    store
        .update_ticket(a.id, a.version, "x", now, |t| {
            t.subject = "ba".into();
            Ok(vec![])
        })
        .unwrap();
    assert_eq!(store.generation().unwrap(), 3);
    let since = store.changes_since(0).unwrap().unwrap();
    assert_eq!(since.generation, 3);
    assert_eq!(
        since.changed,
        [Changed::Ticket(a.id), Changed::Ticket(b.id)]
    );
    let since = store.changes_since(2).unwrap().unwrap();
    assert_eq!(since.changed, [Changed::Ticket(a.id)]);
    assert_eq!(store.changes_since(3).unwrap().unwrap().changed, []);
    // Ahead of the store: the reader must start from the whole store.
    assert_eq!(store.changes_since(4).unwrap(), None);

    store.forget_changes_through(2).unwrap();
    assert_eq!(store.changes_since(0).unwrap(), None);
    assert_eq!(store.changes_since(1).unwrap(), None);
    assert_eq!(
        store.changes_since(2).unwrap().unwrap().changed,
        [Changed::Ticket(a.id)]
    );
    // The generation survives reopening.
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.generation().unwrap(), 3);
}

#[test]
fn an_open_dossier_that_fell_due_since_the_save_shows_as_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let p = hotline::reference::procedure("2.000815").unwrap();
    let now = demo_now();
    let dossier = Dossier {
        code: "000.00.201.H29-261120-0999".into(),
        procedure_code: p.code.clone(),
        procedure_name: p.name.clone(),
        applicant_name: "Vạn Thị Quỳnhzy".into(),
        applicant_phone: Phone::parse("0765 432 199").ok(),
        ward: 26743,
        received_at: Ts(now.0 - 86_400),
        due_at: Ts(now.0 + 2 * 86_400),
        finished_at: None,
        status: PortalStatus::PROCESSING,
        sync: SyncState::Synced,
        payment: PaymentState::NotRequired,
    };
    store.put_dossiers(&[dossier]).unwrap();
    drop(store);

    let (today, _) = start(dir.path());
    let found = search(&today, "quynhzy");
    assert_eq!(found.len(), 1);
    assert!(!found[0].3.contains("quá hạn"), "{found:?}");
    drop(today);

    let (later, how) = start_at(dir.path(), Ts(now.0 + 3 * 86_400));
    assert_eq!(how, IndexStart::Loaded { caught_up: 0 });
    let found = search(&later, "quynhzy");
    assert!(found[0].3.ends_with(" · quá hạn"), "{found:?}");
}

fn dossier(code: &str, name: &str) -> Dossier {
    let p = hotline::reference::procedure("2.000815").unwrap();
    Dossier {
        code: code.into(),
        procedure_code: p.code.clone(),
        procedure_name: p.name.clone(),
        applicant_name: name.into(),
        applicant_phone: None,
        ward: 26743,
        received_at: Ts(demo_now().0 - 86_400),
        due_at: Ts(demo_now().0 + 86_400),
        finished_at: None,
        status: PortalStatus::PROCESSING,
        sync: SyncState::Synced,
        payment: PaymentState::NotRequired,
    }
}

#[test]
fn a_batch_of_dossiers_is_one_log_entry_that_still_lists_each_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let batch = [
        dossier("000.00.01.H29-261120-0001", "Một"),
        dossier("000.00.01.H29-261120-0002", "Hai"),
        dossier("000.00.01.H29-261120-0003", "Ba"),
    ];
    store.put_dossiers(&batch).unwrap();
    assert_eq!(store.change_log_entries(), 1);
    // Each record still counts one: the generation is a count of changes.
    assert_eq!(store.generation().unwrap(), 3);
    let (t, _) = store
        .create_ticket(
            uuid::Uuid::now_v7(),
            &NewTicket::new(Kind::Question, "bốn"),
            "x",
            demo_now(),
        )
        .unwrap();
    assert_eq!(store.change_log_entries(), 2);
    assert_eq!(store.generation().unwrap(), 4);
    let codes = |c: &[&str]| c.iter().map(|c| Changed::Dossier(c.to_string())).collect();
    let expected: Vec<Changed> = codes(&[
        "000.00.01.H29-261120-0001",
        "000.00.01.H29-261120-0002",
        "000.00.01.H29-261120-0003",
    ]);
    let since = store.changes_since(0).unwrap().unwrap();
    assert_eq!(since.generation, 4);
    assert_eq!(since.changed[..3], expected[..]);
    assert_eq!(since.changed[3], Changed::Ticket(t.id));
    assert_eq!(
        store.changes_since(3).unwrap().unwrap().changed,
        [Changed::Ticket(t.id)]
    );
    // Rewriting one of them and an unchanged one: only the changed one is logged.
    let mut again = batch.clone();
    again[1].applicant_name = "Hai Mới".into();
    store.put_dossiers(&again).unwrap();
    assert_eq!(store.generation().unwrap(), 5);
    assert_eq!(
        store.changes_since(4).unwrap().unwrap().changed,
        codes(&["000.00.01.H29-261120-0002"])
    );
    // Forgetting through a batch's last number drops the whole entry.
    store.forget_changes_through(3).unwrap();
    assert_eq!(store.change_log_entries(), 2);
    assert_eq!(store.changes_since(2).unwrap(), None);
    assert_eq!(store.changes_since(3).unwrap().unwrap().changed.len(), 2);
}

#[test]
fn a_bulk_load_is_two_markers_and_readers_from_before_it_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store
        .put_dossiers(&[dossier("000.00.01.H29-261120-0001", "Một")])
        .unwrap();
    assert_eq!(store.generation().unwrap(), 1);
    let loaded = store
        .bulk_load(|| {
            // Under way: nobody may catch up, not even from the present.
            assert_eq!(store.changes_since(2).unwrap(), None);
            let batch: Vec<Dossier> = (2..=500)
                .map(|i| dossier(&format!("000.00.01.H29-261120-{i:04}"), "Bulk"))
                .collect();
            store.put_dossiers_unflushed(&batch)
        })
        .unwrap();
    assert_eq!(loaded.added, 499);
    // One entry before, two markers, nothing per record.
    assert_eq!(store.change_log_entries(), 3);
    assert_eq!(store.generation().unwrap(), 3);
    assert_eq!(store.changes_since(0).unwrap(), None);
    assert_eq!(store.changes_since(1).unwrap(), None);
    assert_eq!(store.changes_since(2).unwrap(), None);
    assert_eq!(store.changes_since(3).unwrap().unwrap().changed, []);
    // Writes after it are logged again.
    let (t, _) = store
        .create_ticket(
            uuid::Uuid::now_v7(),
            &NewTicket::new(Kind::Question, "sau"),
            "x",
            demo_now(),
        )
        .unwrap();
    assert_eq!(
        store.changes_since(3).unwrap().unwrap().changed,
        [Changed::Ticket(t.id)]
    );
    // A failed load still closes with its marker.
    let failed: Result<(), _> =
        store.bulk_load(|| Err(hotline::store::StoreError::Corrupt("x".into())));
    assert!(failed.is_err());
    assert_eq!(store.generation().unwrap(), 6);
    assert_eq!(store.changes_since(6).unwrap().unwrap().changed, []);
}

#[test]
fn a_saved_index_older_than_a_bulk_load_is_rebuilt_and_finds_the_loaded_records() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    // The demo generator itself is a bulk load: the log holds its two markers only.
    assert_eq!(
        Store::open(dir.path()).unwrap().change_log_entries(),
        2,
        "demo generation logged records one by one"
    );
    drop(start(dir.path()));
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .bulk_load(|| {
                store.put_dossiers_unflushed(&[dossier(
                    "000.00.01.H29-261120-0777",
                    "Thạch Thị Plughbulk",
                )])
            })
            .unwrap();
        store.flush().unwrap();
    }
    let (backend, how) = start(dir.path());
    match how {
        IndexStart::Built { why } => assert!(why.contains("bulk load"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        keys(&search(&backend, "plughbulk")),
        ["000.00.01.H29-261120-0777"]
    );
    drop(backend);
    let (backend, how) = start(dir.path());
    assert_eq!(how, IndexStart::Loaded { caught_up: 0 });
    assert_eq!(
        keys(&search(&backend, "plughbulk")),
        ["000.00.01.H29-261120-0777"]
    );
}

#[test]
fn an_import_while_running_is_found_at_once_and_caught_up_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    let (backend, _) = start(dir.path());
    let entries = backend.store.change_log_entries();
    let csv = "code,procedure_code,procedure_name,applicant_name,applicant_phone,ward_code,\
               received_at,due_at,finished_at,status,sync,payment\n\
               000.00.01.H29-261119-0001,2.000815,Chứng thực,Đinh Thị Frotzimport,,26743,2026-11-19 08:00,2026-11-21,,4,synced,none\n\
               000.00.01.H29-261119-0002,2.000815,Chứng thực,Lý Văn Frotzimport,,26743,2026-11-19 09:00,2026-11-21,,4,synced,none\n";
    let report = backend.import_dossiers(csv.as_bytes()).unwrap();
    assert_eq!(report.added, 2);
    assert_eq!(backend.store.change_log_entries(), entries + 1);
    let expected = ["000.00.01.H29-261119-0001", "000.00.01.H29-261119-0002"];
    let mut found = keys(&search(&backend, "frotzimport"))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, expected);
    drop(backend);

    let (again, how) = start(dir.path());
    assert_eq!(how, IndexStart::Loaded { caught_up: 2 });
    let mut found = keys(&search(&again, "frotzimport"))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, expected);
}

#[test]
fn a_save_leaves_out_the_documents_that_were_replaced() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    let (backend, _) = start(dir.path());
    let api = LocalApi::new(backend.clone(), operator());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // One ticket changed 40 times: each change replaces its document.
    let mut ticket = rt
        .block_on(api.create_ticket(
            uuid::Uuid::now_v7(),
            NewTicket::new(Kind::Question, "Hỏi lệ phí"),
        ))
        .unwrap();
    for i in 0..40 {
        ticket = rt
            .block_on(api.apply(
                ticket.id,
                ticket.version,
                hotline::domain::Change::Comment {
                    text: format!("gọi lại lần {i}"),
                },
            ))
            .unwrap();
    }
    backend.search.save_now();
    drop(api);
    drop(backend);

    let saved = snapshot::file_in(&dir.path().join("search-index"));
    let (loaded, _) = snapshot::load(saved.parent().unwrap(), &|_, _| {}).unwrap();
    // Wards, procedures, 3,000 dossiers and 301 tickets, each once.
    let expected =
        hotline::reference::wards().len() + hotline::reference::procedures().len() + 3_000 + 301;
    assert_eq!(loaded.len(), expected);
    assert_eq!(loaded.stored(), expected);

    // The compacted copy answers as a build from the store does.
    let (compacted, how) = start(dir.path());
    assert_eq!(how, IndexStart::Loaded { caught_up: 0 });
    let from_copy = all_results(&compacted);
    drop(compacted);
    std::fs::remove_dir_all(dir.path().join("search-index")).unwrap();
    let (rebuilt, _) = start(dir.path());
    assert_eq!(all_results(&rebuilt), from_copy);
}

#[test]
fn an_unreadable_stored_dossier_fails_the_build_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    drop(demo_store(dir.path()));
    {
        let db = sled::open(dir.path()).unwrap();
        db.open_tree("dossiers")
            .unwrap()
            .insert(
                b"000.00.99.H29-261120-0500",
                &b"\xff\xff\xff not postcard"[..],
            )
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let backend = Backend::new(store, fixed_clock(demo_now()), true);
    let failed = backend.search.wait_ready().unwrap_err();
    assert!(
        failed.0.contains("stored value is corrupt (dossier"),
        "{failed}"
    );
    // Nothing half built was saved.
    backend.search.join_background();
    assert!(!snapshot::file_in(&dir.path().join("search-index")).exists());
}
