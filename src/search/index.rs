//! The in-memory index: documents, the term dictionary, phones and filter bitmaps.

use super::doc_table::DocTable;
use super::keymap::KeyMap;
use super::pairs::Pairs;
use super::phones::Phones;
use super::query::{Filters, Query};
use super::rank::{self, WordMatch};
use super::terms::{MatchKind, Terms};
use super::text_arena::TextArena;
use super::tokenize::{
    exact_term, field_prefix, field_terms, for_each_field_term, phone_digits, QueryWord,
    EXACT_PREFIX,
};
use super::{DocKind, Field, Hit, SearchDoc};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::{Borrow, Cow};
use std::hash::{Hash, Hasher};

/// Longest inline searchable text kept per document (ticket descriptions).
const MAX_INLINE: usize = 2000;
/// Candidates ranked cheaply from bitmaps; the best of them are refined.
const CHEAP_POOL: usize = 20_000;
const REFINE_POOL: usize = 400;

/// One stored document. Its strings lie one after another in the index's
/// text arena (a million small allocations would fragment the heap).
#[derive(Clone, Copy)]
pub(super) struct Doc {
    pub kind: DocKind,
    pub date: i64,
    /// `i64::MAX` when there is no due date.
    pub due: i64,
    /// Where the document's text starts in the arena.
    pub text_at: u64,
    /// Ends of key, title, name, ward, text, relative to `text_at`. When
    /// the title begins with the key (dossiers and tickets: "PA-000124 · …")
    /// the key is not stored again: `ends[0]` is then its length with
    /// [`KEY_IN_TITLE`] set, and the title starts at `text_at`.
    pub ends: [u32; 5],
    /// Interned procedure text, `u32::MAX` if none.
    pub procedure: u32,
    /// The subtitle as interned " · " segments (procedure, ward, status and
    /// dates repeat across a million records); `u32::MAX` pads.
    pub subtitle: [u32; SUBTITLE_PARTS],
}

pub(super) const SUBTITLE_PARTS: usize = 6;
/// Set in `Doc::ends[0]` when the key is the start of the title (see [`Doc`]).
pub(super) const KEY_IN_TITLE: u32 = 1 << 31;
const SEPARATOR: &str = " · ";

impl Doc {
    /// The byte range of part `i` (key, title, name, ward, text) in the arena.
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        let key_in_title = self.ends[0] & KEY_IN_TITLE != 0;
        let (start, end) = match i {
            0 => (0, self.ends[0] & !KEY_IN_TITLE),
            1 if key_in_title => (0, self.ends[1]),
            _ => (self.ends[i - 1], self.ends[i]),
        };
        // Saturating: a damaged record gives an empty part, not an overflow.
        let at = self.text_at as usize;
        at.saturating_add(start as usize)..at.saturating_add(end as usize)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutcome {
    pub hits: Vec<Hit>,
    /// Every match before the limit.
    pub total: usize,
    /// The candidate set, for narrowing the next keystroke's search.
    pub candidates: RoaringBitmap,
    /// False when a newer query cancelled this one.
    pub complete: bool,
}

pub struct SearchIndex {
    pub(super) docs: DocTable,
    /// Every document's text, end to end (see [`Doc`]). UTF-8, but kept as
    /// bytes: a saved index is loaded without checking 140 MB of it (each
    /// part is checked as it is read, and the file's checksum guards it).
    pub(super) text: TextArena,
    /// Interned strings: procedure texts and subtitle segments.
    pub(super) strings: Vec<Box<str>>,
    pub(super) string_ids: HashMap<Box<str>, u32>,
    pub(super) terms: Terms,
    pub(super) phones: Phones,
    pub(super) live: RoaringBitmap,
    pub(super) by_kind: HashMap<DocKind, RoaringBitmap>,
    pub(super) by_ward: HashMap<u32, RoaringBitmap>,
    /// Tickets by the ward they are escalated to (a responder's scope).
    pub(super) by_escalation: HashMap<u32, RoaringBitmap>,
    pub(super) by_status: HashMap<String, RoaringBitmap>,
    pub(super) by_tag: HashMap<String, RoaringBitmap>,
    pub(super) by_assignee: HashMap<String, RoaringBitmap>,
    pub(super) open: RoaringBitmap,
    pub(super) keys: KeyMap,
    /// Keys whose hash collided with another key's.
    pub(super) overflow: HashMap<(DocKind, String), u32>,
}

/// A document key's hash for the key map. Saved with the index, so it is
/// this crate's own (std's hasher may change between Rust releases): eight
/// bytes at a time through a rotate-xor-multiply step, length mixed in last.
pub(super) fn key_hash(kind: DocKind, key: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let kind = match kind {
        DocKind::Dossier => 1,
        DocKind::Ticket => 2,
        DocKind::Ward => 3,
        DocKind::Procedure => 4,
    };
    let mut h: u64 = 0xCBF2_9CE4_8422_2325 ^ kind;
    for chunk in key.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    h = (h ^ key.len() as u64).wrapping_mul(K);
    h ^ (h >> 31)
}

/// The texts of a field, joined by spaces and cut at [`MAX_INLINE`]
/// (borrowed when there is one short text, as for most documents).
/// The number of `s` among `strings` (`ids` indexes them), added if new.
fn intern(strings: &mut Vec<Box<str>>, ids: &mut HashMap<Box<str>, u32>, s: &str) -> u32 {
    if let Some(id) = ids.get(s) {
        return *id;
    }
    let id = strings.len() as u32;
    strings.push(s.into());
    ids.insert(s.into(), id);
    id
}

fn joined(doc: &SearchDoc, field: Field) -> Cow<'_, str> {
    let mut texts = doc.fields.iter().filter(|(f, _)| *f == field);
    match (texts.next(), texts.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some((_, text)), None) if text.len() <= MAX_INLINE => Cow::Borrowed(text),
        _ => Cow::Owned(joined_owned(doc, field)),
    }
}

fn joined_owned(doc: &SearchDoc, field: Field) -> String {
    let mut out = String::new();
    for (f, text) in &doc.fields {
        if *f == field {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(text);
        }
    }
    if out.len() > MAX_INLINE {
        let mut cut = MAX_INLINE;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

thread_local! {
    /// Terms of texts that repeat across many documents (procedure and ward names).
    static REPEATED: std::cell::RefCell<HashMap<String, Vec<String>>> = std::cell::RefCell::new(HashMap::default());
}

/// Calls `emit` with every term of `doc` (duplicates possible, all consecutive).
fn for_each_doc_term(doc: &SearchDoc, buf: &mut String, emit: &mut dyn FnMut(&str)) {
    for (field, text) in &doc.fields {
        if is_repeated(*field) {
            for_each_repeated_term(*field, text, emit);
        } else {
            for_each_field_term(*field, text, buf, emit);
        }
    }
}

fn is_repeated(field: Field) -> bool {
    matches!(field, Field::Procedure | Field::Ward)
}

/// Calls `emit` with every term of a procedure or ward text, once each.
fn for_each_repeated_term(field: Field, text: &str, emit: &mut dyn FnMut(&str)) {
    REPEATED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(terms) = cache.get(text) {
            terms.iter().for_each(|t| emit(t));
            return;
        }
        if cache.len() > 20_000 {
            cache.clear();
        }
        let terms = field_terms(field, text);
        terms.iter().for_each(|t| emit(t));
        cache.insert(text.to_string(), terms);
    });
}

fn all_terms(doc: &SearchDoc) -> Vec<String> {
    let mut terms = Vec::new();
    let mut buf = String::new();
    // Through the cache of repeated texts: a catch-up upserts thousands of
    // dossiers that share a few procedure and ward names.
    for_each_doc_term(doc, &mut buf, &mut |t| terms.push(t.to_string()));
    terms.sort_unstable();
    terms.dedup();
    terms
}

fn phones_of(doc: &SearchDoc) -> impl Iterator<Item = String> + '_ {
    doc.fields
        .iter()
        .filter(|(f, _)| *f == Field::Phone)
        .filter_map(|(_, t)| phone_digits(t))
}

/// A document made ready to store, off the index's lock and in parallel.
struct Prepared {
    doc: Doc,
    hash: u64,
}

/// Writes a document's text to the end of `arena` and makes its record (the
/// interned parts are filled in by `store`). Runs off the main thread on a
/// chunk-local arena that the main thread then appends to the index's.
fn prepare(doc: &SearchDoc, arena: &mut Vec<u8>) -> Prepared {
    let text_at = arena.len();
    let mut ends = [0u32; 5];
    let parts = [
        doc.key.as_str(),
        doc.title.as_str(),
        &joined(doc, Field::Name),
        &joined(doc, Field::Ward),
        &joined(doc, Field::Text),
    ];
    // A million keys are also the start of their titles: kept once.
    let key_in_title = doc.title.starts_with(&doc.key) && doc.key.len() < KEY_IN_TITLE as usize;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 && key_in_title {
            ends[0] = doc.key.len() as u32 | KEY_IN_TITLE;
            continue;
        }
        arena.extend_from_slice(p.as_bytes());
        ends[i] = (arena.len() - text_at) as u32;
    }
    Prepared {
        hash: key_hash(doc.kind, &doc.key),
        doc: Doc {
            kind: doc.kind,
            date: doc.date,
            due: doc.due.unwrap_or(i64::MAX),
            text_at: text_at as u64,
            ends,
            procedure: u32::MAX,
            subtitle: [u32::MAX; SUBTITLE_PARTS],
        },
    }
}

/// Term → ascending document ids of a run of documents, numbered from 0.
#[derive(Default)]
struct Postings {
    slots: HashMap<String, usize>,
    ids: Vec<Vec<u32>>,
}

impl Postings {
    fn slot(&mut self, term: &str) -> usize {
        match self.slots.get(term) {
            Some(&slot) => slot,
            None => {
                self.slots.insert(term.to_string(), self.ids.len());
                self.ids.push(Vec::new());
                self.ids.len() - 1
            }
        }
    }

    fn add(&mut self, slot: usize, n: u32) {
        let ids = &mut self.ids[slot];
        if ids.last() != Some(&n) {
            ids.push(n);
        }
    }

    /// (term, ids) by shard (see [`shard_of`]).
    fn sharded(mut self) -> Vec<Run> {
        let mut shards: Vec<Run> = (0..SHARDS).map(|_| Vec::new()).collect();
        for (term, slot) in self.slots {
            let ids = std::mem::take(&mut self.ids[slot]);
            shards[shard_of(&term)].push((term, ids));
        }
        shards
    }
}

/// A part's terms of one shard with their document ids.
type Run = Vec<(String, Vec<u32>)>;

/// The term dictionary is built in this many shards (by term hash), each
/// merged on whichever core is free.
const SHARDS: usize = 16;

fn shard_of(term: &str) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    term.hash(&mut h);
    (h.finish() >> 60) as usize % SHARDS
}

/// Adds a run's document ids (shifted by `base`) to a bitmap. They come
/// ascending and past the bitmap's end, for the fast sorted paths; ids that
/// do not are inserted one by one (the fast path may have taken some of them
/// already), never dropped.
fn add_ids(bitmap: &mut RoaringBitmap, ids: &[u32], base: u32) {
    let shifted = ids.iter().map(|i| i + base);
    if bitmap.append(shifted.clone()).is_err() {
        bitmap.extend(shifted);
    }
}

/// Adds a term's document ids to its posting bitmap (see [`add_ids`]).
fn add_postings(
    postings: &mut HashMap<String, RoaringBitmap>,
    term: String,
    ids: Vec<u32>,
    base: u32,
) {
    match postings.get_mut(&term) {
        Some(bitmap) => add_ids(bitmap, &ids, base),
        None => {
            let shifted = ids.iter().map(|i| i + base);
            let bitmap = RoaringBitmap::from_sorted_iter(shifted.clone())
                .unwrap_or_else(|_| shifted.collect());
            postings.insert(term, bitmap);
        }
    }
}

/// Document numbers by a filter value, the values in order of first
/// appearance (so the index's filter maps are filled in the same order as
/// one document at a time).
struct Groups<K> {
    at: HashMap<K, usize>,
    groups: Vec<(K, Vec<u32>)>,
}

impl<K> Default for Groups<K> {
    fn default() -> Self {
        Groups {
            at: HashMap::default(),
            groups: Vec::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> Groups<K> {
    fn add<Q>(&mut self, key: &Q, n: u32)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        match self.at.get(key) {
            Some(&i) => self.groups[i].1.push(n),
            None => {
                self.at.insert(key.to_owned(), self.groups.len());
                self.groups.push((key.to_owned(), vec![n]));
            }
        }
    }

    fn merge_into(self, map: &mut HashMap<K, RoaringBitmap>, base: u32) {
        for (key, ids) in self.groups {
            add_ids(map.entry(key).or_default(), &ids, base);
        }
    }
}

/// What a run of documents adds to the index, made on one core: documents
/// numbered from 0, their text in a local arena and their interned strings
/// in a local table, which the merge shifts into place.
#[derive(Default)]
struct Part {
    docs: Vec<Doc>,
    hashes: Vec<u64>,
    text: Vec<u8>,
    strings: Vec<Box<str>>,
    string_ids: HashMap<Box<str>, u32>,
    /// By shard (see [`shard_of`]).
    postings: Vec<Run>,
    kinds: Groups<DocKind>,
    wards: Groups<u32>,
    escalations: Groups<u32>,
    /// Status, tag, assignee.
    values: [Groups<String>; 3],
    open: Vec<u32>,
    phones: Vec<((u64, u64), u32)>,
}

impl Part {
    fn of<T>(items: &[T], make: &impl for<'a> Fn(&'a T) -> Option<Cow<'a, SearchDoc>>) -> Part {
        let mut part = Part {
            docs: Vec::with_capacity(items.len()),
            hashes: Vec::with_capacity(items.len()),
            text: Vec::with_capacity(items.len() * 160),
            ..Part::default()
        };
        let mut postings = Postings::default();
        // Term slots of the procedure and ward texts seen in this part.
        let mut repeated: [HashMap<String, usize>; 2] = Default::default();
        let mut slot_lists: Vec<Vec<usize>> = Vec::new();
        let mut buf = String::new();
        for doc in items.iter().filter_map(make) {
            let n = part.docs.len() as u32;
            for (field, text) in &doc.fields {
                if !is_repeated(*field) {
                    let emit = &mut |t: &str| {
                        let slot = postings.slot(t);
                        postings.add(slot, n);
                    };
                    for_each_field_term(*field, text, &mut buf, emit);
                    continue;
                }
                let cache = &mut repeated[usize::from(*field == Field::Ward)];
                let at = match cache.get(text.as_str()) {
                    Some(&at) => at,
                    None => {
                        let mut slots = Vec::new();
                        for_each_repeated_term(*field, text, &mut |t| slots.push(postings.slot(t)));
                        slot_lists.push(slots);
                        cache.insert(text.clone(), slot_lists.len() - 1);
                        slot_lists.len() - 1
                    }
                };
                for &slot in &slot_lists[at] {
                    postings.add(slot, n);
                }
            }
            part.add(&doc);
        }
        part.postings = postings.sharded();
        part
    }

    /// Adds a document (not its terms).
    fn add(&mut self, doc: &SearchDoc) {
        let n = self.docs.len() as u32;
        let Prepared {
            doc: mut record,
            hash,
        } = prepare(doc, &mut self.text);
        let procedure = joined(doc, Field::Procedure);
        if !procedure.is_empty() {
            record.procedure = self.intern(&procedure);
        }
        for (slot, segment) in record
            .subtitle
            .iter_mut()
            .zip(doc.subtitle.splitn(SUBTITLE_PARTS, SEPARATOR))
        {
            *slot = self.intern(segment);
        }
        self.docs.push(record);
        self.hashes.push(hash);
        self.kinds.add(&doc.kind, n);
        if let Some(w) = doc.ward {
            self.wards.add(&w, n);
        }
        if let Some(w) = doc.escalated_to {
            self.escalations.add(&w, n);
        }
        for (groups, value) in self
            .values
            .iter_mut()
            .zip([&doc.status, &doc.tag, &doc.assignee])
        {
            if let Some(v) = value {
                groups.add(v.as_str(), n);
            }
        }
        if doc.open {
            self.open.push(n);
        }
        self.phones.extend(
            phones_of(doc)
                .filter_map(|phone| Phones::keys(&phone))
                .map(|keys| (keys, n)),
        );
    }

    fn intern(&mut self, s: &str) -> u32 {
        intern(&mut self.strings, &mut self.string_ids, s)
    }
}

/// An index being built: what is only put in its final shape at the end.
struct Builder {
    index: SearchIndex,
    postings: Vec<HashMap<String, RoaringBitmap>>,
    phones: Vec<((u64, u64), u32)>,
    hashes: Vec<u64>,
}

impl Builder {
    fn new(expected: usize) -> Builder {
        let mut index = SearchIndex::empty();
        // The expected count comes from the store's own counters: trusted
        // only so far, so a damaged counter cannot ask for the moon.
        let expected = expected.min(1 << 24);
        index.docs.reserve_exact(expected);
        Builder {
            index,
            postings: (0..SHARDS).map(|_| HashMap::default()).collect(),
            phones: Vec::new(),
            hashes: Vec::with_capacity(expected),
        }
    }

    /// Appends parts (in order) to the index; their postings on every core.
    fn merge(&mut self, parts: Vec<Part>) {
        // By shard: each part's run with the number of its first document.
        let mut runs: Vec<Vec<(u32, Run)>> = (0..SHARDS).map(|_| Vec::new()).collect();
        for mut part in parts {
            let base = self.index.docs.len() as u32;
            for (shard, run) in runs.iter_mut().zip(std::mem::take(&mut part.postings)) {
                shard.push((base, run));
            }
            self.append(part, base);
        }
        self.postings
            .par_iter_mut()
            .zip(runs)
            .for_each(|(postings, runs)| {
                for (base, run) in runs {
                    for (term, ids) in run {
                        add_postings(postings, term, ids, base);
                    }
                }
            });
    }

    fn append(&mut self, part: Part, base: u32) {
        let ix = &mut self.index;
        let text_at = ix.text.len() as u64;
        ix.text.tail().0.extend_from_slice(&part.text);
        let ids: Vec<u32> = part.strings.iter().map(|s| ix.intern(s)).collect();
        let global = |id: u32| ids.get(id as usize).copied().unwrap_or(u32::MAX);
        ix.docs.extend(part.docs.into_iter().map(|mut d| {
            d.text_at += text_at;
            d.procedure = global(d.procedure);
            d.subtitle = d.subtitle.map(global);
            d
        }));
        let n = ix.docs.len() as u32;
        ix.live.append(base..n).expect("document numbers only grow");
        part.kinds.merge_into(&mut ix.by_kind, base);
        part.wards.merge_into(&mut ix.by_ward, base);
        part.escalations.merge_into(&mut ix.by_escalation, base);
        let [status, tag, assignee] = part.values;
        status.merge_into(&mut ix.by_status, base);
        tag.merge_into(&mut ix.by_tag, base);
        assignee.merge_into(&mut ix.by_assignee, base);
        add_ids(&mut ix.open, &part.open, base);
        self.hashes.extend(part.hashes);
        self.phones
            .extend(part.phones.into_iter().map(|(keys, d)| (keys, d + base)));
    }

    fn finish(self) -> SearchIndex {
        let Builder {
            mut index,
            postings,
            phones,
            hashes,
        } = self;
        let terms = || {
            let mut sorted: Vec<(String, RoaringBitmap)> = postings.into_iter().flatten().collect();
            sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
            Terms::build(sorted)
        };
        let ((terms, phones), ()) = rayon::join(
            || rayon::join(terms, || Phones::from_keys(phones)),
            || index.seal_keys(hashes),
        );
        index.terms = terms;
        index.phones = phones;
        index.docs.shrink_to_fit();
        index.text.shrink_to_fit();
        index
    }
}

impl SearchIndex {
    pub(super) fn empty() -> SearchIndex {
        SearchIndex {
            docs: DocTable::default(),
            text: TextArena::default(),
            strings: Vec::new(),
            string_ids: HashMap::default(),
            terms: Terms::build(Vec::new()),
            phones: Phones::default(),
            live: RoaringBitmap::new(),
            by_kind: HashMap::default(),
            by_ward: HashMap::default(),
            by_escalation: HashMap::default(),
            by_status: HashMap::default(),
            by_tag: HashMap::default(),
            by_assignee: HashMap::default(),
            open: RoaringBitmap::new(),
            keys: KeyMap::default(),
            overflow: HashMap::default(),
        }
    }

    /// Builds the index, streaming: documents are taken in chunks that are
    /// prepared (folded, tokenised) in parallel, so only one chunk of input is
    /// in memory at a time.
    pub fn build(docs: impl IntoIterator<Item = SearchDoc>) -> SearchIndex {
        let docs = docs.into_iter();
        let expected = docs.size_hint().0;
        SearchIndex::build_sized(docs, expected)
    }

    /// As [`SearchIndex::build`], reserving room for `expected` documents up front
    /// (a growing vector of a million records leaves its old copies in the heap).
    pub fn build_sized(docs: impl IntoIterator<Item = SearchDoc>, expected: usize) -> SearchIndex {
        SearchIndex::build_with(docs, expected, |d| Some(Cow::Borrowed(d)))
    }

    /// As [`SearchIndex::build_sized`], from items that `make` turns into
    /// documents (or skips) on every core: records as read from the store are
    /// decoded there. Numbered in the order of `items`. The items are
    /// dropped on the calling thread, where they were made: freed by other
    /// threads, a million documents' memory stayed with the allocator.
    pub fn build_with<T: Send + Sync>(
        items: impl IntoIterator<Item = T>,
        expected: usize,
        make: impl for<'a> Fn(&'a T) -> Option<Cow<'a, SearchDoc>> + Sync,
    ) -> SearchIndex {
        const CHUNK: usize = 32_768;
        const SUB: usize = 4_096;
        let mut builder = Builder::new(expected);
        let mut items = items.into_iter().fuse();
        let mut pull = || -> Vec<T> { items.by_ref().take(CHUNK).collect() };
        // Each chunk is made into parts on every core while the previous
        // one is merged into the index, and the next one is taken from
        // `items` on this thread.
        let mut chunk = pull();
        let mut ready: Vec<Part> = Vec::new();
        while !(chunk.is_empty() && ready.is_empty()) {
            let merging = std::mem::take(&mut ready);
            let (builder, make) = (&mut builder, &make);
            let mut next = Vec::new();
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| {
                    ready = rayon::join(
                        || {
                            chunk
                                .par_chunks(SUB)
                                .map(|items| Part::of(items, make))
                                .collect()
                        },
                        || builder.merge(merging),
                    )
                    .0;
                });
                next = pull();
            });
            chunk = next;
        }
        builder.finish()
    }

    /// Documents held, counting those replaced or removed since the build.
    pub fn stored(&self) -> usize {
        self.docs.len()
    }

    pub fn len(&self) -> usize {
        self.live.len() as usize
    }

    /// Where the index's memory goes, in bytes (approximate: container
    /// capacities and serialised bitmap sizes, not allocator overhead).
    pub fn footprint(&self) -> Vec<(&'static str, usize)> {
        let (terms, fst, postings) = self.terms.footprint();
        let doc_text = self.text.capacity();
        let strings: usize = self.strings.iter().map(|s| s.len() * 2 + 24).sum();
        let filters: usize = [&self.by_status, &self.by_tag, &self.by_assignee]
            .iter()
            .flat_map(|m| m.values())
            .chain(self.by_kind.values())
            .chain(self.by_ward.values())
            .chain(self.by_escalation.values())
            .map(|b| b.serialized_size())
            .sum::<usize>()
            + self.open.serialized_size()
            + self.live.serialized_size();
        vec![
            ("document records", self.docs.footprint()),
            ("document text", doc_text),
            ("interned strings", strings),
            ("term dictionary (fst)", fst),
            ("posting bitmaps", postings),
            ("terms", terms),
            ("phone arrays", self.phones.footprint()),
            ("filter bitmaps", filters),
            ("key map", self.keys.footprint()),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    fn lookup_key(&self, kind: DocKind, key: &str) -> Option<u32> {
        if let Some(n) = self.overflow.get(&(kind, key.to_string())) {
            return Some(*n);
        }
        let n = self.keys.get(key_hash(kind, key))?;
        let d = self.docs.get(n);
        (d.kind == kind && self.doc_key(&d) == key).then_some(n)
    }

    /// The key map of a built index, from every document's key hash in order.
    fn seal_keys(&mut self, hashes: Vec<u64>) {
        let mut pairs: Vec<(u64, u32)> = hashes
            .into_iter()
            .enumerate()
            .map(|(n, h)| (h, n as u32))
            .collect();
        pairs.par_sort_unstable();
        let same_key = |a: u32, b: u32| {
            let (a, b) = (self.docs.get(a), self.docs.get(b));
            a.kind == b.kind && self.doc_key(&a) == self.doc_key(&b)
        };
        let (unique, apart) = resolve_keys(pairs, same_key);
        for n in apart {
            let d = self.docs.get(n);
            let key = (d.kind, self.doc_key(&d).to_string());
            self.overflow.insert(key, n);
        }
        self.keys = KeyMap::from_sorted(Pairs::Owned(unique));
    }

    /// Appends a prepared document's record, key and filter bitmaps (not its terms).
    fn store(&mut self, p: Prepared, src: &SearchDoc) -> u32 {
        let n = self.docs.len() as u32;
        let Prepared { mut doc, hash } = p;
        let procedure = joined(src, Field::Procedure);
        doc.procedure = if procedure.is_empty() {
            u32::MAX
        } else {
            self.intern(&procedure)
        };
        let segments: Vec<&str> = src.subtitle.splitn(SUBTITLE_PARTS, SEPARATOR).collect();
        for (slot, segment) in doc.subtitle.iter_mut().zip(segments) {
            *slot = self.intern(segment);
        }
        let (kind, key) = (doc.kind, self.doc_key(&doc).to_string());
        self.docs.push(doc);
        self.live.insert(n);
        self.by_kind.entry(kind).or_default().insert(n);
        if let Some(w) = src.ward {
            self.by_ward.entry(w).or_default().insert(n);
        }
        if let Some(w) = src.escalated_to {
            self.by_escalation.entry(w).or_default().insert(n);
        }
        for (map, value) in [
            (&mut self.by_status, &src.status),
            (&mut self.by_tag, &src.tag),
            (&mut self.by_assignee, &src.assignee),
        ] {
            if let Some(v) = value {
                match map.get_mut(v) {
                    Some(b) => {
                        b.insert(n);
                    }
                    None => {
                        map.insert(v.clone(), std::iter::once(n).collect());
                    }
                }
            }
        }
        if src.open {
            self.open.insert(n);
        }
        let collides = self.keys.get(hash).is_some_and(|other| {
            let o = self.docs.get(other);
            (self.doc_key(&o) != key || o.kind != kind) && self.live.contains(other)
        });
        if collides {
            self.overflow.insert((kind, key), n);
        } else {
            self.keys.insert(hash, n);
        }
        n
    }

    fn intern(&mut self, s: &str) -> u32 {
        intern(&mut self.strings, &mut self.string_ids, s)
    }

    pub(super) fn subtitle(&self, doc: &Doc) -> String {
        let parts: Vec<&str> = doc
            .subtitle
            .iter()
            .filter_map(|id| self.strings.get(*id as usize).map(|s| &**s))
            .collect();
        parts.join(SEPARATOR)
    }

    /// Adds or replaces a document; searchable at once.
    pub fn upsert(&mut self, doc: SearchDoc) {
        self.remove(doc.kind, &doc.key);
        let (tail, base) = self.text.tail();
        let mut prepared = prepare(&doc, tail);
        prepared.doc.text_at += base;
        let n = self.store(prepared, &doc);
        for t in all_terms(&doc) {
            self.terms.insert(&t, n);
        }
        for phone in phones_of(&doc) {
            self.phones.insert(&phone, n);
        }
    }

    pub fn remove(&mut self, kind: DocKind, key: &str) {
        if let Some(n) = self.lookup_key(kind, key) {
            self.live.remove(n);
            self.overflow.remove(&(kind, key.to_string()));
        }
    }

    fn part(&self, doc: &Doc, i: usize) -> &str {
        self.text
            .get(doc.span(i))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    pub(super) fn doc_key(&self, doc: &Doc) -> &str {
        self.part(doc, 0)
    }

    pub(super) fn doc_title(&self, doc: &Doc) -> &str {
        self.part(doc, 1)
    }

    pub(super) fn field_text<'a>(&'a self, doc: &'a Doc, field: Field) -> &'a str {
        match field {
            Field::Name => self.part(doc, 2),
            Field::Ward => self.part(doc, 3),
            Field::Text => self.part(doc, 4),
            Field::Procedure => self
                .strings
                .get(doc.procedure as usize)
                .map(|s| &**s)
                .unwrap_or(""),
            Field::Code => self.doc_key(doc),
            Field::Phone => "",
        }
    }

    /// Documents with a name word starting with `raw` diacritics and all
    /// (any tone when none was typed).
    fn exact_names(&self, raw: &str) -> RoaringBitmap {
        let mut term = String::new();
        if !exact_term(raw, &mut term) {
            return RoaringBitmap::new();
        }
        let typed = term[EXACT_PREFIX.len()..].to_string();
        let tones: Vec<String> = if typed.starts_with('0') {
            // No tone typed: the word may still get one.
            (0..=5).map(|t| format!("{t}{}", &typed[1..])).collect()
        } else {
            vec![typed]
        };
        let mut out = RoaringBitmap::new();
        for t in tones {
            for (_, bitmap) in self.terms.lookup(EXACT_PREFIX, &t, false) {
                out |= bitmap;
            }
        }
        out
    }

    fn word_match(&self, word: &QueryWord) -> WordMatch {
        let mut parts = Vec::new();
        let mut exact = None;
        match word {
            QueryWord::Word { folded, raw } => {
                if raw != folded {
                    exact = Some(self.exact_names(raw));
                }
                let number = folded.chars().all(|c| c.is_ascii_digit());
                let typos = folded.chars().count() >= 5 && !number;
                for field in [
                    Field::Code,
                    Field::Name,
                    Field::Ward,
                    Field::Procedure,
                    Field::Text,
                ] {
                    let allow = typos && !matches!(field, Field::Code);
                    for (kind, bitmap) in self.terms.lookup(field_prefix(field), folded, allow) {
                        // A number typed as a word is that number ("phường 2"
                        // is not "phường 26"); four digits or more may still
                        // begin a code part ("2511" of "251103").
                        let whole_only = field != Field::Code || folded.len() < 4;
                        if number && whole_only && kind != MatchKind::Exact {
                            continue;
                        }
                        parts.push((field, kind, bitmap));
                    }
                }
                if number && folded.len() >= 4 {
                    parts.push((
                        Field::Phone,
                        MatchKind::Exact,
                        self.phones.ending_with(folded),
                    ));
                    parts.push((
                        Field::Code,
                        MatchKind::Typo,
                        self.terms.containing(field_prefix(Field::Code), folded),
                    ));
                }
            }
            QueryWord::Phone { digits, .. } => {
                // Digits like "0778" may also be the sequence part of a dossier code.
                for (kind, bitmap) in self.terms.lookup(field_prefix(Field::Code), digits, false) {
                    parts.push((Field::Code, kind, bitmap));
                }
                if digits.len() >= 4 {
                    parts.push((
                        Field::Code,
                        MatchKind::Typo,
                        self.terms.containing(field_prefix(Field::Code), digits),
                    ));
                }
                let kind = if digits.len() >= 10 {
                    MatchKind::Exact
                } else {
                    MatchKind::Prefix
                };
                parts.push((Field::Phone, kind, self.phones.starting_with(digits)));
                if digits.len() < 10 {
                    parts.push((
                        Field::Phone,
                        MatchKind::Prefix,
                        self.phones.ending_with(digits),
                    ));
                }
            }
        }
        parts.retain(|(_, _, b)| !b.is_empty());
        WordMatch::new(parts, exact)
    }

    fn filter_bitmap(&self, f: &Filters) -> Option<RoaringBitmap> {
        let mut out: Option<RoaringBitmap> = None;
        let mut and = |b: RoaringBitmap| {
            out = Some(match out.take() {
                Some(o) => o & b,
                None => b,
            })
        };
        let get =
            |m: &HashMap<String, RoaringBitmap>, k: &str| m.get(k).cloned().unwrap_or_default();
        if !f.wards.is_empty() {
            and(self.in_wards(&f.wards));
        }
        if let Some(s) = &f.status {
            and(get(&self.by_status, s));
        }
        if let Some(t) = &f.tag {
            and(get(&self.by_tag, t));
        }
        if let Some(a) = &f.assignee {
            and(get(&self.by_assignee, a));
        }
        if f.open || f.overdue {
            and(self.open.clone());
        }
        out
    }

    /// Documents of one kind. Like every filter bitmap it may hold replaced
    /// documents: only what is also a candidate counts.
    pub fn of_kind(&self, kind: DocKind) -> RoaringBitmap {
        self.by_kind.get(&kind).cloned().unwrap_or_default()
    }

    /// Documents in one of `wards`: tickets and dossiers of the ward, the ward itself.
    pub fn in_wards(&self, wards: &[u32]) -> RoaringBitmap {
        union_of(&self.by_ward, wards)
    }

    /// Tickets escalated to one of `wards`, as they stand now (a ticket
    /// escalated elsewhere since is a new document, in its new ward's bitmap).
    pub fn escalated_to(&self, wards: &[u32]) -> RoaringBitmap {
        union_of(&self.by_escalation, wards)
    }

    /// Runs `query`; see [`SearchIndex::search_within`].
    pub fn search(&self, query: &Query, cancel: &dyn Fn() -> bool) -> SearchOutcome {
        self.search_within(query, None, cancel)
    }

    /// Runs `query` over `base` (the previous keystroke's candidates, when the
    /// query only grew) or over everything. Returns early, incomplete, when
    /// `cancel` says a newer query has arrived.
    pub fn search_within(
        &self,
        query: &Query,
        base: Option<&RoaringBitmap>,
        cancel: &dyn Fn() -> bool,
    ) -> SearchOutcome {
        let cancelled = || SearchOutcome {
            hits: vec![],
            total: 0,
            candidates: RoaringBitmap::new(),
            complete: false,
        };
        let filters = self.filter_bitmap(&query.filters);
        if query.words.is_empty() && filters.is_none() {
            return SearchOutcome {
                hits: vec![],
                total: 0,
                candidates: RoaringBitmap::new(),
                complete: true,
            };
        }
        // The scope applies before anything is counted or ranked: what the
        // user may not see is neither counted nor crowds the ranking pool.
        let mut candidates = match (base, &query.scope) {
            (Some(b), Some(scope)) => b & scope.bitmap() & &self.live,
            (Some(b), None) => b & &self.live,
            (None, Some(scope)) => scope.bitmap() & &self.live,
            (None, None) => self.live.clone(),
        };
        if let Some(f) = &filters {
            candidates &= f;
        }
        let mut matches = Vec::with_capacity(query.words.len());
        for word in &query.words {
            if cancel() {
                return cancelled();
            }
            let m = self.word_match(word);
            candidates &= &m.union;
            matches.push(m);
        }
        let f = &query.filters;
        if f.overdue || f.from.is_some() || f.to.is_some() {
            let now = query.now;
            candidates = candidates
                .iter()
                .filter(|n| {
                    let d = self.docs.get(*n);
                    (!f.overdue || d.due < now)
                        && f.from.is_none_or(|from| d.date >= from)
                        && f.to.is_none_or(|to| d.date < to)
                })
                .collect();
        }
        if cancel() {
            return cancelled();
        }
        let total = candidates.len() as usize;
        let pool = rank::pool(self, &candidates, &matches, CHEAP_POOL);
        let hits = rank::rank(self, pool, query, &matches, REFINE_POOL, cancel);
        match hits {
            Some(hits) => SearchOutcome {
                hits,
                total,
                candidates,
                complete: true,
            },
            None => cancelled(),
        }
    }
}

/// Walks (hash, document) pairs sorted by hash, then document, as `store`
/// meets documents one at a time: a hash points at the last document with
/// its key, and a document whose hash a different key holds is set apart
/// (for the overflow map). Returns the map's pairs and those set apart.
fn resolve_keys(
    pairs: Vec<(u64, u32)>,
    same_key: impl Fn(u32, u32) -> bool,
) -> (Vec<(u64, u32)>, Vec<u32>) {
    let mut pairs = pairs;
    let mut apart = Vec::new();
    // Compacted in place: the pairs kept are pairs[..kept].
    let mut kept: usize = 0;
    for i in 0..pairs.len() {
        let (hash, n) = pairs[i];
        match kept.checked_sub(1).map(|last| &mut pairs[last]) {
            Some((last, held)) if *last == hash => {
                if same_key(*held, n) {
                    *held = n;
                } else {
                    apart.push(n);
                }
            }
            _ => {
                pairs[kept] = (hash, n);
                kept += 1;
            }
        }
    }
    pairs.truncate(kept);
    (pairs, apart)
}

fn union_of(bitmaps: &HashMap<u32, RoaringBitmap>, keys: &[u32]) -> RoaringBitmap {
    keys.iter()
        .filter_map(|k| bitmaps.get(k))
        .fold(RoaringBitmap::new(), |a, b| a | b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_out_of_order_lose_no_document() {
        let mut postings: HashMap<String, RoaringBitmap> = HashMap::default();
        add_postings(&mut postings, "lan".into(), vec![7, 3, 9], 0);
        add_postings(&mut postings, "lan".into(), vec![2, 10], 10);
        add_postings(&mut postings, "lan".into(), vec![5, 30, 1], 0);
        add_postings(&mut postings, "lan".into(), vec![0, 1], 30);
        let ids: Vec<u32> = postings["lan"].iter().collect();
        assert_eq!(ids, vec![1, 3, 5, 7, 9, 12, 20, 30, 31]);
    }

    #[test]
    fn colliding_keys_resolve_as_one_document_at_a_time() {
        // Documents 0, 2, 3, 4 share hash 5 with keys a, b, a, b.
        let keys = ["a", "x", "b", "a", "b"];
        let mut pairs = vec![(5, 0), (7, 1), (5, 2), (5, 3), (5, 4)];
        pairs.sort_unstable();
        let (unique, apart) = resolve_keys(pairs, |a, b| keys[a as usize] == keys[b as usize]);
        assert_eq!(unique, vec![(5, 3), (7, 1)]);
        assert_eq!(apart, vec![2, 4]);
    }
}
