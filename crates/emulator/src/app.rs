//! The emulator as an axum application: shared state and the route table, with the middleware
//! stack (stats → faults → auth → handler) that only `/api` requests go through.

use std::sync::Arc;

use axum::extract::Request;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post, put};
use axum::Router;

use super::error_response::ErrorResponse;
use super::faults::Faults;
use super::stats::Stats;
use super::store::Store;
use super::{
    assistant_write, assistants, auth, campaign_create, campaign_status, campaigns, faults,
    inspect, leads, stats,
};

pub(crate) struct App {
    pub store: Store,
    pub stats: Stats,
    pub faults: Faults,
    pub token: String,
    /// Assistant writes get the older body's 422 (`EmulatorConfig::older_assistant_api`).
    pub older_assistant_api: bool,
}

/// Whether a path is part of the emulated API (as opposed to `/_emulator/...`).
pub(crate) fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

pub(crate) fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/api/user/campaigns", get(campaigns::list))
        .route("/api/user/campaign", post(campaign_create::create))
        .route("/api/user/campaign/{id}", delete(campaigns::delete))
        .route(
            "/api/user/campaigns/update-status",
            post(campaign_status::update_status),
        )
        .route("/api/user/assistant", post(assistant_write::create))
        .route(
            "/api/user/assistant/{id}",
            put(assistant_write::update).delete(assistant_write::delete),
        )
        .route("/api/user/assistants/outbound", get(assistants::outbound))
        .route("/api/user/assistants/get", get(assistants::paginated))
        .route(
            "/api/user/assistants/phone-numbers",
            get(assistants::phone_numbers),
        )
        .route("/api/user/lead", post(leads::create))
        .route("/api/user/leads", get(leads::list))
        .route("/api/user/leads/{id}", put(leads::update))
        // `route_layer`: unknown routes and wrong methods are 404/405 before any auth, as in
        // Laravel, where an unmatched route never reaches the auth middleware.
        .route_layer(from_fn_with_state(app.clone(), auth::require_token));
    Router::new()
        .merge(api)
        .route("/_emulator/stats", get(inspect::stats))
        .route("/_emulator/campaigns", get(inspect::campaigns))
        .route("/_emulator/assistants", get(inspect::assistants))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(app.clone(), faults::inject))
        .layer(from_fn_with_state(app.clone(), stats::track))
        .with_state(app)
}

async fn not_found() -> ErrorResponse {
    ErrorResponse::NotFound("Not Found")
}

async fn method_not_allowed(request: Request) -> ErrorResponse {
    let route = request.uri().path().trim_start_matches('/');
    ErrorResponse::MethodNotAllowed(format!(
        "The {} method is not supported for route {route}.",
        request.method()
    ))
}
