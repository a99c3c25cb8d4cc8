//! The keys of the one field component that the ticket form and the action
//! dialogs share: typing, pickers that filter as you type, the ward picker,
//! dossier look-ups and moving between fields.

use super::overlay::edit;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Key, KeyName};
use crate::tui::state::fields::{Field, FieldKind};

/// What a field list did with an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Handled; `changed` when a value changed (the form becomes dirty).
    Handled { changed: bool },
    /// `next-field` on the last field (after any pick there): the dialog
    /// submits, the form wraps.
    PastLast,
    /// Not a field action: the caller decides.
    NotMine,
}

/// One editing key into `field`. Returns the look-ups to run, or `None` when
/// nothing changed.
pub(crate) fn type_into(field: &mut Field, k: Key) -> Option<Vec<Effect>> {
    if field.is_picker() {
        return type_into_picker(field, k).then(Vec::new);
    }
    let multiline = field.is_multiline();
    let changed = field.input_mut().is_some_and(|i| edit(i, k, multiline));
    if !changed {
        return None;
    }
    field.touched = true;
    field.error = None;
    field.refresh_ward();
    // A whole dossier code is looked up as it is typed.
    Some(
        field
            .codes_to_check()
            .into_iter()
            .map(Effect::CheckDossier)
            .collect(),
    )
}

/// Typing into a picker filters its options and preselects the best match;
/// arrows (and space before anything is typed) step through the matches.
fn type_into_picker(field: &mut Field, k: Key) -> bool {
    let empty = !field.picker_open();
    let step = match k.name {
        KeyName::Left => Some(false),
        KeyName::Right => Some(true),
        KeyName::Char(' ') if empty && !k.ctrl && !k.alt => Some(true),
        _ => None,
    };
    if let Some(forward) = step {
        field.cycle(forward);
        field.touched = true;
        return true;
    }
    let changed = field.input_mut().is_some_and(|i| edit(i, k, false));
    if changed {
        field.refresh_picker();
        field.touched = true;
    }
    changed
}

/// A field-list action (moving, choosing, clearing) on `fields` with `focus`.
pub(crate) fn on_action(fields: &mut [Field], focus: &mut usize, a: Action) -> Outcome {
    let n = fields.len();
    if n == 0 {
        return Outcome::NotMine;
    }
    *focus = (*focus).min(n - 1);
    let f = &mut fields[*focus];
    match a {
        Action::NextField | Action::PrevField => {
            let forward = a == Action::NextField;
            let mut changed = false;
            if ward_list_open(f) {
                // Enter/tab pick the highlighted suggestion; shift-tab closes the list.
                if forward {
                    changed = f.pick_ward();
                } else {
                    close_ward_list(f);
                }
            }
            changed |= f.close_picker();
            f.touched = true;
            if forward && *focus + 1 >= n {
                return Outcome::PastLast;
            }
            *focus = if forward {
                *focus + 1
            } else {
                (*focus + n - 1) % n
            };
            Outcome::Handled { changed }
        }
        Action::Down | Action::Up => {
            let down = a == Action::Down;
            if let FieldKind::Ward {
                suggestions,
                cursor,
                ..
            } = &mut f.kind
            {
                if !suggestions.is_empty() {
                    *cursor = if down {
                        (*cursor + 1).min(suggestions.len() - 1)
                    } else {
                        cursor.saturating_sub(1)
                    };
                    return Outcome::Handled { changed: false };
                }
            }
            if f.picker_open() {
                f.cycle(down);
                return Outcome::Handled { changed: true };
            }
            let next = if down {
                Action::NextField
            } else {
                Action::PrevField
            };
            match on_action(fields, focus, next) {
                Outcome::PastLast => {
                    *focus = 0;
                    Outcome::Handled { changed: false }
                }
                other => other,
            }
        }
        Action::ChoiceNext | Action::ChoicePrev => {
            let forward = a == Action::ChoiceNext;
            if f.cycle(forward) {
                f.touched = true;
                return Outcome::Handled { changed: true };
            }
            if let Some(i) = f.input_mut() {
                if forward {
                    i.right()
                } else {
                    i.left()
                }
            }
            Outcome::Handled { changed: false }
        }
        Action::ClearInput => {
            let had_text = f.input().is_some_and(|i| !i.is_empty());
            if let Some(i) = f.input_mut() {
                i.clear();
            }
            f.refresh_ward();
            Outcome::Handled {
                changed: had_text && !f.is_picker(),
            }
        }
        Action::Back => {
            // An open suggestion or match list closes first.
            if ward_list_open(f) {
                close_ward_list(f);
                return Outcome::Handled { changed: false };
            }
            if f.close_picker() {
                return Outcome::Handled { changed: false };
            }
            Outcome::NotMine
        }
        _ => Outcome::NotMine,
    }
}

fn ward_list_open(f: &Field) -> bool {
    matches!(&f.kind, FieldKind::Ward { suggestions, .. } if !suggestions.is_empty())
}

fn close_ward_list(f: &mut Field) {
    if let FieldKind::Ward {
        suggestions,
        cursor,
        ..
    } = &mut f.kind
    {
        suggestions.clear();
        *cursor = 0;
    }
}
