//! `GET /api/v1/events`: live updates as server-sent events, each filtered
//! by what the signed-in user may see (`api::live`).

use super::auth::SignedIn;
use super::error::HubResult;
use super::extract::LastEventId;
use crate::api::live::LiveUpdate;
use crate::api::wire::{EVENT_RELOAD, EVENT_TICKET};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use futures_core::Stream;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A comment line this often keeps proxies from closing a quiet stream and
/// lets clients notice a dead one.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[utoipa::path(get, path = "/api/v1/events", tag = "tickets",
    params(("Last-Event-ID" = Option<u64>, Header,
            description = "The id of the last event seen: events after it are sent first")),
    responses((status = 200, content_type = "text/event-stream",
               description = "Server-sent events: `ticket` (data: the Ticket created or changed, phone and CCCD masked) \
                   and `reload` (changes were missed: reload what is shown); ids only grow", body = String),
              (status = 400, description = "A Last-Event-ID that is not a whole number", body = crate::api::wire::ErrorBody)))]
pub async fn events(
    SignedIn(api): SignedIn,
    LastEventId(after): LastEventId,
) -> HubResult<impl IntoResponse> {
    let updates = api.subscribe_json(after);
    Ok(Sse::new(SseUpdates(updates)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// The subscription as SSE events.
pub struct SseUpdates(crate::api::live::Subscription);

impl Stream for SseUpdates {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let next = match Pin::new(&mut self.0).poll_next(cx) {
                Poll::Ready(next) => next,
                Poll::Pending => return Poll::Pending,
            };
            let Some(update) = next else {
                return Poll::Ready(None);
            };
            if let Some(event) = to_event(update) {
                return Poll::Ready(Some(Ok(event)));
            }
        }
    }
}

fn to_event(update: LiveUpdate) -> Option<Event> {
    match update {
        LiveUpdate::TicketJson { id, json, .. } => Some(
            Event::default()
                .id(id.to_string())
                .event(EVENT_TICKET)
                .data(&*json),
        ),
        LiveUpdate::Ticket { id, ticket } => Event::default()
            .id(id.to_string())
            .event(EVENT_TICKET)
            .json_data(&ticket)
            .ok(),
        LiveUpdate::Reload { id } => Some(
            Event::default()
                .id(id.to_string())
                .event(EVENT_RELOAD)
                .data("{}"),
        ),
        LiveUpdate::Link { .. } => None,
    }
}
