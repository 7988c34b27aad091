//! The pass loop. Level-triggered, as kube-runtime's controllers are: a file event or a timer
//! only says "look again", and every pass recomputes the whole plan, so a missed or repeated
//! event cannot cause a wrong action. One loop runs the passes, so two never overlap; events
//! that arrive during a pass are held by the debouncer and cause exactly one follow-up pass.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{sleep_until, timeout, Instant};
use tracing::{debug, info, warn};

use super::backoff::Backoff;
use super::debounce::Debouncer;

/// How a pass ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PassOutcome {
    /// Everything in the plan was applied (or there was nothing to do).
    Success,
    /// Manifests or their references are invalid: nothing was applied.
    Invalid,
    /// The API failed, or some creates failed.
    Failed,
}

impl PassOutcome {
    pub(crate) const ALL: [PassOutcome; 3] = [
        PassOutcome::Success,
        PassOutcome::Invalid,
        PassOutcome::Failed,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            PassOutcome::Success => "success",
            PassOutcome::Invalid => "invalid",
            PassOutcome::Failed => "failed",
        }
    }
}

/// Why a pass runs, for the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    Start,
    Files,
    Interval,
    Retry,
}

impl Trigger {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Files => "files",
            Trigger::Interval => "interval",
            Trigger::Retry => "retry",
        }
    }
}

/// What the loop drives: the real daemon, or a scripted one in tests.
pub(crate) trait Reconciler {
    /// Whether the manifests differ from those the last pass read. File events include noise
    /// (swap files, a `touch`, a reader's access); this keeps noise from costing a pass.
    fn manifests_changed(&mut self) -> bool;

    /// One load → list → plan → apply. The pass itself stops starting creates once `stop` is
    /// set; the loop bounds how long it may take to finish after that.
    fn pass(&mut self, trigger: Trigger) -> impl Future<Output = PassOutcome>;
}

pub(crate) struct Timing {
    /// Time between passes when nothing happens.
    pub(crate) interval: Duration,
    /// Waits after failed passes.
    pub(crate) backoff: Backoff,
    /// How long a pass in flight at shutdown may take to finish.
    pub(crate) grace: Duration,
}

/// Runs passes until `stop` becomes true: one at once, at start, on settled file events, every
/// `interval`, and after failures on the backoff schedule (capped at `interval`, so an outage
/// never makes the daemon look less often than it would when healthy).
pub(crate) async fn run<R: Reconciler>(
    reconciler: &mut R,
    debouncer: &mut Debouncer,
    mut timing: Timing,
    mut stop: watch::Receiver<bool>,
) {
    let mut due = Instant::now();
    let mut timer_trigger = Trigger::Start;
    loop {
        let trigger = tokio::select! {
            biased;
            () = stopped(&mut stop) => return,
            () = sleep_until(due) => timer_trigger,
            events = debouncer.settled() => {
                if !reconciler.manifests_changed() {
                    debug!(events, "file events changed no manifest; no pass");
                    continue;
                }
                Trigger::Files
            }
        };
        let pass = reconciler.pass(trigger);
        tokio::pin!(pass);
        let outcome = tokio::select! {
            outcome = &mut pass => outcome,
            () = stopped(&mut stop) => {
                info!(grace_secs = timing.grace.as_secs(), "shutting down: letting the pass in flight finish its creates");
                if timeout(timing.grace, pass).await.is_err() {
                    warn!("creates were still in flight after {:?}; their outcome is unknown, and the next plan will show whether they happened", timing.grace);
                }
                return;
            }
        };
        (due, timer_trigger) = match outcome {
            PassOutcome::Failed => {
                let wait = timing.backoff.fail().min(timing.interval);
                info!(
                    retry_in_ms = wait.as_millis() as u64,
                    failures = timing.backoff.failures(),
                    "pass failed; retrying after a backoff"
                );
                (Instant::now() + wait, Trigger::Retry)
            }
            PassOutcome::Success | PassOutcome::Invalid => {
                timing.backoff.reset();
                (Instant::now() + timing.interval, Trigger::Interval)
            }
        };
    }
}

/// Resolves once `stop` is true (or its sender is gone, which means the same).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use tokio::sync::mpsc;
    use tokio::time::sleep;

    use super::*;

    /// A scripted reconciler: each pass takes `took`, returns the next scripted outcome
    /// (success when the script is empty) and records when it started and why.
    struct Scripted {
        start: Instant,
        took: Duration,
        outcomes: VecDeque<PassOutcome>,
        changed: bool,
        passes: Vec<(Duration, Trigger)>,
        running: bool,
    }

    impl Scripted {
        fn new(took: Duration, outcomes: &[PassOutcome]) -> Scripted {
            Scripted {
                start: Instant::now(),
                took,
                outcomes: outcomes.iter().copied().collect(),
                changed: true,
                passes: Vec::new(),
                running: false,
            }
        }

        fn triggers(&self) -> Vec<Trigger> {
            self.passes.iter().map(|(_, t)| *t).collect()
        }
    }

    impl Reconciler for Scripted {
        fn manifests_changed(&mut self) -> bool {
            self.changed
        }

        async fn pass(&mut self, trigger: Trigger) -> PassOutcome {
            assert!(!self.running, "two passes ran at once");
            self.running = true;
            self.passes.push((self.start.elapsed(), trigger));
            sleep(self.took).await;
            self.running = false;
            self.outcomes.pop_front().unwrap_or(PassOutcome::Success)
        }
    }

    const QUIET: Duration = Duration::from_millis(300);
    const INTERVAL: Duration = Duration::from_secs(300);

    fn timing(base: Duration) -> Timing {
        Timing {
            interval: INTERVAL,
            backoff: Backoff::new(base, Duration::from_secs(300)),
            grace: Duration::from_secs(10),
        }
    }

    /// Runs the loop until `stop_at`, with `events` sent at the given offsets from the start.
    async fn run_until(
        r: &mut Scripted,
        timing: Timing,
        events: &[Duration],
        stop_at: Duration,
    ) -> Duration {
        let (tx, rx) = mpsc::channel(64);
        let mut debouncer = Debouncer::new(rx, QUIET);
        let (stop_tx, stop_rx) = watch::channel(false);
        let start = Instant::now();
        let events = events.to_vec();
        tokio::spawn(async move {
            for at in events {
                sleep_until(start + at).await;
                let _ = tx.send(()).await;
            }
            sleep_until(start + stop_at).await;
            let _ = stop_tx.send(true);
            // Keep the sender alive past the stop: its drop must not be what ends the loop.
            sleep(Duration::from_secs(86_400)).await;
            drop(tx);
        });
        run(r, &mut debouncer, timing, stop_rx).await;
        start.elapsed()
    }

    /// The loop with the default timing (backoff from 5 s): the reconciler and how long it ran.
    async fn scenario(
        took: Duration,
        outcomes: &[PassOutcome],
        events: &[Duration],
        stop_at: Duration,
    ) -> (Scripted, Duration) {
        let mut r = Scripted::new(took, outcomes);
        let ran = run_until(&mut r, timing(secs(5)), events, stop_at).await;
        (r, ran)
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[tokio::test(start_paused = true)]
    async fn passes_at_start_and_every_interval() {
        let (r, _) = scenario(secs(1), &[], &[], secs(700)).await;
        assert_eq!(
            r.passes,
            vec![
                (Duration::ZERO, Trigger::Start),
                (secs(301), Trigger::Interval),
                (secs(602), Trigger::Interval),
            ],
            "one pass at start, then one per interval after the previous pass ended"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn events_during_a_pass_cause_exactly_one_follow_up_pass() {
        // The first pass runs from 0 s to 10 s; twenty events arrive during it.
        let events: Vec<Duration> = (1..=20).map(|i| ms(i * 400)).collect();
        let (r, _) = scenario(secs(10), &[], &events, secs(60)).await;
        assert_eq!(r.triggers(), vec![Trigger::Start, Trigger::Files]);
        assert_eq!(
            r.passes[1].0,
            secs(10) + QUIET,
            "the follow-up starts a debounce period after the pass ends"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_events_makes_one_pass() {
        let burst: Vec<Duration> = (0..10).map(|i| secs(5) + ms(i * 50)).collect();
        let (r, _) = scenario(ms(50), &[], &burst, secs(60)).await;
        assert_eq!(r.triggers(), vec![Trigger::Start, Trigger::Files]);
        assert_eq!(r.passes[1].0, ms(5450) + QUIET);
    }

    #[tokio::test(start_paused = true)]
    async fn events_that_change_no_manifest_make_no_pass() {
        let mut r = Scripted::new(ms(50), &[]);
        r.changed = false;
        run_until(&mut r, timing(secs(5)), &[secs(5)], secs(60)).await;
        assert_eq!(r.triggers(), vec![Trigger::Start]);
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_exponentially_and_success_resets() {
        use PassOutcome::{Failed, Invalid};
        let outcomes = [Failed, Failed, Failed, Invalid, Failed];
        let (r, _) = scenario(Duration::ZERO, &outcomes, &[], secs(400)).await;
        use Trigger::{Interval, Retry, Start};
        assert_eq!(
            r.triggers(),
            vec![Start, Retry, Retry, Retry, Interval, Retry]
        );
        let at: Vec<Duration> = r.passes.iter().map(|(t, _)| *t).collect();
        for (i, ceiling) in [(1, secs(5)), (2, secs(10)), (3, secs(20))] {
            let gap = at[i] - at[i - 1];
            assert!(
                gap >= ceiling / 2 && gap <= ceiling,
                "retry {i} came after {gap:?}; expected between {:?} and {ceiling:?}",
                ceiling / 2
            );
        }
        assert_eq!(
            at[4] - at[3],
            INTERVAL,
            "an invalid pass waits for the interval (or an edit)"
        );
        assert!(
            at[5] - at[4] <= secs(5),
            "after the reset the first retry waits at most the base again, waited {:?}",
            at[5] - at[4]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_never_exceeds_the_interval() {
        let mut t = timing(secs(60));
        t.interval = secs(10);
        let mut r = Scripted::new(Duration::ZERO, &[PassOutcome::Failed; 5]);
        run_until(&mut r, t, &[], secs(45)).await;
        let at: Vec<Duration> = r.passes.iter().map(|(t, _)| *t).collect();
        for pair in at.windows(2) {
            assert!(pair[1] - pair[0] <= secs(10), "passes at {at:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_edit_during_a_backoff_is_applied_without_waiting_for_it() {
        let mut r = Scripted::new(Duration::ZERO, &[PassOutcome::Failed]);
        run_until(&mut r, timing(secs(60)), &[secs(1)], secs(10)).await;
        assert_eq!(r.triggers(), vec![Trigger::Start, Trigger::Files]);
    }

    #[tokio::test(start_paused = true)]
    async fn stop_while_idle_returns_at_once() {
        let (r, ran) = scenario(ms(10), &[], &[], secs(30)).await;
        assert_eq!(ran, secs(30));
        assert_eq!(r.passes.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn stop_during_a_pass_lets_it_finish_within_the_grace() {
        let (r, ran) = scenario(secs(4), &[], &[], secs(1)).await;
        assert_eq!(ran, secs(4), "the pass finished, then the loop returned");
        assert!(!r.running);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pass_that_outlives_the_grace_is_abandoned() {
        let (_, ran) = scenario(secs(600), &[], &[], secs(1)).await;
        assert_eq!(ran, secs(11), "1 s until the stop, then 10 s of grace");
    }
}
