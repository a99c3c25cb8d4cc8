//! The multi-line description editor: ratatui-textarea (maintained by the
//! ratatui organisation) with soft wrapping, cursor movement in all
//! directions, paste, and a hard limit on the number of characters.

use ratatui_textarea::{CursorMove, TextArea, WrapMode};

#[derive(Debug, Clone)]
pub struct Editor {
    area: TextArea<'static>,
    limit: usize,
}

/// Two editors are equal when they hold the same text with the cursor at the
/// same place (the widget's styles and scroll position are drawing details).
impl PartialEq for Editor {
    fn eq(&self, other: &Editor) -> bool {
        self.area.lines() == other.area.lines()
            && self.area.cursor() == other.area.cursor()
            && self.limit == other.limit
    }
}

impl Editor {
    /// An editor holding `text` (cursor at its end) that takes at most `limit` characters.
    pub fn new(text: &str, limit: usize) -> Editor {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut area = TextArea::new(lines);
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        Editor { area, limit }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Characters typed so far (a line break counts as one).
    pub fn chars(&self) -> usize {
        let lines = self.area.lines();
        lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len().saturating_sub(1)
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    fn room(&self) -> usize {
        self.limit.saturating_sub(self.chars())
    }

    /// Types one character (a newline breaks the line). False when the limit is reached.
    pub fn insert(&mut self, c: char) -> bool {
        if self.room() == 0 || (c.is_control() && c != '\n') {
            return false;
        }
        if c == '\n' {
            self.area.insert_newline();
        } else {
            self.area.insert_char(c);
        }
        true
    }

    /// Pastes as much of `text` as fits; returns whether all of it did.
    pub fn paste(&mut self, text: &str) -> bool {
        let clean = crate::text::strip_controls(text, true);
        let room = self.room();
        let fits: String = clean.chars().take(room).collect();
        self.area.insert_str(&fits);
        fits.chars().count() == clean.chars().count()
    }

    pub fn backspace(&mut self) -> bool {
        self.area.delete_char()
    }

    pub fn delete(&mut self) -> bool {
        self.area.delete_next_char()
    }

    pub fn clear(&mut self) -> bool {
        let had = !self.area.is_empty();
        *self = Editor::new("", self.limit);
        had
    }

    /// Moves the cursor; false when it could not move (up on the first line,
    /// down on the last), so the caller may move to another field instead.
    pub fn move_cursor(&mut self, m: CursorMove) -> bool {
        let before = self.area.cursor();
        self.area.move_cursor(m);
        self.area.cursor() != before
    }

    /// The widget as drawn: `cursor` shows where typing goes.
    pub fn widget_area(&self, cursor: bool) -> TextArea<'static> {
        let mut a = self.area.clone();
        a.set_cursor_line_style(ratatui::style::Style::default());
        if !cursor {
            a.set_cursor_style(ratatui::style::Style::default());
        }
        a
    }

    pub fn cursor(&self) -> (usize, usize) {
        let c = self.area.cursor();
        (c.0, c.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_for_typing_and_paste() {
        let mut e = Editor::new("ab", 5);
        assert!(e.insert('c'));
        assert!(!e.paste("defg"));
        assert_eq!(e.text(), "abcde");
        assert!(!e.insert('x'));
        assert_eq!(e.chars(), 5);
    }

    #[test]
    fn lines_and_cursor_moves() {
        let mut e = Editor::new("một\nhai", 100);
        assert_eq!(e.cursor(), (1, 3));
        assert!(e.move_cursor(CursorMove::Up));
        assert!(!e.move_cursor(CursorMove::Up));
        e.insert('!');
        assert_eq!(e.text(), "một!\nhai");
        assert_eq!(e.chars(), 8);
    }
}
