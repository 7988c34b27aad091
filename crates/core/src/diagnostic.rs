//! Compiler-style diagnostics with a source position: `file:line:column: error: message`. Used
//! crate-wide: manifests, plan-time checks, platform errors mapped to manifest lines, lints.
//!
//! A diagnostic quotes what it found (a key, a value, a file name, a CSV header), so its text is
//! partly user input: messages and hints are cut to [`MAX_MESSAGE_CHARS`] when made, and the
//! text form escapes every control character (see [`crate::escape`]).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::escape::{self, MAX_MESSAGE_CHARS};
use crate::shown_path::ShownFrom;

/// At most this many diagnostics are printed in one list (text or annotations); the rest are
/// counted in a closing line. JSON output carries them all.
pub const MAX_DIAGNOSTICS_SHOWN: usize = 500;

/// A position in a manifest file. Lines and columns count from 1. The path is shared: every
/// location in one file points at one copy of it, so cloning a location allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub file: Arc<Path>,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// A location in a copy of `file`; [`Location::shared`] when the path is already shared.
    pub fn new(file: impl AsRef<Path>, line: usize, column: usize) -> Location {
        Location::shared(Arc::from(file.as_ref()), line, column)
    }

    /// A location in `file`, sharing its path.
    pub fn shared(file: Arc<Path>, line: usize, column: usize) -> Location {
        Location { file, line, column }
    }

    /// The file as people and machines are shown it: relative to the repository root that
    /// `from` names (see [`crate::shown_path`]). `file` itself stays the path the file is read
    /// by.
    pub fn shown_file(&self, from: &ShownFrom) -> String {
        from.path(&self.file).to_string_lossy().into_owned()
    }

    /// This location as people and machines are shown it, its file relative to the
    /// repository root that `from` names: `Display` for text, `Serialize` for JSON.
    pub fn shown(&self, from: &ShownFrom) -> ShownLocation {
        ShownLocation {
            file: self.shown_file(from),
            line: self.line,
            column: self.column,
        }
    }
}

/// A location as output shows it (`plan --format json`, `apply --format json`, text): the
/// derived form, with the file as shown. Saved plans keep [`Location`]'s derived form, with
/// the path the file is read by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ShownLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            escape::text(&self.file),
            self.line,
            self.column
        )
    }
}

/// `path:line:column` with the path as read (escaped); output shows a location through
/// [`Location::shown`].
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shown(&ShownFrom::as_is()).fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in the manifests (or, at plan time, in what they refer to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// `None` only for problems that belong to no file (for example a path that does not exist
    /// is reported at line 1, column 1 of the path itself, so this is rare).
    pub location: Option<Location>,
    pub severity: Severity,
    /// The field the problem is about, in Laravel's dotted form (`allowed_days.1`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    /// A `hint:` line telling the user how to fix it, if we know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            location,
            severity: Severity::Error,
            field: None,
            message: cap(message.into()),
            hint: None,
        }
    }

    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            location,
            severity: Severity::Warning,
            field: None,
            message: cap(message.into()),
            hint: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Diagnostic {
        self.field = Some(field.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(cap(hint.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// This diagnostic as output shows it, its path relative to the repository root that
    /// `from` names.
    pub fn shown<'a>(&'a self, from: &'a ShownFrom) -> ShownDiagnostic<'a> {
        ShownDiagnostic {
            diagnostic: self,
            from,
        }
    }

    /// Sort key: by file, line and column; diagnostics without a location come first.
    pub fn sort_key(&self) -> (Option<&Location>, &str) {
        (self.location.as_ref(), self.message.as_str())
    }
}

/// `text`, cut to [`MAX_MESSAGE_CHARS`] characters with its full length said. Not escaped:
/// JSON escapes for itself, text output escapes when displayed.
fn cap(text: String) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => text,
        Some((cut, _)) => format!("{}… ({} characters)", &text[..cut], text.chars().count()),
    }
}

/// What `Display` allows of one message: a capped message and its length note.
const MAX_SHOWN_CHARS: usize = MAX_MESSAGE_CHARS + 40;

/// A diagnostic as output shows it, its path relative to the repository root that `from`
/// names: `path:line:column: error: message`, then an indented `hint:` line when there is one.
/// Control characters from input are escaped: one diagnostic is one line (two with a hint).
pub struct ShownDiagnostic<'a> {
    diagnostic: &'a Diagnostic,
    from: &'a ShownFrom,
}

impl fmt::Display for ShownDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        if let Some(loc) = &d.location {
            write!(f, "{}: ", loc.shown(self.from))?;
        }
        let message = escape::bounded(&d.message, MAX_SHOWN_CHARS);
        write!(f, "{}: {message}", d.severity)?;
        if let Some(hint) = &d.hint {
            write!(f, "\n  hint: {}", escape::bounded(hint, MAX_SHOWN_CHARS))?;
        }
        Ok(())
    }
}

/// The diagnostic with its path as read; output shows one through [`Diagnostic::shown`].
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shown(&ShownFrom::as_is()).fmt(f)
    }
}

/// A diagnostic is also the error a command ends with (`anyhow` carries it to `main`, which
/// shows it as any other diagnostic, hint included).
impl std::error::Error for Diagnostic {}

/// A diagnostic as machine output shows it: `file`, `line` and `column` at the top level
/// (`null` when it has no location), as in `plan --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct FlatDiagnostic<'a> {
    pub severity: Severity,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub field: Option<&'a str>,
    pub message: &'a str,
    pub hint: Option<&'a str>,
}

impl Diagnostic {
    /// This diagnostic's flat form, its path relative to the repository root that `from` names.
    pub fn flat(&self, from: &ShownFrom) -> FlatDiagnostic<'_> {
        FlatDiagnostic {
            severity: self.severity,
            file: self.location.as_ref().map(|l| l.shown_file(from)),
            line: self.location.as_ref().map(|l| l.line),
            column: self.location.as_ref().map(|l| l.column),
            field: self.field.as_deref(),
            message: &self.message,
            hint: self.hint.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_escapes_input_and_stays_on_its_lines() {
        let d = Diagnostic::error(
            Some(Location::new("evil\n::error::x.yaml", 2, 1)),
            "unknown field `a\u{1b}[2Jb\n::error::pwned`",
        )
        .with_hint("did you mean \u{1b}]0;title\u{7}?");
        let shown = d.to_string();
        assert_eq!(
            shown,
            "evil\\n::error::x.yaml:2:1: error: unknown field `a\\u{1b}[2Jb\\n::error::pwned`\n  hint: did you mean \\u{1b}]0;title\\u{7}?",
            "the path, message and hint must be escaped"
        );
        assert_eq!(shown.lines().count(), 2, "message line and hint line only");
    }

    #[test]
    fn a_huge_message_is_capped_when_made() {
        let d = Diagnostic::error(None, "x".repeat(30_000_000)).with_hint("y".repeat(5_000));
        assert!(
            d.message.len() < MAX_MESSAGE_CHARS + 40,
            "message kept {} bytes",
            d.message.len()
        );
        assert!(
            d.message.ends_with("… (30000000 characters)"),
            "the cut is said"
        );
        assert!(d
            .hint
            .as_ref()
            .is_some_and(|h| h.len() < MAX_MESSAGE_CHARS + 40));
        assert!(d.to_string().len() < 3 * MAX_MESSAGE_CHARS, "shown bounded");
    }

    /// Two runs in one process, each in its own repository, show one location each from its
    /// own root: with the root set once per process, the second run would have shown the
    /// first one's.
    #[test]
    fn two_roots_in_one_process_show_one_location_differently() {
        let at = Location::new("/work/mono/team-a/accounts/acme/q4.yaml", 3, 5);
        let d = Diagnostic::error(Some(at.clone()), "unknown field `nmae`");
        let mono = ShownFrom::repository("/work/mono".into(), "/work/mono".into());
        let team = ShownFrom::repository("/work/mono/team-a".into(), "/work/mono".into());
        assert_eq!(
            d.shown(&mono).to_string(),
            "team-a/accounts/acme/q4.yaml:3:5: error: unknown field `nmae`"
        );
        assert_eq!(
            d.shown(&team).to_string(),
            "accounts/acme/q4.yaml:3:5: error: unknown field `nmae`"
        );
        assert_eq!(
            d.flat(&team).file.as_deref(),
            Some("accounts/acme/q4.yaml"),
            "JSON shows the same path as text"
        );
        assert_eq!(
            at.to_string(),
            "/work/mono/team-a/accounts/acme/q4.yaml:3:5",
            "plain Display shows the path as read"
        );
        assert_eq!(
            serde_json::to_value(at.shown(&mono)).ok(),
            Some(
                serde_json::json!({"file": "team-a/accounts/acme/q4.yaml", "line": 3, "column": 5})
            )
        );
    }
}
