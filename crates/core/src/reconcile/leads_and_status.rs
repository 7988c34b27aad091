//! What a campaign needs beyond its creation: the leads it lacks and the status it should be in,
//! plus what its references resolved to (for display). Planned purely from the manifests, the
//! campaign plan and the observed campaigns and leads; turned into operations by `operation`.
//! Leads are added (matched by normalised phone number) and their variables updated (merged, as
//! the platform does), never removed; leads no manifest declares are counted and left alone.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::api::types::CampaignStatus;
use crate::manifest::{DesiredLead, DesiredStatus, Diagnostic, Location, Manifest};

pub use super::model::{CampaignDetails, LeadsChange, StatusAction, StatusChange};
pub use super::observed::{observed_leads, ObservedLead, ObservedLeads};
pub use super::operation::LeadUpdate;

use super::applied::{may_start, StartContext};
use super::attention::status_warning;
use super::lifecycle::LifecycleOptions;
use super::model::{CannotAct, Disposition, Explanation, Plan};
use super::observed::Observed;
use super::resolve::References;

/// Two variable values as the platform may echo them: a number or boolean sent may come back
/// as its text (PHP), which is the same value, not a change.
fn same_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    a == b || matches!((text(a), text(b)), (Some(x), Some(y)) if x == y)
}

/// The updates that bring the platform's leads to the declared variables, and how many leads
/// hold variables the manifest does not set (a merge cannot remove them).
pub fn lead_updates(
    declared: &[DesiredLead],
    on_platform: &[ObservedLead],
) -> (Vec<LeadUpdate>, usize) {
    let by_number: BTreeMap<&str, &ObservedLead> = on_platform
        .iter()
        .map(|l| (l.phone_number.as_str(), l))
        .collect();
    let mut updates = Vec::new();
    let mut extra = 0;
    for d in declared {
        let Some(have) = by_number.get(d.phone_number.as_str()) else {
            continue;
        };
        let variables: BTreeMap<String, serde_json::Value> = d
            .variables
            .iter()
            .filter(|(k, v)| !have.variables.get(*k).is_some_and(|h| same_value(h, v)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if have.variables.keys().any(|k| !d.variables.contains_key(k)) {
            extra += 1;
        }
        if !variables.is_empty() {
            updates.push(LeadUpdate {
                lead_id: have.id,
                phone_number: d.phone_number.clone(),
                variables,
                source: d.source.clone(),
            });
        }
    }
    (updates, extra)
}

impl Plan {
    /// Whether applying the plan writes anything: read from the operations, which are all that
    /// runs (every create, replace, delete, lead and status change is one).
    pub fn has_writes(&self) -> bool {
        !self.operations.is_empty()
    }

    /// The campaigns whose start git does not ask for, left alone: warnings, never "No
    /// changes", never a change (`--detailed-exitcode` stays 0).
    pub fn starts_left_alone(&self) -> impl Iterator<Item = &CampaignDetails> {
        self.leads_and_status
            .iter()
            .filter(|f| f.left_alone().is_some())
    }

    pub fn leads_and_status_of(&self, name: &str) -> Option<&CampaignDetails> {
        self.leads_and_status.iter().find(|f| f.name == name)
    }

    /// Each manifest's leads and status, by the manifest's location: how a renderer finds an
    /// action's details (built once; a search per action is quadratic in the fleet).
    pub fn leads_and_status_by_manifest(&self) -> HashMap<&Location, &CampaignDetails> {
        self.leads_and_status
            .iter()
            .map(|f| (&f.manifest, f))
            .collect()
    }
}

/// The leads and status changes of every manifest the plan has an action for (a name held by several remote
/// campaigns has none, and gets none), and the errors that block them.
pub fn plan_leads_and_status(
    desired: &[Manifest],
    plan: &Plan,
    observed: &Observed,
    leads: &ObservedLeads,
    references: &BTreeMap<String, References>,
    options: &LifecycleOptions,
) -> (Vec<CampaignDetails>, Vec<Diagnostic>) {
    // At most one entry per manifest: sized once, where growing by doubling held up to twice
    // the room at the peak of a large plan.
    let mut leads_and_status = Vec::with_capacity(desired.len());
    let mut diagnostics = Vec::new();
    // By manifest location: one lookup per manifest, not a scan of every action.
    let actions: HashMap<&Location, &Explanation> = plan
        .actions
        .iter()
        .filter_map(|a| Some((a.manifest.as_ref()?, a)))
        .collect();
    let status_of: HashMap<u64, &CampaignStatus> = observed
        .campaigns
        .iter()
        .map(|c| (c.id, &c.status))
        .collect();
    for m in desired {
        let spec = &m.spec;
        let Some(action) = actions.get(&m.location).copied() else {
            continue;
        };
        let remote_id = match action.kind {
            // Nothing is added to or started on a campaign that goes.
            Disposition::Delete { .. } | Disposition::Absent => continue,
            // The replacement is a new campaign: all its leads are added, it starts as a draft.
            Disposition::Replace { .. } => None,
            _ => action.remote_id,
        };
        let on_platform: &[ObservedLead] = remote_id
            .and_then(|id| leads.get(&id))
            .map_or(&[], Vec::as_slice);
        let leads_change = spec.leads.as_ref().map(|l| {
            let have: HashSet<&str> = on_platform
                .iter()
                .map(|l| l.phone_number.as_str())
                .collect();
            let declared: HashSet<&str> = l.items.iter().map(|d| d.phone_number.as_str()).collect();
            let (to_update, extra_variables) = lead_updates(&l.items, on_platform);
            LeadsChange {
                declared: l.items.len(),
                on_platform: on_platform.len(),
                to_add: l
                    .items
                    .iter()
                    .filter(|d| !have.contains(d.phone_number.as_str()))
                    .cloned()
                    .collect(),
                campaign_running: false,
                to_update,
                undeclared: have.difference(&declared).count(),
                extra_variables,
            }
        });
        // A campaign this plan creates starts as a draft. An existing campaign whose status the
        // platform did not return is in an unknown state: never started from, never assumed
        // to be a draft.
        let actual = match remote_id {
            None => CampaignStatus::Draft,
            Some(id) => status_of.get(&id).map(|s| (*s).clone()).unwrap_or_default(),
        };
        let mut status = spec.status.map(|desired| status_change(desired, &actual));
        // A start git does not ask for (a person's stop, a campaign deleted by hand) is left
        // alone, with a warning at the manifest's `status:`.
        if let Some(s) = status
            .as_mut()
            .filter(|s| s.action == Some(StatusAction::Start))
        {
            let ctx = StartContext {
                record: &options.applied,
                name: &spec.name,
                remote_id: action.remote_id,
                self_heal: options.self_heal_calls,
            };
            // A replaced draft is looked up as the draft it replaces.
            // Its warning is `attention::status_warning`'s, below, as for everything apply
            // does not act on.
            if let Err(why) = may_start(&ctx, &actual) {
                s.action = None;
                s.note = Some(why.note().to_owned());
                s.left_alone = Some(why);
                s.cannot_act = Some(CannotAct::StartLeftAlone);
            }
        }
        // A draft that differs from its manifest and is not replaced (the replacement is held,
        // or the draft holds leads its manifest does not declare) is not started: it would call
        // with settings the manifest no longer asks for, and once it has run it could never be
        // replaced.
        if let Some(s) = status.as_mut().filter(|s| {
            s.action == Some(StatusAction::Start)
                && actual == CampaignStatus::Draft
                && matches!(action.kind, Disposition::Drift { .. })
        }) {
            s.action = None;
            s.note = Some(
                "the draft differs from its manifest and is not replaced (see its drift), so it is not started with settings the manifest no longer asks for".to_owned(),
            );
            s.cannot_act = Some(CannotAct::StatusLeftAsIs);
        }
        // A campaign stopped by this plan is stopped before its new leads arrive (the stop
        // operation comes first), so they are not called.
        let stopping = status
            .as_ref()
            .is_some_and(|s| s.action == Some(StatusAction::Stop));
        let leads_change = leads_change.map(|l| LeadsChange {
            campaign_running: actual.dials_new_leads() && !stopping,
            ..l
        });
        if status
            .as_ref()
            .is_some_and(|s| s.action == Some(StatusAction::Start))
        {
            let after = on_platform.len() + leads_change.as_ref().map_or(0, |l| l.to_add.len());
            if after == 0 {
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("status")),
                        format!(
                            "status: running needs leads, and campaign {:?} would have none; the platform refuses to start a campaign without leads",
                            spec.name
                        ),
                    )
                    .with_field("status")
                    .with_hint("add leads: { file: leads.csv } or leads: { items: [...] }, or set status: draft"),
                );
            }
        }
        let change = CampaignDetails {
            name: spec.name.clone(),
            manifest: m.location.clone(),
            remote_id,
            references: references.get(&spec.name).cloned().unwrap_or_default(),
            leads: leads_change,
            status,
        };
        diagnostics.extend(status_warning(&change, m.locate("status")));
        if !change.references.is_empty() || change.leads.is_some() || change.status.is_some() {
            leads_and_status.push(change);
        }
    }
    (leads_and_status, diagnostics)
}

impl StatusChange {
    /// A status apply acts on (`action`), or that is already as wanted (`None`).
    pub fn acting(
        desired: DesiredStatus,
        actual: &CampaignStatus,
        action: Option<StatusAction>,
    ) -> StatusChange {
        StatusChange {
            desired,
            actual: actual.label().to_owned(),
            action,
            note: None,
            cannot_act: None,
            left_alone: None,
        }
    }

    /// A status that differs from the manifest's and that apply leaves as it is, for `kind`
    /// (`note` says why, and what to do): a warning in every rendering, never "as wanted"
    /// (`attention`).
    pub fn not_acting(
        desired: DesiredStatus,
        actual: &CampaignStatus,
        kind: CannotAct,
        note: impl Into<String>,
    ) -> StatusChange {
        StatusChange {
            desired,
            actual: actual.label().to_owned(),
            action: None,
            note: Some(note.into()),
            cannot_act: Some(kind),
            left_alone: None,
        }
    }
}

/// What to do to bring a campaign from `actual` to `desired`. Starting happens only from a
/// status that is known to be startable; anything else is reported, not acted on: a status
/// campaignctl does not know always (whatever the manifest wants, nothing can be assumed from
/// it), and a known one it does not change from (`attention`).
pub fn status_change(desired: DesiredStatus, actual: &CampaignStatus) -> StatusChange {
    use CampaignStatus::*;
    let act = |action| StatusChange::acting(desired, actual, action);
    let left =
        |note: &str| StatusChange::not_acting(desired, actual, CannotAct::StatusLeftAsIs, note);
    match (desired, actual) {
        // A campaign that must not exist is deleted, not given a status.
        (DesiredStatus::Deleted, _) => act(None),
        (_, Unknown(_) | NotReturned) => StatusChange::not_acting(
            desired,
            actual,
            CannotAct::UnknownStatus,
            "campaignctl does not know this status and cannot act on it; left as it is",
        ),
        (DesiredStatus::Draft, InProgress) => {
            left("the campaign is running; draft never stops it (write status: stopped to stop it)")
        }
        (DesiredStatus::Draft, _) => act(None),
        (DesiredStatus::Running, InProgress) => act(None),
        (DesiredStatus::Running, Draft | Stopped | Paused) => act(Some(StatusAction::Start)),
        (DesiredStatus::Running, Completed) => {
            left("the campaign has completed; campaignctl does not restart a completed campaign")
        }
        (DesiredStatus::Stopped, InProgress) => act(Some(StatusAction::Stop)),
        (DesiredStatus::Stopped, Draft | Stopped | Completed) => act(None),
        (DesiredStatus::Stopped, Paused) => {
            left("campaignctl does not stop a paused campaign; left as it is")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_differing_declared_variables_are_updated_and_extra_ones_are_counted() {
        let declared = |vars: serde_json::Value| DesiredLead {
            phone_number: "+14155550101".into(),
            variables: serde_json::from_value(vars).unwrap_or_default(),
            source: Location::new("m.yaml", 3, 1),
        };
        let have = ObservedLead {
            id: 7,
            phone_number: "+14155550101".into(),
            variables: serde_json::from_value(
                serde_json::json!({"name": "Ada", "score": "3", "old": "x"}),
            )
            .unwrap_or_default(),
        };
        let (updates, extra) = lead_updates(
            &[declared(serde_json::json!({"name": "Bea", "score": 3}))],
            std::slice::from_ref(&have),
        );
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0].lead_id, 7);
        assert_eq!(
            updates[0].variables.keys().collect::<Vec<_>>(),
            ["name"],
            "3 and \"3\" are the same value as the platform echoes it"
        );
        assert_eq!(extra, 1, "`old` cannot be removed through a merge");
        let (none, _) = lead_updates(
            &[declared(serde_json::json!({"name": "Ada"}))],
            std::slice::from_ref(&have),
        );
        assert!(none.is_empty());
    }

    #[test]
    fn running_starts_only_from_a_startable_status() {
        use DesiredStatus::*;
        let action = |d, a: &str| status_change(d, &CampaignStatus::parse(Some(a))).action;
        assert_eq!(action(Running, "draft"), Some(StatusAction::Start));
        assert_eq!(action(Running, "stopped"), Some(StatusAction::Start));
        assert_eq!(
            action(Running, "in-progress"),
            None,
            "already running: a re-plan is empty"
        );
        assert_eq!(
            action(Running, "completed"),
            None,
            "a completed campaign is not restarted"
        );
        assert_eq!(
            action(Running, "mystery"),
            None,
            "an unknown status is never started from"
        );
        assert_eq!(action(Stopped, "in-progress"), Some(StatusAction::Stop));
        assert_eq!(action(Stopped, "stopped"), None);
        assert_eq!(
            action(Stopped, "draft"),
            None,
            "a draft places no calls: nothing to stop"
        );
        assert_eq!(action(Draft, "draft"), None);
        assert_eq!(
            action(Draft, "in-progress"),
            None,
            "draft never starts or stops"
        );
        assert!(
            status_change(Draft, &CampaignStatus::InProgress)
                .note
                .is_some(),
            "but says so"
        );
    }
}
