//! `campaignctl validate`: offline checks, every problem in one run.

use crate::cli::accounts::Selected;
use crate::cli::args::ValidateFormat;
use crate::cli::ExitStatus;
use crate::manifest::{self, LoadOutcome, Root};
use crate::render::{self as render, github};
use crate::shown_path::ShownFrom;

/// `validate` of each selected account on its own (a name may be used in two accounts), under
/// a header naming it when there is a repository config; 1 if any is invalid. With `--format
/// json`, one document for every account on stdout, and nothing on stderr. Paths are shown
/// from `shown_from`.
pub fn run_accounts(
    selected: &[Selected],
    format: ValidateFormat,
    deny_warnings: bool,
    shown_from: &ShownFrom,
) -> ExitStatus {
    if format == ValidateFormat::Json {
        let accounts: Vec<_> = selected
            .iter()
            .map(|s| {
                let account = s.account.as_ref().map(|a| a.name.as_str());
                checked(account, &s.roots, shown_from)
            })
            .collect();
        return print_json(&accounts, deny_warnings);
    }
    let mut worst = ExitStatus::Success;
    for s in selected {
        if let Some(account) = &s.account {
            if format != ValidateFormat::Github {
                anstream::println!("Account {}:", account.name);
            }
        }
        if run(&s.roots, format, deny_warnings, shown_from) != ExitStatus::Success {
            worst = ExitStatus::Failure;
        }
    }
    worst
}

/// One account's manifests loaded and linted.
struct Checked<'a> {
    account: Option<&'a str>,
    outcome: LoadOutcome,
    lint: Vec<manifest::Diagnostic>,
}

fn checked<'a>(account: Option<&'a str>, roots: &[Root], shown_from: &ShownFrom) -> Checked<'a> {
    let outcome = manifest::load_roots(roots, shown_from);
    // Every problem in one run: the manifests that are valid are linted even when others are
    // not (a document with errors is not a manifest, so it is linted once it is fixed).
    let lint = crate::lint::calling_hours(&outcome.manifests, &outcome.assistants);
    Checked {
        account,
        outcome,
        lint,
    }
}

/// `{"format_version": 1, "valid": …, "accounts": [{"account", "valid", "campaigns", "files",
/// "errors", "warnings", "diagnostics": [...]}]}`: `valid` is what the exit code says (warnings
/// count with `--deny-warnings`).
fn print_json(accounts: &[Checked<'_>], deny_warnings: bool) -> ExitStatus {
    let mut all_valid = true;
    let accounts: Vec<serde_json::Value> = accounts
        .iter()
        .map(|c| {
            let diagnostics: Vec<&manifest::Diagnostic> =
                c.outcome.diagnostics.iter().chain(&c.lint).collect();
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            let valid = errors == 0 && !(deny_warnings && warnings > 0);
            all_valid &= valid;
            serde_json::json!({
                "account": c.account,
                "valid": valid,
                "campaigns": c.outcome.manifests.len(),
                "files": c.outcome.files,
                "errors": errors,
                "warnings": warnings,
                "diagnostics": diagnostics
                    .iter()
                    .map(|d| crate::render::json::diagnostic_json(d, &c.outcome.shown_from))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    super::plan::print_json(&serde_json::json!({
        "format_version": 1,
        "valid": all_valid,
        "accounts": accounts,
    }));
    if all_valid {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

/// `validate`, with the calling-hours lint; `deny_warnings` makes any warning fail the run.
/// With `--format github` every problem is an annotation (and only that); inside GitHub
/// Actions it is also an annotation. Paths are shown from `shown_from`.
pub fn run(
    roots: &[Root],
    format: ValidateFormat,
    deny_warnings: bool,
    shown_from: &ShownFrom,
) -> ExitStatus {
    if format == ValidateFormat::Json {
        return print_json(&[checked(None, roots, shown_from)], deny_warnings);
    }
    let github_only = format == ValidateFormat::Github;
    let annotate = github_only || github::in_github_actions();
    let show = |diagnostics: &[manifest::Diagnostic]| {
        if annotate {
            anstream::print!("{}", github::diagnostics(diagnostics, shown_from));
        }
        if !github_only {
            anstream::eprint!("{}", render::diagnostics_text(diagnostics, shown_from));
        }
    };
    let Checked { outcome, lint, .. } = checked(None, roots, shown_from);
    show(&outcome.diagnostics);
    show(&lint);
    if outcome.has_errors() {
        anstream::eprintln!("{}", error_summary(&outcome));
        return ExitStatus::Failure;
    }
    if deny_warnings && denied(outcome.diagnostics.iter().chain(&lint)) {
        return ExitStatus::Failure;
    }
    // Assistants are counted when there are any, so that lines without them read as before.
    let assistants = match outcome.assistants.len() {
        0 => String::new(),
        n => format!(" and {n} assistant(s)"),
    };
    anstream::println!(
        "{} campaign(s){assistants} in {} file(s) are valid.",
        outcome.manifests.len(),
        outcome.files
    );
    ExitStatus::Success
}

/// "3 errors in 2 files" style closing line for invalid manifests.
pub fn error_summary(outcome: &LoadOutcome) -> String {
    let errors: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    let mut files: Vec<_> = errors
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| &l.file))
        .collect();
    files.sort();
    files.dedup();
    format!(
        "{} error(s) in {} file(s); nothing was sent to the platform.",
        errors.len(),
        files.len().max(1)
    )
}

/// With `--deny-warnings`: whether any warning fails the run (and says so).
pub fn denied<'a>(diagnostics: impl Iterator<Item = &'a manifest::Diagnostic>) -> bool {
    denied_counting(diagnostics, 0)
}

/// [`denied`], with `more` warnings that are not diagnostics (drifted campaigns apply cannot
/// act on, which the plan shows in their blocks).
pub fn denied_counting<'a>(
    diagnostics: impl Iterator<Item = &'a manifest::Diagnostic>,
    more: usize,
) -> bool {
    let warnings = diagnostics.filter(|d| !d.is_error()).count() + more;
    if warnings > 0 {
        anstream::eprintln!("{warnings} warning(s), treated as errors because of --deny-warnings.");
    }
    warnings > 0
}
