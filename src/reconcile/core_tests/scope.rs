//! Unit tests of `reconcile::scope` (in the core crate) and of how the producer narrows its
//! inputs to it, here because they build manifests with the loader, which reads files and so is
//! not part of the core.

use std::path::Path;

use serde_json::json;

use crate::shown_path::ShownFrom;

use crate::manifest::Manifest;
use crate::reconcile::full_plan::PlanInputs;
use crate::reconcile::leads_and_status::ObservedLeads;
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::observed::Observed;
use crate::reconcile::plan::Plan;
use crate::reconcile::scope::*;

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

fn targeted(yaml: &str, observed: &Observed, patterns: &[&str]) -> Plan {
    let scope = Scope {
        targets: Some(targets(patterns)),
        whole_account: false,
        why_partial: Some("--target names some campaigns only".into()),
    };
    PlanInputs::new(
        manifests(yaml),
        observed,
        &LifecycleOptions::default(),
        &scope,
        &ShownFrom::as_is(),
    )
    .plan(&ObservedLeads::new())
    .plan
}

fn account(campaigns: serde_json::Value) -> Observed {
    Observed {
        campaigns: serde_json::from_value(campaigns).expect("campaigns"),
        assistants: serde_json::from_value(json!([{"id": 7, "name": "Sales", "type": "outbound"}]))
            .expect("assistants"),
        ..Observed::default()
    }
}

/// `--target` narrows what is decided, not what claims a campaign: the campaign an untargeted
/// manifest adopts by `id:` is not free for a targeted manifest of its name to take.
#[test]
fn a_targeted_manifest_never_takes_a_campaign_an_untargeted_one_adopts_by_id() {
    let o = account(json!([{"id": 5, "name": "A", "status": "draft", "max_retries": 3}]));
    let yaml = "kind: Campaign\nname: A\nassistant_id: 7\ntimezone: Europe/Berlin\nmax_retries: 5\n---\nkind: Campaign\nname: Z\nid: 5\n";
    let p = targeted(yaml, &o, &["A"]);
    assert!(
        p.actions.iter().all(|a| a.remote_id != Some(5)),
        "{:#?}",
        p.actions
    );
    assert!(p.operations.is_empty(), "{:#?}", p.operations);
    let error = p.diagnostics.iter().find(|d| d.is_error());
    assert!(
        error.is_some_and(|d| d.message.contains("adopts by id")),
        "the name is held by the adopted campaign: {:#?}",
        p.diagnostics
    );
}

/// Untargeted manifests are not planned (no action, no problem), and the campaigns they manage
/// are not orphans: no rename hint points a targeted create at one of them.
#[test]
fn untargeted_campaigns_are_neither_planned_nor_orphans() {
    let o = account(json!([{"id": 4, "name": "Q4 Outreach", "status": "draft", "max_retries": 3}]));
    let yaml = "kind: Campaign\nname: Q4 Outreach 2\nassistant_id: 7\ntimezone: Europe/Berlin\nmax_retries: 3\n---\nkind: Campaign\nname: Q4 Outreach\nassistant_id: 7\ntimezone: Europe/Berlin\nmax_retries: 3\n---\nkind: Campaign\nname: Broken\nassistant_id: 99\n";
    let p = targeted(yaml, &o, &["Q4 Outreach 2"]);
    let names: Vec<&str> = p.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Q4 Outreach 2"]);
    assert_eq!(p.actions[0].note, None, "no rename hint: {:#?}", p.actions);
    assert!(
        p.diagnostics.is_empty(),
        "the untargeted manifest's problems are not this plan's: {:#?}",
        p.diagnostics
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
