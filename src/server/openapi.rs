//! The OpenAPI document of the hub, generated from the handlers and the
//! request and response types (utoipa); `docs/openapi.json` is a copy that
//! a test keeps equal to it (`HOTLINE_WRITE_OPENAPI=1 cargo test --test
//! hub_server openapi` rewrites the copy).

use super::auth::SignedIn;
use super::routes;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hotline hub",
        description = "The JSON API of the hotline hub (Ho Chi Minh City's 1022 hotline). \
            Every route but /healthz and /metrics needs `Authorization: Bearer TOKEN`. \
            Errors are `ErrorBody` JSON."
    ),
    paths(
        routes::me,
        routes::create_ticket,
        routes::ticket,
        routes::list_tickets,
        routes::apply_change,
        routes::search,
        routes::dossier,
        routes::callers,
        routes::stats,
        routes::users,
        routes::put_user,
        routes::issue_token,
        routes::revoke_token,
        routes::import_dossiers,
        routes::status,
        routes::sla_policy,
        routes::dead_letters,
        routes::discard_notification,
        routes::retry_notification,
        super::events::events,
    ),
    components(schemas(crate::api::wire::ErrorBody)),
    modifiers(&BearerToken),
    security(("bearer" = [])),
)]
pub struct HubApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A sign-in token an admin issued (POST /api/v1/users/{name}/token)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a final newline, as `docs/openapi.json` holds it.
pub fn openapi_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut text = HubApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn serve(_: SignedIn) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json())
}
