//! The caller screen: a phone number's history.

pub mod state;
pub mod update;
pub mod view;
