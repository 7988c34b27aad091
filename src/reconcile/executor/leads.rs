//! Leads: each added exactly once (`allow_dupplicate: false`, an ambiguous create looked up by
//! number before any retry), variables merged into existing leads, and the time-of-use check
//! that a campaign not calling when planned still is not before its leads are added.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use tracing::{info, warn};

use crate::api::types::{CampaignStatus, CreateLead};
use crate::api::{ApiError, Client};
use crate::manifest::DesiredLead;
use crate::reconcile::leads_and_status::LeadUpdate;
use crate::reconcile::operation::{Approval, Operation};

use super::outcome::{LeadFailure, Outcome};

/// Campaign statuses by id as last read for a time-of-use check, and when.
pub(super) type FreshStatuses = Mutex<Option<(Instant, HashMap<u64, CampaignStatus>)>>;

/// How old a status read may be and still count as "right before" adding leads. Reads are
/// shared within this window so that a plan adding leads to many campaigns does not list the
/// account once per campaign; this run's own starts, stops and deletes clear it.
const FRESH_FOR: Duration = Duration::from_millis(500);

/// Adds the leads, each exactly once; the client bounds how many requests are in flight.
pub(super) async fn add_leads(
    client: &Client,
    campaign_id: u64,
    leads: &[DesiredLead],
    op: &Operation,
) -> Outcome {
    let mut added = 0;
    let mut found = 0;
    let mut failures = Vec::new();
    // By index, not by reference: a closure taking a reference makes rustc lose that the
    // stream is `Send` (rust-lang/rust#102211), which the runner's futures must be.
    let mut outcomes = stream::iter(0..leads.len())
        .map(|i| {
            let lead = &leads[i];
            async move { (lead, create_lead_once(client, campaign_id, lead).await) }
        })
        .buffer_unordered(LEADS_IN_FLIGHT);
    while let Some((lead, outcome)) = outcomes.next().await {
        match outcome {
            Ok(LeadOutcome::Added) => added += 1,
            Ok(LeadOutcome::Found) => found += 1,
            Err(error) => failures.push(LeadFailure {
                phone_number: lead.phone_number.clone(),
                source: lead.source.clone(),
                error,
            }),
        }
    }
    if failures.is_empty() {
        info!(campaign = op.campaign.as_str(), added, found, "leads added");
        Outcome::Done {
            id: None,
            leads_added: Some(added),
            leads_found: Some(found),
            leads_updated: None,
            status: None,
            note: None,
        }
    } else {
        Outcome::Failed {
            error: format!(
                "{} of {} lead(s) could not be added",
                failures.len(),
                leads.len()
            ),
            diagnostics: Vec::new(),
            hint: None,
            lead_failures: failures,
            leads_added: Some(added),
        }
    }
}

/// Lead creates of one operation in flight at once; the client's own bound (`--parallelism`)
/// applies across all operations.
const LEADS_IN_FLIGHT: usize = 8;

enum LeadOutcome {
    Added,
    /// The campaign already had the number (added since the plan, by a concurrent run, or by
    /// a lost response).
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
        match client
            .find_leads_by_phone(campaign_id, &body.phone_number)
            .await
        {
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

/// Merges the declared variables into each lead. A merge sent twice is the same merge, so an
/// ambiguous answer is sent again (bounded).
pub(super) async fn update_leads(
    client: &Client,
    op: &Operation,
    updates: &[LeadUpdate],
) -> Outcome {
    let policy = client.retry_policy();
    let mut updated = 0;
    let mut failures = Vec::new();
    // By index, for the reason `add_leads` gives.
    let mut outcomes = stream::iter(0..updates.len())
        .map(|i| {
            let u = &updates[i];
            async move {
                let mut attempts = 0u32;
                loop {
                    attempts += 1;
                    match client.update_lead(u.lead_id, &u.variables).await {
                        Ok(_) => return (u, Ok(())),
                        Err(e) if e.outcome_unknown() && attempts < policy.max_attempts => {
                            tokio::time::sleep(policy.backoff_ceiling(attempts)).await;
                        }
                        Err(e) => return (u, Err(e.to_string())),
                    }
                }
            }
        })
        .buffer_unordered(LEADS_IN_FLIGHT);
    while let Some((u, outcome)) = outcomes.next().await {
        match outcome {
            Ok(()) => updated += 1,
            Err(error) => failures.push(LeadFailure {
                phone_number: u.phone_number.clone(),
                source: u.source.clone(),
                error,
            }),
        }
    }
    if failures.is_empty() {
        info!(
            campaign = op.campaign.as_str(),
            updated, "lead variables updated"
        );
        return Outcome::Done {
            id: None,
            leads_added: None,
            leads_found: None,
            leads_updated: Some(updated),
            status: None,
            note: None,
        };
    }
    Outcome::Failed {
        error: format!(
            "{} of {} lead update(s) failed ({updated} updated)",
            failures.len(),
            updates.len()
        ),
        diagnostics: Vec::new(),
        hint: None,
        lead_failures: failures,
        leads_added: None,
    }
}

/// Time of check, time of use: the campaign was not calling when planned, but the plan may be
/// old. Read its status again; if it may now be calling, adding leads places calls, which this
/// run is not approved for.
pub(super) async fn recheck_not_calling(
    client: &Client,
    op: &Operation,
    id: u64,
    fresh: &FreshStatuses,
) -> Option<Outcome> {
    let recent = fresh.lock().ok().and_then(|guard| {
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, statuses)| statuses.get(&id).cloned())
    });
    // A campaign missing from a shared read (created after it) is read again, not assumed.
    let status = match recent.flatten() {
        Some(status) => status,
        None => match client.list_campaigns().await {
            Ok(list) => {
                let statuses: HashMap<u64, CampaignStatus> =
                    list.into_iter().map(|c| (c.id, c.status)).collect();
                let status = statuses.get(&id).cloned().unwrap_or_default();
                if let Ok(mut guard) = fresh.lock() {
                    *guard = Some((Instant::now(), statuses));
                }
                status
            }
            Err(e) => {
                return Some(Outcome::failed(format!(
                    "cannot re-read the campaign's status before adding leads: {e}"
                )))
            }
        },
    };
    dials_now(op, status)
}

/// Held when a campaign in `status` would dial leads added to it now.
fn dials_now(op: &Operation, status: CampaignStatus) -> Option<Outcome> {
    if status.dials_new_leads() {
        warn!(campaign = op.campaign.as_str(), status = ?status, "the campaign started after the plan was made; its new leads would be called");
        return Some(Outcome::Held {
            approval: Approval::PlaceCalls,
            flag: Approval::PlaceCalls.flag(),
            reason: format!(
                "{:?} is {} right before its leads would be added (it was not when planned), so adding them would call them; run with --allow-start to allow it",
                op.campaign,
                match status {
                    CampaignStatus::NotReturned => "in an unknown state",
                    ref s => s.label(),
                }
            ),
        });
    }
    None
}
