//! Queues: my tickets, my wards' escalations, all open, overdue. Each row shows
//! age, time left and the SLA state as colour and symbol.

use crate::domain::Ticket;
use crate::tui::i18n::{self, tr, trf, Lang};
use crate::tui::refdata::ward_label;
use crate::tui::state::State;
use crate::tui::ui::layout;
use crate::tui::ui::theme::{sla_symbol, Theme};
use crate::tui::ui::widgets::{block, clean, fit, time_left};
use crate::tui::update::visible_tickets;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let (tabs, list) = layout::queues(body);
    let mut spans = Vec::new();
    for (i, t) in crate::tui::update::tabs_shown(state).iter().enumerate() {
        let label = match (t, state.queues.drill) {
            (crate::tui::state::QueueTab::Drill, Some(d)) => {
                format!(
                    " {} ",
                    crate::tui::ui::screens::dashboard::drill_label(lang, d)
                )
            }
            _ => format!(" {} ", tr(lang, t.label_key())),
        };
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
    let h = inner.height.saturating_sub(1) as usize;
    let off = layout::list_offset(state.queues.cursor.selected, h);
    // Each row's cells are made once (the SLA clocks are the costly part)
    // and serve both the column widths and the drawing.
    let shown: Vec<Cells> = rows
        .iter()
        .skip(off)
        .take(h)
        .map(|t| Cells::of(t, state))
        .collect();
    let cols = Columns::of(&shown, w, lang);
    let mut lines = vec![Line::styled(cols.header(lang), theme.label())];
    if rows.is_empty() && !state.queues.loading {
        lines.push(Line::styled(tr(lang, "queue.empty"), theme.dim()));
    }
    for (i, c) in shown.into_iter().enumerate() {
        lines.push(cols.row(c, off + i == state.queues.cursor.selected, state, theme));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Column widths from what the rows on screen hold (and their headings).
/// When the subject would get too narrow, the age column goes first, then
/// the ward: the subject is what tells tickets apart.
struct Columns {
    id: usize,
    status: usize,
    sla: usize,
    age: Option<usize>,
    ward: Option<usize>,
    subject: usize,
}

const MIN_SUBJECT: usize = 20;

fn ward_of(t: &Ticket) -> String {
    clean(
        &t.escalation
            .as_ref()
            .map(|e| e.ward)
            .or(t.ward)
            .map(ward_label)
            .unwrap_or_else(|| "—".into()),
    )
}

/// One row's cells as text, made once per frame and row.
struct Cells<'t> {
    ticket: &'t Ticket,
    id: String,
    status: String,
    sla_state: crate::domain::SlaState,
    sla: String,
    age: String,
    ward: String,
}

impl<'t> Cells<'t> {
    fn of(t: &'t Ticket, state: &State) -> Cells<'t> {
        let lang = state.lang;
        // The clock that matters most (a cancelled ticket has none): its
        // working time left (negative: over) while it runs, its state's
        // word otherwise.
        let views = crate::domain::clocks(t, &state.policy, state.now);
        let sla_state = crate::domain::clocks::state_of(&views);
        let sla = format!(
            "{} {}",
            sla_symbol(sla_state),
            time_left(lang, &views).unwrap_or_else(|| i18n::sla_label(lang, sla_state).into())
        );
        Cells {
            ticket: t,
            id: t.id.to_string(),
            status: status_text(t, lang),
            sla_state,
            sla,
            age: age_text(t, state),
            ward: ward_of(t),
        }
    }
}

/// The status, and a compact mark when the escalation went to the city
/// centre (level 2): plain text, so it reads without colour too.
fn status_text(t: &Ticket, lang: Lang) -> String {
    let status = i18n::status_label(lang, t.status);
    match &t.escalation {
        Some(e) if e.level >= 2 => format!("{status} {}", tr(lang, "queue.level2")),
        _ => status.to_string(),
    }
}

fn age_text(t: &Ticket, state: &State) -> String {
    i18n::duration(state.lang, state.now.0 - t.created_at.0)
}

/// The widest of a column's cells and its heading, in characters.
fn widest<'t>(rows: &[Cells<'t>], head: &str, cell: for<'c> fn(&'c Cells<'t>) -> &'c str) -> usize {
    rows.iter()
        .map(|c| cell(c).chars().count())
        .chain([head.chars().count()])
        .max()
        .unwrap_or(0)
}

impl Columns {
    fn of(rows: &[Cells], w: usize, lang: Lang) -> Columns {
        let id = widest(rows, tr(lang, "col.id"), |c| &c.id);
        let status = widest(rows, tr(lang, "col.status"), |c| &c.status);
        let sla = widest(rows, tr(lang, "col.sla"), |c| &c.sla);
        let age = widest(rows, tr(lang, "col.age"), |c| &c.age);
        let ward = widest(rows, tr(lang, "col.ward"), |c| &c.ward);
        let base = id + 1 + PR_W + 1 + status + 1 + sla + 1;
        let subject = |age: Option<usize>, ward: Option<usize>| {
            w.saturating_sub(base + age.map_or(0, |a| a + 1) + ward.map_or(0, |x| x + 1))
        };
        let (mut a, mut wd) = (Some(age), Some(ward));
        if subject(a, wd) < MIN_SUBJECT {
            a = None;
        }
        if subject(a, wd) < MIN_SUBJECT {
            wd = None;
        }
        Columns {
            id,
            status,
            sla,
            age: a,
            ward: wd,
            subject: subject(a, wd),
        }
    }

    fn header(&self, lang: Lang) -> String {
        let mut out = format!(
            "{} {} {} {} ",
            fit(tr(lang, "col.id"), self.id),
            fit(tr(lang, "col.priority"), PR_W),
            fit(tr(lang, "col.status"), self.status),
            fit(tr(lang, "col.sla"), self.sla),
        );
        if let Some(a) = self.age {
            out.push_str(&format!("{} ", fit(tr(lang, "col.age"), a)));
        }
        if let Some(x) = self.ward {
            out.push_str(&format!("{} ", fit(tr(lang, "col.ward"), x)));
        }
        out.push_str(&fit(tr(lang, "col.subject"), self.subject));
        out
    }

    fn row<'a>(&self, c: Cells, selected: bool, state: &State, theme: &Theme) -> Line<'a> {
        let t = c.ticket;
        let base = if selected {
            theme.selected()
        } else {
            theme.base()
        };
        let pick = |s| if selected { theme.selected() } else { s };
        // A ticket escalated here since the queue was last looked at.
        let mark = if state.live.fresh.contains(&t.id) {
            Span::styled("●", pick(theme.error()))
        } else {
            Span::styled(" ", base)
        };
        let mut spans = vec![
            Span::styled(fit(&c.id, self.id), base),
            mark,
            Span::styled(
                format!("{} ", fit(&t.priority.slug().to_uppercase(), PR_W)),
                pick(theme.priority(t.priority)),
            ),
            Span::styled(format!("{} ", fit(&c.status, self.status)), base),
            Span::styled(
                format!("{} ", fit(&c.sla, self.sla)),
                pick(theme.sla(c.sla_state)),
            ),
        ];
        if let Some(a) = self.age {
            spans.push(Span::styled(format!("{} ", fit(&c.age, a)), base));
        }
        if let Some(x) = self.ward {
            spans.push(Span::styled(format!("{} ", fit(&c.ward, x)), base));
        }
        spans.push(Span::styled(fit(&clean(&t.subject), self.subject), base));
        Line::from(spans)
    }
}

const PR_W: usize = 3;
