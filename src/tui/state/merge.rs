//! Merging a form whose save met a newer version of the ticket: the other
//! person's changes are taken where this user left a field alone, this user's
//! are kept where the other left it alone, and only fields both changed (to
//! different values) are put to the user as a question.

use super::fields::{Field, FieldId};
use super::form::{FormMode, FormState};
use crate::domain::Ticket;

/// A field both people changed, to different values.
#[derive(Debug, Clone, PartialEq)]
pub struct BothChanged {
    pub field: FieldId,
    /// The field as the other person left it (taken if the user says so).
    pub theirs: Field,
    /// The field as this user left it.
    pub mine: Field,
}

/// What a conflicting save found, for the screen and the questions.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// Who changed the ticket meanwhile.
    pub by: String,
    /// Fields only the other person changed: now showing their value.
    pub theirs: Vec<FieldId>,
    /// Fields only this user changed: kept.
    pub mine: Vec<FieldId>,
    /// Still to be answered, first one asked now.
    pub asks: Vec<BothChanged>,
    /// Answered: the field and whether this user's value was kept.
    pub answered: Vec<(FieldId, bool)>,
}

fn same(a: &Field, b: &Field) -> bool {
    a.value().trim() == b.value().trim()
}

impl FormState {
    /// Rebases the form on `current`: afterwards the form's original is
    /// `current` and its fields hold both people's changes, except where both
    /// changed one field (listed in `asks`, the user's value showing until answered).
    pub fn rebase(&mut self, current: &Ticket) -> Merge {
        let base = match &self.mode {
            FormMode::Edit(t) => FormState::edit(t),
            FormMode::New => FormState::edit(current),
        };
        let now = FormState::edit(current);
        let mut merge = Merge {
            by: current.updated_by.clone(),
            theirs: Vec::new(),
            mine: Vec::new(),
            asks: Vec::new(),
            answered: Vec::new(),
        };
        for field in &mut self.fields {
            let (Some(was), Some(is)) = (base.field(field.id), now.field(field.id)) else {
                continue;
            };
            let mine_changed = !same(field, was);
            let theirs_changed = !same(is, was);
            match (mine_changed, theirs_changed) {
                (false, true) => {
                    let error = field.error.take();
                    *field = is.clone();
                    field.error = error;
                    merge.theirs.push(field.id);
                }
                (true, false) => merge.mine.push(field.id),
                (true, true) if !same(field, is) => merge.asks.push(BothChanged {
                    field: field.id,
                    theirs: is.clone(),
                    mine: field.clone(),
                }),
                _ => {}
            }
        }
        self.mode = FormMode::Edit(Box::new(current.clone()));
        merge
    }

    /// Answers the first open question of `merge`: keep this user's value or take theirs.
    pub fn answer(&mut self, merge: &mut Merge, keep_mine: bool) {
        if merge.asks.is_empty() {
            return;
        }
        let ask = merge.asks.remove(0);
        if !keep_mine {
            if let Some(f) = self.field_mut(ask.field) {
                *f = ask.theirs.clone();
            }
        }
        merge.answered.push((ask.field, keep_mine));
    }
}

/// A field's value as the user reads it (a choice's label, not its slug).
pub fn shown(field: &Field, lang: crate::tui::i18n::Lang) -> String {
    use super::fields::FieldKind;
    match &field.kind {
        FieldKind::Choice { options, index, .. } => options
            .get(*index)
            .map(|o| o.label(lang).to_string())
            .unwrap_or_default(),
        FieldKind::Text { input, .. }
        | FieldKind::Ward { input, .. }
        | FieldKind::Dossiers { input, .. } => input.text().to_string(),
        FieldKind::Editor(e) => e.text(),
    }
}
