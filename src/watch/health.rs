//! The daemon's HTTP endpoints for probes and scrapers: `/healthz` (the process is alive),
//! `/readyz` (every account's last pass succeeded, else 503 naming those whose did not, with
//! the reason; either way followed by what each account holds) and `/metrics`. Held
//! operations leave readiness as it is: holding a start or a deletion is what the daemon was
//! told to do (no `--allow-start`, no `--allow-delete`), not a failure a probe should act on.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use super::metrics::{Metrics, Registered};

/// What the daemon knows about itself, shared between the pass loops and the HTTP server.
pub(crate) struct Status {
    metrics: Registered,
    pub(crate) accounts: Vec<Arc<AccountStatus>>,
}

/// One account's metrics and readiness, shared between its pass loop and the HTTP server.
pub(crate) struct AccountStatus {
    /// The account's name in the repository config; `None` without one.
    pub(crate) name: Option<String>,
    pub(crate) metrics: Metrics,
    readiness: Mutex<Readiness>,
    /// What the last pass that planned held, one line each (`held::HeldOperations::lines`).
    held: Mutex<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Readiness {
    Starting,
    Ready { at: SystemTime },
    NotReady { reason: String },
}

impl Status {
    /// The status of these accounts (by name; `None` for the one account without a config).
    pub(crate) fn new(accounts: &[Option<String>]) -> Status {
        let metrics = Registered::new();
        let accounts = accounts
            .iter()
            .map(|name| {
                Arc::new(AccountStatus {
                    name: name.clone(),
                    metrics: metrics.account(name.as_deref()),
                    readiness: Mutex::new(Readiness::Starting),
                    held: Mutex::new(Vec::new()),
                })
            })
            .collect();
        Status { metrics, accounts }
    }
}

impl AccountStatus {
    pub(crate) fn set_readiness(&self, readiness: Readiness) {
        // A panic elsewhere while holding the lock leaves a value that is still a whole value.
        *self
            .readiness
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = readiness;
    }

    pub(crate) fn set_held(&self, lines: Vec<String>) {
        *self.held.lock().unwrap_or_else(PoisonError::into_inner) = lines;
    }

    fn held(&self) -> Vec<String> {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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

/// 200 when every account's last pass succeeded; otherwise 503, one line per account that is
/// not ready, naming it. Then one line per held operation (which does not change the status).
async fn readyz(State(status): State<Arc<Status>>) -> Response {
    let mut ready = Vec::new();
    let mut not_ready = Vec::new();
    let mut held = String::new();
    for account in &status.accounts {
        let name = account
            .name
            .as_deref()
            .map(|n| format!("account {n}: "))
            .unwrap_or_default();
        for line in account.held() {
            held.push_str(&format!("held: {name}{line}\n"));
        }
    }
    for account in &status.accounts {
        let name = account
            .name
            .as_deref()
            .map(|n| format!("account {n}: "))
            .unwrap_or_default();
        match account.readiness() {
            Readiness::Ready { at } => ready.push(format!(
                "{name}the last pass succeeded at {}",
                humantime::format_rfc3339_seconds(at)
            )),
            Readiness::Starting => {
                not_ready.push(format!("{name}the first pass has not finished yet"))
            }
            Readiness::NotReady { reason } => not_ready.push(format!("{name}{reason}")),
        }
    }
    if not_ready.is_empty() {
        let lines: String = ready.iter().map(|l| format!("ready: {l}\n")).collect();
        (StatusCode::OK, lines + &held).into_response()
    } else {
        let lines: String = not_ready
            .iter()
            .map(|l| format!("not ready: {l}\n"))
            .collect();
        (StatusCode::SERVICE_UNAVAILABLE, lines + &held).into_response()
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
