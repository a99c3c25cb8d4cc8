//! The ticket detail screen: clocks, history and the actions offered.

pub mod state;
pub mod update;
pub mod view;
