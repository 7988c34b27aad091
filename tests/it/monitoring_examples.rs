//! The monitoring examples (issue 22, item 3) held to the real tools: `promtool check rules`
//! and `promtool test rules` on examples/prometheus/, `promtool check metrics` (Prometheus's
//! own text-format parser and linter) on the `/metrics` of a watched fixture, and every query
//! of examples/grafana/campaignctl.json and of the rules naming a series `/metrics` exposes.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::campaign_metrics::watched_fixture;
use crate::support::debian::ensure_debian_tool;
use crate::watch::Daemon;

fn promtool() -> PathBuf {
    ensure_debian_tool("promtool", "prometheus")
}

fn examples(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(rel)
}

/// `promtool ARGS` in `dir` with `stdin`: its exit status and both streams.
fn run_promtool(dir: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(promtool())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write to promtool");
    let out = child.wait_with_output().expect("promtool output");
    (
        out.status.success(),
        format!(
            "promtool {}: {}\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The `/metrics` text of a watched fixture after its first pass.
fn fixture_metrics() -> String {
    let (emu, _seed, ws) = watched_fixture();
    let daemon = Daemon::start(&ws, &emu, &["campaigns"], &[]);
    daemon.wait_for_passes("success", 1.0);
    daemon.metrics()
}

/// The metric names a query or rule text names (`campaignctl_...`).
fn names_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("campaignctl_") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[at + name.len()..];
        out.insert(name);
    }
    out
}

/// The sample names `/metrics` exposes: each sample line's name.
fn exposed(metrics: &str) -> BTreeSet<String> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_example_rules_pass_promtool_check_and_their_tests() {
    let dir = examples("prometheus");
    let (ok, out) = run_promtool(&dir, &["check", "rules", "alerts.yml"], "");
    assert!(ok, "{out}");
    let (ok, out) = run_promtool(&dir, &["test", "rules", "alerts_test.yml"], "");
    assert!(ok, "{out}");
}

#[test]
fn the_metrics_of_a_watched_fixture_pass_promtool_check_metrics() {
    let metrics = fixture_metrics();
    assert!(
        metrics.contains("campaignctl_campaign_leads{"),
        "the per-campaign gauges are there:\n{metrics}"
    );
    let (_, out) = run_promtool(Path::new("."), &["check", "metrics"], &metrics);
    // promtool parses the classic text format, which OpenMetrics extends: it reads a counter
    // family `X` (HELP and TYPE under `X`) sampled as `X_total` as a family of its own without
    // help. That finding, for a counter whose HELP is there, is the one difference of the two
    // formats; every other finding (and any parse error) fails.
    let stderr = out.split("\nstderr:\n").nth(1).unwrap_or_default();
    let stderr = stderr.split("\nmetrics:").next().unwrap_or_default();
    for finding in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let counter = finding
            .strip_suffix(" no help text")
            .and_then(|name| name.strip_suffix("_total"));
        let explained = counter.is_some_and(|family| {
            metrics.contains(&format!("# HELP {family} "))
                && metrics.contains(&format!("# TYPE {family} counter\n"))
        });
        assert!(
            explained,
            "promtool check metrics found {finding:?}\n{out}\nmetrics:\n{metrics}"
        );
    }
    assert!(
        !out.contains(": exit status: 1\n"),
        "promtool could not parse /metrics:\n{out}"
    );
}

#[test]
fn every_dashboard_and_rule_query_names_a_series_metrics_exposes() {
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(examples("grafana/campaignctl.json")).expect("the dashboard"),
    )
    .expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(!panels.is_empty(), "a dashboard with panels");
    let metrics = fixture_metrics();
    let exposed = exposed(&metrics);
    for panel in panels {
        let title = panel["title"].as_str().unwrap_or("(untitled)");
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "panel {title:?} has no query");
        for target in targets {
            let expr = target["expr"].as_str().expect("a PromQL expr");
            let names = names_in(expr);
            assert!(
                !names.is_empty(),
                "panel {title:?} queries no campaignctl series: {expr}"
            );
            for name in names {
                assert!(
                    exposed.contains(&name),
                    "panel {title:?} queries {name}, which /metrics does not expose:\n{metrics}"
                );
            }
        }
    }
    let rules = std::fs::read_to_string(examples("prometheus/alerts.yml")).expect("the rules");
    for name in names_in(&rules) {
        assert!(
            exposed.contains(&name),
            "alerts.yml names {name}, which /metrics does not expose:\n{metrics}"
        );
    }
}
