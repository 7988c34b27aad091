//! What will happen to each campaign, read once per rendering from the plan's operations (the
//! only thing that runs): every rendering words its "will create / replace / delete / gains
//! leads / will start" from this index, and takes only the why (field changes, notes, drift,
//! lead totals on the platform, statuses it cannot act on) from the per-campaign view.

use std::collections::HashMap;

use crate::api::types::CampaignStatus;
use crate::manifest::Location;
use crate::reconcile::operation::{LeadUpdate, Operation, OperationKind, Resource, Target};

/// The operations of one campaign, sorted by what they do.
#[derive(Debug, Default)]
pub struct CampaignOps<'a> {
    /// The create of a campaign no one holds yet (not the second half of a replacement).
    pub create: Option<&'a Operation>,
    /// A replaced draft: its delete, then the create that waits for it.
    pub replace: Option<(&'a Operation, &'a Operation)>,
    /// A delete that no create follows (a tombstone or a prune).
    pub delete: Option<&'a Operation>,
    /// Leads to add, and whether the campaign will be running when they arrive (it calls them).
    pub leads_to_add: usize,
    pub new_leads_place_calls: bool,
    /// Leads whose variables change.
    pub lead_updates: Vec<&'a LeadUpdate>,
    pub start: bool,
    pub stop: bool,
}

impl CampaignOps<'_> {
    /// The status and lead count a delete (plain or replacing) expects, from its operation.
    pub fn deleted(&self) -> Option<(&CampaignStatus, Option<usize>)> {
        let delete = self.delete.or(self.replace.map(|(d, _)| d))?;
        match &delete.kind {
            OperationKind::DeleteCampaign {
                expected_status,
                leads,
            } => Some((expected_status, *leads)),
            _ => None,
        }
    }

    /// The variables changed on the campaign's leads, each named once, sorted.
    pub fn updated_variables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .lead_updates
            .iter()
            .flat_map(|u| u.variables.keys().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Whether anything will happen to the campaign's leads or status.
    pub fn touches_leads_or_status(&self) -> bool {
        self.leads_to_add > 0 || !self.lead_updates.is_empty() || self.start || self.stop
    }
}

/// Every campaign's operations, built once per rendering (a search per campaign would be
/// quadratic in the fleet).
#[derive(Debug, Default)]
pub struct OperationIndex<'a> {
    /// A campaign is found by its manifest, or (a prune, which has none) by its id.
    by_manifest: HashMap<&'a Location, CampaignOps<'a>>,
    by_id: HashMap<u64, CampaignOps<'a>>,
    none: CampaignOps<'a>,
}

impl<'a> OperationIndex<'a> {
    pub fn new(operations: &'a [Operation]) -> OperationIndex<'a> {
        let mut index = OperationIndex::default();
        // The delete that a create waits for is the first half of a replacement.
        let replaced_by: HashMap<usize, &Operation> = operations
            .iter()
            .filter(|op| op.is_replacing_create())
            .flat_map(|op| op.depends_on.iter().map(move |d| (*d, op)))
            .collect();
        for op in operations {
            // The assistants' operations are rendered with the assistants.
            if op.kind.resource() == Resource::Assistant {
                continue;
            }
            let ops = match (&op.manifest, op.target) {
                (Some(m), _) => index.by_manifest.entry(m).or_default(),
                (None, Target::Existing { id }) => index.by_id.entry(id).or_default(),
                // An operation on a campaign this plan creates always has its manifest.
                (None, Target::Created { .. }) => continue,
            };
            match &op.kind {
                OperationKind::CreateCampaign { .. } if op.is_replacing_create() => {}
                OperationKind::CreateCampaign { .. } => ops.create = Some(op),
                OperationKind::DeleteCampaign { .. } => match replaced_by.get(&op.id) {
                    Some(create) => ops.replace = Some((op, create)),
                    None => ops.delete = Some(op),
                },
                OperationKind::AddLeads { leads, .. } => {
                    ops.leads_to_add += leads.len();
                    ops.new_leads_place_calls |= op.effects().places_calls;
                }
                OperationKind::UpdateLeads { updates } => ops.lead_updates.extend(updates),
                OperationKind::Start { .. } => ops.start = true,
                OperationKind::Stop => ops.stop = true,
                OperationKind::CreateAssistant { .. }
                | OperationKind::UpdateAssistant { .. }
                | OperationKind::DeleteAssistant => {}
            }
        }
        index
    }

    /// The operations of the campaign declared at `manifest`, or of the undeclared campaign
    /// `id`; nothing, when none acts on it.
    pub fn of(&self, manifest: Option<&Location>, id: Option<u64>) -> &CampaignOps<'a> {
        let found = match (manifest, id) {
            (Some(m), _) => self.by_manifest.get(m),
            (None, Some(id)) => self.by_id.get(&id),
            (None, None) => None,
        };
        found.unwrap_or(&self.none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::DesiredLead;

    fn op(
        id: usize,
        manifest: Option<&Location>,
        target: Target,
        kind: OperationKind,
        depends_on: Vec<usize>,
    ) -> Operation {
        Operation {
            id,
            campaign: format!("c{id}"),
            target,
            manifest: manifest.cloned(),
            kind,
            depends_on,
        }
    }

    fn lead(n: &str, at: &Location) -> DesiredLead {
        DesiredLead {
            phone_number: n.to_owned(),
            variables: Default::default(),
            source: at.clone(),
        }
    }

    #[test]
    fn each_campaign_gets_what_its_operations_do() {
        let new = Location::new("new.yaml", 1, 1);
        let replaced = Location::new("replaced.yaml", 1, 1);
        let running = Location::new("running.yaml", 1, 1);
        let create = || OperationKind::CreateCampaign {
            request: Default::default(),
            assistant_from: None,
        };
        let delete = || OperationKind::DeleteCampaign {
            expected_status: CampaignStatus::Draft,
            leads: Some(0),
        };
        let ops = vec![
            op(0, Some(&new), Target::Created { by: 0 }, create(), vec![]),
            op(
                1,
                Some(&new),
                Target::Created { by: 0 },
                OperationKind::AddLeads {
                    leads: vec![lead("+15550000001", &new), lead("+15550000002", &new)].into(),
                    campaign_running: false,
                },
                vec![0],
            ),
            op(
                2,
                Some(&new),
                Target::Created { by: 0 },
                OperationKind::Start {
                    expected_status: CampaignStatus::Draft,
                },
                vec![0, 1],
            ),
            op(
                3,
                Some(&replaced),
                Target::Existing { id: 9 },
                delete(),
                vec![],
            ),
            op(
                4,
                Some(&replaced),
                Target::Created { by: 4 },
                create(),
                vec![3],
            ),
            op(5, None, Target::Existing { id: 12 }, delete(), vec![]),
            op(
                6,
                Some(&running),
                Target::Existing { id: 13 },
                OperationKind::AddLeads {
                    leads: vec![lead("+15550000003", &running)].into(),
                    campaign_running: true,
                },
                vec![],
            ),
        ];
        let index = OperationIndex::new(&ops);

        let n = index.of(Some(&new), None);
        assert_eq!(n.create.map(|o| o.id), Some(0), "a plain create");
        assert!(n.replace.is_none() && n.delete.is_none());
        assert_eq!((n.leads_to_add, n.new_leads_place_calls), (2, false));
        assert!(n.start && !n.stop && n.touches_leads_or_status());

        let r = index.of(Some(&replaced), Some(9));
        assert!(r.create.is_none(), "the create after a delete is a replace");
        assert_eq!(r.replace.map(|(d, c)| (d.id, c.id)), Some((3, 4)));
        assert!(r.delete.is_none() && !r.touches_leads_or_status());
        assert_eq!(r.deleted().map(|(_, leads)| leads), Some(Some(0)));

        let pruned = index.of(None, Some(12));
        assert_eq!(
            pruned.delete.map(|o| o.id),
            Some(5),
            "a prune is found by id"
        );

        let calls = index.of(Some(&running), Some(13));
        assert_eq!((calls.leads_to_add, calls.new_leads_place_calls), (1, true));

        let untouched = index.of(Some(&Location::new("other.yaml", 1, 1)), Some(1));
        assert!(untouched.create.is_none() && !untouched.touches_leads_or_status());
    }
}
