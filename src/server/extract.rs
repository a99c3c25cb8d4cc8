//! Reading requests: JSON bodies, path parameters and the mutation headers,
//! each failure a 4xx `ErrorBody` that says what was wrong.

use super::error::HubError;
use crate::api::wire::IDEMPOTENCY_KEY;
use crate::domain::TicketId;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Request bodies of JSON routes (the imports route has its own).
pub const JSON_BODY_LIMIT: usize = 256 * 1024;
/// `POST /imports/dossiers`: a whole export file.
pub const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// A JSON body, read whatever its content type says.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &S) -> Result<Self, HubError> {
        let bytes = RawBody::from_request(req, state).await?.0;
        let what = short_type_name::<T>();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(HubError::bad_request(format!(
                "the request body is empty: expected a JSON {what}"
            )));
        }
        let mut json = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let at = e.path().to_string();
            let at = if at == "." {
                String::new()
            } else {
                format!(" at `{at}`")
            };
            HubError::bad_request(format!(
                "the request body is not a valid {what}{at}: {}",
                e.inner()
            ))
        })?;
        json.end().map_err(|e| {
            HubError::bad_request(format!("the request body is not a valid {what}: {e}"))
        })?;
        Ok(JsonBody(value))
    }
}

/// The body's bytes, within the route's limit.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &S) -> Result<Self, HubError> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    HubError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload-too-large",
                        format!(
                            "the request body is larger than this route accepts ({} KiB for JSON, {} MiB for dossier imports)",
                            JSON_BODY_LIMIT / 1024,
                            IMPORT_BODY_LIMIT / (1024 * 1024)
                        ),
                    )
                } else {
                    HubError::bad_request(format!("could not read the request body: {}", rejection.body_text()))
                }
            })
    }
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

/// One path parameter as text (a user name, a dossier code).
pub struct PathText(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathText {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HubError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| PathText(s))
            .map_err(|e| HubError::bad_request(format!("bad path parameter: {}", e.body_text())))
    }
}

/// `{id}` of the ticket routes: `PA-000123` or `123`.
pub struct TicketIdParam(pub TicketId);

impl<S: Send + Sync> FromRequestParts<S> for TicketIdParam {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HubError> {
        let PathText(raw) = PathText::from_request_parts(parts, state).await?;
        crate::api::parse_ticket_id(&raw)
            .map(TicketIdParam)
            .map_err(|e| HubError::bad_request(e.to_string()))
    }
}

/// A query string of a known shape (unknown parameters are refused).
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HubError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| QueryParams(q))
            .map_err(|e| HubError::bad_request(e.body_text()))
    }
}

/// `Idempotency-Key: UUID` of `POST /tickets`.
pub struct IdempotencyKey(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HubError> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY) else {
            return Err(HubError::bad_request(
                "POST /tickets needs an Idempotency-Key header: a UUID that stays the same when the request is retried",
            ));
        };
        value
            .to_str()
            .ok()
            .and_then(|s| Uuid::parse_str(s.trim()).ok())
            .map(IdempotencyKey)
            .ok_or_else(|| {
                HubError::bad_request(format!(
                    "the Idempotency-Key header {} is not a UUID",
                    shown(value.as_bytes())
                ))
            })
    }
}

/// `If-Match: VERSION` of `POST /tickets/{id}/changes` (`"7"` and `W/"7"` too).
pub struct IfMatch(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HubError> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Err(HubError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "a change needs an If-Match header with the ticket version it is based on",
            ));
        };
        value
            .to_str()
            .ok()
            .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse::<u64>().ok())
            .map(IfMatch)
            .ok_or_else(|| {
                HubError::bad_request(format!(
                    "the If-Match header {} is not a ticket version (a whole number)",
                    shown(value.as_bytes())
                ))
            })
    }
}

/// A header value quoted for a message, control characters escaped, cut short.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
    format!("'{}'", text.escape_default())
}

/// `Last-Event-ID`: the last live update a reconnecting client saw.
pub struct LastEventId(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for LastEventId {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HubError> {
        let Some(value) = parts.headers.get("last-event-id") else {
            return Ok(LastEventId(None));
        };
        value
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(|id| LastEventId(Some(id)))
            .ok_or_else(|| {
                HubError::bad_request(format!(
                    "the Last-Event-ID header {} is not an event id (a whole number)",
                    shown(value.as_bytes())
                ))
            })
    }
}
