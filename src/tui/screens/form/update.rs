//! The ticket form: typing, moving between fields, the ward picker, dossier
//! look-ups, inline validation and saving.

use crate::domain::Change;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::i18n::tr;
use crate::tui::keymap::Key;
use crate::tui::state::fields::FieldId;
use crate::tui::state::{FormMode, State};
use crate::tui::update::fields::{self, Outcome};

pub(crate) fn type_key(state: &mut State, k: Key) -> Vec<Effect> {
    let now = state.now;
    let lang = state.lang;
    let Some(form) = state.form.as_mut() else {
        return Vec::new();
    };
    let Some(field) = form.focused_mut() else {
        return Vec::new();
    };
    let Some(fx) = fields::type_into(field, k) else {
        return Vec::new();
    };
    form.dirty = true;
    form.error = None;
    form.validate(now, lang);
    fx
}

/// Pastes into the focused field; a paste longer than the description's
/// limit is cut there, and the status bar says so.
pub(crate) fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    let now = state.now;
    let lang = state.lang;
    let Some(form) = state.form.as_mut() else {
        return Vec::new();
    };
    let Some(field) = form.focused_mut() else {
        return Vec::new();
    };
    let (fx, all) = fields::paste_into(field, text);
    form.dirty = true;
    form.error = None;
    form.validate(now, lang);
    if !all {
        state.toast(tr(lang, "form.paste_cut"), true);
    }
    fx
}

pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let now = state.now;
    let lang = state.lang;
    let form = state.form.as_mut()?;
    match fields::on_action(&mut form.fields, &mut form.focus, a) {
        Outcome::Handled { changed } => {
            form.dirty |= changed;
            if matches!(a, Action::NextField | Action::PrevField) {
                form.validate(now, lang);
            }
            return Some(Vec::new());
        }
        Outcome::PastLast => {
            // The form goes round to its first field.
            form.focus = 0;
            form.validate(now, lang);
            return Some(Vec::new());
        }
        Outcome::NotMine => {}
    }
    match a {
        Action::Save => Some(save(state, false)),
        Action::SaveEscalate => Some(save(state, true)),
        Action::Back => None,
        // Keys that mean something elsewhere do nothing while in the form.
        Action::Open | Action::Top | Action::Bottom | Action::PageUp | Action::PageDown => {
            Some(Vec::new())
        }
        Action::NewTicket => Some(Vec::new()),
        _ => None,
    }
}

/// Saves the form; `escalate` asks for the new ticket's escalation dialog
/// as soon as it is shown (the common fault call).
fn save(state: &mut State, escalate: bool) -> Vec<Effect> {
    let now = state.now;
    let lang = state.lang;
    let Some(form) = state.form.as_mut() else {
        return Vec::new();
    };
    if form.saving {
        return Vec::new();
    }
    form.submitted = true;
    if !form.validate(now, lang) {
        form.error = Some(tr(lang, "form.fix_errors").to_string());
        if let Some(i) = form.fields.iter().position(|f| f.error.is_some()) {
            form.focus = i;
        }
        return Vec::new();
    }
    // An unknown dossier code is only a warning: it may not be imported yet.
    form.saving = true;
    form.error = None;
    form.escalate_after_save = escalate;
    match &form.mode {
        FormMode::New => vec![Effect::CreateTicket {
            request_id: form.request_id,
            new: form.to_new_ticket(),
        }],
        FormMode::Edit(t) => {
            let edit = form.to_edit(t);
            if edit == Default::default() {
                form.saving = false;
                form.dirty = false;
                state.toast(tr(lang, "toast.nothing_changed"), false);
                return crate::tui::update::leave(state);
            }
            vec![Effect::Apply {
                id: t.id,
                version: t.version,
                change: Change::Edit(edit),
            }]
        }
    }
}

/// Marks the field errors a server returned on the form.
pub(crate) fn show_errors(state: &mut State, errors: &[crate::domain::ValidationError]) {
    let Some(form) = state.form.as_mut() else {
        return;
    };
    let mut rest = Vec::new();
    for e in errors {
        match FieldId::from_validation(&e.field).and_then(|id| form.field_mut(id)) {
            Some(f) => f.error = Some(crate::tui::i18n::messages::validation(state.lang, e)),
            None => rest.push(crate::tui::i18n::messages::field_error(state.lang, e)),
        }
    }
    form.error = Some(if rest.is_empty() {
        tr(state.lang, "form.fix_errors").to_string()
    } else {
        rest.join("; ")
    });
}
