//! The library's real HTTP client and apply against the in-process emulator: the error paths
//! that plan-time checks normally prevent (the account changing between plan and apply), so
//! that a 404 and a 422 from the platform are shown to map back to the manifest's lines.

use std::path::Path;

use crate::in_process::emulator;
use campaignctl::api::types::{Assistant, PhoneNumber};
use campaignctl::api::ApiError;
use campaignctl::manifest::parse_bytes;
use campaignctl::reconcile::{execute, plan, ExecuteOptions, Outcome};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn platform_404_and_422_map_back_to_manifest_lines() {
    let (running, client) = emulator().await;
    let yaml = b"kind: Campaign\nname: Ghost assistant\nassistant_id: 99\n---\nkind: Campaign\nname: Ghost number\nassistant_id: 7\nphone_number_ids: [45, 77]\n";
    let (manifests, diags) = parse_bytes(Path::new("m.yaml"), yaml);
    assert!(diags.is_empty(), "the manifest is valid offline: {diags:?}");

    // The observed state claims assistant 99 and number 77 exist (as they did when planned).
    let mut observed = campaignctl::reconcile::observe(&client)
        .await
        .expect("observe");
    let mut ghost = observed.assistants[0].clone();
    ghost.id = 99;
    observed.assistants.push(Assistant { ..ghost });
    observed.phone_numbers.push(PhoneNumber {
        id: 77,
        ..observed.phone_numbers[0].clone()
    });
    let p = plan(&manifests, &observed);
    assert!(!p.has_errors(), "{:?}", p.diagnostics);

    let report = execute(
        &client,
        &p.operations,
        &manifests,
        &[],
        ExecuteOptions::approving_writes(4),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await;
    let outcome = |name: &str| {
        &report
            .results
            .iter()
            .find(|r| r.campaign == name)
            .expect("result")
            .outcome
    };
    match outcome("Ghost assistant") {
        Outcome::Failed {
            error, diagnostics, ..
        } => {
            assert!(error.contains("404"), "{error}");
            assert_eq!(
                diagnostics[0].location.as_ref().map(|l| (l.line, l.column)),
                Some((3, 15)),
                "{diagnostics:?}"
            );
        }
        other => panic!("expected a 404 failure, got {other:?}"),
    }
    match outcome("Ghost number") {
        Outcome::Failed {
            error, diagnostics, ..
        } => {
            assert!(error.contains("422"), "{error}");
            assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
            assert_eq!(diagnostics[0].field.as_deref(), Some("phone_number_ids.1"));
            assert_eq!(
                diagnostics[0].location.as_ref().map(|l| (l.line, l.column)),
                Some((8, 24)),
                "{diagnostics:?}"
            );
        }
        other => panic!("expected a 422 failure, got {other:?}"),
    }
    assert!(
        client.list_campaigns().await.expect("list").is_empty(),
        "nothing was created"
    );
    running.shutdown().await;
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let (running, _) = emulator().await;
    let client = crate::in_process::client(&running, "wrong");
    match client.list_campaigns().await {
        Err(ApiError::Unauthorized) => {}
        other => panic!("expected 401, got {other:?}"),
    }
    running.shutdown().await;
}

/// Time of check, time of use: leads planned for a campaign that was not running are held if
/// it has started by the time they would be added (a question waited, or someone clicked
/// "start" in the dashboard), because the campaign would now call them.
#[tokio::test]
async fn leads_for_a_campaign_started_after_the_plan_are_held_not_called() {
    use campaignctl::api::types::{CreateCampaign, CreateLead};
    use campaignctl::manifest::LoadOutcome;
    use campaignctl::reconcile::pipeline;

    let (running, client) = emulator().await;
    let created = client
        .create_campaign(&CreateCampaign {
            name: "Late".into(),
            assistant_id: Some(7),
            ..CreateCampaign::default()
        })
        .await
        .expect("create");
    client
        .create_lead(&CreateLead {
            phone_number: "+14155550101".into(),
            campaign_id: created.id,
            variables: Default::default(),
            allow_dupplicate: false,
            secondary_contacts: Vec::new(),
        })
        .await
        .expect("lead");
    let yaml = b"kind: Campaign\nname: Late\nassistant_id: 7\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n    - { phone_number: \"+14155550102\" }\n";
    let (manifests, diagnostics) = parse_bytes(Path::new("m.yaml"), yaml);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let planned = pipeline::observe_and_plan_with(
        &client,
        LoadOutcome {
            manifests,
            assistants: Vec::new(),
            diagnostics,
            files: 1,
            ..Default::default()
        },
        &campaignctl::reconcile::scope::Scope::whole_account(),
        &campaignctl::reconcile::lifecycle::LifecycleOptions::default(),
    )
    .await
    .expect("plan");
    let ops = &planned.plan.operations;
    assert_eq!(ops.len(), 1, "{ops:#?}");
    assert!(
        !ops[0].effects().places_calls,
        "planned while the campaign was a draft: {ops:#?}"
    );

    // Started elsewhere between the plan and the apply.
    client
        .update_status(created.id, "start")
        .await
        .expect("start");
    let report = execute(
        &client,
        ops,
        &planned.load.manifests,
        &planned.load.assistants,
        ExecuteOptions::approving_writes(4),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await;
    match &report.results[0].outcome {
        Outcome::Held { flag, reason, .. } => {
            assert_eq!(*flag, "--allow-start");
            assert!(reason.contains("in-progress"), "{reason}");
        }
        other => panic!("expected the leads to be held, got {other:?}"),
    }
    let leads = client.list_leads(created.id).await.expect("leads");
    assert_eq!(leads.len(), 1, "no lead was added to the running campaign");
    running.shutdown().await;
}

/// Time of check, time of use for deletions: a draft planned without leads (all that absence
/// may delete) that got a lead before the delete is sent is not deleted: the lead may have been
/// called by then, and its history is not the plan's to destroy.
#[tokio::test]
async fn a_draft_that_got_a_lead_after_the_plan_is_not_pruned() {
    use campaignctl::api::types::{CreateCampaign, CreateLead};
    use campaignctl::manifest::LoadOutcome;
    use campaignctl::reconcile::lifecycle::LifecycleOptions;
    use campaignctl::reconcile::{pipeline, scope::Scope, Approvals};

    let (running, client) = emulator().await;
    let stale = client
        .create_campaign(&CreateCampaign {
            name: "prod-stale".into(),
            assistant_id: Some(7),
            ..CreateCampaign::default()
        })
        .await
        .expect("create");
    let yaml = b"kind: Campaign\nname: prod-kept\nassistant_id: 7\n";
    let (manifests, diagnostics) = parse_bytes(Path::new("m.yaml"), yaml);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let options = LifecycleOptions {
        prune_prefix: Some("prod-".into()),
        ..LifecycleOptions::default()
    };
    let planned = pipeline::observe_and_plan_with(
        &client,
        LoadOutcome {
            manifests,
            assistants: Vec::new(),
            diagnostics,
            files: 1,
            ..Default::default()
        },
        &Scope::whole_account(),
        &options,
    )
    .await
    .expect("plan");
    let ops = &planned.plan.operations;
    assert_eq!(
        ops.iter().map(|o| o.kind.label()).collect::<Vec<_>>(),
        ["create", "delete"],
        "{ops:#?}"
    );

    // A lead added elsewhere between the plan and the apply.
    client
        .create_lead(&CreateLead {
            phone_number: "+14155550101".into(),
            campaign_id: stale.id,
            variables: Default::default(),
            allow_dupplicate: false,
            secondary_contacts: Vec::new(),
        })
        .await
        .expect("lead");
    let report = execute(
        &client,
        ops,
        &planned.load.manifests,
        &planned.load.assistants,
        ExecuteOptions {
            approvals: Approvals {
                destroy_data: true,
                ..ExecuteOptions::approving_writes(4).approvals
            },
            ..ExecuteOptions::approving_writes(4)
        },
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await;
    let delete = report
        .results
        .iter()
        .find(|r| r.op == "delete")
        .expect("the delete's result");
    match &delete.outcome {
        Outcome::Failed { error, .. } => assert!(
            error.contains("held no leads when planned and holds 1 now; it was not deleted"),
            "{error}"
        ),
        other => panic!("expected the delete to be refused, got {other:?}"),
    }
    let names: Vec<String> = client
        .list_campaigns()
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(names.contains(&"prod-stale".to_owned()), "{names:?}");
    running.shutdown().await;
}

/// The assistant writes: a create with the newer body, an update carrying only the field that
/// changed (the emulator keeps the body it received), the list read back trimmed and without
/// the engine fields, and a delete.
#[tokio::test]
async fn assistants_are_created_updated_with_one_field_and_deleted() {
    use campaignctl::api::assistant::AssistantWrite;
    use campaignctl::api::types::PostCallVariable;
    let (running, client) = emulator().await;
    let body = AssistantWrite {
        name: Some("Ada".into()),
        kind: Some("outbound".into()),
        mode: Some("pipeline".into()),
        voice_id: Some(3),
        language_id: Some(1),
        llm_model_id: Some(5),
        timezone: Some("Europe/Berlin".into()),
        initial_message: Some("Hello.".into()),
        system_prompt: Some("You are Ada.\n".into()),
        post_call_schema: Some(vec![PostCallVariable {
            name: "booked".into(),
            kind: "bool".into(),
            description: None,
        }]),
        ..AssistantWrite::default()
    };
    let created = client.create_assistant(&body).await.expect("create");
    let update = AssistantWrite {
        system_prompt: Some("You are Ada, briefly.".into()),
        ..AssistantWrite::default()
    };
    client
        .update_assistant(created.id, &update)
        .await
        .expect("update");
    let stored = reqwest::get(format!("http://{}/_emulator/assistants", running.addr))
        .await
        .expect("inspect")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    let mine = stored
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["id"] == created.id)
        .cloned()
        .expect("the assistant is stored");
    assert_eq!(
        mine["request_body"],
        serde_json::json!({"system_prompt": "You are Ada, briefly."}),
        "the update must carry the changed field only: {mine}"
    );
    let listed = client.list_assistants().await.expect("list");
    let ada = listed
        .iter()
        .find(|a| a.id == created.id)
        .expect("the assistant is listed");
    assert_eq!(
        ada.listed.system_prompt.as_deref(),
        Some("You are Ada, briefly."),
        "the listed prompt: {ada:?}"
    );
    assert_eq!(ada.mode, None, "the list does not return mode: {ada:?}");
    assert_eq!(
        ada.post_call_schema.len(),
        1,
        "the schema is listed: {ada:?}"
    );
    client.delete_assistant(created.id).await.expect("delete");
    let gone = client.delete_assistant(created.id).await;
    assert!(
        matches!(gone, Err(ApiError::NotFound { .. })),
        "a second delete is a 404: {gone:?}"
    );
    running.shutdown().await;
}

/// A refused assistant write comes back as a 422 with every field it named.
#[tokio::test]
async fn a_refused_assistant_create_names_its_fields() {
    use campaignctl::api::assistant::AssistantWrite;
    let (running, client) = emulator().await;
    let body = AssistantWrite {
        name: Some("Half".into()),
        ..AssistantWrite::default()
    };
    match client.create_assistant(&body).await {
        Err(ApiError::Validation { errors, .. }) => {
            for key in ["voice_id", "mode", "system_prompt"] {
                assert!(errors.contains_key(key), "`{key}` named: {errors:?}");
            }
        }
        other => panic!("expected a 422, got {other:?}"),
    }
    running.shutdown().await;
}
