//! The supervisor dashboard: moving over its rows and opening the tickets
//! behind a status, ward or fault-type row as a queue; after those rows come
//! the notifications that gave up, where Enter sends one again.

use crate::api::Stats;
use crate::domain::FaultType;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::{Drill, QueueTab, Screen, State};

/// The rows that open a queue, in the order the cursor goes through them:
/// open by status (and at the city centre), overdue by ward (the ten shown), breaches by fault type.
pub fn drill_rows(s: &Stats) -> Vec<Drill> {
    s.open_by_status
        .iter()
        .map(|(st, _)| Drill::Status(*st))
        // Raised to the city centre: shown under the statuses when there are any.
        .chain((s.open_top_level > 0).then_some(Drill::TopLevel))
        .chain(
            s.overdue_by_ward
                .iter()
                .take(10)
                .map(|(w, _)| Drill::Ward(*w)),
        )
        .chain(
            s.breaches_by_fault
                .iter()
                .filter_map(|(f, _)| FaultType::from_slug(f).map(Drill::Fault)),
        )
        .collect()
}

pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let rows = state
        .dashboard
        .stats
        .as_ref()
        .map(drill_rows)
        .unwrap_or_default();
    let dead = state.dead_letters.letters.len();
    let n = rows.len() + dead;
    let cursor = &mut state.dashboard.cursor;
    match a {
        Action::Down | Action::NextPane if n > 0 => *cursor = (*cursor + 1).min(n - 1),
        Action::Up | Action::PrevPane => *cursor = cursor.saturating_sub(1),
        Action::Top => *cursor = 0,
        Action::Bottom => *cursor = n.saturating_sub(1),
        Action::DiscardNotification => {
            if let Some(letter) = cursor
                .checked_sub(rows.len())
                .and_then(|i| state.dead_letters.letters.get(i))
            {
                let ticket = letter.ticket.parse().unwrap_or(crate::domain::TicketId(0));
                state.overlay = Some(crate::tui::state::Overlay::Dialog(Box::new(
                    crate::tui::state::Dialog::discard(letter.id, ticket),
                )));
            }
        }
        Action::Open => {
            if let Some(letter) = cursor
                .checked_sub(rows.len())
                .and_then(|i| state.dead_letters.letters.get(i))
            {
                return Some(vec![Effect::RetryNotification(letter.id)]);
            }
            let Some(drill) = rows.get(*cursor).copied() else {
                return Some(Vec::new());
            };
            state.queues.drill = Some(drill);
            state.queues.tab = Some(QueueTab::Drill);
            state.queues.cursor.selected = 0;
            crate::tui::screens::queues::update::take_page(state, Vec::new(), false);
            return Some(crate::tui::update::navigate(state, Screen::Queues));
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// The dead letters arrived; the cursor stays within the rows there are.
pub(crate) fn take_dead_letters(
    state: &mut State,
    result: Result<Vec<crate::notify::DeadLetter>, crate::api::ApiError>,
) {
    match result {
        Ok(letters) => state.dead_letters.letters = letters,
        // An older hub without the route, or none to show: the panel stays away.
        Err(e) => {
            tracing::info!("dead letters not loaded: {e}");
            state.dead_letters.letters.clear();
        }
    }
    let rows = state
        .dashboard
        .stats
        .as_ref()
        .map(drill_rows)
        .unwrap_or_default()
        .len();
    let n = rows + state.dead_letters.letters.len();
    state.dashboard.cursor = state.dashboard.cursor.min(n.saturating_sub(1));
}
