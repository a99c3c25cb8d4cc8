//! The sled store on a real temp dir: idempotent create, optimistic
//! concurrency, indexes that agree with the tickets, listing and cursors.

use hotline::domain::escalation::EscalationRequest;
use hotline::domain::{
    Change, FaultType, Kind, NewTicket, Priority, Role, Status, Ticket, TicketId, Ts, User,
};
use hotline::store::{ListQuery, Store, StoreError};
use proptest::prelude::*;
use std::sync::{Arc, Barrier};
use uuid::Uuid;

fn user(name: &str, role: Role) -> User {
    User {
        name: name.into(),
        display_name: name.into(),
        role,
        wards: vec![26743],
    }
}

fn new_ticket(phone: &str, subject: &str) -> NewTicket {
    let mut n = NewTicket::new(Kind::Fault, subject);
    n.caller_phone = phone.into();
    n.caller_name = "Nguyễn Thị Thu Hà".into();
    n.ward = Some(26743);
    n
}

#[test]
fn create_is_idempotent_by_request_id_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let rid = Uuid::now_v7();
    let (a, b) = {
        let store = Store::open(dir.path()).unwrap();
        let (a, created_a) = store
            .create_ticket(rid, &new_ticket("0912345678", "Lỗi đồng bộ"), "op", Ts(100))
            .unwrap();
        let (b, created_b) = store
            .create_ticket(rid, &new_ticket("0912345678", "Lỗi đồng bộ"), "op", Ts(200))
            .unwrap();
        assert!(created_a && !created_b);
        (a, b)
    };
    assert_eq!(a, b);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.ticket_count().unwrap(), 1);
    assert_eq!(store.ticket(a.id).unwrap(), Some(a.clone()));
    assert_eq!(store.events(a.id).unwrap().len(), 1);
    let (c, _) = store
        .create_ticket(Uuid::now_v7(), &new_ticket("", "Khác"), "op", Ts(300))
        .unwrap();
    assert_eq!(c.id, TicketId(2));
}

/// A replayed create is an acknowledgement too: the ticket it finds may
/// not be on the disk yet (its own call's sync failed, or has not run), so
/// the replay syncs before it answers.
#[test]
fn a_replayed_create_syncs_before_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let rid = Uuid::now_v7();
    let new = new_ticket("0912345678", "Lỗi đồng bộ");
    store.create_ticket(rid, &new, "op", Ts(100)).unwrap();
    let before = store.durable_syncs();
    let (_, created) = store.create_ticket(rid, &new, "op", Ts(200)).unwrap();
    assert!(!created);
    assert_eq!(store.durable_syncs(), before + 1);
}

#[test]
fn invalid_tickets_are_rejected_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let err = store
        .create_ticket(Uuid::now_v7(), &new_ticket("12", ""), "op", Ts(1))
        .unwrap_err();
    match err {
        StoreError::Invalid(errors) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["subject", "phone"]);
        }
        other => panic!("{other}"),
    }
    assert_eq!(store.ticket_count().unwrap(), 0);
    assert!(store.index_snapshot().unwrap().is_empty());
}

#[test]
fn two_writers_from_the_same_version_one_wins_one_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (t, _) = store
        .create_ticket(Uuid::now_v7(), &new_ticket("0912345678", "x"), "op", Ts(1))
        .unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let store = store.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let u = user(&format!("op{i}"), Role::Operator);
                barrier.wait();
                store.update_ticket(t.id, t.version, &u.name, Ts(10), |tk| {
                    tk.apply(
                        &Change::Comment {
                            text: format!("từ op{i}"),
                        },
                        &u,
                        Ts(10),
                    )
                })
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    let conflict = results.iter().find_map(|r| match r {
        Err(StoreError::Conflict(current)) => Some(current.clone()),
        _ => None,
    });
    let current = conflict.expect("the loser gets a conflict with the current ticket");
    assert_eq!(current.version, t.version + 1);
    assert_eq!(
        store.events(t.id).unwrap().len(),
        2,
        "exactly one comment landed"
    );
}

#[test]
fn rejected_changes_leave_the_store_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (t, _) = store
        .create_ticket(Uuid::now_v7(), &new_ticket("0912345678", "x"), "op", Ts(1))
        .unwrap();
    let op = user("op", Role::Operator);
    let err = store
        .update_ticket(t.id, t.version, "op", Ts(2), |tk| {
            tk.apply(&Change::Close, &op, Ts(2))
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot close a ticket that is new"),
        "{err}"
    );
    assert_eq!(store.ticket(t.id).unwrap().unwrap(), t);
    let missing = store.update_ticket(TicketId(99), 1, "op", Ts(2), |tk| {
        tk.apply(&Change::Start, &op, Ts(2))
    });
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

#[test]
fn listing_by_index_with_cursor_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for i in 0..25 {
        let phone = if i % 5 == 0 {
            "0909000111"
        } else {
            "0909000222"
        };
        store
            .create_ticket(
                Uuid::now_v7(),
                &new_ticket(phone, &format!("t{i}")),
                "op",
                Ts(i),
            )
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_tickets(&ListQuery::All, 10, after.as_deref(), |_| true)
            .unwrap();
        seen.extend(page.tickets.iter().map(|t| t.id.0));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(
        seen,
        (1..=25).rev().collect::<Vec<u64>>(),
        "newest first, every ticket once"
    );
    let by_phone = store
        .list_tickets(&ListQuery::Phone("0909000111".into()), 100, None, |_| true)
        .unwrap();
    assert_eq!(
        by_phone.tickets.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        vec![21, 16, 11, 6, 1]
    );
    let due = store
        .list_tickets(&ListQuery::Due, 3, None, |_| true)
        .unwrap();
    assert_eq!(
        due.tickets.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        vec![1, 2, 3],
        "soonest due first"
    );
    let wrong = store.list_tickets(&ListQuery::Due, 3, Some("a:00"), |_| true);
    assert!(matches!(wrong, Err(StoreError::Invalid(_))));
}

#[derive(Debug, Clone)]
enum Op {
    Create { phone: u8, ward: bool },
    Act { ticket: u8, step: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..4, any::<bool>()).prop_map(|(phone, ward)| Op::Create { phone, ward }),
        (0u8..16, 0u8..11).prop_map(|(ticket, step)| Op::Act { ticket, step }),
    ]
}

fn change_for(step: u8) -> (Change, Role) {
    match step {
        0 => (Change::Start, Role::Operator),
        1 => (Change::Wait { note: None }, Role::Operator),
        2 => (
            Change::Escalate(EscalationRequest {
                ward: 26740,
                fault: FaultType::PaymentFailure,
                level: 1,
                severity: Priority::P2,
                note: None,
            }),
            Role::Operator,
        ),
        3 => (Change::Ack { note: None }, Role::Supervisor),
        4 => (
            Change::Resolve {
                note: "xong".into(),
            },
            Role::Supervisor,
        ),
        5 => (Change::Close, Role::Operator),
        6 => (
            Change::Reopen {
                reason: "chưa xong".into(),
            },
            Role::Operator,
        ),
        7 => (
            Change::Cancel {
                duplicate_of: None,
                note: None,
            },
            Role::Supervisor,
        ),
        10 => (
            Change::Escalate(EscalationRequest {
                ward: 26743,
                fault: FaultType::PortalSync,
                level: 1,
                severity: Priority::P1,
                note: None,
            }),
            Role::Operator,
        ),
        8 => (
            Change::LinkDossier {
                code: "000.00.01.H29-250812-0042".into(),
            },
            Role::Operator,
        ),
        _ => (
            Change::Edit(hotline::domain::TicketEdit {
                caller_phone: Some("0988777666".into()),
                ..Default::default()
            }),
            Role::Operator,
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn indexes_agree_with_tickets_after_random_operations(ops in prop::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut ids: Vec<TicketId> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Create { phone, ward } => {
                    let mut n = new_ticket(&format!("090900011{phone}"), "x");
                    n.ward = ward.then_some(26743);
                    let (t, _) = store.create_ticket(Uuid::now_v7(), &n, "op", Ts(i as i64)).unwrap();
                    ids.push(t.id);
                }
                Op::Act { ticket, step } => {
                    if ids.is_empty() { continue; }
                    let id = ids[*ticket as usize % ids.len()];
                    let current = store.ticket(id).unwrap().unwrap();
                    let (change, role) = change_for(*step);
                    let u = user("u", role);
                    let _ = store.update_ticket(id, current.version, "u", Ts(i as i64), |t| t.apply(&change, &u, Ts(i as i64)));
                }
            }
        }
        let tickets: Vec<Ticket> = store.all_tickets().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(store.index_snapshot().unwrap(), Store::expected_index(&tickets));
        for t in &tickets {
            prop_assert_eq!(store.events(t.id).unwrap().len() as u32, t.events);
            let by_status = store.list_tickets(&ListQuery::Status(t.status), 1000, None, |_| true).unwrap();
            prop_assert!(by_status.tickets.iter().any(|x| x.id == t.id));
        }
        let open: usize = tickets.iter().filter(|t| t.status.is_open()).count();
        prop_assert_eq!(store.list_tickets(&ListQuery::Due, 1000, None, |_| true).unwrap().tickets.len(), open);
        check_queue_indexes(&store, &tickets)?;
        let _ = Status::ALL;
    }
}

/// Every page of a listing, two tickets at a time (so cursors are used).
fn all_pages(store: &Store, query: &ListQuery) -> Vec<TicketId> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_tickets(query, 2, after.as_deref(), |_| true)
            .unwrap();
        ids.extend(page.tickets.iter().map(|t| t.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

/// The queue listings against a reading of every ticket: soonest due first,
/// only the open tickets the user has, the tickets waiting on the wards, and
/// the overdue tail ending before now.
fn check_queue_indexes(store: &Store, tickets: &[Ticket]) -> Result<(), TestCaseError> {
    let by_due = |keep: &dyn Fn(&Ticket) -> bool| {
        let mut v: Vec<&Ticket> = tickets.iter().filter(|t| keep(t)).collect();
        v.sort_by_key(|t| (t.due(), t.id));
        v.into_iter().map(|t| t.id).collect::<Vec<_>>()
    };
    let open = |t: &Ticket| {
        !matches!(
            t.status,
            Status::Resolved | Status::Closed | Status::Cancelled
        )
    };
    let waiting = |t: &Ticket, ward: u32| {
        matches!(t.status, Status::Escalated | Status::Acknowledged)
            && t.escalation.as_ref().is_some_and(|e| e.ward == ward)
    };
    for name in ["op", "u"] {
        prop_assert_eq!(
            all_pages(store, &ListQuery::Owner(name.into())),
            by_due(&|t| open(t) && t.owner() == Some(name))
        );
    }
    let wards = vec![26740, 26743];
    prop_assert_eq!(
        all_pages(
            store,
            &ListQuery::Waiting {
                wards: wards.clone(),
                before: None
            }
        ),
        by_due(&|t| waiting(t, 26740) || waiting(t, 26743))
    );
    prop_assert_eq!(
        all_pages(
            store,
            &ListQuery::Waiting {
                wards: vec![26740],
                before: None
            }
        ),
        by_due(&|t| waiting(t, 26740))
    );
    // "Now" exactly at a ticket's due time: that ticket is not yet overdue.
    for now in tickets.iter().filter(|t| open(t)).map(Ticket::due).take(3) {
        prop_assert_eq!(
            all_pages(store, &ListQuery::DueBefore(now)),
            by_due(&|t| open(t) && t.due() < now)
        );
        prop_assert_eq!(
            all_pages(
                store,
                &ListQuery::Waiting {
                    wards: wards.clone(),
                    before: Some(now)
                }
            ),
            by_due(&|t| (waiting(t, 26740) || waiting(t, 26743)) && t.due() < now)
        );
    }
    Ok(())
}
