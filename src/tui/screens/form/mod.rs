//! The ticket form screen: new tickets and edits.

pub mod state;
pub mod update;
pub mod view;
