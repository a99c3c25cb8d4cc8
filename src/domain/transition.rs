//! The ticket lifecycle as one table: (status, action) → status, with the
//! roles allowed to fire it. Every move not in the table is rejected.

use super::user::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    New,
    InProgress,
    WaitingOnCitizen,
    Escalated,
    Acknowledged,
    Resolved,
    Closed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::New,
        Status::InProgress,
        Status::WaitingOnCitizen,
        Status::Escalated,
        Status::Acknowledged,
        Status::Resolved,
        Status::Closed,
        Status::Cancelled,
    ];

    /// Still needs work (counts for queues and overdue).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed | Status::Cancelled)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in-progress",
            Status::WaitingOnCitizen => "waiting-on-citizen",
            Status::Escalated => "escalated",
            Status::Acknowledged => "acknowledged",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn from_slug(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.slug() == s)
    }

    /// Stable one-byte code used in index keys.
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::New => "Mới",
            Status::InProgress => "Đang xử lý",
            Status::WaitingOnCitizen => "Chờ công dân",
            Status::Escalated => "Đã chuyển phường",
            Status::Acknowledged => "Phường đã nhận",
            Status::Resolved => "Đã giải quyết",
            Status::Closed => "Đã đóng",
            Status::Cancelled => "Đã huỷ",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::InProgress => "In progress",
            Status::WaitingOnCitizen => "Waiting on citizen",
            Status::Escalated => "Escalated",
            Status::Acknowledged => "Acknowledged",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
            Status::Cancelled => "Cancelled",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A lifecycle action. Non-lifecycle changes (comment, assign, link, edit)
/// are in `Change` in the API layer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Take the ticket up (from New) or resume it (from WaitingOnCitizen).
    Start,
    /// Wait for the citizen; the SLA clock pauses.
    Wait,
    /// Hand the ticket to a ward's tech response team.
    Escalate,
    /// The ward team accepts the escalation.
    Ack,
    /// The ward team hands the ticket back to the hotline.
    Return,
    Resolve,
    Close,
    Reopen,
    /// Cancel, usually as a duplicate of another ticket.
    Cancel,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Start,
        Action::Wait,
        Action::Escalate,
        Action::Ack,
        Action::Return,
        Action::Resolve,
        Action::Close,
        Action::Reopen,
        Action::Cancel,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Wait => "wait",
            Action::Escalate => "escalate",
            Action::Ack => "ack",
            Action::Return => "return",
            Action::Resolve => "resolve",
            Action::Close => "close",
            Action::Reopen => "reopen",
            Action::Cancel => "cancel",
        }
    }

    pub fn from_slug(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.slug() == s)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

use Role::{Operator as O, Responder as R, Supervisor as S};
use Status::*;

/// One row of the lifecycle: from `from`, `action` leads to `to`, fired by `roles`.
pub struct Transition {
    pub from: Status,
    pub action: Action,
    pub to: Status,
    pub roles: &'static [Role],
}

const fn t(from: Status, action: Action, to: Status, roles: &'static [Role]) -> Transition {
    Transition {
        from,
        action,
        to,
        roles,
    }
}

/// The whole lifecycle. Responders act only on tickets escalated to their
/// wards; that scope check is in the API layer, on top of this table.
pub const TRANSITIONS: &[Transition] = &[
    t(New, Action::Start, InProgress, &[O, S]),
    t(WaitingOnCitizen, Action::Start, InProgress, &[O, S]),
    t(InProgress, Action::Wait, WaitingOnCitizen, &[O, S]),
    t(New, Action::Escalate, Escalated, &[O, S]),
    t(InProgress, Action::Escalate, Escalated, &[O, S]),
    t(WaitingOnCitizen, Action::Escalate, Escalated, &[O, S]),
    t(Escalated, Action::Ack, Acknowledged, &[R, S]),
    t(Escalated, Action::Return, InProgress, &[R, S]),
    t(Acknowledged, Action::Return, InProgress, &[R, S]),
    t(New, Action::Resolve, Resolved, &[O, S]),
    t(InProgress, Action::Resolve, Resolved, &[O, S]),
    t(WaitingOnCitizen, Action::Resolve, Resolved, &[O, S]),
    t(Acknowledged, Action::Resolve, Resolved, &[R, S]),
    t(Resolved, Action::Close, Closed, &[O, S]),
    t(Resolved, Action::Reopen, InProgress, &[O, S]),
    t(Closed, Action::Reopen, InProgress, &[O, S]),
    t(New, Action::Cancel, Cancelled, &[S]),
    t(InProgress, Action::Cancel, Cancelled, &[S]),
    t(WaitingOnCitizen, Action::Cancel, Cancelled, &[S]),
    t(Escalated, Action::Cancel, Cancelled, &[S]),
    t(Acknowledged, Action::Cancel, Cancelled, &[S]),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {action} a ticket that is {from}")]
    NotAllowedFrom { from: Status, action: Action },
    #[error("{role}s may not {action} a ticket that is {from}")]
    RoleNotAllowed {
        from: Status,
        action: Action,
        role: Role,
    },
}

/// Where `action` leads from `from` when fired by `role`, or why it may not.
pub fn next_status(from: Status, action: Action, role: Role) -> Result<Status, TransitionError> {
    let row = TRANSITIONS
        .iter()
        .find(|r| r.from == from && r.action == action)
        .ok_or(TransitionError::NotAllowedFrom { from, action })?;
    if row.roles.contains(&role) {
        Ok(row.to)
    } else {
        Err(TransitionError::RoleNotAllowed { from, action, role })
    }
}

/// The actions `role` may fire from `from` (for menus and hints).
pub fn allowed_actions(from: Status, role: Role) -> Vec<Action> {
    TRANSITIONS
        .iter()
        .filter(|r| r.from == from && r.roles.contains(&role))
        .map(|r| r.action)
        .collect()
}
