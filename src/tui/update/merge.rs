//! A form save that met someone else's newer version: rebase the form on it,
//! say what each person changed, and ask about the fields both changed.

use crate::domain::Ticket;
use crate::tui::effect::Effect;
use crate::tui::i18n::{tr, trf, Lang};
use crate::tui::state::fields::FieldId;
use crate::tui::state::merge::Merge;
use crate::tui::state::{Confirm, Overlay, State};

pub(crate) fn on_conflict(state: &mut State, current: &Ticket) {
    let lang = state.lang;
    let Some(form) = state.form.as_mut() else {
        return;
    };
    let merge = form.rebase(current);
    form.error = Some(summary(lang, &merge));
    if !merge.asks.is_empty() {
        state.overlay = Some(Overlay::Confirm(Confirm::BothChanged));
    }
    form.merge = Some(merge);
}

/// The answer to "both changed this field": keep this user's value or take theirs.
pub(crate) fn on_answer(state: &mut State, keep_mine: bool) -> Vec<Effect> {
    let lang = state.lang;
    let Some(form) = state.form.as_mut() else {
        state.overlay = None;
        return Vec::new();
    };
    let Some(mut merge) = form.merge.take() else {
        state.overlay = None;
        return Vec::new();
    };
    form.answer(&mut merge, keep_mine);
    form.dirty = true;
    form.error = Some(summary(lang, &merge));
    state.overlay = (!merge.asks.is_empty()).then_some(Overlay::Confirm(Confirm::BothChanged));
    form.merge = Some(merge);
    Vec::new()
}

fn labels(lang: Lang, ids: impl Iterator<Item = FieldId>) -> String {
    ids.map(|id| tr(lang, id.label_key()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line: whose changes the form now holds, and what is left to save.
pub fn summary(lang: Lang, m: &Merge) -> String {
    let kept_theirs = m
        .theirs
        .iter()
        .copied()
        .chain(m.answered.iter().filter(|(_, mine)| !mine).map(|(f, _)| *f));
    let kept_mine = m
        .mine
        .iter()
        .copied()
        .chain(m.answered.iter().filter(|(_, mine)| *mine).map(|(f, _)| *f));
    let theirs = labels(lang, kept_theirs);
    let mine = labels(lang, kept_mine);
    let none = tr(lang, "merge.nothing");
    trf(
        lang,
        "merge.summary",
        &[
            &crate::text::clean_line(&m.by),
            if theirs.is_empty() { none } else { &theirs },
            if mine.is_empty() { none } else { &mine },
        ],
    )
}
