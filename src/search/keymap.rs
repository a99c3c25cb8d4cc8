//! Document numbers by key hash, in less memory than a hash map: sorted
//! pairs made once (by a build, or as a saved index left them), searched by
//! halving, and a small map of what was stored since (a save writes both as
//! one sorted array again).

use super::pairs::Pairs;
use rustc_hash::FxHashMap as HashMap;

#[derive(Default)]
pub struct KeyMap {
    /// (hash, document), sorted, hashes distinct.
    sorted: Pairs,
    added: HashMap<u64, u32>,
}

impl KeyMap {
    pub fn get(&self, hash: u64) -> Option<u32> {
        if let Some(n) = self.added.get(&hash) {
            return Some(*n);
        }
        let i = self.sorted.lower_bound(hash);
        (i < self.sorted.len())
            .then(|| self.sorted.get(i))
            .and_then(|(h, d)| (h == hash).then_some(d))
    }

    /// Points `hash` at `n`, replacing what it pointed at.
    pub fn insert(&mut self, hash: u64, n: u32) {
        self.added.insert(hash, n);
    }

    /// Made from pairs sorted by hash, hashes distinct (a build's, or a saved index's).
    pub(super) fn from_sorted(sorted: Pairs) -> KeyMap {
        KeyMap {
            sorted,
            added: HashMap::default(),
        }
    }

    /// Bytes held.
    pub fn footprint(&self) -> usize {
        self.sorted.footprint() + self.added.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_insertions_replace_the_sorted_pairs() {
        let mut map = KeyMap::from_sorted(Pairs::Owned(vec![(10, 1), (20, 2), (30, 3)]));
        assert_eq!(map.get(20), Some(2));
        assert_eq!(map.get(25), None);
        map.insert(20, 7);
        map.insert(5, 9);
        assert_eq!(
            [5, 10, 20, 30, 40].map(|h| map.get(h)),
            [Some(9), Some(1), Some(7), Some(3), None]
        );
    }
}
