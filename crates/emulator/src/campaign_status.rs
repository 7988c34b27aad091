//! `POST /user/campaigns/update-status`: start (needs at least one lead) or stop a campaign.
//! The emulator places no calls; the status is all that changes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;

use super::wire::{StatusChangeData, StatusChangeJson};

use super::app::App;
use super::campaigns::CAMPAIGN_NOT_FOUND;
use super::clock::UtcTime;
use super::error_response::ErrorResponse;
use super::input::Input;
use super::stats::Stats;
use super::validation::Validator;

const NO_LEADS: &str = "Cannot start a campaign without leads.";

#[derive(Debug, Clone, Copy)]
enum Action {
    Start,
    Stop,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        match s {
            "start" => Some(Action::Start),
            "stop" => Some(Action::Stop),
            _ => None,
        }
    }
}

pub(crate) async fn update_status(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Json<StatusChangeJson>, ErrorResponse> {
    let input = Input::from_json_body(&body);
    let mut v = Validator::new(&input);
    let campaign_id = v
        .required("campaign_id")
        .and_then(|x| v.integer("campaign_id", x));
    let action = v
        .required("action")
        .and_then(|x| v.one_of("action", x, Action::parse));
    let (campaign_id, action) = v.finish_with(campaign_id.zip(action))?;
    let id = u64::try_from(campaign_id).map_err(|_| ErrorResponse::NotFound(CAMPAIGN_NOT_FOUND))?;
    let status = app.store.write(|account| {
        let has_leads = account.data.leads.iter().any(|l| l.campaign_id == id);
        let campaign = account
            .data
            .campaigns
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or(ErrorResponse::NotFound(CAMPAIGN_NOT_FOUND))?;
        let status = match action {
            Action::Start if !has_leads => {
                return Err(ErrorResponse::invalid("campaign_id", NO_LEADS))
            }
            Action::Start => "in-progress",
            Action::Stop => "stopped",
        };
        let started = status == "in-progress" && campaign.status != status;
        campaign.status = status.to_string();
        campaign.updated_at = UtcTime::now().campaign_format();
        Ok((status, started))
    })?;
    let (status, started) = status;
    if matches!(action, Action::Start) {
        Stats::bump(&app.stats.start_requests);
    }
    if started {
        // A campaign that starts calls its leads: tests count how often that happens.
        Stats::bump(&app.stats.campaigns_started);
    }
    let message = match action {
        Action::Start => "Campaign started successfully.",
        Action::Stop => "Campaign stopped successfully.",
    };
    Ok(Json(StatusChangeJson {
        message: Some(message.to_string()),
        success: true,
        data: StatusChangeData {
            campaign_id: id,
            status: status.to_string(),
        },
    }))
}
