//! Whether a campaign's calling window is open at an instant, and when it next opens: a pure
//! function of the window (hours, days, zone) and an injected "now", on chrono-tz's zone data,
//! so daylight-saving changes move the window with the local clock as the platform's does.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

use crate::api::types::RemoteCampaign;
use crate::campaign::{ClockTime, Weekday};

/// The platform's window when a campaign leaves it out (docs/platform-api.md): the whole day,
/// every day.
pub(crate) const DEFAULT_START: ClockTime = ClockTime { hour: 0, minute: 0 };
pub(crate) const DEFAULT_END: ClockTime = ClockTime {
    hour: 23,
    minute: 59,
};

/// A calling window: from `start` to `end` (local wall-clock times in `zone`, the end not
/// included) on each of `days`. A window whose end is not after its start never opens: the
/// window runs within one day, as the calling-hours lint says.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub start: ClockTime,
    pub end: ClockTime,
    pub days: Vec<Weekday>,
    pub zone: Tz,
}

/// Where a window stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    /// The window is open at the instant.
    pub open: bool,
    /// The next opening strictly after the instant (a window open now: the one after it
    /// closes); `None` when the window never opens (no days, an empty or inverted window).
    pub next_open: Option<DateTime<Tz>>,
}

impl Window {
    /// The window a listed campaign calls in, its hours and days as the platform returned
    /// them (the platform's defaults where it returned none), in `zone`: the list never
    /// returns a campaign's zone, so the caller says which it knows.
    pub fn of(campaign: &RemoteCampaign, zone: Tz) -> Window {
        Window {
            start: campaign.allowed_hours_start_time.unwrap_or(DEFAULT_START),
            end: campaign.allowed_hours_end_time.unwrap_or(DEFAULT_END),
            days: campaign
                .allowed_days
                .clone()
                .unwrap_or_else(|| Weekday::ALL.to_vec()),
            zone,
        }
    }

    pub(crate) fn calls_on(&self, day: NaiveDate) -> bool {
        let index = day.weekday().num_days_from_monday() as usize;
        self.start < self.end && self.days.contains(&Weekday::ALL[index])
    }
}

/// Whether `window` is open at `now`, and when it next opens. Open means: the local date in
/// the window's zone is one of its days and the local time is from its start to before its
/// end. The next opening is the first day's start after `now` (within eight days: every day
/// of the week and the rest of today); a start that a daylight-saving gap skips opens when the
/// clock jumps past it, and one that occurs twice (the clock set back) opens at the first.
pub fn window_state(window: &Window, now: DateTime<Utc>) -> WindowState {
    let local = now.with_timezone(&window.zone).naive_local();
    // Hours and minutes of a valid time are below 24 and 60: they fit a `u8`.
    let time = ClockTime {
        hour: local.hour() as u8,
        minute: local.minute() as u8,
    };
    let open = window.calls_on(local.date()) && window.start <= time && time < window.end;
    let next_open = (0..=7)
        .filter_map(|d| local.date().checked_add_signed(Duration::days(d)))
        .filter(|day| window.calls_on(*day))
        .filter_map(|day| at(window.zone, day, window.start))
        .find(|opening| opening.with_timezone(&Utc) > now);
    WindowState { open, next_open }
}

/// The instant the local clock in `zone` first shows `time` on `day`, or first passes it when
/// a daylight-saving gap skips it.
pub(crate) fn at(zone: Tz, day: NaiveDate, time: ClockTime) -> Option<DateTime<Tz>> {
    let wall: NaiveDateTime = day.and_hms_opt(time.hour.into(), time.minute.into(), 0)?;
    // Gaps are at most a few hours (most are one): the first minute after it that exists.
    (0..=24 * 60).find_map(
        |m| match zone.from_local_datetime(&(wall + Duration::minutes(m))) {
            LocalResult::Single(t) => Some(t),
            LocalResult::Ambiguous(first, _) => Some(first),
            LocalResult::None => None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("an RFC 3339 instant")
            .with_timezone(&Utc)
    }

    fn window(start: (u8, u8), end: (u8, u8), days: &[Weekday], zone: Tz) -> Window {
        Window {
            start: ClockTime {
                hour: start.0,
                minute: start.1,
            },
            end: ClockTime {
                hour: end.0,
                minute: end.1,
            },
            days: days.to_vec(),
            zone,
        }
    }

    fn weekdays() -> Vec<Weekday> {
        Weekday::ALL[..5].to_vec()
    }

    #[test]
    fn open_within_the_hours_in_the_campaigns_own_zone() {
        let w = window((9, 0), (17, 0), &weekdays(), chrono_tz::America::New_York);
        // Wednesday 2026-12-02 15:00 UTC is 10:00 in New York (EST, UTC-5).
        let s = window_state(&w, utc("2026-12-02T15:00:00Z"));
        assert!(s.open, "10:00 in New York is within 09:00-17:00");
        assert_eq!(
            s.next_open.map(|t| t.to_rfc3339()),
            Some("2026-12-03T09:00:00-05:00".to_owned()),
            "open now: the next opening is tomorrow's"
        );
        // 22:30 UTC is 17:30 in New York: closed, opens tomorrow at 09:00.
        let s = window_state(&w, utc("2026-12-02T22:30:00Z"));
        assert!(!s.open, "17:30 is after the end");
        assert_eq!(
            s.next_open.map(|t| t.to_rfc3339()),
            Some("2026-12-03T09:00:00-05:00".to_owned())
        );
    }

    #[test]
    fn the_end_is_not_included_and_the_start_is() {
        let w = window((9, 0), (17, 0), &weekdays(), chrono_tz::UTC);
        assert!(window_state(&w, utc("2026-12-02T09:00:00Z")).open);
        assert!(window_state(&w, utc("2026-12-02T16:59:59Z")).open);
        assert!(!window_state(&w, utc("2026-12-02T17:00:00Z")).open);
        assert!(!window_state(&w, utc("2026-12-02T08:59:59Z")).open);
    }

    #[test]
    fn a_friday_evening_opens_on_monday() {
        let w = window((9, 0), (17, 0), &weekdays(), chrono_tz::Asia::Tokyo);
        // Friday 2026-12-04 20:00 in Tokyo (11:00 UTC).
        let s = window_state(&w, utc("2026-12-04T11:00:00Z"));
        assert!(!s.open);
        assert_eq!(
            s.next_open.map(|t| t.to_rfc3339()),
            Some("2026-12-07T09:00:00+09:00".to_owned())
        );
    }

    #[test]
    fn a_day_that_is_today_in_one_zone_and_tomorrow_in_another() {
        // Sunday 2026-12-06 23:30 UTC is already Monday 08:30 in Tokyo.
        let w = window((8, 0), (9, 0), &[Weekday::Monday], chrono_tz::Asia::Tokyo);
        assert!(window_state(&w, utc("2026-12-06T23:30:00Z")).open);
        let w = window((8, 0), (9, 0), &[Weekday::Monday], chrono_tz::UTC);
        assert!(!window_state(&w, utc("2026-12-06T23:30:00Z")).open);
    }

    #[test]
    fn daylight_saving_moves_the_window_with_the_local_clock() {
        // London: BST ends Sunday 2026-10-25. 09:00 local is 08:00 UTC before, 09:00 after.
        let w = window((9, 0), (17, 0), &Weekday::ALL, chrono_tz::Europe::London);
        let s = window_state(&w, utc("2026-10-24T18:00:00Z"));
        assert_eq!(
            s.next_open.map(|t| t.with_timezone(&Utc).to_rfc3339()),
            Some("2026-10-25T09:00:00+00:00".to_owned()),
            "after the clocks go back, 09:00 in London is 09:00 UTC"
        );
        assert!(
            window_state(&w, utc("2026-10-23T08:30:00Z")).open,
            "09:30 BST"
        );
        assert!(
            !window_state(&w, utc("2026-10-26T08:30:00Z")).open,
            "08:30 GMT"
        );
    }

    #[test]
    fn a_start_skipped_by_the_spring_gap_opens_when_the_clock_jumps() {
        // New York: 2026-03-08 02:00 EST jumps to 03:00 EDT; a 02:30 start does not exist.
        let w = window((2, 30), (5, 0), &Weekday::ALL, chrono_tz::America::New_York);
        let s = window_state(&w, utc("2026-03-08T05:00:00Z")); // 00:00 EST
        assert_eq!(
            s.next_open.map(|t| t.to_rfc3339()),
            Some("2026-03-08T03:00:00-04:00".to_owned())
        );
        assert!(
            window_state(&w, utc("2026-03-08T07:10:00Z")).open,
            "03:10 EDT"
        );
    }

    #[test]
    fn a_start_the_autumn_change_repeats_opens_at_the_first() {
        // New York: 2026-11-01 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
        let w = window((1, 30), (5, 0), &Weekday::ALL, chrono_tz::America::New_York);
        let s = window_state(&w, utc("2026-11-01T04:00:00Z")); // 00:00 EDT
        assert_eq!(
            s.next_open.map(|t| t.to_rfc3339()),
            Some("2026-11-01T01:30:00-04:00".to_owned())
        );
    }

    #[test]
    fn a_window_that_never_opens_has_no_next_opening() {
        for w in [
            window((9, 0), (9, 0), &Weekday::ALL, chrono_tz::UTC),
            window((17, 0), (9, 0), &Weekday::ALL, chrono_tz::UTC),
            window((9, 0), (17, 0), &[], chrono_tz::UTC),
        ] {
            let s = window_state(&w, utc("2026-12-02T12:00:00Z"));
            assert_eq!(
                s,
                WindowState {
                    open: false,
                    next_open: None
                },
                "{w:?}"
            );
        }
    }

    #[test]
    fn a_window_on_one_day_a_week_opens_a_week_later_once_it_has_opened() {
        let w = window((9, 0), (17, 0), &[Weekday::Wednesday], chrono_tz::UTC);
        let s = window_state(&w, utc("2026-12-02T10:00:00Z"));
        assert!(s.open);
        assert_eq!(
            s.next_open.map(|t| t.to_rfc3339()),
            Some("2026-12-09T09:00:00+00:00".to_owned())
        );
    }
}
