//! Ranking: a cheap score from the match bitmaps for many candidates, a
//! refined score (diacritics, word order) for the best of them, and
//! fuzzy-matcher's skim algorithm for the final order and highlights.

use super::index::SearchIndex;
use super::query::Query;
use super::terms::MatchKind;
use super::tokenize::QueryWord;
use super::{DocKind, Field, Hit};
use crate::text::{fold, tone_parts};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use roaring::RoaringBitmap;

/// How one query word matched: per field and kind, and the union of all.
pub struct WordMatch {
    parts: Vec<(Field, MatchKind, RoaringBitmap)>,
    pub union: RoaringBitmap,
    /// Docs matched in code, phone or name: the first tier for large result sets.
    high: RoaringBitmap,
    /// For a word typed with diacritics: docs whose name has it exactly so.
    exact: Option<RoaringBitmap>,
}

impl WordMatch {
    pub fn new(
        mut parts: Vec<(Field, MatchKind, RoaringBitmap)>,
        exact: Option<RoaringBitmap>,
    ) -> WordMatch {
        // Best first, so the first part containing a doc is its best match.
        parts.sort_by_key(|(f, k, _)| std::cmp::Reverse(f.weight() * kind_weight(*k)));
        let union = parts
            .iter()
            .fold(RoaringBitmap::new(), |a, (_, _, b)| a | b);
        let high = parts
            .iter()
            .filter(|(f, _, _)| matches!(f, Field::Code | Field::Phone | Field::Name))
            .fold(RoaringBitmap::new(), |a, (_, _, b)| a | b);
        WordMatch {
            parts,
            union,
            high,
            exact,
        }
    }

    fn best(&self, doc: u32) -> Option<(Field, MatchKind)> {
        self.parts
            .iter()
            .find(|(_, _, b)| b.contains(doc))
            .map(|(f, k, _)| (*f, *k))
    }
}

/// What typing a word's diacritics exactly as the document has them is worth.
const EXACT_BONUS: i64 = 150;

fn kind_weight(k: MatchKind) -> i64 {
    match k {
        MatchKind::Exact => 10,
        MatchKind::Prefix => 8,
        MatchKind::Typo => 4,
    }
}

/// The newest `n` docs of `bitmap`, by their date.
fn newest(index: &SearchIndex, bitmap: &RoaringBitmap, n: usize) -> Vec<u32> {
    let mut dated: Vec<(i64, u32)> = bitmap.iter().map(|d| (index.docs.date(d), d)).collect();
    if dated.len() > n {
        dated.select_nth_unstable_by(n, |a, b| b.cmp(a));
        dated.truncate(n);
    }
    dated.into_iter().map(|(_, d)| d).collect()
}

/// Which candidates get scored: all of them when few; otherwise the newest of
/// those matching every word in a high field, then the newest of the rest.
pub fn pool(
    index: &SearchIndex,
    candidates: &RoaringBitmap,
    matches: &[WordMatch],
    size: usize,
) -> Vec<u32> {
    if candidates.len() as usize <= size {
        return candidates.iter().collect();
    }
    // Names written exactly as typed (diacritics and all) come first, so a
    // rare exact form is not crowded out by a million folded look-alikes.
    let mut out = Vec::with_capacity(size);
    let mut taken = RoaringBitmap::new();
    if matches.iter().any(|m| m.exact.is_some()) {
        let exact = matches
            .iter()
            .fold(candidates.clone(), |acc, m| match &m.exact {
                Some(e) => acc & e,
                None => acc,
            });
        out.extend(newest(index, &exact, size));
        taken = exact;
    }
    let tier = matches
        .iter()
        .fold(candidates - &taken, |acc, m| acc & &m.high);
    if out.len() < size {
        out.extend(newest(index, &tier, size - out.len()));
    }
    if out.len() < size {
        let rest = candidates - &taken - &tier;
        out.extend(newest(index, &rest, size - out.len()));
    }
    out
}

/// A ward's or procedure's own name counts like a person's name does for a dossier.
fn weight(kind: DocKind, field: Field) -> i64 {
    match (kind, field) {
        (DocKind::Ward, Field::Ward) | (DocKind::Procedure, Field::Procedure) => 75,
        // A ward's former names: just below its current name.
        (DocKind::Ward, Field::Text) => 60,
        _ => field.weight(),
    }
}

fn cheap_score(index: &SearchIndex, doc: u32, query: &Query, matches: &[WordMatch]) -> i64 {
    let kind = index.docs.kind(doc);
    let mut score = 0;
    let mut fields = Vec::with_capacity(matches.len());
    for (word, m) in query.words.iter().zip(matches) {
        let Some((field, match_kind)) = m.best(doc) else {
            continue;
        };
        let mut s = weight(kind, field) * kind_weight(match_kind);
        // One or two digits inside a code ("12" in 000.00.12.H29…) say little.
        if field == Field::Code
            && word.folded().len() < 4
            && word.folded().chars().all(|c| c.is_ascii_digit())
        {
            s /= 3;
        }
        if kind == DocKind::Ticket && field == Field::Code && is_own_number(index, doc, word) {
            // "124" or "phiếu 124" means ticket PA-000124 before anything with a 124 in its code.
            s += OWN_NUMBER_BONUS;
        }
        score += s;
        if m.exact.as_ref().is_some_and(|e| e.contains(doc)) {
            score += EXACT_BONUS;
        }
        fields.push(field);
    }
    // All words in one field (a whole name, a whole former ward name) beat scattered matches.
    if fields.len() > 1 && fields.windows(2).all(|w| w[0] == w[1]) {
        score += 250 * (fields.len() as i64 - 1);
    }
    score
}

/// What a ticket's own number typed as a word is worth.
const OWN_NUMBER_BONUS: i64 = 700;
/// What each query word found in one former unit of a ward is worth, and
/// the extra for all of them in that one unit (its ward number with its own district).
const UNIT_WORD_BONUS: i64 = 150;
const WHOLE_UNIT_BONUS: i64 = 400;

/// Whether `word` is the number of ticket `doc` (`124`, `000124` for `PA-000124`).
fn is_own_number(index: &SearchIndex, doc: u32, word: &QueryWord) -> bool {
    let typed = word.folded();
    if typed.is_empty() || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let d = index.docs.get(doc);
    let key = index.doc_key(&d);
    let number = key.rsplit('-').next().unwrap_or("");
    number.trim_start_matches('0') == typed.trim_start_matches('0')
}

/// How many query words one former unit of a ward holds, each word of the
/// unit used once, a number only whole: "phường 11 quận 11" is all of
/// "Phường 11, Quận 11" but only three words of "Phường 11, Quận 10".
fn best_former_unit(former: &str, words: &[QueryWord]) -> usize {
    former
        .split(';')
        .map(|unit| {
            let mut unit_words: Vec<Option<String>> = fold(unit)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| Some(w.to_string()))
                .collect();
            let mut found = 0;
            for w in words {
                let typed = w.folded();
                let number = typed.bytes().all(|b| b.is_ascii_digit());
                let slot = unit_words.iter_mut().find(|u| {
                    u.as_deref().is_some_and(|u| {
                        if number {
                            u == typed
                        } else {
                            u.starts_with(typed)
                        }
                    })
                });
                if let Some(slot) = slot {
                    *slot = None;
                    found += 1;
                }
            }
            found
        })
        .max()
        .unwrap_or(0)
}

/// Bonus for typed diacritics matching exactly (tone placement ignored), and
/// for the words standing in the same order in the doc's best field.
fn refine(index: &SearchIndex, doc: u32, query: &Query, matches: &[WordMatch]) -> i64 {
    let d = &index.docs.get(doc);
    let mut bonus = 0;
    let mut fields_used = Vec::new();
    for (word, m) in query.words.iter().zip(matches) {
        let Some((field, _)) = m.best(doc) else {
            continue;
        };
        fields_used.push(field);
        if let QueryWord::Word { folded, raw } = word {
            // Names got theirs from the exact-form terms already.
            if raw != folded
                && field != Field::Name
                && diacritics_match(raw, index.field_text(d, field))
            {
                bonus += EXACT_BONUS;
            }
        }
    }
    if query.words.len() > 1 && fields_used.windows(2).all(|w| w[0] == w[1]) {
        let field = fields_used.first().copied().unwrap_or(Field::Text);
        let text = fold(index.field_text(d, field));
        let mut pos = 0;
        let in_order = query
            .words
            .iter()
            .all(|w| match text[pos..].find(w.folded()) {
                Some(at) => {
                    pos += at + w.folded().len();
                    true
                }
                None => false,
            });
        if in_order {
            bonus += 80;
        }
        let phrase: Vec<&str> = query.words.iter().map(|w| w.folded()).collect();
        if text
            .split(|c: char| !c.is_alphanumeric())
            .collect::<Vec<_>>()
            .windows(phrase.len())
            .any(|w| w.iter().zip(&phrase).all(|(t, q)| t.starts_with(q)))
        {
            bonus += 150;
        }
        // The more of the field the query covers, the better ("đăng ký khai sinh"
        // is the procedure of that name before ones that merely mention it).
        let field_words = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .count()
            .max(1);
        bonus += 120 * (query.words.len().min(field_words) as i64) / field_words as i64;
    }
    if d.kind == DocKind::Ward && query.words.len() > 1 {
        let found = best_former_unit(index.field_text(d, Field::Text), &query.words);
        bonus += UNIT_WORD_BONUS * found as i64;
        if found == query.words.len() {
            bonus += WHOLE_UNIT_BONUS;
        }
    }
    let days_ago = ((query.now - d.date) / 86_400).clamp(0, 365);
    bonus + (365 - days_ago) / 8
}

/// Whether a word of `text` starts with the typed word `raw` diacritics and
/// all: its letters a prefix, its tone the same when one was typed ("Thà"
/// matches "Thành", not "Thạnh"; "Hà" matches "Hà" and "Hàng", not "Hạ").
fn diacritics_match(raw: &str, text: &str) -> bool {
    let (want, want_tone) = tone_parts(raw);
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            let (letters, tone) = tone_parts(w);
            letters.starts_with(&want) && (want_tone.is_none() || tone == want_tone)
        })
}

/// Highlight positions (char indices of the title) and a fuzzy score.
fn highlight(matcher: &SkimMatcherV2, title: &str, query: &Query) -> (Vec<usize>, i64) {
    let folded = fold(title);
    let chars: Vec<char> = folded.chars().collect();
    let mut marks = Vec::new();
    let mut score = 0;
    for w in &query.words {
        let needle: Vec<char> = w.folded().chars().collect();
        let mut found = false;
        // Whole-word prefix occurrences first: what the index matched.
        for start in 0..chars.len() {
            let at_word_start = start == 0 || !chars[start - 1].is_alphanumeric();
            if at_word_start && chars[start..].starts_with(&needle) {
                marks.extend(start..start + needle.len());
                found = true;
            }
        }
        if let Some((s, idx)) = matcher.fuzzy_indices(&folded, w.folded()) {
            score += s;
            if !found {
                marks.extend(idx);
            }
        }
    }
    marks.sort_unstable();
    marks.dedup();
    (marks, score)
}

/// Scores the pool and returns the top `query.limit` hits, or None if cancelled.
pub fn rank(
    index: &SearchIndex,
    pool: Vec<u32>,
    query: &Query,
    matches: &[WordMatch],
    refine_pool: usize,
    cancel: &dyn Fn() -> bool,
) -> Option<Vec<Hit>> {
    let mut scored: Vec<(i64, u32)> = pool
        .into_iter()
        .map(|d| (cheap_score(index, d, query, matches), d))
        .collect();
    // Ties broken by recency, then by doc number (later upserts are newer).
    let date = |d: u32| index.docs.date(d);
    let by_score = |a: &(i64, u32), b: &(i64, u32)| {
        b.0.cmp(&a.0)
            .then(date(b.1).cmp(&date(a.1)))
            .then(b.1.cmp(&a.1))
    };
    if scored.len() > refine_pool {
        scored.select_nth_unstable_by(refine_pool, by_score);
        scored.truncate(refine_pool);
    }
    if cancel() {
        return None;
    }
    for s in scored.iter_mut() {
        s.0 += refine(index, s.1, query, matches);
    }
    scored.sort_unstable_by(by_score);
    scored.truncate(query.limit);
    let matcher = SkimMatcherV2::default();
    let mut hits: Vec<Hit> = scored
        .into_iter()
        .map(|(score, n)| {
            let d = &index.docs.get(n);
            let (highlights, fuzzy) = if query.words.is_empty() {
                (vec![], 0)
            } else {
                highlight(&matcher, index.doc_title(d), query)
            };
            Hit {
                kind: d.kind,
                key: index.doc_key(d).to_string(),
                title: index.doc_title(d).to_string(),
                subtitle: if d.kind == DocKind::Dossier && d.due < query.now {
                    index.subtitle(d) + super::docs::OVERDUE_MARK
                } else {
                    index.subtitle(d)
                },
                highlights,
                score: score * 10 + fuzzy.min(9),
            }
        })
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    Some(hits)
}
