//! What happens to an operation: the six outcomes (done, inferred, unknown, failed, skipped,
//! held), one result per operation, the events the executor reports, and how an outcome that
//! is not a success passes to the operations that depend on it.

use serde::Serialize;

use crate::manifest::{Diagnostic, Location};
use crate::reconcile::operation::{Approval, Operation, OperationId};

/// What happened to one operation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Done {
        /// The new campaign's id (create); shown as the result's `campaign_id`.
        #[serde(skip)]
        id: Option<u64>,
        /// Leads created, and leads the campaign turned out to have already (add_leads).
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_added: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_found: Option<usize>,
        /// Leads whose variables were updated (update_leads).
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_updated: Option<usize>,
        /// The campaign's status afterwards (start, stop).
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// Something the operator should know (a create another run also made).
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The answer was lost or was a server error, and a fresh read showed the effect: counted
    /// as done, and said so.
    Inferred {
        /// Shown as the result's `campaign_id`.
        #[serde(skip)]
        id: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        cause: String,
    },
    /// It may or may not have happened, and reading the platform could not tell.
    Unknown { error: String },
    Failed {
        error: String,
        /// Field errors of a 422 (or a 404 for the assistant), mapped to manifest lines. Shown
        /// by the report's JSON (`render::json`), which shows their paths as the run does.
        #[serde(skip)]
        diagnostics: Vec<Diagnostic>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
        /// For add_leads: the leads that could not be added (the others were). Shown by the
        /// report's JSON, as `diagnostics` are.
        #[serde(skip)]
        lead_failures: Vec<LeadFailure>,
        #[serde(skip_serializing_if = "Option::is_none")]
        leads_added: Option<usize>,
    },
    /// Not attempted: an operation it depends on did not succeed, or the run was interrupted.
    Skipped { reason: String },
    /// Not attempted: it needs an approval this run was not given.
    Held {
        approval: Approval,
        flag: &'static str,
        reason: String,
    },
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Done { .. } => "done",
            Outcome::Inferred { .. } => "inferred",
            Outcome::Unknown { .. } => "unknown",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Held { .. } => "held",
        }
    }

    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Done { .. } | Outcome::Inferred { .. })
    }

    /// The campaign id an outcome established (a create's).
    pub(super) fn campaign_id(&self) -> Option<u64> {
        match self {
            Outcome::Done { id, .. } | Outcome::Inferred { id, .. } => *id,
            _ => None,
        }
    }

    /// Done, with the id it acted on (or made) and a note, nothing else to say.
    pub(super) fn done(id: Option<u64>, note: Option<String>) -> Outcome {
        Outcome::Done {
            id,
            leads_added: None,
            leads_found: None,
            leads_updated: None,
            status: None,
            note,
        }
    }

    pub(super) fn failed(error: impl Into<String>) -> Outcome {
        Outcome::Failed {
            error: error.into(),
            diagnostics: Vec::new(),
            hint: None,
            lead_failures: Vec::new(),
            leads_added: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LeadFailure {
    pub phone_number: String,
    pub source: Location,
    pub error: String,
}

/// One operation and what happened to it (`render::json` shows it as JSON, its paths as the
/// run shows them).
#[derive(Debug, Clone)]
pub struct OperationResult {
    pub id: OperationId,
    pub op: &'static str,
    pub campaign: String,
    /// The campaign's id, when known (after its create, or from the start).
    pub campaign_id: Option<u64>,
    pub manifest: Option<Location>,
    pub outcome: Outcome,
}

/// What the executor reports as it goes, for renderers, logs and metrics.
#[derive(Debug)]
pub enum Event<'a> {
    Started(&'a Operation),
    Finished(&'a Operation, &'a OperationResult),
    /// A finished create, revised by the verification after the creates: another run made the
    /// same campaign at the same time, and this run's copy was deleted in favour of the older one.
    Revised(&'a Operation, &'a OperationResult),
}

pub(super) fn result_of(
    op: &Operation,
    campaign_id: Option<u64>,
    outcome: Outcome,
) -> OperationResult {
    OperationResult {
        id: op.id,
        op: op.kind.label(),
        campaign: op.campaign.clone(),
        campaign_id,
        manifest: op.manifest.clone(),
        outcome,
    }
}

/// The outcome of an operation whose dependency `dep` did not succeed: held (with the same
/// approval) when the dependency is held, so that granting one flag releases the whole chain;
/// skipped otherwise, with the reason naming the dependency.
pub(super) fn blocked_by(dep: &OperationResult) -> Outcome {
    // Said as the plan shows it (the campaign and what was to be done to it), not by the
    // operation's number, which no output shows.
    let what = operation_words(dep.op, &format!("{:?}", dep.campaign));
    match &dep.outcome {
        Outcome::Held { approval, .. } => Outcome::Held {
            approval: *approval,
            flag: approval.flag(),
            reason: format!("waits for {what}, which is held"),
        },
        other => Outcome::Skipped {
            reason: format!("{what} {}", past_tense(other)),
        },
    }
}

/// An operation as a person reads the plan: what is done to which campaign ("the create of
/// \"Q4\""), for messages that name another operation.
pub(crate) fn operation_words(op: &str, campaign: &str) -> String {
    // The label (`create`) or, in a saved plan's JSON, the variant (`create_campaign`).
    match op.trim_end_matches("_campaign") {
        "add_leads" => format!("the leads added to {campaign}"),
        "update_leads" => format!("the lead update of {campaign}"),
        "create_assistant" => format!("the create of assistant {campaign}"),
        "update_assistant" => format!("the update of assistant {campaign}"),
        "delete_assistant" => format!("the delete of assistant {campaign}"),
        other => format!("the {} of {campaign}", other.replace('_', " ")),
    }
}

fn past_tense(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Failed { .. } => "failed",
        Outcome::Unknown { .. } => "has an unknown outcome",
        Outcome::Skipped { .. } => "was skipped",
        Outcome::Held { .. } => "is held",
        Outcome::Done { .. } | Outcome::Inferred { .. } => "succeeded",
    }
}

/// Held for want of `approval`, with the flag that grants it.
pub(super) fn held(approval: Approval, op: &Operation) -> Outcome {
    Outcome::Held {
        approval,
        flag: approval.flag(),
        reason: format!(
            "{} {:?}: {}; run with {} to allow it",
            op.kind.label(),
            op.campaign,
            op.approval_reason(),
            approval.flag()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn reason(outcome: Outcome) -> String {
        match outcome {
            Outcome::Skipped { reason } => reason,
            other => panic!("expected skipped, got {other:?}"),
        }
    }

    #[test]
    fn a_dependent_is_skipped_with_the_reason_naming_what_did_not_succeed() {
        let cases = [
            (
                "create",
                Outcome::failed("422"),
                r#"the create of "Q4" failed"#,
            ),
            (
                "add_leads",
                Outcome::Unknown {
                    error: "lost".into(),
                },
                r#"the leads added to "Q4" has an unknown outcome"#,
            ),
            (
                "update_leads",
                Outcome::Skipped { reason: "x".into() },
                r#"the lead update of "Q4" was skipped"#,
            ),
            ("stop", Outcome::failed("500"), r#"the stop of "Q4" failed"#),
        ];
        for (op, outcome, expected) in cases {
            assert_eq!(reason(blocked_by(&result(op, outcome))), expected);
        }
    }

    #[test]
    fn a_dependent_of_a_held_operation_is_held_for_the_same_approval() {
        // The held operation's own wording is `held`'s (tested with the scheduler).
        let dep = result(
            "delete",
            Outcome::Held {
                approval: Approval::DestroyData,
                flag: Approval::DestroyData.flag(),
                reason: "it destroys data".into(),
            },
        );
        match blocked_by(&dep) {
            Outcome::Held {
                approval,
                flag,
                reason,
            } => {
                assert_eq!((approval, flag), (Approval::DestroyData, "--allow-delete"));
                assert_eq!(reason, r#"waits for the delete of "Q4", which is held"#);
            }
            other => panic!("expected held, got {other:?}"),
        }
    }

    #[test]
    fn operations_are_named_as_the_plan_shows_them_from_labels_and_saved_variants() {
        assert_eq!(operation_words("create", "Q4"), "the create of Q4");
        assert_eq!(operation_words("create_campaign", "Q4"), "the create of Q4");
        assert_eq!(
            operation_words("update_assistant", "Ada"),
            "the update of assistant Ada"
        );
        assert_eq!(operation_words("delete_campaign", "Q4"), "the delete of Q4");
        assert_eq!(operation_words("add_leads", "Q4"), "the leads added to Q4");
        assert_eq!(
            operation_words("update_leads", "Q4"),
            "the lead update of Q4"
        );
        assert_eq!(operation_words("start", "Q4"), "the start of Q4");
    }

    #[test]
    fn only_done_and_inferred_are_successes() {
        let inferred = Outcome::Inferred {
            id: Some(4),
            status: None,
            cause: "lost".into(),
        };
        assert!(inferred.succeeded());
        assert_eq!(inferred.campaign_id(), Some(4));
        for other in [
            Outcome::failed("x"),
            Outcome::Unknown { error: "x".into() },
            Outcome::Skipped { reason: "x".into() },
        ] {
            assert!(!other.succeeded(), "{other:?}");
            assert_eq!(other.campaign_id(), None);
        }
    }
}
