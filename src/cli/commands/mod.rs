//! One module per subcommand; `run` dispatches.

mod apply;
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
use crate::cli::ExitStatus;

pub async fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Validate(args) => {
            let (_, selected) = accounts::select_roots(&args.accounts, &args.manifests.paths)?;
            Ok(validate::run_accounts(
                &selected,
                args.format,
                args.lint.deny_warnings,
            ))
        }
        Command::Plan { args, api } => {
            let runs = accounts::select(&args.accounts, &args.manifests.paths, &api)?;
            plan::run_accounts(&runs, &args).await
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
            // The JSON report is the document on stdout; annotations then go to stderr.
            super::report::stdout_is_document(args.format == crate::cli::Format::Json);
            if let Some(file) = apply::saved_plan_among(&args.manifests.paths)? {
                return apply::saved_file::run(&file, &args.accounts, &api, options).await;
            }
            let runs = accounts::select(&args.accounts, &args.manifests.paths, &api)?;
            apply::run_accounts(&runs, options).await
        }
        Command::Emulator(args) => emulator::run(args).await,
        Command::Demo(args) => demo::run(&args.manifests.paths).await,
        Command::Schema(args) => Ok(schema::run(&args)),
        Command::Export { args, api } => {
            let client = super::settings::client_from(&api)?;
            export::run(&client, &args).await
        }
        Command::Get { args, api } => {
            let mut runs = Vec::new();
            let mut failed = false;
            for account in accounts::select_clients(&args.accounts, &api)? {
                match account.client {
                    Ok(client) => runs.push((account.name, client)),
                    Err(e) => {
                        failed = true;
                        super::report::problems(std::slice::from_ref(&e));
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
        Command::Status { args, api } => {
            let runs = accounts::select(&args.accounts, &args.manifests.paths, &api)?;
            status::run(&runs, &args).await
        }
        Command::Completions(args) => Ok(completions::run(&args)),
        Command::Watch { args, api } => watch::run(args, &api).await,
    }
}
