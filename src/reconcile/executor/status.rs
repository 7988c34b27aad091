//! Starting and stopping: a start re-reads the status right before (already running is
//! success, changed since the plan is skipped), and a status change whose answer was lost is
//! settled by reading the status, never sent again.

use std::time::Duration;

use tracing::{info, warn};

use crate::api::types::CampaignStatus;
use crate::api::{ApiError, Client};
use crate::reconcile::operation::Operation;

use super::outcome::Outcome;

/// How long a run whose create lost a race waits for the winner's run to start the campaign.
const JOINED_START_WAIT: Duration = Duration::from_secs(3);
/// Reads of the campaign's status within that wait.
const JOINED_START_READS: u32 = 12;

/// Time of check, time of use, for the one operation that places calls: right before a start,
/// read the campaign's status again (never a shared read: another run or a person may have
/// acted a moment ago). Running already: success, no second request (a racing run started
/// it). No longer in the status the plan saw (stopped by a person while the question waited, or
/// deleted): skipped with the reason. Otherwise started once.
///
/// `joined`: this run's create lost to another run's at the same time, and that run, which
/// made the campaign kept, is about to start it too. Waiting a moment for its start (bounded,
/// then starting it after all, in case that run held or failed its start) leaves one start
/// request per campaign instead of one per racing run.
pub(super) async fn start_once(
    client: &Client,
    op: &Operation,
    id: u64,
    expected: &CampaignStatus,
    joined: bool,
) -> Outcome {
    let reads = if joined { JOINED_START_READS } else { 1 };
    let mut now = None;
    for read in 0..reads {
        if read > 0 {
            tokio::time::sleep(JOINED_START_WAIT / JOINED_START_READS).await;
        }
        now = match client.list_campaigns().await {
            Ok(list) => list.into_iter().find(|c| c.id == id).map(|c| c.status),
            Err(e) => {
                return Outcome::failed(format!(
                    "cannot re-read the campaign's status before starting it: {e}"
                ))
            }
        };
        if now.as_ref() != Some(expected) {
            break;
        }
    }
    match now {
        Some(CampaignStatus::InProgress) => Outcome::Done {
            id: None,
            leads_added: None,
            leads_found: None,
            leads_updated: None,
            status: Some(CampaignStatus::InProgress.label().to_owned()),
            note: Some("already running: nothing was sent".to_owned()),
        },
        Some(status) if status == *expected => {
            change_status(client, id, "start", CampaignStatus::InProgress).await
        }
        Some(status) => {
            warn!(campaign = op.campaign.as_str(), status = %crate::escape::text(status.label()), "the campaign's status changed since the plan; not started");
            Outcome::Skipped {
                reason: format!(
                    "not started: its status is {} right before the start, not {} as when planned (changed outside this run); plan again",
                    crate::escape::text(status.label()),
                    expected.label()
                ),
            }
        }
        None => Outcome::Skipped {
            reason: "not started: the campaign is gone from the platform right before the start (deleted outside this run); plan again".to_owned(),
        },
    }
}

/// Starts or stops a campaign once. An answer lost after sending is settled by reading the
/// campaign's status, never by sending again.
pub(super) async fn change_status(
    client: &Client,
    id: u64,
    action: &str,
    expected: CampaignStatus,
) -> Outcome {
    let error = match client.update_status(id, action).await {
        Ok(r) => {
            info!(id, action, status = %r.data.status, "status changed");
            return Outcome::Done {
                id: None,
                leads_added: None,
                leads_found: None,
                leads_updated: None,
                status: Some(r.data.status),
                note: None,
            };
        }
        Err(e) => e,
    };
    // Whatever went wrong, the campaign may already be as wanted: the answer was lost, or a
    // concurrent run changed it. Read it before calling this a failure.
    if error.outcome_unknown() {
        warn!(id, error = %error, "status change outcome unknown; reading the campaign's status");
    }
    if !matches!(error, ApiError::Unauthorized) {
        if let Ok(list) = client.list_campaigns().await {
            if list.iter().any(|c| c.id == id && c.status == expected) {
                return Outcome::Inferred {
                    id: None,
                    status: Some(expected.label().to_owned()),
                    cause: error.to_string(),
                };
            }
        }
    }
    Outcome::failed(error.to_string())
}
