//! Live updates landing in the state: the screen showing a changed ticket
//! reloads in place, a new escalation into the user's queue is marked (and
//! rings the bell), and the link state goes to the status bar.

use crate::api::live::LiveUpdate;
use crate::domain::{Role, Status, Ticket};
use crate::tui::effect::Effect;
use crate::tui::state::{Screen, State};

pub(crate) fn on_live(state: &mut State, update: LiveUpdate) -> Vec<Effect> {
    match update {
        LiveUpdate::Link { up } => {
            state.live.link_up = Some(up);
            Vec::new()
        }
        LiveUpdate::Reload { .. } => refresh(state, None),
        LiveUpdate::Ticket { ticket, .. } | LiveUpdate::TicketJson { ticket, .. } => {
            if newly_escalated_to_me(state, &ticket) {
                state.live.fresh.insert(ticket.id);
                state.live.ring_bell |= state.live.bell_enabled;
            }
            refresh(state, Some(&ticket))
        }
    }
}

/// The change that made `t` is its escalation into one of the signed-in
/// responder's wards.
fn newly_escalated_to_me(state: &State, t: &Ticket) -> bool {
    let Some(user) = state.user.as_ref().filter(|u| u.role == Role::Responder) else {
        return false;
    };
    let Some(e) = t.escalation.as_ref() else {
        return false;
    };
    t.status == Status::Escalated
        && user.wards.contains(&e.ward)
        && e.escalated_at == t.updated_at
        && e.escalated_by == t.updated_by
}

/// Reloads what is on screen if `changed` (or anything, for `None`) shows there.
/// Screens being typed into are left alone.
fn refresh(state: &mut State, changed: Option<&Ticket>) -> Vec<Effect> {
    if state.overlay.is_some() {
        return Vec::new();
    }
    match state.screen {
        Screen::Queues if !state.queues.filtering => super::load_screen(state),
        Screen::Dashboard => super::load_screen(state),
        Screen::Detail => match (&state.detail, changed) {
            (Some(d), Some(t)) if d.id == t.id => vec![Effect::LoadTicket(t.id)],
            (Some(_), None) => super::load_screen(state),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A marked ticket stops being new once its detail is on screen.
pub(crate) fn forget_seen(state: &mut State) {
    if state.screen == Screen::Detail {
        if let Some(d) = &state.detail {
            state.live.fresh.remove(&d.id);
        }
    }
}
