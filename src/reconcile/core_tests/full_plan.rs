//! Unit tests of `reconcile::full_plan` (in the core crate), here because they build manifests
//! with the loader, which reads files and so is not part of the core.

use std::path::Path;

use crate::reconcile::full_plan::*;
use crate::reconcile::leads_and_status::ObservedLead;
use crate::reconcile::leads_and_status::ObservedLeads;
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::observed::Observed;
use crate::reconcile::plan::Plan;

use crate::manifest::parse_bytes;
use serde_json::json;

fn observed(campaigns: serde_json::Value) -> Observed {
    Observed {
        campaigns: serde_json::from_value(campaigns).expect("campaigns"),
        ..Observed::default()
    }
}

fn planned(yaml: &str, observed: &Observed, leads: &ObservedLeads) -> Plan {
    let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    plan_whole_account(&manifests, observed, &LifecycleOptions::default(), leads).plan
}

const DOC: &str = "kind: Campaign\nname: Q\nassistant_id: 7\nstatus: running\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n    - { phone_number: \"+14155550102\" }\n";

#[test]
fn existing_leads_match_by_normalised_number_and_a_running_campaign_is_left_alone() {
    let o = observed(serde_json::json!([{"id": 3, "name": "Q", "status": "in-progress"}]));
    let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    let plan = planned(DOC, &o, &leads);
    let f = plan.leads_and_status_of("Q").expect("leads and status");
    let l = f.leads.as_ref().expect("leads");
    assert_eq!((l.declared, l.on_platform), (2, 1));
    assert_eq!(l.to_add.len(), 1, "only the missing number is added");
    assert_eq!(l.to_add[0].phone_number, "+14155550102");
    assert_eq!(
        plan.summary().start,
        0,
        "an in-progress campaign is not started again"
    );
}

#[test]
fn an_existing_campaign_is_not_blocked_by_a_renamed_assistant() {
    let o = observed(serde_json::json!([{"id": 3, "name": "Q", "status": "draft"}]));
    let plan = planned(
        "kind: Campaign\nname: Q\nassistant: Gone\n",
        &o,
        &ObservedLeads::new(),
    );
    assert!(
        plan.diagnostics.is_empty(),
        "write-once references of an existing campaign are not checked: {:?}",
        plan.diagnostics
    );
}

#[test]
fn a_name_held_by_two_campaigns_gets_no_leads_or_status() {
    let o = observed(serde_json::json!([{"id": 3, "name": "Q"}, {"id": 4, "name": "Q"}]));
    let plan = planned(DOC, &o, &ObservedLeads::new());
    assert!(
        plan.leads_and_status.is_empty(),
        "nothing is added to or started on a guess"
    );
    assert!(plan.has_errors(), "the ambiguity is an error");
}

#[test]
fn a_new_campaign_gains_all_its_leads_and_starts_after_them() {
    let o = Observed {
        assistants: serde_json::from_value(
            serde_json::json!([{"id": 7, "name": "Sales", "type": "outbound"}]),
        )
        .expect("assistants"),
        ..Observed::default()
    };
    let plan = planned(DOC, &o, &ObservedLeads::new());
    let s = plan.summary();
    assert_eq!((s.leads_to_add, s.start), (2, 1));
    assert!(!plan.has_errors(), "{:?}", plan.diagnostics);
}

#[test]
fn an_existing_campaign_without_a_status_is_never_started() {
    let o = observed(serde_json::json!([{"id": 3, "name": "Q"}]));
    let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    let plan = planned(DOC, &o, &leads);
    let f = plan.leads_and_status_of("Q").expect("leads and status");
    assert!(!f.starts(), "unknown state is not draft: {f:#?}");
    assert!(
        f.status.as_ref().and_then(|s| s.note.as_ref()).is_some(),
        "and the plan says why: {f:#?}"
    );
}

#[test]
fn leads_for_a_running_campaign_are_marked_as_placing_calls() {
    let o = observed(serde_json::json!([{"id": 3, "name": "Q", "status": "in-progress"}]));
    let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    let plan = planned(DOC, &o, &leads);
    let f = plan.leads_and_status_of("Q").expect("leads and status");
    assert!(f.calls_new_leads() && f.places_calls(), "{f:#?}");
    let draft = observed(serde_json::json!([{"id": 3, "name": "Q", "status": "draft"}]));
    let plan = planned(
        "kind: Campaign\nname: Q\nassistant_id: 7\nleads:\n  items:\n    - { phone_number: \"+14155550102\" }\n",
        &draft,
        &leads,
    );
    let f = plan.leads_and_status_of("Q").expect("leads and status");
    assert!(!f.places_calls(), "a draft does not call its leads: {f:#?}");
}

#[test]
fn leads_for_a_campaign_in_a_status_campaignctl_does_not_know_count_as_placing_calls() {
    let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    let manifest = "kind: Campaign\nname: Q\nassistant_id: 7\nleads:\n  items:\n    - { phone_number: \"+14155550102\" }\n";
    for status in [json!("paused"), json!("something-new"), json!(null)] {
        let o = observed(json!([{"id": 3, "name": "Q", "status": status}]));
        let plan = planned(manifest, &o, &leads);
        let f = plan.leads_and_status_of("Q").expect("leads");
        assert!(
            f.calls_new_leads(),
            "status {status}: an unknown state is never assumed safe: {f:#?}"
        );
        assert!(
            plan.operations.iter().any(|op| op.effects().places_calls),
            "status {status}: the operation needs --allow-start: {:#?}",
            plan.operations
        );
    }
    for status in ["draft", "stopped", "completed"] {
        let o = observed(json!([{"id": 3, "name": "Q", "status": status}]));
        let plan = planned(manifest, &o, &leads);
        assert!(
            !plan.operations.iter().any(|op| op.effects().places_calls),
            "status {status} does not dial new leads"
        );
    }
}
