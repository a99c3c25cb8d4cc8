//! API results landing in the state. Stale results (an older generation than
//! the one on screen) are dropped.

use super::form::show_errors;
use crate::api::ApiError;
use crate::tui::effect::Effect;
use crate::tui::i18n::tr;
use crate::tui::msg::ApiMsg;
use crate::tui::state::{CallerRow, Overlay, Preview, Screen, State};

fn err_text(lang: crate::tui::i18n::Lang, e: &ApiError) -> String {
    crate::tui::i18n::messages::api_error(lang, e)
}

pub(crate) fn on_api(state: &mut State, m: ApiMsg) -> Vec<Effect> {
    let lang = state.lang;
    match m {
        ApiMsg::Whoami(Ok(u)) => {
            state.user = Some(u);
            // Screens whose data depends on who is signed in.
            if matches!(state.screen, Screen::Queues | Screen::Dashboard) {
                return super::load_screen(state);
            }
        }
        ApiMsg::Whoami(Err(e)) => state.toast(err_text(lang, &e), true),
        ApiMsg::Status(Ok(s)) => {
            let empty = s.tickets == 0 && s.dossiers == 0;
            let was_unknown = state.backend.is_none();
            state.backend = Some(s);
            if empty && was_unknown && state.screen == Screen::Search && state.history.is_empty() {
                state.screen = Screen::Welcome;
            }
            // While the index builds, re-run the query so results appear when it is ready.
            if state.screen == Screen::Search
                && state
                    .search
                    .results
                    .as_ref()
                    .is_some_and(|r| !r.index_ready)
            {
                return super::search::rerun(state);
            }
        }
        ApiMsg::Status(Err(_)) => {}
        ApiMsg::Search { generation, result } => {
            if generation != state.search.generation {
                return Vec::new();
            }
            state.search.searching = false;
            match result {
                Ok(r) => {
                    state.search.shown_generation = generation;
                    state.search.results = Some(r);
                    state.search.cursor.selected = 0;
                    state.search.preview = None;
                    return super::search::preview(state);
                }
                Err(e) => state.search.error = Some(err_text(lang, &e)),
            }
        }
        ApiMsg::PreviewTicket { generation, result } => {
            if generation != state.search.preview_generation {
                return Vec::new();
            }
            if let Some((_, _, p)) = state.search.preview.as_mut() {
                *p = match result {
                    Ok(d) => Preview::Ticket(Box::new(d)),
                    Err(e) => Preview::Error(err_text(lang, &e)),
                };
            }
        }
        ApiMsg::PreviewDossier { generation, result } => {
            if generation != state.search.preview_generation {
                return Vec::new();
            }
            if let Some((_, _, p)) = state.search.preview.as_mut() {
                *p = match result {
                    Ok(Some(d)) => Preview::Dossier(Box::new(d)),
                    Ok(None) => Preview::Error(tr(lang, "preview.gone").into()),
                    Err(e) => Preview::Error(err_text(lang, &e)),
                };
            }
        }
        ApiMsg::Ticket { id, result } => {
            if let Some(d) = state.detail.as_mut().filter(|d| d.id == id) {
                d.loading = false;
                match result {
                    Ok(t) => {
                        let duplicate = t.ticket.merged_into;
                        d.detail = Some(t);
                        d.error = None;
                        d.duplicate_subject = None;
                        if let Some(other) = duplicate {
                            if !d.escalate_on_load {
                                return vec![Effect::PeekTicket(other)];
                            }
                        }
                        if std::mem::take(&mut d.escalate_on_load) {
                            return super::detail::on_action(
                                state,
                                crate::tui::action::Action::Escalate,
                            )
                            .unwrap_or_default();
                        }
                    }
                    Err(e) => d.error = Some(err_text(lang, &e)),
                }
            }
        }
        ApiMsg::Created(result) => {
            let Some(form) = state.form.as_mut() else {
                return Vec::new();
            };
            form.saving = false;
            let escalate = form.escalate_after_save;
            match result {
                Ok(t) => {
                    form.dirty = false;
                    state.form = None;
                    state.toast(format!("{} {}", tr(lang, "toast.created"), t.id), false);
                    // The form is replaced by the new ticket's detail.
                    state.screen = state.history.pop().unwrap_or(Screen::Search);
                    let mut fx = super::search::open_ticket(state, t.id);
                    if let Some(d) = state.detail.as_mut() {
                        d.escalate_on_load = escalate;
                    }
                    // The status bar's counts include the new ticket.
                    fx.push(Effect::Status);
                    return fx;
                }
                Err(ApiError::Invalid { errors }) => show_errors(state, &errors),
                Err(e @ ApiError::Queued { .. }) => {
                    // Kept in the outbox: the form's work is safe, and done here.
                    form.dirty = false;
                    state.form = None;
                    state.toast(err_text(lang, &e), false);
                    state.screen = state.history.pop().unwrap_or(Screen::Search);
                    state.queued_writes(1);
                }
                Err(e) => form.error = Some(err_text(lang, &e)),
            }
        }
        ApiMsg::Applied { id, result } => {
            return applied(state, id, result);
        }
        ApiMsg::Queue {
            generation,
            tab,
            more,
            result,
        } => {
            if generation != state.queues.generation || Some(tab) != state.queues.tab {
                return Vec::new();
            }
            state.queues.loading = false;
            match result {
                Ok(page) => {
                    super::queues::keeping_the_cursor(state, |s| {
                        super::queues::take_page(s, page.tickets, more);
                        s.queues.next = page.next;
                        s.queues.error = None;
                    });
                    return super::queues::load_rest_if_sorted_otherwise(state);
                }
                Err(e) => state.queues.error = Some(err_text(lang, &e)),
            }
        }
        ApiMsg::Stats(result) => {
            state.dashboard.loading = false;
            match result {
                Ok(s) => {
                    state.dashboard.stats = Some(s);
                    state.dashboard.error = None;
                }
                Err(e) => state.dashboard.error = Some(err_text(lang, &e)),
            }
        }
        ApiMsg::Caller { generation, result } => {
            if generation != state.caller.generation {
                return Vec::new();
            }
            state.caller.loading = false;
            match result {
                Ok(h) => {
                    let mut rows: Vec<(crate::domain::Ts, CallerRow)> = h
                        .tickets
                        .iter()
                        .map(|t| (t.created_at, CallerRow::Ticket(Box::new(t.clone()))))
                        .chain(
                            h.dossiers
                                .iter()
                                .map(|d| (d.received_at, CallerRow::Dossier(Box::new(d.clone())))),
                        )
                        .collect();
                    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
                    // A look-up by name may find several people: group by phone
                    // number (the screen heads each group), newest first within.
                    if crate::domain::Phone::parse(state.caller.input.text()).is_err() {
                        rows.sort_by_cached_key(|(_, r)| r.masked_phone());
                    }
                    state.caller.rows = rows.into_iter().map(|(_, r)| r).collect();
                    state.caller.history = Some(h);
                    state.caller.cursor.selected = 0;
                    state.caller.error = None;
                }
                Err(e) => {
                    state.caller.rows.clear();
                    state.caller.history = None;
                    state.caller.error = Some(err_text(lang, &e));
                }
            }
        }
        ApiMsg::DossierCheck { code, known } => {
            let now = state.now;
            if let Some(Overlay::Dialog(d)) = state.overlay.as_mut() {
                for f in &mut d.fields {
                    if f.record_check(&code, known) {
                        f.error = Some(tr(lang, "form.unknown_dossier").to_string());
                    }
                }
            }
            if let Some(form) = state.form.as_mut() {
                for f in &mut form.fields {
                    f.record_check(&code, known);
                }
                // Validation words the form's unknown codes.
                form.validate(now, lang);
            }
        }
        ApiMsg::Dossier {
            code,
            dossier,
            tickets,
        } => {
            if let Some(d) = state.dossier.as_mut().filter(|d| d.code == code) {
                d.loading = false;
                match (dossier, tickets) {
                    (Ok(Some(x)), Ok(t)) => {
                        d.dossier = Some(x);
                        d.tickets = t;
                        d.error = None;
                    }
                    (Ok(None), _) => d.error = Some(tr(lang, "preview.gone").into()),
                    (Err(e), _) | (_, Err(e)) => d.error = Some(err_text(lang, &e)),
                }
            }
        }
        ApiMsg::Peeked { id, subject } => {
            if let Some(d) = state.detail.as_mut() {
                if d.detail.as_ref().and_then(|x| x.ticket.merged_into) == Some(id) {
                    d.duplicate_subject = Some(subject.clone().map_err(|e| err_text(lang, &e)));
                }
            }
            if let Some(Overlay::Dialog(d)) = state.overlay.as_mut() {
                if let Some((t, peek)) = d.target.as_mut().filter(|(t, _)| *t == id) {
                    *peek = match subject {
                        Ok(s) => crate::tui::state::Peek::Found(s),
                        Err(_) => crate::tui::state::Peek::Missing,
                    };
                    let missing = *peek == crate::tui::state::Peek::Missing;
                    let text =
                        crate::tui::i18n::trf(lang, "dialog.target_missing", &[&t.to_string()]);
                    if let Some(f) = d
                        .fields
                        .iter_mut()
                        .find(|f| f.id == crate::tui::state::fields::FieldId::Ticket)
                    {
                        f.error = missing.then_some(text);
                    }
                }
            }
        }
        ApiMsg::Users(Ok(users)) => {
            state.switch_targets = users
                .iter()
                .filter(|u| u.works_tickets())
                .map(|u| u.name.clone())
                .collect();
            if let Some(d) = state.detail.as_mut() {
                d.users = users;
            }
        }
        ApiMsg::Users(Err(_)) => {}
        // Clocks are drawn under the backend's policy from now on; without
        // it (an older hub), under this machine's.
        ApiMsg::SlaPolicy(Ok(p)) => match p.policy() {
            Ok(policy) => state.policy = std::sync::Arc::new(policy),
            Err(e) => tracing::warn!("the backend's SLA policy could not be read: {e}"),
        },
        ApiMsg::SlaPolicy(Err(e)) => {
            tracing::warn!("the backend's SLA policy was not fetched: {e}");
        }
        ApiMsg::Switched(Ok(user)) => {
            state.toast(
                format!("{} {}", tr(lang, "toast.signed_in_as"), user.name),
                false,
            );
            state.user = Some(user);
            state.form = None;
            state.detail = None;
            state.history.clear();
            state.search = Default::default();
            state.queues = Default::default();
            state.caller = Default::default();
            state.dashboard = Default::default();
            state.screen = Screen::Queues;
            return super::load_screen(state);
        }
        ApiMsg::Switched(Err(e)) => state.toast(
            crate::text::clean_line(&crate::tui::i18n::messages::message(lang, &e)),
            true,
        ),
        ApiMsg::DeadLetters(result) => super::dashboard::take_dead_letters(state, result),
        ApiMsg::NotificationRetried { id, result } => {
            match result {
                Ok(()) => state.toast(
                    crate::tui::i18n::trf(lang, "dash.dead_retried", &[&id.to_string()]),
                    false,
                ),
                Err(e) => state.toast(err_text(lang, &e), true),
            }
            return vec![Effect::DeadLetters];
        }
        ApiMsg::NotificationDiscarded { id, result } => {
            match result {
                Ok(()) => {
                    if matches!(&state.overlay, Some(Overlay::Dialog(d)) if d.letter == Some(id)) {
                        state.overlay = None;
                    }
                    state.toast(
                        crate::tui::i18n::trf(lang, "dash.dead_discarded", &[&id.to_string()]),
                        false,
                    );
                }
                Err(e) => {
                    let text = err_text(lang, &e);
                    match state.overlay.as_mut() {
                        Some(Overlay::Dialog(d)) if d.letter == Some(id) => {
                            d.busy = false;
                            d.error = Some(text);
                        }
                        _ => state.toast(text, true),
                    }
                }
            }
            return vec![Effect::DeadLetters];
        }
    }
    Vec::new()
}

fn applied(
    state: &mut State,
    id: crate::domain::TicketId,
    result: Result<crate::domain::Ticket, ApiError>,
) -> Vec<Effect> {
    let lang = state.lang;
    let from_form = state.screen == Screen::Form;
    match result {
        Ok(t) => {
            let done = match &state.overlay {
                Some(Overlay::Dialog(d)) => Some(d.action),
                _ => None,
            };
            if done.is_some() {
                state.overlay = None;
            }
            if from_form {
                if let Some(f) = state.form.as_mut() {
                    f.dirty = false;
                }
                state.form = None;
                super::leave(state);
            }
            state.toast(done_text(lang, done, &t), false);
            let mut fx = vec![Effect::Status];
            if state.detail.as_ref().is_some_and(|d| d.id == id) {
                fx.push(Effect::LoadTicket(id));
            }
            return fx;
        }
        Err(e @ ApiError::Queued { .. }) => {
            // A comment kept in the outbox: the dialog's work is safe.
            if matches!(state.overlay, Some(Overlay::Dialog(_))) {
                state.overlay = None;
            }
            state.toast(err_text(lang, &e), false);
            state.queued_writes(1);
        }
        Err(e) => {
            let text = match &e {
                ApiError::Conflict { current } => {
                    format!(
                        "{} ({} {})",
                        tr(lang, "toast.conflict"),
                        tr(lang, "toast.changed_by"),
                        current.updated_by
                    )
                }
                other => err_text(lang, other),
            };
            if let Some(Overlay::Dialog(d)) = state.overlay.as_mut() {
                d.busy = false;
                if let ApiError::Conflict { current } = &e {
                    // The dialog's text stays; the next submit uses the fresh version.
                    d.version = current.version;
                }
                d.error = Some(text.clone());
            } else if from_form {
                if let Some(f) = state.form.as_mut() {
                    f.saving = false;
                }
                match &e {
                    ApiError::Invalid { errors } => show_errors(state, errors),
                    // Rebased on the newer version, not merely replaced by it:
                    // the form keeps the other person's changes too.
                    ApiError::Conflict { current } => super::merge::on_conflict(state, current),
                    _ => {
                        if let Some(f) = state.form.as_mut() {
                            f.error = Some(text.clone());
                        }
                    }
                }
            } else {
                state.toast(text, true);
            }
            if state.detail.as_ref().is_some_and(|d| d.id == id) {
                return vec![Effect::LoadTicket(id)];
            }
        }
    }
    Vec::new()
}

/// What the status bar says after a change went through: where an escalation
/// went, otherwise that the ticket was saved.
fn done_text(
    lang: crate::tui::i18n::Lang,
    action: Option<crate::tui::action::Action>,
    t: &crate::domain::Ticket,
) -> String {
    match (action, &t.escalation) {
        (Some(crate::tui::action::Action::Escalate), Some(e)) => format!(
            "{} {}",
            tr(lang, "toast.escalated_to"),
            crate::tui::refdata::ward_label(e.ward)
        ),
        _ => format!("{} {}", tr(lang, "toast.saved"), t.id),
    }
}
