//! Problems in `watch`'s log that stay the same pass after pass, like held operations
//! (`held`): the plan's warnings about manifests (`lint`: calling hours outside the common
//! legal window), the load's problems (a warning in a file, or the errors that make a pass
//! invalid, whose pass line says so every pass) and the plan's. Each is logged once when it
//! appears, not on every pass; one that went and came back is logged again.

use std::collections::BTreeSet;

use crate::cli::report::log_diagnostics;
use crate::manifest::Diagnostic;
use crate::shown_path::ShownFrom;

/// The problems logged at the last pass that had them, each as it is printed.
#[derive(Debug, Default)]
pub(crate) struct LoggedWarnings {
    current: BTreeSet<String>,
}

impl LoggedWarnings {
    /// Logs the problems among `now` that the last pass did not have, and remembers `now`.
    /// Returns how many were logged, their paths shown from `shown_from`.
    pub(crate) fn update(&mut self, now: &[Diagnostic], shown_from: &ShownFrom) -> usize {
        let seen: BTreeSet<String> = now.iter().map(ToString::to_string).collect();
        let new: Vec<Diagnostic> = now
            .iter()
            .filter(|d| !self.current.contains(&d.to_string()))
            .cloned()
            .collect();
        log_diagnostics(&new, shown_from);
        self.current = seen;
        new.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Location;

    fn warning(line: usize) -> Diagnostic {
        Diagnostic::warning(Some(Location::new("a.yaml", line, 1)), "quiet hours")
    }

    #[test]
    fn a_warning_is_logged_when_it_appears_and_again_only_after_it_went() {
        let mut logged = LoggedWarnings::default();
        let as_is = ShownFrom::as_is();
        assert_eq!(logged.update(&[warning(1)], &as_is), 1, "new: logged");
        assert_eq!(
            logged.update(&[warning(1)], &as_is),
            0,
            "the same: not again"
        );
        assert_eq!(
            logged.update(&[warning(1), warning(2)], &as_is),
            1,
            "only the new one"
        );
        assert_eq!(logged.update(&[], &as_is), 0, "gone");
        assert_eq!(
            logged.update(&[warning(1)], &as_is),
            1,
            "back: logged again"
        );
    }
}
