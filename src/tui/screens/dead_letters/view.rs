//! The dashboard's panel of notifications that gave up: drawn above the
//! figures only while there are any; Enter on one sends it again.

use crate::tui::i18n::{tr, trf};
use crate::tui::state::State;
use crate::tui::ui::theme::Theme;
use crate::tui::ui::widgets::{block, clean, fit};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Rows of the panel at most; the list scrolls to the selected one.
const ROWS: usize = 4;

/// Draws the panel at the top of `body` (nothing when there is no dead
/// letter) and returns the rest of `body`.
pub fn draw(
    f: &mut Frame,
    body: Rect,
    state: &State,
    theme: &Theme,
    selected: Option<usize>,
) -> Rect {
    let letters = &state.dead_letters.letters;
    if letters.is_empty() || body.height < 8 {
        return body;
    }
    let lang = state.lang;
    let shown = letters.len().min(ROWS);
    let [panel, rest] =
        Layout::vertical([Constraint::Length(shown as u16 + 2), Constraint::Min(0)]).areas(body);
    let blk = block(
        &trf(lang, "dash.dead_letters", &[&letters.len().to_string()]),
        selected.is_some(),
        theme,
    );
    let inner = blk.inner(panel);
    f.render_widget(blk, panel);
    let first = selected.map_or(0, |s| s.saturating_sub(shown - 1));
    let width = inner.width as usize;
    let lines: Vec<Line> = letters
        .iter()
        .enumerate()
        .skip(first)
        .take(shown)
        .map(|(i, d)| {
            let style = if Some(i) == selected {
                theme.selected()
            } else {
                theme.base()
            };
            let head = format!(
                "{}  {}  {}  {}× ",
                d.ticket,
                match d.kind {
                    Some(k) => tr(lang, &format!("dash.dead.{}", k.slug())),
                    None => tr(lang, "dash.dead.unreadable"),
                },
                clean(&d.endpoint),
                d.attempts
            );
            let rest = width.saturating_sub(crate::tui::ui::widgets::width(&head));
            Line::from(vec![
                Span::styled(
                    fit(&head, width.min(crate::tui::ui::widgets::width(&head))),
                    style,
                ),
                Span::styled(fit(&clean(&d.error), rest), theme.error()),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
    rest
}
