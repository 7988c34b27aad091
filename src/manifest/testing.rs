//! Test helpers for the manifest module: parse a YAML string as file `t.yaml` and look at the
//! diagnostics the way a user sees them.

use std::path::Path;

use super::{parse_bytes, Diagnostic, Manifest};

/// The three fields every valid document needs, on lines 1 to 3.
pub const BASE: &str = "kind: Campaign\nname: Q4 promo\nassistant_id: 12\n";

pub fn parse(yaml: &str) -> (Vec<Manifest>, Vec<Diagnostic>) {
    parse_bytes(Path::new("t.yaml"), yaml.as_bytes())
}

/// Each diagnostic as printed, hint included.
pub fn rendered(yaml: &str) -> Vec<String> {
    parse(yaml).1.iter().map(ToString::to_string).collect()
}

/// Asserts that parsing `yaml` reports exactly `expected` (first lines, without hints).
pub fn assert_reports(yaml: &str, expected: &[&str]) {
    let got: Vec<String> = rendered(yaml)
        .iter()
        .map(|d| d.lines().next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(got, expected, "wrong diagnostics for:\n{yaml}");
}

/// Asserts that parsing `yaml` reports exactly one diagnostic, starting with `first_line`, whose
/// hint contains `hint`.
pub fn assert_hint(yaml: &str, first_line: &str, hint: &str) {
    let all = rendered(yaml);
    assert_eq!(
        all.len(),
        1,
        "expected one diagnostic for:\n{yaml}\ngot: {all:#?}"
    );
    let (head, rest) = all[0].split_once('\n').unwrap_or((all[0].as_str(), ""));
    assert_eq!(head, first_line, "wrong diagnostic for:\n{yaml}");
    assert!(
        rest.contains(hint),
        "hint of {head:?} must contain {hint:?}, got {rest:?}"
    );
}

/// The one manifest `yaml` must produce, with no diagnostics.
pub fn valid(yaml: &str) -> Manifest {
    let (mut manifests, diagnostics) = parse(yaml);
    let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        diagnostics.is_empty(),
        "expected no diagnostics for:\n{yaml}\ngot: {shown:#?}"
    );
    assert_eq!(
        manifests.len(),
        1,
        "expected exactly one manifest for:\n{yaml}"
    );
    manifests.remove(0)
}
