//! The campaign domain shared by manifests, the plan and the client: the table of campaign
//! fields (`fields`), the platform's documented rules, and normalisation. Every normalisation
//! rule lives here, so manifests and the plan never disagree about what "the same value" means.
//! The emulator writes the platform's rules down on its own, so a mistake here fails a test.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Documented limits of `POST /user/campaign` (docs/platform-api.md, "Create a campaign").
pub mod limits {
    pub const NAME_MAX_CHARS: usize = 255;
    pub const MAX_CALLS_IN_PARALLEL: std::ops::RangeInclusive<u64> = 1..=10;
    pub const MAX_RETRIES: std::ops::RangeInclusive<u64> = 1..=5;
    /// Minutes (the one page that says seconds is the odd one out).
    pub const RETRY_INTERVAL: std::ops::RangeInclusive<u64> = 10..=4320;
    pub const GOAL_VARIABLE_MAX_CHARS: usize = 255;
}

pub mod fields;

pub use fields::{BEYOND_CREATE_FIELDS, MANIFEST_FIELDS, OBSERVABLE_FIELDS, WRITE_ONCE_FIELDS};

/// Field names are `&'static str` throughout the plan; reading a saved plan maps each name
/// back to its constant in [`MANIFEST_FIELDS`], and refuses a name that is not a field.
pub mod field_name {
    use serde::de::{Deserialize, Deserializer, Error};

    /// `&'static str` under another name, so that serde's derive does not treat it as a
    /// string borrowed from the input.
    pub type Name = &'static str;

    pub fn intern(name: &str) -> Option<&'static str> {
        super::MANIFEST_FIELDS.iter().copied().find(|f| *f == name)
    }

    fn lookup<E: Error>(name: String) -> Result<&'static str, E> {
        intern(&name).ok_or_else(|| E::custom(format!("{name:?} is not a manifest field")))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        lookup(String::deserialize(d)?)
    }

    pub fn deserialize_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(lookup)
            .collect()
    }
}

/// A day of the week as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }

    /// The names the API accepts, for error messages.
    pub fn allowed_names() -> String {
        Weekday::ALL.map(Weekday::as_str).join(", ")
    }
}

impl FromStr for Weekday {
    type Err = ();
    /// Exact, lower-case match only: the API rejects `Monday`.
    fn from_str(s: &str) -> Result<Self, ()> {
        Weekday::ALL.into_iter().find(|d| d.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of days, normalised: sorted Monday first, no repeats. Day lists are sets for comparison.
pub fn normalize_days(days: &[Weekday]) -> Vec<Weekday> {
    let mut v = days.to_vec();
    v.sort();
    v.dedup();
    v
}

/// A wall-clock time of day with minute precision. The API takes `H:i` (`09:00`) and returns
/// `H:i:s` (`09:00:00`); both parse to the same value, and it prints as `H:i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    pub hour: u8,
    pub minute: u8,
}

impl ClockTime {
    /// Strict `H:i` as the create endpoint validates it: two-digit hour 00–23, two-digit minute.
    pub fn parse_hi(s: &str) -> Option<ClockTime> {
        let b = s.as_bytes();
        if b.len() != 5
            || b[2] != b':'
            || !b
                .iter()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_digit())
        {
            return None;
        }
        let hour = (b[0] - b'0') * 10 + (b[1] - b'0');
        let minute = (b[3] - b'0') * 10 + (b[4] - b'0');
        (hour < 24 && minute < 60).then_some(ClockTime { hour, minute })
    }

    /// What the API returns: `H:i:s` (seconds must be `00` to be representable), or `H:i`.
    pub fn parse_api(s: &str) -> Option<ClockTime> {
        match s.len() {
            5 => ClockTime::parse_hi(s),
            // Byte offsets: `get` returns None rather than panic inside a multi-byte character.
            8 if s.get(5..) == Some(":00") => s.get(..5).and_then(ClockTime::parse_hi),
            _ => None,
        }
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u32 {
        u32::from(self.hour) * 60 + u32::from(self.minute)
    }

    /// The `H:i:s` form the platform stores and returns.
    pub fn with_seconds(self) -> String {
        format!("{:02}:{:02}:00", self.hour, self.minute)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ClockTime::parse_api(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid time of day {s:?}, expected H:i or H:i:s"))
        })
    }
}

/// Whether `name` is a time zone in the IANA database (checked against a real tz database).
pub fn is_iana_timezone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_times_are_rejected_without_panicking() {
        for s in [
            "abcd\u{e9}xy",
            "09:0\u{e9}0",
            "\u{e9}\u{e9}\u{e9}\u{e9}",
            "09\u{ff1a}00",
        ] {
            assert_eq!(ClockTime::parse_api(s), None, "{s:?}");
            assert_eq!(ClockTime::parse_hi(s), None, "{s:?}");
        }
    }

    #[test]
    fn hi_and_his_are_the_same_time() {
        assert_eq!(
            ClockTime::parse_hi("09:00"),
            ClockTime::parse_api("09:00:00")
        );
        assert_eq!(
            ClockTime::parse_api("17:30:00")
                .map(|t| t.to_string())
                .as_deref(),
            Some("17:30")
        );
        assert_eq!(
            ClockTime::parse_hi("09:00")
                .map(ClockTime::with_seconds)
                .as_deref(),
            Some("09:00:00")
        );
    }

    #[test]
    fn hi_is_strict() {
        for bad in [
            "9:00", "24:00", "12:60", "12:00:00", "ab:cd", "", "12-00", "１2:00",
        ] {
            assert_eq!(
                ClockTime::parse_hi(bad),
                None,
                "{bad:?} must not parse as H:i"
            );
        }
        assert_eq!(
            ClockTime::parse_api("09:00:30"),
            None,
            "seconds other than 00 are not representable"
        );
    }

    #[test]
    fn days_normalise_to_a_sorted_set() {
        use Weekday::*;
        assert_eq!(
            normalize_days(&[Friday, Monday, Friday]),
            vec![Monday, Friday]
        );
    }

    #[test]
    fn timezones_come_from_the_tz_database() {
        assert!(is_iana_timezone("America/New_York"));
        assert!(is_iana_timezone("UTC"));
        assert!(!is_iana_timezone("America/Springfield"));
        assert!(!is_iana_timezone("EST5EDT-ish"));
    }
}
