//! A responder's search is scoped inside the index: only tickets escalated to
//! their wards, their wards' dossiers and the public reference are counted and
//! ranked, so what they may not see can neither inflate the total nor crowd
//! their own results out of the top. Real store, real index, real `LocalApi`.

mod support;
use support::World;

use hotline::api::{HotlineApi, LocalApi, SearchRequest, SearchResults};
use hotline::domain::{
    Change, Dossier, EscalationRequest, FaultType, Kind, NewTicket, PaymentState, Phone,
    PortalStatus, Priority, SyncState, Ticket, Ts,
};
use hotline::search::DocKind;
use std::collections::BTreeSet;
use uuid::Uuid;

const BEN_THANH: u32 = 26743;
const SAI_GON: u32 = 26740;
/// Tickets and dossiers of callers named Nguyễn outside Bến Thành's view.
const ELSEWHERE: usize = 500;

fn dossier(code: &str, ward: u32) -> Dossier {
    Dossier {
        code: code.into(),
        procedure_code: "1.001612".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        applicant_name: "Nguyễn Thị Hồng".into(),
        applicant_phone: Phone::parse("0909123456").ok(),
        ward,
        received_at: Ts(1_763_000_000),
        due_at: Ts(1_763_500_000),
        finished_at: None,
        status: PortalStatus::PROCESSING,
        sync: SyncState::Synced,
        payment: PaymentState::Paid,
    }
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

/// Users of every role, 2 Bến Thành and 100 Sài Gòn dossiers of a Nguyễn,
/// the search index built.
fn world() -> World {
    let w = World::new(|store| {
        let mut dossiers = vec![
            dossier("000.00.01.H29-251101-0001", BEN_THANH),
            dossier("000.00.01.H29-251101-0002", BEN_THANH),
        ];
        dossiers.extend(
            (0..100).map(|i| dossier(&format!("000.00.02.H29-251101-{:04}", i + 1), SAI_GON)),
        );
        store.put_dossiers(&dossiers).unwrap();
    });
    w.backend.search.wait_ready().expect("search index built");
    w
}

impl World {
    async fn log(&self, caller: &str, ward: Option<u32>) -> Ticket {
        let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ lên Cổng DVC quốc gia");
        n.caller_name = caller.into();
        n.ward = ward;
        self.as_user("op")
            .create_ticket(Uuid::now_v7(), n)
            .await
            .unwrap()
    }

    async fn apply(&self, who: &str, t: &Ticket, change: Change) -> Ticket {
        let api = self.as_user(who);
        let current = api.ticket(t.id).await.unwrap().ticket;
        api.apply(t.id, current.version, change).await.unwrap()
    }

    /// Three Nguyễn tickets escalated to Bến Thành, logged first so that
    /// everything logged after them ranks above them; then 500 Nguyễn
    /// tickets Bến Thành's team may not see: escalated to Sài Gòn, or in Bến
    /// Thành but never escalated there, or in Sài Gòn and not escalated.
    async fn crowded() -> (World, Vec<Ticket>) {
        let w = world();
        let mut mine = Vec::new();
        for name in ["Nguyễn Văn An", "Nguyễn Thị Bích", "Nguyễn Minh Châu"] {
            let t = w.log(name, Some(BEN_THANH)).await;
            mine.push(w.apply("op", &t, escalate(BEN_THANH)).await);
        }
        for i in 0..ELSEWHERE {
            let name = format!("Nguyễn Văn Dũng {i}");
            match i % 3 {
                0 => {
                    let t = w.log(&name, Some(SAI_GON)).await;
                    w.apply("op", &t, escalate(SAI_GON)).await;
                }
                1 => {
                    w.log(&name, Some(BEN_THANH)).await;
                }
                _ => {
                    w.log(&name, Some(SAI_GON)).await;
                }
            }
        }
        (w, mine)
    }
}

async fn search(api: &LocalApi, text: &str) -> SearchResults {
    api.search(SearchRequest {
        text: text.into(),
        limit: 500,
    })
    .await
    .unwrap()
}

fn keys(results: &SearchResults, kind: DocKind) -> BTreeSet<String> {
    results
        .hits
        .iter()
        .filter(|h| h.kind == kind)
        .map(|h| h.key.clone())
        .collect()
}

fn ids(tickets: &[Ticket]) -> BTreeSet<String> {
    tickets.iter().map(|t| t.id.to_string()).collect()
}

#[tokio::test]
async fn a_responder_counts_and_ranks_only_what_they_may_see() {
    let (w, mine) = World::crowded().await;
    let bt = w.as_user("bt");
    let tickets_only = search(&bt, "nguyen kind:fault").await;
    assert_eq!(keys(&tickets_only, DocKind::Ticket), ids(&mine));
    assert_eq!(tickets_only.total, 3);
    assert_eq!(tickets_only.hits.len(), 3);

    // With a top-10 limit the three still come first: nothing invisible ranks above them.
    let top = bt
        .search(SearchRequest {
            text: "nguyen".into(),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(keys(&top, DocKind::Ticket), ids(&mine));

    // Everything else a plain "nguyen" finds is theirs too: the two Bến
    // Thành dossiers, and wards and procedures (public reference; former
    // ward names such as Nguyễn Thái Bình), all counted, nothing else.
    let all = search(&bt, "nguyen").await;
    assert_eq!(keys(&all, DocKind::Ticket), ids(&mine));
    assert_eq!(
        keys(&all, DocKind::Dossier),
        BTreeSet::from([
            "000.00.01.H29-251101-0001".to_string(),
            "000.00.01.H29-251101-0002".to_string()
        ])
    );
    assert!(all.hits.iter().all(|h| matches!(
        h.kind,
        DocKind::Ticket | DocKind::Dossier | DocKind::Ward | DocKind::Procedure
    )));
    assert_eq!(all.total, all.hits.len(), "every match fits in the limit");

    // Sài Gòn's team: the 167 tickets escalated there and its 100 dossiers.
    let sg = search(&w.as_user("sg"), "nguyen kind:fault").await;
    assert_eq!(sg.total, (0..ELSEWHERE).filter(|i| i % 3 == 0).count());

    // Operators and supervisors are not scoped: every ticket counts.
    for who in ["op", "sup"] {
        let r = search(&w.as_user(who), "nguyen kind:fault").await;
        assert_eq!(r.total, ELSEWHERE + 3, "{who}");
    }
}

#[tokio::test]
async fn a_ticket_enters_and_leaves_a_responders_results_with_its_escalation() {
    let (w, _) = World::crowded().await;
    let bt = w.as_user("bt");
    let sg = w.as_user("sg");
    let moving = w.log("Nguyễn Hoàng Yến", Some(BEN_THANH)).await;
    let key = moving.id.to_string();
    let finds = |r: &SearchResults| r.hits.iter().any(|h| h.key == key);
    let query = "nguyen hoang yen";

    // Logged in Bến Thành but not escalated: not theirs yet.
    let r = search(&bt, query).await;
    assert!(!finds(&r));
    assert_eq!(search(&bt, "nguyen kind:fault").await.total, 3);

    // Escalated to Bến Thành: theirs, counted.
    w.apply("op", &moving, escalate(BEN_THANH)).await;
    assert!(finds(&search(&bt, query).await));
    assert_eq!(search(&bt, "nguyen kind:fault").await.total, 4);
    assert!(!finds(&search(&sg, query).await));

    // Handed back: the escalation (and with it the team's view of the
    // ticket) stays, and search agrees with the single-ticket view.
    w.apply(
        "bt",
        &moving,
        Change::Return {
            note: "Không phải lỗi phường".into(),
        },
    )
    .await;
    let still_visible = bt.ticket(moving.id).await.is_ok();
    assert_eq!(finds(&search(&bt, query).await), still_visible);

    // Escalated again, to Sài Gòn: gone from Bến Thành's results and count.
    w.apply("op", &moving, escalate(SAI_GON)).await;
    assert!(bt.ticket(moving.id).await.is_err());
    assert!(!finds(&search(&bt, query).await));
    assert_eq!(search(&bt, "nguyen kind:fault").await.total, 3);
    assert!(finds(&search(&sg, query).await));

    // The operator's count never moved with it.
    let op = search(&w.as_user("op"), "nguyen kind:fault").await;
    assert_eq!(op.total, ELSEWHERE + 4);
}

#[tokio::test]
async fn a_responders_keystrokes_narrow_within_their_scope() {
    let (w, mine) = World::crowded().await;
    let bt = w.as_user("bt");
    // Typed one key at a time, as the TUI sends it: every prefix counts only theirs.
    let typed = "nguyen kind:fault";
    let mut last = None;
    for end in (1..=typed.len()).filter(|e| typed.is_char_boundary(*e)) {
        last = Some(search(&bt, &typed[..end]).await);
    }
    let last = last.unwrap();
    assert_eq!(keys(&last, DocKind::Ticket), ids(&mine));
    assert_eq!(last.total, 3);
    // A new ticket escalated to them between keystrokes is found on the next one.
    let t = w.log("Nguyễn Văn Phúc", Some(SAI_GON)).await;
    w.apply("op", &t, escalate(BEN_THANH)).await;
    let r = search(&bt, "nguyen kind:fault ").await;
    assert_eq!(r.total, 4);
    assert!(r.hits.iter().any(|h| h.key == t.id.to_string()));
}
