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
