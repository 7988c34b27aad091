//! `/_emulator/...`: what tests and benchmarks look at, outside the emulated API (no auth, no
//! faults): request counters, every campaign with all stored fields and its create body, every
//! assistant with all stored fields and the body of its last write.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::app::App;
use super::records::StoredCampaign;
use super::stats::StatsSnapshot;
use super::wire::AssistantRecord;

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

pub(crate) async fn assistants(State(app): State<Arc<App>>) -> Json<Vec<AssistantRecord>> {
    Json(app.store.read(|data| {
        let mut assistants = data.assistants.clone();
        assistants.sort_by_key(|a| a.id);
        assistants
    }))
}
