//! The plan as operations: every write campaignctl makes is one typed operation on one campaign
//! or one assistant, with the operations it must wait for. Its effects are derived from its kind
//! (`Operation::effects`) and decide the one approval it needs (`Operation::approval`,
//! `Approvals::missing`). The executor runs exactly these, in dependency order; `derive` makes
//! them from a plan's view. Data only: this file imports no other planning module.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::api::assistant::AssistantWrite;
use crate::api::types::{CampaignStatus, CreateCampaign};
use crate::manifest::{DesiredLead, Location};

/// One lead whose declared variables differ from the platform's: `PUT /user/leads/{id}` with
/// `variables`, which the platform merges into the lead's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadUpdate {
    pub lead_id: u64,
    pub phone_number: String,
    /// Only the variables that differ, with the manifest's values.
    pub variables: BTreeMap<String, serde_json::Value>,
    pub source: Location,
}

/// The index of an operation in its plan's `operations`.
pub type OperationId = usize;

/// The campaign (or assistant) an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A campaign (an assistant, for an assistant's operation) that exists on the platform now.
    Existing { id: u64 },
    /// What the create operation `by` makes; its id is known once that ran.
    Created { by: OperationId },
}

/// The two kinds of resource a plan changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Campaign,
    Assistant,
}

/// Why an assistant update changes what calls under way say: the running campaigns that use it
/// (declared ones are known), the running campaigns no manifest declares (the campaign list
/// does not say which assistant they use, so any of them may), and inbound calls (an inbound
/// assistant, or a change of the number it answers). Empty: no live call hears the change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveCalls {
    /// Declared campaigns using it that are running, or will be once this plan has run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<String>,
    /// Running campaigns on the platform that no manifest declares.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub undeclared_running: usize,
    /// It answers inbound calls (an inbound assistant), or the number it answers changes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inbound: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl LiveCalls {
    /// Whether any call under way, or placed or answered next, would hear the change.
    pub fn any(&self) -> bool {
        !self.campaigns.is_empty() || self.undeclared_running > 0 || self.inbound
    }

    /// Who hears the change, in words: `running campaigns Q4, Renewals; 2 running campaigns no
    /// manifest declares (may use it); inbound calls`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.campaigns.is_empty() {
            parts.push(format!("running campaigns {}", self.campaigns.join(", ")));
        }
        if self.undeclared_running > 0 {
            parts.push(format!(
                "{} running campaign(s) no manifest declares (they may use it)",
                self.undeclared_running
            ));
        }
        if self.inbound {
            parts.push("inbound calls".to_owned());
        }
        parts.join("; ")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OperationKind {
    /// `POST /user/campaign` with exactly the manifest's fields. Places no calls: a new
    /// campaign is a draft. The body is shared with the campaign's view (one copy per plan).
    CreateCampaign {
        request: Arc<CreateCampaign>,
        /// The assistant operation this create waits for (one of its `depends_on`): the
        /// assistant's create, whose new id becomes the body's `assistant_id` when it has run,
        /// or its update, so that the campaign starts with the assistant as declared.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assistant_from: Option<OperationId>,
    },
    /// `POST /user/lead` for each lead, `allow_dupplicate: false`.
    AddLeads {
        /// Shared with the campaign's view (`LeadsChange::to_add`): one copy per plan.
        leads: Arc<[DesiredLead]>,
        /// The campaign will be running when they arrive (it was running when planned and no
        /// stop comes first), so it dials them: what `places_calls` is derived from.
        campaign_running: bool,
    },
    /// `update-status` start. Places real phone calls. Sent only while the campaign is still
    /// in the status the plan saw (a fresh read right before); one already running is left
    /// as it is (success, no second request).
    Start {
        /// The status the plan saw (`draft` for a campaign this plan creates).
        #[serde(default)]
        expected_status: CampaignStatus,
    },
    /// `update-status` stop. Aborts calls under way; places none.
    Stop,
    /// `DELETE /user/campaign/{id}`: the campaign, its leads and its call history are gone for
    /// good (a running campaign stops calling). Carried out only while the campaign still has
    /// the name and status it had when planned (a fresh read right before).
    DeleteCampaign {
        /// The status the plan saw; the delete is not sent if it has changed since.
        expected_status: CampaignStatus,
        /// How many leads go with it, when they were read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leads: Option<usize>,
    },
    /// `PUT /user/leads/{id}` with the differing variables of each lead (merged by the
    /// platform). Places no calls.
    UpdateLeads { updates: Vec<LeadUpdate> },
    /// `POST /user/assistant` with every field the manifest declares. An assistant given a
    /// phone number answers that number's calls at once (`live_calls`).
    CreateAssistant {
        request: Arc<AssistantWrite>,
        #[serde(default, skip_serializing_if = "is_quiet")]
        live_calls: LiveCalls,
    },
    /// `PUT /user/assistant/{id}` with only the fields that differ (the platform changes only
    /// the fields sent). Changes what calls under way say when `live_calls` is not empty.
    UpdateAssistant {
        request: Arc<AssistantWrite>,
        #[serde(default, skip_serializing_if = "is_quiet")]
        live_calls: LiveCalls,
    },
    /// `DELETE /user/assistant/{id}` (`status: deleted`): its prompt, schema and settings are
    /// gone for good. Never planned while a campaign may use it.
    DeleteAssistant,
}

fn is_quiet(live: &LiveCalls) -> bool {
    !live.any()
}

impl OperationKind {
    pub fn label(&self) -> &'static str {
        match self {
            OperationKind::CreateCampaign { .. } => "create",
            OperationKind::AddLeads { .. } => "add_leads",
            OperationKind::Start { .. } => "start",
            OperationKind::Stop => "stop",
            OperationKind::DeleteCampaign { .. } => "delete",
            OperationKind::UpdateLeads { .. } => "update_leads",
            OperationKind::CreateAssistant { .. } => "create_assistant",
            OperationKind::UpdateAssistant { .. } => "update_assistant",
            OperationKind::DeleteAssistant => "delete_assistant",
        }
    }

    /// What the operation acts on.
    pub fn resource(&self) -> Resource {
        match self {
            OperationKind::CreateAssistant { .. }
            | OperationKind::UpdateAssistant { .. }
            | OperationKind::DeleteAssistant => Resource::Assistant,
            _ => Resource::Campaign,
        }
    }
}

/// What carrying out an operation does to the world beyond the plan, derived from its kind
/// (`Operation::effects`), never stored. Every operation writes; these are what need their
/// own approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effects {
    pub places_calls: bool,
    /// Changes what calls under way (or answered next) say: an assistant update heard by
    /// running campaigns or inbound callers. Approved as placing calls is (`--allow-start`).
    #[serde(default)]
    pub changes_live_calls: bool,
    pub destroys_data: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: OperationId,
    /// The name of what it acts on: the campaign's, or for an assistant's operation
    /// (`OperationKind::resource`) the assistant's.
    pub campaign: String,
    pub target: Target,
    /// The manifest the operation comes from.
    pub manifest: Option<Location>,
    #[serde(flatten)]
    pub kind: OperationKind,
    /// Operations that must have succeeded before this one runs; if one did not, this one is
    /// skipped.
    pub depends_on: Vec<OperationId>,
}

impl Operation {
    /// What carrying it out does, from its kind alone: a start places calls, and so do leads
    /// added to a campaign that will be running when they arrive; a delete destroys the
    /// campaign, its leads and its call history. Creates, stops and lead updates do neither.
    pub fn effects(&self) -> Effects {
        match &self.kind {
            OperationKind::Start { .. } => Effects {
                places_calls: true,
                ..Effects::default()
            },
            OperationKind::AddLeads {
                campaign_running, ..
            } => Effects {
                places_calls: *campaign_running,
                ..Effects::default()
            },
            OperationKind::DeleteCampaign { .. } | OperationKind::DeleteAssistant => Effects {
                destroys_data: true,
                ..Effects::default()
            },
            OperationKind::CreateAssistant { live_calls, .. }
            | OperationKind::UpdateAssistant { live_calls, .. } => Effects {
                changes_live_calls: live_calls.any(),
                ..Effects::default()
            },
            OperationKind::CreateCampaign { .. }
            | OperationKind::Stop
            | OperationKind::UpdateLeads { .. } => Effects::default(),
        }
    }

    /// The one approval carrying it out needs: the most consequential of its effects, or plain
    /// writes. Changing what live calls say is approved as placing calls is: both decide what
    /// a person on the phone hears, and a run trusted to start calling is the run trusted to
    /// change the words (docs/assistants.md says why there is no fourth flag). The create that follows a delete (the second half of replacing a draft; a create
    /// waits for nothing else) is approved with that delete, so that a draft is never deleted
    /// by an answer that holds its re-creation.
    pub fn approval(&self) -> Approval {
        let effects = self.effects();
        if effects.destroys_data {
            Approval::DestroyData
        } else if effects.places_calls || effects.changes_live_calls {
            Approval::PlaceCalls
        } else if self.is_replacing_create() {
            Approval::DestroyData
        } else {
            Approval::Writes
        }
    }

    /// Why it needs its approval, for a held operation's report.
    pub fn approval_reason(&self) -> &'static str {
        let approval = self.approval();
        let effects = self.effects();
        if approval == Approval::PlaceCalls && !effects.places_calls {
            "it changes what calls under way say"
        } else {
            approval.reason()
        }
    }

    /// Whether this is the create of a replaced draft (it waits for the draft's delete; the
    /// only other operation a create waits for is its assistant's, `assistant_from`).
    pub fn is_replacing_create(&self) -> bool {
        match &self.kind {
            OperationKind::CreateCampaign { assistant_from, .. } => {
                self.depends_on.iter().any(|d| Some(*d) != *assistant_from)
            }
            _ => false,
        }
    }
}

/// One deletion pending among a plan's operations: the delete, and the create that replaces the
/// campaign when it is a draft replaced (that create waits for the delete).
#[derive(Debug, Clone, Copy)]
pub struct Destruction<'a> {
    pub delete: &'a Operation,
    pub replaced_by: Option<&'a Operation>,
    /// The campaign deleted.
    pub id: u64,
    /// Its status when planned, and how many leads go with it, when they were read.
    pub status: &'a CampaignStatus,
    pub leads: Option<usize>,
}

/// Every deletion among `operations`, in plan order: what the destruction question and the
/// renderings' warnings name.
pub fn destructions(operations: &[Operation]) -> Vec<Destruction<'_>> {
    operations
        .iter()
        .filter_map(|op| match (&op.kind, op.target) {
            (
                OperationKind::DeleteCampaign {
                    expected_status,
                    leads,
                },
                Target::Existing { id },
            ) => Some(Destruction {
                delete: op,
                replaced_by: operations
                    .iter()
                    .find(|c| c.is_replacing_create() && c.depends_on.contains(&op.id)),
                id,
                status: expected_status,
                leads: *leads,
            }),
            _ => None,
        })
        .collect()
}

/// The approvals an operation can need, from the least to the most consequential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// Plain writes: `--auto-approve` or the terminal question.
    Writes,
    /// Placing phone calls: `--allow-start` or its own terminal question.
    PlaceCalls,
    /// Destroying data: `--allow-delete` or its own terminal question.
    DestroyData,
}

impl Approval {
    /// The flag that grants this approval without a terminal.
    pub fn flag(self) -> &'static str {
        match self {
            Approval::Writes => "--auto-approve",
            Approval::PlaceCalls => "--allow-start",
            Approval::DestroyData => "--allow-delete",
        }
    }

    /// Why it is needed, for a held operation's report.
    pub fn reason(self) -> &'static str {
        match self {
            Approval::Writes => "writes need approval",
            Approval::PlaceCalls => "it places real phone calls",
            Approval::DestroyData => "it destroys data",
        }
    }
}

/// The approvals a run was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Approvals {
    pub writes: bool,
    pub place_calls: bool,
    pub destroy_data: bool,
}

impl Approvals {
    pub fn grants(&self, approval: Approval) -> bool {
        match approval {
            Approval::Writes => self.writes,
            Approval::PlaceCalls => self.place_calls,
            Approval::DestroyData => self.destroy_data,
        }
    }

    /// The approval `op` needs (`Operation::approval`, the one place that decides it) when
    /// this run lacks it. One approval per operation, so that a "no" to one kind of effect
    /// holds that kind only: `--auto-approve` without `--allow-start` holds the starts and runs
    /// the rest, and a person who answers "no" to the calls question gets exactly that.
    pub fn missing(&self, op: &Operation) -> Option<Approval> {
        let needed = op.approval();
        (!self.grants(needed)).then_some(needed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{DesiredStatus, Location};
    use crate::reconcile::derive::derive;
    use crate::reconcile::model::{
        CampaignDetails, Disposition, Explanation, LeadsChange, StatusAction, StatusChange,
    };
    use crate::reconcile::resolve::References;

    fn lead(n: &str) -> DesiredLead {
        DesiredLead {
            phone_number: n.to_owned(),
            variables: Default::default(),
            source: Location::new("m.yaml", 9, 1),
        }
    }

    fn leads_and_status(
        at: &Location,
        remote_id: Option<u64>,
        running: bool,
        action: Option<StatusAction>,
    ) -> CampaignDetails {
        CampaignDetails {
            name: "Q".into(),
            manifest: at.clone(),
            remote_id,
            references: References::default(),
            leads: Some(LeadsChange {
                declared: 1,
                on_platform: 0,
                to_add: vec![lead("+14155550101")].into(),
                campaign_running: running,
                to_update: vec![],
                undeclared: 0,
                extra_variables: 0,
            }),
            status: action.map(|action| StatusChange {
                cannot_act: None,
                desired: DesiredStatus::Running,
                actual: "draft".into(),
                action: Some(action),
                note: None,
                left_alone: None,
            }),
        }
    }

    #[test]
    fn a_new_campaign_is_created_then_gets_its_leads_then_starts() {
        let at = Location::new("m.yaml", 1, 1);
        let actions = [Explanation {
            name: "Q".into(),
            manifest: Some(at.clone()),
            remote_id: None,
            kind: Disposition::Create {
                request: Default::default(),
            },
            note: None,
        }];
        let ops = derive(
            &actions,
            &[leads_and_status(
                &at,
                None,
                false,
                Some(StatusAction::Start),
            )],
        );
        let kinds: Vec<&str> = ops.iter().map(|o| o.kind.label()).collect();
        assert_eq!(kinds, ["create", "add_leads", "start"]);
        assert_eq!(ops[1].depends_on, [0]);
        assert_eq!(ops[2].depends_on, [0, 1], "the start waits for both");
        assert_eq!(ops[2].target, Target::Created { by: 0 });
        assert!(ops[2].effects().places_calls && !ops[1].effects().places_calls);
    }

    #[test]
    fn a_running_campaign_is_stopped_before_it_gets_new_leads() {
        let at = Location::new("m.yaml", 1, 1);
        let actions = [Explanation {
            name: "Q".into(),
            manifest: Some(at.clone()),
            remote_id: Some(3),
            kind: Disposition::Unchanged { write_once: vec![] },
            note: None,
        }];
        let ops = derive(
            &actions,
            &[leads_and_status(
                &at,
                Some(3),
                true,
                Some(StatusAction::Stop),
            )],
        );
        let kinds: Vec<&str> = ops.iter().map(|o| o.kind.label()).collect();
        assert_eq!(kinds, ["stop", "add_leads"]);
        assert_eq!(ops[1].depends_on, [0], "the leads wait for the stop");
        assert!(
            !ops[1].effects().places_calls,
            "stopped first, the campaign does not call the new leads"
        );
        let without_stop = derive(&actions, &[leads_and_status(&at, Some(3), true, None)]);
        assert!(
            without_stop[0].effects().places_calls,
            "leads for a running campaign place calls"
        );
    }

    #[test]
    fn a_replaces_delete_carries_the_lead_count_the_plan_read() {
        let at = Location::new("m.yaml", 1, 1);
        let actions = [Explanation {
            name: "D".into(),
            manifest: Some(at.clone()),
            remote_id: Some(4),
            kind: Disposition::Replace {
                changes: vec![],
                write_once: vec![],
                request: Default::default(),
                renamed_from: None,
                leads: Some(2),
            },
            note: None,
        }];
        let ops = derive(&actions, &[]);
        assert_eq!(ops[0].kind.label(), "delete");
        assert!(
            matches!(
                ops[0].kind,
                OperationKind::DeleteCampaign { leads: Some(2), .. }
            ),
            "the executor compares this count right before the delete: {:?}",
            ops[0].kind
        );
        assert_eq!(ops[1].depends_on, [0], "the create waits for the delete");
    }

    #[test]
    fn lead_updates_place_no_calls_and_come_before_a_start() {
        let at = Location::new("m.yaml", 1, 1);
        let actions = [Explanation {
            name: "Q".into(),
            manifest: Some(at.clone()),
            remote_id: Some(3),
            kind: Disposition::Unchanged { write_once: vec![] },
            note: None,
        }];
        let mut f = leads_and_status(&at, Some(3), false, Some(StatusAction::Start));
        if let Some(l) = f.leads.as_mut() {
            l.to_add = Vec::new().into();
            l.to_update = vec![LeadUpdate {
                lead_id: 9,
                phone_number: "+14155550101".into(),
                variables: [("first_name".to_owned(), serde_json::json!("Ada"))].into(),
                source: Location::new("m.yaml", 9, 1),
            }];
        }
        let ops = derive(&actions, &[f]);
        let kinds: Vec<&str> = ops.iter().map(|o| o.kind.label()).collect();
        assert_eq!(kinds, ["update_leads", "start"]);
        assert!(!ops[0].effects().places_calls && !ops[0].effects().destroys_data);
        assert_eq!(ops[1].depends_on, [0], "the start waits for the updates");
    }

    #[test]
    fn destruction_needs_its_own_approval() {
        let delete = Operation {
            id: 0,
            campaign: "Q".into(),
            target: Target::Existing { id: 1 },
            manifest: None,
            kind: OperationKind::DeleteCampaign {
                expected_status: CampaignStatus::Draft,
                leads: None,
            },
            depends_on: vec![],
        };
        let calls = Approvals {
            writes: true,
            place_calls: true,
            destroy_data: false,
        };
        assert_eq!(calls.missing(&delete), Some(Approval::DestroyData));
        assert_eq!(Approval::DestroyData.flag(), "--allow-delete");
        let all = Approvals {
            destroy_data: true,
            ..calls
        };
        assert_eq!(all.missing(&delete), None);
    }

    #[test]
    fn approval_comes_from_effects() {
        let op = |places_calls| Operation {
            id: 0,
            campaign: "Q".into(),
            target: Target::Existing { id: 1 },
            manifest: None,
            kind: if places_calls {
                OperationKind::Start {
                    expected_status: CampaignStatus::Stopped,
                }
            } else {
                OperationKind::Stop
            },
            depends_on: vec![],
        };
        let writes_only = Approvals {
            writes: true,
            ..Approvals::default()
        };
        assert_eq!(writes_only.missing(&op(false)), None);
        assert_eq!(writes_only.missing(&op(true)), Some(Approval::PlaceCalls));
        assert_eq!(
            Approvals::default().missing(&op(true)),
            Some(Approval::PlaceCalls),
            "the most consequential missing approval is named"
        );
        let all = Approvals {
            writes: true,
            place_calls: true,
            destroy_data: true,
        };
        assert_eq!(all.missing(&op(true)), None);
        let calls_only = Approvals {
            place_calls: true,
            ..Approvals::default()
        };
        assert_eq!(
            calls_only.missing(&op(true)),
            None,
            "an operation needs one approval: a \"no\" to writes does not hold a start"
        );
        assert_eq!(calls_only.missing(&op(false)), Some(Approval::Writes));
    }

    #[test]
    fn effects_come_from_the_kind_alone() {
        let op = |kind| Operation {
            id: 0,
            campaign: "Q".into(),
            target: Target::Existing { id: 1 },
            manifest: None,
            kind,
            depends_on: vec![],
        };
        let calls = |kind| op(kind).effects().places_calls;
        let destroys = |kind| op(kind).effects().destroys_data;
        assert!(calls(OperationKind::Start {
            expected_status: CampaignStatus::Draft
        }));
        assert!(calls(OperationKind::AddLeads {
            leads: vec![lead("+14155550101")].into(),
            campaign_running: true,
        }));
        assert!(!calls(OperationKind::AddLeads {
            leads: vec![lead("+14155550101")].into(),
            campaign_running: false,
        }));
        assert!(destroys(OperationKind::DeleteCampaign {
            expected_status: CampaignStatus::Draft,
            leads: None,
        }));
        for quiet in [
            OperationKind::CreateCampaign {
                request: Default::default(),
                assistant_from: None,
            },
            OperationKind::Stop,
            OperationKind::UpdateLeads { updates: vec![] },
        ] {
            let label = quiet.label();
            assert_eq!(op(quiet).effects(), Effects::default(), "{label}");
        }
    }

    #[test]
    fn destructions_pair_a_drafts_delete_with_its_replacement() {
        let at = Location::new("m.yaml", 1, 1);
        let replace = Explanation {
            name: "New".into(),
            manifest: Some(at.clone()),
            remote_id: Some(4),
            kind: Disposition::Replace {
                changes: vec![],
                write_once: vec![],
                request: Default::default(),
                renamed_from: Some("Old".into()),
                leads: Some(0),
            },
            note: None,
        };
        let tombstone = Explanation {
            name: "Gone".into(),
            manifest: Some(Location::new("g.yaml", 1, 1)),
            remote_id: Some(9),
            kind: Disposition::Delete {
                reason: crate::reconcile::model::DeleteReason::Manifest,
                status: CampaignStatus::Stopped,
                leads: Some(3),
                held: None,
            },
            note: None,
        };
        let ops = derive(&[replace, tombstone], &[]);
        let found: Vec<(&str, u64, Option<&str>, Option<usize>)> = destructions(&ops)
            .iter()
            .map(|d| {
                (
                    d.delete.campaign.as_str(),
                    d.id,
                    d.replaced_by.map(|c| c.campaign.as_str()),
                    d.leads,
                )
            })
            .collect();
        assert_eq!(
            found,
            [("Old", 4, Some("New"), Some(0)), ("Gone", 9, None, Some(3))],
            "the replaced draft under its old name with its replacement, then the tombstone"
        );
    }

    #[test]
    fn a_replaced_drafts_create_is_approved_with_its_delete() {
        let at = Location::new("m.yaml", 1, 1);
        let actions = [Explanation {
            name: "D".into(),
            manifest: Some(at.clone()),
            remote_id: Some(4),
            kind: Disposition::Replace {
                changes: vec![],
                write_once: vec![],
                request: Default::default(),
                renamed_from: None,
                leads: Some(0),
            },
            note: None,
        }];
        let ops = derive(&actions, &[]);
        assert_eq!(ops[0].approval(), Approval::DestroyData);
        assert_eq!(
            ops[1].approval(),
            Approval::DestroyData,
            "a draft is never deleted by an answer that holds its re-creation"
        );
        assert_eq!(
            ops[1].effects(),
            Effects::default(),
            "the create itself destroys nothing"
        );
    }
}
