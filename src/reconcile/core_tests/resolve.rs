//! Unit tests of `reconcile::resolve` (in the core crate), here because they build manifests
//! with the loader, which reads files and so is not part of the core.

use std::path::Path;

use crate::api::types::{Assistant, PhoneNumber};
use crate::reconcile::observed::Observed;
use crate::reconcile::resolve::*;

use crate::manifest::parse_bytes;

fn assistant(id: u64, name: &str, kind: &str) -> Assistant {
    Assistant {
        id,
        name: name.into(),
        kind: kind.into(),
        mode: None,
        status: None,
        timezone: None,
        post_call_schema: vec![],
        listed: Default::default(),
    }
}

fn phone(id: u64, number: &str) -> PhoneNumber {
    PhoneNumber {
        id,
        phone_number: number.into(),
        country_code: None,
        type_label: None,
        is_available: None,
    }
}

fn observed() -> Observed {
    Observed {
        campaigns: vec![],
        assistants: vec![
            assistant(7, "Sales Outbound", "outbound"),
            assistant(8, "Renewals", "outbound"),
            assistant(9, "Renewals", "outbound"),
            assistant(12, "Front Desk", "inbound"),
        ],
        phone_numbers: vec![phone(45, "+12025550145"), phone(46, "+12025550146")],
    }
}

fn resolve(extra: &str) -> Resolved {
    let yaml = format!("kind: Campaign\nname: Q\n{extra}");
    let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    resolve_names(manifests, &observed())
}

fn first_error(r: &Resolved) -> String {
    r.problems
        .values()
        .flatten()
        .next()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[test]
fn names_become_ids_and_both_are_kept() {
    let r = resolve("assistant: Sales Outbound\nphone_numbers: [\"+1 202 555 0146\"]\n");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let spec = &r.manifests[0].spec;
    assert_eq!(spec.assistant_id, Some(7), "the create body carries the id");
    assert_eq!(spec.phone_number_ids, Some(vec![46]));
    assert_eq!(
        r.references["Q"].assistant,
        Some(NamedRef {
            name: "Sales Outbound".into(),
            id: 7
        })
    );
    assert_eq!(
        r.manifests[0].locate("assistant_id").line,
        3,
        "errors about the id point at the name"
    );
}

#[test]
fn a_missing_name_names_the_candidates() {
    let r = resolve("assistant: Sales Outbond\n");
    let shown = first_error(&r);
    assert!(
        shown.starts_with("t.yaml:3:12: error: no outbound assistant is named \"Sales Outbond\""),
        "{shown}"
    );
    assert!(
        shown.contains("did you mean \"Sales Outbound\"?"),
        "{shown}"
    );
    assert!(
        shown.contains("\"Renewals\" (id 8)"),
        "the candidates are listed: {shown}"
    );
    assert_eq!(r.manifests[0].spec.assistant_id, None, "nothing is guessed");
}

#[test]
fn an_ambiguous_or_inbound_name_is_an_error() {
    let shown = first_error(&resolve("assistant: Renewals\n"));
    assert!(
        shown.contains("2 outbound assistants are named \"Renewals\" (ids 8, 9)"),
        "{shown}"
    );
    let shown = first_error(&resolve("assistant: Front Desk\n"));
    assert!(shown.contains("(id 12) is an inbound assistant"), "{shown}");
    let shown = first_error(&resolve(
        "assistant_id: 7\nphone_numbers: [\"+12025550199\"]\n",
    ));
    assert!(
        shown.contains("phone_numbers.0: +12025550199 is not a phone number of this account")
            && shown.contains("+12025550145 (id 45), +12025550146 (id 46)"),
        "{shown}"
    );
}

/// The plan resolves the manifests it is given in place, and `watch` keeps them for its next
/// pass: resolving them again against a changed account must give what resolving them fresh
/// gives, never an id left over from the last account.
#[test]
fn resolving_again_is_resolving_fresh() {
    let r = resolve("assistant: Sales Outbound\nphone_numbers: [\"+1 202 555 0146\"]\n");
    assert_eq!(r.manifests[0].spec.assistant_id, Some(7));
    // The assistant renamed and the number released in the dashboard since.
    let mut changed = observed();
    changed.assistants[0].name = "Sales Outbound (old)".into();
    changed.phone_numbers.retain(|p| p.id != 46);
    let again = resolve_names(r.manifests.clone(), &changed);
    let spec = &again.manifests[0].spec;
    assert_eq!(
        spec.assistant_id, None,
        "no id is left from the last account"
    );
    assert_eq!(spec.phone_number_ids, None);
    assert_eq!(
        again.problems.values().flatten().count(),
        2,
        "{:?}",
        again.problems
    );
    // Back as it was: the same ids as the first time.
    let back = resolve_names(again.manifests, &observed());
    assert_eq!(back.manifests[0].spec, r.manifests[0].spec);
    assert!(back.problems.is_empty(), "{:?}", back.problems);
}

/// A saved plan fingerprints the manifests it was made from, resolved; `apply PLANFILE`
/// fingerprints a fresh load, not resolved: both read each spec as written.
#[test]
fn a_spec_as_written_takes_back_what_resolution_set() {
    let yaml =
        "kind: Campaign\nname: Q\nassistant: Sales Outbound\nphone_numbers: [\"+12025550145\"]\n";
    let (loaded, _) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
    let resolved = resolve_names(loaded.clone(), &observed());
    assert_ne!(resolved.manifests[0].spec, loaded[0].spec);
    assert_eq!(*as_written(&resolved.manifests[0].spec), loaded[0].spec);
    let by_id = resolve("assistant_id: 7\n");
    assert!(
        matches!(
            as_written(&by_id.manifests[0].spec),
            std::borrow::Cow::Borrowed(_)
        ),
        "a manifest naming nothing is not copied"
    );
}
