//! The search index saved to a file, so a start loads it instead of
//! rebuilding it from the store.
//!
//! One file, little-endian, everything length-prefixed:
//!
//! ```text
//! magic "HOTLINE-SEARCH-IX" · format version u32 · stamp (generation, marks, counters: u64)
//! · length of the text arena u64 · documents · interned strings · term fst · posting
//! bitmaps · term delta · phone arrays · live / open bitmaps · filter bitmaps
//! · key map (hash, document) and keys sharing a hash · text arena
//! · checksum u64 of all before it
//! ```
//!
//! The whole file is read and its checksum verified before any of it is
//! parsed: a damaged file is refused as a whole, never half trusted. The
//! text arena (half the file) is last and read straight into the index's
//! own buffer, neither copied nor scanned again.
//! Written to a temporary name, fsynced, then renamed, 0600.

use super::doc_table::{self, kind_code, DocTable, DOC_BYTES};
use super::index::{key_hash, Doc, SearchIndex};
use super::keymap::KeyMap;
use super::pairs::Pairs;
use super::phones::Phones;
use super::postings::Postings;
use super::terms::Terms;
use super::text_arena::TextArena;
use super::DocKind;
use bytes::Bytes;
use rayon::prelude::*;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const MAGIC: &[u8; 17] = b"HOTLINE-SEARCH-IX";
/// Bumped whenever the layout or the meaning of a saved part changes.
pub const FORMAT_VERSION: u32 = 4;
const FILE_NAME: &str = "index.bin";

/// What a saved index reflects: the store generation and the caller's marks
/// (anything else that must match for the file to be used, hashed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub generation: u64,
    /// Must match for the file to be used at all.
    pub marks: u64,
    /// Must match when the store is still at `generation`.
    pub counters: u64,
}

/// A stable 64-bit fingerprint of some byte strings (each length-delimited).
pub fn fingerprint<'a>(parts: impl Iterator<Item = &'a [u8]>) -> u64 {
    let mut sum = Checksum::new();
    for p in parts {
        sum.feed(&(p.len() as u64).to_le_bytes());
        sum.feed(p);
    }
    sum.finish()
}

/// Why a saved index cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("no saved index")]
    Missing,
    #[error("could not read it: {0}")]
    Io(#[from] io::Error),
    #[error("not a saved search index")]
    NotASnapshot,
    #[error(
        "saved by another version of hotline (format {found}, this one reads {FORMAT_VERSION})"
    )]
    OldFormat { found: u32 },
    #[error("it is damaged ({0})")]
    Damaged(String),
}

/// The file a directory's saved index lives in.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// A streaming checksum over 8-byte words: any change confined to one word
/// changes the result (each step is a bijection of the running value), and
/// the length is mixed in at the end. Fast enough to run over a few hundred
/// megabytes on every start.
struct Checksum {
    h: u64,
    pending: [u8; 8],
    filled: usize,
    len: u64,
}

impl Checksum {
    fn new() -> Checksum {
        Checksum {
            h: 0x243F_6A88_85A3_08D3,
            pending: [0; 8],
            filled: 0,
            len: 0,
        }
    }

    fn mix(&mut self, word: u64) {
        self.h = (self.h.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn feed(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if self.filled > 0 {
            let take = (8 - self.filled).min(data.len());
            self.pending[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.pending));
            self.filled = 0;
        }
        let mut words = data.chunks_exact(8);
        for w in words.by_ref() {
            self.mix(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    fn finish(mut self) -> u64 {
        let mut last = [0u8; 8];
        last[..self.filled].copy_from_slice(&self.pending[..self.filled]);
        self.mix(u64::from_le_bytes(last));
        let len = self.len;
        self.mix(len);
        self.h
    }
}

/// The file's checksum: each 1 MiB block of the file is summed on its own
/// (so a load sums them on every core), then the block sums in order.
const BLOCK: usize = 1 << 20;

struct BlockSum {
    block: Checksum,
    in_block: usize,
    blocks: Checksum,
}

impl BlockSum {
    fn new() -> BlockSum {
        BlockSum {
            block: Checksum::new(),
            in_block: 0,
            blocks: Checksum::new(),
        }
    }

    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let take = (BLOCK - self.in_block).min(data.len());
            self.block.feed(&data[..take]);
            self.in_block += take;
            data = &data[take..];
            if self.in_block == BLOCK {
                self.end_block();
            }
        }
    }

    fn end_block(&mut self) {
        let block = std::mem::replace(&mut self.block, Checksum::new());
        self.blocks.feed(&block.finish().to_le_bytes());
        self.in_block = 0;
    }

    fn finish(mut self) -> u64 {
        if self.in_block > 0 {
            self.end_block();
        }
        self.blocks.finish()
    }
}

/// [`BlockSum`] of `parts` end to end, its blocks summed on every core.
fn block_sum(parts: &[&[u8]]) -> u64 {
    let mut blocks: Vec<Vec<&[u8]>> = Vec::new();
    let mut current: Vec<&[u8]> = Vec::new();
    let mut in_block = 0;
    for part in parts {
        let mut part = *part;
        while !part.is_empty() {
            let take = (BLOCK - in_block).min(part.len());
            current.push(&part[..take]);
            in_block += take;
            part = &part[take..];
            if in_block == BLOCK {
                blocks.push(std::mem::take(&mut current));
                in_block = 0;
            }
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    let sums: Vec<u64> = blocks
        .par_iter()
        .map(|pieces| {
            let mut sum = Checksum::new();
            for p in pieces {
                sum.feed(p);
            }
            sum.finish()
        })
        .collect();
    let mut all = Checksum::new();
    for s in sums {
        all.feed(&s.to_le_bytes());
    }
    all.finish()
}

struct Out<W: Write> {
    w: W,
    sum: BlockSum,
}

impl<W: Write> Out<W> {
    fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sum.feed(bytes);
        self.w.write_all(bytes)
    }
    fn u32(&mut self, n: u32) -> io::Result<()> {
        self.raw(&n.to_le_bytes())
    }
    fn u64(&mut self, n: u64) -> io::Result<()> {
        self.raw(&n.to_le_bytes())
    }
    fn bytes(&mut self, b: &[u8]) -> io::Result<()> {
        self.u64(b.len() as u64)?;
        self.raw(b)
    }
    fn bitmap(&mut self, b: &RoaringBitmap, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        b.serialize_into(&mut *buf)?;
        self.bytes(buf)
    }
}

/// A verified file being parsed; every read is bounds-checked, so even a
/// file with a valid checksum but a bad layout gives an error, not a panic.
struct In<'a> {
    data: &'a [u8],
    at: usize,
}

fn damaged(what: &str) -> SnapshotError {
    SnapshotError::Damaged(what.to_string())
}

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or_else(|| damaged("cut short"))?;
        let out = &self.data[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }
    fn u64(&mut self) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }
    fn len(&mut self) -> Result<usize, SnapshotError> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.data.len() - self.at)
            .ok_or_else(|| damaged("a length runs past the end"))
    }
    /// A count of items at least `min_size` bytes each.
    fn count(&mut self, min_size: usize) -> Result<usize, SnapshotError> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|n| n.saturating_mul(min_size) <= self.data.len() - self.at)
            .ok_or_else(|| damaged("a count runs past the end"))
    }
    fn bytes(&mut self) -> Result<&'a [u8], SnapshotError> {
        let n = self.len()?;
        self.take(n)
    }
    fn string(&mut self) -> Result<String, SnapshotError> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| damaged("text is not UTF-8"))
    }
    fn bitmap(&mut self) -> Result<RoaringBitmap, SnapshotError> {
        let bytes = self.bytes()?;
        RoaringBitmap::deserialize_from(bytes).map_err(|e| damaged(&format!("bitmap: {e}")))
    }
}

fn kind_of(code: u8) -> Result<DocKind, SnapshotError> {
    doc_table::kind_of(code).ok_or_else(|| damaged("unknown document kind"))
}

/// Saves `index` into `dir` (created 0700), replacing any earlier save only
/// once the new one is complete and on the disk.
pub fn save(index: &SearchIndex, stamp: Stamp, dir: &Path) -> io::Result<u64> {
    crate::private_files::create_dir_all(dir)?;
    let path = file_in(dir);
    let tmp = path.with_extension("tmp");
    let file = crate::private_files::create(&tmp)?;
    let mut out = Out {
        w: io::BufWriter::with_capacity(1 << 20, file),
        sum: BlockSum::new(),
    };
    let written = write_index(&mut out, index, stamp).and_then(|()| {
        let sum = out.sum.finish();
        out.w.write_all(&sum.to_le_bytes())?;
        let file = out.w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(file.metadata()?.len())
    });
    let size = match written {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, &path)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(size)
}

/// Document numbers in a saved file: documents that were replaced or
/// removed (a ticket changed many times leaves one per change) are left
/// out, and the n-th live document becomes number n.
struct Renumber {
    /// New number by old, `u32::MAX` for a document left out; None when all are live.
    new: Option<Vec<u32>>,
}

impl Renumber {
    fn of(ix: &SearchIndex) -> Renumber {
        if ix.live.len() as usize == ix.docs.len() {
            return Renumber { new: None };
        }
        let mut new = vec![u32::MAX; ix.docs.len()];
        for (i, d) in ix.live.iter().enumerate() {
            new[d as usize] = i as u32;
        }
        Renumber { new: Some(new) }
    }

    fn doc(&self, d: u32) -> Option<u32> {
        match &self.new {
            None => Some(d),
            Some(new) => new.get(d as usize).copied().filter(|n| *n != u32::MAX),
        }
    }

    fn bitmap<'a>(&self, b: &'a RoaringBitmap) -> Cow<'a, RoaringBitmap> {
        match self.new {
            None => Cow::Borrowed(b),
            // Renumbering keeps the order: the new numbers come sorted.
            Some(_) => Cow::Owned(
                RoaringBitmap::from_sorted_iter(b.iter().filter_map(|d| self.doc(d)))
                    .unwrap_or_default(),
            ),
        }
    }

    /// The documents written, with their old numbers.
    fn kept<'a>(&'a self, ix: &'a SearchIndex) -> impl Iterator<Item = Doc> + 'a {
        ix.docs
            .iter()
            .enumerate()
            .filter(|(i, _)| self.doc(*i as u32).is_some())
            .map(|(_, d)| d)
    }
}

/// The bytes of a document's text in the arena (all its parts, end to end).
fn doc_text<'a>(ix: &'a SearchIndex, d: &Doc) -> &'a [u8] {
    let at = d.text_at as usize;
    ix.text.get(at..at + d.ends[4] as usize).unwrap_or(&[])
}

fn write_index<W: Write>(out: &mut Out<W>, ix: &SearchIndex, stamp: Stamp) -> io::Result<()> {
    let renumber = Renumber::of(ix);
    let mut buf = Vec::new();
    out.raw(MAGIC)?;
    out.u32(FORMAT_VERSION)?;
    out.u64(stamp.generation)?;
    out.u64(stamp.marks)?;
    out.u64(stamp.counters)?;
    let text_len = match renumber.new {
        None => ix.text.len(),
        Some(_) => renumber.kept(ix).map(|d| d.ends[4] as usize).sum(),
    };
    out.u64(text_len as u64)?;

    out.u64(renumber.kept(ix).count() as u64)?;
    let mut record = Vec::with_capacity(DOC_BYTES * 4096);
    let mut text_at = 0u64;
    for d in renumber.kept(ix) {
        let at = match renumber.new {
            None => d.text_at,
            Some(_) => text_at,
        };
        text_at += d.ends[4] as u64;
        doc_table::encode(&d, at, &mut record);
        if record.len() >= DOC_BYTES * 4096 {
            out.raw(&record)?;
            record.clear();
        }
    }
    out.raw(&record)?;
    out.u64(ix.strings.len() as u64)?;
    for s in &ix.strings {
        out.bytes(s.as_bytes())?;
    }

    out.bytes(ix.terms.map.as_fst().as_bytes())?;
    out.u64(ix.terms.postings.len() as u64)?;
    // Two hundred thousand bitmaps, renumbered and serialised on every
    // core; those loaded and unchanged are copied as they are when no
    // document is renumbered.
    let count = ix.terms.postings.len();
    let postings = (0..count.div_ceil(4096))
        .into_par_iter()
        .map(|chunk| {
            let mut bytes = Vec::new();
            for i in chunk * 4096..count.min((chunk + 1) * 4096) {
                let postings = &ix.terms.postings;
                if let (None, Some(saved)) = (&renumber.new, postings.saved_bytes(i)) {
                    bytes.extend_from_slice(&(saved.len() as u64).to_le_bytes());
                    bytes.extend_from_slice(saved);
                    continue;
                }
                let b = postings.get(i);
                let b = renumber.bitmap(&b);
                bytes.extend_from_slice(&(b.serialized_size() as u64).to_le_bytes());
                b.serialize_into(&mut bytes)?;
            }
            Ok(bytes)
        })
        .collect::<io::Result<Vec<Vec<u8>>>>()?;
    for bytes in postings {
        out.raw(&bytes)?;
    }
    out.u64(ix.terms.delta.len() as u64)?;
    for (term, b) in &ix.terms.delta {
        out.bytes(term.as_bytes())?;
        out.bitmap(&renumber.bitmap(b), &mut buf)?;
    }

    for pairs in [&ix.phones.forward, &ix.phones.reversed] {
        let kept: Vec<(u64, u32)> = pairs
            .iter()
            .filter_map(|(k, d)| Some((k, renumber.doc(d)?)))
            .collect();
        out.u64(kept.len() as u64)?;
        record.clear();
        Pairs::write(kept.into_iter(), &mut record);
        out.raw(&record)?;
    }
    let delta: Vec<(&String, u32)> = ix
        .phones
        .delta
        .iter()
        .filter_map(|(phone, d)| Some((phone, renumber.doc(*d)?)))
        .collect();
    out.u64(delta.len() as u64)?;
    for (phone, d) in delta {
        out.bytes(phone.as_bytes())?;
        out.u32(d)?;
    }

    out.bitmap(&renumber.bitmap(&ix.live), &mut buf)?;
    out.bitmap(&renumber.bitmap(&ix.open), &mut buf)?;
    let mut kinds: Vec<_> = ix.by_kind.iter().collect();
    kinds.sort_by_key(|(k, _)| **k);
    out.u64(kinds.len() as u64)?;
    for (k, b) in kinds {
        out.raw(&[kind_code(*k)])?;
        out.bitmap(&renumber.bitmap(b), &mut buf)?;
    }
    for map in [&ix.by_ward, &ix.by_escalation] {
        out.u64(map.len() as u64)?;
        for (k, b) in map {
            out.u32(*k)?;
            out.bitmap(&renumber.bitmap(b), &mut buf)?;
        }
    }
    for map in [&ix.by_status, &ix.by_tag, &ix.by_assignee] {
        out.u64(map.len() as u64)?;
        for (k, b) in map {
            out.bytes(k.as_bytes())?;
            out.bitmap(&renumber.bitmap(b), &mut buf)?;
        }
    }
    let numbered: Vec<(u32, Doc)> = renumber
        .kept(ix)
        .enumerate()
        .map(|(n, d)| (n as u32, d))
        .collect();
    let (pairs, shared) = key_entries(ix, &numbered);
    out.u64(pairs.len() as u64)?;
    record.clear();
    Pairs::write(pairs.into_iter(), &mut record);
    out.raw(&record)?;
    out.u64(shared.len() as u64)?;
    for (kind, key, n) in shared {
        out.raw(&[kind_code(kind)])?;
        out.bytes(key.as_bytes())?;
        out.u32(n)?;
    }
    match renumber.new {
        None => ix.text.parts().iter().try_for_each(|part| out.raw(part)),
        Some(_) => {
            for d in renumber.kept(ix) {
                out.raw(doc_text(ix, &d))?;
            }
            Ok(())
        }
    }
}

/// Loads the index saved in `dir` and the stamp it was saved with.
/// `progress(read, size)` is told how far the read has come.
pub fn load(
    dir: &Path,
    progress: &dyn Fn(u64, u64),
) -> Result<(SearchIndex, Stamp), SnapshotError> {
    let path = file_in(dir);
    let mut file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(SnapshotError::Missing),
        Err(e) => return Err(e.into()),
    };
    let size = file.metadata()?.len();
    let started = std::time::Instant::now();
    let (data, text) = read_parts(&path, &mut file, size, progress)?;
    let read = started.elapsed();
    let (body, tail) = data.split_at(data.len() - 8);
    if block_sum(&[body, &text]).to_le_bytes() != tail {
        return Err(damaged("checksum mismatch"));
    }
    let checked = started.elapsed();
    let body_len = body.len();
    let body = Bytes::from(data).slice(..body_len);
    let mut input = In {
        data: &body,
        at: MAGIC.len() + 4,
    };
    let (mut index, stamp) = read_index(&mut input, &body)?;
    if input.at != body.len() {
        return Err(damaged("bytes left over"));
    }
    index.text = TextArena::loaded(text);
    check_ids(&index)?;
    tracing::info!(
        "search index: {:.0} MB read in {read:?}, checked by {checked:?}, parsed by {:?}",
        size as f64 / 1e6,
        started.elapsed()
    );
    Ok((index, stamp))
}

/// Fills `buf` from `file` at `offset`, adding what it read to `read`.
fn read_at(
    mut file: &std::fs::File,
    buf: &mut [u8],
    offset: u64,
    read: &AtomicU64,
) -> Result<(), SnapshotError> {
    use std::io::{Read, Seek};
    file.seek(io::SeekFrom::Start(offset))?;
    for chunk in buf.chunks_mut(8 << 20) {
        file.read_exact(chunk).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => damaged("cut short"),
            _ => e.into(),
        })?;
        read.fetch_add(chunk.len() as u64, Ordering::Relaxed);
    }
    Ok(())
}

/// Magic, version, stamp and the text arena's length.
const HEADER_BYTES: usize = MAGIC.len() + 4 + 3 * 8;

/// The file as (everything but the text arena, with the checksum at its
/// end; the text arena), each read straight into its own buffer.
fn read_parts(
    path: &Path,
    file: &mut std::fs::File,
    size: u64,
    progress: &dyn Fn(u64, u64),
) -> Result<(Vec<u8>, Vec<u8>), SnapshotError> {
    use std::io::{Read, Seek};
    let size_usize = usize::try_from(size).map_err(|_| damaged("too large"))?;
    let mut header = [0u8; HEADER_BYTES + 8];
    if size_usize < header.len() + 8 {
        return Err(SnapshotError::NotASnapshot);
    }
    file.read_exact(&mut header)?;
    if &header[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let version = u32::from_le_bytes(
        header[MAGIC.len()..MAGIC.len() + 4]
            .try_into()
            .unwrap_or_default(),
    );
    if version != FORMAT_VERSION {
        return Err(SnapshotError::OldFormat { found: version });
    }
    let text_len = u64::from_le_bytes(header[HEADER_BYTES..].try_into().unwrap_or_default());
    let text_len = usize::try_from(text_len)
        .ok()
        .filter(|n| *n <= size_usize - header.len() - 8)
        .ok_or_else(|| damaged("the text runs past the end"))?;
    let rest = size_usize - header.len() - 8 - text_len;
    let mut data = Vec::with_capacity(header.len() + rest + 8);
    data.extend_from_slice(&header);
    data.resize(header.len() + rest, 0);
    let mut text = vec![0u8; text_len];
    // The two parts are read at once, each on its own core (at a few
    // hundred megabytes, copying from the page cache is what a read costs).
    let text_at = (header.len() + rest) as u64;
    let text_read = AtomicU64::new(0);
    // Its own handle: a handle's position is shared by whoever reads through it.
    let text_file = std::fs::File::open(path)?;
    std::thread::scope(|scope| -> Result<(), SnapshotError> {
        let text_part = scope.spawn(|| read_at(&text_file, &mut text, text_at, &text_read));
        let data_read = AtomicU64::new(0);
        let mut at = header.len() as u64;
        for chunk in data[header.len()..].chunks_mut(8 << 20) {
            read_at(file, chunk, at, &data_read)?;
            at += chunk.len() as u64;
            progress(at + text_read.load(Ordering::Relaxed), size);
        }
        text_part
            .join()
            .unwrap_or_else(|_| Err(damaged("its reader stopped")))
    })?;
    file.seek(io::SeekFrom::Start(text_at + text_len as u64))?;
    let mut sum = [0u8; 8];
    file.read_exact(&mut sum)?;
    data.extend_from_slice(&sum);
    Ok((data, text))
}

/// The index in `body`, read through `input`. The document records, the
/// posting bitmaps, the phone arrays and the key map stay in `body` (the
/// index shares it) rather than being copied out.
fn read_index(input: &mut In, body: &Bytes) -> Result<(SearchIndex, Stamp), SnapshotError> {
    let stamp = Stamp {
        generation: input.u64()?,
        marks: input.u64()?,
        counters: input.u64()?,
    };
    input.u64()?; // the text arena's length, read already
    let mut ix = SearchIndex::empty();
    let share = |input: &mut In, n: usize| -> Result<Bytes, SnapshotError> {
        let start = input.at;
        input.take(n)?;
        Ok(body.slice(start..input.at))
    };
    let n = input.count(DOC_BYTES)?;
    ix.docs = DocTable::from_saved(share(input, n * DOC_BYTES)?)
        .ok_or_else(|| damaged("unknown document kind"))?;
    let documents = u32::try_from(ix.docs.len()).map_err(|_| damaged("too many documents"))?;
    let n = input.count(8)?;
    ix.strings.reserve_exact(n);
    for _ in 0..n {
        let s: Box<str> = input.string()?.into();
        ix.string_ids.insert(s.clone(), ix.strings.len() as u32);
        ix.strings.push(s);
    }

    let fst_bytes = input.bytes()?.to_vec();
    let map = fst::Map::new(fst_bytes).map_err(|e| damaged(&format!("term dictionary: {e}")))?;
    let n = input.count(8)?;
    let start = input.at;
    for _ in 0..n {
        input.bytes()?;
    }
    let postings = Postings::from_saved(body.slice(start..input.at), n, documents)
        .ok_or_else(|| damaged("posting bitmaps"))?;
    if postings.len() != map.len() {
        return Err(damaged("terms and postings differ in number"));
    }
    if !term_numbers_fit(&map, postings.len()) {
        return Err(damaged("a term names no posting bitmap"));
    }
    let n = input.count(16)?;
    let mut delta = BTreeMap::new();
    for _ in 0..n {
        let term = input.string()?;
        delta.insert(term, input.bitmap()?);
    }
    ix.terms = Terms {
        map,
        postings,
        delta,
    };

    let mut phones = Phones::default();
    for target in [&mut phones.forward, &mut phones.reversed] {
        let n = input.count(12)?;
        *target = Pairs::from_saved(share(input, n * 12)?)
            .filter(|p| p.keys_ascend(false))
            .ok_or_else(|| damaged("phones"))?;
    }
    let n = input.count(12)?;
    for _ in 0..n {
        let phone = input.string()?;
        phones.delta.push((phone, input.u32()?));
    }
    ix.phones = phones;

    ix.live = input.bitmap()?;
    ix.open = input.bitmap()?;
    let n = input.count(9)?;
    for _ in 0..n {
        let kind = kind_of(input.u8()?)?;
        ix.by_kind.insert(kind, input.bitmap()?);
    }
    for map in [&mut ix.by_ward, &mut ix.by_escalation] {
        let n = input.count(12)?;
        for _ in 0..n {
            let k = input.u32()?;
            map.insert(k, input.bitmap()?);
        }
    }
    for map in [&mut ix.by_status, &mut ix.by_tag, &mut ix.by_assignee] {
        let n = input.count(16)?;
        for _ in 0..n {
            let k = input.string()?;
            map.insert(k, input.bitmap()?);
        }
    }
    let n = input.count(12)?;
    let pairs = Pairs::from_saved(share(input, n * 12)?).ok_or_else(|| damaged("key map"))?;
    if !pairs.keys_ascend(true) {
        return Err(damaged("the key map is out of order"));
    }
    if pairs.iter().any(|(_, d)| d >= documents) {
        return Err(damaged("a key names no document"));
    }
    ix.keys = KeyMap::from_sorted(pairs);
    let n = input.count(13)?;
    for _ in 0..n {
        let kind = kind_of(input.u8()?)?;
        let key = input.string()?;
        let d = input.u32()?;
        if d >= documents {
            return Err(damaged("a key names no document"));
        }
        ix.overflow.insert((kind, key), d);
    }
    Ok((ix, stamp))
}

/// Whether every term of `map` points at one of `postings` bitmaps (a
/// query indexes them by it without checking).
fn term_numbers_fit(map: &fst::Map<Vec<u8>>, postings: usize) -> bool {
    use fst::Streamer;
    let mut stream = map.stream();
    while let Some((_, i)) = stream.next() {
        if i >= postings as u64 {
            return false;
        }
    }
    true
}

/// Every document number a bitmap or phone array holds names a document:
/// the search indexes the documents by them without checking.
fn check_ids(ix: &SearchIndex) -> Result<(), SnapshotError> {
    let docs = ix.docs.len() as u64;
    let beyond = |b: &RoaringBitmap| b.max().is_some_and(|m| m as u64 >= docs);
    let filters: Vec<&HashMap<String, RoaringBitmap>> =
        vec![&ix.by_status, &ix.by_tag, &ix.by_assignee];
    // Saved posting bitmaps drop such numbers as they are parsed.
    let bad = ix.terms.delta.values().any(beyond)
        || beyond(&ix.live)
        || beyond(&ix.open)
        || ix.by_kind.values().any(beyond)
        || ix.by_ward.values().any(beyond)
        || ix.by_escalation.values().any(beyond)
        || filters.iter().any(|m| m.values().any(beyond))
        || [&ix.phones.forward, &ix.phones.reversed]
            .iter()
            .any(|p| p.iter().any(|(_, d)| d as u64 >= docs))
        || ix.phones.delta.iter().any(|(_, d)| *d as u64 >= docs);
    if bad {
        return Err(damaged("a document number past the last document"));
    }
    Ok(())
}

/// Keys that share a hash with an earlier key: (kind, key, number).
type Shared<'a> = Vec<(DocKind, &'a str, u32)>;

/// The key map of `numbered` documents (number, document): (hash, number)
/// sorted by hash, and the keys whose hash an earlier one has (found through
/// the overflow map, as `store` arranges it).
fn key_entries<'a>(ix: &'a SearchIndex, numbered: &[(u32, Doc)]) -> (Vec<(u64, u32)>, Shared<'a>) {
    let mut pairs: Vec<(u64, u32, usize)> = numbered
        .par_iter()
        .enumerate()
        .map(|(i, (n, d))| (key_hash(d.kind, ix.doc_key(d)), *n, i))
        .collect();
    pairs.par_sort_unstable();
    let mut unique: Vec<(u64, u32)> = Vec::with_capacity(pairs.len());
    let mut shared = Vec::new();
    for (hash, n, i) in pairs {
        match unique.last() {
            Some(&(last, _)) if last == hash => {
                let d = &numbered[i].1;
                shared.push((d.kind, ix.doc_key(d), n));
            }
            _ => unique.push((hash, n)),
        }
    }
    (unique, shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_checksum_is_the_same_streamed_or_summed_by_blocks() {
        let data: Vec<u8> = (0..3 * BLOCK as u32 + 12345)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for cut in [0, 7, BLOCK - 1, BLOCK, BLOCK + 9, data.len()] {
            let mut streamed = BlockSum::new();
            for piece in data.chunks(100_003) {
                streamed.feed(piece);
            }
            let (a, b) = data.split_at(cut);
            assert_eq!(streamed.finish(), block_sum(&[a, b]), "cut at {cut}");
        }
        let mut flipped = data.clone();
        flipped[2 * BLOCK + 5] ^= 4;
        assert_ne!(block_sum(&[&data]), block_sum(&[&flipped]));
        let mut swapped = data.clone();
        swapped[..BLOCK].copy_from_slice(&data[BLOCK..2 * BLOCK]);
        swapped[BLOCK..2 * BLOCK].copy_from_slice(&data[..BLOCK]);
        assert_ne!(block_sum(&[&data]), block_sum(&[&swapped]));
    }

    /// A file whose checksum holds but whose phone array is out of order
    /// (searched by halving, it would hide phones) is refused.
    #[test]
    fn phones_out_of_order_are_refused() {
        let cfg = crate::demo::DemoConfig {
            dossiers: 40,
            tickets: 0,
            ..Default::default()
        };
        let docs = crate::demo::dossiers(&cfg).map(|d| super::super::dossier_doc(&d, cfg.now));
        let mut ix = SearchIndex::build(docs);
        let stamp = Stamp {
            generation: 1,
            marks: 2,
            counters: 3,
        };
        let dir = tempfile::tempdir().unwrap();
        save(&ix, stamp, dir.path()).unwrap();
        assert!(load(dir.path(), &|_, _| {}).is_ok());
        let mut descending: Vec<(u64, u32)> = ix.phones.forward.iter().collect();
        assert!(descending.len() > 2 && descending[0].0 != descending[descending.len() - 1].0);
        descending.reverse();
        ix.phones.forward = Pairs::Owned(descending);
        save(&ix, stamp, dir.path()).unwrap();
        match load(dir.path(), &|_, _| {}) {
            Err(SnapshotError::Damaged(what)) => assert_eq!(what, "phones"),
            other => panic!("{:?}", other.map(|(_, s)| s)),
        }
    }

    #[test]
    fn a_term_pointing_past_the_bitmaps_is_caught() {
        let map = |pairs: &[(&str, u64)]| fst::Map::from_iter(pairs.iter().copied()).unwrap();
        assert!(term_numbers_fit(&map(&[("a", 0), ("b", 1)]), 2));
        assert!(!term_numbers_fit(&map(&[("a", 0), ("b", 5)]), 2));
        assert!(term_numbers_fit(&map(&[]), 0));
    }

    #[test]
    fn checksum_does_not_depend_on_how_the_bytes_are_fed() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut whole = Checksum::new();
        whole.feed(&data);
        let mut pieces = Checksum::new();
        for chunk in data.chunks(13) {
            pieces.feed(chunk);
        }
        assert_eq!(whole.finish(), pieces.finish());
        let mut flipped = data.clone();
        flipped[500] ^= 1;
        let mut other = Checksum::new();
        other.feed(&flipped);
        let mut again = Checksum::new();
        again.feed(&data);
        assert_ne!(other.finish(), again.finish());
    }
}
