//! Snapshot tests of every screen at 80×24 and 120×40, Vietnamese and English,
//! on a fixed store with a fixed clock (TestBackend + insta). One screen is also
//! checked in no-colour mode, where selection must show as reverse video.
//!
//! To update after an intended change: `INSTA_UPDATE=always cargo test --test
//! tui_snapshots`, then review the `.snap` files under `tests/snapshots/`.

mod tui_common;

use hotline::tui::testkit::Driver;
use hotline::tui::Lang;
use ratatui::style::{Color, Modifier};
use tui_common::{driver, World};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [(Lang, &str); 2] = [(Lang::Vi, "vi"), (Lang::En, "en")];

fn snap(name: &str, world: &World, user: &str, steps: impl Fn(&mut Driver)) {
    for (lang, code) in LANGS {
        for size in SIZES {
            let mut d = driver(world, user, lang, true, size);
            steps(&mut d);
            // The measured search time is the one thing a fixed clock cannot fix.
            if let Some(r) = d.state.search.results.as_mut() {
                r.micros = 0;
            }
            let screen = d.render();
            insta::assert_snapshot!(format!("{name}_{code}_{}x{}", size.0, size.1), screen);
        }
    }
}

#[test]
fn with_history() {
    let w = World::with_history();
    snap("dashboard_history", &w, "giamsat", |d| d.keys("esc 3"));
    snap("queues_history", &w, "giamsat", |d| d.keys("esc 2 tab tab"));
}

#[test]
fn dossier() {
    let w = World::new();
    snap("dossier", &w, "lan.nt", |d| {
        d.keys("esc 4");
        d.type_text("0912345678");
        d.keys("tab j j enter");
    });
}

#[test]
fn welcome_on_an_empty_store() {
    let w = World::empty();
    snap("welcome", &w, "lan.nt", |_| {});
}

#[test]
fn search_home() {
    let w = World::new();
    snap("search_empty", &w, "lan.nt", |_| {});
    snap("search_typed", &w, "lan.nt", |d| {
        d.type_text("0912 345 678")
    });
}

#[test]
fn queues() {
    let w = World::new();
    snap("queues_all_open", &w, "lan.nt", |d| d.keys("esc 2 tab"));
    snap("queues_responder", &w, "ut.benthanh", |d| d.keys("esc 2"));
}

#[test]
fn ticket_detail() {
    let w = World::new();
    snap("detail", &w, "lan.nt", |d| {
        d.keys("esc 4");
        d.type_text("0912345678");
        d.keys("tab enter");
    });
}

#[test]
fn ticket_form() {
    let w = World::new();
    snap("form_new", &w, "lan.nt", |d| d.keys("ctrl-n"));
    snap("form_edit", &w, "lan.nt", |d| {
        d.keys("esc 4");
        d.type_text("0912345678");
        d.keys("tab enter E");
    });
    snap("form_errors", &w, "lan.nt", |d| {
        d.keys("ctrl-n tab tab");
        d.type_text("Nguyễn Văn An");
        d.keys("tab");
        d.type_text("0912");
        d.keys("tab tab");
        d.type_text("ben ng");
        d.keys("ctrl-s");
    });
    snap("form_ward_picker", &w, "lan.nt", |d| {
        d.keys("ctrl-n tab tab tab tab tab");
        d.type_text("ben");
    });
}

#[test]
fn caller_history() {
    let w = World::new();
    snap("caller", &w, "lan.nt", |d| {
        d.keys("esc 4");
        d.type_text("0912 345 678");
    });
}

#[test]
fn dashboard() {
    let w = World::new();
    snap("dashboard", &w, "giamsat", |d| d.keys("esc 3"));
}

#[test]
fn overlays() {
    let w = World::new();
    snap("help", &w, "lan.nt", |d| d.keys("esc ?"));
    // A description longer than its column wraps under itself (80 columns).
    snap("help_wrapped", &w, "lan.nt", |d| {
        d.keys("esc ?");
        d.type_text("ctrl-z");
    });
    snap("palette", &w, "lan.nt", |d| {
        d.keys("esc :");
        d.type_text("queue");
    });
    snap("escalate_dialog", &w, "lan.nt", |d| {
        d.keys("esc 2 tab G enter e");
    });
    snap("confirm_leave", &w, "lan.nt", |d| {
        d.keys("ctrl-n tab tab");
        d.type_text("An");
        d.keys("esc");
    });
}

#[test]
fn window_too_small() {
    let w = World::new();
    let mut d = driver(&w, "lan.nt", Lang::Vi, true, (60, 20));
    insta::assert_snapshot!("too_small_vi_60x20", d.render());
    let mut d = driver(&w, "lan.nt", Lang::En, true, (79, 24));
    insta::assert_snapshot!("too_small_en_79x24", d.render());
}

#[test]
fn no_colour_mode_shows_selection_by_reverse_video() {
    let w = World::new();
    let mut d = driver(&w, "lan.nt", Lang::Vi, false, (80, 24));
    d.keys("esc 2 tab");
    insta::assert_snapshot!("queues_no_colour_vi_80x24", d.render());
    let buf = d.render_buffer();
    let mut reversed_rows = 0;
    for y in 0..buf.area.height {
        let mut any = false;
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert_eq!(c.fg, Color::Reset, "colour at {x},{y}");
            assert_eq!(c.bg, Color::Reset, "colour at {x},{y}");
            any |= c.modifier.contains(Modifier::REVERSED);
        }
        reversed_rows += usize::from(any);
    }
    // Title tab, the selected row, the status bar.
    assert!(reversed_rows >= 3, "{reversed_rows}");
}
