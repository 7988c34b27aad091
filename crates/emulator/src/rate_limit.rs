//! A token bucket: `rate` tokens a second, at most `max(1, rate)` saved up. Pure, given the
//! time, so it is tested without sleeping.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket. `rate` must be positive (see `parse_rate_limit`).
    pub(crate) fn new(rate: f64, now: Instant) -> TokenBucket {
        let burst = rate.max(1.0);
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Takes a token, or says how long until one is available.
    pub(crate) fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

/// `Retry-After` in whole seconds, never 0: Laravel rounds up, and 0 would invite a hot loop.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, start);
        assert!(
            bucket.try_take(start).is_ok(),
            "first token of a burst of 2"
        );
        assert!(
            bucket.try_take(start).is_ok(),
            "second token of a burst of 2"
        );
        let wait = bucket.try_take(start).err();
        assert_eq!(
            wait,
            Some(Duration::from_millis(500)),
            "an empty bucket at 2/s refills a token in 0.5 s"
        );
        assert!(
            bucket.try_take(start + Duration::from_millis(500)).is_ok(),
            "a token after 0.5 s"
        );
        assert!(
            bucket.try_take(start + Duration::from_secs(60)).is_ok(),
            "refilled after a long pause"
        );
        assert!(
            bucket.try_take(start + Duration::from_secs(60)).is_ok(),
            "burst is 2 after a pause"
        );
        assert!(
            bucket.try_take(start + Duration::from_secs(60)).is_err(),
            "never more than the burst"
        );
    }

    #[test]
    fn slow_rates_have_a_burst_of_one() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(0.25, start);
        assert!(
            bucket.try_take(start).is_ok(),
            "a slow bucket still allows one request"
        );
        let wait = bucket.try_take(start).err().map(retry_after_secs);
        assert_eq!(wait, Some(4), "0.25/s means a token every 4 s");
    }

    #[test]
    fn retry_after_is_whole_seconds_at_least_one() {
        assert_eq!(
            retry_after_secs(Duration::from_millis(1)),
            1,
            "rounds up, never 0"
        );
        assert_eq!(
            retry_after_secs(Duration::from_millis(1001)),
            2,
            "rounds up"
        );
        assert_eq!(retry_after_secs(Duration::ZERO), 1, "never 0");
    }
}
