//! Which planned deletions may happen, decided once per campaign from the run's inputs, after
//! the leads of every campaign to delete are read (`full_plan::add_leads_and_status`); then
//! `--max-deletes` counts what would go.
//!
//! Fail closed, as Flux's garbage collection does: a manifest set that may be incomplete must
//! never read as "delete the rest".
//!
//! - **Absence never destroys history.** A campaign that has run (any status but draft) or
//!   holds leads (or whose leads could not be read) is deleted by absence (`--prune-prefix`)
//!   only with `--prune-history`; otherwise it stays unmanaged and the plan sums those up in
//!   one line (`Deletions::kept_history`). A manifest's `status: deleted` is explicit and
//!   always counts. This is what protects against a file cut off at a document boundary
//!   (valid YAML, so nothing can tell it from a file with fewer campaigns): no heuristic tries.
//! - **A loading problem holds every deletion of its account.** When a file or path of the
//!   account could not be read whole (`LifecycleOptions::holds`), no delete and no replace
//!   happens, tombstones included: each delete stays in the plan, held with the reason, and
//!   each replace stays drift. Creates and every other change proceed.
//! - `watch` holds a prune it has seen only once, until a second pass confirms it: the prunes
//!   it confirmed are an input (`LifecycleOptions::prunes_confirmed`), so the plan's operations
//!   are derived once, with the hold already decided.

use std::collections::HashSet;

use crate::api::types::CampaignStatus;
use crate::manifest::Diagnostic;

pub use super::model::{Deletions, KeptCampaign};

use super::lifecycle::LifecycleOptions;
use super::model::{ActionKind, DeleteReason, Plan};
use super::observed::ObservedLeads;

/// Whether a campaign has history absence must not destroy: it is not a draft, or it holds
/// leads, or its leads are unknown (fail closed).
pub fn has_history(status: &CampaignStatus, leads: Option<usize>) -> bool {
    status.may_have_run() || leads != Some(0)
}

/// What becomes of one planned deletion (a manifest's delete or a prune), decided from its
/// inputs by `delete_decision`; `decide` writes it into the plan once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteDecision {
    /// Deleted, as planned.
    Proceed,
    /// A prune of a campaign with history, without `--prune-history`: it stays unmanaged, and
    /// the plan counts it among the campaigns kept for their history.
    KeptForHistory,
    /// Held by a loading problem of the account (the reason, in one clause).
    HeldByLoading(String),
    /// A prune `watch` has not confirmed yet (`UNCONFIRMED`). It still counts against
    /// `--max-deletes`: the next pass would carry it out.
    Unconfirmed,
}

/// Why `watch` holds a prune it has seen in one pass only.
pub const UNCONFIRMED: &str = "seen missing from the manifests in one pass only: watch deletes by absence only when the next pass, at least one interval later and over unchanged files, plans the same deletion";

/// The rules of the module docs for one deletion, in order: history kept from absence, then a
/// loading problem, then `watch`'s confirmation. `loading`: `hold_reason(&options.holds)`;
/// `leads`: how many leads the campaign holds, when they were read.
pub fn delete_decision(
    reason: &DeleteReason,
    status: &CampaignStatus,
    id: Option<u64>,
    leads: Option<usize>,
    options: &LifecycleOptions,
    loading: Option<&str>,
) -> DeleteDecision {
    let prune = matches!(reason, DeleteReason::Prune { .. });
    if prune && !options.prune_history && has_history(status, leads) {
        return DeleteDecision::KeptForHistory;
    }
    if let Some(why) = loading {
        return DeleteDecision::HeldByLoading(why.to_owned());
    }
    match (&options.prunes_confirmed, id) {
        (Some(confirmed), Some(id)) if prune && !confirmed.contains(&id) => {
            DeleteDecision::Unconfirmed
        }
        _ => DeleteDecision::Proceed,
    }
}

/// Why a replacement is held (its draft kept as drift, with this note), or `None`: only a
/// loading problem of the account holds one.
pub fn replace_held_note(loading: Option<&str>) -> Option<String> {
    loading.map(|why| format!("replacing this draft is held: {why}"))
}

/// The one decision over every deletion of a plan (module docs), each campaign decided once by
/// `delete_decision` and `replace_held_note`, then `--max-deletes` over what would go.
/// `leads` are those read for the plan (every campaign to delete is among them).
pub fn decide(plan: &mut Plan, options: &LifecycleOptions, leads: &ObservedLeads) {
    let loading = hold_reason(&options.holds);
    let mut going = Vec::new();
    for action in &mut plan.actions {
        let leads_here = action.remote_id.and_then(|id| leads.get(&id)).map(Vec::len);
        match &mut action.kind {
            ActionKind::Delete {
                reason,
                status,
                held,
                ..
            } => {
                let decision = delete_decision(
                    reason,
                    status,
                    action.remote_id,
                    leads_here,
                    options,
                    loading.as_deref(),
                );
                match decision {
                    DeleteDecision::KeptForHistory => {
                        if let Some(id) = action.remote_id {
                            plan.deletions.kept_history.push(KeptCampaign {
                                name: action.name.clone(),
                                id,
                                status: status.clone(),
                                leads: leads_here,
                            });
                        }
                        action.kind = ActionKind::Unmanaged;
                    }
                    DeleteDecision::HeldByLoading(why) => *held = Some(why),
                    DeleteDecision::Unconfirmed => {
                        *held = Some(UNCONFIRMED.to_owned());
                        going.push(going_name(&action.name, None, action.remote_id));
                    }
                    DeleteDecision::Proceed => {
                        going.push(going_name(&action.name, None, action.remote_id));
                    }
                }
            }
            ActionKind::Replace { renamed_from, .. } => {
                match replace_held_note(loading.as_deref()) {
                    Some(note) => action.keep_as_drift(note),
                    None => going.push(going_name(
                        &action.name,
                        renamed_from.as_deref(),
                        action.remote_id,
                    )),
                }
            }
            _ => {}
        }
    }
    plan.deletions.held = options.holds.clone();
    plan.diagnostics
        .extend(guard_deletes(&going, options.max_deletes));
}

/// How the `--max-deletes` refusal names a campaign that would go: by the name it has on the
/// platform (a renamed draft's old name) and its id.
fn going_name(name: &str, renamed_from: Option<&str>, id: Option<u64>) -> String {
    match (renamed_from, id) {
        (Some(old), Some(id)) => format!("{old:?} (id {id})"),
        (_, Some(id)) => format!("{name:?} (id {id})"),
        (_, None) => format!("{name:?}"),
    }
}

/// Refuses a plan that deletes more than `--max-deletes` campaigns (deletes, prunes, those
/// `watch` has yet to confirm, and replacements), naming them.
pub fn guard_deletes(going: &[String], max_deletes: usize) -> Option<Diagnostic> {
    (going.len() > max_deletes).then(|| {
        Diagnostic::error(
            None,
            format!(
                "the plan would delete {} campaign(s), more than --max-deletes {max_deletes}: {}; refusing",
                going.len(),
                going.join(", ")
            ),
        )
        .with_hint("check that this is meant, then run again with a higher --max-deletes")
    })
}

/// The reason every deletion is held, in one clause, or `None` when nothing holds them.
fn hold_reason(holds: &[String]) -> Option<String> {
    let first = holds.first()?;
    let more = match holds.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Some(format!(
        "a manifest file or path of this account could not be read whole, so the manifests may be incomplete and nothing is deleted: {first}{more}"
    ))
}

/// `watch`: the ids of every prune this plan proposes, held until confirmed or not (those a
/// loading problem holds are not proposed), for the next pass to confirm.
pub fn proposed_prunes(plan: &Plan) -> HashSet<u64> {
    plan.actions
        .iter()
        .filter_map(|a| match (&a.kind, a.remote_id) {
            (
                ActionKind::Delete {
                    reason: DeleteReason::Prune { .. },
                    held: None,
                    ..
                },
                Some(id),
            ) => Some(id),
            (
                ActionKind::Delete {
                    reason: DeleteReason::Prune { .. },
                    held: Some(why),
                    ..
                },
                Some(id),
            ) if why == UNCONFIRMED => Some(id),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CreateCampaign;
    use crate::manifest::Location;
    use crate::reconcile::leads_and_status::ObservedLead;
    use crate::reconcile::plan::Action;

    fn status(s: &str) -> CampaignStatus {
        CampaignStatus::parse(Some(s))
    }

    fn delete(id: u64, name: &str, reason: DeleteReason, s: &str) -> Action {
        Action {
            name: name.into(),
            manifest: matches!(reason, DeleteReason::Manifest)
                .then(|| Location::new("t.yaml", 1, 1)),
            remote_id: Some(id),
            kind: ActionKind::Delete {
                reason,
                status: status(s),
                leads: None,
                held: None,
            },
            note: None,
        }
    }

    fn prune(id: u64, name: &str, s: &str) -> Action {
        delete(
            id,
            name,
            DeleteReason::Prune {
                prefix: "p-".into(),
            },
            s,
        )
    }

    fn plan_of(actions: Vec<Action>) -> Plan {
        let operations = crate::reconcile::derive::derive(&actions, &[]);
        Plan {
            actions,
            diagnostics: vec![],
            leads_and_status: vec![],
            operations,
            deletions: Deletions::default(),
            write_once_baseline: None,
        }
    }

    fn decided(actions: Vec<Action>, options: &LifecycleOptions, leads: &ObservedLeads) -> Plan {
        let mut plan = plan_of(actions);
        decide(&mut plan, options, leads);
        plan.operations = crate::reconcile::derive::derive(&plan.actions, &[]);
        plan
    }

    fn deleted_ids(plan: &Plan) -> Vec<u64> {
        plan.operations
            .iter()
            .filter(|o| o.effects().destroys_data)
            .filter_map(|o| match o.target {
                crate::reconcile::operation::Target::Existing { id } => Some(id),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn absence_deletes_only_drafts_known_to_hold_no_leads() {
        let leads = ObservedLeads::from([
            (1, vec![]),
            (2, vec![]),
            (3, vec![ObservedLead::number(9, "+14155550101")]),
        ]);
        let actions = || {
            vec![
                prune(1, "p-draft", "draft"),
                prune(2, "p-running", "in-progress"),
                prune(3, "p-draft-with-a-lead", "draft"),
                // Its leads were not read: it may hold some.
                prune(4, "p-unknown-leads", "draft"),
                prune(5, "p-odd-status", "archived"),
            ]
        };
        let plan = decided(actions(), &LifecycleOptions::default(), &leads);
        assert_eq!(deleted_ids(&plan), [1]);
        let kept: Vec<u64> = plan.deletions.kept_history.iter().map(|k| k.id).collect();
        assert_eq!(kept, [2, 3, 4, 5]);
        assert!(plan.actions[1..]
            .iter()
            .all(|a| matches!(a.kind, ActionKind::Unmanaged)));

        let history = LifecycleOptions {
            prune_history: true,
            ..LifecycleOptions::default()
        };
        let plan = decided(actions(), &history, &leads);
        assert_eq!(deleted_ids(&plan), [1, 2, 3, 4, 5]);
        assert!(plan.deletions.kept_history.is_empty());
    }

    #[test]
    fn a_tombstone_deletes_a_campaign_that_has_run_unless_a_loading_problem_holds_it() {
        let leads = ObservedLeads::from([(1, vec![ObservedLead::number(9, "+14155550101")])]);
        let tombstone = || vec![delete(1, "Q", DeleteReason::Manifest, "completed")];
        let plan = decided(tombstone(), &LifecycleOptions::default(), &leads);
        assert_eq!(deleted_ids(&plan), [1]);

        let held = LifecycleOptions {
            holds: vec!["c/a.yaml:1:1: no campaign documents in this file".into()],
            ..LifecycleOptions::default()
        };
        let plan = decided(tombstone(), &held, &leads);
        assert!(deleted_ids(&plan).is_empty(), "{plan:#?}");
        assert_eq!(plan.actions[0].kind.label(), "held_delete");
        assert_eq!(plan.summary().held, 1);
        assert_eq!(plan.summary().delete, 0);
        assert_eq!(plan.deletions.held, held.holds);
    }

    #[test]
    fn a_loading_problem_keeps_a_replacement_as_drift_and_holds_prunes() {
        let replace = Action {
            name: "D".into(),
            manifest: Some(Location::new("t.yaml", 1, 1)),
            remote_id: Some(7),
            kind: ActionKind::Replace {
                changes: vec![],
                write_once: vec![],
                request: CreateCampaign::default(),
                renamed_from: None,
                leads: None,
            },
            note: None,
        };
        let held = LifecycleOptions {
            holds: vec!["c:1:1: no *.yaml or *.yml files in this directory".into()],
            ..LifecycleOptions::default()
        };
        let leads = ObservedLeads::from([(1, vec![]), (7, vec![])]);
        let plan = decided(vec![replace, prune(1, "p-draft", "draft")], &held, &leads);
        assert!(deleted_ids(&plan).is_empty(), "{plan:#?}");
        assert!(matches!(plan.actions[0].kind, ActionKind::Drift { .. }));
        assert!(plan.actions[0]
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("replacing this draft is held: ")
                && n.ends_with("c:1:1: no *.yaml or *.yml files in this directory")));
        assert_eq!(plan.actions[1].kind.label(), "held_delete");
    }

    #[test]
    fn watch_holds_a_prune_until_a_pass_confirms_it() {
        let watch = LifecycleOptions {
            prunes_confirmed: Some([2].into()),
            ..LifecycleOptions::default()
        };
        let actions = vec![
            prune(1, "p-a", "draft"),
            prune(2, "p-b", "draft"),
            delete(3, "T", DeleteReason::Manifest, "draft"),
        ];
        let leads = ObservedLeads::from([(1, vec![]), (2, vec![]), (3, vec![])]);
        let plan = decided(actions, &watch, &leads);
        assert_eq!(proposed_prunes(&plan), HashSet::from([1, 2]));
        assert_eq!(plan.actions[0].kind.label(), "held_delete");
        // A tombstone says so explicitly: it needs no second look.
        assert_eq!(deleted_ids(&plan), [2, 3]);
    }

    #[test]
    fn a_prune_watch_has_not_confirmed_still_counts_against_max_deletes() {
        let watch = LifecycleOptions {
            prunes_confirmed: Some(Default::default()),
            max_deletes: 1,
            ..LifecycleOptions::default()
        };
        let leads = ObservedLeads::from([(1, vec![]), (2, vec![])]);
        let plan = decided(
            vec![prune(1, "p-a", "draft"), prune(2, "p-b", "draft")],
            &watch,
            &leads,
        );
        assert!(deleted_ids(&plan).is_empty(), "{plan:#?}");
        let refusal = plan.diagnostics.iter().find(|d| d.is_error());
        assert!(
            refusal.is_some_and(|d| d.message.contains("more than --max-deletes 1")),
            "{:#?}",
            plan.diagnostics
        );
        // A loading problem holds them for good this pass: nothing would go, nothing refused.
        let held = LifecycleOptions {
            holds: vec!["c:1:1: no campaign documents in this file".into()],
            ..watch
        };
        let plan = decided(
            vec![prune(1, "p-a", "draft"), prune(2, "p-b", "draft")],
            &held,
            &leads,
        );
        assert!(plan.diagnostics.is_empty(), "{:#?}", plan.diagnostics);
        assert!(proposed_prunes(&plan).is_empty());
    }
}
