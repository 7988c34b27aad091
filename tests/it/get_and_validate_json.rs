//! What a user looked for and did not find (issue 19, item 9): the account's assistants and
//! phone numbers, the names manifests refer to, without reading error hints; and `validate`
//! as one JSON document for machines.

use crate::support::{campaignctl, Emulator, Workspace};

#[test]
fn get_assistants_lists_the_names_a_manifest_may_use_as_a_table_and_as_json() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["get", "assistants"])
        .run();
    run.assert_code(0);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    assert_eq!(
        run.stdout,
        "\
ID  NAME                   TYPE      STATUS  TIMEZONE
9   Appointment Reminders  outbound  active  America/Chicago
12  Front Desk             inbound   active  America/New_York
8   Renewals Outbound      outbound  active  America/New_York
7   Sales Outbound         outbound  active  America/New_York
"
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["get", "assistants", "--format", "json"])
        .run();
    run.assert_code(0);
    let doc = run.json();
    assert_eq!(doc["kind"], "assistants");
    assert_eq!(doc["format_version"], 1);
    let items = doc["accounts"][0]["items"].as_array().expect("items");
    let names: Vec<&str> = items.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Appointment Reminders",
            "Front Desk",
            "Renewals Outbound",
            "Sales Outbound"
        ]
    );
    assert_eq!(items[0]["id"], 9);
    assert_eq!(items[0]["type"], "outbound");
    assert!(doc["accounts"][0]["account"].is_null());
}

#[test]
fn get_numbers_lists_each_number_with_its_id() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["get", "numbers"])
        .run();
    run.assert_code(0);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "ID  NUMBER         COUNTRY  LABEL   AVAILABLE");
    assert!(
        lines.contains(&"46  +12025550146   US       Normal  yes"),
        "{}",
        run.stdout
    );
    let doc = campaignctl(ws.path(), Some(&emu))
        .args(["get", "numbers", "--format", "json"])
        .run()
        .json();
    let numbers: Vec<&str> = doc["accounts"][0]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|n| n["phone_number"].as_str())
        .collect();
    assert_eq!(numbers.len(), lines.len() - 1, "one row per number");
    assert!(numbers.contains(&"+442079460147"), "{numbers:?}");
}

#[test]
fn get_without_a_reachable_platform_fails_with_one_clear_error() {
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_URL", "http://127.0.0.1:9/api")
        .env("CAMPAIGNCTL_API_TOKEN", "t")
        .args(["get", "assistants", "--timeout", "2"])
        .run();
    run.assert_code(1);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains("127.0.0.1:9"),
        "{}",
        run.stderr
    );
}

#[test]
fn validate_format_json_is_one_document_on_stdout_with_every_problem() {
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        "kind: Campaign\nname: A\nassistant_id: 7\ntimezone: Mars/Olympus\n",
    );
    ws.write(
        "campaigns/b.yaml",
        "kind: Campaign\nname: B\nassistant_id: 7\ntimezone: America/New_York\nallowed_hours_start_time: \"06:00\"\nallowed_hours_end_time: \"23:00\"\n",
    );
    let run = campaignctl(ws.path(), None)
        .args(["validate", "--format", "json"])
        .run();
    run.assert_code(1);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", run.stdout));
    assert_eq!(doc["valid"], false);
    let account = &doc["accounts"][0];
    assert_eq!(account["valid"], false);
    assert_eq!(account["files"], 2);
    assert_eq!(account["errors"], 1);
    let problem = &account["diagnostics"][0];
    assert!(
        problem["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("a.yaml")),
        "{problem}"
    );
    assert_eq!(problem["line"], 4);
    assert_eq!(problem["field"], "timezone");
    assert_eq!(problem["severity"], "error");

    // Valid manifests with a calling-hours warning: valid, unless warnings are denied.
    std::fs::remove_file(ws.path().join("campaigns/a.yaml")).expect("remove");
    let run = campaignctl(ws.path(), None)
        .args(["validate", "--format", "json"])
        .run();
    run.assert_code(0);
    let doc = run.json();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["accounts"][0]["campaigns"], 1);
    assert!(
        doc["accounts"][0]["warnings"].as_u64().unwrap_or(0) >= 1,
        "{doc}"
    );
    let run = campaignctl(ws.path(), None)
        .args(["validate", "--format", "json", "--deny-warnings"])
        .run();
    run.assert_code(1);
    assert_eq!(run.json()["valid"], false);
}

/// "validate reports all problems in one run": a calling-hours warning on a valid manifest is
/// reported in the same run as another manifest's error, not only once the error is fixed.
#[test]
fn validate_reports_warnings_of_valid_manifests_beside_errors_of_others() {
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        "kind: Campaign\nname: A\nassistant_id: 7\ntimezone: Mars/Olympus\n",
    );
    ws.write(
        "campaigns/b.yaml",
        "kind: Campaign\nname: B\nassistant_id: 7\ntimezone: America/New_York\nallowed_hours_start_time: \"06:00\"\nallowed_hours_end_time: \"23:00\"\n",
    );
    let run = campaignctl(ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    assert!(
        run.stderr.contains("campaigns/a.yaml:4:11: error:"),
        "the error: {run}"
    );
    assert!(
        run.stderr.contains("campaigns/b.yaml:5:27: warning:"),
        "the other file's warning in the same run: {run}"
    );
    let doc = campaignctl(ws.path(), None)
        .args(["validate", "--format", "json"])
        .run()
        .json();
    assert_eq!(doc["accounts"][0]["errors"], 1);
    assert!(
        doc["accounts"][0]["warnings"].as_u64().unwrap_or(0) >= 1,
        "{doc}"
    );
}

/// Every cell of `get`'s table comes from the platform, so every cell is escaped: a status or
/// zone holding a terminal escape cannot drive the terminal (with colour forced, so nothing
/// else strips it on the way).
#[test]
fn get_escapes_every_cell_the_platform_sends() {
    let ws = Workspace::new();
    let seed = ws.write(
        "seed.yaml",
        "account:\n  timezone: America/New_York\n  campaign_limit: 50\nassistants:\n  - id: 7\n    name: Sales\n    type: outbound\n    status: \"\\e[31mred\"\n    timezone: \"Europe/\\e]0;x\\aParis\"\n",
    );
    let emu = Emulator::start_with(&["--seed", seed.to_str().expect("utf-8 path")]);
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["get", "assistants", "--color", "always"])
        .run();
    run.assert_code(0);
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
        "a raw control character reached the terminal: {:?}",
        run.stdout
    );
    assert!(run.stdout.contains("Sales"), "{run}");
}
