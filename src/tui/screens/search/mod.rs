//! The search screen: one box over tickets, dossiers and callers, with a preview.

pub mod state;
pub mod update;
pub mod view;
