//! GitOps and CI: exit codes for merge checks, saved plans and staleness, Markdown and GitHub
//! annotations, the JSON Schema, export and adoption, completions. The real binary against
//! the emulator on loopback.

use std::path::Path;

use crate::support::{campaignctl, Emulator, Workspace, TOKEN};
use serde_json::json;

fn creates(emu: &Emulator) -> u64 {
    emu.stats()["campaign_create_requests"]
        .as_u64()
        .expect("campaign_create_requests")
}

#[test]
fn detailed_exitcode_is_2_with_changes_0_in_sync_and_1_on_error() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    let plan = |ws: &Workspace| {
        campaignctl(ws.path(), Some(&emu))
            .args(["plan", "--detailed-exitcode"])
            .run()
    };
    plan(&ws)
        .assert_code(2)
        .assert_only_stdout("Plan: 4 to create");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run()
        .assert_code(0);
    plan(&ws).assert_code(0).assert_nothing_to_apply();

    // Unmanaged campaigns are informational: still in sync.
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "Made by hand", "assistant_id": 8})),
    );
    plan(&ws).assert_code(0).assert_stdout("1 unmanaged");

    // Drift makes the plan non-empty.
    ws.write(
        "campaigns/reminders.yml",
        "kind: Campaign\nname: Appointment Reminders\nassistant_id: 9\nmax_calls_in_parallel: 9\n",
    );
    plan(&ws).assert_code(2).assert_stdout("1 to replace");

    // An invalid manifest, and a reference error, are errors: 1, not 2.
    ws.write(
        "campaigns/bad.yaml",
        "kind: Campaign\nname: Bad\nassistant_id: 7\nmax_retries: 9\n",
    );
    plan(&ws).assert_code(1);
    ws.write(
        "campaigns/bad.yaml",
        "kind: Campaign\nname: Bad\nassistant_id: 99\n",
    );
    plan(&ws).assert_code(1).assert_stderr("assistant_id 99");
}

#[test]
fn a_saved_plan_is_applied_once_then_refused_as_stale_without_writes() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    // Any name: the file is recognised by its content.
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "reviewed.yaml"])
        .run()
        .assert_code(0)
        .assert_stderr("Saved the plan to reviewed.yaml");
    let saved = std::fs::read_to_string(ws.path().join("reviewed.yaml")).expect("plan file");
    assert!(!saved.contains(TOKEN), "the plan file holds no token");
    assert!(saved.contains("\"remote\": \"sha256:"), "{saved}");

    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "reviewed.yaml"])
        .run()
        .assert_code(0)
        .assert_only_stdout("Apply complete: 4 created");
    assert_eq!(creates(&emu), 4);

    let again = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "reviewed.yaml"])
        .run();
    again
        .assert_code(1)
        .assert_stderr("stale")
        .assert_only_stderr("hint: make a new plan");
    assert_eq!(creates(&emu), 4, "a stale plan writes nothing");
}

#[test]
fn a_plan_saved_inside_the_manifest_directory_is_not_read_as_a_manifest() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns", "--out", "campaigns/reviewed.yaml"])
        .run()
        .assert_code(0);
    campaignctl(ws.path(), None)
        .args(["validate", "campaigns"])
        .run()
        .assert_code(0)
        .assert_stdout("4 campaign(s) in 3 file(s) are valid.");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns/reviewed.yaml"])
        .run()
        .assert_code(0)
        .assert_only_stdout("Apply complete: 4 created");
}

#[test]
fn a_plan_saved_before_another_client_created_one_of_its_campaigns_is_stale() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "pr.plan"])
        .run()
        .assert_code(0);
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "Q4 Renewals East", "assistant_id": 8})),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "pr.plan"])
        .run()
        .assert_code(1)
        .assert_stderr("stale: the campaigns on the platform changed");
    assert_eq!(
        creates(&emu),
        1,
        "only the other client's create happened: no duplicate of Q4 Renewals East"
    );

    // A manifest edited after planning makes the plan stale too.
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "pr.plan"])
        .run()
        .assert_code(0);
    ws.write(
        "campaigns/reminders.yml",
        "kind: Campaign\nname: Appointment Reminders\nassistant_id: 9\nmax_retries: 4\n",
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "pr.plan"])
        .run()
        .assert_code(1)
        .assert_stderr("stale: the manifests under campaigns changed");
    assert_eq!(creates(&emu), 1);

    // A saved plan is applied on its own.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "pr.plan", "campaigns"])
        .run()
        .assert_code(1)
        .assert_stderr("applied on its own");
}

/// Creates, drift and a reference error in one workspace. The drifted campaign has run
/// (started, then stopped), so its drift is reported rather than corrected by a replace.
fn mixed_workspace(emu: &Emulator) -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "c/drift.yaml",
        "kind: Campaign\nname: Drifter\nassistant_id: 7\nmax_retries: 2\n",
    );
    campaignctl(ws.path(), Some(emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
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
    ws.write(
        "c/drift.yaml",
        "kind: Campaign\nname: Drifter\nassistant_id: 7\nmax_retries: 4\n",
    );
    ws.write(
        "c/new.yaml",
        "kind: Campaign\nname: Fresh | <b>\nassistant_id: 7\nmax_calls_in_parallel: 2\n",
    );
    ws.write(
        "c/wrong.yaml",
        "kind: Campaign\nname: Wrong\n\nassistant_id: 12\n",
    );
    ws
}

#[test]
fn markdown_plan_has_summary_table_problems_and_diff() {
    let emu = Emulator::start();
    let ws = mixed_workspace(&emu);
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "markdown"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    run.assert_code(1);
    let md = &run.stdout;
    assert!(
        !md.contains("::error") && run.stderr.contains("::error file=c/wrong.yaml"),
        "in GitHub Actions the annotations go to stderr, keeping the comment body clean:\n{md}"
    );
    for expected in [
        "### campaignctl plan",
        ":x: **The plan has 1 error(s); nothing can be applied.**",
        "**Plan:** 2 to create, 1 drifted, 0 unchanged, 0 unmanaged; 1 need attention (apply cannot act on them).",
        "- **error** c/wrong.yaml:4:15: assistant\\_id 12 (\"Front Desk\") is an inbound assistant",
        "| ➕ | Fresh \\| &lt;b&gt; | create |  | c/new.yaml:1 |",
        "| ⚠️ | Drifter | drift (max\\_retries) | 1 | c/drift.yaml:1 |",
        "<details><summary>Field-level diff</summary>",
        "-max_retries: 2\n+max_retries: 4\n",
        "+max_calls_in_parallel: 2\n",
        "</details>",
    ] {
        assert!(
            md.contains(expected),
            "markdown lacks {expected:?}:\n{md}\nstderr:\n{}",
            run.stderr
        );
    }
    assert!(md.chars().count() < 65_000);
}

#[test]
fn github_annotations_for_validation_and_plan_problems() {
    let emu = Emulator::start();
    let ws = mixed_workspace(&emu);
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    plan.assert_code(1);
    assert!(
        plan.stdout.lines().any(|l| l.starts_with(
            "::error file=c/wrong.yaml,line=4,col=15,title=campaignctl::assistant_id 12"
        )),
        "no error annotation on stdout:\n{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("Plan: 2 to create"),
        "annotations come in addition to the normal output"
    );

    let github = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "github"])
        .run();
    github.assert_code(1);
    for expected in [
        "::error file=c/wrong.yaml,line=4,col=15,title=campaignctl::",
        "::warning file=c/drift.yaml,line=1,col=1,title=campaignctl%3A drift::campaign \"Drifter\" (id 1) differs from the manifest (reported, not corrected)%0Amax_retries: manifest 4, platform 2",
        "::notice file=c/new.yaml,line=1,col=1,title=campaignctl%3A create::campaign \"Fresh | <b>\" will be created",
    ] {
        assert!(
            github.stdout.contains(expected),
            "lacks {expected:?}:\n{}",
            github.stdout
        );
    }

    ws.write(
        "v/bad.yaml",
        "kind: Campaign\nname: Bad\nassistant_id: 7\nmax_retries: 9\n",
    );
    let validate = campaignctl(ws.path(), None)
        .args(["validate", "v"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    validate.assert_code(1);
    assert!(
        validate.stdout.contains(
            "::error file=v/bad.yaml,line=4,col=14,title=campaignctl::max_retries must be between 1 and 5, got 9"
        ),
        "{}",
        validate.stdout
    );
}

fn yaml_documents(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("read");
    campaignctl_emulator::yaml::documents(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

#[test]
fn the_schema_accepts_every_shipped_manifest_and_rejects_bad_ones() {
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), None).args(["schema"]).run();
    run.assert_code(0);
    let schema = run.json();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in ["campaigns", "examples"] {
        for entry in walkdir::WalkDir::new(root.join(dir)) {
            let entry = entry.expect("walk");
            let path = entry.path();
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                continue;
            }
            for doc in yaml_documents(path) {
                if doc.get("kind") != Some(&json!("Campaign")) {
                    continue;
                }
                let errors: Vec<String> =
                    validator.iter_errors(&doc).map(|e| e.to_string()).collect();
                assert!(
                    errors.is_empty(),
                    "{} is valid for campaignctl but the schema rejects it: {errors:?}",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "only {checked} manifests found to check");

    for (bad, why) in [
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "max_retries": 9}),
            "max_retries out of range",
        ),
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "max_retry": 2}),
            "unknown field",
        ),
        (
            json!({"kind": "Campaign", "name": "x"}),
            "neither assistant_id nor id",
        ),
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "timezone": "Mars/Olympus"}),
            "unknown time zone",
        ),
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "allowed_hours_start_time": "9:00"}),
            "time not H:i",
        ),
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "allowed_days": ["monday", "monday"]}),
            "repeated day",
        ),
    ] {
        assert!(
            !validator.is_valid(&bad),
            "the schema accepts a bad manifest ({why}): {bad}"
        );
    }
    for (bad, why) in [
        (
            json!({"kind": "Campaign", "name": "x", "assistant": "Sales", "assistant_id": 7}),
            "an assistant by name and by id",
        ),
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "status": "started"}),
            "unknown status",
        ),
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "leads": {}}),
            "leads without file or items",
        ),
        (
            json!({"kind": "Campaign", "name": "x", "assistant_id": 7, "leads": {"items": [{"phone": "+14155550100"}]}}),
            "a lead without phone_number",
        ),
    ] {
        assert!(
            !validator.is_valid(&bad),
            "the schema accepts a bad manifest ({why}): {bad}"
        );
    }
    assert!(validator.is_valid(&json!({"kind": "Campaign", "id": 4, "name": "x"})));
    assert!(validator.is_valid(&json!({"kind": "Campaign", "name": "x", "assistant": "Sales",
        "phone_numbers": ["+1 (202) 555-0145"], "status": "running",
        "leads": {"file": "leads.csv", "items": [{"phone_number": "+14155550100", "variables": {"n": 1}}]}})));
}

#[test]
fn export_then_plan_is_empty_and_adoption_never_creates() {
    let emu = Emulator::start();
    for body in [
        json!({"name": "Hand made / East", "assistant_id": 7, "max_retries": 4, "allowed_days": ["friday", "monday"],
               "allowed_hours_start_time": "08:30", "allowed_hours_end_time": "18:00", "retry_interval": 90,
               "max_calls_in_parallel": 2, "mark_complete_when_no_leads": false, "timezone": "Europe/London"}),
        json!({"name": "yes", "assistant_id": 8}),
        json!({"name": "Ünïcödé: 'quoted' \"name\"", "assistant_id": 9}),
    ] {
        emu.api("POST", "user/campaign", Some(body));
    }
    let ws = Workspace::new();
    campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "imported"])
        .run()
        .assert_code(0)
        .assert_stderr("Exported 3 campaign(s) to imported");
    let exported =
        std::fs::read_to_string(ws.path().join("imported/hand-made-east.yaml")).expect("file");
    assert!(exported.contains("\nid: 1\n"), "{exported}");
    assert!(
        exported.contains("\n# assistant_id:   (not returned by the platform")
            && exported.contains("\n# timezone:   (not returned by the platform"),
        "the comment names the fields that could not be read:\n{exported}"
    );
    assert!(
        exported.contains("allowed_hours_start_time: \"08:30\"\n"),
        "{exported}"
    );

    let plan = campaignctl(ws.path(), Some(&emu))
        .args([
            "plan",
            "imported",
            "--detailed-exitcode",
            "--format",
            "json",
        ])
        .run();
    plan.assert_code(0);
    assert_eq!(
        plan.json()["summary"],
        json!({"create": 0, "drift": 0, "unchanged": 3, "unmanaged": 0, "replace": 0, "delete": 0, "attention": 0, "errors": 0}),
        "{}",
        plan.stdout
    );

    // Exporting over existing files is refused, and nothing is written.
    campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "imported"])
        .run()
        .assert_code(1)
        .assert_stderr("already exists")
        .assert_stderr("--force");

    // A campaign adopted by id that was deleted is an error, never a new campaign.
    emu.api("DELETE", "user/campaign/2", None);
    let before = creates(&emu);
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "imported"])
        .run()
        .assert_code(1)
        .assert_stderr("campaign id 2 (\"yes\") does not exist on the platform");
    assert_eq!(creates(&emu), before, "nothing was created");
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let ws = Workspace::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = campaignctl(ws.path(), None)
            .args(["completions", shell])
            .run();
        run.assert_code(0);
        for word in ["campaignctl", "detailed-exitcode", "export"] {
            assert!(
                run.stdout.contains(word),
                "{shell} completion lacks {word:?}"
            );
        }
    }
    campaignctl(ws.path(), None)
        .args(["completions", "tcsh"])
        .run()
        .assert_code(1);
}

#[test]
fn a_saved_plan_that_only_adds_leads_is_applied_once() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let lead = |n: u32| format!("    - {{ phone_number: \"+1415555010{n}\" }}\n");
    ws.write(
        "c/q.yaml",
        format!(
            "kind: Campaign\nname: Q\nassistant_id: 7\nleads:\n  items:\n{}",
            lead(1)
        ),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    ws.write(
        "c/q.yaml",
        format!(
            "kind: Campaign\nname: Q\nassistant_id: 7\nleads:\n  items:\n{}{}",
            lead(1),
            lead(2)
        ),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--out", "leads.plan", "--detailed-exitcode"])
        .run()
        .assert_code(2)
        .assert_stdout("gains 1 lead(s)");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "leads.plan"])
        .run()
        .assert_code(0);
    assert_eq!(emu.stats()["leads_created"], 2);

    // The campaign list did not change, the leads did: the plan is stale all the same.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "leads.plan"])
        .run()
        .assert_code(1)
        .assert_stderr("stale: the leads of its campaigns changed");
    assert_eq!(emu.stats()["leads_created"], 2, "no lead was sent twice");
}

#[test]
fn markdown_and_annotations_mark_a_start_loudly() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/q.yaml",
        "kind: Campaign\nname: Q\nassistant_id: 7\nstatus: running\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n",
    );
    let md = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "markdown", "--detailed-exitcode"])
        .run();
    md.assert_code(2)
        .assert_stdout("**Leads and status:** 1 lead(s) to add, 1 campaign(s) to start, 0 to stop.")
        .assert_stdout("> **WILL START CALLING:** applying starts Q.")
        .assert_stdout("| ➕ | Q | create, +1 lead(s), **WILL START CALLING** |");
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "github"])
        .run()
        .assert_code(0)
        .assert_stdout("::warning file=c/q.yaml,line=1,col=1,title=campaignctl%3A WILL START CALLING::applying starts campaign \"Q\"");
    assert_eq!(
        emu.stats()["campaign_create_requests"],
        0,
        "planning writes nothing"
    );
}

/// Edits the saved plan file at `path` with `edit`, keeping it valid JSON.
fn tamper(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(path).expect("plan file");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("plan JSON");
    edit(&mut doc);
    std::fs::write(path, serde_json::to_string_pretty(&doc).expect("JSON")).expect("write");
}

#[test]
fn an_edited_saved_plan_is_refused_naming_the_first_difference_and_nothing_is_written() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    let plan_file = ws.path().join("reviewed.plan");
    let save = || {
        campaignctl(ws.path(), Some(&emu))
            .args(["plan", "--out", "reviewed.plan"])
            .run()
            .assert_code(0);
    };
    // A create body changed (a different assistant, more parallel calls) with the fingerprints
    // left as they were.
    save();
    tamper(&plan_file, |doc| {
        let body = &mut doc["plans"][0]["plan"]["operations"][0]["request"];
        body["assistant_id"] = json!(8);
        body["max_calls_in_parallel"] = json!(10);
    });
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "reviewed.plan"])
        .run()
        .assert_code(1)
        .assert_stderr("does not match the plan its inputs give now")
        .assert_stderr("the create of campaign \"")
        .assert_stderr(": assistant_id is 8 in the file but 9 now");
    // A start added for a campaign the plan only creates.
    save();
    tamper(&plan_file, |doc| {
        let ops = doc["plans"][0]["plan"]["operations"]
            .as_array_mut()
            .expect("operations");
        let mut start = ops[0].clone();
        start["id"] = json!(ops.len());
        start["op"] = json!("start");
        start["depends_on"] = json!([0]);
        start["effects"]["places_calls"] = json!(true);
        if let Some(o) = start.as_object_mut() {
            o.remove("request");
        }
        ops.push(start);
    });
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "reviewed.plan"])
        .run()
        .assert_code(1)
        .assert_stderr("does not match the plan its inputs give now");
    assert_eq!(creates(&emu), 0, "an edited plan writes nothing");
    assert_eq!(emu.stats()["campaigns_started"], 0);
}

#[test]
fn a_saved_plan_applies_the_same_from_any_working_directory() {
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "good.plan"])
        .run()
        .assert_code(0);
    let elsewhere = ws.path().join("deeper/still");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    campaignctl(&elsewhere, Some(&emu))
        .args(["apply", "--auto-approve", "../../good.plan"])
        .run()
        .assert_code(0)
        .assert_only_stdout("Apply complete: 4 created");
    assert_eq!(creates(&emu), 4);
}

#[test]
fn a_saved_plan_approves_writes_but_not_calls() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/go.yaml",
        "kind: Campaign\nname: Go\nassistant_id: 7\nstatus: running\ntimezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n",
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "go.plan", "c"])
        .run()
        .assert_code(0);
    // No terminal and no --auto-approve: the saved plan's writes are approved by saving it,
    // the start is held.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "go.plan"])
        .run()
        .assert_code(0)
        .assert_stdout("\"Go\": created")
        .assert_stdout("held: start \"Go\"");
    assert_eq!(emu.campaigns()[0]["status"], "draft");
    assert_eq!(emu.stats()["campaigns_started"], 0);
}
