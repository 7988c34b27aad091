//! The assistant decisions as units: trimmed comparison, changed fields only, the baseline for
//! what the list leaves out, and the refusals of a tombstone.

use std::collections::BTreeMap;

use super::*;
use crate::api::assistant::{AssistantWrite, ListedAssistantFields};
use crate::api::types::{Assistant, PostCallVariable};
use crate::diagnostic::Location;
use crate::manifest::AssistantManifest;

fn declared(prompt: &str, mode: &str) -> AssistantManifest {
    let (llm, multimodal) = if mode == "pipeline" {
        (Some(5), None)
    } else {
        (None, Some(2))
    };
    AssistantManifest {
        name: "Ada".into(),
        id: None,
        deleted: false,
        fields: AssistantWrite {
            name: Some("Ada".into()),
            kind: Some("outbound".into()),
            mode: Some(mode.into()),
            voice_id: Some(3),
            language_id: Some(1),
            llm_model_id: llm,
            multimodal_model_id: multimodal,
            timezone: Some("UTC".into()),
            initial_message: Some("Hello.".into()),
            system_prompt: Some(prompt.into()),
            post_call_schema: Some(vec![PostCallVariable {
                name: "booked".into(),
                kind: "bool".into(),
                description: None,
            }]),
            ..AssistantWrite::default()
        },
        sources: BTreeMap::new(),
        location: Location::new("ada.yaml", 1, 1),
        positions: BTreeMap::new(),
    }
}

fn live(prompt: &str) -> Assistant {
    Assistant {
        id: 40,
        name: "Ada".into(),
        kind: "outbound".into(),
        mode: None,
        status: Some("active".into()),
        timezone: Some("UTC".into()),
        post_call_schema: vec![PostCallVariable {
            name: "booked".into(),
            kind: "bool".into(),
            description: None,
        }],
        listed: ListedAssistantFields {
            voice_id: Some(3),
            initial_message: Some("Hello.".into()),
            system_prompt: Some(prompt.into()),
            ..ListedAssistantFields::default()
        },
    }
}

fn one(
    manifest: &AssistantManifest,
    live: &[Assistant],
    context: &AssistantContext<'_>,
) -> AssistantPlan {
    classify(std::slice::from_ref(manifest), live, context).remove(0)
}

#[test]
fn a_prompt_files_final_newline_plans_no_change() {
    let manifest = declared("You are Ada.\n", "pipeline");
    let baseline = declared("You are Ada.\n", "pipeline");
    let context = AssistantContext {
        baseline: BTreeMap::from([("Ada", &baseline)]),
        ..AssistantContext::default()
    };
    let plan = one(&manifest, &[live("You are Ada.")], &context);
    assert_eq!(
        plan.decision,
        AssistantDecision::Unchanged { id: 40 },
        "{plan:?}"
    );
}

#[test]
fn a_prompt_edit_updates_only_the_prompt() {
    let manifest = declared("You are Ada. Be brief.\n", "pipeline");
    let baseline = declared("You are Ada.\n", "pipeline");
    let context = AssistantContext {
        baseline: BTreeMap::from([("Ada", &baseline)]),
        ..AssistantContext::default()
    };
    let plan = one(&manifest, &[live("You are Ada.")], &context);
    let AssistantDecision::Update {
        id,
        request,
        changes,
    } = plan.decision
    else {
        panic!("expected an update: {plan:?}");
    };
    assert_eq!(id, 40);
    assert_eq!(
        serde_json::to_value(&request).ok(),
        Some(serde_json::json!({"system_prompt": "You are Ada. Be brief.\n"})),
        "the PUT carries the prompt only"
    );
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].field, "system_prompt");
}

#[test]
fn a_mode_change_is_caught_through_the_baseline_and_carries_its_model() {
    let manifest = declared("You are Ada.", "multimodal");
    let baseline = declared("You are Ada.", "pipeline");
    let context = AssistantContext {
        baseline: BTreeMap::from([("Ada", &baseline)]),
        ..AssistantContext::default()
    };
    let plan = one(&manifest, &[live("You are Ada.")], &context);
    let AssistantDecision::Update {
        request, changes, ..
    } = plan.decision
    else {
        panic!("expected an update: {plan:?}");
    };
    assert_eq!(request.mode.as_deref(), Some("multimodal"), "{request:?}");
    assert_eq!(
        request.multimodal_model_id,
        Some(2),
        "the new mode's model: {request:?}"
    );
    assert!(
        changes.iter().any(|c| c.field == "mode" && c.from_baseline),
        "the change says it was compared with the baseline: {changes:?}"
    );
}

#[test]
fn without_a_baseline_the_unlisted_fields_are_not_compared_and_said_so() {
    let manifest = declared("You are Ada.", "pipeline");
    let plan = one(
        &manifest,
        &[live("You are Ada.")],
        &AssistantContext::default(),
    );
    assert_eq!(plan.decision, AssistantDecision::Unchanged { id: 40 });
    assert_eq!(
        plan.not_compared,
        vec!["mode", "language_id", "llm_model_id"]
    );
}

#[test]
fn an_undeclared_assistant_is_created_and_an_adopted_id_must_exist() {
    let manifest = declared("You are Ada.", "pipeline");
    let plan = one(&manifest, &[], &AssistantContext::default());
    assert!(
        matches!(plan.decision, AssistantDecision::Create { .. }),
        "{plan:?}"
    );
    let mut adopted = manifest.clone();
    adopted.id = Some(99);
    let plan = one(&adopted, &[live("x")], &AssistantContext::default());
    assert_eq!(
        plan.decision,
        AssistantDecision::AdoptedIdMissing { id: 99 }
    );
}

#[test]
fn a_tombstone_is_refused_while_a_campaign_may_use_the_assistant() {
    let mut manifest = declared("You are Ada.", "pipeline");
    manifest.deleted = true;
    let used = AssistantContext {
        used_by: BTreeMap::from([("Ada", vec!["Q4".to_string()])]),
        ..AssistantContext::default()
    };
    assert_eq!(
        one(&manifest, &[live("x")], &used).decision,
        AssistantDecision::DeleteRefused {
            id: 40,
            why: DeleteRefused::UsedBy {
                campaigns: vec!["Q4".into()]
            }
        }
    );
    let undeclared = AssistantContext {
        undeclared_campaigns: 2,
        ..AssistantContext::default()
    };
    assert_eq!(
        one(&manifest, &[live("x")], &undeclared).decision,
        AssistantDecision::DeleteRefused {
            id: 40,
            why: DeleteRefused::UndeclaredCampaigns { count: 2 }
        }
    );
    assert_eq!(
        one(&manifest, &[live("x")], &AssistantContext::default()).decision,
        AssistantDecision::Delete { id: 40 }
    );
    assert_eq!(
        one(&manifest, &[], &AssistantContext::default()).decision,
        AssistantDecision::Absent
    );
}
