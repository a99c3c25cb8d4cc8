//! Caller history: a phone number or name → tickets and dossiers, newest first.

use crate::tui::i18n::{self, tr, trf, Lang};
use crate::tui::state::{CallerRow, Focus, State};
use crate::tui::ui::layout;
use crate::tui::ui::theme::{sla_symbol, Theme};
use crate::tui::ui::widgets::{block, clean, fit, input_box};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let c = &state.caller;
    let (input, list) = layout::caller(body);
    input_box(
        f,
        input,
        tr(lang, "caller.title"),
        &c.input,
        tr(lang, "caller.placeholder"),
        c.focus == Focus::Input && state.overlay.is_none(),
        theme,
    );
    let title = match &c.history {
        Some(h) => trf(
            lang,
            "caller.count",
            &[&h.tickets.len().to_string(), &h.dossiers.len().to_string()],
        ),
        None if c.loading => tr(lang, "common.loading").to_string(),
        None => tr(lang, "caller.history").to_string(),
    };
    let b = block(&title, c.focus == Focus::Results, theme);
    let inner = b.inner(list);
    f.render_widget(b, list);
    if let Some(e) = &c.error {
        f.render_widget(Paragraph::new(Line::styled(clean(e), theme.error())), inner);
        return;
    }
    let w = inner.width as usize;
    let mut lines = vec![Line::styled(header(lang, w), theme.label())];
    if c.history.is_some() && c.rows.is_empty() {
        lines.push(Line::styled(tr(lang, "caller.none"), theme.dim()));
    } else if c.history.is_none() {
        lines.push(Line::styled(tr(lang, "caller.hint"), theme.dim()));
    }
    let h = inner.height.saturating_sub(1) as usize;
    let off = layout::list_offset(c.cursor.selected, h);
    for (i, row) in c.rows.iter().enumerate().skip(off).take(h) {
        let sel = i == c.cursor.selected;
        let base = if sel { theme.selected() } else { theme.base() };
        let line = match row {
            CallerRow::Ticket(t) => {
                let sla = t.sla_state(state.now);
                vec![
                    Span::styled(format!("{} ", t.created_at.short()), base),
                    Span::styled(
                        format!("{} ", fit(tr(lang, "badge.ticket"), 3)),
                        if sel {
                            base
                        } else {
                            theme.badge(crate::search::DocKind::Ticket)
                        },
                    ),
                    Span::styled(format!("{} ", fit(&t.id.to_string(), 24)), base),
                    Span::styled(
                        format!(
                            "{} {} ",
                            sla_symbol(sla),
                            fit(i18n::status_label(lang, t.status), 16)
                        ),
                        if sel { base } else { theme.sla(sla) },
                    ),
                    Span::styled(fit(&clean(&t.subject), w.saturating_sub(66)), base),
                ]
            }
            CallerRow::Dossier(d) => {
                let st = match lang {
                    Lang::Vi => d.status.label_vi(),
                    Lang::En => d.status.label_en(),
                };
                let overdue = d.is_overdue(state.now);
                vec![
                    Span::styled(format!("{} ", d.received_at.short()), base),
                    Span::styled(
                        format!("{} ", fit(tr(lang, "badge.dossier"), 3)),
                        if sel {
                            base
                        } else {
                            theme.badge(crate::search::DocKind::Dossier)
                        },
                    ),
                    Span::styled(format!("{} ", fit(&clean(&d.code), 24)), base),
                    Span::styled(
                        format!("{} {} ", if overdue { "‼" } else { " " }, fit(st, 16)),
                        if sel || !overdue { base } else { theme.error() },
                    ),
                    Span::styled(fit(&clean(&d.procedure_name), w.saturating_sub(66)), base),
                ]
            }
        };
        lines.push(Line::from(line));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn header(lang: Lang, w: usize) -> String {
    format!(
        "{} {} {} {} {}",
        fit(tr(lang, "col.date"), 16),
        fit(tr(lang, "col.type"), 3),
        fit(tr(lang, "col.code"), 24),
        fit(tr(lang, "col.status"), 18),
        fit(tr(lang, "col.subject"), w.saturating_sub(66)),
    )
}
