//! Ticket detail: every field (phone and CCCD unmasked here only), SLA clocks,
//! linked dossiers, the timeline and the actions the role may take.

use crate::api::TicketDetail;
use crate::domain::{ClockState, ClockView, EventKind, SlaClock, Ts};
use crate::tui::action::Action;
use crate::tui::i18n::{self, tr, Lang};
use crate::tui::keymap::Context;
use crate::tui::refdata::ward_label;
use crate::tui::state::State;
use crate::tui::ui::theme::{sla_symbol, Theme};
use crate::tui::ui::widgets::{block, clean, kv};
use crate::tui::update::offered_actions;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let Some(d) = &state.detail else {
        return;
    };
    let Some(detail) = &d.detail else {
        let text = match &d.error {
            Some(e) => Line::styled(clean(e), theme.error()),
            None => Line::styled(tr(lang, "common.loading"), theme.dim()),
        };
        f.render_widget(Paragraph::new(text), body);
        return;
    };
    let t = &detail.ticket;
    let [head, fields, rest, acts] = split(state, detail, body);

    let views = crate::domain::clocks(t, &state.policy, state.now);
    let sla = crate::domain::clocks::state_of(&views);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{} ", t.id), theme.title()),
            Span::styled(
                format!("[{}] ", i18n::kind_label(lang, t.kind)),
                theme.label(),
            ),
            Span::styled(clean(&t.subject), theme.base()),
            Span::raw("  "),
            Span::styled(
                format!("{} {}", sla_symbol(sla), i18n::sla_label(lang, sla)),
                theme.sla(sla),
            ),
        ])),
        head,
    );

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(fields);
    let b = block(tr(lang, "detail.caller"), false, theme);
    let li = b.inner(left);
    f.render_widget(b, left);
    let phone = t
        .caller
        .phone
        .as_ref()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "—".into());
    let cccd = t.caller.cccd.clone().unwrap_or_else(|| "—".into());
    let left_lines = vec![
        kv(theme, tr(lang, "field.caller_name"), clean(&t.caller.name)),
        kv(theme, tr(lang, "field.caller_phone"), phone),
        kv(theme, tr(lang, "field.caller_cccd"), cccd),
        kv(
            theme,
            tr(lang, "field.channel"),
            i18n::channel_label(lang, t.channel).into(),
        ),
        kv(
            theme,
            tr(lang, "field.ward"),
            t.ward.map(ward_label).unwrap_or_else(|| "—".into()),
        ),
        kv(
            theme,
            tr(lang, "field.category"),
            if t.category.is_empty() {
                "—".into()
            } else {
                clean(&t.category)
            },
        ),
    ];
    f.render_widget(Paragraph::new(left_lines), li);

    let b = block(tr(lang, "detail.ticket"), false, theme);
    let ri = b.inner(right);
    f.render_widget(b, right);
    let mut rl = vec![
        kv(
            theme,
            tr(lang, "field.status"),
            format!(
                "{} · {}",
                i18n::status_label(lang, t.status),
                i18n::priority_label(lang, t.priority)
            ),
        ),
        kv(
            theme,
            tr(lang, "field.assignee"),
            t.owner().map(clean).unwrap_or_else(|| "—".into()),
        ),
        kv(
            theme,
            tr(lang, "detail.created"),
            format!("{} · {}", dm(t.created_at), clean(&t.created_by)),
        ),
    ];
    if t.status == crate::domain::Status::Cancelled {
        // A cancelled ticket has no verdict: neither met nor late.
        rl.push(kv(
            theme,
            tr(lang, "detail.resolve_by"),
            format!(
                "{} · {}",
                dm(t.sla.resolve_by),
                tr(lang, "detail.no_verdict")
            ),
        ));
    }
    // A first response made in time needs no line of its own.
    let shown = |v: &&ClockView| {
        !(v.clock == SlaClock::FirstResponse && v.state == ClockState::Met)
            && v.clock != SlaClock::Acknowledge
            && v.clock != SlaClock::EscalationResolve
    };
    for v in views.iter().filter(shown) {
        rl.push(clock(theme, lang, v));
    }
    if let Some(other) = t.merged_into {
        let subject = match &d.duplicate_subject {
            Some(Ok(s)) => clean(s),
            Some(Err(e)) => clean(e),
            None => tr(lang, "dialog.looking").to_string(),
        };
        let key = crate::tui::ui::live_key(state, Context::List, Action::Open)
            .unwrap_or_else(|| "enter".into());
        // Its own two lines: the id with the key that opens it, then the subject.
        rl.push(Line::from(vec![
            Span::styled(
                format!("{}: ", tr(lang, "detail.duplicate_of")),
                theme.label(),
            ),
            Span::styled(other.to_string(), theme.highlight()),
            Span::styled(
                format!(" ({key} {})", tr(lang, "detail.open_duplicate")),
                theme.dim(),
            ),
        ]));
        rl.push(Line::raw(format!("  {subject}")));
    }
    if let Some(e) = &t.escalation {
        rl.push(kv(
            theme,
            tr(lang, "detail.escalated_to"),
            ward_label(e.ward),
        ));
        rl.push(kv(
            theme,
            tr(lang, "field.fault"),
            i18n::fault_label(lang, e.fault).into(),
        ));
        for v in views
            .iter()
            .filter(|v| matches!(v.clock, SlaClock::Acknowledge | SlaClock::EscalationResolve))
        {
            rl.push(clock(theme, lang, v));
        }
        // Level 1 is every escalation's start; a raised one says where and why.
        if e.level > 1 {
            rl.push(kv(
                theme,
                tr(lang, "detail.level"),
                i18n::level_label(lang, e.level),
            ));
            if let Some(reason) = crate::domain::alarm::level_reason(&detail.events) {
                rl.push(kv(
                    theme,
                    tr(lang, "detail.level_reason"),
                    i18n::level_reason(lang, reason),
                ));
            }
        }
    } else if let Some(p) = t.sla.paused_since {
        rl.push(kv(theme, tr(lang, "detail.paused_since"), p.short()));
    }
    f.render_widget(Paragraph::new(rl), ri);

    let [desc, timeline] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rest);
    let b = block(tr(lang, "field.description"), false, theme);
    let di = b.inner(desc);
    f.render_widget(b, desc);
    let mut dl: Vec<Line> = crate::text::strip_controls(&t.description, true)
        .lines()
        .map(|l| Line::raw(l.to_string()))
        .collect();
    if t.description.trim().is_empty() {
        dl.push(Line::styled("—", theme.dim()));
    }
    dl.push(Line::raw(""));
    dl.push(Line::styled(tr(lang, "field.dossiers"), theme.label()));
    if t.dossiers.is_empty() {
        dl.push(Line::styled("—", theme.dim()));
    }
    for code in &t.dossiers {
        match detail.dossiers.iter().find(|x| &x.code == code) {
            Some(x) => {
                let st = match lang {
                    Lang::Vi => x.status.label_vi(),
                    Lang::En => x.status.label_en(),
                };
                let sync = match lang {
                    Lang::Vi => x.sync.label_vi(),
                    Lang::En => x.sync.label_en(),
                };
                dl.push(Line::raw(format!("✓ {} · {st} · {sync}", clean(code))));
            }
            None => dl.push(Line::styled(
                format!("✗ {} ({})", clean(code), tr(lang, "form.unknown_dossier")),
                theme.error(),
            )),
        }
    }
    f.render_widget(Paragraph::new(dl).wrap(Wrap { trim: false }), di);

    let b = block(tr(lang, "detail.timeline"), true, theme);
    let ti = b.inner(timeline);
    f.render_widget(b, timeline);
    let mut tl: Vec<Line> = Vec::new();
    for ev in detail.events.iter().rev() {
        tl.push(Line::styled(
            format!("{} · {}", ev.at.short(), clean(&ev.by)),
            theme.dim(),
        ));
        tl.push(Line::raw(format!("  {}", clean(&describe(lang, &ev.kind)))));
    }
    let scroll = d.scroll.min(tl.len().saturating_sub(1)) as u16;
    f.render_widget(
        Paragraph::new(tl)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        ti,
    );

    let theme_key = theme.selected();
    for (area, key, label, _) in action_chips(state, detail, acts) {
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" {key} "), theme_key),
                Span::raw(format!(" {label}")),
            ])),
            area,
        );
    }
}

/// One SLA clock: its deadline and the working time left, or how it ended.
fn clock<'a>(theme: &Theme, lang: Lang, v: &ClockView) -> Line<'a> {
    let sla = v.state.as_sla_state();
    let due = dm(v.deadline);
    let symbol = sla_symbol(sla);
    let text = match v.state {
        ClockState::Running | ClockState::Warning => format!(
            "{due} {symbol} {} {}",
            tr(lang, "detail.left"),
            i18n::working_duration(lang, v.remaining_secs, v.working_day_secs)
        ),
        ClockState::Breached => format!(
            "{due} {symbol} {} {}",
            tr(lang, "detail.late_by"),
            i18n::working_duration(lang, -v.remaining_secs, v.working_day_secs)
        ),
        ClockState::Paused => format!(
            "{due} {symbol} {} ({} {})",
            i18n::sla_label(lang, sla),
            tr(lang, "detail.left"),
            i18n::working_duration(lang, v.remaining_secs, v.working_day_secs)
        ),
        ClockState::Met | ClockState::Late => {
            format!("{due} {symbol} {}", i18n::sla_label(lang, sla))
        }
    };
    let label = i18n::clock_label(lang, v.clock);
    let mut chars = label.chars();
    let label: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(format!("{label}: "), theme.label()),
        Span::styled(text, theme.sla(sla)),
    ])
}

/// Header, fields, description and timeline, and the action bar (as many
/// rows as its chips take, at most three).
fn split(state: &State, detail: &TicketDetail, body: Rect) -> [Rect; 4] {
    let tall = Rect::new(body.x, 0, body.width, 3);
    let action_rows = action_chips(state, detail, tall)
        .last()
        .map_or(1, |(r, ..)| r.y + 1);
    // A raised escalation adds its level and reason to the fields.
    let raised = detail
        .ticket
        .escalation
        .as_ref()
        .is_some_and(|e| e.level > 1);
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if raised { 12 } else { 10 }),
        Constraint::Min(3),
        Constraint::Length(action_rows),
    ])
    .areas(body)
}

/// The action bar's chips, laid out left to right and row by row: where each
/// is drawn, its key, its label and its action. Drawing and mouse clicks both
/// use this, so a click lands on the chip drawn there.
pub fn action_chips(
    state: &State,
    detail: &TicketDetail,
    area: Rect,
) -> Vec<(Rect, String, String, Action)> {
    let Some(role) = state.role() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut x, mut y) = (area.x, area.y);
    for a in offered_actions(&detail.ticket, role) {
        // The detail screen's own keys, even while a dialog over it takes typing.
        let key = state
            .keymap
            .keys_for(Context::Detail, a)
            .into_iter()
            .next()
            .unwrap_or_else(|| ":".into());
        let label = tr(state.lang, &a.hint_key()).to_string();
        let width = Span::raw(format!(" {key}  {label}")).width() as u16;
        if x > area.x && x + width > area.x + area.width {
            x = area.x;
            y += 1;
        }
        if y >= area.y + area.height {
            break;
        }
        let w = width.min(area.x + area.width - x);
        out.push((Rect::new(x, y, w, 1), key, label, a));
        x += width + 2;
    }
    out
}

/// The action under a click at (`col`, `row`) on the detail screen, if any.
pub fn action_at(state: &State, col: u16, row: u16) -> Option<Action> {
    let detail = state.detail.as_ref()?.detail.as_ref()?;
    let area = Rect::new(0, 0, state.size.0, state.size.1);
    if crate::tui::ui::layout::too_small(area) {
        return None;
    }
    let [_, body, _] = crate::tui::ui::layout::frame(area);
    let [_, _, _, acts] = split(state, detail, body);
    action_chips(state, detail, acts)
        .into_iter()
        .find(|(r, ..)| r.contains(ratatui::layout::Position::new(col, row)))
        .map(|(.., a)| a)
}

/// `13/08 09:00`: day and time, enough for deadlines on a narrow screen.
fn dm(ts: Ts) -> String {
    ts.local().format("%d/%m %H:%M").to_string()
}

/// One timeline entry in the UI language.
pub(crate) fn describe(lang: Lang, k: &EventKind) -> String {
    match k {
        EventKind::Created => tr(lang, "event.created").into(),
        EventKind::Commented { text } => format!("{}: {text}", tr(lang, "event.commented")),
        EventKind::StatusChanged { from, to, note, .. } => {
            let base = format!(
                "{} → {}",
                i18n::status_label(lang, *from),
                i18n::status_label(lang, *to)
            );
            match note {
                Some(n) => format!("{base}: {n}"),
                None => base,
            }
        }
        EventKind::Escalated { ward, fault, level } => format!(
            "{} {} ({}, {} {level})",
            tr(lang, "event.escalated"),
            ward_label(*ward),
            i18n::fault_label(lang, *fault),
            tr(lang, "event.level")
        ),
        EventKind::Assigned { to: Some(u) } => format!("{} {u}", tr(lang, "event.assigned")),
        EventKind::Assigned { to: None } => tr(lang, "event.unassigned").into(),
        EventKind::Linked { dossier } => format!("{} {dossier}", tr(lang, "event.linked")),
        EventKind::Edited { fields } => {
            format!("{} {}", tr(lang, "event.edited"), fields.join(", "))
        }
        EventKind::SlaWarning { clock } => format!(
            "{}: {}",
            tr(lang, "event.sla_warning"),
            i18n::clock_label(lang, *clock)
        ),
        EventKind::SlaBreach { clock } => format!(
            "{}: {}",
            tr(lang, "event.sla_breach"),
            i18n::clock_label(lang, *clock)
        ),
        EventKind::LevelRaised { from, to, reason } => format!(
            "{} {from} → {to}: {}",
            tr(lang, "event.level_raised"),
            i18n::level_reason(lang, reason)
        ),
        EventKind::NotificationSent {
            endpoint,
            event,
            attempts,
        } => format!(
            "{} {endpoint} ({event}, {} {attempts})",
            tr(lang, "event.notified"),
            tr(lang, "event.attempts")
        ),
        EventKind::NotificationFailed {
            endpoint,
            event,
            attempts,
            error,
        } => format!(
            "{} {endpoint} ({event}, {} {attempts}): {error}",
            tr(lang, "event.notify_failed"),
            tr(lang, "event.attempts")
        ),
    }
}
