//! The queue screen: its tabs (and the dashboard's drill-down), loading page
//! by page, the typed filter, sorting, and its own keys.

use crate::api::TicketFilter;
use crate::domain::{Role, Status, Ticket};
use crate::text::fold;
use crate::tui::action::Action;
use crate::tui::effect::{Effect, QUEUE_FIRST_PAGE, QUEUE_PAGE};
use crate::tui::screens::search::update::open_ticket;
use crate::tui::state::{Drill, QueueTab, SortKey, State};

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
    // A reload (a live update) fetches what was loaded, so the cursor keeps its ticket.
    let limit = state
        .queues
        .tickets
        .len()
        .clamp(QUEUE_FIRST_PAGE, API_PAGE_MAX);
    vec![Effect::Queue {
        generation: state.queues.generation,
        tab,
        filter: queue_filter(state, tab),
        after: None,
        limit,
    }]
}

/// The largest page the API returns.
const API_PAGE_MAX: usize = 1000;

/// Most tickets a queue holds; a longer one is cut there.
const QUEUE_MAX: usize = 20_000;

/// Whether the queue is shown in the order its pages come in (soonest due
/// first), so that loading the rest can wait until the cursor gets there.
fn shown_as_fetched(state: &State) -> bool {
    matches!(
        state.queues.tab,
        Some(QueueTab::Mine | QueueTab::MyWards | QueueTab::AllOpen | QueueTab::Overdue)
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
pub(crate) fn load_more(state: &mut State) -> Vec<Effect> {
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
        limit: QUEUE_PAGE,
    }]
}

fn queue_filter(state: &State, tab: QueueTab) -> TicketFilter {
    let me = state.user.as_ref().map(|u| u.name.clone());
    let responder = state.role() == Some(Role::Responder);
    match tab {
        // Soonest due first, as shown: the first page is enough to open the tab.
        QueueTab::Mine => TicketFilter {
            assignee: me,
            open_only: true,
            by_due: true,
            ..Default::default()
        },
        // What waits on the ward team: escalated, or acknowledged and not yet
        // resolved (a ticket handed back is the operators' again).
        QueueTab::MyWards => TicketFilter {
            my_wards: true,
            open_only: true,
            statuses: vec![Status::Escalated, Status::Acknowledged],
            by_due: true,
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
            Some(Drill::TopLevel) => TicketFilter {
                level: Some(crate::domain::alarm::TOP_LEVEL),
                open_only: true,
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

pub(crate) fn queues_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
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
