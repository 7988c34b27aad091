//! Which planned deletions may happen, decided once, after the leads of every campaign to
//! delete are read (`full_plan::add_leads_and_status`), before `--max-deletes` counts them.
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
//! - `watch` holds a prune it has seen only once (`hold_unconfirmed`), until a second pass
//!   confirms it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::api::types::CampaignStatus;

use super::leads_and_status::ObservedLeads;
use super::lifecycle::LifecycleOptions;
use super::plan::{ActionKind, DeleteReason, Plan};

/// What the plan decided about deletions beside its actions: why every deletion is held, and
/// the undeclared campaigns kept because they have run. Empty for most plans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletions {
    /// Why every delete and replace of the account is held (the loading problems), empty when
    /// none is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
    /// Campaigns under the prune prefix that no manifest declares, kept because they have run
    /// or hold leads (`--prune-prefix` alone deletes only drafts without leads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_history: Vec<KeptCampaign>,
}

impl Deletions {
    pub fn is_empty(&self) -> bool {
        self.held.is_empty() && self.kept_history.is_empty()
    }
}

/// An undeclared campaign under the prune prefix that was not deleted because it has history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptCampaign {
    pub name: String,
    pub id: u64,
    pub status: CampaignStatus,
    /// How many leads it holds; `None` when they could not be read.
    pub leads: Option<usize>,
}

/// Whether a campaign has history absence must not destroy: it is not a draft, or it holds
/// leads, or its leads are unknown (fail closed).
pub fn has_history(status: &CampaignStatus, leads: Option<usize>) -> bool {
    status.may_have_run() || leads != Some(0)
}

/// The one decision over every deletion of a plan (module docs): prunes of campaigns with
/// history are turned back into unmanaged campaigns (unless `--prune-history`), and with a
/// loading problem every delete is held and every replace kept as drift. `leads` are those
/// read for the plan (every campaign to delete is among them).
pub fn decide(plan: &mut Plan, options: &LifecycleOptions, leads: &ObservedLeads) {
    let held = hold_reason(&options.holds);
    for action in &mut plan.actions {
        let leads_here = action.remote_id.and_then(|id| leads.get(&id)).map(Vec::len);
        match &mut action.kind {
            ActionKind::Delete {
                reason: DeleteReason::Prune { .. },
                status,
                ..
            } if !options.prune_history && has_history(status, leads_here) => {
                let status = status.clone();
                if let Some(id) = action.remote_id {
                    plan.deletions.kept_history.push(KeptCampaign {
                        name: action.name.clone(),
                        id,
                        status,
                        leads: leads_here,
                    });
                }
                action.kind = ActionKind::Unmanaged;
            }
            ActionKind::Delete { held: h, .. } => {
                if let Some(why) = &held {
                    *h = Some(why.clone());
                }
            }
            ActionKind::Replace {
                changes,
                write_once,
                ..
            } => {
                if let Some(why) = &held {
                    action.kind = ActionKind::Drift {
                        changes: std::mem::take(changes),
                        write_once: std::mem::take(write_once),
                    };
                    action.note = Some(format!("replacing this draft is held: {why}"));
                }
            }
            _ => {}
        }
    }
    plan.deletions.held = options.holds.clone();
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

/// `watch`: holds every prune of a campaign not in `confirmed` (the prunes the previous pass
/// planned, over the same files, at least one interval ago), and returns the ids of every
/// prune this plan proposed (held or not), for the next pass to confirm. Call before the
/// operations are derived.
pub fn hold_unconfirmed(plan: &mut Plan, confirmed: &HashSet<u64>) -> HashSet<u64> {
    let mut proposed = HashSet::new();
    for action in &mut plan.actions {
        if let (
            ActionKind::Delete {
                reason: DeleteReason::Prune { .. },
                held,
                ..
            },
            Some(id),
        ) = (&mut action.kind, action.remote_id)
        {
            if held.is_some() {
                continue;
            }
            proposed.insert(id);
            if !confirmed.contains(&id) {
                *held = Some("seen missing from the manifests in one pass only: watch deletes by absence only when the next pass, at least one interval later and over unchanged files, plans the same deletion".to_owned());
            }
        }
    }
    plan.operations = super::operation::derive(&plan.actions, &plan.leads_and_status);
    proposed
}
