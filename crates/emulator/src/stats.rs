//! Request counters for `/_emulator/stats`. `in_flight` counts `/api` requests being handled,
//! latency included, so benchmarks can assert a client never exceeds its parallelism.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::app::App;

#[derive(Debug, Default)]
pub(crate) struct Stats {
    requests: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    campaign_create_requests: AtomicU64,
    pub campaigns_created: AtomicU64,
    pub leads_created: AtomicU64,
    /// Campaigns that went from another status to `in-progress` (began calling).
    pub campaigns_started: AtomicU64,
    /// `update-status` requests with `action: start` that were accepted, whatever the campaign's
    /// status was (a start of a running campaign is counted here, not in `campaigns_started`).
    pub start_requests: AtomicU64,
    /// Leads created in a campaign that was running: it dials them at once.
    pub leads_created_while_running: AtomicU64,
    /// Campaigns deleted (`DELETE /user/campaign/{id}` that found one).
    pub campaigns_deleted: AtomicU64,
    /// Leads changed through `PUT /user/leads/{id}`.
    pub leads_updated: AtomicU64,
    pub assistants_created: AtomicU64,
    /// `PUT /user/assistant/{id}` requests that were accepted.
    pub assistants_updated: AtomicU64,
    pub assistants_deleted: AtomicU64,
    pub fault_errors: AtomicU64,
    pub fault_drops: AtomicU64,
    pub fault_rate_limited: AtomicU64,
}

/// The JSON of `GET /_emulator/stats`.
#[derive(Debug, Serialize)]
pub(crate) struct StatsSnapshot {
    requests: u64,
    in_flight: u64,
    max_in_flight: u64,
    campaign_create_requests: u64,
    campaigns_created: u64,
    leads_created: u64,
    leads_created_while_running: u64,
    campaigns_started: u64,
    start_requests: u64,
    campaigns_deleted: u64,
    leads_updated: u64,
    assistants_created: u64,
    assistants_updated: u64,
    assistants_deleted: u64,
    faults: FaultCounts,
}

#[derive(Debug, Serialize)]
struct FaultCounts {
    errors: u64,
    drops: u64,
    rate_limited: u64,
}

impl Stats {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            requests: get(&self.requests),
            in_flight: get(&self.in_flight),
            max_in_flight: get(&self.max_in_flight),
            campaign_create_requests: get(&self.campaign_create_requests),
            campaigns_created: get(&self.campaigns_created),
            leads_created: get(&self.leads_created),
            leads_created_while_running: get(&self.leads_created_while_running),
            campaigns_started: get(&self.campaigns_started),
            start_requests: get(&self.start_requests),
            campaigns_deleted: get(&self.campaigns_deleted),
            leads_updated: get(&self.leads_updated),
            assistants_created: get(&self.assistants_created),
            assistants_updated: get(&self.assistants_updated),
            assistants_deleted: get(&self.assistants_deleted),
            faults: FaultCounts {
                errors: get(&self.fault_errors),
                drops: get(&self.fault_drops),
                rate_limited: get(&self.fault_rate_limited),
            },
        }
    }
}

/// Decrements `in_flight` when dropped: also when a dropped connection cancels the request.
struct InFlight<'a>(&'a Stats);

impl<'a> InFlight<'a> {
    fn enter(stats: &'a Stats) -> InFlight<'a> {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(stats)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Outermost middleware: counts every `/api` request, whatever happens to it later.
pub(crate) async fn track(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if !super::app::is_api(request.uri().path()) {
        return next.run(request).await;
    }
    let stats = &app.stats;
    Stats::bump(&stats.requests);
    if request.method() == Method::POST && request.uri().path() == "/api/user/campaign" {
        Stats::bump(&stats.campaign_create_requests);
    }
    let _in_flight = InFlight::enter(stats);
    tracing::debug!(method = %request.method(), path = request.uri().path(), "api request");
    next.run(request).await
}
