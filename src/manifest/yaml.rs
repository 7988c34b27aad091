//! A YAML tree that remembers where every node was written, so each diagnostic can point at the
//! exact line and column. Built by `yaml_reader`; read by the validator.

use super::scalar::ScalarKind;

/// A position in the text. Both count from 1 (yaml-rust2's columns count from 0; the reader
/// converts), columns in characters, as editors show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
    /// Which text the position is in: the document's own file, or the repository config when
    /// the node is a default merged into the document (`config::Defaults`).
    pub origin: Origin,
}

/// The text a [`Mark`] points into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// The file the document was read from.
    #[default]
    Document,
    /// The repository config (`campaignctl.yaml`), for a default value.
    Config,
}

impl Mark {
    pub fn new(line: usize, column: usize) -> Mark {
        Mark {
            line,
            column,
            origin: Origin::Document,
        }
    }
}

impl Node {
    /// This node with every position in it moved to `origin` (a default merged from the
    /// config keeps pointing at the config's lines).
    pub fn with_origin(mut self, origin: Origin) -> Node {
        fn mark_all(node: &mut Node, origin: Origin) {
            node.mark.origin = origin;
            match &mut node.value {
                Value::Scalar(_) => {}
                Value::Sequence(items) => items.iter_mut().for_each(|n| mark_all(n, origin)),
                Value::Mapping(entries) => entries.iter_mut().for_each(|e| {
                    mark_all(&mut e.key, origin);
                    mark_all(&mut e.value, origin);
                }),
            }
        }
        mark_all(&mut self, origin);
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub mark: Mark,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub kind: ScalarKind,
    /// Written with quotes (or as a block scalar): used to tell the user to drop the quotes when
    /// `"3"` was meant as a number.
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// One complete YAML document of a file.
#[derive(Debug)]
pub struct Document {
    pub root: Node,
    /// False when the reader reported a problem inside this document (a duplicate key, a merge
    /// key, a bad tag): such a document is still validated, for the other diagnostics, but never
    /// becomes a manifest.
    pub clean: bool,
}

/// A problem found while reading YAML, before any campaign rule applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub mark: Mark,
    pub message: String,
    pub hint: Option<String>,
}

/// Longest excerpt of a user's string quoted back in a message: a 5 MB value must not produce a
/// 5 MB diagnostic.
const MAX_QUOTED_CHARS: usize = 60;

impl Node {
    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.scalar().is_some_and(|s| s.kind == ScalarKind::Null)
    }

    /// How the value reads in a message after "got": `9`, `"Funday"`, `null`, `a list`.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Sequence(_) => "a list".to_owned(),
            Value::Mapping(_) => "a mapping".to_owned(),
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => "null".to_owned(),
                ScalarKind::Str => quote(&s.text),
                _ => excerpt(&s.text),
            },
        }
    }
}

/// `text` in double quotes with Rust's escaping (so control characters and stray whitespace are
/// visible), shortened to a readable excerpt.
pub fn quote(text: &str) -> String {
    format!("{:?}", Excerpt(text))
}

/// `text` as is, shortened to a readable excerpt.
pub fn excerpt(text: &str) -> String {
    Excerpt(text).to_string()
}

struct Excerpt<'a>(&'a str);

impl Excerpt<'_> {
    fn cut(&self) -> (&str, bool) {
        match self.0.char_indices().nth(MAX_QUOTED_CHARS) {
            Some((i, _)) => (&self.0[..i], true),
            None => (self.0, false),
        }
    }
}

impl std::fmt::Debug for Excerpt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cut() {
            (text, false) => write!(f, "{text:?}"),
            (text, true) => write!(f, "{text:?}… ({} characters)", self.0.chars().count()),
        }
    }
}

impl std::fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cut() {
            (text, false) => f.write_str(text),
            (text, true) => write!(f, "{text}… ({} characters)", self.0.chars().count()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str, kind: ScalarKind) -> Node {
        Node {
            mark: Mark::new(1, 1),
            value: Value::Scalar(Scalar {
                text: text.into(),
                kind,
                quoted: false,
            }),
        }
    }

    #[test]
    fn describe_quotes_strings_and_not_numbers() {
        assert_eq!(
            scalar("Funday", ScalarKind::Str).describe(),
            "\"Funday\"",
            "strings are quoted"
        );
        assert_eq!(
            scalar("9", ScalarKind::Int(9)).describe(),
            "9",
            "numbers are not quoted"
        );
        assert_eq!(
            scalar("", ScalarKind::Null).describe(),
            "null",
            "null reads as null"
        );
        assert_eq!(
            scalar(" X\t", ScalarKind::Str).describe(),
            "\" X\\t\"",
            "whitespace must be visible"
        );
    }

    #[test]
    fn describe_shortens_long_values() {
        let long = "é".repeat(10_000);
        let shown = scalar(&long, ScalarKind::Str).describe();
        assert!(
            shown.chars().count() < 100,
            "a 10,000-character value must be shortened, got {} chars",
            shown.len()
        );
        assert!(
            shown.ends_with("(10000 characters)"),
            "the excerpt must say how long the value was: {shown}"
        );
    }
}
