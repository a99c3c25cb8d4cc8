//! Sign-in: `Authorization: Bearer TOKEN` → the user the token belongs to
//! (`Store::user_by_token`), and a per-address limit on failed sign-ins so
//! tokens cannot be guessed at speed.

use super::error::HubError;
use super::HubShared;
use crate::api::{ApiError, LocalApi};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The peer address of a connection, plain or TLS (axum's own `SocketAddr`
/// connect info only knows plain TCP listeners).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

/// The API acting as the user whose token came with the request.
pub struct SignedIn(pub LocalApi);

impl FromRequestParts<Arc<HubShared>> for SignedIn {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<HubShared>) -> Result<Self, HubError> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<ClientAddr>>()
            .map(|ConnectInfo(ClientAddr(a))| a.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        hub.limiter.check(ip)?;
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(HubError::unauthorized(
                "no sign-in token: send the header `Authorization: Bearer TOKEN` (an admin issues tokens)",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            hub.limiter.failed(ip);
            return Err(HubError::unauthorized(
                "the Authorization header must be `Bearer TOKEN`",
            ));
        };
        let token = token.to_string();
        let store = hub.backend.store.clone();
        let user = tokio::task::spawn_blocking(move || store.user_by_token(&token))
            .await
            .map_err(|e| ApiError::Storage {
                message: format!("worker failed: {e}"),
            })?
            .map_err(ApiError::from)?;
        match user {
            Some(user) => {
                if let Some(depth) = parts
                    .headers
                    .get(crate::api::wire::OUTBOX_DEPTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                {
                    hub.metrics.client_outbox(&user.name, depth);
                }
                Ok(SignedIn(LocalApi::new(hub.backend.clone(), user)))
            }
            None => {
                hub.limiter.failed(ip);
                Err(HubError::unauthorized(
                    "the sign-in token is wrong, or it was replaced or revoked: ask an admin for a new one",
                ))
            }
        }
    }
}

/// How many failed sign-ins an address may make in a window before it is
/// refused (429) until the window ends.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimit {
    pub failures: u32,
    pub window: Duration,
}

impl Default for SignInLimit {
    fn default() -> Self {
        SignInLimit {
            failures: 10,
            window: Duration::from_secs(60),
        }
    }
}

/// Failed sign-ins per address, in memory (a restart forgets them).
pub struct SignInLimiter {
    limit: SignInLimit,
    windows: Mutex<HashMap<IpAddr, Window>>,
}

struct Window {
    started: Instant,
    failures: u32,
}

/// More addresses than this and expired windows are dropped.
const TRACKED_ADDRESSES: usize = 4096;

impl SignInLimiter {
    pub fn new(limit: SignInLimit) -> SignInLimiter {
        SignInLimiter {
            limit,
            windows: Mutex::default(),
        }
    }

    /// 429 while `ip` has used up its failures in the current window.
    pub fn check(&self, ip: IpAddr) -> Result<(), HubError> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let Some(w) = windows.get(&ip) else {
            return Ok(());
        };
        let elapsed = w.started.elapsed();
        if elapsed >= self.limit.window {
            windows.remove(&ip);
            return Ok(());
        }
        if w.failures < self.limit.failures {
            return Ok(());
        }
        let wait = (self.limit.window - elapsed).as_secs().max(1);
        let mut e = HubError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!("too many failed sign-ins from {ip}: try again in {wait} s"),
        );
        e.retry_after = Some(wait);
        Err(e)
    }

    pub fn failed(&self, ip: IpAddr) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= TRACKED_ADDRESSES {
            let window = self.limit.window;
            windows.retain(|_, w| w.started.elapsed() < window);
        }
        let w = windows.entry(ip).or_insert(Window {
            started: Instant::now(),
            failures: 0,
        });
        if w.started.elapsed() >= self.limit.window {
            *w = Window {
                started: Instant::now(),
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
    }
}
