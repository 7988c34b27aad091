//! Every rendering people and CI read, pinned as insta snapshots of the real binary's output
//! for one representative account: the text plan, Markdown, GitHub annotations, the JSON plan,
//! the apply results (text and JSON), the terminal questions, the JSON error documents (a
//! manifest error, a refused token) and the `watch` log (text and JSON lines).
//! Each snapshot keeps stdout and stderr apart (a line on the wrong stream is a diff too).
//! Volatile parts (ports, temporary paths, commit ids, times) are replaced by insta filters.
//! A change shows up as a reviewable diff (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test --test it pinned_outputs`); with `CI=true` a mismatch fails.
//!
//! The account holds, planned against the manifests under `campaigns/` with `--prune-prefix
//! prod-`: a create with a lead and a start (the start needs its own approval), drift on a
//! campaign that has run, a drifted draft that is replaced, a tombstone that deletes, an
//! undeclared draft that is pruned, an undeclared campaign with history that the prune keeps,
//! an unmanaged campaign, leads to add and to update, an unchanged campaign, a calling-hours
//! warning, and the write-once baseline line (the manifests are committed: compared with HEAD).
//! Without `--allow-delete` and `--allow-start`, apply holds the deletes and the start.

use std::time::{Duration, Instant};

use crate::support::{campaignctl, commit_all, git, seeded, Emulator, Run, Workspace};

const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// The representative account: a seeded emulator and a committed git workspace.
struct Fixture {
    emu: Emulator,
    _seed: tempfile::TempDir,
    ws: Workspace,
}

fn fixture() -> Fixture {
    let (emu, seed) = seeded(&[
        (21, "prod-drifted", "in-progress", &["+14155550121"]),
        (22, "prod-replace", "draft", &[]),
        (23, "prod-retired", "stopped", &["+14155550123"]),
        (24, "prod-leads", "stopped", &["+14155550124"]),
        (25, "prod-in-sync", "draft", &[]),
        (26, "prod-history", "completed", &["+14155550126"]),
        (27, "prod-stale", "draft", &[]),
        (28, "Legacy Outreach", "completed", &[]),
    ]);
    let ws = Workspace::new();
    // Outside the calling hours the lint accepts: the one diagnostic of the plan.
    ws.write(
        "campaigns/new.yaml",
        "kind: Campaign\nname: prod-new\nassistant_id: 7\ntimezone: America/New_York\n\
         allowed_hours_start_time: \"07:30\"\nallowed_hours_end_time: \"17:00\"\nstatus: running\n\
         leads:\n  items:\n    - { phone_number: \"+14155550101\", variables: { first_name: Ada } }\n",
    );
    ws.write(
        "campaigns/drifted.yaml",
        format!(
            "kind: Campaign\nname: prod-drifted\nassistant_id: 7\n{}",
            QUIET.replace("17:00", "18:00")
        ),
    );
    ws.write(
        "campaigns/replace.yaml",
        format!(
            "kind: Campaign\nname: prod-replace\nassistant_id: 7\n{}",
            QUIET.replace("17:00", "19:00")
        ),
    );
    ws.write(
        "campaigns/retired.yaml",
        "kind: Campaign\nname: prod-retired\nstatus: deleted\n",
    );
    ws.write(
        "campaigns/leads.yaml",
        format!(
            "kind: Campaign\nname: prod-leads\nassistant_id: 7\n{QUIET}leads:\n  items:\n\
             \x20   - {{ phone_number: \"+14155550124\", variables: {{ first_name: Bo }} }}\n\
             \x20   - {{ phone_number: \"+14155550125\" }}\n"
        ),
    );
    ws.write(
        "campaigns/in-sync.yaml",
        format!("kind: Campaign\nname: prod-in-sync\nassistant_id: 7\n{QUIET}"),
    );
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "manifests");
    Fixture {
        emu,
        _seed: seed,
        ws,
    }
}

impl Fixture {
    fn run(&self, args: &[&str]) -> Run {
        campaignctl(self.ws.path(), Some(&self.emu))
            .args(args)
            .args(["--prune-prefix", "prod-"])
            // The Markdown plan's calendar shows this week in the local zone: both fixed.
            .env("CAMPAIGNCTL_NOW", "2026-12-02T12:00:00Z")
            .env("TZ", "UTC")
            .run()
    }

    /// `apply` on a terminal, answering its questions in turn.
    fn on_terminal(&self, answers: &[&str]) -> Run {
        campaignctl(self.ws.path(), Some(&self.emu))
            .args(["apply", "--parallelism", "1", "--prune-prefix", "prod-"])
            .run_on_terminal(answers)
    }
}

/// One run as a snapshot: the exit code, then each stream under its own heading.
fn streams(run: &Run) -> String {
    format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        run.code, run.stdout, run.stderr
    )
}

/// insta settings that replace what changes from run to run with a stable placeholder.
fn redacted(fixture: &Fixture) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex_escape(&fixture.emu.url), "[API]");
    settings.add_filter(&regex_escape(&fixture.ws.path().to_string_lossy()), "[WS]");
    // Commit ids (git's clock is in them), full or abbreviated; only after "commit ", so that
    // no phone number or id is taken for one.
    settings.add_filter(r"\bcommit [0-9a-f]{7,40}\b", "commit [COMMIT]");
    // Timestamps and durations of logs and summaries.
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?",
        "[TIME]",
    );
    settings.add_filter(r"\b\d+(\.\d+)?(ms|µs|s)\b", "[DURATION]");
    // The pass line's duration, in the text and in the JSON log.
    settings.add_filter(r"duration_ms=\d+", "duration_ms=[DURATION]");
    settings.add_filter(r#""duration_ms":\d+"#, r#""duration_ms":"[DURATION]""#);
    settings
}

fn regex_escape(literal: &str) -> String {
    literal
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[test]
fn text_plan() {
    let f = fixture();
    let run = f.run(&["plan"]);
    run.assert_code(0);
    redacted(&f).bind(|| insta::assert_snapshot!(streams(&run)));
}

#[test]
fn markdown_plan() {
    let f = fixture();
    let run = f.run(&["plan", "--format", "markdown"]);
    run.assert_code(0);
    redacted(&f).bind(|| insta::assert_snapshot!(streams(&run)));
}

#[test]
fn github_plan() {
    let f = fixture();
    let run = f.run(&["plan", "--format", "github"]);
    run.assert_code(0);
    redacted(&f).bind(|| insta::assert_snapshot!(streams(&run)));
}

#[test]
fn json_plan() {
    let f = fixture();
    let run = f.run(&["plan", "--format", "json"]);
    run.assert_code(0);
    // stdout is one JSON document and nothing else (the diagnostic goes to stderr); it is
    // pinned as printed, in its own key order.
    run.json();
    redacted(&f).bind(|| {
        insta::assert_snapshot!("json_plan_stdout", run.stdout);
        insta::assert_snapshot!("json_plan_stderr", run.stderr);
    });
}

/// The JSON plan's counts are what its `operations` will do: the summary's creates, replaces
/// and deletes, the top-level lead and status changes, and each campaign's leads to add and to
/// update, all counted again here from the operations array alone.
#[test]
fn json_plan_counts_agree_with_its_operations() {
    let f = fixture();
    let run = f.run(&["plan", "--format", "json"]);
    run.assert_code(0);
    let doc = run.json();
    let ops = doc["operations"]
        .as_array()
        .unwrap_or_else(|| panic!("the plan has an operations array: {doc:#}"));
    fn of<'a>(
        ops: &'a [serde_json::Value],
        kind: &'static str,
    ) -> impl Iterator<Item = &'a serde_json::Value> {
        ops.iter().filter(move |op| op["op"] == kind)
    }
    let of = |kind: &'static str| of(ops, kind);
    let waits =
        |op: &&serde_json::Value| op["depends_on"].as_array().is_some_and(|d| !d.is_empty());
    // A delete that a create waits for is the first half of a replacement.
    let replaced: Vec<&serde_json::Value> = of("create")
        .filter(waits)
        .flat_map(|op| op["depends_on"].as_array().into_iter().flatten())
        .collect();
    let leads = |kind: &'static str, campaign: Option<&str>| -> u64 {
        of(kind)
            .filter(|op| campaign.is_none_or(|c| op["campaign"] == c))
            .map(|op| op["leads"].as_u64().unwrap_or(0))
            .sum()
    };
    let summary = &doc["summary"];
    let counted = [
        ("create", of("create").filter(|op| !waits(op)).count()),
        ("replace", of("create").filter(waits).count()),
        (
            "delete",
            of("delete")
                .filter(|op| !replaced.contains(&&op["id"]))
                .count(),
        ),
    ];
    for (key, n) in counted {
        assert_eq!(
            summary[key].as_u64(),
            Some(n as u64),
            "summary.{key} counts the operations: {doc:#}"
        );
    }
    let changes = &doc["changes"];
    assert_eq!(
        changes["leads_to_add"].as_u64(),
        Some(leads("add_leads", None)),
        "{doc:#}"
    );
    assert_eq!(
        changes["leads_to_update"].as_u64(),
        Some(leads("update_leads", None)),
        "{doc:#}"
    );
    assert_eq!(
        changes["start"].as_u64(),
        Some(of("start").count() as u64),
        "{doc:#}"
    );
    assert_eq!(
        changes["stop"].as_u64(),
        Some(of("stop").count() as u64),
        "{doc:#}"
    );
    // The fixture has something of each: a check over zeros would prove nothing.
    assert!(
        counted.iter().all(|(_, n)| *n > 0) && leads("update_leads", None) > 0,
        "the fixture plans creates, replaces, deletes and lead updates: {doc:#}"
    );
    for action in doc["actions"].as_array().into_iter().flatten() {
        let Some(name) = action["name"].as_str() else {
            continue;
        };
        if action["leads"].is_object() {
            assert_eq!(
                action["leads"]["to_add"].as_u64(),
                Some(leads("add_leads", Some(name))),
                "the leads {name:?} gains are its add_leads operation's: {doc:#}"
            );
            assert_eq!(
                action["leads"]["to_update"].as_u64(),
                Some(leads("update_leads", Some(name))),
                "the leads {name:?} updates are its update_leads operation's: {doc:#}"
            );
        }
    }
}

#[test]
fn apply_auto_approve_holds_calls_and_deletes() {
    let f = fixture();
    let run = f.run(&["apply", "--auto-approve", "--parallelism", "1"]);
    redacted(&f).bind(|| insta::assert_snapshot!(streams(&run)));
}

#[test]
fn apply_json_results() {
    let f = fixture();
    let run = f.run(&[
        "apply",
        "--auto-approve",
        "--parallelism",
        "1",
        "--format",
        "json",
    ]);
    run.json();
    redacted(&f).bind(|| {
        insta::assert_snapshot!("apply_json_results_stdout", run.stdout);
        insta::assert_snapshot!("apply_json_results_stderr", run.stderr);
    });
}

#[test]
fn apply_without_a_terminal_or_auto_approve_is_refused() {
    let f = fixture();
    let run = f.run(&["apply"]);
    redacted(&f).bind(|| insta::assert_snapshot!(streams(&run)));
}

/// The questions on a terminal, each answered yes: every question is asked in turn, then
/// everything is carried out.
#[test]
fn apply_on_a_terminal_asks_each_question() {
    let f = fixture();
    let run = f.on_terminal(&["yes", "yes", "yes"]);
    redacted(&f).bind(|| insta::assert_snapshot!(streams(&run)));
}

/// Refusing the calls question and the deletion question holds those two kinds only: the
/// writes approved are carried out, the start and the deletions are reported as held.
#[test]
fn apply_on_a_terminal_refusing_calls_and_deletions_holds_only_those() {
    let f = fixture();
    let run = f.on_terminal(&["yes", "no", "no"]);
    redacted(&f).bind(|| insta::assert_snapshot!(streams(&run)));
}

#[test]
fn json_error_document() {
    let f = fixture();
    f.ws.write(
        "campaigns/broken.yaml",
        "kind: Campaign\nname: prod-broken\nassistant_id: 7\nmax_retries: 9\n",
    );
    let run = f.run(&["plan", "--format", "json"]);
    run.assert_code(1);
    run.json();
    redacted(&f).bind(|| {
        insta::assert_snapshot!("json_error_document_stdout", run.stdout);
        insta::assert_snapshot!("json_error_document_stderr", run.stderr);
    });
}

/// The JSON document when the command itself fails (the platform refuses the token): stdout
/// still holds one JSON document, with the error; the token never shows.
#[test]
fn json_error_document_of_a_refused_token() {
    let f = fixture();
    let run = campaignctl(f.ws.path(), Some(&f.emu))
        .args(["plan", "--format", "json", "--prune-prefix", "prod-"])
        .env("CAMPAIGNCTL_API_TOKEN", "not-the-token")
        .run();
    run.assert_code(1).assert_nowhere("not-the-token");
    run.json();
    redacted(&f).bind(|| {
        insta::assert_snapshot!("json_error_document_of_a_refused_token_stdout", run.stdout);
        insta::assert_snapshot!("json_error_document_of_a_refused_token_stderr", run.stderr);
    });
}

/// The daemon's log of its first pass (killed once the pass is logged: `watch` has no
/// `--once`). Calls and deletes are not allowed, so they are held and logged as such.
#[test]
fn watch_first_pass_log() {
    let f = fixture();
    let log = first_pass_log(&f, "text", " pass outcome=");
    redacted(&f).bind(|| insta::assert_snapshot!(log));
}

/// The same pass with `--log-format json`: every line is one JSON object.
#[test]
fn watch_first_pass_log_json() {
    let f = fixture();
    let log = first_pass_log(&f, "json", r#""message":"pass""#);
    for line in log.lines() {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
            panic!("a log line is not JSON ({e}): {line}\nthe log:\n{log}");
        }
    }
    redacted(&f).bind(|| insta::assert_snapshot!(log));
}

/// Runs `watch` on the fixture until its log has `pass_line` (the line that ends a pass,
/// whatever its outcome), then stops it and returns its stderr.
fn first_pass_log(f: &Fixture, log_format: &str, pass_line: &str) -> String {
    let mut child = campaignctl(f.ws.path(), Some(&f.emu))
        .args(["watch", "--interval", "1h", "--parallelism", "1"])
        .args(["--log-format", log_format, "--prune-prefix", "prod-"])
        .spawn();
    let log = crate::support::collect_stderr(&mut child);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if text.contains(pass_line) {
            let _ = child.kill();
            let _ = child.wait();
            return text;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the first pass was not logged in time; the log:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
