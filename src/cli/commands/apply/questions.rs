//! The terminal questions of an interactive `apply`, worded from the operations that will run:
//! one question per kind of approval actually pending (writes that place no calls and destroy
//! nothing; placing calls; destroying data), each naming what it covers. An answer grants or
//! withholds that kind only (`Approvals`), exactly as the flags do: a "no" holds those
//! operations, and the executor reports them held with the rest carried out.

use crate::reconcile::operation::{
    destructions, Approval, Approvals, Operation, OperationKind, Target,
};
use crate::render::{details, lifecycle};

/// One question: the approval a "yes" grants, and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub approval: Approval,
    pub text: String,
}

/// The questions for `operations`, in the order they are asked (writes, calls, destruction),
/// one for each approval that `given` lacks, that some operation needs and that `ask` allows
/// (a saved plan never asks about destruction: that takes the flag). No operation of a kind,
/// no question about it.
pub fn questions(
    operations: &[Operation],
    given: Approvals,
    ask: impl Fn(Approval) -> bool,
) -> Vec<Question> {
    [
        Approval::Writes,
        Approval::PlaceCalls,
        Approval::DestroyData,
    ]
    .into_iter()
    .filter(|a| !given.grants(*a) && ask(*a))
    .filter_map(|approval| {
        let pending: Vec<&Operation> = operations
            .iter()
            .filter(|op| op.approval() == approval)
            .collect();
        if pending.is_empty() {
            return None;
        }
        let text = match approval {
            Approval::Writes => writes_question(&pending),
            Approval::PlaceCalls => calls_question(&pending),
            Approval::DestroyData => destroy_question(&pending, operations),
        };
        Some(Question { approval, text })
    })
    .collect()
}

/// The approvals after the answers: each "yes" grants its kind, each "no" leaves it withheld.
pub fn answered(given: Approvals, answers: &[(Approval, bool)]) -> Approvals {
    let mut approvals = given;
    for &(approval, yes) in answers {
        match approval {
            Approval::Writes => approvals.writes |= yes,
            Approval::PlaceCalls => approvals.place_calls |= yes,
            Approval::DestroyData => approvals.destroy_data |= yes,
        }
    }
    approvals
}

/// Creates, lead additions to campaigns that will not be calling, lead updates and stops.
fn writes_question(pending: &[&Operation]) -> String {
    let (mut creates, mut added, mut updated, mut stops) = (0, 0, 0, 0);
    let (mut assistants_created, mut assistants_updated) = (0, 0);
    for op in pending {
        match &op.kind {
            OperationKind::CreateCampaign { .. } => creates += 1,
            OperationKind::AddLeads { leads, .. } => added += leads.len(),
            OperationKind::UpdateLeads { updates } => updated += updates.len(),
            OperationKind::Stop => stops += 1,
            OperationKind::CreateAssistant { .. } => assistants_created += 1,
            OperationKind::UpdateAssistant { .. } => assistants_updated += 1,
            OperationKind::Start { .. }
            | OperationKind::DeleteCampaign { .. }
            | OperationKind::DeleteAssistant => {}
        }
    }
    let mut writes = Vec::new();
    for (n, what) in [
        (assistants_created, "create {} assistant(s)"),
        (
            assistants_updated,
            "update {} assistant(s) that no call under way uses",
        ),
        (creates, "create {} campaign(s)"),
        (updated, "update the variables of {} lead(s)"),
        (added, "add {} lead(s) to campaigns that are not running"),
        (stops, "stop {} campaign(s), aborting calls under way"),
    ] {
        if n > 0 {
            writes.push(what.replace("{}", &n.to_string()));
        }
    }
    format!(
        "Do you want to {}? This places no calls.",
        writes.join(", ")
    )
}

/// Starts, and lead additions to campaigns that are running.
fn calls_question(pending: &[&Operation]) -> String {
    let calling: Vec<String> = pending
        .iter()
        .filter_map(|op| match &op.kind {
            OperationKind::Start { .. } => Some(format!("start {:?}", op.campaign)),
            OperationKind::AddLeads { leads, .. } => Some(format!(
                "add {} lead(s) to running {:?}",
                leads.len(),
                op.campaign
            )),
            OperationKind::UpdateAssistant { live_calls, .. } => Some(format!(
                "change assistant {:?}, heard by {}",
                op.campaign,
                live_calls.describe()
            )),
            OperationKind::CreateAssistant { live_calls, .. } => Some(format!(
                "create assistant {:?}, which answers {}",
                op.campaign,
                live_calls.describe()
            )),
            _ => None,
        })
        .collect();
    let changes_words = pending.iter().any(|op| !op.effects().places_calls);
    let places = pending.iter().any(|op| op.effects().places_calls);
    let consequence = match (places, changes_words) {
        (true, true) => "This places real phone calls and changes what calls under way say.",
        (false, true) => "This changes what real phone calls under way say.",
        _ => "This places real phone calls.",
    };
    format!(
        "{}: do you want to {}? {consequence}",
        details::WILL_START_CALLING,
        calling.join(", ")
    )
}

/// Deletes, naming what each loses; a delete that a create waits for is a draft replaced.
fn destroy_question(pending: &[&Operation], operations: &[Operation]) -> String {
    let going: Vec<String> = destructions(operations)
        .into_iter()
        .filter(|d| pending.iter().any(|p| p.id == d.delete.id))
        .map(|d| match d.replaced_by {
            Some(create) => format!(
                "replace the draft {:?} (id {}: deleted, then created anew as {:?})",
                d.delete.campaign, d.id, create.campaign
            ),
            None => format!(
                "delete {:?} (id {}: {})",
                d.delete.campaign,
                d.id,
                lifecycle::what_is_lost(d.status, d.leads)
            ),
        })
        .chain(pending.iter().filter_map(|op| match (&op.kind, op.target) {
            (OperationKind::DeleteAssistant, Target::Existing { id }) => Some(format!(
                "delete assistant {:?} (id {id}: its prompt, post-call schema and settings)",
                op.campaign
            )),
            _ => None,
        }))
        .collect();
    let lost = if pending
        .iter()
        .any(|op| matches!(op.kind, OperationKind::DeleteAssistant))
    {
        "Deleted campaigns, their leads and their call history, and deleted assistants, cannot be recovered."
    } else {
        "Deleted campaigns, their leads and their call history cannot be recovered."
    };
    format!(
        "{}: do you want to {}? {lost}",
        lifecycle::WILL_DELETE,
        going.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CampaignStatus;
    use crate::manifest::{DesiredLead, Location};
    use crate::reconcile::operation::Target;

    fn op(id: usize, campaign: &str, kind: OperationKind, depends_on: Vec<usize>) -> Operation {
        Operation {
            id,
            campaign: campaign.into(),
            target: Target::Existing { id: 10 + id as u64 },
            manifest: None,
            kind,
            depends_on,
        }
    }

    fn create(id: usize, campaign: &str, depends_on: Vec<usize>) -> Operation {
        op(
            id,
            campaign,
            OperationKind::CreateCampaign {
                request: Default::default(),
                assistant_from: None,
            },
            depends_on,
        )
    }

    fn delete(id: usize, campaign: &str) -> Operation {
        op(
            id,
            campaign,
            OperationKind::DeleteCampaign {
                expected_status: CampaignStatus::Stopped,
                leads: Some(2),
            },
            vec![],
        )
    }

    fn start(id: usize, campaign: &str) -> Operation {
        op(
            id,
            campaign,
            OperationKind::Start {
                expected_status: CampaignStatus::Draft,
            },
            vec![],
        )
    }

    fn leads(id: usize, campaign: &str, running: bool) -> Operation {
        let lead = DesiredLead {
            phone_number: "+14155550101".into(),
            variables: Default::default(),
            source: Location::new("m.yaml", 9, 1),
        };
        op(
            id,
            campaign,
            OperationKind::AddLeads {
                leads: vec![lead].into(),
                campaign_running: running,
            },
            vec![],
        )
    }

    fn asked(ops: &[Operation]) -> Vec<Approval> {
        questions(ops, Approvals::default(), |_| true)
            .into_iter()
            .map(|q| q.approval)
            .collect()
    }

    /// Issue 19's case: one delete and one start pending, nothing else. No question about
    /// writes (there are none), one about calls, one about destruction.
    #[test]
    fn only_the_kinds_pending_are_asked() {
        let ops = [delete(0, "Old"), start(1, "Q")];
        let qs = questions(&ops, Approvals::default(), |_| true);
        assert_eq!(
            qs.iter().map(|q| q.approval).collect::<Vec<_>>(),
            [Approval::PlaceCalls, Approval::DestroyData]
        );
        assert_eq!(
            qs[0].text,
            "WILL START CALLING: do you want to start \"Q\"? This places real phone calls."
        );
        assert!(
            qs[1]
                .text
                .starts_with("WILL DELETE: do you want to delete \"Old\" (id 10: "),
            "{}",
            qs[1].text
        );
        assert_eq!(asked(&[create(0, "N", vec![])]), [Approval::Writes]);
        assert_eq!(
            asked(&[]),
            Vec::<Approval>::new(),
            "nothing pending, nothing asked"
        );
    }

    #[test]
    fn each_question_names_what_it_covers() {
        let ops = [
            create(0, "N", vec![]),
            leads(1, "Idle", false),
            leads(2, "Busy", true),
            op(3, "S", OperationKind::Stop, vec![]),
        ];
        let qs = questions(&ops, Approvals::default(), |_| true);
        assert_eq!(
            qs[0].text,
            "Do you want to create 1 campaign(s), add 1 lead(s) to campaigns that are not running, stop 1 campaign(s), aborting calls under way? This places no calls."
        );
        assert_eq!(
            qs[1].text,
            "WILL START CALLING: do you want to add 1 lead(s) to running \"Busy\"? This places real phone calls."
        );
        assert_eq!(qs.len(), 2);
    }

    #[test]
    fn a_replace_is_one_question_about_destruction() {
        let ops = [delete(0, "Old name"), create(1, "New name", vec![0])];
        let qs = questions(&ops, Approvals::default(), |_| true);
        assert_eq!(qs.len(), 1, "{qs:?}");
        assert_eq!(
            qs[0].text,
            "WILL DELETE: do you want to replace the draft \"Old name\" (id 10: deleted, then created anew as \"New name\")? Deleted campaigns, their leads and their call history cannot be recovered."
        );
    }

    #[test]
    fn what_the_flags_grant_or_ask_refuses_is_not_asked() {
        let ops = [create(0, "N", vec![]), start(1, "Q"), delete(2, "Old")];
        let writes = Approvals {
            writes: true,
            ..Approvals::default()
        };
        let qs = questions(&ops, writes, |a| a != Approval::DestroyData);
        assert_eq!(
            qs.iter().map(|q| q.approval).collect::<Vec<_>>(),
            [Approval::PlaceCalls]
        );
    }

    /// A "no" holds that kind only: the operations of the other kinds still run, exactly as
    /// `--auto-approve` without `--allow-start` (or `--allow-delete`) runs them.
    #[test]
    fn a_no_holds_that_kind_only() {
        let ops = [
            create(0, "N", vec![]),
            start(1, "Q"),
            delete(2, "Old"),
            delete(3, "Draft"),
            create(4, "Draft", vec![3]),
        ];
        let held = |answers: &[(Approval, bool)]| -> Vec<usize> {
            let approvals = answered(Approvals::default(), answers);
            ops.iter()
                .filter(|op| approvals.missing(op).is_some())
                .map(|op| op.id)
                .collect()
        };
        let yes_no_yes = [
            (Approval::Writes, true),
            (Approval::PlaceCalls, false),
            (Approval::DestroyData, true),
        ];
        assert_eq!(held(&yes_no_yes), [1], "only the start is held");
        let no_yes_no = [
            (Approval::Writes, false),
            (Approval::PlaceCalls, true),
            (Approval::DestroyData, false),
        ];
        assert_eq!(
            held(&no_yes_no),
            [0, 2, 3, 4],
            "the start runs; a replaced draft's create is held with its delete"
        );
        let auto_approve = Approvals {
            writes: true,
            ..Approvals::default()
        };
        let by_flag: Vec<usize> = ops
            .iter()
            .filter(|op| auto_approve.missing(op).is_some())
            .map(|op| op.id)
            .collect();
        assert_eq!(
            by_flag,
            held(&[
                (Approval::Writes, true),
                (Approval::PlaceCalls, false),
                (Approval::DestroyData, false)
            ]),
            "a no to calls and destruction holds what --auto-approve alone holds"
        );
    }

    /// Assistants: a quiet update and a create are writes; an update heard by a running
    /// campaign is asked about with the calls, saying who hears it; a delete with the
    /// destruction, saying assistants cannot be recovered.
    #[test]
    fn assistant_operations_are_asked_with_the_kind_of_their_effect() {
        use crate::reconcile::operation::LiveCalls;
        let quiet = op(
            0,
            "Bob",
            OperationKind::UpdateAssistant {
                request: Default::default(),
                live_calls: LiveCalls::default(),
            },
            vec![],
        );
        let heard = op(
            1,
            "Ada",
            OperationKind::UpdateAssistant {
                request: Default::default(),
                live_calls: LiveCalls {
                    campaigns: vec!["Q4".into()],
                    ..LiveCalls::default()
                },
            },
            vec![],
        );
        let gone = op(2, "Old", OperationKind::DeleteAssistant, vec![]);
        let asked = questions(&[quiet, heard, gone], Approvals::default(), |_| true);
        let texts: Vec<(Approval, &str)> = asked
            .iter()
            .map(|q| (q.approval, q.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (
                    Approval::Writes,
                    "Do you want to update 1 assistant(s) that no call under way uses? This places no calls."
                ),
                (
                    Approval::PlaceCalls,
                    "WILL START CALLING: do you want to change assistant \"Ada\", heard by running campaigns Q4? This changes what real phone calls under way say."
                ),
                (
                    Approval::DestroyData,
                    "WILL DELETE: do you want to delete assistant \"Old\" (id 12: its prompt, post-call schema and settings)? Deleted campaigns, their leads and their call history, and deleted assistants, cannot be recovered."
                ),
            ]
        );
    }
}
