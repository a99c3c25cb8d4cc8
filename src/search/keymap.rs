//! Document numbers by key hash, in less memory than a hash map: a sorted
//! pair of arrays made once (after a build or a load), searched by halving,
//! and a small map of what was stored since.

use rayon::slice::ParallelSliceMut;
use rustc_hash::FxHashMap as HashMap;

#[derive(Default)]
pub struct KeyMap {
    hashes: Vec<u64>,
    docs: Vec<u32>,
    added: HashMap<u64, u32>,
}

impl KeyMap {
    pub fn get(&self, hash: u64) -> Option<u32> {
        if let Some(n) = self.added.get(&hash) {
            return Some(*n);
        }
        let i = self.hashes.partition_point(|h| *h < hash);
        (self.hashes.get(i) == Some(&hash)).then(|| self.docs[i])
    }

    /// Points `hash` at `n`, replacing what it pointed at.
    pub fn insert(&mut self, hash: u64, n: u32) {
        self.added.insert(hash, n);
    }

    /// Moves what was stored since the last seal into the sorted arrays.
    // Builds now make their map with `from_pairs`; nothing else seals yet.
    #[allow(dead_code)]
    pub fn seal(&mut self) {
        if self.added.is_empty() {
            return;
        }
        let added = std::mem::take(&mut self.added);
        let mut pairs: Vec<(u64, u32)> = self
            .hashes
            .iter()
            .zip(&self.docs)
            .filter(|(h, _)| !added.contains_key(h))
            .map(|(h, d)| (*h, *d))
            .collect();
        pairs.extend(added);
        pairs.par_sort_unstable();
        self.hashes = pairs.iter().map(|(h, _)| *h).collect();
        self.docs = pairs.into_iter().map(|(_, d)| d).collect();
    }

    /// Made from (hash, doc) pairs with distinct hashes.
    pub fn from_pairs(mut pairs: Vec<(u64, u32)>) -> KeyMap {
        pairs.sort_unstable();
        KeyMap {
            hashes: pairs.iter().map(|(h, _)| *h).collect(),
            docs: pairs.into_iter().map(|(_, d)| d).collect(),
            added: HashMap::default(),
        }
    }

    /// Bytes held.
    pub fn footprint(&self) -> usize {
        self.hashes.capacity() * 8
            + self.docs.capacity() * 4
            + self.added.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_insertions_replace_and_survive_sealing() {
        let mut map = KeyMap::from_pairs(vec![(30, 3), (10, 1), (20, 2)]);
        assert_eq!(map.get(20), Some(2));
        assert_eq!(map.get(25), None);
        map.insert(20, 7);
        map.insert(5, 9);
        assert_eq!(map.get(20), Some(7));
        map.seal();
        assert_eq!(
            [5, 10, 20, 30, 40].map(|h| map.get(h)),
            [Some(9), Some(1), Some(7), Some(3), None]
        );
    }
}
