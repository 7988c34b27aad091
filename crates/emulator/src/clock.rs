//! Timestamps in the two formats the platform uses: campaigns `2026-02-23T10:00:00.000000Z`,
//! leads `2025-06-30 11:53:20`. Formatted from `SystemTime` by hand because chrono is not a
//! dependency and the emulator needs nothing but "now, in UTC, as text".

use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC instant split into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UtcTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micros: u32,
}

impl UtcTime {
    pub(crate) fn now() -> UtcTime {
        // A clock before 1970 is a broken host, not a reason to fail a request: use the epoch.
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        UtcTime::from_unix(since_epoch.as_secs(), since_epoch.subsec_micros())
    }

    fn from_unix(secs: u64, micros: u32) -> UtcTime {
        let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        UtcTime {
            year,
            month,
            day,
            // `rem` < 86 400, so these fit in u32.
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            micros,
        }
    }

    /// `2026-02-23T10:00:00.000000Z`, as campaigns carry it.
    pub(crate) fn campaign_format(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.micros
        )
    }

    /// `2025-06-30 11:53:20`, as leads carry it.
    pub(crate) fn lead_format(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::UtcTime;

    #[test]
    fn formats_match_the_platform() {
        // 2026-02-23T10:00:00Z, the timestamp of the documented create response.
        let t = UtcTime::from_unix(1_771_840_800, 0);
        assert_eq!(
            t.campaign_format(),
            "2026-02-23T10:00:00.000000Z",
            "campaign timestamp format"
        );
        // 2025-06-30 11:53:20, the documented lead timestamp.
        let t = UtcTime::from_unix(1_751_284_400, 123_456);
        assert_eq!(
            t.lead_format(),
            "2025-06-30 11:53:20",
            "lead timestamp format"
        );
        assert_eq!(
            t.campaign_format(),
            "2025-06-30T11:53:20.123456Z",
            "microseconds must be kept"
        );
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(
            UtcTime::from_unix(0, 0).lead_format(),
            "1970-01-01 00:00:00",
            "epoch"
        );
        // 2024-02-29 23:59:59, a leap day.
        assert_eq!(
            UtcTime::from_unix(1_709_251_199, 0).lead_format(),
            "2024-02-29 23:59:59",
            "leap day"
        );
        assert_eq!(
            UtcTime::from_unix(1_709_251_200, 0).lead_format(),
            "2024-03-01 00:00:00",
            "day after leap day"
        );
        assert_eq!(
            UtcTime::from_unix(1_735_689_599, 0).lead_format(),
            "2024-12-31 23:59:59",
            "new year's eve"
        );
    }
}
