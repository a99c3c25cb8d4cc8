//! The search screen's state; its keys are in `update/search.rs`, its
//! drawing in `ui/screens/search.rs`.

use crate::api::{SearchResults, TicketDetail};
use crate::domain::Dossier;
use crate::search::DocKind;
use crate::tui::state::{Cursor, Focus, TextInput};

/// What the preview pane shows for the selected search result.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    Loading,
    Ticket(Box<TicketDetail>),
    Dossier(Box<Dossier>),
    /// Wards and procedures: the hit itself is enough.
    Plain,
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchState {
    pub input: TextInput,
    pub focus: Focus,
    /// Bumped on every keystroke; results of older generations are dropped.
    pub generation: u64,
    /// The generation `results` belong to.
    pub shown_generation: u64,
    pub results: Option<SearchResults>,
    pub cursor: Cursor,
    pub searching: bool,
    pub error: Option<String>,
    pub preview: Option<(DocKind, String, Preview)>,
    pub preview_generation: u64,
}
