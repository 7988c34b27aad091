//! `GET /user/campaigns` and `DELETE /user/campaign/{id}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use super::app::App;
use super::error_response::ErrorResponse;
use super::records::ListedCampaign;
use super::stats::Stats;

pub(crate) const CAMPAIGN_NOT_FOUND: &str = "Campaign not found.";

/// A bare array in id order, each campaign without its write-once fields.
pub(crate) async fn list(State(app): State<Arc<App>>) -> Json<Vec<ListedCampaign>> {
    Json(app.store.read(|data| {
        let mut campaigns: Vec<ListedCampaign> =
            data.campaigns.iter().map(|c| c.listed()).collect();
        campaigns.sort_by_key(|c| c.id);
        campaigns
    }))
}

/// Deletes the campaign and its leads. A path that is not a number is a 404 too, as a failed
/// route-model binding is in Laravel.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ErrorResponse> {
    let id: u64 = id
        .parse()
        .map_err(|_| ErrorResponse::NotFound(CAMPAIGN_NOT_FOUND))?;
    app.store.write(|account| {
        let data = &mut account.data;
        let before = data.campaigns.len();
        data.campaigns.retain(|c| c.id != id);
        if data.campaigns.len() == before {
            return Err(ErrorResponse::NotFound(CAMPAIGN_NOT_FOUND));
        }
        data.leads.retain(|l| l.campaign_id != id);
        Ok(())
    })?;
    Stats::bump(&app.stats.campaigns_deleted);
    Ok(Json(json!({"message": "Campaign deleted successfully"})))
}
