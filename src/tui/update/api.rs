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
                        d.detail = Some(t);
                        d.error = None;
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
            match result {
                Ok(t) => {
                    form.dirty = false;
                    state.form = None;
                    state.toast(format!("{} {}", tr(lang, "toast.created"), t.id), false);
                    // The form is replaced by the new ticket's detail.
                    state.screen = state.history.pop().unwrap_or(Screen::Search);
                    return super::search::open_ticket(state, t.id);
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
                    super::lists::keeping_the_cursor(state, |s| {
                        super::lists::take_page(s, page.tickets, more);
                        s.queues.next = page.next;
                        s.queues.error = None;
                    });
                    return super::lists::load_rest_if_sorted_otherwise(state);
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
        ApiMsg::Switched(Err(e)) => state.toast(crate::text::clean_line(&e), true),
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
            if matches!(state.overlay, Some(Overlay::Dialog(_))) {
                state.overlay = None;
            }
            if from_form {
                if let Some(f) = state.form.as_mut() {
                    f.dirty = false;
                }
                state.form = None;
                super::leave(state);
            }
            state.toast(format!("{} {}", tr(lang, "toast.saved"), t.id), false);
            if state.detail.as_ref().is_some_and(|d| d.id == id) {
                return vec![Effect::LoadTicket(id)];
            }
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
