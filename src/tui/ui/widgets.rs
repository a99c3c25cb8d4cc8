//! Small drawing helpers shared by the screens.

use super::theme::Theme;
use crate::tui::state::TextInput;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};
use ratatui::Frame;

/// A field line: the label in the label style, then the value.
pub fn kv<'a>(theme: &Theme, k: &str, v: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k}: "), theme.label()),
        Span::raw(v),
    ])
}

/// The working time left (negative: over) on the clock that matters most
/// (see [`crate::domain::clocks::headline`]), while it runs; `None` when it
/// is stopped, met or there is none.
pub fn time_left(
    lang: crate::tui::i18n::Lang,
    views: &[crate::domain::ClockView],
) -> Option<String> {
    use crate::domain::ClockState;
    crate::domain::clocks::headline(views)
        .filter(|v| {
            matches!(
                v.state,
                ClockState::Running | ClockState::Warning | ClockState::Breached
            )
        })
        .map(|v| crate::tui::i18n::working_duration(lang, v.remaining_secs, v.working_day_secs))
}

/// Outside text, made safe to draw (no control or escape characters, one line).
pub fn clean(s: &str) -> String {
    crate::text::clean_line(s)
}

/// Columns `s` takes (one per character, as `fit` counts them).
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Cuts `s` to `width` columns (with `…`) or pads it with spaces.
pub fn fit(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n > width {
        if width == 0 {
            return String::new();
        }
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    } else {
        let mut out = s.to_string();
        out.extend(std::iter::repeat_n(' ', width - n));
        out
    }
}

/// `s` in lines of at most `width` characters, broken between words (a
/// word longer than a line is cut into pieces); at least one line.
pub fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() <= width {
            line.push(' ');
            line.extend(&word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line = word.into_iter().collect();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn block<'a>(title: &str, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        theme.focus_border()
    } else {
        theme.border()
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Span::styled(format!(" {title} "), theme.title()))
}

/// `title` with the characters at `highlights` (char indices) emphasised.
pub fn highlighted<'a>(title: &str, highlights: &[usize], base: Style, hi: Style) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let mut cur = String::new();
    let mut cur_hi = false;
    for (i, c) in title.chars().enumerate() {
        let h = highlights.contains(&i);
        if h != cur_hi && !cur.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut cur),
                if cur_hi { hi } else { base },
            ));
        }
        cur_hi = h;
        cur.push(c);
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, if cur_hi { hi } else { base }));
    }
    spans
}

/// Draws a one-line text input in a bordered box; places the cursor when focused.
pub fn input_box(
    f: &mut Frame,
    area: Rect,
    title: &str,
    input: &TextInput,
    placeholder: &str,
    focused: bool,
    theme: &Theme,
) {
    let b = block(title, focused, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let (text, style) = if input.is_empty() {
        (placeholder.to_string(), theme.dim())
    } else {
        (input.text().to_string(), theme.base())
    };
    let before = input.before_cursor().chars().count() as u16;
    // Scroll so the cursor stays visible.
    let skip = before.saturating_sub(inner.width.saturating_sub(1));
    let shown: String = text.chars().skip(skip as usize).collect();
    f.render_widget(Paragraph::new(Line::styled(shown, style)), inner);
    if focused {
        f.set_cursor_position(Position::new(inner.x + before - skip, inner.y));
    }
}

/// The value of an input for a form row (one line; the cursor column if focused).
pub fn input_text(input: &TextInput, width: usize) -> (String, u16) {
    let before = input.before_cursor().chars().count();
    let skip = before.saturating_sub(width.saturating_sub(1));
    let shown: String = input
        .text()
        .chars()
        .skip(skip)
        .map(|c| if c == '\n' { '⏎' } else { c })
        .take(width)
        .collect();
    (shown, (before - skip) as u16)
}

#[cfg(test)]
mod wrap_tests {
    use super::wrap_words;

    #[test]
    fn words_wrap_at_the_width_and_long_words_are_cut() {
        assert_eq!(
            wrap_words("Tạm dừng về shell; fg để quay lại màn hình", 16),
            ["Tạm dừng về", "shell; fg để", "quay lại màn", "hình"]
        );
        assert_eq!(wrap_words("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert_eq!(wrap_words("", 10), [""]);
    }
}
