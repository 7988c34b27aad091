//! `campaignctl calendar`: the manifests' calling windows on one week grid, per account.
//! Offline: manifests that do not load fail as `validate` fails, and nothing is read from the
//! platform.

use std::io::IsTerminal;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::calendar::{self, render, week};
use crate::cli::accounts::Selected;
use crate::cli::args::{CalendarArgs, CalendarFormat};
use crate::cli::printer::Printer;
use crate::cli::ExitStatus;

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

pub fn run(printer: &Printer, selected: &[Selected], args: &CalendarArgs) -> ExitStatus {
    let zone = args.tz.unwrap_or_else(super::status::local_zone);
    let now = args
        .now
        .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
    let monday = args
        .week
        .unwrap_or_else(|| week::monday_of(now.with_timezone(&zone).date_naive()));
    let mut loaded = Vec::new();
    let mut failed = false;
    for s in selected {
        let outcome = crate::manifest::load_roots(&s.roots);
        printer.problems(&outcome.diagnostics);
        if outcome.has_errors() {
            failed = true;
            continue;
        }
        let entries = calendar::entries(&outcome.manifests, args.all);
        let grid = week::week(&entries.placed, zone, monday);
        loaded.push((s.account.as_ref().map(|a| a.name.as_str()), entries, grid));
    }
    if failed {
        // As `validate` and `plan` end: no grid from manifests that do not load.
        return ExitStatus::Failure;
    }
    let named = selected.iter().any(|s| s.account.is_some());
    let written = match args.format {
        CalendarFormat::Json => {
            let document = Document {
                format_version: 1,
                kind: "calendar",
                accounts: loaded
                    .iter()
                    .map(|(account, entries, grid)| AccountCalendar {
                        account: *account,
                        calendar: render::json(grid, &entries.placed, &entries.unplaced),
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
            printer.print(&render::svg(grid, &entries.placed, &entries.unplaced))
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
                    render::markdown(grid, &entries.placed, &entries.unplaced)
                } else {
                    render::text(grid, &entries.placed, &entries.unplaced, narrow)
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
