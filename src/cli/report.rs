//! Where a command prints problems: as text on stderr, or, with `--format github`, only as
//! workflow commands on stdout, so that each problem is printed once (the runner reads both
//! streams, and a problem printed both ways would show twice); or, with `watch --log-format
//! json`, as log events, so that every line on stderr is JSON. Inside GitHub Actions, text is
//! followed by the same problems as workflow commands, whatever the format, so they show on
//! the pull request's diff: on stdout, unless stdout carries a document (JSON, a Markdown
//! comment body) that they would corrupt, then on stderr (the runner reads both).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::manifest::Diagnostic;
use crate::render::{self as render, github};

static ANNOTATIONS_ONLY: AtomicBool = AtomicBool::new(false);
static AS_LOG: AtomicBool = AtomicBool::new(false);
static STDOUT_IS_DOCUMENT: AtomicBool = AtomicBool::new(false);

/// From now on, problems and notices go to the log (`watch --log-format json`): a log
/// collector reads every stderr line as JSON, the first one included.
pub fn as_log(on: bool) {
    AS_LOG.store(on, Ordering::Relaxed);
}

/// Whether stderr is the JSON log.
pub fn is_log() -> bool {
    AS_LOG.load(Ordering::Relaxed)
}

/// A line for the person running the command (which config is in effect): on stderr, or an
/// info event when stderr is the log.
pub fn notice(text: &str) {
    if is_log() {
        tracing::info!("{text}");
    } else {
        anstream::eprintln!("{text}");
    }
}

/// Each diagnostic as one log event, starting with its `file:line:column`, the hint a field
/// (as `watch` logs the problems of a pass).
pub fn log_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let location = d
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let hint = d.hint.as_deref();
        if d.is_error() {
            tracing::error!(hint, "{location}error: {}", d.message);
        } else {
            tracing::warn!(hint, "{location}warning: {}", d.message);
        }
    }
}

/// From now on, [`problems`] prints annotations instead of text (`--format github`).
pub fn annotations_only(on: bool) {
    ANNOTATIONS_ONLY.store(on, Ordering::Relaxed);
}

/// From now on, stdout carries a document (`--format json`, `--format markdown`): annotations
/// inside GitHub Actions go to stderr.
pub fn stdout_is_document(on: bool) {
    STDOUT_IS_DOCUMENT.store(on, Ordering::Relaxed);
}

/// Prints `diagnostics` in the form this run uses.
pub fn problems(diagnostics: &[Diagnostic]) {
    if is_log() {
        log_diagnostics(diagnostics);
    } else if ANNOTATIONS_ONLY.load(Ordering::Relaxed) {
        anstream::print!("{}", github::diagnostics(diagnostics));
    } else {
        anstream::eprint!("{}", render::diagnostics_text(diagnostics));
        if !diagnostics.is_empty() && github::in_github_actions() {
            let annotations = github::diagnostics(diagnostics);
            if STDOUT_IS_DOCUMENT.load(Ordering::Relaxed) {
                anstream::eprint!("{annotations}");
            } else {
                anstream::print!("{annotations}");
            }
        }
    }
}
