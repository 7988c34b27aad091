//! `campaignctl apply`: plan afresh (or recompute a saved plan and check it is the one saved),
//! show it, approve it, execute its operations, report.
//!
//! Approval is decided by effects (`reconcile::operation`): writes need `--auto-approve` or the
//! terminal answer; operations that place calls need `--allow-start` or their own answer;
//! operations that destroy data (deletes, replacements of drafts) need `--allow-delete` or
//! their own answer, asked last. What is not approved is held and reported, never silently
//! dropped.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::account_lock;
use crate::api::Client;
use crate::cli::accounts::{self, AccountError, AccountRun};
use crate::cli::args::{AccountArgs, ApiArgs, Format};
use crate::cli::exit;
use crate::cli::progress::Progress;
use crate::diagnostic::Diagnostic;
use crate::manifest::{self, Manifest};
use crate::reconcile::executor::{Event, ExecuteOptions};
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::operation::{Approval, Approvals};
use crate::reconcile::pipeline;
use crate::reconcile::plan::ActionKind;
use crate::reconcile::scope::{Scope, Targets};
use crate::reconcile::{saved, Plan, Report};
use crate::render::{self as render, details, PlanTextOptions};

use super::plan::{make_plan, print_json};

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
}

/// How often an interactive apply re-plans after a "yes" that came too late (the plan changed
/// while the question waited) before it gives up.
const MAX_REPLANS: usize = 3;

/// How long operations in flight may take to finish after SIGINT/SIGTERM before the run ends
/// and reports them as unknown.
const INTERRUPT_GRACE: Duration = Duration::from_secs(10);

/// `apply` on every selected account, one after another (each with its own lock, questions and
/// report), under a header naming it when there is a repository config. One account's failure
/// does not stop the others; the exit code is 1 if any failed.
pub async fn run_accounts(
    runs: &[Result<AccountRun, AccountError>],
    paths: &[PathBuf],
    options: Options,
) -> anyhow::Result<u8> {
    if let [Ok(single)] = runs {
        if single.name.is_none() {
            return run(single, paths, options).await;
        }
    }
    let targets = super::plan::targets_by_account(runs, &options.targets)?;
    // One interrupt ends the whole run, not only the account being applied: each account's
    // own listener exists only while it executes, so this one covers the time in between.
    let interrupt = options.interrupt.clone();
    let signals = tokio::spawn({
        let interrupt = interrupt.clone();
        async move {
            super::emulator::shutdown_signal().await;
            interrupt.cancel();
        }
    });
    let mut codes = Vec::new();
    for (run_or_error, targets) in runs.iter().zip(targets) {
        if interrupt.is_cancelled() {
            let name = match run_or_error {
                Ok(a) => a.name.clone().unwrap_or_default(),
                Err(e) => e.name.clone(),
            };
            anstream::eprintln!("error: interrupted: account {name} was not applied");
            codes.push((name, exit::ERROR));
            continue;
        }
        let Some(account) =
            super::plan::account_header(run_or_error, options.format == Format::Text, &mut codes)
        else {
            continue;
        };
        let Some(targets) = targets else {
            continue;
        };
        let options = Options {
            targets,
            ..options.clone()
        };
        let code = match run(account, paths, options.clone()).await {
            Ok(code) => code,
            Err(e) => {
                crate::cli::report_error(&e);
                exit::ERROR
            }
        };
        codes.push((account.name.clone().unwrap_or_default(), code));
        if options.format == Format::Text {
            anstream::println!();
        }
    }
    signals.abort();
    Ok(super::plan::combine(&codes, options.format == Format::Text))
}

/// The account a saved plan was made for: its client from the repository config the plan
/// names (read again), or from the API flags for a plan made without one.
pub fn account_of_saved(
    file: &Path,
    args: &AccountArgs,
    api: &ApiArgs,
) -> Result<AccountRun, Diagnostic> {
    let replan = "make a new plan with `campaignctl plan --out FILE`, review it, and apply that";
    let saved =
        saved::read(file).map_err(|e| Diagnostic::error(None, e.to_string()).with_hint(replan))?;
    // The config in effect here decides where tokens go, not the file: a plan that names
    // another config (or none, or one where there is none) is refused.
    let in_effect = accounts::config_of(args)?;
    let real = crate::config::real_path;
    match (&saved.config, &in_effect) {
        (None, None) => {}
        (Some(planned), Some(here)) if real(planned) == real(&here.file) => {}
        (planned, here) => {
            let said = |c: Option<&Path>| {
                c.map_or("no repository config".to_owned(), |p| {
                    format!("the repository config {}", p.display())
                })
            };
            return Err(Diagnostic::error(None, format!(
                "{} was made with {}, and {} is in effect here; nothing was applied",
                file.display(),
                said(planned.as_deref()),
                said(here.as_ref().map(|c| c.file.as_path()))
            ))
            .with_hint("apply it from the repository it was made in (or give the same --config), or plan again here"));
        }
    }
    let (Some(name), Some(config_file)) = (&saved.account, &saved.config) else {
        return Ok(AccountRun {
            name: None,
            client: crate::cli::settings::client_from(api)?,
            roots: Vec::new(),
            prune_prefix: None,
            whole: true,
            config: None,
        });
    };
    if !args.accounts.is_empty() && !args.accounts.contains(name) {
        return Err(Diagnostic::error(
            None,
            format!(
                "{} is a plan for account {name}, not {}",
                file.display(),
                args.accounts.join(", ")
            ),
        ));
    }
    if api.api_url.is_some() || api.token_file.is_some() {
        return Err(Diagnostic::error(None, format!(
            "{} is a plan for account {name} of {}, which names its API URL and token; --api-url, CAMPAIGNCTL_API_URL and --token-file do not apply",
            file.display(),
            config_file.display()
        )));
    }
    let account = saved_account(config_file, name).map_err(|e| e.with_hint(replan))?;
    Ok(AccountRun {
        name: Some(name.clone()),
        client: accounts::client_for(&account, api)?,
        roots: Vec::new(),
        prune_prefix: account.prune_prefix.clone(),
        // A saved plan brings its own scope and prune prefix (`run_saved`).
        whole: false,
        config: Some(config_file.clone()),
    })
}

/// Account `name` of the config at `file`, read again.
fn saved_account(file: &Path, name: &str) -> Result<crate::config::Account, Diagnostic> {
    let config = crate::config::read(file).map_err(|problems| {
        crate::cli::report::problems(&problems);
        Diagnostic::error(
            None,
            format!("the repository config {} is invalid", file.display()),
        )
    })?;
    config.account(name).cloned().ok_or_else(|| {
        Diagnostic::error(
            None,
            format!(
                "the plan is for account {name}, which {} no longer declares",
                file.display()
            ),
        )
    })
}

pub async fn run(account: &AccountRun, paths: &[PathBuf], options: Options) -> anyhow::Result<u8> {
    let client = &account.client;
    // --parallelism bounds every request of the run, the plan's concurrent lists included.
    let client = &client.clone().with_max_in_flight(options.parallelism);
    // One writer per account on this machine, from the plan to the last write.
    let _lock = account_lock::acquire(
        &client.account_identity(),
        "apply",
        options.lock_timeout,
        &CancellationToken::new(),
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
        _ => Diagnostic::error(None, e.to_string())
            .with_hint("set CAMPAIGNCTL_LOCK_DIR to a private directory campaignctl may write to"),
    })?;
    if let Some(plan_file) = saved_plan_among(paths)? {
        if !options.targets.is_empty() {
            return Err(Diagnostic::error(None, format!(
                "--target cannot be combined with the saved plan {}: a saved plan applies the targets it was made with",
                plan_file.display()
            ))
            .with_hint("make the plan with `campaignctl plan --target NAME --out FILE`, then apply that file")
            .into());
        }
        if options.lifecycle != LifecycleOptions::default() {
            return Err(Diagnostic::error(None, format!(
                "--base, --prune-prefix and --max-deletes cannot be combined with the saved plan {}: it applies the options it was made with",
                plan_file.display()
            ))
            .with_hint("give them to `campaignctl plan ... --out FILE`, then apply that file")
            .into());
        }
        return run_saved(client, &plan_file, options).await;
    }
    let roots = &account.roots;
    let scope = super::plan::account_scope(account, &options.targets);
    let options = Options {
        lifecycle: super::plan::lifecycle_of(options.lifecycle, account, &options.targets)?,
        ..options
    };
    if options.lifecycle.prune_prefix.is_some() {
        scope
            .allows_prune()
            .map_err(|e| Diagnostic::error(None, e))?;
    }
    let text_options = PlanTextOptions {
        verbose: options.verbose,
        whole_account: scope.whole_account,
    };
    // The plan as it stands now: made once, and again after a person's answer.
    let plan_now = || {
        make_plan(
            client,
            roots,
            &scope,
            options.format,
            &options.lifecycle,
            None,
        )
    };
    let Some(mut planned) = plan_now().await? else {
        return Ok(exit::ERROR);
    };
    let text = options.format == Format::Text;
    for attempt in 0.. {
        if text {
            anstream::print!("{}", render::plan_text_with(&planned.plan, text_options));
        } else if !options.auto_approve {
            // JSON on stdout is the report; a person about to be asked sees the plan too.
            anstream::eprint!("{}", render::plan_text_with(&planned.plan, text_options));
        }
        if let Some(code) = refuse_errors(&planned.plan, &planned.load.diagnostics, &options) {
            return Ok(code);
        }
        if !planned.plan.has_writes() {
            return Ok(nothing_to_do(&planned.plan, &options));
        }
        let approvals = approve(&planned.plan, &options, false)?;
        if options.auto_approve {
            return execute(
                client,
                &planned.plan,
                &planned.resolved,
                approvals,
                &options,
            )
            .await;
        }
        // A person answered: the platform may have moved while the question waited. Plan
        // again and apply only if the operations are the same; otherwise show and ask again.
        let Some(again) = plan_now().await? else {
            return Ok(exit::ERROR);
        };
        if again.plan.operations == planned.plan.operations && !again.plan.has_errors() {
            return execute(client, &again.plan, &again.resolved, approvals, &options).await;
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

/// `apply FILE`: exactly the saved plan, and only if planning again from the same inputs gives
/// the very same plan. The fingerprints say *why* a plan is stale; the comparison is what makes
/// an edited file harmless: whatever the file says, only a plan campaignctl computes now is
/// executed. Saving the plan approved its writes (as Terraform's `apply PLANFILE`); placing
/// calls still needs `--allow-start` or its own answer, and destroying data `--allow-delete`.
async fn run_saved(client: &Client, file: &Path, options: Options) -> anyhow::Result<u8> {
    let replan = "make a new plan with `campaignctl plan --out FILE`, review it, and apply that";
    let saved =
        saved::read(file).map_err(|e| Diagnostic::error(None, e.to_string()).with_hint(replan))?;
    if saved.api_url != client.base_url().as_str() {
        return Err(Diagnostic::error(
            None,
            format!(
                "{} was planned against {}, not {}",
                file.display(),
                saved.api_url,
                client.base_url()
            ),
        )
        .with_hint(
            "set --api-url / CAMPAIGNCTL_API_URL to the API the plan was made for, or plan again",
        )
        .into());
    }
    // Paths in the plan are relative to where it was made: resolve them from there, whatever
    // the working directory now.
    if let Err(e) = std::env::set_current_dir(&saved.base_dir) {
        return Err(Diagnostic::error(
            None,
            format!(
                "{} was made in {}, which cannot be used here: {e}",
                file.display(),
                saved.base_dir.display()
            ),
        )
        .with_hint(replan)
        .into());
    }
    let roots = match (&saved.account, &saved.config) {
        (Some(name), Some(config)) => {
            let account = saved_account(config, name).map_err(|e| e.with_hint(replan))?;
            crate::config::narrowed(&account.roots, &saved.paths)
        }
        _ => accounts::roots_without_config(&saved.paths),
    };
    let load = pipeline::load(&roots);
    if load.has_errors()
        || saved::manifests_fingerprint(&load.manifests) != saved.fingerprint.manifests
    {
        if load.has_errors() {
            anstream::eprint!("{}", render::diagnostics_text(&load.diagnostics));
        }
        return Err(Diagnostic::error(
            None,
            format!(
                "the saved plan {} is stale: the manifests under {} changed since it was made",
                file.display(),
                saved
                    .paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_hint(replan)
        .into());
    }
    // The same scope as the plan: the same paths, the same targets.
    let scope = Scope::of(&saved.paths, Targets::new(&saved.targets));
    if saved.lifecycle.prune_prefix.is_some() {
        scope
            .allows_prune()
            .map_err(|e| Diagnostic::error(None, e).with_hint(replan))?;
    }
    // A plan made with --base compares with the same commit again.
    let config = saved.account.as_deref().zip(saved.config.as_deref());
    let lifecycle = super::plan::with_baseline(saved.lifecycle.clone(), &saved.paths, config)
        .map_err(|e| e.with_hint(replan))?;
    let planned = pipeline::observe_and_plan_with(client, load, &scope, &lifecycle)
        .await
        .map_err(Diagnostic::from)?;
    if saved::remote_fingerprint(&planned.observed.campaigns) != saved.fingerprint.remote {
        return Err(Diagnostic::error(None, format!(
            "the saved plan {} is stale: the campaigns on the platform changed since it was made (it may already have been applied, or someone else changed the account); nothing was applied",
            file.display()
        ))
        .with_hint(replan)
        .into());
    }
    if saved::leads_fingerprint(&planned.leads) != saved.fingerprint.leads {
        return Err(Diagnostic::error(None, format!(
            "the saved plan {} is stale: the leads of its campaigns changed since it was made (it may already have been applied); nothing was applied",
            file.display()
        ))
        .with_hint(replan)
        .into());
    }
    if let Some(difference) = saved::first_difference(&saved.plan, &planned.plan) {
        return Err(Diagnostic::error(None, format!(
            "the saved plan {} does not match the plan its inputs give now: {difference}; the file was edited, or made by a different build. Nothing was applied",
            file.display()
        ))
        .with_hint(replan)
        .into());
    }
    let text = options.format == Format::Text;
    if text {
        let text_options = PlanTextOptions {
            verbose: options.verbose,
            whole_account: scope.whole_account,
        };
        anstream::print!("{}", render::plan_text_with(&planned.plan, text_options));
    }
    if let Some(code) = refuse_errors(&planned.plan, &[], &options) {
        return Ok(code);
    }
    if !planned.plan.has_writes() {
        return Ok(nothing_to_do(&planned.plan, &options));
    }
    let approvals = approve(&planned.plan, &options, true)?;
    execute(
        client,
        &planned.plan,
        &planned.resolved,
        approvals,
        &options,
    )
    .await
}

/// A plan with errors is never applied, in part or in whole.
fn refuse_errors(plan: &Plan, load_diagnostics: &[Diagnostic], options: &Options) -> Option<u8> {
    if !plan.has_errors() {
        return None;
    }
    anstream::eprint!("{}", render::diagnostics_text(&plan.diagnostics));
    anstream::eprintln!("The plan has errors; nothing was applied.");
    if options.format != Format::Text {
        print_json(&render::plan_json(plan, load_diagnostics));
    }
    Some(exit::ERROR)
}

fn nothing_to_do(plan: &Plan, options: &Options) -> u8 {
    if options.format != Format::Text {
        print_json(&render::apply_json(plan, &Report::default()));
    }
    exit::OK
}

/// Decides the run's approvals: from the flags, or by asking on the terminal. Writes are asked
/// first, then everything that places calls, then everything that destroys data, naming the
/// campaigns and what is lost. Declining any changes nothing. `saved` plans were approved for
/// their writes when saved and reviewed, never for destruction: that takes `--allow-delete`.
fn approve(plan: &Plan, options: &Options, saved: bool) -> Result<Approvals, Diagnostic> {
    let mut approvals = Approvals {
        writes: options.auto_approve || saved,
        place_calls: options.allow_start,
        destroy_data: options.allow_delete,
    };
    let needs = |a: Approval| {
        plan.operations
            .iter()
            .any(|op| crate::reconcile::operation::approvals_needed(op.effects).contains(&a))
    };
    if !approvals.writes {
        confirm(&writes_question(plan))?;
        approvals.writes = true;
    }
    let asking = !options.auto_approve && std::io::stdin().is_terminal();
    if needs(Approval::PlaceCalls) && !approvals.place_calls && asking {
        // A person is there: ask. Otherwise (--auto-approve, a saved plan in CI) calls without
        // --allow-start are held and reported.
        confirm(&calls_question(plan))?;
        approvals.place_calls = true;
    }
    if needs(Approval::DestroyData) && !approvals.destroy_data && !options.auto_approve && !saved {
        confirm(&destroy_question(plan))?;
        approvals.destroy_data = true;
    }
    Ok(approvals)
}

fn destroy_question(plan: &Plan) -> String {
    let going: Vec<String> = plan
        .actions
        .iter()
        .filter_map(|a| {
            let id = a.remote_id.unwrap_or_default();
            match &a.kind {
                ActionKind::Delete { status, leads, .. } => Some(format!(
                    "delete {:?} (id {id}: {})",
                    a.name,
                    render::lifecycle::what_is_lost(status, *leads)
                )),
                ActionKind::Replace { renamed_from, .. } => Some(format!(
                    "replace the draft {:?} (id {id}: deleted, then created anew as {:?})",
                    renamed_from.as_deref().unwrap_or(&a.name),
                    a.name
                )),
                _ => None,
            }
        })
        .collect();
    format!(
        "{}: do you want to {}? Deleted campaigns, their leads and their call history cannot be recovered.",
        render::lifecycle::WILL_DELETE,
        going.join(", ")
    )
}

fn writes_question(plan: &Plan) -> String {
    let creates = plan.summary().create;
    let changes = plan.leads_and_status_summary();
    let calling_leads: usize = plan
        .leads_and_status
        .iter()
        .filter(|f| f.calls_new_leads())
        .filter_map(|f| f.leads.as_ref().map(|l| l.to_add.len()))
        .sum();
    let mut writes = Vec::new();
    let replaces = plan.summary().replace;
    for (n, what) in [
        (creates, "create {} campaign(s)"),
        (replaces, "create {} replaced draft(s) anew"),
        (
            changes.leads_to_update,
            "update the variables of {} lead(s)",
        ),
        (
            changes.leads_to_add - calling_leads,
            "add {} lead(s) to campaigns that are not running",
        ),
        (
            changes.stop,
            "stop {} campaign(s), aborting calls under way",
        ),
    ] {
        if n > 0 {
            writes.push(what.replace("{}", &n.to_string()));
        }
    }
    if writes.is_empty() {
        writes.push("apply these changes".to_owned());
    }
    format!(
        "Do you want to {}? This places no calls.",
        writes.join(", ")
    )
}

fn calls_question(plan: &Plan) -> String {
    let calling: Vec<String> = plan
        .leads_and_status
        .iter()
        .filter(|f| f.places_calls())
        .map(|f| {
            if f.starts() {
                format!("start {:?}", f.name)
            } else {
                let n = f.leads.as_ref().map_or(0, |l| l.to_add.len());
                format!("add {n} lead(s) to running {:?}", f.name)
            }
        })
        .collect();
    format!(
        "{}: do you want to {}? This places real phone calls.",
        details::WILL_START_CALLING,
        calling.join(", ")
    )
}

/// Executes the approved plan, printing each result as it completes (text) or the report
/// (JSON). SIGINT/SIGTERM stops starting operations; those in flight may finish within
/// `INTERRUPT_GRACE`, and the report names every operation that did not run.
async fn execute(
    client: &Client,
    plan: &Plan,
    manifests: &[Manifest],
    approvals: Approvals,
    options: &Options,
) -> anyhow::Result<u8> {
    let text = options.format == Format::Text;
    if text {
        anstream::println!(
            "\nApplying {} operation(s), at most {} at once:",
            plan.operations.len(),
            options.parallelism
        );
    }
    // An interrupt of the whole run (several accounts) counts as one of this apply.
    let cancel = options.interrupt.child_token();
    let signals = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            super::emulator::shutdown_signal().await;
            anstream::eprintln!(
                "\ninterrupted: no new operation starts; waiting up to {} s for those in flight",
                INTERRUPT_GRACE.as_secs()
            );
            cancel.cancel();
        }
    });
    // On a terminal, a bar shows done / total and the failures so far; the per-operation
    // lines stay, printed with the bar cleared.
    let mut progress = text.then(|| Progress::start(plan.operations.len()));
    let mut on_event = |event: Event<'_>| {
        if let Some(progress) = progress.as_mut() {
            progress.on_event(&event);
        }
        if let (true, Event::Finished(_, result) | Event::Revised(_, result)) = (text, event) {
            let line = render::operation_result_text(result);
            match progress.as_ref() {
                Some(progress) => progress.suspend(|| anstream::print!("{line}")),
                None => anstream::print!("{line}"),
            }
        }
    };
    let run = pipeline::execute(
        client,
        plan,
        manifests,
        ExecuteOptions {
            parallelism: options.parallelism,
            approvals,
        },
        &cancel,
        &mut on_event,
    );
    let report = tokio::select! {
        report = run => report,
        () = async { cancel.cancelled().await; tokio::time::sleep(INTERRUPT_GRACE).await } => {
            anstream::eprintln!("error: operations in flight did not finish within {} s of the interrupt; their outcome is unknown. Run `campaignctl plan` before applying again.", INTERRUPT_GRACE.as_secs());
            return Ok(exit::ERROR);
        }
    };
    signals.abort();
    if let Some(progress) = progress {
        progress.finish();
    }
    if text {
        anstream::print!(
            "\n{}",
            render::apply_summary_text(&report, plan.summary().drift)
        );
    } else {
        print_json(&render::apply_json(plan, &report));
    }
    if cancel.is_cancelled() {
        anstream::eprintln!("error: the apply was interrupted; the report above names what did not run. Run `campaignctl plan` to see what is left.");
        return Ok(exit::ERROR);
    }
    Ok(if report.no_failures() {
        exit::OK
    } else {
        exit::ERROR
    })
}

/// Terraform's rule: only the literal answer `yes` approves. Without a terminal there is no one
/// to ask, so refuse rather than guess.
fn confirm(question: &str) -> Result<(), Diagnostic> {
    if !std::io::stdin().is_terminal() {
        return Err(Diagnostic::error(
                None,
            "refusing to apply without confirmation: stdin is not a terminal",
        )
        .with_hint(
            "review `campaignctl plan`, then run `campaignctl apply --auto-approve` (as CI should); add --allow-start to let it place calls, --allow-delete to let it delete",
        ));
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
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Diagnostic::error(
            None,
            "apply cancelled; nothing was changed",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CampaignStatus;
    use crate::reconcile::plan::{Action, DeleteReason};

    fn deleting_plan() -> Plan {
        let actions = vec![Action {
            name: "Q".into(),
            manifest: None,
            remote_id: Some(3),
            kind: ActionKind::Delete {
                reason: DeleteReason::Manifest,
                status: CampaignStatus::InProgress,
                leads: Some(4),
            },
            note: None,
        }];
        let operations = crate::reconcile::operation::derive(&actions, &[]);
        Plan {
            actions,
            diagnostics: vec![],
            leads_and_status: vec![],
            operations,
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
        let q = destroy_question(&deleting_plan());
        assert!(q.starts_with("WILL DELETE: do you want to delete \"Q\" (id 3: it is in-progress and deleting it stops its calls and removes its 4 lead(s) and its call history)"), "{q}");
        assert!(q.contains("cannot be recovered"), "{q}");
    }
}
