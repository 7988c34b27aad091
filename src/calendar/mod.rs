//! `campaignctl calendar`: when the manifests' campaigns may call, on one week grid in one zone,
//! with the lines they may use at once. `week` places the windows (pure), `render` draws the
//! grid as text, Markdown, SVG or JSON; `before_and_after_markdown` gives a Markdown plan the
//! week before and after a plan that moves a window.

pub(crate) mod render;
pub(crate) mod week;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::api::types::RemoteCampaign;
use crate::campaign::Weekday;
use crate::manifest::{DesiredStatus, Manifest};
use crate::window_state::{Window, DEFAULT_END, DEFAULT_START};
use campaignctl_core::api::campaign_status::CampaignStatus;

pub(crate) use week::{Entry, EntryState};

/// The platform's `max_calls_in_parallel` when a campaign leaves it out (docs/platform-api.md,
/// "Create a campaign").
pub(crate) const DEFAULT_LINES: u64 = 3;

/// What the calendar shows of a set of manifests: the campaigns placed, and those it cannot
/// place (no `timezone:`: the platform reads their hours in the account's zone, which no
/// manifest shows).
#[derive(Debug, Default)]
pub(crate) struct Entries {
    pub placed: Vec<Entry>,
    pub unplaced: Vec<String>,
    /// With `--include-remote`: campaigns on the platform that no manifest declares (running
    /// ones; every one with `--all`). Not placed: the platform's list does not return a
    /// campaign's zone.
    pub remote_only: Vec<String>,
}

/// The campaigns of `manifests` that call: declared `status: running` (and, with `all`, the
/// drafts and stopped ones too). Tombstones (`status: deleted`) never call.
pub(crate) fn entries(manifests: &[Manifest], all: bool) -> Entries {
    entries_with(manifests, all, None)
}

/// `entries`, and with the platform's campaigns (`--include-remote`): a campaign running on the
/// platform is shown whatever its manifest says, and the running campaigns no manifest
/// declares are listed (not placed: their zone is not listed).
pub(crate) fn entries_with(
    manifests: &[Manifest],
    all: bool,
    remote: Option<&[RemoteCampaign]>,
) -> Entries {
    let mut out = Entries::default();
    // A manifest means the campaign it adopts by id, else the one of its name: both indexed
    // once, as a fleet's lists are long.
    let listed = remote.unwrap_or_default();
    let by_id: HashMap<u64, &RemoteCampaign> = listed.iter().map(|c| (c.id, c)).collect();
    let mut by_name: HashMap<&str, Vec<&RemoteCampaign>> = HashMap::new();
    for c in listed {
        by_name.entry(c.name.as_str()).or_default().push(c);
    }
    let running_on_platform = |spec: &crate::manifest::CampaignSpec| match spec.id {
        Some(id) => by_id
            .get(&id)
            .is_some_and(|c| c.status == CampaignStatus::InProgress),
        None => by_name
            .get(spec.name.as_str())
            .is_some_and(|cs| cs.iter().any(|c| c.status == CampaignStatus::InProgress)),
    };
    for m in manifests {
        let spec = &m.spec;
        let state = match spec.status {
            Some(DesiredStatus::Deleted) => continue,
            Some(DesiredStatus::Running) => EntryState::Declared,
            _ if running_on_platform(spec) => EntryState::Running,
            _ if all => EntryState::Draft,
            _ => continue,
        };
        let Some(zone) = spec.timezone.as_deref().and_then(|z| z.parse::<Tz>().ok()) else {
            out.unplaced.push(spec.name.clone());
            continue;
        };
        out.placed.push(Entry {
            name: spec.name.clone(),
            window: Window {
                start: spec.allowed_hours_start_time.unwrap_or(DEFAULT_START),
                end: spec.allowed_hours_end_time.unwrap_or(DEFAULT_END),
                days: spec
                    .allowed_days
                    .clone()
                    .unwrap_or_else(|| Weekday::ALL.to_vec()),
                zone,
            },
            lines: spec.max_calls_in_parallel.unwrap_or(DEFAULT_LINES),
            default_lines: spec.max_calls_in_parallel.is_none(),
            state,
        });
    }
    let adopted: HashSet<u64> = manifests.iter().filter_map(|m| m.spec.id).collect();
    let named: HashSet<&str> = manifests
        .iter()
        .filter(|m| m.spec.id.is_none())
        .map(|m| m.spec.name.as_str())
        .collect();
    for c in listed {
        let declared = adopted.contains(&c.id) || named.contains(c.name.as_str());
        if !declared && (all || c.status == CampaignStatus::InProgress) {
            out.remote_only.push(c.name.clone());
        }
    }
    out
}

/// The fields that move a calling window.
const WINDOW_FIELDS: [&str; 4] = [
    "allowed_hours_start_time",
    "allowed_hours_end_time",
    "allowed_days",
    "timezone",
];

/// For a plan's Markdown comment: the calendar before and after the plan, when the plan changes
/// when its campaigns call (a window, its days or its zone differs, or a campaign declared to run
/// is created). Before is the manifests' windows with each planned change taken back to the
/// value the plan compared with (the platform's, or the baseline's for the zone); a campaign the
/// plan creates was not calling before. `None` when the plan changes no window.
pub(crate) fn before_and_after_markdown(
    plan: &crate::reconcile::Plan,
    manifests: &[Manifest],
    zone: Tz,
    monday: NaiveDate,
) -> Option<String> {
    use crate::reconcile::Disposition;
    let after = entries(manifests, false);
    let mut before = Entries {
        placed: Vec::new(),
        unplaced: after.unplaced.clone(),
        remote_only: Vec::new(),
    };
    let mut changed = false;
    // Looked up by name once, not searched per campaign: a fleet's plan is large.
    let declared: HashMap<&str, &Disposition> = plan
        .actions
        .iter()
        .filter(|a| a.manifest.is_some())
        .map(|a| (a.name.as_str(), &a.kind))
        .collect();
    for e in &after.placed {
        let changes = match declared.get(e.name.as_str()).copied() {
            Some(Disposition::Create { .. }) => {
                changed = true;
                continue;
            }
            Some(Disposition::Drift { changes, .. } | Disposition::Replace { changes, .. }) => {
                changes.as_slice()
            }
            _ => &[],
        };
        let mut was = e.clone();
        for c in changes.iter().filter(|c| WINDOW_FIELDS.contains(&c.field)) {
            changed |= take_back(&mut was, c.field, &c.actual);
        }
        before.placed.push(was);
    }
    if !changed {
        return None;
    }
    let grid_before = week::week(&before.placed, zone, monday);
    let grid_after = week::week(&after.placed, zone, monday);
    Some(format!(
        "<details><summary>When the campaigns call, before and after this plan</summary>\n\n**Before**\n\n{}\n**After**\n\n{}\n</details>\n",
        render::markdown(&grid_before, &before),
        render::markdown(&grid_after, &after)
    ))
}

/// `entry` with `field` set back to `value` (as a plan shows it); whether it moved the window.
fn take_back(entry: &mut Entry, field: &str, value: &serde_json::Value) -> bool {
    let window = &mut entry.window;
    let was = window.clone();
    match field {
        "allowed_hours_start_time" => {
            window.start = value
                .as_str()
                .and_then(crate::campaign::ClockTime::parse_hi)
                .unwrap_or(DEFAULT_START);
        }
        "allowed_hours_end_time" => {
            window.end = value
                .as_str()
                .and_then(crate::campaign::ClockTime::parse_hi)
                .unwrap_or(DEFAULT_END);
        }
        "allowed_days" => {
            window.days = value
                .as_array()
                .map(|days| {
                    days.iter()
                        .filter_map(|d| d.as_str()?.parse().ok())
                        .collect()
                })
                .unwrap_or_else(|| Weekday::ALL.to_vec());
        }
        "timezone" => {
            if let Some(zone) = value.as_str().and_then(|z| z.parse::<Tz>().ok()) {
                window.zone = zone;
            }
        }
        _ => {}
    }
    *window != was
}

/// The Monday of the week `spec` names: an ISO week (`2027-W12`) or any date in it
/// (`2027-03-24`).
pub(crate) fn parse_week(spec: &str) -> Result<NaiveDate, String> {
    let iso = spec.split_once("-W").or_else(|| spec.split_once("-w"));
    if let Some((year, week)) = iso {
        let (Ok(year), Ok(week)) = (year.parse::<i32>(), week.parse::<u32>()) else {
            return Err(format!("{spec:?} is not an ISO week such as 2027-W12"));
        };
        return NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
            .ok_or_else(|| format!("{year} has no week {week}"));
    }
    NaiveDate::parse_from_str(spec, "%Y-%m-%d")
        .map(week::monday_of)
        .map_err(|_| format!("{spec:?} is neither an ISO week (2027-W12) nor a date (2027-03-24)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_is_named_by_its_iso_number_or_any_of_its_dates() {
        let monday = NaiveDate::from_ymd_opt(2027, 3, 22).expect("date");
        assert_eq!(parse_week("2027-W12"), Ok(monday));
        assert_eq!(parse_week("2027-03-24"), Ok(monday));
        assert_eq!(
            parse_week("2027-03-28"),
            Ok(monday),
            "a Sunday is in its week"
        );
        assert!(parse_week("2027-W54").is_err());
        assert!(parse_week("next week").is_err());
    }
}
