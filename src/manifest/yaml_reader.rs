//! Reads YAML text into positioned trees through yaml-rust2's pull parser, one document at a time,
//! with the limits that make hostile input cheap to refuse: nesting depth, alias expansion,
//! anchored nodes, nodes per document, and how far the parser may read ahead. Duplicate keys,
//! merge keys and tags are judged here too, since they are YAML matters, not campaign rules.
//!
//! We drive the pull parser (`next_token`) rather than `Parser::load`: `load` recurses once per
//! nesting level, while the pull parser keeps an explicit stack, so depth is ours to cap.

use std::cell::Cell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::Chars;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::scalar::ScalarKind;
use super::yaml::{excerpt, quote, Document, Entry, Mark, Node, Problem, Scalar, Value};

/// A campaign document needs 2 levels (the mapping and a list); 32 leaves room for anything
/// sensible while refusing `[[[[…` long before it costs anything.
pub const MAX_DEPTH: usize = 32;
/// Nodes produced by expanding aliases, per file, counting aliases inside aliased nodes: the
/// "billion laughs" attack is a few lines of aliases of aliases.
pub const MAX_ALIAS_NODES: usize = 10_000;
/// Nodes under anchors, per file. Each anchored node is copied once so aliases can refer to it;
/// this bounds those copies (nested anchors would otherwise copy a big subtree 32 times).
pub const MAX_ANCHORED_NODES: usize = 100_000;
/// A campaign document has a few dozen nodes; this bounds the memory one document can take.
pub const MAX_DOCUMENT_NODES: usize = 100_000;
/// yaml-rust2 buffers every token of a flow collection that might turn out to be a mapping key
/// (`[…]` at the top of a document or after `- `) until the collection closes: about 100 bytes
/// of memory per input byte, 800 MB for an 8 MiB file. Counting the flow separators it reads
/// between two events bounds that buffer (to about 15 MB). The count cannot tell a separator in
/// a comment or a quoted string from a real one (telling them apart needs the parser), so the
/// limit sits far above anything a manifest holds between two values: 65,536 commas or brackets
/// in one comment block or one string.
pub const MAX_SEPARATORS_AHEAD: usize = 65_536;
/// Problems reported per file before giving up on it, as compilers do: a file that produces
/// more is not a manifest, and a million diagnostics would cost more than the file itself.
pub const MAX_PROBLEMS: usize = 1_000;

/// Reads every document of `text`, handing each complete one to `on_document` as soon as it
/// ends (so memory is bounded by the largest document, not the file), and returns every problem
/// found. A problem that makes further reading pointless or unsafe (a syntax error, a limit) is
/// the last one returned; the documents completed before it are still delivered.
/// `on_document` may stop the reading by returning `Break`.
pub fn read(text: &str, mut on_document: impl FnMut(Document) -> ControlFlow<()>) -> Vec<Problem> {
    let lookahead = Lookahead::default();
    let mut parser = Parser::new(GuardedChars {
        chars: text.chars(),
        lookahead: &lookahead,
    });
    let mut builder = Builder::default();
    let mut last = Mark::new(1, 1);
    loop {
        // yaml-rust2 has internal asserts and unwraps; if some input ever reaches one, that input
        // is bad, and must be reported as such rather than take down a long-running watch.
        let next = catch_unwind(AssertUnwindSafe(|| parser.next_token()));
        if lookahead.tripped.get() {
            builder.problems.push(too_far_ahead(last));
            break;
        }
        let (event, marker) = match next {
            Ok(Ok(pair)) => pair,
            Ok(Err(error)) => {
                builder.problems.push(scan_problem(&error));
                break;
            }
            Err(_) => {
                builder
                    .problems
                    .push(problem(last, "the YAML parser failed on this input", None));
                break;
            }
        };
        lookahead.separators.set(0);
        last = to_mark(marker);
        if builder.event(event, last, &mut on_document).is_break() {
            break;
        }
        if builder.problems.len() >= MAX_PROBLEMS {
            builder.problems.push(too_many_problems(last));
            break;
        }
    }
    builder.problems
}

/// The last problem of a file abandoned for having too many.
pub fn too_many_problems(mark: Mark) -> Problem {
    problem(
        mark,
        format!("too many problems in this file: stopped reading after {MAX_PROBLEMS}"),
        Some("fix the problems above first; check that this file is a campaign manifest"),
    )
}

fn to_mark(marker: Marker) -> Mark {
    Mark::new(marker.line(), marker.col() + 1)
}

fn problem(mark: Mark, message: impl Into<String>, hint: Option<&str>) -> Problem {
    Problem {
        mark,
        message: message.into(),
        hint: hint.map(str::to_owned),
    }
}

fn depth_problem(mark: Mark) -> Problem {
    problem(
        mark,
        format!("YAML nesting is deeper than {MAX_DEPTH} levels"),
        Some("a campaign document needs 2 levels (the fields, and a list inside one); check that this file is a manifest"),
    )
}

fn too_far_ahead(mark: Mark) -> Problem {
    problem(
        mark,
        format!(
            "YAML flow collection ([...] or {{...}}) is too large to read safely: more than {MAX_SEPARATORS_AHEAD} of , [ ] {{ }} before its first value"
        ),
        Some("write long lists in block style, one \"- item\" per line"),
    )
}

fn scan_problem(error: &ScanError) -> Problem {
    let mark = to_mark(*error.marker());
    let info = error.info();
    // yaml-rust2 caps flow nesting at 255 itself, and reads far enough ahead to hit that cap
    // before our own depth check sees the events: report it as the depth limit it is.
    if info == "recursion limit exceeded" {
        return depth_problem(mark);
    }
    let hint = if info.contains("tab") {
        Some("indent with spaces: YAML does not allow tabs in indentation")
    } else if info.contains("mapping values are not allowed") {
        Some("a value that contains \": \" must be quoted")
    } else if info.contains("unknown anchor") {
        Some(
            "define the anchor (&name) before the alias (*name) that uses it, in the same document",
        )
    } else {
        None
    };
    problem(mark, format!("invalid YAML: {info}"), hint)
}

/// Shared between the parser's character source and the read loop: how many flow separators the
/// parser has read since it last produced an event.
#[derive(Default)]
struct Lookahead {
    separators: Cell<usize>,
    tripped: Cell<bool>,
}

/// The text as yaml-rust2 reads it, ending early once the parser reads too far ahead.
struct GuardedChars<'a> {
    chars: Chars<'a>,
    lookahead: &'a Lookahead,
}

impl Iterator for GuardedChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if self.lookahead.tripped.get() {
            return None;
        }
        let c = self.chars.next()?;
        if matches!(c, ',' | '[' | ']' | '{' | '}') {
            let n = self.lookahead.separators.get() + 1;
            self.lookahead.separators.set(n);
            if n > MAX_SEPARATORS_AHEAD {
                // The parser sees the end of the input; `read` sees the flag and reports it.
                self.lookahead.tripped.set(true);
                return None;
            }
        }
        Some(c)
    }
}

/// A collection being built.
enum Frame {
    Sequence {
        mark: Mark,
        anchor: usize,
        items: Vec<Node>,
        size: usize,
    },
    Mapping(MappingFrame),
}

struct MappingFrame {
    mark: Mark,
    anchor: usize,
    entries: Vec<Entry>,
    /// The key whose value comes next.
    key: Option<Node>,
    /// The pending key is a merge key: its value is dropped after the error.
    skip_value: bool,
    size: usize,
}

impl Frame {
    fn anchor(&self) -> usize {
        match self {
            Frame::Sequence { anchor, .. } => *anchor,
            Frame::Mapping(m) => m.anchor,
        }
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    /// Complete anchored nodes of the current document, with their size in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    clean: bool,
    document_nodes: usize,
    alias_nodes: usize,
    anchored_nodes: usize,
    problems: Vec<Problem>,
}

type Step = ControlFlow<()>;

impl Builder {
    fn event(
        &mut self,
        event: Event,
        mark: Mark,
        on_document: &mut impl FnMut(Document) -> ControlFlow<()>,
    ) -> Step {
        match event {
            Event::Nothing | Event::StreamStart => {}
            Event::StreamEnd => return ControlFlow::Break(()),
            Event::DocumentStart => {
                // Anchors are local to a document (yaml-rust2's pull parser keeps them, its
                // `load` clears them; we follow the spec).
                self.anchors.clear();
                self.stack.clear();
                self.root = None;
                self.clean = true;
                self.document_nodes = 0;
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    on_document(Document {
                        root,
                        clean: self.clean,
                    })?;
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count_node(1, mark)?;
                let quoted = style != TScalarStyle::Plain;
                // An absent value (`name:`) is reported by yaml-rust2 at the next token, often
                // the next line's key; the key itself is where the user looks.
                let mut at = mark;
                if text.is_empty() && !quoted && anchor == 0 && tag.is_none() {
                    if let Some(Frame::Mapping(MappingFrame { key: Some(key), .. })) =
                        self.stack.last()
                    {
                        at = key.mark;
                    }
                }
                let kind = self.scalar_kind(&text, quoted, tag.as_ref(), mark);
                self.anchored(anchor, 1, mark)?;
                self.complete(
                    Node {
                        mark: at,
                        value: Value::Scalar(Scalar { text, kind, quoted }),
                    },
                    1,
                    anchor,
                );
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(mark)?;
                self.check_collection_tag(tag.as_ref(), "seq", mark);
                self.stack.push(Frame::Sequence {
                    mark,
                    anchor,
                    items: Vec::new(),
                    size: 1,
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.open(mark)?;
                self.check_collection_tag(tag.as_ref(), "map", mark);
                self.stack.push(Frame::Mapping(MappingFrame {
                    mark,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    skip_value: false,
                    size: 1,
                }));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Sequence {
                    mark,
                    anchor,
                    items,
                    size,
                }) = self.stack.pop()
                {
                    self.anchored(anchor, size, mark)?;
                    self.complete(
                        Node {
                            mark,
                            value: Value::Sequence(items),
                        },
                        size,
                        anchor,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Mapping(m)) = self.stack.pop() {
                    let mut entries = m.entries;
                    self.drop_duplicate_keys(&mut entries);
                    self.anchored(m.anchor, m.size, m.mark)?;
                    self.complete(
                        Node {
                            mark: m.mark,
                            value: Value::Mapping(entries),
                        },
                        m.size,
                        m.anchor,
                    );
                }
            }
            Event::Alias(id) => self.alias(id, mark)?,
        }
        ControlFlow::Continue(())
    }

    /// Stops reading the file with `problem` as its last problem.
    fn fatal(&mut self, problem: Problem) -> Step {
        self.problems.push(problem);
        ControlFlow::Break(())
    }

    /// A problem inside the current document: keep reading, but the document is spoiled.
    /// Past `MAX_PROBLEMS` the problem is dropped (one mapping can hold thousands of repeated
    /// keys); `read` then reports the cut-off and stops.
    fn spoil(&mut self, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        }
        self.clean = false;
    }

    fn count_node(&mut self, nodes: usize, mark: Mark) -> Step {
        self.document_nodes += nodes;
        if self.document_nodes > MAX_DOCUMENT_NODES {
            return self.fatal(problem(
                mark,
                format!("YAML document is too large: more than {MAX_DOCUMENT_NODES} values"),
                Some("a campaign document has a few dozen values; check that this file is a manifest"),
            ));
        }
        ControlFlow::Continue(())
    }

    fn open(&mut self, mark: Mark) -> Step {
        if self.stack.len() >= MAX_DEPTH {
            return self.fatal(depth_problem(mark));
        }
        self.count_node(1, mark)
    }

    /// Charges a node about to be copied into the anchor table.
    fn anchored(&mut self, anchor: usize, size: usize, mark: Mark) -> Step {
        if anchor == 0 {
            return ControlFlow::Continue(());
        }
        self.anchored_nodes += size;
        if self.anchored_nodes > MAX_ANCHORED_NODES {
            return self.fatal(problem(
                mark,
                format!("YAML anchors (&name) cover too many values: more than {MAX_ANCHORED_NODES} in this file"),
                Some("anchors are meant for a few shared values; write the values out instead"),
            ));
        }
        ControlFlow::Continue(())
    }

    fn alias(&mut self, id: usize, mark: Mark) -> Step {
        let Some(size) = self.anchors.get(&id).map(|(_, size)| *size) else {
            let (message, hint) = if self.stack.iter().any(|f| f.anchor() == id) {
                (
                    "YAML alias refers to a value that contains the alias itself",
                    None,
                )
            } else {
                (
                    "YAML alias refers to an anchor of another document",
                    Some("anchors (&name) and aliases (*name) only work within one document (between two \"---\")"),
                )
            };
            self.spoil(problem(mark, message, hint));
            let null = Scalar {
                text: String::new(),
                kind: ScalarKind::Null,
                quoted: false,
            };
            self.complete(
                Node {
                    mark,
                    value: Value::Scalar(null),
                },
                1,
                0,
            );
            return ControlFlow::Continue(());
        };
        // Charge before copying: a refused expansion costs nothing.
        self.alias_nodes += size;
        if self.alias_nodes > MAX_ALIAS_NODES {
            return self.fatal(problem(
                mark,
                format!("YAML aliases expand to too many nodes: more than {MAX_ALIAS_NODES} in this file"),
                Some("aliases of aliases multiply (the \"billion laughs\" attack); write the values out instead"),
            ));
        }
        let Some((node, _)) = self.anchors.get(&id) else {
            return ControlFlow::Continue(());
        };
        let mut copy = node.clone();
        // The alias is where the value is used, so that is where its problems are reported;
        // values inside a copied list keep the place they were written.
        copy.mark = mark;
        self.count_node(size, mark)?;
        self.complete(copy, size, 0);
        ControlFlow::Continue(())
    }

    /// Hands a finished node to its parent (or makes it the document's root).
    fn complete(&mut self, node: Node, size: usize, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let is_new_key = matches!(
            self.stack.last(),
            Some(Frame::Mapping(MappingFrame { key: None, .. }))
        );
        let is_merge_key = is_new_key && node.scalar().is_some_and(|s| !s.quoted && s.text == "<<");
        if is_merge_key {
            self.spoil(problem(
                node.mark,
                "YAML merge keys (<<) are not supported",
                Some("write the fields out in each document; anchors and aliases (&name, *name) work for single values"),
            ));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Sequence {
                items, size: total, ..
            }) => {
                items.push(node);
                *total += size;
            }
            Some(Frame::Mapping(m)) => {
                m.size += size;
                match m.key.take() {
                    None => {
                        // yaml-rust2 marks a block mapping where it found the first ':', not
                        // where the mapping starts; the first key is where it starts.
                        if m.entries.is_empty() && node.mark < m.mark {
                            m.mark = node.mark;
                        }
                        m.skip_value = is_merge_key;
                        m.key = Some(node);
                    }
                    Some(key) => {
                        if !std::mem::take(&mut m.skip_value) {
                            m.entries.push(Entry { key, value: node });
                        }
                    }
                }
            }
        }
    }

    /// Reports each repeated key at its second (third, ...) occurrence and drops it, so the
    /// validator sees each key once. Sorting keeps this O(n log n) for hostile mappings.
    fn drop_duplicate_keys(&mut self, entries: &mut Vec<Entry>) {
        if entries.len() < 2 {
            return;
        }
        fn key(e: &Entry) -> Option<&str> {
            e.key.scalar().map(|s| s.text.as_str())
        }
        let mut order: Vec<usize> = (0..entries.len())
            .filter(|&i| key(&entries[i]).is_some())
            .collect();
        order.sort_by(|&a, &b| key(&entries[a]).cmp(&key(&entries[b])).then(a.cmp(&b)));
        let mut duplicate = vec![false; entries.len()];
        let mut first = usize::MAX;
        for pair in order.windows(2) {
            if key(&entries[pair[0]]) != key(&entries[pair[1]]) {
                continue;
            }
            if first == usize::MAX || key(&entries[first]) != key(&entries[pair[0]]) {
                first = pair[0];
            }
            let (original, repeat) = (&entries[first].key, &entries[pair[1]].key);
            let text = repeat.scalar().map_or("", |s| s.text.as_str());
            let message = format!(
                "duplicate key `{}`: already defined at line {}, column {}",
                excerpt(text),
                original.mark.line,
                original.mark.column
            );
            let at = repeat.mark;
            self.spoil(problem(
                at,
                message,
                Some("remove one of them: a mapping holds each key once"),
            ));
            duplicate[pair[1]] = true;
        }
        let mut index = 0;
        entries.retain(|_| {
            index += 1;
            !duplicate[index - 1]
        });
    }

    fn scalar_kind(
        &mut self,
        text: &str,
        quoted: bool,
        tag: Option<&Tag>,
        mark: Mark,
    ) -> ScalarKind {
        let Some(tag) = tag else {
            return if quoted {
                ScalarKind::Str
            } else {
                ScalarKind::of_plain(text)
            };
        };
        let core = core_tag(tag);
        // `!` (non-specific) and `!!str` both force a string.
        if core == Some("str") || (tag.handle.is_empty() && tag.suffix == "!") {
            return ScalarKind::Str;
        }
        let plain = ScalarKind::of_plain(text);
        let fits = match core {
            Some("int") => matches!(
                plain,
                ScalarKind::Int(_) | ScalarKind::BigInt | ScalarKind::OtherInt
            ),
            Some("float") => plain.is_number(),
            Some("bool") => matches!(plain, ScalarKind::Bool(_)),
            Some("null") => plain == ScalarKind::Null,
            _ => {
                self.unsupported_tag(tag, mark);
                return plain;
            }
        };
        if !fits {
            let message = format!("{} is not a valid {}", quote(text), show_tag(tag));
            self.spoil(problem(
                mark,
                message,
                Some("remove the tag, or fix the value"),
            ));
        }
        plain
    }

    fn check_collection_tag(&mut self, tag: Option<&Tag>, expected: &str, mark: Mark) {
        if let Some(tag) = tag {
            if core_tag(tag) != Some(expected) {
                self.unsupported_tag(tag, mark);
            }
        }
    }

    fn unsupported_tag(&mut self, tag: &Tag, mark: Mark) {
        let message = format!("unsupported YAML tag {}", show_tag(tag));
        self.spoil(problem(
            mark,
            message,
            Some("remove the tag: manifests use plain YAML values"),
        ));
    }
}

const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// The suffix of a `!!` tag (yaml-rust2 resolves `!!int` to `tag:yaml.org,2002:` + `int`).
fn core_tag(tag: &Tag) -> Option<&str> {
    (tag.handle == CORE_TAG_PREFIX).then_some(tag.suffix.as_str())
}

fn show_tag(tag: &Tag) -> String {
    match core_tag(tag) {
        Some(suffix) => format!("!!{suffix}"),
        None => format!("{}{}", tag.handle, tag.suffix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documents and problems of `text`.
    fn read_all(text: &str) -> (Vec<Document>, Vec<Problem>) {
        let mut documents = Vec::new();
        let problems = read(text, |d| {
            documents.push(d);
            ControlFlow::Continue(())
        });
        (documents, problems)
    }

    fn messages(problems: &[Problem]) -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.mark.line, p.mark.column, p.message))
            .collect()
    }

    fn entries(node: &Node) -> &[Entry] {
        match &node.value {
            Value::Mapping(e) => e,
            other => panic!("expected a mapping, got {other:?}"),
        }
    }

    #[test]
    fn marks_are_one_based_and_block_mappings_start_at_their_first_key() {
        let (docs, problems) = read_all("# comment\n  name: x\n  days: [a, b]\n");
        assert!(
            problems.is_empty(),
            "valid YAML must read cleanly: {:?}",
            messages(&problems)
        );
        let root = &docs[0].root;
        assert_eq!(
            root.mark,
            Mark::new(2, 3),
            "the mapping starts at its first key"
        );
        let e = entries(root);
        assert_eq!(e[0].value.mark, Mark::new(2, 9), "the value `x` is at 2:9");
        assert_eq!(
            e[1].value.mark,
            Mark::new(3, 9),
            "the list starts at its '['"
        );
        let Value::Sequence(items) = &e[1].value.value else {
            panic!("days must read as a list")
        };
        assert_eq!(
            items[1].mark,
            Mark::new(3, 13),
            "the second item `b` is at 3:13"
        );
    }

    #[test]
    fn an_absent_value_is_located_at_its_key() {
        let (docs, _) = read_all("name:\nkind: x\n");
        let e = entries(&docs[0].root);
        assert!(e[0].value.is_null(), "an absent value is null");
        assert_eq!(
            e[0].value.mark,
            Mark::new(1, 1),
            "not at the next line's key"
        );
    }

    #[test]
    fn documents_are_delivered_one_by_one_including_empty_ones() {
        let (docs, problems) = read_all("---\n# only a comment\n---\na: 1\n---\n~\n---\nb: 2\n");
        assert!(problems.is_empty(), "{:?}", messages(&problems));
        assert_eq!(
            docs.len(),
            4,
            "every document, empty ones included, is delivered"
        );
        assert!(
            docs[0].root.is_null() && docs[2].root.is_null(),
            "empty documents read as null"
        );
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_repeat_and_dropped() {
        let (docs, problems) = read_all("a: 1\nb: 2\na: 3\na: 4\n");
        assert_eq!(
            messages(&problems),
            [
                "3:1: duplicate key `a`: already defined at line 1, column 1",
                "4:1: duplicate key `a`: already defined at line 1, column 1"
            ],
            "each repeat names the first occurrence"
        );
        assert!(
            !docs[0].clean,
            "a document with a duplicate key must not be clean"
        );
        assert_eq!(
            entries(&docs[0].root).len(),
            2,
            "repeats are dropped, the first value kept"
        );
    }

    #[test]
    fn merge_keys_are_refused() {
        let (docs, problems) = read_all("base: &b {x: 1}\n<<: *b\ny: 2\n");
        assert_eq!(
            messages(&problems),
            ["2:1: YAML merge keys (<<) are not supported"],
            "the merge key is refused at its position"
        );
        assert!(
            problems[0].hint.is_some(),
            "the merge-key error must carry a hint"
        );
        assert_eq!(
            entries(&docs[0].root).len(),
            2,
            "the merge entry is dropped"
        );
        let (_, problems) = read_all("\"<<\": 1\n");
        assert!(
            problems.is_empty(),
            "a quoted \"<<\" is an ordinary key: {:?}",
            messages(&problems)
        );
    }

    #[test]
    fn aliases_copy_the_anchored_value_and_are_located_at_the_alias() {
        let (docs, problems) = read_all("a: &days [monday, friday]\nb: *days\n");
        assert!(problems.is_empty(), "{:?}", messages(&problems));
        let e = entries(&docs[0].root);
        assert_eq!(
            e[1].value.value, e[0].value.value,
            "the alias reads as the anchored list"
        );
        assert_eq!(
            e[1].value.mark,
            Mark::new(2, 4),
            "the alias is located where it is used"
        );
    }

    #[test]
    fn anchors_do_not_cross_documents() {
        let (_, problems) = read_all("a: &x 1\n---\nb: *x\n");
        assert_eq!(
            messages(&problems),
            ["3:4: YAML alias refers to an anchor of another document"],
            "anchors are per document"
        );
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_refused() {
        let (_, problems) = read_all("a: &x [1, *x]\n");
        assert_eq!(
            messages(&problems),
            ["1:11: YAML alias refers to a value that contains the alias itself"],
            "a recursive alias is refused, not expanded"
        );
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                [prev.as_str(); 10].join(", ")
            ));
        }
        let (docs, problems) = read_all(&text);
        assert!(docs.is_empty(), "the bomb's document must not be delivered");
        let last = problems
            .last()
            .map(|p| p.message.as_str())
            .unwrap_or_default();
        assert!(
            last.starts_with("YAML aliases expand to too many nodes"),
            "got {:?}",
            messages(&problems)
        );
    }

    #[test]
    fn deep_nesting_is_refused_for_every_kind_of_collection() {
        let deep = 100_000;
        for (what, text) in [
            ("flow sequences", "[".repeat(deep)),
            ("flow mappings", "{".repeat(deep)),
            ("block sequences", "- ".repeat(deep)),
            ("complex keys", "? ".repeat(deep)),
            (
                "balanced flow",
                format!("a: {}{}", "[".repeat(200), "]".repeat(200)),
            ),
        ] {
            let (_, problems) = read_all(&text);
            let last = problems
                .last()
                .map(|p| p.message.clone())
                .unwrap_or_default();
            assert_eq!(
                problems.len(),
                1,
                "{what}: exactly one problem, got {:?}",
                messages(&problems)
            );
            assert!(
                last.starts_with("YAML nesting is deeper than 32 levels"),
                "{what}: got {last:?}"
            );
        }
        let ok = format!("a: {}1{}", "[".repeat(31), "]".repeat(31));
        let (_, problems) = read_all(&ok);
        assert!(
            problems.is_empty(),
            "32 levels are allowed: {:?}",
            messages(&problems)
        );
    }

    #[test]
    fn a_flow_collection_the_parser_would_buffer_whole_is_refused() {
        let text = format!("[{}]", "1,".repeat(MAX_SEPARATORS_AHEAD));
        let (_, problems) = read_all(&text);
        let last = problems
            .last()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        assert!(
            last.starts_with("YAML flow collection"),
            "got {:?}",
            messages(&problems)
        );
        // The same list as a mapping value streams without buffering, and is read in full.
        let text = format!("a: [{}]", "1,".repeat(50_000));
        let (docs, problems) = read_all(&text);
        assert!(
            problems.is_empty(),
            "a long value list must read: {:?}",
            messages(&problems)
        );
        let Value::Sequence(items) = &entries(&docs[0].root)[0].value.value else {
            panic!("a must be a list")
        };
        assert_eq!(items.len(), 50_000, "every item must be read");
    }

    #[test]
    fn too_many_nodes_in_one_document_is_refused() {
        let text = format!("a: [{}]", "1,".repeat(MAX_DOCUMENT_NODES + 10));
        let (_, problems) = read_all(&text);
        let last = problems
            .last()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        assert!(
            last.starts_with("YAML document is too large"),
            "got {:?}",
            messages(&problems)
        );
    }

    #[test]
    fn syntax_errors_are_reported_at_their_position_after_earlier_documents() {
        let (docs, problems) = read_all("a: 1\n---\nb: [1, 2\n");
        assert_eq!(
            docs.len(),
            1,
            "the complete first document is still delivered"
        );
        assert_eq!(problems.len(), 1, "{:?}", messages(&problems));
        assert!(
            problems[0].message.starts_with("invalid YAML: "),
            "got {:?}",
            messages(&problems)
        );
        assert_eq!(
            problems[0].mark.line, 4,
            "the unclosed list is noticed at the end of input"
        );
    }

    #[test]
    fn tabs_in_indentation_are_a_yaml_error_with_position() {
        let (_, problems) = read_all("a:\n\tb: 1\n");
        assert_eq!(
            messages(&problems),
            ["2:2: invalid YAML: tabs disallowed within this context (block indentation)"],
            "the tab is reported where it is"
        );
        assert!(
            problems[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("spaces")),
            "hint must say to use spaces"
        );
    }

    #[test]
    fn tags() {
        let (docs, problems) = read_all("a: !!str 3\nb: !!int 4\nc: ! 5\n");
        assert!(problems.is_empty(), "{:?}", messages(&problems));
        let e = entries(&docs[0].root);
        let kinds: Vec<_> = e.iter().map(|e| e.value.scalar().map(|s| s.kind)).collect();
        assert_eq!(
            kinds,
            [
                Some(ScalarKind::Str),
                Some(ScalarKind::Int(4)),
                Some(ScalarKind::Str)
            ],
            "!!str forces a string, !!int resolves, ! forces a string"
        );
        let (_, problems) =
            read_all("a: !!int abc\nb: !custom 1\nc: !!binary aGk=\nd: !!map [1]\n");
        assert_eq!(
            messages(&problems),
            // Located at the tagged value, after the tag.
            [
                "1:10: \"abc\" is not a valid !!int",
                "2:12: unsupported YAML tag !custom",
                "3:13: unsupported YAML tag !!binary",
                "4:10: unsupported YAML tag !!map"
            ]
        );
    }
}
