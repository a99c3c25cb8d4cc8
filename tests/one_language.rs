//! One language at a time: every screen snapshot (tests/snapshots, each screen
//! in both languages at 80×24 and 120×40) holds no catalog phrase of the other
//! language. Names, codes and what callers said are data, not catalog words:
//! the fixture's subjects and descriptions are Vietnamese, so phrases they
//! contain are left out below.

use hotline::tui::i18n::{en, vi};
use std::collections::HashMap;

/// Catalog phrases worth looking for: two words or more, different in the
/// two languages, without `{}` placeholders.
/// Words of the fixture's own Vietnamese data (subjects, descriptions).
const DATA: &[&str] = &["Thanh toán", "trạng thái"];

fn phrases(own: &[(&str, &str)], other: &[(&str, &str)]) -> Vec<String> {
    let theirs: HashMap<&str, &str> = other.iter().copied().collect();
    own.iter()
        .filter_map(|(k, v)| {
            let counterpart = theirs.get(k)?;
            let v = v.split('{').next().unwrap_or("").trim();
            (v.split_whitespace().count() >= 2
                && v.chars().count() >= 8
                && !counterpart.contains(v)
                && !v.contains('·')
                && !DATA.contains(&v))
            .then(|| v.to_string())
        })
        .collect()
}

#[test]
fn no_screen_mixes_the_two_languages() {
    let vi_phrases = phrases(vi::ENTRIES, en::ENTRIES);
    let en_phrases = phrases(en::ENTRIES, vi::ENTRIES);
    let mut found = Vec::new();
    for entry in std::fs::read_dir("tests/snapshots").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".snap") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let screen = text.splitn(3, "---").nth(2).unwrap_or("");
        let foreign = if name.contains("_en_") {
            &vi_phrases
        } else if name.contains("_vi_") {
            &en_phrases
        } else {
            continue;
        };
        for p in foreign {
            if screen.contains(p.as_str()) {
                found.push(format!("{name}: {p:?}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
