//! Caller history: a phone number or name → tickets and dossiers, newest first.

use crate::domain::Phone;
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
    let cols = Columns::of(lang, &c.rows, w);
    let mut lines = vec![Line::styled(cols.header(lang), theme.label())];
    if c.history.is_some() && c.rows.is_empty() {
        lines.push(Line::styled(tr(lang, "caller.none"), theme.dim()));
    } else if c.history.is_none() {
        lines.push(Line::styled(tr(lang, "caller.hint"), theme.dim()));
    }
    // A look-up by name can find several people: one group per phone number,
    // each under its own heading line.
    let by_name = Phone::parse(c.input.text()).is_err();
    // Headings are cheap; a row's line (its SLA clocks) is made only when
    // it is on screen.
    enum Entry<'a> {
        Heading(Line<'a>),
        Row(usize),
    }
    let mut shown: Vec<Entry> = Vec::new();
    let mut last_phone: Option<String> = None;
    for (i, row) in c.rows.iter().enumerate() {
        if by_name {
            let phone = row.masked_phone();
            if last_phone.as_ref() != Some(&phone) {
                let name = row_name(row);
                let label = if phone.is_empty() {
                    format!("── {} · {} ", name, tr(lang, "caller.no_phone"))
                } else {
                    format!("── {phone} · {name} ")
                };
                shown.push(Entry::Heading(Line::styled(fit(&label, w), theme.title())));
                last_phone = Some(phone);
            }
        }
        shown.push(Entry::Row(i));
    }
    let h = inner.height.saturating_sub(1) as usize;
    let at = shown
        .iter()
        .position(|e| matches!(e, Entry::Row(i) if *i == c.cursor.selected))
        .unwrap_or(0);
    let off = layout::list_offset(at, h);
    lines.extend(shown.into_iter().skip(off).take(h).map(|e| match e {
        Entry::Heading(l) => l,
        Entry::Row(i) => {
            Line::from(cols.row(lang, &c.rows[i], i == c.cursor.selected, state, theme))
        }
    }));
    f.render_widget(Paragraph::new(lines), inner);
}

fn row_name(row: &CallerRow) -> String {
    clean(match row {
        CallerRow::Ticket(t) => &t.caller.name,
        CallerRow::Dossier(d) => &d.applicant_name,
    })
}

/// Column widths from the rows' content: whole codes, whole status labels.
struct Columns {
    kind: usize,
    code: usize,
    status: usize,
    subject: usize,
}

impl Columns {
    fn of(lang: Lang, rows: &[CallerRow], w: usize) -> Columns {
        let code = rows
            .iter()
            .map(|r| match r {
                CallerRow::Ticket(t) => t.id.to_string().chars().count(),
                CallerRow::Dossier(d) => clean(&d.code).chars().count(),
            })
            .chain([tr(lang, "col.code").chars().count(), 9])
            .max()
            .unwrap_or(9);
        let status = rows
            .iter()
            .map(|r| row_status(lang, r).chars().count())
            .chain([tr(lang, "col.status").chars().count().saturating_sub(2)])
            .max()
            .unwrap_or(10)
            .min(24);
        let kind = [
            tr(lang, "col.type"),
            tr(lang, "badge.ticket"),
            tr(lang, "badge.dossier"),
        ]
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(3);
        // date 16, type, code, mark and status, four gaps.
        let used = 16 + 1 + kind + 1 + code + 1 + 2 + status + 1;
        Columns {
            kind,
            code,
            status,
            subject: w.saturating_sub(used),
        }
    }

    fn header(&self, lang: Lang) -> String {
        format!(
            "{} {} {} {} {}",
            fit(tr(lang, "col.date"), 16),
            fit(tr(lang, "col.type"), self.kind),
            fit(tr(lang, "col.code"), self.code),
            fit(tr(lang, "col.status"), self.status + 2),
            fit(tr(lang, "col.subject"), self.subject),
        )
    }

    fn row<'a>(
        &self,
        lang: Lang,
        row: &CallerRow,
        sel: bool,
        state: &State,
        theme: &Theme,
    ) -> Vec<Span<'a>> {
        let base = if sel { theme.selected() } else { theme.base() };
        let status = row_status(lang, row);
        match row {
            CallerRow::Ticket(t) => {
                let sla = crate::domain::clocks::sla_state(t, &state.policy, state.now);
                vec![
                    Span::styled(format!("{} ", t.created_at.short()), base),
                    Span::styled(
                        format!("{} ", fit(tr(lang, "badge.ticket"), self.kind)),
                        if sel {
                            base
                        } else {
                            theme.badge(crate::search::DocKind::Ticket)
                        },
                    ),
                    Span::styled(format!("{} ", fit(&t.id.to_string(), self.code)), base),
                    Span::styled(
                        format!("{} {} ", sla_symbol(sla), fit(&status, self.status)),
                        if sel { base } else { theme.sla(sla) },
                    ),
                    Span::styled(fit(&clean(&t.subject), self.subject), base),
                ]
            }
            CallerRow::Dossier(d) => {
                let overdue = d.is_overdue(state.now);
                vec![
                    Span::styled(format!("{} ", d.received_at.short()), base),
                    Span::styled(
                        format!("{} ", fit(tr(lang, "badge.dossier"), self.kind)),
                        if sel {
                            base
                        } else {
                            theme.badge(crate::search::DocKind::Dossier)
                        },
                    ),
                    Span::styled(format!("{} ", fit(&clean(&d.code), self.code)), base),
                    Span::styled(
                        format!(
                            "{} {} ",
                            if overdue { "‼" } else { " " },
                            fit(&status, self.status)
                        ),
                        if sel || !overdue { base } else { theme.error() },
                    ),
                    Span::styled(fit(&clean(&d.procedure_name), self.subject), base),
                ]
            }
        }
    }
}

fn row_status(lang: Lang, row: &CallerRow) -> String {
    match row {
        CallerRow::Ticket(t) => i18n::status_label(lang, t.status).to_string(),
        CallerRow::Dossier(d) => match lang {
            Lang::Vi => d.status.label_vi(),
            Lang::En => d.status.label_en(),
        }
        .to_string(),
    }
}
