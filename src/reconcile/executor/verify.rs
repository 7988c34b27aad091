//! The verification after the creates: a run lists the campaigns again once all its creates
//! have settled; where racing runs created one name twice, the lowest id wins and the newer
//! copies, still drafts without leads, are deleted, so leads and starts go only to the single
//! holder of a name (see ARCHITECTURE.md, "Concurrent runs").

use std::collections::HashSet;

use tracing::warn;

use crate::api::types::{CampaignStatus, RemoteCampaign};
use crate::api::{ApiError, Client};

use super::scheduler::{Sent, Verifications, Verified};

/// Lists the campaigns after the creates and settles each name this run created.
///
/// Where several campaigns hold the name, the lowest id wins, and the run deletes every other
/// holder that is still a draft without leads: copies that racing runs made moments ago (every
/// holder of a name this run created appeared after its plan, which saw none). No run writes
/// leads or starts to a name with several holders, so a copy with no leads is one nobody has
/// used; deleting a copy twice is harmless (404 counts as gone). The run continues with the
/// winner. One list is enough: every extra holder in it is deleted or the name is refused, so
/// no run waits for another. A name is settled only once one campaign holds it; otherwise its
/// leads and start are skipped, and the next run (or plan) sees the state.
pub(super) async fn verify_creates(client: &Client, made: Vec<Sent>) -> Verifications {
    let mut settled = Verifications::new();
    let list = match client.list_campaigns().await {
        Ok(list) => list,
        Err(e) => {
            for Sent { create, name, .. } in made {
                settled.insert(
                    create,
                    Err(format!(
                        "the campaign list could not be read after creating {name:?} ({e}), so campaignctl cannot tell whether another run created it too; its leads and start are not attempted. Run `campaignctl plan`"
                    )),
                );
            }
            return settled;
        }
    };
    let mut deleted: HashSet<u64> = HashSet::new();
    for Sent {
        create: op,
        name,
        id: ours,
    } in made
    {
        let mut holders: Vec<&RemoteCampaign> = list
            .iter()
            .filter(|c| c.name == name && !deleted.contains(&c.id))
            .collect();
        holders.sort_by_key(|c| c.id);
        let Some(winner) = holders.first().map(|c| c.id) else {
            let what = ours.map_or_else(|| "its create".to_owned(), |id| format!("id {id}"));
            settled.insert(
                op,
                Err(format!(
                    "{name:?} ({what}) is not on the platform right after its create; its leads and start are not attempted"
                )),
            );
            continue;
        };
        let mut blocked = None;
        for extra in holders.iter().skip(1) {
            match remove_copy(client, extra, &name, winner).await {
                Ok(()) => {
                    deleted.insert(extra.id);
                }
                Err(why) => blocked = Some(why),
            }
        }
        let verdict = match (blocked, ours) {
            (Some(why), _) => Err(why),
            (None, Some(ours)) => Ok(Verified {
                id: winner,
                // Said only when this run's copy was in the list and is gone now.
                deleted: deleted.contains(&ours).then_some(ours),
            }),
            // The create's outcome was unknown: cleaned up, but nothing goes on with it.
            (None, None) => Err(format!("the create of {name:?} had an unknown outcome")),
        };
        settled.insert(op, verdict);
    }
    settled
}

/// Deletes `copy`, an extra holder of `name` beside the older campaign `winner`: only while it
/// is a draft with no leads. A delete whose answer is lost is settled by listing again.
async fn remove_copy(
    client: &Client,
    copy: &RemoteCampaign,
    name: &str,
    winner: u64,
) -> Result<(), String> {
    if copy.status != CampaignStatus::Draft {
        return Err(format!(
            "{name:?} is held by campaign {winner} and campaign {}, which is no longer a draft, so campaignctl does not delete it; delete the extra campaign in the dashboard",
            copy.id
        ));
    }
    match client.list_leads_page(copy.id, 1).await {
        Ok(page) if page.total == 0 && page.data.is_empty() => {}
        Ok(_) => {
            return Err(format!(
                "{name:?} is held by campaign {winner} and campaign {}, which has leads, so campaignctl does not delete it; delete the extra campaign in the dashboard",
                copy.id
            ))
        }
        Err(e) => return Err(format!("cannot check the leads of the extra {name:?} (id {}): {e}", copy.id)),
    }
    warn!(campaign = name, copy = copy.id, winner, "another run created this campaign at the same time; deleting the newer copy and continuing with the older one");
    let policy = client.retry_policy();
    for attempt in 1..=policy.max_attempts {
        match client.delete_campaign(copy.id).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => return Ok(()),
            Err(e) if e.outcome_unknown() || e.is_transient() => {
                warn!(copy = copy.id, error = %e, "delete outcome unknown; listing to check");
                tokio::time::sleep(policy.backoff_ceiling(attempt)).await;
                if let Ok(list) = client.list_campaigns().await {
                    if !list.iter().any(|c| c.id == copy.id) {
                        return Ok(());
                    }
                }
            }
            Err(e) => {
                return Err(format!(
                    "another run created {name:?} at the same time (campaigns {winner} and {}), and the newer copy could not be deleted: {e}; delete it in the dashboard",
                    copy.id
                ))
            }
        }
    }
    Err(format!(
        "another run created {name:?} at the same time (campaigns {winner} and {}), and deleting the newer copy kept failing; delete it in the dashboard",
        copy.id
    ))
}
