//! Errors every API call can return, each with a message a user can act on.

use crate::domain::{DomainError, Ticket, ValidationError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ApiError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("forbidden: {message}")]
    Forbidden { message: String },
    #[error("the ticket was changed by {} meanwhile (now version {})", current.updated_by, current.version)]
    Conflict { current: Box<Ticket> },
    #[error("{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid { errors: Vec<ValidationError> },
    #[error("{message}")]
    Rejected { message: String },
    #[error("storage error: {message}")]
    Storage { message: String },
    /// No token, a wrong or revoked one, or too many failed sign-ins.
    #[error("not signed in: {message}")]
    Unauthorized { message: String },
    /// The hub could not be reached or answered with something unusable.
    #[error("the hub is unavailable: {message}")]
    Unavailable { message: String },
    /// The hub could not be reached: the write is kept in this computer's
    /// outbox and sent, once, when it answers (clients only, never on the wire).
    #[error(
        "the hub cannot be reached: kept as pending ({pending} waiting) and sent when it answers"
    )]
    Queued { pending: usize },
}

impl ApiError {
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound { what: what.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden {
            message: message.into(),
        }
    }

    pub fn invalid(e: ValidationError) -> Self {
        ApiError::Invalid { errors: vec![e] }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(v) => ApiError::invalid(v),
            DomainError::Forbidden(m) => ApiError::Forbidden { message: m },
            DomainError::Transition(t) => ApiError::Rejected {
                message: t.to_string(),
            },
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match e {
            StoreError::Conflict(current) => ApiError::Conflict { current },
            StoreError::NotFound(what) => ApiError::NotFound { what },
            StoreError::Domain(d) => d.into(),
            StoreError::Invalid(errors) => ApiError::Invalid { errors },
            other => ApiError::Storage {
                message: other.to_string(),
            },
        }
    }
}
