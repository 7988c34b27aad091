//! The producer, pure: from the run's inputs (manifests, the observed account, the lifecycle
//! options, the scope and, once read, the leads of existing campaigns) to the plan. Names are
//! resolved, every campaign is matched (`matching`), each campaign in scope is decided once
//! (`disposition`), its leads and status are planned from that decision (`leads_and_status`),
//! and the operations are derived once from the result (`derive`). Nothing rewrites a decision.
//!
//! Reading leads is the one I/O planning needs, so it happens in two calls around it, both
//! pure: `PlanInputs::leads_to_read` asks which campaigns' leads the plan needs (a query over the
//! inputs), `PlanInputs::plan` makes the plan once they are read (`pipeline` does the reading).

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::api::types::RemoteCampaign;
use crate::manifest::{AssistantManifest, DesiredStatus, Manifest};
use crate::shown_path::ShownFrom;

use super::assistants::{plan_assistants, AssistantInputs};
use super::baseline::{described, ResolvedBaseline};
use super::deletion::{guard_deletes, hold_reason};
use super::disposition::{decide, Decided, Inputs};
use super::leads_and_status::plan_leads_and_status;
use super::lifecycle::{prune_without_manifests, LifecycleOptions};
use super::matching::{match_campaigns, Candidate, Matching};
use super::model::{Deletions, Disposition, Plan};
use super::observed::{Observed, ObservedLeads};
use super::operation::{Operation, OperationKind, Target};
use super::resolve::{resolve_names_declaring, DeclaredAssistants, Resolved};
use super::scope::Scope;

/// A plan and the manifests it was made from, with names replaced by ids (apply maps API errors
/// back to lines through them, and the create bodies carry the ids).
#[derive(Debug, Clone)]
pub struct FullPlan {
    pub manifests: Vec<Manifest>,
    pub plan: Plan,
    /// The leads of the existing campaigns that were read to plan (their normalised numbers):
    /// part of what a saved plan's fingerprint covers.
    pub leads: ObservedLeads,
}

/// What a plan is made from, names resolved: the manifests (all of them: matching needs every
/// manifest's claim), the observed account, the lifecycle options and the scope, which narrows
/// the campaigns decided (`--target`), not what claims a campaign.
pub struct PlanInputs<'o> {
    observed: &'o Observed,
    resolved: Resolved,
    baseline: Option<ResolvedBaseline>,
    options: LifecycleOptions,
    scope: Scope,
    /// How many manifests were loaded (an empty checkout prunes nothing).
    loaded: usize,
    /// Each candidate in scope decided before the leads are read (`leads_to_read`), in
    /// candidate order: `plan` decides again, with the leads, only those whose disposition
    /// depends on them (a replace or a delete), so the rest are decided once.
    before_leads: OnceCell<Vec<Decided>>,
    /// How a problem that names another manifest's place shows its path.
    shown_from: &'o ShownFrom,
    /// The assistants the repository declares, and those a campaign may name by name.
    assistants: &'o [AssistantManifest],
    declared: DeclaredAssistants,
}

impl<'o> PlanInputs<'o> {
    pub fn new(
        manifests: Vec<Manifest>,
        observed: &'o Observed,
        options: &LifecycleOptions,
        scope: &Scope,
        shown_from: &'o ShownFrom,
    ) -> PlanInputs<'o> {
        PlanInputs::with_assistants(manifests, &[], observed, options, scope, shown_from)
    }

    /// [`PlanInputs::new`], with the assistants the repository declares: they are planned
    /// before the campaigns, and a campaign may name one the platform does not have yet.
    /// The manifests are taken, and their names resolved in place (`FullPlan::manifests`
    /// gives them back): a second copy of every manifest was most of what a plan held beyond
    /// what loading holds.
    pub fn with_assistants(
        manifests: Vec<Manifest>,
        assistants: &'o [AssistantManifest],
        observed: &'o Observed,
        options: &LifecycleOptions,
        scope: &Scope,
        shown_from: &'o ShownFrom,
    ) -> PlanInputs<'o> {
        let declared: DeclaredAssistants = assistants
            .iter()
            .filter(|a| !a.deleted && a.fields.kind.as_deref() != Some("inbound"))
            .map(|a| (a.name.clone(), a.id))
            .collect();
        let loaded = manifests.len();
        PlanInputs {
            observed,
            resolved: resolve_names_declaring(manifests, observed, &declared),
            assistants,
            declared,
            baseline: options
                .baseline
                .as_deref()
                .map(|b| ResolvedBaseline::new(b, observed)),
            options: options.clone(),
            scope: scope.clone(),
            loaded,
            before_leads: OnceCell::new(),
            shown_from,
        }
    }

    /// Every campaign matched; only those in scope are candidates (`matching`).
    fn matching(&self) -> Matching<'_> {
        let scope = &self.scope;
        match_campaigns(
            &self.resolved.manifests,
            self.observed,
            &|m: &Manifest| scope.includes(&m.spec.name),
            self.shown_from,
        )
    }

    fn inputs<'a>(
        &'a self,
        matching: &Matching<'a>,
        leads: Option<&'a ObservedLeads>,
    ) -> Inputs<'a> {
        Inputs {
            observed: self.observed,
            options: &self.options,
            baseline: self.baseline.as_ref().map(ResolvedBaseline::index),
            unresolved: &self.resolved.problems,
            leads,
            manifests: self.loaded,
            loading: hold_reason(&self.options.holds),
            undeclared: undeclared(matching),
            declared_assistants: &self.declared,
        }
    }

    /// The candidates decided: those of manifests in scope, and the undeclared campaigns when
    /// the whole account is planned (only then is a campaign no manifest means "unmanaged").
    fn in_scope<'m>(&self, matching: &'m Matching<'m>) -> impl Iterator<Item = &'m Candidate<'m>> {
        let whole = self.scope.whole_account;
        matching
            .candidates
            .iter()
            .filter(move |c| whole || !matches!(c, Candidate::Undeclared(_)))
    }

    /// The existing campaigns whose leads the plan must know, each with the number of leads its
    /// manifest declares (what a per-campaign read of its leads is expected to page through):
    /// those in scope that declare leads or must run, drafts to replace (a replacement must not
    /// lose an undeclared lead) and campaigns to delete (the plan says how many leads go with
    /// them, and a prune of one holding leads is kept). Decided as if nothing about leads were
    /// known yet (`disposition::Inputs::leads`).
    pub fn leads_to_read(&self) -> Vec<(u64, usize)> {
        let matching = self.matching();
        let before = self.before_leads(&matching);
        let mut ids: Vec<(u64, usize)> = Vec::new();
        for (c, d) in self.in_scope(&matching).zip(before) {
            let Some(remote) = c.remote() else {
                continue;
            };
            let spec = c.manifest().map(|m| &m.spec);
            if let Some(spec) =
                spec.filter(|s| s.leads.is_some() || s.status == Some(DesiredStatus::Running))
            {
                ids.push((remote.id, spec.leads.as_ref().map_or(0, |l| l.items.len())));
            } else if depends_on_leads(d) {
                ids.push((remote.id, 0));
            }
        }
        // One entry per campaign, with the most leads any reason declared for it.
        ids.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        ids.dedup_by_key(|(id, _)| *id);
        ids
    }

    /// The plan, with the leads read (`leads_to_read`'s campaigns are keys; one that is not
    /// could not be read).
    pub fn plan(mut self, leads: &ObservedLeads) -> FullPlan {
        let asked = self.before_leads.take();
        let matching = self.matching();
        let before = asked.unwrap_or_else(|| self.decide_before_leads(&matching));
        let inputs = self.inputs(&matching, Some(leads));
        let mut diagnostics = matching.diagnostics.clone();
        let mut used: Vec<String> = Vec::new();
        let mut going = Vec::new();
        let mut deletions = Deletions {
            held: self.options.holds.clone(),
            kept_history: Vec::new(),
        };
        let mut actions = Vec::with_capacity(before.len());
        // One pass, consuming what was decided before the leads: no second list of decisions.
        for (c, d) in self.in_scope(&matching).zip(before) {
            let d = if depends_on_leads(&d) {
                decide(c, &inputs)
            } else {
                d
            };
            if let Some(source) = d.baseline_source {
                if !used.contains(&source) {
                    used.push(source);
                }
            }
            diagnostics.extend(d.diagnostics);
            going.extend(d.going);
            deletions.kept_history.extend(d.kept.map(|k| *k));
            actions.push(d.action);
        }
        let under_prefix = inputs
            .undeclared
            .iter()
            .filter(|c| {
                self.options
                    .prune_prefix
                    .as_deref()
                    .is_some_and(|p| c.name.starts_with(p))
            })
            .count();
        diagnostics.extend(prune_without_manifests(
            self.loaded,
            under_prefix,
            &self.options,
        ));
        diagnostics.extend(guard_deletes(&going, self.options.max_deletes));
        let undeclared_count = inputs.undeclared.len();
        let undeclared_running = inputs
            .undeclared
            .iter()
            .filter(|c| c.status.dials_new_leads())
            .count();
        drop(inputs);

        let mut plan = Plan {
            actions,
            assistants: Vec::new(),
            diagnostics: Vec::new(),
            leads_and_status: Vec::new(),
            operations: Vec::new(),
            deletions,
            write_once_baseline: described(
                &used,
                self.options.baseline.as_deref(),
                &self.options.baseline_from,
            ),
        };
        let (leads_and_status, errors) = plan_leads_and_status(
            &self.resolved.manifests,
            &plan,
            self.observed,
            leads,
            &self.resolved.references,
            &self.options,
        );
        diagnostics.extend(errors);
        let campaign_ops = super::derive::derive(&plan.actions, &leads_and_status);
        // `--target` narrows the assistants as it narrows the campaigns: those named, and
        // those a campaign in scope names (its create may wait for them).
        let in_scope: Vec<AssistantManifest> = self
            .assistants
            .iter()
            .filter(|a| {
                self.scope.whole_account
                    || self.scope.includes(&a.name)
                    || self.resolved.manifests.iter().any(|m| {
                        self.scope.includes(&m.spec.name)
                            && m.spec.assistant.as_deref() == Some(a.name.as_str())
                    })
            })
            .cloned()
            .collect();
        let assistants = plan_assistants(
            &in_scope,
            &AssistantInputs {
                live: &self.observed.assistants,
                baseline: self
                    .options
                    .baseline
                    .as_deref()
                    .map(|b| b.assistants_by_name())
                    .unwrap_or_default(),
                campaigns: &self.resolved.manifests,
                on_platform: &self.observed.campaigns,
                running: may_be_calling(&plan, self.observed, &campaign_ops),
                undeclared: undeclared_count,
                undeclared_running,
                seen: self.options.assistants_seen.as_deref(),
            },
        );
        diagnostics.extend(assistants.diagnostics);
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        plan.diagnostics = diagnostics;
        plan.operations = after_assistants(
            assistants.operations,
            campaign_ops,
            &assistants.waits_for,
            &self.resolved,
        );
        plan.assistants = assistants.explanations;
        plan.leads_and_status = leads_and_status;
        FullPlan {
            manifests: self.resolved.manifests,
            plan,
            leads: ObservedLeads::new(),
        }
    }
}

impl PlanInputs<'_> {
    /// Every candidate in scope decided as if no lead were known, once per `PlanInputs`.
    fn before_leads(&self, matching: &Matching<'_>) -> &[Decided] {
        self.before_leads
            .get_or_init(|| self.decide_before_leads(matching))
    }

    fn decide_before_leads(&self, matching: &Matching<'_>) -> Vec<Decided> {
        let inputs = self.inputs(matching, None);
        self.in_scope(matching)
            .map(|c| decide(c, &inputs))
            .collect()
    }
}

/// Whether a disposition decided before the leads are read may change once they are: only a
/// replace (undeclared leads, then a loading problem, keep it as drift) and a delete (its
/// leads counted; a prune of a campaign holding leads is kept, a held one is held). Every
/// other rule reads no lead, so those dispositions stand as decided.
fn depends_on_leads(d: &Decided) -> bool {
    matches!(
        d.action.kind,
        Disposition::Replace { .. } | Disposition::Delete { .. }
    )
}

/// The declared campaigns an assistant's change is heard by: those the platform shows in a
/// status that may be calling, and those this plan starts.
fn may_be_calling(plan: &Plan, observed: &Observed, ops: &[Operation]) -> BTreeSet<String> {
    // Indexed once: looking each campaign up in the list was quadratic (7 % of a plan of
    // 10,000 campaigns that all exist).
    let calling: HashSet<u64> = observed
        .campaigns
        .iter()
        .filter(|c| c.status.dials_new_leads())
        .map(|c| c.id)
        .collect();
    let mut names: BTreeSet<String> = plan
        .actions
        .iter()
        .filter(|a| a.manifest.is_some())
        .filter(|a| a.remote_id.is_some_and(|id| calling.contains(&id)))
        .map(|a| a.name.clone())
        .collect();
    names.extend(
        ops.iter()
            .filter(|op| matches!(op.kind, OperationKind::Start { .. }))
            .map(|op| op.campaign.clone()),
    );
    names
}

/// The plan's operations: the assistants' first, then the campaigns' (their ids moved after
/// the assistants'). A campaign's create, and its start, wait for the operation on the
/// assistant it names when this plan creates or updates that assistant; a create takes the
/// new assistant's id from it (`assistant_from`).
fn after_assistants(
    ops: Vec<Operation>,
    mut campaign_ops: Vec<Operation>,
    waits_for: &BTreeMap<String, (usize, bool)>,
    resolved: &Resolved,
) -> Vec<Operation> {
    let offset = ops.len();
    let assistant_of = |campaign: &str| -> Option<(usize, bool)> {
        let name = resolved.pending_assistant.get(campaign).or_else(|| {
            resolved
                .references
                .get(campaign)
                .and_then(|r| r.assistant.as_ref())
                .map(|a| &a.name)
        })?;
        waits_for.get(name).copied()
    };
    // The campaigns' operations stay where they are and the assistants' go in front: a second
    // list of every operation was 1.6 MB at the peak of a plan of 10,000 creates.
    for op in &mut campaign_ops {
        op.id += offset;
        for d in &mut op.depends_on {
            *d += offset;
        }
        if let Target::Created { by } = &mut op.target {
            *by += offset;
        }
        if offset > 0 {
            let waits = assistant_of(&op.campaign);
            match (&mut op.kind, waits) {
                (OperationKind::CreateCampaign { assistant_from, .. }, Some((id, _))) => {
                    *assistant_from = Some(id);
                    op.depends_on.insert(0, id);
                }
                (OperationKind::Start { .. }, Some((id, _))) => op.depends_on.push(id),
                _ => {}
            }
        }
    }
    campaign_ops.splice(0..0, ops);
    campaign_ops
}

/// Every campaign no manifest means, whatever the scope.
fn undeclared<'a>(matching: &Matching<'a>) -> Vec<&'a RemoteCampaign> {
    matching
        .candidates
        .iter()
        .filter_map(|c| match c {
            Candidate::Undeclared(r) => Some(*r),
            _ => None,
        })
        .collect()
}

/// Pure: the plan of the whole account, given the leads of its existing campaigns (what tests,
/// `demo` and the benches plan; `pipeline` reads the leads `leads_to_read` asks for first).
/// Paths in its problems are shown as they are; the manifests are copied (the pipeline gives
/// its own to `PlanInputs` instead).
pub fn plan_whole_account(
    manifests: &[Manifest],
    observed: &Observed,
    options: &LifecycleOptions,
    leads: &ObservedLeads,
) -> FullPlan {
    let as_is = ShownFrom::as_is();
    PlanInputs::new(
        manifests.to_vec(),
        observed,
        options,
        &Scope::whole_account(),
        &as_is,
    )
    .plan(leads)
}
