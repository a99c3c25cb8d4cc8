//! The ticket detail screen's state; its keys are in `update/detail.rs`,
//! its drawing in `ui/screens/detail.rs`.

use crate::api::TicketDetail;
use crate::domain::{TicketId, User};

#[derive(Debug, Clone, PartialEq)]
pub struct DetailState {
    pub id: TicketId,
    pub detail: Option<TicketDetail>,
    pub loading: bool,
    pub error: Option<String>,
    /// Timeline scroll (rows from the newest event).
    pub scroll: usize,
    pub users: Vec<User>,
    /// Open the escalation dialog once the ticket is loaded ("save and escalate").
    pub escalate_on_load: bool,
    /// The subject of the ticket this one duplicates (or why it is not known).
    pub duplicate_subject: Option<Result<String, String>>,
}

impl DetailState {
    pub fn new(id: TicketId) -> DetailState {
        DetailState {
            id,
            detail: None,
            loading: true,
            error: None,
            scroll: 0,
            users: Vec::new(),
            escalate_on_load: false,
            duplicate_subject: None,
        }
    }
}
