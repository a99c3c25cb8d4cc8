//! `RemoteApi`: `HotlineApi` over HTTP to a hub, following the routes and
//! error body of [`super::wire`], so that a call through the hub answers
//! (and fails) exactly as the same call in process.

use super::wire::{ErrorBody, ListRequest, TokenIssued, API_PREFIX, IDEMPOTENCY_KEY, OUTBOX_DEPTH};
use super::{
    ApiError, ApiResult, BackendStatus, CallerHistory, HotlineApi, Page, SearchRequest,
    SearchResults, SlaPolicy, Stats, TicketDetail, TicketFilter, TicketPage,
};
use crate::domain::{Change, Dossier, NewTicket, Ticket, TicketId, User};
use async_trait::async_trait;
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// An import of a whole one-stop export is stored and indexed before the answer.
pub const IMPORT_TIMEOUT: Duration = Duration::from_secs(600);

/// A hub at `base`, signed in as `user` with `token`.
#[derive(Clone)]
pub struct RemoteApi {
    client: reqwest::Client,
    base: Url,
    token: String,
    user: User,
    /// This client's outbox depth, sent with each request for the hub's metrics.
    outbox_depth: Option<Arc<AtomicUsize>>,
}

impl std::fmt::Debug for RemoteApi {
    // Never the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteApi")
            .field("base", &self.base.as_str())
            .field("user", &self.user.name)
            .finish()
    }
}

/// Checks a hub address: an absolute http or https URL (a path is kept, a
/// query or fragment refused). The answer has no trailing slash.
pub fn parse_hub_url(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url.trim()).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "expected an http:// or https:// URL, not {}://",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("a hub URL has no query or fragment".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("a hub URL carries no user or password (use a token)".into());
    }
    Ok(parsed)
}

/// The URL as users type and see it: no trailing slash.
pub fn display_url(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

fn client() -> ApiResult<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("hotline/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ApiError::Unavailable {
            message: format!("could not set up an HTTP client: {}", innermost(&e)),
        })
}

impl RemoteApi {
    /// Signs in to the hub at `url` with `token`: asks `GET /api/v1/me` who
    /// that is. A wrong or revoked token is `Unauthorized`; a hub that cannot
    /// be reached is `Unavailable`, naming the URL.
    pub async fn connect(url: &str, token: &str) -> ApiResult<RemoteApi> {
        let base = parse_hub_url(url).map_err(|why| ApiError::Rejected {
            message: format!("hub URL '{}': {why}", crate::text::escape_controls(url)),
        })?;
        let token = token.trim();
        if token.is_empty() {
            return Err(ApiError::Unauthorized {
                message: format!("no token for {}", display_url(&base)),
            });
        }
        let mut api = RemoteApi {
            client: client()?,
            base,
            token: token.to_string(),
            user: User {
                name: String::new(),
                display_name: String::new(),
                role: crate::domain::Role::Operator,
                wards: vec![],
            },
            outbox_depth: None,
        };
        api.user = api.get("me").await?;
        Ok(api)
    }

    /// As [`RemoteApi::connect`], from a thread with no async runtime (the
    /// TUI's opener): the sign-in runs on a runtime of its own, and the API
    /// returned starts with a fresh connection pool, since connections made
    /// there end with that runtime.
    pub fn connect_blocking(url: &str, token: &str) -> ApiResult<RemoteApi> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::Unavailable {
                message: format!("could not start a runtime: {e}"),
            })?;
        let mut api = rt.block_on(RemoteApi::connect(url, token))?;
        drop(rt);
        api.client = client()?;
        Ok(api)
    }

    /// The hub at `url` as `user`, without asking it (it cannot be reached
    /// now): `user` is who this token signed in as last time. Reads fail
    /// until the hub answers; writes can wait in an outbox.
    pub fn offline(url: &str, token: &str, user: User) -> ApiResult<RemoteApi> {
        let base = parse_hub_url(url).map_err(|why| ApiError::Rejected {
            message: format!("hub URL '{}': {why}", crate::text::escape_controls(url)),
        })?;
        Ok(RemoteApi {
            client: client()?,
            base,
            token: token.trim().to_string(),
            user,
            outbox_depth: None,
        })
    }

    /// The signed-in user, as the hub told it at sign-in.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The hub's address, without a trailing slash.
    pub fn url(&self) -> String {
        display_url(&self.base)
    }

    /// `base` + `/api/v1/` + the segments, each escaped as one segment.
    pub(super) fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            path.extend(API_PREFIX.trim_start_matches('/').split('/'));
            path.extend(segments);
        }
        url
    }

    pub(super) fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let req = self.client.request(method, url).bearer_auth(&self.token);
        match &self.outbox_depth {
            Some(n) => req.header(OUTBOX_DEPTH, n.load(Ordering::Relaxed).to_string()),
            None => req,
        }
    }

    /// Reports `depth` (this client's outbox) to the hub with every request.
    pub fn reporting_outbox(mut self, depth: Arc<AtomicUsize>) -> RemoteApi {
        self.outbox_depth = Some(depth);
        self
    }

    /// Sends the request; a failed status becomes the API error it stands for.
    async fn send(&self, req: RequestBuilder) -> ApiResult<reqwest::Response> {
        let response = req.send().await.map_err(|e| self.transport_error(&e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        Err(error_from(status, &bytes))
    }

    async fn send_json<T: DeserializeOwned>(&self, req: RequestBuilder) -> ApiResult<T> {
        let response = self.send(req).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Unavailable {
            message: format!(
                "the hub at {} answered with something that is not hotline's API ({e})",
                self.url()
            ),
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        let segments: Vec<&str> = path.split('/').collect();
        self.send_json(self.request(Method::GET, self.endpoint(&segments)))
            .await
    }

    async fn post<B: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        segments: &[&str],
        body: &B,
    ) -> ApiResult<T> {
        self.send_json(
            self.request(Method::POST, self.endpoint(segments))
                .json(body),
        )
        .await
    }

    fn transport_error(&self, e: &reqwest::Error) -> ApiError {
        let url = self.url();
        let message = if e.is_timeout() {
            format!("{url} did not answer in time ({})", innermost(e))
        } else if e.is_connect() {
            format!("could not reach {url} ({})", innermost(e))
        } else {
            format!("talking to {url} failed ({})", innermost(e))
        };
        ApiError::Unavailable { message }
    }
}

/// The deepest cause of an error: reqwest's own message only says that
/// sending failed, the cause says why (refused, timed out, DNS…).
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The API error for a failed answer: the hub's error body when it sent one,
/// else (a proxy, another server) the status and the start of the text.
fn error_from(status: StatusCode, bytes: &[u8]) -> ApiError {
    let body = serde_json::from_slice::<ErrorBody>(bytes).unwrap_or_else(|_| {
        let text = String::from_utf8_lossy(bytes);
        let text = crate::text::clean_line(text.trim());
        let mut message: String = text.chars().take(200).collect();
        if message.is_empty() {
            message = status
                .canonical_reason()
                .unwrap_or("no explanation")
                .to_string();
        }
        ErrorBody::plain(&format!("http-{}", status.as_u16()), message)
    });
    body.into_api(status.as_u16())
}

#[async_trait]
impl HotlineApi for RemoteApi {
    async fn whoami(&self) -> ApiResult<User> {
        Ok(self.user.clone())
    }

    async fn create_ticket(&self, request_id: Uuid, new: NewTicket) -> ApiResult<Ticket> {
        let req = self
            .request(Method::POST, self.endpoint(&["tickets"]))
            .header(IDEMPOTENCY_KEY, request_id.to_string())
            .json(&new);
        self.send_json(req).await
    }

    async fn ticket(&self, id: TicketId) -> ApiResult<TicketDetail> {
        self.get(&format!("tickets/{}", id.0)).await
    }

    async fn list_tickets(&self, filter: TicketFilter, page: Page) -> ApiResult<TicketPage> {
        self.post(&["tickets", "list"], &ListRequest { filter, page })
            .await
    }

    async fn apply(
        &self,
        id: TicketId,
        expected_version: u64,
        change: Change,
    ) -> ApiResult<Ticket> {
        let id = id.0.to_string();
        let req = self
            .request(Method::POST, self.endpoint(&["tickets", &id, "changes"]))
            .header(reqwest::header::IF_MATCH, expected_version.to_string())
            .json(&change);
        self.send_json(req).await
    }

    async fn search(&self, query: SearchRequest) -> ApiResult<SearchResults> {
        self.post(&["search"], &query).await
    }

    async fn dossier(&self, code: &str) -> ApiResult<Option<Dossier>> {
        let req = self.request(Method::GET, self.endpoint(&["dossiers", code]));
        match self.send_json(req).await {
            Ok(d) => Ok(Some(d)),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn caller(&self, query: &str) -> ApiResult<CallerHistory> {
        let mut url = self.endpoint(&["callers"]);
        url.query_pairs_mut().append_pair("q", query);
        self.send_json(self.request(Method::GET, url)).await
    }

    async fn stats(&self) -> ApiResult<Stats> {
        self.get("stats").await
    }

    async fn users(&self) -> ApiResult<Vec<User>> {
        self.get("users").await
    }

    async fn put_user(&self, user: User) -> ApiResult<User> {
        let req = self
            .request(Method::PUT, self.endpoint(&["users", &user.name]))
            .json(&user);
        self.send_json(req).await
    }

    async fn import_dossiers(&self, bytes: Vec<u8>) -> ApiResult<crate::sync::ImportReport> {
        let req = self
            .request(Method::POST, self.endpoint(&["imports", "dossiers"]))
            .timeout(IMPORT_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        self.send_json(req).await
    }

    async fn status(&self) -> ApiResult<BackendStatus> {
        let mut status: BackendStatus = self.get("status").await?;
        status.backend = self.url();
        Ok(status)
    }

    async fn sla_policy(&self) -> ApiResult<SlaPolicy> {
        self.get("sla-policy").await
    }

    async fn issue_token(&self, name: &str) -> ApiResult<String> {
        let issued: TokenIssued = self.post(&["users", name, "token"], &()).await?;
        Ok(issued.token)
    }

    async fn revoke_token(&self, name: &str) -> ApiResult<()> {
        let req = self.request(Method::DELETE, self.endpoint(&["users", name, "token"]));
        self.send(req).await.map(|_| ())
    }

    async fn subscribe(&self, after: Option<u64>) -> ApiResult<super::live::Subscription> {
        Ok(super::remote_events::subscribe(self.clone(), after))
    }

    async fn dead_letters(&self) -> ApiResult<Vec<crate::notify::DeadLetter>> {
        self.get("notifications/dead").await
    }

    async fn retry_notification(&self, id: u64) -> ApiResult<()> {
        let id = id.to_string();
        let req = self.request(
            Method::POST,
            self.endpoint(&["notifications", "dead", &id, "retry"]),
        );
        self.send(req).await.map(|_| ())
    }

    async fn discard_notification(&self, id: u64, reason: &str) -> ApiResult<()> {
        let id = id.to_string();
        let req = self
            .request(
                Method::POST,
                self.endpoint(&["notifications", "dead", &id, "discard"]),
            )
            .json(&crate::api::wire::DiscardRequest {
                reason: reason.to_string(),
            });
        self.send(req).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_urls_are_checked() {
        assert!(parse_hub_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_hub_url("https://hub.example/hotline/").is_ok());
        assert_eq!(
            parse_hub_url("ftp://x").unwrap_err(),
            "expected an http:// or https:// URL, not ftp://"
        );
        assert!(parse_hub_url("hub:8080").is_err());
        assert!(parse_hub_url("localhost").is_err());
        assert!(parse_hub_url("http://x/?a=b").is_err());
        assert!(parse_hub_url("http://me:pw@x/").is_err());
    }

    #[test]
    fn endpoints_escape_each_segment_and_keep_a_base_path() {
        let api = RemoteApi {
            client: reqwest::Client::new(),
            base: parse_hub_url("http://h:1/hotline/").unwrap(),
            token: "t".into(),
            user: User {
                name: "a".into(),
                display_name: String::new(),
                role: crate::domain::Role::Admin,
                wards: vec![],
            },
            outbox_depth: None,
        };
        assert_eq!(
            api.endpoint(&["dossiers", "A/B ?"]).as_str(),
            "http://h:1/hotline/api/v1/dossiers/A%2FB%20%3F"
        );
        assert_eq!(api.url(), "http://h:1/hotline");
        assert!(!format!("{api:?}").contains("\"t\""));
    }

    #[test]
    fn an_answer_that_is_not_an_error_body_keeps_its_status() {
        let e = error_from(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert!(matches!(e, ApiError::Unavailable { .. }), "{e:?}");
        assert!(e.to_string().contains("502"), "{e}");
        let e = error_from(StatusCode::NOT_FOUND, b"");
        assert!(matches!(e, ApiError::Rejected { .. }), "{e:?}");
    }
}
