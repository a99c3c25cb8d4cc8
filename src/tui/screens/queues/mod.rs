//! The queues screen: ticket lists by tab, filter and sort.

pub mod state;
pub mod update;
pub mod view;
