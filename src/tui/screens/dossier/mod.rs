//! The dossier screen: one dossier and its tickets.

pub mod state;
pub mod update;
pub mod view;
