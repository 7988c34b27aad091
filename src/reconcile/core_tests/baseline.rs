//! Unit tests of `reconcile::baseline` (in the core crate), here because they build manifests
//! with the loader, which reads files and so is not part of the core.

use std::path::Path;
use std::sync::Arc;

use crate::manifest::Manifest;
use crate::reconcile::baseline::*;
use crate::reconcile::observed::Observed;
use crate::reconcile::plan::{Disposition, Plan};
use serde_json::json;

use crate::manifest::parse_bytes;
use crate::reconcile::full_plan::plan_whole_account;
use crate::reconcile::leads_and_status::{ObservedLead, ObservedLeads};
use crate::reconcile::lifecycle::LifecycleOptions;

fn observed(status: &str) -> Observed {
    Observed {
        campaigns: serde_json::from_value(
            json!([{"id": 3, "name": "Q", "status": status, "max_retries": 3}]),
        )
        .expect("campaigns"),
        assistants: serde_json::from_value(json!([
            {"id": 7, "name": "Sales", "type": "outbound"},
            {"id": 8, "name": "Support", "type": "outbound"}
        ]))
        .expect("assistants"),
        ..Observed::default()
    }
}

fn manifests(yaml: &str) -> Vec<Manifest> {
    let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    manifests
}

fn planned(before: &str, now: &str, o: &Observed) -> Plan {
    plan_over(
        Baseline::single("git revision abc", manifests(before)),
        now,
        o,
    )
}

/// The plan of the manifests `now` over `baseline`, the campaign holding one lead.
fn plan_over(baseline: Baseline, now: &str, o: &Observed) -> Plan {
    let options = LifecycleOptions {
        baseline: Some(Arc::new(baseline)),
        ..LifecycleOptions::default()
    };
    let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    plan_whole_account(&manifests(now), o, &options, &leads).plan
}

const BEFORE: &str = "kind: Campaign\nname: Q\nassistant: Sales\ntimezone: America/New_York\nmax_retries: 3\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n";

#[test]
fn a_changed_timezone_replaces_a_draft_and_names_the_baseline() {
    let now = BEFORE.replace("America/New_York", "Europe/Berlin");
    let p = planned(BEFORE, &now, &observed("draft"));
    let Disposition::Replace { changes, .. } = &p.actions[0].kind else {
        panic!("a draft whose timezone changed is replaced: {p:#?}");
    };
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].field, "timezone");
    assert_eq!(changes[0].actual, json!("America/New_York"));
    assert_eq!(changes[0].known_from.as_deref(), Some("git revision abc"));
    assert!(!p.has_errors(), "{:?}", p.diagnostics);
}

#[test]
fn a_changed_timezone_on_a_campaign_that_ran_is_an_error_at_its_line() {
    let now = BEFORE.replace("America/New_York", "Europe/Berlin");
    let p = planned(BEFORE, &now, &observed("in-progress"));
    assert!(
        matches!(p.actions[0].kind, Disposition::Drift { .. }),
        "never replaced: {p:#?}"
    );
    let error = p
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert_eq!(error.location.as_ref().map(|l| l.line), Some(4));
    assert!(
        error
            .message
            .contains("timezone changed since git revision abc")
            && error.message.contains("may have run"),
        "{error:?}"
    );
    assert!(
        !p.operations.iter().any(|o| o.effects().destroys_data),
        "{:?}",
        p.operations
    );
}

#[test]
fn an_assistant_by_name_equals_the_same_assistant_by_id_and_nothing_is_not_compared() {
    let now = BEFORE.replace("assistant: Sales", "assistant_id: 7");
    let p = planned(BEFORE, &now, &observed("draft"));
    let Disposition::Unchanged { write_once } = &p.actions[0].kind else {
        panic!("the same assistant: {p:#?}");
    };
    assert!(
        write_once.is_empty(),
        "compared, so not listed: {write_once:?}"
    );

    let other = BEFORE.replace("assistant: Sales", "assistant: Support");
    let p = planned(BEFORE, &other, &observed("stopped"));
    assert!(p.has_errors(), "another assistant on a stopped campaign");
}

#[test]
fn a_reference_that_no_longer_resolves_is_not_compared_rather_than_changed() {
    // The assistant was renamed in the dashboard ("Sales" is gone) and the manifest
    // follows it under its new name: nothing is known to have changed.
    let before = BEFORE.replace("assistant: Sales", "assistant: Gone");
    let now = BEFORE.replace("assistant: Sales", "assistant: Support");
    let p = planned(&before, &now, &observed("in-progress"));
    assert!(!p.has_errors(), "{:?}", p.diagnostics);
    let Disposition::Unchanged { write_once } = &p.actions[0].kind else {
        panic!("{p:#?}");
    };
    assert_eq!(write_once, &["assistant_id"], "still not compared");
}

#[test]
fn a_field_set_where_it_was_left_to_the_default_warns_on_a_campaign_that_ran() {
    let now = BEFORE.replace(
        "max_retries: 3",
        "max_retries: 3\nretry_on_voicemail: false",
    );
    let p = planned(BEFORE, &now, &observed("stopped"));
    assert!(
        !p.has_errors(),
        "may be the default already: {:?}",
        p.diagnostics
    );
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.message.contains("retry_on_voicemail changed") && !d.is_error()),
        "{:?}",
        p.diagnostics
    );
    let p = planned(BEFORE, &now, &observed("draft"));
    assert!(
        matches!(p.actions[0].kind, Disposition::Replace { .. }),
        "a draft is replaced so it surely has the value: {p:#?}"
    );
}

#[test]
fn a_campaign_adopted_by_id_is_found_by_its_id_even_renamed() {
    let before = BEFORE.replace("name: Q", "id: 3\nname: Old");
    let now = BEFORE
        .replace("name: Q", "id: 3\nname: Q")
        .replace("America/New_York", "Europe/Berlin");
    let p = planned(&before, &now, &observed("in-progress"));
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.is_error() && d.message.contains("timezone changed")),
        "{:?}",
        p.diagnostics
    );
}

#[test]
fn a_campaign_the_baseline_does_not_know_is_left_as_not_compared() {
    let before = BEFORE.replace("name: Q", "name: Other");
    let now = BEFORE.replace("America/New_York", "Europe/Berlin");
    let p = planned(&before, &now, &observed("in-progress"));
    let Disposition::Unchanged { write_once } = &p.actions[0].kind else {
        panic!("{p:#?}");
    };
    assert_eq!(write_once, &["assistant_id", "timezone"]);
    assert!(!p.has_errors());
}

fn planned_with(parts: Vec<BaselinePart>, now: &str, o: &Observed) -> Plan {
    plan_over(Baseline::new(parts), now, o)
}

#[test]
fn the_record_finds_a_campaign_by_its_id_under_its_old_name_before_a_later_source_by_name() {
    // Recorded as "Old" (id 3) at the record's commit; HEAD already has the new assistant.
    let now = BEFORE.replace("assistant: Sales", "assistant: Support");
    let parts = vec![
        BaselinePart {
            source: "the record".into(),
            manifests: manifests(&BEFORE.replace("name: Q", "name: Old")),
            ids: Some([("Old".to_owned(), 3)].into()),
        },
        BaselinePart {
            source: "HEAD".into(),
            manifests: manifests(&now),
            ids: None,
        },
    ];
    let p = planned_with(parts, &now, &observed("in-progress"));
    let error = p
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert!(
        error
            .message
            .contains("assistant_id changed since the record"),
        "{error:?}"
    );
}

#[test]
fn a_campaign_the_record_has_without_values_is_not_compared_with_a_later_source() {
    let now = BEFORE.replace("assistant: Sales", "assistant: Support");
    let parts = vec![
        BaselinePart {
            source: "the record (no commit)".into(),
            manifests: Vec::new(),
            ids: Some([("Q".to_owned(), 3)].into()),
        },
        BaselinePart {
            source: "HEAD".into(),
            manifests: manifests(&now),
            ids: None,
        },
    ];
    let p = planned_with(parts, &now, &observed("draft"));
    assert!(!p.has_errors(), "{:?}", p.diagnostics);
    let Disposition::Unchanged { write_once } = &p.actions[0].kind else {
        panic!("not compared, so neither replaced nor equal: {p:#?}");
    };
    assert!(!write_once.is_empty(), "listed as not compared");
}

/// `watch` plans every pass against the same baseline: its names are resolved once and reused
/// while the account's assistants and phone numbers are the same, and resolved again when they
/// change, so a reuse never compares with ids the account no longer has.
#[test]
fn the_baseline_is_resolved_once_per_state_of_the_account_references() {
    let baseline = Arc::new(Baseline::single("git revision abc", manifests(BEFORE)));
    let options = LifecycleOptions {
        baseline: Some(baseline.clone()),
        ..LifecycleOptions::default()
    };
    let now = manifests(BEFORE);
    let plan = |o: &Observed| plan_whole_account(&now, o, &options, &ObservedLeads::default()).plan;
    let o = observed("in-progress");
    for pass in 1..=3 {
        let p = plan(&o);
        assert!(
            matches!(&p.actions[0].kind, Disposition::Unchanged { write_once } if write_once.is_empty()),
            "pass {pass}: {p:#?}"
        );
        assert_eq!(baseline.resolutions(), 1, "pass {pass} reuses the first");
    }
    // "Sales" renamed in the dashboard, and another assistant given its name: the baseline's
    // `assistant: Sales` now means id 9 on both sides; a stale memo would say 7 -> 9, an error.
    let mut renamed = observed("in-progress");
    renamed.assistants[0].name = "Sales (old)".to_owned();
    renamed.assistants.push(
        serde_json::from_value(json!({"id": 9, "name": "Sales", "type": "outbound"}))
            .expect("assistant"),
    );
    let p = plan(&renamed);
    assert_eq!(
        baseline.resolutions(),
        2,
        "changed references resolve again"
    );
    assert!(
        matches!(&p.actions[0].kind, Disposition::Unchanged { write_once } if write_once.is_empty()),
        "both sides resolve \"Sales\" to id 9 now: {p:#?}"
    );
    let p = plan(&o);
    assert_eq!(baseline.resolutions(), 3, "and again when they change back");
    assert!(!p.has_errors(), "{:?}", p.diagnostics);
}

/// `watch` remembers what it applied resolved (`assistant: Sales` with the id 7 it was created
/// with). The assistant renamed in the dashboard since, the name no longer resolves, but the
/// remembered id still does: a manifest switched to another assistant is a write-once change,
/// not "not compared".
#[test]
fn an_applied_baseline_keeps_the_id_its_name_resolved_to_when_applied() {
    let o = observed("stopped");
    let applied = crate::reconcile::resolve::resolve_names(manifests(BEFORE), &o).manifests;
    assert_eq!(applied[0].spec.assistant_id, Some(7));
    let mut renamed = o.clone();
    renamed.assistants[0].name = "Sales (old)".into();
    let now = BEFORE.replace("assistant: Sales", "assistant: Support");
    let p = plan_over(
        Baseline::single("the values this watch last applied", applied),
        &now,
        &renamed,
    );
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.is_error() && d.message.contains("assistant_id changed")),
        "the switch from 7 to 8 is seen: {:?}",
        p.diagnostics
    );
}
