//! Where things go on screen. Shared by drawing and by mouse hit-testing so a
//! click always lands on the row that was drawn there.

use crate::tui::state::{Screen, State};
use ratatui::layout::{Constraint, Layout, Rect};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Title line, body, status bar.
pub fn frame(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The inside of a bordered block.
pub fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

/// Search: input box, results list, preview pane (right of the list when wide
/// enough, else below).
pub fn search(body: Rect) -> (Rect, Rect, Rect) {
    let [input, rest] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(body);
    let [list, preview] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(rest);
    (input, list, preview)
}

/// Queues: tab line, list (with a header row inside its border).
pub fn queues(body: Rect) -> (Rect, Rect) {
    let [tabs, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(body);
    (tabs, list)
}

/// Caller: input box and the list.
pub fn caller(body: Rect) -> (Rect, Rect) {
    let [input, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(body);
    (input, list)
}

/// The rows of the current screen's list and the index of the first one drawn.
pub fn list_hit_area(state: &State) -> Option<(Rect, usize)> {
    let area = Rect::new(0, 0, state.size.0, state.size.1);
    if too_small(area) {
        return None;
    }
    let [_, body, _] = frame(area);
    let (rows, selected) = match state.screen {
        Screen::Search => {
            let (_, list, _) = search(body);
            (inner(list), state.search.cursor.selected)
        }
        Screen::Queues => {
            let (_, list) = queues(body);
            let mut r = inner(list);
            r.y += 1;
            r.height = r.height.saturating_sub(1);
            (r, state.queues.cursor.selected)
        }
        Screen::Caller => {
            let (_, list) = caller(body);
            let mut r = inner(list);
            r.y += 1;
            r.height = r.height.saturating_sub(1);
            (r, state.caller.cursor.selected)
        }
        _ => return None,
    };
    Some((rows, list_offset(selected, rows.height as usize)))
}

/// First row drawn so `selected` is visible in `height` rows.
pub fn list_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}

/// A centred box of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
