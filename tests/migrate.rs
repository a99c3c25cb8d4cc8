//! Schema upgrades from stores written by earlier hotline versions, kept in
//! `tests/fixtures/` (see `make-store.sh`): every record survives, a backup
//! is written first, and a store newer than this program is left alone.

mod support;

use hotline::domain::escalation::EscalationRequest;
use hotline::domain::{
    Change, FaultType, Kind, NewTicket, Priority, Role, Status, Ticket, TicketId, Ts, User,
};
use hotline::store::{ListQuery, Store, StoreError, SCHEMA_VERSION};
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
    assert_eq!((upgrade.from, upgrade.to), (1, 3));

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
        message.contains("schema version 99, newer than this hotline's 3"),
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
fn a_schema_2_store_gets_the_queue_indexes_and_keeps_every_record() {
    let (tmp, dir) = copy_fixture("store-v2");
    let before = raw_trees(&dir);
    let store = Store::open_existing(&dir).unwrap();
    let upgrade = store.upgrade().expect("an upgrade").clone();
    assert_eq!((upgrade.from, upgrade.to), (2, 3));
    assert_eq!(store.schema_version().unwrap(), 3);
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

    // lan.nt logged all three; only ticket 3 is still open, waiting on the
    // citizen. Ticket 1 went to ward 26743 and is resolved: no ward waits.
    let owned = |name: &str| -> Vec<u64> {
        let listed = store
            .list_tickets(&ListQuery::Owner(name.into()), 100, None, |_| true)
            .unwrap();
        listed.tickets.iter().map(|t| t.id.0).collect()
    };
    assert_eq!(owned("lan.nt"), [3]);
    assert!(owned("to.26743").is_empty());
    let waiting = store
        .list_tickets(
            &ListQuery::Waiting {
                wards: vec![26743, 26740],
                before: None,
            },
            100,
            None,
            |_| true,
        )
        .unwrap();
    assert!(waiting.tickets.is_empty());
    let index = store.index_snapshot().unwrap();
    let owner_keys: Vec<&Vec<u8>> = index
        .iter()
        .filter(|(name, _)| name == "owner")
        .map(|(_, key)| key)
        .collect();
    assert_eq!(owner_keys.len(), 1);
    assert!(owner_keys[0].starts_with(b"lan.nt\0"));
    assert!(owner_keys[0].ends_with(&3u64.to_be_bytes()));
    drop(store);

    let restored = tmp.path().join("restored");
    Store::restore_from(&upgrade.backup, &restored).unwrap();
    assert_eq!(raw_trees(&restored), before);
}

/// A schema-2 store with tickets in every queue (made here: the fixtures'
/// tickets are all closed or resolved, and a schema-2 store is a current one
/// without the queue trees): the rebuilt queue indexes list what a reading
/// of every ticket finds.
#[test]
fn the_rebuilt_queue_indexes_agree_with_the_tickets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    {
        let store = Store::open(&dir).unwrap();
        let op = user("lan.nt", Role::Operator, vec![]);
        let responder = user("ut.benthanh", Role::Responder, vec![26734, 26737]);
        let escalate = |ward| {
            Change::Escalate(EscalationRequest {
                ward,
                fault: FaultType::PortalSync,
                level: 1,
                severity: Priority::P2,
                note: None,
            })
        };
        let steps: Vec<Vec<(Change, &User)>> = vec![
            vec![],
            vec![(Change::Start, &op)],
            vec![(escalate(26734), &op)],
            vec![
                (escalate(26737), &op),
                (Change::Ack { note: None }, &responder),
            ],
            vec![(escalate(26737), &op)],
            vec![(
                Change::Resolve {
                    note: "xong".into(),
                },
                &op,
            )],
        ];
        for (i, changes) in steps.into_iter().enumerate() {
            let mut n = NewTicket::new(Kind::Fault, &format!("Phiếu {i}"));
            n.caller_name = "Nguyễn Thị Thu Hà".into();
            n.ward = Some(26734);
            let now = Ts(1_760_000_000_000 + i as i64 * 60_000);
            let (mut t, _) = store
                .create_ticket(uuid::Uuid::now_v7(), &n, &op.name, now)
                .unwrap();
            for (change, by) in changes {
                t = store
                    .update_ticket(t.id, t.version, &by.name, now, |t| {
                        t.apply(&change, by, now)
                    })
                    .unwrap();
            }
        }
    }
    {
        let db = support::raw_sled(&dir);
        db.drop_tree("by_owner").unwrap();
        db.drop_tree("waiting_by_ward").unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("schema_version", &2u64.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open_existing(&dir).unwrap();
    assert_eq!(store.upgrade().map(|u| (u.from, u.to)), Some((2, 3)));
    let tickets: Vec<Ticket> = store.all_tickets().collect::<Result<_, _>>().unwrap();
    let statuses: Vec<Status> = tickets.iter().map(|t| t.status).collect();
    assert_eq!(
        statuses,
        [
            Status::New,
            Status::InProgress,
            Status::Escalated,
            Status::Acknowledged,
            Status::Escalated,
            Status::Resolved
        ]
    );
    let open = |t: &Ticket| {
        !matches!(
            t.status,
            Status::Resolved | Status::Closed | Status::Cancelled
        )
    };
    let mut owners: Vec<String> = tickets
        .iter()
        .filter(|t| open(t))
        .filter_map(|t| t.owner().map(str::to_string))
        .collect();
    owners.sort();
    owners.dedup();
    // lan.nt logged and has tickets 1 and 2; the responder acknowledged 4.
    assert_eq!(owners, ["lan.nt", "ut.benthanh"]);
    for name in owners {
        let mut want: Vec<&Ticket> = tickets
            .iter()
            .filter(|t| open(t) && t.owner() == Some(name.as_str()))
            .collect();
        want.sort_by_key(|t| (t.due(), t.id));
        let listed = store
            .list_tickets(&ListQuery::Owner(name.clone()), 100, None, |_| true)
            .unwrap();
        let have: Vec<TicketId> = listed.tickets.iter().map(|t| t.id).collect();
        let want: Vec<TicketId> = want.iter().map(|t| t.id).collect();
        assert_eq!(have, want, "{name}");
    }
    let wards = vec![26734, 26737];
    let mut want: Vec<&Ticket> = tickets
        .iter()
        .filter(|t| matches!(t.status, Status::Escalated | Status::Acknowledged))
        .collect();
    want.sort_by_key(|t| (t.due(), t.id));
    let listed = store
        .list_tickets(
            &ListQuery::Waiting {
                wards,
                before: None,
            },
            100,
            None,
            |_| true,
        )
        .unwrap();
    let have: Vec<TicketId> = listed.tickets.iter().map(|t| t.id).collect();
    let want: Vec<TicketId> = want.iter().map(|t| t.id).collect();
    assert_eq!(have.len(), 3);
    assert_eq!(have, want);
    let tickets_index: Vec<_> = store.index_snapshot().unwrap();
    assert_eq!(tickets_index, Store::expected_index(&tickets));
}

fn user(name: &str, role: Role, wards: Vec<u32>) -> User {
    User {
        name: name.into(),
        display_name: name.into(),
        role,
        wards,
    }
}
