//! `POST /user/campaign`. Checks run in the platform's order: validation (422), the plan's
//! campaign limit (403), the assistant (404), then the goal variable against that assistant's
//! post-call schema (422). All of it under the store's lock, so the limit holds under concurrency.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::schedule::{limits, Day, TimeOfDay};
use super::wire::EnvelopeJson;

use super::app::App;
use super::clock::UtcTime;
use super::error_response::ErrorResponse;
use super::input::Input;
use super::records::{all_days, defaults, ListedCampaign, StoredCampaign, StoredPhoneNumber};
use super::stats::Stats;
use super::validation::{as_integer, Validator};

const LIMIT_REACHED: &str =
    "You have reached the maximum number of campaigns allowed by your plan.";
const ASSISTANT_NOT_FOUND: &str = "Assistant not found or is not an outbound assistant.";
/// Undocumented wording (the rule is documented, its message is not).
const GOAL_NOT_BOOL: &str =
    "The goal completion variable must be a boolean variable of the assistant's post-call schema.";

/// A create request that passed validation; `None` means "not given, use the default".
struct CampaignRequest {
    name: String,
    assistant_id: i64,
    timezone: Option<String>,
    max_calls_in_parallel: Option<u64>,
    allowed_hours_start_time: Option<TimeOfDay>,
    allowed_hours_end_time: Option<TimeOfDay>,
    allowed_days: Option<Vec<Day>>,
    max_retries: Option<u64>,
    retry_interval: Option<u64>,
    retry_on_voicemail: Option<bool>,
    retry_on_goal_incomplete: Option<bool>,
    goal_completion_variable: Option<String>,
    mark_complete_when_no_leads: Option<bool>,
    phone_number_ids: Option<Vec<u64>>,
}

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<(StatusCode, Json<EnvelopeJson<ListedCampaign>>), ErrorResponse> {
    let input = Input::from_json_body(&body);
    let created = app.store.write(|account| {
        let data = &mut account.data;
        let request = validate(&input, &data.phone_numbers)?;
        if data.campaigns.len() >= data.account.campaign_limit {
            return Err(ErrorResponse::Forbidden(LIMIT_REACHED));
        }
        let assistant = data
            .assistants
            .iter()
            .find(|a| i64::try_from(a.id) == Ok(request.assistant_id) && a.is_outbound())
            .ok_or(ErrorResponse::NotFound(ASSISTANT_NOT_FOUND))?;
        if let Some(variable) = &request.goal_completion_variable {
            let is_bool_variable = assistant
                .post_call_schema
                .iter()
                .any(|v| &v.name == variable && v.kind == "bool");
            if !is_bool_variable {
                return Err(ErrorResponse::invalid(
                    "goal_completion_variable",
                    GOAL_NOT_BOOL,
                ));
            }
        }
        let assistant_id = assistant.id;
        let now = UtcTime::now().campaign_format();
        let campaign = StoredCampaign {
            id: account.allocate_campaign_id(),
            name: request.name,
            status: defaults::CAMPAIGN_STATUS.to_string(),
            assistant_id,
            timezone: request
                .timezone
                .unwrap_or_else(|| account.data.account.timezone.clone()),
            max_calls_in_parallel: request
                .max_calls_in_parallel
                .unwrap_or(defaults::MAX_CALLS_IN_PARALLEL),
            allowed_hours_start_time: request.allowed_hours_start_time.unwrap_or(defaults::START),
            allowed_hours_end_time: request.allowed_hours_end_time.unwrap_or(defaults::END),
            allowed_days: request.allowed_days.unwrap_or_else(all_days),
            max_retries: request.max_retries.unwrap_or(defaults::MAX_RETRIES),
            retry_interval: request.retry_interval.unwrap_or(defaults::RETRY_INTERVAL),
            retry_on_voicemail: request.retry_on_voicemail.unwrap_or(false),
            retry_on_goal_incomplete: request.retry_on_goal_incomplete.unwrap_or(false),
            goal_completion_variable: request.goal_completion_variable,
            mark_complete_when_no_leads: request
                .mark_complete_when_no_leads
                .unwrap_or(defaults::MARK_COMPLETE_WHEN_NO_LEADS),
            phone_number_ids: request.phone_number_ids.unwrap_or_default(),
            created_at: now.clone(),
            updated_at: now,
            // The body as received (before trimming): tests check which fields a client sent.
            request_body: serde_json::from_slice(&body).ok(),
        };
        let view = campaign.created();
        account.data.campaigns.push(campaign);
        Ok(view)
    })?;
    Stats::bump(&app.stats.campaigns_created);
    tracing::debug!(id = created.id, "campaign created");
    let envelope = EnvelopeJson {
        message: Some("Campaign created successfully".to_string()),
        data: created,
    };
    Ok((StatusCode::CREATED, Json(envelope)))
}

/// The documented rules, in the documented order (which is the order of the error messages).
fn validate(
    input: &Input,
    phone_numbers: &[StoredPhoneNumber],
) -> Result<CampaignRequest, ErrorResponse> {
    let mut v = Validator::new(input);
    let name = v
        .required("name")
        .and_then(|x| v.string("name", x, limits::NAME_MAX_CHARS));
    let assistant_id = v
        .required("assistant_id")
        .and_then(|x| v.integer("assistant_id", x));
    let timezone = v
        .optional("timezone")
        .and_then(|x| v.timezone("timezone", x));
    let max_calls_in_parallel = v
        .optional("max_calls_in_parallel")
        .and_then(|x| v.integer("max_calls_in_parallel", x))
        .and_then(|n| v.min_max("max_calls_in_parallel", n, &limits::MAX_CALLS_IN_PARALLEL));
    let allowed_hours_start_time = v
        .optional("allowed_hours_start_time")
        .and_then(|x| v.time_hi("allowed_hours_start_time", x));
    let allowed_hours_end_time = v
        .optional("allowed_hours_end_time")
        .and_then(|x| v.time_hi("allowed_hours_end_time", x));
    let allowed_days = v
        .optional("allowed_days")
        .and_then(|x| v.list("allowed_days", x))
        .and_then(|items| {
            let days: Vec<Option<Day>> = items
                .iter()
                .enumerate()
                .map(|(i, item)| v.one_of(&format!("allowed_days.{i}"), item, Day::parse))
                .collect();
            // Any `None` has failed in `v` already.
            days.into_iter().collect::<Option<Vec<Day>>>()
        });
    let max_retries = v
        .optional("max_retries")
        .and_then(|x| v.integer("max_retries", x))
        .and_then(|n| v.between("max_retries", n, &limits::MAX_RETRIES));
    let retry_interval = v
        .optional("retry_interval")
        .and_then(|x| v.integer("retry_interval", x))
        .and_then(|n| v.between("retry_interval", n, &limits::RETRY_INTERVAL));
    let retry_on_voicemail = v
        .optional("retry_on_voicemail")
        .and_then(|x| v.boolean("retry_on_voicemail", x));
    let retry_on_goal_incomplete = v
        .optional("retry_on_goal_incomplete")
        .and_then(|x| v.boolean("retry_on_goal_incomplete", x));
    let goal_completion_variable = v.optional("goal_completion_variable").and_then(|x| {
        v.string(
            "goal_completion_variable",
            x,
            limits::GOAL_VARIABLE_MAX_CHARS,
        )
    });
    let mark_complete_when_no_leads = v
        .optional("mark_complete_when_no_leads")
        .and_then(|x| v.boolean("mark_complete_when_no_leads", x));
    let phone_number_ids = v
        .optional("phone_number_ids")
        .and_then(|x| v.list("phone_number_ids", x))
        .and_then(|items| phone_number_ids(&mut v, items, phone_numbers));
    let (name, assistant_id) = v.finish_with(name.zip(assistant_id))?;
    Ok(CampaignRequest {
        name,
        assistant_id,
        timezone,
        max_calls_in_parallel,
        allowed_hours_start_time,
        allowed_hours_end_time,
        allowed_days,
        max_retries,
        retry_interval,
        retry_on_voicemail,
        retry_on_goal_incomplete,
        goal_completion_variable,
        mark_complete_when_no_leads,
        phone_number_ids,
    })
}

/// `phone_number_ids.*` => `integer|distinct|exists`, item by item. Like Laravel's `distinct`,
/// every copy of a repeated id fails, the first one included.
fn phone_number_ids(
    v: &mut Validator<'_>,
    items: &[serde_json::Value],
    phone_numbers: &[StoredPhoneNumber],
) -> Option<Vec<u64>> {
    let parsed: Vec<Option<i64>> = items.iter().map(as_integer).collect();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for id in parsed.iter().flatten() {
        *counts.entry(*id).or_default() += 1;
    }
    let mut ids = Vec::with_capacity(items.len());
    for (i, id) in parsed.into_iter().enumerate() {
        let key = format!("phone_number_ids.{i}");
        let Some(id) = id else {
            v.fail(&key, format!("The {key} field must be an integer."));
            continue;
        };
        if counts.get(&id).copied().unwrap_or(0) > 1 {
            v.fail(&key, format!("The {key} field has a duplicate value."));
        }
        match u64::try_from(id)
            .ok()
            .filter(|id| phone_numbers.iter().any(|p| p.id == *id))
        {
            Some(id) => ids.push(id),
            None => v.fail_selected(&key),
        }
    }
    // Failures are in `v`, which fails the whole request; the ids only matter when all passed.
    Some(ids)
}
