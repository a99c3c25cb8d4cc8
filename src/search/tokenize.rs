//! Splitting documents and queries into folded words, codes and phones.

use super::Field;
use crate::text::fold;

/// One-byte field tags prefixed to terms (`n\u{1f}nguyen`).
pub fn field_prefix(field: Field) -> &'static str {
    match field {
        Field::Code => "c\u{1f}",
        Field::Phone => "t\u{1f}",
        Field::Name => "n\u{1f}",
        Field::Ward => "w\u{1f}",
        Field::Procedure => "p\u{1f}",
        Field::Text => "x\u{1f}",
    }
}

/// Folded alphanumeric words of `text`.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Tokens of a code field: its parts, plus digit parts without leading zeros
/// (`PA-000123` is also found as `123`).
pub fn code_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in words(text) {
        if w.len() > 1 && w.starts_with('0') && w.chars().all(|c| c.is_ascii_digit()) {
            let stripped = w.trim_start_matches('0');
            if !stripped.is_empty() {
                out.push(stripped.to_string());
            }
        }
        out.push(w);
    }
    out
}

/// Terms a field contributes to the dictionary (phones go to the phone index instead).
pub fn field_terms(field: Field, text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut buf = String::new();
    for_each_field_term(field, text, &mut buf, &mut |t| terms.push(t.to_string()));
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// Calls `emit` with every term of a field (duplicates possible), building each
/// in `buf` so that no term is allocated (hot in index builds).
pub fn for_each_field_term(field: Field, text: &str, buf: &mut String, emit: &mut dyn FnMut(&str)) {
    if field == Field::Phone {
        return;
    }
    if field == Field::Name {
        for_each_exact_term(text, buf, emit);
    }
    let prefix = field_prefix(field);
    let folded = fold(text);
    let mut put = |w: &str, buf: &mut String| {
        buf.clear();
        buf.push_str(prefix);
        buf.push_str(w);
        emit(buf);
    };
    for w in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if field == Field::Code
            && w.len() > 1
            && w.starts_with('0')
            && w.bytes().all(|b| b.is_ascii_digit())
        {
            let stripped = w.trim_start_matches('0');
            if !stripped.is_empty() {
                put(stripped, buf);
            }
        }
        put(w, buf);
    }
}

/// Tag of the exact-form name terms: `e\u{1f}` + tone digit (`0` for the
/// level tone) + the word's letters with their other marks (`Hà` → `e␟2ha`,
/// `Nguyễn` → `e␟4nguyên`). The tone comes first so that a partly typed word
/// with its tone ("Thà") is a prefix of the whole one ("Thành").
pub const EXACT_PREFIX: &str = "e\u{1f}";

/// The exact-form term of one word, if it carries any diacritic.
pub fn exact_term(word: &str, buf: &mut String) -> bool {
    let (letters, tone) = crate::text::tone_parts(word);
    if tone.is_none() && letters.is_ascii() {
        return false;
    }
    buf.clear();
    buf.push_str(EXACT_PREFIX);
    buf.push(tone.unwrap_or('0'));
    buf.push_str(&letters);
    true
}

thread_local! {
    /// Exact-form terms of name words seen before: names draw on a small
    /// vocabulary, and index builds see each word hundreds of thousands of times.
    static EXACT_TERMS: std::cell::RefCell<rustc_hash::FxHashMap<String, Option<String>>> =
        Default::default();
}

/// Calls `emit` with the exact-form term of every word of a name that has diacritics.
fn for_each_exact_term(text: &str, buf: &mut String, emit: &mut dyn FnMut(&str)) {
    let text = if unicode_normalization::is_nfc_quick(text.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(crate::text::nfc(text))
    };
    EXACT_TERMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > 50_000 {
            cache.clear();
        }
        for w in text
            .split(|c: char| {
                !c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c)
            })
            .filter(|w| !w.is_empty())
        {
            if w.is_ascii() {
                continue;
            }
            let term = match cache.get(w) {
                Some(t) => t,
                None => {
                    let t = exact_term(w, buf).then(|| buf.clone());
                    cache.entry(w.to_string()).or_insert(t)
                }
            };
            if let Some(t) = term {
                emit(t);
            }
        }
    });
}

/// A phone number as the canonical `0xxxxxxxxx` digits, if `text` is one.
pub fn phone_digits(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = match digits.strip_prefix("84") {
        Some(rest) if rest.len() >= 9 => format!("0{rest}"),
        _ => digits,
    };
    (national.starts_with('0') && (10..=11).contains(&national.len())).then_some(national)
}

/// A word of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryWord {
    /// A folded word; `raw` keeps the typed diacritics for the exact-match bonus.
    Word { folded: String, raw: String },
    /// Digits typed like a phone number (spaces and dots joined, +84 → 0):
    /// matches phones starting with it, or ending with it (4+ digits).
    Phone { digits: String, raw: String },
}

impl QueryWord {
    pub fn folded(&self) -> &str {
        match self {
            QueryWord::Word { folded, .. } => folded,
            QueryWord::Phone { digits, .. } => digits,
        }
    }
}

/// Splits free query text into words, joining phone-like digit groups
/// (`0912 345 678`, `+84 912.345.678`) into one phone word.
pub fn query_words(text: &str) -> Vec<QueryWord> {
    let chars: Vec<char> = crate::text::nfc(text).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((end, digits)) = phone_run(&chars, i) {
            let raw: String = chars[i..end].iter().collect();
            out.push(QueryWord::Phone { digits, raw });
            i = end;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        let lower = raw.to_lowercase();
        for (folded, piece) in words(&raw).into_iter().zip(split_raw(&lower)) {
            out.push(QueryWord::Word { folded, raw: piece });
        }
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
    }
    out
}

fn split_raw(lower: &str) -> Vec<String> {
    lower
        .split(|c: char| !c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A run starting at `i` of `+`, digits, spaces, dots and dashes that reads as (the start of)
/// a phone number: it starts with `0` then 1-9, or with `+84`/`84` followed by 9+ digits.
fn phone_run(chars: &[char], i: usize) -> Option<(usize, String)> {
    let open_paren = chars.get(i) == Some(&'(');
    let first = *chars.get(i + usize::from(open_paren))?;
    if !(first == '+' || first.is_ascii_digit()) {
        return None;
    }
    let mut end = i + usize::from(open_paren);
    let mut digits = String::new();
    while end < chars.len() {
        let c = chars[end];
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !(c == ' '
            || c == '.'
            || c == ')'
            || (c == '-' && !digits.is_empty())
            || (c == '+' && digits.is_empty()))
        {
            break;
        }
        end += 1;
    }
    // A letter attached to the run ("01.H29", "0912abc") means this is a
    // code, not a phone; a word after a space ("0912345678 lan") is the next
    // query word.
    if chars.get(end).is_some_and(|c| c.is_alphanumeric()) && chars[end - 1] != ' ' {
        return None;
    }
    while end > i && !chars[end - 1].is_ascii_digit() {
        end -= 1;
    }
    let national = if first == '+' || (digits.starts_with("84") && digits.len() >= 11) {
        format!("0{}", digits.strip_prefix("84")?)
    } else {
        digits
    };
    let valid = national.len() >= 4
        && national.len() <= 11
        && national.starts_with('0')
        && national.chars().nth(1).is_some_and(|c| c != '0');
    valid.then_some((end, national))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(q: &str) -> Vec<String> {
        query_words(q)
            .into_iter()
            .filter_map(|w| match w {
                QueryWord::Phone { digits, .. } => Some(digits),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn phone_spellings_join() {
        assert_eq!(phones("0912 345 678"), ["0912345678"]);
        assert_eq!(phones("+84 912.345.678"), ["0912345678"]);
        assert_eq!(phones("84912345678"), ["0912345678"]);
        assert_eq!(phones("(028) 3823 4567"), ["02838234567"]);
        assert_eq!(phones("0912-345-678"), ["0912345678"]);
        assert_eq!(phones("0912 345 678 lan"), ["0912345678"]);
        assert_eq!(phones("0912-345-678 nguyen"), ["0912345678"]);
        assert!(phones("0912abc").is_empty());
        assert_eq!(phones("0912 345"), ["0912345"]);
        assert_eq!(phones("nguyen 0912"), ["0912"]);
        assert!(phones("000.00.01.H29-250812").is_empty());
        assert!(phones("250812").is_empty());
    }

    #[test]
    fn words_keep_typed_diacritics() {
        let w = query_words("Hà  nội, Q.3");
        assert_eq!(
            w,
            vec![
                QueryWord::Word {
                    folded: "ha".into(),
                    raw: "hà".into()
                },
                QueryWord::Word {
                    folded: "noi".into(),
                    raw: "nội".into()
                },
                QueryWord::Word {
                    folded: "q".into(),
                    raw: "q".into()
                },
                QueryWord::Word {
                    folded: "3".into(),
                    raw: "3".into()
                },
            ]
        );
        assert_eq!(code_tokens("PA-000123"), ["pa", "123", "000123"]);
        assert_eq!(
            phone_digits("+84 912 345 678").as_deref(),
            Some("0912345678")
        );
    }
}
