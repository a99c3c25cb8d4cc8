//! The dashboard screen: counts, drill-downs and (for supervisors) dead letters.

pub mod state;
pub mod update;
pub mod view;
