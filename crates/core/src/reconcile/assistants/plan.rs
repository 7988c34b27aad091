//! The declared assistants' part of a plan: each one's decision (`classify`) as an explanation
//! for the renderings and as the operations that carry it out. Assistants come first in a plan:
//! a campaign created with an assistant declared beside it waits for that assistant's create
//! (and takes its new id) or update, so one plan and one apply bring both.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::api::assistant::AssistantWrite;
use crate::api::types::{Assistant, RemoteCampaign};
use crate::diagnostic::Diagnostic;
use crate::manifest::{AssistantManifest, DesiredStatus, Manifest};
use crate::reconcile::model::{AssistantDisposition, AssistantExplanation};
use crate::reconcile::operation::{LiveCalls, Operation, OperationId, OperationKind, Target};

use super::classify::{classify, AssistantContext, AssistantDecision};

/// What the assistants' planning needs besides the declared assistants.
pub struct AssistantInputs<'a> {
    /// The platform's assistants.
    pub live: &'a [Assistant],
    /// The same assistants' manifests at the baseline, by name (the fields the list leaves
    /// out are compared with them).
    pub baseline: BTreeMap<&'a str, &'a AssistantManifest>,
    /// Every campaign manifest, names resolved (which assistant each uses).
    pub campaigns: &'a [Manifest],
    /// The platform's campaigns: a `status: deleted` manifest whose campaign is gone is a
    /// tombstone, and uses no assistant.
    pub on_platform: &'a [RemoteCampaign],
    /// The declared campaigns that may be calling (running, or a status campaignctl does not
    /// know) or that this plan starts.
    pub running: BTreeSet<String>,
    /// Campaigns on the platform no manifest declares, and how many of them are running.
    pub undeclared: usize,
    pub undeclared_running: usize,
    /// `watch`: each assistant's declared fields as the previous pass read them
    /// (`LifecycleOptions::assistants_seen`).
    pub seen: Option<&'a BTreeMap<String, AssistantWrite>>,
}

/// The assistants' explanations, their operations (ids from 0, in manifest order), the plan's
/// errors about them, and by assistant name the operation a campaign using it waits for, with
/// whether that operation creates it.
#[derive(Debug, Default)]
pub struct PlannedAssistants {
    pub explanations: Vec<AssistantExplanation>,
    pub operations: Vec<Operation>,
    pub diagnostics: Vec<Diagnostic>,
    pub waits_for: BTreeMap<String, (OperationId, bool)>,
}

/// Plans every declared assistant.
pub fn plan_assistants(
    declared: &[AssistantManifest],
    inputs: &AssistantInputs<'_>,
) -> PlannedAssistants {
    let mut out = PlannedAssistants::default();
    if declared.is_empty() {
        return out;
    }
    let users = users_by_assistant(inputs.campaigns, inputs.live, inputs.on_platform);
    let context = AssistantContext {
        baseline: inputs.baseline.clone(),
        used_by: users
            .iter()
            .map(|(name, campaigns)| {
                (
                    name.as_str(),
                    campaigns.iter().map(|c| c.to_string()).collect(),
                )
            })
            .collect(),
        undeclared_campaigns: inputs.undeclared,
    };
    for (manifest, decided) in declared
        .iter()
        .zip(classify(declared, inputs.live, &context))
    {
        let live = match decided.decision {
            AssistantDecision::Update { id, .. }
            | AssistantDecision::Unchanged { id }
            | AssistantDecision::Delete { id }
            | AssistantDecision::DeleteRefused { id, .. } => {
                inputs.live.iter().find(|a| a.id == id)
            }
            _ => None,
        };
        let mut explanation = AssistantExplanation {
            name: manifest.name.clone(),
            manifest: manifest.location.clone(),
            remote_id: live.map(|a| a.id),
            disposition: AssistantDisposition::Unchanged,
            changes: Vec::new(),
            not_compared: decided
                .not_compared
                .iter()
                .map(|f| (*f).to_owned())
                .collect(),
        };
        let id = out.operations.len();
        let mut push = |kind: OperationKind, target: Target| {
            out.operations.push(Operation {
                id,
                campaign: manifest.name.clone(),
                target,
                manifest: Some(manifest.location.clone()),
                kind,
                depends_on: Vec::new(),
            });
        };
        match decided.decision {
            AssistantDecision::Create { request } => {
                explanation.disposition = AssistantDisposition::Create;
                // A new assistant is heard only by the number it is given (an inbound one
                // answers it at once); campaigns that will use it wait for it, and their
                // starts are approved on their own.
                let live_calls = LiveCalls {
                    inbound: request.phone_number_id.is_some(),
                    ..LiveCalls::default()
                };
                push(
                    OperationKind::CreateAssistant {
                        request: Arc::new(request),
                        live_calls,
                    },
                    Target::Created { by: id },
                );
                out.waits_for.insert(manifest.name.clone(), (id, true));
            }
            AssistantDecision::Update { changes, .. }
                if edited_outside(manifest, &changes, inputs.seen) =>
            {
                explanation.disposition = AssistantDisposition::EditedOutside;
                explanation.changes = changes;
            }
            AssistantDecision::Update {
                id: remote,
                request,
                changes,
            } => {
                explanation.disposition = AssistantDisposition::Update;
                explanation.changes = changes;
                let users = users.get(&manifest.name).map(Vec::as_slice).unwrap_or(&[]);
                let live_calls = LiveCalls {
                    campaigns: users
                        .iter()
                        .filter(|c| inputs.running.contains(**c))
                        .map(|c| (*c).to_owned())
                        .collect(),
                    undeclared_running: inputs.undeclared_running,
                    // An inbound assistant answers calls; so does one turned inbound, and
                    // one given another number. Unknown is inbound (fail closed).
                    inbound: live.is_none_or(|a| !a.is_outbound())
                        || request.kind.is_some()
                        || request.phone_number_id.is_some(),
                };
                push(
                    OperationKind::UpdateAssistant {
                        request: Arc::new(request),
                        live_calls,
                    },
                    Target::Existing { id: remote },
                );
                out.waits_for.insert(manifest.name.clone(), (id, false));
            }
            AssistantDecision::Unchanged { .. } => {}
            AssistantDecision::Delete { id: remote } => {
                explanation.disposition = AssistantDisposition::Delete;
                push(
                    OperationKind::DeleteAssistant,
                    Target::Existing { id: remote },
                );
            }
            AssistantDecision::DeleteRefused { why, .. } => {
                explanation.disposition = AssistantDisposition::DeleteRefused { why };
            }
            AssistantDecision::Absent => explanation.disposition = AssistantDisposition::Absent,
            AssistantDecision::AdoptedIdMissing { id: missing } => {
                explanation.disposition = AssistantDisposition::AdoptedIdMissing { id: missing };
                out.diagnostics.push(
                    Diagnostic::error(
                        Some(manifest.location_of("id").clone()),
                        format!("assistant {:?} adopts id {missing}, which this account does not have", manifest.name),
                    )
                    .with_field("id")
                    .with_hint("remove id: to create the assistant by name, or give the id of an assistant the account has (`campaignctl get assistants`)"),
                );
            }
        }
        out.explanations.push(explanation);
    }
    out
}

/// Whether the differences of `manifest` were made outside git: `watch` read the manifest as
/// it is now on its previous pass, and every difference is one the platform's list shows (a
/// field compared with the baseline changed in git).
fn edited_outside(
    manifest: &AssistantManifest,
    changes: &[crate::reconcile::model::AssistantFieldChange],
    seen: Option<&BTreeMap<String, AssistantWrite>>,
) -> bool {
    seen.and_then(|seen| seen.get(&manifest.name))
        .is_some_and(|before| *before == manifest.fields)
        && changes.iter().all(|c| !c.from_baseline)
}

/// The declared campaigns that use each assistant, by the assistant's name: by `assistant:`
/// (the name as written) or by `assistant_id` (the listed assistant of that id). A campaign
/// that is `status: deleted` and no longer on the platform (by its adopted id, or by name) uses
/// nothing: its manifest would otherwise keep the assistant from being deleted forever. One
/// still on the platform counts, even while this plan deletes it: it may be calling until then.
pub fn users_by_assistant<'a>(
    campaigns: &'a [Manifest],
    live: &'a [Assistant],
    on_platform: &[RemoteCampaign],
) -> BTreeMap<String, Vec<&'a str>> {
    let mut users: BTreeMap<String, Vec<&'a str>> = BTreeMap::new();
    let gone = |m: &Manifest| {
        m.spec.status == Some(DesiredStatus::Deleted)
            && !on_platform.iter().any(|c| match m.spec.id {
                Some(id) => c.id == id,
                None => c.name == m.spec.name,
            })
    };
    for m in campaigns.iter().filter(|m| !gone(m)) {
        let name = m.spec.assistant.clone().or_else(|| {
            m.spec
                .assistant_id
                .and_then(|id| live.iter().find(|a| a.id == id))
                .map(|a| a.name.clone())
        });
        if let Some(name) = name {
            users.entry(name).or_default().push(m.spec.name.as_str());
        }
    }
    users
}
