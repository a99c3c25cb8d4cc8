//! The search screen: every keystroke starts a search (the newest supersedes
//! older ones by generation), the selection drives the preview pane.

use crate::domain::{Phone, TicketId};
use crate::search::DocKind;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::keymap::Key;
use crate::tui::state::{DetailState, Focus, Prefill, Preview, Screen, State};
use crate::tui::update::overlay::edit;
use crate::tui::update::{navigate, open_form};

pub(crate) fn type_key(state: &mut State, k: Key) -> Vec<Effect> {
    if edit(&mut state.search.input, k, false) {
        rerun(state)
    } else {
        Vec::new()
    }
}

/// Starts a search for the current input (or clears the results).
pub(crate) fn rerun(state: &mut State) -> Vec<Effect> {
    let s = &mut state.search;
    s.generation += 1;
    s.error = None;
    let text = s.input.text().trim().to_string();
    if text.is_empty() {
        s.results = None;
        s.searching = false;
        s.preview = None;
        s.cursor.selected = 0;
        return Vec::new();
    }
    s.searching = true;
    vec![Effect::Search {
        generation: s.generation,
        text,
    }]
}

/// Asks for the preview of the selected hit, if it needs loading.
pub(crate) fn preview(state: &mut State) -> Vec<Effect> {
    let s = &mut state.search;
    let Some(hit) = s
        .results
        .as_ref()
        .and_then(|r| r.hits.get(s.cursor.selected))
    else {
        s.preview = None;
        return Vec::new();
    };
    if s.preview
        .as_ref()
        .is_some_and(|(k, key, _)| *k == hit.kind && *key == hit.key)
    {
        return Vec::new();
    }
    s.preview_generation += 1;
    let generation = s.preview_generation;
    let (kind, key) = (hit.kind, hit.key.clone());
    match kind {
        DocKind::Ticket => match key.parse::<TicketId>() {
            Ok(id) => {
                s.preview = Some((kind, key, Preview::Loading));
                vec![Effect::PreviewTicket { generation, id }]
            }
            Err(_) => {
                s.preview = Some((kind, key, Preview::Plain));
                Vec::new()
            }
        },
        DocKind::Dossier => {
            s.preview = Some((kind, key.clone(), Preview::Loading));
            vec![Effect::PreviewDossier {
                generation,
                code: key,
            }]
        }
        _ => {
            s.preview = Some((kind, key, Preview::Plain));
            Vec::new()
        }
    }
}

fn hits_len(state: &State) -> usize {
    state
        .search
        .results
        .as_ref()
        .map(|r| r.hits.len())
        .unwrap_or(0)
}

pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let n = hits_len(state);
    let page = state.size.1.saturating_sub(6).max(1) as isize;
    let moved = |state: &mut State, d: isize| {
        state.search.cursor.move_by(d, n);
        Some(preview(state))
    };
    match a {
        Action::Down => moved(state, 1),
        Action::Up => moved(state, -1),
        Action::PageDown => moved(state, page),
        Action::PageUp => moved(state, -page),
        Action::Top => moved(state, -(n as isize)),
        Action::Bottom => moved(state, n as isize),
        Action::NextPane | Action::PrevPane => {
            state.search.focus = match state.search.focus {
                Focus::Input => Focus::Results,
                Focus::Results => Focus::Input,
            };
            Some(Vec::new())
        }
        Action::Filter | Action::Search => {
            state.search.focus = Focus::Input;
            Some(Vec::new())
        }
        Action::ClearInput => {
            state.search.input.clear();
            Some(rerun(state))
        }
        Action::Back => {
            if state.search.focus == Focus::Results {
                // Esc never bounces back into typing; `/` or tab return to the input.
                if !state.history.is_empty() {
                    return None;
                }
            } else if !state.search.input.is_empty() {
                state.search.input.clear();
                return Some(rerun(state));
            } else if !state.history.is_empty() {
                return None;
            } else {
                // Leave the input so single-key commands (? : 2 q) work.
                state.search.focus = Focus::Results;
            }
            Some(Vec::new())
        }
        Action::Open => Some(open_selected(state)),
        Action::NewTicket => {
            let mut prefill = Prefill::default();
            if let Some(hit) = selected_hit(state) {
                if hit.kind == DocKind::Dossier {
                    // The applicant calls about their dossier: fill them in.
                    prefill = match &state.search.preview {
                        Some((_, key, Preview::Dossier(d))) if *key == hit.key => {
                            crate::tui::screens::dossier::update::prefill_from(d)
                        }
                        _ => Prefill {
                            dossier: Some(hit.key.clone()),
                            ..Default::default()
                        },
                    };
                }
            }
            if let Some(p) = typed_phone(state) {
                prefill.phone = p;
            }
            Some(open_form(state, prefill))
        }
        Action::CallerHistory => {
            let q = state.search.input.text().to_string();
            state.caller.input.set(&q);
            let mut fx = navigate(state, Screen::Caller);
            fx.extend(crate::tui::screens::caller::update::caller_query(state));
            Some(fx)
        }
        _ => None,
    }
}

fn selected_hit(state: &State) -> Option<&crate::search::Hit> {
    state
        .search
        .results
        .as_ref()
        .and_then(|r| r.hits.get(state.search.cursor.selected))
}

fn typed_phone(state: &State) -> Option<String> {
    Phone::parse(state.search.input.text())
        .ok()
        .map(|p| p.as_str().to_string())
}

/// Opens the selected hit: a ticket's detail, a dossier's own screen. With no
/// hits, a typed phone number opens that caller's history.
pub(crate) fn open_selected(state: &mut State) -> Vec<Effect> {
    let Some(hit) = selected_hit(state).cloned() else {
        if typed_phone(state).is_some() {
            let q = state.search.input.text().to_string();
            state.caller.input.set(&q);
            return navigate(state, Screen::Caller);
        }
        return Vec::new();
    };
    match hit.kind {
        DocKind::Ticket => match hit.key.parse::<TicketId>() {
            Ok(id) => open_ticket(state, id),
            Err(_) => Vec::new(),
        },
        DocKind::Dossier => crate::tui::screens::dossier::update::open(state, &hit.key),
        _ => Vec::new(),
    }
}

/// Opens a ticket's detail screen.
pub(crate) fn open_ticket(state: &mut State, id: TicketId) -> Vec<Effect> {
    state.detail = Some(DetailState::new(id));
    if state.screen == Screen::Detail {
        return crate::tui::update::load_screen(state);
    }
    navigate(state, Screen::Detail)
}
