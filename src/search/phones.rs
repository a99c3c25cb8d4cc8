//! Phone numbers by prefix (as typed from the start) and by suffix (the last
//! digits a caller reads out): two sorted arrays searched by range, far
//! smaller than putting a million phone numbers into the term dictionary.

use super::pairs::Pairs;
use roaring::RoaringBitmap;

/// Phones are at most 11 digits; keys are right-padded to a fixed width so
/// numeric order is string order and a prefix is a contiguous range.
const WIDTH: u32 = 11;

fn key(digits: &str) -> Option<u64> {
    if digits.is_empty()
        || digits.len() > WIDTH as usize
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(n * 10u64.pow(WIDTH - digits.len() as u32))
}

fn range(prefix: &str) -> Option<(u64, u64)> {
    let lo = key(prefix)?;
    let span = 10u64.pow(WIDTH - prefix.len() as u32);
    Some((lo, lo + span))
}

#[derive(Default)]
pub struct Phones {
    /// (padded phone, doc), sorted.
    pub(super) forward: Pairs,
    /// (padded reversed phone, doc), sorted.
    pub(super) reversed: Pairs,
    /// Added after the build, scanned linearly (small).
    pub(super) delta: Vec<(String, u32)>,
}

impl Phones {
    /// The (forward, reversed) keys of a phone, or None if it is not one.
    /// Building from keys keeps a million phone strings out of the heap.
    pub fn keys(phone: &str) -> Option<(u64, u64)> {
        Some((key(phone)?, key(&phone.chars().rev().collect::<String>())?))
    }

    pub fn from_keys(entries: Vec<((u64, u64), u32)>) -> Phones {
        let mut forward: Vec<(u64, u32)> = entries.iter().map(|((f, _), d)| (*f, *d)).collect();
        let mut reversed: Vec<(u64, u32)> = entries.iter().map(|((_, r), d)| (*r, *d)).collect();
        drop(entries);
        forward.sort_unstable();
        reversed.sort_unstable();
        Phones {
            forward: Pairs::Owned(forward),
            reversed: Pairs::Owned(reversed),
            delta: Vec::new(),
        }
    }

    /// Bytes held by the two sorted arrays.
    pub fn footprint(&self) -> usize {
        self.forward.footprint() + self.reversed.footprint()
    }

    pub fn insert(&mut self, phone: &str, doc: u32) {
        if key(phone).is_some() {
            self.delta.push((phone.to_string(), doc));
        }
    }

    /// Docs whose phone starts with `prefix`.
    pub fn starting_with(&self, prefix: &str) -> RoaringBitmap {
        if prefix.is_empty() {
            return RoaringBitmap::new();
        }
        let mut out = scan(&self.forward, prefix);
        out.extend(
            self.delta
                .iter()
                .filter(|(p, _)| p.starts_with(prefix))
                .map(|(_, d)| *d),
        );
        out
    }

    /// Docs whose phone ends with `suffix`.
    pub fn ending_with(&self, suffix: &str) -> RoaringBitmap {
        if suffix.is_empty() {
            return RoaringBitmap::new();
        }
        let rev: String = suffix.chars().rev().collect();
        let mut out = scan(&self.reversed, &rev);
        out.extend(
            self.delta
                .iter()
                .filter(|(p, _)| p.ends_with(suffix))
                .map(|(_, d)| *d),
        );
        out
    }
}

fn scan(sorted: &Pairs, prefix: &str) -> RoaringBitmap {
    let Some((lo, hi)) = range(prefix) else {
        return RoaringBitmap::new();
    };
    sorted.docs_in(lo, hi).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_suffix() {
        let mut p = Phones::from_keys(
            [("0912345678", 1), ("0912999678", 2), ("02838234567", 3)]
                .iter()
                .filter_map(|(p, d)| Some((Phones::keys(p)?, *d)))
                .collect(),
        );
        p.insert("0988000678", 4);
        assert_eq!(p.starting_with("0912").iter().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(
            p.starting_with("0912345678").iter().collect::<Vec<_>>(),
            [1]
        );
        assert_eq!(p.ending_with("678").iter().collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!(p.ending_with("4567").iter().collect::<Vec<_>>(), [3]);
        assert!(p.starting_with("").is_empty());
        assert!(p.starting_with("09123456789999").is_empty());
    }
}
