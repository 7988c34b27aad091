//! What `watch` holds (issue 19, item 5): operations it may not carry out without a flag
//! (`--allow-start`, `--allow-delete`) and deletions the plan itself holds (a loading problem, a
//! prune seen once). They are the operator's choice, not a failure, and stay the same pass after
//! pass, so each is logged once when it appears and once when it goes, counted in a gauge by
//! kind, and listed in `/readyz`'s body; readiness itself does not depend on them.

use std::collections::BTreeMap;

use tracing::{info, warn};

use crate::reconcile::executor::{OperationResult, Outcome};
use crate::reconcile::{Approval, Disposition, Plan};

/// One held operation, as recognised from one pass to the next.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Held {
    /// The operation's kind (`start`, `add_leads`, `delete`, ...).
    pub(crate) op: &'static str,
    pub(crate) campaign: String,
    /// What holds it: the flag that would allow it, or the plan's reason for a held deletion.
    pub(crate) cause: String,
}

/// The operations a pass held: those the executor held for a missing approval, and the
/// deletions the plan holds (which derive no operation). The one place that reads them from
/// the plan and the report.
pub(crate) fn held_in(plan: &Plan, results: &[OperationResult]) -> BTreeMap<Held, String> {
    let mut held = BTreeMap::new();
    for r in results {
        if let Outcome::Held {
            approval,
            flag,
            reason,
        } = &r.outcome
        {
            let key = Held {
                op: r.op,
                campaign: r.campaign.clone(),
                cause: (*flag).to_owned(),
            };
            held.insert(key, wording(r.op, *approval, flag, reason));
        }
    }
    for a in &plan.actions {
        if let Disposition::Delete {
            held: Some(why), ..
        } = &a.kind
        {
            let key = Held {
                op: "delete",
                campaign: a.name.clone(),
                cause: why.clone(),
            };
            let id = a
                .remote_id
                .map(|id| format!(" (id {id})"))
                .unwrap_or_default();
            held.insert(key, format!("deletion held{id}: {why}"));
        }
    }
    held
}

/// What a held operation's log line says: the flag once, what it would do, and who does it.
fn wording(op: &str, approval: Approval, flag: &str, reason: &str) -> String {
    if reason.starts_with("waits for ") {
        // Held because an operation it depends on is: that one's line names the flag.
        return format!("held: {reason}");
    }
    match (approval, op) {
        (Approval::PlaceCalls, "start") => format!(
            "held: status: running is not applied by watch without {flag} (starting places real calls); `campaignctl apply` asks before starting it"
        ),
        (Approval::PlaceCalls, "create_assistant" | "update_assistant") => format!(
            "held: this assistant change is not applied by watch without {flag} (calls under way would hear it); `campaignctl apply` asks before applying it"
        ),
        (Approval::DestroyData, "delete_assistant") => format!(
            "held: {op} is not carried out by watch without {flag} (a deleted assistant's prompt and settings cannot be brought back); `campaignctl apply` asks before deleting"
        ),
        (Approval::PlaceCalls, _) => format!(
            "held: leads for a running campaign are not added by watch without {flag} (the campaign would call them); `campaignctl apply` asks before adding them"
        ),
        (Approval::DestroyData, _) => format!(
            "held: {op} is not carried out by watch without {flag} (a deleted campaign cannot be brought back); `campaignctl apply` asks before deleting"
        ),
        _ => format!("held: {reason}"),
    }
}

/// The operations held at the last pass that planned, to tell what changed.
#[derive(Debug, Default)]
pub(crate) struct HeldOperations {
    current: BTreeMap<Held, String>,
}

impl HeldOperations {
    /// Takes a pass's held operations: logs those that appeared (a warning) and those that went
    /// (carried out, no longer planned, or allowed), and returns the count of each kind.
    pub(crate) fn update(
        &mut self,
        account: Option<&str>,
        now: BTreeMap<Held, String>,
    ) -> BTreeMap<&'static str, usize> {
        for (h, line) in &now {
            if !self.current.contains_key(h) {
                warn!(
                    account,
                    campaign = crate::escape::text(&h.campaign).as_ref(),
                    op = h.op,
                    "{}",
                    crate::escape::text(line)
                );
            }
        }
        for h in self.current.keys() {
            if !now.contains_key(h) {
                info!(
                    account,
                    campaign = crate::escape::text(&h.campaign).as_ref(),
                    op = h.op,
                    "no longer held: {} {}",
                    h.op,
                    crate::escape::text(&format!("{:?}", h.campaign))
                );
            }
        }
        self.current = now;
        let mut counts = BTreeMap::new();
        for h in self.current.keys() {
            *counts.entry(h.op).or_insert(0) += 1;
        }
        counts
    }

    /// One line per held operation, for `/readyz`: at most `max`, then how many more.
    pub(crate) fn lines(&self, max: usize) -> Vec<String> {
        let mut lines: Vec<String> = self
            .current
            .iter()
            .take(max)
            .map(|(h, _)| {
                let campaign = crate::escape::text(&format!("{:?}", h.campaign)).into_owned();
                if h.cause.starts_with("--") {
                    format!("{} {campaign} (needs {})", h.op, h.cause)
                } else {
                    format!("{} {campaign} ({})", h.op, crate::escape::text(&h.cause))
                }
            })
            .collect();
        if self.current.len() > max {
            lines.push(format!("and {} more", self.current.len() - max));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(op: &'static str, campaign: &str, cause: &str) -> (Held, String) {
        (
            Held {
                op,
                campaign: campaign.to_owned(),
                cause: cause.to_owned(),
            },
            format!("held: {op}"),
        )
    }

    #[test]
    fn counts_are_by_kind_and_lines_are_bounded() {
        let mut ops = HeldOperations::default();
        let counts = ops.update(
            None,
            [
                held("start", "A", "--allow-start"),
                held("start", "B", "--allow-start"),
                held("delete", "C", "seen once"),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(counts, [("delete", 1), ("start", 2)].into_iter().collect());
        assert_eq!(
            ops.lines(2),
            [
                "delete \"C\" (seen once)",
                "start \"A\" (needs --allow-start)",
                "and 1 more"
            ]
        );
        let counts = ops.update(None, BTreeMap::new());
        assert!(counts.is_empty(), "nothing held any more");
        assert!(ops.lines(10).is_empty());
    }

    #[test]
    fn the_wording_names_the_flag_once_and_no_call_history() {
        for (approval, op) in [
            (Approval::PlaceCalls, "start"),
            (Approval::PlaceCalls, "add_leads"),
            (Approval::DestroyData, "delete"),
            (Approval::PlaceCalls, "update_assistant"),
            (Approval::DestroyData, "delete_assistant"),
        ] {
            let line = wording(op, approval, approval.flag(), "whatever");
            assert_eq!(
                line.matches(approval.flag()).count(),
                1,
                "the flag once: {line}"
            );
            assert!(!line.contains("call history"), "{line}");
            // An assistant's line never speaks of leads or of a campaign.
            if op.ends_with("_assistant") {
                assert!(
                    line.contains("assistant") && !line.contains("lead"),
                    "{line}"
                );
                assert!(!line.contains("campaign cannot"), "{line}");
            }
        }
    }
}
