//! The executor's report: every operation's result in operation order, and the counts the
//! closing summary and the metrics show.

use serde::Serialize;

use super::outcome::{OperationResult, Outcome};

/// Every operation's result, in operation order (`render::json` shows it as JSON).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub results: Vec<OperationResult>,
}

/// What an apply did, counted from its outcomes (created, inferred, joined, failed, held, ...):
/// the closing summary and the metrics. Not the plan's summary (`Plan::summary`, which counts
/// what a plan would do): an operation planned may fail, be held or be skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReportSummary {
    pub created: usize,
    /// Of `created`, how many were inferred from a re-list after an ambiguous failure.
    pub inferred: usize,
    /// Creates whose campaign another run made at the same time: this run's copy was deleted
    /// and it went on with the older one (not counted in `created`).
    pub joined: usize,
    pub leads_added: usize,
    pub started: usize,
    pub stopped: usize,
    /// Campaigns deleted (deletes and the first half of replacements).
    pub deleted: usize,
    pub leads_updated: usize,
    pub failed: usize,
    pub unknown: usize,
    pub skipped: usize,
    pub held: usize,
}

impl Report {
    pub fn summary(&self) -> ReportSummary {
        let mut s = ReportSummary::default();
        for r in &self.results {
            match &r.outcome {
                Outcome::Done {
                    leads_added: Some(n),
                    ..
                } => s.leads_added += n,
                Outcome::Failed {
                    leads_added: Some(n),
                    ..
                } => s.leads_added += n,
                _ => {}
            }
            if let Outcome::Done {
                leads_updated: Some(n),
                ..
            } = &r.outcome
            {
                s.leads_updated += n;
            }
            match (&r.outcome, r.op) {
                (Outcome::Done { note: Some(_), .. }, "create") => s.joined += 1,
                (Outcome::Done { .. }, "create") => s.created += 1,
                (Outcome::Inferred { .. }, "create") => {
                    s.created += 1;
                    s.inferred += 1
                }
                (Outcome::Done { .. } | Outcome::Inferred { .. }, "start") => s.started += 1,
                (Outcome::Done { .. } | Outcome::Inferred { .. }, "stop") => s.stopped += 1,
                (Outcome::Done { .. } | Outcome::Inferred { .. }, "delete") => s.deleted += 1,
                (Outcome::Done { .. } | Outcome::Inferred { .. }, _) => {}
                (Outcome::Failed { .. }, _) => s.failed += 1,
                (Outcome::Unknown { .. }, _) => s.unknown += 1,
                (Outcome::Skipped { .. }, _) => s.skipped += 1,
                (Outcome::Held { .. }, _) => s.held += 1,
            }
        }
        s
    }

    /// Whether every operation was carried out. Held operations are not failures of the run
    /// (the operator chose not to approve them) but are not success either: see `complete`.
    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(|r| r.outcome.succeeded())
    }

    /// Whether nothing failed, went unknown or was skipped (held operations aside).
    pub fn no_failures(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.outcome.succeeded() || matches!(r.outcome, Outcome::Held { .. }))
    }

    pub fn held(&self) -> impl Iterator<Item = &OperationResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Held { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::operation::Approval;

    fn result(op: &'static str, outcome: Outcome) -> OperationResult {
        OperationResult {
            id: 0,
            op,
            campaign: "Q4".into(),
            campaign_id: None,
            manifest: None,
            outcome,
        }
    }

    fn done(leads_added: Option<usize>, note: Option<&str>) -> Outcome {
        Outcome::Done {
            id: None,
            leads_added,
            leads_found: None,
            leads_updated: None,
            status: None,
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn the_summary_counts_each_outcome_once_by_what_it_did() {
        let failed_leads = Outcome::Failed {
            error: "1 of 3 lead(s) could not be added".into(),
            diagnostics: Vec::new(),
            hint: None,
            lead_failures: Vec::new(),
            leads_added: Some(2),
        };
        let inferred = Outcome::Inferred {
            id: Some(3),
            status: None,
            cause: "lost".into(),
        };
        let report = Report {
            results: vec![
                result("create", done(None, None)),
                result("create", inferred.clone()),
                result("create", done(None, Some("another run created it"))),
                result("add_leads", done(Some(5), None)),
                result("add_leads", failed_leads),
                result("start", inferred.clone()),
                result("stop", done(None, None)),
                result("delete", inferred),
                result("update_leads", Outcome::Unknown { error: "x".into() }),
                result("start", Outcome::Skipped { reason: "x".into() }),
                result(
                    "delete",
                    Outcome::Held {
                        approval: Approval::DestroyData,
                        flag: "--allow-delete",
                        reason: "x".into(),
                    },
                ),
            ],
        };
        assert_eq!(
            report.summary(),
            ReportSummary {
                created: 2,
                inferred: 1,
                joined: 1,
                leads_added: 7,
                started: 1,
                stopped: 1,
                deleted: 1,
                leads_updated: 0,
                failed: 1,
                unknown: 1,
                skipped: 1,
                held: 1,
            }
        );
        assert!(!report.all_succeeded() && !report.no_failures());
        assert_eq!(report.held().count(), 1);
    }

    #[test]
    fn held_operations_are_no_failure_but_no_success_either() {
        let held = Outcome::Held {
            approval: Approval::PlaceCalls,
            flag: "--allow-start",
            reason: "x".into(),
        };
        let report = Report {
            results: vec![result("create", done(None, None)), result("start", held)],
        };
        assert!(report.no_failures());
        assert!(!report.all_succeeded());
    }
}
