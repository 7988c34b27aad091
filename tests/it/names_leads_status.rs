//! Issue 6 end to end: references by name, leads from CSV, desired status and the calling-hours
//! lint, with the real binary against the real emulator on loopback.

use crate::support::{campaignctl, Emulator, Workspace};
use serde_json::{json, Value};

/// A manifest head that the lint has nothing to say about.
const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

fn leads_of(emu: &Emulator, campaign_id: &Value) -> Vec<String> {
    let mut numbers = Vec::new();
    for page in 1..=10 {
        let doc = emu.api(
            "GET",
            &format!("user/leads?campaign_id={campaign_id}&per_page=100&page={page}"),
            None,
        );
        numbers.extend(
            doc["data"]
                .as_array()
                .expect("lead page data")
                .iter()
                .map(|l| l["phone_number"].as_str().unwrap_or_default().to_owned()),
        );
        if doc["current_page"] == doc["last_page"] {
            break;
        }
    }
    numbers
}

fn leads_created(emu: &Emulator) -> u64 {
    emu.stats()["leads_created"]
        .as_u64()
        .expect("leads_created counter")
}

#[test]
fn names_are_resolved_to_ids_in_the_request_body_and_shown_with_them() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/named.yaml",
        format!("kind: Campaign\nname: Named\nassistant: Sales Outbound\nphone_numbers: [\"+12025550145\", \"+44 20 7946 0147\"]\n{QUIET}"),
    );
    let plan = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    plan.assert_code(0)
        .assert_stdout("refers to assistant \"Sales Outbound\" (id 7), phone numbers +12025550145 (id 45), +442079460147 (id 47)")
        .assert_stdout("+ assistant_id");
    let doc = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "json"])
        .run()
        .json();
    let action = &doc["actions"][0];
    assert_eq!(
        action["body"]["assistant_id"], 7,
        "the body carries the id: {action:#}"
    );
    assert_eq!(
        action["references"]["assistant"],
        json!({"name": "Sales Outbound", "id": 7}),
        "the JSON plan shows both: {action:#}"
    );

    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    let body = &emu.campaigns()[0]["request_body"];
    assert_eq!(body["assistant_id"], 7, "request body: {body:#}");
    assert_eq!(
        body["phone_number_ids"],
        json!([45, 47]),
        "request body: {body:#}"
    );
    assert!(
        body.get("assistant").is_none() && body.get("phone_numbers").is_none(),
        "names are never sent: {body:#}"
    );
}

#[test]
fn missing_and_ambiguous_names_name_the_candidates() {
    let ws = Workspace::new();
    ws.write(
        "seed.yaml",
        "account: { timezone: UTC, campaign_limit: 50 }\nassistants:\n  - { id: 1, name: Sales, type: outbound }\n  - { id: 2, name: Sales, type: outbound }\n  - { id: 3, name: Support, type: outbound }\nphone_numbers:\n  - { id: 45, phone_number: \"+12025550145\", direction: outbound }\n",
    );
    let emu = Emulator::start_with(&["--seed", &ws.path().join("seed.yaml").to_string_lossy()]);
    ws.write(
        "c/a.yaml",
        format!("kind: Campaign\nname: A\nassistant: Sales\n{QUIET}---\nkind: Campaign\nname: B\nassistant: Suport\nphone_numbers: [\"+12025550146\"]\n{QUIET}"),
    );
    let run = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    run.assert_code(1)
        .assert_only_stderr("c/a.yaml:3:12: error: 2 outbound assistants are named \"Sales\" (ids 1, 2); campaignctl will not guess which one")
        .assert_only_stderr("error: no outbound assistant is named \"Suport\"")
        .assert_stderr("did you mean \"Support\"?")
        .assert_stderr("outbound assistants: \"Sales\" (id 1), \"Sales\" (id 2), \"Support\" (id 3)")
        .assert_stderr("phone_numbers.0: +12025550146 is not a phone number of this account")
        .assert_stderr("phone numbers: +12025550145 (id 45)");
    let apply = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run();
    apply.assert_code(1);
    assert!(
        emu.campaigns().is_empty(),
        "a plan with unresolved names writes nothing"
    );
}

#[test]
fn a_csv_of_three_then_a_fourth_row_creates_exactly_one_more_lead() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/q4.yaml",
        format!(
            "kind: Campaign\nname: Q4\nassistant_id: 7\nleads: {{ file: leads/q4.csv }}\n{QUIET}"
        ),
    );
    let three = "phone_number,first_name,company\n+14155550101,Ada,ACME\n+14155550102,Grace,\n\"+1 415 555 0103\",\"Smith, John\",Initech\n";
    ws.write("c/leads/q4.csv", three);

    let plan = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    plan.assert_code(0)
        .assert_stdout("+ \"Q4\" gains 3 lead(s) (3 declared, 0 on the platform")
        .assert_only_stdout("Leads: 3 to add.");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("\"Q4\": 3 lead(s) added, 0 failed");
    assert_eq!(leads_created(&emu), 3, "three leads after the first apply");
    let id = emu.campaigns()[0]["id"].clone();
    let mut on_platform = leads_of(&emu, &id);
    on_platform.sort();
    assert_eq!(
        on_platform,
        ["+14155550101", "+14155550102", "+14155550103"]
    );

    let replan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "json"])
        .run();
    replan.assert_code(0);
    let doc = replan.json();
    assert_eq!(
        doc["changes"],
        json!({"leads_to_add": 0, "leads_to_update": 0, "start": 0, "stop": 0}),
        "{doc:#}"
    );
    assert_eq!(doc["summary"]["unchanged"], 1, "{doc:#}");

    ws.write("c/leads/q4.csv", format!("{three}+14155550104,Linus,\n"));
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("+ \"Q4\" gains 1 lead(s) (4 declared, 3 on the platform");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("\"Q4\": 1 lead(s) added, 0 failed");
    assert_eq!(leads_created(&emu), 4, "exactly one more lead");
    assert_eq!(leads_of(&emu, &id).len(), 4, "no lead was duplicated");

    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0)
        .assert_nothing_to_apply();
    assert_eq!(leads_created(&emu), 4, "re-applying adds nothing");
}

#[test]
fn leads_beyond_one_page_are_all_seen() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let rows: String = (0..150).map(|i| format!("+1415555{i:04}\n")).collect();
    ws.write("c/leads.csv", format!("phone_number\n{rows}"));
    ws.write(
        "c/big.yaml",
        format!(
            "kind: Campaign\nname: Big\nassistant_id: 7\nleads: {{ file: leads.csv }}\n{QUIET}"
        ),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--parallelism", "8", "c"])
        .run()
        .assert_code(0);
    assert_eq!(leads_created(&emu), 150);
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "-v"])
        .run()
        .assert_code(0)
        .assert_stdout("= \"Big\" has all its leads (150 declared, 150 on the platform")
        .assert_nothing_to_apply();
}

#[test]
fn a_campaign_is_started_only_after_its_leads_exist_and_only_when_confirmed() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let manifest = |status: &str| {
        format!("kind: Campaign\nname: Go\nassistant_id: 7\nstatus: {status}\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\", variables: {{ first_name: Ada, score: 3 }} }}\n    - {{ phone_number: \"+14155550102\" }}\n{QUIET}")
    };
    ws.write("c/go.yaml", manifest("running"));

    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c"])
        .run()
        .assert_code(0)
        .assert_stdout(
            "! \"Go\" WILL START CALLING: status draft -> running, after its leads are added",
        )
        .assert_only_stdout("Status: 1 to start (WILL START CALLING), 0 to stop.");
    // Without --auto-approve and without a terminal there is no one to confirm: nothing happens.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "c"])
        .run()
        .assert_code(1)
        .assert_stderr("refusing to apply without confirmation");
    assert!(emu.campaigns().is_empty(), "a refused apply writes nothing");

    // --auto-approve approves writes, not calls: the campaign and its leads are created, the
    // start is held and the report says which flag allows it.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("\"Go\": 2 lead(s) added, 0 failed")
        .assert_stdout("\"Go\": held: start \"Go\": it places real phone calls; run with --allow-start to allow it")
        .assert_only_stdout("Held: 1 operation(s) not approved and not carried out; run again with --allow-start");
    let campaign = &emu.campaigns()[0];
    assert_eq!(
        campaign["status"], "draft",
        "held, not started: {campaign:#}"
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("\"Go\": started: it is calling (status in-progress)");
    let campaign = &emu.campaigns()[0];
    assert_eq!(campaign["status"], "in-progress", "{campaign:#}");
    assert_eq!(
        leads_of(&emu, &campaign["id"]).len(),
        2,
        "its leads exist (the emulator refuses a start without)"
    );
    let lead = &emu.api("GET", "user/leads?phone_number=%2B14155550101", None)["data"][0];
    assert_eq!(
        lead["variables"],
        json!({"first_name": "Ada", "score": 3}),
        "{lead:#}"
    );

    let replan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "json"])
        .run()
        .json();
    assert_eq!(
        replan["changes"],
        json!({"leads_to_add": 0, "leads_to_update": 0, "start": 0, "stop": 0}),
        "re-plan after apply must be empty: {replan:#}"
    );
    assert_eq!(replan["summary"]["create"], 0, "{replan:#}");
    assert_eq!(
        replan["actions"][0]["status"]["actual"], "in-progress",
        "{replan:#}"
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c"])
        .run()
        .assert_code(0)
        .assert_nothing_to_apply();

    ws.write("c/go.yaml", manifest("stopped"));
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("- \"Go\" will be stopped: status in-progress -> stopped");
    let stop = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--format", "json", "c"])
        .run();
    stop.assert_code(0);
    let doc = stop.json();
    let stop_op = doc["operations"]
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["op"] == "stop"))
        .unwrap_or_else(|| panic!("no stop operation in {doc:#}"));
    assert_eq!(
        (&stop_op["outcome"], &stop_op["status"]),
        (&json!("done"), &json!("stopped")),
        "{doc:#}"
    );
    assert_eq!(emu.campaigns()[0]["status"], "stopped");
}

#[test]
fn running_without_any_lead_is_a_plan_error() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/x.yaml",
        format!("kind: Campaign\nname: X\nassistant_id: 7\nstatus: running\n{QUIET}"),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(1)
        .assert_only_stderr("c/x.yaml:4:9: error: status: running needs leads");
    assert!(emu.campaigns().is_empty(), "nothing is written");
}

#[test]
fn lint_warnings_keep_exit_0_unless_denied() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/late.yaml",
        "kind: Campaign\nname: Late\nassistant_id: 7\nallowed_hours_start_time: \"07:00\"\nallowed_hours_end_time: \"22:00\"\n",
    );
    for command in ["validate", "plan"] {
        let run = campaignctl(ws.path(), Some(&emu))
            .args([command, "c"])
            .run();
        run.assert_code(0)
            .assert_only_stderr("c/late.yaml:1:1: warning: campaign \"Late\" sets no timezone")
            .assert_only_stderr("c/late.yaml:4:27: warning: the calling window of \"Late\" reaches into the common legal quiet hours: allowed_hours_start_time 07:00 is before 08:00")
            .assert_only_stderr("c/late.yaml:5:25: warning: the calling window of \"Late\" reaches into the common legal quiet hours: allowed_hours_end_time 22:00 is after 21:00");
        campaignctl(ws.path(), Some(&emu))
            .args([command, "--deny-warnings", "c"])
            .run()
            .assert_code(1)
            .assert_stderr("3 warning(s), treated as errors because of --deny-warnings.");
    }
}

#[test]
fn a_duplicate_lead_names_both_lines_and_one_of_each_pair_is_enforced() {
    let ws = Workspace::new();
    ws.write(
        "c/leads.csv",
        "phone_number,name\n+14155550101,a\n+14155550102,b\n+1-415-555-0101,c\n",
    );
    ws.write(
        "c/a.yaml",
        format!("kind: Campaign\nname: A\nassistant_id: 7\nassistant: Sales Outbound\nleads: {{ file: leads.csv }}\n{QUIET}"),
    );
    campaignctl(ws.path(), None)
        .args(["validate", "c"])
        .run()
        .assert_code(1)
        .assert_only_stderr("c/leads.csv:4:1: error: lead +14155550101 is listed twice: at c/leads.csv:2 and at c/leads.csv:4")
        .assert_only_stderr("c/a.yaml:4:12: error: assistant and assistant_id are both set; write one of them");
}

#[test]
fn the_leads_and_names_example_applies_against_the_demo_account() {
    let ws = Workspace::new();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leads-and-names");
    let run = campaignctl(ws.path(), None)
        .args(["demo".as_ref(), example.as_os_str()])
        .run();
    run.assert_code(0)
        .assert_only_stdout("Leads: 4 added. Status: 0 started, 0 stopped.")
        .assert_nothing_to_apply();
}

#[test]
fn lost_responses_never_duplicate_a_lead_or_fail_a_start() {
    // Every write has a 40% chance of being performed and its connection then dropped. With this
    // seed and one write at a time, the create, some lead creates and the start all lose their
    // answers (the warnings below prove each recovery path ran).
    let emu = Emulator::start_with(&["--drop-rate", "0.4", "--fault-seed", "8"]);
    let ws = Workspace::new();
    let rows: String = (0..12).map(|i| format!("+1415555{i:04}\n")).collect();
    ws.write("c/leads.csv", format!("phone_number\n{rows}"));
    ws.write(
        "c/f.yaml",
        format!("kind: Campaign\nname: Flaky\nassistant_id: 7\nstatus: running\nleads: {{ file: leads.csv }}\n{QUIET}"),
    );
    campaignctl(ws.path(), Some(&emu))
        .args([
            "apply",
            "--auto-approve",
            "--allow-start",
            "--parallelism",
            "1",
            "c",
        ])
        .run()
        .assert_code(0)
        .assert_stderr("lead create outcome unknown; looking it up before any retry")
        .assert_stderr("status change outcome unknown; reading the campaign's status")
        .assert_stdout("\"Flaky\": started: it is calling (status in-progress)");
    assert!(
        emu.stats()["faults"]["drops"].as_u64().unwrap_or(0) > 0,
        "the test must actually drop connections: {}",
        emu.stats()
    );
    let campaigns = emu.campaigns();
    assert_eq!(campaigns.len(), 1, "one campaign: {campaigns:#?}");
    assert_eq!(campaigns[0]["status"], "in-progress");
    let mut numbers = leads_of(&emu, &campaigns[0]["id"]);
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 12, "every lead once");
    assert_eq!(leads_created(&emu), 12, "no lead was created twice");
}
