//! The library's real HTTP client and apply against the in-process emulator: the error paths
//! that plan-time checks normally prevent (the account changing between plan and apply), so
//! that a 404 and a 422 from the platform are shown to map back to the manifest's lines.

mod in_process;

use std::path::Path;

use campaignctl::api::types::{Assistant, PhoneNumber};
use campaignctl::api::ApiError;
use campaignctl::manifest::parse_bytes;
use campaignctl::reconcile::{execute, plan, ExecuteOptions, Observed, Outcome};
use in_process::emulator;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn platform_404_and_422_map_back_to_manifest_lines() {
    let (running, client) = emulator().await;
    let yaml = b"kind: Campaign\nname: Ghost assistant\nassistant_id: 99\n---\nkind: Campaign\nname: Ghost number\nassistant_id: 7\nphone_number_ids: [45, 77]\n";
    let (manifests, diags) = parse_bytes(Path::new("m.yaml"), yaml);
    assert!(diags.is_empty(), "the manifest is valid offline: {diags:?}");

    // The observed state claims assistant 99 and number 77 exist (as they did when planned).
    let mut observed = Observed::fetch(&client).await.expect("observe");
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
    let client = in_process::client(&running, "wrong");
    match client.list_campaigns().await {
        Err(ApiError::Unauthorized) => {}
        other => panic!("expected 401, got {other:?}"),
    }
    running.shutdown().await;
}
