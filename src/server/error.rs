//! Every answer that is not a success: a JSON `wire::ErrorBody` with its status.

use crate::api::wire::ErrorBody;
use crate::api::ApiError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error answer: the status and the body the client reads.
#[derive(Debug)]
pub struct HubError {
    pub status: StatusCode,
    pub body: Box<ErrorBody>,
    /// Seconds to wait, for `429 rate-limited`.
    pub retry_after: Option<u64>,
}

impl HubError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> HubError {
        HubError {
            status,
            body: Box::new(ErrorBody::plain(code, message)),
            retry_after: None,
        }
    }

    /// A request the hub could not read: 400 `bad-request`.
    pub fn bad_request(message: impl Into<String>) -> HubError {
        HubError::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> HubError {
        HubError::from(ApiError::Unauthorized {
            message: message.into(),
        })
    }
}

impl From<ApiError> for HubError {
    fn from(e: ApiError) -> HubError {
        let (status, body) = ErrorBody::from_api(&e);
        HubError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: Box::new(body),
            retry_after: None,
        }
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!("{} {}: {}", self.status, self.body.code, self.body.message);
        }
        let mut response = (self.status, Json(*self.body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"hotline\""),
            );
        }
        response
    }
}

pub type HubResult<T> = Result<T, HubError>;
