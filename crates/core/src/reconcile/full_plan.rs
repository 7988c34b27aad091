//! The full plan, pure: names resolved to ids, the campaign plan, then the leads and status each
//! campaign needs and the operations that carry them out. The one extra read it needs (the
//! leads of existing campaigns, `campaigns_needing_leads_declared`) is made by `pipeline`; everything
//! here is unit-tested without a network.

use std::collections::{BTreeMap, HashMap};

use crate::manifest::{DesiredStatus, Diagnostic, Manifest};

use super::leads_and_status::plan_leads_and_status;
use super::lifecycle::{self, LifecycleOptions};
use super::model::{ActionKind, Plan};
use super::observed::{Observed, ObservedLeads};
use super::plan::classify;
use super::replaceable::unreplaceable_note;
use super::resolve::{resolve_names, References};
use super::scope::Scope;

/// A plan and the manifests it was made from, with names replaced by ids (apply maps API errors
/// back to lines through them).
#[derive(Debug, Clone)]
pub struct FullPlan {
    pub manifests: Vec<Manifest>,
    pub plan: Plan,
    /// The leads of the existing campaigns that were read to plan (their normalised numbers):
    /// part of what a saved plan's fingerprint covers.
    pub leads: ObservedLeads,
}

/// The campaign plan with names resolved, before leads and status.
#[derive(Debug, Clone)]
pub struct CampaignPlan {
    pub planned: FullPlan,
    resolve_errors: Vec<Diagnostic>,
    references: BTreeMap<String, References>,
    options: LifecycleOptions,
}

/// Pure: resolves names and plans the campaigns, with the default lifecycle options.
pub fn plan_campaigns(manifests: &[Manifest], observed: &Observed) -> CampaignPlan {
    plan_campaigns_with(manifests, observed, &LifecycleOptions::default())
}

/// Pure: resolves names and plans the campaigns, pruning as `options` say.
pub fn plan_campaigns_with(
    manifests: &[Manifest],
    observed: &Observed,
    options: &LifecycleOptions,
) -> CampaignPlan {
    let mut resolved = resolve_names(manifests, observed);
    let mut plan = classify(&resolved.manifests, observed);
    let used = match options.baseline.as_deref() {
        Some(baseline) => {
            super::baseline::compare_write_once(&mut plan, &resolved.manifests, baseline, observed)
        }
        None => Vec::new(),
    };
    plan.write_once_baseline =
        super::baseline::described(&used, options.baseline.as_deref(), &options.baseline_from);
    let mut resolve_errors = Vec::new();
    for a in &mut plan.actions {
        let Some(problems) = a
            .manifest
            .as_ref()
            .and_then(|at| resolved.problems.remove(at))
        else {
            continue;
        };
        match a.kind {
            ActionKind::Create { .. } => resolve_errors.extend(problems),
            // A replacement is a create too, but a draft that cannot be replaced stays drift
            // rather than blocking the plan.
            ActionKind::Replace { .. } if problems.iter().any(Diagnostic::is_error) => {
                a.keep_as_drift(unreplaceable_note(&problems))
            }
            _ => {}
        }
    }
    lifecycle::prune(&mut plan, manifests.len(), options, observed);
    CampaignPlan {
        planned: FullPlan {
            manifests: resolved.manifests,
            plan,
            leads: ObservedLeads::new(),
        },
        resolve_errors,
        references: resolved.references,
        options: options.clone(),
    }
}

/// The existing campaigns whose leads the plan must know — those that declare leads or must run,
/// drafts to replace (a replacement must not lose an undeclared lead) and campaigns to delete
/// (the plan says how many leads go with them) — each with the number of leads its manifest
/// declares (what a per-campaign read of its leads is expected to page through).
pub fn campaigns_needing_leads_declared(first: &CampaignPlan) -> Vec<(u64, usize)> {
    let planned = &first.planned;
    let remote_ids: HashMap<&crate::manifest::Location, u64> = planned
        .plan
        .actions
        .iter()
        .filter_map(|a| Some((a.manifest.as_ref()?, a.remote_id?)))
        .collect();
    let mut ids: Vec<(u64, usize)> = planned
        .manifests
        .iter()
        .filter(|m| m.spec.leads.is_some() || m.spec.status == Some(DesiredStatus::Running))
        .filter_map(|m| {
            let declared = m.spec.leads.as_ref().map_or(0, |l| l.items.len());
            remote_ids.get(&m.location).map(|id| (*id, declared))
        })
        .collect();
    // Drafts to replace (a replacement must not lose an undeclared lead) and campaigns to
    // delete (the plan says how many leads go with them), declaring none of their own.
    let going = planned.plan.actions.iter().filter(|a| {
        matches!(
            a.kind,
            ActionKind::Replace { .. } | ActionKind::Delete { .. }
        )
    });
    ids.extend(going.filter_map(|a| a.remote_id).map(|id| (id, 0)));
    // One entry per campaign, with the most leads any reason declared for it.
    ids.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    ids.dedup_by_key(|(id, _)| *id);
    ids
}

/// Pure: adds the leads and status changes to a campaign plan, given the leads of existing
/// campaigns, for the whole account.
pub fn add_leads_and_status(
    first: CampaignPlan,
    observed: &Observed,
    leads: &ObservedLeads,
) -> FullPlan {
    add_leads_and_status_in(first, observed, leads, &Scope::whole_account())
}

/// Pure: adds the leads and status changes to a campaign plan, narrows the view to `scope`
/// (`--target`, or part of the account's paths), then derives its operations: once, here, from
/// the view as it stands, so no operation outlives the campaign it came from.
pub fn add_leads_and_status_in(
    first: CampaignPlan,
    observed: &Observed,
    leads: &ObservedLeads,
    scope: &Scope,
) -> FullPlan {
    let CampaignPlan {
        mut planned,
        resolve_errors,
        references,
        options,
    } = first;
    lifecycle::settle_with_leads(&mut planned.plan, &planned.manifests, leads);
    super::deletion::decide(&mut planned.plan, &options, leads);
    let (leads_and_status, errors) = plan_leads_and_status(
        &planned.manifests,
        &planned.plan,
        observed,
        leads,
        &references,
        &options,
    );
    let plan = &mut planned.plan;
    plan.leads_and_status = leads_and_status;
    plan.diagnostics.extend(resolve_errors);
    plan.diagnostics.extend(errors);
    plan.diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    scope.narrow(plan, &planned.manifests);
    plan.operations = super::derive::derive(&plan.actions, &plan.leads_and_status);
    planned
}
