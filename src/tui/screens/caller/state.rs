//! The caller screen's state; its keys are in `update/caller.rs`, its
//! drawing in `ui/screens/caller.rs`.

use crate::api::CallerHistory;
use crate::domain::{Dossier, Ticket};
use crate::tui::state::{Cursor, Focus, TextInput};

/// One row of the caller screen: a ticket or a dossier, newest first.
#[derive(Debug, Clone, PartialEq)]
pub enum CallerRow {
    Ticket(Box<Ticket>),
    Dossier(Box<Dossier>),
}

impl CallerRow {
    /// The phone number the row belongs to, masked as lists carry it
    /// (tickets and dossiers alike); empty when a dossier has none.
    pub fn masked_phone(&self) -> String {
        match self {
            CallerRow::Ticket(t) => t.masked_phone(),
            CallerRow::Dossier(d) => d
                .applicant_phone
                .as_ref()
                .map(|p| p.masked())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallerState {
    pub input: TextInput,
    pub focus: Focus,
    pub generation: u64,
    pub history: Option<CallerHistory>,
    pub rows: Vec<CallerRow>,
    pub cursor: Cursor,
    pub loading: bool,
    pub error: Option<String>,
}
