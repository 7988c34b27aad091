//! The one line every rendering of a plan says about write-once fields (which the platform
//! never returns): what they were compared with, or how many campaigns were not compared and
//! why. A plan whose write-once fields were not all compared never says "No changes".

use crate::reconcile::baseline::WriteOnceBaseline;
use crate::reconcile::plan::{Disposition, Plan};

/// The write-once fields, as the line names them.
const FIELDS: &str = "assistant, timezone, phone numbers, retry flags, goal variable";

/// The existing campaigns whose manifests set write-once fields that were not compared.
pub fn not_compared(plan: &Plan) -> usize {
    not_compared_names(plan).count()
}

/// The names of those campaigns.
fn not_compared_names(plan: &Plan) -> impl Iterator<Item = &str> {
    plan.actions
        .iter()
        .filter(|a| match &a.kind {
            Disposition::Unchanged { write_once } | Disposition::Drift { write_once, .. } => {
                !write_once.is_empty()
            }
            _ => false,
        })
        .map(|a| a.name.as_str())
}

/// What the plan says about write-once fields, once, on one line; `nothing_else` when the
/// plan has nothing else to apply or report (where it would otherwise say "No changes").
/// `warn` is true when some were not compared.
pub fn line(plan: &Plan, nothing_else: bool) -> Option<(String, bool)> {
    let n = not_compared(plan);
    if n > 0 {
        let why = match &plan.write_once_baseline {
            Some(WriteOnceBaseline::Unavailable { why }) => format!("{why} (--base REF names one)"),
            Some(WriteOnceBaseline::ComparedWith {
                with, uncommitted, ..
            }) => {
                let held = not_compared_names(plan)
                    .filter(|n| uncommitted.iter().any(|u| u == n))
                    .count();
                let mut why = Vec::new();
                if held < n {
                    why.push(format!("{with} does not declare them, or they name an assistant or number that does not resolve"));
                }
                if held > 0 {
                    why.push(format!("the record of what was applied holds {held} of them without a commit (applied from edits not committed), so no commit says what is on the platform, and a later one could hide a change made since (--base REF names the commit they came from)"));
                }
                why.join("; ")
            }
            None => "no baseline was given (--base REF names one)".to_owned(),
        };
        let what = format!(
            "the write-once fields ({FIELDS}) of {n} existing campaign(s) were not compared: {why}."
        );
        let said = if nothing_else {
            format!("Nothing to apply in what could be compared, but {what}")
        } else {
            let mut chars = what.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        };
        return Some((crate::escape::text(&said).into_owned(), true));
    }
    let existing = plan.actions.iter().any(|a| {
        matches!(
            a.kind,
            Disposition::Unchanged { .. } | Disposition::Drift { .. } | Disposition::Replace { .. }
        )
    });
    match &plan.write_once_baseline {
        Some(WriteOnceBaseline::ComparedWith { with, caveat, .. }) if existing => {
            let caveat = caveat
                .as_deref()
                .map_or_else(String::new, |c| format!("; {c}"));
            Some((
                crate::escape::text(&format!("Write-once fields compared with {with}{caveat}."))
                    .into_owned(),
                false,
            ))
        }
        _ => None,
    }
}
