//! Moving over the lists of the queue and caller screens (and enter on the
//! welcome screen); each screen's own keys are in its module.

use super::caller::caller_action;
use super::queues::{load_more, queues_action, visible_tickets};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::{Screen, State};

pub(crate) fn list_len(state: &State) -> usize {
    match state.screen {
        Screen::Queues => visible_tickets(state).len(),
        Screen::Caller => state.caller.rows.len(),
        _ => 0,
    }
}

pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let n = list_len(state);
    let page = state.size.1.saturating_sub(8).max(1) as isize;
    let cursor = match state.screen {
        Screen::Queues => Some(&mut state.queues.cursor),
        Screen::Caller => Some(&mut state.caller.cursor),
        _ => None,
    };
    if let Some(c) = cursor {
        let d = match a {
            Action::Down => Some(1),
            Action::Up => Some(-1),
            Action::PageDown => Some(page),
            Action::PageUp => Some(-page),
            Action::Top => Some(-(n as isize)),
            Action::Bottom => Some(n as isize),
            _ => None,
        };
        if let Some(d) = d {
            c.move_by(d, n);
            let at_end = d > 0 && c.selected + 1 >= n;
            if at_end && state.screen == Screen::Queues {
                return Some(load_more(state));
            }
            return Some(Vec::new());
        }
    }
    match state.screen {
        Screen::Queues => queues_action(state, a),
        Screen::Caller => caller_action(state, a),
        Screen::Welcome => match a {
            Action::Open => Some(super::navigate(state, Screen::Search)),
            _ => None,
        },
        _ => None,
    }
}
