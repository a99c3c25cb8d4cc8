//! Drawing form fields (the ticket form and the action dialogs): one row per
//! field with its label, value and inline error; a multi-line description; the
//! ward picker's suggestions under the ward field.

use super::theme::Theme;
use super::widgets::{clean, fit, input_text};
use crate::tui::i18n::{tr, Lang};
use crate::tui::state::editor::Editor;
use crate::tui::state::fields::{DossierCheck, Field, FieldKind};
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

pub const LABEL_WIDTH: usize = 18;

/// Rows a field takes in `width` columns: its value, then its error wrapped
/// under the value (the editor shows its error inside its own rows).
pub fn height(f: &Field, multiline_rows: u16, width: u16) -> u16 {
    if f.is_multiline() {
        return multiline_rows;
    }
    1 + error_rows(f, width)
}

/// Rows the error of a one-line field takes under it.
pub fn error_rows(f: &Field, width: u16) -> u16 {
    let room = (width as usize).saturating_sub(LABEL_WIDTH).max(1);
    match f.error.as_deref().map(clean) {
        Some(e) if !e.is_empty() => e.chars().count().div_ceil(room) as u16,
        _ => 0,
    }
}

/// Draws `fields` top to bottom in `area`; returns where the ward suggestions go, if open.
pub fn draw_fields(
    frame: &mut Frame,
    area: Rect,
    fields: &[Field],
    focus: usize,
    lang: Lang,
    theme: &Theme,
    multiline_rows: u16,
) {
    let mut y = area.y;
    let mut popup: Option<(Rect, &Field)> = None;
    for (i, f) in fields.iter().enumerate() {
        let h = height(f, multiline_rows, area.width);
        if y + h > area.y + area.height {
            break;
        }
        let focused = i == focus;
        let row = Rect::new(area.x, y, area.width, h);
        draw_field(frame, row, f, focused, lang, theme);
        let ward_list =
            matches!(&f.kind, FieldKind::Ward { suggestions, .. } if !suggestions.is_empty());
        if focused && (ward_list || f.picker_open()) {
            popup = Some((row, f));
        }
        y += h;
    }
    if let Some((row, f)) = popup {
        if f.is_picker() {
            draw_picker_matches(frame, area, row, f, lang, theme);
        } else {
            draw_ward_suggestions(frame, area, row, f, lang, theme);
        }
    }
}

fn draw_field(frame: &mut Frame, row: Rect, f: &Field, focused: bool, lang: Lang, theme: &Theme) {
    let width = row.width as usize;
    let marker = if focused { "▶ " } else { "  " };
    let req = if f.required { "*" } else { "" };
    let label = fit(
        &format!("{marker}{}{req}", tr(lang, f.id.label_key())),
        LABEL_WIDTH,
    );
    let label_style = if focused {
        theme.label().add_modifier(Modifier::BOLD)
    } else {
        theme.label()
    };
    let err_text = f.error.as_deref().map(clean).unwrap_or_default();
    let value_w = width.saturating_sub(LABEL_WIDTH);
    let value_style = if focused {
        theme.selected()
    } else {
        theme.base()
    };
    let mut cursor: Option<u16> = None;
    let mut lines: Vec<Line> = Vec::new();
    match &f.kind {
        FieldKind::Editor(editor) => {
            draw_editor(
                frame,
                row,
                editor,
                focused,
                &label,
                label_style,
                &err_text,
                theme,
            );
            return;
        }
        FieldKind::Text { input, .. }
        | FieldKind::Ward { input, .. }
        | FieldKind::Dossiers { input, .. } => {
            let (shown, col) = input_text(input, value_w.saturating_sub(1));
            let mut value = shown;
            if let FieldKind::Ward {
                selected: Some(code),
                ..
            } = &f.kind
            {
                if !focused {
                    value = format!("{value} ({code})");
                }
            }
            if let FieldKind::Dossiers { checks, .. } = &f.kind {
                // Codes found in the dossier store, counted after the text
                // (the cursor stays where it is).
                let known = f
                    .codes()
                    .iter()
                    .filter(|c| checks.get(*c) == Some(&DossierCheck::Known))
                    .count();
                if known > 0 {
                    value = format!("{value}  ✓{known}");
                }
            }
            if focused {
                cursor = Some(col);
            }
            let spans = vec![
                Span::styled(label, label_style),
                Span::styled(fit(&value, value_w), value_style),
            ];
            lines.push(Line::from(spans));
        }
        FieldKind::Choice {
            options,
            index,
            filter,
        } => {
            let v = options.get(*index).map(|o| o.label(lang)).unwrap_or("");
            let shown = if focused && !filter.is_empty() {
                // The typed filter, then what enter would pick.
                let (typed, col) = input_text(filter, value_w.saturating_sub(1) / 2);
                cursor = Some(col + 2);
                let pick = if f.matches().is_empty() {
                    tr(lang, "form.no_match").to_string()
                } else {
                    format!("→ {v}")
                };
                format!("⌕ {typed}  {pick}")
            } else if focused {
                format!("◀ {v} ▶")
            } else {
                v.to_string()
            };
            let spans = vec![
                Span::styled(label, label_style),
                Span::styled(fit(&shown, value_w), value_style),
            ];
            lines.push(Line::from(spans));
        }
    }
    if !err_text.is_empty() {
        // The error under the value, wrapped in the value's column.
        let room = value_w.max(1);
        let chars: Vec<char> = err_text.chars().collect();
        for chunk in chars.chunks(room) {
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(LABEL_WIDTH)),
                Span::styled(chunk.iter().collect::<String>(), theme.error()),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), row);
    if let Some(col) = cursor {
        frame.set_cursor_position(Position::new(row.x + LABEL_WIDTH as u16 + col, row.y));
    }
}

fn draw_ward_suggestions(
    frame: &mut Frame,
    bounds: Rect,
    row: Rect,
    f: &Field,
    lang: Lang,
    theme: &Theme,
) {
    let FieldKind::Ward {
        suggestions,
        cursor,
        ..
    } = &f.kind
    else {
        return;
    };
    let x = row.x + LABEL_WIDTH as u16;
    let w = row.width.saturating_sub(LABEL_WIDTH as u16).min(60);
    let h = (suggestions.len() as u16).min(bounds.y + bounds.height - (row.y + 1));
    if h == 0 {
        return;
    }
    let area = Rect::new(x, row.y + 1, w, h);
    frame.render_widget(Clear, area);
    let lines: Vec<Line> = suggestions
        .iter()
        .take(h as usize)
        .enumerate()
        .map(|(i, s)| {
            let text = match &s.former {
                Some(old) => format!(
                    "{} ← {} {}",
                    clean(&s.name),
                    tr(lang, "form.formerly"),
                    clean(old)
                ),
                None => clean(&s.name),
            };
            let (style, mark) = if i == *cursor {
                (theme.selected(), "▸ ")
            } else {
                (theme.status_bar(), "  ")
            };
            Line::styled(fit(&format!("{mark}{text}"), w as usize), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The options a picker's filter matches, under the field, the chosen one marked.
fn draw_picker_matches(
    frame: &mut Frame,
    bounds: Rect,
    row: Rect,
    f: &Field,
    lang: Lang,
    theme: &Theme,
) {
    let FieldKind::Choice { options, index, .. } = &f.kind else {
        return;
    };
    let matches = f.matches();
    let x = row.x + LABEL_WIDTH as u16;
    let w = row.width.saturating_sub(LABEL_WIDTH as u16).min(60);
    let room = (bounds.y + bounds.height).saturating_sub(row.y + 1);
    let h = (matches.len() as u16).min(room).min(8);
    if h == 0 {
        return;
    }
    // Keep the chosen option in view.
    let at = matches.iter().position(|i| i == index).unwrap_or(0);
    let first = at.saturating_sub(h as usize - 1);
    let area = Rect::new(x, row.y + 1, w, h);
    frame.render_widget(Clear, area);
    let lines: Vec<Line> = matches
        .iter()
        .skip(first)
        .take(h as usize)
        .map(|i| {
            let label = options
                .get(*i)
                .map(|o| clean(o.label(lang)))
                .unwrap_or_default();
            let (style, mark) = if i == index {
                (theme.selected(), "▸ ")
            } else {
                (theme.status_bar(), "  ")
            };
            Line::styled(fit(&format!("{mark}{label}"), w as usize), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The description editor: label and a character count against the limit on
/// the left, the wrapped text on the right, an error under it.
#[allow(clippy::too_many_arguments)]
fn draw_editor(
    frame: &mut Frame,
    row: Rect,
    editor: &Editor,
    focused: bool,
    label: &str,
    label_style: ratatui::style::Style,
    err_text: &str,
    theme: &Theme,
) {
    let count = format!("  {}/{}", editor.chars(), editor.limit());
    let count_style = if editor.chars() >= editor.limit() {
        theme.error()
    } else {
        theme.dim()
    };
    let left = Rect::new(
        row.x,
        row.y,
        (LABEL_WIDTH as u16).min(row.width),
        row.height,
    );
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(label.to_string(), label_style),
            Line::styled(fit(&count, LABEL_WIDTH), count_style),
        ]),
        left,
    );
    let err_rows = u16::from(!err_text.is_empty() && row.height > 1);
    let text_area = Rect::new(
        row.x + left.width,
        row.y,
        row.width.saturating_sub(left.width),
        row.height - err_rows,
    );
    let mut widget = editor.widget_area(focused);
    // Not the selection colour: the editor's own cursor is drawn reversed.
    widget.set_style(if focused {
        theme.base()
    } else {
        theme.dim().patch(theme.base())
    });
    frame.render_widget(&widget, text_area);
    if err_rows > 0 {
        let under = Rect::new(
            text_area.x,
            text_area.y + text_area.height,
            text_area.width,
            1,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(
                fit(err_text, under.width as usize),
                theme.error(),
            )),
            under,
        );
    }
}
