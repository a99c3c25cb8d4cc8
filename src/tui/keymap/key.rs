//! One key press (`ctrl-r`, `shift-tab`, `G`, `?`) and sequences of them (`"g g"`):
//! parsing from keymap files, display in hints, conversion from crossterm events.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyName {
    Char(char),
    Enter,
    Esc,
    Tab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// A key with modifiers, normalised: a shifted letter is its upper-case char
/// without `shift`; `shift-tab` is `Tab` with `shift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub name: KeyName,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Key {
    pub const fn plain(name: KeyName) -> Key {
        Key {
            name,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    pub const fn char(c: char) -> Key {
        Key::plain(KeyName::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            name: KeyName::Char(c),
            ctrl: true,
            alt: false,
            shift: false,
        }
    }

    /// A printable character typed without ctrl/alt (goes into a focused input).
    pub fn printable(&self) -> Option<char> {
        match self.name {
            KeyName::Char(c) if !self.ctrl && !self.alt => Some(c),
            _ => None,
        }
    }

    fn normalise(mut self) -> Key {
        if let KeyName::Char(c) = self.name {
            let c = if self.shift && c.is_ascii_alphabetic() {
                c.to_ascii_uppercase()
            } else {
                c
            };
            self.name = KeyName::Char(c);
            if c.is_ascii_uppercase() || !c.is_ascii_alphabetic() {
                // `G` already says shift; so do `?`, `:` and the like.
                self.shift = false;
            }
            if self.ctrl && c.is_ascii_uppercase() {
                // ctrl-R and ctrl-r arrive as the same key in most terminals.
                self.name = KeyName::Char(c.to_ascii_lowercase());
            }
        }
        self
    }

    /// From a crossterm key event.
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let m = ev.modifiers;
        let mut key = Key {
            name: KeyName::Enter,
            ctrl: m.contains(KeyModifiers::CONTROL),
            alt: m.contains(KeyModifiers::ALT),
            shift: m.contains(KeyModifiers::SHIFT),
        };
        key.name = match ev.code {
            KeyCode::Char(c) => KeyName::Char(c),
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => {
                key.shift = true;
                KeyName::Tab
            }
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Delete => KeyName::Delete,
            KeyCode::Insert => KeyName::Insert,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::F(n) => KeyName::F(n),
            _ => return None,
        };
        Some(key.normalise())
    }

    /// Parses one key: `ctrl-r`, `alt-x`, `shift-tab`, `G`, `?`, `space`, `f1`, `pgdn`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty key".into());
        }
        let mut key = Key::plain(KeyName::Enter);
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, flag) = if lower.starts_with("ctrl-") {
                ("ctrl-", 0)
            } else if lower.starts_with("alt-") {
                ("alt-", 1)
            } else if lower.starts_with("shift-") {
                ("shift-", 2)
            } else {
                break;
            };
            if rest.len() == prefix.len() {
                break;
            }
            match flag {
                0 => key.ctrl = true,
                1 => key.alt = true,
                _ => key.shift = true,
            }
            rest = &rest[prefix.len()..];
        }
        let mut chars = rest.chars();
        key.name = match (chars.next(), chars.next()) {
            // The arrows as hints and help show them, so a key copied from
            // the screen into a keymap file binds the key it names.
            (Some('↑'), None) => KeyName::Up,
            (Some('↓'), None) => KeyName::Down,
            (Some('←'), None) => KeyName::Left,
            (Some('→'), None) => KeyName::Right,
            (Some(c), None) => KeyName::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => KeyName::Enter,
                "esc" | "escape" => KeyName::Esc,
                "tab" => KeyName::Tab,
                "backtab" => {
                    key.shift = true;
                    KeyName::Tab
                }
                "space" => KeyName::Char(' '),
                "backspace" | "bs" => KeyName::Backspace,
                "delete" | "del" => KeyName::Delete,
                "insert" | "ins" => KeyName::Insert,
                "up" => KeyName::Up,
                "down" => KeyName::Down,
                "left" => KeyName::Left,
                "right" => KeyName::Right,
                "home" => KeyName::Home,
                "end" => KeyName::End,
                "pageup" | "pgup" => KeyName::PageUp,
                "pagedown" | "pgdn" => KeyName::PageDown,
                "minus" => KeyName::Char('-'),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=24).contains(&n) => KeyName::F(n),
                    _ => return Err(format!("unknown key '{s}'")),
                },
                _ => return Err(format!("unknown key '{s}'")),
            },
        };
        Ok(key.normalise())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.name {
            KeyName::Char(' ') => f.write_str("space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::Enter => f.write_str("enter"),
            KeyName::Esc => f.write_str("esc"),
            KeyName::Tab => f.write_str("tab"),
            KeyName::Backspace => f.write_str("backspace"),
            KeyName::Delete => f.write_str("del"),
            KeyName::Insert => f.write_str("ins"),
            KeyName::Up => f.write_str("↑"),
            KeyName::Down => f.write_str("↓"),
            KeyName::Left => f.write_str("←"),
            KeyName::Right => f.write_str("→"),
            KeyName::Home => f.write_str("home"),
            KeyName::End => f.write_str("end"),
            KeyName::PageUp => f.write_str("pgup"),
            KeyName::PageDown => f.write_str("pgdn"),
            KeyName::F(n) => write!(f, "f{n}"),
        }
    }
}

/// A key sequence such as `g g`.
pub type Chord = Vec<Key>;

pub fn parse_chord(s: &str) -> Result<Chord, String> {
    let keys: Result<Vec<Key>, String> = s.split_whitespace().map(Key::parse).collect();
    let keys = keys?;
    if keys.is_empty() {
        return Err("empty key".into());
    }
    if keys.len() > 4 {
        return Err(format!("'{s}' is longer than 4 keys"));
    }
    Ok(keys)
}

pub fn chord_to_string(c: &[Key]) -> String {
    c.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        assert_eq!(Key::parse("G").unwrap(), Key::parse("shift-g").unwrap());
        assert_eq!(Key::parse("ctrl-R").unwrap(), Key::ctrl('r'));
        assert_eq!(Key::parse("shift-tab").unwrap().to_string(), "shift-tab");
        assert_eq!(Key::parse("?").unwrap(), Key::char('?'));
        assert_eq!(Key::parse("ctrl--").unwrap(), Key::ctrl('-'));
        assert_eq!(Key::parse("space").unwrap(), Key::char(' '));
        assert_eq!(Key::parse("f1").unwrap().name, KeyName::F(1));
        assert!(Key::parse("ctrl-bogus").is_err());
        assert_eq!(parse_chord("g g").unwrap().len(), 2);
    }

    /// Found by the keymap_parser fuzz target: `↑` as shown parsed as a
    /// character key, not the arrow.
    #[test]
    fn every_key_as_shown_parses_back_to_itself() {
        let names = [
            KeyName::Char('g'),
            KeyName::Char('G'),
            KeyName::Char(' '),
            KeyName::Char('-'),
            KeyName::Char('đ'),
            KeyName::Enter,
            KeyName::Esc,
            KeyName::Tab,
            KeyName::Backspace,
            KeyName::Delete,
            KeyName::Insert,
            KeyName::Up,
            KeyName::Down,
            KeyName::Left,
            KeyName::Right,
            KeyName::Home,
            KeyName::End,
            KeyName::PageUp,
            KeyName::PageDown,
            KeyName::F(12),
        ];
        for name in names {
            for bits in 0..8u8 {
                let key = Key {
                    name,
                    ctrl: bits & 1 != 0,
                    alt: bits & 2 != 0,
                    shift: bits & 4 != 0,
                }
                .normalise();
                let shown = key.to_string();
                assert_eq!(Key::parse(&shown), Ok(key), "{shown}");
            }
        }
        assert_eq!(Key::parse("←").unwrap(), Key::parse("left").unwrap());
    }

    #[test]
    fn crossterm_events_match_parsed_keys() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(Key::char('G')));
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::parse("shift-tab").ok());
        let ev = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(Key::char('?')));
    }
}
