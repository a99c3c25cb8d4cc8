//! The search screen: input, results with type badges and highlighted
//! matches, and a preview of the selected result.

use crate::search::{DocKind, Hit};
use crate::tui::i18n::{self, tr, trf, Lang};
use crate::tui::refdata::ward_label;
use crate::tui::state::{Focus, Preview, State};
use crate::tui::ui::layout;
use crate::tui::ui::theme::{sla_symbol, Theme};
use crate::tui::ui::widgets::{block, clean, fit, highlighted, input_box, kv, time_left};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn badge(lang: Lang, k: DocKind) -> &'static str {
    match k {
        DocKind::Dossier => tr(lang, "badge.dossier"),
        DocKind::Ticket => tr(lang, "badge.ticket"),
        DocKind::Ward => tr(lang, "badge.ward"),
        DocKind::Procedure => tr(lang, "badge.procedure"),
    }
}

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let (input, list, preview) = layout::search(body);
    input_box(
        f,
        input,
        tr(lang, "search.title"),
        &state.search.input,
        tr(lang, "search.placeholder"),
        state.search.focus == Focus::Input && state.overlay.is_none(),
        theme,
    );
    draw_results(f, list, state, theme);
    draw_preview(f, preview, state, theme);
}

fn draw_results(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let s = &state.search;
    let title = match &s.results {
        // No count while the index is not ready: "0 results" would be a lie.
        Some(r) if r.index_ready => trf(
            lang,
            "search.results_count",
            &[
                &r.total.to_string(),
                &format!("{:.1}", r.micros as f64 / 1000.0),
            ],
        ),
        _ => tr(lang, "search.results").to_string(),
    };
    let b = block(&title, s.focus == Focus::Results, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    // Building or failed: either way the user is told where the index is.
    let index_building = state
        .backend
        .as_ref()
        .is_some_and(|b| b.index_building() || b.index_error.is_some());
    let Some(r) = &s.results else {
        let mut lines = vec![Line::styled(tr(lang, "search.tips_title"), theme.title())];
        for k in ["search.tip1", "search.tip2", "search.tip3"] {
            lines.push(Line::raw(tr(lang, k)));
        }
        {
            use crate::tui::action::Action;
            lines.push(Line::raw(crate::tui::ui::keys_line(
                state,
                crate::tui::keymap::Context::Search,
                "search.tip4",
                &[
                    Action::Open,
                    Action::NextPane,
                    Action::NewTicket,
                    Action::Help,
                ],
            )));
        }
        if index_building {
            lines.push(Line::raw(""));
            lines.push(Line::styled(progress_text(state), theme.dim()));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    };
    if r.hits.is_empty() {
        let mut lines = if !r.index_ready {
            Vec::new()
        } else {
            vec![Line::raw(if s.searching {
                tr(lang, "search.searching")
            } else {
                tr(lang, "search.no_results")
            })]
        };
        if !r.index_ready || index_building {
            lines.push(Line::styled(progress_text(state), theme.dim()));
        }
        if let Some(e) = &s.error {
            lines.push(Line::styled(clean(e), theme.error()));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let h = inner.height as usize;
    let off = layout::list_offset(s.cursor.selected, h);
    let w = inner.width as usize;
    let lines: Vec<Line> = r
        .hits
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, hit)| hit_line(hit, i == s.cursor.selected, w, lang, theme))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn hit_line<'a>(hit: &Hit, selected: bool, width: usize, lang: Lang, theme: &Theme) -> Line<'a> {
    let badge_text = format!("{} ", fit(badge(lang, hit.kind), 3));
    let title = clean(&hit.title);
    let title_w = width.saturating_sub(4);
    let title: String = title.chars().take(title_w).collect();
    let base = if selected {
        theme.selected()
    } else {
        theme.base()
    };
    let hi = if selected {
        theme.selected().patch(theme.highlight())
    } else {
        theme.highlight()
    };
    let mut spans = vec![Span::styled(
        badge_text,
        if selected {
            theme.selected()
        } else {
            theme.badge(hit.kind)
        },
    )];
    spans.extend(highlighted(&title, &hit.highlights, base, hi));
    let used = 4 + title.chars().count();
    if used + 3 < width && subtitle_speaks(lang, hit) {
        let sub = clean(&hit.subtitle);
        spans.push(Span::styled(
            fit(&format!("  {sub}"), width - used),
            if selected {
                theme.selected()
            } else {
                theme.dim()
            },
        ));
    }
    Line::from(spans)
}

pub fn progress_text(state: &State) -> String {
    match &state.backend {
        Some(b) if b.index_error.is_some() => trf(
            state.lang,
            "search.index_failed",
            &[&clean(b.index_error.as_deref().unwrap_or_default())],
        ),
        Some(b) if b.index_progress.1 > 0 => {
            let pct = b.index_progress.0 * 100 / b.index_progress.1.max(1);
            trf(
                state.lang,
                "search.index_building",
                &[
                    &pct.to_string(),
                    &b.index_progress.0.to_string(),
                    &b.index_progress.1.to_string(),
                ],
            )
        }
        _ => tr(state.lang, "search.index_waiting").to_string(),
    }
}

fn draw_preview(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let b = block(tr(lang, "search.preview"), false, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let s = &state.search;
    let hit = s
        .results
        .as_ref()
        .and_then(|r| r.hits.get(s.cursor.selected));
    let Some(hit) = hit else {
        return;
    };
    let mut lines: Vec<Line> = vec![
        Line::styled(
            format!("{} {}", badge(lang, hit.kind), clean(&hit.key)),
            theme.badge(hit.kind),
        ),
        Line::raw(clean(&hit.title)),
    ];
    if subtitle_speaks(lang, hit) {
        lines.push(Line::styled(clean(&hit.subtitle), theme.dim()));
    }
    lines.push(Line::raw(""));
    match s.preview.as_ref().map(|p| &p.2) {
        Some(Preview::Loading) => lines.push(Line::styled(tr(lang, "common.loading"), theme.dim())),
        Some(Preview::Error(e)) => lines.push(Line::styled(clean(e), theme.error())),
        Some(Preview::Ticket(d)) => {
            let t = &d.ticket;
            let views = crate::domain::clocks(t, &state.policy, state.now);
            let sla = crate::domain::clocks::state_of(&views);
            // A time left only means something while the clock runs.
            let left = time_left(lang, &views)
                .map(|l| format!(" · {l}"))
                .unwrap_or_default();
            lines.push(kv(
                theme,
                tr(lang, "field.status"),
                i18n::status_label(lang, t.status).into(),
            ));
            lines.push(kv(
                theme,
                tr(lang, "field.kind"),
                i18n::kind_label(lang, t.kind).into(),
            ));
            lines.push(kv(
                theme,
                tr(lang, "field.caller_name"),
                clean(&t.caller.name),
            ));
            lines.push(kv(theme, tr(lang, "field.caller_phone"), t.masked_phone()));
            lines.push(kv(
                theme,
                tr(lang, "field.ward"),
                t.ward.map(ward_label).unwrap_or_else(|| "—".into()),
            ));
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", tr(lang, "field.sla")), theme.label()),
                Span::styled(
                    format!("{} {}", sla_symbol(sla), i18n::sla_label(lang, sla)),
                    theme.sla(sla),
                ),
                Span::raw(left),
            ]));
            if let Some(ev) = d.events.last() {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    format!("{} {}", ev.at.short(), clean(&ev.by)),
                    theme.dim(),
                ));
                lines.push(Line::raw(clean(
                    &crate::tui::screens::detail::view::describe(lang, &ev.kind),
                )));
            }
        }
        Some(Preview::Dossier(d)) => {
            let st = match lang {
                Lang::Vi => d.status.label_vi(),
                Lang::En => d.status.label_en(),
            };
            let sync = match lang {
                Lang::Vi => d.sync.label_vi(),
                Lang::En => d.sync.label_en(),
            };
            let pay = match lang {
                Lang::Vi => d.payment.label_vi(),
                Lang::En => d.payment.label_en(),
            };
            lines.push(kv(
                theme,
                tr(lang, "dossier.procedure"),
                clean(&d.procedure_name),
            ));
            lines.push(kv(
                theme,
                tr(lang, "dossier.applicant"),
                clean(&d.applicant_name),
            ));
            lines.push(kv(
                theme,
                tr(lang, "field.caller_phone"),
                d.applicant_phone
                    .as_ref()
                    .map(|p| p.masked())
                    .unwrap_or_default(),
            ));
            lines.push(kv(theme, tr(lang, "field.ward"), ward_label(d.ward)));
            lines.push(kv(
                theme,
                tr(lang, "dossier.received"),
                d.received_at.short(),
            ));
            lines.push(kv(theme, tr(lang, "dossier.due"), d.due_at.short()));
            lines.push(kv(
                theme,
                tr(lang, "field.status"),
                format!("{} {st}", d.status.code()),
            ));
            lines.push(kv(theme, tr(lang, "dossier.sync"), sync.into()));
            lines.push(kv(theme, tr(lang, "dossier.payment"), pay.into()));
            if d.is_overdue(state.now) {
                lines.push(Line::styled(
                    format!("‼ {}", tr(lang, "dossier.overdue")),
                    theme.error(),
                ));
            }
        }
        Some(Preview::Plain) | None => {}
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The index words a ticket's or dossier's second line in Vietnamese (status,
/// kind); in English the preview's own lines say it instead.
pub(crate) fn subtitle_speaks(lang: Lang, hit: &crate::search::Hit) -> bool {
    lang == Lang::Vi
        || !matches!(
            hit.kind,
            crate::search::DocKind::Ticket | crate::search::DocKind::Dossier
        )
}
