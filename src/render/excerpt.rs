//! The source line under a diagnostic, with a caret under the column, as rustc, cargo and just
//! show it (rendered by annotate-snippets):
//!
//! ```text
//! campaigns/q4.yaml:4:14: error: max_retries must be between 0 and 5, got 99
//!   |
//! 4 | max_retries: 99
//!   |              ^^
//!   hint: ...
//! ```
//!
//! Files are read as manifests are (regular files only, never a FIFO or a device, at most 8
//! MiB), each once per rendering. A line that cannot be shown safely or usefully (missing,
//! longer than `MAX_LINE_CHARS`) is left out; the `file:line:column` line always stands alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Location, Severity};

/// Lines longer than this are not shown (a minified or hostile line helps no one).
const MAX_LINE_CHARS: usize = 200;

/// The files read for one rendering, by path; `None` when a file cannot be read.
#[derive(Default)]
pub struct Sources {
    files: HashMap<PathBuf, Option<Vec<String>>>,
}

impl Sources {
    /// The excerpt under `location`, or `None` when there is nothing to show.
    pub fn excerpt(&mut self, location: &Location, severity: Severity) -> Option<String> {
        let lines = self
            .files
            .entry(location.file.clone())
            .or_insert_with(|| read_lines(&location.file))
            .as_ref()?;
        let text = lines.get(location.line.checked_sub(1)?)?;
        if text.chars().count() > MAX_LINE_CHARS {
            return None;
        }
        // Control characters from the file are never written raw (a terminal would act on
        // them); tabs become spaces so that the caret stays under its column.
        let shown: String = text
            .chars()
            .map(|c| match c {
                '\t' => ' ',
                c if crate::escape::is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect();
        let span = span_at(&shown, location.column)?;
        let level = match severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let report = [Group::with_level(level).element(
            Snippet::source(shown.as_str())
                .line_start(location.line)
                .fold(false)
                .annotation(AnnotationKind::Primary.span(span)),
        )];
        let rendered = Renderer::styled().render(&report);
        // The renderer leads with an empty header line when there is no title.
        Some(rendered.trim_start_matches('\n').to_owned())
    }
}

fn read_lines(file: &Path) -> Option<Vec<String>> {
    let bytes = crate::manifest::read_file(file).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(text.lines().map(str::to_owned).collect())
}

/// The byte range of the token starting at `column` (1-based, in characters): up to the next
/// space, comma or closing bracket, at least one character. `None` past the end of the line.
fn span_at(line: &str, column: usize) -> Option<std::ops::Range<usize>> {
    let (start, first) = line.char_indices().nth(column.checked_sub(1)?)?;
    let end = line[start..]
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
        .map_or(line.len(), |(i, _)| start + i);
    Some(start..end.max(start + first.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> String {
        anstream::adapter::strip_str(s).to_string()
    }

    #[test]
    fn the_caret_sits_under_the_value_of_the_line_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("q.yaml");
        std::fs::write(&file, "kind: Campaign\nmax_retries: 99 # too many\n").expect("write");
        let mut sources = Sources::default();
        let shown = sources
            .excerpt(&Location::new(&file, 2, 14), Severity::Error)
            .expect("an excerpt");
        let shown = plain(&shown);
        assert!(shown.contains("2 | max_retries: 99 # too many"), "{shown}");
        assert!(
            shown.contains("  |              ^^\n") || shown.ends_with("  |              ^^"),
            "{shown:?}"
        );
    }

    #[test]
    fn nothing_is_shown_for_what_cannot_be_read_or_shown_safely() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut sources = Sources::default();
        assert_eq!(
            sources.excerpt(
                &Location::new(dir.path().join("missing.yaml"), 1, 1),
                Severity::Error
            ),
            None
        );
        let long = dir.path().join("long.yaml");
        std::fs::write(&long, format!("name: {}\n", "x".repeat(500))).expect("write");
        assert_eq!(
            sources.excerpt(&Location::new(&long, 1, 7), Severity::Error),
            None
        );
        let hostile = dir.path().join("hostile.yaml");
        std::fs::write(&hostile, "name: \u{1b}[31mred\n").expect("write");
        let shown = sources
            .excerpt(&Location::new(&hostile, 1, 7), Severity::Warning)
            .expect("an excerpt");
        assert!(
            !plain(&shown).contains('\u{1b}'),
            "no raw escape from the file: {shown:?}"
        );
    }

    #[test]
    fn spans_cover_the_token_in_characters() {
        assert_eq!(span_at("a: [monday, fr]", 13), Some(12..14));
        assert_eq!(span_at("zone: Éurope/X", 7), Some(6..15));
        assert_eq!(span_at("x", 5), None);
    }
}
