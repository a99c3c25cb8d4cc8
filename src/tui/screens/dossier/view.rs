//! Dossier: procedure, applicant (phone masked), ward, received and due dates
//! with the overdue state, portal, sync and payment state, and every ticket
//! that links it.

use crate::tui::i18n::{self, tr, trf, Lang};
use crate::tui::refdata::ward_label;
use crate::tui::state::State;
use crate::tui::ui::theme::{sla_symbol, Theme};
use crate::tui::ui::widgets::{block, clean, fit, kv};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let Some(ds) = &state.dossier else {
        return;
    };
    let Some(d) = &ds.dossier else {
        let text = match &ds.error {
            Some(e) => Line::styled(clean(e), theme.error()),
            None => Line::styled(tr(lang, "common.loading"), theme.dim()),
        };
        f.render_widget(Paragraph::new(text), body);
        return;
    };
    let [facts, list] = Layout::vertical([Constraint::Length(11), Constraint::Min(3)]).areas(body);
    let b = block(
        &trf(lang, "dossier.title", &[&clean(&d.code)]),
        false,
        theme,
    );
    let inner = b.inner(facts);
    f.render_widget(b, facts);
    let overdue = d.is_overdue(state.now);
    let due_state = if overdue {
        Span::styled(format!(" ‼ {}", tr(lang, "dossier.late")), theme.error())
    } else {
        Span::styled(format!(" ● {}", tr(lang, "dossier.in_time")), theme.ok())
    };
    let status = match lang {
        Lang::Vi => d.status.label_vi(),
        Lang::En => d.status.label_en(),
    };
    let (sync, payment) = match lang {
        Lang::Vi => (d.sync.label_vi(), d.payment.label_vi()),
        Lang::En => (d.sync.label_en(), d.payment.label_en()),
    };
    let phone = d
        .applicant_phone
        .as_ref()
        .map(|p| p.masked())
        .unwrap_or_else(|| "—".into());
    let mut lines = vec![
        kv(
            theme,
            tr(lang, "dossier.procedure"),
            format!(
                "{} · {}",
                clean(&d.procedure_code),
                clean(&d.procedure_name)
            ),
        ),
        kv(
            theme,
            tr(lang, "dossier.applicant"),
            format!("{} · {phone}", clean(&d.applicant_name)),
        ),
        kv(theme, tr(lang, "field.ward"), ward_label(d.ward)),
        kv(theme, tr(lang, "dossier.received"), d.received_at.short()),
        Line::from(vec![
            Span::styled(format!("{}: ", tr(lang, "dossier.due")), theme.label()),
            Span::raw(d.due_at.short()),
            due_state,
        ]),
    ];
    if let Some(done) = d.finished_at {
        lines.push(kv(theme, tr(lang, "dossier.finished"), done.short()));
    }
    lines.push(kv(theme, tr(lang, "dossier.portal"), status.to_string()));
    lines.push(kv(
        theme,
        tr(lang, "dossier.sync"),
        format!("{sync} · {}: {payment}", tr(lang, "dossier.payment")),
    ));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);

    let b = block(
        &trf(lang, "dossier.tickets", &[&ds.tickets.len().to_string()]),
        true,
        theme,
    );
    let inner = b.inner(list);
    f.render_widget(b, list);
    if ds.tickets.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled(tr(lang, "dossier.no_tickets"), theme.dim())),
            inner,
        );
        return;
    }
    let h = inner.height as usize;
    let off = crate::tui::ui::layout::list_offset(ds.cursor.selected, h);
    let w = inner.width as usize;
    let rows: Vec<Line> = ds
        .tickets
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, t)| {
            let sla = crate::domain::clocks::sla_state(t, &state.policy, state.now);
            let style = if i == ds.cursor.selected {
                theme.selected()
            } else {
                theme.base()
            };
            let status = i18n::status_label(lang, t.status);
            let lead = format!("{} {} {} ", t.id, sla_symbol(sla), fit(status, 17));
            let rest = w.saturating_sub(lead.chars().count());
            Line::from(vec![
                Span::styled(lead, style),
                Span::styled(fit(&clean(&t.subject), rest), style),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(rows), inner);
}
