//! Search over dossiers, tickets, wards and procedures that keeps up with typing.
//!
//! A full fuzzy scan cannot keep up at a million records (0.5–8 s a query on
//! two cores, measured), and subsequence matching over whole records is
//! meaningless at that size. So candidates come from an index, in the shape
//! Meilisearch uses: folded words go into an `fst` term dictionary (prefix
//! look-ups, and a Levenshtein automaton for one typo in words of five or more
//! letters) that points at `roaring` bitmaps of document numbers; a query
//! intersects one bitmap per word, filters narrow it with more bitmaps, and
//! only then are the candidates ranked (field, exactness, diacritics, word
//! order, recency) and the top ones highlighted with fuzzy-matcher's skim
//! algorithm. `fst` and `roaring` are the well-kept crates behind that design:
//! an fst keeps a million terms compact and walks them with automata, and
//! roaring bitmaps intersect dense and sparse sets quickly.
//!
//! Phone numbers are kept out of the dictionary in two sorted arrays (as
//! typed from the start, and reversed for "the last four digits"), which is
//! far smaller than a term per phone suffix.

mod doc_table;
pub mod docs;
mod index;
mod keymap;
mod pairs;
mod phones;
mod postings;
mod query;
mod rank;
mod scope;
mod session;
pub mod snapshot;
mod terms;
mod text_arena;
pub mod tokenize;

pub use docs::{dossier_doc, procedure_doc, ticket_doc, ward_doc};
pub use index::{SearchIndex, SearchOutcome};
pub use query::{Filters, Query};
pub use scope::Scope;
pub use session::SearchSession;
pub use terms::prefix_within_one_edit;
pub use tokenize::{query_words, QueryWord};

use serde::{Deserialize, Serialize};

/// What a search result points at.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    Dossier,
    Ticket,
    Ward,
    Procedure,
}

/// One ranked result, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Hit {
    pub kind: DocKind,
    /// Unique within `kind`: dossier code, ticket id (`PA-000123`), ward GSO code, procedure code.
    pub key: String,
    /// The result line (NFC; phone numbers already masked).
    pub title: String,
    /// A second, dimmer line (procedure, ward, status, dates).
    pub subtitle: String,
    /// Character indices into `title` to highlight.
    pub highlights: Vec<usize>,
    pub score: i64,
}

/// Where a searchable text comes from; earlier fields rank higher.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Field {
    Code,
    Phone,
    Name,
    Ward,
    Procedure,
    Text,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Code,
        Field::Phone,
        Field::Name,
        Field::Ward,
        Field::Procedure,
        Field::Text,
    ];

    pub fn weight(self) -> i64 {
        match self {
            Field::Code | Field::Phone => 100,
            Field::Name => 70,
            Field::Ward => 50,
            Field::Procedure => 40,
            Field::Text => 20,
        }
    }
}

/// What the rest of the application feeds the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub kind: DocKind,
    pub key: String,
    pub title: String,
    pub subtitle: String,
    /// Searchable texts (NFC; full phone digits here, never displayed).
    pub fields: Vec<(Field, String)>,
    pub ward: Option<u32>,
    /// The ward a ticket is escalated to: that ward's team may find it.
    pub escalated_to: Option<u32>,
    /// Slug for `status:`.
    pub status: Option<String>,
    /// Ticket kind slug for `kind:`.
    pub tag: Option<String>,
    /// User name, for `mine`.
    pub assignee: Option<String>,
    pub open: bool,
    /// Unix seconds; overdue = open and due < now.
    pub due: Option<i64>,
    /// Unix seconds (created / received): recency and `from:`/`to:`.
    pub date: i64,
}
