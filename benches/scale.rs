//! `cargo bench`: the pure hot paths at fleet sizes users have (1k and 10k campaigns), on the
//! synthetic fleet of `fleet/mod.rs`. Network time is measured separately by
//! `scripts/bench-apply.sh` and `scripts/bench-scale.sh`.

mod fleet;

use std::path::PathBuf;

use campaignctl::api::types::RemoteCampaign;
use campaignctl::manifest::{self, Manifest};
use campaignctl::reconcile::{plan, Plan};
use campaignctl::render;
use divan::Bencher;

const SIZES: [usize; 2] = [1_000, 10_000];
/// As in the issue: 10,000 campaigns in 100 files, so 100 per file.
const PER_FILE: usize = 100;

fn main() {
    divan::main();
}

/// Writes `n` manifests to a fresh temporary directory (kept alive by the returned guard).
fn manifest_dir(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("campaigns");
    fleet::write_manifests(&path, n, n.div_ceil(PER_FILE)).expect("write the fleet");
    (dir, path)
}

fn loaded(n: usize) -> Vec<Manifest> {
    let (_dir, path) = manifest_dir(n);
    let outcome = manifest::load(&[path]);
    assert!(!outcome.has_errors(), "the fleet must be valid");
    outcome.manifests
}

/// Reading, parsing and validating every file: what `campaignctl validate` does.
#[divan::bench(args = SIZES, sample_count = 10)]
fn load_and_validate(bencher: Bencher, n: usize) {
    let (_dir, path) = manifest_dir(n);
    let paths = [path];
    bencher.bench(|| manifest::load(divan::black_box(&paths)));
}

/// `n` manifests against `n` remote campaigns (one in ten drifted): the steady state.
#[divan::bench(args = SIZES, sample_count = 10)]
fn plan_against_existing(bencher: Bencher, n: usize) {
    let manifests = loaded(n);
    let observed = fleet::observed(n);
    bencher.bench(|| plan(divan::black_box(&manifests), divan::black_box(&observed)));
}

/// `n` manifests against an empty account: every campaign is a create with reference checks.
#[divan::bench(args = SIZES, sample_count = 10)]
fn plan_all_creates(bencher: Bencher, n: usize) {
    let manifests = loaded(n);
    let observed = fleet::observed(0);
    bencher.bench(|| plan(divan::black_box(&manifests), divan::black_box(&observed)));
}

fn steady_plan(n: usize) -> Plan {
    plan(&loaded(n), &fleet::observed(n))
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn render_plan_text(bencher: Bencher, n: usize) {
    let p = steady_plan(n);
    bencher.bench(|| render::plan_text(divan::black_box(&p)));
}

/// The text of a plan creating `n` campaigns (every field of each shown): what a first `plan`
/// of a fleet writes.
#[divan::bench(args = SIZES, sample_count = 10)]
fn render_creates_text(bencher: Bencher, n: usize) {
    let p = plan(&loaded(n), &fleet::observed(0));
    bencher.bench(|| render::plan_text(divan::black_box(&p)));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn render_plan_json(bencher: Bencher, n: usize) {
    let p = steady_plan(n);
    bencher.bench(|| render::plan_json(divan::black_box(&p), &[], &Default::default()).to_string());
}

/// Decoding the campaign list as the platform sends it (every plan and `watch` pass reads it):
/// `n` campaigns with their observable fields, timestamps and a key campaignctl does not read.
#[divan::bench(args = SIZES, sample_count = 10)]
fn decode_campaign_list(bencher: Bencher, n: usize) {
    let listed: Vec<serde_json::Value> = fleet::observed(n)
        .campaigns
        .iter()
        .map(|c| {
            let mut v = serde_json::to_value(c).expect("a campaign serialises");
            v["user_id"] = 1.into();
            v["created_at"] = "2026-12-04T17:44:40.764592Z".into();
            v["updated_at"] = "2026-12-04T17:44:40.764595Z".into();
            v
        })
        .collect();
    let body = serde_json::to_vec(&listed).expect("the list serialises");
    bencher.bench(|| {
        serde_json::from_slice::<Vec<RemoteCampaign>>(divan::black_box(&body)).expect("decodes")
    });
}
