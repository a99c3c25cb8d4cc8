//! A single- or multi-line text input with a cursor (char-indexed, so
//! Vietnamese text never splits inside a character).

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Cursor position in chars.
    cursor: usize,
}

impl TextInput {
    pub fn new(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn byte(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn insert(&mut self, c: char) {
        let b = self.byte(self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    /// Inserts pasted or typed text; control characters are dropped, newlines
    /// kept only when `multiline`.
    pub fn insert_str(&mut self, s: &str, multiline: bool) {
        let clean = crate::text::strip_controls(s, multiline);
        for c in clean.chars() {
            self.insert(c);
        }
    }

    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        let b = self.byte(self.cursor);
        self.text.remove(b);
        true
    }

    pub fn delete(&mut self) -> bool {
        if self.cursor >= self.len() {
            return false;
        }
        let b = self.byte(self.cursor);
        self.text.remove(b);
        true
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    pub fn set(&mut self, s: &str) {
        self.text = s.to_string();
        self.cursor = self.len();
    }

    /// Text before the cursor (for drawing the cursor position).
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.byte(self.cursor)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_character_not_byte() {
        let mut i = TextInput::new("Phường");
        i.backspace();
        assert_eq!(i.text(), "Phườn");
        i.home();
        i.right();
        i.insert('x');
        assert_eq!(i.text(), "Pxhườn");
        i.end();
        i.left();
        assert!(i.delete());
        assert_eq!(i.text(), "Pxhườ");
        i.insert_str("a\u{1b}[2Jb\nc", false);
        assert_eq!(i.text(), "Pxhườab c");
    }
}
