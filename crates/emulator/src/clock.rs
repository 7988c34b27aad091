//! Timestamps in the two formats the platform uses: campaigns `2026-02-23T10:00:00.000000Z`,
//! leads `2025-06-30 11:53:20`. Both are RFC 3339 in UTC, which humantime formats; leads only
//! spell it with a space and no zone.

use std::time::SystemTime;

/// An instant as the platform writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UtcTime(SystemTime);

impl UtcTime {
    pub(crate) fn now() -> UtcTime {
        UtcTime(SystemTime::now())
    }

    /// `2026-02-23T10:00:00.000000Z`, as campaigns carry it.
    pub(crate) fn campaign_format(&self) -> String {
        humantime::format_rfc3339_micros(self.0).to_string()
    }

    /// `2025-06-30 11:53:20`, as leads carry it.
    pub(crate) fn lead_format(&self) -> String {
        // `2025-06-30T11:53:20Z`: ASCII throughout, so the byte edits below cannot split a char.
        let mut text = humantime::format_rfc3339_seconds(self.0).to_string();
        text.pop();
        text.replace_range(10..11, " ");
        text
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::UtcTime;

    fn at(secs: u64, micros: u64) -> UtcTime {
        UtcTime(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros))
    }

    #[test]
    fn formats_match_the_platform() {
        // 2026-02-23T10:00:00Z, the timestamp of the documented create response.
        assert_eq!(
            at(1_771_840_800, 0).campaign_format(),
            "2026-02-23T10:00:00.000000Z",
            "campaign timestamp format"
        );
        // 2025-06-30 11:53:20, the documented lead timestamp.
        let t = at(1_751_284_400, 123_456);
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
        for (secs, expected) in [
            (0, "1970-01-01 00:00:00"),
            (1_709_251_199, "2024-02-29 23:59:59"),
            (1_709_251_200, "2024-03-01 00:00:00"),
            (1_735_689_599, "2024-12-31 23:59:59"),
        ] {
            assert_eq!(
                at(secs, 0).lead_format(),
                expected,
                "{secs} seconds after the epoch"
            );
        }
    }
}
