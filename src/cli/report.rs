//! Where a command prints problems: as text on stderr, or, with `--format github`, only as
//! workflow commands on stdout, so that each problem is printed once (the runner reads both
//! streams, and a problem printed both ways would show twice).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::manifest::Diagnostic;
use crate::render::{self as render, github};

static ANNOTATIONS_ONLY: AtomicBool = AtomicBool::new(false);

/// From now on, [`problems`] prints annotations instead of text (`--format github`).
pub fn annotations_only(on: bool) {
    ANNOTATIONS_ONLY.store(on, Ordering::Relaxed);
}

/// Prints `diagnostics` in the form this run uses.
pub fn problems(diagnostics: &[Diagnostic]) {
    if ANNOTATIONS_ONLY.load(Ordering::Relaxed) {
        anstream::print!("{}", github::diagnostics(diagnostics));
    } else {
        anstream::eprint!("{}", render::diagnostics_text(diagnostics));
    }
}
