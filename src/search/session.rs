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
    // The clock only moves the candidates through the overdue filter (it also
    // weighs recency, but ranking runs afresh on every search).
    if old.filters != new.filters
        || old.scope != new.scope
        || (old.now != new.now && new.filters.overdue)
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
                // A number matches whole outside codes: "2" does not find what "26" does.
                b.starts_with(a.as_str()) && !crosses(5) && !(digits && a != b)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str, now: i64) -> Query {
        Query::parse(text, now, Some("lan.nt"), 50)
    }

    #[test]
    fn a_growing_query_narrows_even_as_the_clock_moves() {
        assert!(narrows(&q("nguyen th", 100), &q("nguyen thi", 101)));
        assert!(!narrows(&q("nguyen thi", 100), &q("nguyen th", 101)));
        assert!(!narrows(&q("nguyen", 100), &q("tran", 100)));
        // Overdue depends on the clock: a moved clock starts over.
        assert!(narrows(&q("overdue ng", 100), &q("overdue ngu", 100)));
        assert!(!narrows(&q("overdue ng", 100), &q("overdue ngu", 101)));
        // Crossing the typo threshold can widen the matches.
        assert!(!narrows(&q("ngyu", 100), &q("ngyue", 100)));
    }
}
