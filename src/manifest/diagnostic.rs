//! Compiler-style diagnostics with a source position: `file:line:column: error: message`.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A position in a manifest file. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize) -> Location {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
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
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            location,
            severity: Severity::Warning,
            field: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Diagnostic {
        self.field = Some(field.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: by file, line and column; diagnostics without a location come first.
    pub fn sort_key(&self) -> (Option<&Location>, &str) {
        (self.location.as_ref(), self.message.as_str())
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:column: error: message`, then an indented `hint:` line when there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{}: {}", self.severity, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A diagnostic as machine output shows it: `file`, `line` and `column` at the top level
/// (`null` when it has no location), as in `plan --format json`.
#[derive(Debug, Serialize)]
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
    pub fn flat(&self) -> FlatDiagnostic<'_> {
        FlatDiagnostic {
            severity: self.severity,
            file: self.location.as_ref().map(|l| l.file.display().to_string()),
            line: self.location.as_ref().map(|l| l.line),
            column: self.location.as_ref().map(|l| l.column),
            field: self.field.as_deref(),
            message: &self.message,
            hint: self.hint.as_deref(),
        }
    }
}

/// Serialises diagnostics in their flat form (`#[serde(serialize_with = ...)]`).
pub fn serialize_flat<S: serde::Serializer>(
    diagnostics: &[Diagnostic],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(diagnostics.iter().map(Diagnostic::flat))
}
