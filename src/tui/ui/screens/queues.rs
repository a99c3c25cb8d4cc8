//! Queues: my tickets, my wards' escalations, all open, overdue. Each row shows
//! age, time left and the SLA state as colour and symbol.

use super::search::remaining;
use crate::domain::Ticket;
use crate::tui::i18n::{self, tr, trf, Lang};
use crate::tui::refdata::ward_label;
use crate::tui::state::State;
use crate::tui::ui::layout;
use crate::tui::ui::theme::{sla_symbol, Theme};
use crate::tui::ui::widgets::{block, clean, fit};
use crate::tui::update::visible_tickets;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let (tabs, list) = layout::queues(body);
    let mut spans = Vec::new();
    for (i, t) in crate::tui::update::queue_tabs(state.role())
        .iter()
        .enumerate()
    {
        let label = format!(" {} ", tr(lang, t.label_key()));
        let style = if Some(*t) == state.queues.tab {
            theme.selected()
        } else {
            theme.dim()
        };
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(label, style));
    }
    spans.push(Span::styled(
        format!(
            "   {}: {}",
            tr(lang, "queue.sort"),
            if state.queues.reverse {
                format!(
                    "{} ({})",
                    tr(lang, state.queues.sort.label_key()),
                    tr(lang, "queue.reversed")
                )
            } else {
                tr(lang, state.queues.sort.label_key()).to_string()
            }
        ),
        theme.dim(),
    ));
    if state.queues.filtering || !state.queues.filter.is_empty() {
        spans.push(Span::styled(
            format!(
                "   {}: {}",
                tr(lang, "queue.filter"),
                state.queues.filter.text()
            ),
            if state.queues.filtering {
                theme.focus_border()
            } else {
                theme.dim()
            },
        ));
        if state.queues.filtering {
            spans.push(Span::styled("▏", theme.focus_border()));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), tabs);

    let rows = visible_tickets(state);
    let title = if state.queues.loading {
        tr(lang, "common.loading").to_string()
    } else {
        trf(
            lang,
            if state.queues.next.is_some() {
                "queue.count_more"
            } else {
                "queue.count"
            },
            &[&rows.len().to_string()],
        )
    };
    let b = block(&title, !state.queues.filtering, theme);
    let inner = b.inner(list);
    f.render_widget(b, list);
    if let Some(e) = &state.queues.error {
        f.render_widget(Paragraph::new(Line::styled(clean(e), theme.error())), inner);
        return;
    }
    let w = inner.width as usize;
    let mut lines = vec![Line::styled(header(lang, w), theme.label())];
    if rows.is_empty() && !state.queues.loading {
        lines.push(Line::styled(tr(lang, "queue.empty"), theme.dim()));
    }
    let h = inner.height.saturating_sub(1) as usize;
    let off = layout::list_offset(state.queues.cursor.selected, h);
    for (i, t) in rows.iter().enumerate().skip(off).take(h) {
        lines.push(ticket_row(
            t,
            i == state.queues.cursor.selected,
            w,
            state,
            theme,
        ));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

const ID_W: usize = 9;
const PR_W: usize = 3;
const ST_W: usize = 15;
const SLA_W: usize = 10;
const AGE_W: usize = 7;
const WARD_W: usize = 16;

fn header(lang: Lang, w: usize) -> String {
    let fixed = ID_W + PR_W + ST_W + SLA_W + AGE_W + WARD_W + 6;
    format!(
        "{} {} {} {} {} {} {}",
        fit(tr(lang, "col.id"), ID_W),
        fit(tr(lang, "col.priority"), PR_W),
        fit(tr(lang, "col.status"), ST_W),
        fit(tr(lang, "col.sla"), SLA_W),
        fit(tr(lang, "col.age"), AGE_W),
        fit(tr(lang, "col.ward"), WARD_W),
        fit(tr(lang, "col.subject"), w.saturating_sub(fixed)),
    )
}

pub fn ticket_row<'a>(
    t: &Ticket,
    selected: bool,
    w: usize,
    state: &State,
    theme: &Theme,
) -> Line<'a> {
    let lang = state.lang;
    let now = state.now;
    let sla = t.sla_state(now);
    let fixed = ID_W + PR_W + ST_W + SLA_W + AGE_W + WARD_W + 6;
    let base = if selected {
        theme.selected()
    } else {
        theme.base()
    };
    let pick = |s| if selected { theme.selected() } else { s };
    let ward = t
        .escalation
        .as_ref()
        .map(|e| e.ward)
        .or(t.ward)
        .map(ward_label)
        .unwrap_or_else(|| "—".into());
    let sla_text = if t.is_open() && sla != crate::domain::SlaState::Paused {
        format!("{} {}", sla_symbol(sla), remaining(lang, t.due(), now))
    } else {
        format!("{} {}", sla_symbol(sla), i18n::sla_label(lang, sla))
    };
    let age = i18n::duration(lang, now.0 - t.created_at.0);
    // A ticket escalated here since the queue was last looked at.
    let mark = if state.live.fresh.contains(&t.id) {
        Span::styled("●", pick(theme.error()))
    } else {
        Span::styled(" ", base)
    };
    Line::from(vec![
        Span::styled(fit(&t.id.to_string(), ID_W), base),
        mark,
        Span::styled(
            format!("{} ", fit(&t.priority.slug().to_uppercase(), PR_W)),
            pick(theme.priority(t.priority)),
        ),
        Span::styled(
            format!("{} ", fit(i18n::status_label(lang, t.status), ST_W)),
            base,
        ),
        Span::styled(format!("{} ", fit(&sla_text, SLA_W)), pick(theme.sla(sla))),
        Span::styled(format!("{} ", fit(&age, AGE_W)), base),
        Span::styled(format!("{} ", fit(&clean(&ward), WARD_W)), base),
        Span::styled(fit(&clean(&t.subject), w.saturating_sub(fixed)), base),
    ])
}
