//! Search index over dossiers, tickets, wards and procedures.
//!
//! (Seed types: the search module's owner fills in the engine.)

use serde::{Deserialize, Serialize};

/// What a search result points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    Dossier,
    Ticket,
    Ward,
    Procedure,
}

/// One ranked result, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
