//! Every link between the repository's Markdown pages resolves: the file exists and, for a
//! `#anchor`, the page has a heading with that anchor (GitHub's rule: lower case, punctuation
//! dropped, spaces to dashes). The README links to `docs/` pages a user reads when needed, so a
//! page moved or a heading renamed must not leave a dead link behind.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "CHANGELOG.md"]
        .iter()
        .map(|p| root().join(p))
        .collect();
    for dir in ["docs", "examples"] {
        collect_markdown(&root().join(dir), &mut pages);
    }
    pages
}

fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_markdown(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The text outside fenced code blocks, line by line.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push(line);
        }
    }
    out
}

/// GitHub's anchor for a heading's text.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    prose(text)
        .into_iter()
        .filter(|l| l.starts_with('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect()
}

/// The targets of inline links `[text](target)` in the prose.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_link_between_the_repositorys_pages_resolves() {
    let mut dead = Vec::new();
    let pages = pages();
    assert!(pages.len() > 10, "the pages found: {pages:?}");
    for page in &pages {
        let text = std::fs::read_to_string(page).expect("a page");
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = match target.split_once('#') {
                Some((file, fragment)) => (file, Some(fragment)),
                None => (target.as_str(), None),
            };
            let resolved = if file.is_empty() {
                page.clone()
            } else {
                page.parent().expect("a folder").join(file)
            };
            let shown = format!(
                "{} → {target}",
                page.strip_prefix(root()).unwrap_or(page).display()
            );
            if !resolved.exists() {
                dead.push(format!("{shown}: no such file"));
                continue;
            }
            if let Some(fragment) = fragment {
                if resolved.extension().is_some_and(|e| e == "md") {
                    let linked = std::fs::read_to_string(&resolved).expect("a page");
                    if !anchors(&linked).iter().any(|a| a == fragment) {
                        dead.push(format!("{shown}: no heading with that anchor"));
                    }
                }
            }
        }
    }
    assert!(dead.is_empty(), "dead links:\n{}", dead.join("\n"));
}

#[test]
fn anchors_follow_githubs_rule() {
    assert_eq!(
        anchor(" Fleets: big plans and `--target`"),
        "fleets-big-plans-and---target"
    );
    assert_eq!(
        anchor("API cost: requests per run"),
        "api-cost-requests-per-run"
    );
    assert_eq!(links("see [a](b.md#c) and [d](e/)"), ["b.md#c", "e/"]);
}
