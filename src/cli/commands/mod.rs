//! One module per subcommand; `run` dispatches.

mod apply;
mod calendar;
mod completions;
mod demo;
mod emulator;
mod export;
mod get;
mod plan;
mod schema;
mod status;
mod validate;
mod watch;

use super::accounts;
use super::args::{Cli, Command};
use crate::cli::{ExitStatus, Printer};

/// Runs the command `cli` asks for, printing through `printer` (made from the same `cli`).
pub async fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Validate(args) => {
            let (_, selected) =
                accounts::select_roots(printer, &args.accounts, &args.manifests.paths)?;
            Ok(validate::run_accounts(
                &selected,
                args.format,
                args.lint.deny_warnings,
                printer.shown_from(),
            ))
        }
        Command::Plan { args, api } => {
            let runs = accounts::select(printer, &args.accounts, &args.manifests.paths, &api)?;
            plan::run_accounts(printer, &runs, &args).await
        }
        Command::Apply { args, api } => {
            let options = apply::Options {
                auto_approve: args.auto_approve,
                allow_start: args.allow_start,
                allow_delete: args.allow_delete,
                lifecycle: args.lifecycle.options(),
                parallelism: usize::from(args.parallelism),
                format: args.format,
                lock_timeout: args.lock_timeout,
                targets: args.scope.targets,
                verbose: args.scope.verbose,
                interrupt: Default::default(),
                interrupt_listened: false,
                record_applied: true,
            };
            if let Some(file) = apply::saved_plan_among(&args.manifests.paths)? {
                return apply::saved_file::run(printer, &file, &args.accounts, &api, options).await;
            }
            let runs = accounts::select(printer, &args.accounts, &args.manifests.paths, &api)?;
            apply::run_accounts(printer, &runs, options).await
        }
        Command::Emulator(args) => emulator::run(args).await,
        Command::Demo(args) => demo::run(printer, &args.manifests.paths).await,
        Command::Schema(args) => Ok(schema::run(&args)),
        Command::Export { args, api } => {
            let client = super::settings::client_from(&api)?;
            export::run(&client, &args).await
        }
        Command::Get { args, api } => {
            let mut runs = Vec::new();
            let mut failed = false;
            for account in accounts::select_clients(printer, &args.accounts, &api)? {
                match account.client {
                    Ok(client) => runs.push((account.name, client)),
                    Err(e) => {
                        failed = true;
                        printer.problems(std::slice::from_ref(&e));
                    }
                }
            }
            let code = get::run(&runs, &args).await?;
            Ok(if failed {
                super::ExitStatus::Failure
            } else {
                code
            })
        }
        Command::Calendar { args, api } => {
            if args.include_remote {
                let runs = accounts::select(printer, &args.accounts, &args.manifests.paths, &api)?;
                return Ok(calendar::run_with_platform(printer, &runs, &args).await);
            }
            let (_, selected) =
                accounts::select_roots(printer, &args.accounts, &args.manifests.paths)?;
            let sources: Vec<calendar::Source> = selected
                .iter()
                .map(|s| calendar::Source {
                    account: s.account.as_ref().map(|a| a.name.clone()),
                    roots: &s.roots,
                    remote: None,
                })
                .collect();
            Ok(calendar::run(printer, &sources, &args))
        }
        Command::Status { args, api } => {
            let runs = accounts::select(printer, &args.accounts, &args.manifests.paths, &api)?;
            status::run(printer, &runs, &args).await
        }
        Command::Completions(args) => Ok(completions::run(&args)),
        Command::Watch { args, api } => watch::run(printer, args, &api).await,
    }
}
