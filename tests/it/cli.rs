//! End-to-end tests: the real binary and its real HTTP client against the real emulator
//! (a child process on 127.0.0.1:0). Nothing here touches any other network.

use crate::support::{campaignctl, Emulator, Workspace, TOKEN};
use serde_json::json;

const SAMPLE_NAMES: [&str; 4] = [
    "Product Demo Campaign",
    "Q4 Renewals East",
    "Q4 Renewals West",
    "Appointment Reminders",
];

fn names_on(emu: &Emulator) -> Vec<String> {
    emu.campaign_names()
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn happy_path_plan_apply_replan_is_empty() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();

    let plan = campaignctl(ws.path(), Some(&emu)).args(["plan"]).run();
    plan.assert_code(0)
        .assert_only_stdout("Plan: 4 to create, 0 drifted, 0 unchanged, 0 unmanaged.");
    assert!(
        plan.stdout.contains("+ campaign \"Product Demo Campaign\""),
        "plan should show the create:\n{}",
        plan.stdout
    );
    assert!(emu.campaigns().is_empty(), "plan must not write");

    let apply = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run();
    apply
        .assert_code(0)
        .assert_only_stdout("Apply complete: 4 created, 0 failed.");
    assert_eq!(
        names_on(&emu),
        sorted(&SAMPLE_NAMES),
        "each sample campaign exists exactly once"
    );

    let replan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json"])
        .run();
    replan.assert_code(0);
    let doc = replan.json();
    assert_eq!(
        doc["summary"],
        json!({"create": 0, "unchanged": 4, "drift": 0, "unmanaged": 0, "replace": 0, "delete": 0, "attention": 0, "errors": 0}),
        "re-plan after apply must be empty: {doc:#}"
    );

    let again = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run();
    again.assert_code(0).assert_nothing_to_apply();
    assert_eq!(
        emu.campaigns().len(),
        4,
        "a second apply must not create anything"
    );
}

#[test]
fn a_create_sends_only_the_fields_the_manifest_sets() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns/reminders.yml"])
        .run()
        .assert_code(0);
    let stored = emu.campaigns();
    let body = &stored[0]["request_body"];
    let mut keys: Vec<&str> = body
        .as_object()
        .expect("request body object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "allowed_hours_end_time",
            "allowed_hours_start_time",
            "assistant_id",
            "max_calls_in_parallel",
            "name",
            "timezone"
        ],
        "the create must carry exactly the manifest's fields: {body:#}"
    );
    assert_eq!(
        body["allowed_hours_start_time"], "08:30",
        "times are sent as H:i"
    );
}

#[test]
fn plan_json_is_stable_and_complete() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json"])
        .run();
    run.assert_code(0);
    let doc = run.json();
    assert_eq!(doc["format_version"], 2);
    assert_eq!(doc["summary"]["create"], 4);
    let operations = doc["operations"].as_array().expect("operations array");
    assert_eq!(
        operations.len(),
        4,
        "one create operation per new campaign: {operations:#?}"
    );
    assert!(
        operations.iter().all(|o| o["op"] == "create"
            && o["effects"]["writes"] == true
            && o["effects"]["places_calls"] == false),
        "{operations:#?}"
    );
    let actions = doc["actions"].as_array().expect("actions array");
    let demo = actions
        .iter()
        .find(|a| a["name"] == "Product Demo Campaign")
        .expect("demo action");
    assert_eq!(demo["action"], "create");
    assert_eq!(demo["id"], serde_json::Value::Null);
    assert!(
        demo["manifest"]["file"]
            .as_str()
            .unwrap_or_default()
            .ends_with("product-demo.yaml"),
        "{demo:#}"
    );
    assert_eq!(
        demo["manifest"]["line"], 2,
        "the document starts at line 2 (after a comment): {demo:#}"
    );
    assert_eq!(demo["body"]["phone_number_ids"], json!([45, 47]));
    assert_eq!(demo["body"]["assistant_id"], 7);
}

#[test]
fn drift_unchanged_and_unmanaged_are_reported_and_never_touched() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/a.yaml", "kind: Campaign\nname: Alpha\nassistant_id: 7\nmax_retries: 3\nallowed_days: [friday, monday]\nallowed_hours_start_time: \"09:00\"\ntimezone: UTC\n");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    // Alpha has run (started, then stopped): its drift is reported, never corrected by a
    // replace (a drifted draft would be replaced; see tests/lifecycle.rs).
    emu.api(
        "POST",
        "user/lead",
        Some(json!({"campaign_id": 1, "phone_number": "+14155550101"})),
    );
    for action in ["start", "stop"] {
        emu.api(
            "POST",
            "user/campaigns/update-status",
            Some(json!({"campaign_id": 1, "action": action})),
        );
    }
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "Hand Made", "assistant_id": 8})),
    );

    // Same days in another order and the same time: unchanged, with write-once fields named.
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--verbose"])
        .run();
    plan.assert_code(0)
        .assert_stdout("= \"Alpha\" (id 1) is up to date")
        .assert_stdout("write-once, not compared: assistant_id, timezone")
        .assert_stdout("? \"Hand Made\" (id 2) is not in any manifest; it is left alone")
        .assert_only_stdout("Plan: 0 to create, 0 drifted, 1 unchanged, 1 unmanaged.");

    ws.write("c/a.yaml", "kind: Campaign\nname: Alpha\nassistant_id: 7\nmax_retries: 5\nallowed_days: [monday, friday, sunday]\n");
    let drift = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    drift
        .assert_code(0)
        .assert_stdout("~ campaign \"Alpha\"")
        .assert_stdout("~ max_retries  = 3 -> 5")
        .assert_only_stdout("Plan: 0 to create, 1 drifted, 0 unchanged, 1 unmanaged; 1 need attention (apply cannot act on them).")
        .assert_stdout("no update endpoint");
    let doc = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "json"])
        .run()
        .json();
    let alpha = doc["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "Alpha").cloned())
        .expect("Alpha");
    assert_eq!(alpha["action"], "drift");
    assert_eq!(
        alpha["changes"],
        json!([
            {"field": "allowed_days", "desired": ["monday", "friday", "sunday"], "actual": ["monday", "friday"]},
            {"field": "max_retries", "desired": 5, "actual": 3}
        ]),
        "drift is field by field with desired and actual: {alpha:#}"
    );

    let apply = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run();
    apply.assert_code(0);
    assert_eq!(
        emu.stats()["campaign_create_requests"],
        2,
        "drift and unmanaged campaigns cause no writes"
    );
}

#[test]
fn two_remote_campaigns_with_one_managed_name_is_an_error() {
    let emu = Emulator::start();
    for _ in 0..2 {
        emu.api(
            "POST",
            "user/campaign",
            Some(json!({"name": "Twin", "assistant_id": 7})),
        );
    }
    let ws = Workspace::new();
    ws.write(
        "c/twin.yaml",
        "kind: Campaign\nname: Twin\nassistant_id: 7\n",
    );
    ws.write(
        "c/other.yaml",
        "kind: Campaign\nname: Other\nassistant_id: 7\n",
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run();
    run.assert_code(1).assert_only_stderr("c/twin.yaml:2:7: error: campaign name \"Twin\" is held by 2 campaigns on the platform (ids 1, 2)");
    assert_eq!(
        emu.campaigns().len(),
        2,
        "a plan with errors must write nothing, not even the unrelated create"
    );
    // A plan with errors looks like one on stdout: it says so first, counts the errors in the
    // summary line, and never says "No changes".
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c/twin.yaml"])
        .run();
    plan.assert_code(1);
    assert!(
        plan.stdout.starts_with("error: the plan has 1 error(s)"),
        "stdout must open with the error:\n{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("1 error(s): nothing will be applied."),
        "the summary line counts the errors:\n{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("No changes"),
        "a plan with errors never says No changes:\n{}",
        plan.stdout
    );
}

#[test]
fn reference_errors_are_reported_at_plan_time_with_their_lines() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/bad.yaml",
        "kind: Campaign\nname: Bad refs\nassistant_id: 12\nphone_number_ids: [45, 999]\n---\nkind: Campaign\nname: Missing assistant\nassistant_id: 404\n---\nkind: Campaign\nname: Wrong goal\nassistant_id: 7\ngoal_completion_variable: customer_interest\n",
    );
    let run = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    run.assert_code(1)
        .assert_only_stderr("c/bad.yaml:3:15: error: assistant_id 12 (\"Front Desk\") is an inbound assistant")
        .assert_only_stderr("c/bad.yaml:4:24: error: phone_number_ids.1: 999 is not a phone number of this account")
        .assert_only_stderr("c/bad.yaml:8:15: error: assistant_id 404 does not exist in this account")
        .assert_only_stderr("c/bad.yaml:13:27: error: goal_completion_variable \"customer_interest\" is a string variable")
        .assert_only_stderr("hint: outbound assistants: 7 (\"Sales Outbound\")");
    let apply = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run();
    apply.assert_code(1).assert_stderr("nothing was applied");
    assert_eq!(
        emu.stats()["campaign_create_requests"],
        0,
        "reference errors must stop every write"
    );
}

#[test]
fn invalid_manifests_stop_everything_before_any_request() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    ws.write("campaigns/broken.yaml", "kind: Campaign\nname: Broken\nassistant_id: 7\nmax_retries: 9\nallowed_days: [monday, Funday]\n");
    for cmd in [
        vec!["validate"],
        vec!["plan"],
        vec!["apply", "--auto-approve"],
    ] {
        let run = campaignctl(ws.path(), Some(&emu)).args(&cmd).run();
        run.assert_code(1)
            .assert_only_stderr(
                "broken.yaml:4:14: error: max_retries must be between 1 and 5, got 9",
            )
            .assert_only_stderr("broken.yaml:5:24: error:");
    }
    assert_eq!(
        emu.stats()["requests"],
        0,
        "invalid manifests must stop the run before any API request"
    );
}

#[test]
fn validate_reports_every_rule_in_one_run() {
    let ws = Workspace::new();
    let long = "x".repeat(256);
    ws.write(
        "c/all.yaml",
        format!(
            "kind: Campaign\nname: {long}\nassistant_id: 7\ntimezone: Mars/Olympus\nmax_calls_in_parallel: 11\nallowed_hours_start_time: \"9:00\"\nallowed_hours_end_time: \"17:00:00\"\nallowed_days: [monday, monday]\nmax_retries: 0\nretry_interval: 5\ngoal_completion_variable: \"{long}\"\nphone_number_ids: [45, 45]\nretry_on_voicemail: yes\nmax_retry: 3\n"
        ),
    );
    ws.write("c/kind.yaml", "kind: Campain\nname: K\nassistant_id: 7\n");
    ws.write(
        "c/dup1.yaml",
        "kind: Campaign\nname: Same\nassistant_id: 7\n",
    );
    ws.write(
        "c/dup2.yaml",
        "kind: Campaign\nname: Same\nassistant_id: 7\n",
    );
    ws.write("c/missing.yaml", "kind: Campaign\nmax_retries: 2\n");
    ws.write("c/syntax.yaml", "kind: Campaign\nname: [unclosed\n");
    ws.write(
        "c/binary.yaml",
        b"kind: Campaign\nname: \xff\xfe\n".as_slice(),
    );
    ws.write("c/ignored.txt", "not a manifest");
    let run = campaignctl(ws.path(), None).args(["validate", "c"]).run();
    run.assert_code(1);
    for fragment in [
        "all.yaml:2:7: error: name",
        "all.yaml:4:11: error: timezone",
        "all.yaml:5:24: error: max_calls_in_parallel must be between 1 and 10, got 11",
        "all.yaml:6:27: error: allowed_hours_start_time",
        "all.yaml:7:25: error: allowed_hours_end_time",
        "all.yaml:8:",
        "all.yaml:9:14: error: max_retries must be between 1 and 5, got 0",
        "all.yaml:10:17: error: retry_interval must be between 10 and 4320",
        "all.yaml:11:27: error: goal_completion_variable",
        "all.yaml:12:",
        "all.yaml:13:21: error: retry_on_voicemail",
        "all.yaml:14:1: error: unknown field `max_retry`",
        "max_retries",
        "kind.yaml:1:7: error: kind",
        "dup2.yaml:2:7: error: campaign name \"Same\" is defined twice",
        "dup1.yaml:2:7",
        "missing.yaml:1:1: error:",
        "syntax.yaml:",
        "binary.yaml:2:7: error:",
    ] {
        run.assert_only_stderr(fragment);
    }
    // Non-YAML files in a directory are ignored.
    run.assert_nowhere("ignored.txt");
}

#[test]
fn hostile_yaml_is_refused_quickly() {
    let ws = Workspace::new();
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let prev = (b'a' + i - 1) as char;
        let cur = (b'a' + i) as char;
        bomb.push_str(&format!("{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    ws.write("c/bomb.yaml", bomb);
    ws.write("c/deep.yaml", "[".repeat(200_000));
    ws.write("c/huge.yaml", vec![b'#'; 9 * 1024 * 1024]);
    let run = campaignctl(ws.path(), None).args(["validate", "c"]).run();
    run.assert_code(1)
        .assert_stderr("bomb.yaml")
        .assert_stderr("deep.yaml")
        .assert_stderr("huge.yaml");
}

#[test]
fn retries_on_429_and_5xx_create_each_campaign_once() {
    let emu = Emulator::start_with(&[
        "--rate-limit",
        "4/s",
        "--error-rate",
        "0.3",
        "--fault-seed",
        "11",
    ]);
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run();
    run.assert_code(0).assert_stdout("4 created");
    assert_eq!(
        names_on(&emu),
        sorted(&SAMPLE_NAMES),
        "every campaign exactly once despite 429s and 500s"
    );
    let faults = &emu.stats()["faults"];
    assert!(
        faults["rate_limited"].as_u64().unwrap_or(0) > 0,
        "the test must actually hit the rate limit: {faults}"
    );
    assert!(
        faults["errors"].as_u64().unwrap_or(0) > 0,
        "the test must actually hit 500s: {faults}"
    );
}

#[test]
fn a_connection_dropped_after_a_successful_create_makes_no_duplicate() {
    let emu = Emulator::start_with(&["--drop-rate", "1.0"]);
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run();
    run.assert_code(0)
        .assert_stdout("4 created (4 inferred after an ambiguous response)")
        .assert_stdout("inferred:");
    assert_eq!(
        names_on(&emu),
        sorted(&SAMPLE_NAMES),
        "a lost response must never lead to a second create"
    );
    assert_eq!(
        emu.stats()["campaign_create_requests"],
        4,
        "no create may be re-sent once the name exists"
    );
    let replan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json"])
        .run();
    assert_eq!(replan.json()["summary"]["create"], 0);
}

#[test]
fn api_error_statuses_become_clear_messages() {
    // 401: a wrong token.
    let emu = Emulator::start_with(&["--campaign-limit", "2"]);
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan"])
        .env("CAMPAIGNCTL_API_TOKEN", "wrong-token")
        .run();
    run.assert_code(1)
        .assert_stderr("401")
        .assert_only_stderr("hint: check CAMPAIGNCTL_API_TOKEN");

    // 403: the plan's campaign limit. The first refusal stops the creates: the rest are
    // reported once each as skipped, not sent to fail with the same error.
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--parallelism", "1"])
        .run();
    run.assert_code(1)
        .assert_stdout("(403)")
        .assert_stdout("skipped: not sent: the platform refused an earlier create")
        .assert_only_stdout("Apply failed: 2 created, 1 failed, 1 skipped.");
    assert_eq!(emu.campaigns().len(), 2);
    assert_eq!(
        emu.stats()["campaign_create_requests"],
        3,
        "no create is sent after the 403"
    );
}

#[test]
fn wrong_token_and_missing_token() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan"])
        .env_remove("CAMPAIGNCTL_API_TOKEN")
        .run();
    run.assert_code(1)
        .assert_only_stderr("error: no API token")
        .assert_only_stderr("hint: set CAMPAIGNCTL_API_TOKEN");
    let token_file = ws.write("token.txt", format!("{TOKEN}\n"));
    campaignctl(ws.path(), Some(&emu))
        .env_remove("CAMPAIGNCTL_API_TOKEN")
        .args(["plan", "--token-file"])
        .args([token_file])
        .run()
        .assert_code(0);
}

#[test]
fn plain_http_is_refused_unless_loopback() {
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .args(["plan", "--api-url", "http://app.autocalls.ai/api"])
        .run();
    run.assert_code(1)
        .assert_stderr("plain http")
        .assert_stderr("https://");
}

#[test]
fn apply_without_a_terminal_refuses_to_guess() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), Some(&emu)).args(["apply"]).run();
    run.assert_code(1)
        .assert_stderr("stdin is not a terminal")
        .assert_stderr("--auto-approve");
    assert!(emu.campaigns().is_empty(), "refusing must create nothing");
}

#[test]
fn the_token_never_appears_in_any_output_even_at_trace_level() {
    let emu = Emulator::start_with(&[
        "--drop-rate",
        "0.5",
        "--error-rate",
        "0.2",
        "--fault-seed",
        "3",
    ]);
    let ws = Workspace::with_samples();
    let runs = [
        campaignctl(ws.path(), Some(&emu))
            .env("RUST_LOG", "trace")
            .args(["plan"])
            .run(),
        campaignctl(ws.path(), Some(&emu))
            .env("RUST_LOG", "trace")
            .args(["apply", "--auto-approve"])
            .run(),
        campaignctl(ws.path(), Some(&emu))
            .env("RUST_LOG", "trace")
            .args(["plan", "--format", "json"])
            .run(),
        campaignctl(ws.path(), Some(&emu))
            .env("RUST_LOG", "trace")
            .args(["plan", "--api-url", "http://example.com/api"])
            .run(),
    ];
    assert!(
        runs[1].stderr.contains("TRACE") || runs[1].stderr.contains("DEBUG"),
        "trace logging must be on for this test to mean anything:\n{}",
        runs[1].stderr
    );
    for run in &runs {
        run.assert_nowhere(TOKEN);
        run.assert_nowhere("SECRET_7f3a");
    }
    let file = ws.write("t.txt", TOKEN);
    let wrong = campaignctl(ws.path(), Some(&emu))
        .env("RUST_LOG", "trace")
        .env("CAMPAIGNCTL_API_TOKEN", "another-secret-value")
        .args(["plan"])
        .run();
    wrong.assert_nowhere("another-secret-value");
    let _ = file;
}

#[test]
fn emulator_state_survives_a_restart() {
    let ws = Workspace::with_samples();
    let state = ws.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path").to_owned();
    let emu = Emulator::start_with(&["--state", &state_arg]);
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run()
        .assert_code(0);
    emu.stop();
    let emu = Emulator::start_with(&["--state", &state_arg]);
    let doc = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json"])
        .run()
        .json();
    assert_eq!(
        doc["summary"]["unchanged"], 4,
        "state must persist across restarts: {doc:#}"
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    let ws = Workspace::new();
    for cmd in ["validate", "plan", "apply", "emulator", "demo"] {
        let run = campaignctl(ws.path(), None).args([cmd, "--help"]).run();
        run.assert_code(0).assert_stdout("Example");
    }
    campaignctl(ws.path(), None)
        .args(["--help"])
        .run()
        .assert_code(0)
        .assert_stdout("Examples:");
    campaignctl(ws.path(), None)
        .args(["plan", "--bogus"])
        .run()
        .assert_code(1);
}

#[test]
fn demo_runs_the_whole_loop_against_the_built_in_emulator() {
    let ws = Workspace::with_samples();
    let run = campaignctl(ws.path(), None).args(["demo"]).run();
    run.assert_code(0)
        .assert_only_stdout("Plan: 4 to create")
        .assert_only_stdout("Apply complete: 4 created, 0 failed.")
        .assert_nothing_to_apply();
}

/// A diagnostic shows the offending source line with a caret under the value, between its
/// `file:line:column` line (unchanged, for editors and scripts) and its hint.
#[test]
fn diagnostics_show_the_source_line_with_a_caret_under_the_value() {
    let ws = Workspace::new();
    ws.write(
        "c/q.yaml",
        "kind: Campaign\nname: Q\nassistant_id: 7\nallowed_days: [monday, funday]\n",
    );
    let run = campaignctl(ws.path(), None).args(["validate", "c"]).run();
    run.assert_code(1);
    let expected = "c/q.yaml:4:24: error: allowed_days.1: unknown day \"funday\"; allowed: monday, tuesday, wednesday, thursday, friday, saturday, sunday\n  |\n4 | allowed_days: [monday, funday]\n  |                        ^^^^^^\n  hint: did you mean \"sunday\"?\n";
    assert!(
        run.stderr.contains(expected),
        "expected:\n{expected}\ngot:\n{}",
        run.stderr
    );
}
