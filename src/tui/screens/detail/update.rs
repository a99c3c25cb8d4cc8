//! The ticket detail screen: scrolling the timeline and every action the
//! signed-in role may fire (others are not offered).

use crate::domain::transition::allowed_actions;
use crate::domain::{Change, Role, Status, Ticket};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::i18n::tr;
use crate::tui::state::{Dialog, FormState, Overlay, Prefill, Screen, State};

/// The ticket actions `role` may take on `t` now, in menu order.
pub fn offered_actions(t: &Ticket, role: Role) -> Vec<Action> {
    let lifecycle = allowed_actions(t.status, role);
    let works = matches!(role, Role::Operator | Role::Supervisor);
    let mut out = Vec::new();
    if role != Role::Admin {
        out.push(Action::Comment);
    }
    for a in [
        Action::Start,
        Action::Wait,
        Action::Escalate,
        Action::Ack,
        Action::ReturnTicket,
        Action::Resolve,
        Action::CloseTicket,
        Action::Reopen,
        Action::CancelDuplicate,
    ] {
        if a.lifecycle().is_some_and(|l| lifecycle.contains(&l)) {
            out.push(a);
        }
    }
    if works && t.status != Status::Cancelled {
        out.push(Action::Assign);
        out.push(Action::LinkDossier);
    }
    if works && t.is_open() {
        out.push(Action::EditTicket);
    }
    out
}

pub(crate) fn on_action(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    let lang = state.lang;
    let d = state.detail.as_mut()?;
    match a {
        Action::Down => {
            d.scroll += 1;
            return Some(Vec::new());
        }
        Action::Up => {
            d.scroll = d.scroll.saturating_sub(1);
            return Some(Vec::new());
        }
        Action::PageDown => {
            d.scroll += 10;
            return Some(Vec::new());
        }
        Action::PageUp => {
            d.scroll = d.scroll.saturating_sub(10);
            return Some(Vec::new());
        }
        Action::Top => {
            d.scroll = 0;
            return Some(Vec::new());
        }
        Action::Bottom => {
            d.scroll = d.detail.as_ref().map(|x| x.events.len()).unwrap_or(0);
            return Some(Vec::new());
        }
        // Enter on a cancelled duplicate opens the ticket it duplicates.
        Action::Open => {
            let target = d.detail.as_ref().and_then(|x| x.ticket.merged_into);
            return Some(match target {
                Some(id) => crate::tui::screens::search::update::open_ticket(state, id),
                None => Vec::new(),
            });
        }
        Action::CallerHistory => {
            let phone = d
                .detail
                .as_ref()
                .and_then(|x| x.ticket.caller.phone.as_ref())
                .map(|p| p.as_str().to_string());
            let Some(p) = phone else {
                state.toast(tr(lang, "toast.no_phone"), true);
                return Some(Vec::new());
            };
            state.caller.input.set(&p);
            return Some(crate::tui::update::navigate(state, Screen::Caller));
        }
        Action::NewTicket => {
            let prefill = d
                .detail
                .as_ref()
                .map(|x| Prefill {
                    phone: x
                        .ticket
                        .caller
                        .phone
                        .as_ref()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                    name: x.ticket.caller.name.clone(),
                    ward: x.ticket.ward,
                    ..Default::default()
                })
                .unwrap_or_default();
            return Some(crate::tui::update::open_form(state, prefill));
        }
        _ => {}
    }
    let is_ticket_action = a.lifecycle().is_some()
        || matches!(
            a,
            Action::Comment | Action::Assign | Action::LinkDossier | Action::EditTicket
        );
    if !is_ticket_action {
        return None;
    }
    let Some(detail) = d.detail.as_ref() else {
        return Some(Vec::new());
    };
    let t = detail.ticket.clone();
    let Some(role) = state.role() else {
        return Some(Vec::new());
    };
    if !offered_actions(&t, role).contains(&a) {
        state.toast(tr(lang, "toast.not_offered"), true);
        return Some(Vec::new());
    }
    if a == Action::EditTicket {
        state.form = Some(FormState::edit(&t));
        return Some(crate::tui::update::navigate(state, Screen::Form));
    }
    // Operators may only take tickets themselves: no picker needed.
    if a == Action::Assign && role == Role::Operator {
        let me = state.user.as_ref().map(|u| u.name.clone());
        let to = if t.assignee == me { None } else { me };
        return Some(vec![Effect::Apply {
            id: t.id,
            version: t.version,
            change: Change::Assign { to },
        }]);
    }
    let users = state
        .detail
        .as_ref()
        .map(|d| d.users.clone())
        .unwrap_or_default();
    match Dialog::for_action(a, &t, &users) {
        Some(dialog) => {
            state.overlay = Some(Overlay::Dialog(Box::new(dialog)));
            Some(Vec::new())
        }
        None => {
            let change = match a {
                Action::Start => Change::Start,
                Action::Ack => Change::Ack { note: None },
                Action::CloseTicket => Change::Close,
                _ => return Some(Vec::new()),
            };
            Some(vec![Effect::Apply {
                id: t.id,
                version: t.version,
                change,
            }])
        }
    }
}

/// Validates the open dialog and sends its change.
pub(crate) fn submit_dialog(state: &mut State) -> Vec<Effect> {
    let lang = state.lang;
    let Some(Overlay::Dialog(d)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    if d.busy {
        return Vec::new();
    }
    let asked = match d.letter {
        Some(id) => d
            .discard_reason()
            .map(|reason| Effect::DiscardNotification { id, reason }),
        None => d.change().map(|change| Effect::Apply {
            id: d.ticket,
            version: d.version,
            change,
        }),
    };
    match asked {
        Ok(effect) => {
            d.busy = true;
            d.error = None;
            vec![effect]
        }
        Err(problems) => {
            for (id, key) in &problems {
                let text = match (*key, d.typed_ticket()) {
                    ("dialog.target_missing", Some(t)) => {
                        crate::tui::i18n::trf(lang, key, &[&t.to_string()])
                    }
                    _ => tr(lang, key).to_string(),
                };
                if let Some(f) = d.fields.iter_mut().find(|f| f.id == *id) {
                    f.error = Some(text);
                }
            }
            if let Some(i) = d.fields.iter().position(|f| f.error.is_some()) {
                d.focus = i;
            }
            d.error = Some(tr(lang, "form.fix_errors").to_string());
            Vec::new()
        }
    }
}
