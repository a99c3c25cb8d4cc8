//! Overlays drawn over the screen: help, palette, action dialogs, questions.

use super::fields::draw_fields;
use super::layout::centered;
use super::theme::Theme;
use super::widgets::{block, clean, fit, input_box, wrap_words};
use crate::tui::i18n::tr;
use crate::tui::state::{Confirm, Dialog, HelpState, PaletteState, State};
use crate::tui::update::{help_rows, palette_items};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn help(f: &mut Frame, area: Rect, state: &State, h: &HelpState, theme: &Theme) {
    let lang = state.lang;
    let r = centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, r);
    let b = block(tr(lang, "help.title"), true, theme);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let [input, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(inner);
    input_box(
        f,
        input,
        tr(lang, "help.filter"),
        &h.filter,
        tr(lang, "help.filter_placeholder"),
        true,
        theme,
    );
    let rows = help_rows(state);
    let w = list.width as usize;
    let mut lines = Vec::new();
    let mut last = None;
    for row in &rows {
        if last != Some(row.context) {
            lines.push(Line::styled(
                format!("[{}]", tr(lang, &format!("context.{}", row.context.name()))),
                theme.title(),
            ));
            last = Some(row.context);
        }
        // Long descriptions go on under themselves rather than being cut.
        let desc = wrap_words(&row.desc, w.saturating_sub(38));
        let mut desc = desc.into_iter();
        lines.push(Line::from(vec![
            Span::styled(fit(&format!("  {}", row.keys), 18), theme.highlight()),
            Span::styled(fit(&row.label, 20), theme.label()),
            Span::raw(desc.next().unwrap_or_default()),
        ]));
        lines.extend(desc.map(|more| Line::raw(format!("{:38}{more}", ""))));
    }
    if rows.is_empty() {
        lines.push(Line::styled(tr(lang, "help.none"), theme.dim()));
    }
    let max_scroll = lines.len().saturating_sub(list.height as usize);
    let scroll = h.scroll.min(max_scroll) as u16;
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), list);
}

pub fn palette(f: &mut Frame, area: Rect, state: &State, p: &PaletteState, theme: &Theme) {
    let lang = state.lang;
    let w = area.width.saturating_sub(10).min(90);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + 2,
        w,
        area.height.saturating_sub(6).min(18),
    );
    f.render_widget(Clear, r);
    let b = block(tr(lang, "palette.title"), true, theme);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let [input, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(inner);
    input_box(
        f,
        input,
        ":",
        &p.input,
        tr(lang, "palette.placeholder"),
        true,
        theme,
    );
    let items = palette_items(state);
    let h = list.height as usize;
    let off = super::layout::list_offset(p.cursor.selected, h);
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, it)| {
            let style = if i == p.cursor.selected {
                theme.selected()
            } else {
                theme.base()
            };
            Line::styled(fit(&it.label(lang), list.width as usize), style)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), list);
}

pub fn dialog(f: &mut Frame, area: Rect, state: &State, d: &Dialog, theme: &Theme) {
    let lang = state.lang;
    let inner_w = area.width.saturating_sub(6).min(96).saturating_sub(2);
    let h = d
        .fields
        .iter()
        .map(|x| crate::tui::ui::fields::height(x, 1, inner_w))
        .sum::<u16>()
        + 6;
    let r = centered(
        area,
        area.width.saturating_sub(6).min(96),
        h.min(area.height),
    );
    f.render_widget(Clear, r);
    let title = match d.letter {
        // An unreadable dead letter names no ticket.
        Some(l) if d.ticket.0 == 0 => format!("{} — #{l}", tr(lang, &d.action.hint_key())),
        Some(l) => format!("{} — #{l} {}", tr(lang, &d.action.hint_key()), d.ticket),
        None => format!("{} — {}", tr(lang, &d.action.hint_key()), d.ticket),
    };
    let b = block(&title, true, theme);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let [desc, fields, msg] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    f.render_widget(
        Paragraph::new(Line::styled(tr(lang, &d.action.desc_key()), theme.dim())),
        desc,
    );
    draw_fields(f, fields, &d.fields, d.focus, lang, theme, 1);
    // The ticket a cancel points at, named before the cancel is confirmed.
    if let Some((id, crate::tui::state::Peek::Found(subject))) = &d.target {
        let y = fields.y
            + d.fields
                .iter()
                .map(|x| crate::tui::ui::fields::height(x, 1, fields.width))
                .sum::<u16>();
        if y < fields.y + fields.height {
            let row = Rect::new(fields.x, y, fields.width, 1);
            let text = format!(
                "{}→ {id} · {}",
                " ".repeat(crate::tui::ui::fields::LABEL_WIDTH),
                clean(subject)
            );
            f.render_widget(
                Paragraph::new(Line::styled(
                    fit(&text, row.width as usize),
                    theme.highlight(),
                )),
                row,
            );
        }
    }
    use crate::tui::action::Action;
    let line = crate::tui::ui::form_status_line(
        state,
        theme,
        d.busy,
        d.error.as_deref(),
        "dialog.help",
        &[
            Action::NextField,
            Action::Save,
            Action::ChoicePrev,
            Action::ChoiceNext,
            Action::Back,
        ],
    );
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), msg);
}

pub fn confirm(f: &mut Frame, area: Rect, state: &State, c: Confirm, theme: &Theme) {
    let lang = state.lang;
    let key = match c {
        Confirm::LeaveForm => "confirm.leave_form",
        Confirm::QuitDirty => "confirm.quit_dirty",
        Confirm::BothChanged => return both_changed(f, area, state, theme),
    };
    let r = centered(area, 60, 6);
    f.render_widget(Clear, r);
    let b = block(tr(lang, "confirm.title"), true, theme);
    let inner = b.inner(r);
    f.render_widget(b, r);
    f.render_widget(
        Paragraph::new(vec![
            Line::raw(tr(lang, key)),
            Line::raw(""),
            Line::styled(tr(lang, "confirm.keys"), theme.label()),
        ])
        .wrap(Wrap { trim: true }),
        inner,
    );
}

/// "Both of you changed this field": their value next to this user's.
fn both_changed(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    use crate::tui::state::merge::shown;
    let lang = state.lang;
    let Some((merge, ask)) = state
        .form
        .as_ref()
        .and_then(|form| form.merge.as_ref())
        .and_then(|m| m.asks.first().map(|a| (m, a)))
    else {
        return;
    };
    let by = crate::text::clean_line(&merge.by);
    let r = centered(area, 70, 9);
    f.render_widget(Clear, r);
    let b = block(tr(lang, "merge.title"), true, theme);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let value = |field| crate::text::clean_line(&shown(field, lang));
    f.render_widget(
        Paragraph::new(vec![
            Line::raw(crate::tui::i18n::trf(
                lang,
                "merge.both_changed",
                &[&by, tr(lang, ask.field.label_key())],
            )),
            Line::raw(format!("{by}: {}", value(&ask.theirs))),
            Line::raw(format!("{}: {}", tr(lang, "merge.you"), value(&ask.mine))),
            Line::raw(""),
            Line::styled(tr(lang, "merge.keys"), theme.label()),
        ])
        .wrap(Wrap { trim: true }),
        inner,
    );
}
