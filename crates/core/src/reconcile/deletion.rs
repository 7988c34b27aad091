//! Which planned deletions may happen, decided once per campaign from the run's inputs, after
//! the leads of every campaign to delete are read (`delete_decision`, weighed by
//! `disposition`); then `--max-deletes` counts what would go (`guard_deletes`).
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
use super::model::{DeleteReason, Disposition, Plan};

/// Whether a campaign has history absence must not destroy: it is not a draft, or it holds
/// leads, or its leads are unknown (fail closed).
pub fn has_history(status: &CampaignStatus, leads: Option<usize>) -> bool {
    status.may_have_run() || leads != Some(0)
}

/// What becomes of one planned deletion (a manifest's delete or a prune), decided from its
/// inputs by `delete_decision`.
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

/// How the `--max-deletes` refusal names a campaign that would go: by the name it has on the
/// platform (a renamed draft's old name) and its id.
pub fn going_name(name: &str, renamed_from: Option<&str>, id: Option<u64>) -> String {
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
pub fn hold_reason(holds: &[String]) -> Option<String> {
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
                Disposition::Delete {
                    reason: DeleteReason::Prune { .. },
                    held: None,
                    ..
                },
                Some(id),
            ) => Some(id),
            (
                Disposition::Delete {
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
