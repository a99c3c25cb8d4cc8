//! Supervisor dashboard: open by status, overdue by ward (top 10), on-time rates,
//! new tickets per day, breaches by fault type.

use crate::domain::FaultType;
use crate::tui::i18n::{self, tr, trf};
use crate::tui::refdata::ward_label;
use crate::tui::state::State;
use crate::tui::ui::theme::Theme;
use crate::tui::ui::widgets::{block, clean, fit};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use ratatui::Frame;

fn bar(n: usize, max: usize, width: usize) -> String {
    if max == 0 {
        return String::new();
    }
    let w = (n * width).div_ceil(max).min(width);
    "█".repeat(w)
}

fn rate(p: (usize, usize)) -> String {
    match (p.0 * 100).checked_div(p.1) {
        Some(pct) => format!("{pct:>3}% ({}/{})", p.0, p.1),
        None => "—".into(),
    }
}

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let d = &state.dashboard;
    if state
        .role()
        .is_some_and(|r| r != crate::domain::Role::Supervisor)
    {
        f.render_widget(
            Paragraph::new(Line::styled(tr(lang, "dash.supervisors_only"), theme.dim())),
            body,
        );
        return;
    }
    let Some(s) = &d.stats else {
        let text = match &d.error {
            Some(e) => Line::styled(clean(e), theme.error()),
            None => Line::styled(tr(lang, "common.loading"), theme.dim()),
        };
        f.render_widget(Paragraph::new(text), body);
        return;
    };
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
    let [a, b, c] = Layout::horizontal([
        Constraint::Percentage(32),
        Constraint::Percentage(36),
        Constraint::Percentage(32),
    ])
    .areas(top);

    // Open by status.
    let blk = block(
        &trf(lang, "dash.open", &[&s.open_tickets.to_string()]),
        false,
        theme,
    );
    let inner = blk.inner(a);
    f.render_widget(blk, a);
    let max = s.open_by_status.iter().map(|x| x.1).max().unwrap_or(0);
    let lines: Vec<Line> = s
        .open_by_status
        .iter()
        .map(|(st, n)| {
            Line::from(vec![
                Span::raw(fit(i18n::status_label(lang, *st), 15)),
                Span::styled(format!("{n:>5} "), theme.base()),
                Span::styled(
                    bar(*n, max, (inner.width as usize).saturating_sub(22)),
                    theme.label(),
                ),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);

    // Overdue by ward.
    let blk = block(
        &trf(lang, "dash.overdue", &[&s.overdue_tickets.to_string()]),
        false,
        theme,
    );
    let inner = blk.inner(b);
    f.render_widget(blk, b);
    let max = s.overdue_by_ward.iter().map(|x| x.1).max().unwrap_or(0);
    let mut lines: Vec<Line> = s
        .overdue_by_ward
        .iter()
        .take(10)
        .map(|(w, n)| {
            Line::from(vec![
                Span::raw(fit(&ward_label(*w), 18)),
                Span::styled(format!("{n:>4} "), theme.error()),
                Span::styled(
                    bar(*n, max, (inner.width as usize).saturating_sub(24)),
                    theme.error(),
                ),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(tr(lang, "dash.none"), theme.dim()));
    }
    f.render_widget(Paragraph::new(lines), inner);

    // On-time rates.
    let blk = block(tr(lang, "dash.on_time"), false, theme);
    let inner = blk.inner(c);
    f.render_widget(blk, c);
    let lines = vec![
        Line::from(vec![
            Span::styled(fit(tr(lang, "dash.today"), 12), theme.label()),
            Span::raw(rate(s.on_time_today)),
        ]),
        Line::from(vec![
            Span::styled(fit(tr(lang, "dash.7d"), 12), theme.label()),
            Span::raw(rate(s.on_time_7d)),
        ]),
        Line::from(vec![
            Span::styled(fit(tr(lang, "dash.30d"), 12), theme.label()),
            Span::raw(rate(s.on_time_30d)),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::styled(fit(tr(lang, "dash.total"), 12), theme.label()),
            Span::raw(s.total_tickets.to_string()),
        ]),
    ];
    f.render_widget(Paragraph::new(lines), inner);

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);
    // New tickets per day.
    let total: usize = s.new_per_day.iter().map(|x| x.1).sum();
    let blk = block(
        &trf(lang, "dash.new_per_day", &[&total.to_string()]),
        false,
        theme,
    );
    let inner = blk.inner(left);
    f.render_widget(blk, left);
    let data: Vec<u64> = s.new_per_day.iter().map(|x| x.1 as u64).collect();
    let [spark, axis] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    f.render_widget(Sparkline::default().data(&data).style(theme.label()), spark);
    let first = s
        .new_per_day
        .first()
        .map(|x| x.0.clone())
        .unwrap_or_default();
    let last = s
        .new_per_day
        .last()
        .map(|x| x.0.clone())
        .unwrap_or_default();
    let max = data.iter().max().copied().unwrap_or(0);
    f.render_widget(
        Paragraph::new(Line::styled(
            trf(lang, "dash.axis", &[&first, &last, &max.to_string()]),
            theme.dim(),
        )),
        axis,
    );

    // Breaches by fault type.
    let blk = block(tr(lang, "dash.breaches"), false, theme);
    let inner = blk.inner(right);
    f.render_widget(blk, right);
    let max = s.breaches_by_fault.iter().map(|x| x.1).max().unwrap_or(0);
    let mut lines: Vec<Line> = s
        .breaches_by_fault
        .iter()
        .map(|(fault, n)| {
            let label = FaultType::from_slug(fault)
                .map(|x| i18n::fault_label(lang, x).to_string())
                .unwrap_or_else(|| clean(fault));
            Line::from(vec![
                Span::raw(fit(&label, 22)),
                Span::styled(format!("{n:>4} "), theme.error()),
                Span::styled(
                    bar(*n, max, (inner.width as usize).saturating_sub(28)),
                    theme.error(),
                ),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(tr(lang, "dash.none"), theme.dim()));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
