//! LocalApi over a real store: every call runs as one user whose role and
//! ward scope are checked behind the trait.

mod support;

use hotline::api::{ApiError, Backend, HotlineApi, LocalApi, Page, TicketFilter};
use hotline::domain::{
    fixed_clock, Change, EscalationRequest, FaultType, Kind, NewTicket, Priority, Role, Status, Ts,
    User,
};
use hotline::store::Store;
use support::{user, World};
use uuid::Uuid;

const BEN_THANH: u32 = 26743;
const SAI_GON: u32 = 26740;

fn fault(phone: &str) -> NewTicket {
    let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia");
    n.caller_phone = phone.into();
    n.priority = Priority::P2;
    n
}

fn escalate(ward: u32) -> Change {
    Change::Escalate(EscalationRequest {
        ward,
        fault: FaultType::PortalSync,
        level: 1,
        severity: Priority::P2,
        note: None,
    })
}

#[tokio::test]
async fn responders_see_only_their_wards_escalations() {
    let w = World::new(|_| {});
    let op = w.as_user("op");
    let t = op
        .create_ticket(Uuid::now_v7(), fault("0912 345 678"))
        .await
        .unwrap();
    let bt = w.as_user("bt");
    let sg = w.as_user("sg");
    assert!(
        matches!(bt.ticket(t.id).await, Err(ApiError::NotFound { .. })),
        "not escalated yet"
    );
    let t = op
        .apply(t.id, t.version, escalate(BEN_THANH))
        .await
        .unwrap();
    assert_eq!(t.status, Status::Escalated);
    assert_eq!(bt.ticket(t.id).await.unwrap().ticket.id, t.id);
    assert!(matches!(
        sg.ticket(t.id).await,
        Err(ApiError::NotFound { .. })
    ));
    assert!(matches!(
        sg.apply(t.id, t.version, Change::Ack { note: None }).await,
        Err(ApiError::NotFound { .. })
    ));
    let queue = bt
        .list_tickets(
            TicketFilter {
                my_wards: true,
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(queue.tickets.len(), 1);
    let other = sg
        .list_tickets(TicketFilter::default(), Page::default())
        .await
        .unwrap();
    assert!(other.tickets.is_empty());
    let t = bt
        .apply(
            t.id,
            t.version,
            Change::Ack {
                note: Some("Đã nhận".into()),
            },
        )
        .await
        .unwrap();
    let t = bt
        .apply(
            t.id,
            t.version,
            Change::Resolve {
                note: "Đã đồng bộ lại".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(t.status, Status::Resolved);
    let detail = op.ticket(t.id).await.unwrap();
    assert_eq!(
        detail.events.len(),
        5,
        "created, escalated (status + escalation), ack, resolve"
    );
}

#[tokio::test]
async fn roles_are_checked_on_every_call() {
    let w = World::new(|_| {});
    let admin = w.as_user("admin");
    assert!(matches!(
        admin.create_ticket(Uuid::now_v7(), fault("")).await,
        Err(ApiError::Forbidden { .. })
    ));
    assert!(matches!(
        admin
            .list_tickets(TicketFilter::default(), Page::default())
            .await,
        Err(ApiError::Forbidden { .. })
    ));
    let bt = w.as_user("bt");
    assert!(matches!(
        bt.create_ticket(Uuid::now_v7(), fault("")).await,
        Err(ApiError::Forbidden { .. })
    ));
    let op = w.as_user("op");
    let t = op.create_ticket(Uuid::now_v7(), fault("")).await.unwrap();
    let err = op
        .apply(
            t.id,
            t.version,
            Change::Cancel {
                duplicate_of: None,
                note: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "operators may not cancel a ticket that is new"
    );
    let sup = w.as_user("sup");
    let err = sup
        .apply(
            t.id,
            t.version,
            Change::Assign {
                to: Some("admin".into()),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Rejected { .. }), "{err}");
    let err = sup
        .apply(
            t.id,
            t.version,
            Change::Assign {
                to: Some("ghost".into()),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn stale_versions_conflict_with_the_current_ticket() {
    let w = World::new(|_| {});
    let op = w.as_user("op");
    let sup = w.as_user("sup");
    let t = op
        .create_ticket(Uuid::now_v7(), fault("0912345678"))
        .await
        .unwrap();
    sup.apply(
        t.id,
        t.version,
        Change::Comment {
            text: "Gọi lại cho công dân".into(),
        },
    )
    .await
    .unwrap();
    match op.apply(t.id, t.version, Change::Start).await {
        Err(ApiError::Conflict { current }) => {
            assert_eq!(current.version, t.version + 1);
            assert_eq!(current.updated_by, "sup");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn create_is_idempotent_and_caller_history_finds_every_spelling() {
    let w = World::new(|_| {});
    let op = w.as_user("op");
    let rid = Uuid::now_v7();
    let a = op
        .create_ticket(rid, fault("+84 912 345 678"))
        .await
        .unwrap();
    let b = op
        .create_ticket(rid, fault("+84 912 345 678"))
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    for spelling in [
        "0912345678",
        "0912.345.678",
        "84912345678",
        "+84 912 345 678",
    ] {
        let h = op.caller(spelling).await.unwrap();
        assert_eq!(h.tickets.len(), 1, "{spelling}");
    }
    let listed = op
        .list_tickets(
            TicketFilter {
                phone: Some("0912 345 678".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(listed.tickets.len(), 1);
    let bad = op
        .list_tickets(
            TicketFilter {
                phone: Some("12ab".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().starts_with("phone:"), "{bad}");
}

#[tokio::test]
async fn stats_count_open_overdue_and_on_time() {
    let w = World::new(|_| {});
    let op = w.as_user("op");
    let t = op.create_ticket(Uuid::now_v7(), fault("")).await.unwrap();
    let t2 = op.create_ticket(Uuid::now_v7(), fault("")).await.unwrap();
    op.apply(
        t2.id,
        t2.version,
        Change::Resolve {
            note: "Đã hướng dẫn".into(),
        },
    )
    .await
    .unwrap();
    for who in ["op", "bt", "admin"] {
        assert!(
            matches!(
                w.as_user(who).stats().await,
                Err(ApiError::Forbidden { .. })
            ),
            "{who} may not read reports"
        );
    }
    let s = w.as_user("sup").stats().await.unwrap();
    assert_eq!(s.total_tickets, 2);
    assert_eq!(s.open_tickets, 1);
    assert_eq!(s.on_time_today, (1, 1));
    assert_eq!(s.open_by_status, vec![(Status::New, 1)]);
    assert_eq!(s.new_per_day.last().map(|d| d.1), Some(2));
    let _ = t;
}

#[tokio::test]
async fn new_tickets_and_imports_are_searchable_at_once_and_scoped() {
    use hotline::api::SearchRequest;
    let w = World::new(|_| {});
    w.backend.search.wait_ready().expect("search index built");
    let op = w.as_user("op");
    let mut n = fault("0912 345 678");
    n.caller_name = "Quách Tĩnh Đào".into();
    let t = op.create_ticket(Uuid::now_v7(), n).await.unwrap();
    let find = |api: LocalApi, text: &str| {
        let req = SearchRequest {
            text: text.into(),
            limit: 10,
        };
        async move { api.search(req).await.unwrap().hits }
    };
    let hits = find(w.as_user("op"), "quach tinh dao").await;
    assert_eq!(hits.first().map(|h| h.key.clone()), Some(t.id.to_string()));
    assert!(find(w.as_user("op"), "0912.345.678")
        .await
        .iter()
        .any(|h| h.key == t.id.to_string()));
    // Responders find it only once it is escalated to their ward.
    assert!(find(w.as_user("bt"), "quach tinh dao").await.is_empty());
    op.apply(t.id, t.version, escalate(BEN_THANH))
        .await
        .unwrap();
    assert_eq!(find(w.as_user("bt"), "quach tinh dao").await.len(), 1);
    assert!(find(w.as_user("sg"), "quach tinh dao").await.is_empty());
    let hits = find(w.as_user("op"), "status:escalated quach").await;
    assert_eq!(hits.len(), 1, "the index follows status changes");

    let csv = include_bytes!("fixtures/dossiers_mixed.csv");
    let report = w.backend.import_dossiers(csv).unwrap();
    assert_eq!(report.added, 4);
    let hits = find(w.as_user("op"), "H29-250812-0042").await;
    assert_eq!(
        hits.first().map(|h| h.key.as_str()),
        Some("000.00.01.H29-250812-0042")
    );
    assert!(
        hits[0].title.contains("0912***678"),
        "phones are masked in results: {}",
        hits[0].title
    );
}

#[tokio::test]
async fn unknown_wards_are_rejected_and_nothing_is_stored() {
    let w = World::new(|_| {});
    let op = w.as_user("op");
    let mut n = fault("0912 345 678");
    n.ward = Some(99_999);
    let err = op.create_ticket(Uuid::now_v7(), n).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Invalid { errors } if errors[0].field == "ward"),
        "{err}"
    );
    assert_eq!(w.backend.store.ticket_count().unwrap(), 0);
    let t = op
        .create_ticket(Uuid::now_v7(), fault("0912 345 678"))
        .await
        .unwrap();
    let edit = Change::Edit(hotline::domain::TicketEdit {
        ward: Some(12_345),
        ..Default::default()
    });
    assert!(matches!(
        op.apply(t.id, t.version, edit).await,
        Err(ApiError::Invalid { .. })
    ));
    assert!(matches!(
        op.apply(t.id, t.version, escalate(1)).await,
        Err(ApiError::Invalid { .. })
    ));
    assert_eq!(op.ticket(t.id).await.unwrap().ticket.version, t.version);
}

#[tokio::test]
async fn responders_read_only_their_wards_dossiers() {
    use hotline::domain::{Dossier, PaymentState, Phone, PortalStatus, SyncState};
    let w = World::new(|_| {});
    let dossier = |code: &str, ward: u32| Dossier {
        code: code.into(),
        procedure_code: "1.001612".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        applicant_name: "Trần Văn Bình".into(),
        applicant_phone: Phone::parse("0912345678").ok(),
        ward,
        received_at: Ts(1_763_000_000),
        due_at: Ts(1_763_500_000),
        finished_at: None,
        status: PortalStatus::PROCESSING,
        sync: SyncState::Synced,
        payment: PaymentState::Paid,
    };
    w.backend
        .store
        .put_dossiers(&[
            dossier("000.00.01.H29-251101-0001", BEN_THANH),
            dossier("000.00.01.H29-251101-0002", SAI_GON),
        ])
        .unwrap();
    let bt = w.as_user("bt");
    assert!(bt
        .dossier("000.00.01.H29-251101-0001")
        .await
        .unwrap()
        .is_some());
    assert!(bt
        .dossier("000.00.01.H29-251101-0002")
        .await
        .unwrap()
        .is_none());
    let op = w.as_user("op");
    assert!(op
        .dossier("000.00.01.H29-251101-0002")
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn users_and_imports_go_through_the_api_with_their_roles() {
    let w = World::new(|_| {});
    let new_user = |name: &str, role: Role, wards: &[u32]| User {
        name: name.into(),
        display_name: String::new(),
        role,
        wards: wards.to_vec(),
    };
    let op = w.as_user("op");
    assert!(matches!(
        op.put_user(new_user("x", Role::Operator, &[])).await,
        Err(ApiError::Forbidden { .. })
    ));
    let admin = w.as_user("admin");
    for (bad, field) in [
        (new_user("Bad Name", Role::Operator, &[]), "name"),
        (new_user("r", Role::Responder, &[]), "ward"),
        (new_user("r", Role::Responder, &[99_999]), "ward"),
    ] {
        let err = admin.put_user(bad).await.unwrap_err();
        assert!(
            matches!(&err, ApiError::Invalid { errors } if errors[0].field == field),
            "{err}"
        );
    }
    let saved = admin
        .put_user(new_user(
            "tien.nv",
            Role::Responder,
            &[BEN_THANH, BEN_THANH],
        ))
        .await
        .unwrap();
    assert_eq!(saved.display_name, "tien.nv");
    assert_eq!(saved.wards, [BEN_THANH]);
    assert!(admin
        .users()
        .await
        .unwrap()
        .iter()
        .any(|u| u.name == "tien.nv"));

    let csv = "code,procedure_code,procedure_name,applicant_name,applicant_phone,ward_code,received_at,due_at,finished_at,status,sync,payment\n\
000.00.01.H29-251120-0001,1.001193,Đăng ký khai sinh,Huỳnh Thị Mận,0938 000 111,26743,2025-11-20,2025-11-25,,4,error,none\n\
bad-row,,,,,,,,,,,\n";
    assert!(matches!(
        op.import_dossiers(csv.as_bytes().to_vec()).await,
        Err(ApiError::Forbidden { .. })
    ));
    let report = w
        .as_user("sup")
        .import_dossiers(csv.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!((report.added, report.errors.len()), (1, 1));
    assert_eq!(report.errors[0].line, 3);
    w.backend.search.wait_ready().expect("search index built");
    let found = op
        .search(hotline::api::SearchRequest {
            text: "huynh thi man".into(),
            limit: 5,
        })
        .await
        .unwrap();
    assert_eq!(found.hits[0].key, "000.00.01.H29-251120-0001");
}

#[tokio::test]
async fn a_lazy_index_builds_on_the_first_search_and_misses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.put_user(&user("admin", Role::Admin, &[])).unwrap();
    store.put_user(&user("op", Role::Operator, &[])).unwrap();
    let backend = Backend::lazy(store, fixed_clock(Ts(1_763_600_000)), false);
    let op = LocalApi::new(backend.clone(), backend.store.user("op").unwrap().unwrap());
    // Logged before any index exists: the build reads it from the store.
    let t = op
        .create_ticket(Uuid::now_v7(), fault("0912 345 678"))
        .await
        .unwrap();
    assert_eq!(backend.search.progress(), (0, 1), "nothing built yet");
    let found = op
        .search(hotline::api::SearchRequest {
            text: "0912 345 678".into(),
            limit: 5,
        })
        .await
        .unwrap();
    // The first search starts the build; once ready, the ticket is there.
    backend.search.wait_ready().expect("search index built");
    let found = if found.index_ready {
        found
    } else {
        op.search(hotline::api::SearchRequest {
            text: "0912 345 678".into(),
            limit: 5,
        })
        .await
        .unwrap()
    };
    assert_eq!(found.hits[0].key, t.id.to_string());
}
