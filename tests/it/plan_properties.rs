//! Property: for generated manifests (with leads, and `status:` running, stopped, draft or
//! deleted among them, and `--prune-prefix` sometimes) and a generated account (campaigns under
//! managed names with values of their own, unmanaged ones, in draft, running or stopped, with
//! leads declared or not), planning through the pipeline the product runs (`pipeline::
//! plan_observed`: names, leads, status, prune and deletion rules included), executing that plan
//! with every approval against the emulator (a real HTTP server on loopback), and planning
//! again leaves nothing to do: no operation, and the same drift. And no operation of the first
//! plan destroys data unless a manifest says `status: deleted`, prune was asked for, or it
//! replaces a draft whose fields differ.

use std::collections::BTreeMap;
use std::path::Path;

use campaignctl::api::types::CreateLead;
use campaignctl::api::Client;
use campaignctl::manifest::{parse_bytes, CampaignSpec, LoadOutcome};
use campaignctl::reconcile::lifecycle::LifecycleOptions;
use campaignctl::reconcile::operation::{Approvals, Target};
use campaignctl::reconcile::pipeline::{self, Planned};
use campaignctl::reconcile::scope::Scope;
use campaignctl::reconcile::{Disposition, ExecuteOptions, FieldChange, Plan};
use proptest::prelude::*;
use proptest::sample::select;
use tokio_util::sync::CancellationToken;

/// The prune prefix, when a world asks for pruning: every unmanaged campaign is under it.
const PRUNE_PREFIX: &str = "Unmanaged ";

/// A lead: which of its campaign's numbers, and a variable value if it sets one.
type LeadSeed = (u8, Option<&'static str>);

#[derive(Debug, Clone)]
struct Desired {
    spec: CampaignSpec,
    /// `status:` as written (`None`: not written).
    status: Option<&'static str>,
    leads: Vec<LeadSeed>,
}

#[derive(Debug, Clone)]
struct Existing {
    spec: CampaignSpec,
    /// `draft`, `in-progress` or `stopped` (the last two need a lead to start).
    status: &'static str,
    leads: Vec<LeadSeed>,
}

#[derive(Debug, Clone)]
struct World {
    desired: Vec<Desired>,
    existing: Vec<Existing>,
    prune: bool,
}

fn leads() -> impl Strategy<Value = Vec<LeadSeed>> {
    proptest::collection::btree_map(
        0u8..4,
        proptest::option::of(select(vec!["Ada", "Bob"])),
        0..3,
    )
    .prop_map(|m| m.into_iter().collect())
}

fn desired(i: usize) -> impl Strategy<Value = Desired> {
    (
        crate::arbitrary::campaign(format!("Desired {i}")),
        proptest::option::of(select(vec!["running", "stopped", "draft", "deleted"])),
        leads(),
    )
        .prop_map(|(spec, status, mut leads)| {
            // The platform refuses to start a campaign without leads.
            if status == Some("running") && leads.is_empty() {
                leads.push((0, None));
            }
            Desired {
                spec,
                status,
                leads,
            }
        })
}

fn existing(name: String) -> impl Strategy<Value = Existing> {
    (
        crate::arbitrary::campaign(name),
        select(vec!["draft", "draft", "in-progress", "stopped"]),
        leads(),
    )
        .prop_map(|(spec, status, mut leads)| {
            if status != "draft" && leads.is_empty() {
                leads.push((1, Some("Ada")));
            }
            Existing {
                spec,
                status,
                leads,
            }
        })
}

fn world() -> impl Strategy<Value = World> {
    (0usize..6)
        .prop_flat_map(|n| {
            let desired: Vec<_> = (0..n).map(desired).collect();
            // Each managed name may already exist (with values of its own), plus up to three
            // unmanaged campaigns.
            let managed: Vec<_> = (0..n)
                .map(|i| proptest::option::of(existing(format!("Desired {i}"))))
                .collect();
            let unmanaged = (0usize..4).prop_flat_map(|m| {
                (0..m)
                    .map(|j| existing(format!("{PRUNE_PREFIX}{j}")))
                    .collect::<Vec<_>>()
            });
            (desired, managed, unmanaged, any::<bool>())
        })
        .prop_map(|(desired, managed, unmanaged, prune)| World {
            // Pruning with no manifest loaded is refused (an empty checkout must not wipe the
            // account): a plan error, not a plan to converge.
            prune: prune && !desired.is_empty(),
            desired,
            existing: managed.into_iter().flatten().chain(unmanaged).collect(),
        })
}

/// A campaign's own phone numbers, so no number is in two campaigns.
fn number(campaign: &str, n: u8) -> String {
    let index: u32 = campaign
        .rsplit(' ')
        .next()
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    let index = if campaign.starts_with(PRUNE_PREFIX) {
        50 + index
    } else {
        index
    };
    format!("+1415555{index:02}{n:02}")
}

/// The manifests of the world, as one multi-document file (so they carry real locations).
fn load(desired: &[Desired]) -> LoadOutcome {
    let yaml: Vec<String> = desired
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut doc = crate::arbitrary::manifest_yaml(&d.spec, i % 2 == 0, i % 3 == 0);
            if let Some(status) = d.status {
                doc.push_str(&format!("status: {status}\n"));
            }
            if !d.leads.is_empty() {
                doc.push_str("leads:\n  items:\n");
                for (n, first_name) in &d.leads {
                    let variables = first_name
                        .map(|v| format!(", variables: {{ first_name: {v} }}"))
                        .unwrap_or_default();
                    doc.push_str(&format!(
                        "    - {{ phone_number: \"{}\"{variables} }}\n",
                        number(&d.spec.name, *n)
                    ));
                }
            }
            doc
        })
        .collect();
    let (manifests, diagnostics) =
        parse_bytes(Path::new("world.yaml"), yaml.join("---\n").as_bytes());
    // An empty world has no documents, which is a warning; an error is a generator bug.
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(
        errors.is_empty(),
        "generated manifests must be valid: {errors:#?}"
    );
    LoadOutcome {
        files: 1,
        manifests,
        assistants: Vec::new(),
        diagnostics,
        ..Default::default()
    }
}

async fn seed(client: &Client, existing: &[Existing]) -> Result<(), TestCaseError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| TestCaseError::fail(format!("{what}: {e}"));
    for e in existing {
        let created = client
            .create_campaign(&e.spec.create_request())
            .await
            .map_err(|err| fail(&format!("seeding {:?}", e.spec.name), &err))?;
        for (n, first_name) in &e.leads {
            let variables = first_name
                .map(|v| [("first_name".to_owned(), serde_json::json!(v))].into())
                .unwrap_or_default();
            client
                .create_lead(&CreateLead {
                    phone_number: number(&e.spec.name, *n),
                    campaign_id: created.id,
                    variables,
                    allow_dupplicate: false,
                    secondary_contacts: Vec::new(),
                })
                .await
                .map_err(|err| fail("seeding a lead", &err))?;
        }
        if e.status != "draft" {
            client
                .update_status(created.id, "start")
                .await
                .map_err(|err| fail("starting", &err))?;
        }
        if e.status == "stopped" {
            client
                .update_status(created.id, "stop")
                .await
                .map_err(|err| fail("stopping", &err))?;
        }
    }
    Ok(())
}

/// Drift per campaign name.
fn drift(p: &Plan) -> BTreeMap<String, Vec<FieldChange>> {
    p.actions
        .iter()
        .filter_map(|a| match &a.kind {
            Disposition::Drift { changes, .. } => Some((a.name.clone(), changes.clone())),
            _ => None,
        })
        .collect()
}

async fn plan(
    client: &Client,
    world: &World,
    options: &LifecycleOptions,
) -> Result<Planned, TestCaseError> {
    let observed = campaignctl::reconcile::observe(client)
        .await
        .map_err(|e| TestCaseError::fail(format!("list: {e}")))?;
    pipeline::plan_observed(
        client,
        load(&world.desired),
        observed,
        &Scope::whole_account(),
        options,
    )
    .await
    .map_err(|e| TestCaseError::fail(format!("plan: {e}")))
}

/// Every operation of `planned` that destroys data is asked for: its campaign's manifest says
/// `status: deleted`, or it is pruned (prune asked for, no manifest declares it, under the
/// prefix), or it is a draft's delete that a create of its replacement waits for.
fn destruction_is_asked_for(planned: &Planned, prune: bool) -> Result<(), TestCaseError> {
    let ops = &planned.plan.operations;
    for op in ops.iter().filter(|op| op.effects().destroys_data) {
        let Target::Existing { id } = op.target else {
            return Err(TestCaseError::fail(format!(
                "a delete of no campaign: {op:?}"
            )));
        };
        let remote = planned
            .observed
            .campaigns
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| TestCaseError::fail(format!("a delete of unknown id {id}")))?;
        let declared = planned
            .load
            .manifests
            .iter()
            .find(|m| m.spec.name == remote.name);
        let tombstone = declared.is_some_and(|m| m.spec.is_deleted());
        let pruned = prune && declared.is_none() && remote.name.starts_with(PRUNE_PREFIX);
        let replaced = remote.status.label() == "draft"
            && ops
                .iter()
                .any(|c| c.is_replacing_create() && c.depends_on.contains(&op.id));
        prop_assert!(
            tombstone || pruned || replaced,
            "{:?} (id {id}, {}) is deleted, and neither a manifest, prune nor a replace asks for it",
            remote.name,
            remote.status.label()
        );
    }
    Ok(())
}

async fn apply_then_replan(world: World) -> Result<(), TestCaseError> {
    let (running, client) = crate::in_process::emulator().await;
    seed(&client, &world.existing).await?;
    let options = LifecycleOptions {
        prune_prefix: world.prune.then(|| PRUNE_PREFIX.to_owned()),
        max_deletes: 1000,
        ..LifecycleOptions::default()
    };

    let first = plan(&client, &world, &options).await?;
    prop_assert!(
        !first.plan.has_errors(),
        "plan errors: {:?}",
        first.plan.diagnostics
    );
    destruction_is_asked_for(&first, world.prune)?;
    let everything = ExecuteOptions {
        parallelism: 4,
        approvals: Approvals {
            writes: true,
            place_calls: true,
            destroy_data: true,
        },
    };
    let report = pipeline::execute(
        &client,
        &first.plan,
        &first.load.manifests,
        &first.load.assistants,
        everything,
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await;
    prop_assert!(report.all_succeeded(), "apply failed: {report:#?}");

    let second = plan(&client, &world, &options).await?;
    running.shutdown().await;
    prop_assert!(
        !second.plan.has_errors(),
        "re-plan errors: {:?}",
        second.plan.diagnostics
    );
    prop_assert!(
        second.plan.operations.is_empty(),
        "a re-plan right after an apply with every approval must have nothing to do: {:#?}",
        second.plan.operations
    );
    // The API has no update endpoint, so drift present before the apply stays; the apply must
    // add none (a created campaign reads back exactly as its manifest says).
    prop_assert_eq!(
        drift(&second.plan),
        drift(&first.plan),
        "drift changed across the apply"
    );
    Ok(())
}

proptest! {
    // Each case starts an emulator and makes real HTTP requests on loopback: few cases.
    #![proptest_config(ProptestConfig::with_cases(crate::arbitrary::cases(48)))]

    #[test]
    fn applying_the_pipelines_plan_then_planning_again_leaves_nothing_to_do(world in world()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(apply_then_replan(world))?;
    }
}
