//! SLA deadlines: a default table by ticket kind and priority (plain hours),
//! the escalation clocks, and the state shown in queues.

use super::ticket::{Kind, Priority};
use super::Ts;
use serde::{Deserialize, Serialize};

/// Hours to first response and to resolution.
pub fn ticket_hours(kind: Kind, priority: Priority) -> (i64, i64) {
    let (respond, resolve) = match priority {
        Priority::P1 => (1, 8),
        Priority::P2 => (4, 24),
        Priority::P3 => (8, 72),
        Priority::P4 => (24, 120),
    };
    match kind {
        // A plain question should be answered on the call or the same day.
        Kind::Question => (respond, resolve.min(24)),
        // The city's rule for feedback: at most 5 working days (~7 calendar days).
        Kind::Complaint | Kind::Suggestion => (respond, resolve.max(48)),
        Kind::Fault => (respond, resolve),
    }
}

/// Hours for a ward team to acknowledge and to resolve an escalation.
pub fn escalation_hours(severity: Priority) -> (i64, i64) {
    match severity {
        Priority::P1 => (1, 8),
        Priority::P2 => (2, 24),
        Priority::P3 => (4, 48),
        Priority::P4 => (8, 72),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sla {
    pub respond_by: Ts,
    pub resolve_by: Ts,
    pub responded_at: Option<Ts>,
    pub resolved_at: Option<Ts>,
    /// Set while waiting on the citizen; the clock is paused.
    pub paused_since: Option<Ts>,
    pub paused_secs: i64,
}

impl Sla {
    pub fn new(kind: Kind, priority: Priority, created: Ts) -> Sla {
        let mut sla = Sla {
            respond_by: created,
            resolve_by: created,
            responded_at: None,
            resolved_at: None,
            paused_since: None,
            paused_secs: 0,
        };
        sla.retarget(kind, priority, created);
        sla
    }

    /// Deadlines for another kind or priority, from the same start; time
    /// already spent waiting on the citizen still extends them.
    pub fn retarget(&mut self, kind: Kind, priority: Priority, created: Ts) {
        let (respond, resolve) = ticket_hours(kind, priority);
        let waited = self.paused_secs;
        self.resolve_by = Ts(created.plus_hours(resolve).0 + waited);
        if self.responded_at.is_none() {
            self.respond_by = Ts(created.plus_hours(respond).0 + waited);
        }
    }

    pub fn pause(&mut self, now: Ts) {
        if self.paused_since.is_none() {
            self.paused_since = Some(now);
        }
    }

    /// Ends a pause: the deadlines move by the time spent waiting.
    pub fn resume(&mut self, now: Ts) {
        if let Some(since) = self.paused_since.take() {
            let waited = (now.0 - since.0).max(0);
            self.paused_secs += waited;
            self.resolve_by = Ts(self.resolve_by.0 + waited);
            if self.responded_at.is_none() {
                self.respond_by = Ts(self.respond_by.0 + waited);
            }
        }
    }

    pub fn responded(&mut self, now: Ts) {
        self.responded_at.get_or_insert(now);
    }
}

/// The clocks a ticket runs: two for the ticket (first response,
/// resolution) and two for its escalation (acknowledge, resolve).
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
pub enum SlaClock {
    FirstResponse,
    Resolution,
    Acknowledge,
    EscalationResolve,
}

impl SlaClock {
    pub const ALL: [SlaClock; 4] = [
        SlaClock::FirstResponse,
        SlaClock::Resolution,
        SlaClock::Acknowledge,
        SlaClock::EscalationResolve,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            SlaClock::FirstResponse => "first-response",
            SlaClock::Resolution => "resolution",
            SlaClock::Acknowledge => "acknowledge",
            SlaClock::EscalationResolve => "escalation-resolve",
        }
    }
}

/// How a ticket stands against its deadlines at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SlaState {
    OnTrack,
    /// Less than a quarter of the resolve window left.
    DueSoon,
    Overdue,
    Paused,
    MetOnTime,
    MetLate,
    /// Cancelled (a duplicate, a mistake): no verdict either way.
    Cancelled,
}

impl SlaState {
    pub fn slug(self) -> &'static str {
        match self {
            SlaState::OnTrack => "on-track",
            SlaState::DueSoon => "due-soon",
            SlaState::Overdue => "overdue",
            SlaState::Paused => "paused",
            SlaState::MetOnTime => "met",
            SlaState::MetLate => "late",
            SlaState::Cancelled => "cancelled",
        }
    }
}
