//! The SLA state the search preview and the caller screen show comes from the
//! policy's clocks, as in the queues: a ticket whose first-response clock is
//! past the policy's warning share (75 % shipped) is "due soon", however far
//! its resolution deadline is.

mod tui_common;

use hotline::domain::{fixed_clock, Ts};
use hotline::tui::testkit::Driver;
use hotline::tui::{initial_state, Lang};
use tui_common::{opts, World, NOW};

/// The operator's TUI, without colour, at `at` (the world's tickets were
/// logged at NOW).
fn operator_at(w: &World, lang: Lang, at: Ts) -> Driver {
    let mut o = opts(lang, false);
    o.clock = fixed_clock(at);
    Driver::new(w.api("lan.nt"), initial_state(&o).unwrap(), (120, 40))
}

/// The line of `screen` that holds `needle`.
fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} in\n{screen}"))
}

// PA-000003 is a P1 complaint: first response within 1 h on the hotline
// (24/7), resolution within 5 working days of the ward calendar.

#[test]
fn the_caller_screen_shows_due_soon_past_the_warning_share() {
    let w = World::new();
    for (minutes, want) in [(40, "● New"), (50, "◐ New"), (70, "‼ New")] {
        let mut d = operator_at(&w, Lang::En, Ts(NOW.0 + minutes * 60));
        d.keys("esc 4");
        d.type_text("0903111222");
        let screen = d.render();
        let row = line_with(&screen, "PA-000003");
        assert!(row.contains(want), "{minutes} min: {want:?} in {row:?}");
    }
}

#[test]
fn the_search_preview_shows_due_soon_and_the_first_response_time_left() {
    let w = World::new();
    for (lang, minutes, want) in [
        (Lang::En, 40, "SLA: ● on track · 20m"),
        (Lang::En, 50, "SLA: ◐ due soon · 10m"),
        (Lang::Vi, 50, "◐ sắp đến hạn · 10p"),
    ] {
        let mut d = operator_at(&w, lang, Ts(NOW.0 + minutes * 60));
        d.type_text("0903111222");
        let screen = d.render();
        assert!(
            screen.contains(want),
            "{lang:?} {minutes} min: {want:?} in\n{screen}"
        );
    }
}
