//! Property (issue 18, "Done when"): for random manifest sets with random truncations, empty
//! files and warnings, against random platform states (any status, with and without leads),
//! no campaign that has run is ever among the plan's deletions unless a loaded manifest says
//! `status: deleted` for it; and while loading reported any problem, nothing is deleted at
//! all. Driven through the product's own pipeline (`pipeline::load`, then `plan_observed`,
//! which reads the leads it needs) against the in-process emulator seeded with that state.

use std::path::Path;
use std::sync::Arc;

use campaignctl::manifest::Root;
use campaignctl::reconcile::lifecycle::LifecycleOptions;
use campaignctl::reconcile::operation::Target;
use campaignctl::reconcile::{pipeline, OperationKind};
use proptest::prelude::*;
use proptest::sample::select;

const STATUSES: [&str; 6] = [
    "draft",
    "draft",
    "in-progress",
    "stopped",
    "completed",
    "archived",
];

/// How one remote campaign appears in the manifests.
#[derive(Debug, Clone, Copy)]
enum Declared {
    /// In no manifest.
    No,
    /// In file `file`; `drifted` sets a value the platform does not have (a draft is then
    /// replaced); `tombstone` says `status: deleted`; `quiet` sets calling hours (otherwise the
    /// lint warns).
    In {
        file: usize,
        drifted: bool,
        tombstone: bool,
        quiet: bool,
    },
}

/// What happened to a manifest file after it was written.
#[derive(Debug, Clone, Copy)]
enum Damage {
    None,
    Empty,
    OnlyComments,
    DocumentMarker,
    Null,
    /// Cut off after this many documents (valid YAML: nothing can tell).
    CutAfterDocuments(usize),
    /// Cut off at this fraction (per mille) of its bytes, anywhere.
    CutAtByte(u16),
}

#[derive(Debug, Clone)]
struct World {
    /// Each remote campaign: its status, how many leads it holds, how it is declared.
    remote: Vec<(&'static str, u8, Declared)>,
    /// New campaigns declared in each file.
    new: Vec<usize>,
    damage: [Damage; FILES],
    /// A directory of the tree without manifests.
    empty_directory: bool,
    prune: bool,
}

const FILES: usize = 3;

fn declared() -> impl Strategy<Value = Declared> {
    prop_oneof![
        2 => Just(Declared::No),
        3 => (0..FILES, any::<bool>(), prop::bool::weighted(0.2), any::<bool>()).prop_map(
            |(file, drifted, tombstone, quiet)| Declared::In {
                file,
                drifted,
                tombstone,
                quiet
            }
        ),
    ]
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        6 => Just(Damage::None),
        1 => Just(Damage::Empty),
        1 => Just(Damage::OnlyComments),
        1 => Just(Damage::DocumentMarker),
        1 => Just(Damage::Null),
        2 => (0usize..4).prop_map(Damage::CutAfterDocuments),
        2 => (0u16..1000).prop_map(Damage::CutAtByte),
    ]
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec((select(&STATUSES[..]), 0u8..3, declared()), 0..9),
        prop::collection::vec(0..FILES, 0..3),
        [damage(), damage(), damage()],
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(remote, new, damage, empty_directory, prune)| World {
            remote,
            new,
            damage,
            empty_directory,
            prune,
        })
}

/// Campaign `i`'s name: most under the prune prefix, some outside it.
fn name(i: usize) -> String {
    if i % 4 == 3 {
        format!("other-{i}")
    } else {
        format!("prod-{i}")
    }
}

fn document(name: &str, drifted: bool, tombstone: bool, quiet: bool) -> String {
    let mut doc = format!("kind: Campaign\nname: {name}\nassistant_id: 7\n");
    if quiet {
        doc.push_str("timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n");
    }
    if drifted {
        doc.push_str("max_retries: 5\n");
    }
    if tombstone {
        doc.push_str("status: deleted\n");
    }
    doc
}

fn damaged(documents: &[String], damage: Damage) -> String {
    let whole = documents.join("---\n");
    match damage {
        Damage::None => whole,
        Damage::Empty => String::new(),
        Damage::OnlyComments => "# moved elsewhere\n# see the archive\n".to_owned(),
        Damage::DocumentMarker => "---\n".to_owned(),
        Damage::Null => "~\n".to_owned(),
        Damage::CutAfterDocuments(n) => {
            let kept: Vec<&String> = documents.iter().take(n).collect();
            kept.iter().map(|d| format!("{d}---\n")).collect()
        }
        Damage::CutAtByte(per_mille) => {
            let at = whole.len() * usize::from(per_mille) / 1000;
            whole[..at].to_owned()
        }
    }
}

/// The demo account with the world's campaigns (ids from 1) and their leads.
fn seed(world: &World) -> String {
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/emulator/src/demo_seed.yaml"),
    )
    .expect("the demo seed");
    let mut campaigns = String::new();
    let mut leads = String::new();
    let mut lead_id = 1;
    for (i, (status, count, _)) in world.remote.iter().enumerate() {
        let id = i + 1;
        campaigns.push_str(&format!(
            "  - {{ id: {id}, name: \"{}\", status: {status}, assistant_id: 7, allowed_hours_start_time: \"09:00\", allowed_hours_end_time: \"17:00\" }}\n",
            name(i)
        ));
        for n in 0..*count {
            leads.push_str(&format!(
                "  - {{ id: {lead_id}, campaign_id: {id}, phone_number: \"+1415555{id:02}{n:02}\" }}\n"
            ));
            lead_id += 1;
        }
    }
    demo.replace(
        "campaigns: []\nleads: []\n",
        &format!("campaigns:\n{campaigns}leads:\n{leads}"),
    )
}

async fn nothing_with_history_is_deleted_by_absence(world: World) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed_file = dir.path().join("seed.yaml");
    std::fs::write(&seed_file, seed(&world)).expect("write the seed");
    let running = campaignctl_emulator::start(campaignctl_emulator::EmulatorConfig {
        token: crate::in_process::TOKEN.into(),
        seed: Some(seed_file),
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let client = crate::in_process::client(&running, crate::in_process::TOKEN);

    let root = dir.path().join("c");
    std::fs::create_dir_all(&root).expect("mkdir");
    let mut files: Vec<Vec<String>> = vec![Vec::new(); FILES];
    for (i, (_, _, declared)) in world.remote.iter().enumerate() {
        if let Declared::In {
            file,
            drifted,
            tombstone,
            quiet,
        } = *declared
        {
            files[file].push(document(&name(i), drifted, tombstone, quiet));
        }
    }
    for (j, file) in world.new.iter().enumerate() {
        files[*file].push(document(&format!("prod-new-{j}"), false, false, true));
    }
    for (f, documents) in files.iter().enumerate() {
        std::fs::write(
            root.join(format!("f{f}.yaml")),
            damaged(documents, world.damage[f]),
        )
        .expect("write a manifest");
    }
    if world.empty_directory {
        std::fs::create_dir_all(root.join("empty")).expect("mkdir");
    }

    // What every command does: load, and plan only a set without errors (one invalid
    // manifest stops the whole apply before any write).
    let roots = [Root {
        path: root.clone(),
        defaults: None,
        within: Some(root.clone()),
        others: Arc::from(Vec::new()),
    }];
    let load = pipeline::load(&roots, &Default::default());
    if load.has_errors() {
        running.shutdown().await;
        return Ok(());
    }
    let load_problems = load.diagnostics.len();
    let observed = campaignctl::reconcile::observe(&client)
        .await
        .map_err(|e| TestCaseError::fail(format!("list: {e}")))?;
    let options = LifecycleOptions {
        prune_prefix: world.prune.then(|| "prod-".to_owned()),
        max_deletes: 1000,
        ..LifecycleOptions::default()
    };
    let scope = pipeline::scope_of(std::slice::from_ref(&root), None);
    let planned = pipeline::plan_observed(&client, load, observed, &scope, &options)
        .await
        .map_err(|e| TestCaseError::fail(format!("plan: {e}")))?;
    running.shutdown().await;

    let deletes: Vec<u64> = planned
        .plan
        .operations
        .iter()
        .filter(|op| matches!(op.kind, OperationKind::DeleteCampaign { .. }))
        .filter_map(|op| match op.target {
            Target::Existing { id } => Some(id),
            Target::Created { .. } => None,
        })
        .collect();
    if load_problems > 0 {
        prop_assert!(
            deletes.is_empty(),
            "a loading problem must hold every deletion, yet ids {deletes:?} are deleted"
        );
    }
    for id in deletes {
        let i = usize::try_from(id - 1).expect("small id");
        let (status, leads, _) = world.remote[i];
        let has_run = status != "draft" || leads > 0;
        let tombstone = planned
            .load
            .manifests
            .iter()
            .any(|m| m.spec.name == name(i) && m.spec.is_deleted());
        prop_assert!(
            !has_run || tombstone,
            "{:?} (status {status}, {leads} lead(s)) is deleted, and no manifest says status: deleted for it",
            name(i)
        );
    }
    Ok(())
}

proptest! {
    // Each case starts an emulator and makes real HTTP requests on loopback.
    #![proptest_config(ProptestConfig::with_cases(crate::arbitrary::cases(128)))]

    #[test]
    fn no_campaign_that_has_run_is_deleted_unless_a_manifest_says_status_deleted(world in world()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(nothing_with_history_is_deleted_by_absence(world))?;
    }
}
