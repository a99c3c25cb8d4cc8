//! The caller screen: the look-up as it is typed, and its own keys.

use crate::domain::Phone;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::keymap::Key;
use crate::tui::screens::search::update::open_ticket;
use crate::tui::state::{CallerRow, Focus, Prefill, State};
use crate::tui::update::overlay::edit;

pub(crate) fn caller_type(state: &mut State, k: Key) -> Vec<Effect> {
    if !edit(&mut state.caller.input, k, false) {
        return Vec::new();
    }
    // A complete phone number searches at once; names wait for enter.
    if Phone::parse(state.caller.input.text()).is_ok() {
        caller_query(state)
    } else {
        Vec::new()
    }
}

pub(crate) fn caller_query(state: &mut State) -> Vec<Effect> {
    let q = state.caller.input.text().trim().to_string();
    state.caller.generation += 1;
    if q.chars().count() < 2 {
        state.caller.history = None;
        state.caller.rows.clear();
        state.caller.loading = false;
        return Vec::new();
    }
    state.caller.loading = true;
    state.caller.error = None;
    vec![Effect::Caller {
        generation: state.caller.generation,
        query: q,
    }]
}

pub(crate) fn caller_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    match a {
        Action::NextPane | Action::PrevPane => {
            state.caller.focus = match state.caller.focus {
                Focus::Input => Focus::Results,
                Focus::Results => Focus::Input,
            };
            Some(Vec::new())
        }
        Action::Filter => {
            state.caller.focus = Focus::Input;
            Some(Vec::new())
        }
        Action::ClearInput => {
            state.caller.input.clear();
            Some(caller_query(state))
        }
        Action::Back if state.caller.focus == Focus::Results => {
            state.caller.focus = Focus::Input;
            Some(Vec::new())
        }
        Action::Open => {
            if state.caller.focus == Focus::Input {
                let fx = caller_query(state);
                return Some(fx);
            }
            match state.caller.rows.get(state.caller.cursor.selected) {
                Some(CallerRow::Ticket(t)) => {
                    let id = t.id;
                    Some(open_ticket(state, id))
                }
                Some(CallerRow::Dossier(d)) => {
                    let code = d.code.clone();
                    Some(crate::tui::screens::dossier::update::open(state, &code))
                }
                _ => Some(Vec::new()),
            }
        }
        Action::NewTicket => {
            let text = state.caller.input.text().trim().to_string();
            let mut prefill = Prefill::default();
            match Phone::parse(&text) {
                Ok(p) => prefill.phone = p.as_str().to_string(),
                Err(_) => prefill.name = text,
            }
            if let Some(name) = state.caller.rows.iter().find_map(|r| match r {
                CallerRow::Ticket(t) if !t.caller.name.is_empty() => Some(t.caller.name.clone()),
                CallerRow::Dossier(d) => Some(d.applicant_name.clone()),
                _ => None,
            }) {
                if prefill.name.is_empty() {
                    prefill.name = name;
                }
            }
            Some(crate::tui::update::open_form(state, prefill))
        }
        _ => None,
    }
}
