//! `campaignctl calendar`: the manifests' calling windows on one week grid, per account.
//! Offline unless `--include-remote` (then the platform's campaign list is read, as `plan`
//! reads it); manifests that do not load fail as `validate` fails.

use std::io::IsTerminal;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api::types::RemoteCampaign;
use crate::calendar::{self, render, week};
use crate::cli::accounts::{AccountError, AccountRun};
use crate::cli::args::{CalendarArgs, CalendarFormat};
use crate::cli::printer::Printer;
use crate::cli::ExitStatus;
use crate::manifest::Root;

/// The width under which the text grid drops the campaign letters.
const WIDE: u16 = 100;

/// The JSON document: one calendar per account (one, unnamed, without a repository config).
#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    kind: &'static str,
    accounts: Vec<AccountCalendar<'a>>,
}

#[derive(Serialize)]
struct AccountCalendar<'a> {
    account: Option<&'a str>,
    #[serde(flatten)]
    calendar: render::CalendarJson<'a>,
}

/// One account's manifests, and with `--include-remote` its campaigns on the platform.
pub struct Source<'a> {
    pub account: Option<String>,
    pub roots: &'a [Root],
    pub remote: Option<Vec<RemoteCampaign>>,
}

/// `--include-remote`: each account's campaign list read, then the calendar as offline. An
/// account that cannot be read is reported and fails the run (no calendar is drawn from part
/// of the accounts).
pub async fn run_with_platform(
    printer: &Printer,
    runs: &[Result<AccountRun, AccountError>],
    args: &CalendarArgs,
) -> ExitStatus {
    let mut sources = Vec::new();
    let mut failed = false;
    for run in runs {
        match run {
            Ok(account) => match crate::reconcile::observe(&account.client).await {
                Ok(observed) => sources.push(Source {
                    account: account.name.clone(),
                    roots: &account.roots,
                    remote: Some(observed.campaigns),
                }),
                Err(e) => {
                    printer.problems(&[account.client.diagnostic(&e)]);
                    failed = true;
                }
            },
            Err(AccountError { error, .. }) => {
                printer.problems(std::slice::from_ref(error));
                failed = true;
            }
        }
    }
    if failed {
        return ExitStatus::Failure;
    }
    run(printer, &sources, args)
}

pub fn run(printer: &Printer, sources: &[Source<'_>], args: &CalendarArgs) -> ExitStatus {
    let zone = args.tz.unwrap_or_else(crate::cli::settings::local_zone);
    let now = args
        .now
        .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
    let monday = args
        .week
        .unwrap_or_else(|| week::monday_of(now.with_timezone(&zone).date_naive()));
    let mut loaded = Vec::new();
    let mut failed = false;
    for s in sources {
        let outcome = crate::manifest::load_roots(s.roots, printer.shown_from());
        printer.problems(&outcome.diagnostics);
        if outcome.has_errors() {
            failed = true;
            continue;
        }
        let entries = calendar::entries_with(&outcome.manifests, args.all, s.remote.as_deref());
        let grid = week::week(&entries.placed, zone, monday);
        loaded.push((s.account.as_deref(), entries, grid));
    }
    if failed {
        // As `validate` and `plan` end: no grid from manifests that do not load.
        return ExitStatus::Failure;
    }
    let named = sources.iter().any(|s| s.account.is_some());
    let written = match args.format {
        CalendarFormat::Json => {
            let document = Document {
                format_version: 1,
                kind: "calendar",
                accounts: loaded
                    .iter()
                    .map(|(account, entries, grid)| AccountCalendar {
                        account: *account,
                        calendar: render::json(grid, entries),
                    })
                    .collect(),
            };
            serde_json::to_string_pretty(&document)
                .map(|json| json + "\n")
                .map_err(std::io::Error::other)
                .and_then(|json| printer.print(&crate::escape::json(&json)))
        }
        CalendarFormat::Svg => {
            // An SVG document is one image: one account's calendar.
            let [(_, entries, grid)] = loaded.as_slice() else {
                printer.problems(&[crate::diagnostic::Diagnostic::error(
                    None,
                    format!(
                        "an SVG image holds one account's calendar, and {} accounts were selected",
                        loaded.len()
                    ),
                )
                .with_hint("choose one with --account NAME")]);
                return ExitStatus::Failure;
            };
            printer.print(&render::svg(grid, entries))
        }
        CalendarFormat::Text | CalendarFormat::Markdown => {
            let narrow = narrow_terminal();
            let mut out = String::new();
            for (account, entries, grid) in &loaded {
                if named {
                    let name = crate::escape::text(account.unwrap_or_default()).into_owned();
                    out.push_str(&if args.format == CalendarFormat::Markdown {
                        format!("### Account {name}\n\n")
                    } else {
                        format!("Account {name}:\n")
                    });
                }
                out.push_str(&if args.format == CalendarFormat::Markdown {
                    render::markdown(grid, entries)
                } else {
                    render::text(grid, entries, narrow)
                });
                out.push('\n');
            }
            out.pop();
            printer.print(&out)
        }
    };
    super::plan::report_stdout_error(written, "the calendar");
    ExitStatus::Success
}

/// stdout is a terminal narrower than the full grid.
fn narrow_terminal() -> bool {
    let stdout = std::io::stdout();
    stdout.is_terminal()
        && terminal_size::terminal_size_of(&stdout).is_some_and(|(w, _)| w.0 < WIDE)
}
