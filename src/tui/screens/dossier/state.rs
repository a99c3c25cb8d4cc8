//! The dossier screen's state; its keys are in `update/dossier.rs`, its
//! drawing in `ui/screens/dossier.rs`.

use crate::domain::{Dossier, Ticket};
use crate::tui::state::Cursor;

/// The dossier screen: one dossier from the one-stop system and every
/// ticket that links it.
#[derive(Debug, Clone, PartialEq)]
pub struct DossierState {
    pub code: String,
    pub dossier: Option<Dossier>,
    pub tickets: Vec<Ticket>,
    pub cursor: Cursor,
    pub loading: bool,
    pub error: Option<String>,
}

impl DossierState {
    pub fn new(code: &str) -> DossierState {
        DossierState {
            code: code.to_string(),
            dossier: None,
            tickets: Vec::new(),
            cursor: Cursor::default(),
            loading: true,
            error: None,
        }
    }
}
