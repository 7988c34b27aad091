//! One module per subcommand; `run` dispatches.

mod apply;
mod completions;
mod demo;
mod emulator;
mod export;
mod plan;
mod schema;
mod validate;
mod watch;

use super::args::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Validate(args) => Ok(validate::run(
            &args.manifests.paths,
            args.format,
            args.lint.deny_warnings,
        )),
        Command::Plan { args, api } => {
            let client = super::settings::client_from(&api)?;
            plan::run(&client, &args).await
        }
        Command::Apply { args, api } => {
            let client = super::settings::client_from(&api)?;
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
            };
            apply::run(&client, &args.manifests.paths, options).await
        }
        Command::Emulator(args) => emulator::run(args).await,
        Command::Demo(args) => demo::run(&args.manifests.paths).await,
        Command::Schema => Ok(schema::run()),
        Command::Export { args, api } => {
            let client = super::settings::client_from(&api)?;
            export::run(&client, &args).await
        }
        Command::Completions(args) => Ok(completions::run(&args)),
        Command::Watch { args, api } => watch::run(args, &api).await,
    }
}
