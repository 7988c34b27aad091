//! `campaignctl apply`: plan afresh (or recompute a saved plan and check it is the one saved),
//! show it, approve it, execute its operations, report.
//!
//! Approval is decided by effects (`reconcile::operation`): writes need `--auto-approve` or the
//! terminal answer; operations that place calls need `--allow-start` or their own answer;
//! operations that destroy data (deletes, replacements of drafts) need `--allow-delete` or
//! their own answer, asked last. What is not approved is held and reported, never silently
//! dropped.

use crate::cli::ExitStatus;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::account_lock::{self, AccountLock};
use crate::api::Client;
use crate::cli::accounts::{AccountError, AccountRun};
use crate::cli::args::Format;
use crate::diagnostic::Diagnostic;
use crate::manifest::{self, LoadOutcome};
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::operation::{Approval, Approvals};
use crate::reconcile::pipeline::Planned;
use crate::reconcile::{Plan, Report};
use crate::render::{self as render, PlanTextOptions};

use super::plan::{make_plan, print_json, with_account, Read};

mod execute;
mod questions;
pub mod saved_file;

use execute::Ready;

#[derive(Clone)]
pub struct Options {
    pub auto_approve: bool,
    /// Approves operations that place calls (starts, leads for running campaigns).
    pub allow_start: bool,
    /// Approves operations that destroy data (deletes, replacements of drafts).
    pub allow_delete: bool,
    /// `--prune-prefix` and `--max-deletes` (a saved plan brings its own).
    pub lifecycle: LifecycleOptions,
    pub parallelism: usize,
    pub format: Format,
    /// How long to wait for another run's lock on the account.
    pub lock_timeout: Duration,
    /// `--target` patterns: only these campaigns are planned and applied.
    pub targets: Vec<String>,
    /// List unchanged and every unmanaged campaign in the plan shown.
    pub verbose: bool,
    /// Cancelled by SIGINT/SIGTERM over a run of several accounts: an account applied after
    /// the interrupt starts no operation, and no further account is run.
    pub interrupt: CancellationToken,
    /// The caller listens for SIGINT/SIGTERM and cancels `interrupt` (once for every account);
    /// otherwise each execution listens while it runs.
    pub interrupt_listened: bool,
    /// Record what was carried out in the manifests' git repository (`refs/campaignctl/`).
    /// Off only for `demo`, which applies to a throwaway emulator: its record would claim
    /// applies that no platform holds, in whatever repository the demo ran in.
    pub record_applied: bool,
}

/// How often an interactive apply re-plans after a "yes" that came too late (the plan changed
/// while the question waited) before it gives up.
const MAX_REPLANS: usize = 3;

/// How long operations in flight may take to finish after SIGINT/SIGTERM before the run ends
/// and reports them as unknown.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(10);

/// `apply` on every selected account, under a header naming each when there is a repository
/// config. With `--auto-approve` (nobody to ask), every account is planned, then all are
/// executed at once, each within its own `--parallelism`; otherwise one account after another,
/// so that each question is about one account and answered just before it is applied. One
/// account's failure does not stop the others; the exit code is 1 if any failed.
pub async fn run_accounts(
    printer: &crate::cli::Printer,
    runs: &[Result<AccountRun, AccountError>],
    options: Options,
) -> anyhow::Result<ExitStatus> {
    if let [Ok(single)] = runs {
        if single.name.is_none() {
            return run(printer, single, options).await;
        }
    }
    let (targets, loads) = super::plan::load_and_target(printer, runs, &options.targets)?;
    // One interrupt ends the whole run, not only the account being applied.
    let signals = tokio::spawn(execute::listen(options.interrupt.clone()));
    let options = Options {
        interrupt_listened: true,
        ..options
    };
    let codes = each_account(printer, runs, targets, loads, &options).await;
    signals.abort();
    Ok(super::plan::combine(&codes, options.format == Format::Text))
}

/// The name of an account that was selected, whether or not it can run.
fn name_of(run: &Result<AccountRun, AccountError>) -> String {
    match run {
        Ok(a) => a.name.clone().unwrap_or_default(),
        Err(e) => e.name.clone(),
    }
}

/// Each account locked, planned, shown and approved in order. With `--auto-approve`, every
/// lock is taken first and the approved plans are executed at once at the end; otherwise each
/// account is executed right after its questions, before the next account is planned.
async fn each_account(
    printer: &crate::cli::Printer,
    runs: &[Result<AccountRun, AccountError>],
    targets: Vec<Option<Vec<String>>>,
    loads: Vec<Option<LoadOutcome>>,
    options: &Options,
) -> Vec<(String, ExitStatus)> {
    let at_once = options.auto_approve;
    // Every account's manifests were loaded once, for the targets; each plan starts from them.
    // At once: every lock, then every account's lists read at once (under its lock). One at a
    // time: each account takes its lock and reads its lists when its turn comes.
    let (locks, reads) = if at_once {
        let clients = runs.iter().zip(&targets).map(|(run, targets)| {
            run.as_ref()
                .ok()
                .filter(|_| targets.is_some())
                .map(|a| &a.client)
        });
        let locks = lock_all(clients, options).await;
        let locked = |i: usize| matches!(locks.get(i), Some(Some(Ok(_))));
        let reads = super::plan::prefetch(runs, &targets, loads, &options.lifecycle, locked).await;
        (locks, reads)
    } else {
        let reads = loads.into_iter().map(|l| l.map(Read::loaded)).collect();
        (Vec::new(), reads)
    };
    let (mut locks, mut reads) = (locks.into_iter(), reads.into_iter());
    let mut codes = Vec::new();
    let mut readies = Vec::new();
    for (run_or_error, targets) in runs.iter().zip(targets) {
        let (taken, read) = (locks.next().flatten(), reads.next().flatten());
        if options.interrupt.is_cancelled() {
            codes.push(not_applied(name_of(run_or_error)));
            continue;
        }
        // An account none of the --target patterns names is left out entirely: no header,
        // nothing planned, nothing said about its campaigns.
        let Some(targets) = targets else {
            continue;
        };
        let Some(account) = super::plan::account_header(
            printer,
            run_or_error,
            if options.format == Format::Text {
                super::plan::Heading::Text
            } else {
                super::plan::Heading::None
            },
            &mut codes,
        ) else {
            continue;
        };
        let options = Options {
            targets,
            ..options.clone()
        };
        let lock = match taken {
            Some(taken) => taken,
            None => lock(&account.client, &options).await,
        };
        let prepared = match lock {
            Ok(lock) => prepare(printer, account, &options, lock, read).await,
            Err(e) => Err(e.into()),
        };
        let code = match prepared {
            Ok(Prepared::Ready(ready)) if at_once => {
                readies.push(*ready);
                None
            }
            Ok(Prepared::Ready(ready)) => Some(execute::one(printer, &ready, &options).await),
            Ok(Prepared::Done(code)) => Some(code),
            Err(e) => Some(reported(printer, Err(e))),
        };
        if let Some(code) = code {
            codes.push((account.name.clone().unwrap_or_default(), code));
        }
        if options.format == Format::Text {
            anstream::println!();
        }
    }
    codes.extend(execute::all(printer, &readies, options).await);
    // In the accounts' order, however their executions finished.
    let order: Vec<String> = runs.iter().map(name_of).collect();
    codes.sort_by_key(|(name, _)| order.iter().position(|n| n == name));
    codes
}

/// The exit code of an account's run, its error reported.
fn reported(printer: &crate::cli::Printer, result: anyhow::Result<ExitStatus>) -> ExitStatus {
    result.unwrap_or_else(|e| {
        crate::cli::report_error(&e, printer);
        ExitStatus::Failure
    })
}

fn not_applied(name: String) -> (String, ExitStatus) {
    anstream::eprintln!("error: interrupted: account {name} was not applied");
    (name, ExitStatus::Failure)
}

/// Takes the lock of each account given (`None`: not run), in one order, by account identity,
/// whatever the order given: two runs over overlapping accounts never hold one lock each while
/// waiting for the other. The results are in the order given.
async fn lock_all<'a>(
    clients: impl Iterator<Item = Option<&'a Client>>,
    options: &Options,
) -> Vec<Option<Result<AccountLock, Diagnostic>>> {
    let clients: Vec<Option<&Client>> = clients.collect();
    let mut order: Vec<usize> = (0..clients.len())
        .filter(|i| clients[*i].is_some())
        .collect();
    order.sort_by_cached_key(|i| clients[*i].map(Client::account_identity));
    let mut locks: Vec<Option<Result<AccountLock, Diagnostic>>> =
        clients.iter().map(|_| None).collect();
    for i in order {
        if let Some(client) = clients[i] {
            locks[i] = Some(lock(client, options).await);
        }
    }
    locks
}

/// One writer per account on this machine, from the plan to the last write.
async fn lock(client: &Client, options: &Options) -> Result<AccountLock, Diagnostic> {
    account_lock::acquire(
        &client.account_identity(),
        client.base_url().as_str(),
        "apply",
        options.lock_timeout,
        &options.interrupt,
        |holder| {
            anstream::eprintln!(
                "Waiting for the lock on {}: held by {holder} (up to {} with --lock-timeout) ...",
                client.base_url(),
                humantime::format_duration(options.lock_timeout)
            )
        },
    )
    .await
    .map_err(|e| match e {
        account_lock::LockError::Timeout { .. } => Diagnostic::error(None, e.to_string()).with_hint(
            "another campaignctl apply or watch is writing to this account; wait for it, or raise --lock-timeout",
        ),
        account_lock::LockError::Cancelled { .. } => Diagnostic::error(None, e.to_string()),
        _ => Diagnostic::error(None, e.to_string())
            .with_hint("set CAMPAIGNCTL_LOCK_DIR to a private directory campaignctl may write to"),
    })
}

/// `apply` of one account: lock, plan, show, approve, execute.
pub async fn run(
    printer: &crate::cli::Printer,
    account: &AccountRun,
    options: Options,
) -> anyhow::Result<ExitStatus> {
    let lock = lock(&account.client, &options).await?;
    Ok(
        match prepare(printer, account, &options, lock, None).await? {
            Prepared::Done(code) => code,
            Prepared::Ready(ready) => execute::one(printer, &ready, &options).await,
        },
    )
}

/// An account's plan, made and shown: approved and waiting to be executed, or done with
/// (nothing to do, errors, refused) with its exit code.
pub enum Prepared {
    Ready(Box<Ready>),
    Done(ExitStatus),
}

/// Plans the account (holding its lock), shows the plan and decides its approvals: by the
/// flags, or by asking, in which case the plan is made again after the answer and applied only
/// if it is still the same.
async fn prepare(
    printer: &crate::cli::Printer,
    account: &AccountRun,
    options: &Options,
    lock: AccountLock,
    read: Option<Read>,
) -> anyhow::Result<Prepared> {
    // --parallelism bounds every request of the run, the plan's concurrent lists included.
    let client = &account
        .client
        .clone()
        .with_max_in_flight(options.parallelism);
    let roots = &account.roots;
    let scope = super::plan::account_scope(account, &options.targets);
    // Loaded before the baseline is read: the files a commit holds unchanged are not read and
    // parsed again from git (`manifest::load_at_revision`).
    let read = read.unwrap_or_else(|| {
        Read::loaded(crate::reconcile::pipeline::load(
            roots,
            printer.shown_from(),
        ))
    });
    let options = &Options {
        lifecycle: super::plan::lifecycle_of(
            printer,
            options.lifecycle.clone(),
            account,
            &options.targets,
            Some(read.load()),
        )?,
        ..options.clone()
    };
    if options.lifecycle.prune_prefix.is_some() {
        scope.allows_prune()?;
    }
    let text_options = PlanTextOptions {
        verbose: options.verbose,
        whole_account: scope.whole_account,
    };
    // The plan as it stands now: made once (from what was read already, if anything), and
    // again after a person's answer, then printing only the problems not `shown` yet.
    let scope = &scope;
    let plan_now = |read, shown: Option<Vec<Diagnostic>>| async move {
        make_plan(
            printer,
            client,
            roots,
            scope,
            &options.lifecycle,
            read,
            shown.as_deref(),
        )
        .await
    };
    let Some(mut planned) = plan_now(Some(read), None).await? else {
        return Ok(Prepared::Done(ExitStatus::Failure));
    };
    // Every problem this person has seen: the load's, the lint's and the plan's.
    let mut shown: Vec<Diagnostic> = Vec::new();
    // Where what this run carries out is recorded: the repository of the manifests.
    let record = options
        .record_applied
        .then(|| {
            crate::reconcile::applied_record::RecordTarget::of(
                crate::reconcile::applied_record::RecordStore::find(
                    printer,
                    &account.paths(),
                    account.client.base_url(),
                    account.name.as_deref(),
                ),
                &account.paths(),
            )
        })
        .flatten();
    let name = account.name.as_deref();
    let ready = |planned: Planned, approvals| {
        Prepared::Ready(Box::new(Ready {
            name: account.name.clone(),
            title: account.title(),
            client: client.clone(),
            plan: planned.plan,
            manifests: planned.load.manifests,
            assistants: planned.load.assistants,
            approvals,
            record: record.clone(),
            _lock: lock,
        }))
    };
    let text = options.format == Format::Text;
    for attempt in 0.. {
        if text {
            super::plan::report_stdout_error(
                printer.print_with(|out| {
                    render::write_plan_text(out, &planned.plan, text_options, printer.shown_from())
                }),
                "the plan",
            );
        } else if !options.auto_approve {
            // JSON on stdout is the report; a person about to be asked sees the plan too.
            let _ = printer.eprint_with(|out| {
                render::write_plan_text(out, &planned.plan, text_options, printer.shown_from())
            });
        }
        if let Some(code) = refuse_errors(
            printer,
            &planned.plan,
            &planned.load.diagnostics,
            options,
            name,
        ) {
            return Ok(Prepared::Done(code));
        }
        // The plan's warnings (what apply cannot act on, a start left alone, ...), each once,
        // as `plan` shows them; its errors are shown by `refuse_errors`. After a changed plan,
        // only those not shown before.
        let new: Vec<Diagnostic> = planned
            .plan
            .diagnostics
            .iter()
            .filter(|d| !shown.contains(d))
            .cloned()
            .collect();
        printer.problems(&new);
        note_shown(&planned, &mut shown);
        if !planned.plan.has_writes() {
            // Nothing to carry out: campaigns already as declared are recorded as such.
            if let Err(e) =
                crate::reconcile::applied_record::record_run(record.as_ref(), &planned.plan, &[])
            {
                anstream::eprintln!("warning: {e}");
            }
            return Ok(Prepared::Done(nothing_to_do(
                printer,
                &planned.plan,
                options,
                name,
            )));
        }
        let approvals = approve(&planned.plan, options, false)?;
        if options.auto_approve {
            return Ok(ready(planned, approvals));
        }
        // A person answered: the platform may have moved while the question waited. Plan
        // again and apply only if the operations are the same; otherwise show and ask again.
        let Some(again) = plan_now(None, Some(shown.clone())).await? else {
            return Ok(Prepared::Done(ExitStatus::Failure));
        };
        if again.plan.operations == planned.plan.operations && !again.plan.has_errors() {
            return Ok(ready(again, approvals));
        }
        if attempt + 1 >= MAX_REPLANS {
            return Err(Diagnostic::error(None, format!(
                "the plan changed {MAX_REPLANS} times while waiting for confirmation; nothing was applied"
            ))
            .with_hint("something else is changing the account; stop it, then apply again")
            .into());
        }
        anstream::eprintln!(
            "\nThe plan changed while waiting for your answer (the platform changed meanwhile); nothing was applied. This is the new plan:\n"
        );
        planned = again;
    }
    unreachable!("the loop returns")
}

/// Adds the problems of `planned` (its load's, its lint's and its plan's) to those `shown`.
fn note_shown(planned: &Planned, shown: &mut Vec<Diagnostic>) {
    for d in planned
        .load
        .diagnostics
        .iter()
        .chain(&planned.lint)
        .chain(&planned.plan.diagnostics)
    {
        if !shown.contains(d) {
            shown.push(d.clone());
        }
    }
}

/// The saved plan among `paths`, if one of them is a plan file (by content). A saved plan is
/// applied on its own: mixing it with manifests would make it unclear what is approved.
pub fn saved_plan_among(paths: &[PathBuf]) -> Result<Option<PathBuf>, Diagnostic> {
    let plans: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.is_file() && manifest::is_saved_plan(p))
        .collect();
    match plans.as_slice() {
        [] => Ok(None),
        [one] if paths.len() == 1 => Ok(Some((*one).clone())),
        _ => Err(Diagnostic::error(
            None,
            format!(
                "{} is a saved plan; a saved plan is applied on its own, without other paths",
                plans[0].display()
            ),
        )
        .with_hint(
            "run `campaignctl apply PLANFILE`, or `campaignctl apply DIR...` to plan afresh",
        )),
    }
}

/// A plan with errors is never applied, in part or in whole.
fn refuse_errors(
    printer: &crate::cli::Printer,
    plan: &Plan,
    load_diagnostics: &[Diagnostic],
    options: &Options,
    account: Option<&str>,
) -> Option<ExitStatus> {
    if !plan.has_errors() {
        return None;
    }
    printer.problems(&plan.diagnostics);
    anstream::eprintln!("The plan has errors; nothing was applied.");
    if options.format != Format::Text {
        print_json(&with_account(
            render::plan_json(plan, load_diagnostics, printer.shown_from()),
            account,
        ));
    }
    Some(ExitStatus::Failure)
}

fn nothing_to_do(
    printer: &crate::cli::Printer,
    plan: &Plan,
    options: &Options,
    account: Option<&str>,
) -> ExitStatus {
    if options.format != Format::Text {
        print_json(&with_account(
            render::apply_json(plan, &Report::default(), printer.shown_from()),
            account,
        ));
    }
    ExitStatus::Success
}

/// Decides the run's approvals: from the flags, or by asking on the terminal one question per
/// kind of approval the pending operations need (`questions`): writes, then calls, then
/// destruction. A "no" holds that kind only, as the missing flag would. `saved` plans were
/// approved for their writes when saved and reviewed, never for destruction: that takes
/// `--allow-delete`.
fn approve(plan: &Plan, options: &Options, saved: bool) -> Result<Approvals, Diagnostic> {
    let given = Approvals {
        writes: options.auto_approve || saved,
        place_calls: options.allow_start,
        destroy_data: options.allow_delete,
    };
    let terminal = std::io::stdin().is_terminal();
    if !given.writes && !terminal {
        return Err(not_a_terminal());
    }
    // Calls are asked only of a person at a terminal (otherwise --auto-approve or a saved plan
    // in CI holds them and says so); destruction never under --auto-approve or a saved plan.
    let ask = |a: Approval| match a {
        Approval::Writes => true,
        Approval::PlaceCalls => !options.auto_approve && terminal,
        Approval::DestroyData => !options.auto_approve && !saved,
    };
    let asked = questions::questions(&plan.operations, given, ask);
    if asked.is_empty() {
        return Ok(given);
    }
    let mut answers = Vec::with_capacity(asked.len());
    for q in &asked {
        answers.push((q.approval, confirm(&q.text)?));
    }
    let approvals = questions::answered(given, &answers);
    if !plan
        .operations
        .iter()
        .any(|op| approvals.missing(op).is_none())
    {
        return Err(Diagnostic::error(
            None,
            "apply cancelled; nothing was changed",
        ));
    }
    Ok(approvals)
}

/// Without a terminal there is no one to ask, so refuse rather than guess.
fn not_a_terminal() -> Diagnostic {
    Diagnostic::error(
        None,
        "refusing to apply without confirmation: stdin is not a terminal",
    )
    .with_hint(
        "review `campaignctl plan`, then run `campaignctl apply --auto-approve` (as CI should); add --allow-start to let it place calls, --allow-delete to let it delete",
    )
}

/// Terraform's rule: only the literal answer `yes` approves; anything else is a "no" to this
/// question alone.
fn confirm(question: &str) -> Result<bool, Diagnostic> {
    if !std::io::stdin().is_terminal() {
        return Err(not_a_terminal());
    }
    anstream::eprint!(
        "\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Diagnostic::error(None, format!("cannot read the answer: {e}")))?;
    Ok(answer.trim() == "yes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CampaignStatus;
    use crate::reconcile::plan::{DeleteReason, Disposition, Explanation};

    fn deleting_plan() -> Plan {
        let actions = vec![Explanation {
            name: "Q".into(),
            manifest: None,
            remote_id: Some(3),
            kind: Disposition::Delete {
                reason: DeleteReason::Manifest,
                status: CampaignStatus::InProgress,
                leads: Some(4),
                held: None,
            },
            note: None,
        }];
        let operations = crate::reconcile::derive::derive(&actions, &[]);
        Plan {
            assistants: Vec::new(),
            actions,
            diagnostics: vec![],
            leads_and_status: vec![],
            operations,
            deletions: Default::default(),
            write_once_baseline: None,
        }
    }

    fn options(auto_approve: bool, allow_delete: bool) -> Options {
        Options {
            auto_approve,
            allow_start: false,
            allow_delete,
            lifecycle: LifecycleOptions::default(),
            parallelism: 1,
            format: Format::Text,
            lock_timeout: Duration::from_secs(1),
            targets: Vec::new(),
            verbose: false,
            interrupt: CancellationToken::new(),
            interrupt_listened: false,
            record_applied: true,
        }
    }

    #[test]
    fn destruction_is_approved_only_by_its_flag_or_its_own_question() {
        let plan = deleting_plan();
        let ci = approve(&plan, &options(true, false), false).ok();
        assert_eq!(
            ci.map(|a| (a.writes, a.destroy_data)),
            Some((true, false)),
            "--auto-approve alone holds deletes"
        );
        let flagged = approve(&plan, &options(true, true), false).ok();
        assert_eq!(flagged.map(|a| a.destroy_data), Some(true));
        let saved = approve(&plan, &options(false, false), true).ok();
        assert_eq!(
            saved.map(|a| (a.writes, a.destroy_data)),
            Some((true, false)),
            "a saved plan approves its writes, never a deletion, and asks nothing"
        );
    }

    #[test]
    fn the_destroy_question_names_each_campaign_and_what_is_lost() {
        let asked =
            questions::questions(&deleting_plan().operations, Approvals::default(), |_| true);
        let q = &asked[0].text;
        assert!(q.starts_with("WILL DELETE: do you want to delete \"Q\" (id 3: it is in-progress and deleting it stops its calls and removes its 4 lead(s) and its call history)"), "{q}");
        assert!(q.contains("cannot be recovered"), "{q}");
    }
}
