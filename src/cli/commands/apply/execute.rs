//! Executing approved plans: one account's straight to the terminal, each result as it
//! completes; or several accounts' at once, each within its own parallelism, each report
//! gathered and printed as one block under its account's header, in account order.

use futures::stream::{FuturesOrdered, StreamExt};

use crate::account_lock::AccountLock;
use crate::api::Client;
use crate::cli::args::Format;
use crate::cli::exit;
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
    pub resolved: Vec<Manifest>,
    pub approvals: Approvals,
    /// Held until the last write: no other campaignctl run on this machine writes to the
    /// account from its plan until then.
    pub _lock: AccountLock,
}

/// Where an account's report goes while its plan executes.
enum Sink<'a> {
    /// Straight to stdout, each line as its operation finishes, under a bar of its own.
    Terminal,
    /// Into `text`, printed as one block when the account is done; its bar among `bars`.
    Gathered { text: String, bars: &'a Bars },
}

impl Sink<'_> {
    fn print(&mut self, line: &str) {
        match self {
            Sink::Terminal => anstream::print!("{line}"),
            Sink::Gathered { text, .. } => text.push_str(line),
        }
    }
}

/// Executes one account's plan, its results on the terminal as they come.
pub async fn one(ready: &Ready, options: &Options) -> u8 {
    execute(ready, options, &mut Sink::Terminal).await
}

/// Executes several accounts' plans at once. Each account's results are printed as one block
/// under its header once it and every account before it are done, so the output reads the same
/// however the accounts interleave; on a terminal, a bar per account shows progress meanwhile.
/// Returns each account's name and exit code, in order.
pub async fn all(readies: &[Ready], options: &Options) -> Vec<(String, u8)> {
    if readies.is_empty() {
        return Vec::new();
    }
    let bars = &Bars::start();
    let text = options.format == Format::Text;
    let mut running: FuturesOrdered<_> = readies
        .iter()
        .map(|ready| async move {
            let mut sink = Sink::Gathered {
                text: String::new(),
                bars,
            };
            let code = execute(ready, options, &mut sink).await;
            let Sink::Gathered { text: report, .. } = sink else {
                unreachable!("made gathered above")
            };
            (ready, code, report)
        })
        .collect();
    let mut codes = Vec::new();
    while let Some((ready, code, report)) = running.next().await {
        bars.suspend(|| {
            if text {
                anstream::println!("{}", account_heading(&ready.title));
            }
            // JSON documents were gathered as text too: each is one document.
            anstream::print!("{report}");
            if text {
                anstream::println!();
            }
        });
        codes.push((ready.name.clone().unwrap_or_default(), code));
    }
    drop(running);
    bars.finish();
    codes
}

/// Executes the approved plan, printing each result as it completes (text) or the report
/// (JSON). SIGINT/SIGTERM stops starting operations; those in flight may finish within
/// `INTERRUPT_GRACE`, and the report names every operation that did not run.
async fn execute(ready: &Ready, options: &Options, sink: &mut Sink<'_>) -> u8 {
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
        Sink::Gathered { bars, .. } => bars.add(
            plan.operations.len(),
            ready.name.as_deref().unwrap_or(&ready.title),
        ),
    });
    let mut on_event = |event: Event<'_>| {
        if let Some(progress) = progress.as_mut() {
            progress.on_event(&event);
        }
        if let (true, Event::Finished(_, result) | Event::Revised(_, result)) = (text, event) {
            let line = render::operation_result_text(result);
            match (&mut *sink, progress.as_ref()) {
                (Sink::Terminal, Some(progress)) => progress.suspend(|| anstream::print!("{line}")),
                (sink, _) => sink.print(&line),
            }
        }
    };
    let run = pipeline::execute(
        &ready.client,
        plan,
        &ready.resolved,
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
            return exit::ERROR;
        }
    };
    if let Some(signals) = signals {
        signals.abort();
    }
    if let Some(progress) = progress {
        progress.finish();
    }
    if text {
        sink.print(&format!(
            "\n{}",
            render::apply_summary_text(&report, plan.summary().drift)
        ));
    } else {
        let doc = with_account(render::apply_json(plan, &report), ready.name.as_deref());
        match sink {
            Sink::Terminal => print_json(&doc),
            Sink::Gathered { text, .. } => {
                text.push_str(&serde_json::to_string_pretty(&doc).unwrap_or_default());
                text.push('\n');
            }
        }
    }
    if cancel.is_cancelled() {
        anstream::eprintln!("error: the apply {}was interrupted; the report above names what did not run. Run `campaignctl plan` to see what is left.", of_account(ready));
        return exit::ERROR;
    }
    if report.no_failures() {
        exit::OK
    } else {
        exit::ERROR
    }
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
