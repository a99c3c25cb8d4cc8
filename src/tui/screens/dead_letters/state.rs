//! Notifications that gave up, shown to supervisors on the dashboard.

use crate::notify::DeadLetter;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeadLettersState {
    /// Oldest first, as the API lists them.
    pub letters: Vec<DeadLetter>,
}
