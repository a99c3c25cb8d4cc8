//! The one interface the TUI and the CLI talk to (and, later, the hub serves).
//! `LocalApi` implements it over the embedded store; every call runs as one
//! user, and role and ward-scope checks live behind the trait.

mod error;
pub mod live;
pub mod local;
pub mod remote;
mod remote_events;
pub mod sse;
mod stats;
mod types;
pub mod wire;

pub use error::ApiError;
pub use local::{Backend, LocalApi};
pub use remote::RemoteApi;
pub use types::*;

use crate::domain::{Change, Dossier, NewTicket, Ticket, TicketId, User};
use async_trait::async_trait;
use uuid::Uuid;

pub type ApiResult<T> = Result<T, ApiError>;

#[async_trait]
pub trait HotlineApi: Send + Sync {
    /// The signed-in user.
    async fn whoami(&self) -> ApiResult<User>;

    /// Creates a ticket. Idempotent by `request_id`: a repeat returns the
    /// ticket the first call created.
    async fn create_ticket(&self, request_id: Uuid, new: NewTicket) -> ApiResult<Ticket>;

    /// A ticket with its timeline.
    async fn ticket(&self, id: TicketId) -> ApiResult<TicketDetail>;

    async fn list_tickets(&self, filter: TicketFilter, page: Page) -> ApiResult<TicketPage>;

    /// Applies a change based on `expected_version`; a stale version is
    /// `ApiError::Conflict` carrying the current ticket.
    async fn apply(&self, id: TicketId, expected_version: u64, change: Change)
        -> ApiResult<Ticket>;

    /// One query over dossiers, tickets, wards and procedures.
    async fn search(&self, query: SearchRequest) -> ApiResult<SearchResults>;

    async fn dossier(&self, code: &str) -> ApiResult<Option<Dossier>>;

    /// Tickets and dossiers of one caller (phone or name), newest first.
    async fn caller(&self, query: &str) -> ApiResult<CallerHistory>;

    /// Counts for queues and the dashboard (supervisors see everything,
    /// responders their wards, operators all tickets).
    async fn stats(&self) -> ApiResult<Stats>;

    /// Users the current user may list (for assign pickers).
    async fn users(&self) -> ApiResult<Vec<User>>;

    /// Adds or replaces a user (admins; on a store with no users yet, the
    /// first one bootstraps it).
    async fn put_user(&self, user: User) -> ApiResult<User>;

    /// Imports the one-stop system's dossier export (CSV with a header, or
    /// JSON lines): admins and supervisors. Good rows are stored and
    /// searchable at once; bad rows are reported by line.
    async fn import_dossiers(&self, bytes: Vec<u8>) -> ApiResult<crate::sync::ImportReport>;

    /// Store and index state for the status bar.
    async fn status(&self) -> ApiResult<BackendStatus>;

    /// The SLA policy the backend computes deadlines and clocks under (any
    /// signed-in user): a client shows clocks under its backend's policy.
    async fn sla_policy(&self) -> ApiResult<SlaPolicy>;

    /// A new sign-in token for the hub for `name`, replacing any earlier one
    /// (admins; on a store whose only user is its first admin, that admin
    /// for themselves). The token is shown once and kept only as a hash.
    async fn issue_token(&self, name: &str) -> ApiResult<String>;

    /// Retires `name`'s token (admins): the hub refuses it from then on.
    async fn revoke_token(&self, name: &str) -> ApiResult<()>;

    /// Notifications that gave up after their last attempt (supervisors
    /// and admins), oldest first.
    async fn dead_letters(&self) -> ApiResult<Vec<crate::notify::DeadLetter>> {
        Err(ApiError::Rejected {
            message: "notifications are not available here".into(),
        })
    }

    /// Sends a dead letter again, under its first idempotency key
    /// (supervisors and admins).
    async fn retry_notification(&self, id: u64) -> ApiResult<()> {
        let _ = id;
        Err(ApiError::Rejected {
            message: "notifications are not available here".into(),
        })
    }

    /// Removes a dead letter for good (supervisors and admins); `reason`
    /// goes on the ticket's timeline as a failed notification by this user.
    async fn discard_notification(&self, id: u64, reason: &str) -> ApiResult<()> {
        let _ = (id, reason);
        Err(ApiError::Rejected {
            message: "notifications are not available here".into(),
        })
    }

    /// Live updates of the tickets this user may see, from after event
    /// `after` on (or from now). Remote clients reconnect by themselves.
    async fn subscribe(&self, after: Option<u64>) -> ApiResult<live::Subscription> {
        let _ = after;
        Err(ApiError::Rejected {
            message: "live updates are not available here".into(),
        })
    }
}

/// Opens the same backend as another user (the demo user switcher).
pub type UserSwitcher =
    std::sync::Arc<dyn Fn(&str) -> anyhow::Result<std::sync::Arc<dyn HotlineApi>> + Send + Sync>;
