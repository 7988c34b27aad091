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
        Command::Plan(args) => {
            let client = super::settings::client_from(&cli.global)?;
            plan::run(&client, &args).await
        }
        Command::Apply(args) => {
            let client = super::settings::client_from(&cli.global)?;
            let options = apply::Options {
                auto_approve: args.auto_approve,
                allow_start: args.allow_start,
                parallelism: usize::from(args.parallelism),
                format: args.format,
            };
            apply::run(&client, &args.manifests.paths, options).await
        }
        Command::Emulator(args) => emulator::run(args).await,
        Command::Demo(args) => demo::run(&args.manifests.paths, &cli.global).await,
        Command::Schema => Ok(schema::run()),
        Command::Export(args) => {
            let client = super::settings::client_from(&cli.global)?;
            export::run(&client, &args).await
        }
        Command::Completions(args) => Ok(completions::run(&args)),
        Command::Watch(args) => watch::run(args, &cli.global).await,
    }
}
