//! Mouse clicks: the title bar's tabs, the detail screen's action chips, and
//! list rows (a click selects, a second click opens).

use super::lists::list_len;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::{Focus, Screen, State};
use crate::tui::ui::layout;
use ratatui::layout::Rect;

/// A left click: selects the row under the pointer; a click on the selected row opens it.
pub(crate) fn on_click(state: &mut State, col: u16, row: u16) -> Vec<Effect> {
    if !state.mouse || state.overlay.is_some() {
        return Vec::new();
    }
    // The title bar's tabs switch views, as their digit keys do.
    let (w, h) = state.size;
    if row == 0 && !layout::too_small(Rect::new(0, 0, w, h)) {
        let view = match crate::tui::ui::title_tab_at(state, col) {
            Some(Screen::Search) => Some(Action::ViewSearch),
            Some(Screen::Queues) => Some(Action::ViewQueues),
            Some(Screen::Dashboard) => Some(Action::ViewDashboard),
            Some(Screen::Caller) => Some(Action::ViewCaller),
            _ => None,
        };
        return view.map(|a| super::on_action(state, a)).unwrap_or_default();
    }
    // A chip of the detail screen's action bar fires its action, as its key does.
    if state.screen == Screen::Detail {
        return crate::tui::ui::screens::detail::action_at(state, col, row)
            .map(|a| super::on_action(state, a))
            .unwrap_or_default();
    }
    let Some((area, offset)) = layout::list_hit_area(state) else {
        return Vec::new();
    };
    if col < area.x || col >= area.x + area.width || row < area.y || row >= area.y + area.height {
        // A click on the search input focuses it.
        if state.screen == Screen::Search {
            state.search.focus = Focus::Input;
        }
        return Vec::new();
    }
    let idx = offset + (row - area.y) as usize;
    let n = match state.screen {
        Screen::Search => state
            .search
            .results
            .as_ref()
            .map(|r| r.hits.len())
            .unwrap_or(0),
        _ => list_len(state),
    };
    if idx >= n {
        return Vec::new();
    }
    let cursor = match state.screen {
        Screen::Search => &mut state.search.cursor,
        Screen::Queues => &mut state.queues.cursor,
        Screen::Caller => &mut state.caller.cursor,
        _ => return Vec::new(),
    };
    if cursor.selected == idx {
        super::on_action(state, Action::Open)
    } else {
        cursor.selected = idx;
        match state.screen {
            Screen::Search => {
                state.search.focus = Focus::Results;
                super::search::preview(state)
            }
            Screen::Caller => {
                state.caller.focus = Focus::Results;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
