//! `/_emulator/...`: what tests and benchmarks look at, outside the emulated API (no auth, no
//! faults): request counters, and every campaign with all stored fields and its create body.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::app::App;
use super::records::StoredCampaign;
use super::stats::StatsSnapshot;

pub(crate) async fn stats(State(app): State<Arc<App>>) -> Json<StatsSnapshot> {
    Json(app.stats.snapshot())
}

pub(crate) async fn campaigns(State(app): State<Arc<App>>) -> Json<Vec<StoredCampaign>> {
    Json(app.store.read(|data| {
        let mut campaigns = data.campaigns.clone();
        campaigns.sort_by_key(|c| c.id);
        campaigns
    }))
}
