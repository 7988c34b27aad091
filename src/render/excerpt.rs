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
//! Only manifests and the config (`*.yaml`, `*.yml`) of at most 1 MiB are shown, read as
//! manifests are (regular files only, never a FIFO or a device), each once per rendering and
//! at most 16 MiB in all; a leads CSV never is (its rows are people's data). A line that cannot
//! be shown safely or usefully (missing, longer than `MAX_LINE_CHARS`) is left out; the
//! `file:line:column` line always stands alone. A file that resolves outside the repository of
//! the place it was found is never quoted (`manifest::inside_its_repository`).

use std::collections::HashMap;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Location, Severity};

/// Lines longer than this are not shown (a minified or hostile line helps no one).
const MAX_LINE_CHARS: usize = 200;

/// Files larger than this get no excerpt.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// What one rendering reads in all, at most: then excerpts stop.
const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// The files read for one rendering, by path; `None` when a file gets no excerpt.
#[derive(Default)]
pub struct Sources {
    files: HashMap<std::sync::Arc<Path>, Option<String>>,
    read: usize,
}

impl Sources {
    /// The excerpt under `location`, or `None` when there is nothing to show.
    pub fn excerpt(&mut self, location: &Location, severity: Severity) -> Option<String> {
        if !self.files.contains_key(&location.file) {
            let text = (self.read < MAX_TOTAL_BYTES)
                .then(|| read_text(&location.file))
                .flatten();
            self.read += text.as_ref().map_or(0, String::len);
            self.files.insert(location.file.clone(), text);
        }
        let source = self.files.get(&location.file)?.as_ref()?;
        let text = nth_line(source, location.line.checked_sub(1)?)?;
        if text.chars().count() > MAX_LINE_CHARS {
            return None;
        }
        // Control characters from the file are never written raw (a terminal would act on
        // them); tabs become spaces so that the caret stays under its column.
        let shown: String = text
            .chars()
            .map(|c| match c {
                '\t' => ' ',
                c if crate::escape::is_unsafe(c) || invisible(c) => '\u{FFFD}',
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

/// The text of a manifest or config (`*.yaml`, `*.yml`) of at most `MAX_FILE_BYTES`, read as
/// manifests are. Other files (a leads CSV: its rows are people's data, and a CI log is no
/// place for them) get no excerpt.
fn read_text(file: &Path) -> Option<String> {
    let yaml = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    if !yaml || std::fs::metadata(file).ok()?.len() > MAX_FILE_BYTES {
        return None;
    }
    // Never a line of a file from outside the repository, whatever led to it.
    if !crate::manifest::inside_its_repository(file) {
        return None;
    }
    let bytes = crate::manifest::read_file(file).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    // The reader skips a byte-order mark; so do the line and column numbers.
    Some(text.strip_prefix('\u{FEFF}').unwrap_or(&text).to_owned())
}

/// Line `n` (from 0) as the YAML reader counts lines: `\r\n`, `\n` and a lone `\r` each end one.
fn nth_line(text: &str, n: usize) -> Option<&str> {
    let mut start = 0;
    let mut line = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let end = match bytes[i] {
            b'\n' => Some(i + 1),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => Some(i + 2),
            b'\r' => Some(i + 1),
            _ => None,
        };
        if let Some(next) = end {
            if line == n {
                return Some(&text[start..i]);
            }
            line += 1;
            start = next;
            i = next;
        } else {
            i += 1;
        }
    }
    (line == n && start < text.len()).then(|| &text[start..])
}

/// Characters that show nothing yet shift what follows (zero-width, soft hyphen, isolates):
/// they would hide text and move the caret.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The byte range of the YAML value (or key) starting at `column` (1-based, in characters), as
/// the YAML reader reads it on this line, so the caret underlines all of it: a quoted scalar to
/// its closing quote, a flow list or mapping to its closing bracket, a plain scalar up to a
/// comment, a `: ` that ends a key, or (inside a flow collection) the next `,`, `]` or `}`,
/// without trailing spaces. At least one character; `None` past the end of the line.
fn span_at(line: &str, column: usize) -> Option<std::ops::Range<usize>> {
    let (start, first) = line.char_indices().nth(column.checked_sub(1)?)?;
    let rest = &line[start..];
    let len = match first {
        '"' => quoted_len(rest, true),
        '\'' => quoted_len(rest, false),
        '[' | '{' => bracketed_len(rest),
        _ => plain_len(rest, in_flow(&line[..start])),
    };
    Some(start..start + len.max(first.len_utf8()))
}

/// A quoted scalar's length up to and including its closing quote (the line's end if none):
/// `\"` escapes in double quotes, `''` in single quotes.
fn quoted_len(text: &str, double: bool) -> usize {
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if double => {
                chars.next();
            }
            '"' if double => return i + 1,
            '\'' if !double => {
                if chars.peek().is_some_and(|(_, c)| *c == '\'') {
                    chars.next();
                } else {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// A flow collection's length up to its matching closing bracket (the line's end if none).
fn bracketed_len(text: &str) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Whether `before` leaves a flow collection open (outside quotes).
fn in_flow(before: &str) -> bool {
    let mut depth = 0usize;
    let mut quote = None;
    for c in before.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth > 0
}

/// A plain scalar's length: it ends before ` #`, before a `:` followed by a space or the line's
/// end, and in a flow collection before `,`, `]` or `}`; trailing spaces are not part of it.
fn plain_len(text: &str, flow: bool) -> usize {
    let mut end = text.len();
    let mut previous = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, c)| *c);
        let ends = (c == '#' && previous.is_some_and(char::is_whitespace))
            || (c == ':' && next.is_none_or(char::is_whitespace))
            || (flow && matches!(c, ',' | ']' | '}'));
        if ends && i > 0 {
            end = i;
            break;
        }
        previous = Some(c);
    }
    text[..end].trim_end().len()
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

    /// The second net behind the loader: a file reached through a link that leads out of its
    /// repository is never quoted, whoever asks.
    #[cfg(unix)]
    #[test]
    fn a_file_linked_from_outside_the_repository_is_never_quoted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
        std::fs::write(dir.path().join("hosts.yml"), "oauth: ghp_secretline\n").expect("write");
        std::os::unix::fs::symlink(dir.path().join("hosts.yml"), repo.join("t.yaml"))
            .expect("symlink");
        std::fs::write(repo.join("own.yaml"), "oauth: fine\n").expect("write");
        let mut sources = Sources::default();
        assert_eq!(
            sources.excerpt(&Location::new(repo.join("t.yaml"), 1, 1), Severity::Error),
            None
        );
        assert!(sources
            .excerpt(&Location::new(repo.join("own.yaml"), 1, 1), Severity::Error)
            .is_some());
    }

    #[test]
    fn lines_are_counted_as_the_yaml_reader_counts_them_and_csv_rows_are_never_shown() {
        assert_eq!(nth_line("a\rb\r\nc\nd", 0), Some("a"));
        assert_eq!(nth_line("a\rb\r\nc\nd", 1), Some("b"));
        assert_eq!(nth_line("a\rb\r\nc\nd", 3), Some("d"));
        assert_eq!(nth_line("a\n", 1), None);
        let dir = tempfile::tempdir().expect("tempdir");
        let bom = dir.path().join("bom.yaml");
        std::fs::write(&bom, "\u{FEFF}max_retries: 99\n").expect("write");
        let mut sources = Sources::default();
        let shown = plain(
            &sources
                .excerpt(&Location::new(&bom, 1, 14), Severity::Error)
                .expect("an excerpt"),
        );
        assert!(
            shown.contains("1 | max_retries: 99\n  |              ^^"),
            "{shown:?}"
        );
        let csv = dir.path().join("leads.csv");
        std::fs::write(&csv, "phone_number,name\n+14155550101,Alice Smith,x\n").expect("write");
        assert_eq!(
            sources.excerpt(&Location::new(&csv, 2, 1), Severity::Error),
            None
        );
    }

    #[test]
    fn spans_cover_the_token_in_characters() {
        assert_eq!(span_at("a: [monday, fr]", 13), Some(12..14));
        assert_eq!(span_at("zone: Éurope/X", 7), Some(6..15));
        assert_eq!(span_at("x", 5), None);
    }

    /// The whole value is underlined, not its first word: a plain scalar with spaces, a quoted
    /// one to its closing quote, a key up to its colon, a flow list whole.
    #[test]
    fn spans_cover_the_whole_yaml_value() {
        let token = |line: &str, column| span_at(line, column).map(|r| line[r].to_owned());
        assert_eq!(
            token("assistant: Sales Outbund", 12).as_deref(),
            Some("Sales Outbund")
        );
        assert_eq!(
            token("assistant: Sales Outbund  # x", 12).as_deref(),
            Some("Sales Outbund")
        );
        assert_eq!(
            token("name: \"Winter Promos\"", 7).as_deref(),
            Some("\"Winter Promos\"")
        );
        assert_eq!(
            token("name: 'It''s on' # c", 7).as_deref(),
            Some("'It''s on'")
        );
        assert_eq!(
            token("name: \"a \\\" b\"", 7).as_deref(),
            Some("\"a \\\" b\"")
        );
        assert_eq!(token("kind: Campaign", 1).as_deref(), Some("kind"));
        assert_eq!(
            token("days: [monday, fr iday]", 7).as_deref(),
            Some("[monday, fr iday]")
        );
        assert_eq!(
            token("days: [monday, fr iday]", 16).as_deref(),
            Some("fr iday")
        );
        assert_eq!(
            token("url: http://x/a#b", 6).as_deref(),
            Some("http://x/a#b")
        );
        assert_eq!(token("name: \"open", 7).as_deref(), Some("\"open"));
    }
}
