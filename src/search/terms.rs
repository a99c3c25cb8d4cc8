//! The term dictionary: folded words (prefixed by their field) in an `fst`
//! map to posting bitmaps, plus a small mutable delta for terms first seen
//! after the build (an fst is immutable).

use super::postings::Postings;
use fst::automaton::{Levenshtein, Str};
use fst::{Automaton, IntoStreamer, Map, Streamer};
use roaring::RoaringBitmap;
use std::collections::BTreeMap;

pub struct Terms {
    pub(super) map: Map<Vec<u8>>,
    pub(super) postings: Postings,
    pub(super) delta: BTreeMap<String, RoaringBitmap>,
}

/// How a term matched a query word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    Typo,
    Prefix,
    Exact,
}

impl Terms {
    /// Builds from (term, posting) pairs; `sorted` must be sorted by term and unique.
    pub fn build(sorted: Vec<(String, RoaringBitmap)>) -> Terms {
        let mut postings = Vec::with_capacity(sorted.len());
        let map = Map::from_iter(sorted.into_iter().enumerate().map(|(i, (term, bitmap))| {
            postings.push(bitmap);
            (term, i as u64)
        }))
        .unwrap_or_default();
        Terms {
            map,
            postings: Postings::Built(postings),
            delta: BTreeMap::new(),
        }
    }

    /// (terms, bytes of the fst, bytes of the posting bitmaps as serialised).
    pub fn footprint(&self) -> (usize, usize, usize) {
        let postings = self.postings.footprint()
            + self
                .delta
                .values()
                .map(|b| b.serialized_size())
                .sum::<usize>();
        (
            self.postings.len() + self.delta.len(),
            self.map.as_fst().as_bytes().len(),
            postings,
        )
    }

    pub fn insert(&mut self, term: &str, doc: u32) {
        match self.map.get(term) {
            Some(i) => {
                self.postings.get_mut(i as usize).insert(doc);
            }
            None => {
                self.delta.entry(term.to_string()).or_default().insert(doc);
            }
        }
    }

    /// Union of the postings of every term `field_prefix + word` matches:
    /// exact, by prefix, and (for words of 5+ letters) with one typo anywhere in the prefix.
    pub fn lookup(
        &self,
        field_prefix: &str,
        word: &str,
        typos: bool,
    ) -> Vec<(MatchKind, RoaringBitmap)> {
        let full = format!("{field_prefix}{word}");
        let mut exact = RoaringBitmap::new();
        let mut prefix = RoaringBitmap::new();
        let mut stream = self.map.search(Str::new(&full).starts_with()).into_stream();
        while let Some((term, i)) = stream.next() {
            let target = if term == full.as_bytes() {
                &mut exact
            } else {
                &mut prefix
            };
            *target |= &*self.postings.get(i as usize);
        }
        for (term, bitmap) in self.delta.range(full.clone()..) {
            if !term.starts_with(&full) {
                break;
            }
            if *term == full {
                exact |= bitmap;
            } else {
                prefix |= bitmap;
            }
        }
        let mut out = vec![(MatchKind::Exact, exact), (MatchKind::Prefix, prefix)];
        if typos {
            out.push((MatchKind::Typo, self.typo_lookup(field_prefix, word)));
        }
        out.retain(|(_, b)| !b.is_empty());
        out
    }

    /// Union of the postings of the terms of a field that hold `fragment`
    /// inside, not at their start (those a prefix look-up finds already):
    /// "0812" in the date part "250812" of a dossier code.
    pub fn containing(&self, field_prefix: &str, fragment: &str) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        let inside = |term: &[u8]| {
            let rest = &term[field_prefix.len()..];
            rest.len() > fragment.len()
                && !rest.starts_with(fragment.as_bytes())
                && rest
                    .windows(fragment.len())
                    .any(|w| w == fragment.as_bytes())
        };
        let mut stream = self
            .map
            .search(Str::new(field_prefix).starts_with())
            .into_stream();
        while let Some((term, i)) = stream.next() {
            if inside(term) {
                out |= &*self.postings.get(i as usize);
            }
        }
        for (term, bitmap) in self.delta.range(field_prefix.to_string()..) {
            if !term.starts_with(field_prefix) {
                break;
            }
            if inside(term.as_bytes()) {
                out |= bitmap;
            }
        }
        out
    }

    fn typo_lookup(&self, field_prefix: &str, word: &str) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        let Ok(lev) = Levenshtein::new(word, 1) else {
            return out;
        };
        // The field prefix must match exactly; the word may have one edit, as a prefix.
        let aut = Str::new(field_prefix).concat_with(lev.starts_with());
        let mut stream = self.map.search(aut).into_stream();
        while let Some((_, i)) = stream.next() {
            out |= &*self.postings.get(i as usize);
        }
        for (term, bitmap) in self.delta.range(field_prefix.to_string()..) {
            let Some(rest) = term.strip_prefix(field_prefix) else {
                break;
            };
            if prefix_within_one_edit(word, rest) {
                out |= bitmap;
            }
        }
        out
    }
}

/// Whether some prefix of `text` is within one edit of `word`.
pub fn prefix_within_one_edit(word: &str, text: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Row-by-row Levenshtein over `word`; the best cell of the last row is the best prefix of `text`.
    let mut prev: Vec<usize> = (0..=t.len()).collect();
    for (i, wc) in w.iter().enumerate() {
        let mut row = vec![i + 1; t.len() + 1];
        for j in 0..t.len() {
            let cost = usize::from(*wc != t[j]);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    // prev[j] is now the distance between `word` and `text[..j]`.
    prev.into_iter().min().unwrap_or(usize::MAX) <= 1
}

/// Concatenation of two automata: `a` then `b`.
trait Concat: Automaton + Sized {
    fn concat_with<B: Automaton>(self, b: B) -> ConcatAut<Self, B> {
        ConcatAut(self, b)
    }
}

impl<A: Automaton> Concat for A {}

pub struct ConcatAut<A, B>(A, B);

pub enum ConcatState<SA, SB> {
    First(SA),
    Second(SB),
}

impl<A: Automaton, B: Automaton> Automaton for ConcatAut<A, B> {
    type State = Option<ConcatState<A::State, B::State>>;

    fn start(&self) -> Self::State {
        let s = self.0.start();
        if self.0.is_match(&s) {
            Some(ConcatState::Second(self.1.start()))
        } else {
            Some(ConcatState::First(s))
        }
    }

    fn is_match(&self, state: &Self::State) -> bool {
        matches!(state, Some(ConcatState::Second(s)) if self.1.is_match(s))
    }

    fn can_match(&self, state: &Self::State) -> bool {
        match state {
            Some(ConcatState::First(s)) => self.0.can_match(s),
            Some(ConcatState::Second(s)) => self.1.can_match(s),
            None => false,
        }
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        match state {
            Some(ConcatState::First(s)) => {
                let next = self.0.accept(s, byte);
                if !self.0.can_match(&next) {
                    None
                } else if self.0.is_match(&next) {
                    Some(ConcatState::Second(self.1.start()))
                } else {
                    Some(ConcatState::First(next))
                }
            }
            Some(ConcatState::Second(s)) => Some(ConcatState::Second(self.1.accept(s, byte))),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bm(ids: &[u32]) -> RoaringBitmap {
        ids.iter().copied().collect()
    }

    #[test]
    fn exact_prefix_and_typo_lookups_include_the_delta() {
        let mut terms = Terms::build(vec![
            ("n\u{1f}nguyen".into(), bm(&[1, 2])),
            ("n\u{1f}nguyet".into(), bm(&[3])),
            ("p\u{1f}nguyen".into(), bm(&[9])),
        ]);
        terms.insert("n\u{1f}nguyenx", 4);
        let found = terms.lookup("n\u{1f}", "nguyen", true);
        let get = |k: MatchKind| {
            found
                .iter()
                .find(|(m, _)| *m == k)
                .map(|(_, b)| b.iter().collect::<Vec<_>>())
        };
        assert_eq!(get(MatchKind::Exact), Some(vec![1, 2]));
        assert_eq!(get(MatchKind::Prefix), Some(vec![4]));
        let typo = terms.lookup("n\u{1f}", "nguyne", true);
        let all: RoaringBitmap = typo.iter().fold(RoaringBitmap::new(), |a, (_, b)| a | b);
        assert!(all.contains(1) && !all.contains(9), "{all:?}");
        assert!(
            prefix_within_one_edit("nguyne", "nguyenx")
                || prefix_within_one_edit("nguye", "nguyenx")
        );
        assert!(!prefix_within_one_edit("tran", "nguyen"));
    }
}
