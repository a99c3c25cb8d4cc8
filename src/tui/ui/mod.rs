//! Drawing: a pure function of the state.

pub mod fields;
pub mod layout;
pub mod overlays;
pub mod screens;
pub mod theme;
pub mod widgets;

use crate::tui::action::Action;
use crate::tui::i18n::{tr, trf};
use crate::tui::keymap::Context;
use crate::tui::state::{Overlay, Screen, State};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use theme::Theme;
use widgets::{clean, fit};

pub fn draw(f: &mut Frame, state: &State) {
    let area = f.area();
    let theme = Theme::new(state.color);
    if layout::too_small(area) {
        let text = vec![
            Line::styled(tr(state.lang, "too_small.title"), theme.error()),
            Line::raw(format!(
                "{} {}×{} → {}×{}",
                tr(state.lang, "too_small.body"),
                area.width,
                area.height,
                layout::MIN_WIDTH,
                layout::MIN_HEIGHT
            )),
        ];
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [title, body, status] = layout::frame(area);
    draw_title(f, title, state, &theme);
    match state.screen {
        Screen::Welcome => screens::welcome::draw(f, body, state, &theme),
        Screen::Search => screens::search::draw(f, body, state, &theme),
        Screen::Queues => screens::queues::draw(f, body, state, &theme),
        Screen::Dashboard => screens::dashboard::draw(f, body, state, &theme),
        Screen::Caller => screens::caller::draw(f, body, state, &theme),
        Screen::Form => screens::form::draw(f, body, state, &theme),
        Screen::Detail => screens::detail::draw(f, body, state, &theme),
        Screen::Dossier => screens::dossier::draw(f, body, state, &theme),
    }
    draw_status(f, status, state, &theme);
    match &state.overlay {
        Some(Overlay::Help(h)) => overlays::help(f, body, state, h, &theme),
        Some(Overlay::Palette(p)) => overlays::palette(f, body, state, p, &theme),
        Some(Overlay::Dialog(d)) => overlays::dialog(f, body, state, d, &theme),
        Some(Overlay::Confirm(c)) => overlays::confirm(f, body, state, *c, &theme),
        None => {}
    }
}

/// The title bar's view tabs: each screen with its label, left to right.
fn title_tabs(state: &State) -> Vec<(Screen, String)> {
    [
        ("1", Screen::Search),
        ("2", Screen::Queues),
        ("3", Screen::Dashboard),
        ("4", Screen::Caller),
    ]
    .into_iter()
    .map(|(key, screen)| {
        (
            screen,
            format!(" {key} {} ", tr(state.lang, screen.label_key())),
        )
    })
    .collect()
}

const TITLE: &str = " 1022 hotline ";

/// The screen whose tab is drawn at column `col` of the title bar, if any.
pub fn title_tab_at(state: &State, col: u16) -> Option<Screen> {
    let mut x = Span::raw(TITLE).width();
    for (screen, label) in title_tabs(state) {
        let w = Span::raw(label.as_str()).width();
        if (x..x + w).contains(&(col as usize)) {
            return Some(screen);
        }
        x += w;
    }
    None
}

fn draw_title(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let mut spans = vec![Span::styled(TITLE, theme.title())];
    for (screen, label) in title_tabs(state) {
        let style = if state.screen == screen {
            theme.selected()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(label, style));
    }
    if matches!(
        state.screen,
        Screen::Form | Screen::Detail | Screen::Dossier | Screen::Welcome
    ) {
        spans.push(Span::styled(
            format!(" › {} ", tr(lang, state.screen.label_key())),
            theme.selected(),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The key to show for `action` in `ctx` from the live keymap: the first
/// binding that works right now (while a field takes typing, a printable key
/// would be typed, not obeyed). `None` when no such key is bound.
pub fn live_key(state: &State, ctx: Context, action: Action) -> Option<String> {
    state
        .keymap
        .keys_for_input(ctx, action, state.typing())
        .into_iter()
        .next()
}

/// A catalog template (`{0}`, `{1}` …) filled with the live keys of `actions`.
/// The line under a form or dialog: "saving…" while it saves, else its
/// error, else its keys (`template` filled with the keys of `actions`).
pub fn form_status_line(
    state: &State,
    theme: &Theme,
    busy: bool,
    error: Option<&str>,
    template: &str,
    actions: &[Action],
) -> Line<'static> {
    if busy {
        Line::styled(tr(state.lang, "form.saving"), theme.dim())
    } else if let Some(e) = error {
        Line::styled(clean(e), theme.error())
    } else {
        Line::styled(
            keys_line(state, Context::Form, template, actions),
            theme.dim(),
        )
    }
}

pub fn keys_line(state: &State, ctx: Context, template: &str, actions: &[Action]) -> String {
    let keys: Vec<String> = actions
        .iter()
        .map(|a| live_key(state, ctx, *a).unwrap_or_else(|| "—".into()))
        .collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    crate::tui::i18n::trf(state.lang, template, &refs)
}

/// The actions the hint bar offers in a context, in order.
fn hint_actions(state: &State) -> Vec<(Context, Action)> {
    use Action::*;
    let ctx = state.context();
    let list: &[Action] = match &state.overlay {
        Some(Overlay::Help(_)) => &[Back, Down, Up],
        Some(Overlay::Palette(_)) => &[Open, Back, Down],
        Some(Overlay::Dialog(_)) => &[Save, NextField, ChoiceNext, Back],
        Some(Overlay::Confirm(_)) => &[],
        None => match state.screen {
            Screen::Search => &[Open, NextPane, NewTicket, CallerHistory, Help, Quit],
            Screen::Form => &[Save, NextField, ChoiceNext, Back, Help],
            Screen::Detail => &[Back, Comment, NewTicket, Help, Palette],
            Screen::Dossier => &[Open, NewTicket, CallerHistory, Back, Help],
            Screen::Queues if state.queues.filtering => &[Open, Back, ClearInput],
            Screen::Queues => &[Open, NextPane, Sort, Filter, Help, BackOrQuit],
            Screen::Caller => &[Open, NextPane, NewTicket, Help, Back],
            Screen::Dashboard | Screen::Welcome => &[Search, ViewQueues, Refresh, Help, BackOrQuit],
        },
    };
    list.iter().map(|a| (ctx, *a)).collect()
}

fn draw_status(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let bar = theme.status_bar();
    let mode = if state.typing() {
        tr(lang, "mode.typing")
    } else {
        tr(lang, &format!("context.{}", state.context().name()))
    };
    let mut right = Vec::new();
    if state.backend.is_none() {
        right.push(tr(lang, "status.opening").to_string());
    }
    if let Some(b) = state.backend.as_ref().filter(|b| b.backend != "local") {
        // Through a hub: which one, without the scheme.
        let hub = b
            .backend
            .split_once("://")
            .map_or(b.backend.as_str(), |(_, rest)| rest);
        // With the link state: live, or the hub out of reach.
        let link = match state.live.link_up {
            Some(true) => format!(" {}", tr(lang, "status.link_up")),
            Some(false) => format!(" {}", tr(lang, "status.link_down")),
            None => String::new(),
        };
        right.push(format!("hub {}{link}", clean(hub)));
        if b.pending_writes > 0 {
            right.push(trf(
                lang,
                "status.pending",
                &[&b.pending_writes.to_string()],
            ));
        }
    }
    if let Some(b) = &state.backend {
        let mut s = format!(
            "{} {} · {} {}",
            b.dossiers,
            tr(lang, "status.dossiers_short"),
            b.tickets,
            tr(lang, "status.tickets_short")
        );
        if b.index_error.is_some() {
            s.push_str(&format!(" · {}", tr(lang, "status.index_failed")));
        } else if b.index_building() {
            s.push_str(&format!(
                " · {} {}%",
                tr(lang, "status.indexing"),
                b.index_progress.0 * 100 / b.index_progress.1.max(1)
            ));
        }
        right.push(s);
    }
    if let Some(u) = &state.user {
        right.push(format!(
            "{} ({})",
            clean(&u.name),
            tr(lang, &format!("role.{}", u.role.slug()))
        ));
    }
    let right_text = format!(" {} ", right.join(" │ "));
    let demo = if state.demo { " DEMO " } else { "" };
    let used = mode.chars().count() + 3 + right_text.chars().count() + demo.len();
    let hint_w = (area.width as usize).saturating_sub(used);
    let (hints, hint_style) = match &state.toast {
        Some(t) => (
            t.text.clone(),
            if t.error {
                theme.error().patch(bar)
            } else {
                bar
            },
        ),
        None => {
            // Whole hints only, as many as fit.
            let mut text = String::new();
            for (ctx, a) in hint_actions(state) {
                if let Some(k) = live_key(state, ctx, a) {
                    let part = format!("{k} {}", tr(lang, &a.hint_key()));
                    let sep = if text.is_empty() { "" } else { " · " };
                    if text.chars().count() + sep.len() + part.chars().count() + 1 > hint_w {
                        break;
                    }
                    text.push_str(sep);
                    text.push_str(&part);
                }
            }
            (text, bar)
        }
    };
    let hints = if state.pending.is_empty() {
        hints
    } else {
        crate::tui::keymap::chord_to_string(&state.pending) + " …"
    };
    let spans = vec![
        Span::styled(format!(" {mode} "), theme.selected()),
        Span::styled(format!(" {}", fit(&hints, hint_w)), hint_style),
        Span::styled(right_text, bar),
        Span::styled(demo, theme.demo()),
    ];
    f.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}
