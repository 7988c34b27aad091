//! How long the daemon waits after a failed pass: exponential, capped, with jitter, so a fleet
//! of daemons that lost the API together does not return together (issue 3, "API outages").

use std::time::Duration;

/// Exponential backoff: the n-th consecutive failure waits between half and all of
/// `base·2^(n-1)`, capped at `max`. A success resets it.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub(crate) fn new(base: Duration, max: Duration) -> Backoff {
        Backoff {
            base,
            max: max.max(base),
            failures: 0,
        }
    }

    /// The upper bound of the wait after failure number `failure` (1-based).
    pub(crate) fn ceiling(&self, failure: u32) -> Duration {
        let factor = 2u32.saturating_pow(failure.saturating_sub(1));
        self.base.saturating_mul(factor).min(self.max)
    }

    /// Records a failure and returns how long to wait before trying again. "Equal jitter":
    /// never less than half the ceiling, so an outage is not hammered by near-zero waits.
    pub(crate) fn fail(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let ceiling = self.ceiling(self.failures);
        let half = ceiling / 2;
        let spread = (ceiling - half).as_millis() as u64;
        half + Duration::from_millis(rand::random_range(0..=spread))
    }

    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }

    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_stay_within_jitter_and_are_capped() {
        let mut b = Backoff::new(Duration::from_secs(5), Duration::from_secs(300));
        for (failure, ceiling) in [
            (1, 5),
            (2, 10),
            (3, 20),
            (4, 40),
            (5, 80),
            (6, 160),
            (7, 300),
        ] {
            let wait = b.fail();
            let ceiling = Duration::from_secs(ceiling);
            assert_eq!(
                b.ceiling(failure),
                ceiling,
                "ceiling after failure {failure}"
            );
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "failure {failure}: waited {wait:?}, expected between {:?} and {ceiling:?}",
                ceiling / 2
            );
        }
        for _ in 0..100 {
            assert!(
                b.fail() <= Duration::from_secs(300),
                "must stay capped, not overflow"
            );
        }
    }

    #[test]
    fn success_resets_the_schedule() {
        let mut b = Backoff::new(Duration::from_secs(5), Duration::from_secs(300));
        b.fail();
        b.fail();
        b.reset();
        assert_eq!(b.failures(), 0);
        assert!(
            b.fail() <= Duration::from_secs(5),
            "first failure after a reset waits at most base"
        );
    }
}
