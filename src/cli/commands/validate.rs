//! `campaignctl validate`: offline checks, every problem in one run.

use std::path::PathBuf;

use crate::cli::args::ValidateFormat;
use crate::cli::exit;
use crate::manifest::{self, LoadOutcome};
use crate::reconcile::{github, render};

pub fn run(paths: &[PathBuf], format: ValidateFormat) -> u8 {
    let outcome = manifest::load(paths);
    if format == ValidateFormat::Github || github::in_github_actions() {
        anstream::print!("{}", github::diagnostics(&outcome.diagnostics));
    }
    anstream::eprint!("{}", render::diagnostics_text(&outcome.diagnostics));
    if outcome.has_errors() {
        anstream::eprintln!("{}", error_summary(&outcome));
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
