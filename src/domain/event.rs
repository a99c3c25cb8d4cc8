//! The append-only timeline of a ticket.

use super::escalation::FaultType;
use super::sla::SlaClock;
use super::transition::{Action, Status};
use super::{Ts, WardCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub seq: u32,
    pub at: Ts,
    pub by: String,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
/// Externally tagged: postcard cannot read internally tagged enums.
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Created,
    Commented {
        text: String,
    },
    StatusChanged {
        action: Action,
        from: Status,
        to: Status,
        #[serde(default)]
        note: Option<String>,
    },
    Escalated {
        ward: WardCode,
        fault: FaultType,
        level: u8,
    },
    Assigned {
        to: Option<String>,
    },
    Linked {
        dossier: String,
    },
    Edited {
        fields: Vec<String>,
    },
    // New variants go at the end only: postcard stores the variant's position.
    /// A clock passed its warning threshold (the policy's share of its window).
    SlaWarning {
        clock: SlaClock,
    },
    /// A clock passed its deadline with the work not done.
    SlaBreach {
        clock: SlaClock,
    },
    /// The escalation moved to another level (by itself when the ward team did
    /// not acknowledge in time, or by a user).
    LevelRaised {
        from: u8,
        to: u8,
        reason: String,
    },
    /// A notification about this ticket reached an endpoint.
    NotificationSent {
        endpoint: String,
        event: String,
        attempts: u32,
    },
    /// A notification gave up after its last attempt (dead-lettered).
    NotificationFailed {
        endpoint: String,
        event: String,
        attempts: u32,
        error: String,
    },
}

impl EventKind {
    /// One line for timelines and the CLI.
    pub fn describe(&self) -> String {
        match self {
            EventKind::Created => "created".into(),
            EventKind::Commented { text } => format!("comment: {text}"),
            EventKind::StatusChanged {
                action,
                from,
                to,
                note,
            } => match note {
                Some(n) => format!("{action}: {from} → {to} ({n})"),
                None => format!("{action}: {from} → {to}"),
            },
            EventKind::Escalated { ward, fault, level } => {
                format!("escalated to ward {ward} ({fault}, level {level})")
            }
            EventKind::Assigned { to: Some(u) } => format!("assigned to {u}"),
            EventKind::Assigned { to: None } => "unassigned".into(),
            EventKind::Linked { dossier } => format!("linked dossier {dossier}"),
            EventKind::Edited { fields } => format!("edited {}", fields.join(", ")),
            EventKind::SlaWarning { clock } => format!("SLA warning: {}", clock.slug()),
            EventKind::SlaBreach { clock } => format!("SLA breach: {}", clock.slug()),
            EventKind::LevelRaised { from, to, reason } => {
                format!("level {from} → {to}: {reason}")
            }
            EventKind::NotificationSent {
                endpoint,
                event,
                attempts,
            } => format!("notified {endpoint} ({event}, attempt {attempts})"),
            EventKind::NotificationFailed {
                endpoint,
                event,
                attempts,
                error,
            } => {
                format!("notification to {endpoint} failed ({event}, {attempts} attempts): {error}")
            }
        }
    }
}
