//! One module per screen.

pub mod caller;
pub mod dashboard;
pub mod dead_letters;
pub mod detail;
pub mod dossier;
pub mod form;
pub mod queues;
pub mod search;
pub mod welcome;
