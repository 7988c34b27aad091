//! Rendering of the lifecycle actions (delete, replace, the tombstone) and their results, beside
//! `text` so that the plan's main layout stays in one place. Destruction is marked with `-` and
//! in capitals (`WILL DELETE`), never only in colour, as starting calls is.

use std::fmt::Write as _;

use super::style::{paint, DIM, GREEN, RED, YELLOW};
use serde_json::{json, Value};

use crate::reconcile::executor::{OperationResult, Outcome, Report};
use crate::reconcile::operation::{Operation, OperationKind, Target};
use crate::reconcile::plan::{DeleteReason, Disposition, Explanation, FieldChange};
use crate::shown_path::ShownFrom;

use super::campaign_ops::CampaignOps;

/// The words shown for deleting a campaign, in the plan and in the confirmation.
pub const WILL_DELETE: &str = "WILL DELETE";

/// What deleting this campaign loses, in one clause.
pub fn what_is_lost(status: &crate::api::types::CampaignStatus, leads: Option<usize>) -> String {
    let leads = match leads {
        Some(n) => format!("its {n} lead(s)"),
        None => "its leads".to_owned(),
    };
    if status.dials_new_leads() {
        format!(
            "it is {} and deleting it stops its calls and removes {leads} and its call history",
            status.label()
        )
    } else if status.may_have_run() {
        format!(
            "removes {leads} and its call history (status {})",
            status.label()
        )
    } else {
        format!("removes a draft and {leads}")
    }
}

/// The plan block of a delete or a replacement the operations carry out (`-`, `-/+`), with the
/// why from the view (the manifest's `status: deleted` or the prune prefix, the fields that
/// differ); `false` when the operations neither delete nor replace this campaign.
pub fn operation_text(
    out: &mut String,
    a: &Explanation,
    ops: &CampaignOps,
    from: &ShownFrom,
) -> bool {
    let at = super::text::at(&a.manifest, from);
    if let Some((delete, create)) = ops.replace {
        let id = target_id(delete);
        let (changes, renamed_from): (&[FieldChange], Option<&str>) = match &a.kind {
            Disposition::Replace {
                changes,
                renamed_from,
                ..
            } => (changes, renamed_from.as_deref()),
            _ => (&[], None),
        };
        let head = match renamed_from {
            Some(old) => format!(
                "# the draft {old:?}{id} is renamed to {:?} (renamed from {old:?}): the platform cannot rename a campaign, and a draft has placed no calls, so it is replaced{at}",
                a.name
            ),
            None => format!(
                "# the draft {:?}{id} differs from its manifest and must be replaced: the API cannot update a campaign, and a draft has placed no calls{at}",
                a.name
            ),
        };
        let _ = writeln!(out, "  {}", paint(DIM, head));
        let _ = writeln!(
            out,
            "{}/{} campaign {:?} {{",
            paint(RED, "  -"),
            paint(GREEN, "+"),
            a.name
        );
        let width = changes.iter().map(|c| c.field.len()).max().unwrap_or(0);
        for c in changes {
            let from = match &c.known_from {
                Some(_) => format!(" ({})", c.actual_source()),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "      {} {:width$} = {} -> {}   {}",
                paint(RED, "~"),
                c.field,
                crate::reconcile::baseline::shown(&c.actual),
                value(&c.desired),
                paint(RED, format!("# forces replacement{from}"))
            );
        }
        if let OperationKind::CreateCampaign { request, .. } = &create.kind {
            if let Value::Object(fields) = json!(request) {
                let shown: Vec<&str> = fields
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !changes.iter().any(|c| c.field == *k))
                    .collect();
                if !shown.is_empty() {
                    let _ = writeln!(
                        out,
                        "        {}",
                        paint(DIM, format!("# created again with: {}", shown.join(", ")))
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "        {}",
            paint(
                RED,
                format!(
                    "# {WILL_DELETE} the draft{id} first, then creates it anew with the manifest's leads"
                )
            )
        );
        let _ = writeln!(out, "    }}");
        return true;
    }
    let Some(delete) = ops.delete else {
        return false;
    };
    let id = target_id(delete);
    let why = match &a.kind {
        Disposition::Delete {
            reason: DeleteReason::Prune { prefix },
            ..
        } => format!("no manifest declares it and its name starts with --prune-prefix {prefix:?}"),
        _ => format!("its manifest says status: deleted{at}"),
    };
    let _ = writeln!(
        out,
        "  {} campaign {:?}{id} {}: {why}",
        paint(RED, "-"),
        a.name,
        paint(RED, WILL_DELETE)
    );
    if let Some((status, leads)) = ops.deleted() {
        let _ = writeln!(
            out,
            "      {}",
            paint(RED, format!("# {}", what_is_lost(status, leads)))
        );
    }
    true
}

/// ` (id 22)` for an operation on an existing campaign.
fn target_id(op: &Operation) -> String {
    match op.target {
        Target::Existing { id } => format!(" (id {id})"),
        Target::Created { .. } => String::new(),
    }
}

/// The plan block of what the view says about a campaign no operation deletes: a deletion held
/// (shown, so nobody is surprised by it later, and marked so that nobody reads it as a deletion
/// now), or a tombstone whose campaign is already gone.
pub fn held_or_absent_text(out: &mut String, a: &Explanation, from: &ShownFrom) {
    let id = a
        .remote_id
        .map(|id| format!(" (id {id})"))
        .unwrap_or_default();
    let at = super::text::at(&a.manifest, from);
    match &a.kind {
        Disposition::Delete {
            reason,
            held: Some(held),
            ..
        } => {
            let why = match reason {
                DeleteReason::Manifest => format!("its manifest says status: deleted{at}"),
                DeleteReason::Prune { prefix } => format!(
                    "no manifest declares it and its name starts with --prune-prefix {prefix:?}"
                ),
            };
            let _ = writeln!(
                out,
                "  {} campaign {:?}{id} {}: {why}",
                paint(YELLOW, "#"),
                a.name,
                paint(YELLOW, "HELD, NOT DELETED")
            );
            let _ = writeln!(out, "      {}", paint(DIM, format!("# {held}")));
        }
        Disposition::Absent => {
            let _ = writeln!(
                out,
                "  {} {:?} does not exist, as its manifest says (status: deleted){at}",
                paint(DIM, "="),
                a.name
            );
        }
        _ => {}
    }
}

/// The note of an action (why drift is not replaced, a rename hint), if any.
pub fn note_text(out: &mut String, a: &Explanation) {
    if let Some(note) = &a.note {
        let _ = writeln!(out, "      {}", paint(DIM, format!("# {note}")));
    }
}

fn value(v: &Value) -> String {
    crate::escape::json(&serde_json::to_string(v).unwrap_or_else(|_| v.to_string())).into_owned()
}

/// The line for a finished delete or update_leads, or `None` for other operations.
pub fn operation_result_text(r: &OperationResult) -> Option<String> {
    let name = &r.campaign;
    let id = r
        .campaign_id
        .map(|id| format!(" (id {id})"))
        .unwrap_or_default();
    let line = match (&r.outcome, r.op) {
        (Outcome::Done { .. }, "delete") => {
            format!("  {} {name:?}{id}: deleted", paint(RED, "-"))
        }
        (Outcome::Inferred { cause, .. }, "delete") => format!(
            "  {} {name:?}{id}: deleted (inferred: it is gone; {cause})",
            paint(RED, "-")
        ),
        (Outcome::Done { leads_updated, .. }, "update_leads") => format!(
            "  {} {name:?}: {} lead(s) updated, 0 failed",
            paint(GREEN, "~"),
            leads_updated.unwrap_or(0)
        ),
        (Outcome::Failed { error, .. }, "delete") => {
            format!(
                "  {} {name:?}{id}: could not delete: {error}",
                paint(RED, "!")
            )
        }
        _ => return None,
    };
    Some(line + "\n")
}

/// The apply summary's line about deletes and lead updates, when there were any.
pub fn apply_summary_line(report: &Report) -> Option<String> {
    let s = report.summary();
    let has = |op: &str| report.results.iter().any(|r| r.op == op);
    let mut parts = Vec::new();
    if has("delete") {
        parts.push(format!("Deleted: {} campaign(s).", s.deleted));
    }
    if has("update_leads") {
        parts.push(format!(
            "Lead variables: {} lead(s) updated.",
            s.leads_updated
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" ") + "\n")
}
