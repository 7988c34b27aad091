//! The whole plan: names resolved to ids, the campaign plan, then the leads and status each
//! campaign needs. The leads of existing campaigns are the one extra read; everything else is
//! pure (`plan_campaigns`, `add_follow_ups`), so it is unit-tested without a network.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt, TryStreamExt};

use crate::api::{ApiError, Client};
use crate::manifest::{DesiredStatus, Diagnostic, Manifest};

use super::follow_up::{lead_numbers, plan_follow_ups, ObservedLeads};
use super::observed::Observed;
use super::plan::{plan, Plan};
use super::resolve::{resolve_names, References};

/// Lead lists read at once.
const LEAD_LISTS_IN_FLIGHT: usize = 4;

/// A plan and the manifests it was made from, with names replaced by ids (apply maps API errors
/// back to lines through them).
#[derive(Debug, Clone)]
pub struct Planned {
    pub manifests: Vec<Manifest>,
    pub plan: Plan,
}

/// Resolves names, plans, lists the leads of the existing campaigns that declare leads or
/// must run, and plans their follow-ups.
pub async fn plan_all(
    client: &Client,
    manifests: &[Manifest],
    observed: &Observed,
) -> Result<Planned, ApiError> {
    let first = plan_campaigns(manifests, observed);
    let leads: ObservedLeads = stream::iter(campaigns_needing_leads(&first))
        .map(|id| async move {
            let leads = client.list_leads(id).await?;
            Ok::<_, ApiError>((id, lead_numbers(&leads)))
        })
        .buffer_unordered(LEAD_LISTS_IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(add_follow_ups(first, observed, &leads))
}

/// The campaign plan with names resolved, before follow-ups.
#[derive(Debug, Clone)]
pub struct CampaignPlan {
    pub planned: Planned,
    resolve_errors: Vec<Diagnostic>,
    references: BTreeMap<String, References>,
}

/// Pure: resolves names and plans the campaigns.
pub fn plan_campaigns(manifests: &[Manifest], observed: &Observed) -> CampaignPlan {
    let resolved = resolve_names(manifests, observed);
    let plan = plan(&resolved.manifests, observed);
    CampaignPlan {
        planned: Planned {
            manifests: resolved.manifests,
            plan,
        },
        resolve_errors: resolved.diagnostics,
        references: resolved.references,
    }
}

/// The existing campaigns whose leads the plan must know: those that declare leads or must run.
pub fn campaigns_needing_leads(first: &CampaignPlan) -> Vec<u64> {
    let planned = &first.planned;
    planned
        .manifests
        .iter()
        .filter(|m| m.spec.leads.is_some() || m.spec.status == Some(DesiredStatus::Running))
        .filter_map(|m| {
            planned
                .plan
                .actions
                .iter()
                .find(|a| a.name == m.spec.name && a.manifest.is_some())
                .and_then(|a| a.remote_id)
        })
        .collect()
}

/// Pure: adds the follow-ups to a campaign plan, given the leads of existing campaigns.
pub fn add_follow_ups(first: CampaignPlan, observed: &Observed, leads: &ObservedLeads) -> Planned {
    let CampaignPlan {
        mut planned,
        resolve_errors,
        references,
    } = first;
    let (follow_ups, errors) = plan_follow_ups(
        &planned.manifests,
        &planned.plan,
        observed,
        leads,
        &references,
    );
    let plan = &mut planned.plan;
    plan.follow_ups = follow_ups;
    plan.diagnostics.extend(resolve_errors);
    plan.diagnostics.extend(errors);
    plan.diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    planned
}
