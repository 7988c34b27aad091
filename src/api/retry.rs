//! Retry timing: exponential backoff with full jitter for transient failures, and the
//! server's `Retry-After` for 429s. Pure functions so the schedule is unit-tested without sleeping.

use std::time::Duration;

/// How hard the client tries before giving up on one request.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in total for transient failures (5xx, timeouts, connection errors).
    pub max_attempts: u32,
    /// 429s tolerated for one request before giving up (each waits `Retry-After`).
    pub max_rate_limited: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is cut to it, so a hostile or broken header cannot
    /// stall a CI job for hours.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_rate_limited: 20,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
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

    /// The wait a 429 asks for. `Retry-After` is whole seconds here (Laravel's throttle); an
    /// HTTP date or a missing header falls back to the backoff schedule.
    pub fn rate_limit_wait(&self, retry_after: Option<&str>, retry: u32) -> Duration {
        match retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
            Some(secs) => Duration::from_secs(secs).min(self.max_retry_after),
            None => self.backoff_ceiling(retry),
        }
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
    fn retry_after_is_honoured_and_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.rate_limit_wait(Some("3"), 1), Duration::from_secs(3));
        assert_eq!(
            p.rate_limit_wait(Some("86400"), 1),
            Duration::from_secs(60),
            "hostile Retry-After is capped"
        );
        assert_eq!(
            p.rate_limit_wait(Some("Wed, 21 Oct 2015 07:28:00 GMT"), 2),
            p.backoff_ceiling(2)
        );
        assert_eq!(p.rate_limit_wait(None, 1), p.backoff_ceiling(1));
    }
}
