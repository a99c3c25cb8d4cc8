//! A ticket the scheduler raised to the city centre, as the screens show it:
//! the level and why on the detail view (both languages), and the
//! supervisor's dashboard row that lists such tickets.

mod tui_common;

use hotline::domain::{TicketId, Ts};
use hotline::tui::Lang;
use tui_common::{driver, open_detail, World, NOW};

/// Fires every alarm due two hours after the world's tickets were logged:
/// the escalated P2 ticket (acknowledge within 2 h) goes to level 2.
fn two_hours_later(w: &World) {
    let at = Ts(NOW.0 + 2 * 3600);
    while w
        .backend
        .store
        .fire_due_alarm(at, "hotline")
        .unwrap()
        .is_some()
    {}
    let t = w.backend.store.ticket(TicketId(1)).unwrap().unwrap();
    assert_eq!(t.escalation.unwrap().level, 2);
}

#[test]
fn a_responder_sees_the_level_and_why_in_either_language() {
    let w = World::new();
    two_hours_later(&w);
    for (lang, level, why, timeline) in [
        (
            Lang::Vi,
            "2 · Trung tâm Chuyển đổi số TP",
            "phường không tiếp nhận đúng hạn",
            "chuyển cấp 1 → 2",
        ),
        (
            Lang::En,
            "2 · city digital-transformation",
            "the ward team did not acknowledge",
            "level changed 1 → 2",
        ),
    ] {
        let mut d = driver(&w, "ut.benthanh", lang, true, (160, 45));
        open_detail(&mut d, TicketId(1));
        let screen = d.render();
        for want in [level, why, timeline] {
            assert!(screen.contains(want), "{want:?} in\n{screen}");
        }
    }
}

#[test]
fn a_ticket_still_at_the_ward_shows_no_level_row() {
    let w = World::new();
    let mut d = driver(&w, "ut.benthanh", Lang::En, true, (160, 45));
    open_detail(&mut d, TicketId(1));
    let screen = d.render();
    assert!(
        screen.contains("Acknowledge: "),
        "the escalation is drawn:\n{screen}"
    );
    assert!(!screen.contains("city digital-transformation"), "{screen}");
}

#[test]
fn the_supervisor_dashboard_lists_tickets_at_the_city_centre() {
    let w = World::new();
    two_hours_later(&w);
    let mut d = driver(&w, "giamsat", Lang::En, true, (120, 40));
    d.keys("esc 3");
    let screen = d.render();
    assert!(screen.contains("Level 2 · city centre"), "{screen}");
    // Two status rows (New, Escalated), then the level-2 row.
    d.keys("j j enter");
    let screen = d.render();
    assert!(screen.contains("PA-000001"), "{screen}");
    assert!(
        !screen.contains("PA-000003"),
        "only the raised ticket:\n{screen}"
    );
}

#[test]
fn a_level_2_ticket_is_marked_in_queue_rows_without_colour() {
    let w = World::new();
    let marked = |lang: Lang| {
        let mut d = driver(&w, "lan.nt", lang, false, (120, 40));
        d.keys("esc 2 tab");
        let screen = d.render();
        let row = |id: &str| {
            screen
                .lines()
                .find(|l| l.contains(id))
                .unwrap_or_else(|| panic!("{id} in\n{screen}"))
                .to_string()
        };
        (row("PA-000001"), row("PA-000003"))
    };
    let (raised, other) = marked(Lang::En);
    assert!(!raised.contains(" L2 "), "not yet raised: {raised:?}");
    two_hours_later(&w);
    for (lang, status) in [(Lang::En, "Escalated L2"), (Lang::Vi, " C2 ")] {
        let (raised, other_now) = marked(lang);
        assert!(
            raised.contains(status),
            "{lang:?}: {status:?} in {raised:?}"
        );
        assert!(!other_now.contains(status), "{other_now:?}");
    }
    assert!(!other.contains("L2"), "{other:?}");
}

/// The supervisor's dashboard figures from a backend whose clock reads `at`.
fn breaches_at(w: &World, at: Ts) -> Vec<(String, usize)> {
    let backend = hotline::api::Backend::lazy(
        w.backend.store.clone(),
        hotline::domain::fixed_clock(at),
        false,
    );
    let sup = w.backend.store.user("giamsat").unwrap().unwrap();
    let api = hotline::api::LocalApi::new(backend, sup);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    use hotline::api::HotlineApi;
    rt.block_on(api.stats()).unwrap().breaches_by_fault
}

#[test]
fn a_ward_breach_still_counts_on_the_dashboard_after_the_raise() {
    let w = World::new();
    // An hour in, the ward team still has an hour to acknowledge.
    assert_eq!(breaches_at(&w, Ts(NOW.0 + 3600)), []);
    two_hours_later(&w);
    let t = w.backend.store.ticket(TicketId(1)).unwrap().unwrap();
    let e = t.escalation.unwrap();
    // The raise gave the city centre new deadlines, none passed yet.
    let just_after = Ts(NOW.0 + 2 * 3600 + 60);
    assert!(e.ack_by > just_after && e.resolve_by > just_after);
    assert_eq!(
        breaches_at(&w, just_after),
        [("portal-sync".to_string(), 1)]
    );
}
