//! No import cycle between the core's files: the plan's data (`reconcile::model`) is at the
//! bottom, the modules that decide a plan above it, the producer (`full_plan`) on top. Each
//! file's `use` lines and inline paths (`super::x::y`, `crate::a::b`), outside its test module,
//! are resolved to the file of the deepest module they name; a cycle in that graph fails,
//! named file by file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A file's module path: `reconcile/plan.rs` is `["reconcile", "plan"]`, `reconcile/model/mod.rs`
/// is `["reconcile", "model"]`, `lib.rs` is `[]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        match last.as_str() {
            "lib.rs" | "mod.rs" => {}
            file => parts.push(file.trim_end_matches(".rs").to_owned()),
        }
    }
    parts
}

/// The text that counts: before the test module, without comments.
fn code_of(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a `use` tree names, braces expanded: `super::{a::B, c}` gives `super::a::B` and
/// `super::c`.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        if !path.is_empty() {
            out.push(format!("{prefix}{path}"));
        }
        return;
    };
    let head = &tree[..open];
    let body = tree[open + 1..].trim_end().trim_end_matches('}');
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&format!("{prefix}{head}"), &body[start..i], out);
                start = i + 1;
            }
            _ => {}
        }
    }
    expand(&format!("{prefix}{head}"), &body[start..], out);
}

/// The module paths a file's code names: its `use` trees, and inline `crate::`/`super::`/
/// `self::` paths.
fn paths_in(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let tree: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        if tree.starts_with("crate::") || tree.starts_with("super::") || tree.starts_with("self::")
        {
            expand("", &tree, &mut paths);
        }
        rest = &rest[end..];
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(start) {
            let at = from + found;
            from = at + start.len();
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            let path = code[at..end].trim_end_matches(':');
            // `use super::{...}` alone names nothing; its tree was read above.
            if path.contains("::") {
                paths.push(path.to_owned());
            }
        }
    }
    paths
}

/// The file of the deepest module `path` names from the module `here`, if it is a file of `src`.
fn resolve(src: &Path, here: &[String], path: &str) -> Option<PathBuf> {
    let mut segments = path.split("::").filter(|s| !s.is_empty()).peekable();
    let mut module: Vec<String> = match segments.next()? {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut m = here.to_vec();
            m.pop();
            m
        }
        _ => return None,
    };
    // `super::super::x`: each further `super` goes one module up.
    while segments.peek() == Some(&"super") {
        segments.next();
        module.pop();
    }
    let file_of = |m: &[String]| -> Option<PathBuf> {
        let dir: PathBuf = m.iter().collect();
        if m.is_empty() {
            return Some(src.join("lib.rs"));
        }
        let single = src.join(&dir).with_extension("rs");
        let folder = src.join(&dir).join("mod.rs");
        [single, folder].into_iter().find(|p| p.is_file())
    };
    let mut file = file_of(&module)?;
    for segment in segments {
        let mut deeper = module.clone();
        deeper.push(segment.to_owned());
        match file_of(&deeper) {
            Some(f) => {
                module = deeper;
                file = f;
            }
            None => break,
        }
    }
    Some(file)
}

/// The import graph of the crate under `src`: each file to the files it names.
fn import_graph(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut files = Vec::new();
    super::rust_files(src, &mut files);
    let mut graph = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("inside src").to_owned();
        let here = module_of(&relative);
        let code = code_of(&super::read(&file));
        let targets: BTreeSet<PathBuf> = paths_in(&code)
            .iter()
            .filter_map(|p| resolve(src, &here, p))
            .map(|f| f.strip_prefix(src).expect("inside src").to_owned())
            .filter(|f| *f != relative && !f.ends_with("lib.rs"))
            .collect();
        graph.insert(relative, targets);
    }
    graph
}

/// One cycle of `graph`, file by file (the first file again at the end), if there is one.
fn find_cycle(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Option<Vec<PathBuf>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &PathBuf,
        graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        marks: &mut BTreeMap<PathBuf, Mark>,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.clone(), Mark::Open);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

fn shown(cycle: &[PathBuf]) -> String {
    cycle
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[test]
fn the_core_has_no_import_cycle_between_files() {
    let src = super::core_src();
    let graph = import_graph(&src);
    let plan = graph
        .get(Path::new("reconcile/full_plan.rs"))
        .expect("the producer is a file of the core");
    assert!(
        plan.contains(Path::new("reconcile/disposition.rs"))
            && plan.contains(Path::new("reconcile/model/mod.rs")),
        "the reader finds the producer's imports, or this test checks nothing: {plan:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "an import cycle between the core's files: {}\nmove the shared data down (into reconcile::model) or the function up, so that each file only imports files below it",
            shown(&cycle)
        );
    }
}

/// The reader and the search themselves: a made-up crate with a cycle through a braced `use`
/// and an inline path is found, named file by file.
#[test]
fn a_cycle_through_braces_and_inline_paths_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    let write = |name: &str, text: &str| {
        let path = src.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("lib.rs", "pub mod r;\n");
    write("r/mod.rs", "pub mod a;\npub mod b;\npub mod m;\n");
    write("r/a.rs", "use super::{m::{X, Y as Z}, b};\n");
    write(
        "r/b.rs",
        "fn f() { super::m::g(); }\n#[cfg(test)]\nmod tests { use crate::r::a; }\n",
    );
    write("r/m/mod.rs", "mod x;\npub use self::x::X;\n");
    write("r/m/x.rs", "// use crate::r::a;\npub struct X;\n");
    let graph = import_graph(src);
    assert_eq!(
        graph[Path::new("r/a.rs")],
        [PathBuf::from("r/b.rs"), PathBuf::from("r/m/mod.rs")].into(),
        "braces expanded, items resolved to their module's file"
    );
    assert_eq!(
        find_cycle(&graph),
        None,
        "comments and test modules do not count"
    );
    write("r/m/x.rs", "pub struct X;\nfn h() { crate::r::a::f(); }\n");
    let graph = import_graph(src);
    let cycle = find_cycle(&graph).expect("a -> m -> x -> a is a cycle");
    assert_eq!(
        shown(&cycle),
        "r/a.rs -> r/b.rs -> r/m/mod.rs -> r/m/x.rs -> r/a.rs",
        "named file by file"
    );
}
