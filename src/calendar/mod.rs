//! `campaignctl calendar`: when the manifests' campaigns may call, on one week grid in one zone,
//! with the lines they may use at once. `week` places the windows (pure), `render` draws the
//! grid as text, Markdown or JSON.

pub(crate) mod render;
pub(crate) mod week;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::campaign::Weekday;
use crate::manifest::{DesiredStatus, Manifest};
use crate::window_state::Window;

pub(crate) use week::{Entry, EntryState};

/// The platform's `max_calls_in_parallel` when a campaign leaves it out (docs/platform-api.md,
/// "Create a campaign").
pub(crate) const DEFAULT_LINES: u64 = 3;

/// The platform's window for a campaign that leaves its hours out: the whole day.
const DEFAULT_START: crate::campaign::ClockTime = crate::campaign::ClockTime { hour: 0, minute: 0 };
const DEFAULT_END: crate::campaign::ClockTime = crate::campaign::ClockTime {
    hour: 23,
    minute: 59,
};

/// What the calendar shows of a set of manifests: the campaigns placed, and those it cannot
/// place (no `timezone:`: the platform reads their hours in the account's zone, which no
/// manifest shows).
#[derive(Debug, Default)]
pub(crate) struct Entries {
    pub placed: Vec<Entry>,
    pub unplaced: Vec<String>,
}

/// The campaigns of `manifests` that call: declared `status: running` (and, with `all`, the
/// drafts and stopped ones too). Tombstones (`status: deleted`) never call.
pub(crate) fn entries(manifests: &[Manifest], all: bool) -> Entries {
    let mut out = Entries::default();
    for m in manifests {
        let spec = &m.spec;
        let state = match spec.status {
            Some(DesiredStatus::Deleted) => continue,
            Some(DesiredStatus::Running) => EntryState::Declared,
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
    out
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
