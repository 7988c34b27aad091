//! One row per campaign of a plan, as `status` shows it and `watch`'s per-campaign gauges
//! count it: platform status, whether it is in line with its manifest (read from the plan,
//! never compared again), its leads by platform lead status, and its calling window at an
//! injected "now". Pure: everything it shows was read before.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::api::types::{Lead, RemoteCampaign};
use crate::manifest::Manifest;
use crate::reconcile::operation::Target;
use crate::reconcile::{Disposition, Plan};
use crate::shown_path::ShownFrom;
use crate::window_state::{window_state, Window, WindowState};

/// Whether a campaign is as its manifest says, in the words Argo CD uses for an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Nothing to do: the plan has no operation for it and nothing apply cannot act on.
    Synced,
    /// It differs (drift, a draft to replace, leads to add or update, a status to change, a
    /// delete, a status apply cannot act on).
    OutOfSync,
    /// Its manifest declares it and the platform has no such campaign: the plan creates it.
    Missing,
    /// On the platform, in no manifest.
    Unmanaged,
}

impl SyncStatus {
    pub const ALL: [SyncStatus; 4] = [
        SyncStatus::Synced,
        SyncStatus::OutOfSync,
        SyncStatus::Missing,
        SyncStatus::Unmanaged,
    ];

    /// As JSON and the metrics' labels spell it: `out_of_sync`.
    pub fn key(self) -> &'static str {
        match self {
            SyncStatus::Synced => "synced",
            SyncStatus::OutOfSync => "out_of_sync",
            SyncStatus::Missing => "missing",
            SyncStatus::Unmanaged => "unmanaged",
        }
    }

    /// As the table shows it: `OutOfSync`.
    pub fn label(self) -> &'static str {
        match self {
            SyncStatus::Synced => "Synced",
            SyncStatus::OutOfSync => "OutOfSync",
            SyncStatus::Missing => "Missing",
            SyncStatus::Unmanaged => "Unmanaged",
        }
    }
}

/// Leads by platform lead status (`created`, `completed`, ...; a lead without one is
/// `unknown`), as the account's lead list returned them.
pub type LeadCounts = BTreeMap<String, u64>;

/// The status a lead without one is counted under.
pub const UNKNOWN_LEAD_STATUS: &str = "unknown";

/// The platform's lead statuses in the order a lead passes through them; others follow.
pub const LEAD_STATUSES: [&str; 7] = [
    "created",
    "scheduled",
    "processing",
    "rescheduled",
    "completed",
    "reached-max-retries",
    "blacklisted",
];

/// Every campaign's leads counted by status, by campaign id.
pub fn count_leads(leads: &[Lead]) -> BTreeMap<u64, LeadCounts> {
    let mut out: BTreeMap<u64, LeadCounts> = BTreeMap::new();
    for lead in leads {
        let status = lead.status.as_deref().unwrap_or(UNKNOWN_LEAD_STATUS);
        *out.entry(lead.campaign_id)
            .or_default()
            .entry(status.to_owned())
            .or_default() += 1;
    }
    out
}

/// A campaign's calling window at the instant the rows were made.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowNow {
    /// The zone the window is read in: the manifest's `timezone`.
    pub zone: Tz,
    pub state: WindowState,
}

/// One campaign's line.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    /// The platform's id; `None` for a campaign that does not exist.
    pub id: Option<u64>,
    /// The platform's status (`in-progress`, ...); `None` for a campaign that does not exist.
    pub status: Option<String>,
    pub sync: SyncStatus,
    /// Leads by status (empty: none, or a campaign that does not exist).
    pub leads: LeadCounts,
    /// `None` when the campaign does not exist, or its zone is not known: the platform never
    /// returns a campaign's zone, so only a manifest's `timezone:` gives it.
    pub window: Option<WindowNow>,
    /// Where its manifest declares it (`file:line:column`); `None` when unmanaged.
    pub manifest: Option<String>,
}

/// The rows of `plan` (made from `manifests` and the platform's `campaigns`), with each
/// campaign's leads from `leads` (`count_leads`) and its window at `now`, sorted by name (then
/// id). A row per campaign of the plan's view: a manifest whose name several platform
/// campaigns hold has none, since the plan names none of them and reports the ambiguity as an
/// error. Manifest paths are shown from `shown_from`.
pub fn rows(
    plan: &Plan,
    manifests: &[Manifest],
    campaigns: &[RemoteCampaign],
    leads: &BTreeMap<u64, LeadCounts>,
    now: DateTime<Utc>,
    shown_from: &ShownFrom,
) -> Vec<Row> {
    // The campaigns the plan does something to, or warns apply cannot act on: by id where
    // one exists, else by name (a campaign to create, a tombstone).
    let acted_on: HashSet<(&str, Option<u64>)> = plan
        .operations
        .iter()
        .map(|op| {
            let id = match op.target {
                Target::Existing { id } => Some(id),
                Target::Created { .. } => None,
            };
            (op.campaign.as_str(), id)
        })
        .chain(plan.attention().iter().map(|a| (a.name, a.remote_id)))
        .collect();
    // Looked up by id and name once each: `watch` makes these rows every pass, for fleets of
    // thousands of campaigns.
    let by_id: HashMap<u64, &RemoteCampaign> = campaigns.iter().map(|c| (c.id, c)).collect();
    let zones: HashMap<&str, Tz> = manifests
        .iter()
        .filter_map(|m| {
            let zone = m.spec.timezone.as_deref()?.parse::<Tz>().ok()?;
            Some((m.spec.name.as_str(), zone))
        })
        .collect();
    let mut out: Vec<Row> = plan
        .actions
        .iter()
        .map(|action| {
            let remote = action.remote_id.and_then(|id| by_id.get(&id).copied());
            let in_line = !acted_on.contains(&(action.name.as_str(), action.remote_id));
            let sync = match &action.kind {
                _ if action.manifest.is_none() => SyncStatus::Unmanaged,
                Disposition::Create { .. } => SyncStatus::Missing,
                // A tombstone whose campaign is gone is as its manifest wants it.
                Disposition::Unchanged { .. } | Disposition::Absent if in_line => {
                    SyncStatus::Synced
                }
                _ => SyncStatus::OutOfSync,
            };
            let zone = zones.get(action.name.as_str()).copied();
            let window = remote.zip(zone).map(|(campaign, zone)| WindowNow {
                zone,
                state: window_state(&Window::of(campaign, zone), now),
            });
            Row {
                name: action.name.clone(),
                id: remote.map(|c| c.id),
                status: remote.map(|c| c.status.label().to_owned()),
                sync,
                leads: remote
                    .and_then(|c| leads.get(&c.id))
                    .cloned()
                    .unwrap_or_default(),
                window,
                manifest: action
                    .manifest
                    .as_ref()
                    .map(|l| l.shown(shown_from).to_string()),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    out
}

/// The statuses of `counts` in the order `LEAD_STATUSES` gives, the others after by name.
pub fn ordered(counts: &LeadCounts) -> Vec<(&str, u64)> {
    let known = LEAD_STATUSES
        .iter()
        .filter_map(|s| counts.get(*s).map(|n| (*s, *n)));
    let other = counts
        .iter()
        .filter(|(s, _)| !LEAD_STATUSES.contains(&s.as_str()))
        .map(|(s, n)| (s.as_str(), *n));
    known.chain(other).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(id: u64, campaign_id: u64, status: Option<&str>) -> Lead {
        Lead {
            id,
            campaign_id,
            phone_number: format!("+1415555{id:04}"),
            variables: BTreeMap::new(),
            status: status.map(str::to_owned),
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn leads_are_counted_by_campaign_and_status() {
        let counts = count_leads(&[
            lead(1, 10, Some("created")),
            lead(2, 10, Some("completed")),
            lead(3, 10, Some("created")),
            lead(4, 11, None),
        ]);
        assert_eq!(counts[&10]["created"], 2);
        assert_eq!(counts[&10]["completed"], 1);
        assert_eq!(counts[&11][UNKNOWN_LEAD_STATUS], 1);
        assert!(!counts.contains_key(&12));
    }

    #[test]
    fn statuses_come_in_the_platforms_order_then_by_name() {
        let counts: LeadCounts = [("zeta", 1), ("completed", 2), ("created", 3), ("alpha", 4)]
            .into_iter()
            .map(|(s, n)| (s.to_owned(), n))
            .collect();
        assert_eq!(
            ordered(&counts),
            vec![("created", 3), ("completed", 2), ("alpha", 4), ("zeta", 1)]
        );
    }
}
