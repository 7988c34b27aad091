//! Unit tests of the assistants' part of the producer (`full_plan` with
//! `assistants::plan`): which operations, in which order, waiting for what, and which approval
//! each needs, from manifests read by the loader.

use std::path::Path;

use crate::manifest::{parse_assistant_bytes, parse_bytes};
use crate::reconcile::full_plan::PlanInputs;
use crate::reconcile::leads_and_status::ObservedLeads;
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::observed::Observed;
use crate::reconcile::operation::{Approval, OperationKind};
use crate::reconcile::plan::Plan;
use crate::reconcile::scope::Scope;
use crate::shown_path::ShownFrom;

const ADA: &str = "kind: Assistant\nname: Ada\ntype: outbound\nmode: pipeline\nvoice_id: 3\nlanguage_id: 1\nllm_model_id: 5\ntimezone: Europe/Berlin\ninitial_message: Hello.\nsystem_prompt: You are Ada.\n";

fn campaign(name: &str) -> String {
    format!("kind: Campaign\nname: {name}\nassistant: Ada\ntimezone: Europe/Berlin\n")
}

/// Ada as the platform lists her, with `prompt`, and an `inbound` or `outbound` type.
fn listed_ada(prompt: &str, kind: &str) -> serde_json::Value {
    serde_json::json!({"id": 40, "name": "Ada", "type": kind, "timezone": "Europe/Berlin",
        "voice_id": 3, "initial_message": "Hello.", "system_prompt": prompt})
}

fn observed(assistants: serde_json::Value, campaigns: serde_json::Value) -> Observed {
    Observed {
        assistants: serde_json::from_value(assistants).expect("assistants"),
        campaigns: serde_json::from_value(campaigns).expect("campaigns"),
        ..Observed::default()
    }
}

fn planned(assistant: &str, campaigns: &str, observed: &Observed, scope: &Scope) -> Plan {
    let (assistants, problems) = parse_assistant_bytes(Path::new("a.yaml"), assistant.as_bytes());
    assert!(problems.is_empty(), "{problems:?}");
    let (manifests, problems) = if campaigns.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        parse_bytes(Path::new("c.yaml"), campaigns.as_bytes())
    };
    assert!(problems.is_empty(), "{problems:?}");
    let as_is = ShownFrom::as_is();
    let options = LifecycleOptions::default();
    PlanInputs::with_assistants(manifests, &assistants, observed, &options, scope, &as_is)
        .plan(&ObservedLeads::new())
        .plan
}

#[test]
fn a_new_assistant_comes_first_and_the_campaign_creates_wait_for_it_as_creates_not_replacements() {
    let o = observed(serde_json::json!([]), serde_json::json!([]));
    let campaigns = format!("{}---\n{}", campaign("Q1"), campaign("Q4"));
    let plan = planned(ADA, &campaigns, &o, &Scope::whole_account());
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let ops: Vec<(&str, &str, &[usize])> = plan
        .operations
        .iter()
        .map(|op| {
            (
                op.kind.label(),
                op.campaign.as_str(),
                op.depends_on.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("create_assistant", "Ada", &[][..]),
            ("create", "Q1", &[0][..]),
            ("create", "Q4", &[0][..])
        ]
    );
    for op in &plan.operations[1..] {
        assert!(
            matches!(op.kind, OperationKind::CreateCampaign { assistant_from: Some(0), ref request } if request.assistant_id.is_none()),
            "the id comes from the assistant's create at run time: {op:?}"
        );
        assert!(
            !op.is_replacing_create(),
            "waiting for an assistant is not a replacement"
        );
        assert_eq!(op.approval(), Approval::Writes);
    }
    let s = plan.summary();
    assert_eq!((s.create, s.replace, s.assistants_to_create), (2, 0, 1));
}

#[test]
fn an_update_heard_by_a_running_campaign_or_by_undeclared_running_ones_is_approved_as_calls() {
    let edited = ADA.replace("You are Ada.", "You are Ada, kind.");
    let update_approval = |campaigns: serde_json::Value| {
        let o = observed(
            serde_json::json!([listed_ada("You are Ada.", "outbound")]),
            campaigns,
        );
        let plan = planned(&edited, &campaign("Q4"), &o, &Scope::whole_account());
        let update = plan
            .operations
            .iter()
            .find(|op| op.kind.label() == "update_assistant")
            .unwrap_or_else(|| panic!("an update: {:?}", plan.operations))
            .clone();
        (update.approval(), update.kind)
    };
    let (quiet, _) =
        update_approval(serde_json::json!([{"id": 1, "name": "Q4", "status": "draft"}]));
    assert_eq!(quiet, Approval::Writes, "no call hears it");
    let (running, kind) =
        update_approval(serde_json::json!([{"id": 1, "name": "Q4", "status": "in-progress"}]));
    assert_eq!(running, Approval::PlaceCalls);
    assert!(
        matches!(&kind, OperationKind::UpdateAssistant { live_calls, .. } if live_calls.campaigns == ["Q4"]),
        "{kind:?}"
    );
    let (undeclared, kind) = update_approval(serde_json::json!([
        {"id": 1, "name": "Q4", "status": "draft"},
        {"id": 2, "name": "Someone else's", "status": "in-progress"}
    ]));
    assert_eq!(
        undeclared,
        Approval::PlaceCalls,
        "an undeclared running campaign may use it"
    );
    assert!(
        matches!(&kind, OperationKind::UpdateAssistant { live_calls, .. } if live_calls.undeclared_running == 1),
        "{kind:?}"
    );
}

#[test]
fn an_inbound_assistants_update_changes_what_callers_hear() {
    let inbound = ADA
        .replace("type: outbound", "type: inbound")
        .replace("You are Ada.", "You answer for Acme.");
    let o = observed(
        serde_json::json!([listed_ada("You are Ada.", "inbound")]),
        serde_json::json!([]),
    );
    let plan = planned(&inbound, "", &o, &Scope::whole_account());
    let update = &plan.operations[0];
    assert_eq!(update.kind.label(), "update_assistant");
    assert_eq!(update.approval(), Approval::PlaceCalls);
    assert_eq!(
        update.approval_reason(),
        "it changes what calls under way say"
    );
}

#[test]
fn a_target_keeps_the_assistant_its_campaign_names_and_drops_the_others() {
    let o = observed(serde_json::json!([]), serde_json::json!([]));
    let two = format!("{ADA}---\n{}", ADA.replace("name: Ada", "name: Bob"));
    let campaigns = format!("{}---\n{}", campaign("Q1"), campaign("Q4"));
    let targets = crate::reconcile::scope::Targets::new(&["Q4".to_owned()]);
    let scope = Scope::of(&[], targets, |_| true);
    let plan = planned(&two, &campaigns, &o, &scope);
    let ops: Vec<(&str, &str)> = plan
        .operations
        .iter()
        .map(|op| (op.kind.label(), op.campaign.as_str()))
        .collect();
    assert_eq!(ops, [("create_assistant", "Ada"), ("create", "Q4")]);
}

#[test]
fn an_outbound_assistant_turned_inbound_is_heard_by_callers() {
    let turned = ADA.replace("type: outbound", "type: inbound");
    let o = observed(
        serde_json::json!([listed_ada("You are Ada.", "outbound")]),
        serde_json::json!([]),
    );
    let plan = planned(&turned, "", &o, &Scope::whole_account());
    let update = &plan.operations[0];
    assert_eq!(update.kind.label(), "update_assistant");
    assert_eq!(
        update.approval(),
        Approval::PlaceCalls,
        "it answers the calls of its number from now on"
    );
}
