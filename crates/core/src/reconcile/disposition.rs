//! One campaign's disposition, decided once from all its inputs: what matching found for it
//! (`matching::Candidate`), its manifest with names resolved, the write-once baseline, the
//! names and references that did not resolve, the leads read, the loading problems that hold
//! deletions, `--prune-prefix`/`--prune-history` and the prunes `watch` has confirmed. Each rule
//! (`replaceable`, `baseline`, `lifecycle`, `deletion`) is a pure function returning its verdict;
//! this module weighs them in one place, in a fixed order, and nothing changes a disposition
//! after it is decided. The plan-wide checks over the decided campaigns (`--max-deletes`, prune
//! with no manifests) are `full_plan`'s.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde_json::json;

use crate::api::types::RemoteCampaign;
use crate::manifest::{Diagnostic, Location, Manifest};

use super::baseline::Index;
use super::deletion::{delete_decision, going_name, replace_held_note, DeleteDecision};
use super::field_diff::{diff, write_once_fields};
use super::lifecycle::{prune_prefix_of, replacement_loses_leads, LifecycleOptions};
use super::matching::Candidate;
use super::model::{DeleteReason, Disposition, Explanation, FieldChange, KeptCampaign};
use super::observed::{Observed, ObservedLeads};
use super::references::check_references;
use super::replaceable::{rename_hint, unreplaceable_note, why_not_replaced};

/// Everything a disposition is decided from, beside the candidate itself.
pub struct Inputs<'a> {
    pub observed: &'a Observed,
    pub options: &'a LifecycleOptions,
    /// The write-once baseline, resolved against the account; `None`: nothing is compared.
    pub baseline: Option<&'a Index>,
    /// The problems of names that did not resolve, by the location of the manifest holding them.
    pub unresolved: &'a BTreeMap<Location, Vec<Diagnostic>>,
    /// The leads read for the plan; `None` before they are read (`full_plan::leads_to_read`
    /// asks which are needed): then no rule that weighs leads runs, so a replacement and a
    /// prune stay what they would be if nothing held them, which is what their leads are read
    /// for.
    pub leads: Option<&'a ObservedLeads>,
    /// How many manifests were loaded: an empty checkout prunes nothing.
    pub manifests: usize,
    /// Why every deletion is held (`deletion::hold_reason`), `None` when nothing holds them.
    pub loading: Option<String>,
    /// Every campaign no manifest means, whatever the scope: a create beside one with the same
    /// settings gets a rename hint.
    pub undeclared: Vec<&'a RemoteCampaign>,
    /// The assistants the repository declares: a campaign's goal variable is checked against
    /// a declared assistant's schema offline, not against the platform's (which this plan
    /// may be about to change).
    pub declared_assistants: &'a super::resolve::DeclaredAssistants,
}

/// A decided campaign: its part of the view, and what the plan says about it beside.
#[derive(Debug)]
pub struct Decided {
    pub action: Explanation,
    /// Its problems: a create's references, a write-once change to a campaign that has run.
    pub diagnostics: Vec<Diagnostic>,
    /// The baseline source that knew the campaign, if one did.
    pub baseline_source: Option<String>,
    /// An undeclared campaign under the prune prefix, kept for its history.
    pub kept: Option<Box<KeptCampaign>>,
    /// How the `--max-deletes` refusal names it, when it counts against the limit (a delete,
    /// a prune `watch` has yet to confirm, a replacement).
    pub going: Option<String>,
}

impl Decided {
    fn of(action: Explanation) -> Decided {
        Decided {
            action,
            diagnostics: Vec::new(),
            baseline_source: None,
            kept: None,
            going: None,
        }
    }
}

/// Decides one candidate (module docs).
pub fn decide(candidate: &Candidate<'_>, inputs: &Inputs<'_>) -> Decided {
    match *candidate {
        Candidate::Create(m) => create(m, inputs),
        Candidate::Absent(m) => Decided::of(Explanation {
            name: m.spec.name.clone(),
            manifest: Some(m.location.clone()),
            remote_id: None,
            kind: Disposition::Absent,
            note: None,
        }),
        Candidate::Tombstone(m, remote) => tombstone(m, remote, inputs),
        Candidate::Matched(m, remote) => matched(m, remote, inputs),
        Candidate::Undeclared(remote) => undeclared(remote, inputs),
    }
}

/// A manifest no campaign answers to: created with exactly its fields; its references and the
/// names that did not resolve are its problems (errors block the plan).
fn create(m: &Manifest, inputs: &Inputs<'_>) -> Decided {
    let mut diagnostics = check_references(m, inputs.observed, inputs.declared_assistants);
    if let Some(problems) = inputs.unresolved.get(&m.location) {
        diagnostics.extend(problems.iter().cloned());
    }
    Decided {
        diagnostics,
        ..Decided::of(Explanation {
            name: m.spec.name.clone(),
            manifest: Some(m.location.clone()),
            remote_id: None,
            kind: Disposition::Create {
                request: Arc::new(m.spec.create_request()),
            },
            note: rename_hint(&m.spec, &inputs.undeclared),
        })
    }
}

/// A manifest matched to `remote`: unchanged; replaced (a draft that differs, that its manifest
/// can create again, holding no undeclared lead, while nothing holds deletions); or drift, with
/// the first reason it is not replaced (`why_kept`).
fn matched(m: &Manifest, remote: &RemoteCampaign, inputs: &Inputs<'_>) -> Decided {
    let spec = &m.spec;
    let mut changes = Vec::new();
    if spec.name != remote.name {
        // A campaign adopted by id, or one renamed with renamed_from.
        changes.push(FieldChange {
            field: "name",
            desired: json!(spec.name),
            actual: json!(remote.name),
            known_from: None,
        });
    }
    changes.extend(diff(spec, remote));
    let mut write_once = write_once_fields(spec);
    let mut decided = Decided::of(Explanation {
        name: spec.name.clone(),
        manifest: Some(m.location.clone()),
        remote_id: Some(remote.id),
        kind: Disposition::Absent,
        note: None,
    });
    if let Some(compared) = inputs.baseline.as_ref().and_then(|b| b.compare(m, remote)) {
        decided.baseline_source = Some(compared.source.to_owned());
        // The fields compared are no longer "not compared".
        write_once.retain(|f| compared.not_compared.contains(f));
        changes.extend(compared.changes);
        decided.diagnostics = compared.diagnostics;
    }
    decided.action.kind = if changes.is_empty() {
        Disposition::Unchanged { write_once }
    } else if let Some(why) = why_kept(m, remote, inputs) {
        decided.action.note = Some(why);
        Disposition::Drift {
            changes,
            write_once,
        }
    } else {
        let renamed_from = (spec.name != remote.name).then(|| remote.name.clone());
        decided.going = Some(going_name(
            &spec.name,
            renamed_from.as_deref(),
            Some(remote.id),
        ));
        Disposition::Replace {
            changes,
            write_once,
            request: Arc::new(spec.create_request()),
            renamed_from,
            // The count its delete checks right before (`executor`): a lead added by hand in
            // between would be deleted with the draft.
            leads: lead_count(inputs, remote.id),
        }
    };
    decided
}

/// Why a campaign that differs from its manifest stays drift rather than being replaced, the
/// first reason that applies, in the order a person would fix them: it may have run (or is
/// adopted by id); its create could not be sent now (references, then names that did not
/// resolve); it holds leads its manifest does not declare (or they could not be read); a
/// loading problem holds every deletion. `None`: it is replaced.
fn why_kept(m: &Manifest, remote: &RemoteCampaign, inputs: &Inputs<'_>) -> Option<String> {
    if let Some(why) = why_not_replaced(&m.spec, remote) {
        return Some(why);
    }
    let cannot_create = |problems: &[Diagnostic]| {
        problems
            .iter()
            .any(Diagnostic::is_error)
            .then(|| unreplaceable_note(problems))
    };
    if let Some(why) = cannot_create(&check_references(
        m,
        inputs.observed,
        inputs.declared_assistants,
    )) {
        return Some(why);
    }
    if let Some(why) = inputs
        .unresolved
        .get(&m.location)
        .and_then(|p| cannot_create(p))
    {
        return Some(why);
    }
    // Before the leads are read, a replacement is what they are read for: the rules from here
    // on (undeclared leads, then a loading problem) weigh in once they are.
    let leads = inputs.leads?;
    {
        let declared: HashSet<&str> = m
            .spec
            .leads
            .as_ref()
            .map(|l| l.items.iter().map(|d| d.phone_number.as_str()).collect())
            .unwrap_or_default();
        let on_platform = leads.get(&remote.id).map(Vec::as_slice);
        if let Some(why) = replacement_loses_leads(&declared, on_platform) {
            return Some(why);
        }
    }
    replace_held_note(inputs.loading.as_deref())
}

/// `status: deleted` for a campaign that exists: deleted, with its leads counted, unless a
/// loading problem holds every deletion (`deletion::delete_decision`).
fn tombstone(m: &Manifest, remote: &RemoteCampaign, inputs: &Inputs<'_>) -> Decided {
    let mut decided = delete(remote, Some(m), DeleteReason::Manifest, inputs);
    // A baseline that knows the tombstoned campaign was used, though nothing is compared.
    decided.baseline_source = inputs
        .baseline
        .as_ref()
        .and_then(|b| b.compare(m, remote))
        .map(|c| c.source.to_owned());
    decided
}

/// A campaign no manifest means: unmanaged, or under `--prune-prefix` deleted (which of them
/// may go is `deletion::delete_decision`'s; one with history is kept and summed up).
fn undeclared(remote: &RemoteCampaign, inputs: &Inputs<'_>) -> Decided {
    match prune_prefix_of(&remote.name, inputs.manifests, inputs.options) {
        Some(prefix) => {
            let reason = DeleteReason::Prune {
                prefix: prefix.to_owned(),
            };
            delete(remote, None, reason, inputs)
        }
        None => Decided::of(unmanaged(remote)),
    }
}

fn unmanaged(remote: &RemoteCampaign) -> Explanation {
    Explanation {
        name: remote.name.clone(),
        manifest: None,
        remote_id: Some(remote.id),
        kind: Disposition::Unmanaged,
        note: None,
    }
}

/// A planned deletion (a tombstone's or a prune's), as `deletion::delete_decision` decides it
/// from the leads read; before they are read it is a deletion nothing holds yet.
fn delete(
    remote: &RemoteCampaign,
    manifest: Option<&Manifest>,
    reason: DeleteReason,
    inputs: &Inputs<'_>,
) -> Decided {
    let leads = lead_count(inputs, remote.id);
    let decision = match inputs.leads {
        Some(_) => delete_decision(
            &reason,
            &remote.status,
            Some(remote.id),
            leads,
            inputs.options,
            inputs.loading.as_deref(),
        ),
        None => DeleteDecision::Proceed,
    };
    // A delete `watch` has yet to confirm counts against `--max-deletes`: the next pass would
    // carry it out. One a loading problem holds does not.
    let counts = matches!(
        decision,
        DeleteDecision::Proceed | DeleteDecision::Unconfirmed
    );
    let held = match decision {
        DeleteDecision::KeptForHistory => {
            return Decided {
                kept: Some(Box::new(KeptCampaign {
                    name: remote.name.clone(),
                    id: remote.id,
                    status: remote.status.clone(),
                    leads,
                })),
                ..Decided::of(unmanaged(remote))
            };
        }
        DeleteDecision::HeldByLoading(why) => Some(why),
        DeleteDecision::Unconfirmed => Some(super::deletion::UNCONFIRMED.to_owned()),
        DeleteDecision::Proceed => None,
    };
    Decided {
        going: counts.then(|| going_name(&remote.name, None, Some(remote.id))),
        ..Decided::of(Explanation {
            name: remote.name.clone(),
            manifest: manifest.map(|m| m.location.clone()),
            remote_id: Some(remote.id),
            kind: Disposition::Delete {
                reason,
                status: remote.status.clone(),
                leads,
                held,
            },
            note: None,
        })
    }
}

fn lead_count(inputs: &Inputs<'_>, id: u64) -> Option<usize> {
    inputs.leads.and_then(|l| l.get(&id)).map(Vec::len)
}
