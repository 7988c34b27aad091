//! Executing approved plans: one account's straight to the terminal, each result as it
//! completes; or several accounts' at once, each within its own parallelism, each result
//! printed as it completes with the account's name in front (so that a run killed midway
//! still leaves a record of what it did), and each account's summary printed under its
//! header when the account is done.

use crate::cli::{ExitStatus, Printer};
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{FuturesUnordered, StreamExt};

use crate::account_lock::AccountLock;
use crate::api::Client;
use crate::cli::args::Format;
use crate::cli::progress::{Bars, Progress};
use crate::manifest::Manifest;
use crate::reconcile::executor::{Event, ExecuteOptions};
use crate::reconcile::operation::Approvals;
use crate::reconcile::{pipeline, Plan};
use crate::render;

use super::super::plan::{account_heading, print_json, with_account};
use super::{Options, INTERRUPT_GRACE};

/// An account's approved plan, waiting to be executed.
pub struct Ready {
    /// The account's name in the repository config (`None` without one).
    pub name: Option<String>,
    /// How the account's header names it.
    pub title: String,
    pub client: Client,
    pub plan: Plan,
    /// The manifests planned from, names resolved to ids (API errors map back through them).
    pub manifests: Vec<Manifest>,
    /// The assistants' manifests (a 422 on an assistant points at the field's line).
    pub assistants: Vec<campaignctl_core::manifest::AssistantManifest>,
    pub approvals: Approvals,
    /// Where what this run carries out is recorded (`None` outside a git repository).
    pub record: Option<crate::reconcile::applied_record::RecordTarget>,
    /// Held until the last write: no other campaignctl run on this machine writes to the
    /// account from its plan until then.
    pub _lock: AccountLock,
}

/// Where an account's report goes while its plan executes.
enum Sink<'a> {
    /// Straight to stdout, each line as its operation finishes, under a bar of its own.
    Terminal,
    /// Each line to stdout as its operation finishes, after `prefix` (the account's name);
    /// the summary (or JSON document) into `report`, printed when the account is done. Its
    /// bar is among `bars`.
    Shared {
        prefix: String,
        report: String,
        bars: &'a Bars,
        /// An account's summary was the last thing printed: a blank line comes first.
        after_block: &'a AtomicBool,
    },
}

impl Sink<'_> {
    /// Lines shown as they happen.
    fn print(&mut self, lines: &str) {
        match self {
            Sink::Terminal => anstream::print!("{lines}"),
            Sink::Shared {
                prefix,
                bars,
                after_block,
                ..
            } => bars.suspend(|| {
                if after_block.swap(false, Ordering::Relaxed) {
                    anstream::println!();
                }
                for line in lines.lines().filter(|l| !l.trim().is_empty()) {
                    anstream::println!("{prefix}{line}");
                }
            }),
        }
    }

    /// The account's summary, or its JSON document.
    fn report(&mut self, text: &str) {
        match self {
            Sink::Terminal => anstream::print!("{text}"),
            Sink::Shared { report, .. } => report.push_str(text),
        }
    }
}

/// Executes one account's plan, its results on the terminal as they come (paths shown as
/// `printer` shows them).
pub async fn one(printer: &Printer, ready: &Ready, options: &Options) -> ExitStatus {
    execute(printer, ready, options, &mut Sink::Terminal).await
}

/// Executes several accounts' plans at once. Each result line is printed as it completes,
/// after its account's name (`acme | + "A": created (id 4)`); each account's summary (or JSON
/// document) is printed under its header as soon as the account is done. On a terminal, a bar
/// per account shows progress meanwhile. Returns each account's name and exit code.
pub async fn all(
    printer: &Printer,
    readies: &[Ready],
    options: &Options,
) -> Vec<(String, ExitStatus)> {
    if readies.is_empty() {
        return Vec::new();
    }
    let bars = &Bars::start();
    let after_block = &AtomicBool::new(false);
    let text = options.format == Format::Text;
    let width = readies
        .iter()
        .map(|r| r.name.as_deref().unwrap_or_default().chars().count())
        .max()
        .unwrap_or(0);
    let mut running: FuturesUnordered<_> = readies
        .iter()
        .map(|ready| async move {
            let name = ready.name.as_deref().unwrap_or_default();
            let mut sink = Sink::Shared {
                prefix: format!("{name:width$} | "),
                report: String::new(),
                bars,
                after_block,
            };
            let code = execute(printer, ready, options, &mut sink).await;
            let Sink::Shared { report, .. } = sink else {
                unreachable!("made shared above")
            };
            (ready, code, report)
        })
        .collect();
    let mut codes = Vec::new();
    while let Some((ready, code, report)) = running.next().await {
        bars.suspend(|| {
            if text {
                anstream::println!("\n{}", account_heading(&ready.title));
            }
            // A JSON document is one account's report.
            anstream::print!("{report}");
        });
        after_block.store(text, Ordering::Relaxed);
        codes.push((ready.name.clone().unwrap_or_default(), code));
    }
    drop(running);
    bars.finish();
    if text {
        anstream::println!();
    }
    codes
}

/// Executes the approved plan, printing each result as it completes (text) or the report
/// (JSON). SIGINT/SIGTERM stops starting operations; those in flight may finish within
/// `INTERRUPT_GRACE`, and the report names every operation that did not run.
async fn execute(
    printer: &Printer,
    ready: &Ready,
    options: &Options,
    sink: &mut Sink<'_>,
) -> ExitStatus {
    let plan = &ready.plan;
    let text = options.format == Format::Text;
    if text {
        sink.print(&format!(
            "\nApplying {} operation(s), at most {} at once:\n",
            plan.operations.len(),
            options.parallelism
        ));
    }
    // An interrupt of the whole run (several accounts) counts as one of this apply; a run over
    // several accounts listens for it once, for all of them.
    let cancel = options.interrupt.child_token();
    let signals = (!options.interrupt_listened).then(|| tokio::spawn(listen(cancel.clone())));
    // On a terminal, a bar shows done / total and the failures so far; the per-operation
    // lines stay, printed with the bar cleared.
    let mut progress = text.then(|| match sink {
        Sink::Terminal => Progress::start(plan.operations.len()),
        Sink::Shared { bars, .. } => bars.add(
            plan.operations.len(),
            ready.name.as_deref().unwrap_or(&ready.title),
        ),
    });
    let mut on_event = |event: Event<'_>| {
        if let Some(progress) = progress.as_mut() {
            progress.on_event(&event);
        }
        if let (true, Event::Finished(_, result) | Event::Revised(_, result)) = (text, event) {
            let line = render::operation_result_text(result, printer.shown_from());
            match (&mut *sink, progress.as_ref()) {
                (Sink::Terminal, Some(progress)) => progress.suspend(|| anstream::print!("{line}")),
                (sink, _) => sink.print(&line),
            }
        }
    };
    let run = pipeline::execute(
        &ready.client,
        plan,
        &ready.manifests,
        &ready.assistants,
        ExecuteOptions {
            parallelism: options.parallelism,
            approvals: ready.approvals,
        },
        &cancel,
        &mut on_event,
    );
    let report = tokio::select! {
        report = run => report,
        () = async { cancel.cancelled().await; tokio::time::sleep(INTERRUPT_GRACE).await } => {
            anstream::eprintln!(
                "error: operations in flight {}did not finish within {} s of the interrupt; their outcome is unknown. Run `campaignctl plan` before applying again.",
                of_account(ready),
                INTERRUPT_GRACE.as_secs()
            );
            return ExitStatus::Failure;
        }
    };
    if let Some(signals) = signals {
        signals.abort();
    }
    // Under the lock still: what was carried out, per campaign, before anything is printed.
    if let Err(e) = record(ready, &report.results) {
        anstream::eprintln!("warning: {e}");
    }
    if let Some(progress) = progress {
        progress.finish();
    }
    if text {
        let summary = render::apply_summary_text(&report, plan.summary().drift);
        match sink {
            Sink::Terminal => sink.report(&format!("\n{summary}")),
            Sink::Shared { .. } => sink.report(&summary),
        }
    } else {
        let doc = with_account(
            render::apply_json(plan, &report, printer.shown_from()),
            ready.name.as_deref(),
        );
        match sink {
            Sink::Terminal => print_json(&doc),
            Sink::Shared { .. } => {
                let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
                sink.report(&(crate::escape::json(&text).into_owned() + "\n"))
            }
        }
    }
    if cancel.is_cancelled() {
        anstream::eprintln!("error: the apply {}was interrupted; its report on stdout names what did not run. Run `campaignctl plan` to see what is left.", of_account(ready));
        return ExitStatus::Failure;
    }
    if report.no_failures() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

/// Records what the run carried out (`reconcile::applied_record`).
pub fn record(
    ready: &Ready,
    results: &[crate::reconcile::executor::OperationResult],
) -> Result<(), String> {
    crate::reconcile::applied_record::record_run(ready.record.as_ref(), &ready.plan, results)
}

/// `of account NAME ` in messages of a run over several accounts; nothing without a config.
fn of_account(ready: &Ready) -> String {
    ready
        .name
        .as_deref()
        .map_or(String::new(), |n| format!("of account {n} "))
}

/// Cancels `interrupt` on SIGINT/SIGTERM, saying what happens next.
pub async fn listen(interrupt: tokio_util::sync::CancellationToken) {
    super::super::emulator::shutdown_signal().await;
    anstream::eprintln!(
        "\ninterrupted: no new operation starts; waiting up to {} s for those in flight",
        INTERRUPT_GRACE.as_secs()
    );
    interrupt.cancel();
}
