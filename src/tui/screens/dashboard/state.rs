//! The dashboard's state; its keys are in `update/dashboard.rs`, its
//! drawing in `ui/screens/dashboard.rs`.

use crate::api::Stats;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DashboardState {
    pub stats: Option<Stats>,
    /// The selected row over the drillable panels (status, ward, fault type, in that order).
    pub cursor: usize,
    pub loading: bool,
    pub error: Option<String>,
}
