//! Schema upgrades from stores written by earlier hotline versions, kept in
//! `tests/fixtures/` (see `make-store.sh`): every record survives, a backup
//! is written first, and a store newer than this program is left alone.

mod support;

use hotline::domain::{Status, TicketId};
use hotline::store::{Store, StoreError, SCHEMA_VERSION};
use std::path::{Path, PathBuf};

/// A writable copy of a fixture store (sled writes on open).
fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join(name);
    copy_dir(&from, &to);
    (tmp, to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A tree's name and its (key, value) pairs.
type RawTree = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

/// Every non-empty tree, read with sled alone.
fn raw_trees(dir: &Path) -> Vec<RawTree> {
    let db = support::raw_sled(dir);
    let mut trees: Vec<_> = db
        .tree_names()
        .into_iter()
        .map(|name| {
            let tree = db.open_tree(&name).unwrap();
            let pairs = tree
                .iter()
                .map(|kv| {
                    let (k, v) = kv.unwrap();
                    (k.to_vec(), v.to_vec())
                })
                .collect();
            (name.to_vec(), pairs)
        })
        .filter(|(_, pairs): &RawTree| !pairs.is_empty())
        .collect();
    trees.sort();
    trees
}

#[test]
fn a_schema_1_store_is_upgraded_after_a_backup_and_keeps_every_record() {
    let (tmp, dir) = copy_fixture("store-v1");
    let before = raw_trees(&dir);
    let store = Store::open_existing(&dir).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let upgrade = store.upgrade().expect("an upgrade").clone();
    assert_eq!((upgrade.from, upgrade.to), (1, 2));

    // What the schema-1 binary wrote (make-store.sh), read back.
    let subjects_and_statuses: Vec<(String, Status)> = (1..=3)
        .map(|id| {
            let t = store.ticket(TicketId(id)).unwrap().unwrap();
            (t.subject, t.status)
        })
        .collect();
    assert_eq!(
        subjects_and_statuses,
        [
            ("Hồ sơ kẹt đồng bộ".to_string(), Status::Resolved),
            ("Hỏi thủ tục khai sinh".to_string(), Status::Closed),
            (
                "Thanh toán trực tuyến thất bại".to_string(),
                Status::WaitingOnCitizen
            ),
        ]
    );
    assert_eq!(store.events(TicketId(1)).unwrap().len(), 7);
    let mut users: Vec<String> = store.users().unwrap().into_iter().map(|u| u.name).collect();
    users.sort();
    assert_eq!(users, ["admin", "gs.hoa", "lan.nt", "to.26743"]);
    assert_eq!(store.all_dossiers().count(), 4);
    assert!(!store.is_demo().unwrap(), "a real store stays real");
    drop(store);

    // The backup holds the store exactly as it was before the upgrade.
    let restored = tmp.path().join("restored");
    Store::restore_from(&upgrade.backup, &restored).unwrap();
    assert_eq!(raw_trees(&restored), before);
}

#[test]
fn a_schema_1_demo_store_is_recognised_as_one() {
    let (_tmp, dir) = copy_fixture("demo-store-v1");
    let store = Store::open_existing(&dir).unwrap();
    assert!(store.is_demo().unwrap());
    assert_eq!(store.ticket_count().unwrap(), 10);
    assert_eq!(store.users().unwrap().len(), 10);
}

#[test]
fn a_store_newer_than_this_program_is_refused_untouched() {
    let (_tmp, dir) = copy_fixture("store-v1");
    {
        let db = support::raw_sled(&dir);
        let meta = db.open_tree("meta").unwrap();
        meta.insert("schema_version", &99u64.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let before = raw_trees(&dir);
    let err = Store::open_existing(&dir).err().expect("refused");
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("schema version 99, newer than this hotline's 2"),
        "{message}"
    );
    assert_eq!(raw_trees(&dir), before, "nothing changed");
    assert!(!dir.join("backups").exists());
}

#[test]
fn a_current_store_opens_without_an_upgrade() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    assert!(store.upgrade().is_none());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_schema_2_store_opens_as_it_is() {
    let (_tmp, dir) = copy_fixture("store-v2");
    let store = Store::open_existing(&dir).unwrap();
    assert!(store.upgrade().is_none());
    assert_eq!(store.schema_version().unwrap(), 2);
    let statuses: Vec<Status> = (1..=3)
        .map(|id| store.ticket(TicketId(id)).unwrap().unwrap().status)
        .collect();
    assert_eq!(
        statuses,
        [Status::Resolved, Status::Closed, Status::WaitingOnCitizen]
    );
    assert_eq!(store.events(TicketId(1)).unwrap().len(), 7);
    // make-store.sh's `user add` issued each user a sign-in token.
    for name in ["admin", "gs.hoa", "lan.nt", "to.26743"] {
        assert!(store.has_token(name).unwrap(), "{name} has a token");
    }
    assert!(!store.is_demo().unwrap());
}
