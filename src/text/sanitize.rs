//! Removal of control characters and terminal escape sequences from text that
//! comes from outside (callers, imports, other users) before it is stored or drawn.

use super::nfc;

/// Removes terminal escape sequences (CSI, OSC, DCS and two-byte ESC forms),
/// C0/C1 control characters and bidirectional overrides. Newlines and tabs are
/// kept only when `keep_newlines` is true (tabs become spaces).
pub fn strip_controls(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\r' if keep_newlines => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\t' => out.push(' '),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string(chars),
        // Two-byte sequences (ESC c, ESC 7, ESC ( B ...): drop the intermediate bytes too.
        Some(c) if (' '..='/').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// Skips an OSC/DCS-style string up to BEL or ST (ESC \).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// One-line text from outside: controls removed, whitespace collapsed, trimmed, NFC.
pub fn clean_line(s: &str) -> String {
    let stripped = strip_controls(s, false);
    let collapsed = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
    nfc(&collapsed)
}

/// Multi-line text from outside: controls removed (newlines kept), trailing
/// spaces trimmed, NFC.
pub fn clean_text(s: &str) -> String {
    let stripped = strip_controls(s, true);
    let lines: Vec<&str> = stripped.lines().map(str::trim_end).collect();
    nfc(lines.join("\n").trim_matches('\n'))
}

/// Text from outside made safe to print on one line of a terminal or a log,
/// with nothing hidden: every control character, escape sequence introducer
/// and bidirectional override is written out as an escape (`\n`, `\u{1b}`),
/// so a newline cannot forge a line and an escape sequence cannot act.
/// Everything else, Vietnamese letters included, is kept as it is.
pub fn escape_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// As [`escape_controls`] for text of several lines: each line is escaped and
/// the line breaks between them are kept.
pub fn escape_controls_by_line(s: &str) -> String {
    s.split('\n')
        .map(escape_controls)
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escape_sequences() {
        assert_eq!(clean_line("Lê\u{1b}[31mVăn\u{1b}[0m A"), "LêVăn A");
        assert_eq!(clean_line("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(clean_line("a\u{1b}]8;;http://x\u{1b}\\b"), "ab");
        assert_eq!(clean_line("x\u{9b}2Jy"), "xy");
        assert_eq!(clean_line("tab\there\u{0}\u{7f}"), "tab here");
        assert_eq!(
            clean_text("dòng 1\r\ndòng 2\rdòng 3  "),
            "dòng 1\ndòng 2\ndòng 3"
        );
        assert_eq!(clean_line("\u{202e}evil"), "evil");
    }

    #[test]
    fn escapes_controls_visibly_and_keeps_vietnamese() {
        assert_eq!(
            escape_controls("Lê\u{1b}[31mVăn\nFORGED\t\u{202e}x"),
            "Lê\\u{1b}[31mVăn\\nFORGED\\t\\u{202e}x"
        );
        assert_eq!(
            escape_controls_by_line("a\u{1b}]0;t\u{7}\nb\r"),
            "a\\u{1b}]0;t\\u{7}\nb\\r"
        );
    }
}
