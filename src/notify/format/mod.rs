//! How an outbox entry goes over the wire, one module per format.

pub mod json;
pub mod slack;
pub mod telegram;

use super::contacts::{Endpoint, Format};
use super::event::WebhookEvent;

/// One HTTP POST, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
pub const EVENT_HEADER: &str = "X-Hotline-Event";

/// The request for `event` to `endpoint`, signed at `now_unix` where the
/// format signs. Every format carries the idempotency key.
pub fn render(endpoint: &Endpoint, event: &WebhookEvent, now_unix: i64) -> Outgoing {
    let mut out = match endpoint.target.format {
        Format::Json => json::render(endpoint, event, now_unix),
        Format::Slack => slack::render(endpoint, event),
        Format::Telegram => telegram::render(endpoint, event),
    };
    out.headers.push((IDEMPOTENCY_KEY, event.id.clone()));
    out.headers
        .push((EVENT_HEADER, event.kind.slug().to_string()));
    out
}
