//! The wording of what `reconcile::deletion` decided, once for every rendering (text, Markdown,
//! GitHub, and the apply question): why every deletion of the account is held, and the one
//! line that sums up the undeclared campaigns kept because they have run.

use crate::reconcile::deletion::KeptCampaign;
use crate::reconcile::plan::Plan;

/// Why the plan's deletions are held, in one sentence, or `None` when none is.
pub fn held_line(plan: &Plan) -> Option<String> {
    let reasons = &plan.deletions.held;
    if reasons.is_empty() {
        return None;
    }
    Some(format!(
        "Deletions held: every delete and replace of this account waits, because {} manifest file(s) or path(s) could not be read whole, so the manifests may be incomplete: {}. Fix them to let deletions proceed; creates and other changes are not held.",
        reasons.len(),
        reasons.join("; ")
    ))
}

/// The one line about the campaigns kept for their history, or `None` when there are none.
pub fn kept_line(plan: &Plan) -> Option<String> {
    let kept = &plan.deletions.kept_history;
    if kept.is_empty() {
        return None;
    }
    Some(format!(
        "{} campaign(s) under the prune prefix that no manifest declares have run or hold leads, so they are kept: absence never deletes call history (a manifest with status: deleted deletes one; --prune-history deletes them all).",
        kept.len()
    ))
}

/// One kept campaign, as `"Q4" (id 7, status in-progress, 12 lead(s))`.
pub fn kept_item(c: &KeptCampaign) -> String {
    let leads = match c.leads {
        Some(n) => format!("{n} lead(s)"),
        None => "leads not read".to_owned(),
    };
    format!(
        "{:?} (id {}, status {}, {leads})",
        c.name,
        c.id,
        c.status.label()
    )
}
