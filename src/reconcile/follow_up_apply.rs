//! Applies follow-ups after the creates: first the missing leads, then the status change, so a
//! campaign is started only once its leads exist (the platform refuses to start one without).
//!
//! A lead is never created twice: every create sends `allow_dupplicate: false`, and a create
//! whose outcome is unknown is followed by a lookup of the phone number before any retry, as
//! for campaigns. A campaign whose leads did not all land is not started.

use futures::stream::{self, StreamExt};
use serde::Serialize;
use tracing::{info, warn};

use crate::api::types::CreateLead;
use crate::api::{ApiError, Client};
use crate::manifest::{DesiredLead, Location};

use super::apply::{ApplyReport, CreateOutcome};
use super::follow_up::{remote_status, FollowUp, StatusAction};
use super::plan::Plan;

#[derive(Debug, Clone, Serialize)]
pub struct FollowUpResult {
    pub name: String,
    pub campaign_id: Option<u64>,
    pub leads_added: usize,
    /// Found on the platform when creating (added since the plan, or by a lost response).
    pub leads_found: usize,
    pub lead_failures: Vec<LeadFailure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusOutcome>,
    /// Why nothing was attempted (the campaign's create failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl FollowUpResult {
    pub fn succeeded(&self) -> bool {
        self.skipped.is_none()
            && self.lead_failures.is_empty()
            && !matches!(
                self.status,
                Some(StatusOutcome::Failed { .. } | StatusOutcome::NotAttempted { .. })
            )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadFailure {
    pub phone_number: String,
    pub source: Location,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StatusOutcome {
    Done {
        action: StatusAction,
        status: String,
    },
    Failed {
        action: StatusAction,
        error: String,
    },
    NotAttempted {
        action: StatusAction,
        reason: String,
    },
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FollowUpReport {
    pub results: Vec<FollowUpResult>,
}

impl FollowUpReport {
    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(FollowUpResult::succeeded)
    }
}

/// Applies every follow-up with changes, in plan order; leads of one campaign `parallelism` at
/// once. `creates` is the report of the creates that ran first (for the new campaigns' ids).
pub async fn apply_follow_ups(
    client: &Client,
    plan: &Plan,
    creates: &ApplyReport,
    parallelism: usize,
    mut on_result: impl FnMut(&FollowUpResult),
) -> FollowUpReport {
    let mut report = FollowUpReport::default();
    for f in plan.follow_ups.iter().filter(|f| f.has_changes()) {
        let result = apply_one(client, f, creates, parallelism).await;
        on_result(&result);
        report.results.push(result);
    }
    report
}

async fn apply_one(
    client: &Client,
    f: &FollowUp,
    creates: &ApplyReport,
    parallelism: usize,
) -> FollowUpResult {
    let mut result = FollowUpResult {
        name: f.name.clone(),
        campaign_id: f.remote_id.or_else(|| created_id(creates, &f.name)),
        leads_added: 0,
        leads_found: 0,
        lead_failures: Vec::new(),
        status: None,
        skipped: None,
    };
    let Some(id) = result.campaign_id else {
        result.skipped = Some(
            "the campaign was not created, so no lead was added and its status was not changed"
                .to_owned(),
        );
        return result;
    };
    let to_add = f.leads.as_ref().map_or(&[][..], |l| l.to_add.as_slice());
    let mut outcomes = stream::iter(to_add)
        .map(|lead| async move { (lead, create_lead_once(client, id, lead).await) })
        .buffer_unordered(parallelism.max(1));
    while let Some((lead, outcome)) = outcomes.next().await {
        match outcome {
            Ok(LeadOutcome::Added) => result.leads_added += 1,
            Ok(LeadOutcome::Found) => result.leads_found += 1,
            Err(error) => result.lead_failures.push(LeadFailure {
                phone_number: lead.phone_number.clone(),
                source: lead.source.clone(),
                error,
            }),
        }
    }
    drop(outcomes);
    let Some(action) = f.status.as_ref().and_then(|s| s.action) else {
        return result;
    };
    result.status = Some(
        if !result.lead_failures.is_empty() && action == StatusAction::Start {
            StatusOutcome::NotAttempted {
                action,
                reason: "not started because some of its leads could not be added".to_owned(),
            }
        } else {
            change_status(client, id, action).await
        },
    );
    result
}

/// Starts or stops a campaign once. An answer lost after sending is settled by reading the
/// campaign's status, never by sending again.
async fn change_status(client: &Client, id: u64, action: StatusAction) -> StatusOutcome {
    let error = match client.update_status(id, action.as_str()).await {
        Ok(r) => {
            info!(id, action = action.as_str(), status = %r.data.status, "status changed");
            return StatusOutcome::Done {
                action,
                status: r.data.status,
            };
        }
        Err(e) => e,
    };
    let expected = match action {
        StatusAction::Start => remote_status::RUNNING,
        StatusAction::Stop => remote_status::STOPPED,
    };
    if error.outcome_unknown() {
        warn!(id, error = %error, "status change outcome unknown; reading the campaign's status");
        if let Ok(list) = client.list_campaigns().await {
            if list
                .iter()
                .any(|c| c.id == id && c.status.as_deref() == Some(expected))
            {
                return StatusOutcome::Done {
                    action,
                    status: expected.to_owned(),
                };
            }
        }
    }
    StatusOutcome::Failed {
        action,
        error: error.to_string(),
    }
}

fn created_id(creates: &ApplyReport, name: &str) -> Option<u64> {
    creates
        .results
        .iter()
        .find(|r| r.name == name)
        .and_then(|r| match r.outcome {
            CreateOutcome::Created { id } | CreateOutcome::CreatedInferred { id, .. } => Some(id),
            _ => None,
        })
}

enum LeadOutcome {
    Added,
    /// The campaign already had the number.
    Found,
}

/// Creates one lead, exactly once.
async fn create_lead_once(
    client: &Client,
    campaign_id: u64,
    lead: &DesiredLead,
) -> Result<LeadOutcome, String> {
    let body = CreateLead {
        phone_number: lead.phone_number.clone(),
        campaign_id,
        variables: lead.variables.clone(),
        allow_dupplicate: false,
        secondary_contacts: Vec::new(),
    };
    let policy = client.retry_policy();
    let mut ambiguous_failures = 0u32;
    loop {
        let error = match client.create_lead(&body).await {
            Ok(_) => return Ok(LeadOutcome::Added),
            Err(e) if already_taken(&e) => return Ok(LeadOutcome::Found),
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return Err(e.to_string()),
        };
        ambiguous_failures += 1;
        warn!(campaign_id, error = %error, "lead create outcome unknown; looking it up before any retry");
        tokio::time::sleep(policy.backoff_ceiling(ambiguous_failures)).await;
        match client.find_leads_by_phone(campaign_id, &body.phone_number).await {
            Ok(found) if !found.is_empty() => return Ok(LeadOutcome::Found),
            Ok(_) if ambiguous_failures < policy.max_attempts => {}
            Ok(_) => return Err(error.to_string()),
            Err(list_error) => {
                return Err(format!(
                    "the create failed ambiguously ({error}) and the leads could not be listed to check ({list_error}); run `campaignctl plan` before applying again"
                ))
            }
        }
    }
}

/// The platform's answer to a lead whose number the campaign already has (`allow_dupplicate`
/// false): Laravel's `unique` rule, "The phone number has already been taken."
fn already_taken(e: &ApiError) -> bool {
    matches!(e, ApiError::Validation { errors, .. }
        if errors.get("phone_number").is_some_and(|m| m.iter().any(|m| m.contains("already been taken"))))
}
