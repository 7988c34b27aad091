//! Problems as log events, for when stderr is the JSON log (`watch --log-format json`): one
//! event per diagnostic, so a log collector reads every stderr line as JSON. Where problems go
//! otherwise is the run's [`super::printer::Printer`]'s choice.

use crate::manifest::Diagnostic;
use crate::shown_path::ShownFrom;

/// Each diagnostic as one log event, starting with its `file:line:column`, the hint a field
/// (as `watch` logs the problems of a pass), its path shown from `shown_from`.
pub fn log_diagnostics(diagnostics: &[Diagnostic], shown_from: &ShownFrom) {
    for d in diagnostics {
        let location = d
            .location
            .as_ref()
            .map(|l| format!("{}: ", l.shown(shown_from)))
            .unwrap_or_default();
        let hint = d.hint.as_deref();
        if d.is_error() {
            tracing::error!(hint, "{location}error: {}", d.message);
        } else {
            tracing::warn!(hint, "{location}warning: {}", d.message);
        }
    }
}
