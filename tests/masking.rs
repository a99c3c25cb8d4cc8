//! "Lists carry masked phone and CCCD; only the single-ticket view has them
//! in full": every list-shaped answer of `LocalApi` (ticket lists, caller
//! history, search, stats), serialized as the hub and `--json` send it, for
//! every role; and the CLI's `ticket list --json` against `ticket show --json`.

mod support;

use hotline::api::{ApiError, Backend, HotlineApi, LocalApi, Page, SearchRequest, TicketFilter};
use hotline::domain::{
    fixed_clock, Change, Dossier, EscalationRequest, FaultType, Kind, NewTicket, PaymentState,
    Phone, PortalStatus, Priority, Role, SyncState, Ts,
};
use hotline::store::Store;
use std::path::Path;
use std::process::Command;
use support::user;
use uuid::Uuid;

const BEN_THANH: u32 = 26743;
const CALLER_PHONE: &str = "0912345678";
const CALLER_PHONE_MASKED: &str = "0912***678";
const CALLER_CCCD: &str = "079203001234";
const APPLICANT_PHONE: &str = "0987654321";
const APPLICANT_PHONE_MASKED: &str = "0987***321";

/// A store with a caller's two tickets (phone and CCCD given), both
/// escalated to Bến Thành, and their dossier there.
async fn world() -> (
    tempfile::TempDir,
    std::sync::Arc<Backend>,
    Vec<hotline::domain::Ticket>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for u in [
        user("admin", Role::Admin, &[]),
        user("op", Role::Operator, &[]),
        user("bt", Role::Responder, &[BEN_THANH]),
        user("sup", Role::Supervisor, &[]),
    ] {
        store.put_user(&u).unwrap();
    }
    store
        .put_dossiers(&[Dossier {
            code: "000.00.01.H29-251101-0001".into(),
            procedure_code: "1.001612".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant_name: "Trần Văn Bình".into(),
            applicant_phone: Phone::parse(APPLICANT_PHONE).ok(),
            ward: BEN_THANH,
            received_at: Ts(1_763_000_000),
            due_at: Ts(1_763_500_000),
            finished_at: None,
            status: PortalStatus::PROCESSING,
            sync: SyncState::Synced,
            payment: PaymentState::Paid,
        }])
        .unwrap();
    let backend = Backend::new(store, fixed_clock(Ts(1_763_600_000)), false);
    backend.search.wait_ready().expect("search index built");
    let op = LocalApi::new(backend.clone(), backend.store.user("op").unwrap().unwrap());
    let mut tickets = Vec::new();
    for subject in [
        "Hồ sơ khai sinh kẹt đồng bộ",
        "Thanh toán lệ phí không thành công",
    ] {
        let mut n = NewTicket::new(Kind::Fault, subject);
        n.caller_name = "Trần Văn Bình".into();
        n.caller_phone = "0912 345 678".into();
        n.caller_cccd = CALLER_CCCD.into();
        n.ward = Some(BEN_THANH);
        n.dossiers = vec!["000.00.01.H29-251101-0001".into()];
        let t = op.create_ticket(Uuid::now_v7(), n).await.unwrap();
        let change = Change::Escalate(EscalationRequest {
            ward: BEN_THANH,
            fault: FaultType::PortalSync,
            level: 1,
            severity: Priority::P2,
            note: None,
        });
        tickets.push(op.apply(t.id, t.version, change).await.unwrap());
    }
    (dir, backend, tickets)
}

fn assert_masked(what: &str, json: &str) {
    for full in [CALLER_PHONE, CALLER_CCCD, APPLICANT_PHONE] {
        assert!(
            !json.contains(full),
            "{what} carries {full} in full: {json}"
        );
    }
}

#[tokio::test]
async fn every_list_carries_phone_and_cccd_masked_and_the_ticket_view_in_full() {
    let (_dir, backend, tickets) = world().await;
    for who in ["op", "bt", "sup"] {
        let api = LocalApi::new(backend.clone(), backend.store.user(who).unwrap().unwrap());

        let all = api
            .list_tickets(TicketFilter::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(all.tickets.len(), 2, "{who}");
        let json = serde_json::to_string(&all).unwrap();
        assert_masked(&format!("{who}'s ticket list"), &json);
        assert!(json.contains(CALLER_PHONE_MASKED), "{json}");
        assert!(json.contains("*********234"), "{json}");

        // Looking a caller up by the number they give still works.
        let by_phone = api
            .list_tickets(
                TicketFilter {
                    phone: Some("0912 345 678".into()),
                    ..Default::default()
                },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(by_phone.tickets.len(), 2, "{who}");
        assert_masked(
            &format!("{who}'s list by phone"),
            &serde_json::to_string(&by_phone).unwrap(),
        );
        for query in ["0912 345 678", "+84912345678", "Trần Văn Bình"] {
            let history = api.caller(query).await.unwrap();
            assert_eq!(history.tickets.len(), 2, "{who} {query}");
            let json = serde_json::to_string(&history).unwrap();
            assert_masked(&format!("{who}'s caller history for {query}"), &json);
            assert!(json.contains(CALLER_PHONE_MASKED), "{json}");
        }
        // By name, the dossier is in the history too, its applicant's phone masked.
        let history = api.caller("Trần Văn Bình").await.unwrap();
        assert_eq!(history.dossiers.len(), 1, "{who}");
        assert!(serde_json::to_string(&history)
            .unwrap()
            .contains(APPLICANT_PHONE_MASKED));

        for query in ["0912 345 678", "Trần Văn Bình", "khai sinh", "079203001234"] {
            let results = api
                .search(SearchRequest {
                    text: query.into(),
                    limit: 50,
                })
                .await
                .unwrap();
            assert_masked(
                &format!("{who}'s search for {query}"),
                &serde_json::to_string(&results).unwrap(),
            );
        }

        // The single-ticket view has them in full.
        let detail = api.ticket(tickets[0].id).await.unwrap();
        let json = serde_json::to_string(&detail).unwrap();
        for full in [CALLER_PHONE, CALLER_CCCD, APPLICANT_PHONE] {
            assert!(
                json.contains(full),
                "{who}'s ticket view lacks {full}: {json}"
            );
        }
    }

    let stats = serde_json::to_string(
        &LocalApi::new(backend.clone(), backend.store.user("sup").unwrap().unwrap())
            .stats()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_masked("the supervisor's stats", &stats);

    // Admins work no tickets: no list reaches them at all.
    let admin = LocalApi::new(
        backend.clone(),
        backend.store.user("admin").unwrap().unwrap(),
    );
    assert!(matches!(
        admin
            .list_tickets(TicketFilter::default(), Page::default())
            .await,
        Err(ApiError::Forbidden { .. })
    ));
    assert!(matches!(
        admin.caller(CALLER_PHONE).await,
        Err(ApiError::Forbidden { .. })
    ));
}

fn hotline(data: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("HOTLINE_CONFIG", data.join("no-config.toml"))
        .env("HOTLINE_LOG", data.join("hotline.log"))
        .env_remove("HOTLINE_USER")
        .env_remove("HOTLINE_DATA")
        .output()
        .expect("run hotline");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_cli_lists_masked_and_shows_one_ticket_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    hotline(d, &["user", "add", "admin", "--role", "admin"]);
    hotline(
        d,
        &["--user", "admin", "user", "add", "op", "--role", "operator"],
    );
    let created = hotline(
        d,
        &[
            "--user",
            "op",
            "--json",
            "ticket",
            "new",
            "--subject",
            "Hồ sơ kẹt đồng bộ",
            "--name",
            "Trần Văn Bình",
            "--phone",
            "0912 345 678",
            "--cccd",
            CALLER_CCCD,
        ],
    );
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
        .as_u64()
        .unwrap()
        .to_string();
    for args in [
        &["--user", "op", "--json", "ticket", "list"][..],
        &[
            "--user",
            "op",
            "--json",
            "ticket",
            "list",
            "--phone",
            "0912345678",
        ][..],
        &["--user", "op", "ticket", "list"][..],
    ] {
        let out = hotline(d, args);
        assert!(
            !out.contains(CALLER_PHONE) && !out.contains(CALLER_CCCD),
            "{args:?}: {out}"
        );
        assert!(out.contains(CALLER_PHONE_MASKED), "{args:?}: {out}");
    }
    for args in [
        &["--user", "op", "--json", "ticket", "show", &id][..],
        &["--user", "op", "ticket", "show", &id][..],
    ] {
        let out = hotline(d, args);
        assert!(
            out.contains(CALLER_PHONE) && out.contains(CALLER_CCCD),
            "{args:?}: {out}"
        );
    }
}
