//! The one-line message chat formats send (and the JSON event carries as
//! `text`), in Vietnamese: ward teams read it. Built from the catalogs.

use super::event::NotifyKind;
use super::planner::Occasion;
use crate::domain::Ticket;
use crate::tui::i18n::{clock_label, fault_label, priority_label, trf, Lang};

/// Long subjects are cut: a chat message is a pointer to the ticket.
const SUBJECT_CHARS: usize = 160;

pub fn message(t: &Ticket, occasion: &Occasion, by: &str) -> String {
    message_in(Lang::Vi, t, occasion, by)
}

pub fn message_in(lang: Lang, t: &Ticket, occasion: &Occasion, by: &str) -> String {
    let id = t.id.to_string();
    let mut subject: String = t.subject.chars().take(SUBJECT_CHARS).collect();
    if t.subject.chars().count() > SUBJECT_CHARS {
        subject.push('…');
    }
    let e = t.escalation.as_ref();
    let ward = e
        .map(|e| e.ward)
        .or(t.ward)
        .and_then(crate::reference::ward)
        .map(|w| w.full_name.clone())
        .unwrap_or_else(|| "-".into());
    let clock = occasion
        .clock
        .map(|c| clock_label(lang, c).to_string())
        .unwrap_or_default();
    match occasion.kind {
        NotifyKind::Escalated => trf(
            lang,
            "notify.escalated",
            &[
                &id,
                &ward,
                e.map(|e| fault_label(lang, e.fault)).unwrap_or("-"),
                priority_label(lang, t.priority),
                &e.map(|e| e.ack_by.short()).unwrap_or_default(),
                &e.map(|e| e.resolve_by.short()).unwrap_or_default(),
                &subject,
            ],
        ),
        NotifyKind::Warning => trf(lang, "notify.warning", &[&id, &clock, &ward, &subject]),
        NotifyKind::Breach => trf(lang, "notify.breach", &[&id, &clock, &ward, &subject]),
        NotifyKind::Level2 => trf(
            lang,
            "notify.level-2",
            &[
                &id,
                &ward,
                occasion.reason.as_deref().unwrap_or("-"),
                &subject,
            ],
        ),
        NotifyKind::Acknowledged => trf(lang, "notify.acknowledged", &[&id, &ward, by, &subject]),
        NotifyKind::Resolved => trf(lang, "notify.resolved", &[&id, by, &subject]),
        NotifyKind::HandedBack => trf(lang, "notify.handed-back", &[&id, &ward, by, &subject]),
    }
}
