//! Request and response types of `HotlineApi`.

use crate::domain::{Dossier, Event, Kind, Status, Ticket, TicketId, Ts, WardCode};
use crate::search::Hit;
use serde::{Deserialize, Serialize};

/// The single-ticket view: the only answer with the caller's phone and CCCD in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub events: Vec<Event>,
    /// Linked dossiers found in the store (unknown codes are absent).
    pub dossiers: Vec<Dossier>,
    /// The ticket's SLA clocks when the answer was made, under the
    /// backend's policy (remaining time is working time).
    #[serde(default)]
    pub clocks: Vec<crate::domain::ClockView>,
}

/// Which tickets to list. Empty filter = every ticket the user may see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketFilter {
    #[serde(default)]
    pub statuses: Vec<Status>,
    pub ward: Option<WardCode>,
    pub phone: Option<String>,
    pub dossier: Option<String>,
    pub assignee: Option<String>,
    pub kind: Option<Kind>,
    #[serde(default)]
    pub open_only: bool,
    #[serde(default)]
    pub overdue_only: bool,
    /// Only tickets escalated to the signed-in responder's wards (their queue).
    #[serde(default)]
    pub my_wards: bool,
    /// Only tickets escalated with this fault type.
    #[serde(default)]
    pub fault: Option<crate::domain::FaultType>,
    /// Order by the due date, soonest first (default: newest first).
    #[serde(default)]
    pub by_due: bool,
    /// Only tickets whose escalation is at this level (2: the city centre).
    #[serde(default)]
    pub level: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub limit: usize,
    /// Opaque cursor from a previous page's `next`.
    pub after: Option<String>,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 50,
            after: None,
        }
    }
}

/// Callers' phone and CCCD masked, as in every list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketPage {
    pub tickets: Vec<Ticket>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Raw text as typed, filters included (`ward:`, `status:`, `kind:`, `overdue`, `open`, `mine`).
    pub text: String,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// All matches before the limit, counting only what the user may see.
    pub total: usize,
    pub micros: u64,
    /// False while the index is still being built at startup.
    pub index_ready: bool,
}

/// Phones and CCCD masked, as in every list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallerHistory {
    pub tickets: Vec<Ticket>,
    pub dossiers: Vec<Dossier>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, Default)]
pub struct Stats {
    pub now: Ts,
    /// Open tickets per status (only statuses with tickets).
    pub open_by_status: Vec<(Status, usize)>,
    /// Overdue open tickets per ward, most first, top 10.
    pub overdue_by_ward: Vec<(WardCode, usize)>,
    /// (resolved on time, resolved) over the last 1, 7 and 30 days.
    pub on_time_today: (usize, usize),
    pub on_time_7d: (usize, usize),
    pub on_time_30d: (usize, usize),
    /// New tickets per day, the last 30 days, oldest first.
    pub new_per_day: Vec<(String, usize)>,
    /// Late escalations (acknowledged or resolved late, or overdue now) per fault type.
    pub breaches_by_fault: Vec<(String, usize)>,
    /// The on-time rate as the city reports it: tickets resolved by their
    /// deadline (time waiting on the citizen excluded, as it extends the
    /// deadline) out of those resolved, as (key, on time, resolved). Per ward
    /// and per fault type (escalated tickets) over the last 30 days, worst
    /// rate first; per month (`2025-08`) over the last 12, oldest first.
    #[serde(default)]
    pub on_time_by_ward: Vec<(WardCode, usize, usize)>,
    #[serde(default)]
    pub on_time_by_fault: Vec<(String, usize, usize)>,
    #[serde(default)]
    pub on_time_by_month: Vec<(String, usize, usize)>,
    pub total_tickets: usize,
    pub open_tickets: usize,
    pub overdue_tickets: usize,
    /// Open tickets whose escalation went to the city centre (level 2).
    #[serde(default)]
    pub open_top_level: usize,
}

/// `GET /sla-policy`: the SLA policy deadlines and clocks are computed
/// under, as the files it was read from (the shipped ones first, then the
/// overrides; later keys win), so a client reads the very same policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlaPolicy {
    /// The share of a clock's window (working time) after which it warns.
    pub warning_percent: u8,
    pub policy_files: Vec<crate::domain::PolicyFile>,
    pub days_off_files: Vec<crate::domain::PolicyFile>,
}

impl SlaPolicy {
    /// The files of `policy`, each named by its file name only (not where it
    /// lies on the machine that read it).
    pub fn of(policy: &crate::domain::Policy) -> SlaPolicy {
        let named = |files: &[crate::domain::PolicyFile]| {
            files
                .iter()
                .map(|f| crate::domain::PolicyFile {
                    name: std::path::Path::new(&f.name)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| f.name.clone()),
                    text: f.text.clone(),
                })
                .collect()
        };
        SlaPolicy {
            warning_percent: policy.warning_percent,
            policy_files: named(policy.policy_files()),
            days_off_files: named(policy.days_off_files()),
        }
    }

    /// The policy these files make.
    pub fn policy(&self) -> Result<crate::domain::Policy, crate::problems::Problems> {
        crate::domain::Policy::from_files(&self.policy_files, &self.days_off_files)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BackendStatus {
    /// "local" or the hub URL.
    pub backend: String,
    pub demo: bool,
    pub tickets: u64,
    pub dossiers: u64,
    /// (indexed, total) while the search index builds; equal when ready.
    pub index_progress: (u64, u64),
    /// Why the search index could not be built; searches fail meanwhile.
    #[serde(default)]
    pub index_error: Option<String>,
    /// Writes this client keeps until the hub answers (0 for a local store).
    #[serde(default)]
    pub pending_writes: u64,
}

impl BackendStatus {
    /// Whether the search index is still being built (not once it failed).
    pub fn index_building(&self) -> bool {
        self.index_error.is_none() && self.index_progress.0 < self.index_progress.1
    }
}

/// Helper for callers that show a ticket id typed by the user.
pub fn parse_ticket_id(s: &str) -> Result<TicketId, crate::domain::ValidationError> {
    s.parse()
}
