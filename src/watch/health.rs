//! The daemon's HTTP endpoints for probes and scrapers: `/healthz` (the process is alive),
//! `/readyz` (the last pass succeeded, else 503 with the reason) and `/metrics`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use super::metrics::Metrics;

/// What the daemon knows about itself, shared between the pass loop and the HTTP server.
pub(crate) struct Status {
    pub(crate) metrics: Metrics,
    readiness: Mutex<Readiness>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Readiness {
    Starting,
    Ready { at: SystemTime },
    NotReady { reason: String },
}

impl Status {
    pub(crate) fn new() -> Status {
        Status {
            metrics: Metrics::new(),
            readiness: Mutex::new(Readiness::Starting),
        }
    }

    pub(crate) fn set_readiness(&self, readiness: Readiness) {
        // A panic elsewhere while holding the lock leaves a value that is still a whole value.
        *self
            .readiness
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = readiness;
    }

    pub(crate) fn readiness(&self) -> Readiness {
        self.readiness
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

pub(crate) fn router(status: Arc<Status>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(status)
}

/// Serves until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, status: Arc<Status>) {
    if let Err(e) = axum::serve(listener, router(status)).await {
        tracing::error!("the health and metrics server stopped: {e}");
    }
}

async fn readyz(State(status): State<Arc<Status>>) -> Response {
    match status.readiness() {
        Readiness::Ready { at } => (
            StatusCode::OK,
            format!(
                "ready: the last pass succeeded at {}\n",
                humantime::format_rfc3339_seconds(at)
            ),
        )
            .into_response(),
        Readiness::Starting => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the first pass has not finished yet\n",
        )
            .into_response(),
        Readiness::NotReady { reason } => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        )
            .into_response(),
    }
}

async fn metrics(State(status): State<Arc<Status>>) -> Response {
    match status.metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode the metrics: {e}\n"),
        )
            .into_response(),
    }
}
