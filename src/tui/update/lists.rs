//! Queues, caller history, dashboard and welcome: list movement, sorting,
//! filtering, opening, and mouse clicks on list rows.

use super::overlay::edit;
use super::search::open_ticket;
use crate::api::TicketFilter;
use crate::domain::{Phone, Role, Status, Ticket};
use crate::text::fold;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::keymap::Key;
use crate::tui::state::{CallerRow, Drill, Focus, Prefill, QueueTab, Screen, SortKey, State};
use crate::tui::ui::layout;
use ratatui::layout::Rect;

/// The queue tabs a role works with.
pub fn queue_tabs(role: Option<Role>) -> Vec<QueueTab> {
    match role {
        Some(Role::Responder) => vec![QueueTab::MyWards, QueueTab::Overdue],
        _ => vec![QueueTab::Mine, QueueTab::AllOpen, QueueTab::Overdue],
    }
}

/// The tabs on the queue screen: the role's, and the dashboard drill-down once opened.
pub fn tabs_shown(state: &State) -> Vec<QueueTab> {
    let mut tabs = queue_tabs(state.role());
    if state.queues.drill.is_some() {
        tabs.push(QueueTab::Drill);
    }
    tabs
}

pub(crate) fn load_queue(state: &mut State) -> Vec<Effect> {
    let tabs = tabs_shown(state);
    let tab = match state.queues.tab {
        Some(t) if tabs.contains(&t) => t,
        _ => tabs[0],
    };
    state.queues.tab = Some(tab);
    state.queues.generation += 1;
    state.queues.loading = true;
    state.queues.next = None;
    vec![Effect::Queue {
        generation: state.queues.generation,
        tab,
        filter: queue_filter(state, tab),
        after: None,
    }]
}

/// Most tickets a queue holds; a longer one is cut there.
const QUEUE_MAX: usize = 20_000;

/// Whether the queue is shown in the order its pages come in (soonest due
/// first), so that loading the rest can wait until the cursor gets there.
fn shown_as_fetched(state: &State) -> bool {
    matches!(
        state.queues.tab,
        Some(QueueTab::AllOpen | QueueTab::Overdue)
    ) && state.queues.sort == SortKey::Due
        && !state.queues.reverse
}

/// Any other order is only right over the whole queue: load the rest now.
pub(crate) fn load_rest_if_sorted_otherwise(state: &mut State) -> Vec<Effect> {
    if shown_as_fetched(state) || state.queues.tickets.len() >= QUEUE_MAX {
        return Vec::new();
    }
    load_more(state)
}

/// The next page of the queue, when it has one and none is on its way.
fn load_more(state: &mut State) -> Vec<Effect> {
    let (Some(tab), Some(after)) = (state.queues.tab, state.queues.next.clone()) else {
        return Vec::new();
    };
    if state.queues.loading {
        return Vec::new();
    }
    state.queues.loading = true;
    vec![Effect::Queue {
        generation: state.queues.generation,
        tab,
        filter: queue_filter(state, tab),
        after: Some(after),
    }]
}

fn queue_filter(state: &State, tab: QueueTab) -> TicketFilter {
    let me = state.user.as_ref().map(|u| u.name.clone());
    let responder = state.role() == Some(Role::Responder);
    match tab {
        QueueTab::Mine => TicketFilter {
            assignee: me,
            open_only: true,
            ..Default::default()
        },
        // What waits on the ward team: escalated, or acknowledged and not yet
        // resolved (a ticket handed back is the operators' again).
        QueueTab::MyWards => TicketFilter {
            my_wards: true,
            open_only: true,
            statuses: vec![Status::Escalated, Status::Acknowledged],
            ..Default::default()
        },
        // The whole open backlog can exceed one page: fetch the soonest due,
        // which is what the default sort shows first.
        QueueTab::Drill => match state.queues.drill {
            Some(Drill::Status(s)) => TicketFilter {
                statuses: vec![s],
                open_only: true,
                by_due: true,
                ..Default::default()
            },
            Some(Drill::Ward(w)) => TicketFilter {
                ward: Some(w),
                open_only: true,
                overdue_only: true,
                by_due: true,
                ..Default::default()
            },
            Some(Drill::Fault(x)) => TicketFilter {
                fault: Some(x),
                by_due: true,
                ..Default::default()
            },
            None => TicketFilter {
                open_only: true,
                by_due: true,
                ..Default::default()
            },
        },
        QueueTab::AllOpen => TicketFilter {
            open_only: true,
            by_due: true,
            ..Default::default()
        },
        QueueTab::Overdue => TicketFilter {
            overdue_only: true,
            open_only: true,
            my_wards: responder,
            statuses: if responder {
                vec![Status::Escalated, Status::Acknowledged]
            } else {
                Vec::new()
            },
            by_due: true,
            ..Default::default()
        },
    }
}

/// Takes a page of the queue: appended to what is loaded (`more`) or in its
/// place, with each ticket's filter text made once.
pub(crate) fn take_page(state: &mut State, tickets: Vec<Ticket>, more: bool) {
    if !more {
        state.queues.tickets.clear();
        state.queues.filter_keys.clear();
    }
    state
        .queues
        .filter_keys
        .extend(tickets.iter().map(filter_key));
    state.queues.tickets.extend(tickets);
}

/// What the queue's typed filter looks in: id, subject, caller, ward, status
/// (in both languages, so switching language needs no rebuild) and assignee.
fn filter_key(t: &Ticket) -> String {
    use crate::tui::i18n::{status_label, Lang};
    fold(&format!(
        "{} {} {} {} {} {} {}",
        t.id,
        t.subject,
        t.caller.name,
        t.ward
            .map(crate::tui::refdata::ward_label)
            .unwrap_or_default(),
        status_label(Lang::Vi, t.status),
        status_label(Lang::En, t.status),
        t.assignee.as_deref().unwrap_or("")
    ))
}

/// Changes the queue's rows (a new order, a page more) with the cursor kept
/// on the ticket it was on.
pub(crate) fn keeping_the_cursor(state: &mut State, change: impl FnOnce(&mut State)) {
    let selected = visible_tickets(state)
        .get(state.queues.cursor.selected)
        .map(|t| t.id);
    change(state);
    let rows = visible_tickets(state);
    let n = rows.len();
    if let Some(i) = selected.and_then(|id| rows.iter().position(|t| t.id == id)) {
        state.queues.cursor.selected = i;
    }
    state.queues.cursor.clamp(n);
}

/// The queue's rows after the typed filter and the sort.
pub fn visible_tickets(state: &State) -> Vec<&Ticket> {
    let q = fold(state.queues.filter.text().trim());
    let mut v: Vec<&Ticket> = state
        .queues
        .tickets
        .iter()
        .zip(&state.queues.filter_keys)
        .filter(|(_, key)| q.split_whitespace().all(|w| key.contains(w)))
        .map(|(t, _)| t)
        .collect();
    match state.queues.sort {
        SortKey::Due => v.sort_by_key(|t| (t.due(), t.id)),
        SortKey::Age => v.sort_by_key(|t| (t.created_at, t.id)),
        SortKey::Priority => v.sort_by_key(|t| (t.priority, t.due(), t.id)),
        SortKey::Status => v.sort_by_key(|t| (t.status, t.due(), t.id)),
    }
    if state.queues.reverse {
        v.reverse();
    }
    v
}

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

fn list_len(state: &State) -> usize {
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

fn queues_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let tabs = tabs_shown(state);
    match a {
        Action::NextPane | Action::PrevPane => {
            if state.queues.filtering {
                state.queues.filtering = false;
                return Some(Vec::new());
            }
            let cur = state
                .queues
                .tab
                .and_then(|t| tabs.iter().position(|x| *x == t))
                .unwrap_or(0);
            let next = if a == Action::NextPane {
                (cur + 1) % tabs.len()
            } else {
                (cur + tabs.len() - 1) % tabs.len()
            };
            state.queues.tab = Some(tabs[next]);
            state.queues.cursor.selected = 0;
            take_page(state, Vec::new(), false);
            Some(load_queue(state))
        }
        Action::Sort | Action::SortReverse => {
            keeping_the_cursor(state, |s| {
                if a == Action::Sort {
                    s.queues.sort = s.queues.sort.next();
                } else {
                    s.queues.reverse = !s.queues.reverse;
                }
            });
            Some(load_rest_if_sorted_otherwise(state))
        }
        Action::Filter => {
            state.queues.filtering = true;
            Some(Vec::new())
        }
        Action::ClearInput => {
            state.queues.filter.clear();
            Some(Vec::new())
        }
        Action::Back if state.queues.filtering => {
            state.queues.filtering = false;
            Some(Vec::new())
        }
        Action::Open => {
            if state.queues.filtering {
                state.queues.filtering = false;
                return Some(Vec::new());
            }
            let id = visible_tickets(state)
                .get(state.queues.cursor.selected)
                .map(|t| t.id);
            Some(id.map(|id| open_ticket(state, id)).unwrap_or_default())
        }
        _ => None,
    }
}

fn caller_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
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
                    Some(super::dossier::open(state, &code))
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
            Some(super::open_form(state, prefill))
        }
        _ => None,
    }
}

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
