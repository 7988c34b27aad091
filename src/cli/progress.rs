//! A progress bar for applies that take longer than a moment: operations done out of the
//! total, and the failures so far, fed by the executor's `Event` stream. Only on a terminal
//! (stderr) outside CI; elsewhere nothing is drawn and the per-operation lines are the
//! output. The bar appears after `REVEAL_AFTER`, so a quick apply never flashes one.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::reconcile::executor::{Event, Outcome};

/// How long an apply runs before the bar is drawn.
const REVEAL_AFTER: Duration = Duration::from_secs(1);

/// Whether to draw a bar: stderr is a terminal that can redraw a line, and no CI system is
/// running us (CI logs keep every redraw as a line).
pub fn wanted(stderr_is_terminal: bool, ci: Option<&str>, term: Option<&str>) -> bool {
    let in_ci = ci.is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    stderr_is_terminal && !in_ci && term != Some("dumb")
}

fn wanted_here() -> bool {
    use std::io::IsTerminal;
    let ci = std::env::var("CI").ok();
    let term = std::env::var("TERM").ok();
    wanted(
        std::io::stderr().is_terminal(),
        ci.as_deref(),
        term.as_deref(),
    )
}

/// The bars of several accounts applied at once, one line each: hidden until `REVEAL_AFTER`
/// and only where a bar is `wanted`, like a single `Progress`.
pub struct Bars {
    multi: MultiProgress,
    reveal: Option<tokio::task::JoinHandle<()>>,
}

impl Bars {
    /// Must be called inside the tokio runtime.
    pub fn start() -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::hidden());
        let reveal = wanted_here().then(|| {
            let multi = multi.clone();
            tokio::spawn(async move {
                tokio::time::sleep(REVEAL_AFTER).await;
                multi.set_draw_target(ProgressDrawTarget::stderr());
            })
        });
        Bars { multi, reveal }
    }

    /// Runs `print` with the bars cleared, so that lines never mix with them.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.multi.suspend(print)
    }

    /// A bar over `total` operations of the account `label`.
    pub fn add(&self, total: usize, label: &str) -> Progress {
        let bar = self.multi.add(ProgressBar::new(total as u64));
        bar.set_prefix(label.to_owned());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {prefix}: [{elapsed}] [{bar:30}] {pos}/{len} operations{msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar,
            failed: 0,
            reveal: None,
        }
    }

    pub fn finish(&self) {
        if let Some(reveal) = &self.reveal {
            reveal.abort();
        }
        let _ = self.multi.clear();
    }
}

pub struct Progress {
    bar: ProgressBar,
    failed: usize,
    reveal: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// A bar over `total` operations, drawn on stderr after `REVEAL_AFTER` when `wanted`.
    /// Must be called inside the tokio runtime.
    pub fn start(total: usize) -> Progress {
        Progress::start_if(total, wanted_here())
    }

    fn start_if(total: usize, draw: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed}] [{bar:30}] {pos}/{len} operations{msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        let reveal = draw.then(|| {
            let bar = bar.clone();
            tokio::spawn(async move {
                tokio::time::sleep(REVEAL_AFTER).await;
                if !bar.is_finished() {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            })
        });
        Progress {
            bar,
            failed: 0,
            reveal,
        }
    }

    /// Counts a finished operation; failures (failed or unknown outcomes) show in the bar.
    pub fn on_event(&mut self, event: &Event<'_>) {
        let Event::Finished(_, result) = event else {
            return;
        };
        if matches!(
            result.outcome,
            Outcome::Failed { .. } | Outcome::Unknown { .. }
        ) {
            self.failed += 1;
            self.bar.set_message(format!(", {} failed", self.failed));
        }
        self.bar.inc(1);
    }

    /// Runs `print` with the bar cleared, so that lines never mix with it.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.bar.suspend(print)
    }

    /// (done, failed) so far.
    #[cfg(test)]
    pub fn counts(&self) -> (u64, usize) {
        (self.bar.position(), self.failed)
    }

    /// Removes the bar; the summary follows.
    pub fn finish(self) {
        if let Some(reveal) = self.reveal {
            reveal.abort();
        }
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::executor::OperationResult;
    use crate::reconcile::operation::{Operation, OperationKind, Target};

    #[test]
    fn a_bar_only_on_a_terminal_outside_ci() {
        assert!(wanted(true, None, Some("xterm-256color")));
        assert!(
            !wanted(false, None, Some("xterm")),
            "no terminal: lines only"
        );
        assert!(!wanted(true, Some("true"), Some("xterm")), "CI");
        assert!(!wanted(true, Some("1"), None), "CI");
        assert!(wanted(true, Some("false"), None), "CI=false is no CI");
        assert!(
            !wanted(true, None, Some("dumb")),
            "a terminal that cannot redraw"
        );
    }

    fn op() -> Operation {
        Operation {
            id: 0,
            campaign: "A".into(),
            target: Target::Existing { id: 1 },
            manifest: None,
            kind: OperationKind::Stop,
            depends_on: vec![],
        }
    }

    fn result(outcome: Outcome) -> OperationResult {
        OperationResult {
            id: 0,
            op: "stop",
            campaign: "A".into(),
            campaign_id: Some(1),
            manifest: None,
            outcome,
        }
    }

    #[tokio::test]
    async fn counts_done_and_failed_from_the_events() {
        let mut p = Progress::start_if(3, false);
        let op = op();
        p.on_event(&Event::Started(&op));
        assert_eq!(p.counts(), (0, 0), "a start is not progress");
        let done = result(Outcome::Done {
            id: None,
            leads_added: None,
            leads_found: None,
            leads_updated: None,
            status: Some("stopped".into()),
            note: None,
        });
        p.on_event(&Event::Finished(&op, &done));
        let failed = result(Outcome::Unknown {
            error: "timeout".into(),
        });
        p.on_event(&Event::Finished(&op, &failed));
        assert_eq!(p.counts(), (2, 1));
        p.finish();
    }
}
