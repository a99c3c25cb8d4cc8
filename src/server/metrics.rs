//! `/metrics` in the Prometheus text format: requests and their latency by
//! route template and status, and the store's tickets by status.

use super::HubShared;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Route templates (`/api/v1/tickets/{id}`) keep the label set small.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Series {
    method: String,
    route: String,
    status: u16,
}

#[derive(Default)]
struct Histogram {
    /// Per bucket, not cumulative (summed when written).
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<Series, Histogram>>,
    /// The outbox depth each user's client last reported.
    outboxes: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn client_outbox(&self, user: &str, depth: u64) {
        let mut all = self.outboxes.lock().unwrap_or_else(|p| p.into_inner());
        if depth == 0 {
            all.remove(user);
        } else {
            all.insert(user.to_string(), depth);
        }
    }

    fn write_outboxes(&self, out: &mut String) {
        let all = self.outboxes.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP hotline_client_outbox_depth Writes clients keep until the hub answers, as they last reported.\n");
        out.push_str("# TYPE hotline_client_outbox_depth gauge\n");
        let _ = writeln!(
            out,
            "hotline_client_outbox_depth {}",
            all.values().sum::<u64>()
        );
    }

    fn observe(&self, series: Series, seconds: f64) {
        let mut all = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let h = all.entry(series).or_default();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.counts[i] += 1;
        }
        h.count += 1;
        h.sum += seconds;
    }

    fn write_requests(&self, out: &mut String) {
        let all = self.series.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP hotline_http_requests_total Requests answered, by method, route template and status.\n");
        out.push_str("# TYPE hotline_http_requests_total counter\n");
        for (s, h) in all.iter() {
            let _ = writeln!(
                out,
                "hotline_http_requests_total{{{}}} {}",
                labels(s),
                h.count
            );
        }
        out.push_str("# HELP hotline_http_request_duration_seconds Time from a request's arrival to its answer.\n");
        out.push_str("# TYPE hotline_http_request_duration_seconds histogram\n");
        for (s, h) in all.iter() {
            let labels = labels(s);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "hotline_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "hotline_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "hotline_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "hotline_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
    }
}

fn labels(s: &Series) -> String {
    format!(
        "method=\"{}\",route=\"{}\",status=\"{}\"",
        s.method,
        s.route.replace('\\', "\\\\").replace('"', "\\\""),
        s.status
    )
}

/// Times every request; routes are labelled by template, anything else as `unmatched`.
pub async fn record(State(hub): State<Arc<HubShared>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    hub.metrics.observe(
        Series {
            method,
            route,
            status: response.status().as_u16(),
        },
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn metrics(State(hub): State<Arc<HubShared>>) -> Response {
    let store = hub.backend.store.clone();
    let counts = tokio::task::spawn_blocking(move || store.ticket_counts_by_status()).await;
    let mut out = String::new();
    hub.metrics.write_requests(&mut out);
    write_live(&hub.backend.live, &mut out);
    hub.metrics.write_outboxes(&mut out);
    match counts {
        Ok(Ok(counts)) => {
            out.push_str("# HELP hotline_tickets Tickets in the store, by status.\n");
            out.push_str("# TYPE hotline_tickets gauge\n");
            for (status, n) in counts {
                let _ = writeln!(out, "hotline_tickets{{status=\"{status}\"}} {n}");
            }
        }
        Ok(Err(e)) => tracing::warn!("metrics: could not count tickets: {e}"),
        Err(e) => tracing::warn!("metrics: could not count tickets: {e}"),
    }
    let store = hub.backend.store.clone();
    match tokio::task::spawn_blocking(move || crate::notify::outbox_stats(&store)).await {
        Ok(Ok(stats)) => write_outbox(&stats, &mut out),
        Ok(Err(e)) => tracing::warn!("metrics: could not read the notification outbox: {e}"),
        Err(e) => tracing::warn!("metrics: could not read the notification outbox: {e}"),
    }
    let (indexed, total) = hub.backend.search.progress();
    out.push_str("# HELP hotline_search_index_documents Documents in the search index, and all there are to index.\n");
    out.push_str("# TYPE hotline_search_index_documents gauge\n");
    let _ = writeln!(
        out,
        "hotline_search_index_documents{{state=\"indexed\"}} {indexed}"
    );
    let _ = writeln!(
        out,
        "hotline_search_index_documents{{state=\"total\"}} {total}"
    );
    out.push_str("# HELP hotline_uptime_seconds Seconds since the hub started.\n");
    out.push_str("# TYPE hotline_uptime_seconds gauge\n");
    let _ = writeln!(
        out,
        "hotline_uptime_seconds {}",
        hub.started.elapsed().as_secs_f64()
    );
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

fn write_live(live: &crate::api::live::LiveFeed, out: &mut String) {
    out.push_str(
        "# HELP hotline_live_subscribers Open live-update subscriptions (event streams).\n",
    );
    out.push_str("# TYPE hotline_live_subscribers gauge\n");
    let _ = writeln!(out, "hotline_live_subscribers {}", live.subscribers());
    out.push_str("# HELP hotline_live_events_sent_total Live updates handed to subscribers.\n");
    out.push_str("# TYPE hotline_live_events_sent_total counter\n");
    let _ = writeln!(out, "hotline_live_events_sent_total {}", live.delivered());
}

fn write_outbox(stats: &crate::notify::OutboxStats, out: &mut String) {
    out.push_str(
        "# HELP hotline_notifications_waiting Notifications in the outbox, not yet delivered.\n",
    );
    out.push_str("# TYPE hotline_notifications_waiting gauge\n");
    let _ = writeln!(out, "hotline_notifications_waiting {}", stats.waiting);
    out.push_str("# HELP hotline_notifications_dead Notifications that gave up after their last attempt (dead letters).\n");
    out.push_str("# TYPE hotline_notifications_dead gauge\n");
    let _ = writeln!(out, "hotline_notifications_dead {}", stats.dead);
    out.push_str("# HELP hotline_notifications_oldest_waiting_seconds Age of the oldest undelivered notification (0 when none waits).\n");
    out.push_str("# TYPE hotline_notifications_oldest_waiting_seconds gauge\n");
    let _ = writeln!(
        out,
        "hotline_notifications_oldest_waiting_seconds {}",
        stats.oldest_waiting_secs
    );
}
