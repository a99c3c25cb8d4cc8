//! `update(&mut State, Msg) -> Vec<Effect>`: synchronous, no IO. Keys go
//! through the live keymap to an `Action`; API results land in the state.

mod api;
pub(crate) mod fields;
mod lists;
mod live;
mod merge;
mod mouse;
pub(crate) mod overlay;
// Each screen's update lives with the screen, in `screens/<screen>/update.rs`.
use crate::tui::screens::caller::update as caller;
use crate::tui::screens::dashboard::update as dashboard;
use crate::tui::screens::detail::update as detail;
use crate::tui::screens::dossier::update as dossier;
use crate::tui::screens::form::update as form;
use crate::tui::screens::queues::update as queues;
use crate::tui::screens::search::update as search;

use crate::domain::Role;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::i18n::tr;
use crate::tui::keymap::{Key, KeyName, Lookup};
use crate::tui::msg::Msg;
use crate::tui::state::{Confirm, Focus, Overlay, Prefill, Screen, State};

pub use dashboard::drill_rows;
pub use detail::offered_actions;
pub use overlay::{help_rows, palette_items, HelpRow, PaletteItem};
pub use queues::{queue_tabs, tabs_shown, visible_tickets};

/// Applies one message. Returns the effects to run.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let fx = dispatch(state, msg);
    live::forget_seen(state);
    fx
}

fn dispatch(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => on_key(state, k),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::Click(col, row) => mouse::on_click(state, col, row),
        Msg::Scroll(delta, _, _) => {
            let a = if delta > 0 { Action::Down } else { Action::Up };
            let mut fx = Vec::new();
            for _ in 0..delta.unsigned_abs().max(1) {
                fx.extend(on_action(state, a));
            }
            fx
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => {
            state.now = now;
            vec![Effect::Status]
        }
        Msg::Run(a) => on_action(state, a),
        Msg::Api(m) => api::on_api(state, *m),
        Msg::Live(u) => live::on_live(state, u),
        // Both are the terminal loop's to handle.
        Msg::Opened | Msg::InputEnded(_) => Vec::new(),
    }
}

/// The effects to run when the application starts.
pub fn init(state: &mut State) -> Vec<Effect> {
    let mut fx = vec![Effect::Whoami, Effect::Status, Effect::SlaPolicy];
    if state.can_switch_user {
        fx.push(Effect::Users);
    }
    fx
}

fn on_paste(state: &mut State, text: &str) -> Vec<Effect> {
    if !state.typing() {
        return Vec::new();
    }
    if state.screen == Screen::Form && state.overlay.is_none() {
        return form::paste(state, text);
    }
    if let Some(Overlay::Dialog(d)) = state.overlay.as_mut() {
        return d
            .fields
            .get_mut(d.focus)
            .map(|f| fields::paste_into(f, text).0)
            .unwrap_or_default();
    }
    let mut fx = Vec::new();
    for c in crate::text::strip_controls(text, true).chars() {
        // A newline in a one-line input would act; it is pasted as a space.
        let c = if c == '\n' { ' ' } else { c };
        fx.extend(type_key(state, Key::char(c)));
    }
    fx
}

fn input_is_multiline(state: &State) -> bool {
    state.screen == Screen::Form
        && state.overlay.is_none()
        && state
            .form
            .as_ref()
            .and_then(|f| f.focused())
            .is_some_and(|f| f.is_multiline())
}

fn on_key(state: &mut State, k: Key) -> Vec<Effect> {
    state.toast = None;
    if let Some(Overlay::Confirm(c)) = state.overlay {
        return overlay::on_confirm_key(state, c, k);
    }
    if state.pending.is_empty() && state.typing() {
        if let Some(fx) = edit_key(state, k) {
            return fx;
        }
    }
    state.pending.push(k);
    let contexts = state.contexts();
    match state.keymap.lookup(&contexts, &state.pending) {
        Lookup::Action(a) => {
            state.pending.clear();
            on_action(state, a)
        }
        Lookup::Prefix => Vec::new(),
        Lookup::None => {
            let was_sequence = state.pending.len() > 1;
            state.pending.clear();
            if was_sequence {
                on_key(state, k)
            } else {
                Vec::new()
            }
        }
    }
}

/// Keys a focused text field takes before the keymap sees them: printable
/// characters and line editing. Returns `None` to let the keymap have the key.
fn edit_key(state: &mut State, k: Key) -> Option<Vec<Effect>> {
    let editing = k.printable().is_some()
        || (!k.ctrl
            && !k.alt
            && matches!(
                k.name,
                KeyName::Backspace
                    | KeyName::Delete
                    | KeyName::Left
                    | KeyName::Right
                    | KeyName::Home
                    | KeyName::End
            ));
    let multiline_enter =
        k.name == KeyName::Enter && !k.ctrl && !k.alt && input_is_multiline(state);
    if editing || multiline_enter {
        Some(type_key(state, k))
    } else {
        None
    }
}

/// Sends one editing key to whichever input has focus.
fn type_key(state: &mut State, k: Key) -> Vec<Effect> {
    match &mut state.overlay {
        Some(Overlay::Help(h)) => {
            overlay::edit(&mut h.filter, k, false);
            h.scroll = 0;
            return Vec::new();
        }
        Some(Overlay::Palette(p)) => {
            overlay::edit(&mut p.input, k, false);
            p.cursor.selected = 0;
            return Vec::new();
        }
        Some(Overlay::Dialog(_)) => return overlay::dialog_type(state, k),
        _ => {}
    }
    match state.screen {
        Screen::Search => search::type_key(state, k),
        Screen::Caller => caller::caller_type(state, k),
        Screen::Queues => {
            overlay::edit(&mut state.queues.filter, k, false);
            state.queues.cursor.selected = 0;
            Vec::new()
        }
        Screen::Form => form::type_key(state, k),
        _ => Vec::new(),
    }
}

/// Runs one action in the current context.
pub fn on_action(state: &mut State, a: Action) -> Vec<Effect> {
    if state.overlay.is_some() {
        if let Some(fx) = overlay::on_action(state, a) {
            return fx;
        }
    }
    let handled = match state.screen {
        Screen::Search => search::on_action(state, a),
        Screen::Form => form::on_action(state, a),
        Screen::Detail => detail::on_action(state, a),
        Screen::Dashboard => dashboard::on_action(state, a),
        Screen::Dossier => dossier::on_action(state, a),
        Screen::Queues | Screen::Caller | Screen::Welcome => lists::on_action(state, a),
    };
    if let Some(fx) = handled {
        return fx;
    }
    global(state, a)
}

fn global(state: &mut State, a: Action) -> Vec<Effect> {
    match a {
        Action::Quit => {
            if state.form_dirty() {
                state.overlay = Some(Overlay::Confirm(Confirm::QuitDirty));
            } else {
                state.quit = true;
            }
            Vec::new()
        }
        Action::Back => back(state),
        Action::BackOrQuit => {
            if state.history.is_empty() {
                global(state, Action::Quit)
            } else {
                back(state)
            }
        }
        Action::Help => {
            state.overlay = Some(Overlay::Help(Default::default()));
            Vec::new()
        }
        Action::Palette => {
            state.overlay = Some(Overlay::Palette(Default::default()));
            Vec::new()
        }
        Action::SwitchUser => {
            if !state.can_switch_user {
                state.toast(tr(state.lang, "toast.demo_only"), true);
                return Vec::new();
            }
            let mut p = crate::tui::state::PaletteState::default();
            p.input.set("@");
            state.overlay = Some(Overlay::Palette(p));
            Vec::new()
        }
        Action::Search | Action::ViewSearch => {
            let fx = navigate(state, Screen::Search);
            state.search.focus = Focus::Input;
            fx
        }
        Action::ViewQueues => navigate(state, Screen::Queues),
        Action::ViewDashboard => navigate(state, Screen::Dashboard),
        Action::ViewCaller => {
            let fx = navigate(state, Screen::Caller);
            state.caller.focus = Focus::Input;
            fx
        }
        Action::NewTicket => open_form(state, Prefill::default()),
        Action::Refresh => {
            let mut fx = vec![Effect::Status];
            fx.extend(load_screen(state));
            fx
        }
        Action::Suspend => {
            state.suspend = true;
            Vec::new()
        }
        Action::ToggleLanguage => {
            state.lang = state.lang.other();
            Vec::new()
        }
        _ => {
            state.pending.clear();
            Vec::new()
        }
    }
}

/// Opens the ticket form (operators and supervisors log tickets).
pub(crate) fn open_form(state: &mut State, prefill: Prefill) -> Vec<Effect> {
    if !matches!(state.role(), Some(Role::Operator | Role::Supervisor)) {
        state.toast(tr(state.lang, "toast.cannot_create"), true);
        return Vec::new();
    }
    if state.form.as_ref().is_some_and(|f| f.dirty) && state.screen != Screen::Form {
        // Come back to the unsaved form rather than throwing it away.
        return navigate(state, Screen::Form);
    }
    let mut f = crate::tui::state::FormState::new_ticket(&prefill);
    let mut fx = Vec::new();
    for code in f
        .field(crate::tui::state::fields::FieldId::Dossiers)
        .map(|f| f.codes())
        .unwrap_or_default()
    {
        fx.push(Effect::CheckDossier(code));
    }
    f.dirty = false;
    state.form = Some(f);
    fx.extend(navigate(state, Screen::Form));
    fx
}

/// Goes to `screen`, remembering where we came from, and loads its data.
pub(crate) fn navigate(state: &mut State, screen: Screen) -> Vec<Effect> {
    state.overlay = None;
    if state.screen != screen {
        if state.screen != Screen::Welcome {
            state.history.retain(|s| *s != screen);
            state.history.push(state.screen);
        }
        state.screen = screen;
    }
    load_screen(state)
}

/// The data a screen shows, (re)loaded.
pub(crate) fn load_screen(state: &mut State) -> Vec<Effect> {
    match state.screen {
        Screen::Queues => queues::load_queue(state),
        Screen::Dashboard if state.role() == Some(crate::domain::Role::Supervisor) => {
            state.dashboard.loading = true;
            vec![Effect::Stats, Effect::DeadLetters]
        }
        Screen::Detail => match &mut state.detail {
            Some(d) => {
                d.loading = true;
                vec![Effect::LoadTicket(d.id), Effect::Users]
            }
            None => Vec::new(),
        },
        Screen::Search => search::rerun(state),
        Screen::Caller => caller::caller_query(state),
        Screen::Dossier => match &mut state.dossier {
            Some(d) => {
                d.loading = true;
                vec![Effect::LoadDossier(d.code.clone())]
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Back one screen; a changed form asks first.
pub(crate) fn back(state: &mut State) -> Vec<Effect> {
    if state.screen == Screen::Form && state.form_dirty() {
        state.overlay = Some(Overlay::Confirm(Confirm::LeaveForm));
        return Vec::new();
    }
    leave(state)
}

/// Leaves the current screen without asking.
pub(crate) fn leave(state: &mut State) -> Vec<Effect> {
    if state.screen == Screen::Form {
        state.form = None;
    }
    match state.history.pop() {
        Some(prev) => {
            state.screen = prev;
            if prev == Screen::Form && state.form.is_none() {
                return leave(state);
            }
            load_screen(state)
        }
        None => {
            if state.screen != Screen::Search {
                state.screen = Screen::Search;
            }
            Vec::new()
        }
    }
}
