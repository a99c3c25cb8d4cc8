//! Several ordered index walks read as one, in the order of their keys
//! past a fixed-length head (the ward of a per-ward index).

use sled::IVec;
use std::iter::Peekable;

pub(super) struct MergedByTail<I: Iterator<Item = sled::Result<(IVec, IVec)>>> {
    walks: Vec<Peekable<I>>,
    head_len: usize,
}

impl<I: Iterator<Item = sled::Result<(IVec, IVec)>>> MergedByTail<I> {
    pub(super) fn new(walks: Vec<I>, head_len: usize) -> Self {
        MergedByTail {
            walks: walks.into_iter().map(Iterator::peekable).collect(),
            head_len,
        }
    }
}

impl<I: Iterator<Item = sled::Result<(IVec, IVec)>>> Iterator for MergedByTail<I> {
    /// (key without its head, value)
    type Item = sled::Result<(IVec, IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut best: Option<(usize, IVec)> = None;
        for (i, walk) in self.walks.iter_mut().enumerate() {
            match walk.peek() {
                None => {}
                Some(Err(_)) => return walk.next(),
                Some(Ok((key, _))) => {
                    let tail = IVec::from(key.get(self.head_len..).unwrap_or_default());
                    if best.as_ref().is_none_or(|(_, b)| tail < *b) {
                        best = Some((i, tail));
                    }
                }
            }
        }
        let (i, tail) = best?;
        Some(self.walks[i].next()?.map(|(_, value)| (tail, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(keys: &[&[u8]]) -> std::vec::IntoIter<sled::Result<(IVec, IVec)>> {
        keys.iter()
            .map(|k| Ok((IVec::from(*k), IVec::from(&[] as &[u8]))))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn walks_are_merged_by_what_follows_their_head() {
        let merged = MergedByTail::new(
            vec![
                walk(&[b"a1", b"a4", b"a5"]),
                walk(&[]),
                walk(&[b"b2", b"b3", b"b9"]),
            ],
            1,
        );
        let tails: Vec<Vec<u8>> = merged.map(|r| r.unwrap().0.to_vec()).collect();
        assert_eq!(tails, [b"1", b"2", b"3", b"4", b"5", b"9"]);
    }
}
