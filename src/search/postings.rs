//! Posting bitmaps by term number. After a build they are bitmaps; after a
//! load they stay serialised in the bytes read from the saved file and are
//! parsed when a query reaches them: a start parses none of two hundred
//! thousand, and a query parses the few its words match. A bitmap changed
//! since the load (a catch-up, a new ticket) is parsed once and kept.

use bytes::Bytes;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

pub(super) enum Postings {
    Built(Vec<RoaringBitmap>),
    Saved(Saved),
}

pub(super) struct Saved {
    bytes: Bytes,
    /// Where each serialised bitmap lies in `bytes`.
    spans: Vec<(u32, u32)>,
    changed: HashMap<u32, RoaringBitmap>,
    /// Documents the file held: a number at or past it is dropped, so a
    /// damaged bitmap cannot point past the document table.
    documents: u32,
}

impl Saved {
    /// Bitmap `i` as saved: parsed and checked; empty if it does not parse
    /// (the file's checksum makes that a bug in the saving code, not damage).
    fn parse(&self, i: usize) -> RoaringBitmap {
        let (start, len) = self.spans[i];
        let bytes = &self.bytes[start as usize..(start + len) as usize];
        let mut bitmap = RoaringBitmap::deserialize_from(bytes).unwrap_or_else(|e| {
            tracing::warn!("search index: saved posting {i} does not parse ({e})");
            RoaringBitmap::new()
        });
        bitmap.remove_range(self.documents..);
        bitmap
    }
}

impl Postings {
    /// `count` bitmaps, each a little-endian u64 length and its serialised
    /// bytes, end to end in `bytes`; None if they do not fill it exactly.
    pub fn from_saved(bytes: Bytes, count: usize, documents: u32) -> Option<Postings> {
        let mut spans = Vec::with_capacity(count.min(bytes.len() / 8));
        let mut at = 0usize;
        for _ in 0..count {
            let len = bytes.get(at..at + 8)?;
            let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
            let start = at + 8;
            at = start.checked_add(len).filter(|end| *end <= bytes.len())?;
            spans.push((u32::try_from(start).ok()?, u32::try_from(len).ok()?));
        }
        (at == bytes.len()).then(|| {
            Postings::Saved(Saved {
                bytes,
                spans,
                changed: HashMap::default(),
                documents,
            })
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Postings::Built(v) => v.len(),
            Postings::Saved(s) => s.spans.len(),
        }
    }

    pub fn get(&self, i: usize) -> Cow<'_, RoaringBitmap> {
        match self {
            Postings::Built(v) => Cow::Borrowed(&v[i]),
            Postings::Saved(s) => match s.changed.get(&(i as u32)) {
                Some(b) => Cow::Borrowed(b),
                None => Cow::Owned(s.parse(i)),
            },
        }
    }

    pub fn get_mut(&mut self, i: usize) -> &mut RoaringBitmap {
        match self {
            Postings::Built(v) => &mut v[i],
            Postings::Saved(s) => {
                if !s.changed.contains_key(&(i as u32)) {
                    let parsed = s.parse(i);
                    s.changed.insert(i as u32, parsed);
                }
                s.changed.entry(i as u32).or_default()
            }
        }
    }

    /// Bitmap `i` exactly as it was saved, if it has not changed since.
    pub fn saved_bytes(&self, i: usize) -> Option<&[u8]> {
        match self {
            Postings::Built(_) => None,
            Postings::Saved(s) if s.changed.contains_key(&(i as u32)) => None,
            Postings::Saved(s) => {
                let (start, len) = s.spans[i];
                Some(&s.bytes[start as usize..(start + len) as usize])
            }
        }
    }

    /// Bytes of the bitmaps as serialised (held, for saved ones).
    pub fn footprint(&self) -> usize {
        match self {
            Postings::Built(v) => v.iter().map(|b| b.serialized_size()).sum(),
            Postings::Saved(s) => {
                s.bytes.len()
                    + s.spans.capacity() * 8
                    + s.changed
                        .values()
                        .map(|b| b.serialized_size())
                        .sum::<usize>()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(bitmaps: &[RoaringBitmap], documents: u32) -> Option<Postings> {
        let mut bytes = Vec::new();
        for b in bitmaps {
            bytes.extend_from_slice(&(b.serialized_size() as u64).to_le_bytes());
            b.serialize_into(&mut bytes).unwrap();
        }
        Postings::from_saved(Bytes::from(bytes), bitmaps.len(), documents)
    }

    #[test]
    fn saved_postings_read_and_change_like_built_ones() {
        let bitmaps: Vec<RoaringBitmap> = vec![
            [1, 5, 9].into_iter().collect(),
            RoaringBitmap::new(),
            (0..70_000).collect(),
        ];
        let mut p = saved(&bitmaps, 100_000).unwrap();
        assert_eq!(p.len(), 3);
        for (i, b) in bitmaps.iter().enumerate() {
            assert_eq!(&*p.get(i), b);
        }
        assert!(p.saved_bytes(0).is_some());
        p.get_mut(0).insert(7);
        p.get_mut(0).insert(8);
        assert_eq!(p.get(0).iter().collect::<Vec<_>>(), [1, 5, 7, 8, 9]);
        assert!(p.saved_bytes(0).is_none());
        assert_eq!(&*p.get(2), &bitmaps[2]);
    }

    #[test]
    fn numbers_past_the_documents_are_dropped_and_bad_layouts_refused() {
        let bitmaps: Vec<RoaringBitmap> = vec![[1, 5, 9, 70_000].into_iter().collect()];
        let p = saved(&bitmaps, 6).unwrap();
        assert_eq!(p.get(0).iter().collect::<Vec<_>>(), [1, 5]);
        assert!(saved(&bitmaps, 6).is_some());
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&100u64.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 10]);
        assert!(Postings::from_saved(Bytes::from(bytes.clone()), 1, 6).is_none());
        assert!(Postings::from_saved(Bytes::from(vec![0u8; 9]), 1, 6).is_none());
        let mut garbage = Vec::new();
        garbage.extend_from_slice(&4u64.to_le_bytes());
        garbage.extend_from_slice(&[1, 2, 3, 4]);
        let p = Postings::from_saved(Bytes::from(garbage), 1, 6).unwrap();
        assert!(p.get(0).is_empty());
    }
}
