//! The week grid of calling windows: for each hour of a week in one display zone, which
//! campaigns may call (their windows read in their own zones, so daylight-saving changes move
//! them as the platform's clock does), how many lines they may use at once, and where a
//! window reaches into the quiet hours the calling-hours lint warns about. Pure: the week,
//! the zone and the campaigns are given.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::campaign::ClockTime;
use crate::window_state::{at, Window};

/// One campaign on the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    /// Its window, in its own zone.
    pub window: Window,
    /// `max_calls_in_parallel`, or the platform's default when the manifest leaves it out.
    pub lines: u64,
    /// `lines` is the platform's default (the legend says so).
    pub default_lines: bool,
    /// Why it is on the calendar: declared to run, running on the platform, or neither (only
    /// with `--all`).
    pub state: EntryState,
}

/// Why a campaign is on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Its manifest says `status: running`.
    Declared,
    /// Running on the platform though its manifest does not say so (`--include-remote`).
    Running,
    /// A draft or a stopped campaign: shown with `--all` only.
    Draft,
}

/// One hour of the week in the display zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// The hour does not exist in the display zone this day (the clock jumps over it).
    pub skipped: bool,
    /// The hour occurs twice (the clock is set back): the cell covers both.
    pub repeated: bool,
    /// The campaigns that may call during some part of the hour (indices into the entries).
    pub calling: Vec<usize>,
    /// Of those, the ones whose calling in this hour falls in their own zone's quiet hours
    /// (before 08:00 or after 21:00), as the calling-hours lint warns.
    pub quiet: Vec<usize>,
    /// The sum of the calling campaigns' lines.
    pub lines: u64,
}

/// The week: seven days from `monday`, 24 hours each, in `zone`.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    pub zone: Tz,
    pub monday: NaiveDate,
    /// `days[d][h]`: day `d` (0 = Monday), hour `h` of the display zone.
    pub days: Vec<Vec<Cell>>,
    /// The most lines in use at once over the week, and the first cell where that happens.
    pub peak: Option<Peak>,
}

/// Where the week's peak concurrency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peak {
    pub lines: u64,
    pub day: usize,
    pub hour: usize,
}

/// The quiet hours are the calling-hours lint's own (calls are commonly forbidden before 08:00
/// and after 21:00 local time), so the grid and `validate` mark the same windows.
use crate::lint::{EARLIEST as QUIET_BEFORE, LATEST as QUIET_AFTER};

/// The Monday of the week holding `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The week from `monday` in `zone`, with every entry's window placed on it.
pub fn week(entries: &[Entry], zone: Tz, monday: NaiveDate) -> Week {
    let occurrences: Vec<Vec<Occurrence>> = entries
        .iter()
        .map(|e| occurrences(&e.window, monday))
        .collect();
    let mut days = Vec::with_capacity(7);
    let mut peak: Option<Peak> = None;
    for d in 0..7 {
        let date = monday + Duration::days(d as i64);
        let mut hours = Vec::with_capacity(24);
        for h in 0..24u32 {
            let mut cell = Cell::default();
            match hour_span(zone, date, h) {
                None => cell.skipped = true,
                Some((start, end, repeated)) => {
                    cell.repeated = repeated;
                    for (i, occ) in occurrences.iter().enumerate() {
                        let Some(hit) = occ.iter().find_map(|o| o.within(start, end)) else {
                            continue;
                        };
                        cell.calling.push(i);
                        cell.lines += entries[i].lines;
                        if hit.quiet {
                            cell.quiet.push(i);
                        }
                    }
                }
            }
            if cell.lines > 0 && peak.is_none_or(|p| cell.lines > p.lines) {
                peak = Some(Peak {
                    lines: cell.lines,
                    day: d,
                    hour: h as usize,
                });
            }
            hours.push(cell);
        }
        days.push(hours);
    }
    Week {
        zone,
        monday,
        days,
        peak,
    }
}

/// The instants an hour of `date` in `zone` covers: `None` when the clock skips it, and
/// whether it occurs twice (then it runs from its first start to its last end).
fn hour_span(zone: Tz, date: NaiveDate, hour: u32) -> Option<(DateTime<Utc>, DateTime<Utc>, bool)> {
    let start: NaiveDateTime = date.and_hms_opt(hour, 0, 0)?;
    let end = start + Duration::hours(1);
    let (from, repeated) = match zone.from_local_datetime(&start) {
        LocalResult::Single(t) => (t, false),
        LocalResult::Ambiguous(first, _) => (first, true),
        // A skipped hour: only the whole hour is skipped in practice (a half-hour shift
        // starts the cell when the clock resumes).
        LocalResult::None => {
            let resumed = (1..60).find_map(|m| {
                zone.from_local_datetime(&(start + Duration::minutes(m)))
                    .earliest()
            })?;
            if resumed.naive_local() >= end {
                return None;
            }
            (resumed, false)
        }
    };
    let to = match zone.from_local_datetime(&end) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(_, last) => last,
        LocalResult::None => at_or_after(zone, end)?,
    };
    Some((from.with_timezone(&Utc), to.with_timezone(&Utc), repeated))
}

/// The first instant the clock in `zone` shows `wall` or later.
fn at_or_after(zone: Tz, wall: NaiveDateTime) -> Option<DateTime<Tz>> {
    (0..=24 * 60).find_map(|m| {
        zone.from_local_datetime(&(wall + Duration::minutes(m)))
            .earliest()
    })
}

/// One opening of a window: from `start` to `end`, on `date` of the window's zone.
#[derive(Debug, Clone, Copy)]
struct Occurrence {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    date: NaiveDate,
    zone: Tz,
}

/// The part of an opening inside an hour, and whether that part is in quiet hours.
struct Hit {
    quiet: bool,
}

impl Occurrence {
    fn within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Hit> {
        let start = self.start.max(from);
        let end = self.end.min(to);
        if start >= end {
            return None;
        }
        let local = |t: DateTime<Utc>| t.with_timezone(&self.zone).naive_local();
        let wall = |t: ClockTime| self.date.and_hms_opt(t.hour.into(), t.minute.into(), 0);
        let (quiet_before, quiet_after) = (wall(QUIET_BEFORE)?, wall(QUIET_AFTER)?);
        Some(Hit {
            quiet: local(start) < quiet_before || local(end) > quiet_after,
        })
    }
}

/// Every opening of `window` that can touch the week from `monday` in any display zone: its
/// dates from two days before to two days after (zones are at most 26 hours apart).
fn occurrences(window: &Window, monday: NaiveDate) -> Vec<Occurrence> {
    (-2..9)
        .map(|d| monday + Duration::days(d))
        .filter(|date| window.calls_on(*date))
        .filter_map(|date| {
            let start = at(window.zone, date, window.start)?;
            let end = at(window.zone, date, window.end)?;
            Some(Occurrence {
                start: start.with_timezone(&Utc),
                end: end.with_timezone(&Utc),
                date,
                zone: window.zone,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::Weekday;

    fn entry(name: &str, zone: Tz, start: u8, end: u8, lines: u64) -> Entry {
        Entry {
            name: name.to_owned(),
            window: Window {
                start: ClockTime {
                    hour: start,
                    minute: 0,
                },
                end: ClockTime {
                    hour: end,
                    minute: 0,
                },
                days: Weekday::ALL[..5].to_vec(),
                zone,
            },
            lines,
            default_lines: false,
            state: EntryState::Declared,
        }
    }

    fn hours_of(week: &Week, day: usize, i: usize) -> Vec<usize> {
        (0..24)
            .filter(|h| week.days[day][*h].calling.contains(&i))
            .collect()
    }

    #[test]
    fn a_window_moves_into_the_display_zone() {
        let ny = entry("ny", chrono_tz::America::New_York, 9, 17, 4);
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let w = week(&[ny], chrono_tz::UTC, monday);
        // 09:00-17:00 EST is 14:00-22:00 UTC.
        assert_eq!(hours_of(&w, 0, 0), (14..22).collect::<Vec<_>>());
        assert_eq!(w.peak.map(|p| p.lines), Some(4));
        // Saturday and Sunday: no calls.
        assert!(hours_of(&w, 5, 0).is_empty() && hours_of(&w, 6, 0).is_empty());
    }

    #[test]
    fn a_partial_hour_counts_and_lines_add_up() {
        let mut a = entry("a", chrono_tz::UTC, 9, 10, 2);
        a.window.end = ClockTime {
            hour: 9,
            minute: 30,
        };
        let b = entry("b", chrono_tz::UTC, 9, 12, 3);
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let w = week(&[a, b], chrono_tz::UTC, monday);
        assert_eq!(w.days[0][9].calling, vec![0, 1]);
        assert_eq!(w.days[0][9].lines, 5);
        assert_eq!(w.days[0][10].lines, 3);
        assert_eq!(
            w.peak,
            Some(Peak {
                lines: 5,
                day: 0,
                hour: 9
            })
        );
    }

    #[test]
    fn the_skipped_and_the_repeated_hour_of_the_display_zone() {
        // Europe/London: 2027-03-28 01:00 -> 02:00 (skipped); 2026-10-25 01:00 twice.
        let always = entry("always", chrono_tz::UTC, 0, 23, 1);
        let spring = week(
            std::slice::from_ref(&always),
            chrono_tz::Europe::London,
            NaiveDate::from_ymd_opt(2027, 3, 22).expect("date"),
        );
        assert!(
            spring.days[6][1].skipped,
            "01:00 does not exist on 28 March"
        );
        let autumn = week(
            &[always],
            chrono_tz::Europe::London,
            NaiveDate::from_ymd_opt(2026, 10, 19).expect("date"),
        );
        assert!(
            autumn.days[6][1].repeated,
            "01:00 occurs twice on 25 October"
        );
    }

    #[test]
    fn quiet_hours_are_read_in_the_campaigns_own_zone() {
        let late = entry("late", chrono_tz::Asia::Tokyo, 19, 23, 1);
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let w = week(&[late], chrono_tz::Asia::Tokyo, monday);
        assert!(w.days[0][19].quiet.is_empty() && w.days[0][20].quiet.is_empty());
        assert_eq!(w.days[0][21].quiet, vec![0]);
        assert_eq!(w.days[0][22].quiet, vec![0]);
    }
}
