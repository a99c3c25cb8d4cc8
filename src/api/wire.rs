//! What the hub and `RemoteApi` agree on besides the request and response
//! types: the routes, the error body and its HTTP status.
//!
//! Routes under `/api/v1` (JSON unless said; `Authorization: Bearer TOKEN`
//! on all but `/healthz`):
//!
//! | method and path                    | body → answer                              |
//! |------------------------------------|--------------------------------------------|
//! | `GET /me`                          | → `User`                                   |
//! | `POST /tickets`                    | `NewTicket`, header `Idempotency-Key: UUID` → `Ticket` (201, 200 on a repeat) |
//! | `GET /tickets/{id}`                | → `TicketDetail`                           |
//! | `POST /tickets/list`               | `ListRequest` → `TicketPage`               |
//! | `POST /tickets/{id}/changes`       | `Change`, header `If-Match: VERSION` → `Ticket` (409 + current on a stale version) |
//! | `POST /search`                     | `SearchRequest` → `SearchResults`          |
//! | `GET /dossiers/{code}`             | → `Dossier` (404 when unknown)             |
//! | `GET /callers?q=TEXT`              | → `CallerHistory`                          |
//! | `GET /stats`                       | → `Stats`                                  |
//! | `GET /users`                       | → `[User]`                                 |
//! | `PUT /users/{name}`                | `User` → `User`                            |
//! | `POST /users/{name}/token`         | → `TokenIssued` (a new token, shown once)  |
//! | `DELETE /users/{name}/token`       | → 204                                      |
//! | `POST /imports/dossiers`           | the file's bytes (CSV or JSON lines) → `ImportReport` |
//! | `GET /status`                      | → `BackendStatus`                          |
//! | `GET /notifications/dead`          | → `[DeadLetter]` (supervisors, admins)     |
//! | `POST /notifications/dead/{id}/retry` | → 204 (back in the outbox)              |
//! | `POST /notifications/dead/{id}/discard` | `DiscardRequest` → 204 (the reason on the ticket's timeline) |
//! | `GET /sla-policy`                  | → `SlaPolicy` (the files the hub's policy was read from) |
//! | `GET /events`                      | header `Last-Event-ID: ID` (optional) → `text/event-stream`: `ticket` events (data: a `Ticket`, masked) and `reload` events, each with an id that only grows |
//! | `GET /openapi.json`                | the OpenAPI document                       |
//!
//! Outside `/api/v1`, without a token: `GET /healthz` → `ok`, `GET /metrics`
//! → Prometheus text.
//!
//! Requests the hub cannot read get an `ErrorBody` too: `400 bad-request`
//! (bad JSON, wrong types, unknown fields, a bad path parameter, a missing
//! or malformed `Idempotency-Key`, a malformed `If-Match`), `428
//! precondition-required` (no `If-Match` on a change), `413
//! payload-too-large` (over 256 KiB; 64 MiB for imports), `429
//! rate-limited` (too many failed sign-ins from one address; `Retry-After`
//! says when to try again), `404 not-found` (an unknown route, no `what`),
//! `405 method-not-allowed`.

use super::{ApiError, Page, TicketFilter};
use crate::domain::{Ticket, ValidationError};
use serde::{Deserialize, Serialize};

pub const API_PREFIX: &str = "/api/v1";
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// A client's count of writes waiting for the hub (its outbox), on any request.
pub const OUTBOX_DEPTH: &str = "x-hotline-outbox";
/// Live updates (server-sent events).
pub const EVENTS_PATH: &str = "/events";
/// A ticket the subscriber may see was created or changed.
pub const EVENT_TICKET: &str = "ticket";
/// Changes were missed: reload what is shown.
pub const EVENT_RELOAD: &str = "reload";

/// `POST /notifications/dead/{id}/discard`: why the notification is given up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscardRequest {
    pub reason: String,
}

/// `POST /tickets/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    #[serde(default)]
    pub filter: TicketFilter,
    #[serde(default)]
    pub page: Page,
}

/// `POST /users/{name}/token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenIssued {
    pub user: String,
    pub token: String,
}

/// Every error the hub answers: `{code, message}`, plus the current ticket
/// on a conflict and the field errors of an invalid request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<Ticket>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ValidationError>,
    /// What was not found (`not-found` only), for the same message on both sides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
}

impl ErrorBody {
    /// A request the hub could not read (bad JSON, wrong types, unknown
    /// fields, a body too large…): the code and status are the caller's.
    pub fn plain(code: &str, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            current: None,
            errors: vec![],
            what: None,
        }
    }

    /// The HTTP status and body of an API error.
    pub fn from_api(e: &ApiError) -> (u16, ErrorBody) {
        let mut body = ErrorBody::plain("", e.to_string());
        let status = match e {
            ApiError::NotFound { what } => {
                body.what = Some(what.clone());
                (404, "not-found")
            }
            ApiError::Forbidden { .. } => (403, "forbidden"),
            ApiError::Conflict { current } => {
                body.current = Some(current.clone());
                (409, "conflict")
            }
            ApiError::Invalid { errors } => {
                body.errors = errors.clone();
                (422, "invalid")
            }
            ApiError::Rejected { .. } => (422, "rejected"),
            ApiError::Storage { .. } => (500, "storage"),
            ApiError::Unauthorized { .. } => (401, "unauthorized"),
            ApiError::Unavailable { .. } | ApiError::Queued { .. } => (503, "unavailable"),
        };
        body.code = status.1.into();
        (status.0, body)
    }

    /// The API error a client reports for this body and status, so that a
    /// call through the hub fails exactly as the same call in process.
    pub fn into_api(self, status: u16) -> ApiError {
        let message = self.message;
        let inner = |prefix: &str| message.strip_prefix(prefix).unwrap_or(&message).to_string();
        match (self.code.as_str(), self.current, self.what) {
            ("not-found", _, Some(what)) => ApiError::NotFound { what },
            ("forbidden", _, _) => ApiError::Forbidden {
                message: inner("forbidden: "),
            },
            ("conflict", Some(current), _) => ApiError::Conflict { current },
            ("invalid", _, _) if !self.errors.is_empty() => ApiError::Invalid {
                errors: self.errors,
            },
            ("rejected", _, _) => ApiError::Rejected { message },
            ("storage", _, _) => ApiError::Storage {
                message: inner("storage error: "),
            },
            ("unauthorized", _, _) | ("rate-limited", _, _) => ApiError::Unauthorized {
                message: inner("not signed in: "),
            },
            ("unavailable", _, _) => ApiError::Unavailable {
                message: inner("the hub is unavailable: "),
            },
            (code, _, _) if (400..500).contains(&status) => ApiError::Rejected {
                message: format!("{message} ({code})"),
            },
            (code, _, _) => ApiError::Unavailable {
                message: format!("{status} {code}: {message}"),
            },
        }
    }
}
