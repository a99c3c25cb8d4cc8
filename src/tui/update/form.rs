//! The ticket form: typing, moving between fields, the ward picker, dossier
//! look-ups, inline validation and saving.

use super::overlay::edit;
use crate::domain::Change;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::i18n::tr;
use crate::tui::keymap::Key;
use crate::tui::state::fields::{FieldId, FieldKind};
use crate::tui::state::{FormMode, State};

pub(crate) fn type_key(state: &mut State, k: Key) -> Vec<Effect> {
    let now = state.now;
    let lang = state.lang;
    let Some(form) = state.form.as_mut() else {
        return Vec::new();
    };
    let Some(field) = form.focused_mut() else {
        return Vec::new();
    };
    let multiline = field.is_multiline();
    let changed = field.input_mut().is_some_and(|i| edit(i, k, multiline));
    if !changed {
        return Vec::new();
    }
    field.touched = true;
    field.refresh_ward();
    let fx: Vec<Effect> = field
        .codes_to_check()
        .into_iter()
        .map(Effect::CheckDossier)
        .collect();
    form.dirty = true;
    form.error = None;
    form.validate(now, lang);
    fx
}

pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let now = state.now;
    let lang = state.lang;
    let form = state.form.as_mut()?;
    let n = form.fields.len();
    match a {
        Action::NextField | Action::PrevField => {
            let mut picked = false;
            if let Some(f) = form.focused_mut() {
                let open = matches!(&f.kind, FieldKind::Ward { suggestions, .. } if !suggestions.is_empty());
                if open {
                    // Enter/tab pick the highlighted suggestion; shift-tab closes the list.
                    if a == Action::NextField {
                        picked = f.pick_ward();
                    } else if let FieldKind::Ward {
                        suggestions,
                        cursor,
                        ..
                    } = &mut f.kind
                    {
                        suggestions.clear();
                        *cursor = 0;
                    }
                }
                f.touched = true;
            }
            if picked {
                form.dirty = true;
            }
            form.focus = if a == Action::NextField {
                (form.focus + 1) % n.max(1)
            } else {
                (form.focus + n.max(1) - 1) % n.max(1)
            };
            form.validate(now, lang);
            Some(Vec::new())
        }
        Action::Down | Action::Up => {
            if let Some(FieldKind::Ward {
                suggestions,
                cursor,
                ..
            }) = form.focused_mut().map(|f| &mut f.kind)
            {
                if !suggestions.is_empty() {
                    *cursor = if a == Action::Down {
                        (*cursor + 1).min(suggestions.len() - 1)
                    } else {
                        cursor.saturating_sub(1)
                    };
                    return Some(Vec::new());
                }
            }
            let next = if a == Action::Down {
                Action::NextField
            } else {
                Action::PrevField
            };
            on_action(state, next)
        }
        Action::ChoiceNext | Action::ChoicePrev => {
            if let Some(f) = form.focused_mut() {
                if f.cycle(a == Action::ChoiceNext) {
                    f.touched = true;
                    form.dirty = true;
                } else if let Some(i) = f.input_mut() {
                    if a == Action::ChoiceNext {
                        i.right()
                    } else {
                        i.left()
                    }
                }
            }
            Some(Vec::new())
        }
        Action::ClearInput => {
            if let Some(f) = form.focused_mut() {
                if let Some(i) = f.input_mut() {
                    i.clear();
                    f.refresh_ward();
                    form.dirty = true;
                }
            }
            Some(Vec::new())
        }
        Action::Save => Some(save(state)),
        Action::Back => None,
        // Keys that mean something elsewhere do nothing while in the form.
        Action::Open | Action::Top | Action::Bottom | Action::PageUp | Action::PageDown => {
            Some(Vec::new())
        }
        Action::NewTicket => Some(Vec::new()),
        _ => None,
    }
}

fn save(state: &mut State) -> Vec<Effect> {
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
                return super::leave(state);
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
            None => rest.push(e.to_string()),
        }
    }
    form.error = Some(if rest.is_empty() {
        tr(state.lang, "form.fix_errors").to_string()
    } else {
        rest.join("; ")
    });
}
