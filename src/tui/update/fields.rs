//! The keys of the one field component that the ticket form and the action
//! dialogs share: typing, pickers that filter as you type, the ward picker,
//! dossier look-ups and moving between fields.

use super::overlay::edit;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Key, KeyName};
use crate::tui::state::editor::Editor;
use crate::tui::state::fields::{Field, FieldKind};
use ratatui_textarea::CursorMove;

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
    if let Some(e) = field.editor_mut() {
        let changed = edit_text(e, k);
        if changed {
            field.touched = true;
            field.error = None;
        }
        return changed.then(Vec::new);
    }
    let changed = field.input_mut().is_some_and(|i| edit(i, k, false));
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

/// An editing key in the description editor. Returns whether the text changed.
fn edit_text(e: &mut Editor, k: Key) -> bool {
    if let Some(c) = k.printable() {
        return e.insert(c);
    }
    match k.name {
        KeyName::Enter => e.insert('\n'),
        KeyName::Backspace => e.backspace(),
        KeyName::Delete => e.delete(),
        KeyName::Left => moved_only(e, CursorMove::Back),
        KeyName::Right => moved_only(e, CursorMove::Forward),
        KeyName::Home => moved_only(e, CursorMove::Head),
        KeyName::End => moved_only(e, CursorMove::End),
        _ => false,
    }
}

/// Moves the editor's cursor; the text does not change.
fn moved_only(e: &mut Editor, m: CursorMove) -> bool {
    e.move_cursor(m);
    false
}

/// Pastes into the focused field: the editor takes line breaks and stops at
/// its limit. Returns the look-ups to run and whether all of `text` fitted.
pub(crate) fn paste_into(field: &mut Field, text: &str) -> (Vec<Effect>, bool) {
    if let Some(e) = field.editor_mut() {
        let all = e.paste(text);
        field.touched = true;
        field.error = None;
        return (Vec::new(), all);
    }
    let mut fx = Vec::new();
    for c in crate::text::strip_controls(text, true).chars() {
        // A newline in a one-line field would move on; it is pasted as a space.
        let c = if c == '\n' { ' ' } else { c };
        fx.extend(type_into(field, Key::char(c)).unwrap_or_default());
    }
    (fx, true)
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
            // In the editor the cursor moves between lines; past the first or
            // last line the focus moves on.
            if let Some(e) = f.editor_mut() {
                if e.move_cursor(if down {
                    CursorMove::Down
                } else {
                    CursorMove::Up
                }) {
                    return Outcome::Handled { changed: false };
                }
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
            let mut had_text = f.input().is_some_and(|i| !i.is_empty());
            if let Some(i) = f.input_mut() {
                i.clear();
            }
            if let Some(e) = f.editor_mut() {
                had_text = e.clear();
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
