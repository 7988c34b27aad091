//! Unit tests of `reconcile::scope` (in the core crate), here because they build manifests
//! with the loader, which reads files and so is not part of the core.

use crate::manifest::{Diagnostic, Location, Manifest};
use crate::reconcile::scope::*;
use std::path::Path;

use crate::manifest::parse_bytes;

fn manifests(yaml: &str) -> Vec<Manifest> {
    let (manifests, diagnostics) = parse_bytes(Path::new("f.yaml"), yaml.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    manifests
}

fn targets(patterns: &[&str]) -> Targets {
    let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
    Targets::new(&patterns).expect("patterns given")
}

#[test]
fn patterns_are_globs_and_names_match_themselves() {
    let t = targets(&["Q4 *", "Lit [EU", "Exact [x]"]);
    assert!(t.matches("Q4 East") && t.matches("Q4 "));
    assert!(!t.matches("Q3 East"), "case and text matter");
    assert!(
        t.matches("Lit [EU"),
        "an invalid glob matches its exact name"
    );
    assert!(
        t.matches("Exact [x]"),
        "a name with glob characters is its own pattern"
    );
    assert!(t.matches("Exact x"), "and is a glob too");
    assert!(Targets::new(&[]).is_none());
}

#[test]
fn an_unmatched_target_says_so_with_the_closest_name() {
    let ms = manifests(
        "kind: Campaign\nname: Spring Outreach\nassistant_id: 7\n---\nkind: Campaign\nname: Winter\nassistant_id: 7\n",
    );
    let problems = targets(&["Spring Outreach", "sprng outreach", "Nothing*"]).unmatched(&ms);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("\"sprng outreach\"")
            && problems[0].contains("did you mean \"Spring Outreach\"?"),
        "{problems:?}"
    );
    assert!(!problems[1].contains("did you mean"), "{problems:?}");
}

#[test]
fn a_problem_belongs_to_the_document_it_is_in() {
    let ms = manifests(
        "kind: Campaign\nname: A\nassistant_id: 7\n---\nkind: Campaign\nname: B\nassistant_id: 7\n",
    );
    let owners = Owners::new(&ms);
    let at = |line| Diagnostic::error(Some(Location::new("f.yaml", line, 1)), "x");
    let name = |d: &Diagnostic| owners.of(d).map(|m| m.spec.name.clone());
    assert_eq!(name(&at(3)), Some("A".into()));
    assert_eq!(name(&at(7)), Some("B".into()));
    assert_eq!(
        name(&Diagnostic::error(
            Some(Location::new("other.csv", 2, 1)),
            "x"
        )),
        None,
        "a file without manifests belongs to none"
    );
}

#[test]
fn the_whole_account_is_planned_from_directories_without_targets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.yaml");
    std::fs::write(&file, "").expect("write");
    assert!(crate::reconcile::pipeline::scope_of(&[dir.path().to_owned()], None).whole_account);
    assert!(!crate::reconcile::pipeline::scope_of(&[file], None).whole_account);
    assert!(
        !crate::reconcile::pipeline::scope_of(&[dir.path().to_owned()], Some(targets(&["A"])))
            .whole_account
    );
}
