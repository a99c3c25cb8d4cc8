//! One handler per route of `api::wire`, each calling `HotlineApi` as the
//! signed-in user: role and ward checks stay behind the trait.

use super::auth::SignedIn;
use super::error::{HubError, HubResult};
use super::extract::{
    IdempotencyKey, IfMatch, JsonBody, PathText, QueryParams, RawBody, TicketIdParam,
};
use crate::api::wire::{ErrorBody, ListRequest, TokenIssued};
use crate::api::{
    ApiError, BackendStatus, CallerHistory, HotlineApi, SearchRequest, SearchResults, SlaPolicy,
    Stats, TicketDetail, TicketPage,
};
use crate::domain::{Change, Dossier, NewTicket, Ticket, User};
use crate::sync::ImportReport;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, description = "The signed-in user", body = User),
              (status = 401, description = "No, a wrong or a revoked token", body = ErrorBody)))]
pub async fn me(SignedIn(api): SignedIn) -> HubResult<Json<User>> {
    Ok(Json(api.whoami().await?))
}

#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets",
    params(("Idempotency-Key" = String, Header, format = Uuid,
            description = "A UUID the client keeps for retries of this one creation")),
    request_body = NewTicket,
    responses((status = 201, description = "Created", body = Ticket),
              (status = 200, description = "The ticket an earlier request with the same key created", body = Ticket),
              (status = 400, description = "Missing or bad Idempotency-Key, or a body that is not a NewTicket", body = ErrorBody),
              (status = 403, description = "Responders and admins do not log tickets", body = ErrorBody),
              (status = 422, description = "Invalid fields", body = ErrorBody)))]
pub async fn create_ticket(
    SignedIn(api): SignedIn,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(new): JsonBody<NewTicket>,
) -> HubResult<(StatusCode, Json<Ticket>)> {
    let (ticket, created) = api.create_ticket_noting_new(key, new).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ticket)))
}

#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = String, Path, description = "PA-000123 or 123")),
    responses((status = 200, body = TicketDetail),
              (status = 404, description = "No such ticket, or one the user may not see", body = ErrorBody)))]
pub async fn ticket(
    SignedIn(api): SignedIn,
    TicketIdParam(id): TicketIdParam,
) -> HubResult<Json<TicketDetail>> {
    Ok(Json(api.ticket(id).await?))
}

#[utoipa::path(post, path = "/api/v1/tickets/list", tag = "tickets",
    request_body = ListRequest,
    responses((status = 200, body = TicketPage), (status = 400, body = ErrorBody)))]
pub async fn list_tickets(
    SignedIn(api): SignedIn,
    JsonBody(req): JsonBody<ListRequest>,
) -> HubResult<Json<TicketPage>> {
    Ok(Json(api.list_tickets(req.filter, req.page).await?))
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/changes", tag = "tickets",
    params(("id" = String, Path, description = "PA-000123 or 123"),
           ("If-Match" = u64, Header, description = "The ticket version the change is based on")),
    request_body = Change,
    responses((status = 200, description = "The changed ticket", body = Ticket),
              (status = 409, description = "The ticket changed meanwhile: `current` is the ticket now", body = ErrorBody),
              (status = 422, description = "The change is not allowed now or is invalid", body = ErrorBody),
              (status = 428, description = "No If-Match header", body = ErrorBody)))]
pub async fn apply_change(
    SignedIn(api): SignedIn,
    TicketIdParam(id): TicketIdParam,
    IfMatch(version): IfMatch,
    JsonBody(change): JsonBody<Change>,
) -> HubResult<Json<Ticket>> {
    Ok(Json(api.apply(id, version, change).await?))
}

#[utoipa::path(post, path = "/api/v1/search", tag = "search",
    request_body = SearchRequest,
    responses((status = 200, body = SearchResults), (status = 503, description = "The search index failed", body = ErrorBody)))]
pub async fn search(
    SignedIn(api): SignedIn,
    JsonBody(req): JsonBody<SearchRequest>,
) -> HubResult<Json<SearchResults>> {
    Ok(Json(api.search(req).await?))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "search",
    params(("code" = String, Path)),
    responses((status = 200, body = Dossier), (status = 404, body = ErrorBody)))]
pub async fn dossier(
    SignedIn(api): SignedIn,
    PathText(code): PathText,
) -> HubResult<Json<Dossier>> {
    match api.dossier(&code).await? {
        Some(d) => Ok(Json(d)),
        None => Err(ApiError::not_found(format!(
            "dossier {}",
            crate::text::escape_controls(&code)
        ))
        .into()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CallerQuery {
    /// A phone number or a name.
    pub q: String,
}

#[utoipa::path(get, path = "/api/v1/callers", tag = "search",
    params(CallerQuery),
    responses((status = 200, body = CallerHistory), (status = 400, body = ErrorBody)))]
pub async fn callers(
    SignedIn(api): SignedIn,
    QueryParams(query): QueryParams<CallerQuery>,
) -> HubResult<Json<CallerHistory>> {
    Ok(Json(api.caller(&query.q).await?))
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "reports",
    responses((status = 200, body = Stats), (status = 403, description = "Supervisors only", body = ErrorBody)))]
pub async fn stats(SignedIn(api): SignedIn) -> HubResult<Json<Stats>> {
    Ok(Json(api.stats().await?))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = [User])))]
pub async fn users(SignedIn(api): SignedIn) -> HubResult<Json<Vec<User>>> {
    Ok(Json(api.users().await?))
}

#[utoipa::path(put, path = "/api/v1/users/{name}", tag = "users",
    params(("name" = String, Path)),
    request_body = User,
    responses((status = 200, body = User), (status = 400, description = "The body names another user", body = ErrorBody),
              (status = 403, description = "Admins only", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_user(
    SignedIn(api): SignedIn,
    PathText(name): PathText,
    JsonBody(user): JsonBody<User>,
) -> HubResult<Json<User>> {
    if user.name != name {
        return Err(HubError::bad_request(format!(
            "the path names user '{}' but the body user '{}'",
            name.escape_default(),
            user.name.escape_default()
        )));
    }
    Ok(Json(api.put_user(user).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{name}/token", tag = "users",
    params(("name" = String, Path)),
    responses((status = 200, description = "A new token, shown only this once; the user's earlier token stops working", body = TokenIssued),
              (status = 403, description = "Admins only", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn issue_token(
    SignedIn(api): SignedIn,
    PathText(name): PathText,
) -> HubResult<Json<TokenIssued>> {
    let token = api.issue_token(&name).await?;
    Ok(Json(TokenIssued { user: name, token }))
}

#[utoipa::path(delete, path = "/api/v1/users/{name}/token", tag = "users",
    params(("name" = String, Path)),
    responses((status = 204, description = "Revoked"),
              (status = 403, description = "Admins only", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    SignedIn(api): SignedIn,
    PathText(name): PathText,
) -> HubResult<StatusCode> {
    api.revoke_token(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/imports/dossiers", tag = "imports",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
                 description = "The one-stop system's export: CSV with a header, or JSON lines (at most 64 MiB)"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody),
              (status = 413, description = "Over 64 MiB", body = ErrorBody)))]
pub async fn import_dossiers(
    SignedIn(api): SignedIn,
    RawBody(bytes): RawBody,
) -> HubResult<Json<ImportReport>> {
    Ok(Json(api.import_dossiers(bytes.to_vec()).await?))
}

#[utoipa::path(get, path = "/api/v1/status", tag = "status",
    responses((status = 200, body = BackendStatus)))]
pub async fn status(SignedIn(api): SignedIn) -> HubResult<Json<BackendStatus>> {
    Ok(Json(api.status().await?))
}

#[utoipa::path(get, path = "/api/v1/sla-policy", tag = "status",
    responses((status = 200, body = SlaPolicy)))]
pub async fn sla_policy(SignedIn(api): SignedIn) -> HubResult<Json<SlaPolicy>> {
    Ok(Json(api.sla_policy().await?))
}

/// Unknown routes.
pub async fn not_found(uri: axum::http::Uri) -> HubError {
    HubError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        format!(
            "no route {}: the API is under {} (see {}/openapi.json)",
            crate::text::escape_controls(uri.path()),
            crate::api::wire::API_PREFIX,
            crate::api::wire::API_PREFIX
        ),
    )
}

/// A known route asked with another method.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> HubError {
    HubError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!(
            "{} {} is not a route (see {}/openapi.json for the methods)",
            method,
            crate::text::escape_controls(uri.path()),
            crate::api::wire::API_PREFIX
        ),
    )
}

#[utoipa::path(get, path = "/api/v1/notifications/dead", tag = "notifications",
    responses((status = 200, description = "Notifications that gave up after their last attempt, oldest first", body = Vec<crate::notify::DeadLetter>),
              (status = 403, description = "Supervisors and admins only", body = ErrorBody)))]
pub async fn dead_letters(
    SignedIn(api): SignedIn,
) -> HubResult<Json<Vec<crate::notify::DeadLetter>>> {
    Ok(Json(api.dead_letters().await?))
}

#[utoipa::path(post, path = "/api/v1/notifications/dead/{id}/retry", tag = "notifications",
    params(("id" = u64, Path, description = "The dead letter's id")),
    responses((status = 204, description = "Back in the outbox, under its first idempotency key"),
              (status = 403, description = "Supervisors and admins only", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = "An unreadable dead letter: it can only be discarded", body = ErrorBody)))]
pub async fn retry_notification(
    SignedIn(api): SignedIn,
    PathText(id): PathText,
) -> HubResult<StatusCode> {
    let id = dead_letter_id(&id)?;
    api.retry_notification(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/notifications/dead/{id}/discard", tag = "notifications",
    params(("id" = u64, Path, description = "The dead letter's id")),
    request_body = crate::api::wire::DiscardRequest,
    responses((status = 204, description = "Removed for good; the reason is on the ticket's timeline"),
              (status = 403, description = "Supervisors and admins only", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = "No reason, or one too long", body = ErrorBody)))]
pub async fn discard_notification(
    SignedIn(api): SignedIn,
    PathText(id): PathText,
    JsonBody(body): JsonBody<crate::api::wire::DiscardRequest>,
) -> HubResult<StatusCode> {
    let id = dead_letter_id(&id)?;
    api.discard_notification(id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The number of a dead letter in a path.
fn dead_letter_id(text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| {
        ApiError::invalid(crate::domain::ValidationError::new(
            "id",
            "expected the number of a dead letter",
        ))
    })
}
