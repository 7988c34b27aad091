//! Time zone names that are valid but misleading: legacy links (`US/Eastern`) and fixed
//! offsets (`EST`, `Etc/GMT+5`). Both are accepted by the platform; the lint warns about them.
//!
//! chrono-tz parses link names but does not say which names are links, so the legacy names
//! are listed here. The list is the IANA tz database's `backward` file (release 2025b, the one
//! chrono-tz 0.10 ships): its sections "Pre-1993 naming conventions", "Two-part names that were
//! renamed mostly to three-part names in 1995" and "Alternate names for the same location",
//! plus `WET`. Names of real places that the database merged into a zone with the same clocks
//! since 1970 (`Europe/Amsterdam` → `Europe/Brussels`) are left out on purpose: they are fine
//! to use. A unit test checks every entry against chrono-tz's data: both names parse, and
//! their clocks agree in winter and in summer.

/// What is wrong with a valid time zone name, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneNameIssue {
    /// A legacy name of `canonical`: the same clock, under its current name.
    Legacy { canonical: &'static str },
    /// A fixed offset from UTC without daylight saving; `suggestion` is the zone such names
    /// are usually meant for, when there is a usual one.
    FixedOffset {
        offset: String,
        suggestion: Option<&'static str>,
    },
}

/// The issue with `name` (a name chrono-tz accepts), or `None` for a current zone name.
pub fn issue(name: &str) -> Option<ZoneNameIssue> {
    if let Some((offset, suggestion)) = fixed_offset(name) {
        return Some(ZoneNameIssue::FixedOffset { offset, suggestion });
    }
    LEGACY
        .iter()
        .find(|(legacy, _)| *legacy == name)
        .map(|(_, canonical)| ZoneNameIssue::Legacy { canonical })
}

/// `EST`, `MST`, `HST` and `Etc/GMT±N`: the offset as `UTC-05:00`, and a likely meant zone.
fn fixed_offset(name: &str) -> Option<(String, Option<&'static str>)> {
    let (hours_east, suggestion) = match name {
        "EST" => (-5, Some("America/New_York")),
        "MST" => (
            -7,
            Some("America/Denver (or America/Phoenix, which keeps no daylight saving)"),
        ),
        "HST" => (-10, Some("Pacific/Honolulu")),
        _ => {
            // POSIX style: Etc/GMT+5 is five hours *behind* UTC.
            let rest = name.strip_prefix("Etc/GMT")?;
            let (sign, digits) = match rest.as_bytes().first()? {
                b'+' => (-1, &rest[1..]),
                b'-' => (1, &rest[1..]),
                _ => return None,
            };
            let hours: i32 = digits.parse().ok().filter(|h| *h != 0)?;
            let east = sign * hours;
            (east, us_zone_for(east))
        }
    };
    let sign = if hours_east < 0 { '-' } else { '+' };
    Some((format!("UTC{sign}{:02}:00", hours_east.abs()), suggestion))
}

/// The mainland US and Canadian zones whose standard time is `hours_east`: the usual intent
/// of an `Etc/GMT+N` name in a calling campaign.
fn us_zone_for(hours_east: i32) -> Option<&'static str> {
    match hours_east {
        -4 => Some("America/Halifax"),
        -5 => Some("America/New_York"),
        -6 => Some("America/Chicago"),
        -7 => Some("America/Denver"),
        -8 => Some("America/Los_Angeles"),
        -9 => Some("America/Anchorage"),
        -10 => Some("Pacific/Honolulu"),
        _ => None,
    }
}

/// Legacy name → current name (see the module comment for the source).
const LEGACY: &[(&str, &str)] = &[
    ("Africa/Asmera", "Africa/Nairobi"),
    ("America/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ("America/Catamarca", "America/Argentina/Catamarca"),
    ("America/Cordoba", "America/Argentina/Cordoba"),
    ("America/Godthab", "America/Nuuk"),
    ("America/Indianapolis", "America/Indiana/Indianapolis"),
    ("America/Jujuy", "America/Argentina/Jujuy"),
    ("America/Knox_IN", "America/Indiana/Knox"),
    ("America/Louisville", "America/Kentucky/Louisville"),
    ("America/Mendoza", "America/Argentina/Mendoza"),
    ("America/Virgin", "America/Puerto_Rico"),
    ("Asia/Ashkhabad", "Asia/Ashgabat"),
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Asia/Chungking", "Asia/Shanghai"),
    ("Asia/Dacca", "Asia/Dhaka"),
    ("Asia/Istanbul", "Europe/Istanbul"),
    ("Asia/Katmandu", "Asia/Kathmandu"),
    ("Asia/Macao", "Asia/Macau"),
    ("Asia/Rangoon", "Asia/Yangon"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
    ("Asia/Thimbu", "Asia/Thimphu"),
    ("Asia/Ujung_Pandang", "Asia/Makassar"),
    ("Asia/Ulan_Bator", "Asia/Ulaanbaatar"),
    ("Atlantic/Faeroe", "Atlantic/Faroe"),
    ("Australia/ACT", "Australia/Sydney"),
    ("Australia/LHI", "Australia/Lord_Howe"),
    ("Australia/NSW", "Australia/Sydney"),
    ("Australia/North", "Australia/Darwin"),
    ("Australia/Queensland", "Australia/Brisbane"),
    ("Australia/South", "Australia/Adelaide"),
    ("Australia/Tasmania", "Australia/Hobart"),
    ("Australia/Victoria", "Australia/Melbourne"),
    ("Australia/West", "Australia/Perth"),
    ("Australia/Yancowinna", "Australia/Broken_Hill"),
    ("Brazil/Acre", "America/Rio_Branco"),
    ("Brazil/DeNoronha", "America/Noronha"),
    ("Brazil/East", "America/Sao_Paulo"),
    ("Brazil/West", "America/Manaus"),
    ("CET", "Europe/Brussels"),
    ("CST6CDT", "America/Chicago"),
    ("Canada/Atlantic", "America/Halifax"),
    ("Canada/Central", "America/Winnipeg"),
    ("Canada/Eastern", "America/Toronto"),
    ("Canada/Mountain", "America/Edmonton"),
    ("Canada/Newfoundland", "America/St_Johns"),
    ("Canada/Pacific", "America/Vancouver"),
    ("Canada/Saskatchewan", "America/Regina"),
    ("Canada/Yukon", "America/Whitehorse"),
    ("Chile/Continental", "America/Santiago"),
    ("Chile/EasterIsland", "Pacific/Easter"),
    ("Cuba", "America/Havana"),
    ("EET", "Europe/Athens"),
    ("EST5EDT", "America/New_York"),
    ("Egypt", "Africa/Cairo"),
    ("Eire", "Europe/Dublin"),
    ("Etc/GMT+0", "UTC"),
    ("Etc/GMT-0", "UTC"),
    ("Etc/GMT0", "UTC"),
    ("Etc/Greenwich", "UTC"),
    ("Etc/UCT", "UTC"),
    ("Etc/Universal", "UTC"),
    ("Etc/Zulu", "UTC"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("Europe/Nicosia", "Asia/Nicosia"),
    ("GB", "Europe/London"),
    ("GB-Eire", "Europe/London"),
    ("GMT+0", "UTC"),
    ("GMT-0", "UTC"),
    ("GMT0", "UTC"),
    ("Greenwich", "UTC"),
    ("Hongkong", "Asia/Hong_Kong"),
    ("Iceland", "Atlantic/Reykjavik"),
    ("Iran", "Asia/Tehran"),
    ("Israel", "Asia/Jerusalem"),
    ("Jamaica", "America/Jamaica"),
    ("Japan", "Asia/Tokyo"),
    ("Kwajalein", "Pacific/Kwajalein"),
    ("Libya", "Africa/Tripoli"),
    ("MET", "Europe/Brussels"),
    ("MST7MDT", "America/Denver"),
    ("Mexico/BajaNorte", "America/Tijuana"),
    ("Mexico/BajaSur", "America/Mazatlan"),
    ("Mexico/General", "America/Mexico_City"),
    ("NZ", "Pacific/Auckland"),
    ("NZ-CHAT", "Pacific/Chatham"),
    ("Navajo", "America/Denver"),
    ("PRC", "Asia/Shanghai"),
    ("PST8PDT", "America/Los_Angeles"),
    ("Pacific/Ponape", "Pacific/Guadalcanal"),
    ("Pacific/Samoa", "Pacific/Pago_Pago"),
    ("Pacific/Truk", "Pacific/Port_Moresby"),
    ("Poland", "Europe/Warsaw"),
    ("Portugal", "Europe/Lisbon"),
    ("ROC", "Asia/Taipei"),
    ("ROK", "Asia/Seoul"),
    ("Singapore", "Asia/Singapore"),
    ("Turkey", "Europe/Istanbul"),
    ("UCT", "UTC"),
    ("US/Alaska", "America/Anchorage"),
    ("US/Aleutian", "America/Adak"),
    ("US/Arizona", "America/Phoenix"),
    ("US/Central", "America/Chicago"),
    ("US/East-Indiana", "America/Indiana/Indianapolis"),
    ("US/Eastern", "America/New_York"),
    ("US/Hawaii", "Pacific/Honolulu"),
    ("US/Indiana-Starke", "America/Indiana/Knox"),
    ("US/Michigan", "America/Detroit"),
    ("US/Mountain", "America/Denver"),
    ("US/Pacific", "America/Los_Angeles"),
    ("US/Samoa", "Pacific/Pago_Pago"),
    ("Universal", "UTC"),
    ("W-SU", "Europe/Moscow"),
    ("WET", "Europe/Lisbon"),
    ("Zulu", "UTC"),
];

#[cfg(test)]
mod tests {
    use chrono::{Offset, TimeZone};
    use chrono_tz::Tz;

    use super::*;

    #[test]
    fn the_table_agrees_with_the_tz_database() {
        let instants = [(1, 15), (7, 15)].map(|(month, day)| {
            chrono::Utc
                .with_ymd_and_hms(2025, month, day, 12, 0, 0)
                .single()
                .expect("a valid instant")
        });
        for (legacy, canonical) in LEGACY {
            let old: Tz = legacy.parse().unwrap_or_else(|e| panic!("{legacy}: {e}"));
            let new: Tz = canonical
                .parse()
                .unwrap_or_else(|e| panic!("{canonical}: {e}"));
            assert!(
                issue(canonical).is_none(),
                "{legacy} points at {canonical}, which is itself flagged"
            );
            for at in &instants {
                assert_eq!(
                    at.with_timezone(&old).offset().fix(),
                    at.with_timezone(&new).offset().fix(),
                    "{legacy} and {canonical} differ at {at}"
                );
            }
        }
    }

    #[test]
    fn names_are_classified() {
        assert_eq!(
            issue("US/Eastern"),
            Some(ZoneNameIssue::Legacy {
                canonical: "America/New_York"
            })
        );
        assert_eq!(
            issue("EST5EDT"),
            Some(ZoneNameIssue::Legacy {
                canonical: "America/New_York"
            })
        );
        assert_eq!(
            issue("EST"),
            Some(ZoneNameIssue::FixedOffset {
                offset: "UTC-05:00".into(),
                suggestion: Some("America/New_York")
            })
        );
        assert_eq!(
            issue("Etc/GMT+5"),
            Some(ZoneNameIssue::FixedOffset {
                offset: "UTC-05:00".into(),
                suggestion: Some("America/New_York")
            }),
            "the sign of Etc/GMT names is inverted"
        );
        assert_eq!(
            issue("Etc/GMT-3"),
            Some(ZoneNameIssue::FixedOffset {
                offset: "UTC+03:00".into(),
                suggestion: None
            })
        );
        for fine in [
            "America/New_York",
            "Europe/Amsterdam",
            "UTC",
            "Etc/UTC",
            "Etc/GMT",
            "Asia/Kolkata",
        ] {
            assert_eq!(issue(fine), None, "{fine} is a current name");
        }
        assert_eq!(
            issue("Etc/GMT+0"),
            Some(ZoneNameIssue::Legacy { canonical: "UTC" }),
            "a zero offset is UTC under another name"
        );
        for (name, offset) in [("MST", "UTC-07:00"), ("HST", "UTC-10:00")] {
            let got = issue(name);
            assert!(
                matches!(&got, Some(ZoneNameIssue::FixedOffset { offset: o, .. }) if o == offset),
                "{name}: {got:?}"
            );
        }
    }
}
