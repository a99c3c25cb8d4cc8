//! `RemoteApi::subscribe`: the hub's `GET /api/v1/events` read as live
//! updates, reconnecting by itself with `Last-Event-ID` so that nothing is
//! missed, and telling the subscriber when the link goes down and comes back.

use super::live::{LiveUpdate, Subscription};
use super::remote::RemoteApi;
use super::sse::{SseEvent, SseParser};
use super::wire::{EVENT_RELOAD, EVENT_TICKET};
use crate::domain::Ticket;
use reqwest::Method;
use std::time::Duration;
use tokio::sync::mpsc;

/// The hub sends a keep-alive comment every 15 s: this long without a byte
/// means the connection is dead.
const SILENCE: Duration = Duration::from_secs(40);
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// An open stream stays open: only the silence check ends it.
const STREAM_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

pub(super) fn subscribe(api: RemoteApi, after: Option<u64>) -> Subscription {
    let (out, rx) = mpsc::channel(256);
    tokio::spawn(follow(api, after, out));
    Subscription::new(rx)
}

async fn follow(api: RemoteApi, mut last: Option<u64>, out: mpsc::Sender<LiveUpdate>) {
    let mut retry = FIRST_RETRY;
    // Unknown at first: the first answer (or failure) says.
    let mut link_up: Option<bool> = None;
    loop {
        let mut req = api
            .request(Method::GET, api.endpoint(&["events"]))
            .timeout(STREAM_TIMEOUT);
        if let Some(id) = last {
            req = req.header("last-event-id", id.to_string());
        }
        let opened = tokio::select! {
            _ = out.closed() => return,
            r = req.send() => r,
        };
        match opened {
            Ok(mut response) if response.status().is_success() => {
                if link_up != Some(true) {
                    link_up = Some(true);
                    if out.send(LiveUpdate::Link { up: true }).await.is_err() {
                        return;
                    }
                }
                retry = FIRST_RETRY;
                let mut parser = SseParser::default();
                loop {
                    let chunk = tokio::select! {
                        _ = out.closed() => return,
                        c = tokio::time::timeout(SILENCE, response.chunk()) => c,
                    };
                    let Ok(Ok(Some(bytes))) = chunk else {
                        break;
                    };
                    for event in parser.push(&bytes) {
                        let Some(update) = to_update(&event) else {
                            continue;
                        };
                        if let Some(id) = update.id() {
                            last = Some(id);
                        }
                        if out.send(update).await.is_err() {
                            return;
                        }
                    }
                }
            }
            // Signed out (token revoked), or a hub without live updates: retrying
            // slowly is all a subscriber can do.
            Ok(_) | Err(_) => {}
        }
        if link_up != Some(false) {
            link_up = Some(false);
            if out.send(LiveUpdate::Link { up: false }).await.is_err() {
                return;
            }
        }
        tokio::select! {
            _ = out.closed() => return,
            _ = tokio::time::sleep(retry) => {}
        }
        retry = (retry * 2).min(LAST_RETRY);
    }
}

fn to_update(e: &SseEvent) -> Option<LiveUpdate> {
    let id = e.id.as_deref()?.trim().parse::<u64>().ok()?;
    match e.event.as_str() {
        EVENT_TICKET => {
            let ticket: Ticket = serde_json::from_str(&e.data).ok()?;
            Some(LiveUpdate::Ticket {
                id,
                ticket: Box::new(ticket),
            })
        }
        EVENT_RELOAD => Some(LiveUpdate::Reload { id }),
        _ => None,
    }
}
