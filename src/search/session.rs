//! Per-user search state across keystrokes: when the query only grew, the
//! new search narrows the previous candidates instead of starting over.

use super::index::{SearchIndex, SearchOutcome};
use super::query::Query;
use super::tokenize::QueryWord;
use roaring::RoaringBitmap;

#[derive(Default)]
pub struct SearchSession {
    last: Option<(Query, RoaringBitmap)>,
}

/// Whether every doc matching `new` also matched `old`, so `old`'s candidates can be narrowed.
fn narrows(old: &Query, new: &Query) -> bool {
    if old.filters != new.filters
        || old.now != new.now
        || old.words.is_empty()
        || new.words.len() < old.words.len()
    {
        return false;
    }
    let last = old.words.len() - 1;
    old.words
        .iter()
        .zip(&new.words)
        .enumerate()
        .all(|(i, (o, n))| match (o, n) {
            _ if i < last => o == n,
            (QueryWord::Word { folded: a, .. }, QueryWord::Word { folded: b, .. }) => {
                // Typo matching starts at five letters and phone-suffix matching at
                // four digits; crossing either threshold can widen the set.
                let digits = b.chars().all(|c| c.is_ascii_digit());
                let crosses = |n: usize| a.chars().count() < n && b.chars().count() >= n;
                b.starts_with(a.as_str()) && !crosses(5) && !(digits && crosses(4))
            }
            (QueryWord::Phone { digits: a, .. }, QueryWord::Phone { digits: b, .. }) => a == b,
            _ => false,
        })
}

impl SearchSession {
    pub fn search(
        &mut self,
        index: &SearchIndex,
        query: &Query,
        cancel: &dyn Fn() -> bool,
    ) -> SearchOutcome {
        let base = match &self.last {
            Some((old, candidates)) if narrows(old, query) => Some(candidates),
            _ => None,
        };
        let outcome = index.search_within(query, base, cancel);
        self.last = outcome
            .complete
            .then(|| (query.clone(), outcome.candidates.clone()));
        outcome
    }

    /// Forget the previous query (the index changed under it).
    pub fn reset(&mut self) {
        self.last = None;
    }
}
