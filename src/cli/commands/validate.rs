//! `campaignctl validate`: offline checks, every problem in one run.

use crate::cli::accounts::Selected;
use crate::cli::args::ValidateFormat;
use crate::cli::exit;
use crate::manifest::{self, LoadOutcome, Root};
use crate::render::{self as render, github};

/// `validate` of each selected account on its own (a name may be used in two accounts), under
/// a header naming it when there is a repository config; 1 if any is invalid.
pub fn run_accounts(selected: &[Selected], format: ValidateFormat, deny_warnings: bool) -> u8 {
    let mut worst = exit::OK;
    for s in selected {
        if let Some(account) = &s.account {
            if format != ValidateFormat::Github {
                anstream::println!("Account {}:", account.name);
            }
        }
        if run(&s.roots, format, deny_warnings) != exit::OK {
            worst = exit::ERROR;
        }
    }
    worst
}

/// `validate`, with the calling-hours lint; `deny_warnings` makes any warning fail the run.
/// With `--format github` every problem is an annotation (and only that); inside GitHub
/// Actions it is also an annotation.
pub fn run(roots: &[Root], format: ValidateFormat, deny_warnings: bool) -> u8 {
    let github_only = format == ValidateFormat::Github;
    let annotate = github_only || github::in_github_actions();
    let show = |diagnostics: &[manifest::Diagnostic]| {
        if annotate {
            anstream::print!("{}", github::diagnostics(diagnostics));
        }
        if !github_only {
            anstream::eprint!("{}", render::diagnostics_text(diagnostics));
        }
    };
    let outcome = manifest::load_roots(roots);
    show(&outcome.diagnostics);
    if outcome.has_errors() {
        anstream::eprintln!("{}", error_summary(&outcome));
        return exit::ERROR;
    }
    let lint = crate::lint::calling_hours(&outcome.manifests);
    show(&lint);
    if deny_warnings && denied(outcome.diagnostics.iter().chain(&lint)) {
        return exit::ERROR;
    }
    anstream::println!(
        "{} campaign(s) in {} file(s) are valid.",
        outcome.manifests.len(),
        outcome.files
    );
    exit::OK
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
