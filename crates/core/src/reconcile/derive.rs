//! The operations that carry out a plan's per-campaign view, in dependency order: the one place
//! that decides what runs before what.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::types::{CampaignStatus, CreateCampaign};
use crate::manifest::Location;

use super::model::{CampaignDetails, Disposition, Explanation, StatusAction};
use super::operation::{Operation, OperationId, OperationKind, Target};

/// Derives the operations of a plan, grouped by campaign in plan order. The rules:
/// - a campaign's create comes before anything else on it;
/// - a replace deletes the draft first, then creates it anew (see `replace` below for why
///   that order);
/// - a stop comes before any lead is added to that campaign (otherwise the running campaign
///   would call the new leads before it stops);
/// - leads (added or updated) come before a start (the platform refuses to start a campaign
///   without leads, and a campaign whose leads did not all land is not started).
pub fn derive(actions: &[Explanation], leads_and_status: &[CampaignDetails]) -> Vec<Operation> {
    // Sized for one operation per campaign (a create, or a delete): grown by doubling, the list
    // held up to twice the operations of a plan of 10,000 creates while it grew. Campaigns with
    // nothing to do leave the space untouched.
    let mut ops: Vec<Operation> = Vec::with_capacity(actions.len());
    // Hashed, not ordered: comparing paths component by component made this lookup most of
    // the cost of planning a large fleet.
    let details_of: HashMap<&Location, &CampaignDetails> =
        leads_and_status.iter().map(|f| (&f.manifest, f)).collect();
    for action in actions {
        // A held delete (`deletion`) is shown in the plan and carried out by nothing.
        if let Disposition::Delete { held: Some(_), .. } = &action.kind {
            continue;
        }
        // Deletes need no manifest: a pruned campaign has none.
        if let (Disposition::Delete { status, leads, .. }, Some(id)) =
            (&action.kind, action.remote_id)
        {
            ops.push(delete_op(
                ops.len(),
                &action.name,
                id,
                action.manifest.clone(),
                status,
                *leads,
                Vec::new(),
            ));
            continue;
        }
        let Some(location) = action.manifest.as_ref() else {
            continue;
        };
        // The create of this campaign, which its leads and start wait for.
        let mut create = None;
        let mut target = match (&action.kind, action.remote_id) {
            (Disposition::Create { request }, _) => {
                let id = push_create(&mut ops, &action.name, location, request, Vec::new());
                create = Some(id);
                Some(Target::Created { by: id })
            }
            (
                Disposition::Replace {
                    request,
                    renamed_from,
                    leads,
                    ..
                },
                Some(old),
            ) => {
                // Delete first, then create. A failure in between leaves no campaign of the
                // name, so the next plan simply creates it (with its leads and start): the
                // state repairs itself. Creating first would put two campaigns under one name
                // (or under the old and new names of a rename): the executor's check after
                // creates keeps the lowest id and deletes its own new copy, and the next plan
                // refuses the ambiguous name, so a half-done replace could not be repaired by
                // running again. A draft places no calls, so the gap without it costs nothing.
                let old_name = renamed_from.as_deref().unwrap_or(&action.name);
                let delete = ops.len();
                ops.push(delete_op(
                    delete,
                    old_name,
                    old,
                    Some(location.clone()),
                    &CampaignStatus::Draft,
                    *leads,
                    Vec::new(),
                ));
                let id = push_create(&mut ops, &action.name, location, request, vec![delete]);
                create = Some(id);
                Some(Target::Created { by: id })
            }
            (Disposition::Delete { .. } | Disposition::Absent, _) => None,
            (_, Some(id)) => Some(Target::Existing { id }),
            (_, None) => None,
        };
        let (Some(target), Some(f)) = (target.take(), details_of.get(location)) else {
            continue;
        };
        let status_action = f.status.as_ref().and_then(|s| s.action);
        let mut push = |kind: OperationKind, depends_on: Vec<OperationId>| {
            let id = ops.len();
            ops.push(Operation {
                id,
                campaign: f.name.clone(),
                target,
                manifest: Some(location.clone()),
                kind,
                depends_on: create.into_iter().chain(depends_on).collect(),
            });
            id
        };
        let stop = (status_action == Some(StatusAction::Stop))
            .then(|| push(OperationKind::Stop, Vec::new()));
        let leads = f.leads.as_ref().filter(|l| !l.to_add.is_empty()).map(|l| {
            // A stop planned before the leads means the campaign will not be running
            // when they arrive.
            let calls = l.campaign_running && stop.is_none();
            push(
                OperationKind::AddLeads {
                    // The view's leads, shared: not a second copy.
                    leads: Arc::clone(&l.to_add),
                    campaign_running: calls,
                },
                stop.into_iter().collect(),
            )
        });
        // Changing the variables of leads a campaign already holds adds no lead and changes no
        // lead's status, so it places no call by itself: a running campaign calls those leads
        // anyway (now with the new variables, if not yet called), and never calls one again
        // because its variables changed. So it needs only the writes approval.
        let updates = f
            .leads
            .as_ref()
            .filter(|l| !l.to_update.is_empty())
            .map(|l| {
                push(
                    OperationKind::UpdateLeads {
                        updates: l.to_update.clone(),
                    },
                    stop.into_iter().collect(),
                )
            });
        if status_action == Some(StatusAction::Start) {
            let expected_status = match (create, f.status.as_ref()) {
                (Some(_), _) | (None, None) => CampaignStatus::Draft,
                (None, Some(s)) => CampaignStatus::parse(Some(&s.actual)),
            };
            push(
                OperationKind::Start { expected_status },
                leads.into_iter().chain(updates).collect(),
            );
        }
    }
    ops
}

fn push_create(
    ops: &mut Vec<Operation>,
    name: &str,
    location: &Location,
    request: &Arc<CreateCampaign>,
    depends_on: Vec<OperationId>,
) -> OperationId {
    let id = ops.len();
    ops.push(Operation {
        id,
        campaign: name.to_owned(),
        target: Target::Created { by: id },
        manifest: Some(location.clone()),
        kind: OperationKind::CreateCampaign {
            // The view's body, shared: not a second copy.
            request: Arc::clone(request),
            assistant_from: None,
        },
        depends_on,
    });
    id
}

/// `DELETE /user/campaign/{id}`: destroys data, so it needs its own approval.
fn delete_op(
    id: OperationId,
    name: &str,
    campaign: u64,
    manifest: Option<Location>,
    status: &CampaignStatus,
    leads: Option<usize>,
    depends_on: Vec<OperationId>,
) -> Operation {
    Operation {
        id,
        campaign: name.to_owned(),
        target: Target::Existing { id: campaign },
        manifest,
        kind: OperationKind::DeleteCampaign {
            expected_status: status.clone(),
            leads,
        },
        depends_on,
    }
}
