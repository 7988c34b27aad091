//! Retry timing: exponential backoff with full jitter for transient failures, and the
//! server's `Retry-After` for 429s, within caps so a broken or hostile server cannot stall a run.
//! Pure functions so the schedule is unit-tested without sleeping.

use std::time::{Duration, Instant, SystemTime};

/// How hard the client tries before giving up on one request.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in total for transient failures (5xx, timeouts, connection errors).
    pub max_attempts: u32,
    /// 429s tolerated for one request before giving up (each waits `Retry-After`).
    pub max_rate_limited: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest single wait a 429 may ask for. A longer `Retry-After` fails the request at
    /// once (nothing was handled, so nothing is lost) instead of stalling a CI job for hours.
    pub max_retry_after: Duration,
    /// The most one request waits for rate limits in all, across its 429s.
    pub max_rate_limit_wait_per_request: Duration,
    /// The most the client (all its requests and clones together) spends waiting for rate
    /// limits, in wall-clock time, per `rate_limit_budget_period`. A command runs within one
    /// period; the `watch` daemon gets a fresh budget every period.
    pub rate_limit_budget: Duration,
    pub rate_limit_budget_period: Duration,
    /// Waits longer than this are announced at the default log level.
    pub announce_wait_over: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_rate_limited: 20,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            max_rate_limit_wait_per_request: Duration::from_secs(120),
            rate_limit_budget: Duration::from_secs(300),
            rate_limit_budget_period: Duration::from_secs(1800),
            announce_wait_over: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// The upper bound of the wait before retry number `retry` (1-based): base·2^(retry-1),
    /// capped at `max_delay`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// "Full jitter" (a uniform wait in 0..=ceiling), so parallel clients that failed together
    /// do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.backoff_ceiling(retry).as_millis() as u64;
        Duration::from_millis(rand::random_range(0..=ceiling))
    }

    /// The wait a 429 asks for: `Retry-After` in seconds or as an HTTP date (RFC 9110), else
    /// (no header, or one that cannot be read) the backoff schedule. Not capped: the caller
    /// refuses a wait beyond the caps rather than shortening it, since a retry before the
    /// time the server named would only be throttled again.
    pub fn rate_limit_wait(
        &self,
        retry_after: Option<&str>,
        retry: u32,
        now: SystemTime,
    ) -> Duration {
        retry_after
            .and_then(|v| parse_retry_after(v, now))
            .unwrap_or_else(|| self.backoff_ceiling(retry))
    }
}

/// A `Retry-After` value as a wait from `now`: delay-seconds, or an HTTP date (a date in the
/// past is no wait). A number too large for the clock is the longest wait there is. `None`
/// when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A duration for people, in whole seconds: `30s`, `2m 5s`, `11days 13h 46m 39s`.
pub fn human(d: Duration) -> String {
    if d == Duration::MAX {
        return "forever".into();
    }
    let secs = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    humantime::format_duration(Duration::from_secs(secs)).to_string()
}

/// The rate-limit waiting a client has left, shared by its requests: wall-clock time, so
/// parallel requests waiting out one 429 together are charged once.
#[derive(Debug, Default)]
pub struct WaitBudget {
    period_start: Option<Instant>,
    /// The end of the latest wait charged: waits overlapping it are charged only beyond it.
    waiting_until: Option<Instant>,
    spent: Duration,
}

impl WaitBudget {
    /// Charges a wait of `wait` starting at `now`. `Err(left)` (and nothing charged) when it
    /// would take the period's waiting beyond `budget`; a new period starts `period` after the
    /// first charge of the current one.
    pub fn charge(
        &mut self,
        now: Instant,
        wait: Duration,
        budget: Duration,
        period: Duration,
    ) -> Result<(), Duration> {
        let expired = self
            .period_start
            .is_none_or(|start| now.saturating_duration_since(start) >= period);
        if expired {
            *self = WaitBudget {
                period_start: Some(now),
                ..WaitBudget::default()
            };
        }
        let end = now.checked_add(wait);
        let from = self.waiting_until.map_or(now, |u| u.max(now));
        let added = match end {
            Some(end) => end.saturating_duration_since(from),
            None => Duration::MAX,
        };
        let left = budget.saturating_sub(self.spent);
        if added > left {
            return Err(left);
        }
        self.spent += added;
        if let Some(end) = end {
            self.waiting_until = Some(self.waiting_until.map_or(end, |u| u.max(end)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ceiling(1), Duration::from_millis(250));
        assert_eq!(p.backoff_ceiling(2), Duration::from_millis(500));
        assert_eq!(p.backoff_ceiling(4), Duration::from_secs(2));
        assert_eq!(
            p.backoff_ceiling(30),
            Duration::from_secs(8),
            "must cap at max_delay, not overflow"
        );
        for retry in 1..10 {
            assert!(
                p.backoff(retry) <= p.backoff_ceiling(retry),
                "jitter must stay within the ceiling"
            );
        }
    }

    #[test]
    fn retry_after_seconds_and_http_dates_are_read() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").expect("date");
        let p = RetryPolicy::default();
        assert_eq!(p.rate_limit_wait(Some("3"), 1, now), Duration::from_secs(3));
        assert_eq!(
            p.rate_limit_wait(Some(" 86400 "), 1, now),
            Duration::from_secs(86400),
            "a long wait is returned as asked, for the caller to refuse"
        );
        assert_eq!(
            p.rate_limit_wait(Some("Wed, 21 Oct 2015 07:28:30 GMT"), 2, now),
            Duration::from_secs(30),
            "an HTTP date is a wait until then"
        );
        assert_eq!(
            p.rate_limit_wait(Some("Sunday, 06-Nov-94 08:49:37 GMT"), 2, now),
            Duration::ZERO,
            "an obsolete-format date in the past is no wait"
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::MAX),
            "a number beyond the clock is the longest wait, not garbage"
        );
        for garbage in ["soon", "", "-5", "1.5"] {
            assert_eq!(
                p.rate_limit_wait(Some(garbage), 2, now),
                p.backoff_ceiling(2),
                "{garbage:?} falls back to the backoff"
            );
        }
        assert_eq!(p.rate_limit_wait(None, 1, now), p.backoff_ceiling(1));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_secs(30)), "30s");
        assert_eq!(human(Duration::from_millis(1600)), "2s");
        assert_eq!(human(Duration::from_secs(999_999)), "11days 13h 46m 39s");
        assert_eq!(human(Duration::MAX), "forever");
    }

    #[test]
    fn the_budget_counts_wall_clock_waiting_and_renews_per_period() {
        let (budget, period) = (Duration::from_secs(100), Duration::from_secs(1000));
        let t0 = Instant::now();
        let mut b = WaitBudget::default();
        let s = Duration::from_secs;
        assert_eq!(b.charge(t0, s(60), budget, period), Ok(()));
        assert_eq!(
            b.charge(t0, s(60), budget, period),
            Ok(()),
            "a parallel wait over the same time costs only its 0 s beyond it"
        );
        assert_eq!(
            b.charge(t0 + s(10), s(70), budget, period),
            Ok(()),
            "20 s more: 80 spent"
        );
        assert_eq!(
            b.charge(t0 + s(80), s(30), budget, period),
            Err(s(20)),
            "30 s more would pass 100; 20 s are left"
        );
        assert_eq!(b.charge(t0 + s(80), s(20), budget, period), Ok(()));
        assert_eq!(b.charge(t0 + s(100), s(1), budget, period), Err(s(0)));
        assert_eq!(
            b.charge(t0 + s(1000), s(90), budget, period),
            Ok(()),
            "a new period has a fresh budget"
        );
        assert_eq!(
            b.charge(t0 + s(1000), Duration::MAX, budget, period),
            Err(s(10)),
            "an endless wait is refused, not overflowed"
        );
    }
}
