//! The append-only timeline of a ticket.

use super::escalation::FaultType;
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
        }
    }
}
