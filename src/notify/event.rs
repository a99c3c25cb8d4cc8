//! What a notification says (the documented JSON event) and what an outbox
//! entry keeps besides (where to, how many tries so far).
//!
//! Outbox entries are JSON in trees of their own: a field added later reads
//! old entries with its default, which postcard could not.

use super::contacts::Target;
use crate::domain::{SlaClock, Ticket, Ts};
use serde::{Deserialize, Serialize};

/// Why someone is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NotifyKind {
    Escalated,
    Warning,
    Breach,
    #[serde(rename = "level-2")]
    Level2,
    Acknowledged,
    Resolved,
    HandedBack,
}

impl NotifyKind {
    pub fn slug(self) -> &'static str {
        match self {
            NotifyKind::Escalated => "escalated",
            NotifyKind::Warning => "warning",
            NotifyKind::Breach => "breach",
            NotifyKind::Level2 => "level-2",
            NotifyKind::Acknowledged => "acknowledged",
            NotifyKind::Resolved => "resolved",
            NotifyKind::HandedBack => "handed-back",
        }
    }
}

/// The ticket as a notification shows it: no caller's phone or CCCD (these
/// go to chat rooms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketSummary {
    /// `PA-000123`.
    pub id: String,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub ward: Option<u32>,
    pub ward_name: Option<String>,
    pub fault: Option<String>,
    pub level: Option<u8>,
    /// RFC 3339, Asia/Ho_Chi_Minh.
    pub ack_by: Option<String>,
    pub resolve_by: Option<String>,
}

impl TicketSummary {
    pub fn of(t: &Ticket) -> TicketSummary {
        let e = t.escalation.as_ref();
        let ward = e.map(|e| e.ward).or(t.ward);
        TicketSummary {
            id: t.id.to_string(),
            subject: t.subject.clone(),
            status: t.status.slug().into(),
            priority: t.priority.slug().into(),
            ward,
            ward_name: ward
                .and_then(crate::reference::ward)
                .map(|w| w.full_name.clone()),
            fault: e.map(|e| e.fault.slug().into()),
            level: e.map(|e| e.level),
            ack_by: e.map(|e| e.ack_by.rfc3339()),
            resolve_by: e.map(|e| e.resolve_by.rfc3339()),
        }
    }
}

/// The body of a `format = "json"` delivery (see README, "Notifications").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookEvent {
    /// The same on every attempt: also the `Idempotency-Key` header.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: NotifyKind,
    /// When the change happened (RFC 3339).
    pub at: String,
    /// `ward:<code>`, `city` or `supervisors`.
    pub to: String,
    pub ticket: TicketSummary,
    /// The SLA clock of a warning or a breach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<SlaClock>,
    /// Who made the change.
    pub by: String,
    /// The message in Vietnamese, as chat formats send it.
    pub text: String,
}

/// One outbox entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub event: WebhookEvent,
    pub target: Target,
    /// Tries made so far.
    #[serde(default)]
    pub attempts: u32,
    /// Not before this (unix milliseconds).
    #[serde(default)]
    pub next_at_ms: i64,
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the entry was written (unix milliseconds).
    pub created_at_ms: i64,
    /// The ticket's number, to append the outcome to its timeline.
    pub ticket: u64,
}

impl Pending {
    pub fn encode(&self) -> Vec<u8> {
        // Plain data: serialising cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Pending, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

pub fn unix_ms(at: Ts) -> i64 {
    at.0.saturating_mul(1000)
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
