//! Fault injection on `/api` requests, before authentication: latency, rate limiting, server
//! errors, and dropped connections after a write (the case that makes creates ambiguous).
//! One seeded RNG behind a lock makes a run's decisions reproducible.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::app::{is_api, App};
use super::error_response::ErrorResponse;
use super::rate_limit::{retry_after_secs, TokenBucket};
use super::stats::Stats;
use super::FaultConfig;

/// Closes the connection a request arrived on, without a response. The connection task puts one
/// into every request's extensions and drops the connection when it fires.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    pub(crate) fn fire(&self) {
        // `notify_one` keeps a permit if the connection task is not waiting yet.
        self.0.notify_one();
    }

    pub(crate) async fn fired(&self) {
        self.0.notified().await;
    }
}

pub(crate) struct Faults {
    config: FaultConfig,
    rng: Mutex<StdRng>,
    bucket: Option<Mutex<TokenBucket>>,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Faults {
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => rand::make_rng(),
        };
        let bucket = config
            .rate_limit_per_sec
            .map(|rate| Mutex::new(TokenBucket::new(rate, Instant::now())));
        Faults {
            config,
            rng: Mutex::new(rng),
            bucket,
        }
    }

    /// True with probability `p`. Draws only for 0 < p < 1, so faults that are off do not shift
    /// the sequence of the ones that are on.
    fn roll(&self, p: f64) -> bool {
        if p <= 0.0 || p.is_nan() {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        rng.random::<f64>() < p
    }

    /// `Err(seconds)` when the bucket is empty.
    fn take_token(&self) -> Result<(), u64> {
        let Some(bucket) = &self.bucket else {
            return Ok(());
        };
        let mut bucket = bucket.lock().unwrap_or_else(PoisonError::into_inner);
        bucket.try_take(Instant::now()).map_err(retry_after_secs)
    }
}

pub(crate) async fn inject(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if !is_api(request.uri().path()) {
        return next.run(request).await;
    }
    let faults = &app.faults;
    if !faults.config.latency.is_zero() {
        tokio::time::sleep(faults.config.latency).await;
    }
    if let Err(retry_after_secs) = faults.take_token() {
        Stats::bump(&app.stats.fault_rate_limited);
        return ErrorResponse::TooManyAttempts { retry_after_secs }.into_response();
    }
    if faults.roll(faults.config.error_rate) {
        Stats::bump(&app.stats.fault_errors);
        return ErrorResponse::ServerError.into_response();
    }
    let is_write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::DELETE
    );
    if !(is_write && faults.roll(faults.config.drop_rate)) {
        return next.run(request).await;
    }
    let kill = request.extensions().get::<ConnectionKill>().cloned();
    let response = next.run(request).await;
    match kill {
        Some(kill) => {
            Stats::bump(&app.stats.fault_drops);
            tracing::debug!("fault: dropping the connection after the write");
            kill.fire();
            // The connection task drops this future together with the connection.
            std::future::pending().await
        }
        None => {
            // Only a router served outside `start` lacks the handle; answer rather than hang.
            tracing::warn!("fault: cannot drop a connection that has no kill handle");
            response
        }
    }
}
