//! Deleting a campaign (a tombstone, a prune, or the first half of a replace): only while a
//! fresh read shows it is still the campaign the plan saw, with as many leads as it counted.

use tracing::{info, warn};

use crate::api::types::CampaignStatus;
use crate::api::{ApiError, Client};
use crate::reconcile::operation::Operation;

use super::outcome::Outcome;

/// Deletes a campaign, once, and only while it is still the campaign the plan saw: a fresh
/// list right before must show it under the same name and in the same status (a draft to be
/// replaced may have been started while the question waited; a pruned campaign may have been
/// renamed out of the prefix). Deleting one id again cannot delete anything else, so an
/// ambiguous answer is settled by listing: gone is done.
pub(super) async fn delete_campaign(
    client: &Client,
    op: &Operation,
    id: u64,
    expected: &CampaignStatus,
    planned_leads: Option<usize>,
) -> Outcome {
    let now = match client.list_campaigns().await {
        Ok(list) => list.into_iter().find(|c| c.id == id),
        Err(e) => {
            return Outcome::failed(format!(
                "cannot read the campaign right before deleting it ({e}); nothing was deleted"
            ))
        }
    };
    let Some(now) = now else {
        info!(campaign = op.campaign.as_str(), id, "already gone");
        return Outcome::Inferred {
            id: None,
            status: None,
            cause: "the campaign was no longer on the platform".to_owned(),
        };
    };
    if now.name != op.campaign || now.status != *expected {
        warn!(campaign = op.campaign.as_str(), id, status = %now.status, "changed since the plan; not deleted");
        return Outcome::failed(format!(
            "campaign {id} changed since the plan (it was {:?} in status {expected}, it is now {:?} in status {}); it was not deleted. Run `campaignctl plan` to see what would happen now",
            op.campaign, now.name, now.status
        ));
    }
    if let Some(refused) = leads_added_since(client, op, id, planned_leads).await {
        return refused;
    }
    let error = match client.delete_campaign(id).await {
        Ok(()) => {
            info!(campaign = op.campaign.as_str(), id, "deleted");
            return Outcome::Done {
                id: None,
                leads_added: None,
                leads_found: None,
                leads_updated: None,
                status: None,
                note: None,
            };
        }
        Err(e) => e,
    };
    if matches!(error, ApiError::NotFound { .. }) || error.outcome_unknown() {
        if let Ok(list) = client.list_campaigns().await {
            if !list.iter().any(|c| c.id == id) {
                return Outcome::Inferred {
                    id: None,
                    status: None,
                    cause: error.to_string(),
                };
            }
        }
    }
    Outcome::failed(error.to_string())
}

/// A campaign is deleted only if it holds as many leads as the plan counted: a lead added
/// since (by hand, by another tool) may have been called, and its history is not the plan's
/// to destroy; one removed means the campaign is no longer what was reviewed. This covers a
/// prune planned without leads (all that absence may delete: `reconcile::deletion`), a
/// tombstone, and the draft a replace deletes, whose declared leads the replacement re-adds
/// but whose lead added by hand would go with it. One page of its leads is read right before.
/// A delete planned without a count (its leads were not read) is not re-checked here: the
/// plan held it already unless a manifest asked for it.
async fn leads_added_since(
    client: &Client,
    op: &Operation,
    id: u64,
    planned: Option<usize>,
) -> Option<Outcome> {
    let planned = planned? as u64;
    let page = match client.list_leads_page(id, 1).await {
        Ok(page) => page,
        Err(e) => {
            return Some(Outcome::failed(format!(
            "cannot read the campaign's leads right before deleting it ({e}); nothing was deleted"
        )))
        }
    };
    let now = page.total.max(page.data.len() as u64);
    if now == planned {
        return None;
    }
    warn!(
        campaign = op.campaign.as_str(),
        id,
        planned,
        leads = now,
        "holds another number of leads than planned; not deleted"
    );
    let then = match planned {
        0 => "no leads".to_owned(),
        n => format!("{n} lead(s)"),
    };
    Some(Outcome::failed(format!(
        "campaign {id} ({:?}) held {then} when planned and holds {now} now; it was not deleted. Run `campaignctl plan` to see what would happen now",
        op.campaign
    )))
}
