//! Property: for generated manifests and a generated account, applying the plan and planning
//! again leaves nothing to create and no new drift. Driven through the real client against the
//! in-process emulator, so the observed state is what the platform would return (times with
//! seconds, days in its own order, write-once fields left out of the list).

use std::collections::BTreeMap;
use std::path::Path;

use campaignctl::manifest::{parse_bytes, CampaignSpec, Manifest};
use campaignctl::reconcile::{execute, plan, ActionKind, ExecuteOptions, FieldChange, Plan};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;

/// A generated world: manifests, and campaigns already on the platform (some under managed
/// names, with values of their own, and some unmanaged).
#[derive(Debug, Clone)]
struct World {
    desired: Vec<CampaignSpec>,
    existing: Vec<CampaignSpec>,
}

fn world() -> impl Strategy<Value = World> {
    let desired = (0usize..8).prop_flat_map(|n| {
        (0..n)
            .map(|i| crate::arbitrary::campaign(format!("Desired {i}")))
            .collect::<Vec<_>>()
    });
    desired
        .prop_flat_map(|desired| {
            let n = desired.len();
            // Each managed name may already exist remotely (with its own values), plus up to
            // three unmanaged campaigns.
            let managed = (0..n)
                .map(|i| proptest::option::of(crate::arbitrary::campaign(format!("Desired {i}"))))
                .collect::<Vec<_>>();
            let unmanaged = (0usize..4).prop_flat_map(|m| {
                (0..m)
                    .map(|j| crate::arbitrary::campaign(format!("Unmanaged {j}")))
                    .collect::<Vec<_>>()
            });
            (Just(desired), managed, unmanaged)
        })
        .prop_map(|(desired, managed, unmanaged)| World {
            desired,
            existing: managed.into_iter().flatten().chain(unmanaged).collect(),
        })
}

/// The manifests of `specs`, as one multi-document file (so they carry real locations).
fn manifests(specs: &[CampaignSpec]) -> Vec<Manifest> {
    let yaml: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| crate::arbitrary::manifest_yaml(s, i % 2 == 0, i % 3 == 0))
        .collect();
    let (manifests, diagnostics) =
        parse_bytes(Path::new("world.yaml"), yaml.join("---\n").as_bytes());
    // An empty world has no documents, which is a warning; anything else means a generator bug.
    let shown: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error() || !specs.is_empty())
        .map(ToString::to_string)
        .collect();
    assert!(
        shown.is_empty(),
        "generated manifests must be valid: {shown:#?}"
    );
    manifests
}

/// Drift per campaign name.
fn drift(p: &Plan) -> BTreeMap<String, Vec<FieldChange>> {
    p.actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::Drift { changes, .. } => Some((a.name.clone(), changes.clone())),
            _ => None,
        })
        .collect()
}

async fn apply_then_replan(world: World) -> Result<(), TestCaseError> {
    let (running, client) = crate::in_process::emulator().await;
    for spec in &world.existing {
        client
            .create_campaign(&spec.create_request())
            .await
            .map_err(|e| TestCaseError::fail(format!("seeding {:?}: {e}", spec.name)))?;
    }

    let desired = manifests(&world.desired);
    let observe = || async {
        campaignctl::reconcile::observe(&client)
            .await
            .map_err(|e| TestCaseError::fail(format!("list: {e}")))
    };
    let first = plan(&desired, &observe().await?);
    prop_assert!(!first.has_errors(), "plan errors: {:?}", first.diagnostics);
    let report = execute(
        &client,
        &first.operations,
        &desired,
        // Drafts that drifted are replaced (delete, then create): approve that too.
        ExecuteOptions {
            approvals: campaignctl::reconcile::Approvals {
                destroy_data: true,
                ..ExecuteOptions::approving_writes(4).approvals
            },
            ..ExecuteOptions::approving_writes(4)
        },
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await;
    prop_assert!(report.all_succeeded(), "apply failed: {report:?}");

    let second = plan(&desired, &observe().await?);
    prop_assert!(
        !second.has_errors(),
        "re-plan errors: {:?}",
        second.diagnostics
    );
    prop_assert_eq!(
        second.summary().create + second.summary().replace,
        0,
        "a re-plan after apply must create and replace nothing: {:?}",
        second.actions
    );
    // The API has no update endpoint, so drift present before the apply stays; the apply must
    // add none (a created campaign must read back exactly as its manifest says).
    prop_assert_eq!(
        drift(&second),
        drift(&first),
        "drift changed across the apply"
    );
    prop_assert_eq!(
        second.summary().unchanged,
        first.summary().unchanged + first.summary().create + first.summary().replace,
        "every created or replaced campaign must now be unchanged"
    );
    running.shutdown().await;
    Ok(())
}

proptest! {
    // Each case starts an emulator and makes real HTTP requests: fewer cases than the fuzzers.
    #![proptest_config(ProptestConfig::with_cases(crate::arbitrary::cases(256)))]

    #[test]
    fn applying_the_plan_then_planning_again_creates_nothing_and_adds_no_drift(world in world()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(apply_then_replan(world))?;
    }
}
