//! Two people editing one ticket in the TUI: the second save meets a conflict;
//! the form keeps both people's changes where they touched different fields
//! and asks only about a field both changed. Real `LocalApi`, real store.

mod tui_common;

use hotline::domain::{Change, Priority, TicketEdit, TicketId};
use hotline::tui::state::fields::FieldId;
use hotline::tui::state::{Confirm, Overlay, Screen};
use hotline::tui::Lang;
use tui_common::{driver, World};

const OTHER_SUBJECT: &str = "Hỏi thủ tục cấp phép xây dựng nhà ở riêng lẻ";

/// The supervisor saves an edit of ticket 2 while the operator's form is open.
fn supervisor_edits(w: &World, edit: TicketEdit) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let api = w.api("giamsat");
    rt.block_on(async {
        let t = api.ticket(TicketId(2)).await.unwrap().ticket;
        api.apply(t.id, t.version, Change::Edit(edit))
            .await
            .unwrap();
    });
}

fn field_value(d: &hotline::tui::testkit::Driver, id: FieldId) -> String {
    d.state.form.as_ref().unwrap().field(id).unwrap().value()
}

#[test]
fn a_save_after_a_conflict_keeps_the_other_persons_change_to_another_field() {
    let w = World::new();
    let mut d = driver(&w, "lan.nt", Lang::En, true, (100, 30));
    tui_common::open_detail(&mut d, TicketId(2));
    d.keys("E");
    assert_eq!(d.state.screen, Screen::Form);
    supervisor_edits(
        &w,
        TicketEdit {
            subject: Some(OTHER_SUBJECT.into()),
            ..Default::default()
        },
    );
    // The operator raises the priority (the last field) only.
    d.keys("shift-tab right");
    let mine = field_value(&d, FieldId::Priority);
    assert_ne!(mine, "p3");
    d.keys("ctrl-s");
    // The first save met the supervisor's version: nothing to ask, both kept.
    assert_eq!(d.state.screen, Screen::Form);
    assert_eq!(d.state.overlay, None, "no field was changed by both");
    assert_eq!(field_value(&d, FieldId::Subject), OTHER_SUBJECT);
    let screen = d.render();
    assert!(
        screen.contains("giamsat"),
        "who changed it is shown:\n{screen}"
    );
    d.keys("ctrl-s");
    assert_eq!(d.state.screen, Screen::Detail, "saved: {:?}", d.state.toast);
    let t = w.ticket("lan.nt", TicketId(2));
    assert_eq!(
        t.subject, OTHER_SUBJECT,
        "the supervisor's subject survives"
    );
    assert_eq!(t.priority.slug(), mine, "the operator's priority is saved");
}

#[test]
fn only_the_field_both_changed_is_asked_about() {
    let w = World::new();
    let mut d = driver(&w, "lan.nt", Lang::En, true, (100, 30));
    tui_common::open_detail(&mut d, TicketId(2));
    let before = w.ticket("lan.nt", TicketId(2));
    d.keys("E");
    supervisor_edits(
        &w,
        TicketEdit {
            subject: Some(OTHER_SUBJECT.into()),
            description: Some("Người gọi đã được hẹn gọi lại.".into()),
            ..Default::default()
        },
    );
    // The operator writes a description and raises the priority.
    d.keys("shift-tab shift-tab");
    d.type_text("Hẹn gọi lại sáng mai.");
    d.keys("tab right");
    let mine_priority = field_value(&d, FieldId::Priority);
    d.keys("ctrl-s");
    assert_eq!(
        d.state.overlay,
        Some(Overlay::Confirm(Confirm::BothChanged)),
        "the description was changed by both"
    );
    let merge = d.state.form.as_ref().unwrap().merge.clone().unwrap();
    assert_eq!(merge.theirs, vec![FieldId::Subject]);
    assert_eq!(merge.mine, vec![FieldId::Priority]);
    assert_eq!(merge.asks.len(), 1);
    assert_eq!(merge.asks[0].field, FieldId::Description);
    let screen = d.render();
    assert!(
        screen.contains("Người gọi đã được hẹn gọi lại.")
            && screen.contains("Hẹn gọi lại sáng mai."),
        "both values are shown side by side:\n{screen}"
    );
    // Keep the operator's description; then save.
    d.keys("y");
    assert_eq!(d.state.overlay, None);
    d.keys("ctrl-s");
    assert_eq!(d.state.screen, Screen::Detail, "saved: {:?}", d.state.toast);
    let t = w.ticket("lan.nt", TicketId(2));
    assert_eq!(t.subject, OTHER_SUBJECT);
    assert_eq!(t.description, "Hẹn gọi lại sáng mai.");
    assert_eq!(t.priority.slug(), mine_priority);
    assert_ne!(t.priority, before.priority);
    assert_eq!(before.priority, Priority::P3);
}

#[test]
fn taking_theirs_for_the_field_both_changed() {
    let w = World::new();
    let mut d = driver(&w, "lan.nt", Lang::Vi, true, (100, 30));
    tui_common::open_detail(&mut d, TicketId(2));
    d.keys("E");
    supervisor_edits(
        &w,
        TicketEdit {
            description: Some("Đã trả lời qua điện thoại.".into()),
            ..Default::default()
        },
    );
    d.keys("shift-tab shift-tab");
    d.type_text("Chưa liên lạc được.");
    d.keys("ctrl-s");
    assert_eq!(
        d.state.overlay,
        Some(Overlay::Confirm(Confirm::BothChanged))
    );
    // Vietnamese "k" (không): take theirs.
    d.keys("k");
    assert_eq!(d.state.overlay, None);
    assert_eq!(
        field_value(&d, FieldId::Description),
        "Đã trả lời qua điện thoại."
    );
    d.keys("ctrl-s");
    let t = w.ticket("lan.nt", TicketId(2));
    assert_eq!(t.description, "Đã trả lời qua điện thoại.");
}
