//! Debouncing file events: a burst of saves (an editor's temp file, rename and chmod; a git
//! checkout touching many files) becomes one "look again" once the files have been quiet for
//! `--debounce`. A steady stream of events cannot postpone it forever: after `max_delay` from
//! the first event of a burst it settles anyway.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

/// Collects "something changed" signals from the file watcher into settled bursts.
pub(crate) struct Debouncer {
    events: mpsc::Receiver<()>,
    quiet: Duration,
    max_delay: Duration,
    burst: Option<Burst>,
    /// The watcher is gone; no event will come again.
    closed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Burst {
    first: Instant,
    last: Instant,
    events: usize,
}

impl Debouncer {
    /// `max_delay` is ten times the quiet period, at least a second.
    pub(crate) fn new(events: mpsc::Receiver<()>, quiet: Duration) -> Debouncer {
        Debouncer {
            events,
            quiet,
            max_delay: quiet.saturating_mul(10).max(Duration::from_secs(1)),
            burst: None,
            closed: false,
        }
    }

    /// Resolves with the number of events in a burst once the burst has settled. Events that
    /// arrived while nobody was waiting (during a pass) form a burst that settles `quiet` after
    /// they are seen, so they cause exactly one settlement.
    ///
    /// Cancel-safe: the burst lives in `self`, and every await is on a cancel-safe future, so
    /// it can be raced against a timer in `select!`.
    pub(crate) async fn settled(&mut self) -> usize {
        loop {
            let Some(burst) = self.burst else {
                if self.closed {
                    return std::future::pending().await;
                }
                match self.events.recv().await {
                    Some(()) => {
                        let now = Instant::now();
                        self.burst = Some(Burst {
                            first: now,
                            last: now,
                            events: 1,
                        });
                    }
                    None => self.closed = true,
                }
                continue;
            };
            let deadline = (burst.last + self.quiet).min(burst.first + self.max_delay);
            tokio::select! {
                biased;
                event = self.events.recv(), if !self.closed => match event {
                    Some(()) => {
                        self.burst = Some(Burst {
                            last: Instant::now(),
                            events: burst.events + 1,
                            ..burst
                        });
                    }
                    None => self.closed = true,
                },
                () = sleep_until(deadline) => {
                    self.burst = None;
                    return burst.events;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::sleep;

    const QUIET: Duration = Duration::from_millis(300);

    fn debouncer() -> (mpsc::Sender<()>, Debouncer) {
        let (tx, rx) = mpsc::channel(64);
        (tx, Debouncer::new(rx, QUIET))
    }

    #[tokio::test(start_paused = true)]
    async fn one_event_settles_after_the_quiet_period() {
        let (tx, mut d) = debouncer();
        let start = Instant::now();
        tx.send(()).await.unwrap();
        assert_eq!(d.settled().await, 1);
        assert_eq!(start.elapsed(), QUIET);
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_events_settles_once_after_the_last_one() {
        let (tx, mut d) = debouncer();
        let start = Instant::now();
        tokio::spawn(async move {
            for _ in 0..5 {
                tx.send(()).await.unwrap();
                sleep(Duration::from_millis(100)).await;
            }
            // Keep the channel open: a closed watcher is a different case.
            sleep(Duration::from_secs(3600)).await;
        });
        assert_eq!(d.settled().await, 5, "the five events are one burst");
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(400) + QUIET,
            "settles a quiet period after the last event"
        );
        let again = tokio::time::timeout(Duration::from_secs(60), d.settled()).await;
        assert!(again.is_err(), "a settled burst must not settle twice");
    }

    #[tokio::test(start_paused = true)]
    async fn a_never_ending_stream_still_settles_after_max_delay() {
        let (tx, mut d) = debouncer();
        let start = Instant::now();
        tokio::spawn(async move {
            loop {
                if tx.send(()).await.is_err() {
                    return;
                }
                sleep(Duration::from_millis(100)).await;
            }
        });
        d.settled().await;
        assert_eq!(start.elapsed(), Duration::from_secs(3), "10 x 300 ms");
    }

    #[tokio::test(start_paused = true)]
    async fn events_queued_while_busy_settle_once() {
        let (tx, mut d) = debouncer();
        // A pass is running: nobody polls the debouncer while these arrive.
        for _ in 0..10 {
            tx.send(()).await.unwrap();
        }
        sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        assert_eq!(d.settled().await, 10);
        assert_eq!(start.elapsed(), QUIET);
        let again = tokio::time::timeout(Duration::from_secs(60), d.settled()).await;
        assert!(again.is_err(), "the queued events make one burst, not ten");
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_a_wait_keeps_the_burst() {
        let (tx, mut d) = debouncer();
        tx.send(()).await.unwrap();
        // Raced against a shorter timer (as in the daemon's select!), the wait is dropped...
        let early = tokio::time::timeout(Duration::from_millis(100), d.settled()).await;
        assert!(early.is_err());
        // ...and the burst is still there, settling on its original schedule.
        let start = Instant::now();
        assert_eq!(d.settled().await, 1);
        assert_eq!(start.elapsed(), Duration::from_millis(200));
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_watcher_settles_its_last_burst_then_never_again() {
        let (tx, mut d) = debouncer();
        tx.send(()).await.unwrap();
        drop(tx);
        assert_eq!(d.settled().await, 1);
        let again = tokio::time::timeout(Duration::from_secs(60), d.settled()).await;
        assert!(again.is_err());
    }
}
