//! The in-memory index: documents, the term dictionary, phones and filter bitmaps.

use super::phones::Phones;
use super::query::{Filters, Query};
use super::rank::{self, WordMatch};
use super::terms::{MatchKind, Terms};
use super::tokenize::{field_prefix, field_terms, phone_digits, QueryWord};
use super::{DocKind, Field, Hit, SearchDoc};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Longest inline searchable text kept per document (ticket descriptions).
const MAX_INLINE: usize = 2000;
/// Candidates ranked cheaply from bitmaps; the best of them are refined.
const CHEAP_POOL: usize = 20_000;
const REFINE_POOL: usize = 400;

/// One stored document. All its strings share one allocation.
pub(super) struct Doc {
    pub kind: DocKind,
    pub date: i64,
    /// `i64::MAX` when there is no due date.
    pub due: i64,
    text: Box<str>,
    /// Ends of key, title, subtitle, name, ward, text within `text`.
    ends: [u32; 6],
    /// Interned procedure text, `u32::MAX` if none.
    procedure: u32,
}

impl Doc {
    fn part(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..self.ends[i] as usize).unwrap_or("")
    }
    pub fn key(&self) -> &str {
        self.part(0)
    }
    pub fn title(&self) -> &str {
        self.part(1)
    }
    pub fn subtitle(&self) -> &str {
        self.part(2)
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
    pub(super) docs: Vec<Doc>,
    procedures: Vec<Box<str>>,
    procedure_ids: HashMap<Box<str>, u32>,
    terms: Terms,
    phones: Phones,
    live: RoaringBitmap,
    by_ward: HashMap<u32, RoaringBitmap>,
    by_status: HashMap<String, RoaringBitmap>,
    by_tag: HashMap<String, RoaringBitmap>,
    by_assignee: HashMap<String, RoaringBitmap>,
    open: RoaringBitmap,
    keys: HashMap<u64, u32>,
    /// Keys whose hash collided with another key's.
    overflow: HashMap<(DocKind, String), u32>,
}

fn key_hash(kind: DocKind, key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
    key.hash(&mut h);
    h.finish()
}

fn joined(doc: &SearchDoc, field: Field) -> String {
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

fn all_terms(doc: &SearchDoc) -> Vec<String> {
    let mut terms: Vec<String> = doc
        .fields
        .iter()
        .flat_map(|(f, t)| field_terms(*f, t))
        .collect();
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

impl SearchIndex {
    fn empty() -> SearchIndex {
        SearchIndex {
            docs: Vec::new(),
            procedures: Vec::new(),
            procedure_ids: HashMap::new(),
            terms: Terms::build(Vec::new()),
            phones: Phones::default(),
            live: RoaringBitmap::new(),
            by_ward: HashMap::new(),
            by_status: HashMap::new(),
            by_tag: HashMap::new(),
            by_assignee: HashMap::new(),
            open: RoaringBitmap::new(),
            keys: HashMap::new(),
            overflow: HashMap::new(),
        }
    }

    /// Builds the index, streaming: documents are taken in chunks whose terms
    /// are extracted in parallel, so only one chunk of input is in memory at a time.
    pub fn build(docs: impl IntoIterator<Item = SearchDoc>) -> SearchIndex {
        const CHUNK: usize = 32_768;
        let mut index = SearchIndex::empty();
        let mut postings: HashMap<String, RoaringBitmap> = HashMap::new();
        let mut phones = Vec::new();
        let mut docs = docs.into_iter();
        loop {
            let chunk: Vec<SearchDoc> = docs.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let terms: Vec<Vec<String>> = chunk.par_iter().map(all_terms).collect();
            for (doc, terms) in chunk.into_iter().zip(terms) {
                let phone_list: Vec<String> = phones_of(&doc).collect();
                let n = index.store(doc);
                for term in terms {
                    match postings.get_mut(&term) {
                        Some(b) => {
                            b.insert(n);
                        }
                        None => {
                            postings.insert(term, std::iter::once(n).collect());
                        }
                    }
                }
                phones.extend(phone_list.into_iter().map(|p| (p, n)));
            }
        }
        let mut sorted: Vec<(String, RoaringBitmap)> = postings.into_iter().collect();
        sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        index.terms = Terms::build(sorted);
        index.phones = Phones::build(phones);
        index.docs.shrink_to_fit();
        index
    }

    pub fn len(&self) -> usize {
        self.live.len() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    fn lookup_key(&self, kind: DocKind, key: &str) -> Option<u32> {
        if let Some(n) = self.overflow.get(&(kind, key.to_string())) {
            return Some(*n);
        }
        let n = *self.keys.get(&key_hash(kind, key))?;
        let d = &self.docs[n as usize];
        (d.kind == kind && d.key() == key).then_some(n)
    }

    /// Appends the document's record, key and filter bitmaps (not its terms).
    fn store(&mut self, doc: SearchDoc) -> u32 {
        let n = self.docs.len() as u32;
        let procedure = joined(&doc, Field::Procedure);
        let procedure = if procedure.is_empty() {
            u32::MAX
        } else if let Some(id) = self.procedure_ids.get(procedure.as_str()) {
            *id
        } else {
            let id = self.procedures.len() as u32;
            self.procedures.push(procedure.clone().into_boxed_str());
            self.procedure_ids.insert(procedure.into_boxed_str(), id);
            id
        };
        let mut text = String::new();
        let mut ends = [0u32; 6];
        let parts = [
            doc.key.clone(),
            doc.title.clone(),
            doc.subtitle.clone(),
            joined(&doc, Field::Name),
            joined(&doc, Field::Ward),
            joined(&doc, Field::Text),
        ];
        for (i, p) in parts.iter().enumerate() {
            text.push_str(p);
            ends[i] = text.len() as u32;
        }
        self.docs.push(Doc {
            kind: doc.kind,
            date: doc.date,
            due: doc.due.unwrap_or(i64::MAX),
            text: text.into_boxed_str(),
            ends,
            procedure,
        });
        self.live.insert(n);
        if let Some(w) = doc.ward {
            self.by_ward.entry(w).or_default().insert(n);
        }
        if let Some(s) = doc.status {
            self.by_status.entry(s).or_default().insert(n);
        }
        if let Some(t) = doc.tag {
            self.by_tag.entry(t).or_default().insert(n);
        }
        if let Some(a) = doc.assignee {
            self.by_assignee.entry(a).or_default().insert(n);
        }
        if doc.open {
            self.open.insert(n);
        }
        let h = key_hash(doc.kind, &doc.key);
        let collides = self.keys.get(&h).is_some_and(|&other| {
            let o = &self.docs[other as usize];
            (o.key() != doc.key || o.kind != doc.kind) && self.live.contains(other)
        });
        if collides {
            self.overflow.insert((doc.kind, doc.key), n);
        } else {
            self.keys.insert(h, n);
        }
        n
    }

    /// Adds or replaces a document; searchable at once.
    pub fn upsert(&mut self, doc: SearchDoc) {
        self.remove(doc.kind, &doc.key);
        let terms = all_terms(&doc);
        let phones: Vec<String> = phones_of(&doc).collect();
        let n = self.store(doc);
        for t in terms {
            self.terms.insert(&t, n);
        }
        for p in phones {
            self.phones.insert(&p, n);
        }
    }

    pub fn remove(&mut self, kind: DocKind, key: &str) {
        if let Some(n) = self.lookup_key(kind, key) {
            self.live.remove(n);
            self.overflow.remove(&(kind, key.to_string()));
        }
    }

    pub(super) fn field_text<'a>(&'a self, doc: &'a Doc, field: Field) -> &'a str {
        match field {
            Field::Name => doc.part(3),
            Field::Ward => doc.part(4),
            Field::Text => doc.part(5),
            Field::Procedure => self
                .procedures
                .get(doc.procedure as usize)
                .map(|s| &**s)
                .unwrap_or(""),
            Field::Code => doc.key(),
            Field::Phone => "",
        }
    }

    fn word_match(&self, word: &QueryWord) -> WordMatch {
        let mut parts = Vec::new();
        match word {
            QueryWord::Word { folded, .. } => {
                let typos = folded.chars().count() >= 5;
                for field in [
                    Field::Code,
                    Field::Name,
                    Field::Ward,
                    Field::Procedure,
                    Field::Text,
                ] {
                    let allow = typos && !matches!(field, Field::Code);
                    for (kind, bitmap) in self.terms.lookup(field_prefix(field), folded, allow) {
                        parts.push((field, kind, bitmap));
                    }
                }
                if folded.len() >= 4 && folded.chars().all(|c| c.is_ascii_digit()) {
                    parts.push((
                        Field::Phone,
                        MatchKind::Exact,
                        self.phones.ending_with(folded),
                    ));
                }
            }
            QueryWord::Phone { digits, .. } => {
                // Digits like "0778" may also be the sequence part of a dossier code.
                for (kind, bitmap) in self.terms.lookup(field_prefix(Field::Code), digits, false) {
                    parts.push((Field::Code, kind, bitmap));
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
        WordMatch::new(parts)
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
            and(f
                .wards
                .iter()
                .filter_map(|w| self.by_ward.get(w))
                .fold(RoaringBitmap::new(), |a, b| a | b));
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
        let mut candidates = match base {
            Some(b) => b & &self.live,
            None => self.live.clone(),
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
                    let d = &self.docs[*n as usize];
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
