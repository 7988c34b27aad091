//! `campaignctl plan`: load, list, plan, print. Changes nothing (except `--out FILE`).

use crate::cli::ExitStatus;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::api::Client;
use crate::cli::accounts::{AccountError, AccountRun};
use crate::cli::args::{Format, PlanArgs, PlanFormat, ScopeArgs};
use crate::diagnostic::Diagnostic;
use crate::manifest::{LoadOutcome, Manifest, Root};
use crate::reconcile::attention::CannotAct;
use crate::reconcile::baseline_source;
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::pipeline::{self, Planned};
use crate::reconcile::saved::{self, SavedPlan, SavedPlans};
use crate::reconcile::scope::{Scope, Targets};
use crate::reconcile::Observed;
use crate::render::{self as render, github, markdown, PlanTextOptions};

/// `plan` for every selected account, one after another, each under a header naming it when
/// there is a repository config. The exit code covers them all: 1 if any failed, else (with
/// `--detailed-exitcode`) 2 if any has changes; one account's failure does not stop the others.
pub async fn run_accounts(
    printer: &crate::cli::Printer,
    runs: &[Result<AccountRun, AccountError>],
    args: &PlanArgs,
) -> anyhow::Result<ExitStatus> {
    if let [Ok(single)] = runs {
        if single.name.is_none() {
            return run(printer, single, args).await;
        }
    }
    let (targets, mut loads) = load_and_target(printer, runs, &args.scope.targets)?;
    if let Some(out) = &args.out {
        for load in loads.iter_mut().flatten() {
            crate::manifest::forget_saved_plan(load, out);
        }
    }
    let reads = prefetch(runs, &targets, loads, &args.lifecycle.options(), |_| true).await;
    let mut codes = Vec::new();
    let mut saved = Vec::new();
    for ((run_or_error, targets), read) in runs.iter().zip(targets).zip(reads) {
        let heading = match args.format {
            PlanFormat::Json => Heading::None,
            PlanFormat::Markdown => Heading::Markdown,
            PlanFormat::Text | PlanFormat::Github => Heading::Text,
        };
        // An account none of the --target patterns names is left out entirely: no header,
        // nothing planned, nothing said about its campaigns.
        let Some(targets) = targets else {
            continue;
        };
        let Some(account) = account_header(printer, run_or_error, heading, &mut codes) else {
            continue;
        };
        let args = &PlanArgs {
            scope: ScopeArgs {
                targets,
                verbose: args.scope.verbose,
            },
            ..args.clone()
        };
        let code = match run_with(printer, account, args, read).await {
            Ok((code, plan)) => {
                saved.extend(plan);
                code
            }
            Err(e) => {
                crate::cli::report_error(&e, printer);
                ExitStatus::Failure
            }
        };
        codes.push((account.name.clone().unwrap_or_default(), code));
        if args.format != PlanFormat::Json {
            anstream::println!();
        }
    }
    let code = combine(&codes, args.format != PlanFormat::Json);
    let config = runs.iter().find_map(|r| r.as_ref().ok()?.config.as_deref());
    save_plans(args, config, code, saved)
}

/// `--out FILE`: writes the plans of every account in one file, only when every account was
/// planned without errors (a file is applied whole, so it never holds part of what was asked).
fn save_plans(
    args: &PlanArgs,
    config: Option<&Path>,
    code: ExitStatus,
    plans: Vec<SavedPlan>,
) -> anyhow::Result<ExitStatus> {
    let Some(out) = &args.out else {
        return Ok(code);
    };
    if code == ExitStatus::Failure || plans.is_empty() {
        anstream::eprintln!("The plan has errors; no plan file was written.");
        return Ok(ExitStatus::Failure);
    }
    let base_dir = std::env::current_dir()
        .map_err(|e| Diagnostic::error(None, format!("cannot read the working directory: {e}")))?;
    let accounts: Vec<String> = plans.iter().filter_map(|p| p.account.clone()).collect();
    saved::write(out, &SavedPlans::new(&base_dir, config, plans)).map_err(|e| {
        Diagnostic::error(
            None,
            format!("cannot write the plan to {}: {e}", out.display()),
        )
    })?;
    let of = match accounts.as_slice() {
        [] => String::new(),
        [one] => format!(" of account {one}"),
        many => format!(" of accounts {}", many.join(", ")),
    };
    anstream::eprintln!(
        "Saved the plan{of} to {}. Apply exactly this plan with: campaignctl apply {}",
        out.display(),
        out.display()
    );
    Ok(code)
}

/// `Account NAME (URL):`, as each account's section of the output opens.
pub fn account_heading(title: &str) -> String {
    crate::render::style::paint(crate::render::style::BOLD, format!("Account {title}:"))
}

/// How an account's section opens in a run over several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    /// `Account NAME (URL):` in bold.
    Text,
    /// A Markdown heading one level above the plan's own (`### campaignctl plan`), so that a
    /// pull-request comment over several accounts has one section per account.
    Markdown,
    /// None: the JSON document names its account itself.
    None,
}

impl Heading {
    /// The opening of the section of an account that runs: `name`, with its API's `url`.
    fn of(self, name: Option<&str>, url: &str) -> Option<String> {
        match (self, name) {
            (Heading::None, _) => None,
            (Heading::Text, Some(name)) => Some(account_heading(&format!("{name} ({url})"))),
            (Heading::Text, None) => Some(account_heading(url)),
            // The URL in a code span: nothing in it is read as Markdown or made a link.
            (Heading::Markdown, Some(name)) => Some(format!("## Account {name} (`{url}`)\n")),
            (Heading::Markdown, None) => Some(format!("## Account `{url}`\n")),
        }
    }

    /// The opening of the section of an account that cannot run.
    fn not_run(self, name: &str) -> Option<String> {
        match self {
            Heading::None => None,
            Heading::Text => Some(crate::render::style::paint(
                crate::render::style::BOLD,
                format!("Account {name}: not run"),
            )),
            Heading::Markdown => Some(format!("## Account {name}: not run")),
        }
    }
}

/// The header of an account in a run over several; an account that cannot run is reported
/// there and counted as failed (`None`).
pub fn account_header<'a>(
    printer: &crate::cli::Printer,
    run: &'a Result<AccountRun, AccountError>,
    heading: Heading,
    codes: &mut Vec<(String, ExitStatus)>,
) -> Option<&'a AccountRun> {
    match run {
        Ok(account) => {
            let url = account.client.base_url().to_string();
            if let Some(line) = heading.of(account.name.as_deref(), &url) {
                anstream::println!("{line}");
            }
            Some(account)
        }
        Err(AccountError { name, error }) => {
            match heading.not_run(name) {
                Some(line) => anstream::println!("{line}\n"),
                None => print_json(&serde_json::json!({
                    "format_version": render::FORMAT_VERSION,
                    "account": name,
                    "error": error.message,
                })),
            }
            anstream::eprint!(
                "{}",
                render::diagnostics_text(std::slice::from_ref(error), printer.shown_from())
            );
            codes.push((name.clone(), ExitStatus::Failure));
            None
        }
    }
}

/// Each account's `--target` patterns (`None`: left out), by account.
pub type AccountTargets = Vec<Option<Vec<String>>>;

/// Each account's manifests, loaded once (`None` for an account that cannot run), and its
/// `--target` patterns (`targets_matching`).
pub fn load_and_target(
    printer: &crate::cli::Printer,
    runs: &[Result<AccountRun, AccountError>],
    targets: &[String],
) -> Result<(AccountTargets, Vec<Option<LoadOutcome>>), Diagnostic> {
    let loads = load_accounts(runs, printer.shown_from());
    let targets = targets_matching(&manifests_of(&loads), targets)?;
    Ok((targets, loads))
}

/// What was read of each account before its plan: its manifests (`loads`), and the platform's
/// lists when `may_read` allows it (an account whose lock could not be taken must not be read)
/// and the account is ready to be read (`ready_to_read`: a plan of invalid manifests sends
/// nothing to the platform). The lists of every account are read at once, each client within
/// its own bound.
pub async fn prefetch(
    runs: &[Result<AccountRun, AccountError>],
    targets: &AccountTargets,
    loads: Vec<Option<LoadOutcome>>,
    lifecycle: &LifecycleOptions,
    may_read: impl Fn(usize) -> bool,
) -> Vec<Option<Read>> {
    let observed: Vec<Option<Prefetched>> =
        futures::future::join_all(runs.iter().zip(targets).zip(&loads).enumerate().map(
            |(i, ((run, targets), load))| {
                let ready = match (run, targets, load) {
                    (Ok(account), Some(targets), Some(load)) => {
                        may_read(i) && ready_to_read(account, lifecycle, targets, load)
                    }
                    _ => false,
                };
                async move {
                    match run {
                        Ok(account) if ready => {
                            Some(crate::reconcile::observe(&account.client).await)
                        }
                        _ => None,
                    }
                }
            },
        ))
        .await;
    loads
        .into_iter()
        .zip(observed)
        .map(|(load, observed)| load.map(|load| Read { load, observed }))
        .collect()
}

/// Each account's manifests (`None` for an account that cannot run), paths in their problems
/// shown from `shown_from`.
fn load_accounts(
    runs: &[Result<AccountRun, AccountError>],
    shown_from: &crate::shown_path::ShownFrom,
) -> Vec<Option<LoadOutcome>> {
    runs.iter()
        .map(|run| {
            run.as_ref()
                .ok()
                .map(|a| pipeline::load(&a.roots, shown_from))
        })
        .collect()
}

fn manifests_of(loads: &[Option<LoadOutcome>]) -> Vec<Option<&[Manifest]>> {
    loads
        .iter()
        .map(|l| l.as_ref().map(|l| l.manifests.as_slice()))
        .collect()
}

/// With several accounts, each `--target` pattern must match a campaign of at least one of
/// them, and each account is planned with the patterns that match its campaigns (`None`: no
/// pattern does, and the account is left out). Without targets every account runs
/// unnarrowed.
fn targets_matching(
    accounts: &[Option<&[Manifest]>],
    targets: &[String],
) -> Result<AccountTargets, Diagnostic> {
    if targets.is_empty() || accounts.len() < 2 {
        return Ok(accounts.iter().map(|_| Some(targets.to_vec())).collect());
    }
    let mut matched_somewhere = vec![false; targets.len()];
    let mut out = Vec::new();
    for manifests in accounts {
        let Some(manifests) = manifests else {
            out.push(Some(Vec::new()));
            continue;
        };
        let mine: Vec<String> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                Targets::new(std::slice::from_ref(*t))
                    .is_some_and(|one| one.unmatched(manifests).is_empty())
            })
            .map(|(i, t)| {
                matched_somewhere[i] = true;
                t.clone()
            })
            .collect();
        out.push((!mine.is_empty()).then_some(mine));
    }
    if let Some((_, t)) = targets
        .iter()
        .zip(&matched_somewhere)
        .map(|(t, m)| (m, t))
        .find(|(m, _)| !**m)
    {
        // The suggestion comes from every account's names, as without a config it comes from
        // the one account's.
        let names: Vec<&str> = accounts
            .iter()
            .flatten()
            .flat_map(|manifests| manifests.iter().map(|m| m.spec.name.as_str()))
            .collect();
        let mut message = format!("--target {t:?} matches no campaign of the selected accounts");
        if let Some(close) = crate::reconcile::scope::closest_name(t, &names) {
            message.push_str(&format!("; did you mean {close:?}?"));
        }
        return Err(Diagnostic::error(None, message)
        .with_hint("--target takes a campaign name (the manifest's `name`) or a glob pattern such as 'Q4 *'; nothing was planned"));
    }
    Ok(out)
}

/// Whether `plan` of `account` will read the platform: its manifests load without errors, its
/// targets match, and no `--base` or prune check comes first (those accounts read when their
/// turn comes, after their checks). Silent: the account's own run reports any problem.
fn ready_to_read(
    account: &AccountRun,
    lifecycle: &LifecycleOptions,
    targets: &[String],
    load: &LoadOutcome,
) -> bool {
    if lifecycle.base.is_some() || lifecycle.prune_prefix.is_some() {
        return false;
    }
    if load.has_errors() {
        return false;
    }
    let scope = account_scope(account, targets);
    let prunes = account.whole && targets.is_empty() && account.prune_prefix.is_some();
    if prunes && scope.allows_prune().is_err() {
        return false;
    }
    scope.targets.as_ref().is_none_or(|t| {
        t.unmatched_with(&load.manifests, &assistant_names(load))
            .is_empty()
    })
}

/// The names of the assistants a load declares, which `--target` may name.
fn assistant_names(load: &LoadOutcome) -> Vec<&str> {
    load.assistants.iter().map(|a| a.name.as_str()).collect()
}

/// One exit code for several accounts, with a line naming those that failed or have changes.
pub fn combine(codes: &[(String, ExitStatus)], say: bool) -> ExitStatus {
    let names = |code: ExitStatus| -> Vec<&str> {
        codes
            .iter()
            .filter(|(_, c)| *c == code)
            .map(|(n, _)| n.as_str())
            .collect()
    };
    let (failed, changed) = (names(ExitStatus::Failure), names(ExitStatus::Changes));
    if say && codes.len() > 1 {
        let mut parts = vec![format!("{} account(s)", codes.len())];
        if !failed.is_empty() {
            parts.push(format!("failed: {}", failed.join(", ")));
        }
        if !changed.is_empty() {
            parts.push(format!("with changes: {}", changed.join(", ")));
        }
        anstream::println!("Accounts: {}.", parts.join("; "));
    }
    if !failed.is_empty() {
        ExitStatus::Failure
    } else if !changed.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

/// The lifecycle options of a run on `account` with these `--target` patterns: the flags,
/// and the account's `prune_prefix` from the config unless `--prune-prefix` is given (only when
/// the whole account is planned: no narrowing path, no target). `loaded`: the account's
/// manifests as loaded for this run, which the write-once baseline takes for the files a
/// commit holds unchanged instead of reading them from git again.
pub fn lifecycle_of(
    printer: &crate::cli::Printer,
    mut lifecycle: LifecycleOptions,
    account: &AccountRun,
    targets: &[String],
    loaded: Option<&LoadOutcome>,
) -> Result<LifecycleOptions, Diagnostic> {
    if lifecycle.prune_prefix.is_none() && account.whole && targets.is_empty() {
        lifecycle.prune_prefix = account.prune_prefix.clone();
    }
    let config = account.name.as_deref().zip(account.config.as_deref());
    // What campaignctl last carried out decides which starts git asks for: read it for
    // every plan, so `plan`, `apply` and a saved plan decide alike. It is also the first
    // baseline of write-once fields.
    let store = crate::reconcile::applied_record::RecordStore::find(
        printer,
        &account.paths(),
        account.client.base_url(),
        account.name.as_deref(),
    );
    let applied = crate::reconcile::applied_record::load(printer, store.as_ref());
    let mut lifecycle = with_baseline(
        printer,
        lifecycle,
        &account.paths(),
        config,
        baseline_source::Look::Afresh(applied.record()),
        loaded,
    )?;
    lifecycle.applied = applied;
    Ok(lifecycle)
}

/// What was read of an account's platform before its plan: the lists, or why they could not
/// be read.
type Prefetched = Result<Observed, crate::api::ApiError>;

/// What was read of an account before its plan: its manifests, and maybe its lists.
pub struct Read {
    load: LoadOutcome,
    observed: Option<Prefetched>,
}

impl Read {
    /// The manifests only: the lists are read when the plan is made.
    pub fn loaded(load: LoadOutcome) -> Read {
        Read {
            load,
            observed: None,
        }
    }

    /// The manifests, as loaded.
    pub fn load(&self) -> &LoadOutcome {
        &self.load
    }
}

/// `plan` of one account (and `--out`).
pub async fn run(
    printer: &crate::cli::Printer,
    account: &AccountRun,
    args: &PlanArgs,
) -> anyhow::Result<ExitStatus> {
    // The plan file `--out` replaces is not a loading problem of the plan written over it
    // (`manifest::forget_saved_plan`).
    let read = args.out.as_ref().map(|out| {
        let mut load = pipeline::load(&account.roots, printer.shown_from());
        crate::manifest::forget_saved_plan(&mut load, out);
        Read::loaded(load)
    });
    let (code, saved) = run_with(printer, account, args, read).await?;
    save_plans(
        args,
        account.config.as_deref(),
        code,
        saved.into_iter().collect(),
    )
}

/// `plan` of one account, on what was read of it already (`read`), if anything; with `--out`,
/// also the plan to save (none when the plan has errors).
async fn run_with(
    printer: &crate::cli::Printer,
    account: &AccountRun,
    args: &PlanArgs,
    read: Option<Read>,
) -> anyhow::Result<(ExitStatus, Option<SavedPlan>)> {
    let client = &account.client;
    let paths = account.paths();
    // Loaded before the baseline is read: the files a commit holds unchanged are not read and
    // parsed again from git (`manifest::load_at_revision`).
    let read =
        read.unwrap_or_else(|| Read::loaded(pipeline::load(&account.roots, printer.shown_from())));
    let lifecycle = lifecycle_of(
        printer,
        args.lifecycle.options(),
        account,
        &args.scope.targets,
        Some(&read.load),
    )?;
    let scope = scope_of(account, &args.scope);
    if lifecycle.prune_prefix.is_some() {
        scope.allows_prune()?;
    }
    let Some(planned) = make_plan(
        printer,
        client,
        &account.roots,
        &scope,
        &lifecycle,
        Some(read),
        None,
    )
    .await?
    else {
        return Ok((ExitStatus::Failure, None));
    };
    // A saved plan is made from the manifests; then they go, before the rendering allocates
    // its own: they are most of the memory at scale (README, Performance).
    let saved = match &args.out {
        None => None,
        Some(_) => Some(
            SavedPlan::new(
                client.base_url().as_str(),
                &paths,
                &planned.load.manifests,
                &planned.observed.campaigns,
                &planned.leads,
                &planned.plan,
            )
            .with_assistants(&planned.observed.assistants)
            .with_lifecycle(&lifecycle)
            .with_scope(scope.target_patterns(), scope.whole_account)
            .with_account(account.name.as_deref()),
        ),
    };
    // When the plan changes when campaigns call, the Markdown comment shows the week's calendar
    // before and after it, this week in the local zone (a CI runner's is usually UTC).
    let windows = (args.format == PlanFormat::Markdown)
        .then(|| {
            let zone = crate::cli::settings::local_zone();
            let now = args.now.unwrap_or_else(|| {
                chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            });
            crate::calendar::before_and_after_markdown(
                &planned.plan,
                &planned.load.manifests,
                zone,
                crate::calendar::week::monday_of(now.with_timezone(&zone).date_naive()),
            )
        })
        .flatten();
    // Everything but the plan and its warnings goes before rendering: the manifests, the
    // observed account and its leads are most of the memory at scale, and a `..` pattern
    // would keep them alive to the end of this function.
    let Planned {
        plan,
        mut load,
        lint,
        observed,
        leads,
        leads_estimate: _,
    } = planned;
    drop((observed, leads, std::mem::take(&mut load.manifests)));
    let plan = &plan;
    let warnings: Vec<Diagnostic> = load.diagnostics.iter().chain(&lint).cloned().collect();
    drop(load);
    match args.format {
        PlanFormat::Text => report_stdout_error(
            printer.print_with(|out| {
                render::write_plan_text(
                    out,
                    plan,
                    text_options(&scope, &args.scope),
                    printer.shown_from(),
                )
            }),
            "the plan",
        ),
        PlanFormat::Json => print_json(&with_account(
            with_scope(
                render::plan_json(plan, &warnings, printer.shown_from()),
                &scope,
            ),
            account.name.as_deref(),
        )),
        PlanFormat::Markdown => report_stdout_error(
            printer.print(
                &(markdown::plan_markdown_scoped(
                    plan,
                    &warnings,
                    scope.whole_account,
                    printer.shown_from(),
                ) + windows.as_deref().map_or("", |w| w)),
            ),
            "the plan",
        ),
        PlanFormat::Github => {
            anstream::print!("{}", github::plan(plan, &[], printer.shown_from())); // make_plan showed `warnings`
            anstream::println!("Plan: {}", plan.summary());
            if let Some((line, _)) = render::write_once::line(plan, false) {
                anstream::println!("{line}");
            }
            if !scope.whole_account {
                anstream::println!(
                    "Only part of the account was planned (files or --target named), so campaigns in no manifest are not listed."
                );
            }
        }
    }
    if args.format != PlanFormat::Github {
        // `--format github` printed them among the plan's annotations.
        printer.problems(&plan.diagnostics);
    }
    // Drift apply cannot act on is a warning too: shown in its block (and as an annotation),
    // not as a diagnostic, so it is counted here.
    let drift = plan
        .attention()
        .iter()
        .filter(|a| a.kind == CannotAct::Drift)
        .count();
    let denied = args.lint.deny_warnings
        && super::validate::denied_counting(warnings.iter().chain(&plan.diagnostics), drift);
    if plan.has_errors() || denied {
        return Ok((ExitStatus::Failure, None));
    }
    let code = if args.detailed_exitcode && plan.summary().has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    };
    Ok((code, saved))
}

/// The write-once baseline of a run over `paths`: `--base REF` when given (the manifests at
/// REF, and the commit REF names, which a saved plan keeps), else what
/// `reconcile::baseline_source` finds (`look`: afresh with the record, or a saved plan's
/// commits). Options whose baseline is already read are returned as they are. `loaded`: the
/// run's load of the working tree, whose manifests stand for the files a commit holds
/// unchanged.
pub fn with_baseline(
    printer: &crate::cli::Printer,
    mut lifecycle: LifecycleOptions,
    paths: &[PathBuf],
    account: Option<(&str, &Path)>,
    look: baseline_source::Look<'_>,
    loaded: Option<&LoadOutcome>,
) -> Result<LifecycleOptions, Diagnostic> {
    if lifecycle.baseline.is_some() {
        return Ok(lifecycle);
    }
    let Some(mut base) = lifecycle.base.clone() else {
        return match look {
            baseline_source::Look::Afresh(record) => baseline_source::automatic(
                printer,
                lifecycle,
                paths,
                account,
                record,
                &baseline_source::process_env,
                loaded,
            ),
            baseline_source::Look::AsSaved => {
                baseline_source::read_saved(printer, lifecycle, paths, account, loaded)
            }
        };
    };
    // A saved plan reads the commit it was made with, wherever REF points now.
    let rev = base.commit.clone().unwrap_or_else(|| base.given.clone());
    let at = baseline_source::manifests_at(&rev, paths, account, loaded)?;
    base.commit = Some(at.commit);
    let source = base.label();
    baseline_source::warn_problems(printer, &at.diagnostics, &source);
    if at.is_head {
        printer.problems(&[Diagnostic::warning(
            None,
            format!("--base {} is the commit checked out: a write-once change already committed there compares equal to itself", base.given),
        )
        .with_hint("leave out --base: without it, write-once fields are compared with the record of what was applied, which sees committed edits. --base HEAD is right only for campaigns the record holds without a commit (applied from edits not committed), when HEAD holds those edits as they were applied")]);
    }
    lifecycle.base = Some(base);
    lifecycle.baseline = Some(std::sync::Arc::new(
        crate::reconcile::baseline::Baseline::single(source, at.manifests)
            .with_assistants(at.assistants),
    ));
    Ok(lifecycle)
}

/// The scope of planning `account` with the `--target` patterns of `args`.
pub fn scope_of(account: &AccountRun, args: &ScopeArgs) -> Scope {
    account_scope(account, &args.targets)
}

/// The scope of planning `account` with these `--target` patterns: the whole account only
/// when its paths were not narrowed.
pub fn account_scope(account: &AccountRun, targets: &[String]) -> Scope {
    let scope = pipeline::scope_of(&account.paths(), Targets::new(targets));
    if !account.whole {
        return scope.narrowed(match &account.name {
            Some(name) => format!("the paths given cover only part of account {name}'s paths"),
            None => "the paths given cover only part of the account".to_owned(),
        });
    }
    if account.config.is_none() {
        if let Some(why) = crate::cli::accounts::part_of_larger_tree(&account.paths()) {
            return scope.narrowed(why);
        }
    }
    scope
}

/// How the text plan is shown for this scope and `--verbose`.
pub fn text_options(scope: &Scope, args: &ScopeArgs) -> PlanTextOptions {
    PlanTextOptions {
        verbose: args.verbose,
        whole_account: scope.whole_account,
    }
}

/// The plan JSON with what it covers: `scope.whole_account` (unmanaged campaigns are listed
/// only then) and `scope.targets`.
pub fn with_scope(mut doc: serde_json::Value, scope: &Scope) -> serde_json::Value {
    if let Some(map) = doc.as_object_mut() {
        map.insert(
            "scope".to_owned(),
            serde_json::json!({
                "whole_account": scope.whole_account,
                "targets": scope.target_patterns(),
            }),
        );
    }
    doc
}

/// The JSON document with the account it is about, when there is a repository config.
pub fn with_account(mut doc: serde_json::Value, account: Option<&str>) -> serde_json::Value {
    if let (Some(map), Some(name)) = (doc.as_object_mut(), account) {
        map.insert("account".to_owned(), serde_json::json!(name));
    }
    doc
}

/// Loads and validates the manifests, lists the platform, and plans `scope`. `None` when the
/// manifests are invalid (diagnostics already printed). API failures, and a `--target` that
/// matches no campaign, are errors. `again` is `Some(shown)` when the plan is made again after
/// a person's answer: the notice that the platform is being read is not repeated, and of the
/// problems only those not in `shown` are printed (what changed; the rest was just read).
pub async fn make_plan(
    printer: &crate::cli::Printer,
    client: &Client,
    roots: &[Root],
    scope: &Scope,
    lifecycle: &LifecycleOptions,
    read: Option<Read>,
    again: Option<&[Diagnostic]>,
) -> anyhow::Result<Option<Planned>> {
    let format = printer.format();
    let (load, observed) = match read {
        Some(Read { load, observed }) => (load, observed),
        None => (pipeline::load(roots, printer.shown_from()), None),
    };
    let not_shown = |diagnostics: &[Diagnostic]| -> Vec<Diagnostic> {
        diagnostics
            .iter()
            .filter(|d| !again.is_some_and(|shown| shown.contains(d)))
            .cloned()
            .collect()
    };
    printer.problems(&not_shown(&load.diagnostics));
    if load.has_errors() {
        anstream::eprintln!("{}", super::validate::error_summary(&load));
        if format == Format::Json {
            print_json(&render::failure_json(
                &load.diagnostics,
                None,
                printer.shown_from(),
            ));
        }
        return Ok(None);
    }
    if let Some(targets) = &scope.targets {
        let unmatched = targets.unmatched_with(&load.manifests, &assistant_names(&load));
        if !unmatched.is_empty() {
            let error = Diagnostic::error(None, unmatched.join("; "))
                .with_hint("--target takes a campaign or assistant name (the manifest's `name`) or a glob pattern such as 'Q4 *'; nothing was planned");
            if format == Format::Json {
                print_json(&render::failure_json(
                    &load.diagnostics,
                    Some(&error),
                    printer.shown_from(),
                ));
            }
            return Err(error.into());
        }
    }
    if std::io::stderr().is_terminal() && observed.is_none() && again.is_none() {
        anstream::eprintln!(
            "Reading campaigns, assistants and phone numbers from {} ...",
            client.base_url()
        );
    }
    let load_diagnostics = load.diagnostics.clone();
    let planned = match observed {
        None => pipeline::observe_and_plan_with(client, load, scope, lifecycle).await,
        Some(Err(e)) => Err(e),
        Some(Ok(observed)) => {
            pipeline::plan_observed(client, load, observed, scope, lifecycle).await
        }
    };
    let planned = match planned {
        Ok(p) => p,
        Err(e) => return Err(api_failure(printer, client, format, &load_diagnostics, e)),
    };
    printer.problems(&not_shown(&planned.lint));
    Ok(Some(planned))
}

/// An API failure before the plan: the JSON document says so too, then the error is returned.
fn api_failure(
    printer: &crate::cli::Printer,
    client: &Client,
    format: Format,
    load_diagnostics: &[Diagnostic],
    e: crate::api::ApiError,
) -> anyhow::Error {
    // One diagnostic for both streams, so the document says what stderr says, hint included.
    let error = client.diagnostic(&e);
    if format == Format::Json {
        print_json(&render::failure_json(
            load_diagnostics,
            Some(&error),
            printer.shown_from(),
        ));
    }
    error.into()
}

/// Streams the document to stdout. Not through anstream: JSON escapes control characters, so
/// there is no colour to strip, and building the whole text first doubled the peak memory of
/// `plan --format json` for large fleets (README, Performance).
pub fn print_json(v: &serde_json::Value) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // Through `escape::json`: the platform's strings may hold characters serde leaves raw.
    let written = serde_json::to_string_pretty(v)
        .map_err(std::io::Error::from)
        .and_then(|text| writeln!(out, "{}", crate::escape::json(&text)))
        .and_then(|()| out.flush());
    report_stdout_error(written, "JSON");
}

/// A write to stdout that failed. A closed pipe (`schema | head`) is how a reader says it has
/// read enough, a normal end for a command's output as for `cat`: nothing is said. Any other
/// failure (a full disk) is reported.
pub fn report_stdout_error(written: std::io::Result<()>, what: &str) {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            anstream::eprintln!("error: cannot write {what}: {e}");
        }
        _ => {}
    }
}
