//! The dossier screen: moving over the tickets that link it, opening one,
//! and starting a new ticket linked to it with the applicant filled in.

use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::{DossierState, Prefill, Screen, State};

/// Shows dossier `code` on its own screen.
pub(crate) fn open(state: &mut State, code: &str) -> Vec<Effect> {
    state.dossier = Some(DossierState::new(code));
    if state.screen == Screen::Dossier {
        return crate::tui::update::load_screen(state);
    }
    crate::tui::update::navigate(state, Screen::Dossier)
}

pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let d = state.dossier.as_mut()?;
    let n = d.tickets.len();
    match a {
        Action::Down => d.cursor.move_by(1, n),
        Action::Up => d.cursor.move_by(-1, n),
        Action::Top => d.cursor.move_by(-(n as isize), n),
        Action::Bottom => d.cursor.move_by(n as isize, n),
        Action::Open => {
            let id = d.tickets.get(d.cursor.selected).map(|t| t.id)?;
            return Some(crate::tui::screens::search::update::open_ticket(state, id));
        }
        Action::NewTicket => {
            let prefill = d
                .dossier
                .as_ref()
                .map(prefill_from)
                .unwrap_or_else(|| Prefill {
                    dossier: Some(d.code.clone()),
                    ..Default::default()
                });
            return Some(crate::tui::update::open_form(state, prefill));
        }
        Action::CallerHistory => {
            let phone = d
                .dossier
                .as_ref()
                .and_then(|x| x.applicant_phone.as_ref())
                .map(|p| p.as_str().to_string())?;
            state.caller.input.set(&phone);
            return Some(crate::tui::update::navigate(state, Screen::Caller));
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// A new ticket about `d`: linked to it, its applicant as the caller, its ward.
pub fn prefill_from(d: &crate::domain::Dossier) -> Prefill {
    Prefill {
        phone: d
            .applicant_phone
            .as_ref()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        name: d.applicant_name.clone(),
        dossier: Some(d.code.clone()),
        ward: Some(d.ward),
        dossier_ward: Some(d.ward),
    }
}
