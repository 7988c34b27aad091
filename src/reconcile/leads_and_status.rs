//! What a campaign needs beyond its creation: the leads it lacks and the status it should be in,
//! plus what its references resolved to (for display). Planned purely from the manifests, the
//! campaign plan and the observed campaigns and leads; turned into operations by `operation`.
//! Leads are only ever added (matched by normalised phone number), never removed.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::api::types::Lead;
use crate::manifest::{
    normalize_phone, DesiredLead, DesiredStatus, Diagnostic, Location, Manifest,
};

use super::observed::Observed;
use super::plan::Plan;
use super::resolve::References;

/// The platform's campaign statuses (docs/platform-api.md, "Campaign statuses").
pub mod remote_status {
    pub const DRAFT: &str = "draft";
    pub const RUNNING: &str = "in-progress";
    pub const STOPPED: &str = "stopped";
    pub const COMPLETED: &str = "completed";
    pub const PAUSED: &str = "paused";
    /// Not a platform status: the list did not say.
    pub const NOT_RETURNED: &str = "(not returned by the platform)";

    /// Whether a campaign in this status may dial leads added to it, now or without another
    /// start: running, and every status campaignctl does not know (paused, anything new, or
    /// none returned) — an unknown state is never assumed to be safe.
    pub fn dials_new_leads(status: Option<&str>) -> bool {
        !matches!(status, Some(DRAFT | STOPPED | COMPLETED))
    }
}

/// The normalised phone numbers of each existing campaign's leads, by campaign id.
pub type ObservedLeads = BTreeMap<u64, Vec<String>>;

/// The phone numbers of `leads`, normalised as manifests' are.
pub fn lead_numbers(leads: &[Lead]) -> Vec<String> {
    leads
        .iter()
        .map(|l| normalize_phone(&l.phone_number).unwrap_or_else(|| l.phone_number.clone()))
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeadsAndStatus {
    pub name: String,
    pub manifest: Location,
    /// `None` when the campaign is created by this plan: its id is known after the create.
    pub remote_id: Option<u64>,
    pub references: References,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leads: Option<LeadsChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusChange>,
}

impl LeadsAndStatus {
    /// Whether applying this leads and status writes anything.
    pub fn has_changes(&self) -> bool {
        self.leads.as_ref().is_some_and(|l| !l.to_add.is_empty())
            || self.status.as_ref().is_some_and(|s| s.action.is_some())
    }

    /// Whether a plan must show this campaign even when its settings are unchanged: it has
    /// something to write, or a note on a status it will not change.
    pub fn worth_showing(&self) -> bool {
        self.has_changes() || self.status.as_ref().is_some_and(|s| s.note.is_some())
    }

    pub fn starts(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|s| s.action == Some(StatusAction::Start))
    }

    /// Leads added to a campaign that is already running: it dials them as they arrive.
    pub fn calls_new_leads(&self) -> bool {
        self.leads
            .as_ref()
            .is_some_and(|l| l.campaign_running && !l.to_add.is_empty())
    }

    /// Whether applying this leads and status places phone calls: a start, or leads added to a
    /// running campaign. Such changes are marked loudly, confirmed separately, and left alone
    /// by `watch` without `--allow-start`.
    pub fn places_calls(&self) -> bool {
        self.starts() || self.calls_new_leads()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeadsChange {
    /// How many leads the manifest declares.
    pub declared: usize,
    /// How many leads the campaign has on the platform now (declared or not).
    pub on_platform: usize,
    /// The declared leads whose phone number the campaign does not have yet (in full, so a
    /// serialised plan holds what apply will send; the plan JSON shows only the count).
    pub to_add: Vec<DesiredLead>,
    /// The campaign is running (`in-progress`) now, or in a status campaignctl does not know,
    /// and this plan does not stop it first, so leads added to it may be called.
    #[serde(default)]
    pub campaign_running: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusAction {
    /// Places real phone calls.
    Start,
    Stop,
}

impl StatusAction {
    /// The `action` of `POST /user/campaigns/update-status`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Start => "start",
            StatusAction::Stop => "stop",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusChange {
    pub desired: DesiredStatus,
    /// The platform's status now (`draft` for a campaign about to be created).
    pub actual: String,
    pub action: Option<StatusAction>,
    /// Why nothing is done although the status differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Totals for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LeadsAndStatusSummary {
    pub leads_to_add: usize,
    pub start: usize,
    pub stop: usize,
}

impl Plan {
    pub fn leads_and_status_summary(&self) -> LeadsAndStatusSummary {
        let mut s = LeadsAndStatusSummary::default();
        for f in &self.leads_and_status {
            s.leads_to_add += f.leads.as_ref().map_or(0, |l| l.to_add.len());
            match f.status.as_ref().and_then(|s| s.action) {
                Some(StatusAction::Start) => s.start += 1,
                Some(StatusAction::Stop) => s.stop += 1,
                None => {}
            }
        }
        s
    }

    /// Whether applying the plan writes anything: a create, a lead or a status change.
    pub fn has_writes(&self) -> bool {
        self.summary().create > 0
            || self
                .leads_and_status
                .iter()
                .any(LeadsAndStatus::has_changes)
    }

    pub fn leads_and_status_of(&self, name: &str) -> Option<&LeadsAndStatus> {
        self.leads_and_status.iter().find(|f| f.name == name)
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
) -> (Vec<LeadsAndStatus>, Vec<Diagnostic>) {
    let mut leads_and_status = Vec::new();
    let mut diagnostics = Vec::new();
    for m in desired {
        let spec = &m.spec;
        let Some(action) = plan
            .actions
            .iter()
            .find(|a| a.manifest.as_ref() == Some(&m.location))
        else {
            continue;
        };
        let remote_id = action.remote_id;
        let on_platform: &[String] = remote_id
            .and_then(|id| leads.get(&id))
            .map_or(&[], Vec::as_slice);
        let leads_change = spec.leads.as_ref().map(|l| {
            let have: HashSet<&str> = on_platform.iter().map(String::as_str).collect();
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
            }
        });
        // A campaign this plan creates starts as a draft. An existing campaign whose status the
        // platform did not return is in an unknown state: never started from, never assumed
        // to be a draft.
        let actual = match remote_id {
            None => remote_status::DRAFT,
            Some(id) => observed
                .campaigns
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.status.as_deref())
                .unwrap_or(remote_status::NOT_RETURNED),
        };
        let status = spec.status.map(|desired| status_change(desired, actual));
        // A campaign stopped by this plan is stopped before its new leads arrive (the stop
        // operation comes first), so they are not called.
        let stopping = status
            .as_ref()
            .is_some_and(|s| s.action == Some(StatusAction::Stop));
        let leads_change = leads_change.map(|l| LeadsChange {
            campaign_running: remote_status::dials_new_leads(Some(actual)) && !stopping,
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
        let change = LeadsAndStatus {
            name: spec.name.clone(),
            manifest: m.location.clone(),
            remote_id,
            references: references.get(&spec.name).cloned().unwrap_or_default(),
            leads: leads_change,
            status,
        };
        if !change.references.is_empty() || change.leads.is_some() || change.status.is_some() {
            leads_and_status.push(change);
        }
    }
    (leads_and_status, diagnostics)
}

/// What to do to bring a campaign from `actual` to `desired`. Starting happens only from a
/// status that is known to be startable; anything else is reported, not acted on.
pub fn status_change(desired: DesiredStatus, actual: &str) -> StatusChange {
    use remote_status::*;
    let (action, note) = match (desired, actual) {
        (DesiredStatus::Draft, RUNNING) => (
            None,
            Some(
                "the campaign is running; draft never stops it (write status: stopped to stop it)"
                    .to_owned(),
            ),
        ),
        (DesiredStatus::Draft, _) => (None, None),
        (DesiredStatus::Running, RUNNING) => (None, None),
        (DesiredStatus::Running, DRAFT | STOPPED | PAUSED) => (Some(StatusAction::Start), None),
        (DesiredStatus::Running, COMPLETED) => (
            None,
            Some(
                "the campaign has completed; campaignctl does not restart a completed campaign"
                    .to_owned(),
            ),
        ),
        (DesiredStatus::Running, other) => (
            None,
            Some(format!(
                "status {other:?} is not one campaignctl knows how to start from; left as it is"
            )),
        ),
        (DesiredStatus::Stopped, RUNNING) => (Some(StatusAction::Stop), None),
        (DesiredStatus::Stopped, DRAFT | STOPPED | COMPLETED) => (None, None),
        (DesiredStatus::Stopped, other) => (
            None,
            Some(format!(
                "status {other:?} is not one campaignctl knows how to stop from; left as it is"
            )),
        ),
    };
    StatusChange {
        desired,
        actual: actual.to_owned(),
        action,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_starts_only_from_a_startable_status() {
        use DesiredStatus::*;
        let action = |d, a| status_change(d, a).action;
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
            status_change(Draft, "in-progress").note.is_some(),
            "but says so"
        );
    }
}
