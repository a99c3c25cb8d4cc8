//! Supervisor dashboard: open by status, overdue by ward (top 10, with each
//! ward's 30-day on-time rate), on-time rates (by period and month), new
//! tickets per day, breaches by fault type (with each one's on-time rate).

use crate::domain::FaultType;
use crate::tui::i18n::{self, tr, trf};
use crate::tui::refdata::ward_label;
use crate::tui::state::{Drill, State};
use crate::tui::ui::theme::Theme;
use crate::tui::ui::widgets::{block, clean, fit};
use crate::tui::update::drill_rows;
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

/// `92%`: the 30-day on-time share beside a ward's or fault type's count.
fn share(on_time: usize, resolved: usize) -> String {
    (on_time * 100)
        .checked_div(resolved)
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "—".into())
}

/// What a drill-down queue shows, as its tab says it.
pub fn drill_label(lang: i18n::Lang, d: Drill) -> String {
    match d {
        Drill::Status(s) => i18n::status_label(lang, s).to_string(),
        Drill::Ward(w) => format!("{} · {}", ward_label(w), tr(lang, "dash.overdue_in")),
        Drill::Fault(x) => format!(
            "{} · {}",
            i18n::fault_label(lang, x),
            tr(lang, "dash.escalated_as")
        ),
        Drill::TopLevel => tr(lang, "dash.top_level").to_string(),
    }
}

/// Width of the widest label, at most `max`.
fn label_width<'a>(labels: impl Iterator<Item = &'a str>, max: usize) -> usize {
    labels
        .map(crate::tui::ui::widgets::width)
        .max()
        .unwrap_or(0)
        .min(max)
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
    let rows = drill_rows(s);
    let chosen = rows.get(d.cursor).copied();
    let body = crate::tui::screens::dead_letters::view::draw(
        f,
        body,
        state,
        theme,
        d.cursor.checked_sub(rows.len()),
    );
    // The selected row is drawn reversed; enter opens its tickets.
    let row_style = |drill: Drill| {
        if Some(drill) == chosen {
            theme.selected()
        } else {
            theme.base()
        }
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
    let top_level = (s.open_top_level > 0).then(|| tr(lang, "dash.top_level"));
    let lw = label_width(
        s.open_by_status
            .iter()
            .map(|(st, _)| i18n::status_label(lang, *st))
            .chain(top_level),
        (inner.width as usize).saturating_sub(8),
    );
    let mut lines: Vec<Line> = s
        .open_by_status
        .iter()
        .map(|(st, n)| {
            Line::from(vec![
                Span::styled(
                    fit(i18n::status_label(lang, *st), lw + 1),
                    row_style(Drill::Status(*st)),
                ),
                Span::styled(format!("{n:>5} "), theme.base()),
                Span::styled(
                    bar(*n, max, (inner.width as usize).saturating_sub(lw + 8)),
                    theme.label(),
                ),
            ])
        })
        .collect();
    if let Some(label) = top_level {
        lines.push(Line::from(vec![
            Span::styled(fit(label, lw + 1), row_style(Drill::TopLevel)),
            Span::styled(format!("{:>5} ", s.open_top_level), theme.error()),
        ]));
    }
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
    let names: Vec<String> = s
        .overdue_by_ward
        .iter()
        .take(10)
        .map(|(w, _)| ward_label(*w))
        .collect();
    let lw = label_width(
        names.iter().map(String::as_str),
        (inner.width as usize).saturating_sub(7),
    );
    let mut lines: Vec<Line> = s
        .overdue_by_ward
        .iter()
        .take(10)
        .zip(&names)
        .map(|((w, n), name)| {
            let pct = s
                .on_time_by_ward
                .iter()
                .find(|x| x.0 == *w)
                .map(|x| share(x.1, x.2));
            Line::from(vec![
                Span::styled(fit(name, lw + 1), row_style(Drill::Ward(*w))),
                Span::styled(format!("{n:>4} "), theme.error()),
                Span::styled(
                    format!("{:>4} ", pct.unwrap_or_else(|| "—".into())),
                    theme.label(),
                ),
                Span::styled(
                    bar(*n, max, (inner.width as usize).saturating_sub(lw + 12)),
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
    let keys = ["dash.today", "dash.7d", "dash.30d", "dash.total"];
    let lw = label_width(keys.iter().map(|k| tr(lang, k)), 14) + 1;
    let rates = [s.on_time_today, s.on_time_7d, s.on_time_30d].map(rate);
    // A rate that does not fit beside its label goes on the next line.
    let beside = rates
        .iter()
        .all(|r| lw + crate::tui::ui::widgets::width(r) <= inner.width as usize);
    let mut lines = Vec::new();
    for (k, r) in keys.iter().zip(&rates) {
        if beside {
            lines.push(Line::from(vec![
                Span::styled(fit(tr(lang, k), lw), theme.label()),
                Span::raw(r.clone()),
            ]));
        } else {
            lines.push(Line::styled(tr(lang, k).to_string(), theme.label()));
            lines.push(Line::raw(format!("  {}", r.trim_start())));
        }
    }
    if beside {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(vec![
        Span::styled(fit(tr(lang, "dash.total"), lw), theme.label()),
        Span::raw(s.total_tickets.to_string()),
    ]));
    // The latest months that fit, as the city reports them.
    let room = (inner.height as usize).saturating_sub(lines.len() + 2);
    if room > 0 && !s.on_time_by_month.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(tr(lang, "dash.by_month"), theme.label()));
        let skip = s.on_time_by_month.len().saturating_sub(room);
        for (month, on_time, resolved) in s.on_time_by_month.iter().skip(skip) {
            lines.push(Line::from(vec![
                Span::styled(fit(&clean(month), lw), theme.base()),
                Span::raw(rate((*on_time, *resolved))),
            ]));
        }
    }
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
    let labels: Vec<String> = s
        .breaches_by_fault
        .iter()
        .map(|(fault, _)| {
            FaultType::from_slug(fault)
                .map(|x| i18n::fault_label(lang, x).to_string())
                .unwrap_or_else(|| clean(fault))
        })
        .collect();
    let lw = label_width(
        labels.iter().map(String::as_str),
        (inner.width as usize).saturating_sub(8),
    );
    let mut lines: Vec<Line> = s
        .breaches_by_fault
        .iter()
        .zip(&labels)
        .map(|((fault, n), label)| {
            let style = match FaultType::from_slug(fault) {
                Some(x) => row_style(Drill::Fault(x)),
                None => theme.base(),
            };
            let pct = s
                .on_time_by_fault
                .iter()
                .find(|x| &x.0 == fault)
                .map(|x| share(x.1, x.2));
            Line::from(vec![
                Span::styled(fit(label, lw + 1), style),
                Span::styled(format!("{n:>4} "), theme.error()),
                Span::styled(
                    format!("{:>4} ", pct.unwrap_or_else(|| "—".into())),
                    theme.label(),
                ),
                Span::styled(
                    bar(*n, max, (inner.width as usize).saturating_sub(lw + 13)),
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
