//! Live updates in the TUI's state: real `LocalApi` subscriptions over a
//! temp store, their updates fed to `update` as the terminal loop does.

mod tui_common;

use hotline::api::live::LiveUpdate;
use hotline::domain::{Change, EscalationRequest, FaultType, Kind, NewTicket, Priority};
use hotline::tui::msg::Msg;
use hotline::tui::state::Screen;
use hotline::tui::Lang;
use tui_common::{driver, World, BEN_THANH};

/// The operator logs and escalates a ticket to Bến Thành; returns the live
/// updates `subscriber` received meanwhile.
fn escalate_while_subscribed(
    w: &World,
    subscriber: &str,
) -> (Vec<LiveUpdate>, hotline::domain::TicketId) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sub_api = w.api(subscriber);
    let op = w.api("lan.nt");
    rt.block_on(async {
        let mut sub = sub_api.subscribe(None).await.unwrap();
        let mut n = NewTicket::new(Kind::Fault, "Cổng dịch vụ công báo lỗi thanh toán");
        n.caller_name = "Đỗ Văn Sơn".into();
        n.caller_phone = "0905123456".into();
        let t = op.create_ticket(uuid::Uuid::now_v7(), n).await.unwrap();
        let t = op
            .apply(
                t.id,
                t.version,
                Change::Escalate(EscalationRequest {
                    ward: BEN_THANH,
                    fault: FaultType::PaymentFailure,
                    level: 1,
                    severity: Priority::P2,
                    note: None,
                }),
            )
            .await
            .unwrap();
        let mut got = Vec::new();
        while let Ok(Some(u)) =
            tokio::time::timeout(std::time::Duration::from_millis(300), sub.next()).await
        {
            got.push(u);
        }
        (got, t.id)
    })
}

#[test]
fn a_new_escalation_lands_in_the_responders_queue_marked_with_the_bell() {
    let w = World::new();
    let mut d = driver(&w, "ut.benthanh", Lang::Vi, true, (100, 30));
    d.keys("esc 2");
    assert_eq!(d.state.screen, Screen::Queues);
    let (updates, id) = escalate_while_subscribed(&w, "ut.benthanh");
    // The responder hears only of the escalation, not of the ticket before it.
    assert_eq!(updates.len(), 1, "{updates:?}");
    for u in updates {
        d.send(Msg::Live(u));
    }
    assert!(d.state.live.fresh.contains(&id));
    assert!(d.state.live.ring_bell, "the bell is due");
    let screen = d.render();
    assert!(screen.contains(&format!("{id}●")), "{screen}");
    // Opening it clears the mark.
    tui_common::open_detail(&mut d, id);
    assert!(!d.state.live.fresh.contains(&id));
}

#[test]
fn the_bell_stays_quiet_when_configured_off_and_for_operators() {
    let w = World::new();
    let mut state = hotline::tui::initial_state(&hotline::tui::TuiOptions {
        bell: false,
        ..tui_common::opts(Lang::En, true)
    })
    .unwrap();
    state.size = (100, 30);
    let mut d = hotline::tui::testkit::Driver::new(w.api("ut.benthanh"), state, (100, 30));
    d.keys("esc 2");
    let (updates, id) = escalate_while_subscribed(&w, "ut.benthanh");
    for u in updates {
        d.send(Msg::Live(u));
    }
    assert!(d.state.live.fresh.contains(&id), "still marked");
    assert!(!d.state.live.ring_bell);

    let mut op = driver(&w, "lan.nt", Lang::En, true, (100, 30));
    let (updates, _) = escalate_while_subscribed(&w, "lan.nt");
    assert_eq!(updates.len(), 2, "the operator sees both steps");
    for u in updates {
        op.send(Msg::Live(u));
    }
    assert!(!op.state.live.ring_bell);
    assert!(op.state.live.fresh.is_empty());
}

#[test]
fn the_detail_on_screen_reloads_when_its_ticket_changes() {
    let w = World::new();
    let mut d = driver(&w, "giamsat", Lang::En, true, (100, 30));
    tui_common::open_detail(&mut d, hotline::domain::TicketId(3));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let api = w.api("giamsat");
    let op = w.api("lan.nt");
    let update = rt.block_on(async {
        let mut sub = api.subscribe(None).await.unwrap();
        let t = op
            .ticket(hotline::domain::TicketId(3))
            .await
            .unwrap()
            .ticket;
        op.apply(
            t.id,
            t.version,
            Change::Comment {
                text: "Khách gọi lại lần hai".into(),
            },
        )
        .await
        .unwrap();
        sub.next().await.unwrap()
    });
    let before = tui_common::shown_ticket(&d).version;
    d.send(Msg::Live(update));
    assert_eq!(tui_common::shown_ticket(&d).version, before + 1);
    assert!(d.render().contains("Khách gọi lại lần hai"));
}
