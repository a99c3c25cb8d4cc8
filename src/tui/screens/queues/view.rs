//! Queues: my tickets, my wards' escalations, all open, overdue. Each row shows
//! age, time left and the SLA state as colour and symbol.

use crate::domain::clocks::headline;
use crate::domain::{ClockState, Ticket};
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
    let shown: Vec<&Ticket> = rows.iter().skip(off).take(h).copied().collect();
    let cols = Columns::of(&shown, w, state);
    let mut lines = vec![Line::styled(cols.header(lang), theme.label())];
    if rows.is_empty() && !state.queues.loading {
        lines.push(Line::styled(tr(lang, "queue.empty"), theme.dim()));
    }
    for (i, t) in shown.iter().enumerate() {
        lines.push(cols.row(t, off + i == state.queues.cursor.selected, state, theme));
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

/// The state of the clock that matters most (see [`headline`]); a cancelled
/// ticket has no clocks.
fn row_sla(t: &Ticket, state: &State) -> (crate::domain::SlaState, Option<(i64, i64)>) {
    let views = crate::domain::clocks(t, &state.policy, state.now);
    match headline(&views) {
        Some(v) => (
            v.state.as_sla_state(),
            matches!(
                v.state,
                ClockState::Running | ClockState::Warning | ClockState::Breached
            )
            .then_some((v.remaining_secs, v.working_day_secs)),
        ),
        None => (crate::domain::SlaState::Cancelled, None),
    }
}

/// Symbol and working time left (negative: over) for running clocks, the
/// state's word otherwise.
fn sla_text(t: &Ticket, state: &State) -> String {
    match row_sla(t, state) {
        (sla, Some((left, day))) => format!(
            "{} {}",
            sla_symbol(sla),
            i18n::working_duration(state.lang, left, day)
        ),
        (sla, None) => format!("{} {}", sla_symbol(sla), i18n::sla_label(state.lang, sla)),
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

impl Columns {
    fn of(rows: &[&Ticket], w: usize, state: &State) -> Columns {
        let lang = state.lang;
        let widest = |head: &str, cells: &mut dyn Iterator<Item = String>| {
            cells
                .map(|c| c.chars().count())
                .chain([head.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let id = widest(
            tr(lang, "col.id"),
            &mut rows.iter().map(|t| t.id.to_string()),
        );
        let status = widest(
            tr(lang, "col.status"),
            &mut rows.iter().map(|t| status_text(t, lang)),
        );
        let sla = widest(
            tr(lang, "col.sla"),
            &mut rows.iter().map(|t| sla_text(t, state)),
        );
        let age = widest(
            tr(lang, "col.age"),
            &mut rows.iter().map(|t| age_text(t, state)),
        );
        let ward = widest(tr(lang, "col.ward"), &mut rows.iter().map(|t| ward_of(t)));
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

    fn row<'a>(&self, t: &Ticket, selected: bool, state: &State, theme: &Theme) -> Line<'a> {
        let lang = state.lang;
        let (sla, _) = row_sla(t, state);
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
            Span::styled(fit(&t.id.to_string(), self.id), base),
            mark,
            Span::styled(
                format!("{} ", fit(&t.priority.slug().to_uppercase(), PR_W)),
                pick(theme.priority(t.priority)),
            ),
            Span::styled(
                format!("{} ", fit(&status_text(t, lang), self.status)),
                base,
            ),
            Span::styled(
                format!("{} ", fit(&sla_text(t, state), self.sla)),
                pick(theme.sla(sla)),
            ),
        ];
        if let Some(a) = self.age {
            spans.push(Span::styled(
                format!("{} ", fit(&age_text(t, state), a)),
                base,
            ));
        }
        if let Some(x) = self.ward {
            spans.push(Span::styled(format!("{} ", fit(&ward_of(t), x)), base));
        }
        spans.push(Span::styled(fit(&clean(&t.subject), self.subject), base));
        Line::from(spans)
    }
}

const PR_W: usize = 3;
