//! One suite of scenarios, written once against `&dyn HotlineApi`, run
//! against `LocalApi` in process and against `RemoteApi` talking to a real
//! hub on 127.0.0.1: each step checks the values written here, and the two
//! transcripts (results and errors) must be the same.

mod hub_common;

use hotline::api::{
    ApiError, ApiResult, Backend, HotlineApi, LocalApi, Page, RemoteApi, SearchRequest,
    TicketFilter, TicketPage,
};
use hotline::domain::{
    system_clock, Change, EscalationRequest, FaultType, Kind, NewTicket, Priority, Status,
    TicketEdit, TicketId,
};
use hotline::search::DocKind;
use hotline::store::Store;
use hub_common::{make_store, team, Hub, BEN_THANH, SAI_GON};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

const CSV: &[u8] = include_bytes!("fixtures/dossiers_mixed.csv");
/// A dossier of `fixtures/dossiers_mixed.csv` (Bến Thành).
const DOSSIER: &str = "000.00.01.H29-250812-0042";

/// The team, each signed in on one side.
struct Side {
    name: &'static str,
    backend: String,
    apis: BTreeMap<String, Box<dyn HotlineApi>>,
}

impl Side {
    fn api(&self, name: &str) -> &dyn HotlineApi {
        self.apis[name].as_ref()
    }
}

/// Each step's outcome, with what differs by nature between two stores
/// (clock readings, timings, random tokens) blanked.
#[derive(Default)]
struct Transcript(Vec<(String, Value)>);

const TIME_KEYS: &[&str] = &[
    "ack_by",
    "acknowledged_at",
    "at",
    "created_at",
    "due_at",
    "escalated_at",
    "finished_at",
    "now",
    "paused_since",
    "received_at",
    "resolve_by",
    "resolved_at",
    "respond_by",
    "responded_at",
    "updated_at",
    "micros",
    "paused_secs",
    // A clock's deadline and time left follow the creation moment and now,
    // which differ by the second between the two runs.
    "deadline",
    "remaining_secs",
];

fn blank_times(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if TIME_KEYS.contains(&k.as_str()) && (v.is_number() || v.is_null()) {
                    *v = Value::String("<time>".into());
                } else {
                    blank_times(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank_times),
        _ => {}
    }
}

impl Transcript {
    fn note<T: Serialize>(&mut self, step: &str, outcome: &ApiResult<T>) {
        let mut v = match outcome {
            Ok(t) => serde_json::json!({ "ok": t }),
            Err(e) => serde_json::json!({ "error": e, "message": e.to_string() }),
        };
        blank_times(&mut v);
        self.0.push((step.to_string(), v));
    }
}

fn fault(phone: &str, ward: u32) -> NewTicket {
    let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia");
    n.caller_phone = phone.into();
    n.caller_name = "Nguyễn Thị Thu Hà".into();
    n.ward = Some(ward);
    n.priority = Priority::P2;
    n
}

fn escalate(ward: u32) -> Change {
    Change::Escalate(EscalationRequest {
        ward,
        fault: FaultType::PortalSync,
        level: 1,
        severity: Priority::P2,
        note: Some("kẹt từ sáng".into()),
    })
}

fn forbidden<T: std::fmt::Debug>(r: &ApiResult<T>) -> bool {
    matches!(r, Err(ApiError::Forbidden { .. }))
}

/// The numbers of a listed page's tickets, in order.
fn ids(r: &ApiResult<TicketPage>) -> Vec<u64> {
    r.as_ref().unwrap().tickets.iter().map(|t| t.id.0).collect()
}

fn not_found<T: std::fmt::Debug>(r: &ApiResult<T>) -> bool {
    matches!(r, Err(ApiError::NotFound { .. }))
}

async fn wait_for_index(api: &dyn HotlineApi) {
    let started = Instant::now();
    loop {
        let s = api.status().await.unwrap();
        if !s.index_building() {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "index: {s:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Applies `change` to the ticket's current version as `who`, noting it.
async fn step(
    t: &mut Transcript,
    side: &Side,
    who: &str,
    id: TicketId,
    change: Change,
    expect: Status,
) -> u64 {
    let api = side.api(who);
    let current = api.ticket(id).await.unwrap().ticket.version;
    let label = format!("{who} {change:?}");
    let r = api.apply(id, current, change).await;
    t.note(&label, &r);
    let ticket = r.unwrap_or_else(|e| panic!("{}: {label}: {e}", side.name));
    assert_eq!(ticket.status, expect, "{}: {label}", side.name);
    assert_eq!(ticket.version, current + 1, "{}: {label}", side.name);
    ticket.version
}

/// The whole contract, as one story on a store holding the team and nothing else.
async fn scenario(side: &Side) -> Transcript {
    let mut t = Transcript::default();
    let (admin, op, sup, bt, sg) = (
        side.api("admin"),
        side.api("op"),
        side.api("sup"),
        side.api("bt"),
        side.api("sg"),
    );

    // Who is signed in.
    for name in ["admin", "op", "sup", "bt"] {
        let me = side.api(name).whoami().await;
        assert_eq!(me.as_ref().unwrap().name, name);
        t.note("whoami", &me);
    }

    // Dossiers first, so tickets can link them.
    let r = bt.import_dossiers(CSV.to_vec()).await;
    assert!(forbidden(&r), "{}: a responder imports: {r:?}", side.name);
    t.note("import as responder", &r);
    let r = admin.import_dossiers(CSV.to_vec()).await;
    let report = r.as_ref().unwrap();
    assert_eq!(report.added, 4, "{report:?}");
    assert_eq!(report.errors.len(), 7, "{report:?}");
    t.note("import as admin", &r);

    // Create, and create again with the same key.
    let key = Uuid::from_u128(0x1022_0001);
    let r = op
        .create_ticket(key, fault("0912 345 678", BEN_THANH))
        .await;
    let first = r.as_ref().unwrap().clone();
    assert_eq!(first.id, TicketId(1));
    assert_eq!((first.status, first.version), (Status::New, 1));
    t.note("create", &r);
    let r = op
        .create_ticket(key, fault("0912 345 678", BEN_THANH))
        .await;
    assert_eq!(r.as_ref().unwrap().id, first.id, "idempotent create");
    t.note("create again, same key", &r);
    let r = op
        .create_ticket(Uuid::from_u128(0x1022_0002), fault("0988 777 666", SAI_GON))
        .await;
    let second = r.as_ref().unwrap().clone();
    assert_eq!(second.id, TicketId(2));
    t.note("create another", &r);
    let mut bad = fault("12", BEN_THANH);
    bad.subject = String::new();
    let r = op.create_ticket(Uuid::from_u128(0x1022_0003), bad).await;
    assert!(matches!(r, Err(ApiError::Invalid { .. })), "{r:?}");
    t.note("create invalid", &r);
    let r = op
        .create_ticket(Uuid::from_u128(0x1022_0004), fault("0912 345 678", 99_999))
        .await;
    assert!(matches!(r, Err(ApiError::Invalid { .. })), "{r:?}");
    t.note("create in an unknown ward", &r);
    let r = bt
        .create_ticket(
            Uuid::from_u128(0x1022_0005),
            fault("0912 345 678", BEN_THANH),
        )
        .await;
    assert!(forbidden(&r), "a responder logs a ticket: {r:?}");
    t.note("create as responder", &r);

    // Show.
    let r = op.ticket(first.id).await;
    assert!(r.as_ref().unwrap().ticket.caller.phone.is_some());
    t.note("show", &r);
    let r = op.ticket(TicketId(999)).await;
    assert!(not_found(&r), "{r:?}");
    t.note("show a ticket that does not exist", &r);

    // Every kind of change on the first ticket.
    let id = first.id;
    step(
        &mut t,
        side,
        "op",
        id,
        Change::Comment {
            text: "Đã gọi lại cho công dân".into(),
        },
        Status::New,
    )
    .await;
    step(&mut t, side, "op", id, Change::Start, Status::InProgress).await;
    step(
        &mut t,
        side,
        "op",
        id,
        Change::Wait {
            note: Some("chờ ảnh chụp".into()),
        },
        Status::WaitingOnCitizen,
    )
    .await;
    let v = step(&mut t, side, "op", id, Change::Start, Status::InProgress).await;

    // A stale version is a conflict carrying the current ticket.
    let r = op
        .apply(id, v - 1, Change::Comment { text: "cũ".into() })
        .await;
    match &r {
        Err(ApiError::Conflict { current }) => {
            assert_eq!((current.id, current.version), (id, v));
            assert_eq!(current.status, Status::InProgress);
        }
        other => panic!("{}: a stale version: {other:?}", side.name),
    }
    t.note("stale version", &r);

    step(
        &mut t,
        side,
        "op",
        id,
        escalate(BEN_THANH),
        Status::Escalated,
    )
    .await;
    // Ward scope: the other ward's responder does not see it at all.
    let r = sg.ticket(id).await;
    assert!(not_found(&r), "{}: another ward's ticket: {r:?}", side.name);
    t.note("other ward shows", &r);
    let r = sg.apply(id, v + 1, Change::Ack { note: None }).await;
    assert!(not_found(&r), "{}: another ward's ack: {r:?}", side.name);
    t.note("other ward acks", &r);
    step(
        &mut t,
        side,
        "bt",
        id,
        Change::Ack {
            note: Some("đã nhận".into()),
        },
        Status::Acknowledged,
    )
    .await;
    step(
        &mut t,
        side,
        "bt",
        id,
        Change::Return {
            note: "không phải lỗi phường".into(),
        },
        Status::InProgress,
    )
    .await;
    step(
        &mut t,
        side,
        "op",
        id,
        escalate(BEN_THANH),
        Status::Escalated,
    )
    .await;
    step(
        &mut t,
        side,
        "bt",
        id,
        Change::Ack { note: None },
        Status::Acknowledged,
    )
    .await;
    step(
        &mut t,
        side,
        "bt",
        id,
        Change::Resolve {
            note: "đã đồng bộ lại".into(),
        },
        Status::Resolved,
    )
    .await;
    step(
        &mut t,
        side,
        "op",
        id,
        Change::Reopen {
            reason: "công dân báo vẫn lỗi".into(),
        },
        Status::InProgress,
    )
    .await;
    step(
        &mut t,
        side,
        "op",
        id,
        Change::Resolve {
            note: "đồng bộ xong".into(),
        },
        Status::Resolved,
    )
    .await;
    step(&mut t, side, "op", id, Change::Close, Status::Closed).await;
    let current = op.ticket(id).await.unwrap().ticket.version;
    let r = op.apply(id, current, Change::Start).await;
    assert!(
        matches!(r, Err(ApiError::Rejected { .. })),
        "start a closed ticket: {r:?}"
    );
    t.note("a move not in the table", &r);

    // The second ticket: assign, link, edit, cancel as a duplicate.
    let id2 = second.id;
    step(
        &mut t,
        side,
        "op",
        id2,
        Change::Assign {
            to: Some("op".into()),
        },
        Status::New,
    )
    .await;
    let current = op.ticket(id2).await.unwrap().ticket.version;
    let r = op
        .apply(
            id2,
            current,
            Change::Assign {
                to: Some("nobody".into()),
            },
        )
        .await;
    assert!(not_found(&r), "assign to nobody: {r:?}");
    t.note("assign to nobody", &r);
    let r = op
        .apply(
            id2,
            current,
            Change::Assign {
                to: Some("admin".into()),
            },
        )
        .await;
    assert!(
        matches!(r, Err(ApiError::Rejected { .. })),
        "assign to an admin: {r:?}"
    );
    t.note("assign to an admin", &r);
    step(
        &mut t,
        side,
        "op",
        id2,
        Change::LinkDossier {
            code: DOSSIER.into(),
        },
        Status::New,
    )
    .await;
    let edit = TicketEdit {
        subject: Some("Không nộp được lệ phí trực tuyến".into()),
        priority: Some(Priority::P1),
        ..TicketEdit::default()
    };
    step(&mut t, side, "op", id2, Change::Edit(edit), Status::New).await;
    let r = op.ticket(id2).await;
    let detail = r.as_ref().unwrap();
    assert_eq!(detail.ticket.assignee.as_deref(), Some("op"));
    assert_eq!(
        detail.dossiers.len(),
        1,
        "the linked dossier comes with the ticket"
    );
    assert_eq!(detail.ticket.subject, "Không nộp được lệ phí trực tuyến");
    t.note("show the second", &r);
    step(&mut t, side, "op", id2, Change::Start, Status::InProgress).await;
    let current = op.ticket(id2).await.unwrap().ticket.version;
    let r = op
        .apply(
            id2,
            current,
            Change::Cancel {
                duplicate_of: Some(id),
                note: None,
            },
        )
        .await;
    assert!(
        matches!(r, Err(ApiError::Rejected { .. })),
        "operators do not cancel: {r:?}"
    );
    t.note("cancel as operator", &r);
    step(
        &mut t,
        side,
        "sup",
        id2,
        Change::Cancel {
            duplicate_of: Some(id),
            note: Some("trùng".into()),
        },
        Status::Cancelled,
    )
    .await;

    // A third, open, for the lists and the dashboard.
    let r = op
        .create_ticket(
            Uuid::from_u128(0x1022_0006),
            fault("0909 111 222", BEN_THANH),
        )
        .await;
    let third = r.as_ref().unwrap().clone();
    t.note("create a third", &r);
    step(
        &mut t,
        side,
        "op",
        third.id,
        escalate(BEN_THANH),
        Status::Escalated,
    )
    .await;

    // Lists: filters and paging.
    let all = |f: TicketFilter, limit: usize, after: Option<String>| async move {
        op.list_tickets(f, Page { limit, after }).await
    };
    let r = all(TicketFilter::default(), 2, None).await;
    let page = r.as_ref().unwrap().clone();
    assert_eq!(ids(&r), [3, 2], "newest first");
    assert!(page.next.is_some());
    t.note("list page 1", &r);
    let r = all(TicketFilter::default(), 2, page.next.clone()).await;
    assert_eq!(ids(&r), [1]);
    assert_eq!(r.as_ref().unwrap().next, None);
    t.note("list page 2", &r);
    let open = TicketFilter {
        open_only: true,
        ..TicketFilter::default()
    };
    let r = all(open, 50, None).await;
    assert_eq!(ids(&r), [3]);
    t.note("list open", &r);
    let by_phone = TicketFilter {
        phone: Some("0912345678".into()),
        ..TicketFilter::default()
    };
    let r = all(by_phone, 50, None).await;
    assert_eq!(ids(&r), [1]);
    t.note("list by phone", &r);
    let statuses = TicketFilter {
        statuses: vec![Status::Cancelled, Status::Closed],
        ..TicketFilter::default()
    };
    let r = all(statuses, 50, None).await;
    assert_eq!(r.as_ref().unwrap().tickets.len(), 2);
    t.note("list by status", &r);
    let r = bt
        .list_tickets(
            TicketFilter {
                my_wards: true,
                open_only: true,
                ..TicketFilter::default()
            },
            Page::default(),
        )
        .await;
    assert_eq!(ids(&r), [3]);
    t.note("responder's queue", &r);
    let r = sg
        .list_tickets(TicketFilter::default(), Page::default())
        .await;
    assert!(r.as_ref().unwrap().tickets.is_empty(), "{r:?}");
    t.note("other ward's list", &r);

    // Search, dossiers, callers.
    wait_for_index(op).await;
    let r = op
        .search(SearchRequest {
            text: "0912345678".into(),
            limit: 10,
        })
        .await;
    assert!(r.as_ref().unwrap().total >= 1, "{r:?}");
    assert!(r.as_ref().unwrap().index_ready);
    t.note("search a phone", &r);
    let r = op
        .search(SearchRequest {
            text: "đồng bộ status:closed".into(),
            limit: 10,
        })
        .await;
    t.note("search with a filter", &r);
    let r = sg
        .search(SearchRequest {
            text: "đồng bộ".into(),
            limit: 10,
        })
        .await;
    t.note("search as the other ward", &r);
    let r = admin
        .search(SearchRequest {
            text: "đồng bộ".into(),
            limit: 10,
        })
        .await;
    // Admins search reference data only: the tickets about "đồng bộ" stay hidden.
    let hits = &r.as_ref().unwrap().hits;
    assert!(
        hits.iter()
            .all(|h| !matches!(h.kind, DocKind::Ticket | DocKind::Dossier)),
        "admins see no tickets or dossiers: {r:?}"
    );
    t.note("search as admin", &r);
    let r = op.dossier(DOSSIER).await;
    assert_eq!(r.as_ref().unwrap().as_ref().unwrap().code, DOSSIER);
    t.note("dossier", &r);
    let r = op.dossier(&DOSSIER.to_lowercase()).await;
    assert!(r.as_ref().unwrap().is_some(), "codes are case-insensitive");
    t.note("dossier, lower case", &r);
    let r = op.dossier("000.00.01.H29-000000-0000").await;
    assert!(r.as_ref().unwrap().is_none());
    t.note("unknown dossier", &r);
    let r = sg.dossier(DOSSIER).await;
    assert!(r.as_ref().unwrap().is_none(), "another ward's dossier");
    t.note("other ward's dossier", &r);
    let r = op.caller("0912 345 678").await;
    let history = r.as_ref().unwrap();
    assert_eq!(
        history.tickets.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(history.dossiers.len(), 1);
    t.note("caller history", &r);

    // The dashboard is the supervisors'.
    let r = sup.stats().await;
    let stats = r.as_ref().unwrap();
    assert_eq!((stats.total_tickets, stats.open_tickets), (3, 1));
    t.note("stats", &r);
    let r = op.stats().await;
    assert!(forbidden(&r), "operators do not read reports: {r:?}");
    t.note("stats as operator", &r);

    // Users and tokens.
    let r = op.users().await;
    assert_eq!(r.as_ref().unwrap().len(), 6);
    t.note("users", &r);
    let mut new_user = hub_common::user("tien.nv", hotline::domain::Role::Responder, &[BEN_THANH]);
    let r = op.put_user(new_user.clone()).await;
    assert!(forbidden(&r), "operators add no users: {r:?}");
    t.note("put_user as operator", &r);
    new_user.display_name = "Nguyễn Văn Tiến".into();
    let r = admin.put_user(new_user.clone()).await;
    assert_eq!(r.as_ref().unwrap(), &new_user);
    t.note("put_user", &r);
    let mut bad_user = new_user.clone();
    bad_user.wards = vec![99_999];
    let r = admin.put_user(bad_user).await;
    assert!(matches!(r, Err(ApiError::Invalid { .. })), "{r:?}");
    t.note("put_user in an unknown ward", &r);
    let r = admin.issue_token("tien.nv").await;
    let token = r.as_ref().unwrap();
    assert!(token.starts_with("hl_") && token.len() > 40, "{token}");
    t.note("issue a token", &r.map(|_| "<token>"));
    let r = sup.issue_token("tien.nv").await;
    assert!(forbidden(&r), "{r:?}");
    t.note("issue a token as supervisor", &r);
    let r = admin.issue_token("nobody").await;
    assert!(not_found(&r), "{r:?}");
    t.note("issue a token for nobody", &r);
    let r = admin.revoke_token("tien.nv").await;
    assert!(r.is_ok(), "{r:?}");
    t.note("revoke", &r);
    let r = op.revoke_token("tien.nv").await;
    assert!(forbidden(&r), "{r:?}");
    t.note("revoke as operator", &r);

    // Status: the backend is the side's.
    let r = op.status().await;
    let status = r.as_ref().unwrap();
    assert_eq!(status.backend, side.backend);
    assert_eq!((status.tickets, status.dossiers), (3, 4));
    assert!(!status.demo);
    assert_eq!(
        status.index_progress.0, status.index_progress.1,
        "{status:?}"
    );
    // What the index counts is the search service's own business.
    t.note(
        "status",
        &r.map(|mut s| {
            s.backend = "<backend>".into();
            s.index_progress = (0, 0);
            s
        }),
    );
    t
}

fn compare(local: &Transcript, remote: &Transcript) {
    assert_eq!(local.0.len(), remote.0.len());
    for ((step, l), (_, r)) in local.0.iter().zip(&remote.0) {
        assert_eq!(
            l,
            r,
            "step '{step}' differs:\nlocal  {}\nremote {}",
            serde_json::to_string(l).unwrap(),
            serde_json::to_string(r).unwrap()
        );
    }
}

fn local_side(dir: &std::path::Path) -> Side {
    make_store(dir, &team());
    let store = Store::open(dir).unwrap();
    let backend = Backend::new(store, system_clock(), false);
    let apis = team()
        .into_iter()
        .map(|u| {
            let api: Box<dyn HotlineApi> = Box::new(LocalApi::new(backend.clone(), u.clone()));
            (u.name, api)
        })
        .collect();
    Side {
        name: "local",
        backend: "local".into(),
        apis,
    }
}

async fn remote_side(hub: &Hub, tokens: &BTreeMap<String, String>) -> Side {
    let mut apis: BTreeMap<String, Box<dyn HotlineApi>> = BTreeMap::new();
    for (name, token) in tokens {
        apis.insert(
            name.clone(),
            Box::new(RemoteApi::connect(&hub.url, token).await.unwrap()),
        );
    }
    Side {
        name: "remote",
        backend: hub.url.clone(),
        apis,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_and_remote_answer_alike() {
    let local_dir = tempfile::tempdir().unwrap();
    let local = local_side(local_dir.path());
    let local_transcript = scenario(&local).await;

    let remote_dir = tempfile::tempdir().unwrap();
    let tokens = make_store(remote_dir.path(), &team());
    let hub = Hub::start(remote_dir.path());
    let remote = remote_side(&hub, &tokens).await;
    let remote_transcript = scenario(&remote).await;
    compare(&local_transcript, &remote_transcript);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_refuses_wrong_and_revoked_tokens_and_unreachable_hubs_name_their_url() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = make_store(dir.path(), &team());
    // Nothing listens on port 9 of loopback (discard), or it refuses.
    let e = RemoteApi::connect("http://127.0.0.1:9", &tokens["op"])
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Unavailable { .. }), "{e:?}");
    assert!(e.to_string().contains("http://127.0.0.1:9"), "{e}");

    let hub = Hub::start(dir.path());
    let e = RemoteApi::connect(&hub.url, "hl_0000").await.unwrap_err();
    assert!(matches!(e, ApiError::Unauthorized { .. }), "{e:?}");
    let admin = RemoteApi::connect(&hub.url, &tokens["admin"])
        .await
        .unwrap();
    let op2 = RemoteApi::connect(&hub.url, &tokens["op2"]).await.unwrap();
    admin.revoke_token("op2").await.unwrap();
    let e = op2.users().await.unwrap_err();
    assert!(
        matches!(e, ApiError::Unauthorized { .. }),
        "a revoked token: {e:?}"
    );
    let fresh = admin.issue_token("op2").await.unwrap();
    let op2 = RemoteApi::connect(&hub.url, &fresh).await.unwrap();
    assert_eq!(op2.whoami().await.unwrap().name, "op2");
}
