//! Overlays: help, command palette, action dialogs and yes/no questions.

use super::fields::Outcome;
use super::{leave, on_action as run_action};
use crate::text::fold;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::i18n::{tr, Lang};
use crate::tui::keymap::{Context, Key, KeyName};
use crate::tui::state::{Confirm, Overlay, Screen, State, TextInput};

/// Applies a line-editing key to an input.
pub(crate) fn edit(input: &mut TextInput, k: Key, multiline: bool) -> bool {
    if let Some(c) = k.printable() {
        input.insert(c);
        return true;
    }
    match k.name {
        KeyName::Backspace => input.backspace(),
        KeyName::Delete => input.delete(),
        KeyName::Left => {
            input.left();
            false
        }
        KeyName::Right => {
            input.right();
            false
        }
        KeyName::Home => {
            input.home();
            false
        }
        KeyName::End => {
            input.end();
            false
        }
        KeyName::Enter if multiline => {
            input.insert('\n');
            true
        }
        _ => false,
    }
}

pub(crate) fn on_confirm_key(state: &mut State, c: Confirm, k: Key) -> Vec<Effect> {
    let yes = matches!(
        k.name,
        KeyName::Char('y' | 'Y' | 'c' | 'C') | KeyName::Enter
    ) && !k.ctrl;
    let no = matches!(k.name, KeyName::Char('n' | 'N' | 'k' | 'K') | KeyName::Esc);
    if k == Key::ctrl('c') {
        state.quit = true;
        return Vec::new();
    }
    if c == Confirm::BothChanged {
        // Esc keeps what this user typed: the field stays editable anyway.
        if yes || k.name == KeyName::Esc {
            return super::merge::on_answer(state, true);
        }
        if no {
            return super::merge::on_answer(state, false);
        }
        return Vec::new();
    }
    if yes {
        state.overlay = None;
        match c {
            Confirm::LeaveForm => return leave(state),
            Confirm::QuitDirty => state.quit = true,
            Confirm::BothChanged => {}
        }
    } else if no {
        state.overlay = None;
    }
    Vec::new()
}

/// Overlay handling of an action; `None` lets the screen and global handlers have it.
pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let lang = state.lang;
    match state.overlay.as_mut()? {
        Overlay::Help(h) => match a {
            Action::Back | Action::Help | Action::BackOrQuit => {
                state.overlay = None;
                Some(Vec::new())
            }
            Action::Down => {
                h.scroll += 1;
                Some(Vec::new())
            }
            Action::Up => {
                h.scroll = h.scroll.saturating_sub(1);
                Some(Vec::new())
            }
            Action::PageDown => {
                h.scroll += 10;
                Some(Vec::new())
            }
            Action::PageUp => {
                h.scroll = h.scroll.saturating_sub(10);
                Some(Vec::new())
            }
            Action::ClearInput => {
                h.filter.clear();
                Some(Vec::new())
            }
            Action::Quit => None,
            _ => Some(Vec::new()),
        },
        Overlay::Palette(p) => match a {
            Action::Back | Action::Palette => {
                state.overlay = None;
                Some(Vec::new())
            }
            Action::Down | Action::Up => {
                let n = palette_items(state).len();
                if let Some(Overlay::Palette(p)) = state.overlay.as_mut() {
                    p.cursor.move_by(if a == Action::Down { 1 } else { -1 }, n);
                }
                Some(Vec::new())
            }
            Action::ClearInput => {
                p.input.clear();
                Some(Vec::new())
            }
            Action::Open => {
                let items = palette_items(state);
                let sel = match &state.overlay {
                    Some(Overlay::Palette(p)) => p.cursor.selected,
                    _ => 0,
                };
                state.overlay = None;
                match items.into_iter().nth(sel) {
                    Some(PaletteItem::Run(a)) => Some(run_action(state, a)),
                    Some(PaletteItem::SwitchUser(name)) => {
                        state.toast(format!("{} {name}…", tr(lang, "toast.switching")), false);
                        Some(vec![Effect::SwitchUser(name)])
                    }
                    None => Some(Vec::new()),
                }
            }
            Action::Quit => None,
            _ => Some(Vec::new()),
        },
        Overlay::Dialog(_) => dialog_action(state, a),
        Overlay::Confirm(_) => Some(Vec::new()),
    }
}

fn dialog_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let Some(Overlay::Dialog(d)) = state.overlay.as_mut() else {
        return None;
    };
    match super::fields::on_action(&mut d.fields, &mut d.focus, a) {
        Outcome::Handled { .. } => return Some(Vec::new()),
        Outcome::PastLast => return Some(super::detail::submit_dialog(state)),
        Outcome::NotMine => {}
    }
    match a {
        Action::Back => {
            state.overlay = None;
            Some(Vec::new())
        }
        Action::Save | Action::SaveEscalate | Action::Open => {
            Some(super::detail::submit_dialog(state))
        }
        Action::Quit => None,
        _ => Some(Vec::new()),
    }
}

pub(crate) fn dialog_type(state: &mut State, k: Key) -> Vec<Effect> {
    let Some(Overlay::Dialog(d)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    let mut fx = d
        .fields
        .get_mut(d.focus)
        .and_then(|f| super::fields::type_into(f, k))
        .unwrap_or_default();
    fx.extend(peek_target(d));
    fx
}

/// Looks up the ticket typed into a dialog's ticket field, once per id.
pub(crate) fn peek_target(d: &mut crate::tui::state::Dialog) -> Option<Effect> {
    let id = d.typed_ticket();
    if id == d.target.as_ref().map(|(t, _)| *t) {
        return None;
    }
    d.target = id.map(|t| (t, crate::tui::state::Peek::Looking));
    id.map(Effect::PeekTicket)
}

/// One entry of the command palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteItem {
    Run(Action),
    SwitchUser(String),
}

impl PaletteItem {
    pub fn label(&self, lang: Lang) -> String {
        match self {
            PaletteItem::Run(a) => {
                format!("{} — {}", tr(lang, &a.hint_key()), tr(lang, &a.desc_key()))
            }
            PaletteItem::SwitchUser(u) => format!("@{u} — {}", tr(lang, "palette.switch_user")),
        }
    }
}

/// Palette entries matching the typed filter (actions by name or label; `@name` for demo users).
pub fn palette_items(state: &State) -> Vec<PaletteItem> {
    let filter = match &state.overlay {
        Some(Overlay::Palette(p)) => p.input.text().to_string(),
        _ => String::new(),
    };
    let q = fold(filter.trim());
    let mut out = Vec::new();
    if let Some(name) = q.strip_prefix('@') {
        if state.can_switch_user {
            for u in &state.switch_targets {
                if fold(u).contains(name) {
                    out.push(PaletteItem::SwitchUser(u.clone()));
                }
            }
        }
        return out;
    }
    for a in Action::ALL {
        if palette_hidden(*a) || !palette_offers(state, *a) {
            continue;
        }
        let hay = fold(&format!(
            "{} {} {}",
            a.name(),
            tr(state.lang, &a.hint_key()),
            tr(state.lang, &a.desc_key())
        ));
        if q.split_whitespace().all(|w| hay.contains(w)) {
            out.push(PaletteItem::Run(*a));
        }
    }
    if state.can_switch_user && q.is_empty() {
        out.extend(
            state
                .switch_targets
                .iter()
                .map(|u| PaletteItem::SwitchUser(u.clone())),
        );
    }
    out
}

/// The palette offers what the user could do here and now: ticket actions
/// only on a ticket whose status and the user's role allow them, saving only
/// in a form, logging tickets only for those who log them.
fn palette_offers(state: &State, a: Action) -> bool {
    use crate::domain::Role;
    let role = state.user.as_ref().map(|u| u.role);
    let on_ticket = |a: Action| {
        state.screen == Screen::Detail
            && match (state.detail.as_ref().and_then(|d| d.detail.as_ref()), role) {
                (Some(d), Some(r)) => super::detail::offered_actions(&d.ticket, r).contains(&a),
                _ => false,
            }
    };
    match a {
        Action::Comment
        | Action::Start
        | Action::Wait
        | Action::Escalate
        | Action::Ack
        | Action::ReturnTicket
        | Action::Resolve
        | Action::CloseTicket
        | Action::Reopen
        | Action::CancelDuplicate
        | Action::Assign
        | Action::LinkDossier
        | Action::EditTicket => on_ticket(a),
        Action::Save => state.screen == Screen::Form,
        Action::NewTicket => matches!(role, Some(Role::Operator | Role::Supervisor)),
        Action::SwitchUser => state.can_switch_user,
        Action::DiscardNotification => {
            state.screen == Screen::Dashboard && !state.dead_letters.letters.is_empty()
        }
        _ => true,
    }
}

/// Movement keys make no sense as palette commands.
fn palette_hidden(a: Action) -> bool {
    matches!(
        a,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Open
            | Action::NextPane
            | Action::PrevPane
            | Action::ClearInput
            | Action::NextField
            | Action::PrevField
            | Action::ChoiceNext
            | Action::ChoicePrev
            | Action::Palette
    )
}

/// One row of the help overlay: context, keys, label, description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub context: Context,
    pub keys: String,
    pub label: String,
    pub desc: String,
}

/// The help overlay's rows, built from the live keymap and filtered.
pub fn help_rows(state: &State) -> Vec<HelpRow> {
    let filter = match &state.overlay {
        Some(Overlay::Help(h)) => fold(h.filter.text().trim()),
        _ => String::new(),
    };
    let mut rows: Vec<HelpRow> = Vec::new();
    for ctx in Context::ALL {
        for a in Action::ALL {
            let keys: Vec<String> = state
                .keymap
                .bindings()
                .into_iter()
                .filter(|(c, _, b)| *c == ctx && b == a)
                .map(|(_, k, _)| k)
                .collect();
            if keys.is_empty() {
                continue;
            }
            let row = HelpRow {
                context: ctx,
                keys: keys.join(" "),
                label: tr(state.lang, &a.hint_key()).to_string(),
                desc: tr(state.lang, &a.desc_key()).to_string(),
            };
            let hay = fold(&format!(
                "{} {} {} {} {}",
                ctx.name(),
                row.keys,
                row.label,
                row.desc,
                a.name()
            ));
            if filter.split_whitespace().all(|w| hay.contains(w)) {
                rows.push(row);
            }
        }
    }
    rows
}
