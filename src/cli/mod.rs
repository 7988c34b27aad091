//! The command-line program: parse, set up logging and colour, run a command, and decide the
//! exit code in one place. `main.rs` only calls [`main_entry`].

mod accounts;
mod args;
mod commands;
mod output;
pub(crate) mod printer;
mod progress;
pub(crate) mod report;
mod settings;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, ColorWhen, Command, Format};
pub(crate) use printer::Printer;

/// How a command ended: the process's exit status, stable for CI scripts (README, "Exit
/// codes"). Ordered from the least to the most severe, so several accounts' statuses combine
/// with `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: the command did what it was asked (held operations are reported, not failures).
    Success,
    /// 2, `plan --detailed-exitcode` only: apply has something to do.
    Changes,
    /// 1: an error (invalid manifests, an API error, a failed operation, bad usage, ...).
    Failure,
}

impl ExitStatus {
    /// The process's exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

pub fn main_entry() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; usage errors exit 1 like every other error,
            // keeping status 2 free for "plan has changes" (--detailed-exitcode).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(ExitStatus::Failure)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.global.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    init_logging(cli.global.color, &cli.command);
    let printer = Printer::new(&cli);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            anstream::eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(ExitStatus::Failure);
        }
    };
    match runtime.block_on(commands::run(cli, &printer)) {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            report_error(&e, &printer);
            ExitCode::from(ExitStatus::Failure)
        }
    }
}

/// An error that ends a command: a `Diagnostic` (the one carrier of a message, a location and
/// a `hint:`) as every diagnostic is shown; anything else as `error:` and its causes.
pub(crate) fn report_error(e: &anyhow::Error, printer: &Printer) {
    let diagnostic = e.downcast_ref::<crate::diagnostic::Diagnostic>();
    if printer.is_log() {
        match diagnostic {
            Some(d) => report::log_diagnostics(std::slice::from_ref(d), printer.shown_from()),
            None => tracing::error!("error: {e:#}"),
        }
        return;
    }
    if let Some(d) = diagnostic {
        anstream::eprint!(
            "{}",
            crate::render::diagnostics_text(std::slice::from_ref(d), printer.shown_from())
        );
        return;
    }
    let red = anstyle::AnsiColor::Red.on_default().bold();
    anstream::eprintln!("{red}error:{red:#} {e:#}");
}

/// Logs go to stderr, filtered by RUST_LOG (default: warnings; for `watch`, whose logs are its
/// output, campaignctl's info lines, in JSON with `--log-format json`). They never carry the
/// token: it lives in `ApiToken`, whose Debug/Display redact it, and in a header marked sensitive.
fn init_logging(color: ColorWhen, command: &Command) {
    let (default_filter, json) = match command {
        Command::Watch { args, .. } => ("warn,campaignctl=info", args.log_format == Format::Json),
        _ => ("warn", false),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let ansi = match color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    // Every event goes through the escaping writer: fields carry the platform's words.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::log_escape::EscapingStderr {
            colour: ansi && !json,
            json,
        });
    // Then the lines campaignctl itself writes to stderr (which config, problems, the error
    // it ends with) are log events too: every stderr line is JSON (the `Printer` says so).
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.with_ansi(ansi).try_init()
    };
}
