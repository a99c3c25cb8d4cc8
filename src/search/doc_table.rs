//! The index's document records. Those of a saved index stay in the bytes
//! read from its file and are decoded when used (a million records parsed
//! into a vector cost a start 90 MB of fresh memory and a fifth of a
//! second); those added since live in a vector.

use super::index::{Doc, SUBTITLE_PARTS};
use super::DocKind;
use bytes::Bytes;

/// One record in a saved index: kind u8 · date, due, text_at u64 · ends
/// 5 × u32 · procedure u32 · subtitle parts × u32, little-endian.
pub(super) const DOC_BYTES: usize = 1 + 8 + 8 + 8 + 5 * 4 + 4 + SUBTITLE_PARTS * 4;
const DATE_AT: usize = 1;

#[derive(Default)]
pub(super) struct DocTable {
    /// `saved_len` records of [`DOC_BYTES`], each with a valid kind.
    saved: Bytes,
    saved_len: usize,
    added: Vec<Doc>,
}

pub(super) fn kind_code(kind: DocKind) -> u8 {
    match kind {
        DocKind::Dossier => 0,
        DocKind::Ticket => 1,
        DocKind::Ward => 2,
        DocKind::Procedure => 3,
    }
}

pub(super) fn kind_of(code: u8) -> Option<DocKind> {
    Some(match code {
        0 => DocKind::Dossier,
        1 => DocKind::Ticket,
        2 => DocKind::Ward,
        3 => DocKind::Procedure,
        _ => return None,
    })
}

/// Appends `doc`'s record to `out`, with its text at `text_at`.
pub(super) fn encode(doc: &Doc, text_at: u64, out: &mut Vec<u8>) {
    out.push(kind_code(doc.kind));
    out.extend_from_slice(&doc.date.to_le_bytes());
    out.extend_from_slice(&doc.due.to_le_bytes());
    out.extend_from_slice(&text_at.to_le_bytes());
    for e in doc.ends {
        out.extend_from_slice(&e.to_le_bytes());
    }
    out.extend_from_slice(&doc.procedure.to_le_bytes());
    for s in doc.subtitle {
        out.extend_from_slice(&s.to_le_bytes());
    }
}

fn u32_at(record: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(record[at..at + 4].try_into().unwrap_or_default())
}

fn u64_at(record: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(record[at..at + 8].try_into().unwrap_or_default())
}

/// A record's kind was checked when the table was made.
fn decode(record: &[u8]) -> Doc {
    let mut ends = [0u32; 5];
    for (i, e) in ends.iter_mut().enumerate() {
        *e = u32_at(record, 25 + 4 * i);
    }
    let mut subtitle = [0u32; SUBTITLE_PARTS];
    for (i, s) in subtitle.iter_mut().enumerate() {
        *s = u32_at(record, 49 + 4 * i);
    }
    Doc {
        kind: kind_of(record[0]).unwrap_or(DocKind::Dossier),
        date: u64_at(record, DATE_AT) as i64,
        due: u64_at(record, 9) as i64,
        text_at: u64_at(record, 17),
        ends,
        procedure: u32_at(record, 45),
        subtitle,
    }
}

impl DocTable {
    /// The records of a saved index, or None if one has an unknown kind.
    pub fn from_saved(records: Bytes) -> Option<DocTable> {
        if records.len() % DOC_BYTES != 0
            || records
                .chunks_exact(DOC_BYTES)
                .any(|r| kind_of(r[0]).is_none())
        {
            return None;
        }
        Some(DocTable {
            saved_len: records.len() / DOC_BYTES,
            saved: records,
            added: Vec::new(),
        })
    }

    pub fn len(&self) -> usize {
        self.saved_len + self.added.len()
    }

    fn record(&self, n: usize) -> Option<&[u8]> {
        (n < self.saved_len).then(|| &self.saved[n * DOC_BYTES..(n + 1) * DOC_BYTES])
    }

    /// Document `n`; panics past the end, as indexing a vector does (every
    /// number the index holds was checked against the table's length).
    pub fn get(&self, n: u32) -> Doc {
        let n = n as usize;
        match self.record(n) {
            Some(r) => decode(r),
            None => self.added[n - self.saved_len],
        }
    }

    /// Document `n`'s date, without decoding the rest (ranking sorts
    /// thousands of candidates by it).
    pub fn date(&self, n: u32) -> i64 {
        let n = n as usize;
        match self.record(n) {
            Some(r) => u64_at(r, DATE_AT) as i64,
            None => self.added[n - self.saved_len].date,
        }
    }

    pub fn kind(&self, n: u32) -> DocKind {
        let n = n as usize;
        match self.record(n) {
            Some(r) => kind_of(r[0]).unwrap_or(DocKind::Dossier),
            None => self.added[n - self.saved_len].kind,
        }
    }

    pub fn push(&mut self, doc: Doc) {
        self.added.push(doc);
    }

    pub fn extend(&mut self, docs: impl IntoIterator<Item = Doc>) {
        self.added.extend(docs);
    }

    pub fn reserve_exact(&mut self, n: usize) {
        self.added.reserve_exact(n);
    }

    pub fn shrink_to_fit(&mut self) {
        self.added.shrink_to_fit();
    }

    pub fn iter(&self) -> impl Iterator<Item = Doc> + '_ {
        (0..self.len() as u32).map(|n| self.get(n))
    }

    /// Bytes held.
    pub fn footprint(&self) -> usize {
        self.saved.len() + self.added.capacity() * std::mem::size_of::<Doc>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_and_added_records_read_back_alike() {
        let doc = |n: u32| Doc {
            kind: if n % 2 == 0 {
                DocKind::Ticket
            } else {
                DocKind::Procedure
            },
            date: -5 - n as i64,
            due: i64::MAX - n as i64,
            text_at: 1 << 40 | n as u64,
            ends: [n, n + 1, n + 2, n + 3, u32::MAX - n],
            procedure: 7 * n,
            subtitle: [n, 1, 2, 3, 4, u32::MAX],
        };
        let mut bytes = Vec::new();
        for n in 0..3 {
            let d = doc(n);
            encode(&d, d.text_at, &mut bytes);
        }
        assert_eq!(bytes.len(), 3 * DOC_BYTES);
        let mut table = DocTable::from_saved(Bytes::from(bytes)).unwrap();
        table.push(doc(3));
        assert_eq!(table.len(), 4);
        for n in 0..4u32 {
            let (want, got) = (doc(n), table.get(n));
            assert_eq!(
                (got.kind, got.date, got.due, got.text_at),
                (want.kind, want.date, want.due, want.text_at)
            );
            assert_eq!((got.ends, got.procedure), (want.ends, want.procedure));
            assert_eq!(got.subtitle, want.subtitle);
            assert_eq!((table.date(n), table.kind(n)), (want.date, want.kind));
        }
    }

    #[test]
    fn an_unknown_kind_or_a_cut_record_is_refused() {
        let mut bytes = vec![0u8; DOC_BYTES * 2];
        assert!(DocTable::from_saved(Bytes::from(bytes.clone())).is_some());
        bytes[DOC_BYTES] = 9;
        assert!(DocTable::from_saved(Bytes::from(bytes)).is_none());
        assert!(DocTable::from_saved(Bytes::from(vec![0u8; DOC_BYTES + 1])).is_none());
    }
}
