//! `apply FILE`: exactly the saved plans, and only if planning again from the same inputs gives
//! the very same plan for every account in the file. The fingerprints say *why* a plan is
//! stale; the comparison is what makes an edited file harmless: whatever the file says, only a
//! plan campaignctl computes now is executed. Saving the plan approved its writes (as
//! Terraform's `apply PLANFILE`); placing calls still needs `--allow-start` or its own answer,
//! and destroying data `--allow-delete`.
//!
//! A file is applied whole: every account's plan is checked (each under its account's lock)
//! before any is executed, and one stale account means none is applied.

use crate::cli::ExitStatus;
use std::path::{Path, PathBuf};

use crate::api::Client;
use crate::cli::accounts;
use crate::cli::args::{AccountArgs, ApiArgs, Format};
use crate::config::{Account, RepoConfig};
use crate::diagnostic::Diagnostic;
use crate::reconcile::applied_record;
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::pipeline::{self, Planned};
use crate::reconcile::saved::{self, SavedPlan, SavedPlans};
use crate::reconcile::scope::{Scope, Targets};
use crate::render::{self, PlanTextOptions};

use super::super::plan::account_heading;
use super::execute::{self, Ready};
use super::{approve, lock_all, nothing_to_do, refuse_errors, Options};

const REPLAN: &str =
    "make a new plan with `campaignctl plan --out FILE`, review it, and apply that";

/// One account of the file, ready to be checked: the plan saved for it and how to reach it.
struct Entry<'a> {
    saved: &'a SavedPlan,
    client: Client,
    /// The account as the config declares it now, and the config (`None` without one).
    account: Option<(Account, &'a Path)>,
}

impl Entry<'_> {
    fn title(&self) -> String {
        accounts::title(self.saved.account.as_deref(), &self.client)
    }

    /// `account NAME: ` before a message about one account of several; nothing without a
    /// config.
    fn prefix(&self) -> String {
        self.saved
            .account
            .as_deref()
            .map_or(String::new(), |n| format!("account {n}: "))
    }
}

pub async fn run(
    printer: &crate::cli::Printer,
    file: &Path,
    args: &AccountArgs,
    api: &ApiArgs,
    options: Options,
) -> anyhow::Result<ExitStatus> {
    if !options.targets.is_empty() {
        return Err(Diagnostic::error(None, format!(
            "--target cannot be combined with the saved plan {}: a saved plan applies the targets it was made with",
            file.display()
        ))
        .with_hint("make the plan with `campaignctl plan --target NAME --out FILE`, then apply that file")
        .into());
    }
    if options.lifecycle != LifecycleOptions::default() {
        return Err(Diagnostic::error(None, format!(
            "--base, --prune-prefix, --prune-history and --max-deletes cannot be combined with the saved plan {}: it applies the options it was made with",
            file.display()
        ))
        .with_hint("give them to `campaignctl plan ... --out FILE`, then apply that file")
        .into());
    }
    let plans =
        saved::read(file).map_err(|e| Diagnostic::error(None, e.to_string()).with_hint(REPLAN))?;
    let config = config_in_effect(printer, file, &plans, args)?;
    let entries = entries(printer, file, &plans, config.as_ref(), args, api)?;
    // Paths in the plan are relative to where it was made: resolve them from there, whatever
    // the working directory now.
    std::env::set_current_dir(&plans.base_dir).map_err(|e| {
        Diagnostic::error(
            None,
            format!(
                "{} was made in {}, which cannot be used here: {e}",
                file.display(),
                plans.base_dir.display()
            ),
        )
        .with_hint(REPLAN)
    })?;
    // Shown from the directory the plan was made in, as when it was made (a config in effect
    // has already chosen its repository).
    accounts::show_paths_from_working_directory(printer);
    // The file's paths, now under the directory it was made in, may since have come under a
    // repository config (or another one): refused, as on the command line.
    for entry in &entries {
        accounts::refuse_foreign_paths(&entry.saved.paths, config.as_ref())?;
    }
    let several = entries.len() > 1;
    let signals = several.then(|| tokio::spawn(execute::listen(options.interrupt.clone())));
    let options = Options {
        interrupt_listened: several,
        ..options
    };
    let code = check_and_apply(printer, file, &entries, &options).await;
    if let Some(signals) = signals {
        signals.abort();
    }
    code
}

/// The repository config the file was made with, which must be the one in effect: the config
/// in effect decides where tokens go, not the file. Where no config is in effect (the working
/// directory is outside any repository with one, and no `--config`), the config in effect is
/// the one that governs the directory the plan was made in, found from there as from the
/// working directory and read with the same checks (inside its repository, owned by this
/// user, not writable by others), exactly as `cd DIR && campaignctl apply FILE` would find
/// it; it must then be the config the file names. The file never chooses a config by itself:
/// a file naming a config that does not govern its directory is refused.
fn config_in_effect(
    printer: &crate::cli::Printer,
    file: &Path,
    plans: &SavedPlans,
    args: &AccountArgs,
) -> Result<Option<RepoConfig>, Diagnostic> {
    let here = accounts::config_of(printer, args)?;
    let in_effect = match (here, &args.config, &plans.config) {
        (None, None, Some(_)) => accounts::config_of_directory(printer, &plans.base_dir, args)?,
        (here, _, _) => here,
    };
    let real = crate::config::real_path;
    match (&plans.config, &in_effect) {
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
            .with_hint("apply it from the repository it was made in, or from outside any repository with a config (its own directory's config is then used), or give the same --config; or plan again here"));
        }
    }
    Ok(in_effect)
}

/// The accounts of the file to apply (all, or those `--account` names, each of which must be
/// in the file), each with its client: from the config as it is now, or from the API flags for
/// a plan made without a config. Any account that cannot be reached refuses the whole file.
fn entries<'a>(
    printer: &crate::cli::Printer,
    file: &Path,
    plans: &'a SavedPlans,
    config: Option<&'a RepoConfig>,
    args: &AccountArgs,
    api: &ApiArgs,
) -> Result<Vec<Entry<'a>>, Diagnostic> {
    let in_file: Vec<&str> = plans
        .plans
        .iter()
        .filter_map(|p| p.account.as_deref())
        .collect();
    if let Some(missing) = args
        .accounts
        .iter()
        .find(|a| !in_file.contains(&a.as_str()))
    {
        return Err(Diagnostic::error(
            None,
            format!(
                "{} has no plan for account {missing}; it holds {}",
                file.display(),
                if in_file.is_empty() {
                    "the plan of a run without a repository config".to_owned()
                } else {
                    format!("account(s) {}", in_file.join(", "))
                }
            ),
        )
        .with_hint("leave out --account to apply the whole file, or plan that account"));
    }
    let Some(config) = config else {
        // A run without a config plans one account, from the flags.
        if plans.plans.len() > 1 || !in_file.is_empty() {
            return Err(Diagnostic::error(
                None,
                format!(
                    "{} names no repository config but holds the plans of accounts; nothing was applied",
                    file.display()
                ),
            )
            .with_hint(REPLAN));
        }
        let client = crate::cli::settings::client_from(api)?;
        return Ok(plans
            .plans
            .iter()
            .map(|saved| Entry {
                saved,
                client: client.clone(),
                account: None,
            })
            .collect());
    };
    if api.api_url.is_some() || api.token_file.is_some() {
        return Err(Diagnostic::error(None, format!(
            "{} is a plan for accounts of {}, which names their API URLs and tokens; --api-url, CAMPAIGNCTL_API_URL and --token-file do not apply",
            file.display(),
            config.file.display()
        )));
    }
    // The file's own path of the config (the same file as the one in effect): what `--base`
    // reads the config at REF by.
    let config_file = plans.config.as_deref().unwrap_or(&config.file);
    let mut entries = Vec::new();
    for saved in &plans.plans {
        let Some(name) = saved.account.as_deref() else {
            return Err(Diagnostic::error(
                None,
                format!(
                    "{} names a repository config but not the account of one of its plans",
                    file.display()
                ),
            )
            .with_hint(REPLAN));
        };
        if !args.accounts.is_empty() && !args.accounts.iter().any(|a| a == name) {
            continue;
        }
        let account = config.account(name).cloned().ok_or_else(|| {
            Diagnostic::error(
                None,
                format!(
                    "the plan is for account {name}, which {} no longer declares; nothing was applied",
                    config.file.display()
                ),
            )
            .with_hint(REPLAN)
        })?;
        entries.push(Entry {
            saved,
            client: accounts::client_for(&account, api, printer.shown_from())?,
            account: Some((account, config_file)),
        });
    }
    // Two accounts that reach one platform account would wait for their own lock: refused, as
    // the config itself refuses them.
    let mut seen = std::collections::HashMap::new();
    for entry in &entries {
        let name = entry.saved.account.as_deref().unwrap_or_default();
        if let Some(other) = seen.insert(entry.client.account_identity(), name) {
            return Err(Diagnostic::error(
                None,
                format!(
                    "accounts {other} and {name} of {} reach the same platform account (the same token); nothing was applied",
                    file.display()
                ),
            )
            .with_hint("give each account of the config its own token, then plan again"));
        }
    }
    // Nor may one of them share its token with an account of the config the file (or
    // `--account`) leaves out: it would prune that account's campaigns.
    let names: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.saved.account.as_deref())
        .collect();
    accounts::refuse_one_account_twice(config, &names, api)?;
    Ok(entries)
}

/// Checks every account's plan under its lock, then (when all match) shows and approves each
/// and executes them.
async fn check_and_apply(
    printer: &crate::cli::Printer,
    file: &Path,
    entries: &[Entry<'_>],
    options: &Options,
) -> anyhow::Result<ExitStatus> {
    let locks = lock_all(entries.iter().map(|e| Some(&e.client)), options).await;
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for (entry, lock) in entries.iter().zip(locks) {
        let client = entry.client.clone().with_max_in_flight(options.parallelism);
        let checked_plan = match lock {
            Some(Ok(lock)) => check(printer, file, entry, &client)
                .await
                .map(|planned| (planned, lock)),
            Some(Err(e)) => Err(e),
            None => continue,
        };
        match checked_plan {
            Ok((planned, lock)) => checked.push((entry, client, planned, lock)),
            Err(mut e) => {
                e.message.insert_str(0, &entry.prefix());
                problems.push(e);
            }
        }
    }
    if !problems.is_empty() {
        anstream::eprint!(
            "{}",
            render::diagnostics_text(&problems, printer.shown_from())
        );
        if entries.len() > 1 {
            anstream::eprintln!(
                "error: the saved plan {} is applied whole, and {} of its {} account(s) did not check; no account was applied",
                file.display(),
                problems.len(),
                entries.len()
            );
        }
        return Ok(ExitStatus::Failure);
    }
    let text = options.format == Format::Text;
    let several = checked.len() > 1;
    let mut readies = Vec::new();
    let mut codes = Vec::new();
    for (entry, client, planned, lock) in checked {
        let name = entry.saved.account.clone();
        if text {
            if name.is_some() {
                anstream::println!("{}", account_heading(&entry.title()));
            }
            let text_options = PlanTextOptions {
                verbose: options.verbose,
                whole_account: planned.scope.whole_account,
            };
            crate::cli::commands::plan::report_stdout_error(
                printer.print_with(|out| {
                    render::write_plan_text(
                        out,
                        &planned.planned.plan,
                        text_options,
                        printer.shown_from(),
                    )
                }),
                "the plan",
            );
        }
        let plan = &planned.planned.plan;
        if let Some(code) = refuse_errors(printer, plan, &[], options, name.as_deref()) {
            codes.push((name.unwrap_or_default(), code));
            continue;
        }
        printer.problems(&plan.diagnostics);
        if !plan.has_writes() {
            if let Err(e) = applied_record::record_run(planned.record.as_ref(), plan, &[]) {
                anstream::eprintln!("warning: {e}");
            }
            codes.push((
                name.clone().unwrap_or_default(),
                nothing_to_do(printer, plan, options, name.as_deref()),
            ));
            continue;
        }
        // A question answered "no" for any account applies none: the file is applied whole.
        let approvals = approve(plan, options, true)?;
        if several && text {
            anstream::println!();
        }
        readies.push(Ready {
            title: entry.title(),
            name,
            client,
            plan: planned.planned.plan,
            manifests: planned.planned.load.manifests,
            assistants: planned.planned.load.assistants,
            approvals,
            record: planned.record,
            _lock: lock,
        });
    }
    match readies.as_slice() {
        [one] if !several => codes.push((String::new(), execute::one(printer, one, options).await)),
        _ => codes.extend(execute::all(printer, &readies, options).await),
    }
    Ok(super::super::plan::combine(&codes, text && several))
}

/// An account's plan made again from the file's inputs, with the scope it was made for.
struct Checked {
    planned: Planned,
    scope: Scope,
    /// Where what is carried out is recorded.
    record: Option<applied_record::RecordTarget>,
}

/// Plans the account again from the inputs the file names and checks the result is the plan in
/// the file: the same manifests, the same campaigns and leads on the platform, the same plan.
async fn check(
    printer: &crate::cli::Printer,
    file: &Path,
    entry: &Entry<'_>,
    client: &Client,
) -> Result<Checked, Diagnostic> {
    let saved = entry.saved;
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
        ));
    }
    let roots = match &entry.account {
        Some((account, _)) => crate::config::narrowed(&account.roots, &saved.paths),
        None => accounts::roots_without_config(&saved.paths),
    };
    let mut load = pipeline::load(&roots, printer.shown_from());
    crate::manifest::forget_saved_plan(&mut load, file);
    if load.has_errors()
        || saved::manifests_fingerprint(&load.manifests) != saved.fingerprint.manifests
    {
        if load.has_errors() {
            printer.problems(&load.diagnostics);
        }
        return Err(Diagnostic::error(
            None,
            format!(
                "the saved plan {} is stale: the manifests under {} changed since it was made",
                file.display(),
                paths_list(&saved.paths)
            ),
        )
        .with_hint(REPLAN));
    }
    // The same scope as the plan: the same paths, the same targets, the whole account only if
    // the plan covered it.
    let mut scope = pipeline::scope_of(&saved.paths, Targets::new(&saved.targets));
    if !saved.whole_account {
        scope = scope.narrowed("the saved plan covered only part of the account");
    }
    if saved.lifecycle.prune_prefix.is_some() {
        scope.allows_prune().map_err(|e| e.with_hint(REPLAN))?;
    }
    // A plan compares write-once fields with the same commits again (--base, or those found).
    let config = saved
        .account
        .as_deref()
        .zip(entry.account.as_ref().map(|(_, file)| *file));
    let lifecycle = super::super::plan::with_baseline(
        printer,
        saved.lifecycle.clone(),
        &saved.paths,
        config,
        crate::reconcile::baseline_source::Look::AsSaved,
        Some(&load),
    )
    .map_err(|e| e.with_hint(REPLAN))?;
    // The record of what was applied is read again: a plan it now decides differently (a
    // start another run carried out, or a person's stop recorded since) does not match.
    let mut lifecycle = lifecycle;
    let store = applied_record::RecordStore::find(
        printer,
        &saved.paths,
        client.base_url(),
        saved.account.as_deref(),
    );
    lifecycle.applied = applied_record::load(printer, store.as_ref());
    let record = applied_record::RecordTarget::of(store, &saved.paths);
    let planned = pipeline::observe_and_plan_with(client, load, &scope, &lifecycle)
        .await
        .map_err(|e| client.diagnostic(&e))?;
    if saved::remote_fingerprint(&planned.observed.campaigns) != saved.fingerprint.remote {
        return Err(Diagnostic::error(None, format!(
            "the saved plan {} is stale: the campaigns on the platform changed since it was made (it may already have been applied, or someone else changed the account); nothing was applied",
            file.display()
        ))
        .with_hint(REPLAN));
    }
    if saved::assistants_fingerprint(&planned.observed.assistants) != saved.fingerprint.assistants {
        return Err(Diagnostic::error(None, format!(
            "the saved plan {} is stale: the assistants on the platform changed since it was made (it may already have been applied, or someone else changed the account); nothing was applied",
            file.display()
        ))
        .with_hint(REPLAN));
    }
    if saved::leads_fingerprint(&planned.leads) != saved.fingerprint.leads {
        return Err(Diagnostic::error(None, format!(
            "the saved plan {} is stale: the leads of its campaigns changed since it was made (it may already have been applied); nothing was applied",
            file.display()
        ))
        .with_hint(REPLAN));
    }
    if let Some(difference) =
        saved::first_difference(&saved.plan.operations, &planned.plan.operations)
    {
        return Err(Diagnostic::error(None, format!(
            "the saved plan {} does not match the plan its inputs give now: {difference}; the file was edited, or made by a different build. Nothing was applied",
            file.display()
        ))
        .with_hint(REPLAN));
    }
    Ok(Checked {
        planned,
        scope,
        record,
    })
}

fn paths_list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
