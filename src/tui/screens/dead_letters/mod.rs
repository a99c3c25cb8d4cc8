//! Dead letters: notifications that gave up, shown on the dashboard (its keys are handled by the dashboard's update).

pub mod state;
pub mod view;
