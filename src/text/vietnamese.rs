//! NFC normalisation, tone-placement-insensitive comparison and folding.
//!
//! Vietnamese has two tone-placement conventions ("hòa"/"hoà", "thủy"/"thuỷ",
//! "khỏe"/"khoẻ"). Rewriting text into one convention needs the full syllable
//! placement rules; comparing does not. [`tone_key`] moves each word's tone mark
//! to the end of the word, so both spellings give the same key while every
//! other diacritic (â, ê, ơ, ư, ă, ô) is kept. [`fold`] goes further and drops
//! every mark for the search key.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// NFC form of `s`.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Folds one character to its search-key form: marks dropped, `đ`/`Đ`/`ð`/`Ð`
/// to `d`, lowercase. Always exactly one character, so positions in an NFC
/// string and in its folded key line up one to one.
pub fn fold_char(c: char) -> char {
    if let Some(f) = table_fold(c) {
        return if f == '\0' { c } else { f };
    }
    fold_char_slow(c)
}

/// Folds of U+00C0..=U+1EFF (every precomposed Vietnamese letter), computed
/// once; '\0' marks combining characters. Index builds fold millions of words.
static FOLD_TABLE: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    (0xC0u32..=0x1EFF)
        .map(|u| match char::from_u32(u) {
            Some(c) if is_combining_mark(c) => '\0',
            Some(c) => fold_char_slow(c),
            None => '\0',
        })
        .collect()
});

fn table_fold(c: char) -> Option<char> {
    let u = c as u32;
    (0xC0..=0x1EFF)
        .contains(&u)
        .then(|| FOLD_TABLE[(u - 0xC0) as usize])
}

fn fold_char_slow(c: char) -> char {
    match c {
        'đ' | 'Đ' | 'ð' | 'Ð' => return 'd',
        c if c.is_ascii() => return c.to_ascii_lowercase(),
        _ => {}
    }
    let mut base = None;
    decompose_canonical(c, |d| {
        if base.is_none() && !is_combining_mark(d) {
            base = Some(d);
        }
    });
    let base = base.unwrap_or(c);
    let mut lower = base.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => base,
    }
}

/// The folded search key of `s`: NFC, then [`fold_char`] on every character,
/// with stray combining marks removed.
pub fn fold(s: &str) -> String {
    // Text stored by hotline is already NFC; skip the normaliser then (hot in index builds).
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    if unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if let Some(f) = table_fold(c) {
                if f != '\0' {
                    out.push(f);
                }
            } else if !is_combining_mark(c) {
                out.push(fold_char_slow(c));
            }
        }
        return out;
    }
    s.nfc()
        .filter(|c| !is_combining_mark(*c))
        .map(fold_char)
        .collect()
}

const TONE_MARKS: [(char, char); 5] = [
    ('\u{0300}', '2'), // huyền
    ('\u{0301}', '1'), // sắc
    ('\u{0309}', '3'), // hỏi
    ('\u{0303}', '4'), // ngã
    ('\u{0323}', '5'), // nặng
];

/// The tone digit of a combining tone mark (the deprecated U+0340/U+0341
/// forms included), or None for any other character.
fn tone_of(c: char) -> Option<char> {
    match c {
        '\u{0341}' => Some('1'),
        '\u{0340}' => Some('2'),
        _ => TONE_MARKS.iter().find(|(m, _)| *m == c).map(|(_, d)| *d),
    }
}

/// A comparison key that keeps every diacritic but ignores where the tone mark
/// sits: NFD, the tone mark of each word moved to the word's end (as a digit),
/// lowercase, then NFC. `tone_key("Hòa") == tone_key("hoà")`, while
/// `tone_key("Hà") != tone_key("Hạ")`. `đ` stays `đ`.
pub fn tone_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut word = String::new();
    let mut tone: Option<char> = None;
    let flush = |out: &mut String, word: &mut String, tone: &mut Option<char>| {
        out.extend(word.nfc());
        if let Some(t) = tone.take() {
            out.push(t);
        }
        word.clear();
    };
    for c in s.nfd() {
        if let Some(t) = tone_of(c) {
            tone = Some(t);
        } else if c.is_alphanumeric() || is_combining_mark(c) {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut out, &mut word, &mut tone);
            out.push(c);
        }
    }
    flush(&mut out, &mut word, &mut tone);
    out
}

/// One word split into its letters with every mark but the tone (lowercase,
/// NFC) and its tone (`'1'`..`'5'` as in [`tone_key`], `None` for level tone):
/// `tone_parts("Thành") == ("thanh", Some('2'))`. Comparing the parts, not the
/// keys, lets a partly typed word ("Thà") be a prefix of a whole one ("Thành").
pub fn tone_parts(word: &str) -> (String, Option<char>) {
    let mut base = String::with_capacity(word.len());
    let mut tone = None;
    for c in word.nfd() {
        if let Some(t) = tone_of(c) {
            tone = Some(t);
        } else {
            base.extend(c.to_lowercase());
        }
    }
    (base.nfc().collect(), tone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_parts_separate_the_tone_from_the_letters() {
        assert_eq!(tone_parts("Thành"), ("thanh".to_string(), Some('2')));
        assert_eq!(tone_parts("Thà"), ("tha".to_string(), Some('2')));
        assert_eq!(tone_parts("hoà").0, tone_parts("Hòa").0);
        assert_eq!(tone_parts("Nguyễn"), ("nguyên".to_string(), Some('4')));
        assert_eq!(tone_parts("Hạ").1, Some('5'));
        assert_eq!(tone_parts("Lan"), ("lan".to_string(), None));
    }

    #[test]
    fn folds_vietnamese_letters() {
        assert_eq!(fold("Nguyễn Thị Thu Hà"), "nguyen thi thu ha");
        assert_eq!(fold("Đặng ĐƯỜNG Ðức"), "dang duong duc");
        assert_eq!(fold("Hô\u{0341}"), "ho");
        assert_eq!(fold("hoà"), fold("hòa"));
    }

    #[test]
    fn fold_keeps_char_positions_of_nfc_text() {
        let s = nfc("Phường Bến Thành, Quận 1");
        assert_eq!(s.chars().count(), fold(&s).chars().count());
    }

    #[test]
    fn tone_key_ignores_placement_only() {
        assert_eq!(tone_key("hòa"), tone_key("hoà"));
        assert_eq!(tone_key("Thủy"), tone_key("thuỷ"));
        assert_eq!(tone_key("khỏe"), tone_key("khoẻ"));
        assert_ne!(tone_key("Hà"), tone_key("Hạ"));
        assert_ne!(tone_key("hoa"), tone_key("hòa"));
        assert_eq!(tone_key("Phường Hòa Bình"), tone_key("phường hoà bình"));
    }
}
