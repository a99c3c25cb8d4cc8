//! What each searchable record looks like to the index: the display text,
//! the fields and the filters of a dossier, ticket, ward or procedure.
//!
//! A saved index holds these as they were made: changing what a dossier or
//! ticket document holds (or how text is tokenised) needs a new
//! `search::snapshot::FORMAT_VERSION`, so saved indexes are rebuilt. Ward and
//! procedure documents are checked on load (their fingerprint is saved).

use crate::domain::validate::mask_phone;
use crate::domain::{Dossier, Ticket, Ts};
use crate::reference::{self, Procedure, Ward};
use crate::search::{DocKind, Field, SearchDoc};
use std::borrow::Cow;

fn ward_name(code: u32) -> Cow<'static, str> {
    match reference::ward(code) {
        Some(w) => Cow::Borrowed(&w.full_name),
        None => Cow::Owned(code.to_string()),
    }
}

/// The end of the subtitle of a dossier that is or was overdue.
pub const OVERDUE_MARK: &str = " · quá hạn";

pub fn dossier_doc(d: &Dossier, now: Ts) -> SearchDoc {
    let phone = d
        .applicant_phone
        .as_ref()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    // An open dossier becomes overdue as time passes: ranking adds its mark
    // when the hit is shown (a saved index is not rewritten for the clock).
    // One closed late stays so.
    let overdue = if !d.is_open() && d.is_overdue(now) {
        OVERDUE_MARK
    } else {
        ""
    };
    SearchDoc {
        kind: DocKind::Dossier,
        key: d.code.clone(),
        title: format!("{} · {} · {}", d.code, d.applicant_name, mask_phone(&phone)),
        subtitle: format!(
            "{} · {} · {} · hạn {}{}",
            d.procedure_name,
            ward_name(d.ward),
            d.status.label_vi(),
            d.due_at.local_date(),
            overdue
        ),
        fields: vec![
            (Field::Code, d.code.clone()),
            (Field::Phone, phone),
            (Field::Name, d.applicant_name.clone()),
            (
                Field::Procedure,
                format!("{} {}", d.procedure_name, d.procedure_code),
            ),
        ],
        ward: Some(d.ward),
        escalated_to: None,
        status: Some(d.status.slug().to_string()),
        tag: None,
        assignee: None,
        open: d.is_open(),
        due: d.is_open().then_some(d.due_at.0),
        date: d.received_at.0,
    }
}

pub fn ticket_doc(t: &Ticket) -> SearchDoc {
    let phone = t
        .caller
        .phone
        .as_ref()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let mut codes = t.id.to_string();
    for d in &t.dossiers {
        codes.push(' ');
        codes.push_str(d);
    }
    let description: String = t.description.chars().take(500).collect();
    SearchDoc {
        kind: DocKind::Ticket,
        key: t.id.to_string(),
        title: format!(
            "{} · {} · {} · {}",
            t.id,
            t.subject,
            t.caller.name,
            mask_phone(&phone)
        ),
        subtitle: format!(
            "{} · {} · {} · {}",
            t.status.label_vi(),
            t.kind.label_vi(),
            t.ward.map(ward_name).unwrap_or_default(),
            t.created_at.short()
        ),
        fields: vec![
            (Field::Code, codes),
            (Field::Phone, phone),
            (Field::Name, t.caller.name.clone()),
            (
                Field::Ward,
                t.ward.map(ward_name).unwrap_or_default().into_owned(),
            ),
            (
                Field::Text,
                format!("{} {} {}", t.subject, t.category, description),
            ),
        ],
        ward: t.ward,
        escalated_to: t.escalation.as_ref().map(|e| e.ward),
        status: Some(t.status.slug().to_string()),
        tag: Some(t.kind.slug().to_string()),
        assignee: t.assignee.clone(),
        open: t.is_open(),
        // A ticket waiting on the citizen has its clock paused: never overdue.
        due: (t.is_open() && t.sla.paused_since.is_none()).then_some(t.due().0),
        date: t.created_at.0,
    }
}

pub fn ward_doc(w: &Ward) -> SearchDoc {
    let former: Vec<String> = w
        .former_units
        .iter()
        .map(|f| format!("{} {}", f.name, f.district))
        .collect();
    SearchDoc {
        kind: DocKind::Ward,
        key: w.code.to_string(),
        title: format!("{} ({})", w.full_name, w.code),
        subtitle: format!(
            "trước đây: {}",
            w.former_units
                .iter()
                .map(|f| format!("{}, {}", f.name, f.district))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        fields: vec![
            (Field::Code, w.code.to_string()),
            (Field::Ward, format!("{} {}", w.full_name, w.name_en)),
            // One former unit per "; ": ranking pairs a ward number with its own district.
            (Field::Text, former.join("; ")),
        ],
        ward: Some(w.code),
        ..reference_doc()
    }
}

/// The shared attributes of reference records: no status, never open, undated.
fn reference_doc() -> SearchDoc {
    SearchDoc {
        kind: DocKind::Ward,
        key: String::new(),
        title: String::new(),
        subtitle: String::new(),
        fields: Vec::new(),
        ward: None,
        escalated_to: None,
        status: None,
        tag: None,
        assignee: None,
        open: false,
        due: None,
        date: 0,
    }
}

pub fn procedure_doc(p: &Procedure) -> SearchDoc {
    SearchDoc {
        kind: DocKind::Procedure,
        key: p.code.clone(),
        title: format!("{} · {}", p.code, p.name),
        subtitle: match p.processing_days {
            Some(d) => format!(
                "{} · {d} ngày{}",
                p.field,
                if p.working_days { " làm việc" } else { "" }
            ),
            None => p.field.clone(),
        },
        fields: vec![
            (Field::Code, p.code.clone()),
            (Field::Procedure, p.name.clone()),
        ],
        ..reference_doc()
    }
}
