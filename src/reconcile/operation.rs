//! The plan as operations: every write campaignctl makes is one typed operation on one campaign,
//! with the effects it has and the operations it must wait for. The executor runs exactly these,
//! in dependency order; approval is decided from their effects (`approval`). Pure: derived from
//! the campaign actions and the per-campaign leads and status of a plan.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::types::CreateCampaign;
use crate::manifest::{DesiredLead, Location};

use super::leads_and_status::{LeadsAndStatus, StatusAction};
use super::plan::{Action, ActionKind};

/// The index of an operation in its plan's `operations`.
pub type OperationId = usize;

/// The campaign an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A campaign that exists on the platform now.
    Existing { id: u64 },
    /// The campaign that the create operation `by` makes; its id is known once that ran.
    Created { by: OperationId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OperationKind {
    /// `POST /user/campaign` with exactly the manifest's fields. Places no calls: a new
    /// campaign is a draft.
    CreateCampaign { request: CreateCampaign },
    /// `POST /user/lead` for each lead, `allow_dupplicate: false`.
    AddLeads {
        leads: Vec<DesiredLead>,
        /// The campaign was running when planned, so it dials these leads as they arrive.
        campaign_running: bool,
    },
    /// `update-status` start. Places real phone calls.
    Start,
    /// `update-status` stop. Aborts calls under way; places none.
    Stop,
}

impl OperationKind {
    pub fn label(&self) -> &'static str {
        match self {
            OperationKind::CreateCampaign { .. } => "create",
            OperationKind::AddLeads { .. } => "add_leads",
            OperationKind::Start => "start",
            OperationKind::Stop => "stop",
        }
    }
}

/// What carrying out an operation does to the world beyond the plan. Every operation writes;
/// the other two are what need their own approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effects {
    pub writes: bool,
    pub places_calls: bool,
    pub destroys_data: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: OperationId,
    /// The campaign's name.
    pub campaign: String,
    pub target: Target,
    /// The manifest the operation comes from.
    pub manifest: Option<Location>,
    #[serde(flatten)]
    pub kind: OperationKind,
    pub effects: Effects,
    /// Operations that must have succeeded before this one runs; if one did not, this one is
    /// skipped.
    pub depends_on: Vec<OperationId>,
}

/// Derives the operations of a plan, grouped by campaign in plan order. The rules:
/// - a campaign's create comes before anything else on it;
/// - a stop comes before any lead is added to that campaign (otherwise the running campaign
///   would call the new leads before it stops);
/// - leads come before a start (the platform refuses to start a campaign without leads, and a
///   campaign whose leads did not all land is not started).
pub fn derive(actions: &[Action], leads_and_status: &[LeadsAndStatus]) -> Vec<Operation> {
    let mut ops: Vec<Operation> = Vec::new();
    let mut created: BTreeMap<&Location, OperationId> = BTreeMap::new();
    let mut details_of: BTreeMap<&Location, &LeadsAndStatus> = BTreeMap::new();
    for f in leads_and_status {
        details_of.insert(&f.manifest, f);
    }
    for action in actions {
        let Some(location) = action.manifest.as_ref() else {
            continue;
        };
        let mut target = match (&action.kind, action.remote_id) {
            (ActionKind::Create { request }, _) => {
                let id = ops.len();
                ops.push(Operation {
                    id,
                    campaign: action.name.clone(),
                    target: Target::Created { by: id },
                    manifest: Some(location.clone()),
                    kind: OperationKind::CreateCampaign {
                        request: request.clone(),
                    },
                    effects: Effects {
                        writes: true,
                        ..Effects::default()
                    },
                    depends_on: Vec::new(),
                });
                created.insert(location, id);
                Some(Target::Created { by: id })
            }
            (_, Some(id)) => Some(Target::Existing { id }),
            (_, None) => None,
        };
        let (Some(target), Some(f)) = (target.take(), details_of.get(location)) else {
            continue;
        };
        let create = created.get(location).copied();
        let status_action = f.status.as_ref().and_then(|s| s.action);
        let mut push = |kind: OperationKind, places_calls: bool, depends_on: Vec<OperationId>| {
            let id = ops.len();
            ops.push(Operation {
                id,
                campaign: f.name.clone(),
                target,
                manifest: Some(location.clone()),
                kind,
                effects: Effects {
                    writes: true,
                    places_calls,
                    destroys_data: false,
                },
                depends_on: create.into_iter().chain(depends_on).collect(),
            });
            id
        };
        let stop = (status_action == Some(StatusAction::Stop))
            .then(|| push(OperationKind::Stop, false, Vec::new()));
        let leads = f.leads.as_ref().filter(|l| !l.to_add.is_empty()).map(|l| {
            // A stop planned before the leads means the campaign will not be running
            // when they arrive.
            let calls = l.campaign_running && stop.is_none();
            push(
                OperationKind::AddLeads {
                    leads: l.to_add.clone(),
                    campaign_running: calls,
                },
                calls,
                stop.into_iter().collect(),
            )
        });
        if status_action == Some(StatusAction::Start) {
            push(OperationKind::Start, true, leads.into_iter().collect());
        }
    }
    ops
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

/// The one place that decides which approvals an operation needs, from its effects.
pub fn approvals_needed(effects: Effects) -> Vec<Approval> {
    let mut needed = Vec::new();
    if effects.writes {
        needed.push(Approval::Writes);
    }
    if effects.places_calls {
        needed.push(Approval::PlaceCalls);
    }
    if effects.destroys_data {
        needed.push(Approval::DestroyData);
    }
    needed
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

    /// The most consequential approval `op` needs and this run lacks, if any.
    pub fn missing(&self, op: &Operation) -> Option<Approval> {
        approvals_needed(op.effects)
            .into_iter()
            .rev()
            .find(|a| !self.grants(*a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{DesiredStatus, Location};
    use crate::reconcile::leads_and_status::{LeadsChange, StatusChange};
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
    ) -> LeadsAndStatus {
        LeadsAndStatus {
            name: "Q".into(),
            manifest: at.clone(),
            remote_id,
            references: References::default(),
            leads: Some(LeadsChange {
                declared: 1,
                on_platform: 0,
                to_add: vec![lead("+14155550101")],
                campaign_running: running,
            }),
            status: action.map(|action| StatusChange {
                desired: DesiredStatus::Running,
                actual: "draft".into(),
                action: Some(action),
                note: None,
            }),
        }
    }

    #[test]
    fn a_new_campaign_is_created_then_gets_its_leads_then_starts() {
        let at = Location::new("m.yaml", 1, 1);
        let actions = [Action {
            name: "Q".into(),
            manifest: Some(at.clone()),
            remote_id: None,
            kind: ActionKind::Create {
                request: CreateCampaign::default(),
            },
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
        assert!(ops[2].effects.places_calls && !ops[1].effects.places_calls);
    }

    #[test]
    fn a_running_campaign_is_stopped_before_it_gets_new_leads() {
        let at = Location::new("m.yaml", 1, 1);
        let actions = [Action {
            name: "Q".into(),
            manifest: Some(at.clone()),
            remote_id: Some(3),
            kind: ActionKind::Unchanged { write_once: vec![] },
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
            !ops[1].effects.places_calls,
            "stopped first, the campaign does not call the new leads"
        );
        let without_stop = derive(&actions, &[leads_and_status(&at, Some(3), true, None)]);
        assert!(
            without_stop[0].effects.places_calls,
            "leads for a running campaign place calls"
        );
    }

    #[test]
    fn approval_comes_from_effects() {
        let op = |places_calls| Operation {
            id: 0,
            campaign: "Q".into(),
            target: Target::Existing { id: 1 },
            manifest: None,
            kind: OperationKind::Start,
            effects: Effects {
                writes: true,
                places_calls,
                destroys_data: false,
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
    }
}
