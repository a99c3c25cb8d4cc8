//! Sorted (key, document) pairs searched by halving: in a vector after a
//! build, or left in the bytes of a saved index (12 bytes each, key first),
//! which a start then neither copies nor parses.

use bytes::Bytes;

const PAIR_BYTES: usize = 12;

pub(super) enum Pairs {
    Owned(Vec<(u64, u32)>),
    Saved(Bytes),
}

impl Default for Pairs {
    fn default() -> Pairs {
        Pairs::Owned(Vec::new())
    }
}

impl Pairs {
    /// Pairs saved by [`Pairs::write`], or None if the bytes are not whole pairs.
    pub fn from_saved(bytes: Bytes) -> Option<Pairs> {
        (bytes.len() % PAIR_BYTES == 0).then_some(Pairs::Saved(bytes))
    }

    pub fn len(&self) -> usize {
        match self {
            Pairs::Owned(v) => v.len(),
            Pairs::Saved(b) => b.len() / PAIR_BYTES,
        }
    }

    pub fn get(&self, i: usize) -> (u64, u32) {
        match self {
            Pairs::Owned(v) => v[i],
            Pairs::Saved(b) => {
                let r = &b[i * PAIR_BYTES..(i + 1) * PAIR_BYTES];
                (
                    u64::from_le_bytes(r[..8].try_into().unwrap_or_default()),
                    u32::from_le_bytes(r[8..].try_into().unwrap_or_default()),
                )
            }
        }
    }

    /// The first index whose key is not below `key`.
    pub fn lower_bound(&self, key: u64) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).0 < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Whether the keys ascend (`strictly`: no key twice), as searching needs.
    pub fn keys_ascend(&self, strictly: bool) -> bool {
        (1..self.len()).all(|i| {
            let (a, b) = (self.get(i - 1).0, self.get(i).0);
            a < b || (!strictly && a == b)
        })
    }

    /// The documents of the pairs whose key is in `lo..hi`.
    pub fn docs_in(&self, lo: u64, hi: u64) -> impl Iterator<Item = u32> + '_ {
        (self.lower_bound(lo)..self.lower_bound(hi)).map(|i| self.get(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Appends `pairs` in the saved layout.
    pub fn write(pairs: impl Iterator<Item = (u64, u32)>, out: &mut Vec<u8>) {
        for (k, d) in pairs {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&d.to_le_bytes());
        }
    }

    /// Bytes held.
    pub fn footprint(&self) -> usize {
        match self {
            Pairs::Owned(v) => v.capacity() * std::mem::size_of::<(u64, u32)>(),
            Pairs::Saved(b) => b.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_pairs_are_searched_as_the_vector_they_came_from() {
        let pairs = vec![(3u64, 30u32), (5, 50), (5, 51), (9, 90), (u64::MAX, 7)];
        let mut bytes = Vec::new();
        Pairs::write(pairs.iter().copied(), &mut bytes);
        let saved = Pairs::from_saved(Bytes::from(bytes)).unwrap();
        let owned = Pairs::Owned(pairs.clone());
        for p in [&saved, &owned] {
            assert_eq!(p.iter().collect::<Vec<_>>(), pairs);
            assert_eq!(p.docs_in(4, 9).collect::<Vec<_>>(), [50, 51]);
            assert_eq!(p.docs_in(0, 4).collect::<Vec<_>>(), [30]);
            assert_eq!(p.lower_bound(10), 4);
            assert_eq!(p.docs_in(10, 11).count(), 0);
        }
        assert!(Pairs::from_saved(Bytes::from(vec![0u8; 13])).is_none());
        assert!(saved.keys_ascend(false) && !saved.keys_ascend(true));
        assert!(Pairs::Owned(vec![(1, 0), (2, 0)]).keys_ascend(true));
        assert!(!Pairs::Owned(vec![(2, 0), (1, 0)]).keys_ascend(false));
    }
}
