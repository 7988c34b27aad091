//! The calling window as the platform validates and stores it (docs/platform-api.md, "Create a
//! campaign"): the documented limits, a time of day (`H:i` in, `H:i:s` out), day names and time
//! zones. Written here from the documentation, not taken from the client, so a rule the client
//! gets wrong shows up as a refused request in a test.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Documented limits of `POST /user/campaign`.
pub(crate) mod limits {
    use std::ops::RangeInclusive;

    pub const NAME_MAX_CHARS: usize = 255;
    pub const MAX_CALLS_IN_PARALLEL: RangeInclusive<u64> = 1..=10;
    pub const MAX_RETRIES: RangeInclusive<u64> = 1..=5;
    /// Minutes (the one page that says seconds is the odd one out).
    pub const RETRY_INTERVAL: RangeInclusive<u64> = 10..=4320;
    pub const GOAL_VARIABLE_MAX_CHARS: usize = 255;
}

/// A time of day with minute precision: what `H:i` can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    /// Strict `H:i` as the create endpoint validates it: two-digit hour 00–23, two-digit minute.
    pub(crate) fn parse_hi(s: &str) -> Option<TimeOfDay> {
        let (hour, minute) = s.split_once(':')?;
        let two_digits = |part: &str| {
            (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u8>().ok())
                .flatten()
        };
        let (hour, minute) = (two_digits(hour)?, two_digits(minute)?);
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }

    /// `H:i:s`, as the platform's database column stores it and every answer returns it.
    pub(crate) fn with_seconds(self) -> String {
        format!("{:02}:{:02}:00", self.hour, self.minute)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.with_seconds())
    }
}

/// Seed and state files may write `09:00` or `09:00:00` (a state file holds the latter).
impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.strip_suffix(":00")
            .filter(|hi| hi.len() == 5)
            .or(Some(s.as_str()))
            .and_then(TimeOfDay::parse_hi)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "invalid time of day {s:?}, expected H:i or H:i:s"
                ))
            })
    }
}

/// A day of the week, spelt as the API takes and returns it (lower case only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Day {
    pub(crate) const ALL: [Day; 7] = [
        Day::Monday,
        Day::Tuesday,
        Day::Wednesday,
        Day::Thursday,
        Day::Friday,
        Day::Saturday,
        Day::Sunday,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Day::Monday => "monday",
            Day::Tuesday => "tuesday",
            Day::Wednesday => "wednesday",
            Day::Thursday => "thursday",
            Day::Friday => "friday",
            Day::Saturday => "saturday",
            Day::Sunday => "sunday",
        }
    }

    /// Exact match only: the API rejects `Monday`.
    pub(crate) fn parse(s: &str) -> Option<Day> {
        Day::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `name` is a zone of the IANA database, as the platform's `timezone` rule requires.
pub(crate) fn is_iana_timezone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strict_h_i_is_a_time() {
        assert_eq!(
            TimeOfDay::parse_hi("09:05"),
            Some(TimeOfDay { hour: 9, minute: 5 }),
            "two-digit hour and minute"
        );
        for bad in [
            "9:00",
            "09:00:00",
            "24:00",
            "12:60",
            "+9:00",
            "09:0\u{e9}",
            "09\u{ff1a}00",
            "",
        ] {
            assert_eq!(TimeOfDay::parse_hi(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn files_may_hold_either_form_and_answers_carry_seconds() {
        for text in ["\"09:30\"", "\"09:30:00\""] {
            let t: TimeOfDay = serde_json::from_str(text).expect("a stored time");
            assert_eq!(t.with_seconds(), "09:30:00", "{text} is half past nine");
        }
        for bad in ["\"09:30:15\"", "\"9:30:00\"", "\"09:30:00:00\""] {
            assert!(
                serde_json::from_str::<TimeOfDay>(bad).is_err(),
                "{bad} is not a time the platform stores"
            );
        }
    }

    #[test]
    fn days_are_lower_case_names() {
        assert_eq!(Day::parse("monday"), Some(Day::Monday), "lower case");
        assert_eq!(Day::parse("Monday"), None, "the API rejects capitals");
    }

    #[test]
    fn zones_come_from_the_tz_database() {
        assert!(is_iana_timezone("America/New_York"), "a real zone");
        assert!(!is_iana_timezone("America/Springfield"), "not a zone");
    }
}
