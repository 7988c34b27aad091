//! An idle pass plans nothing: when the load was reused, the platform answered the bytes it
//! answered last pass, the leads read are the same, and the lifecycle inputs (the baseline, the
//! record of what was applied, the confirmed prunes, the prune prefix and the other options)
//! are the ones the last plan was made from, the plan is the last plan, which had no operations.
//! The lists are still read on every pass (`watch` is level-triggered: a person may have pressed
//! stop in the dashboard); what is skipped is decoding an unchanged campaign list and planning.

use std::sync::Arc;

use crate::api::client::{BodyDigest, Digested};
use crate::api::types::{Assistant, PhoneNumber, RemoteCampaign};
use crate::api::{ApiError, Client};
use crate::manifest::{Diagnostic, LoadOutcome};
use crate::reconcile::applied::RecordState;
use crate::reconcile::leads_and_status::ObservedLeads;
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::pipeline::{self, Planned};
use crate::reconcile::{Observed, Plan};

use super::load_cache::Source;

/// What the last pass that read the platform keeps for the next one.
#[derive(Default)]
pub(crate) struct LastPass {
    /// The campaign list, with the digest of the bytes it was decoded from.
    campaigns: Option<Digested<Vec<RemoteCampaign>>>,
    /// Its plan, kept only when it had no operations.
    plan: Option<LastPlan>,
}

/// A plan with no operations and everything it was made from but the load (reused, so the
/// same, its names resolved by that plan) and the campaign list (`LastPass::campaigns`).
struct LastPlan {
    lifecycle: LifecycleOptions,
    assistants: Vec<Assistant>,
    phone_numbers: Vec<PhoneNumber>,
    plan: Plan,
    leads: ObservedLeads,
    leads_estimate: u64,
    lint: Vec<Diagnostic>,
}

/// The platform read for a pass: the observed state, its campaign list's digest, and whether
/// that list was the bytes of the last pass's.
pub(crate) struct Observation {
    pub(crate) observed: Observed,
    pub(crate) digest: BodyDigest,
    campaigns_unchanged: bool,
}

/// Lists campaigns, assistants and phone numbers at once, as `reconcile::observe` does; the
/// campaign list is decoded only when its bytes differ from the last pass's.
pub(crate) async fn observe(client: &Client, last: &mut LastPass) -> Result<Observation, ApiError> {
    let ((campaigns, unchanged), assistants, phone_numbers) = tokio::try_join!(
        client.list_campaigns_again(last.campaigns.take()),
        client.list_assistants(),
        client.list_phone_numbers()
    )?;
    Ok(Observation {
        observed: Observed {
            campaigns: campaigns.value,
            assistants,
            phone_numbers,
        },
        digest: campaigns.digest,
        campaigns_unchanged: unchanged,
    })
}

/// The plan of a pass whose lead gauges are not due, with its campaign list's digest: the last
/// plan when none of its inputs changed (`true`), else a new one. `lifecycle` is the pass's, before the pipeline adds the
/// load's holds (the same load, the same holds).
pub(crate) async fn plan(
    client: &Client,
    last: &mut LastPass,
    load: LoadOutcome,
    source: Source,
    lifecycle: &LifecycleOptions,
) -> Result<(Planned, BodyDigest, bool), ApiError> {
    let last_plan = last.plan.take();
    let observation = observe(client, last).await?;
    let digest = observation.digest;
    let same = |p: &LastPlan| {
        source == Source::Reused
            && observation.campaigns_unchanged
            && p.assistants == observation.observed.assistants
            && p.phone_numbers == observation.observed.phone_numbers
            && same_lifecycle(&p.lifecycle, lifecycle)
    };
    if let Some(p) = last_plan.filter(same) {
        // The leads the plan read are an input too (a lead deleted in the dashboard is added
        // again): read the same way, with the same requests, and compared.
        let leads = pipeline::reread_leads(client, &p.leads, p.leads_estimate).await?;
        if leads == p.leads {
            return Ok((
                Planned {
                    load,
                    observed: observation.observed,
                    plan: p.plan,
                    leads,
                    leads_estimate: p.leads_estimate,
                    lint: p.lint,
                },
                digest,
                true,
            ));
        }
    }
    let planned = pipeline::plan_observed(
        client,
        load,
        observation.observed,
        &crate::reconcile::scope::Scope::whole_account(),
        lifecycle,
    )
    .await?;
    Ok((planned, digest, false))
}

impl LastPass {
    /// Keeps what the pass that made `planned` read (`digest`: its campaign list's) for the
    /// next pass; its plan too, with the `lifecycle` options it was made from, when the plan has
    /// no operations and `reusable` (the pass left its inputs as they were). Gives back the load.
    pub(crate) fn keep(
        digest: BodyDigest,
        planned: Planned,
        lifecycle: LifecycleOptions,
        reusable: bool,
    ) -> (LastPass, LoadOutcome) {
        let Planned {
            load,
            observed,
            plan,
            leads,
            leads_estimate,
            lint,
        } = planned;
        let campaigns = Some(Digested {
            digest,
            value: observed.campaigns,
        });
        let plan = (reusable && plan.operations.is_empty()).then_some(LastPlan {
            lifecycle,
            assistants: observed.assistants,
            phone_numbers: observed.phone_numbers,
            plan,
            leads,
            leads_estimate,
            lint,
        });
        (LastPass { campaigns, plan }, load)
    }
}

/// Whether two passes' lifecycle options are the same input to a plan: the baseline the same
/// one (rebuilt, as a new `Arc`, whenever what the daemon applied changes), the record of what
/// was applied equal (the one kept in memory is changed in place only while nobody else holds
/// it, so a kept `Arc` of it is a snapshot), and every other option equal.
fn same_lifecycle(a: &LifecycleOptions, b: &LifecycleOptions) -> bool {
    let same_baseline = match (&a.baseline, &b.baseline) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    };
    let rest = |o: &LifecycleOptions| LifecycleOptions {
        baseline: None,
        applied: RecordState::Absent,
        ..o.clone()
    };
    same_baseline && a.applied == b.applied && rest(a) == rest(b)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::reconcile::applied::AppliedRecord;
    use crate::reconcile::baseline::Baseline;

    #[test]
    fn the_same_options_are_the_same_input() {
        let baseline = Arc::new(Baseline::new(Vec::new()));
        let record = Arc::new(AppliedRecord::default());
        let a = LifecycleOptions {
            baseline: Some(baseline.clone()),
            applied: RecordState::Read(record.clone()),
            prunes_confirmed: Some(BTreeSet::new()),
            ..LifecycleOptions::default()
        };
        assert!(same_lifecycle(&a, &a.clone()));
    }

    #[test]
    fn a_new_baseline_a_changed_record_or_a_confirmed_prune_is_another_input() {
        let baseline = Arc::new(Baseline::new(Vec::new()));
        let a = LifecycleOptions {
            baseline: Some(baseline.clone()),
            applied: RecordState::Read(Arc::new(AppliedRecord::default())),
            prunes_confirmed: Some(BTreeSet::new()),
            ..LifecycleOptions::default()
        };
        // Built again from what the daemon applied: another baseline, even if equal.
        let rebuilt = LifecycleOptions {
            baseline: Some(Arc::new(Baseline::new(Vec::new()))),
            ..a.clone()
        };
        assert!(!same_lifecycle(&a, &rebuilt), "a rebuilt baseline");
        let confirmed = LifecycleOptions {
            prunes_confirmed: Some(BTreeSet::from([7])),
            ..a.clone()
        };
        assert!(!same_lifecycle(&a, &confirmed), "a prune confirmed since");
        let unusable = LifecycleOptions {
            applied: RecordState::Unusable,
            ..a.clone()
        };
        assert!(!same_lifecycle(&a, &unusable), "the record became unusable");
        let prefix = LifecycleOptions {
            prune_prefix: Some("prod-".into()),
            ..a.clone()
        };
        assert!(
            !same_lifecycle(&a, &prefix),
            "a prune prefix from the config"
        );
    }
}
